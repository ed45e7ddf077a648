//! The demo decided in memory before anything is written: every record,
//! its final state, and the moments of its life as events. Planning final
//! states first is what guarantees the mix the console needs (passes in
//! every status, overdue deliveries, open alerts of every severity) at any
//! seed; the events then replay that life through the store's one door in
//! time order.

use chrono::Duration;
use rand::Rng;
use rand::rngs::SmallRng;
use rand::seq::SliceRandom;
use std::collections::HashSet;

use super::names::{self, cn_number};
use super::world::{self, *};
use crate::domain::Code;
use crate::domain::activation::ActivationAction;
use crate::domain::alert::{ItemClass, Severity};
use crate::domain::cover::{ContactChannel, Norms};
use crate::domain::delivery::{FailReason, Group, Urgency};
use crate::domain::log::LogKind;
use crate::domain::pass::PassKind;
use crate::domain::place::{BuildingKind, CommunityKind, CompoundKind};
use crate::domain::plate;
use crate::domain::unit::{Capacity, UnitCategory};
use crate::store::activation::PostRow;

pub const MIN: i64 = 60;
pub const HOUR: i64 = 3600;
pub const DAY: i64 = 86_400;
/// Asia/Shanghai has kept UTC+8 without daylight saving since 1991.
pub const CST: i64 = 8 * HOUR;

/// The officer on duty at `t`: three eight-hour shifts a day (00, 08, 16
/// local), the four officers in turn.
pub fn shift_of(t: i64) -> usize {
    (t + CST)
        .div_euclid(8 * HOUR)
        .rem_euclid(OFFICERS.len() as i64) as usize
}

pub fn officer_at(t: i64) -> &'static str {
    OFFICERS[shift_of(t)]
}

/// The moments the story hangs on, in Unix seconds.
#[derive(Debug, Clone, Copy)]
pub struct Timeline {
    pub now: i64,
    /// Local midnight that starts today.
    pub today: i64,
    pub setup: i64,
    pub earlier_on: i64,
    pub earlier_off: i64,
    /// The current activation.
    pub active: i64,
}

impl Timeline {
    pub fn new(now: i64) -> Timeline {
        let today = (now + CST).div_euclid(DAY) * DAY - CST;
        let active = (now - 2 * DAY - HOUR - 23 * MIN).div_euclid(MIN) * MIN;
        Timeline {
            now,
            today,
            setup: today - 47 * DAY + 9 * HOUR,
            earlier_on: today - 40 * DAY + 15 * HOUR + 20 * MIN,
            earlier_off: today - 33 * DAY + 10 * HOUR + 5 * MIN,
            active,
        }
    }

    /// Office hours (09:00–12:00, 14:00–17:30 local) of the days
    /// `from..to` counted from today (negative: in the past).
    fn office(&self, from: i64, to: i64) -> Vec<(i64, i64)> {
        let mut v = Vec::new();
        for d in from..to {
            let day = self.today + d * DAY;
            v.push((day + 9 * HOUR, day + 12 * HOUR));
            v.push((day + 14 * HOUR, day + 17 * HOUR + 30 * MIN));
        }
        v
    }
}

pub struct Community {
    pub name: String,
    pub kind: CommunityKind,
    pub resident: i64,
    pub floating: i64,
    pub households: i64,
    pub contact: String,
    pub phone: String,
    pub compounds: Vec<usize>,
}

pub struct Compound {
    pub community: usize,
    pub name: String,
    pub kind: CompoundKind,
    pub households: i64,
    pub resident: i64,
    pub floating: i64,
    pub station: Option<String>,
    pub buildings: Vec<usize>,
}

pub struct Building {
    pub compound: usize,
    pub name: String,
    pub kind: BuildingKind,
    pub households: i64,
    pub point: Option<String>,
}

pub struct Unit {
    pub name: String,
    pub category: UnitCategory,
    pub community: Option<usize>,
    pub address: String,
    pub contact: String,
    pub phone: String,
    pub cap: Capacity,
}

pub struct Vehicle {
    pub plate: String,
    pub vtype: &'static str,
    pub load: Option<f64>,
    pub unit: usize,
    pub driver: String,
    pub phone: String,
}

pub struct Pass {
    pub kind: PassKind,
    pub vehicle: Option<usize>,
    pub unit: usize,
    pub subject: String,
    pub issuer: &'static str,
    /// The window asked for, then the one issued.
    pub asked: (i64, i64),
    pub window: (i64, i64),
    pub area: Option<&'static str>,
    pub suspend_reason: &'static str,
    pub revoke_reason: &'static str,
}

pub struct Volunteer {
    pub name: String,
    pub phone: String,
    pub community: usize,
    pub compound: Option<usize>,
    pub building: Option<usize>,
    pub station: Option<String>,
    pub tasks: &'static str,
}

pub struct Recipient {
    pub name: String,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub group: Group,
    pub condition: Option<String>,
    pub community: usize,
    pub compound: Option<usize>,
    pub building: Option<String>,
    pub unit_no: Option<String>,
    pub room: Option<String>,
    pub needs: String,
}

#[derive(Clone, Copy)]
pub enum Assignee {
    Volunteer(usize),
    Vehicle(usize),
}

pub struct Delivery {
    pub recipient: usize,
    pub items: String,
    pub urgency: Urgency,
    pub due: i64,
    pub assignee: Assignee,
    pub fail: FailReason,
    pub fail_note: &'static str,
    pub received_by: &'static str,
    pub cancel_note: &'static str,
}

pub struct Alert {
    pub community: usize,
    pub compound: Option<usize>,
    pub item: ItemClass,
    pub severity: Severity,
    pub households: i64,
    pub source: &'static str,
    pub text: String,
    pub predicted: bool,
    pub dispatched_to: String,
    pub resolution: String,
}

/// Who gives a stock report's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockFrom {
    Community,
    Unit(usize),
    Station(usize),
}

/// A stock report of the supply picture (issue 7).
pub struct Stock {
    pub community: usize,
    pub item: ItemClass,
    pub from: StockFrom,
    pub stock: f64,
    pub supply_in: f64,
    pub reporter: String,
    pub channel: &'static str,
}

/// A call or visit to a recipient.
pub struct Contact {
    pub recipient: usize,
    pub channel: ContactChannel,
    pub reached: bool,
    pub note: &'static str,
}

pub struct Note {
    pub kind: LogKind,
    pub text: String,
    /// How long before it was recorded it happened, when that is known.
    pub occurred_before: Option<i64>,
}

pub struct ActivationStep {
    pub action: ActivationAction,
    pub directive: &'static str,
    pub received: i64,
}

/// One moment in the life of a record; the index points into the plan's
/// list of that kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Community(u32),
    Compound(u32),
    Building(u32),
    Unit(u32),
    Vehicle(u32),
    Volunteer(u32),
    Recipient(u32),
    PostManned(u32),
    Activation(u32),
    Reported(u32),
    StationOpened(u32),
    PassRequest(u32),
    PassIssue(u32),
    PassSuspend(u32),
    PassRevoke(u32),
    DeliveryNew(u32),
    DeliveryAssign(u32),
    DeliveryDepart(u32),
    DeliveryDeliver(u32),
    DeliveryFail(u32),
    DeliveryRequeue(u32),
    DeliveryCancel(u32),
    AlertOpen(u32),
    AlertAck(u32),
    AlertDispatch(u32),
    AlertResolve(u32),
    AlertCancel(u32),
    Note(u32),
    Stock(u32),
    Contact(u32),
    /// An officer takes over the predicted alert of the cell of stock
    /// report N.
    PredictedAck(u32),
}

#[derive(Debug, Clone, Copy)]
pub struct Event {
    pub t: i64,
    pub op: Op,
}

pub struct Plan {
    pub communities: Vec<Community>,
    pub compounds: Vec<Compound>,
    pub buildings: Vec<Building>,
    pub units: Vec<Unit>,
    pub vehicles: Vec<Vehicle>,
    pub passes: Vec<Pass>,
    pub volunteers: Vec<Volunteer>,
    pub recipients: Vec<Recipient>,
    pub deliveries: Vec<Delivery>,
    pub alerts: Vec<Alert>,
    pub notes: Vec<Note>,
    pub stock: Vec<Stock>,
    pub contacts: Vec<Contact>,
    pub posts: Vec<PostRow>,
    pub activations: Vec<ActivationStep>,
    /// Sorted by time; events of one moment keep the order they were
    /// planned in (a record is created before it changes).
    pub events: Vec<Event>,
}

/// How many of each thing per unit of volume: scale 1 is the realistic
/// sub-district; each further step adds four more of its volume, so that
/// `--scale 100` passes the benchmark floor of issue 2 (one million log
/// entries, one hundred thousand passes).
pub fn volume(scale: u32) -> u32 {
    scale.max(1).saturating_mul(4).saturating_sub(3)
}

fn between(rng: &mut SmallRng, a: i64, b: i64) -> i64 {
    if b <= a { a } else { rng.random_range(a..=b) }
}

fn pick<'a, T>(rng: &mut SmallRng, pool: &'a [T]) -> &'a T {
    &pool[rng.random_range(0..pool.len())]
}

/// One of a list of fixed phrases.
fn one(rng: &mut SmallRng, pool: &[&'static str]) -> &'static str {
    pool[rng.random_range(0..pool.len())]
}

fn weighted<T: Copy>(rng: &mut SmallRng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut r = rng.random_range(0..total.max(1));
    for &(v, w) in items {
        if r < w {
            return v;
        }
        r -= w;
    }
    items[items.len() - 1].0
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Times after `start`, separated by `gaps`, squeezed proportionally when
/// they would not end by `end`.
fn steps(start: i64, gaps: &[i64], end: i64) -> Vec<i64> {
    let total: i64 = gaps.iter().sum();
    let room = (end - start).max(gaps.len() as i64);
    let mut t = start;
    gaps.iter()
        .map(|&g| {
            let g = if total > room {
                (g * room / total.max(1)).max(1)
            } else {
                g
            };
            t = (t + g).min(end);
            t
        })
        .collect()
}

/// `n` non-decreasing moments spread evenly over the slots.
fn spread(n: usize, slots: &[(i64, i64)]) -> Vec<i64> {
    let total: i64 = slots.iter().map(|(a, b)| b - a).sum();
    (0..n)
        .map(|i| {
            let mut pos = (i as i128 * total as i128 / n.max(1) as i128) as i64;
            for &(a, b) in slots {
                if pos < b - a {
                    return a + pos;
                }
                pos -= b - a;
            }
            slots.last().map_or(0, |s| s.1)
        })
        .collect()
}

struct Planner<'r> {
    rng: &'r mut SmallRng,
    f: u32,
    tl: Timeline,
    plan: Plan,
    /// Vehicles registered before the first activation; only they can
    /// carry a pass of the earlier episode or be sent on a delivery.
    setup_vehicles: Vec<usize>,
    vehicle_at: Vec<Option<i64>>,
}

pub fn make(rng: &mut SmallRng, scale: u32, now: i64, posts: Vec<PostRow>) -> Plan {
    let tl = Timeline::new(now);
    let mut p = Planner {
        rng,
        f: volume(scale),
        tl,
        plan: Plan {
            communities: Vec::new(),
            compounds: Vec::new(),
            buildings: Vec::new(),
            units: Vec::new(),
            vehicles: Vec::new(),
            passes: Vec::new(),
            volunteers: Vec::new(),
            recipients: Vec::new(),
            deliveries: Vec::new(),
            alerts: Vec::new(),
            notes: Vec::new(),
            stock: Vec::new(),
            contacts: Vec::new(),
            posts,
            activations: Vec::new(),
            events: Vec::new(),
        },
        setup_vehicles: Vec::new(),
        vehicle_at: Vec::new(),
    };
    p.places();
    p.units();
    p.vehicles();
    p.activations();
    p.posts_and_reports();
    p.passes();
    p.volunteers();
    p.recipients();
    p.deliveries();
    p.alerts();
    p.notes();
    // Last, so that everything planned before is the same as without it.
    p.supply();
    p.contacts_and_welfare();
    let mut plan = p.plan;
    // Stable: the planned order decides between events of one moment.
    plan.events.sort_by_key(|e| e.t);
    plan
}

impl Planner<'_> {
    fn at(&mut self, t: i64, op: Op) {
        debug_assert!(t <= self.tl.now, "{op:?} planned after now");
        self.plan.events.push(Event {
            t: t.min(self.tl.now),
            op,
        });
    }

    fn places(&mut self) {
        let f = self.f;
        let mut order: Vec<Op> = Vec::new();
        for (ci, seed) in COMMUNITIES.iter().enumerate() {
            let mut community = Community {
                name: seed.name.to_string(),
                kind: seed.kind,
                resident: 0,
                floating: 0,
                households: 0,
                contact: names::staff_name(self.rng),
                phone: names::mobile(self.rng),
                compounds: Vec::new(),
            };
            order.push(Op::Community(ci as u32));
            let urban = seed.kind == CommunityKind::Community;
            for round in 0..f {
                let names: Vec<String> = if urban {
                    seed.compounds
                        .iter()
                        .map(|s| {
                            if round == 0 {
                                s.to_string()
                            } else {
                                format!("{s}{}期", cn_number(round + 1))
                            }
                        })
                        .collect()
                } else {
                    (1..=seed.groups)
                        .map(|g| format!("{}组", cn_number(round * seed.groups + g)))
                        .collect()
                };
                let weights: Vec<f64> = names
                    .iter()
                    .map(|_| self.rng.random_range(0.6..1.4))
                    .collect();
                let mut people = seed.population;
                let mut weight_sum: f64 = weights.iter().sum();
                for (j, name) in names.into_iter().enumerate() {
                    let special = name == DISHUIYAN;
                    let (pop, households) = if special {
                        (DISHUIYAN_PEOPLE, DISHUIYAN_HOUSEHOLDS)
                    } else {
                        let pop = ((people as f64) * weights[j] / weight_sum).round() as i64;
                        (
                            pop,
                            (pop as f64 / self.rng.random_range(2.2..2.7)).round() as i64,
                        )
                    };
                    people -= pop;
                    weight_sum -= weights[j];
                    let share = if urban {
                        self.rng.random_range(0.06..0.16)
                    } else {
                        self.rng.random_range(0.02..0.06)
                    };
                    let floating = if special {
                        24
                    } else {
                        (pop as f64 * share).round() as i64
                    };
                    let kind = crate::domain::place::compound_kind_for(seed.kind);
                    let station = self.rng.random_bool(0.88).then(|| {
                        let place = if urban {
                            pick(self.rng, STATION_PLACES_URBAN)
                        } else {
                            pick(self.rng, STATION_PLACES_VILLAGE)
                        };
                        format!("{name}中转站（{place}）")
                    });
                    let k = self.plan.compounds.len();
                    community.compounds.push(k);
                    community.resident += pop - floating;
                    community.floating += floating;
                    community.households += households;
                    order.push(Op::Compound(k as u32));
                    let buildings = self.buildings(k, urban, households, &mut order);
                    self.plan.compounds.push(Compound {
                        community: ci,
                        name,
                        kind,
                        households,
                        resident: pop - floating,
                        floating,
                        station,
                        buildings,
                    });
                }
            }
            self.plan.communities.push(community);
        }
        let slots = self.tl.office(-47, -46);
        let times = spread(order.len(), &slots);
        for (t, op) in times.into_iter().zip(order) {
            self.at(t, op);
        }
    }

    fn buildings(
        &mut self,
        compound: usize,
        urban: bool,
        households: i64,
        order: &mut Vec<Op>,
    ) -> Vec<usize> {
        let names: Vec<(String, BuildingKind)> = if urban {
            let n = (households / self.rng.random_range(18..40)).clamp(2, 16);
            (1..=n)
                .map(|i| (format!("{i}栋"), BuildingKind::Building))
                .collect()
        } else {
            let mut idx: Vec<usize> = (0..COURTYARDS.len()).collect();
            idx.shuffle(self.rng);
            let n = self.rng.random_range(3..=6);
            idx[..n]
                .iter()
                .map(|&i| (COURTYARDS[i].to_string(), BuildingKind::Courtyard))
                .collect()
        };
        let n = names.len() as i64;
        let mut out = Vec::new();
        for (i, (name, kind)) in names.into_iter().enumerate() {
            let share = households / n + i64::from((i as i64) < households % n);
            let point = self.rng.random_bool(0.8).then(|| match kind {
                BuildingKind::Building => format!("{name}{}", pick(self.rng, POINT_PLACES)),
                BuildingKind::Courtyard => format!("{name}院坝"),
            });
            let b = self.plan.buildings.len();
            self.plan.buildings.push(Building {
                compound,
                name,
                kind,
                households: share,
                point,
            });
            order.push(Op::Building(b as u32));
            out.push(b);
        }
        out
    }

    fn units(&mut self) {
        for round in 0..self.f {
            for seed in UNITS {
                let name = if round == 0 {
                    seed.name.to_string()
                } else {
                    format!("{}（{}号网点）", seed.name, round + 1)
                };
                let address = match seed.community {
                    Some(c) => format!(
                        "万州区双河口街道{}{}号",
                        COMMUNITIES[c].road,
                        self.rng.random_range(1..300)
                    ),
                    None => format!("万州区龙都街道物流园{}号", self.rng.random_range(1..120)),
                };
                let (sales, stock, staff) = world::survey(seed.category);
                let (_, (lo, hi)) = world::fleet(seed.category);
                let regular_stock = round1(self.rng.random_range(stock.0..=stock.1));
                let storage_capacity = if seed.category == UnitCategory::Logistics {
                    round1(self.rng.random_range(200.0..1000.0))
                } else {
                    round1(regular_stock * self.rng.random_range(1.3..3.0)).max(regular_stock)
                };
                let vehicles = i64::from(self.rng.random_range(lo..=hi));
                let cap = Capacity {
                    daily_sales: round1(self.rng.random_range(sales.0..=sales.1)),
                    regular_stock,
                    storage_capacity,
                    staff: self.rng.random_range(staff.0..=staff.1),
                    vehicles,
                    drivers: vehicles + self.rng.random_range(0..=2),
                };
                let phone = if self.rng.random_bool(0.6) {
                    names::landline(self.rng)
                } else {
                    names::mobile(self.rng)
                };
                self.plan.units.push(Unit {
                    name,
                    category: seed.category,
                    community: seed.community,
                    address,
                    contact: names::staff_name(self.rng),
                    phone,
                    cap,
                });
            }
        }
        let slots = self.tl.office(-46, -45);
        let times = spread(self.plan.units.len(), &slots);
        for (i, t) in times.into_iter().enumerate() {
            self.at(t, Op::Unit(i as u32));
        }
    }

    fn vehicles(&mut self) {
        let mut seen: HashSet<String> = HashSet::new();
        for u in 0..self.plan.units.len() {
            let (types, _) = world::fleet(self.plan.units[u].category);
            for _ in 0..self.plan.units[u].cap.vehicles {
                let vt = pick(self.rng, types);
                let new_energy =
                    self.rng
                        .random_bool(if vt.name == "面包车" { 0.3 } else { 0.08 });
                let plate = loop {
                    let p = names::plate(self.rng, new_energy);
                    let standard = plate::normalize(&p)
                        .is_ok_and(|n| n.plate.as_str() == p && n.verdict.is_standard());
                    if standard && seen.insert(p.clone()) {
                        break p;
                    }
                };
                let load = vt
                    .load
                    .map(|(lo, hi)| (self.rng.random_range(lo..=hi) * 2.0).round() / 2.0);
                self.plan.vehicles.push(Vehicle {
                    plate,
                    vtype: vt.name,
                    load,
                    unit: u,
                    driver: names::staff_name(self.rng),
                    phone: names::mobile(self.rng),
                });
            }
        }
        // Three in five were on the ledger before the earlier episode;
        // the rest are registered as the current one needs them.
        let n = self.plan.vehicles.len();
        self.vehicle_at = vec![None; n];
        let setup: Vec<usize> = (0..n).filter(|_| self.rng.random_bool(0.6)).collect();
        let times = spread(setup.len(), &self.tl.office(-45, -44));
        for (&v, t) in setup.iter().zip(times) {
            self.vehicle_at[v] = Some(t);
            self.at(t, Op::Vehicle(v as u32));
        }
        self.setup_vehicles = setup;
    }

    fn activations(&mut self) {
        let tl = self.tl;
        for (t, action, directive, before) in [
            (
                tl.earlier_on,
                ActivationAction::Activate,
                DIRECTIVE_EARLIER,
                25 * MIN,
            ),
            (
                tl.earlier_off,
                ActivationAction::Deactivate,
                DIRECTIVE_EARLIER_END,
                10 * MIN,
            ),
            (
                tl.active,
                ActivationAction::Activate,
                DIRECTIVE_CURRENT,
                14 * MIN,
            ),
        ] {
            let k = self.plan.activations.len() as u32;
            self.plan.activations.push(ActivationStep {
                action,
                directive,
                received: t - before,
            });
            self.at(t, Op::Activation(k));
        }
    }

    fn posts_and_reports(&mut self) {
        let a = self.tl.active;
        let open: Vec<usize> = (0..self.plan.posts.len())
            .filter(|&i| !self.plan.posts[i].manned)
            .collect();
        // Most members go to post within the first hour and a half; two
        // (or one of a short list) have not yet.
        let missing = if open.len() >= 6 {
            2
        } else {
            usize::from(open.len() >= 3)
        };
        let mut order = open.clone();
        order.shuffle(self.rng);
        for &i in &order[..order.len() - missing] {
            let t = between(self.rng, a + 5 * MIN, a + 90 * MIN);
            self.at(t, Op::PostManned(i as u32));
        }
        let mut communities: Vec<usize> = (0..self.plan.communities.len()).collect();
        communities.shuffle(self.rng);
        let reporting = communities.len().saturating_sub(2);
        for &c in &communities[..reporting] {
            let t = between(self.rng, a + 10 * MIN, a + 150 * MIN);
            self.at(t, Op::Reported(c as u32));
        }
        for k in 0..self.plan.compounds.len() {
            if self.plan.compounds[k].station.is_some() && self.rng.random_bool(0.9) {
                let t = between(self.rng, a + 30 * MIN, a + 6 * HOUR);
                self.at(t, Op::StationOpened(k as u32));
            }
        }
    }

    fn passes(&mut self) {
        #[derive(Clone, Copy, PartialEq, Eq)]
        enum Fate {
            Requested,
            Valid,
            Expiring,
            Expired,
            NotYet,
            Suspended,
            Revoked,
        }
        const FATES: &[(Fate, u32)] = &[
            (Fate::Requested, 7),
            (Fate::Valid, 50),
            (Fate::Expiring, 12),
            (Fate::Expired, 9),
            (Fate::NotYet, 3),
            (Fate::Suspended, 10),
            (Fate::Revoked, 9),
        ];
        const FORCED: &[Fate] = &[
            Fate::Requested,
            Fate::Valid,
            Fate::Expiring,
            Fate::Expired,
            Fate::NotYet,
            Fate::Suspended,
            Fate::Revoked,
        ];
        let tl = self.tl;
        let (a, n) = (tl.active, tl.now);
        let nv = self.plan.vehicles.len();

        // The earlier episode: a third of the vehicles on the ledger then
        // had a pass; a quarter of those were recalled when it ended.
        let setup = self.setup_vehicles.clone();
        for v in setup {
            if !self.rng.random_bool(0.33) {
                continue;
            }
            let req = between(
                self.rng,
                tl.earlier_on + 10 * MIN,
                tl.earlier_on + 30 * HOUR,
            );
            let iss = req + between(self.rng, 10 * MIN, 2 * HOUR);
            let until = iss
                + if self.rng.random_bool(0.5) {
                    3 * DAY
                } else {
                    7 * DAY
                };
            let k = self.vehicle_pass(v, (iss, until));
            self.at(req, Op::PassRequest(k));
            self.at(iss, Op::PassIssue(k));
            if self.rng.random_bool(0.25) {
                self.plan.passes[k as usize].revoke_reason = "预案解除，收回通行证";
                let t = between(
                    self.rng,
                    tl.earlier_off + 10 * MIN,
                    tl.earlier_off + 3 * HOUR,
                );
                self.at(t, Op::PassRevoke(k));
            }
        }

        // The current episode: nearly every vehicle, every status.
        let mut subjects: Vec<(PassKind, usize)> = Vec::new();
        for v in 0..nv {
            if self.rng.random_bool(0.95) {
                subjects.push((PassKind::Vehicle, v));
            }
        }
        for _ in 0..35 * self.f {
            let u = self.rng.random_range(0..self.plan.units.len());
            subjects.push((PassKind::Staff, u));
        }
        for u in 0..self.plan.units.len() {
            if self.rng.random_bool(0.85) {
                subjects.push((PassKind::Business, u));
            }
        }
        subjects.shuffle(self.rng);
        for (i, (kind, x)) in subjects.into_iter().enumerate() {
            let fate = match FORCED.get(i) {
                Some(&f) => f,
                None => weighted(self.rng, FATES),
            };
            let gap = between(self.rng, 10 * MIN, 2 * HOUR);
            let long = *pick(self.rng, &[7 * DAY, 10 * DAY, 14 * DAY]);
            // (requested, issued, window)
            let (req, iss, window) = match fate {
                Fate::Requested => {
                    let req = between(self.rng, n - 20 * HOUR, n - 10 * MIN);
                    let from = (req / HOUR + 1) * HOUR;
                    (req, None, (from, from + 7 * DAY))
                }
                Fate::Valid | Fate::Suspended | Fate::Revoked => {
                    let iss = between(self.rng, a + 2 * HOUR + 30 * MIN, n - 3 * HOUR);
                    (iss - gap, Some(iss), (iss, iss + long))
                }
                Fate::Expiring => {
                    // A 48-hour pass issued the day before yesterday.
                    let iss = between(self.rng, n - 47 * HOUR, n - 25 * HOUR);
                    (iss - gap, Some(iss), (iss, iss + 48 * HOUR))
                }
                Fate::Expired => {
                    // A 24-hour pass of the first day.
                    let iss = between(self.rng, a + 2 * HOUR + 30 * MIN, n - 26 * HOUR);
                    (iss - gap, Some(iss), (iss, iss + 24 * HOUR))
                }
                Fate::NotYet => {
                    let iss = between(self.rng, n - 8 * HOUR, n - 2 * HOUR);
                    // From six tomorrow morning (local), for a week.
                    let from = tl.today + DAY + 6 * HOUR;
                    (
                        iss - between(self.rng, 10 * MIN, 60 * MIN),
                        Some(iss),
                        (from, from + 7 * DAY),
                    )
                }
            };
            let k = match kind {
                PassKind::Vehicle => {
                    if self.vehicle_at[x].is_none() {
                        let t = (req - between(self.rng, 5 * MIN, 2 * HOUR)).max(a + 5 * MIN);
                        self.vehicle_at[x] = Some(t);
                        self.at(t, Op::Vehicle(x as u32));
                    }
                    self.vehicle_pass(x, window)
                }
                PassKind::Staff => {
                    let unit = &self.plan.units[x];
                    let subject = format!(
                        "{}（{} {}）",
                        names::staff_name(self.rng),
                        unit.name,
                        pick(self.rng, STAFF_ROLES)
                    );
                    self.push_pass(
                        PassKind::Staff,
                        None,
                        x,
                        subject,
                        ISSUER_ECONOMY,
                        Some(AREA_ALL),
                        window,
                    )
                }
                PassKind::Business => {
                    let subject = self.plan.units[x].name.clone();
                    self.push_pass(
                        PassKind::Business,
                        None,
                        x,
                        subject,
                        ISSUER_ECONOMY,
                        None,
                        window,
                    )
                }
            };
            if fate == Fate::Requested {
                // The window asked for is the one that will be issued.
                self.plan.passes[k as usize].asked = window;
            }
            self.at(req, Op::PassRequest(k));
            let Some(iss) = iss else { continue };
            self.at(iss, Op::PassIssue(k));
            match fate {
                Fate::Suspended => {
                    self.plan.passes[k as usize].suspend_reason = one(self.rng, SUSPEND_REASONS);
                    let t = between(self.rng, iss + 30 * MIN, n - 5 * MIN);
                    self.at(t, Op::PassSuspend(k));
                }
                Fate::Revoked => {
                    let mut t = iss;
                    if self.rng.random_bool(0.5) {
                        self.plan.passes[k as usize].suspend_reason =
                            one(self.rng, SUSPEND_REASONS);
                        t = between(self.rng, iss + 30 * MIN, n - 40 * MIN);
                        self.at(t, Op::PassSuspend(k));
                    }
                    self.plan.passes[k as usize].revoke_reason = one(self.rng, REVOKE_REASONS);
                    let t = between(self.rng, t + 10 * MIN, n - 5 * MIN);
                    self.at(t, Op::PassRevoke(k));
                }
                _ => {}
            }
        }
        // Vehicles without any pass still join the ledger at some point.
        for v in 0..nv {
            if self.vehicle_at[v].is_none() {
                let t = between(self.rng, a + 10 * MIN, n - 30 * MIN);
                self.vehicle_at[v] = Some(t);
                self.at(t, Op::Vehicle(v as u32));
            }
        }
    }

    fn vehicle_pass(&mut self, v: usize, window: (i64, i64)) -> u32 {
        let unit = self.plan.vehicles[v].unit;
        let category = self.plan.units[unit].category;
        let issuer = match category {
            UnitCategory::Vegetables | UnitCategory::Meat | UnitCategory::EggsMilk
                if self.rng.random_bool(0.5) =>
            {
                ISSUER_FARMING
            }
            _ if self.rng.random_bool(0.6) => ISSUER_TRANSPORT,
            _ => ISSUER_ECONOMY,
        };
        let area = one(self.rng, ROUTES);
        let subject = self.plan.vehicles[v].plate.clone();
        self.push_pass(
            PassKind::Vehicle,
            Some(v),
            unit,
            subject,
            issuer,
            Some(area),
            window,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn push_pass(
        &mut self,
        kind: PassKind,
        vehicle: Option<usize>,
        unit: usize,
        subject: String,
        issuer: &'static str,
        area: Option<&'static str>,
        window: (i64, i64),
    ) -> u32 {
        // Applicants ask from the next full hour for a week; the office
        // decides the window on issue.
        let from = (window.0 / HOUR) * HOUR;
        let k = self.plan.passes.len();
        self.plan.passes.push(Pass {
            kind,
            vehicle,
            unit,
            subject,
            issuer,
            asked: (from, from + 7 * DAY),
            window,
            area,
            suspend_reason: "",
            revoke_reason: "",
        });
        k as u32
    }

    fn volunteers(&mut self) {
        let (a, setup_slots) = (self.tl.active, self.tl.office(-45, -44));
        let mut setup: Vec<usize> = Vec::new();
        for k in 0..self.plan.compounds.len() {
            for _ in 0..self.rng.random_range(1..=3) {
                let c = &self.plan.compounds[k];
                let building = (!c.buildings.is_empty() && self.rng.random_bool(0.5))
                    .then(|| c.buildings[self.rng.random_range(0..c.buildings.len())]);
                let station = match building {
                    Some(b) => self.plan.buildings[b]
                        .point
                        .clone()
                        .or_else(|| c.station.clone()),
                    None => c.station.clone(),
                };
                let i = self.plan.volunteers.len();
                self.plan.volunteers.push(Volunteer {
                    name: names::staff_name(self.rng),
                    phone: names::mobile(self.rng),
                    community: c.community,
                    compound: Some(k),
                    building,
                    station,
                    tasks: one(self.rng, VOLUNTEER_TASKS),
                });
                if self.rng.random_bool(0.4) {
                    setup.push(i);
                } else {
                    let t = between(self.rng, a + 30 * MIN, a + 10 * HOUR);
                    self.at(t, Op::Volunteer(i as u32));
                }
            }
        }
        let times = spread(setup.len(), &setup_slots);
        for (i, t) in setup.into_iter().zip(times) {
            self.at(t, Op::Volunteer(i as u32));
        }
    }

    fn recipients(&mut self) {
        use Group as G;
        const COUNTS: &[(Group, u32)] = &[
            (G::IsolationSite, 3),
            (G::DesignatedHospital, 2),
            (G::ElderCareHome, 3),
            (G::ElderlyAlone, 58),
            (G::Pregnant, 20),
            (G::Disabled, 24),
            (G::Subsistence, 30),
            (G::ExtremePoverty, 15),
            (G::MobilityImpaired, 24),
            (G::LeftBehindChild, 15),
            (G::VulnerableChild, 10),
            (G::Homeless, 5),
            (G::Dialysis, 12),
            (G::Psychiatric, 10),
            (G::ChronicDisease, 69),
        ];
        let (a, slots) = (self.tl.active, self.tl.office(-44, -42));
        let urban: Vec<usize> = (0..self.plan.compounds.len())
            .filter(|&k| self.plan.compounds[k].kind == CompoundKind::Compound)
            .collect();
        let mut setup: Vec<usize> = Vec::new();
        for &(group, per) in COUNTS {
            for i in 0..(per * self.f) as usize {
                let r = self.recipient(group, i, &urban);
                let i = self.plan.recipients.len();
                self.plan.recipients.push(r);
                // Isolation sites open with the outbreak; a few people are
                // found by the door-to-door check after activation.
                if group == G::IsolationSite
                    || (!group.is_institution() && self.rng.random_bool(0.07))
                {
                    let t = between(self.rng, a + HOUR, a + 12 * HOUR);
                    self.at(t, Op::Recipient(i as u32));
                } else {
                    setup.push(i);
                }
            }
        }
        // People are surveyed community by community, not group by group.
        setup.sort_by_key(|&i| (self.plan.recipients[i].community, i));
        let times = spread(setup.len(), &slots);
        for (i, t) in setup.into_iter().zip(times) {
            self.at(t, Op::Recipient(i as u32));
        }
    }

    fn recipient(&mut self, group: Group, i: usize, urban: &[usize]) -> Recipient {
        use Group as G;
        let rng = &mut *self.rng;
        let institution = |list: &[&str], prefix: &str| {
            let base = list[i % list.len()];
            let name = format!("{prefix}{base}");
            if i < list.len() {
                name
            } else {
                format!("{name}（{}）", i / list.len() + 1)
            }
        };
        let (k, building, unit_no, room) = if group.is_institution() || urban.is_empty() {
            let k = if urban.is_empty() {
                0
            } else {
                urban[rng.random_range(0..urban.len())]
            };
            (k, None, None, None)
        } else {
            let k = rng.random_range(0..self.plan.compounds.len());
            let c = &self.plan.compounds[k];
            let b = (!c.buildings.is_empty())
                .then(|| &self.plan.buildings[c.buildings[rng.random_range(0..c.buildings.len())]]);
            match b {
                Some(b) if b.kind == BuildingKind::Building => (
                    k,
                    Some(b.name.clone()),
                    Some(format!("{}单元", rng.random_range(1..=3))),
                    Some(format!(
                        "{}0{}",
                        rng.random_range(1..=18),
                        rng.random_range(1..=4)
                    )),
                ),
                Some(b) => (k, Some(b.name.clone()), None, None),
                None => (k, None, None, None),
            }
        };
        let community = self.plan.compounds.get(k).map_or(0, |c| c.community);
        let compound = (!self.plan.compounds.is_empty()).then_some(k);
        if group.is_institution() {
            let (name, condition, needs) = match group {
                G::IsolationSite => (
                    institution(ISOLATION_SITES, "双河口街道集中隔离点·"),
                    format!("隔离人员{}人", rng.random_range(40..160)),
                    "盒饭、饮用水、防护用品、生活垃圾清运",
                ),
                G::DesignatedHospital => (
                    institution(HOSPITALS, ""),
                    format!("收治患者{}人", rng.random_range(20..90)),
                    "医用防护用品、职工餐食、消毒用品",
                ),
                _ => (
                    institution(CARE_HOMES, ""),
                    format!("在院老人{}人", rng.random_range(25..110)),
                    "米面油、蔬菜、常用药品",
                ),
            };
            return Recipient {
                name,
                phone: Some(names::landline(rng)),
                id_number: None,
                group,
                condition: Some(condition),
                community,
                compound,
                building: None,
                unit_no: None,
                room: None,
                needs: needs.to_string(),
            };
        }
        let years = match group {
            G::ElderlyAlone => (1930, 1950),
            G::Pregnant => (1988, 2001),
            G::Disabled => (1950, 2000),
            G::Subsistence => (1945, 1990),
            G::ExtremePoverty => (1940, 1985),
            G::MobilityImpaired => (1935, 1975),
            G::LeftBehindChild => (2010, 2019),
            G::VulnerableChild => (2009, 2020),
            G::Homeless => (1955, 1985),
            G::Dialysis => (1950, 1985),
            G::Psychiatric => (1960, 1995),
            _ => (1940, 1975),
        };
        let male = group != G::Pregnant && rng.random_bool(0.5);
        let birth = names::birth_date(rng, years.0, years.1);
        let homeless = group == G::Homeless;
        let id_number =
            (!homeless || rng.random_bool(0.5)).then(|| names::id_number(rng, birth, male));
        let phone = (!homeless || rng.random_bool(0.3)).then(|| names::mobile(rng));
        let condition: Option<String> = match group {
            G::Dialysis => Some(
                pick(
                    rng,
                    &[
                        "尿毒症，每周一、三、五血液透析",
                        "尿毒症，每周二、四、六血液透析",
                    ],
                )
                .to_string(),
            ),
            G::Psychiatric => Some(
                pick(
                    rng,
                    &[
                        "精神分裂症，病情稳定，需按时服药",
                        "双相情感障碍，需监护人陪同",
                    ],
                )
                .to_string(),
            ),
            G::ChronicDisease => Some(
                pick(
                    rng,
                    &[
                        "高血压",
                        "2型糖尿病，胰岛素治疗",
                        "冠心病",
                        "慢性阻塞性肺病，需家用制氧机",
                    ],
                )
                .to_string(),
            ),
            G::Pregnant if rng.random_bool(0.7) => {
                Some(format!("孕{}周", rng.random_range(12..40)))
            }
            G::Pregnant => Some(format!("产后{}天", rng.random_range(3..42))),
            G::Disabled => Some(
                pick(
                    rng,
                    &[
                        "肢体残疾二级",
                        "视力残疾一级",
                        "听力残疾三级",
                        "智力残疾二级",
                    ],
                )
                .to_string(),
            ),
            G::MobilityImpaired => Some(
                pick(
                    rng,
                    &["脑梗后遗症，卧床", "髋关节术后，需助行器", "双下肢无力"],
                )
                .to_string(),
            ),
            G::ElderlyAlone if rng.random_bool(0.4) => Some("子女在外地务工".to_string()),
            _ => None,
        };
        let needs = match group {
            G::ElderlyAlone => "大米、挂面、蔬菜，代购降压药",
            G::Pregnant => "婴幼儿奶粉、鸡蛋、新鲜蔬菜",
            G::Disabled => "米面油、蔬菜，需送货上楼",
            G::Subsistence => "米面油、蔬菜",
            G::ExtremePoverty => "米面油、蔬菜、日用品",
            G::MobilityImpaired => "蔬菜、肉类，需送货上楼",
            G::LeftBehindChild => "学习用品、牛奶、蔬菜",
            G::VulnerableChild => "牛奶、鸡蛋、日用品",
            G::Homeless => "方便食品、饮用水、御寒衣物",
            G::Dialysis => "透析转运、降压药、低钾食品",
            G::Psychiatric => "按时送药、米面油",
            _ => "降压药或降糖药、蔬菜",
        };
        let (building, unit_no, room) = if homeless {
            (None, None, None)
        } else {
            (building, unit_no, room)
        };
        Recipient {
            name: names::recipient_name(rng),
            phone,
            id_number,
            group,
            condition,
            community,
            compound: if homeless { None } else { compound },
            building,
            unit_no,
            room,
            needs: needs.to_string(),
        }
    }

    fn deliveries(&mut self) {
        #[derive(Clone, Copy, PartialEq, Eq)]
        enum End {
            Queued,
            Requeued,
            Assigned,
            EnRoute,
            Failed,
            Delivered,
            DeliveredAfterFailure,
            Cancelled,
        }
        const ENDS: &[(End, u32)] = &[
            (End::Queued, 20),
            (End::Requeued, 4),
            (End::Assigned, 18),
            (End::EnRoute, 12),
            (End::Failed, 8),
            (End::Delivered, 35),
            (End::DeliveredAfterFailure, 5),
            (End::Cancelled, 8),
        ];
        let tl = self.tl;
        let (a, n) = (tl.active, tl.now);
        let mut by_group: Vec<Vec<usize>> = vec![Vec::new(); Group::ALL.len()];
        for (i, r) in self.plan.recipients.iter().enumerate() {
            if let Some(g) = Group::ALL.iter().position(|g| *g == r.group) {
                by_group[g].push(i);
            }
        }
        let mut volunteers: Vec<Vec<usize>> = vec![Vec::new(); self.plan.communities.len()];
        for (i, v) in self.plan.volunteers.iter().enumerate() {
            volunteers[v.community].push(i);
        }
        let weights: Vec<(usize, u32)> = Group::ALL
            .iter()
            .enumerate()
            .map(|(g, grp)| {
                let w = match grp {
                    Group::Dialysis => 10,
                    Group::ChronicDisease => 18,
                    Group::ElderlyAlone => 16,
                    Group::Pregnant => 9,
                    Group::Psychiatric => 5,
                    _ if grp.is_institution() => 3,
                    _ => 4,
                };
                (g, if by_group[g].is_empty() { 0 } else { w })
            })
            .collect();
        let mut ends: Vec<End> = Vec::new();
        for &(end, count) in ENDS {
            ends.extend(std::iter::repeat_n(end, (count * self.f) as usize));
        }
        ends.shuffle(self.rng);
        for end in ends {
            let g = weighted(self.rng, &weights);
            let Some(&r) = by_group[g].get(self.rng.random_range(0..by_group[g].len().max(1)))
            else {
                continue;
            };
            let group = self.plan.recipients[r].group;
            let (items, urgency) = self.items(group);
            let window = match urgency {
                Urgency::Urgent => 2 * HOUR,
                Urgency::High => 4 * HOUR,
                Urgency::Normal => 12 * HOUR,
            };
            let open = matches!(
                end,
                End::Queued | End::Requeued | End::Assigned | End::EnRoute | End::Failed
            );
            let (created, due) = if open {
                let due = if self.rng.random_bool(0.35) {
                    between(self.rng, n - 5 * HOUR, n - 10 * MIN)
                } else {
                    between(self.rng, n + 10 * MIN, n + window - 10 * MIN)
                };
                (due - window, due)
            } else {
                let c = between(self.rng, a + 13 * HOUR, n - 2 * HOUR);
                (c, c + window)
            };
            let community = self.plan.recipients[r].community;
            let assignee = match volunteers[community].len() {
                0 => None,
                len if self.rng.random_bool(0.7) => Some(Assignee::Volunteer(
                    volunteers[community][self.rng.random_range(0..len)],
                )),
                _ => None,
            };
            let assignee = match (assignee, self.setup_vehicles.is_empty()) {
                (Some(x), _) => x,
                (None, false) => Assignee::Vehicle(
                    self.setup_vehicles[self.rng.random_range(0..self.setup_vehicles.len())],
                ),
                (None, true) => match volunteers.iter().flatten().next() {
                    Some(&v) => Assignee::Volunteer(v),
                    None => continue,
                },
            };
            let institution = group.is_institution();
            let d = self.plan.deliveries.len() as u32;
            self.plan.deliveries.push(Delivery {
                recipient: r,
                items,
                urgency,
                due,
                assignee,
                fail: *pick(self.rng, FailReason::ALL),
                fail_note: one(self.rng, FAIL_NOTES),
                received_by: if institution {
                    "门卫"
                } else {
                    one(self.rng, RECEIVED_BY)
                },
                cancel_note: one(self.rng, CANCEL_NOTES),
            });
            let roll: u32 = self.rng.random_range(0..100);
            let mut gap = |lo: i64, hi: i64| between(self.rng, lo * MIN, hi * MIN);
            use Op::*;
            let seq: Vec<Op> = match end {
                End::Queued => vec![],
                End::Requeued => vec![
                    DeliveryAssign(d),
                    DeliveryDepart(d),
                    DeliveryFail(d),
                    DeliveryRequeue(d),
                ],
                End::Assigned => vec![DeliveryAssign(d)],
                End::EnRoute => vec![DeliveryAssign(d), DeliveryDepart(d)],
                End::Failed => vec![DeliveryAssign(d), DeliveryDepart(d), DeliveryFail(d)],
                End::Delivered => vec![DeliveryAssign(d), DeliveryDepart(d), DeliveryDeliver(d)],
                End::DeliveredAfterFailure => vec![
                    DeliveryAssign(d),
                    DeliveryDepart(d),
                    DeliveryFail(d),
                    DeliveryRequeue(d),
                    DeliveryAssign(d),
                    DeliveryDepart(d),
                    DeliveryDeliver(d),
                ],
                End::Cancelled => {
                    if roll < 50 {
                        vec![DeliveryCancel(d)]
                    } else {
                        vec![DeliveryAssign(d), DeliveryCancel(d)]
                    }
                }
            };
            let gaps: Vec<i64> = seq
                .iter()
                .map(|op| match op {
                    DeliveryAssign(_) => gap(3, 40),
                    DeliveryDepart(_) => gap(5, 40),
                    DeliveryDeliver(_) | DeliveryFail(_) => gap(15, 60),
                    DeliveryRequeue(_) => gap(5, 30),
                    _ => gap(10, 120),
                })
                .collect();
            self.at(created, DeliveryNew(d));
            for (t, op) in steps(created, &gaps, n - MIN).into_iter().zip(seq) {
                self.at(t, op);
            }
        }
    }

    /// What a recipient of the group gets, and how urgently.
    fn items(&mut self, group: Group) -> (String, Urgency) {
        use Group as G;
        let rng = &mut *self.rng;
        match group {
            G::Dialysis => (pick(rng, ITEMS_DIALYSIS).to_string(), Urgency::Urgent),
            G::ChronicDisease | G::Psychiatric => {
                let items = match group {
                    G::Psychiatric => one(rng, ITEMS_PSYCHIATRIC),
                    _ => one(rng, ITEMS_CHRONIC),
                };
                (
                    items.to_string(),
                    if rng.random_bool(0.4) {
                        Urgency::Urgent
                    } else {
                        Urgency::High
                    },
                )
            }
            G::Pregnant => (pick(rng, ITEMS_PREGNANT).to_string(), Urgency::High),
            _ if group.is_institution() => (
                format!(
                    "大米{}斤、蔬菜{}斤、鸡蛋{}斤",
                    rng.random_range(10..30) * 10,
                    rng.random_range(8..20) * 10,
                    rng.random_range(2..6) * 10
                ),
                if rng.random_bool(0.6) {
                    Urgency::High
                } else {
                    Urgency::Normal
                },
            ),
            _ => (
                pick(rng, ITEMS_EVERYDAY).to_string(),
                if rng.random_bool(0.3) {
                    Urgency::High
                } else {
                    Urgency::Normal
                },
            ),
        }
    }

    fn alerts(&mut self) {
        const ITEMS: &[(ItemClass, u32)] = &[
            (ItemClass::Vegetables, 25),
            (ItemClass::Meat, 15),
            (ItemClass::Grain, 10),
            (ItemClass::Oil, 8),
            (ItemClass::EggsMilk, 12),
            (ItemClass::Medicine, 10),
            (ItemClass::InfantFormula, 6),
            (ItemClass::Protective, 8),
            (ItemClass::Other, 6),
        ];
        const SEVERITIES: &[(Severity, u32)] = &[
            (Severity::Critical, 15),
            (Severity::High, 30),
            (Severity::Medium, 35),
            (Severity::Low, 20),
        ];
        let tl = self.tl;
        let (a, n) = (tl.active, tl.now);
        let mut by_category: Vec<Vec<usize>> = vec![Vec::new(); UnitCategory::ALL.len()];
        for (i, u) in self.plan.units.iter().enumerate() {
            if let Some(c) = UnitCategory::ALL.iter().position(|c| *c == u.category) {
                by_category[c].push(i);
            }
        }
        let open_count = 25 * self.f as usize;
        let total = 45 * self.f as usize;
        for i in 0..total {
            let open = i < open_count;
            let c = self.rng.random_range(0..self.plan.communities.len());
            let compounds = &self.plan.communities[c].compounds;
            let compound = (!compounds.is_empty() && self.rng.random_bool(0.85))
                .then(|| compounds[self.rng.random_range(0..compounds.len())]);
            let item = weighted(self.rng, ITEMS);
            let severity = match (open, i) {
                (true, 0) => Severity::Critical,
                (true, 1) => Severity::High,
                (true, 2) => Severity::Medium,
                (true, 3) => Severity::Low,
                _ => weighted(self.rng, SEVERITIES),
            };
            let households = match severity {
                Severity::Critical => self.rng.random_range(40..150),
                Severity::High => self.rng.random_range(20..80),
                Severity::Medium => self.rng.random_range(8..40),
                Severity::Low => self.rng.random_range(3..20),
            };
            // The market station's own forecasts: reported by phone like
            // any other alert. Predicted alerts (the flag) are the cover
            // rule's, raised by the stock reports of `supply`, which would
            // otherwise withdraw these while the story goes on handling
            // them.
            let monitored = self.rng.random_bool(0.08);
            let source = if monitored {
                "市场监管所监测预判"
            } else {
                pick(self.rng, ALERT_SOURCES)
            };
            let word = item_word(item);
            let place = match compound {
                Some(k) => {
                    let name = self.compound_name(k);
                    let k = &self.plan.compounds[k];
                    match k.buildings.first().map(|&b| &self.plan.buildings[b]) {
                        Some(b) if self.rng.random_bool(0.5) => format!("{name}{}", b.name),
                        _ => name,
                    }
                }
                None => self.plan.communities[c].name.clone(),
            };
            let text = match self.rng.random_range(0..4) {
                0 => format!("{place}居民反映{word}短缺"),
                1 => format!(
                    "{place}中转站{word}库存仅够{}天",
                    self.rng.random_range(1..3)
                ),
                2 => format!(
                    "{}农贸市场{word}到货不足，价格上涨",
                    self.plan.communities[c].name
                ),
                _ => format!("{place}约{households}户{word}已断供"),
            };
            let cat = UnitCategory::ALL
                .iter()
                .position(|x| *x == category_for(item))
                .unwrap_or(0);
            let dispatched_to = match by_category[cat].len() {
                0 => format!("{}志愿者服务队", self.plan.communities[c].name),
                _ if self.rng.random_bool(0.2) => {
                    format!("{}志愿者服务队", self.plan.communities[c].name)
                }
                len => self.plan.units[by_category[cat][self.rng.random_range(0..len)]]
                    .name
                    .clone(),
            };
            let resolution = pick(self.rng, ALERT_RESOLUTIONS).replace("{to}", &dispatched_to);
            let k = self.plan.alerts.len() as u32;
            self.plan.alerts.push(Alert {
                community: c,
                compound,
                item,
                severity,
                households,
                source,
                text,
                predicted: false,
                dispatched_to,
                resolution,
            });
            use Op::*;
            let closed_at_open = between(self.rng, a + 10 * MIN, n - 3 * HOUR);
            let rolls: [u32; 2] = [self.rng.random_range(0..100), self.rng.random_range(0..100)];
            let mut gap = |lo: i64, hi: i64| between(self.rng, lo * MIN, hi * MIN);
            let (opened, seq): (i64, Vec<(Op, i64)>) = if open {
                // Minutes to two days old, most of them recent.
                let age = match rolls[0] {
                    0..=29 => gap(2, 60),
                    30..=59 => gap(60, 8 * 60),
                    60..=84 => gap(8 * 60, 24 * 60),
                    _ => gap(24 * 60, 48 * 60),
                };
                let seq = match rolls[1] {
                    0..=44 => vec![],
                    45..=69 => vec![(AlertAck(k), gap(2, 30))],
                    70..=79 => vec![(AlertDispatch(k), gap(5, 40))],
                    _ => vec![(AlertAck(k), gap(2, 30)), (AlertDispatch(k), gap(5, 60))],
                };
                ((n - age).max(a + 5 * MIN), seq)
            } else if rolls[0] < 80 {
                let seq = vec![
                    (AlertAck(k), gap(2, 30)),
                    (AlertDispatch(k), gap(5, 60)),
                    (AlertResolve(k), gap(60, 8 * 60)),
                ];
                (closed_at_open, seq)
            } else if rolls[1] < 50 {
                (closed_at_open, vec![(AlertCancel(k), gap(10, 120))])
            } else {
                (
                    closed_at_open,
                    vec![(AlertAck(k), gap(2, 30)), (AlertCancel(k), gap(10, 120))],
                )
            };
            if seq.iter().any(|(op, _)| matches!(op, AlertCancel(_))) {
                self.plan.alerts[k as usize].resolution =
                    pick(self.rng, ALERT_CANCELLATIONS).to_string();
            }
            self.at(opened, AlertOpen(k));
            let gaps: Vec<i64> = seq.iter().map(|(_, g)| *g).collect();
            for (t, (op, _)) in steps(opened, &gaps, n - MIN).into_iter().zip(seq) {
                self.at(t, op);
            }
        }
    }

    fn notes(&mut self) {
        let tl = self.tl;
        let (a, n) = (tl.active, tl.now);
        // Shift takeovers since activation, one per shift (00, 08, 16 local).
        let mut t = ((a + CST).div_euclid(8 * HOUR) + 1) * 8 * HOUR - CST;
        while t < n {
            let officer = officer_at(t);
            self.note(
                t + 2 * MIN,
                LogKind::Note,
                format!("{officer}接班，已阅上一班交接记录"),
                None,
            );
            t += 8 * HOUR;
        }
        // Normal times: a dozen entries per volume unit between episodes.
        for _ in 0..12 * self.f {
            let day = self.rng.random_range(-43..-3);
            let slots = self.tl.office(day, day + 1);
            let at = between(self.rng, slots[0].0, slots[1].1 - MIN);
            let tpl = one(self.rng, QUIET_NOTES);
            let text = self.fill(tpl);
            if at < tl.earlier_on || (at > tl.earlier_off && at < a) {
                self.note(at, LogKind::Note, text, None);
            }
        }
        // The earlier episode.
        for _ in 0..10 * self.f {
            let at = between(
                self.rng,
                tl.earlier_on + 30 * MIN,
                tl.earlier_off - 30 * MIN,
            );
            let (kind, tpl) = if self.rng.random_bool(0.5) {
                (LogKind::Instruction, pick(self.rng, INSTRUCTIONS))
            } else {
                (LogKind::Note, pick(self.rng, NOTES))
            };
            let text = self.fill(tpl);
            self.note(at, kind, text, None);
        }
        // The current episode.
        for _ in 0..200 * self.f {
            let at = between(self.rng, a - 20 * MIN, n - MIN);
            let (kind, tpl) = match self.rng.random_range(0..100) {
                0..=44 => (LogKind::Call, pick(self.rng, CALLS)),
                45..=79 => (LogKind::Note, pick(self.rng, NOTES)),
                _ => (LogKind::Instruction, pick(self.rng, INSTRUCTIONS)),
            };
            let text = self.fill(tpl);
            let before = match kind {
                LogKind::Call if self.rng.random_bool(0.6) => {
                    Some(between(self.rng, 2 * MIN, 40 * MIN))
                }
                LogKind::Note if self.rng.random_bool(0.2) => {
                    Some(between(self.rng, 10 * MIN, 2 * HOUR))
                }
                _ => None,
            };
            self.note(at, kind, text, before);
        }
    }

    /// Stock reports of every community through the activation: the
    /// community's own count twice a day, with the grain, meat and
    /// vegetable units standing in it and one transfer station reporting
    /// their share. Most communities are comfortable; a few drift below
    /// the threshold (one of them taken over by an officer), two stay just
    /// above it, one dips and recovers (its prediction clears itself), one
    /// dips, is taken over and recovers (its prediction stays), one stops
    /// reporting (stale).
    fn supply(&mut self) {
        #[derive(Clone, Copy, PartialEq)]
        enum Fate {
            Comfortable,
            Below(f64, bool),
            Near(f64),
            Recovers,
            TakenOverRecovers,
            Stale,
        }
        const ITEMS: [ItemClass; 7] = [
            ItemClass::Grain,
            ItemClass::Oil,
            ItemClass::Meat,
            ItemClass::Vegetables,
            ItemClass::EggsMilk,
            ItemClass::InfantFormula,
            ItemClass::Protective,
        ];
        const SPECIAL: [Fate; 8] = [
            Fate::Below(0.8, false),
            Fate::Below(1.6, true),
            Fate::Below(2.4, false),
            Fate::Near(3.3),
            Fate::Near(3.7),
            Fate::Recovers,
            Fate::TakenOverRecovers,
            Fate::Stale,
        ];
        let tl = self.tl;
        let (a, n) = (tl.active, tl.now);
        // Three hours after activation, then 09:00 and 17:00 local.
        let mut rounds = vec![a + 3 * HOUR];
        for d in -4..=0 {
            for h in [9, 17] {
                let t = tl.today + d * DAY + h * HOUR;
                if t > a + 4 * HOUR && t < n - 20 * MIN {
                    rounds.push(t);
                }
            }
        }
        let last = rounds.len() - 1;
        let norms = Norms::default();
        let mut cells: Vec<(usize, ItemClass)> = (0..self.plan.communities.len())
            .flat_map(|c| ITEMS.iter().map(move |i| (c, *i)))
            .collect();
        cells.shuffle(self.rng);
        let mut fates: Vec<Fate> = vec![Fate::Comfortable; cells.len()];
        for (fate, special) in fates.iter_mut().zip(SPECIAL) {
            *fate = special;
        }
        // Units of the first round standing in a community, by category.
        let units_in = |plan: &Plan, c: usize, cat: UnitCategory| -> Option<usize> {
            (0..UNITS.len().min(plan.units.len()))
                .find(|&u| plan.units[u].community == Some(c) && plan.units[u].category == cat)
        };
        let mut planned: Vec<(i64, usize)> = Vec::new();
        let mut acks: Vec<(i64, usize)> = Vec::new();
        for (k, &(c, item)) in cells.iter().enumerate() {
            let fate = fates[k];
            let community = &self.plan.communities[c];
            let need = (community.resident + community.floating) as f64 * norms.per_person(item);
            let share_in = self.rng.random_range(0.2..0.7);
            let net = need * (1.0 - share_in);
            let start = self.rng.random_range(4.5..6.5);
            let steady = self.rng.random_range(4.0..12.0);
            let days: Vec<f64> = (0..=last)
                .map(|r| {
                    let x = r as f64 / last.max(1) as f64;
                    match fate {
                        Fate::Comfortable => steady * self.rng.random_range(0.85..1.15),
                        Fate::Below(end, _) | Fate::Near(end) => start + (end - start) * x,
                        Fate::Recovers if r + 1 == last => 1.5,
                        Fate::Recovers if r == last => 6.5,
                        Fate::TakenOverRecovers if r + 2 == last => 1.2,
                        Fate::TakenOverRecovers if r + 2 > last => 7.0,
                        _ => start,
                    }
                })
                .collect();
            // The unit or station that reports a share, from the second
            // round (the first is the community's whole count).
            let helper = if matches!(fate, Fate::Comfortable) {
                match item {
                    ItemClass::Grain | ItemClass::Oil => {
                        units_in(&self.plan, c, UnitCategory::GrainOil).map(StockFrom::Unit)
                    }
                    ItemClass::Meat => {
                        units_in(&self.plan, c, UnitCategory::Meat).map(StockFrom::Unit)
                    }
                    ItemClass::Vegetables => self.plan.communities[c]
                        .compounds
                        .iter()
                        .find(|&&k| self.plan.compounds[k].station.is_some())
                        .map(|&k| StockFrom::Station(k)),
                    _ => None,
                }
            } else {
                None
            };
            let contact = self.plan.communities[c].contact.clone();
            for (r, &t) in rounds.iter().enumerate() {
                if fate == Fate::Stale && r > 0 {
                    break;
                }
                let stock = (days[r] * net * 10.0).round() / 10.0;
                let supply_in = (need * share_in * 10.0).round() / 10.0;
                let at = t + between(self.rng, 0, 40 * MIN);
                let mut own = stock;
                if let (Some(from), true) = (helper, r > 0) {
                    let part = (stock * self.rng.random_range(0.25..0.45) * 10.0).round() / 10.0;
                    own = ((stock - part) * 10.0).round() / 10.0;
                    let reporter = match from {
                        StockFrom::Unit(u) => self.plan.units[u].contact.clone(),
                        _ => names::staff_name(self.rng),
                    };
                    let i = self.plan.stock.len();
                    self.plan.stock.push(Stock {
                        community: c,
                        item,
                        from,
                        stock: part,
                        supply_in: 0.0,
                        reporter,
                        channel: "报表",
                    });
                    // Before the community's count, which then says the rest.
                    planned.push((at - 2 * MIN, i));
                }
                let i = self.plan.stock.len();
                self.plan.stock.push(Stock {
                    community: c,
                    item,
                    from: StockFrom::Community,
                    stock: own,
                    supply_in,
                    reporter: contact.clone(),
                    channel: one(self.rng, &["电话", "报表", "微信工作群"]),
                });
                planned.push((at, i));
                // The officer takes the prediction over soon after the
                // report that raised it.
                let th = norms.threshold_days;
                let raised_now = days[r] < th && (r == 0 || days[r - 1] >= th);
                let taken_over = match fate {
                    Fate::Below(_, true) => raised_now,
                    Fate::TakenOverRecovers => r + 2 == last,
                    _ => false,
                };
                if taken_over {
                    acks.push(((at + between(self.rng, 15 * MIN, 40 * MIN)).min(n - MIN), i));
                }
            }
            // Medicine is not bought per head: its cover shows "—".
            if item == ItemClass::Grain
                && community.kind == crate::domain::place::CommunityKind::Community
            {
                let i = self.plan.stock.len();
                self.plan.stock.push(Stock {
                    community: c,
                    item: ItemClass::Medicine,
                    from: StockFrom::Community,
                    stock: self.rng.random_range(40..200) as f64,
                    supply_in: self.rng.random_range(5..20) as f64,
                    reporter: self.plan.communities[c].contact.clone(),
                    channel: "电话",
                });
                planned.push((rounds[last] + between(self.rng, 0, 40 * MIN), i));
            }
        }
        for (t, i) in planned {
            self.at(t.min(n - MIN), Op::Stock(i as u32));
        }
        for (t, i) in acks {
            self.at(t, Op::PredictedAck(i as u32));
        }
    }

    /// Grid workers phone or visit every recipient about as often as their
    /// group's period asks, from the activation on; a few are missed (the
    /// coverage-gap list), and a few whose deliveries failed twice in a row
    /// have not been reached since (welfare checks).
    fn contacts_and_welfare(&mut self) {
        const NOTES: &[&str] = &[
            "电话问候，身体尚好，生活物资够用",
            "上门查看，家中米面油充足",
            "提醒按时服药，已登记需求",
            "家属代接电话，情况稳定",
            "视频连线，老人精神不错",
            "反映蔬菜快吃完，已转配送",
        ];
        const NO_ANSWER: &[&str] = &["电话无人接听", "敲门无人应答", "电话关机"];
        let tl = self.tl;
        let (a, n) = (tl.active, tl.now);
        let norms = Norms::default();
        let mut registered: Vec<i64> = vec![a; self.plan.recipients.len()];
        for e in &self.plan.events {
            if let Op::Recipient(i) = e.op {
                registered[i as usize] = e.t;
            }
        }
        let has_delivery: HashSet<usize> =
            self.plan.deliveries.iter().map(|d| d.recipient).collect();
        // Welfare checks: people nobody reached since two failed attempts.
        let mut candidates: Vec<usize> = (0..self.plan.recipients.len())
            .filter(|&r| {
                let g = self.plan.recipients[r].group;
                !g.is_institution()
                    && g != Group::Homeless
                    && !has_delivery.contains(&r)
                    && norms.contact_period(g) <= Duration::hours(48)
            })
            .collect();
        candidates.shuffle(self.rng);
        candidates.truncate(2 * self.f as usize);
        let welfare = candidates;
        let in_welfare: HashSet<usize> = welfare.iter().copied().collect();
        for (r, &since) in registered.iter().enumerate() {
            let group = self.plan.recipients[r].group;
            let period = norms.contact_period(group).num_seconds();
            let missed = in_welfare.contains(&r)
                || self
                    .rng
                    .random_bool(if period <= 48 * HOUR { 0.06 } else { 0.03 });
            // A missed person's last contact is more than a period ago.
            let end = if missed {
                n - period - between(self.rng, HOUR, 8 * HOUR)
            } else {
                n
            };
            let mut t = a.max(since) + between(self.rng, 30 * MIN, 3 * HOUR);
            while t < end {
                let channel = if group == Group::Homeless {
                    ContactChannel::Visit
                } else {
                    weighted(
                        self.rng,
                        &[
                            (ContactChannel::Phone, 70),
                            (ContactChannel::Visit, 25),
                            (ContactChannel::Video, 5),
                        ],
                    )
                };
                if self.rng.random_bool(0.1) {
                    let i = self.plan.contacts.len();
                    self.plan.contacts.push(Contact {
                        recipient: r,
                        channel,
                        reached: false,
                        note: one(self.rng, NO_ANSWER),
                    });
                    self.at(t, Op::Contact(i as u32));
                    t += between(self.rng, 20 * MIN, 2 * HOUR);
                    if t >= end {
                        break;
                    }
                }
                let i = self.plan.contacts.len();
                self.plan.contacts.push(Contact {
                    recipient: r,
                    channel,
                    reached: true,
                    note: one(self.rng, NOTES),
                });
                self.at(t, Op::Contact(i as u32));
                t += between(self.rng, period * 45 / 100, period * 85 / 100);
            }
        }
        let volunteers: Vec<usize> = (0..self.plan.volunteers.len()).collect();
        for r in welfare {
            let community = self.plan.recipients[r].community;
            let v = volunteers
                .iter()
                .copied()
                .find(|&v| self.plan.volunteers[v].community == community)
                .or_else(|| volunteers.first().copied());
            let Some(v) = v else { continue };
            let group = self.plan.recipients[r].group;
            let (items, urgency) = self.items(group);
            let created = n - between(self.rng, 9 * HOUR, 12 * HOUR);
            let d = self.plan.deliveries.len() as u32;
            self.plan.deliveries.push(Delivery {
                recipient: r,
                items,
                urgency,
                due: created + 4 * HOUR,
                assignee: Assignee::Volunteer(v),
                fail: FailReason::NobodyHome,
                fail_note: "敲门无人应答，电话未接",
                received_by: "本人",
                cancel_note: "",
            });
            use Op::*;
            let seq = [
                DeliveryAssign(d),
                DeliveryDepart(d),
                DeliveryFail(d),
                DeliveryRequeue(d),
                DeliveryAssign(d),
                DeliveryDepart(d),
                DeliveryFail(d),
            ];
            let gaps: Vec<i64> = (0..seq.len())
                .map(|_| between(self.rng, 10 * MIN, 40 * MIN))
                .collect();
            self.at(created, DeliveryNew(d));
            for (t, op) in steps(created, &gaps, n - MIN).into_iter().zip(seq) {
                self.at(t, op);
            }
        }
    }

    fn note(&mut self, t: i64, kind: LogKind, text: String, occurred_before: Option<i64>) {
        let i = self.plan.notes.len() as u32;
        self.plan.notes.push(Note {
            kind,
            text,
            occurred_before,
        });
        self.at(t.min(self.tl.now), Op::Note(i));
    }

    /// Fills a phrase's placeholders with places, units and people of the
    /// plan.
    fn fill(&mut self, tpl: &str) -> String {
        let c = self.rng.random_range(0..self.plan.communities.len());
        let compounds = &self.plan.communities[c].compounds;
        let k = compounds
            .get(self.rng.random_range(0..compounds.len().max(1)))
            .copied();
        let compound = k.map_or_else(
            || self.plan.communities[c].name.clone(),
            |k| self.compound_name(k),
        );
        let rng = &mut *self.rng;
        let community = &self.plan.communities[c];
        let building = k
            .and_then(|k| self.plan.compounds[k].buildings.first())
            .map_or("", |&b| self.plan.buildings[b].name.as_str());
        let unit = self
            .plan
            .units
            .get(rng.random_range(0..self.plan.units.len().max(1)))
            .map_or("", |u| u.name.as_str());
        let plate = self
            .plan
            .vehicles
            .get(rng.random_range(0..self.plan.vehicles.len().max(1)))
            .map_or("", |v| v.plate.as_str());
        let item = item_word(*pick(rng, ItemClass::ALL));
        let goods = one(rng, BULK_GOODS);
        tpl.replace("{c}", &community.name)
            .replace("{k}", &compound)
            .replace("{b}", building)
            .replace("{u}", unit)
            .replace("{p}", plate)
            .replace("{i}", item)
            .replace("{g}", goods)
            .replace("{x}", &community.contact)
            .replace("{n}", &rng.random_range(2..12).to_string())
            .replace("{m}", &rng.random_range(10..80).to_string())
            .replace("{t}", &rng.random_range(1..15).to_string())
            .replace("{h}", &rng.random_range(8..21).to_string())
    }

    /// A compound as people say it: a village group with its village.
    fn compound_name(&self, k: usize) -> String {
        let compound = &self.plan.compounds[k];
        match compound.kind {
            CompoundKind::Group => format!(
                "{}{}",
                self.plan.communities[compound.community].name, compound.name
            ),
            CompoundKind::Compound => compound.name.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn volume_grows_with_scale() {
        assert_eq!(volume(0), 1);
        assert_eq!(volume(1), 1);
        assert_eq!(volume(2), 5);
        assert_eq!(volume(100), 397);
    }

    #[test]
    fn steps_fit_before_the_end() {
        assert_eq!(steps(100, &[10, 20], 1000), vec![110, 130]);
        let squeezed = steps(100, &[600, 600], 400);
        assert!(
            squeezed[0] > 100 && squeezed[0] < squeezed[1] && squeezed[1] <= 400,
            "{squeezed:?}"
        );
    }

    #[test]
    fn spread_is_monotone_and_inside_the_slots() {
        let slots = [(0, 100), (200, 300)];
        let v = spread(50, &slots);
        assert!(v.windows(2).all(|w| w[0] <= w[1]));
        assert!(
            v.iter()
                .all(|&t| (0..100).contains(&t) || (200..300).contains(&t))
        );
    }

    #[test]
    fn every_record_is_created_before_it_changes_and_nothing_happens_after_now() {
        let now = 1_795_000_000;
        let mut rng = SmallRng::seed_from_u64(5);
        let plan = make(&mut rng, 1, now, Vec::new());
        assert!(plan.events.windows(2).all(|w| w[0].t <= w[1].t));
        assert!(plan.events.iter().all(|e| e.t <= now));
        let mut made_pass = vec![false; plan.passes.len()];
        let mut made_vehicle = vec![false; plan.vehicles.len()];
        for e in &plan.events {
            match e.op {
                Op::Vehicle(v) => made_vehicle[v as usize] = true,
                Op::PassRequest(p) => {
                    made_pass[p as usize] = true;
                    if let Some(v) = plan.passes[p as usize].vehicle {
                        assert!(made_vehicle[v], "pass {p} before its vehicle");
                    }
                }
                Op::PassIssue(p) | Op::PassSuspend(p) | Op::PassRevoke(p) => {
                    assert!(made_pass[p as usize])
                }
                _ => {}
            }
        }
        assert!(
            made_vehicle.iter().all(|m| *m),
            "every vehicle is registered"
        );
    }
}
