//! What a handover carries over: the things needing action at the
//! cut-off, in sections worst first, each with what to do next and who is
//! on it. An open record with nothing due is a count in the report, not an
//! item: critical or escalated alerts, one item per handler; deliveries
//! overdue or due soon, those unassigned and those assigned (their
//! assignees named); passes ending within the warning window (one item per kind);
//! welfare checks, and recipients not reached and not yet queued (one item
//! per community each); communities with cells below the cover threshold (one per
//! community).

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::alerts::Escalation;
use super::report_queries::{Records, ReportAlert, ReportDelivery, ReportPass, Window};
use super::{Result, Store};
use crate::domain::Code;
use crate::domain::alert::Severity;
use crate::domain::cover::Norms;
use crate::domain::pass::PassKind;
use crate::domain::shift::{CarryKind, OpenItem, Summary};
use crate::domain::time::local_short;

/// What the carry-over list takes from the config.
#[derive(Debug, Clone, PartialEq)]
pub struct CarryRules {
    pub escalation: Escalation,
    /// Passes ending this soon after the cut-off are carried over.
    pub pass_warn: Duration,
    /// Deliveries due this soon after the cut-off are carried over (overdue
    /// ones always are).
    pub due_soon: Duration,
    /// Contact periods, welfare checks and the cover threshold.
    pub norms: Norms,
    /// The zone the items' times are written in.
    pub tz: Tz,
}

impl Default for CarryRules {
    fn default() -> Self {
        CarryRules {
            escalation: Escalation::default(),
            pass_warn: Duration::hours(24),
            due_soon: Duration::minutes(120),
            norms: Norms::default(),
            tz: chrono_tz::Asia::Shanghai,
        }
    }
}

/// A cell short of cover: item class in both languages, and its days.
type Cell = (String, String, f64);

/// Items listed by id in one grouped item, at most.
const LISTED: usize = 3;

/// `等，另 N 人` when more than [`LISTED`] of `n` are named.
fn more(n: usize) -> (String, String) {
    let more = n.saturating_sub(LISTED);
    if more > 0 {
        (format!(" 等，另 {more} 人"), format!(", and {more} more"))
    } else {
        (String::new(), String::new())
    }
}

/// A duration in words of both languages: `6小时5分` / `6h05m`.
fn dur(minutes: i64) -> (String, String) {
    let m = minutes.max(0);
    let zh = if m < 60 {
        format!("{m}分钟")
    } else if m < 24 * 60 && m % 60 == 0 {
        format!("{}小时", m / 60)
    } else if m < 24 * 60 {
        format!("{}小时{}分", m / 60, m % 60)
    } else {
        format!("{}天{}小时", m / (24 * 60), (m / 60) % 24)
    };
    (zh, crate::domain::time::age(Duration::minutes(m)))
}

/// Critical or escalated alerts of one handler (or none).
fn alert_item(list: &[&ReportAlert], tz: Tz) -> OpenItem {
    let owner = list.first().and_then(|a| a.handler.clone());
    let n = list.len();
    let one = |a: &ReportAlert, zh: bool| {
        let place = match &a.compound {
            Some(k) => format!("{} {k}", a.community),
            None => a.community.clone(),
        };
        let at = local_short(a.opened_at, tz);
        let esc = match (a.escalated, zh) {
            (true, true) => "，已升级",
            (true, false) => ", escalated",
            _ => "",
        };
        if zh {
            format!(
                "#{} {place} {} {} {} 户 {at} 起{esc}",
                a.id,
                a.item.label_zh(),
                a.severity.label_zh(),
                a.households
            )
        } else {
            format!(
                "#{} {place} {} {} {} households since {at}{esc}",
                a.id,
                a.item.label_en(),
                a.severity.label_en().to_lowercase(),
                a.households
            )
        }
    };
    let zh: Vec<String> = list.iter().take(LISTED).map(|a| one(a, true)).collect();
    let en: Vec<String> = list.iter().take(LISTED).map(|a| one(a, false)).collect();
    let more = n.saturating_sub(LISTED);
    let (more_zh, more_en) = if more > 0 {
        (format!(" 等，另 {more} 条"), format!(", and {more} more"))
    } else {
        (String::new(), String::new())
    };
    let escalated = list.iter().any(|a| a.escalated);
    let next = match (&owner, escalated) {
        (None, _) => Summary {
            zh: "指派处置人并跟进".into(),
            en: "Assign a handler and follow up".into(),
        },
        (Some(h), true) => Summary {
            zh: format!("向 {h} 催办，按升级要求上报"),
            en: format!("Chase {h}; report them as escalated"),
        },
        (Some(h), false) => Summary {
            zh: format!("跟进 {h} 的处置进展"),
            en: format!("Follow up with {h}"),
        },
    };
    let (who_zh, who_en) = match &owner {
        Some(h) => (format!("处置人 {h}"), format!("handler {h}")),
        None => ("未指派处置人".to_string(), "no handler".to_string()),
    };
    let subject = match &owner {
        Some(h) => format!("alert:handler:{h}"),
        None => "alert:unassigned".into(),
    };
    OpenItem {
        kind: CarryKind::Alert,
        subject,
        summary: Summary {
            zh: format!(
                "紧急或已升级预警 {n} 条（{who_zh}）：{}{more_zh}",
                zh.join("；")
            ),
            en: format!(
                "Critical or escalated alerts: {n} ({who_en}): {}{more_en}",
                en.join("; ")
            ),
        },
        next,
        owner,
    }
}

/// Deliveries overdue or due soon, all assigned or all not.
fn delivery_item(
    list: &[&ReportDelivery],
    overdue: bool,
    cutoff: DateTime<Utc>,
    tz: Tz,
) -> OpenItem {
    let assigned = list.first().is_some_and(|d| d.assignee.is_some());
    let mut names: Vec<&str> = Vec::new();
    for d in list {
        if let Some(a) = d.assignee.as_deref()
            && !names.contains(&a)
        {
            names.push(a);
        }
    }
    let owner = match names.len() {
        0 => None,
        1..=3 => Some(names.join("、")),
        k => Some(format!("{} 等 {k} 人", names[..3].join("、"))),
    };
    let n = list.len();
    let shown: Vec<String> = list
        .iter()
        .take(LISTED)
        .map(|d| {
            format!(
                "#{} {}（{}）{} {}",
                d.id,
                d.recipient,
                d.group.label_zh(),
                d.community,
                local_short(d.due_at, tz)
            )
        })
        .collect();
    let shown_en: Vec<String> = list
        .iter()
        .take(LISTED)
        .map(|d| {
            format!(
                "#{} {} ({}) {} {}",
                d.id,
                d.recipient,
                d.group.label_en(),
                d.community,
                local_short(d.due_at, tz)
            )
        })
        .collect();
    let more = n.saturating_sub(LISTED);
    let (more_zh, more_en) = if more > 0 {
        (format!(" 等，另 {more} 单"), format!(", and {more} more"))
    } else {
        (String::new(), String::new())
    };
    let who_zh = owner.clone().unwrap_or_else(|| "未分派".into());
    let who_en = match names.len() {
        0 => "not assigned".to_string(),
        1..=3 => names.join(", "),
        k => format!("{} and {} more", names[..3].join(", "), k - 3),
    };
    let (summary, next) = if overdue {
        let worst = list
            .iter()
            .map(|d| (cutoff - d.due_at).num_minutes())
            .max()
            .unwrap_or(0);
        let (w_zh, w_en) = dur(worst);
        (
            Summary {
                zh: format!(
                    "逾期配送 {n} 单（{who_zh}），最久逾期 {w_zh}：{}{more_zh}",
                    shown.join("；")
                ),
                en: format!(
                    "Overdue deliveries: {n} ({who_en}), the longest by {w_en}: {}{more_en}",
                    shown_en.join("; ")
                ),
            },
            match &owner {
                None => Summary {
                    zh: "立即分派配送员或车辆".into(),
                    en: "Assign a volunteer or vehicle now".into(),
                },
                Some(_) => Summary {
                    zh: "逐一联系配送人核实，送不到的改派".into(),
                    en: "Call each assignee; reassign what cannot be delivered".into(),
                },
            },
        )
    } else {
        (
            Summary {
                zh: format!(
                    "即将到期配送 {n} 单（{who_zh}）：{}{more_zh}",
                    shown.join("；")
                ),
                en: format!(
                    "Deliveries due soon: {n} ({who_en}): {}{more_en}",
                    shown_en.join("; ")
                ),
            },
            match &owner {
                None => Summary {
                    zh: "到期前分派配送员或车辆".into(),
                    en: "Assign a volunteer or vehicle before they are due".into(),
                },
                Some(_) => Summary {
                    zh: "提醒配送人按时送达".into(),
                    en: "Remind the assignees of the times".into(),
                },
            },
        )
    };
    let key = if overdue { "overdue" } else { "due_soon" };
    let who = if assigned { "assigned" } else { "unassigned" };
    OpenItem {
        kind: CarryKind::Delivery,
        subject: format!("delivery:{key}:{who}"),
        summary,
        next,
        owner,
    }
}

/// The passes of one kind ending within the warning window.
fn pass_item(kind: PassKind, list: &[&ReportPass], warn: Duration, tz: Tz) -> OpenItem {
    let n = list.len();
    let h = warn.num_hours();
    let first = list.first();
    let (first_zh, first_en) = match first {
        Some(p) => {
            let until = local_short(p.valid_until, tz);
            (
                format!("，最早 {} {} {until} 到期", p.number, p.holder),
                format!(", the first {} {} at {until}", p.number, p.holder),
            )
        }
        None => (String::new(), String::new()),
    };
    OpenItem {
        kind: CarryKind::Pass,
        subject: format!("pass:{}", kind.code()),
        summary: Summary {
            zh: format!("{n} 张{}将在 {h} 小时内到期{first_zh}", kind.label_zh()),
            en: format!("{} ending within {h} h: {n}{first_en}", kind.label_en()),
        },
        next: Summary {
            zh: "核实是否仍需通行，需要的办理延期".into(),
            en: "Check which are still needed and extend those".into(),
        },
        owner: None,
    }
}

/// Alerts, deliveries and passes needing action at the window's cut-off,
/// read as they stood then.
pub fn record_items(rec: Records<'_>, w: &Window, rules: &CarryRules) -> Result<Vec<OpenItem>> {
    let tz = rules.tz;
    let mut out = Vec::new();
    let alerts: Vec<ReportAlert> = rec
        .alerts_open_at_cutoff(w, &rules.escalation)?
        .into_iter()
        .filter(|a| a.escalated || a.severity == Severity::Critical)
        .collect();
    // One item per handler, those without one first, then the most.
    let mut groups: Vec<Vec<&ReportAlert>> = Vec::new();
    for a in &alerts {
        match groups.iter_mut().find(|g| g[0].handler == a.handler) {
            Some(g) => g.push(a),
            None => groups.push(vec![a]),
        }
    }
    groups.sort_by_key(|g| (g[0].handler.is_some(), std::cmp::Reverse(g.len())));
    for g in &groups {
        out.push(alert_item(g, tz));
    }
    let d = rec.deliveries_open_at_cutoff(w, w.cutoff + rules.due_soon, None)?;
    for (list, overdue) in [(&d.overdue, true), (&d.due_soon, false)] {
        // Those nobody is assigned to, then those assigned, whose
        // assignees are named.
        let (unassigned, assigned): (Vec<&ReportDelivery>, Vec<&ReportDelivery>) =
            list.iter().partition(|d| d.assignee.is_none());
        for g in [unassigned, assigned] {
            if !g.is_empty() {
                out.push(delivery_item(&g, overdue, w.cutoff, tz));
            }
        }
    }
    let (passes, _) = rec.passes_expiring_after_cutoff(w, rules.pass_warn, None)?;
    for kind in PassKind::ALL {
        let of: Vec<&ReportPass> = passes.iter().filter(|p| p.kind == *kind).collect();
        if !of.is_empty() {
            out.push(pass_item(*kind, &of, rules.pass_warn, tz));
        }
    }
    Ok(out)
}

impl Store {
    /// Recipients not reached (and not yet queued for a delivery), welfare
    /// checks, and communities below the cover threshold, as they stand
    /// at `at` (the supply tables keep no history: a cut-off in the past
    /// reads them as they are now).
    pub fn supply_items(&self, at: DateTime<Utc>, rules: &CarryRules) -> Result<Vec<OpenItem>> {
        if self.schema_version()? < 5 {
            return Ok(Vec::new());
        }
        let tz = rules.tz;
        let mut out = Vec::new();
        // Welfare checks first (deliveries failed in a row to someone
        // vulnerable), then those not reached; one item per community, the
        // first few named.
        let welfare = self.welfare_checks(&rules.norms, i64::MAX)?;
        let mut by_place: Vec<(&str, Vec<&crate::store::supply::WelfareRow>)> = Vec::new();
        for x in &welfare.rows {
            match by_place.iter_mut().find(|(c, _)| *c == x.community) {
                Some((_, v)) => v.push(x),
                None => by_place.push((&x.community, vec![x])),
            }
        }
        for (community, list) in &by_place {
            let n = list.len();
            let most = list.iter().map(|x| x.failures).max().unwrap_or(0);
            let last = list.iter().map(|x| x.last_failed_at).max();
            let at = last.map(|t| local_short(t, tz)).unwrap_or_default();
            let zh: Vec<String> = list
                .iter()
                .take(LISTED)
                .map(|x| {
                    format!(
                        "#{} {}（{}）",
                        x.recipient_id,
                        x.recipient,
                        x.group.label_zh()
                    )
                })
                .collect();
            let en: Vec<String> = list
                .iter()
                .take(LISTED)
                .map(|x| {
                    format!(
                        "#{} {} ({})",
                        x.recipient_id,
                        x.recipient,
                        x.group.label_en()
                    )
                })
                .collect();
            let (more_zh, more_en) = more(n);
            out.push(OpenItem {
                kind: CarryKind::Reach,
                subject: format!("reach:welfare:{community}"),
                summary: Summary {
                    zh: format!(
                        "需上门探视 {n} 人（{community}），最多连续 {most} 次未送达，最近 {at}：{}{more_zh}",
                        zh.join("、")
                    ),
                    en: format!(
                        "Welfare checks: {n} ({community}), at most {most} failed deliveries in a row, the last at {at}: {}{more_en}",
                        en.join(", ")
                    ),
                },
                next: Summary {
                    zh: "请社区（村）干部上门探视，联系上后记录".into(),
                    en: "Ask the community to visit; log the contact once reached".into(),
                },
                owner: None,
            });
        }
        let gaps = self.coverage_gaps(at, &rules.norms, i64::MAX)?;
        let mut by_place: Vec<(i64, Vec<&crate::store::supply::GapRow>)> = Vec::new();
        // Longest overdue first: so is each community's list, and the
        // communities by their longest.
        for g in gaps.rows.iter().filter(|g| g.open_delivery.is_none()) {
            match by_place.iter_mut().find(|(c, _)| *c == g.community_id) {
                Some((_, v)) => v.push(g),
                None => by_place.push((g.community_id, vec![g])),
            }
        }
        for (id, list) in &by_place {
            let n = list.len();
            let community = list[0].community.as_str();
            let (o_zh, o_en) = dur(list[0].overdue_minutes);
            let zh: Vec<String> = list
                .iter()
                .take(LISTED)
                .map(|g| {
                    format!(
                        "#{} {}（{}）",
                        g.recipient_id,
                        g.recipient,
                        g.group.label_zh()
                    )
                })
                .collect();
            let en: Vec<String> = list
                .iter()
                .take(LISTED)
                .map(|g| {
                    format!(
                        "#{} {} ({})",
                        g.recipient_id,
                        g.recipient,
                        g.group.label_en()
                    )
                })
                .collect();
            let (more_zh, more_en) = more(n);
            out.push(OpenItem {
                kind: CarryKind::Reach,
                subject: format!("reach:gap:{id}"),
                summary: Summary {
                    zh: format!(
                        "未联系上 {n} 人（{community}，未排配送），最久逾期 {o_zh}：{}{more_zh}",
                        zh.join("、")
                    ),
                    en: format!(
                        "Not reached: {n} ({community}, not queued), the longest overdue by {o_en}: {}{more_en}",
                        en.join(", ")
                    ),
                },
                next: Summary {
                    zh: "电话联系，或排配送（缺口列表 w）".into(),
                    en: "Call them, or queue deliveries (the gaps list, w)".into(),
                },
                owner: None,
            });
        }
        let mut short: Vec<(i64, String, Vec<Cell>)> = Vec::new();
        for r in self.cover_all(at, &rules.norms)? {
            let Some(days) = r.days.filter(|_| r.below) else {
                continue;
            };
            let cell = (
                r.item.label_zh().to_string(),
                r.item.label_en().to_string(),
                days,
            );
            match short.iter_mut().find(|c| c.0 == r.community_id) {
                Some(c) => c.2.push(cell),
                None => short.push((r.community_id, r.community.clone(), vec![cell])),
            }
        }
        let th = rules.norms.threshold_days;
        for (id, name, mut cells) in short {
            cells.sort_by(|a, b| a.2.total_cmp(&b.2));
            let zh: Vec<String> = cells
                .iter()
                .map(|c| format!("{} {:.1} 天", c.0, c.2))
                .collect();
            let en: Vec<String> = cells
                .iter()
                .map(|c| format!("{} {:.1} d", c.1, c.2))
                .collect();
            out.push(OpenItem {
                kind: CarryKind::Cover,
                subject: format!("cover:{id}"),
                summary: Summary {
                    zh: format!("{name} 可供天数低于 {th} 天：{}", zh.join("、")),
                    en: format!("{name} below {th} days of cover: {}", en.join(", ")),
                },
                next: Summary {
                    zh: "核实库存，申请调拨或补货".into(),
                    en: "Check the stock; ask for a transfer or supply".into(),
                },
                owner: None,
            });
        }
        Ok(out)
    }

    /// Everything a handover at `w`'s cut-off would carry over from the
    /// records, before the previous handover's unacknowledged items.
    pub fn open_items(&self, w: &Window, rules: &CarryRules) -> Result<Vec<OpenItem>> {
        let mut out = record_items(self.records(), w, rules)?;
        out.extend(self.supply_items(w.cutoff, rules)?);
        Ok(out)
    }
}
