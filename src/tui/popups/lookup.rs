//! Plate lookup: "may this vehicle pass?". The plate is normalised as it
//! is typed; Enter asks the store and shows the verdict large enough to
//! read from a step away, with the vehicle, unit, driver (phone masked),
//! pass and window — or, with no exact match, the near plates.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};
use tui_input::Input;
use unicode_width::UnicodeWidthStr;

use super::centered;
use super::form::skip_width;
use crate::domain::Code;
use crate::domain::mask::mask_phone;
use crate::domain::pass::PassStatus;
use crate::domain::plate::{self, Normalized, PlateError};
use crate::domain::text::{pad_to_width, sanitize};
use crate::domain::time::local_minute;
use crate::i18n::Lang;
use crate::msg::Msg;
use crate::store::passes::Verdict;
use crate::tui::theme::{Theme, Tone, pass_tone};

#[derive(Debug, Clone, Default)]
pub struct Lookup {
    pub input: Input,
    /// The plate as normalised so far, or why it is not a plate.
    pub norm: Option<Result<Normalized, PlateError>>,
    pub verdict: Option<Verdict>,
    /// The near plate chosen with ↓/↑, if any.
    pub near_sel: Option<usize>,
    pub error: Option<Msg>,
    /// The plate in the field is selected (opened with one, or just looked
    /// up): typing replaces it, Backspace clears it, a move keeps it.
    pub selected: bool,
}

impl Lookup {
    pub fn with_text(text: &str) -> Lookup {
        let mut l = Lookup {
            input: Input::new(text.to_string()),
            selected: !text.is_empty(),
            ..Default::default()
        };
        l.renormalize();
        l
    }

    /// Called after every edit of the field.
    pub fn renormalize(&mut self) {
        let v = self.input.value();
        self.norm = if v.trim().is_empty() {
            None
        } else {
            Some(plate::normalize(v))
        };
        self.verdict = None;
        self.near_sel = None;
        self.error = None;
    }

    pub fn near(&self) -> &[String] {
        self.verdict.as_ref().map_or(&[], |v| v.near.as_slice())
    }

    pub fn move_near(&mut self, d: isize) {
        let n = self.near().len();
        if n == 0 {
            return;
        }
        self.near_sel = Some(match (self.near_sel, d >= 0) {
            (None, true) => 0,
            (None, false) => n - 1,
            (Some(i), true) => (i + 1).min(n - 1),
            (Some(0), false) => 0,
            (Some(i), false) => i - 1,
        });
    }
}

/// The verdict's label, in block letters when there is room.
pub fn verdict_word(status: Option<PassStatus>) -> &'static str {
    status.map_or("NO PASS", |s| s.label_en())
}

pub fn verdict_label(status: Option<PassStatus>, lang: Lang) -> &'static str {
    match status {
        Some(s) => s.label(lang),
        None => lang.t("无通行证", "NO PASS"),
    }
}

/// 5-row block letters for the verdict words.
fn glyph(c: char) -> Option<[&'static str; 5]> {
    Some(match c {
        'A' => [" ███ ", "█   █", "█████", "█   █", "█   █"],
        'C' => [" ████", "█    ", "█    ", "█    ", " ████"],
        'D' => ["████ ", "█   █", "█   █", "█   █", "████ "],
        'E' => ["█████", "█    ", "████ ", "█    ", "█████"],
        'G' => [" ████", "█    ", "█  ██", "█   █", " ████"],
        'I' => ["███", " █ ", " █ ", " █ ", "███"],
        'K' => ["█   █", "█  █ ", "███  ", "█  █ ", "█   █"],
        'L' => ["█    ", "█    ", "█    ", "█    ", "█████"],
        'N' => ["█   █", "██  █", "█ █ █", "█  ██", "█   █"],
        'O' => [" ███ ", "█   █", "█   █", "█   █", " ███ "],
        'P' => ["████ ", "█   █", "████ ", "█    ", "█    "],
        'Q' => [" ███ ", "█   █", "█ █ █", "█  █ ", " ██ █"],
        'R' => ["████ ", "█   █", "████ ", "█  █ ", "█   █"],
        'S' => [" ████", "█    ", " ███ ", "    █", "████ "],
        'T' => ["█████", "  █  ", "  █  ", "  █  ", "  █  "],
        'U' => ["█   █", "█   █", "█   █", "█   █", " ███ "],
        'V' => ["█   █", "█   █", "█   █", " █ █ ", "  █  "],
        'X' => ["█   █", " █ █ ", "  █  ", " █ █ ", "█   █"],
        'Y' => ["█   █", " █ █ ", "  █  ", "  █  ", "  █  "],
        ' ' => ["  ", "  ", "  ", "  ", "  "],
        _ => return None,
    })
}

/// The word in block letters, or `None` if it has a letter without a
/// glyph or is wider than `max` columns.
pub fn block_letters(word: &str, max: usize) -> Option<[String; 5]> {
    let mut rows: [String; 5] = Default::default();
    for (i, c) in word.chars().enumerate() {
        let g = glyph(c)?;
        for (r, part) in rows.iter_mut().zip(g) {
            if i > 0 {
                r.push(' ');
            }
            r.push_str(part);
        }
    }
    (rows[0].width() <= max).then_some(rows)
}

pub fn render(f: &mut Frame, area: Rect, l: &Lookup, lang: Lang, theme: &Theme, tz: chrono_tz::Tz) {
    let width = 78.min(area.width.saturating_sub(2));
    let height = 26.min(area.height);
    let r = centered(area, width, height);
    super::clear_around(f, r, area);
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .title(Span::styled(
            format!(
                " {} ",
                lang.t("车牌查询 · 通行证核验", "Plate lookup · may it pass?")
            ),
            theme.bold(),
        ));
    let inner = block.inner(r);
    f.render_widget(block, r);
    let w = inner.width as usize;
    let t = |zh: &'static str, en: &'static str| lang.t(zh, en);
    let mut lines: Vec<Line> = Vec::new();

    // The field.
    let label = format!("{} ", t("车牌号", "Plate"));
    let field_w = w.saturating_sub(label.width() + 1).max(1);
    let scroll = l.input.visual_scroll(field_w);
    let shown = pad_to_width(&skip_width(&sanitize(l.input.value()), scroll), field_w);
    lines.push(Line::from(vec![
        Span::styled(label.clone(), theme.bold()),
        Span::styled(
            shown,
            if l.selected {
                // Selected: what the next character typed replaces.
                Style::new().add_modifier(ratatui::style::Modifier::REVERSED)
            } else {
                Style::new().add_modifier(ratatui::style::Modifier::UNDERLINED)
            },
        ),
    ]));
    let cursor_x = label.width() + l.input.visual_cursor().saturating_sub(scroll);

    // As normalised.
    match &l.norm {
        None => lines.push(Line::from(Span::styled(
            t(
                "输入车牌，可带点、空格或小写，如 渝f·12345",
                "type a plate in any common form, e.g. 渝f·12345",
            ),
            theme.tone(Tone::Dim),
        ))),
        Some(Ok(n)) => {
            let mut spans = vec![
                Span::raw(format!("{} ", t("规范化为", "normalised:"))),
                Span::styled(sanitize(n.plate.as_str()).into_owned(), theme.bold()),
            ];
            match &n.verdict {
                plate::PlateCheck::Standard(k) => spans.push(Span::styled(
                    format!("  ✔ {}", k.label(lang.is_zh())),
                    theme.tone(Tone::Dim),
                )),
                odd => spans.push(Span::styled(
                    format!("  ⚠ {}", sanitize(&plate::describe(odd, lang.is_zh()))),
                    theme.tone(Tone::Warn),
                )),
            }
            lines.push(Line::from(spans));
        }
        Some(Err(e)) => lines.push(Line::from(Span::styled(
            format!("⚠ {}", e.describe(lang.is_zh())),
            theme.tone(Tone::Warn),
        ))),
    }
    lines.push(Line::default());

    if let Some(e) = &l.error {
        lines.push(Line::from(Span::styled(
            format!("✘ {}", sanitize(e.get(lang))),
            theme.tone(Tone::Bad),
        )));
    }

    if let Some(v) = &l.verdict {
        let tone = v.status.map_or(Tone::Bad, pass_tone);
        let style = theme.tone(tone);
        let word = verdict_word(v.status);
        if let Some(rows) = block_letters(word, w) {
            for row in rows {
                lines.push(Line::from(Span::styled(row, style)).centered());
            }
        }
        let symbol = v.status.map_or("✘", PassStatus::symbol);
        let pass_word = if v.lets_through() {
            t("可以通行", "may pass")
        } else {
            t("不得通行", "may NOT pass")
        };
        let banner = format!(
            " {symbol} {}  {}  —  {pass_word} ",
            verdict_label(v.status, lang),
            sanitize(&v.plate)
        );
        lines.push(Line::from(Span::styled(banner, theme.badge(tone))).centered());
        lines.push(Line::default());
        let kv = |k: &str, val: String| {
            Line::from(vec![
                Span::styled(pad_to_width(k, 10), theme.tone(Tone::Dim)),
                Span::raw(" "),
                Span::raw(sanitize(&val).into_owned()),
            ])
        };
        if let Some(w) = &v.plate_warning {
            lines.push(Line::from(Span::styled(
                format!("⚠ {}", sanitize(w)),
                theme.tone(Tone::Warn),
            )));
        }
        if let Some(veh) = &v.vehicle {
            let mut what = veh.plate.clone();
            if let Some(ty) = &veh.vehicle_type {
                what.push_str(&format!("  {ty}"));
            }
            if let Some(tn) = veh.load_tonnes {
                what.push_str(&format!("  {tn} t"));
            }
            lines.push(kv(t("车辆", "Vehicle"), what));
            lines.push(kv(
                t("单位", "Unit"),
                veh.unit.clone().unwrap_or_else(|| "—".into()),
            ));
            let driver = match (&veh.driver, &veh.phone) {
                (Some(d), Some(p)) => format!("{d}  {}", mask_phone(p)),
                (Some(d), None) => d.clone(),
                (None, Some(p)) => mask_phone(p),
                (None, None) => "—".into(),
            };
            lines.push(kv(t("驾驶员", "Driver"), driver));
        }
        match &v.pass {
            Some(p) => {
                lines.push(kv(
                    t("通行证", "Pass"),
                    format!("{}  {}", p.number, p.kind.label(lang)),
                ));
                lines.push(kv(
                    t("有效期", "Valid"),
                    format!(
                        "{} → {}",
                        local_minute(p.valid_from, tz),
                        local_minute(p.valid_until, tz)
                    ),
                ));
                if let Some(reason) = &p.reason {
                    lines.push(kv(t("原因", "Reason"), reason.clone()));
                }
                lines.push(kv(t("发证", "Issued by"), p.issuer.clone()));
                if let Some(a) = &p.area {
                    lines.push(kv(t("通行区域", "Area"), a.clone()));
                }
            }
            None if v.vehicle.is_some() => lines.push(kv(
                t("通行证", "Pass"),
                t("该车没有通行证", "this vehicle has no pass").into(),
            )),
            None => {}
        }
        if v.vehicle.is_none() {
            lines.push(Line::from(t(
                "未登记此车牌。",
                "This plate is not registered.",
            )));
            if v.near.is_empty() {
                lines.push(Line::from(Span::styled(
                    t("没有近似车牌。", "No near plates."),
                    theme.tone(Tone::Dim),
                )));
            } else {
                lines.push(Line::from(Span::styled(
                    t(
                        "近似车牌（↓↑ 选择，Enter 查询）：",
                        "Near plates (↓↑ to choose, Enter to look up):",
                    ),
                    theme.bold(),
                )));
                for (i, p) in v.near.iter().enumerate() {
                    let sel = l.near_sel == Some(i);
                    let text = format!("{} {}", if sel { "▶" } else { " " }, sanitize(p));
                    lines.push(Line::from(Span::styled(
                        text,
                        if sel { theme.selected() } else { Style::new() },
                    )));
                }
            }
        }
    }
    let lines: Vec<Line> = lines
        .iter()
        .flat_map(|l| crate::tui::wrap::wrap_line(l, w))
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
    if inner.width > 0 && inner.height > 0 {
        f.set_cursor_position(Position::new(
            inner.x + (cursor_x as u16).min(inner.width - 1),
            inner.y,
        ));
    }
}
