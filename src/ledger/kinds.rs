//! The ledgers a clerk brings, as `supplydesk import KIND` names them, and
//! which fields of which table each one's sheet carries.
//!
//! Places are three ledgers, one per level (communities, compounds,
//! buildings), because each level's sheet has its own columns and the
//! plan's annex 1 is kept per compound. Transfer stations and transfer
//! points (附表3) are not tables of their own: a station belongs to a
//! compound and a point to a building, so `stations` and `points` are the
//! compound and building ledgers narrowed to those columns.
//!
//! `stock` is not part of the register: its rows are stock and
//! daily-supply reports, appended to each cell's time series.

use crate::code_enum;
use crate::store::ledger::{FieldSpec, LedgerTable};

code_enum! {
    /// A ledger that can be imported and exported.
    pub enum Kind {
        Communities => ("communities", "社区（村）", "Communities", ["community", "villages", "社区", "村", "社区台账"]),
        Compounds => ("compounds", "小区（组）", "Compounds", ["compound", "groups", "小区", "组", "附表1", "小区台账"]),
        Buildings => ("buildings", "楼栋（院落）", "Buildings", ["building", "courtyards", "楼栋", "院落", "楼栋台账"]),
        Stations => ("stations", "应急生活物资中转站", "Transfer stations", ["station", "transfer-stations", "transfer_stations", "中转站", "附表3"]),
        Points => ("points", "临时转运点", "Transfer points", ["point", "transfer-points", "transfer_points", "转运点"]),
        Outlets => ("outlets", "零售和服务网点", "Outlets", ["outlet", "网点", "零售网点", "附表2"]),
        Units => ("units", "保供单位", "Supply units", ["unit", "supply-units", "supply_units", "单位"]),
        Staff => ("staff", "工作人员", "Staff", ["人员", "工作人员台账", "附表4"]),
        Vehicles => ("vehicles", "保供车辆", "Vehicles", ["vehicle", "车辆", "车辆台账", "附表5"]),
        Passes => ("passes", "通行证", "Passes", ["pass", "permits", "通行证台账"]),
        Volunteers => ("volunteers", "志愿者", "Volunteers", ["volunteer", "志愿者台账", "附表6"]),
        Recipients => ("recipients", "特殊群体对象", "Special-group recipients", ["recipient", "特殊群体", "特殊群体台账"]),
        Stock => ("stock", "库存报告", "Stock reports", ["stock-reports", "stock_reports", "stock_report", "库存", "库存日报", "日到货"]),
    }
}

impl Kind {
    /// The table the ledger fills.
    pub fn table(self) -> LedgerTable {
        match self {
            Kind::Communities => LedgerTable::Community,
            Kind::Compounds | Kind::Stations => LedgerTable::Compound,
            Kind::Buildings | Kind::Points => LedgerTable::Building,
            Kind::Outlets => LedgerTable::Outlet,
            Kind::Units => LedgerTable::SupplyUnit,
            Kind::Staff => LedgerTable::Staff,
            Kind::Vehicles => LedgerTable::Vehicle,
            Kind::Passes => LedgerTable::Pass,
            Kind::Volunteers => LedgerTable::Volunteer,
            Kind::Recipients => LedgerTable::Recipient,
            Kind::Stock => LedgerTable::StockReport,
        }
    }

    /// The table's fields this sheet carries, as (index in the table's
    /// fields, spec), in sheet order.
    pub fn fields(self) -> Vec<(usize, &'static FieldSpec)> {
        let only: Option<&[&str]> = match self {
            Kind::Stations => Some(&["community", "name", "transfer_station", "station_active"]),
            Kind::Points => Some(&["community", "compound", "name", "transfer_point"]),
            _ => None,
        };
        self.table()
            .fields()
            .iter()
            .enumerate()
            .filter(|(_, f)| only.is_none_or(|o| o.contains(&f.key)))
            .collect()
    }

    /// The sheet's title, e.g. for the worksheet of an export.
    pub fn title(self) -> &'static str {
        match self {
            Kind::Communities => "社区（村）人口台账",
            Kind::Compounds => "小区（组）基本情况",
            Kind::Buildings => "楼栋（院落）台账",
            Kind::Stations => "应急生活物资中转站",
            Kind::Points => "楼栋临时转运点",
            Kind::Outlets => "零售和服务网点",
            Kind::Units => "保供单位基本情况",
            Kind::Staff => "保供单位工作人员台账",
            Kind::Vehicles => "保供车辆台账",
            Kind::Passes => "通行证台账",
            Kind::Volunteers => "志愿者台账",
            Kind::Recipients => "特殊群体对象台账",
            Kind::Stock => "库存和日到货报告",
        }
    }

    /// The register's kinds in the order a new database takes them: places
    /// before what lies in them, units before their staff and vehicles,
    /// vehicles before their passes. Stock reports, which name the places
    /// and sources, come after all of them and are not listed.
    pub const IMPORT_ORDER: &'static [Kind] = &[
        Kind::Communities,
        Kind::Compounds,
        Kind::Buildings,
        Kind::Stations,
        Kind::Points,
        Kind::Outlets,
        Kind::Units,
        Kind::Staff,
        Kind::Vehicles,
        Kind::Passes,
        Kind::Volunteers,
        Kind::Recipients,
    ];

    /// Example rows for the template, in the sheet's own words. They fit
    /// together: imported in [`Kind::IMPORT_ORDER`] into an empty
    /// database, every one goes in (the stock reports' dated rows within a
    /// year of their date). People in them are made up.
    pub fn examples(self) -> &'static [&'static [&'static str]] {
        match self {
            Kind::Communities => &[
                &[
                    "螺蛳包社区",
                    "社区",
                    "5200",
                    "800",
                    "2100",
                    "陈建华",
                    "023-58123456",
                ],
                &[
                    "龙宝村",
                    "村",
                    "2300",
                    "150",
                    "860",
                    "刘德明",
                    "13908351234",
                ],
            ],
            Kind::Compounds => &[
                &[
                    "螺蛳包社区",
                    "滴水岩小区",
                    "小区",
                    "235",
                    "516",
                    "40",
                    "滴水岩小区东门物业用房",
                    "否",
                ],
                &[
                    "龙宝村",
                    "龙宝村三组",
                    "组",
                    "86",
                    "240",
                    "12",
                    "龙宝村便民服务中心",
                    "否",
                ],
            ],
            Kind::Buildings => &[
                &["螺蛳包社区", "滴水岩小区", "1栋", "楼栋", "48", "1栋架空层"],
                &[
                    "龙宝村",
                    "龙宝村三组",
                    "李家院子",
                    "自然院落",
                    "16",
                    "李家院子晒坝",
                ],
            ],
            Kind::Stations => &[
                &["螺蛳包社区", "滴水岩小区", "滴水岩小区东门物业用房", "是"],
                &["龙宝村", "龙宝村三组", "龙宝村便民服务中心", "是"],
            ],
            Kind::Points => &[
                &["螺蛳包社区", "滴水岩小区", "1栋", "1栋架空层"],
                &["龙宝村", "龙宝村三组", "李家院子", "李家院子晒坝"],
            ],
            Kind::Outlets => &[
                &[
                    "螺蛳包社区",
                    "螺蛳包生鲜超市",
                    "超市",
                    "螺蛳包路12号",
                    "王丽",
                    "13996212345",
                    "7:30-21:00",
                    "是",
                ],
                &[
                    "龙宝村",
                    "龙宝村便民店",
                    "便利店",
                    "龙宝村三组",
                    "刘小芳",
                    "13883512345",
                    "8:00-20:00",
                    "是",
                ],
            ],
            Kind::Units => &[
                &[
                    "万州区双河口粮油批发部",
                    "粮油",
                    "螺蛳包社区",
                    "螺蛳包路8号",
                    "周明",
                    "13908356789",
                    "12.5",
                    "80",
                    "200",
                    "15",
                    "3",
                    "3",
                ],
                &[
                    "万州区龙宝蔬菜种植合作社",
                    "蔬菜",
                    "龙宝村",
                    "龙宝村五组",
                    "谭志刚",
                    "13594512345",
                    "6",
                    "20",
                    "50",
                    "22",
                    "2",
                    "2",
                ],
            ],
            Kind::Staff => &[
                &[
                    "万州区双河口粮油批发部",
                    "李强",
                    "驾驶员",
                    "13709871234",
                    "单位职工宿舍",
                    "是",
                ],
                &[
                    "万州区双河口粮油批发部",
                    "张敏",
                    "配送员",
                    "13609875678",
                    "滴水岩小区临时住宿点",
                    "是",
                ],
            ],
            Kind::Vehicles => &[
                &[
                    "渝F12345",
                    "厢式货车",
                    "4.5",
                    "万州区双河口粮油批发部",
                    "李强",
                    "13709871234",
                ],
                &[
                    "渝FD23456",
                    "新能源轻型货车",
                    "1.5",
                    "万州区龙宝蔬菜种植合作社",
                    "谭志刚",
                    "13594512345",
                ],
            ],
            Kind::Passes => &[
                &[
                    "SHK-TX-2022-00001",
                    "车辆通行证",
                    "渝F12345",
                    "万州区双河口粮油批发部",
                    "渝F12345",
                    "经发办",
                    "2022-05-26",
                    "2022-06-25",
                    "万州城区—双河口街道",
                    "已发放",
                    "",
                ],
                &[
                    "SHK-TX-2022-00002",
                    "车辆通行证",
                    "渝FD23456",
                    "",
                    "",
                    "交委办",
                    "2022/5/26",
                    "2022年6月25日",
                    "龙宝村—螺蛳包社区",
                    "已发放",
                    "",
                ],
                &[
                    "SHK-GZ-2022-00001",
                    "工作人员证明",
                    "",
                    "万州区双河口粮油批发部",
                    "张敏",
                    "经发办",
                    "2022-05-26",
                    "2022-06-25",
                    "",
                    "已发放",
                    "",
                ],
            ],
            Kind::Volunteers => &[
                &[
                    "赵小军",
                    "13512341234",
                    "螺蛳包社区",
                    "滴水岩小区",
                    "1栋",
                    "1栋临时转运点",
                    "物资分拣、送货上楼",
                    "是",
                ],
                &[
                    "孙丽",
                    "13612345678",
                    "龙宝村",
                    "龙宝村三组",
                    "",
                    "龙宝村中转站",
                    "登记需求、错时领购引导",
                    "是",
                ],
            ],
            Kind::Recipients => &[
                &[
                    "周桂芳",
                    "13800000001",
                    "",
                    "独居老人",
                    "高血压",
                    "螺蛳包社区",
                    "滴水岩小区",
                    "1栋",
                    "2单元",
                    "301",
                    "降压药、米面油",
                ],
                &[
                    "陈国强",
                    "",
                    "50010119700101001X",
                    "血透患者",
                    "每周一、三、五血透",
                    "龙宝村",
                    "龙宝村三组",
                    "李家院子",
                    "",
                    "",
                    "透析日前一天送餐",
                ],
            ],
            Kind::Stock => &[
                &[
                    "螺蛳包社区",
                    "粮",
                    "3.2吨",
                    "800kg",
                    "2026-11-29 08:00",
                    "万州区双河口粮油批发部",
                    "",
                    "",
                    "周明",
                    "电话",
                ],
                &[
                    "螺蛳包社区",
                    "蔬菜",
                    "1200",
                    "600",
                    "2026/11/29 8:00",
                    "",
                    "螺蛳包生鲜超市",
                    "",
                    "王丽",
                    "报表",
                ],
                &[
                    "螺蛳包社区",
                    "防护用品",
                    "5000件",
                    "",
                    "2026年11月29日 8时",
                    "",
                    "",
                    "滴水岩小区",
                    "陈建华",
                    "电话",
                ],
                &[
                    "龙宝村",
                    "蛋奶",
                    "500斤",
                    "100斤",
                    "",
                    "",
                    "",
                    "",
                    "刘德明",
                    "",
                ],
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Code;

    #[test]
    fn kinds_are_found_by_the_words_people_use() {
        assert_eq!(Kind::parse("vehicles"), Some(Kind::Vehicles));
        assert_eq!(Kind::parse("车辆"), Some(Kind::Vehicles));
        assert_eq!(Kind::parse("附表5"), Some(Kind::Vehicles));
        assert_eq!(Kind::parse("Supply-Units"), Some(Kind::Units));
        assert_eq!(Kind::parse("特殊群体"), Some(Kind::Recipients));
        assert_eq!(Kind::parse("stock"), Some(Kind::Stock));
        assert_eq!(Kind::parse("库存报告"), Some(Kind::Stock));
        assert_eq!(Kind::parse("库存"), Some(Kind::Stock));
        assert_eq!(Kind::parse("trucks"), None);
    }

    #[test]
    fn examples_fill_every_column() {
        for &k in Kind::ALL {
            for row in k.examples() {
                assert_eq!(row.len(), k.fields().len(), "{k:?}");
            }
        }
    }

    #[test]
    fn narrowed_kinds_keep_their_keys() {
        let keys = |k: Kind| k.fields().iter().map(|(_, f)| f.key).collect::<Vec<_>>();
        assert_eq!(
            keys(Kind::Stations),
            ["community", "name", "transfer_station", "station_active"]
        );
        assert_eq!(
            keys(Kind::Points),
            ["community", "compound", "name", "transfer_point"]
        );
        assert_eq!(keys(Kind::Vehicles).len(), 6);
    }
}
