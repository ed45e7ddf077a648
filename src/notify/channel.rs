//! Posting one message to one channel, and reading its answer.
//!
//! The robots answer HTTP 200 with `{"errcode":0,"errmsg":"ok"}` when the
//! message is in the group, and another `errcode` when not: 45009 (WeChat
//! Work) and 130101 (DingTalk) mean too many messages in the minute (wait,
//! then try again); 93000 or 310000 mean the address, keyword or signature
//! is wrong (try again too, so nothing is lost while the office fixes the
//! config, but the console shows the channel failing with the answer).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{ChannelConfig, Kind, NotifyConfig, SmtpTls};
use crate::msg;
use crate::msg::Msg;

/// How a post went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// Not delivered; try again, not before `wait` when the channel said
    /// how long.
    Failed {
        error: Msg,
        rate_limited: bool,
    },
}

/// What goes out: the text, and the key that names it for channels that
/// can drop a repeat.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    pub text: &'a str,
    pub title: &'a str,
    pub idempotency_key: &'a str,
    pub rule: &'a str,
}

/// Robot errcodes that mean "sent too much, wait".
const RATE_LIMITED: &[i64] = &[45009, 130101];

/// One agent per process: it keeps connections to the robots open between
/// messages (a drain of a long queue does not shake hands per message).
fn agent(cfg: &NotifyConfig) -> &'static ureq::Agent {
    static AGENT: std::sync::OnceLock<ureq::Agent> = std::sync::OnceLock::new();
    AGENT.get_or_init(|| {
        ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(cfg.timeout_seconds.max(1))))
            .http_status_as_error(false)
            .build()
            .into()
    })
}

/// Reads a secret given inline or in a file.
fn secret(c: &ChannelConfig) -> Result<Option<String>, Msg> {
    if let Some(s) = &c.secret {
        return Ok(Some(s.trim().to_string()));
    }
    match &c.secret_file {
        None => Ok(None),
        Some(p) => std::fs::read_to_string(p)
            .map(|s| Some(s.trim().to_string()))
            .map_err(|e| {
                let (d, e, n) = (p.display(), e.to_string(), &c.name);
                msg!(
                    "频道 “{n}” 的密钥文件 {d} 无法读取：{e}。",
                    "Cannot read the secret file {d} of channel \"{n}\": {e}."
                )
            }),
    }
}

/// DingTalk's signature: base64 of HMAC-SHA256 over "timestamp\nsecret",
/// URL-encoded.
pub fn dingtalk_sign(timestamp_ms: u128, secret: &str) -> String {
    use base64::Engine;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(format!("{timestamp_ms}\n{secret}").as_bytes());
    let b64 = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let mut out = String::with_capacity(b64.len() + 8);
    for b in b64.bytes() {
        match b {
            b'+' => out.push_str("%2B"),
            b'/' => out.push_str("%2F"),
            b'=' => out.push_str("%3D"),
            _ => out.push(b as char),
        }
    }
    out
}

/// Posts `m` to the channel.
pub fn post(cfg: &NotifyConfig, c: &ChannelConfig, m: &Outgoing<'_>) -> Outcome {
    match c.kind {
        Kind::Wecom | Kind::Dingtalk | Kind::Webhook => post_http(cfg, c, m),
        Kind::Smtp => post_smtp(cfg, c, m),
    }
}

fn failed(error: Msg) -> Outcome {
    Outcome::Failed {
        error,
        rate_limited: false,
    }
}

fn post_http(cfg: &NotifyConfig, c: &ChannelConfig, m: &Outgoing<'_>) -> Outcome {
    let Some(url) = c.url.as_deref() else {
        let n = &c.name;
        return failed(msg!("频道 “{n}” 没有 url。", "Channel \"{n}\" has no url."));
    };
    let mut url = url.to_string();
    let body = match c.kind {
        Kind::Webhook => serde_json::json!({
            "id": m.idempotency_key,
            "rule": m.rule,
            "title": m.title,
            "text": m.text,
        }),
        _ => serde_json::json!({ "msgtype": "text", "text": { "content": m.text } }),
    };
    if c.kind == Kind::Dingtalk {
        match secret(c) {
            Err(e) => return failed(e),
            Ok(Some(s)) => {
                let ts = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis());
                let sep = if url.contains('?') { '&' } else { '?' };
                url = format!("{url}{sep}timestamp={ts}&sign={}", dingtalk_sign(ts, &s));
            }
            Ok(None) => {}
        }
    }
    let mut req = agent(cfg)
        .post(&url)
        .header("Content-Type", "application/json; charset=utf-8");
    if c.kind == Kind::Webhook {
        req = req.header("Idempotency-Key", m.idempotency_key);
    }
    let mut resp = match req.send(body.to_string()) {
        Ok(r) => r,
        Err(e) => {
            let (n, e) = (&c.name, e.to_string());
            return failed(msg!(
                "频道 “{n}” 无法送达：{e}。",
                "Channel \"{n}\" could not be reached: {e}."
            ));
        }
    };
    let status = resp.status().as_u16();
    let text = resp
        .body_mut()
        .with_config()
        .limit(64 * 1024)
        .read_to_string()
        .unwrap_or_default();
    let n = &c.name;
    if status == 429 {
        return Outcome::Failed {
            error: msg!(
                "频道 “{n}” 答复发送过于频繁（HTTP 429）。",
                "Channel \"{n}\" answered too many requests (HTTP 429)."
            ),
            rate_limited: true,
        };
    }
    if !(200..300).contains(&status) {
        let t: String = text.chars().take(120).collect();
        return failed(msg!(
            "频道 “{n}” 答复 HTTP {status}：{t}",
            "Channel \"{n}\" answered HTTP {status}: {t}"
        ));
    }
    if c.kind == Kind::Webhook {
        return Outcome::Sent;
    }
    // The robots: errcode 0 is delivered.
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    match v.get("errcode").and_then(serde_json::Value::as_i64) {
        Some(0) => Outcome::Sent,
        Some(code) => {
            let em = v
                .get("errmsg")
                .and_then(|x| x.as_str())
                .unwrap_or("")
                .to_string();
            Outcome::Failed {
                error: msg!(
                    "频道 “{n}” 的机器人答复 errcode {code}：{em}",
                    "The robot of channel \"{n}\" answered errcode {code}: {em}"
                ),
                rate_limited: RATE_LIMITED.contains(&code),
            }
        }
        None => {
            let t: String = text.chars().take(120).collect();
            failed(msg!(
                "频道 “{n}” 的答复不是机器人的格式：{t}",
                "Channel \"{n}\" did not answer like a group robot: {t}"
            ))
        }
    }
}

fn post_smtp(cfg: &NotifyConfig, c: &ChannelConfig, m: &Outgoing<'_>) -> Outcome {
    use lettre::message::header::ContentType;
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::{Message, SmtpTransport, Transport};
    let n = &c.name;
    let (Some(host), Some(from)) = (c.host.as_deref(), c.from.as_deref()) else {
        return failed(msg!(
            "邮件频道 “{n}” 缺少 host 或 from。",
            "The e-mail channel \"{n}\" lacks host or from."
        ));
    };
    let bad_address = |a: &str| {
        failed(msg!(
            "邮件频道 “{n}” 的地址 “{a}” 无效。",
            "The e-mail channel \"{n}\" has an invalid address \"{a}\"."
        ))
    };
    let Ok(from_addr) = from.parse() else {
        return bad_address(from);
    };
    let mut builder = Message::builder()
        .from(from_addr)
        .subject(m.title)
        .header(ContentType::TEXT_PLAIN)
        .message_id(Some(format!("<{}@supplydesk>", m.idempotency_key)));
    for to in &c.to {
        let Ok(a) = to.parse() else {
            return bad_address(to);
        };
        builder = builder.to(a);
    }
    let email = match builder.body(m.text.to_string()) {
        Ok(e) => e,
        Err(e) => {
            let e = e.to_string();
            return failed(msg!(
                "邮件频道 “{n}” 无法组成邮件：{e}",
                "The e-mail channel \"{n}\" could not build the message: {e}"
            ));
        }
    };
    let transport = match c.tls {
        SmtpTls::None => Ok(SmtpTransport::builder_dangerous(host)),
        SmtpTls::Tls => SmtpTransport::relay(host),
        SmtpTls::Starttls => SmtpTransport::starttls_relay(host),
    };
    let mut transport = match transport {
        Ok(t) => t.timeout(Some(Duration::from_secs(cfg.timeout_seconds.max(1)))),
        Err(e) => {
            let e = e.to_string();
            return failed(msg!(
                "邮件频道 “{n}” 的服务器设置有误：{e}",
                "The e-mail channel \"{n}\" has a bad server setting: {e}"
            ));
        }
    };
    if let Some(p) = c.port {
        transport = transport.port(p);
    }
    if let (Some(user), Some(pf)) = (&c.user, &c.password_file) {
        match std::fs::read_to_string(pf) {
            Ok(p) => {
                transport = transport.credentials(Credentials::new(user.clone(), p.trim().into()))
            }
            Err(e) => {
                let (d, e) = (pf.display(), e.to_string());
                return failed(msg!(
                    "邮件频道 “{n}” 的密码文件 {d} 无法读取：{e}。",
                    "Cannot read the password file {d} of e-mail channel \"{n}\": {e}."
                ));
            }
        }
    }
    match transport.build().send(&email) {
        Ok(_) => Outcome::Sent,
        Err(e) => {
            let e = e.to_string();
            failed(msg!(
                "邮件频道 “{n}” 发送失败：{e}",
                "The e-mail channel \"{n}\" failed to send: {e}"
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dingtalk_signature_matches_the_documented_recipe() {
        // Python: quote_plus(b64encode(hmac.new(b"SECabc",
        // b"1700000000000\nSECabc", sha256).digest()))
        assert_eq!(
            dingtalk_sign(1_700_000_000_000, "SECabc"),
            "jcUpW0QmtKduN03n4JqQ0PBosVjqnM8gU7fIIvsDmCM%3D"
        );
    }
}
