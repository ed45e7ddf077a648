//! Keeping what the console shows up to date: reading the shown panes,
//! the header, after this session's writes and other sessions', and with
//! the clock.

use std::time::{Duration, Instant};

use chrono::Timelike;

use super::{App, Level, minute_of};

/// The header's notify badge is read at most this often.
const NOTIFY_EVERY: Duration = Duration::from_secs(1);
use crate::msg::Msg;
use crate::store::StoreError;
use crate::tui::feed::{Changes, FOLLOW_MAX, Subject, Table, entry_line};
use crate::tui::keys::PaneId;
use crate::tui::panes::Pane;

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

    /// This session wrote (to what `panes` show, and to the log): the
    /// rows its entries name are read again, as for another session's
    /// change. The frame with the flash saying so is drawn first; the
    /// panes read right after it (see [`App::tick`]), so the officer
    /// learns at once that it was recorded even where a pane's counts take
    /// a while to gather on a large database.
    pub(super) fn wrote(&mut self, _panes: &[PaneId]) {
        self.panes.queue.reach_due();
        // The flash says what this session recorded; another's change
        // that came with it is not told over it.
        self.follow(false);
        self.refresh_header();
        self.reach_changed(true);
        self.reload_due = true;
        self.dirty = true;
    }

    /// Polled a few times a second: another session (or the CLI) wrote.
    pub fn poll_data(&mut self) {
        match self.store.data_version() {
            // (Writes of this connection do not move the version.)
            Ok(v) if v != self.data_version || self.store.has_own_entries() => {
                self.data_version = v;
                self.read_notify(false);
                self.follow(true);
            }
            Ok(_) => {}
            Err(e) => self.flash(Level::Error, e.message()),
        }
    }

    /// Reads the entries written since the last it saw and tells each
    /// pane what they changed; the panes read it at the next tick. With
    /// `tell`, another session's change to a row on screen is flashed.
    fn follow(&mut self, tell: bool) {
        let read = self.store.schema_cookie().and_then(|cookie| {
            let entries = self.store.log_after(self.seen, FOLLOW_MAX + 1)?;
            Ok((cookie, entries))
        });
        let (cookie, entries) = match read {
            Ok(r) => r,
            Err(e) => {
                self.flash(Level::Error, e.message());
                return;
            }
        };
        self.own.extend(self.store.take_own_entries());
        let changes = if cookie != self.schema_cookie || entries.len() > FOLLOW_MAX {
            // A migration, or more than is worth following one by one.
            self.schema_cookie = cookie;
            match self.store.head() {
                Ok(h) => self.seen = h.seq,
                Err(e) => self.flash(Level::Error, e.message()),
            }
            Changes::everything()
        } else {
            Changes::of(entries)
        };
        if changes.is_empty() {
            return;
        }
        self.seen = self.seen.max(changes.head);
        if tell {
            self.tell_others_changes(&changes);
        }
        let seen = self.seen;
        self.own.retain(|s| *s > seen);
        for id in PaneId::ALL {
            self.panes.get_mut(id).note(&changes);
        }
        let header = changes.touches(&[
            Table::Activation,
            Table::Post,
            Table::Shift,
            Table::HandoverItem,
        ]);
        if header {
            self.refresh_header();
        }
        self.refresh_views();
        self.reach_changed(false);
        // A note on a console showing no log pane changes nothing shown.
        let shown_stale = PaneId::ALL
            .into_iter()
            .any(|p| self.screen.panes[p.index()].is_some() && self.panes.get(p).is_stale());
        if shown_stale || header || !self.popups.is_empty() {
            self.reload_due = true;
            self.dirty = true;
        }
    }

    /// Another session changed a row on screen: a short flash says who
    /// did what (the newest such entry, with how many more).
    fn tell_others_changes(&mut self, changes: &Changes) {
        let mut newest = None;
        let mut n = 0;
        for e in changes
            .entries
            .iter()
            .filter(|e| !self.own.contains(&e.seq))
        {
            if let Subject::Row(table, id) = Subject::parse(e.subject.as_deref())
                && self.on_screen(table, id)
            {
                newest = Some(e);
                n += 1;
            }
        }
        let Some(e) = newest else { return };
        // An error or a warning still showing is not covered up.
        if self
            .flash
            .as_ref()
            .is_some_and(|f| f.level > Level::Info && f.until > Instant::now())
        {
            return;
        }
        let mut line = entry_line(e, self.lang);
        if n > 1 {
            line.push_str(&format!(" (+{})", n - 1));
        }
        self.flash(Level::Info, Msg::new(line.clone(), line));
    }

    /// Whether the row `table:id` is on screen in a shown pane (for an
    /// alert: also its community's line on the board).
    fn on_screen(&self, table: Table, id: i64) -> bool {
        let shown = |p: PaneId| self.screen.panes[p.index()].is_some();
        if PaneId::ALL
            .into_iter()
            .any(|p| shown(p) && self.panes.get(p).shows(table, id))
        {
            return true;
        }
        table == Table::Alert
            && shown(PaneId::Alerts)
            && self
                .store
                .alert_community(id)
                .ok()
                .flatten()
                .is_some_and(|c| self.panes.alerts.shows(Table::Community, c))
    }

    /// Panes to read again after a change, the clock's minute and flash
    /// timeouts.
    pub fn tick(&mut self, at: Instant) {
        if self.notify_due && self.notify_read.is_none_or(|t| t + NOTIFY_EVERY <= at) {
            self.read_notify(true);
        }
        if self.reach_wait().is_some_and(|w| w <= at) {
            self.reload_due = true;
        }
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
            for id in PaneId::ALL {
                self.panes.get_mut(id).clock();
            }
            self.refresh_header();
            self.read_notify(true);
            self.refresh_views();
            self.reach_changed(false);
            self.dirty = true;
            self.load_visible();
        }
    }

    /// Messages waiting for the work groups and failing channels, for the
    /// header: read when the database changed (at most once a second) and
    /// every minute; nothing when no channel is configured.
    pub(super) fn read_notify(&mut self, force: bool) {
        if self.cfg.notify.channels.is_empty() {
            return;
        }
        if !force && self.notify_read.is_some_and(|t| t.elapsed() < NOTIFY_EVERY) {
            // Read once the second is over (see `tick`): the sender's mark
            // right after a change must not be missed.
            self.notify_due = true;
            return;
        }
        self.notify_due = false;
        self.notify_read = Some(Instant::now());
        let n = self.cfg.norms.failed_deliveries_in_a_row;
        match crate::notify::sender::backlog(&self.store, &self.cfg.notify, n) {
            Ok(b) if b != self.notify => {
                self.notify = b;
                self.dirty = true;
            }
            Ok(_) => {}
            Err(e) => self.flash(Level::Error, e.message()),
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
        let next = match &self.flash {
            Some(f) => f.until.min(clock),
            None => clock,
        };
        let next = match (self.notify_due, self.notify_read) {
            (true, Some(t)) => (t + NOTIFY_EVERY).min(next),
            _ => next,
        };
        self.reach_wait().map_or(next, |w| w.min(next))
    }

    /// When the queue pane on screen may read its stale gap counts.
    fn reach_wait(&self) -> Option<Instant> {
        self.screen.panes[PaneId::Queue.index()].and(self.panes.queue.reach_wait())
    }
}
