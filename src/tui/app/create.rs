//! The forms and commands that create a record: a note, a shortage
//! alert, a vehicle pass, a delivery; and reading the future times they
//! are given.

use chrono::{DateTime, Utc};

use super::{App, Level, plate_error};
use crate::domain::Code;
use crate::domain::alert::{ItemClass, Severity};
use crate::domain::log::LogKind;
use crate::domain::plate;
use crate::domain::time::parse_local;
use crate::msg;
use crate::msg::Msg;
use crate::store::alerts::NewAlert;
use crate::store::log::Caller;
use crate::store::places::Ref;
use crate::tui::app::actions::{Action, Refusal, at};
use crate::tui::keys::PaneId;
use crate::tui::popups::{Confirm, Form, OnYes, Popup};

impl App {
    pub(super) fn submit_note(&mut self, form: &Form) -> Result<(), Refusal> {
        crate::store::log::check_text(form.value(0)).map_err(|e| at(0)(e.message()))?;
        self.parse_time(Some(form.value(1))).map_err(at(1))?;
        let kind = match form.fields.get(2) {
            Some(f) => match f.chosen() {
                Some(c) => LogKind::from_code(c.code).unwrap_or(LogKind::Note),
                None if f.input.value().trim().is_empty() => LogKind::Note,
                None => {
                    return Err(at(2)(msg!(
                        "类别只能是记事、来电或指示；请用 ←/→ 选择。",
                        "The kind is a note, a call or an instruction; choose with ←/→."
                    )));
                }
            },
            None => LogKind::Note,
        };
        let caller = form.fields.get(3).map_or("", |f| f.input.value()).trim();
        let from = form.fields.get(4).map_or("", |f| f.input.value()).trim();
        let caller = match kind {
            LogKind::Call if caller.is_empty() => {
                return Err(at(3)(msg!(
                    "来电请写明来电人。",
                    "For a call, say who called."
                )));
            }
            LogKind::Call => Some(Caller {
                name: caller.to_string(),
                from: Some(from.to_string()).filter(|f| !f.is_empty()),
            }),
            _ if !caller.is_empty() || !from.is_empty() => {
                return Err(at(2)(msg!(
                    "填了来电人，类别却不是来电；请把类别选为来电，或清空来电人。",
                    "A caller is filled in but the kind is not a call; choose call, or clear the caller."
                )));
            }
            _ => None,
        };
        self.write_entry(kind, form.value(0), Some(form.value(1)), caller.as_ref())
            .map(|_| ())
            .map_err(Refusal::from)
    }

    pub(super) fn submit_alert(&mut self, form: &Form) -> Result<(), Refusal> {
        self.write_alert(&AlertFields {
            community: form.value(0).into(),
            compound: form.value(1).into(),
            item: form.value(2).into(),
            severity: form.value(3).into(),
            households: form.value(4).into(),
            source: form.value(5).into(),
            text: form.value(6).into(),
        })
        .map(|_| ())
    }

    /// Records a note; the flash says its number, or the error.
    pub fn write_note(&mut self, text: &str, at: Option<&str>) -> Result<i64, Msg> {
        self.write_entry(LogKind::Note, text, at, None)
    }

    /// A note, call or instruction; a call with who called.
    pub(super) fn write_entry(
        &mut self,
        kind: LogKind,
        text: &str,
        at: Option<&str>,
        caller: Option<&Caller>,
    ) -> Result<i64, Msg> {
        let at = self.parse_time(at)?;
        let actor = self.actor().ok_or_else(|| self.no_actor())?;
        let seq = self
            .store
            .add_entry_by(&actor, kind, text, at, None, caller)
            .map_err(|e| e.message())?;
        let m = match kind {
            LogKind::Call => msg!("来电已记录 #{seq}", "call recorded #{seq}"),
            LogKind::Instruction => msg!("指示已记录 #{seq}", "instruction recorded #{seq}"),
            _ => msg!("记事已记录 #{seq}", "note recorded #{seq}"),
        };
        self.flash(Level::Info, m);
        self.wrote(&[]);
        Ok(seq)
    }

    pub(super) fn write_alert(&mut self, a: &AlertFields) -> Result<i64, Refusal> {
        use crate::store::fields::{
            NAME_MAX_CHARS, TEXT_MAX_CHARS, field, optional_line, optional_text,
        };
        let community = a.community.trim();
        if community.is_empty() {
            return Err(at(0)(msg!(
                "请填写社区（村）名称。",
                "Name the community (or village)."
            )));
        }
        self.store
            .community_by_name(community)
            .map_err(|e| at(0)(e.message()))?;
        if a.item.trim().is_empty() {
            return Err(at(2)(msg!(
                "请选择物资类别（←/→ 选择，或直接输入）。",
                "Choose the item class (←/→, or type it)."
            )));
        }
        if a.severity.trim().is_empty() {
            return Err(at(3)(msg!(
                "请选择紧急程度（←/→ 选择，或直接输入）。",
                "Choose the severity (←/→, or type it)."
            )));
        }
        let item = ItemClass::parse(&a.item).ok_or_else(|| {
            let (i, list) = (
                crate::domain::text::sanitize(&a.item).into_owned(),
                ItemClass::codes_list(),
            );
            at(2)(msg!(
                "无法识别物资类别“{i}”；可选：粮、油、肉、菜、蛋奶、药品、婴幼儿奶粉、防护用品、其他。",
                "\"{i}\" is not an item class; use one of: {list}."
            ))
        })?;
        let severity = Severity::parse(&a.severity).ok_or_else(|| {
            let (s, list) = (
                crate::domain::text::sanitize(&a.severity).into_owned(),
                Severity::codes_list(),
            );
            at(3)(msg!(
                "无法识别紧急程度“{s}”；可选：紧急、高、中、低。",
                "\"{s}\" is not a severity; use one of: {list}."
            ))
        })?;
        let households = match a.households.trim() {
            "" => 0,
            h => crate::domain::alert::parse_households(h).ok_or_else(|| {
                let h = crate::domain::text::sanitize(h).into_owned();
                at(4)(msg!(
                    "户数“{h}”无法识别；请填写整数，如 40、40户 或 约40户。",
                    "The number of households \"{h}\" is not one I can read; write a whole number, e.g. 40, 40户 or 约40户."
                ))
            })?,
        };
        optional_line(field("来源", "source"), Some(&a.source), NAME_MAX_CHARS)
            .map_err(|e| at(5)(e.message()))?;
        optional_text(field("说明", "description"), Some(&a.text), TEXT_MAX_CHARS)
            .map_err(|e| at(6)(e.message()))?;
        let actor = self.actor().ok_or_else(|| Refusal::from(self.no_actor()))?;
        let new = NewAlert {
            community: Ref::Name(community.to_string()),
            compound: Some(a.compound.trim())
                .filter(|c| !c.is_empty())
                .map(|c| Ref::Name(c.to_string())),
            item,
            severity,
            households,
            source: Some(a.source.trim().to_string()).filter(|s| !s.is_empty()),
            text: a.text.trim().to_string(),
        };
        let (id, seq) = self
            .store
            .raise_alert(&actor, &new)
            .map_err(|e| Refusal::from(e.message()))?;
        self.flash(
            Level::Info,
            msg!(
                "缺货预警 #{id} 已登记，记录 #{seq}",
                "shortage alert #{id} raised, recorded #{seq}"
            ),
        );
        self.wrote(&[PaneId::Alerts]);
        Ok(seq)
    }

    /// A time in the future as typed: `+2h`, `2h`, `+7d`, `14:00` (today,
    /// or tomorrow once passed), or any form [`parse_local`] reads.
    pub(super) fn parse_future(&self, s: &str, what: Msg) -> Result<DateTime<Utc>, Msg> {
        let folded = crate::domain::text::fold_width(s);
        let t = folded.trim();
        let now = self.now();
        let bad = || {
            let (t, zh, en) = (
                crate::domain::text::sanitize(t).into_owned(),
                what.zh.clone(),
                what.en.clone(),
            );
            msg!(
                "{zh}“{t}”无法识别；请写成 14:00、+2h、+7d 或 2026-11-30 09:00。",
                "The {en} \"{t}\" is not a time I can read; write it like 14:00, +2h, +7d or 2026-11-30 09:00."
            )
        };
        if t.is_empty() {
            let (zh, en) = (what.zh.clone(), what.en.clone());
            return Err(msg!("请填写{zh}。", "Give the {en}."));
        }
        if let Some(d) = span(t.strip_prefix('+').unwrap_or(t)) {
            return Ok(now + d);
        }
        if let Ok(hm) = chrono::NaiveTime::parse_from_str(t, "%H:%M") {
            use chrono::TimeZone;
            let today = now.with_timezone(&self.tz).date_naive();
            for day in [today, today + chrono::Duration::days(1)] {
                if let Some(at) = self.tz.from_local_datetime(&day.and_time(hm)).earliest() {
                    let at = at.with_timezone(&Utc);
                    if at > now {
                        return Ok(at);
                    }
                }
            }
            return Err(bad());
        }
        parse_local(t, self.tz, now).map_err(|_| bad())
    }

    pub(super) fn submit_pass(&mut self, form: &Form) -> Result<(), Refusal> {
        use crate::store::fields::{NAME_MAX_CHARS, field, required_line};
        use crate::store::pass_actions::{NewPass, NewVehicle, PassVehicle};
        let typed = form.value(0);
        let n = plate::normalize(typed).map_err(|e| at(0)(plate_error(e)))?;
        let until = self
            .parse_future(
                form.value(1),
                msg!("有效期截止时间", "end of the validity window"),
            )
            .map_err(at(1))?;
        required_line(
            field("发证单位", "issuing office"),
            form.value(2),
            NAME_MAX_CHARS,
        )
        .map_err(|e| at(2)(e.message()))?;
        let known = self
            .store
            .vehicle_by_plate(n.plate.as_str())
            .map_err(|e| e.message())?
            .is_some();
        let opt = |i: usize| Some(form.value(i).to_string()).filter(|v| !v.is_empty());
        let vehicle = if known {
            PassVehicle::Ledger(typed.to_string())
        } else {
            PassVehicle::New(NewVehicle {
                plate: typed.to_string(),
                vehicle_type: opt(7),
                load_tonnes: None,
                unit: opt(4).map(Ref::Name),
                driver: opt(5),
                phone: opt(6),
            })
        };
        let new = NewPass {
            kind: crate::domain::pass::PassKind::Vehicle,
            vehicle: Some(vehicle),
            subject: None,
            unit: None,
            issuer: form.value(2).to_string(),
            valid_from: self.now(),
            valid_until: until,
            area: opt(3),
            number: None,
        };
        let a = Action::IssuePass { new: Box::new(new) };
        if a.asks_first() {
            // Checked; the question goes on top of the form.
            self.ask(a);
            return Ok(());
        }
        self.perform(a).map_err(Refusal::from)
    }

    /// Issues a pass; a duplicate for the same route asks first.
    pub(super) fn write_pass(
        &mut self,
        new: &crate::store::pass_actions::NewPass,
        force: bool,
    ) -> Result<i64, Msg> {
        use crate::store::pass_actions::IssueOutcome;
        let actor = self.actor().ok_or_else(|| self.no_actor())?;
        match self
            .store
            .issue_pass(&actor, new, force)
            .map_err(|e| e.message())?
        {
            IssueOutcome::Issued {
                number,
                seq,
                plate_warning,
                ..
            } => {
                let number = crate::domain::text::sanitize(&number).into_owned();
                let mut m = msg!(
                    "通行证 {number} 已发放，记录 #{seq}",
                    "pass {number} issued, recorded #{seq}"
                );
                if let Some(w) = plate_warning {
                    m = Msg::new(format!("{}；{}", m.zh, w.zh), format!("{}; {}", m.en, w.en));
                }
                self.flash(Level::Info, m);
                self.wrote(&[PaneId::Passes]);
                Ok(seq)
            }
            IssueOutcome::NeedsConfirmation { message, .. } => {
                let q = Msg::new(
                    format!("{} 仍要发放？", message.zh),
                    format!("{} Issue it anyway?", message.en),
                );
                self.popups.push(Popup::Confirm(Confirm {
                    question: q,
                    on_yes: OnYes::IssueAnyway(Box::new(new.clone())),
                }));
                Ok(0)
            }
        }
    }

    pub(super) fn submit_delivery(&mut self, form: &Form) -> Result<(), Refusal> {
        use crate::domain::delivery::Urgency;
        use crate::store::deliveries::NewDelivery;
        use crate::store::fields::{TEXT_MAX_CHARS, field, required_text};
        let query = form.value(0);
        if query.is_empty() {
            return Err(at(0)(msg!(
                "请填写配送对象：姓名、地址或类别中的几个字。",
                "Name the recipient: part of the name, the address or the group."
            )));
        }
        let recipient_id = match App::picked_recipient(form, 0) {
            Some(id) => id,
            None => self.recipient_by_words(query)?,
        };
        required_text(field("配送物品", "items"), form.value(1), TEXT_MAX_CHARS)
            .map_err(|e| at(1)(e.message()))?;
        if form.value(2).is_empty() {
            return Err(at(2)(msg!(
                "请选择紧急程度（←/→ 选择，或直接输入）。",
                "Choose the urgency (←/→, or type it)."
            )));
        }
        let urgency = Urgency::parse(form.value(2)).ok_or_else(|| {
            let u = crate::domain::text::sanitize(form.value(2)).into_owned();
            at(2)(msg!(
                "紧急程度“{u}”无法识别；请选 特急、急 或 普通（←/→ 选择）。",
                "\"{u}\" is not an urgency; choose urgent, high or normal (←/→ to choose)."
            ))
        })?;
        let due = self
            .parse_future(form.value(3), msg!("送达时限", "due time"))
            .map_err(at(3))?;
        let actor = self.actor().ok_or_else(|| self.no_actor())?;
        let new = NewDelivery {
            recipient_id,
            items: form.value(1).to_string(),
            urgency,
            due_at: due,
        };
        let (id, seq) = self
            .store
            .queue_delivery(&actor, &new)
            .map_err(|e| e.message())?;
        self.flash(
            Level::Info,
            msg!(
                "配送 #{id} 已排队，记录 #{seq}",
                "delivery #{id} queued, recorded #{seq}"
            ),
        );
        self.wrote(&[PaneId::Queue]);
        Ok(())
    }

    /// The one recipient the words match (the old way, by a part of the
    /// name, address or group), for text not picked from the list.
    fn recipient_by_words(&self, query: &str) -> Result<i64, Refusal> {
        let found = self
            .store
            .find_recipients(query, 6)
            .map_err(|e| e.message())?;
        match found.as_slice() {
            [] => {
                let q = crate::domain::text::sanitize(query).into_owned();
                Err(at(0)(msg!(
                    "没有找到与“{q}”相符的配送对象；请换用姓名、地址或类别中的几个字。",
                    "No recipient matches \"{q}\"; try part of the name, the address or the group."
                )))
            }
            [one] => Ok(one.id),
            many => {
                let list = many
                    .iter()
                    .take(5)
                    .map(|m| format!("{}（{}）", m.name, m.address))
                    .collect::<Vec<_>>()
                    .join("、");
                let list = crate::domain::text::sanitize(&list).into_owned();
                Err(at(0)(msg!(
                    "有多个配送对象相符：{list}；请多写几个字。",
                    "Several recipients match: {list}; type more to pick one."
                )))
            }
        }
    }
}

pub(super) struct AlertFields {
    pub(super) community: String,
    pub(super) compound: String,
    pub(super) item: String,
    pub(super) severity: String,
    pub(super) households: String,
    pub(super) source: String,
    pub(super) text: String,
}

/// `30m`, `2h`, `7d`: a span of time as typed.
pub(super) fn span(s: &str) -> Option<chrono::Duration> {
    let unit = s.chars().last().filter(|c| matches!(c, 'm' | 'h' | 'd'))?;
    let n = s[..s.len() - 1].parse::<i64>().ok().filter(|n| *n >= 0)?;
    match unit {
        'm' => chrono::Duration::try_minutes(n),
        'h' => chrono::Duration::try_hours(n),
        _ => chrono::Duration::try_days(n),
    }
    .filter(|d| *d <= chrono::Duration::days(crate::domain::time::SPAN_MAX_DAYS))
}
