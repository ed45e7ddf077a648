//! Issue 20: a console follows other sessions' changes row by row, and
//! stays true: after a thousand mixed changes from three writers, each
//! pane shows what a freshly started console on the same file shows.

mod tui_fixture;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use supplydesk::demo::churn::{Churn, Made, Mix};
use supplydesk::i18n::Lang;
use supplydesk::store::{Clock, OpenOptions, Store, StoreError};
use supplydesk::tui::App;
use supplydesk::tui::keys::PaneId;
use supplydesk::tui::panes::Pane;
use tui_fixture::*;

fn open(path: &std::path::Path) -> Store {
    Store::open(path, OpenOptions::default())
        .unwrap()
        .with_clock(Clock::Fixed(t0()))
}

fn demo_file(path: &std::path::Path) {
    let mut s = Store::open(
        path,
        OpenOptions {
            create: true,
            ..OpenOptions::default()
        },
    )
    .unwrap()
    .with_clock(Clock::Fixed(t0()));
    supplydesk::demo::generate(
        &mut s,
        &actor(),
        supplydesk::demo::DemoOptions {
            scale: 1,
            seed: 2022,
        },
    )
    .unwrap();
}

/// The five panes at 160×48, each on its first row, without the footer
/// (where a flash may stand).
fn panes_text(a: &mut App) -> String {
    for id in PaneId::ALL {
        a.on_key(key(char::from(b'1' + id.index() as u8)));
        a.on_key(key('g'));
    }
    a.tick(Instant::now());
    let s = screen(a, 160, 48);
    let lines: Vec<&str> = s.lines().collect();
    lines[..lines.len() - 2].join("\n")
}

fn counts(a: &App) -> String {
    format!(
        "{:?} {:?} {:?} log {:?}",
        a.panes.passes.counts(),
        a.panes.queue.counts(),
        a.panes.alerts.counts(),
        a.panes.log.held().1
    )
}

#[test]
fn three_writers_a_thousand_changes_and_the_panes_equal_a_fresh_console() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.db");
    demo_file(&path);
    let mut a = app_with(open(&path), Lang::En, None, Some("王静"));
    screen(&mut a, 160, 48);

    let done = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..3u64)
        .map(|w| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut s = open(&path);
                let who = actor_named(["李明", "张伟", "陈静"][w as usize]);
                let mut churn = Churn::new(&s, Mix::All, 20 + w).unwrap();
                let share = if w == 0 { 334 } else { 333 };
                let mut made = Vec::new();
                while made.len() < share {
                    match churn.step(&mut s, &who) {
                        Ok((kind, _)) => made.push(kind),
                        Err(StoreError::Busy) => std::thread::sleep(Duration::from_millis(2)),
                        Err(e) => panic!("writer {w}: {e}"),
                    }
                }
                made
            })
        })
        .collect();
    // The console runs meanwhile: it polls, reads, and the officer moves.
    let watcher = {
        let done = done.clone();
        move |a: &mut App, rng: &mut SmallRng| {
            let mut polls = 0;
            while !done.load(Ordering::Relaxed) {
                a.poll_data();
                a.tick(Instant::now());
                match rng.random_range(0..12) {
                    0 => a.on_key(key(char::from(b'1' + rng.random_range(0..5u8)))),
                    1 | 2 => a.on_key(key('j')),
                    3 => a.on_key(key('k')),
                    4 => a.on_key(key('g')),
                    _ => {}
                }
                polls += 1;
                std::thread::sleep(Duration::from_millis(3));
            }
            polls
        }
    };
    let mut rng = SmallRng::seed_from_u64(7);
    let joiner = std::thread::spawn(move || {
        let made: Vec<Made> = writers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect();
        done.store(true, Ordering::Relaxed);
        made
    });
    let polls = watcher(&mut a, &mut rng);
    let made = joiner.join().unwrap();
    assert_eq!(made.len(), 1000);
    for kind in [
        Made::Note,
        Made::Correction,
        Made::Alert,
        Made::Pass,
        Made::Delivery,
    ] {
        assert!(made.contains(&kind), "no {kind:?} among the changes");
    }
    assert!(
        polls > 10,
        "the console ran beside the writers ({polls} turns)"
    );
    a.poll_data();
    a.tick(Instant::now());
    // The gap counts read every recipient: other sessions' changes bring
    // them up to date at most every 10 s; the loop wakes for that.
    let until =
        Instant::now() + supplydesk::tui::panes::queue::REACH_EVERY + Duration::from_secs(2);
    while a.panes.queue.reach_wait().is_some() {
        assert!(Instant::now() < until, "the gap counts were not read again");
        let wake = a.next_deadline(Instant::now());
        std::thread::sleep(wake.saturating_duration_since(Instant::now()));
        a.tick(Instant::now());
    }

    let mut fresh = app_with(open(&path), Lang::En, None, Some("王静"));
    screen(&mut fresh, 160, 48);
    assert_eq!(counts(&a), counts(&fresh));
    let (followed, started) = (panes_text(&mut a), panes_text(&mut fresh));
    let differ: Vec<String> = followed
        .lines()
        .zip(started.lines())
        .filter(|(f, s)| f != s)
        .map(|(f, s)| format!("followed: {f}\nstarted:  {s}"))
        .collect();
    assert!(differ.is_empty(), "{}", differ.join("\n"));
    assert_eq!(followed, started);
}

/// The default of [`Pane::note`] is not what keeps the big panes cheap:
/// a note leaves the passes, queue and alerts panes holding what they
/// hold, and only the log reads again.
#[test]
fn a_note_reads_the_log_pane_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.db");
    demo_file(&path);
    let mut a = app_with(open(&path), Lang::En, None, Some("王静"));
    screen(&mut a, 160, 48);
    let mut other = open(&path);
    let mut churn = Churn::new(&other, Mix::Notes, 1).unwrap();
    churn.step(&mut other, &actor()).unwrap();
    a.poll_data();
    let stale: Vec<PaneId> = PaneId::ALL
        .into_iter()
        .filter(|id| a.panes.get(*id).is_stale())
        .collect();
    assert_eq!(stale, vec![PaneId::Log]);
}

/// Issue 13: another session's change to a row on screen is flashed with
/// the officer and what was done; a change to a row off screen, or this
/// session's own, is not.
#[test]
fn another_session_s_change_to_a_row_on_screen_is_flashed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.db");
    demo_file(&path);
    let mut a = app_with(open(&path), Lang::En, None, Some("王静"));
    screen(&mut a, 160, 48);
    a.on_key(key('3'));
    a.tick(Instant::now());
    a.flash = None;
    use supplydesk::domain::pass::PassState;
    while !matches!(
        a.panes.passes.selected().unwrap().state,
        PassState::Issued | PassState::Suspended
    ) {
        a.on_key(key('j'));
    }
    let on_screen = a.panes.passes.selected().unwrap().id;
    let mut other = open(&path);
    let li = actor_named("李明");
    let suspended = other.suspend_pass(&li, on_screen, "夜间抽查");
    if suspended.is_err() {
        other.reinstate_pass(&li, on_screen).unwrap();
    }
    a.poll_data();
    let said = flash_en(&a);
    assert!(said.starts_with("李明 "), "{said}");
    assert!(said.contains("Pass "), "{said}");

    // Off screen: the pass that ends first stands last in the list.
    a.flash = None;
    let last: i64 = other
        .conn()
        .query_row(
            "SELECT id FROM pass WHERE state IN ('issued', 'suspended') ORDER BY valid_until, id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        !a.panes
            .passes
            .shows(supplydesk::tui::feed::Table::Pass, last)
    );
    if other.suspend_pass(&li, last, "夜间抽查").is_err() {
        other.reinstate_pass(&li, last).unwrap();
    }
    a.poll_data();
    assert!(a.flash.is_none(), "{}", flash_en(&a));

    // This session's own change says "recorded", not who did it.
    a.run_typed(":note 自己的记事");
    assert!(!flash_en(&a).starts_with("王静 "), "{}", flash_en(&a));
}
