//! The supply picture in the console (issue 7): the stock, market and
//! contact forms, and the popup of coverage gaps and welfare checks —
//! drawn at 80×24 in Chinese and English on the demo data (seed 2022,
//! fixed clock) and driven key by key: what each writes, that Esc writes
//! nothing, and that a read-only session reaches none of them.

mod tui_fixture;

use ratatui::crossterm::event::KeyCode;
use supplydesk::domain::Code;
use supplydesk::domain::alert::ItemClass;
use supplydesk::domain::cover::{Cover, MARKET_HANDLER};
use supplydesk::i18n::Lang;
use supplydesk::store::Store;
use supplydesk::store::alerts::Escalation;
use supplydesk::store::supply::CoverRow;
use supplydesk::tui::app::Level;
use supplydesk::tui::popups::Popup;
use supplydesk::tui::popups::form::FormKind;
use supplydesk::tui::{App, ReadOnly};
use tui_fixture::*;

fn demo_app(lang: Lang) -> App {
    let mut a = app_with(demo_store(), lang, None, Some("王静"));
    screen(&mut a, 80, 24);
    a
}

fn tag(lang: Lang) -> &'static str {
    if lang == Lang::Zh { "zh" } else { "en" }
}

/// The open form, or a panic naming the flash.
fn form(a: &App) -> &supplydesk::tui::popups::Form {
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

/// A community added to the demo: nothing reported for it yet, so the
/// officer's report is its only figure. Returns its cover of grain.
fn new_community(s: &mut Store) -> CoverRow {
    use supplydesk::store::places::{NewCommunity, Ref};
    s.add_community(
        &actor(),
        &NewCommunity {
            name: "新建社区".into(),
            kind: None,
            resident_pop: 3000,
            floating_pop: 600,
            households: 1200,
            contact: None,
            phone: None,
        },
    )
    .unwrap();
    let c = s
        .cover_of(
            &Ref::Name("新建社区".into()),
            ItemClass::Grain,
            &config().norms.norms(),
        )
        .unwrap();
    assert!(matches!(c.cover, Cover::NoReport) && c.need > 0.0);
    c
}

fn reach(a: &App) -> &supplydesk::tui::popups::ReachView {
    a.popups
        .iter()
        .rev()
        .find_map(|p| match p {
            Popup::Reach(v) => Some(v.as_ref()),
            _ => None,
        })
        .expect("the reach popup")
}

// ---- screens ---------------------------------------------------------------

#[test]
fn the_stock_form() {
    for lang in [Lang::Zh, Lang::En] {
        let l = tag(lang);
        let mut a = demo_app(lang);
        a.on_key(key('3'));
        a.run_typed(":stock 螺蛳包社区");
        insta::assert_snapshot!(format!("stock_form_80x24_{l}"), screen(&mut a, 80, 24));
        // An item chosen, a quantity the desk cannot read: refused under
        // its field, nothing written.
        let before = head(&a);
        a.on_key(code(KeyCode::Right));
        a.on_key(code(KeyCode::Right));
        set(&mut a, 2, "很多");
        set(&mut a, 5, "万州区双河口农贸市场");
        a.on_key(enter());
        assert_eq!(head(&a), before);
        assert_eq!(form(&a).focus, 2, "moved to the field refused");
        insta::assert_snapshot!(
            format!("stock_form_refused_80x24_{l}"),
            screen(&mut a, 80, 24)
        );
    }
}

#[test]
fn the_market_form() {
    for lang in [Lang::Zh, Lang::En] {
        let l = tag(lang);
        let mut a = demo_app(lang);
        a.on_key(key('3'));
        a.run_typed(":market");
        a.on_key(code(KeyCode::Right));
        a.on_key(code(KeyCode::Right));
        insta::assert_snapshot!(format!("market_form_80x24_{l}"), screen(&mut a, 80, 24));
    }
}

#[test]
fn the_contact_form_and_the_reach_popup() {
    for lang in [Lang::Zh, Lang::En] {
        let l = tag(lang);
        let mut a = demo_app(lang);
        a.on_key(key('4'));
        let queue = screen(&mut a, 80, 24);
        let (gaps, _) = a.panes.queue.gaps();
        let checks = a.panes.queue.welfare();
        assert!(gaps > 0 && checks > 0, "the demo has both");
        let first = queue.lines().nth(2).unwrap_or_default().to_string();
        let w = match lang {
            Lang::Zh => format!("需探视 {checks}"),
            Lang::En => format!("welfare {checks}"),
        };
        assert!(first.contains(&w), "{first}");
        a.on_key(key('w'));
        insta::assert_snapshot!(format!("reach_gaps_80x24_{l}"), screen(&mut a, 80, 24));
        a.on_key(tab());
        insta::assert_snapshot!(format!("reach_welfare_80x24_{l}"), screen(&mut a, 80, 24));
        a.on_key(enter());
        insta::assert_snapshot!(format!("contact_form_80x24_{l}"), screen(&mut a, 80, 24));
        // Survives a resize, the recipient and the focus kept.
        let before = form(&a).clone();
        screen(&mut a, 100, 30);
        screen(&mut a, 80, 24);
        let after = form(&a);
        assert_eq!(after.value(0), before.value(0));
        assert_eq!(after.focus, before.focus);
        assert!(matches!(after.kind, FormKind::Contact(Some(_))));
    }
}

// ---- what the forms write ---------------------------------------------------

#[test]
fn a_stock_report_writes_one_report_and_its_entry() {
    let mut store = demo_store();
    let cell = new_community(&mut store);
    let mut a = app_with(store, Lang::En, None, Some("王静"));
    screen(&mut a, 80, 24);
    let history = a
        .store
        .stock_history(cell.community_id, cell.item, 1000)
        .unwrap()
        .len();
    let before = head(&a);
    a.on_key(key('5'));
    a.run_typed(&format!(":stock {} {}", cell.community, cell.item.code()));
    assert_eq!(
        form(&a).focus,
        2,
        "community and item filled, on to the stock"
    );
    // Enough for a year: no prediction raised.
    type_str(&mut a, "3,000 t");
    set(&mut a, 3, "500斤");
    set(&mut a, 6, "周红");
    set(&mut a, 7, "电话");
    a.on_key(enter());
    assert!(
        a.popups.is_empty(),
        "{:?}",
        a.popups.last().map(|_| flash_en(&a))
    );
    assert_eq!(head(&a), before + 1, "one entry: {}", flash_en(&a));
    let reports = a
        .store
        .stock_history(cell.community_id, cell.item, 1000)
        .unwrap();
    assert_eq!(reports.len(), history + 1);
    assert_eq!(reports[0].stock, 3_000_000.0);
    assert_eq!(reports[0].supply_in, 250.0);
    assert_eq!(reports[0].reporter.as_deref(), Some("周红"));
    let e = a.store.entry(before + 1).unwrap().unwrap();
    assert_eq!(
        e.subject.as_deref(),
        Some(format!("stock_report:{}", reports[0].id).as_str())
    );
    let f = a.flash.as_ref().unwrap();
    assert_eq!(f.level, Level::Info);
    assert!(
        f.msg.en.contains(&format!("recorded #{}", before + 1)),
        "{}",
        f.msg.en
    );
    assert!(f.msg.en.contains("days of cover"), "{}", f.msg.en);
    assert!(!f.msg.en.contains("predicted"), "{}", f.msg.en);
}

#[test]
fn a_low_stock_raises_one_predicted_alert_and_says_its_number() {
    let mut store = demo_store();
    let cell = new_community(&mut store);
    let mut a = app_with(store, Lang::Zh, None, Some("王静"));
    screen(&mut a, 80, 24);
    let before = head(&a);
    a.on_key(key('5'));
    a.run_typed(&format!(
        ":stock {} {} 1",
        cell.community,
        cell.item.label_zh()
    ));
    a.on_key(enter());
    assert!(a.popups.is_empty(), "{}", flash_en(&a));
    assert_eq!(head(&a), before + 2, "the report and the alert");
    let f = a.flash.clone().unwrap();
    assert_eq!(f.level, Level::Warn);
    let after = a
        .store
        .cover_of(
            &supplydesk::store::places::Ref::Id(cell.community_id),
            cell.item,
            &config().norms.norms(),
        )
        .unwrap();
    let id = after.predicted_alert.expect("a predicted alert");
    assert!(
        f.msg.zh.contains(&format!("预测短缺预警 #{id}")),
        "{}",
        f.msg.zh
    );
    assert!(
        f.msg.zh.contains(&format!("#{}", before + 1)),
        "{}",
        f.msg.zh
    );
    assert!(a.store.alert_tag(id).unwrap().predicted);
    let raised = a.store.entry(before + 2).unwrap().unwrap();
    assert_eq!(
        raised.subject.as_deref(),
        Some(format!("alert:{id}").as_str())
    );
}

#[test]
fn the_stock_form_opens_on_the_selected_community_of_the_alerts_pane() {
    let mut a = demo_app(Lang::En);
    a.on_key(key('2'));
    a.on_key(key('j'));
    let selected = a.panes.alerts.selected_community().expect("a community");
    a.on_key(key('i'));
    let f = form(&a);
    assert_eq!(f.kind, FormKind::Stock);
    assert_eq!(f.value(0), selected);
    assert_eq!(f.focus, 1, "on to the item");
    // ←/→ on the community steps through the registered ones.
    let mut a = demo_app(Lang::En);
    a.on_key(key('5'));
    a.run_typed(":stock");
    a.on_key(code(KeyCode::Right));
    let first = a.store.communities().unwrap()[0].name.clone();
    assert_eq!(form(&a).value(0), first);
}

#[test]
fn a_source_is_a_unit_a_station_or_an_outlet() {
    let mut a = demo_app(Lang::En);
    let before = head(&a);
    a.on_key(key('5'));
    a.run_typed(":stock 螺蛳包社区 grain 800kg");
    // Not a unit, not a compound of 螺蛳包, not an outlet.
    set(&mut a, 5, "没有这个网点");
    a.on_key(enter());
    let e = form(&a).fields[5]
        .error
        .clone()
        .expect("refused under the source");
    assert!(e.en.contains("not a supply unit"), "{}", e.en);
    assert_eq!(head(&a), before);
    // A compound's transfer station, by the compound's name.
    set(&mut a, 5, "滴水岩小区");
    let note = form(&a).fields[5].note.clone().expect("what it reads as");
    assert!(
        note.0.en.contains("transfer station of 滴水岩小区"),
        "{}",
        note.0.en
    );
    a.on_key(enter());
    assert!(a.popups.is_empty(), "{}", flash_en(&a));
    let r = &a
        .store
        .stock_history(
            a.store.community_by_name("螺蛳包社区").unwrap().id,
            ItemClass::Grain,
            1,
        )
        .unwrap()[0];
    assert!(
        r.source_name
            .as_deref()
            .is_some_and(|s| s.contains("中转站")),
        "{r:?}"
    );
}

#[test]
fn a_market_report_is_an_alert_for_the_market_supervision_station() {
    let mut a = demo_app(Lang::En);
    let unit = a.store.supply_units().unwrap()[0].clone();
    let before = head(&a);
    a.run_typed(":market hoarding");
    assert_eq!(form(&a).focus, 1);
    type_str(&mut a, &unit.name);
    // The default severity follows the kind.
    let note = form(&a).fields[4].note.clone().expect("the default");
    assert!(note.0.en.contains("High"), "{}", note.0.en);
    set(&mut a, 5, "大米囤积不卖");
    set(&mut a, 6, "群众举报电话");
    a.on_key(enter());
    assert!(a.popups.is_empty(), "{}", flash_en(&a));
    assert_eq!(head(&a), before + 1);
    let e = a.store.entry(before + 1).unwrap().unwrap();
    let id: i64 = e
        .subject
        .as_deref()
        .and_then(|s| s.strip_prefix("alert:"))
        .and_then(|n| n.parse().ok())
        .expect("an alert's entry");
    let esc = Escalation::from_fn(|_| chrono::Duration::hours(1));
    let alert = a.store.alert(id, a.now(), &esc).unwrap();
    assert_eq!(alert.handler.as_deref(), Some(MARKET_HANDLER));
    assert_eq!(alert.severity, supplydesk::domain::alert::Severity::High);
    assert_eq!(Some(alert.community.clone()), unit.community);
    let f = flash_en(&a);
    assert!(
        f.contains(&format!("market alert #{id}")) && f.contains(&format!("#{}", before + 1)),
        "{f}"
    );
    assert!(f.contains(MARKET_HANDLER), "{f}");
    // On the board, opened: marked as a market report, the station its
    // handler; acknowledging it at the desk leaves the station there.
    a.on_key(key('2'));
    a.run_typed(&format!(":filter {}", alert.community));
    a.on_key(key(' '));
    let text = screen(&mut a, 120, 40);
    let row = text
        .lines()
        .find(|l| l.contains("market"))
        .unwrap_or_else(|| panic!("a row marked market: {text}"));
    assert!(row.contains(MARKET_HANDLER), "{row}");
    // Its details say what was seen and where.
    for _ in 0..20 {
        if a.panes.alerts.selected_alert().map(|x| x.id) == Some(id) {
            break;
        }
        a.on_key(key('j'));
    }
    assert_eq!(a.panes.alerts.selected_alert().map(|x| x.id), Some(id));
    a.on_key(enter());
    let text = screen(&mut a, 120, 40);
    assert!(
        text.contains("Market report · Hoarding") && text.contains(&unit.name),
        "{text}"
    );
    a.on_key(code(KeyCode::Esc));
    a.run_typed(&format!(":ack #{id}"));
    let after = a.store.alert(id, a.now(), &esc).unwrap();
    assert_eq!(
        after.state,
        supplydesk::domain::alert::AlertState::Acknowledged
    );
    assert_eq!(after.handler.as_deref(), Some(MARKET_HANDLER));
}

#[test]
fn a_market_report_without_a_description_is_refused_under_it() {
    let mut a = demo_app(Lang::Zh);
    let before = head(&a);
    a.run_typed(":market 哄抬物价 查无此店");
    a.on_key(enter());
    let f = form(&a);
    assert_eq!(f.focus, 5);
    assert!(f.fields[5].error.is_some());
    // Described, an outlet nobody registered is refused under the name.
    set(&mut a, 5, "鸡蛋每斤涨到 12 元");
    a.on_key(enter());
    let f = form(&a);
    let e = f.fields[1].error.clone().expect("refused under the name");
    assert!(e.zh.contains("查无此店"), "{}", e.zh);
    assert_eq!(head(&a), before);
}

#[test]
fn reaching_a_welfare_check_takes_it_off_the_list() {
    let mut a = demo_app(Lang::En);
    a.on_key(key('4'));
    a.on_key(key('w'));
    a.on_key(tab());
    let v = reach(&a);
    let n = v.welfare.total;
    let picked = v.selected().expect("a welfare check");
    let gaps_before = v
        .gaps
        .rows
        .iter()
        .any(|g| g.recipient_id == picked.recipient_id);
    let before = head(&a);
    a.on_key(enter());
    assert_eq!(form(&a).kind, FormKind::Contact(Some(picked.recipient_id)));
    assert_eq!(form(&a).focus, 1, "on to how");
    // Not saying whether they were reached is refused.
    a.on_key(enter());
    assert!(form(&a).fields[2].error.is_some());
    assert_eq!(head(&a), before);
    set(&mut a, 2, "y");
    set(&mut a, 3, "上门见到本人，身体无恙");
    a.on_key(enter());
    assert!(
        matches!(a.popups.last(), Some(Popup::Reach(_))),
        "{}",
        flash_en(&a)
    );
    assert_eq!(head(&a), before + 1);
    let e = a.store.entry(before + 1).unwrap().unwrap();
    assert!(
        e.subject
            .as_deref()
            .is_some_and(|s| s.starts_with("contact:"))
    );
    assert!(flash_en(&a).contains(&format!("recorded #{}", before + 1)));
    // The lists are read again after the write, not on a key.
    a.tick(std::time::Instant::now());
    let v = reach(&a);
    assert_eq!(v.welfare.total, n - 1);
    assert!(
        !v.welfare
            .rows
            .iter()
            .any(|w| w.recipient_id == picked.recipient_id)
    );
    if gaps_before {
        assert!(
            !v.gaps
                .rows
                .iter()
                .any(|g| g.recipient_id == picked.recipient_id)
        );
    }
    // And the queue pane's header counts one less.
    a.on_key(esc());
    screen(&mut a, 80, 24);
    assert_eq!(a.panes.queue.welfare(), n - 1);
}

#[test]
fn a_contact_from_the_queue_pane_is_about_the_selected_delivery() {
    let mut a = demo_app(Lang::En);
    a.on_key(key('4'));
    let d = a.panes.queue.selected().expect("a delivery").clone();
    a.on_key(key('c'));
    assert_eq!(form(&a).kind, FormKind::Contact(Some(d.recipient_id)));
    assert!(form(&a).value(0).starts_with(&d.recipient));
    // Typing over the recipient searches instead.
    let before = head(&a);
    set(&mut a, 0, "没有这个人");
    set(&mut a, 2, "n");
    a.on_key(enter());
    assert!(form(&a).fields[0].error.is_some());
    assert_eq!(head(&a), before);
    // `:contact #N` names the delivery.
    a.popups.clear();
    a.run_typed(&format!(":contact #{}", d.id));
    assert_eq!(form(&a).kind, FormKind::Contact(Some(d.recipient_id)));
    set(&mut a, 2, "n");
    a.on_key(enter());
    assert!(a.popups.is_empty(), "{}", flash_en(&a));
    assert_eq!(head(&a), before + 1);
    assert!(flash_en(&a).contains("not reached"));
}

#[test]
fn a_contact_in_the_future_is_refused() {
    let mut a = demo_app(Lang::En);
    a.on_key(key('4'));
    a.on_key(key('c'));
    set(&mut a, 2, "y");
    set(&mut a, 4, "2026-11-30 09:00");
    let before = head(&a);
    a.on_key(enter());
    let e = form(&a).fields[4].error.clone();
    assert!(e.is_some_and(|e| e.en.contains("future")));
    assert_eq!(head(&a), before);
}

// ---- Esc, read-only ------------------------------------------------------------

#[test]
fn esc_writes_nothing() {
    for opener in [":stock 螺蛳包社区 菜 3200", ":market 囤积居奇", ":contact"] {
        let mut a = demo_app(Lang::En);
        let before = head(&a);
        a.run_typed(opener);
        assert!(matches!(a.popups.last(), Some(Popup::Form(_))), "{opener}");
        // Untouched (what the command filled in counts as the form's own):
        // Esc closes at once.
        a.on_key(esc());
        assert!(a.popups.is_empty(), "{opener}: closed quietly");
        // Typed into: Esc asks; yes drops it.
        a.run_typed(opener);
        let last = form(&a).fields.len() - 1;
        set(&mut a, last, "电话");
        a.on_key(esc());
        assert!(
            matches!(a.popups.last(), Some(Popup::Confirm(_))),
            "{opener}"
        );
        a.on_key(key('y'));
        assert!(a.popups.is_empty(), "{opener}");
        assert_eq!(head(&a), before, "{opener}: Esc wrote something");
    }
    // The reach popup and a contact opened on it: Esc twice, nothing.
    let mut a = demo_app(Lang::En);
    let before = head(&a);
    a.run_typed(":welfare");
    a.on_key(enter());
    a.on_key(esc());
    assert!(matches!(a.popups.last(), Some(Popup::Reach(_))));
    a.on_key(esc());
    assert!(a.popups.is_empty());
    assert_eq!(head(&a), before);
}

#[test]
fn read_only_reaches_none_of_them() {
    for why in [ReadOnly::Asked, ReadOnly::NotWritable] {
        let mut a = app_with(demo_store(), Lang::En, Some(why), Some("王静"));
        screen(&mut a, 80, 24);
        let before = head(&a);
        let refused = |a: &App, what: &str| {
            let f = a
                .flash
                .as_ref()
                .unwrap_or_else(|| panic!("{what}: no flash"));
            assert_eq!(f.level, Level::Warn, "{what}");
            assert!(f.msg.en.contains("read-only"), "{what}: {}", f.msg.en);
            assert!(
                a.popups.iter().all(|p| !matches!(p, Popup::Form(_))),
                "{what}: a form opened"
            );
        };
        for typed in [
            ":stock 螺蛳包社区 菜 1",
            ":库存",
            ":market hoarding",
            ":市场",
            ":contact",
            ":联系",
        ] {
            a.popups.clear();
            a.flash = None;
            a.run_typed(typed);
            refused(&a, typed);
        }
        for (pane, k) in [('2', 'i'), ('4', 'c')] {
            a.popups.clear();
            a.flash = None;
            a.on_key(key(pane));
            a.on_key(key(k));
            refused(&a, &format!("{pane} {k}"));
        }
        // The lists are for reading: they open; Enter on a row is refused.
        a.popups.clear();
        a.flash = None;
        a.on_key(key('4'));
        a.on_key(key('w'));
        assert!(matches!(a.popups.last(), Some(Popup::Reach(_))));
        let text = screen(&mut a, 80, 24);
        assert!(!text.contains("Enter log a contact"), "{text}");
        a.on_key(enter());
        refused(&a, "Enter in the reach popup");
        a.on_key(tab());
        a.on_key(enter());
        refused(&a, "Enter on a welfare check");
        for alias in [":reach", ":探视", ":覆盖"] {
            a.popups.clear();
            a.run_typed(alias);
            assert!(matches!(a.popups.last(), Some(Popup::Reach(_))), "{alias}");
        }
        assert_eq!(head(&a), before, "read-only wrote");
    }
}
