//! Popups, kept on a stack: the top one gets the keys. Each kind says which
//! key context it handles and whether it holds input that quitting would
//! lose.

pub mod command;
pub mod confirm;
pub mod details;
pub mod form;
pub mod help;
pub mod lookup;

use ratatui::layout::Rect;
use tui_input::Input;

pub use command::CommandLine;
pub use form::{Form, FormKind};
pub use lookup::Lookup;

use super::keys::Context;
use super::panes::Details;
use crate::msg::Msg;

/// What `y` does in a confirmation.
#[derive(Debug, Clone)]
pub enum OnYes {
    Quit,
    /// Close the popup below the question, dropping its input.
    Discard,
    /// Issue the pass although the vehicle holds one for the route.
    IssueAnyway(Box<crate::store::pass_actions::NewPass>),
    /// A checked change, asked about first (dangerous, or the one-route
    /// rule, or revealing personal data).
    Perform(Box<crate::tui::app::Action>),
}

#[derive(Debug, Clone)]
pub struct Confirm {
    pub question: Msg,
    pub on_yes: OnYes,
}

pub enum Popup {
    Help {
        scroll: u16,
    },
    Details {
        details: Details,
        scroll: u16,
    },
    /// A longer text to read (the handover report).
    Text {
        title: String,
        text: String,
        scroll: u16,
    },
    Lookup(Box<Lookup>),
    Form(Form),
    Command(CommandLine),
    /// The live filter of the focused pane, typed in the footer.
    Filter(Input),
    Confirm(Confirm),
}

impl Popup {
    pub fn context(&self) -> Context {
        match self {
            Popup::Help { .. } | Popup::Details { .. } | Popup::Text { .. } => Context::Reader,
            Popup::Lookup(_) => Context::Lookup,
            Popup::Form(_) | Popup::Filter(_) => Context::Form,
            Popup::Command(_) => Context::CommandLine,
            Popup::Confirm(_) => Context::Confirm,
        }
    }

    /// The key contexts it handles, innermost first: a form's field with
    /// fixed choices adds ←/→.
    pub fn contexts(&self) -> Vec<Context> {
        match self {
            Popup::Form(f) if f.focused().is_some_and(|x| !x.choices.is_empty()) => {
                vec![Context::Choice, Context::Form]
            }
            p => vec![p.context()],
        }
    }

    /// Input that would be lost: a form's fields. (A lookup or a command
    /// line is quick to type again; a note may not be.)
    pub fn has_unsaved(&self) -> bool {
        match self {
            Popup::Form(f) => f.has_unsaved(),
            _ => false,
        }
    }

    /// The text field keys go to when the key table has no binding.
    pub fn input_mut(&mut self) -> Option<&mut Input> {
        match self {
            Popup::Lookup(l) => Some(&mut l.input),
            Popup::Form(f) => f.fields.get_mut(f.focus).map(|x| &mut x.input),
            Popup::Command(c) => Some(&mut c.input),
            Popup::Filter(i) => Some(i),
            _ => None,
        }
    }
}

/// Clears `r` and one column either side of it (within `area`), so a wide
/// character of the screen below never straddles the popup's border.
pub fn clear_around(f: &mut ratatui::Frame, r: Rect, area: Rect) {
    let x = r.x.saturating_sub(1).max(area.x);
    let right = (r.x + r.width + 1).min(area.x + area.width);
    f.render_widget(
        ratatui::widgets::Clear,
        Rect {
            x,
            width: right.saturating_sub(x),
            ..r
        },
    );
}

/// A rectangle of at most `w`×`h` centred in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}
