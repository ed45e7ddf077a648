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

mod build;
mod head;
mod markdown;
mod mask;
mod sections;
mod text;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::config::Config;
use crate::store::Head;
use crate::store::activation::ActivationRow;
use crate::store::alerts::Escalation;
use crate::store::report_queries::{
    DeliveryEvent, EntryCounts, PassEvent, ReportAlert, ReportDelivery, ReportEntry, ReportPass,
    Window,
};
use crate::store::shifts::{HandoverItem, ShiftRow};

pub use build::build;
pub use head::{HEAD_MARKER, head_in_report};
pub use mask::mask_numbers;
pub use sections::{CoverSection, ReachSection};
pub use text::strip_offsets;

/// The `schema` field of the JSON: bumped when a field changes meaning
/// or goes away (new fields may appear without a bump).
pub const SCHEMA: &str = "supplydesk.handover/1";

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

    /// The rules that pick a handover's carry-over items, from the same
    /// settings.
    pub fn carry_rules(&self) -> crate::store::carry::CarryRules {
        crate::store::carry::CarryRules {
            escalation: self.escalation,
            pass_warn: self.pass_warn,
            due_soon: self.due_soon,
            norms: self.norms.clone(),
            tz: self.tz(),
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
    /// Of the items handed over, not acknowledged yet.
    pub carry_over_handed_over_unacknowledged: usize,
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
    /// Recipients not being reached and welfare checks.
    pub reach: ReachSection,
    pub passes: PassSection,
    pub deliveries: DeliverySection,
    /// Notes, calls and instructions of the window, oldest first.
    pub entries: Vec<ReportEntry>,
    pub carry_over: CarrySection,
    pub counts: Counts,
    pub warnings: Vec<Warning>,
}

impl Report {
    /// Pretty JSON, with the schema in the README.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}
