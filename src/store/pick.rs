//! The registered names of each kind, for matching as an officer types and
//! for resolving a typed name wherever one is taken (see
//! [`crate::domain::pick`] for how names match).

use rusqlite::{Connection, params};

use super::{Result, Store, StoreError};
use crate::domain::delivery::Group;
use crate::domain::mask;
use crate::domain::pick::{self, Index, Kind, Resolution, Tier};
use crate::domain::text::sanitize;
use crate::domain::{Code, plate};

use crate::msg;
use crate::msg::Msg;

/// How many candidates a refusal names.
pub const SHOWN: usize = 6;

/// One registered name as it is offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub kind: Kind,
    pub id: i64,
    /// What is shown and filled in: the registered name (a recipient's
    /// masked name and address; the raw name stays in the index).
    pub shown: String,
    /// Where it is or whom it belongs to, shown after it.
    pub detail: String,
    /// The same in English (a recipient's group; names stay as they are).
    pub detail_en: String,
    pub community_id: Option<i64>,
}

/// The names of one or more kinds, with their match index.
#[derive(Clone, Default)]
pub struct Names {
    pub items: Vec<Candidate>,
    index: Index,
    /// Plates are matched in their canonical form (`yuF12345` → 渝F12345).
    plates: bool,
}

impl std::fmt::Debug for Names {
    // The index holds recipients' raw names: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Names")
            .field("len", &self.items.len())
            .finish_non_exhaustive()
    }
}

/// A candidate matched, with how closely.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Matched<'a> {
    pub candidate: &'a Candidate,
    pub tier: Tier,
}

impl Names {
    fn build(rows: Vec<(Candidate, String, String)>, plates: bool) -> Names {
        let index = Index::with_extra(rows.iter().map(|(_, n, x)| (n.as_str(), x.as_str())));
        Names {
            items: rows.into_iter().map(|(c, _, _)| c).collect(),
            index,
            plates,
        }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    fn query<'t>(&self, typed: &'t str) -> std::borrow::Cow<'t, str> {
        if !self.plates {
            return typed.into();
        }
        if let Ok(n) = plate::normalize(typed)
            && n.plate.as_str().starts_with('渝')
        {
            return n.plate.as_str().to_string().into();
        }
        // Half a plate typed with `yu` for 渝 (`yuF12`): matched as 渝F12.
        let t = pick::normalize(typed);
        match t.strip_prefix("yu") {
            Some(rest) if rest.starts_with(|c: char| c.is_ascii_alphabetic()) => {
                format!("渝{rest}").into()
            }
            _ => typed.into(),
        }
    }

    /// The closest `limit` matches of `typed`, and how many match in all.
    pub fn find(&self, typed: &str, limit: usize) -> (Vec<Matched<'_>>, usize) {
        let found = self.index.find(&self.query(typed), limit);
        let hits = found
            .hits
            .iter()
            .filter_map(|h| {
                self.items.get(h.index).map(|c| Matched {
                    candidate: c,
                    tier: h.tier,
                })
            })
            .collect();
        (hits, found.total)
    }

    /// The one candidate `typed` means; else a refusal naming the choices
    /// (or saying nothing matched), in the words of `what`.
    pub fn resolve(&self, typed: &str) -> std::result::Result<&Candidate, Unresolved> {
        match self.index.resolve(&self.query(typed), SHOWN) {
            Resolution::Unique(i) => self.items.get(i).ok_or(Unresolved::Nothing),
            Resolution::Ambiguous { shown, total } => Err(Unresolved::Several {
                shown: shown
                    .into_iter()
                    .filter_map(|i| self.items.get(i).cloned())
                    .collect(),
                total,
            }),
            Resolution::Nothing => Err(Unresolved::Nothing),
        }
    }
}

/// Why a typed name did not come to one registered name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unresolved {
    Nothing,
    Several { shown: Vec<Candidate>, total: usize },
}

/// `name（detail）` for a list of choices.
pub fn choice_line(c: &Candidate) -> String {
    if c.detail.is_empty() {
        c.shown.clone()
    } else {
        format!("{}（{}）", c.shown, c.detail)
    }
}

impl Unresolved {
    /// One sentence: what was typed, what it could be, what to do.
    pub fn message(&self, typed: &str, kind: Kind) -> Msg {
        let t = sanitize(typed.trim()).into_owned();
        let (zh, en) = kind.label();
        let plural = kind.plural();
        match self {
            Unresolved::Nothing => msg!(
                "没有与“{t}”相符的{zh}；请检查名称（可输入名称中的几个字或拼音首字母），或先登记。",
                "No {en} matches \"{t}\"; check the name (part of it or its pinyin initials will do), or register it first."
            ),
            Unresolved::Several { shown, total } => {
                let list = sanitize(&shown.iter().map(choice_line).collect::<Vec<_>>().join("、"))
                    .into_owned();
                let list_en = sanitize(
                    &shown
                        .iter()
                        .map(|c| match c.detail_en.as_str() {
                            "" => c.shown.clone(),
                            d => format!("{} ({d})", c.shown),
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                )
                .into_owned();
                let more = if *total > shown.len() {
                    format!(" …（共 {total} 个）")
                } else {
                    String::new()
                };
                let more_en = if *total > shown.len() {
                    format!(" … ({total} in all)")
                } else {
                    String::new()
                };
                msg!(
                    "“{t}”可指多个{zh}：{list}{more}；请多输入几个字以区分。",
                    "\"{t}\" fits several {plural}: {list_en}{more_en}; type more of the name to tell them apart."
                )
            }
        }
    }

    pub fn into_error(self, typed: &str, kind: Kind) -> StoreError {
        let m = self.message(typed, kind);
        match self {
            Unresolved::Nothing => StoreError::NotFound(m),
            Unresolved::Several { .. } => StoreError::Refused(m),
        }
    }
}

/// The names of `kinds`, those of one community where a kind belongs to
/// one and `community` is given.
pub(crate) fn names(conn: &Connection, kinds: &[Kind], community: Option<i64>) -> Result<Names> {
    let mut rows = Vec::new();
    for &k in kinds {
        rows.extend(rows_of(conn, k, community)?);
    }
    Ok(Names::build(rows, kinds == [Kind::Vehicle]))
}

/// `(candidate, name matched, extra text matched by a part)`.
type Row = (Candidate, String, String);

fn rows_of(conn: &Connection, kind: Kind, community: Option<i64>) -> Result<Vec<Row>> {
    let plain = |id: i64, name: String, detail: String, cid: Option<i64>| -> Row {
        (
            Candidate {
                kind,
                id,
                shown: name.clone(),
                detail_en: detail.clone(),
                detail,
                community_id: cid,
            },
            name,
            String::new(),
        )
    };
    let sql = match kind {
        Kind::Community => "SELECT id, name, '', id FROM community ORDER BY id",
        Kind::Compound => {
            "SELECT k.id, k.name, c.name, k.community_id FROM compound k JOIN community c ON c.id = k.community_id
             WHERE ?1 IS NULL OR k.community_id = ?1 ORDER BY k.community_id, k.id"
        }
        Kind::Building => {
            "SELECT b.id, b.name, c.name || ' ' || k.name, k.community_id FROM building b
             JOIN compound k ON k.id = b.compound_id JOIN community c ON c.id = k.community_id
             WHERE ?1 IS NULL OR k.community_id = ?1 ORDER BY k.community_id, b.id"
        }
        Kind::Unit => {
            "SELECT u.id, u.name, COALESCE(c.name, ''), u.community_id FROM supply_unit u
             LEFT JOIN community c ON c.id = u.community_id
             ORDER BY u.name"
        }
        Kind::Outlet => {
            "SELECT o.id, o.name, c.name, o.community_id FROM outlet o JOIN community c ON c.id = o.community_id
             WHERE ?1 IS NULL OR o.community_id = ?1 ORDER BY o.community_id, o.name"
        }
        Kind::Station => {
            "SELECT k.id, k.name, c.name || ' · ' || k.transfer_station, k.community_id FROM compound k
             JOIN community c ON c.id = k.community_id
             WHERE k.transfer_station IS NOT NULL AND (?1 IS NULL OR k.community_id = ?1)
             ORDER BY k.community_id, k.id"
        }
        Kind::Volunteer => {
            "SELECT v.id, v.name, c.name || COALESCE(' ' || k.name, ''), v.community_id FROM volunteer v
             JOIN community c ON c.id = v.community_id LEFT JOIN compound k ON k.id = v.compound_id
             WHERE v.active = 1 AND (?1 IS NULL OR v.community_id = ?1) ORDER BY v.community_id, v.name, v.id"
        }
        Kind::Vehicle => {
            "SELECT v.id, v.plate, TRIM(COALESCE(u.name, '') || ' ' || COALESCE(v.driver, '')), u.community_id
             FROM vehicle v LEFT JOIN supply_unit u ON u.id = v.unit_id
             ORDER BY v.plate"
        }
        Kind::Officer => {
            "SELECT MIN(id), officer, '', NULL FROM shift
             GROUP BY officer ORDER BY MAX(id) DESC"
        }
        Kind::Recipient => return recipients(conn, community),
    };
    let mut st = conn.prepare_cached(sql)?;
    let scoped = [community];
    let args: &[Option<i64>] = if st.parameter_count() == 1 {
        &scoped
    } else {
        &[]
    };
    let rows = st
        .query_map(rusqlite::params_from_iter(args), |r| {
            Ok(plain(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Recipients: matched by their raw name, or by a part of their address
/// or group; shown masked.
fn recipients(conn: &Connection, community: Option<i64>) -> Result<Vec<Row>> {
    let mut st = conn.prepare_cached(
        "SELECT r.id, r.name, r.grp, c.name, k.name, r.building, r.unit_no, r.room, r.community_id
         FROM recipient r JOIN community c ON c.id = r.community_id
         LEFT JOIN compound k ON k.id = r.compound_id
         WHERE ?1 IS NULL OR r.community_id = ?1 ORDER BY r.id",
    )?;
    let rows = st
        .query_map(params![community], |r| {
            let name: String = r.get(1)?;
            let grp: String = r.get(2)?;
            let group = Group::from_code(&grp).unwrap_or(Group::ElderlyAlone);
            let mut address: String = r.get(3)?;
            for i in 4..8 {
                if let Some(p) = r.get::<_, Option<String>>(i)?
                    && !p.trim().is_empty()
                {
                    address.push(' ');
                    address.push_str(p.trim());
                }
            }
            let shown = if group.is_institution() {
                name.clone()
            } else {
                mask::mask_name(&name)
            };
            let extra = format!(
                "{address} {} {} {}",
                group.label_zh(),
                group.label_en(),
                group.code()
            );
            Ok((
                Candidate {
                    kind: Kind::Recipient,
                    id: r.get(0)?,
                    shown,
                    detail: format!("{} · {address}", group.label_zh()),
                    detail_en: format!("{} · {address}", group.label_en()),
                    community_id: r.get(8)?,
                },
                name,
                extra,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

impl Store {
    /// The registered names of `kinds` (of one community, for the kinds
    /// that belong to one, when `community` is given), for a name field.
    pub fn names(&self, kinds: &[Kind], community: Option<i64>) -> Result<Names> {
        names(&self.conn, kinds, community)
    }

    /// The registered name of `kind` that `typed` means, or a refusal
    /// naming the choices.
    pub fn pick(&self, kind: Kind, typed: &str, community: Option<i64>) -> Result<Candidate> {
        let names = self.names(&[kind], community)?;
        names
            .resolve(typed)
            .cloned()
            .map_err(|u| u.into_error(typed, kind))
    }
}

impl Store {
    /// A name that may be registered or not (an incoming officer, a
    /// person an alert is dispatched to): the one registered name `typed`
    /// matches; several are refused with the choices; none leaves it as
    /// typed, unless it is bare letters (initials that found nothing).
    pub fn pick_or_typed(&self, kind: Kind, typed: &str) -> Result<String> {
        let typed = typed.trim();
        match self.names(&[kind], None)?.resolve(typed) {
            Ok(c) => Ok(c.shown.clone()),
            Err(Unresolved::Nothing) if !pick::looks_like_initials(typed) => Ok(typed.to_string()),
            Err(u) => Err(u.into_error(typed, kind)),
        }
    }
}

/// The one name of `kind` `typed` means, matched as the console matches
/// it; the store's own finders fall back to this after an exact name.
pub(crate) fn resolve_in(
    conn: &Connection,
    kind: Kind,
    typed: &str,
    community: Option<i64>,
) -> Result<Candidate> {
    let names = names(conn, &[kind], community)?;
    names
        .resolve(typed)
        .cloned()
        .map_err(|u| u.into_error(typed, kind))
}

/// Is `typed` the name of a kind's record in another community? For "the
/// compound is in 一碗水社区, not the one chosen".
pub(crate) fn elsewhere(conn: &Connection, kind: Kind, typed: &str) -> Result<Vec<Candidate>> {
    let names = names(conn, &[kind], None)?;
    Ok(match names.resolve(typed) {
        Ok(c) => vec![c.clone()],
        Err(Unresolved::Several { shown, .. }) => shown,
        Err(Unresolved::Nothing) => Vec::new(),
    })
}
