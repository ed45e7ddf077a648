//! Changes as a busy night brings them, made through the store's own
//! actions: notes, alerts raised and handled, passes suspended and
//! extended, deliveries queued and carried, now and then a correction.
//! For the benchmark of consoles that follow other sessions
//! (`benches/desk_writer.rs`) and the tests that check they stay true.

use chrono::Duration;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use crate::domain::Code;
use crate::domain::alert::{ItemClass, Severity};
use crate::domain::delivery::{FailReason, Urgency};
use crate::domain::log::LogKind;
use crate::store::alerts::NewAlert;
use crate::store::deliveries::{Assignee, NewDelivery};
use crate::store::places::Ref;
use crate::store::{Actor, Result, Store, StoreError};

/// Which changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mix {
    /// Duty-log notes only: no alert, pass or delivery changes.
    Notes,
    /// Alerts, passes and deliveries, in turn.
    Records,
    /// Both, and now and then a correction of an earlier note.
    All,
}

impl Mix {
    pub fn from_name(s: &str) -> Option<Mix> {
        match s {
            "notes" => Some(Mix::Notes),
            "records" => Some(Mix::Records),
            "all" => Some(Mix::All),
            _ => None,
        }
    }
}

/// A source of changes; deterministic for a seed and a database.
pub struct Churn {
    rng: SmallRng,
    mix: Mix,
    alerts: i64,
    passes: i64,
    deliveries: i64,
    recipients: i64,
    communities: Vec<i64>,
    volunteers: Vec<i64>,
    /// The last note this churn wrote (a correction points at it).
    last_note: Option<i64>,
    made: u64,
}

/// What one change was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Made {
    Note,
    Correction,
    Alert,
    Pass,
    Delivery,
}

impl Churn {
    pub fn new(store: &Store, mix: Mix, seed: u64) -> Result<Churn> {
        let max = |t: &str| -> Result<i64> {
            Ok(store.conn().query_row(
                &format!("SELECT COALESCE(MAX(id), 0) FROM {t}"),
                [],
                |r| r.get(0),
            )?)
        };
        let ids = |t: &str| -> Result<Vec<i64>> {
            let mut st = store
                .conn()
                .prepare(&format!("SELECT id FROM {t} ORDER BY id"))?;
            let v = st
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            Ok(v)
        };
        Ok(Churn {
            rng: SmallRng::seed_from_u64(seed),
            mix,
            alerts: max("alert")?,
            passes: max("pass")?,
            deliveries: max("delivery")?,
            recipients: max("recipient")?,
            communities: ids("community")?,
            volunteers: ids("volunteer")?,
            last_note: None,
            made: 0,
        })
    }

    /// Makes one change and returns what it was and its entry. A step the
    /// record's state does not allow (resolving a closed alert) is not a
    /// change: another is tried. `StoreError::Busy` is returned as is.
    pub fn step(&mut self, store: &mut Store, actor: &Actor) -> Result<(Made, i64)> {
        for _ in 0..200 {
            let kind = match self.mix {
                Mix::Notes => Made::Note,
                Mix::Records => [Made::Alert, Made::Pass, Made::Delivery][(self.made % 3) as usize],
                Mix::All => match self.rng.random_range(0..20) {
                    0 if self.last_note.is_some() => Made::Correction,
                    0..=4 => Made::Note,
                    5..=9 => Made::Alert,
                    10..=14 => Made::Pass,
                    _ => Made::Delivery,
                },
            };
            match self.try_one(store, actor, kind) {
                Ok(seq) => {
                    self.made += 1;
                    return Ok((kind, seq));
                }
                Err(StoreError::Refused(_) | StoreError::NotFound(_)) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Refused(crate::msg!(
            "连续两百次变更都被拒绝。",
            "Two hundred changes in a row were refused."
        )))
    }

    fn pick<T: Copy>(&mut self, v: &[T]) -> Option<T> {
        (!v.is_empty()).then(|| v[self.rng.random_range(0..v.len())])
    }

    fn try_one(&mut self, store: &mut Store, actor: &Actor, kind: Made) -> Result<i64> {
        let n = self.made;
        let now = store.now();
        match kind {
            Made::Note => {
                let seq = store.add_entry(
                    actor,
                    LogKind::Note,
                    &format!("夜班巡查记录第 {n} 条：各检查点秩序正常"),
                    None,
                    None,
                )?;
                self.last_note = Some(seq);
                Ok(seq)
            }
            Made::Correction => {
                let c = self.last_note.take();
                store.add_entry(
                    actor,
                    LogKind::Note,
                    &format!("更正：第 {n} 条巡查记录的时间应为整点"),
                    None,
                    c,
                )
            }
            Made::Alert => {
                if self.alerts == 0 || self.rng.random_range(0..8) == 0 {
                    let Some(c) = self.pick(&self.communities.clone()) else {
                        return Err(StoreError::Refused(crate::msg!("无社区", "no community")));
                    };
                    let items = ItemClass::ALL;
                    let item = items[self.rng.random_range(0..items.len())];
                    let (id, seq) = store.raise_alert(
                        actor,
                        &NewAlert {
                            community: Ref::Id(c),
                            compound: None,
                            item,
                            severity: Severity::ALL[self.rng.random_range(0..Severity::ALL.len())],
                            households: self.rng.random_range(1..60),
                            source: Some("社区电话".into()),
                            text: format!("夜间报告{}不足", item.label_zh()),
                        },
                    )?;
                    self.alerts = self.alerts.max(id);
                    return Ok(seq);
                }
                let id = self.rng.random_range(1..=self.alerts);
                match self.rng.random_range(0..5) {
                    0 => store.acknowledge_alert(actor, id),
                    1 => store.dispatch_alert(actor, id, "双河口粮油配送中心"),
                    2 => store.resolve_alert(actor, id, "已补货到位"),
                    3 => store.set_alert_severity(
                        actor,
                        id,
                        Severity::ALL[self.rng.random_range(0..Severity::ALL.len())],
                    ),
                    _ => store.cancel_alert(actor, id, "重复报告"),
                }
            }
            Made::Pass => {
                if self.passes == 0 {
                    return Err(StoreError::Refused(crate::msg!("无通行证", "no pass")));
                }
                let id = self.rng.random_range(1..=self.passes);
                match self.rng.random_range(0..7) {
                    0 | 1 => store.suspend_pass(actor, id, "夜间抽查暂停"),
                    2 | 3 => store.reinstate_pass(actor, id),
                    4 | 5 => store.extend_pass(
                        actor,
                        id,
                        now + Duration::days(self.rng.random_range(1..30)),
                    ),
                    _ => store.revoke_pass(actor, id, "证件信息不符"),
                }
            }
            Made::Delivery => {
                if self.deliveries == 0 || self.rng.random_range(0..8) == 0 {
                    if self.recipients == 0 {
                        return Err(StoreError::Refused(crate::msg!("无对象", "no recipient")));
                    }
                    let (id, seq) = store.queue_delivery(
                        actor,
                        &NewDelivery {
                            recipient_id: self.rng.random_range(1..=self.recipients),
                            items: "米面油、蔬菜".into(),
                            urgency: Urgency::ALL[self.rng.random_range(0..Urgency::ALL.len())],
                            due_at: now + Duration::minutes(self.rng.random_range(-120..720)),
                        },
                    )?;
                    self.deliveries = self.deliveries.max(id);
                    return Ok(seq);
                }
                let id = self.rng.random_range(1..=self.deliveries);
                match self.rng.random_range(0..6) {
                    0 => match self.pick(&self.volunteers.clone()) {
                        Some(v) => store
                            .assign_delivery(actor, id, &Assignee::Volunteer(v))
                            .map(|a| a.seq),
                        None => store.depart_delivery(actor, id),
                    },
                    1 => store.depart_delivery(actor, id),
                    2 => store.deliver(actor, id, "本人"),
                    3 => store.fail_delivery(actor, id, FailReason::NobodyHome, None),
                    4 => store.requeue_delivery(actor, id, None),
                    _ => store.cancel_delivery(actor, id, "对象已转院"),
                }
            }
        }
    }
}
