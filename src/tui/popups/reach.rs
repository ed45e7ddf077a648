//! Who is not being reached (`:reach`, `:welfare`, `w` in the queue pane):
//! the coverage gaps — recipients nobody has reached within their group's
//! period — and the welfare checks — recipients whose deliveries failed
//! several times in a row. Two sections, Tab between them; Enter opens
//! the contact form on the selected recipient. The lists are read when the
//! popup opens and when the data changes, never on a key: on a large
//! database the gap list takes a good part of a second.

use std::time::Instant;

use chrono::Duration;
use chrono_tz::Tz;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};

use super::centered;
use crate::domain::Code;
use crate::domain::delivery::Group;
use crate::domain::time::{age, local_short};
use crate::i18n::Lang;
use crate::store::supply::{Gaps, Reach, WelfareChecks};
use crate::tui::list::{col, fit, flex, row_line};
use crate::tui::theme::{Theme, Tone};

/// Rows read of each list at most; the counts are always whole.
pub const ROWS: i64 = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Gaps,
    Welfare,
}

#[derive(Debug, Clone)]
pub struct ReachView {
    pub section: Section,
    pub gaps: Gaps,
    pub welfare: WelfareChecks,
    /// The selected row of each section.
    pub sel: [usize; 2],
    /// When the lists were read.
    pub read_at: Instant,
    /// The data changed since: read again at the next chance.
    pub stale: bool,
}

/// The selected recipient, to log a contact with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picked {
    pub recipient_id: i64,
    pub recipient: String,
    pub group: Group,
    pub address: String,
}

impl ReachView {
    /// Opens on the gaps, or on the welfare checks when there are no gaps
    /// but there are checks.
    pub fn new(gaps: Gaps, welfare: WelfareChecks) -> ReachView {
        let section = if gaps.rows.is_empty() && !welfare.rows.is_empty() {
            Section::Welfare
        } else {
            Section::Gaps
        };
        ReachView {
            section,
            gaps,
            welfare,
            sel: [0, 0],
            read_at: Instant::now(),
            stale: false,
        }
    }

    fn index(&self) -> usize {
        match self.section {
            Section::Gaps => 0,
            Section::Welfare => 1,
        }
    }

    pub fn len(&self) -> usize {
        match self.section {
            Section::Gaps => self.gaps.rows.len(),
            Section::Welfare => self.welfare.rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn switch(&mut self) {
        self.section = match self.section {
            Section::Gaps => Section::Welfare,
            Section::Welfare => Section::Gaps,
        };
    }

    pub fn move_by(&mut self, d: isize) {
        let n = self.len();
        let i = self.index();
        self.sel[i] = if n == 0 {
            0
        } else {
            self.sel[i].saturating_add_signed(d).min(n - 1)
        };
    }

    pub fn selected(&self) -> Option<Picked> {
        let i = self.sel[self.index()];
        match self.section {
            Section::Gaps => self.gaps.rows.get(i).map(|g| Picked {
                recipient_id: g.recipient_id,
                recipient: g.recipient.clone(),
                group: g.group,
                address: g.address.clone(),
            }),
            Section::Welfare => self.welfare.rows.get(i).map(|w| Picked {
                recipient_id: w.recipient_id,
                recipient: w.recipient.clone(),
                group: w.group,
                address: w.address.clone(),
            }),
        }
    }

    /// Fresh lists; each section keeps its selected recipient when it is
    /// still listed, else its place.
    pub fn replace(&mut self, gaps: Gaps, welfare: WelfareChecks) {
        let keep = |old: Option<i64>, ids: Vec<i64>, at: usize| -> usize {
            old.and_then(|id| ids.iter().position(|x| *x == id))
                .unwrap_or(at)
                .min(ids.len().saturating_sub(1))
        };
        let old_gap = self.gaps.rows.get(self.sel[0]).map(|g| g.recipient_id);
        let old_check = self.welfare.rows.get(self.sel[1]).map(|w| w.recipient_id);
        self.sel[0] = keep(
            old_gap,
            gaps.rows.iter().map(|g| g.recipient_id).collect(),
            self.sel[0],
        );
        self.sel[1] = keep(
            old_check,
            welfare.rows.iter().map(|w| w.recipient_id).collect(),
            self.sel[1],
        );
        self.gaps = gaps;
        self.welfare = welfare;
        self.read_at = Instant::now();
        self.stale = false;
    }
}

/// What the drawing needs besides the view.
pub struct Ctx<'a> {
    pub lang: Lang,
    pub theme: &'a Theme,
    pub tz: Tz,
    pub read_only: bool,
}

/// The address without the community it starts with (a column of its own).
fn place(address: &str, community: &str) -> String {
    address
        .strip_prefix(community)
        .map(str::trim_start)
        .filter(|a| !a.is_empty())
        .unwrap_or(if address == community { "—" } else { address })
        .to_string()
}

pub fn render(f: &mut Frame, area: Rect, v: &ReachView, cx: &Ctx) {
    let (lang, theme) = (cx.lang, cx.theme);
    let width = 120.min(area.width.saturating_sub(2));
    let height = area.height.saturating_sub(2);
    if width < 20 || height < 5 {
        return;
    }
    let r = centered(area, width, height);
    super::clear_around(f, r, area);
    let keys = if cx.read_only {
        lang.t(
            " Tab 切换 · j/k 选择 · Esc 关闭 ",
            " Tab switch · j/k select · Esc close ",
        )
    } else {
        lang.t(
            " Tab 切换 · j/k 选择 · Enter 记录联系 · Esc 关闭 ",
            " Tab switch · j/k select · Enter log a contact · Esc close ",
        )
    };
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .title(Span::styled(
            format!(" {} ", lang.t("覆盖与探视", "Reach")),
            theme.bold(),
        ))
        .title_bottom(Line::from(keys).right_aligned());
    let inner = block.inner(r);
    f.render_widget(block, r);
    let mut lines: Vec<Line> = Vec::new();

    // The two sections as tabs, the shown one reversed.
    let (g, q, w) = (v.gaps.total, v.gaps.not_queued, v.welfare.total);
    let tabs = [
        (
            Section::Gaps,
            match lang {
                Lang::Zh => format!(" 覆盖缺口 {g}（未排 {q}） "),
                Lang::En => format!(" Coverage gaps {g} ({q} unqueued) "),
            },
        ),
        (
            Section::Welfare,
            match lang {
                Lang::Zh => format!(" 需上门探视 {w} "),
                Lang::En => format!(" Welfare checks {w} "),
            },
        ),
    ];
    let mut spans = vec![Span::raw(" ")];
    for (i, (s, label)) in tabs.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled("│", theme.tone(Tone::Dim)));
        }
        let style = if s == v.section {
            theme.selected()
        } else {
            theme.tone(Tone::Dim)
        };
        let mark = if s == v.section { "▶" } else { " " };
        spans.push(Span::styled(format!("{mark}{label}"), style));
    }
    lines.push(Line::from(spans));
    let explain = match v.section {
        Section::Gaps => lang.t(
            "在本类对象规定周期内无人送达或联系上的对象，最久未覆盖的在前；:gaps 为未排队的全部排队。",
            "Nobody delivered to or reached them within their group's period; longest first. :gaps queues those not queued.",
        ),
        Section::Welfare => lang.t(
            "配送连续未送达的对象，次数多的在前；联系上即解除。",
            "Their deliveries failed several times in a row; most first. A contact that reaches them closes the check.",
        ),
    };
    let mut rows = crate::tui::view::wrap_cells(explain, inner.width.saturating_sub(2) as usize);
    if rows.len() > 2 {
        rows.truncate(2);
        if let Some(last) = rows.last_mut() {
            *last = crate::domain::text::truncate_to_width(
                &format!("{last}…"),
                inner.width.saturating_sub(2) as usize,
            )
            .into_owned();
        }
    }
    for row in rows {
        lines.push(Line::from(Span::styled(
            format!("  {row}"),
            theme.tone(Tone::Dim),
        )));
    }

    let w_cols = inner.width.saturating_sub(2) as usize;
    // Groups read in full where there is room; at 80 columns the address
    // and the queued delivery matter more.
    let group_w = match (w_cols >= 100, lang) {
        (true, _) => 20,
        (false, Lang::Zh) => 8,
        (false, Lang::En) => 7,
    };
    let (widths, head): (Vec<Option<usize>>, Vec<&str>) = match v.section {
        Section::Gaps => (
            fit(
                w_cols,
                &[
                    col(8, 9),
                    col(group_w, 5),
                    col(10, 6),
                    flex(10, 7),
                    // "11-27 22:55 联系", "11-27 22:55 delivery"
                    col(if lang.is_zh() { 16 } else { 20 }, 8),
                    col(7, 9),
                    col(6, 4),
                ],
            ),
            vec![
                lang.t("对象", "Person"),
                lang.t("类别", "Group"),
                lang.t("社区", "Community"),
                lang.t("地址", "Address"),
                lang.t("最后覆盖", "Last reached"),
                lang.t("逾期", "Overdue"),
                lang.t("配送", "Queued"),
            ],
        ),
        Section::Welfare => (
            fit(
                w_cols,
                &[
                    col(8, 9),
                    col(group_w, 5),
                    col(10, 6),
                    flex(10, 7),
                    col(8, 9),
                    col(11, 8),
                    col(11, 4),
                ],
            ),
            vec![
                lang.t("对象", "Person"),
                lang.t("类别", "Group"),
                lang.t("社区", "Community"),
                lang.t("地址", "Address"),
                lang.t("连续次数", "Failures"),
                lang.t("最近未送达", "Last failed"),
                lang.t("原因", "Reason"),
            ],
        ),
    };
    let mut header = row_line(
        &widths,
        head.into_iter()
            .map(|s| (s.to_string(), theme.bold()))
            .collect(),
    );
    header.spans.insert(0, Span::raw("  "));
    lines.push(header);

    let room = inner.height.saturating_sub(lines.len() as u16 + 1) as usize;
    let total = match v.section {
        Section::Gaps => v.gaps.total,
        Section::Welfare => v.welfare.total,
    };
    if v.is_empty() {
        let empty = match v.section {
            Section::Gaps => lang.t(
                "  没有覆盖缺口（预案未激活时不计）。",
                "  No coverage gaps (none are counted while the plan is not activated).",
            ),
            Section::Welfare => lang.t("  没有需上门探视的对象。", "  No welfare checks due."),
        };
        lines.push(Line::from(Span::styled(empty, theme.tone(Tone::Dim))));
    }
    let sel = v.sel[v.index()];
    let top = (sel + 1).saturating_sub(room.max(1));
    let dash = || "—".to_string();
    for i in top..(top + room).min(v.len()) {
        let selected = i == sel;
        let cells: Vec<(String, ratatui::style::Style)> = match v.section {
            Section::Gaps => {
                let Some(g) = v.gaps.rows.get(i) else { break };
                let last = match (g.last_reached, g.last_reach) {
                    (Some(t), Some(Reach::Delivered)) => {
                        format!("{} {}", local_short(t, cx.tz), lang.t("送达", "delivery"))
                    }
                    (Some(t), _) => {
                        format!("{} {}", local_short(t, cx.tz), lang.t("联系", "contact"))
                    }
                    (None, _) => lang.t("从未", "never").to_string(),
                };
                vec![
                    (g.recipient.clone(), Default::default()),
                    (g.group.label(lang).to_string(), theme.tone(Tone::Dim)),
                    (g.community.clone(), Default::default()),
                    (place(&g.address, &g.community), Default::default()),
                    (last, Default::default()),
                    (
                        age(Duration::minutes(g.overdue_minutes)),
                        theme.tone(Tone::Bad),
                    ),
                    (
                        g.open_delivery.map_or_else(dash, |d| format!("#{d}")),
                        Default::default(),
                    ),
                ]
            }
            Section::Welfare => {
                let Some(w) = v.welfare.rows.get(i) else {
                    break;
                };
                vec![
                    (w.recipient.clone(), Default::default()),
                    (w.group.label(lang).to_string(), theme.tone(Tone::Dim)),
                    (w.community.clone(), Default::default()),
                    (place(&w.address, &w.community), Default::default()),
                    (w.failures.to_string(), theme.tone(Tone::Bad)),
                    (local_short(w.last_failed_at, cx.tz), Default::default()),
                    (
                        w.last_reason
                            .map_or_else(dash, |r| r.label(lang).to_string()),
                        Default::default(),
                    ),
                ]
            }
        };
        let mut line = row_line(&widths, cells);
        line.spans
            .insert(0, Span::raw(if selected { "▶ " } else { "  " }));
        if selected {
            line = line.style(theme.selected());
        }
        lines.push(line);
    }
    let shown = v.len() as i64;
    if shown < total {
        let more = match lang {
            Lang::Zh => format!("  只列出前 {shown} 人，共 {total} 人。"),
            Lang::En => format!("  The first {shown} of {total} are listed."),
        };
        lines.push(Line::from(Span::styled(more, theme.tone(Tone::Dim))));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_column_leaves_out_the_community() {
        assert_eq!(place("槽房社区 兴华苑 8栋", "槽房社区"), "兴华苑 8栋");
        assert_eq!(place("槽房社区", "槽房社区"), "—");
        assert_eq!(place("别处 1栋", "槽房社区"), "别处 1栋");
    }
}
