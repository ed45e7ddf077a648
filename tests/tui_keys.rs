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
    assert_eq!(flash_en(&a), format!("note recorded #{seq}"));
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
    assert_eq!(head(&a), before + 1, "{}", flash_en(&a));
    assert!(flash_en(&a).contains("raised"));
    a.run_typed(":alert 学堂湾 bread high");
    assert_eq!(head(&a), before + 1);
    assert!(
        flash_en(&a).contains("\"bread\" is not an item class"),
        "{}",
        flash_en(&a)
    );
    a.run_typed(":alert 学堂湾");
    assert!(flash_en(&a).starts_with("Usage"));
}

#[test]
fn activation_by_command_and_by_form() {
    let mut a = app(Lang::En);
    a.run_typed(":activate 联控指挥部〔2022〕61号");
    assert!(
        flash_en(&a).contains("already activated"),
        "{}",
        flash_en(&a)
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
    assert_eq!(head(&a), before + 1, "{}", flash_en(&a));
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
    assert!(
        matches!(a.popups.last(), Some(Popup::Confirm(_))),
        "marking asks first"
    );
    assert_eq!(head(&a), before, "nothing before yes");
    a.on_key(key('y'));
    assert_eq!(head(&a), before + 1, "{}", flash_en(&a));
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
        // The footer offers no changing key, on any pane.
        a.popups.clear();
        for pane in PaneId::ALL {
            a.on_key(key(char::from(b'1' + pane.index() as u8)));
            let active = [a.panes.get(pane).contexts(), &[Context::Global]].concat();
            let changing: Vec<String> = TABLE
                .iter()
                .enumerate()
                .filter(|(_, b)| b.changes && active.contains(&b.ctx))
                .flat_map(|(i, _)| map.keys_of(i).iter().map(Key::label))
                .collect();
            assert!(!changing.is_empty());
            let hints = supplydesk::tui::view::hints(&a);
            for (k, _) in &hints {
                assert!(
                    !changing.contains(k),
                    "footer offers {k} in read-only mode on {pane:?}"
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

/// Issue 20: the selection away from the newest entry, another session's
/// entry does not move the rows being read; a marker counts it, and `g`
/// goes to it.
#[test]
fn another_session_s_entry_is_counted_above_and_the_selection_stays() {
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
    let before = screen(&mut a, 80, 24);

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
    a.tick(std::time::Instant::now());
    let text = screen(&mut a, 80, 24);
    assert!(!text.contains("另一个会话"), "{text}");
    assert!(text.contains("↑ 1 new"), "{text}");
    let rows = |s: &str| {
        s.lines()
            .skip(4)
            .take(14)
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        rows(&text),
        rows(&before),
        "the rows read stay where they were"
    );
    a.on_key(enter());
    let Some(Popup::Details { details, .. }) = a.popups.pop() else {
        panic!()
    };
    assert_eq!(details.title, selected, "the same entry stays selected");
    a.on_key(key('g'));
    let text = screen(&mut a, 80, 24);
    assert!(text.contains("另一个会话"), "{text}");
    assert!(!text.contains("↑ 1 new"), "{text}");
    a.on_key(enter());
    let Some(Popup::Details { details, .. }) = a.popups.pop() else {
        panic!()
    };
    assert!(
        details.title.contains(&seq.to_string()),
        "{}",
        details.title
    );
}

/// Issue 20: on the newest entry, the selection follows what arrives.
#[test]
fn on_the_newest_entry_the_log_follows_what_arrives() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.db");
    let s = store_file(&path);
    let mut a = app_with(s, Lang::Zh, None, Some("王静"));
    screen(&mut a, 80, 24);
    a.on_key(key('5'));
    let mut other = Store::open(&path, OpenOptions::default())
        .unwrap()
        .with_clock(Clock::Fixed(t0()));
    let mut last = 0;
    for i in 0..25 {
        last = other
            .add_entry(
                &actor(),
                LogKind::Note,
                &format!("跟随测试第{i}条"),
                None,
                None,
            )
            .unwrap();
    }
    a.poll_data();
    a.tick(std::time::Instant::now());
    let text = screen(&mut a, 80, 24);
    assert!(text.contains("跟随测试第24条"), "{text}");
    assert!(!text.contains("条新记录"), "{text}");
    a.on_key(enter());
    let Some(Popup::Details { details, .. }) = a.popups.pop() else {
        panic!()
    };
    assert!(
        details.title.contains(&last.to_string()),
        "{}",
        details.title
    );
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
    let theme = supplydesk::tui::theme::Theme {
        mono: true,
        ..Default::default()
    };
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
    assert!(flash_en(&a).contains("cannot be filtered"));
}

/// Types `values` into the form's fields in turn. The focus moves on
/// directly: on a name field with matches shown, Tab marks a match
/// instead (issue 13).
fn fill_form(a: &mut App, values: &[&str]) {
    for (i, v) in values.iter().enumerate() {
        if i > 0
            && let Some(Popup::Form(f)) = a.popups.last_mut()
        {
            f.next();
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
    // Issuing asks first, with the plate and the window.
    let Some(Popup::Confirm(c)) = a.popups.last() else {
        panic!("issuing a pass asks first: {:?}", flash_en(&a))
    };
    assert!(
        c.question.en.contains("Issue a pass for 渝f·99999"),
        "{}",
        c.question.en
    );
    assert_eq!(head(&a), before, "nothing before yes");
    a.on_key(key('y'));
    assert!(a.popups.is_empty(), "{:?}", flash_en(&a));
    assert_eq!(head(&a), before + 2, "the new vehicle and its pass");
    assert!(flash_en(&a).contains("issued"), "{}", flash_en(&a));
    let v = a.store.vehicle_by_plate("渝F99999").unwrap().unwrap();
    assert_eq!(v.driver.as_deref(), Some("周平"));

    // The same vehicle and route again: asked first; "no" writes nothing.
    let before = head(&a);
    a.on_key(key('n'));
    fill_form(&mut a, &["渝F99999", "+3d", "交委办"]);
    a.on_key(enter());
    a.on_key(key('y'));
    let Some(Popup::Confirm(c)) = a.popups.last() else {
        panic!("a second pass for the route asks again")
    };
    assert!(c.question.en.contains("anyway"), "{}", c.question.en);
    a.on_key(key('n'));
    assert!(matches!(a.popups.last(), Some(Popup::Form(_))));
    assert_eq!(head(&a), before);
    a.on_key(enter());
    a.on_key(key('y'));
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
        e.is_some_and(|e| e.en.contains("fits several recipients")),
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
    assert!(a.popups.is_empty(), "{}", flash_en(&a));
    assert_eq!(head(&a), before + 1);
    assert!(flash_en(&a).contains("queued"));
    let text = screen(&mut a, 80, 24);
    assert!(text.contains("口罩 1 盒"), "{text}");
    assert!(text.contains("11-29 14:00"), "{text}");
}

#[test]
fn the_handover_view_opens_by_key_and_command_and_reads_only() {
    let mut a = app(Lang::Zh);
    let before = head(&a);
    a.run_typed(":handover");
    let Some(Popup::Handover(v)) = a.popups.last() else {
        panic!("{}", flash_en(&a))
    };
    assert!(v.text.contains("双河口街道"), "{}", v.text);
    assert!(v.report.shift.is_none(), "no shift in this fixture");
    a.on_key(key('t'));
    for _ in 0..10_000 {
        a.on_key(code(KeyCode::PageDown));
    }
    let Some(Popup::Handover(v)) = a.popups.last() else {
        panic!()
    };
    assert!(v.show_text);
    assert_eq!(
        v.scroll as usize,
        v.text.lines().count(),
        "scrolls no further than the text"
    );
    a.on_key(esc());
    assert!(a.popups.is_empty());
    a.on_key(key('H'));
    assert!(matches!(a.popups.last(), Some(Popup::Handover(_))));
    a.run_typed(":handover 99");
    assert!(flash_en(&a).contains("no shift #99"), "{}", flash_en(&a));
    a.popups.clear();
    a.run_typed(":handover yesterday");
    assert!(
        flash_en(&a).contains("not a shift number"),
        "{}",
        flash_en(&a)
    );
    assert_eq!(head(&a), before, "reading writes nothing");
}

fn handover_item(a: &App, shift: i64, pos: i64) -> supplydesk::store::shifts::HandoverItem {
    a.store
        .handover_items(shift)
        .unwrap()
        .into_iter()
        .find(|i| i.pos == pos)
        .unwrap()
}

/// 王静 starts the console and is shown the handover addressed to her;
/// she acknowledges the selected item with `a`, which moves on to the
/// next, and that one with Enter: each is recorded under her name, the
/// first signs for the handover (the badge goes) and starts her shift.
#[test]
fn the_incoming_officer_acknowledges_items_one_by_one() {
    let mut a = app_with(handed_over_store(), Lang::En, None, Some("王静"));
    assert_eq!(a.handover.pending.as_ref().map(|p| p.id), Some(2));
    assert!(screen(&mut a, 120, 40).contains("HANDOVER PENDING → 王静"));
    // Shown on starting, without a key.
    let Some(Popup::Handover(v)) = a.popups.last() else {
        panic!("{}", flash_en(&a))
    };
    assert_eq!(a.popups.len(), 1);
    assert_eq!(v.items.len(), 4);
    assert_eq!(v.sel, 0);
    let before = head(&a);
    a.on_key(key('a'));
    assert_eq!(
        a.flash.as_ref().map(|f| f.level),
        Some(Level::Info),
        "{}",
        flash_en(&a)
    );
    let f = flash_en(&a);
    assert!(
        f.contains("carry-over item 1 of shift #2 acknowledged, 3 left"),
        "{f}"
    );
    assert!(f.contains("your shift #3 has started"), "{f}");
    let i = handover_item(&a, 2, 1);
    assert_eq!(i.acknowledged_by.as_deref(), Some("王静"));
    assert!(head(&a) > before);
    assert!(a.handover.pending.is_none(), "the badge clears at once");
    assert_eq!(
        a.handover.on_duty.as_ref().map(|s| s.officer.as_str()),
        Some("王静")
    );
    let text = screen(&mut a, 120, 40);
    assert!(!text.contains("HANDOVER PENDING"), "{text}");
    assert!(text.contains("3 ITEMS NOT ACKNOWLEDGED"), "{text}");
    assert!(text.contains("✔  1."), "{text}");

    // The selection moved on to the next open item.
    let Some(Popup::Handover(v)) = a.popups.last() else {
        panic!()
    };
    assert_eq!(v.sel, 1);
    // The same item again: refused, nothing written.
    let before = head(&a);
    a.run_typed(":ack 1");
    assert_eq!(a.flash.as_ref().map(|f| f.level), Some(Level::Error));
    assert!(
        flash_en(&a).contains("already acknowledged"),
        "{}",
        flash_en(&a)
    );
    assert_eq!(head(&a), before);

    a.on_key(enter());
    assert!(
        flash_en(&a).contains("item 2 of shift #2 acknowledged, 2 left"),
        "{}",
        flash_en(&a)
    );
    assert_eq!(
        handover_item(&a, 2, 2).acknowledged_by.as_deref(),
        Some("王静")
    );
    assert!(handover_item(&a, 2, 3).acknowledged_at.is_none());
    // `:ack N` in the view names the item.
    a.run_typed(":ack 4");
    assert!(
        flash_en(&a).contains("item 4 of shift #2 acknowledged, 1 left"),
        "{}",
        flash_en(&a)
    );
    assert!(
        matches!(a.popups.last(), Some(Popup::Handover(_))),
        "the view stays open"
    );
}

/// An officer who types their name at the start is shown the handover
/// waiting for them, as one named on the command line is.
#[test]
fn the_handover_is_shown_once_the_incoming_officer_says_who_they_are() {
    let mut a = app_with(handed_over_store(), Lang::En, None, None);
    assert!(matches!(a.popups.last(), Some(Popup::Form(_))));
    type_str(&mut a, "王静");
    a.on_key(enter());
    let Some(Popup::Handover(v)) = a.popups.last() else {
        panic!("{}", flash_en(&a))
    };
    assert_eq!(v.shift_id(), Some(2));
    assert_eq!(a.popups.len(), 1);
    // Someone else is not.
    let mut b = app_with(handed_over_store(), Lang::En, None, None);
    type_str(&mut b, "张伟");
    b.on_key(enter());
    assert!(b.popups.is_empty(), "{}", flash_en(&b));
}

#[test]
fn acknowledging_everything_at_once() {
    for how in ["A", ":ack all", ":ack 全部"] {
        let mut a = app_with(handed_over_store(), Lang::En, None, Some("王静"));
        if how == "A" {
            // In the view: asked first, with the number; `n` writes nothing.
            let before = head(&a);
            a.on_key(key('A'));
            let Some(Popup::Confirm(c)) = a.popups.last() else {
                panic!("{}", flash_en(&a))
            };
            assert!(
                c.question.en.contains("and all 4 open carry-over items?"),
                "{}",
                c.question.en
            );
            a.on_key(key('n'));
            assert_eq!(head(&a), before);
            a.on_key(key('A'));
            a.on_key(key('y'));
        } else {
            // Typed from a pane, not the view: it means the handover.
            a.popups.clear();
            a.on_key(key('2'));
            a.run_typed(how);
            assert!(
                matches!(a.popups.last(), Some(Popup::Confirm(_))),
                "{how}: acknowledging everything asks first"
            );
            a.on_key(key('y'));
        }
        let f = flash_en(&a);
        assert!(
            f.contains("the handover of shift #2 and its 4 remaining items acknowledged"),
            "{how}: {f}"
        );
        let items = a.store.handover_items(2).unwrap();
        assert!(
            items
                .iter()
                .all(|i| i.acknowledged_by.as_deref() == Some("王静")),
            "{how}"
        );
        assert!(a.handover.pending.is_none() && a.handover.unacknowledged_items == 0);
        let s = a.store.shift(2).unwrap();
        assert_eq!(s.acknowledged_by.as_deref(), Some("王静"));
        // No alert was touched on the alerts pane.
        let esc = supplydesk::store::alerts::Escalation::default();
        let alert = a.store.alert(2, a.now(), &esc).unwrap();
        assert!(alert.handler.is_none(), "{how}: {:?}", alert.handler);
    }
}

/// On duty, the view shows the items the shift received; the one still
/// open is marked, and can be acknowledged after the handover was.
#[test]
fn the_shift_on_duty_sees_and_signs_what_it_received() {
    let mut a = app_with(shift_store(), Lang::En, None, Some("李明"));
    a.on_key(key('H'));
    let Some(Popup::Handover(v)) = a.popups.last() else {
        panic!("{}", flash_en(&a))
    };
    assert!(v.report.provisional);
    assert_eq!(v.shift_id(), Some(2));
    assert!(v.received());
    assert_eq!(v.sel, 1, "the first item not acknowledged");
    let text = screen(&mut a, 120, 40);
    assert!(
        text.contains("Carry-over received (shift #1 张伟 → 李明): 2 items · 1 not acknowledged"),
        "{text}"
    );
    assert!(text.contains("⚠  2. [watch] 龙宝村道路施工"), "{text}");
    assert!(text.contains("handed over earlier, not"), "{text}");
    assert!(
        text.contains("now (not handed over: figures still move)"),
        "{text}"
    );
    a.on_key(key('a'));
    assert!(
        flash_en(&a).contains("carry-over item 2 of shift #1 acknowledged, 0 left"),
        "{}",
        flash_en(&a)
    );
    assert_eq!(
        handover_item(&a, 1, 2).acknowledged_by.as_deref(),
        Some("李明")
    );
    assert_eq!(a.handover.unacknowledged_items, 0);
}

/// Only the incoming officer acknowledges; another officer is told so in
/// one sentence and nothing is written.
#[test]
fn someone_else_cannot_acknowledge() {
    let mut a = app_with(handed_over_store(), Lang::En, None, Some("张伟"));
    assert!(a.popups.is_empty(), "not shown to someone else");
    a.on_key(key('H'));
    let before = head(&a);
    for k in ['a', 'A', 's'] {
        a.flash = None;
        a.on_key(key(k));
        if k != 'a' {
            // Asked first; the answer is refused.
            a.on_key(key('y'));
        }
        let f = a.flash.as_ref().expect("a refusal");
        assert_eq!(f.level, Level::Error);
        assert!(
            f.msg.en.contains("only 王静 can acknowledge it, not 张伟"),
            "{}",
            f.msg.en
        );
        assert_eq!(
            f.msg.en.matches(". ").count(),
            0,
            "one sentence: {}",
            f.msg.en
        );
        assert!(f.msg.zh.contains("只有 王静 本人能确认"), "{}", f.msg.zh);
    }
    assert_eq!(head(&a), before);
    assert!(a.handover.pending.is_some());
}

/// 李明 hands over: to himself is refused in one sentence; to 王静 it asks
/// first, saying how many items go with it, and that count is what the
/// handover took.
#[test]
fn handing_over_asks_first_and_the_same_officer_is_refused() {
    let mut a = app_with(shift_store(), Lang::En, None, Some("李明"));
    let text = screen(&mut a, 160, 48);
    assert!(text.contains("officer 李明 · since 22:05"), "{text}");
    assert!(text.contains("1 ITEM NOT ACKNOWLEDGED"), "{text}");
    let before = head(&a);
    for same in ["李明", " 李 明 "] {
        a.flash = None;
        a.run_typed(&format!(":shift end {same}"));
        let f = a.flash.as_ref().expect("a refusal");
        assert_eq!(f.level, Level::Error);
        assert_eq!(
            f.msg.en,
            "The incoming officer cannot be the outgoing one (李明), so name the officer who takes over."
        );
        assert_eq!(
            f.msg.zh,
            "接班人不能是交班人本人（李明），请写明接班的另一位值班员。"
        );
        assert!(a.popups.is_empty(), "nothing asked");
    }
    // Someone who is not on duty cannot hand 李明's shift over.
    let mut other = app_with(shift_store(), Lang::En, None, Some("王静"));
    other.run_typed(":shift end 张伟");
    assert!(
        flash_en(&other).contains("only 李明 can hand it over, not 王静"),
        "{}",
        flash_en(&other)
    );
    assert_eq!(head(&a), before);

    a.run_typed(":shift end 王静");
    let Some(Popup::Confirm(c)) = a.popups.last() else {
        panic!("{}", flash_en(&a))
    };
    let asked = c.question.en.clone();
    assert!(asked.contains("Hand shift #2 over to 王静?"), "{asked}");
    assert!(
        asked.contains("4 carry-over items go with it (1 not acknowledged before)"),
        "{asked}"
    );
    a.on_key(key('y'));
    let f = flash_en(&a);
    assert!(
        f.contains("shift #2 handed over to 王静, 4 carry-over items"),
        "{f}"
    );
    assert_eq!(a.store.handover_items(2).unwrap().len(), 4);
    assert_eq!(
        a.handover
            .pending
            .as_ref()
            .and_then(|p| p.incoming.as_deref()),
        Some("王静")
    );
    assert!(screen(&mut a, 120, 40).contains("HANDOVER PENDING → 王静"));
}

#[test]
fn handing_over_from_the_form_and_going_on_duty() {
    let mut a = app_with(shift_store(), Lang::En, None, Some("李明"));
    a.run_typed(":shift end");
    let Some(Popup::Form(f)) = a.popups.last() else {
        panic!("{}", flash_en(&a))
    };
    assert!(f.dangerous);
    assert!(
        f.intro
            .as_ref()
            .is_some_and(|m| m.en.contains("4 carry-over items"))
    );
    a.on_key(enter());
    let Some(Popup::Form(f)) = a.popups.last() else {
        panic!("the form closed")
    };
    assert!(
        f.fields[0]
            .error
            .as_ref()
            .is_some_and(|e| e.en.contains("No incoming officer"))
    );
    type_str(&mut a, "王静");
    a.on_key(enter());
    assert!(matches!(a.popups.last(), Some(Popup::Confirm(_))));
    a.on_key(key('n'));
    assert!(
        matches!(a.popups.last(), Some(Popup::Form(_))),
        "no keeps the form"
    );
    a.on_key(enter());
    a.on_key(key('y'));
    assert!(a.popups.is_empty(), "{:?}", flash_en(&a));
    assert_eq!(a.store.shift(2).unwrap().incoming.as_deref(), Some("王静"));

    // A handover waits for the officer it names: nobody else goes on
    // duty beside it, and is told who can re-address it.
    let mut c = app_with(handed_over_store(), Lang::En, None, Some("张伟"));
    let before = head(&c);
    c.run_typed(":shift start");
    let f = flash_en(&c);
    assert!(f.contains("has not acknowledged it yet"), "{f}");
    assert!(f.contains(":shift end 张伟"), "{f}");
    assert_eq!(head(&c), before, "nothing written");
    // 王静 cannot come: 李明, who handed over, re-addresses it to 张伟,
    // from the form (which says so) or typed; asked first.
    let mut o = app_with(handed_over_store(), Lang::En, None, Some("李明"));
    o.run_typed(":shift end");
    let Some(Popup::Form(f)) = o.popups.last() else {
        panic!("the form: {}", flash_en(&o))
    };
    assert!(
        f.intro
            .as_ref()
            .is_some_and(|m| m.en.contains("handed over to 王静, not yet acknowledged")),
        "{:?}",
        f.intro
    );
    o.on_key(esc());
    o.run_typed(":shift end 王静");
    assert!(
        flash_en(&o).contains("already addressed to 王静"),
        "{}",
        flash_en(&o)
    );
    let before = head(&o);
    o.run_typed(":shift end 张伟");
    let Some(Popup::Confirm(q)) = o.popups.last() else {
        panic!("asks first: {}", flash_en(&o))
    };
    assert!(
        q.question.en.contains("instead of 王静"),
        "{}",
        q.question.en
    );
    o.on_key(key('y'));
    let f = flash_en(&o);
    assert!(f.contains("re-addressed to 张伟"), "{f}");
    assert_eq!(head(&o), before + 1, "one entry");
    let sid = o.store.pending_handover().unwrap().map(|p| p.id).unwrap();
    assert_eq!(
        o.store.shift(sid).unwrap().incoming.as_deref(),
        Some("张伟")
    );

    // The incoming officer may go on duty (and acknowledge later).
    let mut b = app_with(handed_over_store(), Lang::En, None, Some("王静"));
    b.run_typed(":shift start");
    let f = flash_en(&b);
    assert!(f.contains("shift #3 started, 王静 on duty"), "{f}");
    let text = screen(&mut b, 160, 48);
    assert!(text.contains("officer 王静 · since 10:00"), "{text}");
    b.run_typed(":shift start");
    assert!(flash_en(&b).contains("already on duty"), "{}", flash_en(&b));
    b.run_typed(":shift");
    assert_eq!(
        flash_en(&b),
        "\":shift\" needs a second word: :shift start or :shift end."
    );
}

/// Read-only: the view, the list of shifts, older shifts and the report
/// text can all be browsed; acknowledging and handing over are refused
/// and not offered.
#[test]
fn read_only_browses_shifts_but_does_not_acknowledge() {
    let mut a = app_with(
        handed_over_store(),
        Lang::En,
        Some(ReadOnly::Asked),
        Some("王静"),
    );
    let before = head(&a);
    a.on_key(key('H'));
    let hints: Vec<String> = supplydesk::tui::view::hints(&a)
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert!(hints.contains(&"j".to_string()), "{hints:?}");
    assert!(
        !hints.iter().any(|k| k == "Enter" || k == "A" || k == "a"),
        "{hints:?}"
    );
    for k in ['a', 'A'] {
        a.flash = None;
        a.on_key(key(k));
        assert!(flash_en(&a).contains("read-only"), "{}", flash_en(&a));
    }
    a.on_key(enter());
    assert!(flash_en(&a).contains("read-only"));
    for typed in [":ack all", ":ack 2", ":shift end 张伟", ":shift start"] {
        a.flash = None;
        a.run_typed(typed);
        assert!(
            flash_en(&a).contains("read-only"),
            "{typed}: {}",
            flash_en(&a)
        );
    }
    a.on_key(key('j'));
    let Some(Popup::Handover(v)) = a.popups.last() else {
        panic!()
    };
    assert_eq!(v.sel, 1, "moving works");
    a.on_key(key('['));
    let Some(Popup::Handover(v)) = a.popups.last() else {
        panic!()
    };
    assert_eq!(v.shift_id(), Some(1), "the shift before");
    assert_eq!(v.items.len(), 2);
    assert!(
        v.items
            .iter()
            .any(|i| i.acknowledged_by.as_deref() == Some("李明"))
    );
    a.on_key(key(']'));
    a.on_key(key('S'));
    let Some(Popup::Shifts(l)) = a.popups.last() else {
        panic!("{}", flash_en(&a))
    };
    assert_eq!(l.rows.iter().map(|s| s.id).collect::<Vec<_>>(), [2, 1]);
    a.on_key(key('j'));
    a.on_key(enter());
    let Some(Popup::Handover(v)) = a.popups.last() else {
        panic!()
    };
    assert_eq!(v.shift_id(), Some(1));
    assert_eq!(a.popups.len(), 1, "the list gave way to the view");
    a.on_key(key('t'));
    a.on_key(code(KeyCode::PageDown));
    assert_eq!(head(&a), before, "nothing written");
    assert!(
        a.store
            .handover_items(2)
            .unwrap()
            .iter()
            .all(|i| i.acknowledged_at.is_none())
    );
}

/// Another session acknowledges: the badge and the open view follow.
#[test]
fn an_acknowledgement_elsewhere_shows_here() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.db");
    let mut s = fill_with(
        Store::open(
            &path,
            OpenOptions {
                create: true,
                ..Default::default()
            },
        )
        .unwrap(),
        true,
    );
    s.end_shift(&actor(), "王静", None, &carry_rules()).unwrap();
    let mut outgoing = app_with(s, Lang::En, None, Some("李明"));
    outgoing.on_key(key('H'));
    assert!(screen(&mut outgoing, 120, 40).contains("HANDOVER PENDING → 王静"));
    let mut other = Store::open(&path, OpenOptions::default())
        .unwrap()
        .with_clock(Clock::Fixed(t0()));
    other
        .acknowledge_handover(
            &actor_named("王静"),
            None,
            supplydesk::store::shifts::AckTarget::Item(1),
        )
        .unwrap();
    outgoing.poll_data();
    let text = screen(&mut outgoing, 120, 40);
    assert!(!text.contains("HANDOVER PENDING"), "{text}");
    assert!(text.contains("✔  1."), "{text}");
}

/// The duty log's filter: kind, officer, community (or one of its
/// compounds), a time range and text, one or two Chinese characters too.
#[test]
fn the_log_filter_reads_terms_and_short_chinese_text() {
    let mut a = app_with(store(), Lang::En, Some(ReadOnly::Asked), Some("王静"));
    screen(&mut a, 80, 24);
    a.on_key(key('5'));
    let shown = |a: &mut App| -> Vec<supplydesk::store::log::LogRow> {
        a.store
            .log_list(&supplydesk::store::log::LogFilter {
                limit: Some(1000),
                ..a.panes.log.query().clone()
            })
            .unwrap()
    };
    a.on_key(key('/'));
    type_str(&mut a, "kind:call");
    a.on_key(enter());
    assert!(a.popups.is_empty());
    let rows = shown(&mut a);
    assert_eq!(rows.len(), 1);
    assert!(rows[0].text.contains("增派两辆保供车"));
    assert!(screen(&mut a, 80, 24).contains("增派两辆保供车"));

    for (typed, expect) in [
        ("药", "血透患者药品告急"),
        ("药品", "血透患者药品告急"),
        ("类别:来电 保供", "增派两辆保供车"),
        ("officer:李明 text:检查点", "检查点设在万州大道路口"),
        ("since:09:45 until:10:00 到岗", "交巡警龙都大队已到岗"),
        // A date and its time, as the error message suggests writing it.
        (
            "since:2026-11-29 09:45 until:2026/11/29 10:00 到岗",
            "交巡警龙都大队已到岗",
        ),
    ] {
        a.run_typed(&format!(":filter {typed}"));
        assert!(
            a.flash.as_ref().is_none_or(|f| f.level != Level::Error),
            "{typed}: {}",
            flash_en(&a)
        );
        let rows = shown(&mut a);
        let word = typed.split_whitespace().last().unwrap_or_default();
        let word = word.split_once(':').map_or(word, |(_, w)| w);
        assert!(
            rows.iter().all(|r| r.text.contains(word)),
            "{typed}: {rows:?}"
        );
        assert!(
            rows.iter().any(|r| r.text.contains(expect)),
            "{typed}: {rows:?}"
        );
    }
    // A compound's name stands for its community.
    a.run_typed(":filter community:滴水岩 药品");
    assert!(
        shown(&mut a).iter().any(|r| r.text.contains("滴水岩")),
        "{}",
        flash_en(&a)
    );
    a.run_typed(":filter officer:nobody");
    assert!(shown(&mut a).is_empty());
    assert!(screen(&mut a, 80, 24).contains("no entries match the filter"));

    // A bad term: one sentence, the filter line stays open to be fixed.
    a.on_key(key('/'));
    for _ in 0..30 {
        a.on_key(code(KeyCode::Backspace));
    }
    type_str(&mut a, "kind:gossip");
    a.on_key(enter());
    assert!(matches!(a.popups.last(), Some(Popup::Filter(_))));
    assert!(
        flash_en(&a).contains("There is no log kind \"gossip\""),
        "{}",
        flash_en(&a)
    );
    a.on_key(esc());
    assert_eq!(a.panes.get(PaneId::Log).filter(), None);
    a.run_typed(":filter since:-1h until:-2h");
    assert!(
        flash_en(&a).contains("not after its start"),
        "{}",
        flash_en(&a)
    );
}

// ---- forms --------------------------------------------------------------

/// A fixture where every row action has a row to act on: delivery #2 en
/// route, delivery #1 failed is not needed (requeue is tested elsewhere).
fn busy_app(lang: Lang) -> App {
    use supplydesk::store::deliveries::Assignee;
    let mut s = store();
    s.assign_delivery(&actor(), 2, &Assignee::Vehicle("渝F12345".into()))
        .unwrap();
    s.depart_delivery(&actor(), 2).unwrap();
    s.acknowledge_alert(&actor(), 2).unwrap();
    let mut a = app_with(s, lang, None, Some("王静"));
    screen(&mut a, 80, 24);
    a
}

/// Ways to open every form of the console, by key or by `:`.
fn form_openers() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        ("note", vec!["N"]),
        ("directive", vec!["1", "n"]),
        ("alert", vec!["2", "n"]),
        ("pass", vec!["3", "n"]),
        ("delivery", vec!["4", "n"]),
        ("dispatch", vec![":dispatch #1"]),
        ("resolve", vec![":resolve #2"]),
        ("cancel alert", vec![":cancel #1"]),
        ("severity", vec![":severity #1"]),
        ("extend", vec![":extend SHK-TX-2026-00001"]),
        ("suspend", vec![":suspend SHK-TX-2026-00001"]),
        ("revoke", vec![":revoke SHK-TX-2026-00001"]),
        ("assign", vec!["4", "a"]),
        ("deliver", vec![":deliver #2"]),
        ("fail", vec![":fail #2"]),
        ("cancel delivery", vec!["4", "x"]),
        ("correct", vec!["5", "c"]),
    ]
}

fn open(a: &mut App, steps: &[&str]) {
    for s in steps {
        if s.starts_with(':') {
            a.run_typed(s);
        } else {
            for c in s.chars() {
                a.on_key(key(c));
            }
        }
    }
}

#[test]
fn every_form_closes_on_esc_and_writes_nothing() {
    for (name, steps) in form_openers() {
        let mut a = busy_app(Lang::En);
        let before = head(&a);
        open(&mut a, &steps);
        assert!(
            matches!(a.popups.last(), Some(Popup::Form(_))),
            "{name}: no form ({})",
            flash_en(&a)
        );
        // Untouched: Esc closes at once.
        a.on_key(esc());
        assert!(
            a.popups.is_empty(),
            "{name}: an untouched form asks nothing"
        );
        // Typed into: Esc asks, "no" keeps the text, "yes" drops it.
        open(&mut a, &steps);
        type_str(&mut a, "缺货");
        a.on_key(code(KeyCode::Right));
        a.on_key(esc());
        assert!(
            matches!(a.popups.last(), Some(Popup::Confirm(_))),
            "{name}: asked before dropping input"
        );
        a.on_key(key('n'));
        assert!(matches!(a.popups.last(), Some(Popup::Form(_))), "{name}");
        a.on_key(esc());
        a.on_key(key('y'));
        assert!(a.popups.is_empty(), "{name}");
        assert_eq!(head(&a), before, "{name}: Esc wrote something");
    }
}

#[test]
fn dangerous_forms_ask_before_they_write() {
    for (name, steps, text) in [
        ("revoke", vec![":revoke SHK-TX-2026-00001"], "违规载客"),
        ("cancel alert", vec![":cancel #1"], "误报"),
        ("cancel delivery", vec!["4", "x"], "不需要了"),
        ("deactivate", vec!["1", "n"], "联控指挥部〔2022〕90号"),
    ] {
        let mut a = busy_app(Lang::En);
        let before = head(&a);
        open(&mut a, &steps);
        type_str(&mut a, text);
        a.on_key(enter());
        assert!(
            matches!(a.popups.last(), Some(Popup::Confirm(_))),
            "{name}: Enter asks ({})",
            flash_en(&a)
        );
        assert_eq!(head(&a), before, "{name}: nothing before yes");
        a.on_key(esc());
        assert!(matches!(a.popups.last(), Some(Popup::Form(_))), "{name}");
        assert_eq!(head(&a), before, "{name}: Esc on the question wrote");
        a.on_key(enter());
        a.on_key(key('y'));
        assert!(a.popups.is_empty(), "{name}: {}", flash_en(&a));
        assert_eq!(head(&a), before + 1, "{name}");
    }
}

#[test]
fn chinese_is_typed_deleted_and_edited_in_the_middle() {
    let mut a = busy_app(Lang::Zh);
    a.run_typed(":dispatch #1");
    type_str(&mut a, "社区书记李明");
    a.on_key(code(KeyCode::Backspace));
    a.on_key(code(KeyCode::Left));
    a.on_key(code(KeyCode::Left));
    type_str(&mut a, "x");
    let Some(Popup::Form(f)) = a.popups.last() else {
        panic!()
    };
    assert_eq!(f.value(0), "社区书x记李");
    assert_eq!(f.fields[0].count(), 6);
    a.resize(80, 24);
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    term.draw(|fr| supplydesk::tui::view::draw(fr, &a)).unwrap();
    let text = text(term.backend().buffer());
    assert!(text.contains("▸ 社区书x记李"), "{text}");
    assert!(text.contains("6/100"), "{text}");
    // The cursor sits after "社区书x": 4 (border) + 2 ("▸ ") + 7 columns.
    use ratatui::backend::Backend;
    let pos = term.backend_mut().get_cursor_position().unwrap();
    assert_eq!(pos.x, 4 + 2 + 7, "{pos:?}");
    a.on_key(enter());
    assert_eq!(
        a.store
            .alert(1, a.store.now(), &Default::default())
            .unwrap()
            .dispatched_to
            .as_deref(),
        Some("社区书x记李")
    );
}

#[test]
fn long_text_stops_at_its_limit_and_says_so() {
    let mut a = busy_app(Lang::En);
    a.run_typed(":cancel #1");
    a.on_paste(&"缺".repeat(600));
    let Some(Popup::Form(f)) = a.popups.last() else {
        panic!()
    };
    assert_eq!(f.fields[0].count(), 500);
    assert!(
        f.fields[0]
            .error
            .as_ref()
            .is_some_and(|e| e.en.contains("at most 500")),
        "{:?}",
        f.fields[0].error
    );
    let text = screen(&mut a, 80, 24);
    assert!(text.contains("500/500"), "{text}");
    assert!(text.contains("the rest was not taken"), "{text}");
    type_str(&mut a, "多");
    let Some(Popup::Form(f)) = a.popups.last() else {
        panic!()
    };
    assert_eq!(f.fields[0].count(), 500, "typing stops at the limit");
}

#[test]
fn refusals_sit_under_the_field_they_are_about() {
    let mut a = busy_app(Lang::En);
    a.on_key(key('1'));
    a.run_typed(":alert");
    a.on_key(enter());
    let text = screen(&mut a, 80, 24);
    let lines: Vec<&str> = text.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.contains("✘ Name the community"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(lines[i - 2].contains("Community"), "{text}");
    type_str(&mut a, "学堂");
    a.on_key(enter());
    let Some(Popup::Form(f)) = a.popups.last() else {
        panic!()
    };
    assert_eq!(f.focus, 2, "the cursor goes to the refused field");
    assert!(
        f.fields[2]
            .error
            .as_ref()
            .is_some_and(|e| e.en.contains("Choose the item class"))
    );
    assert!(f.fields[0].error.is_none(), "the fixed field is clear");
    // A community that does not exist is refused under its field.
    let mut a = busy_app(Lang::Zh);
    a.on_key(key('1'));
    a.run_typed(":alert");
    type_str(&mut a, "火星村");
    let Some(Popup::Form(f)) = a.popups.last() else {
        panic!()
    };
    assert!(
        f.fields[0].note.as_ref().is_some_and(|(_, warn)| *warn),
        "warned while typing"
    );
}

#[test]
fn a_form_survives_a_resize() {
    let mut a = busy_app(Lang::Zh);
    a.run_typed(":fail #2");
    a.on_key(code(KeyCode::Right));
    a.on_key(code(KeyCode::Tab));
    type_str(&mut a, "敲门无人应答，邻居说去医院了");
    for (w, h) in [(60, 20), (200, 60), (80, 24), (1, 1), (80, 24)] {
        screen(&mut a, w, h);
    }
    let text = screen(&mut a, 80, 24);
    assert!(text.contains("▸ 敲门无人应答，邻居说去医院了"), "{text}");
    assert!(text.contains("无人在家"), "{text}");
    let before = head(&a);
    a.on_key(enter());
    assert!(a.popups.is_empty(), "{}", flash_en(&a));
    assert_eq!(head(&a), before + 2, "failed and requeued");
}

#[test]
fn a_tall_form_scrolls_to_its_focused_field_in_a_short_space() {
    use supplydesk::tui::popups::{Form, form};
    let mut f = Form::pass();
    f.focus = 7;
    f.fields[7].input = tui_input::Input::new("厢式货车".into());
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 12)).unwrap();
    let theme = supplydesk::tui::theme::Theme {
        mono: true,
        ..Default::default()
    };
    term.draw(|fr| form::render(fr, fr.area(), &f, Lang::En, &theme))
        .unwrap();
    let text = text(term.backend().buffer());
    assert!(
        text.contains("▸ 厢式货车"),
        "the focused field is in view: {text}"
    );
    assert!(
        text.contains("↑ more"),
        "and the form says there is more: {text}"
    );
    assert!(!text.contains("Plate"), "the top scrolled away: {text}");
}

#[test]
fn severities_and_reasons_complete_after_the_row_number() {
    let mut a = app(Lang::En);
    let line = |a: &App| match a.popups.last() {
        Some(Popup::Command(c)) => c.input.value().to_string(),
        _ => panic!("no command line"),
    };
    a.on_key(key(':'));
    type_str(&mut a, "severity #3 cr");
    a.on_key(code(KeyCode::Tab));
    assert_eq!(line(&a), "severity #3 critical");
    a.on_key(esc());
    a.on_key(key(':'));
    type_str(&mut a, "fail #2 wr");
    a.on_key(code(KeyCode::Tab));
    assert_eq!(line(&a), "fail #2 wrong_address");
}
