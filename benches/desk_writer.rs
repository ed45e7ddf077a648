//! The writer of the shared-desk benchmark (`benches/tools/desk_load.py`):
//! another session that makes changes at a steady rate through the store's
//! own actions, and prints each one's entry and the moment its commit
//! returned, so the consoles' delay can be timed.
//!
//! cargo bench --bench desk_writer -- --db FILE [--rate 10] [--seconds 30]
//!     [--mix notes|records|all] [--seed 1] [--officer NAME]
//!
//! Prints one line per change: `SEQ<TAB>UNIX_SECONDS<TAB>KIND`, then a
//! summary line starting with `#` on standard error.

use std::io::Write;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use supplydesk::demo::churn::{Churn, Mix};
use supplydesk::store::{Actor, OpenOptions, Store, StoreError};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(db) = arg(&args, "--db") else {
        eprintln!(
            "usage: desk_writer --db FILE [--rate N] [--seconds S] [--mix notes|records|all]"
        );
        std::process::exit(2);
    };
    let rate: f64 = arg(&args, "--rate").map_or(10.0, |r| r.parse().expect("--rate"));
    let seconds: f64 = arg(&args, "--seconds").map_or(30.0, |s| s.parse().expect("--seconds"));
    let mix = arg(&args, "--mix").map_or(Mix::Notes, |m| {
        Mix::from_name(&m).expect("--mix notes|records|all")
    });
    let seed: u64 = arg(&args, "--seed").map_or(1, |s| s.parse().expect("--seed"));
    let officer = arg(&args, "--officer").unwrap_or_else(|| "压测写入".into());

    let mut store = Store::open(std::path::Path::new(&db), OpenOptions::default())
        .unwrap_or_else(|e| panic!("{db}: {e}"));
    let actor = Actor::from_env(&officer);
    let mut churn = Churn::new(&store, mix, seed).expect("reading the database");
    let gap = Duration::from_secs_f64(1.0 / rate);
    let start = Instant::now();
    let end = start + Duration::from_secs_f64(seconds);
    let mut next = start;
    let mut made = 0u64;
    let mut busy = 0u64;
    let out = std::io::stdout();
    while next < end {
        let now = Instant::now();
        if next > now {
            std::thread::sleep(next - now);
        }
        match churn.step(&mut store, &actor) {
            Ok((kind, seq)) => {
                let t = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_secs_f64();
                let mut o = out.lock();
                let _ = writeln!(o, "{seq}\t{t:.6}\t{kind:?}");
                let _ = o.flush();
                made += 1;
            }
            Err(StoreError::Busy) => busy += 1,
            Err(e) => panic!("change refused: {e}"),
        }
        next += gap;
    }
    eprintln!(
        "# {made} changes in {:.1} s ({busy} waits for the lock gave up)",
        start.elapsed().as_secs_f64()
    );
}
