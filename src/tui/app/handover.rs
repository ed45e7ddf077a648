//! Shifts and their handover from the console: going on duty, handing
//! over to the incoming officer (asked first, with the number of
//! carry-over items the handover will take), the handover view with its
//! report, chart and items, acknowledging items one by one or all at
//! once, and reviewing past shifts. Reading works in read-only mode; the
//! changes are refused at the dispatcher like every other.

use std::time::{Duration, Instant};

use super::{Action, App, Level};
use crate::domain::Code;
use crate::domain::shift::{self, HandoverError};
use crate::domain::text::sanitize;
use crate::domain::time::local_short;
use crate::msg;
use crate::msg::Msg;
use crate::report::handover::{self, ReportOptions, Which};
use crate::store::StoreError;
use crate::store::shifts::{AckTarget, CarryRules, HandoverStatus, ShiftRow};
use crate::tui::keys::Cmd;
use crate::tui::popups::shifts::PAGE;
use crate::tui::popups::{Form, HandoverView, Popup, ShiftList};

/// The least time between two builds of a provisional report.
const REBUILD_EVERY: Duration = Duration::from_secs(30);

fn clean(s: &str) -> String {
    sanitize(s).into_owned()
}

/// `section`, `节`: the selected item's section.
fn means_section(s: &str) -> bool {
    matches!(s.trim().to_lowercase().as_str(), "section" | "节" | "本节")
}

/// `all`, `全部`: every item.
fn means_all(s: &str) -> bool {
    matches!(s.trim().to_lowercase().as_str(), "all" | "全部" | "*")
}

impl App {
    /// The rules that pick the carry-over items, from the config.
    pub(super) fn carry_rules(&self) -> CarryRules {
        ReportOptions::from_config(&self.cfg).carry_rules()
    }

    /// Who is on duty and whether a handover waits. A file made before
    /// shifts existed, opened read-only (not migrated), has none.
    pub(super) fn read_handover_status(&self) -> Result<HandoverStatus, StoreError> {
        if self.store.schema_version()? < 3 {
            return Ok(HandoverStatus::default());
        }
        self.store.handover_status()
    }

    // ---- the view ---------------------------------------------------------

    fn build_view(&self, which: Which) -> Result<HandoverView, StoreError> {
        let opts = ReportOptions {
            // The view shows the first of each list and the counts.
            list_limit: Some(handover::MD_LIST_MAX),
            ..ReportOptions::from_config(&self.cfg)
        };
        let report = handover::build(&self.store, which, &opts)?;
        let items_of = match &report.shift {
            None => None,
            Some(s) if s.state != shift::ShiftState::OnDuty => Some(s.clone()),
            Some(s) => self.store.handover_before(s.id)?,
        };
        let items = match &items_of {
            Some(h) => self.store.handover_items(h.id)?,
            None => Vec::new(),
        };
        // Open on the first item still waiting for its acknowledgement.
        let sel = items
            .iter()
            .position(|i| i.acknowledged_at.is_none())
            .unwrap_or(0);
        Ok(HandoverView {
            text: report.to_markdown(self.lang),
            report,
            items_of,
            items,
            sel,
            scroll: 0,
            show_text: false,
            built: Instant::now(),
        })
    }

    /// `H`, `:handover [ID]`: the newest shift's view, or shift ID's.
    pub(super) fn open_handover(&mut self, arg: Option<String>) {
        let which = match arg.as_deref().map(|a| a.trim().trim_start_matches('#')) {
            None | Some("") => Which::Latest,
            Some(a) => match a.parse::<i64>() {
                Ok(id) if id > 0 => Which::Shift(id),
                _ => {
                    let a = clean(a);
                    return self.flash(
                        Level::Error,
                        msg!(
                            "“{a}”不是班次编号；用法：:handover 或 :handover 12（班次列表见 :shifts）。",
                            "\"{a}\" is not a shift number; use :handover or :handover 12 (:shifts lists them)."
                        ),
                    );
                }
            },
        };
        match self.build_view(which) {
            Ok(v) => self.popups.push(Popup::Handover(Box::new(v))),
            Err(e) => self.flash(Level::Error, e.message()),
        }
    }

    /// After a change: the open views read their items again, and the
    /// report when its cut-off is not fixed yet (a fixed one reads the
    /// same whenever it is made) — not more often than [`REBUILD_EVERY`],
    /// as a report over a busy shift of a large database takes a good part
    /// of a second and other sessions may write every few seconds; the
    /// clock's minute brings it up to date.
    pub(super) fn refresh_views(&mut self) {
        let mut failed = None;
        for i in 0..self.popups.len() {
            let fresh = match &self.popups[i] {
                Popup::Handover(v)
                    if v.report.provisional && v.built.elapsed() >= REBUILD_EVERY =>
                {
                    let which = v.shift_id().map_or(Which::Latest, Which::Shift);
                    self.build_view(which).map(|mut f| {
                        f.keep_place(v);
                        Some(Box::new(f))
                    })
                }
                Popup::Handover(v) => match &v.items_of {
                    Some(h) => self
                        .store
                        .handover_items(h.id)
                        .and_then(|items| Ok((items, self.store.shift(h.id)?)))
                        .map(|(items, h)| {
                            let mut f = HandoverView {
                                report: v.report.clone(),
                                items_of: Some(h.clone()),
                                items,
                                sel: 0,
                                text: v.text.clone(),
                                scroll: 0,
                                show_text: false,
                                built: v.built,
                            };
                            if let Some(s) = f.report.shift.as_mut().filter(|s| s.id == h.id) {
                                *s = h;
                                // The report's own list and counts follow,
                                // so that its text says what the header
                                // says.
                                f.report.carry_over.handed_over = f.items.clone();
                                let open = f
                                    .items
                                    .iter()
                                    .filter(|i| i.acknowledged_at.is_none())
                                    .count();
                                f.report.counts.carry_over_handed_over_unacknowledged = open;
                            }
                            f.text = f.report.to_markdown(self.lang);
                            f.keep_place(v);
                            f.move_on();
                            Some(Box::new(f))
                        }),
                    None => Ok(None),
                },
                Popup::Shifts(l) => {
                    let n = (l.rows.len() as i64).max(PAGE);
                    match self.store.shifts_page(0, n) {
                        Ok(rows) => {
                            if let Popup::Shifts(l) = &mut self.popups[i] {
                                l.more = rows.len() as i64 == n;
                                l.rows = rows;
                                l.move_by(0);
                            }
                        }
                        Err(e) => failed = Some(e),
                    }
                    continue;
                }
                _ => continue,
            };
            match fresh {
                Ok(Some(f)) => self.popups[i] = Popup::Handover(f),
                Ok(None) => {}
                Err(e) => failed = Some(e),
            }
        }
        if let Some(e) = failed {
            self.flash(Level::Error, e.message());
        }
    }

    /// Moves in the handover view, the list of shifts or the reach
    /// popup, when one is on top; `false` when none is.
    pub(super) fn popup_nav(&mut self, cmd: Cmd) -> bool {
        match self.popups.last_mut() {
            Some(Popup::Reach(v)) => {
                let page = 10;
                match cmd {
                    Cmd::Down => v.move_by(1),
                    Cmd::Up => v.move_by(-1),
                    Cmd::PageDown => v.move_by(page),
                    Cmd::PageUp => v.move_by(-page),
                    Cmd::Top => v.move_by(isize::MIN),
                    Cmd::Bottom => v.move_by(isize::MAX),
                    Cmd::NextField | Cmd::PrevField => v.switch(),
                    _ => return false,
                }
                true
            }
            Some(Popup::Handover(v)) => {
                let page = 10;
                match cmd {
                    Cmd::Down if v.show_text => v.scroll_by(1),
                    Cmd::Up if v.show_text => v.scroll_by(-1),
                    Cmd::Down => v.move_by(1),
                    Cmd::Up => v.move_by(-1),
                    Cmd::PageDown => v.scroll_by(page),
                    Cmd::PageUp => v.scroll_by(-page),
                    _ => return false,
                }
                true
            }
            Some(Popup::Shifts(l)) => {
                match cmd {
                    Cmd::Down => l.move_by(1),
                    Cmd::Up => l.move_by(-1),
                    Cmd::PageDown => l.move_by(10),
                    Cmd::PageUp => l.move_by(-10),
                    Cmd::Top => l.sel = 0,
                    Cmd::Bottom => l.move_by(isize::MAX),
                    Cmd::Details => {
                        let id = l.selected().map(|s| s.id);
                        self.popups.pop();
                        if let Some(id) = id {
                            self.show_shift(id);
                        }
                        return true;
                    }
                    _ => return false,
                }
                if l.wants_more() {
                    let offset = l.rows.len() as i64;
                    match self.store.shifts_page(offset, PAGE) {
                        Ok(more) => {
                            if let Some(Popup::Shifts(l)) = self.popups.last_mut() {
                                l.more = more.len() as i64 == PAGE;
                                l.rows.extend(more);
                            }
                        }
                        Err(e) => self.flash(Level::Error, e.message()),
                    }
                }
                true
            }
            _ => false,
        }
    }

    /// Shows shift `id` in the handover view on top (or a new one).
    fn show_shift(&mut self, id: i64) {
        match self.build_view(Which::Shift(id)) {
            Ok(v) => match self.popups.last_mut() {
                Some(Popup::Handover(old)) => **old = v,
                _ => self.popups.push(Popup::Handover(Box::new(v))),
            },
            Err(e) => self.flash(Level::Error, e.message()),
        }
    }

    /// `[` and `]`: the shift before or after the one shown.
    pub(super) fn step_shift(&mut self, older: bool) {
        let Some(Popup::Handover(v)) = self.popups.last() else {
            return;
        };
        let Some(id) = v.shift_id() else {
            return self.flash(
                Level::Warn,
                msg!(
                    "还没有班次记录，没有可切换的班次。",
                    "There are no shifts yet to step through."
                ),
            );
        };
        let next = if older { id - 1 } else { id + 1 };
        match self.store.shift(next) {
            Ok(_) if next > 0 => self.show_shift(next),
            _ => {
                let m = if older {
                    msg!(
                        "班次 #{id} 已是最早的班次。",
                        "Shift #{id} is the earliest shift."
                    )
                } else {
                    msg!(
                        "班次 #{id} 已是最新的班次。",
                        "Shift #{id} is the newest shift."
                    )
                };
                self.flash(Level::Info, m);
            }
        }
    }

    pub(super) fn toggle_text(&mut self) {
        if let Some(Popup::Handover(v)) = self.popups.last_mut() {
            v.show_text = !v.show_text;
        }
    }

    /// `S`, `:shifts`: past and present shifts, newest first.
    pub(super) fn open_shifts(&mut self) {
        let rows = if self.store.schema_version().unwrap_or(0) < 3 {
            Ok(Vec::new())
        } else {
            self.store.shifts_page(0, PAGE)
        };
        match rows {
            Ok(rows) => {
                // The shift shown in the view underneath is selected.
                let shown = match self.popups.last() {
                    Some(Popup::Handover(v)) => v.shift_id(),
                    _ => None,
                };
                let sel = shown
                    .and_then(|id| rows.iter().position(|s| s.id == id))
                    .unwrap_or(0);
                self.popups.push(Popup::Shifts(ShiftList {
                    more: rows.len() as i64 == PAGE,
                    rows,
                    sel,
                }));
            }
            Err(e) => self.flash(Level::Error, e.message()),
        }
    }

    // ---- acknowledging ------------------------------------------------------

    /// `Enter`/`a` on an item, `A`, `:ack [N|all]` in the view; `:ack all`
    /// elsewhere acknowledges the handover addressed to this officer.
    pub(super) fn handover_ack(&mut self, arg: Option<String>) {
        let view = match self.popups.last() {
            Some(Popup::Handover(v)) => Some(v),
            _ => None,
        };
        let all = arg.as_deref().is_some_and(means_all);
        let section = arg.as_deref().is_some_and(means_section);
        let Some(v) = view else {
            if all {
                if let Some(p) = self.handover.pending.as_ref().map(|p| p.id) {
                    return self.run(Action::AckHandover {
                        shift: p,
                        target: AckTarget::All,
                    });
                }
                return self.flash(
                    Level::Warn,
                    msg!(
                        "没有待确认的交接班。",
                        "There is no handover waiting for its acknowledgement."
                    ),
                );
            }
            return self.open_handover(None);
        };
        let Some(h) = v.items_of.as_ref() else {
            return self.flash(
                Level::Warn,
                msg!(
                    "这个班次还没有交接，没有可确认的遗留事项。",
                    "This shift has not been handed over yet, so there is nothing to acknowledge."
                ),
            );
        };
        let shift = h.id;
        let target = match arg.as_deref().map(str::trim) {
            _ if all => AckTarget::All,
            _ if section => match v.selected() {
                Some(i) => AckTarget::Section(i.section),
                None => {
                    return self.flash(
                        Level::Warn,
                        msg!(
                            "没有所选的遗留事项，无从按节确认。",
                            "No carry-over item is selected, so there is no section to acknowledge."
                        ),
                    );
                }
            },
            None | Some("") => match v.selected() {
                Some(i) => AckTarget::Item(i.pos),
                None => AckTarget::Handover,
            },
            Some(a) => match a.trim_start_matches('#').parse::<i64>() {
                Ok(n) if n > 0 => AckTarget::Item(n),
                _ => {
                    let a = clean(a);
                    return self.flash(
                        Level::Error,
                        msg!(
                            "“{a}”不是遗留事项的序号；用法：:ack（所选事项）、:ack 3 或 :ack all。",
                            "\"{a}\" is not an item number; use :ack (the selected item), :ack 3 or :ack all."
                        ),
                    );
                }
            },
        };
        match target {
            // Many at once: asked first, with the number.
            AckTarget::All | AckTarget::Section(_) => {
                self.ask(Action::AckHandover { shift, target })
            }
            _ => self.run(Action::AckHandover { shift, target }),
        }
    }

    /// The question before acknowledging a section or everything: how
    /// many items it signs for.
    pub(super) fn ack_question(&self, shift: i64, target: AckTarget) -> Msg {
        let items = self.store.handover_items(shift).unwrap_or_default();
        let open = |sec: Option<shift::ItemSection>| {
            items
                .iter()
                .filter(|i| i.acknowledged_at.is_none())
                .filter(|i| sec.is_none_or(|s| i.section == s))
                .count()
        };
        match target {
            AckTarget::Section(sec) => {
                let (n, zh, en) = (open(Some(sec)), sec.label_zh(), sec.label_en());
                msg!(
                    "确认班次 #{shift} “{zh}”一节未确认的 {n} 项？每项记为由你确认。",
                    "Acknowledge the {n} open items of \"{en}\" of shift #{shift}? Each is recorded as acknowledged by you."
                )
            }
            _ => {
                let n = open(None);
                msg!(
                    "确认班次 #{shift} 的交接及全部 {n} 项未确认的遗留事项？每项记为由你确认。",
                    "Acknowledge the handover of shift #{shift} and all {n} open carry-over items? Each is recorded as acknowledged by you."
                )
            }
        }
    }

    /// On starting the console: a handover waiting for this officer is
    /// shown at once, on its first open item.
    pub(super) fn show_handover_if_mine(&mut self) {
        let (Some(me), Some(p)) = (self.officer.clone(), self.handover.pending.clone()) else {
            return;
        };
        if p.incoming
            .as_deref()
            .is_some_and(|to| shift::same_officer(to, &me))
            && self.popups.is_empty()
        {
            self.open_handover(Some(p.id.to_string()));
        }
    }

    fn run(&mut self, a: Action) {
        // No question to an officer who may not acknowledge: the store's
        // refusal says why at once.
        if let Action::AckHandover { shift, .. } = &a
            && let (Ok(s), Some(me)) = (self.store.shift(*shift), self.officer.as_deref())
            && matches!(
                crate::domain::shift::acknowledge(s.state, s.incoming.as_deref().unwrap_or(""), me),
                Err(crate::domain::shift::AckError::NotTheIncoming
                    | crate::domain::shift::AckError::NotHandedOver)
            )
        {
            if let Err(m) = self.perform(a) {
                self.flash(Level::Error, m);
            }
            return;
        }
        if let Err(m) = self.act(a) {
            self.flash(Level::Error, m);
        }
    }

    // ---- going on duty, handing over ----------------------------------------

    /// `:shift start`.
    pub(super) fn shift_start(&mut self) {
        self.run(Action::StartShift);
    }

    /// The shift this officer may hand over to `incoming`, and the name
    /// as it will be stored; or why not, in one sentence.
    pub(super) fn end_check(&self, incoming: &str) -> Result<(ShiftRow, String), Msg> {
        let s = self.current_shift()?;
        let me = self.officer.clone().unwrap_or_default();
        let (id, officer) = (s.id, clean(&s.officer));
        if !shift::same_officer(&s.officer, &me) {
            let me = clean(&me);
            return Err(msg!(
                "班次 #{id} 由 {officer} 值班，只有 {officer} 本人能交班，{me} 不能代为交班。",
                "Shift #{id} is {officer}'s, so only {officer} can hand it over, not {me}."
            ));
        }
        let name = shift::check_handover(&s.officer, incoming).map_err(|e| match e {
            HandoverError::SameOfficer => msg!(
                "接班人不能是交班人本人（{officer}），请写明接班的另一位值班员。",
                "The incoming officer cannot be the outgoing one ({officer}), so name the officer who takes over."
            ),
            HandoverError::NoIncoming => msg!(
                "未写接班人，请写明交给谁，如 :shift end 王静。",
                "No incoming officer is named, so say who takes over, e.g. :shift end 王静."
            ),
            HandoverError::TooLong => msg!(
                "接班人姓名过长，请只写姓名。",
                "The incoming officer's name is too long, so give just the name."
            ),
            _ => msg!(
                "接班人姓名含控制字符，请只写一行文字。",
                "The incoming officer's name contains control characters, so write it on one line."
            ),
        })?;
        Ok((s, name))
    }

    fn current_shift(&self) -> Result<ShiftRow, Msg> {
        let on_duty = if self.store.schema_version().map_err(|e| e.message())? < 3 {
            None
        } else {
            self.store.current_shift().map_err(|e| e.message())?
        };
        on_duty.ok_or_else(|| {
            msg!(
                "当前没有在值的班次，无从交班；请先用 :shift start 上岗。",
                "No shift is on duty, so there is nothing to hand over; go on duty with :shift start first."
            )
        })
    }

    /// How many carry-over items a handover now would take, and how many
    /// of them are left unacknowledged from the handover before.
    pub(super) fn carry_preview(&self, s: &ShiftRow) -> Result<(usize, usize), StoreError> {
        let head = self.store.head()?.seq;
        let w = s.window(self.now(), head);
        let open = self.store.open_items(&w, &self.carry_rules())?;
        let unacked = self.store.unacknowledged_before(s.id)?;
        let carry = shift::carry_over(&open, &unacked);
        let earlier = carry.iter().filter(|c| c.carried_from.is_some()).count();
        Ok((carry.len(), earlier))
    }

    /// This officer's own handover that nobody acknowledged yet, while
    /// nobody is on duty: `:shift end NAME` re-addresses it.
    fn pending_mine(&self) -> Option<ShiftRow> {
        if self.store.schema_version().ok()? < 3 || self.store.current_shift().ok()?.is_some() {
            return None;
        }
        let me = self.officer.clone().unwrap_or_default();
        self.store
            .pending_handover()
            .ok()?
            .filter(|p| shift::same_officer(&p.officer, &me))
    }

    /// Re-addressing `p` to `incoming`, checked.
    fn readdress_action(&self, p: &ShiftRow, incoming: &str) -> Result<Action, Msg> {
        let me = self.officer.clone().unwrap_or_default();
        let before = p.incoming.clone().unwrap_or_default();
        let id = p.id;
        let name = shift::readdress(p.state, &p.officer, &me, &before, incoming).map_err(|e| {
            let was = clean(&before);
            match e {
                HandoverError::SameIncoming => msg!(
                    "班次 #{id} 的交接已是交给 {was}，无需改交。",
                    "The handover of shift #{id} is already addressed to {was}, so there is nothing to change."
                ),
                HandoverError::SameOfficer => msg!(
                    "接班人不能是交班人本人，请写明接班的另一位值班员。",
                    "The incoming officer cannot be the outgoing one, so name the officer who takes over."
                ),
                HandoverError::NoIncoming => msg!(
                    "未写接班人，请写明改交给谁，如 :shift end 张伟。",
                    "No incoming officer is named, so say who takes over instead, e.g. :shift end 张伟."
                ),
                _ => msg!(
                    "接班人姓名不可用（过长或含控制字符），请只写姓名。",
                    "The incoming officer's name cannot be used (too long or with control characters), so give just the name."
                ),
            }
        })?;
        Ok(Action::ReaddressHandover {
            shift: id,
            before,
            incoming: name,
            items: p.items,
        })
    }

    /// The action of handing over to `incoming`, checked, with its counts.
    pub(super) fn end_action(&self, incoming: &str) -> Result<Action, Msg> {
        if let Some(p) = self.pending_mine() {
            return self.readdress_action(&p, incoming);
        }
        let (s, incoming) = self.end_check(incoming)?;
        let (items, earlier) = self.carry_preview(&s).map_err(|e| e.message())?;
        Ok(Action::EndShift {
            shift: s.id,
            incoming,
            items,
            earlier,
        })
    }

    /// `:shift end NAME` asks first; without a name, a form.
    pub(super) fn shift_end(&mut self, arg: Option<String>) {
        match arg {
            Some(name) => match self
                .resolve_typed(crate::tui::popups::form::INCOMING, &name)
                .and_then(|name| self.end_action(&name))
            {
                Ok(a) => self.ask(a),
                Err(m) => self.flash(Level::Error, m),
            },
            None => {
                if let Some(p) = self.pending_mine() {
                    let (id, was, items) = (
                        p.id,
                        clean(p.incoming.as_deref().unwrap_or_default()),
                        p.items,
                    );
                    let mut f = Form::end_shift();
                    f.intro = Some(msg!(
                        "班次 #{id} 已交给 {was}，尚未确认。如 {was} 不能到岗，写明改交给谁；截止时间与 {items} 项遗留事项不变。",
                        "Shift #{id} is handed over to {was}, not yet acknowledged. If {was} cannot come, name who takes over instead; the cut-off and the {items} carry-over items stay."
                    ));
                    let _ = self.open_form(f);
                    return;
                }
                let s = match self.current_shift() {
                    Ok(s) => s,
                    Err(m) => return self.flash(Level::Error, m),
                };
                let (items, earlier) = match self.carry_preview(&s) {
                    Ok(c) => c,
                    Err(e) => return self.flash(Level::Error, e.message()),
                };
                let (id, officer, since) =
                    (s.id, clean(&s.officer), local_short(s.started_at, self.tz));
                let mut f = Form::end_shift();
                f.intro = Some(msg!(
                    "班次 #{id}：{officer}，{since} 上岗。交班截止为现在，将带出 {items} 项遗留事项（其中上一班未确认 {earlier} 项），由接班人逐项确认。",
                    "Shift #{id}: {officer}, on duty since {since}. The cut-off is now; {items} carry-over items go with it ({earlier} not acknowledged before), for the incoming officer to acknowledge."
                ));
                let _ = self.open_form(f);
            }
        }
    }
}
