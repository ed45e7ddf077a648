//! Vehicles and passes: the plate verdict a checkpoint asks for.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Result, Store};
use crate::domain::Code;
use crate::domain::pass::{self, PassKind, PassState, PassStatus};
use crate::domain::plate::{self, Normalized};
use crate::domain::time::from_db;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct VehicleInfo {
    pub id: i64,
    pub plate: String,
    pub vehicle_type: Option<String>,
    pub load_tonnes: Option<f64>,
    pub unit: Option<String>,
    pub driver: Option<String>,
    /// Raw; mask before showing.
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PassInfo {
    pub id: i64,
    pub number: String,
    pub kind: PassKind,
    pub subject: String,
    pub issuer: String,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub area: Option<String>,
    pub state: PassState,
    pub reason: Option<String>,
    pub status: PassStatus,
}

/// The answer to "may this vehicle pass?".
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Verdict {
    pub typed: String,
    pub plate: String,
    /// Why the plate looks odd, when it does (a warning, not a wall).
    pub plate_warning: Option<String>,
    pub vehicle: Option<VehicleInfo>,
    /// The pass that decides the verdict.
    pub pass: Option<PassInfo>,
    /// `None`: no pass at all.
    pub status: Option<PassStatus>,
    /// Plates one character off, or the same without the province.
    pub near: Vec<String>,
}

impl Verdict {
    pub fn lets_through(&self) -> bool {
        self.status.is_some_and(PassStatus::lets_through)
    }
}

/// A character as a GLOB literal.
fn glob_literal(c: char) -> String {
    match c {
        '*' | '?' | '[' => format!("[{c}]"),
        _ => c.to_string(),
    }
}

/// How many near plates to suggest.
const NEAR_MAX: usize = 8;

impl Store {
    /// The verdict for an already normalised plate.
    pub fn plate_verdict(
        &self,
        typed: &str,
        n: &Normalized,
        warn: Duration,
        lang_zh: bool,
    ) -> Result<Verdict> {
        let now = self.now();
        let p = n.plate.as_str();
        let vehicle = self.vehicle_by_plate(p)?;
        let plate_warning = match &n.verdict {
            plate::PlateCheck::Standard(_) => None,
            odd => Some(plate::describe(odd, lang_zh)),
        };
        let Some(vehicle) = vehicle else {
            return Ok(Verdict {
                typed: typed.to_string(),
                plate: p.to_string(),
                plate_warning,
                vehicle: None,
                pass: None,
                status: None,
                near: self.near_plates(p)?,
            });
        };
        let passes = self.passes_of_vehicle(vehicle.id, now, warn)?;
        let decisive = passes
            .iter()
            .filter(|p| p.status.lets_through())
            .min_by_key(|p| (p.status, std::cmp::Reverse(p.valid_until)))
            .or_else(|| passes.iter().max_by_key(|p| p.id))
            .cloned();
        Ok(Verdict {
            typed: typed.to_string(),
            plate: p.to_string(),
            plate_warning,
            status: decisive.as_ref().map(|p| p.status),
            pass: decisive,
            vehicle: Some(vehicle),
            near: Vec::new(),
        })
    }

    pub fn vehicle_by_plate(&self, plate: &str) -> Result<Option<VehicleInfo>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT v.id, v.plate, v.vehicle_type, v.load_tonnes, u.name, v.driver, v.phone
                 FROM vehicle v LEFT JOIN supply_unit u ON u.id = v.unit_id WHERE v.plate = ?1",
            )?
            .query_row([plate], |r| {
                Ok(VehicleInfo {
                    id: r.get(0)?,
                    plate: r.get(1)?,
                    vehicle_type: r.get(2)?,
                    load_tonnes: r.get(3)?,
                    unit: r.get(4)?,
                    driver: r.get(5)?,
                    phone: r.get(6)?,
                })
            })
            .optional()?)
    }

    /// All passes of a vehicle with their status at `now`.
    pub fn passes_of_vehicle(
        &self,
        vehicle_id: i64,
        now: DateTime<Utc>,
        warn: Duration,
    ) -> Result<Vec<PassInfo>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, number, kind, subject, issuer, valid_from, valid_until, area, state, reason
             FROM pass WHERE vehicle_id = ?1 ORDER BY valid_until DESC",
        )?;
        let rows = st
            .query_map(params![vehicle_id], |r| {
                let kind: String = r.get(2)?;
                let from: String = r.get(5)?;
                let until: String = r.get(6)?;
                let state: String = r.get(8)?;
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    kind,
                    r.get(3)?,
                    r.get(4)?,
                    from,
                    until,
                    r.get(7)?,
                    state,
                    r.get(9)?,
                ))
            })?
            .collect::<rusqlite::Result<
                Vec<(
                    i64,
                    String,
                    String,
                    String,
                    String,
                    String,
                    String,
                    Option<String>,
                    String,
                    Option<String>,
                )>,
            >>()?;
        Ok(rows
            .into_iter()
            .map(
                |(id, number, kind, subject, issuer, from, until, area, state, reason)| {
                    let valid_from = from_db(&from).unwrap_or_default();
                    let valid_until = from_db(&until).unwrap_or_default();
                    let state = PassState::from_code(&state).unwrap_or(PassState::Revoked);
                    PassInfo {
                        id,
                        number,
                        kind: PassKind::from_code(&kind).unwrap_or(PassKind::Vehicle),
                        subject,
                        issuer,
                        valid_from,
                        valid_until,
                        area,
                        state,
                        reason,
                        status: pass::status(state, valid_from, valid_until, now, warn),
                    }
                },
            )
            .collect())
    }

    /// Registered plates near `plate`: the same without (or with another)
    /// province character, one character different, or two neighbours
    /// swapped. Every probe is an index lookup or a short index range, so an
    /// unknown plate costs no more than a known one.
    pub fn near_plates(&self, plate: &str) -> Result<Vec<String>> {
        let chars: Vec<char> = plate.chars().collect();
        let n = chars.len();
        let mut found: Vec<String> = Vec::new();
        let mut probe = |sql: &str, arg: String| -> Result<()> {
            let mut st = self.conn.prepare_cached(sql)?;
            for p in st.query_map([arg], |r| r.get::<_, String>(0))? {
                let p = p?;
                if found.len() < NEAR_MAX
                    && p != plate
                    && !found.contains(&p)
                    && plate::near(plate, &p)
                {
                    found.push(p);
                }
            }
            Ok(())
        };
        let s = |from: usize| chars[from.min(n)..].iter().collect::<String>();
        // Typed without the province, or with the wrong one.
        let tail = if chars.first().is_some_and(|c| !c.is_ascii()) {
            s(1)
        } else {
            s(0)
        };
        probe(
            "SELECT plate FROM vehicle WHERE substr(plate, 2) = ?1 LIMIT 16",
            tail,
        )?;
        // The letter, or the first serial character, mistyped.
        if n >= 3 {
            probe(
                "SELECT plate FROM vehicle WHERE substr(plate, 3) = ?1 LIMIT 64",
                s(2),
            )?;
        }
        if n >= 4 {
            probe(
                "SELECT plate FROM vehicle WHERE substr(plate, 4) = ?1 LIMIT 64",
                s(3),
            )?;
        }
        // A later character mistyped: the literal prefix bounds the range.
        for k in 3..n {
            let pattern: String = chars[..k]
                .iter()
                .map(|c| glob_literal(*c))
                .collect::<String>()
                + "?"
                + &chars[k + 1..]
                    .iter()
                    .map(|c| glob_literal(*c))
                    .collect::<String>();
            probe(
                "SELECT plate FROM vehicle WHERE plate GLOB ?1 LIMIT 64",
                pattern,
            )?;
        }
        // Two neighbours swapped.
        for k in 0..n.saturating_sub(1) {
            let mut c = chars.clone();
            c.swap(k, k + 1);
            probe(
                "SELECT plate FROM vehicle WHERE plate = ?1",
                c.into_iter().collect(),
            )?;
        }
        Ok(found)
    }
}
