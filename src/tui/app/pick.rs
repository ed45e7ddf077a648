//! Name fields in forms: the matches offered as the officer types, ↓/Tab
//! to mark one, Enter to take it, and on saving every name field's text
//! turned into the one registered name it means, or refused with the
//! choices (never a guess). The matching is [`crate::domain::pick`]; the
//! names of each kind come from [`crate::store::pick`], read once per form
//! (the recipients, 119k at the demo's scale 100, once per session until
//! they are a few minutes old).

use std::collections::HashMap;
use std::rc::Rc;
use std::time::{Duration, Instant};

use super::App;
use super::actions::{Refusal, at};
use crate::domain::pick::{Kind, looks_like_initials};
use crate::msg::Msg;
use crate::store::pick::{Names, Unresolved};
use crate::tui::popups::Popup;
use crate::tui::popups::pick::{PickSpec, ROWS};

/// How long the recipients' names are kept before they are read again.
const RECIPIENTS_KEPT: Duration = Duration::from_secs(300);

/// Names are read per kinds and community.
type Key = (Vec<Kind>, Option<i64>);

/// The names read for the open form, and when.
#[derive(Debug, Default)]
pub struct PickCache {
    names: HashMap<Key, (Rc<Names>, Instant)>,
}

impl PickCache {
    /// A form opens: names are read again, except the recipients and the
    /// vehicles while they are fresh (the two large kinds, 119k and 78k at
    /// the demo's scale 100; a new recipient comes by import, and a new
    /// vehicle is only not offered, as plates are never resolved).
    pub fn forget(&mut self) {
        self.names.retain(|(k, _), (_, at)| keeps(k, at.elapsed()));
    }
}

/// Are names of `kinds` read `age` ago kept for the next form?
fn keeps(kinds: &[Kind], age: Duration) -> bool {
    matches!(kinds, [Kind::Recipient] | [Kind::Vehicle]) && age < RECIPIENTS_KEPT
}

impl App {
    /// The names of `kinds` (of `community`), read once per form.
    fn pick_names(&mut self, kinds: &[Kind], community: Option<i64>) -> Option<Rc<Names>> {
        let key = (kinds.to_vec(), community);
        if let Some((n, _)) = self.picks.names.get(&key) {
            return Some(n.clone());
        }
        let names = Rc::new(self.store.names(kinds, community).ok()?);
        self.picks
            .names
            .insert(key, (names.clone(), Instant::now()));
        Some(names)
    }

    /// The community a scoped field's names belong to: the one the form's
    /// community field names, if it names one.
    fn pick_scope(&mut self, spec: PickSpec, community_text: Option<String>) -> Option<i64> {
        spec.scope?;
        let typed = community_text?;
        if typed.trim().is_empty() {
            return None;
        }
        let communities = self.pick_names(&[Kind::Community], None)?;
        communities.resolve(&typed).ok().map(|c| c.id)
    }

    /// A form opens: the names its fields take are read now, so that no
    /// keystroke waits for them (the recipients take a few hundred ms).
    pub(super) fn read_picks(&mut self) {
        let Some(Popup::Form(f)) = self.popups.last() else {
            return;
        };
        let unscoped: Vec<&'static [Kind]> = f
            .fields
            .iter()
            .filter_map(|fl| fl.pick.as_ref())
            .filter(|p| p.spec.scope.is_none())
            .map(|p| p.spec.kinds)
            .collect();
        for kinds in unscoped {
            self.pick_names(kinds, None);
        }
    }

    /// The focused field's matches, after typing or moving to it.
    pub(super) fn refresh_picks(&mut self) {
        let Some(Popup::Form(f)) = self.popups.last() else {
            return;
        };
        let Some(fl) = f.focused() else {
            return;
        };
        let Some(p) = &fl.pick else {
            return;
        };
        let spec = p.spec;
        let value = fl.input.value().trim().to_string();
        let taken = p.taken(&value).is_some();
        let scope_text = spec.scope.map(|i| f.value(i).to_string());
        let (rows, total) = if value.is_empty() || taken || kind_prefixed(&value) {
            (Vec::new(), 0)
        } else {
            let scope = self.pick_scope(spec, scope_text);
            match self.pick_names(spec.kinds, scope) {
                Some(names) => {
                    let (hits, total) = names.find(&value, ROWS);
                    (
                        hits.into_iter().map(|m| m.candidate.clone()).collect(),
                        total,
                    )
                }
                None => (Vec::new(), 0),
            }
        };
        if let Some(Popup::Form(f)) = self.popups.last_mut()
            && let Some(p) = f.focused_mut().and_then(|fl| fl.pick.as_mut())
        {
            p.set_rows(rows, total);
        }
    }

    /// ↓/Tab (or ↑/S-Tab) on a name field with matches shown: marks the
    /// next (previous) one. False when there is nothing to step through,
    /// so the key moves to the next field as usual.
    pub(super) fn pick_step(&mut self, forward: bool) -> bool {
        let Some(Popup::Form(f)) = self.popups.last_mut() else {
            return false;
        };
        let Some(fl) = f.focused_mut() else {
            return false;
        };
        let value = fl.input.value().to_string();
        fl.pick.as_mut().is_some_and(|p| p.step(forward, &value))
    }

    /// Enter on a name field with a match marked: takes it (the field
    /// reads as its registered name) instead of saving the form.
    pub(super) fn pick_accept(&mut self) -> bool {
        let Some(Popup::Form(f)) = self.popups.last_mut() else {
            return false;
        };
        let Some(fl) = f.focused_mut() else {
            return false;
        };
        let Some(name) = fl.pick.as_mut().and_then(|p| p.take_selected()) else {
            return false;
        };
        fl.input = tui_input::Input::new(name);
        fl.error = None;
        self.refresh_note(None);
        true
    }

    /// Before a form is saved: every name field's text becomes the one
    /// name it matches; several matches are refused at the field with the
    /// choices. Text that matches nothing is left for the form's own
    /// check, which says what is missing (or, for a free field, is taken
    /// as typed unless it is bare letters, which look like initials).
    pub(super) fn resolve_picks(&mut self) -> Result<(), Refusal> {
        let Some(Popup::Form(f)) = self.popups.last() else {
            return Ok(());
        };
        let todo: Vec<(usize, PickSpec, String, Option<String>)> = f
            .fields
            .iter()
            .enumerate()
            .filter_map(|(i, fl)| {
                let p = fl.pick.as_ref()?;
                let v = fl.input.value().trim().to_string();
                (p.spec.resolve && !v.is_empty() && p.taken(&v).is_none() && !kind_prefixed(&v))
                    .then(|| (i, p.spec, v, p.spec.scope.map(|s| f.value(s).to_string())))
            })
            .collect();
        for (i, spec, typed, scope_text) in todo {
            let scope = self.pick_scope(spec, scope_text);
            if spec.scope.is_some() && scope.is_none() {
                // The community is not settled yet: its own check speaks.
                continue;
            }
            let Some(names) = self.pick_names(spec.kinds, scope) else {
                continue;
            };
            match names.resolve(&typed) {
                Ok(c) => {
                    let c = c.clone();
                    if let Some(Popup::Form(f)) = self.popups.last_mut()
                        && let Some(fl) = f.fields.get_mut(i)
                    {
                        fl.input = tui_input::Input::new(c.shown.clone());
                        if let Some(p) = fl.pick.as_mut() {
                            p.take(&c);
                        }
                    }
                }
                Err(u @ Unresolved::Several { .. }) => {
                    return Err(at(i)(u.message(&typed, spec.kind())));
                }
                Err(Unresolved::Nothing) if spec.free && looks_like_initials(&typed) => {
                    return Err(at(i)(Unresolved::Nothing.message(&typed, spec.kind())));
                }
                Err(Unresolved::Nothing) => {}
            }
        }
        // The notes under the fields follow the names now in them.
        let n = match self.popups.last() {
            Some(Popup::Form(f)) => f.fields.len(),
            _ => 0,
        };
        for i in 0..n {
            self.refresh_note(Some(i));
        }
        Ok(())
    }

    /// A name typed after a command (`:dispatch #12 lsbcsc`), resolved as
    /// a form field of `spec` is on saving: the one name it matches, or a
    /// refusal with the choices; text that matches nothing stays as typed
    /// for a free field (a person), else is left to the command's check.
    pub(super) fn resolve_typed(&mut self, spec: PickSpec, typed: &str) -> Result<String, Msg> {
        let typed = typed.trim();
        let Some(names) = self.pick_names(spec.kinds, None) else {
            return Ok(typed.to_string());
        };
        match names.resolve(typed) {
            Ok(c) => Ok(c.shown.clone()),
            Err(u @ Unresolved::Several { .. }) => Err(u.message(typed, spec.kind())),
            Err(Unresolved::Nothing) if spec.free && looks_like_initials(typed) => {
                Err(Unresolved::Nothing.message(typed, spec.kind()))
            }
            Err(Unresolved::Nothing) => Ok(typed.to_string()),
        }
    }

    /// The note under a name field whose name was taken from the list:
    /// the name and where it is (a recipient's masked name and address).
    pub(super) fn picked_note(fl: &crate::tui::popups::form::Field) -> Option<(Msg, bool)> {
        let p = fl.pick.as_ref()?;
        p.taken(fl.input.value())?;
        let (zh, en) = &p.taken_detail;
        if zh.is_empty() {
            return None;
        }
        let name = fl.input.value().trim();
        let line = |d: &str| crate::domain::text::sanitize(&format!("{name} · {d}")).into_owned();
        let (z, e) = (line(zh), line(en));
        Some((crate::msg!("已选定：{z}", "picked: {e}"), false))
    }

    /// The note under a recipient field: the one picked, or that nothing
    /// matches. The list under the field shows the rest, so a keystroke
    /// does not also run the store's search by a part (a scan of every
    /// recipient at the demo's scale 100; see BENCHMARKS.md).
    pub(super) fn recipient_note(fl: &crate::tui::popups::form::Field) -> Option<(Msg, bool)> {
        if let Some(n) = App::picked_note(fl) {
            return Some(n);
        }
        let p = fl.pick.as_ref()?;
        let v = fl.input.value().trim();
        if v.is_empty() || p.taken(v).is_some() || !p.rows.is_empty() {
            return None;
        }
        let q = crate::domain::text::sanitize(v).into_owned();
        Some((
            crate::msg!(
                "没有与“{q}”相符的对象；可输入姓名、地址或类别中的几个字，或姓名拼音首字母",
                "no recipient matches \"{q}\"; type part of the name, address or group, or the name's initials"
            ),
            true,
        ))
    }

    /// The recipient picked in field `i` of the open form, if one was.
    pub(super) fn picked_recipient(form: &crate::tui::popups::Form, i: usize) -> Option<i64> {
        match form.fields.get(i)?.picked()? {
            (Kind::Recipient, id) => Some(id),
            _ => None,
        }
    }
}

/// `单位:名称`, `网点:名称`: the kind is typed first, the form's own
/// reading decides.
fn kind_prefixed(v: &str) -> bool {
    v.split_once([':', '：']).is_some_and(|(head, _)| {
        matches!(
            head.trim().to_lowercase().as_str(),
            "单位"
                | "保供单位"
                | "unit"
                | "网点"
                | "outlet"
                | "中转站"
                | "小区"
                | "station"
                | "compound"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_left_to_the_form_and_what_looks_like_initials() {
        assert!(kind_prefixed("单位:螺蛳包"));
        assert!(kind_prefixed("outlet：超市"));
        assert!(!kind_prefixed("社区书记 李明"));
        assert!(looks_like_initials("lsb"));
        assert!(!looks_like_initials("社区书记 李明"));
        assert!(!looks_like_initials("渝F12345"));
    }

    #[test]
    fn a_new_form_reads_names_again_but_keeps_fresh_large_kinds() {
        let mut c = PickCache::default();
        let now = Instant::now();
        c.names.insert(
            (vec![Kind::Community], None),
            (Rc::new(Names::default()), now),
        );
        c.names.insert(
            (vec![Kind::Recipient], None),
            (Rc::new(Names::default()), now),
        );
        c.forget();
        assert_eq!(c.names.len(), 1);
        assert!(c.names.contains_key(&(vec![Kind::Recipient], None)));
        assert!(keeps(&[Kind::Vehicle], Duration::from_secs(60)));
        assert!(
            !keeps(&[Kind::Recipient], RECIPIENTS_KEPT),
            "stale: read again"
        );
        assert!(!keeps(&[Kind::Unit], Duration::ZERO));
    }
}
