//! The completion list of a name field: as the officer types, the
//! registered names the text matches (see [`crate::domain::pick`]) show
//! under the field, the closest first; ↓/Tab and ↑/S-Tab step through
//! them and Enter takes the one marked. What is taken is the registered
//! full name (a recipient's masked name and address, with its number kept
//! beside it), so what is saved is never a guess.

use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use crate::domain::pick::Kind;
use crate::domain::text::{sanitize, truncate_to_width};
use crate::i18n::Lang;
use crate::store::pick::Candidate;
use crate::tui::theme::{Theme, Tone};

/// Rows the list shows at most.
pub const ROWS: usize = 5;

/// What a name field takes and how its text is resolved on saving.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PickSpec {
    pub kinds: &'static [Kind],
    /// The field holding the community the names belong to, if they do.
    pub scope: Option<usize>,
    /// On saving, text that matches one name becomes that name; several
    /// are refused with the choices. Off for plates (a new vehicle's plate
    /// may be part of a registered one) and for who takes a delivery (the
    /// assign form tells namesakes apart itself): there the list only
    /// offers.
    pub resolve: bool,
    /// Text matching no name is taken as typed (a person the alert is
    /// dispatched to): only bare letters, which look like initials, are
    /// refused.
    pub free: bool,
}

impl PickSpec {
    pub const fn of(kinds: &'static [Kind]) -> PickSpec {
        PickSpec {
            kinds,
            scope: None,
            resolve: true,
            free: false,
        }
    }

    pub const fn within(mut self, field: usize) -> PickSpec {
        self.scope = Some(field);
        self
    }

    pub const fn offer_only(mut self) -> PickSpec {
        self.resolve = false;
        self
    }

    pub const fn free(mut self) -> PickSpec {
        self.free = true;
        self
    }

    /// The words a refusal uses for what the field takes.
    pub fn kind(&self) -> Kind {
        self.kinds.first().copied().unwrap_or(Kind::Community)
    }
}

/// A name field's completion state.
#[derive(Debug, Clone, PartialEq)]
pub struct Picker {
    pub spec: PickSpec,
    /// The matches of the text as it stands, closest first.
    pub rows: Vec<Candidate>,
    /// How many names match in all.
    pub total: usize,
    /// The row ↓/Tab marked; Enter takes it.
    pub selected: Option<usize>,
    /// The name taken (by Enter or on saving), while the text is still it.
    pub taken: Option<(String, Kind, i64)>,
    /// What the list said of the name taken (where it is), zh and en.
    pub taken_detail: (String, String),
}

impl Picker {
    pub fn new(spec: PickSpec) -> Picker {
        Picker {
            spec,
            rows: Vec::new(),
            total: 0,
            selected: None,
            taken: None,
            taken_detail: (String::new(), String::new()),
        }
    }

    /// The record taken, while the field still reads as its name.
    pub fn taken(&self, value: &str) -> Option<(Kind, i64)> {
        self.taken
            .as_ref()
            .filter(|(t, _, _)| t == value.trim())
            .map(|(_, k, id)| (*k, *id))
    }

    /// Is the list worth showing under `value`? Not when the text is
    /// already the one name it matches.
    pub fn shows(&self, value: &str) -> bool {
        let v = value.trim();
        !self.rows.is_empty()
            && self.taken(v).is_none()
            && !(self.total == 1 && self.rows[0].shown == v)
    }

    /// Steps the mark; false when there is no list to step through.
    pub fn step(&mut self, forward: bool, value: &str) -> bool {
        if !self.shows(value) {
            return false;
        }
        let n = self.rows.len().min(ROWS);
        self.selected = Some(match (self.selected, forward) {
            (None, true) => 0,
            (None, false) => n - 1,
            (Some(i), true) => (i + 1) % n,
            (Some(i), false) => (i + n - 1) % n,
        });
        true
    }

    /// The marked row, taken: its name to put in the field.
    pub fn take_selected(&mut self) -> Option<String> {
        let c = self.rows.get(self.selected?)?.clone();
        self.take(&c);
        Some(c.shown)
    }

    pub fn take(&mut self, c: &Candidate) {
        self.taken = Some((c.shown.clone(), c.kind, c.id));
        self.taken_detail = (c.detail.clone(), c.detail_en.clone());
        self.selected = None;
        self.rows.clear();
        self.total = 0;
    }

    pub fn set_rows(&mut self, rows: Vec<Candidate>, total: usize) {
        if rows != self.rows {
            self.selected = None;
        }
        self.rows = rows;
        self.total = total;
    }
}

/// The list's lines under a focused field `width` columns wide.
pub fn lines(
    p: &Picker,
    value: &str,
    lang: Lang,
    theme: &Theme,
    width: usize,
) -> Vec<Line<'static>> {
    if !p.shows(value) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let several_kinds = p.spec.kinds.len() > 1;
    for (i, c) in p.rows.iter().take(ROWS).enumerate() {
        let marked = p.selected == Some(i);
        let mark = if marked { "› " } else { "  " };
        let name = sanitize(&c.shown).into_owned();
        let mut detail = sanitize(lang.t(&c.detail, &c.detail_en)).into_owned();
        if several_kinds {
            let k = c.kind.label();
            let k = lang.t(k.0, k.1);
            detail = if detail.is_empty() {
                k.to_string()
            } else {
                format!("{k} · {detail}")
            };
        }
        let head = format!("  {mark}{name}");
        let head = truncate_to_width(&head, width).into_owned();
        let used = head.width();
        let mut spans = vec![Span::styled(
            head,
            if marked {
                theme.selected()
            } else {
                theme.tone(Tone::Dim).patch(theme.bold())
            },
        )];
        if !detail.is_empty() && used + 3 < width {
            let d = truncate_to_width(&format!("  {detail}"), width - used).into_owned();
            spans.push(Span::styled(d, theme.tone(Tone::Dim)));
        }
        out.push(Line::from(spans));
    }
    let shown = p.rows.len().min(ROWS);
    let hint = if p.total > shown {
        let more = p.total - shown;
        lang.t(
            "  ↓/Tab 选择 · Enter 采用 · 另有 ",
            "  ↓/Tab pick · Enter take · ",
        )
        .to_string()
            + &match lang {
                Lang::Zh => format!("{more} 个，多输入几个字"),
                Lang::En => format!("{more} more, type more"),
            }
    } else {
        lang.t("  ↓/Tab 选择 · Enter 采用", "  ↓/Tab pick · Enter take")
            .to_string()
    };
    out.push(Line::from(Span::styled(
        truncate_to_width(&hint, width).into_owned(),
        theme.tone(Tone::Dim),
    )));
    out
}
