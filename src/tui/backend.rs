//! The terminal backend, written for a duty officer on a slow SSH link:
//! what ratatui's diff says changed is sent in as few bytes as the
//! terminal still draws identically.
//!
//! - After a Chinese character the cursor is not moved again (ratatui's
//!   crossterm backend sends a move, ~8 bytes, after every wide
//!   character, roughly doubling a row of Chinese): terminals agree on the
//!   width of CJK ideographs, so the cursor is already where the next
//!   cell goes. After other wide symbols (emoji, whose width terminals
//!   disagree on) the move is kept.
//! - Attributes are sent as one `SGR` with all its parameters, as the
//!   change from what the terminal already draws with or as a reset plus
//!   the new attributes, whichever is shorter; the pen is remembered from
//!   one frame to the next. The sixteen named colours use their short
//!   codes (`31`, `90`) rather than the 256-colour form (`38;5;1`).
//! - A blank cell keeps the pen when the pen's differences cannot be seen
//!   on a blank (its colour, bold…), so a run of columns is not broken by
//!   style changes in the gaps between them; [`canonical_blanks`] goes
//!   further and keeps such cells out of the diff altogether.
//! - A gap in a row is skipped with a short forward move.
//! - Runs of plain blanks are erased (`ESC[nX`, `ESC[K`) rather than
//!   written, when that is shorter.
//! - The cursor is hidden once, not again on every frame, and nothing is
//!   flushed here: the loop writes each frame whole, in one write.
//!
//! [`FramePrep`] is what the loop does to each frame before ratatui diffs
//! it; `tests/tui_pty.rs` replays the bytes in a terminal emulator and
//! checks that the screen is exactly the frame drawn.

use std::fmt::Write as _;
use std::io::{self, Write};

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::{Buffer, Cell, CellDiffOption};
use ratatui::crossterm::cursor::{Hide, MoveTo, Show};
use ratatui::crossterm::queue;
use ratatui::crossterm::terminal::{self, Clear};
use ratatui::layout::{Position, Size};
use ratatui::style::{Color, Modifier};
use unicode_width::UnicodeWidthStr;

/// What the terminal draws new cells with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pen {
    fg: Color,
    bg: Color,
    ul: Color,
    modifier: Modifier,
}

impl Pen {
    const DEFAULT: Pen = Pen {
        fg: Color::Reset,
        bg: Color::Reset,
        ul: Color::Reset,
        modifier: Modifier::empty(),
    };

    fn of(cell: &Cell) -> Pen {
        Pen {
            fg: cell.fg,
            bg: cell.bg,
            ul: cell.underline_color,
            modifier: cell.modifier,
        }
    }
}

/// Attributes a blank shows even without a glyph.
const SEEN_ON_BLANK: Modifier = Modifier::REVERSED
    .union(Modifier::UNDERLINED)
    .union(Modifier::CROSSED_OUT)
    .union(Modifier::SLOW_BLINK)
    .union(Modifier::RAPID_BLINK);

/// Whether a blank drawn with `a` looks like one drawn with `b`. Reversed,
/// the foreground colour (and with some terminals bold) becomes the
/// background, so only an equal pen will do.
fn same_blank(a: &Pen, b: &Pen) -> bool {
    if a.modifier.contains(Modifier::REVERSED) || b.modifier.contains(Modifier::REVERSED) {
        return a == b;
    }
    a.bg == b.bg
        && (a.modifier & SEEN_ON_BLANK) == (b.modifier & SEEN_ON_BLANK)
        && (!a.modifier.contains(Modifier::UNDERLINED) || a.ul == b.ul)
}

/// Makes blank cells that look alike equal, so ratatui's diff does not
/// send them again when only an invisible attribute changed (the colour
/// of the padding after a column's text, say). Run over each frame's
/// buffer before it is diffed.
pub fn canonical_blanks(buf: &mut Buffer) {
    const INVISIBLE: Modifier = Modifier::BOLD
        .union(Modifier::DIM)
        .union(Modifier::ITALIC)
        .union(Modifier::HIDDEN);
    for cell in &mut buf.content {
        if cell.modifier.contains(Modifier::REVERSED) || cell.symbol() != " " {
            continue;
        }
        cell.fg = Color::Reset;
        cell.modifier.remove(INVISIBLE);
        if !cell.modifier.contains(Modifier::UNDERLINED) {
            cell.underline_color = Color::Reset;
        }
    }
}

/// Cells to be sent although ratatui would think them unchanged: where
/// the last frame had a wide character and this one writes over part of
/// it, the rest of it is left to the terminal, which blanks it — with the
/// pen of the moment in some terminals (xterm), with the default in others
/// (tmux). Either can differ from the cell ratatui holds there; sending
/// every cell the old character covered makes the screen exact. (ratatui
/// does this itself only when the old character's own style shows on a
/// blank.) Marked cells are sent once more in the next frame, as ratatui
/// then sees their mark gone.
fn expose_orphans(prev: &Buffer, next: &mut Buffer) {
    let w = usize::from(prev.area.width);
    if prev.area != next.area || w == 0 {
        return;
    }
    for (old, new) in prev.content.chunks(w).zip(next.content.chunks_mut(w)) {
        let mut i = 0;
        while i < w {
            let width = old[i].symbol().width();
            if width < 2 {
                i += 1;
                continue;
            }
            let end = (i + width).min(w);
            // Written over by something as wide, it is gone whole.
            if new[i].symbol().width() < width && (i..end).any(|j| !looks_same(&new[j], &old[j])) {
                for cell in &mut new[i..end] {
                    if cell.diff_option == CellDiffOption::None {
                        cell.diff_option = CellDiffOption::AlwaysUpdate;
                    }
                }
            }
            i = end;
        }
    }
}

/// Equal but for how ratatui is told to diff them.
fn looks_same(a: &Cell, b: &Cell) -> bool {
    a.symbol() == b.symbol()
        && a.fg == b.fg
        && a.bg == b.bg
        && a.underline_color == b.underline_color
        && a.modifier == b.modifier
}

/// What the loop does to every frame before ratatui diffs it with the
/// last one: blanks made canonical, and the remains of overwritten wide
/// characters sent again. Keeps a copy of the last frame for that.
#[derive(Debug, Default)]
pub struct FramePrep {
    last: Option<Buffer>,
}

impl FramePrep {
    /// Call on the frame's buffer once it is rendered, before the diff.
    pub fn prepare(&self, next: &mut Buffer) {
        canonical_blanks(next);
        if let Some(prev) = &self.last {
            expose_orphans(prev, next);
        }
    }

    /// Call with the buffer that was drawn.
    pub fn drawn(&mut self, frame: &Buffer) {
        match &mut self.last {
            Some(b) => b.clone_from(frame),
            None => self.last = Some(frame.clone()),
        }
    }

    /// The screen was cleared: the next frame is drawn whole.
    pub fn forget(&mut self) {
        self.last = None;
    }
}

/// East Asian wide characters every terminal draws two cells wide.
pub fn surely_wide(symbol: &str) -> bool {
    let Some(c) = symbol.chars().next() else {
        return false;
    };
    matches!(u32::from(c),
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
        && symbol.width() == 2
}

/// The parameters selecting a colour; `base` is 30 for the foreground, 40
/// for the background, 50 for the underline (which has no short codes).
fn push_color(p: &mut String, c: Color, base: u8) {
    let short = |n: u8| if base == 50 { None } else { Some(n) };
    let named = match c {
        Color::Reset => {
            let _ = write!(p, "{};", base + 9);
            return;
        }
        Color::Black => (short(base), 0),
        Color::Red => (short(base + 1), 1),
        Color::Green => (short(base + 2), 2),
        Color::Yellow => (short(base + 3), 3),
        Color::Blue => (short(base + 4), 4),
        Color::Magenta => (short(base + 5), 5),
        Color::Cyan => (short(base + 6), 6),
        Color::Gray => (short(base + 7), 7),
        Color::DarkGray => (short(base + 60), 8),
        Color::LightRed => (short(base + 61), 9),
        Color::LightGreen => (short(base + 62), 10),
        Color::LightYellow => (short(base + 63), 11),
        Color::LightBlue => (short(base + 64), 12),
        Color::LightMagenta => (short(base + 65), 13),
        Color::LightCyan => (short(base + 66), 14),
        Color::White => (short(base + 67), 15),
        Color::Indexed(i) => (None, i),
        Color::Rgb(r, g, b) => {
            let _ = write!(p, "{};2;{r};{g};{b};", base + 8);
            return;
        }
    };
    let _ = match named {
        (Some(code), _) => write!(p, "{code};"),
        (None, i) => write!(p, "{};5;{i};", base + 8),
    };
}

/// Parameters switching on `m` from nothing.
fn push_modifiers_on(p: &mut String, m: Modifier) {
    for (flag, code) in [
        (Modifier::BOLD, "1;"),
        (Modifier::DIM, "2;"),
        (Modifier::ITALIC, "3;"),
        (Modifier::UNDERLINED, "4;"),
        (Modifier::SLOW_BLINK, "5;"),
        (Modifier::RAPID_BLINK, "6;"),
        (Modifier::REVERSED, "7;"),
        (Modifier::HIDDEN, "8;"),
        (Modifier::CROSSED_OUT, "9;"),
    ] {
        if m.contains(flag) {
            p.push_str(code);
        }
    }
}

/// The `SGR` parameters (each followed by `;`) taking the terminal from
/// `from` to `to`: the change alone, or a reset and `to` in full.
fn sgr_params(from: Option<&Pen>, to: &Pen) -> String {
    let mut reset = String::from("0;");
    push_modifiers_on(&mut reset, to.modifier);
    if to.fg != Color::Reset {
        push_color(&mut reset, to.fg, 30);
    }
    if to.bg != Color::Reset {
        push_color(&mut reset, to.bg, 40);
    }
    if to.ul != Color::Reset {
        push_color(&mut reset, to.ul, 50);
    }
    if reset == "0;" {
        // `ESC[m` is a reset.
        reset.clear();
    }
    let Some(from) = from else { return reset };
    let mut delta = String::new();
    let removed = from.modifier - to.modifier;
    let mut added = to.modifier - from.modifier;
    if removed.intersects(Modifier::BOLD | Modifier::DIM) {
        // One code ends both bold and dim: put back the one that stays.
        delta.push_str("22;");
        added |= to.modifier & (Modifier::BOLD | Modifier::DIM);
    }
    for (flag, code) in [
        (Modifier::ITALIC, "23;"),
        (Modifier::UNDERLINED, "24;"),
        (Modifier::REVERSED, "27;"),
        (Modifier::HIDDEN, "28;"),
        (Modifier::CROSSED_OUT, "29;"),
    ] {
        if removed.contains(flag) {
            delta.push_str(code);
        }
    }
    if removed.intersects(Modifier::SLOW_BLINK | Modifier::RAPID_BLINK) {
        delta.push_str("25;");
        added |= to.modifier & (Modifier::SLOW_BLINK | Modifier::RAPID_BLINK);
    }
    push_modifiers_on(&mut delta, added);
    if to.fg != from.fg {
        push_color(&mut delta, to.fg, 30);
    }
    if to.bg != from.bg {
        push_color(&mut delta, to.bg, 40);
    }
    if to.ul != from.ul {
        push_color(&mut delta, to.ul, 50);
    }
    if delta.len() < reset.len() {
        delta
    } else {
        reset
    }
}

fn digits(n: u16) -> usize {
    match n {
        0..=9 => 1,
        10..=99 => 2,
        100..=999 => 3,
        1000..=9999 => 4,
        _ => 5,
    }
}

pub struct Lean<W: Write> {
    out: W,
    /// The terminal's pen, when known.
    pen: Option<Pen>,
    /// Where the terminal's cursor is, when known.
    at: Option<(u16, u16)>,
    /// Whether the cursor is shown, when known.
    cursor_shown: Option<bool>,
    /// The screen's width as last asked, for erasing to the end of a row.
    width: std::cell::Cell<Option<u16>>,
    assumed: Option<Size>,
}

impl<W: Write> Lean<W> {
    pub fn new(writer: W) -> Lean<W> {
        Lean {
            out: writer,
            pen: None,
            at: None,
            cursor_shown: None,
            width: std::cell::Cell::new(None),
            assumed: None,
        }
    }

    pub fn writer_mut(&mut self) -> &mut W {
        &mut self.out
    }

    /// Takes the screen to be this size instead of asking the terminal
    /// (tests, benchmarks: output that is not a terminal).
    pub fn assume_size(&mut self, size: Size) {
        self.width.set(Some(size.width));
        self.assumed = Some(size);
    }

    fn move_to(&mut self, x: u16, y: u16) -> io::Result<()> {
        if self.at == Some((x, y)) {
            return Ok(());
        }
        let (row, col) = (y.saturating_add(1), x.saturating_add(1));
        // `ESC[row;colH`, or `ESC[rowH` for the first column.
        let cup = if col == 1 {
            3 + digits(row)
        } else {
            4 + digits(row) + digits(col)
        };
        // `ESC[nC`, forward on the row.
        let cuf = |n: u16| match n {
            0 => 0,
            1 => 3,
            n => 3 + digits(n),
        };
        let forward = |out: &mut W, n: u16| match n {
            0 => Ok(()),
            1 => out.write_all(b"\x1b[C"),
            n => write!(out, "\x1b[{n}C"),
        };
        match self.at {
            Some((cx, cy)) if cy == y && x > cx && cuf(x - cx) < cup => {
                forward(&mut self.out, x - cx)?;
                self.at = Some((x, y));
                return Ok(());
            }
            // The next row: carriage return and line feed (raw mode: a
            // bare LF goes straight down). The row exists, so this never
            // scrolls.
            Some((_, cy)) if y == cy.saturating_add(1) && 2 + cuf(x) < cup => {
                self.out.write_all(b"\r\n")?;
                forward(&mut self.out, x)?;
                self.at = Some((x, y));
                return Ok(());
            }
            _ => {}
        }
        if col == 1 {
            write!(self.out, "\x1b[{row}H")?;
        } else {
            write!(self.out, "\x1b[{row};{col}H")?;
        }
        self.at = Some((x, y));
        Ok(())
    }

    fn set_pen(&mut self, to: Pen) -> io::Result<()> {
        let mut p = sgr_params(self.pen.as_ref(), &to);
        p.pop(); // the last `;`
        write!(self.out, "\x1b[{p}m")?;
        self.pen = Some(to);
        Ok(())
    }

    /// A run of plain blanks at the start of `cells` (consecutive on one
    /// row) is erased rather than written, when that is shorter: to the
    /// end of the row (`ESC[K`) or `n` cells (`ESC[nX`, then a forward
    /// move past them). Returns how many cells were dealt with.
    fn erase(&mut self, cells: &[(u16, u16, &Cell)]) -> io::Result<Option<usize>> {
        let Some(&(x, y, _)) = cells.first() else {
            return Ok(None);
        };
        let n = cells
            .iter()
            .enumerate()
            .take_while(|(k, (cx, cy, c))| {
                *cy == y
                    && usize::from(*cx) == usize::from(x) + k
                    && c.symbol() == " "
                    && same_blank(&Pen::of(c), &Pen::DEFAULT)
            })
            .count();
        // Both need the cursor there and a pen that erases to a plain blank.
        if n < 4 {
            return Ok(None);
        }
        let to_end = self
            .width
            .get()
            .is_some_and(|w| usize::from(x) + n == usize::from(w));
        let n16 = n as u16; // n ≤ a row's width
        let cost = if to_end { 3 } else { (3 + digits(n16)) * 2 };
        if cost >= n {
            return Ok(None);
        }
        self.move_to(x, y)?;
        let plain = self.pen.as_ref().is_some_and(|p| {
            p.bg == Color::Reset && !p.modifier.intersects(SEEN_ON_BLANK | Modifier::HIDDEN)
        });
        if !plain {
            self.set_pen(Pen::DEFAULT)?;
        }
        if to_end {
            self.out.write_all(b"\x1b[K")?;
        } else {
            write!(self.out, "\x1b[{n16}X")?;
        }
        // Erasing leaves the cursor where it was.
        self.at = Some((x, y));
        Ok(Some(n))
    }

    /// Back to the default pen (erasing fills with the pen's background).
    fn plain_pen(&mut self) -> io::Result<()> {
        if self.pen != Some(Pen::DEFAULT) {
            self.set_pen(Pen::DEFAULT)?;
        }
        Ok(())
    }
}

impl<W: Write> Write for Lean<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

impl<W: Write> Backend for Lean<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let cells: Vec<(u16, u16, &Cell)> = content.collect();
        let mut i = 0;
        while i < cells.len() {
            let (x, y, cell) = cells[i];
            if let Some(n) = self.erase(&cells[i..])? {
                i += n;
                continue;
            }
            i += 1;
            self.move_to(x, y)?;
            let symbol = cell.symbol();
            let want = Pen::of(cell);
            match &self.pen {
                Some(p) if *p == want => {}
                Some(p) if symbol == " " && same_blank(p, &want) => {}
                _ => self.set_pen(want)?,
            }
            self.out.write_all(symbol.as_bytes())?;
            let advance: u16 = if surely_wide(symbol) {
                2
            } else if symbol.width() <= 1 {
                1
            } else {
                // Unsure how wide the terminal draws it: move next time.
                self.at = None;
                continue;
            };
            self.at = Some((x.saturating_add(advance), y));
        }
        Ok(())
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        if self.cursor_shown != Some(false) {
            queue!(self.out, Hide)?;
            self.cursor_shown = Some(false);
        }
        Ok(())
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        if self.cursor_shown != Some(true) {
            queue!(self.out, Show)?;
            self.cursor_shown = Some(true);
        }
        Ok(())
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        if let Some((x, y)) = self.at {
            return Ok(Position { x, y });
        }
        // Asks the terminal and waits for its answer: avoided where it can be.
        self.out.flush()?;
        ratatui::crossterm::cursor::position()
            .map(|(x, y)| Position { x, y })
            .map_err(io::Error::other)
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let Position { x, y } = position.into();
        if self.at != Some((x, y)) {
            queue!(self.out, MoveTo(x, y))?;
            self.at = Some((x, y));
        }
        Ok(())
    }

    fn clear(&mut self) -> io::Result<()> {
        self.clear_region(ClearType::All)
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.plain_pen()?;
        // Called on a resize too, when the terminal may have moved it.
        self.at = None;
        let t = match clear_type {
            ClearType::All => terminal::ClearType::All,
            ClearType::AfterCursor => terminal::ClearType::FromCursorDown,
            ClearType::BeforeCursor => terminal::ClearType::FromCursorUp,
            ClearType::CurrentLine => terminal::ClearType::CurrentLine,
            ClearType::UntilNewLine => terminal::ClearType::UntilNewLine,
        };
        queue!(self.out, Clear(t))
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        for _ in 0..n {
            self.out.write_all(b"\n")?;
        }
        self.at = None;
        Ok(())
    }

    fn size(&self) -> io::Result<Size> {
        if let Some(size) = self.assumed {
            return Ok(size);
        }
        let (width, height) = terminal::size()?;
        self.width.set(Some(width));
        Ok(Size { width, height })
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        let w = terminal::window_size()?;
        Ok(WindowSize {
            columns_rows: Size {
                width: w.columns,
                height: w.rows,
            },
            pixels: Size {
                width: w.width,
                height: w.height,
            },
        })
    }

    /// Nothing: the loop writes the frame whole.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Style, Stylize};
    use ratatui::text::{Line, Span};
    use ratatui::widgets::Paragraph;
    use ratatui::{Terminal, TerminalOptions, Viewport};

    fn terminal(w: u16, h: u16) -> Terminal<Lean<Vec<u8>>> {
        Terminal::with_options(
            Lean::new(Vec::new()),
            TerminalOptions {
                viewport: Viewport::Fixed(ratatui::layout::Rect::new(0, 0, w, h)),
            },
        )
        .unwrap()
    }

    /// Draws `lines` and returns what was sent since the last call.
    fn draw(t: &mut Terminal<Lean<Vec<u8>>>, lines: Vec<Line<'static>>) -> String {
        t.draw(|f| {
            f.render_widget(Paragraph::new(lines), f.area());
            canonical_blanks(f.buffer_mut());
        })
        .unwrap();
        let out = std::mem::take(t.backend_mut().writer_mut());
        String::from_utf8(out).unwrap()
    }

    fn frame(text: &str) -> String {
        draw(&mut terminal(20, 1), vec![Line::from(text.to_string())])
    }

    #[test]
    fn no_cursor_move_after_chinese_but_after_emoji() {
        let s = frame("值守日志ab");
        assert_eq!(
            s.matches('H').count(),
            1,
            "only the move to the start: {s:?}"
        );
        let s = frame("a⌛b");
        assert!(
            s.matches("\u{1b}[1;4H").count() == 1,
            "a move after the emoji: {s:?}"
        );
        assert!(surely_wide("值") && !surely_wide("⌛") && !surely_wide("a"));
    }

    #[test]
    fn one_short_sgr_per_change_of_style() {
        let mut t = terminal(30, 1);
        let s = draw(
            &mut t,
            vec![Line::from(vec![
                Span::raw("a"),
                Span::styled("bc", Style::new().dark_gray()),
                Span::styled("d", Style::new().red().bold().reversed()),
                Span::raw("e"),
            ])],
        );
        assert_eq!(
            s, "\u{1b}[1H\u{1b}[ma\u{1b}[90mbc\u{1b}[1;7;31md\u{1b}[me\u{1b}[?25l",
            "{s:?}"
        );
        // Unchanged: nothing at all, not even the cursor again.
        let s = draw(
            &mut t,
            vec![Line::from(vec![
                Span::raw("a"),
                Span::styled("bc", Style::new().dark_gray()),
                Span::styled("d", Style::new().red().bold().reversed()),
                Span::raw("e"),
            ])],
        );
        assert_eq!(s, "");
    }

    #[test]
    fn the_pen_is_kept_between_frames_and_reset_before_erasing() {
        let mut t = terminal(10, 2);
        draw(&mut t, vec![Line::from("x".reversed())]);
        let s = draw(&mut t, vec![Line::from("y".reversed())]);
        assert_eq!(s, "\u{1b}[1Hy", "still reversed: {s:?}");
        t.backend_mut().clear().unwrap();
        let s = String::from_utf8(std::mem::take(t.backend_mut().writer_mut())).unwrap();
        assert!(s.starts_with("\u{1b}[m"), "{s:?}");
    }

    #[test]
    fn blanks_keep_the_pen_and_gaps_are_skipped_forward() {
        let mut t = terminal(40, 1);
        draw(&mut t, vec![Line::from("0123456789 abcdefgh")]);
        // Only two separate cells change: a short forward move between.
        let s = draw(&mut t, vec![Line::from("0X23456789 abcYefgh")]);
        assert_eq!(s, "\u{1b}[1;2HX\u{1b}[12CY", "{s:?}");
        // A gray column with its padding over old text: the padding keeps
        // the gray pen.
        let mut t = terminal(40, 1);
        draw(&mut t, vec![Line::from("xxxxxx")]);
        let s = draw(
            &mut t,
            vec![Line::from(vec![
                Span::styled("ab  ", Style::new().dark_gray()),
                Span::raw("cd"),
            ])],
        );
        assert_eq!(s, "\u{1b}[1H\u{1b}[90mab  \u{1b}[mcd", "{s:?}");
    }

    #[test]
    fn the_next_row_is_reached_by_return_and_line_feed() {
        let mut t = terminal(40, 3);
        draw(
            &mut t,
            vec![Line::from("aaaa"), Line::from("bbbb"), Line::from("cccc")],
        );
        let s = draw(
            &mut t,
            vec![Line::from("aaaa"), Line::from("bXbb"), Line::from("cYcc")],
        );
        assert_eq!(s, "\u{1b}[2;2HX\r\n\u{1b}[CY", "{s:?}");
        let s = draw(
            &mut t,
            vec![Line::from("aaaa"), Line::from("ZXbb"), Line::from("WYcc")],
        );
        assert_eq!(s, "\u{1b}[2HZ\r\nW", "{s:?}");
    }

    #[test]
    fn runs_of_blanks_are_erased_not_written() {
        let mut t = terminal(40, 2);
        let long = "abcdefghijklmnopqrstuvwxyz0123456789";
        draw(&mut t, vec![Line::from(long), Line::from(long)]);
        let s = draw(
            &mut t,
            vec![
                Line::from(format!("ab{}yz0123456789", " ".repeat(22))),
                Line::from(format!("abc{}de", " ".repeat(3))),
            ],
        );
        assert_eq!(
            s, "\u{1b}[1;3H\u{1b}[22X\u{1b}[2;4H   de\u{1b}[28X",
            "{s:?}"
        );
        // Erasing needs a plain pen: a reversed one is put down first.
        let mut t = terminal(20, 1);
        draw(
            &mut t,
            vec![Line::from(vec!["xyyyyyyyyyyyyyy".into(), "Z".reversed()])],
        );
        let s = draw(
            &mut t,
            vec![Line::from(vec![
                "x".into(),
                " ".repeat(14).into(),
                "Z".reversed(),
            ])],
        );
        assert_eq!(s, "\u{1b}[1;2H\u{1b}[m\u{1b}[14X", "{s:?}");
    }

    /// Two frames drawn as the loop draws them, replayed in a terminal
    /// emulator that blanks the rest of an overwritten wide character with
    /// the pen of the moment, as xterm does: the screen after the second.
    fn after_overwriting_wide(repair: bool) -> vt100::Screen {
        let mut t = terminal(6, 1);
        let mut prep = FramePrep::default();
        let one = std::num::NonZeroU16::new(1).unwrap();
        let mut vt = vt100::Parser::new(one, std::num::NonZeroU16::new(6).unwrap(), 0);
        for line in [
            Line::from("时间"),
            // A red blank where 时 began; its right half is a plain blank.
            Line::from(vec![" ".on_red(), "  ".into(), "x".into()]),
        ] {
            let done = t
                .draw(|f| {
                    f.render_widget(Paragraph::new(line), f.area());
                    prep.prepare(f.buffer_mut());
                })
                .unwrap();
            prep.drawn(done.buffer);
            if !repair {
                prep.forget();
            }
            vt.process(&std::mem::take(t.backend_mut().writer_mut()));
        }
        vt.screen().clone()
    }

    #[test]
    fn an_overwritten_wide_character_leaves_nothing_behind() {
        let s = after_overwriting_wide(false);
        assert_eq!(
            s.cell(0, 1).unwrap().bgcolor(),
            vt100::Color::Idx(1),
            "left to the terminal, the right half of 时 turns red"
        );
        let s = after_overwriting_wide(true);
        assert_eq!(s.cell(0, 0).unwrap().bgcolor(), vt100::Color::Idx(1));
        assert_eq!(s.cell(0, 1).unwrap().bgcolor(), vt100::Color::Default);
        assert_eq!(s.cell(0, 3).unwrap().contents(), "x");
    }

    #[test]
    fn invisible_changes_on_blanks_are_not_sent() {
        let mut t = terminal(20, 1);
        draw(
            &mut t,
            vec![Line::from(vec![
                Span::raw("ab"),
                Span::styled("   ", Style::new().dark_gray().bold()),
            ])],
        );
        let s = draw(&mut t, vec![Line::from("ab   ")]);
        assert_eq!(s, "", "{s:?}");
        // But a reversed blank is visible.
        let s = draw(&mut t, vec![Line::from(vec!["ab".into(), " ".reversed()])]);
        assert_eq!(s, "\u{1b}[7m ", "the cursor is already there: {s:?}");
    }

    #[test]
    fn sgr_params_choose_the_shorter_form() {
        let plain = Pen::DEFAULT;
        let rev = Pen {
            modifier: Modifier::REVERSED,
            ..plain
        };
        let bold_red = Pen {
            fg: Color::Red,
            modifier: Modifier::BOLD,
            ..plain
        };
        assert_eq!(sgr_params(Some(&rev), &plain), "");
        assert_eq!(sgr_params(Some(&plain), &rev), "7;");
        assert_eq!(sgr_params(Some(&rev), &bold_red), "0;1;31;");
        let bold_dim = Pen {
            fg: Color::Red,
            modifier: Modifier::BOLD | Modifier::DIM,
            ..plain
        };
        let dim = Pen {
            fg: Color::Red,
            modifier: Modifier::DIM,
            ..plain
        };
        // Ending bold ends dim too: dim is put back.
        assert_eq!(sgr_params(Some(&bold_dim), &dim), "22;2;");
        assert_eq!(sgr_params(Some(&bold_dim), &plain), "");
        let idx = Pen {
            fg: Color::Indexed(200),
            bg: Color::Rgb(1, 2, 3),
            ..plain
        };
        assert_eq!(sgr_params(None, &idx), "0;38;5;200;48;2;1;2;3;");
        assert_eq!(sgr_params(None, &plain), "");
    }
}
