//! The console's screens, drawn into a TestBackend with a fixed clock
//! (2026-11-29 10:00 in Shanghai) and compared with insta snapshots:
//! every pane at 80×24 and 160×48 in Chinese and English on the demo
//! data (seed 2022), the plate lookup for each verdict, the size limits.

mod tui_fixture;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;
use ratatui::style::{Color, Modifier};
use supplydesk::domain::log::LogKind;
use supplydesk::i18n::Lang;
use supplydesk::tui::keys::PaneId;
use supplydesk::tui::{ReadOnly, view};
use tui_fixture::*;

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

/// The fixture with delivery #2 en route and alert #2 acknowledged, so
/// that every row action has a row.
fn busy(lang: Lang) -> supplydesk::tui::App {
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

fn run(a: &mut supplydesk::tui::App, steps: &[&str]) {
    for s in steps {
        if s.starts_with(':') {
            a.run_typed(s);
        } else if let Some(t) = s.strip_prefix('=') {
            type_str(a, t);
        } else {
            for c in s.chars() {
                match c {
                    '\t' => a.on_key(code(KeyCode::Tab)),
                    '→' => a.on_key(code(KeyCode::Right)),
                    '⏎' => a.on_key(code(KeyCode::Enter)),
                    c => a.on_key(key(c)),
                }
            }
        }
    }
}

/// Every form, freshly opened or part filled (a count, a note under a
/// field, a refusal under a field), and the questions, at 80×24.
#[test]
fn every_form_at_80x24() {
    let forms: &[(&str, &[&str])] = &[
        (
            "note",
            &["N", "=区指挥部来电：今晚增派两辆保供车", "\t", "=-20m"],
        ),
        ("deactivate", &["1", "n", "=联控指挥部〔2022〕90号"]),
        (
            "alert",
            // Tab marks the community offered, Enter takes it.
            &[
                "1",
                ":alert",
                "=螺蛳包",
                "\t",
                "⏎",
                "\t\t",
                "→→→→→→",
                "\t",
                "→",
            ],
        ),
        ("alert_refused", &["1", ":alert", "⏎"]),
        ("pass", &["3", "n", "=渝f·88888", "\t", "=+7d"]),
        (
            "delivery",
            &[
                "4",
                "n",
                "=欧阳",
                "\t",
                "⏎",
                "\t",
                "=透析药品 1 箱",
                "\t",
                "→",
            ],
        ),
        ("dispatch", &[":dispatch #1", "=双河口粮油配送中心"]),
        (
            "resolve",
            &[":resolve #2", "=已调运蔬菜 2 吨，当日配送到户"],
        ),
        ("cancel_alert", &[":cancel #1", "=与 #3 重复上报"]),
        ("severity", &[":severity #3", "→→"]),
        ("extend", &[":extend SHK-TX-2026-00001", "=+7d"]),
        ("suspend", &[":suspend SHK-TX-2026-00001"]),
        ("revoke", &[":revoke SHK-TX-2026-00001", "=违规载客"]),
        (
            "revoke_confirm",
            &[":revoke SHK-TX-2026-00001", "=违规载客", "⏎"],
        ),
        ("assign", &[":assign #1", "=渝F34567"]),
        ("deliver", &[":deliver #2", "=家属"]),
        ("fail", &[":fail #2", "→", "\t", "=敲门无人应答"]),
        ("cancel_delivery", &["4", ":cancel #2"]),
        ("correct", &["5", "c"]),
        ("reveal_confirm", &["4", "v"]),
    ];
    for lang in [Lang::Zh, Lang::En] {
        for (name, steps) in forms {
            let mut a = busy(lang);
            run(&mut a, steps);
            assert!(!a.popups.is_empty(), "{name}: nothing open");
            insta::assert_snapshot!(
                format!("form_{name}_80x24_{}", lang_tag(lang)),
                screen(&mut a, 80, 24)
            );
        }
    }
    // The requeue form needs a failed delivery.
    for lang in [Lang::Zh, Lang::En] {
        let mut a = busy(lang);
        run(&mut a, &[":fail #2 nobody_home", ":requeue #2", "=14:00"]);
        insta::assert_snapshot!(
            format!("form_requeue_80x24_{}", lang_tag(lang)),
            screen(&mut a, 80, 24)
        );
    }
}

#[test]
fn the_revealed_data_and_a_corrected_entry() {
    let mut a = busy(Lang::Zh);
    run(&mut a, &["4", "v", "y"]);
    insta::assert_snapshot!("reveal_80x24_zh", screen(&mut a, 80, 24));
    let mut a = busy(Lang::En);
    run(
        &mut a,
        &[
            ":correct 36 交巡警龙都大队已到岗，检查点设在人民路口",
            "y",
            "5",
        ],
    );
    insta::assert_snapshot!("corrected_80x24_en", screen(&mut a, 80, 24));
}

/// The handover view on a shift handed over to 王静 at 10:00: the
/// window, the counts, the chart of alerts opened and closed, the four
/// carry-over items (one left unacknowledged from the shift before), and
/// the report text beside it on a wide screen. Then the list of shifts,
/// one item acknowledged (the badge gone, her shift started), and the
/// question before a handover with its item count.
#[test]
fn the_handover_view_with_chart_and_items() {
    for lang in [Lang::Zh, Lang::En] {
        let l = lang_tag(lang);
        let mut a = app_with(handed_over_store(), lang, None, Some("王静"));
        a.on_key(key('H'));
        insta::assert_snapshot!(format!("handover_80x24_{l}"), screen(&mut a, 80, 24));
        insta::assert_snapshot!(format!("handover_160x48_{l}"), screen(&mut a, 160, 48));
        a.on_key(key('t'));
        insta::assert_snapshot!(format!("handover_text_80x24_{l}"), screen(&mut a, 80, 24));
        a.on_key(key('t'));
        a.on_key(key('S'));
        insta::assert_snapshot!(format!("shifts_80x24_{l}"), screen(&mut a, 80, 24));
        a.on_key(code(KeyCode::Esc));
        a.on_key(key('a'));
        insta::assert_snapshot!(format!("handover_acked_80x24_{l}"), screen(&mut a, 80, 24));

        let mut a = app_with(shift_store(), lang, None, Some("李明"));
        a.run_typed(":shift end 王静");
        insta::assert_snapshot!(
            format!("shift_end_confirm_80x24_{l}"),
            screen(&mut a, 80, 24)
        );
    }
}

/// NO_COLOR: the view's selection is reversed, the item left from an
/// earlier shift is bold with its `⚠`, the chart's rows are labelled.
#[test]
fn the_handover_view_reads_without_colour() {
    let mut a = app_with(handed_over_store(), Lang::En, None, Some("王静"));
    a.on_key(key('H'));
    a.resize(80, 24);
    let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
    term.draw(|f| view::draw(f, &a)).unwrap();
    let buf = term.backend().buffer().clone();
    for c in &buf.content {
        assert_eq!(c.fg, Color::Reset, "a coloured cell {:?}", c.symbol());
        assert_eq!(c.bg, Color::Reset, "a coloured cell {:?}", c.symbol());
    }
    let text = text(&buf);
    let row_of = |needle: &str| {
        text.lines()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle:?} not on screen:\n{text}"))
    };
    let w = buf.area.width as usize;
    let cells = |y: usize| &buf.content[y * w..(y + 1) * w];
    let selected = row_of("▶");
    assert!(
        cells(selected)
            .iter()
            .filter(|c| c.modifier.contains(Modifier::REVERSED))
            .count()
            > 20,
        "the selected item is reversed"
    );
    let carried = row_of("⚠");
    assert!(
        cells(carried)
            .iter()
            .any(|c| c.symbol() == "⚠" && c.modifier.contains(Modifier::BOLD)),
        "the item left from the shift before is bold"
    );
    assert!(
        text.contains("opened  ") && text.contains("closed  "),
        "{text}"
    );
    assert!(text.contains("HANDOVER PENDING"), "{text}");
}
