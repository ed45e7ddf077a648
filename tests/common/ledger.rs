//! The ledger files clerks bring, made here as their programs save them
//! (Excel's "CSV UTF-8" with its BOM, GB18030 from older Chinese Excel,
//! xlsx through rust_xlsxwriter), and importing them as one officer in
//! Chongqing's time.

use std::path::Path;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rusqlite::types::Value;
use rust_xlsxwriter::Worksheet;

use supplydesk::domain::Code;
use supplydesk::i18n::Lang;
use supplydesk::ledger::write::Export;
use supplydesk::ledger::{self, Kind, Outcome, Parsed};
use supplydesk::store::ledger::Quiet;
use supplydesk::store::{Actor, Store};

use super::{Desk, officer};

pub const TZ: Tz = chrono_tz::Asia::Shanghai;

/// The officer who imports.
pub fn actor() -> Actor {
    officer("王静")
}

/// `path` imported as `kind`; the file must at least be readable.
pub fn import(store: &mut Store, kind: Kind, path: &Path) -> Outcome {
    ledger::import(store, Some(&actor()), kind, path, TZ, false, &Quiet).expect("file reads")
}

/// What importing `path` would do, with nothing written.
pub fn dry_run(store: &mut Store, kind: Kind, path: &Path) -> Outcome {
    ledger::import(store, Some(&actor()), kind, path, TZ, true, &Quiet).expect("file reads")
}

/// A UTF-8 CSV (with BOM, as Excel's "CSV UTF-8") of rows of cells.
pub fn csv_bom(rows: &[&[&str]]) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    let mut w = csv::Writer::from_writer(&mut out);
    for r in rows {
        w.write_record(*r).unwrap();
    }
    w.flush().unwrap();
    drop(w);
    out
}

/// `text` in GB18030, as older Chinese Excel saves CSV; every character
/// must have a code there, and the bytes must really not be UTF-8.
pub fn gb18030(text: &str) -> Vec<u8> {
    let (gb, _, unmappable) = encoding_rs::GB18030.encode(text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&gb).is_err(), "really not UTF-8");
    gb.into_owned()
}

/// Strings along row `row` of `ws`, from column A.
pub fn xlsx_row(ws: &mut Worksheet, row: u32, cells: &[&str]) {
    for (c, h) in cells.iter().enumerate() {
        let c = u16::try_from(c).expect("a column Excel has");
        ws.write_string(row, c, *h).unwrap();
    }
}

/// A template's sheet as CSV bytes.
pub fn template_csv(kind: Kind) -> Vec<u8> {
    let rows = ledger::template_rows(kind, TZ);
    let mut out = Vec::new();
    Export::new(kind, &rows, TZ, false)
        .write_csv(&mut out, true, &|_| {})
        .unwrap();
    out
}

/// `rows` of `kind` exported as xlsx or CSV (with BOM), masked or not.
pub fn exported(kind: Kind, rows: &[Vec<Value>], masked: bool, xlsx: bool) -> Vec<u8> {
    let sheet = Export::new(kind, rows, TZ, masked);
    if xlsx {
        sheet.write_xlsx(&|_| {}).unwrap()
    } else {
        let mut b = Vec::new();
        sheet.write_csv(&mut b, true, &|_| {}).unwrap();
        b
    }
}

/// Fills a store with every template, in the order references need, up
/// to `upto`; each must go in whole.
pub fn seed(desk: &Desk, store: &mut Store, upto: Kind) {
    for &k in Kind::IMPORT_ORDER {
        let p = desk.write(&format!("seed-{}.csv", k.code()), &template_csv(k));
        let o = import(store, k, &p);
        assert!(o.issues().is_empty(), "{k:?}: {:?}", o.issues());
        assert!(o.written(), "{k:?}");
        if k == upto {
            break;
        }
    }
}

/// A desk whose stores stand at `now`, its database holding every
/// template up to `upto`.
pub fn seeded_desk(now: DateTime<Utc>, upto: Kind) -> (Desk, Store) {
    let desk = Desk::at(now);
    let mut store = desk.store();
    seed(&desk, &mut store, upto);
    (desk, store)
}

/// Each problem of `o`, with the row and column a clerk sees.
pub fn located(o: &Outcome, lang: Lang) -> Vec<String> {
    o.issues().iter().map(|i| o.locate(i, lang)).collect()
}

/// The values read from each row, to compare two files of one ledger.
pub fn values(p: &Parsed) -> Vec<Vec<Option<Value>>> {
    p.records.iter().map(|r| r.values.clone()).collect()
}

/// Where the shipped templates are.
pub fn templates_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/templates")
}
