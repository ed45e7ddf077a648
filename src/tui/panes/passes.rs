//! Pane 3: vehicles and passes, latest ending first, with the state a
//! checkpoint cares about (valid, expiring soon, expired, suspended,
//! revoked, requested). Paged from the store; `/` filters by plate prefix
//! (any typed form), pass number, unit, driver or area.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use super::{Cx, Details, Pane, count_note, frame_block, header_line, inner, render_empty};
use crate::domain::Code;
use crate::domain::pass::{self, PassAction, PassKind, PassStatus};
use crate::domain::time::{local_minute, local_short};
use std::collections::BTreeSet;

use crate::store::StoreError;
use crate::store::follow::Flags;
use crate::store::pass_actions::{PassCounts, PassFilter, PassListRow};
use crate::tui::feed::{Changes, Table};
use crate::tui::keys::{Cmd, Context, PaneId};
use crate::tui::list::{Paged, bar_over, col, fit, flex, flex_upto, render_rows, row_line};
use crate::tui::theme::Tone;

#[derive(Default)]
pub struct PassesPane {
    list: Paged<PassListRow>,
    counts: PassCounts,
    filter: Option<String>,
    /// Each pass's status, summed into `counts`; read whole only when the
    /// pane is read whole (at start, each minute, after a bulk change).
    flags: Flags,
    /// The flags are read (false: read them whole).
    counted: bool,
    /// Passes changed since the last load: their flags are read again.
    changed: BTreeSet<i64>,
}

impl PassesPane {
    pub fn counts(&self) -> PassCounts {
        self.counts
    }

    pub fn selected(&self) -> Option<&PassListRow> {
        self.list.selected()
    }

    /// The plate of the selected row, for `p`.
    pub fn selected_plate(&self) -> Option<String> {
        self.list.selected().and_then(|r| r.plate.clone())
    }
}

fn total(c: &PassCounts) -> i64 {
    c.requested + c.valid + c.expiring + c.not_yet_valid + c.expired + c.suspended + c.revoked
}

impl Pane for PassesPane {
    fn id(&self) -> PaneId {
        PaneId::Passes
    }

    fn contexts(&self) -> &'static [Context] {
        &[Context::Passes, Context::List]
    }

    fn offers(&self, cmd: Cmd) -> bool {
        let action = match cmd {
            Cmd::PassIssue => PassAction::Issue,
            Cmd::PassExtend => PassAction::Extend,
            Cmd::PassSuspend => PassAction::Suspend,
            Cmd::PassReinstate => PassAction::Reinstate,
            Cmd::PassRevoke => PassAction::Revoke,
            _ => return true,
        };
        self.list
            .selected()
            .is_some_and(|p| pass::step(p.state, action).is_ok())
    }

    fn set_area(&mut self, area: Rect) {
        self.list
            .set_height(inner(area).height.saturating_sub(1) as usize);
    }

    fn load(&mut self, cx: &Cx) -> Result<(), StoreError> {
        let warn = cx.cfg.thresholds.pass_warn();
        if !self.counted {
            self.flags = cx.store.pass_flags_all(cx.now, warn)?;
            self.changed.clear();
            self.counted = true;
        }
        if !self.changed.is_empty() {
            let ids: Vec<i64> = std::mem::take(&mut self.changed).into_iter().collect();
            for (id, bits) in cx.store.pass_flags(&ids, cx.now, warn)? {
                self.flags.set(id, bits);
            }
        }
        self.counts = self.flags.pass_counts();
        // At most twice: the second time at the selected pass's new place.
        for _ in 0..2 {
            let Some(w) = self.list.wanted() else {
                return Ok(());
            };
            // A status named as the rows show it (待审批, SUSPENDED,
            // 暂停) is the status; the other words match the columns.
            let (status, text) = super::split_named::<PassStatus>(self.filter.as_deref());
            let (kind, text) = super::split_named::<PassKind>(text.as_deref());
            let filter = PassFilter { text, status, kind };
            let rows =
                cx.store
                    .passes_page(&filter, cx.now, warn, w.start as i64, w.limit as i64)?;
            let short = rows.len() < w.limit;
            let got = w.start + rows.len();
            let (n, exact) = match (&self.filter, short) {
                (_, true) => (got, true),
                (None, false) => (total(&self.counts).max(0) as usize, true),
                (Some(_), false) => (got, false),
            };
            let selected = self.list.selected().map(|r| r.id);
            if self.list.fill(w.start, rows, n, exact, |r| r.id) || self.filter.is_some() {
                return Ok(());
            }
            // The selected pass moved out of the window (extended, or many
            // passes came before it): the selection goes with it.
            match selected.map(|id| cx.store.pass_position(id)).transpose()? {
                Some(Some(at)) => {
                    self.list.move_to(at);
                    self.list.stale = true;
                }
                _ => return Ok(()),
            }
        }
        Ok(())
    }

    fn invalidate(&mut self) {
        self.counted = false;
        self.list.invalidate();
    }

    fn is_stale(&self) -> bool {
        self.list.stale || !self.counted || !self.changed.is_empty()
    }

    fn tables(&self) -> &'static [Table] {
        &[Table::Pass, Table::Vehicle, Table::SupplyUnit]
    }

    /// A pass changed: its flag is read again and the window with it; a
    /// vehicle or a unit: the window (names and plates), not the counts.
    fn note(&mut self, changes: &Changes) {
        if changes.bulk(Table::Pass) {
            self.invalidate();
            return;
        }
        let ids = changes.ids(Table::Pass);
        if !ids.is_empty() || changes.touches(&[Table::Vehicle, Table::SupplyUnit]) {
            self.changed.extend(ids);
            self.list.stale = true;
        }
    }

    fn shows(&self, table: Table, id: i64) -> bool {
        table == Table::Pass && self.list.visible().any(|(_, r)| r.id == id)
    }

    fn held(&self) -> (usize, usize) {
        (self.list.rows.len(), self.list.total)
    }

    fn handle(&mut self, cmd: Cmd) -> bool {
        self.list.apply_move(cmd)
    }

    fn render(&self, f: &mut Frame, area: Rect, cx: &Cx, focused: bool) {
        let l = &self.list;
        let c = &self.counts;
        let mut note = count_note(l.sel, l.total, l.exact, self.filter.as_deref(), cx.lang);
        note = format!(
            "✔{} ⌛{} ✘{} · {note}",
            c.valid,
            c.expiring,
            c.expired + c.suspended + c.revoked
        );
        if c.requested > 0 {
            // Requests wait for someone to issue them: counted first.
            // Narrow (the grid), the English word shortens so the
            // pane's own title stays whole.
            let word = if area.width >= 80 {
                cx.t("待审批", "requested")
            } else {
                cx.t("待审批", "req.")
            };
            note = format!("{word} {} · {note}", c.requested);
        }
        f.render_widget(frame_block(self.id(), note, cx, focused), area);
        let body = inner(area);
        let [head, rows] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(body);
        let theme = &cx.theme;
        let widths = fit(
            body.width.saturating_sub(1) as usize,
            &[
                col(11, 9),
                col(9, 9),
                flex_upto(16, 30, 7),
                col(6, 6),
                col(11, 8),
                flex_upto(14, 18, 2),
                flex(10, 3),
            ],
        );
        f.render_widget(
            header_line(
                &widths,
                &[
                    cx.t("状态", "Status"),
                    cx.t("车牌", "Plate"),
                    cx.t("单位", "Unit"),
                    cx.t("驾驶员", "Driver"),
                    cx.t("截止", "Until"),
                    cx.t("证号", "Number"),
                    cx.t("类别", "Kind"),
                ],
                theme,
            ),
            head,
        );
        if l.total == 0 && !l.stale {
            let text = if self.filter.is_some() {
                cx.t("没有符合筛选的通行证", "no passes match the filter")
            } else {
                cx.t("尚无通行证", "no passes yet")
            };
            render_empty(f, rows, text, theme);
            return;
        }
        render_rows(f, rows, l, focused, theme, bar_over(&widths, 2), |r| {
            let status = format!("{} {}", r.status.symbol(), r.status.label(cx.lang));
            let who = r.unit.clone().unwrap_or_else(|| r.subject.clone());
            let window = local_short(r.valid_until, cx.tz);
            row_line(
                &widths,
                vec![
                    (status, theme.pass_status(r.status)),
                    match &r.plate {
                        Some(p) => (p.clone(), theme.bold()),
                        None => (r.kind.label(cx.lang).to_string(), theme.tone(Tone::Dim)),
                    },
                    (who, Default::default()),
                    (r.driver.clone().unwrap_or_default(), Default::default()),
                    (window, Default::default()),
                    (r.number.clone(), theme.tone(Tone::Dim)),
                    (r.kind.label(cx.lang).to_string(), theme.tone(Tone::Dim)),
                ],
            )
        });
    }

    fn details(&self, cx: &Cx) -> Option<Details> {
        let r = self.list.selected()?;
        let t = |zh: &str, en: &str| cx.t(zh, en).to_string();
        let dash = || "—".to_string();
        let mut lines = vec![
            (t("证号", "Number"), r.number.clone()),
            (t("类别", "Kind"), r.kind.label(cx.lang).to_string()),
            (
                t("状态", "Status"),
                format!("{} {}", r.status.symbol(), r.status.label(cx.lang)),
            ),
            (t("车牌", "Plate"), r.plate.clone().unwrap_or_else(dash)),
            (t("持证对象", "Subject"), r.subject.clone()),
            (t("单位", "Unit"), r.unit.clone().unwrap_or_else(dash)),
            (t("驾驶员", "Driver"), r.driver.clone().unwrap_or_else(dash)),
            (
                t("驾驶员电话", "Driver's phone"),
                r.driver_phone.clone().unwrap_or_else(dash),
            ),
            (t("发证", "Issued by"), r.issuer.clone()),
            (t("生效", "Valid from"), local_minute(r.valid_from, cx.tz)),
            (t("截止", "Valid until"), local_minute(r.valid_until, cx.tz)),
            (
                t("通行区域", "Area"),
                r.area.clone().unwrap_or_else(|| t("不限", "anywhere")),
            ),
        ];
        if let Some(reason) = &r.reason {
            lines.push((t("原因", "Reason"), reason.clone()));
        }
        Some(Details {
            title: format!("{} {}", t("通行证", "Pass"), r.number),
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
        self.list.top = 0;
    }
}
