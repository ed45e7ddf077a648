//! Ledgers in and out against a real SQLite file: files in the encodings
//! and formats clerks save (made here with encoding_rs and
//! rust_xlsxwriter), every kind of bad row, all or nothing, round trips,
//! masking, and the command line's exit codes.

mod common;

use std::path::PathBuf;

use assert_cmd::Command;
use chrono::{DateTime, TimeZone, Utc};
use rusqlite::types::Value;
use sha2::{Digest, Sha256};

use common::ledger::{
    TZ, actor, csv_bom, dry_run, exported, gb18030, import, located, seeded_desk, template_csv,
    templates_dir, values, xlsx_row,
};
use common::{Desk, count, dump, fails, one, select, succeeds, value};
use supplydesk::domain::Code;
use supplydesk::i18n::Lang;
use supplydesk::ledger::{self, Kind};
use supplydesk::store::Store;
use supplydesk::store::ledger::{LedgerTable, Quiet};

/// The stores' moment: 10:00 in Chongqing on 26 May 2022.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2022, 5, 26, 2, 0, 0).unwrap()
}

#[test]
fn a_gb18030_csv_with_chinese_headers_goes_in() {
    let (desk, mut store) = seeded_desk(now(), Kind::Communities);
    let text = "附表1 小区基本情况,,,,,\n\
                序号,社区名称,小区名称,户数,常住人口,流动人口\n\
                1,螺蛳包社区,滴水岩小区,235,516,40\n\
                2,螺蛳包,沙龙路小区,\"1,024\",2 310人,96\n\
                3,龙宝村,龙宝村五组,70,201,3\n\
                合计,,,1329,3027,139\n";
    let p = desk.write("小区.csv", &gb18030(text));
    let o = import(&mut store, Kind::Compounds, &p);
    assert!(o.issues().is_empty(), "{:?}", o.issues());
    assert_eq!(o.report.added.len(), 3);
    assert_eq!(o.parsed.columns.header_row, 2);
    assert_eq!(o.parsed.totals(), [6]);
    assert_eq!(
        o.parsed.sheet.encoding.map(|e| e.name()),
        Some("GB18030/GBK")
    );
    let row: (String, i64, i64, i64, String) = one(
        &store,
        "SELECT c.name, k.households, k.resident_pop, k.floating_pop, k.kind
         FROM compound k JOIN community c ON c.id = k.community_id WHERE k.name = '沙龙路小区'",
    );
    // 螺蛳包 is the stored 螺蛳包社区; a village's compound is a group.
    assert_eq!(
        row,
        ("螺蛳包社区".into(), 1024, 2310, 96, "compound".into())
    );
    let kind: String = value(
        &store,
        "SELECT kind FROM compound WHERE name = '龙宝村五组'",
    );
    assert_eq!(kind, "group");
}

#[test]
fn a_utf8_bom_csv_updates_on_the_plate_however_it_is_typed() {
    let (desk, mut store) = seeded_desk(now(), Kind::Vehicles);
    let head_before = store.head().unwrap();
    let bytes = csv_bom(&[
        &["车牌号", "驾驶员", "联系电话"],
        &["渝f·12345", "王大勇", "13709871234"],
        &["渝 F 5432 1", "刘平", "138 2345 6789"],
    ]);
    let p = desk.write("车辆.csv", &bytes);
    let o = import(&mut store, Kind::Vehicles, &p);
    assert!(o.issues().is_empty(), "{:?}", o.issues());
    assert_eq!(
        o.parsed.sheet.encoding.map(|e| e.name()),
        Some("UTF-8 (BOM)")
    );
    assert_eq!(o.report.added, [(3, "渝F54321".to_string())]);
    assert_eq!(o.report.changed.len(), 1);
    let ch = &o.report.changed[0];
    assert_eq!((ch.row, ch.key.as_str()), (2, "渝F12345"));
    assert_eq!(ch.fields.len(), 1, "the phone did not change: {ch:?}");
    assert_eq!(
        (
            ch.fields[0].field,
            ch.fields[0].old.as_str(),
            ch.fields[0].new.as_str()
        ),
        ("driver", "李强", "王大勇")
    );
    // Columns the sheet does not have keep their values.
    let (driver, kind, load): (String, String, f64) = one(
        &store,
        "SELECT driver, vehicle_type, load_tonnes FROM vehicle WHERE plate = '渝F12345'",
    );
    assert_eq!(
        (driver.as_str(), kind.as_str(), load),
        ("王大勇", "厢式货车", 4.5)
    );

    // One log entry for the whole import, about the table, with the
    // counts and the file's SHA-256; both rows carry it.
    let seq = o.report.seq.expect("written");
    assert_eq!(seq, head_before.seq + 1);
    let e = store.entry(seq).unwrap().unwrap();
    assert_eq!(e.subject.as_deref(), Some("vehicle"));
    let sha = hex::encode(Sha256::digest(&bytes));
    assert!(e.text.contains(&sha), "{}", e.text);
    assert!(
        e.text.contains("added 1") && e.text.contains("changed 1"),
        "{}",
        e.text
    );
    let marked: i64 = store
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM vehicle WHERE log_seq = ?1",
            [seq],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(marked, 2);
    assert!(store.verify_log().unwrap().first_bad.is_none());
}

#[test]
fn an_xlsx_with_a_title_row_date_cells_and_number_cells_goes_in() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let (desk, mut store) = seeded_desk(now(), Kind::Vehicles);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("通行证").unwrap();
    let date = Format::new().set_num_format("yyyy/m/d");
    ws.write_string(0, 0, "通行证台账（2022年5月）").unwrap();
    xlsx_row(
        ws,
        1,
        &[
            "证号",
            "车牌号",
            "发证单位",
            "有效期起",
            "有效期至",
            "通行线路",
        ],
    );
    ws.write_string(2, 0, "SHK-TX-2022-00101").unwrap();
    ws.write_string(2, 1, "渝F12345").unwrap();
    ws.write_string(2, 2, "经发办").unwrap();
    ws.write_datetime_with_format(2, 3, ExcelDateTime::from_ymd(2022, 5, 26).unwrap(), &date)
        .unwrap();
    ws.write_datetime_with_format(2, 4, ExcelDateTime::from_ymd(2022, 6, 30).unwrap(), &date)
        .unwrap();
    ws.write_string(2, 5, "万州城区—双河口").unwrap();
    // A clerk who typed the date as a plain number gets the serial.
    ws.write_string(3, 0, "SHK-TX-2022-00102").unwrap();
    ws.write_string(3, 1, "渝FD23456").unwrap();
    ws.write_string(3, 2, "交委办").unwrap();
    ws.write_number(3, 3, 44707).unwrap();
    ws.write_string(3, 4, "2022年6月30日").unwrap();
    let p = desk.write("通行证.xlsx", &wb.save_to_buffer().unwrap());
    let o = import(&mut store, Kind::Passes, &p);
    assert!(o.issues().is_empty(), "{:?}", o.issues());
    assert_eq!(o.parsed.sheet.name.as_deref(), Some("通行证"));
    assert_eq!(o.report.added.len(), 2);
    let rows: Vec<(String, String, String, String, String)> = select(
        &store,
        "SELECT p.number, p.kind, p.subject, p.valid_from, p.valid_until FROM pass p
         WHERE p.number LIKE 'SHK-TX-2022-001%' ORDER BY p.number",
    );
    for r in &rows {
        // A vehicle pass by default, for its plate, through the whole
        // last day (local midnight after 30 June).
        assert_eq!(r.1, "vehicle");
        assert_eq!(r.3, "2022-05-25T16:00:00.000Z");
        assert_eq!(r.4, "2022-06-30T16:00:00.000Z");
    }
    assert_eq!(rows[0].2, "渝F12345");
    // The vehicle's unit is the pass's unit when the sheet says none.
    let unit: Option<i64> = value(
        &store,
        "SELECT unit_id FROM pass WHERE number = 'SHK-TX-2022-00102'",
    );
    assert!(unit.is_some());
}

#[test]
fn an_invalid_plate_is_named_by_row_and_column_and_an_odd_one_is_a_warning() {
    let desk = Desk::at(now());
    let mut store = desk.store();
    let p = desk.csv(
        "v.csv",
        &[
            &["序号", "车牌号", "驾驶员"],
            &["1", "渝F10001", "甲"],
            &["2", "渝·", "乙"],
            &["3", "渝F1234", "丙"],
        ],
    );
    let o = import(&mut store, Kind::Vehicles, &p);
    assert!(!o.written());
    let zh = located(&o, Lang::Zh);
    assert_eq!(zh.len(), 1, "{zh:?}");
    assert!(zh[0].starts_with("第 3 行 B 列（车牌号）："), "{zh:?}");
    assert!(zh[0].contains("不含字母或数字"), "{zh:?}");
    let en = located(&o, Lang::En);
    assert!(en[0].starts_with("row 3, column B (车牌号): "), "{en:?}");
    let w: Vec<String> = o
        .parsed
        .warnings
        .iter()
        .map(|w| o.locate(w, Lang::En))
        .collect();
    assert_eq!(w.len(), 1);
    assert!(
        w[0].starts_with("row 4, column B (车牌号): 渝F1234 has 4 characters"),
        "{w:?}"
    );
    assert_eq!(count(&store, "SELECT COUNT(*) FROM vehicle"), 0);

    // Without the bad row the odd plate goes in, as typed.
    let p = desk.csv(
        "v2.csv",
        &[
            &["车牌号", "驾驶员"],
            &["渝F10001", "甲"],
            &["渝F1234", "丙"],
        ],
    );
    let o = import(&mut store, Kind::Vehicles, &p);
    assert!(o.written(), "{:?}", o.issues());
    assert_eq!(o.parsed.warnings.len(), 1);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM vehicle"), 2);
}

#[test]
fn an_unknown_community_is_named() {
    let (desk, mut store) = seeded_desk(now(), Kind::Communities);
    let p = desk.csv(
        "k.csv",
        &[
            &["社区名称", "小区名称", "户数"],
            &["螺蛳包社区", "新小区", "10"],
            &["天堂社区", "云上小区", "20"],
        ],
    );
    let o = import(&mut store, Kind::Compounds, &p);
    assert!(!o.written());
    let zh = located(&o, Lang::Zh);
    assert_eq!(zh.len(), 1, "{zh:?}");
    assert!(
        zh[0].starts_with("第 3 行 A 列（社区名称）：社区（村）“天堂社区”未登记"),
        "{zh:?}"
    );
    let en = located(&o, Lang::En);
    assert!(
        en[0]
            .contains("The community \"天堂社区\" is not registered; import the communities first"),
        "{en:?}"
    );
    assert_eq!(count(&store, "SELECT COUNT(*) FROM compound"), 0);
}

#[test]
fn a_duplicate_pass_number_and_an_unreadable_date_are_named() {
    let (desk, mut store) = seeded_desk(now(), Kind::Vehicles);
    let p = desk.csv(
        "p.csv",
        &[
            &["证号", "车牌号", "发证单位", "有效期起", "有效期止"],
            &[
                "SHK-TX-2022-00201",
                "渝F12345",
                "经发办",
                "2022-05-26",
                "2022/6/25",
            ],
            &[
                "shk-tx-2022-00201",
                "渝FD23456",
                "经发办",
                "2022年5月26日",
                "2022-06-25",
            ],
            &[
                "SHK-TX-2022-00202",
                "渝FD23456",
                "经发办",
                "下周一",
                "2022-06-25",
            ],
            &[
                "SHK-TX-2022-00203",
                "渝FD23456",
                "经发办",
                "2022-06-26",
                "2022-06-25",
            ],
        ],
    );
    let o = import(&mut store, Kind::Passes, &p);
    assert!(!o.written());
    let en = located(&o, Lang::En);
    assert_eq!(en.len(), 3, "{en:?}");
    assert!(
        en[0].starts_with(
            "row 3, column A (证号): This repeats row 2 (pass number \"SHK-TX-2022-00201\")"
        ),
        "{en:?}"
    );
    assert!(
        en[1].starts_with(
            "row 4, column D (有效期起): The valid from \"下周一\" is not a date I can read"
        ),
        "{en:?}"
    );
    assert!(
        en[2].starts_with("row 5, column E (有效期止): The pass ends before it starts"),
        "{en:?}"
    );
    let zh = located(&o, Lang::Zh);
    assert!(zh[0].contains("与第 2 行重复"), "{zh:?}");
    assert!(zh[1].contains("读不出日期“下周一”"), "{zh:?}");
    assert_eq!(count(&store, "SELECT COUNT(*) FROM pass"), 0);
}

#[test]
fn other_bad_rows_are_named_too() {
    let (desk, mut store) = seeded_desk(now(), Kind::Units);
    let p = desk.csv(
        "v.csv",
        &[
            &["车牌号", "所属单位", "核定载重（吨）", "联系电话"],
            &["渝F20001", "没有这个单位", "2", ""],
            &["渝F20002", "", "很重", ""],
            &["渝F20003", "", "", "打电话给我"],
            &["", "", "3", ""],
            &["渝F20005", "", "", ""],
            &["渝f20005", "", "", ""],
        ],
    );
    let o = import(&mut store, Kind::Vehicles, &p);
    let en = located(&o, Lang::En);
    assert_eq!(en.len(), 5, "{en:?}");
    assert!(
        en[0].starts_with(
            "row 2, column B (所属单位): The supply unit \"没有这个单位\" is not registered"
        ),
        "{en:?}"
    );
    assert!(
        en[1].starts_with("row 3, column C (核定载重（吨）): The load (tonnes) must be a number"),
        "{en:?}"
    );
    assert!(
        en[2].starts_with(
            "row 4, column D (联系电话): The phone \"打电话给我\" is not a phone number"
        ),
        "{en:?}"
    );
    assert!(
        en[3].starts_with("row 5, column A (车牌号): The plate is empty"),
        "{en:?}"
    );
    assert!(
        en[4].starts_with("row 7, column A (车牌号): This repeats row 6"),
        "{en:?}"
    );
    assert!(!o.written());
    assert_eq!(count(&store, "SELECT COUNT(*) FROM vehicle"), 0);
}

#[test]
fn a_failed_import_leaves_the_database_unchanged() {
    let (desk, mut store) = seeded_desk(now(), Kind::Recipients);
    let before = (dump(&store), store.head().unwrap());

    // Cells that fail: refused before the store is asked to write.
    let p = desk.csv(
        "bad-cells.csv",
        &[&["车牌号", "驾驶员"], &["渝F30001", "甲"], &["·", "乙"]],
    );
    let o = import(&mut store, Kind::Vehicles, &p);
    assert!(!o.written() && !o.issues().is_empty());
    assert_eq!((dump(&store), store.head().unwrap()), before);

    // Rows that only the register refuses: the write transaction is
    // opened, the good rows planned, and everything rolled back.
    let p = desk.csv(
        "bad-refs.csv",
        &[
            &["社区名称", "网点名称", "业态"],
            &["螺蛳包社区", "新开的药店", "药店"],
            &["螺蛳包社区", "螺蛳包生鲜超市", "生鲜超市"],
            &["不存在社区", "某店", "便利店"],
        ],
    );
    let o = import(&mut store, Kind::Outlets, &p);
    assert!(!o.written());
    assert_eq!(o.issues().len(), 1);
    assert_eq!((dump(&store), store.head().unwrap()), before);

    // A header and nothing under it.
    let p = desk.csv("empty.csv", &[&["车牌号", "驾驶员"], &["", ""]]);
    let e = ledger::import(
        &mut store,
        Some(&actor()),
        Kind::Vehicles,
        &p,
        TZ,
        false,
        &Quiet,
    )
    .unwrap_err();
    assert!(e.en.contains("no rows below its header (row 1)"), "{e:?}");
    assert_eq!((dump(&store), store.head().unwrap()), before);

    // A file with no header at all.
    let p = desk.csv("no-header.csv", &[&["甲", "乙"], &["1", "2"]]);
    assert!(
        ledger::import(
            &mut store,
            Some(&actor()),
            Kind::Vehicles,
            &p,
            TZ,
            false,
            &Quiet
        )
        .is_err()
    );
    assert_eq!((dump(&store), store.head().unwrap()), before);
}

#[test]
fn a_dry_run_says_what_would_change_and_writes_nothing() {
    let (desk, mut store) = seeded_desk(now(), Kind::Vehicles);
    let before = (dump(&store), store.head().unwrap());
    let p = desk.csv(
        "v.csv",
        &[
            &["车牌号", "车型"],
            &["渝F12345", "冷藏车"],
            &["渝FD23456", "新能源轻型货车"],
            &["渝F40001", "面包车"],
        ],
    );
    let o = dry_run(&mut store, Kind::Vehicles, &p);
    assert!(!o.written());
    assert!(o.issues().is_empty());
    assert_eq!(o.report.added, [(4, "渝F40001".to_string())]);
    assert_eq!(o.report.changed.len(), 1);
    assert_eq!(o.report.changed[0].fields[0].new, "冷藏车");
    assert_eq!(o.report.unchanged, 1);
    assert_eq!((dump(&store), store.head().unwrap()), before);
}

/// Exports every ledger of `store` in `format`, one file per kind.
fn export_all(desk: &Desk, store: &Store, tag: &str, xlsx: bool) -> Vec<(Kind, PathBuf)> {
    Kind::IMPORT_ORDER
        .iter()
        .map(|&k| {
            let rows = store.ledger_rows(k.table()).unwrap();
            let name = format!("{tag}-{}.{}", k.code(), if xlsx { "xlsx" } else { "csv" });
            (k, desk.write(&name, &exported(k, &rows, false, xlsx)))
        })
        .collect()
}

fn all_rows(store: &Store) -> Vec<Vec<Vec<Value>>> {
    LedgerTable::ALL
        .iter()
        .map(|&t| store.ledger_rows(t).unwrap())
        .collect()
}

#[test]
fn export_then_import_gives_the_same_data() {
    let (desk, mut first) = seeded_desk(now(), Kind::Recipients);
    // Something the templates do not have: a time of day, a blank, a
    // pass whose state moved on.
    let p = desk.csv(
        "extra.csv",
        &[
            &[
                "证号",
                "车牌号",
                "发证单位",
                "有效期起",
                "有效期止",
                "状态",
                "原因",
            ],
            &[
                "SHK-TX-2022-00009",
                "渝F12345",
                "经发办",
                "2022-05-26 08:30",
                "2022-05-28 18:00:05",
                "已暂停",
                "司机未做核酸",
            ],
        ],
    );
    assert!(import(&mut first, Kind::Passes, &p).written());
    let want = all_rows(&first);
    for xlsx in [false, true] {
        let tag = if xlsx { "xlsx" } else { "csv" };
        let files = export_all(&desk, &first, tag, xlsx);
        let mut second = desk.store_at(&desk.path(&format!("second-{tag}.db")));
        for (k, path) in &files {
            let o = import(&mut second, *k, path);
            assert!(o.issues().is_empty(), "{tag} {k:?}: {:?}", o.issues());
        }
        assert_eq!(all_rows(&second), want, "{tag}");
        // And back into the first: every row is already there.
        for (k, path) in &files {
            let o = dry_run(&mut first, *k, path);
            assert!(o.issues().is_empty(), "{tag} {k:?}: {:?}", o.issues());
            assert!(
                o.report.added.is_empty() && o.report.changed.is_empty(),
                "{tag} {k:?}: {:?}",
                o.report
            );
            assert_eq!(o.report.unchanged, o.report.rows, "{tag} {k:?}");
        }
    }
}

#[test]
fn masked_recipients_cannot_be_imported_back() {
    let (desk, mut store) = seeded_desk(now(), Kind::Recipients);
    let rows = store.ledger_rows(LedgerTable::Recipient).unwrap();
    let b = exported(Kind::Recipients, &rows, true, false);
    let text = String::from_utf8(b.clone()).unwrap();
    for raw in ["周桂芳", "13800000001", "50010119700101001X", "高血压"] {
        assert!(!text.contains(raw), "{raw} leaked: {text}");
    }
    let p = desk.write("masked.csv", &b);
    let o = import(&mut store, Kind::Recipients, &p);
    assert!(!o.written());
    let en = located(&o, Lang::En);
    assert!(
        en.iter()
            .any(|l| l.contains("looks like masked export data")),
        "{en:?}"
    );
}

#[test]
fn template_files_in_data_templates_are_current() {
    let dir = templates_dir();
    for &k in Kind::ALL {
        let csv = dir.join(format!("{}.csv", k.code()));
        let shipped = std::fs::read(&csv).unwrap_or_else(|e| panic!("{}: {e}", csv.display()));
        assert_eq!(
            shipped,
            template_csv(k),
            "{} is out of date: run `supplydesk export {} --template -o {}`",
            csv.display(),
            k.code(),
            csv.display()
        );
        let xlsx = dir.join(format!("{}.xlsx", k.code()));
        let (parsed, _) = ledger::parse_file(k, &xlsx, TZ, &Quiet).expect("xlsx template reads");
        assert!(
            parsed.issues.is_empty() && parsed.warnings.is_empty(),
            "{k:?}"
        );
        let from_csv = ledger::parse_file(k, &csv, TZ, &Quiet).unwrap().0;
        assert_eq!(values(&parsed), values(&from_csv), "{k:?}");
    }
}

#[test]
fn the_command_line_imports_exports_and_exits_as_documented() {
    let desk = Desk::at(now());
    desk.cmd("en").arg("init").assert().success();
    let text = succeeds(desk.cmd("zh").args(["export", "communities", "--template"]));
    assert!(
        text.starts_with("社区名称,类型,常住人口,流动人口,户数,联系人,联系电话\n"),
        "{text}"
    );
    let p = desk.write("c.csv", text.as_bytes());

    // A dry run needs no officer and writes nothing.
    let out = succeeds(
        desk.cmd("en")
            .args(["import", "communities"])
            .arg(&p)
            .arg("--dry-run"),
    );
    assert!(
        out.contains("Dry run, nothing written: would add 2, change 0, leave 0 unchanged."),
        "{out}"
    );

    // Writing needs an officer.
    let err = fails(desk.cmd("en").args(["import", "communities"]).arg(&p), 2);
    assert!(err.contains("No officer is named"), "{err}");

    let out = succeeds(
        desk.cmd("zh")
            .args(["--officer", "王静", "import", "社区"])
            .arg(&p),
    );
    assert!(
        out.contains("已导入：新增 2 条，更新 0 条，0 条不变；已记入值守日志 #"),
        "{out}"
    );

    // Bad rows: exit 1, each named on stderr, at most 50 and a count.
    let mut rows: Vec<Vec<String>> = vec![vec!["社区名称".into(), "小区名称".into()]];
    for i in 0..60 {
        rows.push(vec![format!("无名社区{i}"), format!("小区{i}")]);
    }
    let mut b = Vec::new();
    {
        let mut w = csv::Writer::from_writer(&mut b);
        for r in &rows {
            w.write_record(r).unwrap();
        }
    }
    let p = desk.write("bad.csv", &b);
    let err = fails(
        desk.cmd("en")
            .args(["--officer", "王静", "import", "compounds"])
            .arg(&p),
        1,
    );
    assert!(
        err.starts_with(
            "row 2, column A (社区名称): The community \"无名社区0\" is not registered"
        ),
        "{err}"
    );
    assert_eq!(
        err.lines().filter(|l| l.starts_with("row ")).count(),
        50,
        "{err}"
    );
    assert!(err.contains("… and 10 more problems."), "{err}");
    assert!(
        err.contains("supplydesk: The ledger has 60 problems in 60 rows; nothing was imported."),
        "{err}"
    );

    // Mistakes about the command itself: exit 2, one sentence.
    let err = fails(desk.cmd("en").args(["import", "trucks", "x.csv"]), 2);
    assert!(err.contains("\"trucks\" is not a ledger kind"), "{err}");
    let err = fails(
        desk.cmd("en")
            .args(["--officer", "王静", "import", "vehicles", "missing.csv"]),
        2,
    );
    assert!(
        err.contains("Cannot read the file \"missing.csv\""),
        "{err}"
    );
    desk.write("notes.pdf", b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n");
    let err = fails(
        desk.cmd("en")
            .args(["--officer", "王静", "import", "vehicles", "notes.pdf"]),
        2,
    );
    assert!(err.contains("is not a format I read"), "{err}");
}

#[test]
fn revealing_recipients_is_logged_with_the_officer() {
    let desk = seeded_desk(now(), Kind::Recipients).0;
    let masked = succeeds(
        desk.cmd("en")
            .args(["export", "recipients", "--format", "json"]),
    );
    assert!(
        masked.contains("\"周*芳\"") && !masked.contains("13800000001"),
        "{masked}"
    );
    let head = desk.store().head().unwrap();

    // No officer, no reveal.
    desk.cmd("en")
        .args(["export", "recipients", "--unmasked"])
        .assert()
        .code(2);
    assert_eq!(desk.store().head().unwrap(), head);
    // Nothing to reveal in other ledgers.
    desk.cmd("en")
        .args(["--officer", "王静", "export", "vehicles", "--unmasked"])
        .assert()
        .code(2);

    let out = desk.path("r.xlsx");
    desk.cmd("en")
        .args([
            "--officer",
            "王静",
            "export",
            "recipients",
            "--unmasked",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let store = desk.store();
    let e = store.entry(head.seq + 1).unwrap().expect("access entry");
    assert_eq!(e.kind, "access");
    assert_eq!(e.officer, "王静");
    assert_eq!(e.subject.as_deref(), Some("recipient"));
    assert!(
        e.text.contains("2 条 rows") && e.text.contains("r.xlsx"),
        "{}",
        e.text
    );
    let (parsed, _) = ledger::parse_file(Kind::Recipients, &out, TZ, &Quiet).unwrap();
    let name = &parsed.records[0].values[0];
    assert_eq!(name, &Some(Value::Text("周桂芳".into())));
}

#[test]
fn volunteers_and_recipients_match_on_their_keys() {
    let (desk, mut store) = seeded_desk(now(), Kind::Recipients);

    // Same name, another phone: another person.
    let p = desk.csv(
        "v.csv",
        &[
            &["姓名", "联系电话", "社区名称"],
            &["赵小军", "13512341234", "螺蛳包社区"],
            &["赵小军", "13900000000", "螺蛳包社区"],
        ],
    );
    let o = import(&mut store, Kind::Volunteers, &p);
    assert!(o.issues().is_empty(), "{:?}", o.issues());
    assert_eq!(
        (o.report.added.len(), o.report.unchanged),
        (1, 1),
        "{:?}",
        o.report
    );
    // Without a phone the name and community no longer tell them apart.
    let p = desk.csv(
        "v2.csv",
        &[
            &["姓名", "社区名称", "任务清单"],
            &["赵小军", "螺蛳包", "夜间值守"],
        ],
    );
    let o = import(&mut store, Kind::Volunteers, &p);
    let en = located(&o, Lang::En);
    assert!(en[0].contains("fits 2 registered records"), "{en:?}");

    // A recipient is found by ID number first, then by name and phone;
    // what is shown of the change is masked.
    let p = desk.csv(
        "r.csv",
        &[
            &["姓名", "联系电话", "身份证号", "需求"],
            &["周桂芳", "13800000001", "500101194501010021", ""],
            &["陈国强", "13800000002", "50010119700101001X", "透析日送餐"],
        ],
    );
    let o = import(&mut store, Kind::Recipients, &p);
    assert!(o.issues().is_empty(), "{:?}", o.issues());
    assert_eq!(o.report.changed.len(), 2);
    let first = &o.report.changed[0];
    assert_eq!(first.key, "周*芳 138****0001");
    assert_eq!(first.fields.len(), 1);
    assert_eq!(
        (first.fields[0].field, first.fields[0].new.as_str()),
        ("id_number", "500***********0021")
    );
    let second = &o.report.changed[1];
    let changed: Vec<&str> = second.fields.iter().map(|f| f.field).collect();
    assert_eq!(changed, ["phone", "needs"]);
    let e = store.entry(o.report.seq.unwrap()).unwrap().unwrap();
    for raw in ["周桂芳", "陈国强", "13800000001", "500101194501010021"] {
        assert!(!e.text.contains(raw), "{raw} in the log: {}", e.text);
    }
    assert_eq!(count(&store, "SELECT COUNT(*) FROM recipient"), 2);
}

#[test]
fn an_export_into_a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    Command::cargo_bin("supplydesk")
        .unwrap()
        .args(["--db", db.to_str().unwrap(), "demo"])
        .assert()
        .success();
    // `head -c 1` closes the pipe long before 300 recipients are written.
    let bash = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "{} --db '{}' export recipients | head -c 1 >/dev/null; exit ${{PIPESTATUS[0]}}",
            env!("CARGO_BIN_EXE_supplydesk"),
            db.display()
        ))
        .output()
        .unwrap();
    assert_eq!(
        bash.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&bash.stderr)
    );
    assert!(
        bash.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&bash.stderr)
    );
}
