//! Stock and daily-supply reports in bulk (`supplydesk import stock`).
//!
//! Unlike the register's ledgers, reports are a time series: a row is
//! never matched to a stored record and updated, it is a new report. A row
//! that repeats a stored report exactly (same cell, source, moment and
//! figures) is left alone, so that importing one file twice does not count
//! its figures twice; the same moment with other figures is a correction,
//! a new report that wins over the old one (the cover takes the later id).
//!
//! Written like every ledger: one log entry for the whole file (subject
//! `stock_report`), every report under it; then, in the same transaction,
//! the predictive rule on each cell that received a report, each raise or
//! clear with its own entry after the import's.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use super::{
    ImportReport, LedgerTable, Need, Phase, Progress, Record, Refs, RowIssue, Source, issue,
    log_text, text, unknown_community, unknown_unit,
};
use crate::domain::Code;
use crate::domain::alert::ItemClass;
use crate::domain::cover::{MAX_QUANTITY, Norms};
use crate::domain::time::{from_db, to_db};
use crate::msg;
use crate::store::fields::log_time;
use crate::store::supply::{self, PredictedChange};
use crate::store::{LogDraft, Result, Writer};

const T: LedgerTable = LedgerTable::StockReport;

/// Field indices of [`LedgerTable::StockReport`]'s fields.
const COMMUNITY: usize = 0;
const ITEM: usize = 1;
const STOCK: usize = 2;
const SUPPLY_IN: usize = 3;
const REPORTED_AT: usize = 4;
const UNIT: usize = 5;
const OUTLET: usize = 6;
const STATION: usize = 7;
const REPORTER: usize = 8;
const CHANNEL: usize = 9;

/// One report ready to be written.
#[derive(Debug, Clone, PartialEq)]
struct Report {
    community_id: i64,
    item: ItemClass,
    unit_id: Option<i64>,
    outlet_id: Option<i64>,
    compound_id: Option<i64>,
    stock: f64,
    supply_in: f64,
    reported_at: DateTime<Utc>,
    reporter: Option<String>,
    channel: Option<String>,
}

/// What importing stock reports did.
#[derive(Debug, Clone, PartialEq)]
pub struct StockImport {
    pub report: ImportReport,
    /// Predicted alerts raised and cleared by the new figures, in the
    /// order written (empty for a dry run or a refused file).
    pub predicted: Vec<PredictedChange>,
}

/// The register's places and sources, by the names a sheet gives.
struct Places {
    refs: Refs,
    /// (community, name) → id
    outlets: HashMap<(i64, String), i64>,
    /// outlet name → the communities that have one of that name
    outlet_homes: HashMap<String, Vec<i64>>,
    /// (community, compound name) → (id, transfer station)
    compounds: HashMap<(i64, String), (i64, Option<String>)>,
    /// (community, transfer station as registered) → compound ids
    stations: HashMap<(i64, String), Vec<i64>>,
}

impl Places {
    fn load(conn: &Connection) -> Result<Places> {
        let refs = Refs::load(conn, T)?;
        let mut outlets = HashMap::new();
        let mut outlet_homes: HashMap<String, Vec<i64>> = HashMap::new();
        let mut st = conn.prepare("SELECT id, community_id, name FROM outlet")?;
        let mut q = st.query([])?;
        while let Some(r) = q.next()? {
            let (id, cid, name): (i64, i64, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
            outlet_homes.entry(name.clone()).or_default().push(cid);
            outlets.insert((cid, name), id);
        }
        let mut compounds = HashMap::new();
        let mut stations: HashMap<(i64, String), Vec<i64>> = HashMap::new();
        let mut st =
            conn.prepare("SELECT id, community_id, name, transfer_station FROM compound")?;
        let mut q = st.query([])?;
        while let Some(r) = q.next()? {
            let (id, cid, name, station): (i64, i64, String, Option<String>) =
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
            if let Some(s) = &station {
                stations.entry((cid, s.clone())).or_default().push(id);
            }
            compounds.insert((cid, name), (id, station));
        }
        Ok(Places {
            refs,
            outlets,
            outlet_homes,
            compounds,
            stations,
        })
    }
}

fn real(v: &Option<rusqlite::types::Value>) -> Option<f64> {
    match v {
        Some(rusqlite::types::Value::Real(x)) => Some(*x),
        Some(rusqlite::types::Value::Integer(n)) => Some(*n as f64),
        _ => None,
    }
}

/// A source's identity within a cell.
fn source_key(r: &Report) -> String {
    match (r.unit_id, r.outlet_id, r.compound_id) {
        (Some(u), _, _) => format!("u{u}"),
        (None, Some(o), _) => format!("o{o}"),
        (None, None, Some(k)) => format!("k{k}"),
        (None, None, None) => "c".into(),
    }
}

/// The moment of a row: the one written, or now; refused ahead of the
/// clock beyond the slack or too old, by the rule of the desk's own
/// reports ([`supply::check_moment`]).
fn moment(
    row: usize,
    written: Option<&str>,
    now: DateTime<Utc>,
    issues: &mut Vec<RowIssue>,
) -> Option<DateTime<Utc>> {
    let Some(s) = written else {
        return Some(now);
    };
    let key = Some(T.fields()[REPORTED_AT].key);
    let Some(at) = from_db(s) else {
        // Cells are read into database form; anything else is a bug in
        // the reader, still named rather than written.
        issues.push(issue(
            row,
            key,
            msg!(
                "时点“{s}”无法读取；请写成 2026-11-29 08:00 的样式。",
                "The moment \"{s}\" cannot be read; write it like 2026-11-29 08:00."
            ),
        ));
        return None;
    };
    match supply::check_moment(at, now) {
        Ok(at) => Some(at),
        Err(e) => {
            issues.push(issue(row, key, e.message()));
            None
        }
    }
}

/// Checks the rows against the register and says what would be written.
fn plan(
    conn: &Connection,
    records: &[Record],
    now: DateTime<Utc>,
    progress: &dyn Progress,
) -> Result<(ImportReport, Vec<Report>)> {
    let places = Places::load(conn)?;
    let fields = T.fields();
    let mut report = ImportReport {
        table: T,
        rows: records.len(),
        added: Vec::new(),
        changed: Vec::new(),
        unchanged: 0,
        issues: Vec::new(),
        seq: None,
    };
    let mut out = Vec::new();
    // (cell, source, moment) → the row that gave it
    let mut seen: HashMap<(i64, ItemClass, String, String), usize> =
        HashMap::with_capacity(records.len());
    let mut same = conn.prepare_cached(
        "SELECT unit_id, outlet_id, compound_id, stock, supply_in FROM stock_report
         WHERE community_id = ?1 AND item = ?2 AND reported_at = ?3",
    )?;
    progress.start(Phase::Checking, records.len() as u64);
    for (n, rec) in records.iter().enumerate() {
        if n % 1024 == 1023 {
            progress.advance(1024);
        }
        let issues = &mut report.issues;
        let before = issues.len();
        let row = rec.row;
        let v = &rec.values;
        if !rec.broken {
            for (i, spec) in fields.iter().enumerate() {
                if spec.need == Need::Key && v[i].is_none() {
                    let (zh, en) = (spec.zh, spec.en);
                    issues.push(issue(
                        row,
                        Some(spec.key),
                        msg!(
                            "“{zh}”为空；每一份报告都要有{zh}。",
                            "The {en} is empty; every report needs it."
                        ),
                    ));
                }
            }
        }
        let community = text(&v[COMMUNITY]).and_then(|name| match places.refs.community(name) {
            Some((id, _)) => Some((id, places.refs.community_names.get(&id))),
            None => {
                issues.push(unknown_community(row, name));
                None
            }
        });
        let cname = community.and_then(|(_, n)| n.cloned()).unwrap_or_default();
        let cid = community.map(|(id, _)| id);
        let item = text(&v[ITEM]).and_then(ItemClass::from_code);
        let at = moment(row, text(&v[REPORTED_AT]), now, issues);

        // At most one source: the unit, the outlet or the station.
        let given: Vec<(usize, &str)> = [UNIT, OUTLET, STATION]
            .into_iter()
            .filter_map(|i| text(&v[i]).map(|s| (i, s)))
            .collect();
        let mut source: (Option<i64>, Option<i64>, Option<i64>, Option<String>) =
            (None, None, None, None);
        if let [(a, an), (b, bn), ..] = given.as_slice() {
            let (azh, aen, bzh, ben) = (fields[*a].zh, fields[*a].en, fields[*b].zh, fields[*b].en);
            issues.push(issue(
                row,
                Some(fields[*b].key),
                msg!(
                    "一份报告只能有一个报告方，这一行既有{azh}“{an}”又有{bzh}“{bn}”；请只留一个，或分成两行。",
                    "A report has one source, but this row gives both the {aen} \"{an}\" and the {ben} \"{bn}\"; keep one, or make two rows."
                ),
            ));
        } else if let Some(&(i, name)) = given.first() {
            // An outlet or station is looked for in the row's community;
            // without one, the community's issue is already there.
            match (i, cid) {
                (UNIT, _) => match places.refs.units.get(name) {
                    Some(id) => source = (Some(*id), None, None, Some(name.to_string())),
                    None => issues.push(unknown_unit(row, name)),
                },
                (_, None) => {}
                (OUTLET, Some(c)) => match places.outlets.get(&(c, name.to_string())) {
                    Some(id) => source = (None, Some(*id), None, Some(name.to_string())),
                    None => {
                        let elsewhere = places.outlet_homes.contains_key(name);
                        issues.push(issue(
                            row,
                            Some(fields[OUTLET].key),
                            if elsewhere {
                                msg!(
                                    "网点“{name}”不在“{cname}”；请核对社区（村）或网点名称。",
                                    "The outlet \"{name}\" is not in {cname}; check the community or the outlet's name."
                                )
                            } else {
                                msg!(
                                    "网点“{name}”未登记；请先导入网点台账（supplydesk import outlets），或核对名称。",
                                    "The outlet \"{name}\" is not registered; import the outlets first (supplydesk import outlets) or check the name."
                                )
                            },
                        ));
                    }
                },
                (_, Some(c)) => {
                    let by_compound = places.compounds.get(&(c, name.to_string()));
                    // A clerk may write the station as registered instead
                    // of its compound, when that names one station.
                    let by_station = match places.stations.get(&(c, name.to_string())) {
                        Some(ids) if ids.len() == 1 => Some(ids[0]),
                        _ => None,
                    };
                    match (by_compound, by_station) {
                        (Some((id, Some(station))), _) => {
                            source = (None, None, Some(*id), Some(station.clone()));
                        }
                        (None, Some(id)) => {
                            source = (None, None, Some(id), Some(name.to_string()));
                        }
                        (Some((_, None)), _) => issues.push(issue(
                            row,
                            Some(fields[STATION].key),
                            msg!(
                                "小区（组）“{name}”没有登记中转站；请先登记中转站（supplydesk import stations），或按社区汇总报告。",
                                "The compound \"{name}\" has no transfer station registered; register one first (supplydesk import stations), or report the community's total."
                            ),
                        )),
                        _ => issues.push(issue(
                            row,
                            Some(fields[STATION].key),
                            msg!(
                                "“{cname}”下没有小区（组）或中转站“{name}”；请先导入小区台账（supplydesk import compounds），或核对名称。",
                                "{cname} has no compound or transfer station \"{name}\"; import the compounds first (supplydesk import compounds) or check the name."
                            ),
                        )),
                    }
                }
            }
        }
        if issues.len() > before || rec.broken {
            continue;
        }
        let (Some(cid), Some(item), Some(stock), Some(at)) = (cid, item, real(&v[STOCK]), at)
        else {
            // Every way to get here pushed an issue; never drop a row silently.
            issues.push(issue(
                row,
                None,
                msg!(
                    "这一行无法读成一份库存报告；请检查社区、品类和库存三列。",
                    "This row cannot be read as a stock report; check its community, item and stock."
                ),
            ));
            continue;
        };
        let supply_in = real(&v[SUPPLY_IN]).unwrap_or(0.0);
        if !(0.0..=MAX_QUANTITY).contains(&stock) || !(0.0..=MAX_QUANTITY).contains(&supply_in) {
            // The reader keeps figures in range; this guards the store.
            issues.push(issue(
                row,
                Some(fields[STOCK].key),
                msg!(
                    "库存或日到货超出可用范围；请核对数字。",
                    "The stock or daily supply is out of range; check the figures."
                ),
            ));
            continue;
        }
        let (unit_id, outlet_id, compound_id, source_name) = source;
        let r = Report {
            community_id: cid,
            item,
            unit_id,
            outlet_id,
            compound_id,
            stock,
            supply_in,
            reported_at: at,
            reporter: text(&v[REPORTER]).map(str::to_string),
            channel: text(&v[CHANNEL]).map(str::to_string),
        };
        let at_db = to_db(at);
        let key = (cid, item, source_key(&r), at_db.clone());
        // Names and a time, the same in both languages.
        let label = match &source_name {
            Some(s) => format!("{cname} {} · {s} · {}", item.label_zh(), log_time(at)),
            None => format!("{cname} {} · {}", item.label_zh(), log_time(at)),
        };
        if let Some(first) = seen.get(&key) {
            issues.push(issue(
                row,
                Some(fields[REPORTED_AT].key),
                msg!(
                    "与第 {first} 行是同一报告方同一时点的报告（{label}）；请删去一行，或写明各自的时点。",
                    "This row and row {first} report the same source at the same moment ({label}); delete one, or give each its own moment."
                ),
            ));
            continue;
        }
        seen.insert(key, row);
        let stored = same
            .query_map(params![cid, item.code(), at_db], |q| {
                Ok((
                    q.get::<_, Option<i64>>(0)?,
                    q.get::<_, Option<i64>>(1)?,
                    q.get::<_, Option<i64>>(2)?,
                    q.get::<_, f64>(3)?,
                    q.get::<_, f64>(4)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        // The newest stored report of this source and moment decides.
        let repeats = stored
            .iter()
            .rev()
            .find(|(u, o, k, ..)| (*u, *o, *k) == (unit_id, outlet_id, compound_id))
            .is_some_and(|s| s.3 == stock && s.4 == supply_in);
        if repeats {
            report.unchanged += 1;
        } else {
            report.added.push((row, label));
            out.push(r);
        }
    }
    progress.advance(records.len() as u64 % 1024);
    report.issues.sort_by_key(|i| i.row);
    Ok((report, out))
}

/// Writes the planned reports and applies the predictive rule to the cells
/// they touched; returns the import's seq and the predicted changes.
fn write(
    w: &mut Writer<'_>,
    report: &ImportReport,
    reports: &[Report],
    source: &Source,
    norms: &Norms,
    progress: &dyn Progress,
) -> Result<(i64, Vec<PredictedChange>)> {
    // In the order the file first reports them.
    let mut cells: Vec<(i64, ItemClass)> = Vec::new();
    let mut known = HashSet::new();
    for r in reports {
        if known.insert((r.community_id, r.item)) {
            cells.push((r.community_id, r.item));
        }
    }
    let mut text = log_text(T, report, source);
    text.push_str(&format!("; 社区品类 cells {}", cells.len()));
    let seq = w.log(LogDraft::change(T.table(), text))?;
    progress.start(Phase::Writing, reports.len() as u64);
    let now = to_db(w.now());
    let first = w.next_id(T.table())?;
    {
        let mut st = w.conn().prepare_cached(
            "INSERT INTO stock_report (id, community_id, item, unit_id, outlet_id, compound_id, stock,
                supply_in, reported_at, recorded_at, source, reporter, log_seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?;
        for (k, r) in reports.iter().enumerate() {
            st.execute(params![
                first + k as i64,
                r.community_id,
                r.item.code(),
                r.unit_id,
                r.outlet_id,
                r.compound_id,
                r.stock,
                r.supply_in,
                to_db(r.reported_at),
                now,
                r.channel,
                r.reporter,
                seq
            ])?;
            if k % 1024 == 1023 {
                progress.advance(1024);
            }
        }
    }
    progress.advance(reports.len() as u64 % 1024);
    let predicted = supply::apply_predictions_in(w, &cells, norms)?;
    Ok((seq, predicted))
}

/// What importing `records` would do, without writing.
pub(super) fn check(
    conn: &Connection,
    records: &[Record],
    now: DateTime<Utc>,
    progress: &dyn Progress,
) -> Result<ImportReport> {
    Ok(plan(conn, records, now, progress)?.0)
}

/// Plans and writes inside a change; `Ok(Err(report))` when rows are bad
/// (the caller rolls back).
pub(super) fn import_in(
    w: &mut Writer<'_>,
    records: &[Record],
    source: &Source,
    norms: &Norms,
    progress: &dyn Progress,
) -> Result<std::result::Result<StockImport, ImportReport>> {
    let (mut report, reports) = plan(w.conn(), records, w.now(), progress)?;
    if !report.issues.is_empty() {
        return Ok(Err(report));
    }
    let (seq, predicted) = write(w, &report, &reports, source, norms, progress)?;
    report.seq = Some(seq);
    Ok(Ok(StockImport { report, predicted }))
}
