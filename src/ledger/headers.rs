//! Column headers as clerks write them: 车牌号 or 车牌 or 号牌号码, with a
//! unit in brackets, a `*` for "required", a line break in the cell, or
//! in English. Each field has its own aliases per table (名称 is the
//! community's name in one sheet and the outlet's in another).

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::store::ledger::{FieldSpec, LedgerTable};

/// Headers that are the clerk's own bookkeeping, skipped without a word.
const IGNORED: &[&str] = &[
    "序号", "编号", "备注", "说明", "no", "no.", "remarks", "note",
];

/// Other names for a field, besides its own Chinese header, English key
/// and English name.
fn aliases(t: LedgerTable, key: &str) -> &'static [&'static str] {
    use LedgerTable as L;
    const PHONE: &[&str] = &[
        "电话",
        "联系电话",
        "手机",
        "手机号",
        "手机号码",
        "联系方式",
        "tel",
        "mobile",
        "telephone",
        "联系人电话",
        "负责人电话",
        "负责人联系电话",
        "驾驶员电话",
        "驾驶员联系电话",
        "驾驶人电话",
        "司机电话",
    ];
    const COMMUNITY: &[&str] = &[
        "社区",
        "所属社区",
        "社区（村）",
        "社区(村)",
        "社区（村）名称",
        "村",
        "村（社区）",
        "所在社区",
        "所属社区（村）",
        "所在社区（村）",
    ];
    const COMPOUND: &[&str] = &[
        "小区",
        "所属小区",
        "小区（组）",
        "小区(组)",
        "组",
        "村民小组",
        "所在小区",
        "小区名称",
        "所属小区（组）",
        "所在小区（组）",
    ];
    const RESIDENT: &[&str] = &["常住人口", "常驻人口", "常住人口数", "常住", "residents"];
    const FLOATING: &[&str] = &[
        "流动人口",
        "流动人口数",
        "流动",
        "暂住人口",
        "暂住人口数",
        "暂住",
        "floating",
    ];
    const HOUSEHOLDS: &[&str] = &["户数", "总户数", "住户数"];
    const CONTACT: &[&str] = &["联系人", "负责人", "contact"];
    const UNIT: &[&str] = &[
        "所属单位",
        "单位",
        "单位名称",
        "保供单位",
        "工作单位",
        "所属企业",
    ];
    const FLAG_ACTIVE: &[&str] = &["在岗", "是否在岗", "到岗"];
    match (t, key) {
        (_, "phone") => PHONE,
        (_, "households") => HOUSEHOLDS,
        (_, "resident_pop") => RESIDENT,
        (_, "floating_pop") => FLOATING,
        (_, "contact") => CONTACT,
        (L::Community, "name") => &[
            "社区名称",
            "社区",
            "村",
            "社区（村）",
            "村名",
            "名称",
            "社区（村）名称",
            "村（社区）名称",
            "社区（村）",
            "community",
        ],
        (L::Community, "kind") => &["类型", "类别", "社区类型", "社区（村）类型", "type"],
        (L::Compound, "kind") => &["类型", "类别", "小区类型", "type"],
        (L::Building, "kind") => &["类型", "类别", "楼栋类型", "type"],
        (L::StockReport, "community") => &[
            "社区",
            "村",
            "社区/村",
            "社区(村)",
            "社区名称",
            "所属社区",
            "村（社区）",
            "社区（村）名称",
        ],
        (_, "community") => COMMUNITY,
        (L::Compound, "name") => &[
            "小区名称",
            "小区",
            "小区（组）",
            "小区(组)",
            "组",
            "村民小组",
            "名称",
            "compound name",
        ],
        (L::Compound, "transfer_station") => &[
            "中转站",
            "物资中转站",
            "中转站名称",
            "中转站地点",
            "中转站位置",
            "station",
        ],
        (L::Compound, "station_active") => {
            &["是否启用", "启用", "已启用", "中转站是否启用", "active"]
        }
        (_, "compound") => COMPOUND,
        (L::Building, "name") => &[
            "楼栋",
            "楼栋号",
            "楼号",
            "楼栋名称",
            "楼栋（院落）",
            "楼栋(院落)",
            "院落",
            "自然院落",
            "名称",
        ],
        (L::Building, "transfer_point") => &["转运点", "临时转运点位置", "转运点位置", "point"],
        (L::Outlet, "name") => &["网点", "网点名称", "店名", "商户名称", "名称"],
        (L::Outlet, "category") => &["业态", "类型", "类别", "经营类别", "type"],
        (L::Outlet, "address") | (L::SupplyUnit, "address") => {
            &["地址", "经营地址", "详细地址", "地点"]
        }
        (L::Outlet, "hours") => &["营业时间", "hours"],
        (L::Outlet, "is_open") => &["正常营业", "是否营业", "营业状态", "营业", "open"],
        (L::SupplyUnit, "name") => &[
            "单位名称",
            "企业名称",
            "保供单位",
            "单位",
            "名称",
            "unit",
            "name",
        ],
        (L::SupplyUnit, "category") => &["类别", "类型", "保供类别", "行业", "type"],
        (L::SupplyUnit, "daily_sales") => &["日销售量", "日均销售量", "日销量", "sales"],
        (L::SupplyUnit, "regular_stock") => &["常年库存量", "常年库存", "库存量", "库存", "stock"],
        (L::SupplyUnit, "storage_capacity") => &["仓储库存能力", "仓储能力", "仓储容量", "storage"],
        (L::SupplyUnit, "staff") => &["从业人数", "从业人员", "员工人数", "从业人员数"],
        (L::SupplyUnit, "vehicles") => &["运输车辆", "车辆数", "运输车辆数", "车辆"],
        (L::SupplyUnit, "drivers") => &["运输人员", "运输人员数", "驾驶员人数", "司机人数"],
        (L::Staff, "name") | (L::Volunteer, "name") => {
            &["姓名", "名字", "人员姓名", "志愿者姓名", "name"]
        }
        (L::Staff, "role") => &["岗位", "职务", "工种", "role"],
        (L::Staff, "lodging") => &["住宿地点", "住宿场所", "住宿", "住宿点"],
        (L::Staff, "on_duty") | (L::Volunteer, "active") => FLAG_ACTIVE,
        (_, "unit") => UNIT,
        (_, "plate") => &[
            "车牌号",
            "车牌",
            "车牌号码",
            "号牌号码",
            "号牌",
            "车辆号牌",
            "plate number",
            "licence plate",
            "license plate",
        ],
        (L::Vehicle, "vehicle_type") => &["车型", "车辆类型", "车辆型号", "type"],
        (L::Vehicle, "load_tonnes") => &[
            "核定载重",
            "载重",
            "载重量",
            "核载",
            "载重(吨)",
            "核定载质量",
            "载质量",
            "核定载重量",
            "load",
        ],
        (L::Vehicle, "driver") => &[
            "驾驶员",
            "驾驶人",
            "司机",
            "驾驶员姓名",
            "驾驶人员",
            "driver",
        ],
        (L::Pass, "number") => &[
            "证号",
            "通行证号",
            "通行证编号",
            "编号",
            "证件编号",
            "number",
            "pass no",
        ],
        (L::Pass, "kind") => &["类型", "证件类型", "通行证类型", "类别", "type"],
        (L::Pass, "subject") => &["持证对象", "持证人", "对象", "holder"],
        (L::Pass, "issuer") => &["发证单位", "发证机关", "签发单位", "issuer"],
        (L::Pass, "valid_from") => &[
            "有效期起",
            "有效期自",
            "起始日期",
            "开始日期",
            "生效日期",
            "起始时间",
            "有效期开始",
            "有效期起始",
            "有效期开始日期",
            "from",
            "start",
        ],
        (L::Pass, "valid_until") => &[
            "有效期止",
            "有效期至",
            "截止日期",
            "到期日期",
            "结束日期",
            "截止时间",
            "有效期结束",
            "有效期截止",
            "有效期结束日期",
            "until",
            "end",
            "expires",
        ],
        (L::Pass, "area") => &[
            "通行区域",
            "通行线路",
            "线路",
            "区域",
            "通行区域或线路",
            "route",
        ],
        (L::Pass, "state") => &["状态", "证件状态", "state", "status"],
        (L::Pass, "reason") => &["原因", "暂停原因", "吊销原因", "reason"],
        (L::Volunteer, "building") => &["楼栋", "楼栋号", "楼栋名称", "楼号"],
        (L::Volunteer, "station") => &[
            "服务岗位",
            "岗位",
            "服务点位",
            "站点",
            "分配岗位",
            "中转站/转运点",
            "station",
        ],
        (L::Volunteer, "tasks") => &[
            "任务清单",
            "任务",
            "服务内容",
            "工作内容",
            "责任清单",
            "tasks",
        ],
        (L::Recipient, "name") => &["姓名", "对象姓名", "name"],
        (L::Recipient, "id_number") => &[
            "身份证号",
            "身份证号码",
            "公民身份号码",
            "身份证",
            "id number",
            "id no",
        ],
        (L::Recipient, "group") => &[
            "类别",
            "群体类别",
            "特殊群体类别",
            "人员类别",
            "类型",
            "group",
        ],
        (L::Recipient, "condition") => &["身体状况", "健康状况", "病情", "condition"],
        (L::Recipient, "building") => &["楼栋", "楼栋号", "楼号"],
        (L::Recipient, "unit_no") => &["单元", "单元号"],
        (L::Recipient, "room") => &["房号", "门牌号", "房间号", "室"],
        (L::Recipient, "needs") => &["需求", "物资需求", "所需物资", "needs"],
        (L::StockReport, "item") => &[
            "品类",
            "物资品类",
            "物资类别",
            "类别",
            "品种",
            "物资",
            "item",
            "item class",
        ],
        (L::StockReport, "stock") => &[
            "库存量",
            "现有库存",
            "当前库存",
            "库存数量",
            "stock",
            "stock on hand",
        ],
        (L::StockReport, "supply_in") => &[
            "日到货量",
            "每日到货",
            "日供应量",
            "日供货量",
            "日均到货",
            "supply in",
            "daily supply",
        ],
        (L::StockReport, "reported_at") => &[
            "报告时间",
            "时间",
            "截至时间",
            "统计时间",
            "报告时点",
            "as of",
            "reported at",
            "time",
        ],
        (L::StockReport, "outlet") => &["网点名称", "零售网点", "商户名称", "outlet"],
        (L::StockReport, "station") => &[
            "中转站",
            "物资中转站",
            "中转站名称",
            "小区",
            "小区名称",
            "小区（组）",
            "组",
            "station",
            "compound",
        ],
        (L::StockReport, "reporter") => &["报告人", "填报人", "上报人", "reporter"],
        (L::StockReport, "channel") => &["报送方式", "渠道", "来源渠道", "channel", "via"],
        _ => &[],
    }
}

/// [`normalize`], keeping colons (which end a note's opening word).
pub fn normalize_keep_colon(h: &str) -> String {
    h.split([':', '：'])
        .map(normalize)
        .collect::<Vec<_>>()
        .join(":")
}

/// A header reduced to what tells it apart: half-width, lower case, no
/// spaces, underscores, dashes, `*` or colons.
pub fn normalize(h: &str) -> String {
    h.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '*' | ':' | '\u{FEFF}'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The header split at a trailing bracket or slash: 载重(吨) → (载重, 吨),
/// 库存/kg → (库存, kg).
pub fn split_unit(n: &str) -> Option<(&str, &str)> {
    if let Some(stripped) = n.strip_suffix(')') {
        let open = stripped.rfind('(')?;
        return (open > 0).then(|| (&n[..open], &stripped[open + 1..]));
    }
    let slash = n.rfind('/')?;
    (slash > 0 && slash + 1 < n.len()).then(|| (&n[..slash], &n[slash + 1..]))
}

/// The header with every bracketed part removed: 社区(村)名称 → 社区名称.
fn without_brackets(n: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in n.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Every name of every field of `t`, normalised, with the fields (by
/// index into the table's fields, in their order) it names; built once.
fn names_of(t: LedgerTable) -> &'static HashMap<String, Vec<usize>> {
    static TABLES: OnceLock<Vec<HashMap<String, Vec<usize>>>> = OnceLock::new();
    let all = TABLES.get_or_init(|| {
        LedgerTable::ALL
            .iter()
            .map(|&t| {
                let mut m: HashMap<String, Vec<usize>> = HashMap::new();
                for (i, f) in t.fields().iter().enumerate() {
                    let own = [f.zh, f.key, f.en];
                    for name in own.iter().chain(aliases(t, f.key)) {
                        let v = m.entry(normalize(name)).or_default();
                        if !v.contains(&i) {
                            v.push(i);
                        }
                    }
                }
                m
            })
            .collect()
    });
    let at = LedgerTable::ALL.iter().position(|x| *x == t).unwrap_or(0);
    &all[at]
}

/// A header understood: the field it names, and the unit written with it
/// (the bracket's text, normalised), if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub field: usize,
    pub unit: Option<String>,
}

/// Which field of `fields` (indices into the table's fields) a header
/// names, and the unit it carries: tried whole, then without a trailing
/// unit, then without any bracket, then without a trailing 名称/号码.
pub fn heading(t: LedgerTable, fields: &[(usize, &FieldSpec)], header: &str) -> Option<Heading> {
    let n = normalize(header);
    if n.is_empty() {
        return None;
    }
    let names = names_of(t);
    let matches = |cand: &str| {
        let hits = names.get(cand)?;
        hits.iter()
            .copied()
            .find(|h| fields.iter().any(|(i, _)| i == h))
    };
    let bare = |cand: &str| {
        matches(cand).or_else(|| {
            ["名称", "号码", "号", "数"].iter().find_map(|w| {
                cand.strip_suffix(w)
                    .filter(|r| !r.is_empty())
                    .and_then(matches)
            })
        })
    };
    if let Some(field) = matches(&n) {
        return Some(Heading { field, unit: None });
    }
    if let Some((base, unit)) = split_unit(&n) {
        let base = without_brackets(base);
        if let Some(field) = bare(&base) {
            return Some(Heading {
                field,
                unit: Some(unit.to_string()),
            });
        }
    }
    bare(&without_brackets(&n)).map(|field| Heading { field, unit: None })
}

/// Which field of `fields` (indices into the table's fields) a header
/// names.
pub fn field_for(t: LedgerTable, fields: &[(usize, &FieldSpec)], header: &str) -> Option<usize> {
    heading(t, fields, header).map(|h| h.field)
}

/// Words that show a header is about a field even in another wording
/// (人口 over no sub-row, 有效期 alone): such a column is never left out
/// silently.
pub fn looks_like(t: LedgerTable, fields: &[(usize, &FieldSpec)], header: &str) -> Vec<usize> {
    const STEMS: &[(&str, &[&str])] = &[
        ("人口", &["resident_pop", "floating_pop"]),
        ("户数", &["households"]),
        ("库存", &["stock", "regular_stock"]),
        ("到货", &["supply_in"]),
        ("载重", &["load_tonnes"]),
        ("载质量", &["load_tonnes"]),
        ("有效期", &["valid_from", "valid_until"]),
        ("身份证", &["id_number"]),
    ];
    let n = normalize(header);
    let specs = t.fields();
    let mut out = Vec::new();
    for (stem, keys) in STEMS {
        if n.contains(stem) {
            for (i, _) in fields {
                if keys.contains(&specs[*i].key) && !out.contains(i) {
                    out.push(*i);
                }
            }
        }
    }
    out
}

/// Whether a header is one clerks add for themselves (序号, 备注).
pub fn is_ignored(header: &str) -> bool {
    let n = normalize(header);
    IGNORED.contains(&n.as_str())
}

/// Column letters as Excel shows them: 0 → A, 26 → AA.
pub fn column_letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::Kind;
    use crate::store::ledger::LedgerTable as L;

    fn key(k: Kind, h: &str) -> Option<&'static str> {
        let fields = k.fields();
        field_for(k.table(), &fields, h).map(|i| k.table().fields()[i].key)
    }

    #[test]
    fn clerks_headers_are_understood() {
        assert_eq!(key(Kind::Vehicles, "车牌号"), Some("plate"));
        assert_eq!(key(Kind::Vehicles, " 车 牌 号 *"), Some("plate"));
        assert_eq!(key(Kind::Vehicles, "驾驶员"), Some("driver"));
        assert_eq!(key(Kind::Vehicles, "联系电话"), Some("phone"));
        assert_eq!(key(Kind::Vehicles, "核定载重（吨）"), Some("load_tonnes"));
        assert_eq!(key(Kind::Vehicles, "载重(t)"), Some("load_tonnes"));
        assert_eq!(key(Kind::Vehicles, "Licence_Plate"), Some("plate"));
        assert_eq!(key(Kind::Vehicles, "vehicle_type"), Some("vehicle_type"));
        assert_eq!(key(Kind::Compounds, "小区名称"), Some("name"));
        assert_eq!(key(Kind::Compounds, "社区名称"), Some("community"));
        assert_eq!(key(Kind::Compounds, "常住人口"), Some("resident_pop"));
        assert_eq!(key(Kind::Compounds, "常驻人口"), Some("resident_pop"));
        assert_eq!(key(Kind::Compounds, "流动人口"), Some("floating_pop"));
        assert_eq!(key(Kind::Compounds, "户数"), Some("households"));
        assert_eq!(key(Kind::Buildings, "小区名称"), Some("compound"));
        assert_eq!(key(Kind::Passes, "有效期至"), Some("valid_until"));
        assert_eq!(key(Kind::Recipients, "公民身份号码"), Some("id_number"));
        assert_eq!(key(Kind::Stock, "社区/村"), Some("community"));
        assert_eq!(key(Kind::Stock, "库存（公斤）"), Some("stock"));
        assert_eq!(key(Kind::Stock, "日到货量(kg)"), Some("supply_in"));
        assert_eq!(key(Kind::Stock, "报告时间"), Some("reported_at"));
        assert_eq!(key(Kind::Stock, "小区名称"), Some("station"));
        assert_eq!(key(Kind::Stock, "Daily supply"), Some("supply_in"));
        assert_eq!(key(Kind::Vehicles, "颜色"), None);
        assert!(is_ignored("序号") && is_ignored(" 备注 "));
    }

    #[test]
    fn narrowed_sheets_only_know_their_columns() {
        assert_eq!(key(Kind::Stations, "中转站"), Some("transfer_station"));
        assert_eq!(key(Kind::Stations, "户数"), None);
    }

    /// Within one table a header must never name two fields.
    #[test]
    fn aliases_do_not_collide() {
        for &t in L::ALL {
            let fields: Vec<(usize, &FieldSpec)> = t.fields().iter().enumerate().collect();
            for (i, f) in &fields {
                let mut names = vec![f.zh, f.key, f.en];
                names.extend_from_slice(aliases(t, f.key));
                for name in names {
                    assert_eq!(
                        field_for(t, &fields, name),
                        Some(*i),
                        "{t:?}: {name} should name {}",
                        f.key
                    );
                }
            }
        }
    }

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }
}
