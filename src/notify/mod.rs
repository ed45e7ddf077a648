//! The desk speaks to the work groups (issue 19): channels (WeChat Work and
//! DingTalk group robots, a generic JSON webhook, e-mail over SMTP), which
//! rules each receives, and the sender that drains the outbox
//! ([`crate::store::outbox`]) in order per channel.

pub mod channel;
pub mod sender;

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::msg;
use crate::msg::Msg;
use crate::store::outbox::{Message, Rule};

/// `[notify]` in the config.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NotifyConfig {
    /// The longest wait between two tries of a failing channel (seconds).
    pub retry_max_seconds: u64,
    /// The wait after a robot says it is sent too much (seconds; WeChat
    /// Work and DingTalk robots take 20 messages a minute).
    pub rate_limit_seconds: u64,
    /// How long one post may take before it counts as failed (seconds).
    pub timeout_seconds: u64,
    #[serde(rename = "channel")]
    pub channels: Vec<ChannelConfig>,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            retry_max_seconds: 60,
            rate_limit_seconds: 60,
            timeout_seconds: 10,
            channels: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// 企业微信群机器人.
    Wecom,
    /// 钉钉群机器人 (optionally signed).
    Dingtalk,
    /// Any endpoint taking a JSON POST; sends an `Idempotency-Key`.
    Webhook,
    /// E-mail through an SMTP server.
    Smtp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    #[default]
    Starttls,
    Tls,
    /// Plain (a gateway on the same host or network only).
    None,
}

/// One `[[notify.channel]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelConfig {
    pub name: String,
    pub kind: Kind,
    /// Robot or webhook address (wecom, dingtalk, webhook).
    #[serde(default)]
    pub url: Option<String>,
    /// DingTalk's signing secret (`SEC…`), or better a file holding it.
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub secret_file: Option<PathBuf>,
    /// The rules this channel receives; unset: every rule but single
    /// failed deliveries (`welfare_check` is on). `welfare_check` is a
    /// delivery failed `[norms] failed_deliveries_in_a_row` times in a row.
    #[serde(default)]
    pub rules: Option<Vec<String>>,
    /// Only messages about these communities (messages about no community,
    /// such as the plan's activation, always go).
    #[serde(default)]
    pub communities: Vec<String>,
    // SMTP
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub tls: SmtpTls,
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Vec<String>,
}

/// What a channel's `rules` list may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    Rule(Rule),
    /// `delivery_failed` with at least this many failures in a row.
    WelfareCheck,
}

pub const RULE_NAMES: &[&str] = &[
    "critical_alert",
    "predicted_shortage",
    "delivery_failed",
    "welfare_check",
    "pass_suspended",
    "pass_revoked",
    "activation",
    "handover",
];

/// A channel's rules, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub wanted: Vec<Wanted>,
    pub communities: Vec<String>,
    /// `[norms] failed_deliveries_in_a_row`.
    pub failed_in_a_row: i64,
}

impl Route {
    pub fn of(c: &ChannelConfig, failed_in_a_row: i64) -> Result<Route, Msg> {
        let names: Vec<String> = match &c.rules {
            Some(r) => r.clone(),
            None => RULE_NAMES
                .iter()
                .filter(|n| **n != "delivery_failed")
                .map(|s| s.to_string())
                .collect(),
        };
        let mut wanted = Vec::new();
        for n in &names {
            let w = if n == "welfare_check" {
                Wanted::WelfareCheck
            } else if let Some(r) = Rule::from_code(n) {
                Wanted::Rule(r)
            } else {
                let (ch, all) = (&c.name, RULE_NAMES.join(", "));
                return Err(msg!(
                    "通知频道 “{ch}” 的规则 “{n}” 不存在；可用：{all}。",
                    "Channel \"{ch}\" names the rule \"{n}\", which does not exist; use: {all}."
                ));
            };
            wanted.push(w);
        }
        Ok(Route {
            wanted,
            communities: c.communities.clone(),
            failed_in_a_row,
        })
    }

    pub fn matches(&self, rule: Rule, community: Option<&str>, failures: Option<i64>) -> bool {
        if let Some(c) = community
            && !self.communities.is_empty()
            && !self.communities.iter().any(|x| x == c)
        {
            return false;
        }
        self.wanted.iter().any(|w| match w {
            Wanted::Rule(r) => *r == rule,
            Wanted::WelfareCheck => {
                rule == Rule::DeliveryFailed
                    && self.failed_in_a_row >= 1
                    && failures.unwrap_or(0) >= self.failed_in_a_row
            }
        })
    }

    pub fn wants(&self, m: &Message) -> bool {
        self.matches(m.rule, m.community.as_deref(), m.failures)
    }
}

impl NotifyConfig {
    /// Checks the channels: names unique, what each kind needs present,
    /// rules known. `origin` is the config file, for the message.
    pub fn check(&self, origin: &Path) -> Result<(), Msg> {
        let o = origin.display();
        let mut seen = std::collections::HashSet::new();
        for c in &self.channels {
            let n = &c.name;
            if n.trim().is_empty() {
                return Err(msg!(
                    "配置文件 {o} 中有一个通知频道没有名称；请写 name = \"领导小组群\" 这样的名称。",
                    "A notify channel in {o} has no name; give it one, e.g. name = \"leading-group\"."
                ));
            }
            if !seen.insert(n.clone()) {
                return Err(msg!(
                    "配置文件 {o} 中通知频道 “{n}” 出现两次；请给每个频道不同的名称。",
                    "The notify channel \"{n}\" appears twice in {o}; give each channel its own name."
                ));
            }
            match c.kind {
                Kind::Wecom | Kind::Dingtalk | Kind::Webhook => {
                    let ok = c
                        .url
                        .as_deref()
                        .is_some_and(|u| u.starts_with("https://") || u.starts_with("http://"));
                    if !ok {
                        return Err(msg!(
                            "配置文件 {o} 中通知频道 “{n}” 缺少 url（机器人的 Webhook 地址，以 https:// 开头）。",
                            "The notify channel \"{n}\" in {o} needs url, the robot's webhook address starting with https://."
                        ));
                    }
                }
                Kind::Smtp => {
                    if c.host.is_none() || c.from.is_none() || c.to.is_empty() {
                        return Err(msg!(
                            "配置文件 {o} 中邮件频道 “{n}” 需要 host、from 和 to。",
                            "The e-mail channel \"{n}\" in {o} needs host, from and to."
                        ));
                    }
                }
            }
            Route::of(c, 1).map_err(|e| {
                let (zh, en) = (e.zh, e.en);
                msg!("配置文件 {o}：{zh}", "{o}: {en}")
            })?;
        }
        Ok(())
    }

    pub fn channel(&self, name: &str) -> Option<&ChannelConfig> {
        self.channels.iter().find(|c| c.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel(rules: Option<Vec<&str>>, communities: Vec<&str>) -> ChannelConfig {
        ChannelConfig {
            name: "g".into(),
            kind: Kind::Webhook,
            url: Some("http://x".into()),
            secret: None,
            secret_file: None,
            rules: rules.map(|r| r.into_iter().map(String::from).collect()),
            communities: communities.into_iter().map(String::from).collect(),
            host: None,
            port: None,
            tls: SmtpTls::None,
            user: None,
            password_file: None,
            from: None,
            to: vec![],
        }
    }

    #[test]
    fn default_rules_take_welfare_checks_not_every_failed_delivery() {
        let r = Route::of(&channel(None, vec![]), 3).unwrap();
        assert!(r.matches(Rule::CriticalAlert, Some("a"), None));
        assert!(r.matches(Rule::Handover, None, None));
        assert!(!r.matches(Rule::DeliveryFailed, Some("a"), Some(2)));
        assert!(r.matches(Rule::DeliveryFailed, Some("a"), Some(3)));
    }

    #[test]
    fn a_community_channel_takes_its_own_community_and_the_desk_wide() {
        let r = Route::of(
            &channel(
                Some(vec!["critical_alert", "activation"]),
                vec!["螺蛳包社区"],
            ),
            3,
        )
        .unwrap();
        assert!(r.matches(Rule::CriticalAlert, Some("螺蛳包社区"), None));
        assert!(!r.matches(Rule::CriticalAlert, Some("万安社区"), None));
        assert!(r.matches(Rule::Activation, None, None));
        assert!(!r.matches(Rule::PassRevoked, None, None));
    }

    #[test]
    fn an_unknown_rule_is_refused_by_name() {
        let e = Route::of(&channel(Some(vec!["critical"]), vec![]), 3).unwrap_err();
        assert!(e.en.contains("\"critical\""), "{}", e.en);
        assert!(e.en.contains("critical_alert"));
    }
}
