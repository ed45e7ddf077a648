//! Nothing needs the README (issue 13): the first screen offers the one
//! key the officer needs next — going on duty, or taking a waiting
//! handover over — and the footer shows the selected pane's keys, the
//! most important first, with `? more` when not all fit.

mod tui_fixture;

use supplydesk::i18n::Lang;
use supplydesk::tui::App;
use tui_fixture::*;

fn footer(a: &mut App, w: u16, h: u16) -> String {
    let s = screen(a, w, h);
    s.lines().last().unwrap_or_default().to_string()
}

#[test]
fn nobody_on_duty_the_first_screen_offers_the_key_to_go_on_duty() {
    let mut a = app(Lang::En);
    let f = footer(&mut a, 80, 24);
    assert!(f.trim_start().starts_with("O go on duty"), "{f}");
    let before = head(&a);
    a.on_key(key('O'));
    assert_eq!(head(&a), before + 1, "{}", flash_en(&a));
    assert!(a.handover.on_duty.is_some(), "on duty");
    let f = footer(&mut a, 80, 24);
    assert!(!f.contains("go on duty"), "offered once on duty: {f}");
    // Chinese too.
    let mut a = app(Lang::Zh);
    assert!(footer(&mut a, 80, 24).trim_start().starts_with("O 上岗"));
}

#[test]
fn a_waiting_handover_offers_the_key_to_take_it_over() {
    let mut a = app_with(handed_over_store(), Lang::En, None, Some("王静"));
    // The incoming officer is shown the handover at once (issue 14);
    // closed, the footer offers the key to open it again first.
    let f = footer(&mut a, 80, 24);
    assert!(f.contains("A ack all"), "{f}");
    a.popups.clear();
    let f = footer(&mut a, 80, 24);
    assert!(f.trim_start().starts_with("H take over"), "{f}");
    assert!(!f.contains("go on duty"), "{f}");
    // The outgoing officer is not offered it, nor to go on duty.
    let mut b = app_with(handed_over_store(), Lang::En, None, Some("张伟"));
    let f = footer(&mut b, 80, 24);
    assert!(!f.contains("take over") && !f.contains("go on duty"), "{f}");
    // H, then A, takes it over (asked first).
    a.on_key(key('H'));
    a.on_key(key('A'));
    a.on_key(key('y'));
    assert!(flash_en(&a).contains("acknowledged"), "{}", flash_en(&a));
    a.popups.clear();
    let f = footer(&mut a, 80, 24);
    assert!(!f.contains("take over"), "{f}");
}

#[test]
fn the_footer_shows_the_panes_own_keys_first_and_says_more() {
    let mut a = app(Lang::En);
    a.on_key(key('O'));
    a.on_key(key('2'));
    let f = footer(&mut a, 160, 48);
    assert!(f.contains("i stock"), "{f}");
    a.on_key(key('4'));
    let f = footer(&mut a, 160, 48);
    assert!(f.contains("c contact") && f.contains("w welfare"), "{f}");
    // At 80 columns the pane's own keys stay, the rest give way to
    // `? more`.
    let f = footer(&mut a, 80, 24);
    assert!(f.contains("c contact") && f.contains("? more"), "{f}");
    assert!(!f.contains("? help"), "{f}");
    // Everything fits (help open): no `more`.
    a.on_key(key('?'));
    let f = footer(&mut a, 160, 48);
    assert!(f.contains("PgDn page") && !f.contains("more"), "{f}");
}
