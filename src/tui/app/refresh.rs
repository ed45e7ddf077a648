//! Keeping what the console shows up to date: reading the shown panes,
//! the header, after this session's writes and other sessions', and with
//! the clock.

use std::time::{Duration, Instant};

use chrono::Timelike;

use super::{App, Level, minute_of};
use crate::store::StoreError;
use crate::tui::keys::PaneId;

impl App {
    /// Fetches what the shown panes need (nothing, when they hold it).
    pub fn load_visible(&mut self) {
        self.reload_due = false;
        let cx = cx!(self);
        let mut failed: Option<StoreError> = None;
        for id in PaneId::ALL {
            if self.screen.panes[id.index()].is_some()
                && let Err(e) = self.panes.get_mut(id).load(&cx)
            {
                failed = Some(e);
            }
        }
        if let Some(e) = failed {
            self.flash(Level::Error, e.message());
        }
        self.reload_reach();
    }

    pub(super) fn refresh_header(&mut self) {
        match self.store.activation() {
            Ok(a) => self.activation = a,
            Err(e) => self.flash(Level::Error, e.message()),
        }
        // A dozen posts: cheap enough to count on every change.
        match self.store.posts() {
            Ok(p) => self.posts_manned = (p.iter().filter(|p| p.manned).count(), p.len()),
            Err(e) => self.flash(Level::Error, e.message()),
        }
        match self.read_handover_status() {
            Ok(h) => self.handover = h,
            Err(e) => self.flash(Level::Error, e.message()),
        }
    }

    pub(super) fn invalidate_all(&mut self) {
        for id in PaneId::ALL {
            self.panes.get_mut(id).invalidate();
        }
    }

    /// Data changed, no telling where (another session wrote, the clock
    /// moved): every pane reads again.
    pub(super) fn changed(&mut self) {
        self.invalidate_all();
        self.refresh_header();
        self.refresh_views();
        self.reach_changed(false);
        self.reload_due = true;
        self.dirty = true;
    }

    /// This session wrote to what `panes` show (and, as every write does,
    /// to the log). The frame with the flash saying so is drawn first; the
    /// panes read again right after it (see [`App::tick`]), so the officer
    /// learns at once that it was recorded even where a pane's counts take
    /// a while to gather on a large database.
    pub(super) fn wrote(&mut self, panes: &[PaneId]) {
        for id in panes.iter().chain([&PaneId::Log]) {
            self.panes.get_mut(*id).invalidate();
        }
        self.panes.queue.reach_due();
        self.refresh_header();
        self.refresh_views();
        self.reach_changed(true);
        self.reload_due = true;
        self.dirty = true;
    }

    /// Polled a few times a second: another session (or the CLI) wrote.
    pub fn poll_data(&mut self) {
        match self.store.data_version() {
            Ok(v) if v != self.data_version => {
                self.data_version = v;
                self.changed();
            }
            Ok(_) => {}
            Err(e) => self.flash(Level::Error, e.message()),
        }
    }

    /// Panes to read again after a change, the clock's minute and flash
    /// timeouts.
    pub fn tick(&mut self, at: Instant) {
        if self.reload_due {
            self.load_visible();
            self.dirty = true;
        }
        if self.flash.as_ref().is_some_and(|f| f.until <= at) {
            self.flash = None;
            self.dirty = true;
        }
        let m = minute_of(self.now());
        if m != self.minute {
            self.minute = m;
            // Ages and pass states move with the clock.
            self.changed();
            self.load_visible();
        }
    }

    /// When [`App::tick`] has something to do next.
    pub fn next_deadline(&self, at: Instant) -> Instant {
        if self.reload_due {
            return at;
        }
        let now = self.now();
        let to_minute = Duration::from_millis(
            (60_000
                - (u64::from(now.second()) * 1000
                    + u64::from(now.nanosecond() / 1_000_000) % 1000))
                .max(1),
        );
        let clock = at + to_minute;
        match &self.flash {
            Some(f) => f.until.min(clock),
            None => clock,
        }
    }
}
