//! Hostile text, wherever it comes from: typed or pasted into every field
//! of the console, given on the command line, imported from a CSV file, or
//! written into the database by another tool (control characters, and
//! bytes that are not UTF-8 at all).
//!
//! What must hold: the screen buffer never holds a control character or an
//! invisible format character (bidi overrides and zero-width characters are
//! shown as `<U+202E>`), the bytes the console sends to a real terminal
//! hold no escape sequence but its own, the command line's output holds
//! none either, and over-long input gets a limit message.

mod common;
mod tui_fixture;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rusqlite::Connection;

use common::{BIN, Tmux, console, temp_db};
use supplydesk::domain::log::{Entry, LogKind};
use supplydesk::domain::text::MAX_COMBINING_MARKS;
use supplydesk::domain::time::to_db;
use supplydesk::i18n::Lang;
use supplydesk::store::Store;
use supplydesk::tui::popups::{OnYes, Popup};
use supplydesk::tui::{App, view};
use tui_fixture::{app_with, code, key, store};

/// The hostile strings, by name.
fn hostile() -> Vec<(&'static str, String)> {
    vec![
        ("csi", "红\x1b[31mRED\x1b[0m\x1b[2J\x1b[H\x1b[?1049l".into()),
        ("osc52", "剪贴板\x1b]52;c;ZWNobyBwd25lZA==\x07".into()),
        (
            "osc-title",
            "\x1b]0;pwned\x1b\\标题\x1b]8;;http://x/\x1b\\link".into(),
        ),
        ("dcs-apc", "\x1bP+q544e\x1b\\\x1b_apc\x1b\\".into()),
        ("c1", "\u{9b}31m\u{9d}52;c;AA\u{9c}\u{85}\u{90}c1".into()),
        ("nul-bel-bs-cr-del", "a\0b\x07c\x08d\re\x7ff".into()),
        (
            "bidi",
            "\u{202e}exe.txt\u{202c} \u{2066}a\u{2069}\u{2067}b\u{2068}c\u{202a}\u{202b}\u{202d}"
                .into(),
        ),
        (
            "zero-width",
            "零\u{200b}宽\u{200c}字\u{200d}符\u{feff}x\u{2060}y\u{180e}".into(),
        ),
        (
            "combining",
            format!("Z{}a{}", "\u{301}".repeat(300), "\u{36f}".repeat(50)),
        ),
        (
            "lines-tabs",
            "第一行\n第二行\r\n第三行\t制表\u{2028}\u{2029}".into(),
        ),
    ]
}

/// A character that must never be in a screen cell or in output meant for
/// a terminal: C0/C1 controls and DEL, and invisible format characters.
fn forbidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{061C}'
                | '\u{180E}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

fn combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

fn buffer_text(buf: &Buffer) -> String {
    let w = buf.area.width as usize;
    let mut out = String::new();
    for row in buf.content.chunks(w.max(1)) {
        for c in row {
            out.push_str(c.symbol());
        }
        out.push('\n');
    }
    out
}

/// Draws the console and checks every cell.
fn render(app: &mut App, w: u16, h: u16, what: &str) -> String {
    app.resize(w, h);
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    term.draw(|f| view::draw(f, app)).expect("draw");
    let buf = term.backend().buffer();
    for (i, cell) in buf.content.iter().enumerate() {
        let sym = cell.symbol();
        let (x, y) = (i % w as usize, i / w as usize);
        if let Some(c) = sym.chars().find(|c| forbidden(*c)) {
            panic!(
                "{what}: cell ({x},{y}) holds U+{:04X}; the screen:\n{}",
                c as u32,
                buffer_text(buf)
            );
        }
        let marks = sym.chars().filter(|c| combining(*c)).count();
        assert!(
            marks <= MAX_COMBINING_MARKS,
            "{what}: cell ({x},{y}) holds {marks} combining marks"
        );
    }
    buffer_text(buf)
}

fn has_input(app: &App) -> bool {
    matches!(
        app.popups.last(),
        Some(Popup::Form(_) | Popup::Command(_) | Popup::Lookup(_) | Popup::Filter(_))
    )
}

/// Closes every popup: Esc, and "discard" when asked; any other question
/// is answered no, so the walk never does something dangerous.
fn close_all(app: &mut App) {
    for _ in 0..12 {
        match app.popups.last() {
            None => return,
            Some(Popup::Confirm(c)) => {
                let discard = matches!(c.on_yes, OnYes::Discard);
                app.on_key(key(if discard { 'y' } else { 'n' }));
            }
            Some(_) => app.on_key(code(KeyCode::Esc)),
        }
    }
    assert!(app.popups.is_empty(), "popups would not close");
}

/// Every key that opens something with a text field, in every pane: each
/// field gets the hostile text pasted and typed, the form is submitted,
/// and the screen is checked after every step, at two sizes.
fn walk_every_field(app: &mut App, name: &str, text: &str) -> usize {
    let mut fields = 0;
    for pane in ['1', '2', '3', '4', '5'] {
        for opener in [
            'N', 'n', 'p', '/', ':', 'a', 'd', 'r', 'x', 's', 'e', 'i', 'f', 'c', 'm',
        ] {
            close_all(app);
            app.on_key(key(pane));
            app.on_key(key('g'));
            app.on_key(key(opener));
            let what = format!("{name}: pane {pane}, key {opener}");
            render(app, 80, 24, &what);
            if !has_input(app) {
                continue;
            }
            for field in 0..8 {
                app.on_paste(text);
                render(app, 80, 24, &format!("{what}, field {field}, pasted"));
                for c in text.chars().take(80) {
                    app.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
                }
                render(app, 160, 48, &format!("{what}, field {field}, typed"));
                fields += 1;
                if !matches!(app.popups.last(), Some(Popup::Form(_))) {
                    break;
                }
                app.on_key(code(KeyCode::Tab));
            }
            app.on_key(code(KeyCode::Enter));
            render(app, 80, 24, &format!("{what}, submitted"));
            render(app, 160, 48, &format!("{what}, submitted"));
        }
    }
    close_all(app);
    fields
}

/// Renders every pane, and the details of the first rows of each.
fn look_everywhere(app: &mut App, what: &str) -> String {
    let mut seen = String::new();
    close_all(app);
    seen.push_str(&render(app, 160, 48, &format!("{what}: all panes")));
    for pane in ['1', '2', '3', '4', '5'] {
        app.on_key(key(pane));
        app.on_key(key('g'));
        seen.push_str(&render(app, 80, 24, &format!("{what}: pane {pane}")));
        for row in 0..4 {
            app.on_key(code(KeyCode::Enter));
            seen.push_str(&render(
                app,
                80,
                24,
                &format!("{what}: pane {pane} row {row}"),
            ));
            seen.push_str(&render(
                app,
                160,
                48,
                &format!("{what}: pane {pane} row {row}"),
            ));
            if app.popups.is_empty() {
                // Enter opened a community's alerts in place: go into them.
                app.on_key(key('j'));
                continue;
            }
            close_all(app);
            app.on_key(key('j'));
        }
    }
    seen
}

// ---------------------------------------------------------------------------
// Another tool writes into the database, keeping the chain and the rules.

fn head(c: &Connection) -> (i64, String) {
    c.query_row(
        "SELECT seq, hash FROM duty_log ORDER BY seq DESC LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .expect("head")
}

/// Appends a properly chained entry, as a careful foreign tool would.
fn foreign_entry(
    c: &Connection,
    kind: LogKind,
    text: &str,
    officer: &str,
    subject: Option<&str>,
) -> i64 {
    let (seq, prev) = head(c);
    let e = Entry {
        seq: seq + 1,
        kind,
        text: text.into(),
        officer: officer.into(),
        os_user: "sqlite3".into(),
        ssh_client: None,
        recorded_at: to_db(chrono::Utc::now()),
        occurred_at: None,
        subject: subject.map(str::to_string),
        corrects: None,
        prev_hash: prev,
        payload: None,
    };
    c.execute(
        "INSERT INTO duty_log (seq, kind, text, officer, os_user, ssh_client, recorded_at,
            occurred_at, subject, corrects, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6, NULL, ?7, NULL, ?8, ?9)",
        rusqlite::params![
            e.seq,
            supplydesk::domain::Code::code(kind),
            e.text,
            e.officer,
            e.os_user,
            e.recorded_at,
            e.subject,
            e.prev_hash,
            e.hash()
        ],
    )
    .expect("a foreign entry");
    e.seq
}

/// Sets `table.column` of row 1 to `value` (an SQL expression), with the
/// log entry the rules want.
fn foreign_update(c: &Connection, table: &str, column: &str, value: &str, param: &str) {
    let subject = format!("{table}:1");
    let seq = foreign_entry(
        c,
        LogKind::Change,
        "外部工具修改 edited by another tool",
        "外部工具",
        Some(&subject),
    );
    c.execute(
        &format!("UPDATE {table} SET {column} = {value}, log_seq = ?2 WHERE id = 1"),
        rusqlite::params![param, seq],
    )
    .unwrap_or_else(|e| panic!("update {table}.{column}: {e}"));
}

/// Hostile text in the places the panes show: a community's name, an
/// alert's text, a delivery's items, a driver, a recipient's name, a note
/// and its officer.
fn poison(c: &Connection, text: &str) {
    foreign_update(c, "community", "name", "?1 || ' 社区'", text);
    foreign_update(c, "alert", "text", "?1", text);
    foreign_update(c, "delivery", "items", "?1", text);
    foreign_update(c, "vehicle", "driver", "?1", text);
    foreign_update(c, "recipient", "name", "?1", text);
    foreign_entry(
        c,
        LogKind::Note,
        &format!("外部记事 {text}"),
        &format!("官{text}"),
        None,
    );
}

#[test]
fn typed_and_pasted_into_every_field_the_screen_stays_clean() {
    let mut fields = 0;
    for (name, text) in hostile() {
        let mut app = app_with(store(), Lang::En, None, Some("王静"));
        fields += walk_every_field(&mut app, name, &text);
        // What was accepted is shown, cleaned, everywhere.
        look_everywhere(&mut app, name);
    }
    assert!(fields > 40, "only {fields} fields were reached");
    eprintln!(
        "hostile input: {} strings through {fields} field visits; no control or format character on screen",
        hostile().len()
    );
}

#[test]
fn saved_text_shows_bidi_and_zero_width_characters_visibly() {
    let mut app = app_with(store(), Lang::En, None, Some("王静"));
    app.run_typed("note 可见 \u{202e}exe.txt \u{200b}零宽 \u{2066}隔离\u{2069}");
    app.on_key(key('5'));
    app.on_key(key('g'));
    app.on_key(code(KeyCode::Enter));
    let s = render(&mut app, 120, 40, "the entry's details");
    for shown in ["<U+202E>", "<U+200B>", "<U+2066>", "<U+2069>"] {
        assert!(s.contains(shown), "{shown} is not shown:\n{s}");
    }
}

#[test]
fn another_tools_control_characters_never_reach_the_screen() {
    for (name, text) in hostile() {
        let s = store();
        poison(s.conn(), &text);
        assert!(
            s.verify_log().expect("verify").ok(),
            "the foreign tool broke the chain"
        );
        let mut app = app_with(s, Lang::En, None, Some("王静"));
        let seen = look_everywhere(&mut app, name);
        if name == "bidi" {
            assert!(seen.contains("<U+202E>"), "bidi override not shown");
        }
        if name == "nul-bel-bs-cr-del" {
            assert!(
                seen.contains("^@") && seen.contains("^G"),
                "controls not shown as ^X"
            );
        }
        // The plate lookup shows the poisoned driver.
        app.on_key(key('p'));
        for c in "渝F12345".chars() {
            app.on_key(key(c));
        }
        app.on_key(code(KeyCode::Enter));
        render(&mut app, 80, 24, &format!("{name}: lookup"));
        close_all(&mut app);
    }
}

#[test]
fn over_long_input_is_cut_with_a_limit_message() {
    let mut app = app_with(store(), Lang::En, None, Some("王静"));
    app.on_key(key('N'));
    let mega = "长".repeat(1 << 20);
    app.on_paste(&mega);
    let s = render(&mut app, 120, 40, "a 1 MB paste");
    assert!(s.contains("at most 4000"), "no limit message:\n{s}");
    // Typing past the limit says so too.
    app.on_key(key('x'));
    let s = render(&mut app, 120, 40, "typing past the limit");
    assert!(s.contains("at most 4000"), "{s}");
    close_all(&mut app);
    // The command line takes a long line and the store says the limit.
    app.run_typed(&format!("note {}", "长".repeat(5000)));
    let s = render(&mut app, 160, 48, "a long :note");
    assert!(
        s.contains("limit") || s.contains("at most"),
        "no limit message for :note:\n{s}"
    );
}

// ---------------------------------------------------------------------------
// Bytes that are not UTF-8.

#[test]
fn invalid_utf8_from_another_tool_does_not_stop_the_console_or_the_log() {
    let (_dir, db) = temp_db();
    let s = tui_fixture::store_file(&db);
    let c = s.conn();
    // A state row and a log entry whose text is not UTF-8.
    let seq = foreign_entry(
        c,
        LogKind::Change,
        "外部工具 invalid",
        "外部工具",
        Some("alert:1"),
    );
    c.execute(
        "UPDATE alert SET text = CAST(X'E4B8ADFFFE41' AS TEXT), log_seq = ?1 WHERE id = 1",
        [seq],
    )
    .expect("invalid text in a state row");
    let (seq, prev) = head(c);
    c.execute(
        "INSERT INTO duty_log (seq, kind, text, officer, os_user, recorded_at, prev_hash, hash)
         VALUES (?1, 'note', CAST(X'E6B58BC0AFFF0A1B5B326A' AS TEXT), '外部', 'sqlite3', ?2, ?3, ?4)",
        rusqlite::params![seq + 1, to_db(chrono::Utc::now()), prev, "0".repeat(64)],
    )
    .expect("invalid text in the log");
    let bad_seq = seq + 1;
    drop(s);

    // The command line reads the log and names the entry.
    let list = Command::new(BIN)
        .arg("--db")
        .arg(&db)
        .args(["--lang", "en", "log", "list", "--limit", "3"])
        .output()
        .expect("log list");
    assert!(list.status.success(), "log list: {list:?}");
    assert_clean_output(&list.stdout, "log list");
    let json = Command::new(BIN)
        .arg("--db")
        .arg(&db)
        .args(["--lang", "en", "log", "list", "--limit", "3", "--json"])
        .output()
        .expect("log list --json");
    assert!(json.status.success(), "{json:?}");
    serde_json::from_slice::<serde_json::Value>(&json.stdout).expect("valid JSON");
    let verify = Command::new(BIN)
        .arg("--db")
        .arg(&db)
        .args(["--lang", "en", "log", "verify"])
        .output()
        .expect("log verify");
    assert_eq!(verify.status.code(), Some(1), "{verify:?}");
    let said = String::from_utf8_lossy(&verify.stdout);
    assert!(
        said.contains(&format!("#{bad_seq}")),
        "does not name #{bad_seq}: {said}"
    );

    // The console draws every pane; an error may be flashed, never a crash.
    let store = Store::open(&db, supplydesk::store::OpenOptions::default()).expect("open");
    let store = store.with_clock(supplydesk::store::Clock::Fixed(tui_fixture::t0()));
    let mut app = app_with(store, Lang::En, None, Some("王静"));
    look_everywhere(&mut app, "invalid UTF-8");
}

// ---------------------------------------------------------------------------
// The command line and import.

/// No byte of `out` may start an escape sequence or be a control
/// character other than line breaks (and tabs, which `--json` never has).
fn assert_clean_output(out: &[u8], what: &str) {
    let s = String::from_utf8_lossy(out);
    for (i, c) in s.char_indices() {
        if c == '\n' {
            continue;
        }
        assert!(
            !forbidden(c),
            "{what}: U+{:04X} at byte {i} in:\n{}",
            c as u32,
            s.escape_debug()
        );
    }
}

fn cli(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(["--lang", "en", "--officer", "王静"])
        .args(args)
        .env_remove("SUPPLYDESK_DB")
        .env("NO_COLOR", "1")
        .output()
        .expect("run supplydesk")
}

#[test]
fn the_command_line_never_prints_what_it_was_fed() {
    let (_dir, db) = temp_db();
    assert!(cli(&db, &["demo"]).status.success());
    let mut stored = 0;
    for (name, text) in hostile() {
        // NUL cannot be in an argument; the rest can.
        let text = text.replace('\0', "");
        for args in [
            vec!["log", "add", text.as_str()],
            vec!["log", "add", "--kind", text.as_str(), "x"],
            vec!["log", "add", "--at", text.as_str(), "x"],
            vec!["pass", text.as_str()],
            vec!["log", "list", "--grep", text.as_str()],
            vec!["log", "list", "--since", text.as_str()],
            vec!["log", "list", "--community", text.as_str()],
            vec!["shift", "end", "--to", text.as_str()],
            vec!["import", text.as_str(), "x.csv"],
            vec!["export", text.as_str()],
        ] {
            let out = cli(&db, &args);
            assert_clean_output(&out.stdout, &format!("{name}: {args:?} stdout"));
            assert_clean_output(&out.stderr, &format!("{name}: {args:?} stderr"));
            if args[..2] == ["log", "add"] && out.status.success() {
                stored += 1;
            }
        }
        // Whatever was stored is listed and reported clean.
        for args in [
            vec!["log", "list", "--limit", "20"],
            vec!["handover", "--format", "md"],
            vec!["log", "verify"],
        ] {
            let out = cli(&db, &args);
            assert!(out.status.success(), "{name}: {args:?}: {out:?}");
            assert_clean_output(&out.stdout, &format!("{name}: {args:?}"));
        }
    }
    assert!(
        stored > 0,
        "no hostile note was stored; the listing test proves nothing"
    );
    // The longest argument Linux passes (128 KiB; a 1 MB one is refused
    // by the kernel before we run): one short sentence back.
    let mega = "长".repeat(40_000);
    for args in [
        vec!["log", "add", mega.as_str()],
        vec!["pass", mega.as_str()],
    ] {
        let out = cli(&db, &args);
        assert_eq!(out.status.code(), Some(2), "{:?}", &args[..1]);
        assert!(
            out.stderr.len() < 1000,
            "{} bytes of error",
            out.stderr.len()
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        if args[0] == "log" {
            assert!(err.contains("limit of 4000"), "{err}");
        }
    }
}

#[test]
fn an_imported_file_full_of_escapes_is_refused_or_shown_clean() {
    let (dir, db) = temp_db();
    assert!(cli(&db, &["init"]).status.success());
    let header = "社区名称,类型,常住人口,流动人口,户数,联系人,联系电话\n";
    let mut csv = header.to_string();
    for (i, (_, text)) in hostile().iter().enumerate() {
        let cell = text.replace('"', "\"\"");
        csv.push_str(&format!(
            "\"{cell}{i}\",社区,100,10,40,\"{cell}\",13800000000\n"
        ));
    }
    let file = dir.path().join("hostile.csv");
    std::fs::write(&file, csv).expect("write csv");
    for args in [
        vec![
            "import",
            "communities",
            file.to_str().expect("utf-8 path"),
            "--dry-run",
        ],
        vec!["import", "communities", file.to_str().expect("utf-8 path")],
        vec!["export", "communities"],
        vec!["export", "communities", "--format", "json"],
        vec!["log", "list"],
    ] {
        let out = cli(&db, &args);
        assert_clean_output(&out.stderr, &format!("{args:?} stderr"));
        if args[0] != "export" || args.len() > 2 {
            assert_clean_output(&out.stdout, &format!("{args:?} stdout"));
        }
    }
    // Whatever got in shows clean in the console too.
    let store = Store::open(&db, supplydesk::store::OpenOptions::default()).expect("open");
    let mut app = app_with(store, Lang::En, None, Some("王静"));
    look_everywhere(&mut app, "imported");
}

// ---------------------------------------------------------------------------
// The bytes on the wire: the console in a real terminal (tmux), its output
// captured raw with `pipe-pane`, on a database full of hostile text.

/// Escape sequences the console may send: CSI with these finals (cursor,
/// erase, SGR, scroll region) and the private modes it sets and resets.
fn check_escapes(raw: &[u8]) -> Result<usize, String> {
    const FINALS: &[u8] = b"HfABCDEFGJKmdXrST@PLMnt";
    const PRIVATE: &[&str] = &["25", "1049", "2004", "2026", "1", "12", "7"];
    let mut i = 0;
    let mut count = 0;
    while i < raw.len() {
        let b = raw[i];
        if b == 0x1b {
            let next = raw.get(i + 1).copied();
            if next != Some(b'[') {
                return Err(format!(
                    "ESC followed by {:?} at byte {i}: {:?}",
                    next.map(char::from),
                    String::from_utf8_lossy(&raw[i..raw.len().min(i + 24)])
                ));
            }
            let mut j = i + 2;
            while j < raw.len() && (0x30..=0x3f).contains(&raw[j]) {
                j += 1;
            }
            let params = String::from_utf8_lossy(&raw[i + 2..j]).to_string();
            let Some(&fin) = raw.get(j) else {
                return Err("a sequence cut short at the end".into());
            };
            if !FINALS.contains(&fin) && fin != b'h' && fin != b'l' {
                return Err(format!("CSI {params}{} at byte {i}", char::from(fin)));
            }
            if fin == b'h' || fin == b'l' {
                let Some(modes) = params.strip_prefix('?') else {
                    return Err(format!("CSI {params}{} (a public mode)", char::from(fin)));
                };
                if let Some(m) = modes.split(';').find(|m| !PRIVATE.contains(m)) {
                    return Err(format!("private mode {m} at byte {i}"));
                }
            }
            count += 1;
            i = j + 1;
            continue;
        }
        // Other C0 controls the console has no use for. CR and LF may
        // come from the shell around it.
        if b < 0x20 && !matches!(b, b'\r' | b'\n') {
            return Err(format!("control byte 0x{b:02X} at byte {i}"));
        }
        i += 1;
    }
    // C1 controls, as UTF-8.
    let s = String::from_utf8_lossy(raw);
    if let Some(c) = s.chars().find(|c| ('\u{80}'..='\u{9f}').contains(c)) {
        return Err(format!("C1 control U+{:04X}", c as u32));
    }
    if let Some(c) = s.chars().find(|c| forbidden(*c) && !c.is_ascii_control()) {
        return Err(format!("format character U+{:04X}", c as u32));
    }
    Ok(count)
}

#[test]
fn the_escape_scanner_catches_what_it_should() {
    assert!(check_escapes(b"\x1b[?2026h\x1b[1;1H\x1b[0;1mok\x1b[?2026l").is_ok());
    for bad in [
        &b"\x1b]52;c;AA\x07"[..],
        b"\x1bP+q\x1b\\",
        b"\x1b[?1000h",
        b"a\x07b",
        "x\u{9b}31m".as_bytes(),
        "\u{202e}".as_bytes(),
        b"\x1bc",
    ] {
        assert!(
            check_escapes(bad).is_err(),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn the_console_sends_a_terminal_only_its_own_sequences() {
    let Some(tmux) = Tmux::server("raw") else {
        return;
    };
    let (dir, db) = temp_db();
    {
        let s = tui_fixture::store_file(&db);
        for (_, text) in hostile() {
            poison(s.conn(), &text);
        }
        assert!(s.verify_log().expect("verify").ok());
    }
    let raw = dir.path().join("raw");
    let hold = dir.path().join("go");
    // The pane waits until the capture is on, then runs the console.
    let line = format!(
        "while [ ! -e '{}' ]; do sleep 0.05; done; exec {}",
        hold.display(),
        console(&db, "王静")
    );
    let t = tmux.start("desk", (160, 48), &line);
    t.tmux(&[
        "pipe-pane",
        "-O",
        "-t",
        "desk",
        &format!("cat >> '{}'", raw.display()),
    ]);
    std::fs::write(&hold, "").expect("go");
    t.wait_until("the first frame", |s| s.contains("王静"));
    let keys: &[&[&str]] = &[
        &["1"],
        &["Enter"],
        &["Escape"],
        &["2"],
        &["Enter"],
        &["j"],
        &["Enter"],
        &["Escape"],
        &["3"],
        &["Enter"],
        &["Escape"],
        &["4"],
        &["Enter"],
        &["Escape"],
        &["5"],
        &["Enter"],
        &["Escape"],
        &["?"],
        &["Escape"],
        &["p"],
    ];
    for k in keys {
        t.keys(k);
        std::thread::sleep(Duration::from_millis(120));
    }
    // A plate typed with escapes in it (tmux sends the bytes as typed).
    t.type_text("渝F12345\x1b]52;c;AA\x07");
    std::thread::sleep(Duration::from_millis(200));
    t.press("Enter");
    std::thread::sleep(Duration::from_millis(300));
    t.press("Escape");
    t.press("Escape");
    std::thread::sleep(Duration::from_millis(200));
    let s = t.wait_until("the log pane with the foreign notes", |s| {
        t.press("5");
        s.contains("外部记事")
    });
    assert!(s.contains("<U+202E>") || s.contains("^["), "{s}");
    t.press("q");
    std::thread::sleep(Duration::from_millis(500));
    let bytes = std::fs::read(&raw).expect("the captured output");
    assert!(bytes.len() > 10_000, "only {} bytes captured", bytes.len());
    match check_escapes(&bytes) {
        Ok(n) => eprintln!(
            "pty output: {} bytes, {n} escape sequences, all from the allow-list (CSI cursor/erase/SGR, private modes 25/1049/2004/2026); no OSC, DCS, APC, C1 or stray control byte",
            bytes.len()
        ),
        Err(e) => panic!("the console sent a sequence it should not: {e}"),
    }
}
