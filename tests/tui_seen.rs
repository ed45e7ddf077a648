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

#[test]
fn a_correction_opens_with_the_cursor_at_the_end() {
    let Some((_t, pane, db)) = desk("correct", (120, 40)) else {
        return;
    };
    let before = head(&db);
    pane.press("5");
    pane.wait_for("Duty log");
    pane.press("c");
    pane.wait_for("Corrected text");
    // Backspace takes the old text's last character; typing adds at the
    // end, not in front.
    let old = open_read_only(&db)
        .entry(before)
        .expect("read the entry")
        .expect("the newest entry")
        .text;
    let mut want: String = old.chars().collect();
    let last = want.pop().expect("a non-empty entry");
    pane.press("BSpace");
    pane.type_text("‖END");
    let field = |s: &str| {
        s.lines()
            .find(|l| l.contains('▸') && l.contains("‖END"))
            .map(str::to_string)
    };
    let s = pane.wait_until("the typed mark in the field", |s| field(s).is_some());
    let line = field(&s).unwrap_or_default();
    let tail: String = want
        .chars()
        .rev()
        .take(6)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    assert!(
        line.contains(&format!("{tail}‖END")),
        "typed after the old text less its last character {last:?}:\n{s}"
    );
    assert_eq!(head(&db), before, "nothing written yet");
    pane.press("Escape");
    pane.wait_for("Discard what you have typed?");
    pane.press("y");
    pane.press("q");
    pane.wait_gone();
}

#[test]
fn help_at_80x24_cuts_no_line_and_pages() {
    let Some((_t, pane, _db)) = desk("help", (80, 24)) else {
        return;
    };
    pane.press("?");
    let first = pane.wait_for("Help · every key");
    let mut pages = vec![first];
    // PgDn pages until the legend at the end shows.
    // The help box's lines only: the clock in the header may tick.
    let box_of = |s: &str| -> String {
        s.lines()
            .filter(|l| l.starts_with("┃║"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    while !pages
        .last()
        .is_some_and(|s| s.contains("asks first (y yes / n no)"))
    {
        assert!(pages.len() < 40, "help never ended:\n{}", pages.join("\n"));
        let before = box_of(pages.last().map_or("", String::as_str));
        pane.press("PageDown");
        let s = pane.wait_until("the next page", |s| box_of(s) != before);
        pages.push(s);
    }
    assert!(pages.len() > 3, "PgDn moves a page, not a line");
    let mut body = String::new();
    for s in &pages {
        for l in s.lines().filter(|l| l.starts_with("┃║")) {
            // Every line ends at the box's border: nothing ran past it
            // and was cut.
            assert!(l.ends_with("║┃"), "a cut line:\n{l}\n{s}");
            let inner = l.trim_start_matches("┃║").trim_end_matches("║┃");
            body.push_str(inner);
            body.push('\n');
        }
    }
    let squeezed: String = body.split_whitespace().collect();
    for b in supplydesk::tui::keys::TABLE {
        let desc: String = b.en.split_whitespace().collect();
        assert!(
            squeezed.contains(&desc),
            "{} ({}) is not whole in help",
            b.name,
            b.en
        );
        if let Some(w) = b.words.first() {
            // A command is never broken across lines.
            let whole = body.contains(&format!("(:{w})")) || body.contains(&format!(":{w}"));
            assert!(whole, ":{w} is broken in help:\n{body}");
        }
    }
    for k in ["Ctrl-U", "Ctrl-W", "Alt-Bksp", "✎?"] {
        assert!(body.contains(k), "help does not list {k}");
    }
    // Escape closes; `q` waits for it, or the two would read as Alt-q.
    pane.press("Escape");
    pane.wait_until_gone("Help · every key");
    pane.press("q");
    pane.wait_gone();
}

#[test]
fn issuing_a_pass_asks_first() {
    let Some((_t, pane, db)) = desk("issue", (120, 40)) else {
        return;
    };
    let before = head(&db);
    pane.press("3");
    pane.wait_for("Vehicles & passes");
    pane.press("n");
    pane.wait_for("Issue a vehicle pass");
    pane.type_text("渝F·90210");
    pane.press("Tab");
    pane.type_text("+2d");
    pane.press("Tab");
    pane.type_text("经发办");
    pane.enter_once_shown("经发办");
    let s = pane.wait_for("Please confirm");
    assert!(s.contains("Issue a pass for 渝F·90210"), "{s}");
    assert_eq!(head(&db), before, "nothing before yes");
    // No: nothing written, the form still there.
    pane.press("n");
    pane.wait_until_gone("Please confirm");
    assert_eq!(head(&db), before);
    pane.press("Enter");
    pane.wait_for("Please confirm");
    pane.press("y");
    pane.wait_for("issued, recorded #");
    assert!(head(&db) > before, "issued after yes");
    pane.press("q");
    pane.wait_gone();
}

#[test]
fn a_filter_finds_the_states_the_rows_show() {
    let Some((_t, pane, db)) = desk("filter", (120, 40)) else {
        return;
    };
    let requested = common::count(
        &open_read_only(&db),
        "SELECT COUNT(*) FROM pass WHERE state = 'requested'",
    );
    assert!(requested > 0, "the demo holds requests");
    pane.press("3");
    // The title counts the requests waiting.
    pane.wait_for(&format!("requested {requested} ·"));
    pane.press("/");
    // Typed in Chinese on an English console: the rows' state either way.
    pane.type_text("待审批");
    let rows = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| l.starts_with("┃") && l.contains("SHK-"))
            .map(str::to_string)
            .collect()
    };
    let s = pane.wait_until("only requested passes", |s| {
        let r = rows(s);
        !r.is_empty() && r.iter().all(|l| l.contains("REQUESTED"))
    });
    assert!(s.contains(&format!("1/{requested} /待审批")), "{s}");
    pane.press("C-u");
    pane.type_text("suspended");
    let s = pane.wait_until("only suspended passes", |s| {
        let r = rows(s);
        !r.is_empty() && r.iter().all(|l| l.contains("SUSPENDED"))
    });
    assert!(s.contains("/suspended"), "{s}");
    pane.press("Enter");
    pane.press("q");
    pane.wait_gone();
}
