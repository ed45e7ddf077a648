//! Erasure when the emergency ends (PIPL art. 47): the personal data of
//! recipients, contact notes, callers and drivers whose records have not
//! changed since a cut-off, once the plan is back to normal. What stays:
//! masked names, the group, the community and building, ids and the
//! references the duty log makes to them (`覃*菊〔对象#2〕`), so the log,
//! the handover and the reports still read. The duty log itself is never
//! touched (it is hash-chained; free text was scrubbed at the door).
//!
//! Each table's change is a bulk entry of its own, after one entry that
//! says what was erased and why; the rows freed are overwritten
//! (`secure_delete`) and the file is compacted afterwards so that no old
//! copy of a page keeps a number.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{Actor, LogDraft, Result, Store, StoreError};
use crate::domain::Code;
use crate::domain::activation::ActivationState;
use crate::domain::delivery::Group;
use crate::domain::log::LogKind;
use crate::domain::mask::mask_name;
use crate::domain::time::to_db;
use crate::msg;

/// What an erasure takes (or took).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Erasure {
    pub recipients: i64,
    pub contacts: i64,
    pub callers: i64,
    pub drivers: i64,
    /// Deliveries whose signature (签收人) was a name.
    pub signatures: i64,
}

impl Erasure {
    pub fn total(&self) -> i64 {
        self.recipients + self.contacts + self.callers + self.drivers + self.signatures
    }
}

/// When a row's last change was recorded: the time of its log entry.
const CHANGED: &str = "(SELECT recorded_at FROM duty_log WHERE seq = t.log_seq)";

fn recipients_sql(select: &str) -> String {
    format!(
        "SELECT {select} FROM recipient t
         WHERE {CHANGED} < ?1
           AND (phone IS NOT NULL OR id_number IS NOT NULL OR condition IS NOT NULL
                OR unit_no IS NOT NULL OR room IS NOT NULL OR instr(name, '*') = 0)
           AND NOT EXISTS (SELECT 1 FROM delivery d WHERE d.recipient_id = t.id AND d.updated_at >= ?1)
           AND NOT EXISTS (SELECT 1 FROM contact c WHERE c.recipient_id = t.id AND c.recorded_at >= ?1)"
    )
}

fn contacts_sql(select: &str) -> String {
    format!("SELECT {select} FROM contact t WHERE t.recorded_at < ?1 AND t.note IS NOT NULL")
}

fn callers_sql(select: &str) -> String {
    format!(
        "SELECT {select} FROM caller t
         WHERE t.digits IS NOT NULL AND (SELECT recorded_at FROM duty_log WHERE seq = t.first_seq) < ?1"
    )
}

fn drivers_sql(select: &str) -> String {
    format!(
        "SELECT {select} FROM vehicle t
         WHERE {CHANGED} < ?1
           AND (phone IS NOT NULL OR (driver IS NOT NULL AND instr(driver, '*') = 0))
           AND NOT EXISTS (SELECT 1 FROM pass p WHERE p.vehicle_id = t.id AND p.valid_until >= ?1
                           AND p.state IN ('requested','issued'))"
    )
}

fn signatures_sql(select: &str) -> String {
    format!(
        "SELECT {select} FROM delivery t
         WHERE t.updated_at < ?1 AND t.received_by IS NOT NULL AND instr(t.received_by, '*') = 0
           AND t.received_by NOT IN ('本人','家属','亲属','邻居','门卫','物业','网格员','楼栋长','self','family','neighbour','neighbor','guard')"
    )
}

impl Store {
    /// What [`Store::erase_personal_data`] would erase, writing nothing.
    pub fn erasure_counts(&self, before: DateTime<Utc>) -> Result<Erasure> {
        let b = to_db(before);
        let count =
            |sql: String| -> Result<i64> { Ok(self.conn.query_row(&sql, [&b], |r| r.get(0))?) };
        Ok(Erasure {
            recipients: count(recipients_sql("COUNT(*)"))?,
            contacts: count(contacts_sql("COUNT(*)"))?,
            callers: count(callers_sql("COUNT(*)"))?,
            drivers: count(drivers_sql("COUNT(*)"))?,
            signatures: count(signatures_sql("COUNT(*)"))?,
        })
    }

    /// Refuses unless the plan is back to normal (or was never activated).
    pub fn check_erasable(&self) -> Result<()> {
        if let Some(a) = self.activation()?
            && a.state != ActivationState::Normal
        {
            let d = a.directive;
            return Err(StoreError::Refused(msg!(
                "预案仍处于激活状态（{d}）；应急结束、预案解除后才能删除个人信息。",
                "The plan is still activated ({d}); personal data can be erased only once the emergency is over and the plan is back to normal."
            )));
        }
        Ok(())
    }

    /// Erases the personal data of records unchanged since `before`; see
    /// the module documentation. Returns what was erased and the seq of
    /// the entry that says so. Then compacts the file ([`Store::compact`]).
    pub fn erase_personal_data(
        &mut self,
        actor: &Actor,
        before: DateTime<Utc>,
    ) -> Result<(Erasure, i64)> {
        self.check_erasable()?;
        let counts = self.erasure_counts(before)?;
        if counts.total() == 0 {
            return Err(StoreError::Refused(msg!(
                "没有早于该日期、尚未删除的个人信息；未做任何改动。",
                "There is no personal data older than that date left to erase; nothing was changed."
            )));
        }
        self.conn.execute_batch("PRAGMA secure_delete = ON")?;
        let done = self.change(actor, |w| {
            let b = to_db(before);
            let c = counts;
            let first = w.log(LogDraft::free(
                LogKind::Change,
                format!(
                    "删除个人信息 Personal data erased (retention ended, records unchanged since {b}): 对象 recipients {}, 联系记录 contact notes {}, 来电人 callers {}, 司机 drivers {}, 签收人 signatures {}",
                    c.recipients, c.contacts, c.callers, c.drivers, c.signatures
                ),
            ))?;
            if c.recipients > 0 {
                let seq = w.log(LogDraft::change(
                    "recipient",
                    format!("删除对象个人信息 Recipients' personal data erased: {} （姓名遮蔽，电话、身份证号、身体状况、单元、房号删除 names masked; phone, ID number, condition, unit, room removed）", c.recipients),
                ))?;
                let rows: Vec<(i64, String, String)> = {
                    let mut st = w.conn().prepare(&recipients_sql("t.id, t.name, t.grp"))?;
                    st.query_map([&b], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                        .collect::<rusqlite::Result<_>>()?
                };
                let mut st = w.conn().prepare(
                    "UPDATE recipient SET name = ?1, phone = NULL, id_number = NULL, condition = NULL,
                        unit_no = NULL, room = NULL, log_seq = ?2 WHERE id = ?3",
                )?;
                for (id, name, grp) in rows {
                    let institution = Group::from_code(&grp).is_some_and(Group::is_institution);
                    let name = if institution || name.contains('*') { name } else { mask_name(&name) };
                    st.execute(params![name, seq, id])?;
                }
            }
            if c.contacts > 0 {
                let seq = w.log(LogDraft::change(
                    "contact",
                    format!("删除联系记录备注 Contact notes erased: {}", c.contacts),
                ))?;
                w.conn().execute(
                    &format!("UPDATE contact SET note = NULL, log_seq = ?2 WHERE id IN ({})", contacts_sql("t.id")),
                    params![b, seq],
                )?;
            }
            if c.callers > 0 {
                let seq = w.log(LogDraft::change(
                    "caller",
                    format!("删除来电人号码 Callers' numbers erased: {}", c.callers),
                ))?;
                w.conn().execute(
                    &format!(
                        "UPDATE caller SET digits = NULL, erased_at = ?3, log_seq = ?2 WHERE id IN ({})",
                        callers_sql("t.id")
                    ),
                    params![b, seq, to_db(w.now())],
                )?;
            }
            if c.drivers > 0 {
                let seq = w.log(LogDraft::change(
                    "vehicle",
                    format!("删除司机个人信息 Drivers' names and phones erased: {}", c.drivers),
                ))?;
                let rows: Vec<(i64, Option<String>)> = {
                    let mut st = w.conn().prepare(&drivers_sql("t.id, t.driver"))?;
                    st.query_map([&b], |r| Ok((r.get(0)?, r.get(1)?)))?
                        .collect::<rusqlite::Result<_>>()?
                };
                let mut st = w
                    .conn()
                    .prepare("UPDATE vehicle SET driver = ?1, phone = NULL, log_seq = ?2 WHERE id = ?3")?;
                for (id, driver) in rows {
                    st.execute(params![driver.map(|d| mask_name(&d)), seq, id])?;
                }
            }
            if c.signatures > 0 {
                let seq = w.log(LogDraft::change(
                    "delivery",
                    format!("删除签收人姓名 Signatures erased (names masked): {}", c.signatures),
                ))?;
                let rows: Vec<(i64, String)> = {
                    let mut st = w.conn().prepare(&signatures_sql("t.id, t.received_by"))?;
                    st.query_map([&b], |r| Ok((r.get(0)?, r.get(1)?)))?
                        .collect::<rusqlite::Result<_>>()?
                };
                let mut st = w
                    .conn()
                    .prepare("UPDATE delivery SET received_by = ?1, log_seq = ?2 WHERE id = ?3")?;
                for (id, r) in rows {
                    st.execute(params![mask_name(&r), seq, id])?;
                }
            }
            Ok(first)
        });
        let _ = self.conn.execute_batch("PRAGMA secure_delete = OFF");
        let (first, _) = done?;
        Ok((counts, first))
    }

    /// Rewrites the file without free pages and empties the WAL, so that
    /// no old copy of a page keeps erased data. Needs a moment without
    /// other sessions' transactions.
    pub fn compact(&mut self) -> Result<()> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        self.conn.execute_batch("VACUUM")?;
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }
}
