//! The handover view (`H`, `:handover`): the report of a shift at a glance
//! — its window and chain head, the counts, a chart of alerts opened and
//! closed over the shift — and its carry-over items one by one with their
//! acknowledged state, for the incoming officer to acknowledge. The full
//! report text sits beside it on a wide screen, behind `t` on a narrow one.
//!
//! Everything reads without colour: the selected item is reversed and
//! marked `▶`, acknowledged items carry `✔`, items still unacknowledged
//! from an earlier shift are bold and carry `⚠`, and the chart's two rows
//! are labelled.

use chrono_tz::Tz;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Sparkline, SparklineBar};
use unicode_width::UnicodeWidthStr;

use crate::domain::Code;
use crate::domain::shift::{ItemSection, ShiftState};
use crate::domain::text::{pad_to_width, sanitize, sanitize_multiline, truncate_to_width};
use crate::domain::time::local_short;
use crate::i18n::Lang;
use crate::report::handover::{Bucket, Report};
use crate::store::shifts::{HandoverItem, ShiftRow};
use crate::tui::theme::{Theme, Tone};

/// From this inner width the report text stands beside the summary.
const WIDE: u16 = 140;
/// The summary column's width on a wide screen.
const LEFT_W: u16 = 84;
/// Rows the selected item may take when its text is long.
const SELECTED_ROWS: usize = 3;

/// What the view shows; built by the app from the store.
pub struct HandoverView {
    pub report: Report,
    /// The handover whose items are listed: the shift's own once it is
    /// handed over; while it is on duty, the one it received.
    pub items_of: Option<ShiftRow>,
    pub items: Vec<HandoverItem>,
    pub sel: usize,
    /// The report as text, in the console's language.
    pub text: String,
    pub scroll: u16,
    /// On a narrow screen: the report text instead of the summary.
    pub show_text: bool,
    /// When the report was built (a provisional one is built again after
    /// changes, but not more often than the app allows).
    pub built: std::time::Instant,
}

impl HandoverView {
    pub fn shift_id(&self) -> Option<i64> {
        self.report.shift.as_ref().map(|s| s.id)
    }

    /// The items were received by the shift shown (it is on duty).
    pub fn received(&self) -> bool {
        match (&self.report.shift, &self.items_of) {
            (Some(s), Some(h)) => s.id != h.id,
            _ => false,
        }
    }

    pub fn selected(&self) -> Option<&HandoverItem> {
        self.items.get(self.sel)
    }

    pub fn move_by(&mut self, d: isize) {
        let n = self.items.len();
        if n == 0 {
            self.sel = 0;
            return;
        }
        self.sel = self.sel.saturating_add_signed(d).min(n - 1);
    }

    pub fn scroll_by(&mut self, d: i32) {
        let max = self.text.lines().count().min(u16::MAX as usize) as i32;
        self.scroll = (i32::from(self.scroll) + d).clamp(0, max) as u16;
    }

    /// A view read again takes the place of `old`: the same item stays
    /// selected, the text stays where it was scrolled to.
    /// When the selected item is acknowledged, on to the next open one
    /// (after it, else before it): Enter, Enter, … goes down the list.
    pub fn move_on(&mut self) {
        if self.selected().is_none_or(|i| i.acknowledged_at.is_none()) {
            return;
        }
        let open = |i: &&HandoverItem| i.acknowledged_at.is_none();
        let after = self.items.iter().skip(self.sel).position(|i| open(&i));
        if let Some(k) = after {
            self.sel += k;
        } else if let Some(k) = self.items.iter().position(|i| open(&i)) {
            self.sel = k;
        }
    }

    pub fn keep_place(&mut self, old: &HandoverView) {
        let was = old.selected().map(|i| i.id);
        self.sel = was
            .and_then(|id| self.items.iter().position(|i| i.id == id))
            .unwrap_or(old.sel)
            .min(self.items.len().saturating_sub(1));
        self.scroll = old.scroll;
        self.show_text = old.show_text;
    }

    /// Is the text shown on a screen of this inner width?
    pub fn wide(area: Rect) -> bool {
        area.width.saturating_sub(2) >= WIDE
    }
}

/// What drawing needs besides the view.
pub struct Ctx<'a> {
    pub lang: Lang,
    pub theme: &'a Theme,
    pub tz: Tz,
    /// The officer of this session, to say "you".
    pub officer: Option<&'a str>,
    pub read_only: bool,
}

fn state_label(s: ShiftState, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => s.label_zh(),
        Lang::En => s.label_en(),
    }
}

fn clean(s: &str) -> String {
    sanitize(s).into_owned()
}

/// The title: which shift, who hands over to whom, its state.
pub fn title(v: &HandoverView, lang: Lang) -> String {
    let head = lang.t("交接班", "Handover");
    match &v.report.shift {
        Some(s) => {
            let (id, officer, st) = (s.id, clean(&s.officer), state_label(s.state, lang));
            match &s.incoming {
                Some(inc) => {
                    let inc = clean(inc);
                    format!(
                        "{head} · {} #{id} {officer} → {inc} · {st}",
                        lang.t("班次", "shift")
                    )
                }
                None => format!(
                    "{head} · {} #{id} {officer} · {st}",
                    lang.t("班次", "shift")
                ),
            }
        }
        None => format!(
            "{head} · {}",
            lang.t("尚无班次：最近 12 小时", "no shift yet: the last 12 hours")
        ),
    }
}

fn summary_lines(v: &HandoverView, cx: &Ctx, width: usize) -> Vec<Line<'static>> {
    let (lang, theme, tz) = (cx.lang, cx.theme, cx.tz);
    let r = &v.report;
    let mut out: Vec<Line> = Vec::new();
    let from = local_short(r.window.from, tz);
    let to = if r.provisional {
        lang.t(
            "现在（未交班，数字会变）",
            "now (not handed over: figures still move)",
        )
        .to_string()
    } else {
        format!(
            "{} {}",
            local_short(r.window.cutoff, tz),
            lang.t("截止", "cut-off")
        )
    };
    let hash: String = r.chain_head.hash.chars().take(8).collect();
    let head = if hash.is_empty() {
        format!("#{}", r.chain_head.seq)
    } else {
        format!("#{} {hash}…", r.chain_head.seq)
    };
    let mut push = |text: String, style: Style| {
        for row in crate::tui::wrap::wrap_plain(&text, width) {
            out.push(Line::from(Span::styled(row, style)));
        }
    };
    push(
        format!(
            "{} {from} → {to} · {} {head}",
            lang.t("时段", "Window"),
            lang.t("日志链头", "chain head")
        ),
        Style::new(),
    );
    let c = &r.counts;
    push(
        match lang {
            Lang::Zh => format!(
                "预警 新增 {} · 解决 {} · 撤销 {} · 未结 {}（升级 {}）",
                c.alerts_raised,
                c.alerts_resolved,
                c.alerts_cancelled,
                c.alerts_open,
                c.alerts_escalated
            ),
            Lang::En => format!(
                "Alerts raised {} · resolved {} · cancelled {} · open {} ({} escalated)",
                c.alerts_raised,
                c.alerts_resolved,
                c.alerts_cancelled,
                c.alerts_open,
                c.alerts_escalated
            ),
        },
        if c.alerts_escalated > 0 {
            theme.tone(Tone::Warn)
        } else {
            Style::new()
        },
    );
    let (hours, minutes) = (
        r.passes.expiring_within_hours,
        r.deliveries.due_soon_minutes,
    );
    push(
        match lang {
            Lang::Zh => format!(
                "通行证 签发 {} · 暂停 {} · 吊销 {} · {hours} 小时内到期 {} ｜ 配送 送达 {} · 未送达 {} · 逾期 {} · {minutes} 分钟内到期 {}",
                c.passes_issued,
                c.passes_suspended,
                c.passes_revoked,
                c.passes_expiring,
                c.deliveries_delivered,
                c.deliveries_failed,
                c.deliveries_overdue,
                c.deliveries_due_soon
            ),
            Lang::En => format!(
                "Passes issued {} · suspended {} · revoked {} · ending within {hours}h {} | Deliveries done {} · failed {} · overdue {} · due within {minutes}m {}",
                c.passes_issued,
                c.passes_suspended,
                c.passes_revoked,
                c.passes_expiring,
                c.deliveries_delivered,
                c.deliveries_failed,
                c.deliveries_overdue,
                c.deliveries_due_soon
            ),
        },
        if c.deliveries_overdue > 0 {
            theme.tone(Tone::Warn)
        } else {
            Style::new()
        },
    );
    for w in &r.warnings {
        push(
            format!("✘ {}", clean(lang.t(&w.zh, &w.en))),
            theme.tone(Tone::Bad),
        );
    }
    out
}

/// Chart rows: a title, alerts opened, alerts closed, the hours.
pub const CHART_ROWS: u16 = 4;

/// Alerts opened and closed per slice of the window, as two labelled rows
/// of bars (ratatui `Sparkline`s) over an axis of local hours. A slice
/// with none shows `·`; any count shows at least the lowest bar, so one
/// alert among many is not lost to the scale.
pub fn render_chart(f: &mut Frame, area: Rect, buckets: &[Bucket], minutes: i64, cx: &Ctx) {
    if area.height == 0 || area.width < 20 {
        return;
    }
    let (lang, theme) = (cx.lang, cx.theme);
    let opened: usize = buckets.iter().map(|b| b.opened).sum();
    let closed: usize = buckets.iter().map(|b| b.closed).sum();
    let per = if minutes % 60 == 0 {
        let h = minutes / 60;
        match (lang, h) {
            (Lang::Zh, 1) => "每小时".to_string(),
            (Lang::Zh, h) => format!("每 {h} 小时"),
            (Lang::En, 1) => "per hour".to_string(),
            (Lang::En, h) => format!("per {h} hours"),
        }
    } else {
        match lang {
            Lang::Zh => format!("每 {minutes} 分钟"),
            Lang::En => format!("per {minutes} minutes"),
        }
    };
    let title = match lang {
        Lang::Zh => format!("预警开闭（{per}；· 为 0）"),
        Lang::En => format!("Alerts opened and closed ({per}; · is none)"),
    };
    let rows = Layout::vertical([Constraint::Length(1); CHART_ROWS as usize]).split(area);
    f.render_widget(
        Paragraph::new(Line::from(Span::styled(title, theme.bold()))),
        rows[0],
    );
    let label_w: u16 = 8;
    let total_w: u16 = 10;
    let bars_w = area.width.saturating_sub(label_w + total_w) as usize;
    let n = buckets.len().max(1);
    // Columns per slice: bars, then a one-column gap once there is room.
    let step = (bars_w / n).clamp(1, 3);
    let bar = if step >= 2 { step - 1 } else { 1 };
    let max = buckets
        .iter()
        .map(|b| b.opened.max(b.closed))
        .max()
        .unwrap_or(0)
        .max(1);
    let level = |v: usize| -> u64 {
        if v == 0 {
            0
        } else {
            ((v * 8 / max) as u64).max(1)
        }
    };
    let set = symbols::bar::Set {
        empty: "·",
        ..symbols::bar::NINE_LEVELS
    };
    let series = |pick: fn(&Bucket) -> usize| -> Vec<SparklineBar> {
        let mut data = Vec::with_capacity(buckets.len() * step);
        for b in buckets {
            for _ in 0..bar {
                data.push(SparklineBar::from(Some(level(pick(b)))));
            }
            if step >= 2 {
                data.push(SparklineBar::from(None));
            }
        }
        data
    };
    let (lo, lc) = (lang.t("新增", "opened"), lang.t("关闭", "closed"));
    for (row, label, pick, total, tone) in [
        (
            rows[1],
            lo,
            (|b: &Bucket| b.opened) as fn(&Bucket) -> usize,
            opened,
            Tone::Warn,
        ),
        (
            rows[2],
            lc,
            (|b: &Bucket| b.closed) as fn(&Bucket) -> usize,
            closed,
            Tone::Good,
        ),
    ] {
        let [l, bars, t] = Layout::horizontal([
            Constraint::Length(label_w),
            Constraint::Length(bars_w as u16),
            Constraint::Length(total_w),
        ])
        .areas(row);
        f.render_widget(Paragraph::new(pad_to_width(label, label_w as usize)), l);
        f.render_widget(
            Sparkline::default()
                .data(series(pick))
                .max(8)
                .bar_set(set.clone())
                .absent_value_symbol(" ")
                .style(theme.tone(tone)),
            bars,
        );
        let t_text = match lang {
            Lang::Zh => format!(" 共 {total}"),
            Lang::En => format!(" {total} in all"),
        };
        f.render_widget(Paragraph::new(t_text), t);
    }
    // The axis: each slice's local starting hour where it fits.
    let mut axis = " ".repeat(label_w as usize);
    let mut used = 0usize;
    for (i, b) in buckets.iter().enumerate() {
        let x = i * step;
        if x < used || x + 2 > bars_w {
            continue;
        }
        let h = b.start.with_timezone(&cx.tz).format("%H").to_string();
        axis.push_str(&" ".repeat(x - used));
        axis.push_str(&h);
        used = x + h.width() + 1;
        axis.push(' ');
    }
    f.render_widget(
        Paragraph::new(Line::from(Span::styled(
            axis.trim_end().to_string(),
            theme.tone(Tone::Dim),
        ))),
        rows[3],
    );
}

fn item_header(v: &HandoverView, cx: &Ctx) -> String {
    let lang = cx.lang;
    let n = v.items.len();
    let open = v
        .items
        .iter()
        .filter(|i| i.acknowledged_at.is_none())
        .count();
    let Some(h) = &v.items_of else {
        return lang
            .t(
                "遗留事项：无（本班尚无交接）",
                "Carry-over items: none (no handover yet)",
            )
            .to_string();
    };
    let inc = clean(h.incoming.as_deref().unwrap_or(""));
    let you = cx
        .officer
        .is_some_and(|o| crate::domain::shift::same_officer(o, &inc))
        && !cx.read_only
        && open > 0;
    let mut s = if v.received() {
        let (id, from) = (h.id, clean(&h.officer));
        match lang {
            Lang::Zh => {
                format!("本班接收的遗留事项（班次 #{id} {from} → {inc}）{n} 项 · 未确认 {open} 项")
            }
            Lang::En => format!(
                "Carry-over received (shift #{id} {from} → {inc}): {n} items · {open} not acknowledged"
            ),
        }
    } else {
        match lang {
            Lang::Zh => format!("遗留事项 {n} 项 · 未确认 {open} 项 · 接班人 {inc}"),
            Lang::En => format!("Carry-over items: {n} · {open} not acknowledged · incoming {inc}"),
        }
    };
    if you {
        s.push_str(lang.t(
            "（Enter 确认并到下一项；s 整节；A 全部）",
            " (Enter: acknowledge and on to the next; s: the section; A: all)",
        ));
    }
    s
}

/// A short name of an item's section, leading its row.
fn section_tag(s: ItemSection, lang: Lang) -> &'static str {
    match (s, lang) {
        (ItemSection::Alert, Lang::Zh) => "【预警】",
        (ItemSection::Delivery, Lang::Zh) => "【配送】",
        (ItemSection::Pass, Lang::Zh) => "【通行证】",
        (ItemSection::Reach, Lang::Zh) => "【未联系上】",
        (ItemSection::Cover, Lang::Zh) => "【可供天数】",
        (ItemSection::Carried, Lang::Zh) => "【上班遗留】",
        (ItemSection::Instruction, Lang::Zh) => "【交代】",
        (ItemSection::Watch, Lang::Zh) => "【关注】",
        (ItemSection::Alert, Lang::En) => "[alerts] ",
        (ItemSection::Delivery, Lang::En) => "[deliveries] ",
        (ItemSection::Pass, Lang::En) => "[passes] ",
        (ItemSection::Reach, Lang::En) => "[not reached] ",
        (ItemSection::Cover, Lang::En) => "[cover] ",
        (ItemSection::Carried, Lang::En) => "[carried] ",
        (ItemSection::Instruction, Lang::En) => "[instruction] ",
        (ItemSection::Watch, Lang::En) => "[watch] ",
    }
}

/// One item's text: number, mark, summary, and who acknowledged it when.
/// An item still open from an earlier shift — carried again, or received
/// by the shift on duty — is marked `⚠`.
fn item_text(i: &HandoverItem, received: bool, lang: Lang, tz: Tz) -> (String, &'static str) {
    let summary = clean(&crate::report::handover::strip_offsets(
        lang.t(&i.summary_zh, &i.summary_en),
    ));
    let next = lang.t(&i.next_zh, &i.next_en);
    let summary = if next.is_empty() || i.acknowledged_at.is_some() {
        format!("{}{summary}", section_tag(i.section, lang))
    } else {
        format!(
            "{}{summary} → {}",
            section_tag(i.section, lang),
            clean(next)
        )
    };
    let earlier = i.carried_from.is_some().then_some(());
    let (mark, tail) = match (&i.acknowledged_at, earlier) {
        (Some(at), _) => {
            let by = clean(i.acknowledged_by.as_deref().unwrap_or(""));
            let at = local_short(*at, tz);
            (
                "✔",
                match lang {
                    Lang::Zh => format!(" · {by} {at} 已确认"),
                    Lang::En => format!(" · acknowledged by {by} {at}"),
                },
            )
        }
        (None, Some(_)) => (
            "⚠",
            lang.t(
                " · 上一班遗留，未确认",
                " · not acknowledged in an earlier shift",
            )
            .to_string(),
        ),
        (None, None) if received => (
            "⚠",
            lang.t(
                " · 上一班交来，未确认",
                " · handed over earlier, not acknowledged",
            )
            .to_string(),
        ),
        (None, None) => ("○", String::new()),
    };
    (format!("{mark} {:>2}. {summary}{tail}", i.pos), mark)
}

fn item_lines(v: &HandoverView, cx: &Ctx, width: usize, room: usize) -> Vec<Line<'static>> {
    let theme = cx.theme;
    if v.items.is_empty() {
        let text = match (&v.items_of, v.report.shift.as_ref().map(|s| s.state)) {
            (Some(_), _) => cx.lang.t("（没有遗留事项）", "(no carry-over items)"),
            (None, Some(ShiftState::OnDuty)) => cx.lang.t(
                "（交班时将列出未结事项）",
                "(open items are listed when the shift is handed over)",
            ),
            _ => "",
        };
        return vec![Line::from(Span::styled(
            text.to_string(),
            theme.tone(Tone::Dim),
        ))];
    }
    // Each item one row; the selected one up to a few rows, so it can be
    // read whole before it is acknowledged.
    let mut blocks: Vec<Vec<Line>> = Vec::with_capacity(v.items.len());
    for (k, i) in v.items.iter().enumerate() {
        let (text, mark) = item_text(i, v.received(), cx.lang, cx.tz);
        let selected = k == v.sel;
        let mut style = match mark {
            "✔" => theme.tone(Tone::Dim),
            "⚠" => theme.tone(Tone::Warn).patch(theme.bold()),
            _ => Style::new(),
        };
        if selected {
            style = style.patch(theme.selected());
        }
        let lead = if selected { "▶ " } else { "  " };
        let body_w = width.saturating_sub(2).max(1);
        let rows: Vec<String> = if selected {
            let mut r = crate::tui::wrap::wrap_plain(&text, body_w);
            if r.len() > SELECTED_ROWS {
                r.truncate(SELECTED_ROWS);
                if let Some(last) = r.last_mut() {
                    *last = truncate_to_width(&format!("{last}…"), body_w).into_owned();
                }
            }
            r
        } else {
            vec![truncate_to_width(&text, body_w).into_owned()]
        };
        let block = rows
            .into_iter()
            .enumerate()
            .map(|(j, row)| {
                let lead = if j == 0 { lead } else { "  " };
                Line::from(vec![
                    Span::raw(lead),
                    Span::styled(pad_to_width(&row, body_w), style),
                ])
            })
            .collect();
        blocks.push(block);
    }
    // The first item shown: as late as needed for the selected one to fit.
    let mut top = 0usize;
    loop {
        let need: usize = blocks[top..=v.sel.min(blocks.len() - 1)]
            .iter()
            .map(Vec::len)
            .sum();
        if need <= room || top >= v.sel {
            break;
        }
        top += 1;
    }
    blocks.into_iter().skip(top).flatten().take(room).collect()
}

fn text_lines(v: &HandoverView, width: usize) -> Vec<Line<'static>> {
    sanitize_multiline(&v.text)
        .split('\n')
        .flat_map(|l| crate::tui::wrap::wrap_plain(l, width))
        .map(Line::from)
        .collect()
}

fn render_text(f: &mut Frame, area: Rect, v: &HandoverView) {
    let lines = text_lines(v, area.width.max(1) as usize);
    let max = (lines.len() as u16).saturating_sub(area.height);
    f.render_widget(Paragraph::new(lines).scroll((v.scroll.min(max), 0)), area);
}

fn render_summary(f: &mut Frame, area: Rect, v: &HandoverView, cx: &Ctx) {
    let w = area.width as usize;
    let summary = summary_lines(v, cx, w);
    let chart_h = if area.height >= 12 { CHART_ROWS } else { 0 };
    let header: Vec<Line> = crate::tui::wrap::wrap_plain(&item_header(v, cx), w)
        .into_iter()
        .take(2)
        .map(|l| Line::from(Span::styled(l, cx.theme.bold())))
        .collect();
    let [top, _, chart, _, head, list] = Layout::vertical([
        Constraint::Length(summary.len() as u16),
        Constraint::Length(1),
        Constraint::Length(chart_h),
        Constraint::Length(u16::from(chart_h > 0)),
        Constraint::Length(header.len() as u16),
        Constraint::Fill(1),
    ])
    .areas(area);
    f.render_widget(Paragraph::new(summary), top);
    if chart_h > 0 {
        render_chart(
            f,
            chart,
            &v.report.alerts.timeline,
            v.report.alerts.timeline_bucket_minutes,
            cx,
        );
    }
    f.render_widget(Paragraph::new(header), head);
    let lines = item_lines(v, cx, w, list.height as usize);
    f.render_widget(Paragraph::new(lines), list);
}

pub fn render(f: &mut Frame, area: Rect, v: &HandoverView, cx: &Ctx) {
    if area.width < 20 || area.height < 6 {
        return;
    }
    super::clear_around(f, area, area);
    let lang = cx.lang;
    let wide = HandoverView::wide(area);
    let hint = if wide {
        lang.t(
            " j/k 选择 · PgDn/PgUp 翻报告 · [ ] 上/下一班 · S 班次列表 · Esc 关闭 ",
            " j/k select · PgDn/PgUp report · [ ] older/newer · S shifts · Esc close ",
        )
    } else if v.show_text {
        lang.t(
            " PgDn/PgUp 翻页 · t 回到摘要 · Esc 关闭 ",
            " PgDn/PgUp page · t summary · Esc close ",
        )
    } else {
        lang.t(
            " t 报告全文 · S 班次 · Esc 关闭 ",
            " t full report · S shifts · Esc close ",
        )
    };
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .title(Span::styled(
            format!(" {} ", title(v, lang)),
            cx.theme.bold(),
        ))
        .title_bottom(Line::from(hint).right_aligned());
    let inner = block.inner(area);
    f.render_widget(block, area);
    if wide {
        let [left, sep, right] = Layout::horizontal([
            Constraint::Length(LEFT_W),
            Constraint::Length(3),
            Constraint::Fill(1),
        ])
        .areas(inner);
        render_summary(f, left, v, cx);
        let bar: Vec<Line> = (0..sep.height)
            .map(|_| Line::from(Span::styled(" │ ", cx.theme.tone(Tone::Dim))))
            .collect();
        f.render_widget(Paragraph::new(bar), sep);
        render_text(f, right, v);
    } else if v.show_text {
        render_text(f, inner, v);
    } else {
        render_summary(f, inner, v, cx);
    }
}
