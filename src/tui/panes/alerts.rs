//! Pane 2: open shortage alerts grouped by community — count, by severity,
//! the oldest's age — and, opened up, each alert. Ages past the configured
//! thresholds are marked ⚠ and bold.

use std::collections::{BTreeSet, HashMap};

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use super::{Cx, Details, Pane, frame_block, header_line, inner, render_empty};
use crate::domain::Code;
use crate::domain::alert::{self, AlertAction, ItemClass};
use crate::domain::cover::{AlertKind, Cover, bar, format_days, level};
use crate::domain::time::{age, local_minute};
use crate::store::StoreError;
use crate::store::alerts::{AlertCounts, AlertRow, CommunityAlerts, Escalation};
use crate::store::follow::{Flags, sort_board};
use crate::store::supply::CoverRow;
use crate::tui::feed::{Changes, Table};
use crate::tui::keys::{Cmd, Context, PaneId};
use crate::tui::list::{Col, Paged, bar_over, clean, col, fit, flex_upto, render_rows, row_line};
use crate::tui::theme::Tone;

/// Communities on the board at most (a sub-district has a dozen or so).
const MAX_COMMUNITIES: i64 = 1000;
/// Alerts shown under an opened community at most.
const MAX_ALERTS: i64 = 200;

#[derive(Debug, Clone)]
pub enum AlertItem {
    Community(CommunityAlerts, bool),
    Alert(AlertRow),
}

fn key(r: &AlertItem) -> (i64, i64) {
    match r {
        AlertItem::Community(c, _) => (c.community_id, 0),
        AlertItem::Alert(a) => (a.community_id, a.id),
    }
}

/// Cells of the cover bar.
const BAR_WIDTH: usize = 3;

/// A community's weakest item class, for its row's cover column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CoverCell {
    /// Trusted days of cover of the item with the fewest.
    Days {
        item: ItemClass,
        days: f64,
        below: bool,
    },
    /// Only stale reports: what they said, flagged, not trusted.
    Stale { item: ItemClass, days: f64 },
    /// Nothing draws on the stock of any item reported: "—".
    NoConsumption,
}

impl CoverCell {
    /// The weakest cell of one community's rows: trusted days first, then
    /// stale days; none where nothing was reported.
    pub fn of<'a>(rows: impl Iterator<Item = &'a CoverRow>) -> Option<CoverCell> {
        let mut trusted: Option<CoverCell> = None;
        let mut stale: Option<CoverCell> = None;
        let mut no_draw = false;
        for r in rows {
            match r.cover {
                Cover::Days(d) => {
                    if !matches!(trusted, Some(CoverCell::Days { days, .. }) if days <= d) {
                        trusted = Some(CoverCell::Days {
                            item: r.item,
                            days: d,
                            below: r.below,
                        });
                    }
                }
                Cover::Stale { days: Some(d), .. } => {
                    if !matches!(stale, Some(CoverCell::Stale { days, .. }) if days <= d) {
                        stale = Some(CoverCell::Stale {
                            item: r.item,
                            days: d,
                        });
                    }
                }
                Cover::NoConsumption | Cover::Stale { days: None, .. } => no_draw = true,
                Cover::NoReport => {}
            }
        }
        trusted
            .or(stale)
            .or(no_draw.then_some(CoverCell::NoConsumption))
    }

    /// Reads without colour: `!` below the threshold, `~` and brackets for
    /// stale figures, "—" without consumption. `compact`: one level cell
    /// instead of the bar, and the item only while `width` has room.
    pub fn text(&self, full_days: f64, cx: &Cx, compact: bool, width: usize) -> String {
        if compact {
            let (mark, days, item) = match *self {
                CoverCell::Days { item, days, below } => {
                    (if below { '!' } else { ' ' }, days, Some(item))
                }
                CoverCell::Stale { item, days } => ('~', days, Some(item)),
                CoverCell::NoConsumption => return "  —".into(),
            };
            let head = format!(
                "{mark}{}{}d",
                level(Some(days), full_days),
                format_days(days)
            );
            return match item.map(|i| i.label(cx.lang)) {
                Some(l) if head.width() + 1 + l.width() <= width => format!("{head} {l}"),
                _ => head,
            };
        }
        match *self {
            CoverCell::Days { item, days, below } => format!(
                "{}{} {}d {}",
                if below { '!' } else { ' ' },
                bar(Some(days), full_days, BAR_WIDTH),
                format_days(days),
                item.label(cx.lang)
            ),
            CoverCell::Stale { item, days } => format!(
                "~{} ({})d {}",
                bar(Some(days), full_days, BAR_WIDTH),
                format_days(days),
                item.label(cx.lang)
            ),
            CoverCell::NoConsumption => format!(" {} —", bar(None, full_days, BAR_WIDTH)),
        }
    }
}

/// The pane's grid, shared by community rows and alert rows: marker,
/// community or compound, cover, open count or item, households, age,
/// severity breakdown or state, handler. `cover` is the cover column.
fn grid(cover: Col) -> [Col; 8] {
    [
        col(3, 9),
        flex_upto(10, 30, 9),
        cover,
        col(7, 8),
        col(5, 4),
        col(8, 8),
        flex_upto(14, 18, 6),
        // 市场监管所 whole where there is room.
        flex_upto(7, 12, 3),
    ]
}

/// The columns a narrow pane must still show: all but households and
/// handler.
const CORE: [usize; 6] = [0, 1, 2, 3, 5, 6];

/// Widths for `w` cells, and whether the cover column is the compact
/// one: the bar where the core columns fit beside it, else one level cell
/// (the 160×48 grid gives this pane some 54 cells).
fn widths_for(w: usize) -> (Vec<Option<usize>>, bool) {
    let wide = fit(w, &grid(col(18, 7)));
    if CORE.iter().all(|i| wide[*i].is_some()) {
        return (wide, false);
    }
    (fit(w, &grid(flex_upto(6, 11, 7))), true)
}

/// `预测` for an alert the cover forecast raised, `市场` for a market
/// report; nothing for a shortage someone reported.
fn alert_kind_tag(a: &AlertRow, cx: &Cx) -> &'static str {
    match (a.kind, a.predicted) {
        (AlertKind::Market, _) => cx.t("市场监测", "market"),
        (_, true) => cx.t("预测", "forecast"),
        _ => "",
    }
}

/// The details' kind line: a market report names what was seen and where
/// (read from the store, for this one alert).
fn kind_line(a: &AlertRow, cx: &Cx) -> String {
    let t = |zh: &str, en: &str| cx.t(zh, en).to_string();
    match (a.kind, a.predicted) {
        (AlertKind::Market, _) => {
            let mut s = t("市场监测", "Market report");
            if let Ok(tag) = cx.store.alert_tag(a.id) {
                if let Some(k) = tag.market_kind {
                    s.push_str(&format!(" · {}", k.label(cx.lang)));
                }
                if let Some(at) = tag.target {
                    s.push_str(&format!(" · {}", clean(&at)));
                }
            }
            s
        }
        (_, true) => t(
            "预测短缺（供应天数低于阈值，自动发出）",
            "Predicted shortage (cover under the threshold, raised automatically)",
        ),
        _ => t("缺货上报", "Reported shortage"),
    }
}

pub fn escalation(cx: &Cx) -> Escalation {
    Escalation::from_fn(|s| cx.cfg.thresholds.escalate_after(s))
}

#[derive(Default)]
pub struct AlertsPane {
    list: Paged<AlertItem>,
    open: BTreeSet<i64>,
    counts: AlertCounts,
    filter: Option<String>,
    /// Each community's weakest cover; read again only when the data
    /// changed (cover_all reads every community's reports).
    cover: HashMap<i64, CoverCell>,
    /// Every item class of each community, for the selected one's line.
    cover_rows: HashMap<i64, Vec<CoverRow>>,
    /// Communities with trusted cover below the threshold.
    below: usize,
    cover_loaded: bool,
    /// Each open alert's flags, summed into `counts`.
    flags: Flags,
    /// The flags are read (false: read them whole).
    counted: bool,
    /// Alerts changed since the last load: their flags are read again.
    changed: BTreeSet<i64>,
    /// The board, every community with open alerts, in its order.
    board: Vec<CommunityAlerts>,
    /// The board is read (false: read it whole).
    board_read: bool,
}

impl AlertsPane {
    /// A community's row matches the filter by what it shows: its name,
    /// the item of its lowest cover (in either language), a severity or
    /// state it has open alerts of (紧急, high, 待处理), ⚠ when one is
    /// overdue. Every word of the filter must match.
    fn board_row_matches(&self, c: &CommunityAlerts) -> bool {
        use crate::domain::alert::{AlertState, Severity};
        let Some(f) = self.filter.as_deref() else {
            return true;
        };
        let item = match self.cover.get(&c.community_id) {
            Some(CoverCell::Days { item, .. } | CoverCell::Stale { item, .. }) => {
                format!("{} {}", item.label_zh(), item.label_en()).to_lowercase()
            }
            _ => String::new(),
        };
        let name = c.community.to_lowercase();
        f.split_whitespace().all(|w| {
            let lower = w.to_lowercase();
            if name.contains(&lower) || (!item.is_empty() && item.contains(&lower)) {
                return true;
            }
            if w == "⚠" {
                return c.escalated > 0;
            }
            if let Some(s) = super::named::<Severity>(w) {
                return match s {
                    Severity::Critical => c.critical,
                    Severity::High => c.high,
                    Severity::Medium => c.medium,
                    Severity::Low => c.low,
                } > 0;
            }
            // The board lists open alerts: any state of an open one.
            super::named::<AlertState>(w).is_some_and(|s| s.is_open() && c.open > 0)
        })
    }

    pub fn counts(&self) -> AlertCounts {
        self.counts
    }

    /// The community of the selected row, for `n` (raise an alert there).
    pub fn selected_community(&self) -> Option<String> {
        match self.list.selected()? {
            AlertItem::Community(c, _) => Some(c.community.clone()),
            AlertItem::Alert(a) => Some(a.community.clone()),
        }
    }

    /// The selected alert, when an alert (not a community) is selected.
    pub fn selected_alert(&self) -> Option<&AlertRow> {
        match self.list.selected()? {
            AlertItem::Alert(a) => Some(a),
            AlertItem::Community(..) => None,
        }
    }

    /// Days of cover of every item class of the selected community, one
    /// line: `!` below the threshold, brackets for stale figures, "—"
    /// without consumption, "?" without a report.
    fn cover_line<'a>(&self, cx: &Cx) -> Line<'a> {
        let theme = &cx.theme;
        let id = match self.list.selected() {
            Some(AlertItem::Community(c, _)) => c.community_id,
            Some(AlertItem::Alert(a)) => a.community_id,
            None => return Line::default(),
        };
        let Some(rows) = self.cover_rows.get(&id) else {
            return Line::default();
        };
        let mut spans = vec![Span::styled(
            format!(" {} ", cx.t("供应天数", "Days of cover")),
            theme.bold(),
        )];
        if rows
            .iter()
            .all(|r| !r.is_relevant() || matches!(r.cover, Cover::NoReport))
        {
            spans.push(Span::styled(
                cx.t("无库存报告", "no stock reports").to_string(),
                theme.tone(Tone::Dim),
            ));
            return Line::from(spans);
        }
        for r in rows.iter().filter(|r| r.is_relevant()) {
            let (mark, tone) = if r.below {
                ("!", Tone::Bad)
            } else if matches!(r.cover, Cover::Stale { .. }) {
                ("~", Tone::Dim)
            } else {
                ("", Tone::Normal)
            };
            spans.push(Span::styled(
                format!("{} {mark}{}  ", r.item.label(cx.lang), r.cover.text()),
                theme.tone(tone),
            ));
        }
        Line::from(spans)
    }

    fn toggle(&mut self) -> bool {
        let Some(AlertItem::Community(c, _)) = self.list.selected() else {
            return false;
        };
        let id = c.community_id;
        if !self.open.remove(&id) {
            self.open.insert(id);
        }
        self.list.invalidate();
        true
    }
}

impl Pane for AlertsPane {
    fn id(&self) -> PaneId {
        PaneId::Alerts
    }

    fn contexts(&self) -> &'static [Context] {
        &[Context::Alerts, Context::List]
    }

    fn set_area(&mut self, area: Rect) {
        // The column header above the rows, the cover line below.
        self.list
            .set_height(inner(area).height.saturating_sub(2) as usize);
    }

    fn load(&mut self, cx: &Cx) -> Result<(), StoreError> {
        if !self.list.stale {
            return Ok(());
        }
        if self.cover_loaded && !self.changed.is_empty() {
            // The cover of a cell counts its open predicted alert.
            let ids: Vec<i64> = self.changed.iter().copied().collect();
            if cx.store.any_predicted_alert(&ids)? {
                self.cover_loaded = false;
            }
        }
        if !self.cover_loaded {
            let rows = cx.store.cover_all(cx.now, &cx.cfg.norms.norms())?;
            let mut by: HashMap<i64, Vec<CoverRow>> = HashMap::new();
            for r in rows {
                by.entry(r.community_id).or_default().push(r);
            }
            self.cover = by
                .iter()
                .filter_map(|(id, rows)| CoverCell::of(rows.iter()).map(|c| (*id, c)))
                .collect();
            self.below = by
                .values()
                .filter(|rows| rows.iter().any(|r| r.below))
                .count();
            self.cover_rows = by;
            self.cover_loaded = true;
        }
        let esc = escalation(cx);
        if self.board_read && !self.changed.is_empty() {
            // Only the lines of the communities of the alerts that changed.
            let ids: Vec<i64> = self.changed.iter().copied().collect();
            for c in cx.store.alert_communities(&ids)? {
                let line = cx.store.community_alerts(c, cx.now, &esc)?;
                self.board.retain(|b| b.community_id != c);
                self.board.extend(line);
            }
            sort_board(&mut self.board);
        }
        if !self.board_read {
            self.board =
                cx.store
                    .open_alerts_by_community(cx.now, &esc, false, 0, MAX_COMMUNITIES)?;
            self.board_read = true;
        }
        if !self.counted {
            self.flags = cx.store.alert_flags_all(cx.now, &esc)?;
            self.changed.clear();
            self.counted = true;
        }
        if !self.changed.is_empty() {
            let ids: Vec<i64> = std::mem::take(&mut self.changed).into_iter().collect();
            for (id, bits) in cx.store.alert_flags(&ids, cx.now, &esc)? {
                self.flags.set(id, bits);
            }
        }
        self.counts = self.flags.alert_counts();
        let mut rows = Vec::new();
        for c in self.board.iter().take(MAX_COMMUNITIES as usize).cloned() {
            if !self.board_row_matches(&c) {
                continue;
            }
            let opened = self.open.contains(&c.community_id);
            let id = c.community_id;
            rows.push(AlertItem::Community(c, opened));
            if opened {
                let alerts = cx
                    .store
                    .alerts_of_community(id, false, cx.now, &esc, 0, MAX_ALERTS)?;
                rows.extend(alerts.into_iter().map(AlertItem::Alert));
            }
        }
        let n = rows.len();
        self.list.fill(0, rows, n, true, key);
        Ok(())
    }

    fn invalidate(&mut self) {
        self.cover_loaded = false;
        self.counted = false;
        self.board_read = false;
        self.list.invalidate();
    }

    fn is_stale(&self) -> bool {
        self.list.stale
    }

    fn tables(&self) -> &'static [Table] {
        // Market alerts name a unit or an outlet; the cover bar reads
        // stock reports, norms and communities' people.
        &[
            Table::Alert,
            Table::Community,
            Table::Compound,
            Table::SupplyUnit,
            Table::Outlet,
            Table::StockReport,
            Table::NormOverride,
        ]
    }

    /// An alert changed: its flags and the board (one indexed pass over
    /// the open alerts) are read again, the cover only for a predicted
    /// alert; a stock report or a norm: the cover and the board.
    fn note(&mut self, changes: &Changes) {
        if changes.bulk(Table::Alert)
            || changes.touches(&[
                Table::Community,
                Table::Compound,
                Table::SupplyUnit,
                Table::Outlet,
            ])
        {
            self.invalidate();
            return;
        }
        if changes.touches(&[Table::StockReport, Table::NormOverride]) {
            self.cover_loaded = false;
            self.list.stale = true;
        }
        let ids = changes.ids(Table::Alert);
        if !ids.is_empty() {
            self.changed.extend(ids);
            self.list.stale = true;
        }
    }

    fn shows(&self, table: Table, id: i64) -> bool {
        self.list.visible().any(|(_, r)| match r {
            AlertItem::Alert(a) => table == Table::Alert && a.id == id,
            AlertItem::Community(c, _) => table == Table::Community && c.community_id == id,
        })
    }

    fn held(&self) -> (usize, usize) {
        (self.list.rows.len(), self.list.total)
    }

    fn offers(&self, cmd: Cmd) -> bool {
        let action = match cmd {
            Cmd::Expand => {
                return matches!(self.list.selected(), Some(AlertItem::Community(..)));
            }
            Cmd::AlertSeverity => {
                return self.selected_alert().is_some_and(|a| a.state.is_open());
            }
            Cmd::AlertAck => AlertAction::Acknowledge,
            Cmd::AlertDispatch => AlertAction::Dispatch,
            Cmd::AlertResolve => AlertAction::Resolve,
            Cmd::AlertCancel => AlertAction::Cancel,
            _ => return true,
        };
        self.selected_alert()
            .is_some_and(|a| alert::step(a.state, action).is_ok())
    }

    fn handle(&mut self, cmd: Cmd) -> bool {
        if self.list.apply_move(cmd) {
            return true;
        }
        match cmd {
            // Enter on a community opens it; on an alert, the details.
            Cmd::Expand | Cmd::Details => self.toggle(),
            _ => false,
        }
    }

    fn render(&self, f: &mut Frame, area: Rect, cx: &Cx, focused: bool) {
        let c = self.counts;
        let mut note = format!("{} {} · !!! {}", cx.t("未结", "open"), c.open, c.critical);
        if c.escalated > 0 {
            note.push_str(&format!(" · ⚠ {}", c.escalated));
        }
        if self.below > 0 {
            // Communities under the threshold: `!<3.0d 2`.
            let t = format_days(cx.cfg.norms.cover_threshold_days);
            note.push_str(&format!(" · !<{t}d {}", self.below));
        }
        if let Some(flt) = &self.filter {
            note.push_str(&format!(" /{}", clean(flt)));
        }
        f.render_widget(frame_block(self.id(), note, cx, focused), area);
        let body = inner(area);
        let [head, rows, foot] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(body);
        let theme = &cx.theme;
        f.render_widget(self.cover_line(cx), foot);
        let w = body.width.saturating_sub(1) as usize;
        let (widths, compact) = widths_for(w);
        let cover_w = widths[2].unwrap_or(0);
        f.render_widget(
            header_line(
                &widths,
                &[
                    "",
                    cx.t("社区/小区", "Community"),
                    if compact {
                        cx.t("最短", "Lowest")
                    } else {
                        cx.t("最短供应天数", "Lowest cover")
                    },
                    cx.t("条/物资", "N/Item"),
                    cx.t("户数", "Homes"),
                    cx.t("时长", "Age"),
                    cx.t("紧急度/状态", "Severity/state"),
                    cx.t("处理人", "Handler"),
                ],
                theme,
            ),
            head,
        );
        if self.list.rows.is_empty() && !self.list.stale {
            render_empty(
                f,
                rows,
                cx.t("没有未处理的缺货预警", "no open shortage alerts"),
                theme,
            );
            return;
        }
        render_rows(
            f,
            rows,
            &self.list,
            focused,
            theme,
            bar_over(&widths, 2),
            |r| match r {
                AlertItem::Community(c, opened) => {
                    let sev = format!("!!!{} !!{} !{} ·{}", c.critical, c.high, c.medium, c.low);
                    let age_s = c
                        .oldest_age_minutes
                        .map(|m| age(chrono::Duration::minutes(m)))
                        .unwrap_or_default();
                    let (age_s, age_tone) = if c.escalated > 0 {
                        (format!("⚠{age_s}"), Tone::Bad)
                    } else {
                        (age_s, Tone::Normal)
                    };
                    let name_tone = if c.critical > 0 {
                        Tone::Bad
                    } else {
                        Tone::Normal
                    };
                    let full = cx.cfg.norms.cover_threshold_days * 2.0;
                    let (cover_s, cover_tone) = match self.cover.get(&c.community_id) {
                        Some(cell) => (
                            cell.text(full, cx, compact, cover_w),
                            match cell {
                                CoverCell::Days { below: true, .. } => Tone::Bad,
                                CoverCell::Stale { .. } => Tone::Dim,
                                _ => Tone::Normal,
                            },
                        ),
                        None => ("  ?".to_string(), Tone::Dim),
                    };
                    row_line(
                        &widths,
                        vec![
                            (
                                if *opened { "▾" } else { "▸" }.to_string(),
                                Default::default(),
                            ),
                            (
                                c.community.clone(),
                                theme.tone(name_tone).patch(theme.bold()),
                            ),
                            (cover_s, theme.tone(cover_tone)),
                            (
                                format!("{} {}", c.open, cx.t("条", "open")),
                                Default::default(),
                            ),
                            (String::new(), Default::default()),
                            (age_s, theme.tone(age_tone)),
                            (
                                sev,
                                theme.tone(if c.critical > 0 {
                                    Tone::Bad
                                } else {
                                    Tone::Normal
                                }),
                            ),
                            (String::new(), Default::default()),
                        ],
                    )
                }
                AlertItem::Alert(a) => {
                    let age_s = age(chrono::Duration::minutes(a.age_minutes));
                    let (age_s, age_tone) = if a.escalated {
                        (format!("⚠{age_s}"), Tone::Bad)
                    } else {
                        (age_s, Tone::Normal)
                    };
                    let place = match &a.compound {
                        Some(k) => format!("  {k}"),
                        None => format!("  ({})", cx.t("全社区", "whole community")),
                    };
                    // Alert rows leave the cover column free: what kind of
                    // alert it is, where it is not a reported shortage.
                    row_line(
                        &widths,
                        vec![
                            (a.severity.symbol().to_string(), theme.severity(a.severity)),
                            (place, Default::default()),
                            (alert_kind_tag(a, cx).to_string(), theme.tone(Tone::Dim)),
                            (
                                a.item.label(cx.lang).to_string(),
                                theme.severity(a.severity),
                            ),
                            (a.households.to_string(), Default::default()),
                            (age_s, theme.tone(age_tone)),
                            (a.state.label(cx.lang).to_string(), Default::default()),
                            (
                                a.handler.clone().unwrap_or_else(|| "—".into()),
                                theme.tone(Tone::Dim),
                            ),
                        ],
                    )
                }
            },
        );
    }

    fn details(&self, cx: &Cx) -> Option<Details> {
        let AlertItem::Alert(a) = self.list.selected()? else {
            return None;
        };
        let t = |zh: &str, en: &str| cx.t(zh, en).to_string();
        let when = |x: chrono::DateTime<chrono::Utc>| local_minute(x, cx.tz);
        let mut lines = vec![
            (t("编号", "Alert"), format!("#{}", a.id)),
            (t("社区（村）", "Community"), a.community.clone()),
            (
                t("小区（组）", "Compound"),
                a.compound.clone().unwrap_or_else(|| "—".into()),
            ),
            (
                t("物资类别", "Item class"),
                a.item.label(cx.lang).to_string(),
            ),
            (
                t("紧急程度", "Severity"),
                format!(
                    "{} {}",
                    a.severity.symbol().trim(),
                    a.severity.label(cx.lang)
                ),
            ),
            (t("类别", "Kind"), kind_line(a, cx)),
            (t("涉及户数", "Households"), a.households.to_string()),
            (
                t("来源", "Reported by"),
                a.source.clone().unwrap_or_else(|| "—".into()),
            ),
            (
                t("说明", "Description"),
                if a.text.is_empty() {
                    "—".into()
                } else {
                    a.text.clone()
                },
            ),
            (t("状态", "State"), a.state.label(cx.lang).to_string()),
            (
                t("处理人", "Handler"),
                a.handler.clone().unwrap_or_else(|| "—".into()),
            ),
            (
                t("派往", "Dispatched to"),
                a.dispatched_to.clone().unwrap_or_else(|| "—".into()),
            ),
            (t("登记时间", "Raised"), when(a.opened_at)),
            (t("更新时间", "Updated"), when(a.updated_at)),
            (
                t("时长", "Age"),
                format!(
                    "{}{}",
                    age(chrono::Duration::minutes(a.age_minutes)),
                    if a.escalated {
                        cx.t("（已超时，需升级处理）", " (past its threshold: escalate)")
                    } else {
                        ""
                    }
                ),
            ),
        ];
        if let Some(r) = &a.resolution {
            lines.push((t("处理结果", "Outcome"), r.clone()));
        }
        Some(Details {
            title: format!("{} #{}", t("缺货预警", "Shortage alert"), a.id),
            lines,
        })
    }

    fn filter(&self) -> Option<&str> {
        self.filter.as_deref()
    }

    fn set_filter(&mut self, filter: Option<String>) {
        self.filter = filter.filter(|f| !f.is_empty());
        self.list.invalidate();
        self.list.move_to(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(item: ItemClass, cover: Cover, below: bool) -> CoverRow {
        CoverRow {
            community_id: 1,
            community: "螺蛳包社区".into(),
            item,
            population: 100,
            households: 40,
            per_person: 0.5,
            overridden: false,
            need: 50.0,
            stock: 0.0,
            supply_in: 0.0,
            cover,
            status: cover.status(),
            days: cover.days(),
            as_of: None,
            fresh_sources: 1,
            below,
            predicted_alert: None,
            predicted_state: None,
        }
    }

    #[test]
    fn the_weakest_trusted_item_wins_over_stale_and_no_draw() {
        let stale = Cover::Stale {
            days: Some(0.2),
            as_of: chrono::Utc::now(),
        };
        let rows = [
            row(ItemClass::Grain, Cover::Days(5.0), false),
            row(ItemClass::Oil, stale, false),
            row(ItemClass::Meat, Cover::Days(1.5), true),
            row(ItemClass::Medicine, Cover::NoConsumption, false),
            row(ItemClass::Vegetables, Cover::NoReport, false),
        ];
        assert_eq!(
            CoverCell::of(rows.iter()),
            Some(CoverCell::Days {
                item: ItemClass::Meat,
                days: 1.5,
                below: true
            })
        );
        // Stale figures only when nothing trusted: flagged, not trusted.
        assert_eq!(
            CoverCell::of(rows[1..2].iter()),
            Some(CoverCell::Stale {
                item: ItemClass::Oil,
                days: 0.2
            })
        );
        assert_eq!(
            CoverCell::of(rows[3..].iter()),
            Some(CoverCell::NoConsumption)
        );
        assert_eq!(CoverCell::of(rows[4..].iter()), None);
    }

    #[test]
    fn a_narrow_pane_keeps_the_core_columns_with_a_compact_cover() {
        // The 160×48 grid leaves 53 cells beside the marker; 80×24, 75.
        let (w53, compact) = widths_for(53);
        assert!(compact);
        assert!(CORE.iter().all(|i| w53[*i].is_some()), "{w53:?}");
        let used: usize = w53.iter().flatten().sum::<usize>() + w53.iter().flatten().count() - 1;
        assert!(used <= 53, "{used}");
        let (w75, compact) = widths_for(75);
        assert!(!compact);
        assert_eq!(w75[2], Some(18));
        // Wide enough for everything: the handler too.
        let (w120, compact) = widths_for(119);
        assert!(!compact && w120.iter().all(|c| c.is_some()), "{w120:?}");
    }
}
