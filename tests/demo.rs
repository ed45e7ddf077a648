//! The demo data generator against a real SQLite file.

mod common;

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{count, one, open_store, select};
use supplydesk::demo::{self, DemoOptions, DemoSummary};
use supplydesk::domain::Code;
use supplydesk::domain::alert::Severity;
use supplydesk::domain::delivery::{DeliveryState, Group};
use supplydesk::domain::pass::{self, PassState, PassStatus};
use supplydesk::domain::plate;
use supplydesk::domain::time::{from_db, to_db};
use supplydesk::store::{Actor, Clock, Store, StoreError};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, 2, 13, 0).unwrap()
}

fn actor() -> Actor {
    Actor {
        officer: "演示员".into(),
        os_user: "tester".into(),
        ssh_client: None,
    }
}

fn open(dir: &tempfile::TempDir, name: &str) -> Store {
    open_store(&dir.path().join(name)).with_clock(Clock::Fixed(now()))
}

fn generated(seed: u64) -> (tempfile::TempDir, Store, DemoSummary) {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir, "demo.db");
    let summary = demo::generate(&mut s, &actor(), DemoOptions { scale: 1, seed }).unwrap();
    (dir, s, summary)
}

fn strings(s: &Store, sql: &str) -> Vec<String> {
    select(s, sql).into_iter().map(|(v,)| v).collect()
}

#[test]
fn scale_one_is_a_realistic_sub_district() {
    let (_d, s, sum) = generated(2022);
    assert_eq!(sum.communities, 15);
    assert!((100..=160).contains(&sum.compounds), "{sum:?}");
    assert!((35..=45).contains(&sum.units), "{sum:?}");
    assert!((180..=230).contains(&sum.vehicles), "{sum:?}");
    assert!((240..=360).contains(&sum.passes), "{sum:?}");
    assert_eq!(sum.recipients, 300);
    assert!((70..=130).contains(&sum.deliveries), "{sum:?}");
    assert!((20..=30).contains(&sum.open_alerts), "{sum:?}");
    assert!((2_000..=6_000).contains(&sum.log_entries), "{sum:?}");
    assert!((33_000..=37_000).contains(&sum.population), "{sum:?}");
    assert!(sum.volunteers >= 150, "{sum:?}");
    assert_eq!(
        count(
            &s,
            "SELECT COUNT(*) FROM community WHERE kind = 'community'"
        ),
        6
    );
    assert_eq!(
        count(&s, "SELECT COUNT(*) FROM community WHERE kind = 'village'"),
        9
    );
    for name in [
        "螺蛳包社区",
        "一碗水社区",
        "学堂湾社区",
        "槽房社区",
        "龙宝村",
        "万利村",
        "石梁村",
        "檬子村",
        "永清村",
        "石鼓村",
        "大榜村",
    ] {
        assert_eq!(
            count(
                &s,
                &format!("SELECT COUNT(*) FROM community WHERE name = '{name}'")
            ),
            1,
            "{name}"
        );
    }
    let dishuiyan: (i64, i64) = one(
        &s,
        "SELECT households, resident_pop + floating_pop FROM compound WHERE name = '滴水岩小区'",
    );
    assert_eq!(dishuiyan, (235, 516));
    // Villages have groups and courtyards, communities compounds and buildings.
    assert!(strings(&s, "SELECT k.name FROM compound k JOIN community c ON c.id = k.community_id WHERE c.kind = 'village'")
        .iter()
        .all(|n| n.ends_with('组')));
    assert_eq!(
        count(
            &s,
            "SELECT COUNT(*) FROM compound k JOIN community c ON c.id = k.community_id WHERE k.kind <> CASE c.kind WHEN 'village' THEN 'group' ELSE 'compound' END"
        ),
        0
    );
    assert!(count(&s, "SELECT COUNT(*) FROM building WHERE kind = 'courtyard'") > 0);
    assert!(count(&s, "SELECT COUNT(*) FROM building WHERE name = '1栋'") > 0);
    // Community totals are the sums of their compounds.
    assert_eq!(
        count(
            &s,
            "SELECT COUNT(*) FROM community c WHERE c.resident_pop <> (SELECT SUM(resident_pop) FROM compound WHERE community_id = c.id)"
        ),
        0
    );
    // Some compounds lack a transfer station; most stations are open.
    let stations = count(
        &s,
        "SELECT COUNT(*) FROM compound WHERE transfer_station IS NOT NULL",
    );
    assert!(
        stations > sum.compounds as i64 / 2 && stations < sum.compounds as i64,
        "{stations}"
    );
    assert!(count(&s, "SELECT COUNT(*) FROM compound WHERE station_active = 1") > stations / 2);
    // Every category of supply unit, with consistent survey figures.
    assert_eq!(
        count(&s, "SELECT COUNT(DISTINCT category) FROM supply_unit"),
        8
    );
    assert_eq!(
        count(
            &s,
            "SELECT COUNT(*) FROM supply_unit WHERE regular_stock > storage_capacity"
        ),
        0
    );
    assert_eq!(
        count(
            &s,
            "SELECT COUNT(*) FROM supply_unit WHERE drivers < vehicles"
        ),
        0
    );
}

#[test]
fn the_plan_is_activated_about_two_days_ago_with_history() {
    let (_d, s, sum) = generated(2022);
    let current = s.activation().unwrap().unwrap();
    assert_eq!(current.directive, "万州区联控指挥部〔2022〕60号");
    let age = now() - current.recorded_at;
    assert!(
        age > Duration::hours(44) && age < Duration::hours(54),
        "{age}"
    );
    assert!(current.received_at.is_some_and(|r| r < current.recorded_at));
    let history = s.activation_history().unwrap();
    assert_eq!(
        history.len(),
        3,
        "an earlier activation and deactivation, then the current one"
    );
    let posts = s.posts().unwrap();
    let manned = posts.iter().filter(|p| p.manned).count();
    assert_eq!(sum.posts_manned, manned);
    assert!(
        manned >= posts.len() * 2 / 3 && manned < posts.len(),
        "{manned} of {}",
        posts.len()
    );
    for p in posts.iter().filter(|p| p.manned) {
        let since = p.manned_since.unwrap();
        assert!(since >= current.recorded_at && since <= now(), "{}", p.name);
    }
    let reported = count(
        &s,
        "SELECT COUNT(*) FROM community WHERE reported_at IS NOT NULL",
    );
    assert!((10..15).contains(&reported), "{reported}");
}

#[test]
fn passes_come_in_every_state_and_status_with_valid_unique_plates() {
    let (_d, s, _) = generated(2022);
    let warn = Duration::hours(24);
    /// state, valid_from, valid_until, kind, vehicle_id, reason, number
    type PassRow = (
        String,
        String,
        String,
        String,
        Option<i64>,
        Option<String>,
        String,
    );
    let rows: Vec<PassRow> = select(
        &s,
        "SELECT state, valid_from, valid_until, kind, vehicle_id, reason, number FROM pass",
    );
    let mut states = BTreeSet::new();
    let mut statuses = BTreeSet::new();
    for (state, from, until, kind, vehicle, reason, number) in &rows {
        let state = PassState::from_code(state).unwrap();
        let status = pass::status(
            state,
            from_db(from).unwrap(),
            from_db(until).unwrap(),
            now(),
            warn,
        );
        states.insert(state.code());
        statuses.insert(status.code());
        assert_eq!(kind == "vehicle", vehicle.is_some(), "{number}");
        if matches!(state, PassState::Suspended | PassState::Revoked) {
            assert!(
                reason.as_deref().is_some_and(|r| !r.is_empty()),
                "{number} has no reason"
            );
        }
        assert!(
            number.starts_with("SHK-") && number.len() == "SHK-TX-2026-00001".len(),
            "{number}"
        );
    }
    assert_eq!(states.len(), PassState::ALL.len(), "{states:?}");
    assert_eq!(statuses.len(), PassStatus::ALL.len(), "{statuses:?}");
    assert_eq!(count(&s, "SELECT COUNT(DISTINCT kind) FROM pass"), 3);
    assert!(
        count(
            &s,
            "SELECT COUNT(*) FROM (SELECT vehicle_id FROM pass WHERE vehicle_id IS NOT NULL GROUP BY vehicle_id HAVING COUNT(*) > 1)"
        ) > 0
    );

    let plates = strings(&s, "SELECT plate FROM vehicle");
    let unique: BTreeSet<&String> = plates.iter().collect();
    assert_eq!(unique.len(), plates.len());
    for p in &plates {
        let n = plate::normalize(p).unwrap();
        assert_eq!(n.plate.as_str(), p);
        assert!(n.verdict.is_standard(), "{p}");
        assert!(p.starts_with("渝F"), "{p}");
    }
    assert!(
        plates.iter().any(|p| p.chars().count() == 8),
        "some new-energy plates"
    );
    // A checkpoint typing a plate in lower case with a dot gets a verdict.
    let lets_through = strings(
        &s,
        &format!(
            "SELECT v.plate FROM vehicle v JOIN pass p ON p.vehicle_id = v.id
             WHERE p.state = 'issued' AND p.valid_from <= '{n}' AND p.valid_until > '{n}' ORDER BY v.id LIMIT 1",
            n = to_db(now())
        ),
    );
    let typed = lets_through[0].replacen('F', "f·", 1);
    let n = plate::normalize(&typed).unwrap();
    assert!(
        s.plate_verdict(&typed, &n, warn, true)
            .unwrap()
            .lets_through(),
        "{typed}"
    );
}

#[test]
fn recipients_cover_every_group_and_deliveries_every_state() {
    let (_d, s, _) = generated(2022);
    let groups = strings(&s, "SELECT DISTINCT grp FROM recipient");
    assert_eq!(groups.len(), Group::ALL.len(), "{groups:?}");
    let ids = strings(
        &s,
        "SELECT id_number FROM recipient WHERE id_number IS NOT NULL",
    );
    assert!(ids.len() > 250);
    assert!(
        ids.iter().all(|i| i.len() == 18 && i.starts_with("500101")),
        "Wanzhou ID numbers"
    );
    assert!(
        count(
            &s,
            "SELECT COUNT(*) FROM recipient WHERE grp = 'dialysis' AND condition IS NOT NULL"
        ) > 0
    );

    let states = strings(&s, "SELECT DISTINCT state FROM delivery");
    assert_eq!(states.len(), DeliveryState::ALL.len(), "{states:?}");
    let n = to_db(now());
    let overdue = count(
        &s,
        &format!(
            "SELECT COUNT(*) FROM delivery WHERE state IN ('queued','assigned','en_route','failed') AND due_at < '{n}'"
        ),
    );
    let open = count(
        &s,
        "SELECT COUNT(*) FROM delivery WHERE state IN ('queued','assigned','en_route','failed')",
    );
    assert!(overdue > 0 && overdue < open, "{overdue} of {open} overdue");
    assert!(
        count(
            &s,
            "SELECT COUNT(*) FROM delivery WHERE urgency = 'urgent' AND state <> 'delivered'"
        ) > 0
    );
    assert_eq!(
        count(
            &s,
            "SELECT COUNT(*) FROM delivery WHERE state = 'delivered' AND received_by IS NULL"
        ),
        0
    );
    assert_eq!(
        count(
            &s,
            "SELECT COUNT(*) FROM delivery WHERE state = 'failed' AND fail_reason IS NULL"
        ),
        0
    );
    assert!(
        count(
            &s,
            "SELECT COUNT(*) FROM delivery WHERE state = 'delivered' AND attempts > 0"
        ) > 0
    );
    assert_eq!(
        count(
            &s,
            &format!(
                "SELECT COUNT(*) FROM delivery WHERE created_at > '{n}' OR updated_at > '{n}'"
            )
        ),
        0
    );
}

#[test]
fn alerts_of_every_severity_are_open_with_ages_from_minutes_to_days() {
    let (_d, s, _) = generated(2022);
    for sev in Severity::ALL {
        let open = count(
            &s,
            &format!(
                "SELECT COUNT(*) FROM alert WHERE severity = '{}' AND state NOT IN ('resolved','cancelled')",
                sev.code()
            ),
        );
        assert!(open > 0, "{sev:?}");
    }
    let states = strings(&s, "SELECT DISTINCT state FROM alert");
    assert_eq!(states.len(), 5, "{states:?}");
    let opened: Vec<DateTime<Utc>> = strings(
        &s,
        "SELECT opened_at FROM alert WHERE state NOT IN ('resolved','cancelled')",
    )
    .iter()
    .map(|t| from_db(t).unwrap())
    .collect();
    let youngest = opened.iter().map(|t| now() - *t).min().unwrap();
    let oldest = opened.iter().map(|t| now() - *t).max().unwrap();
    assert!(youngest < Duration::hours(1), "{youngest}");
    assert!(
        oldest > Duration::hours(20) && oldest <= Duration::hours(50),
        "{oldest}"
    );
    assert!(
        count(
            &s,
            "SELECT COUNT(*) FROM alert WHERE state = 'in_progress' AND dispatched_to IS NULL"
        ) == 0
    );
    assert!(
        count(
            &s,
            "SELECT COUNT(*) FROM alert WHERE state = 'acknowledged' AND handler IS NOT NULL"
        ) > 0
    );
}

#[test]
fn the_supply_picture_has_shortages_coming_and_people_missed() {
    use supplydesk::domain::cover::{Cover, Norms};
    let n = Norms::default();
    for seed in [2022, 7] {
        let (_d, s, _) = generated(seed);
        let cover = s.cover_all(now(), &n).unwrap();
        let days = |c: &&supplydesk::store::supply::CoverRow| c.cover.days();
        let below: Vec<_> = cover.iter().filter(|c| c.below).collect();
        assert!(below.len() >= 3, "seed {seed}: {below:?}");
        assert!(
            below.iter().all(|c| c.predicted_alert.is_some()),
            "every cell below has its prediction"
        );
        let near = cover
            .iter()
            .filter(|c| days(c).is_some_and(|d| (3.0..4.0).contains(&d)))
            .count();
        assert!(near >= 2, "seed {seed}: {near} near the threshold");
        assert!(
            cover.iter().any(|c| matches!(c.cover, Cover::Stale { .. })),
            "seed {seed}: a community stopped reporting"
        );
        assert!(
            cover.iter().any(|c| c.cover == Cover::NoConsumption),
            "seed {seed}: medicine shows —"
        );
        assert!(cover.iter().filter(|c| days(c).is_some()).count() > 80);
        // Raised by the rule: some open, some taken over (one of them after
        // its cover recovered), one withdrawn by the rule.
        let forecast = |state: &str| {
            count(
                &s,
                &format!(
                    "SELECT COUNT(*) FROM alert WHERE predicted = 1 AND source = '供需测算 cover forecast' AND state = '{state}'"
                ),
            )
        };
        assert!(forecast("open") >= 2, "seed {seed}");
        assert_eq!(forecast("acknowledged"), 2, "seed {seed}");
        assert!(forecast("resolved") >= 1, "seed {seed}");
        assert!(
            cover.iter().any(|c| c.predicted_state
                == Some(supplydesk::domain::alert::AlertState::Acknowledged)
                && !c.below),
            "seed {seed}: taken over, recovered, still open"
        );
        // Who is missed.
        let gaps = s.coverage_gaps(now(), &n, 100).unwrap();
        assert!(
            (3..=40).contains(&gaps.total),
            "seed {seed}: {} gaps",
            gaps.total
        );
        assert!(gaps.not_queued > 0);
        let welfare = s.welfare_checks(&n, 10).unwrap();
        assert!(welfare.total >= 2, "seed {seed}: {welfare:?}");
        assert!(welfare.rows.iter().all(|w| w.failures >= 2));
        let t = s.transfer_gaps(5).unwrap();
        assert!(t.compounds > 0 && t.buildings > 0);
        assert!(count(&s, "SELECT COUNT(*) FROM contact WHERE reached = 0") > 0);
    }
}

#[test]
fn the_history_spans_two_days_of_shifts_and_the_chain_holds() {
    let (_d, s, sum) = generated(2022);
    let v = s.verify_log().unwrap();
    assert!(v.ok(), "{:?}", v.first_bad);
    assert_eq!(v.entries, sum.log_entries);
    assert!(s.integrity_check().unwrap().is_empty());
    // Recorded times never go back, and two days hold most of the entries.
    let times = strings(&s, "SELECT recorded_at FROM duty_log ORDER BY seq");
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    let since = to_db(now() - Duration::hours(50));
    let recent = count(
        &s,
        &format!("SELECT COUNT(*) FROM duty_log WHERE recorded_at >= '{since}'"),
    );
    assert!(recent > 1000, "{recent}");
    let officers = strings(
        &s,
        &format!("SELECT DISTINCT officer FROM duty_log WHERE recorded_at >= '{since}'"),
    );
    assert!(officers.len() >= 4, "{officers:?}");
    for kind in ["call", "note", "instruction", "change"] {
        assert!(
            count(
                &s,
                &format!("SELECT COUNT(*) FROM duty_log WHERE kind = '{kind}'")
            ) > 10,
            "{kind}"
        );
    }
    assert!(
        count(
            &s,
            "SELECT COUNT(*) FROM duty_log WHERE occurred_at IS NOT NULL AND occurred_at < recorded_at"
        ) > 10
    );
    assert!(
        count(
            &s,
            "SELECT COUNT(*) FROM duty_log WHERE text LIKE '%滴水岩小区%'"
        ) > 0
    );
    // Every state row points at an entry that names it.
    for table in [
        "community",
        "compound",
        "building",
        "vehicle",
        "pass",
        "recipient",
        "delivery",
        "alert",
        "volunteer",
        "stock_report",
        "contact",
    ] {
        let bad = count(
            &s,
            &format!(
                "SELECT COUNT(*) FROM {table} t JOIN duty_log l ON l.seq = t.log_seq WHERE l.subject <> '{table}:' || t.id"
            ),
        );
        assert_eq!(bad, 0, "{table}");
    }
    // The closing note is by whoever ran the generator, at the store's clock.
    let last = s.entry(sum.log_entries).unwrap().unwrap();
    assert_eq!(last.officer, "演示员");
    assert_eq!(last.recorded_at, to_db(now()));
    assert_eq!(s.now(), now(), "the fixed clock is restored");
    assert_eq!(
        count(&s, "PRAGMA synchronous"),
        2,
        "synchronous = FULL is restored"
    );
}

#[test]
fn recipients_raw_personal_data_never_reaches_the_log() {
    let (_d, s, _) = generated(2022);
    let rows: Vec<(String, Option<String>, Option<String>, String)> =
        select(&s, "SELECT name, phone, id_number, grp FROM recipient");
    let mut checked = 0;
    for (name, phone, id_number, grp) in rows {
        let institution = Group::from_code(&grp).unwrap().is_institution();
        let mut secrets: Vec<String> = phone.into_iter().chain(id_number).collect();
        if !institution {
            secrets.push(name);
        }
        for secret in secrets {
            let hits = s
                .conn()
                .query_row(
                    "SELECT COUNT(*) FROM duty_log WHERE instr(text, ?1) > 0",
                    [&secret],
                    |r| r.get::<_, i64>(0),
                )
                .unwrap();
            assert_eq!(hits, 0, "{secret} is in the log");
            checked += 1;
        }
    }
    assert!(checked > 700, "{checked}");
    // They are named, masked.
    assert!(
        count(
            &s,
            "SELECT COUNT(*) FROM duty_log WHERE subject LIKE 'recipient:%' AND text LIKE '%*%'"
        ) > 250
    );
}

#[test]
fn same_seed_and_clock_give_the_same_database_and_another_seed_another() {
    let (_a, a, _) = generated(7);
    let (_b, b, _) = generated(7);
    let (_c, c, _) = generated(8);
    assert_eq!(a.head().unwrap(), b.head().unwrap());
    assert_ne!(a.head().unwrap(), c.head().unwrap());
    let rows = |s: &Store| {
        strings(
            s,
            "SELECT number || subject || state || valid_until FROM pass ORDER BY id",
        )
    };
    assert_eq!(rows(&a), rows(&b));
}

#[test]
fn a_database_with_records_is_refused_and_left_alone() {
    let (_d, mut s, sum) = generated(2022);
    let head = s.head().unwrap();
    let err = demo::generate(&mut s, &actor(), DemoOptions::default()).unwrap_err();
    match err {
        StoreError::Refused(m) => assert!(m.en.contains("--db") && m.zh.contains("--db"), "{m:?}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(s.head().unwrap(), head);
    assert_eq!(s.log_count().unwrap(), sum.log_entries);
}

#[test]
fn posts_from_init_are_kept_and_manned() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir, "init.db");
    let posts = vec![
        ("组长".to_string(), "街道党工委".to_string()),
        ("经发办".to_string(), "经发办".to_string()),
    ];
    s.ensure_posts(&actor(), &posts).unwrap();
    demo::generate(&mut s, &actor(), DemoOptions::default()).unwrap();
    let rows = s.posts().unwrap();
    assert_eq!(rows.len(), 2, "the configured posts, not the defaults");
    assert!(
        rows.iter().all(|p| p.manned),
        "a short list is manned in full"
    );
    assert!(s.verify_log().unwrap().ok());
}

#[test]
fn an_unnamed_officer_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir, "x.db");
    let nobody = Actor {
        officer: "  ".into(),
        ..actor()
    };
    assert!(matches!(
        demo::generate(&mut s, &nobody, DemoOptions::default()),
        Err(StoreError::Refused(_))
    ));
    assert_eq!(s.log_count().unwrap(), 0);
}
