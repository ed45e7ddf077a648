//! The real binary on a pseudo-terminal, read by a small terminal emulator
//! written here (issue 22): one that draws East Asian ambiguous
//! characters two cells wide, as PuTTY with "treat CJK ambiguous
//! characters as wide", the Chinese Windows console or a CJK font in
//! Xshell do, or one cell wide, and that answers cursor-position reports
//! (`CSI 6n`) — or does not answer at all.
//!
//! The emulator models what breaks the screen: a character is placed by
//! the width the terminal gives it, a row that runs past the right edge
//! wraps onto the next one, and a line feed on the last row scrolls.

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use supplydesk::tui::glyphs::is_ambiguous;
use supplydesk::tui::probe;
use unicode_width::UnicodeWidthChar;

const BIN: &str = env!("CARGO_BIN_EXE_supplydesk");
const W: usize = 80;
const H: usize = 24;
const PATIENCE: Duration = Duration::from_secs(20);

/// A terminal screen, as much of VT100/xterm as the console uses.
struct Emu {
    wide_ambiguous: bool,
    answers: bool,
    /// Answer this column whatever was drawn (a client decoding another
    /// encoding lands elsewhere than any UTF-8 terminal).
    fixed_col: Option<usize>,
    rows: Vec<Vec<String>>,
    x: usize,
    y: usize,
    pending_wrap: bool,
    /// Characters that ran past the right edge onto the next row.
    wraps: usize,
    /// Line feeds on the last row.
    scrolls: usize,
    /// Cursor-position requests seen, and when the first came.
    requests: usize,
    first_request: Option<Instant>,
    /// What the emulator sends back.
    reply: Vec<u8>,
    pending: Vec<u8>,
}

impl Emu {
    fn new(wide_ambiguous: bool, answers: bool) -> Emu {
        Emu {
            wide_ambiguous,
            answers,
            fixed_col: None,
            rows: vec![vec![" ".to_string(); W]; H],
            x: 0,
            y: 0,
            pending_wrap: false,
            wraps: 0,
            scrolls: 0,
            requests: 0,
            first_request: None,
            reply: Vec::new(),
            pending: Vec::new(),
        }
    }

    fn width(&self, c: char) -> usize {
        if self.wide_ambiguous {
            c.width_cjk().unwrap_or(0)
        } else {
            c.width().unwrap_or(0)
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
        let buf = std::mem::take(&mut self.pending);
        let mut i = 0;
        while i < buf.len() {
            match self.step(&buf[i..]) {
                Some(n) => i += n,
                None => {
                    // An incomplete sequence or character: wait for more.
                    self.pending = buf[i..].to_vec();
                    return;
                }
            }
        }
    }

    /// Consumes one control, sequence or character; `None`: incomplete.
    fn step(&mut self, b: &[u8]) -> Option<usize> {
        match b[0] {
            0x1b => self.escape(b),
            b'\r' => {
                self.x = 0;
                self.pending_wrap = false;
                Some(1)
            }
            b'\n' => {
                self.line_feed();
                Some(1)
            }
            0x08 => {
                self.x = self.x.saturating_sub(1);
                self.pending_wrap = false;
                Some(1)
            }
            c if c < 0x20 || c == 0x7f => Some(1),
            _ => {
                let len = match b[0] {
                    0x00..=0x7f => 1,
                    0xc0..=0xdf => 2,
                    0xe0..=0xef => 3,
                    _ => 4,
                };
                if b.len() < len {
                    return None;
                }
                let c = std::str::from_utf8(&b[..len])
                    .ok()
                    .and_then(|s| s.chars().next())
                    .unwrap_or('\u{fffd}');
                self.print(c);
                Some(len)
            }
        }
    }

    fn line_feed(&mut self) {
        if self.y + 1 == H {
            self.rows.remove(0);
            self.rows.push(vec![" ".to_string(); W]);
            self.scrolls += 1;
        } else {
            self.y += 1;
        }
        self.pending_wrap = false;
    }

    fn print(&mut self, c: char) {
        let w = self.width(c);
        if w == 0 {
            let x = self.x.saturating_sub(1);
            self.rows[self.y][x].push(c);
            return;
        }
        if self.pending_wrap || self.x + w > W {
            self.wraps += 1;
            self.x = 0;
            self.line_feed();
        }
        self.rows[self.y][self.x] = c.to_string();
        if w == 2 && self.x + 1 < W {
            self.rows[self.y][self.x + 1] = String::new();
        }
        self.x += w;
        if self.x >= W {
            self.x = W - 1;
            self.pending_wrap = true;
        }
    }

    fn escape(&mut self, b: &[u8]) -> Option<usize> {
        let second = *b.get(1)?;
        if second != b'[' {
            // ESC ( B and the like take one more byte; others, none.
            return Some(if matches!(second, b'(' | b')') { 3 } else { 2 }.min(b.len()));
        }
        let end = b[2..].iter().position(|&c| (0x40..=0x7e).contains(&c))? + 2;
        let params = std::str::from_utf8(&b[2..end]).unwrap_or("");
        let private = params.starts_with('?');
        let nums: Vec<usize> = params
            .trim_start_matches('?')
            .split(';')
            .map(|p| p.parse().unwrap_or(0))
            .collect();
        let n = |i: usize, d: usize| nums.get(i).copied().filter(|&v| v != 0).unwrap_or(d);
        match b[end] {
            b'H' | b'f' => {
                self.y = (n(0, 1) - 1).min(H - 1);
                self.x = (n(1, 1) - 1).min(W - 1);
                self.pending_wrap = false;
            }
            b'C' => {
                self.x = (self.x + n(0, 1)).min(W - 1);
                self.pending_wrap = false;
            }
            b'D' => {
                self.x = self.x.saturating_sub(n(0, 1));
                self.pending_wrap = false;
            }
            b'G' => {
                self.x = (n(0, 1) - 1).min(W - 1);
                self.pending_wrap = false;
            }
            b'X' => {
                for x in self.x..(self.x + n(0, 1)).min(W) {
                    self.rows[self.y][x] = " ".to_string();
                }
            }
            b'K' => {
                let from = match nums.first().copied().unwrap_or(0) {
                    0 => self.x,
                    _ => 0,
                };
                for x in from..W {
                    self.rows[self.y][x] = " ".to_string();
                }
            }
            b'J' if nums.first().copied().unwrap_or(0) == 2 => {
                self.rows = vec![vec![" ".to_string(); W]; H];
            }
            b'h' if private && nums.contains(&1049) => {
                self.rows = vec![vec![" ".to_string(); W]; H];
            }
            b'n' if !private && nums.first() == Some(&6) => {
                self.requests += 1;
                self.first_request.get_or_insert_with(Instant::now);
                if self.answers {
                    let col = self.fixed_col.unwrap_or(self.x + 1);
                    let r = format!("\x1b[{};{}R", self.y + 1, col);
                    self.reply.extend_from_slice(r.as_bytes());
                }
            }
            _ => {}
        }
        Some(end + 1)
    }

    fn lines(&self) -> Vec<String> {
        self.rows
            .iter()
            .map(|r| r.concat().trim_end().to_string())
            .collect()
    }

    fn text(&self) -> String {
        self.lines().join("\n")
    }
}

/// The console on a pseudo-terminal of its own.
struct Console {
    master: std::fs::File,
    child: Child,
    emu: Emu,
    started: Instant,
    /// When the first byte after the probe's request arrived.
    first_frame_byte: Option<Instant>,
}

impl Console {
    fn start(dir: &Path, db: &Path, emu: Emu, args: &[&str]) -> Console {
        let (mut m, mut s) = (0, 0);
        let ws = libc::winsize {
            ws_row: H as u16,
            ws_col: W as u16,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: out-pointers to two ints and a valid winsize.
        let r =
            unsafe { libc::openpty(&mut m, &mut s, std::ptr::null_mut(), std::ptr::null(), &ws) };
        assert_eq!(r, 0, "openpty");
        // SAFETY: openpty handed us these two descriptors.
        let (master, slave) = unsafe { (OwnedFd::from_raw_fd(m), OwnedFd::from_raw_fd(s)) };
        let mut cmd = Command::new(BIN);
        cmd.current_dir(dir)
            .args(["--lang", "en", "--officer", "王静", "--db"])
            .arg(db)
            .args(args)
            .env("TERM", "xterm-256color")
            .env_remove("NO_COLOR")
            .env_remove("SUPPLYDESK_AMBIGUOUS")
            .env_remove("SUPPLYDESK_CONFIG")
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                libc::ioctl(0, libc::TIOCSCTTY, 0);
                Ok(())
            });
        }
        let started = Instant::now();
        let child = cmd.spawn().expect("start the console");
        Console {
            master: std::fs::File::from(master),
            child,
            emu,
            started,
            first_frame_byte: None,
        }
    }

    /// Reads what the console wrote for up to `wait`, answering requests.
    fn pump(&mut self, wait: Duration) -> usize {
        let mut p = libc::pollfd {
            fd: self.master.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = wait.as_millis() as i32;
        // SAFETY: one valid pollfd.
        if unsafe { libc::poll(&mut p, 1, ms) } <= 0 {
            return 0;
        }
        let mut buf = [0u8; 65536];
        let n = self.master.read(&mut buf).unwrap_or(0);
        if n > 0 && self.emu.first_request.is_some() && self.first_frame_byte.is_none() {
            // Bytes after the request's own chunk: the first frame.
            let after_request =
                self.emu.requests > 0 && !buf[..n].windows(4).any(|w| w == b"\x1b[6n");
            if after_request {
                self.first_frame_byte = Some(Instant::now());
            }
        }
        self.emu.feed(&buf[..n]);
        if !self.emu.reply.is_empty() {
            let r = std::mem::take(&mut self.emu.reply);
            self.master.write_all(&r).unwrap();
        }
        n
    }

    /// Pumps until `ready` holds and then nothing came for 300 ms.
    fn settle(&mut self, what: &str, ready: impl Fn(&Emu) -> bool) -> Duration {
        let deadline = Instant::now() + PATIENCE;
        let mut at = None;
        loop {
            assert!(Instant::now() < deadline, "no {what}:\n{}", self.emu.text());
            if self.pump(Duration::from_millis(20)) > 0 {
                if at.is_none() && ready(&self.emu) {
                    at = Some(self.started.elapsed());
                }
                continue;
            }
            if let Some(t) = at {
                let quiet = Instant::now();
                while quiet.elapsed() < Duration::from_millis(300) {
                    if self.pump(Duration::from_millis(20)) > 0 {
                        break;
                    }
                }
                if quiet.elapsed() >= Duration::from_millis(300) {
                    return t;
                }
            }
        }
    }

    fn quit(mut self) {
        self.master.write_all(b"q").unwrap();
        let end = Instant::now() + PATIENCE;
        while Instant::now() < end {
            self.pump(Duration::from_millis(20));
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
        }
        let _ = self.child.kill();
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn demo_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let out = Command::new(BIN)
        .current_dir(dir.path())
        .args(["--lang", "en", "demo", "--db"])
        .arg(&db)
        .output()
        .expect("run supplydesk demo");
    assert!(out.status.success(), "demo failed: {out:?}");
    (dir, db)
}

fn first_frame(e: &Emu) -> bool {
    let l = e.lines();
    l[0].contains("王静") && l[H - 1].contains("quit")
}

/// The header, the tab bar, the list rows and the footer in their rows,
/// nothing wrapped or scrolled.
fn assert_intact(e: &Emu, what: &str) {
    let l = e.lines();
    let screen = e.text();
    assert_eq!(
        (e.wraps, e.scrolls),
        (0, 0),
        "{what}: wrapped or scrolled:\n{screen}"
    );
    assert!(
        l[0].contains("双河口街道") && l[0].contains("王静"),
        "{what}: header:\n{screen}"
    );
    for tab in [
        "1 Activation",
        "2 Alerts",
        "3 Passes",
        "4 Deliveries",
        "5 Log",
    ] {
        assert!(l[1].contains(tab), "{what}: tab bar lacks {tab}:\n{screen}");
    }
    assert!(
        l[H - 1].contains("? help") && l[H - 1].contains("q quit"),
        "{what}: footer:\n{screen}"
    );
    // The pane: a top border, a column header, rows, a bottom border,
    // every row of it framed on both sides at the screen's edges.
    let framed = |s: &str| {
        let cells: Vec<char> = s.chars().collect();
        cells.len() > 2 && !cells[0].is_alphanumeric() && !cells[cells.len() - 1].is_alphanumeric()
    };
    for (i, row) in l.iter().enumerate().take(H - 1).skip(2) {
        assert!(
            framed(row),
            "{what}: row {i} is not framed: {row:?}\n{screen}"
        );
    }
    let list_rows = l[2..H - 1]
        .iter()
        .filter(|r| r.contains("社区") || r.contains("村"))
        .count();
    assert!(list_rows >= 10, "{what}: {list_rows} list rows:\n{screen}");
}

#[test]
fn the_console_detects_the_width_and_draws_what_the_terminal_shows() {
    let (dir, db) = demo_db();

    // A terminal drawing ambiguous characters wide: detected, ASCII set.
    let mut c = Console::start(dir.path(), &db, Emu::new(true, true), &[]);
    let wide_first = c.settle("first frame (wide)", first_frame);
    assert_eq!(c.emu.requests, 1, "one request at start");
    assert_intact(&c.emu, "wide terminal, auto");
    let text = c.emu.text();
    assert!(
        !text.chars().any(is_ambiguous),
        "ambiguous characters:\n{text}"
    );
    assert!(
        text.contains("+") || text.contains("#"),
        "ASCII borders:\n{text}"
    );
    // The help says it was detected; Ctrl-L asks again and keeps it.
    c.master.write_all(b"\x0c").unwrap();
    c.settle("redraw", first_frame);
    assert_eq!(c.emu.requests, 2, "Ctrl-L asks again");
    assert_intact(&c.emu, "wide terminal, after Ctrl-L");
    c.quit();

    // The same terminal drawing them narrow: today's look.
    let mut c = Console::start(dir.path(), &db, Emu::new(false, true), &[]);
    let narrow_first = c.settle("first frame (narrow)", first_frame);
    assert_intact(&c.emu, "narrow terminal, auto");
    let text = c.emu.text();
    assert!(
        text.contains('━') && text.contains('┃'),
        "box drawing:\n{text}"
    );
    c.quit();

    // The control: today's console (told narrow) in the wide terminal is
    // what the officer saw before — the check above can fail.
    let mut c = Console::start(
        dir.path(),
        &db,
        Emu::new(true, true),
        &["--ambiguous", "narrow"],
    );
    c.settle("first frame (forced narrow)", |e| {
        e.lines().iter().any(|l| l.contains("quit"))
    });
    assert_eq!(c.emu.requests, 0, "a set width asks nothing");
    assert!(
        c.emu.wraps > 0,
        "the wide terminal wrapped nothing:\n{}",
        c.emu.text()
    );
    c.quit();

    eprintln!(
        "first frame (debug build): wide detected {} ms, narrow detected {} ms",
        wide_first.as_millis(),
        narrow_first.as_millis()
    );
}

#[test]
fn a_terminal_that_does_not_answer_gets_the_configured_default_in_time() {
    let (dir, db) = demo_db();
    let config = dir.path().join("wide.toml");
    std::fs::write(&config, "[theme]\nambiguous_fallback = \"wide\"\n").unwrap();
    for (args, wide) in [
        (vec![], false),
        (vec!["--config", config.to_str().unwrap()], true),
    ] {
        // The terminal draws ambiguous characters as the fallback expects.
        let mut c = Console::start(dir.path(), &db, Emu::new(wide, false), &args);
        let first = c.settle("first frame (no answer)", first_frame);
        assert_eq!(c.emu.requests, 1);
        assert_intact(&c.emu, &format!("no answer, fallback wide={wide}"));
        let text = c.emu.text();
        assert_eq!(text.contains('━'), !wide, "{text}");
        // The wait ends at the timeout: the first frame follows the request
        // by no more than the timeout and the work it hides behind.
        let asked = c.emu.first_request.unwrap();
        let waited = c.first_frame_byte.unwrap().duration_since(asked);
        assert!(
            waited >= probe::TIMEOUT.saturating_sub(Duration::from_millis(5)),
            "the frame came {waited:?} after the request, before the timeout"
        );
        assert!(
            waited < probe::TIMEOUT + Duration::from_millis(400),
            "the frame came {waited:?} after the request"
        );
        eprintln!(
            "no answer, fallback wide={wide}: first frame {} ms after start, {} ms after the request (debug build)",
            first.as_millis(),
            waited.as_millis()
        );
        c.quit();
    }
}

/// A client decoding GBK: the probe's text lands on column 12. Before
/// anything else, one plain ASCII line says to set the encoding to UTF-8;
/// a key goes on, with the ASCII set.
#[test]
fn a_client_not_in_utf8_is_told_in_plain_ascii_first() {
    let (dir, db) = demo_db();
    let mut emu = Emu::new(true, true);
    emu.fixed_col = Some(12);
    let mut c = Console::start(dir.path(), &db, emu, &[]);
    c.settle("the notice", |e| e.lines()[0].starts_with("supplydesk:"));
    let l = c.emu.lines();
    assert!(
        l[0].is_ascii() && l[0].contains("UTF-8"),
        "{}",
        c.emu.text()
    );
    assert!(l.iter().any(|r| r.contains("any key")), "{}", c.emu.text());
    assert!(
        !c.emu.text().contains("王静"),
        "the console drew before the notice"
    );
    // The notice's long line wraps, as it may; the console's frame must not.
    c.emu.wraps = 0;
    c.master.write_all(b" ").unwrap();
    c.settle("first frame after the notice", first_frame);
    assert_intact(&c.emu, "not UTF-8, went on");
    assert!(!c.emu.text().contains(probe::NOTICE_ASCII));
    assert!(!c.emu.text().chars().any(is_ambiguous));
    c.quit();
}

/// A width the console does not know, on the command line or in the
/// config, is one sentence naming the values; nothing starts.
#[test]
fn an_unknown_width_is_refused_with_the_values() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .current_dir(dir.path())
        .args(["--ambiguous", "huge", "--db", "x.db"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("auto, narrow, wide"), "{err}");
    let config = dir.path().join("bad.toml");
    std::fs::write(&config, "[theme]\nambiguous = \"huge\"\n").unwrap();
    let out = Command::new(BIN)
        .current_dir(dir.path())
        .args(["--lang", "en", "--config"])
        .arg(&config)
        .args(["--db", "x.db", "pass", "渝F12345"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("huge") && err.contains("`narrow`"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}
