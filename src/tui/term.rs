//! The real terminal and the event loop. The terminal is always given
//! back: on quit, on error (the guard's `Drop`), on panic (a hook that
//! restores before the report is printed) and on SIGTERM, SIGHUP (a
//! dropped SSH link) and SIGINT.
//!
//! The loop draws only when something changed — a key, data from another
//! session, the clock's minute, a flash timing out — and each frame is
//! wrapped in synchronized output so a slow link never shows half of one,
//! and written in one piece. Bursts of resize events are coalesced into
//! one redraw.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use ratatui::Terminal;
use ratatui::crossterm::cursor::{Hide, Show};
use ratatui::crossterm::event::{DisableBracketedPaste, EnableBracketedPaste, Event, EventStream};
use ratatui::crossterm::style::{Attribute, SetAttribute};
use ratatui::crossterm::terminal::{
    BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen, LeaveAlternateScreen,
    disable_raw_mode, enable_raw_mode,
};
use ratatui::crossterm::{execute, queue};
use tokio::signal::unix::{SignalKind, signal};
use tokio::time::MissedTickBehavior;

use super::app::App;
use super::backend::{FramePrep, Lean};
use super::glyphs::{Decided, Glyphs};
use super::{probe, view};
use crate::config::{Ambiguous, AmbiguousFallback};

/// How often the database is asked whether another session wrote.
const POLL: Duration = Duration::from_millis(250);
/// Resize events closer together than this are drawn once.
const RESIZE_SETTLE: Duration = Duration::from_millis(30);

/// Frames are composed in memory and written whole.
type Term = Terminal<Lean<Vec<u8>>>;

/// Set once the terminal has been given back: from then on the console's
/// own writer drops what it still holds, so a frame half-written when a
/// panic struck is not flushed onto the restored screen while unwinding.
static GIVEN_BACK: AtomicBool = AtomicBool::new(false);

/// Standard output, until the terminal is given back. Its own handle on
/// the file: `Stdout` is line-buffered and would split a frame into a
/// write per line feed.
struct Tty(std::fs::File);

impl Tty {
    fn new() -> io::Result<Tty> {
        use std::os::fd::AsFd;
        Ok(Tty(std::fs::File::from(
            io::stdout().as_fd().try_clone_to_owned()?,
        )))
    }
}

impl Write for Tty {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if GIVEN_BACK.load(Ordering::Relaxed) {
            return Ok(buf.len());
        }
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        if GIVEN_BACK.load(Ordering::Relaxed) {
            return Ok(());
        }
        self.0.flush()
    }
}

/// Restores the terminal when dropped.
struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

/// Leaves raw mode and the alternate screen; safe to call twice.
pub fn restore() {
    GIVEN_BACK.store(true, Ordering::Relaxed);
    let _ = disable_raw_mode();
    let mut out = io::stdout();
    let _ = execute!(
        out,
        SetAttribute(Attribute::Reset),
        DisableBracketedPaste,
        LeaveAlternateScreen,
        Show
    );
    let _ = out.flush();
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

/// How the glyph set is chosen: `[theme] ambiguous` (or `--ambiguous`)
/// and `ambiguous_fallback`.
#[derive(Debug, Clone, Copy)]
pub struct Widths {
    pub setting: Ambiguous,
    pub fallback: AmbiguousFallback,
}

/// Takes the terminal, asks it how wide it draws ambiguous characters
/// (while `build` opens the panes), and runs the console.
pub fn run(widths: Widths, build: impl FnOnce() -> App) -> color_eyre::Result<()> {
    install_panic_hook();
    let guard = Guard;
    enable_raw_mode()?;
    let mut out = Tty::new()?;
    let mut start = Vec::new();
    queue!(start, EnterAlternateScreen, EnableBracketedPaste, Hide)?;
    out.write_all(&start)?;
    let sent = match widths.setting {
        Ambiguous::Auto => Some(probe::send(&mut out)?),
        _ => None,
    };
    let mut app = build();
    let answer = sent.and_then(|s| s.collect(probe::TIMEOUT));
    app.theme.glyphs = probe::decide(widths.setting, widths.fallback, answer);
    if app.theme.glyphs.decided == Decided::NotUtf8 {
        not_utf8(&mut out)?;
    }
    let mut terminal = Terminal::new(Lean::new(Vec::with_capacity(1 << 16)))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let result = rt.block_on(event_loop(&mut terminal, &mut out, app, widths));
    drop(terminal);
    drop(guard);
    match result {
        // The terminal went away (a dropped SSH link before its SIGHUP
        // arrived): nobody is left to read a report, and nothing half-done
        // was written, so this is an ordinary end.
        Err(e) if terminal_gone(&e) => Ok(()),
        other => other,
    }
}

/// Tells, in a form any client shows, that the client does not decode
/// UTF-8, and waits for a key: the officer may go on anyway (with the
/// ASCII glyph set, which at least keeps the borders in place).
fn not_utf8(out: &mut Tty) -> io::Result<()> {
    out.write_all(&probe::not_utf8_notice())?;
    out.flush()?;
    probe::wait_for_key();
    out.write_all(b"\x1b[H\x1b[2J")?;
    out.flush()
}

/// Ctrl-L with `ambiguous = auto`: asks the terminal again (another
/// client may have taken over the session with `tmux attach`, or the
/// officer changed a setting). Key reading stops meanwhile so the answer
/// is not taken for keys; no answer keeps the glyph set in force.
fn probe_again(out: &mut Tty, app: &mut App, widths: Widths) -> io::Result<()> {
    let answer = probe::send(out)?.collect(probe::TIMEOUT);
    if answer.is_none() {
        return Ok(());
    }
    let glyphs: Glyphs = probe::decide(widths.setting, widths.fallback, answer);
    if glyphs.decided == Decided::NotUtf8 && app.theme.glyphs.decided != Decided::NotUtf8 {
        not_utf8(out)?;
    }
    app.theme.glyphs = glyphs;
    Ok(())
}

fn terminal_gone(e: &color_eyre::Report) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>().is_some_and(|io| {
            matches!(
                io.kind(),
                io::ErrorKind::BrokenPipe | io::ErrorKind::UnexpectedEof
            ) || matches!(io.raw_os_error(), Some(5 | 6)) // EIO, ENXIO
        })
    })
}

/// One frame, in one write, wrapped in synchronized output; a frame in
/// which nothing changed (a key that moved nothing) sends nothing at all.
fn draw(terminal: &mut Term, out: &mut Tty, prep: &mut FramePrep, app: &mut App) -> io::Result<()> {
    let frame = terminal.backend_mut().writer_mut();
    frame.clear();
    queue!(frame, BeginSynchronizedUpdate)?;
    let begun = frame.len();
    if app.clear {
        // Not `Terminal::clear`, which asks the terminal where its cursor
        // is and waits for the answer on the input the loop is reading.
        let size = terminal.size()?;
        terminal.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))?;
        prep.forget();
        app.clear = false;
    }
    let done = terminal.draw(|f| {
        view::draw(f, app);
        prep.prepare(f.buffer_mut());
    })?;
    prep.drawn(done.buffer);
    app.dirty = false;
    let frame = terminal.backend_mut().writer_mut();
    if frame.len() > begun {
        queue!(frame, EndSynchronizedUpdate)?;
        out.write_all(frame)?;
        out.flush()?;
    }
    frame.clear();
    Ok(())
}

async fn event_loop(
    terminal: &mut Term,
    out: &mut Tty,
    mut app: App,
    widths: Widths,
) -> color_eyre::Result<()> {
    let size = terminal.size()?;
    app.resize(size.width, size.height);
    let mut events = EventStream::new();
    let mut poll = tokio::time::interval(POLL);
    poll.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut resize: Option<(Instant, u16, u16)> = None;
    let mut prep = FramePrep::default();
    loop {
        if app.quit {
            return Ok(());
        }
        if app.clear && widths.setting == Ambiguous::Auto {
            drop(events);
            probe_again(out, &mut app, widths)?;
            events = EventStream::new();
        }
        if app.dirty && resize.is_none() {
            draw(terminal, out, &mut prep, &mut app)?;
        }
        let now = Instant::now();
        let wake = match resize {
            Some((at, _, _)) => at.min(app.next_deadline(now)),
            None => app.next_deadline(now),
        };
        tokio::select! {
            ev = events.next() => {
                // Everything already read with it: keys that came in one
                // burst are told apart from keys typed one by one.
                // (Read without the stream, whose waker a second poll
                // would replace; its reader is idle once it gave `ev`.)
                let mut batch = vec![ev];
                while matches!(ratatui::crossterm::event::poll(Duration::ZERO), Ok(true)) {
                    batch.push(Some(ratatui::crossterm::event::read()));
                }
                let mut keys = Vec::new();
                for ev in batch {
                    match ev {
                        Some(Ok(Event::Key(k))) => keys.push(k),
                        other => {
                            app.on_keys(&std::mem::take(&mut keys));
                            match other {
                                Some(Ok(Event::Paste(text))) => app.on_paste(&text),
                                Some(Ok(Event::Resize(w, h))) => resize = Some((Instant::now() + RESIZE_SETTLE, w, h)),
                                Some(Ok(_)) => {}
                                Some(Err(e)) => return Err(e.into()),
                                None => return Ok(()),
                            }
                        }
                    }
                }
                app.on_keys(&keys);
            },
            _ = poll.tick() => app.poll_data(),
            _ = tokio::time::sleep_until(wake.into()) => {
                if let Some((at, w, h)) = resize && at <= Instant::now() {
                    resize = None;
                    app.resize(w, h);
                }
                app.tick(Instant::now());
            }
            _ = sigterm.recv() => return Ok(()),
            _ = sighup.recv() => return Ok(()),
            _ = sigint.recv() => return Ok(()),
        }
    }
}
