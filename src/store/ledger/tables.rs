//! The ledgers' tables: their fields as a sheet names them, their
//! columns as the store holds them, and the codes a field takes.

use crate::domain::Code;
use crate::domain::alert::ItemClass;
use crate::domain::delivery::Group;
use crate::domain::pass::{PassKind, PassState};
use crate::domain::place::{BuildingKind, CommunityKind, CompoundKind};
use crate::domain::unit::UnitCategory;
use crate::store::fields::{NAME_MAX_CHARS, TEXT_MAX_CHARS};

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

pub(super) fn parse_code<C: Code>(s: &str) -> Option<&'static str> {
    C::parse(s).map(Code::code)
}

pub(super) fn zh_of<C: Code>(code: &str) -> Option<&'static str> {
    C::from_code(code).map(Code::label_zh)
}

pub(super) fn zh_list<C: Code>() -> String {
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

pub(super) const fn f(
    key: &'static str,
    zh: &'static str,
    en: &'static str,
    ty: FieldType,
) -> FieldSpec {
    FieldSpec {
        key,
        zh,
        en,
        ty,
        need: Need::Optional,
        personal: false,
    }
}

pub(super) const fn key(mut s: FieldSpec) -> FieldSpec {
    s.need = Need::Key;
    s
}

pub(super) const fn new(mut s: FieldSpec) -> FieldSpec {
    s.need = Need::New;
    s
}

pub(super) const fn personal(mut s: FieldSpec) -> FieldSpec {
    s.personal = true;
    s
}

use FieldType as T;

pub(super) const LINE: FieldType = T::Line(NAME_MAX_CHARS);
pub(super) const LONG: FieldType = T::Line(TEXT_MAX_CHARS);

pub(super) const COMMUNITY_FIELDS: &[FieldSpec] = &[
    key(f("name", "社区名称", "community", LINE)),
    f("kind", "类型", "kind", T::Code(CodeSet::CommunityKind)),
    f("resident_pop", "常住人口", "resident population", T::Count),
    f("floating_pop", "流动人口", "floating population", T::Count),
    f("households", "户数", "households", T::Count),
    f("contact", "联系人", "contact person", LINE),
    f("phone", "联系电话", "phone", T::Phone),
];

pub(super) const COMPOUND_FIELDS: &[FieldSpec] = &[
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

pub(super) const BUILDING_FIELDS: &[FieldSpec] = &[
    key(f("community", "社区名称", "community", T::Name)),
    key(f("compound", "小区名称", "compound", T::Name)),
    key(f("name", "楼栋名称", "building", LINE)),
    f("kind", "类型", "kind", T::Code(CodeSet::BuildingKind)),
    f("households", "户数", "households", T::Count),
    f("transfer_point", "临时转运点", "transfer point", LONG),
];

pub(super) const OUTLET_FIELDS: &[FieldSpec] = &[
    key(f("community", "社区名称", "community", T::Name)),
    key(f("name", "网点名称", "outlet", LINE)),
    f("category", "业态", "category", LINE),
    f("address", "地址", "address", LONG),
    f("contact", "负责人", "contact person", LINE),
    f("phone", "联系电话", "phone", T::Phone),
    f("hours", "营业时间", "opening hours", LINE),
    f("is_open", "正常营业", "open", T::Flag),
];

pub(super) const UNIT_FIELDS: &[FieldSpec] = &[
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

pub(super) const STAFF_FIELDS: &[FieldSpec] = &[
    key(f("unit", "所属单位", "supply unit", T::Name)),
    key(f("name", "姓名", "name", LINE)),
    f("role", "岗位", "post", LINE),
    f("phone", "联系电话", "phone", T::Phone),
    f("lodging", "住宿地点", "lodging", LONG),
    f("on_duty", "在岗", "on duty", T::Flag),
];

pub(super) const VEHICLE_FIELDS: &[FieldSpec] = &[
    key(f("plate", "车牌号", "plate", T::Plate)),
    f("vehicle_type", "车型", "vehicle type", LINE),
    f("load_tonnes", "核定载重（吨）", "load (tonnes)", T::Tonnes),
    f("unit", "所属单位", "supply unit", T::Name),
    f("driver", "驾驶员", "driver", LINE),
    f("phone", "联系电话", "phone", T::Phone),
];

pub(super) const PASS_FIELDS: &[FieldSpec] = &[
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

pub(super) const VOLUNTEER_FIELDS: &[FieldSpec] = &[
    key(f("name", "姓名", "name", LINE)),
    f("phone", "联系电话", "phone", T::Phone),
    new(f("community", "社区名称", "community", T::Name)),
    f("compound", "小区名称", "compound", T::Name),
    f("building", "楼栋", "building", T::Name),
    f("station", "服务岗位", "station", LINE),
    f("tasks", "任务清单", "tasks", T::Text(TEXT_MAX_CHARS)),
    f("active", "在岗", "active", T::Flag),
];

pub(super) const RECIPIENT_FIELDS: &[FieldSpec] = &[
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

pub(super) const STOCK_FIELDS: &[FieldSpec] = &[
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
pub(super) struct Col {
    pub(super) name: &'static str,
    /// The field key it is shown as; `None` for bookkeeping columns.
    pub(super) field: Option<&'static str>,
    /// Part of what the row is matched on: never changed by an import.
    pub(super) fixed: bool,
}

pub(super) const fn c(name: &'static str, field: &'static str) -> Col {
    Col {
        name,
        field: Some(field),
        fixed: false,
    }
}

pub(super) const fn fixed(name: &'static str, field: &'static str) -> Col {
    Col {
        name,
        field: Some(field),
        fixed: true,
    }
}

pub(super) const COMMUNITY_COLS: &[Col] = &[
    fixed("name", "name"),
    c("kind", "kind"),
    c("resident_pop", "resident_pop"),
    c("floating_pop", "floating_pop"),
    c("households", "households"),
    c("contact", "contact"),
    c("phone", "phone"),
];
pub(super) const COMPOUND_COLS: &[Col] = &[
    fixed("community_id", "community"),
    fixed("name", "name"),
    c("kind", "kind"),
    c("households", "households"),
    c("resident_pop", "resident_pop"),
    c("floating_pop", "floating_pop"),
    c("transfer_station", "transfer_station"),
    c("station_active", "station_active"),
];
pub(super) const BUILDING_COLS: &[Col] = &[
    fixed("compound_id", "compound"),
    fixed("name", "name"),
    c("kind", "kind"),
    c("households", "households"),
    c("transfer_point", "transfer_point"),
];
pub(super) const OUTLET_COLS: &[Col] = &[
    fixed("community_id", "community"),
    fixed("name", "name"),
    c("category", "category"),
    c("address", "address"),
    c("contact", "contact"),
    c("phone", "phone"),
    c("hours", "hours"),
    c("is_open", "is_open"),
];
pub(super) const UNIT_COLS: &[Col] = &[
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
pub(super) const STAFF_COLS: &[Col] = &[
    fixed("unit_id", "unit"),
    fixed("name", "name"),
    c("role", "role"),
    c("phone", "phone"),
    c("lodging", "lodging"),
    c("on_duty", "on_duty"),
];
pub(super) const VEHICLE_COLS: &[Col] = &[
    fixed("plate", "plate"),
    c("vehicle_type", "vehicle_type"),
    c("load_tonnes", "load_tonnes"),
    c("unit_id", "unit"),
    c("driver", "driver"),
    c("phone", "phone"),
];
pub(super) const PASS_COLS: &[Col] = &[
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
pub(super) const VOLUNTEER_COLS: &[Col] = &[
    fixed("name", "name"),
    c("phone", "phone"),
    c("community_id", "community"),
    c("compound_id", "compound"),
    c("building_id", "building"),
    c("station", "station"),
    c("tasks", "tasks"),
    c("active", "active"),
];
pub(super) const RECIPIENT_COLS: &[Col] = &[
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
pub(super) const STOCK_COLS: &[Col] = &[
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

    pub(super) fn cols(self) -> &'static [Col] {
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
    pub(super) fn export_sql(self) -> &'static str {
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
