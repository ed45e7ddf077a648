//! Asking the terminal how wide it draws East Asian ambiguous characters,
//! and whether it shows UTF-8 at all (vim detects its `ambiwidth` the same
//! way).
//!
//! At the top left of the (alternate) screen the console prints `宽度`,
//! then `·` and `━` (ambiguous: a middle dot and a heavy border line), asks
//! where the cursor went (`CSI 6n`), and wipes the row again. The answer,
//! `CSI row ; col R`, gives the column after the text:
//!
//! | column | the terminal |
//! |---|---|
//! | 7 | UTF-8, ambiguous characters one cell: narrow |
//! | 8 or 9 | UTF-8, one or both drawn two cells: wide |
//! | 1 | did not move: a stand-in answer, no information |
//! | anything else | read the bytes as another encoding: `宽度`'s six bytes are three GBK characters or six Latin-1 ones, 6 cells rather than 4, and the rest 3 to 5 cells: column 10 to 12 |
//!
//! (`宽度` is chosen because none of its bytes is a C1 control or a soft
//! hyphen when read as Latin-1, which a terminal would not draw.)
//!
//! One request, one answer: one round trip. The request is sent before
//! the console opens its panes and the answer read after, so on a link
//! that answers the round trip hides behind that work; on one that does not,
//! the wait ends [`TIMEOUT`] after the request was sent. The answer is read
//! straight from standard input before the key reader starts; a key typed
//! in that moment is dropped with it (the console then has not drawn
//! anything the key could have been meant for).

use std::io::{self, Write};
use std::time::{Duration, Instant};

use super::glyphs::{Decided, Glyphs, Width};
use crate::config::{Ambiguous, AmbiguousFallback};

/// How long an answer is waited for, from the request.
pub const TIMEOUT: Duration = Duration::from_millis(100);

/// Home, the probe text, the request, then home and the row wiped.
pub const REQUEST: &str = "\x1b[H宽度·━\x1b[6n\x1b[H\x1b[2K";

/// The column the cursor reaches after the probe text in each case.
const NARROW_COL: u16 = 7;
const WIDE_COLS: [u16; 2] = [8, 9];

/// What the answer says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Narrow,
    Wide,
    /// The cursor went elsewhere: the client decodes another encoding.
    NotUtf8 {
        col: u16,
    },
    /// The cursor did not move (a program that answers every request with
    /// `1;1`): as good as no answer.
    Unclear,
}

impl Answer {
    pub fn from_col(col: u16) -> Answer {
        match col {
            NARROW_COL => Answer::Narrow,
            c if WIDE_COLS.contains(&c) => Answer::Wide,
            0 | 1 => Answer::Unclear,
            col => Answer::NotUtf8 { col },
        }
    }
}

/// The first cursor-position report in `bytes`: `ESC [ row ; col R`.
pub fn parse_report(bytes: &[u8]) -> Option<(u16, u16)> {
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == 0x1b
            && bytes[i + 1] == b'['
            && let Some(rc) = report_at(&bytes[i + 2..])
        {
            return Some(rc);
        }
        i += 1;
    }
    None
}

fn report_at(b: &[u8]) -> Option<(u16, u16)> {
    let end = b.iter().position(|&c| !(c.is_ascii_digit() || c == b';'))?;
    if b[end] != b'R' {
        return None;
    }
    let body = std::str::from_utf8(&b[..end]).ok()?;
    let (row, col) = body.split_once(';')?;
    Some((row.parse().ok()?, col.parse().ok()?))
}

/// The glyph set from the setting and, for `auto`, the answer (`None`: no
/// answer in time).
pub fn decide(setting: Ambiguous, fallback: AmbiguousFallback, answer: Option<Answer>) -> Glyphs {
    let with = |width, decided| Glyphs { width, decided };
    match setting {
        Ambiguous::Narrow => Glyphs::NARROW,
        Ambiguous::Wide => Glyphs::WIDE,
        Ambiguous::Auto => match answer {
            Some(Answer::Narrow) => with(Width::Narrow, Decided::Detected),
            Some(Answer::Wide) => with(Width::Wide, Decided::Detected),
            Some(Answer::NotUtf8 { .. }) => with(Width::Wide, Decided::NotUtf8),
            Some(Answer::Unclear) | None => with(
                match fallback {
                    AmbiguousFallback::Narrow => Width::Narrow,
                    AmbiguousFallback::Wide => Width::Wide,
                },
                Decided::NoAnswer,
            ),
        },
    }
}

/// A request on its way.
pub struct Sent {
    at: Instant,
}

/// Sends the request (raw mode must be on, or the answer waits for a
/// line end and is echoed).
pub fn send(out: &mut impl Write) -> io::Result<Sent> {
    out.write_all(REQUEST.as_bytes())?;
    out.flush()?;
    Ok(Sent { at: Instant::now() })
}

impl Sent {
    /// Reads standard input until a report comes or `timeout` after the
    /// request has passed; `None`: no answer.
    pub fn collect(self, timeout: Duration) -> Option<Answer> {
        let deadline = self.at + timeout;
        let mut got: Vec<u8> = Vec::new();
        let mut buf = [0u8; 256];
        loop {
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            let wait = deadline - now;
            if !readable(0, Some(wait)) {
                continue;
            }
            let n = read_stdin(&mut buf);
            if n == 0 {
                return None;
            }
            got.extend_from_slice(&buf[..n]);
            if let Some((_, col)) = parse_report(&got) {
                return Some(Answer::from_col(col));
            }
        }
    }
}

/// Whether `fd` has input within `wait` (`None`: however long it takes).
fn readable(fd: i32, wait: Option<Duration>) -> bool {
    let ms = match wait {
        // Rounded up, so a wait never ends early and spins.
        Some(w) => i32::try_from(w.as_micros().div_ceil(1000)).unwrap_or(i32::MAX),
        None => -1,
    };
    let mut p = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd for the duration of the call.
    let r = unsafe { libc::poll(&mut p, 1, ms) };
    r > 0 && p.revents & (libc::POLLIN | libc::POLLHUP | libc::POLLERR) != 0
}

/// One read of standard input; 0 at its end or on an error.
fn read_stdin(buf: &mut [u8]) -> usize {
    // SAFETY: writes at most buf.len() bytes into buf.
    let n = unsafe { libc::read(0, buf.as_mut_ptr().cast(), buf.len()) };
    usize::try_from(n).unwrap_or(0)
}

/// The notice for a client that does not decode UTF-8: a plain ASCII line
/// first (every client shows it), then the same in Chinese encoded as GBK
/// (what a Chinese Windows client left on its default shows), then how to
/// go on. The screen is cleared first; the console waits for a key.
pub fn not_utf8_notice() -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(b"\x1b[H\x1b[2J");
    out.extend_from_slice(NOTICE_ASCII.as_bytes());
    out.extend_from_slice(b"\r\n\r\n");
    out.extend_from_slice(&gbk(NOTICE_ZH));
    out.extend_from_slice(b"\r\n\r\n");
    out.extend_from_slice(NOTICE_GO_ON.as_bytes());
    out
}

pub const NOTICE_ASCII: &str = "supplydesk: this terminal does not show UTF-8 text. Set your SSH client's character encoding to UTF-8 (Xshell: File > Properties > Terminal > Encoding; SecureCRT: Session Options > Terminal > Appearance > Character encoding; PuTTY: Window > Translation > Remote character set), then reconnect.";
pub const NOTICE_ZH: &str =
    "终端未按 UTF-8 显示：请把 SSH 客户端的字符编码设为 UTF-8，然后重新连接。按任意键仍可继续。";
pub const NOTICE_GO_ON: &str = "Press any key to go on anyway.";

/// `text` in GBK. Only characters of GB2312's rows, whose bytes are all
/// 0xA1 or above, so no byte of it is a C1 control (0x80–0x9F) to a
/// terminal that reads Latin-1.
fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, _) = encoding_rs::GBK.encode(text);
    bytes.into_owned()
}

/// Waits for one key (or the end of input) on standard input; a signal
/// (a resized window) does not count as one.
pub fn wait_for_key() {
    let mut buf = [0u8; 64];
    loop {
        if readable(0, None) {
            read_stdin(&mut buf);
            return;
        }
        if io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn the_probe_text_lands_on_the_columns_of_the_table() {
        let text = REQUEST
            .strip_prefix("\x1b[H")
            .and_then(|r| r.split_once('\x1b'))
            .unwrap()
            .0;
        assert_eq!(text, "宽度·━");
        assert_eq!(1 + text.width() as u16, NARROW_COL);
        assert_eq!(1 + text.width_cjk() as u16, WIDE_COLS[1]);
        // Read as another encoding, the text lands beyond every UTF-8 column.
        for enc in [
            encoding_rs::GBK,
            encoding_rs::BIG5,
            encoding_rs::WINDOWS_1252,
        ] {
            let (other, _) = enc.decode_without_bom_handling(text.as_bytes());
            let col = 1 + other.width() as u16;
            assert!(col >= 10, "{}: {other} ends at column {col}", enc.name());
            assert!(matches!(Answer::from_col(col), Answer::NotUtf8 { .. }));
        }
        // Latin-1 proper: every byte from 0xA0 a printable character.
        assert!(text[..6].bytes().all(|b| b >= 0xA0 && b != 0xAD));
    }

    #[test]
    fn reports_are_read_among_other_bytes() {
        assert_eq!(parse_report(b"\x1b[1;7R"), Some((1, 7)));
        assert_eq!(parse_report(b"j\x1b[A\x1b[12;9R"), Some((12, 9)));
        assert_eq!(parse_report(b"\x1b[1;7"), None);
        assert_eq!(parse_report(b"\x1b[15~"), None);
    }

    #[test]
    fn columns_give_the_answer() {
        assert_eq!(Answer::from_col(7), Answer::Narrow);
        assert_eq!(Answer::from_col(8), Answer::Wide);
        assert_eq!(Answer::from_col(9), Answer::Wide);
        assert_eq!(Answer::from_col(1), Answer::Unclear);
        assert_eq!(Answer::from_col(12), Answer::NotUtf8 { col: 12 });
    }

    #[test]
    fn the_setting_overrides_and_the_fallback_fills_in() {
        use AmbiguousFallback as F;
        let wide = Some(Answer::Wide);
        assert_eq!(decide(Ambiguous::Narrow, F::Narrow, wide), Glyphs::NARROW);
        assert_eq!(decide(Ambiguous::Wide, F::Narrow, None), Glyphs::WIDE);
        let g = decide(Ambiguous::Auto, F::Narrow, wide);
        assert_eq!((g.width, g.decided), (Width::Wide, Decided::Detected));
        let g = decide(Ambiguous::Auto, F::Wide, None);
        assert_eq!((g.width, g.decided), (Width::Wide, Decided::NoAnswer));
        let g = decide(Ambiguous::Auto, F::Narrow, Some(Answer::Unclear));
        assert_eq!((g.width, g.decided), (Width::Narrow, Decided::NoAnswer));
        let g = decide(
            Ambiguous::Auto,
            F::Narrow,
            Some(Answer::NotUtf8 { col: 12 }),
        );
        assert_eq!((g.width, g.decided), (Width::Wide, Decided::NotUtf8));
    }

    #[test]
    fn the_notice_starts_with_plain_ascii_and_has_no_c1_byte() {
        let n = not_utf8_notice();
        let first_line = n.split(|&b| b == b'\r').next().unwrap();
        assert!(first_line.is_ascii());
        assert!(NOTICE_ASCII.contains("UTF-8"));
        let zh = gbk(NOTICE_ZH);
        assert!(zh.iter().all(|&b| !(0x80..0xA1).contains(&b)), "{zh:?}");
        let (back, _, bad) = encoding_rs::GBK.decode(&zh);
        assert!(!bad);
        assert_eq!(back, NOTICE_ZH);
    }
}
