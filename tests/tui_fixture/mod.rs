//! A small database for the console's tests, built through the store's own
//! API with a fixed clock: activation, posts, communities, one vehicle per
//! pass verdict, deliveries (one overdue), alerts (one escalated), notes.
//! With shifts: 张伟's night shift handed over to 李明, who acknowledged one
//! of its two items, and 李明's shift since; handed over, it goes to 王静.
//! Also: drawing an App into a TestBackend and reading the screen back.

#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use supplydesk::config::{Config, PostConfig};
use supplydesk::domain::activation::ActivationAction;
use supplydesk::domain::alert::{ItemClass, Severity};
use supplydesk::domain::delivery::{Group, Urgency};
use supplydesk::domain::log::LogKind;
use supplydesk::domain::pass::PassKind;
use supplydesk::domain::shift::CarryKind;
use supplydesk::domain::unit::{Capacity, UnitCategory};
use supplydesk::i18n::Lang;
use supplydesk::report::handover::ReportOptions;
use supplydesk::store::alerts::NewAlert;
use supplydesk::store::deliveries::NewDelivery;
use supplydesk::store::pass_actions::{IssueOutcome, NewPass, NewVehicle, PassVehicle};
use supplydesk::store::places::{NewCommunity, NewCompound, NewRecipient, NewSupplyUnit, Ref};
use supplydesk::store::shifts::{AckTarget, CarryRules};
use supplydesk::store::{Actor, Clock, Store};
use supplydesk::tui::theme::Theme;
use supplydesk::tui::{App, ReadOnly, Setup, view};

/// 10:00 in Shanghai.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, 2, 0, 0).unwrap()
}

pub fn actor() -> Actor {
    actor_named("李明")
}

pub fn actor_named(officer: &str) -> Actor {
    Actor {
        officer: officer.into(),
        os_user: "duty".into(),
        ssh_client: None,
    }
}

/// The carry-over rules of the fixture's config.
pub fn carry_rules() -> CarryRules {
    ReportOptions::from_config(&config()).carry_rules()
}

fn at(store: &mut Store, t: DateTime<Utc>) {
    store.set_clock(Clock::Fixed(t));
}

fn issue(store: &mut Store, plate: &str, driver: &str, from_h: i64, until_h: i64) -> i64 {
    let a = actor();
    let out = store
        .issue_pass(
            &a,
            &NewPass {
                kind: PassKind::Vehicle,
                vehicle: Some(PassVehicle::New(NewVehicle {
                    plate: plate.into(),
                    vehicle_type: Some("厢式货车".into()),
                    load_tonnes: Some(2.5),
                    unit: Some(Ref::Name("双河口粮油配送中心".into())),
                    driver: Some(driver.into()),
                    phone: Some("13812345678".into()),
                })),
                subject: None,
                unit: None,
                issuer: "经发办".into(),
                valid_from: t0() + Duration::hours(from_h),
                valid_until: t0() + Duration::hours(until_h),
                area: Some("双河口街道全域".into()),
                number: None,
            },
            false,
        )
        .expect("issue pass");
    match out {
        IssueOutcome::Issued { id, .. } => id,
        IssueOutcome::NeedsConfirmation { message, .. } => panic!("{message}"),
    }
}

/// The fixture database in memory, its clock left at [`t0`].
pub fn store() -> Store {
    fill(Store::open_in_memory().unwrap())
}

/// The fixture database in a file (for a second connection).
pub fn store_file(path: &std::path::Path) -> Store {
    let opts = supplydesk::store::OpenOptions {
        create: true,
        ..Default::default()
    };
    fill(Store::open(path, opts).unwrap())
}

/// The fixture with shifts: 李明 on duty since 22:00 (shift #2), after
/// 张伟's shift #1, whose pass item 李明 left unacknowledged.
pub fn shift_store() -> Store {
    fill_with(Store::open_in_memory().unwrap(), true)
}

/// [`shift_store`] with 李明's shift handed over to 王静 at 10:00.
pub fn handed_over_store() -> Store {
    let mut s = shift_store();
    s.end_shift(&actor(), "王静", None, &carry_rules())
        .expect("hand over");
    s
}

pub fn fill(s: Store) -> Store {
    fill_with(s, false)
}

pub fn fill_with(s: Store, shifts: bool) -> Store {
    let mut s = s.with_clock(Clock::Fixed(t0() - Duration::days(3)));
    let a = actor();
    let posts: Vec<(String, String)> = supplydesk::config::default_posts()
        .into_iter()
        .map(|PostConfig { name, unit }| (name, unit))
        .collect();
    s.ensure_posts(&a, &posts).unwrap();
    for (name, kind) in [
        ("螺蛳包社区", "community"),
        ("一碗水社区", "community"),
        ("学堂湾社区", "community"),
        ("槽房社区", "community"),
        ("龙宝村", "village"),
    ] {
        use supplydesk::domain::Code;
        s.add_community(
            &a,
            &NewCommunity {
                name: name.into(),
                kind: supplydesk::domain::place::CommunityKind::from_code(kind),
                resident_pop: 3200,
                floating_pop: 400,
                households: 1100,
                contact: Some("周红".into()),
                phone: Some("13900001111".into()),
            },
        )
        .unwrap();
    }
    let (dishui, _) = s
        .add_compound(
            &a,
            &NewCompound {
                community: Ref::Name("一碗水社区".into()),
                name: "滴水岩小区".into(),
                kind: None,
                households: 235,
                resident_pop: 516,
                floating_pop: 20,
                transfer_station: Some("小区南门".into()),
            },
        )
        .unwrap();
    s.add_supply_unit(
        &a,
        &NewSupplyUnit {
            name: "双河口粮油配送中心".into(),
            category: UnitCategory::GrainOil,
            community: Some(Ref::Name("螺蛳包社区".into())),
            address: None,
            contact: Some("陈刚".into()),
            phone: Some("13700002222".into()),
            capacity: Capacity::default(),
        },
    )
    .unwrap();

    // Activation, about 40 hours ago.
    at(&mut s, t0() - Duration::hours(40));
    s.set_activation(
        &a,
        ActivationAction::Activate,
        "联控指挥部〔2022〕60号",
        None,
    )
    .unwrap();
    at(&mut s, t0() - Duration::hours(39));
    for p in ["组长", "经发办", "应急办", "交巡警龙都大队"] {
        s.mark_post_manned(&a, Ref::Name(p.into()), true).unwrap();
    }
    s.mark_community_reported(&a, Ref::Name("螺蛳包社区".into()))
        .unwrap();
    s.mark_community_reported(&a, Ref::Name("一碗水社区".into()))
        .unwrap();

    // Passes: one vehicle per verdict.
    at(&mut s, t0() - Duration::hours(30));
    issue(&mut s, "渝F12345", "张建国", -24, 24 * 7); // valid
    issue(&mut s, "渝F23456", "王小平", -24, 5); // expiring
    issue(&mut s, "渝F34567", "刘强", -24, -2); // expired by t0
    let suspended = issue(&mut s, "渝F45678", "赵军", -24, 24 * 7);
    let revoked = issue(&mut s, "渝F56789", "孙伟", -24, 24 * 7);
    at(&mut s, t0() - Duration::hours(6));
    s.suspend_pass(&a, suspended, "驾驶员健康码异常").unwrap();
    s.revoke_pass(&a, revoked, "违规载客").unwrap();

    // Recipients and deliveries.
    at(&mut s, t0() - Duration::hours(20));
    let (r1, _) = s
        .add_recipient(
            &a,
            &NewRecipient {
                name: "欧阳秀英".into(),
                phone: Some("13512345678".into()),
                id_number: None,
                group: Group::Dialysis,
                condition: Some("尿毒症".into()),
                community: Ref::Name("一碗水社区".into()),
                compound_id: Some(dishui),
                building: Some("3栋".into()),
                unit_no: Some("2单元".into()),
                room: Some("501".into()),
                needs: Some("透析用药".into()),
            },
        )
        .unwrap();
    let (r2, _) = s
        .add_recipient(
            &a,
            &NewRecipient {
                name: "张德明".into(),
                phone: None,
                id_number: None,
                group: Group::ElderlyAlone,
                condition: None,
                community: Ref::Name("螺蛳包社区".into()),
                compound_id: None,
                building: Some("7栋".into()),
                unit_no: None,
                room: Some("102".into()),
                needs: None,
            },
        )
        .unwrap();
    s.queue_delivery(
        &a,
        &NewDelivery {
            recipient_id: r1,
            items: "透析药品 1 箱".into(),
            urgency: Urgency::Urgent,
            due_at: t0() - Duration::hours(1),
        },
    )
    .unwrap();
    s.queue_delivery(
        &a,
        &NewDelivery {
            recipient_id: r2,
            items: "米 10 斤、菜 5 斤".into(),
            urgency: Urgency::Normal,
            due_at: t0() + Duration::hours(4),
        },
    )
    .unwrap();

    if shifts {
        // 张伟's night shift, handed over to 李明 at 22:00, who signs for
        // the expired pass and leaves the other item open.
        let zw = actor_named("张伟");
        s.start_shift(&zw).unwrap();
        at(&mut s, t0() - Duration::hours(12));
        let h = s
            .end_shift_with(
                &zw,
                "李明",
                None,
                &carry_rules(),
                &[(CarryKind::Watch, "龙宝村道路施工，车辆绕行".into())],
            )
            .unwrap();
        let pos = h
            .items
            .iter()
            .find(|i| i.summary_en.contains("F34567"))
            .map_or(1, |i| i.pos);
        at(&mut s, t0() - Duration::hours(12) + Duration::minutes(5));
        s.acknowledge_handover(&a, None, AckTarget::Item(pos))
            .unwrap();
        // An alert raised in the night and cancelled as a duplicate.
        at(&mut s, t0() - Duration::hours(7));
        let (dup, _) = s
            .raise_alert(
                &a,
                &NewAlert {
                    community: Ref::Name("龙宝村".into()),
                    compound: None,
                    item: ItemClass::EggsMilk,
                    severity: Severity::Low,
                    households: 6,
                    source: Some("村委会".into()),
                    text: "鸡蛋供应偏紧".into(),
                },
            )
            .unwrap();
        at(&mut s, t0() - Duration::hours(5));
        s.cancel_alert(&a, dup, "与村委会上午来电重复").unwrap();
    }

    // Alerts: an old critical one (escalated), two fresh ones.
    at(&mut s, t0() - Duration::hours(3));
    s.raise_alert(
        &a,
        &NewAlert {
            community: Ref::Name("一碗水社区".into()),
            compound: Some(Ref::Name("滴水岩小区".into())),
            item: ItemClass::Medicine,
            severity: Severity::Critical,
            households: 12,
            source: Some("社区电话".into()),
            text: "血透患者药品告急".into(),
        },
    )
    .unwrap();
    at(&mut s, t0() - Duration::minutes(40));
    let mut fresh = Vec::new();
    for (c, item, sev, n) in [
        ("螺蛳包社区", ItemClass::Vegetables, Severity::High, 80),
        ("一碗水社区", ItemClass::Grain, Severity::Medium, 40),
    ] {
        let (id, _) = s
            .raise_alert(
                &a,
                &NewAlert {
                    community: Ref::Name(c.into()),
                    compound: None,
                    item,
                    severity: sev,
                    households: n,
                    source: None,
                    text: String::new(),
                },
            )
            .unwrap();
        fresh.push(id);
    }
    if shifts {
        at(&mut s, t0() - Duration::minutes(25));
        s.acknowledge_alert(&a, fresh[0]).unwrap();
        s.resolve_alert(&a, fresh[0], "已调运蔬菜 2 吨").unwrap();
    }
    at(&mut s, t0() - Duration::minutes(10));
    s.add_entry(
        &a,
        LogKind::Call,
        "区指挥部来电：今晚增派两辆保供车",
        None,
        None,
    )
    .unwrap();
    s.add_entry(
        &a,
        LogKind::Note,
        "交巡警龙都大队已到岗，检查点设在万州大道路口",
        None,
        None,
    )
    .unwrap();
    at(&mut s, t0());
    s
}

pub fn config() -> Config {
    Config::default()
}

pub fn app_with(
    store: Store,
    lang: Lang,
    read_only: Option<ReadOnly>,
    officer: Option<&str>,
) -> App {
    App::new(
        store,
        Setup {
            read_only,
            officer: officer.map(str::to_string),
            lang,
            config: config(),
            theme: Theme {
                mono: true,
                ..Default::default()
            },
        },
    )
}

pub fn app(lang: Lang) -> App {
    app_with(store(), lang, None, Some("王静"))
}

/// The screen as text, one line per row, trailing spaces cut.
pub fn screen(app: &mut App, w: u16, h: u16) -> String {
    app.resize(w, h);
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| view::draw(f, app)).unwrap();
    text(term.backend().buffer())
}

pub fn text(buf: &Buffer) -> String {
    let w = buf.area.width as usize;
    let mut out = String::new();
    if w == 0 {
        return out;
    }
    for row in buf.content.chunks(w) {
        let mut line = String::new();
        let mut skip = 0usize;
        for c in row {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            line.push_str(c.symbol());
            skip = unicode_width::UnicodeWidthStr::width(c.symbol()).saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

pub fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

pub fn code(k: KeyCode) -> KeyEvent {
    KeyEvent::new(k, KeyModifiers::NONE)
}

pub fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

pub fn type_str(app: &mut App, s: &str) {
    for c in s.chars() {
        app.on_key(key(c));
    }
}

/// The demo's scale-1 data, seed 2022, in memory, at [`t0`].
pub fn demo_store() -> Store {
    let mut s = Store::open_in_memory()
        .unwrap()
        .with_clock(Clock::Fixed(t0()));
    supplydesk::demo::generate(
        &mut s,
        &actor(),
        supplydesk::demo::DemoOptions {
            scale: 1,
            seed: 2022,
        },
    )
    .unwrap();
    s.set_clock(Clock::Fixed(t0()));
    s
}

/// The newest log entry's number.
pub fn head(app: &App) -> i64 {
    app.store.head().unwrap().seq
}

/// The flash in English, or nothing.
pub fn flash_en(app: &App) -> String {
    app.flash
        .as_ref()
        .map(|f| f.msg.en.clone())
        .unwrap_or_default()
}

pub fn enter() -> KeyEvent {
    code(KeyCode::Enter)
}

pub fn esc() -> KeyEvent {
    code(KeyCode::Esc)
}

pub fn tab() -> KeyEvent {
    code(KeyCode::Tab)
}
