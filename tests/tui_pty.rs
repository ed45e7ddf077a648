//! The real binary in a real terminal: the console runs in a detached
//! tmux session (its own server socket per test, so tests never share a
//! server) on a demo database, driven with `send-keys` and read back with
//! `capture-pane`. Waits poll the screen against a deadline rather than
//! sleeping; the deadlines are generous because CI machines are small and
//! busy, except where the promise itself is a time (the live update).
//!
//! Skipped, with a printed reason, only when tmux is not installed
//! (`.ci/run` installs it).
//!
//! Also here, without tmux: the bytes the console's backend writes, fed
//! to a terminal emulator (`vt100`), draw exactly the frames ratatui
//! rendered — the backend leaves out moves, styles and blanks to save
//! bytes over SSH, and this is the proof it leaves out nothing that shows.

mod common;

use std::ops::Deref;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use common::{BIN, Pane, Tmux, console, exec_noting_pid, open_read_only, read_pid};
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Color, Modifier};
use ratatui::{Terminal, TerminalOptions, Viewport};
use supplydesk::config::Config;
use supplydesk::demo::{DemoOptions, generate};
use supplydesk::domain::pass::PassStatus;
use supplydesk::domain::plate;
use supplydesk::i18n::Lang;
use supplydesk::store::log::LogFilter;
use supplydesk::store::pass_actions::PassFilter;
use supplydesk::store::{Actor, Clock, Store};
use supplydesk::tui::backend::{FramePrep, Lean};
use supplydesk::tui::keys::PaneId;
use supplydesk::tui::popups::lookup::verdict_label;
use supplydesk::tui::theme::Theme;
use supplydesk::tui::{App, Setup, view};

/// For anything that only has to happen eventually.
const PATIENCE: Duration = Duration::from_secs(10);
const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;

/// A tmux server of our own with one 120×40 session running `sh` in the
/// server's scratch directory, which also holds a demo database. Used as
/// its pane; dropping it kills the server (and with it anything still
/// running in the pane), also when the test failed.
struct Desk {
    pane: Pane,
    db: PathBuf,
}

impl Deref for Desk {
    type Target = Pane;

    fn deref(&self) -> &Pane {
        &self.pane
    }
}

impl Desk {
    /// None where tmux is not installed (the reason printed).
    fn start(name: &str) -> Option<Desk> {
        let tmux = Tmux::server(name)?;
        let dir = tmux.dir();
        let db = dir.join("desk.db");
        let out = Command::new(BIN)
            .args(["--lang", "en", "demo", "--db"])
            .arg(&db)
            .output()
            .expect("run supplydesk demo");
        assert!(out.status.success(), "demo failed: {out:?}");
        // The console's pid, and its exit status printed where the screen
        // shows it once the shell has the terminal back.
        let pid = dir.join("pid");
        let run = format!("{} \"$@\"", console(&db, "王静"));
        std::fs::write(dir.join("run.sh"), exec_noting_pid(&pid, &run) + "\n")
            .expect("write run.sh");
        let pane = tmux
            .start_in("desk", (WIDTH, HEIGHT), dir, &["sh"])
            .with_patience(PATIENCE);
        // Keys typed before the shell reads would be echoed ahead of its
        // prompt, and the prompt would then stand before the exit line.
        pane.wait_until("the shell's prompt", |s| !s.trim().is_empty());
        Some(Desk { pane, db })
    }

    fn pid_file(&self) -> PathBuf {
        self.dir().join("pid")
    }

    /// Starts the console from the shell; `tag` marks its exit line.
    fn launch(&self, tag: &str) -> u32 {
        let _ = std::fs::remove_file(self.pid_file());
        self.type_text(&format!("sh run.sh; echo END-{tag}:$?"));
        self.press("Enter");
        // The header names the officer once the first frame is drawn.
        self.wait_until("the console's first frame", |s| {
            s.contains("王静") && s.contains("Shortage alerts")
        });
        read_pid(&self.pid_file())
    }

    /// The console exited with 0 and the terminal is as the shell left
    /// it: main screen, cursor shown, cooked mode with echo.
    fn assert_given_back(&self, tag: &str) {
        // The line the shell prints, not the command line that asks for it.
        let mark = format!("END-{tag}:");
        let status = |s: &str| {
            s.lines()
                .find_map(|l| l.trim().strip_prefix(mark.as_str()).map(str::to_string))
                .filter(|code| code.parse::<i32>().is_ok())
        };
        let screen = self.wait_until(&format!("{mark} and a status"), |s| status(s).is_some());
        assert_eq!(
            status(&screen).as_deref(),
            Some("0"),
            "the console did not exit cleanly:\n{screen}"
        );
        assert_eq!(
            self.display("#{alternate_on}"),
            "0",
            "still on the alternate screen"
        );
        assert_eq!(
            self.display("#{cursor_flag}"),
            "1",
            "the cursor is still hidden"
        );
        self.type_text(&format!("stty -a; echo STTY-{tag}"));
        self.press("Enter");
        let screen = self.wait_until("stty's answer", |s| {
            s.lines().any(|l| l.trim() == format!("STTY-{tag}"))
        });
        let words: Vec<&str> = screen
            .split(|c: char| c.is_whitespace() || c == ';')
            .collect();
        for mode in ["icanon", "echo", "isig", "icrnl", "opost"] {
            assert!(
                words.contains(&mode) && !words.contains(&format!("-{mode}").as_str()),
                "terminal mode {mode} not restored after {tag}:\n{screen}"
            );
        }
        self.type_text("clear");
        self.press("Enter");
        self.wait_until("a cleared shell", |s| !s.contains("STTY-"));
    }

    fn open_db(&self) -> Store {
        open_read_only(&self.db)
    }
}

/// The title line of the pane shown in tabs mode.
fn pane_title(screen: &str) -> Option<PaneId> {
    let line = screen.lines().find(|l| l.starts_with('┏'))?;
    PaneId::ALL
        .into_iter()
        .find(|id| line.contains(&format!(" {} {} ", id.index() + 1, id.title(Lang::En))))
}

/// A plate whose vehicle has a pass of `status` and whose verdict, as
/// the library gives it, is `status` too.
fn plate_with(store: &Store, status: PassStatus) -> (String, String) {
    let warn = Config::default().thresholds.pass_warn();
    let rows = store
        .passes_page(
            &PassFilter {
                text: None,
                status: Some(status),
                kind: None,
            },
            store.now(),
            warn,
            0,
            50,
        )
        .expect("passes");
    for r in rows {
        let Some(p) = r.plate else { continue };
        let n = plate::normalize(&p).expect("a demo plate normalises");
        let v = store.plate_verdict(&p, &n, warn, false).expect("verdict");
        if v.status == Some(status) {
            return (p, verdict_label(v.status, Lang::En).to_string());
        }
    }
    panic!("the demo has no plate whose verdict is {status:?}");
}

#[test]
fn the_console_in_a_real_terminal() {
    let Some(t) = Desk::start("desk") else {
        return;
    };
    assert_eq!(t.display("#{pane_width}x#{pane_height}"), "120x40");
    t.launch("quit");
    assert_eq!(
        t.display("#{alternate_on}"),
        "1",
        "the console uses the alternate screen"
    );

    // Tab visits every pane, in order, and comes back.
    let first = pane_title(&t.screen()).expect("a pane title on the first frame");
    let mut seen = vec![first];
    for i in 1..=PaneId::ALL.len() {
        t.press("Tab");
        let want = PaneId::from_index(first.index() + i);
        t.wait_until(&format!("pane {want:?} after Tab"), |s| {
            pane_title(s) == Some(want)
        });
        seen.push(want);
    }
    assert_eq!(seen.first(), seen.last());
    let mut distinct = seen.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 5, "{seen:?}");

    // A duty note from the command line lands in the database, with the
    // officer, and the console says its number.
    let note = "龙宝村报告菜价上涨 tmux-note";
    t.command(&format!("note {note}"));
    let screen = t.wait_for("recorded #");
    let found = t
        .open_db()
        .log_list(&LogFilter {
            grep: Some("tmux-note".into()),
            ..Default::default()
        })
        .expect("read the log");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].text, note);
    assert_eq!(found[0].officer, "王静");
    assert_eq!(found[0].kind, "note");
    assert!(
        screen.contains(&format!("recorded #{}", found[0].seq)),
        "the flash names entry #{}:\n{screen}",
        found[0].seq
    );

    // `p` and a plate, typed loosely: the verdict the library gives.
    for status in [PassStatus::Valid, PassStatus::Expired] {
        let (plate, label) = plate_with(&t.open_db(), status);
        t.press("p");
        t.wait_for("Plate lookup");
        // Lower case, with a dot after the province: normalised as typed.
        let mut loose = plate.to_lowercase();
        if let Some((i, c)) = loose.char_indices().nth(1) {
            loose.insert(i + c.len_utf8(), '·');
        }
        t.type_text(&loose);
        t.enter_once_shown(&loose);
        let screen = t.wait_until(&format!("the verdict {label} for {plate}"), |s| {
            s.lines().any(|l| l.contains(&label) && l.contains(&plate))
        });
        let may_pass = screen.contains("may pass");
        assert_eq!(may_pass, status == PassStatus::Valid, "{screen}");
        t.press("Escape");
        t.wait_until("the lookup closed", |s| !s.contains("Plate lookup"));
    }

    // Another process writes; the duty log pane shows it within a second.
    t.press("5");
    t.wait_until("the duty log", |s| pane_title(s) == Some(PaneId::Log));
    let live = "第二会话来电 live-entry";
    let before = Instant::now();
    let out = Command::new(BIN)
        .arg("--db")
        .arg(&t.db)
        .args([
            "--officer",
            "李明",
            "--lang",
            "en",
            "log",
            "add",
            "--kind",
            "call",
            live,
        ])
        .output()
        .expect("run log add");
    assert!(out.status.success(), "log add: {out:?}");
    // The entry is committed before the process exits; the clock starts
    // there (the process's own start-up is not the console's to answer for).
    let written = Instant::now();
    t.wait_for("live-entry");
    let shown = written.elapsed();
    eprintln!(
        "live update: on screen {shown:?} after the write ({:?} after starting `log add`)",
        before.elapsed()
    );
    // The console asks SQLite every 250 ms whether another connection
    // wrote; a second covers that, the redraw and tmux, with room for a
    // busy machine.
    assert!(
        shown <= Duration::from_secs(1),
        "the other session's entry took {shown:?} to appear"
    );

    t.press("q");
    t.assert_given_back("quit");
}

/// Another session's note, as `supplydesk log add` writes it.
fn note_from_elsewhere(db: &std::path::Path, text: &str) {
    let out = Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(["--officer", "李明", "--lang", "en", "log", "add", text])
        .output()
        .expect("run log add");
    assert!(out.status.success(), "log add: {out:?}");
}

/// Issue 20: the log pane on its newest entry shows the newest as other
/// sessions write; scrolled down, the rows stay, a marker counts what
/// arrived above, and `g` goes back to the newest and follows again.
#[test]
fn the_log_pane_follows_the_newest_and_counts_what_arrives_above() {
    let Some(t) = Desk::start("follow") else {
        return;
    };
    t.launch("follow");
    t.press("5");
    t.wait_for("5 Duty log");
    for i in 1..=3 {
        note_from_elsewhere(&t.db, &format!("follow-note-{i}"));
    }
    let screen = t.wait_for("follow-note-3");
    let selected = screen.lines().find(|l| l.contains('▶')).unwrap_or_default();
    assert!(
        selected.contains("follow-note-3"),
        "the selection follows the newest:\n{screen}"
    );
    assert!(!screen.contains("↑"), "{screen}");

    t.keys(&["j", "j"]);
    t.wait_until("the selection on the third row", |s| {
        s.lines()
            .find(|l| l.contains('▶'))
            .is_some_and(|l| l.contains("follow-note-1"))
    });
    for i in 4..=7 {
        note_from_elsewhere(&t.db, &format!("follow-note-{i}"));
    }
    let screen = t.wait_for("↑ 4 new");
    assert!(!screen.contains("follow-note-7"), "{screen}");
    let selected = screen.lines().find(|l| l.contains('▶')).unwrap_or_default();
    assert!(selected.contains("follow-note-1"), "{screen}");
    assert!(
        screen
            .lines()
            .nth(4)
            .is_some_and(|l| l.contains("follow-note-3")),
        "the rows read stay where they were:\n{screen}"
    );

    t.press("g");
    let screen = t.wait_for("follow-note-7");
    assert!(!screen.contains("↑"), "{screen}");
    note_from_elsewhere(&t.db, "follow-note-8");
    let screen = t.wait_for("follow-note-8");
    let selected = screen.lines().find(|l| l.contains('▶')).unwrap_or_default();
    assert!(
        selected.contains("follow-note-8"),
        "following again:\n{screen}"
    );
    t.press("q");
    t.assert_given_back("follow");
}

#[test]
fn signals_and_ctrl_c_give_the_terminal_back() {
    let Some(t) = Desk::start("signals") else {
        return;
    };
    for (tag, signal) in [
        ("term", Some("TERM")),
        ("hup", Some("HUP")),
        ("ctrlc", None),
    ] {
        let pid = t.launch(tag);
        assert_eq!(t.display("#{alternate_on}"), "1");
        match signal {
            Some(sig) => {
                // The shell's own `kill`: no procps needed.
                let out = Command::new("sh")
                    .arg("-c")
                    .arg(format!("kill -{sig} {pid}"))
                    .output()
                    .expect("run kill");
                assert!(out.status.success(), "kill -{sig}: {out:?}");
            }
            None => t.press("C-c"),
        }
        t.assert_given_back(tag);
    }
}

// ---- the backend's bytes in a terminal emulator ---------------------------

fn demo_app(lang: Lang, mono: bool) -> App {
    let t0 = Utc.with_ymd_and_hms(2026, 11, 29, 2, 0, 0).unwrap();
    let mut store = Store::open_in_memory()
        .unwrap()
        .with_clock(Clock::Fixed(t0));
    let actor = Actor {
        officer: "李明".into(),
        os_user: "duty".into(),
        ssh_client: None,
    };
    let opts = DemoOptions {
        scale: 1,
        seed: 2022,
    };
    generate(&mut store, &actor, opts).unwrap();
    store.set_clock(Clock::Fixed(t0));
    App::new(
        store,
        Setup {
            read_only: None,
            officer: Some("王静".into()),
            lang,
            config: Config::default(),
            theme: Theme {
                mono,
                ..Default::default()
            },
        },
    )
}

fn vt_color(c: Color) -> vt100::Color {
    match c {
        Color::Reset => vt100::Color::Default,
        Color::Black => vt100::Color::Idx(0),
        Color::Red => vt100::Color::Idx(1),
        Color::Green => vt100::Color::Idx(2),
        Color::Yellow => vt100::Color::Idx(3),
        Color::Blue => vt100::Color::Idx(4),
        Color::Magenta => vt100::Color::Idx(5),
        Color::Cyan => vt100::Color::Idx(6),
        Color::Gray => vt100::Color::Idx(7),
        Color::DarkGray => vt100::Color::Idx(8),
        Color::LightRed => vt100::Color::Idx(9),
        Color::LightGreen => vt100::Color::Idx(10),
        Color::LightYellow => vt100::Color::Idx(11),
        Color::LightBlue => vt100::Color::Idx(12),
        Color::LightMagenta => vt100::Color::Idx(13),
        Color::LightCyan => vt100::Color::Idx(14),
        Color::White => vt100::Color::Idx(15),
        Color::Indexed(i) => vt100::Color::Idx(i),
        Color::Rgb(r, g, b) => vt100::Color::Rgb(r, g, b),
    }
}

/// Every cell the emulator shows is the cell ratatui drew: the same
/// symbol and, for what can be seen, the same attributes (a blank's
/// colour and boldness cannot be seen unless it is reversed).
fn assert_screen_is(buf: &Buffer, screen: &vt100::Screen, step: &str) {
    let area = buf.area;
    for y in 0..area.height {
        let mut x = 0;
        while x < area.width {
            let cell = &buf[(x, y)];
            let vt = screen.cell(y, x).expect("a cell of the emulator");
            let want = cell.symbol();
            let got = if vt.has_contents() {
                vt.contents()
            } else {
                " "
            };
            let at = format!("{step}: cell ({x}, {y})");
            assert_eq!(
                got,
                want,
                "{at}; row {y}: {:?}",
                screen.rows(0, area.width).nth(y.into())
            );
            let m = cell.modifier;
            assert_eq!(
                vt.inverse(),
                m.contains(Modifier::REVERSED),
                "{at} {want:?}: reverse"
            );
            assert_eq!(
                vt.underline(),
                m.contains(Modifier::UNDERLINED),
                "{at}: underline"
            );
            assert_eq!(vt.bgcolor(), vt_color(cell.bg), "{at} {want:?}: background");
            if want != " " || m.contains(Modifier::REVERSED) {
                assert_eq!(vt.fgcolor(), vt_color(cell.fg), "{at} {want:?}: colour");
                assert_eq!(vt.bold(), m.contains(Modifier::BOLD), "{at} {want:?}: bold");
                assert_eq!(vt.dim(), m.contains(Modifier::DIM), "{at} {want:?}: dim");
                assert_eq!(
                    vt.italic(),
                    m.contains(Modifier::ITALIC),
                    "{at} {want:?}: italic"
                );
            }
            x += (unicode_width::UnicodeWidthStr::width(want) as u16).max(1);
        }
    }
}

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

fn code(k: KeyCode) -> KeyEvent {
    KeyEvent::new(k, KeyModifiers::NONE)
}

#[test]
fn the_bytes_sent_draw_exactly_the_frames() {
    // What an officer does: every pane, moves, pages, details, the
    // lookup with near plates, help, the command line, a form.
    let mut keys: Vec<KeyEvent> = Vec::new();
    for pane in ['1', '2', '3', '4', '5'] {
        keys.push(key(pane));
        keys.extend([key('j'), key('j'), key('j'), key('k')]);
        keys.extend([code(KeyCode::PageDown), key('j'), code(KeyCode::PageUp)]);
        keys.extend([key('G'), key('g'), code(KeyCode::Enter), code(KeyCode::Esc)]);
    }
    keys.push(key('p'));
    keys.extend("渝f·0".chars().map(key));
    keys.extend([
        code(KeyCode::Enter),
        code(KeyCode::Down),
        code(KeyCode::Esc),
    ]);
    keys.extend([key('?'), code(KeyCode::PageDown), code(KeyCode::Esc)]);
    keys.extend([
        code(KeyCode::Tab),
        code(KeyCode::Tab),
        code(KeyCode::BackTab),
    ]);
    keys.push(key(':'));
    keys.extend("note 区指挥部".chars().map(key));
    keys.extend([code(KeyCode::Esc), key('n'), code(KeyCode::Esc), key('2')]);

    for (w, h, lang, mono) in [
        (120, 40, Lang::Zh, false),
        (160, 48, Lang::En, false),
        (80, 24, Lang::Zh, true),
        (200, 50, Lang::En, true),
    ] {
        let mut app = demo_app(lang, mono);
        app.resize(w, h);
        let mut backend = Lean::new(Vec::new());
        backend.assume_size(ratatui::layout::Size::new(w, h));
        let mut term = Terminal::with_options(
            backend,
            TerminalOptions {
                viewport: Viewport::Fixed(ratatui::layout::Rect::new(0, 0, w, h)),
            },
        )
        .unwrap();
        let size = |n: u16| std::num::NonZeroU16::new(n).expect("a screen");
        let mut vt = vt100::Parser::new(size(h), size(w), 0);
        let mut sent = 0usize;
        let mut prep = FramePrep::default();
        for (i, k) in std::iter::once(None)
            .chain(keys.iter().map(Some))
            .enumerate()
        {
            if let Some(k) = k {
                app.on_key(*k);
            }
            if i == keys.len() / 2 {
                // The window shrinks by a column and a row: cleared, drawn whole.
                let (w, h) = (w - 1, h - 1);
                term.resize(ratatui::layout::Rect::new(0, 0, w, h)).unwrap();
                term.backend_mut()
                    .assume_size(ratatui::layout::Size::new(w, h));
                prep.forget();
                vt.screen_mut().set_size(size(h), size(w));
                app.resize(w, h);
            }
            let frame = term
                .draw(|f| {
                    view::draw(f, &app);
                    prep.prepare(f.buffer_mut());
                })
                .unwrap()
                .buffer
                .clone();
            prep.drawn(&frame);
            let bytes = std::mem::take(term.backend_mut().writer_mut());
            sent += bytes.len();
            vt.process(&bytes);
            assert_screen_is(
                &frame,
                vt.screen(),
                &format!("{w}x{h} {lang:?} step {i} after {k:?}"),
            );
        }
        eprintln!(
            "{w}x{h} {lang:?} mono={mono}: {} frames, {sent} bytes",
            keys.len() + 1
        );
    }
}
