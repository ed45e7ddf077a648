//! The fixed material of the demo: the communities and villages of
//! Shuanghekou sub-district, compound and unit names, vehicle types,
//! routes, reasons and the phrases of the duty log. Only the eleven
//! community and village names of DOMAIN.md are real; everything else is
//! plausible invention.

use crate::domain::alert::ItemClass;
use crate::domain::place::CommunityKind;
use crate::domain::unit::UnitCategory;

pub struct CommunitySeed {
    pub name: &'static str,
    pub kind: CommunityKind,
    /// Resident plus floating population at scale 1.
    pub population: i64,
    /// Compound names of an urban community (empty for villages).
    pub compounds: &'static [&'static str],
    /// Number of village groups (0 for urban communities).
    pub groups: u32,
    pub road: &'static str,
}

const fn urban(
    name: &'static str,
    population: i64,
    compounds: &'static [&'static str],
    road: &'static str,
) -> CommunitySeed {
    CommunitySeed {
        name,
        kind: CommunityKind::Community,
        population,
        compounds,
        groups: 0,
        road,
    }
}

const fn village(
    name: &'static str,
    population: i64,
    groups: u32,
    road: &'static str,
) -> CommunitySeed {
    CommunitySeed {
        name,
        kind: CommunityKind::Village,
        population,
        compounds: &[],
        groups,
        road,
    }
}

/// The compound DOMAIN.md names, with its published figures.
pub const DISHUIYAN: &str = "滴水岩小区";
pub const DISHUIYAN_HOUSEHOLDS: i64 = 235;
pub const DISHUIYAN_PEOPLE: i64 = 516;

/// Four urban communities and seven villages as published; 双河社区,
/// 桂花社区, 新田村 and 天星村 are invented to reach about fifteen. The
/// populations add up to 35,000, 23,000 of them in the urban communities.
pub const COMMUNITIES: &[CommunitySeed] = &[
    urban(
        "螺蛳包社区",
        5400,
        &[
            DISHUIYAN,
            "螺蛳包安置小区",
            "双河佳苑",
            "江南印象",
            "桂香园",
            "粮食局宿舍",
            "移民新村",
            "蓝天花园",
            "金色家园",
            "江城名居",
        ],
        "螺蛳包路",
    ),
    urban(
        "一碗水社区",
        4700,
        &[
            "一碗水安置小区",
            "翠屏山庄",
            "阳光花园",
            "电力小区",
            "水电宿舍",
            "御景苑",
            "锦绣江南",
            "丽景苑",
            "天城名居",
        ],
        "一碗水路",
    ),
    urban(
        "学堂湾社区",
        4300,
        &[
            "学堂湾小区",
            "学府雅苑",
            "书香门第",
            "教师新村",
            "瑞景花园",
            "滨江华庭",
            "望江苑",
            "双河口小学宿舍",
        ],
        "学堂湾路",
    ),
    urban(
        "槽房社区",
        3900,
        &[
            "槽房安置小区",
            "酒厂宿舍",
            "聚福苑",
            "清泉小区",
            "建设小区",
            "和平小区",
            "幸福里",
            "兴华苑",
        ],
        "槽房街",
    ),
    urban(
        "双河社区",
        2600,
        &[
            "双河花园",
            "河畔人家",
            "移民还建小区",
            "沿江小区",
            "新华小区",
            "龙腾苑",
            "长江明珠",
        ],
        "双河口路",
    ),
    urban(
        "桂花社区",
        2100,
        &[
            "桂花苑",
            "丹桂小区",
            "兴隆小区",
            "紫薇园",
            "月亮湾小区",
            "万安小区",
        ],
        "桂花路",
    ),
    village("龙宝村", 1500, 7, "龙宝路"),
    village("万利村", 1400, 6, "万利路"),
    village("石梁村", 1350, 6, "石梁路"),
    village("檬子村", 1300, 6, "檬子路"),
    village("永清村", 1250, 6, "永清路"),
    village("石鼓村", 1300, 6, "石鼓路"),
    village("大榜村", 1500, 7, "大榜路"),
    village("新田村", 1200, 5, "新田路"),
    village("天星村", 1200, 5, "天星路"),
];

/// Natural courtyards (自然院落) of village groups.
pub const COURTYARDS: &[&str] = &[
    "陈家院子",
    "黄家湾",
    "大屋基",
    "老房子",
    "院坝头",
    "柏树湾",
    "堰塘湾",
    "茶园坡",
    "石板沟",
    "大田坎",
    "杨家院子",
    "李家祠堂",
    "竹林湾",
    "桐子坪",
    "水井湾",
    "庙子梁",
    "岩脚下",
    "向家院子",
    "冉家坝",
    "牟家沟",
];

/// Where a compound keeps its emergency transfer station.
pub const STATION_PLACES_URBAN: &[&str] = &[
    "物业用房",
    "小区广场",
    "门卫室旁",
    "架空层",
    "地下车库入口",
    "小区活动室",
];
pub const STATION_PLACES_VILLAGE: &[&str] = &["村民活动室", "院坝", "村委会", "组长家门前晒坝"];
/// Where a building keeps its temporary transfer point.
pub const POINT_PLACES: &[&str] = &["单元门口", "架空层", "一楼大厅", "楼下空坝"];

pub struct UnitSeed {
    pub name: &'static str,
    pub category: UnitCategory,
    /// Index into `COMMUNITIES` of the community it stands in; `None` for
    /// units serving the whole sub-district from outside.
    pub community: Option<usize>,
}

const fn unit(name: &'static str, category: UnitCategory, community: Option<usize>) -> UnitSeed {
    UnitSeed {
        name,
        category,
        community,
    }
}

use UnitCategory as U;

/// About forty supply-guarantee units across every category.
pub const UNITS: &[UnitSeed] = &[
    unit("万州区双河口粮油店", U::GrainOil, Some(4)),
    unit(
        "重庆粮食集团万州区粮食有限公司双河口粮站",
        U::GrainOil,
        None,
    ),
    unit("万州区金龙粮油经营部", U::GrainOil, Some(1)),
    unit("万州区学堂湾粮油批发部", U::GrainOil, Some(2)),
    unit("万州区槽房米面店", U::GrainOil, Some(3)),
    unit("万州区双河口冷鲜肉店", U::Meat, Some(4)),
    unit("万州区龙宝生猪屠宰场", U::Meat, Some(6)),
    unit("万州区一碗水鲜肉批发部", U::Meat, Some(1)),
    unit("万州区石梁生态养殖场", U::Meat, Some(8)),
    unit("万州区大榜禽肉经营部", U::Meat, Some(12)),
    unit("万州区双河口农贸市场", U::Vegetables, Some(0)),
    unit("万州区石梁蔬菜种植专业合作社", U::Vegetables, Some(8)),
    unit("万州区檬子村蔬菜基地", U::Vegetables, Some(9)),
    unit("万州区永清果蔬批发部", U::Vegetables, Some(10)),
    unit("万州区石鼓蔬菜专业合作社", U::Vegetables, Some(11)),
    unit("万州区螺蛳包菜市场", U::Vegetables, Some(0)),
    unit("重庆天友乳业万州配送站", U::EggsMilk, None),
    unit("万州区永清蛋鸡养殖场", U::EggsMilk, Some(10)),
    unit("万州区双河口鲜奶配送点", U::EggsMilk, Some(4)),
    unit("万州区万利禽蛋专业合作社", U::EggsMilk, Some(7)),
    unit("桐君阁大药房双河口店", U::Medicine, Some(4)),
    unit("桐君阁大药房学堂湾店", U::Medicine, Some(2)),
    unit("和平药房万州一碗水店", U::Medicine, Some(1)),
    unit("双河口街道社区卫生服务中心药房", U::Medicine, Some(0)),
    unit("万州区槽房平价大药房", U::Medicine, Some(3)),
    unit("万州区双河口劳保用品店", U::Protective, Some(4)),
    unit("万州区康安医疗器械经营部", U::Protective, None),
    unit("万州区螺蛳包防疫用品店", U::Protective, Some(0)),
    unit("万州区双河口物流配送中心", U::Logistics, Some(4)),
    unit("顺丰速运万州双河口营业部", U::Logistics, Some(2)),
    unit("万州区通达运输有限公司", U::Logistics, None),
    unit("万州区龙宝货运车队", U::Logistics, Some(6)),
    unit("永辉超市双河口店", U::Retail, Some(4)),
    unit("重百超市万州双河口店", U::Retail, Some(0)),
    unit("新世纪超市学堂湾店", U::Retail, Some(2)),
    unit("万州区一碗水便民超市", U::Retail, Some(1)),
    unit("万州区槽房好又多超市", U::Retail, Some(3)),
    unit("万州区螺蛳包便利店", U::Retail, Some(0)),
    unit("万州区大榜村供销社", U::Retail, Some(12)),
    unit("万州区双河口供销合作社", U::Retail, Some(4)),
];

/// A vehicle type with its load range in tonnes (`None`: carries people).
pub struct VehicleType {
    pub name: &'static str,
    pub load: Option<(f64, f64)>,
}

const fn vt(name: &'static str, load: Option<(f64, f64)>) -> VehicleType {
    VehicleType { name, load }
}

pub const BOX_TRUCK: VehicleType = vt("厢式货车", Some((1.5, 5.0)));
pub const REEFER: VehicleType = vt("冷藏车", Some((2.0, 8.0)));
pub const VAN: VehicleType = vt("面包车", Some((0.5, 1.0)));
pub const PICKUP: VehicleType = vt("皮卡", Some((0.5, 1.0)));
pub const LIGHT_TRUCK: VehicleType = vt("轻型货车", Some((1.5, 3.0)));
pub const MEDIUM_TRUCK: VehicleType = vt("中型货车", Some((5.0, 10.0)));
pub const MINIBUS: VehicleType = vt("小型客车", None);

/// The vehicle types a unit of each category runs, and how many vehicles
/// such a unit has at scale 1.
pub fn fleet(category: UnitCategory) -> (&'static [VehicleType], (u32, u32)) {
    match category {
        U::Logistics => (&[BOX_TRUCK, REEFER, MEDIUM_TRUCK, LIGHT_TRUCK], (9, 15)),
        U::Retail => (&[BOX_TRUCK, VAN, LIGHT_TRUCK], (4, 8)),
        U::GrainOil => (&[LIGHT_TRUCK, BOX_TRUCK, MEDIUM_TRUCK], (4, 6)),
        U::Meat => (&[REEFER, BOX_TRUCK], (3, 5)),
        U::Vegetables => (&[LIGHT_TRUCK, PICKUP, VAN], (3, 5)),
        U::EggsMilk => (&[REEFER, VAN], (2, 4)),
        U::Medicine => (&[VAN, MINIBUS], (1, 3)),
        U::Protective => (&[VAN, PICKUP], (2, 4)),
    }
}

/// Survey ranges by category: daily sales, regular stock (tonnes), staff.
pub fn survey(category: UnitCategory) -> ((f64, f64), (f64, f64), (i64, i64)) {
    match category {
        U::GrainOil => ((1.0, 8.0), (20.0, 200.0), (5, 40)),
        U::Meat => ((0.5, 5.0), (5.0, 40.0), (6, 60)),
        U::Vegetables => ((2.0, 15.0), (5.0, 30.0), (8, 80)),
        U::EggsMilk => ((0.5, 4.0), (3.0, 20.0), (4, 30)),
        U::Medicine => ((0.05, 0.5), (1.0, 8.0), (3, 25)),
        U::Protective => ((0.1, 1.0), (2.0, 20.0), (3, 15)),
        U::Logistics => ((10.0, 60.0), (0.0, 50.0), (20, 120)),
        U::Retail => ((2.0, 12.0), (20.0, 120.0), (15, 150)),
    }
}

pub const STAFF_ROLES: &[&str] = &["配送员", "理货员", "驾驶员", "店长", "仓管员", "分拣员"];

/// Routes and areas written on vehicle passes.
pub const ROUTES: &[&str] = &[
    "双河口街道辖区",
    "双河口—龙都 配送线路",
    "双河口—高峰 配送线路",
    "双河口—九池 蔬菜调运线路",
    "双河口—牌楼 配送线路",
    "万州城区—双河口 物资调运线路",
    "龙宝村—螺蛳包社区 蔬菜直供线路",
    "石梁村—学堂湾社区 蔬菜直供线路",
];
pub const AREA_ALL: &str = "双河口街道辖区";

pub const ISSUER_ECONOMY: &str = "双河口街道办事处（经发办）";
pub const ISSUER_TRANSPORT: &str = "双河口街道办事处（交委办）";
pub const ISSUER_FARMING: &str = "双河口街道办事处（农服中心）";

pub const SUSPEND_REASONS: &[&str] = &[
    "驾驶员核酸检测超时未做，暂停使用",
    "车辆未按指定线路行驶，暂停通行资格",
    "驾驶员健康码转黄，待复核",
    "车辆消杀记录缺失，整改后恢复",
    "超载运输，暂停三日",
];
pub const REVOKE_REASONS: &[&str] = &[
    "车辆转作他用，收回通行证",
    "单位退出保供名单，吊销",
    "借用通行证搭载无关人员，吊销",
    "驾驶员更换，原证作废",
    "重复办理，收回旧证",
];

/// The three activations of the demo history: an earlier episode that
/// ended, and the current one.
pub const DIRECTIVE_EARLIER: &str = "万州区联控指挥部〔2022〕48号";
pub const DIRECTIVE_EARLIER_END: &str = "万州区联控指挥部〔2022〕55号";
pub const DIRECTIVE_CURRENT: &str = "万州区联控指挥部〔2022〕60号";

/// Duty officers of the desk, one per shift in turn.
pub const OFFICERS: &[&str] = &["王静", "刘洋", "陈晓燕", "谭志刚"];

pub const ISOLATION_SITES: &[&str] = &[
    "滨江酒店",
    "龙宝宾馆",
    "学堂湾商务酒店",
    "江城假日酒店",
    "槽房招待所",
];
pub const HOSPITALS: &[&str] = &[
    "双河口街道社区卫生服务中心（定点收治）",
    "万州区第三人民医院双河口院区",
];
pub const CARE_HOMES: &[&str] = &[
    "双河口街道敬老院",
    "龙宝村农村互助养老点",
    "学堂湾社区养老服务站",
    "万州区康乐养老院",
];

/// What the desk calls an item class in free text.
pub fn item_word(item: ItemClass) -> &'static str {
    match item {
        ItemClass::Grain => "大米",
        ItemClass::Oil => "食用油",
        ItemClass::Meat => "猪肉",
        ItemClass::Vegetables => "蔬菜",
        ItemClass::EggsMilk => "鸡蛋牛奶",
        ItemClass::Medicine => "常用药品",
        ItemClass::InfantFormula => "婴幼儿奶粉",
        ItemClass::Protective => "口罩消毒液",
        ItemClass::Other => "卫生纸等日用品",
    }
}

/// The unit category that answers a shortage of an item class.
pub fn category_for(item: ItemClass) -> UnitCategory {
    match item {
        ItemClass::Grain | ItemClass::Oil => U::GrainOil,
        ItemClass::Meat => U::Meat,
        ItemClass::Vegetables => U::Vegetables,
        ItemClass::EggsMilk | ItemClass::InfantFormula => U::EggsMilk,
        ItemClass::Medicine => U::Medicine,
        ItemClass::Protective => U::Protective,
        ItemClass::Other => U::Retail,
    }
}

pub const ALERT_SOURCES: &[&str] = &[
    "网格员上报",
    "社区书记电话",
    "居民来电（12345转办）",
    "小区物业",
    "市场监管所巡查",
    "志愿者反映",
];
/// How a shortage ended, `{to}` being whoever it was dispatched to.
pub const ALERT_RESOLUTIONS: &[&str] = &[
    "{to}已配送至中转站，居民已领取",
    "{to}调货补足，已分发到户",
    "{to}送货上门，缺口已解决",
    "区商务委调拨物资到位，由{to}分发",
];
pub const ALERT_CANCELLATIONS: &[&str] = &[
    "经核实系误报",
    "重复上报，已合并处理",
    "居民已自行团购，无需配送",
];

pub const VOLUNTEER_TASKS: &[&str] = &[
    "物资分拣、消杀、送货上门",
    "楼层送货、代购药品",
    "信息登记、电话回访",
    "中转站值守、秩序维护",
    "特殊群体结对帮扶",
];

/// What is delivered to whom.
pub const ITEMS_DIALYSIS: &[&str] = &["透析转运车辆安排", "降压药、低钾食品"];
pub const ITEMS_PSYCHIATRIC: &[&str] = &["奥氮平片1盒、米面油", "利培酮片1盒、蔬菜"];
pub const ITEMS_CHRONIC: &[&str] = &[
    "胰岛素2支、降糖药1盒",
    "降压药（硝苯地平）1盒、蔬菜",
    "家用制氧机滤芯、常用药品",
];
pub const ITEMS_PREGNANT: &[&str] = &["婴幼儿奶粉2罐、尿不湿1包", "鸡蛋30个、牛奶1箱、蔬菜"];
pub const ITEMS_EVERYDAY: &[&str] = &[
    "大米10斤、食用油1桶、蔬菜5斤",
    "挂面2斤、鸡蛋15个、蔬菜3斤",
    "卫生纸、洗衣粉等日用品",
    "猪肉2斤、蔬菜5斤",
];

/// Who signs for a delivery: role words, which the console logs as they are.
pub const RECEIVED_BY: &[&str] = &["本人", "家属", "邻居", "楼栋长", "物业"];
pub const CANCEL_NOTES: &[&str] = &[
    "家属已自行购买",
    "受助人已转入定点医院",
    "重复登记，已合并",
    "受助人要求改期",
];
pub const FAIL_NOTES: &[&str] = &[
    "电话无人接听",
    "门牌号与登记不符",
    "受助人不需要此批物资",
    "楼栋封控，暂不能进入",
];

/// Free-text phrases of calls, with `{c}` community, `{k}` compound
/// (with its village for village groups), `{b}` building, `{i}` any item,
/// `{g}` bulk goods, `{u}` unit, `{n}` a few (people, vehicles), `{m}`
/// households, `{t}` tonnes, `{p}` plate, `{h}` hour, `{x}` the community's
/// contact.
pub const CALLS: &[&str] = &[
    "{k}{b}居民来电反映{i}短缺，约{m}户，已转{c}核实",
    "{c}书记{x}来电：{k}中转站志愿者不足，请求增派{n}人",
    "{u}来电：今日{g}到货约{t}吨，预计{h}点前配送至{c}",
    "交巡警龙都大队来电核实车辆{p}通行证情况，已答复",
    "区指挥部电话通知：请于{h}:00前上报各社区（村）生活物资储备及缺口情况",
    "区商务委来电：明日调拨{g}{t}吨至双河口街道，请安排接收",
    "{c}来电：{k}有{m}户居民反映{i}价格偏高，已转市场监管所",
    "{k}物业来电：中转站消杀物资告急，请求补充消毒液和酒精",
    "区卫健委来电：血透患者就医转运按绿色通道执行，车辆由街道统一安排",
    "{u}来电：{n}名配送人员核酸结果已出，申请工作人员证明",
];

/// Goods that move by the tonne.
pub const BULK_GOODS: &[&str] = &["大米", "面粉", "食用油", "蔬菜", "猪肉", "鸡蛋"];

pub const INSTRUCTIONS: &[&str] = &[
    "区指挥部通知：即日起全区实行静默管理，保供车辆凭通行证通行",
    "街道主要领导指示：确保血透、孕产妇等特殊群体物资和就医需求当日办结",
    "区指挥部通知：明日起通行证统一换发新版，旧证{h}:00后作废",
    "街道党工委要求：各社区（村）每日{h}:00前报送物资保障日报",
    "区商务委通知：保供企业名单更新，新增{u}",
    "区市场监管局通知：加强价格巡查，严查哄抬物价、囤积居奇",
    "街道办事处要求：中转站物资须消杀后方可转运，做好台账",
];

pub const NOTES: &[&str] = &[
    "{c}完成物资摸底，上报缺口{g}{t}吨",
    "{k}中转站完成消杀，物资已分发至各楼栋转运点",
    "{u}保供车辆{n}台已到位，司机均持工作人员证明",
    "市场监管所巡查{c}农贸市场，{i}价格平稳",
    "{c}新增志愿者{n}名，已分配至各中转站",
    "向区指挥部报送双河口街道生活物资保障日报",
    "{k}居民团购{i}，已协调{u}配送",
];

/// Notes of normal times, between the episodes.
pub const QUIET_NOTES: &[&str] = &[
    "组织开展生活物资保障预案桌面推演",
    "更新保供单位名录及联系人",
    "{c}完成特殊群体摸底复核",
    "检查{k}应急物资中转站设施",
    "与{u}续签应急保供协议",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::names::RECIPIENT_GIVEN;
    use crate::domain::Code;
    use crate::domain::delivery::{FailReason, Group};
    use crate::domain::pass::PassKind;

    /// Every fixed text that may reach the duty log.
    fn corpus() -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for c in COMMUNITIES {
            v.push(c.name.into());
            v.push(c.road.into());
            v.extend(c.compounds.iter().map(|s| s.to_string()));
        }
        for list in [
            COURTYARDS,
            STATION_PLACES_URBAN,
            STATION_PLACES_VILLAGE,
            POINT_PLACES,
            STAFF_ROLES,
            ROUTES,
            SUSPEND_REASONS,
            REVOKE_REASONS,
            ISOLATION_SITES,
            HOSPITALS,
            CARE_HOMES,
            ALERT_SOURCES,
            ALERT_RESOLUTIONS,
            ALERT_CANCELLATIONS,
            VOLUNTEER_TASKS,
            RECEIVED_BY,
            CANCEL_NOTES,
            FAIL_NOTES,
            CALLS,
            INSTRUCTIONS,
            NOTES,
            QUIET_NOTES,
            OFFICERS,
            BULK_GOODS,
            ITEMS_DIALYSIS,
            ITEMS_PSYCHIATRIC,
            ITEMS_CHRONIC,
            ITEMS_PREGNANT,
            ITEMS_EVERYDAY,
        ] {
            v.extend(list.iter().map(|s| s.to_string()));
        }
        v.extend(UNITS.iter().map(|u| u.name.to_string()));
        v.extend(ItemClass::ALL.iter().map(|i| item_word(*i).to_string()));
        v.extend(ItemClass::ALL.iter().map(|i| i.label_zh().to_string()));
        v.extend(Group::ALL.iter().map(|g| g.label_zh().to_string()));
        v.extend(FailReason::ALL.iter().map(|g| g.label_zh().to_string()));
        v.extend(PassKind::ALL.iter().map(|g| g.label_zh().to_string()));
        v.extend(UnitCategory::ALL.iter().map(|g| g.label_zh().to_string()));
        v.extend(
            [
                DIRECTIVE_CURRENT,
                DIRECTIVE_EARLIER,
                DIRECTIVE_EARLIER_END,
                ISSUER_ECONOMY,
                ISSUER_TRANSPORT,
                ISSUER_FARMING,
            ]
            .map(String::from),
        );
        v
    }

    #[test]
    fn no_fixed_text_holds_two_recipient_name_characters_in_a_row() {
        for s in corpus() {
            let chars: Vec<char> = s.chars().collect();
            for w in chars.windows(2) {
                assert!(
                    !(RECIPIENT_GIVEN.contains(&w[0]) && RECIPIENT_GIVEN.contains(&w[1])),
                    "{s:?} holds {}{}",
                    w[0],
                    w[1]
                );
            }
        }
    }

    #[test]
    fn the_sub_district_adds_up() {
        assert_eq!(COMMUNITIES.len(), 15);
        let total: i64 = COMMUNITIES.iter().map(|c| c.population).sum();
        assert_eq!(total, 35_000);
        let urban: i64 = COMMUNITIES
            .iter()
            .filter(|c| c.kind == CommunityKind::Community)
            .map(|c| c.population)
            .sum();
        assert_eq!(urban, 23_000);
        assert_eq!(COMMUNITIES[0].compounds[0], DISHUIYAN);
        for c in COMMUNITIES {
            assert_eq!(c.kind == CommunityKind::Village, c.groups > 0, "{}", c.name);
        }
    }

    #[test]
    fn units_cover_every_category_and_point_at_real_communities() {
        for cat in UnitCategory::ALL {
            assert!(UNITS.iter().any(|u| u.category == *cat), "{cat:?}");
        }
        assert!(
            UNITS
                .iter()
                .all(|u| u.community.is_none_or(|c| c < COMMUNITIES.len()))
        );
        let mut names: Vec<&str> = UNITS.iter().map(|u| u.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), UNITS.len());
    }
}
