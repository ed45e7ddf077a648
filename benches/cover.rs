//! Recomputing the days of cover of every community and item class
//! (issue 7: target ≤ 50 ms on the `--scale 100` database).
//!
//! - `cover_all/<db>`: `Store::cover_all` at the database's own "now".
//! - `cell/<db>`: one cell, as recording a stock report recomputes it.
//! - `gaps/*`: the coverage-gap list, welfare checks and transfer gaps.
//!
//! The database is `$SUPPLYDESK_COVER_DB` (a copy of a `--scale 100` demo
//! database: never point it at a file you care about, it is migrated and
//! filled). When it holds no stock reports yet, they are generated first,
//! through the store's door, and kept: every community and item class with
//! need, from the community's own count and up to seven supply units of the
//! right category, each reporting every three hours over the 47 days of
//! the demo's history (a long history that the cover must not read) — see
//! `BENCHMARKS.md`. Without the variable, the scale-1 demo in memory.
//!
//! Run: `SUPPLYDESK_COVER_DB=/tmp/s100-cover.db cargo bench --bench cover`

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use supplydesk::demo::{DemoOptions, generate};
use supplydesk::domain::Code;
use supplydesk::domain::alert::ItemClass;
use supplydesk::domain::cover::Norms;
use supplydesk::domain::time::from_db;
use supplydesk::domain::unit::UnitCategory;
use supplydesk::store::supply::{StockEntry, record_stock_in};
use supplydesk::store::{Actor, Clock, OpenOptions, Store};

/// Sources of one cell at most: the community and seven units.
const SOURCES: usize = 8;
const EVERY: Duration = Duration::hours(3);
const HISTORY_DAYS: i64 = 47;

fn actor() -> Actor {
    Actor {
        officer: "李明".into(),
        os_user: "bench".into(),
        ssh_client: None,
    }
}

/// The moment the database was generated: its newest log entry.
fn db_now(s: &Store) -> DateTime<Utc> {
    let t: String = s
        .conn()
        .query_row("SELECT MAX(recorded_at) FROM duty_log", [], |r| r.get(0))
        .expect("a log");
    from_db(&t).expect("a time")
}

fn categories(item: ItemClass) -> &'static [UnitCategory] {
    match item {
        ItemClass::Grain | ItemClass::Oil => &[UnitCategory::GrainOil, UnitCategory::Retail],
        ItemClass::Meat => &[UnitCategory::Meat, UnitCategory::Retail],
        ItemClass::Vegetables => &[UnitCategory::Vegetables, UnitCategory::Retail],
        ItemClass::EggsMilk => &[UnitCategory::EggsMilk, UnitCategory::Retail],
        ItemClass::Protective => &[UnitCategory::Protective],
        _ => &[],
    }
}

/// Fills the stock-report history (once): returns how many were written.
fn fill(s: &mut Store, now: DateTime<Utc>, norms: &Norms) -> usize {
    let communities: Vec<(i64, i64)> = {
        let mut st = s
            .conn()
            .prepare("SELECT id, resident_pop + floating_pop FROM community ORDER BY id")
            .expect("communities");
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("rows")
    };
    // (community, item, unit or none, stock in days of the cell's need)
    let mut cells: Vec<(i64, ItemClass, Vec<Option<i64>>, f64)> = Vec::new();
    for &(cid, pop) in &communities {
        for &item in ItemClass::ALL {
            if norms.per_person(item) <= 0.0 {
                continue;
            }
            let mut sources = vec![None];
            for cat in categories(item) {
                let mut st = s
                    .conn()
                    .prepare(
                        "SELECT id FROM supply_unit WHERE community_id = ?1 AND category = ?2 ORDER BY id LIMIT 7",
                    )
                    .expect("units");
                let ids: Vec<i64> = st
                    .query_map(rusqlite::params![cid, cat.code()], |r| r.get(0))
                    .expect("rows")
                    .collect::<Result<_, _>>()
                    .expect("rows");
                sources.extend(ids.into_iter().map(Some));
            }
            sources.truncate(SOURCES);
            cells.push((cid, item, sources, pop as f64 * norms.per_person(item)));
        }
    }
    let start = now - Duration::days(HISTORY_DAYS);
    let mut written = 0usize;
    let mut t = start;
    let mut round = 0u64;
    let actor = actor();
    while t <= now {
        s.set_clock(Clock::Fixed(t));
        let (_, _) = s
            .change(&actor, |w| {
                for (k, (cid, item, sources, need)) in cells.iter().enumerate() {
                    // Cover wanders between 3.5 and 9.5 days, shared
                    // unevenly among the sources; a quarter of the need
                    // comes in a day.
                    let wave = ((round as f64 / 5.0) + k as f64).sin();
                    let days = 6.5 + 3.0 * wave;
                    let total = need * 0.75 * days;
                    let n = sources.len() as f64;
                    for (j, unit) in sources.iter().enumerate() {
                        let share = if n > 1.0 {
                            (j as f64 + 1.0) / (n * (n + 1.0) / 2.0)
                        } else {
                            1.0
                        };
                        record_stock_in(
                            w,
                            &StockEntry {
                                community_id: *cid,
                                item: *item,
                                unit_id: *unit,
                                outlet_id: None,
                                compound_id: None,
                                source_name: None,
                                stock: (total * share).round(),
                                supply_in: if unit.is_none() {
                                    (need * 0.25).round()
                                } else {
                                    0.0
                                },
                                reported_at: t,
                                reporter: Some("bench".into()),
                                channel: Some("报表".into()),
                            },
                            norms,
                        )?;
                        written += 1;
                    }
                }
                Ok(())
            })
            .expect("a round of reports");
        t += EVERY;
        round += 1;
    }
    written
}

fn open() -> (Store, String) {
    let norms = Norms::default();
    match std::env::var_os("SUPPLYDESK_COVER_DB").map(PathBuf::from) {
        Some(path) => {
            let mut s = Store::open(&path, OpenOptions::default()).expect("the benchmark database");
            let now = db_now(&s);
            let have: i64 = s
                .conn()
                .query_row("SELECT COUNT(*) FROM stock_report", [], |r| r.get(0))
                .expect("count");
            if have == 0 {
                let began = Instant::now();
                let n = fill(&mut s, now, &norms);
                s.conn()
                    .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                    .expect("checkpoint");
                eprintln!(
                    "filled {n} stock reports in {:.1} s",
                    began.elapsed().as_secs_f64()
                );
            }
            s.set_clock(Clock::Fixed(now));
            let name = path
                .file_stem()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_else(|| "db".into());
            (s, name)
        }
        None => {
            let t0 = Utc.with_ymd_and_hms(2026, 11, 29, 2, 0, 0).unwrap();
            let mut s = Store::open_in_memory()
                .expect("an in-memory database")
                .with_clock(Clock::Fixed(t0));
            generate(&mut s, &actor(), DemoOptions::default()).expect("demo data");
            s.set_clock(Clock::Fixed(t0));
            (s, "demo-scale-1".into())
        }
    }
}

fn bench(c: &mut Criterion) {
    let norms = Norms::default();
    let (store, name) = open();
    let now = store.now();
    let reports: i64 = store
        .conn()
        .query_row("SELECT COUNT(*) FROM stock_report", [], |r| r.get(0))
        .expect("count");
    let cells = store.cover_all(now, &norms).expect("cover");
    let below = cells.iter().filter(|r| r.below).count();
    eprintln!(
        "{name}: {reports} stock reports, {} cells, {below} below the threshold",
        cells.len()
    );
    c.bench_function(&format!("cover_all/{name}"), |b| {
        b.iter(|| black_box(store.cover_all(black_box(now), &norms).expect("cover")))
    });
    let first = cells.first().map(|r| r.community_id).unwrap_or(1);
    c.bench_function(&format!("cell/{name}"), |b| {
        b.iter(|| {
            black_box(
                store
                    .cover_of(
                        &supplydesk::store::places::Ref::Id(first),
                        ItemClass::Grain,
                        &norms,
                    )
                    .expect("cell"),
            )
        })
    });
    // The special-group side, for the queue pane's header and `gaps`.
    let mut g = c.benchmark_group("gaps");
    g.sample_size(10);
    g.bench_function(format!("coverage_gaps/{name}"), |b| {
        b.iter(|| black_box(store.coverage_gaps(now, &norms, 50).expect("gaps")))
    });
    g.bench_function(format!("welfare_checks/{name}"), |b| {
        b.iter(|| black_box(store.welfare_checks(&norms, 50).expect("welfare")))
    });
    g.bench_function(format!("transfer_gaps/{name}"), |b| {
        b.iter(|| black_box(store.transfer_gaps(50).expect("transfer")))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
