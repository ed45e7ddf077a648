//! One full frame of the console, rendered from an `App` over the demo
//! database (scale 1, seed 2022, fixed clock): the five-pane view at
//! 160×48 and the one-pane view at 80×24, in Chinese.
//!
//! - `render/*`: `view::draw` into a `TestBackend`, as in the loop: the
//!   panes already hold their rows (the loop loads them when data
//!   changes, not per frame) and ratatui diffs against the last frame.
//! - `full/*`: the same after the screen was cleared, so every cell is
//!   sent to the backend.
//! - `bytes/*`: a full redraw encoded by the console's own backend
//!   (`Lean`) into memory — what a fresh screen costs to write.
//!
//! Run: `cargo bench --bench frame -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use supplydesk::config::Config;
use supplydesk::demo::{DemoOptions, generate};
use supplydesk::i18n::Lang;
use supplydesk::store::{Actor, Clock, Store};
use supplydesk::tui::backend::{FramePrep, Lean};
use supplydesk::tui::keys::PaneId;
use supplydesk::tui::theme::Theme;
use supplydesk::tui::{App, Setup, view};

fn demo_app(w: u16, h: u16, focus: Option<PaneId>) -> App {
    let t0 = Utc.with_ymd_and_hms(2026, 11, 29, 2, 0, 0).unwrap();
    let mut store = Store::open_in_memory()
        .expect("an in-memory database")
        .with_clock(Clock::Fixed(t0));
    let actor = Actor {
        officer: "李明".into(),
        os_user: "duty".into(),
        ssh_client: None,
    };
    generate(
        &mut store,
        &actor,
        DemoOptions {
            scale: 1,
            seed: 2022,
        },
    )
    .expect("demo data");
    store.set_clock(Clock::Fixed(t0));
    let mut app = App::new(
        store,
        Setup {
            read_only: None,
            officer: Some("王静".into()),
            lang: Lang::Zh,
            config: Config::default(),
            theme: Theme {
                mono: false,
                ..Default::default()
            },
        },
    );
    app.resize(w, h);
    if let Some(id) = focus {
        app.dispatch(supplydesk::tui::keys::Cmd::GoPane(id), None);
    }
    app
}

fn frames(c: &mut Criterion) {
    for (w, h, focus, name) in [
        (160, 48, None, "160x48_five_panes"),
        (80, 24, Some(PaneId::Log), "80x24_log"),
    ] {
        let app = demo_app(w, h, focus);
        // Full redraws: nothing to compare with, as after a clear.
        let prep = FramePrep::default();

        let mut term = Terminal::new(TestBackend::new(w, h)).expect("a test terminal");
        term.draw(|f| view::draw(f, &app)).expect("a frame");
        c.bench_function(&format!("render/{name}"), |b| {
            b.iter(|| {
                term.draw(|f| {
                    view::draw(f, black_box(&app));
                    prep.prepare(f.buffer_mut());
                })
                .expect("a frame");
            })
        });

        let mut term = Terminal::new(TestBackend::new(w, h)).expect("a test terminal");
        c.bench_function(&format!("full/{name}"), |b| {
            b.iter(|| {
                term.clear().expect("clear");
                term.draw(|f| {
                    view::draw(f, black_box(&app));
                    prep.prepare(f.buffer_mut());
                })
                .expect("a frame");
            })
        });

        let mut lean = Lean::new(Vec::with_capacity(1 << 16));
        lean.assume_size(ratatui::layout::Size::new(w, h));
        let mut term = Terminal::with_options(
            lean,
            ratatui::TerminalOptions {
                viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, w, h)),
            },
        )
        .expect("a terminal into memory");
        term.draw(|f| {
            view::draw(f, &app);
            prep.prepare(f.buffer_mut());
        })
        .expect("a frame");
        eprintln!(
            "bytes/{name}: a whole frame is {} bytes",
            term.backend_mut().writer_mut().len()
        );
        c.bench_function(&format!("bytes/{name}"), |b| {
            b.iter(|| {
                term.backend_mut().writer_mut().clear();
                term.resize(ratatui::layout::Rect::new(0, 0, w, h))
                    .expect("a full redraw next");
                term.draw(|f| {
                    view::draw(f, black_box(&app));
                    prep.prepare(f.buffer_mut());
                })
                .expect("a frame");
                black_box(term.backend_mut().writer_mut().len())
            })
        });
    }
}

criterion_group!(benches, frames);
criterion_main!(benches);
