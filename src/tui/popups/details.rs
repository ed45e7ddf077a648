//! The details of a row: label and value lines, scrollable.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::centered;
use crate::domain::text::{pad_to_width, sanitize, sanitize_multiline};
use crate::i18n::Lang;
use crate::tui::panes::Details;
use crate::tui::theme::{Theme, Tone};

pub fn render(f: &mut Frame, area: Rect, d: &Details, scroll: u16, lang: Lang, theme: &Theme) {
    let label_w = d
        .lines
        .iter()
        .map(|(k, _)| k.width())
        .max()
        .unwrap_or(0)
        .min(24);
    let mut lines: Vec<Line> = Vec::new();
    for (k, v) in &d.lines {
        let value = sanitize_multiline(v);
        for (i, part) in value.split('\n').enumerate() {
            let label = if i == 0 {
                pad_to_width(k, label_w)
            } else {
                " ".repeat(label_w)
            };
            lines.push(Line::from(vec![
                Span::styled(label, theme.tone(Tone::Dim)),
                Span::raw("  "),
                Span::raw(part.to_string()),
            ]));
        }
    }
    let width = 84.min(area.width.saturating_sub(2));
    let inner_w = width.saturating_sub(2) as usize;
    let lines: Vec<Line> = lines
        .iter()
        .flat_map(|l| crate::tui::wrap::wrap_line(l, inner_w))
        .collect();
    let height = (lines.len() as u16 + 3).min(area.height.saturating_sub(2));
    let r = centered(area, width, height);
    super::clear_around(f, r, area);
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .title(Span::styled(
            format!(" {} ", sanitize(&d.title)),
            theme.bold(),
        ))
        .title_bottom(
            Line::from(format!(
                " {} ",
                lang.t("Esc 关闭 · j/k 滚动", "Esc close · j/k scroll")
            ))
            .right_aligned(),
        );
    f.render_widget(Paragraph::new(lines).scroll((scroll, 0)).block(block), r);
}
