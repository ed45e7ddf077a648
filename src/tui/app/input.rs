//! Keys and pasted text on their way in: the contexts in force, the key
//! table's lookup, and what falls through into the open text field.

use ratatui::crossterm::event::{Event, KeyEvent, KeyEventKind};
use tui_input::backend::crossterm::EventHandler;

use super::App;
use crate::tui::keys::{Cmd, Context};
use crate::tui::popups::Popup;

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

    pub fn on_key(&mut self, ev: KeyEvent) {
        if ev.kind != KeyEventKind::Press {
            return;
        }
        self.dirty = true;
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
        let Some(input) = self.popups.last_mut().and_then(Popup::input_mut) else {
            return;
        };
        if input.handle_event(&Event::Key(ev)).is_some() {
            self.edited();
        }
    }

    /// Bracketed paste: into the open field, one line.
    pub fn on_paste(&mut self, text: &str) {
        let Some(input) = self.popups.last_mut().and_then(Popup::input_mut) else {
            return;
        };
        // One line: pasted line breaks become spaces. Past a field's
        // limit, `edited` cuts and says so.
        for c in text
            .chars()
            .take(crate::tui::popups::form::NOTE_MAX_CHARS + 1)
        {
            let c = if c.is_control() { ' ' } else { c };
            input.handle(tui_input::InputRequest::InsertChar(c));
        }
        self.dirty = true;
        self.edited();
    }

    fn edited(&mut self) {
        match self.popups.last_mut() {
            Some(Popup::Lookup(l)) => l.renormalize(),
            Some(Popup::Command(c)) => c.edited(),
            Some(Popup::Form(f)) => {
                f.error = None;
                if let Some(fl) = f.focused_mut() {
                    fl.error = None;
                    fl.enforce_max();
                }
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
