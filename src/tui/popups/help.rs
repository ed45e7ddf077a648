//! `?`: every key and command, generated from the key table. In read-only
//! mode the changing ones are listed as unavailable, the same flag the
//! dispatcher refuses them by.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};

use super::centered;
use crate::domain::text::pad_to_width;
use crate::i18n::Lang;
use crate::tui::keys::{Context, Keymap, TABLE};
use crate::tui::theme::{Theme, Tone};

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
    Context::Lookup,
    Context::Reader,
    Context::Confirm,
];

pub fn lines<'a>(keymap: &Keymap, lang: Lang, theme: &Theme, read_only: bool) -> Vec<Line<'a>> {
    let mut out: Vec<Line> = Vec::new();
    if read_only {
        out.push(Line::from(Span::styled(
            lang.t(
                "只读模式：标 ⊘ 的操作会修改数据，现在不可用。",
                "Read-only: the actions marked ⊘ change data and are unavailable now.",
            ),
            theme.tone(Tone::Warn),
        )));
        out.push(Line::default());
    }
    for ctx in SECTIONS {
        let mut rows: Vec<(String, &'static str, &str, bool)> = Vec::new();
        if *ctx == Context::Typed {
            for b in TABLE.iter().filter(|b| !b.words.is_empty()) {
                let w = format!(":{} {}", b.words[0], b.args);
                rows.push((w.trim_end().to_string(), "", b.desc(lang), b.changes));
            }
        } else {
            for (keys, b) in keymap.rows(std::slice::from_ref(ctx)) {
                let word = b.words.first().copied().unwrap_or("");
                rows.push((keys.join(" "), word, b.desc(lang), b.changes));
            }
        }
        if rows.is_empty() {
            continue;
        }
        out.push(Line::from(Span::styled(
            format!("── {} ──", ctx.label(lang)),
            theme.bold(),
        )));
        for (keys, word, desc, changes) in rows {
            let unavailable = changes && read_only;
            let mark = if unavailable {
                "⊘"
            } else if changes {
                "✎"
            } else {
                " "
            };
            let mut spans = vec![
                Span::raw(format!(" {mark} ")),
                Span::styled(pad_to_width(&keys, 22), theme.bold()),
                Span::raw(" "),
                Span::styled(
                    desc.to_string(),
                    if unavailable {
                        theme.tone(Tone::Dim)
                    } else {
                        Default::default()
                    },
                ),
            ];
            if !word.is_empty() && *ctx != Context::Typed {
                spans.push(Span::styled(format!("  (:{word})"), theme.tone(Tone::Dim)));
            }
            if unavailable {
                spans.push(Span::styled(
                    format!("  {}", lang.t("只读，不可用", "read-only: unavailable")),
                    theme.tone(Tone::Warn),
                ));
            }
            out.push(Line::from(spans));
        }
        out.push(Line::default());
    }
    out.push(Line::from(Span::styled(
        lang.t(
            "✎ 会写入数据库并记入值守日志。",
            "✎ writes to the database and the duty log.",
        ),
        theme.tone(Tone::Dim),
    )));
    out.push(Line::from(Span::styled(
        theme.glyphs.describe(lang.is_zh()),
        theme.tone(Tone::Dim),
    )));
    out
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
    let inner_w = width.saturating_sub(2) as usize;
    let lines: Vec<Line> = lines(keymap, lang, theme, read_only)
        .iter()
        .flat_map(|l| crate::tui::wrap::wrap_line(l, inner_w))
        .collect();
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
                lang.t("Esc 关闭 · j/k 滚动", "Esc close · j/k scroll")
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
