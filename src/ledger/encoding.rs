//! Which encoding a CSV file is in. Excel and WPS on a Chinese desktop
//! save "CSV" as GB18030 (GBK), "CSV UTF-8" with a byte-order mark, and
//! "Unicode text" as UTF-16 with tabs; other tools write plain UTF-8.

use encoding_rs::{GB18030, UTF_16BE, UTF_16LE};

use crate::msg;
use crate::msg::Msg;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Gb18030,
    Utf16Le,
    Utf16Be,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 (BOM)",
            Encoding::Gb18030 => "GB18030/GBK",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
        }
    }
}

/// Decodes a text file, telling which encoding it was in. UTF-8 is tried
/// before GB18030 because Chinese text in GB18030 is almost never valid
/// UTF-8, while the reverse guess would silently turn UTF-8 into
/// nonsense.
pub fn decode(bytes: &[u8]) -> Result<(String, Encoding), Msg> {
    let bad = |name: &str| {
        msg!(
            "文件以 {name} 标记开头，但内容不是有效的 {name}；请在 Excel/WPS 中重新另存为“CSV UTF-8”。",
            "The file starts with a {name} mark but is not valid {name}; save it again from Excel/WPS as \"CSV UTF-8\"."
        )
    };
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(|s| (s.to_string(), Encoding::Utf8Bom))
            .map_err(|_| bad("UTF-8"));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return UTF_16LE
            .decode_without_bom_handling_and_without_replacement(rest)
            .map(|s| (s.into_owned(), Encoding::Utf16Le))
            .ok_or_else(|| bad("UTF-16"));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return UTF_16BE
            .decode_without_bom_handling_and_without_replacement(rest)
            .map(|s| (s.into_owned(), Encoding::Utf16Be))
            .ok_or_else(|| bad("UTF-16"));
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok((s.to_string(), Encoding::Utf8));
    }
    GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|s| (s.into_owned(), Encoding::Gb18030))
        .ok_or_else(|| {
            msg!(
                "无法识别文件的文字编码（既不是 UTF-8，也不是 GB18030/GBK）；请在 Excel/WPS 中另存为“CSV UTF-8”或 .xlsx 后再导入。",
                "The file's text encoding is neither UTF-8 nor GB18030/GBK; save it from Excel/WPS as \"CSV UTF-8\" or .xlsx and import that."
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_told_apart() {
        let text = "车牌号,驾驶员\n渝F12345,张三\n";
        let (gb, _, _) = GB18030.encode(text);
        assert_eq!(decode(&gb).unwrap(), (text.to_string(), Encoding::Gb18030));
        assert_eq!(
            decode(text.as_bytes()).unwrap(),
            (text.to_string(), Encoding::Utf8)
        );
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode(&bom).unwrap(), (text.to_string(), Encoding::Utf8Bom));
        let mut utf16 = vec![0xFF, 0xFE];
        for u in text.encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(
            decode(&utf16).unwrap(),
            (text.to_string(), Encoding::Utf16Le)
        );
    }

    #[test]
    fn undecodable_bytes_are_refused_with_advice() {
        // 0x80 alone is not a GB18030 lead byte sequence and not UTF-8.
        let e = decode(b"\x80\x80\xFF").unwrap_err();
        assert!(e.en.contains("CSV UTF-8"), "{e:?}");
        let e = decode(b"\xEF\xBB\xBF\xFF").unwrap_err();
        assert!(e.en.contains("UTF-8 mark"), "{e:?}");
    }
}
