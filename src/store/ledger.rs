//! Ledgers in bulk: the tables of the plan's annexes (附表1–6) as rows of
//! named fields, matched on their natural keys, checked as a whole and
//! written in one transaction under one duty-log entry.
//!
//! The file side (headers, encodings, cells) lives in `crate::ledger`; it
//! hands over [`Record`]s whose values are already in database form
//! (normalised plates, codes, UTC times), with other records named by
//! their names. This module resolves those names, finds the record each
//! row updates, and writes.
//!
//! An import is a bulk change: one log entry whose subject is the table's
//! name (the triggers accept `table` as well as `table:id`), with the
//! counts and the file's SHA-256, and every row it inserts or updates
//! carries that entry's number. A row that matches its stored record in
//! every given field is left alone.

mod stock;

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params_from_iter, types::Value};

use super::fields::{NAME_MAX_CHARS, TEXT_MAX_CHARS};
use super::{Actor, LogDraft, Result, Store, StoreError, Writer};
use crate::domain::Code;
use crate::domain::alert::ItemClass;
use crate::domain::cover::Norms;
use crate::domain::delivery::Group;
use crate::domain::log::LogKind;
use crate::domain::mask;
use crate::domain::pass::{self, PassKind, PassState, WindowError};
use crate::domain::place::{BuildingKind, CommunityKind, CompoundKind, compound_kind_for};
use crate::domain::time::{from_db, to_db};
use crate::domain::unit::{Capacity, UnitCategory};
use crate::msg;
use crate::msg::Msg;
pub use stock::StockImport;

/// The state tables a ledger fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LedgerTable {
    Community,
    Compound,
    Building,
    Outlet,
    SupplyUnit,
    Staff,
    Vehicle,
    Pass,
    Volunteer,
    Recipient,
    /// Stock and daily-supply reports: a time series, appended to, never
    /// matched and updated like the register's tables.
    StockReport,
}

/// Enumerations a field takes, read from their code, label or alias.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeSet {
    CommunityKind,
    CompoundKind,
    BuildingKind,
    UnitCategory,
    PassKind,
    PassState,
    Group,
    ItemClass,
}

fn parse_code<C: Code>(s: &str) -> Option<&'static str> {
    C::parse(s).map(Code::code)
}

fn zh_of<C: Code>(code: &str) -> Option<&'static str> {
    C::from_code(code).map(Code::label_zh)
}

fn zh_list<C: Code>() -> String {
    C::ALL
        .iter()
        .map(|c| c.label_zh())
        .collect::<Vec<_>>()
        .join("、")
}

impl CodeSet {
    /// The code for a label, alias or code as typed.
    pub fn parse(self, s: &str) -> Option<&'static str> {
        match self {
            CodeSet::CommunityKind => parse_code::<CommunityKind>(s),
            CodeSet::CompoundKind => parse_code::<CompoundKind>(s),
            CodeSet::BuildingKind => parse_code::<BuildingKind>(s),
            CodeSet::UnitCategory => parse_code::<UnitCategory>(s),
            CodeSet::PassKind => parse_code::<PassKind>(s),
            CodeSet::PassState => parse_code::<PassState>(s),
            CodeSet::Group => parse_code::<Group>(s),
            CodeSet::ItemClass => parse_code::<ItemClass>(s),
        }
    }

    /// The Chinese label a clerk's sheet shows for a stored code.
    pub fn label_zh(self, code: &str) -> Option<&'static str> {
        match self {
            CodeSet::CommunityKind => zh_of::<CommunityKind>(code),
            CodeSet::CompoundKind => zh_of::<CompoundKind>(code),
            CodeSet::BuildingKind => zh_of::<BuildingKind>(code),
            CodeSet::UnitCategory => zh_of::<UnitCategory>(code),
            CodeSet::PassKind => zh_of::<PassKind>(code),
            CodeSet::PassState => zh_of::<PassState>(code),
            CodeSet::Group => zh_of::<Group>(code),
            CodeSet::ItemClass => zh_of::<ItemClass>(code),
        }
    }

    /// Every choice, in Chinese, for messages.
    pub fn choices_zh(self) -> String {
        match self {
            CodeSet::CommunityKind => zh_list::<CommunityKind>(),
            CodeSet::CompoundKind => zh_list::<CompoundKind>(),
            CodeSet::BuildingKind => zh_list::<BuildingKind>(),
            CodeSet::UnitCategory => zh_list::<UnitCategory>(),
            CodeSet::PassKind => zh_list::<PassKind>(),
            CodeSet::PassState => zh_list::<PassState>(),
            CodeSet::Group => zh_list::<Group>(),
            CodeSet::ItemClass => zh_list::<ItemClass>(),
        }
    }

    /// Every code, for messages.
    pub fn choices_en(self) -> String {
        match self {
            CodeSet::CommunityKind => CommunityKind::codes_list(),
            CodeSet::CompoundKind => CompoundKind::codes_list(),
            CodeSet::BuildingKind => BuildingKind::codes_list(),
            CodeSet::UnitCategory => UnitCategory::codes_list(),
            CodeSet::PassKind => PassKind::codes_list(),
            CodeSet::PassState => PassState::codes_list(),
            CodeSet::Group => Group::codes_list(),
            CodeSet::ItemClass => ItemClass::codes_list(),
        }
    }
}

/// What a field holds, which says how a cell is read and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// One line of text of at most this many characters.
    Line(usize),
    /// Free text; line breaks are kept.
    Text(usize),
    Phone,
    /// A head count or household count (integer, not negative).
    Count,
    /// A survey figure (tonnes or the unit's measure, not negative).
    Amount,
    /// A vehicle's load in tonnes.
    Tonnes,
    /// Yes or no.
    Flag,
    Code(CodeSet),
    /// A licence plate, stored normalised.
    Plate,
    PassNumber,
    /// A resident ID number (personal data).
    IdNumber,
    /// The first moment of validity: a bare date is its local midnight.
    From,
    /// The last day of validity: a bare date is valid through its end.
    Until,
    /// The name of another record (a community, compound, unit ...).
    Name,
    /// A stock or supply figure in the item class's measure, written as
    /// people say it: 3200, 3200kg, 3.2吨, 500斤.
    Quantity,
    /// A moment with its time of day (a bare date is refused: a morning
    /// and an evening figure of one day differ).
    Moment,
}

/// Whether a row must give the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Part of the natural key: every row needs it.
    Key,
    /// A new record needs it; an update may leave it blank.
    New,
    Optional,
}

/// One field of a ledger: a column of the clerk's sheet.
#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    /// English key: JSON export, English headers, messages.
    pub key: &'static str,
    /// The sheet's header.
    pub zh: &'static str,
    /// The field in English messages.
    pub en: &'static str,
    pub ty: FieldType,
    pub need: Need,
    /// A recipient's personal data: masked on export unless revealed.
    pub personal: bool,
}

const fn f(key: &'static str, zh: &'static str, en: &'static str, ty: FieldType) -> FieldSpec {
    FieldSpec {
        key,
        zh,
        en,
        ty,
        need: Need::Optional,
        personal: false,
    }
}

const fn key(mut s: FieldSpec) -> FieldSpec {
    s.need = Need::Key;
    s
}

const fn new(mut s: FieldSpec) -> FieldSpec {
    s.need = Need::New;
    s
}

const fn personal(mut s: FieldSpec) -> FieldSpec {
    s.personal = true;
    s
}

use FieldType as T;

const LINE: FieldType = T::Line(NAME_MAX_CHARS);
const LONG: FieldType = T::Line(TEXT_MAX_CHARS);

const COMMUNITY_FIELDS: &[FieldSpec] = &[
    key(f("name", "社区名称", "community", LINE)),
    f("kind", "类型", "kind", T::Code(CodeSet::CommunityKind)),
    f("resident_pop", "常住人口", "resident population", T::Count),
    f("floating_pop", "流动人口", "floating population", T::Count),
    f("households", "户数", "households", T::Count),
    f("contact", "联系人", "contact person", LINE),
    f("phone", "联系电话", "phone", T::Phone),
];

const COMPOUND_FIELDS: &[FieldSpec] = &[
    key(f("community", "社区名称", "community", T::Name)),
    key(f("name", "小区名称", "compound", LINE)),
    f("kind", "类型", "kind", T::Code(CodeSet::CompoundKind)),
    f("households", "户数", "households", T::Count),
    f("resident_pop", "常住人口", "resident population", T::Count),
    f("floating_pop", "流动人口", "floating population", T::Count),
    f(
        "transfer_station",
        "应急生活物资中转站",
        "transfer station",
        LONG,
    ),
    f("station_active", "中转站启用", "station active", T::Flag),
];

const BUILDING_FIELDS: &[FieldSpec] = &[
    key(f("community", "社区名称", "community", T::Name)),
    key(f("compound", "小区名称", "compound", T::Name)),
    key(f("name", "楼栋名称", "building", LINE)),
    f("kind", "类型", "kind", T::Code(CodeSet::BuildingKind)),
    f("households", "户数", "households", T::Count),
    f("transfer_point", "临时转运点", "transfer point", LONG),
];

const OUTLET_FIELDS: &[FieldSpec] = &[
    key(f("community", "社区名称", "community", T::Name)),
    key(f("name", "网点名称", "outlet", LINE)),
    f("category", "业态", "category", LINE),
    f("address", "地址", "address", LONG),
    f("contact", "负责人", "contact person", LINE),
    f("phone", "联系电话", "phone", T::Phone),
    f("hours", "营业时间", "opening hours", LINE),
    f("is_open", "正常营业", "open", T::Flag),
];

const UNIT_FIELDS: &[FieldSpec] = &[
    key(f("name", "单位名称", "supply unit", LINE)),
    new(f(
        "category",
        "类别",
        "category",
        T::Code(CodeSet::UnitCategory),
    )),
    f("community", "所在社区", "community", T::Name),
    f("address", "地址", "address", LONG),
    f("contact", "联系人", "contact person", LINE),
    f("phone", "联系电话", "phone", T::Phone),
    f("daily_sales", "日销售量", "daily sales", T::Amount),
    f("regular_stock", "常年库存量", "regular stock", T::Amount),
    f(
        "storage_capacity",
        "仓储库存能力",
        "storage capacity",
        T::Amount,
    ),
    f("staff", "从业人数", "staff", T::Count),
    f("vehicles", "运输车辆", "vehicles", T::Count),
    f("drivers", "运输人员", "drivers", T::Count),
];

const STAFF_FIELDS: &[FieldSpec] = &[
    key(f("unit", "所属单位", "supply unit", T::Name)),
    key(f("name", "姓名", "name", LINE)),
    f("role", "岗位", "post", LINE),
    f("phone", "联系电话", "phone", T::Phone),
    f("lodging", "住宿地点", "lodging", LONG),
    f("on_duty", "在岗", "on duty", T::Flag),
];

const VEHICLE_FIELDS: &[FieldSpec] = &[
    key(f("plate", "车牌号", "plate", T::Plate)),
    f("vehicle_type", "车型", "vehicle type", LINE),
    f("load_tonnes", "核定载重（吨）", "load (tonnes)", T::Tonnes),
    f("unit", "所属单位", "supply unit", T::Name),
    f("driver", "驾驶员", "driver", LINE),
    f("phone", "联系电话", "phone", T::Phone),
];

const PASS_FIELDS: &[FieldSpec] = &[
    key(f("number", "证号", "pass number", T::PassNumber)),
    f("kind", "类型", "kind", T::Code(CodeSet::PassKind)),
    f("plate", "车牌号", "plate", T::Plate),
    f("unit", "所属单位", "supply unit", T::Name),
    f("subject", "持证对象", "holder", LINE),
    new(f("issuer", "发证单位", "issuing office", LINE)),
    new(f("valid_from", "有效期起", "valid from", T::From)),
    new(f("valid_until", "有效期止", "valid until", T::Until)),
    f("area", "通行区域", "area or route", LINE),
    f("state", "状态", "state", T::Code(CodeSet::PassState)),
    f("reason", "原因", "reason", LONG),
];

const VOLUNTEER_FIELDS: &[FieldSpec] = &[
    key(f("name", "姓名", "name", LINE)),
    f("phone", "联系电话", "phone", T::Phone),
    new(f("community", "社区名称", "community", T::Name)),
    f("compound", "小区名称", "compound", T::Name),
    f("building", "楼栋", "building", T::Name),
    f("station", "服务岗位", "station", LINE),
    f("tasks", "任务清单", "tasks", T::Text(TEXT_MAX_CHARS)),
    f("active", "在岗", "active", T::Flag),
];

const RECIPIENT_FIELDS: &[FieldSpec] = &[
    key(personal(f("name", "姓名", "name", LINE))),
    personal(f("phone", "联系电话", "phone", T::Phone)),
    personal(f("id_number", "身份证号", "ID number", T::IdNumber)),
    new(f("group", "类别", "group", T::Code(CodeSet::Group))),
    personal(f(
        "condition",
        "身体状况",
        "condition",
        T::Text(TEXT_MAX_CHARS),
    )),
    new(f("community", "社区名称", "community", T::Name)),
    f("compound", "小区名称", "compound", T::Name),
    f("building", "楼栋", "building", LINE),
    f("unit_no", "单元", "unit", LINE),
    f("room", "房号", "room", LINE),
    f("needs", "需求", "needs", T::Text(TEXT_MAX_CHARS)),
];

const STOCK_FIELDS: &[FieldSpec] = &[
    key(f("community", "社区（村）", "community", T::Name)),
    key(f("item", "品类", "item class", T::Code(CodeSet::ItemClass))),
    key(f("stock", "库存", "stock", T::Quantity)),
    f("supply_in", "日到货", "daily supply in", T::Quantity),
    f("reported_at", "时点", "report time", T::Moment),
    f("unit", "保供单位", "supply unit", T::Name),
    f("outlet", "网点", "outlet", T::Name),
    f(
        "station",
        "中转站（小区）",
        "transfer station (compound)",
        T::Name,
    ),
    f("reporter", "报告人", "reporter", LINE),
    f("channel", "来源", "channel", LINE),
];

/// A stored column and the field it shows as.
struct Col {
    name: &'static str,
    /// The field key it is shown as; `None` for bookkeeping columns.
    field: Option<&'static str>,
    /// Part of what the row is matched on: never changed by an import.
    fixed: bool,
}

const fn c(name: &'static str, field: &'static str) -> Col {
    Col {
        name,
        field: Some(field),
        fixed: false,
    }
}

const fn fixed(name: &'static str, field: &'static str) -> Col {
    Col {
        name,
        field: Some(field),
        fixed: true,
    }
}

const COMMUNITY_COLS: &[Col] = &[
    fixed("name", "name"),
    c("kind", "kind"),
    c("resident_pop", "resident_pop"),
    c("floating_pop", "floating_pop"),
    c("households", "households"),
    c("contact", "contact"),
    c("phone", "phone"),
];
const COMPOUND_COLS: &[Col] = &[
    fixed("community_id", "community"),
    fixed("name", "name"),
    c("kind", "kind"),
    c("households", "households"),
    c("resident_pop", "resident_pop"),
    c("floating_pop", "floating_pop"),
    c("transfer_station", "transfer_station"),
    c("station_active", "station_active"),
];
const BUILDING_COLS: &[Col] = &[
    fixed("compound_id", "compound"),
    fixed("name", "name"),
    c("kind", "kind"),
    c("households", "households"),
    c("transfer_point", "transfer_point"),
];
const OUTLET_COLS: &[Col] = &[
    fixed("community_id", "community"),
    fixed("name", "name"),
    c("category", "category"),
    c("address", "address"),
    c("contact", "contact"),
    c("phone", "phone"),
    c("hours", "hours"),
    c("is_open", "is_open"),
];
const UNIT_COLS: &[Col] = &[
    fixed("name", "name"),
    c("category", "category"),
    c("community_id", "community"),
    c("address", "address"),
    c("contact", "contact"),
    c("phone", "phone"),
    c("daily_sales", "daily_sales"),
    c("regular_stock", "regular_stock"),
    c("storage_capacity", "storage_capacity"),
    c("staff", "staff"),
    c("vehicles", "vehicles"),
    c("drivers", "drivers"),
];
const STAFF_COLS: &[Col] = &[
    fixed("unit_id", "unit"),
    fixed("name", "name"),
    c("role", "role"),
    c("phone", "phone"),
    c("lodging", "lodging"),
    c("on_duty", "on_duty"),
];
const VEHICLE_COLS: &[Col] = &[
    fixed("plate", "plate"),
    c("vehicle_type", "vehicle_type"),
    c("load_tonnes", "load_tonnes"),
    c("unit_id", "unit"),
    c("driver", "driver"),
    c("phone", "phone"),
];
const PASS_COLS: &[Col] = &[
    fixed("number", "number"),
    c("kind", "kind"),
    c("vehicle_id", "plate"),
    c("unit_id", "unit"),
    c("subject", "subject"),
    c("issuer", "issuer"),
    c("valid_from", "valid_from"),
    c("valid_until", "valid_until"),
    c("area", "area"),
    c("state", "state"),
    c("reason", "reason"),
    Col {
        name: "created_at",
        field: None,
        fixed: true,
    },
];
const VOLUNTEER_COLS: &[Col] = &[
    fixed("name", "name"),
    c("phone", "phone"),
    c("community_id", "community"),
    c("compound_id", "compound"),
    c("building_id", "building"),
    c("station", "station"),
    c("tasks", "tasks"),
    c("active", "active"),
];
const RECIPIENT_COLS: &[Col] = &[
    c("name", "name"),
    c("phone", "phone"),
    c("id_number", "id_number"),
    c("grp", "group"),
    c("condition", "condition"),
    c("community_id", "community"),
    c("compound_id", "compound"),
    c("building", "building"),
    c("unit_no", "unit_no"),
    c("room", "room"),
    c("needs", "needs"),
];
const STOCK_COLS: &[Col] = &[
    fixed("community_id", "community"),
    fixed("item", "item"),
    fixed("stock", "stock"),
    fixed("supply_in", "supply_in"),
    fixed("reported_at", "reported_at"),
    fixed("unit_id", "unit"),
    fixed("outlet_id", "outlet"),
    fixed("compound_id", "station"),
    fixed("reporter", "reporter"),
    fixed("source", "channel"),
    Col {
        name: "recorded_at",
        field: None,
        fixed: true,
    },
];

impl LedgerTable {
    pub const ALL: &'static [LedgerTable] = &[
        LedgerTable::Community,
        LedgerTable::Compound,
        LedgerTable::Building,
        LedgerTable::Outlet,
        LedgerTable::SupplyUnit,
        LedgerTable::Staff,
        LedgerTable::Vehicle,
        LedgerTable::Pass,
        LedgerTable::Volunteer,
        LedgerTable::Recipient,
        LedgerTable::StockReport,
    ];

    /// The SQLite table, also the subject of an import's log entry.
    pub fn table(self) -> &'static str {
        match self {
            LedgerTable::Community => "community",
            LedgerTable::Compound => "compound",
            LedgerTable::Building => "building",
            LedgerTable::Outlet => "outlet",
            LedgerTable::SupplyUnit => "supply_unit",
            LedgerTable::Staff => "staff",
            LedgerTable::Vehicle => "vehicle",
            LedgerTable::Pass => "pass",
            LedgerTable::Volunteer => "volunteer",
            LedgerTable::Recipient => "recipient",
            LedgerTable::StockReport => "stock_report",
        }
    }

    /// The ledger's name in both languages.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            LedgerTable::Community => ("社区（村）台账", "communities"),
            LedgerTable::Compound => ("小区（组）台账", "compounds"),
            LedgerTable::Building => ("楼栋（院落）台账", "buildings"),
            LedgerTable::Outlet => ("零售和服务网点台账", "outlets"),
            LedgerTable::SupplyUnit => ("保供单位台账", "supply units"),
            LedgerTable::Staff => ("工作人员台账", "staff"),
            LedgerTable::Vehicle => ("保供车辆台账", "vehicles"),
            LedgerTable::Pass => ("通行证台账", "passes"),
            LedgerTable::Volunteer => ("志愿者台账", "volunteers"),
            LedgerTable::Recipient => ("特殊群体对象台账", "special-group recipients"),
            LedgerTable::StockReport => ("库存和日到货报告", "stock reports"),
        }
    }

    /// Every field of the ledger, in sheet order.
    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            LedgerTable::Community => COMMUNITY_FIELDS,
            LedgerTable::Compound => COMPOUND_FIELDS,
            LedgerTable::Building => BUILDING_FIELDS,
            LedgerTable::Outlet => OUTLET_FIELDS,
            LedgerTable::SupplyUnit => UNIT_FIELDS,
            LedgerTable::Staff => STAFF_FIELDS,
            LedgerTable::Vehicle => VEHICLE_FIELDS,
            LedgerTable::Pass => PASS_FIELDS,
            LedgerTable::Volunteer => VOLUNTEER_FIELDS,
            LedgerTable::Recipient => RECIPIENT_FIELDS,
            LedgerTable::StockReport => STOCK_FIELDS,
        }
    }

    /// The field with this key.
    pub fn field(self, key: &str) -> Option<&'static FieldSpec> {
        self.fields().iter().find(|f| f.key == key)
    }

    fn cols(self) -> &'static [Col] {
        match self {
            LedgerTable::Community => COMMUNITY_COLS,
            LedgerTable::Compound => COMPOUND_COLS,
            LedgerTable::Building => BUILDING_COLS,
            LedgerTable::Outlet => OUTLET_COLS,
            LedgerTable::SupplyUnit => UNIT_COLS,
            LedgerTable::Staff => STAFF_COLS,
            LedgerTable::Vehicle => VEHICLE_COLS,
            LedgerTable::Pass => PASS_COLS,
            LedgerTable::Volunteer => VOLUNTEER_COLS,
            LedgerTable::Recipient => RECIPIENT_COLS,
            LedgerTable::StockReport => STOCK_COLS,
        }
    }

    /// The ledger's rows as exported: names for references, codes,
    /// UTC times, aligned to [`LedgerTable::fields`].
    fn export_sql(self) -> &'static str {
        match self {
            LedgerTable::Community => {
                "SELECT name, kind, resident_pop, floating_pop, households, contact, phone
                 FROM community ORDER BY id"
            }
            LedgerTable::Compound => {
                "SELECT c.name, k.name, k.kind, k.households, k.resident_pop, k.floating_pop,
                        k.transfer_station, k.station_active
                 FROM compound k JOIN community c ON c.id = k.community_id ORDER BY k.id"
            }
            LedgerTable::Building => {
                "SELECT c.name, k.name, b.name, b.kind, b.households, b.transfer_point
                 FROM building b JOIN compound k ON k.id = b.compound_id
                 JOIN community c ON c.id = k.community_id ORDER BY b.id"
            }
            LedgerTable::Outlet => {
                "SELECT c.name, o.name, o.category, o.address, o.contact, o.phone, o.hours, o.is_open
                 FROM outlet o JOIN community c ON c.id = o.community_id ORDER BY o.id"
            }
            LedgerTable::SupplyUnit => {
                "SELECT u.name, u.category, c.name, u.address, u.contact, u.phone, u.daily_sales,
                        u.regular_stock, u.storage_capacity, u.staff, u.vehicles, u.drivers
                 FROM supply_unit u LEFT JOIN community c ON c.id = u.community_id ORDER BY u.id"
            }
            LedgerTable::Staff => {
                "SELECT u.name, s.name, s.role, s.phone, s.lodging, s.on_duty
                 FROM staff s JOIN supply_unit u ON u.id = s.unit_id ORDER BY s.id"
            }
            LedgerTable::Vehicle => {
                "SELECT v.plate, v.vehicle_type, v.load_tonnes, u.name, v.driver, v.phone
                 FROM vehicle v LEFT JOIN supply_unit u ON u.id = v.unit_id ORDER BY v.id"
            }
            LedgerTable::Pass => {
                "SELECT p.number, p.kind, v.plate, u.name, p.subject, p.issuer, p.valid_from,
                        p.valid_until, p.area, p.state, p.reason
                 FROM pass p LEFT JOIN vehicle v ON v.id = p.vehicle_id
                 LEFT JOIN supply_unit u ON u.id = p.unit_id ORDER BY p.id"
            }
            LedgerTable::Volunteer => {
                "SELECT v.name, v.phone, c.name, k.name, b.name, v.station, v.tasks, v.active
                 FROM volunteer v JOIN community c ON c.id = v.community_id
                 LEFT JOIN compound k ON k.id = v.compound_id
                 LEFT JOIN building b ON b.id = v.building_id ORDER BY v.id"
            }
            LedgerTable::Recipient => {
                "SELECT r.name, r.phone, r.id_number, r.grp, r.condition, c.name, k.name,
                        r.building, r.unit_no, r.room, r.needs
                 FROM recipient r JOIN community c ON c.id = r.community_id
                 LEFT JOIN compound k ON k.id = r.compound_id ORDER BY r.id"
            }
            LedgerTable::StockReport => {
                "SELECT c.name, s.item, s.stock, s.supply_in, s.reported_at, u.name, o.name, k.name,
                        s.reporter, s.source
                 FROM stock_report s JOIN community c ON c.id = s.community_id
                 LEFT JOIN supply_unit u ON u.id = s.unit_id
                 LEFT JOIN outlet o ON o.id = s.outlet_id
                 LEFT JOIN compound k ON k.id = s.compound_id ORDER BY s.id"
            }
        }
    }
}

/// One row of a ledger file, in database form, aligned to
/// [`LedgerTable::fields`]: `None` where the sheet has no such column or
/// the cell is blank, which leaves a stored value as it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The row number a clerk sees in Excel (the header is usually 1).
    pub row: usize,
    pub values: Vec<Option<Value>>,
    /// A cell of this row could not be read (already reported): only its
    /// references and key are checked further.
    pub broken: bool,
}

/// Something wrong (or odd) in one row, and in which field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowIssue {
    pub row: usize,
    /// The field key; `None` for the row as a whole.
    pub field: Option<&'static str>,
    pub message: Msg,
}

/// A field that an update changes, shown as text (masked for personal
/// data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: &'static str,
    pub old: String,
    pub new: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub row: usize,
    /// The record as the desk names it (masked for recipients).
    pub key: String,
    pub fields: Vec<FieldChange>,
}

/// What an import did, or (dry run, or refused) would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub table: LedgerTable,
    pub rows: usize,
    /// Row and name of each record added.
    pub added: Vec<(usize, String)>,
    pub changed: Vec<Changed>,
    pub unchanged: usize,
    /// Rows that stop the import; when there are any nothing is written.
    pub issues: Vec<RowIssue>,
    /// The duty-log entry written, when the import was written.
    pub seq: Option<i64>,
}

/// The file an import came from, for its log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub file_name: String,
    pub sha256: String,
}

/// The stages a long import or export reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Reading,
    Checking,
    Writing,
}

/// Progress of a long run, for a bar on a terminal.
pub trait Progress {
    fn start(&self, phase: Phase, len: u64);
    fn advance(&self, n: u64);
}

/// No progress shown.
pub struct Quiet;

impl Progress for Quiet {
    fn start(&self, _: Phase, _: u64) {}
    fn advance(&self, _: u64) {}
}

/// How many changed records an import's log entry names.
const LOG_NAMES_MAX: usize = 20;

/// Names of stored records, for resolving the names a sheet gives.
#[derive(Default)]
struct Refs {
    /// community name → (id, kind)
    communities: HashMap<String, (i64, String)>,
    community_names: HashMap<i64, String>,
    /// (community id, name) → (id, kind)
    compounds: HashMap<(i64, String), (i64, String)>,
    compound_names: HashMap<i64, String>,
    compound_kinds: HashMap<i64, String>,
    /// (compound id, name) → id
    buildings: HashMap<(i64, String), i64>,
    building_names: HashMap<i64, String>,
    units: HashMap<String, i64>,
    unit_names: HashMap<i64, String>,
    /// plate → (id, unit id)
    vehicles: HashMap<String, (i64, Option<i64>)>,
    plates: HashMap<i64, String>,
}

impl Refs {
    fn load(conn: &Connection, t: LedgerTable) -> Result<Refs> {
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
    fn community(&self, typed: &str) -> Option<(i64, &str)> {
        community_spellings(typed)
            .iter()
            .find_map(|n| self.communities.get(n.as_str()))
            .map(|(id, kind)| (*id, kind.as_str()))
    }
}

/// The spellings under which a community may be stored, the one typed
/// first.
fn community_spellings(typed: &str) -> Vec<String> {
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

fn text(v: &Option<Value>) -> Option<&str> {
    match v {
        Some(Value::Text(s)) => Some(s.as_str()),
        _ => None,
    }
}

fn int(v: &Option<Value>) -> Option<i64> {
    match v {
        Some(Value::Integer(i)) => Some(*i),
        _ => None,
    }
}

/// Digits of a phone number, for matching however it was written.
fn phone_digits(s: &str) -> String {
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
struct Resolved {
    cols: Vec<Option<Value>>,
    /// Tried in order; the first that finds a stored record decides.
    keys: Vec<String>,
    /// Keys of the stored record this one must not be confused with.
    label: String,
}

/// The stored rows of a table, indexed by their keys.
struct Existing {
    ids: Vec<i64>,
    rows: Vec<Vec<Value>>,
    index: HashMap<String, Vec<usize>>,
}

fn stored_keys(t: LedgerTable, row: &[Value]) -> Vec<String> {
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
    fn load(conn: &Connection, t: LedgerTable) -> Result<Existing> {
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

fn issue(row: usize, field: Option<&'static str>, message: Msg) -> RowIssue {
    RowIssue {
        row,
        field,
        message,
    }
}

fn unknown_community(row: usize, name: &str) -> RowIssue {
    issue(
        row,
        Some("community"),
        msg!(
            "社区（村）“{name}”未登记；请先导入社区台账（supplydesk import communities），或核对名称。",
            "The community \"{name}\" is not registered; import the communities first (supplydesk import communities) or check the name."
        ),
    )
}

fn unknown_compound(row: usize, community: &str, name: &str) -> RowIssue {
    issue(
        row,
        Some("compound"),
        msg!(
            "社区（村）“{community}”下没有小区（组）“{name}”；请先导入小区台账（supplydesk import compounds），或核对名称。",
            "The community \"{community}\" has no compound \"{name}\"; import the compounds first (supplydesk import compounds) or check the name."
        ),
    )
}

fn unknown_unit(row: usize, name: &str) -> RowIssue {
    issue(
        row,
        Some("unit"),
        msg!(
            "保供单位“{name}”未登记；请先导入保供单位台账（supplydesk import units），或核对名称。",
            "The supply unit \"{name}\" is not registered; import the supply units first (supplydesk import units) or check the name."
        ),
    )
}

fn missing(row: usize, t: LedgerTable, key: &'static str) -> RowIssue {
    let (zh, en) = t.field(key).map_or((key, key), |f| (f.zh, f.en));
    issue(
        row,
        Some(key),
        msg!(
            "“{zh}”为空；请填写（新登记的记录必须有{zh}）。",
            "The {en} is empty; fill it in (a new record needs it)."
        ),
    )
}

/// Resolves names to ids and computes the keys. Problems go to `issues`;
/// `None` when the row cannot be matched at all.
fn resolve(
    t: LedgerTable,
    refs: &Refs,
    rec: &Record,
    issues: &mut Vec<RowIssue>,
) -> Option<Resolved> {
    use LedgerTable as L;
    let v = &rec.values;
    let row = rec.row;
    let before = issues.len();
    // Key fields first: without them nothing can be matched.
    for (i, spec) in t.fields().iter().enumerate() {
        if spec.need == Need::Key && v[i].is_none() && !rec.broken {
            let (zh, en) = (spec.zh, spec.en);
            issues.push(issue(
                row,
                Some(spec.key),
                msg!(
                    "“{zh}”为空；每一行都要有{zh}，据此找到要更新的记录。",
                    "The {en} is empty; every row needs it to find the record it updates."
                ),
            ));
        }
    }
    let community = |i: usize, issues: &mut Vec<RowIssue>| -> Option<Option<(i64, String)>> {
        match text(&v[i]) {
            None => Some(None),
            Some(name) => match refs.community(name) {
                Some((id, kind)) => Some(Some((id, kind.to_string()))),
                None => {
                    issues.push(unknown_community(row, name));
                    None
                }
            },
        }
    };
    let compound = |community: Option<(i64, &str)>,
                    i: usize,
                    issues: &mut Vec<RowIssue>|
     -> Option<Option<(i64, String)>> {
        let Some(name) = text(&v[i]) else {
            return Some(None);
        };
        let Some((cid, cname)) = community else {
            if issues.len() > before {
                // The missing community is reported already.
                return None;
            }
            issues.push(issue(
                row,
                Some("community"),
                msg!(
                    "填写了小区“{name}”却没有填社区（村）；请填写它所在的社区（村）。",
                    "The compound \"{name}\" is given without its community; fill in the community."
                ),
            ));
            return None;
        };
        match refs.compounds.get(&(cid, name.to_string())) {
            Some((id, kind)) => Some(Some((*id, kind.clone()))),
            None => {
                issues.push(unknown_compound(row, cname, name));
                None
            }
        }
    };
    let unit = |i: usize, issues: &mut Vec<RowIssue>| -> Option<Option<i64>> {
        match text(&v[i]) {
            None => Some(None),
            Some(name) => match refs.units.get(name) {
                Some(id) => Some(Some(*id)),
                None => {
                    issues.push(unknown_unit(row, name));
                    None
                }
            },
        }
    };
    let id = |x: Option<i64>| x.map(Value::Integer);
    let out = match t {
        L::Community => {
            let name = text(&v[0])?;
            // A sheet may write 螺蛳包 for the stored 螺蛳包社区.
            let stored = refs
                .community(name)
                .and_then(|(id, _)| refs.community_names.get(&id))
                .map_or(name, String::as_str);
            Resolved {
                keys: vec![format!("n:{stored}")],
                label: name.to_string(),
                cols: v.clone(),
            }
        }
        L::Compound => {
            let c = community(0, issues)?;
            let (cid, _) = c?;
            let name = text(&v[1])?;
            let cname = refs.community_names.get(&cid).cloned().unwrap_or_default();
            let mut cols = v.clone();
            cols[0] = Some(Value::Integer(cid));
            Resolved {
                keys: vec![format!("k:{cid}:{name}")],
                label: format!("{cname} {name}"),
                cols,
            }
        }
        L::Building => {
            let c = community(0, issues)?;
            let cname = text(&v[0]).unwrap_or_default().to_string();
            let k = compound(c.as_ref().map(|(id, _)| (*id, cname.as_str())), 1, issues)?;
            let (kid, _) = k?;
            let name = text(&v[2])?;
            let kname = text(&v[1]).unwrap_or_default();
            Resolved {
                keys: vec![format!("k:{kid}:{name}")],
                label: format!("{cname} {kname} {name}"),
                cols: vec![
                    Some(Value::Integer(kid)),
                    v[2].clone(),
                    v[3].clone(),
                    v[4].clone(),
                    v[5].clone(),
                ],
            }
        }
        L::Outlet => {
            let (cid, _) = community(0, issues)??;
            let name = text(&v[1])?;
            let cname = text(&v[0]).unwrap_or_default();
            let mut cols = v.clone();
            cols[0] = Some(Value::Integer(cid));
            Resolved {
                keys: vec![format!("k:{cid}:{name}")],
                label: format!("{cname} {name}"),
                cols,
            }
        }
        L::SupplyUnit => {
            let c = community(2, issues)?;
            let name = text(&v[0])?;
            let mut cols = v.clone();
            cols[2] = c.map(|(id, _)| Value::Integer(id));
            Resolved {
                keys: vec![format!("k:{name}")],
                label: name.to_string(),
                cols,
            }
        }
        L::Staff => {
            let uid = unit(0, issues)??;
            let name = text(&v[1])?;
            let uname = text(&v[0]).unwrap_or_default();
            let mut cols = v.clone();
            cols[0] = Some(Value::Integer(uid));
            Resolved {
                keys: vec![format!("k:{uid}:{name}")],
                label: format!("{uname} {name}"),
                cols,
            }
        }
        L::Vehicle => {
            let u = unit(3, issues)?;
            let plate = text(&v[0])?;
            let mut cols = v.clone();
            cols[3] = id(u);
            Resolved {
                keys: vec![format!("k:{plate}")],
                label: plate.to_string(),
                cols,
            }
        }
        L::Pass => {
            let u = unit(3, issues);
            let vehicle = match text(&v[2]) {
                None => Some(None),
                Some(p) => match refs.vehicles.get(p) {
                    Some((id, _)) => Some(Some(*id)),
                    None => {
                        issues.push(issue(
                            row,
                            Some("plate"),
                            msg!(
                                "车牌 {p} 不在车辆台账中；请先导入车辆台账（supplydesk import vehicles），或核对车牌。",
                                "The plate {p} is not in the vehicle ledger; import the vehicles first (supplydesk import vehicles) or check the plate."
                            ),
                        ));
                        None
                    }
                },
            };
            let (u, vehicle) = (u?, vehicle?);
            let number = text(&v[0])?;
            Resolved {
                keys: vec![format!("k:{number}")],
                label: number.to_string(),
                cols: vec![
                    v[0].clone(),
                    v[1].clone(),
                    id(vehicle),
                    id(u),
                    v[4].clone(),
                    v[5].clone(),
                    v[6].clone(),
                    v[7].clone(),
                    v[8].clone(),
                    v[9].clone(),
                    v[10].clone(),
                    None,
                ],
            }
        }
        L::Volunteer => {
            let c = community(2, issues)?;
            let cname = text(&v[2]).unwrap_or_default().to_string();
            let k = compound(c.as_ref().map(|(id, _)| (*id, cname.as_str())), 3, issues)?;
            let b = match (text(&v[4]), &k) {
                (None, _) => None,
                (Some(b), None) => {
                    issues.push(issue(
                        row,
                        Some("compound"),
                        msg!(
                            "填写了楼栋“{b}”却没有填小区；请填写楼栋所在的小区（组）。",
                            "The building \"{b}\" is given without its compound; fill in the compound."
                        ),
                    ));
                    return None;
                }
                (Some(b), Some((kid, _))) => match refs.buildings.get(&(*kid, b.to_string())) {
                    Some(id) => Some(*id),
                    None => {
                        let kname = text(&v[3]).unwrap_or_default();
                        issues.push(issue(
                            row,
                            Some("building"),
                            msg!(
                                "小区“{kname}”下没有楼栋“{b}”；请先导入楼栋台账（supplydesk import buildings），或核对名称。",
                                "The compound \"{kname}\" has no building \"{b}\"; import the buildings first (supplydesk import buildings) or check the name."
                            ),
                        ));
                        return None;
                    }
                },
            };
            let name = text(&v[0])?;
            // With a phone: that person, or a namesake in the community
            // with no phone on record. Without: the namesake, if only one.
            let mut keys = Vec::new();
            match (text(&v[1]), &c) {
                (Some(p), Some((cid, _))) => {
                    keys.push(format!("p:{name}:{}", phone_digits(p)));
                    keys.push(format!("c0:{name}:{cid}"));
                }
                (Some(p), None) => keys.push(format!("p:{name}:{}", phone_digits(p))),
                (None, Some((cid, _))) => keys.push(format!("c:{name}:{cid}")),
                (None, None) => {}
            }
            Resolved {
                keys,
                label: format!("{name}（{cname}）"),
                cols: vec![
                    v[0].clone(),
                    v[1].clone(),
                    c.map(|(id, _)| Value::Integer(id)),
                    k.map(|(id, _)| Value::Integer(id)),
                    b.map(Value::Integer),
                    v[5].clone(),
                    v[6].clone(),
                    v[7].clone(),
                ],
            }
        }
        L::Recipient => {
            let c = community(5, issues)?;
            let cname = text(&v[5]).unwrap_or_default().to_string();
            let k = compound(c.as_ref().map(|(id, _)| (*id, cname.as_str())), 6, issues)?;
            let name = text(&v[0])?;
            // With an ID number: that person, or the same name and phone
            // with no ID number on record. Without: the same name and phone.
            // With neither (a homeless person has no phone): the same name
            // in the same community among records that have neither.
            let mut keys = Vec::new();
            match (text(&v[2]), text(&v[1]), &c) {
                (Some(id), Some(p), _) => {
                    keys.push(format!("i:{id}"));
                    keys.push(format!("p0:{name}:{}", phone_digits(p)));
                }
                (Some(id), None, _) => keys.push(format!("i:{id}")),
                (None, Some(p), _) => keys.push(format!("p:{name}:{}", phone_digits(p))),
                (None, None, Some((cid, _))) => keys.push(format!("n0:{name}:{cid}")),
                (None, None, None) => {}
            }
            let label = match (text(&v[1]), text(&v[2])) {
                (Some(p), _) => format!("{} {}", mask::mask_name(name), mask::mask_phone(p)),
                (None, Some(i)) => format!("{} {}", mask::mask_name(name), mask::mask_id_number(i)),
                _ => mask::mask_name(name),
            };
            Resolved {
                keys,
                label,
                cols: vec![
                    v[0].clone(),
                    v[1].clone(),
                    v[2].clone(),
                    v[3].clone(),
                    v[4].clone(),
                    c.map(|(id, _)| Value::Integer(id)),
                    k.map(|(id, _)| Value::Integer(id)),
                    v[7].clone(),
                    v[8].clone(),
                    v[9].clone(),
                    v[10].clone(),
                ],
            }
        }
        // Planned by [`stock`], which appends rather than matches.
        L::StockReport => return None,
    };
    (issues.len() == before).then_some(out)
}

/// Fills what a new record leaves blank; reports what it cannot do
/// without.
fn complete_new(
    t: LedgerTable,
    refs: &Refs,
    rec: &Record,
    cols: &mut [Option<Value>],
    now: DateTime<Utc>,
    issues: &mut Vec<RowIssue>,
) {
    use LedgerTable as L;
    let row = rec.row;
    for (i, spec) in t.fields().iter().enumerate() {
        if spec.need == Need::New && rec.values[i].is_none() {
            issues.push(missing(row, t, spec.key));
        }
    }
    let set = |cols: &mut [Option<Value>], i: usize, v: Value| {
        if cols[i].is_none() {
            cols[i] = Some(v);
        }
    };
    let t_ = |s: &str| Value::Text(s.to_string());
    let zero = Value::Integer(0);
    let one = Value::Integer(1);
    match t {
        L::Community => {
            let village = text(&cols[0]).is_some_and(|n| n.ends_with('村'));
            let kind = if village {
                CommunityKind::Village
            } else {
                CommunityKind::Community
            };
            set(cols, 1, t_(kind.code()));
            for i in 2..=4 {
                set(cols, i, zero.clone());
            }
        }
        L::Compound => {
            let kind = int(&cols[0])
                .and_then(|cid| refs.community_names.get(&cid))
                .and_then(|n| refs.communities.get(n))
                .and_then(|(_, k)| CommunityKind::from_code(k))
                .map_or(CompoundKind::Compound, compound_kind_for);
            set(cols, 2, t_(kind.code()));
            for i in 3..=5 {
                set(cols, i, zero.clone());
            }
            set(cols, 7, zero.clone());
        }
        L::Building => {
            let in_group = int(&cols[0])
                .and_then(|kid| refs.compound_kinds.get(&kid))
                .is_some_and(|k| k == CompoundKind::Group.code());
            let kind = if in_group {
                BuildingKind::Courtyard
            } else {
                BuildingKind::Building
            };
            set(cols, 2, t_(kind.code()));
            set(cols, 3, zero.clone());
        }
        L::Outlet => set(cols, 7, one.clone()),
        L::SupplyUnit => {
            for i in 6..=8 {
                set(cols, i, Value::Real(0.0));
            }
            for i in 9..=11 {
                set(cols, i, zero.clone());
            }
        }
        L::Staff => set(cols, 5, one.clone()),
        L::Vehicle => {}
        L::Pass => {
            let plate = text(&rec.values[2]).map(str::to_string);
            if cols[1].is_none() {
                if plate.is_some() {
                    cols[1] = Some(t_(PassKind::Vehicle.code()));
                } else {
                    issues.push(missing(row, t, "kind"));
                }
            }
            // A vehicle pass is for its vehicle's unit unless the sheet says.
            if cols[3].is_none()
                && let Some(p) = &plate
                && let Some((_, Some(unit))) = refs.vehicles.get(p)
            {
                cols[3] = Some(Value::Integer(*unit));
            }
            if cols[4].is_none() {
                let kind = text(&cols[1]).and_then(PassKind::from_code);
                let unit_name = int(&cols[3]).and_then(|u| refs.unit_names.get(&u)).cloned();
                match (kind, plate, unit_name) {
                    (Some(PassKind::Vehicle), Some(p), _) => cols[4] = Some(Value::Text(p)),
                    (Some(PassKind::Business), _, Some(u)) => cols[4] = Some(Value::Text(u)),
                    (Some(_), ..) => issues.push(missing(row, t, "subject")),
                    (None, ..) => {}
                }
            }
            set(cols, 9, t_(PassState::Issued.code()));
            set(cols, 11, Value::Text(to_db(now)));
        }
        L::Volunteer => set(cols, 7, one.clone()),
        L::Recipient | L::StockReport => {}
    }
}

/// Rules across fields of the record as it would be stored.
fn check_whole(t: LedgerTable, row: usize, cols: &[Option<Value>]) -> Option<RowIssue> {
    match t {
        LedgerTable::SupplyUnit => {
            let real = |i: usize| match &cols[i] {
                Some(Value::Real(x)) => *x,
                Some(Value::Integer(n)) => *n as f64,
                _ => 0.0,
            };
            let cap = Capacity {
                daily_sales: real(6),
                regular_stock: real(7),
                storage_capacity: real(8),
                staff: int(&cols[9]).unwrap_or(0),
                vehicles: int(&cols[10]).unwrap_or(0),
                drivers: int(&cols[11]).unwrap_or(0),
            };
            cap.check().err().map(|_| {
                issue(
                    row,
                    Some("regular_stock"),
                    msg!(
                        "常年库存量大于仓储库存能力；请核对这两个数字。",
                        "The regular stock is larger than the storage capacity; check both figures."
                    ),
                )
            })
        }
        LedgerTable::Pass => {
            let kind = text(&cols[1]).and_then(PassKind::from_code);
            if kind == Some(PassKind::Vehicle) && cols[2].is_none() {
                return Some(issue(
                    row,
                    Some("plate"),
                    msg!(
                        "车辆通行证须填写车牌号；请补填。",
                        "A vehicle pass needs its plate; fill it in."
                    ),
                ));
            }
            if kind == Some(PassKind::Business) && cols[3].is_none() {
                return Some(issue(
                    row,
                    Some("unit"),
                    msg!(
                        "营业许可须填写所属单位；请补填。",
                        "A business permit needs its supply unit; fill it in."
                    ),
                ));
            }
            let from = text(&cols[6]).and_then(from_db);
            let until = text(&cols[7]).and_then(from_db);
            let (Some(from), Some(until)) = (from, until) else {
                return None;
            };
            match pass::check_window(from, until) {
                Ok(()) => None,
                Err(WindowError::EndsBeforeStart) => Some(issue(
                    row,
                    Some("valid_until"),
                    msg!(
                        "有效期止早于有效期起；请核对日期。",
                        "The pass ends before it starts; check the dates."
                    ),
                )),
                Err(WindowError::TooLong) => Some(issue(
                    row,
                    Some("valid_until"),
                    msg!(
                        "有效期超过一年；请缩短，到期再续。",
                        "The validity window is longer than a year; shorten it and extend it later."
                    ),
                )),
            }
        }
        _ => None,
    }
}

/// A stored pass state may only change along the pass machine.
fn check_state_change(row: usize, old: &Value, new: &Value) -> Option<RowIssue> {
    let (Value::Text(o), Value::Text(n)) = (old, new) else {
        return None;
    };
    let (Some(o), Some(n)) = (PassState::from_code(o), PassState::from_code(n)) else {
        return None;
    };
    if o == n
        || pass::TRANSITIONS
            .iter()
            .any(|(from, _, to)| *from == o && *to == n)
    {
        return None;
    }
    let (ozh, nzh, oen, nen) = (
        o.label_zh(),
        n.label_zh(),
        o.label_en().to_lowercase(),
        n.label_en().to_lowercase(),
    );
    Some(issue(
        row,
        Some("state"),
        msg!(
            "通行证状态不能从“{ozh}”改为“{nzh}”；请在值守台按规定操作，或改正此格。",
            "A pass cannot go from {oen} to {nen}; do it at the desk as the rules allow, or correct the cell."
        ),
    ))
}

/// What to write, worked out before anything is written.
struct Plan {
    report: ImportReport,
    inserts: Vec<Vec<Value>>,
    updates: Vec<(i64, Vec<Value>)>,
}

fn shown(t: LedgerTable, col: &Col, v: &Value, refs: &Refs) -> String {
    let Some(key) = col.field else {
        return String::new();
    };
    let spec = t.field(key);
    let s = match v {
        Value::Null => return "（空）".to_string(),
        Value::Integer(n) => match (spec.map(|s| s.ty), col.name) {
            (Some(FieldType::Flag), _) => if *n == 1 { "是" } else { "否" }.to_string(),
            (_, "community_id") => refs.community_names.get(n).cloned().unwrap_or_default(),
            (_, "compound_id") => refs.compound_names.get(n).cloned().unwrap_or_default(),
            (_, "building_id") => refs.building_names.get(n).cloned().unwrap_or_default(),
            (_, "unit_id") => refs.unit_names.get(n).cloned().unwrap_or_default(),
            (_, "vehicle_id") => refs.plates.get(n).cloned().unwrap_or_default(),
            _ => n.to_string(),
        },
        Value::Real(x) => x.to_string(),
        Value::Text(s) => match spec.map(|s| s.ty) {
            Some(FieldType::Code(set)) => set.label_zh(s).unwrap_or(s).to_string(),
            Some(FieldType::From | FieldType::Until) => from_db(s)
                .map(super::fields::log_time)
                .unwrap_or_else(|| s.clone()),
            _ => s.clone(),
        },
        Value::Blob(_) => String::new(),
    };
    match spec {
        Some(spec) if spec.personal => match spec.ty {
            FieldType::Phone => mask::mask_phone(&s),
            FieldType::IdNumber => mask::mask_id_number(&s),
            FieldType::Line(_) => mask::mask_name(&s),
            _ => "***".to_string(),
        },
        _ => s,
    }
}

fn plan(
    conn: &Connection,
    t: LedgerTable,
    records: &[Record],
    now: DateTime<Utc>,
    progress: &dyn Progress,
) -> Result<Plan> {
    let refs = Refs::load(conn, t)?;
    let existing = Existing::load(conn, t)?;
    let cols = t.cols();
    let mut report = ImportReport {
        table: t,
        rows: records.len(),
        added: Vec::new(),
        changed: Vec::new(),
        unchanged: 0,
        issues: Vec::new(),
        seq: None,
    };
    let mut inserts = Vec::new();
    let mut updates = Vec::new();
    // key → the row that gave it; stored record → the row that updates it
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(records.len());
    let mut claimed: HashMap<usize, usize> = HashMap::new();
    progress.start(Phase::Checking, records.len() as u64);
    for (n, rec) in records.iter().enumerate() {
        if n % 1024 == 1023 {
            progress.advance(1024);
        }
        let issues = &mut report.issues;
        let before = issues.len();
        let Some(res) = resolve(t, &refs, rec, issues) else {
            if issues.len() == before && !rec.broken {
                // Never drop a row silently.
                issues.push(issue(
                    rec.row,
                    None,
                    msg!(
                        "这一行无法与台账对应；请检查关键列是否填写完整。",
                        "This row cannot be matched with the register; check that its key columns are filled in."
                    ),
                ));
            }
            continue;
        };
        // Only the first key names the record: two volunteers of one name
        // in one community are two people when their phones differ.
        let dup = res.keys.first().and_then(|k| seen.get(k).copied());
        if let Some(first) = dup {
            let spec = &t.fields()[0];
            let (zh, en, label) = (spec.zh, spec.en, &res.label);
            issues.push(issue(
                rec.row,
                Some(spec.key),
                msg!(
                    "与第 {first} 行重复（{zh}“{label}”）；同一记录只能出现一次，请删去或合并其中一行。",
                    "This repeats row {first} ({en} \"{label}\"); a record may appear only once, so delete or merge one of the rows."
                ),
            ));
            continue;
        }
        if let Some(k) = res.keys.first() {
            seen.insert(k.clone(), rec.row);
        }
        // The first key that finds a stored record decides.
        let mut hit = None;
        for k in &res.keys {
            match existing.index.get(k).map(Vec::as_slice) {
                None | Some([]) => continue,
                Some([one]) => {
                    hit = Some(*one);
                    break;
                }
                Some(many) => {
                    let n = many.len();
                    let label = &res.label;
                    issues.push(issue(
                        rec.row,
                        Some(t.fields()[0].key),
                        msg!(
                            "“{label}”对应已登记的 {n} 条记录，无法确定更新哪一条；请补填联系电话或身份证号以区分。",
                            "\"{label}\" fits {n} registered records, so it is unclear which to update; add a phone or ID number to tell them apart."
                        ),
                    ));
                    break;
                }
            }
        }
        if issues.len() > before || rec.broken {
            continue;
        }
        if let Some(i) = hit {
            if let Some(first) = claimed.insert(i, rec.row) {
                let label = &res.label;
                issues.push(issue(
                    rec.row,
                    Some(t.fields()[0].key),
                    msg!(
                        "与第 {first} 行指向同一条已登记的记录（{label}）；请删去或合并其中一行。",
                        "This row and row {first} are the same registered record ({label}); delete or merge one of them."
                    ),
                ));
                continue;
            }
            let old = &existing.rows[i];
            let merged: Vec<Value> = cols
                .iter()
                .zip(old)
                .zip(res.cols)
                .map(|((col, old), new)| match new {
                    Some(v) if !col.fixed => v,
                    _ => old.clone(),
                })
                .collect();
            if t == LedgerTable::Pass
                && let Some(e) = check_state_change(rec.row, &old[9], &merged[9])
            {
                issues.push(e);
                continue;
            }
            let as_opt: Vec<Option<Value>> = merged
                .iter()
                .map(|v| (!matches!(v, Value::Null)).then(|| v.clone()))
                .collect();
            if let Some(e) = check_whole(t, rec.row, &as_opt) {
                issues.push(e);
                continue;
            }
            let fields: Vec<FieldChange> = cols
                .iter()
                .zip(old.iter().zip(&merged))
                .filter(|(_, (o, n))| o != n)
                .filter_map(|(col, (o, n))| {
                    Some(FieldChange {
                        field: col.field?,
                        old: shown(t, col, o, &refs),
                        new: shown(t, col, n, &refs),
                    })
                })
                .collect();
            if fields.is_empty() {
                report.unchanged += 1;
            } else {
                report.changed.push(Changed {
                    row: rec.row,
                    key: res.label,
                    fields,
                });
                updates.push((existing.ids[i], merged));
            }
        } else {
            let mut full = res.cols;
            complete_new(t, &refs, rec, &mut full, now, issues);
            if issues.len() > before {
                continue;
            }
            if let Some(e) = check_whole(t, rec.row, &full) {
                issues.push(e);
                continue;
            }
            report.added.push((rec.row, res.label));
            inserts.push(full.into_iter().map(|v| v.unwrap_or(Value::Null)).collect());
        }
    }
    progress.advance(records.len() as u64 % 1024);
    report.issues.sort_by_key(|i| i.row);
    Ok(Plan {
        report,
        inserts,
        updates,
    })
}

fn log_text(t: LedgerTable, report: &ImportReport, source: &Source) -> String {
    let (zh, en) = t.label();
    let (a, c, u) = (report.added.len(), report.changed.len(), report.unchanged);
    let mut s = format!(
        "导入{zh} Ledger import ({en}): {file}, SHA-256 {sha}; 新增 added {a}, 更新 changed {c}, 未变 unchanged {u}",
        file = source.file_name,
        sha = source.sha256,
    );
    if !report.changed.is_empty() {
        let names: Vec<&str> = report
            .changed
            .iter()
            .take(LOG_NAMES_MAX)
            .map(|c| c.key.as_str())
            .collect();
        s.push_str("; 更新的记录 changed: ");
        s.push_str(&names.join("、"));
        if report.changed.len() > LOG_NAMES_MAX {
            s.push_str(&format!(" …（+{}）", report.changed.len() - LOG_NAMES_MAX));
        }
    }
    s
}

/// An existing row's id and its new values.
type Update = (i64, Vec<Value>);

/// Imported columns of free text, scrubbed on the way in.
const FREE_TEXT: &[(&str, &str)] = &[("pass", "reason"), ("volunteer", "tasks")];

fn apply(
    w: &mut Writer<'_>,
    t: LedgerTable,
    plan: &Plan,
    source: &Source,
    progress: &dyn Progress,
) -> Result<i64> {
    let seq = w.log(LogDraft::change(
        t.table(),
        log_text(t, &plan.report, source),
    ))?;
    let cols = t.cols();
    let names: Vec<&str> = cols.iter().map(|c| c.name).collect();
    let n = cols.len();
    // Free text imported passes the door's scrubber (issue 21).
    let free: Vec<usize> = names
        .iter()
        .enumerate()
        .filter(|(_, c)| FREE_TEXT.contains(&(t.table(), **c)))
        .map(|(i, _)| i)
        .collect();
    let scrub_row = |w: &mut Writer<'_>, row: &[Value]| -> Result<Vec<Value>> {
        let mut row = row.to_vec();
        for &i in &free {
            if let Some(Value::Text(s)) = row.get(i) {
                let clean = w.scrub(s)?;
                row[i] = Value::Text(clean);
            }
        }
        Ok(row)
    };
    // Scrubbed before the statements borrow the connection; copied only
    // for the tables that have free text.
    let (inserts, updates): (Cow<'_, [Vec<Value>]>, Cow<'_, [Update]>) = if free.is_empty() {
        (
            Cow::Borrowed(&plan.inserts[..]),
            Cow::Borrowed(&plan.updates[..]),
        )
    } else {
        let i = plan
            .inserts
            .iter()
            .map(|r| scrub_row(w, r))
            .collect::<Result<Vec<_>>>()?;
        let u = plan
            .updates
            .iter()
            .map(|(id, r)| Ok((*id, scrub_row(w, r)?)))
            .collect::<Result<Vec<_>>>()?;
        (Cow::Owned(i), Cow::Owned(u))
    };
    progress.start(Phase::Writing, (inserts.len() + updates.len()) as u64);
    if !inserts.is_empty() {
        let marks: Vec<String> = (1..=n + 2).map(|i| format!("?{i}")).collect();
        let sql = format!(
            "INSERT INTO {} (id, {}, log_seq) VALUES ({})",
            t.table(),
            names.join(", "),
            marks.join(", ")
        );
        let mut st = w.conn().prepare(&sql)?;
        // The write lock is held: the ids after the largest are free.
        let first = w.next_id(t.table())?;
        for (k, row) in inserts.iter().enumerate() {
            let id = first + k as i64;
            let params = std::iter::once(Value::Integer(id))
                .chain(row.iter().cloned())
                .chain(std::iter::once(Value::Integer(seq)));
            st.execute(params_from_iter(params))?;
            if k % 1024 == 1023 {
                progress.advance(1024);
            }
        }
        progress.advance(inserts.len() as u64 % 1024);
    }
    if !updates.is_empty() {
        let sets: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ?{}", i + 1))
            .collect();
        let sql = format!(
            "UPDATE {} SET {}, log_seq = ?{} WHERE id = ?{}",
            t.table(),
            sets.join(", "),
            n + 1,
            n + 2
        );
        let mut st = w.conn().prepare(&sql)?;
        for (id, row) in updates.iter() {
            let params = row
                .iter()
                .cloned()
                .chain([Value::Integer(seq), Value::Integer(*id)]);
            st.execute(params_from_iter(params))?;
            progress.advance(1);
        }
    }
    Ok(seq)
}

/// Every row of a ledger, aligned to [`LedgerTable::fields`]: names for
/// references, codes, UTC times; personal data raw (mask before showing).
pub fn rows(conn: &Connection, t: LedgerTable) -> Result<Vec<Vec<Value>>> {
    let n = t.fields().len();
    let mut st = conn.prepare(t.export_sql())?;
    let mut q = st.query([])?;
    let mut out = Vec::new();
    while let Some(r) = q.next()? {
        let mut row = Vec::with_capacity(n);
        for i in 0..n {
            row.push(r.get::<_, Value>(i)?);
        }
        out.push(row);
    }
    Ok(out)
}

impl Store {
    /// What importing `records` would do, without writing (`--dry-run`,
    /// and the check of a file whose cells already failed).
    pub fn check_ledger(
        &self,
        t: LedgerTable,
        records: &[Record],
        progress: &dyn Progress,
    ) -> Result<ImportReport> {
        if t == LedgerTable::StockReport {
            return stock::check(&self.conn, records, self.now(), progress);
        }
        Ok(plan(&self.conn, t, records, self.now(), progress)?.report)
    }

    /// Imports `records` all or nothing: when any row has an issue the
    /// report lists them and nothing is written; otherwise one log entry
    /// (subject: the table) and every insert and update under it, in one
    /// transaction.
    pub fn import_ledger(
        &mut self,
        actor: &Actor,
        t: LedgerTable,
        records: &[Record],
        source: &Source,
        progress: &dyn Progress,
    ) -> Result<ImportReport> {
        if t == LedgerTable::StockReport {
            // Stock reports move predicted alerts, which need the norms.
            return Ok(self
                .import_stock(actor, records, source, &Norms::default(), progress)?
                .report);
        }
        let mut refused: Option<ImportReport> = None;
        let outcome = self.change(actor, |w| {
            let plan = plan(w.conn(), t, records, w.now(), progress)?;
            if !plan.report.issues.is_empty() {
                let n = plan.report.issues.len();
                refused = Some(plan.report);
                // Dropping the transaction rolls back; nothing was written.
                return Err(StoreError::Refused(msg!(
                    "台账有 {n} 处问题，未导入任何内容。",
                    "The ledger has {n} problems; nothing was imported."
                )));
            }
            let seq = apply(w, t, &plan, source, progress)?;
            let mut report = plan.report;
            report.seq = Some(seq);
            Ok(report)
        });
        match (outcome, refused) {
            (_, Some(report)) => Ok(report),
            (Ok((report, _)), None) => Ok(report),
            (Err(e), None) => Err(e),
        }
    }

    /// Imports stock reports all or nothing, like [`Store::import_ledger`]:
    /// one log entry (subject `stock_report`) and every new report under
    /// it; then, in the same transaction, the predictive rule with `norms`
    /// on every community and item class that received a report, each
    /// predicted alert raised or cleared with its own entry after the
    /// import's. When any row has an issue, nothing is written.
    pub fn import_stock(
        &mut self,
        actor: &Actor,
        records: &[Record],
        source: &Source,
        norms: &Norms,
        progress: &dyn Progress,
    ) -> Result<StockImport> {
        let mut refused: Option<ImportReport> = None;
        let outcome = self.change(actor, |w| {
            match stock::import_in(w, records, source, norms, progress)? {
                Ok(done) => Ok(done),
                Err(report) => {
                    let n = report.issues.len();
                    refused = Some(report);
                    // Dropping the transaction rolls back; nothing was written.
                    Err(StoreError::Refused(msg!(
                        "台账有 {n} 处问题，未导入任何内容。",
                        "The ledger has {n} problems; nothing was imported."
                    )))
                }
            }
        });
        match (outcome, refused) {
            (_, Some(report)) => Ok(StockImport {
                report,
                predicted: Vec::new(),
            }),
            (Ok((done, _)), None) => Ok(done),
            (Err(e), None) => Err(e),
        }
    }

    /// Every row of a ledger for export; see [`rows`].
    pub fn ledger_rows(&self, t: LedgerTable) -> Result<Vec<Vec<Value>>> {
        rows(&self.conn, t)
    }

    /// Reveals a ledger's personal data: reads the rows, hands them to
    /// `write` and records a `access` entry naming the officer, how many
    /// rows and where they went, all in one transaction, so that the
    /// reveal and its log line stand or fall together.
    pub fn reveal_ledger<T>(
        &mut self,
        actor: &Actor,
        t: LedgerTable,
        destination: &str,
        write: impl FnOnce(Vec<Vec<Value>>) -> std::result::Result<T, Msg>,
    ) -> Result<T> {
        self.change(actor, |w| {
            let rows = rows(w.conn(), t)?;
            let n = rows.len();
            let (zh, en) = t.label();
            let officer = w.actor().officer.clone();
            let out = write(rows).map_err(StoreError::Refused)?;
            w.log(LogDraft {
                kind: LogKind::Access,
                text: format!(
                    "导出未遮蔽的{zh}（含个人信息）Exported {en} unmasked: {n} 条 rows → {destination}, 值班员 officer {officer}"
                ),
                occurred_at: None,
                subject: Some(t.table().to_string()),
                corrects: None,
            })?;
            Ok(out)
        })
        .map(|(out, _)| out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_aligns_fields_and_columns() {
        for &t in LedgerTable::ALL {
            let keys: Vec<&str> = t.fields().iter().map(|f| f.key).collect();
            for col in t.cols() {
                if let Some(k) = col.field {
                    assert!(keys.contains(&k), "{t:?}: column {} shows as {k}", col.name);
                }
            }
            let mut sorted = keys.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), keys.len(), "{t:?}: field keys repeat");
        }
    }

    #[test]
    fn community_spellings_cover_both_habits() {
        assert_eq!(
            community_spellings("螺蛳包"),
            vec!["螺蛳包", "螺蛳包社区", "螺蛳包村"]
        );
        assert_eq!(community_spellings("龙宝村"), vec!["龙宝村", "龙宝"]);
        assert_eq!(community_spellings("社区"), vec!["社区"]);
    }

    #[test]
    fn phones_match_however_written() {
        assert_eq!(phone_digits("138 1234-5678"), "13812345678");
        assert_eq!(phone_digits("+86 13812345678"), "13812345678");
        assert_eq!(phone_digits("023-58123456"), "02358123456");
    }

    #[test]
    fn pass_states_change_only_along_the_machine() {
        let v = |s: &str| Value::Text(s.to_string());
        assert!(check_state_change(2, &v("issued"), &v("suspended")).is_none());
        assert!(check_state_change(2, &v("issued"), &v("issued")).is_none());
        let e = check_state_change(2, &v("revoked"), &v("issued")).expect("refused");
        assert_eq!((e.row, e.field), (2, Some("state")));
        assert!(e.message.en.contains("from revoked to issued"), "{e:?}");
    }
}
