//! Pane 4: the special-group delivery queue, most urgent first, then the
//! earliest due; recipients masked (the store masks them); overdue rows
//! marked ⚠ and bold.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use std::time::{Duration, Instant};
use unicode_width::UnicodeWidthStr;

use super::{Cx, Details, Pane, count_note, frame_block, header_line, inner, render_empty};
use crate::domain::Code;
use crate::domain::delivery::{self, DeliveryAction};
use crate::domain::time::{age, local_minute, local_short};
use std::collections::BTreeSet;

use crate::store::StoreError;
use crate::store::deliveries::{QueueCounts, QueueRow};
use crate::store::follow::Flags;
use crate::tui::feed::{Changes, Table};
use crate::tui::keys::{Cmd, Context, PaneId};
use crate::tui::list::{Paged, bar_over, col, fit, flex, flex_upto, render_rows, row_line};
use crate::tui::theme::Tone;

#[derive(Default)]
pub struct QueuePane {
    list: Paged<QueueRow>,
    counts: QueueCounts,
    /// Recipients nobody reached within their group's period, and of
    /// them those with no delivery in the queue yet (`:gaps` queues them).
    gaps: (i64, i64),
    /// Recipients whose deliveries failed several times in a row.
    welfare: i64,
    /// When the gap and welfare counts were last read. They read every
    /// recipient (0.1–0.3 s at scale 100), so other sessions' writes
    /// bring them up to date at most every [`REACH_EVERY`]; this
    /// session's own writes at once ([`QueuePane::reach_due`]).
    reach_read: Option<Instant>,
    /// The gap and welfare counts may have changed (deliveries, contacts
    /// or recipients changed): read them again when they are old enough.
    reach_stale: bool,
    /// Each open delivery's flags, summed into `counts`.
    flags: Flags,
    /// The flags are read (false: read them whole).
    counted: bool,
    /// Deliveries changed since the last load: their flags are read again.
    changed: BTreeSet<i64>,
    /// The next whole read is the clock's: the gap counts are read only
    /// if older than [`REACH_CLOCK_EVERY`].
    clock_read: bool,
}

/// How often other sessions' writes re-read the gap and welfare counts.
pub const REACH_EVERY: Duration = Duration::from_secs(10);
/// How often the clock alone re-reads them: a recipient's period is a day
/// or more, and the read costs a tenth of a second on a large file.
pub const REACH_CLOCK_EVERY: Duration = Duration::from_secs(300);

impl QueuePane {
    pub fn counts(&self) -> QueueCounts {
        self.counts
    }

    /// (coverage gaps, of them not queued yet)
    pub fn gaps(&self) -> (i64, i64) {
        self.gaps
    }

    /// Welfare checks due.
    pub fn welfare(&self) -> i64 {
        self.welfare
    }

    /// This session wrote: the next load reads the gap and welfare counts
    /// whatever their age.
    pub fn reach_due(&mut self) {
        self.reach_read = None;
        self.reach_stale = true;
    }

    /// When the gap and welfare counts, out of date, may be read again
    /// (they are read at most every [`REACH_EVERY`]).
    pub fn reach_wait(&self) -> Option<Instant> {
        self.reach_stale.then(|| {
            self.reach_read
                .map_or_else(Instant::now, |at| at + REACH_EVERY)
        })
    }

    pub fn selected(&self) -> Option<&QueueRow> {
        self.list.selected()
    }
}

/// The gaps and welfare checks before the counts of the queue pane's
/// frame: the commands that act on them while the title leaves room,
/// the bare counts when it does not.
fn reach_note(gaps: (i64, i64), welfare: i64, counts: &str, width: u16, cx: &Cx) -> String {
    let (total, todo) = gaps;
    let gap_part = |hint: bool| -> Option<String> {
        let cmd = if hint { " :gaps" } else { "" };
        if todo > 0 {
            Some(format!(
                "⚠ {} {total} · {} {todo}{cmd}",
                cx.t("未覆盖", "gaps"),
                cx.t("未排", "unqueued"),
            ))
        } else if total > 0 {
            Some(format!("{} {total}", cx.t("未覆盖", "gaps")))
        } else {
            None
        }
    };
    let welfare_part = |hint: bool| -> Option<String> {
        (welfare > 0).then(|| {
            let cmd = if hint { " :reach" } else { "" };
            format!("{} {welfare}{cmd}", cx.t("需探视", "welfare"))
        })
    };
    let build = |gap_hint: bool, welfare_hint: bool| -> String {
        gap_part(gap_hint)
            .into_iter()
            .chain(welfare_part(welfare_hint))
            .chain(std::iter::once(counts.to_string()))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    // Title, borders, a rule of at least one cell, the note's padding.
    let title = format!(
        " {} {} ",
        PaneId::Queue.index() + 1,
        PaneId::Queue.title(cx.lang)
    );
    let room = (width as usize).saturating_sub(title.width() + 5);
    [(true, true), (true, false), (false, false)]
        .into_iter()
        .map(|(g, w)| build(g, w))
        .find(|n| n.width() <= room)
        .unwrap_or_else(|| build(false, false))
}

impl Pane for QueuePane {
    fn id(&self) -> PaneId {
        PaneId::Queue
    }

    fn contexts(&self) -> &'static [Context] {
        &[Context::Queue, Context::List]
    }

    fn offers(&self, cmd: Cmd) -> bool {
        let action = match cmd {
            Cmd::DeliveryAssign => DeliveryAction::Assign,
            Cmd::DeliveryDepart => DeliveryAction::Depart,
            Cmd::DeliveryDeliver => DeliveryAction::Deliver,
            Cmd::DeliveryFail => DeliveryAction::Fail,
            Cmd::DeliveryRequeue => DeliveryAction::Requeue,
            Cmd::DeliveryCancel => DeliveryAction::Cancel,
            Cmd::Reveal => return self.list.selected().is_some(),
            _ => return true,
        };
        self.list
            .selected()
            .is_some_and(|d| delivery::step(d.state, action).is_ok())
    }

    fn set_area(&mut self, area: Rect) {
        self.list
            .set_height(inner(area).height.saturating_sub(1) as usize);
    }

    fn load(&mut self, cx: &Cx) -> Result<(), StoreError> {
        if !self.counted {
            self.flags = cx.store.delivery_flags_all(cx.now)?;
            self.changed.clear();
            self.counted = true;
            let clock = std::mem::take(&mut self.clock_read);
            if !clock
                || self
                    .reach_read
                    .is_none_or(|at| at.elapsed() >= REACH_CLOCK_EVERY)
            {
                self.reach_stale = true;
            }
        }
        if !self.changed.is_empty() {
            let ids: Vec<i64> = std::mem::take(&mut self.changed).into_iter().collect();
            for (id, bits) in cx.store.delivery_flags(&ids, cx.now)? {
                self.flags.set(id, bits);
            }
        }
        self.counts = self.flags.queue_counts();
        if self.reach_stale && self.reach_read.is_none_or(|at| at.elapsed() >= REACH_EVERY) {
            // Read or failed, not again before REACH_EVERY.
            self.reach_read = Some(Instant::now());
            self.reach_stale = false;
            let norms = cx.cfg.norms.norms();
            let g = cx.store.coverage_gaps(cx.now, &norms, 0)?;
            self.gaps = (g.total, g.not_queued);
            self.welfare = cx.store.welfare_checks(&norms, 0)?.total;
        }
        // At most twice: the second time at the selected delivery's new
        // place.
        for _ in 0..2 {
            let Some(w) = self.list.wanted() else {
                return Ok(());
            };
            let rows = cx
                .store
                .delivery_queue_page(cx.now, w.start as i64, w.limit as i64)?;
            let total = if rows.len() < w.limit {
                w.start + rows.len()
            } else {
                (self.counts.open.max(0) as usize).max(w.start + rows.len())
            };
            let selected = self.list.selected().map(|r| r.id);
            if self.list.fill(w.start, rows, total, true, |r| r.id) {
                return Ok(());
            }
            match selected
                .map(|id| cx.store.delivery_position(id))
                .transpose()?
            {
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
        self.clock_read = false;
        self.list.invalidate();
    }

    fn clock(&mut self) {
        self.invalidate();
        self.clock_read = true;
    }

    fn is_stale(&self) -> bool {
        self.list.stale || !self.counted || !self.changed.is_empty()
    }

    fn tables(&self) -> &'static [Table] {
        &[
            Table::Delivery,
            Table::Recipient,
            Table::Community,
            Table::Compound,
            Table::Building,
            Table::Volunteer,
            Table::Vehicle,
            Table::Contact,
        ]
    }

    /// A delivery changed: its flags are read again and the window with
    /// it; names and addresses: the window. Gaps and welfare checks follow
    /// deliveries, contacts and recipients, at most every [`REACH_EVERY`].
    fn note(&mut self, changes: &Changes) {
        if changes.bulk(Table::Delivery) {
            self.invalidate();
            return;
        }
        if changes.touches(&[Table::Delivery, Table::Contact, Table::Recipient]) {
            self.reach_stale = true;
        }
        self.changed.extend(changes.ids(Table::Delivery));
        if changes.touches(&[
            Table::Delivery,
            Table::Recipient,
            Table::Community,
            Table::Compound,
            Table::Building,
            Table::Volunteer,
            Table::Vehicle,
        ]) {
            self.list.stale = true;
        }
    }

    fn shows(&self, table: Table, id: i64) -> bool {
        table == Table::Delivery && self.list.visible().any(|(_, r)| r.id == id)
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
        let mut note = count_note(l.sel, l.total, l.exact, None, cx.lang);
        if c.overdue > 0 {
            note = format!("⚠ {} {} · {note}", cx.t("逾期", "overdue"), c.overdue);
        }
        let note = reach_note(self.gaps, self.welfare, &note, area.width, cx);
        f.render_widget(frame_block(self.id(), note, cx, focused), area);
        let body = inner(area);
        let [head, rows] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(body);
        let theme = &cx.theme;
        let widths = fit(
            body.width.saturating_sub(1) as usize,
            &[
                col(3, 9),
                col(12, 9),
                col(7, 8),
                col(10, 7),
                flex_upto(14, 34, 6),
                flex(14, 5),
                col(8, 4),
                col(8, 7),
            ],
        );
        f.render_widget(
            header_line(
                &widths,
                &[
                    "",
                    cx.t("时限", "Due"),
                    cx.t("对象", "Person"),
                    cx.t("类别", "Group"),
                    cx.t("地址", "Address"),
                    cx.t("物品", "Items"),
                    cx.t("配送人", "Assignee"),
                    cx.t("状态", "State"),
                ],
                theme,
            ),
            head,
        );
        if l.total == 0 && !l.stale {
            render_empty(
                f,
                rows,
                cx.t("配送队列为空", "the delivery queue is empty"),
                theme,
            );
            return;
        }
        render_rows(f, rows, l, focused, theme, bar_over(&widths, 2), |r| {
            let due = if r.overdue {
                format!("⚠{} {}", cx.t("逾期", "late"), age(cx.now - r.due_at))
            } else {
                local_short(r.due_at, cx.tz)
            };
            row_line(
                &widths,
                vec![
                    (r.urgency.symbol().to_string(), theme.urgency(r.urgency)),
                    (
                        due,
                        if r.overdue {
                            theme.tone(Tone::Bad)
                        } else {
                            Default::default()
                        },
                    ),
                    (r.recipient.clone(), Default::default()),
                    (r.group.label(cx.lang).to_string(), theme.tone(Tone::Dim)),
                    (r.address.clone(), Default::default()),
                    (r.items.clone(), Default::default()),
                    (
                        r.assignee.clone().unwrap_or_else(|| "—".into()),
                        Default::default(),
                    ),
                    (r.state.label(cx.lang).to_string(), Default::default()),
                ],
            )
        });
    }

    fn details(&self, cx: &Cx) -> Option<Details> {
        let r = self.list.selected()?;
        let t = |zh: &str, en: &str| cx.t(zh, en).to_string();
        let dash = || "—".to_string();
        let mut lines = vec![
            (t("编号", "Delivery"), format!("#{}", r.id)),
            (
                t("对象（已遮蔽）", "Recipient (masked)"),
                r.recipient.clone(),
            ),
            (t("类别", "Group"), r.group.label(cx.lang).to_string()),
            (t("地址", "Address"), r.address.clone()),
            (t("物品", "Items"), r.items.clone()),
            (
                t("紧急程度", "Urgency"),
                r.urgency.label(cx.lang).to_string(),
            ),
            (
                t("时限", "Due"),
                format!(
                    "{}{}",
                    local_minute(r.due_at, cx.tz),
                    if r.overdue {
                        cx.t("（已逾期）", " (overdue)")
                    } else {
                        ""
                    }
                ),
            ),
            (t("状态", "State"), r.state.label(cx.lang).to_string()),
            (
                t("配送人", "Assignee"),
                match (&r.assignee_kind, &r.assignee) {
                    (Some(k), Some(a)) => format!("{} {a}", k.label(cx.lang)),
                    _ => dash(),
                },
            ),
            (t("尝试次数", "Attempts"), r.attempts.to_string()),
        ];
        if let Some(fr) = r.fail_reason {
            lines.push((
                t("未送达原因", "Failed because"),
                fr.label(cx.lang).to_string(),
            ));
        }
        if let Some(n) = &r.note {
            lines.push((t("备注", "Note"), n.clone()));
        }
        Some(Details {
            title: format!("{} #{}", t("配送", "Delivery"), r.id),
            lines,
        })
    }

    fn filter(&self) -> Option<&str> {
        None
    }

    /// The store cannot filter the queue yet; the dispatcher says so.
    fn set_filter(&mut self, _filter: Option<String>) {}

    fn can_filter(&self) -> bool {
        false
    }
}
