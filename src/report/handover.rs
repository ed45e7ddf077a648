//! The handover report (交接班报告) of a shift: what the outgoing officer
//! hands over, built from the store for a window with a fixed cut-off.
//! Whatever happens after the cut-off belongs to the next report, so the
//! same report can be made again later and reads the same — and the chain
//! head it prints (sequence and hash of the newest entry at the cut-off)
//! lets anyone check later that no entry of the shift was changed
//! (`supplydesk log verify --against-report FILE`).
//!
//! Two renderings: Markdown, readable printed or pasted into a chat group,
//! in Chinese or English; JSON, language-neutral codes, with the schema
//! described in the README ("Handover report JSON"). Recipients' names
//! and holders' names are masked; phone and ID numbers in free text are
//! masked too.

use std::fmt::Write as _;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::config::Config;
use crate::domain::Code;
use crate::domain::alert::AlertState;
use crate::domain::log::LogKind;
use crate::domain::mask;
use crate::domain::shift::ShiftState;
use crate::domain::text::sanitize;
use crate::domain::time::{age, local_minute, local_short};
use crate::i18n::Lang;
use crate::store::activation::ActivationRow;
use crate::store::alerts::Escalation;
use crate::store::report_queries::{
    DeliveryEvent, DeliveryEventKind, EntryCounts, PassEvent, PassEventKind, ReportAlert,
    ReportDelivery, ReportEntry, ReportPass, Window,
};
use crate::store::shifts::{HandoverItem, ShiftRow};
use crate::store::{Head, Result, Store};

/// The `schema` field of the JSON: bumped when a field changes meaning
/// or goes away (new fields may appear without a bump).
pub const SCHEMA: &str = "supplydesk.handover/1";

/// The line of the Markdown that `log verify --against-report` reads.
pub const HEAD_MARKER: &str = "日志链头 Chain head:";

/// Longest list printed in Markdown; the JSON has everything.
pub const MD_LIST_MAX: usize = 30;

/// What the report takes from the config.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    pub subdistrict: String,
    /// IANA name of the zone times are shown in.
    pub timezone: String,
    pub escalation: Escalation,
    /// Passes ending within this after the cut-off are listed.
    pub pass_warn: Duration,
    /// Deliveries due within this after the cut-off are listed.
    pub due_soon: Duration,
    /// The window when there is no shift at all: this long up to now.
    pub fallback: Duration,
    /// Longest list kept (the counts still count everything): Markdown
    /// shows no more than [`MD_LIST_MAX`] of a kind, JSON shows all.
    pub list_limit: Option<usize>,
    /// Per-person needs and the cover threshold.
    pub norms: crate::domain::cover::Norms,
}

impl ReportOptions {
    pub fn from_config(c: &Config) -> ReportOptions {
        let t = &c.thresholds;
        ReportOptions {
            subdistrict: c.subdistrict.clone(),
            timezone: c.tz().name().to_string(),
            escalation: Escalation::from_fn(|s| t.escalate_after(s)),
            pass_warn: t.pass_warn(),
            due_soon: Duration::minutes(t.delivery_due_soon_min),
            fallback: Duration::hours(12),
            list_limit: None,
            norms: c.norms.norms(),
        }
    }

    fn tz(&self) -> Tz {
        self.timezone.parse().unwrap_or(chrono_tz::Asia::Shanghai)
    }
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions::from_config(&Config::default())
    }
}

/// Which report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// The shift on duty or, when none is, the most recent one; with no
    /// shift at all, the fallback window up to now.
    Latest,
    Shift(i64),
}

/// The activation of the plan at the cut-off and its changes in the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActivationSection {
    pub at_cutoff: Option<ActivationRow>,
    pub changes: Vec<ActivationRow>,
}

/// A community's alerts open at the cut-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommunityOpen {
    pub community_id: i64,
    pub community: String,
    pub open: usize,
    pub escalated: usize,
    pub critical: usize,
    pub oldest_age_minutes: i64,
    /// Escalated first, then most severe, then oldest.
    pub alerts: Vec<ReportAlert>,
}

/// Alerts opened and closed in one slice of the window, for a chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Bucket {
    pub start: DateTime<Utc>,
    pub opened: usize,
    pub closed: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlertSection {
    pub raised: Vec<ReportAlert>,
    /// Resolved or cancelled in the window (`state` says which).
    pub closed: Vec<ReportAlert>,
    /// Communities with alerts open at the cut-off, those with escalated
    /// alerts first.
    pub open_by_community: Vec<CommunityOpen>,
    pub timeline_bucket_minutes: i64,
    pub timeline: Vec<Bucket>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PassSection {
    /// Every step of a pass in the window, oldest first.
    pub events: Vec<PassEvent>,
    pub expiring_within_hours: i64,
    /// In force at the cut-off and ending within the window above.
    pub expiring: Vec<ReportPass>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliverySection {
    pub delivered: Vec<DeliveryEvent>,
    pub failed: Vec<DeliveryEvent>,
    pub cancelled: Vec<DeliveryEvent>,
    /// Open at the cut-off and past due.
    pub overdue: Vec<ReportDelivery>,
    pub due_soon_minutes: i64,
    /// Open at the cut-off and due within the minutes above.
    pub due_soon: Vec<ReportDelivery>,
}

/// The previous handover, whose items this shift received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreviousHandover {
    pub shift: ShiftRow,
    /// Acknowledgements after the cut-off are not shown.
    pub items: Vec<HandoverItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CarrySection {
    pub previous: Option<PreviousHandover>,
    /// The items this shift handed over (none while on duty).
    pub handed_over: Vec<HandoverItem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Counts {
    pub entries: EntryCounts,
    pub alerts_raised: usize,
    pub alerts_resolved: usize,
    pub alerts_cancelled: usize,
    pub alerts_open: usize,
    pub alerts_escalated: usize,
    pub passes_requested: usize,
    pub passes_issued: usize,
    pub passes_extended: usize,
    pub passes_suspended: usize,
    pub passes_reinstated: usize,
    pub passes_revoked: usize,
    pub passes_expiring: usize,
    pub deliveries_delivered: usize,
    pub deliveries_failed: usize,
    pub deliveries_cancelled: usize,
    pub deliveries_overdue: usize,
    pub deliveries_due_soon: usize,
    pub carry_over_received: usize,
    pub carry_over_unacknowledged: usize,
    pub carry_over_handed_over: usize,
}

/// Something the reader must know about the report itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub code: &'static str,
    pub zh: String,
    pub en: String,
}

/// The handover report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub schema: &'static str,
    pub subdistrict: String,
    pub timezone: String,
    pub generated_at: DateTime<Utc>,
    /// The cut-off is not fixed yet: the shift is still on duty, or there
    /// is no shift and the window ends now.
    pub provisional: bool,
    pub shift: Option<ShiftRow>,
    pub window: Window,
    /// The newest duty-log entry at the cut-off.
    pub chain_head: Head,
    pub activation: ActivationSection,
    pub alerts: AlertSection,
    /// Days of cover at the cut-off where they are short or not to be
    /// trusted.
    pub cover: CoverSection,
    pub passes: PassSection,
    pub deliveries: DeliverySection,
    /// Notes, calls and instructions of the window, oldest first.
    pub entries: Vec<ReportEntry>,
    pub carry_over: CarrySection,
    pub counts: Counts,
    pub warnings: Vec<Warning>,
}

/// Builds the report asked for.
pub fn build(store: &Store, which: Which, opts: &ReportOptions) -> Result<Report> {
    let now = store.now();
    let head_now = store.head()?.seq;
    // A file made before shifts existed, opened read-only (which does not
    // migrate it), has no shift table: it has no shifts either.
    let has_shifts = store.schema_version()? >= 3;
    let shift = match which {
        Which::Shift(id) if has_shifts => Some(store.shift(id)?),
        Which::Shift(id) => {
            return Err(crate::store::StoreError::NotFound(crate::msg!(
                "没有编号为 {id} 的班次；此数据库还没有班次记录。",
                "There is no shift #{id}; this database has no shifts yet."
            )));
        }
        Which::Latest if has_shifts => store.latest_shift()?,
        Which::Latest => None,
    };
    let rec = store.records();
    let window = match &shift {
        Some(s) => s.window(now, head_now),
        None => {
            let from = now - opts.fallback;
            Window {
                from,
                cutoff: now,
                from_seq: rec.seq_recorded_by(from)?,
                cutoff_seq: head_now,
            }
        }
    };
    let provisional = shift.as_ref().is_none_or(|s| s.cutoff.is_none());
    let chain_head = rec.head_at(window.cutoff_seq)?.unwrap_or(Head {
        seq: window.cutoff_seq,
        hash: String::new(),
    });
    let mut warnings = Vec::new();
    if let Some(recorded) = shift.as_ref().and_then(|s| s.cutoff_hash.as_deref())
        && recorded != chain_head.hash
    {
        let seq = chain_head.seq;
        warnings.push(Warning {
            code: "head_changed",
            zh: format!(
                "日志第 #{seq} 条的哈希与交班时记录的不同：交班后日志被改动过；请运行 supplydesk log verify。"
            ),
            en: format!(
                "Entry #{seq} no longer has the hash recorded at the handover: the log was changed after it; run supplydesk log verify."
            ),
        });
    }

    let esc = &opts.escalation;
    let activation = ActivationSection {
        at_cutoff: rec.activation_at(window.cutoff)?,
        changes: rec.activation_changes_in(&window)?,
    };

    // Everything is counted; lists are cut to `list_limit` after.
    let cut = |n: usize| opts.list_limit.map_or(n, |l| l.min(n));
    let mut counts = Counts::default();

    let mut raised = rec.alerts_raised_in(&window, esc)?;
    let mut closed = rec.alerts_closed_in(&window, esc)?;
    let open = rec.alerts_open_at_cutoff(&window, esc)?;
    let (bucket_minutes, timeline) = timeline(&window, &raised, &closed);
    counts.alerts_raised = raised.len();
    counts.alerts_resolved = closed
        .iter()
        .filter(|x| x.state == AlertState::Resolved)
        .count();
    counts.alerts_cancelled = closed
        .iter()
        .filter(|x| x.state == AlertState::Cancelled)
        .count();
    counts.alerts_open = open.len();
    counts.alerts_escalated = open.iter().filter(|a| a.escalated).count();
    raised.truncate(cut(raised.len()));
    closed.truncate(cut(closed.len()));
    let mut open_by_community = by_community(open);
    for c in &mut open_by_community {
        c.alerts.truncate(cut(c.alerts.len()));
    }
    let alerts = AlertSection {
        open_by_community,
        raised,
        closed,
        timeline_bucket_minutes: bucket_minutes,
        timeline,
    };

    let scan = rec.scan_window(&window)?;
    counts.entries = scan.counts;
    let mut events = Vec::new();
    for e in scan.pass_events.iter().take(cut(scan.pass_events.len())) {
        events.extend(rec.pass_event(e)?);
    }
    for e in &scan.pass_events {
        *match e.kind {
            PassEventKind::Requested => &mut counts.passes_requested,
            PassEventKind::Issued => &mut counts.passes_issued,
            PassEventKind::Extended => &mut counts.passes_extended,
            PassEventKind::Suspended => &mut counts.passes_suspended,
            PassEventKind::Reinstated => &mut counts.passes_reinstated,
            PassEventKind::Revoked => &mut counts.passes_revoked,
        } += 1;
    }
    let (expiring, expiring_total) =
        rec.passes_expiring_after_cutoff(&window, opts.pass_warn, opts.list_limit)?;
    counts.passes_expiring = expiring_total;
    let passes = PassSection {
        events,
        expiring_within_hours: opts.pass_warn.num_hours(),
        expiring,
    };

    let ends = |kind: DeliveryEventKind, total: &mut usize| -> Result<Vec<DeliveryEvent>> {
        let refs: Vec<_> = scan
            .delivery_events
            .iter()
            .filter(|e| e.kind == kind)
            .collect();
        *total = refs.len();
        let mut out = Vec::new();
        for e in refs.into_iter().take(cut(*total)) {
            out.extend(rec.delivery_event(e)?);
        }
        Ok(out)
    };
    let delivered = ends(
        DeliveryEventKind::Delivered,
        &mut counts.deliveries_delivered,
    )?;
    let failed = ends(DeliveryEventKind::Failed, &mut counts.deliveries_failed)?;
    let cancelled = ends(
        DeliveryEventKind::Cancelled,
        &mut counts.deliveries_cancelled,
    )?;
    let open =
        rec.deliveries_open_at_cutoff(&window, window.cutoff + opts.due_soon, opts.list_limit)?;
    counts.deliveries_overdue = open.overdue_total;
    counts.deliveries_due_soon = open.due_soon_total;
    let deliveries = DeliverySection {
        delivered,
        failed,
        cancelled,
        overdue: open.overdue,
        due_soon_minutes: opts.due_soon.num_minutes(),
        due_soon: open.due_soon,
    };

    let mut entries = rec.entries_in(
        &window,
        &[LogKind::Note, LogKind::Call, LogKind::Instruction],
        opts.list_limit,
    )?;
    for e in &mut entries {
        e.text = mask_numbers(&e.text);
    }

    let at_cutoff = |mut items: Vec<HandoverItem>| {
        for i in &mut items {
            if i.acknowledged_at.is_some_and(|t| t > window.cutoff) {
                i.acknowledged_at = None;
                i.acknowledged_by = None;
            }
        }
        items
    };
    let mut carry_over = match &shift {
        Some(s) => CarrySection {
            previous: match store.handover_before(s.id)? {
                Some(p) => Some(PreviousHandover {
                    items: at_cutoff(store.handover_items(p.id)?),
                    shift: p,
                }),
                None => None,
            },
            handed_over: store.handover_items(s.id)?,
        },
        None => CarrySection {
            previous: None,
            handed_over: Vec::new(),
        },
    };
    let received = carry_over
        .previous
        .as_ref()
        .map_or(&[][..], |p| &p.items[..]);
    counts.carry_over_received = received.len();
    counts.carry_over_unacknowledged = received
        .iter()
        .filter(|i| i.acknowledged_at.is_none())
        .count();
    counts.carry_over_handed_over = carry_over.handed_over.len();
    if let Some(p) = &mut carry_over.previous
        && cut(p.items.len()) < p.items.len()
    {
        // A cut list keeps the unacknowledged items.
        p.items
            .sort_by_key(|i| (i.acknowledged_at.is_some(), i.pos));
        p.items.truncate(cut(p.items.len()));
    }
    carry_over
        .handed_over
        .truncate(cut(carry_over.handed_over.len()));

    let cover = cover_section(store, window.cutoff, opts)?;
    Ok(Report {
        schema: SCHEMA,
        subdistrict: opts.subdistrict.clone(),
        timezone: opts.tz().name().to_string(),
        generated_at: now,
        provisional,
        shift,
        window,
        chain_head,
        activation,
        alerts,
        cover,
        passes,
        deliveries,
        entries,
        carry_over,
        counts,
        warnings,
    })
}

/// Days of cover at the cut-off: the cells below the threshold and those
/// whose figures are stale, lowest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverSection {
    pub threshold_days: f64,
    /// Cells with a need or a report.
    pub cells: usize,
    pub short: Vec<crate::store::supply::CoverRow>,
}

fn cover_section(
    store: &Store,
    cutoff: DateTime<Utc>,
    opts: &ReportOptions,
) -> Result<CoverSection> {
    // A file from before the supply tables, opened read-only, has no cover.
    let rows = if store.schema_version()? >= 5 {
        store.cover_all(cutoff, &opts.norms)?
    } else {
        Vec::new()
    };
    let cells = rows.iter().filter(|r| r.is_relevant()).count();
    let mut short: Vec<_> = rows
        .into_iter()
        .filter(|r| r.below || r.status == "stale")
        .collect();
    short.sort_by(|a, b| {
        a.days
            .unwrap_or(f64::INFINITY)
            .total_cmp(&b.days.unwrap_or(f64::INFINITY))
    });
    Ok(CoverSection {
        threshold_days: opts.norms.threshold_days,
        cells,
        short,
    })
}

fn by_community(open: Vec<ReportAlert>) -> Vec<CommunityOpen> {
    let mut out: Vec<CommunityOpen> = Vec::new();
    for a in open {
        let i = match out.iter().position(|c| c.community_id == a.community_id) {
            Some(i) => i,
            None => {
                out.push(CommunityOpen {
                    community_id: a.community_id,
                    community: a.community.clone(),
                    open: 0,
                    escalated: 0,
                    critical: 0,
                    oldest_age_minutes: 0,
                    alerts: Vec::new(),
                });
                out.len() - 1
            }
        };
        let c = &mut out[i];
        c.open += 1;
        c.escalated += usize::from(a.escalated);
        c.critical += usize::from(a.severity == crate::domain::alert::Severity::Critical);
        c.oldest_age_minutes = c.oldest_age_minutes.max(a.age_minutes);
        c.alerts.push(a);
    }
    out.sort_by(|a, b| {
        (b.escalated, b.critical, b.open, b.oldest_age_minutes)
            .cmp(&(a.escalated, a.critical, a.open, a.oldest_age_minutes))
            .then_with(|| a.community.cmp(&b.community))
    });
    out
}

/// Alerts opened and closed per slice of the window: hours for a window
/// up to a day, longer slices beyond, never more than 24 of them.
fn timeline(w: &Window, raised: &[ReportAlert], closed: &[ReportAlert]) -> (i64, Vec<Bucket>) {
    let span = (w.cutoff - w.from).num_minutes().max(1);
    let hours = (span + 24 * 60 - 1) / (24 * 60);
    let bucket = 60 * hours.max(1);
    let n = ((span + bucket - 1) / bucket).max(1) as usize;
    let mut v: Vec<Bucket> = (0..n)
        .map(|i| Bucket {
            start: w.from + Duration::minutes(bucket * i as i64),
            opened: 0,
            closed: 0,
        })
        .collect();
    let slot = |t: DateTime<Utc>| -> usize {
        // The window is (from, cutoff]: a moment on a boundary belongs to
        // the slice it ends.
        let ms = (t - w.from).num_milliseconds() - 1;
        ((ms.max(0) / (bucket * 60_000)) as usize).min(n - 1)
    };
    for a in raised {
        v[slot(a.opened_at)].opened += 1;
    }
    for a in closed {
        if let Some(t) = a.closed_at {
            v[slot(t)].closed += 1;
        }
    }
    (bucket, v)
}

/// Masks what looks like a phone number or a resident ID number in free
/// text: runs of 7 or more digits (an ID may end in `X`), and mobiles
/// written `138 1234 5678` or `138-1234-5678`. Shorter numbers (pass
/// numbers, times, households) stay.
pub fn mask_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let digit = |c: char| c.is_ascii_digit();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !digit(chars[i]) || (i > 0 && digit(chars[i - 1])) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len() && digit(chars[j]) {
            j += 1;
        }
        let run = j - i;
        // A mobile split 3-4-4.
        if run == 3 && chars[i] == '1' {
            let sep = |k: usize| chars.get(k).is_some_and(|c| *c == ' ' || *c == '-');
            let digits =
                |k: usize, n: usize| (k..k + n).all(|m| chars.get(m).copied().is_some_and(digit));
            if sep(j)
                && digits(j + 1, 4)
                && sep(j + 5)
                && digits(j + 6, 4)
                && !chars.get(j + 10).copied().is_some_and(digit)
            {
                let end = j + 10;
                let s: String = chars[i..end].iter().collect();
                out.push_str(&mask::mask_phone(&s));
                i = end;
                continue;
            }
        }
        let id_end =
            if matches!(run, 14 | 17) && chars.get(j).is_some_and(|c| *c == 'X' || *c == 'x') {
                Some(j + 1)
            } else {
                None
            };
        if let Some(end) = id_end {
            let s: String = chars[i..end].iter().collect();
            out.push_str(&mask::mask_id_number(&s));
            i = end;
        } else if matches!(run, 15 | 18) {
            let s: String = chars[i..j].iter().collect();
            out.push_str(&mask::mask_id_number(&s));
            i = j;
        } else if run >= 7 {
            let s: String = chars[i..j].iter().collect();
            out.push_str(&mask::mask_phone(&s));
            i = j;
        } else {
            out.extend(&chars[i..j]);
            i = j;
        }
    }
    out
}

// ------------------------------------------------------------ Markdown

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
        if let Some(u) = &p.unit {
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
                    Lang::Zh => {
                        format!("### 本班移交给 {to}，{} 项", r.carry_over.handed_over.len())
                    }
                    Lang::En => format!(
                        "### Handed over to {to}: {} items",
                        r.carry_over.handed_over.len()
                    ),
                };
                self.line(l);
                if r.carry_over.handed_over.is_empty() {
                    self.none();
                }
                let items = &r.carry_over.handed_over;
                self.list(items, r.counts.carry_over_handed_over, |m, i| {
                    m.item_line(i)
                });
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
        m.passes();
        m.deliveries();
        m.entries();
        m.carry_over();
        m.counts();
        m.footer();
        m.out
    }

    /// Pretty JSON, with the schema in the README.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}

/// The chain head a report printed, read back from its Markdown or JSON
/// text; `None` when the text holds none.
pub fn head_in_report(text: &str) -> Option<Head> {
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
        let h = v.get("chain_head")?;
        let seq = h.get("seq")?.as_i64()?;
        let hash = h.get("hash")?.as_str()?.to_ascii_lowercase();
        return is_hash(&hash).then_some(Head { seq, hash });
    }
    // The last marker line wins: lines of record text never start with
    // it (they are list items), so it is the report's own.
    text.lines().rev().find_map(|l| {
        let rest = l.trim().strip_prefix(HEAD_MARKER)?.trim();
        let rest = rest.strip_prefix('#')?;
        let (seq, rest) = rest.split_once(char::is_whitespace)?;
        let seq: i64 = seq.trim().parse().ok()?;
        let hash = rest.trim().strip_prefix("sha256:")?.trim();
        let hash: String = hash.chars().take_while(char::is_ascii_hexdigit).collect();
        let hash = hash.to_ascii_lowercase();
        is_hash(&hash).then_some(Head { seq, hash })
    })
}

fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.chars().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_that_identify_people_are_masked() {
        assert_eq!(
            mask_numbers("李阿姨电话13812345678，请回电"),
            "李阿姨电话138****5678，请回电"
        );
        assert_eq!(
            mask_numbers("call 138 1234 5678 now"),
            "call 138****5678 now"
        );
        assert_eq!(mask_numbers("call 138-1234-5678"), "call 138****5678");
        assert_eq!(
            mask_numbers("身份证50010119900101123X已核"),
            "身份证500***********123X已核"
        );
        assert_eq!(mask_numbers("座机58123456"), "座机****3456");
        // What is not personal stays.
        let keep = "证号 SHK-V-2026-00001，2026-11-29 08:30，235 户，联控指挥部〔2022〕60号";
        assert_eq!(mask_numbers(keep), keep);
        assert_eq!(mask_numbers(""), "");
    }

    #[test]
    fn markdown_text_cannot_format_or_escape() {
        assert_eq!(md("张*华"), "张＊华");
        assert_eq!(md("a|b_c[d]"), "a\\|b\\_c\\[d\\]");
        assert_eq!(md("x\x1b[31my"), "x^\\[\\[31my");
        assert_eq!(md("两\n行"), "两^J行");
    }

    #[test]
    fn the_head_is_read_back_from_either_form() {
        let hash = "ab".repeat(32);
        let md_text = format!("# t\n- 1\n---\n{HEAD_MARKER} #42 sha256:{hash}\n核验\n");
        assert_eq!(
            head_in_report(&md_text),
            Some(Head {
                seq: 42,
                hash: hash.clone()
            })
        );
        let json = format!(
            "{{\"chain_head\": {{\"seq\": 7, \"hash\": \"{}\"}}}}",
            hash.to_uppercase()
        );
        assert_eq!(
            head_in_report(&json),
            Some(Head {
                seq: 7,
                hash: hash.clone()
            })
        );
        assert_eq!(head_in_report("no head here"), None);
        assert_eq!(
            head_in_report(&format!("{HEAD_MARKER} #x sha256:{hash}")),
            None
        );
        assert_eq!(
            head_in_report(&format!("{HEAD_MARKER} #3 sha256:abc")),
            None
        );
        assert_eq!(head_in_report("{\"chain_head\": {\"seq\": 1}}"), None);
    }

    #[test]
    fn the_timeline_puts_each_moment_in_its_slice() {
        use chrono::TimeZone;
        let from = Utc.with_ymd_and_hms(2026, 11, 29, 0, 0, 0).unwrap();
        let w = Window {
            from,
            cutoff: from + Duration::hours(12),
            from_seq: 0,
            cutoff_seq: 0,
        };
        let alert = |opened: DateTime<Utc>, closed: Option<DateTime<Utc>>| ReportAlert {
            id: 1,
            community_id: 1,
            community: "c".into(),
            compound: None,
            item: crate::domain::alert::ItemClass::Grain,
            severity: crate::domain::alert::Severity::Low,
            households: 0,
            handler: None,
            state: AlertState::Open,
            opened_at: opened,
            closed_at: closed,
            age_minutes: 0,
            escalated: false,
        };
        let raised = [
            alert(from + Duration::minutes(1), None),
            alert(from + Duration::hours(1), None),
            alert(from + Duration::hours(12), None),
        ];
        let closed = [alert(from, Some(from + Duration::minutes(61)))];
        let (mins, v) = timeline(&w, &raised, &closed);
        assert_eq!(mins, 60);
        assert_eq!(v.len(), 12);
        assert_eq!((v[0].opened, v[1].opened, v[11].opened), (2, 0, 1));
        assert_eq!((v[0].closed, v[1].closed), (0, 1));
        let long = Window {
            cutoff: from + Duration::hours(72),
            ..w
        };
        let (mins, v) = timeline(&long, &[], &[]);
        assert_eq!((mins, v.len()), (180, 24));
    }
}
