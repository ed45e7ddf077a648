//! Where everything goes. One function, used both to draw and to tell the
//! panes how many rows they show, so paging and drawing always agree.

use ratatui::layout::{Constraint, Layout, Rect};

use super::keys::PaneId;

/// All five panes at once from this size up.
pub const GRID_MIN: (u16, u16) = (160, 45);
/// One pane with a tab bar from this size up; below it, a notice.
pub const TABS_MIN: (u16, u16) = (80, 24);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    TooSmall,
    Tabs,
    Grid,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screen {
    pub mode: Mode,
    pub area: Rect,
    pub header: Rect,
    /// The tab bar (tabs mode only; empty otherwise).
    pub tabs: Rect,
    /// Everything between header (and tabs) and footer.
    pub body: Rect,
    pub footer: Rect,
    /// Each pane's area, by [`PaneId::index`]; `None` when not shown.
    pub panes: [Option<Rect>; 5],
}

pub fn mode_for(area: Rect) -> Mode {
    if area.width >= GRID_MIN.0 && area.height >= GRID_MIN.1 {
        Mode::Grid
    } else if area.width >= TABS_MIN.0 && area.height >= TABS_MIN.1 {
        Mode::Tabs
    } else {
        Mode::TooSmall
    }
}

pub fn compute(area: Rect, focus: PaneId) -> Screen {
    let mode = mode_for(area);
    let mut s = Screen {
        mode,
        area,
        header: Rect::default(),
        tabs: Rect::default(),
        body: Rect::default(),
        footer: Rect::default(),
        panes: [None; 5],
    };
    match mode {
        Mode::TooSmall => {}
        Mode::Tabs => {
            let [header, tabs, body, footer] = Layout::vertical([
                Constraint::Length(1),
                Constraint::Length(1),
                Constraint::Fill(1),
                Constraint::Length(1),
            ])
            .areas(area);
            s.header = header;
            s.tabs = tabs;
            s.body = body;
            s.footer = footer;
            s.panes[focus.index()] = Some(body);
        }
        Mode::Grid => {
            let [header, body, footer] = Layout::vertical([
                Constraint::Length(1),
                Constraint::Fill(1),
                Constraint::Length(1),
            ])
            .areas(area);
            s.header = header;
            s.body = body;
            s.footer = footer;
            let [top, bottom] =
                Layout::vertical([Constraint::Percentage(50), Constraint::Fill(1)]).areas(body);
            let [act, alerts, passes] = Layout::horizontal([
                Constraint::Length(48),
                Constraint::Fill(1),
                Constraint::Fill(1),
            ])
            .areas(top);
            let [queue, log] =
                Layout::horizontal([Constraint::Percentage(55), Constraint::Fill(1)]).areas(bottom);
            s.panes = [
                Some(act),
                Some(alerts),
                Some(passes),
                Some(queue),
                Some(log),
            ];
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_by_size() {
        assert_eq!(mode_for(Rect::new(0, 0, 0, 0)), Mode::TooSmall);
        assert_eq!(mode_for(Rect::new(0, 0, 79, 40)), Mode::TooSmall);
        assert_eq!(mode_for(Rect::new(0, 0, 80, 23)), Mode::TooSmall);
        assert_eq!(mode_for(Rect::new(0, 0, 80, 24)), Mode::Tabs);
        assert_eq!(mode_for(Rect::new(0, 0, 159, 60)), Mode::Tabs);
        assert_eq!(mode_for(Rect::new(0, 0, 160, 45)), Mode::Grid);
    }

    #[test]
    fn grid_shows_every_pane_and_tabs_only_the_focused_one() {
        let g = compute(Rect::new(0, 0, 160, 48), PaneId::Log);
        assert!(g.panes.iter().all(Option::is_some));
        let t = compute(Rect::new(0, 0, 80, 24), PaneId::Passes);
        assert_eq!(t.panes.iter().filter(|p| p.is_some()).count(), 1);
        assert_eq!(t.panes[PaneId::Passes.index()].map(|r| r.height), Some(21));
    }
}
