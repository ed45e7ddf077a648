//! Editing behaves like every editor (issue 13): a prefilled field opens
//! with the cursor at its end; Home/End, Ctrl-A/E/U/K/W and Alt-Backspace
//! work in every text field and help lists them; the plate lookup opened
//! with a plate has it selected, so typing replaces it; full-width
//! characters from a Chinese input method are read in times and counts.

mod tui_fixture;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use supplydesk::i18n::Lang;
use supplydesk::store::alerts::Escalation;
use supplydesk::tui::App;
use supplydesk::tui::popups::Popup;
use tui_fixture::*;

fn field(a: &mut App) -> (String, usize) {
    let input = a
        .popups
        .last_mut()
        .and_then(Popup::input_mut)
        .expect("a text field is open");
    (input.value().to_string(), input.cursor())
}

fn last(a: &App) -> supplydesk::store::log::LogRow {
    a.store.entry(head(a)).unwrap().unwrap()
}

fn alt(k: KeyCode) -> KeyEvent {
    KeyEvent::new(k, KeyModifiers::ALT)
}

fn desk() -> App {
    let mut a = app(Lang::En);
    screen(&mut a, 120, 40);
    a
}

#[test]
fn a_correction_opens_with_the_cursor_after_the_old_text() {
    let mut a = desk();
    a.on_key(key('5'));
    a.on_key(key('c'));
    let (old, cursor) = field(&mut a);
    assert!(!old.is_empty());
    assert_eq!(cursor, old.chars().count(), "the cursor is at the end");
    a.on_key(code(KeyCode::Backspace));
    type_str(&mut a, "口");
    let (now, _) = field(&mut a);
    let mut want: String = old.chars().collect();
    want.pop();
    want.push('口');
    assert_eq!(now, want, "Backspace took the last character, typing added");
}

#[test]
fn the_editing_keys_work_in_every_text_field() {
    let mut a = desk();
    // The note form, the command line, the filter, the plate lookup.
    for open in [key('N'), key(':'), key('/'), key('p')] {
        a.popups.clear();
        a.on_key(open);
        type_str(&mut a, "ab cd ef");
        a.on_key(ctrl('w'));
        assert_eq!(field(&mut a).0, "ab cd ", "Ctrl-W after {open:?}");
        a.on_key(alt(KeyCode::Backspace));
        assert_eq!(field(&mut a).0, "ab ", "Alt-Backspace after {open:?}");
        a.on_key(code(KeyCode::Home));
        assert_eq!(field(&mut a).1, 0, "Home after {open:?}");
        a.on_key(ctrl('e'));
        assert_eq!(field(&mut a).1, 3, "Ctrl-E after {open:?}");
        a.on_key(ctrl('a'));
        type_str(&mut a, "x");
        assert_eq!(field(&mut a).0, "xab ");
        a.on_key(code(KeyCode::End));
        a.on_key(code(KeyCode::Left));
        a.on_key(ctrl('u'));
        assert_eq!(field(&mut a), (" ".to_string(), 0), "Ctrl-U after {open:?}");
        type_str(&mut a, "yz");
        a.on_key(ctrl('a'));
        a.on_key(ctrl('k'));
        assert_eq!(field(&mut a).0, "", "Ctrl-K after {open:?}");
    }
}

#[test]
fn help_lists_the_editing_keys() {
    let mut a = desk();
    a.on_key(key('?'));
    let mut seen = String::new();
    for _ in 0..40 {
        seen.push_str(&screen(&mut a, 120, 40));
        a.on_key(code(KeyCode::PageDown));
    }
    for k in ["Ctrl-U", "Ctrl-W", "Alt-Bksp", "Home Ctrl-A", "End Ctrl-E"] {
        assert!(seen.contains(k), "help does not list {k}");
    }
}

#[test]
fn a_plate_given_to_the_lookup_is_replaced_by_typing() {
    let mut a = desk();
    a.on_key(key('3'));
    a.on_key(key('p'));
    let (given, _) = field(&mut a);
    assert!(
        given.starts_with('渝'),
        "opened with the selected plate: {given}"
    );
    type_str(&mut a, "渝F2");
    assert_eq!(field(&mut a).0, "渝F2", "typing replaced the plate");
    type_str(&mut a, "3456");
    a.on_key(enter());
    // Looked up: the next plate typed replaces it too; Backspace clears.
    type_str(&mut a, "渝");
    assert_eq!(field(&mut a).0, "渝");
    type_str(&mut a, "F12345");
    a.on_key(enter());
    a.on_key(code(KeyCode::Backspace));
    assert_eq!(field(&mut a).0, "");
    // A move keeps it and ends the selection.
    type_str(&mut a, "渝F12345");
    a.on_key(enter());
    a.on_key(code(KeyCode::End));
    type_str(&mut a, "6");
    assert_eq!(field(&mut a).0, "渝F123456");
}

#[test]
fn full_width_counts_and_times_from_an_input_method() {
    let mut a = desk();
    a.on_key(key('2'));
    a.popups.clear();
    // The form, households typed as people write them.
    for (typed, n) in [("约４０户", 40), ("40户", 40), ("１２", 12)] {
        a.on_key(key('n'));
        let Some(Popup::Form(f)) = a.popups.last_mut() else {
            panic!("the alert form")
        };
        f.focus = 0;
        a.on_key(ctrl('u'));
        type_str(&mut a, "槽房社区");
        a.on_key(tab());
        a.on_key(tab());
        type_str(&mut a, "vegetables");
        a.on_key(tab());
        type_str(&mut a, "high");
        a.on_key(tab());
        type_str(&mut a, typed);
        let before = head(&a);
        a.on_key(enter());
        assert!(a.popups.is_empty(), "{typed}: {:?}", flash_en(&a));
        assert_eq!(head(&a), before + 1);
        let subject = last(&a).subject.unwrap();
        let id: i64 = subject.trim_start_matches("alert:").parse().unwrap();
        let row = a
            .store
            .alert(id, a.store.now(), &Escalation::default())
            .unwrap();
        assert_eq!(row.households, n, "{typed}");
    }
    // A note that happened at 09：15, typed full-width.
    a.on_key(key('N'));
    type_str(&mut a, "来电记录");
    a.on_key(tab());
    type_str(&mut a, "０９：１５");
    a.on_key(enter());
    assert!(a.popups.is_empty(), "{}", flash_en(&a));
    let e = last(&a);
    assert_eq!(e.occurred_at.as_deref(), Some("2026-11-29T01:15:00.000Z"));
}

#[test]
fn filters_match_the_states_rows_show_in_either_language() {
    use supplydesk::tui::keys::PaneId;
    let mut a = desk();
    // Activation: posts by their mark, in either language.
    a.on_key(key('1'));
    a.run_typed(":filter 未到岗");
    let zh = screen(&mut a, 120, 40);
    a.run_typed(":filter unmanned");
    let en = screen(&mut a, 120, 40);
    let rows = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| l.contains('✘') || l.contains('✔'))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(rows(&zh), rows(&en), "the same rows either way");
    assert!(zh.contains("副组长") && !zh.contains(" 组长 "), "{zh}");
    // Communities by whether they reported in.
    a.run_typed(":filter 已报到");
    let s = screen(&mut a, 120, 40);
    assert!(s.contains("螺蛳包社区") && !s.contains("学堂湾社区"), "{s}");
    // Alerts: communities with a critical alert open.
    a.on_key(key('2'));
    a.run_typed(":filter critical");
    let s = screen(&mut a, 120, 40);
    assert!(s.contains("一碗水社区") && !s.contains("螺蛳包社区"), "{s}");
    // Passes: a status and a plate together.
    a.on_key(key('3'));
    a.run_typed(":filter 已暂停 渝F4");
    let s = screen(&mut a, 120, 40);
    assert!(s.contains("渝F45678") && !s.contains("渝F12345"), "{s}");
    assert_eq!(a.focus, PaneId::Passes);
}
