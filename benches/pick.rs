//! Names picked as they are typed (issue 13): what one keystroke costs in
//! a name field, on a real database (the scale-100 demo has 119,100
//! recipients, 40,494 compounds and 15,880 supply units).
//!
//! cargo bench --bench pick -- --db FILE [--rounds 5]
//!
//! For each kind it prints the time to read the names (once per form; the
//! recipients once per session while they are fresh) and, for each
//! keystroke of a typed sequence, the median and the worst time of
//! matching the text so far (`Names::find`, the list under the field) over
//! the rounds, in CPU time (the machine may be busy with other work). For
//! recipients it also times the store's search by a part
//! (`find_recipients`), which the recipient field's note ran on every
//! keystroke before the list replaced it, and which saving still runs for
//! text the list does not resolve.

use std::path::Path;
use std::time::{Duration, Instant};

use supplydesk::domain::pick::Kind;
use supplydesk::store::{OpenOptions, Store};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

/// The CPU time this thread has run (Linux: `/proc/thread-self/schedstat`,
/// in nanoseconds), so that a machine busy with other work does not count;
/// the wall clock where that cannot be read.
fn cpu_now() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// CPU time per run of `f`: runs it until 50 ms of CPU have passed (the
/// kernel may count CPU time in ticks of a few ms), `rounds` times over;
/// the median and the worst of those averages.
fn timed(rounds: usize, mut f: impl FnMut()) -> (Duration, Duration) {
    let mut t: Vec<Duration> = (0..rounds.max(1))
        .map(|_| {
            let (c0, w0) = (cpu_now(), Instant::now());
            let mut n: u32 = 0;
            loop {
                f();
                n += 1;
                let spent = match (c0, cpu_now()) {
                    (Some(a), Some(b)) => b.saturating_sub(a),
                    _ => w0.elapsed(),
                };
                if spent >= Duration::from_millis(50) || n >= 100_000 {
                    break spent / n;
                }
            }
        })
        .collect();
    t.sort();
    (t[t.len() / 2], t[t.len() - 1])
}

/// CPU time of one run of `f` that is too slow to repeat much.
fn once(mut f: impl FnMut()) -> Duration {
    let (c0, w0) = (cpu_now(), Instant::now());
    f();
    match (c0, cpu_now()) {
        (Some(a), Some(b)) => b.saturating_sub(a),
        _ => w0.elapsed(),
    }
}

/// Every prefix of `typed`, as the field holds it keystroke by keystroke.
fn keystrokes(typed: &str) -> Vec<String> {
    let chars: Vec<char> = typed.chars().collect();
    (1..=chars.len())
        .map(|n| chars[..n].iter().collect())
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(db) = arg(&args, "--db") else {
        eprintln!("usage: pick --db FILE [--rounds N]  (e.g. the scale-100 demo)");
        std::process::exit(2);
    };
    let rounds: usize = arg(&args, "--rounds").map_or(5, |r| r.parse().expect("--rounds"));
    let store = Store::open(
        Path::new(&db),
        OpenOptions {
            read_only: true,
            ..OpenOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("{db}: {e}"));
    let cases: &[(Kind, &[&str])] = &[
        (Kind::Recipient, &["zxl", "张秀", "滴水岩小区", "血透"]),
        (Kind::Compound, &["dsy", "滴水岩"]),
        (Kind::Unit, &["lsbcsc", "螺蛳包菜市场"]),
        (Kind::Community, &["lsb"]),
        (Kind::Vehicle, &["yuF1234"]),
    ];
    println!(
        "# names picked as typed, {db}; CPU time of this thread per keystroke, median (worst) of {rounds} averages over 50 ms"
    );
    for (kind, typed) in cases {
        let mut names = None;
        let load = once(|| {
            names = Some(store.names(&[*kind], None).expect("reading the names"));
        });
        let names = names.expect("read");
        println!("{:?}: {} names read in {}", kind, names.len(), ms(load));
        for t in *typed {
            let mut line = format!("  {t}:");
            let mut worst = Duration::ZERO;
            for k in keystrokes(t) {
                let mut total = 0;
                let (med, max) = timed(rounds, || {
                    total = names.find(&k, 5).1;
                });
                worst = worst.max(max);
                line.push_str(&format!(" {k}→{total} {}", ms(med)));
            }
            println!("{line}  (worst average {})", ms(worst));
            if *kind == Kind::Recipient {
                let mut line = format!("    find_recipients {t}:");
                for k in keystrokes(t) {
                    let med = once(|| {
                        let _ = store.find_recipients(&k, 5);
                    });
                    line.push_str(&format!(" {k} {}", ms(med)));
                }
                println!("{line}");
            }
        }
    }
}
