//! Deterministic, realistic demo data: Shuanghekou sub-district about two
//! days into an activation of the plan, with the history that led there.
//!
//! The whole story is planned in memory first ([`plan`]) — every record,
//! its final state and the moments of its life — and then replayed in time
//! order through [`Store::change`], the one door, with the store's clock set
//! to each moment, so that every row has its own duty-log entry at a
//! plausible time and the hash chain is the real one. Same seed and same
//! clock give the same database, byte for byte in every row and in the
//! chain's head.

mod apply;
pub mod churn;
mod names;
mod plan;
mod world;

use chrono::{DateTime, Utc};
use rand::SeedableRng;
use rand::rngs::SmallRng;

use crate::domain::log::LogKind;
use crate::msg;
use crate::store::{Actor, Clock, Result, Store, StoreError};

#[derive(Debug, Clone, Copy)]
pub struct DemoOptions {
    /// Multiplies the volume: 1 is the realistic sub-district (15
    /// communities, about 200 vehicles, 300 recipients, 3,000 log entries);
    /// N > 1 is 4N − 3 times that, so 100 gives over a million log entries
    /// and a hundred thousand passes.
    pub scale: u32,
    pub seed: u64,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            scale: 1,
            seed: 2022,
        }
    }
}

/// What was made, for the command's output.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct DemoSummary {
    pub communities: usize,
    pub compounds: usize,
    pub units: usize,
    pub vehicles: usize,
    pub passes: usize,
    pub recipients: usize,
    pub deliveries: usize,
    pub alerts: usize,
    pub log_entries: i64,
    pub buildings: usize,
    pub volunteers: usize,
    pub population: i64,
    pub posts_manned: usize,
    pub open_alerts: usize,
    pub open_deliveries: usize,
}

/// Largest `--scale`: 1000 is about eleven million log entries and seven
/// gigabytes; beyond that the plan no longer fits in memory comfortably.
pub const MAX_SCALE: u32 = 1000;

/// Events written in one transaction at most; a simulated minute rarely
/// holds more, except at large scales.
const MAX_BATCH: usize = 5000;

/// Tables that must be empty: demo data never mixes with real records.
const MUST_BE_EMPTY: &[&str] = &[
    "community",
    "compound",
    "building",
    "activation",
    "supply_unit",
    "vehicle",
    "pass",
    "volunteer",
    "recipient",
    "delivery",
    "alert",
    "stock_report",
    "contact",
];

/// Fills an empty database. Refuses a database that already has records.
///
/// The history is written by the desk's duty officers shift by shift; only
/// the closing note, which says that the data is a demo, is written by
/// `actor`. The store's clock is restored afterwards.
pub fn generate(store: &mut Store, actor: &Actor, opts: DemoOptions) -> Result<DemoSummary> {
    if actor.officer.trim().is_empty() {
        return Err(StoreError::Refused(msg!(
            "未指定值班员，不能生成演示数据；请用 --officer 姓名 指定。",
            "No officer is named, so no demo data can be written; pass --officer NAME."
        )));
    }
    if store.is_read_only() {
        return Err(StoreError::ReadOnly);
    }
    let scale = opts.scale;
    if !(1..=MAX_SCALE).contains(&scale) {
        return Err(StoreError::Refused(msg!(
            "规模 {scale} 超出范围；请用 1 到 {MAX_SCALE} 之间的整数（100 约生成一百万条日志）。",
            "Scale {scale} is out of range; use a whole number from 1 to {MAX_SCALE} (100 gives about a million log entries)."
        )));
    }
    for table in MUST_BE_EMPTY {
        let any: bool =
            store
                .conn()
                .query_row(&format!("SELECT EXISTS (SELECT 1 FROM {table})"), [], |r| {
                    r.get(0)
                })?;
        if any {
            return Err(StoreError::Refused(msg!(
                "数据库中已有记录（社区、车辆、通行证等），演示数据只能写入新的空数据库；请用 --db 指定一个新文件。",
                "The database already holds records (communities, vehicles, passes …); demo data only goes into a new, empty database, so name a new file with --db."
            )));
        }
    }
    let clock = store.clock();
    let now = store.now();
    let pragmas = BulkPragmas::set(store)?;
    let written = write_story(store, now, opts);
    store.set_clock(clock);
    let restored = pragmas.restore(store);
    written?;
    restored?;
    let seed = opts.seed;
    store.add_entry(
        actor,
        LogKind::Note,
        &format!(
            "演示数据已生成（规模 {scale}，种子 {seed}）；以上人员、单位、车辆和事件均为虚构。Demo data generated (scale {scale}, seed {seed}); the people, units, vehicles and events above are fictitious."
        ),
        None,
        None,
    )?;
    summary(store)
}

fn at(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).unwrap_or_default()
}

fn shift_actors() -> Vec<Actor> {
    world::OFFICERS
        .iter()
        .enumerate()
        .map(|(i, name)| Actor {
            officer: name.to_string(),
            os_user: "duty".into(),
            ssh_client: Some(format!(
                "10.23.1.{} {} 10.23.1.2 22",
                11 + i,
                50_211 + 137 * i
            )),
        })
        .collect()
}

fn write_story(store: &mut Store, now: DateTime<Utc>, opts: DemoOptions) -> Result<()> {
    let actors = shift_actors();
    let timeline = plan::Timeline::new(now.timestamp());
    let empty: bool =
        store
            .conn()
            .query_row("SELECT NOT EXISTS (SELECT 1 FROM post)", [], |r| r.get(0))?;
    if empty {
        // The leading group is set up before anything else.
        let t = timeline.setup - 30 * plan::MIN;
        store.set_clock(Clock::Fixed(at(t)));
        let posts: Vec<(String, String)> = crate::config::default_posts()
            .into_iter()
            .map(|p| (p.name, p.unit))
            .collect();
        store.ensure_posts(&actors[plan::shift_of(t)], &posts)?;
    }
    let posts = store.posts()?;
    let mut rng = SmallRng::seed_from_u64(opts.seed);
    let plan = plan::make(&mut rng, opts.scale, now.timestamp(), posts);
    let mut applier = apply::Applier::new(&plan);
    let events = &plan.events;
    let mut i = 0;
    while i < events.len() {
        let first = events[i];
        store.set_clock(Clock::Fixed(at(first.t)));
        let actor = &actors[plan::shift_of(first.t)];
        if let plan::Op::Activation(k) = first.op {
            let step = &plan.activations[k as usize];
            store.set_activation(actor, step.action, step.directive, Some(at(step.received)))?;
            i += 1;
            continue;
        }
        let minute = first.t.div_euclid(plan::MIN);
        let mut j = i + 1;
        while j < events.len()
            && j - i < MAX_BATCH
            && events[j].t.div_euclid(plan::MIN) == minute
            && !matches!(events[j].op, plan::Op::Activation(_))
        {
            j += 1;
        }
        let batch = &events[i..j];
        store.change(actor, |w| {
            applier.begin();
            for e in batch {
                applier.apply(w, e.op)?;
            }
            Ok(())
        })?;
        i = j;
    }
    Ok(())
}

/// Generation is thousands of small transactions into a file nobody else
/// uses yet: waiting for the disk at every commit and checkpoint would
/// double the time of `--scale 100`, and a crash midway only means
/// generating into a new file again. The settings are put back before the
/// closing checkpoint, which therefore reaches the disk in full.
struct BulkPragmas {
    synchronous: i64,
    cache_size: i64,
}

impl BulkPragmas {
    fn set(store: &Store) -> Result<BulkPragmas> {
        let c = store.conn();
        let synchronous: i64 = c.query_row("PRAGMA synchronous", [], |r| r.get(0))?;
        let cache_size: i64 = c.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        c.execute_batch("PRAGMA synchronous = OFF; PRAGMA cache_size = -131072;")?;
        Ok(BulkPragmas {
            synchronous,
            cache_size,
        })
    }

    fn restore(self, store: &Store) -> Result<()> {
        let c = store.conn();
        c.execute_batch(&format!(
            "PRAGMA synchronous = {}; PRAGMA cache_size = {};",
            self.synchronous, self.cache_size
        ))?;
        // Fold the write-ahead log back into the file, so the file is the
        // database and its size is the real one.
        c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }
}

fn summary(store: &Store) -> Result<DemoSummary> {
    let c = store.conn();
    let count = |sql: &str| -> Result<i64> { Ok(c.query_row(sql, [], |r| r.get(0))?) };
    let n = |table: &str| -> Result<usize> {
        Ok(count(&format!("SELECT COUNT(*) FROM {table}"))? as usize)
    };
    Ok(DemoSummary {
        communities: n("community")?,
        compounds: n("compound")?,
        units: n("supply_unit")?,
        vehicles: n("vehicle")?,
        passes: n("pass")?,
        recipients: n("recipient")?,
        deliveries: n("delivery")?,
        alerts: n("alert")?,
        log_entries: store.log_count()?,
        buildings: n("building")?,
        volunteers: n("volunteer")?,
        population: count("SELECT COALESCE(SUM(resident_pop + floating_pop), 0) FROM community")?,
        posts_manned: count("SELECT COUNT(*) FROM post WHERE manned = 1")? as usize,
        open_alerts: count(
            "SELECT COUNT(*) FROM alert WHERE state NOT IN ('resolved','cancelled')",
        )? as usize,
        open_deliveries: count(
            "SELECT COUNT(*) FROM delivery WHERE state IN ('queued','assigned','en_route','failed')",
        )? as usize,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn actor() -> Actor {
        Actor {
            officer: "演示员".into(),
            os_user: "t".into(),
            ssh_client: None,
        }
    }

    #[test]
    fn generates_into_a_memory_database_too() {
        let t = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        let mut s = Store::open_in_memory().unwrap().with_clock(Clock::Fixed(t));
        let sum = generate(&mut s, &actor(), DemoOptions::default()).unwrap();
        assert_eq!(sum.recipients, 300);
        assert!(s.verify_log().unwrap().ok());
        assert_eq!(s.now(), t);
    }

    #[test]
    fn a_scale_out_of_range_is_refused_before_anything_is_written() {
        let mut s = Store::open_in_memory().unwrap();
        for scale in [0, MAX_SCALE + 1] {
            let err = generate(&mut s, &actor(), DemoOptions { scale, seed: 1 }).unwrap_err();
            assert!(
                matches!(&err, StoreError::Refused(m) if m.en.contains("1 to 1000")),
                "{err:?}"
            );
        }
        assert_eq!(s.log_count().unwrap(), 0);
    }
}
