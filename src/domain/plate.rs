//! Chinese licence plates (GA 36), normalised and checked leniently.
//!
//! Officers type plates in every common form: with or without the dot,
//! with spaces, in lower case, in full-width characters from a Chinese
//! input method, with `I`/`O` where `1`/`0` was meant. [`normalize`] turns
//! all of these into one canonical form ([`Plate`], e.g. `渝F12345`) and
//! checks it against the GA 36 patterns:
//!
//! | kind | pattern | example |
//! |---|---|---|
//! | ordinary | province + letter + 5 letters/digits | `渝F12345` |
//! | small new-energy (GA 36-2018) | province + letter + `D`/`F` + 5 | `渝AD12345` |
//! | large new-energy (GA 36-2018) | province + letter + 5 + `D`/`F` | `渝A12345D` |
//! | special suffix | province + letter + 4 + 学/警/挂/领/港/澳 | `渝F1234学` |
//!
//! The check is lenient: a plate that fits no pattern is still normalised
//! and returned with a [`PlateCheck::Odd`] verdict, a warning to show the
//! officer, never a refusal. Only input with nothing plate-like in it is an
//! error ([`PlateError`]).

use std::fmt;

use crate::domain::text::sanitize;

/// The 31 province-level abbreviations that open a plate.
pub const PROVINCES: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";

/// Whether `c` is one of the 31 province abbreviations ([`PROVINCES`]).
pub fn is_province(c: char) -> bool {
    PROVINCES.contains(c)
}

/// A plate in normalised form: no separators, upper case, half-width,
/// e.g. `渝F12345`. Made by [`normalize`], or by
/// [`Plate::from_normalized_unchecked`] for values read back from storage.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Plate(String);

impl Plate {
    /// Wraps a value that is already normalised (e.g. read back from the
    /// database, where only normalised plates are stored). Nothing is checked.
    pub fn from_normalized_unchecked(s: String) -> Plate {
        Plate(s)
    }

    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The province abbreviation the plate starts with, if it starts with one.
    pub fn province(&self) -> Option<char> {
        self.0.chars().next().filter(|&c| is_province(c))
    }

    /// The plate after its province abbreviation (`F12345` for `渝F12345`);
    /// the whole plate when it has none.
    pub fn without_province(&self) -> &str {
        strip_province(&self.0)
    }
}

impl fmt::Display for Plate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The outcome of [`normalize`]: the normalised plate and how it fares
/// against GA 36.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    pub plate: Plate,
    pub verdict: PlateCheck,
}

impl Normalized {
    /// One sentence about the verdict that names the plate, e.g.
    /// "渝F1234 has 4 characters after the province and letter; …".
    pub fn describe(&self, zh: bool) -> String {
        describe_subject(Some(self.plate.as_str()), &self.verdict, zh)
    }
}

/// How a normalised plate fares against the GA 36 patterns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlateCheck {
    /// Fits a standard pattern.
    Standard(PlateKind),
    /// Fits none: a warning to show, not a rejection.
    Odd(OddReason),
}

impl PlateCheck {
    /// True for [`PlateCheck::Standard`].
    pub fn is_standard(&self) -> bool {
        matches!(self, PlateCheck::Standard(_))
    }
}

/// The standard plate patterns recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlateKind {
    /// Province + letter + five letters/digits: `渝F12345`.
    Ordinary,
    /// New-energy small vehicle, `D`/`F` first of six: `渝AD12345`.
    NewEnergySmall,
    /// New-energy large vehicle, `D`/`F` last of six: `渝A12345D`.
    NewEnergyLarge,
    /// Four letters/digits and a suffix character: `渝F1234学`.
    Special(Suffix),
}

impl PlateKind {
    /// A short label for lists and details ("ordinary", "普通").
    pub fn label(self, zh: bool) -> &'static str {
        match (self, zh) {
            (PlateKind::Ordinary, false) => "ordinary",
            (PlateKind::Ordinary, true) => "普通",
            (PlateKind::NewEnergySmall, false) => "small new-energy vehicle",
            (PlateKind::NewEnergySmall, true) => "小型新能源汽车",
            (PlateKind::NewEnergyLarge, false) => "large new-energy vehicle",
            (PlateKind::NewEnergyLarge, true) => "大型新能源汽车",
            (PlateKind::Special(s), _) => s.label(zh),
        }
    }
}

/// The suffix characters of special plates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Suffix {
    /// 学: driving-school (learner) vehicle.
    Learner,
    /// 警: police.
    Police,
    /// 挂: trailer.
    Trailer,
    /// 领: consulate.
    Consulate,
    /// 港: Hong Kong cross-boundary vehicle.
    HongKong,
    /// 澳: Macau cross-boundary vehicle.
    Macau,
}

impl Suffix {
    /// The suffix a character stands for, if any.
    pub fn from_char(c: char) -> Option<Suffix> {
        Some(match c {
            '学' => Suffix::Learner,
            '警' => Suffix::Police,
            '挂' => Suffix::Trailer,
            '领' => Suffix::Consulate,
            '港' => Suffix::HongKong,
            '澳' => Suffix::Macau,
            _ => return None,
        })
    }

    /// The character on the plate.
    pub fn as_char(self) -> char {
        match self {
            Suffix::Learner => '学',
            Suffix::Police => '警',
            Suffix::Trailer => '挂',
            Suffix::Consulate => '领',
            Suffix::HongKong => '港',
            Suffix::Macau => '澳',
        }
    }

    fn label(self, zh: bool) -> &'static str {
        match (self, zh) {
            (Suffix::Learner, false) => "learner (学)",
            (Suffix::Learner, true) => "教练车（学）",
            (Suffix::Police, false) => "police (警)",
            (Suffix::Police, true) => "警用（警）",
            (Suffix::Trailer, false) => "trailer (挂)",
            (Suffix::Trailer, true) => "挂车（挂）",
            (Suffix::Consulate, false) => "consulate (领)",
            (Suffix::Consulate, true) => "领馆（领）",
            (Suffix::HongKong, false) => "Hong Kong cross-boundary (港)",
            (Suffix::HongKong, true) => "港籍入出境（港）",
            (Suffix::Macau, false) => "Macau cross-boundary (澳)",
            (Suffix::Macau, true) => "澳籍入出境（澳）",
        }
    }
}

/// Why a plate fits no standard pattern. When several apply, the first in
/// this order is reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OddReason {
    /// Starts with a letter or digit: the province abbreviation was left out
    /// (`F12345`).
    MissingProvince,
    /// The first character is not one of the 31 province abbreviations
    /// (`火F12345`, `X渝F12345`).
    UnknownProvince(char),
    /// Characters that never appear on a plate (punctuation, other Chinese
    /// characters, a suffix character not at the end, ...), in order of
    /// appearance, each once.
    InvalidCharacters(Vec<char>),
    /// The character after the province is not a letter (the issuing
    /// authority, F in 渝F).
    AuthorityNotLetter(char),
    /// The number of characters after the province and the letter is not 5
    /// (nor a new-energy 6 with `D`/`F` first or last). `serial` counts them,
    /// a suffix character included.
    WrongLength { serial: usize },
}

/// Input that has nothing plate-like in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlateError {
    /// Nothing left once spaces and separators are removed.
    Empty,
    /// No letter or digit at all (`渝`, `火`, `·-·`).
    NoAlphanumeric,
    /// Far longer than any plate: a paste gone wrong.
    TooLong,
}

/// The most characters a typed plate may have, separators and spaces
/// included; the longest real plate has 8.
pub const TYPED_MAX_CHARS: usize = 32;

impl PlateError {
    /// One sentence saying what was wrong and what to do.
    pub fn describe(self, zh: bool) -> String {
        match (self, zh) {
            (PlateError::Empty, false) => {
                "No plate was given; type a plate such as 渝F12345.".to_owned()
            }
            (PlateError::Empty, true) => "未输入车牌号；请输入如“渝F12345”的车牌号。".to_owned(),
            (PlateError::NoAlphanumeric, false) => {
                "That is not a plate: it has no letters or digits; type a plate such as 渝F12345."
                    .to_owned()
            }
            (PlateError::NoAlphanumeric, true) => {
                "输入内容不含字母或数字，不是车牌号；请输入如“渝F12345”的车牌号。".to_owned()
            }
            (PlateError::TooLong, false) => format!(
                "That is too long for a plate (more than {TYPED_MAX_CHARS} characters); type one plate such as 渝F12345."
            ),
            (PlateError::TooLong, true) => format!(
                "输入过长（超过 {TYPED_MAX_CHARS} 个字符），不是一个车牌号；请输入如“渝F12345”的车牌号。"
            ),
        }
    }
}

impl fmt::Display for PlateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(false))
    }
}

impl std::error::Error for PlateError {}

/// Normalises a plate as typed and checks it against GA 36.
///
/// Normalisation: full-width ASCII (U+FF01–U+FF5E) becomes half-width;
/// whitespace (including the full-width space U+3000), separators (`·` `•`
/// `・` `.` `-` `_` and their look-alikes) and invisible format characters
/// (zero-width, bidi controls) are removed; ASCII letters are upper-cased;
/// in the serial (every position after the issuing-authority letter) `I`
/// becomes `1` and `O` becomes `0`, since GA 36 serials use neither. The
/// authority letter itself is kept as typed.
///
/// Errors only when nothing is left ([`PlateError::Empty`]) or no letter or
/// digit is ([`PlateError::NoAlphanumeric`]); every other input yields a
/// plate, with an [`PlateCheck::Odd`] verdict when it fits no pattern.
pub fn normalize(input: &str) -> Result<Normalized, PlateError> {
    if input.chars().nth(TYPED_MAX_CHARS).is_some() {
        return Err(PlateError::TooLong);
    }
    let mut chars: Vec<char> = Vec::with_capacity(input.len());
    for c in input.chars() {
        let c = to_half_width(c);
        if c.is_whitespace() || is_separator(c) || is_invisible(c) {
            continue;
        }
        chars.push(c.to_ascii_uppercase());
    }
    if chars.is_empty() {
        return Err(PlateError::Empty);
    }
    if !chars.iter().any(char::is_ascii_alphanumeric) {
        return Err(PlateError::NoAlphanumeric);
    }
    // `yu` typed for 渝 (an input method not switched on): read as 渝 when
    // what follows it then makes a standard plate (`yuF12345`, `YU F12345`).
    if chars.len() > 3 && chars[0] == 'Y' && chars[1] == 'U' && chars[2].is_ascii_uppercase() {
        let mut as_yu: Vec<char> = std::iter::once('渝')
            .chain(chars[2..].iter().copied())
            .collect();
        serial_digits(&mut as_yu, 1);
        if classify(&as_yu).is_standard() {
            chars = as_yu;
        }
    }
    // The authority letter is the first character when the province was
    // left out, the second otherwise; the serial follows it.
    let letter_at = usize::from(!chars[0].is_ascii());
    serial_digits(&mut chars, letter_at);
    let verdict = classify(&chars);
    Ok(Normalized {
        plate: Plate(chars.into_iter().collect()),
        verdict,
    })
}

/// `I` and `O` after the authority letter at `letter_at` are `1` and `0`:
/// GA 36 serials use neither letter.
fn serial_digits(chars: &mut [char], letter_at: usize) {
    for c in chars.iter_mut().skip(letter_at + 1) {
        *c = match *c {
            'I' => '1',
            'O' => '0',
            other => other,
        };
    }
}

fn to_half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

fn is_separator(c: char) -> bool {
    matches!(
        c,
        '.' | '-'
            | '_'
            | '\u{00B7}' // · middle dot
            | '\u{2022}' // • bullet
            | '\u{2027}' // ‧ hyphenation point
            | '\u{2219}' // ∙ bullet operator
            | '\u{22C5}' // ⋅ dot operator
            | '\u{30FB}' // ・ katakana middle dot
            | '\u{FF65}' // ･ half-width katakana middle dot
            | '\u{2010}'
            ..='\u{2015}' // hyphens and dashes
            | '\u{2212}' // − minus sign
            | '\u{3002}' // 。 ideographic full stop
    )
}

/// Invisible characters pasted along with a plate (zero-width, bidi).
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{FEFF}'
    )
}

fn classify(chars: &[char]) -> PlateCheck {
    use OddReason::*;
    let odd = PlateCheck::Odd;
    let first = chars[0];
    let rest = if first.is_ascii() {
        // A province character further in means the first one sits where
        // the province belongs (`X渝F12345`); otherwise it was left out.
        if chars.iter().any(|&c| is_province(c)) {
            return odd(UnknownProvince(first));
        }
        chars
    } else if !is_province(first) {
        return odd(UnknownProvince(first));
    } else {
        &chars[1..]
    };

    let last = rest.len().saturating_sub(1);
    let mut invalid: Vec<char> = Vec::new();
    for (i, &c) in rest.iter().enumerate() {
        let ok = c.is_ascii_uppercase()
            || c.is_ascii_digit()
            || (i == last && i > 0 && Suffix::from_char(c).is_some());
        if !ok && !invalid.contains(&c) {
            invalid.push(c);
        }
    }
    if !invalid.is_empty() {
        return odd(InvalidCharacters(invalid));
    }
    if first.is_ascii() {
        return odd(MissingProvince);
    }
    let Some((&letter, serial)) = rest.split_first() else {
        return odd(WrongLength { serial: 0 });
    };
    if !letter.is_ascii_uppercase() {
        return odd(AuthorityNotLetter(letter));
    }
    let suffix = serial.last().and_then(|&c| Suffix::from_char(c));
    let is_df = |c: char| c == 'D' || c == 'F';
    let kind = match (serial.len(), suffix) {
        (5, Some(s)) => PlateKind::Special(s),
        (5, None) => PlateKind::Ordinary,
        (6, None) if is_df(serial[0]) => PlateKind::NewEnergySmall,
        (6, None) if is_df(serial[5]) => PlateKind::NewEnergyLarge,
        (n, _) => return odd(WrongLength { serial: n }),
    };
    PlateCheck::Standard(kind)
}

/// One clear sentence about a verdict, in Chinese (`zh`) or English, for
/// CLI warnings and flash messages. Odd verdicts say what is wrong; standard
/// ones name the kind. [`Normalized::describe`] also names the plate.
pub fn describe(check: &PlateCheck, zh: bool) -> String {
    describe_subject(None, check, zh)
}

fn describe_subject(plate: Option<&str>, check: &PlateCheck, zh: bool) -> String {
    let subject = match (plate, zh) {
        (Some(p), false) => sanitize(p).into_owned(),
        (Some(p), true) => format!("车牌“{}”", sanitize(p)),
        (None, false) => "The plate".to_owned(),
        (None, true) => "车牌".to_owned(),
    };
    let reason = match check {
        PlateCheck::Standard(kind) => {
            return if zh {
                format!("{subject}是标准{}号牌。", kind.label(true))
            } else {
                format!("{subject} is a standard {} plate.", kind.label(false))
            };
        }
        PlateCheck::Odd(reason) => reason,
    };
    match reason {
        OddReason::MissingProvince => {
            if zh {
                format!("{subject}开头缺少省份简称（如重庆的“渝”）。")
            } else {
                format!(
                    "{subject} has no province character at the start (such as 渝 for Chongqing)."
                )
            }
        }
        OddReason::UnknownProvince(c) => {
            let c = show_char(*c);
            if zh {
                format!("{subject}开头的“{c}”不是省份简称（如重庆的“渝”）。")
            } else {
                format!(
                    "{subject} starts with '{c}', which is not a province abbreviation (such as 渝 for Chongqing)."
                )
            }
        }
        OddReason::InvalidCharacters(cs) => {
            if zh {
                let list: String = cs.iter().map(|&c| format!("“{}”", show_char(c))).collect();
                format!("{subject}含有号牌上不会出现的字符：{list}。")
            } else {
                let list: Vec<String> = cs.iter().map(|&c| format!("'{}'", show_char(c))).collect();
                format!(
                    "{subject} contains characters that are never on a plate: {}.",
                    list.join(", ")
                )
            }
        }
        OddReason::AuthorityNotLetter(c) => {
            let c = show_char(*c);
            if zh {
                format!("{subject}省份简称后的“{c}”应为发牌机关代号字母（如渝F中的F）。")
            } else {
                format!(
                    "{subject} has '{c}' after the province where the letter of the issuing authority belongs (such as F in 渝F)."
                )
            }
        }
        OddReason::WrongLength { serial: 6 } => {
            if zh {
                format!(
                    "{subject}省份简称和字母后有6位，但只有新能源号牌是6位，且首位或末位为D或F。"
                )
            } else {
                format!(
                    "{subject} has 6 characters after the province and letter; only new-energy plates have 6, and theirs start or end with D or F."
                )
            }
        }
        OddReason::WrongLength { serial } => {
            if zh {
                format!("{subject}省份简称和字母后有{serial}位；号牌应为5位（新能源汽车为6位）。")
            } else {
                let chars = if *serial == 1 {
                    "character"
                } else {
                    "characters"
                };
                format!(
                    "{subject} has {serial} {chars} after the province and letter; a plate has 5 (6 for new-energy vehicles)."
                )
            }
        }
    }
}

/// A character for a message: control and invisible characters as `U+XXXX`.
fn show_char(c: char) -> String {
    let s = c.to_string();
    if sanitize(&s) == s.as_str() {
        s
    } else {
        format!("U+{:04X}", c as u32)
    }
}

fn strip_province(s: &str) -> &str {
    match s.chars().next() {
        Some(c) if is_province(c) => &s[c.len_utf8()..],
        _ => s,
    }
}

/// Whether two normalised plates are close enough that one was likely meant
/// for the other, for suggestions when a lookup has no exact match.
///
/// True when they are equal once a leading province abbreviation is ignored
/// on both (`F12345` typed for `渝F12345`), or have the same length and differ
/// in exactly one character (`渝F12346`, `川F12345`) or by one swap of two
/// adjacent characters (`渝F12354`). Symmetric; identical plates are near.
/// Expects normalised text ([`Plate::as_str`]).
pub fn near(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (ra, rb) = (strip_province(a), strip_province(b));
    if ra.is_empty() || rb.is_empty() {
        return false;
    }
    if ra == rb {
        return true;
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len() != b.len() {
        return false;
    }
    let diffs: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    match diffs[..] {
        [_] => true,
        [i, j] => j == i + 1 && a[i] == b[j] && a[j] == b[i],
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(input: &str) -> Normalized {
        normalize(input).unwrap_or_else(|e| panic!("{input:?}: {e}"))
    }

    #[track_caller]
    fn standard(input: &str, expected: &str, kind: PlateKind) {
        let n = norm(input);
        assert_eq!(n.plate.as_str(), expected, "input {input:?}");
        assert_eq!(n.verdict, PlateCheck::Standard(kind), "input {input:?}");
    }

    #[track_caller]
    fn odd(input: &str, expected: &str, reason: OddReason) {
        let n = norm(input);
        assert_eq!(n.plate.as_str(), expected, "input {input:?}");
        assert_eq!(n.verdict, PlateCheck::Odd(reason), "input {input:?}");
    }

    #[test]
    fn yu_typed_for_the_province_is_read_as_yu() {
        use PlateKind::*;
        standard("yuF12345", "渝F12345", Ordinary);
        standard("YU F12345", "渝F12345", Ordinary);
        standard("Yu f·1234 5", "渝F12345", Ordinary);
        standard("ｙｕＦ１２３４５", "渝F12345", Ordinary);
        standard("yuFO1234", "渝F01234", Ordinary);
        standard("yuAD12345", "渝AD12345", NewEnergySmall);
        // Only when it then makes a standard plate: otherwise nothing is
        // guessed and the plate is read as typed.
        let n = norm("yuF123");
        assert_eq!(n.plate.as_str(), "YUF123");
        assert!(!n.verdict.is_standard());
        let n = norm("YU12345");
        assert_eq!(n.plate.as_str(), "YU12345");
    }

    #[test]
    fn ordinary_forms_as_typed() {
        use PlateKind::Ordinary;
        standard("渝F12345", "渝F12345", Ordinary);
        standard("渝f·12345", "渝F12345", Ordinary);
        standard("渝 F 1234 5", "渝F12345", Ordinary);
        standard("  渝F12345\n", "渝F12345", Ordinary);
        standard("渝Ｆ１２３４５", "渝F12345", Ordinary);
        standard("渝Ｆ・１２３４５", "渝F12345", Ordinary);
        standard("渝\u{3000}Ｆ\u{3000}１２３４５", "渝F12345", Ordinary);
        standard("渝F.12345", "渝F12345", Ordinary);
        standard("渝F-12345", "渝F12345", Ordinary);
        standard("渝F_12345", "渝F12345", Ordinary);
        standard("渝F•12345", "渝F12345", Ordinary);
        standard("渝F・12345", "渝F12345", Ordinary);
        standard("渝F－12345", "渝F12345", Ordinary);
        standard("渝F．12345", "渝F12345", Ordinary);
        standard("渝F\u{200B}12345", "渝F12345", Ordinary);
        standard("渝fa12b3", "渝FA12B3", Ordinary);
        standard("京A·88888", "京A88888", Ordinary);
        standard("琼B12345", "琼B12345", Ordinary);
    }

    #[test]
    fn full_width_lower_case_letters() {
        standard("渝ｆ１２３ｙ５", "渝F123Y5", PlateKind::Ordinary);
        standard("渝ｙｙ１２３４", "渝YY1234", PlateKind::Ordinary);
    }

    #[test]
    fn i_and_o_become_digits_in_the_serial_only() {
        standard("渝FI23O5", "渝F12305", PlateKind::Ordinary);
        standard("渝fi23o5", "渝F12305", PlateKind::Ordinary);
        standard("渝ＦＩ２３Ｏ５", "渝F12305", PlateKind::Ordinary);
        // The authority letter stays as typed.
        standard("渝O12345", "渝O12345", PlateKind::Ordinary);
        standard("渝I1234O", "渝I12340", PlateKind::Ordinary);
        // Also when the province was left out: the first character is the letter.
        odd("OI23O5", "O12305", OddReason::MissingProvince);
    }

    #[test]
    fn new_energy_plates() {
        standard("渝AD12345", "渝AD12345", PlateKind::NewEnergySmall);
        standard("渝A·F12345", "渝AF12345", PlateKind::NewEnergySmall);
        standard("渝ad·a1234", "渝ADA1234", PlateKind::NewEnergySmall);
        standard("渝A12345D", "渝A12345D", PlateKind::NewEnergyLarge);
        standard("渝a12345f", "渝A12345F", PlateKind::NewEnergyLarge);
        odd(
            "渝A123456",
            "渝A123456",
            OddReason::WrongLength { serial: 6 },
        );
    }

    #[test]
    fn special_suffix_plates() {
        use Suffix::*;
        standard("渝F1234学", "渝F1234学", PlateKind::Special(Learner));
        standard("渝F·1234学", "渝F1234学", PlateKind::Special(Learner));
        standard("渝A1234警", "渝A1234警", PlateKind::Special(Police));
        standard("渝F1234挂", "渝F1234挂", PlateKind::Special(Trailer));
        standard("沪A1234领", "沪A1234领", PlateKind::Special(Consulate));
        standard("粤Z·1234港", "粤Z1234港", PlateKind::Special(HongKong));
        standard("粤Z1234澳", "粤Z1234澳", PlateKind::Special(Macau));
        odd("渝F123学", "渝F123学", OddReason::WrongLength { serial: 4 });
        odd(
            "渝F12345学",
            "渝F12345学",
            OddReason::WrongLength { serial: 6 },
        );
        odd(
            "渝F学1234",
            "渝F学1234",
            OddReason::InvalidCharacters(vec!['学']),
        );
    }

    #[test]
    fn all_provinces_recognised() {
        assert_eq!(PROVINCES.chars().count(), 31);
        for p in PROVINCES.chars() {
            let input = format!("{p}a12345");
            standard(&input, &format!("{p}A12345"), PlateKind::Ordinary);
            assert_eq!(norm(&input).plate.province(), Some(p));
        }
    }

    #[test]
    fn missing_province() {
        odd("F12345", "F12345", OddReason::MissingProvince);
        odd("f·12345", "F12345", OddReason::MissingProvince);
        odd("ＦＩ２３４５", "F12345", OddReason::MissingProvince);
        let n = norm("F12345");
        assert_eq!(n.plate.province(), None);
        assert_eq!(n.plate.without_province(), "F12345");
    }

    #[test]
    fn unknown_province() {
        odd("火F12345", "火F12345", OddReason::UnknownProvince('火'));
        odd("X渝F12345", "X渝F12345", OddReason::UnknownProvince('X'));
        odd("x渝fI2345", "X渝F12345", OddReason::UnknownProvince('X'));
        odd("使014578", "使014578", OddReason::UnknownProvince('使'));
    }

    #[test]
    fn wrong_length_and_invalid_characters() {
        odd("渝F1234", "渝F1234", OddReason::WrongLength { serial: 4 });
        odd("渝F", "渝F", OddReason::WrongLength { serial: 0 });
        odd(
            "渝F1234567",
            "渝F1234567",
            OddReason::WrongLength { serial: 7 },
        );
    }

    #[test]
    fn invalid_characters() {
        odd(
            "渝F12#45",
            "渝F12#45",
            OddReason::InvalidCharacters(vec!['#']),
        );
        odd(
            "渝F1火3火5",
            "渝F1火3火5",
            OddReason::InvalidCharacters(vec!['火']),
        );
        odd(
            "渝F12\u{1b}45",
            "渝F12\u{1b}45",
            OddReason::InvalidCharacters(vec!['\u{1b}']),
        );
        odd("渝112345", "渝112345", OddReason::AuthorityNotLetter('1'));
    }

    #[test]
    fn errors_for_nothing_plate_like() {
        assert_eq!(normalize(""), Err(PlateError::Empty));
        assert_eq!(normalize("   "), Err(PlateError::Empty));
        assert_eq!(normalize("\u{3000}\t\n"), Err(PlateError::Empty));
        assert_eq!(normalize("·-·"), Err(PlateError::Empty));
        assert_eq!(normalize("渝"), Err(PlateError::NoAlphanumeric));
        assert_eq!(normalize("火车"), Err(PlateError::NoAlphanumeric));
        assert_eq!(normalize(&"渝F1".repeat(3000)), Err(PlateError::TooLong));
        assert!(normalize(&format!("渝 F · 1 2 3 4 5{}", " ".repeat(16))).is_ok());
        assert_eq!(normalize("？！"), Err(PlateError::NoAlphanumeric));
        assert!(PlateError::Empty.to_string().contains("渝F12345"));
        assert!(
            PlateError::NoAlphanumeric
                .describe(true)
                .contains("字母或数字")
        );
    }

    #[test]
    fn never_panics_and_is_idempotent() {
        let samples = [
            "渝F12345",
            "x",
            "渝",
            "学",
            "F",
            "1",
            "渝F",
            "渝F1234学学",
            "🚚渝F1",
            "渝\u{301}F12345",
            "\u{FF5E}\u{FF01}A",
            "渝F１２３４５６７８９",
            "ÖI",
            "京京京A1",
        ];
        for s in samples {
            if let Ok(n) = normalize(s) {
                let again = normalize(n.plate.as_str()).expect("normalised plate normalises");
                assert_eq!(again, n, "{s:?}");
                assert!(!n.describe(true).is_empty() && !n.describe(false).is_empty());
            }
        }
    }

    #[test]
    fn plate_accessors() {
        let p = norm("渝F12345").plate;
        assert_eq!(p.province(), Some('渝'));
        assert_eq!(p.without_province(), "F12345");
        assert_eq!(p.to_string(), "渝F12345");
        let q = Plate::from_normalized_unchecked("渝F12345".to_owned());
        assert_eq!(p, q);
        let odd = Plate::from_normalized_unchecked("火F12345".to_owned());
        assert_eq!(odd.province(), None);
        assert_eq!(odd.without_province(), "火F12345");
        assert_eq!(
            Plate::from_normalized_unchecked(String::new()).province(),
            None
        );
    }

    #[test]
    fn describe_sentences() {
        let n = norm("渝F1234");
        assert_eq!(
            n.describe(false),
            "渝F1234 has 4 characters after the province and letter; a plate has 5 (6 for new-energy vehicles)."
        );
        assert_eq!(
            n.describe(true),
            "车牌“渝F1234”省份简称和字母后有4位；号牌应为5位（新能源汽车为6位）。"
        );
        assert!(describe(&n.verdict, false).starts_with("The plate has 4 characters"));
        assert!(
            norm("F12345")
                .describe(false)
                .contains("no province character")
        );
        assert!(norm("F12345").describe(true).contains("缺少省份简称"));
        assert!(norm("火F12345").describe(false).contains("'火'"));
        assert!(norm("渝A123456").describe(false).contains("D or F"));
        assert!(norm("渝112345").describe(false).contains("'1'"));
        assert_eq!(
            describe(&PlateCheck::Standard(PlateKind::Ordinary), false),
            "The plate is a standard ordinary plate."
        );
        assert_eq!(
            norm("渝AD12345").describe(true),
            "车牌“渝AD12345”是标准小型新能源汽车号牌。"
        );
        // Control characters never reach the terminal through a description.
        let esc = norm("渝F12\u{1b}[45").describe(false);
        assert!(!esc.contains('\u{1b}'), "{esc:?}");
        assert!(esc.contains("U+001B"), "{esc:?}");
    }

    #[test]
    fn near_both_ways() {
        let pairs_near = [
            ("F12345", "渝F12345"),   // typed without province
            ("渝F12346", "渝F12345"), // one digit off
            ("川F12345", "渝F12345"), // other province
            ("渝F12354", "渝F12345"), // adjacent swap
            ("渝F12345", "渝F12345"), // identical
            ("渝AD12345", "AD12345"),
        ];
        for (a, b) in pairs_near {
            assert!(near(a, b), "{a} ~ {b}");
            assert!(near(b, a), "{b} ~ {a}");
        }
        let pairs_far = [
            ("渝F12345", "渝F54321"),
            ("渝F12345", "渝F1234"),
            ("F12346", "渝F12345"),
            ("渝F12345", "渝F12435X"),
            ("渝F13245", "渝F12354"),
            ("渝", "渝F12345"),
            ("", "渝F12345"),
        ];
        for (a, b) in pairs_far {
            assert!(!near(a, b), "{a} !~ {b}");
            assert!(!near(b, a), "{b} !~ {a}");
        }
    }
}
