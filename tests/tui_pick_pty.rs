//! Names picked, not typed (issue 13), in a real terminal: the binary on
//! the demo data (`supplydesk demo`, scale 1) in a detached tmux session,
//! 120×40. In the stock form `lsb` offers 螺蛳包社区 under the field, Tab
//! marks it, Enter takes it, and the report is saved against 螺蛳包社区.
//! Without tmux the test says so and passes (CI installs it).

mod common;

use common::{Tmux, console, open_read_only, run, temp_db, value};

#[test]
fn lsb_completes_luosibao_in_the_stock_form() {
    let Some(tmux) = Tmux::server("pick") else {
        return;
    };
    let (_dir, db) = temp_db();
    let out = run(&db, &["demo"]);
    assert!(out.status.success(), "demo: {out:?}");
    let before: i64 = value(&open_read_only(&db), "SELECT COUNT(*) FROM stock_report");
    let t = tmux.start("pick", (120, 40), &console(&db, "测试员"));
    t.wait_for("5 Duty log");
    // From the log pane, so no community is filled in from a selection.
    t.press("5");
    t.command("stock");
    t.wait_for("Record a stock report");
    t.type_text("lsb");
    let s = t.wait_until("lsb and its match", |s| {
        s.contains("▸ lsb") && s.contains("↓/Tab pick")
    });
    let lines: Vec<&str> = s.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("▸ lsb"))
        .unwrap_or_else(|| panic!("the typed field:\n{s}"));
    assert!(
        lines[at + 1].contains("螺蛳包社区"),
        "螺蛳包社区 offered right under the field:\n{s}"
    );
    t.press("Tab");
    t.wait_for("› 螺蛳包社区");
    t.press("Enter");
    let s = t.wait_for("▸ 螺蛳包社区");
    assert!(s.contains("Record a stock report"), "the form stays:\n{s}");
    assert!(!s.contains("↓/Tab pick"), "the list is gone:\n{s}");
    // On to the item (→ picks the first class) and the stock; saved.
    t.press("Tab");
    t.press("Right");
    t.press("Tab");
    t.type_text("100");
    t.press("Enter");
    t.wait_until_gone("Record a stock report");
    let s = open_read_only(&db);
    let after: i64 = value(&s, "SELECT COUNT(*) FROM stock_report");
    assert_eq!(after, before + 1);
    let community: String = value(
        &s,
        "SELECT c.name FROM stock_report r JOIN community c ON c.id = r.community_id
         ORDER BY r.id DESC LIMIT 1",
    );
    assert_eq!(community, "螺蛳包社区");
    t.press("q");
}
