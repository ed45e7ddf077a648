//! Which worksheet of a workbook holds the ledger being imported. Offices
//! keep all the plan's annexes in one workbook, and the headers of one
//! annex often fit another's (a compounds sheet has 社区名称 and 常住人口,
//! so it reads as communities), so a sheet is taken only when it fits the
//! kind at least as well as any other kind and its name or title does not
//! name another annex. When more than one sheet fits, or none fits
//! exactly, nothing is imported: the message lists the sheets and what
//! each looks like, and `--sheet NAME|N` picks one.

use super::headers::normalize;
use super::read::Sheet;
use super::{Kind, layout};
use crate::domain::Code;
use crate::msg;
use crate::msg::Msg;

/// The words that name a kind in a sheet's name or title: its label, its
/// title and its Chinese aliases (附表5, 车辆台账 …).
fn names(kind: Kind) -> Vec<String> {
    let mut v = vec![normalize(kind.label_zh()), normalize(kind.title())];
    v.extend(
        kind.aliases()
            .iter()
            .filter(|a| !a.is_ascii())
            .map(|a| normalize(a)),
    );
    v
}

/// Whether `text` names `word`: 附表1 is not 附表10.
fn names_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        !word.starts_with("附表")
            || !text[i + word.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit())
    })
}

/// The sheet's name and its title rows (rows with one filled cell at the
/// top), normalised.
fn title(sheet: &Sheet) -> String {
    let mut t = sheet.name.as_deref().map(normalize).unwrap_or_default();
    for row in sheet.rows.iter().take(5) {
        let filled: Vec<_> = row.cells.iter().filter(|c| !c.is_blank()).collect();
        if filled.len() == 1 {
            t.push('|');
            t.push_str(&normalize(&filled[0].text()));
        }
    }
    t
}

/// The kinds a sheet's name or title names, by the longest word found
/// (保供单位工作人员台账 names staff, not units).
fn named(sheet: &Sheet) -> Vec<Kind> {
    let t = title(sheet);
    let mut best = 0;
    let mut kinds = Vec::new();
    for &k in Kind::ALL {
        let len = names(k)
            .iter()
            .filter(|w| !w.is_empty() && names_word(&t, w))
            .map(|w| w.chars().count())
            .max()
            .unwrap_or(0);
        if len == 0 {
            continue;
        }
        if len > best {
            best = len;
            kinds.clear();
        }
        if len == best {
            kinds.push(k);
        }
    }
    kinds
}

/// Kinds that fill the same table are one for choosing (stations are the
/// compounds sheet narrowed).
fn same(a: Kind, b: Kind) -> bool {
    a.table() == b.table()
}

/// What a sheet looks like, for the choice.
struct Look {
    /// Fields of `kind` its header names, if it has a header of `kind`.
    fit: Option<usize>,
    /// The kinds whose header fits it best (most fields named).
    best: Vec<Kind>,
    named: Vec<Kind>,
}

fn look(kind: Kind, sheet: &Sheet) -> Look {
    let fit = layout::fit(kind, sheet);
    let mut best: Vec<Kind> = Vec::new();
    let mut most = 0;
    for &k in Kind::ALL {
        let Some(n) = (if same(k, kind) {
            fit
        } else {
            layout::fit(k, sheet)
        }) else {
            continue;
        };
        if n > most {
            most = n;
            best.clear();
        }
        if n == most {
            best.push(k);
        }
    }
    Look {
        fit,
        best,
        named: named(sheet),
    }
}

impl Look {
    /// The sheet is surely a `kind` sheet.
    fn exact(&self, kind: Kind) -> bool {
        self.fit.is_some()
            && self.best.iter().any(|k| same(*k, kind))
            && (self.named.is_empty() || self.named.iter().any(|k| same(*k, kind)))
    }

    fn describe(&self) -> (String, String) {
        let kinds = if self.best.is_empty() {
            &self.named
        } else {
            &self.best
        };
        if kinds.is_empty() {
            return ("没有可识别的表头".into(), "no header I recognise".into());
        }
        let zh: Vec<&str> = kinds.iter().map(|k| k.label_zh()).collect();
        let en: Vec<&str> = kinds.iter().map(|k| k.code()).collect();
        (
            format!("像{}", zh.join("或")),
            format!("looks like {}", en.join(" or ")),
        )
    }
}

fn sheet_name(sheet: &Sheet, n: usize) -> String {
    sheet.name.clone().unwrap_or_else(|| format!("{n}"))
}

fn listing(sheets: &[Sheet], looks: &[Look]) -> (String, String) {
    let mut zh = Vec::new();
    let mut en = Vec::new();
    for (i, (s, l)) in sheets.iter().zip(looks).enumerate() {
        let n = i + 1;
        let name = sheet_name(s, n);
        let (dz, de) = l.describe();
        zh.push(format!("{n}“{name}”{dz}"));
        en.push(format!("{n} \"{name}\" {de}"));
    }
    (zh.join("；"), en.join("; "))
}

/// The sheet `wanted` names: its name as the tab shows it, or its place
/// from 1.
fn by_request(sheets: Vec<Sheet>, wanted: &str) -> Result<Sheet, Msg> {
    let w = wanted.trim();
    let at = sheets
        .iter()
        .position(|s| s.name.as_deref().is_some_and(|n| n.trim() == w))
        .or_else(|| {
            sheets.iter().position(|s| {
                s.name
                    .as_deref()
                    .is_some_and(|n| normalize(n) == normalize(w))
            })
        })
        .or_else(|| {
            w.parse::<usize>()
                .ok()
                .filter(|n| (1..=sheets.len()).contains(n))
                .map(|n| n - 1)
        });
    match at {
        Some(i) => Ok(sheets.into_iter().nth(i).unwrap_or_else(|| unreachable!())),
        None => {
            let names: Vec<String> = sheets
                .iter()
                .enumerate()
                .map(|(i, s)| sheet_name(s, i + 1))
                .collect();
            let zh: Vec<String> = names
                .iter()
                .enumerate()
                .map(|(i, s)| format!("{} “{s}”", i + 1))
                .collect();
            let en: Vec<String> = names
                .iter()
                .enumerate()
                .map(|(i, s)| format!("{} \"{s}\"", i + 1))
                .collect();
            let (zh, en, n) = (zh.join("、"), en.join(", "), sheets.len());
            let w = crate::domain::text::sanitize(w).into_owned();
            Err(msg!(
                "文件中没有工作表“{w}”；共有 {n} 个：{zh}。请用 --sheet 加其中一个名称或序号。",
                "The file has no sheet \"{w}\"; it has {n}: {en}. Give --sheet one of those names or numbers."
            ))
        }
    }
}

/// The sheet to import `kind` from, or why none can be chosen.
pub fn choose(kind: Kind, sheets: Vec<Sheet>, wanted: Option<&str>) -> Result<Sheet, Msg> {
    if let Some(w) = wanted {
        return by_request(sheets, w);
    }
    if sheets.is_empty() {
        return Err(msg!(
            "文件中没有工作表；请检查文件。",
            "The file has no worksheet; check the file."
        ));
    }
    let looks: Vec<Look> = sheets.iter().map(|s| look(kind, s)).collect();
    let exact: Vec<usize> = (0..sheets.len())
        .filter(|&i| looks[i].exact(kind))
        .collect();
    let code = kind.code();
    let (lzh, len) = (kind.label_zh(), kind.label_en());
    let pick = match exact.as_slice() {
        [one] => Some(*one),
        [] => None,
        many => {
            // Several fit: one named for the kind wins.
            let named: Vec<usize> = many
                .iter()
                .copied()
                .filter(|&i| looks[i].named.iter().any(|k| same(*k, kind)))
                .collect();
            match named.as_slice() {
                [one] => Some(*one),
                _ => {
                    let (zh, en) = listing(&sheets, &looks);
                    return Err(msg!(
                        "工作簿中不止一个工作表符合“{lzh}”，未导入任何内容：{zh}。请用 --sheet 名称（或序号）指定要导入的工作表。",
                        "More than one sheet of the workbook fits {len}, so nothing was imported: {en}. Name the sheet to import with --sheet NAME (or its number)."
                    ));
                }
            }
        }
    };
    if let Some(i) = pick {
        return Ok(sheets.into_iter().nth(i).unwrap_or_else(|| unreachable!()));
    }
    // None fits surely.
    if sheets.len() == 1 {
        let l = &looks[0];
        if l.fit.is_none() {
            // Say what is wrong with its header.
            let sheet = sheets.into_iter().next().unwrap_or_else(|| unreachable!());
            return match layout::find_header(kind, &sheet) {
                Ok(_) => Ok(sheet),
                Err(e) => Err(e),
            };
        }
        let (zh, en) = l.describe();
        return Err(msg!(
            "该表{zh}，不像“{lzh}”，未导入任何内容；若确是{lzh}，请按模板（supplydesk export {code} --template）改好表头或表名，或用 --sheet 1 指定。",
            "This sheet {en}, not {code}, so nothing was imported; if it really is {len}, fix its header or title after the template (supplydesk export {code} --template), or name it with --sheet 1."
        ));
    }
    let (zh, en) = listing(&sheets, &looks);
    Err(msg!(
        "工作簿中没有确定是“{lzh}”的工作表，未导入任何内容：{zh}。请用 --sheet 名称（或序号）指定要导入的工作表。",
        "No sheet of the workbook is surely {len}, so nothing was imported: {en}. Name the sheet to import with --sheet NAME (or its number)."
    ))
}
