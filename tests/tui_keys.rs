//! The console's dispatcher, driven by key events without a terminal.

mod tui_fixture;

use chrono::Duration;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use supplydesk::domain::log::LogKind;
use supplydesk::i18n::Lang;
use supplydesk::store::{Clock, OpenOptions, Store};
use supplydesk::tui::app::Level;
use supplydesk::tui::keys::{Context, Key, Keymap, PaneId, TABLE};
use supplydesk::tui::popups::Popup;
use supplydesk::tui::{App, ReadOnly};
use tui_fixture::*;

fn head(app: &App) -> i64 {
    app.store.head().unwrap().seq
}

fn flash_text(app: &App) -> String {
    app.flash
        .as_ref()
        .map(|f| f.msg.en.clone())
        .unwrap_or_default()
}

fn enter() -> KeyEvent {
    code(KeyCode::Enter)
}

fn esc() -> KeyEvent {
    code(KeyCode::Esc)
}

/// The key events a table key stands for.
fn event(k: &Key) -> KeyEvent {
    KeyEvent::new(k.code, k.mods)
}

#[test]
fn tab_visits_every_pane_and_numbers_jump() {
    let mut a = app(Lang::En);
    screen(&mut a, 80, 24);
    let start = a.focus;
    let mut seen = vec![start];
    for _ in 0..5 {
        a.on_key(code(KeyCode::Tab));
        seen.push(a.focus);
    }
    assert_eq!(seen.last(), Some(&start), "five Tabs come back");
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 5, "{seen:?}");
    a.on_key(code(KeyCode::BackTab));
    assert_eq!(a.focus, PaneId::from_index(start.index() + 4));
    for (i, id) in PaneId::ALL.iter().enumerate() {
        a.on_key(key(char::from(b'1' + i as u8)));
        assert_eq!(a.focus, *id);
    }
}

#[test]
fn note_by_command_is_recorded_with_the_officer_and_says_its_number() {
    let mut a = app(Lang::En);
    let before = head(&a);
    a.on_key(key(':'));
    type_str(&mut a, "note 龙宝村报告菜价上涨");
    a.on_key(enter());
    let seq = head(&a);
    assert_eq!(seq, before + 1);
    let e = a.store.entry(seq).unwrap().unwrap();
    assert_eq!(e.text, "龙宝村报告菜价上涨");
    assert_eq!(e.officer, "王静");
    assert_eq!(e.kind, "note");
    assert_eq!(flash_text(&a), format!("note recorded #{seq}"));
    assert_eq!(a.flash.as_ref().map(|f| f.level), Some(Level::Info));
}

#[test]
fn note_form_with_a_happened_at_time() {
    let mut a = app(Lang::En);
    a.on_key(key('N'));
    assert!(matches!(a.popups.last(), Some(Popup::Form(_))));
    type_str(&mut a, "检查点换班");
    a.on_key(code(KeyCode::Tab));
    type_str(&mut a, "nonsense");
    a.on_key(enter());
    // Refused under the time field; nothing written, the text kept.
    let Some(Popup::Form(f)) = a.popups.last() else {
        panic!("the form closed")
    };
    assert!(
        f.fields[1]
            .error
            .as_ref()
            .is_some_and(|e| e.en.contains("nonsense")),
        "{:?}",
        f.fields[1].error
    );
    assert_eq!(f.focus, 1, "the refused field has the cursor");
    assert_eq!(f.value(0), "检查点换班");
    let before = head(&a);
    for _ in 0.."nonsense".len() {
        a.on_key(code(KeyCode::Backspace));
    }
    type_str(&mut a, "08:30");
    a.on_key(enter());
    assert!(a.popups.is_empty());
    assert_eq!(head(&a), before + 1);
    let e = a.store.entry(before + 1).unwrap().unwrap();
    assert_eq!(e.occurred_at.as_deref(), Some("2026-11-29T00:30:00.000Z"));
}

#[test]
fn a_refused_note_never_says_recorded() {
    let mut a = app(Lang::En);
    let before = head(&a);
    a.run_typed(&format!("note {}", "长".repeat(5000)));
    assert_eq!(head(&a), before);
    let f = a.flash.as_ref().unwrap();
    assert_eq!(f.level, Level::Error);
    assert!(!f.msg.en.contains("recorded"), "{}", f.msg.en);
    assert!(f.msg.en.contains("limit"), "{}", f.msg.en);
}

#[test]
fn unknown_commands_get_one_sentence() {
    let mut a = app(Lang::Zh);
    a.run_typed(":frobnicate now");
    let f = a.flash.as_ref().unwrap();
    assert_eq!(f.level, Level::Error);
    assert!(f.msg.zh.contains(":frobnicate") && f.msg.en.contains(":frobnicate"));
    assert_eq!(
        f.msg.en.matches(". ").count(),
        0,
        "one sentence: {}",
        f.msg.en
    );
}

#[test]
fn command_history_and_completion() {
    let mut a = app(Lang::En);
    a.run_typed("q"); // not through the line: no history
    a.quit = false;
    for c in ["note one", "note two"] {
        a.on_key(key(':'));
        type_str(&mut a, c);
        a.on_key(enter());
    }
    a.on_key(key(':'));
    a.on_key(code(KeyCode::Up));
    let line = |a: &App| match a.popups.last() {
        Some(Popup::Command(c)) => c.input.value().to_string(),
        _ => panic!("no command line"),
    };
    assert_eq!(line(&a), "note two");
    a.on_key(code(KeyCode::Up));
    assert_eq!(line(&a), "note one");
    a.on_key(code(KeyCode::Down));
    a.on_key(code(KeyCode::Down));
    assert_eq!(line(&a), "");
    type_str(&mut a, "ale");
    a.on_key(code(KeyCode::Tab));
    assert_eq!(line(&a), "alert");
    type_str(&mut a, " 螺");
    a.on_key(code(KeyCode::Tab));
    assert_eq!(line(&a), "alert 螺蛳包社区");
    type_str(&mut a, " 药");
    a.on_key(code(KeyCode::Tab));
    assert_eq!(line(&a), "alert 螺蛳包社区 药品");
    a.on_key(esc());
    a.on_key(key(':'));
    type_str(&mut a, "pass 渝f1234");
    a.on_key(code(KeyCode::Tab));
    assert_eq!(line(&a), "pass 渝F12345", "a near plate completes");
}

#[test]
fn alert_by_command() {
    let mut a = app(Lang::En);
    let before = head(&a);
    a.run_typed(":alert 学堂湾 奶粉 紧急 婴幼儿奶粉断货");
    assert_eq!(head(&a), before + 1, "{}", flash_text(&a));
    assert!(flash_text(&a).contains("raised"));
    a.run_typed(":alert 学堂湾 bread high");
    assert_eq!(head(&a), before + 1);
    assert!(
        flash_text(&a).contains("\"bread\" is not an item class"),
        "{}",
        flash_text(&a)
    );
    a.run_typed(":alert 学堂湾");
    assert!(flash_text(&a).starts_with("Usage"));
}

#[test]
fn activation_by_command_and_by_form() {
    let mut a = app(Lang::En);
    a.run_typed(":activate 联控指挥部〔2022〕61号");
    assert!(
        flash_text(&a).contains("already activated"),
        "{}",
        flash_text(&a)
    );
    let before = head(&a);
    a.on_key(key('1'));
    a.on_key(key('n'));
    let Some(Popup::Form(f)) = a.popups.last() else {
        panic!("no directive form")
    };
    assert!(
        f.intro
            .as_ref()
            .is_some_and(|m| m.en.contains("Now: activated"))
    );
    type_str(&mut a, "联控指挥部〔2022〕75号");
    a.on_key(enter());
    // Deactivating asks first; "no" writes nothing and keeps the form.
    assert!(matches!(a.popups.last(), Some(Popup::Confirm(_))));
    a.on_key(key('n'));
    assert_eq!(head(&a), before);
    assert!(matches!(a.popups.last(), Some(Popup::Form(_))));
    a.on_key(enter());
    a.on_key(key('y'));
    assert!(a.popups.is_empty());
    assert_eq!(head(&a), before + 1, "{}", flash_text(&a));
    assert_eq!(
        a.activation.as_ref().map(|r| r.directive.as_str()),
        Some("联控指挥部〔2022〕75号")
    );
}

#[test]
fn marking_a_post_manned() {
    let mut a = app(Lang::En);
    screen(&mut a, 80, 24);
    a.on_key(key('1'));
    // The selection starts on the first post, 组长 (manned); 副组长 is not.
    a.on_key(key('j'));
    let before = head(&a);
    a.on_key(key('m'));
    assert_eq!(head(&a), before + 1, "{}", flash_text(&a));
    let post = a
        .store
        .posts()
        .unwrap()
        .into_iter()
        .find(|p| p.name == "副组长")
        .unwrap();
    assert!(post.manned);
    assert_eq!(post.manned_by.as_deref(), Some("王静"));
}

#[test]
fn lookup_from_anywhere_and_from_the_passes_pane() {
    let mut a = app(Lang::En);
    screen(&mut a, 80, 24);
    a.on_key(key('p'));
    type_str(&mut a, "渝f 12345");
    a.on_key(enter());
    let Some(Popup::Lookup(l)) = a.popups.last() else {
        panic!()
    };
    assert!(l.verdict.as_ref().is_some_and(|v| v.lets_through()));
    a.on_key(esc());
    a.on_key(key('3'));
    a.on_key(key('p'));
    let Some(Popup::Lookup(l)) = a.popups.last() else {
        panic!()
    };
    assert_eq!(
        l.verdict.as_ref().map(|v| v.plate.as_str()),
        Some("渝F56789"),
        "the selected row"
    );
    a.on_key(esc());
    // No exact match: ↓ picks a near plate, Enter looks it up.
    a.run_typed("pass 渝F12346");
    a.on_key(code(KeyCode::Down));
    a.on_key(enter());
    let Some(Popup::Lookup(l)) = a.popups.last() else {
        panic!()
    };
    assert_eq!(l.input.value(), "渝F12345");
    assert!(l.verdict.as_ref().is_some_and(|v| v.lets_through()));
}

#[test]
fn quitting_asks_only_when_a_form_holds_input() {
    let mut a = app(Lang::En);
    a.on_key(key('q'));
    assert!(a.quit);

    let mut a = app(Lang::En);
    a.on_key(ctrl('c'));
    assert!(a.quit, "nothing unsaved: Ctrl-C quits at once");

    let mut a = app(Lang::En);
    a.on_key(key('N'));
    type_str(&mut a, "half a note");
    a.on_key(key('q'));
    assert!(!a.quit, "q types into the form");
    a.on_key(ctrl('c'));
    assert!(!a.quit);
    assert!(matches!(a.popups.last(), Some(Popup::Confirm(_))));
    a.on_key(key('n'));
    assert!(
        matches!(a.popups.last(), Some(Popup::Form(_))),
        "back to the form"
    );
    a.on_key(ctrl('c'));
    a.on_key(key('y'));
    assert!(a.quit);

    // Esc on a filled form asks too, and keeps the text on "no".
    let mut a = app(Lang::En);
    a.on_key(key('N'));
    type_str(&mut a, "keep me");
    a.on_key(esc());
    a.on_key(key('n'));
    let Some(Popup::Form(f)) = a.popups.last() else {
        panic!()
    };
    assert_eq!(f.value(0), "keep me");
}

#[test]
fn the_officer_is_asked_for_before_anything_is_recorded() {
    let mut a = app_with(store(), Lang::En, None, None);
    assert!(
        matches!(a.popups.last(), Some(Popup::Form(_))),
        "asked at start"
    );
    a.on_key(esc());
    assert!(a.popups.is_empty());
    assert_eq!(a.officer, None);
    let before = head(&a);
    a.run_typed("note 来电：龙宝村缺奶粉");
    assert_eq!(head(&a), before, "nothing recorded without an officer");
    type_str(&mut a, "陈晨");
    a.on_key(enter());
    assert_eq!(a.officer.as_deref(), Some("陈晨"));
    assert_eq!(head(&a), before + 1, "the waiting command ran");
    assert_eq!(a.store.entry(before + 1).unwrap().unwrap().officer, "陈晨");
}

/// Every key of the table, in every context reachable without a popup and
/// inside every popup a read-only session can open, and every typed
/// command: nothing writes, and each changing one says why.
#[test]
fn read_only_leaves_no_changing_action_reachable() {
    for why in [ReadOnly::Asked, ReadOnly::NotWritable] {
        let mut a = app_with(store(), Lang::En, Some(why), Some("王静"));
        screen(&mut a, 160, 48);
        let before = head(&a);
        let (map, _) = Keymap::new(&Default::default());
        for pane in PaneId::ALL {
            for (i, b) in TABLE.iter().enumerate() {
                for k in map.keys_of(i) {
                    a.popups.clear();
                    a.flash = None;
                    a.quit = false;
                    a.on_key(key(char::from(b'1' + pane.index() as u8)));
                    a.on_key(event(k));
                    let active = [a.panes.get(pane).contexts(), &[Context::Global]].concat();
                    if b.changes && active.contains(&b.ctx) {
                        assert!(
                            a.popups.iter().all(|p| !matches!(p, Popup::Form(_))),
                            "{} opened a form in read-only mode",
                            b.name
                        );
                        let f = a
                            .flash
                            .as_ref()
                            .unwrap_or_else(|| panic!("{}: no flash", b.name));
                        assert_eq!(f.level, Level::Warn);
                        assert!(f.msg.en.contains("read-only"), "{}: {}", b.name, f.msg.en);
                    }
                    // Whatever opened: press every key inside it too.
                    if !a.popups.is_empty() {
                        for (j, _) in TABLE.iter().enumerate() {
                            for k2 in map.keys_of(j) {
                                if a.popups.is_empty() {
                                    break;
                                }
                                a.on_key(event(k2));
                            }
                        }
                    }
                    assert_eq!(
                        head(&a),
                        before,
                        "{} ({:?}) wrote in read-only mode",
                        b.name,
                        k
                    );
                }
            }
        }
        for b in TABLE.iter().filter(|b| !b.words.is_empty()) {
            a.popups.clear();
            a.flash = None;
            a.run_typed(&format!(":{} 螺蛳包社区 药品 紧急 x", b.words[0]));
            if b.changes {
                let f = a
                    .flash
                    .as_ref()
                    .unwrap_or_else(|| panic!(":{}: no flash", b.words[0]));
                assert!(
                    f.msg.en.contains("read-only"),
                    ":{}: {}",
                    b.words[0],
                    f.msg.en
                );
                assert!(a.popups.iter().all(|p| !matches!(p, Popup::Form(_))));
            }
            assert_eq!(head(&a), before, ":{} wrote in read-only mode", b.words[0]);
        }
        // The footer offers no changing key.
        a.popups.clear();
        for pane in PaneId::ALL {
            a.on_key(key(char::from(b'1' + pane.index() as u8)));
            let hints = supplydesk::tui::view::hints(&a);
            for (k, _) in &hints {
                assert!(
                    !["n", "N", "m"].contains(&k.as_str()),
                    "footer offers {k} in read-only mode"
                );
            }
        }
    }
}

#[test]
fn a_database_this_user_cannot_write_opens_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.db");
    drop(store_file(&path));
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    if std::fs::OpenOptions::new().append(true).open(&path).is_ok() {
        return; // running as root: permissions do not stop us
    }
    let (_, why) = supplydesk::tui::open_store(&path, false).unwrap();
    assert_eq!(why, Some(ReadOnly::NotWritable));
}

#[test]
fn another_session_s_entry_appears_and_the_selection_stays() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.db");
    let s = store_file(&path);
    let mut a = app_with(s, Lang::En, None, Some("王静"));
    screen(&mut a, 80, 24);
    a.on_key(key('5'));
    a.on_key(key('j'));
    a.on_key(key('j'));
    a.on_key(enter());
    let Some(Popup::Details { details, .. }) = a.popups.pop() else {
        panic!()
    };
    let selected = details.title.clone();

    let mut other = Store::open(&path, OpenOptions::default())
        .unwrap()
        .with_clock(Clock::Fixed(t0()));
    let seq = other
        .add_entry(
            &actor(),
            LogKind::Call,
            "另一个会话：学堂湾社区报告停水",
            None,
            None,
        )
        .unwrap();
    a.poll_data();
    let text = screen(&mut a, 80, 24);
    assert!(text.contains("另一个会话"), "{text}");
    a.on_key(enter());
    let Some(Popup::Details { details, .. }) = a.popups.pop() else {
        panic!()
    };
    assert_eq!(details.title, selected, "the same entry stays selected");
    assert!(seq > 0);
}

#[test]
fn the_log_pane_holds_a_window_not_the_table() {
    let mut s = store();
    for i in 0..600 {
        s.add_entry(&actor(), LogKind::Note, &format!("第 {i} 条"), None, None)
            .unwrap();
    }
    let total = s.log_count().unwrap() as usize;
    let mut a = app_with(s, Lang::En, None, Some("王静"));
    screen(&mut a, 80, 24);
    a.on_key(key('5'));
    let (held, all) = a.panes.get(PaneId::Log).held();
    assert_eq!(all, total);
    assert!(held < 100, "held {held} of {all}");
    a.on_key(key('G'));
    let text = screen(&mut a, 80, 24);
    assert!(text.lines().any(|l| l.starts_with("┃▶1 ")), "{text}");
    let (held, _) = a.panes.get(PaneId::Log).held();
    assert!(held < 100);
    // Filtered, far down, and back up.
    a.run_typed(":filter 条");
    a.on_key(key('G'));
    let text = screen(&mut a, 80, 24);
    assert!(text.contains("第 0 条"), "{text}");
    a.on_key(key('g'));
    let text = screen(&mut a, 80, 24);
    assert!(text.contains("第 599 条"), "{text}");
    a.on_key(esc());
    assert_eq!(a.panes.get(PaneId::Log).filter(), None);
}

#[test]
fn filtering_the_passes_pane() {
    let mut a = app(Lang::En);
    screen(&mut a, 80, 24);
    a.on_key(key('3'));
    a.on_key(key('/'));
    type_str(&mut a, "F4");
    let text = screen(&mut a, 80, 24);
    assert!(
        text.contains("渝F45678") && !text.contains("渝F12345"),
        "{text}"
    );
    a.on_key(esc());
    let text = screen(&mut a, 80, 24);
    assert!(text.contains("渝F12345"), "{text}");
}

#[test]
fn the_clock_minute_and_a_flash_timeout_ask_for_a_frame() {
    let mut a = app(Lang::En);
    screen(&mut a, 80, 24);
    a.dirty = false;
    let now = std::time::Instant::now();
    a.tick(now);
    assert!(!a.dirty, "nothing changed");
    a.store.set_clock(Clock::Fixed(t0() + Duration::minutes(1)));
    a.tick(now);
    assert!(a.dirty, "a new minute");
    a.dirty = false;
    a.poll_data();
    assert!(!a.dirty, "no other session wrote");
    a.run_typed("note x");
    a.dirty = false;
    a.tick(now + std::time::Duration::from_secs(60));
    assert!(a.dirty && a.flash.is_none(), "the flash timed out");
}

#[test]
fn help_marks_changing_actions_unavailable_in_read_only_mode() {
    let (map, _) = Keymap::new(&Default::default());
    let theme = supplydesk::tui::theme::Theme { mono: true };
    let text = |ro| -> String {
        supplydesk::tui::popups::help::lines(&map, Lang::En, &theme, ro)
            .iter()
            .map(|l| l.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let ro = text(true);
    for b in TABLE.iter().filter(|b| b.changes) {
        let line = ro
            .lines()
            .find(|l| l.contains(b.en))
            .unwrap_or_else(|| panic!("{} not in help", b.name));
        assert!(line.contains("unavailable"), "{line}");
    }
    assert!(!text(false).contains("unavailable"));
}

#[test]
fn the_filter_of_the_queue_pane_is_refused_with_a_reason() {
    let mut a = app(Lang::En);
    a.on_key(key('4'));
    a.on_key(key('/'));
    assert!(a.popups.is_empty());
    assert!(flash_text(&a).contains("cannot be filtered"));
}

fn fill_form(a: &mut App, values: &[&str]) {
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            a.on_key(code(KeyCode::Tab));
        }
        type_str(a, v);
    }
}

#[test]
fn issuing_a_pass_from_the_passes_pane_asks_before_a_second_one() {
    let mut a = app(Lang::En);
    screen(&mut a, 80, 24);
    a.on_key(key('3'));
    let before = head(&a);
    a.on_key(key('n'));
    fill_form(
        &mut a,
        &[
            "渝f·99999",
            "+7d",
            "经发办",
            "",
            "双河口粮油配送中心",
            "周平",
            "13600001234",
        ],
    );
    a.on_key(enter());
    assert!(a.popups.is_empty(), "{:?}", flash_text(&a));
    assert_eq!(head(&a), before + 2, "the new vehicle and its pass");
    assert!(flash_text(&a).contains("issued"), "{}", flash_text(&a));
    let v = a.store.vehicle_by_plate("渝F99999").unwrap().unwrap();
    assert_eq!(v.driver.as_deref(), Some("周平"));

    // The same vehicle and route again: asked first; "no" writes nothing.
    let before = head(&a);
    a.on_key(key('n'));
    fill_form(&mut a, &["渝F99999", "+3d", "交委办"]);
    a.on_key(enter());
    assert!(matches!(a.popups.last(), Some(Popup::Confirm(_))));
    a.on_key(key('n'));
    assert!(matches!(a.popups.last(), Some(Popup::Form(_))));
    assert_eq!(head(&a), before);
    a.on_key(enter());
    a.on_key(key('y'));
    assert!(a.popups.is_empty());
    assert_eq!(head(&a), before + 1);
}

#[test]
fn queueing_a_delivery_from_the_queue_pane() {
    let mut a = app(Lang::En);
    screen(&mut a, 80, 24);
    a.on_key(key('4'));
    let before = head(&a);
    a.on_key(key('n'));
    fill_form(&mut a, &["社区", "口罩 1 盒", "normal", "14:00"]);
    a.on_key(enter());
    let Some(Popup::Form(f)) = a.popups.last() else {
        panic!("the form closed")
    };
    let e = f.fields[0].error.as_ref();
    assert!(
        e.is_some_and(|e| e.en.contains("Several recipients")),
        "{:?}",
        f.fields[0].error
    );
    assert!(
        !e.is_some_and(|e| e.en.contains("欧阳秀英")),
        "names stay masked"
    );
    let mut f = match a.popups.pop() {
        Some(Popup::Form(f)) => f,
        _ => panic!(),
    };
    f.fields[0].input = tui_input::Input::new("欧阳".into());
    f.focus = 0;
    a.popups.push(Popup::Form(f));
    a.on_key(enter());
    assert!(a.popups.is_empty(), "{}", flash_text(&a));
    assert_eq!(head(&a), before + 1);
    assert!(flash_text(&a).contains("queued"));
    let text = screen(&mut a, 80, 24);
    assert!(text.contains("口罩 1 盒"), "{text}");
    assert!(text.contains("11-29 14:00"), "{text}");
}

#[test]
fn the_handover_report_can_be_read_from_the_command_line() {
    let mut a = app(Lang::Zh);
    let before = head(&a);
    a.run_typed(":handover");
    let Some(Popup::Text { text, .. }) = a.popups.last() else {
        panic!("{}", flash_text(&a))
    };
    assert!(text.contains("双河口街道"), "{text}");
    for _ in 0..10_000 {
        a.on_key(key('j'));
    }
    a.on_key(key('k'));
    let Some(Popup::Text { scroll, text, .. }) = a.popups.last() else {
        panic!()
    };
    assert_eq!(*scroll as usize, text.lines().count() - 1);
    assert_eq!(head(&a), before, "reading writes nothing");
}
