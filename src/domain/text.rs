//! Making untrusted text safe for the terminal, and fitting it to columns.
//!
//! Everything that reaches the screen from the database, a CSV file or the
//! user goes through [`sanitize`] (one line) or [`sanitize_multiline`]
//! (detail views). They make every character that would act on the terminal
//! visible instead:
//!
//! | input | shown as |
//! |---|---|
//! | C0 controls U+0000–U+001F (incl. tab, CR, LF) | caret form: `^@`, `^I`, `^J`, `^M`, `^[` |
//! | DEL U+007F | `^?` |
//! | C1 controls U+0080–U+009F | `<U+009B>` |
//! | bidi controls, zero-width and other invisible format characters | `<U+202E>`, `<U+200B>` |
//! | more than 4 combining marks in a row | the first 4, then one `…` |
//!
//! So an escape sequence never passes: ESC becomes `^[` and what follows it
//! is plain printable text. [`truncate_to_width`] and [`pad_to_width`] cut
//! and pad by display width (CJK characters take two columns).

use std::borrow::Cow;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Combining marks kept in a row after one base character; the rest of a
/// longer run (a "combining-mark storm", Zalgo text) is dropped.
pub const MAX_COMBINING_MARKS: usize = 4;

/// Shown once in place of the dropped part of a combining-mark storm, and at
/// the end of truncated text.
pub const ELLIPSIS: char = '…';

/// Full-width forms as a Chinese input method types them (`１９：５０`,
/// `４０`, `－２ｈ`, the ideographic space) read as their ASCII
/// counterparts, for the parsers of times, numbers and quantities.
/// Borrows when there is nothing to fold.
pub fn fold_width(s: &str) -> Cow<'_, str> {
    let full = |c: char| matches!(c, '\u{FF01}'..='\u{FF5E}' | '\u{3000}');
    if !s.chars().any(full) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\u{3000}' => ' ',
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                _ => c,
            })
            .collect(),
    )
}

/// Makes one line of untrusted text safe to print: see the module docs.
/// Borrows when nothing needs to change. Newlines too become visible
/// (`^J`), so the result is always a single line.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    sanitize_impl(s, false)
}

/// Like [`sanitize`], but keeps line breaks for detail views: `\n` stays,
/// and a `\r\n` pair (Windows line ending, e.g. from an imported CSV file)
/// becomes `\n`. A lone `\r` is still shown as `^M`.
pub fn sanitize_multiline(s: &str) -> Cow<'_, str> {
    sanitize_impl(s, true)
}

enum Action {
    Keep,
    Replace(Replacement),
    Drop { marker: bool },
}

enum Replacement {
    Caret(u8),
    CodePoint(char),
}

fn sanitize_impl(s: &str, multiline: bool) -> Cow<'_, str> {
    let mut out: Option<String> = None;
    let mut marks = 0usize;
    let mut iter = s.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let action = if multiline && c == '\n' {
            marks = 0;
            Action::Keep
        } else if multiline && c == '\r' && matches!(iter.peek(), Some((_, '\n'))) {
            Action::Drop { marker: false }
        } else if let Some(r) = replacement(c) {
            marks = 0;
            Action::Replace(r)
        } else if is_combining(c) {
            marks += 1;
            if marks > MAX_COMBINING_MARKS {
                Action::Drop {
                    marker: marks == MAX_COMBINING_MARKS + 1,
                }
            } else {
                Action::Keep
            }
        } else {
            marks = 0;
            Action::Keep
        };
        match action {
            Action::Keep => {
                if let Some(o) = out.as_mut() {
                    o.push(c);
                }
            }
            Action::Replace(r) => {
                let o = out.get_or_insert_with(|| start(s, i));
                match r {
                    Replacement::Caret(b) => {
                        o.push('^');
                        o.push(char::from(b));
                    }
                    Replacement::CodePoint(c) => {
                        o.push_str(&format!("<U+{:04X}>", c as u32));
                    }
                }
            }
            Action::Drop { marker } => {
                let o = out.get_or_insert_with(|| start(s, i));
                if marker {
                    o.push(ELLIPSIS);
                }
            }
        }
    }
    match out {
        Some(o) => Cow::Owned(o),
        None => Cow::Borrowed(s),
    }
}

fn start(s: &str, upto: usize) -> String {
    let mut o = String::with_capacity(s.len() + 16);
    o.push_str(&s[..upto]);
    o
}

fn replacement(c: char) -> Option<Replacement> {
    match c {
        '\u{00}'..='\u{1F}' => Some(Replacement::Caret(c as u8 + 0x40)),
        '\u{7F}' => Some(Replacement::Caret(b'?')),
        '\u{80}'..='\u{9F}' => Some(Replacement::CodePoint(c)),
        _ if is_format_control(c) => Some(Replacement::CodePoint(c)),
        _ => None,
    }
}

/// Bidi controls, zero-width characters and other invisible format
/// characters that would change how the rest of the line is shown.
fn is_format_control(c: char) -> bool {
    matches!(
        c,
        // bidi: LRM, RLM, ALM, embeddings/overrides, isolates
        '\u{200E}' | '\u{200F}' | '\u{061C}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            // zero-width: ZWSP, ZWNJ, ZWJ, word joiner, BOM, Mongolian vowel separator
            | '\u{200B}'..='\u{200D}'
            | '\u{2060}'
            | '\u{FEFF}'
            | '\u{180E}'
            // line and paragraph separators, invisible operators,
            // deprecated format characters, interlinear annotation
            | '\u{2028}'
            | '\u{2029}'
            | '\u{2061}'..='\u{2064}'
            | '\u{206A}'..='\u{206F}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

/// A printable character of zero display width: combining marks, variation
/// selectors and similar characters that attach to the one before.
fn is_combining(c: char) -> bool {
    !c.is_ascii() && c.width() == Some(0)
}

/// Cuts `s` to at most `max` display columns (CJK characters count 2),
/// ending with `…` when anything was cut. A wide character that would not
/// fit whole is left out, so the result may be one column narrower than
/// `max`. Borrows when `s` already fits. Sanitise first: control characters
/// are not measured meaningfully.
pub fn truncate_to_width(s: &str, max: usize) -> Cow<'_, str> {
    if s.width() <= max {
        return Cow::Borrowed(s);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let budget = max - 1; // the ellipsis takes one column
    let mut end = 0;
    let mut used = 0;
    for (i, c) in s.char_indices() {
        let w = c.width().unwrap_or(1);
        if used + w > budget {
            break;
        }
        used += w;
        end = i + c.len_utf8();
    }
    // Sequences (emoji, ligatures) can measure wider than their characters
    // summed: step back until the prefix really fits.
    while end > 0 && s[..end].width() > budget {
        end = s[..end].char_indices().next_back().map_or(0, |(i, _)| i);
    }
    let mut out = String::with_capacity(end + ELLIPSIS.len_utf8());
    out.push_str(&s[..end]);
    out.push(ELLIPSIS);
    Cow::Owned(out)
}

/// Fits `s` to exactly `width` display columns: truncated as by
/// [`truncate_to_width`], then padded with spaces. Makes CJK columns line up.
pub fn pad_to_width(s: &str, width: usize) -> String {
    let cut = truncate_to_width(s, width);
    let used = cut.width();
    let mut out = String::with_capacity(cut.len() + width.saturating_sub(used));
    out.push_str(&cut);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}

#[cfg(test)]
mod tests {

    #[test]
    fn full_width_folds_to_ascii() {
        assert_eq!(fold_width("19：50"), "19:50");
        assert_eq!(fold_width("４０"), "40");
        assert_eq!(fold_width("－２ｈ"), "-2h");
        assert_eq!(
            fold_width("２０２６－１１－２９　０８：３０"),
            "2026-11-29 08:30"
        );
        assert_eq!(fold_width("３．２吨"), "3.2吨");
        // Nothing to fold: borrowed, CJK untouched.
        assert!(matches!(fold_width("螺蛳包 19:50"), Cow::Borrowed(_)));
    }

    use super::*;

    fn is_borrowed(c: Cow<'_, str>) -> bool {
        matches!(c, Cow::Borrowed(_))
    }

    #[test]
    fn c0_controls_in_caret_form() {
        assert_eq!(sanitize("a\0b"), "a^@b");
        assert_eq!(sanitize("\x1b[31mred\x1b[0m"), "^[[31mred^[[0m");
        assert_eq!(sanitize("a\tb\r\nc"), "a^Ib^M^Jc");
        assert_eq!(sanitize("\x07\x08\x1f"), "^G^H^_");
        assert_eq!(sanitize("del\x7f"), "del^?");
    }

    #[test]
    fn osc_52_clipboard_write_is_defused() {
        let out = sanitize("note\x1b]52;c;ZXZpbA==\x07end");
        assert_eq!(out, "note^[]52;c;ZXZpbA==^Gend");
        assert!(!out.contains('\x1b') && !out.contains('\x07'));
        assert!(out.chars().all(|c| !c.is_control()));
    }

    #[test]
    fn c1_controls_shown_as_code_points() {
        assert_eq!(sanitize("a\u{9b}31mb"), "a<U+009B>31mb");
        assert_eq!(sanitize("\u{80}\u{85}\u{9f}"), "<U+0080><U+0085><U+009F>");
    }

    #[test]
    fn bidi_and_zero_width_shown_not_obeyed() {
        assert_eq!(sanitize("abc\u{202E}fdp.exe"), "abc<U+202E>fdp.exe");
        assert_eq!(sanitize("\u{2066}x\u{2069}"), "<U+2066>x<U+2069>");
        assert_eq!(
            sanitize("\u{200E}\u{200F}\u{061C}"),
            "<U+200E><U+200F><U+061C>"
        );
        assert_eq!(sanitize("张\u{200B}三"), "张<U+200B>三");
        assert_eq!(
            sanitize("\u{FEFF}\u{200C}\u{200D}\u{2060}\u{180E}"),
            "<U+FEFF><U+200C><U+200D><U+2060><U+180E>"
        );
    }

    #[test]
    fn combining_mark_storm_is_cut() {
        let storm = format!("Z{}a", "\u{0301}".repeat(100));
        let out = sanitize(&storm);
        assert_eq!(out, format!("Z{}…a", "\u{0301}".repeat(4)));
        // A few marks are fine (Vietnamese, pinyin with tone marks).
        assert!(is_borrowed(sanitize("e\u{0302}\u{0301} lü\u{0304}")));
        assert!(is_borrowed(sanitize(&format!("x{}", "\u{0301}".repeat(4)))));
        // Two storms, two markers: a base character resets the count.
        let two = format!("a{m}b{m}", m = "\u{0300}".repeat(6));
        assert_eq!(sanitize(&two).matches('…').count(), 2);
        // Marks at the very start count too.
        assert_eq!(
            sanitize(&"\u{0301}".repeat(10)),
            format!("{}…", "\u{0301}".repeat(4))
        );
    }

    #[test]
    fn nothing_that_acts_on_a_terminal_passes() {
        // Every code point up to U+FFFF, and some beyond, one at a time and
        // all together.
        let all: String = (0u32..=0xFFFF)
            .chain(0xE0000..=0xE0080)
            .filter_map(char::from_u32)
            .collect();
        for s in [sanitize(&all), sanitize_multiline(&all)] {
            for c in s.chars() {
                assert!(
                    c == '\n' || !c.is_control() && !is_format_control(c),
                    "U+{:04X} passed",
                    c as u32
                );
            }
        }
    }

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        for s in [
            "",
            "渝F12345",
            "双河口街道 螺蛳包社区 滴水岩小区",
            "ＡＢＣ（全角）",
            "emoji 🚚📦",
        ] {
            let out = sanitize(s);
            assert!(is_borrowed(out.clone()), "{s:?}");
            assert_eq!(out, s);
            assert!(is_borrowed(sanitize_multiline(s)));
        }
    }

    #[test]
    fn multiline_keeps_newlines_only() {
        assert_eq!(sanitize_multiline("a\nb"), "a\nb");
        assert!(is_borrowed(sanitize_multiline("第一行\n第二行")));
        assert_eq!(sanitize_multiline("a\r\nb"), "a\nb");
        assert_eq!(sanitize_multiline("a\rb\tc"), "a^Mb^Ic");
        assert_eq!(sanitize_multiline("x\x1b[2J\ny"), "x^[[2J\ny");
        assert_eq!(sanitize_multiline("\u{202E}\n"), "<U+202E>\n");
    }

    #[test]
    fn truncation_by_display_width() {
        assert!(is_borrowed(truncate_to_width("渝F12345", 8)));
        assert_eq!(truncate_to_width("渝F12345", 8), "渝F12345");
        assert_eq!(truncate_to_width("渝F12345", 7), "渝F123…");
        // "张三A李四": 2+2+1+2+2 = 9 columns.
        let s = "张三A李四";
        assert_eq!(truncate_to_width(s, 9), s);
        assert_eq!(truncate_to_width(s, 8), "张三A李…"); // 7
        assert_eq!(truncate_to_width(s, 7), "张三A…"); // 6: 李 would overflow
        assert_eq!(truncate_to_width(s, 6), "张三A…");
        assert_eq!(truncate_to_width(s, 5), "张三…");
        assert_eq!(truncate_to_width(s, 4), "张…"); // 3
        assert_eq!(truncate_to_width(s, 3), "张…");
        assert_eq!(truncate_to_width(s, 2), "…");
        assert_eq!(truncate_to_width(s, 1), "…");
        assert_eq!(truncate_to_width(s, 0), "");
        for max in 0..12 {
            assert!(truncate_to_width(s, max).width() <= max, "max {max}");
        }
    }

    #[test]
    fn truncation_keeps_combining_marks_with_their_base() {
        assert_eq!(
            truncate_to_width("e\u{301}e\u{301}xyz", 3),
            "e\u{301}e\u{301}…"
        );
    }

    #[test]
    fn padding_to_exact_width() {
        assert_eq!(pad_to_width("张三", 6), "张三  ");
        assert_eq!(pad_to_width("张三丰", 4), "张… ");
        assert_eq!(pad_to_width("abc", 3), "abc");
        assert_eq!(pad_to_width("", 2), "  ");
        assert_eq!(pad_to_width("abc", 0), "");
        for s in ["渝F12345", "张三A李四", "螺蛳包社区", "x"] {
            for w in 0..12 {
                assert_eq!(pad_to_width(s, w).width(), w, "{s:?} {w}");
            }
        }
    }
}
