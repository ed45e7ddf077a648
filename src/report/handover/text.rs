//! The plain-text rendering of the report, to paste into a work group
//! (WeChat, DingTalk): no Markdown syntax, short lines, the headline
//! numbers first, then the items needing action by section (the first
//! few of each, with the section's count), then the chain head. A normal
//! shift fits in [`TEXT_MAX_CHARS`]: lists are cut shorter until it does.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{HEAD_MARKER, Report};
use crate::domain::Code;
use crate::domain::log::LogKind;
use crate::domain::shift::{ItemSection, ShiftState};
use crate::domain::text::sanitize;
use crate::domain::time::local_short;
use crate::i18n::Lang;
use crate::store::shifts::HandoverItem;

/// What a normal shift's text report stays within, in characters.
pub const TEXT_MAX_CHARS: usize = 2000;

/// Longest summary of an item and longest next step, in characters,
/// before they are shortened: a Chinese character says more than a Latin
/// letter.
fn item_max(lang: Lang) -> (usize, usize) {
    match lang {
        Lang::Zh => (46, 20),
        Lang::En => (76, 40),
    }
}
/// Longest duty-log instruction quoted.
const NOTE_MAX: usize = 40;

/// Removes the `+08:00` that older item summaries wrote after a time.
pub fn strip_offsets(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let offset = i >= 2
            && matches!(chars[i], '+' | '-')
            && chars[i - 1].is_ascii_digit()
            && chars[i - 2].is_ascii_digit()
            && chars.len() >= i + 6
            && chars[i + 1].is_ascii_digit()
            && chars[i + 2].is_ascii_digit()
            && chars[i + 3] == ':'
            && chars[i + 4].is_ascii_digit()
            && chars[i + 5].is_ascii_digit()
            && i >= 5
            && chars[i - 3] == ':';
        if offset {
            i += 6;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// `s` cut to `max` characters, with `…` when cut; controls shown.
fn shorten(s: &str, max: usize) -> String {
    let clean = sanitize(s);
    let n = clean.chars().count();
    if n <= max {
        return clean.into_owned();
    }
    let mut out: String = clean.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

const LETTERS: [char; 10] = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J'];
const NUMERALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

struct Text<'a> {
    r: &'a Report,
    lang: Lang,
    tz: Tz,
    /// Items shown per section.
    per_section: usize,
    out: String,
}

impl Text<'_> {
    fn t<'s>(&self, zh: &'s str, en: &'s str) -> &'s str {
        self.lang.t(zh, en)
    }

    fn line(&mut self, s: impl AsRef<str>) {
        self.out.push_str(s.as_ref());
        self.out.push('\n');
    }

    fn at(&self, t: DateTime<Utc>) -> String {
        local_short(t, self.tz)
    }

    fn dur(&self, minutes: i64) -> String {
        let m = minutes.max(0);
        match self.lang {
            Lang::En => crate::domain::time::age(chrono::Duration::minutes(m)),
            Lang::Zh if m < 60 => format!("{m}分钟"),
            Lang::Zh if m < 24 * 60 && m % 60 == 0 => format!("{}小时", m / 60),
            Lang::Zh if m < 24 * 60 => format!("{}小时{}分", m / 60, m % 60),
            Lang::Zh => format!("{}天{}小时", m / (24 * 60), (m / 60) % 24),
        }
    }

    fn title(&mut self) {
        let r = self.r;
        let place = sanitize(&r.subdistrict);
        let l = match &r.shift {
            Some(s) => {
                let (id, by) = (s.id, sanitize(&s.officer));
                match (&s.incoming, self.lang) {
                    (Some(to), Lang::Zh) => {
                        format!("【交接班】{place} 班次 #{id} {by} → {}", sanitize(to))
                    }
                    (Some(to), Lang::En) => {
                        format!("Handover, {place}: shift #{id} {by} → {}", sanitize(to))
                    }
                    (None, Lang::Zh) => format!("【值班报告】{place} 班次 #{id} {by}（值班中）"),
                    (None, Lang::En) => format!("Shift report, {place}: #{id} {by} (on duty)"),
                }
            }
            None => {
                let h = (r.window.cutoff - r.window.from).num_hours();
                match self.lang {
                    Lang::Zh => format!("【值班报告】{place} 最近 {h} 小时（无班次）"),
                    Lang::En => format!("Desk report, {place}: the last {h} hours (no shift)"),
                }
            }
        };
        self.line(l);
        let (from, to) = (self.at(r.window.from), self.at(r.window.cutoff));
        let c = &r.counts;
        let state = match r.shift.as_ref().map(|s| s.state) {
            Some(ShiftState::HandedOver) => match self.lang {
                Lang::Zh => format!(
                    "待接班确认，{} 项未确认",
                    c.carry_over_handed_over_unacknowledged
                ),
                Lang::En => format!(
                    "awaiting acknowledgement, {} items open",
                    c.carry_over_handed_over_unacknowledged
                ),
            },
            Some(ShiftState::Acknowledged) => {
                let s = r.shift.as_ref().expect("shift");
                let by = sanitize(s.acknowledged_by.as_deref().unwrap_or_default());
                let at = s.acknowledged_at.map(|t| self.at(t)).unwrap_or_default();
                let left = c.carry_over_handed_over_unacknowledged;
                match (self.lang, left) {
                    (Lang::Zh, 0) => format!("已接班（{by} {at}）"),
                    (Lang::Zh, n) => format!("已接班（{by} {at}），{n} 项未确认"),
                    (Lang::En, 0) => format!("acknowledged by {by} at {at}"),
                    (Lang::En, n) => format!("acknowledged by {by} at {at}, {n} items open"),
                }
            }
            _ => self
                .t("截至生成时，尚未交班", "up to now, not handed over")
                .to_string(),
        };
        let l = match self.lang {
            Lang::Zh => format!("时段 {from} 至 {to}，{state}"),
            Lang::En => format!("{from} to {to}, {state}"),
        };
        self.line(l);
        for w in &r.warnings {
            let l = format!("⚠ {}", sanitize(self.lang.t(&w.zh, &w.en)));
            self.line(l);
        }
    }

    fn headline(&mut self) {
        let r = self.r;
        let c = &r.counts;
        let l = match &r.activation.at_cutoff {
            None => self
                .t("预案：平时（未激活）", "Plan: normal (never activated)")
                .to_string(),
            Some(a) => {
                let since = a.since();
                let el = self.dur((r.window.cutoff - since).num_minutes());
                let (st, at) = (a.state.label(self.lang), self.at(since));
                match self.lang {
                    Lang::Zh => format!("预案：{st}，自 {at} 起（{el}）"),
                    Lang::En => format!("Plan: {st} since {at} ({el})"),
                }
            }
        };
        self.line(l);
        let critical: usize = r.alerts.open_by_community.iter().map(|x| x.critical).sum();
        let l = match self.lang {
            Lang::Zh => format!(
                "预警：未结 {} 条，紧急 {critical}，已升级 {}；本班新增 {}，解决 {}",
                c.alerts_open, c.alerts_escalated, c.alerts_raised, c.alerts_resolved
            ),
            Lang::En => format!(
                "Alerts: {} open, {critical} critical, {} escalated; {} raised, {} resolved",
                c.alerts_open, c.alerts_escalated, c.alerts_raised, c.alerts_resolved
            ),
        };
        self.line(l);
        let soon = self.dur(r.deliveries.due_soon_minutes);
        let l = match self.lang {
            Lang::Zh => format!(
                "配送：逾期 {} 单，{soon}内到期 {} 单；本班送达 {}，未送达 {}",
                c.deliveries_overdue,
                c.deliveries_due_soon,
                c.deliveries_delivered,
                c.deliveries_failed
            ),
            Lang::En => format!(
                "Deliveries: {} overdue, {} due within {soon}; {} delivered, {} failed",
                c.deliveries_overdue,
                c.deliveries_due_soon,
                c.deliveries_delivered,
                c.deliveries_failed
            ),
        };
        self.line(l);
        let g = &r.reach;
        let longest = g
            .longest_overdue_minutes
            .map(|m| self.dur(m))
            .unwrap_or_default();
        let l = match (self.lang, g.gaps) {
            (Lang::Zh, 0) => format!("未联系上：0 人；需上门探视 {} 人", g.welfare_checks),
            (Lang::Zh, n) => format!(
                "未联系上：{n} 人（{} 人未排配送），最久逾期 {longest}；需上门探视 {} 人",
                g.gaps_not_queued, g.welfare_checks
            ),
            (Lang::En, 0) => format!("Not reached: none; welfare checks {}", g.welfare_checks),
            (Lang::En, n) => format!(
                "Not reached: {n} ({} not queued), the longest overdue by {longest}; welfare checks {}",
                g.gaps_not_queued, g.welfare_checks
            ),
        };
        self.line(l);
        let mut below: Vec<&str> = Vec::new();
        let mut cells = 0;
        for row in r.cover.short.iter().filter(|x| x.below) {
            cells += 1;
            if !below.contains(&row.community.as_str()) {
                below.push(&row.community);
            }
        }
        let th = r.cover.threshold_days;
        let names = below
            .iter()
            .take(4)
            .map(|n| sanitize(n).into_owned())
            .collect::<Vec<_>>()
            .join(self.t("、", ", "));
        let more = if below.len() > 4 {
            self.t("等", " …")
        } else {
            ""
        };
        let l = match (self.lang, below.len()) {
            (Lang::Zh, 0) => format!("可供天数：无社区低于 {th} 天"),
            (Lang::Zh, n) => {
                format!("可供天数低于 {th} 天：{n} 个社区 {cells} 项（{names}{more}）")
            }
            (Lang::En, 0) => format!("Cover: no community below {th} days"),
            (Lang::En, n) => {
                format!("Cover below {th} days: {n} communities, {cells} cells ({names}{more})")
            }
        };
        self.line(l);
        let h = r.passes.expiring_within_hours;
        let e = &c.entries;
        let l = match self.lang {
            Lang::Zh => format!(
                "通行证：{h} 小时内到期 {} 张；日志：来电 {}，指示 {}，记事 {}",
                c.passes_expiring, e.call, e.instruction, e.note
            ),
            Lang::En => format!(
                "Passes: {} ending within {h} h; log: {} calls, {} instructions, {} notes",
                c.passes_expiring, e.call, e.instruction, e.note
            ),
        };
        self.line(l);
    }

    fn item(&self, i: &HandoverItem) -> String {
        let (summary_max, next_max) = item_max(self.lang);
        let summary = strip_offsets(self.lang.t(&i.summary_zh, &i.summary_en));
        let mut s = format!("{}. {}", i.pos, shorten(&summary, summary_max));
        let next = self.lang.t(&i.next_zh, &i.next_en);
        if !next.is_empty() {
            s.push_str(" → ");
            s.push_str(&shorten(next, next_max));
        }
        if i.acknowledged_at.is_some() {
            s.push_str(self.t("（已确认）", " (acknowledged)"));
        } else if i.carried_from.is_some() {
            s.push_str(self.t("（前一班起未确认）", " (open since an earlier shift)"));
        }
        s
    }

    fn items(&mut self) {
        let r = self.r;
        let items = &r.carry_over.handed_over;
        let Some(s) = r.shift.as_ref().filter(|s| s.state != ShiftState::OnDuty) else {
            return;
        };
        self.line("");
        let (n, open) = (items.len(), r.counts.carry_over_handed_over_unacknowledged);
        let to = sanitize(s.incoming.as_deref().unwrap_or_default());
        let l = match self.lang {
            Lang::Zh => format!("需处理事项 {n} 项（{to} 未确认 {open} 项）："),
            Lang::En => format!("Needing action: {n} items ({open} not acknowledged by {to}):"),
        };
        self.line(l);
        let mut k = 0;
        for sec in <ItemSection as Code>::ALL {
            let of: Vec<&HandoverItem> = items.iter().filter(|i| i.section == *sec).collect();
            if of.is_empty() {
                continue;
            }
            let title = sec.label(self.lang);
            let l = match self.lang {
                Lang::Zh => format!("{}、{title}（{}）", NUMERALS[k.min(9)], of.len()),
                Lang::En => format!("{}) {title} ({})", LETTERS[k.min(9)], of.len()),
            };
            k += 1;
            self.line(l);
            for i in of.iter().take(self.per_section) {
                let l = self.item(i);
                self.line(l);
            }
            let more = of.len().saturating_sub(self.per_section);
            if more > 0 {
                let l = match self.lang {
                    Lang::Zh => format!("……另 {more} 项"),
                    Lang::En => format!("… and {more} more"),
                };
                self.line(l);
            }
        }
    }

    fn instructions(&mut self) {
        let r = self.r;
        let of: Vec<_> = r
            .entries
            .iter()
            .filter(|e| e.kind == LogKind::Instruction)
            .collect();
        if of.is_empty() || self.per_section == 0 {
            return;
        }
        self.line("");
        let total = r.counts.entries.instruction;
        let l = match self.lang {
            Lang::Zh => format!("本班指示 {total} 条："),
            Lang::En => format!("Instructions in the shift: {total}"),
        };
        self.line(l);
        let shown = self.per_section.min(of.len());
        for e in of.iter().rev().take(shown) {
            let full = e.text.chars().count() <= NOTE_MAX;
            let text = shorten(&e.text, NOTE_MAX);
            let l = match (self.lang, full) {
                (Lang::Zh, true) => format!(
                    "#{} {} {}：{text}",
                    e.seq,
                    self.at(e.recorded_at),
                    sanitize(&e.officer)
                ),
                (Lang::Zh, false) => format!(
                    "#{} {} {}：{text}（全文见日志 #{}）",
                    e.seq,
                    self.at(e.recorded_at),
                    sanitize(&e.officer),
                    e.seq
                ),
                (Lang::En, true) => format!(
                    "#{} {} {}: {text}",
                    e.seq,
                    self.at(e.recorded_at),
                    sanitize(&e.officer)
                ),
                (Lang::En, false) => format!(
                    "#{} {} {}: {text} (in full: log entry #{})",
                    e.seq,
                    self.at(e.recorded_at),
                    sanitize(&e.officer),
                    e.seq
                ),
            };
            self.line(l);
        }
        let more = (total as usize).saturating_sub(shown);
        if more > 0 {
            let l = match self.lang {
                Lang::Zh => format!("……另 {more} 条，见值守日志"),
                Lang::En => format!("… and {more} more in the duty log"),
            };
            self.line(l);
        }
    }

    fn footer(&mut self) {
        let h = &self.r.chain_head;
        self.line("");
        self.line(format!("{HEAD_MARKER} #{} sha256:{}", h.seq, h.hash));
    }
}

impl Report {
    /// Plain text in `lang` for a work group: within [`TEXT_MAX_CHARS`]
    /// for a normal shift (fewer items per section until it fits; the
    /// counts stay whole).
    pub fn to_text(&self, lang: Lang) -> String {
        let tz = self.timezone.parse().unwrap_or(chrono_tz::Asia::Shanghai);
        let mut last = String::new();
        for per_section in [3, 2, 1, 0] {
            let mut t = Text {
                r: self,
                lang,
                tz,
                per_section,
                out: String::new(),
            };
            t.title();
            t.headline();
            t.items();
            t.instructions();
            t.footer();
            last = t.out;
            if last.chars().count() <= TEXT_MAX_CHARS {
                break;
            }
        }
        last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_after_times_go_and_nothing_else() {
        assert_eq!(
            strip_offsets("预警 #2，2026-11-29 09:00+08:00 起"),
            "预警 #2，2026-11-29 09:00 起"
        );
        assert_eq!(
            strip_offsets("a+08:00 b 1+2 12:00-05:00"),
            "a+08:00 b 1+2 12:00"
        );
        assert_eq!(strip_offsets(""), "");
    }

    #[test]
    fn long_text_is_shortened_with_a_mark() {
        assert_eq!(shorten("短", 5), "短");
        assert_eq!(shorten("一二三四五六", 4), "一二三…");
    }
}
