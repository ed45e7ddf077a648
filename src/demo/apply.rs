//! Writes planned events through the store's one door: each row change
//! with its own duty-log entry naming the row, worded like the console's
//! own entries, recipients masked.

use chrono::{DateTime, Datelike, Utc};
use rusqlite::params;

use super::plan::{Assignee, CST, Op, Plan, StockFrom};
use crate::domain::Code;
use crate::domain::cover::Norms;
use crate::domain::log_text::Payload;
use crate::domain::mask::mask_name;
use crate::domain::pass::PassKind;
use crate::domain::time::to_db;
use crate::store::supply::{self, NewContact, StockEntry};
use crate::store::{LogDraft, Result, StoreError, Writer};

#[derive(Clone, Copy)]
enum Table {
    Community,
    Compound,
    Building,
    Unit,
    Vehicle,
    Pass,
    Volunteer,
    Recipient,
    Delivery,
    Alert,
}

const TABLES: [&str; 10] = [
    "community",
    "compound",
    "building",
    "supply_unit",
    "vehicle",
    "pass",
    "volunteer",
    "recipient",
    "delivery",
    "alert",
];

fn at(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).unwrap_or_default()
}

/// Local time with its offset, as the console's log lines write it.
fn log_time(t: i64) -> String {
    at(t + CST).format("%Y-%m-%d %H:%M+08:00").to_string()
}

fn pair<T: Code>(v: T) -> String {
    format!("{} {}", v.label_zh(), v.label_en())
}

/// Ids of the rows made so far, by index in the plan.
pub struct Applier<'p> {
    plan: &'p Plan,
    ids: [Vec<i64>; 10],
    /// The next id of each table in this transaction, read once per
    /// transaction instead of once per row.
    next: [Option<i64>; 10],
    numbers: [u32; 3],
}

impl<'p> Applier<'p> {
    pub fn new(plan: &'p Plan) -> Applier<'p> {
        let lens = [
            plan.communities.len(),
            plan.compounds.len(),
            plan.buildings.len(),
            plan.units.len(),
            plan.vehicles.len(),
            plan.passes.len(),
            plan.volunteers.len(),
            plan.recipients.len(),
            plan.deliveries.len(),
            plan.alerts.len(),
        ];
        Applier {
            plan,
            ids: lens.map(|n| vec![0; n]),
            next: [None; 10],
            numbers: [0; 3],
        }
    }

    /// Call at the start of every transaction.
    pub fn begin(&mut self) {
        self.next = [None; 10];
    }

    fn new_id(&mut self, w: &Writer<'_>, t: Table, index: usize) -> Result<i64> {
        let slot = t as usize;
        let id = match self.next[slot] {
            Some(id) => id,
            None => w.next_id(TABLES[slot])?,
        };
        self.next[slot] = Some(id + 1);
        self.ids[slot][index] = id;
        Ok(id)
    }

    fn id(&self, t: Table, index: usize) -> i64 {
        self.ids[t as usize][index]
    }

    fn place(&self, community: usize, compound: Option<usize>) -> String {
        let c = &self.plan.communities[community].name;
        match compound {
            Some(k) => format!("{c} {}", self.plan.compounds[k].name),
            None => c.clone(),
        }
    }

    /// `#7 张*华（血透患者 Dialysis patient）`: institutions by name,
    /// people masked.
    fn recipient_text(&self, r: usize) -> String {
        let rec = &self.plan.recipients[r];
        let shown = if rec.group.is_institution() {
            rec.name.clone()
        } else {
            mask_name(&rec.name)
        };
        format!(
            "#{} {shown}（{}）",
            self.id(Table::Recipient, r),
            pair(rec.group)
        )
    }

    pub fn apply(&mut self, w: &mut Writer<'_>, op: Op) -> Result<()> {
        let now = to_db(w.now());
        let plan = self.plan;
        match op {
            Op::Community(i) => {
                let i = i as usize;
                let c = &plan.communities[i];
                let id = self.new_id(w, Table::Community, i)?;
                let seq = w.log(LogDraft::change(
                    format!("community:{id}"),
                    format!(
                        "登记{} {} registered: {}, 户数 households {}, 常住 residents {}, 流动 floating {}",
                        c.kind.label_zh(),
                        c.kind.label_en(),
                        c.name,
                        c.households,
                        c.resident,
                        c.floating
                    ),
                ))?;
                w.conn()
                    .prepare_cached(
                        "INSERT INTO community (id, name, kind, resident_pop, floating_pop, households, contact, phone, log_seq)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    )?
                    .execute(params![id, c.name, c.kind.code(), c.resident, c.floating, c.households, c.contact, c.phone, seq])?;
            }
            Op::Compound(i) => {
                let i = i as usize;
                let k = &plan.compounds[i];
                let id = self.new_id(w, Table::Compound, i)?;
                let station = k
                    .station
                    .as_deref()
                    .map(|s| format!(", 中转站 transfer station {s}"))
                    .unwrap_or_default();
                let seq = w.log(LogDraft::change(
                    format!("compound:{id}"),
                    format!(
                        "登记{} {} registered: {} {}, 户数 households {}, 常住 residents {}, 流动 floating {}{station}",
                        k.kind.label_zh(),
                        k.kind.label_en(),
                        plan.communities[k.community].name,
                        k.name,
                        k.households,
                        k.resident,
                        k.floating
                    ),
                ))?;
                w.conn()
                    .prepare_cached(
                        "INSERT INTO compound (id, community_id, name, kind, households, resident_pop, floating_pop,
                            transfer_station, station_active, log_seq)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9)",
                    )?
                    .execute(params![
                        id,
                        self.id(Table::Community, k.community),
                        k.name,
                        k.kind.code(),
                        k.households,
                        k.resident,
                        k.floating,
                        k.station,
                        seq
                    ])?;
            }
            Op::Building(i) => {
                let i = i as usize;
                let b = &plan.buildings[i];
                let k = &plan.compounds[b.compound];
                let id = self.new_id(w, Table::Building, i)?;
                let point = b
                    .point
                    .as_deref()
                    .map(|s| format!(", 转运点 transfer point {s}"))
                    .unwrap_or_default();
                let seq = w.log(LogDraft::change(
                    format!("building:{id}"),
                    format!(
                        "登记{} {} registered: {} {} {}, 户数 households {}{point}",
                        b.kind.label_zh(),
                        b.kind.label_en(),
                        plan.communities[k.community].name,
                        k.name,
                        b.name,
                        b.households
                    ),
                ))?;
                w.conn()
                    .prepare_cached(
                        "INSERT INTO building (id, compound_id, name, kind, households, transfer_point, log_seq)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    )?
                    .execute(params![id, self.id(Table::Compound, b.compound), b.name, b.kind.code(), b.households, b.point, seq])?;
            }
            Op::Unit(i) => {
                let i = i as usize;
                let u = &plan.units[i];
                let id = self.new_id(w, Table::Unit, i)?;
                let cap = &u.cap;
                let seq = w.log(LogDraft::change(
                    format!("supply_unit:{id}"),
                    format!(
                        "登记保供单位 Supply unit registered: {}（{}）, 日销售 daily sales {}, 库存 stock {}, 仓储 storage {}, 人员 staff {}, 车辆 vehicles {}, 司机 drivers {}",
                        u.name,
                        pair(u.category),
                        cap.daily_sales,
                        cap.regular_stock,
                        cap.storage_capacity,
                        cap.staff,
                        cap.vehicles,
                        cap.drivers
                    ),
                ))?;
                let community = u.community.map(|c| self.id(Table::Community, c));
                w.conn()
                    .prepare_cached(
                        "INSERT INTO supply_unit (id, name, category, community_id, address, contact, phone, daily_sales,
                            regular_stock, storage_capacity, staff, vehicles, drivers, log_seq)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                    )?
                    .execute(params![
                        id,
                        u.name,
                        u.category.code(),
                        community,
                        u.address,
                        u.contact,
                        u.phone,
                        cap.daily_sales,
                        cap.regular_stock,
                        cap.storage_capacity,
                        cap.staff,
                        cap.vehicles,
                        cap.drivers,
                        seq
                    ])?;
            }
            Op::Vehicle(i) => {
                let i = i as usize;
                let v = &plan.vehicles[i];
                let id = self.new_id(w, Table::Vehicle, i)?;
                let mut line = format!(
                    "登记车辆 Vehicle registered: {}, 车型 type {}",
                    v.plate, v.vtype
                );
                if let Some(t) = v.load {
                    line.push_str(&format!(", 载重 load {t} t"));
                }
                line.push_str(&format!(
                    ", 单位 unit {}, 司机 driver {}",
                    plan.units[v.unit].name, v.driver
                ));
                let seq = w.log(LogDraft::change(format!("vehicle:{id}"), line))?;
                w.conn()
                    .prepare_cached(
                        "INSERT INTO vehicle (id, plate, vehicle_type, load_tonnes, unit_id, driver, phone, log_seq)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    )?
                    .execute(params![id, v.plate, v.vtype, v.load, self.id(Table::Unit, v.unit), v.driver, v.phone, seq])?;
            }
            Op::Volunteer(i) => {
                let i = i as usize;
                let v = &plan.volunteers[i];
                let id = self.new_id(w, Table::Volunteer, i)?;
                let station = v
                    .station
                    .as_deref()
                    .map(|s| format!(", 站点 station {s}"))
                    .unwrap_or_default();
                let seq = w.log(LogDraft::change(
                    format!("volunteer:{id}"),
                    format!(
                        "登记志愿者 Volunteer registered: {}, {}{station}",
                        v.name,
                        self.place(v.community, v.compound)
                    ),
                ))?;
                w.conn()
                    .prepare_cached(
                        "INSERT INTO volunteer (id, name, phone, community_id, compound_id, building_id, station, tasks, active, log_seq)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9)",
                    )?
                    .execute(params![
                        id,
                        v.name,
                        v.phone,
                        self.id(Table::Community, v.community),
                        v.compound.map(|k| self.id(Table::Compound, k)),
                        v.building.map(|b| self.id(Table::Building, b)),
                        v.station,
                        v.tasks,
                        seq
                    ])?;
            }
            Op::Recipient(i) => {
                let i = i as usize;
                let r = &plan.recipients[i];
                let id = self.new_id(w, Table::Recipient, i)?;
                let seq = w.log(LogDraft::change(
                    format!("recipient:{id}"),
                    format!(
                        "登记特殊群体对象 Recipient registered: {}, {}",
                        self.recipient_text(i),
                        self.place(r.community, r.compound)
                    ),
                ))?;
                w.conn()
                    .prepare_cached(
                        "INSERT INTO recipient (id, name, phone, id_number, grp, condition, community_id, compound_id,
                            building, unit_no, room, needs, log_seq)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                    )?
                    .execute(params![
                        id,
                        r.name,
                        r.phone,
                        r.id_number,
                        r.group.code(),
                        r.condition,
                        self.id(Table::Community, r.community),
                        r.compound.map(|k| self.id(Table::Compound, k)),
                        r.building,
                        r.unit_no,
                        r.room,
                        r.needs,
                        seq
                    ])?;
            }
            Op::PostManned(i) => {
                let p = &plan.posts[i as usize];
                let officer = w.actor().officer.clone();
                let seq = w.log(LogDraft::change(
                    format!("post:{}", p.id),
                    format!(
                        "岗位到岗 Post manned: {}（{}）, 记录人 recorded by {officer}",
                        p.name, p.unit
                    ),
                ))?;
                w.conn()
                    .prepare_cached("UPDATE post SET manned = 1, manned_since = ?1, manned_by = ?2, log_seq = ?3 WHERE id = ?4")?
                    .execute(params![now, officer, seq, p.id])?;
            }
            Op::Reported(i) => {
                let i = i as usize;
                let id = self.id(Table::Community, i);
                let officer = w.actor().officer.clone();
                let seq = w.log(LogDraft::change(
                    format!("community:{id}"),
                    format!(
                        "社区（村）报到 Community reported in: {}, 记录人 recorded by {officer}",
                        plan.communities[i].name
                    ),
                ))?;
                w.conn()
                    .prepare_cached("UPDATE community SET reported_at = ?1, reported_by = ?2, log_seq = ?3 WHERE id = ?4")?
                    .execute(params![now, officer, seq, id])?;
            }
            Op::StationOpened(i) => {
                let i = i as usize;
                let k = &plan.compounds[i];
                let id = self.id(Table::Compound, i);
                let seq = w.log(LogDraft::change(
                    format!("compound:{id}"),
                    format!(
                        "中转站启用 Transfer station opened: {} {}, {}",
                        plan.communities[k.community].name,
                        k.name,
                        k.station.as_deref().unwrap_or_default()
                    ),
                ))?;
                w.conn()
                    .prepare_cached(
                        "UPDATE compound SET station_active = 1, log_seq = ?1 WHERE id = ?2",
                    )?
                    .execute(params![seq, id])?;
            }
            Op::Activation(_) => {
                // Written through `Store::set_activation` by the caller.
            }
            Op::PassRequest(i) => self.pass_request(w, i as usize, &now)?,
            Op::PassIssue(i) | Op::PassSuspend(i) | Op::PassRevoke(i) => {
                self.pass_step(w, op, i as usize)?
            }
            Op::DeliveryNew(i) => self.delivery_new(w, i as usize, &now)?,
            Op::DeliveryAssign(i)
            | Op::DeliveryDepart(i)
            | Op::DeliveryDeliver(i)
            | Op::DeliveryFail(i)
            | Op::DeliveryRequeue(i)
            | Op::DeliveryCancel(i) => self.delivery_step(w, op, i as usize, &now)?,
            Op::AlertOpen(i) => self.alert_open(w, i as usize, &now)?,
            Op::AlertAck(i) | Op::AlertDispatch(i) | Op::AlertResolve(i) | Op::AlertCancel(i) => {
                self.alert_step(w, op, i as usize, &now)?
            }
            Op::Stock(i) => self.stock(w, i as usize)?,
            Op::Contact(i) => {
                let c = &plan.contacts[i as usize];
                supply::log_contact_in(
                    w,
                    &NewContact {
                        recipient_id: self.id(Table::Recipient, c.recipient),
                        channel: c.channel,
                        reached: c.reached,
                        note: Some(c.note.to_string()),
                        at: None,
                    },
                )?;
            }
            Op::PredictedAck(i) => self.predicted_ack(w, i as usize, &now)?,
            Op::Note(i) => {
                let n = &plan.notes[i as usize];
                let occurred = n
                    .occurred_before
                    .map(|d| w.now() - chrono::Duration::seconds(d));
                w.log(LogDraft {
                    occurred_at: occurred,
                    ..LogDraft::free(n.kind, n.text.clone())
                })?;
            }
        }
        Ok(())
    }

    fn pass_request(&mut self, w: &mut Writer<'_>, i: usize, now: &str) -> Result<()> {
        let p = &self.plan.passes[i];
        let id = self.new_id(w, Table::Pass, i)?;
        let (slot, prefix) = match p.kind {
            PassKind::Vehicle => (0, "TX"),
            PassKind::Staff => (1, "GZ"),
            PassKind::Business => (2, "XK"),
        };
        self.numbers[slot] += 1;
        let year = (w.now() + chrono::Duration::seconds(CST)).year();
        let number = format!("SHK-{prefix}-{year}-{:05}", self.numbers[slot]);
        let unit = &self.plan.units[p.unit].name;
        let route = match p.area {
            Some(a) => format!("线路 route {a}"),
            None => "不限区域 any area".to_string(),
        };
        let subject = if p.kind == PassKind::Vehicle {
            format!("{}（{unit}）", p.subject)
        } else {
            p.subject.clone()
        };
        let seq = w.log(LogDraft::change(
            format!("pass:{id}"),
            format!(
                "通行证申请 Pass requested: {number} {}, {subject}, 有效期 valid {} — {}, {route}, 发证 issuer {}",
                pair(p.kind),
                log_time(p.asked.0),
                log_time(p.asked.1),
                p.issuer
            ),
        ))?;
        w.conn()
            .prepare_cached(
                "INSERT INTO pass (id, number, kind, vehicle_id, unit_id, subject, issuer, valid_from, valid_until,
                    area, state, created_at, log_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'requested', ?11, ?12)",
            )?
            .execute(params![
                id,
                number,
                p.kind.code(),
                p.vehicle.map(|v| self.id(Table::Vehicle, v)),
                self.id(Table::Unit, p.unit),
                p.subject,
                p.issuer,
                to_db(at(p.asked.0)),
                to_db(at(p.asked.1)),
                p.area,
                now,
                seq
            ])?;
        Ok(())
    }

    fn pass_step(&mut self, w: &mut Writer<'_>, op: Op, i: usize) -> Result<()> {
        let p = &self.plan.passes[i];
        let id = self.id(Table::Pass, i);
        let number: String = w
            .conn()
            .prepare_cached("SELECT number FROM pass WHERE id = ?1")?
            .query_row([id], |r| r.get(0))?;
        match op {
            Op::PassIssue(_) => {
                let route = match p.area {
                    Some(a) => format!("线路 route {a}"),
                    None => "不限区域 any area".to_string(),
                };
                let seq = w.log(LogDraft::change(
                    format!("pass:{id}"),
                    format!(
                        "通行证发放 Pass issued: {number} {}, {}, 有效期 valid {} — {}, {route}",
                        pair(p.kind),
                        p.subject,
                        log_time(p.window.0),
                        log_time(p.window.1)
                    ),
                ))?;
                w.conn()
                    .prepare_cached(
                        "UPDATE pass SET state = 'issued', valid_from = ?1, valid_until = ?2, log_seq = ?3 WHERE id = ?4",
                    )?
                    .execute(params![to_db(at(p.window.0)), to_db(at(p.window.1)), seq, id])?;
            }
            _ => {
                let (head, state, reason) = match op {
                    Op::PassSuspend(_) => {
                        ("通行证暂停 Pass suspended", "suspended", p.suspend_reason)
                    }
                    _ => ("通行证吊销 Pass revoked", "revoked", p.revoke_reason),
                };
                let seq = w.log(LogDraft::change(
                    format!("pass:{id}"),
                    format!("{head}: {number}, {}; 原因 reason: {reason}", p.subject),
                ))?;
                w.conn()
                    .prepare_cached(
                        "UPDATE pass SET state = ?1, reason = ?2, log_seq = ?3 WHERE id = ?4",
                    )?
                    .execute(params![state, reason, seq, id])?;
            }
        }
        Ok(())
    }

    fn delivery_new(&mut self, w: &mut Writer<'_>, i: usize, now: &str) -> Result<()> {
        let d = &self.plan.deliveries[i];
        let id = self.new_id(w, Table::Delivery, i)?;
        let seq = w.log(LogDraft::change(
            format!("delivery:{id}"),
            format!(
                "配送排队 Delivery queued: #{id} 给 for {}: {}; {}; 期限 due {}",
                self.recipient_text(d.recipient),
                d.items,
                pair(d.urgency),
                log_time(d.due)
            ),
        ))?;
        w.conn()
            .prepare_cached(
                "INSERT INTO delivery (id, recipient_id, items, urgency, due_at, state, attempts, created_at,
                    updated_at, log_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'queued', 0, ?6, ?6, ?7)",
            )?
            .execute(params![id, self.id(Table::Recipient, d.recipient), d.items, d.urgency.code(), to_db(at(d.due)), now, seq])?;
        Ok(())
    }

    fn delivery_step(&mut self, w: &mut Writer<'_>, op: Op, i: usize, now: &str) -> Result<()> {
        let plan = self.plan;
        let d = &plan.deliveries[i];
        let id = self.id(Table::Delivery, i);
        let who = self.recipient_text(d.recipient);
        let subject = format!("delivery:{id}");
        let (kind, volunteer, vehicle, assignee) = match d.assignee {
            Assignee::Volunteer(v) => (
                "volunteer",
                Some(self.id(Table::Volunteer, v)),
                None,
                format!("志愿者 Volunteer {}", plan.volunteers[v].name),
            ),
            Assignee::Vehicle(v) => (
                "vehicle",
                None,
                Some(self.id(Table::Vehicle, v)),
                format!("车辆 Vehicle {}", plan.vehicles[v].plate),
            ),
        };
        let conn_sql = |w: &Writer<'_>, sql: &str, p: &[&dyn rusqlite::ToSql]| -> Result<()> {
            w.conn().prepare_cached(sql)?.execute(p)?;
            Ok(())
        };
        match op {
            Op::DeliveryAssign(_) => {
                let seq = w.log(LogDraft::change(
                    subject,
                    format!("配送分派 Delivery assigned: #{id} 给 for {who} → {assignee}"),
                ))?;
                conn_sql(
                    w,
                    "UPDATE delivery SET state = 'assigned', assignee_kind = ?1, volunteer_id = ?2, vehicle_id = ?3,
                        updated_at = ?4, log_seq = ?5 WHERE id = ?6",
                    params![kind, volunteer, vehicle, now, seq, id],
                )?;
            }
            Op::DeliveryDepart(_) => {
                let seq = w.log(LogDraft::change(
                    subject,
                    format!("配送出发 Delivery en route: #{id} 给 for {who}, {assignee}"),
                ))?;
                conn_sql(
                    w,
                    "UPDATE delivery SET state = 'en_route', updated_at = ?1, log_seq = ?2 WHERE id = ?3",
                    params![now, seq, id],
                )?;
            }
            Op::DeliveryDeliver(_) => {
                let seq = w.log(LogDraft::change(
                    subject,
                    format!(
                        "配送送达 Delivered: #{id} 给 for {who}, {assignee}; 签收人 received by {}",
                        d.received_by
                    ),
                ))?;
                conn_sql(
                    w,
                    "UPDATE delivery SET state = 'delivered', received_by = ?1, done_at = ?2, updated_at = ?2, log_seq = ?3
                     WHERE id = ?4",
                    params![d.received_by, now, seq, id],
                )?;
            }
            Op::DeliveryFail(_) => {
                let seq = w.log(LogDraft::change(
                    subject,
                    format!(
                        "配送未送达 Delivery failed: #{id} 给 for {who}, {assignee}; 原因 reason: {}; {}",
                        pair(d.fail),
                        d.fail_note
                    ),
                ))?;
                conn_sql(
                    w,
                    "UPDATE delivery SET state = 'failed', fail_reason = ?1, note = ?2, attempts = attempts + 1,
                        updated_at = ?3, log_seq = ?4 WHERE id = ?5",
                    params![d.fail.code(), d.fail_note, now, seq, id],
                )?;
            }
            Op::DeliveryRequeue(_) => {
                let seq = w.log(LogDraft::change(
                    subject,
                    format!("配送重新排队 Delivery requeued: #{id} 给 for {who}"),
                ))?;
                conn_sql(
                    w,
                    "UPDATE delivery SET state = 'queued', assignee_kind = NULL, volunteer_id = NULL, vehicle_id = NULL,
                        updated_at = ?1, log_seq = ?2 WHERE id = ?3",
                    params![now, seq, id],
                )?;
            }
            _ => {
                let seq = w.log(LogDraft::change(
                    subject,
                    format!(
                        "配送取消 Delivery cancelled: #{id} 给 for {who}; 原因 reason: {}",
                        d.cancel_note
                    ),
                ))?;
                conn_sql(
                    w,
                    "UPDATE delivery SET state = 'cancelled', note = ?1, done_at = ?2, updated_at = ?2, log_seq = ?3 WHERE id = ?4",
                    params![d.cancel_note, now, seq, id],
                )?;
            }
        }
        Ok(())
    }

    /// A stock report through the store's own rule: the cover of its cell
    /// recomputed, a predicted alert raised or cleared as the default
    /// norms say.
    fn stock(&mut self, w: &mut Writer<'_>, i: usize) -> Result<()> {
        let plan = self.plan;
        let st = &plan.stock[i];
        let (unit_id, compound_id, source_name) = match st.from {
            StockFrom::Community => (None, None, None),
            StockFrom::Unit(u) => (
                Some(self.id(Table::Unit, u)),
                None,
                Some(format!("保供单位 unit {}", plan.units[u].name)),
            ),
            StockFrom::Station(k) => (
                None,
                Some(self.id(Table::Compound, k)),
                plan.compounds[k]
                    .station
                    .as_ref()
                    .map(|s| format!("中转站 station {s}")),
            ),
        };
        supply::record_stock_in(
            w,
            &StockEntry {
                community_id: self.id(Table::Community, st.community),
                item: st.item,
                unit_id,
                outlet_id: None,
                compound_id,
                source_name,
                stock: st.stock,
                supply_in: st.supply_in,
                reported_at: w.now(),
                reporter: Some(st.reporter.clone()),
                channel: Some(st.channel.to_string()),
            },
            &Norms::default(),
        )?;
        // The rule may have raised an alert: ids cached for this
        // transaction are stale.
        self.next[Table::Alert as usize] = None;
        Ok(())
    }

    /// The officer on duty takes over the open predicted alert of a stock
    /// report's cell, as the console's acknowledge does.
    fn predicted_ack(&mut self, w: &mut Writer<'_>, i: usize, now: &str) -> Result<()> {
        let st = &self.plan.stock[i];
        let community = self.id(Table::Community, st.community);
        let id: i64 = w
            .conn()
            .query_row(
                "SELECT id FROM alert WHERE community_id = ?1 AND item = ?2 AND predicted = 1 AND state = 'open'",
                params![community, st.item.code()],
                |r| r.get(0),
            )
            .map_err(|_| {
                StoreError::Refused(crate::msg!(
                    "演示数据：预测预警缺失。",
                    "Demo data: the predicted alert to take over is missing."
                ))
            })?;
        let officer = w.actor().officer.clone();
        let event = Payload::new("alert.ack")
            .with("id", id)
            .with("place", self.plan.communities[st.community].name.clone())
            .with("item", st.item.code())
            .with("handler", officer.clone());
        let seq = w.log(LogDraft::event(format!("alert:{id}"), event))?;
        w.conn()
            .prepare_cached(
                "UPDATE alert SET state = 'acknowledged', handler = ?1, updated_at = ?2, log_seq = ?3 WHERE id = ?4",
            )?
            .execute(params![officer, now, seq, id])?;
        Ok(())
    }

    fn alert_place(&self, i: usize) -> String {
        let a = &self.plan.alerts[i];
        self.place(a.community, a.compound)
    }

    fn alert_open(&mut self, w: &mut Writer<'_>, i: usize, now: &str) -> Result<()> {
        let a = &self.plan.alerts[i];
        let id = self.new_id(w, Table::Alert, i)?;
        let event = Payload::new("alert.raise")
            .with("id", id)
            .with("place", self.alert_place(i))
            .with("item", a.item.code())
            .with("severity", a.severity.code())
            .with("households", a.households)
            .with("source", a.source)
            .with("text", a.text.clone());
        let seq = w.log(LogDraft::event(format!("alert:{id}"), event))?;
        w.conn()
            .prepare_cached(
                "INSERT INTO alert (id, community_id, compound_id, item, severity, households, source, text,
                    state, predicted, opened_at, updated_at, log_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'open', ?9, ?10, ?10, ?11)",
            )?
            .execute(params![
                id,
                self.id(Table::Community, a.community),
                a.compound.map(|k| self.id(Table::Compound, k)),
                a.item.code(),
                a.severity.code(),
                a.households,
                a.source,
                a.text,
                i64::from(a.predicted),
                now,
                seq
            ])?;
        Ok(())
    }

    fn alert_step(&mut self, w: &mut Writer<'_>, op: Op, i: usize, now: &str) -> Result<()> {
        let a = &self.plan.alerts[i];
        let id = self.id(Table::Alert, i);
        let officer = w.actor().officer.clone();
        let event = |k: &str| {
            Payload::new(k)
                .with("id", id)
                .with("place", self.alert_place(i))
                .with("item", a.item.code())
                .with("handler", officer.clone())
        };
        let subject = format!("alert:{id}");
        match op {
            Op::AlertAck(_) => {
                let seq = w.log(LogDraft::event(subject, event("alert.ack")))?;
                w.conn()
                    .prepare_cached(
                        "UPDATE alert SET state = 'acknowledged', handler = ?1, updated_at = ?2, log_seq = ?3 WHERE id = ?4",
                    )?
                    .execute(params![officer, now, seq, id])?;
            }
            Op::AlertDispatch(_) => {
                let to = &a.dispatched_to;
                let seq = w.log(LogDraft::event(
                    subject,
                    event("alert.dispatch").with("to", to.clone()),
                ))?;
                w.conn()
                    .prepare_cached(
                        "UPDATE alert SET state = 'in_progress', handler = ?1, dispatched_to = ?2, updated_at = ?3, log_seq = ?4
                         WHERE id = ?5",
                    )?
                    .execute(params![officer, to, now, seq, id])?;
            }
            _ => {
                let text = a.resolution.as_str();
                let (line, state) = match op {
                    Op::AlertResolve(_) => {
                        (event("alert.resolve").with("outcome", text), "resolved")
                    }
                    _ => (event("alert.cancel").with("reason", text), "cancelled"),
                };
                let seq = w.log(LogDraft::event(subject, line))?;
                w.conn()
                    .prepare_cached(
                        "UPDATE alert SET state = ?1, resolution = ?2, closed_at = ?3, updated_at = ?3, log_seq = ?4 WHERE id = ?5",
                    )?
                    .execute(params![state, text, now, seq, id])?;
            }
        }
        Ok(())
    }
}
