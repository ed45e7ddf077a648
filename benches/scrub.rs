//! The scrubber at the store's door (issue 21: target under 1 ms per note
//! with the `--scale 100` database's 119 k recipients known).
//!
//! - `index_build/<db>`: reading every known phone and ID number into the
//!   index, once per process (the first note of a session pays it).
//! - `note/<kind>/<db>`: one note through [`Store::preview_scrub`], the
//!   same scrub the door runs (index built, up to date): a note without
//!   numbers, one naming a recipient by a full-width number, one with an
//!   unknown caller, one with anyone's ID number, and a long note with all.
//!
//! The database is `$SUPPLYDESK_SCRUB_DB` (opened read-only); without it,
//! the scale-1 demo in memory.
//!
//! Run: `SUPPLYDESK_SCRUB_DB=/tmp/s100.db cargo bench --bench scrub`

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use supplydesk::demo::{DemoOptions, generate};
use supplydesk::store::people::PeopleIndex;
use supplydesk::store::{Actor, OpenOptions, Store};

fn open() -> (Store, String) {
    match std::env::var_os("SUPPLYDESK_SCRUB_DB") {
        Some(p) => {
            let p = PathBuf::from(p);
            let s = Store::open(
                &p,
                OpenOptions {
                    read_only: true,
                    ..Default::default()
                },
            )
            .expect("the database");
            let name = p
                .file_stem()
                .map_or("db".into(), |n| n.to_string_lossy().into_owned());
            (s, name)
        }
        None => {
            let mut s = Store::open_in_memory().expect("an in-memory database");
            let a = Actor {
                officer: "李明".into(),
                os_user: "bench".into(),
                ssh_client: None,
            };
            generate(&mut s, &a, DemoOptions::default()).expect("demo data");
            (s, "demo-scale-1".into())
        }
    }
}

/// A recipient's phone, typed in full-width digits, and their name.
fn some_recipient(s: &Store) -> (String, String) {
    s.conn()
        .query_row(
            "SELECT name, phone FROM recipient WHERE phone LIKE '1%' ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("a recipient with a mobile")
}

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let (s, db) = open();
    let recipients: i64 = s
        .conn()
        .query_row("SELECT COUNT(*) FROM recipient", [], |r| r.get(0))
        .expect("count");
    eprintln!("{db}: {recipients} recipients");
    let mut g = c.benchmark_group("index_build");
    g.sample_size(10);
    g.bench_function(&db, |b| {
        b.iter(|| {
            let mut i = PeopleIndex::default();
            i.refresh(s.conn()).expect("index");
            black_box(i.len())
        })
    });
    g.finish();

    let (name, phone) = some_recipient(&s);
    let notes = [
        (
            "plain",
            "滴水岩小区蔬菜到货 12 箱，已通知网格员分发，明早 8:30 再报库存。".to_string(),
        ),
        (
            "recipient",
            format!("{name} {} 来电，要求送降压药", full_width(&phone)),
        ),
        ("caller", "来电 139 0000 0000 反映缺米，请回电".to_string()),
        (
            "id_number",
            "代领人身份证 110105 19491231 002x，已核对".to_string(),
        ),
        (
            "long",
            format!(
                "{name} {} 来电，身份证500101194709110900；另 139-0000-0000、(023) 6888 1234 两个号码来电反映缺米，志愿者今晚不能到岗。{}",
                full_width(&phone),
                "已记录，明早回访。".repeat(20)
            ),
        ),
    ];
    // Built once, as in a session.
    let first = s.preview_scrub("预热 13900000000").expect("scrub");
    black_box(first);
    let mut g = c.benchmark_group("note");
    for (kind, text) in &notes {
        let out = s.preview_scrub(text).expect("scrub");
        eprintln!("{kind}: {}", out.text);
        g.bench_function(format!("{kind}/{db}"), |b| {
            b.iter(|| black_box(s.preview_scrub(black_box(text)).expect("scrub")))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
