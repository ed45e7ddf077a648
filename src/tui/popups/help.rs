//! `?`: every key and command, generated from the key table. In read-only
//! mode the changing ones are listed as unavailable, the same flag the
//! dispatcher refuses them by.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};

use super::centered;
use ratatui::style::Style;
use unicode_width::UnicodeWidthStr;

use crate::domain::text::pad_to_width;
use crate::i18n::Lang;
use crate::tui::keys::{Binding, Context, Keymap, TABLE};
use crate::tui::theme::{Theme, Tone};
use crate::tui::wrap;

/// The order of the sections.
const SECTIONS: &[Context] = &[
    Context::Global,
    Context::List,
    Context::Activation,
    Context::Alerts,
    Context::Passes,
    Context::Queue,
    Context::Log,
    Context::Handover,
    Context::Shifts,
    Context::Reach,
    Context::Typed,
    Context::CommandLine,
    Context::Form,
    Context::Choice,
    Context::Field,
    Context::Lookup,
    Context::Reader,
    Context::Confirm,
];

/// The width of the keys column; longer keys (typed commands with their
/// arguments) stand on a line of their own, the description below.
const KEYS_W: usize = 22;
/// The mark column: `✎` changes data, `✎?` asks first, `⊘` unavailable.
const MARK_W: usize = 4;

/// One entry of help, before it is laid out to a width.
enum Entry {
    Heading(String),
    Note(String, Tone),
    Blank,
    Row {
        mark: &'static str,
        keys: String,
        desc: &'static str,
        word: &'static str,
        unavailable: bool,
    },
}

fn entries(keymap: &Keymap, lang: Lang, theme: &Theme, read_only: bool) -> Vec<Entry> {
    let mut out = Vec::new();
    if read_only {
        out.push(Entry::Note(
            lang.t(
                "只读模式：标 ⊘ 的操作会修改数据，现在不可用。",
                "Read-only: the actions marked ⊘ change data and are unavailable now.",
            )
            .to_string(),
            Tone::Warn,
        ));
        out.push(Entry::Blank);
    }
    for ctx in SECTIONS {
        let mut rows: Vec<(String, &'static str, &'static str, &'static Binding)> = Vec::new();
        if *ctx == Context::Typed {
            for b in TABLE.iter().filter(|b| !b.words.is_empty()) {
                let w = format!(":{} {}", b.words[0], b.args);
                rows.push((w.trim_end().to_string(), "", b.desc(lang), b));
            }
        } else {
            for (keys, b) in keymap.rows(std::slice::from_ref(ctx)) {
                let word = b.words.first().copied().unwrap_or("");
                rows.push((keys.join(" "), word, b.desc(lang), b));
            }
        }
        if rows.is_empty() {
            continue;
        }
        out.push(Entry::Heading(format!("── {} ──", ctx.label(lang))));
        for (keys, word, desc, b) in rows {
            let unavailable = b.changes && read_only;
            let mark = match (unavailable, b.changes, b.confirm) {
                (true, _, _) => "⊘",
                (_, true, true) => "✎?",
                (_, true, false) => "✎",
                (_, false, true) => "?",
                _ => "",
            };
            out.push(Entry::Row {
                mark,
                keys,
                desc,
                word: if *ctx == Context::Typed { "" } else { word },
                unavailable,
            });
        }
        out.push(Entry::Blank);
    }
    out.push(Entry::Note(
        lang.t(
            "✎ 会写入数据库并记入值守日志；✎? 先询问（y 是 / n 否）。",
            "✎ writes to the database and the duty log; ✎? asks first (y yes / n no).",
        )
        .to_string(),
        Tone::Dim,
    ));
    out.push(Entry::Note(theme.glyphs.describe(lang.is_zh()), Tone::Dim));
    out
}

/// Every line of help, one per entry (not laid out to a width).
pub fn lines<'a>(keymap: &Keymap, lang: Lang, theme: &Theme, read_only: bool) -> Vec<Line<'a>> {
    entries(keymap, lang, theme, read_only)
        .into_iter()
        .map(|e| match e {
            Entry::Heading(h) => Line::from(Span::styled(h, theme.bold())),
            Entry::Note(t, tone) => Line::from(Span::styled(t, theme.tone(tone))),
            Entry::Blank => Line::default(),
            Entry::Row {
                mark,
                keys,
                desc,
                word,
                unavailable,
            } => {
                let mut spans = vec![
                    Span::raw(format!(" {} ", pad_to_width(mark, MARK_W - 2))),
                    Span::styled(pad_to_width(&keys, KEYS_W), theme.bold()),
                    Span::raw(" "),
                ];
                spans.extend(
                    desc_pieces(desc, word, unavailable, lang, theme)
                        .into_iter()
                        .map(|(t, st)| Span::styled(t, st)),
                );
                Line::from(spans)
            }
        })
        .collect()
}

fn desc_pieces(
    desc: &str,
    word: &str,
    unavailable: bool,
    lang: Lang,
    theme: &Theme,
) -> Vec<(String, Style)> {
    let mut pieces = vec![(
        desc.to_string(),
        if unavailable {
            theme.tone(Tone::Dim)
        } else {
            Style::default()
        },
    )];
    if !word.is_empty() {
        pieces.push((format!("  (:{word})"), theme.tone(Tone::Dim)));
    }
    if unavailable {
        pieces.push((
            format!("  {}", lang.t("只读，不可用", "read-only: unavailable")),
            theme.tone(Tone::Warn),
        ));
    }
    pieces
}

/// Help laid out to `width` cells: a description too long for its line
/// continues under itself, never under the keys; keys too long for their
/// column (a typed command with its arguments) get a line of their own.
/// No line is wider than `width`, so none is cut.
pub fn rows<'a>(
    keymap: &Keymap,
    lang: Lang,
    theme: &Theme,
    read_only: bool,
    width: usize,
) -> Vec<Line<'a>> {
    let width = width.max(MARK_W + KEYS_W + 11);
    let indent = MARK_W + KEYS_W + 1;
    let mut out: Vec<Line> = Vec::new();
    for e in entries(keymap, lang, theme, read_only) {
        match e {
            Entry::Heading(h) => out.extend(wrap::wrap(&[(h, theme.bold())], width)),
            Entry::Note(t, tone) => out.extend(wrap::wrap(&[(t, theme.tone(tone))], width)),
            Entry::Blank => out.push(Line::default()),
            Entry::Row {
                mark,
                keys,
                desc,
                word,
                unavailable,
            } => {
                let mark = Span::raw(format!(" {} ", pad_to_width(mark, MARK_W - 2)));
                let desc = wrap::wrap(
                    &desc_pieces(desc, word, unavailable, lang, theme),
                    width - indent,
                );
                let mut first = vec![mark];
                let mut desc = desc.into_iter();
                if keys.width() <= KEYS_W {
                    first.push(Span::styled(pad_to_width(&keys, KEYS_W), theme.bold()));
                    first.push(Span::raw(" "));
                    if let Some(d) = desc.next() {
                        first.extend(d.spans);
                    }
                    out.push(Line::from(first));
                } else {
                    let keys_rows = wrap::wrap(&[(keys, theme.bold())], width - MARK_W);
                    for (i, k) in keys_rows.into_iter().enumerate() {
                        let mut l = if i == 0 {
                            std::mem::take(&mut first)
                        } else {
                            vec![Span::raw(" ".repeat(MARK_W))]
                        };
                        l.extend(k.spans);
                        out.push(Line::from(l));
                    }
                }
                for d in desc {
                    let mut l = vec![Span::raw(" ".repeat(indent))];
                    l.extend(d.spans);
                    out.push(Line::from(l));
                }
            }
        }
    }
    out
}

/// The help box's inner width and height in `area` (the body).
pub fn inner(area: Rect) -> (usize, u16) {
    let width = 100.min(area.width.saturating_sub(2));
    (
        width.saturating_sub(2) as usize,
        area.height.saturating_sub(2).saturating_sub(2),
    )
}

pub fn render(
    f: &mut Frame,
    area: Rect,
    keymap: &Keymap,
    lang: Lang,
    theme: &Theme,
    read_only: bool,
    scroll: u16,
) {
    let width = 100.min(area.width.saturating_sub(2));
    let (inner_w, _) = inner(area);
    let lines = rows(keymap, lang, theme, read_only, inner_w);
    let height = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let r = centered(area, width, height);
    super::clear_around(f, r, area);
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .title(Span::styled(
            format!(" {} ", lang.t("帮助 · 全部按键", "Help · every key")),
            theme.bold(),
        ))
        .title_bottom(
            Line::from(format!(
                " {} ",
                lang.t(
                    "Esc 关闭 · j/k 滚动 · PgDn/PgUp 翻页",
                    "Esc close · j/k scroll · PgDn/PgUp page"
                )
            ))
            .right_aligned(),
        );
    let max_scroll = (lines.len() as u16).saturating_sub(r.height.saturating_sub(2));
    f.render_widget(
        Paragraph::new(lines)
            .scroll((scroll.min(max_scroll), 0))
            .block(block),
        r,
    );
}
