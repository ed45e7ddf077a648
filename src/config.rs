//! The TOML config and its defaults. Lookup order: `--config PATH`,
//! `$SUPPLYDESK_CONFIG`, `./config/supplydesk.toml`,
//! `$XDG_CONFIG_HOME/supplydesk/config.toml`, `/etc/supplydesk/config.toml`.
//! An explicitly named file must exist; the others are optional.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use serde::Deserialize;

use crate::i18n::Lang;
use crate::msg;
use crate::msg::Msg;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Database path; `--db` and `$SUPPLYDESK_DB` take precedence.
    pub database: Option<PathBuf>,
    pub subdistrict: String,
    pub timezone: String,
    /// `zh` or `en`; unset: from `LANG`.
    pub language: Option<Lang>,
    /// The officer on duty when `--officer` and `$SUPPLYDESK_OFFICER` are unset.
    pub officer: Option<String>,
    /// Unix mode of a new database file (and its -wal/-shm), as an octal string.
    pub file_mode: String,
    pub posts: Vec<PostConfig>,
    pub thresholds: Thresholds,
    pub theme: Theme,
    /// Key overrides: action name → key (e.g. `note = "N"`).
    pub keys: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PostConfig {
    pub name: String,
    pub unit: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// Open alerts older than these are escalated (minutes), by severity.
    pub alert_escalate_critical_min: i64,
    pub alert_escalate_high_min: i64,
    pub alert_escalate_medium_min: i64,
    pub alert_escalate_low_min: i64,
    /// Deliveries due within this many minutes are "due soon".
    pub delivery_due_soon_min: i64,
    /// Passes ending within this many hours are "expiring soon".
    pub pass_expiry_warn_hours: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Theme {
    /// No colour at all (also when `NO_COLOR` is set).
    pub monochrome: bool,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            alert_escalate_critical_min: 30,
            alert_escalate_high_min: 120,
            alert_escalate_medium_min: 360,
            alert_escalate_low_min: 1440,
            delivery_due_soon_min: 120,
            pass_expiry_warn_hours: 24,
        }
    }
}

impl Thresholds {
    pub fn pass_warn(&self) -> chrono::Duration {
        chrono::Duration::hours(self.pass_expiry_warn_hours)
    }

    pub fn escalate_after(&self, s: crate::domain::alert::Severity) -> chrono::Duration {
        use crate::domain::alert::Severity::*;
        chrono::Duration::minutes(match s {
            Critical => self.alert_escalate_critical_min,
            High => self.alert_escalate_high_min,
            Medium => self.alert_escalate_medium_min,
            Low => self.alert_escalate_low_min,
        })
    }
}

/// The leading group's member units, as in the plan.
pub fn default_posts() -> Vec<PostConfig> {
    [
        ("组长", "街道党工委"),
        ("副组长", "街道办事处"),
        ("党政办", "党政办"),
        ("经发办", "经发办"),
        ("应急办", "应急办"),
        ("农服中心", "农服中心"),
        ("交巡警龙都大队", "交巡警龙都大队"),
        ("市场监管所", "市场监管所"),
        ("社事办", "社事办"),
        ("财政办", "财政办"),
        ("平安办", "平安办"),
        ("派出所", "派出所"),
        ("交委办", "交委办"),
        ("纪工委", "纪工委"),
    ]
    .into_iter()
    .map(|(n, u)| PostConfig {
        name: n.into(),
        unit: u.into(),
    })
    .collect()
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database: None,
            subdistrict: "双河口街道".into(),
            timezone: "Asia/Shanghai".into(),
            language: None,
            officer: None,
            file_mode: "0660".into(),
            posts: default_posts(),
            thresholds: Thresholds::default(),
            theme: Theme::default(),
            keys: BTreeMap::new(),
        }
    }
}

/// Where the config came from, for `--help` and messages.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    pub path: Option<PathBuf>,
}

impl Config {
    pub fn tz(&self) -> Tz {
        self.timezone.parse().unwrap_or(chrono_tz::Asia::Shanghai)
    }

    pub fn mode(&self) -> u32 {
        u32::from_str_radix(self.file_mode.trim_start_matches("0o"), 8).unwrap_or(0o660)
    }

    /// Parses and checks a config text.
    pub fn parse(text: &str, origin: &Path) -> Result<Config, Msg> {
        let c: Config = toml::from_str(text).map_err(|e| {
            let o = origin.display();
            let e = e.message().to_string();
            msg!(
                "配置文件 {o} 有误：{e}；请对照 config/supplydesk.toml 修改。",
                "The config file {o} is invalid: {e}; compare it with config/supplydesk.toml."
            )
        })?;
        if c.timezone.parse::<Tz>().is_err() {
            let (o, tz) = (origin.display(), &c.timezone);
            return Err(msg!(
                "配置文件 {o} 中的时区 “{tz}” 无法识别；请写成 Asia/Shanghai 这样的名称。",
                "The time zone \"{tz}\" in {o} is unknown; write a name such as Asia/Shanghai."
            ));
        }
        if u32::from_str_radix(c.file_mode.trim_start_matches("0o"), 8).is_err() {
            let (o, m) = (origin.display(), &c.file_mode);
            return Err(msg!(
                "配置文件 {o} 中的 file_mode “{m}” 不是八进制权限；请写成 \"0660\"。",
                "file_mode \"{m}\" in {o} is not an octal mode; write it like \"0660\"."
            ));
        }
        Ok(c)
    }

    /// Finds and reads the config following the lookup order.
    pub fn load(explicit: Option<&Path>) -> Result<Loaded, Msg> {
        let from_env = std::env::var_os("SUPPLYDESK_CONFIG").map(PathBuf::from);
        if let Some(p) = explicit.map(Path::to_path_buf).or(from_env) {
            let text = std::fs::read_to_string(&p).map_err(|e| {
                let (d, e) = (p.display(), e.to_string());
                msg!(
                    "无法读取配置文件 {d}：{e}；请检查 --config 或 SUPPLYDESK_CONFIG。",
                    "Cannot read the config file {d}: {e}; check --config or SUPPLYDESK_CONFIG."
                )
            })?;
            return Ok(Loaded {
                config: Config::parse(&text, &p)?,
                path: Some(p),
            });
        }
        let mut candidates = vec![PathBuf::from("config/supplydesk.toml")];
        if let Some(x) = std::env::var_os("XDG_CONFIG_HOME") {
            candidates.push(PathBuf::from(x).join("supplydesk/config.toml"));
        } else if let Some(h) = std::env::var_os("HOME") {
            candidates.push(PathBuf::from(h).join(".config/supplydesk/config.toml"));
        }
        candidates.push(PathBuf::from("/etc/supplydesk/config.toml"));
        for p in candidates {
            if let Ok(text) = std::fs::read_to_string(&p) {
                return Ok(Loaded {
                    config: Config::parse(&text, &p)?,
                    path: Some(p),
                });
            }
        }
        Ok(Loaded {
            config: Config::default(),
            path: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_config_parses_and_matches_the_defaults() {
        let text = include_str!("../config/supplydesk.toml");
        let c = Config::parse(text, Path::new("config/supplydesk.toml")).unwrap();
        let d = Config::default();
        assert_eq!(c.subdistrict, d.subdistrict);
        assert_eq!(c.posts, d.posts);
        assert_eq!(
            c.thresholds.pass_expiry_warn_hours,
            d.thresholds.pass_expiry_warn_hours
        );
        assert_eq!(c.mode(), 0o660);
        assert_eq!(c.tz(), chrono_tz::Asia::Shanghai);
    }

    #[test]
    fn bad_configs_say_what_is_wrong() {
        let p = Path::new("x.toml");
        let e = Config::parse("timezone = \"Mars/Base\"", p).unwrap_err();
        assert!(e.en.contains("Mars/Base"), "{e}");
        let e = Config::parse("colour = true", p).unwrap_err();
        assert!(e.en.contains("invalid"), "{e}");
        let e = Config::parse("file_mode = \"rw\"", p).unwrap_err();
        assert!(e.en.contains("octal"), "{e}");
        let e = Config::parse("language = \"fr\"", p).unwrap_err();
        assert!(e.en.contains("invalid"), "{e}");
    }
}
