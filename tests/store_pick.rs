//! Names picked, not typed (issue 13), through the real store: the store's
//! finders take what the console's completion takes (a part, the name
//! without 万州区/社区/村, pinyin initials), one match only; several are
//! refused with the choices; a compound typed under the wrong community
//! says which community it is in.

mod common;

use common::places::{dishuiyan, named, store_with, yiwanshui};
use supplydesk::domain::alert::{ItemClass, Severity};
use supplydesk::domain::pick::Kind;
use supplydesk::domain::unit::{Capacity, UnitCategory};
use supplydesk::store::alerts::NewAlert;
use supplydesk::store::places::{NewCompound, NewSupplyUnit, Ref};
use supplydesk::store::{Actor, Store, StoreError};

struct World {
    luosibao: i64,
    yiwanshui: i64,
    market: i64,
}

fn officer() -> Actor {
    common::officer("王静")
}

fn unit(name: &str, community: i64) -> NewSupplyUnit {
    NewSupplyUnit {
        name: name.into(),
        category: UnitCategory::Vegetables,
        community: Some(Ref::Id(community)),
        address: None,
        contact: None,
        phone: None,
        capacity: Capacity::default(),
    }
}

fn world(s: &mut Store) -> World {
    let a = officer();
    let (luosibao, _) = s.add_community(&a, &named("螺蛳包社区")).unwrap();
    let (yiwanshui, _) = s.add_community(&a, &yiwanshui()).unwrap();
    s.add_community(&a, &named("龙宝村")).unwrap();
    s.add_compound(&a, &dishuiyan(yiwanshui)).unwrap();
    s.add_compound(
        &a,
        &NewCompound {
            name: "螺蛳包安置小区".into(),
            ..dishuiyan(luosibao)
        },
    )
    .unwrap();
    let (market, _) = s
        .add_supply_unit(&a, &unit("万州区螺蛳包菜市场", luosibao))
        .unwrap();
    s.add_supply_unit(&a, &unit("万州区螺蛳包便利店", luosibao))
        .unwrap();
    World {
        luosibao,
        yiwanshui,
        market,
    }
}

fn alert(community: &str, compound: Option<&str>) -> NewAlert {
    NewAlert {
        community: community.into(),
        compound: compound.map(Ref::from),
        item: ItemClass::Vegetables,
        severity: Severity::Medium,
        households: 10,
        source: None,
        text: "菜店断货".into(),
    }
}

#[test]
fn a_community_is_found_by_initials_part_and_core_name() {
    let (_d, s, w) = store_with(world);
    for typed in ["螺蛳包社区", "lsb", "LSB", "螺蛳包", "蛳包", "螺蛳包村"] {
        assert_eq!(
            s.community_by_name(typed).unwrap().id,
            w.luosibao,
            "{typed}"
        );
    }
    assert_eq!(s.community_by_name("yws").unwrap().id, w.yiwanshui);
    let e = s.community_by_name("zzz").unwrap_err();
    assert!(matches!(e, StoreError::NotFound(_)), "{e:?}");
}

#[test]
fn a_unit_is_found_without_its_district_and_never_guessed() {
    let (_d, s, w) = store_with(world);
    let c = s.pick(Kind::Unit, "螺蛳包菜市场", None).unwrap();
    assert_eq!((c.id, c.shown.as_str()), (w.market, "万州区螺蛳包菜市场"));
    let c = s.pick(Kind::Unit, "lsbcsc", None).unwrap();
    assert_eq!(c.id, w.market);
    // Two units start with 螺蛳包: refused, both named.
    let e = s.pick(Kind::Unit, "螺蛳包", None).unwrap_err();
    let m = e.message();
    assert!(matches!(e, StoreError::Refused(_)), "{e:?}");
    assert!(
        m.zh.contains("万州区螺蛳包菜市场") && m.zh.contains("万州区螺蛳包便利店"),
        "{m:?}"
    );
    assert!(m.en.contains("fits several supply units"), "{m:?}");
}

#[test]
fn a_compound_under_the_wrong_community_says_where_it_is() {
    let (_d, mut s, _) = store_with(world);
    let before = s.head().unwrap();
    let e = s
        .raise_alert(&officer(), &alert("螺蛳包", Some("滴水岩")))
        .unwrap_err();
    let m = e.message();
    assert!(
        m.zh.contains("一碗水社区") && m.zh.contains("滴水岩小区"),
        "{m:?}"
    );
    assert!(m.en.contains("not in 螺蛳包社区"), "{m:?}");
    assert_eq!(s.head().unwrap(), before, "nothing written");
    // Under its own community, a part of its name is enough.
    let (id, _) = s
        .raise_alert(&officer(), &alert("yws", Some("滴水")))
        .unwrap();
    let a = s
        .alert(id, common::places::t0(), &Default::default())
        .unwrap();
    assert_eq!(a.community, "一碗水社区");
    assert_eq!(a.compound.as_deref(), Some("滴水岩小区"));
}

#[test]
fn names_offered_per_kind_and_plates_read_yu_as_the_province() {
    let (_d, mut s, w) = store_with(world);
    let names = s.names(&[Kind::Compound], Some(w.luosibao)).unwrap();
    assert_eq!(names.len(), 1, "only the community's own compounds");
    let names = s.names(&[Kind::Community], None).unwrap();
    let (hits, total) = names.find("l", 5);
    assert_eq!(total, 2, "螺蛳包社区 and 龙宝村 by their initials");
    assert_eq!(hits.len(), 2);
    s.add_vehicle(
        &officer(),
        &supplydesk::store::pass_actions::NewVehicle {
            plate: "渝F12345".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let c = s.pick(Kind::Vehicle, "yuF12345", None).unwrap();
    assert_eq!(c.shown, "渝F12345");
    let c = s.pick(Kind::Vehicle, "YU F12345", None).unwrap();
    assert_eq!(c.shown, "渝F12345");
}

/// The command line takes names as the console does: `lsb` is 螺蛳包社区;
/// what fits several is refused with the candidates; nothing is written.
#[test]
fn the_command_line_resolves_names_the_same_way() {
    let d = common::Desk::new();
    {
        let mut s = d.store();
        world(&mut s);
    }
    let run = |args: &[&str]| {
        d.cmd("en")
            .args(["--officer", "王静"])
            .args(args)
            .output()
            .expect("runs")
    };
    let out = run(&["stock", "lsb", "粮", "100", "--unit", "菜市场"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("螺蛳包社区"), "{text}");
    let before = d.store().head().unwrap();
    let out = run(&["stock", "lsb", "粮", "100", "--unit", "螺蛳包"]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success());
    assert!(
        err.contains("fits several supply units")
            && err.contains("万州区螺蛳包菜市场")
            && err.contains("万州区螺蛳包便利店"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(d.store().head().unwrap(), before, "nothing written");
}
