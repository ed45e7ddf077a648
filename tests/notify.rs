//! The desk speaks to the work groups (issue 19): changes write their
//! messages into the outbox in the same transaction, and `supplydesk
//! notify` posts them to local servers that answer like WeChat Work and
//! DingTalk group robots, a generic webhook and an SMTP server.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Duration as Span;
use supplydesk::domain::activation::ActivationAction;
use supplydesk::domain::alert::{ItemClass, Severity};
use supplydesk::domain::delivery::{FailReason, Group, Urgency};
use supplydesk::domain::pass::PassKind;
use supplydesk::store::alerts::NewAlert;
use supplydesk::store::deliveries::NewDelivery;
use supplydesk::store::pass_actions::{IssueOutcome, NewPass, NewVehicle, PassVehicle};
use supplydesk::store::places::{NewRecipient, Ref};
use supplydesk::store::{Actor, LogDraft, Store, StoreError};

use chrono::Utc;
use common::places::yiwanshui;
use common::{BIN, Desk};

fn officer() -> Actor {
    common::officer("王静")
}

/// How the fake server answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Ok,
    /// HTTP 502, as a proxy in front of a down service.
    Down,
    /// The robot's "sent too fast" errcode.
    RateLimited,
    /// errcode 93000: the webhook address is wrong.
    BadKey,
    /// On the request numbered `n` (1-based, counting every request):
    /// SIGKILL the process whose pid is in the shared slot, then close
    /// without answering.
    KillOn(usize),
}

#[derive(Debug, Clone)]
struct Request {
    path: String,
    headers: HashMap<String, String>,
    body: serde_json::Value,
    /// Whether the server answered "delivered".
    accepted: bool,
}

#[derive(Clone)]
struct Server {
    url: String,
    mode: Arc<Mutex<Mode>>,
    seen: Arc<Mutex<Vec<Request>>>,
    victim: Arc<Mutex<Option<u32>>>,
}

impl Server {
    /// A robot (`robot`: answers `errcode`) or a plain webhook.
    fn start(robot: bool) -> Server {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/send?key=test", l.local_addr().unwrap());
        let s = Server {
            url,
            mode: Arc::new(Mutex::new(Mode::Ok)),
            seen: Arc::new(Mutex::new(Vec::new())),
            victim: Arc::new(Mutex::new(None)),
        };
        let t = s.clone();
        std::thread::spawn(move || {
            for conn in l.incoming() {
                let Ok(conn) = conn else { continue };
                let t = t.clone();
                std::thread::spawn(move || t.serve(conn, robot));
            }
        });
        s
    }

    fn serve(&self, mut conn: TcpStream, robot: bool) {
        let mut r = BufReader::new(conn.try_clone().unwrap());
        let mut line = String::new();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
        let mut headers = HashMap::new();
        loop {
            let mut h = String::new();
            if r.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let n: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; n];
        r.read_exact(&mut body).unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        let mode = *self.mode.lock().unwrap();
        let number = self.seen.lock().unwrap().len() + 1;
        let accepted = matches!(mode, Mode::Ok) || matches!(mode, Mode::KillOn(k) if k != number);
        self.seen.lock().unwrap().push(Request {
            path,
            headers,
            body,
            accepted,
        });
        if let Mode::KillOn(k) = mode
            && k == number
        {
            if let Some(pid) = *self.victim.lock().unwrap() {
                let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            }
            // Gone before the answer: the sender never learns it arrived.
            std::thread::sleep(Duration::from_millis(300));
            return;
        }
        let (status, answer) = match mode {
            Mode::Down => ("502 Bad Gateway", "upstream down".to_string()),
            Mode::RateLimited if robot => (
                "200 OK",
                r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#.into(),
            ),
            Mode::RateLimited => ("429 Too Many Requests", String::new()),
            Mode::BadKey => (
                "200 OK",
                r#"{"errcode":93000,"errmsg":"invalid webhook url"}"#.into(),
            ),
            _ if robot => ("200 OK", r#"{"errcode":0,"errmsg":"ok"}"#.into()),
            _ => ("200 OK", "{}".into()),
        };
        let _ = write!(
            conn,
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
            answer.len()
        );
    }

    fn set(&self, m: Mode) {
        *self.mode.lock().unwrap() = m;
    }

    fn requests(&self) -> Vec<Request> {
        self.seen.lock().unwrap().clone()
    }

    /// The texts the group has, in the order it got them.
    fn delivered(&self) -> Vec<String> {
        self.requests()
            .into_iter()
            .filter(|r| r.accepted)
            .map(|r| text_of(&r.body))
            .collect()
    }
}

fn text_of(body: &serde_json::Value) -> String {
    body.pointer("/text/content")
        .or_else(|| body.pointer("/text"))
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string()
}

/// A config with these `[[notify.channel]]` tables, fast retries.
fn config(desk: &Desk, channels: &str) -> std::path::PathBuf {
    desk.write(
        "config.toml",
        format!(
            "[notify]\nretry_max_seconds = 1\nrate_limit_seconds = 1\ntimeout_seconds = 3\n\n{channels}"
        )
        .as_bytes(),
    )
}

fn notify(desk: &Desk, cfg: &Path, args: &[&str]) -> std::process::Output {
    desk.cmd("zh")
        .arg("--config")
        .arg(cfg)
        .arg("notify")
        .args(args)
        .output()
        .unwrap()
}

fn follow(desk: &Desk, cfg: &Path) -> Child {
    Command::new(BIN)
        .current_dir(desk.dir())
        .env_remove("SUPPLYDESK_DB")
        .env_remove("SUPPLYDESK_CONFIG")
        .arg("--db")
        .arg(desk.db())
        .args(["--lang", "zh", "--config"])
        .arg(cfg)
        .args(["notify", "--follow"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn wait_for(what: &str, mut ok: impl FnMut() -> bool) {
    let end = Instant::now() + Duration::from_secs(30);
    while !ok() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn critical(s: &mut Store, community: i64, households: i64) -> i64 {
    s.raise_alert(
        &officer(),
        &NewAlert {
            community: Ref::Id(community),
            compound: None,
            item: ItemClass::InfantFormula,
            severity: Severity::Critical,
            households,
            source: Some("社区电话".into()),
            text: "奶粉告急".into(),
        },
    )
    .unwrap()
    .0
}

fn community(s: &mut Store) -> i64 {
    s.add_community(&officer(), &yiwanshui()).unwrap().0
}

/// A desk on the system clock (the sender runs on it too) with one
/// community.
fn store_with(f: impl FnOnce(&mut Store) -> i64) -> (Desk, Store, i64) {
    let desk = Desk::new();
    let mut s = desk.store();
    let c = f(&mut s);
    (desk, s, c)
}

fn t0() -> chrono::DateTime<Utc> {
    Utc::now() - Span::hours(1)
}

fn outbox_count(s: &Store) -> i64 {
    s.conn()
        .query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_critical_alert_is_one_post_to_the_channel_that_takes_it_and_none_elsewhere() {
    let (desk, mut s, c) = store_with(community);
    let leaders = Server::start(true);
    let checkpoint = Server::start(true);
    let cfg = config(
        &desk,
        &format!(
            "[[notify.channel]]\nname = \"领导小组群\"\nkind = \"wecom\"\nurl = \"{}\"\nrules = [\"critical_alert\"]\n\n\
             [[notify.channel]]\nname = \"卡口群\"\nkind = \"dingtalk\"\nurl = \"{}\"\nsecret = \"SECtest\"\nrules = [\"pass_suspended\", \"pass_revoked\"]\n",
            leaders.url, checkpoint.url
        ),
    );
    let id = critical(&mut s, c, 40);
    // A high alert is no message for anyone.
    s.raise_alert(
        &officer(),
        &NewAlert {
            community: Ref::Id(c),
            compound: None,
            item: ItemClass::Vegetables,
            severity: Severity::High,
            households: 3,
            source: None,
            text: "蔬菜少".into(),
        },
    )
    .unwrap();
    let out = notify(&desk, &cfg, &[]);
    assert!(out.status.success(), "{out:?}");
    let got = leaders.delivered();
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].contains(&format!("紧急预警 #{id}")), "{}", got[0]);
    assert!(
        got[0].contains("一碗水社区") && got[0].contains("40 户"),
        "{}",
        got[0]
    );
    let body = &leaders.requests()[0].body;
    assert_eq!(body["msgtype"], "text");
    assert!(checkpoint.requests().is_empty());

    // Run again: nothing is posted twice.
    assert!(notify(&desk, &cfg, &[]).status.success());
    assert_eq!(leaders.delivered().len(), 1);
    // An edit of the same critical alert is not told again; lowered and
    // raised again it is.
    s.set_alert_severity(&officer(), id, Severity::High)
        .unwrap();
    s.set_alert_severity(&officer(), id, Severity::Critical)
        .unwrap();
    assert!(notify(&desk, &cfg, &[]).status.success());
    assert_eq!(leaders.delivered().len(), 2);
}

#[test]
fn a_suspended_pass_goes_to_the_checkpoint_group_signed_as_dingtalk_expects() {
    let (desk, mut s, _) = store_with(community);
    let checkpoint = Server::start(true);
    let cfg = config(
        &desk,
        &format!(
            "[[notify.channel]]\nname = \"卡口群\"\nkind = \"dingtalk\"\nurl = \"{}\"\nsecret = \"SECtest\"\nrules = [\"pass_suspended\", \"pass_revoked\"]\n",
            checkpoint.url
        ),
    );
    s.add_vehicle(
        &officer(),
        &NewVehicle {
            plate: "渝F12345".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let pass = NewPass {
        kind: PassKind::Vehicle,
        vehicle: Some(PassVehicle::Ledger("渝F12345".into())),
        subject: None,
        unit: None,
        issuer: "经发办".into(),
        valid_from: t0(),
        valid_until: t0() + Span::hours(48),
        area: None,
        number: None,
    };
    let IssueOutcome::Issued { id, .. } = s.issue_pass(&officer(), &pass, false).unwrap() else {
        panic!("not issued")
    };
    s.suspend_pass(&officer(), id, "司机核酸异常").unwrap();
    assert!(notify(&desk, &cfg, &[]).status.success());
    let reqs = checkpoint.requests();
    assert_eq!(reqs.len(), 1);
    let text = text_of(&reqs[0].body);
    assert!(text.contains("渝F12345") && text.contains("暂停") && text.contains("司机核酸异常"));
    // Signed: timestamp and sign, the sign recomputed here.
    let q: HashMap<&str, &str> = reqs[0]
        .path
        .split_once('?')
        .unwrap()
        .1
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .collect();
    let ts: u128 = q["timestamp"].parse().unwrap();
    assert_eq!(
        q["sign"],
        supplydesk::notify::channel::dingtalk_sign(ts, "SECtest")
    );
    assert_eq!(q["key"], "test");
    s.revoke_pass(&officer(), id, "伪造通行证").unwrap();
    assert!(notify(&desk, &cfg, &[]).status.success());
    let got = checkpoint.delivered();
    assert_eq!(got.len(), 2);
    assert!(got[1].contains("吊销") && got[1].contains("伪造通行证"));
}

#[test]
fn a_webhook_down_for_a_while_gets_every_message_once_in_order() {
    let (desk, mut s, c) = store_with(community);
    let hook = Server::start(false);
    hook.set(Mode::Down);
    let cfg = config(
        &desk,
        &format!(
            "[[notify.channel]]\nname = \"gateway\"\nkind = \"webhook\"\nurl = \"{}\"\nrules = [\"critical_alert\"]\n",
            hook.url
        ),
    );
    let mut child = follow(&desk, &cfg);
    let ids: Vec<i64> = (1..=5).map(|h| critical(&mut s, c, h)).collect();
    wait_for("tries while down", || hook.requests().len() >= 2);
    // The channel is seen failing, with the answer.
    let status = notify(&desk, &cfg, &["status"]);
    let status = String::from_utf8_lossy(&status.stdout).into_owned();
    assert!(
        status.contains("待发 5") && status.contains("502"),
        "{status}"
    );
    hook.set(Mode::Ok);
    wait_for("all five", || hook.delivered().len() >= 5);
    std::thread::sleep(Duration::from_millis(500));
    let _ = child.kill();
    let _ = child.wait();
    let got = hook.delivered();
    assert_eq!(got.len(), 5, "each once: {got:?}");
    for (i, id) in ids.iter().enumerate() {
        assert!(got[i].contains(&format!("#{id}")), "in order: {got:?}");
    }
    // Every try of one message carried the same key; five keys in all.
    let keys: std::collections::BTreeSet<String> = hook
        .requests()
        .iter()
        .map(|r| r.headers["idempotency-key"].clone())
        .collect();
    assert_eq!(keys.len(), 5);
    let status = notify(&desk, &cfg, &["status"]);
    let status = String::from_utf8_lossy(&status.stdout).into_owned();
    assert!(status.contains("已发 5，待发 0"), "{status}");
}

/// Killed between posting and marking: the webhook gets the repeat with
/// the same key (it can drop it); a robot gets that one message once
/// more, never any other twice, and none is lost.
#[test]
fn a_sender_killed_between_posting_and_marking_repeats_that_one_message_at_most_once() {
    for robot in [true, false] {
        let (desk, mut s, c) = store_with(community);
        let srv = Server::start(robot);
        let kind = if robot { "wecom" } else { "webhook" };
        let cfg = config(
            &desk,
            &format!(
                "[[notify.channel]]\nname = \"g\"\nkind = \"{kind}\"\nurl = \"{}\"\nrules = [\"critical_alert\"]\n",
                srv.url
            ),
        );
        for h in 1..=4 {
            critical(&mut s, c, h);
        }
        srv.set(Mode::KillOn(2));
        let mut child = follow(&desk, &cfg);
        *srv.victim.lock().unwrap() = Some(child.id());
        let status = child.wait().unwrap();
        assert!(!status.success(), "killed");
        assert_eq!(srv.requests().len(), 2);
        srv.set(Mode::Ok);
        let out = notify(&desk, &cfg, &[]);
        assert!(out.status.success(), "{out:?}");
        let reqs = srv.requests();
        // 1, 2 (killed), 2 again, 3, 4.
        assert_eq!(reqs.len(), 5, "{kind}");
        let texts: Vec<String> = reqs.iter().map(|r| text_of(&r.body)).collect();
        assert_eq!(texts[1], texts[2], "{kind}: the repeat is the killed one");
        let distinct: std::collections::BTreeSet<&String> = texts.iter().collect();
        assert_eq!(distinct.len(), 4, "{kind}: none lost");
        if !robot {
            assert_eq!(
                reqs[1].headers["idempotency-key"], reqs[2].headers["idempotency-key"],
                "the webhook can drop the repeat"
            );
        }
    }
}

#[test]
fn a_change_rolled_back_leaves_no_message_and_a_message_names_its_change() {
    let (_desk, mut s, c) = store_with(community);
    let id = s
        .raise_alert(
            &officer(),
            &NewAlert {
                community: Ref::Id(c),
                compound: None,
                item: ItemClass::Grain,
                severity: Severity::High,
                households: 5,
                source: None,
                text: "米少".into(),
            },
        )
        .unwrap()
        .0;
    assert_eq!(outbox_count(&s), 0);
    let failed: Result<((), i64), StoreError> = s.change(&officer(), |w| {
        let seq = w.log(LogDraft::change(format!("alert:{id}"), "升级 escalate"))?;
        w.conn()
            .execute(
                "UPDATE alert SET severity = 'critical', log_seq = ?1 WHERE id = ?2",
                [seq, id],
            )
            .map_err(StoreError::from)?;
        Err(StoreError::Refused(supplydesk::msg::Msg::new("否", "no")))
    });
    assert!(failed.is_err());
    assert_eq!(outbox_count(&s), 0, "rolled back with its change");
    let (_, seq) = s
        .set_alert_severity(&officer(), id, Severity::Critical)
        .map(|seq| ((), seq))
        .unwrap();
    let (n, log_seq): (i64, i64) = s
        .conn()
        .query_row("SELECT count(*), max(log_seq) FROM outbox", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((n, log_seq), (1, seq), "the message points at its entry");
}

#[test]
fn personal_data_is_masked_in_every_message() {
    let (desk, mut s, c) = store_with(community);
    let a = officer();
    let rid = s
        .add_recipient(
            &a,
            &NewRecipient {
                name: "张晓华".into(),
                phone: Some("13812345678".into()),
                id_number: Some("50010119900101123X".into()),
                group: Group::Dialysis,
                condition: Some("尿毒症".into()),
                community: Ref::Id(c),
                compound_id: None,
                building: Some("3栋".into()),
                unit_no: None,
                room: Some("501".into()),
                needs: None,
            },
        )
        .unwrap()
        .0;
    let volunteer = s
        .add_volunteer(
            &a,
            &supplydesk::store::places::NewVolunteer {
                name: "李明".into(),
                phone: Some("13900001111".into()),
                community: Ref::Id(c),
                compound_id: None,
                building_id: None,
                station: None,
                tasks: None,
            },
        )
        .unwrap()
        .0;
    let hook = Server::start(false);
    let mail = SmtpServer::start();
    let cfg = config(
        &desk,
        &format!(
            "[norms]\nfailed_deliveries_in_a_row = 2\n\n\
             [[notify.channel]]\nname = \"社区群\"\nkind = \"webhook\"\nurl = \"{}\"\nrules = [\"delivery_failed\"]\n\n\
             [[notify.channel]]\nname = \"领导邮件\"\nkind = \"smtp\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\nfrom = \"desk@example.org\"\nto = [\"leader@example.org\"]\nrules = [\"welfare_check\", \"activation\"]\n",
            hook.url, mail.port
        ),
    );
    for _ in 0..2 {
        let (d, _) = s
            .queue_delivery(
                &a,
                &NewDelivery {
                    recipient_id: rid,
                    items: "透析前用药".into(),
                    urgency: Urgency::Urgent,
                    due_at: t0() + Span::hours(2),
                },
            )
            .unwrap();
        s.assign_delivery(
            &a,
            d,
            &supplydesk::store::deliveries::Assignee::Volunteer(volunteer),
        )
        .unwrap();
        s.fail_delivery(&a, d, FailReason::NobodyHome, Some("电话13812345678无人接"))
            .unwrap();
    }
    s.set_activation(&a, ActivationAction::Activate, "区指挥部〔2026〕1号", None)
        .unwrap();
    let out = notify(&desk, &cfg, &[]);
    assert!(out.status.success(), "{out:?}");
    let hooks = hook.delivered();
    assert_eq!(hooks.len(), 2, "both failures to the community: {hooks:?}");
    let mails = mail.messages();
    assert_eq!(
        mails.len(),
        2,
        "the welfare check and the activation: {mails:?}"
    );
    assert!(mails.iter().any(|m| m.contains("连续 2 次")));
    for text in hooks.iter().chain(mails.iter()) {
        assert!(!text.contains("张晓华"), "{text}");
        assert!(!text.contains("13812345678"), "{text}");
        assert!(!text.contains("尿毒症"), "{text}");
    }
    assert!(hooks[0].contains("张*华"), "{}", hooks[0]);
}

#[test]
fn notify_test_says_in_one_sentence_what_the_channel_answered() {
    let desk = Desk::new();
    let robot = Server::start(true);
    robot.set(Mode::BadKey);
    let cfg = config(
        &desk,
        &format!(
            "[[notify.channel]]\nname = \"领导小组群\"\nkind = \"wecom\"\nurl = \"{}\"\n",
            robot.url
        ),
    );
    let out = notify(&desk, &cfg, &["test", "领导小组群"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        err.contains("93000") && err.contains("invalid webhook url"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    robot.set(Mode::Ok);
    let out = notify(&desk, &cfg, &["test", "领导小组群"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("已收到测试消息"));
    let out = notify(&desk, &cfg, &["test", "卡口群"]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        err.contains("领导小组群"),
        "names the channels there are: {err}"
    );
}

#[test]
fn a_robot_saying_too_fast_is_waited_for_then_gets_the_message() {
    let (desk, mut s, c) = store_with(community);
    let robot = Server::start(true);
    robot.set(Mode::RateLimited);
    let cfg = config(
        &desk,
        &format!(
            "[[notify.channel]]\nname = \"g\"\nkind = \"wecom\"\nurl = \"{}\"\n",
            robot.url
        ),
    );
    critical(&mut s, c, 9);
    let out = notify(&desk, &cfg, &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "failing is said by the exit code"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("45009"));
    // `doctor` names the failing channel.
    let doc = desk
        .cmd("en")
        .arg("--config")
        .arg(&cfg)
        .arg("doctor")
        .output()
        .unwrap();
    let doc = String::from_utf8_lossy(&doc.stdout).into_owned();
    assert!(
        doc.lines()
            .any(|l| l.starts_with("FAIL") && l.contains("\"g\" is failing")),
        "{doc}"
    );
    robot.set(Mode::Ok);
    assert!(notify(&desk, &cfg, &[]).status.success());
    assert_eq!(robot.delivered().len(), 1);
}

#[test]
fn a_bad_channel_in_the_config_is_one_sentence_naming_it() {
    let desk = Desk::new();
    let cfg = config(
        &desk,
        "[[notify.channel]]\nname = \"g\"\nkind = \"wecom\"\nurl = \"http://x\"\nrules = [\"critical\"]\n",
    );
    let out = notify(&desk, &cfg, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        err.contains("critical") && err.contains("critical_alert"),
        "{err}"
    );
}

/// Enough of SMTP for lettre: greeting, EHLO, MAIL, RCPT, DATA, QUIT.
struct SmtpServer {
    port: u16,
    got: Arc<Mutex<Vec<String>>>,
}

impl SmtpServer {
    fn start() -> SmtpServer {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let got = Arc::new(Mutex::new(Vec::new()));
        let g = got.clone();
        std::thread::spawn(move || {
            for conn in l.incoming() {
                let Ok(mut conn) = conn else { continue };
                let g = g.clone();
                std::thread::spawn(move || {
                    let mut r = BufReader::new(conn.try_clone().unwrap());
                    let _ = conn.write_all(b"220 localhost ESMTP test\r\n");
                    let mut data: Option<String> = None;
                    loop {
                        let mut line = String::new();
                        if r.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if let Some(d) = data.as_mut() {
                            if line == ".\r\n" {
                                g.lock().unwrap().push(decode(d));
                                data = None;
                                let _ = conn.write_all(b"250 OK queued\r\n");
                            } else {
                                d.push_str(&line);
                            }
                            continue;
                        }
                        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                        let answer: &[u8] = match verb.as_str() {
                            "EHLO" => b"250-localhost\r\n250 8BITMIME\r\n",
                            "DATA" => {
                                data = Some(String::new());
                                b"354 go ahead\r\n"
                            }
                            "QUIT" => {
                                let _ = conn.write_all(b"221 bye\r\n");
                                return;
                            }
                            _ => b"250 OK\r\n",
                        };
                        let _ = conn.write_all(answer);
                    }
                });
            }
        });
        SmtpServer { port, got }
    }

    fn messages(&self) -> Vec<String> {
        self.got.lock().unwrap().clone()
    }
}

/// The body of a mail as lettre writes it (plain, quoted-printable or
/// base64), decoded enough to search.
fn decode(raw: &str) -> String {
    use base64::Engine;
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((raw, ""));
    if head.to_ascii_lowercase().contains("base64") {
        let joined: String = body.split_whitespace().collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(joined)
            .unwrap_or_default();
        return format!("{head}\n{}", String::from_utf8_lossy(&bytes));
    }
    format!("{head}\n{body}")
}

/// The console's header says when a channel fails and when messages wait
/// with no sender running.
#[test]
fn the_console_header_shows_a_failing_channel_and_clears_when_it_recovers() {
    let Some(tmux) = common::Tmux::server("notify") else {
        return;
    };
    let desk = Desk::new();
    let mut s = desk.store();
    let c = community(&mut s);
    let robot = Server::start(true);
    robot.set(Mode::BadKey);
    let cfg = config(
        &desk,
        &format!(
            "[[notify.channel]]\nname = \"leaders\"\nkind = \"wecom\"\nurl = \"{}\"\n",
            robot.url
        ),
    );
    let line = format!(
        "'{BIN}' --db '{}' --config '{}' --officer 王静 --lang en",
        desk.db().display(),
        cfg.display()
    );
    let pane = tmux.start("n", (160, 48), &line);
    pane.wait_for("Shortage alerts");
    critical(&mut s, c, 7);
    // The sender tries, the robot refuses: the header names the channel.
    let out = notify(&desk, &cfg, &[]);
    assert_eq!(out.status.code(), Some(1));
    let screen = pane.wait_for("NOTIFY FAILING leaders");
    assert!(
        screen
            .lines()
            .next()
            .unwrap()
            .contains("NOTIFY FAILING leaders"),
        "{screen}"
    );
    robot.set(Mode::Ok);
    assert!(notify(&desk, &cfg, &[]).status.success());
    pane.wait_until_gone("NOTIFY FAILING");
    assert_eq!(robot.delivered().len(), 1);
}

#[test]
fn a_channel_served_for_the_first_time_skips_messages_older_than_an_hour_and_says_so() {
    let desk = Desk::new();
    let mut old = desk
        .store_at(&desk.db())
        .with_clock(supplydesk::store::Clock::Fixed(
            Utc::now() - Span::hours(30),
        ));
    let c = community(&mut old);
    critical(&mut old, c, 1);
    critical(&mut old, c, 2);
    drop(old);
    let mut s = desk.store();
    let fresh = critical(&mut s, c, 3);
    let robot = Server::start(true);
    let cfg = config(
        &desk,
        &format!(
            "[[notify.channel]]\nname = \"new-group\"\nkind = \"wecom\"\nurl = \"{}\"\n",
            robot.url
        ),
    );
    let status = notify(&desk, &cfg, &["status"]);
    assert!(String::from_utf8_lossy(&status.stdout).contains("待发 1"));
    let out = notify(&desk, &cfg, &[]);
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        said.contains("跳过") && said.contains("2 条旧消息"),
        "{said}"
    );
    let got = robot.delivered();
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].contains(&format!("#{fresh}")));
}

#[test]
fn a_handover_posts_the_plain_text_report() {
    let desk = Desk::new();
    let mut s = desk.store();
    let c = community(&mut s);
    critical(&mut s, c, 4);
    let robot = Server::start(true);
    let cfg = config(
        &desk,
        &format!(
            "[[notify.channel]]\nname = \"领导小组群\"\nkind = \"wecom\"\nurl = \"{}\"\nrules = [\"handover\"]\n",
            robot.url
        ),
    );
    let shift = |args: &[&str]| {
        desk.cmd("zh")
            .args(["--officer", "王静", "shift"])
            .args(args)
            .output()
            .unwrap()
    };
    assert!(shift(&["start"]).status.success());
    let out = shift(&["end", "--to", "李明"]);
    assert!(out.status.success(), "{out:?}");
    assert!(notify(&desk, &cfg, &[]).status.success());
    let got = robot.delivered();
    assert_eq!(got.len(), 1, "{got:?}");
    let text = &got[0];
    assert!(text.contains("李明"), "{text}");
    for md in ["**", "###", "| ---", "`"] {
        assert!(!text.contains(md), "no Markdown ({md}) in:\n{text}");
    }
}
