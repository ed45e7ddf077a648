//! The wide glyph set (issue 22): for a terminal that draws East Asian
//! ambiguous characters two cells wide, no rendered cell may hold one —
//! a character whose `unicode-width` `width` and `width_cjk` differ —
//! on any screen: every pane, popup, form, the help, the handover view and
//! the lookup, at 80×24 and 120×40, in Chinese and English, with and
//! without colour. Both glyph sets draw every screen; the main screens of
//! the wide set are insta snapshots.

mod tui_fixture;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyCode;
use supplydesk::i18n::Lang;
use supplydesk::store::Store;
use supplydesk::tui::glyphs::{Glyphs, is_ambiguous};
use supplydesk::tui::{App, ReadOnly, view};
use tui_fixture::*;
use unicode_width::UnicodeWidthChar;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn lang_tag(lang: Lang) -> &'static str {
    if lang == Lang::Zh { "zh" } else { "en" }
}

/// Keys as in `tui_screens`: `:…` typed as a command, `=…` typed into a
/// field, otherwise one key per character (`\t` Tab, `→` Right, `⏎`
/// Enter, `⎋` Esc).
fn run(a: &mut App, steps: &[&str]) {
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
                    '⎋' => a.on_key(code(KeyCode::Esc)),
                    c => a.on_key(key(c)),
                }
            }
        }
    }
}

/// Which database a screen is drawn on.
#[derive(Clone, Copy)]
enum Data {
    /// The fixture: one vehicle per pass verdict, deliveries, alerts.
    Fixture,
    /// The fixture with delivery #2 en route and alert #2 acknowledged.
    Busy,
    /// The demo's scale-1 data (the supply picture, the reach popup).
    Demo,
    /// The fixture with shifts, handed over to 王静.
    HandedOver,
    /// Read-only, no officer named.
    ReadOnlyNoOfficer,
}

fn build(data: Data, lang: Lang) -> App {
    use supplydesk::store::deliveries::Assignee;
    let (s, ro, officer): (Store, Option<ReadOnly>, Option<&str>) = match data {
        Data::Fixture => (store(), None, Some("王静")),
        Data::Busy => {
            let mut s = store();
            s.assign_delivery(&actor(), 2, &Assignee::Vehicle("渝F12345".into()))
                .unwrap();
            s.depart_delivery(&actor(), 2).unwrap();
            s.acknowledge_alert(&actor(), 2).unwrap();
            (s, None, Some("王静"))
        }
        Data::Demo => (demo_store(), None, Some("王静")),
        Data::HandedOver => (handed_over_store(), None, Some("王静")),
        Data::ReadOnlyNoOfficer => (store(), Some(ReadOnly::Asked), None),
    };
    let mut a = app_with(s, lang, ro, officer);
    screen(&mut a, 80, 24);
    a
}

/// Every screen: a name, its data, the keys that open it.
fn screens() -> Vec<(&'static str, Data, Vec<&'static str>)> {
    use Data::*;
    let mut v: Vec<(&'static str, Data, Vec<&'static str>)> = vec![
        ("pane1", Demo, vec!["1"]),
        ("pane2", Demo, vec!["2"]),
        ("pane3", Demo, vec!["3"]),
        ("pane4", Demo, vec!["4"]),
        ("pane5", Demo, vec!["5"]),
        ("alerts_opened", Demo, vec!["2j⏎"]),
        ("alert_details", Demo, vec!["2j⏎j⏎"]),
        ("pass_details", Fixture, vec!["3⏎"]),
        ("delivery_details", Busy, vec!["4⏎"]),
        ("log_details", Fixture, vec!["5⏎"]),
        ("reach", Demo, vec!["4w"]),
        ("help", Fixture, vec!["?"]),
        ("help_end", Fixture, vec!["?", "GGGG"]),
        ("help_read_only", ReadOnlyNoOfficer, vec!["⎋", "?"]),
        ("officer_prompt", ReadOnlyNoOfficer, vec![]),
        ("lookup_typing", Fixture, vec!["p", "=f23456"]),
        ("lookup_valid", Fixture, vec!["p", "=渝f·12345", "⏎"]),
        ("lookup_expiring", Fixture, vec!["p", "=渝F23456", "⏎"]),
        ("lookup_expired", Fixture, vec!["p", "=渝F34567", "⏎"]),
        ("lookup_suspended", Fixture, vec!["p", "=渝F45678", "⏎"]),
        ("lookup_revoked", Fixture, vec!["p", "=渝F56789", "⏎"]),
        ("lookup_no_pass", Fixture, vec!["p", "=渝F12346", "⏎"]),
        ("command_completion", Fixture, vec![":", "=al", "\t"]),
        ("filter", Demo, vec!["2", "/", "=社区"]),
        ("handover", HandedOver, vec!["H"]),
        ("handover_text", HandedOver, vec!["H", "t"]),
        ("handover_market", HandedOver, vec!["H", "→"]),
        ("shifts", HandedOver, vec!["H", "S"]),
        ("handover_confirm", Fixture, vec![":shift end 王静"]),
        ("reveal", Busy, vec!["4", "v", "y"]),
    ];
    let forms: Vec<(&'static str, Data, Vec<&'static str>)> = vec![
        (
            "form_note",
            Busy,
            vec![
                "N",
                "=区指挥部来电：今晚增派两辆保供车……——“急”",
                "\t",
                "=-20m",
            ],
        ),
        (
            "form_deactivate",
            Busy,
            vec!["1", "n", "=联控指挥部〔2022〕90号"],
        ),
        (
            "form_alert",
            Busy,
            vec!["1", ":alert", "=螺蛳包", "\t\t", "→→→→→→", "\t", "→"],
        ),
        ("form_alert_refused", Busy, vec!["1", ":alert", "⏎"]),
        (
            "form_pass",
            Busy,
            vec!["3", "n", "=渝f·88888", "\t", "=+7d"],
        ),
        (
            "form_delivery",
            Busy,
            vec![
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
        (
            "form_dispatch",
            Busy,
            vec![":dispatch #1", "=双河口粮油配送中心"],
        ),
        (
            "form_resolve",
            Busy,
            vec![":resolve #2", "=已调运蔬菜 2 吨"],
        ),
        (
            "form_cancel_alert",
            Busy,
            vec![":cancel #1", "=与 #3 重复上报"],
        ),
        ("form_severity", Busy, vec![":severity #3", "→→"]),
        (
            "form_extend",
            Busy,
            vec![":extend SHK-TX-2026-00001", "=+7d"],
        ),
        ("form_suspend", Busy, vec![":suspend SHK-TX-2026-00001"]),
        (
            "form_revoke_confirm",
            Busy,
            vec![":revoke SHK-TX-2026-00001", "=违规载客", "⏎"],
        ),
        ("form_assign", Busy, vec![":assign #1", "=渝F34567"]),
        ("form_deliver", Busy, vec![":deliver #2", "=家属"]),
        (
            "form_fail",
            Busy,
            vec![":fail #2", "→", "\t", "=敲门无人应答"],
        ),
        ("form_cancel_delivery", Busy, vec!["4", ":cancel #2"]),
        ("form_correct", Busy, vec!["5", "c"]),
        ("form_reveal_confirm", Busy, vec!["4", "v"]),
        (
            "form_requeue",
            Busy,
            vec![":fail #2 nobody_home", ":requeue #2", "=14:00"],
        ),
    ];
    v.extend(forms);
    v
}

fn draw(a: &mut App, w: u16, h: u16) -> Buffer {
    a.resize(w, h);
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| view::draw(f, a)).unwrap();
    term.backend().buffer().clone()
}

/// The cells holding a character the terminals disagree on, as
/// `(x, y, symbol)`.
fn ambiguous_cells(buf: &Buffer) -> Vec<(u16, u16, String)> {
    let w = buf.area.width.max(1);
    buf.content
        .iter()
        .enumerate()
        .filter(|(_, c)| c.symbol().chars().any(is_ambiguous))
        .map(|(i, c)| (i as u16 % w, i as u16 / w, c.symbol().to_string()))
        .collect()
}

/// Every screen, both glyph sets, both sizes, both languages, with and
/// without colour: the wide set leaves no ambiguous character, and it
/// changes nothing but characters (every layout is the narrow one's).
#[test]
fn no_screen_of_the_wide_set_holds_an_ambiguous_character() {
    let mut seen_ambiguous_in_narrow = 0usize;
    let mut checked = 0usize;
    for (name, data, steps) in screens() {
        for lang in [Lang::Zh, Lang::En] {
            let mut a = build(data, lang);
            run(&mut a, &steps);
            for (w, h) in SIZES {
                for mono in [true, false] {
                    a.theme.mono = mono;
                    a.theme.glyphs = Glyphs::NARROW;
                    let narrow = draw(&mut a, w, h);
                    a.theme.glyphs = Glyphs::WIDE;
                    let wide = draw(&mut a, w, h);
                    let where_ = format!("{name} {w}x{h} {} mono={mono}", lang_tag(lang));
                    let bad = ambiguous_cells(&wide);
                    assert!(
                        bad.is_empty(),
                        "{where_}: ambiguous characters in the wide set: {bad:?}\n{}",
                        text(&wide)
                    );
                    // Stronger still: ASCII, or characters every terminal
                    // draws two cells wide (Chinese), or marks of width 0.
                    let odd: Vec<&str> = wide
                        .content
                        .iter()
                        .map(|c| c.symbol())
                        .filter(|s| !s.is_ascii() && s.chars().any(|c| c.width() == Some(1)))
                        .collect();
                    assert!(odd.is_empty(), "{where_}: one-cell symbols {odd:?}");
                    seen_ambiguous_in_narrow += ambiguous_cells(&narrow).len();
                    // Cell for cell: same styles, same widths; except the
                    // help's last line, which names the set in use (help
                    // scrolls to its end with G).
                    let names_set = |l: &str| {
                        l.contains("宽度不明字符") || l.contains("Ambiguous-width characters")
                    };
                    let from = text(&narrow)
                        .lines()
                        .position(names_set)
                        .unwrap_or(h as usize);
                    let cols = w as usize;
                    for (i, (n, x)) in narrow.content.iter().zip(&wide.content).enumerate() {
                        if i / cols >= from {
                            break;
                        }
                        assert_eq!(n.style(), x.style(), "{where_}");
                        let nw: usize = n.symbol().chars().filter_map(|c| c.width()).sum();
                        let xw: usize = x.symbol().chars().filter_map(|c| c.width()).sum();
                        assert_eq!(nw, xw, "{where_}: {:?} → {:?}", n.symbol(), x.symbol());
                    }
                    checked += 1;
                }
            }
            a.theme.glyphs = Glyphs::default();
        }
    }
    // The narrow set really draws what the wide one replaces.
    assert!(
        seen_ambiguous_in_narrow > 1000,
        "{seen_ambiguous_in_narrow}"
    );
    assert_eq!(checked, screens().len() * 2 * SIZES.len() * 2);
}

/// The main screens in the wide set.
#[test]
fn main_screens_in_the_wide_set() {
    for lang in [Lang::Zh, Lang::En] {
        let l = lang_tag(lang);
        let mut a = build(Data::Demo, lang);
        a.theme.glyphs = Glyphs::WIDE;
        insta::assert_snapshot!(format!("wide_pane1_120x40_{l}"), screen(&mut a, 120, 40));
        for p in ['2', '3', '4', '5'] {
            a.on_key(key(p));
            insta::assert_snapshot!(format!("wide_pane{p}_80x24_{l}"), screen(&mut a, 80, 24));
        }
        a.on_key(key('w'));
        insta::assert_snapshot!(format!("wide_reach_80x24_{l}"), screen(&mut a, 80, 24));

        let mut a = build(Data::Fixture, lang);
        a.theme.glyphs = Glyphs::WIDE;
        a.on_key(key('?'));
        insta::assert_snapshot!(format!("wide_help_120x40_{l}"), screen(&mut a, 120, 40));
        a.on_key(code(KeyCode::Esc));
        run(&mut a, &["p", "=渝F23456", "⏎"]);
        insta::assert_snapshot!(format!("wide_lookup_80x24_{l}"), screen(&mut a, 80, 24));

        let mut a = build(Data::Busy, lang);
        a.theme.glyphs = Glyphs::WIDE;
        run(
            &mut a,
            &[
                "4",
                "n",
                "=欧阳",
                "\t",
                "⏎",
                "\t",
                "=透析药品 1 箱……",
                "\t",
                "→",
            ],
        );
        insta::assert_snapshot!(format!("wide_form_80x24_{l}"), screen(&mut a, 80, 24));

        let mut a = build(Data::HandedOver, lang);
        a.theme.glyphs = Glyphs::WIDE;
        a.on_key(key('H'));
        insta::assert_snapshot!(format!("wide_handover_120x40_{l}"), screen(&mut a, 120, 40));
    }
}

/// The help screen says which set is in force and why.
#[test]
fn the_help_names_the_glyph_set_in_force() {
    use supplydesk::tui::glyphs::{Decided, Width};
    for (g, en, zh) in [
        (Glyphs::NARROW, "narrow (one cell)", "窄（一格）"),
        (
            Glyphs {
                width: Width::Wide,
                decided: Decided::Detected,
            },
            "detected from the terminal",
            "由终端检测得出",
        ),
        (
            Glyphs {
                width: Width::Narrow,
                decided: Decided::NoAnswer,
            },
            "no answer",
            "终端未应答",
        ),
    ] {
        for (lang, want) in [(Lang::En, en), (Lang::Zh, zh)] {
            let mut a = build(Data::Fixture, lang);
            a.theme.glyphs = g;
            a.on_key(key('?'));
            // The line is the help's last: scroll to the end.
            for _ in 0..400 {
                a.on_key(key('j'));
            }
            let s = screen(&mut a, 120, 40);
            assert!(s.contains(want), "{want:?} not in\n{s}");
        }
    }
}
