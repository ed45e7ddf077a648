//! The two glyph sets, and which one is in force.
//!
//! Many terminals in Chinese offices (PuTTY's "treat CJK ambiguous
//! characters as wide", the Chinese Windows console, Xshell and SecureCRT
//! with a CJK font) draw the East Asian *Ambiguous* characters — box
//! drawing, `● ▶ █ · — … ← ↑ “ ”` — two cells wide, while every layout
//! (ratatui's, ours) counts them as one. Each such character then pushes
//! the rest of its row one cell to the right: borders wrap onto the next
//! line and the screen scrolls away.
//!
//! - **Narrow** (the default, and what a terminal that agrees with
//!   Unicode's default width draws): the console as designed.
//! - **Wide**: no ambiguous character reaches the terminal at all. After
//!   each frame is drawn, [`fold_buffer`] replaces every character whose
//!   width differs between Unicode's default and its East Asian context
//!   (`unicode-width`'s `width` and `width_cjk`) with one ASCII character,
//!   from the table in [`fold`]: borders become `+ - |` (the focused pane's
//!   and the popups' heavy and double lines `# = |`), indicators ASCII
//!   (`●`→`*`, `▶`→`>`, `↑`→`^`, `█`→`#`), and data text the nearest ASCII
//!   (`·`→`.`, `—`→`-`, `“ ”`→`"`, `…`→`~`, `é`→`e`). One cell for one cell,
//!   so the widths every layout computed are the widths the terminal
//!   uses, typed text keeps its cursor, and nothing else needs to know.
//!   A few symbols that are not ambiguous by the standard but that CJK
//!   fonts draw wide (`⚠ ✘ ✎ ⊘ ★`) are folded too.
//!
//! Which set is in force comes from `[theme] ambiguous` in the config or
//! `--ambiguous` (`auto`, `narrow`, `wide`); `auto` asks the terminal
//! ([`super::probe`]).

use ratatui::buffer::Buffer;
use unicode_width::UnicodeWidthChar;

/// How the terminal draws East Asian Ambiguous characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Width {
    /// One cell, as Unicode's default width says: today's glyphs.
    #[default]
    Narrow,
    /// Two cells: the ASCII glyph set.
    Wide,
}

/// How the width in force was decided, for the help screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Decided {
    /// `ambiguous = narrow|wide` in the config, or `--ambiguous`.
    #[default]
    Setting,
    /// The terminal's cursor-position report.
    Detected,
    /// `auto`, but the terminal did not answer in time: the config's
    /// `ambiguous_fallback`.
    NoAnswer,
    /// The terminal did not draw UTF-8 as UTF-8: the ASCII set, whatever
    /// it does with ambiguous characters.
    NotUtf8,
}

/// The glyph set in force and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Glyphs {
    pub width: Width,
    pub decided: Decided,
}

impl Glyphs {
    pub const NARROW: Glyphs = Glyphs {
        width: Width::Narrow,
        decided: Decided::Setting,
    };
    pub const WIDE: Glyphs = Glyphs {
        width: Width::Wide,
        decided: Decided::Setting,
    };

    pub fn wide(&self) -> bool {
        self.width == Width::Wide
    }

    /// One line for the help screen: which set, and why.
    pub fn describe(&self, zh: bool) -> String {
        let set = match (self.width, zh) {
            (Width::Narrow, true) => "窄（一格），制表符边框",
            (Width::Narrow, false) => "narrow (one cell), box drawing",
            (Width::Wide, true) => "宽（两格），ASCII 字符",
            (Width::Wide, false) => "wide (two cells), ASCII",
        };
        let why = match (self.decided, zh) {
            (Decided::Setting, true) => "由 ambiguous 设置或 --ambiguous 指定",
            (Decided::Setting, false) => "set by `ambiguous` or --ambiguous",
            (Decided::Detected, true) => "由终端检测得出",
            (Decided::Detected, false) => "detected from the terminal",
            (Decided::NoAnswer, true) => "终端未应答，按 ambiguous_fallback",
            (Decided::NoAnswer, false) => "no answer from the terminal: ambiguous_fallback",
            (Decided::NotUtf8, true) => "终端未按 UTF-8 显示",
            (Decided::NotUtf8, false) => "the terminal does not show UTF-8",
        };
        if zh {
            format!("宽度不明字符：{set}；{why}。Ctrl-L 重新检测。")
        } else {
            format!("Ambiguous-width characters: {set}; {why}. Ctrl-L detects again.")
        }
    }
}

/// Whether the terminals disagree on `c`'s width: one cell by Unicode's
/// default, two in an East Asian context.
pub fn is_ambiguous(c: char) -> bool {
    c.width() != c.width_cjk()
}

/// The wide set's character for `c`; `None`: `c` is drawn as it is.
pub fn fold(c: char) -> Option<char> {
    if c.is_ascii() {
        return None;
    }
    let r = match c {
        // Box drawing: light lines and corners; heavy and double ones
        // (the focused pane, the popups) keep their weight as `# =`.
        '─' | '┄' | '┈' | '╌' | '╴' | '╶' | '╼' | '╾' => '-',
        '━' | '┅' | '┉' | '╍' | '═' | '╸' | '╺' => '=',
        '│' | '┃' | '┆' | '┇' | '┊' | '┋' | '╎' | '╏' | '║' | '╵' | '╷' | '╹' | '╻' | '╽' | '╿' => {
            '|'
        }
        '┏' | '┓' | '┗' | '┛' | '┣' | '┫' | '┳' | '┻' | '╋' => '#',
        '\u{2552}'..='\u{256C}' => '#',
        '\u{250C}'..='\u{254B}' | '╭' | '╮' | '╯' | '╰' => '+',
        '╱' => '/',
        '╲' => '\\',
        '╳' => 'X',
        // Blocks: bars and sparklines.
        '█' | '▉' | '▊' | '▋' | '▌' | '▐' | '▇' | '▓' => '#',
        '▍' | '▎' | '▏' | '▕' => '|',
        '▁' | '▂' => '_',
        '▃' | '▄' => '-',
        '▅' | '▆' => '=',
        '▀' | '▔' => '"',
        '░' => '.',
        '▒' => ':',
        // Shapes and indicators.
        '●' | '◆' | '■' | '•' | '★' | '☆' | '◉' | '∙' | '⁎' | '※' => '*',
        '○' | '◇' | '□' | '◎' | '◯' | '°' | 'º' => 'o',
        '▶' | '►' | '▸' | '▹' | '▷' | '→' | '⇒' | '»' | '›' => '>',
        '◀' | '◄' | '◂' | '◃' | '◁' | '←' | '⇐' | '«' | '‹' => '<',
        '▲' | '△' | '▴' | '↑' | '⇑' => '^',
        '▼' | '▽' | '▾' | '↓' | '⇓' => 'v',
        '↔' | '⇔' => '-',
        '⇄' | '⇆' => '=',
        '↕' | '⇕' | '‖' | '¦' => '|',
        '⚠' | '¡' => '!',
        '✘' | '✗' | '×' | '✕' => 'x',
        '✔' | '✓' | '√' => 'v',
        '✎' => '*',
        '⊘' => '/',
        // Punctuation.
        '·' | '‧' | '∶' => '.',
        '—' | '–' | '―' | '‐' | '‑' | '‒' | '¯' | '¬' => '-',
        '…' | '‥' | '≈' | '∼' => '~',
        '“' | '”' | '″' | '¨' => '"',
        '‘' | '’' | '′' | '´' => '\'',
        '¸' => ',',
        '¿' => '?',
        '±' => '+',
        '÷' | '¼' | '½' | '¾' => '/',
        '≤' | '≦' | '≪' => '<',
        '≥' | '≧' | '≫' => '>',
        '≠' | '≡' => '=',
        '§' => 'S',
        '¶' => 'P',
        '®' => 'R',
        '¹' => '1',
        '²' => '2',
        '³' => '3',
        'ª' => 'a',
        '\u{2460}'..='\u{2468}' => char::from(b'1' + (c as u32 - 0x2460) as u8),
        // Latin letters with marks, by their base letter.
        'À'..='Å' => 'A',
        'Æ' => 'E',
        'Ç' => 'C',
        'È'..='Ë' => 'E',
        'Ì'..='Ï' => 'I',
        'Ð' => 'D',
        'Ñ' => 'N',
        'Ò'..='Ö' | 'Ø' => 'O',
        'Ù'..='Ü' => 'U',
        'Ý' => 'Y',
        'Þ' | 'þ' => 'p',
        'ß' => 's',
        'à'..='å' | 'ā' | 'ǎ' => 'a',
        'æ' => 'e',
        'ç' => 'c',
        'è'..='ë' | 'ē' | 'ě' => 'e',
        'ì'..='ï' | 'ī' | 'ǐ' => 'i',
        'ð' => 'd',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò'..='ö' | 'ø' | 'ō' | 'ǒ' => 'o',
        'ù'..='ü' | 'ū' | 'ǔ' | 'ǖ' | 'ǘ' | 'ǚ' | 'ǜ' => 'u',
        'ý' | 'ÿ' => 'y',
        // Anything else the terminals disagree on (Greek, Cyrillic,
        // private use) cannot be drawn safely: a visible `?`.
        _ if is_ambiguous(c) => '?',
        _ => return None,
    };
    Some(r)
}

/// Replaces, in every cell of a drawn frame, each character [`fold`]
/// names; cells already in ASCII (most of them) are passed over.
pub fn fold_buffer(buf: &mut Buffer) {
    let mut s = String::new();
    for cell in &mut buf.content {
        let sym = cell.symbol();
        if sym.is_ascii() || !sym.chars().any(|c| fold(c).is_some()) {
            continue;
        }
        s.clear();
        s.extend(sym.chars().map(|c| fold(c).unwrap_or(c)));
        cell.set_symbol(&s);
    }
}

/// Folds one string as [`fold_buffer`] folds cells (for text printed
/// outside a frame).
pub fn fold_str(text: &str) -> String {
    text.chars().map(|c| fold(c).unwrap_or(c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn every_ambiguous_character_folds_to_one_ascii_cell() {
        for c in (0u32..0x3_0000).filter_map(char::from_u32) {
            if !is_ambiguous(c) {
                continue;
            }
            let f = fold(c).unwrap_or_else(|| panic!("{c:?} is not folded"));
            assert!(f.is_ascii() && !f.is_ascii_control(), "{c:?} → {f:?}");
            assert_eq!(c.width(), Some(1), "{c:?} is ambiguous but not one cell");
        }
        // One cell for one cell, also for the symbols folded by choice.
        for c in (0u32..0x3_0000).filter_map(char::from_u32) {
            if fold(c).is_some() {
                assert_eq!(c.width(), Some(1), "{c:?} is folded but not one cell");
            }
        }
    }

    #[test]
    fn folded_characters_keep_their_cell_and_cjk_stays() {
        for (c, f) in [
            ('━', '='),
            ('┃', '|'),
            ('┏', '#'),
            ('─', '-'),
            ('┌', '+'),
            ('╔', '#'),
            ('●', '*'),
            ('▶', '>'),
            ('↑', '^'),
            ('█', '#'),
            ('·', '.'),
            ('—', '-'),
            ('…', '~'),
            ('“', '"'),
            ('é', 'e'),
            ('⚠', '!'),
        ] {
            assert_eq!(fold(c), Some(f), "{c:?}");
        }
        for c in ['中', '，', '。', 'a', ' ', '（'] {
            assert_eq!(fold(c), None, "{c:?}");
        }
    }

    #[test]
    fn a_buffer_is_folded_cell_by_cell() {
        let mut b = Buffer::empty(Rect::new(0, 0, 12, 1));
        b.set_string(0, 0, "┃渝F·12…é━", ratatui::style::Style::new());
        let before = b.content.iter().map(|c| c.symbol().width()).sum::<usize>();
        fold_buffer(&mut b);
        let row: String = b.content.iter().map(|c| c.symbol()).collect();
        assert_eq!(row, "|渝 F.12~e=  ");
        let after = b.content.iter().map(|c| c.symbol().width()).sum::<usize>();
        assert_eq!(before, after);
        assert!(
            b.content
                .iter()
                .all(|c| !c.symbol().chars().any(is_ambiguous))
        );
    }
}
