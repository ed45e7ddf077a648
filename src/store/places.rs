//! Places and people of the plan: communities (villages), compounds
//! (village groups), buildings (courtyards), the posts of the leading group
//! going to post, communities reporting in, volunteers, supply-guarantee
//! units and the special-group recipients of point-to-point delivery.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, ToSql, params};

use super::fields::{self, Field, NAME_MAX_CHARS, TEXT_MAX_CHARS, field};
use super::{Actor, LogDraft, Result, Store, StoreError, Writer};
use crate::domain::Code;
use crate::domain::delivery::Group;
use crate::domain::log_text::Payload;
use crate::domain::mask;
use crate::domain::pick::Kind;
use crate::domain::place::{self, BuildingKind, CommunityKind, CompoundKind};
use crate::domain::time::{from_db, to_db};
use crate::domain::unit::{Capacity, UnitCategory};
use crate::msg;

/// A record named by its id or by what an officer types (the name, or a
/// prefix of it that fits one record only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ref {
    Id(i64),
    Name(String),
}

impl From<i64> for Ref {
    fn from(id: i64) -> Ref {
        Ref::Id(id)
    }
}

impl From<&str> for Ref {
    fn from(s: &str) -> Ref {
        Ref::Name(s.to_string())
    }
}

impl From<String> for Ref {
    fn from(s: String) -> Ref {
        Ref::Name(s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CommunityRow {
    pub id: i64,
    pub name: String,
    pub kind: CommunityKind,
    pub resident_pop: i64,
    pub floating_pop: i64,
    pub households: i64,
    pub contact: Option<String>,
    pub phone: Option<String>,
    /// When the community last reported in, and who recorded it.
    pub reported_at: Option<DateTime<Utc>>,
    pub reported_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CompoundRow {
    pub id: i64,
    pub community_id: i64,
    pub name: String,
    pub kind: CompoundKind,
    pub households: i64,
    pub transfer_station: Option<String>,
}

/// A volunteer; the phone is a working contact the desk calls, not a
/// recipient's personal data, so it is kept as given.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VolunteerRow {
    pub id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub community_id: i64,
    pub community: String,
    pub compound: Option<String>,
    pub station: Option<String>,
    pub tasks: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SupplyUnitRow {
    pub id: i64,
    pub name: String,
    pub category: UnitCategory,
    pub community: Option<String>,
    pub contact: Option<String>,
    pub phone: Option<String>,
    pub capacity: Capacity,
}

#[derive(Debug, Clone, Default)]
pub struct NewCommunity {
    pub name: String,
    pub kind: Option<CommunityKind>,
    pub resident_pop: i64,
    pub floating_pop: i64,
    pub households: i64,
    pub contact: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewCompound {
    pub community: Ref,
    pub name: String,
    /// Defaults to the kind that belongs under the community (小区 or 组).
    pub kind: Option<CompoundKind>,
    pub households: i64,
    pub resident_pop: i64,
    pub floating_pop: i64,
    pub transfer_station: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewBuilding {
    pub compound_id: i64,
    pub name: String,
    pub kind: BuildingKind,
    pub households: i64,
    pub transfer_point: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewVolunteer {
    pub name: String,
    pub phone: Option<String>,
    pub community: Ref,
    pub compound_id: Option<i64>,
    pub building_id: Option<i64>,
    pub station: Option<String>,
    pub tasks: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewSupplyUnit {
    pub name: String,
    pub category: UnitCategory,
    pub community: Option<Ref>,
    pub address: Option<String>,
    pub contact: Option<String>,
    pub phone: Option<String>,
    pub capacity: Capacity,
}

/// A recipient to register. Its `Debug` form is masked (see
/// [`super::deliveries::RecipientData`]).
#[derive(Clone)]
pub struct NewRecipient {
    pub name: String,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub group: Group,
    /// Health condition: sensitive, never written to the log.
    pub condition: Option<String>,
    pub community: Ref,
    pub compound_id: Option<i64>,
    pub building: Option<String>,
    pub unit_no: Option<String>,
    pub room: Option<String>,
    pub needs: Option<String>,
}

impl std::fmt::Debug for NewRecipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::domain::mask::{mask_id_number, mask_name, mask_phone};
        f.debug_struct("NewRecipient")
            .field("name", &mask_name(&self.name))
            .field("phone", &self.phone.as_deref().map(mask_phone))
            .field("id_number", &self.id_number.as_deref().map(mask_id_number))
            .field("group", &self.group)
            .field("condition", &self.condition.as_ref().map(|_| "<hidden>"))
            .finish_non_exhaustive()
    }
}

const NAME: Field = field("名称", "name");
const CONTACT: Field = field("联系人", "contact person");
const PHONE: Field = field("电话", "phone number");
const STATION: Field = field("中转站", "transfer station");
const POINT: Field = field("转运点", "transfer point");
const HOUSEHOLDS: Field = field("户数", "number of households");
const RESIDENTS: Field = field("常住人口", "resident population");
const FLOATING: Field = field("流动人口", "floating population");
const PERSON: Field = field("姓名", "name");
const TASKS: Field = field("任务", "tasks");
const ADDRESS: Field = field("地址", "address");
const CONDITION: Field = field("身体状况", "condition");
const NEEDS: Field = field("需求", "needs");
const BUILDING: Field = field("楼栋", "building");
const UNIT_NO: Field = field("单元", "unit");
const ROOM: Field = field("房号", "room");
const ID_NUMBER: Field = field("身份证号", "ID number");

/// The upper bound of a text-prefix range: every string starting with the
/// prefix sorts below `prefix || U+10FFFF`, so the range uses an index.
pub(crate) fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

fn community_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CommunityRow> {
    let kind: String = r.get(2)?;
    let at: Option<String> = r.get(8)?;
    Ok(CommunityRow {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: CommunityKind::from_code(&kind).unwrap_or(CommunityKind::Community),
        resident_pop: r.get(3)?,
        floating_pop: r.get(4)?,
        households: r.get(5)?,
        contact: r.get(6)?,
        phone: r.get(7)?,
        reported_at: at.as_deref().and_then(from_db),
        reported_by: r.get(9)?,
    })
}

const COMMUNITY_COLUMNS: &str = "id, name, kind, resident_pop, floating_pop, households, contact, phone, reported_at, reported_by";

/// Finds a community by id, exact name, or the one name the typed text
/// matches (a part, the name without 社区/村, the pinyin initials); a
/// trailing 社区 or 村 typed by habit is forgiven.
pub(crate) fn find_community(conn: &Connection, r: &Ref) -> Result<CommunityRow> {
    let typed = match r {
        Ref::Id(id) => {
            let id = *id;
            return conn
                .prepare_cached(&format!(
                    "SELECT {COMMUNITY_COLUMNS} FROM community WHERE id = ?1"
                ))?
                .query_row([id], community_row)
                .optional()?
                .ok_or_else(|| {
                    StoreError::NotFound(msg!(
                        "没有编号为 {id} 的社区（村）；请检查编号。",
                        "There is no community #{id}; check the number."
                    ))
                });
        }
        Ref::Name(n) => n.trim(),
    };
    if typed.is_empty() {
        return Err(StoreError::Refused(msg!(
            "未填写社区（村）；请输入社区或村的名称。",
            "No community was given; type the name of a community or village."
        )));
    }
    let mut tries = vec![typed.to_string()];
    for suffix in ["社区", "村"] {
        if let Some(s) = typed.strip_suffix(suffix).filter(|s| !s.is_empty()) {
            tries.push(s.to_string());
        }
    }
    for t in &tries {
        if let Some(row) = conn
            .prepare_cached(&format!(
                "SELECT {COMMUNITY_COLUMNS} FROM community WHERE name = ?1"
            ))?
            .query_row([t], community_row)
            .optional()?
        {
            return Ok(row);
        }
    }
    // Then as the console matches names: a part, the name without its
    // affixes, the pinyin initials; one match only.
    match super::pick::resolve_in(conn, Kind::Community, typed, None) {
        Ok(c) => return find_community(conn, &Ref::Id(c.id)),
        Err(StoreError::NotFound(_)) => {}
        Err(e) => return Err(e),
    }
    Err(StoreError::NotFound(msg!(
        "没有名为“{typed}”的社区（村）；请检查名称，或先登记该社区。",
        "There is no community called \"{typed}\"; check the name or register the community first."
    )))
}

/// Finds a compound by id or by name within a community.
pub(crate) fn find_compound(conn: &Connection, community_id: i64, r: &Ref) -> Result<CompoundRow> {
    let row = |r: &rusqlite::Row<'_>| -> rusqlite::Result<CompoundRow> {
        let kind: String = r.get(3)?;
        Ok(CompoundRow {
            id: r.get(0)?,
            community_id: r.get(1)?,
            name: r.get(2)?,
            kind: CompoundKind::from_code(&kind).unwrap_or(CompoundKind::Compound),
            households: r.get(4)?,
            transfer_station: r.get(5)?,
        })
    };
    const COLS: &str = "id, community_id, name, kind, households, transfer_station";
    let found = match r {
        Ref::Id(id) => conn
            .prepare_cached(&format!("SELECT {COLS} FROM compound WHERE id = ?1"))?
            .query_row([id], row)
            .optional()?,
        Ref::Name(n) => conn
            .prepare_cached(&format!(
                "SELECT {COLS} FROM compound WHERE community_id = ?1 AND name = ?2"
            ))?
            .query_row(params![community_id, n.trim()], row)
            .optional()?,
    };
    let what = match r {
        Ref::Id(id) => format!("#{id}"),
        Ref::Name(n) => n.trim().to_string(),
    };
    if found.is_none()
        && let Ref::Name(n) = r
    {
        return compound_by_match(conn, community_id, n.trim(), &what);
    }
    match found {
        Some(c) if c.community_id == community_id => Ok(c),
        Some(c) => {
            let name = c.name;
            Err(StoreError::Refused(msg!(
                "小区（组）“{name}”不属于所选社区（村）；请选择该社区下的小区。",
                "The compound \"{name}\" is not in the chosen community; choose one of that community's compounds."
            )))
        }
        None => Err(StoreError::NotFound(msg!(
            "所选社区（村）下没有小区（组）“{what}”；请检查名称，或先登记该小区。",
            "The chosen community has no compound \"{what}\"; check the name or register the compound first."
        ))),
    }
}

/// A compound of the community as the console matches names; when the
/// community has none of that name, says which community has it.
fn compound_by_match(
    conn: &Connection,
    community_id: i64,
    typed: &str,
    what: &str,
) -> Result<CompoundRow> {
    if typed.is_empty() {
        return Err(StoreError::Refused(msg!(
            "未填写小区（组）；请输入小区或村民小组的名称。",
            "No compound was given; type the name of a compound or village group."
        )));
    }
    match super::pick::resolve_in(conn, Kind::Compound, typed, Some(community_id)) {
        Ok(c) => return find_compound(conn, community_id, &Ref::Id(c.id)),
        Err(StoreError::NotFound(_)) => {}
        Err(e) => return Err(e),
    }
    let chosen: String = conn
        .prepare_cached("SELECT name FROM community WHERE id = ?1")?
        .query_row([community_id], |r| r.get(0))
        .optional()?
        .unwrap_or_default();
    let elsewhere = super::pick::elsewhere(conn, Kind::Compound, typed)?;
    if !elsewhere.is_empty() {
        let list = elsewhere
            .iter()
            .map(|c| format!("{}（{}）", c.shown, c.detail))
            .collect::<Vec<_>>()
            .join("、");
        let list = crate::domain::text::sanitize(&list).into_owned();
        let chosen = crate::domain::text::sanitize(&chosen).into_owned();
        return Err(StoreError::Refused(msg!(
            "“{what}”不在{chosen}，而在别的社区（村）：{list}；请改选社区，或选{chosen}下的小区。",
            "\"{what}\" is not in {chosen} but in another community: {list}; choose that community, or a compound of {chosen}."
        )));
    }
    Err(StoreError::NotFound(msg!(
        "所选社区（村）下没有小区（组）“{what}”；请检查名称，或先登记该小区。",
        "The chosen community has no compound \"{what}\"; check the name or register the compound first."
    )))
}

/// Finds a supply unit by id, exact name, or the one name the typed text
/// matches (a part, the name without 万州区, the pinyin initials).
pub(crate) fn find_supply_unit(conn: &Connection, r: &Ref) -> Result<(i64, String)> {
    let typed = match r {
        Ref::Id(id) => {
            let id = *id;
            return conn
                .prepare_cached("SELECT id, name FROM supply_unit WHERE id = ?1")?
                .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?
                .ok_or_else(|| {
                    StoreError::NotFound(msg!(
                        "没有编号为 {id} 的保供单位；请检查编号。",
                        "There is no supply unit #{id}; check the number."
                    ))
                });
        }
        Ref::Name(n) => n.trim(),
    };
    if let Some(found) = conn
        .prepare_cached("SELECT id, name FROM supply_unit WHERE name = ?1")?
        .query_row([typed], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
    {
        return Ok(found);
    }
    match super::pick::resolve_in(conn, Kind::Unit, typed, None) {
        Ok(c) => Ok((c.id, c.shown)),
        Err(StoreError::NotFound(_)) => Err(StoreError::NotFound(msg!(
            "没有名为“{typed}”的保供单位；请检查名称，或先登记该单位。",
            "There is no supply unit called \"{typed}\"; check the name or register the unit first."
        ))),
        Err(e) => Err(e),
    }
}

/// Finds a post by id, exact name or unique prefix.
fn find_post(conn: &Connection, r: &Ref) -> Result<super::activation::PostRow> {
    let row = |r: &rusqlite::Row<'_>| -> rusqlite::Result<super::activation::PostRow> {
        let since: Option<String> = r.get(4)?;
        Ok(super::activation::PostRow {
            id: r.get(0)?,
            name: r.get(1)?,
            unit: r.get(2)?,
            manned: r.get::<_, i64>(3)? == 1,
            manned_since: since.as_deref().and_then(from_db),
            manned_by: r.get(5)?,
        })
    };
    const COLS: &str = "id, name, unit, manned, manned_since, manned_by";
    let typed = match r {
        Ref::Id(id) => {
            let id = *id;
            return conn
                .prepare_cached(&format!("SELECT {COLS} FROM post WHERE id = ?1"))?
                .query_row([id], row)
                .optional()?
                .ok_or_else(|| {
                    StoreError::NotFound(msg!(
                        "没有编号为 {id} 的岗位；请检查编号。",
                        "There is no post #{id}; check the number."
                    ))
                });
        }
        Ref::Name(n) => n.trim(),
    };
    if let Some(p) = conn
        .prepare_cached(&format!("SELECT {COLS} FROM post WHERE name = ?1"))?
        .query_row([typed], row)
        .optional()?
    {
        return Ok(p);
    }
    let rows: Vec<super::activation::PostRow> = conn
        .prepare_cached(&format!(
            "SELECT {COLS} FROM post WHERE name >= ?1 AND name < ?2 ORDER BY name LIMIT 6"
        ))?
        .query_map(params![typed, prefix_end(typed)], row)?
        .collect::<rusqlite::Result<_>>()?;
    match rows.len() {
        1 => rows
            .into_iter()
            .next()
            .ok_or(StoreError::Sqlite(rusqlite::Error::QueryReturnedNoRows)),
        0 => Err(StoreError::NotFound(msg!(
            "没有名为“{typed}”的岗位；请检查名称（岗位在配置中设立）。",
            "There is no post called \"{typed}\"; check the name (posts are set up from the config)."
        ))),
        _ => {
            let names = rows
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join("、");
            Err(StoreError::Refused(msg!(
                "“{typed}”可指多个岗位：{names}；请多输入几个字。",
                "\"{typed}\" fits several posts ({names}); type more of the name."
            )))
        }
    }
}

/// Where a new record's name must be free, and how a clash is put.
enum Among<'a> {
    /// Every record of the table; `what` names their kind (zh, en).
    All { what: (&'a str, &'a str) },
    /// The records under one parent: the column naming it, its id and
    /// its name.
    Under {
        column: &'a str,
        id: i64,
        parent: &'a str,
    },
}

/// Refuses a `name` that a record of `table` already has `among` its
/// like: a place registered twice would split its figures and deliveries.
fn refuse_if_registered(
    conn: &Connection,
    table: &str,
    among: Among<'_>,
    name: &str,
) -> Result<()> {
    let exists: bool = match among {
        Among::All { .. } => conn.query_row(
            &format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE name = ?1)"),
            [name],
            |r| r.get(0),
        )?,
        Among::Under { column, id, .. } => conn.query_row(
            &format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE {column} = ?1 AND name = ?2)"),
            params![id, name],
            |r| r.get(0),
        )?,
    };
    if !exists {
        return Ok(());
    }
    Err(StoreError::Refused(match among {
        Among::All { what: (zh, en) } => msg!(
            "{zh}“{name}”已登记；请勿重复登记。",
            "The {en} \"{name}\" is already registered; it cannot be registered twice."
        ),
        Among::Under { parent, .. } => msg!(
            "{parent}已有“{name}”；请勿重复登记。",
            "{parent} already has \"{name}\"; it cannot be registered twice."
        ),
    }))
}

/// Inserts a new record of `table` under a log entry of its own, whose
/// text `text` gives for the record's id. The id is chosen first because
/// the entry's subject must name the row (`table:id`, which the rule
/// triggers check). `sql` takes the id as ?1 and the entry's seq as its
/// last parameter; `values` are those between, in order.
fn insert_logged(
    w: &mut Writer<'_>,
    table: &str,
    text: impl FnOnce(i64) -> String,
    sql: &str,
    values: &[&dyn ToSql],
) -> Result<i64> {
    let id = w.next_id(table)?;
    let seq = w.log(LogDraft::change(format!("{table}:{id}"), text(id)))?;
    let mut all: Vec<&dyn ToSql> = Vec::with_capacity(values.len() + 2);
    all.push(&id);
    all.extend_from_slice(values);
    all.push(&seq);
    w.conn().execute(sql, all.as_slice())?;
    Ok(id)
}

/// Where a volunteer or recipient is, for the log line: the community and,
/// if one was chosen, the compound.
fn place_name(community: &CommunityRow, compound: Option<&CompoundRow>) -> String {
    match compound {
        Some(k) => format!("{} {}", community.name, k.name),
        None => community.name.clone(),
    }
}

/// `, LABEL value` for a log line where a value was given, else nothing.
fn optional_part(label: &str, value: Option<&str>) -> String {
    value.map(|v| format!(", {label} {v}")).unwrap_or_default()
}

fn population(resident: i64, floating: i64, households: i64) -> Result<(i64, i64, i64)> {
    Ok((
        fields::count(RESIDENTS, resident, fields::COUNT_MAX)?,
        fields::count(FLOATING, floating, fields::COUNT_MAX)?,
        fields::count(HOUSEHOLDS, households, fields::COUNT_MAX)?,
    ))
}

/// Every 18-character ID number is 17 digits and a digit or X; the old
/// 15-character ones are all digits.
fn optional_id_number(value: Option<&str>) -> Result<Option<String>> {
    let Some(v) = fields::optional_line(ID_NUMBER, value, 18 + 4)? else {
        return Ok(None);
    };
    let v: String = v
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let n = v.chars().count();
    let ok = match n {
        15 => v.chars().all(|c| c.is_ascii_digit()),
        18 => v
            .char_indices()
            .all(|(i, c)| c.is_ascii_digit() || (i == 17 && c == 'X')),
        _ => false,
    };
    if !ok {
        return Err(StoreError::Refused(msg!(
            "身份证号应为 18 位（最后一位可为 X）或旧式 15 位数字；请核对后重填。",
            "The ID number must be 18 characters (the last may be X) or 15 digits; check it and type it again."
        )));
    }
    Ok(Some(v))
}

impl Store {
    /// A community by exact name or a prefix that fits one only (for the
    /// `:alert` command and its completion).
    pub fn community_by_name(&self, typed: &str) -> Result<CommunityRow> {
        find_community(&self.conn, &Ref::Name(typed.to_string()))
    }

    pub fn community(&self, id: i64) -> Result<CommunityRow> {
        find_community(&self.conn, &Ref::Id(id))
    }

    /// Community names in order, for completion.
    pub fn community_names(&self) -> Result<Vec<String>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT name FROM community ORDER BY name")?;
        let rows = st
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Every community with its report-in time, in id order (a
    /// sub-district has a dozen or so).
    pub fn communities(&self) -> Result<Vec<CommunityRow>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {COMMUNITY_COLUMNS} FROM community ORDER BY id"
        ))?;
        let rows = st
            .query_map([], community_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// The compounds (village groups) of a community, by name.
    pub fn compounds_of(&self, community_id: i64) -> Result<Vec<CompoundRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, community_id, name, kind, households, transfer_station
             FROM compound WHERE community_id = ?1 ORDER BY name",
        )?;
        let rows = st
            .query_map([community_id], |r| {
                let kind: String = r.get(3)?;
                Ok(CompoundRow {
                    id: r.get(0)?,
                    community_id: r.get(1)?,
                    name: r.get(2)?,
                    kind: CompoundKind::from_code(&kind).unwrap_or(CompoundKind::Compound),
                    households: r.get(4)?,
                    transfer_station: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Active volunteers, of one community or all, by community and name.
    pub fn volunteers(&self, community: Option<&Ref>) -> Result<Vec<VolunteerRow>> {
        let community_id = match community {
            Some(r) => Some(find_community(&self.conn, r)?.id),
            None => None,
        };
        let mut st = self.conn.prepare_cached(
            "SELECT v.id, v.name, v.phone, v.community_id, c.name, k.name, v.station, v.tasks, v.active
             FROM volunteer v JOIN community c ON c.id = v.community_id
             LEFT JOIN compound k ON k.id = v.compound_id
             WHERE v.active = 1 AND (?1 IS NULL OR v.community_id = ?1)
             ORDER BY c.name, v.name, v.id",
        )?;
        let rows = st
            .query_map([community_id], |r| {
                Ok(VolunteerRow {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    phone: r.get(2)?,
                    community_id: r.get(3)?,
                    community: r.get(4)?,
                    compound: r.get(5)?,
                    station: r.get(6)?,
                    tasks: r.get(7)?,
                    active: r.get::<_, i64>(8)? == 1,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Every supply-guarantee unit, by category and name.
    pub fn supply_units(&self) -> Result<Vec<SupplyUnitRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT u.id, u.name, u.category, c.name, u.contact, u.phone, u.daily_sales, u.regular_stock,
                    u.storage_capacity, u.staff, u.vehicles, u.drivers
             FROM supply_unit u LEFT JOIN community c ON c.id = u.community_id
             ORDER BY u.category, u.name",
        )?;
        let rows = st
            .query_map([], |r| {
                let cat: String = r.get(2)?;
                Ok(SupplyUnitRow {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    category: UnitCategory::from_code(&cat).unwrap_or(UnitCategory::Retail),
                    community: r.get(3)?,
                    contact: r.get(4)?,
                    phone: r.get(5)?,
                    capacity: Capacity {
                        daily_sales: r.get(6)?,
                        regular_stock: r.get(7)?,
                        storage_capacity: r.get(8)?,
                        staff: r.get(9)?,
                        vehicles: r.get(10)?,
                        drivers: r.get(11)?,
                    },
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// A post of the leading group goes to post (`manned`), recorded by
    /// the officer at this moment, or stands down.
    pub fn mark_post_manned(
        &mut self,
        actor: &Actor,
        post: impl Into<Ref>,
        manned: bool,
    ) -> Result<i64> {
        let post = post.into();
        let (_, seq) = self.change(actor, |w| {
            let p = find_post(w.conn(), &post)?;
            let name = p.name.clone();
            if p.manned == manned {
                return Err(StoreError::Refused(if manned {
                    let by = p.manned_by.unwrap_or_default();
                    let since = p.manned_since.map(fields::log_time).unwrap_or_default();
                    msg!(
                        "岗位“{name}”已在岗（{since} 起，{by} 记录）；无需再次标记。",
                        "The post \"{name}\" is already manned (since {since}, recorded by {by}); there is nothing to mark."
                    )
                } else {
                    msg!(
                        "岗位“{name}”本就未在岗；无需撤岗。",
                        "The post \"{name}\" is not manned; there is nothing to stand down."
                    )
                }));
            }
            let officer = w.actor().officer.clone();
            let event = Payload::new(if manned { "post.manned" } else { "post.down" })
                .with("name", name.clone())
                .with("unit", p.unit.clone())
                .with("officer", officer.clone());
            let seq = w.log(LogDraft::event(format!("post:{}", p.id), event))?;
            let now = to_db(w.now());
            w.conn().execute(
                "UPDATE post SET manned = ?1, manned_since = ?2, manned_by = ?3, log_seq = ?4 WHERE id = ?5",
                params![
                    i64::from(manned),
                    manned.then_some(now),
                    manned.then_some(officer),
                    seq,
                    p.id
                ],
            )?;
            Ok(())
        })?;
        Ok(seq)
    }

    /// A community's supply team reports in (has taken its position).
    /// Reporting twice within one activation is refused.
    pub fn mark_community_reported(
        &mut self,
        actor: &Actor,
        community: impl Into<Ref>,
    ) -> Result<i64> {
        let community = community.into();
        let since = self.activation()?.map(|a| a.since());
        let (_, seq) = self.change(actor, |w| {
            let c = find_community(w.conn(), &community)?;
            let name = c.name.clone();
            if let Some(at) = c.reported_at
                && since.is_none_or(|s| at >= s)
            {
                let when = fields::log_time(at);
                let by = c.reported_by.unwrap_or_default();
                return Err(StoreError::Refused(msg!(
                    "“{name}”已于 {when} 报到（{by} 记录）；无需重复报到。",
                    "\"{name}\" already reported in at {when} (recorded by {by}); there is nothing to record."
                )));
            }
            let officer = w.actor().officer.clone();
            let event = Payload::new("community.report")
                .with("name", name.clone())
                .with("officer", officer.clone());
            let seq = w.log(LogDraft::event(format!("community:{}", c.id), event))?;
            w.conn().execute(
                "UPDATE community SET reported_at = ?1, reported_by = ?2, log_seq = ?3 WHERE id = ?4",
                params![to_db(w.now()), officer, seq, c.id],
            )?;
            Ok(())
        })?;
        Ok(seq)
    }

    /// Registers a community or village. Returns its id and the log seq.
    pub fn add_community(&mut self, actor: &Actor, new: &NewCommunity) -> Result<(i64, i64)> {
        let name = fields::required_line(NAME, &new.name, NAME_MAX_CHARS)?;
        let kind = new.kind.unwrap_or(if name.ends_with('村') {
            CommunityKind::Village
        } else {
            CommunityKind::Community
        });
        let (resident, floating, households) =
            population(new.resident_pop, new.floating_pop, new.households)?;
        let contact = fields::optional_line(CONTACT, new.contact.as_deref(), NAME_MAX_CHARS)?;
        let phone = fields::optional_phone(PHONE, new.phone.as_deref())?;
        self.change(actor, |w| {
            let among = Among::All { what: ("社区（村）", "community") };
            refuse_if_registered(w.conn(), "community", among, &name)?;
            let (kzh, ken) = (kind.label_zh(), kind.label_en());
            insert_logged(
                w,
                "community",
                |_| format!(
                    "登记{kzh} {ken} registered: {name}, 户数 households {households}, 常住 residents {resident}, 流动 floating {floating}"
                ),
                "INSERT INTO community (id, name, kind, resident_pop, floating_pop, households, contact, phone, log_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![name, kind.code(), resident, floating, households, contact, phone],
            )
        })
    }

    /// Registers a compound (village group) in a community.
    pub fn add_compound(&mut self, actor: &Actor, new: &NewCompound) -> Result<(i64, i64)> {
        let name = fields::required_line(NAME, &new.name, NAME_MAX_CHARS)?;
        let (resident, floating, households) =
            population(new.resident_pop, new.floating_pop, new.households)?;
        let station =
            fields::optional_line(STATION, new.transfer_station.as_deref(), NAME_MAX_CHARS)?;
        let community = find_community(&self.conn, &new.community)?;
        let kind = new.kind.unwrap_or(place::compound_kind_for(community.kind));
        self.change(actor, |w| {
            let cname = &community.name;
            let among = Among::Under { column: "community_id", id: community.id, parent: cname };
            refuse_if_registered(w.conn(), "compound", among, &name)?;
            let (kzh, ken) = (kind.label_zh(), kind.label_en());
            let station_text = optional_part("中转站 transfer station", station.as_deref());
            insert_logged(
                w,
                "compound",
                |_| format!(
                    "登记{kzh} {ken} registered: {cname} {name}, 户数 households {households}, 常住 residents {resident}, 流动 floating {floating}{station_text}"
                ),
                "INSERT INTO compound (id, community_id, name, kind, households, resident_pop, floating_pop,
                    transfer_station, station_active, log_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9)",
                params![community.id, name, kind.code(), households, resident, floating, station],
            )
        })
    }

    /// Registers a building (courtyard) in a compound.
    pub fn add_building(&mut self, actor: &Actor, new: &NewBuilding) -> Result<(i64, i64)> {
        let name = fields::required_line(NAME, &new.name, NAME_MAX_CHARS)?;
        let households = fields::count(HOUSEHOLDS, new.households, fields::COUNT_MAX)?;
        let point = fields::optional_line(POINT, new.transfer_point.as_deref(), NAME_MAX_CHARS)?;
        let compound_id = new.compound_id;
        let kind = new.kind;
        self.change(actor, |w| {
            let compound: Option<(String, String)> = w
                .conn()
                .query_row(
                    "SELECT c.name, k.name FROM compound k JOIN community c ON c.id = k.community_id WHERE k.id = ?1",
                    [compound_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((cname, kname)) = compound else {
                return Err(StoreError::NotFound(msg!(
                    "没有编号为 {compound_id} 的小区（组）；请检查编号。",
                    "There is no compound #{compound_id}; check the number."
                )));
            };
            let among = Among::Under { column: "compound_id", id: compound_id, parent: &kname };
            refuse_if_registered(w.conn(), "building", among, &name)?;
            let (kzh, ken) = (kind.label_zh(), kind.label_en());
            let point_text = optional_part("转运点 transfer point", point.as_deref());
            insert_logged(
                w,
                "building",
                |_| format!("登记{kzh} {ken} registered: {cname} {kname} {name}, 户数 households {households}{point_text}"),
                "INSERT INTO building (id, compound_id, name, kind, households, transfer_point, log_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![compound_id, name, kind.code(), households, point],
            )
        })
    }

    /// Registers a volunteer of a community (and perhaps a compound and
    /// building there).
    pub fn add_volunteer(&mut self, actor: &Actor, new: &NewVolunteer) -> Result<(i64, i64)> {
        let name = fields::required_line(PERSON, &new.name, NAME_MAX_CHARS)?;
        let phone = fields::optional_phone(PHONE, new.phone.as_deref())?;
        let station = fields::optional_line(STATION, new.station.as_deref(), NAME_MAX_CHARS)?;
        let tasks = fields::optional_text(TASKS, new.tasks.as_deref(), TEXT_MAX_CHARS)?;
        let community = find_community(&self.conn, &new.community)?;
        let compound = new
            .compound_id
            .map(|id| find_compound(&self.conn, community.id, &Ref::Id(id)))
            .transpose()?;
        if let Some(b) = new.building_id {
            let in_compound: Option<i64> = self
                .conn
                .query_row("SELECT compound_id FROM building WHERE id = ?1", [b], |r| {
                    r.get(0)
                })
                .optional()?;
            match (in_compound, &compound) {
                (None, _) => {
                    return Err(StoreError::NotFound(msg!(
                        "没有编号为 {b} 的楼栋；请检查编号。",
                        "There is no building #{b}; check the number."
                    )));
                }
                (Some(k), Some(c)) if k == c.id => {}
                _ => {
                    return Err(StoreError::Refused(msg!(
                        "楼栋 {b} 不在所选小区（组）内；请先选对小区，再选其中的楼栋。",
                        "Building #{b} is not in the chosen compound; choose the compound first, then one of its buildings."
                    )));
                }
            }
        }
        let building_id = new.building_id;
        self.change(actor, |w| {
            let tasks = w.scrub_opt(tasks.as_deref())?;
            let place = place_name(&community, compound.as_ref());
            let station_text = optional_part("站点 station", station.as_deref());
            insert_logged(
                w,
                "volunteer",
                |_| format!("登记志愿者 Volunteer registered: {name}, {place}{station_text}"),
                "INSERT INTO volunteer (id, name, phone, community_id, compound_id, building_id, station, tasks, active, log_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9)",
                params![name, phone, community.id, compound.as_ref().map(|k| k.id), building_id, station, tasks],
            )
        })
    }

    /// Registers a supply-guarantee unit with its survey figures.
    pub fn add_supply_unit(&mut self, actor: &Actor, new: &NewSupplyUnit) -> Result<(i64, i64)> {
        let name = fields::required_line(NAME, &new.name, NAME_MAX_CHARS)?;
        let address = fields::optional_line(ADDRESS, new.address.as_deref(), TEXT_MAX_CHARS)?;
        let contact = fields::optional_line(CONTACT, new.contact.as_deref(), NAME_MAX_CHARS)?;
        let phone = fields::optional_phone(PHONE, new.phone.as_deref())?;
        let cap = new.capacity;
        if let Err(why) = cap.check() {
            return Err(StoreError::Refused(if why.contains("exceeds") {
                msg!(
                    "常年库存量超过仓储能力；请核对这两个数字。",
                    "The regular stock is larger than the storage capacity; check both figures."
                )
            } else {
                msg!(
                    "摸底数字（销售量、库存、仓储、人数、车辆）不能为负数；请更正。",
                    "Survey figures (sales, stock, storage, staff, vehicles, drivers) cannot be negative; correct them."
                )
            }));
        }
        let community = match &new.community {
            Some(r) => Some(find_community(&self.conn, r)?),
            None => None,
        };
        let category = new.category;
        self.change(actor, |w| {
            let among = Among::All { what: ("保供单位", "supply unit") };
            refuse_if_registered(w.conn(), "supply_unit", among, &name)?;
            let (czh, cen) = (category.label_zh(), category.label_en());
            insert_logged(
                w,
                "supply_unit",
                |_| format!(
                    "登记保供单位 Supply unit registered: {name}（{czh} {cen}）, 日销售 daily sales {}, 库存 stock {}, 仓储 storage {}, 人员 staff {}, 车辆 vehicles {}, 司机 drivers {}",
                    cap.daily_sales, cap.regular_stock, cap.storage_capacity, cap.staff, cap.vehicles, cap.drivers
                ),
                "INSERT INTO supply_unit (id, name, category, community_id, address, contact, phone, daily_sales,
                    regular_stock, storage_capacity, staff, vehicles, drivers, log_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                params![
                    name,
                    category.code(),
                    community.as_ref().map(|c| c.id),
                    address,
                    contact,
                    phone,
                    cap.daily_sales,
                    cap.regular_stock,
                    cap.storage_capacity,
                    cap.staff,
                    cap.vehicles,
                    cap.drivers
                ],
            )
        })
    }

    /// Registers a recipient of point-to-point delivery. The log line
    /// names them masked and leaves out phone, ID number and condition.
    pub fn add_recipient(&mut self, actor: &Actor, new: &NewRecipient) -> Result<(i64, i64)> {
        let name = fields::required_line(PERSON, &new.name, NAME_MAX_CHARS)?;
        let phone = fields::optional_phone(PHONE, new.phone.as_deref())?;
        let id_number = optional_id_number(new.id_number.as_deref())?;
        let condition = fields::optional_text(CONDITION, new.condition.as_deref(), TEXT_MAX_CHARS)?;
        let building = fields::optional_line(BUILDING, new.building.as_deref(), NAME_MAX_CHARS)?;
        let unit_no = fields::optional_line(UNIT_NO, new.unit_no.as_deref(), NAME_MAX_CHARS)?;
        let room = fields::optional_line(ROOM, new.room.as_deref(), NAME_MAX_CHARS)?;
        let needs = fields::optional_text(NEEDS, new.needs.as_deref(), TEXT_MAX_CHARS)?;
        let community = find_community(&self.conn, &new.community)?;
        let compound = new
            .compound_id
            .map(|id| find_compound(&self.conn, community.id, &Ref::Id(id)))
            .transpose()?;
        let group = new.group;
        self.change(actor, |w| {
            let masked = mask::mask_name(&name);
            let place = place_name(&community, compound.as_ref());
            let (gzh, gen_) = (group.label_zh(), group.label_en());
            insert_logged(
                w,
                "recipient",
                |id| format!("登记特殊群体对象 Recipient registered: #{id} {masked}（{gzh} {gen_}）, {place}"),
                "INSERT INTO recipient (id, name, phone, id_number, grp, condition, community_id, compound_id,
                    building, unit_no, room, needs, log_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![
                    name,
                    phone,
                    id_number,
                    group.code(),
                    condition,
                    community.id,
                    compound.as_ref().map(|k| k.id),
                    building,
                    unit_no,
                    room,
                    needs
                ],
            )
        })
    }
}
