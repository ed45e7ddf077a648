//! Drawing the whole screen from the App's state. Nothing here reads the
//! database: panes draw the rows they loaded.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::app::{App, Level};
use super::glyphs;
use super::keys::{Cmd, PaneId};
use super::layout::{self, Mode, TABS_MIN};
use super::popups::{self, Popup};
use super::theme::Tone;
use crate::domain::activation::ActivationState;
use crate::domain::text::{sanitize, truncate_to_width};
use crate::domain::time::age;

pub fn draw(f: &mut Frame, app: &App) {
    draw_screen(f, app);
    if app.theme.glyphs.wide() {
        glyphs::fold_buffer(f.buffer_mut());
    }
}

fn draw_screen(f: &mut Frame, app: &App) {
    let area = f.area();
    // Normally the app was told the size already; a stale layout is
    // recomputed here so a frame never draws outside the buffer.
    let screen = if app.screen.area == area {
        app.screen.clone()
    } else {
        layout::compute(area, app.focus)
    };
    if screen.mode == Mode::TooSmall {
        too_small(f, area, app);
        return;
    }
    header(f, screen.header, app);
    if screen.mode == Mode::Tabs {
        tabs(f, screen.tabs, app);
    }
    let cx = app.cx();
    for id in PaneId::ALL {
        if let Some(r) = screen.panes[id.index()] {
            app.panes.get(id).render(f, r, &cx, id == app.focus);
        }
    }
    footer(f, screen.footer, app);
    flash(f, screen.body, app);
    for p in &app.popups {
        match p {
            Popup::Help { scroll } => popups::help::render(
                f,
                screen.body,
                &app.keymap,
                app.lang,
                &app.theme,
                app.read_only.is_some(),
                *scroll,
            ),
            Popup::Details { details, scroll } => {
                popups::details::render(f, screen.body, details, *scroll, app.lang, &app.theme)
            }
            Popup::Lookup(l) => {
                popups::lookup::render(f, screen.body, l, app.lang, &app.theme, app.tz)
            }
            Popup::Form(form) => popups::form::render(f, screen.body, form, app.lang, &app.theme),
            Popup::Confirm(c) => popups::confirm::render(f, screen.body, c, app.lang, &app.theme),
            Popup::Command(c) => popups::command::render_line(
                f,
                screen.footer,
                ":",
                &c.input,
                c.comp.as_ref(),
                &app.theme,
            ),
            Popup::Filter(i) => {
                popups::command::render_line(f, screen.footer, "/", i, None, &app.theme)
            }
            Popup::Handover(v) => popups::handover::render(
                f,
                screen.body,
                v,
                &popups::handover::Ctx {
                    lang: app.lang,
                    theme: &app.theme,
                    tz: app.tz,
                    officer: app.officer.as_deref(),
                    read_only: app.read_only.is_some(),
                },
            ),
            Popup::Shifts(l) => {
                popups::shifts::render(f, screen.body, l, app.lang, &app.theme, app.tz)
            }
            Popup::Reach(v) => popups::reach::render(
                f,
                screen.body,
                v,
                &popups::reach::Ctx {
                    lang: app.lang,
                    theme: &app.theme,
                    tz: app.tz,
                    read_only: app.read_only.is_some(),
                },
            ),
        }
    }
    // The handover view covers the body: what an acknowledgement did (or
    // why it was refused) is shown over it.
    if app
        .popups
        .iter()
        .any(|p| matches!(p, Popup::Handover(_) | Popup::Shifts(_) | Popup::Reach(_)))
    {
        flash(f, screen.body, app);
    }
}

fn too_small(f: &mut Frame, area: Rect, app: &App) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let (w, h) = TABS_MIN;
    let (aw, ah) = (area.width, area.height);
    let text = match app.lang {
        crate::i18n::Lang::Zh => format!("终端太小：至少需要 {w}×{h}（现在 {aw}×{ah}）"),
        crate::i18n::Lang::En => format!("terminal too small: {w}×{h} needed (now {aw}×{ah})"),
    };
    // Keys act only on what is seen: here, only these.
    let asking = matches!(app.popups.last(), Some(Popup::Confirm(c)) if matches!(c.on_yes, popups::OnYes::Quit));
    let keys = if asking {
        app.t(
            "表单中有未保存的内容：放大终端查看，或再按 q 放弃并退出",
            "a form holds unsaved input: enlarge the terminal to see it, or q again to discard it and quit",
        )
    } else {
        app.t(
            "此时只有 q 退出、Ctrl-L 重画；其他按键不起作用",
            "only q (quit) and Ctrl-L (redraw) work here; other keys do nothing",
        )
    };
    let width = area.width as usize;
    let mut lines: Vec<Line> = super::wrap::wrap_plain(&text, width)
        .into_iter()
        .map(|l| Line::from(l).alignment(Alignment::Center))
        .collect();
    lines.extend(
        super::wrap::wrap_plain(keys, width)
            .into_iter()
            .map(|l| Line::from(l).alignment(Alignment::Center)),
    );
    let p = Paragraph::new(lines);
    let y = area.y + area.height.saturating_sub(3) / 2;
    let rows = 6.min(area.height - (y - area.y));
    f.render_widget(
        p,
        Rect {
            y,
            height: rows,
            ..area
        },
    );
}

fn header(f: &mut Frame, r: Rect, app: &App) {
    let theme = &app.theme;
    let base = theme.header();
    let now = app.now().with_timezone(&app.tz);
    let width = r.width as usize;
    // From the fullest form to the most compact, the first that fits.
    const LEVELS: usize = 5;
    for level in 0..LEVELS {
        let mut spans = vec![
            Span::styled(
                format!(" {} ", sanitize(&app.cfg.subdistrict)),
                base.patch(theme.bold()),
            ),
            Span::styled(
                format!(" {} ", now.format("%H:%M")),
                base.patch(theme.bold()),
            ),
            Span::styled(" ", base),
        ];
        match &app.activation {
            Some(a) if a.state == ActivationState::Activated => {
                // Narrower, the directive goes first (pane 1 shows it),
                // then the posts; the elapsed time stays longest.
                let directive = sanitize(&a.directive);
                let on = app.t("已激活", "ACTIVATED");
                let elapsed = age(app.now() - a.since());
                let (m, p) = app.posts_manned;
                let posts = format!("{} {m}/{p}", app.t("到岗", "manned"));
                let text = match level {
                    0 | 1 => format!(" ● {on} {directive} · {elapsed} · {posts} "),
                    2 => format!(" ● {on} {elapsed} · {posts} "),
                    3 => format!(" ● {on} {elapsed} "),
                    _ => format!(" ● {on} "),
                };
                spans.push(Span::styled(text, theme.badge(Tone::Bad)));
            }
            _ => spans.push(Span::styled(
                format!(" ○ {} ", app.t("平时", "NORMAL")),
                base,
            )),
        }
        if let Some(p) = &app.handover.pending {
            // Shown to every session, the outgoing and the incoming
            // officer's alike, until the handover is acknowledged.
            let incoming = p.incoming.as_deref().unwrap_or_default();
            let mine = app
                .officer
                .as_deref()
                .is_some_and(|o| crate::domain::shift::same_officer(o, incoming));
            // Whom it waits for stays to the last: a bare name beside the
            // badge would read as the wrong officer. Narrow, "you" is short.
            let to = if mine && level >= 3 {
                app.t("你", "you").to_string()
            } else {
                sanitize(incoming).into_owned()
            };
            let pending = app.t("交接待确认", "HANDOVER PENDING");
            let text = format!(" ⇄ {pending} → {to} ");
            spans.push(Span::styled(" ", base));
            spans.push(Span::styled(text, theme.badge(Tone::Warn)));
        } else if app.handover.unacknowledged_items > 0 {
            // Carry-over items nobody signed for stay in sight all shift.
            let n = app.handover.unacknowledged_items;
            let text = match (app.lang, level) {
                (crate::i18n::Lang::Zh, 0..=2) => format!(" 遗留 {n} 项未确认 "),
                (crate::i18n::Lang::Zh, _) => format!(" 遗留未确认 {n} "),
                (crate::i18n::Lang::En, 0..=2) if n == 1 => " 1 ITEM NOT ACKNOWLEDGED ".to_string(),
                (crate::i18n::Lang::En, 0..=2) => format!(" {n} ITEMS NOT ACKNOWLEDGED "),
                (crate::i18n::Lang::En, _) => format!(" UNACKED {n} "),
            };
            spans.push(Span::styled(" ", base));
            spans.push(Span::styled(text, theme.badge(Tone::Warn)));
        }
        if let Some(text) = notify_badge(app, level) {
            spans.push(Span::styled(" ", base));
            spans.push(Span::styled(text, theme.badge(Tone::Warn)));
        }
        if app.read_only.is_some() {
            spans.push(Span::styled(" ", base));
            spans.push(Span::styled(
                format!(" {} ", app.t("只读", "READ-ONLY")),
                theme.badge(Tone::Warn),
            ));
        }
        spans.push(Span::styled(officer_part(app, level), base));
        let used: usize = spans.iter().map(|s| s.content.width()).sum();
        if used <= width || level == LEVELS - 1 {
            spans.push(Span::styled(" ".repeat(width.saturating_sub(used)), base));
            f.render_widget(Paragraph::new(Line::from(spans)), r);
            return;
        }
    }
}

/// Messages to the work groups: a channel failing, or messages waiting
/// for over a minute (a sender that is not running).
fn notify_badge(app: &App, level: usize) -> Option<String> {
    let b = &app.notify;
    if let Some(first) = b.failing.first() {
        let name = sanitize(first);
        return Some(match level {
            0..=2 => format!(" {} {name} ", app.t("通知发送失败", "NOTIFY FAILING")),
            _ => format!(" {} ", app.t("通知失败", "NOTIFY!")),
        });
    }
    let old = b
        .oldest
        .is_some_and(|t| app.now() - t > chrono::Duration::minutes(1));
    if b.waiting == 0 || !old {
        return None;
    }
    let n = b.waiting;
    Some(match level {
        0..=2 => format!(" {} {n} ", app.t("通知待发", "MSGS WAITING")),
        _ => format!(" {} {n} ", app.t("待发", "MSGS")),
    })
}

/// The officer of this session and the shift on duty: who, since when.
fn officer_part(app: &App, level: usize) -> String {
    let me = app.officer.as_deref().map(sanitize);
    let Some(s) = &app.handover.on_duty else {
        return match (me, level) {
            (Some(o), 0..=2) => format!(
                " {} {o} · {} ",
                app.t("值班员", "officer"),
                app.t("未上岗", "no shift")
            ),
            (Some(o), 3) => format!(" {} {o} ", app.t("值班员", "officer")),
            (Some(o), _) => format!(" {o} "),
            (None, _) => format!(" {} ", app.t("值班员：未登记", "officer: not named")),
        };
    };
    let since = s.started_at.with_timezone(&app.tz).format("%H:%M");
    let mine = app
        .officer
        .as_deref()
        .is_some_and(|o| crate::domain::shift::same_officer(o, &s.officer));
    let on = sanitize(&s.officer);
    match (me, mine, level) {
        (Some(o), true, 0) => format!(
            " {} {o} · {} {since} ",
            app.t("值班员", "officer"),
            app.t("上岗", "since")
        ),
        (Some(o), true, 1 | 2) => format!(" {} {o} {since} ", app.t("值班", "on duty")),
        (Some(o), true, _) => format!(" {o} {since} "),
        (Some(o), false, 0) => format!(
            " {} {o} · {} {on} {} {since} ",
            app.t("值班员", "officer"),
            app.t("当班", "on duty"),
            app.t("自", "since"),
        ),
        (Some(o), false, 1..=3) => format!(" {o} · {on} {since} "),
        (Some(o), false, _) => format!(" {o} "),
        (None, _, 0..=2) => format!(
            " {} · {} {on} {since} ",
            app.t("值班员：未登记", "officer: not named"),
            app.t("当班", "on duty"),
        ),
        (None, _, _) => format!(" {on} {since} "),
    }
}

fn tabs(f: &mut Frame, r: Rect, app: &App) {
    let theme = &app.theme;
    let build = |short: bool| {
        let mut spans = Vec::new();
        for id in PaneId::ALL {
            let title = if short {
                id.short(app.lang)
            } else {
                id.title(app.lang)
            };
            let label = format!(" {} {} ", id.index() + 1, title);
            let style = if id == app.focus {
                theme.title(true)
            } else {
                theme.tone(Tone::Normal)
            };
            spans.push(Span::styled(label, style));
            spans.push(Span::styled("│", theme.tone(Tone::Dim)));
        }
        spans.pop();
        spans
    };
    let mut spans = build(false);
    if spans.iter().map(|s| s.content.width()).sum::<usize>() > r.width as usize {
        spans = build(true);
    }
    f.render_widget(Paragraph::new(Line::from(spans)), r);
}

/// The keys that work here, from the key table; changing ones are left
/// out in read-only mode. Most important first: the one key the officer
/// needs next (going on duty, taking a handover over), then the focused
/// pane's own keys, the list's, the rest.
pub fn hints(app: &App) -> Vec<(String, &'static str)> {
    let contexts = app.contexts();
    let read_only = app.read_only.is_some();
    let mut out = Vec::new();
    let mut lead = Vec::new();
    for ctx in &contexts {
        for (keys, b) in app.keymap.rows(std::slice::from_ref(ctx)) {
            let Some((zh, en)) = b.footer else { continue };
            // The first key is enough for a hint; `?` lists them all.
            let keys = keys.into_iter().next().unwrap_or_default();
            if read_only && b.changes {
                continue;
            }
            // Row actions only where the selected row can take them.
            if app.popups.is_empty() && !app.panes.get(app.focus).offers(b.cmd) {
                continue;
            }
            match b.cmd {
                Cmd::ShiftStart if !app.may_go_on_duty() => continue,
                Cmd::ShiftStart => lead.push((keys, app.lang.t(zh, en))),
                Cmd::Handover if app.handover_waits_for_me() => {
                    lead.push((keys, app.t("接班", "take over")))
                }
                _ => out.push((keys, app.lang.t(zh, en))),
            }
        }
    }
    lead.extend(out);
    lead
}

fn footer(f: &mut Frame, r: Rect, app: &App) {
    let theme = &app.theme;
    let all = hints(app);
    // `?` and `q` always show, at the right; the rest fill from the left
    // in their order, and `?` says "more" when some did not fit.
    let (tail, head): (Vec<_>, Vec<_>) = all.into_iter().partition(|(k, _)| k == "?" || k == "q");
    let piece = |k: &str, d: &str| (format!(" {k}"), format!(" {d} "));
    let width = |items: &[(String, &str)]| -> usize {
        items
            .iter()
            .map(|(k, d)| {
                let (a, b) = piece(k, d);
                a.width() + b.width()
            })
            .sum()
    };
    let more = app.t("更多", "more");
    let mut tail: Vec<(String, &str)> = tail;
    let head_fits = width(&head) + width(&tail) <= r.width as usize;
    if !head_fits {
        for t in tail.iter_mut().filter(|(k, _)| k == "?") {
            t.1 = more;
        }
    }
    let tail_w = width(&tail);
    let mut spans = Vec::new();
    let mut used = 0usize;
    for (i, (keys, desc)) in head.iter().enumerate() {
        let (k, d) = piece(keys, desc);
        let w = k.width() + d.width();
        if used + w + tail_w > r.width as usize {
            break;
        }
        used += w;
        // The key the officer needs next stands out.
        let lead = i == 0
            && app.popups.is_empty()
            && (app.may_go_on_duty() || app.handover_waits_for_me());
        let kstyle = if lead {
            theme.badge(Tone::Warn)
        } else {
            theme.bold()
        };
        spans.push(Span::styled(k, kstyle));
        spans.push(Span::styled(
            d,
            if lead {
                theme.badge(Tone::Warn)
            } else {
                theme.tone(Tone::Dim)
            },
        ));
    }
    let gap = (r.width as usize).saturating_sub(used + tail_w);
    spans.push(Span::raw(" ".repeat(gap)));
    for (keys, desc) in &tail {
        let (k, d) = piece(keys, desc);
        spans.push(Span::styled(k, theme.bold()));
        spans.push(Span::styled(d, theme.tone(Tone::Dim)));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), r);
}

fn flash(f: &mut Frame, body: Rect, app: &App) {
    let Some(fl) = &app.flash else { return };
    if body.height == 0 || body.width == 0 {
        return;
    }
    let theme = &app.theme;
    let (symbol, style) = match fl.level {
        Level::Info => ("✔", theme.badge(Tone::Good)),
        Level::Warn => ("⚠", theme.badge(Tone::Warn)),
        Level::Error => ("✘", theme.badge(Tone::Bad)),
    };
    let text = format!(" {symbol} {} ", sanitize(fl.msg.get(app.lang)));
    let mut rows = wrap_cells(&text, body.width as usize);
    if rows.len() > 3 {
        rows.truncate(3);
        if let Some(last) = rows.last_mut() {
            *last = truncate_to_width(&format!("{last}…"), body.width as usize).into_owned();
        }
    }
    let n = (rows.len() as u16).min(body.height);
    let r = Rect {
        y: body.y + body.height - n,
        height: n,
        ..body
    };
    f.render_widget(Clear, r);
    let lines: Vec<Line> = rows
        .into_iter()
        .map(|l| Line::from(Span::styled(l, style)))
        .collect();
    f.render_widget(Paragraph::new(lines).style(style), r);
}

/// Breaks `text` into rows of at most `width` columns.
pub fn wrap_cells(text: &str, width: usize) -> Vec<String> {
    super::wrap::wrap_plain(text, width)
}
