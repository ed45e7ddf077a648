//! Issue 13, the console side, in a real terminal: keys act only on what
//! is seen, pasted text is text, editing behaves like every editor, a
//! filter finds what the row shows, help fits, and what is hard to undo
//! asks first. The real binary runs in a detached tmux session of the
//! test's own on a demo database; every wait polls the screen.
//!
//! Without tmux the tests say so and pass (CI installs it).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{BIN, Pane, Tmux, console, open_read_only};

/// A demo database in the server's scratch directory, and the console
/// on it as 王静 in a `size` terminal.
fn desk(name: &str, size: (u16, u16)) -> Option<(Tmux, Pane, PathBuf)> {
    let tmux = Tmux::server(name)?;
    let db = tmux.dir().join("desk.db");
    let out = Command::new(BIN)
        .args(["--lang", "en", "demo", "--db"])
        .arg(&db)
        .output()
        .expect("run supplydesk demo");
    assert!(out.status.success(), "demo failed: {out:?}");
    let pane = tmux.start(name, size, &console(&db, "王静"));
    pane.wait_for("Shortage alerts");
    Some((tmux, pane, db))
}

fn head(db: &Path) -> i64 {
    open_read_only(db).head().expect("the log's head").seq
}

/// Text written to the terminal in one piece, as a terminal without
/// bracketed paste delivers a paste: tmux's paste buffer without `-p`.
fn paste_unbracketed(pane: &Pane, session: &str, text: &str) {
    pane.tmux(&["set-buffer", "-b", "clip", "--", text]);
    pane.tmux(&["paste-buffer", "-d", "-b", "clip", "-t", session]);
}

#[test]
fn keys_on_the_too_small_screen_change_nothing() {
    let Some((_t, pane, db)) = desk("small", (120, 40)) else {
        return;
    };
    let before = head(&db);
    pane.tmux(&["resize-window", "-t", "small", "-x", "60", "-y", "15"]);
    pane.wait_for("terminal too small");
    // The activation pane, mark the selected post, yes; a note; the
    // command line with a command.
    for k in ["1", "m", "y", "Enter", "N", ":"] {
        pane.press(k);
    }
    pane.type_text("note typed blind");
    pane.press("Enter");
    let s = pane.wait_for("only q (quit) and Ctrl-L (redraw) work here");
    assert!(s.contains("terminal too small"), "{s}");
    pane.tmux(&["resize-window", "-t", "small", "-x", "120", "-y", "40"]);
    let s = pane.wait_for("Shortage alerts");
    assert!(
        !s.contains("Duty-log note") && !s.contains("Please confirm"),
        "a key pressed on the notice opened something:\n{s}"
    );
    assert_eq!(head(&db), before, "a key pressed on the notice wrote");
    // q still quits there.
    pane.tmux(&["resize-window", "-t", "small", "-x", "60", "-y", "15"]);
    pane.wait_for("terminal too small");
    pane.press("q");
    pane.wait_gone();
}

#[test]
fn an_unbracketed_paste_is_text_never_keys() {
    let Some((_t, pane, db)) = desk("paste", (120, 40)) else {
        return;
    };
    let before = head(&db);
    pane.press("N");
    pane.wait_for("Duty-log note");
    paste_unbracketed(&pane, "paste", "区指挥部来电\n今晚增派两辆保供车 q");
    let s = pane.wait_for("区指挥部来电 今晚增派两辆保供车 q");
    assert!(s.contains("Duty-log note"), "the form closed:\n{s}");
    assert_eq!(
        head(&db),
        before,
        "the paste's line break submitted the note"
    );
    // With no field open, a paste does nothing and says so.
    pane.press("Escape");
    pane.wait_for("Discard what you have typed?");
    pane.press("y");
    pane.wait_until_gone("Duty-log note");
    paste_unbracketed(&pane, "paste", "1mq\ny");
    let s = pane.wait_for("were not run as keys");
    assert!(
        s.contains("Shortage alerts"),
        "the paste moved the focus:\n{s}"
    );
    assert_eq!(head(&db), before, "a paste ran as keys");
    pane.press("q");
    pane.wait_gone();
}
