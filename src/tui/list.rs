//! A list paged from SQLite: only the visible rows and a margin around
//! them are held; moving past the window asks the pane for another one.
//! Also the column fitting and row drawing every list pane shares.

use std::borrow::Cow;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::{Theme, Tone};
use crate::domain::text::{pad_to_width, sanitize};

/// Rows kept above and below the visible part, at least.
const MARGIN: usize = 16;

#[derive(Debug, Clone)]
pub struct Paged<T> {
    /// Absolute index of the selected row.
    pub sel: usize,
    /// Absolute index of the first visible row.
    pub top: usize,
    /// Number of rows; a lower bound when `exact` is false.
    pub total: usize,
    pub exact: bool,
    /// Visible rows, as last laid out.
    pub height: usize,
    /// Absolute index of `rows[0]`.
    pub start: usize,
    pub rows: Vec<T>,
    /// The window must be fetched again (data changed, filter changed).
    pub stale: bool,
    /// Rows that arrived above the view while the selection was away from
    /// the first row (see [`Paged::arrived_above`]).
    pub unseen: usize,
    /// The next window read puts the selection on the first row (it
    /// follows what arrived there).
    to_first: bool,
}

impl<T> Default for Paged<T> {
    fn default() -> Self {
        Paged {
            sel: 0,
            top: 0,
            total: 0,
            exact: true,
            height: 10,
            start: 0,
            rows: Vec::new(),
            stale: true,
            unseen: 0,
            to_first: false,
        }
    }
}

/// What to fetch: `limit` rows from absolute index `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: usize,
    pub limit: usize,
}

impl<T> Paged<T> {
    /// The moves every list pane shares (`j`/`k`, pages, `g`/`G`); false
    /// when `cmd` is not one of them.
    pub fn apply_move(&mut self, cmd: crate::tui::keys::Cmd) -> bool {
        use crate::tui::keys::Cmd;
        match cmd {
            Cmd::Down => self.move_by(1),
            Cmd::Up => self.move_by(-1),
            Cmd::PageDown => self.move_by(self.page()),
            Cmd::PageUp => self.move_by(-self.page()),
            Cmd::Top => self.move_to(0),
            Cmd::Bottom => self.move_to(usize::MAX),
            _ => return false,
        }
        true
    }

    pub fn set_height(&mut self, h: usize) {
        self.height = h.max(1);
        self.scroll_to_sel();
    }

    fn last(&self) -> usize {
        if self.exact {
            self.total.saturating_sub(1)
        } else {
            self.total
        }
    }

    pub fn move_to(&mut self, i: usize) {
        self.sel = i.min(self.last());
        self.scroll_to_sel();
    }

    pub fn move_by(&mut self, d: isize) {
        let i = if d < 0 {
            self.sel.saturating_sub(d.unsigned_abs())
        } else {
            self.sel.saturating_add(d as usize)
        };
        self.move_to(i);
    }

    pub fn page(&self) -> isize {
        self.height.saturating_sub(1).max(1) as isize
    }

    fn scroll_to_sel(&mut self) {
        if self.sel < self.top {
            self.top = self.sel;
        } else if self.sel >= self.top + self.height {
            self.top = self.sel + 1 - self.height;
        }
        // What scrolled into view has been seen.
        self.unseen = self.unseen.min(self.top);
    }

    /// `n` rows arrived before the selected one (a newest-first list that
    /// grew at its top). On the first row, the selection follows: it stays
    /// on the first row, now the newest, and the view at the top, like
    /// `tail -f`. Elsewhere the view stays on the rows the officer reads
    /// and [`Paged::unseen_above`] counts what arrived above it. The held
    /// window is read again.
    pub fn arrived_above(&mut self, n: usize) {
        if n == 0 {
            return;
        }
        self.total += n;
        self.stale = true;
        if self.sel == 0 {
            self.top = 0;
            self.unseen = 0;
            self.to_first = true;
            return;
        }
        self.sel += n;
        self.top += n;
        self.start += n;
        self.unseen += n;
    }

    /// Rows that arrived above the view and have not scrolled into it.
    pub fn unseen_above(&self) -> usize {
        self.unseen.min(self.top)
    }

    /// The window to fetch, if the visible rows are not all held.
    pub fn wanted(&self) -> Option<Window> {
        let margin = self.height.max(MARGIN);
        let want = Window {
            start: self.top.saturating_sub(margin),
            limit: self.height + 2 * margin,
        };
        if self.stale {
            return Some(want);
        }
        let end_visible = if self.exact {
            (self.top + self.height).min(self.total)
        } else {
            self.top + self.height
        };
        let held_end = self.start + self.rows.len();
        let at_data_end = self.exact && held_end >= self.total;
        let covered = self.top >= self.start && (end_visible <= held_end || at_data_end);
        (!covered).then_some(want)
    }

    /// Replaces the window. The selected row stays selected when it is
    /// still there (rows added above move it down, the view with it).
    /// False when a row was selected and the window no longer holds it
    /// (it moved far, or left the list).
    pub fn fill<K: PartialEq>(
        &mut self,
        start: usize,
        rows: Vec<T>,
        total: usize,
        exact: bool,
        key: impl Fn(&T) -> K,
    ) -> bool {
        let old_key = if std::mem::take(&mut self.to_first) {
            None
        } else {
            self.selected().map(&key)
        };
        let (old_sel, old_top) = (self.sel, self.top);
        self.start = start;
        self.rows = rows;
        self.total = if exact {
            total
        } else {
            total.max(start + self.rows.len())
        };
        self.exact = exact;
        self.stale = false;
        let mut found = old_key.is_none();
        if let Some(k) = old_key
            && let Some(p) = self.rows.iter().position(|r| key(r) == k)
        {
            found = true;
            let new_sel = start + p;
            if new_sel != old_sel {
                // Keep the newest rows in view when the view was at the top.
                self.top = if old_top == 0 {
                    0
                } else {
                    (old_top as isize + new_sel as isize - old_sel as isize).max(0) as usize
                };
                self.sel = new_sel;
            }
        }
        self.move_to(self.sel);
        found
    }

    pub fn selected(&self) -> Option<&T> {
        self.sel
            .checked_sub(self.start)
            .and_then(|i| self.rows.get(i))
    }

    /// The visible rows with their absolute index.
    pub fn visible(&self) -> impl Iterator<Item = (usize, &T)> {
        let from = self.top.saturating_sub(self.start);
        self.rows
            .iter()
            .enumerate()
            .skip(from)
            .take(self.height)
            .map(move |(i, r)| (self.start + i, r))
    }

    pub fn invalidate(&mut self) {
        self.stale = true;
    }
}

/// A column: its ideal width, how much it matters (higher stays longer)
/// and whether it takes the width left over.
#[derive(Debug, Clone, Copy)]
pub struct Col {
    pub w: usize,
    pub prio: u8,
    pub flex: bool,
    /// The most a flexible column grows to.
    pub max: usize,
}

pub const fn col(w: usize, prio: u8) -> Col {
    Col {
        w,
        prio,
        flex: false,
        max: w,
    }
}

pub const fn flex(w: usize, prio: u8) -> Col {
    Col {
        w,
        prio,
        flex: true,
        max: usize::MAX,
    }
}

/// A flexible column that stops growing at `max` (the rest stays blank
/// at the right rather than tearing the row apart).
pub const fn flex_upto(w: usize, max: usize, prio: u8) -> Col {
    Col {
        w,
        prio,
        flex: true,
        max,
    }
}

/// Fits columns into `width` (one space between columns): drops the least
/// important until the rest fit; the flexible column takes what is left.
/// `None` marks a dropped column.
pub fn fit(width: usize, cols: &[Col]) -> Vec<Option<usize>> {
    let mut shown: Vec<bool> = vec![true; cols.len()];
    loop {
        let n = shown.iter().filter(|s| **s).count();
        let need: usize = cols
            .iter()
            .zip(&shown)
            .filter(|(_, s)| **s)
            .map(|(c, _)| c.w)
            .sum::<usize>()
            + n.saturating_sub(1);
        if need <= width || n <= 1 {
            // The spare width goes to the flexible columns in order, each
            // up to its maximum.
            let mut spare = width.saturating_sub(need);
            return cols
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    shown[i].then(|| {
                        if c.flex {
                            let extra = spare.min(c.max.saturating_sub(c.w));
                            spare -= extra;
                            c.w + extra
                        } else {
                            c.w.min(width)
                        }
                    })
                })
                .collect();
        }
        // Drop the least important shown column (the rightmost among equals).
        let drop = cols
            .iter()
            .enumerate()
            .filter(|(i, _)| shown[*i])
            .min_by_key(|(i, c)| (c.prio, std::cmp::Reverse(*i)))
            .map(|(i, _)| i);
        match drop {
            Some(i) => shown[i] = false,
            None => return vec![None; cols.len()],
        }
    }
}

/// Sanitised text, for anything that came from the database or a person.
pub fn clean(s: &str) -> Cow<'_, str> {
    sanitize(s)
}

/// Builds one row from cells laid out by [`fit`]; each cell is sanitised
/// and padded by display width so CJK columns line up.
pub fn row_line<'a>(widths: &[Option<usize>], cells: Vec<(String, Style)>) -> Line<'a> {
    let mut spans: Vec<Span<'a>> = Vec::with_capacity(cells.len() * 2);
    let mut first = true;
    for (w, (text, style)) in widths.iter().zip(cells) {
        let Some(w) = *w else { continue };
        if !first {
            spans.push(Span::raw(" "));
        }
        first = false;
        spans.push(Span::styled(pad_to_width(&sanitize(&text), w), style));
    }
    Line::from(spans)
}

/// The width of a selection bar over the first `n` columns laid out by
/// [`fit`] (those shown), with the gaps between them.
pub fn bar_over(widths: &[Option<usize>], n: usize) -> usize {
    let shown: Vec<usize> = widths.iter().flatten().copied().take(n).collect();
    shown.iter().sum::<usize>() + shown.len().saturating_sub(1)
}

/// Draws a list: a marker column (`▶` on the selected row), then each
/// row's line. In the focused pane the selected row's first `bar` cells
/// (the columns that name the row: a pane passes [`bar_over`] of them)
/// are also reversed: the rest of the row keeps its own look, so a move
/// of the selection rewrites those cells of two rows and not the whole
/// rows (over a slow link, a quarter of the bytes; mutt's `arrow_cursor`
/// answers the same cost).
pub fn render_rows<'a, T>(
    f: &mut Frame,
    area: Rect,
    paged: &'a Paged<T>,
    focused: bool,
    theme: &Theme,
    bar: usize,
    mut line: impl FnMut(&'a T) -> Line<'a>,
) {
    let mut lines: Vec<Line> = Vec::with_capacity(area.height as usize);
    for (i, row) in paged.visible() {
        let selected = i == paged.sel;
        let mut l = line(row);
        if selected && focused {
            l = with_bar(l, bar, theme);
        }
        l.spans
            .insert(0, Span::raw(if selected { "▶" } else { " " }));
        if selected && focused {
            l.spans[0].style = theme.selected();
        }
        lines.push(l);
    }
    f.render_widget(Paragraph::new(lines), area);
}

/// The row with its first `bar` cells reversed. The bar ends with the
/// text in it (its blank end does not change when the selection moves);
/// dim grey reversed is a grey block hard to read, so in the bar dimmed
/// columns read as plain (and cost no style changes).
fn with_bar<'a>(l: Line<'a>, bar: usize, theme: &Theme) -> Line<'a> {
    use unicode_width::UnicodeWidthStr;
    let mut head: Vec<Span<'a>> = Vec::new();
    let mut tail: Vec<Span<'a>> = Vec::new();
    let mut used = 0usize;
    for span in l.spans {
        let w = span.content.width();
        if used >= bar || !tail.is_empty() {
            tail.push(span);
        } else if used + w <= bar {
            used += w;
            head.push(span);
        } else {
            // Split where the bar ends, never inside a wide character.
            let mut cut = 0;
            let mut width = 0;
            for (i, c) in span.content.char_indices() {
                let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                if used + width + cw > bar {
                    break;
                }
                width += cw;
                cut = i + c.len_utf8();
            }
            used += width;
            let (a, b) = span.content.split_at(cut);
            if !a.is_empty() {
                head.push(Span::styled(a.to_string(), span.style));
            }
            tail.push(Span::styled(b.to_string(), span.style));
        }
    }
    // The bar ends with its text.
    let mut kept_blank = String::new();
    while let Some(last) = head.last_mut() {
        let kept = last.content.trim_end().len();
        if kept == 0 {
            let s = head
                .pop()
                .map(|s| s.content.into_owned())
                .unwrap_or_default();
            kept_blank.insert_str(0, &s);
            continue;
        }
        if kept < last.content.len() {
            kept_blank.insert_str(0, &last.content[kept..]);
            last.content = last.content[..kept].to_string().into();
        }
        break;
    }
    let dim = theme.tone(Tone::Dim);
    for span in &mut head {
        if span.style == dim {
            span.style = Style::default();
        }
    }
    let mut bar_line = Line::from(head);
    join_gaps(&mut bar_line);
    for span in &mut bar_line.spans {
        span.style = span.style.patch(theme.selected());
    }
    if !kept_blank.is_empty() {
        bar_line.spans.push(Span::raw(kept_blank));
    }
    bar_line.spans.extend(tail);
    bar_line
}

/// A blank gap between two columns of one style takes that style, so a
/// reversed bar does not change style twice for a space (over SSH each
/// change is an escape sequence on every selection move), and columns of
/// one tone read as one block.
fn join_gaps(l: &mut Line<'_>) {
    for i in 1..l.spans.len().saturating_sub(1) {
        let (before, rest) = l.spans.split_at_mut(i);
        let (gap, after) = rest.split_at_mut(1);
        let (prev, gap, next) = (&before[i - 1], &mut gap[0], &after[0]);
        if gap.style == Style::default()
            && prev.style == next.style
            && !gap.content.is_empty()
            && gap.content.chars().all(|c| c == ' ')
        {
            gap.style = prev.style;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_drop_by_priority_and_flex_takes_the_rest() {
        let cols = [col(4, 9), flex(10, 8), col(6, 1), col(5, 5)];
        assert_eq!(fit(40, &cols), vec![Some(4), Some(22), Some(6), Some(5)]);
        // 4+10+5 + 2 gaps = 21: the priority-1 column goes first.
        assert_eq!(fit(21, &cols), vec![Some(4), Some(10), None, Some(5)]);
        assert_eq!(fit(0, &cols).iter().filter(|c| c.is_some()).count(), 1);
    }

    #[test]
    fn the_bar_covers_the_naming_columns_and_never_splits_a_wide_character() {
        use ratatui::style::Modifier;
        let theme = Theme {
            mono: true,
            ..Default::default()
        };
        let widths = fit(40, &[col(4, 9), col(5, 9), flex(10, 1)]);
        assert_eq!(bar_over(&widths, 2), 10);
        let l = || {
            row_line(
                &widths,
                vec![
                    ("12".into(), Style::default()),
                    ("渝F12".into(), Style::default()),
                    ("尾巴的文字".into(), Style::default()),
                ],
            )
        };
        let text = |l: &Line| {
            l.spans
                .iter()
                .map(|s| s.content.as_ref())
                .collect::<String>()
        };
        let reversed = |l: &Line| -> String {
            l.spans
                .iter()
                .filter(|s| s.style.add_modifier.contains(Modifier::REVERSED))
                .map(|s| s.content.as_ref())
                .collect()
        };
        let plain = text(&l());
        let barred = with_bar(l(), 10, &theme);
        assert_eq!(text(&barred), plain, "the row reads the same");
        assert_eq!(reversed(&barred), "12   渝F12");
        assert!(
            !barred
                .spans
                .last()
                .unwrap()
                .style
                .add_modifier
                .contains(Modifier::REVERSED),
            "the rest of the row keeps its look"
        );
        // 6 cells end inside 渝: the bar stops before it.
        let barred = with_bar(l(), 6, &theme);
        assert_eq!(text(&barred), plain);
        assert_eq!(reversed(&barred), "12");
    }

    #[test]
    fn the_log_follows_on_its_first_row_and_counts_what_arrives_elsewhere() {
        let mut p: Paged<i64> = Paged::default();
        p.set_height(5);
        p.fill(0, (0..20).rev().collect(), 20, true, |r| *r);
        p.arrived_above(3);
        assert_eq!((p.sel, p.top, p.unseen_above()), (0, 0, 0), "following");
        p.fill(0, (0..23).rev().collect(), 23, true, |r| *r);
        assert_eq!(p.selected(), Some(&22), "on the newest");
        p.move_to(2);
        p.arrived_above(4);
        assert_eq!((p.sel, p.top, p.unseen_above()), (6, 4, 4));
        p.fill(0, (0..27).rev().collect(), 27, true, |r| *r);
        assert_eq!(p.selected(), Some(&20), "the same row");
        p.move_by(-3);
        assert_eq!(p.unseen_above(), 3, "one came into view");
        p.move_to(0);
        assert_eq!(p.unseen_above(), 0);
    }

    #[test]
    fn selection_follows_its_row_when_rows_arrive_above() {
        let mut p: Paged<i64> = Paged::default();
        p.set_height(5);
        p.fill(0, vec![10, 9, 8, 7, 6, 5], 6, true, |r| *r);
        p.move_to(2); // row 8
        p.fill(0, vec![12, 11, 10, 9, 8, 7], 8, true, |r| *r);
        assert_eq!(p.selected(), Some(&8));
        assert_eq!(p.top, 0, "the view stays at the top so the new rows show");
    }

    #[test]
    fn moving_past_the_window_asks_for_another() {
        let mut p: Paged<usize> = Paged::default();
        p.set_height(10);
        let w = p.wanted().unwrap();
        p.fill(
            w.start,
            (w.start..w.start + w.limit).collect(),
            1000,
            true,
            |r| *r,
        );
        assert_eq!(p.wanted(), None);
        p.move_to(500);
        let w = p.wanted().unwrap();
        assert!(w.start <= p.top && w.start + w.limit >= p.top + p.height);
        p.fill(
            w.start,
            (w.start..w.start + w.limit).collect(),
            1000,
            true,
            |r| *r,
        );
        assert_eq!(p.selected(), Some(&500));
        p.move_by(10_000);
        assert_eq!(p.sel, 999);
    }
}
