//! Where a sheet's table is: the header row (below title rows and a
//! 填报单位/日期 line, perhaps two rows with 人口 over 常住 / 流动), the
//! column of each field with the unit its header gives, and which rows
//! below it are not records (totals, notes and sign-offs, rows with only
//! a 序号).
//!
//! A row is the header only when it names every key column and holds no
//! figures; a data row never becomes the header. When no row qualifies
//! the clerk is told which column is missing and the closest header seen.

use std::collections::HashMap;

use super::Kind;
use super::headers::{self, column_letter};
use super::read::{Cell, Sheet, SheetRow};
use super::units::{self, Scale};
use crate::domain::Code;
use crate::msg;
use crate::msg::Msg;
use crate::store::ledger::Need;

/// How many rows from the top are searched for the header row.
pub const HEADER_SEARCH_ROWS: usize = 20;

/// Where the sheet's columns are: the header row and, for each field of
/// the table (by index), the column it is in and its header as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    /// The header's last row: records start below it.
    pub header_row: usize,
    /// The header's first row (the row above `header_row` for a
    /// two-row header).
    pub header_first: usize,
    pub by_field: HashMap<usize, (usize, String)>,
    /// Headers that name no field: listed as not imported.
    pub unused: Vec<(usize, String)>,
    /// Units from the headers, by field.
    pub scale: HashMap<usize, Scale>,
}

impl Columns {
    /// "B（车牌号）" for a field key, if the sheet has that column.
    pub fn locate(&self, t: crate::store::ledger::LedgerTable, key: &str) -> Option<(usize, &str)> {
        let i = t.fields().iter().position(|f| f.key == key)?;
        self.by_field.get(&i).map(|(c, h)| (*c, h.as_str()))
    }
}

/// One row read as a header.
#[derive(Debug, Default)]
struct Reading {
    by_field: HashMap<usize, (usize, String)>,
    units: HashMap<usize, String>,
    unused: Vec<(usize, String)>,
    /// Two columns for one field: (first column, its header, second, its).
    twice: Option<(usize, String, usize, String)>,
}

impl Reading {
    fn add(&mut self, field: usize, c: usize, text: String, unit: Option<String>) {
        if let Some((first, fh)) = self.by_field.get(&field) {
            self.twice.get_or_insert((*first, fh.clone(), c, text));
        } else {
            self.by_field.insert(field, (c, text));
            if let Some(u) = unit {
                self.units.insert(field, u);
            }
        }
    }
}

/// Whether a cell holds a figure or a date, which no header does.
fn is_figure(cell: &Cell) -> bool {
    match cell {
        Cell::Number(_) | Cell::DateTime(_) | Cell::Bool(_) => true,
        Cell::Text(s) => {
            let t = s.trim().replace([',', '.', '-', ' '], "");
            !t.is_empty() && t.chars().all(|c| c.is_ascii_digit())
        }
        _ => false,
    }
}

/// A 填报单位：…, 日期：… line: some cell holds a colon.
fn is_meta_line(row: &SheetRow) -> bool {
    row.cells.iter().any(|c| match c {
        Cell::Text(s) => s.contains('：') || s.contains(':'),
        _ => false,
    })
}

fn filled(row: &SheetRow) -> usize {
    row.cells.iter().filter(|c| !c.is_blank()).count()
}

fn read_row(kind: Kind, row: &SheetRow) -> Reading {
    let t = kind.table();
    let fields = kind.fields();
    let mut r = Reading::default();
    for (c, cell) in row.cells.iter().enumerate() {
        let h = cell.text();
        if h.is_empty() {
            continue;
        }
        match headers::heading(t, &fields, &h) {
            Some(hd) => r.add(hd.field, c, h, hd.unit),
            None if headers::is_ignored(&h) => {}
            None => r.unused.push((c, h)),
        }
    }
    r
}

/// `top` merged with the row below when that row is a sub-header (人口
/// over 常住 / 流动): every filled cell below names a field, alone or
/// with the group heading above it, and at least one new field comes of
/// it.
fn merge_sub(kind: Kind, top: &SheetRow, sub: &SheetRow, first: &Reading) -> Option<Reading> {
    if filled(sub) == 0 || sub.cells.iter().any(is_figure) {
        return None;
    }
    let t = kind.table();
    let fields = kind.fields();
    let mut r = Reading::default();
    let width = top.cells.len().max(sub.cells.len());
    // The group heading over column c: the nearest filled top cell at or
    // left of it (a merged cell keeps its text in its first column).
    let mut group = String::new();
    let mut used_groups = Vec::new();
    for c in 0..width {
        let above = top.cells.get(c).map(Cell::text).unwrap_or_default();
        if !above.is_empty() {
            group = above.clone();
        }
        let below = sub.cells.get(c).map(Cell::text).unwrap_or_default();
        if below.is_empty() {
            if above.is_empty() {
                continue;
            }
            match headers::heading(t, &fields, &above) {
                Some(hd) => r.add(hd.field, c, above, hd.unit),
                None if headers::is_ignored(&above) => {}
                None => r.unused.push((c, above)),
            }
            continue;
        }
        let tries = [
            below.clone(),
            format!("{below}{group}"),
            format!("{group}{below}"),
        ];
        let hit = tries
            .iter()
            .find_map(|h| headers::heading(t, &fields, h).map(|hd| (hd, h.clone())));
        match hit {
            Some((hd, h)) => {
                if !group.is_empty() && h != below {
                    used_groups.push(group.clone());
                }
                if !group.is_empty() && h == below && above.is_empty() {
                    used_groups.push(group.clone());
                }
                r.add(hd.field, c, h, hd.unit);
            }
            None if headers::is_ignored(&below) => {}
            None => return None,
        }
    }
    // A group heading that the sub-row explained is not an unused column.
    r.unused.retain(|(_, h)| !used_groups.contains(h));
    (r.by_field.len() > first.by_field.len()).then_some(r)
}

/// The key fields of `kind`, as indices into its table's fields.
fn keys(kind: Kind) -> Vec<usize> {
    kind.fields()
        .iter()
        .filter(|(_, f)| f.need == Need::Key)
        .map(|(i, _)| *i)
        .collect()
}

/// The header of `kind` in `sheet`, or why there is none.
pub fn find_header(kind: Kind, sheet: &Sheet) -> Result<Columns, Msg> {
    let (first, last, reading) = locate(kind, sheet)?;
    columns(kind, first, last, reading)
}

/// How well `kind` fits `sheet`: the number of its fields the header
/// names, when the sheet has a header of it at all.
pub fn fit(kind: Kind, sheet: &Sheet) -> Option<usize> {
    locate(kind, sheet).ok().map(|(_, _, r)| r.by_field.len())
}

/// The header's first and last rows and what they name.
fn locate(kind: Kind, sheet: &Sheet) -> Result<(usize, usize, Reading), Msg> {
    let keys = keys(kind);
    let rows: Vec<&SheetRow> = sheet.rows.iter().take(HEADER_SEARCH_ROWS).collect();
    // The best row seen that is not a header, for the message.
    let mut closest: Option<(usize, Reading)> = None;
    for (i, row) in rows.iter().enumerate() {
        if filled(row) == 0 {
            continue;
        }
        let mut reading = read_row(kind, row);
        let mut last = row.number;
        if let Some(sub) = rows.get(i + 1)
            && let Some(merged) = merge_sub(kind, row, sub, &reading)
        {
            reading = merged;
            last = sub.number;
        }
        let complete = keys.iter().all(|k| reading.by_field.contains_key(k));
        let figures = row.cells.iter().any(is_figure);
        if complete && !figures {
            // A table-like row above (three or more filled cells, no
            // colon, no figures) was the real header, not understood:
            // this row is data.
            if let Some(above) = rows[..i]
                .iter()
                .find(|r| filled(r) >= 3 && !is_meta_line(r) && !r.cells.iter().any(is_figure))
            {
                let seen = read_row(kind, above);
                return Err(missing(kind, above.number, &seen, &keys));
            }
            return Ok((row.number, last, reading));
        }
        if !is_meta_line(row) && filled(row) >= 2 {
            let better = closest.as_ref().is_none_or(|(_, c)| {
                reading.by_field.len() > c.by_field.len()
                    || (reading.by_field.len() == c.by_field.len()
                        && reading.unused.len() > c.unused.len())
            });
            if better && !figures {
                closest = Some((row.number, reading));
            }
        }
    }
    match closest {
        Some((row, seen)) => Err(missing(kind, row, &seen, &keys)),
        None => Err(no_header(kind)),
    }
}

fn columns(kind: Kind, first: usize, last: usize, reading: Reading) -> Result<Columns, Msg> {
    if let Some((a, ah, b, bh)) = reading.twice {
        let (a, b) = (column_letter(a), column_letter(b));
        return Err(msg!(
            "表头（第 {first} 行）中 {a} 列“{ah}”和 {b} 列“{bh}”是同一项；请删去或改名其中一列。",
            "In the header (row {first}), column {a} \"{ah}\" and column {b} \"{bh}\" mean the same field; delete or rename one of them."
        ));
    }
    let specs = kind.table().fields();
    let mut scale = HashMap::new();
    for (field, unit) in &reading.units {
        let spec = &specs[*field];
        match units::scale(spec, unit) {
            Ok(Some(s)) => {
                scale.insert(*field, s);
            }
            Ok(None) => {}
            Err(m) => {
                let (c, h) = &reading.by_field[field];
                let c = column_letter(*c);
                return Err(Msg::new(
                    format!("{c} 列“{h}”：{}", m.zh),
                    format!("Column {c} \"{h}\": {}", m.en),
                ));
            }
        }
    }
    // A column left out that looks like a field the sheet does not give
    // otherwise (人口 with its sub-row deleted) is not dropped silently.
    let t = kind.table();
    let fields = kind.fields();
    for (c, h) in &reading.unused {
        let like: Vec<usize> = headers::looks_like(t, &fields, h)
            .into_iter()
            .filter(|f| !reading.by_field.contains_key(f))
            .collect();
        if !like.is_empty() {
            let c = column_letter(*c);
            let zh: Vec<&str> = like.iter().map(|f| specs[*f].zh).collect();
            let en: Vec<&str> = like.iter().map(|f| specs[*f].en).collect();
            let (zh, en) = (zh.join("”或“"), en.join("\" or \""));
            return Err(msg!(
                "表头（第 {first} 行）{c} 列“{h}”像是“{zh}”，但不能确定；请把表头改为“{zh}”（两行表头请保留下面一行），再导入。",
                "In the header (row {first}), column {c} \"{h}\" looks like \"{en}\" but I cannot be sure which; rename the header to the field's name (keep the lower row of a two-row header), then import again."
            ));
        }
    }
    Ok(Columns {
        header_row: last,
        header_first: first,
        by_field: reading.by_field,
        unused: reading.unused,
        scale,
    })
}

/// Characters two headers share, for "the closest header seen".
fn likeness(a: &str, b: &str) -> usize {
    let a = headers::normalize(a);
    let b = headers::normalize(b);
    a.chars().filter(|c| b.contains(*c)).count()
}

fn missing(kind: Kind, row: usize, seen: &Reading, keys: &[usize]) -> Msg {
    let specs = kind.table().fields();
    let absent: Vec<usize> = keys
        .iter()
        .copied()
        .filter(|k| !seen.by_field.contains_key(k))
        .collect();
    let zh_names: Vec<&str> = absent.iter().map(|k| specs[*k].zh).collect();
    let en_names: Vec<&str> = absent.iter().map(|k| specs[*k].en).collect();
    let (zh_names, en_names) = (zh_names.join("、"), en_names.join(", "));
    let code = kind.code();
    let near = absent
        .iter()
        .flat_map(|k| {
            seen.unused
                .iter()
                .map(move |u| (likeness(specs[*k].zh, &u.1), u))
        })
        .filter(|(n, _)| *n > 0)
        .max_by_key(|(n, _)| *n)
        .map(|(_, (c, h))| (column_letter(*c), h.clone()));
    let heads: Vec<String> = seen
        .by_field
        .values()
        .map(|(c, h)| (*c, h.clone()))
        .chain(seen.unused.iter().cloned())
        .collect::<std::collections::BTreeMap<_, _>>()
        .into_values()
        .collect();
    let heads = heads.join("、");
    match near {
        Some((c, h)) => msg!(
            "第 {row} 行像是表头（{heads}），但缺少必需列“{zh_names}”；最接近的是 {c} 列“{h}”。请把该列表头改为“{zh_names}”（或对照 supplydesk export {code} --template），再导入。",
            "Row {row} looks like the header ({heads}) but lacks the required column {en_names}; the closest is column {c} \"{h}\". Rename that header (compare with supplydesk export {code} --template), then import again."
        ),
        None => msg!(
            "第 {row} 行像是表头（{heads}），但缺少必需列“{zh_names}”；请补上该列（或对照 supplydesk export {code} --template），再导入。",
            "Row {row} looks like the header ({heads}) but lacks the required column {en_names}; add it (compare with supplydesk export {code} --template), then import again."
        ),
    }
}

fn no_header(kind: Kind) -> Msg {
    let keys: Vec<&str> = kind
        .fields()
        .iter()
        .filter(|(_, f)| f.need == Need::Key)
        .map(|(_, f)| f.zh)
        .collect();
    let (zh_keys, code) = (keys.join("、"), kind.code());
    let en_keys: Vec<&str> = kind
        .fields()
        .iter()
        .filter(|(_, f)| f.need == Need::Key)
        .map(|(_, f)| f.key)
        .collect();
    let en_keys = en_keys.join(", ");
    msg!(
        "在文件前 {HEADER_SEARCH_ROWS} 行中找不到表头（至少需要列：{zh_keys}）；请对照模板（supplydesk export {code} --template）检查列名。",
        "No header row was found in the first {HEADER_SEARCH_ROWS} rows (it needs at least the columns {en_keys}); compare the column names with the template (supplydesk export {code} --template)."
    )
}

/// Why a row below the header is not a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// 合计, 总计（辆）, 小 计：…
    Total,
    /// 备注：…, 注：…, 填表人：… 审核人：…, and lines under them.
    Note,
    /// Nothing in any imported column (a pre-numbered row with only 序号).
    Empty,
}

impl Skip {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Skip::Total => ("合计行", "totals"),
            Skip::Note => ("表下备注、签字行", "notes and sign-offs"),
            Skip::Empty => ("空行（仅有序号）", "empty rows (only a number)"),
        }
    }
}

/// A cell's text reduced for the row tests: half-width, no spaces, up
/// to its first colon, bracketed parts removed.
fn lead(cell: &Cell) -> String {
    let n = headers::normalize_keep_colon(&cell.text());
    let head = n.split([':']).next().unwrap_or_default();
    let mut out = String::new();
    let mut depth = 0usize;
    for c in head.chars() {
        match c {
            '(' | '[' | '【' => depth += 1,
            ')' | ']' | '】' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Whether a row is a total: 合计/总计/小计 (with spaces, a colon or a
/// bracket) in one of its first three filled cells.
fn is_total(row: &SheetRow) -> bool {
    const WORDS: &[&str] = &["合计", "总计", "小计", "共计", "total", "sum", "subtotal"];
    row.cells.iter().filter(|c| !c.is_blank()).take(3).any(|c| {
        matches!(c, Cell::Text(_)) && {
            let l = lead(c);
            let bare = headers::normalize(&c.text()).replace(['(', ')', '[', ']', '【', '】'], "");
            WORDS.contains(&l.as_str()) || WORDS.contains(&bare.as_str())
        }
    })
}

/// Whether a row is a note or sign-off under the table: its first filled
/// cell opens with 备注, 注, 说明, 填表人, 审核人 … and a colon.
fn is_note(row: &SheetRow) -> bool {
    const WORDS: &[&str] = &[
        "备注",
        "注",
        "说明",
        "填表说明",
        "填表人",
        "填报人",
        "制表人",
        "审核人",
        "审核",
        "负责人",
        "单位负责人",
        "统计人",
        "联系人",
        "联系电话",
        "填表日期",
        "填报日期",
        "制表日期",
        "日期",
        "签字",
        "签名",
        "盖章",
        "note",
        "notes",
    ];
    let Some(first) = row.cells.iter().find(|c| !c.is_blank()) else {
        return false;
    };
    let Cell::Text(s) = first else {
        return false;
    };
    let n = headers::normalize_keep_colon(s);
    let Some((word, _)) = n.split_once(':') else {
        // 注1. … and 注、… open a note too.
        return ["注1", "注2", "注、", "注."]
            .iter()
            .any(|p| n.starts_with(p));
    };
    WORDS.contains(&word)
}

/// Sorts the rows below the header: records to read, and rows skipped
/// with why. Once a note has begun, a row with one filled cell carries it
/// on.
pub fn classify<'a>(
    body: impl Iterator<Item = &'a SheetRow>,
    columns: &Columns,
) -> (Vec<&'a SheetRow>, Vec<(usize, Skip)>) {
    let mapped: Vec<usize> = columns.by_field.values().map(|(c, _)| *c).collect();
    let mut records = Vec::new();
    let mut skipped = Vec::new();
    let mut in_note = false;
    for row in body {
        let n = filled(row);
        if n == 0 {
            continue;
        }
        if is_total(row) {
            skipped.push((row.number, Skip::Total));
        } else if is_note(row) || (in_note && n == 1) {
            in_note = true;
            skipped.push((row.number, Skip::Note));
        } else if mapped
            .iter()
            .all(|c| row.cells.get(*c).is_none_or(Cell::is_blank))
        {
            skipped.push((row.number, Skip::Empty));
        } else {
            in_note = false;
            records.push(row);
        }
    }
    (records, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(n: usize, cells: &[&str]) -> SheetRow {
        SheetRow {
            number: n,
            cells: cells.iter().map(|s| Cell::Text(s.to_string())).collect(),
        }
    }

    #[test]
    fn totals_in_every_spelling() {
        for t in [
            "合计",
            "合  计",
            "合计：",
            "合计:",
            "总计（辆）",
            "小计",
            "（合计）",
            "Total",
        ] {
            assert!(is_total(&row(1, &[t, "2辆"])), "{t}");
            assert!(is_total(&row(1, &["", t, "2辆"])), "{t} in B");
        }
        assert!(!is_total(&row(1, &["合计村", "2"])));
    }

    #[test]
    fn notes_and_sign_offs() {
        for t in [
            "备注：以上数据截至昨日",
            "注：单位为吨",
            "注1. 数据来源",
            "填表人：张三    审核人：李四",
            "说明: 无",
        ] {
            assert!(is_note(&row(1, &[t])), "{t}");
        }
        assert!(!is_note(&row(1, &["渝F12345", "张三"])));
        assert!(!is_note(&row(1, &["注册车辆"])));
    }
}
