//! Masking of what identifies people in free text of the report.

use crate::domain::mask;

/// Masks what looks like a phone number or a resident ID number in free
/// text: runs of 7 or more digits (an ID may end in `X`), and mobiles
/// written `138 1234 5678` or `138-1234-5678`. Shorter numbers (pass
/// numbers, times, households) stay.
pub fn mask_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let digit = |c: char| c.is_ascii_digit();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !digit(chars[i]) || (i > 0 && digit(chars[i - 1])) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len() && digit(chars[j]) {
            j += 1;
        }
        let run = j - i;
        // A mobile split 3-4-4.
        if run == 3 && chars[i] == '1' {
            let sep = |k: usize| chars.get(k).is_some_and(|c| *c == ' ' || *c == '-');
            let digits =
                |k: usize, n: usize| (k..k + n).all(|m| chars.get(m).copied().is_some_and(digit));
            if sep(j)
                && digits(j + 1, 4)
                && sep(j + 5)
                && digits(j + 6, 4)
                && !chars.get(j + 10).copied().is_some_and(digit)
            {
                let end = j + 10;
                let s: String = chars[i..end].iter().collect();
                out.push_str(&mask::mask_phone(&s));
                i = end;
                continue;
            }
        }
        let id_end =
            if matches!(run, 14 | 17) && chars.get(j).is_some_and(|c| *c == 'X' || *c == 'x') {
                Some(j + 1)
            } else {
                None
            };
        if let Some(end) = id_end {
            let s: String = chars[i..end].iter().collect();
            out.push_str(&mask::mask_id_number(&s));
            i = end;
        } else if matches!(run, 15 | 18) {
            let s: String = chars[i..j].iter().collect();
            out.push_str(&mask::mask_id_number(&s));
            i = j;
        } else if run >= 7 {
            let s: String = chars[i..j].iter().collect();
            out.push_str(&mask::mask_phone(&s));
            i = j;
        } else {
            out.extend(&chars[i..j]);
            i = j;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_that_identify_people_are_masked() {
        assert_eq!(
            mask_numbers("李阿姨电话13812345678，请回电"),
            "李阿姨电话138****5678，请回电"
        );
        assert_eq!(
            mask_numbers("call 138 1234 5678 now"),
            "call 138****5678 now"
        );
        assert_eq!(mask_numbers("call 138-1234-5678"), "call 138****5678");
        assert_eq!(
            mask_numbers("身份证50010119900101123X已核"),
            "身份证500***********123X已核"
        );
        assert_eq!(mask_numbers("座机58123456"), "座机****3456");
        // What is not personal stays.
        let keep = "证号 SHK-V-2026-00001，2026-11-29 08:30，235 户，联控指挥部〔2022〕60号";
        assert_eq!(mask_numbers(keep), keep);
        assert_eq!(mask_numbers(""), "");
    }
}
