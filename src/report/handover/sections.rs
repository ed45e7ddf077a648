//! Pieces of the report computed from rows already read: days of cover,
//! open alerts by community, and the timeline of alerts.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::{Bucket, CommunityOpen, ReportOptions};
use crate::store::report_queries::{ReportAlert, Window};
use crate::store::{Result, Store};

/// Days of cover at the cut-off: the cells below the threshold and those
/// whose figures are stale, lowest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverSection {
    pub threshold_days: f64,
    /// Cells with a need or a report.
    pub cells: usize,
    pub short: Vec<crate::store::supply::CoverRow>,
}

pub(super) fn cover_section(
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

/// Who is not being reached at the cut-off (the supply tables keep no
/// history: a past cut-off reads them as they are now).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ReachSection {
    /// Recipients not reached within their group's period.
    pub gaps: i64,
    /// Of those, without a delivery in the queue.
    pub gaps_not_queued: i64,
    /// The longest overdue of them, in minutes.
    pub longest_overdue_minutes: Option<i64>,
    /// Recipients due a welfare check (deliveries failed in a row).
    pub welfare_checks: i64,
    /// The most failures in a row among them.
    pub most_failures: Option<i64>,
}

pub(super) fn reach_section(
    store: &Store,
    cutoff: DateTime<Utc>,
    opts: &ReportOptions,
) -> Result<ReachSection> {
    if store.schema_version()? < 5 {
        return Ok(ReachSection::default());
    }
    let g = store.coverage_gaps(cutoff, &opts.norms, 1)?;
    let w = store.welfare_checks(&opts.norms, 1)?;
    Ok(ReachSection {
        gaps: g.total,
        gaps_not_queued: g.not_queued,
        longest_overdue_minutes: g.rows.first().map(|r| r.overdue_minutes),
        welfare_checks: w.total,
        most_failures: w.rows.first().map(|r| r.failures),
    })
}

pub(super) fn by_community(open: Vec<ReportAlert>) -> Vec<CommunityOpen> {
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
pub(super) fn timeline(
    w: &Window,
    raised: &[ReportAlert],
    closed: &[ReportAlert],
) -> (i64, Vec<Bucket>) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::alert::AlertState;

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
