//! What is stored already: the names a sheet refers to, and the rows
//! of the table an import matches its records against.

use std::collections::HashMap;

use rusqlite::{Connection, types::Value};

use super::*;
use crate::store::Result;

/// Names of stored records, for resolving the names a sheet gives.
#[derive(Default)]
pub(super) struct Refs {
    /// community name → (id, kind)
    pub(super) communities: HashMap<String, (i64, String)>,
    pub(super) community_names: HashMap<i64, String>,
    /// (community id, name) → (id, kind)
    pub(super) compounds: HashMap<(i64, String), (i64, String)>,
    pub(super) compound_names: HashMap<i64, String>,
    pub(super) compound_kinds: HashMap<i64, String>,
    /// (compound id, name) → id
    pub(super) buildings: HashMap<(i64, String), i64>,
    pub(super) building_names: HashMap<i64, String>,
    pub(super) units: HashMap<String, i64>,
    pub(super) unit_names: HashMap<i64, String>,
    /// plate → (id, unit id)
    pub(super) vehicles: HashMap<String, (i64, Option<i64>)>,
    pub(super) plates: HashMap<i64, String>,
}

impl Refs {
    pub(super) fn load(conn: &Connection, t: LedgerTable) -> Result<Refs> {
        use LedgerTable as L;
        let mut r = Refs::default();
        let needs_places = !matches!(t, L::Community | L::Staff | L::Vehicle | L::Pass);
        if needs_places || t == L::Community {
            let mut st = conn.prepare("SELECT id, name, kind FROM community")?;
            let rows = st.query_map([], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                ))
            })?;
            for row in rows {
                let (id, name, kind) = row?;
                r.community_names.insert(id, name.clone());
                r.communities.insert(name, (id, kind));
            }
        }
        if matches!(t, L::Building | L::Volunteer | L::Recipient) {
            let mut st = conn.prepare("SELECT id, community_id, name, kind FROM compound")?;
            let rows = st.query_map([], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                ))
            })?;
            for row in rows {
                let (id, community, name, kind) = row?;
                r.compound_names.insert(id, name.clone());
                r.compound_kinds.insert(id, kind.clone());
                r.compounds.insert((community, name), (id, kind));
            }
        }
        if t == L::Volunteer {
            let mut st = conn.prepare("SELECT id, compound_id, name FROM building")?;
            let rows = st.query_map([], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, String>(2)?,
                ))
            })?;
            for row in rows {
                let (id, compound, name) = row?;
                r.building_names.insert(id, name.clone());
                r.buildings.insert((compound, name), id);
            }
        }
        if matches!(
            t,
            L::SupplyUnit | L::Staff | L::Vehicle | L::Pass | L::StockReport
        ) {
            let mut st = conn.prepare("SELECT id, name FROM supply_unit")?;
            let rows = st.query_map([], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
            })?;
            for row in rows {
                let (id, name) = row?;
                r.unit_names.insert(id, name.clone());
                r.units.insert(name, id);
            }
        }
        if t == L::Pass {
            let mut st = conn.prepare("SELECT id, plate, unit_id FROM vehicle")?;
            let rows = st.query_map([], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, Option<i64>>(2)?,
                ))
            })?;
            for row in rows {
                let (id, plate, unit) = row?;
                r.plates.insert(id, plate.clone());
                r.vehicles.insert(plate, (id, unit));
            }
        }
        Ok(r)
    }

    /// A community by its name as a clerk writes it: exactly, or with
    /// 社区/村 added or left off.
    pub(super) fn community(&self, typed: &str) -> Option<(i64, &str)> {
        community_spellings(typed)
            .iter()
            .find_map(|n| self.communities.get(n.as_str()))
            .map(|(id, kind)| (*id, kind.as_str()))
    }
}

/// The spellings under which a community may be stored, the one typed
/// first.
pub(super) fn community_spellings(typed: &str) -> Vec<String> {
    let mut v = vec![typed.to_string()];
    for suffix in ["社区", "村"] {
        match typed.strip_suffix(suffix) {
            Some(stem) if !stem.is_empty() => v.push(stem.to_string()),
            _ => {}
        }
    }
    if !typed.ends_with("社区") && !typed.ends_with('村') {
        v.push(format!("{typed}社区"));
        v.push(format!("{typed}村"));
    }
    v
}

pub(super) fn text(v: &Option<Value>) -> Option<&str> {
    match v {
        Some(Value::Text(s)) => Some(s.as_str()),
        _ => None,
    }
}

pub(super) fn int(v: &Option<Value>) -> Option<i64> {
    match v {
        Some(Value::Integer(i)) => Some(*i),
        _ => None,
    }
}

/// Digits of a phone number, for matching however it was written.
pub(super) fn phone_digits(s: &str) -> String {
    let d: String = s
        .chars()
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .filter(char::is_ascii_digit)
        .collect();
    d.strip_prefix("86")
        .filter(|r| r.len() == 11)
        .map(str::to_string)
        .unwrap_or(d)
}

/// A row with its references resolved to ids, aligned to the table's
/// columns, with the keys it is matched on and the name it is shown by.
pub(super) struct Resolved {
    pub(super) cols: Vec<Option<Value>>,
    /// Tried in order; the first that finds a stored record decides.
    pub(super) keys: Vec<String>,
    /// Keys of the stored record this one must not be confused with.
    pub(super) label: String,
}

/// The stored rows of a table, indexed by their keys.
pub(super) struct Existing {
    pub(super) ids: Vec<i64>,
    pub(super) rows: Vec<Vec<Value>>,
    pub(super) index: HashMap<String, Vec<usize>>,
}

pub(super) fn stored_keys(t: LedgerTable, row: &[Value]) -> Vec<String> {
    let s = |i: usize| match &row[i] {
        Value::Text(s) => s.clone(),
        Value::Integer(n) => n.to_string(),
        _ => String::new(),
    };
    use LedgerTable as L;
    match t {
        // A sheet's 螺蛳包 is resolved to the stored 螺蛳包社区 before it is
        // matched, so the stored name is the key.
        L::Community => vec![format!("n:{}", s(0))],
        L::Compound | L::Building | L::Outlet | L::Staff => vec![format!("k:{}:{}", s(0), s(1))],
        L::SupplyUnit | L::Vehicle | L::Pass => vec![format!("k:{}", s(0))],
        // `c0:`/`p0:` index the records that lack the field a row may add
        // (a volunteer's phone, a recipient's ID number): a row that gives
        // it may complete such a record, never overwrite another person's.
        L::Volunteer => {
            let mut v = vec![format!("c:{}:{}", s(0), s(2))];
            match &row[1] {
                Value::Text(p) => v.push(format!("p:{}:{}", s(0), phone_digits(p))),
                _ => v.push(format!("c0:{}:{}", s(0), s(2))),
            }
            v
        }
        L::Recipient => {
            let mut v = Vec::new();
            if let Value::Text(id) = &row[2] {
                v.push(format!("i:{id}"));
            }
            match (&row[1], &row[2]) {
                (Value::Text(p), Value::Text(_)) => {
                    v.push(format!("p:{}:{}", s(0), phone_digits(p)));
                }
                (Value::Text(p), _) => {
                    v.push(format!("p:{}:{}", s(0), phone_digits(p)));
                    v.push(format!("p0:{}:{}", s(0), phone_digits(p)));
                }
                (_, Value::Text(_)) => {}
                // Neither (a homeless person): name and community.
                _ => v.push(format!("n0:{}:{}", s(0), s(5))),
            }
            v
        }
        // Reports are appended, never matched here: see [`stock`].
        L::StockReport => Vec::new(),
    }
}

impl Existing {
    pub(super) fn load(conn: &Connection, t: LedgerTable) -> Result<Existing> {
        let cols = t.cols();
        let names: Vec<&str> = cols.iter().map(|c| c.name).collect();
        let sql = format!(
            "SELECT id, {} FROM {} ORDER BY id",
            names.join(", "),
            t.table()
        );
        let mut st = conn.prepare(&sql)?;
        let mut ids = Vec::new();
        let mut rows = Vec::new();
        let mut q = st.query([])?;
        while let Some(r) = q.next()? {
            ids.push(r.get::<_, i64>(0)?);
            let mut row = Vec::with_capacity(cols.len());
            for i in 0..cols.len() {
                row.push(r.get::<_, Value>(i + 1)?);
            }
            rows.push(row);
        }
        let mut index: HashMap<String, Vec<usize>> = HashMap::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            for k in stored_keys(t, row) {
                index.entry(k).or_default().push(i);
            }
        }
        Ok(Existing { ids, rows, index })
    }
}
