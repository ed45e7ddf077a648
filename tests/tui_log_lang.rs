//! Issue 13: the log pane reads in the viewer's language only; a call
//! taken in the console is recorded as a call, with who called, and the
//! handover counts it as 来电.

mod common;
mod tui_fixture;

use supplydesk::domain::log::LogKind;
use supplydesk::i18n::Lang;
use supplydesk::store::log::Caller;
use tui_fixture::*;

/// The fixture desk with a call, an instruction and a dispatch written
/// since payloads.
fn log_app(lang: Lang) -> supplydesk::tui::App {
    let mut s = store();
    s.add_entry_by(
        &actor(),
        LogKind::Call,
        "滴水岩小区缺米，约40户",
        None,
        None,
        Some(&Caller {
            name: "社区书记 李明".into(),
            from: Some("一碗水社区".into()),
        }),
    )
    .unwrap();
    s.add_entry(
        &actor(),
        LogKind::Instruction,
        "区指挥部：今晚22点前报送库存",
        None,
        None,
    )
    .unwrap();
    s.dispatch_alert(&actor(), 1, "螺蛳包菜市场").unwrap();
    let mut a = app_with(s, lang, None, Some("王静"));
    a.on_key(key('5'));
    a
}

/// The Entry column of the log pane's rows.
fn entries(screen: &str) -> Vec<String> {
    screen
        .lines()
        .skip(4)
        .filter_map(|l| l.split_once("王静").or_else(|| l.split_once("李明")))
        .map(|(_, e)| e.trim().to_string())
        .collect()
}

#[test]
fn the_log_pane_reads_in_one_language() {
    for lang in [Lang::Zh, Lang::En] {
        let tag = if lang == Lang::Zh { "zh" } else { "en" };
        let mut a = log_app(lang);
        let s = screen(&mut a, 120, 30);
        insta::assert_snapshot!(format!("log_pane_120x30_{tag}"), s);
        let rows = entries(&s);
        assert!(rows.len() > 10, "{s}");
        // English words that only a system entry's English half holds,
        // and the Chinese heads of the other half.
        let (foreign, own) = match lang {
            Lang::Zh => (
                &["Alert", "Delivery", "dispatched", "queued", "Pass "][..],
                "预警 #1 已派往 螺蛳包菜市场",
            ),
            Lang::En => (
                &["预警", "配送 #", "已派往", "排队", "通行证"][..],
                "Alert #1 dispatched to 螺蛳包菜市场",
            ),
        };
        for r in &rows {
            for f in foreign {
                assert!(!r.contains(f), "{tag}: {f:?} in {r:?}");
            }
        }
        assert!(rows.iter().any(|r| r.starts_with(own)), "{tag}: {rows:#?}");
        assert!(
            s.contains(match lang {
                Lang::Zh => "记录时间",
                Lang::En => "Recorded",
            }),
            "the Time column names which time it shows"
        );
    }
}

#[test]
fn a_call_recorded_in_the_console_counts_as_a_call_in_the_handover() {
    let Some(tmux) = common::Tmux::server("call") else {
        return;
    };
    let d = common::Desk::new();
    {
        let mut s = d.store();
        s.add_community(&common::officer("王静"), &common::places::yiwanshui())
            .unwrap();
    }
    let db = d.db();
    let p = tmux.start("desk", (120, 40), &common::console(&db, "王静"));
    p.wait_for("Shortage alerts");
    p.press("N");
    p.wait_for("Duty-log note");
    p.type_text("滴水岩小区缺米，约40户");
    // Happened at, then the kind: one step right of 记事 is 来电.
    p.keys(&["Tab", "Tab", "Right", "Tab"]);
    p.type_text("社区书记 李明");
    p.press("Tab");
    p.type_text("一碗水社区");
    p.press("Enter");
    p.wait_for("call recorded");
    p.press("q");

    let out = std::process::Command::new(common::BIN)
        .arg("--db")
        .arg(&db)
        .args(["--lang", "zh", "handover", "--format", "md"])
        .output()
        .unwrap();
    let report = common::stdout(&out);
    assert!(out.status.success(), "{report} {}", common::stderr(&out));
    assert!(report.contains("| — 来电 | 1 |"), "{report}");
    assert!(report.contains("| — 记事 | 0 |"), "{report}");
    assert!(
        report.contains("滴水岩小区缺米") && report.contains("来电人 社区书记 李明，一碗水社区"),
        "{report}"
    );
}
