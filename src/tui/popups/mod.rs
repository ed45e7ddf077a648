//! Popups, kept on a stack: the top one gets the keys. Each kind says which
//! key context it handles and whether it holds input that quitting would
//! lose.

pub mod command;
pub mod confirm;
pub mod details;
pub mod form;
pub mod handover;
pub mod help;
pub mod lookup;
pub mod pick;
pub mod reach;
pub mod shifts;

use ratatui::layout::Rect;
use tui_input::Input;

pub use command::CommandLine;
pub use form::{Form, FormKind};
pub use handover::HandoverView;
pub use lookup::Lookup;
pub use reach::ReachView;
pub use shifts::ShiftList;

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
    /// `.1`: the newest log entry the officer's screen showed when asked
    /// (the action is made on the records as they were then).
    Perform(Box<crate::tui::app::Action>, i64),
    /// The record changed after the officer saw it: open the action again
    /// on it as it is now (`:` command and argument).
    Reopen(crate::tui::keys::Cmd, String),
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
    Lookup(Box<Lookup>),
    Form(Form),
    Command(CommandLine),
    /// The live filter of the focused pane, typed in the footer.
    Filter(Input),
    Confirm(Confirm),
    /// The handover view: report, chart, carry-over items.
    Handover(Box<HandoverView>),
    /// Past and present shifts, for review.
    Shifts(ShiftList),
    /// The coverage gaps and welfare checks.
    Reach(Box<ReachView>),
}

impl Popup {
    pub fn context(&self) -> Context {
        match self {
            Popup::Help { .. } | Popup::Details { .. } => Context::Reader,
            Popup::Lookup(_) => Context::Lookup,
            Popup::Form(_) | Popup::Filter(_) => Context::Form,
            Popup::Command(_) => Context::CommandLine,
            Popup::Confirm(_) => Context::Confirm,
            Popup::Handover(_) => Context::Handover,
            Popup::Shifts(_) => Context::Shifts,
            Popup::Reach(_) => Context::Reach,
        }
    }

    /// The key contexts it handles, innermost first: a form's field with
    /// fixed choices adds ←/→.
    pub fn contexts(&self) -> Vec<Context> {
        match self {
            Popup::Form(f) if f.focused().is_some_and(|x| x.steps()) => {
                vec![Context::Choice, Context::Form, Context::Field]
            }
            Popup::Form(_) | Popup::Filter(_) | Popup::Command(_) | Popup::Lookup(_) => {
                vec![self.context(), Context::Field]
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

/// Clears `r` for a popup. A wide character just left of it would have
/// its right half under the popup's border (and a terminal would then
/// draw neither properly): it gives way to a space.
pub fn clear_around(f: &mut ratatui::Frame, r: Rect, area: Rect) {
    use unicode_width::UnicodeWidthStr;
    f.render_widget(ratatui::widgets::Clear, r);
    if r.x <= area.x {
        return;
    }
    let buf = f.buffer_mut();
    let bottom = (r.y + r.height).min(buf.area.y + buf.area.height);
    for y in r.y..bottom {
        if let Some(cell) = buf.cell_mut((r.x - 1, y))
            && cell.symbol().width() > 1
        {
            cell.set_symbol(" ");
        }
    }
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
