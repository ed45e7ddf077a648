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
    /// The supply picture: daily need per person, cover threshold, stale
    /// reports, contact periods of the special groups.
    pub norms: NormsConfig,
    /// Key overrides: action name → key (e.g. `note = "N"`).
    pub keys: BTreeMap<String, String>,
    /// Personal data: how long it is kept after the emergency.
    pub privacy: PrivacyConfig,
    /// Messages to the work groups: channels and their rules (issue 19).
    pub notify: crate::notify::NotifyConfig,
    /// `[backup]`: where scheduled backups go and how many are kept.
    pub backup: BackupConfig,
}

/// `[backup]`: the directory of `supplydesk backup --rotate` (the systemd
/// timer's), its retention, and the age past which `doctor` says the
/// newest backup is too old.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct BackupConfig {
    /// Unset: no scheduled backups (`backup --rotate` needs `--dir`).
    pub dir: Option<PathBuf>,
    /// The newest backup of each of this many most recent hours is kept.
    pub keep_hourly: u32,
    /// The newest backup of each of this many most recent days is kept.
    pub keep_daily: u32,
    /// `doctor` fails when the newest backup is older than this.
    pub max_age_hours: u32,
}

impl Default for BackupConfig {
    fn default() -> Self {
        BackupConfig {
            dir: None,
            keep_hourly: 48,
            keep_daily: 30,
            max_age_hours: 2,
        }
    }
}

/// `[privacy]`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct PrivacyConfig {
    /// Records unchanged for this many days may be erased by
    /// `supplydesk privacy erase` once the plan is back to normal.
    pub retention_days: i64,
}

impl Default for PrivacyConfig {
    fn default() -> Self {
        PrivacyConfig { retention_days: 30 }
    }
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
    /// How the terminal draws East Asian ambiguous characters (box
    /// drawing, `· — … ●`): `auto` asks it at start; `--ambiguous`
    /// overrides.
    pub ambiguous: Ambiguous,
    /// What `auto` uses when the terminal does not answer in time.
    pub ambiguous_fallback: AmbiguousFallback,
}

/// `[theme] ambiguous` and `--ambiguous`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Ambiguous {
    /// Ask the terminal (a cursor-position report) at start and on Ctrl-L.
    #[default]
    Auto,
    /// One cell: box-drawing borders and symbols.
    Narrow,
    /// Two cells: ASCII borders and symbols.
    Wide,
}

/// `[theme] ambiguous_fallback`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AmbiguousFallback {
    #[default]
    Narrow,
    Wide,
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
    /// Every threshold within its range, or the one that is not, named.
    fn check(&self, origin: &Path) -> Result<(), Msg> {
        /// A year, in minutes and in hours.
        const MINUTES_MAX: i64 = 366 * 24 * 60;
        const HOURS_MAX: i64 = 366 * 24;
        let o = origin.display();
        let minutes = [
            (
                "alert_escalate_critical_min",
                self.alert_escalate_critical_min,
            ),
            ("alert_escalate_high_min", self.alert_escalate_high_min),
            ("alert_escalate_medium_min", self.alert_escalate_medium_min),
            ("alert_escalate_low_min", self.alert_escalate_low_min),
            ("delivery_due_soon_min", self.delivery_due_soon_min),
        ];
        for (k, v) in minutes {
            if !(1..=MINUTES_MAX).contains(&v) {
                return Err(msg!(
                    "配置文件 {o} 中 [thresholds] {k} = {v} 不可用；请填 1 到 {MINUTES_MAX} 之间的分钟数。",
                    "[thresholds] {k} = {v} in {o} cannot be used; give minutes from 1 to {MINUTES_MAX}."
                ));
            }
        }
        let h = self.pass_expiry_warn_hours;
        if !(1..=HOURS_MAX).contains(&h) {
            return Err(msg!(
                "配置文件 {o} 中 [thresholds] pass_expiry_warn_hours = {h} 不可用；请填 1 到 {HOURS_MAX} 之间的小时数。",
                "[thresholds] pass_expiry_warn_hours = {h} in {o} cannot be used; give hours from 1 to {HOURS_MAX}."
            ));
        }
        Ok(())
    }

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

/// `[norms]`: per-person daily need of each item class (kg a day; pieces for
/// protective supplies), the days of cover below which a shortage is
/// predicted, the age after which a stock report is not trusted, failed
/// deliveries in a row that make a welfare check, and (`[norms.contact_hours]`)
/// how long a recipient of each special group may go without a delivery or a
/// contact. Defaults: [`crate::domain::cover`].
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct NormsConfig {
    pub grain: f64,
    pub oil: f64,
    pub meat: f64,
    pub vegetables: f64,
    pub eggs_milk: f64,
    pub medicine: f64,
    pub infant_formula: f64,
    pub protective: f64,
    pub other: f64,
    pub cover_threshold_days: f64,
    pub stale_report_hours: i64,
    pub failed_deliveries_in_a_row: i64,
    pub contact_hours: ContactHours,
}

/// `[norms.contact_hours]`: one key per special group (its code).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct ContactHours {
    pub isolation_site: i64,
    pub designated_hospital: i64,
    pub elder_care_home: i64,
    pub elderly_alone: i64,
    pub pregnant: i64,
    pub disabled: i64,
    pub subsistence: i64,
    pub extreme_poverty: i64,
    pub mobility_impaired: i64,
    pub left_behind_child: i64,
    pub vulnerable_child: i64,
    pub homeless: i64,
    pub dialysis: i64,
    pub psychiatric: i64,
    pub chronic_disease: i64,
}

impl ContactHours {
    fn slot(&mut self, g: crate::domain::delivery::Group) -> &mut i64 {
        use crate::domain::delivery::Group as G;
        match g {
            G::IsolationSite => &mut self.isolation_site,
            G::DesignatedHospital => &mut self.designated_hospital,
            G::ElderCareHome => &mut self.elder_care_home,
            G::ElderlyAlone => &mut self.elderly_alone,
            G::Pregnant => &mut self.pregnant,
            G::Disabled => &mut self.disabled,
            G::Subsistence => &mut self.subsistence,
            G::ExtremePoverty => &mut self.extreme_poverty,
            G::MobilityImpaired => &mut self.mobility_impaired,
            G::LeftBehindChild => &mut self.left_behind_child,
            G::VulnerableChild => &mut self.vulnerable_child,
            G::Homeless => &mut self.homeless,
            G::Dialysis => &mut self.dialysis,
            G::Psychiatric => &mut self.psychiatric,
            G::ChronicDisease => &mut self.chronic_disease,
        }
    }

    pub fn hours(&self, g: crate::domain::delivery::Group) -> i64 {
        *self.clone().slot(g)
    }
}

impl Default for ContactHours {
    fn default() -> Self {
        use crate::domain::Code;
        use crate::domain::delivery::Group;
        let mut h = ContactHours {
            isolation_site: 0,
            designated_hospital: 0,
            elder_care_home: 0,
            elderly_alone: 0,
            pregnant: 0,
            disabled: 0,
            subsistence: 0,
            extreme_poverty: 0,
            mobility_impaired: 0,
            left_behind_child: 0,
            vulnerable_child: 0,
            homeless: 0,
            dialysis: 0,
            psychiatric: 0,
            chronic_disease: 0,
        };
        for g in Group::ALL {
            *h.slot(*g) = crate::domain::cover::default_contact_hours(*g);
        }
        h
    }
}

impl NormsConfig {
    fn item(&self, item: crate::domain::alert::ItemClass) -> f64 {
        use crate::domain::alert::ItemClass as I;
        match item {
            I::Grain => self.grain,
            I::Oil => self.oil,
            I::Meat => self.meat,
            I::Vegetables => self.vegetables,
            I::EggsMilk => self.eggs_milk,
            I::Medicine => self.medicine,
            I::InfantFormula => self.infant_formula,
            I::Protective => self.protective,
            I::Other => self.other,
        }
    }

    /// The rules' parameters for the store and the screens.
    pub fn norms(&self) -> crate::domain::cover::Norms {
        use crate::domain::Code;
        use crate::domain::alert::ItemClass;
        use crate::domain::delivery::Group;
        let mut n = crate::domain::cover::Norms::default();
        for item in ItemClass::ALL {
            n.set_per_person(*item, self.item(*item));
        }
        for g in Group::ALL {
            n.set_contact_period(*g, chrono::Duration::hours(self.contact_hours.hours(*g)));
        }
        n.threshold_days = self.cover_threshold_days;
        n.stale_after = chrono::Duration::hours(self.stale_report_hours);
        n.failed_in_a_row = self.failed_deliveries_in_a_row;
        n
    }

    fn check(&self, origin: &Path) -> Result<(), Msg> {
        use crate::domain::Code;
        use crate::domain::alert::ItemClass;
        use crate::domain::cover::{MAX_PER_PERSON, Norms};
        use crate::domain::delivery::Group;
        let o = origin.display();
        for item in ItemClass::ALL {
            let v = self.item(*item);
            if !Norms::valid_per_person(v) {
                let k = item.code();
                return Err(msg!(
                    "配置文件 {o} 中 [norms] {k} = {v} 不可用；请填 0 到 {MAX_PER_PERSON} 之间的每人每日需求量。",
                    "[norms] {k} = {v} in {o} cannot be used; give a daily need per person from 0 to {MAX_PER_PERSON}."
                ));
            }
        }
        let t = self.cover_threshold_days;
        if !(t.is_finite() && t > 0.0 && t <= 365.0) {
            return Err(msg!(
                "配置文件 {o} 中 [norms] cover_threshold_days = {t} 不可用；请填大于 0、不超过 365 的天数。",
                "[norms] cover_threshold_days = {t} in {o} cannot be used; give a number of days above 0 and at most 365."
            ));
        }
        let h = self.stale_report_hours;
        if !(1..=24 * 365).contains(&h) {
            return Err(msg!(
                "配置文件 {o} 中 [norms] stale_report_hours = {h} 不可用；请填 1 到 8760 之间的小时数。",
                "[norms] stale_report_hours = {h} in {o} cannot be used; give hours from 1 to 8760."
            ));
        }
        let n = self.failed_deliveries_in_a_row;
        if !(0..=100).contains(&n) {
            return Err(msg!(
                "配置文件 {o} 中 [norms] failed_deliveries_in_a_row = {n} 不可用；请填 0（不提示）到 100 之间的次数。",
                "[norms] failed_deliveries_in_a_row = {n} in {o} cannot be used; give a count from 0 (never) to 100."
            ));
        }
        for g in Group::ALL {
            let h = self.contact_hours.hours(*g);
            if !(1..=24 * 365).contains(&h) {
                let k = g.code();
                return Err(msg!(
                    "配置文件 {o} 中 [norms.contact_hours] {k} = {h} 不可用；请填 1 到 8760 之间的小时数。",
                    "[norms.contact_hours] {k} = {h} in {o} cannot be used; give hours from 1 to 8760."
                ));
            }
        }
        Ok(())
    }
}

impl Default for NormsConfig {
    fn default() -> Self {
        use crate::domain::alert::ItemClass as I;
        use crate::domain::cover;
        let d = cover::Norms::default();
        NormsConfig {
            grain: d.per_person(I::Grain),
            oil: d.per_person(I::Oil),
            meat: d.per_person(I::Meat),
            vegetables: d.per_person(I::Vegetables),
            eggs_milk: d.per_person(I::EggsMilk),
            medicine: d.per_person(I::Medicine),
            infant_formula: d.per_person(I::InfantFormula),
            protective: d.per_person(I::Protective),
            other: d.per_person(I::Other),
            cover_threshold_days: cover::DEFAULT_THRESHOLD_DAYS,
            stale_report_hours: cover::DEFAULT_STALE_HOURS,
            failed_deliveries_in_a_row: cover::DEFAULT_FAILED_IN_A_ROW,
            contact_hours: ContactHours::default(),
        }
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
            norms: NormsConfig::default(),
            keys: BTreeMap::new(),
            privacy: PrivacyConfig::default(),
            backup: BackupConfig::default(),
            notify: crate::notify::NotifyConfig::default(),
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
        c.thresholds.check(origin)?;
        c.norms.check(origin)?;
        let b = &c.backup;
        if (b.keep_hourly == 0 && b.keep_daily == 0) || b.max_age_hours == 0 {
            let o = origin.display();
            return Err(msg!(
                "配置文件 {o} 中 [backup] 不可用：keep_hourly 与 keep_daily 不能都为 0，max_age_hours 须大于 0。",
                "[backup] in {o} cannot be used: keep_hourly and keep_daily cannot both be 0, and max_age_hours must be above 0."
            ));
        }
        c.notify.check(origin)?;
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
        assert_eq!(
            c.norms, d.norms,
            "[norms] in the shipped file are the defaults"
        );
        assert_eq!(c.norms.norms(), crate::domain::cover::Norms::default());
        assert_eq!(
            c.backup, d.backup,
            "[backup] in the shipped file is the default"
        );
    }

    #[test]
    fn norms_can_be_set_and_bad_ones_are_named() {
        use crate::domain::alert::ItemClass;
        use crate::domain::delivery::Group;
        let p = Path::new("x.toml");
        let c = Config::parse(
            "[norms]\ngrain = 0.5\ncover_threshold_days = 2.5\n[norms.contact_hours]\ndialysis = 24\n",
            p,
        )
        .unwrap();
        let n = c.norms.norms();
        assert_eq!(n.per_person(ItemClass::Grain), 0.5);
        assert_eq!(
            n.per_person(ItemClass::Oil),
            0.025,
            "unset keys keep their default"
        );
        assert_eq!(n.threshold_days, 2.5);
        assert_eq!(
            n.contact_period(Group::Dialysis),
            chrono::Duration::hours(24)
        );
        let e = Config::parse("[norms]\nmeat = -1\n", p).unwrap_err();
        assert!(e.en.contains("meat") && e.zh.contains("meat"), "{e}");
        let e = Config::parse("[norms]\ncover_threshold_days = 0\n", p).unwrap_err();
        assert!(e.en.contains("cover_threshold_days"), "{e}");
        let e = Config::parse("[norms.contact_hours]\ndialysis = 0\n", p).unwrap_err();
        assert!(e.en.contains("dialysis"), "{e}");
        let e = Config::parse("[norms]\nrice = 0.4\n", p).unwrap_err();
        assert!(e.en.contains("invalid"), "{e}");
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
        let e = Config::parse("[backup]\nkeep_hourly = 0\nkeep_daily = 0\n", p).unwrap_err();
        assert!(e.en.contains("[backup]"), "{e}");
        let e = Config::parse("[backup]\nmax_age_hours = 0\n", p).unwrap_err();
        assert!(e.en.contains("max_age_hours"), "{e}");
        let c = Config::parse("[backup]\ndir = \"/b\"\nkeep_hourly = 0\n", p).unwrap();
        assert_eq!(c.backup.dir, Some(PathBuf::from("/b")));
    }
}
