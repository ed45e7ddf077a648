//! The scrubber's directory over the store: every person the desk knows,
//! found by the normalised digits of their phone or ID number, and the
//! callers table of unknown numbers.
//!
//! The index of numbers is built once per store (a full read of the
//! people tables: about 0.1 s with 119 k recipients, BENCHMARKS.md) and
//! then kept up to date by reading only the rows changed since, found by
//! their `log_seq` (indexed, migration 009). Numbers are kept as `u64`,
//! so the index of 119 k recipients takes a few MB.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};

use super::Result;
use crate::domain::mask::mask_phone;
use crate::domain::scrub::{self, Directory, Person, PersonKind};

/// Where the people are: table, kind, phone column, ID column, name column.
const SOURCES: &[(&str, PersonKind, &str, Option<&str>, &str)] = &[
    (
        "recipient",
        PersonKind::Recipient,
        "phone",
        Some("id_number"),
        "name",
    ),
    ("volunteer", PersonKind::Volunteer, "phone", None, "name"),
    ("staff", PersonKind::Staff, "phone", None, "name"),
    ("vehicle", PersonKind::Driver, "phone", None, "driver"),
    (
        "community",
        PersonKind::CommunityContact,
        "phone",
        None,
        "contact",
    ),
    (
        "supply_unit",
        PersonKind::UnitContact,
        "phone",
        None,
        "contact",
    ),
    (
        "outlet",
        PersonKind::OutletContact,
        "phone",
        None,
        "contact",
    ),
];

fn source(
    kind: PersonKind,
) -> Option<&'static (
    &'static str,
    PersonKind,
    &'static str,
    Option<&'static str>,
    &'static str,
)> {
    SOURCES.iter().find(|s| s.1 == kind)
}

/// Known numbers by their digits.
#[derive(Debug, Default)]
pub struct PeopleIndex {
    /// The newest log entry when last brought up to date (`None`: never).
    seq: Option<i64>,
    phones: HashMap<u64, (PersonKind, i64)>,
    ids: HashMap<u64, (PersonKind, i64)>,
}

fn phone_code(digits: &str) -> Option<u64> {
    (digits.len() <= 18 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("1{digits}").parse().ok())
        .flatten()
}

fn id_code(id: &str) -> Option<u64> {
    match id.len() {
        18 => {
            let body: u64 = format!("2{}", &id[..17]).parse().ok()?;
            let check = match id.as_bytes()[17] {
                b'X' => 10,
                d @ b'0'..=b'9' => u64::from(d - b'0'),
                _ => return None,
            };
            Some(body * 11 + check)
        }
        15 => format!("1{id}").parse().ok(),
        _ => None,
    }
}

impl PeopleIndex {
    /// Reads the rows changed since the last time (all of them the first
    /// time). Rows of the newest entry seen are read again, as that entry's
    /// rows may have been written after it was seen.
    pub fn refresh(&mut self, conn: &Connection) -> Result<()> {
        let head: i64 = conn
            .prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM duty_log")?
            .query_row([], |r| r.get(0))?;
        if self.seq == Some(head) {
            return Ok(());
        }
        let since = self.seq.unwrap_or(-1);
        for &(table, kind, phone, id_col, _) in SOURCES {
            // The first time, a plain scan of the table (its rows in order
            // beat the log_seq index's jumps about the file).
            let filter = if self.seq.is_some() {
                "log_seq >= ?1"
            } else {
                "?1 IS NOT NULL"
            };
            let sql = format!(
                "SELECT id, {phone}, {} FROM {table} WHERE {filter}",
                id_col.unwrap_or("NULL")
            );
            let mut st = conn.prepare_cached(&sql)?;
            let mut rows = st.query([since])?;
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(0)?;
                let phone: Option<String> = r.get(1)?;
                let idn: Option<String> = r.get(2)?;
                self.add(kind, id, phone.as_deref(), idn.as_deref());
            }
        }
        self.seq = Some(head);
        Ok(())
    }

    fn add(&mut self, kind: PersonKind, id: i64, phone: Option<&str>, id_number: Option<&str>) {
        if let Some(d) = phone.and_then(scrub::phone_key) {
            if let Some(c) = phone_code(&d) {
                self.phones.insert(c, (kind, id));
            }
            if let Some(c) = scrub::local_part(&d).and_then(phone_code) {
                self.phones.entry(c).or_insert((kind, id));
            }
        }
        if let Some(c) = id_number.and_then(scrub::id_key).and_then(|k| id_code(&k)) {
            self.ids.insert(c, (kind, id));
        }
    }

    pub fn len(&self) -> usize {
        self.phones.len() + self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Callers found by a scrub and not yet in the table: kept once the entry
/// they came with is written.
pub type PendingCallers = Vec<(i64, String)>;

/// The directory a scrub consults: the index, the names by id, the
/// callers table.
pub struct StoreDirectory<'a> {
    conn: &'a Connection,
    index: &'a mut PeopleIndex,
    /// Brought up to date at the first look-up only: most texts hold no
    /// number to look up.
    fresh: bool,
    /// `Some`: new callers are given numbers and added here.
    pending: Option<&'a mut PendingCallers>,
}

impl<'a> StoreDirectory<'a> {
    pub fn new(
        conn: &'a Connection,
        index: &'a mut PeopleIndex,
        pending: Option<&'a mut PendingCallers>,
    ) -> Self {
        StoreDirectory {
            conn,
            index,
            fresh: false,
            pending,
        }
    }

    /// The index, up to date. Should reading fail, the index as it is:
    /// a number it does not know is still masked (as a caller's or an ID
    /// number), never left raw.
    fn index(&mut self) -> &PeopleIndex {
        if !self.fresh {
            let _ = self.index.refresh(self.conn);
            self.fresh = true;
        }
        self.index
    }
}

fn person(conn: &Connection, kind: PersonKind, id: i64) -> Option<Person> {
    let (table, _, _, _, name_col) = source(kind)?;
    let name: Option<String> = conn
        .prepare_cached(&format!("SELECT {name_col} FROM {table} WHERE id = ?1"))
        .ok()?
        .query_row([id], |r| r.get(0))
        .optional()
        .ok()
        .flatten()
        .flatten();
    Some(Person { kind, id, name })
}

impl Directory for StoreDirectory<'_> {
    fn phone(&mut self, digits: &str) -> Option<Person> {
        let code = phone_code(digits)?;
        let &(kind, id) = self.index().phones.get(&code)?;
        person(self.conn, kind, id)
    }

    fn id_number(&mut self, id: &str) -> Option<Person> {
        let code = id_code(id)?;
        let &(kind, rid) = self.index().ids.get(&code)?;
        person(self.conn, kind, rid)
    }

    fn caller(&mut self, digits: &str) -> Option<i64> {
        let known: Option<i64> = self
            .conn
            .prepare_cached("SELECT id FROM caller WHERE digits = ?1")
            .ok()?
            .query_row([digits], |r| r.get(0))
            .optional()
            .ok()
            .flatten();
        if known.is_some() {
            return known;
        }
        let pending = self.pending.as_deref_mut()?;
        if let Some((id, _)) = pending.iter().find(|(_, d)| d == digits) {
            return Some(*id);
        }
        let max: i64 = self
            .conn
            .query_row("SELECT COALESCE(MAX(id), 0) FROM caller", [], |r| r.get(0))
            .ok()?;
        let id = pending
            .iter()
            .map(|(i, _)| *i)
            .max()
            .unwrap_or(max)
            .max(max)
            + 1;
        pending.push((id, digits.to_string()));
        Some(id)
    }
}

/// Writes the pending callers, kept by the entry `seq` just written.
pub(super) fn keep_callers(
    conn: &Connection,
    seq: i64,
    pending: &mut PendingCallers,
) -> Result<()> {
    for (id, digits) in pending.drain(..) {
        conn.prepare_cached(
            "INSERT INTO caller (id, digits, masked, first_seq, log_seq) VALUES (?1, ?2, ?3, ?4, ?4)",
        )?
        .execute(params![id, digits, mask_phone(&digits), seq])?;
    }
    Ok(())
}

/// A caller kept from free text, as shown: the number masked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CallerRow {
    pub id: i64,
    pub masked: String,
    /// The entry that first named the caller.
    pub first_seq: i64,
    pub erased: bool,
}

impl super::Store {
    /// The callers kept, newest first, numbers masked.
    pub fn callers(&self) -> Result<Vec<CallerRow>> {
        let mut st = self.conn.prepare(
            "SELECT id, masked, first_seq, erased_at IS NOT NULL FROM caller ORDER BY id DESC",
        )?;
        let rows = st
            .query_map([], |r| {
                Ok(CallerRow {
                    id: r.get(0)?,
                    masked: r.get(1)?,
                    first_seq: r.get(2)?,
                    erased: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// A caller's number, for the officer who must call back: writes an
    /// access entry naming the officer and the caller (not the number)
    /// first, as [`super::Store::reveal_recipient`] does.
    pub fn reveal_caller(&mut self, actor: &super::Actor, id: i64) -> Result<(String, i64)> {
        use crate::domain::log::LogKind;
        use crate::msg;
        let (digits, seq) = self.change(actor, |w| {
            let row: Option<(Option<String>, String)> = w
                .conn()
                .query_row(
                    "SELECT digits, masked FROM caller WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((digits, masked)) = row else {
                return Err(super::StoreError::NotFound(msg!(
                    "没有编号为 {id} 的来电人；请检查编号（见 `supplydesk privacy callers`）。",
                    "There is no caller #{id}; check the number (see `supplydesk privacy callers`)."
                )));
            };
            let Some(digits) = digits else {
                return Err(super::StoreError::Refused(msg!(
                    "来电人 #{id}（{masked}）的号码已按期删除，无法查看。",
                    "The number of caller #{id} ({masked}) was erased when its retention ended; it cannot be shown."
                )));
            };
            let officer = w.actor().officer.clone();
            w.log(super::LogDraft {
                kind: LogKind::Access,
                text: format!(
                    "查看来电人号码 Number of caller #{id} revealed to {officer}（{masked}）"
                ),
                occurred_at: None,
                subject: Some(format!("caller:{id}")),
                corrects: None,
                payload: None,
            })?;
            Ok(digits)
        })?;
        Ok((digits, seq))
    }
}
