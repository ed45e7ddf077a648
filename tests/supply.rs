//! The supply picture through the real store, against a real SQLite file:
//! stock reports and days of cover, predicted alerts raised once, cleared
//! on recovery unless an officer took them over, each logged; market
//! reports; contacts, coverage gaps, queuing them, welfare checks; transfer
//! gaps; and what is refused without writing anything.

mod common;

use chrono::{Duration, Utc};
use supplydesk::domain::Code;
use supplydesk::domain::activation::ActivationAction;
use supplydesk::domain::alert::{AlertState, ItemClass, Severity};
use supplydesk::domain::cover::{AlertKind, ContactChannel, Cover, MarketKind, Norms};
use supplydesk::domain::delivery::{DeliveryState, FailReason, Group, Urgency};
use supplydesk::domain::place::BuildingKind;
use supplydesk::domain::unit::{Capacity, UnitCategory};
use supplydesk::store::deliveries::{Assignee, NewDelivery};
use supplydesk::store::places::{
    NewBuilding, NewCompound, NewRecipient, NewSupplyUnit, NewVolunteer, Ref,
};
use supplydesk::store::supply::{
    MarketTarget, NewContact, NewMarketReport, NewStockReport, PredictedChange, Reach, StockSource,
};
use supplydesk::store::{Actor, Clock, Head, LogDraft, Store, StoreError};

use common::places::{dishuiyan, named, query_plan, store_with, t0, yiwanshui};
use common::{Desk, count, fails, succeeds};

fn officer() -> Actor {
    common::officer("王静")
}

struct World {
    community: i64,
    empty: i64,
    compound: i64,
    bare_compound: i64,
    unit: i64,
    far_unit: i64,
    volunteer: i64,
}

/// 一碗水社区 (5,000 residents, 300 floating: grain need 2,120 kg a day),
/// an empty community, a compound with a station and one without, a
/// supply unit in the community and one outside it.
fn world(s: &mut Store) -> World {
    let a = officer();
    let (community, _) = s.add_community(&a, &yiwanshui()).unwrap();
    let (empty, _) = s.add_community(&a, &named("石梁村")).unwrap();
    let (compound, _) = s.add_compound(&a, &dishuiyan(community)).unwrap();
    let (bare_compound, _) = s
        .add_compound(
            &a,
            &NewCompound {
                community: Ref::Id(community),
                name: "学堂湾小区".into(),
                kind: None,
                households: 120,
                resident_pop: 300,
                floating_pop: 10,
                transfer_station: None,
            },
        )
        .unwrap();
    s.add_building(
        &a,
        &NewBuilding {
            compound_id: compound,
            name: "1栋".into(),
            kind: BuildingKind::Building,
            households: 40,
            transfer_point: Some("1栋大厅".into()),
        },
    )
    .unwrap();
    s.add_building(
        &a,
        &NewBuilding {
            compound_id: compound,
            name: "2栋".into(),
            kind: BuildingKind::Building,
            households: 40,
            transfer_point: None,
        },
    )
    .unwrap();
    let unit_of = |name: &str, community: Option<i64>| NewSupplyUnit {
        name: name.into(),
        category: UnitCategory::GrainOil,
        community: community.map(Ref::Id),
        address: None,
        contact: None,
        phone: None,
        capacity: Capacity::default(),
    };
    let (unit, _) = s
        .add_supply_unit(&a, &unit_of("双河口粮油店", Some(community)))
        .unwrap();
    let (far_unit, _) = s
        .add_supply_unit(&a, &unit_of("万州粮油批发市场", None))
        .unwrap();
    let (volunteer, _) = s
        .add_volunteer(
            &a,
            &NewVolunteer {
                name: "李明".into(),
                phone: None,
                community: Ref::Id(community),
                compound_id: None,
                building_id: None,
                station: None,
                tasks: None,
            },
        )
        .unwrap();
    World {
        community,
        empty,
        compound,
        bare_compound,
        unit,
        far_unit,
        volunteer,
    }
}

fn grain(community: i64, stock: f64, supply_in: f64) -> NewStockReport {
    NewStockReport {
        community: Some(Ref::Id(community)),
        item: ItemClass::Grain,
        source: StockSource::Community,
        stock,
        supply_in,
        reported_at: None,
        reporter: Some("社区书记".into()),
        channel: Some("电话".into()),
    }
}

fn open_predicted(s: &Store) -> i64 {
    count(
        s,
        "SELECT COUNT(*) FROM alert WHERE predicted = 1 AND state NOT IN ('resolved','cancelled')",
    )
}

/// The entries after `before`: (subject, text), in order.
fn entries_since(s: &Store, before: &Head) -> Vec<(String, String)> {
    let head = s.head().unwrap();
    ((before.seq + 1)..=head.seq)
        .map(|q| {
            let e = s.entry(q).unwrap().unwrap();
            assert_eq!(e.officer, "王静");
            (e.subject.unwrap_or_default(), e.text)
        })
        .collect()
}

#[track_caller]
fn refused<T: std::fmt::Debug>(s: &Store, before: &Head, r: Result<T, StoreError>, needle: &str) {
    let e = r.expect_err("should have been refused");
    let m = e.message();
    assert!(
        m.en.contains(needle) || m.zh.contains(needle),
        "{needle:?} not in {m:?}"
    );
    assert!(!m.zh.is_empty() && !m.en.is_empty());
    assert_eq!(&s.head().unwrap(), before, "nothing was written");
}

#[test]
fn a_low_report_raises_one_predicted_alert_and_recovery_clears_it() {
    let (_d, mut s, w) = store_with(world);
    let n = Norms::default();
    let a = officer();

    // 4,000 kg against a draw of 2,120 − 120 = 2,000 a day: 2 days.
    let before = s.head().unwrap();
    let r = s
        .record_stock(&a, &grain(w.community, 4000.0, 120.0), &n)
        .unwrap();
    assert_eq!(r.cover.cover, Cover::Days(2.0));
    assert_eq!(r.cover.need, 2120.0);
    assert!(r.cover.below);
    let Some(PredictedChange::Raised {
        alert_id,
        severity,
        seq,
        ..
    }) = r.predicted
    else {
        panic!("{:?}", r.predicted)
    };
    assert_eq!(severity, Severity::Medium);
    assert_eq!(r.cover.predicted_alert, Some(alert_id));
    let log = entries_since(&s, &before);
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(log[0].0, format!("stock_report:{}", r.report_id));
    assert!(
        log[0].1.contains("4000 kg") && log[0].1.contains("可供 cover 2.0 天"),
        "{}",
        log[0].1
    );
    assert_eq!(log[1].0, format!("alert:{alert_id}"));
    assert!(
        log[1].1.contains("Predicted shortage alert"),
        "{}",
        log[1].1
    );
    assert_eq!(seq, s.head().unwrap().seq);
    let row = s
        .alerts_of_community(w.community, false, t0(), &Default::default(), 0, 10)
        .unwrap();
    assert_eq!(row.len(), 1);
    assert_eq!(row[0].state, AlertState::Open);
    assert_eq!(row[0].item, ItemClass::Grain);
    assert_eq!(row[0].households, 1800);
    let predicted: i64 = count(
        &s,
        &format!("SELECT predicted FROM alert WHERE id = {alert_id}"),
    );
    assert_eq!(predicted, 1);

    // Lower still: no second alert while the first is open.
    s.set_clock(Clock::Fixed(t0() + Duration::hours(2)));
    let before = s.head().unwrap();
    let r = s
        .record_stock(&a, &grain(w.community, 3000.0, 120.0), &n)
        .unwrap();
    assert_eq!(r.cover.cover, Cover::Days(1.5));
    assert_eq!(r.predicted, None);
    assert_eq!(open_predicted(&s), 1);
    assert_eq!(entries_since(&s, &before).len(), 1, "the report only");

    // Recovery: 12,000 kg is 6 days; the alert clears itself, logged.
    s.set_clock(Clock::Fixed(t0() + Duration::hours(4)));
    let before = s.head().unwrap();
    let r = s
        .record_stock(&a, &grain(w.community, 12000.0, 120.0), &n)
        .unwrap();
    assert_eq!(r.cover.cover, Cover::Days(6.0));
    assert!(
        matches!(r.predicted, Some(PredictedChange::Cleared { alert_id: id, .. }) if id == alert_id)
    );
    assert_eq!(r.cover.predicted_alert, None);
    let log = entries_since(&s, &before);
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].0, format!("alert:{alert_id}"));
    assert!(log[1].1.contains("cleared"), "{}", log[1].1);
    let (state, resolution, closed): (String, String, Option<String>) = s
        .conn()
        .query_row(
            "SELECT state, resolution, closed_at FROM alert WHERE id = ?1",
            [alert_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(state, "resolved");
    assert!(resolution.contains("recovered"), "{resolution}");
    assert!(closed.is_some());
    assert_eq!(open_predicted(&s), 0);

    // Low again: a new prediction.
    s.set_clock(Clock::Fixed(t0() + Duration::hours(6)));
    let r = s
        .record_stock(&a, &grain(w.community, 1000.0, 120.0), &n)
        .unwrap();
    assert!(matches!(
        r.predicted,
        Some(PredictedChange::Raised {
            severity: Severity::Critical,
            ..
        })
    ));
    assert_eq!(open_predicted(&s), 1);
    assert!(s.verify_log().unwrap().ok());
}

#[test]
fn a_prediction_an_officer_took_over_is_not_cleared() {
    let (_d, mut s, w) = store_with(world);
    let n = Norms::default();
    let a = officer();
    for take_over in ["acknowledge", "dispatch"] {
        let r = s
            .record_stock(&a, &grain(w.community, 2000.0, 0.0), &n)
            .unwrap();
        let Some(PredictedChange::Raised { alert_id, .. }) = r.predicted else {
            panic!("{:?}", r.predicted)
        };
        if take_over == "acknowledge" {
            s.acknowledge_alert(&a, alert_id).unwrap();
        } else {
            s.dispatch_alert(&a, alert_id, "双河口粮油店").unwrap();
        }
        let before = s.head().unwrap();
        let r = s
            .record_stock(&a, &grain(w.community, 50000.0, 0.0), &n)
            .unwrap();
        assert!(r.cover.cover.days().unwrap() > 20.0);
        assert_eq!(r.predicted, None, "{take_over}");
        assert_eq!(entries_since(&s, &before).len(), 1);
        let state: String = s
            .conn()
            .query_row("SELECT state FROM alert WHERE id = ?1", [alert_id], |r| {
                r.get(0)
            })
            .unwrap();
        assert_ne!(state, "cancelled", "{take_over}");
        // The officer closes it.
        if take_over == "acknowledge" {
            s.resolve_alert(&a, alert_id, "粮油店已补货").unwrap();
        } else {
            s.resolve_alert(&a, alert_id, "已到货").unwrap();
        }
    }
}

#[test]
fn no_consumption_is_a_dash_and_clears_an_untouched_prediction() {
    let (_d, mut s, w) = store_with(world);
    let n = Norms::default();
    let a = officer();
    s.record_stock(&a, &grain(w.community, 100.0, 0.0), &n)
        .unwrap();
    assert_eq!(open_predicted(&s), 1);
    // Deliveries of 2,500 kg a day exceed the need of 2,120: no draw.
    let r = s
        .record_stock(&a, &grain(w.community, 100.0, 2500.0), &n)
        .unwrap();
    assert_eq!(r.cover.cover, Cover::NoConsumption);
    assert_eq!(r.cover.cover.text(), "—");
    assert_eq!(r.cover.days, None);
    assert!(matches!(r.predicted, Some(PredictedChange::Cleared { .. })));
    // An empty village needs nothing, whatever it holds.
    let mut empty = grain(w.empty, 0.0, 0.0);
    empty.item = ItemClass::Vegetables;
    let r = s.record_stock(&a, &empty, &n).unwrap();
    assert_eq!(r.cover.population, 0);
    assert_eq!(r.cover.cover, Cover::NoConsumption);
    assert_eq!(r.predicted, None);
    // Medicine has no per-person norm by default.
    let mut med = grain(w.community, 10.0, 0.0);
    med.item = ItemClass::Medicine;
    let r = s.record_stock(&a, &med, &n).unwrap();
    assert_eq!(r.cover.cover, Cover::NoConsumption);
}

#[test]
fn stale_reports_are_flagged_and_decide_nothing() {
    let (_d, mut s, w) = store_with(world);
    let n = Norms::default();
    let a = officer();
    let mut old = grain(w.community, 500.0, 0.0);
    old.reported_at = Some(t0() - Duration::hours(30));
    let before = s.head().unwrap();
    let r = s.record_stock(&a, &old, &n).unwrap();
    assert!(
        matches!(r.cover.cover, Cover::Stale { .. }),
        "{:?}",
        r.cover.cover
    );
    assert_eq!(r.cover.status, "stale");
    assert!(!r.cover.below, "not trusted");
    assert_eq!(r.predicted, None);
    let log = entries_since(&s, &before);
    assert_eq!(log.len(), 1);
    assert!(log[0].1.contains("stale"), "{}", log[0].1);
    let occurred: Option<String> = s
        .conn()
        .query_row(
            "SELECT occurred_at FROM duty_log WHERE seq = ?1",
            [before.seq + 1],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        occurred.is_some(),
        "the moment of the figures is the entry's occurred_at"
    );
}

#[test]
fn sources_are_summed_and_one_falling_silent_is_caught_by_a_refresh() {
    let (_d, mut s, w) = store_with(world);
    let n = Norms::default();
    let a = officer();
    // The grain shop holds 10,000 kg; the community's own count 2,000.
    let shop = NewStockReport {
        community: None,
        source: StockSource::Unit(Ref::Name("双河口粮油店".into())),
        ..grain(w.community, 10000.0, 0.0)
    };
    let r = s.record_stock(&a, &shop, &n).unwrap();
    assert_eq!(r.cover.cover, Cover::Days(10000.0 / 2120.0));
    s.set_clock(Clock::Fixed(t0() + Duration::hours(20)));
    let station = NewStockReport {
        source: StockSource::Station(Ref::Name("滴水岩小区".into())),
        ..grain(w.community, 2000.0, 0.0)
    };
    let r = s.record_stock(&a, &station, &n).unwrap();
    assert_eq!(r.cover.stock, 12000.0);
    assert_eq!(r.cover.fresh_sources, 2);
    assert_eq!(r.cover.as_of, Some(t0()), "as of the older figure");
    assert_eq!(r.predicted, None);
    // A newer figure of one source replaces its older one.
    let r = s.record_stock(&a, &station, &n).unwrap();
    assert_eq!(r.cover.stock, 12000.0);
    // 30 hours on, the shop's figure is stale and drops out: 2,000 kg is
    // under a day. The refresh raises the prediction, logged.
    s.set_clock(Clock::Fixed(t0() + Duration::hours(30)));
    let all = s.cover_all(s.now(), &n).unwrap();
    let cell = all
        .iter()
        .find(|c| c.community_id == w.community && c.item == ItemClass::Grain)
        .unwrap();
    assert_eq!(cell.stock, 2000.0);
    assert!(cell.below);
    let before = s.head().unwrap();
    let changes = s.refresh_predictions(&a, &n).unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert!(matches!(
        changes[0],
        PredictedChange::Raised {
            severity: Severity::Critical,
            ..
        }
    ));
    let log = entries_since(&s, &before);
    assert_eq!(log.len(), 1);
    assert!(log[0].0.starts_with("alert:"));
    // Nothing more to do: nothing written.
    let before = s.head().unwrap();
    assert!(s.refresh_predictions(&a, &n).unwrap().is_empty());
    assert_eq!(s.head().unwrap(), before);
}

#[test]
fn cover_all_lists_every_community_and_item_as_the_cell_does() {
    let (_d, mut s, w) = store_with(world);
    let n = Norms::default();
    let a = officer();
    s.record_stock(&a, &grain(w.community, 4000.0, 120.0), &n)
        .unwrap();
    let mut veg = grain(w.community, 9000.0, 1000.0);
    veg.item = ItemClass::Vegetables;
    s.record_stock(&a, &veg, &n).unwrap();
    let all = s.cover_all(s.now(), &n).unwrap();
    let communities = count(&s, "SELECT COUNT(*) FROM community");
    assert_eq!(all.len() as i64, communities * ItemClass::ALL.len() as i64);
    for row in &all {
        let cell = s
            .cover_of(&Ref::Id(row.community_id), row.item, &n)
            .unwrap();
        assert_eq!(&cell, row);
    }
    let veg = all
        .iter()
        .find(|c| c.community_id == w.community && c.item == ItemClass::Vegetables)
        .unwrap();
    // 5,300 × 0.5 = 2,650 a day; 1,650 net; 9,000 / 1,650.
    assert_eq!(veg.need, 2650.0);
    assert_eq!(veg.cover, Cover::Days(9000.0 / 1650.0));
    let oil = all
        .iter()
        .find(|c| c.community_id == w.community && c.item == ItemClass::Oil)
        .unwrap();
    assert_eq!(oil.cover, Cover::NoReport);
    assert_eq!(oil.status, "no_report");
    // As of an earlier moment, the reports recorded later do not count.
    let earlier = s.cover_all(t0() - Duration::minutes(1), &n).unwrap();
    assert!(earlier.iter().all(|c| c.cover == Cover::NoReport));
    // The window query reads the covering index, not the table.
    let plan = query_plan(&s, supplydesk::store::supply::COVER_RECENT_SQL);
    assert!(
        plan.contains("COVERING INDEX stock_report_recent"),
        "{plan}"
    );
}

#[test]
fn a_community_norm_changes_the_need_and_the_prediction_follows() {
    let (_d, mut s, w) = store_with(world);
    let n = Norms::default();
    let a = officer();
    // 7,000 kg is 3.3 days at 0.4 kg a head: no alert.
    let r = s
        .record_stock(&a, &grain(w.community, 7000.0, 0.0), &n)
        .unwrap();
    assert_eq!(r.predicted, None);
    // Every meal cooked at home: half a kilo a head.
    let before = s.head().unwrap();
    let (seq, change) = s
        .set_norm(
            &a,
            &Ref::Name("一碗水".into()),
            ItemClass::Grain,
            Some(0.5),
            &n,
        )
        .unwrap();
    assert!(
        matches!(change, Some(PredictedChange::Raised { .. })),
        "{change:?}"
    );
    let log = entries_since(&s, &before);
    assert_eq!(log.len(), 2);
    assert!(log[0].0.starts_with("norm_override:"));
    assert_eq!(seq, before.seq + 1);
    let cell = s
        .cover_of(&Ref::Id(w.community), ItemClass::Grain, &n)
        .unwrap();
    assert!(cell.overridden);
    assert_eq!(cell.need, 2650.0);
    // Back to the norm: 3.3 days again, the untouched prediction clears.
    let (_, change) = s
        .set_norm(&a, &Ref::Id(w.community), ItemClass::Grain, None, &n)
        .unwrap();
    assert!(
        matches!(change, Some(PredictedChange::Cleared { .. })),
        "{change:?}"
    );
    assert!(
        !s.cover_of(&Ref::Id(w.community), ItemClass::Grain, &n)
            .unwrap()
            .overridden
    );
    let before = s.head().unwrap();
    let r = s.set_norm(&a, &Ref::Id(w.community), ItemClass::Grain, None, &n);
    refused(&s, &before, r, "nothing to change");
}

#[test]
fn mistakes_are_refused_without_writing() {
    let (_d, mut s, w) = store_with(world);
    let n = Norms::default();
    let a = officer();
    let before = s.head().unwrap();
    let future = NewStockReport {
        reported_at: Some(t0() + Duration::hours(1)),
        ..grain(w.community, 1.0, 0.0)
    };
    for (report, needle) in [
        (grain(w.community, -1.0, 0.0), "stock"),
        (grain(w.community, f64::NAN, 0.0), "stock"),
        (grain(w.community, 1.0, 1e12), "supply in"),
        (future, "future"),
        (
            NewStockReport {
                community: Some(Ref::Name("不存在社区".into())),
                ..grain(w.community, 1.0, 0.0)
            },
            "no community called",
        ),
        (
            NewStockReport {
                community: None,
                ..grain(w.community, 1.0, 0.0)
            },
            "No community was given",
        ),
        (
            NewStockReport {
                source: StockSource::Station(Ref::Id(w.bare_compound)),
                ..grain(w.community, 1.0, 0.0)
            },
            "no transfer station",
        ),
        (
            NewStockReport {
                community: None,
                source: StockSource::Unit(Ref::Id(w.far_unit)),
                ..grain(w.community, 1.0, 0.0)
            },
            "not registered in a community",
        ),
        (
            NewStockReport {
                source: StockSource::Outlet(Ref::Name("永辉超市".into())),
                ..grain(w.community, 1.0, 0.0)
            },
            "no outlet",
        ),
    ] {
        let r = s.record_stock(&a, &report, &n);
        refused(&s, &before, r, needle);
    }
    let r = s.set_norm(&a, &Ref::Id(w.community), ItemClass::Oil, Some(-0.1), &n);
    refused(&s, &before, r, "daily need per person");
    // A unit outside the sub-district is fine once the community is named.
    let r = s
        .record_stock(
            &a,
            &NewStockReport {
                source: StockSource::Unit(Ref::Id(w.far_unit)),
                ..grain(w.community, 1.0, 0.0)
            },
            &n,
        )
        .unwrap();
    assert_eq!(r.cover.community_id, w.community);
}

#[test]
fn market_reports_are_their_own_alert_kind_for_the_market_station() {
    let (_d, mut s, w) = store_with(world);
    let a = officer();
    // An outlet, as the ledger import writes it.
    s.change(&a, |wr| {
        let id = wr.next_id("outlet")?;
        let seq = wr.log(LogDraft::change(format!("outlet:{id}"), "登记网点 outlet 永辉超市"))?;
        wr.conn().execute(
            "INSERT INTO outlet (id, community_id, name, category, log_seq) VALUES (?1, ?2, '永辉超市', '超市', ?3)",
            rusqlite::params![id, w.community, seq],
        )?;
        Ok(())
    })
    .unwrap();
    let before = s.head().unwrap();
    let (id, seq) = s
        .report_market(
            &a,
            &NewMarketReport {
                target: MarketTarget::Outlet(Ref::Name("永辉超市".into())),
                community: None,
                kind: MarketKind::Gouging,
                item: Some(ItemClass::Vegetables),
                severity: None,
                source: Some("居民举报".into()),
                text: "青菜每斤售价 12 元，较平日翻三倍".into(),
            },
        )
        .unwrap();
    let log = entries_since(&s, &before);
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].0, format!("alert:{id}"));
    assert!(
        log[0].1.contains("哄抬物价") && log[0].1.contains("市场监管所"),
        "{}",
        log[0].1
    );
    assert_eq!(seq, before.seq + 1);
    let (kind, market, handler, severity, state): (String, String, String, String, String) = s
        .conn()
        .query_row(
            "SELECT kind, market_kind, handler, severity, state FROM alert WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(
        (
            kind.as_str(),
            market.as_str(),
            handler.as_str(),
            severity.as_str(),
            state.as_str()
        ),
        ("market", "gouging", "市场监管所", "high", "open")
    );
    let tag = s.alert_tag(id).unwrap();
    assert_eq!(tag.kind, AlertKind::Market);
    assert_eq!(tag.target.as_deref(), Some("永辉超市"));
    assert!(!tag.predicted);
    // On the board like any alert.
    let board = s
        .open_alerts_by_community(t0(), &Default::default(), false, 0, 10)
        .unwrap();
    assert_eq!(board[0].community_id, w.community);
    // The desk taking it up leaves it with the market station: the
    // officer is the entry's author, the station stays its handler.
    let before = s.head().unwrap();
    s.acknowledge_alert(&a, id).unwrap();
    let row = s.alert(id, t0(), &Default::default()).unwrap();
    assert_eq!(row.state, AlertState::Acknowledged);
    assert_eq!(row.kind, AlertKind::Market);
    assert!(!row.predicted);
    assert_eq!(row.handler.as_deref(), Some("市场监管所"));
    let log = entries_since(&s, &before);
    assert!(log[0].1.contains("handler 市场监管所"), "{}", log[0].1);
    s.dispatch_alert(&a, id, "市场监管所 执法队").unwrap();
    let row = s.alert(id, t0(), &Default::default()).unwrap();
    assert_eq!(row.handler.as_deref(), Some("市场监管所"));
    assert_eq!(row.dispatched_to.as_deref(), Some("市场监管所 执法队"));
    // A unit outside the sub-district needs the community named.
    let before = s.head().unwrap();
    let r = s.report_market(
        &a,
        &NewMarketReport {
            target: MarketTarget::Unit(Ref::Id(w.far_unit)),
            community: None,
            kind: MarketKind::Hoarding,
            item: None,
            severity: None,
            source: None,
            text: "囤积大米".into(),
        },
    );
    refused(&s, &before, r, "not registered in a community");
    let r = s.report_market(
        &a,
        &NewMarketReport {
            target: MarketTarget::Unit(Ref::Id(w.unit)),
            community: None,
            kind: MarketKind::Hoarding,
            item: None,
            severity: None,
            source: None,
            text: "  ".into(),
        },
    );
    refused(&s, &before, r, "empty");
    // The database refuses a market alert without a target.
    let raw = s.change(&a, |wr| {
        let seq = wr.log(LogDraft::change("alert:99", "x"))?;
        wr.conn().execute(
            "INSERT INTO alert (id, community_id, item, severity, state, opened_at, updated_at, log_seq, kind, market_kind)
             VALUES (99, ?1, 'other', 'low', 'open', 'x', 'x', ?2, 'market', 'hoarding')",
            rusqlite::params![w.community, seq],
        )?;
        Ok(())
    });
    assert!(raw.is_err());
}

struct People {
    dialysis: i64,
    elderly: i64,
    chronic: i64,
    home: i64,
}

fn people(s: &mut Store, w: &World) -> People {
    let a = officer();
    let mut add = |name: &str, phone: &str, group: Group| {
        s.add_recipient(
            &a,
            &NewRecipient {
                name: name.into(),
                phone: Some(phone.into()),
                id_number: None,
                group,
                condition: None,
                community: Ref::Id(w.community),
                compound_id: Some(w.compound),
                building: Some("3栋".into()),
                unit_no: None,
                room: Some("501".into()),
                needs: Some(format!("{name}的降压药、蔬菜")),
            },
        )
        .unwrap()
        .0
    };
    People {
        dialysis: add("张晓华", "13812345678", Group::Dialysis),
        elderly: add("王秀英", "13911112222", Group::ElderlyAlone),
        chronic: add("刘建国", "13733334444", Group::ChronicDisease),
        home: add("陈桂兰", "13655556666", Group::ElderlyAlone),
    }
}

#[test]
fn gaps_are_the_recipients_nobody_reached_and_can_be_queued_at_once() {
    let (_d, mut s, w) = store_with(world);
    let p = people(&mut s, &w);
    let n = Norms::default();
    let a = officer();
    // Not activated: nobody is a gap.
    assert_eq!(s.coverage_gaps(t0(), &n, 10).unwrap().total, 0);
    s.set_clock(Clock::Fixed(t0() - Duration::hours(50)));
    s.set_activation(
        &a,
        ActivationAction::Activate,
        "联控指挥部〔2022〕60号",
        None,
    )
    .unwrap();
    // A dialysis patient delivered to 10 hours ago; an elderly neighbour
    // phoned 30 hours ago (a day's period: a gap), another visited 3 hours
    // ago, a phone call that did not get through.
    s.set_clock(Clock::Fixed(t0() - Duration::hours(12)));
    let (d, _) = s
        .queue_delivery(
            &a,
            &NewDelivery {
                recipient_id: p.dialysis,
                items: "透析前用药".into(),
                urgency: Urgency::Urgent,
                due_at: t0() - Duration::hours(10),
            },
        )
        .unwrap();
    s.assign_delivery(&a, d, &Assignee::Volunteer(w.volunteer))
        .unwrap();
    s.depart_delivery(&a, d).unwrap();
    s.set_clock(Clock::Fixed(t0() - Duration::hours(10)));
    s.deliver(&a, d, "本人").unwrap();
    s.set_clock(Clock::Fixed(t0()));
    let contact = |rid, reached, h| NewContact {
        recipient_id: rid,
        channel: ContactChannel::Phone,
        reached,
        note: Some("王秀英说家里还有米 13911112222".into()),
        at: Some(t0() - Duration::hours(h)),
    };
    let before = s.head().unwrap();
    let (cid, _) = s.log_contact(&a, &contact(p.elderly, true, 30)).unwrap();
    let log = entries_since(&s, &before);
    assert_eq!(log[0].0, format!("contact:{cid}"));
    assert!(
        !log[0].1.contains("王秀英") && !log[0].1.contains("13911112222"),
        "{}",
        log[0].1
    );
    let note: String = s
        .conn()
        .query_row("SELECT note FROM contact WHERE id = ?1", [cid], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(!note.contains("王秀英"), "{note}");
    s.log_contact(
        &a,
        &NewContact {
            channel: ContactChannel::Visit,
            ..contact(p.home, true, 3)
        },
    )
    .unwrap();
    s.log_contact(&a, &contact(p.home, false, 1)).unwrap();

    let gaps = s.coverage_gaps(t0(), &n, 10).unwrap();
    let ids: Vec<i64> = gaps.rows.iter().map(|g| g.recipient_id).collect();
    // The chronic-disease patient has a week; the activation is 50 hours
    // old, so they are not due yet.
    assert_eq!(ids, vec![p.elderly], "{gaps:?}");
    assert!(!ids.contains(&p.chronic));
    let g = &gaps.rows[0];
    assert_eq!(g.last_reach, Some(Reach::Contact));
    assert_eq!(g.gap_since, t0() - Duration::hours(6));
    assert_eq!(g.overdue_minutes, 360);
    assert_eq!(g.recipient, "王*英");
    assert_eq!(gaps.not_queued, 1);
    assert_eq!(s.gap_count(t0(), &n).unwrap(), 1);
    // Two days on, the dialysis patient is due too (48 hours).
    let later = t0() + Duration::hours(40);
    let gaps = s.coverage_gaps(later, &n, 10).unwrap();
    assert!(
        gaps.rows
            .iter()
            .any(|g| g.recipient_id == p.dialysis && g.last_reach == Some(Reach::Delivered))
    );

    // Queue them all: one delivery per gap, one entry each.
    let before = s.head().unwrap();
    let q = s.queue_gaps(&a, &n).unwrap();
    assert_eq!(q.queued.len(), 1);
    assert_eq!(q.already_queued, 0);
    let (delivery, recipient, seq) = q.queued[0];
    assert_eq!(recipient, p.elderly);
    assert_eq!(seq, before.seq + 1);
    assert_eq!(q.seq_range(), format!("#{seq}"));
    let log = entries_since(&s, &before);
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].0, format!("delivery:{delivery}"));
    assert!(!log[0].1.contains("王秀英"), "{}", log[0].1);
    let row = s.delivery(delivery, t0()).unwrap();
    assert_eq!(row.state, DeliveryState::Queued);
    assert_eq!(row.urgency, Urgency::High);
    assert!(
        row.items.contains("降压药") && !row.items.contains("王秀英"),
        "{}",
        row.items
    );
    // Still a gap until reached, but already queued: not queued twice.
    let gaps = s.coverage_gaps(t0(), &n, 10).unwrap();
    assert_eq!(gaps.rows[0].open_delivery, Some(delivery));
    assert_eq!(gaps.not_queued, 0);
    let before = s.head().unwrap();
    let r = s.queue_gaps(&a, &n);
    refused(&s, &before, r, "already have a delivery");
    // A visit that reaches her takes her off the list.
    s.log_contact(&a, &contact(p.elderly, true, 0)).unwrap();
    assert_eq!(s.coverage_gaps(t0(), &n, 10).unwrap().total, 0);
    let before = s.head().unwrap();
    let r = s.queue_gaps(&a, &n);
    refused(&s, &before, r, "no coverage gaps");
    // Contacts cannot be logged for the future or for nobody.
    let r = s.log_contact(&a, &contact(p.home, true, -2));
    refused(&s, &before, r, "future");
    let r = s.log_contact(&a, &contact(9999, true, 1));
    refused(&s, &before, r, "no recipient");
}

#[test]
fn failed_deliveries_in_a_row_make_a_welfare_check_until_someone_reaches_them() {
    let (_d, mut s, w) = store_with(world);
    let p = people(&mut s, &w);
    let n = Norms::default();
    let a = officer();
    let (d, _) = s
        .queue_delivery(
            &a,
            &NewDelivery {
                recipient_id: p.home,
                items: "米面油".into(),
                urgency: Urgency::High,
                due_at: t0() + Duration::hours(4),
            },
        )
        .unwrap();
    let attempt = |s: &mut Store| {
        s.assign_delivery(&a, d, &Assignee::Volunteer(w.volunteer))
            .unwrap();
        s.depart_delivery(&a, d).unwrap();
        s.fail_delivery(&a, d, FailReason::NobodyHome, None)
            .unwrap();
    };
    attempt(&mut s);
    assert_eq!(s.welfare_checks(&n, 10).unwrap().total, 0, "one failure");
    s.requeue_delivery(&a, d, None).unwrap();
    s.set_clock(Clock::Fixed(t0() + Duration::hours(1)));
    attempt(&mut s);
    let checks = s.welfare_checks(&n, 10).unwrap();
    assert_eq!(checks.total, 1);
    let checks = checks.rows;
    assert_eq!(checks.len(), 1);
    assert_eq!(checks[0].recipient_id, p.home);
    assert_eq!(checks[0].failures, 2);
    assert_eq!(checks[0].last_reason, Some(FailReason::NobodyHome));
    assert_eq!(checks[0].recipient, "陈*兰");
    // A contact that does not reach her changes nothing; one that does
    // closes the check.
    s.set_clock(Clock::Fixed(t0() + Duration::hours(2)));
    let visit = |reached| NewContact {
        recipient_id: p.home,
        channel: ContactChannel::Visit,
        reached,
        note: Some("网格员上门".into()),
        at: None,
    };
    s.log_contact(&a, &visit(false)).unwrap();
    assert_eq!(s.welfare_checks(&n, 10).unwrap().rows.len(), 1);
    s.log_contact(&a, &visit(true)).unwrap();
    assert!(s.welfare_checks(&n, 10).unwrap().rows.is_empty());
    // The threshold comes from the norms; 0 turns the check off.
    let mut strict = Norms::default();
    strict.failed_in_a_row = 1;
    s.set_clock(Clock::Fixed(t0() + Duration::hours(3)));
    s.requeue_delivery(&a, d, None).unwrap();
    attempt(&mut s);
    assert_eq!(s.welfare_checks(&strict, 10).unwrap().total, 1);
    strict.failed_in_a_row = 0;
    assert_eq!(s.welfare_checks(&strict, 10).unwrap().total, 0);
}

#[test]
fn compounds_without_an_open_station_and_buildings_without_a_point_are_listed() {
    let (_d, s, w) = store_with(world);
    let t = s.transfer_gaps(10).unwrap();
    // Neither station is open yet (registered ≠ active); one has none.
    assert_eq!(t.compounds, 2);
    let bare = t
        .compound_rows
        .iter()
        .find(|c| c.id == w.bare_compound)
        .unwrap();
    assert_eq!(bare.station, None);
    let registered = t.compound_rows.iter().find(|c| c.id == w.compound).unwrap();
    assert_eq!(registered.station.as_deref(), Some("小区东门"));
    assert_eq!(t.buildings, 1);
    assert_eq!(t.building_rows[0].building, "2栋");
    assert_eq!(t.building_rows[0].compound, "滴水岩小区");
    let t = s.transfer_gaps(1).unwrap();
    assert_eq!(
        (t.compounds, t.compound_rows.len()),
        (2, 1),
        "counted in full, listed to the limit"
    );
}

#[test]
fn the_database_refuses_a_stock_report_without_its_log_entry() {
    let (_d, mut s, w) = store_with(world);
    let a = officer();
    let r = s.change(&a, |wr| {
        wr.log(LogDraft::change("community:1", "unrelated"))?;
        wr.conn().execute(
            "INSERT INTO stock_report (id, community_id, item, stock, reported_at, recorded_at, log_seq)
             VALUES (1, ?1, 'grain', 1, 'x', 'x', (SELECT MAX(seq) FROM duty_log))",
            [w.community],
        )?;
        Ok(())
    });
    assert!(r.is_err());
    assert_eq!(count(&s, "SELECT COUNT(*) FROM stock_report"), 0);
    // Nor is a report ever deleted.
    s.record_stock(&a, &grain(w.community, 10.0, 0.0), &Norms::default())
        .unwrap();
    assert!(s.conn().execute("DELETE FROM stock_report", []).is_err());
    assert_eq!(count(&s, "SELECT COUNT(*) FROM stock_report"), 1);
}

// ------------------------------------------------------- the command line

/// A desk whose database holds [`world`] and its [`people`], the plan
/// activated 50 hours ago; the binary runs on it with a clean environment.
fn cli_desk() -> Desk {
    let desk = Desk::at(Utc::now() - Duration::hours(50));
    let mut s = desk.store();
    let w = world(&mut s);
    s.set_activation(
        &officer(),
        ActivationAction::Activate,
        "联控指挥部〔2022〕60号",
        None,
    )
    .unwrap();
    people(&mut s, &w);
    desk
}

/// The binary on `desk`, in English, writing as 王静.
fn as_officer(desk: &Desk) -> assert_cmd::Command {
    let mut c = desk.cmd("en");
    c.arg("--officer").arg("王静");
    c
}

#[track_caller]
fn fails_with(c: &mut assert_cmd::Command, needle: &str) {
    let err = fails(c, 2);
    assert!(err.contains(needle), "{needle:?} not in {err}");
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
}

#[test]
fn stock_and_cover_from_the_command_line() {
    let cli = cli_desk();
    let out = succeeds(as_officer(&cli).args([
        "stock",
        "一碗水",
        "粮",
        "4吨",
        "--supply-in",
        "120kg",
        "--reporter",
        "张书记",
        "--via",
        "电话",
    ]));
    assert!(out.contains("Stock report #1 recorded"), "{out}");
    assert!(out.contains("2.0 days of cover"), "{out}");
    assert!(out.contains("Predicted shortage alert #"), "{out}");
    // The same figure again: no second alert, the open one is named.
    let out = succeeds(as_officer(&cli).args(["stock", "一碗水", "grain", "4000"]));
    assert!(out.contains("remains"), "{out}");
    let json = succeeds(cli.cmd("en").args(["cover", "--json"]));
    let rows: serde_json::Value = serde_json::from_str(&json).unwrap();
    let grain = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["community"] == "一碗水社区" && r["item"] == "grain")
        .unwrap();
    assert_eq!(grain["status"], "days");
    assert!(grain["below"].as_bool().unwrap());
    assert!(grain["predicted_alert"].is_i64());
    // Only relevant cells by default; --below only the short ones.
    let text = succeeds(cli.cmd("en").args(["cover", "--below"]));
    assert!(
        text.contains("一碗水社区") && text.contains("Grain"),
        "{text}"
    );
    assert!(text.contains("1 below the threshold"), "{text}");
    assert!(!text.contains("石梁村"), "{text}");
    let text = succeeds(
        cli.cmd("en")
            .args(["cover", "--community", "石梁", "--all"]),
    );
    assert!(text.contains("石梁村") && text.contains("—"), "{text}");
    // The cell's time series, newest first, each report once.
    let text = succeeds(
        cli.cmd("en")
            .args(["cover", "--community", "一碗水", "--history", "粮"]),
    );
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].contains("一碗水社区, Grain, newest first"),
        "{text}"
    );
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[1].contains("4000") && lines[1].ends_with("#2"),
        "{text}"
    );
    assert!(
        lines[2].contains("4000") && lines[2].contains("120") && lines[2].contains("by 张书记"),
        "{text}"
    );
    let json = succeeds(cli.cmd("en").args([
        "cover",
        "--community",
        "一碗水",
        "--history",
        "grain",
        "--limit",
        "1",
        "--json",
    ]));
    let rows: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(rows.as_array().map(Vec::len), Some(1));
    assert_eq!(rows[0]["id"], 2);
    // Without a community: one sentence naming what is missing.
    fails_with(
        cli.cmd("en").args(["cover", "--history", "粮"]),
        "--community",
    );
    // A community's own norm.
    let out = succeeds(as_officer(&cli).args(["norm", "一碗水", "粮", "0.3"]));
    assert!(out.contains("recorded #"), "{out}");
    // Market and contacts.
    let out = succeeds(as_officer(&cli).args([
        "market",
        "囤积居奇",
        "店内大米不上架",
        "--unit",
        "双河口粮油店",
        "--item",
        "grain",
    ]));
    assert!(
        out.contains("Market alert #") && out.contains("市场监管所"),
        "{out}"
    );
    let out = succeeds(as_officer(&cli).args(["contact", "1", "--channel", "上门", "--at", "-1h"]));
    assert!(out.contains("contact #1 recorded"), "{out}");
}

#[test]
fn command_line_mistakes_are_one_sentence_and_exit_2() {
    let cli = cli_desk();
    fails_with(
        as_officer(&cli).args(["stock", "一碗水", "bread", "1"]),
        "is not an item class",
    );
    fails_with(
        as_officer(&cli).args(["stock", "一碗水", "粮", "lots"]),
        "is not a quantity",
    );
    fails_with(
        as_officer(&cli).args(["stock", "一碗水", "粮", "-5"]),
        "cannot be used",
    );
    fails_with(
        as_officer(&cli).args(["stock", "一碗水", "粮", "5", "--at", "tomorrow-ish"]),
        "not a time",
    );
    fails_with(
        cli.cmd("en").args(["stock", "一碗水", "粮", "5"]),
        "No officer",
    );
    fails_with(
        as_officer(&cli).args(["--read-only", "stock", "一碗水", "粮", "5"]),
        "read-only",
    );
    fails_with(
        as_officer(&cli).args(["market", "cheap", "x", "--unit", "双河口粮油店"]),
        "not a kind of market report",
    );
    fails_with(
        as_officer(&cli).args(["market", "hoarding", "x"]),
        "No unit or outlet",
    );
    fails_with(
        as_officer(&cli).args(["contact", "1", "--channel", "pigeon"]),
        "not a way of contact",
    );
    fails_with(
        as_officer(&cli).args(["contact", "999"]),
        "no recipient #999",
    );
    // Nothing was written by any of them.
    let s = common::open_read_only(&cli.db());
    assert_eq!(count(&s, "SELECT COUNT(*) FROM stock_report"), 0);
    assert_eq!(count(&s, "SELECT COUNT(*) FROM contact"), 0);
}

#[test]
fn gaps_are_listed_and_queued_from_the_command_line() {
    let cli = cli_desk();
    let json = succeeds(cli.cmd("en").args(["gaps", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    // Two people living alone and the dialysis patient were never reached
    // in the 50 hours since the activation; the chronic patient has a week.
    assert_eq!(v["gaps"]["total"], 3, "{json}");
    assert_eq!(
        v["gaps"]["rows"][0]["recipient"]
            .as_str()
            .unwrap()
            .chars()
            .nth(1),
        Some('*')
    );
    assert_eq!(v["transfer"]["compounds"], 2);
    let text = succeeds(as_officer(&cli).args(["gaps", "--queue"]));
    assert!(text.contains("Queued 3 deliveries"), "{text}");
    assert!(
        text.contains("Coverage gaps: 3 (0 with no delivery queued)"),
        "{text}"
    );
    assert!(text.contains("[queued #"), "{text}");
    fails_with(
        as_officer(&cli).args(["gaps", "--queue"]),
        "already have a delivery",
    );
}

#[test]
fn the_handover_report_lists_short_cover_with_a_bar() {
    use supplydesk::i18n::Lang;
    use supplydesk::report::handover::{ReportOptions, Which, build};
    let (_d, mut s, w) = store_with(world);
    let n = Norms::default();
    // 2,120 kg a day needed, 120 in: 4,000 kg is under two days.
    s.record_stock(&officer(), &grain(w.community, 4000.0, 120.0), &n)
        .unwrap();
    let r = build(&s, Which::Latest, &ReportOptions::default()).unwrap();
    assert_eq!(r.cover.short.len(), 1, "{:?}", r.cover.short);
    let md = r.to_markdown(Lang::En);
    let line = md
        .lines()
        .find(|l| l.starts_with("- 一碗水社区 Grain"))
        .unwrap_or_else(|| panic!("{md}"));
    assert!(line.contains("2.0") || line.contains("d"), "{line}");
    assert!(line.contains('`'), "a bar: {line}");
    let json = r.to_json();
    assert!(
        json.contains("\"cover\"") && json.contains("\"short\""),
        "{json}"
    );
    // Plenty of grain: nothing is short.
    s.set_clock(Clock::Fixed(t0() + Duration::minutes(5)));
    s.record_stock(&officer(), &grain(w.community, 40000.0, 120.0), &n)
        .unwrap();
    let r = build(&s, Which::Latest, &ReportOptions::default()).unwrap();
    assert!(r.cover.short.is_empty(), "{:?}", r.cover.short);
    assert!(r.to_markdown(Lang::En).contains("hold 3 days or more"));
}
