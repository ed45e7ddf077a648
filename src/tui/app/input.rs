//! Keys and pasted text on their way in: the contexts in force, the key
//! table's lookup, and what falls through into the open text field.
//!
//! Keys act only on what is seen: while the terminal is too small for
//! any layout, only quit, redraw and resizing work. Characters that
//! arrive in one burst (a paste the terminal did not bracket) are text,
//! never commands: into the open field, or not at all.

use ratatui::crossterm::event::{Event, KeyEvent, KeyEventKind};
use tui_input::backend::crossterm::to_input_request;
use tui_input::{Input, InputRequest};

use ratatui::crossterm::event::{KeyCode, KeyModifiers};

use super::{App, Level};
use crate::msg;
use crate::tui::keys::{Cmd, Context};
use crate::tui::layout::Mode;
use crate::tui::popups::{OnYes, Popup};

/// A key that a paste produces: a character, a line break or a tab.
fn text_of(ev: &KeyEvent) -> Option<char> {
    let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
    let alt = ev.modifiers.contains(KeyModifiers::ALT);
    match ev.code {
        KeyCode::Enter => Some('\n'),
        KeyCode::Tab => Some('\t'),
        // In raw mode a line feed reads as Ctrl-J, a return as Ctrl-M.
        KeyCode::Char('j' | 'm') if ctrl && !alt => Some('\n'),
        KeyCode::Char(c) if !ctrl && !alt => Some(c),
        _ => None,
    }
}

/// Keys read at once that a person cannot have typed one by one on what
/// the screen showed: three or more text keys (characters, line breaks,
/// tabs). Two (`j` and Enter read together on a busy moment), or keys
/// with arrows or chords among them, are keys.
pub fn is_burst(keys: &[KeyEvent]) -> bool {
    let mut text = 0usize;
    for k in keys.iter().filter(|k| k.kind != KeyEventKind::Release) {
        if text_of(k).is_none() {
            return false;
        }
        text += 1;
    }
    text >= 3
}

impl App {
    /// The key contexts in force, innermost first.
    pub fn contexts(&self) -> Vec<Context> {
        match self.popups.last() {
            Some(p) => p.contexts(),
            None => {
                let mut v = self.panes.get(self.focus).contexts().to_vec();
                v.push(Context::Global);
                v
            }
        }
    }

    /// The terminal is too small for any layout: nothing but the notice
    /// is seen.
    pub fn too_small(&self) -> bool {
        self.screen.mode == Mode::TooSmall && self.screen.area.area() > 0
    }

    /// Keys read from the terminal at once: one by one, unless they are a
    /// burst, which is text.
    pub fn on_keys(&mut self, keys: &[KeyEvent]) {
        if keys.len() > 1 && is_burst(keys) {
            self.on_burst(keys);
        } else {
            for k in keys {
                self.on_key(*k);
            }
        }
    }

    /// A burst: text into the open field, its line breaks as spaces; a
    /// tab still moves to the next field, and a line break ending it is
    /// Enter. With no field open, only a first key that opens one (`:`,
    /// `/`, `N`, `p`) acts, the rest is its text and a closing line break
    /// is left for the officer; anything else is not run, and the status
    /// line says so. On the too-small notice, nothing.
    fn on_burst(&mut self, keys: &[KeyEvent]) {
        self.dirty = true;
        if self.too_small() {
            return;
        }
        let presses: Vec<KeyEvent> = keys
            .iter()
            .filter(|k| k.kind != KeyEventKind::Release)
            .copied()
            .collect();
        let mut rest = &presses[..];
        let mut opened_here = false;
        if !self.field_open() {
            let n = presses.len();
            let contexts = self.contexts();
            let opens = rest
                .first()
                .and_then(|k| self.keymap.lookup(k, &contexts))
                .is_some_and(|b| {
                    matches!(
                        b.cmd,
                        Cmd::CommandLine | Cmd::Filter | Cmd::Note | Cmd::Lookup
                    )
                });
            if opens {
                self.on_key(rest[0]);
                rest = &rest[1..];
                opened_here = true;
            }
            if !opens || !self.field_open() {
                self.flash(
                    Level::Warn,
                    msg!(
                        "{n} 个字符同时到达（像是粘贴），没有当作按键执行；要粘贴文字，请先打开输入栏（如 N 记事、: 命令行）。",
                        "{n} characters arrived at once (a paste?) and were not run as keys; to paste text, open a field first (N for a note, : for a command)."
                    ),
                );
                return;
            }
        }
        let mut text = String::new();
        for (i, k) in rest.iter().enumerate() {
            let last = i + 1 == rest.len();
            match text_of(k) {
                Some('\t') => {
                    self.insert_text(&std::mem::take(&mut text));
                    self.on_key(*k);
                }
                Some('\n') if last && !opened_here => {
                    self.insert_text(&std::mem::take(&mut text));
                    self.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
                }
                Some('\n') if last => {
                    self.insert_text(&std::mem::take(&mut text));
                    self.flash(
                        Level::Info,
                        msg!(
                            "粘贴的文字已放入输入栏，未执行；确认无误后按 Enter。",
                            "The pasted text is in the field, not run; press Enter once it is right."
                        ),
                    );
                }
                Some(c) if c.is_control() => text.push(' '),
                Some(c) => text.push(c),
                None => {}
            }
        }
        self.insert_text(&text);
    }

    /// A field of the top popup takes typed text.
    fn field_open(&mut self) -> bool {
        self.popups.last_mut().and_then(Popup::input_mut).is_some()
    }

    /// `text` typed into the open field at its cursor.
    fn insert_text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        let mut chars = text.chars();
        // The first through `edit` (a selected plate gives way), the rest
        // at once: a filter is applied once, not per character.
        if let Some(c) = chars.next() {
            self.edit(InputRequest::InsertChar(c));
        }
        let Some(input) = self.popups.last_mut().and_then(Popup::input_mut) else {
            return;
        };
        for c in chars {
            input.handle(InputRequest::InsertChar(c));
        }
        self.edited();
    }

    pub fn on_key(&mut self, ev: KeyEvent) {
        if ev.kind != KeyEventKind::Press {
            return;
        }
        self.dirty = true;
        if self.too_small() {
            return self.on_key_too_small(&ev);
        }
        // Ctrl-C works whatever is open.
        if let Some(b) = self.keymap.lookup(&ev, &[Context::Global])
            && b.cmd == Cmd::Interrupt
        {
            self.dispatch(Cmd::Interrupt, None);
            return;
        }
        let contexts = self.contexts();
        if let Some(b) = self.keymap.lookup(&ev, &contexts) {
            self.dispatch(b.cmd, None);
            return;
        }
        // Keys without a binding type into the open field.
        if let Some(req) = to_input_request(&Event::Key(ev)) {
            self.edit(req);
        }
    }

    /// One edit of the open field; a selected plate in the lookup is
    /// replaced by what is typed, and cleared by a deletion.
    pub(super) fn edit(&mut self, req: InputRequest) {
        use InputRequest as R;
        if let Some(Popup::Lookup(l)) = self.popups.last_mut()
            && std::mem::take(&mut l.selected)
        {
            match req {
                R::InsertChar(_) => l.input = Input::default(),
                R::DeletePrevChar
                | R::DeleteNextChar
                | R::DeleteLine
                | R::DeletePrevWord
                | R::DeleteNextWord
                | R::DeleteTillEnd => {
                    l.input = Input::default();
                    self.edited();
                    return;
                }
                _ => {}
            }
        }
        let Some(input) = self.popups.last_mut().and_then(Popup::input_mut) else {
            return;
        };
        if input.handle(req).is_some() {
            self.edited();
        }
    }

    /// The editing keys of the key table (Home, End, Ctrl-A/E/U/K/W,
    /// Alt-Backspace, Ctrl-←/→), in whatever text field is open.
    pub(super) fn edit_field(&mut self, cmd: Cmd) {
        use InputRequest as R;
        let req = match cmd {
            Cmd::FieldStart => R::GoToStart,
            Cmd::FieldEnd => R::GoToEnd,
            Cmd::FieldWordLeft => R::GoToPrevWord,
            Cmd::FieldWordRight => R::GoToNextWord,
            Cmd::FieldKillWord => R::DeletePrevWord,
            Cmd::FieldKillEnd => R::DeleteTillEnd,
            Cmd::FieldKillStart => {
                // As in a shell: what stands before the cursor goes.
                if let Some(Popup::Lookup(l)) = self.popups.last_mut()
                    && std::mem::take(&mut l.selected)
                {
                    l.input = Input::default();
                    return self.edited();
                }
                let Some(input) = self.popups.last_mut().and_then(Popup::input_mut) else {
                    return;
                };
                if input.cursor() == 0 {
                    return;
                }
                let rest: String = input.value().chars().skip(input.cursor()).collect();
                *input = Input::new(rest).with_cursor(0);
                return self.edited();
            }
            _ => return,
        };
        self.edit(req);
    }

    /// Only quit and redraw; quitting over unsaved input asks, and the
    /// notice says that `q` again discards it.
    fn on_key_too_small(&mut self, ev: &KeyEvent) {
        let Some(b) = self.keymap.lookup(ev, &[Context::Global]) else {
            return;
        };
        match b.cmd {
            Cmd::Redraw => self.dispatch(Cmd::Redraw, None),
            Cmd::Quit | Cmd::Interrupt => {
                if matches!(self.popups.last(), Some(Popup::Confirm(c)) if matches!(c.on_yes, OnYes::Quit))
                {
                    self.quit = true;
                } else {
                    self.dispatch(Cmd::Interrupt, None);
                }
            }
            _ => {}
        }
    }

    /// Bracketed paste: into the open field, one line.
    pub fn on_paste(&mut self, text: &str) {
        if self.too_small() {
            return;
        }
        let text = text.replace("\r\n", "\n");
        if !self.field_open() {
            return;
        }
        // One line: pasted line breaks become spaces. Past a field's
        // limit, `edited` cuts and says so.
        let line: String = text
            .chars()
            .take(crate::tui::popups::form::NOTE_MAX_CHARS + 1)
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        self.dirty = true;
        self.insert_text(&line);
    }

    pub(super) fn edited(&mut self) {
        match self.popups.last_mut() {
            Some(Popup::Lookup(l)) => l.renormalize(),
            Some(Popup::Command(c)) => c.edited(),
            Some(Popup::Form(f)) => {
                f.error = None;
                if let Some(fl) = f.focused_mut() {
                    fl.error = None;
                    fl.enforce_max();
                }
                // The matches first: a recipient's note says if none.
                self.refresh_picks();
                self.refresh_note(None);
            }
            Some(Popup::Filter(i)) => {
                let text = i.value().to_string();
                // While typing, a half-written term (`since:0`) keeps the
                // last filter that could be read; Enter says what is wrong.
                let _ = self.apply_filter(Some(text).filter(|t| !t.trim().is_empty()));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(s: &str) -> Vec<KeyEvent> {
        s.chars()
            .map(|c| match c {
                '\n' => KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
                c => KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
            })
            .collect()
    }

    #[test]
    fn bursts_are_pastes_not_quick_typing() {
        assert!(is_burst(&keys("abc")));
        assert!(is_burst(&keys("a\nb")));
        assert!(is_burst(&keys("line\nmore")));
        // Two keys read together (a busy moment) are still keys.
        assert!(!is_burst(&keys("1n")));
        assert!(!is_burst(&keys("j")));
        assert!(!is_burst(&keys("j\n")));
        // Arrows or chords among them: typed, not pasted.
        let mut k = keys("jjj");
        k.push(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
        assert!(!is_burst(&k));
        let lf = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::CONTROL);
        assert!(
            is_burst(&[keys("a")[0], lf, keys("b")[0]]),
            "a raw line feed is text"
        );
    }
}
