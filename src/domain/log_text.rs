//! How a duty-log entry reads, in one language. An entry written since
//! schema 7 carries a payload: its kind of event (`k`) and the fields it
//! names, as JSON. The catalogue below turns a payload into a line in
//! Chinese or in English, the essential part first (what, whom, the
//! result). An entry written before carries only its stored text: a
//! system entry's bilingual head ("预警已派单 Alert dispatched: …") is split
//! and the viewer's half shown; free text is shown as it was written.
//!
//! A template is text with `{field}` (the field's value), `{field:code}`
//! (a stored code shown by its label: `item`, `severity`, `fail`, `pass`,
//! `group`, `urgency`, `assignee`, `pass_kind`, `route`, `no_pass`,
//! `bad_plate`, `with_item`)
//! and `[…]`, a part shown only when every field in it has a value.

use serde_json::{Map, Value};

use crate::domain::Code;
use crate::i18n::Lang;

/// An entry's event and fields, as stored in `duty_log.payload`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Payload(Map<String, Value>);

impl Payload {
    pub fn new(kind: &str) -> Payload {
        let mut m = Map::new();
        m.insert("k".into(), Value::String(kind.into()));
        Payload(m)
    }

    /// Adds a field; `None` adds nothing.
    pub fn with(mut self, name: &str, v: impl Into<Field>) -> Payload {
        if let Some(v) = v.into().0 {
            self.0.insert(name.into(), v);
        }
        self
    }

    pub fn kind(&self) -> &str {
        self.0.get("k").and_then(Value::as_str).unwrap_or("")
    }

    pub fn get(&self, name: &str) -> Option<String> {
        match self.0.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            v => Some(v.to_string()),
        }
    }

    /// The JSON stored (keys sorted, so the same payload is always the
    /// same bytes).
    pub fn to_json(&self) -> String {
        Value::Object(self.0.clone()).to_string()
    }

    pub fn from_json(s: &str) -> Option<Payload> {
        match serde_json::from_str(s).ok()? {
            Value::Object(m) => Some(Payload(m)),
            _ => None,
        }
    }

    /// Both languages in one line, for the stored text that the search
    /// keys and older tools read.
    pub fn text_both(&self) -> String {
        let (zh, en) = (self.line(Lang::Zh), self.line(Lang::En));
        if zh == en {
            zh
        } else {
            format!("{zh} · {en}")
        }
    }

    /// The line in `lang`, or `None` for an event the catalogue does not
    /// know (a newer program wrote it).
    pub fn line(&self, lang: Lang) -> String {
        // A call whose caller was not written reads as its text.
        let kind = match self.kind() {
            "call" if self.get("caller").is_none() => "note",
            k => k,
        };
        match template(kind) {
            Some((zh, en)) => fill(lang.t(zh, en), self, lang),
            None => self.get("text").unwrap_or_else(|| self.kind().to_string()),
        }
    }
}

/// A field value: text, a number, or nothing.
pub struct Field(Option<Value>);

impl From<&str> for Field {
    fn from(s: &str) -> Field {
        Field(Some(Value::String(s.into())))
    }
}
impl From<String> for Field {
    fn from(s: String) -> Field {
        Field(Some(Value::String(s)))
    }
}
impl From<&String> for Field {
    fn from(s: &String) -> Field {
        Field(Some(Value::String(s.clone())))
    }
}
impl From<i64> for Field {
    fn from(n: i64) -> Field {
        Field(Some(Value::from(n)))
    }
}
impl<T: Into<Field>> From<Option<T>> for Field {
    fn from(v: Option<T>) -> Field {
        v.map_or(Field(None), Into::into)
    }
}

/// The catalogue: an event's line in Chinese and in English.
fn template(kind: &str) -> Option<(&'static str, &'static str)> {
    Some(match kind {
        "note" | "instruction" => ("{text}", "{text}"),
        "call" => (
            "{caller}[（{from}）]：{text}",
            "{caller}[ ({from})]: {text}",
        ),
        "correction" => ("{text}", "{text}"),
        "alert.raise" => (
            "新预警 #{id}：{place} 缺{item:item}，{severity:severity}，{households} 户[；来源 {source}][；{text}]",
            "New alert #{id}: {place} short of {item:item}, {severity:severity}, {households} households[; source {source}][; {text}]",
        ),
        "alert.ack" => (
            "预警 #{id} 已确认，处理人 {handler}（{place} {item:item}）",
            "Alert #{id} acknowledged, handler {handler} ({place}, {item:item})",
        ),
        "alert.dispatch" => (
            "预警 #{id} 已派往 {to}，处理人 {handler}（{place} {item:item}）",
            "Alert #{id} dispatched to {to}, handler {handler} ({place}, {item:item})",
        ),
        "alert.resolve" => (
            "预警 #{id} 已解决：{outcome}（{place} {item:item}）",
            "Alert #{id} resolved: {outcome} ({place}, {item:item})",
        ),
        "alert.cancel" => (
            "预警 #{id} 已撤销：{reason}（{place} {item:item}）",
            "Alert #{id} cancelled: {reason} ({place}, {item:item})",
        ),
        "alert.severity" => (
            "预警 #{id} 紧急程度 {from:severity} → {to:severity}（{place} {item:item}）",
            "Alert #{id} severity {from:severity} → {to:severity} ({place}, {item:item})",
        ),
        "delivery.queue" => (
            "配送 #{id} 排队：给 {recipient}（{group:group}）{items}，{urgency:urgency}，期限 {due}",
            "Delivery #{id} queued: for {recipient} ({group:group}) {items}, {urgency:urgency}, due {due}",
        ),
        "delivery.assign" => (
            "配送 #{id} 分派给{to_kind:assignee} {to}[（{no_pass:no_pass}）]，给 {recipient}（{group:group}）",
            "Delivery #{id} assigned to {to_kind:assignee} {to}[ ({no_pass:no_pass})], for {recipient} ({group:group})",
        ),
        "delivery.reassign" => (
            "配送 #{id} 改派给{to_kind:assignee} {to}[（{no_pass:no_pass}）]，给 {recipient}（{group:group}）",
            "Delivery #{id} reassigned to {to_kind:assignee} {to}[ ({no_pass:no_pass})], for {recipient} ({group:group})",
        ),
        "delivery.depart" => (
            "配送 #{id} 已出发[，{assignee}]，给 {recipient}（{group:group}）",
            "Delivery #{id} en route[, {assignee}], for {recipient} ({group:group})",
        ),
        "delivery.deliver" => (
            "配送 #{id} 已送达，签收人 {received}，给 {recipient}（{group:group}）[，{assignee}]",
            "Delivery #{id} delivered, received by {received}, for {recipient} ({group:group})[, {assignee}]",
        ),
        "delivery.fail" => (
            "配送 #{id} 未送达：{reason:fail}[；{note}]，给 {recipient}（{group:group}）[，{assignee}]",
            "Delivery #{id} failed: {reason:fail}[; {note}], for {recipient} ({group:group})[, {assignee}]",
        ),
        "delivery.requeue" => (
            "配送 #{id} 重新排队[，新期限 {due}]，给 {recipient}（{group:group}）",
            "Delivery #{id} requeued[, new due {due}], for {recipient} ({group:group})",
        ),
        "delivery.cancel" => (
            "配送 #{id} 已取消：{reason}，给 {recipient}（{group:group}）",
            "Delivery #{id} cancelled: {reason}, for {recipient} ({group:group})",
        ),
        "vehicle.add" => (
            "登记车辆 {plate}[，车型 {type}][，载重 {load} 吨][，单位 {unit}][，驾驶员 {driver}][（{bad_plate:bad_plate}）]",
            "Vehicle {plate} registered[, type {type}][, load {load} t][, unit {unit}][, driver {driver}][ ({bad_plate:bad_plate})]",
        ),
        "pass.request" => (
            "通行证 {number} 申请：{kind:pass_kind}，{subject}[（{unit}）]，{from} — {until}，{area:route}，发证 {issuer}",
            "Pass {number} requested: {kind:pass_kind}, {subject}[ ({unit})], {from} — {until}, {area:route}, issuer {issuer}",
        ),
        "pass.issue" => (
            "通行证 {number} 已发放：{kind:pass_kind}，{subject}[（{unit}）]，{from} — {until}，{area:route}[，发证 {issuer}][；经确认，同车同线路另有有效证 {despite}]",
            "Pass {number} issued: {kind:pass_kind}, {subject}[ ({unit})], {from} — {until}, {area:route}[, issuer {issuer}][; confirmed despite valid pass {despite}]",
        ),
        "pass.extend" => (
            "通行证 {number} 延期至 {until}（原至 {was}），{subject}",
            "Pass {number} extended to {until} (was {was}), {subject}",
        ),
        "pass.suspend" => (
            "通行证 {number} 已暂停：{reason}，{subject}",
            "Pass {number} suspended: {reason}, {subject}",
        ),
        "pass.reinstate" => (
            "通行证 {number} 已恢复，{subject}",
            "Pass {number} reinstated, {subject}",
        ),
        "pass.revoke" => (
            "通行证 {number} 已吊销：{reason}，{subject}",
            "Pass {number} revoked: {reason}, {subject}",
        ),
        "plan.activate" => ("预案激活：{directive}", "Plan activated: {directive}"),
        "plan.normal" => (
            "预案解除，恢复平时：{directive}",
            "Plan returned to normal: {directive}",
        ),
        "post.manned" => (
            "岗位 {name}（{unit}）到岗，记录人 {officer}",
            "Post manned: {name} ({unit}), recorded by {officer}",
        ),
        "post.down" => (
            "岗位 {name}（{unit}）撤岗",
            "Post stood down: {name} ({unit})",
        ),
        "community.report" => (
            "{name} 已报到，记录人 {officer}",
            "Community reported in: {name}, recorded by {officer}",
        ),
        "shift.start" => (
            "班次 #{id} 开始，值班员 {officer}",
            "Shift #{id} started, {officer} on duty",
        ),
        "shift.readdress" => (
            "班次 #{id} 改交给 {to}（原为 {was}），交班人 {officer}",
            "Shift #{id} re-addressed to {to} (was {was}), from {officer}",
        ),
        "shift.items" => (
            "班次 #{id} 遗留事项 {n} 项[（其中上一班未确认 {again} 项）]",
            "Shift #{id}: {n} carry-over items[ ({again} not acknowledged before)]",
        ),
        "shift.handover" => (
            "班次 #{id} 交班：{officer} → {incoming}，截止 {cutoff}，遗留 {items} 项，日志链头 #{head} {hash}",
            "Shift #{id} handed over: {officer} → {incoming}, cut-off {cutoff}, {items} carry-over items, chain head #{head} {hash}",
        ),
        "shift.ack" => (
            "班次 #{id} 接班确认：{officer} → {incoming}[（{with_item:with_item}）]",
            "Shift #{id} handover acknowledged: {officer} → {incoming}[ ({with_item:with_item})]",
        ),
        "shift.item_ack" => (
            "班次 #{id} 遗留事项 {pos} 已确认：{zh}",
            "Shift #{id} carry-over item {pos} acknowledged: {en}",
        ),
        "shift.items_ack" => (
            "班次 #{id} 的 {n} 项遗留事项全部确认",
            "All {n} carry-over items of shift #{id} acknowledged",
        ),
        "shift.section_ack" => (
            "班次 #{id} 的“{section:section}”一节 {n} 项遗留事项确认",
            "Section \"{section:section}\" of shift #{id} acknowledged: {n} carry-over items",
        ),
        _ => return None,
    })
}

/// The label of a stored code of the class `class`, or the code itself.
fn label(class: &str, code: &str, lang: Lang) -> String {
    use crate::domain::alert::{ItemClass, Severity};
    use crate::domain::delivery::{AssigneeKind, FailReason, Group, Urgency};
    use crate::domain::pass::PassState;
    let l = match class {
        "item" => ItemClass::from_code(code).map(|v| v.label(lang)),
        "severity" => Severity::from_code(code).map(|v| v.label(lang)),
        "fail" => FailReason::from_code(code).map(|v| v.label(lang)),
        "pass" => PassState::from_code(code).map(|v| v.label(lang)),
        "group" => Group::from_code(code).map(|v| v.label(lang)),
        "urgency" => Urgency::from_code(code).map(|v| v.label(lang)),
        "assignee" => AssigneeKind::from_code(code).map(|v| v.label(lang)),
        "no_pass" => Some(lang.t("无有效通行证", "no valid pass")),
        "with_item" => Some(lang.t("随遗留事项确认", "with a carry-over item")),
        "bad_plate" => Some(lang.t("车牌不合 GA 36 格式", "plate does not fit GA 36")),
        "section" => crate::domain::shift::ItemSection::from_code(code).map(|v| v.label(lang)),
        "pass_kind" => crate::domain::pass::PassKind::from_code(code).map(|v| v.label(lang)),
        "route" if code == "*" => Some(lang.t("不限区域", "any area")),
        "route" => return lang.t("线路 ", "route ").to_string() + code,
        _ => None,
    };
    l.map_or_else(|| code.to_string(), str::to_string)
}

/// Fills a template; see the module's comment.
fn fill(t: &str, p: &Payload, lang: Lang) -> String {
    let mut out = String::new();
    let mut chars = t.chars().peekable();
    let mut optional: Option<(String, bool)> = None;
    while let Some(c) = chars.next() {
        match c {
            '[' => optional = Some((String::new(), true)),
            ']' => {
                if let Some((part, complete)) = optional.take()
                    && complete
                {
                    out.push_str(&part);
                }
            }
            '{' => {
                let name: String = chars.by_ref().take_while(|&c| c != '}').collect();
                let (field, class) = name.split_once(':').unwrap_or((&name, ""));
                let value = p.get(field).filter(|v| !v.is_empty()).map(|v| {
                    if class.is_empty() {
                        v
                    } else {
                        label(class, &v, lang)
                    }
                });
                match (&mut optional, value) {
                    (Some((part, _)), Some(v)) => part.push_str(&v),
                    (Some((_, complete)), None) => *complete = false,
                    (None, Some(v)) => out.push_str(&v),
                    (None, None) => out.push('—'),
                }
            }
            c => match &mut optional {
                Some((part, _)) => part.push(c),
                None => out.push(c),
            },
        }
    }
    out
}

/// The stored text of an entry written before payloads, in `lang` where
/// it can be split: a system entry reads "中文标题 English title: body";
/// the title in the viewer's language is kept, the body as stored.
pub fn legacy_line(kind: &str, text: &str, lang: Lang) -> String {
    if matches!(kind, "note" | "call" | "instruction") {
        return text.to_string();
    }
    let Some((head, body)) = text.split_once(": ") else {
        return text.to_string();
    };
    let Some(cut) = head.find(|c: char| c.is_ascii_alphabetic()) else {
        return text.to_string();
    };
    let (zh, en) = (head[..cut].trim(), head[cut..].trim());
    if zh.is_empty() || zh.is_ascii() || en.is_empty() {
        return text.to_string();
    }
    // A number in the English half ("Shortage alert #50") belongs to both.
    let number = en
        .rsplit_once(' ')
        .map(|(_, n)| n)
        .filter(|n| n.starts_with('#') && n[1..].chars().all(|c| c.is_ascii_digit()));
    match (lang, number) {
        (Lang::Zh, Some(n)) => format!("{zh} {n}：{body}"),
        (Lang::Zh, None) => format!("{zh}：{body}"),
        (Lang::En, _) => format!("{en}: {body}"),
    }
}

/// An entry in `lang`: from its payload when it has one, else from its
/// stored text.
pub fn render(kind: &str, text: &str, payload: Option<&str>, lang: Lang) -> String {
    match payload.and_then(Payload::from_json) {
        Some(p) if template(p.kind()).is_some() => p.line(lang),
        _ => legacy_line(kind, text, lang),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dispatch() -> Payload {
        Payload::new("alert.dispatch")
            .with("id", 42)
            .with("place", "一碗水社区")
            .with("item", "vegetables")
            .with("to", "螺蛳包菜市场")
            .with("handler", "王静")
    }

    #[test]
    fn a_payload_reads_in_one_language_essential_part_first() {
        let p = dispatch();
        let zh = p.line(Lang::Zh);
        let en = p.line(Lang::En);
        assert!(zh.starts_with("预警 #42 已派往 螺蛳包菜市场"), "{zh}");
        assert!(
            en.starts_with("Alert #42 dispatched to 螺蛳包菜市场"),
            "{en}"
        );
        assert!(!zh.contains("dispatched") && !en.contains("派往"));
        assert!(en.contains("Vegetables"), "{en}");
    }

    #[test]
    fn an_optional_part_needs_all_its_fields() {
        let p = Payload::new("call")
            .with("caller", "李明")
            .with("text", "缺米");
        assert_eq!(p.line(Lang::Zh), "李明：缺米");
        let p = p.with("from", "一碗水社区");
        assert_eq!(p.line(Lang::En), "李明 (一碗水社区): 缺米");
        assert_eq!(p.line(Lang::Zh), "李明（一碗水社区）：缺米");
        let nobody = Payload::new("call").with("text", "缺米");
        assert_eq!(nobody.line(Lang::En), "缺米");
    }

    #[test]
    fn json_round_trips_and_is_stable() {
        let p = dispatch();
        let j = p.to_json();
        assert_eq!(Payload::from_json(&j), Some(p.clone()));
        assert_eq!(dispatch().to_json(), j);
    }

    #[test]
    fn legacy_text_shows_the_viewers_half_of_its_head() {
        let t = "预警已派单 Alert dispatched: #42 一碗水 → 菜市场";
        assert_eq!(
            legacy_line("change", t, Lang::Zh),
            "预警已派单：#42 一碗水 → 菜市场"
        );
        assert_eq!(
            legacy_line("change", t, Lang::En),
            "Alert dispatched: #42 一碗水 → 菜市场"
        );
        assert_eq!(
            legacy_line("change", "短缺预警 Shortage alert #50: 桂花社区", Lang::Zh),
            "短缺预警 #50：桂花社区"
        );
        // Free text and text that does not split stay as written.
        assert_eq!(legacy_line("note", "Re: 米 rice", Lang::En), "Re: 米 rice");
        assert_eq!(
            legacy_line("change", "no head here", Lang::Zh),
            "no head here"
        );
    }
}
