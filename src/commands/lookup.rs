//! `supplydesk lookup`: the lookup-only mode for checkpoint staff, run as
//! the forced command of their key in `authorized_keys`:
//!
//! ```text
//! command="supplydesk --db /srv/supplydesk/desk.db lookup",no-pty,no-port-forwarding,no-agent-forwarding,no-X11-forwarding ssh-ed25519 AAAA… checkpoint-1
//! ```
//!
//! sshd runs this whatever the client asked for and passes the client's
//! request in `SSH_ORIGINAL_COMMAND`. Only `pass PLATE [--json]` is
//! answered, read-only; everything else is refused with one sentence. The
//! request is split here, never handed to a shell, and none of its words
//! can reach the global flags: the database, config and language are the
//! ones written in `authorized_keys`.

use std::io::Write;

use supplydesk::domain::text::{sanitize, truncate_to_width};
use supplydesk::msg;
use supplydesk::msg::Msg;

use super::{Ctx, Failure, Outcome};
use crate::cli::PassArgs;

/// The longest request considered: a plate with spaces and `--json` fit
/// many times over.
const REQUEST_MAX_CHARS: usize = 200;

/// What the checkpoint asked for.
#[derive(Debug, PartialEq, Eq)]
pub struct Request {
    pub plate: String,
    pub json: bool,
}

pub fn run(ctx: &Ctx, out: &mut impl Write) -> Outcome {
    let request = std::env::var_os("SSH_ORIGINAL_COMMAND")
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Request { plate, json } = parse(&request).map_err(Failure::User)?;
    super::pass::run(ctx, &PassArgs { plate, json }, out)
}

fn usage(word: Option<&str>) -> Msg {
    match word {
        None => msg!(
            "此账号只能查询车辆通行证：请用 ssh 主机 pass 车牌号 [--json]。",
            "This account can only check vehicle passes: use ssh HOST pass PLATE [--json]."
        ),
        Some(w) => {
            let w = truncate_to_width(&sanitize(w), 24).into_owned();
            msg!(
                "此账号只能查询车辆通行证，不能执行 “{w}”：请用 ssh 主机 pass 车牌号 [--json]。",
                "This account can only check vehicle passes, not run \"{w}\": use ssh HOST pass PLATE [--json]."
            )
        }
    }
}

/// Reads `pass PLATE [--json]` (a leading `supplydesk` is allowed, the
/// plate may hold spaces and quotes, as people type it).
pub fn parse(request: &str) -> Result<Request, Msg> {
    if request.chars().count() > REQUEST_MAX_CHARS {
        return Err(msg!(
            "请求过长（上限 {REQUEST_MAX_CHARS} 字）；请用 ssh 主机 pass 车牌号 [--json]。",
            "The request is longer than {REQUEST_MAX_CHARS} characters; use ssh HOST pass PLATE [--json]."
        ));
    }
    let mut words = request.split_whitespace().peekable();
    if words.peek() == Some(&"supplydesk") {
        words.next();
    }
    match words.next() {
        Some("pass") => {}
        other => return Err(usage(other)),
    }
    let mut json = false;
    let mut plate = Vec::new();
    for w in words {
        if w == "--json" {
            json = true;
        } else if w.starts_with('-') {
            return Err(usage(Some(w)));
        } else {
            plate.push(w.trim_matches(['"', '\'']));
        }
    }
    let plate = plate.join(" ").trim().to_string();
    if plate.is_empty() {
        return Err(msg!(
            "缺少车牌号；请用 ssh 主机 pass 车牌号 [--json]，例如 pass 渝F12345。",
            "The plate is missing; use ssh HOST pass PLATE [--json], for example pass 渝F12345."
        ));
    }
    Ok(Request { plate, json })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Request {
        parse(s).unwrap_or_else(|m| panic!("{s:?} refused: {}", m.en))
    }

    #[test]
    fn a_plate_as_people_type_it() {
        assert_eq!(
            ok("pass 渝F12345"),
            Request {
                plate: "渝F12345".into(),
                json: false
            }
        );
        assert_eq!(ok("pass 渝F 1234 5 --json").plate, "渝F 1234 5");
        assert!(ok("supplydesk pass --json '渝f·12345'").json);
        assert_eq!(ok("pass \"渝F 12345\"").plate, "渝F 12345");
    }

    #[test]
    fn everything_else_is_refused_with_one_sentence() {
        for bad in [
            "",
            "   ",
            "log add x",
            "supplydesk",
            "pass",
            "pass --db /etc/shadow 渝F12345",
            "pass 渝F12345 --read-only",
            "sh -c id",
            "init",
            "backup /tmp/x.db",
        ] {
            let m = parse(bad).expect_err(bad);
            assert!(m.en.ends_with('.'), "{bad:?}: {}", m.en);
            assert_eq!(m.en.matches(". ").count(), 0, "{bad:?}: {}", m.en);
        }
        let m = parse(&format!("pass {}", "1".repeat(300))).expect_err("long");
        assert!(m.en.contains("longer than"), "{}", m.en);
        let m = parse("log\u{1b}]52;c;aGk=\u{7} add").expect_err("escape");
        assert!(
            !m.en.contains('\u{1b}') && !m.zh.contains('\u{7}'),
            "{}",
            m.en
        );
    }
}
