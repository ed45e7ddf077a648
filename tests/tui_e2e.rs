//! One incident, end to end, in a real terminal: the binary runs in a
//! detached tmux session (its own server socket, 120×40) and is driven by
//! keys the way an officer would: activate on a directive, raise an alert,
//! dispatch and resolve it, issue a pass and look its plate up, queue a
//! delivery, assign it, send it off and mark it delivered. Then the log's
//! chain verifies and `log list --json` shows each step, in order, under
//! the officer's name.
//!
//! Every wait polls the screen against a deadline; nothing sleeps for a
//! fixed time. Without tmux the test says so and passes (CI installs it).

mod common;

use std::path::Path;

use common::{Tmux, console, desk_with_two_communities, run, temp_db};
use supplydesk::domain::delivery::Group;
use supplydesk::domain::unit::{Capacity, UnitCategory};
use supplydesk::store::places::{NewRecipient, NewSupplyUnit, Ref};

const OFFICER: &str = "测试员";

/// A database with the posts, two communities, a supply unit and a
/// recipient; the plan not yet activated.
fn setup(path: &Path) {
    let (mut s, a) = desk_with_two_communities(path);
    s.add_supply_unit(
        &a,
        &NewSupplyUnit {
            name: "双河口粮油配送中心".into(),
            category: UnitCategory::GrainOil,
            community: Some(Ref::Name("螺蛳包社区".into())),
            address: None,
            contact: None,
            phone: None,
            capacity: Capacity::default(),
        },
    )
    .unwrap();
    s.add_recipient(
        &a,
        &NewRecipient {
            name: "欧阳秀英".into(),
            phone: Some("13512345678".into()),
            id_number: None,
            group: Group::Dialysis,
            condition: None,
            community: Ref::Name("一碗水社区".into()),
            compound_id: None,
            building: Some("3栋".into()),
            unit_no: None,
            room: Some("501".into()),
            needs: None,
        },
    )
    .unwrap();
}

#[test]
fn one_incident_from_directive_to_delivery() {
    let Some(tmux) = Tmux::server("e2e") else {
        return;
    };
    let (_dir, db) = temp_db();
    setup(&db);
    let t = tmux.start("e2e", (120, 40), &console(&db, OFFICER));
    t.wait_for("NORMAL");

    // Activate on a directive received twenty minutes ago, from the form.
    t.keys(&["1", "n"]);
    t.wait_for("Activate the plan");
    t.type_text("联控指挥部〔2022〕60号");
    t.keys(&["Tab"]);
    t.type_text("-20m");
    t.wait_for("(20m ago)");
    t.keys(&["Enter"]);
    t.wait_for("plan activated on 联控指挥部〔2022〕60号, recorded #");
    t.wait_for("ACTIVATED");

    // An alert by command, dispatched by command, resolved in its form.
    t.command("alert 螺蛳包 medicine critical 血透药品告急");
    t.wait_for("shortage alert #1 raised, recorded #");
    t.command("dispatch #1 双河口粮油配送中心");
    t.wait_for("alert #1 dispatched to 双河口粮油配送中心, recorded #");
    t.command("resolve #1");
    t.wait_for("Resolve the alert");
    t.type_text("已调运透析药品 20 箱");
    t.keys(&["Enter"]);
    t.wait_for("alert #1 resolved, recorded #");

    // A pass for a new vehicle, then its plate looked up.
    t.keys(&["3", "n"]);
    t.wait_for("Issue a vehicle pass");
    t.type_text("渝f·12345");
    t.keys(&["Tab"]);
    t.type_text("+2d");
    t.keys(&["Tab"]);
    t.type_text("经发办");
    t.keys(&["Tab", "Tab"]);
    t.type_text("双河口粮油配送中心");
    t.keys(&["Tab"]);
    t.type_text("张建国");
    t.keys(&["Enter"]);
    // Issuing asks first.
    t.wait_for("Issue a pass for 渝f·12345");
    t.keys(&["y"]);
    t.wait_for("issued, recorded #");
    // From the activation pane, so that nothing is filled in for us.
    t.keys(&["1", "p"]);
    t.wait_for("Plate lookup");
    t.type_text("渝f 12345");
    t.keys(&["Enter"]);
    let s = t.wait_for("may pass");
    assert!(s.contains("VALID") && s.contains("渝F12345"), "{s}");
    // Escape closes; the next key waits for it, or the terminal would read
    // Escape and that key as one Alt chord.
    t.keys(&["Escape"]);
    t.wait_until_gone("Plate lookup");

    // A delivery queued, assigned to that vehicle, sent off, delivered.
    t.keys(&["4", "n"]);
    t.wait_for("Queue a delivery");
    t.type_text("欧阳");
    t.wait_for("Dialysis patient");
    // Tab marks the recipient offered, Enter takes it, Tab moves on.
    t.keys(&["Tab", "Enter"]);
    t.wait_for("picked: 欧**英");
    t.keys(&["Tab"]);
    t.type_text("透析药品 1 箱");
    t.keys(&["Tab", "Right", "Tab"]);
    t.type_text("+2h");
    t.keys(&["Enter"]);
    t.wait_for("delivery #1 queued, recorded #");
    t.keys(&["a"]);
    t.wait_for("Assign the delivery");
    t.type_text("渝F12345");
    t.wait_for("holds a valid pass");
    t.keys(&["Enter"]);
    t.wait_for("delivery #1 assigned to 渝F12345, recorded #");
    t.keys(&["e"]);
    t.wait_for("delivery #1 en route, recorded #");
    t.keys(&["d"]);
    t.wait_for("Received by");
    t.type_text("家属");
    t.keys(&["Enter"]);
    t.wait_for("delivery #1 delivered, recorded #");

    t.keys(&["q"]);
    t.wait_gone();

    let verify = run(&db, &["log", "verify"]);
    assert!(
        verify.status.success(),
        "log verify: {}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );
    let list = run(&db, &["log", "list", "--json", "--limit", "0"]);
    assert!(
        list.status.success(),
        "{}",
        String::from_utf8_lossy(&list.stderr)
    );
    let entries: Vec<serde_json::Value> = serde_json::from_slice(&list.stdout).unwrap();
    let mut ours: Vec<(i64, String)> = entries
        .iter()
        .filter(|e| e["officer"] == OFFICER)
        .map(|e| {
            (
                e["seq"].as_i64().unwrap_or_default(),
                e["text"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    ours.sort();
    let texts: Vec<&str> = ours.iter().map(|(_, t)| t.as_str()).collect();
    let steps = [
        "Plan activated: 联控指挥部〔2022〕60号",
        "New alert #1",
        "Alert #1 dispatched to",
        "Alert #1 resolved",
        "registered",
        "issued: Vehicle pass",
        "Delivery #1 queued",
        "assigned",
        "Delivery #1 en route",
        "Delivery #1 delivered",
    ];
    assert_eq!(texts.len(), steps.len(), "one entry per step: {texts:#?}");
    for (text, step) in texts.iter().zip(steps) {
        assert!(text.contains(step), "{step:?} expected, found {text:?}");
    }
    let activation = entries
        .iter()
        .find(|e| {
            e["text"]
                .as_str()
                .is_some_and(|t| t.contains("Plan activated"))
        })
        .unwrap();
    assert!(
        activation["occurred_at"].is_string(),
        "the directive's time is kept: {activation}"
    );
}
