//! The one key table. Every binding of the console is described here once:
//! its keys, its `:` command word, what it does in both languages, whether
//! it changes data, and where it applies. The footer hints, the `?` help
//! screen, the `:` command parser and read-only mode all read this table,
//! so no view can offer a key that the dispatcher would refuse.

use std::collections::BTreeMap;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::i18n::Lang;
use crate::msg;
use crate::msg::Msg;

/// The five panes, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PaneId {
    Activation,
    Alerts,
    Passes,
    Queue,
    Log,
}

impl PaneId {
    pub const ALL: [PaneId; 5] = [
        PaneId::Activation,
        PaneId::Alerts,
        PaneId::Passes,
        PaneId::Queue,
        PaneId::Log,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn from_index(i: usize) -> PaneId {
        PaneId::ALL[i % PaneId::ALL.len()]
    }

    /// For a narrow tab bar.
    pub fn short(self, lang: Lang) -> &'static str {
        match self {
            PaneId::Activation => lang.t("激活", "Activation"),
            PaneId::Alerts => lang.t("预警", "Alerts"),
            PaneId::Passes => lang.t("通行证", "Passes"),
            PaneId::Queue => lang.t("配送", "Deliveries"),
            PaneId::Log => lang.t("日志", "Log"),
        }
    }

    pub fn title(self, lang: Lang) -> &'static str {
        match self {
            PaneId::Activation => lang.t("预案激活", "Activation"),
            PaneId::Alerts => lang.t("缺货预警", "Shortage alerts"),
            PaneId::Passes => lang.t("车辆通行证", "Vehicles & passes"),
            PaneId::Queue => lang.t("特殊群体配送", "Delivery queue"),
            PaneId::Log => lang.t("值守日志", "Duty log"),
        }
    }
}

/// What a key or a `:` command asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cmd {
    // anywhere, no popup open
    Help,
    Quit,
    Interrupt,
    NextPane,
    PrevPane,
    GoPane(PaneId),
    Lookup,
    Note,
    CommandLine,
    Redraw,
    Activate,
    Deactivate,
    RaiseAlert,
    /// The handover view: report, chart, carry-over items.
    Handover,
    /// The list of past and present shifts, for review.
    Shifts,
    ShiftStart,
    ShiftEnd,
    /// Queue a delivery for every coverage gap.
    QueueGaps,
    /// The stock-report form.
    Stock,
    /// The market-report form (price rise, hoarding, gouging).
    Market,
    /// The form logging a call or visit to a recipient.
    Contact,
    /// The coverage gaps and welfare checks, in a popup.
    Reach,
    // the handover view
    HandoverAck,
    HandoverAckAll,
    HandoverAckSection,
    HandoverText,
    ShiftOlder,
    ShiftNewer,
    // lists
    Down,
    Up,
    PageDown,
    PageUp,
    Top,
    Bottom,
    Details,
    Filter,
    ClearFilter,
    New,
    Expand,
    Mark,
    // actions on the selected row
    AlertAck,
    AlertDispatch,
    AlertResolve,
    AlertCancel,
    AlertSeverity,
    PassIssue,
    PassExtend,
    PassSuspend,
    PassReinstate,
    PassRevoke,
    DeliveryAssign,
    DeliveryDepart,
    DeliveryDeliver,
    DeliveryFail,
    DeliveryRequeue,
    DeliveryCancel,
    Reveal,
    Correct,
    // forms and popups
    Submit,
    Cancel,
    NextField,
    PrevField,
    Complete,
    HistoryPrev,
    HistoryNext,
    Close,
    ScrollDown,
    ScrollUp,
    Yes,
    No,
    ChoiceNext,
    ChoicePrev,
    // any text field
    FieldStart,
    FieldEnd,
    /// Delete from the start of the field to the cursor.
    FieldKillStart,
    /// Delete from the cursor to the end of the field.
    FieldKillEnd,
    FieldKillWord,
    FieldWordLeft,
    FieldWordRight,
}

impl Cmd {
    /// Acts on the selected row of a pane (or the row named after `:`).
    pub fn is_row_action(self) -> bool {
        matches!(
            self,
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
                | Cmd::Correct
        )
    }
}

/// Where a binding applies. The dispatcher looks keys up in the contexts
/// that are active, innermost first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// No popup is open.
    Global,
    /// The focused pane's list.
    List,
    /// The activation pane only.
    Activation,
    /// The alerts pane only.
    Alerts,
    /// The passes pane only.
    Passes,
    /// The delivery queue only.
    Queue,
    /// The duty log pane only.
    Log,
    /// A form with text fields (note, directive, officer, filter).
    Form,
    /// A form field with fixed choices (severity, reason), inside `Form`.
    Choice,
    /// Any text field: forms, the command line, the filter, the lookup.
    Field,
    /// The `:` command line.
    CommandLine,
    /// The plate lookup popup.
    Lookup,
    /// Help and details popups: read and close.
    Reader,
    /// A yes/no question.
    Confirm,
    /// The handover view.
    Handover,
    /// The list of shifts.
    Shifts,
    /// The coverage gaps and welfare checks.
    Reach,
    /// Typed only, after `:`.
    Typed,
}

impl Context {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Context::Global => lang.t("全局", "Anywhere"),
            Context::List => lang.t("列表", "Lists"),
            Context::Activation => lang.t("预案激活", "Activation"),
            Context::Alerts => lang.t("缺货预警", "Shortage alerts"),
            Context::Passes => lang.t("车辆通行证", "Vehicles & passes"),
            Context::Queue => lang.t("特殊群体配送", "Delivery queue"),
            Context::Log => lang.t("值守日志", "Duty log"),
            Context::Form => lang.t("表单", "Forms"),
            Context::Choice => lang.t("选项栏", "Fields with choices"),
            Context::Field => lang.t(
                "文字输入栏（表单、命令行、筛选、查车牌）",
                "Text fields (forms, command line, filter, plate lookup)",
            ),
            Context::CommandLine => lang.t("命令行", "Command line"),
            Context::Lookup => lang.t("车牌查询", "Plate lookup"),
            Context::Reader => lang.t("帮助与详情", "Help and details"),
            Context::Confirm => lang.t("确认", "Questions"),
            Context::Handover => lang.t("交接班", "Handover"),
            Context::Shifts => lang.t("班次列表", "Shifts"),
            Context::Reach => lang.t("覆盖缺口与探视", "Coverage gaps and welfare checks"),
            Context::Typed => lang.t("命令（输入 : 后）", "Commands (after :)"),
        }
    }
}

/// A key with its modifiers. For characters SHIFT is ignored, since
/// terminals differ in whether they report it for `G` or `?`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub const fn plain(code: KeyCode) -> Key {
        Key {
            code,
            mods: KeyModifiers::NONE,
        }
    }

    pub const fn ch(c: char) -> Key {
        Key::plain(KeyCode::Char(c))
    }

    pub const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            mods: KeyModifiers::CONTROL,
        }
    }

    pub fn matches(&self, ev: &KeyEvent) -> bool {
        let relevant = KeyModifiers::CONTROL | KeyModifiers::ALT;
        match (self.code, ev.code) {
            (KeyCode::Char(a), KeyCode::Char(b)) => {
                let same = if self.mods.contains(KeyModifiers::CONTROL) {
                    a.eq_ignore_ascii_case(&b)
                } else {
                    a == b
                };
                same && (ev.modifiers & relevant) == (self.mods & relevant)
            }
            (KeyCode::BackTab, KeyCode::BackTab) => true,
            (KeyCode::Tab, KeyCode::Tab) => !ev.modifiers.contains(KeyModifiers::SHIFT),
            (KeyCode::Tab, KeyCode::BackTab) => false,
            (a, b) => a == b && (ev.modifiers & relevant) == (self.mods & relevant),
        }
    }

    /// How the key is written in hints and help.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "S-Tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Backspace => "Bksp".into(),
            KeyCode::Delete => "Del".into(),
            KeyCode::F(n) => format!("F{n}"),
            _ => "?".into(),
        };
        if self.mods.contains(KeyModifiers::CONTROL) {
            format!("Ctrl-{}", base.to_uppercase())
        } else if self.mods.contains(KeyModifiers::ALT) {
            format!("Alt-{base}")
        } else {
            base
        }
    }

    /// Reads a key as written in the config's `[keys]` table: `N`,
    /// `ctrl-n`, `C-n`, `alt-x`, `F2`, `enter`, `space`, `pgdn`.
    pub fn parse(s: &str) -> Option<Key> {
        let s = s.trim();
        let lower = s.to_ascii_lowercase();
        for (prefix, m) in [
            ("ctrl-", KeyModifiers::CONTROL),
            ("ctrl+", KeyModifiers::CONTROL),
            ("c-", KeyModifiers::CONTROL),
            ("alt-", KeyModifiers::ALT),
            ("alt+", KeyModifiers::ALT),
            ("m-", KeyModifiers::ALT),
        ] {
            if lower.starts_with(prefix) && s.len() > prefix.len() {
                let inner = Key::parse(&s[prefix.len()..])?;
                return Some(Key {
                    code: inner.code,
                    mods: m,
                });
            }
        }
        let mut chars = s.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            return Some(Key::ch(c));
        }
        let code = match lower.as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" | "s-tab" | "shift-tab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            f if f.starts_with('f') => KeyCode::F(f[1..].parse().ok()?),
            _ => return None,
        };
        Some(Key::plain(code))
    }
}

/// One row of the key table.
#[derive(Debug, Clone)]
pub struct Binding {
    pub cmd: Cmd,
    /// The name used in the config's `[keys]` overrides.
    pub name: &'static str,
    pub keys: &'static [Key],
    /// The `:` command word(s); the first is the one shown.
    pub words: &'static [&'static str],
    /// What follows the command word, for help (`TEXT`, `PLATE`).
    pub args: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    /// It writes to the database: refused in read-only mode.
    pub changes: bool,
    /// It is hard to undo for a driver, a resident or the record: the
    /// console asks first (y/n), with what it is about to do. Help marks
    /// it `✎?`.
    pub confirm: bool,
    pub ctx: Context,
    /// The short label of the footer hint; `None`: not in the footer.
    pub footer: Option<(&'static str, &'static str)>,
}

impl Binding {
    pub fn desc(&self, lang: Lang) -> &'static str {
        lang.t(self.zh, self.en)
    }
}

use KeyCode as K;

macro_rules! bind {
    ($cmd:expr, $name:literal, [$($k:expr),*], [$($w:literal),*], $args:literal, $zh:literal, $en:literal, $changes:literal, $ctx:ident, $footer:expr) => {
        bind!($cmd, $name, [$($k),*], [$($w),*], $args, $zh, $en, $changes, $ctx, $footer, confirm: false)
    };
    ($cmd:expr, $name:literal, [$($k:expr),*], [$($w:literal),*], $args:literal, $zh:literal, $en:literal, $changes:literal, $ctx:ident, $footer:expr, confirm: $confirm:literal) => {
        Binding {
            cmd: $cmd,
            name: $name,
            keys: &[$($k),*],
            words: &[$($w),*],
            args: $args,
            zh: $zh,
            en: $en,
            changes: $changes,
            confirm: $confirm,
            ctx: Context::$ctx,
            footer: $footer,
        }
    };
}

/// The key table, one binding per line so it reads as a table.
#[rustfmt::skip]
pub const TABLE: &[Binding] = &[
    // Anywhere (no popup open).
    bind!(Cmd::Help, "help", [Key::ch('?')], ["help", "h"], "", "帮助：全部按键", "help: every key", false, Global, Some(("帮助", "help"))),
    bind!(Cmd::Quit, "quit", [Key::ch('q')], ["q", "quit"], "", "退出", "quit", false, Global, Some(("退出", "quit"))),
    bind!(Cmd::Interrupt, "interrupt", [Key::ctrl('c')], [], "", "退出（表单有未保存内容时先确认）", "quit (asks first when a form holds unsaved input)", false, Global, None),
    bind!(Cmd::NextPane, "next_pane", [Key::plain(K::Tab)], [], "", "下一个面板", "next pane", false, Global, Some(("面板", "pane"))),
    bind!(Cmd::PrevPane, "prev_pane", [Key::plain(K::BackTab)], [], "", "上一个面板", "previous pane", false, Global, None),
    bind!(Cmd::GoPane(PaneId::Activation), "pane_1", [Key::ch('1')], [], "", "面板 1：预案激活", "pane 1: activation", false, Global, None),
    bind!(Cmd::GoPane(PaneId::Alerts), "pane_2", [Key::ch('2')], [], "", "面板 2：缺货预警", "pane 2: shortage alerts", false, Global, None),
    bind!(Cmd::GoPane(PaneId::Passes), "pane_3", [Key::ch('3')], [], "", "面板 3：车辆通行证", "pane 3: vehicles and passes", false, Global, None),
    bind!(Cmd::GoPane(PaneId::Queue), "pane_4", [Key::ch('4')], [], "", "面板 4：特殊群体配送", "pane 4: delivery queue", false, Global, None),
    bind!(Cmd::GoPane(PaneId::Log), "pane_5", [Key::ch('5')], [], "", "面板 5：值守日志", "pane 5: duty log", false, Global, None),
    bind!(Cmd::Lookup, "lookup", [Key::ch('p')], ["pass", "plate"], "PLATE", "车牌查询（通行证核验）", "plate lookup: may this vehicle pass?", false, Global, Some(("查车牌", "plate"))),
    bind!(Cmd::Note, "note", [Key::ch('N')], ["note"], "TEXT", "记一条值守日志", "write a duty-log note", true, Global, Some(("记事", "note"))),
    bind!(Cmd::CommandLine, "command", [Key::ch(':')], [], "", "命令行", "command line", false, Global, Some(("命令", "cmd"))),
    bind!(Cmd::Redraw, "redraw", [Key::ctrl('l')], [], "", "重画屏幕", "redraw the screen", false, Global, None),
    bind!(Cmd::ShiftStart, "shift_start", [Key::ch('O')], ["shift start"], "", "上岗：开始我的班次（无人当班时）", "go on duty: start my shift (when nobody is on duty)", true, Global, Some(("上岗", "go on duty"))),
    bind!(Cmd::Handover, "handover", [Key::ch('H')], ["handover"], "[ID]", "交接班：报告、开闭图表、遗留事项", "handover: report, chart, carry-over items", false, Global, Some(("交接", "handover"))),
    // Lists.
    bind!(Cmd::Down, "down", [Key::ch('j'), Key::plain(K::Down)], [], "", "下移", "move down", false, List, None),
    bind!(Cmd::Up, "up", [Key::ch('k'), Key::plain(K::Up)], [], "", "上移", "move up", false, List, None),
    bind!(Cmd::PageDown, "page_down", [Key::plain(K::PageDown), Key::ctrl('f')], [], "", "下一页", "page down", false, List, None),
    bind!(Cmd::PageUp, "page_up", [Key::plain(K::PageUp), Key::ctrl('b')], [], "", "上一页", "page up", false, List, None),
    bind!(Cmd::Top, "top", [Key::ch('g'), Key::plain(K::Home)], [], "", "到顶部", "go to the top", false, List, None),
    bind!(Cmd::Bottom, "bottom", [Key::ch('G'), Key::plain(K::End)], [], "", "到底部", "go to the bottom", false, List, None),
    bind!(Cmd::Details, "details", [Key::plain(K::Enter)], [], "", "详情", "details of the selected row", false, List, Some(("详情", "details"))),
    bind!(Cmd::Filter, "filter", [Key::ch('/')], ["filter"], "TEXT", "筛选当前面板（日志另可写 kind: officer: community: since: until:）", "filter the current pane (the log also takes kind: officer: community: since: until:)", false, List, Some(("筛选", "filter"))),
    bind!(Cmd::ClearFilter, "clear_filter", [Key::plain(K::Esc)], [], "", "清除筛选", "clear the filter", false, List, None),
    bind!(Cmd::New, "new", [Key::ch('n')], [], "", "在当前面板新建记录", "new record in the current pane", true, List, Some(("新建", "new"))),
    bind!(Cmd::Expand, "expand", [Key::ch(' '), Key::ch('l'), Key::plain(K::Right)], [], "", "展开/收起社区的预警", "open or close a community's alerts", false, Alerts, Some(("展开", "open"))),
    bind!(Cmd::Mark, "mark", [Key::ch('m')], [], "", "标记岗位到岗/撤岗、社区报到", "mark a post manned or stood down, a community reported in", true, Activation, Some(("到岗", "mark")), confirm: true),
    // The selected alert (or `#N` after the command word).
    bind!(Cmd::AlertAck, "ack", [Key::ch('a')], ["ack"], "[#N]", "确认所选预警，由我处理", "acknowledge the selected alert: I handle it", true, Alerts, Some(("确认", "ack"))),
    bind!(Cmd::AlertDispatch, "dispatch", [Key::ch('d')], ["dispatch"], "[#N] TO", "派单给保供单位或责任人", "dispatch the alert to a supply unit or a person", true, Alerts, Some(("派单", "dispatch"))),
    bind!(Cmd::AlertResolve, "resolve", [Key::ch('r')], ["resolve"], "[#N] OUTCOME", "标记预警已解决，写明结果", "resolve the alert, with the outcome", true, Alerts, Some(("解决", "resolve"))),
    bind!(Cmd::AlertCancel, "cancel_alert", [Key::ch('x')], ["cancel"], "[#N] REASON", "撤销预警（误报、重复），写明原因；在配送面板则取消配送", "cancel the alert (false or duplicate), with the reason; on the queue pane :cancel cancels the delivery", true, Alerts, Some(("撤销", "cancel")), confirm: true),
    bind!(Cmd::AlertSeverity, "severity", [Key::ch('s')], ["severity"], "[#N] SEVERITY", "更改预警的紧急程度", "change the alert's severity", true, Alerts, Some(("紧急度", "severity"))),
    bind!(Cmd::Stock, "stock", [Key::ch('i')], ["stock", "库存"], "[COMMUNITY]", "登记库存报告（库存、日到货）", "record a stock report (stock on hand, daily supply in)", true, Alerts, Some(("库存", "stock"))),
    // The selected pass (or its number after the command word).
    bind!(Cmd::PassIssue, "issue", [Key::ch('i')], ["issue"], "[NUMBER]", "发放待审批的通行证", "issue a requested pass", true, Passes, Some(("发放", "issue")), confirm: true),
    bind!(Cmd::PassExtend, "extend", [Key::ch('e')], ["extend"], "[NUMBER] UNTIL", "通行证延期", "extend the pass", true, Passes, Some(("延期", "extend"))),
    bind!(Cmd::PassSuspend, "suspend", [Key::ch('s')], ["suspend"], "[NUMBER] REASON", "暂停通行证，写明原因", "suspend the pass, with the reason", true, Passes, Some(("暂停", "suspend"))),
    bind!(Cmd::PassReinstate, "reinstate", [Key::ch('r')], ["reinstate"], "[NUMBER]", "恢复已暂停的通行证", "reinstate a suspended pass", true, Passes, Some(("恢复", "reinstate")), confirm: true),
    bind!(Cmd::PassRevoke, "revoke", [Key::ch('x')], ["revoke"], "[NUMBER] REASON", "吊销通行证，写明原因", "revoke the pass for good, with the reason", true, Passes, Some(("吊销", "revoke")), confirm: true),
    // The selected delivery (or `#N` after the command word).
    bind!(Cmd::DeliveryAssign, "assign", [Key::ch('a')], ["assign"], "[#N] VOLUNTEER|PLATE", "分派志愿者或车辆", "assign a volunteer or a vehicle", true, Queue, Some(("分派", "assign"))),
    bind!(Cmd::DeliveryDepart, "en_route", [Key::ch('e')], ["enroute"], "[#N]", "标记已出发（配送中）", "mark it en route", true, Queue, Some(("出发", "en route"))),
    bind!(Cmd::DeliveryDeliver, "delivered", [Key::ch('d')], ["deliver"], "[#N] RECEIVED_BY", "标记已送达，写明签收人", "mark it delivered, with who received it", true, Queue, Some(("送达", "delivered"))),
    bind!(Cmd::DeliveryFail, "failed", [Key::ch('f')], ["fail"], "[#N] REASON [NOTE]", "标记未送达（无人在家、地址错误、拒收、其他），可重新排队", "mark it failed (nobody home, wrong address, refused, other), optionally requeue", true, Queue, Some(("未送达", "failed"))),
    bind!(Cmd::DeliveryRequeue, "requeue", [Key::ch('r')], ["requeue"], "[#N] [DUE]", "未送达的配送重新排队", "put a failed delivery back in the queue", true, Queue, Some(("重排", "requeue"))),
    bind!(Cmd::DeliveryCancel, "cancel_delivery", [Key::ch('x')], ["cancel"], "[#N] REASON", "取消配送，写明原因", "cancel the delivery, with the reason", true, Queue, Some(("取消", "cancel")), confirm: true),
    bind!(Cmd::Reveal, "reveal", [Key::ch('v')], ["reveal"], "[#N]", "查看对象的个人信息（记入日志）", "reveal the recipient's personal data (logged)", true, Queue, Some(("个人信息", "reveal")), confirm: true),
    bind!(Cmd::Contact, "contact", [Key::ch('c')], ["contact", "联系"], "[#N|NAME]", "记录对特殊群体对象的电话或上门联系", "log a call or visit to a special-group recipient", true, Queue, Some(("联系", "contact"))),
    bind!(Cmd::Reach, "reach", [Key::ch('w')], ["reach", "welfare", "探视", "覆盖"], "", "覆盖缺口与需上门探视名单", "the coverage gaps and welfare checks", false, Queue, Some(("探视", "welfare"))),
    // The selected log entry.
    bind!(Cmd::Correct, "correct", [Key::ch('c')], ["correct"], "[SEQ] TEXT", "更正一条记录（原记录保留并标为已更正）", "correct an entry (the old one stays, marked corrected)", true, Log, Some(("更正", "correct")), confirm: true),
    // Typed only.
    bind!(Cmd::Activate, "activate", [], ["activate"], "REF [@TIME]", "按指令激活预案（@ 指令接收时间）", "activate the plan on a directive (@ when it was received)", true, Typed, None),
    bind!(Cmd::Deactivate, "deactivate", [], ["deactivate"], "REF [@TIME]", "按指令解除预案（先确认）", "return the plan to normal on a directive (asks first)", true, Typed, None, confirm: true),
    bind!(Cmd::RaiseAlert, "alert", [], ["alert"], "COMMUNITY ITEM SEVERITY [TEXT]", "登记缺货预警", "raise a shortage alert", true, Typed, None),

    bind!(Cmd::QueueGaps, "queue_gaps", [], ["gaps"], "", "为全部未覆盖对象排队配送（先确认）", "queue a delivery for every coverage gap (asks first)", true, Typed, None, confirm: true),
    bind!(Cmd::Market, "market", [], ["market", "市场"], "[KIND]", "登记市场监测情况：涨价、囤积居奇、哄抬物价（预警交市场监管所）", "report a price rise, hoarding or gouging (an alert for 市场监管所)", true, Typed, None),
    bind!(Cmd::ShiftEnd, "shift_end", [], ["shift end"], "NAME", "交班给接班人（先确认，显示将带出的遗留事项数）", "hand the shift over to the incoming officer (asks first, with the carry-over count)", true, Typed, None, confirm: true),
    // Forms.
    bind!(Cmd::Submit, "submit", [Key::plain(K::Enter)], [], "", "确定", "confirm", false, Form, Some(("确定", "save"))),
    bind!(Cmd::Cancel, "cancel", [Key::plain(K::Esc)], [], "", "取消", "cancel", false, Form, Some(("取消", "cancel"))),
    bind!(Cmd::NextField, "next_field", [Key::plain(K::Tab), Key::plain(K::Down)], [], "", "下一栏", "next field", false, Form, Some(("下一栏", "next field"))),
    bind!(Cmd::PrevField, "prev_field", [Key::plain(K::BackTab), Key::plain(K::Up)], [], "", "上一栏", "previous field", false, Form, None),
    bind!(Cmd::ChoiceNext, "choice_next", [Key::plain(K::Right)], [], "", "下一个选项（也可直接输入）", "next choice (or type it)", false, Choice, Some(("选择", "choose"))),
    bind!(Cmd::ChoicePrev, "choice_prev", [Key::plain(K::Left)], [], "", "上一个选项", "previous choice", false, Choice, None),
    // Any text field.
    bind!(Cmd::FieldStart, "field_start", [Key::plain(K::Home), Key::ctrl('a')], [], "", "光标到行首", "cursor to the start", false, Field, None),
    bind!(Cmd::FieldEnd, "field_end", [Key::plain(K::End), Key::ctrl('e')], [], "", "光标到行尾", "cursor to the end", false, Field, None),
    bind!(Cmd::FieldWordLeft, "word_left", [Key { code: K::Left, mods: KeyModifiers::CONTROL }, Key { code: K::Char('b'), mods: KeyModifiers::ALT }], [], "", "光标左移一个词", "cursor one word left", false, Field, None),
    bind!(Cmd::FieldWordRight, "word_right", [Key { code: K::Right, mods: KeyModifiers::CONTROL }, Key { code: K::Char('f'), mods: KeyModifiers::ALT }], [], "", "光标右移一个词", "cursor one word right", false, Field, None),
    bind!(Cmd::FieldKillWord, "delete_word", [Key::ctrl('w'), Key { code: K::Backspace, mods: KeyModifiers::ALT }], [], "", "删除光标前的一个词", "delete the word before the cursor", false, Field, None),
    bind!(Cmd::FieldKillStart, "delete_to_start", [Key::ctrl('u')], [], "", "删除光标前的全部文字", "delete everything before the cursor", false, Field, None),
    bind!(Cmd::FieldKillEnd, "delete_to_end", [Key::ctrl('k')], [], "", "删除光标后的全部文字", "delete everything after the cursor", false, Field, None),
    // The command line.
    bind!(Cmd::Submit, "run", [Key::plain(K::Enter)], [], "", "执行", "run", false, CommandLine, Some(("执行", "run"))),
    bind!(Cmd::Cancel, "cancel", [Key::plain(K::Esc)], [], "", "取消", "cancel", false, CommandLine, Some(("取消", "cancel"))),
    bind!(Cmd::Complete, "complete", [Key::plain(K::Tab)], [], "", "补全（命令、社区、车牌）", "complete (commands, communities, plates)", false, CommandLine, Some(("补全", "complete"))),
    bind!(Cmd::HistoryPrev, "history_prev", [Key::plain(K::Up)], [], "", "上一条命令", "previous command", false, CommandLine, Some(("历史", "history"))),
    bind!(Cmd::HistoryNext, "history_next", [Key::plain(K::Down)], [], "", "下一条命令", "next command", false, CommandLine, None),
    // Plate lookup.
    bind!(Cmd::Submit, "check", [Key::plain(K::Enter)], [], "", "查询 / 查询所选近似车牌", "look up / look up the chosen near plate", false, Lookup, Some(("查询", "look up"))),
    bind!(Cmd::NextField, "near_next", [Key::plain(K::Down)], [], "", "选下一个近似车牌", "choose the next near plate", false, Lookup, Some(("近似车牌", "near plates"))),
    bind!(Cmd::PrevField, "near_prev", [Key::plain(K::Up)], [], "", "选上一个近似车牌", "choose the previous near plate", false, Lookup, None),
    bind!(Cmd::Close, "close", [Key::plain(K::Esc)], [], "", "关闭", "close", false, Lookup, Some(("关闭", "close"))),
    // Help and details.
    bind!(Cmd::ScrollDown, "scroll_down", [Key::ch('j'), Key::plain(K::Down)], [], "", "向下滚动一行", "scroll down a line", false, Reader, Some(("滚动", "scroll"))),
    bind!(Cmd::ScrollUp, "scroll_up", [Key::ch('k'), Key::plain(K::Up)], [], "", "向上滚动一行", "scroll up a line", false, Reader, None),
    bind!(Cmd::PageDown, "page_down", [Key::plain(K::PageDown), Key::ch(' '), Key::ctrl('f')], [], "", "下一页", "page down", false, Reader, Some(("翻页", "page"))),
    bind!(Cmd::PageUp, "page_up", [Key::plain(K::PageUp), Key::ctrl('b')], [], "", "上一页", "page up", false, Reader, None),
    bind!(Cmd::Top, "top", [Key::ch('g'), Key::plain(K::Home)], [], "", "到开头", "go to the start", false, Reader, None),
    bind!(Cmd::Bottom, "bottom", [Key::ch('G'), Key::plain(K::End)], [], "", "到末尾", "go to the end", false, Reader, None),
    bind!(Cmd::Close, "close", [Key::plain(K::Esc), Key::ch('q'), Key::plain(K::Enter), Key::ch('?')], [], "", "关闭", "close", false, Reader, Some(("关闭", "close"))),
    // The handover view.
    bind!(Cmd::Down, "down", [Key::ch('j'), Key::plain(K::Down)], [], "", "下一项遗留事项", "next carry-over item", false, Handover, Some(("选择", "select"))),
    bind!(Cmd::Up, "up", [Key::ch('k'), Key::plain(K::Up)], [], "", "上一项遗留事项", "previous carry-over item", false, Handover, None),
    bind!(Cmd::HandoverAck, "handover_ack", [Key::plain(K::Enter), Key::ch('a')], ["ack"], "[N|section|all]", "确认所选遗留事项并到下一项（接班人）", "acknowledge the selected carry-over item and move on (incoming officer)", true, Handover, Some(("确认此项", "ack item"))),
    bind!(Cmd::HandoverAckAll, "handover_ack_all", [Key::ch('A')], [], "", "确认交接及全部遗留事项（先问，说明总数）", "acknowledge the handover and every item (asks first, with the total)", true, Handover, Some(("全部确认", "ack all")), confirm: true),
    bind!(Cmd::HandoverAckSection, "handover_ack_section", [Key::ch('s')], [], "", "确认所选事项所在的一节（先问，说明项数）", "acknowledge the selected item's section (asks first, with its count)", true, Handover, Some(("整节确认", "ack section")), confirm: true),
    bind!(Cmd::PageDown, "page_down", [Key::plain(K::PageDown), Key::ctrl('f')], [], "", "报告全文下翻", "scroll the report down", false, Handover, None),
    bind!(Cmd::PageUp, "page_up", [Key::plain(K::PageUp), Key::ctrl('b')], [], "", "报告全文上翻", "scroll the report up", false, Handover, None),
    bind!(Cmd::HandoverText, "handover_text", [Key::ch('t')], [], "", "报告全文 / 摘要", "full report / summary", false, Handover, Some(("全文", "report"))),
    bind!(Cmd::ShiftOlder, "shift_older", [Key::ch('[')], [], "", "上一个班次", "the shift before", false, Handover, Some(("上一班", "older"))),
    bind!(Cmd::ShiftNewer, "shift_newer", [Key::ch(']')], [], "", "下一个班次", "the shift after", false, Handover, None),
    bind!(Cmd::Shifts, "shifts", [Key::ch('S')], ["shifts"], "", "班次列表：回顾以往班次及其报告", "shifts: review past shifts and their reports", false, Handover, Some(("班次", "shifts"))),
    bind!(Cmd::CommandLine, "command", [Key::ch(':')], [], "", "命令行（:ack N、:ack all）", "command line (:ack N, :ack all)", false, Handover, None),
    bind!(Cmd::Help, "help", [Key::ch('?')], [], "", "帮助：全部按键", "help: every key", false, Handover, None),
    bind!(Cmd::Close, "close", [Key::plain(K::Esc), Key::ch('q')], [], "", "关闭", "close", false, Handover, Some(("关闭", "close"))),
    // The list of shifts.
    bind!(Cmd::Down, "down", [Key::ch('j'), Key::plain(K::Down)], [], "", "下移", "move down", false, Shifts, None),
    bind!(Cmd::Up, "up", [Key::ch('k'), Key::plain(K::Up)], [], "", "上移", "move up", false, Shifts, None),
    bind!(Cmd::PageDown, "page_down", [Key::plain(K::PageDown), Key::ctrl('f')], [], "", "下一页", "page down", false, Shifts, None),
    bind!(Cmd::PageUp, "page_up", [Key::plain(K::PageUp), Key::ctrl('b')], [], "", "上一页", "page up", false, Shifts, None),
    bind!(Cmd::Top, "top", [Key::ch('g'), Key::plain(K::Home)], [], "", "到顶部", "go to the top", false, Shifts, None),
    bind!(Cmd::Details, "details", [Key::plain(K::Enter)], [], "", "打开该班次的交接报告", "open the shift's handover report", false, Shifts, Some(("打开", "open"))),
    bind!(Cmd::Close, "close", [Key::plain(K::Esc), Key::ch('q')], [], "", "关闭", "close", false, Shifts, Some(("关闭", "close"))),
    // The coverage gaps and welfare checks.
    bind!(Cmd::Down, "down", [Key::ch('j'), Key::plain(K::Down)], [], "", "下移", "move down", false, Reach, Some(("选择", "select"))),
    bind!(Cmd::Up, "up", [Key::ch('k'), Key::plain(K::Up)], [], "", "上移", "move up", false, Reach, None),
    bind!(Cmd::PageDown, "page_down", [Key::plain(K::PageDown), Key::ctrl('f')], [], "", "下一页", "page down", false, Reach, None),
    bind!(Cmd::PageUp, "page_up", [Key::plain(K::PageUp), Key::ctrl('b')], [], "", "上一页", "page up", false, Reach, None),
    bind!(Cmd::Top, "top", [Key::ch('g'), Key::plain(K::Home)], [], "", "到顶部", "go to the top", false, Reach, None),
    bind!(Cmd::Bottom, "bottom", [Key::ch('G'), Key::plain(K::End)], [], "", "到底部", "go to the bottom", false, Reach, None),
    bind!(Cmd::NextField, "next_section", [Key::plain(K::Tab), Key::plain(K::BackTab)], [], "", "切换：覆盖缺口 / 需探视", "switch: coverage gaps / welfare checks", false, Reach, Some(("切换", "switch"))),
    bind!(Cmd::Contact, "reach_contact", [Key::plain(K::Enter)], [], "", "为所选对象记录联系（联系上即解除缺口和探视）", "log a contact with the selected recipient (reaching them closes the gap and the check)", true, Reach, Some(("记录联系", "log contact"))),
    bind!(Cmd::Close, "close", [Key::plain(K::Esc), Key::ch('q')], [], "", "关闭", "close", false, Reach, Some(("关闭", "close"))),
    // Questions.
    bind!(Cmd::Yes, "yes", [Key::ch('y'), Key::ch('Y')], [], "", "是", "yes", false, Confirm, Some(("是", "yes"))),
    bind!(Cmd::No, "no", [Key::ch('n'), Key::ch('N'), Key::plain(K::Esc)], [], "", "否", "no", false, Confirm, Some(("否", "no"))),
];

/// Does this command write to the database? Read from the table, so the
/// answer is the same for a key and for a typed command.
pub fn changes_data(cmd: Cmd) -> bool {
    TABLE.iter().any(|b| b.cmd == cmd && b.changes)
}

/// Does this command ask first? Read from the table, like
/// [`changes_data`].
pub fn confirms(cmd: Cmd) -> bool {
    TABLE.iter().any(|b| b.cmd == cmd && b.confirm)
}

/// The table with the config's key overrides applied.
#[derive(Debug, Clone)]
pub struct Keymap {
    keys: Vec<Vec<Key>>,
}

impl Keymap {
    /// Applies `overrides` (action name → key). Unknown names or keys are
    /// returned as one warning for the officer.
    pub fn new(overrides: &BTreeMap<String, String>) -> (Keymap, Option<Msg>) {
        let mut keys: Vec<Vec<Key>> = TABLE.iter().map(|b| b.keys.to_vec()).collect();
        let mut bad: Vec<String> = Vec::new();
        for (name, key) in overrides {
            let rows: Vec<usize> = TABLE
                .iter()
                .enumerate()
                .filter(|(_, b)| b.name == name.as_str() && !b.keys.is_empty())
                .map(|(i, _)| i)
                .collect();
            match (rows.is_empty(), Key::parse(key)) {
                (false, Some(k)) => {
                    for i in rows {
                        keys[i] = vec![k];
                    }
                }
                _ => bad.push(format!("{name} = \"{key}\"")),
            }
        }
        let warning = (!bad.is_empty()).then(|| {
            let list = bad.join(", ");
            msg!(
                "配置中的按键设置无法识别：{list}；已忽略，按 ? 查看可用的动作名。",
                "These key settings in the config were not understood and are ignored: {list}; press ? for the action names."
            )
        });
        (Keymap { keys }, warning)
    }

    /// The keys of table row `i`.
    pub fn keys_of(&self, i: usize) -> &[Key] {
        self.keys.get(i).map_or(&[], Vec::as_slice)
    }

    /// The first binding in `contexts` (searched in order) matching `ev`.
    pub fn lookup(&self, ev: &KeyEvent, contexts: &[Context]) -> Option<&'static Binding> {
        contexts.iter().find_map(|ctx| {
            TABLE
                .iter()
                .enumerate()
                .filter(|(_, b)| b.ctx == *ctx)
                .find(|(i, _)| self.keys_of(*i).iter().any(|k| k.matches(ev)))
                .map(|(_, b)| b)
        })
    }

    /// `(key labels, binding)` for each row of `contexts` with keys.
    pub fn rows<'a>(
        &'a self,
        contexts: &'a [Context],
    ) -> impl Iterator<Item = (Vec<String>, &'static Binding)> + 'a {
        TABLE
            .iter()
            .enumerate()
            .filter(move |(_, b)| contexts.contains(&b.ctx))
            .filter_map(move |(i, b)| {
                let keys = self.keys_of(i);
                if keys.is_empty() {
                    return None;
                }
                Some((keys.iter().map(Key::label).collect(), b))
            })
    }
}

/// The binding of a typed command word (`note`, `q`, ...).
pub fn by_word(word: &str) -> Option<&'static Binding> {
    by_word_in(word, &[])
}

/// The binding of a typed command word; a word two panes share
/// (`cancel`) means the one of the `active` contexts, else the first.
pub fn by_word_in(word: &str, active: &[Context]) -> Option<&'static Binding> {
    let w = word.trim().to_lowercase();
    let mut all = TABLE.iter().filter(|b| b.words.iter().any(|x| *x == w));
    let first = all.next()?;
    if active.contains(&first.ctx) {
        return Some(first);
    }
    Some(all.find(|b| active.contains(&b.ctx)).unwrap_or(first))
}

/// The binding a command line names, and the rest of the line. Some
/// commands are two words (`shift start`, `shift end NAME`); they are
/// tried first.
pub fn by_line_in<'l>(line: &'l str, active: &[Context]) -> Option<(&'static Binding, &'l str)> {
    let line = line.trim();
    let (first, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let rest = rest.trim_start();
    let (second, after) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    if !second.is_empty()
        && let Some(b) = by_word_in(&format!("{first} {second}"), active)
    {
        return Some((b, after.trim()));
    }
    by_word_in(first, active).map(|b| (b, rest))
}

/// Every typed command word, for completion and help.
pub fn words() -> impl Iterator<Item = &'static str> {
    TABLE.iter().flat_map(|b| b.words.first().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_their_config_spelling() {
        for s in [
            "N", "ctrl-n", "F2", "enter", "space", "pgdn", "alt-x", "S-Tab",
        ] {
            assert!(Key::parse(s).is_some(), "{s}");
        }
        assert_eq!(Key::parse("ctrl-n"), Some(Key::ctrl('n')));
        assert_eq!(Key::parse("bogus"), None);
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        let (map, _) = Keymap::new(&BTreeMap::new());
        for (i, a) in TABLE.iter().enumerate() {
            for (j, b) in TABLE.iter().enumerate().skip(i + 1) {
                if a.ctx != b.ctx {
                    continue;
                }
                for ka in map.keys_of(i) {
                    assert!(
                        !map.keys_of(j).contains(ka),
                        "{:?} bound to {} and {}",
                        ka,
                        a.name,
                        b.name
                    );
                }
            }
        }
    }

    #[test]
    fn overrides_replace_keys_and_bad_ones_are_reported() {
        let mut o = BTreeMap::new();
        o.insert("note".to_string(), "a".to_string());
        o.insert("nonsense".to_string(), "x".to_string());
        let (map, warn) = Keymap::new(&o);
        let ev = KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE);
        assert_eq!(
            map.lookup(&ev, &[Context::Global]).map(|b| b.cmd),
            Some(Cmd::Note)
        );
        let old = KeyEvent::new(KeyCode::Char('N'), KeyModifiers::SHIFT);
        assert_eq!(map.lookup(&old, &[Context::Global]).map(|b| b.cmd), None);
        assert!(warn.is_some_and(|m| m.en.contains("nonsense")));
    }
}
