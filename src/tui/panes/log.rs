//! Pane 5: the duty log, newest first, live. Without a filter the log's
//! sequence numbers are contiguous, so any window is one indexed query
//! (`seq < N LIMIT n`). With a filter, windows are found from bookmarks
//! (row index → `before_seq`) recorded while paging, so going back up
//! never rescans from the top.
//!
//! The filter (`/`) is text to find, with optional terms for the rest:
//! `kind:call officer:王静 since:08:00 until:12:00 community:一碗水 药品`
//! (Chinese names work too: `类别:来电 值班员:王静 从:08:00 到:12:00
//! 社区:一碗水`). Text of one or two Chinese characters is found as well;
//! the store's search keys make it an index probe.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use super::{Cx, Details, Pane, count_note, frame_block, header_line, inner, render_empty};
use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};

use crate::domain::Code;
use crate::domain::log::LogKind;
use crate::domain::text::sanitize;
use crate::domain::time::{from_db, local_minute, local_short, parse_local};
use crate::msg;
use crate::msg::Msg;
use crate::store::StoreError;
use crate::store::log::{LogFilter, LogRow};
use crate::store::places::Ref;
use crate::tui::feed::{Changes, Table};
use crate::tui::keys::{Cmd, Context, PaneId};
use crate::tui::list::{Paged, bar_over, col, fit, flex, render_rows, row_line};
use crate::tui::theme::Tone;

/// Rows read per step while walking a filtered log to a far window.
const WALK_STEP: usize = 500;

#[derive(Default)]
pub struct LogPane {
    list: Paged<LogRow>,
    /// The filter as typed, shown in the title.
    filter: Option<String>,
    /// What it asks of the store (`before_seq` and `limit` aside).
    query: LogFilter,
    /// For a filtered log: `(index, before_seq)` — the row at `index` is
    /// the first with `seq < before_seq`. Sorted by index.
    bookmarks: Vec<(usize, i64)>,
    /// `G` on a filtered log: walk to its end first (its length is not
    /// known until then).
    to_bottom: bool,
    /// The newest entry when the log was last read (unfiltered).
    head: i64,
    /// A filtered log read again with the selection on its first row: it
    /// stays on the first row (the newest match).
    follow: bool,
}

fn kind_label(code: &str, cx: &Cx) -> String {
    LogKind::from_code(code).map_or_else(|| code.to_string(), |k| k.label(cx.lang).to_string())
}

impl LogPane {
    pub fn selected(&self) -> Option<&LogRow> {
        self.list.selected()
    }

    fn fetch(&self, cx: &Cx, before: i64, limit: usize) -> Result<Vec<LogRow>, StoreError> {
        cx.store.log_list(&LogFilter {
            before_seq: Some(before),
            limit: Some(limit as i64),
            ..self.query.clone()
        })
    }

    /// Sets the filter as typed and what it was read as.
    pub fn set_query(&mut self, typed: Option<String>, query: LogFilter) {
        self.filter = typed.filter(|f| !f.trim().is_empty());
        self.query = if self.filter.is_some() {
            query
        } else {
            LogFilter::default()
        };
        self.bookmarks.clear();
        self.list.invalidate();
        self.list.move_to(0);
        self.list.top = 0;
    }

    pub fn query(&self) -> &LogFilter {
        &self.query
    }
}

/// A term's key, in English or Chinese, ASCII or full-width colon.
fn term(word: &str) -> Option<(&'static str, &str)> {
    let (k, v) = word.split_once([':', '：'])?;
    let key = match k.to_lowercase().as_str() {
        "kind" | "类别" | "类型" => "kind",
        "officer" | "值班员" | "人" => "officer",
        "community" | "社区" | "村" => "community",
        "since" | "from" | "从" | "自" => "since",
        "until" | "to" | "到" | "至" => "until",
        "text" | "文字" | "内容" => "text",
        _ => return None,
    };
    Some((key, v))
}

/// `HH:MM` on the day of `base` in `tz`, or the first such moment after
/// `base` when `after` (an overnight `since:20:00 until:08:00`).
fn clock_time(
    s: &str,
    tz: chrono_tz::Tz,
    base: DateTime<Utc>,
    after: bool,
) -> Option<DateTime<Utc>> {
    let t = NaiveTime::parse_from_str(s, "%H:%M").ok()?;
    let day = base.with_timezone(&tz).date_naive();
    let at = tz
        .from_local_datetime(&day.and_time(t))
        .earliest()?
        .with_timezone(&Utc);
    Some(if after && at <= base {
        at + Duration::days(1)
    } else {
        at
    })
}

/// `2026-11-29` or `2026/11/29`: a day, which a time may follow.
fn is_date(v: &str) -> bool {
    chrono::NaiveDate::parse_from_str(&v.replace('/', "-"), "%Y-%m-%d").is_ok()
}

/// Reads a filter as typed into what the store is asked. Words that are
/// not terms are the text to find (joined by single spaces).
pub fn parse_query(typed: &str, cx: &Cx) -> Result<LogFilter, Msg> {
    let mut q = LogFilter::default();
    let mut text: Vec<String> = Vec::new();
    let mut until_typed: Option<String> = None;
    let bad_time = |what: &str, v: &str| {
        let v = sanitize(v).into_owned();
        let (zh, en) = match what {
            "since" => ("开始时间", "start"),
            _ => ("结束时间", "end"),
        };
        msg!(
            "筛选的{zh}“{v}”无法识别；请写成 08:00、-2h 或 2026-11-29 08:00。",
            "The filter's {en} \"{v}\" is not a time I can read; write it like 08:00, -2h or 2026-11-29 08:00."
        )
    };
    let mut words = typed.split_whitespace().peekable();
    while let Some(word) = words.next() {
        let Some((key, v)) = term(word) else {
            text.push(word.to_string());
            continue;
        };
        let mut v = v.trim().to_string();
        // `since:2026-11-29 08:00`: a date, then its time as the next word.
        if matches!(key, "since" | "until")
            && is_date(&v)
            && let Some(t) = words.next_if(|w| NaiveTime::parse_from_str(w, "%H:%M").is_ok())
        {
            v = format!("{v} {t}");
        }
        let v = v.as_str();
        if v.is_empty() {
            let k = sanitize(word).into_owned();
            return Err(msg!(
                "筛选条件“{k}”后面缺少内容；请写成如 kind:call 或 类别:来电。",
                "The filter term \"{k}\" has nothing after the colon; write it like kind:call."
            ));
        }
        match key {
            "kind" => {
                q.kind = Some(LogKind::parse(v).ok_or_else(|| {
                    let (v, list) = (sanitize(v).into_owned(), LogKind::codes_list());
                    let zh: Vec<&str> = LogKind::ALL.iter().map(|k| k.label_zh()).collect();
                    let zh = zh.join("、");
                    msg!(
                        "没有“{v}”这种日志类别；可选：{zh}。",
                        "There is no log kind \"{v}\"; use one of: {list}."
                    )
                })?)
            }
            "officer" => q.officer = Some(v.to_string()),
            "community" => q.community = Some(community_ref(v, cx)?),
            "since" => {
                q.since = Some(
                    clock_time(v, cx.tz, cx.now, false)
                        .or_else(|| parse_local(v, cx.tz, cx.now).ok())
                        .ok_or_else(|| bad_time("since", v))?,
                )
            }
            "until" => until_typed = Some(v.to_string()),
            _ => text.push(v.to_string()),
        }
    }
    if let Some(v) = until_typed.as_deref() {
        // `until:12:00` is that time today, or after `since` when given.
        let t = match q.since {
            Some(since) => clock_time(v, cx.tz, since, true),
            None => clock_time(v, cx.tz, cx.now, false),
        };
        q.until = Some(
            t.or_else(|| parse_local(v, cx.tz, cx.now).ok())
                .ok_or_else(|| bad_time("until", v))?,
        );
    }
    if let (Some(a), Some(b)) = (q.since, q.until)
        && b <= a
    {
        return Err(msg!(
            "筛选的结束时间不晚于开始时间；请检查 since 与 until。",
            "The filter's end is not after its start; check since and until."
        ));
    }
    let text = text.join(" ");
    q.grep = Some(text).filter(|t| !t.is_empty());
    Ok(q)
}

/// The community a filter names: by its name or the start of it; a
/// compound's name stands for its community.
fn community_ref(v: &str, cx: &Cx) -> Result<Ref, Msg> {
    match cx.store.community_by_name(v) {
        Ok(c) => Ok(Ref::Id(c.id)),
        Err(e) => {
            for name in cx.store.community_names().map_err(|e| e.message())? {
                let Ok(c) = cx.store.community_by_name(&name) else {
                    continue;
                };
                let compounds = cx.store.compounds_of(c.id).map_err(|e| e.message())?;
                if compounds.iter().any(|k| k.name.starts_with(v)) {
                    return Ok(Ref::Id(c.id));
                }
            }
            Err(e.message())
        }
    }
}

impl Pane for LogPane {
    fn id(&self) -> PaneId {
        PaneId::Log
    }

    fn contexts(&self) -> &'static [Context] {
        &[Context::Log, Context::List]
    }

    fn offers(&self, cmd: Cmd) -> bool {
        match cmd {
            Cmd::Correct => self
                .list
                .selected()
                .is_some_and(|r| r.corrected_by.is_none()),
            _ => true,
        }
    }

    fn set_area(&mut self, area: Rect) {
        // One line for the column header.
        self.list
            .set_height(inner(area).height.saturating_sub(1) as usize);
    }

    fn load(&mut self, cx: &Cx) -> Result<(), StoreError> {
        if self.filter.is_none() {
            if !self.list.stale && self.list.wanted().is_none() {
                return Ok(());
            }
            let head = cx.store.head()?.seq;
            // Entries are numbered without gaps: the entries since the
            // last read stand above every row held.
            if !self.list.rows.is_empty() && head > self.head {
                self.list.arrived_above((head - self.head) as usize);
            }
            self.head = head;
            let Some(w) = self.list.wanted() else {
                return Ok(());
            };
            let before = head - w.start as i64 + 1;
            let rows = self.fetch(cx, before, w.limit)?;
            self.list
                .fill(w.start, rows, head.max(0) as usize, true, |r| r.seq);
            return Ok(());
        }
        if self.list.stale {
            // New entries shift every index: the bookmarks are void.
            self.bookmarks.clear();
        }
        if std::mem::take(&mut self.to_bottom) && !self.list.exact {
            // The length is unknown until the end is reached: walk there,
            // keeping only bookmarks, then aim at the last row.
            let (mut at, mut before) = self.bookmarks.last().copied().unwrap_or((0, i64::MAX));
            loop {
                let rows = self.fetch(cx, before, WALK_STEP)?;
                let Some(last) = rows.last() else { break };
                at += rows.len();
                before = last.seq;
                self.bookmarks.push((at, before));
                if rows.len() < WALK_STEP {
                    break;
                }
            }
            self.list.total = at;
            self.list.exact = true;
            self.list.move_to(usize::MAX);
        }
        let Some(w) = self.list.wanted() else {
            return Ok(());
        };
        let (mut at, mut before) = self
            .bookmarks
            .iter()
            .rev()
            .find(|(i, _)| *i <= w.start)
            .copied()
            .unwrap_or((0, i64::MAX));
        while at < w.start {
            let step = (w.start - at).min(WALK_STEP);
            let rows = self.fetch(cx, before, step)?;
            let Some(last) = rows.last() else { break };
            at += rows.len();
            before = last.seq;
            if self.bookmarks.last().is_none_or(|(i, _)| *i < at) {
                self.bookmarks.push((at, before));
            }
            if rows.len() < step {
                break;
            }
        }
        let rows = self.fetch(cx, before, w.limit)?;
        let exact = rows.len() < w.limit || (self.list.exact && at + rows.len() >= self.list.total);
        let total = at + rows.len();
        let was = self.list.sel;
        self.list.fill(at, rows, total, exact, |r| r.seq);
        if std::mem::take(&mut self.follow) {
            self.list.move_to(0);
        } else if self.list.sel > was {
            self.list.unseen += self.list.sel - was;
        }
        Ok(())
    }

    fn invalidate(&mut self) {
        self.follow = self.filter.is_some() && self.list.sel == 0;
        self.list.invalidate();
    }

    fn is_stale(&self) -> bool {
        self.list.stale
    }

    fn tables(&self) -> &'static [Table] {
        &[]
    }

    /// Every entry is the log's: it reads the entries after those it
    /// holds (and the corrections of those it holds) again.
    fn note(&mut self, changes: &Changes) {
        if changes.everything || !changes.entries.is_empty() {
            self.invalidate();
        }
    }

    fn held(&self) -> (usize, usize) {
        (self.list.rows.len(), self.list.total)
    }

    fn handle(&mut self, cmd: Cmd) -> bool {
        let l = &mut self.list;
        match cmd {
            Cmd::Down => l.move_by(1),
            Cmd::Up => l.move_by(-1),
            Cmd::PageDown => l.move_by(l.page()),
            Cmd::PageUp => l.move_by(-l.page()),
            Cmd::Top => l.move_to(0),
            Cmd::Bottom => {
                l.move_to(usize::MAX);
                self.to_bottom = self.filter.is_some();
            }
            _ => return false,
        }
        true
    }

    fn render(&self, f: &mut Frame, area: Rect, cx: &Cx, focused: bool) {
        let l = &self.list;
        let mut note = count_note(l.sel, l.total, l.exact, self.filter.as_deref(), cx.lang);
        let unseen = l.unseen_above();
        if unseen > 0 {
            note = format!("↑ {unseen} {} · {note}", cx.t("条新记录", "new"));
        }
        f.render_widget(frame_block(self.id(), note, cx, focused), area);
        let body = inner(area);
        let [head, rows] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(body);
        let theme = &cx.theme;
        let widths = fit(
            body.width.saturating_sub(1) as usize,
            &[col(7, 9), col(11, 8), col(6, 6), col(8, 5), flex(20, 9)],
        );
        f.render_widget(
            header_line(
                &widths,
                &[
                    "#",
                    cx.t("记录时间", "Recorded"),
                    cx.t("类别", "Kind"),
                    cx.t("值班员", "Officer"),
                    cx.t("内容", "Entry"),
                ],
                theme,
            ),
            head,
        );
        if l.total == 0 && !l.stale {
            let text = if self.filter.is_some() {
                cx.t("没有符合筛选的记录", "no entries match the filter")
            } else {
                cx.t("日志为空", "the log is empty")
            };
            render_empty(f, rows, text, theme);
            return;
        }
        render_rows(f, rows, l, focused, theme, bar_over(&widths, 2), |r| {
            // The time it was recorded, the one `since:`/`until:` read;
            // when it happened is in the details.
            let time = from_db(&r.recorded_at)
                .map(|t| local_short(t, cx.tz))
                .unwrap_or_default();
            let kind_tone = match r.kind.as_str() {
                "change" => Tone::Dim,
                "handover" | "instruction" => Tone::Warn,
                _ => Tone::Normal,
            };
            // A corrected entry stays, marked with the entry that
            // corrects it; a correction names the entry it corrects.
            let mut text = r.line(cx.lang);
            let mut style = ratatui::style::Style::default();
            if let Some(c) = r.corrects {
                text = match cx.lang {
                    crate::i18n::Lang::Zh => format!("〔更正 #{c}〕{text}"),
                    crate::i18n::Lang::En => format!("[corrects #{c}] {text}"),
                };
            }
            if let Some(by) = r.corrected_by {
                text = match cx.lang {
                    crate::i18n::Lang::Zh => format!("〔已更正→#{by}〕{text}"),
                    crate::i18n::Lang::En => format!("[corrected → #{by}] {text}"),
                };
                style = theme.tone(Tone::Dim);
            }
            row_line(
                &widths,
                vec![
                    (r.seq.to_string(), theme.tone(Tone::Dim)),
                    (time, Default::default()),
                    (kind_label(&r.kind, cx), theme.tone(kind_tone)),
                    (r.officer.clone(), Default::default()),
                    (text, style),
                ],
            )
        });
    }

    fn details(&self, cx: &Cx) -> Option<Details> {
        let r = self.list.selected()?;
        let t = |zh: &str, en: &str| cx.t(zh, en).to_string();
        let time = |s: &str| {
            from_db(s)
                .map(|t| local_minute(t, cx.tz))
                .unwrap_or_else(|| s.to_string())
        };
        let mut lines = vec![
            (t("序号", "Entry"), format!("#{}", r.seq)),
            (t("类别", "Kind"), kind_label(&r.kind, cx)),
            (t("内容", "Text"), r.line(cx.lang)),
            (t("值班员", "Officer"), r.officer.clone()),
            (t("系统用户", "OS user"), r.os_user.clone()),
            (
                t("SSH 来源", "SSH client"),
                r.ssh_client.clone().unwrap_or_else(|| "—".into()),
            ),
            (t("记录时间", "Recorded"), time(&r.recorded_at)),
            (
                t("发生时间", "Happened"),
                r.occurred_at
                    .as_deref()
                    .map(time)
                    .unwrap_or_else(|| "—".into()),
            ),
        ];
        if let Some(s) = &r.subject {
            lines.push((t("涉及记录", "Subject"), s.clone()));
        }
        if let Some(c) = r.corrects {
            lines.push((t("更正", "Corrects"), format!("#{c}")));
        }
        if let Some(c) = r.corrected_by {
            lines.push((t("已被更正", "Corrected by"), format!("#{c}")));
        }
        lines.push((
            t("哈希", "Hash"),
            r.hash.chars().take(16).collect::<String>() + "…",
        ));
        Some(Details {
            title: format!("{} #{}", t("值守日志", "Duty log"), r.seq),
            lines,
        })
    }

    fn filter(&self) -> Option<&str> {
        self.filter.as_deref()
    }

    /// Plain text to find; the console reads terms with [`parse_query`]
    /// and [`LogPane::set_query`].
    fn set_filter(&mut self, filter: Option<String>) {
        let query = LogFilter {
            grep: filter.clone(),
            ..Default::default()
        };
        self.set_query(filter, query);
    }
}
