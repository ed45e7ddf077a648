//! A handover in a real terminal: the binary runs in a detached tmux
//! session (its own server socket, 120×40). 张伟 goes on duty and hands the
//! shift over to 王静 from the console, answering its question; then the
//! console is started as 王静, who is shown the handover at once, and
//! acknowledges the two carry-over items with Enter, Enter (each moves on
//! to the next) and sees the badges clear and the full text say the
//! handover is acknowledged. The database then holds both
//! acknowledgements under her name, and the log's chain verifies.
//!
//! Every wait polls the screen against a deadline; nothing sleeps for a
//! fixed time. Without tmux the test says so and passes (CI installs it).

mod common;

use std::path::Path;

use common::{Tmux, console, desk_with_two_communities, open_read_only, run, temp_db};
use supplydesk::domain::alert::{ItemClass, Severity};
use supplydesk::domain::delivery::{Group, Urgency};
use supplydesk::store::alerts::NewAlert;
use supplydesk::store::deliveries::NewDelivery;
use supplydesk::store::places::{NewRecipient, Ref};

const OUTGOING: &str = "张伟";
const INCOMING: &str = "王静";
const SESSION: &str = "hand";
const SIZE: (u16, u16) = (120, 40);

/// The posts, two communities, a critical alert and a delivery due within
/// the hour: the two items the handover will carry over (the high alert,
/// neither critical nor escalated, is a count, not an item).
fn setup(path: &Path) {
    let (mut s, a) = desk_with_two_communities(path);
    let (recipient, _) = s
        .add_recipient(
            &a,
            &NewRecipient {
                name: "刘桂英".into(),
                phone: None,
                id_number: None,
                group: Group::ElderlyAlone,
                condition: None,
                community: Ref::Name("一碗水社区".into()),
                compound_id: None,
                building: None,
                unit_no: None,
                room: None,
                needs: None,
            },
        )
        .unwrap();
    s.queue_delivery(
        &a,
        &NewDelivery {
            recipient_id: recipient,
            items: "大米".into(),
            urgency: Urgency::High,
            due_at: s.now() + chrono::Duration::minutes(50),
        },
    )
    .unwrap();
    for (c, item, sev) in [
        ("一碗水社区", ItemClass::Medicine, Severity::Critical),
        ("螺蛳包社区", ItemClass::Vegetables, Severity::High),
    ] {
        s.raise_alert(
            &a,
            &NewAlert {
                community: Ref::Name(c.into()),
                compound: None,
                item,
                severity: sev,
                households: 20,
                source: None,
                text: "测试".into(),
            },
        )
        .unwrap();
    }
}

#[test]
fn a_handover_acknowledged_item_by_item_in_a_real_terminal() {
    let Some(tmux) = Tmux::server("handover") else {
        return;
    };
    let (_dir, db) = temp_db();
    setup(&db);

    // 张伟 goes on duty and hands over to 王静; the console asks first.
    let t = tmux.start(SESSION, SIZE, &console(&db, OUTGOING));
    t.wait_for("officer 张伟");
    t.command("shift start");
    t.wait_for("shift #1 started, 张伟 on duty");
    t.command(&format!("shift end {OUTGOING}"));
    t.wait_for("cannot be the outgoing one");
    t.command(&format!("shift end {INCOMING}"));
    let q = t.wait_for("Hand shift #1 over to 王静?");
    assert!(q.contains("The cut-off is now and 2"), "{q}");
    t.keys(&["y"]);
    t.wait_for("shift #1 handed over to 王静, 2 carry-over items");
    t.wait_for("HANDOVER PENDING → 王静");
    t.keys(&["q"]);
    t.wait_gone();

    // 王静 starts the console: the handover waiting for her is shown at
    // once, on its first item, without a key.
    let t = tmux.start(SESSION, SIZE, &console(&db, INCOMING));
    let s = t.wait_for("Carry-over items: 2 · 2 not acknowledged · incoming 王静");
    assert!(s.contains("HANDOVER PENDING"), "{s}");
    assert!(s.contains("▶ ○  1. [alerts]"), "{s}");
    // Enter acknowledges the selected item and moves on to the next.
    t.keys(&["Enter"]);
    t.wait_for("carry-over item 1 of shift #1 acknowledged, 1 left");
    let s = t.wait_until_gone("HANDOVER PENDING");
    assert!(s.contains("1 ITEM NOT ACKNOWLEDGED"), "{s}");
    t.wait_for("▶ ○  2. [deliveries]");
    t.keys(&["Enter"]);
    t.wait_for("carry-over item 2 of shift #1 acknowledged, 0 left");
    let s = t.wait_until_gone("NOT ACKNOWLEDGED");
    assert!(!s.contains("HANDOVER PENDING"), "{s}");
    assert!(s.contains("✔  1.") && s.contains("✔  2."), "{s}");
    assert!(s.contains("acknowledged by 王静"), "{s}");
    // The full text says what the header says.
    t.keys(&["t"]);
    let s = t.wait_for("acknowledged by 王静 at");
    assert!(!s.contains("awaiting acknowledgement"), "{s}");
    t.keys(&["t"]);
    t.keys(&["Escape"]);
    t.wait_until_gone("Carry-over items");
    t.keys(&["q"]);
    t.wait_gone();

    let store = open_read_only(&db);
    let shift = store.shift(1).unwrap();
    assert_eq!(shift.officer, OUTGOING);
    assert_eq!(shift.incoming.as_deref(), Some(INCOMING));
    assert_eq!(shift.acknowledged_by.as_deref(), Some(INCOMING));
    let items = store.handover_items(1).unwrap();
    assert_eq!(items.len(), 2);
    for i in &items {
        assert_eq!(i.acknowledged_by.as_deref(), Some(INCOMING), "{i:?}");
        assert!(i.acknowledged_at.is_some());
    }
    assert!(store.handover_status().unwrap().pending.is_none());
    // The acknowledgement started her shift.
    let on_duty = store.current_shift().unwrap().expect("王静 on duty");
    assert_eq!(on_duty.officer, INCOMING);

    let verify = run(&db, &["log", "verify"]);
    assert!(
        verify.status.success(),
        "log verify: {}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );
    let list = run(
        &db,
        &[
            "log", "list", "--json", "--kind", "handover", "--limit", "0",
        ],
    );
    assert!(
        list.status.success(),
        "{}",
        String::from_utf8_lossy(&list.stderr)
    );
    let entries: Vec<serde_json::Value> = serde_json::from_slice(&list.stdout).unwrap();
    let acks = entries
        .iter()
        .filter(|e| {
            e["officer"] == INCOMING
                && e["payload"]
                    .as_str()
                    .is_some_and(|t| t.contains("\"shift.item_ack\""))
        })
        .count();
    assert_eq!(acks, 2, "{entries:#?}");
}
