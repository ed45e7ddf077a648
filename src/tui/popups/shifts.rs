//! The list of shifts (`S` in the handover view, `:shifts`), newest
//! first, for review: who was on duty when, to whom they handed over,
//! whether it was acknowledged and how many carry-over items nobody has
//! acknowledged. Enter opens a shift's handover view. Read page by page.

use chrono_tz::Tz;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};

use super::centered;
use crate::domain::Code;
use crate::domain::shift::ShiftState;
use crate::domain::time::local_short;
use crate::i18n::Lang;
use crate::store::shifts::ShiftRow;
use crate::tui::list::{col, fit, flex, row_line};
use crate::tui::theme::{Theme, Tone};

/// Shifts read at a time.
pub const PAGE: i64 = 100;

#[derive(Debug, Clone, Default)]
pub struct ShiftList {
    pub rows: Vec<ShiftRow>,
    pub sel: usize,
    /// The last read returned a full page: there may be more.
    pub more: bool,
}

impl ShiftList {
    pub fn selected(&self) -> Option<&ShiftRow> {
        self.rows.get(self.sel)
    }

    pub fn move_by(&mut self, d: isize) {
        let n = self.rows.len();
        self.sel = if n == 0 {
            0
        } else {
            self.sel.saturating_add_signed(d).min(n - 1)
        };
    }

    /// Near the end of what was read, and more to read.
    pub fn wants_more(&self) -> bool {
        self.more && self.sel + 20 >= self.rows.len()
    }
}

fn state_mark(s: ShiftState) -> &'static str {
    match s {
        ShiftState::OnDuty => "●",
        ShiftState::HandedOver => "⇄",
        ShiftState::Acknowledged => "✔",
    }
}

pub fn render(f: &mut Frame, area: Rect, l: &ShiftList, lang: Lang, theme: &Theme, tz: Tz) {
    let width = 110.min(area.width.saturating_sub(2));
    let height = area.height.saturating_sub(2);
    if width < 20 || height < 4 {
        return;
    }
    let r = centered(area, width, height);
    super::clear_around(f, r, area);
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .title(Span::styled(
            format!(" {} ", lang.t("班次列表 · 回顾", "Shifts · review")),
            theme.bold(),
        ))
        .title_bottom(
            Line::from(lang.t(
                " j/k 选择 · Enter 打开报告 · Esc 关闭 ",
                " j/k select · Enter open its report · Esc close ",
            ))
            .right_aligned(),
        );
    let inner = block.inner(r);
    f.render_widget(block, r);
    let w = inner.width.saturating_sub(2) as usize;
    let widths = fit(
        w,
        &[
            col(4, 9),
            col(8, 8),
            col(11, 7),
            col(11, 6),
            col(8, 8),
            flex(10, 5),
            col(11, 8),
        ],
    );
    let mut lines: Vec<Line> = Vec::new();
    let mut head = row_line(
        &widths,
        [
            "#",
            lang.t("值班员", "Officer"),
            lang.t("上岗", "Started"),
            lang.t("截止", "Cut-off"),
            lang.t("接班", "Incoming"),
            lang.t("状态", "State"),
            lang.t("遗留/未确认", "Items/open"),
        ]
        .into_iter()
        .map(|s| (s.to_string(), theme.bold()))
        .collect(),
    );
    head.spans.insert(0, Span::raw("  "));
    lines.push(head);
    if l.rows.is_empty() {
        lines.push(Line::from(Span::styled(
            lang.t(
                "  还没有班次记录；:shift start 上岗。",
                "  No shifts yet; :shift start goes on duty.",
            ),
            theme.tone(Tone::Dim),
        )));
    }
    let room = inner.height.saturating_sub(1) as usize;
    let top = (l.sel + 1).saturating_sub(room);
    for (i, s) in l.rows.iter().enumerate().skip(top).take(room) {
        let selected = i == l.sel;
        let state = match lang {
            Lang::Zh => s.state.label_zh(),
            Lang::En => s.state.label_en(),
        };
        let open_tone = if s.items_unacknowledged > 0 {
            theme.tone(Tone::Warn)
        } else {
            Default::default()
        };
        let mut line = row_line(
            &widths,
            vec![
                (format!("#{}", s.id), theme.tone(Tone::Dim)),
                (s.officer.clone(), Default::default()),
                (local_short(s.started_at, tz), Default::default()),
                (
                    s.cutoff.map_or_else(|| "—".into(), |t| local_short(t, tz)),
                    Default::default(),
                ),
                (
                    s.incoming.clone().unwrap_or_else(|| "—".into()),
                    Default::default(),
                ),
                (
                    format!("{} {state}", state_mark(s.state)),
                    Default::default(),
                ),
                (format!("{}/{}", s.items, s.items_unacknowledged), open_tone),
            ],
        );
        line.spans
            .insert(0, Span::raw(if selected { "▶ " } else { "  " }));
        if selected {
            line = line.style(theme.selected());
        }
        lines.push(line);
    }
    f.render_widget(Paragraph::new(lines), inner);
}
