//! Issue 21 in a real terminal: the note form shows what will be recorded
//! (numbers masked and referenced) before it is saved; a call from an
//! unknown number is kept as a caller, an officer reveals the number from
//! the command line in another terminal, and the reveal is logged and
//! followed by the console. Without tmux the test says so and passes.

mod common;

use common::{BIN, Tmux, console, desk_with_two_communities, temp_db};
use supplydesk::domain::delivery::Group;
use supplydesk::store::places::{NewRecipient, Ref};

const OFFICER: &str = "测试员";

#[test]
fn the_note_form_previews_the_scrubbed_text_and_a_caller_is_revealed_and_logged() {
    let Some(tmux) = Tmux::server("privacy") else {
        return;
    };
    let (_dir, db) = temp_db();
    let (mut s, a) = desk_with_two_communities(&db);
    s.add_recipient(
        &a,
        &NewRecipient {
            name: "覃银菊".into(),
            phone: Some("188 7662 1326".into()),
            id_number: None,
            group: Group::Dialysis,
            condition: None,
            community: Ref::Name("一碗水社区".into()),
            compound_id: None,
            building: Some("3栋".into()),
            unit_no: None,
            room: None,
            needs: None,
        },
    )
    .unwrap();
    drop(s);

    let t = tmux.start("desk", (120, 40), &console(&db, OFFICER));
    t.wait_for("NORMAL");
    t.keys(&["5", "N"]);
    t.wait_for("Duty-log note");
    // Typed as at 3 a.m.: the recipient's number in full-width digits, a
    // stranger's with spaces.
    t.type_text("覃银菊 １８８７６６２１３２６ 来电，另 139 0000 0000 请回电");
    let screen = t.wait_until("the whole preview", |s| {
        s.contains("请回电") && s.contains("139****0000")
    });
    // The preview, wrapped under the field, read back as one text.
    let preview: String = screen
        .lines()
        .skip_while(|l| !l.contains("Will be recorded as:"))
        .take_while(|l| !l.contains("Happened at"))
        .flat_map(|l| l.chars())
        .filter(|c| !c.is_whitespace() && !"║┃→".contains(*c))
        .collect();
    assert!(
        preview.contains(
            "Willberecordedas:覃*菊〔对象#1〕188****1326来电，另〔来电人〕139****0000请回电"
        ),
        "{preview}\n{screen}"
    );
    t.keys(&["Enter"]);
    t.wait_for("recorded #");
    let log = t.wait_for("〔来电人#1〕 139****0000");
    assert!(log.contains("覃*菊〔对象#1〕 188****1326"), "{log}");
    for raw in [
        "18876621326",
        "１８８７６６２１３２６",
        "139 0000 0000",
        "覃银菊",
    ] {
        assert!(!log.contains(raw), "the log pane shows {raw}:\n{log}");
    }

    // Another officer calls back: reveals the number in a shell.
    let shell = tmux.start(
        "shell",
        (100, 10),
        &format!(
            "'{BIN}' --db '{}' --officer 王静 --lang en privacy reveal 1; sleep 60",
            db.display()
        ),
    );
    shell.wait_for("Caller #1: 13900000000 (recorded in entry #");
    // The console follows the log: the access entry, naming the officer,
    // not the number.
    let after = t.wait_for("Number of caller #1 revealed to 王静");
    assert!(!after.contains("13900000000"), "{after}");
}
