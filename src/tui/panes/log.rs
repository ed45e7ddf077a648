//! Pane 5: the duty log, newest first, live. Without a filter the log's
//! sequence numbers are contiguous, so any window is one indexed query
//! (`seq < N LIMIT n`). With a filter, windows are found from bookmarks
//! (row index → `before_seq`) recorded while paging, so going back up
//! never rescans from the top.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use super::{Cx, Details, Pane, count_note, frame_block, header_line, inner, render_empty};
use crate::domain::Code;
use crate::domain::log::LogKind;
use crate::domain::time::{from_db, local_minute, local_short};
use crate::store::StoreError;
use crate::store::log::{LogFilter, LogRow};
use crate::tui::keys::{Cmd, Context, PaneId};
use crate::tui::list::{Paged, col, fit, flex, render_rows, row_line};
use crate::tui::theme::Tone;

/// Rows read per step while walking a filtered log to a far window.
const WALK_STEP: usize = 500;

#[derive(Default)]
pub struct LogPane {
    list: Paged<LogRow>,
    filter: Option<String>,
    /// For a filtered log: `(index, before_seq)` — the row at `index` is
    /// the first with `seq < before_seq`. Sorted by index.
    bookmarks: Vec<(usize, i64)>,
    /// `G` on a filtered log: walk to its end first (its length is not
    /// known until then).
    to_bottom: bool,
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
            grep: self.filter.clone(),
            before_seq: Some(before),
            limit: Some(limit as i64),
            ..Default::default()
        })
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
            let Some(w) = self.list.wanted() else {
                return Ok(());
            };
            let head = cx.store.head()?.seq;
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
        self.list.fill(at, rows, total, exact, |r| r.seq);
        Ok(())
    }

    fn invalidate(&mut self) {
        self.list.invalidate();
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
        let note = count_note(l.sel, l.total, l.exact, self.filter.as_deref(), cx.lang);
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
                    cx.t("时间", "Time"),
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
        render_rows(f, rows, l, focused, theme, |r| {
            let time = from_db(
                &r.occurred_at
                    .clone()
                    .unwrap_or_else(|| r.recorded_at.clone()),
            )
            .map(|t| local_short(t, cx.tz))
            .unwrap_or_default();
            let kind_tone = match r.kind.as_str() {
                "change" => Tone::Dim,
                "handover" | "instruction" => Tone::Warn,
                _ => Tone::Normal,
            };
            // A corrected entry stays, marked with the entry that
            // corrects it; a correction names the entry it corrects.
            let mut text = r.text.clone();
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
            (t("内容", "Text"), r.text.clone()),
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

    fn set_filter(&mut self, filter: Option<String>) {
        self.filter = filter.filter(|f| !f.is_empty());
        self.bookmarks.clear();
        self.list.invalidate();
        self.list.move_to(0);
        self.list.top = 0;
    }
}
