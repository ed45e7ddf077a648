//! Names picked, not typed (issue 13), in the console on the demo data
//! (scale 1, seed 2022, fixed clock): the matches show under the field as
//! it is typed, ↓/Tab marks one and Enter takes it; on saving, text that
//! matches one name becomes that name and several are refused with the
//! choices; a compound typed under the wrong community says where it is;
//! `:dispatch #N TEXT` resolves the same way.

mod tui_fixture;

use supplydesk::domain::alert::{ItemClass, Severity};
use supplydesk::i18n::Lang;
use supplydesk::store::alerts::{Escalation, NewAlert};
use supplydesk::tui::App;
use supplydesk::tui::popups::Popup;
use supplydesk::tui::popups::form::{Form, FormKind};
use tui_fixture::*;

fn demo_app(lang: Lang) -> App {
    let mut a = app_with(demo_store(), lang, None, Some("王静"));
    screen(&mut a, 120, 40);
    a
}

fn form(a: &App) -> &Form {
    match a.popups.last() {
        Some(Popup::Form(f)) => f,
        _ => panic!("no form on top; flash: {}", flash_en(a)),
    }
}

/// Types `v` into field `i` of the open form, replacing what was there.
fn set(a: &mut App, i: usize, v: &str) {
    let Some(Popup::Form(f)) = a.popups.last_mut() else {
        panic!("no form");
    };
    f.focus = i;
    f.fields[i].input = tui_input::Input::default();
    type_str(a, v);
}

fn offered(a: &App, i: usize) -> Vec<String> {
    form(a).fields[i]
        .pick
        .as_ref()
        .map(|p| p.rows.iter().map(|c| c.shown.clone()).collect())
        .unwrap_or_default()
}

fn error(a: &App, i: usize) -> String {
    form(a).fields[i]
        .error
        .as_ref()
        .map(|m| m.en.clone())
        .unwrap_or_default()
}

#[test]
fn lsb_offers_luosibao_in_the_stock_form_and_tab_enter_take_it() {
    for lang in [Lang::Zh, Lang::En] {
        let mut a = demo_app(lang);
        a.run_typed(":stock");
        assert_eq!(form(&a).kind, FormKind::Stock);
        set(&mut a, 0, "lsb");
        assert_eq!(offered(&a, 0), ["螺蛳包社区"]);
        let s = screen(&mut a, 120, 40);
        let at = s.lines().position(|l| l.contains("▸ lsb")).expect(&s);
        assert!(
            s.lines()
                .nth(at + 1)
                .is_some_and(|l| l.contains("螺蛳包社区")),
            "the match right under the field:\n{s}"
        );
        // Tab marks it (focus stays), Enter takes it (the form stays).
        a.on_key(tab());
        assert_eq!(form(&a).focus, 0);
        a.on_key(enter());
        assert_eq!(form(&a).value(0), "螺蛳包社区");
        assert!(form(&a).fields[0].pick.as_ref().unwrap().rows.is_empty());
        // Now Tab goes on to the next field.
        a.on_key(tab());
        assert_eq!(form(&a).focus, 1);
    }
}

#[test]
fn the_alert_form_resolves_names_and_refuses_what_fits_several() {
    let mut a = demo_app(Lang::En);
    a.run_typed(":alert");
    assert_eq!(form(&a).kind, FormKind::Alert);
    let before = head(&a);
    set(&mut a, 0, "石");
    let offers = offered(&a, 0);
    assert!(offers.contains(&"石梁村".to_string()) && offers.contains(&"石鼓村".to_string()));
    a.on_key(enter());
    assert_eq!(head(&a), before, "nothing written");
    let e = error(&a, 0);
    assert!(
        e.contains("fits several communities") && e.contains("石梁村") && e.contains("石鼓村"),
        "{e}"
    );
    // One community, and a compound of another: says where it is.
    set(&mut a, 0, "yws");
    set(&mut a, 1, "滴水岩");
    set(&mut a, 2, "蔬菜");
    set(&mut a, 3, "较重");
    a.on_key(enter());
    assert_eq!(head(&a), before, "nothing written");
    assert_eq!(form(&a).value(0), "一碗水社区", "the full name, resolved");
    let refusal = format!("{} {}", error(&a, 1), flash_en(&a));
    let whole = format!(
        "{refusal} {}",
        form(&a)
            .error
            .as_ref()
            .map(|m| m.en.clone())
            .unwrap_or_default()
    );
    assert!(
        whole.contains("not in 一碗水社区") && whole.contains("螺蛳包社区"),
        "{whole}"
    );
    // Under its own community a part is enough, and is saved in full.
    set(&mut a, 0, "lsb");
    set(&mut a, 1, "滴水");
    a.on_key(enter());
    assert!(
        !matches!(a.popups.last(), Some(Popup::Form(_))),
        "saved; flash: {}",
        flash_en(&a)
    );
    let id = a.store.head().unwrap().seq;
    assert!(id > before);
}

#[test]
fn a_dispatch_target_is_the_units_full_name_or_a_person_as_typed() {
    // Raised before the console opens, so that it sees the alert as it is.
    let mut s = demo_store();
    let (id, _) = s
        .raise_alert(
            &actor(),
            &NewAlert {
                community: "螺蛳包社区".into(),
                compound: None,
                item: ItemClass::Vegetables,
                severity: Severity::Medium,
                households: 20,
                source: None,
                text: "菜市场断货".into(),
            },
        )
        .unwrap();
    let mut a = app_with(s, Lang::En, None, Some("王静"));
    screen(&mut a, 120, 40);
    let to = |a: &App| {
        a.store
            .alert(id, a.store.now(), &Escalation::default())
            .unwrap()
            .dispatched_to
    };
    // Three units start with 螺蛳包: refused with the choices.
    let before = head(&a);
    a.run_typed(&format!(":dispatch #{id} 螺蛳包"));
    assert_eq!(head(&a), before);
    assert!(
        flash_en(&a).contains("fits several supply units")
            && flash_en(&a).contains("万州区螺蛳包菜市场"),
        "{}",
        flash_en(&a)
    );
    // Bare letters that match nothing look like initials: refused.
    a.run_typed(&format!(":dispatch #{id} qqq"));
    assert_eq!(head(&a), before);
    assert!(
        flash_en(&a).contains("No supply unit matches"),
        "{}",
        flash_en(&a)
    );
    // The form: initials, saved as the registered name.
    a.run_typed(&format!(":dispatch #{id}"));
    assert_eq!(form(&a).kind, FormKind::Dispatch(id));
    type_str(&mut a, "lsbcsc");
    assert_eq!(offered(&a, 0), ["万州区螺蛳包菜市场"]);
    a.on_key(enter());
    assert!(
        a.popups.is_empty(),
        "saved; flash: {}; screen:\n{}",
        flash_en(&a),
        screen(&mut a, 120, 40)
    );
    assert_eq!(to(&a).as_deref(), Some("万州区螺蛳包菜市场"));
    // A person is not a registered name: taken as typed.
    a.run_typed(&format!(":dispatch #{id} 社区书记 李明"));
    assert_eq!(to(&a).as_deref(), Some("社区书记 李明"), "{}", flash_en(&a));
}
