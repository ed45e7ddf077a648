//! The scrubber at the store's door: finds phone numbers and resident ID
//! numbers in free text however they were typed, and the names of the
//! people the text identifies, and replaces them by their masked form and
//! a reference to the record (`覃*菊〔对象#2〕 188****1326`).
//!
//! What it finds:
//!
//! - numbers typed with half- or full-width digits (`１８８…`), with
//!   spaces, hyphens, dots or brackets inside (`188 7662-1326`,
//!   `(023) 5812 3456`), with a `+86`/`0086` prefix, and ID numbers ending
//!   in `x`, `X` or `ｘ`;
//! - the numbers of every person the [`Directory`] knows (recipients,
//!   staff, volunteers, drivers, contacts of communities, units and
//!   outlets, earlier callers), looked up by their normalised digits;
//! - any 18-character resident ID number that passes the GB 11643 check
//!   digit or carries a plausible birth date, whoever it belongs to;
//! - any other mobile number (`1[3-9]` and 9 more digits) or landline
//!   with its area code (`0…`, 10 to 12 digits): an unknown caller, whose
//!   number the directory may keep in its callers table (a call-back needs
//!   it) and the text then names by reference (`〔来电人#7〕 139****0000`).
//!
//! A name is masked only where the text identifies its person: by their
//! number or ID number in the same text, or because the text is a note
//! attached to their record (the `subject`). A bare common name is not
//! guessed at.
//!
//! Nothing here does I/O; the store implements [`Directory`].

use super::mask::{mask_id_number, mask_name, mask_phone};

/// Who a known number belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PersonKind {
    Recipient,
    Volunteer,
    Staff,
    /// The driver of a vehicle (the id is the vehicle's).
    Driver,
    CommunityContact,
    UnitContact,
    OutletContact,
    Caller,
}

impl PersonKind {
    /// The word in a reference: `〔对象#2〕`.
    pub fn label(self) -> &'static str {
        match self {
            PersonKind::Recipient => "对象",
            PersonKind::Volunteer => "志愿者",
            PersonKind::Staff => "人员",
            PersonKind::Driver => "司机",
            PersonKind::CommunityContact => "社区联系人",
            PersonKind::UnitContact => "单位联系人",
            PersonKind::OutletContact => "网点联系人",
            PersonKind::Caller => "来电人",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            PersonKind::Recipient => "recipient",
            PersonKind::Volunteer => "volunteer",
            PersonKind::Staff => "staff",
            PersonKind::Driver => "driver of vehicle",
            PersonKind::CommunityContact => "community contact",
            PersonKind::UnitContact => "unit contact",
            PersonKind::OutletContact => "outlet contact",
            PersonKind::Caller => "caller",
        }
    }

    pub const ALL: [PersonKind; 8] = [
        PersonKind::Recipient,
        PersonKind::Volunteer,
        PersonKind::Staff,
        PersonKind::Driver,
        PersonKind::CommunityContact,
        PersonKind::UnitContact,
        PersonKind::OutletContact,
        PersonKind::Caller,
    ];
}

/// A person the desk knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub kind: PersonKind,
    pub id: i64,
    /// Raw, to find in the text; `None` when unknown or erased.
    pub name: Option<String>,
}

impl Person {
    /// `〔对象#2〕`.
    pub fn reference(&self) -> String {
        format!("〔{}#{}〕", self.kind.label(), self.id)
    }
}

/// What the scrubber asks of the store.
pub trait Directory {
    /// The person whose phone has these national digits (no `+86`, no
    /// separators; a landline with its area code, or without it).
    fn phone(&mut self, digits: &str) -> Option<Person>;
    /// The person with this ID number (digits, an upper-case `X` last).
    fn id_number(&mut self, id: &str) -> Option<Person>;
    /// The caller with this unknown number: an existing one, or (when the
    /// directory records) a new one. `None` when it does not record (a
    /// preview) and has not seen the number.
    fn caller(&mut self, digits: &str) -> Option<i64>;
}

/// A directory that knows nobody and records nothing.
pub struct Nobody;

impl Directory for Nobody {
    fn phone(&mut self, _: &str) -> Option<Person> {
        None
    }
    fn id_number(&mut self, _: &str) -> Option<Person> {
        None
    }
    fn caller(&mut self, _: &str) -> Option<i64> {
        None
    }
}

/// What was found, for the preview and the tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A number of a known person.
    Known(PersonKind, i64),
    /// A resident ID number of someone the desk does not know.
    IdNumber,
    /// An unknown phone number, kept as this caller (`None`: not kept).
    Caller(Option<i64>),
    /// A known person's name (identified by number or subject).
    Name(PersonKind, i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scrubbed {
    pub text: String,
    pub found: Vec<Found>,
}

impl Scrubbed {
    pub fn changed(&self) -> bool {
        !self.found.is_empty()
    }
}

/// How a text is scrubbed.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The record the text is attached to: its person's name is masked
    /// wherever it appears, and needs no reference.
    pub subject: Option<Person>,
    /// Unknown numbers become callers (free text typed by an officer);
    /// off for entries the program writes itself.
    pub callers: bool,
}

/// Scrubs `text`; see the module documentation.
pub fn scrub(text: &str, dir: &mut dyn Directory, opts: &Options) -> Scrubbed {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let norm: Vec<char> = chars.iter().map(|&(_, c)| half_width(c)).collect();
    let byte_at = |i: usize| chars.get(i).map_or(text.len(), |&(b, _)| b);

    let mut found = Vec::new();
    let mut reps: Vec<Rep> = Vec::new();
    let mut people: Vec<Person> = Vec::new();
    let gs = groups(&norm);
    let mut i = 0;
    while i < gs.len() {
        let mut hit = None;
        for (j, start, what) in candidates(&norm, &gs, i).into_iter().rev() {
            if let Some(r) = resolve(&what, dir, opts) {
                hit = Some((j, start, r));
                break;
            }
        }
        let Some((j, start, (replacement, who, f))) = hit else {
            i += 1;
            continue;
        };
        found.push(f);
        if let Some(p) = &who
            && !people.iter().any(|q| q.kind == p.kind && q.id == p.id)
        {
            people.push(p.clone());
        }
        reps.push(Rep {
            start: byte_at(start),
            end: byte_at(gs[j].end),
            text: replacement,
            owner: who.map(|p| (p.kind, p.id)),
            name: false,
        });
        i = j + 1;
    }
    // Names of the people identified, and of the subject.
    let mut named: Vec<(Person, bool)> = people.into_iter().map(|p| (p, false)).collect();
    if let Some(s) = &opts.subject {
        named.retain(|(p, _)| !(p.kind == s.kind && p.id == s.id));
        named.push((s.clone(), true));
    }
    for (p, is_subject) in &named {
        let Some(name) = p
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| name_findable(n))
        else {
            continue;
        };
        let mut any = false;
        for (at, _) in text.match_indices(name) {
            let end = at + name.len();
            if reps.iter().any(|r| at < r.end && r.start < end) {
                continue;
            }
            any = true;
            reps.push(Rep {
                start: at,
                end,
                text: mask_name(name),
                owner: (!is_subject).then_some((p.kind, p.id)),
                name: true,
            });
        }
        if any {
            found.push(Found::Name(p.kind, p.id));
        }
    }
    reps.sort_by_key(|r| r.start);

    let mut out = String::with_capacity(text.len() + 16);
    let mut at = 0;
    let mut i = 0;
    while i < reps.len() {
        let r = &reps[i];
        out.push_str(&text[at..r.start]);
        // A name followed (across spaces only) by its person's number:
        // the reference goes after the name, `覃*菊〔对象#2〕 188****1326`.
        if r.name
            && let Some(owner) = r.owner
            && let Some(next) = reps.get(i + 1)
            && !next.name
            && next.owner == Some(owner)
            && text[r.end..next.start].chars().all(char::is_whitespace)
        {
            let reference = next.text.split(' ').next().unwrap_or_default();
            let rest = next.text[reference.len()..].trim_start();
            out.push_str(&r.text);
            out.push_str(reference);
            out.push(' ');
            out.push_str(rest);
            at = next.end;
            i += 2;
            continue;
        }
        out.push_str(&r.text);
        at = r.end;
        i += 1;
    }
    out.push_str(&text[at..]);
    Scrubbed { text: out, found }
}

/// Scrubs with nobody known and no callers kept: every valid ID number
/// and every mobile or landline number masked.
pub fn scrub_unknown(text: &str) -> String {
    scrub(text, &mut Nobody, &Options::default()).text
}

struct Rep {
    start: usize,
    end: usize,
    text: String,
    owner: Option<(PersonKind, i64)>,
    name: bool,
}

/// Names shorter than this are not looked for (a single character is in
/// too many words).
fn name_findable(name: &str) -> bool {
    let n = name.chars().count();
    let cjk = name.chars().any(|c| c as u32 >= 0x2E80);
    if cjk { n >= 2 } else { n >= 3 }
}

fn lookup_phone(dir: &mut dyn Directory, digits: &str) -> Option<Person> {
    dir.phone(digits)
        .or_else(|| local_part(digits).and_then(|l| dir.phone(l)))
}

/// The replacement for a candidate, whose person, and what was found;
/// `None` when it is not a number to mask.
fn resolve(
    what: &What,
    dir: &mut dyn Directory,
    opts: &Options,
) -> Option<(String, Option<Person>, Found)> {
    match what {
        What::Id(id) => match dir.id_number(id) {
            Some(p) => {
                let f = Found::Known(p.kind, p.id);
                Some((
                    format!("{} {}", p.reference(), mask_id_number(id)),
                    Some(p),
                    f,
                ))
            }
            None if id_plausible(id) => Some((mask_id_number(id), None, Found::IdNumber)),
            None => None,
        },
        What::Phone { digits, pattern } => match lookup_phone(dir, digits) {
            Some(p) => {
                let f = Found::Known(p.kind, p.id);
                Some((
                    format!("{} {}", p.reference(), mask_phone(digits)),
                    Some(p),
                    f,
                ))
            }
            None if !pattern => None,
            None if opts.callers => {
                let c = dir.caller(digits);
                let r = match c {
                    Some(id) => format!("〔{}#{id}〕", PersonKind::Caller.label()),
                    None => format!("〔{}〕", PersonKind::Caller.label()),
                };
                Some((
                    format!("{r} {}", mask_phone(digits)),
                    None,
                    Found::Caller(c),
                ))
            }
            None => Some((mask_phone(digits), None, Found::Caller(None))),
        },
    }
}

/// The national digits of a phone number as stored or typed: half-width,
/// no separators, no `+86`/`0086`/`86` before an 11-digit number. `None`
/// when it holds something other than digits and separators.
pub fn phone_key(phone: &str) -> Option<String> {
    let mut d = String::new();
    for c in phone.chars().map(half_width) {
        if c.is_ascii_digit() {
            d.push(c);
        } else if !(c == '+' || is_separator(c)) {
            return None;
        }
    }
    if d.is_empty() {
        return None;
    }
    Some(national(&d).to_string())
}

/// The landline number without its area code, when `digits` is one with
/// it: `02358123456` → `58123456`.
pub fn local_part(digits: &str) -> Option<&str> {
    if !digits.starts_with('0') || !(10..=12).contains(&digits.len()) {
        return None;
    }
    let area = if digits.starts_with("01") || digits.starts_with("02") {
        3
    } else {
        4
    };
    let local = &digits[area..];
    (7..=8).contains(&local.len()).then_some(local)
}

/// An ID number as stored: half-width, no separators, `X` upper case.
pub fn id_key(id: &str) -> Option<String> {
    let mut d = String::new();
    for c in id.chars().map(half_width) {
        if c.is_ascii_digit() {
            d.push(c);
        } else if c == 'x' || c == 'X' {
            d.push('X');
        } else if !is_separator(c) {
            return None;
        }
    }
    let ok = matches!(d.len(), 15 | 18) && d[..d.len() - 1].bytes().all(|b| b.is_ascii_digit());
    ok.then_some(d)
}

fn national(d: &str) -> &str {
    for p in ["0086", "86"] {
        if let Some(r) = d.strip_prefix(p)
            && is_mobile(r)
        {
            return r;
        }
    }
    if let Some(r) = d.strip_prefix("0086")
        && r.starts_with('0')
    {
        return r;
    }
    d
}

fn is_mobile(d: &str) -> bool {
    let b = d.as_bytes();
    b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1])
}

fn is_landline(d: &str) -> bool {
    local_part(d).is_some() && !d.starts_with("00")
}

/// GB 11643: the check character of an 18-character number.
pub fn id_check_ok(id: &str) -> bool {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const C: &[u8; 11] = b"10X98765432";
    let b = id.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = b[..17]
        .iter()
        .zip(W)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    C[(sum % 11) as usize] == b[17].to_ascii_uppercase()
}

/// A valid check digit, or (a typo in it, perhaps) a region and a birth
/// date that could be real: masked either way.
fn id_plausible(id: &str) -> bool {
    if id.len() != 18 {
        return false;
    }
    if id_check_ok(id) {
        return true;
    }
    let num = |r: std::ops::Range<usize>| id[r].parse::<u32>().unwrap_or(0);
    let (y, m, d) = (num(6..10), num(10..12), num(12..14));
    id.as_bytes()[0] != b'0'
        && (1900..=2099).contains(&y)
        && (1..=12).contains(&m)
        && (1..=31).contains(&d)
}

enum What {
    Id(String),
    /// National digits; `pattern`: a mobile or a landline with its area
    /// code (else only a known number counts).
    Phone {
        digits: String,
        pattern: bool,
    },
}

/// One run of digits (with a final `X`) in the normalised text.
struct Group {
    start: usize,
    end: usize,
    digits: String,
    x: bool,
}

fn groups(norm: &[char]) -> Vec<Group> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < norm.len() {
        if !norm[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        let mut digits = String::new();
        while i < norm.len() && norm[i].is_ascii_digit() {
            digits.push(norm[i]);
            i += 1;
        }
        let x = i < norm.len()
            && matches!(norm[i], 'x' | 'X')
            && !norm.get(i + 1).is_some_and(|c| c.is_ascii_alphanumeric());
        if x {
            i += 1;
        }
        out.push(Group {
            start,
            end: i,
            digits,
            x,
        });
    }
    out
}

/// At most this many separators between two parts of one number.
const SEP_MAX: usize = 3;
/// At most this many parts make one number (`+86 138 1234 5678`).
const PARTS_MAX: usize = 6;

/// The numbers that can start at group `i`, shortest first (to be tried
/// from the end): the last
/// group each takes, where it starts (a `+` included) and what it is.
fn candidates(norm: &[char], gs: &[Group], i: usize) -> Vec<(usize, usize, What)> {
    let joinable = |a: &Group, b: &Group| {
        !a.x && b.start - a.end <= SEP_MAX && norm[a.end..b.start].iter().all(|&c| is_separator(c))
    };
    let before = |k: usize| (gs[i].start >= k).then(|| norm[gs[i].start - k]);
    let plus = before(1) == Some('+');
    // `(023) 5812 3456`: the bracket goes with the number.
    let bracket = before(1) == Some('(')
        && norm[gs[i].end..]
            .iter()
            .take_while(|&&c| is_separator(c))
            .any(|&c| c == ')');
    let start = if plus || bracket {
        gs[i].start - 1
    } else {
        gs[i].start
    };
    let mut out = Vec::new();
    let mut acc = String::new();
    let mut j = i;
    loop {
        acc.push_str(&gs[j].digits);
        if acc.len() > 22 {
            break;
        }
        let mut whats = Vec::new();
        classify(&acc, gs[j].x, &mut whats);
        out.extend(whats.into_iter().map(|w| (j, start, w)));
        if j + 1 >= gs.len() || j + 1 - i >= PARTS_MAX || !joinable(&gs[j], &gs[j + 1]) {
            break;
        }
        j += 1;
    }
    out
}

/// What `acc` can be: the phone reading last, so that (tried from the
/// end) an ID number wins over a phone of the same digits.
fn classify(acc: &str, x: bool, out: &mut Vec<What>) {
    if x {
        if acc.len() == 17 || acc.len() == 14 {
            out.push(What::Id(format!("{acc}X")));
        }
        return;
    }
    let nat = national(acc);
    let pattern = is_mobile(nat) || is_landline(nat);
    if pattern || (7..=12).contains(&nat.len()) {
        out.push(What::Phone {
            digits: nat.to_string(),
            pattern,
        });
    }
    if acc.len() == 18 || acc.len() == 15 {
        out.push(What::Id(acc.to_string()));
    }
}

fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '-' | '.' | '(' | ')' | '\u{00A0}' | '\u{2010}'
            ..='\u{2015}' | '\u{2212}' | '\u{30FB}' | '\u{00B7}'
    )
}

fn half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

#[cfg(test)]
mod tests;
