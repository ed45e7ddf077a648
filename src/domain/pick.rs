//! Names picked, not typed: what an officer types into a name field
//! (a community, a compound, a supply unit, a volunteer …) matched against
//! the registered names of that kind.
//!
//! A name matches when the typed text is
//! - the name itself (`螺蛳包社区`): [`Tier::Exact`];
//! - the name without its affixes, `万州区`/`重庆市` in front and
//!   `社区`/`村`/`街道`/`小区`/`居委会` behind (`螺蛳包`, `螺蛳包村`), or the
//!   pinyin initials of the name or of that core (`lsb`, `lsbsq`):
//!   [`Tier::Core`];
//! - the start of the name or of its core, or of their initials:
//!   [`Tier::Prefix`];
//! - any part of the name or of its initials, or of the extra text a kind
//!   is also found by (a recipient's address): [`Tier::Contains`].
//!
//! Resolving never guesses: one exact name wins, else one core match, else
//! the one name that matches at all; anything more is [`Resolution::Ambiguous`]
//! with the candidates, nothing is [`Resolution::Nothing`]. Initials use
//! every reading of a character with several (重 is `z` or `c`), so `cq`
//! finds 重庆; that can only add candidates, never hide one.

use pinyin::ToPinyinMulti;

/// What kind of registered name a field or argument takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Community,
    Compound,
    Building,
    Unit,
    Outlet,
    /// A compound's transfer station, named by its compound or itself.
    Station,
    Volunteer,
    Vehicle,
    Recipient,
    Officer,
}

impl Kind {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Kind::Community => ("社区（村）", "community"),
            Kind::Compound => ("小区（组）", "compound"),
            Kind::Building => ("楼栋（院落）", "building"),
            Kind::Unit => ("保供单位", "supply unit"),
            Kind::Outlet => ("网点", "outlet"),
            Kind::Station => ("中转站", "transfer station"),
            Kind::Volunteer => ("志愿者", "volunteer"),
            Kind::Vehicle => ("车辆", "vehicle"),
            Kind::Recipient => ("配送对象", "recipient"),
            Kind::Officer => ("值班员", "officer"),
        }
    }

    /// The English plural, for "fits several …".
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Community => "communities",
            Kind::Compound => "compounds",
            Kind::Building => "buildings",
            Kind::Unit => "supply units",
            Kind::Outlet => "outlets",
            Kind::Station => "transfer stations",
            Kind::Volunteer => "volunteers",
            Kind::Vehicle => "vehicles",
            Kind::Recipient => "recipients",
            Kind::Officer => "officers",
        }
    }
}

/// Bare ASCII letters: pinyin initials more likely than a name. Where a
/// field also takes a name not registered (a person), such text that
/// matches nothing is refused rather than recorded as typed.
pub fn looks_like_initials(typed: &str) -> bool {
    let t = typed.trim();
    !t.is_empty() && t.chars().all(|c| c.is_ascii_alphabetic())
}

/// Place-name affixes left out when names are compared, longest first.
const PREFIXES: &[&str] = &["重庆市", "万州区", "重庆"];
const SUFFIXES: &[&str] = &[
    "社区居委会",
    "村民委员会",
    "居委会",
    "村委会",
    "社区",
    "街道",
    "小区",
    "村",
];

/// How closely a name matches; lower is closer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    Exact,
    Core,
    Prefix,
    Contains,
}

const TIERS: usize = 4;

/// One registered name, prepared for matching.
#[derive(Debug, Clone)]
struct Entry {
    /// Normalised name (lower case, half-width, no spaces).
    norm: String,
    /// `norm` without affixes.
    core: String,
    /// Initial-letter sets, one per letter, digit or Han character.
    initials: Vec<u64>,
    core_initials: Vec<u64>,
    /// More text the entry is found by, as a part only (normalised).
    extra: String,
    /// Which characters of `norm` there are, hashed to 64 bits: a query
    /// with a character the entry lacks skips the text checks (most of a
    /// large kind, at a few instructions each).
    chars: u64,
    /// The same of `extra`, which is longer: 128 bits.
    extra_chars: u128,
    /// Every initial letter the entry has, for the same of initials.
    letters: u64,
}

/// The names of one kind, ready to match as the officer types.
#[derive(Debug, Clone, Default)]
pub struct Index {
    entries: Vec<Entry>,
}

/// A matching name: its position in the list the index was built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub index: usize,
    pub tier: Tier,
}

/// The matches of a query: the closest first (in the index's own order
/// within a tier), at most the limit asked for, and how many there are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    pub hits: Vec<Hit>,
    pub total: usize,
    /// Matches per tier, closest first.
    pub per_tier: [usize; TIERS],
}

/// What a typed name comes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Exactly one name is meant.
    Unique(usize),
    /// Several are equally meant: the first few, and how many in all.
    Ambiguous {
        shown: Vec<usize>,
        total: usize,
    },
    Nothing,
}

/// Lower case, full-width ASCII made half-width, whitespace dropped.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        };
        if c.is_whitespace() {
            continue;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// `s` without one place prefix and one place suffix (when something is
/// left).
pub fn strip_affixes(s: &str) -> &str {
    let mut t = s;
    for p in PREFIXES {
        if let Some(rest) = t.strip_prefix(p).filter(|r| !r.is_empty()) {
            t = rest;
            break;
        }
    }
    for x in SUFFIXES {
        if let Some(rest) = t.strip_suffix(x).filter(|r| !r.is_empty()) {
            t = rest;
            break;
        }
    }
    t
}

fn letter_bit(c: char) -> Option<u64> {
    match c {
        'a'..='z' => Some(1 << (c as u32 - 'a' as u32)),
        'A'..='Z' => Some(1 << (c as u32 - 'A' as u32)),
        '0'..='9' => Some(1 << (26 + c as u32 - '0' as u32)),
        _ => None,
    }
}

/// The initial-letter set of each letter, digit and Han character of a
/// normalised name; other characters are skipped.
fn initials(norm: &str) -> Vec<u64> {
    norm.chars()
        .filter_map(|c| {
            if let Some(b) = letter_bit(c) {
                return Some(b);
            }
            let multi = c.to_pinyin_multi()?;
            let mut mask = 0u64;
            for p in multi {
                if let Some(b) = p.first_letter().chars().next().and_then(letter_bit) {
                    mask |= b;
                }
            }
            (mask != 0).then_some(mask)
        })
        .collect()
}

/// The initials of the core: the slice of the name's that it spans (one
/// per letter, digit or Han character), so they are not looked up twice.
fn initials_of_core(norm: &str, core: &str, all: &[u64]) -> Vec<u64> {
    if core.len() == norm.len() {
        return all.to_vec();
    }
    let start = norm.find(core).unwrap_or(0);
    let counted = |s: &str| initials(s).len();
    let before = counted(&norm[..start]);
    let len = counted(core);
    all.get(before..before + len)
        .map_or_else(|| initials(core), <[u64]>::to_vec)
}

/// Does the typed initials string fit `masks` starting at `at`?
fn fits_at(q: &[u64], masks: &[u64], at: usize) -> bool {
    masks.len() >= at + q.len() && q.iter().zip(&masks[at..]).all(|(b, m)| b & m != 0)
}

fn initials_tier(q: &[u64], masks: &[u64]) -> Option<Tier> {
    if q.is_empty() || q.len() > masks.len() {
        return None;
    }
    if fits_at(q, masks, 0) {
        return Some(if q.len() == masks.len() {
            Tier::Core
        } else {
            Tier::Prefix
        });
    }
    (1..=masks.len() - q.len())
        .any(|at| fits_at(q, masks, at))
        .then_some(Tier::Contains)
}

/// A query, prepared once per keystroke.
struct Query {
    norm: String,
    core: String,
    /// The characters of `core` (those of `norm` less the affixes): an
    /// entry without them all cannot match by text.
    core_chars: u64,
    /// The characters of `norm`, for the extra text.
    norm_chars: u128,
    /// Set when the query is letters (and digits) only: its letters as bits.
    initials: Option<Vec<u64>>,
    /// Those letters together.
    letters: u64,
}

impl Query {
    fn new(typed: &str) -> Option<Query> {
        let norm = normalize(typed);
        if norm.is_empty() {
            return None;
        }
        let core = strip_affixes(&norm).to_string();
        let initials = (norm.chars().all(|c| c.is_ascii_alphanumeric())
            && norm.chars().any(|c| c.is_ascii_alphabetic()))
        .then(|| norm.chars().filter_map(letter_bit).collect());
        let letters = initials
            .as_ref()
            .map_or(0, |i: &Vec<u64>| i.iter().fold(0, |b, m| b | m));
        Some(Query {
            core_chars: char_bits(&core),
            norm_chars: char_bits_wide(&norm),
            norm,
            core,
            initials,
            letters,
        })
    }
}

/// The 64-bit character set of `s` (see [`Entry::chars`]).
fn char_bits(s: &str) -> u64 {
    s.chars().fold(0, |b, c| {
        b | 1u64 << ((c as u32).wrapping_mul(0x9E37_79B1) >> 26)
    })
}

/// The 128-bit character set of `s` (see [`Entry::extra_chars`]).
fn char_bits_wide(s: &str) -> u128 {
    s.chars().fold(0, |b, c| {
        b | 1u128 << ((c as u32).wrapping_mul(0x9E37_79B1) >> 25)
    })
}

impl Entry {
    fn new(name: &str, extra: &str) -> Entry {
        let norm = normalize(name);
        let core = strip_affixes(&norm).to_string();
        let extra = normalize(extra);
        let initials = initials(&norm);
        Entry {
            chars: char_bits(&norm),
            extra_chars: char_bits_wide(&extra),
            letters: initials.iter().fold(0, |b, m| b | m),
            core_initials: initials_of_core(&norm, &core, &initials),
            initials,
            norm,
            core,
            extra,
        }
    }

    fn tier(&self, q: &Query) -> Option<Tier> {
        let text = self.chars & q.core_chars == q.core_chars;
        let letters = q.initials.is_some() && self.letters & q.letters == q.letters;
        let extra = self.extra_chars & q.norm_chars == q.norm_chars && !self.extra.is_empty();
        if !text && !letters && !extra {
            return None;
        }
        if text && self.norm == q.norm {
            return Some(Tier::Exact);
        }
        let mut best: Option<Tier> = None;
        let take = |best: &mut Option<Tier>, t: Tier| {
            if best.is_none_or(|b| t < b) {
                *best = Some(t);
            }
        };
        if !text {
        } else if self.core == q.core || self.norm == q.core {
            take(&mut best, Tier::Core);
        } else if self.norm.starts_with(&q.norm)
            || self.core.starts_with(&q.norm)
            || self.core.starts_with(&q.core)
        {
            take(&mut best, Tier::Prefix);
        } else if self.norm.contains(&q.norm) || self.norm.contains(&q.core) {
            take(&mut best, Tier::Contains);
        }
        if let Some(qi) = q.initials.as_ref().filter(|_| letters) {
            for masks in [&self.initials, &self.core_initials] {
                if let Some(t) = initials_tier(qi, masks) {
                    take(&mut best, t);
                }
            }
        }
        if extra && best.is_none() && self.extra.contains(&q.norm) {
            take(&mut best, Tier::Contains);
        }
        best
    }
}

impl Index {
    /// An index of `names`, in the order they should be offered.
    pub fn new<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> Index {
        Index {
            entries: names
                .into_iter()
                .map(|n| Entry::new(n.as_ref(), ""))
                .collect(),
        }
    }

    /// An index of names each also found by a part of its extra text.
    pub fn with_extra<S: AsRef<str>, T: AsRef<str>>(
        items: impl IntoIterator<Item = (S, T)>,
    ) -> Index {
        Index {
            entries: items
                .into_iter()
                .map(|(n, x)| Entry::new(n.as_ref(), x.as_ref()))
                .collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The names `typed` matches, closest first, at most `limit`.
    pub fn find(&self, typed: &str, limit: usize) -> Found {
        let Some(q) = Query::new(typed) else {
            return Found::default();
        };
        let mut per: [Vec<usize>; TIERS] = Default::default();
        let mut counts = [0usize; TIERS];
        for (i, e) in self.entries.iter().enumerate() {
            if let Some(t) = e.tier(&q) {
                let k = t as usize;
                counts[k] += 1;
                if per[k].len() < limit {
                    per[k].push(i);
                }
            }
        }
        let mut hits = Vec::with_capacity(limit);
        for (k, list) in per.iter().enumerate() {
            let tier = [Tier::Exact, Tier::Core, Tier::Prefix, Tier::Contains][k];
            for &index in list {
                if hits.len() == limit {
                    break;
                }
                hits.push(Hit { index, tier });
            }
        }
        Found {
            hits,
            total: counts.iter().sum(),
            per_tier: counts,
        }
    }

    /// What `typed` comes to: one name, several (the first `shown` of
    /// them), or none. Never a guess among equals.
    pub fn resolve(&self, typed: &str, shown: usize) -> Resolution {
        let found = self.find(typed, self.entries.len().max(1));
        resolution(&found, shown)
    }
}

/// The resolution of what [`Index::find`] found (with a limit high enough
/// to hold every hit of the deciding tier).
pub fn resolution(found: &Found, shown: usize) -> Resolution {
    let [exact, core, prefix, contains] = found.per_tier;
    let (tiers, n): (&[Tier], usize) = if exact > 0 {
        (&[Tier::Exact], exact)
    } else if core > 0 {
        (&[Tier::Core], core)
    } else {
        (&[Tier::Prefix, Tier::Contains], prefix + contains)
    };
    let of_tier = found.hits.iter().filter(|h| tiers.contains(&h.tier));
    match n {
        0 => Resolution::Nothing,
        1 => of_tier
            .map(|h| Resolution::Unique(h.index))
            .next()
            .unwrap_or(Resolution::Nothing),
        total => Resolution::Ambiguous {
            shown: of_tier.take(shown).map(|h| h.index).collect(),
            total,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMUNITIES: &[&str] = &[
        "螺蛳包社区",
        "一碗水社区",
        "学堂湾社区",
        "槽房社区",
        "双河社区",
        "桂花社区",
        "龙宝村",
        "万利村",
        "石梁村",
        "檬子村",
        "石鼓村",
    ];

    fn names(idx: &[usize], of: &[&str]) -> Vec<String> {
        idx.iter().map(|&i| of[i].to_string()).collect()
    }

    fn one(of: &[&str], typed: &str) -> Option<String> {
        match Index::new(of).resolve(typed, 5) {
            Resolution::Unique(i) => Some(of[i].to_string()),
            _ => None,
        }
    }

    #[test]
    fn any_part_of_the_name_matches() {
        assert_eq!(one(COMMUNITIES, "蛳包").as_deref(), Some("螺蛳包社区"));
        assert_eq!(one(COMMUNITIES, "碗").as_deref(), Some("一碗水社区"));
        let units = [
            "万州区螺蛳包菜市场",
            "万州区螺蛳包便利店",
            "永辉超市双河口店",
        ];
        assert_eq!(one(&units, "菜市场").as_deref(), Some("万州区螺蛳包菜市场"));
        assert_eq!(one(&units, "永辉").as_deref(), Some("永辉超市双河口店"));
        assert_eq!(Index::new(units).resolve("肉店", 5), Resolution::Nothing);
    }

    #[test]
    fn the_name_without_its_affixes_matches() {
        assert_eq!(one(COMMUNITIES, "螺蛳包").as_deref(), Some("螺蛳包社区"));
        // A 村 typed for a 社区 is forgiven: the cores are the same.
        assert_eq!(one(COMMUNITIES, "螺蛳包村").as_deref(), Some("螺蛳包社区"));
        assert_eq!(one(COMMUNITIES, "龙宝").as_deref(), Some("龙宝村"));
        let units = ["万州区螺蛳包菜市场", "重庆市万州区通达运输有限公司"];
        assert_eq!(
            one(&units, "螺蛳包菜市场").as_deref(),
            Some("万州区螺蛳包菜市场")
        );
        assert_eq!(strip_affixes("万州区螺蛳包菜市场"), "螺蛳包菜市场");
        assert_eq!(strip_affixes("双河口街道"), "双河口");
        assert_eq!(strip_affixes("滴水岩小区"), "滴水岩");
        // Nothing left: the name stays whole.
        assert_eq!(strip_affixes("村"), "村");
    }

    #[test]
    fn pinyin_initials_match() {
        assert_eq!(one(COMMUNITIES, "lsb").as_deref(), Some("螺蛳包社区"));
        assert_eq!(one(COMMUNITIES, "LSB").as_deref(), Some("螺蛳包社区"));
        assert_eq!(one(COMMUNITIES, "lsbsq").as_deref(), Some("螺蛳包社区"));
        assert_eq!(one(COMMUNITIES, "ywsh").as_deref(), None);
        assert_eq!(one(COMMUNITIES, "yws").as_deref(), Some("一碗水社区"));
        assert_eq!(one(COMMUNITIES, "ｌｓｂ").as_deref(), Some("螺蛳包社区"));
        // Every reading of a character counts: 重 is zhong or chong.
        let units = ["重庆天友乳业万州配送站", "万州区双河口粮油店"];
        assert_eq!(
            one(&units, "cqty").as_deref(),
            Some("重庆天友乳业万州配送站")
        );
        assert_eq!(
            one(&units, "zqty").as_deref(),
            Some("重庆天友乳业万州配送站")
        );
        // A part of the initials.
        assert_eq!(one(&units, "shk").as_deref(), Some("万州区双河口粮油店"));
    }

    #[test]
    fn several_equal_matches_are_refused_with_the_choices() {
        let idx = Index::new(COMMUNITIES);
        match idx.resolve("石", 5) {
            Resolution::Ambiguous { shown, total } => {
                assert_eq!(total, 2);
                assert_eq!(names(&shown, COMMUNITIES), ["石梁村", "石鼓村"]);
            }
            r => panic!("expected ambiguity, got {r:?}"),
        }
        // Same initials: sl is both 石梁 and 双龙 — never a guess.
        let two = ["石梁村", "双龙村"];
        assert!(matches!(
            Index::new(two).resolve("sl", 5),
            Resolution::Ambiguous { total: 2, .. }
        ));
        // A prefix is not closer than a part: both are equally meant.
        let compounds = ["螺蛳包安置小区", "老螺蛳包小区"];
        assert!(matches!(
            Index::new(compounds).resolve("螺蛳包", 5),
            Resolution::Ambiguous { total: 2, .. }
        ));
        // Namesakes are ambiguous even when typed in full.
        let people = ["李明", "李明", "李明华"];
        assert!(matches!(
            Index::new(people).resolve("李明", 5),
            Resolution::Ambiguous { total: 2, .. }
        ));
    }

    #[test]
    fn a_closer_match_wins_over_looser_ones() {
        // The exact name over a longer one containing it.
        let people = ["李明", "李明华"];
        assert_eq!(one(&people, "李明").as_deref(), Some("李明"));
        // The core name over a name it starts.
        let villages = ["石梁村", "石梁新村"];
        assert_eq!(one(&villages, "石梁").as_deref(), Some("石梁村"));
        assert_eq!(one(&villages, "石梁新").as_deref(), Some("石梁新村"));
    }

    #[test]
    fn find_lists_closest_first_and_counts_all() {
        let idx = Index::new(["双河佳苑", "双河社区", "石梁村", "大双河"]);
        let f = idx.find("双河", 2);
        assert_eq!(f.total, 3);
        assert_eq!(f.hits.len(), 2);
        assert_eq!(f.hits[0].index, 1, "core match first");
        assert_eq!(f.hits[0].tier, Tier::Core);
        assert_eq!(f.hits[1].tier, Tier::Prefix);
        assert_eq!(idx.find("  ", 5), Found::default());
    }

    #[test]
    fn extra_text_finds_by_a_part_only() {
        let idx = Index::with_extra([("张秀兰", "螺蛳包社区 滴水岩小区"), ("王桂珍", "槽房社区")]);
        assert!(matches!(idx.resolve("滴水岩", 5), Resolution::Unique(0)));
        assert!(matches!(idx.resolve("zxl", 5), Resolution::Unique(0)));
        assert!(matches!(idx.resolve("wgz", 5), Resolution::Unique(1)));
        assert_eq!(idx.resolve("学堂湾", 5), Resolution::Nothing);
    }
}
