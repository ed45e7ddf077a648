//! Ledgers in bulk: the tables of the plan's annexes (附表1–6) as rows of
//! named fields, matched on their natural keys, checked as a whole and
//! written in one transaction under one duty-log entry.
//!
//! The file side (headers, encodings, cells) lives in `crate::ledger`; it
//! hands over [`Record`]s whose values are already in database form
//! (normalised plates, codes, UTC times), with other records named by
//! their names. This module resolves those names, finds the record each
//! row updates, and writes.
//!
//! An import is a bulk change: one log entry whose subject is the table's
//! name (the triggers accept `table` as well as `table:id`), with the
//! counts and the file's SHA-256, and every row it inserts or updates
//! carries that entry's number. A row that matches its stored record in
//! every given field is left alone.

mod check;
mod plan;
mod refs;
mod stock;
mod tables;

use rusqlite::{Connection, types::Value};

use super::{Actor, LogDraft, Result, Store, StoreError};
use crate::domain::cover::Norms;
use crate::domain::log::LogKind;
use crate::msg;
use crate::msg::Msg;
use check::*;
use plan::*;
use refs::*;
pub use stock::StockImport;
use tables::*;
pub use tables::{CodeSet, FieldSpec, FieldType, LedgerTable, Need};

/// One row of a ledger file, in database form, aligned to
/// [`LedgerTable::fields`]: `None` where the sheet has no such column or
/// the cell is blank, which leaves a stored value as it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The row number a clerk sees in Excel (the header is usually 1).
    pub row: usize,
    pub values: Vec<Option<Value>>,
    /// A cell of this row could not be read (already reported): only its
    /// references and key are checked further.
    pub broken: bool,
}

/// Something wrong (or odd) in one row, and in which field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowIssue {
    pub row: usize,
    /// The field key; `None` for the row as a whole.
    pub field: Option<&'static str>,
    pub message: Msg,
}

/// A field that an update changes, shown as text (masked for personal
/// data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: &'static str,
    pub old: String,
    pub new: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub row: usize,
    /// The record as the desk names it (masked for recipients).
    pub key: String,
    pub fields: Vec<FieldChange>,
}

/// What an import did, or (dry run, or refused) would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub table: LedgerTable,
    pub rows: usize,
    /// Row and name of each record added.
    pub added: Vec<(usize, String)>,
    pub changed: Vec<Changed>,
    pub unchanged: usize,
    /// Rows that stop the import; when there are any nothing is written.
    pub issues: Vec<RowIssue>,
    /// The duty-log entry written, when the import was written.
    pub seq: Option<i64>,
}

/// The file an import came from, for its log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub file_name: String,
    pub sha256: String,
}

/// The stages a long import or export reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Reading,
    Checking,
    Writing,
}

/// Progress of a long run, for a bar on a terminal.
pub trait Progress {
    fn start(&self, phase: Phase, len: u64);
    fn advance(&self, n: u64);
}

/// No progress shown.
pub struct Quiet;

impl Progress for Quiet {
    fn start(&self, _: Phase, _: u64) {}
    fn advance(&self, _: u64) {}
}

/// Every row of a ledger, aligned to [`LedgerTable::fields`]: names for
/// references, codes, UTC times; personal data raw (mask before showing).
pub fn rows(conn: &Connection, t: LedgerTable) -> Result<Vec<Vec<Value>>> {
    let n = t.fields().len();
    let mut st = conn.prepare(t.export_sql())?;
    let mut q = st.query([])?;
    let mut out = Vec::new();
    while let Some(r) = q.next()? {
        let mut row = Vec::with_capacity(n);
        for i in 0..n {
            row.push(r.get::<_, Value>(i)?);
        }
        out.push(row);
    }
    Ok(out)
}

impl Store {
    /// What importing `records` would do, without writing (`--dry-run`,
    /// and the check of a file whose cells already failed).
    pub fn check_ledger(
        &self,
        t: LedgerTable,
        records: &[Record],
        progress: &dyn Progress,
    ) -> Result<ImportReport> {
        if t == LedgerTable::StockReport {
            return stock::check(&self.conn, records, self.now(), progress);
        }
        Ok(plan(&self.conn, t, records, self.now(), progress)?.report)
    }

    /// Imports `records` all or nothing: when any row has an issue the
    /// report lists them and nothing is written; otherwise one log entry
    /// (subject: the table) and every insert and update under it, in one
    /// transaction.
    pub fn import_ledger(
        &mut self,
        actor: &Actor,
        t: LedgerTable,
        records: &[Record],
        source: &Source,
        progress: &dyn Progress,
    ) -> Result<ImportReport> {
        if t == LedgerTable::StockReport {
            // Stock reports move predicted alerts, which need the norms.
            return Ok(self
                .import_stock(actor, records, source, &Norms::default(), progress)?
                .report);
        }
        let mut refused: Option<ImportReport> = None;
        let outcome = self.change(actor, |w| {
            let plan = plan(w.conn(), t, records, w.now(), progress)?;
            if !plan.report.issues.is_empty() {
                let n = plan.report.issues.len();
                refused = Some(plan.report);
                // Dropping the transaction rolls back; nothing was written.
                return Err(StoreError::Refused(msg!(
                    "台账有 {n} 处问题，未导入任何内容。",
                    "The ledger has {n} problems; nothing was imported."
                )));
            }
            let seq = apply(w, t, &plan, source, progress)?;
            let mut report = plan.report;
            report.seq = Some(seq);
            Ok(report)
        });
        match (outcome, refused) {
            (_, Some(report)) => Ok(report),
            (Ok((report, _)), None) => Ok(report),
            (Err(e), None) => Err(e),
        }
    }

    /// Imports stock reports all or nothing, like [`Store::import_ledger`]:
    /// one log entry (subject `stock_report`) and every new report under
    /// it; then, in the same transaction, the predictive rule with `norms`
    /// on every community and item class that received a report, each
    /// predicted alert raised or cleared with its own entry after the
    /// import's. When any row has an issue, nothing is written.
    pub fn import_stock(
        &mut self,
        actor: &Actor,
        records: &[Record],
        source: &Source,
        norms: &Norms,
        progress: &dyn Progress,
    ) -> Result<StockImport> {
        let mut refused: Option<ImportReport> = None;
        let outcome = self.change(actor, |w| {
            match stock::import_in(w, records, source, norms, progress)? {
                Ok(done) => Ok(done),
                Err(report) => {
                    let n = report.issues.len();
                    refused = Some(report);
                    // Dropping the transaction rolls back; nothing was written.
                    Err(StoreError::Refused(msg!(
                        "台账有 {n} 处问题，未导入任何内容。",
                        "The ledger has {n} problems; nothing was imported."
                    )))
                }
            }
        });
        match (outcome, refused) {
            (_, Some(report)) => Ok(StockImport {
                report,
                predicted: Vec::new(),
            }),
            (Ok((done, _)), None) => Ok(done),
            (Err(e), None) => Err(e),
        }
    }

    /// Every row of a ledger for export; see [`rows`].
    pub fn ledger_rows(&self, t: LedgerTable) -> Result<Vec<Vec<Value>>> {
        rows(&self.conn, t)
    }

    /// Reveals a ledger's personal data: reads the rows, hands them to
    /// `write` and records a `access` entry naming the officer, how many
    /// rows and where they went, all in one transaction, so that the
    /// reveal and its log line stand or fall together.
    pub fn reveal_ledger<T>(
        &mut self,
        actor: &Actor,
        t: LedgerTable,
        destination: &str,
        write: impl FnOnce(Vec<Vec<Value>>) -> std::result::Result<T, Msg>,
    ) -> Result<T> {
        self.change(actor, |w| {
            let rows = rows(w.conn(), t)?;
            let n = rows.len();
            let (zh, en) = t.label();
            let officer = w.actor().officer.clone();
            let out = write(rows).map_err(StoreError::Refused)?;
            w.log(LogDraft {
                kind: LogKind::Access,
                text: format!(
                    "导出未遮蔽的{zh}（含个人信息）Exported {en} unmasked: {n} 条 rows → {destination}, 值班员 officer {officer}"
                ),
                occurred_at: None,
                subject: Some(t.table().to_string()),
                corrects: None,
                payload: None,
            })?;
            Ok(out)
        })
        .map(|(out, _)| out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_aligns_fields_and_columns() {
        for &t in LedgerTable::ALL {
            let keys: Vec<&str> = t.fields().iter().map(|f| f.key).collect();
            for col in t.cols() {
                if let Some(k) = col.field {
                    assert!(keys.contains(&k), "{t:?}: column {} shows as {k}", col.name);
                }
            }
            let mut sorted = keys.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), keys.len(), "{t:?}: field keys repeat");
        }
    }

    #[test]
    fn community_spellings_cover_both_habits() {
        assert_eq!(
            community_spellings("螺蛳包"),
            vec!["螺蛳包", "螺蛳包社区", "螺蛳包村"]
        );
        assert_eq!(community_spellings("龙宝村"), vec!["龙宝村", "龙宝"]);
        assert_eq!(community_spellings("社区"), vec!["社区"]);
    }

    #[test]
    fn phones_match_however_written() {
        assert_eq!(phone_digits("138 1234-5678"), "13812345678");
        assert_eq!(phone_digits("+86 13812345678"), "13812345678");
        assert_eq!(phone_digits("023-58123456"), "02358123456");
    }

    #[test]
    fn pass_states_change_only_along_the_machine() {
        let v = |s: &str| Value::Text(s.to_string());
        assert!(check_state_change(2, &v("issued"), &v("suspended")).is_none());
        assert!(check_state_change(2, &v("issued"), &v("issued")).is_none());
        let e = check_state_change(2, &v("revoked"), &v("issued")).expect("refused");
        assert_eq!((e.row, e.field), (2, Some("state")));
        assert!(e.message.en.contains("from revoked to issued"), "{e:?}");
    }
}
