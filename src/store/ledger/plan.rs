//! What an import writes, worked out before the transaction, and the
//! writing of it under one duty-log entry.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params_from_iter, types::Value};

use super::*;
use crate::domain::mask;
use crate::domain::time::from_db;
use crate::msg;
use crate::store::{LogDraft, Result, Writer};

/// How many changed records an import's log entry names.
pub(super) const LOG_NAMES_MAX: usize = 20;

pub(super) struct Plan {
    pub(super) report: ImportReport,
    pub(super) inserts: Vec<Vec<Value>>,
    pub(super) updates: Vec<(i64, Vec<Value>)>,
}

pub(super) fn shown(t: LedgerTable, col: &Col, v: &Value, refs: &Refs) -> String {
    let Some(key) = col.field else {
        return String::new();
    };
    let spec = t.field(key);
    let s = match v {
        Value::Null => return "（空）".to_string(),
        Value::Integer(n) => match (spec.map(|s| s.ty), col.name) {
            (Some(FieldType::Flag), _) => if *n == 1 { "是" } else { "否" }.to_string(),
            (_, "community_id") => refs.community_names.get(n).cloned().unwrap_or_default(),
            (_, "compound_id") => refs.compound_names.get(n).cloned().unwrap_or_default(),
            (_, "building_id") => refs.building_names.get(n).cloned().unwrap_or_default(),
            (_, "unit_id") => refs.unit_names.get(n).cloned().unwrap_or_default(),
            (_, "vehicle_id") => refs.plates.get(n).cloned().unwrap_or_default(),
            _ => n.to_string(),
        },
        Value::Real(x) => x.to_string(),
        Value::Text(s) => match spec.map(|s| s.ty) {
            Some(FieldType::Code(set)) => set.label_zh(s).unwrap_or(s).to_string(),
            Some(FieldType::From | FieldType::Until) => from_db(s)
                .map(crate::store::fields::log_time)
                .unwrap_or_else(|| s.clone()),
            _ => s.clone(),
        },
        Value::Blob(_) => String::new(),
    };
    match spec {
        Some(spec) if spec.personal => match spec.ty {
            FieldType::Phone => mask::mask_phone(&s),
            FieldType::IdNumber => mask::mask_id_number(&s),
            FieldType::Line(_) => mask::mask_name(&s),
            _ => "***".to_string(),
        },
        _ => s,
    }
}

pub(super) fn plan(
    conn: &Connection,
    t: LedgerTable,
    records: &[Record],
    now: DateTime<Utc>,
    progress: &dyn Progress,
) -> Result<Plan> {
    let refs = Refs::load(conn, t)?;
    let existing = Existing::load(conn, t)?;
    let cols = t.cols();
    let mut report = ImportReport {
        table: t,
        rows: records.len(),
        added: Vec::new(),
        changed: Vec::new(),
        unchanged: 0,
        issues: Vec::new(),
        seq: None,
    };
    let mut inserts = Vec::new();
    let mut updates = Vec::new();
    // key → the row that gave it; stored record → the row that updates it
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(records.len());
    let mut claimed: HashMap<usize, usize> = HashMap::new();
    progress.start(Phase::Checking, records.len() as u64);
    for (n, rec) in records.iter().enumerate() {
        if n % 1024 == 1023 {
            progress.advance(1024);
        }
        let issues = &mut report.issues;
        let before = issues.len();
        let Some(res) = resolve(t, &refs, rec, issues) else {
            if issues.len() == before && !rec.broken {
                // Never drop a row silently.
                issues.push(issue(
                    rec.row,
                    None,
                    msg!(
                        "这一行无法与台账对应；请检查关键列是否填写完整。",
                        "This row cannot be matched with the register; check that its key columns are filled in."
                    ),
                ));
            }
            continue;
        };
        // Only the first key names the record: two volunteers of one name
        // in one community are two people when their phones differ.
        let dup = res.keys.first().and_then(|k| seen.get(k).copied());
        if let Some(first) = dup {
            let spec = &t.fields()[0];
            let (zh, en, label) = (spec.zh, spec.en, &res.label);
            issues.push(issue(
                rec.row,
                Some(spec.key),
                msg!(
                    "与第 {first} 行重复（{zh}“{label}”）；同一记录只能出现一次，请删去或合并其中一行。",
                    "This repeats row {first} ({en} \"{label}\"); a record may appear only once, so delete or merge one of the rows."
                ),
            ));
            continue;
        }
        if let Some(k) = res.keys.first() {
            seen.insert(k.clone(), rec.row);
        }
        // The first key that finds a stored record decides.
        let mut hit = None;
        for k in &res.keys {
            match existing.index.get(k).map(Vec::as_slice) {
                None | Some([]) => continue,
                Some([one]) => {
                    hit = Some(*one);
                    break;
                }
                Some(many) => {
                    let n = many.len();
                    let label = &res.label;
                    issues.push(issue(
                        rec.row,
                        Some(t.fields()[0].key),
                        msg!(
                            "“{label}”对应已登记的 {n} 条记录，无法确定更新哪一条；请补填联系电话或身份证号以区分。",
                            "\"{label}\" fits {n} registered records, so it is unclear which to update; add a phone or ID number to tell them apart."
                        ),
                    ));
                    break;
                }
            }
        }
        if issues.len() > before || rec.broken {
            continue;
        }
        if let Some(i) = hit {
            if let Some(first) = claimed.insert(i, rec.row) {
                let label = &res.label;
                issues.push(issue(
                    rec.row,
                    Some(t.fields()[0].key),
                    msg!(
                        "与第 {first} 行指向同一条已登记的记录（{label}）；请删去或合并其中一行。",
                        "This row and row {first} are the same registered record ({label}); delete or merge one of them."
                    ),
                ));
                continue;
            }
            let old = &existing.rows[i];
            let merged: Vec<Value> = cols
                .iter()
                .zip(old)
                .zip(res.cols)
                .map(|((col, old), new)| match new {
                    Some(v) if !col.fixed => v,
                    _ => old.clone(),
                })
                .collect();
            if t == LedgerTable::Pass
                && let Some(e) = check_state_change(rec.row, &old[9], &merged[9])
            {
                issues.push(e);
                continue;
            }
            let as_opt: Vec<Option<Value>> = merged
                .iter()
                .map(|v| (!matches!(v, Value::Null)).then(|| v.clone()))
                .collect();
            if let Some(e) = check_whole(t, rec.row, &as_opt) {
                issues.push(e);
                continue;
            }
            let fields: Vec<FieldChange> = cols
                .iter()
                .zip(old.iter().zip(&merged))
                .filter(|(_, (o, n))| o != n)
                .filter_map(|(col, (o, n))| {
                    Some(FieldChange {
                        field: col.field?,
                        old: shown(t, col, o, &refs),
                        new: shown(t, col, n, &refs),
                    })
                })
                .collect();
            if fields.is_empty() {
                report.unchanged += 1;
            } else {
                report.changed.push(Changed {
                    row: rec.row,
                    key: res.label,
                    fields,
                });
                updates.push((existing.ids[i], merged));
            }
        } else {
            let mut full = res.cols;
            complete_new(t, &refs, rec, &mut full, now, issues);
            if issues.len() > before {
                continue;
            }
            if let Some(e) = check_whole(t, rec.row, &full) {
                issues.push(e);
                continue;
            }
            report.added.push((rec.row, res.label));
            inserts.push(full.into_iter().map(|v| v.unwrap_or(Value::Null)).collect());
        }
    }
    progress.advance(records.len() as u64 % 1024);
    report.issues.sort_by_key(|i| i.row);
    Ok(Plan {
        report,
        inserts,
        updates,
    })
}

pub(super) fn log_text(t: LedgerTable, report: &ImportReport, source: &Source) -> String {
    let (zh, en) = t.label();
    let (a, c, u) = (report.added.len(), report.changed.len(), report.unchanged);
    let mut s = format!(
        "导入{zh} Ledger import ({en}): {file}, SHA-256 {sha}; 新增 added {a}, 更新 changed {c}, 未变 unchanged {u}",
        file = source.file_name,
        sha = source.sha256,
    );
    if !report.changed.is_empty() {
        let names: Vec<&str> = report
            .changed
            .iter()
            .take(LOG_NAMES_MAX)
            .map(|c| c.key.as_str())
            .collect();
        s.push_str("; 更新的记录 changed: ");
        s.push_str(&names.join("、"));
        if report.changed.len() > LOG_NAMES_MAX {
            s.push_str(&format!(" …（+{}）", report.changed.len() - LOG_NAMES_MAX));
        }
    }
    s
}

/// An existing row's id and its new values.
type Update = (i64, Vec<Value>);

/// Imported columns of free text, scrubbed on the way in.
const FREE_TEXT: &[(&str, &str)] = &[("pass", "reason"), ("volunteer", "tasks")];

pub(super) fn apply(
    w: &mut Writer<'_>,
    t: LedgerTable,
    plan: &Plan,
    source: &Source,
    progress: &dyn Progress,
) -> Result<i64> {
    let seq = w.log(LogDraft::change(
        t.table(),
        log_text(t, &plan.report, source),
    ))?;
    let cols = t.cols();
    let names: Vec<&str> = cols.iter().map(|c| c.name).collect();
    let n = cols.len();
    // Free text imported passes the door's scrubber (issue 21).
    let free: Vec<usize> = names
        .iter()
        .enumerate()
        .filter(|(_, c)| FREE_TEXT.contains(&(t.table(), **c)))
        .map(|(i, _)| i)
        .collect();
    let scrub_row = |w: &mut Writer<'_>, row: &[Value]| -> Result<Vec<Value>> {
        let mut row = row.to_vec();
        for &i in &free {
            if let Some(Value::Text(s)) = row.get(i) {
                let clean = w.scrub(s)?;
                row[i] = Value::Text(clean);
            }
        }
        Ok(row)
    };
    // Scrubbed before the statements borrow the connection; copied only
    // for the tables that have free text.
    let (inserts, updates): (Cow<'_, [Vec<Value>]>, Cow<'_, [Update]>) = if free.is_empty() {
        (
            Cow::Borrowed(&plan.inserts[..]),
            Cow::Borrowed(&plan.updates[..]),
        )
    } else {
        let i = plan
            .inserts
            .iter()
            .map(|r| scrub_row(w, r))
            .collect::<Result<Vec<_>>>()?;
        let u = plan
            .updates
            .iter()
            .map(|(id, r)| Ok((*id, scrub_row(w, r)?)))
            .collect::<Result<Vec<_>>>()?;
        (Cow::Owned(i), Cow::Owned(u))
    };
    progress.start(Phase::Writing, (inserts.len() + updates.len()) as u64);
    if !inserts.is_empty() {
        let marks: Vec<String> = (1..=n + 2).map(|i| format!("?{i}")).collect();
        let sql = format!(
            "INSERT INTO {} (id, {}, log_seq) VALUES ({})",
            t.table(),
            names.join(", "),
            marks.join(", ")
        );
        let mut st = w.conn().prepare(&sql)?;
        // The write lock is held: the ids after the largest are free.
        let first = w.next_id(t.table())?;
        for (k, row) in inserts.iter().enumerate() {
            let id = first + k as i64;
            let params = std::iter::once(Value::Integer(id))
                .chain(row.iter().cloned())
                .chain(std::iter::once(Value::Integer(seq)));
            st.execute(params_from_iter(params))?;
            if k % 1024 == 1023 {
                progress.advance(1024);
            }
        }
        progress.advance(inserts.len() as u64 % 1024);
    }
    if !updates.is_empty() {
        let sets: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ?{}", i + 1))
            .collect();
        let sql = format!(
            "UPDATE {} SET {}, log_seq = ?{} WHERE id = ?{}",
            t.table(),
            sets.join(", "),
            n + 1,
            n + 2
        );
        let mut st = w.conn().prepare(&sql)?;
        for (id, row) in updates.iter() {
            let params = row
                .iter()
                .cloned()
                .chain([Value::Integer(seq), Value::Integer(*id)]);
            st.execute(params_from_iter(params))?;
            progress.advance(1);
        }
    }
    Ok(seq)
}
