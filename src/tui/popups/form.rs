//! Forms: a duty note, a directive, the officer's name, a shortage alert,
//! a pass, a delivery, and one small form for each step of an alert, a
//! pass or a delivery, for a correction, and for handing a shift over.
//! Text fields are tui-input fields with a length limit and a visible
//! count; a field with fixed choices also takes ←/→. A refusal is one
//! sentence under the field it is about, and nothing typed is lost: the
//! form stays until it is saved or the officer cancels it.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use tui_input::Input;
use unicode_width::UnicodeWidthStr;

use super::centered;
use super::pick::{PickSpec, Picker};
use crate::domain::Code;
use crate::domain::activation::{ActivationAction, DIRECTIVE_MAX_CHARS};
use crate::domain::alert::{ItemClass, Severity};
use crate::domain::cover::{ContactChannel, MarketKind};
use crate::domain::delivery::{FailReason, Urgency};
use crate::domain::pick::Kind;
use crate::domain::text::{pad_to_width, sanitize, truncate_to_width};
use crate::i18n::Lang;
use crate::msg;
use crate::msg::Msg;
use crate::store::fields::{NAME_MAX_CHARS, PHONE_MAX_CHARS, TEXT_MAX_CHARS};
use crate::tui::theme::{Theme, Tone};

/// A duty-log entry's longest text.
pub const NOTE_MAX_CHARS: usize = crate::domain::log::TEXT_MAX_CHARS;
/// A typed time (`2026-11-30 14:00`, `+2h`).
const TIME_MAX_CHARS: usize = 40;
/// A plate as typed, with dots and spaces.
const PLATE_MAX_CHARS: usize = 20;
/// A household count.
const COUNT_MAX_CHARS: usize = 9;
/// A quantity as typed (`3,200 kg`).
const QUANTITY_MAX_CHARS: usize = 20;
/// A choice's label as typed.
const CHOICE_MAX_CHARS: usize = 30;
/// The officer's name.
pub const OFFICER_MAX_CHARS: usize = 40;
/// Who an alert is dispatched to: a supply unit, or a person as typed.
pub const DISPATCH_TO: PickSpec = PickSpec::of(&[Kind::Unit]).free();
/// The incoming officer: one who has been on duty, or a new name.
pub const INCOMING: PickSpec = PickSpec::of(&[Kind::Officer]).free();

/// What a form does; the row it acts on travels with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    Note,
    Directive(ActivationAction),
    Officer,
    Alert,
    Pass,
    Delivery,
    Dispatch(i64),
    Resolve(i64),
    CancelAlert(i64),
    Severity(i64),
    Extend(i64),
    Suspend(i64),
    Revoke(i64),
    Assign(i64),
    Deliver(i64),
    Fail(i64),
    Requeue(i64),
    CancelDelivery(i64),
    Correct(i64),
    /// Hand the shift on duty over to the incoming officer.
    EndShift,
    /// A stock report of a community (issue 7).
    Stock,
    /// A price rise, hoarding or gouging at a unit or outlet.
    Market,
    /// A call or visit to a recipient; the recipient it opened with, if
    /// it was opened on one (a gap, a welfare check, a delivery).
    Contact(Option<i64>),
}

/// One of a field's fixed choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    pub code: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

impl Choice {
    pub fn label(&self, lang: Lang) -> &'static str {
        lang.t(self.zh, self.en)
    }

    fn matches(&self, typed: &str) -> bool {
        let t = typed.trim();
        let lower = t.to_lowercase();
        self.code == lower || self.zh == t || self.en.to_lowercase() == lower
    }
}

/// The choices of a coded enumeration, in its order.
pub fn choices_of<T: Code>() -> Vec<Choice> {
    T::ALL
        .iter()
        .map(|v| Choice {
            code: v.code(),
            zh: v.label_zh(),
            en: v.label_en(),
        })
        .collect()
}

/// What to do with a delivery after marking it failed.
pub const THEN_REQUEUE: Choice = Choice {
    code: "requeue",
    zh: "重新排队",
    en: "requeue",
};
/// Whether a contact reached the recipient: only then does it count.
pub const REACHED: Choice = Choice {
    code: "y",
    zh: "已联系上",
    en: "reached",
};
pub const NOT_REACHED: Choice = Choice {
    code: "n",
    zh: "未联系上",
    en: "not reached",
};
pub const THEN_LEAVE: Choice = Choice {
    code: "leave",
    zh: "暂不排队",
    en: "leave it failed",
};

#[derive(Debug, Clone)]
pub struct Field {
    pub label: (&'static str, &'static str),
    pub hint: (&'static str, &'static str),
    pub input: Input,
    /// The most characters it takes; typing stops there.
    pub max: usize,
    /// Fixed choices: ←/→ step through them, typing a label works too.
    pub choices: Vec<Choice>,
    /// Why the value was refused: one sentence, shown under the field.
    pub error: Option<Msg>,
    /// What the value reads as (a time, a plate, a match), shown under
    /// the field; `true` when it is a warning.
    pub note: Option<(Msg, bool)>,
    /// Names to step through with ←/→ (the registered communities).
    /// Unlike `choices`, any text may be typed; it is resolved on saving.
    pub options: Vec<String>,
    /// The value it opened with, so an untouched form closes quietly.
    initial: String,
    /// A name field: the registered names its text matches.
    pub pick: Option<Box<Picker>>,
}

fn field(label: (&'static str, &'static str), hint: (&'static str, &'static str)) -> Field {
    Field {
        label,
        hint,
        input: Input::default(),
        max: NAME_MAX_CHARS,
        choices: Vec::new(),
        error: None,
        note: None,
        options: Vec::new(),
        initial: String::new(),
        pick: None,
    }
}

impl Field {
    fn max(mut self, n: usize) -> Field {
        self.max = n;
        self
    }

    fn choices(mut self, c: Vec<Choice>) -> Field {
        self.choices = c;
        self.max = CHOICE_MAX_CHARS;
        self
    }

    /// A name field: matches offered as it is typed (see [`super::pick`]).
    pub fn pick(mut self, spec: PickSpec) -> Field {
        self.pick = Some(Box::new(Picker::new(spec)));
        self
    }

    /// The record picked for this field, while its text is still its name.
    pub fn picked(&self) -> Option<(Kind, i64)> {
        self.pick.as_ref()?.taken(self.input.value())
    }

    /// Names ←/→ step through; typing stays free.
    pub fn options(mut self, o: Vec<String>) -> Field {
        self.options = o;
        self
    }

    /// Takes ←/→: fixed choices or names to step through.
    pub fn steps(&self) -> bool {
        !self.choices.is_empty() || !self.options.is_empty()
    }

    /// Prefilled, the cursor at the end, as in every editor: typing adds,
    /// Backspace takes back.
    fn with_value(mut self, v: &str) -> Field {
        self.input = Input::new(v.to_string());
        self.initial = v.to_string();
        self
    }

    /// Is the value other than the one it opened with?
    pub fn changed(&self) -> bool {
        self.input.value().trim() != self.initial.trim()
    }

    /// Characters typed.
    pub fn count(&self) -> usize {
        self.input.value().chars().count()
    }

    /// The choice the typed text names, if any.
    pub fn chosen(&self) -> Option<&Choice> {
        self.choices.iter().find(|c| c.matches(self.input.value()))
    }

    /// Steps to the next (or previous) choice and shows its label.
    pub fn cycle(&mut self, forward: bool, lang: Lang) {
        if self.choices.is_empty() && !self.options.is_empty() {
            let n = self.options.len();
            let cur = self
                .options
                .iter()
                .position(|o| o == self.input.value().trim());
            let next = match (cur, forward) {
                (None, true) => 0,
                (None, false) => n - 1,
                (Some(i), true) => (i + 1) % n,
                (Some(i), false) => (i + n - 1) % n,
            };
            self.input = Input::new(self.options[next].clone());
            self.error = None;
            return;
        }
        let n = self.choices.len();
        if n == 0 {
            return;
        }
        let cur = self
            .choices
            .iter()
            .position(|c| c.matches(self.input.value()));
        let next = match (cur, forward) {
            (None, true) => 0,
            (None, false) => n - 1,
            (Some(i), true) => (i + 1) % n,
            (Some(i), false) => (i + n - 1) % n,
        };
        self.input = Input::new(self.choices[next].label(lang).to_string());
        self.error = None;
    }

    /// Cuts what is over the limit; says so when it did.
    pub fn enforce_max(&mut self) -> bool {
        if self.count() <= self.max {
            return false;
        }
        let cut: String = self.input.value().chars().take(self.max).collect();
        let cursor = self.input.cursor().min(self.max);
        self.input = Input::new(cut).with_cursor(cursor);
        let (max, zh, en) = (self.max, self.label.0, self.label.1);
        self.error = Some(msg!(
            "{zh}最多 {max} 字，超出的部分未录入。",
            "{en} takes at most {max} characters; the rest was not taken."
        ));
        true
    }
}

#[derive(Debug, Clone)]
pub struct Form {
    pub kind: FormKind,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// A refusal not about one field (the store said no), under the form.
    pub error: Option<Msg>,
    /// A line above the fields (the current state, what will happen).
    pub intro: Option<Msg>,
    /// Enter asks before anything is written (deactivate, revoke, cancel).
    pub dangerous: bool,
    /// The row's name where the id is not what people read (a pass's
    /// number), for the flash.
    pub target: String,
    /// The newest log entry the screen showed when the form opened: the
    /// change is made on the record as it was then, or refused.
    pub seen: i64,
}

fn text_field(label: (&'static str, &'static str), hint: (&'static str, &'static str)) -> Field {
    field(label, hint).max(TEXT_MAX_CHARS)
}

fn time_field(label: (&'static str, &'static str), hint: (&'static str, &'static str)) -> Field {
    field(label, hint).max(TIME_MAX_CHARS)
}

const FUTURE_HINT: (&str, &str) = (
    "如 14:00、+2h、+7d、2026-12-05 18:00",
    "e.g. 14:00, +2h, +7d, 2026-12-05 18:00",
);

impl Form {
    fn new(kind: FormKind, fields: Vec<Field>) -> Form {
        Form {
            kind,
            fields,
            focus: 0,
            error: None,
            intro: None,
            dangerous: false,
            target: String::new(),
            seen: 0,
        }
    }

    fn with_intro(mut self, intro: Msg) -> Form {
        self.intro = Some(intro);
        self
    }

    fn dangerous(mut self) -> Form {
        self.dangerous = true;
        self
    }

    /// A note, a call or an instruction (the kind, 记事 unless chosen);
    /// a call says who called and from where.
    pub fn note() -> Form {
        use crate::domain::log::LogKind;
        let kinds = [LogKind::Note, LogKind::Call, LogKind::Instruction]
            .into_iter()
            .map(|k| Choice {
                code: k.code(),
                zh: k.label_zh(),
                en: k.label_en(),
            })
            .collect();
        Form::new(
            FormKind::Note,
            vec![
                field(("记事内容", "Note"), ("发生了什么", "what happened")).max(NOTE_MAX_CHARS),
                time_field(
                    ("发生时间（可空）", "Happened at (optional)"),
                    (
                        "如 08:30、2026-11-29 08:30、-2h；空 = 现在",
                        "e.g. 08:30, 2026-11-29 08:30, -2h; empty = now",
                    ),
                ),
                field(
                    ("类别", "Kind"),
                    ("←/→ 记事、来电、指示", "←/→ note, call, instruction"),
                )
                .choices(kinds)
                .with_value(LogKind::Note.label_zh()),
                field(
                    ("来电人（来电时填）", "Caller (for a call)"),
                    ("如 社区书记 李明", "e.g. 社区书记 李明"),
                ),
                field(
                    ("来电单位（可空）", "Calling from (optional)"),
                    ("社区或单位", "a community or a unit"),
                ),
            ],
        )
    }

    pub fn directive(action: ActivationAction) -> Form {
        let f = Form::new(
            FormKind::Directive(action),
            vec![
                field(
                    ("指令文号", "Directive reference"),
                    ("如 联控指挥部〔2022〕60号", "e.g. 联控指挥部〔2022〕60号"),
                )
                .max(DIRECTIVE_MAX_CHARS),
                time_field(
                    ("指令接收时间（可空）", "Received at (optional)"),
                    (
                        "早于现在，如 08:30、-15m；空 = 现在",
                        "earlier than now, e.g. 08:30, -15m; empty = now",
                    ),
                ),
            ],
        );
        match action {
            ActivationAction::Deactivate => f.dangerous(),
            ActivationAction::Activate => f,
        }
    }

    pub fn officer() -> Form {
        Form::new(
            FormKind::Officer,
            vec![
                field(
                    ("值班员姓名", "Officer on duty"),
                    ("每条记录都会署此名", "recorded on every entry"),
                )
                .max(OFFICER_MAX_CHARS),
            ],
        )
    }

    pub fn alert() -> Form {
        Form::new(
            FormKind::Alert,
            vec![
                field(
                    ("社区（村）", "Community"),
                    (
                        "名称中的几个字或拼音首字母，如 lsb",
                        "part of the name or its pinyin initials, e.g. lsb",
                    ),
                )
                .pick(PickSpec::of(&[Kind::Community])),
                field(("小区（组）（可空）", "Compound (optional)"), ("", ""))
                    .pick(PickSpec::of(&[Kind::Compound]).within(0)),
                field(("物资类别", "Item class"), ("", "")).choices(choices_of::<ItemClass>()),
                field(("紧急程度", "Severity"), ("", "")).choices(choices_of::<Severity>()),
                field(("涉及户数（可空）", "Households (optional)"), ("", "")).max(COUNT_MAX_CHARS),
                field(
                    ("来源（可空）", "Reported by (optional)"),
                    (
                        "如 社区电话、市场监管所",
                        "e.g. community phone call, market inspector",
                    ),
                ),
                text_field(("说明（可空）", "Description (optional)"), ("", "")),
            ],
        )
    }

    pub fn pass() -> Form {
        Form::new(
            FormKind::Pass,
            vec![
                field(
                    ("车牌号", "Plate"),
                    (
                        "已登记的车辆或新车",
                        "a vehicle in the ledger, or a new one",
                    ),
                )
                .max(PLATE_MAX_CHARS)
                .pick(PickSpec::of(&[Kind::Vehicle]).offer_only()),
                time_field(("有效至", "Valid until"), FUTURE_HINT),
                field(
                    ("发证单位", "Issued by"),
                    (
                        "如 经发办、交委办、农服中心",
                        "e.g. 经发办, 交委办, 农服中心",
                    ),
                ),
                field(
                    ("通行区域/线路（可空）", "Area or route (optional)"),
                    ("空 = 不限", "empty = anywhere"),
                ),
                field(
                    (
                        "保供单位（新车，可空）",
                        "Supply unit (new vehicle, optional)",
                    ),
                    ("", ""),
                )
                .pick(PickSpec::of(&[Kind::Unit])),
                field(
                    ("驾驶员（新车，可空）", "Driver (new vehicle, optional)"),
                    ("", ""),
                ),
                field(
                    (
                        "驾驶员电话（新车，可空）",
                        "Driver's phone (new vehicle, optional)",
                    ),
                    ("", ""),
                )
                .max(PHONE_MAX_CHARS),
                field(
                    ("车型（新车，可空）", "Vehicle type (new vehicle, optional)"),
                    ("如 厢式货车", "e.g. box van"),
                ),
            ],
        )
    }

    pub fn delivery() -> Form {
        Form::new(
            FormKind::Delivery,
            vec![
                field(
                    ("配送对象", "Recipient"),
                    (
                        "姓名、地址或类别中的几个字，或姓名拼音首字母",
                        "part of the name, address or group, or the name's pinyin initials",
                    ),
                )
                .pick(PickSpec::of(&[Kind::Recipient])),
                text_field(
                    ("配送物品", "Items"),
                    ("如 透析药品 1 箱", "e.g. 1 box of dialysis drugs"),
                ),
                field(("紧急程度", "Urgency"), ("", "")).choices(choices_of::<Urgency>()),
                time_field(("送达时限", "Due"), FUTURE_HINT),
            ],
        )
    }

    pub fn dispatch(id: i64, about: Msg) -> Form {
        Form::new(
            FormKind::Dispatch(id),
            vec![field(
                ("派往", "Dispatch to"),
                (
                    "保供单位（名称中的几个字或拼音首字母）或责任人，如 社区书记 李明",
                    "a supply unit (part of its name or its initials) or a person, e.g. 社区书记 李明",
                ),
            )
            .pick(DISPATCH_TO)],
        )
        .with_intro(about)
    }

    pub fn resolve(id: i64, about: Msg) -> Form {
        Form::new(
            FormKind::Resolve(id),
            vec![text_field(
                ("处理结果", "Outcome"),
                ("如 已调运大米 50 袋", "e.g. 50 bags of rice delivered"),
            )],
        )
        .with_intro(about)
    }

    pub fn cancel_alert(id: i64, about: Msg) -> Form {
        Form::new(
            FormKind::CancelAlert(id),
            vec![text_field(
                ("撤销原因", "Why cancel"),
                ("如 误报、与 #12 重复", "e.g. false report, same as #12"),
            )],
        )
        .with_intro(about)
        .dangerous()
    }

    pub fn severity(id: i64, about: Msg) -> Form {
        Form::new(
            FormKind::Severity(id),
            vec![
                field(("新的紧急程度", "New severity"), ("", "")).choices(choices_of::<Severity>()),
            ],
        )
        .with_intro(about)
    }

    pub fn extend(id: i64, about: Msg) -> Form {
        Form::new(
            FormKind::Extend(id),
            vec![time_field(
                ("延期至", "Valid until"),
                (
                    "+3d = 现有截止再延 3 天；或 2026-12-05 18:00",
                    "+3d = three days past its current end; or 2026-12-05 18:00",
                ),
            )],
        )
        .with_intro(about)
    }

    pub fn suspend(id: i64, about: Msg) -> Form {
        Form::new(
            FormKind::Suspend(id),
            vec![text_field(
                ("暂停原因", "Why suspend"),
                (
                    "如 驾驶员健康码异常",
                    "e.g. the driver's health code is red",
                ),
            )],
        )
        .with_intro(about)
    }

    pub fn revoke(id: i64, about: Msg) -> Form {
        Form::new(
            FormKind::Revoke(id),
            vec![text_field(
                ("吊销原因", "Why revoke"),
                ("如 违规载客", "e.g. carried passengers against the rules"),
            )],
        )
        .with_intro(about)
        .dangerous()
    }

    pub fn assign(id: i64, about: Msg) -> Form {
        Form::new(
            FormKind::Assign(id),
            vec![
                field(
                    ("志愿者或车牌", "Volunteer or plate"),
                    (
                        "志愿者姓名，或车辆台账中的车牌",
                        "a volunteer's name, or a plate in the vehicle ledger",
                    ),
                )
                .pick(PickSpec::of(&[Kind::Volunteer, Kind::Vehicle]).offer_only()),
            ],
        )
        .with_intro(about)
    }

    pub fn deliver(id: i64, about: Msg) -> Form {
        Form::new(
            FormKind::Deliver(id),
            vec![field(
                ("签收人", "Received by"),
                (
                    "本人、家属、门卫，或签收人姓名",
                    "self, family, guard, or the receiver's name",
                ),
            )],
        )
        .with_intro(about)
    }

    pub fn fail(id: i64, about: Msg) -> Form {
        Form::new(
            FormKind::Fail(id),
            vec![
                field(("未送达原因", "Reason"), ("", "")).choices(choices_of::<FailReason>()),
                text_field(
                    (
                        "说明（原因为“其他”时必填）",
                        "Note (required for \"other\")",
                    ),
                    ("", ""),
                ),
                field(("然后", "Then"), ("", ""))
                    .choices(vec![THEN_REQUEUE, THEN_LEAVE])
                    .with_value(THEN_REQUEUE.zh),
                time_field(
                    ("新的送达时限（可空）", "New due time (optional)"),
                    (
                        "重新排队时；空 = 原时限",
                        "when requeued; empty = as before",
                    ),
                ),
            ],
        )
        .with_intro(about)
    }

    pub fn requeue(id: i64, about: Msg) -> Form {
        Form::new(
            FormKind::Requeue(id),
            vec![time_field(
                ("新的送达时限（可空）", "New due time (optional)"),
                ("空 = 原时限", "empty = as before"),
            )],
        )
        .with_intro(about)
    }

    pub fn cancel_delivery(id: i64, about: Msg) -> Form {
        Form::new(
            FormKind::CancelDelivery(id),
            vec![text_field(
                ("取消原因", "Why cancel"),
                (
                    "如 对象已转入定点医院",
                    "e.g. the recipient moved to a designated hospital",
                ),
            )],
        )
        .with_intro(about)
        .dangerous()
    }

    /// A correction starts from the old text, to be edited.
    pub fn correct(seq: i64, about: Msg, old_text: &str) -> Form {
        let old: String = old_text.chars().take(NOTE_MAX_CHARS).collect();
        Form::new(
            FormKind::Correct(seq),
            vec![
                field(
                    ("更正后的内容", "Corrected text"),
                    (
                        "原记录保留并标为已更正",
                        "the old entry stays, marked corrected",
                    ),
                )
                .max(NOTE_MAX_CHARS)
                .with_value(&old),
            ],
        )
        .with_intro(about)
    }

    /// The incoming officer's name; asked about before it is written.
    pub fn end_shift() -> Form {
        Form::new(
            FormKind::EndShift,
            vec![
                field(
                    ("接班人", "Incoming officer"),
                    (
                        "接班值班员的姓名（不能是本人）",
                        "the name of the officer who takes over (not you)",
                    ),
                )
                .max(OFFICER_MAX_CHARS)
                .pick(INCOMING),
            ],
        )
        .dangerous()
    }

    /// A stock report: the figures a community, unit, outlet or transfer
    /// station gave; `communities` are stepped through with ←/→.
    pub fn stock(communities: Vec<String>) -> Form {
        Form::new(
            FormKind::Stock,
            vec![
                field(
                    ("社区（村）", "Community"),
                    (
                        "名称中的几个字或拼音首字母（lsb），←/→ 逐个选择",
                        "part of the name or its initials (lsb), ←/→ to step through",
                    ),
                )
                .options(communities)
                .pick(PickSpec::of(&[Kind::Community])),
                field(("物资类别", "Item class"), ("", "")).choices(choices_of::<ItemClass>()),
                field(
                    ("库存", "Stock on hand"),
                    (
                        "如 3200、3200kg、3.2t、500斤（防护用品：件）",
                        "e.g. 3200, 3200kg, 3.2t, 500斤 (protective supplies: pieces)",
                    ),
                )
                .max(QUANTITY_MAX_CHARS),
                field(
                    ("日到货量（可空）", "Supply in per day (optional)"),
                    ("同上计量；空 = 0", "same measure; empty = 0"),
                )
                .max(QUANTITY_MAX_CHARS),
                time_field(
                    ("数字截至（可空）", "Figures as of (optional)"),
                    (
                        "如 08:30、2026-11-29 08:30、-2h；空 = 现在",
                        "e.g. 08:30, 2026-11-29 08:30, -2h; empty = now",
                    ),
                ),
                field(
                    ("报告来源（可空）", "Source (optional)"),
                    (
                        "保供单位、网点或小区（中转站）名称；空 = 社区汇总",
                        "a supply unit, outlet or compound (its transfer station); empty = the community's count",
                    ),
                )
                .pick(PickSpec::of(&[Kind::Unit, Kind::Outlet, Kind::Station]).within(0)),
                field(("报告人（可空）", "Reporter (optional)"), ("", "")),
                field(
                    ("渠道（可空）", "Came in by (optional)"),
                    ("如 电话、报表", "e.g. phone, report sheet"),
                ),
            ],
        )
    }

    /// A market report against a unit or outlet, for 市场监管所.
    pub fn market(communities: Vec<String>) -> Form {
        Form::new(
            FormKind::Market,
            vec![
                field(("情况", "What was seen"), ("", "")).choices(choices_of::<MarketKind>()),
                field(
                    ("保供单位或网点", "Supply unit or outlet"),
                    (
                        "名称；同名时写 单位:名称 或 网点:名称",
                        "its name; if both exist, unit:NAME or outlet:NAME",
                    ),
                )
                .pick(PickSpec::of(&[Kind::Unit, Kind::Outlet])),
                field(
                    ("社区（村）（可空）", "Community (optional)"),
                    (
                        "空 = 单位或网点所在社区；←/→ 选择",
                        "empty = the unit's or outlet's; ←/→ to step through",
                    ),
                )
                .options(communities)
                .pick(PickSpec::of(&[Kind::Community])),
                field(("物资类别（可空）", "Item class (optional)"), ("", ""))
                    .choices(choices_of::<ItemClass>()),
                field(("紧急程度（可空）", "Severity (optional)"), ("", ""))
                    .choices(choices_of::<Severity>()),
                text_field(
                    ("情况说明", "Description"),
                    (
                        "如 大米每袋涨价 20 元",
                        "e.g. rice up 20 yuan a bag",
                    ),
                ),
                field(
                    ("来源（可空）", "Reported by (optional)"),
                    (
                        "如 群众举报电话、市场巡查",
                        "e.g. a resident's call, market patrol",
                    ),
                ),
            ],
        )
        .with_intro(msg!(
            "市场监测预警记在社区的预警板上，处理单位为市场监管所。",
            "A market alert goes on the community's board, with 市场监管所 (market supervision) as its handler."
        ))
    }

    /// A call or visit to a recipient; opened on one, `recipient` is its
    /// number and `label` its masked name and address.
    pub fn contact(recipient: Option<(i64, &str)>) -> Form {
        let mut who = field(
            ("对象", "Recipient"),
            (
                "姓名、地址或类别中的几个字（显示已遮蔽）",
                "part of the name, the address or the group (shown masked)",
            ),
        )
        .pick(PickSpec::of(&[Kind::Recipient]));
        if let Some((id, label)) = recipient {
            who = who.with_value(label);
            if let Some(p) = who.pick.as_mut() {
                p.taken = Some((label.trim().to_string(), Kind::Recipient, id));
            }
        }
        let mut f = Form::new(
            FormKind::Contact(recipient.map(|r| r.0)),
            vec![
                who,
                field(("方式", "How"), ("", ""))
                    .choices(choices_of::<ContactChannel>())
                    .with_value(ContactChannel::Phone.label_zh()),
                field(("联系上了吗（y/n）", "Reached? (y/n)"), ("", ""))
                    .choices(vec![REACHED, NOT_REACHED]),
                text_field(("说明（可空）", "Note (optional)"), ("", "")),
                time_field(
                    ("联系时间（可空）", "When (optional)"),
                    ("如 08:30、-2h；空 = 现在", "e.g. 08:30, -2h; empty = now"),
                ),
            ],
        );
        if recipient.is_some() {
            f.focus = 1;
        }
        f
    }

    /// For a form built in language `lang`: choices start in that
    /// language (the fail form's default "then").
    pub fn localize(mut self, lang: Lang) -> Form {
        for f in &mut self.fields {
            if let Some(c) = f.chosen().copied()
                && f.input.value() == f.initial
            {
                let label = c.label(lang).to_string();
                f.input = Input::new(label.clone());
                f.initial = label;
            }
        }
        self
    }

    pub fn title(&self, lang: Lang) -> &'static str {
        match self.kind {
            FormKind::Note => lang.t("记一条值守日志", "Duty-log note"),
            FormKind::Directive(ActivationAction::Activate) => {
                lang.t("激活预案", "Activate the plan")
            }
            FormKind::Directive(ActivationAction::Deactivate) => {
                lang.t("解除预案，恢复平时", "Return the plan to normal")
            }
            FormKind::Officer => lang.t("值班员登记", "Who is on duty?"),
            FormKind::Alert => lang.t("登记缺货预警", "Raise a shortage alert"),
            FormKind::Pass => lang.t("发放车辆通行证", "Issue a vehicle pass"),
            FormKind::Delivery => lang.t("新建配送任务", "Queue a delivery"),
            FormKind::Dispatch(_) => lang.t("预警派单", "Dispatch the alert"),
            FormKind::Resolve(_) => lang.t("预警已解决", "Resolve the alert"),
            FormKind::CancelAlert(_) => lang.t("撤销预警", "Cancel the alert"),
            FormKind::Severity(_) => lang.t("更改紧急程度", "Change the severity"),
            FormKind::Extend(_) => lang.t("通行证延期", "Extend the pass"),
            FormKind::Suspend(_) => lang.t("暂停通行证", "Suspend the pass"),
            FormKind::Revoke(_) => lang.t("吊销通行证", "Revoke the pass"),
            FormKind::Assign(_) => lang.t("分派配送", "Assign the delivery"),
            FormKind::Deliver(_) => lang.t("配送已送达", "Delivered"),
            FormKind::Fail(_) => lang.t("配送未送达", "Not delivered"),
            FormKind::Requeue(_) => lang.t("重新排队", "Requeue the delivery"),
            FormKind::CancelDelivery(_) => lang.t("取消配送", "Cancel the delivery"),
            FormKind::Correct(_) => lang.t("更正记录", "Correct an entry"),
            FormKind::EndShift => lang.t("交班", "Hand the shift over"),
            FormKind::Stock => lang.t("登记库存报告", "Record a stock report"),
            FormKind::Market => lang.t("市场监测报告", "Report a market problem"),
            FormKind::Contact(_) => lang.t("记录联系", "Log a contact"),
        }
    }

    /// Fills field `i` as if it had opened with `v` (nothing to lose yet).
    pub fn prefill(&mut self, i: usize, v: &str) {
        if let Some(f) = self.fields.get_mut(i) {
            f.input = Input::new(v.to_string());
            f.initial = v.to_string();
        }
    }

    pub fn value(&self, i: usize) -> &str {
        self.fields.get(i).map_or("", |f| f.input.value().trim())
    }

    pub fn focused(&self) -> Option<&Field> {
        self.fields.get(self.focus)
    }

    pub fn focused_mut(&mut self) -> Option<&mut Field> {
        self.fields.get_mut(self.focus)
    }

    /// Has the officer typed anything that cancelling would lose?
    pub fn has_unsaved(&self) -> bool {
        self.kind != FormKind::Officer && self.fields.iter().any(Field::changed)
    }

    /// Puts a refusal under field `i` (or under the form) and moves
    /// there, so the officer sees what to fix.
    pub fn refuse(&mut self, at: Option<usize>, m: Msg) {
        match at.and_then(|i| self.fields.get_mut(i).map(|f| (i, f))) {
            Some((i, f)) => {
                f.error = Some(m);
                self.focus = i;
                self.error = None;
            }
            None => self.error = Some(m),
        }
    }

    pub fn clear_errors(&mut self) {
        self.error = None;
        for f in &mut self.fields {
            f.error = None;
        }
    }

    pub fn next(&mut self) {
        self.focus = (self.focus + 1) % self.fields.len().max(1);
    }

    pub fn prev(&mut self) {
        let n = self.fields.len().max(1);
        self.focus = (self.focus + n - 1) % n;
    }
}

/// Spans cut to `width` columns.
fn fit_spans(spans: Vec<Span<'static>>, width: usize) -> (Vec<Span<'static>>, usize) {
    let mut out = Vec::new();
    let mut used = 0;
    for s in spans {
        let w = s.content.width();
        if used + w <= width {
            used += w;
            out.push(s);
            continue;
        }
        let cut = truncate_to_width(&s.content, width - used).into_owned();
        used += cut.width();
        out.push(Span::styled(cut, s.style));
        break;
    }
    (out, used)
}

/// The label line: label, hint (or the choices, the chosen one marked),
/// and the count at the right.
fn label_line(fl: &Field, focused: bool, lang: Lang, theme: &Theme, width: usize) -> Line<'static> {
    let count = fl.count();
    let shows_count = fl.choices.is_empty() && (fl.max >= 100 || count * 5 >= fl.max * 4);
    let count_s = if shows_count {
        format!(" {count}/{}", fl.max)
    } else {
        String::new()
    };
    let mut spans = vec![Span::styled(
        format!("{} ", lang.t(fl.label.0, fl.label.1)),
        if focused {
            theme.bold()
        } else {
            theme.tone(Tone::Dim)
        },
    )];
    if fl.choices.is_empty() {
        let hint = lang.t(fl.hint.0, fl.hint.1);
        if !hint.is_empty() {
            spans.push(Span::styled(format!("· {hint}"), theme.tone(Tone::Dim)));
        }
    } else {
        let chosen = fl.chosen().map(|c| c.code);
        spans.push(Span::styled("·", theme.tone(Tone::Dim)));
        for c in &fl.choices {
            spans.push(Span::raw(" "));
            let style = if Some(c.code) == chosen {
                theme.selected()
            } else {
                theme.tone(Tone::Dim)
            };
            spans.push(Span::styled(c.label(lang).to_string(), style));
        }
    }
    let room = width.saturating_sub(count_s.width());
    let (mut spans, used) = fit_spans(spans, room);
    spans.push(Span::raw(" ".repeat(room - used.min(room))));
    if !count_s.is_empty() {
        let tone = if count >= fl.max {
            Tone::Warn
        } else {
            Tone::Dim
        };
        spans.push(Span::styled(count_s, theme.tone(tone)));
    }
    Line::from(spans)
}

pub fn render(f: &mut Frame, area: Rect, form: &Form, lang: Lang, theme: &Theme) {
    let width = 74.min(area.width.saturating_sub(2));
    let inner_w = width.saturating_sub(2) as usize;
    if inner_w < 4 || area.height < 3 {
        return;
    }
    let wrap = |s: &str| crate::tui::view::wrap_cells(&sanitize(s), inner_w.saturating_sub(2));
    let mut lines: Vec<Line> = Vec::new();
    if let Some(intro) = &form.intro {
        for row in crate::tui::view::wrap_cells(&sanitize(intro.get(lang)), inner_w) {
            lines.push(Line::from(row));
        }
        lines.push(Line::default());
    }
    let mut cursor: Option<(u16, usize)> = None;
    let mut focus_rows = (0usize, 0usize);
    let field_w = inner_w.saturating_sub(2).max(1);
    for (i, fl) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let start = lines.len();
        lines.push(label_line(fl, focused, lang, theme, inner_w));
        let scroll = fl.input.visual_scroll(field_w);
        let shown: String = sanitize(fl.input.value()).into_owned();
        let visible = pad_to_width(&skip_width(&shown, scroll), field_w);
        let style = if focused {
            theme.bold().add_modifier(Modifier::UNDERLINED)
        } else {
            Style::new().add_modifier(Modifier::UNDERLINED)
        };
        lines.push(Line::from(vec![
            Span::raw(if focused { "▸ " } else { "  " }),
            Span::styled(visible, style),
        ]));
        if focused {
            let col = fl.input.visual_cursor().saturating_sub(scroll) as u16;
            cursor = Some((2 + col, lines.len() - 1));
            if let Some(p) = &fl.pick {
                lines.extend(super::pick::lines(
                    p,
                    fl.input.value(),
                    lang,
                    theme,
                    inner_w,
                ));
            }
        }
        if let Some(e) = &fl.error {
            for (j, row) in wrap(e.get(lang)).into_iter().enumerate() {
                let mark = if j == 0 { "✘ " } else { "  " };
                lines.push(Line::from(Span::styled(
                    format!("{mark}{row}"),
                    theme.tone(Tone::Bad),
                )));
            }
        } else if let Some((n, warn)) = &fl.note
            // The list of matches says it better while it shows.
            && !(focused && fl.pick.as_ref().is_some_and(|p| p.shows(fl.input.value())))
        {
            for (j, row) in wrap(n.get(lang)).into_iter().enumerate() {
                let mark = match (j, warn) {
                    (0, true) => "⚠ ",
                    (0, false) => "→ ",
                    _ => "  ",
                };
                lines.push(Line::from(Span::styled(
                    format!("{mark}{row}"),
                    theme.tone(if *warn { Tone::Warn } else { Tone::Dim }),
                )));
            }
        }
        if focused {
            focus_rows = (start, lines.len());
        }
    }
    if let Some(e) = &form.error {
        lines.push(Line::default());
        for row in crate::tui::view::wrap_cells(&format!("✘ {}", sanitize(e.get(lang))), inner_w)
        {
            lines.push(Line::from(Span::styled(row, theme.tone(Tone::Bad))));
        }
    }
    // A form taller than the screen scrolls to keep the focused field
    // (and the refusal under the form) in view.
    let room = area.height.saturating_sub(2).max(1) as usize;
    let total = lines.len();
    let mut top = 0usize;
    if total > room {
        let want_end = if form.error.is_some() {
            total
        } else {
            focus_rows.1
        };
        top = want_end.saturating_sub(room).min(focus_rows.0);
    }
    let shown_rows = total.min(room);
    let r = centered(area, width, shown_rows as u16 + 2);
    super::clear_around(f, r, area);
    let mut block = Block::bordered()
        .border_type(ratatui::widgets::BorderType::Double)
        .title(Span::styled(
            format!(" {} ", form.title(lang)),
            theme.bold(),
        ));
    if form.dangerous {
        block = block.border_style(theme.tone(Tone::Warn));
    }
    if total > room {
        let more = match (top > 0, top + room < total) {
            (true, true) => lang.t(" ↑↓ 还有 ", " ↑↓ more "),
            (true, false) => lang.t(" ↑ 还有 ", " ↑ more "),
            _ => lang.t(" ↓ 还有 ", " ↓ more "),
        };
        block = block.title_bottom(Line::from(more).right_aligned());
    }
    let inner = block.inner(r);
    f.render_widget(
        Paragraph::new(lines).scroll((top as u16, 0)).block(block),
        r,
    );
    if let Some((x, y)) = cursor
        && y >= top
        && ((y - top) as u16) < inner.height
    {
        f.set_cursor_position(Position::new(
            inner.x + x.min(inner.width.saturating_sub(1)),
            inner.y + (y - top) as u16,
        ));
    }
}

/// Drops the first `cols` display columns of `s` (the field's scroll).
pub fn skip_width(s: &str, cols: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let mut used = 0;
    let mut out = String::new();
    for c in s.chars() {
        if used < cols {
            used += c.width().unwrap_or(0);
            continue;
        }
        out.push(c);
    }
    out
}
