//! A yes/no question.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};

use super::{Confirm, OnYes, centered};
use crate::domain::text::sanitize;
use crate::i18n::Lang;
use crate::tui::theme::{Theme, Tone};

pub fn render(f: &mut Frame, area: Rect, c: &Confirm, lang: Lang, theme: &Theme) {
    let text = sanitize(c.question.get(lang)).into_owned();
    let width = 60.min(area.width.saturating_sub(2));
    let inner_w = width.saturating_sub(2).max(1) as usize;
    let mut lines: Vec<Line> = crate::tui::wrap::wrap_plain(&text, inner_w)
        .into_iter()
        .map(Line::from)
        .collect();
    let rows = lines.len() as u16;
    let r = centered(area, width, rows + 4);
    super::clear_around(f, r, area);
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(theme.tone(Tone::Warn))
        .title(Span::styled(
            format!(
                " {} ",
                match c.on_yes {
                    OnYes::Reopen(..) => lang.t("已被他人更改", "Changed meanwhile"),
                    _ => lang.t("请确认", "Please confirm"),
                }
            ),
            theme.bold(),
        ));
    lines.push(Line::default());
    lines.push(
        Line::from(Span::styled(
            match c.on_yes {
                OnYes::Reopen(..) => lang.t(
                    "y 按现状重新操作    n 放弃",
                    "y act on it as it is now    n leave it",
                ),
                _ => lang.t("y 是    n 否", "y yes    n no"),
            },
            theme.bold(),
        ))
        .centered(),
    );
    f.render_widget(Paragraph::new(lines).block(block), r);
}
