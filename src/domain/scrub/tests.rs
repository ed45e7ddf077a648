use super::*;

/// A directory of a few people, recording callers from #7.
#[derive(Default)]
struct Desk {
    callers: Vec<String>,
    records: bool,
}

fn person(kind: PersonKind, id: i64, name: &str) -> Person {
    Person {
        kind,
        id,
        name: Some(name.to_string()),
    }
}

impl Directory for Desk {
    fn phone(&mut self, digits: &str) -> Option<Person> {
        match digits {
            "18876621326" => Some(person(PersonKind::Recipient, 2, "覃银菊")),
            "13352699142" => Some(person(PersonKind::Volunteer, 5, "秦敏英")),
            "58123456" => Some(person(PersonKind::CommunityContact, 3, "周建国")),
            _ => None,
        }
    }
    fn id_number(&mut self, id: &str) -> Option<Person> {
        (id == "500101194709110900").then(|| person(PersonKind::Recipient, 2, "覃银菊"))
    }
    fn caller(&mut self, digits: &str) -> Option<i64> {
        if let Some(i) = self.callers.iter().position(|c| c == digits) {
            return Some(7 + i as i64);
        }
        if !self.records {
            return None;
        }
        self.callers.push(digits.to_string());
        Some(6 + self.callers.len() as i64)
    }
}

fn run(text: &str) -> String {
    let mut d = Desk {
        records: true,
        ..Desk::default()
    };
    let o = Options {
        callers: true,
        ..Options::default()
    };
    scrub(text, &mut d, &o).text
}

#[test]
fn the_issues_call_entry() {
    let out = run("覃银菊 18876621326 来电，身份证500101194709110900，要求送药");
    assert_eq!(
        out,
        "覃*菊〔对象#2〕 188****1326 来电，身份证〔对象#2〕 500***********0900，要求送药"
    );
}

#[test]
fn a_volunteer_named_and_numbered() {
    assert_eq!(
        run("志愿者秦敏英13352699142今晚不能到岗"),
        "志愿者秦*英〔志愿者#5〕 133****9142今晚不能到岗"
    );
}

#[test]
fn every_typed_form_of_a_known_mobile() {
    for typed in [
        "18876621326",
        "１８８７６６２１３２６",
        "188 7662 1326",
        "188-7662-1326",
        "188.7662.1326",
        "188　7662　1326",
        "+86 188 7662 1326",
        "+8618876621326",
        "＋８６ １８８７６６２１３２６",
        "0086 18876621326",
        "188－7662－1326",
    ] {
        let out = run(&format!("回电{typed}。"));
        assert_eq!(out, "回电〔对象#2〕 188****1326。", "typed {typed:?}");
    }
}

#[test]
fn every_typed_form_of_an_id_number() {
    for typed in [
        "500101194709110900",
        "５００１０１１９４７０９１１０９００",
        "500101 19470911 0900",
        "500101-19470911-0900",
    ] {
        let out = run(&format!("身份证{typed}"));
        assert_eq!(
            out, "身份证〔对象#2〕 500***********0900",
            "typed {typed:?}"
        );
    }
    // Anyone's valid number, with x, X or ｘ last.
    for typed in [
        "11010519491231002X",
        "11010519491231002x",
        "11010519491231002ｘ",
        "110105 19491231 002X",
    ] {
        let out = run(&format!("代领人身份证{typed}，"));
        assert_eq!(out, "代领人身份证110***********002X，", "typed {typed:?}");
    }
}

#[test]
fn the_check_digit() {
    assert!(id_check_ok("500101194709110900"));
    assert!(id_check_ok("11010519491231002X"));
    assert!(!id_check_ok("500101194709110901"));
    // Not a date, wrong check digit: an 18-digit order number stays.
    assert_eq!(run("单号123456789012345678"), "单号123456789012345678");
    // A birth date that could be real with a mistyped check digit is
    // masked all the same.
    assert_eq!(run("身份证500101194709110901"), "身份证500***********0901");
}

#[test]
fn unknown_callers_are_kept_by_reference() {
    let mut d = Desk {
        records: true,
        ..Desk::default()
    };
    let o = Options {
        callers: true,
        ..Options::default()
    };
    let a = scrub("来电 13900000000 反映缺米", &mut d, &o);
    assert_eq!(a.text, "来电 〔来电人#7〕 139****0000 反映缺米");
    assert_eq!(a.found, vec![Found::Caller(Some(7))]);
    let b = scrub("再次来电139-0000-0000，另有(023) 6888 1234", &mut d, &o);
    assert_eq!(
        b.text,
        "再次来电〔来电人#7〕 139****0000，另有〔来电人#8〕 023****1234"
    );
    assert_eq!(d.callers, vec!["13900000000", "02368881234"]);
    // A preview records nothing.
    let mut p = Desk::default();
    let c = scrub("来电13911112222", &mut p, &o);
    assert_eq!(c.text, "来电〔来电人〕 139****2222");
    assert!(p.callers.is_empty());
    // Without callers (the program's own entries) the number is masked.
    let d2 = scrub("来电13911112222", &mut p, &Options::default());
    assert_eq!(d2.text, "来电139****2222");
}

#[test]
fn landlines_known_with_or_without_their_area_code() {
    assert_eq!(
        run("周建国电话023-58123456"),
        "周*国电话〔社区联系人#3〕 023****3456"
    );
    assert_eq!(run("打58123456找他"), "打〔社区联系人#3〕 ****3456找他");
    assert_eq!(
        run("（０２３）５８１２３４５６"),
        "〔社区联系人#3〕 023****3456"
    );
}

#[test]
fn numbers_that_are_not_phones_stay() {
    for text in [
        "送米 500 箱，2026-12-05 14:30 到",
        "车牌渝A12345，通行证 TX-2026-0012",
        "1.5 吨，第 3 批，12 户",
        "配送 #12 与 #13",
        "电话 12345678",
    ] {
        assert_eq!(run(text), text);
    }
}

#[test]
fn several_numbers_in_a_row() {
    assert_eq!(
        run("13900000000 13911111111"),
        "〔来电人#7〕 139****0000 〔来电人#8〕 139****1111"
    );
    // Glued to a quantity before it.
    assert_eq!(run("2 18876621326"), "2 〔对象#2〕 188****1326");
}

#[test]
fn names_only_where_the_text_identifies_them() {
    // A bare name is not guessed at.
    assert_eq!(run("覃银菊要求送药"), "覃银菊要求送药");
    // The subject of a note attached to the record is masked anywhere.
    let mut d = Desk::default();
    let o = Options {
        subject: Some(person(PersonKind::Recipient, 2, "覃银菊")),
        callers: false,
    };
    let s = scrub("覃银菊说药够了；覃银菊的女儿 18876621326", &mut d, &o);
    assert_eq!(s.text, "覃*菊说药够了；覃*菊的女儿 〔对象#2〕 188****1326");
    // The number elsewhere in the text: the name masked there too.
    assert_eq!(
        run("秦敏英今晚不到。号码13352699142"),
        "秦*英今晚不到。号码〔志愿者#5〕 133****9142"
    );
}

#[test]
fn keys() {
    assert_eq!(
        phone_key("+86 188-7662-1326").as_deref(),
        Some("18876621326")
    );
    assert_eq!(
        phone_key("（023）5812 3456").as_deref(),
        Some("02358123456")
    );
    assert_eq!(phone_key("无"), None);
    assert_eq!(local_part("02358123456"), Some("58123456"));
    assert_eq!(local_part("075512345678"), Some("12345678"));
    assert_eq!(local_part("18876621326"), None);
    assert_eq!(
        id_key("11010519491231002x").as_deref(),
        Some("11010519491231002X")
    );
    assert_eq!(id_key("1234"), None);
}

#[test]
fn scrubbing_twice_changes_nothing_more() {
    let once = run("覃银菊 18876621326 来电，另 13900000000，身份证11010519491231002X");
    assert_eq!(run(&once), once);
}
