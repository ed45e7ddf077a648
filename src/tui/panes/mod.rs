//! The five panes. Each says which key contexts it handles, loads the rows
//! it shows from the store (a window, never a whole table), draws itself
//! and describes its selected row.

pub mod activation;
pub mod alerts;
pub mod log;
pub mod passes;
pub mod queue;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};

use super::feed::{Changes, Table};
use super::keys::{Cmd, Context, PaneId};
use super::theme::{Theme, Tone};
use crate::config::Config;
use crate::i18n::Lang;
use crate::store::{Store, StoreError};

/// What a pane may read while loading or drawing.
pub struct Cx<'a> {
    pub store: &'a Store,
    pub now: DateTime<Utc>,
    pub tz: Tz,
    pub lang: Lang,
    pub cfg: &'a Config,
    pub theme: Theme,
}

impl Cx<'_> {
    pub fn t<'s>(&self, zh: &'s str, en: &'s str) -> &'s str {
        self.lang.t(zh, en)
    }
}

/// The details of a row: a title and label/value lines (values may span
/// lines; they are sanitised when drawn).
#[derive(Debug, Clone, PartialEq)]
pub struct Details {
    pub title: String,
    pub lines: Vec<(String, String)>,
}

pub trait Pane {
    fn id(&self) -> PaneId;

    /// The key contexts it handles, innermost first (`Global` is added by
    /// the dispatcher).
    fn contexts(&self) -> &'static [Context] {
        &[Context::List]
    }

    /// Where it will be drawn (its outer area, border included).
    fn set_area(&mut self, area: Rect);

    /// Fetches what the view needs, if it does not hold it already.
    fn load(&mut self, cx: &Cx) -> Result<(), StoreError>;

    /// The data changed, no telling where: fetch everything again before
    /// the next draw.
    fn invalidate(&mut self);

    /// The tables whose rows it shows (names, counts and all).
    fn tables(&self) -> &'static [Table];

    /// New log entries (another session's, or this one's): note what to
    /// read again; [`Pane::load`] reads it. By default the whole pane is
    /// read again when one of its tables changed.
    fn note(&mut self, changes: &Changes) {
        if changes.touches(self.tables()) {
            self.invalidate();
        }
    }

    /// The clock's minute moved (ages, pass states, overdue deliveries):
    /// by default everything is read again.
    fn clock(&mut self) {
        self.invalidate();
    }

    /// Whether something is to be read at the next [`Pane::load`].
    fn is_stale(&self) -> bool;

    /// Whether the row `table:id` is on screen now.
    fn shows(&self, _table: Table, _id: i64) -> bool {
        false
    }

    /// Moves and pane-specific commands; `false` when not handled.
    fn handle(&mut self, cmd: Cmd) -> bool;

    fn render(&self, f: &mut Frame, area: Rect, cx: &Cx, focused: bool);

    fn details(&self, cx: &Cx) -> Option<Details>;

    fn filter(&self) -> Option<&str>;

    fn set_filter(&mut self, filter: Option<String>);

    /// Rows held in memory and rows in all, for tests of the paging.
    fn held(&self) -> (usize, usize) {
        (0, 0)
    }

    /// Whether `/` works here.
    fn can_filter(&self) -> bool {
        true
    }

    /// Whether a row action applies to the selected row now (the footer
    /// offers only those; the dispatcher says why for the others).
    fn offers(&self, _cmd: Cmd) -> bool {
        true
    }
}

/// The pane's frame: a border (thick when focused), its number and title,
/// and a note on the right (counts, filter).
pub fn frame_block<'a>(id: PaneId, note: String, cx: &Cx, focused: bool) -> Block<'a> {
    let title = format!(" {} {} ", id.index() + 1, id.title(cx.lang));
    let mut b = Block::bordered()
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(cx.theme.border(focused))
        .title(Line::from(Span::styled(title, cx.theme.title(focused))));
    if !note.is_empty() {
        b = b.title(Line::from(format!(" {note} ")).right_aligned());
    }
    b
}

/// The rows inside a bordered pane of `area`.
pub fn inner(area: Rect) -> Rect {
    Block::bordered().inner(area)
}

/// The note for a list: "12/340" and the filter, if any.
pub fn count_note(
    sel: usize,
    total: usize,
    exact: bool,
    filter: Option<&str>,
    lang: Lang,
) -> String {
    let mut s = if total == 0 {
        lang.t("无", "none").to_string()
    } else if exact {
        format!("{}/{}", sel + 1, total)
    } else {
        format!("{}/{}+", sel + 1, total)
    };
    if let Some(f) = filter {
        s.push_str(&format!(" /{}", crate::domain::text::sanitize(f)));
    }
    s
}

/// A centred line in a pane with nothing to show.
pub fn render_empty(f: &mut Frame, area: Rect, text: &str, theme: &Theme) {
    if area.height == 0 {
        return;
    }
    let y = area.y + area.height / 2;
    let line = Line::from(Span::styled(text.to_string(), theme.tone(Tone::Dim))).centered();
    f.render_widget(
        Paragraph::new(line),
        Rect {
            y,
            height: 1,
            ..area
        },
    );
}

/// A column header line.
pub fn header_line<'a>(widths: &[Option<usize>], labels: &[&str], theme: &Theme) -> Line<'a> {
    let cells = labels
        .iter()
        .map(|l| (l.to_string(), theme.bold()))
        .collect();
    let mut l = super::list::row_line(widths, cells);
    l.spans.insert(0, Span::raw(" "));
    l
}

pub fn style_of(theme: &Theme, t: Tone) -> Style {
    theme.tone(t)
}

/// The value of `T` a filter word names, as rows show it: its label in
/// either language, its code or an alias, or a part of one label that
/// names no other (`暂停` for 已暂停, `susp` for SUSPENDED).
pub fn named<T: crate::domain::Code>(word: &str) -> Option<T> {
    if let Some(v) = T::parse(word) {
        return Some(v);
    }
    let lower = word.trim().to_lowercase();
    let long_enough = |n: usize| lower.chars().count() >= n;
    let mut found = T::ALL.iter().copied().filter(|v| {
        (long_enough(2) && !lower.is_ascii() && v.label_zh().contains(lower.as_str()))
            || (long_enough(3) && v.label_en().to_lowercase().starts_with(&lower))
    });
    match (found.next(), found.next()) {
        (Some(v), None) => Some(v),
        _ => None,
    }
}

/// A filter split into the value of `T` it names (the first word that
/// names one) and the rest of its words, for the text match.
pub fn split_named<T: crate::domain::Code>(filter: Option<&str>) -> (Option<T>, Option<String>) {
    let Some(f) = filter else {
        return (None, None);
    };
    let mut named_value = None;
    let mut rest = Vec::new();
    for w in f.split_whitespace() {
        match named::<T>(w) {
            Some(v) if named_value.is_none() => named_value = Some(v),
            _ => rest.push(w),
        }
    }
    let rest = rest.join(" ");
    (named_value, Some(rest).filter(|r| !r.is_empty()))
}

/// Does `filter` match a row that shows `cells` (in either language)?
/// Every word of the filter is found in some cell, case aside.
pub fn row_matches(filter: Option<&str>, cells: &[&str]) -> bool {
    let Some(f) = filter else { return true };
    let cells: Vec<String> = cells.iter().map(|c| c.to_lowercase()).collect();
    f.split_whitespace()
        .map(str::to_lowercase)
        .all(|w| cells.iter().any(|c| c.contains(&w)))
}

#[cfg(test)]
mod filter_tests {
    use super::*;
    use crate::domain::pass::PassStatus;

    #[test]
    fn filter_words_name_what_rows_show() {
        assert_eq!(named::<PassStatus>("待审批"), Some(PassStatus::Requested));
        assert_eq!(named::<PassStatus>("已暂停"), Some(PassStatus::Suspended));
        assert_eq!(named::<PassStatus>("暂停"), Some(PassStatus::Suspended));
        assert_eq!(
            named::<PassStatus>("REQUESTED"),
            Some(PassStatus::Requested)
        );
        assert_eq!(named::<PassStatus>("susp"), Some(PassStatus::Suspended));
        // Two statuses start so: neither is meant.
        assert_eq!(named::<PassStatus>("exp"), None);
        assert_eq!(named::<PassStatus>("渝F"), None);
        assert_eq!(
            split_named::<PassStatus>(Some("已暂停 渝F4")),
            (Some(PassStatus::Suspended), Some("渝F4".to_string()))
        );
        assert!(row_matches(
            Some("组长 manned"),
            &["组长", "街道党工委", "到岗 manned"]
        ));
        assert!(!row_matches(
            Some("组长 unmanned"),
            &["组长", "到岗 manned"]
        ));
    }
}
