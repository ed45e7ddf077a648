//! The console's screens, drawn into a TestBackend with a fixed clock
//! (2026-11-29 10:00 in Shanghai) and compared with insta snapshots:
//! every pane at 80×24 and 160×48 in Chinese and English on the demo
//! data (seed 2022), the plate lookup for each verdict, the size limits.

mod tui_fixture;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;
use ratatui::style::{Color, Modifier};
use supplydesk::demo::{DemoOptions, generate};
use supplydesk::domain::log::LogKind;
use supplydesk::i18n::Lang;
use supplydesk::store::{Clock, Store};
use supplydesk::tui::keys::PaneId;
use supplydesk::tui::{ReadOnly, view};
use tui_fixture::*;

fn demo_store() -> Store {
    let mut s = Store::open_in_memory()
        .unwrap()
        .with_clock(Clock::Fixed(t0()));
    generate(
        &mut s,
        &actor(),
        DemoOptions {
            scale: 1,
            seed: 2022,
        },
    )
    .unwrap();
    s.set_clock(Clock::Fixed(t0()));
    s
}

fn lang_tag(lang: Lang) -> &'static str {
    if lang == Lang::Zh { "zh" } else { "en" }
}

#[test]
fn every_pane_on_the_demo_data() {
    for lang in [Lang::Zh, Lang::En] {
        let mut a = app_with(demo_store(), lang, None, Some("王静"));
        let l = lang_tag(lang);
        insta::assert_snapshot!(format!("all_panes_160x48_{l}"), screen(&mut a, 160, 48));
        for id in PaneId::ALL {
            a.on_key(key(char::from(b'1' + id.index() as u8)));
            let n = id.index() + 1;
            insta::assert_snapshot!(format!("pane{n}_80x24_{l}"), screen(&mut a, 80, 24));
            insta::assert_snapshot!(
                format!("pane{n}_focused_160x48_{l}"),
                screen(&mut a, 160, 48)
            );
        }
    }
}

#[test]
fn an_opened_community_lists_its_alerts() {
    let mut a = app_with(demo_store(), Lang::Zh, None, Some("王静"));
    screen(&mut a, 80, 24);
    a.on_key(key('2'));
    a.on_key(key('j'));
    a.on_key(code(KeyCode::Enter));
    insta::assert_snapshot!("alerts_opened_80x24_zh", screen(&mut a, 80, 24));
    a.on_key(key('j'));
    a.on_key(code(KeyCode::Enter));
    insta::assert_snapshot!("alert_details_80x24_zh", screen(&mut a, 80, 24));
}

#[test]
fn the_lookup_popup_for_each_verdict() {
    for lang in [Lang::Zh, Lang::En] {
        let mut a = app(lang);
        for (name, plate) in [
            ("valid", "渝f·12345"),
            ("expiring", "渝F23456"),
            ("expired", "渝F34567"),
            ("suspended", "渝F45678"),
            ("revoked", "渝F56789"),
            ("no_pass", "渝F12346"),
        ] {
            a.on_key(key('p'));
            type_str(&mut a, plate);
            a.on_key(code(KeyCode::Enter));
            let l = lang_tag(lang);
            insta::assert_snapshot!(format!("lookup_{name}_80x24_{l}"), screen(&mut a, 80, 24));
            a.on_key(code(KeyCode::Esc));
        }
    }
}

#[test]
fn the_lookup_shows_the_normalised_plate_while_typing() {
    let mut a = app(Lang::En);
    a.on_key(key('p'));
    type_str(&mut a, "f23456");
    let text = screen(&mut a, 80, 24);
    assert!(text.contains("normalised: F23456"), "{text}");
    assert!(text.contains("province"), "the plate warning shows: {text}");
}

#[test]
fn too_small_and_zero_sized_terminals() {
    for lang in [Lang::Zh, Lang::En] {
        let mut a = app(lang);
        insta::assert_snapshot!(
            format!("too_small_79x23_{}", lang_tag(lang)),
            screen(&mut a, 79, 23)
        );
        for (w, h) in [
            (0, 0),
            (1, 1),
            (0, 30),
            (200, 0),
            (79, 100),
            (300, 23),
            (5, 3),
        ] {
            screen(&mut a, w, h);
        }
        // Keys still work on a tiny screen, and popups draw without panicking.
        a.on_key(key('p'));
        screen(&mut a, 3, 2);
        a.on_key(code(KeyCode::Esc));
        a.on_key(key('?'));
        screen(&mut a, 80, 24);
        screen(&mut a, 2, 40);
    }
    let mut a = app(Lang::En);
    let text = screen(&mut a, 80, 24);
    assert!(!text.contains("too small"));
}

#[test]
fn read_only_banner_and_help() {
    let mut a = app_with(store(), Lang::En, Some(ReadOnly::Asked), Some("王静"));
    a.on_key(key('?'));
    insta::assert_snapshot!("help_read_only_100x40_en", screen(&mut a, 100, 40));
    let mut a = app_with(store(), Lang::Zh, Some(ReadOnly::NotWritable), Some("王静"));
    a.on_key(key('N'));
    insta::assert_snapshot!("read_only_refusal_80x24_zh", screen(&mut a, 80, 24));
}

#[test]
fn forms_and_the_command_line() {
    let mut a = app(Lang::Zh);
    a.on_key(key('N'));
    type_str(&mut a, "区指挥部来电");
    insta::assert_snapshot!("note_form_80x24_zh", screen(&mut a, 80, 24));
    a.popups.clear();
    a.on_key(key(':'));
    type_str(&mut a, "alert ");
    a.on_key(code(KeyCode::Tab));
    insta::assert_snapshot!("command_completion_80x24_zh", screen(&mut a, 80, 24));
    let mut a = app_with(store(), Lang::En, None, None);
    insta::assert_snapshot!("officer_prompt_80x24_en", screen(&mut a, 80, 24));
}

/// NO_COLOR: nothing coloured, selection by reverse video, severity by
/// bold and symbols.
#[test]
fn monochrome_has_no_colour_and_still_shows_selection_and_severity() {
    let mut a = app(Lang::En);
    a.resize(160, 48);
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    term.draw(|f| view::draw(f, &a)).unwrap();
    let buf = term.backend().buffer().clone();
    for c in &buf.content {
        assert_eq!(c.fg, Color::Reset, "a coloured cell {:?}", c.symbol());
        assert_eq!(c.bg, Color::Reset, "a coloured cell {:?}", c.symbol());
    }
    let reversed = buf
        .content
        .iter()
        .filter(|c| c.modifier.contains(Modifier::REVERSED))
        .count();
    assert!(
        reversed > 20,
        "the selected row and badges are reversed ({reversed} cells)"
    );
    let text = text(&buf);
    assert!(text.contains("!!!1"), "severity reads by symbol");
    let bold_bang = buf
        .content
        .iter()
        .any(|c| c.symbol() == "⚠" && c.modifier.contains(Modifier::BOLD));
    assert!(bold_bang, "escalated ages are bold");
}

/// Text from the database is sanitised: an escape sequence or a bidi
/// override in a note cannot act on the terminal.
#[test]
fn hostile_text_is_shown_not_obeyed() {
    let mut s = store();
    s.add_entry(
        &actor(),
        LogKind::Note,
        "evil\u{1b}[2Jcleared \u{202e}txet\u{7}",
        None,
        None,
    )
    .unwrap();
    let mut a = app_with(s, Lang::En, None, Some("王静"));
    a.on_key(key('5'));
    let text = screen(&mut a, 80, 24);
    assert!(text.contains("evil^[[2Jcleared <U+202E>txet^G"), "{text}");
    assert!(!text.contains('\u{1b}'));
    a.on_key(code(KeyCode::Enter));
    let text = screen(&mut a, 80, 24);
    assert!(text.contains("^[[2J"), "{text}");
}

/// A wide character at the right edge of a popup must not eat its
/// border (ratatui's own wrapping can; we wrap ourselves).
#[test]
fn wide_text_at_the_edge_keeps_the_popup_border() {
    for typed in ["渝FJF", "渝FJF9", "F", "渝"] {
        let mut a = app(Lang::Zh);
        a.resize(120, 40);
        a.on_key(key('p'));
        type_str(&mut a, typed);
        let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
        term.draw(|f| view::draw(f, &a)).unwrap();
        let buf = term.backend().buffer();
        let top = (0..40)
            .find(|&y| buf[(21u16, y)].symbol() == "╔")
            .expect("the popup");
        let right = (22..120u16)
            .find(|&x| buf[(x, top)].symbol() == "╗")
            .expect("its corner");
        let mut y = top + 1;
        while buf[(21u16, y)].symbol() == "║" {
            assert_eq!(
                buf[(right, y)].symbol(),
                "║",
                "{typed}: row {y} lost its border"
            );
            y += 1;
        }
        assert!(y > top + 5);
    }
}
