//! Building the report from the store: the window, then each section
//! with its counts; lists are cut to the options' limit after counting.

use super::sections::{by_community, cover_section, reach_section, timeline};
use super::*;
use crate::domain::alert::AlertState;
use crate::domain::log::LogKind;
use crate::store::report_queries::{DeliveryEventKind, PassEventKind, Records, WindowScan};
use crate::store::{Result, Store};

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

    let activation = ActivationSection {
        at_cutoff: rec.activation_at(window.cutoff)?,
        changes: rec.activation_changes_in(&window)?,
    };

    let mut counts = Counts::default();
    let alerts = alert_section(rec, &window, opts, &mut counts)?;
    let scan = rec.scan_window(&window)?;
    counts.entries = scan.counts;
    let passes = pass_section(rec, &window, &scan, opts, &mut counts)?;
    let deliveries = delivery_section(rec, &window, &scan, opts, &mut counts)?;
    let mut entries = rec.entries_in(
        &window,
        &[LogKind::Note, LogKind::Call, LogKind::Instruction],
        opts.list_limit,
    )?;
    for e in &mut entries {
        e.text = mask_numbers(&e.text);
    }
    let carry_over = carry_section(store, shift.as_ref(), &window, opts, &mut counts)?;

    let cover = cover_section(store, window.cutoff, opts)?;
    let reach = reach_section(store, window.cutoff, opts)?;
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
        reach,
        passes,
        deliveries,
        entries,
        carry_over,
        counts,
        warnings,
    })
}

/// Everything is counted; lists are cut to `list_limit` after.
fn cut(opts: &ReportOptions, n: usize) -> usize {
    opts.list_limit.map_or(n, |l| l.min(n))
}

fn alert_section(
    rec: Records<'_>,
    window: &Window,
    opts: &ReportOptions,
    counts: &mut Counts,
) -> Result<AlertSection> {
    let esc = &opts.escalation;
    let cut = |n: usize| cut(opts, n);
    let mut raised = rec.alerts_raised_in(window, esc)?;
    let mut closed = rec.alerts_closed_in(window, esc)?;
    let open = rec.alerts_open_at_cutoff(window, esc)?;
    let (bucket_minutes, timeline) = timeline(window, &raised, &closed);
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
    Ok(AlertSection {
        open_by_community,
        raised,
        closed,
        timeline_bucket_minutes: bucket_minutes,
        timeline,
    })
}

fn pass_section(
    rec: Records<'_>,
    window: &Window,
    scan: &WindowScan,
    opts: &ReportOptions,
    counts: &mut Counts,
) -> Result<PassSection> {
    let mut events = Vec::new();
    for e in scan
        .pass_events
        .iter()
        .take(cut(opts, scan.pass_events.len()))
    {
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
        rec.passes_expiring_after_cutoff(window, opts.pass_warn, opts.list_limit)?;
    counts.passes_expiring = expiring_total;
    Ok(PassSection {
        events,
        expiring_within_hours: opts.pass_warn.num_hours(),
        expiring,
    })
}

fn delivery_section(
    rec: Records<'_>,
    window: &Window,
    scan: &WindowScan,
    opts: &ReportOptions,
    counts: &mut Counts,
) -> Result<DeliverySection> {
    let ends = |kind: DeliveryEventKind, total: &mut usize| -> Result<Vec<DeliveryEvent>> {
        let refs: Vec<_> = scan
            .delivery_events
            .iter()
            .filter(|e| e.kind == kind)
            .collect();
        *total = refs.len();
        let mut out = Vec::new();
        for e in refs.into_iter().take(cut(opts, *total)) {
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
        rec.deliveries_open_at_cutoff(window, window.cutoff + opts.due_soon, opts.list_limit)?;
    counts.deliveries_overdue = open.overdue_total;
    counts.deliveries_due_soon = open.due_soon_total;
    Ok(DeliverySection {
        delivered,
        failed,
        cancelled,
        overdue: open.overdue,
        due_soon_minutes: opts.due_soon.num_minutes(),
        due_soon: open.due_soon,
    })
}

/// The items received from the previous handover (as acknowledged at the
/// cut-off) and those this shift handed over.
fn carry_section(
    store: &Store,
    shift: Option<&ShiftRow>,
    window: &Window,
    opts: &ReportOptions,
    counts: &mut Counts,
) -> Result<CarrySection> {
    let cut = |n: usize| cut(opts, n);
    let at_cutoff = |mut items: Vec<HandoverItem>| {
        for i in &mut items {
            if i.acknowledged_at.is_some_and(|t| t > window.cutoff) {
                i.acknowledged_at = None;
                i.acknowledged_by = None;
            }
        }
        items
    };
    let mut carry_over = match shift {
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
    counts.carry_over_handed_over_unacknowledged = carry_over
        .handed_over
        .iter()
        .filter(|i| i.acknowledged_at.is_none())
        .count();
    if let Some(p) = &mut carry_over.previous
        && cut(p.items.len()) < p.items.len()
    {
        // A cut list keeps the unacknowledged items.
        p.items
            .sort_by_key(|i| (i.acknowledged_at.is_some(), i.pos));
        p.items.truncate(cut(p.items.len()));
    }
    // The items handed over are what needs action: all are kept, so that
    // every section shows its true count.
    Ok(carry_over)
}
