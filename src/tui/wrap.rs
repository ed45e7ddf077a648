//! Wrapping text to a width in terminal cells, done here rather than by
//! ratatui's `Paragraph::wrap`: that one can emit a line one cell wider
//! than its area when a wide character meets the edge (ratatui issue
//! #2679), which on a real terminal eats the popup's border. Chinese
//! breaks between any two characters; Latin words break at spaces.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

#[derive(Clone, Copy)]
struct Cell {
    c: char,
    style: Style,
    w: usize,
}

/// Wraps styled pieces into lines of at most `width` cells.
pub fn wrap<'a>(pieces: &[(String, Style)], width: usize) -> Vec<Line<'a>> {
    let width = width.max(1);
    let mut rows: Vec<Vec<Cell>> = vec![Vec::new()];
    let mut used = 0usize;
    // Where the current row may be broken (cells before it stay).
    let mut brk: Option<usize> = None;
    for (text, style) in pieces {
        for c in text.chars() {
            if c == '\n' {
                rows.push(Vec::new());
                used = 0;
                brk = None;
                continue;
            }
            let w = c.width().unwrap_or(0);
            let Some(row) = rows.last_mut() else { continue };
            if w == 2 {
                brk = Some(row.len());
            }
            if used + w > width {
                if c == ' ' {
                    rows.push(Vec::new());
                    used = 0;
                    brk = None;
                    continue;
                }
                let carry: Vec<Cell> = match brk {
                    Some(b) if b > 0 && b < row.len() => row.split_off(b),
                    _ => Vec::new(),
                };
                while row.last().is_some_and(|x| x.c == ' ') {
                    row.pop();
                }
                let carry: Vec<Cell> = carry.into_iter().skip_while(|x| x.c == ' ').collect();
                used = carry.iter().map(|x| x.w).sum();
                rows.push(carry);
                brk = None;
            }
            let Some(row) = rows.last_mut() else { continue };
            row.push(Cell {
                c,
                style: *style,
                w,
            });
            used += w;
            if c == ' ' || w == 2 {
                brk = Some(row.len());
            }
        }
    }
    rows.into_iter().map(to_line).collect()
}

fn to_line<'a>(cells: Vec<Cell>) -> Line<'a> {
    let mut spans: Vec<Span<'a>> = Vec::new();
    let mut cur = String::new();
    let mut style: Option<Style> = None;
    for cell in cells {
        if style.is_some_and(|s| s != cell.style) {
            spans.push(Span::styled(
                std::mem::take(&mut cur),
                style.unwrap_or_default(),
            ));
        }
        style = Some(cell.style);
        cur.push(cell.c);
    }
    if !cur.is_empty() {
        spans.push(Span::styled(cur, style.unwrap_or_default()));
    }
    Line::from(spans)
}

/// Plain text wrapped the same way.
pub fn wrap_plain(text: &str, width: usize) -> Vec<String> {
    wrap(&[(text.to_string(), Style::new())], width)
        .iter()
        .map(|l| l.to_string())
        .collect()
}

/// Wraps an already styled line.
pub fn wrap_line<'a>(line: &Line<'_>, width: usize) -> Vec<Line<'a>> {
    let pieces: Vec<(String, Style)> = line
        .spans
        .iter()
        .map(|s| (s.content.to_string(), line.style.patch(s.style)))
        .collect();
    let mut out = wrap(&pieces, width);
    if let Some(a) = line.alignment {
        out = out.into_iter().map(|l| l.alignment(a)).collect();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn no_line_is_wider_than_asked() {
        let s = "规范化为 渝FJF  ⚠ 车牌省份简称和字母后有2位；号牌应为5位（新能源汽车为6位）。";
        for w in 1..90 {
            for l in wrap_plain(s, w) {
                assert!(l.width() <= w.max(2), "{w}: {l:?}");
            }
        }
        // The case ratatui's own wrapping gets wrong.
        assert!(wrap_plain(s, 76).iter().all(|l| l.width() <= 76));
    }

    #[test]
    fn chinese_breaks_anywhere_and_words_at_spaces() {
        assert_eq!(wrap_plain("一二三四五", 4), ["一二", "三四", "五"]);
        assert_eq!(
            wrap_plain("the quick brown fox", 10),
            ["the quick", "brown fox"]
        );
        assert_eq!(
            wrap_plain("私は ratatui が本当", 12),
            ["私は ratatui", "が本当"]
        );
        assert_eq!(wrap_plain("abcdefghij", 4), ["abcd", "efgh", "ij"]);
    }
}
