//! One row of a sheet against the register: its names resolved to ids,
//! its new record complete, its whole consistent.

use chrono::{DateTime, Utc};
use rusqlite::types::Value;

use super::*;
use crate::domain::Code;
use crate::domain::mask;
use crate::domain::pass::{self, PassKind, PassState, WindowError};
use crate::domain::place::{BuildingKind, CommunityKind, CompoundKind, compound_kind_for};
use crate::domain::time::{from_db, to_db};
use crate::domain::unit::Capacity;
use crate::msg;
use crate::msg::Msg;

pub(super) fn issue(row: usize, field: Option<&'static str>, message: Msg) -> RowIssue {
    RowIssue {
        row,
        field,
        message,
    }
}

pub(super) fn unknown_community(row: usize, name: &str) -> RowIssue {
    issue(
        row,
        Some("community"),
        msg!(
            "社区（村）“{name}”未登记；请先导入社区台账（supplydesk import communities），或核对名称。",
            "The community \"{name}\" is not registered; import the communities first (supplydesk import communities) or check the name."
        ),
    )
}

pub(super) fn unknown_compound(row: usize, community: &str, name: &str) -> RowIssue {
    issue(
        row,
        Some("compound"),
        msg!(
            "社区（村）“{community}”下没有小区（组）“{name}”；请先导入小区台账（supplydesk import compounds），或核对名称。",
            "The community \"{community}\" has no compound \"{name}\"; import the compounds first (supplydesk import compounds) or check the name."
        ),
    )
}

pub(super) fn unknown_unit(row: usize, name: &str) -> RowIssue {
    issue(
        row,
        Some("unit"),
        msg!(
            "保供单位“{name}”未登记；请先导入保供单位台账（supplydesk import units），或核对名称。",
            "The supply unit \"{name}\" is not registered; import the supply units first (supplydesk import units) or check the name."
        ),
    )
}

pub(super) fn missing(row: usize, t: LedgerTable, key: &'static str) -> RowIssue {
    let (zh, en) = t.field(key).map_or((key, key), |f| (f.zh, f.en));
    issue(
        row,
        Some(key),
        msg!(
            "“{zh}”为空；请填写（新登记的记录必须有{zh}）。",
            "The {en} is empty; fill it in (a new record needs it)."
        ),
    )
}

/// Resolves names to ids and computes the keys. Problems go to `issues`;
/// `None` when the row cannot be matched at all.
pub(super) fn resolve(
    t: LedgerTable,
    refs: &Refs,
    rec: &Record,
    issues: &mut Vec<RowIssue>,
) -> Option<Resolved> {
    use LedgerTable as L;
    let v = &rec.values;
    let row = rec.row;
    let before = issues.len();
    // Key fields first: without them nothing can be matched.
    for (i, spec) in t.fields().iter().enumerate() {
        if spec.need == Need::Key && v[i].is_none() && !rec.broken {
            let (zh, en) = (spec.zh, spec.en);
            issues.push(issue(
                row,
                Some(spec.key),
                msg!(
                    "“{zh}”为空；每一行都要有{zh}，据此找到要更新的记录。",
                    "The {en} is empty; every row needs it to find the record it updates."
                ),
            ));
        }
    }
    let community = |i: usize, issues: &mut Vec<RowIssue>| -> Option<Option<(i64, String)>> {
        match text(&v[i]) {
            None => Some(None),
            Some(name) => match refs.community(name) {
                Some((id, kind)) => Some(Some((id, kind.to_string()))),
                None => {
                    issues.push(unknown_community(row, name));
                    None
                }
            },
        }
    };
    let compound = |community: Option<(i64, &str)>,
                    i: usize,
                    issues: &mut Vec<RowIssue>|
     -> Option<Option<(i64, String)>> {
        let Some(name) = text(&v[i]) else {
            return Some(None);
        };
        let Some((cid, cname)) = community else {
            if issues.len() > before {
                // The missing community is reported already.
                return None;
            }
            issues.push(issue(
                row,
                Some("community"),
                msg!(
                    "填写了小区“{name}”却没有填社区（村）；请填写它所在的社区（村）。",
                    "The compound \"{name}\" is given without its community; fill in the community."
                ),
            ));
            return None;
        };
        match refs.compounds.get(&(cid, name.to_string())) {
            Some((id, kind)) => Some(Some((*id, kind.clone()))),
            None => {
                issues.push(unknown_compound(row, cname, name));
                None
            }
        }
    };
    let unit = |i: usize, issues: &mut Vec<RowIssue>| -> Option<Option<i64>> {
        match text(&v[i]) {
            None => Some(None),
            Some(name) => match refs.units.get(name) {
                Some(id) => Some(Some(*id)),
                None => {
                    issues.push(unknown_unit(row, name));
                    None
                }
            },
        }
    };
    let id = |x: Option<i64>| x.map(Value::Integer);
    let out = match t {
        L::Community => {
            let name = text(&v[0])?;
            // A sheet may write 螺蛳包 for the stored 螺蛳包社区.
            let stored = refs
                .community(name)
                .and_then(|(id, _)| refs.community_names.get(&id))
                .map_or(name, String::as_str);
            Resolved {
                keys: vec![format!("n:{stored}")],
                label: name.to_string(),
                cols: v.clone(),
            }
        }
        L::Compound => {
            let c = community(0, issues)?;
            let (cid, _) = c?;
            let name = text(&v[1])?;
            let cname = refs.community_names.get(&cid).cloned().unwrap_or_default();
            let mut cols = v.clone();
            cols[0] = Some(Value::Integer(cid));
            Resolved {
                keys: vec![format!("k:{cid}:{name}")],
                label: format!("{cname} {name}"),
                cols,
            }
        }
        L::Building => {
            let c = community(0, issues)?;
            let cname = text(&v[0]).unwrap_or_default().to_string();
            let k = compound(c.as_ref().map(|(id, _)| (*id, cname.as_str())), 1, issues)?;
            let (kid, _) = k?;
            let name = text(&v[2])?;
            let kname = text(&v[1]).unwrap_or_default();
            Resolved {
                keys: vec![format!("k:{kid}:{name}")],
                label: format!("{cname} {kname} {name}"),
                cols: vec![
                    Some(Value::Integer(kid)),
                    v[2].clone(),
                    v[3].clone(),
                    v[4].clone(),
                    v[5].clone(),
                ],
            }
        }
        L::Outlet => {
            let (cid, _) = community(0, issues)??;
            let name = text(&v[1])?;
            let cname = text(&v[0]).unwrap_or_default();
            let mut cols = v.clone();
            cols[0] = Some(Value::Integer(cid));
            Resolved {
                keys: vec![format!("k:{cid}:{name}")],
                label: format!("{cname} {name}"),
                cols,
            }
        }
        L::SupplyUnit => {
            let c = community(2, issues)?;
            let name = text(&v[0])?;
            let mut cols = v.clone();
            cols[2] = c.map(|(id, _)| Value::Integer(id));
            Resolved {
                keys: vec![format!("k:{name}")],
                label: name.to_string(),
                cols,
            }
        }
        L::Staff => {
            let uid = unit(0, issues)??;
            let name = text(&v[1])?;
            let uname = text(&v[0]).unwrap_or_default();
            let mut cols = v.clone();
            cols[0] = Some(Value::Integer(uid));
            Resolved {
                keys: vec![format!("k:{uid}:{name}")],
                label: format!("{uname} {name}"),
                cols,
            }
        }
        L::Vehicle => {
            let u = unit(3, issues)?;
            let plate = text(&v[0])?;
            let mut cols = v.clone();
            cols[3] = id(u);
            Resolved {
                keys: vec![format!("k:{plate}")],
                label: plate.to_string(),
                cols,
            }
        }
        L::Pass => {
            let u = unit(3, issues);
            let vehicle = match text(&v[2]) {
                None => Some(None),
                Some(p) => match refs.vehicles.get(p) {
                    Some((id, _)) => Some(Some(*id)),
                    None => {
                        issues.push(issue(
                            row,
                            Some("plate"),
                            msg!(
                                "车牌 {p} 不在车辆台账中；请先导入车辆台账（supplydesk import vehicles），或核对车牌。",
                                "The plate {p} is not in the vehicle ledger; import the vehicles first (supplydesk import vehicles) or check the plate."
                            ),
                        ));
                        None
                    }
                },
            };
            let (u, vehicle) = (u?, vehicle?);
            let number = text(&v[0])?;
            Resolved {
                keys: vec![format!("k:{number}")],
                label: number.to_string(),
                cols: vec![
                    v[0].clone(),
                    v[1].clone(),
                    id(vehicle),
                    id(u),
                    v[4].clone(),
                    v[5].clone(),
                    v[6].clone(),
                    v[7].clone(),
                    v[8].clone(),
                    v[9].clone(),
                    v[10].clone(),
                    None,
                ],
            }
        }
        L::Volunteer => {
            let c = community(2, issues)?;
            let cname = text(&v[2]).unwrap_or_default().to_string();
            let k = compound(c.as_ref().map(|(id, _)| (*id, cname.as_str())), 3, issues)?;
            let b = match (text(&v[4]), &k) {
                (None, _) => None,
                (Some(b), None) => {
                    issues.push(issue(
                        row,
                        Some("compound"),
                        msg!(
                            "填写了楼栋“{b}”却没有填小区；请填写楼栋所在的小区（组）。",
                            "The building \"{b}\" is given without its compound; fill in the compound."
                        ),
                    ));
                    return None;
                }
                (Some(b), Some((kid, _))) => match refs.buildings.get(&(*kid, b.to_string())) {
                    Some(id) => Some(*id),
                    None => {
                        let kname = text(&v[3]).unwrap_or_default();
                        issues.push(issue(
                            row,
                            Some("building"),
                            msg!(
                                "小区“{kname}”下没有楼栋“{b}”；请先导入楼栋台账（supplydesk import buildings），或核对名称。",
                                "The compound \"{kname}\" has no building \"{b}\"; import the buildings first (supplydesk import buildings) or check the name."
                            ),
                        ));
                        return None;
                    }
                },
            };
            let name = text(&v[0])?;
            // With a phone: that person, or a namesake in the community
            // with no phone on record. Without: the namesake, if only one.
            let mut keys = Vec::new();
            match (text(&v[1]), &c) {
                (Some(p), Some((cid, _))) => {
                    keys.push(format!("p:{name}:{}", phone_digits(p)));
                    keys.push(format!("c0:{name}:{cid}"));
                }
                (Some(p), None) => keys.push(format!("p:{name}:{}", phone_digits(p))),
                (None, Some((cid, _))) => keys.push(format!("c:{name}:{cid}")),
                (None, None) => {}
            }
            Resolved {
                keys,
                label: format!("{name}（{cname}）"),
                cols: vec![
                    v[0].clone(),
                    v[1].clone(),
                    c.map(|(id, _)| Value::Integer(id)),
                    k.map(|(id, _)| Value::Integer(id)),
                    b.map(Value::Integer),
                    v[5].clone(),
                    v[6].clone(),
                    v[7].clone(),
                ],
            }
        }
        L::Recipient => {
            let c = community(5, issues)?;
            let cname = text(&v[5]).unwrap_or_default().to_string();
            let k = compound(c.as_ref().map(|(id, _)| (*id, cname.as_str())), 6, issues)?;
            let name = text(&v[0])?;
            // With an ID number: that person, or the same name and phone
            // with no ID number on record. Without: the same name and phone.
            // With neither (a homeless person has no phone): the same name
            // in the same community among records that have neither.
            let mut keys = Vec::new();
            match (text(&v[2]), text(&v[1]), &c) {
                (Some(id), Some(p), _) => {
                    keys.push(format!("i:{id}"));
                    keys.push(format!("p0:{name}:{}", phone_digits(p)));
                }
                (Some(id), None, _) => keys.push(format!("i:{id}")),
                (None, Some(p), _) => keys.push(format!("p:{name}:{}", phone_digits(p))),
                (None, None, Some((cid, _))) => keys.push(format!("n0:{name}:{cid}")),
                (None, None, None) => {}
            }
            let label = match (text(&v[1]), text(&v[2])) {
                (Some(p), _) => format!("{} {}", mask::mask_name(name), mask::mask_phone(p)),
                (None, Some(i)) => format!("{} {}", mask::mask_name(name), mask::mask_id_number(i)),
                _ => mask::mask_name(name),
            };
            Resolved {
                keys,
                label,
                cols: vec![
                    v[0].clone(),
                    v[1].clone(),
                    v[2].clone(),
                    v[3].clone(),
                    v[4].clone(),
                    c.map(|(id, _)| Value::Integer(id)),
                    k.map(|(id, _)| Value::Integer(id)),
                    v[7].clone(),
                    v[8].clone(),
                    v[9].clone(),
                    v[10].clone(),
                ],
            }
        }
        // Planned by [`stock`], which appends rather than matches.
        L::StockReport => return None,
    };
    (issues.len() == before).then_some(out)
}

/// Fills what a new record leaves blank; reports what it cannot do
/// without.
pub(super) fn complete_new(
    t: LedgerTable,
    refs: &Refs,
    rec: &Record,
    cols: &mut [Option<Value>],
    now: DateTime<Utc>,
    issues: &mut Vec<RowIssue>,
) {
    use LedgerTable as L;
    let row = rec.row;
    for (i, spec) in t.fields().iter().enumerate() {
        if spec.need == Need::New && rec.values[i].is_none() {
            issues.push(missing(row, t, spec.key));
        }
    }
    let set = |cols: &mut [Option<Value>], i: usize, v: Value| {
        if cols[i].is_none() {
            cols[i] = Some(v);
        }
    };
    let t_ = |s: &str| Value::Text(s.to_string());
    let zero = Value::Integer(0);
    let one = Value::Integer(1);
    match t {
        L::Community => {
            let village = text(&cols[0]).is_some_and(|n| n.ends_with('村'));
            let kind = if village {
                CommunityKind::Village
            } else {
                CommunityKind::Community
            };
            set(cols, 1, t_(kind.code()));
            for i in 2..=4 {
                set(cols, i, zero.clone());
            }
        }
        L::Compound => {
            let kind = int(&cols[0])
                .and_then(|cid| refs.community_names.get(&cid))
                .and_then(|n| refs.communities.get(n))
                .and_then(|(_, k)| CommunityKind::from_code(k))
                .map_or(CompoundKind::Compound, compound_kind_for);
            set(cols, 2, t_(kind.code()));
            for i in 3..=5 {
                set(cols, i, zero.clone());
            }
            set(cols, 7, zero.clone());
        }
        L::Building => {
            let in_group = int(&cols[0])
                .and_then(|kid| refs.compound_kinds.get(&kid))
                .is_some_and(|k| k == CompoundKind::Group.code());
            let kind = if in_group {
                BuildingKind::Courtyard
            } else {
                BuildingKind::Building
            };
            set(cols, 2, t_(kind.code()));
            set(cols, 3, zero.clone());
        }
        L::Outlet => set(cols, 7, one.clone()),
        L::SupplyUnit => {
            for i in 6..=8 {
                set(cols, i, Value::Real(0.0));
            }
            for i in 9..=11 {
                set(cols, i, zero.clone());
            }
        }
        L::Staff => set(cols, 5, one.clone()),
        L::Vehicle => {}
        L::Pass => {
            let plate = text(&rec.values[2]).map(str::to_string);
            if cols[1].is_none() {
                if plate.is_some() {
                    cols[1] = Some(t_(PassKind::Vehicle.code()));
                } else {
                    issues.push(missing(row, t, "kind"));
                }
            }
            // A vehicle pass is for its vehicle's unit unless the sheet says.
            if cols[3].is_none()
                && let Some(p) = &plate
                && let Some((_, Some(unit))) = refs.vehicles.get(p)
            {
                cols[3] = Some(Value::Integer(*unit));
            }
            if cols[4].is_none() {
                let kind = text(&cols[1]).and_then(PassKind::from_code);
                let unit_name = int(&cols[3]).and_then(|u| refs.unit_names.get(&u)).cloned();
                match (kind, plate, unit_name) {
                    (Some(PassKind::Vehicle), Some(p), _) => cols[4] = Some(Value::Text(p)),
                    (Some(PassKind::Business), _, Some(u)) => cols[4] = Some(Value::Text(u)),
                    (Some(_), ..) => issues.push(missing(row, t, "subject")),
                    (None, ..) => {}
                }
            }
            set(cols, 9, t_(PassState::Issued.code()));
            set(cols, 11, Value::Text(to_db(now)));
        }
        L::Volunteer => set(cols, 7, one.clone()),
        L::Recipient | L::StockReport => {}
    }
}

/// Rules across fields of the record as it would be stored.
pub(super) fn check_whole(t: LedgerTable, row: usize, cols: &[Option<Value>]) -> Option<RowIssue> {
    match t {
        LedgerTable::SupplyUnit => {
            let real = |i: usize| match &cols[i] {
                Some(Value::Real(x)) => *x,
                Some(Value::Integer(n)) => *n as f64,
                _ => 0.0,
            };
            let cap = Capacity {
                daily_sales: real(6),
                regular_stock: real(7),
                storage_capacity: real(8),
                staff: int(&cols[9]).unwrap_or(0),
                vehicles: int(&cols[10]).unwrap_or(0),
                drivers: int(&cols[11]).unwrap_or(0),
            };
            cap.check().err().map(|_| {
                issue(
                    row,
                    Some("regular_stock"),
                    msg!(
                        "常年库存量大于仓储库存能力；请核对这两个数字。",
                        "The regular stock is larger than the storage capacity; check both figures."
                    ),
                )
            })
        }
        LedgerTable::Pass => {
            let kind = text(&cols[1]).and_then(PassKind::from_code);
            if kind == Some(PassKind::Vehicle) && cols[2].is_none() {
                return Some(issue(
                    row,
                    Some("plate"),
                    msg!(
                        "车辆通行证须填写车牌号；请补填。",
                        "A vehicle pass needs its plate; fill it in."
                    ),
                ));
            }
            if kind == Some(PassKind::Business) && cols[3].is_none() {
                return Some(issue(
                    row,
                    Some("unit"),
                    msg!(
                        "营业许可须填写所属单位；请补填。",
                        "A business permit needs its supply unit; fill it in."
                    ),
                ));
            }
            let from = text(&cols[6]).and_then(from_db);
            let until = text(&cols[7]).and_then(from_db);
            let (Some(from), Some(until)) = (from, until) else {
                return None;
            };
            match pass::check_window(from, until) {
                Ok(()) => None,
                Err(WindowError::EndsBeforeStart) => Some(issue(
                    row,
                    Some("valid_until"),
                    msg!(
                        "有效期止早于有效期起；请核对日期。",
                        "The pass ends before it starts; check the dates."
                    ),
                )),
                Err(WindowError::TooLong) => Some(issue(
                    row,
                    Some("valid_until"),
                    msg!(
                        "有效期超过一年；请缩短，到期再续。",
                        "The validity window is longer than a year; shorten it and extend it later."
                    ),
                )),
            }
        }
        _ => None,
    }
}

/// A stored pass state may only change along the pass machine.
pub(super) fn check_state_change(row: usize, old: &Value, new: &Value) -> Option<RowIssue> {
    let (Value::Text(o), Value::Text(n)) = (old, new) else {
        return None;
    };
    let (Some(o), Some(n)) = (PassState::from_code(o), PassState::from_code(n)) else {
        return None;
    };
    if o == n
        || pass::TRANSITIONS
            .iter()
            .any(|(from, _, to)| *from == o && *to == n)
    {
        return None;
    }
    let (ozh, nzh, oen, nen) = (
        o.label_zh(),
        n.label_zh(),
        o.label_en().to_lowercase(),
        n.label_en().to_lowercase(),
    );
    Some(issue(
        row,
        Some("state"),
        msg!(
            "通行证状态不能从“{ozh}”改为“{nzh}”；请在值守台按规定操作，或改正此格。",
            "A pass cannot go from {oen} to {nen}; do it at the desk as the rules allow, or correct the cell."
        ),
    ))
}
