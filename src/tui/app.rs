//! The console's state and the one dispatcher every key and every typed
//! command goes through. No terminal here: tests drive an `App` with key
//! events and read its state, or draw it into a `TestBackend`. The
//! changes made on a row, their forms and questions are in `actions`;
//! the stock, market and contact forms and the reach popup in `supply`;
//! the forms that create a record (note, alert, pass, delivery) in
//! `create`; keys and pasted text on their way in in `input`.

/// The context panes read from: built from disjoint fields so a pane can
/// be borrowed mutably beside it.
macro_rules! cx {
    ($s:expr) => {
        $crate::tui::panes::Cx {
            store: &$s.store,
            now: $s.store.now(),
            tz: $s.tz,
            lang: $s.lang,
            cfg: &$s.cfg,
            theme: $s.theme,
        }
    };
}

mod actions;
mod create;
mod handover;
mod input;
mod pick;
mod preview;
mod refresh;
mod supply;

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use ratatui::layout::Rect;
use tui_input::Input;

use super::keys::{self, Cmd, Keymap, PaneId};
use super::layout::{self, Screen};
use super::panes::activation::ActivationPane;
use super::panes::alerts::AlertsPane;
use super::panes::log::LogPane;
use super::panes::passes::PassesPane;
use super::panes::queue::QueuePane;
use super::panes::{Cx, Pane};
use super::popups::{CommandLine, Confirm, Form, FormKind, Lookup, OnYes, Popup};
use super::theme::Theme;
use crate::config::Config;
use crate::domain::Code;
use crate::domain::activation::{ActivationAction, ActivationState};
use crate::domain::alert::{ItemClass, Severity};
use crate::domain::plate::{self, PlateError};
use crate::domain::time::parse_local;
use crate::i18n::Lang;
use crate::msg;
use crate::msg::Msg;
use crate::store::activation::ActivationRow;
use crate::store::places::{SupplyUnitRow, VolunteerRow};
use crate::store::shifts::HandoverStatus;
use crate::store::{Actor, Store, StoreError};
use actions::at;
pub use actions::{Action, Refusal};
use create::AlertFields;

/// Why the session cannot write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadOnly {
    /// `--read-only`.
    Asked,
    /// The file cannot be written by this user.
    NotWritable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Info,
    Warn,
    Error,
}

#[derive(Debug, Clone)]
pub struct Flash {
    pub level: Level,
    pub msg: Msg,
    pub until: Instant,
}

use super::popups::form::OFFICER_MAX_CHARS;
/// Commands kept in the history.
const HISTORY_MAX: usize = 100;

pub struct Panes {
    pub activation: ActivationPane,
    pub alerts: AlertsPane,
    pub passes: PassesPane,
    pub queue: QueuePane,
    pub log: LogPane,
}

impl Panes {
    pub fn get(&self, id: PaneId) -> &dyn Pane {
        match id {
            PaneId::Activation => &self.activation,
            PaneId::Alerts => &self.alerts,
            PaneId::Passes => &self.passes,
            PaneId::Queue => &self.queue,
            PaneId::Log => &self.log,
        }
    }

    pub fn get_mut(&mut self, id: PaneId) -> &mut dyn Pane {
        match id {
            PaneId::Activation => &mut self.activation,
            PaneId::Alerts => &mut self.alerts,
            PaneId::Passes => &mut self.passes,
            PaneId::Queue => &mut self.queue,
            PaneId::Log => &mut self.log,
        }
    }
}

/// How the console starts.
#[derive(Debug, Clone)]
pub struct Setup {
    pub read_only: Option<ReadOnly>,
    pub officer: Option<String>,
    pub lang: Lang,
    pub config: Config,
    pub theme: Theme,
}

pub struct App {
    pub store: Store,
    pub cfg: Config,
    pub lang: Lang,
    pub tz: Tz,
    pub theme: Theme,
    pub keymap: Keymap,
    pub read_only: Option<ReadOnly>,
    pub officer: Option<String>,
    /// Who is on duty since when, and whether a handover waits for its
    /// acknowledgement (the header's badge).
    pub handover: HandoverStatus,
    /// Messages to the work groups not yet delivered, and failing channels.
    pub notify: crate::notify::sender::Backlog,
    notify_read: Option<std::time::Instant>,
    notify_due: bool,
    pub focus: PaneId,
    pub panes: Panes,
    pub popups: Vec<Popup>,
    pub flash: Option<Flash>,
    pub history: Vec<String>,
    pub screen: Screen,
    /// The plan's state for the header.
    pub activation: Option<ActivationRow>,
    /// Posts of the leading group manned, and in all, for the header.
    pub posts_manned: (usize, usize),
    pub quit: bool,
    /// Something changed since the last frame.
    pub dirty: bool,
    /// The terminal should be cleared before the next frame (Ctrl-L).
    pub clear: bool,
    data_version: i64,
    /// The newest log entry whose changes the panes were told of.
    seen: i64,
    /// The `seen` of the form or question an action comes from, for
    /// [`App::perform`] (which otherwise takes `seen`).
    as_of: Option<i64>,
    /// Entries this session wrote that are not yet followed (no flash
    /// about one's own change).
    own: std::collections::BTreeSet<i64>,
    /// SQLite's schema cookie: another session migrated the file when it
    /// moves, and everything is read again.
    schema_cookie: i64,
    minute: i64,
    /// A changing command waiting for the officer's name.
    pending: Option<(Cmd, Option<String>)>,
    /// The volunteers the open assign form matches names against.
    assign_pool: Vec<VolunteerRow>,
    /// The supply units the open stock or market form matches names
    /// against.
    unit_pool: Vec<SupplyUnitRow>,
    /// Panes were invalidated and read again at the next tick.
    reload_due: bool,
    /// The registered names the open form's name fields match.
    picks: pick::PickCache,
}

impl App {
    pub fn new(store: Store, setup: Setup) -> App {
        let (keymap, key_warning) = Keymap::new(&setup.config.keys);
        let now = store.now();
        let data_version = store.data_version().unwrap_or(0);
        let seen = store.head().map_or(0, |h| h.seq);
        let schema_cookie = store.schema_cookie().unwrap_or(0);
        let officer = setup
            .officer
            .map(|o| o.trim().to_string())
            .filter(|o| !o.is_empty());
        let mut app = App {
            tz: setup.config.tz(),
            cfg: setup.config,
            lang: setup.lang,
            theme: setup.theme,
            keymap,
            read_only: setup.read_only,
            officer,
            handover: HandoverStatus::default(),
            notify: Default::default(),
            notify_read: None,
            notify_due: false,
            focus: PaneId::Alerts,
            panes: Panes {
                activation: ActivationPane::default(),
                alerts: AlertsPane::default(),
                passes: PassesPane::default(),
                queue: QueuePane::default(),
                log: LogPane::default(),
            },
            popups: Vec::new(),
            flash: None,
            history: Vec::new(),
            screen: layout::compute(Rect::default(), PaneId::Alerts),
            activation: None,
            posts_manned: (0, 0),
            quit: false,
            dirty: true,
            clear: false,
            data_version,
            seen,
            as_of: None,
            own: std::collections::BTreeSet::new(),
            schema_cookie,
            minute: minute_of(now),
            pending: None,
            assign_pool: Vec::new(),
            unit_pool: Vec::new(),
            reload_due: false,
            picks: pick::PickCache::default(),
            store,
        };
        if let Some(w) = key_warning {
            app.flash(Level::Warn, w);
        }
        if app.officer.is_none() {
            let mut f = Form::officer();
            f.intro = Some(msg!(
                "请输入值班员姓名，它会记在每条记录上。Esc 跳过（只能查看）。",
                "Type the name of the officer on duty; it is recorded on every entry. Esc skips (viewing only)."
            ));
            app.popups.push(Popup::Form(f));
        }
        app.refresh_header();
        app.read_notify(true);
        app.show_handover_if_mine();
        app
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.store.now()
    }

    pub fn t<'s>(&self, zh: &'s str, en: &'s str) -> &'s str {
        self.lang.t(zh, en)
    }

    pub fn cx(&self) -> Cx<'_> {
        cx!(self)
    }

    // ---- size, focus, data ------------------------------------------

    pub fn resize(&mut self, width: u16, height: u16) {
        self.screen = layout::compute(Rect::new(0, 0, width, height), self.focus);
        for id in PaneId::ALL {
            if let Some(area) = self.screen.panes[id.index()] {
                self.panes.get_mut(id).set_area(area);
            }
        }
        self.load_visible();
        self.dirty = true;
    }

    fn focus_on(&mut self, id: PaneId) {
        self.focus = id;
        let area = self.screen.area;
        self.resize(area.width, area.height);
    }

    /// A named officer, nobody on duty, a session that may write: the
    /// one key to go on duty is offered first.
    pub fn may_go_on_duty(&self) -> bool {
        self.officer.is_some()
            && self.read_only.is_none()
            && self.handover.on_duty.is_none()
            && self.handover.pending.is_none()
    }

    /// A handover waits for this session's officer to take it over.
    pub fn handover_waits_for_me(&self) -> bool {
        let (Some(me), Some(p)) = (self.officer.as_deref(), self.handover.pending.as_ref()) else {
            return false;
        };
        self.read_only.is_none()
            && p.incoming
                .as_deref()
                .is_some_and(|i| crate::domain::shift::same_officer(me, i))
    }

    pub fn flash(&mut self, level: Level, msg: Msg) {
        let secs = match level {
            Level::Info => 4,
            Level::Warn => 7,
            Level::Error => 10,
        };
        self.flash = Some(Flash {
            level,
            msg,
            until: Instant::now() + Duration::from_secs(secs),
        });
        self.dirty = true;
    }

    // ---- keys ---------------------------------------------------------

    /// The one door for every key and typed command: commands that change
    /// data are refused here in read-only mode, whoever asks.
    pub fn dispatch(&mut self, cmd: Cmd, arg: Option<String>) {
        self.dirty = true;
        let arg = arg.map(|a| a.trim().to_string()).filter(|a| !a.is_empty());
        if keys::changes_data(cmd) {
            if let Some(why) = self.read_only {
                self.refuse_read_only(cmd, why);
                return;
            }
            if self.officer.is_none() {
                self.pending = Some((cmd, arg));
                let mut f = Form::officer();
                f.intro = Some(msg!(
                    "记录前请先登记值班员姓名。",
                    "Before anything is recorded, name the officer on duty."
                ));
                self.popups.push(Popup::Form(f));
                return;
            }
        }
        match cmd {
            Cmd::Help => self.popups.push(Popup::Help { scroll: 0 }),
            Cmd::Quit => self.quit = true,
            Cmd::Interrupt => {
                let asking = matches!(self.popups.last(), Some(Popup::Confirm(c)) if matches!(c.on_yes, OnYes::Quit));
                if !asking && self.popups.iter().any(Popup::has_unsaved) {
                    self.popups.push(Popup::Confirm(Confirm {
                        question: msg!(
                            "表单中有未保存的内容。放弃并退出？",
                            "A form holds unsaved input. Discard it and quit?"
                        ),
                        on_yes: OnYes::Quit,
                    }));
                } else {
                    self.quit = true;
                }
            }
            Cmd::NextPane => self.focus_on(PaneId::from_index(self.focus.index() + 1)),
            Cmd::PrevPane => self.focus_on(PaneId::from_index(
                self.focus.index() + PaneId::ALL.len() - 1,
            )),
            Cmd::GoPane(id) => self.focus_on(id),
            Cmd::Lookup => {
                // From the passes pane, the selected vehicle is the question.
                let arg = arg.or_else(|| {
                    (self.focus == PaneId::Passes && self.popups.is_empty())
                        .then(|| self.panes.passes.selected_plate())
                        .flatten()
                });
                let mut l = Lookup::with_text(arg.as_deref().unwrap_or(""));
                if arg.is_some() {
                    self.look_up(&mut l);
                }
                self.popups.push(Popup::Lookup(Box::new(l)));
            }
            Cmd::Note => match arg {
                Some(text) => {
                    if let Err(e) = self.write_note(&text, None) {
                        self.flash(Level::Error, e);
                    }
                }
                None => {
                    let _ = self.open_form(Form::note());
                }
            },
            Cmd::CommandLine => self.popups.push(Popup::Command(CommandLine::default())),
            Cmd::Redraw => self.clear = true,
            Cmd::Activate | Cmd::Deactivate => {
                let action = if cmd == Cmd::Activate {
                    ActivationAction::Activate
                } else {
                    ActivationAction::Deactivate
                };
                match arg {
                    Some(r) => self.typed_directive(action, &r),
                    None => self.open_directive_form(Some(action)),
                }
            }
            Cmd::RaiseAlert => match arg {
                Some(a) => self.typed_alert(&a),
                None => self.open_alert_form(),
            },
            Cmd::Handover => self.open_handover(arg),
            Cmd::Shifts => self.open_shifts(),
            Cmd::ShiftStart => self.shift_start(),
            Cmd::ShiftEnd => self.shift_end(arg),
            Cmd::QueueGaps => self.queue_gaps(),
            Cmd::Stock => self.open_stock(arg),
            Cmd::Market => self.open_market(arg),
            Cmd::Contact => self.open_contact(arg),
            Cmd::Reach => self.open_reach(),
            Cmd::HandoverAck => self.handover_ack(arg),
            Cmd::HandoverAckAll => self.handover_ack(Some("all".into())),
            Cmd::HandoverAckSection => self.handover_ack(Some("section".into())),
            Cmd::HandoverText => self.toggle_text(),
            Cmd::ShiftOlder | Cmd::ShiftNewer => self.step_shift(cmd == Cmd::ShiftOlder),
            _ if self.popup_nav(cmd) => {}
            Cmd::PageDown | Cmd::PageUp | Cmd::Top | Cmd::Bottom
                if matches!(
                    self.popups.last(),
                    Some(Popup::Help { .. } | Popup::Details { .. })
                ) =>
            {
                let page = i32::from(super::popups::help::inner(self.screen.body).1.max(1));
                self.scroll_reader(match cmd {
                    Cmd::PageDown => page,
                    Cmd::PageUp => -page,
                    Cmd::Top => i32::MIN / 2,
                    _ => i32::MAX / 2,
                });
            }
            // `:ack all` names no alert: it means the handover's items.
            Cmd::AlertAck
                if arg
                    .as_deref()
                    .is_some_and(|a| matches!(a.to_lowercase().as_str(), "all" | "全部")) =>
            {
                self.handover_ack(arg)
            }
            Cmd::Down
            | Cmd::Up
            | Cmd::PageDown
            | Cmd::PageUp
            | Cmd::Top
            | Cmd::Bottom
            | Cmd::Expand
            | Cmd::Details
            | Cmd::Filter
            | Cmd::ClearFilter => self.list_command(cmd, arg),
            Cmd::New => self.new_in_pane(),
            Cmd::Mark => self.mark(),
            Cmd::AlertAck
            | Cmd::AlertDispatch
            | Cmd::AlertResolve
            | Cmd::AlertCancel
            | Cmd::AlertSeverity
            | Cmd::PassIssue
            | Cmd::PassExtend
            | Cmd::PassSuspend
            | Cmd::PassReinstate
            | Cmd::PassRevoke
            | Cmd::DeliveryAssign
            | Cmd::DeliveryDepart
            | Cmd::DeliveryDeliver
            | Cmd::DeliveryFail
            | Cmd::DeliveryRequeue
            | Cmd::DeliveryCancel
            | Cmd::Reveal
            | Cmd::Correct => self.row_action(cmd, arg),
            // Forms, fields, the command line, readers, questions.
            _ => self.popup_command(cmd),
        }
    }

    /// Moving, opening, filtering the focused pane's list.
    fn list_command(&mut self, cmd: Cmd, arg: Option<String>) {
        match cmd {
            Cmd::Down | Cmd::Up | Cmd::PageDown | Cmd::PageUp | Cmd::Top | Cmd::Bottom | Cmd::Expand => {
                self.panes.get_mut(self.focus).handle(cmd);
                self.load_visible();
            }
            Cmd::Details => {
                if self.panes.get_mut(self.focus).handle(cmd) {
                    self.load_visible();
                } else if let Some(d) = self.panes.get(self.focus).details(&cx!(self)) {
                    self.popups.push(Popup::Details { details: d, scroll: 0 });
                }
            }
            Cmd::Filter if !self.panes.get(self.focus).can_filter() => self.flash(
                Level::Warn,
                msg!(
                    "此面板暂不能筛选；配送队列按紧急程度和时限排列。",
                    "This pane cannot be filtered yet; the delivery queue is ordered by urgency and due time."
                ),
            ),
            Cmd::Filter => match arg {
                Some(f) => self.set_filter(Some(f)),
                None => {
                    let cur = self.panes.get(self.focus).filter().unwrap_or("").to_string();
                    self.popups.push(Popup::Filter(Input::new(cur)));
                }
            },
            Cmd::ClearFilter if self.panes.get(self.focus).filter().is_some() => {
                self.set_filter(None);
            }
            _ => {}
        }
    }

    /// What the top popup does with a command: a form's fields and
    /// choices, any text field's editing keys, the command line's
    /// completion and history, scrolling, closing, answering a question.
    fn popup_command(&mut self, cmd: Cmd) {
        match cmd {
            Cmd::ChoiceNext | Cmd::ChoicePrev => {
                let lang = self.lang;
                if let Some(Popup::Form(f)) = self.popups.last_mut()
                    && let Some(fl) = f.focused_mut()
                {
                    fl.cycle(cmd == Cmd::ChoiceNext, lang);
                }
                self.refresh_note(None);
            }
            Cmd::FieldStart
            | Cmd::FieldEnd
            | Cmd::FieldWordLeft
            | Cmd::FieldWordRight
            | Cmd::FieldKillWord
            | Cmd::FieldKillStart
            | Cmd::FieldKillEnd => self.edit_field(cmd),
            Cmd::Submit => self.submit(),
            Cmd::Cancel => self.cancel(),
            // On a name field with matches shown, ↓/Tab mark them.
            Cmd::NextField | Cmd::PrevField if self.pick_step(cmd == Cmd::NextField) => {}
            Cmd::NextField | Cmd::PrevField => {
                let fwd = cmd == Cmd::NextField;
                match self.popups.last_mut() {
                    Some(Popup::Form(f)) if fwd => f.next(),
                    Some(Popup::Form(f)) => f.prev(),
                    Some(Popup::Lookup(l)) => l.move_near(if fwd { 1 } else { -1 }),
                    _ => {}
                }
                self.refresh_picks();
            }
            Cmd::Complete => self.complete(),
            Cmd::HistoryPrev | Cmd::HistoryNext => {
                if let Some(Popup::Command(c)) = self.popups.last_mut() {
                    c.history(&self.history, cmd == Cmd::HistoryPrev);
                }
            }
            Cmd::Close | Cmd::No => {
                self.popups.pop();
            }
            Cmd::ScrollDown | Cmd::ScrollUp => {
                self.scroll_reader(if cmd == Cmd::ScrollDown { 1 } else { -1 })
            }
            Cmd::Yes => {
                if let Some(Popup::Confirm(c)) = self.popups.pop() {
                    match c.on_yes {
                        OnYes::Quit => self.quit = true,
                        OnYes::Discard => {
                            self.popups.pop();
                        }
                        OnYes::Perform(a, as_of) => {
                            self.as_of = Some(as_of);
                            self.confirmed(*a);
                        }
                        OnYes::Reopen(cmd, arg) => self.row_action(cmd, Some(arg)),
                        OnYes::IssueAnyway(new) => match self.write_pass(&new, true) {
                            Ok(_) => {
                                self.popups.pop();
                            }
                            Err(e) => {
                                if let Some(Popup::Form(f)) = self.popups.last_mut() {
                                    f.error = Some(e);
                                }
                            }
                        },
                    }
                }
            }
            _ => {}
        }
    }

    /// Help or details moved by `d` lines, no further than the content
    /// goes (the drawing clamps to the screen; this keeps ↑ working right
    /// after ↓ overshot).
    fn scroll_reader(&mut self, d: i32) {
        let (width, _) = super::popups::help::inner(self.screen.body);
        let help_len = super::popups::help::rows(
            &self.keymap,
            self.lang,
            &self.theme,
            self.read_only.is_some(),
            width,
        )
        .len();
        let (scroll, len) = match self.popups.last_mut() {
            Some(Popup::Help { scroll }) => (scroll, help_len),
            Some(Popup::Details { scroll, details }) => (scroll, details.lines.len()),
            _ => return,
        };
        *scroll = (i32::from(*scroll) + d).clamp(0, len.min(u16::MAX as usize) as i32) as u16;
    }

    fn refuse_read_only(&mut self, cmd: Cmd, why: ReadOnly) {
        let (zh, en) = keys::TABLE
            .iter()
            .find(|b| b.cmd == cmd)
            .map_or(("修改数据", "change data"), |b| (b.zh, b.en));
        let m = match why {
            ReadOnly::Asked => msg!(
                "只读模式（--read-only）：不能{zh}；去掉 --read-only 重新打开才能修改。",
                "This session is read-only (--read-only), so it cannot {en}; start without --read-only to make changes."
            ),
            ReadOnly::NotWritable => msg!(
                "数据库文件对当前用户不可写，本会话只读：不能{zh}；请检查文件及目录权限。",
                "The database file cannot be written by this user, so this session is read-only and cannot {en}; check the permissions of the file and its directory."
            ),
        };
        self.flash(Level::Warn, m);
    }

    fn set_filter(&mut self, f: Option<String>) {
        if let Err(m) = self.apply_filter(f) {
            self.flash(Level::Error, m);
        }
    }

    /// Filters the focused pane; the duty log's filter is read for its
    /// terms (kind, officer, community, time range) first.
    fn apply_filter(&mut self, f: Option<String>) -> Result<(), Msg> {
        if self.focus == PaneId::Log {
            let query = match f.as_deref() {
                Some(t) => super::panes::log::parse_query(t, &cx!(self))?,
                None => Default::default(),
            };
            self.panes.log.set_query(f, query);
        } else {
            self.panes.get_mut(self.focus).set_filter(f);
        }
        self.load_visible();
        Ok(())
    }

    // ---- typed commands -------------------------------------------------

    /// Runs a command line (`note buy rice`, `:q`).
    pub fn run_typed(&mut self, line: &str) {
        let line = line.trim().trim_start_matches(':').trim();
        if line.is_empty() {
            return;
        }
        let word = line.split_whitespace().next().unwrap_or(line);
        let contexts = self.contexts();
        match keys::by_line_in(line, &contexts) {
            Some((b, rest)) => self.dispatch(b.cmd, Some(rest.to_string())),
            None => {
                let w = crate::domain::text::sanitize(word).into_owned();
                // The first word of a two-word command (`shift`): name them.
                let lower = word.to_lowercase();
                let two: Vec<String> = keys::words()
                    .filter(|x| {
                        x.strip_prefix(lower.as_str())
                            .is_some_and(|r| r.starts_with(' '))
                    })
                    .map(|x| format!(":{x}"))
                    .collect();
                let m = if two.is_empty() {
                    msg!(
                        "没有 “:{w}” 这个命令；按 ? 查看全部命令。",
                        "There is no command \":{w}\"; press ? for the list of commands."
                    )
                } else {
                    let (zh, en) = (two.join("、"), two.join(" or "));
                    msg!(
                        "“:{w}” 后面还要写明做什么：{zh}。",
                        "\":{w}\" needs a second word: {en}."
                    )
                };
                self.flash(Level::Error, m);
            }
        }
    }

    fn complete(&mut self) {
        let Some(Popup::Command(c)) = self.popups.last_mut() else {
            return;
        };
        let store = &self.store;
        let lang = self.lang;
        c.complete(|cmd, arg, word| completions(store, lang, cmd, arg, word));
    }

    fn typed_alert(&mut self, args: &str) {
        let mut parts = args.split_whitespace();
        let (Some(c), Some(i), Some(s)) = (parts.next(), parts.next(), parts.next()) else {
            self.flash(
                Level::Error,
                msg!(
                    "用法：:alert 社区 物资 紧急程度 [说明]，例如 :alert 螺蛳包 药品 紧急 血透药品告急。",
                    "Usage: :alert COMMUNITY ITEM SEVERITY [TEXT], e.g. :alert 螺蛳包 medicine critical dialysis drugs running out."
                ),
            );
            return;
        };
        let text = parts.collect::<Vec<_>>().join(" ");
        let fields = AlertFields {
            community: c.to_string(),
            compound: String::new(),
            item: i.to_string(),
            severity: s.to_string(),
            households: String::new(),
            source: String::new(),
            text,
        };
        if let Err(r) = self.write_alert(&fields) {
            self.flash(Level::Error, r.msg);
        }
    }

    /// `:activate REF [@TIME]`, `:deactivate REF [@TIME]` (asks first).
    fn typed_directive(&mut self, action: ActivationAction, arg: &str) {
        let (reference, at_text) = match arg.rsplit_once('@') {
            Some((r, t)) => (r.trim(), Some(t.trim())),
            None => (arg.trim(), None),
        };
        let at_time = match self.parse_time(at_text) {
            Ok(t) => t,
            Err(m) => return self.flash(Level::Error, m),
        };
        if at_time.is_some_and(|t| t > self.now()) {
            return self.flash(
                Level::Error,
                msg!(
                    "指令接收时间在将来；请填写已经过去的时间。",
                    "The time the directive was received is in the future; give a time that has passed."
                ),
            );
        }
        let a = Action::Directive {
            action,
            reference: reference.to_string(),
            at: at_time,
        };
        if a.asks_first() {
            self.ask(a);
        } else if let Err(m) = self.perform(a) {
            self.flash(Level::Error, m);
        }
    }

    /// `:gaps`: asks first, with the count as the store sees it now.
    fn queue_gaps(&mut self) {
        match self
            .store
            .coverage_gaps(self.now(), &self.cfg.norms.norms(), 0)
        {
            Ok(g) if g.total == 0 => self.flash(
                Level::Warn,
                msg!(
                    "没有覆盖缺口，无需排队。",
                    "There are no coverage gaps: nothing to queue."
                ),
            ),
            Ok(g) if g.not_queued == 0 => {
                let n = g.total;
                self.flash(
                    Level::Warn,
                    msg!(
                        "{n} 个覆盖缺口都已有配送在队列中，无需再排。",
                        "All {n} coverage gaps already have a delivery in the queue: nothing to add."
                    ),
                )
            }
            Ok(g) => self.ask(Action::QueueGaps { gaps: g.not_queued }),
            Err(e) => self.flash(Level::Error, e.message()),
        }
    }

    /// "Yes" to a question about `a`, asked from a form or from a row.
    fn confirmed(&mut self, a: Action) {
        let from_form = matches!(self.popups.last(), Some(Popup::Form(_)));
        let depth = self.popups.len();
        match self.perform(a) {
            Ok(()) => {
                // A further question (a second pass for the route) keeps
                // the form under it until it is answered; so does a changed
                // record, whose question replaced the form.
                let asked = matches!(self.popups.last(), Some(Popup::Confirm(_)));
                if from_form
                    && depth > 0
                    && !asked
                    && matches!(self.popups.last(), Some(Popup::Form(_)))
                {
                    self.popups.remove(depth - 1);
                }
            }
            Err(m) => match self.popups.last_mut() {
                Some(Popup::Form(f)) if from_form => f.refuse(None, m),
                _ => self.flash(Level::Error, m),
            },
        }
    }

    // ---- popups ---------------------------------------------------------

    fn submit(&mut self) {
        match self.popups.last_mut() {
            Some(Popup::Command(c)) => {
                let text = c.input.value().trim().to_string();
                self.popups.pop();
                if !text.is_empty() {
                    if self.history.last() != Some(&text) {
                        self.history.push(text.clone());
                        if self.history.len() > HISTORY_MAX {
                            self.history.remove(0);
                        }
                    }
                    self.run_typed(&text);
                }
            }
            Some(Popup::Filter(i)) => {
                let text = i.value().to_string();
                match self.apply_filter(Some(text).filter(|t| !t.trim().is_empty())) {
                    Ok(()) => {
                        self.popups.pop();
                    }
                    Err(m) => self.flash(Level::Error, m),
                }
            }
            Some(Popup::Lookup(l)) => {
                let mut l = std::mem::take(l);
                if let Some(p) = l.near_sel.and_then(|i| l.near().get(i).cloned()) {
                    l.input = Input::new(p);
                    l.renormalize();
                }
                self.look_up(&mut l);
                // The next plate typed replaces this one.
                l.selected = !l.input.value().is_empty();
                if let Some(Popup::Lookup(slot)) = self.popups.last_mut() {
                    *slot = l;
                }
            }
            Some(Popup::Form(_)) => self.submit_form(),
            _ => {}
        }
    }

    fn cancel(&mut self) {
        match self.popups.last() {
            Some(Popup::Form(f)) if f.has_unsaved() => {
                self.popups.push(Popup::Confirm(Confirm {
                    question: msg!("放弃已填写的内容？", "Discard what you have typed?"),
                    on_yes: OnYes::Discard,
                }));
            }
            Some(Popup::Form(f)) if f.kind == FormKind::Officer => {
                self.popups.pop();
                self.pending = None;
                if self.officer.is_none() {
                    self.flash(
                        Level::Warn,
                        msg!(
                            "未登记值班员：可以查看，记录前会再次询问。",
                            "No officer named: you can look around; you will be asked again before anything is recorded."
                        ),
                    );
                }
            }
            Some(Popup::Filter(_)) => {
                self.popups.pop();
                self.set_filter(None);
            }
            Some(_) => {
                self.popups.pop();
            }
            None => {}
        }
    }

    fn look_up(&mut self, l: &mut Lookup) {
        let typed = l.input.value().to_string();
        let n = match &l.norm {
            Some(Ok(n)) => n.clone(),
            Some(Err(e)) => {
                l.error = Some(plate_error(*e));
                return;
            }
            None => {
                l.error = Some(plate_error(PlateError::Empty));
                return;
            }
        };
        match self.store.plate_verdict(
            &typed,
            &n,
            self.cfg.thresholds.pass_warn(),
            self.lang.is_zh(),
        ) {
            Ok(v) => {
                l.verdict = Some(v);
                l.error = None;
            }
            Err(e) => l.error = Some(e.message()),
        }
    }

    fn submit_form(&mut self) {
        // Enter on a marked match takes it; the form is saved by the next.
        if self.pick_accept() {
            return;
        }
        if let Some(Popup::Form(form)) = self.popups.last_mut() {
            form.clear_errors();
        }
        if let Err(r) = self.resolve_picks() {
            if let Some(Popup::Form(f)) = self.popups.last_mut() {
                f.refuse(r.field, r.msg);
            }
            return;
        }
        let Some(Popup::Form(form)) = self.popups.last_mut() else {
            return;
        };
        let form = form.clone();
        let result: Result<(), Refusal> = match form.kind {
            FormKind::Note => self.submit_note(&form),
            FormKind::Officer => self.set_officer(form.value(0)).map_err(at(0)),
            FormKind::Alert => self.submit_alert(&form),
            FormKind::Pass => self.submit_pass(&form),
            FormKind::Delivery => self.submit_delivery(&form),
            FormKind::Stock => self.submit_stock(&form),
            FormKind::Market => self.submit_market(&form),
            FormKind::Contact(rid) => self.submit_contact(&form, rid),
            _ => match self.form_action(&form) {
                Ok(a) if form.dangerous || a.asks_first() => {
                    // Checked; the question goes on top of the form, which
                    // stays until it is answered.
                    self.as_of = Some(form.seen);
                    self.ask(a);
                    return;
                }
                Ok(a) => {
                    self.as_of = Some(form.seen);
                    self.perform(a).map_err(Refusal::from)
                }
                Err(r) => Err(r),
            },
        };
        // A question was asked on top of the form (a second pass for the
        // same route): the form stays until it is answered.
        if matches!(self.popups.last(), Some(Popup::Confirm(_))) {
            return;
        }
        match result {
            Ok(()) => {
                self.popups.pop();
                self.assign_pool.clear();
                self.unit_pool.clear();
                if form.kind == FormKind::Officer
                    && let Some((cmd, arg)) = self.pending.take()
                {
                    self.dispatch(cmd, arg);
                } else if form.kind == FormKind::Officer {
                    self.show_handover_if_mine();
                }
            }
            Err(r) => {
                if let Some(Popup::Form(f)) = self.popups.last_mut() {
                    f.refuse(r.field, r.msg);
                }
            }
        }
    }

    fn set_officer(&mut self, name: &str) -> Result<(), Msg> {
        let name = name.trim();
        if name.is_empty() {
            return Err(msg!(
                "姓名为空；请输入值班员姓名。",
                "The name is empty; type the officer's name."
            ));
        }
        if name.chars().count() > OFFICER_MAX_CHARS || name.chars().any(char::is_control) {
            return Err(msg!(
                "姓名过长或含控制字符；请只写姓名。",
                "The name is too long or contains control characters; type just the name."
            ));
        }
        self.officer = Some(name.to_string());
        let n = crate::domain::text::sanitize(name).into_owned();
        self.flash(Level::Info, msg!("值班员：{n}", "Officer on duty: {n}"));
        Ok(())
    }

    fn open_directive_form(&mut self, wanted: Option<ActivationAction>) {
        let state = self
            .activation
            .as_ref()
            .map_or(ActivationState::Normal, |a| a.state);
        let natural = match state {
            ActivationState::Normal => ActivationAction::Activate,
            ActivationState::Activated => ActivationAction::Deactivate,
        };
        let action = wanted.unwrap_or(natural);
        let mut f = Form::directive(action);
        f.intro = Some(match state {
            ActivationState::Normal => msg!(
                "当前：平时状态。填写区联防联控指挥部的指令文号以激活预案。",
                "Now: normal. Give the reference of the district command's directive to activate the plan."
            ),
            ActivationState::Activated => msg!(
                "当前：已激活。填写解除指令的文号以恢复平时状态。",
                "Now: activated. Give the reference of the directive that returns the plan to normal."
            ),
        });
        let _ = self.open_form(f);
    }

    fn open_alert_form(&mut self) {
        let mut f = Form::alert();
        if let Some(c) = self
            .panes
            .alerts
            .selected_community()
            .filter(|_| self.focus == PaneId::Alerts)
        {
            f.prefill(0, &c);
            f.focus = 2;
        }
        let _ = self.open_form(f);
    }

    fn new_in_pane(&mut self) {
        let _ = match self.focus {
            PaneId::Log => self.open_form(Form::note()),
            PaneId::Activation => {
                self.open_directive_form(None);
                Ok(())
            }
            PaneId::Alerts => {
                self.open_alert_form();
                Ok(())
            }
            PaneId::Passes => self.open_form(Form::pass()),
            PaneId::Queue => self.open_form(Form::delivery()),
        };
    }

    fn mark(&mut self) {
        if self.focus != PaneId::Activation {
            return;
        }
        let Some(target) = self.panes.activation.mark_target() else {
            self.flash(
                Level::Warn,
                msg!(
                    "请先选中一个岗位或社区。",
                    "Select a post or a community first."
                ),
            );
            return;
        };
        if let Err(m) = self.act(Action::Mark { target }) {
            self.flash(Level::Error, m);
        }
    }

    // ---- writes -----------------------------------------------------------

    fn actor(&self) -> Option<Actor> {
        if self.read_only.is_some() {
            return None;
        }
        self.officer.as_deref().map(Actor::from_env)
    }

    fn no_actor(&self) -> Msg {
        match self.read_only {
            Some(_) => StoreError::ReadOnly.message(),
            None => msg!(
                "未登记值班员，不能记录；请先登记姓名。",
                "No officer is named, so nothing can be recorded; name the officer first."
            ),
        }
    }

    fn parse_time(&self, s: Option<&str>) -> Result<Option<DateTime<Utc>>, Msg> {
        match s.map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(t) => parse_local(t, self.tz, self.now()).map(Some).map_err(|_| {
                let t = crate::domain::text::sanitize(t).into_owned();
                msg!(
                    "无法识别时间 “{t}”；请写成 2026-11-29 08:30、08:30 或 -2h。",
                    "\"{t}\" is not a time I can read; write it like 2026-11-29 08:30, 08:30 or -2h."
                )
            }),
        }
    }
}

fn minute_of(t: DateTime<Utc>) -> i64 {
    t.timestamp().div_euclid(60)
}

fn plate_error(e: PlateError) -> Msg {
    Msg::new(e.describe(true), e.describe(false))
}

/// Tab completion: the command word, then each command's arguments.
fn completions(store: &Store, lang: Lang, cmd: &str, arg: usize, word: &str) -> Vec<String> {
    fn labels<T: Code>(lang: Lang) -> Vec<String> {
        T::ALL
            .iter()
            .flat_map(|v| match lang {
                Lang::Zh => [v.label_zh().to_string(), v.code().to_string()],
                Lang::En => [v.code().to_string(), v.label_zh().to_string()],
            })
            .collect()
    }
    let by_prefix = |all: Vec<String>| -> Vec<String> {
        let w = word.to_lowercase();
        all.into_iter()
            .filter(|o| o.to_lowercase().starts_with(&w))
            .collect()
    };
    if arg == 0 {
        let mut w: Vec<String> = keys::words().map(str::to_string).collect();
        w.sort();
        w.dedup();
        return by_prefix(w);
    }
    // A row action's word comes first, or after its `#N`.
    match (keys::by_word(cmd).map(|b| b.cmd), arg) {
        (Some(Cmd::AlertSeverity), 1 | 2) if !word.starts_with('#') => {
            by_prefix(labels::<Severity>(lang))
        }
        (Some(Cmd::DeliveryFail), 1 | 2) if !word.starts_with('#') => {
            by_prefix(labels::<crate::domain::delivery::FailReason>(lang))
        }
        (Some(Cmd::RaiseAlert), 1) => by_prefix(store.community_names().unwrap_or_default()),
        (Some(Cmd::RaiseAlert), 2) => by_prefix(labels::<ItemClass>(lang)),
        (Some(Cmd::RaiseAlert), 3) => by_prefix(labels::<Severity>(lang)),
        (Some(Cmd::Lookup), 1) => plate_completions(store, word),
        _ => Vec::new(),
    }
}

/// Registered plates for what was typed: those starting with it (in any
/// typed form, province optional), then its near plates (one character
/// off, province missing).
fn plate_completions(store: &Store, word: &str) -> Vec<String> {
    let Ok(n) = plate::normalize(word) else {
        return Vec::new();
    };
    let p = n.plate.as_str();
    let filter = crate::store::pass_actions::PassFilter {
        text: Some(word.to_string()),
        status: None,
        kind: None,
    };
    let far = chrono::Duration::zero();
    let mut out: Vec<String> = Vec::new();
    for row in store
        .passes_page(&filter, store.now(), far, 0, 20)
        .unwrap_or_default()
    {
        if let Some(plate) = row.plate
            && (plate.starts_with(p) || plate.chars().skip(1).collect::<String>().starts_with(p))
            && !out.contains(&plate)
        {
            out.push(plate);
        }
    }
    for near in store.near_plates(p).unwrap_or_default() {
        if !out.contains(&near) {
            out.push(near);
        }
    }
    out.truncate(8);
    out
}
