//! The Markdown rendering of the report, in Chinese or English.

use std::fmt::Write as _;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::{HEAD_MARKER, MD_LIST_MAX, Report};
use crate::domain::Code;
use crate::domain::shift::{ItemSection, ShiftState};
use crate::domain::text::sanitize;
use crate::domain::time::{age, local_minute, local_short};
use crate::i18n::Lang;
use crate::store::report_queries::{
    DeliveryEvent, DeliveryEventKind, ReportAlert, ReportDelivery, ReportPass,
};
use crate::store::shifts::HandoverItem;

/// Text from the records made safe for the terminal and for Markdown:
/// controls shown, not obeyed; characters that would format escaped. A
/// masking `*` becomes a full-width `＊`, which no renderer takes for
/// emphasis and which reads the same in a plain chat.
fn md(s: &str) -> String {
    let clean = sanitize(s);
    let mut out = String::with_capacity(clean.len());
    for c in clean.chars() {
        match c {
            '*' => out.push('＊'),
            '\\' | '`' | '_' | '[' | ']' | '<' | '>' | '|' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

struct Md<'a> {
    out: String,
    lang: Lang,
    tz: Tz,
    r: &'a Report,
}

impl Md<'_> {
    fn t<'s>(&self, zh: &'s str, en: &'s str) -> &'s str {
        self.lang.t(zh, en)
    }

    fn line(&mut self, s: impl AsRef<str>) {
        self.out.push_str(s.as_ref());
        self.out.push('\n');
    }

    fn blank(&mut self) {
        self.out.push('\n');
    }

    fn short(&self, t: DateTime<Utc>) -> String {
        local_short(t, self.tz)
    }

    fn minute(&self, t: DateTime<Utc>) -> String {
        local_minute(t, self.tz)
    }

    fn label<T: Code>(&self, v: T) -> &'static str {
        v.label(self.lang)
    }

    fn sep(&self) -> &'static str {
        self.t("，", ", ")
    }

    /// `（x）` in Chinese, ` (x)` in English.
    fn paren(&self, s: &str) -> String {
        match self.lang {
            Lang::Zh => format!("（{s}）"),
            Lang::En => format!(" ({s})"),
        }
    }

    /// A duration in words that suit the language: `11小时5分`, `11h05m`.
    fn dur(&self, minutes: i64) -> String {
        match self.lang {
            Lang::En => age(Duration::minutes(minutes)),
            Lang::Zh => {
                let m = minutes.max(0);
                if m < 60 {
                    format!("{m}分钟")
                } else if m % 60 == 0 && m < 24 * 60 {
                    format!("{}小时", m / 60)
                } else if m < 24 * 60 {
                    format!("{}小时{}分", m / 60, m % 60)
                } else {
                    format!("{}天{}小时", m / (24 * 60), (m / 60) % 24)
                }
            }
        }
    }

    /// Prints up to [`MD_LIST_MAX`] lines of a list, then how many more.
    /// Prints up to [`MD_LIST_MAX`] lines of a list, then how many more
    /// of `total` there are.
    fn list<T>(&mut self, items: &[T], total: usize, f: impl Fn(&Self, &T) -> String) {
        let shown = items.len().min(MD_LIST_MAX);
        for it in &items[..shown] {
            let l = f(self, it);
            self.line(l);
        }
        if total > shown {
            let n = total - shown;
            let l = match self.lang {
                Lang::Zh => format!("- ……另有 {n} 条，完整内容见 `--format json`"),
                Lang::En => format!("- … and {n} more; `--format json` has them all"),
            };
            self.line(l);
        }
    }

    fn none(&mut self) {
        let l = format!("- {}", self.t("无", "none"));
        self.line(l);
    }

    fn header(&mut self) {
        let r = self.r;
        let title = self.t("交接班报告", "Handover report");
        self.line(format!("# {title} · {}", md(&r.subdistrict)));
        self.blank();
        match &r.shift {
            Some(s) => {
                let state = match s.state {
                    ShiftState::OnDuty => self.t("值班中", "on duty").to_string(),
                    ShiftState::HandedOver => {
                        let to = md(s.incoming.as_deref().unwrap_or_default());
                        match self.lang {
                            Lang::Zh => format!("已交班 → {to}，**待接班确认**"),
                            Lang::En => format!("handed over → {to}, **awaiting acknowledgement**"),
                        }
                    }
                    ShiftState::Acknowledged => {
                        let by = md(s.acknowledged_by.as_deref().unwrap_or_default());
                        let at = s.acknowledged_at.map(|t| self.short(t)).unwrap_or_default();
                        match self.lang {
                            Lang::Zh => format!("已交班，{by} 于 {at} 确认接班"),
                            Lang::En => format!("handed over, acknowledged by {by} at {at}"),
                        }
                    }
                };
                let since = self.minute(s.started_at);
                let l = match self.lang {
                    Lang::Zh => format!(
                        "- 班次：#{} {}（{since} 上岗；{state}）",
                        s.id,
                        md(&s.officer)
                    ),
                    Lang::En => format!(
                        "- Shift: #{} {} (on duty from {since}; {state})",
                        s.id,
                        md(&s.officer)
                    ),
                };
                self.line(l);
            }
            None => {
                let h = (r.window.cutoff - r.window.from).num_hours();
                let l = match self.lang {
                    Lang::Zh => format!("- 班次：无（最近 {h} 小时）"),
                    Lang::En => format!("- Shift: none (the last {h} hours)"),
                };
                self.line(l);
            }
        }
        let (from, to) = (self.minute(r.window.from), self.minute(r.window.cutoff));
        let tzname = &r.timezone;
        let l = match self.lang {
            Lang::Zh => format!("- 时段：{from} 至 {to}（{tzname}）"),
            Lang::En => format!("- Window: {from} to {to} ({tzname})"),
        };
        self.line(l);
        let l = if r.provisional {
            self.t(
                "- 截止：尚未交班，截至生成时；交班时以交班截止时间为准",
                "- Cut-off: not handed over yet, so up to the time of printing; the handover fixes it",
            )
            .to_string()
        } else {
            match self.lang {
                Lang::Zh => format!("- 截止：{to}；此后的事项计入下一份报告"),
                Lang::En => {
                    format!("- Cut-off: {to}; what happens after it belongs to the next report")
                }
            }
        };
        self.line(l);
        let g = self.minute(r.generated_at);
        let l = match self.lang {
            Lang::Zh => format!("- 生成：{g}"),
            Lang::En => format!("- Printed: {g}"),
        };
        self.line(l);
        for w in &r.warnings {
            let text = md(self.lang.t(&w.zh, &w.en));
            self.line(format!("- **⚠ {text}**"));
        }
        self.blank();
    }

    fn cover(&mut self) {
        let c = &self.r.cover;
        let th = c.threshold_days;
        let h = self.t("## 物资可供天数", "## Days of cover");
        self.line(h);
        if c.cells == 0 {
            let l = self.t(
                "- 无库存报告，也无需求记录",
                "- No stock reports and no recorded need",
            );
            self.line(l);
        } else if c.short.is_empty() {
            let l = match self.lang {
                Lang::Zh => format!("- 截止时 {} 项均不低于 {th} 天或无消耗", c.cells),
                Lang::En => format!(
                    "- At the cut-off all {} cells hold {th} days or more, or need nothing",
                    c.cells
                ),
            };
            self.line(l);
        }
        for row in &c.short {
            let bar = crate::domain::cover::bar(row.days, 2.0 * th, 8);
            let stale = if row.status == "stale" {
                self.t("（数据过时，仅供参考）", " (stale figures, not trusted)")
            } else {
                ""
            };
            let unit = if row.days.is_some() {
                self.t(" 天", " d")
            } else {
                ""
            };
            let l = format!(
                "- {} {} `{bar}` {}{unit}{stale}",
                md(&row.community),
                self.label(row.item),
                row.cover.text()
            );
            self.line(l);
        }
        self.line("");
    }

    fn activation(&mut self) {
        let r = self.r;
        let h = self.t("## 1. 预案状态", "## 1. Activation of the plan");
        self.line(h);
        match &r.activation.at_cutoff {
            None => {
                let l = self.t(
                    "- 截止时：平时（从未激活）",
                    "- At the cut-off: normal (never activated)",
                );
                self.line(l);
            }
            Some(a) => {
                let since = a.since();
                let elapsed = self.dur((r.window.cutoff - since).num_minutes());
                let (state, dir, by) = (self.label(a.state), md(&a.directive), md(&a.recorded_by));
                let at = self.short(since);
                let l = match self.lang {
                    Lang::Zh => format!(
                        "- 截止时：**{state}** — {dir}，自 {at} 起（已 {elapsed}），记录人 {by}"
                    ),
                    Lang::En => format!(
                        "- At the cut-off: **{state}** — {dir}, since {at} ({elapsed}), recorded by {by}"
                    ),
                };
                self.line(l);
            }
        }
        if r.activation.changes.is_empty() {
            let l = self.t("- 本时段无变化", "- No change in the window");
            self.line(l);
        } else {
            let l = self.t("- 本时段变化：", "- Changes in the window:");
            self.line(l);
            for a in &r.activation.changes {
                let l = format!(
                    "  - {} → {} — {}{}",
                    self.short(a.recorded_at),
                    self.label(a.state),
                    md(&a.directive),
                    self.paren(&md(&a.recorded_by))
                );
                self.line(l);
            }
        }
        self.blank();
    }

    /// An alert on one line; under its community's heading (`open`) the
    /// community is not repeated.
    fn alert_line(&self, a: &ReportAlert, open: bool) -> String {
        let sep = self.sep();
        let place = match (&a.compound, open) {
            (Some(k), true) => md(k),
            (Some(k), false) => format!("{} {}", md(&a.community), md(k)),
            (None, true) => String::new(),
            (None, false) => md(&a.community),
        };
        let place = if place.is_empty() {
            String::new()
        } else {
            format!(" {place}")
        };
        let hh = match self.lang {
            Lang::Zh => format!("{} 户", a.households),
            Lang::En => format!("{} households", a.households),
        };
        let mut s = format!(
            "#{}{place}{sep}{}{sep}{}{sep}{hh}",
            a.id,
            self.label(a.item),
            self.label(a.severity)
        );
        if open {
            let _ = write!(s, "{sep}{}", self.dur(a.age_minutes));
            if a.escalated {
                let _ = write!(s, "{sep}{}", self.t("已升级", "ESCALATED"));
            }
            let _ = write!(s, "{sep}{}", self.label(a.state));
            if let Some(h) = &a.handler {
                s.push_str(&self.paren(&md(h)));
            }
        }
        s
    }

    fn alerts(&mut self) {
        let r = self.r;
        let c = &r.counts;
        let h = self.t("## 2. 短缺预警", "## 2. Shortage alerts");
        self.line(h);
        let l = match self.lang {
            Lang::Zh => format!(
                "新增 {} · 解决 {} · 撤销 {} · 截止时未结 {}（已升级 {}）",
                c.alerts_raised,
                c.alerts_resolved,
                c.alerts_cancelled,
                c.alerts_open,
                c.alerts_escalated
            ),
            Lang::En => format!(
                "Raised {} · resolved {} · cancelled {} · open at the cut-off {} ({} escalated)",
                c.alerts_raised,
                c.alerts_resolved,
                c.alerts_cancelled,
                c.alerts_open,
                c.alerts_escalated
            ),
        };
        self.line(l);
        self.blank();
        let h = self.t(
            "### 截止时未结（按社区，已升级的在前）",
            "### Open at the cut-off, by community (escalated first)",
        );
        self.line(h);
        if r.alerts.open_by_community.is_empty() {
            self.none();
        }
        let communities = &r.alerts.open_by_community;
        self.list(communities, communities.len(), |m, c| {
            let oldest = m.dur(c.oldest_age_minutes);
            let mut head = match m.lang {
                Lang::Zh => format!("- **{}**：{} 条", md(&c.community), c.open),
                Lang::En => format!("- **{}**: {} open", md(&c.community), c.open),
            };
            if c.escalated > 0 {
                let _ = match m.lang {
                    Lang::Zh => write!(head, "（已升级 {}）", c.escalated),
                    Lang::En => write!(head, " ({} escalated)", c.escalated),
                };
            }
            let _ = match m.lang {
                Lang::Zh => write!(head, "，最久 {oldest}"),
                Lang::En => write!(head, ", oldest {oldest}"),
            };
            let mut lines = vec![head];
            for a in c.alerts.iter().take(MD_LIST_MAX) {
                let l = m.alert_line(a, true);
                lines.push(if a.escalated {
                    format!("  - **⚠ {l}**")
                } else {
                    format!("  - {l}")
                });
            }
            let shown = c.alerts.len().min(MD_LIST_MAX);
            if c.open > shown {
                let n = c.open - shown;
                lines.push(match m.lang {
                    Lang::Zh => format!("  - ……另有 {n} 条"),
                    Lang::En => format!("  - … and {n} more"),
                });
            }
            lines.join("\n")
        });
        self.blank();
        let h = self.t("### 本时段新增", "### Raised in the window");
        self.line(h);
        if r.alerts.raised.is_empty() {
            self.none();
        }
        self.list(&r.alerts.raised, c.alerts_raised, |m, a| {
            let sep = m.sep();
            let now_state = match a.closed_at {
                Some(_) => m.label(a.state).to_string(),
                None => match m.lang {
                    Lang::Zh => format!("截止时{}", a.state.label_zh()),
                    Lang::En => format!("{} at the cut-off", a.state.label_en().to_lowercase()),
                },
            };
            format!(
                "- {} {}{sep}{now_state}",
                m.short(a.opened_at),
                m.alert_line(a, false)
            )
        });
        self.blank();
        let h = self.t(
            "### 本时段解决或撤销",
            "### Resolved or cancelled in the window",
        );
        self.line(h);
        if r.alerts.closed.is_empty() {
            self.none();
        }
        self.list(
            &r.alerts.closed,
            c.alerts_resolved + c.alerts_cancelled,
            |m, a| {
                let sep = m.sep();
                let took = m.dur(a.age_minutes);
                let at = a.closed_at.map(|t| m.short(t)).unwrap_or_default();
                let took = match m.lang {
                    Lang::Zh => format!("历时 {took}"),
                    Lang::En => format!("after {took}"),
                };
                format!(
                    "- {at} {}{sep}{}{sep}{took}",
                    m.label(a.state),
                    m.alert_line(a, false)
                )
            },
        );
        self.blank();
    }

    fn passes(&mut self) {
        let r = self.r;
        let c = &r.counts;
        let h = self.t("## 3. 通行证", "## 3. Passes");
        self.line(h);
        let hours = r.passes.expiring_within_hours;
        let l = match self.lang {
            Lang::Zh => format!(
                "发放 {} · 暂停 {} · 吊销 {} · 其他办理 {} · {hours} 小时内到期 {}",
                c.passes_issued,
                c.passes_suspended,
                c.passes_revoked,
                c.passes_requested + c.passes_extended + c.passes_reinstated,
                c.passes_expiring
            ),
            Lang::En => format!(
                "Issued {} · suspended {} · revoked {} · other steps {} · expiring within {hours} h {}",
                c.passes_issued,
                c.passes_suspended,
                c.passes_revoked,
                c.passes_requested + c.passes_extended + c.passes_reinstated,
                c.passes_expiring
            ),
        };
        self.line(l);
        self.blank();
        let h = self.t("### 本时段办理", "### Steps in the window");
        self.line(h);
        if r.passes.events.is_empty() {
            self.none();
        }
        let steps = c.passes_requested
            + c.passes_issued
            + c.passes_extended
            + c.passes_suspended
            + c.passes_reinstated
            + c.passes_revoked;
        self.list(&r.passes.events, steps, |m, e| {
            let sep = m.sep();
            let mut s = format!(
                "- {} {} {}",
                m.short(e.at),
                m.label(e.kind),
                m.pass_text(&e.pass)
            );
            if let Some(reason) = &e.reason {
                let _ = match m.lang {
                    Lang::Zh => write!(s, "{sep}原因：{}", md(reason)),
                    Lang::En => write!(s, "{sep}reason: {}", md(reason)),
                };
            }
            let _ = match m.lang {
                Lang::Zh => write!(s, "{sep}经办 {}", md(&e.officer)),
                Lang::En => write!(s, "{sep}by {}", md(&e.officer)),
            };
            s
        });
        self.blank();
        let h = match self.lang {
            Lang::Zh => format!("### 截止后 {hours} 小时内到期"),
            Lang::En => format!("### Expiring within {hours} h of the cut-off"),
        };
        self.line(h);
        if r.passes.expiring.is_empty() {
            self.none();
        }
        self.list(&r.passes.expiring, c.passes_expiring, |m, p| {
            format!("- {}", m.pass_text(p))
        });
        self.blank();
    }

    fn pass_text(&self, p: &ReportPass) -> String {
        let sep = self.sep();
        let mut s = format!("{} {} {}", md(&p.number), self.label(p.kind), md(&p.holder));
        if let Some(u) = p.unit.as_ref().filter(|u| !p.holder.contains(u.as_str())) {
            s.push_str(&self.paren(&md(u)));
        }
        let until = self.short(p.valid_until);
        let _ = match self.lang {
            Lang::Zh => write!(s, "{sep}有效至 {until}"),
            Lang::En => write!(s, "{sep}valid until {until}"),
        };
        if let Some(a) = &p.area {
            let _ = match self.lang {
                Lang::Zh => write!(s, "{sep}线路 {}", md(a)),
                Lang::En => write!(s, "{sep}route {}", md(a)),
            };
        }
        s
    }

    fn delivery_text(&self, d: &ReportDelivery) -> String {
        let sep = self.sep();
        let place = match &d.compound {
            Some(k) => format!("{} {}", md(&d.community), md(k)),
            None => md(&d.community),
        };
        let due = self.short(d.due_at);
        let mut s = format!(
            "#{} {}{}{}{place}{sep}{}{sep}{}",
            d.id,
            md(&d.recipient),
            self.paren(self.label(d.group)),
            self.t("", " "),
            md(&d.items),
            self.label(d.urgency)
        );
        let _ = match self.lang {
            Lang::Zh => write!(s, "{sep}期限 {due}"),
            Lang::En => write!(s, "{sep}due {due}"),
        };
        s
    }

    fn deliveries(&mut self) {
        let r = self.r;
        let c = &r.counts;
        let d = &r.deliveries;
        let h = self.t("## 4. 特殊群体配送", "## 4. Deliveries to special groups");
        self.line(h);
        let mins = d.due_soon_minutes;
        let soon = self.dur(mins);
        let l = match self.lang {
            Lang::Zh => format!(
                "送达 {} · 未送达 {} · 取消 {} · 截止时逾期 {} · {soon}内到期 {}",
                c.deliveries_delivered,
                c.deliveries_failed,
                c.deliveries_cancelled,
                c.deliveries_overdue,
                c.deliveries_due_soon
            ),
            Lang::En => format!(
                "Delivered {} · failed {} · cancelled {} · overdue at the cut-off {} · due within {soon} {}",
                c.deliveries_delivered,
                c.deliveries_failed,
                c.deliveries_cancelled,
                c.deliveries_overdue,
                c.deliveries_due_soon
            ),
        };
        self.line(l);
        self.blank();
        let open_line = |m: &Self, x: &ReportDelivery, strong: bool| {
            let sep = m.sep();
            let mut s = m.delivery_text(x);
            let _ = write!(s, "{sep}{}", m.label(x.state));
            if let Some(a) = &x.assignee {
                s.push_str(&m.paren(&md(a)));
            }
            if strong {
                format!("- **⚠ {s}**")
            } else {
                format!("- {s}")
            }
        };
        let h = self.t("### 截止时逾期", "### Overdue at the cut-off");
        self.line(h);
        if d.overdue.is_empty() {
            self.none();
        }
        self.list(&d.overdue, c.deliveries_overdue, |m, x| {
            open_line(m, x, true)
        });
        self.blank();
        let h = match self.lang {
            Lang::Zh => format!("### 截止后 {soon}内到期"),
            Lang::En => format!("### Due within {soon} of the cut-off"),
        };
        self.line(h);
        if d.due_soon.is_empty() {
            self.none();
        }
        self.list(&d.due_soon, c.deliveries_due_soon, |m, x| {
            open_line(m, x, false)
        });
        self.blank();
        let event = |m: &Self, e: &DeliveryEvent| {
            let sep = m.sep();
            let mut s = format!("- {} {}", m.short(e.at), m.delivery_text(&e.delivery));
            if let (DeliveryEventKind::Failed, Some(reason)) = (e.kind, e.delivery.fail_reason) {
                let _ = write!(s, "{sep}{}", m.label(reason));
            }
            s
        };
        for (title, list, total) in [
            (
                self.t("### 本时段送达", "### Delivered in the window"),
                &d.delivered,
                c.deliveries_delivered,
            ),
            (
                self.t("### 本时段未送达", "### Failed in the window"),
                &d.failed,
                c.deliveries_failed,
            ),
            (
                self.t("### 本时段取消", "### Cancelled in the window"),
                &d.cancelled,
                c.deliveries_cancelled,
            ),
        ] {
            self.line(title);
            if list.is_empty() {
                self.none();
            }
            self.list(list, total, event);
            self.blank();
        }
    }

    fn entries(&mut self) {
        let r = self.r;
        let h = self.t(
            "## 5. 记事、来电、指示",
            "## 5. Notes, calls and instructions",
        );
        self.line(h);
        if r.entries.is_empty() {
            self.none();
        }
        let total = r.counts.entries.note + r.counts.entries.call + r.counts.entries.instruction;
        self.list(&r.entries, total as usize, |m, e| {
            let mut s = format!(
                "- #{} {} {} · {}{}{}",
                e.seq,
                m.short(e.recorded_at),
                m.label(e.kind),
                md(&e.officer),
                m.t("：", ": "),
                md(&e.text)
            );
            if let Some(c) = &e.caller {
                let (c, from) = (md(c), e.caller_from.as_deref().map(md));
                let _ = match (m.lang, from) {
                    (Lang::Zh, Some(f)) => write!(s, "（来电人 {c}，{f}）"),
                    (Lang::Zh, None) => write!(s, "（来电人 {c}）"),
                    (Lang::En, Some(f)) => write!(s, " (caller {c}, {f})"),
                    (Lang::En, None) => write!(s, " (caller {c})"),
                };
            }
            if let Some(o) = e.occurred_at {
                let o = m.short(o);
                let _ = match m.lang {
                    Lang::Zh => write!(s, "（发生于 {o}）"),
                    Lang::En => write!(s, " (happened {o})"),
                };
            }
            if let Some(c) = e.corrects {
                let _ = match m.lang {
                    Lang::Zh => write!(s, "（更正 #{c}）"),
                    Lang::En => write!(s, " (corrects #{c})"),
                };
            }
            s
        });
        self.blank();
    }

    fn item_line(&self, i: &HandoverItem) -> String {
        let summary = super::strip_offsets(self.lang.t(&i.summary_zh, &i.summary_en));
        let next = self.lang.t(&i.next_zh, &i.next_en);
        let next = if next.is_empty() {
            String::new()
        } else {
            format!(" → {}", md(next))
        };
        let line = self.item_state(i, &summary);
        format!("{line}{next}")
    }

    fn item_state(&self, i: &HandoverItem, summary: &str) -> String {
        let i = &HandoverItem {
            summary_zh: summary.to_string(),
            summary_en: summary.to_string(),
            ..i.clone()
        };
        match (&i.acknowledged_at, &i.acknowledged_by) {
            (Some(at), Some(by)) => {
                let at = self.short(*at);
                match self.lang {
                    Lang::Zh => format!(
                        "- [x] {}. {}（{} 于 {at} 确认）",
                        i.pos,
                        md(self.lang.t(&i.summary_zh, &i.summary_en)),
                        md(by)
                    ),
                    Lang::En => format!(
                        "- [x] {}. {} (acknowledged by {} at {at})",
                        i.pos,
                        md(self.lang.t(&i.summary_zh, &i.summary_en)),
                        md(by)
                    ),
                }
            }
            _ => {
                let again = if i.carried_from.is_some() {
                    self.t(
                        "（前一班起未确认）",
                        " (not acknowledged since an earlier shift)",
                    )
                } else {
                    ""
                };
                match self.lang {
                    Lang::Zh => format!(
                        "- [ ] **{}. {}** — **未确认**{again}",
                        i.pos,
                        md(self.lang.t(&i.summary_zh, &i.summary_en))
                    ),
                    Lang::En => format!(
                        "- [ ] **{}. {}** — **not acknowledged**{again}",
                        i.pos,
                        md(self.lang.t(&i.summary_zh, &i.summary_en))
                    ),
                }
            }
        }
    }

    /// Items by section, each section with its true count and the first
    /// [`MD_LIST_MAX`] of it.
    fn sections(&mut self, items: &[HandoverItem]) {
        for sec in <ItemSection as Code>::ALL {
            let of: Vec<HandoverItem> = items
                .iter()
                .filter(|i| i.section == *sec)
                .cloned()
                .collect();
            if of.is_empty() {
                continue;
            }
            let n = of.len();
            let shown = n.min(MD_LIST_MAX);
            let title = sec.label(self.lang);
            let l = match (self.lang, n > shown) {
                (Lang::Zh, false) => format!("#### {title}（{n} 项）"),
                (Lang::Zh, true) => format!("#### {title}（{n} 项，列出前 {shown} 项）"),
                (Lang::En, false) => format!("#### {title} ({n})"),
                (Lang::En, true) => format!("#### {title} ({n}, the first {shown} listed)"),
            };
            self.line(l);
            self.list(&of, n, |m, i| m.item_line(i));
        }
    }

    fn reach(&mut self) {
        let g = &self.r.reach;
        let h = self.t("## 未联系上的对象", "## Recipients not being reached");
        self.line(h);
        let longest = g
            .longest_overdue_minutes
            .map(|m| self.dur(m))
            .unwrap_or_else(|| "—".into());
        let l = match self.lang {
            Lang::Zh => format!(
                "- 覆盖缺口 {} 人（未排配送 {} 人），最久逾期 {longest}",
                g.gaps, g.gaps_not_queued
            ),
            Lang::En => format!(
                "- Coverage gaps: {} ({} not queued), the longest overdue by {longest}",
                g.gaps, g.gaps_not_queued
            ),
        };
        self.line(l);
        let most = g.most_failures.unwrap_or(0);
        let l = match self.lang {
            Lang::Zh => format!(
                "- 需上门探视 {} 人，最多连续 {most} 次未送达",
                g.welfare_checks
            ),
            Lang::En => format!(
                "- Welfare checks: {}, at most {most} failed deliveries in a row",
                g.welfare_checks
            ),
        };
        self.line(l);
        self.blank();
    }

    fn carry_over(&mut self) {
        let r = self.r;
        let h = self.t("## 6. 遗留事项", "## 6. Carry-over");
        self.line(h);
        match &r.carry_over.previous {
            Some(p) => {
                let to = md(p.shift.incoming.as_deref().unwrap_or_default());
                let unacked = r.counts.carry_over_unacknowledged;
                let l = match self.lang {
                    Lang::Zh => format!(
                        "### 接收自上一班（#{} {} → {to}），{} 项，未确认 {unacked} 项",
                        p.shift.id,
                        md(&p.shift.officer),
                        p.items.len()
                    ),
                    Lang::En => format!(
                        "### Received from the previous shift (#{} {} → {to}): {} items, {unacked} not acknowledged",
                        p.shift.id,
                        md(&p.shift.officer),
                        p.items.len()
                    ),
                };
                self.line(l);
                if p.items.is_empty() {
                    self.none();
                }
                let items = &p.items;
                self.list(items, r.counts.carry_over_received, |m, i| m.item_line(i));
            }
            None => {
                let l = self.t("### 接收自上一班", "### Received from the previous shift");
                self.line(l);
                self.none();
            }
        }
        self.blank();
        match r.shift.as_ref().filter(|s| s.state != ShiftState::OnDuty) {
            Some(s) => {
                let to = md(s.incoming.as_deref().unwrap_or_default());
                let l = match self.lang {
                    Lang::Zh => format!(
                        "### 本班移交给 {to}，{} 项，未确认 {} 项",
                        r.counts.carry_over_handed_over,
                        r.counts.carry_over_handed_over_unacknowledged
                    ),
                    Lang::En => format!(
                        "### Handed over to {to}: {} items, {} not acknowledged",
                        r.counts.carry_over_handed_over,
                        r.counts.carry_over_handed_over_unacknowledged
                    ),
                };
                self.line(l);
                if r.carry_over.handed_over.is_empty() {
                    self.none();
                }
                self.sections(&r.carry_over.handed_over);
            }
            None => {
                let l = self.t("### 本班移交", "### To hand over");
                self.line(l);
                let l = self.t(
                    "- 尚未交班；交班时，截止时的未结事项将逐项移交",
                    "- Not handed over yet; at the handover the items open at the cut-off are carried over one by one",
                );
                self.line(l);
            }
        }
        self.blank();
    }

    fn counts(&mut self) {
        let c = self.r.counts;
        let h = self.t("## 7. 统计", "## 7. Counts");
        self.line(h);
        let (a, b) = (self.t("项目", "What"), self.t("数量", "Count"));
        self.line(format!("| {a} | {b} |"));
        self.line("|---|---:|");
        let rows: Vec<(&str, i64)> = vec![
            (self.t("日志条目", "Duty-log entries"), c.entries.total),
            (self.t("— 变更", "— changes"), c.entries.change),
            (self.t("— 记事", "— notes"), c.entries.note),
            (self.t("— 来电", "— calls"), c.entries.call),
            (self.t("— 指示", "— instructions"), c.entries.instruction),
            (self.t("— 交接班", "— handover"), c.entries.handover),
            (self.t("— 查看个人信息", "— data access"), c.entries.access),
            (self.t("预警新增", "Alerts raised"), c.alerts_raised as i64),
            (
                self.t("预警解决", "Alerts resolved"),
                c.alerts_resolved as i64,
            ),
            (
                self.t("预警撤销", "Alerts cancelled"),
                c.alerts_cancelled as i64,
            ),
            (
                self.t("截止时未结预警", "Alerts open at the cut-off"),
                c.alerts_open as i64,
            ),
            (self.t("— 已升级", "— escalated"), c.alerts_escalated as i64),
            (
                self.t("通行证发放", "Passes issued"),
                c.passes_issued as i64,
            ),
            (
                self.t("通行证暂停", "Passes suspended"),
                c.passes_suspended as i64,
            ),
            (
                self.t("通行证吊销", "Passes revoked"),
                c.passes_revoked as i64,
            ),
            (
                self.t("通行证即将到期", "Passes expiring"),
                c.passes_expiring as i64,
            ),
            (
                self.t("配送送达", "Deliveries delivered"),
                c.deliveries_delivered as i64,
            ),
            (
                self.t("配送未送达", "Deliveries failed"),
                c.deliveries_failed as i64,
            ),
            (
                self.t("配送逾期", "Deliveries overdue"),
                c.deliveries_overdue as i64,
            ),
            (
                self.t("配送即将到期", "Deliveries due soon"),
                c.deliveries_due_soon as i64,
            ),
            (
                self.t("接收遗留事项", "Carry-over items received"),
                c.carry_over_received as i64,
            ),
            (
                self.t("— 未确认", "— not acknowledged"),
                c.carry_over_unacknowledged as i64,
            ),
            (
                self.t("移交遗留事项", "Carry-over items handed over"),
                c.carry_over_handed_over as i64,
            ),
        ];
        for (k, v) in rows {
            self.line(format!("| {k} | {v} |"));
        }
        self.blank();
    }

    fn footer(&mut self) {
        let h = &self.r.chain_head;
        self.line("---");
        self.line(format!("{HEAD_MARKER} #{} sha256:{}", h.seq, h.hash));
        let l = self.t(
            "核验：`supplydesk log verify --against-report 本报告文件`（交班后任何一条日志被改动都会被发现）",
            "Verify: `supplydesk log verify --against-report THIS-FILE` (any later change to an entry up to the head is found)",
        );
        self.line(l);
    }
}

impl Report {
    /// Markdown in `lang`, times in the report's zone.
    pub fn to_markdown(&self, lang: Lang) -> String {
        let mut m = Md {
            out: String::new(),
            lang,
            tz: self.timezone.parse().unwrap_or(chrono_tz::Asia::Shanghai),
            r: self,
        };
        m.header();
        m.activation();
        m.alerts();
        m.cover();
        m.reach();
        m.passes();
        m.deliveries();
        m.entries();
        m.carry_over();
        m.counts();
        m.footer();
        m.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_text_cannot_format_or_escape() {
        assert_eq!(md("张*华"), "张＊华");
        assert_eq!(md("a|b_c[d]"), "a\\|b\\_c\\[d\\]");
        assert_eq!(md("x\x1b[31my"), "x^\\[\\[31my");
        assert_eq!(md("两\n行"), "两^J行");
    }
}
