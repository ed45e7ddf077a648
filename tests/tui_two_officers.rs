//! Issue 13: two officers at two consoles on one file. The second to
//! dispatch an alert the first already dispatched is refused with who did
//! it and when, the log holds one dispatch, and the second officer can
//! open the form again on the alert as it is now.

mod common;

use supplydesk::domain::alert::{ItemClass, Severity};
use supplydesk::store::alerts::NewAlert;

use common::{Desk, Tmux, console, count, officer, open_read_only};

fn desk_with_an_alert() -> Desk {
    let d = Desk::new();
    let mut s = d.store();
    let a = officer("王静");
    s.add_community(&a, &common::places::yiwanshui()).unwrap();
    s.raise_alert(
        &a,
        &NewAlert {
            community: "一碗水".into(),
            compound: None,
            item: ItemClass::Vegetables,
            severity: Severity::High,
            households: 40,
            source: None,
            text: "菜店断货".into(),
        },
    )
    .unwrap();
    d
}

#[test]
fn two_consoles_dispatch_one_alert_and_the_second_sees_why() {
    let Some(tmux) = Tmux::server("two-officers") else {
        return;
    };
    let d = desk_with_an_alert();
    let db = d.db();
    let wang = tmux.start("wang", (120, 40), &console(&db, "王静"));
    let li = tmux.start("li", (120, 40), &console(&db, "李明"));
    for p in [&wang, &li] {
        p.wait_for("Shortage alerts");
        p.command("dispatch #1");
        p.wait_for("Dispatch the alert");
    }
    // Both forms are open on the alert as nobody has it yet.
    wang.type_text("螺蛳包菜市场");
    wang.press("Enter");
    wang.wait_for("dispatched to 螺蛳包菜市场");

    li.type_text("永辉超市");
    li.press("Enter");
    let s = li.wait_for("Changed meanwhile");
    assert!(
        s.contains("by 王静") && s.contains("dispatched to") && s.contains("was done"),
        "the second officer is told who changed it: {s}"
    );

    let store = open_read_only(&db);
    let dispatches = count(
        &store,
        "SELECT COUNT(*) FROM duty_log WHERE json_extract(payload, '$.k') = 'alert.dispatch'",
    );
    assert_eq!(dispatches, 1, "exactly one dispatch in the log");
    let to: String = common::value(&store, "SELECT dispatched_to FROM alert WHERE id = 1");
    assert_eq!(to, "螺蛳包菜市场", "the first dispatch stands");

    // Acting on the new state: the form again, saying who has it now.
    li.press("y");
    let s = li.wait_for("Dispatch the alert");
    assert!(
        s.contains("now with 螺蛳") && s.contains("handler 王静"),
        "the form shows the alert as it is now: {s}"
    );
    li.press("Escape");
    li.wait_until_gone("Dispatch the alert");
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM duty_log WHERE json_extract(payload, '$.k') = 'alert.dispatch'",
        ),
        1
    );
}
