//! Spreadsheets as a sub-district office keeps them (issue 15): all the
//! annexes in one workbook, title rows and a 填报单位/日期 line, 序号,
//! units in the headers, totals and notes under the table, two-row
//! headers, old .xls files. Each either goes in right or is refused
//! whole, saying what was seen; nothing is ever half written.

mod common;

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use rust_xlsxwriter::{Format, Workbook};

use common::ledger::{TZ, actor, dry_run, import, located, seeded_desk};
use common::{Desk, count, dump, fails, one, succeeds, value};
use supplydesk::i18n::Lang;
use supplydesk::ledger::{self, Kind, Skip};
use supplydesk::store::Store;
use supplydesk::store::ledger::Quiet;

/// 10:00 in Chongqing on 26 May 2022, as the templates' passes expect.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2022, 5, 26, 2, 0, 0).unwrap()
}

/// A cell as a sheet holds it: text, or a number typed as one.
#[derive(Clone, Copy)]
enum C<'a> {
    T(&'a str),
    N(f64),
}

/// A workbook of named sheets, each a list of rows from A1.
fn workbook(sheets: &[(&str, Vec<Vec<C<'_>>>)]) -> Vec<u8> {
    let mut wb = Workbook::new();
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (u32::try_from(r).unwrap(), u16::try_from(c).unwrap());
                match cell {
                    C::T("") => {}
                    C::T(s) => {
                        ws.write_string(r, c, *s).unwrap();
                    }
                    C::N(x) => {
                        ws.write_number(r, c, *x).unwrap();
                    }
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

fn t(cells: &[&'static str]) -> Vec<C<'static>> {
    cells.iter().map(|s| C::T(s)).collect()
}

fn compounds_sheet() -> Vec<Vec<C<'static>>> {
    vec![
        t(&["附表1 小区（组）基本情况"]),
        t(&[
            "序号",
            "社区名称",
            "小区名称",
            "户数",
            "常住人口",
            "流动人口",
        ]),
        vec![
            C::N(1.0),
            C::T("螺蛳包社区"),
            C::T("滴水岩小区"),
            C::N(240.0),
            C::N(999.0),
            C::N(77.0),
        ],
    ]
}

fn communities_sheet() -> Vec<Vec<C<'static>>> {
    vec![
        t(&["社区（村）人口台账"]),
        t(&["填报单位：双河口街道", "", "", "", "日期：2022年5月26日"]),
        t(&[
            "序号",
            "社区（村）名称",
            "社区类型",
            "常住人口",
            "暂住人口",
            "户数",
            "负责人",
            "负责人电话",
        ]),
        vec![
            C::N(1.0),
            C::T("螺蛳包社区"),
            C::T("社区"),
            C::N(5300.0),
            C::N(820.0),
            C::N(2110.0),
            C::T("陈建华"),
            C::T("023-58123456"),
        ],
        t(&["合  计", "", "", "5300"]),
        t(&["填表人：张三    审核人：李四"]),
    ]
}

fn staff_sheet() -> Vec<Vec<C<'static>>> {
    vec![
        t(&["附表4 保供单位工作人员台账"]),
        t(&["序号", "所属单位", "姓名", "岗位", "联系电话", "住宿地点"]),
        vec![
            C::N(1.0),
            C::T("万州区双河口粮油批发部"),
            C::T("李强"),
            C::T("驾驶员"),
            C::T("13700000001"),
            C::T("单位职工宿舍"),
        ],
    ]
}

fn units_sheet() -> Vec<Vec<C<'static>>> {
    vec![
        t(&["保供单位基本情况"]),
        t(&["序号", "单位名称", "类别", "所在社区", "联系人", "联系电话"]),
        vec![
            C::N(1.0),
            C::T("万州区双河口粮油批发部"),
            C::T("粮油"),
            C::T("螺蛳包社区"),
            C::T("周明"),
            C::T("13908350000"),
        ],
    ]
}

fn import_sheet(
    store: &mut Store,
    kind: Kind,
    path: &Path,
    sheet: Option<&str>,
) -> Result<ledger::Outcome, supplydesk::msg::Msg> {
    let norms = supplydesk::domain::cover::Norms::default();
    ledger::import_with(
        store,
        Some(&actor()),
        kind,
        path,
        sheet,
        TZ,
        false,
        &norms,
        &Quiet,
    )
}

#[test]
fn a_workbook_of_all_annexes_gives_each_kind_its_own_sheet() {
    let (desk, mut store) = seeded_desk(now(), Kind::Staff);
    let book = workbook(&[
        ("附表1 小区", compounds_sheet()),
        ("社区（村）", communities_sheet()),
        ("附表4 工作人员", staff_sheet()),
        ("保供单位", units_sheet()),
    ]);
    let p = desk.write("附表.xlsx", &book);
    let o = import(&mut store, Kind::Communities, &p);
    assert!(o.issues().is_empty(), "{:?}", o.issues());
    assert_eq!(o.parsed.sheet.name.as_deref(), Some("社区（村）"));
    assert_eq!(o.parsed.sheets, 4);
    assert_eq!(o.parsed.columns.header_row, 3);
    assert_eq!(o.parsed.skipped_as(Skip::Total), [5]);
    assert_eq!(o.parsed.skipped_as(Skip::Note), [6]);
    let row: (i64, i64, i64, String) = one(
        &store,
        "SELECT resident_pop, floating_pop, households, phone FROM community WHERE name = '螺蛳包社区'",
    );
    assert_eq!(row, (5300, 820, 2110, "023-58123456".into()));
    // The compounds sheet's figures did not go into the communities.
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM community WHERE resident_pop = 999"
        ),
        0
    );
    let o = import(&mut store, Kind::Units, &p);
    assert!(o.issues().is_empty(), "{:?}", o.issues());
    assert_eq!(o.parsed.sheet.name.as_deref(), Some("保供单位"));
    let phone: String = value(
        &store,
        "SELECT phone FROM supply_unit WHERE name = '万州区双河口粮油批发部'",
    );
    assert_eq!(phone, "13908350000", "the unit's phone, not its driver's");
    let o = import(&mut store, Kind::Staff, &p);
    assert!(o.issues().is_empty(), "{:?}", o.issues());
    assert_eq!(o.parsed.sheet.name.as_deref(), Some("附表4 工作人员"));
}

#[test]
fn a_workbook_without_the_kinds_sheet_is_refused_listing_its_sheets() {
    let (desk, mut store) = seeded_desk(now(), Kind::Staff);
    let before = dump(&store);
    let book = workbook(&[
        ("附表1 小区", compounds_sheet()),
        ("附表4 工作人员", staff_sheet()),
    ]);
    let p = desk.write("附表.xlsx", &book);
    let e = import_sheet(&mut store, Kind::Communities, &p, None).unwrap_err();
    assert!(
        e.zh.contains("附表1 小区") && e.zh.contains("附表4 工作人员") && e.zh.contains("--sheet"),
        "{e:?}"
    );
    assert!(e.en.contains("looks like compounds"), "{e:?}");
    let e = import_sheet(&mut store, Kind::Units, &p, None).unwrap_err();
    assert!(e.en.contains("looks like staff"), "{e:?}");
    assert_eq!(dump(&store), before, "nothing written");
}

#[test]
fn two_sheets_that_fit_are_refused_and_sheet_picks_one() {
    let (desk, mut store) = seeded_desk(now(), Kind::Communities);
    let sheet = |pop: f64| {
        vec![
            t(&["社区名称", "常住人口"]),
            vec![C::T("龙宝村"), C::N(pop)],
        ]
    };
    let p = desk.write(
        "两表.xlsx",
        &workbook(&[("5月", sheet(2401.0)), ("6月", sheet(2402.0))]),
    );
    let before = dump(&store);
    let e = import_sheet(&mut store, Kind::Communities, &p, None).unwrap_err();
    assert!(e.zh.contains("1“5月”") && e.zh.contains("2“6月”"), "{e:?}");
    assert!(e.en.contains("--sheet NAME"), "{e:?}");
    assert_eq!(dump(&store), before);
    let o = import_sheet(&mut store, Kind::Communities, &p, Some("6月")).unwrap();
    assert!(o.written());
    let pop: i64 = value(
        &store,
        "SELECT resident_pop FROM community WHERE name = '龙宝村'",
    );
    assert_eq!(pop, 2402);
    import_sheet(&mut store, Kind::Communities, &p, Some("1")).unwrap();
    let pop: i64 = value(
        &store,
        "SELECT resident_pop FROM community WHERE name = '龙宝村'",
    );
    assert_eq!(pop, 2401);
    let e = import_sheet(&mut store, Kind::Communities, &p, Some("7月")).unwrap_err();
    assert!(
        e.en.contains("no sheet \"7月\"") && e.en.contains("2 \"6月\""),
        "{e:?}"
    );
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// `tests/fixtures/annexes.xls` (written by Python's xlwt, as Excel 2003
/// saves): sheets 社区, 附表1 小区（组）, A备用, in that order.
#[test]
fn an_xls_workbook_keeps_its_sheet_order_and_is_read_by_content() {
    let (desk, mut store) = seeded_desk(now(), Kind::Communities);
    let o = import(&mut store, Kind::Communities, &fixture("annexes.xls"));
    assert!(o.issues().is_empty(), "{:?}", o.issues());
    assert_eq!(o.parsed.sheet.name.as_deref(), Some("社区"));
    assert_eq!(o.parsed.columns.header_row, 3);
    assert_eq!(o.parsed.skipped_as(Skip::Total), [6]);
    assert_eq!(o.parsed.skipped_as(Skip::Note), [7]);
    let pops: (i64, i64) = one(
        &store,
        "SELECT resident_pop, floating_pop FROM community WHERE name = '龙宝村'",
    );
    assert_eq!(pops, (2350, 160));
    // Number 1 is the first tab, not the first name in sort order (A备用).
    let norms = supplydesk::domain::cover::Norms::default();
    let first = |store: &mut Store, path: &Path, n: &str| {
        ledger::import_with(
            store,
            None,
            Kind::Communities,
            path,
            Some(n),
            TZ,
            true,
            &norms,
            &Quiet,
        )
        .unwrap()
        .parsed
        .sheet
        .name
    };
    assert_eq!(
        first(&mut store, &fixture("annexes.xls"), "1").as_deref(),
        Some("社区")
    );
    assert_eq!(
        first(&mut store, &fixture("annexes.xls"), "3").as_deref(),
        Some("A备用")
    );
    // Renamed .xlsx, or .csv, it is still read as what it is.
    let bytes = std::fs::read(fixture("annexes.xls")).unwrap();
    for name in ["annexes.xlsx", "annexes.csv", "annexes"] {
        let p = desk.write(name, &bytes);
        let o = dry_run(&mut store, Kind::Communities, &p);
        assert_eq!(o.parsed.sheet.name.as_deref(), Some("社区"), "{name}");
        assert_eq!(o.report.unchanged, 2, "{name}");
    }
    // An xlsx renamed .xls, and an HTML table saved as .xls.
    let p = desk.write("小区.xls", &workbook(&[("小区", compounds_sheet())]));
    let o = dry_run(&mut store, Kind::Compounds, &p);
    assert!(o.issues().is_empty(), "{:?}", o.issues());
    let html = "<html><head><meta charset=\"utf-8\"></head><body><table>\
        <tr><td colspan=3>社区（村）人口台账</td></tr>\
        <tr><th>社区名称</th><th>常住人口</th><th>流动人口</th></tr>\
        <tr><td>龙宝村</td><td>2360</td><td>&nbsp;</td></tr>\
        </table></body></html>";
    let p = desk.write("导出.xls", html.as_bytes());
    let o = import(&mut store, Kind::Communities, &p);
    assert!(o.written(), "{:?}", o.issues());
    let pop: i64 = value(
        &store,
        "SELECT resident_pop FROM community WHERE name = '龙宝村'",
    );
    assert_eq!(pop, 2360);
}

/// 10:00 in Chongqing on 29 November 2026: the stock rows' day.
fn stock_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, 2, 0, 0).unwrap()
}

#[test]
fn units_in_headers_are_applied_and_an_unknown_unit_refused() {
    let (desk, mut store) = seeded_desk(stock_now(), Kind::Units);
    let rows = |stock: &'static str, supply: &'static str, a: &'static str, b: &'static str| {
        desk.csv(
            "库存.csv",
            &[
                &["社区", "品类", stock, supply, "时点"],
                &["螺蛳包社区", "粮", a, b, "2026-11-29 08:00"],
            ],
        )
    };
    let p = rows("库存（吨）", "日到货（吨）", "30", "0.5");
    let o = import(&mut store, Kind::Stock, &p);
    assert!(o.written(), "{:?}", o.issues());
    let got: (f64, f64) = one(
        &store,
        "SELECT stock, supply_in FROM stock_report ORDER BY id DESC LIMIT 1",
    );
    assert_eq!(got, (30_000.0, 500.0));
    // A predicted shortage alert is not raised by a misread 30 kg.
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM alert WHERE predicted = 1 AND state NOT IN ('resolved', 'cancelled')"
        ),
        0
    );
    let p = rows("库存（斤）", "日到货(公斤)", "3000", "200");
    let o = import(&mut store, Kind::Stock, &p);
    assert!(o.written(), "{:?}", o.issues());
    let got: (f64, f64) = one(
        &store,
        "SELECT stock, supply_in FROM stock_report ORDER BY id DESC LIMIT 1",
    );
    assert_eq!(got, (1500.0, 200.0));
    // A figure with its own unit keeps it.
    let p = rows("库存（吨）", "日到货", "800kg", "1吨");
    import(&mut store, Kind::Stock, &p);
    let got: (f64, f64) = one(
        &store,
        "SELECT stock, supply_in FROM stock_report ORDER BY id DESC LIMIT 1",
    );
    assert_eq!(got, (800.0, 1000.0));
    let before = dump(&store);
    let p = rows("库存（箱）", "日到货", "30", "1");
    let e = import_sheet(&mut store, Kind::Stock, &p, None).unwrap_err();
    assert!(e.zh.contains("“箱”") && e.zh.contains("C 列"), "{e:?}");
    assert_eq!(dump(&store), before);
    // Protective supplies are counted in pieces: a weight header is wrong for them.
    let p = desk.csv(
        "防护.csv",
        &[
            &["社区", "品类", "库存（吨）", "时点"],
            &["螺蛳包社区", "防护用品", "3", "2026-11-29 08:00"],
        ],
    );
    let o = import(&mut store, Kind::Stock, &p);
    assert!(!o.written());
    assert_eq!(dump(&store), before);
}

#[test]
fn a_data_row_never_becomes_the_header() {
    let (desk, mut store) = seeded_desk(now(), Kind::Communities);
    let before = dump(&store);
    let p = desk.csv(
        "社区.csv",
        &[
            &["社区（村）人口台账", "", "", ""],
            &["序号", "村居名", "类型", "常住人口"],
            &["1", "龙宝村", "村", "2300"],
            &["2", "螺蛳包社区", "社区", "5200"],
        ],
    );
    let e = import_sheet(&mut store, Kind::Communities, &p, None).unwrap_err();
    assert!(
        e.zh.contains("第 2 行") && e.zh.contains("社区名称") && e.zh.contains("村居名"),
        "{e:?}"
    );
    assert!(
        e.en.contains("lacks the required column community"),
        "{e:?}"
    );
    assert_eq!(dump(&store), before);
    // Even without the title row, and with text-only rows below.
    let p = desk.csv(
        "社区2.csv",
        &[
            &["村居名", "类型", "负责人"],
            &["龙宝村", "村", "刘德明"],
            &["螺蛳包社区", "社区", "陈建华"],
        ],
    );
    let e = import_sheet(&mut store, Kind::Communities, &p, None).unwrap_err();
    assert!(
        e.zh.contains("第 1 行") && e.zh.contains("社区名称"),
        "{e:?}"
    );
    assert_eq!(dump(&store), before);
    // The wording offices use is understood.
    let p = desk.csv(
        "社区3.csv",
        &[
            &["序号", "社区（村）名称", "类型", "常住人口"],
            &["1", "龙宝村", "村", "2300"],
        ],
    );
    let o = import(&mut store, Kind::Communities, &p);
    assert!(o.written(), "{:?}", o.issues());
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM community WHERE name IN ('村', '社区')"
        ),
        0
    );
}

#[test]
fn totals_notes_and_numbered_empty_rows_are_skipped_and_listed() {
    let (desk, mut store) = seeded_desk(now(), Kind::Units);
    let p = desk.csv(
        "车辆.csv",
        &[
            &["附表5 保供车辆台账", "", "", ""],
            &["填报单位：双河口街道", "", "填报日期：2022-05-26", ""],
            &["序号", "车牌号", "车型", "所属单位"],
            &["1", "渝F30001", "厢式货车", "万州区双河口粮油批发部"],
            &["2", "渝F30002", "厢式货车", "万州区双河口粮油批发部"],
            &["3", "", "", ""],
            &["4", "", "", ""],
            &["合计：", "2辆", "", ""],
            &["总计（辆）", "2", "", ""],
            &["", "小 计", "2", ""],
            &["（合计）", "", "", ""],
            &["备注：车辆以行驶证为准", "", "", ""],
            &["注：本表每周一更新", "", "", ""],
            &["本表由街道经发办汇总", "", "", ""],
            &["填表人：张三      审核人：李四", "", "", ""],
        ],
    );
    let o = import(&mut store, Kind::Vehicles, &p);
    assert!(o.issues().is_empty(), "{:?}", o.issues());
    assert_eq!(o.report.added.len(), 2);
    assert_eq!(o.parsed.skipped_as(Skip::Empty), [6, 7]);
    assert_eq!(o.parsed.skipped_as(Skip::Total), [8, 9, 10, 11]);
    assert_eq!(o.parsed.skipped_as(Skip::Note), [12, 13, 14, 15]);
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM vehicle WHERE plate LIKE '%辆%' OR plate = '2'"
        ),
        0
    );
    // The command line lists them in the dry run and the summary.
    let out = succeeds(
        desk.cmd("en")
            .args(["import", "vehicles", "车辆.csv", "--dry-run"]),
    );
    assert!(out.contains("Skipped totals: rows 8–11"), "{out}");
    assert!(
        out.contains("Skipped notes and sign-offs: rows 12–15"),
        "{out}"
    );
    assert!(
        out.contains("Skipped empty rows (only a number): rows 6–7"),
        "{out}"
    );
}

#[test]
fn two_row_headers_are_merged() {
    let (desk, mut store) = seeded_desk(now(), Kind::Communities);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let f = Format::new();
    ws.merge_range(0, 0, 1, 0, "序号", &f).unwrap();
    ws.merge_range(0, 1, 1, 1, "社区名称", &f).unwrap();
    ws.merge_range(0, 2, 1, 2, "小区名称", &f).unwrap();
    ws.merge_range(0, 3, 0, 4, "人口", &f).unwrap();
    ws.write_string(1, 3, "常住").unwrap();
    ws.write_string(1, 4, "流动").unwrap();
    ws.merge_range(0, 5, 1, 5, "户数", &f).unwrap();
    ws.write_number(2, 0, 1).unwrap();
    ws.write_string(2, 1, "螺蛳包社区").unwrap();
    ws.write_string(2, 2, "新建小区").unwrap();
    ws.write_number(2, 3, 530).unwrap();
    ws.write_number(2, 4, 45).unwrap();
    ws.write_number(2, 5, 210).unwrap();
    let p = desk.write("小区.xlsx", &wb.save_to_buffer().unwrap());
    let o = import(&mut store, Kind::Compounds, &p);
    assert!(o.written(), "{:?}", o.issues());
    assert_eq!(o.parsed.columns.header_first, 1);
    assert_eq!(o.parsed.columns.header_row, 2);
    assert!(
        o.parsed.columns.unused.is_empty(),
        "{:?}",
        o.parsed.columns.unused
    );
    let got: (i64, i64, i64) = one(
        &store,
        "SELECT resident_pop, floating_pop, households FROM compound WHERE name = '新建小区'",
    );
    assert_eq!(got, (530, 45, 210));
    // The sub-row deleted: 人口 alone is not dropped with a note.
    let before = dump(&store);
    let p = desk.csv(
        "小区2.csv",
        &[
            &["序号", "社区名称", "小区名称", "人口", "户数"],
            &["1", "螺蛳包社区", "另一小区", "530", "210"],
        ],
    );
    let e = import_sheet(&mut store, Kind::Compounds, &p, None).unwrap_err();
    assert!(
        e.zh.contains("D 列“人口”") && e.zh.contains("常住人口"),
        "{e:?}"
    );
    assert_eq!(dump(&store), before);
}

#[test]
fn the_wordings_offices_use_are_understood() {
    let (desk, mut store) = seeded_desk(now(), Kind::Vehicles);
    let p = desk.csv(
        "车辆.csv",
        &[
            &[
                "车牌号码",
                "车辆类型",
                "核定载质量（吨）",
                "所属单位",
                "驾驶员",
                "驾驶员电话",
            ],
            &[
                "渝F40001",
                "厢式货车",
                "2.5",
                "万州区双河口粮油批发部",
                "王五",
                "13700000002",
            ],
        ],
    );
    let o = import(&mut store, Kind::Vehicles, &p);
    assert!(
        o.written(),
        "{:?} {:?}",
        o.issues(),
        o.parsed.columns.unused
    );
    let got: (f64, String) = one(
        &store,
        "SELECT load_tonnes, phone FROM vehicle WHERE plate = '渝F40001'",
    );
    assert_eq!(got, (2.5, "13700000002".into()));
    let p = desk.csv(
        "楼栋.csv",
        &[
            &["所属社区", "所在小区", "楼栋号", "类型"],
            &["螺蛳包社区", "滴水岩小区", "9栋", "楼栋"],
        ],
    );
    let o = import(&mut store, Kind::Buildings, &p);
    assert!(o.written(), "{:?}", o.issues());
    let p = desk.csv(
        "通行证.csv",
        &[
            &[
                "证号",
                "类型",
                "车牌号",
                "所属单位",
                "持证对象",
                "发证单位",
                "有效期开始",
                "有效期结束",
                "状态",
            ],
            &[
                "SHK-TX-2022-00099",
                "车辆通行证",
                "渝F40001",
                "万州区双河口粮油批发部",
                "渝F40001",
                "经发办",
                "2022-05-26",
                "2022-06-25",
                "有效",
            ],
        ],
    );
    let o = import(&mut store, Kind::Passes, &p);
    assert!(o.written(), "{:?}", located(&o, Lang::En));
    let got: (String, String) = one(
        &store,
        "SELECT state, valid_until FROM pass WHERE number = 'SHK-TX-2022-00099'",
    );
    assert_eq!(got.0, "issued");
}

#[test]
fn csv_rows_are_named_by_their_line() {
    let (desk, mut store) = seeded_desk(now(), Kind::Units);
    let p = desk.write(
        "车辆.csv",
        "车牌号,车型,所属单位\n\n渝F50001,厢式货车,万州区双河口粮油批发部\n\n\n渝F5#002,厢式货车,万州区双河口粮油批发部\n"
            .as_bytes(),
    );
    let before = dump(&store);
    let o = import(&mut store, Kind::Vehicles, &p);
    assert!(!o.written());
    let issues = located(&o, Lang::En);
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert!(
        issues[0].starts_with("row 6, column A") && issues[0].contains("cannot be a plate"),
        "{issues:?}"
    );
    assert_eq!(dump(&store), before, "a plate no plate has is a bad row");
}

/// A generated sheet of vehicles: good rows, bad cells, totals, notes and
/// empty numbered rows in random order. An import either changes exactly
/// the rows its summary counts, or nothing at all.
#[test]
fn an_import_changes_exactly_what_it_counts_or_nothing() {
    let (desk, mut store) = seeded_desk(now(), Kind::Vehicles);
    let mut rng = SmallRng::seed_from_u64(15);
    for round in 0..40 {
        let mut rows: Vec<Vec<String>> = vec![vec![
            "序号".into(),
            "车牌号".into(),
            "车型".into(),
            "核定载重（吨）".into(),
            "所属单位".into(),
        ]];
        for i in 0..rng.random_range(1..12) {
            let plate = match rng.random_range(0..10) {
                0 => "渝F12#45".to_string(),
                1 => "2辆".to_string(),
                2 => "渝F12345".to_string(),
                _ => format!("渝F{:05}", rng.random_range(60000..60050)),
            };
            let load = match rng.random_range(0..8) {
                0 => "很重".to_string(),
                1 => String::new(),
                _ => format!("{}", rng.random_range(1..20)),
            };
            let unit = if rng.random_range(0..12) == 0 {
                "不存在的单位"
            } else {
                "万州区双河口粮油批发部"
            };
            rows.push(vec![
                (i + 1).to_string(),
                plate,
                "厢式货车".into(),
                load,
                unit.into(),
            ]);
            match rng.random_range(0..10) {
                0 => rows.push(vec!["合 计".into(), "".into(), "".into(), "9".into()]),
                1 => rows.push(vec![(i + 50).to_string()]),
                _ => {}
            }
        }
        if rng.random_bool(0.3) {
            rows.push(vec!["填表人：张三".into()]);
        }
        for r in &mut rows {
            r.resize(5, String::new());
        }
        let refs: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        let refs: Vec<&[&str]> = refs.iter().map(Vec::as_slice).collect();
        let p = desk.csv(&format!("gen{round}.csv"), &refs);
        let before_rows = count(&store, "SELECT count(*) FROM vehicle");
        let before = dump(&store);
        let log_before = count(&store, "SELECT count(*) FROM duty_log");
        let o = import(&mut store, Kind::Vehicles, &p);
        if o.written() {
            let after_rows = count(&store, "SELECT count(*) FROM vehicle");
            assert_eq!(
                usize::try_from(after_rows - before_rows).unwrap(),
                o.report.added.len(),
                "round {round}"
            );
            let touched = count(
                &store,
                &format!(
                    "SELECT count(*) FROM vehicle WHERE log_seq = {}",
                    o.report.seq.unwrap()
                ),
            );
            assert_eq!(
                usize::try_from(touched).unwrap(),
                o.report.added.len() + o.report.changed.len(),
                "round {round}"
            );
            assert_eq!(
                count(&store, "SELECT count(*) FROM duty_log"),
                log_before + 1
            );
            assert!(
                count(
                    &store,
                    "SELECT count(*) FROM vehicle WHERE plate LIKE '%#%' OR plate LIKE '%辆%'"
                ) == 0
            );
        } else {
            assert!(!o.issues().is_empty(), "round {round}");
            assert_eq!(dump(&store), before, "round {round}");
        }
    }
}

/// Malformed and hostile files: each is read or refused in a sentence,
/// never a panic.
#[test]
fn no_file_makes_the_reader_panic() {
    let desk = Desk::at(now());
    let mut rng = SmallRng::seed_from_u64(1515);
    let good = workbook(&[("社区", communities_sheet()), ("小区", compounds_sheet())]);
    let xls = std::fs::read(fixture("annexes.xls")).unwrap();
    let mut cases: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"PK\x03\x04".to_vec(),
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1garbage".to_vec(),
        b"<html><table><tr><td colspan=999999999999>x".to_vec(),
        b"<table><tr><td>&#xFFFFFFFF;&#99999999999;&</td>".to_vec(),
        "\u{feff}\n\n\n,,,\n合计\n".as_bytes().to_vec(),
        b"\xFF\xFE\x00".to_vec(),
        good[..good.len() / 2].to_vec(),
        xls[..xls.len() / 2].to_vec(),
    ];
    for _ in 0..60 {
        let base = if rng.random_bool(0.5) { &good } else { &xls };
        let mut b = base.clone();
        for _ in 0..rng.random_range(1..20) {
            let i = rng.random_range(0..b.len());
            b[i] = rng.random();
        }
        cases.push(b);
    }
    for (i, bytes) in cases.iter().enumerate() {
        let p = desk.write(&format!("f{i}.xlsx"), bytes);
        for kind in [Kind::Communities, Kind::Stock] {
            let r = std::panic::catch_unwind(|| ledger::parse_file(kind, &p, TZ, &Quiet));
            let r = r.unwrap_or_else(|_| panic!("case {i} panicked"));
            if let Err(e) = r {
                assert!(!e.zh.is_empty() && !e.en.is_empty());
                assert!(!e.en.contains('\n'), "one sentence: {e:?}");
            }
        }
    }
}

#[test]
fn the_command_line_names_the_sheet_and_offers_sheet() {
    let (desk, _store) = seeded_desk(now(), Kind::Staff);
    desk.write(
        "附表.xlsx",
        &workbook(&[
            ("附表1 小区", compounds_sheet()),
            ("附表4 工作人员", staff_sheet()),
        ]),
    );
    let err = fails(
        desk.cmd("zh")
            .args(["--officer", "王静", "import", "communities", "附表.xlsx"]),
        2,
    );
    assert!(
        err.contains("--sheet") && err.contains("附表1 小区"),
        "{err}"
    );
    let out = succeeds(
        desk.cmd("en")
            .args(["import", "staff", "附表.xlsx", "--dry-run"]),
    );
    assert!(
        out.contains("sheet 「附表4 工作人员」") || out.contains("附表4 工作人员"),
        "{out}"
    );
    let out = succeeds(desk.cmd("en").args([
        "import",
        "compounds",
        "附表.xlsx",
        "--sheet",
        "1",
        "--dry-run",
    ]));
    assert!(out.contains("附表1 小区"), "{out}");
}

/// A date without a time is the same in a date cell and in text: a stock
/// report's 时点 refuses both; a date-time cell keeps its time, midnight too.
#[test]
fn a_date_cell_reads_as_the_same_date_typed() {
    use rust_xlsxwriter::ExcelDateTime;
    let (desk, mut store) = seeded_desk(stock_now(), Kind::Units);
    let book = |format: &str, hour: u16| {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["社区", "品类", "库存", "时点"].iter().enumerate() {
            ws.write_string(0, u16::try_from(c).unwrap(), *h).unwrap();
        }
        ws.write_string(1, 0, "螺蛳包社区").unwrap();
        ws.write_string(1, 1, "粮").unwrap();
        ws.write_number(1, 2, 3000).unwrap();
        let at = ExcelDateTime::from_ymd(2026, 11, 29)
            .unwrap()
            .and_hms(hour, 0, 0)
            .unwrap();
        ws.write_datetime_with_format(1, 3, &at, &Format::new().set_num_format(format))
            .unwrap();
        wb.save_to_buffer().unwrap()
    };
    let typed = desk.csv(
        "typed.csv",
        &[
            &["社区", "品类", "库存", "时点"],
            &["螺蛳包社区", "粮", "3000", "2026-11-29"],
        ],
    );
    let from_text = dry_run(&mut store, Kind::Stock, &typed);
    let cell = desk.write("date.xlsx", &book("yyyy-mm-dd", 0));
    let from_cell = dry_run(&mut store, Kind::Stock, &cell);
    let said = |o: &ledger::Outcome| located(o, Lang::En);
    assert_eq!(said(&from_text).len(), 1);
    assert!(
        said(&from_text)[0].contains("without a time of day"),
        "{:?}",
        said(&from_text)
    );
    assert_eq!(
        said(&from_cell)
            .iter()
            .map(|s| s.replace("column D (时点)", ""))
            .collect::<Vec<_>>(),
        said(&from_text)
            .iter()
            .map(|s| s.replace("column D (时点)", ""))
            .collect::<Vec<_>>()
    );
    for (format, hour) in [("yyyy-mm-dd hh:mm", 0), ("yyyy/m/d h:mm", 8)] {
        let p = desk.write("datetime.xlsx", &book(format, hour));
        let o = dry_run(&mut store, Kind::Stock, &p);
        assert!(o.issues().is_empty(), "{format}: {:?}", said(&o));
    }
}

/// Pieces under a weight header: a plain figure is refused, a figure with
/// its own unit (500件) goes in.
#[test]
fn protective_supplies_keep_their_pieces() {
    let (desk, mut store) = seeded_desk(stock_now(), Kind::Units);
    let sheet = |figure: &'static str| {
        desk.csv(
            "防护.csv",
            &[
                &["社区", "品类", "库存（吨）", "时点"],
                &["螺蛳包社区", "防护用品", figure, "2026-11-29 08:00"],
                &["螺蛳包社区", "粮", "3", "2026-11-29 08:00"],
            ],
        )
    };
    let o = dry_run(&mut store, Kind::Stock, &sheet("500"));
    let said = located(&o, Lang::En);
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(
        said[0].starts_with("row 2") && said[0].contains("pieces"),
        "{said:?}"
    );
    let o = import(&mut store, Kind::Stock, &sheet("500件"));
    assert!(o.written(), "{:?}", located(&o, Lang::En));
    let got: Vec<(String, f64)> = common::select(
        &store,
        "SELECT item, stock FROM stock_report ORDER BY id DESC LIMIT 2",
    );
    assert!(got.contains(&("protective".into(), 500.0)), "{got:?}");
    assert!(got.contains(&("grain".into(), 3000.0)), "{got:?}");
}
