//! Pools and generators for the people, phone numbers, ID numbers and
//! plates of the demo. Everything is fictitious; only the shapes are real.

use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand::rngs::SmallRng;

/// Common surnames of the Wanzhou area.
pub const SURNAMES: &[char] = &[
    '王', '李', '张', '刘', '陈', '杨', '黄', '赵', '周', '吴', '徐', '孙', '胡', '朱', '高', '林',
    '何', '郭', '罗', '梁', '宋', '郑', '谢', '唐', '冯', '邓', '许', '彭', '曾', '蒋', '蔡', '余',
    '杜', '叶', '程', '魏', '苏', '吕', '丁', '任', '沈', '姚', '卢', '姜', '崔', '钟', '谭', '陆',
    '汪', '范', '廖', '贾', '夏', '付', '方', '邹', '熊', '孟', '秦', '邱', '侯', '江', '尹', '薛',
    '段', '雷', '黎', '陶', '贺', '顾', '毛', '郝', '龚', '邵', '覃', '钱', '戴', '严', '莫', '向',
    '汤', '冉', '牟', '税', '隆', '幸',
];

/// Given-name characters of officers, staff, drivers, volunteers and
/// officials.
pub const STAFF_GIVEN: &[char] = &[
    '建', '国', '华', '明', '伟', '军', '平', '志', '强', '勇', '杰', '涛', '斌', '波', '鹏', '宇',
    '浩', '刚', '峰', '磊', '超', '辉', '亮', '飞', '海', '东', '兵', '红', '霞', '敏', '静', '燕',
    '琴', '玲', '芳', '丽', '娟', '艳', '萍', '英', '莉', '婷', '洁', '倩', '雪', '梅', '川', '渝',
    '江', '松',
];

/// Given-name characters of special-group recipients. No other pool and no
/// fixed text of the demo holds two of them in a row (a unit test checks),
/// so a recipient's raw name can only reach the duty log by a bug — which
/// the integration test would catch.
pub const RECIPIENT_GIVEN: &[char] = &[
    '秀', '兰', '桂', '珍', '凤', '玉', '翠', '淑', '素', '贞', '德', '贵', '荣', '顺', '富', '银',
    '庆', '寿', '昌', '泉', '根', '树', '忠', '仁', '义', '先', '开', '正', '芬', '菊', '琼', '蓉',
    '碧', '惠', '子', '涵', '梓', '轩', '睿', '诗', '欣', '悦', '萱', '宸', '熙', '彤', '瑶', '琪',
    '琳', '俊',
];

fn pick<'a, T>(rng: &mut SmallRng, pool: &'a [T]) -> &'a T {
    &pool[rng.random_range(0..pool.len())]
}

/// A staff member's name: a surname and one or two given characters.
pub fn staff_name(rng: &mut SmallRng) -> String {
    let mut s = String::new();
    s.push(*pick(rng, SURNAMES));
    s.push(*pick(rng, STAFF_GIVEN));
    if rng.random_bool(0.7) {
        s.push(*pick(rng, STAFF_GIVEN));
    }
    s
}

/// A recipient's name: always three characters, from the recipients' own
/// pool of given characters.
pub fn recipient_name(rng: &mut SmallRng) -> String {
    let mut s = String::new();
    s.push(*pick(rng, SURNAMES));
    s.push(*pick(rng, RECIPIENT_GIVEN));
    s.push(*pick(rng, RECIPIENT_GIVEN));
    s
}

const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "157", "158", "159", "177", "180", "181", "182", "183", "185", "186", "187", "188",
    "189", "199",
];

/// An 11-digit mobile number.
pub fn mobile(rng: &mut SmallRng) -> String {
    format!(
        "{}{:08}",
        pick(rng, MOBILE_PREFIXES),
        rng.random_range(0..100_000_000u32)
    )
}

/// A Wanzhou landline with the Chongqing area code.
pub fn landline(rng: &mut SmallRng) -> String {
    format!("023-58{:06}", rng.random_range(0..1_000_000u32))
}

/// Region code of Wanzhou district in resident ID numbers.
const WANZHOU: &str = "500101";
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// A resident ID number of the GB 11643 shape with a correct check
/// character: region, birth date, sequence (odd for men), check.
pub fn id_number(rng: &mut SmallRng, birth: NaiveDate, male: bool) -> String {
    let mut seq = rng.random_range(0..500u32) * 2;
    if male {
        seq += 1;
    }
    let body = format!(
        "{WANZHOU}{:04}{:02}{:02}{seq:03}",
        birth.year(),
        birth.month(),
        birth.day()
    );
    let sum: u32 = body
        .bytes()
        .zip(ID_WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = char::from(ID_CHECK[(sum % 11) as usize]);
    format!("{body}{check}")
}

/// A birth date between the two years (inclusive).
pub fn birth_date(rng: &mut SmallRng, from_year: i32, to_year: i32) -> NaiveDate {
    let year = rng.random_range(from_year..=to_year);
    let day = rng.random_range(0..365);
    NaiveDate::from_yo_opt(year, day + 1).unwrap_or_default()
}

/// Letters of GA 36 serials: no `I` and no `O` (they read as 1 and 0).
const SERIAL_LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";

fn digit(rng: &mut SmallRng) -> char {
    char::from(b'0' + rng.random_range(0..10u8))
}

fn letter(rng: &mut SmallRng) -> char {
    char::from(*pick(rng, SERIAL_LETTERS))
}

/// A Wanzhou plate candidate (`渝F` and five characters, or six for a
/// new-energy vehicle); the caller checks it against the normaliser and
/// for uniqueness.
pub fn plate(rng: &mut SmallRng, new_energy: bool) -> String {
    let mut p = String::from("渝F");
    if new_energy {
        p.push(if rng.random_bool(0.8) { 'D' } else { 'F' });
        for _ in 0..5 {
            p.push(digit(rng));
        }
        return p;
    }
    // The usual serial shapes: all digits, or one or two letters in front.
    let letters = match rng.random_range(0..10) {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    };
    for i in 0..5 {
        p.push(if i < letters { letter(rng) } else { digit(rng) });
    }
    p
}

/// Chinese numerals for group and phase names (1 → 一, 12 → 十二, 105 → 一百零五).
pub fn cn_number(n: u32) -> String {
    const D: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    if n == 0 {
        return "零".into();
    }
    if n >= 10_000 {
        return n.to_string();
    }
    let digits = [n / 1000, (n / 100) % 10, (n / 10) % 10, n % 10];
    let units = ["千", "百", "十", ""];
    let mut out = String::new();
    let mut pending_zero = false;
    for (i, &d) in digits.iter().enumerate() {
        if d == 0 {
            if !out.is_empty() {
                pending_zero = true;
            }
            continue;
        }
        if pending_zero {
            out.push('零');
            pending_zero = false;
        }
        // 十二, not 一十二, when the number starts with the tens.
        if !(i == 2 && d == 1 && out.is_empty()) {
            out.push(D[d as usize]);
        }
        out.push_str(units[i]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plate;
    use rand::SeedableRng;

    #[test]
    fn pools_of_given_characters_do_not_overlap() {
        for c in RECIPIENT_GIVEN {
            assert!(!STAFF_GIVEN.contains(c), "{c} is in both pools");
            assert!(!SURNAMES.contains(c), "{c} is also a surname");
        }
    }

    #[test]
    fn id_numbers_have_the_right_shape_and_check_character() {
        let mut rng = SmallRng::seed_from_u64(1);
        let d = NaiveDate::from_ymd_opt(1949, 10, 1).unwrap_or_default();
        let id = id_number(&mut rng, d, true);
        assert_eq!(id.len(), 18);
        assert!(id.starts_with("50010119491001"));
        let seq: u32 = id[14..17].parse().unwrap_or(0);
        assert_eq!(seq % 2, 1, "men have an odd sequence number");
        // The published example of GB 11643: 11010519491231002X.
        let sum: u32 = "11010519491231002"
            .bytes()
            .zip(ID_WEIGHTS)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        assert_eq!(char::from(ID_CHECK[(sum % 11) as usize]), 'X');
    }

    #[test]
    fn plates_are_standard_wanzhou_plates() {
        let mut rng = SmallRng::seed_from_u64(7);
        for i in 0..2000 {
            let p = plate(&mut rng, i % 7 == 0);
            let n = plate::normalize(&p).map_err(|e| e.to_string());
            let n = n
                .as_ref()
                .map(|n| (n.plate.as_str().to_string(), n.verdict.is_standard()));
            assert_eq!(n, Ok((p.clone(), true)), "{p}");
            assert!(p.starts_with("渝F"));
        }
    }

    #[test]
    fn chinese_numerals() {
        let cases = [
            (1, "一"),
            (10, "十"),
            (12, "十二"),
            (20, "二十"),
            (105, "一百零五"),
            (110, "一百一十"),
            (397, "三百九十七"),
            (1001, "一千零一"),
        ];
        for (n, s) in cases {
            assert_eq!(cn_number(n), s, "{n}");
        }
    }

    #[test]
    fn names_have_the_expected_lengths() {
        let mut rng = SmallRng::seed_from_u64(3);
        for _ in 0..100 {
            assert_eq!(recipient_name(&mut rng).chars().count(), 3);
            let n = staff_name(&mut rng).chars().count();
            assert!((2..=3).contains(&n));
            assert_eq!(mobile(&mut rng).len(), 11);
        }
    }
}
