//! What the tests of the store's actions build their sub-district from:
//! one morning on the desk's clock, and the community and compound most
//! of them start with, so that the names and figures their assertions
//! rely on are written once.

use chrono::{DateTime, TimeZone, Utc};
use supplydesk::store::Store;
use supplydesk::store::places::{NewCommunity, NewCompound, Ref};

use super::Desk;

/// 2026-11-29 10:00 in Chongqing, when the desk's stores stand still.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, 2, 0, 0)
        .single()
        .expect("a plain UTC moment")
}

/// A scratch desk whose store, made as `init` would, stands at [`t0`].
pub fn store_at_t0() -> (Desk, Store) {
    let desk = Desk::at(t0());
    let store = desk.store();
    (desk, store)
}

/// 一碗水社区: 5,000 residents, 300 floating, 1,800 households.
pub fn yiwanshui() -> NewCommunity {
    NewCommunity {
        name: "一碗水社区".into(),
        resident_pop: 5000,
        floating_pop: 300,
        households: 1800,
        ..Default::default()
    }
}

/// A community known by its name alone, nobody counted yet.
pub fn named(name: &str) -> NewCommunity {
    NewCommunity {
        name: name.into(),
        ..Default::default()
    }
}

/// 滴水岩小区 in `community`: 235 households, 516 residents, its
/// transfer station at 小区东门.
pub fn dishuiyan(community: i64) -> NewCompound {
    NewCompound {
        community: Ref::Id(community),
        name: "滴水岩小区".into(),
        kind: None,
        households: 235,
        resident_pop: 516,
        floating_pop: 0,
        transfer_station: Some("小区东门".into()),
    }
}

/// The plan of `sql` as SQLite would run it, one step a line; any
/// parameters bound to NULL, which does not change the plan.
pub fn query_plan(store: &Store, sql: &str) -> String {
    let mut st = store
        .conn()
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    let nulls = vec![rusqlite::types::Value::Null; st.parameter_count()];
    st.query_map(rusqlite::params_from_iter(nulls), |r| r.get::<_, String>(3))
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .join("\n")
}

/// [`store_at_t0`] with `world` built in it, and what `world` returned.
pub fn store_with<W>(world: impl FnOnce(&mut Store) -> W) -> (Desk, Store, W) {
    let (desk, mut store) = store_at_t0();
    let w = world(&mut store);
    (desk, store, w)
}
