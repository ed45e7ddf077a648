//! Shifts and their handover: start, end with handover to a named
//! incoming officer at a cut-off (snapshotting the open items as carry-over
//! items), acknowledgement by the incoming officer of the handover and of
//! the items one by one or all at once; and the reads behind the header's
//! "handover pending" badge and the review of past shifts.
//!
//! Every step is a `handover` entry in the duty log about `shift:ID` (or
//! `handover_item:ID`, or `handover_item` for a list written at once).

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::report_queries::{Records, Window};
use super::{Actor, Head, LogDraft, Result, Store, StoreError, Writer};
use crate::domain::Code;
use crate::domain::log::LogKind;
use crate::domain::log_text::Payload;
use crate::domain::shift::{
    self, AckError, CarryKind, HandoverError, ItemSection, ShiftState, Summary, Unacknowledged,
};
use crate::domain::time::{from_db, to_db};
use crate::msg;

/// A shift as stored, with its carry-over counts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ShiftRow {
    pub id: i64,
    pub officer: String,
    pub state: ShiftState,
    pub started_at: DateTime<Utc>,
    /// Where its report window starts (the previous shift's cut-off).
    pub window_from: DateTime<Utc>,
    pub from_seq: i64,
    pub incoming: Option<String>,
    pub ended_at: Option<DateTime<Utc>>,
    pub cutoff: Option<DateTime<Utc>>,
    pub cutoff_seq: Option<i64>,
    /// The chain head's hash at the cut-off, as recorded at the handover.
    pub cutoff_hash: Option<String>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<String>,
    /// Carry-over items handed over, and how many are not acknowledged.
    pub items: i64,
    pub items_unacknowledged: i64,
}

impl ShiftRow {
    /// The report window of this shift: up to its cut-off, or up to `now`
    /// (and the head now) while it is on duty.
    pub fn window(&self, now: DateTime<Utc>, head_now: i64) -> Window {
        Window {
            from: self.window_from,
            cutoff: self.cutoff.unwrap_or(now),
            from_seq: self.from_seq,
            cutoff_seq: self.cutoff_seq.unwrap_or(head_now),
        }
    }
}

/// A carry-over item of a handover.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HandoverItem {
    pub id: i64,
    pub shift_id: i64,
    /// Its number in the handover, from 1 (`shift ack --item N`).
    pub pos: i64,
    pub kind: CarryKind,
    /// The section it is listed and acknowledged in.
    pub section: ItemSection,
    /// `alert:12` and the like.
    pub subject: String,
    /// What it was about at the cut-off.
    pub summary_zh: String,
    pub summary_en: String,
    /// What the incoming officer does about it (empty for items of
    /// handovers made before there were next steps).
    pub next_zh: String,
    pub next_en: String,
    /// Who works on it, when someone does.
    pub owner: Option<String>,
    /// The unacknowledged item of an earlier handover it continues.
    pub carried_from: Option<i64>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<String>,
}

/// What the header needs: who is on duty since when, and whether a
/// handover waits for its acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct HandoverStatus {
    pub on_duty: Option<ShiftRow>,
    /// The newest handover not yet acknowledged ("handover pending").
    pub pending: Option<ShiftRow>,
    /// Unacknowledged carry-over items of the newest handover.
    pub unacknowledged_items: i64,
}

pub use super::carry::CarryRules;

/// A handover made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handover {
    pub shift_id: i64,
    pub seq: i64,
    /// The chain head at the cut-off, printed in the report.
    pub head: Head,
    pub items: Vec<HandoverItem>,
    /// Set when this re-addressed a pending handover: whom it was for.
    pub readdressed_from: Option<String>,
}

/// What to acknowledge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckTarget {
    /// The handover itself.
    Handover,
    /// One carry-over item, by its number in the handover.
    Item(i64),
    /// The items of one section not yet acknowledged.
    Section(ItemSection),
    /// The handover and every item not yet acknowledged.
    All,
}

/// What an acknowledgement did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledged {
    pub shift_id: i64,
    /// The handover was acknowledged by this call.
    pub handover: bool,
    /// The numbers of the items acknowledged by this call.
    pub items: Vec<i64>,
    /// Items of the handover still not acknowledged.
    pub remaining: i64,
    /// The incoming officer's own shift, started by this call when nobody
    /// was on duty.
    pub started: Option<i64>,
    pub seq: i64,
}

const SHIFT_COLUMNS: &str =
    "s.id, s.officer, s.state, s.started_at, s.window_from, s.from_seq, s.incoming,
    s.ended_at, s.cutoff, s.cutoff_seq, s.cutoff_hash, s.acknowledged_at, s.acknowledged_by,
    (SELECT COUNT(*) FROM handover_item i WHERE i.shift_id = s.id),
    (SELECT COUNT(*) FROM handover_item i WHERE i.shift_id = s.id AND i.acknowledged_at IS NULL)";

fn shift_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ShiftRow> {
    let state: String = r.get(2)?;
    let t = |i: usize| -> rusqlite::Result<Option<DateTime<Utc>>> {
        Ok(r.get::<_, Option<String>>(i)?.as_deref().and_then(from_db))
    };
    Ok(ShiftRow {
        id: r.get(0)?,
        officer: r.get(1)?,
        state: ShiftState::from_code(&state).unwrap_or(ShiftState::OnDuty),
        started_at: t(3)?.unwrap_or_default(),
        window_from: t(4)?.unwrap_or_default(),
        from_seq: r.get(5)?,
        incoming: r.get(6)?,
        ended_at: t(7)?,
        cutoff: t(8)?,
        cutoff_seq: r.get(9)?,
        cutoff_hash: r.get(10)?,
        acknowledged_at: t(11)?,
        acknowledged_by: r.get(12)?,
        items: r.get(13)?,
        items_unacknowledged: r.get(14)?,
    })
}

const ITEM_COLUMNS: &str = "id, shift_id, pos, kind, subject, summary, summary_en, carried_from, acknowledged_at, acknowledged_by, section, next_step, next_step_en, owner";

/// The same from a file older than sections (read-only, not migrated).
const ITEM_COLUMNS_V7: &str = "id, shift_id, pos, kind, subject, summary, summary_en, carried_from, acknowledged_at, acknowledged_by, CASE WHEN carried_from IS NULL THEN kind ELSE 'carried' END, '', '', NULL";

fn item_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<HandoverItem> {
    let kind: String = r.get(3)?;
    let kind = CarryKind::from_code(&kind).unwrap_or(CarryKind::Alert);
    let at: Option<String> = r.get(8)?;
    let section: String = r.get(10)?;
    Ok(HandoverItem {
        id: r.get(0)?,
        shift_id: r.get(1)?,
        pos: r.get(2)?,
        kind,
        section: ItemSection::from_code(&section).unwrap_or(ItemSection::of_kind(kind)),
        subject: r.get(4)?,
        summary_zh: r.get(5)?,
        summary_en: r.get(6)?,
        next_zh: r.get(11)?,
        next_en: r.get(12)?,
        owner: r.get(13)?,
        carried_from: r.get(7)?,
        acknowledged_at: at.as_deref().and_then(from_db),
        acknowledged_by: r.get(9)?,
    })
}

fn one_shift(
    conn: &Connection,
    where_: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Option<ShiftRow>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {SHIFT_COLUMNS} FROM shift s WHERE {where_}"
        ))?
        .query_row(args, shift_row)
        .optional()?)
}

fn on_duty(conn: &Connection) -> Result<Option<ShiftRow>> {
    one_shift(conn, "s.state = 'on_duty'", &[])
}

/// The newest handover not yet acknowledged.
fn pending(conn: &Connection) -> Result<Option<ShiftRow>> {
    one_shift(
        conn,
        "s.id = (SELECT MAX(id) FROM shift WHERE state = 'handed_over')",
        &[],
    )
}

fn shift_by_id(conn: &Connection, id: i64) -> Result<ShiftRow> {
    one_shift(conn, "s.id = ?1", &[&id])?.ok_or_else(|| {
        StoreError::NotFound(msg!(
            "没有编号为 {id} 的班次；请用 `supplydesk shift list` 查看。",
            "There is no shift #{id}; see `supplydesk shift list`."
        ))
    })
}

/// The newest handover before shift `id`.
fn previous_handover(conn: &Connection, id: i64) -> Result<Option<ShiftRow>> {
    one_shift(
        conn,
        "s.id = (SELECT MAX(id) FROM shift WHERE id < ?1 AND state <> 'on_duty')",
        &[&id],
    )
}

fn items_of(conn: &Connection, shift_id: i64) -> Result<Vec<HandoverItem>> {
    let cols = if has_sections(conn)? {
        ITEM_COLUMNS
    } else {
        ITEM_COLUMNS_V7
    };
    let mut st = conn.prepare_cached(&format!(
        "SELECT {cols} FROM handover_item WHERE shift_id = ?1 ORDER BY pos"
    ))?;
    let rows = st
        .query_map([shift_id], item_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Whether the item table has its sections (schema 10).
fn has_sections(conn: &Connection) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM pragma_table_info('handover_item') WHERE name = 'section'")?
        .exists([])?)
}

fn local(t: DateTime<Utc>) -> String {
    super::fields::log_time(t)
}

fn handover_error(e: HandoverError, s: &ShiftRow, who: &str) -> StoreError {
    let (id, officer) = (s.id, s.officer.as_str());
    StoreError::Refused(match e {
        HandoverError::NotTheOfficer => msg!(
            "班次 #{id} 由 {officer} 值班，只有 {officer} 本人能交班；{who} 不能代为交班。",
            "Shift #{id} is {officer}'s; only {officer} can hand it over, not {who}."
        ),
        HandoverError::NoIncoming => msg!(
            "未指定接班人；请用 --to 姓名 写明交给谁。",
            "No incoming officer is named; say who takes over with --to NAME."
        ),
        HandoverError::SameOfficer => msg!(
            "接班人不能是交班人本人（{officer}）；请写明接班的另一位值班员。",
            "The incoming officer cannot be the outgoing one ({officer}); name the officer who takes over."
        ),
        HandoverError::TooLong => msg!(
            "接班人姓名过长；请只写姓名。",
            "The incoming officer's name is too long; give just the name."
        ),
        HandoverError::ControlCharacters => msg!(
            "接班人姓名含控制字符；请只写一行文字。",
            "The incoming officer's name contains control characters; write it on one line."
        ),
        HandoverError::SameIncoming => {
            let to = s.incoming.clone().unwrap_or_default();
            msg!(
                "班次 #{id} 的交接已是交给 {to}，无需改交。",
                "The handover of shift #{id} is already addressed to {to}; there is nothing to change."
            )
        }
        HandoverError::NotPending => {
            let by = s.acknowledged_by.clone().unwrap_or_default();
            msg!(
                "班次 #{id} 的交接已由 {by} 确认，不能再改交。",
                "The handover of shift #{id} was already acknowledged by {by}; it cannot be re-addressed."
            )
        }
        HandoverError::NotOnDuty => {
            let st = s.state.label_zh();
            let sten = s.state.label_en().to_lowercase();
            msg!(
                "班次 #{id} 已是“{st}”，不能再交班。",
                "Shift #{id} is already {sten}; it cannot be handed over again."
            )
        }
    })
}

fn ack_error(e: AckError, s: &ShiftRow, who: &str, pos: Option<i64>) -> StoreError {
    let id = s.id;
    let incoming = s.incoming.clone().unwrap_or_default();
    StoreError::Refused(match e {
        AckError::NotHandedOver => msg!(
            "班次 #{id} 尚未交班，无从确认。",
            "Shift #{id} has not been handed over yet, so there is nothing to acknowledge."
        ),
        AckError::AlreadyAcknowledged => {
            let by = s.acknowledged_by.clone().unwrap_or_default();
            let at = s.acknowledged_at.map(local).unwrap_or_default();
            msg!(
                "班次 #{id} 的交接已由 {by} 于 {at} 确认；交接只确认一次。",
                "The handover of shift #{id} was already acknowledged by {by} at {at}; it is acknowledged once."
            )
        }
        AckError::NotTheIncoming => msg!(
            "班次 #{id} 交给的是 {incoming}，只有 {incoming} 本人能确认；{who} 不能代为确认。",
            "Shift #{id} was handed over to {incoming}; only {incoming} can acknowledge it, not {who}."
        ),
        AckError::ItemAlreadyAcknowledged => {
            let n = pos.unwrap_or_default();
            msg!(
                "班次 #{id} 的遗留事项 {n} 已确认过。",
                "Carry-over item {n} of shift #{id} was already acknowledged."
            )
        }
    })
}

/// The entry of a shift step.
fn draft(subject: String, event: Payload) -> LogDraft {
    LogDraft {
        kind: LogKind::Handover,
        ..LogDraft::event(subject, event)
    }
}

/// Starts a shift for the acting officer inside an open change.
fn start_in(w: &mut Writer<'_>) -> Result<i64> {
    let now = w.now();
    let officer = w.actor().officer.clone();
    if let Some(s) = on_duty(w.conn())? {
        let (id, by, since) = (s.id, s.officer.clone(), local(s.started_at));
        return Err(StoreError::Refused(if shift::same_officer(&by, &officer) {
            msg!(
                "你已在值班（班次 #{id}，自 {since} 起）。",
                "You are already on duty (shift #{id}, since {since})."
            )
        } else {
            msg!(
                "{by} 正在值班（班次 #{id}，自 {since} 起）；须由 {by} 交班给你后再上岗。",
                "{by} is on duty (shift #{id}, since {since}); {by} must hand over to you first."
            )
        }));
    }
    // A handover waiting for someone else: they take over by acknowledging
    // it; starting beside it would leave two officers answering for one
    // desk. The outgoing officer can re-address it instead.
    if let Some(p) = pending(w.conn())?
        && let Some(to) = p.incoming.as_deref()
        && !shift::same_officer(to, &officer)
    {
        let (id, by) = (p.id, p.officer.clone());
        return Err(StoreError::Refused(if shift::same_officer(&by, &officer) {
            msg!(
                "你已把班次 #{id} 交给 {to}，尚待 {to} 确认；如 {to} 不能到岗，请改交他人（控制台 :shift end 姓名，命令行 supplydesk shift end --to 姓名）。",
                "You handed shift #{id} over to {to}, who has not acknowledged it yet; if {to} cannot come, hand it to someone else (:shift end NAME in the console, supplydesk shift end --to NAME on the command line)."
            )
        } else {
            msg!(
                "{by} 已把班次 #{id} 交给 {to}，尚待 {to} 确认接班；如由你接班，请 {by} 改交给你（控制台 :shift end {officer}，命令行 supplydesk shift end --to {officer}）。",
                "{by} handed shift #{id} over to {to}, who has not acknowledged it yet; if you are taking over instead, {by} re-addresses it to you (:shift end {officer} in the console, supplydesk shift end --to {officer} on the command line)."
            )
        }));
    }
    // The window continues from the last cut-off, so that consecutive
    // reports leave nothing out.
    let last: Option<(String, i64)> = w
        .conn()
        .query_row(
            "SELECT cutoff, cutoff_seq FROM shift WHERE cutoff IS NOT NULL ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let head_before: i64 =
        w.conn()
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM duty_log", [], |r| {
                r.get(0)
            })?;
    let (window_from, from_seq) = match last {
        Some((c, seq)) => (c, seq),
        None => (to_db(now), head_before),
    };
    let id = w.next_id("shift")?;
    let seq = w.log(draft(
        format!("shift:{id}"),
        Payload::new("shift.start")
            .with("id", id)
            .with("officer", officer.clone()),
    ))?;
    w.conn().execute(
        "INSERT INTO shift (id, officer, state, started_at, window_from, from_seq, log_seq)
         VALUES (?1, ?2, 'on_duty', ?3, ?4, ?5, ?6)",
        params![id, officer, to_db(now), window_from, from_seq, seq],
    )?;
    Ok(id)
}

/// The previous handover's items nobody acknowledged, before shift `id`.
pub(super) fn unacknowledged_before(conn: &Connection, id: i64) -> Result<Vec<Unacknowledged>> {
    Ok(match previous_handover(conn, id)? {
        Some(p) => items_of(conn, p.id)?
            .into_iter()
            .filter(|i| i.acknowledged_at.is_none())
            .map(|i| Unacknowledged {
                item_id: i.id,
                kind: i.kind,
                subject: i.subject,
                summary: Summary {
                    zh: i.summary_zh,
                    en: i.summary_en,
                },
                next: Summary {
                    zh: i.next_zh,
                    en: i.next_en,
                },
                owner: i.owner,
            })
            .collect(),
        None => Vec::new(),
    })
}

/// Longest watch item or instruction kept.
pub const NOTE_MAX_CHARS: usize = 500;

/// The outgoing officer's items, checked: watch items and instructions
/// only, each one line of sensible length; numbers that identify people
/// masked.
fn check_notes(notes: &[(CarryKind, String)]) -> Result<Vec<(CarryKind, String)>> {
    let mut out = Vec::new();
    for (kind, text) in notes {
        if !matches!(kind, CarryKind::Watch | CarryKind::Instruction) {
            return Err(StoreError::Refused(msg!(
                "交班时只能写关注事项和交代事项。",
                "Only watch items and standing instructions can be written at a handover."
            )));
        }
        let t = text.trim();
        if t.is_empty() {
            return Err(StoreError::Refused(msg!(
                "交代事项或关注事项为空；请写明内容，或不写这一项。",
                "A watch item or instruction is empty; write what it says, or leave it out."
            )));
        }
        let n = t.chars().count();
        if n > NOTE_MAX_CHARS {
            return Err(StoreError::Refused(msg!(
                "交代事项或关注事项有 {n} 字，超过 {NOTE_MAX_CHARS} 字；请写要点，详情记入值守日志。",
                "A watch item or instruction has {n} characters, more than {NOTE_MAX_CHARS}; write the gist and put the details in the duty log."
            )));
        }
        if t.chars().any(char::is_control) {
            return Err(StoreError::Refused(msg!(
                "交代事项或关注事项含控制字符（如换行）；请每项写一行。",
                "A watch item or instruction contains control characters (such as a line break); write each on one line."
            )));
        }
        out.push((*kind, crate::report::handover::mask_numbers(t)));
    }
    Ok(out)
}

/// `end_shift` when the acting officer's shift is already handed over and
/// not yet acknowledged: names another incoming officer (the first could
/// not come). The cut-off, chain head and carry-over items stay. None
/// when no handover is pending.
fn readdress_in(
    w: &mut Writer<'_>,
    incoming: &str,
    cutoff: Option<DateTime<Utc>>,
) -> Result<Option<(i64, Head, String)>> {
    let who = w.actor().officer.clone();
    let Some(s) = pending(w.conn())? else {
        return Ok(None);
    };
    let id = s.id;
    let before = s.incoming.clone().unwrap_or_default();
    let name = shift::readdress(s.state, &s.officer, &who, &before, incoming)
        .map_err(|e| handover_error(e, &s, &who))?;
    if cutoff.is_some() {
        let at = s.cutoff.map(local).unwrap_or_default();
        return Err(StoreError::Refused(msg!(
            "班次 #{id} 已于 {at} 截止交班，截止时间不能再改；改交时请不写截止时间。",
            "Shift #{id} was handed over with its cut-off at {at}, which stays; re-address it without a cut-off."
        )));
    }
    let seq = w.log(draft(
        format!("shift:{id}"),
        Payload::new("shift.readdress")
            .with("id", id)
            .with("officer", s.officer.clone())
            .with("to", name.clone())
            .with("was", before.clone()),
    ))?;
    w.conn().execute(
        "UPDATE shift SET incoming = ?1, log_seq = ?2 WHERE id = ?3",
        params![name, seq, id],
    )?;
    let head = Head {
        seq: s.cutoff_seq.unwrap_or(0),
        hash: s.cutoff_hash.clone().unwrap_or_default(),
    };
    Ok(Some((id, head, before)))
}

impl Store {
    /// Starts a shift for the acting officer; refused while another shift
    /// is on duty. Returns its id and the log seq.
    pub fn start_shift(&mut self, actor: &Actor) -> Result<(i64, i64)> {
        self.change(actor, start_in)
    }

    /// Ends the acting officer's shift, handing it over to `incoming` with
    /// a cut-off (`None`: now; otherwise a moment between the shift's start
    /// and now). The chain head at the cut-off is the newest entry
    /// recorded by then; the handover's own entries come after it. The
    /// open items at the cut-off, with the previous handover's
    /// unacknowledged items, become the carry-over list.
    pub fn end_shift(
        &mut self,
        actor: &Actor,
        incoming: &str,
        cutoff: Option<DateTime<Utc>>,
        rules: &CarryRules,
    ) -> Result<Handover> {
        self.end_shift_with(actor, incoming, cutoff, rules, &[])
    }

    /// [`Store::end_shift`] with the outgoing officer's own items: watch
    /// items and standing instructions (交代事项), free text, carried
    /// until acknowledged.
    pub fn end_shift_with(
        &mut self,
        actor: &Actor,
        incoming: &str,
        cutoff: Option<DateTime<Utc>>,
        rules: &CarryRules,
        notes: &[(CarryKind, String)],
    ) -> Result<Handover> {
        let notes = check_notes(notes)?;
        // The supply tables keep no history: read as they are at the
        // cut-off (now, or a moment ago).
        let supply = self.supply_items(cutoff.unwrap_or(self.now()), rules)?;
        let ((shift_id, head, readdressed_from), seq) = self.change(actor, |w| {
            let now = w.now();
            let Some(s) = on_duty(w.conn())? else {
                if let Some((id, head, before)) = readdress_in(w, incoming, cutoff)? {
                    return Ok((id, head, Some(before)));
                }
                return Err(StoreError::Refused(msg!(
                    "当前没有在值的班次，无从交班；请先用 `supplydesk shift start` 上岗。",
                    "No shift is on duty, so there is nothing to hand over; start one with `supplydesk shift start`."
                )));
            };
            let who = w.actor().officer.clone();
            let (to, incoming) = shift::hand_over(s.state, &s.officer, &who, incoming)
                .map_err(|e| handover_error(e, &s, &who))?;
            let cutoff = cutoff.unwrap_or(now);
            if cutoff > now {
                return Err(StoreError::Refused(msg!(
                    "交班截止时间在将来；请填写已经过去的时间，或不填（即现在）。",
                    "The cut-off is in the future; give a time that has passed, or none for now."
                )));
            }
            let begin = s.started_at.max(s.window_from);
            if cutoff < begin {
                let since = local(begin);
                return Err(StoreError::Refused(msg!(
                    "交班截止时间早于本班开始（{since}）；请填写本班内的时间。",
                    "The cut-off is before the shift began ({since}); give a time within the shift."
                )));
            }
            let cutoff_seq: i64 = w.conn().query_row(
                "SELECT COALESCE(MAX(seq), ?1) FROM duty_log WHERE seq > ?1 AND recorded_at <= ?2",
                params![s.from_seq, to_db(cutoff)],
                |r| r.get(0),
            )?;
            let head = Records::new(w.conn())
                .head_at(cutoff_seq)?
                .unwrap_or(Head { seq: 0, hash: crate::domain::log::GENESIS.into() });
            let window = Window {
                from: s.window_from,
                cutoff,
                from_seq: s.from_seq,
                cutoff_seq,
            };
            let mut open = super::carry::record_items(Records::new(w.conn()), &window, rules)?;
            open.extend(supply.iter().cloned());
            let first = w.next_id("handover_item")?;
            // Free text is about itself: its subject is its own id.
            let mut free = Vec::new();
            for (i, (kind, text)) in notes.iter().enumerate() {
                free.push(shift::OpenItem {
                    kind: *kind,
                    subject: format!("{}:{}", kind.code(), first + i as i64),
                    summary: Summary { zh: text.clone(), en: text.clone() },
                    next: Summary {
                        zh: "阅知并照办".into(),
                        en: "Read it and act on it".into(),
                    },
                    owner: Some(s.officer.clone()),
                });
            }
            let unacked = unacknowledged_before(w.conn(), s.id)?;
            // The free items take the first ids: their subjects name them.
            let mut carry = shift::carry_over(&free, &[]);
            let rest = shift::carry_over(&open, &unacked);
            carry.extend(rest);
            carry.sort_by_key(|c| c.section.rank());
            for (i, c) in carry.iter_mut().enumerate() {
                c.pos = i as i64 + 1;
            }
            let (id, officer) = (s.id, s.officer.clone());
            if !carry.is_empty() {
                let n = carry.len();
                let again = carry.iter().filter(|c| c.carried_from.is_some()).count();
                let seq = w.log(draft(
                    "handover_item".into(),
                    Payload::new("shift.items")
                        .with("id", id)
                        .with("n", n as i64)
                        .with("again", (again > 0).then_some(again as i64)),
                ))?;
                // Free items first, so that their ids are the ones their
                // subjects name; the others after, in any order.
                let mut order: Vec<&shift::CarryItem> = carry.iter().collect();
                order.sort_by_key(|c| !(c.carried_from.is_none() && matches!(c.kind, CarryKind::Watch | CarryKind::Instruction)));
                for (i, c) in order.iter().enumerate() {
                    // Free text (watch items, instructions, summaries) is
                    // scrubbed of what the privacy rules mask.
                    let (zh, en) = (w.scrub(&c.summary.zh)?, w.scrub(&c.summary.en)?);
                    let (next_zh, next_en) = (w.scrub(&c.next.zh)?, w.scrub(&c.next.en)?);
                    w.conn().execute(
                        "INSERT INTO handover_item (id, shift_id, pos, kind, subject, section, summary, summary_en,
                            next_step, next_step_en, owner, carried_from, log_seq)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                        params![
                            first + i as i64,
                            id,
                            c.pos,
                            c.kind.code(),
                            c.subject,
                            c.section.code(),
                            zh,
                            en,
                            next_zh,
                            next_en,
                            c.owner,
                            c.carried_from,
                            seq
                        ],
                    )?;
                }
            }
            let seq = w.log(draft(
                format!("shift:{id}"),
                Payload::new("shift.handover")
                    .with("id", id)
                    .with("officer", officer.clone())
                    .with("incoming", incoming.clone())
                    .with("cutoff", local(cutoff))
                    .with("head", head.seq)
                    .with("hash", head.hash.clone())
                    .with("items", carry.len() as i64),
            ))?;
            w.conn().execute(
                "UPDATE shift SET state = ?1, incoming = ?2, ended_at = ?3, cutoff = ?4, cutoff_seq = ?5,
                    cutoff_hash = ?6, log_seq = ?7 WHERE id = ?8",
                params![to.code(), incoming, to_db(now), to_db(cutoff), head.seq, head.hash, seq, id],
            )?;
            Ok((id, head, None))
        })?;
        Ok(Handover {
            shift_id,
            seq,
            head,
            items: items_of(&self.conn, shift_id)?,
            readdressed_from,
        })
    }

    /// Acknowledges the handover addressed to the acting officer (the
    /// newest one, or shift `shift_id`), one of its items, or everything
    /// at once. Acknowledging an item signs for the handover too. When
    /// nobody is on duty, the acknowledgement starts the acting officer's
    /// shift.
    pub fn acknowledge_handover(
        &mut self,
        actor: &Actor,
        shift_id: Option<i64>,
        target: AckTarget,
    ) -> Result<Acknowledged> {
        let who = actor.officer.clone();
        let s = match shift_id {
            Some(id) => shift_by_id(&self.conn, id)?,
            None => self.handover_for(&who)?,
        };
        let (out, seq) = self.change(actor, |w| {
            let s = shift_by_id(w.conn(), s.id)?;
            let id = s.id;
            let incoming = s.incoming.clone().unwrap_or_default();
            let mut did = Acknowledged {
                shift_id: id,
                handover: false,
                items: Vec::new(),
                remaining: 0,
                started: None,
                seq: 0,
            };
            let items = items_of(w.conn(), id)?;
            let sign = |w: &mut Writer<'_>, why: bool| -> Result<()> {
                let seq = w.log(draft(
                    format!("shift:{id}"),
                    Payload::new("shift.ack")
                        .with("id", id)
                        .with("officer", s.officer.clone())
                        .with("incoming", incoming.clone())
                        .with("with_item", why.then_some("1")),
                ))?;
                w.conn().execute(
                    "UPDATE shift SET state = 'acknowledged', acknowledged_at = ?1, acknowledged_by = ?2,
                        log_seq = ?3 WHERE id = ?4",
                    params![to_db(w.now()), w.actor().officer, seq, id],
                )?;
                Ok(())
            };
            match target {
                AckTarget::Handover => {
                    shift::acknowledge(s.state, &incoming, &who)
                        .map_err(|e| ack_error(e, &s, &who, None))?;
                    sign(w, false)?;
                    did.handover = true;
                }
                AckTarget::Item(pos) => {
                    let Some(item) = items.iter().find(|i| i.pos == pos) else {
                        let n = items.len();
                        return Err(StoreError::NotFound(msg!(
                            "班次 #{id} 的交接没有第 {pos} 项遗留事项（共 {n} 项）。",
                            "The handover of shift #{id} has no carry-over item {pos} (it has {n})."
                        )));
                    };
                    shift::acknowledge_item(
                        s.state,
                        &incoming,
                        &who,
                        item.acknowledged_at.is_some(),
                    )
                    .map_err(|e| ack_error(e, &s, &who, Some(pos)))?;
                    if shift::item_signs_handover(s.state) {
                        sign(w, true)?;
                        did.handover = true;
                    }
                    let item_id = item.id;
                    let seq = w.log(draft(
                        format!("handover_item:{item_id}"),
                        Payload::new("shift.item_ack")
                            .with("id", id)
                            .with("pos", pos)
                            .with("zh", item.summary_zh.clone())
                            .with("en", item.summary_en.clone()),
                    ))?;
                    w.conn().execute(
                        "UPDATE handover_item SET acknowledged_at = ?1, acknowledged_by = ?2, log_seq = ?3
                         WHERE id = ?4",
                        params![to_db(w.now()), who, seq, item_id],
                    )?;
                    did.items.push(pos);
                }
                AckTarget::All | AckTarget::Section(_) => {
                    let open: Vec<&HandoverItem> = items
                        .iter()
                        .filter(|i| i.acknowledged_at.is_none())
                        .filter(|i| match target {
                            AckTarget::Section(sec) => i.section == sec,
                            _ => true,
                        })
                        .collect();
                    if let AckTarget::Section(sec) = target
                        && open.is_empty()
                    {
                        let (zh, en) = (sec.label_zh(), sec.label_en());
                        let n = items.iter().filter(|i| i.section == sec).count();
                        return Err(StoreError::Refused(msg!(
                            "班次 #{id} 的“{zh}”一节（{n} 项）没有待确认的事项。",
                            "The section \"{en}\" of shift #{id} ({n} items) has nothing left to acknowledge."
                        )));
                    }
                    if s.state == ShiftState::HandedOver {
                        shift::acknowledge(s.state, &incoming, &who)
                            .map_err(|e| ack_error(e, &s, &who, None))?;
                        sign(w, false)?;
                        did.handover = true;
                    } else {
                        // Checks who asks; an acknowledged handover with
                        // nothing left says so.
                        if let Some(first) = open.first() {
                            shift::acknowledge_item(s.state, &incoming, &who, false)
                                .map_err(|e| ack_error(e, &s, &who, Some(first.pos)))?;
                        } else {
                            shift::acknowledge(s.state, &incoming, &who)
                                .map_err(|e| ack_error(e, &s, &who, None))?;
                        }
                    }
                    if !open.is_empty() {
                        let n = open.len();
                        let payload = match target {
                            AckTarget::Section(sec) => Payload::new("shift.section_ack")
                                .with("id", id)
                                .with("section", sec.code())
                                .with("n", n as i64),
                            _ => Payload::new("shift.items_ack")
                                .with("id", id)
                                .with("n", n as i64),
                        };
                        let seq = w.log(draft("handover_item".into(), payload))?;
                        let section = match target {
                            AckTarget::Section(sec) => Some(sec.code()),
                            _ => None,
                        };
                        w.conn().execute(
                            "UPDATE handover_item SET acknowledged_at = ?1, acknowledged_by = ?2, log_seq = ?3
                             WHERE shift_id = ?4 AND acknowledged_at IS NULL
                               AND (?5 IS NULL OR section = ?5)",
                            params![to_db(w.now()), who, seq, id, section],
                        )?;
                        did.items = open.iter().map(|i| i.pos).collect();
                    }
                }
            }
            if did.handover && on_duty(w.conn())?.is_none() {
                did.started = Some(start_in(w)?);
            }
            did.remaining = w.conn().query_row(
                "SELECT COUNT(*) FROM handover_item WHERE shift_id = ?1 AND acknowledged_at IS NULL",
                [id],
                |r| r.get(0),
            )?;
            Ok(did)
        })?;
        Ok(Acknowledged { seq, ..out })
    }

    /// The handover the acting officer would acknowledge: the newest one
    /// addressed to them; if none, the refusal names whom the pending one
    /// is for.
    fn handover_for(&self, who: &str) -> Result<ShiftRow> {
        let recent: Vec<ShiftRow> = {
            let mut st = self.conn.prepare_cached(&format!(
                "SELECT {SHIFT_COLUMNS} FROM shift s WHERE s.state <> 'on_duty' ORDER BY s.id DESC LIMIT 50"
            ))?;
            st.query_map([], shift_row)?
                .collect::<rusqlite::Result<_>>()?
        };
        if let Some(s) = recent.iter().find(|s| {
            s.incoming
                .as_deref()
                .is_some_and(|i| shift::same_officer(i, who))
        }) {
            return Ok(s.clone());
        }
        match recent.iter().find(|s| s.state == ShiftState::HandedOver) {
            Some(s) => Err(ack_error(AckError::NotTheIncoming, s, who, None)),
            None => Err(StoreError::NotFound(msg!(
                "没有交给 {who} 的交接班，无从确认。",
                "There is no handover to {who} to acknowledge."
            ))),
        }
    }

    pub fn shift(&self, id: i64) -> Result<ShiftRow> {
        shift_by_id(&self.conn, id)
    }

    /// The shift on duty now.
    pub fn current_shift(&self) -> Result<Option<ShiftRow>> {
        on_duty(&self.conn)
    }

    /// The newest shift, whatever its state.
    pub fn latest_shift(&self) -> Result<Option<ShiftRow>> {
        one_shift(&self.conn, "s.id = (SELECT MAX(id) FROM shift)", &[])
    }

    /// The newest handover not yet acknowledged.
    pub fn pending_handover(&self) -> Result<Option<ShiftRow>> {
        pending(&self.conn)
    }

    /// The handover before shift `id`, whose carry-over items the report
    /// of shift `id` lists.
    pub fn handover_before(&self, id: i64) -> Result<Option<ShiftRow>> {
        previous_handover(&self.conn, id)
    }

    /// For the header: who is on duty, whether a handover is pending, and
    /// how many items of the newest handover nobody acknowledged.
    pub fn handover_status(&self) -> Result<HandoverStatus> {
        let newest = one_shift(
            &self.conn,
            "s.id = (SELECT MAX(id) FROM shift WHERE state <> 'on_duty')",
            &[],
        )?;
        Ok(HandoverStatus {
            on_duty: on_duty(&self.conn)?,
            pending: self.pending_handover()?,
            unacknowledged_items: newest.map_or(0, |s| s.items_unacknowledged),
        })
    }

    /// The items of the handover before shift `id` nobody acknowledged.
    pub fn unacknowledged_before(&self, id: i64) -> Result<Vec<Unacknowledged>> {
        unacknowledged_before(&self.conn, id)
    }

    /// The carry-over items of a handover, in order.
    pub fn handover_items(&self, shift_id: i64) -> Result<Vec<HandoverItem>> {
        items_of(&self.conn, shift_id)
    }

    /// Past and present shifts, newest first, for review.
    pub fn shifts_page(&self, offset: i64, limit: i64) -> Result<Vec<ShiftRow>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {SHIFT_COLUMNS} FROM shift s ORDER BY s.id DESC LIMIT ?1 OFFSET ?2"
        ))?;
        let rows = st
            .query_map(params![limit, offset], shift_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }
}
