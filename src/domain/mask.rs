//! Masking of recipients' personal data.
//!
//! Recipients of point-to-point delivery are vulnerable people (elderly
//! living alone, dialysis patients, ...). Their names, phone numbers and ID
//! numbers are masked on screen and in exports by default, and raw values
//! are kept out of log lines and error messages with [`mask_free_text`].
//!
//! | value | masked |
//! |---|---|
//! | `张三` / `张三丰` / `欧阳娜娜` | `张*` / `张*丰` / `欧**娜` |
//! | `John Smith` | `J*** S***` |
//! | `13812345678` / `+86 138 1234 5678` | `138****5678` / `+86 138****5678` |
//! | `50010119900101123X` | `500***********123X` |
//!
//! Values of other lengths keep at most their last 4 characters visible, and
//! never more than half of them, so a short value is never shown whole.

use unicode_width::UnicodeWidthChar;

/// Masks a person's name.
///
/// Chinese (or other CJK) names keep the first and last character: 2
/// characters → `张*`, 3 → `张*华`, 4 or more → first, one `*` per middle
/// character, last; a single character becomes `*`. Latin-script names keep
/// the first letter of each word followed by `***` (`J*** S***`). Leading and
/// trailing whitespace is ignored; empty input gives an empty string.
pub fn mask_name(name: &str) -> String {
    let name = name.trim();
    if name.is_empty() {
        return String::new();
    }
    let is_cjk = name.chars().any(|c| c.width() == Some(2));
    if !is_cjk {
        let words: Vec<String> = name
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .map(|c| format!("{c}***"))
            .collect();
        return words.join(" ");
    }
    let chars: Vec<char> = name.chars().filter(|c| !c.is_whitespace()).collect();
    match chars.as_slice() {
        [] => String::new(),
        [_] => "*".to_owned(),
        [first, _] => format!("{first}*"),
        [first, middle @ .., last] => {
            let mut out = String::new();
            out.push(*first);
            out.extend(std::iter::repeat_n('*', middle.len()));
            out.push(*last);
            out
        }
    }
}

/// Masks the holder of a staff certificate, a name often followed by
/// the holder's unit and role (`彭勇雪（万州区槽房平价大药房 配送员）`):
/// the name is masked as names are, what follows it (from the first
/// bracket or space) stays as it is, so a long tail never becomes a row
/// of marks.
pub fn mask_holder(holder: &str) -> String {
    let holder = holder.trim();
    // A space ends a Chinese name; a Latin name has spaces inside.
    let cjk = holder.chars().next().is_some_and(|c| c.width() == Some(2));
    let cut = holder
        .char_indices()
        .find(|(_, c)| {
            matches!(c, '（' | '(' | '【' | '[' | '，' | ',' | '/' | '、')
                || (cjk && c.is_whitespace())
        })
        .map_or(holder.len(), |(i, _)| i);
    let (name, rest) = holder.split_at(cut);
    format!("{}{rest}", mask_name(name))
}

/// Masks a phone number.
///
/// Spaces, dashes and brackets are removed first and full-width digits made
/// half-width. An 11-digit number (a mobile, or a landline with its area
/// code) keeps its first 3 and last 4
/// digits: `138****1234`. Any other keeps at most its last 4 characters
/// (never more than half), the rest become `*`. A leading `+86` is kept as
/// `+86 `. Empty input gives an empty string.
pub fn mask_phone(phone: &str) -> String {
    let compact = compact_phone(phone);
    let (prefix, rest) = match compact.strip_prefix("+86") {
        Some("") => return "+86".to_owned(),
        Some(rest) => ("+86 ", rest),
        None => ("", compact.as_str()),
    };
    let chars: Vec<char> = rest.chars().collect();
    let masked = if chars.len() == 11 && chars.iter().all(char::is_ascii_digit) {
        let mut out: String = chars[..3].iter().collect();
        out.push_str("****");
        out.extend(&chars[7..]);
        out
    } else {
        keep_tail(&chars)
    };
    format!("{prefix}{masked}")
}

/// Masks a resident ID number.
///
/// Spaces are removed, full-width characters made half-width and `x` upper
/// case. An 18-character number keeps its first 3 and last 4 characters:
/// `500***********123X`. Any other length keeps at most its last 4 (never
/// more than half). Empty input gives an empty string.
pub fn mask_id_number(id: &str) -> String {
    let chars: Vec<char> = id
        .chars()
        .map(half_width)
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if chars.len() == 18 {
        let mut out: String = chars[..3].iter().collect();
        out.push_str(&"*".repeat(11));
        out.extend(&chars[14..]);
        out
    } else {
        keep_tail(&chars)
    }
}

/// Replaces every occurrence of each secret in `text` with its masked form,
/// to keep raw personal data out of log lines and error messages.
///
/// Each secret is trimmed; empty ones are ignored. A secret that looks like
/// a resident ID number (15 or 18 characters, digits with an optional final
/// `X`) is masked with [`mask_id_number`]; one made of digits (with optional
/// `+`, spaces, dashes, brackets) with [`mask_phone`], and it is also found
/// written compactly and, for 11-digit mobiles, as `138 1234 5678` or
/// `138-1234-5678`; anything else with [`mask_name`]. Matching ignores ASCII
/// case; where secrets overlap the longest one wins.
pub fn mask_free_text(text: &str, secrets: &[&str]) -> String {
    let mut patterns: Vec<(String, String)> = Vec::new();
    for secret in secrets {
        let secret = secret.trim();
        if secret.is_empty() {
            continue;
        }
        let (masked, variants) = mask_secret(secret);
        for v in variants {
            if !v.is_empty() && !patterns.iter().any(|(p, _)| p.eq_ignore_ascii_case(&v)) {
                patterns.push((v, masked.clone()));
            }
        }
    }
    if patterns.is_empty() {
        return text.to_owned();
    }
    patterns.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));

    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let hit = patterns.iter().find(|(p, _)| {
            bytes
                .get(i..i + p.len())
                .is_some_and(|b| b.eq_ignore_ascii_case(p.as_bytes()))
        });
        match hit {
            // Non-ASCII bytes must match exactly, so a hit ends on a char
            // boundary.
            Some((p, masked)) => {
                out.push_str(masked);
                i += p.len();
            }
            None => {
                let c = text[i..].chars().next().unwrap_or_default();
                out.push(c);
                i += c.len_utf8().max(1);
            }
        }
    }
    out
}

/// The masked form of a secret and the spellings to look for.
fn mask_secret(secret: &str) -> (String, Vec<String>) {
    let id: String = secret
        .chars()
        .map(half_width)
        .filter(|c| !c.is_whitespace())
        .collect();
    let looks_like_id = matches!(id.chars().count(), 15 | 18)
        && id
            .char_indices()
            .all(|(i, c)| c.is_ascii_digit() || (i == id.len() - 1 && (c == 'X' || c == 'x')));
    if looks_like_id {
        return (mask_id_number(secret), vec![secret.to_owned(), id]);
    }
    let phone_like = secret.chars().map(half_width).any(|c| c.is_ascii_digit())
        && secret
            .chars()
            .map(half_width)
            .all(|c| c.is_ascii_digit() || c == '+' || is_phone_separator(c));
    if phone_like {
        let compact = compact_phone(secret);
        let mut variants = vec![secret.to_owned(), compact.clone()];
        let national = compact.strip_prefix("+86").unwrap_or(&compact);
        if national.len() == 11 && national.bytes().all(|b| b.is_ascii_digit()) {
            let (a, b, c) = (&national[..3], &national[3..7], &national[7..]);
            variants.push(national.to_owned());
            variants.push(format!("{a} {b} {c}"));
            variants.push(format!("{a}-{b}-{c}"));
        }
        return (mask_phone(secret), variants);
    }
    (mask_name(secret), vec![secret.to_owned()])
}

fn compact_phone(phone: &str) -> String {
    phone
        .chars()
        .map(half_width)
        .filter(|&c| !is_phone_separator(c))
        .collect()
}

fn is_phone_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '(' | ')' | '.' | '\u{2010}'..='\u{2015}' | '（' | '）'
        )
}

fn half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// All `*` but the last min(4, n/2) characters.
fn keep_tail(chars: &[char]) -> String {
    let keep = (chars.len() / 2).min(4);
    let mut out = "*".repeat(chars.len() - keep);
    out.extend(&chars[chars.len() - keep..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_names() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("张晓华"), "张*华");
        assert_eq!(mask_name("欧阳娜娜"), "欧**娜");
        assert_eq!(mask_name("阿依古丽·买买提"), "阿******提");
        assert_eq!(mask_name("张"), "*");
        assert_eq!(mask_name(" 张 三 "), "张*");
        assert_eq!(mask_name(""), "");
        assert_eq!(mask_name("   "), "");
        for raw in ["张三", "张晓华", "欧阳娜娜", "李四光明"] {
            let masked = mask_name(raw);
            assert!(!masked.contains(raw), "{raw} -> {masked}");
            assert_eq!(masked.chars().count(), raw.chars().count());
        }
    }

    #[test]
    fn latin_names() {
        assert_eq!(mask_name("John Smith"), "J*** S***");
        assert_eq!(mask_name("  Anna  "), "A***");
        assert_eq!(mask_name("José María López"), "J*** M*** L***");
        assert!(!mask_name("Smith").contains("Smith"));
    }

    #[test]
    fn phones() {
        assert_eq!(mask_phone("13812341234"), "138****1234");
        assert_eq!(mask_phone("138 1234 5678"), "138****5678");
        assert_eq!(mask_phone("138-1234-5678"), "138****5678");
        assert_eq!(mask_phone("１３８１２３４５６７８"), "138****5678");
        assert_eq!(mask_phone("+86 138 1234 5678"), "+86 138****5678");
        assert_eq!(mask_phone("+8613812345678"), "+86 138****5678");
        // A landline with its area code is 11 digits too.
        assert_eq!(mask_phone("023-58123456"), "023****3456");
        assert_eq!(mask_phone("(023) 5812 3456"), "023****3456");
        assert_eq!(mask_phone("0235812345"), "******2345");
        assert_eq!(mask_phone("58123456"), "****3456");
        assert_eq!(mask_phone("1234567"), "****567");
        assert_eq!(mask_phone("110"), "**0");
        assert_eq!(mask_phone("12"), "*2");
        assert_eq!(mask_phone("7"), "*");
        assert_eq!(mask_phone(""), "");
        assert_eq!(mask_phone("+86"), "+86");
        for raw in ["13812345678", "58123456", "1234567", "110", "12345"] {
            let masked = mask_phone(raw);
            assert!(!masked.contains(raw), "{raw} -> {masked}");
        }
    }

    #[test]
    fn id_numbers() {
        assert_eq!(mask_id_number("50010119900101123X"), "500***********123X");
        assert_eq!(mask_id_number("50010119900101123x"), "500***********123X");
        assert_eq!(mask_id_number("500101 19900101 1234"), "500***********1234");
        assert_eq!(
            mask_id_number("５００１０１１９９００１０１１２３Ｘ"),
            "500***********123X"
        );
        assert_eq!(mask_id_number("500101900101123"), "***********1123");
        assert_eq!(mask_id_number("123"), "**3");
        assert_eq!(mask_id_number(""), "");
        for raw in ["50010119900101123X", "500101900101123", "1234"] {
            let masked = mask_id_number(raw);
            assert!(!masked.contains(raw), "{raw} -> {masked}");
        }
    }

    #[test]
    fn free_text() {
        let text = "给张晓华（13812345678，身份证50010119900101123X）送药；张晓华已确认";
        let out = mask_free_text(text, &["张晓华", "13812345678", "50010119900101123X", ""]);
        assert_eq!(
            out,
            "给张*华（138****5678，身份证500***********123X）送药；张*华已确认"
        );
        for raw in ["张晓华", "13812345678", "50010119900101123X"] {
            assert!(!out.contains(raw), "{raw} in {out}");
        }
    }

    #[test]
    fn free_text_finds_other_spellings() {
        let out = mask_free_text(
            "call 138 1234 5678 or 138-1234-5678 or +8613812345678; id ...123x: 50010119900101123x",
            &["13812345678", "50010119900101123X"],
        );
        assert_eq!(
            out,
            "call 138****5678 or 138****5678 or +86138****5678; id ...123x: 500***********123X"
        );
        assert!(!out.contains("1234 5678") && !out.contains("1234-5678"));
        let out = mask_free_text("JOHN SMITH rang", &["John Smith"]);
        assert_eq!(out, "J*** S*** rang");
    }

    #[test]
    fn free_text_longest_secret_wins_and_blank_secrets_are_ignored() {
        let out = mask_free_text("张三丰和张三", &["张三", "张三丰"]);
        assert_eq!(out, "张*丰和张*");
        assert_eq!(mask_free_text("无变化", &["", "  "]), "无变化");
        assert_eq!(mask_free_text("", &["张三"]), "");
    }

    #[test]
    fn a_holder_is_masked_as_a_name_whatever_follows() {
        assert_eq!(
            mask_holder("彭勇雪（万州区槽房平价大药房 配送员）"),
            "彭*雪（万州区槽房平价大药房 配送员）"
        );
        assert_eq!(mask_holder("姚东 仓管员"), "姚* 仓管员");
        assert_eq!(mask_holder("张三丰"), "张*丰");
        assert_eq!(mask_holder("John Smith"), "J*** S***");
        assert_eq!(mask_holder(""), "");
    }
}
