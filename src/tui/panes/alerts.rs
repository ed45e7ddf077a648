//! Pane 2: open shortage alerts grouped by community — count, by severity,
//! the oldest's age — and, opened up, each alert. Ages past the configured
//! thresholds are marked ⚠ and bold.

use std::collections::BTreeSet;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use super::{Cx, Details, Pane, frame_block, header_line, inner, render_empty};
use crate::domain::Code;
use crate::domain::alert::{self, AlertAction};
use crate::domain::time::{age, local_minute};
use crate::store::StoreError;
use crate::store::alerts::{AlertCounts, AlertRow, CommunityAlerts, Escalation};
use crate::tui::keys::{Cmd, Context, PaneId};
use crate::tui::list::{Paged, clean, col, fit, flex_upto, render_rows, row_line};
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

pub fn escalation(cx: &Cx) -> Escalation {
    Escalation::from_fn(|s| cx.cfg.thresholds.escalate_after(s))
}

#[derive(Default)]
pub struct AlertsPane {
    list: Paged<AlertItem>,
    open: BTreeSet<i64>,
    counts: AlertCounts,
    filter: Option<String>,
}

impl AlertsPane {
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
        self.list
            .set_height(inner(area).height.saturating_sub(1) as usize);
    }

    fn load(&mut self, cx: &Cx) -> Result<(), StoreError> {
        if !self.list.stale {
            return Ok(());
        }
        let esc = escalation(cx);
        self.counts = cx.store.alert_counts(cx.now, &esc)?;
        let board = cx
            .store
            .open_alerts_by_community(cx.now, &esc, false, 0, MAX_COMMUNITIES)?;
        let mut rows = Vec::new();
        for c in board {
            if let Some(f) = &self.filter
                && !c.community.contains(f.as_str())
            {
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
        self.list.invalidate();
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
        let l = &mut self.list;
        match cmd {
            Cmd::Down => l.move_by(1),
            Cmd::Up => l.move_by(-1),
            Cmd::PageDown => l.move_by(l.page()),
            Cmd::PageUp => l.move_by(-l.page()),
            Cmd::Top => l.move_to(0),
            Cmd::Bottom => l.move_to(usize::MAX),
            Cmd::Expand => return self.toggle(),
            // Enter on a community opens it; on an alert, the details.
            Cmd::Details => return self.toggle(),
            _ => return false,
        }
        true
    }

    fn render(&self, f: &mut Frame, area: Rect, cx: &Cx, focused: bool) {
        let c = self.counts;
        let mut note = format!("{} {} · !!! {}", cx.t("未结", "open"), c.open, c.critical);
        if c.escalated > 0 {
            note.push_str(&format!(" · ⚠ {}", c.escalated));
        }
        if let Some(flt) = &self.filter {
            note.push_str(&format!(" /{}", clean(flt)));
        }
        f.render_widget(frame_block(self.id(), note, cx, focused), area);
        let body = inner(area);
        let [head, rows] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(body);
        let theme = &cx.theme;
        let w = body.width.saturating_sub(1) as usize;
        // Community rows and alert rows share one grid.
        let widths = fit(
            w,
            &[
                col(3, 9),
                flex_upto(10, 30, 9),
                col(8, 8),
                col(5, 7),
                col(8, 8),
                flex_upto(14, 18, 6),
                col(7, 3),
            ],
        );
        f.render_widget(
            header_line(
                &widths,
                &[
                    "",
                    cx.t("社区/小区", "Community"),
                    cx.t("物资", "Item"),
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
        render_rows(f, rows, &self.list, focused, theme, |r| match r {
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
                row_line(
                    &widths,
                    vec![
                        (a.severity.symbol().to_string(), theme.severity(a.severity)),
                        (place, Default::default()),
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
        });
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
