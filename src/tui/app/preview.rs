//! What a form field's value reads as, shown under it while it is typed:
//! a time in full with how far off it is, a plate normalised and whether
//! the ledger knows it, the volunteer or vehicle an assignment would name
//! (and whether that vehicle may pass), the recipients a search finds,
//! the community a name means. Only cheap, indexed look-ups: this runs on
//! every key.

use chrono::{DateTime, Utc};

use super::App;
use crate::domain::text::sanitize;
use crate::domain::time::{age, local_minute};
use crate::msg;
use crate::msg::Msg;
use crate::store::deliveries::Assignee;
use crate::store::fields::TEXT_MAX_CHARS;
use crate::tui::popups::form::Field;
use crate::tui::popups::{FormKind, Popup};

fn clean(s: &str) -> String {
    sanitize(s).into_owned()
}

impl App {
    /// Recomputes the note under field `field` (the focused one when
    /// `None`) of the form on top.
    pub(super) fn refresh_note(&mut self, field: Option<usize>) {
        let Some(Popup::Form(f)) = self.popups.last() else {
            return;
        };
        let i = field.unwrap_or(f.focus);
        if matches!(
            f.kind,
            FormKind::Stock | FormKind::Market | FormKind::Contact(_)
        ) {
            // These read other fields too (the community a station is
            // looked up in, the kind a severity defaults from).
            let notes: Vec<(usize, Option<(Msg, bool)>)> = std::iter::once(i)
                .chain(super::supply::dependents(f.kind, i).iter().copied())
                .map(|j| (j, self.supply_note(f, j)))
                .collect();
            if let Some(Popup::Form(f)) = self.popups.last_mut() {
                for (j, note) in notes {
                    if let Some(fl) = f.fields.get_mut(j) {
                        fl.note = note;
                    }
                }
            }
            return;
        }
        let Some(fl) = f.fields.get(i) else {
            return;
        };
        let note = self.preview(f.kind, i, fl, &f.target);
        if let Some(Popup::Form(f)) = self.popups.last_mut()
            && let Some(fl) = f.fields.get_mut(i)
        {
            fl.note = note;
        }
    }

    pub(super) fn when(&self, t: DateTime<Utc>) -> Msg {
        let at = local_minute(t, self.tz);
        let now = self.now();
        if t >= now {
            let d = age(t - now);
            msg!("{at}（{d} 后）", "{at} (in {d})")
        } else {
            let d = age(now - t);
            msg!("{at}（{d} 前）", "{at} ({d} ago)")
        }
    }

    fn preview(&self, kind: FormKind, i: usize, fl: &Field, target: &str) -> Option<(Msg, bool)> {
        let v = fl.input.value().trim();
        if !fl.choices.is_empty() {
            return (!v.is_empty() && fl.chosen().is_none()).then(|| {
                (
                    msg!(
                        "不是可选项之一；按 ←/→ 选择。",
                        "Not one of the choices; press ←/→ to choose."
                    ),
                    true,
                )
            });
        }
        if v.is_empty() {
            return None;
        }
        if fl.max >= TEXT_MAX_CHARS {
            return self.scrub_preview(v);
        }
        match (kind, i) {
            (FormKind::Note, 1) | (FormKind::Directive(_), 1) => {
                let t = self.parse_time(Some(v)).ok().flatten()?;
                Some((self.when(t), t > self.now()))
            }
            (FormKind::Extend(_), 0) => {
                let t = self.extend_until(target, v).ok()?;
                Some((self.when(t), false))
            }
            (FormKind::Pass, 1)
            | (FormKind::Delivery, 3)
            | (FormKind::Fail(_), 3)
            | (FormKind::Requeue(_), 0) => {
                let t = self.parse_future(v, msg!("时间", "time")).ok()?;
                Some((self.when(t), false))
            }
            (FormKind::Pass, 0) => self.plate_preview(v),
            (FormKind::Assign(_), 0) => self.assign_preview(v),
            (FormKind::Delivery, 0) => App::recipient_note(fl),
            (FormKind::Alert, 0) => match self.store.community_by_name(v) {
                Ok(c) => {
                    let name = clean(&c.name);
                    Some((msg!("{name}", "{name}"), false))
                }
                Err(e) => Some((e.message(), true)),
            },
            _ => None,
        }
    }

    /// What the door will record of a free text (issue 21): shown only
    /// when it differs from what was typed, so the officer sees the
    /// numbers masked and referenced before saving, and can still write
    /// what they meant.
    fn scrub_preview(&self, typed: &str) -> Option<(Msg, bool)> {
        let s = self.store.preview_scrub(typed).ok()?;
        if !s.changed() || s.text == typed {
            return None;
        }
        let t = clean(&s.text);
        Some((msg!("将记录为：{t}", "Will be recorded as: {t}"), false))
    }

    fn plate_preview(&self, typed: &str) -> Option<(Msg, bool)> {
        let n = crate::domain::plate::normalize(typed).ok()?;
        let p = clean(n.plate.as_str());
        let odd = (!n.verdict.is_standard()).then(|| Msg::new(n.describe(true), n.describe(false)));
        let known = self.store.vehicle_by_plate(n.plate.as_str()).ok().flatten();
        let m = match &known {
            Some(v) => {
                let who = clean(
                    &[v.unit.as_deref(), v.driver.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" "),
                );
                msg!(
                    "{p} · 车辆台账中已有（{who}）",
                    "{p} · in the vehicle ledger ({who})"
                )
            }
            None => msg!(
                "{p} · 新车：发证时一并登记入车辆台账",
                "{p} · a new vehicle: it is added to the ledger with the pass"
            ),
        };
        Some(match odd {
            Some(w) => (
                Msg::new(format!("{}；{}", m.zh, w.zh), format!("{}; {}", m.en, w.en)),
                true,
            ),
            None => (m, false),
        })
    }

    fn assign_preview(&self, typed: &str) -> Option<(Msg, bool)> {
        match self.assignee(typed, &self.assign_pool) {
            Ok((Assignee::Volunteer(id), name)) => {
                let v = self.assign_pool.iter().find(|v| v.id == id)?;
                let name = clean(&name);
                let place = clean(
                    v.compound
                        .as_deref()
                        .or(v.station.as_deref())
                        .unwrap_or(&v.community),
                );
                Some((
                    msg!("志愿者 {name}（{place}）", "volunteer {name} ({place})"),
                    false,
                ))
            }
            Ok((Assignee::Vehicle(_), plate)) => {
                let p = clean(&plate);
                let Some(v) = self.store.vehicle_by_plate(&plate).ok().flatten() else {
                    return Some((
                        msg!(
                            "车辆台账中没有 {p}；请先登记车辆，或检查车牌。",
                            "{p} is not in the vehicle ledger; register it first or check the plate."
                        ),
                        true,
                    ));
                };
                let may_pass = self
                    .store
                    .vehicle_may_pass(v.id, self.now())
                    .unwrap_or(false);
                Some(if may_pass {
                    (
                        msg!(
                            "车辆 {p} · 有有效通行证",
                            "vehicle {p} · holds a valid pass"
                        ),
                        false,
                    )
                } else {
                    (
                        msg!(
                            "车辆 {p} 当前没有有效通行证；仍可分派，出发前请办妥通行证。",
                            "The vehicle {p} has no valid pass now; it can be assigned, but get it a pass before it sets off."
                        ),
                        true,
                    )
                })
            }
            Err(m) => {
                // While a name is half typed, the names it could become.
                let names: Vec<String> = self
                    .assign_pool
                    .iter()
                    .filter(|v| v.name.starts_with(typed))
                    .map(|v| v.name.clone())
                    .take(5)
                    .collect();
                if names.is_empty() {
                    Some((m, true))
                } else {
                    let list = clean(&names.join("、"));
                    Some((msg!("志愿者：{list}", "volunteers: {list}"), false))
                }
            }
        }
    }
}
