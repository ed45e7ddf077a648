//! Stock and daily-supply reports in bulk (`import stock`), against a real
//! SQLite file: files in the encodings and formats clerks save (made here
//! with encoding_rs and rust_xlsxwriter), one log entry per import with the
//! file's hash, predicted alerts raised and cleared after it, every kind of
//! bad row named by row and column with nothing written, dry runs, the
//! moment's bounds shared with the desk, round trips, and the command line.

mod common;

use std::path::PathBuf;

use chrono::{DateTime, Duration, TimeZone, Utc};
use sha2::{Digest, Sha256};

use common::ledger::{
    TZ, actor, csv_bom, dry_run, exported, gb18030, import, located, seed, seeded_desk,
    template_csv, templates_dir, values, xlsx_row,
};
use common::{Desk, count, dump, fails, select, succeeds, value};
use supplydesk::domain::Code;
use supplydesk::domain::alert::{AlertState, ItemClass};
use supplydesk::domain::cover::Norms;
use supplydesk::i18n::Lang;
use supplydesk::ledger::{self, Kind};
use supplydesk::store::Store;
use supplydesk::store::ledger::{LedgerTable, Quiet};
use supplydesk::store::places::Ref;
use supplydesk::store::supply::{NewStockReport, PredictedChange, StockSource};

/// 10:00 in Chongqing.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, 2, 0, 0).unwrap()
}

/// The register from the templates, up to the supply units: 螺蛳包社区
/// (6,000 people: grain need 2,400 kg a day), 龙宝村, 滴水岩小区 with its
/// transfer station, 螺蛳包生鲜超市, 万州区双河口粮油批发部.
fn seeded() -> (Desk, Store) {
    seeded_desk(t0(), Kind::Units)
}

fn reports(store: &Store) -> i64 {
    count(store, "SELECT COUNT(*) FROM stock_report")
}

fn community_id(store: &Store, name: &str) -> i64 {
    store.community_by_name(name).unwrap().id
}

/// (subject, text) of a log entry.
fn entry(store: &Store, seq: i64) -> (String, String) {
    store
        .conn()
        .query_row(
            "SELECT subject, text FROM duty_log WHERE seq = ?1",
            [seq],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

fn chain_holds(store: &Store) {
    let v = store.verify_log().unwrap();
    assert!(v.ok(), "{v:?}");
}

#[test]
fn a_utf8_csv_with_english_headers_goes_in_under_one_entry_with_the_file_hash() {
    let (desk, mut store) = seeded();
    let bytes = csv_bom(&[
        &[
            "community",
            "item",
            "stock",
            "daily supply",
            "as of",
            "unit",
            "outlet",
            "station",
            "reporter",
            "channel",
        ],
        &[
            "螺蛳包社区",
            "grain",
            "20t",
            "500kg",
            "2026-11-29 08:00",
            "万州区双河口粮油批发部",
            "",
            "",
            "周明",
            "电话",
        ],
        &[
            "螺蛳包",
            "vegetables",
            "9000",
            "1,000",
            "2026/11/29 9:30",
            "",
            "螺蛳包生鲜超市",
            "",
            "",
            "",
        ],
        &[
            "螺蛳包社区",
            "防护用品",
            "60000件",
            "",
            "",
            "",
            "",
            "滴水岩小区",
            "",
            "",
        ],
        &["龙宝村", "蛋奶", "5000斤", "100斤", "", "", "", "", "", ""],
    ]);
    let p = desk.write("stock.csv", &bytes);
    let before = store.head().unwrap();
    let o = import(&mut store, Kind::Stock, &p);
    assert!(o.issues().is_empty(), "{:?}", o.issues());
    assert!(o.written());
    assert_eq!(o.report.added.len(), 4);
    assert!(o.predicted.is_empty(), "{:?}", o.predicted);
    let seq = o.report.seq.unwrap();
    assert_eq!(seq, before.seq + 1, "one entry for the whole file");
    assert_eq!(store.head().unwrap().seq, seq);
    let (subject, text) = entry(&store, seq);
    assert_eq!(subject, "stock_report");
    let sha = hex::encode(Sha256::digest(&bytes));
    assert!(text.contains(&sha) && text.contains("stock.csv"), "{text}");
    assert!(text.contains("added 4"), "{text}");
    assert_eq!(reports(&store), 4);
    assert_eq!(
        count(
            &store,
            &format!("SELECT COUNT(*) FROM stock_report WHERE log_seq = {seq}")
        ),
        4
    );
    type Row = (
        String,
        f64,
        f64,
        String,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = select(
        &store,
        "SELECT item, stock, supply_in, reported_at, unit_id, outlet_id, compound_id,
                reporter, source FROM stock_report ORDER BY id",
    );
    assert_eq!(rows[0].0, "grain");
    assert_eq!((rows[0].1, rows[0].2), (20000.0, 500.0));
    assert_eq!(rows[0].3, "2026-11-29T00:00:00.000Z");
    assert!(rows[0].4.is_some() && rows[0].5.is_none() && rows[0].6.is_none());
    assert_eq!(
        (rows[0].7.as_deref(), rows[0].8.as_deref()),
        (Some("周明"), Some("电话"))
    );
    assert_eq!((rows[1].1, rows[1].2), (9000.0, 1000.0));
    assert_eq!(rows[1].3, "2026-11-29T01:30:00.000Z");
    assert!(rows[1].5.is_some());
    // No moment: now; no daily supply: 0.
    assert_eq!((rows[2].1, rows[2].2), (60000.0, 0.0));
    assert_eq!(rows[2].3, "2026-11-29T02:00:00.000Z");
    assert!(rows[2].6.is_some());
    // 5000斤 is 2500 kg; no source: the community's own count.
    assert_eq!((rows[3].1, rows[3].2), (2500.0, 50.0));
    assert!(rows[3].4.is_none() && rows[3].5.is_none() && rows[3].6.is_none());
    chain_holds(&store);

    // The same file again (the clock stands still, so "now" too is the
    // same moment): every report is already there and none is counted
    // twice.
    let o = import(&mut store, Kind::Stock, &p);
    assert!(o.written());
    assert_eq!((o.report.added.len(), o.report.unchanged), (0, 4));
    assert_eq!(reports(&store), 4);
    chain_holds(&store);
}

#[test]
fn a_gb18030_csv_with_chinese_headers_a_title_and_a_total_goes_in() {
    let (desk, mut store) = seeded();
    let text = "双河口街道库存日报（11月29日）,,,,,,,\n\
                序号,社区/村,品类,库存（公斤）,日到货量,报告时间,保供单位,报告人\n\
                1,螺蛳包社区,粮,3.2吨,\"1,200\",2026年11月29日 8时,万州区双河口粮油批发部,周明\n\
                2,龙宝村,菜,1500,900,2026年11月29日 7时30分,,刘德明\n\
                合计,,,4700,2100,,,\n";
    let p = desk.write("库存日报.csv", &gb18030(text));
    let o = import(&mut store, Kind::Stock, &p);
    assert!(o.issues().is_empty(), "{:?}", o.issues());
    assert_eq!(
        o.parsed.sheet.encoding.map(|e| e.name()),
        Some("GB18030/GBK")
    );
    assert_eq!(o.parsed.columns.header_row, 2);
    assert_eq!(o.parsed.totals(), [5]);
    assert_eq!(o.report.added.len(), 2);
    let got: Vec<(String, f64, f64, String)> = select(
        &store,
        "SELECT c.name, s.stock, s.supply_in, s.reported_at FROM stock_report s
         JOIN community c ON c.id = s.community_id ORDER BY s.id",
    );
    assert_eq!(
        got,
        [
            (
                "螺蛳包社区".to_string(),
                3200.0,
                1200.0,
                "2026-11-29T00:00:00.000Z".to_string()
            ),
            (
                "龙宝村".to_string(),
                1500.0,
                900.0,
                "2026-11-28T23:30:00.000Z".to_string()
            ),
        ]
    );
    chain_holds(&store);
}

#[test]
fn an_xlsx_with_date_time_cells_serials_and_number_cells_goes_in() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let (desk, mut store) = seeded();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("库存").unwrap();
    let when = Format::new().set_num_format("yyyy/m/d h:mm");
    xlsx_row(ws, 0, &["社区", "品类", "库存", "日到货", "时点", "中转站"]);
    ws.write_string(1, 0, "螺蛳包社区").unwrap();
    ws.write_string(1, 1, "肉").unwrap();
    ws.write_number(1, 2, 2400).unwrap();
    ws.write_number(1, 3, 150.5).unwrap();
    let at = ExcelDateTime::from_ymd(2026, 11, 29)
        .unwrap()
        .and_hms(8, 0, 0)
        .unwrap();
    ws.write_datetime_with_format(1, 4, at, &when).unwrap();
    ws.write_string(1, 5, "滴水岩小区").unwrap();
    // A serial typed as a plain number, with its time of day.
    ws.write_string(2, 0, "龙宝村").unwrap();
    ws.write_string(2, 1, "oil").unwrap();
    ws.write_string(2, 2, "300kg").unwrap();
    ws.write_number(2, 4, 46355.0 + 1.0 / 3.0).unwrap();
    // The station by its registered name rather than its compound's.
    ws.write_string(3, 0, "螺蛳包社区").unwrap();
    ws.write_string(3, 1, "药品").unwrap();
    ws.write_string(3, 2, "80").unwrap();
    ws.write_string(3, 4, "2026年11月29日 8时30分").unwrap();
    ws.write_string(3, 5, "滴水岩小区东门物业用房").unwrap();
    let p = desk.write("库存.xlsx", &wb.save_to_buffer().unwrap());
    let o = import(&mut store, Kind::Stock, &p);
    assert!(o.issues().is_empty(), "{:?}", o.issues());
    assert_eq!(o.parsed.sheet.name.as_deref(), Some("库存"));
    assert_eq!(o.report.added.len(), 3);
    let got: Vec<(String, f64, f64, String, Option<i64>)> = select(
        &store,
        "SELECT item, stock, supply_in, reported_at, compound_id FROM stock_report ORDER BY id",
    );
    assert_eq!(
        (got[0].0.as_str(), got[0].1, got[0].2),
        ("meat", 2400.0, 150.5)
    );
    assert_eq!(got[0].3, "2026-11-29T00:00:00.000Z");
    assert_eq!((got[1].0.as_str(), got[1].1), ("oil", 300.0));
    assert_eq!(got[1].3, "2026-11-29T00:00:00.000Z");
    assert_eq!(got[2].3, "2026-11-29T00:30:00.000Z");
    assert!(got[0].4.is_some());
    assert_eq!(got[2].4, got[0].4, "the station is its compound's");
}

#[test]
fn a_report_under_the_threshold_raises_one_predicted_alert_and_recovery_clears_it() {
    let (desk, mut store) = seeded();
    let header: &[&str] = &["社区（村）", "品类", "库存", "日到货", "时点", "保供单位"];
    let unit = "万州区双河口粮油批发部";
    // A report of `stock` grain at `at` in 螺蛳包社区, imported from `name`.
    let report = |store: &mut Store, name: &str, stock: &str, at: &str| {
        let rows: &[&[&str]] = &[header, &["螺蛳包社区", "粮", stock, "0", at, unit]];
        import(store, Kind::Stock, &desk.csv(name, rows))
    };
    // 3,000 kg against 2,400 kg a day: 1.25 days, under 3.
    let o = report(&mut store, "low.csv", "3000", "2026-11-29 08:00");
    assert!(o.issues().is_empty(), "{:?}", o.issues());
    let import_seq = o.report.seq.unwrap();
    let [
        PredictedChange::Raised {
            alert_id,
            community_id: cid,
            item,
            seq,
            ..
        },
    ] = o.predicted.as_slice()
    else {
        panic!("one raise expected: {:?}", o.predicted);
    };
    let (alert_id, raise_seq) = (*alert_id, *seq);
    assert_eq!(*cid, community_id(&store, "螺蛳包社区"));
    assert_eq!(*item, ItemClass::Grain);
    assert!(raise_seq > import_seq, "logged after the import entry");
    assert_eq!(store.head().unwrap().seq, raise_seq);
    assert_eq!(entry(&store, raise_seq).0, format!("alert:{alert_id}"));
    let predicted = "SELECT COUNT(*) FROM alert WHERE predicted = 1";
    assert_eq!(count(&store, predicted), 1);
    let (state, log_seq): (String, i64) = store
        .conn()
        .query_row(
            "SELECT state, log_seq FROM alert WHERE id = ?1",
            [alert_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((state.as_str(), log_seq), ("open", raise_seq));
    // Every report of the import stays under the import's entry.
    assert_eq!(
        count(
            &store,
            &format!("SELECT COUNT(*) FROM stock_report WHERE log_seq <> {import_seq}")
        ),
        0
    );

    // Still short: the open prediction is not repeated.
    let o = report(&mut store, "still-low.csv", "2500", "2026-11-29 09:00");
    assert!(o.written() && o.predicted.is_empty(), "{:?}", o.predicted);
    assert_eq!(count(&store, predicted), 1);

    // 30,000 kg: 12.5 days; the prediction nobody took over clears.
    let o = report(&mut store, "recovered.csv", "30t", "2026-11-29 09:45");
    assert!(o.issues().is_empty(), "{:?}", o.issues());
    let recovery_seq = o.report.seq.unwrap();
    let [
        PredictedChange::Cleared {
            alert_id: a, seq, ..
        },
    ] = o.predicted.as_slice()
    else {
        panic!("one clear expected: {:?}", o.predicted);
    };
    assert_eq!(*a, alert_id);
    assert!(*seq > recovery_seq, "logged after the import entry");
    assert_eq!(entry(&store, *seq).0, format!("alert:{alert_id}"));
    let state: String = store
        .conn()
        .query_row("SELECT state FROM alert WHERE id = ?1", [alert_id], |r| {
            r.get(0)
        })
        .unwrap();
    let state = AlertState::from_code(&state).unwrap();
    assert!(!state.is_open(), "{state:?}");
    assert_eq!(count(&store, predicted), 1, "nothing new raised");
    chain_holds(&store);
}

/// Every bad-row kind, each in its own row, named by row and column.
const BAD_HEADER: &[&str] = &[
    "社区/村",
    "品类",
    "库存",
    "日到货",
    "时点",
    "保供单位",
    "网点",
    "报告人",
];

fn good_row() -> Vec<&'static str> {
    vec![
        "螺蛳包社区",
        "粮",
        "3200",
        "500",
        "2026-11-29 08:00",
        "万州区双河口粮油批发部",
        "",
        "周明",
    ]
}

#[test]
fn every_bad_row_is_named_by_row_and_column_and_nothing_is_written() {
    let (desk, mut store) = seeded();
    let before = (dump(&store), store.head().unwrap());
    let g = good_row();
    // The good row with cell `i` made `v`.
    let row = |i: usize, v: &'static str| {
        let mut r = g.clone();
        r[i] = v;
        r
    };
    // The header and the good row, then `bad`, as `name`.
    let file = |name: &str, bad: &[Vec<&str>]| {
        let mut rows: Vec<&[&str]> = vec![BAD_HEADER, &g];
        rows.extend(bad.iter().map(Vec::as_slice));
        desk.csv(name, &rows)
    };
    // Nothing written, not even a log entry.
    let unchanged = |store: &Store| {
        assert_eq!((dump(store), store.head().unwrap()), before);
        assert_eq!(reports(store), 0);
    };
    let two_sources = row(6, "螺蛳包生鲜超市");
    let p = file(
        "bad.csv",
        &[
            row(0, "不存在社区"),
            row(1, "砖头"),
            row(2, "很多"),
            row(4, "2026-11-29 12:00"),
            two_sources.clone(),
            row(5, "无名粮店"),
            row(4, "2026-11-29"),
        ],
    );
    let o = import(&mut store, Kind::Stock, &p);
    assert!(!o.written());
    let en = located(&o, Lang::En);
    let want = [
        "row 3, column A (社区/村): The community \"不存在社区\" is not registered",
        "row 4, column B (品类): The item class \"砖头\" is not one of: grain, oil",
        "row 5, column C (库存): The stock must be a quantity, not \"很多\"",
        "row 6, column E (时点): The time 2026-11-29 12:00+08:00 is in the future",
        "row 7, column G (网点): A report has one source, but this row gives both the supply unit \"万州区双河口粮油批发部\" and the outlet \"螺蛳包生鲜超市\"",
        "row 8, column F (保供单位): The supply unit \"无名粮店\" is not registered",
        "row 9, column E (时点): The report time \"2026-11-29\" is a date without a time of day",
    ];
    assert_eq!(en.len(), want.len(), "{en:#?}");
    for (got, want) in en.iter().zip(want) {
        assert!(got.starts_with(want), "{got}\n  wanted {want}");
    }
    // One sentence per problem, in each language.
    let zh = located(&o, Lang::Zh);
    assert!(
        zh[0].starts_with("第 3 行 A 列（社区/村）：社区（村）“不存在社区”未登记"),
        "{zh:#?}"
    );
    assert!(zh[4].contains("一份报告只能有一个报告方"), "{zh:#?}");
    unchanged(&store);

    // Rows only the register refuses: the write transaction is opened,
    // the good rows planned, and everything rolled back.
    let p = file(
        "bad-refs.csv",
        &[
            row(0, "不存在社区"),
            row(4, "2026-11-29 12:00"),
            two_sources,
            row(5, "无名粮店"),
            row(6, "龙宝村便民店"),
        ],
    );
    let o = import(&mut store, Kind::Stock, &p);
    assert!(
        o.parsed.issues.is_empty(),
        "only the register refuses these"
    );
    assert!(!o.written());
    let en = located(&o, Lang::En);
    assert_eq!(en.len(), 5, "{en:#?}");
    assert!(en[0].starts_with("row 3, column A"), "{en:#?}");
    // The outlet of another community (row 7 also names a unit: two sources).
    assert!(en[4].starts_with("row 7, column G (网点)"), "{en:#?}");
    unchanged(&store);
}

#[test]
fn an_outlet_or_station_outside_the_community_and_a_compound_without_station_are_named() {
    let (desk, mut store) = seeded();
    let p = desk.csv(
        "k.csv",
        &[&["社区名称", "小区名称"], &["螺蛳包社区", "沙龙路小区"]],
    );
    assert!(import(&mut store, Kind::Compounds, &p).written());
    let rows: &[&[&str]] = &[
        &["社区", "品类", "库存", "网点", "中转站"],
        &["龙宝村", "粮", "100", "螺蛳包生鲜超市", ""],
        &["龙宝村", "粮", "100", "", "滴水岩小区"],
        &["螺蛳包社区", "粮", "100", "", "无此小区"],
        &["螺蛳包社区", "粮", "", "", ""],
        &["螺蛳包社区", "粮", "100", "", "沙龙路小区"],
    ];
    let p = desk.csv("places.csv", rows);
    let o = import(&mut store, Kind::Stock, &p);
    let en = located(&o, Lang::En);
    assert_eq!(en.len(), 5, "{en:#?}");
    assert!(
        en[0].starts_with("row 2, column D (网点): The outlet \"螺蛳包生鲜超市\" is not in 龙宝村"),
        "{en:#?}"
    );
    assert!(
        en[1].starts_with("row 3, column E (中转站): 龙宝村 has no compound or transfer station"),
        "{en:#?}"
    );
    assert!(en[2].starts_with("row 4, column E (中转站)"), "{en:#?}");
    assert!(
        en[3].starts_with("row 5, column C (库存): The stock is empty"),
        "{en:#?}"
    );
    assert!(
        en[4].starts_with(
            "row 6, column E (中转站): The compound \"沙龙路小区\" has no transfer station registered"
        ),
        "{en:#?}"
    );
    assert_eq!(reports(&store), 0);
}

#[test]
fn the_moments_bounds_are_those_of_a_report_typed_at_the_desk() {
    let (desk, mut store) = seeded();
    let local = |t: DateTime<Utc>| t.with_timezone(&TZ).format("%Y-%m-%d %H:%M:%S").to_string();
    let cases = [
        (t0() + Duration::minutes(4), true),
        (t0() + Duration::minutes(6), false),
        (t0() - Duration::days(364), true),
        (t0() - Duration::days(366), false),
    ];
    for (i, (at, ok)) in cases.into_iter().enumerate() {
        let p = desk.csv(
            &format!("m{i}.csv"),
            &[
                &["社区", "品类", "库存", "时点"],
                &["龙宝村", "粮", "5000", &local(at)],
            ],
        );
        let o = import(&mut store, Kind::Stock, &p);
        assert_eq!(o.written(), ok, "{at}: {:?}", located(&o, Lang::En));
        let desk_says = store.record_stock(
            &actor(),
            &NewStockReport {
                community: Some(Ref::Name("龙宝村".into())),
                item: ItemClass::Grain,
                source: StockSource::Community,
                stock: 5000.0,
                supply_in: 0.0,
                reported_at: Some(at),
                reporter: None,
                channel: None,
            },
            &Norms::default(),
        );
        assert_eq!(desk_says.is_ok(), ok, "{at}: the desk disagrees");
    }
    // A little ahead of the clock is taken as now, as at the desk.
    let first: String = value(
        &store,
        "SELECT reported_at FROM stock_report ORDER BY id LIMIT 1",
    );
    assert_eq!(first, "2026-11-29T02:00:00.000Z");
}

#[test]
fn a_dry_run_says_what_would_go_in_and_writes_nothing() {
    let (desk, mut store) = seeded();
    let before = (dump(&store), store.head().unwrap());
    let p = desk.csv(
        "dry.csv",
        &[
            BAD_HEADER,
            &good_row(),
            &["龙宝村", "粮", "10", "", "", "", "", ""],
        ],
    );
    let o = dry_run(&mut store, Kind::Stock, &p);
    assert!(!o.written() && o.issues().is_empty(), "{:?}", o.issues());
    assert_eq!(o.report.added.len(), 2);
    // 10 kg of grain for 2,450 people would raise a prediction; a dry run
    // writes none.
    assert!(o.predicted.is_empty());
    assert_eq!((dump(&store), store.head().unwrap()), before);
}

#[test]
fn export_then_import_gives_the_same_reports() {
    let (desk, mut first) = seeded();
    let p = desk.csv(
        "first.csv",
        &[
            &[
                "社区",
                "品类",
                "库存",
                "日到货",
                "时点",
                "保供单位",
                "网点",
                "中转站",
                "报告人",
                "来源",
            ],
            &[
                "螺蛳包社区",
                "粮",
                "3.2吨",
                "800kg",
                "2026-11-29 08:00:05",
                "万州区双河口粮油批发部",
                "",
                "",
                "周明",
                "电话",
            ],
            &[
                "螺蛳包社区",
                "菜",
                "1200.25",
                "",
                "2026-11-29 00:00",
                "",
                "螺蛳包生鲜超市",
                "",
                "",
                "报表",
            ],
            &[
                "螺蛳包社区",
                "防护用品",
                "5000件",
                "",
                "",
                "",
                "",
                "滴水岩小区",
                "陈建华",
                "",
            ],
            &["龙宝村", "蛋奶", "500斤", "100斤", "", "", "", "", "", ""],
        ],
    );
    let o = import(&mut first, Kind::Stock, &p);
    assert!(o.written(), "{:?}", o.issues());
    let want = first.ledger_rows(LedgerTable::StockReport).unwrap();
    assert_eq!(want.len(), 4);
    for xlsx in [false, true] {
        let bytes = exported(Kind::Stock, &want, true, xlsx);
        let name = if xlsx {
            "out.xlsx"
        } else {
            let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
            assert!(
                text.starts_with(
                    "社区（村）,品类,库存,日到货,时点,保供单位,网点,中转站（小区）,报告人,来源\n"
                ),
                "{text}"
            );
            assert!(
                text.contains("2026-11-29 00:00,"),
                "midnight keeps its time: {text}"
            );
            "out.csv"
        };
        let path = desk.write(name, &bytes);
        let mut second = desk.store_at(&desk.path(&format!("second-{name}.db")));
        seed(&desk, &mut second, Kind::Units);
        let o = import(&mut second, Kind::Stock, &path);
        assert!(o.issues().is_empty(), "{name}: {:?}", o.issues());
        assert_eq!(
            second.ledger_rows(LedgerTable::StockReport).unwrap(),
            want,
            "{name}"
        );
        // And back into the first: every report is already there.
        let o = dry_run(&mut first, Kind::Stock, &path);
        assert!(o.issues().is_empty(), "{name}: {:?}", o.issues());
        assert!(o.report.added.is_empty(), "{name}: {:?}", o.report.added);
        assert_eq!(o.report.unchanged, 4, "{name}");
    }
}

#[test]
fn the_template_in_data_templates_is_current_and_reads() {
    let dir = templates_dir();
    let csv = dir.join("stock.csv");
    assert_eq!(
        std::fs::read(&csv).expect("stock.csv"),
        template_csv(Kind::Stock),
        "run `supplydesk export stock --template -o data/templates/stock.csv`"
    );
    let (from_xlsx, _) = ledger::parse_file(Kind::Stock, &dir.join("stock.xlsx"), TZ, &Quiet)
        .expect("xlsx template reads");
    let (from_csv, _) = ledger::parse_file(Kind::Stock, &csv, TZ, &Quiet).unwrap();
    assert!(from_xlsx.issues.is_empty() && from_csv.issues.is_empty());
    assert_eq!(values(&from_xlsx), values(&from_csv));
    assert_eq!(from_csv.records.len(), Kind::Stock.examples().len());
}

#[test]
fn the_command_line_imports_stock_and_says_what_the_predictions_did() {
    let desk = seeded().0;
    // The binary runs on the system clock: no moment means now.
    let p = desk.csv(
        "s.csv",
        &[
            &["社区", "品类", "库存", "日到货"],
            &["螺蛳包社区", "粮", "3000", "0"],
            &["龙宝村", "粮", "30t", "0"],
        ],
    );
    let out = succeeds(
        desk.cmd("en")
            .args(["import", "stock"])
            .arg(&p)
            .arg("--dry-run"),
    );
    assert!(
        out.contains(
            "Dry run, nothing written: stock reports to import: 2 new, 0 already recorded."
        ),
        "{out}"
    );
    // 王静 imports it, then a recovery, in Chinese: one prediction raised
    // and then cleared, and the chain holds after each.
    let r = desk.csv(
        "r.csv",
        &[&["社区", "品类", "库存"], &["螺蛳包社区", "粮", "40吨"]],
    );
    let imports: [(&str, &str, &PathBuf, &[&str]); 2] = [
        (
            "en",
            "stock",
            &p,
            &[
                "Stock reports imported: 2 new, 0 already recorded and left out; recorded as duty-log entry #",
                "Predicted shortage alerts: 1 raised (#1), 0 cleared.",
                "raised predicted shortage alert #1: 螺蛳包社区 Grain, ",
            ],
        ),
        (
            "zh",
            "库存",
            &r,
            &[
                "已导入库存报告：新增 1 份，0 份与已有报告相同、未重复记录；已记入值守日志 #",
                "预测短缺预警：发出 0 条，解除 1 条（#1）。",
            ],
        ),
    ];
    for (lang, kind, file, says) in imports {
        let out = succeeds(
            desk.cmd(lang)
                .args(["--officer", "王静", "import", kind])
                .arg(file),
        );
        for line in says {
            assert!(out.contains(line), "{line:?} in:\n{out}");
        }
        desk.cmd("en").args(["log", "verify"]).assert().success();
    }

    // Bad rows: exit 1, named on stderr.
    let p = desk.csv(
        "bad.csv",
        &[&["社区", "品类", "库存"], &["螺蛳包社区", "砖头", "1"]],
    );
    let err = fails(
        desk.cmd("en")
            .args(["--officer", "王静", "import", "stock"])
            .arg(&p),
        1,
    );
    assert!(
        err.starts_with("row 2, column B (品类): The item class \"砖头\" is not one of"),
        "{err}"
    );

    let text = succeeds(desk.cmd("zh").args(["export", "stock", "--template"]));
    assert!(
        text.starts_with(
            "社区（村）,品类,库存,日到货,时点,保供单位,网点,中转站（小区）,报告人,来源\n"
        ),
        "{text}"
    );
    let json = succeeds(desk.cmd("en").args(["export", "stock", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v.as_array().map(Vec::len), Some(3));
    assert_eq!(v[0]["item"], "grain");
    assert_eq!(v[0]["stock"], 3000.0);
}
