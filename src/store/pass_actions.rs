//! Issuing and changing passes, and the vehicle ledger they rest on. The
//! read side a checkpoint uses (the plate verdict) is in `passes.rs`; the
//! pane's paged list is here, next to the actions it shows the result of.

use chrono::{DateTime, Datelike, Duration, FixedOffset, Utc};
use rusqlite::{Connection, OptionalExtension, params, params_from_iter, types::Value};

use super::fields::{self, Field, NAME_MAX_CHARS, NUMBER_MAX_CHARS, TEXT_MAX_CHARS, field};
use super::places::{self, Ref, prefix_end};
use super::{Actor, LogDraft, Result, Store, StoreError, Writer};
use crate::domain::Code;
use crate::domain::log_text::Payload;
use crate::domain::mask;
use crate::domain::pass::{self, PassAction, PassKind, PassState, PassStatus, WindowError};
use crate::domain::plate::{self, PlateCheck};
use crate::domain::time::{from_db, to_db};
use crate::msg;
use crate::msg::Msg;

/// A vehicle for the ledger (附表5), with its plate as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewVehicle {
    pub plate: String,
    pub vehicle_type: Option<String>,
    pub load_tonnes: Option<f64>,
    pub unit: Option<Ref>,
    pub driver: Option<String>,
    pub phone: Option<String>,
}

/// A vehicle added to the ledger.
#[derive(Debug, Clone, PartialEq)]
pub struct AddedVehicle {
    pub id: i64,
    pub seq: i64,
    /// The normalised plate stored.
    pub plate: String,
    /// Why the plate looks odd, when it does: accepted, but worth a look.
    pub warning: Option<Msg>,
}

/// The vehicle a pass is for: one in the ledger (plate as typed) or a new
/// one registered in the same transaction as the pass.
#[derive(Debug, Clone, PartialEq)]
pub enum PassVehicle {
    Ledger(String),
    New(NewVehicle),
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewPass {
    pub kind: PassKind,
    /// Required for a vehicle pass.
    pub vehicle: Option<PassVehicle>,
    /// The person (staff certificate) or business (permit); a vehicle pass
    /// is about its plate, a permit defaults to its unit's name.
    pub subject: Option<String>,
    /// The supply unit; a vehicle pass defaults to the vehicle's unit, a
    /// business permit requires one.
    pub unit: Option<Ref>,
    /// The office issuing it (经发办, 交委办, 农服中心, …).
    pub issuer: String,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    /// Area or route; blank means anywhere.
    pub area: Option<String>,
    /// Given by hand (a pre-printed form); generated when `None`.
    pub number: Option<String>,
}

/// A valid vehicle pass that a new one would duplicate.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConflictingPass {
    pub id: i64,
    pub number: String,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub area: Option<String>,
}

/// What issuing did.
#[derive(Debug, Clone, PartialEq)]
pub enum IssueOutcome {
    Issued {
        id: i64,
        number: String,
        /// The log entry of the pass (a new vehicle's entry comes just
        /// before it).
        seq: i64,
        /// A new vehicle's plate looked odd.
        plate_warning: Option<Msg>,
    },
    /// "One vehicle, one pass, one route": the vehicle already has a valid
    /// pass for this route and window. Nothing was written; ask the
    /// officer and call again with `force` to go ahead.
    NeedsConfirmation {
        conflicts: Vec<ConflictingPass>,
        message: Msg,
    },
}

/// One line of the passes pane.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PassListRow {
    pub id: i64,
    pub number: String,
    pub kind: PassKind,
    pub plate: Option<String>,
    pub subject: String,
    pub unit: Option<String>,
    pub driver: Option<String>,
    /// Masked.
    pub driver_phone: Option<String>,
    pub issuer: String,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub area: Option<String>,
    pub state: PassState,
    pub reason: Option<String>,
    /// At the `now` asked for, with the expiry warning window.
    pub status: PassStatus,
}

/// What the passes pane filters on; all optional.
#[derive(Debug, Clone, Default)]
pub struct PassFilter {
    /// A plate prefix (any typed form, province optional), a pass-number
    /// prefix, or part of the subject, unit, driver or area.
    pub text: Option<String>,
    pub status: Option<PassStatus>,
    /// Vehicle pass, staff certificate or business permit.
    pub kind: Option<PassKind>,
}

/// Passes by status, for the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct PassCounts {
    pub requested: i64,
    pub valid: i64,
    pub expiring: i64,
    pub not_yet_valid: i64,
    pub expired: i64,
    pub suspended: i64,
    pub revoked: i64,
}

const VEHICLE_TYPE: Field = field("车型", "vehicle type");
const DRIVER: Field = field("驾驶员", "driver");
const PHONE: Field = field("电话", "phone number");
const SUBJECT: Field = field("持证对象", "holder");
const ISSUER: Field = field("发证单位", "issuing office");
const AREA: Field = field("通行区域或线路", "area or route");
const NUMBER: Field = field("证号", "pass number");
const REASON: Field = field("原因", "reason");

/// The heaviest load a supply vehicle can carry, in tonnes.
pub const LOAD_MAX_TONNES: f64 = 100.0;

/// The exact plate lookup; exposed so that tests can check its plan.
pub const VEHICLE_BY_PLATE_SQL: &str = "SELECT id, unit_id FROM vehicle WHERE plate = ?1";

const ROW_COLUMNS: &str =
    "p.id, p.number, p.kind, v.plate, p.subject, u.name, v.driver, v.phone, p.issuer,
    p.valid_from, p.valid_until, p.area, p.state, p.reason";

const ROW_FROM: &str = "FROM pass p LEFT JOIN vehicle v ON v.id = p.vehicle_id LEFT JOIN supply_unit u ON u.id = p.unit_id";

/// The unfiltered passes page, latest ending first; exposed so that tests
/// can check its plan.
pub const PASSES_PAGE_SQL: &str = "SELECT p.id, p.number, p.kind, v.plate, p.subject, u.name, v.driver, v.phone,
    p.issuer, p.valid_from, p.valid_until, p.area, p.state, p.reason
    FROM pass p LEFT JOIN vehicle v ON v.id = p.vehicle_id LEFT JOIN supply_unit u ON u.id = p.unit_id
    ORDER BY p.valid_until DESC, p.id DESC LIMIT ?1 OFFSET ?2";

fn list_row(
    r: &rusqlite::Row<'_>,
    now: DateTime<Utc>,
    warn: Duration,
) -> rusqlite::Result<PassListRow> {
    let kind: String = r.get(2)?;
    let phone: Option<String> = r.get(7)?;
    let from: String = r.get(9)?;
    let until: String = r.get(10)?;
    let state: String = r.get(12)?;
    let state = PassState::from_code(&state).unwrap_or(PassState::Revoked);
    let valid_from = from_db(&from).unwrap_or_default();
    let valid_until = from_db(&until).unwrap_or_default();
    Ok(PassListRow {
        id: r.get(0)?,
        number: r.get(1)?,
        kind: PassKind::from_code(&kind).unwrap_or(PassKind::Vehicle),
        plate: r.get(3)?,
        subject: r.get(4)?,
        unit: r.get(5)?,
        driver: r.get(6)?,
        driver_phone: phone.as_deref().map(mask::mask_phone),
        issuer: r.get(8)?,
        valid_from,
        valid_until,
        area: r.get(11)?,
        state,
        reason: r.get(13)?,
        status: pass::status(state, valid_from, valid_until, now, warn),
    })
}

fn load(conn: &Connection, id: i64, now: DateTime<Utc>) -> Result<PassListRow> {
    conn.prepare_cached(&format!("SELECT {ROW_COLUMNS} {ROW_FROM} WHERE p.id = ?1"))?
        .query_row([id], |r| list_row(r, now, Duration::zero()))
        .optional()?
        .ok_or_else(|| {
            StoreError::NotFound(msg!(
                "没有编号为 {id} 的通行证；请检查。",
                "There is no pass #{id}; check the number."
            ))
        })
}

fn window_error(e: WindowError) -> StoreError {
    StoreError::Refused(match e {
        WindowError::EndsBeforeStart => msg!(
            "有效期的结束时间不晚于开始时间；请把结束时间填在开始之后。",
            "The validity window ends before it starts; give an end time after the start."
        ),
        WindowError::TooLong => msg!(
            "有效期超过一年；请缩短有效期，到期再续。",
            "The validity window is longer than a year; shorten it and extend it later."
        ),
    })
}

fn plate_of(typed: &str) -> Result<plate::Normalized> {
    plate::normalize(typed)
        .map_err(|e| StoreError::Refused(Msg::new(e.describe(true), e.describe(false))))
}

/// The ledger's vehicle for a plate as typed: (id, unit id, plate).
fn ledger_vehicle(conn: &Connection, typed: &str) -> Result<(i64, Option<i64>, String)> {
    let n = plate_of(typed)?;
    let p = n.plate.as_str().to_string();
    conn.prepare_cached(VEHICLE_BY_PLATE_SQL)?
        .query_row([&p], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .map(|(id, unit)| (id, unit, p.clone()))
        .ok_or_else(|| {
            StoreError::NotFound(msg!(
                "车辆台账中没有车牌 {p}；请先登记该车辆，或检查车牌。",
                "There is no vehicle {p} in the ledger; register the vehicle first or check the plate."
            ))
        })
}

/// A new vehicle, checked and ready to insert.
struct CheckedVehicle {
    plate: String,
    warning: Option<Msg>,
    vehicle_type: Option<String>,
    load_tonnes: Option<f64>,
    unit: Option<(i64, String)>,
    driver: Option<String>,
    phone: Option<String>,
}

fn check_vehicle(conn: &Connection, new: &NewVehicle) -> Result<CheckedVehicle> {
    let n = plate_of(&new.plate)?;
    let warning = match &n.verdict {
        PlateCheck::Standard(_) => None,
        PlateCheck::Odd(_) => Some(Msg::new(n.describe(true), n.describe(false))),
    };
    if let Some(t) = new.load_tonnes
        && !(t.is_finite() && t > 0.0 && t <= LOAD_MAX_TONNES)
    {
        return Err(StoreError::Refused(msg!(
            "核定载重 {t} 吨不合理；请填写 0 到 {LOAD_MAX_TONNES} 之间的吨数，或留空。",
            "A load of {t} tonnes is not plausible; give a figure between 0 and {LOAD_MAX_TONNES} tonnes, or leave it blank."
        )));
    }
    let unit = match &new.unit {
        Some(r) => Some(places::find_supply_unit(conn, r)?),
        None => None,
    };
    Ok(CheckedVehicle {
        plate: n.plate.as_str().to_string(),
        warning,
        vehicle_type: fields::optional_line(
            VEHICLE_TYPE,
            new.vehicle_type.as_deref(),
            NAME_MAX_CHARS,
        )?,
        load_tonnes: new.load_tonnes,
        unit,
        driver: fields::optional_line(DRIVER, new.driver.as_deref(), NAME_MAX_CHARS)?,
        phone: fields::optional_phone(PHONE, new.phone.as_deref())?,
    })
}

/// Inserts a checked vehicle with its own log entry; refuses a plate
/// already in the ledger.
fn insert_vehicle(w: &mut Writer<'_>, v: &CheckedVehicle) -> Result<(i64, i64)> {
    let p = &v.plate;
    let exists: bool = w.conn().query_row(
        "SELECT EXISTS (SELECT 1 FROM vehicle WHERE plate = ?1)",
        [p],
        |r| r.get(0),
    )?;
    if exists {
        return Err(StoreError::Refused(msg!(
            "车牌 {p} 已在车辆台账中；请直接选用该车辆。",
            "The plate {p} is already in the vehicle ledger; choose that vehicle instead."
        )));
    }
    let id = w.next_id("vehicle")?;
    let event = Payload::new("vehicle.add")
        .with("plate", p.clone())
        .with("type", v.vehicle_type.clone())
        .with("load", v.load_tonnes.map(|t| t.to_string()))
        .with("unit", v.unit.as_ref().map(|(_, u)| u.clone()))
        .with("driver", v.driver.clone())
        .with("bad_plate", v.warning.is_some().then_some("1"));
    let seq = w.log(LogDraft::event(format!("vehicle:{id}"), event))?;
    w.conn().execute(
        "INSERT INTO vehicle (id, plate, vehicle_type, load_tonnes, unit_id, driver, phone, log_seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            id,
            p,
            v.vehicle_type,
            v.load_tonnes,
            v.unit.as_ref().map(|(id, _)| *id),
            v.driver,
            v.phone,
            seq
        ],
    )?;
    Ok((id, seq))
}

/// The issuing year as the plan's office sees it (UTC+8).
fn local_year(now: DateTime<Utc>) -> i32 {
    FixedOffset::east_opt(8 * 3600).map_or(now.year(), |o| now.with_timezone(&o).year())
}

fn number_prefix(kind: PassKind, year: i32) -> String {
    let k = match kind {
        PassKind::Vehicle => "TX",
        PassKind::Staff => "GZ",
        PassKind::Business => "XK",
    };
    format!("SHK-{k}-{year}-")
}

/// The next free number `SHK-TX-YYYY-NNNNN` (GZ for staff, XK for
/// permits), under the write lock so two sessions cannot take the same.
fn next_number(conn: &Connection, kind: PassKind, now: DateTime<Utc>) -> Result<String> {
    let prefix = number_prefix(kind, local_year(now));
    let max: Option<i64> = conn
        .prepare_cached(
            "SELECT MAX(CAST(substr(number, length(?1) + 1) AS INTEGER)) FROM pass
             WHERE number >= ?1 AND number < ?2",
        )?
        .query_row(params![prefix, prefix_end(&prefix)], |r| r.get(0))?;
    Ok(format!("{prefix}{:05}", max.unwrap_or(0) + 1))
}

fn same_route(a: Option<&str>, b: Option<&str>) -> bool {
    let norm = |s: Option<&str>| {
        s.map(|s| s.split_whitespace().collect::<String>().to_lowercase())
            .unwrap_or_default()
    };
    norm(a) == norm(b)
}

/// Issued passes of the vehicle on the same route whose window overlaps
/// `[from, until)` and has not ended yet.
fn conflicts(
    conn: &Connection,
    vehicle_id: i64,
    except: Option<i64>,
    area: Option<&str>,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<ConflictingPass>> {
    let mut st = conn.prepare_cached(
        "SELECT id, number, valid_from, valid_until, area FROM pass
         WHERE vehicle_id = ?1 AND valid_until > ?2 AND kind = 'vehicle' AND state = 'issued'
           AND valid_from < ?3 AND valid_until > ?4
         ORDER BY valid_until",
    )?;
    let rows: Vec<(i64, String, String, String, Option<String>)> = st
        .query_map(
            params![vehicle_id, to_db(now), to_db(until), to_db(from)],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows
        .into_iter()
        .filter(|(id, ..)| Some(*id) != except)
        .filter(|(.., a)| same_route(a.as_deref(), area))
        .map(|(id, number, f, u, area)| ConflictingPass {
            id,
            number,
            valid_from: from_db(&f).unwrap_or_default(),
            valid_until: from_db(&u).unwrap_or_default(),
            area,
        })
        .collect())
}

fn confirmation(plate: &str, found: &[ConflictingPass]) -> Msg {
    let numbers = found
        .iter()
        .map(|c| format!("{}（至 {}）", c.number, fields::log_time(c.valid_until)))
        .collect::<Vec<_>>()
        .join("、");
    let numbers_en = found
        .iter()
        .map(|c| format!("{} (until {})", c.number, fields::log_time(c.valid_until)))
        .collect::<Vec<_>>()
        .join(", ");
    msg!(
        "车辆 {plate} 在同一线路已有有效通行证 {numbers}；“一车一证一线路”，确需再发请确认。",
        "The vehicle {plate} already has a valid pass for this route: {numbers_en}; one vehicle, one pass, one route — confirm to issue another anyway."
    )
}

fn past(action: PassAction) -> (&'static str, &'static str) {
    match action {
        PassAction::Issue => ("发放", "issued"),
        PassAction::Suspend => ("暂停", "suspended"),
        PassAction::Reinstate => ("恢复", "reinstated"),
        PassAction::Revoke => ("吊销", "revoked"),
        PassAction::Extend => ("延期", "extended"),
    }
}

fn forbidden(number: &str, from: PassState, action: PassAction) -> StoreError {
    let (szh, sen) = (from.label_zh(), from.label_en().to_lowercase());
    let (azh, aen) = past(action);
    let (hzh, hen) = match from {
        PassState::Revoked => (
            "已吊销的通行证不能再改；如需通行请发放新证。",
            "a revoked pass cannot change; issue a new one if needed.",
        ),
        PassState::Requested => ("请先发放。", "issue it first."),
        PassState::Issued => ("它已在有效状态。", "it is already in force."),
        PassState::Suspended => ("请先恢复或吊销。", "reinstate or revoke it first."),
    };
    StoreError::Refused(msg!(
        "通行证 {number} 当前为“{szh}”，不能{azh}；{hzh}",
        "The pass {number} is {sen}, so it cannot be {aen}; {hen}"
    ))
}

/// Everything a new pass needs, checked before the write lock is taken.
struct CheckedPass {
    kind: PassKind,
    vehicle: Option<CheckedHolder>,
    subject: Option<String>,
    unit: Option<(i64, String)>,
    issuer: String,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    area: Option<String>,
    number: Option<String>,
}

enum CheckedHolder {
    Ledger(i64, Option<i64>, String),
    New(Box<CheckedVehicle>),
}

impl Store {
    /// Adds a vehicle to the ledger. An odd plate is accepted and the
    /// warning returned; a plate already there is refused.
    pub fn add_vehicle(&mut self, actor: &Actor, new: &NewVehicle) -> Result<AddedVehicle> {
        let v = check_vehicle(&self.conn, new)?;
        let ((id, _), seq) = self.change(actor, |w| insert_vehicle(w, &v))?;
        Ok(AddedVehicle {
            id,
            seq,
            plate: v.plate,
            warning: v.warning,
        })
    }

    fn check_pass(&self, new: &NewPass) -> Result<CheckedPass> {
        let issuer = fields::required_line(ISSUER, &new.issuer, NAME_MAX_CHARS)?;
        let area = fields::optional_line(AREA, new.area.as_deref(), NAME_MAX_CHARS)?;
        let number = fields::optional_line(NUMBER, new.number.as_deref(), NUMBER_MAX_CHARS)?
            .map(|n| n.to_uppercase());
        if number.as_deref().is_some_and(|n| n.contains(' ')) {
            return Err(StoreError::Refused(msg!(
                "证号中不能有空格；请按 SHK-TX-2026-00001 的样式填写，或留空自动编号。",
                "A pass number cannot contain spaces; write it like SHK-TX-2026-00001, or leave it blank to number it automatically."
            )));
        }
        pass::check_window(new.valid_from, new.valid_until).map_err(window_error)?;
        if new.valid_until <= self.now() {
            let until = fields::log_time(new.valid_until);
            return Err(StoreError::Refused(msg!(
                "有效期已于 {until} 结束；请填写尚未到来的结束时间。",
                "The validity window already ended at {until}; give an end time in the future."
            )));
        }
        let unit = match &new.unit {
            Some(r) => Some(places::find_supply_unit(&self.conn, r)?),
            None => None,
        };
        let subject = fields::optional_line(SUBJECT, new.subject.as_deref(), NAME_MAX_CHARS)?;
        let vehicle = match (&new.vehicle, new.kind) {
            (Some(PassVehicle::Ledger(typed)), _) => {
                let (id, unit_id, plate) = ledger_vehicle(&self.conn, typed)?;
                Some(CheckedHolder::Ledger(id, unit_id, plate))
            }
            (Some(PassVehicle::New(nv)), _) => {
                Some(CheckedHolder::New(Box::new(check_vehicle(&self.conn, nv)?)))
            }
            (None, PassKind::Vehicle) => {
                return Err(StoreError::Refused(msg!(
                    "车辆通行证须指定车辆；请输入车牌，或先登记车辆。",
                    "A vehicle pass needs a vehicle; type its plate or register the vehicle first."
                )));
            }
            (None, _) => None,
        };
        match new.kind {
            PassKind::Staff if subject.is_none() => {
                return Err(StoreError::Refused(msg!(
                    "工作人员证明须写明持证人；请填写姓名。",
                    "A staff work certificate needs the holder's name; fill it in."
                )));
            }
            PassKind::Business if unit.is_none() => {
                return Err(StoreError::Refused(msg!(
                    "营业许可须指定保供单位；请选择单位。",
                    "A business permit needs its supply unit; choose the unit."
                )));
            }
            _ => {}
        }
        Ok(CheckedPass {
            kind: new.kind,
            vehicle,
            subject,
            unit,
            issuer,
            from: new.valid_from,
            until: new.valid_until,
            area,
            number,
        })
    }

    /// Issues a pass. A second valid vehicle pass for the same plate and
    /// route is not issued without `force`: the outcome then asks for
    /// confirmation and nothing is written.
    pub fn issue_pass(
        &mut self,
        actor: &Actor,
        new: &NewPass,
        force: bool,
    ) -> Result<IssueOutcome> {
        let c = self.check_pass(new)?;
        self.create_pass(actor, c, PassState::Issued, force)
    }

    /// Records a request for a pass, to be issued later with
    /// [`Store::issue_requested_pass`]. Returns (id, number, seq).
    pub fn request_pass(&mut self, actor: &Actor, new: &NewPass) -> Result<(i64, String, i64)> {
        let c = self.check_pass(new)?;
        match self.create_pass(actor, c, PassState::Requested, true)? {
            IssueOutcome::Issued {
                id, number, seq, ..
            } => Ok((id, number, seq)),
            // Requests never ask: the rule is checked when they are issued.
            IssueOutcome::NeedsConfirmation { message, .. } => Err(StoreError::Refused(message)),
        }
    }

    fn create_pass(
        &mut self,
        actor: &Actor,
        c: CheckedPass,
        state: PassState,
        force: bool,
    ) -> Result<IssueOutcome> {
        if let (
            Some(CheckedHolder::Ledger(vid, _, plate)),
            PassKind::Vehicle,
            PassState::Issued,
            false,
        ) = (&c.vehicle, c.kind, state, force)
        {
            let found = conflicts(
                &self.conn,
                *vid,
                None,
                c.area.as_deref(),
                c.from,
                c.until,
                self.now(),
            )?;
            if !found.is_empty() {
                let message = confirmation(plate, &found);
                return Ok(IssueOutcome::NeedsConfirmation {
                    conflicts: found,
                    message,
                });
            }
        }
        let (outcome, _) = self.change(actor, |w| {
            let now = w.now();
            let mut plate_warning = None;
            let (vehicle_id, vehicle_unit, plate) = match &c.vehicle {
                Some(CheckedHolder::Ledger(id, unit, plate)) => (Some(*id), *unit, Some(plate.clone())),
                Some(CheckedHolder::New(v)) => {
                    let (id, _) = insert_vehicle(w, v)?;
                    plate_warning = v.warning.clone();
                    (Some(id), v.unit.as_ref().map(|u| u.0), Some(v.plate.clone()))
                }
                None => (None, None, None),
            };
            let mut forced = Vec::new();
            if let (Some(vid), Some(p), PassKind::Vehicle, PassState::Issued) = (vehicle_id, &plate, c.kind, state) {
                let found = conflicts(w.conn(), vid, None, c.area.as_deref(), c.from, c.until, now)?;
                if !found.is_empty() {
                    if !force {
                        // Another session issued one since the check above.
                        return Err(StoreError::Refused(confirmation(p, &found)));
                    }
                    forced = found;
                }
            }
            let number = match &c.number {
                Some(n) => {
                    let taken: bool = w
                        .conn()
                        .query_row("SELECT EXISTS (SELECT 1 FROM pass WHERE number = ?1)", [n], |r| r.get(0))?;
                    if taken {
                        return Err(StoreError::Refused(msg!(
                            "证号 {n} 已被使用；请换一个，或留空自动编号。",
                            "The pass number {n} is already taken; use another or leave it blank to number it automatically."
                        )));
                    }
                    n.clone()
                }
                None => next_number(w.conn(), c.kind, now)?,
            };
            let unit = match (&c.unit, vehicle_unit) {
                (Some((id, name)), _) => Some((*id, name.clone())),
                (None, Some(uid)) => Some((
                    uid,
                    w.conn().query_row("SELECT name FROM supply_unit WHERE id = ?1", [uid], |r| r.get(0))?,
                )),
                (None, None) => None,
            };
            let subject = match (c.kind, &plate, &c.subject, &unit) {
                (PassKind::Vehicle, Some(p), _, _) => p.clone(),
                (_, _, Some(s), _) => s.clone(),
                (_, _, None, Some((_, u))) => u.clone(),
                (_, Some(p), None, None) => p.clone(),
                _ => String::new(),
            };
            let id = w.next_id("pass")?;
            let others = forced.iter().map(|f| f.number.as_str()).collect::<Vec<_>>().join(", ");
            let event = Payload::new(match state {
                PassState::Requested => "pass.request",
                _ => "pass.issue",
            })
            .with("number", number.clone())
            .with("kind", c.kind.code())
            .with("subject", subject.clone())
            .with("unit", unit.as_ref().map(|(_, u)| u.clone()))
            .with("from", fields::log_time(c.from))
            .with("until", fields::log_time(c.until))
            .with("area", c.area.clone().unwrap_or_else(|| "*".into()))
            .with("issuer", c.issuer.clone())
            .with("despite", Some(others).filter(|o| !o.is_empty()));
            let seq = w.log(LogDraft::event(format!("pass:{id}"), event))?;
            w.conn().execute(
                "INSERT INTO pass (id, number, kind, vehicle_id, unit_id, subject, issuer, valid_from, valid_until,
                    area, state, created_at, log_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![
                    id,
                    number,
                    c.kind.code(),
                    vehicle_id,
                    unit.as_ref().map(|u| u.0),
                    subject,
                    c.issuer,
                    to_db(c.from),
                    to_db(c.until),
                    c.area,
                    state.code(),
                    to_db(now),
                    seq
                ],
            )?;
            Ok(IssueOutcome::Issued { id, number, seq, plate_warning })
        })?;
        Ok(outcome)
    }

    /// Issues a requested pass, with the same one-route rule as
    /// [`Store::issue_pass`].
    pub fn issue_requested_pass(
        &mut self,
        actor: &Actor,
        id: i64,
        force: bool,
    ) -> Result<IssueOutcome> {
        if !force {
            let now = self.now();
            let p = load(&self.conn, id, now)?;
            let vehicle_id: Option<i64> =
                self.conn
                    .query_row("SELECT vehicle_id FROM pass WHERE id = ?1", [id], |r| {
                        r.get(0)
                    })?;
            if let (Some(vid), PassKind::Vehicle, PassState::Requested) =
                (vehicle_id, p.kind, p.state)
            {
                let found = conflicts(
                    &self.conn,
                    vid,
                    Some(id),
                    p.area.as_deref(),
                    p.valid_from,
                    p.valid_until,
                    now,
                )?;
                if !found.is_empty() {
                    let message = confirmation(p.plate.as_deref().unwrap_or_default(), &found);
                    return Ok(IssueOutcome::NeedsConfirmation {
                        conflicts: found,
                        message,
                    });
                }
            }
        }
        let (outcome, _) = self.change(actor, |w| {
            let now = w.now();
            let p = load(w.conn(), id, now)?;
            let to = pass::step(p.state, PassAction::Issue)
                .map_err(|_| forbidden(&p.number, p.state, PassAction::Issue))?;
            if p.valid_until <= now {
                let (number, until) = (&p.number, fields::log_time(p.valid_until));
                return Err(StoreError::Refused(msg!(
                    "申请的通行证 {number} 有效期已于 {until} 结束；请重新申请。",
                    "The requested pass {number} would have ended at {until}; make a new request."
                )));
            }
            let vehicle_id: Option<i64> =
                w.conn()
                    .query_row("SELECT vehicle_id FROM pass WHERE id = ?1", [id], |r| {
                        r.get(0)
                    })?;
            let mut forced = Vec::new();
            if let (Some(vid), PassKind::Vehicle) = (vehicle_id, p.kind) {
                let found = conflicts(
                    w.conn(),
                    vid,
                    Some(id),
                    p.area.as_deref(),
                    p.valid_from,
                    p.valid_until,
                    now,
                )?;
                if !found.is_empty() {
                    if !force {
                        // Another session issued one since the check above.
                        let plate = p.plate.clone().unwrap_or_default();
                        return Err(StoreError::Refused(confirmation(&plate, &found)));
                    }
                    forced = found;
                }
            }
            let others = forced
                .iter()
                .map(|f| f.number.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let event = Payload::new("pass.issue")
                .with("number", p.number.clone())
                .with("kind", p.kind.code())
                .with("subject", p.subject.clone())
                .with("from", fields::log_time(p.valid_from))
                .with("until", fields::log_time(p.valid_until))
                .with("area", p.area.clone().unwrap_or_else(|| "*".into()))
                .with("despite", Some(others).filter(|o| !o.is_empty()));
            let seq = w.log(LogDraft::event(format!("pass:{id}"), event))?;
            w.conn().execute(
                "UPDATE pass SET state = ?1, log_seq = ?2 WHERE id = ?3",
                params![to.code(), seq, id],
            )?;
            Ok(IssueOutcome::Issued {
                id,
                number: p.number.clone(),
                seq,
                plate_warning: None,
            })
        })?;
        Ok(outcome)
    }

    /// Moves the end of the window later.
    pub fn extend_pass(&mut self, actor: &Actor, id: i64, new_until: DateTime<Utc>) -> Result<i64> {
        let (_, seq) = self.change(actor, |w| {
            let p = load(w.conn(), id, w.now())?;
            pass::step(p.state, PassAction::Extend).map_err(|_| forbidden(&p.number, p.state, PassAction::Extend))?;
            let (number, old) = (&p.number, fields::log_time(p.valid_until));
            if new_until <= p.valid_until {
                return Err(StoreError::Refused(msg!(
                    "通行证 {number} 现有效至 {old}；延期须晚于此时间，缩短请暂停或吊销。",
                    "The pass {number} is valid until {old}; an extension must end later than that (to shorten it, suspend or revoke it)."
                )));
            }
            pass::check_window(p.valid_from, new_until).map_err(window_error)?;
            let new = fields::log_time(new_until);
            let event = Payload::new("pass.extend")
                .with("number", number.clone())
                .with("subject", p.subject.clone())
                .with("was", old)
                .with("until", new);
            let seq = w.log(LogDraft::event(format!("pass:{id}"), event))?;
            w.conn().execute(
                "UPDATE pass SET valid_until = ?1, log_seq = ?2 WHERE id = ?3",
                params![to_db(new_until), seq, id],
            )?;
            Ok(())
        })?;
        Ok(seq)
    }

    /// Suspends a pass for a reason; it can be reinstated.
    pub fn suspend_pass(&mut self, actor: &Actor, id: i64, reason: &str) -> Result<i64> {
        let reason = fields::required_text(REASON, reason, TEXT_MAX_CHARS)?;
        self.pass_step(actor, id, PassAction::Suspend, Some(reason))
    }

    pub fn reinstate_pass(&mut self, actor: &Actor, id: i64) -> Result<i64> {
        self.pass_step(actor, id, PassAction::Reinstate, None)
    }

    /// Revokes a pass for good; the reason is required.
    pub fn revoke_pass(&mut self, actor: &Actor, id: i64, reason: &str) -> Result<i64> {
        let reason = fields::required_text(REASON, reason, TEXT_MAX_CHARS)?;
        self.pass_step(actor, id, PassAction::Revoke, Some(reason))
    }

    fn pass_step(
        &mut self,
        actor: &Actor,
        id: i64,
        action: PassAction,
        reason: Option<String>,
    ) -> Result<i64> {
        let (_, seq) = self.change(actor, |w| {
            let p = load(w.conn(), id, w.now())?;
            let reason = w.scrub_opt(reason.as_deref())?;
            let to =
                pass::step(p.state, action).map_err(|_| forbidden(&p.number, p.state, action))?;
            let event = Payload::new(match action {
                PassAction::Suspend => "pass.suspend",
                PassAction::Reinstate => "pass.reinstate",
                _ => "pass.revoke",
            })
            .with("number", p.number.clone())
            .with("subject", p.subject.clone())
            .with("reason", reason.clone());
            let seq = w.log(LogDraft::event(format!("pass:{id}"), event))?;
            w.conn().execute(
                "UPDATE pass SET state = ?1, reason = ?2, log_seq = ?3 WHERE id = ?4",
                params![to.code(), reason, seq, id],
            )?;
            Ok(())
        })?;
        Ok(seq)
    }

    /// A pass by its number (case and surrounding space ignored).
    pub fn pass_by_number(
        &self,
        number: &str,
        now: DateTime<Utc>,
        warn: Duration,
    ) -> Result<Option<PassListRow>> {
        let n = number.trim().to_uppercase();
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {ROW_COLUMNS} {ROW_FROM} WHERE p.number = ?1"
            ))?
            .query_row([n], |r| list_row(r, now, warn))
            .optional()?)
    }

    /// One page of the passes pane, latest ending first, with the status
    /// at `now`.
    pub fn passes_page(
        &self,
        filter: &PassFilter,
        now: DateTime<Utc>,
        warn: Duration,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<PassListRow>> {
        let text = filter
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        if text.is_none() && filter.status.is_none() && filter.kind.is_none() {
            let mut st = self.conn.prepare_cached(PASSES_PAGE_SQL)?;
            let rows = st
                .query_map(params![limit, offset], |r| list_row(r, now, warn))?
                .collect::<rusqlite::Result<_>>()?;
            return Ok(rows);
        }
        let mut sql = format!("SELECT {ROW_COLUMNS} {ROW_FROM} WHERE 1=1");
        let mut args: Vec<Value> = Vec::new();
        if let Some(t) = text {
            let mut ors: Vec<String> = Vec::new();
            if let Ok(n) = plate::normalize(t) {
                let p = n.plate.as_str().to_string();
                ors.push("(v.plate >= ? AND v.plate < ?)".into());
                args.push(Value::Text(p.clone()));
                args.push(Value::Text(prefix_end(&p)));
                // Typed without the province character.
                ors.push("(substr(v.plate, 2) >= ? AND substr(v.plate, 2) < ?)".into());
                args.push(Value::Text(p.clone()));
                args.push(Value::Text(prefix_end(&p)));
            }
            let upper = t.to_uppercase();
            ors.push("(p.number >= ? AND p.number < ?)".into());
            args.push(Value::Text(upper.clone()));
            args.push(Value::Text(prefix_end(&upper)));
            for col in ["p.subject", "u.name", "v.driver", "p.area"] {
                ors.push(format!("instr({col}, ?) > 0"));
                args.push(Value::Text(t.to_string()));
            }
            sql.push_str(&format!(" AND ({})", ors.join(" OR ")));
        }
        if let Some(s) = filter.status {
            let (n, soon) = (Value::Text(to_db(now)), Value::Text(to_db(now + warn)));
            let cond = match s {
                PassStatus::Requested => "p.state = 'requested'",
                PassStatus::Suspended => "p.state = 'suspended'",
                PassStatus::Revoked => "p.state = 'revoked'",
                PassStatus::Expired => {
                    args.push(n);
                    "p.state = 'issued' AND p.valid_until <= ?"
                }
                PassStatus::NotYetValid => {
                    args.extend([n.clone(), n]);
                    "p.state = 'issued' AND p.valid_until > ? AND p.valid_from > ?"
                }
                PassStatus::ExpiringSoon => {
                    args.extend([n.clone(), soon, n]);
                    "p.state = 'issued' AND p.valid_until > ? AND p.valid_until <= ? AND p.valid_from <= ?"
                }
                PassStatus::Valid => {
                    args.extend([soon, n]);
                    "p.state = 'issued' AND p.valid_until > ? AND p.valid_from <= ?"
                }
            };
            sql.push_str(&format!(" AND {cond}"));
        }
        if let Some(k) = filter.kind {
            sql.push_str(" AND p.kind = ?");
            args.push(Value::Text(k.code().to_string()));
        }
        sql.push_str(" ORDER BY p.valid_until DESC, p.id DESC LIMIT ? OFFSET ?");
        args.push(Value::Integer(limit));
        args.push(Value::Integer(offset));
        let mut st = self.conn.prepare(&sql)?;
        let rows = st
            .query_map(params_from_iter(args), |r| list_row(r, now, warn))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Passes by status at `now`, for the header.
    pub fn pass_counts(&self, now: DateTime<Utc>, warn: Duration) -> Result<PassCounts> {
        let (n, soon) = (to_db(now), to_db(now + warn));
        Ok(self.conn.prepare_cached(
            "SELECT COALESCE(SUM(state = 'requested'), 0),
                    COALESCE(SUM(state = 'issued' AND valid_from <= ?1 AND valid_until > ?2), 0),
                    COALESCE(SUM(state = 'issued' AND valid_from <= ?1 AND valid_until > ?1 AND valid_until <= ?2), 0),
                    COALESCE(SUM(state = 'issued' AND valid_from > ?1 AND valid_until > ?1), 0),
                    COALESCE(SUM(state = 'issued' AND valid_until <= ?1), 0),
                    COALESCE(SUM(state = 'suspended'), 0),
                    COALESCE(SUM(state = 'revoked'), 0)
             FROM pass",
        )?
        .query_row(params![n, soon], |r| {
            Ok(PassCounts {
                requested: r.get(0)?,
                valid: r.get(1)?,
                expiring: r.get(2)?,
                not_yet_valid: r.get(3)?,
                expired: r.get(4)?,
                suspended: r.get(5)?,
                revoked: r.get(6)?,
            })
        })?)
    }

    /// Does the vehicle hold a pass that lets it through at `now`?
    pub fn vehicle_may_pass(&self, vehicle_id: i64, now: DateTime<Utc>) -> Result<bool> {
        vehicle_may_pass(&self.conn, vehicle_id, now)
    }
}

pub(crate) fn vehicle_may_pass(
    conn: &Connection,
    vehicle_id: i64,
    now: DateTime<Utc>,
) -> Result<bool> {
    let n = to_db(now);
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM pass WHERE vehicle_id = ?1 AND valid_until > ?2
                            AND state = 'issued' AND valid_from <= ?2)",
        )?
        .query_row(params![vehicle_id, n], |r| r.get(0))?)
}
