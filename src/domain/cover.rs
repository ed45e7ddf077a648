//! The supply picture (摸清供需): what a community needs a day, what it
//! holds and receives, how many days that lasts; when a shortage is
//! predicted and when the prediction is withdrawn; who among the special
//! groups has not been reached (无盲区、无死角) and who needs a welfare check.
//!
//! Pure rules: the store feeds them figures and acts on their answers.

use chrono::{DateTime, Duration, Utc};

use super::alert::{AlertState, ItemClass, Severity};
use super::delivery::Group;
use crate::code_enum;
use crate::domain::codes::Code;

/// The measure an item class is counted in, in both languages: stock,
/// supply and the per-person need of one class share it.
pub fn measure(item: ItemClass) -> (&'static str, &'static str) {
    match item {
        ItemClass::Protective => ("件", "pcs"),
        _ => ("公斤", "kg"),
    }
}

/// The default per-person daily need of each item class, in its measure.
///
/// Staples follow the Chinese dietary guidelines' daily amounts for an
/// adult (谷薯 250–400 g, 油 25–30 g, 畜禽肉 40–75 g plus fish and eggs,
/// 蔬菜 300–500 g, 奶 300 g), taken at the upper end because a lockdown
/// household cooks every meal at home. Infant formula is averaged over the
/// whole population: about one person in a hundred is an infant drinking
/// some 150 g a day. Protective supplies: one mask per person per day.
/// Medicine and "other" are not bought per head; their need is 0 (set a
/// per-community figure to follow them), so their cover shows "—".
pub const DEFAULT_PER_PERSON: [(ItemClass, f64); 9] = [
    (ItemClass::Grain, 0.4),
    (ItemClass::Oil, 0.025),
    (ItemClass::Meat, 0.1),
    (ItemClass::Vegetables, 0.5),
    (ItemClass::EggsMilk, 0.2),
    (ItemClass::Medicine, 0.0),
    (ItemClass::InfantFormula, 0.0015),
    (ItemClass::Protective, 1.0),
    (ItemClass::Other, 0.0),
];

/// Below this many days of cover a shortage is predicted.
pub const DEFAULT_THRESHOLD_DAYS: f64 = 3.0;
/// Reports older than this are flagged and not trusted.
pub const DEFAULT_STALE_HOURS: i64 = 24;
/// Failed deliveries in a row that make a welfare check.
pub const DEFAULT_FAILED_IN_A_ROW: i64 = 2;

/// How long a recipient of each group may go without a delivery delivered
/// or a contact that reached them, in hours. People who cannot shop or
/// wait (dialysis every second day, elderly living alone, the homeless,
/// institutions fed daily) are due often; households with a steadier
/// situation (subsistence allowance, chronic disease on a weekly refill)
/// less often.
pub fn default_contact_hours(g: Group) -> i64 {
    match g {
        Group::IsolationSite | Group::DesignatedHospital => 24,
        Group::ElderCareHome => 48,
        Group::ElderlyAlone | Group::Homeless => 24,
        Group::Dialysis | Group::Psychiatric | Group::MobilityImpaired => 48,
        Group::LeftBehindChild | Group::VulnerableChild => 48,
        Group::Pregnant | Group::Disabled | Group::ExtremePoverty => 72,
        Group::Subsistence | Group::ChronicDisease => 168,
    }
}

fn item_index(item: ItemClass) -> usize {
    ItemClass::ALL.iter().position(|i| *i == item).unwrap_or(0)
}

fn group_index(g: Group) -> usize {
    Group::ALL.iter().position(|x| *x == g).unwrap_or(0)
}

/// The rules' parameters, built from the config (`[norms]`) by the caller
/// so that neither the domain nor the store reads the config.
#[derive(Debug, Clone, PartialEq)]
pub struct Norms {
    per_person: [f64; 9],
    pub threshold_days: f64,
    pub stale_after: Duration,
    pub failed_in_a_row: i64,
    contact: [Duration; 15],
}

impl Default for Norms {
    fn default() -> Self {
        let mut per_person = [0.0; 9];
        for (item, v) in DEFAULT_PER_PERSON {
            per_person[item_index(item)] = v;
        }
        let mut contact = [Duration::zero(); 15];
        for g in Group::ALL {
            contact[group_index(*g)] = Duration::hours(default_contact_hours(*g));
        }
        Norms {
            per_person,
            threshold_days: DEFAULT_THRESHOLD_DAYS,
            stale_after: Duration::hours(DEFAULT_STALE_HOURS),
            failed_in_a_row: DEFAULT_FAILED_IN_A_ROW,
            contact,
        }
    }
}

impl Norms {
    /// Per-person daily need of `item`, in its [`measure`].
    pub fn per_person(&self, item: ItemClass) -> f64 {
        self.per_person[item_index(item)]
    }

    pub fn set_per_person(&mut self, item: ItemClass, v: f64) {
        self.per_person[item_index(item)] = v;
    }

    /// How long a recipient of the group may go unreached.
    pub fn contact_period(&self, g: Group) -> Duration {
        self.contact[group_index(g)]
    }

    pub fn set_contact_period(&mut self, g: Group, d: Duration) {
        self.contact[group_index(g)] = d;
    }

    /// A per-person figure that can be used: finite and not negative.
    pub fn valid_per_person(v: f64) -> bool {
        v.is_finite() && (0.0..=MAX_PER_PERSON).contains(&v)
    }
}

/// A per-person daily need beyond this is a typing mistake (in any measure).
pub const MAX_PER_PERSON: f64 = 100.0;
/// Stock or daily supply beyond this is a typing mistake: a sub-district's
/// stock of anything is far below a hundred thousand tonnes.
pub const MAX_QUANTITY: f64 = 1.0e8;

/// What one source (a supply unit, an outlet, a transfer station, or the
/// community's own count) last reported.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Report {
    pub stock: f64,
    pub supply_in: f64,
    pub reported_at: DateTime<Utc>,
}

/// Days of cover of one community and item class.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cover {
    /// Nothing has been reported.
    NoReport,
    /// Only reports older than the stale age: shown flagged, not trusted,
    /// so they neither raise nor clear a prediction. `days` is what they
    /// said (None where they showed no consumption).
    Stale {
        days: Option<f64>,
        as_of: DateTime<Utc>,
    },
    /// The daily supply in meets the need (or nobody needs it): "—".
    NoConsumption,
    /// The stock lasts this many days at the current draw (finite, ≥ 0).
    Days(f64),
}

impl Cover {
    /// Trusted days, if there is a draw on the stock.
    pub fn days(&self) -> Option<f64> {
        match self {
            Cover::Days(d) => Some(*d),
            _ => None,
        }
    }

    /// A stable code for JSON and tests.
    pub fn status(&self) -> &'static str {
        match self {
            Cover::NoReport => "no_report",
            Cover::Stale { .. } => "stale",
            Cover::NoConsumption => "no_consumption",
            Cover::Days(_) => "days",
        }
    }

    /// The figure for a column: `2.4`, `—` without consumption, `?` without
    /// a report; a stale figure in brackets.
    pub fn text(&self) -> String {
        match self {
            Cover::NoReport => "?".into(),
            Cover::NoConsumption => "—".into(),
            Cover::Days(d) => format_days(*d),
            Cover::Stale { days: Some(d), .. } => format!("({})", format_days(*d)),
            Cover::Stale { days: None, .. } => "(—)".into(),
        }
    }

    /// Below the threshold on trusted figures.
    pub fn below(&self, threshold_days: f64) -> bool {
        self.days().is_some_and(|d| d < threshold_days)
    }
}

/// One decimal under ten days, whole days above; "99+" beyond.
pub fn format_days(d: f64) -> String {
    if d >= 99.5 {
        "99+".into()
    } else if d >= 10.0 {
        format!("{d:.0}")
    } else {
        format!("{d:.1}")
    }
}

/// stock ÷ (daily need − daily supply in). No draw on the stock (the
/// supply in meets the need, or nothing is needed) is
/// [`Cover::NoConsumption`], never an infinity or a division by zero.
pub fn days_of_cover(stock: f64, need: f64, supply_in: f64) -> Cover {
    let net = need - supply_in;
    if !(net.is_finite() && stock.is_finite()) || net <= 0.0 {
        return Cover::NoConsumption;
    }
    Cover::Days((stock.max(0.0) / net).max(0.0))
}

/// Daily need of a population at a per-person norm; an empty community or
/// a negative figure needs nothing.
pub fn daily_need(population: i64, per_person: f64) -> f64 {
    if population <= 0 || !per_person.is_finite() || per_person <= 0.0 {
        0.0
    } else {
        population as f64 * per_person
    }
}

/// Everything the screens show about one cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Computed {
    pub need: f64,
    /// Stock and daily supply in summed over the sources whose latest
    /// report is fresh; when none is, what the newest figures said (see
    /// [`Cover::Stale`]).
    pub stock: f64,
    pub supply_in: f64,
    pub cover: Cover,
    /// The oldest of the fresh reports summed: the figures are true as of
    /// then at the latest.
    pub as_of: Option<DateTime<Utc>>,
    pub fresh_sources: usize,
}

impl Computed {
    /// Daily draw on the stock: need minus supply in (negative: stock grows).
    pub fn net(&self) -> f64 {
        self.need - self.supply_in
    }
}

/// The cover of one community and item: `fresh` are the latest reports of
/// the sources that reported within the stale age; `newest_stale` is the
/// newest report of the cell when none is fresh (flag it, do not trust it).
pub fn compute(
    population: i64,
    per_person: f64,
    fresh: &[Report],
    newest_stale: Option<Report>,
) -> Computed {
    let need = daily_need(population, per_person);
    if fresh.is_empty() {
        let cover = match newest_stale {
            None => Cover::NoReport,
            Some(r) => Cover::Stale {
                days: days_of_cover(r.stock, need, r.supply_in).days(),
                as_of: r.reported_at,
            },
        };
        return Computed {
            need,
            stock: newest_stale.map_or(0.0, |r| r.stock),
            supply_in: newest_stale.map_or(0.0, |r| r.supply_in),
            cover,
            as_of: newest_stale.map(|r| r.reported_at),
            fresh_sources: 0,
        };
    }
    let stock: f64 = fresh.iter().map(|r| r.stock.max(0.0)).sum();
    let supply_in: f64 = fresh.iter().map(|r| r.supply_in.max(0.0)).sum();
    Computed {
        need,
        stock,
        supply_in,
        cover: days_of_cover(stock, need, supply_in),
        as_of: fresh.iter().map(|r| r.reported_at).min(),
        fresh_sources: fresh.len(),
    }
}

/// Whether a report at `reported_at` is still trusted at `now`.
pub fn is_fresh(reported_at: DateTime<Utc>, now: DateTime<Utc>, stale_after: Duration) -> bool {
    reported_at >= now - stale_after
}

/// What to do about the predicted alert of one community and item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Raise one predicted alert of this severity.
    Raise(Severity),
    /// Withdraw the open predicted alert: cover has recovered.
    Clear,
    Nothing,
}

/// The severity of a predicted shortage by the days left.
pub fn predicted_severity(days: f64) -> Severity {
    if days < 1.0 {
        Severity::Critical
    } else if days < 2.0 {
        Severity::High
    } else {
        Severity::Medium
    }
}

/// The predictive-alert rule. `open` is the state of the open predicted
/// alert of the cell, if there is one.
///
/// - Trusted cover below the threshold and no open predicted alert: raise
///   one (never a second while one is open).
/// - Trusted cover at or above the threshold, or no draw on the stock, and
///   the predicted alert still untouched (`open`): clear it. Once an
///   officer has taken it over (acknowledged or dispatched) it is theirs
///   to close.
/// - Stale or missing reports decide nothing.
pub fn decide(cover: &Cover, threshold_days: f64, open: Option<AlertState>) -> Decision {
    match cover {
        Cover::Days(d) if *d < threshold_days => match open {
            None => Decision::Raise(predicted_severity(*d)),
            Some(_) => Decision::Nothing,
        },
        Cover::Days(_) | Cover::NoConsumption => match open {
            Some(AlertState::Open) => Decision::Clear,
            _ => Decision::Nothing,
        },
        Cover::Stale { .. } | Cover::NoReport => Decision::Nothing,
    }
}

/// The moment before which a recipient of a group counts as not reached:
/// `now − period`. None while the plan is not activated, or before one
/// period has passed since the activation (nobody can be overdue yet).
pub fn gap_cutoff(
    now: DateTime<Utc>,
    activated_since: Option<DateTime<Utc>>,
    period: Duration,
) -> Option<DateTime<Utc>> {
    let since = activated_since?;
    let cut = now - period;
    (since <= cut).then_some(cut)
}

/// A recipient last reached at `last_reached` (a delivery delivered or a
/// contact that reached them) is a coverage gap at this cut-off.
pub fn is_gap(last_reached: Option<DateTime<Utc>>, cutoff: Option<DateTime<Utc>>) -> bool {
    match cutoff {
        None => false,
        Some(cut) => last_reached.is_none_or(|t| t < cut),
    }
}

/// Failed delivery attempts since the recipient was last reached: the
/// attempts of the deliveries not delivered and last changed after that
/// moment. A delivery that was delivered in the end closes the run (its
/// failures came before the success).
pub fn failures_in_a_row(
    last_reached: Option<DateTime<Utc>>,
    deliveries: &[(i64, DateTime<Utc>, bool)],
) -> i64 {
    deliveries
        .iter()
        .filter(|(_, changed, delivered)| !delivered && last_reached.is_none_or(|t| *changed > t))
        .map(|(attempts, _, _)| (*attempts).max(0))
        .sum()
}

/// A welfare check is due after `n` failures in a row (`n` ≥ 1).
pub fn needs_welfare_check(failures: i64, n: i64) -> bool {
    n >= 1 && failures >= n
}

/// A bar of `width` cells for `days` of cover, full at `full_days`; eighth
/// blocks for the remainder so short covers still show. "—" covers and
/// missing reports get an empty bar.
pub fn bar(days: Option<f64>, full_days: f64, width: usize) -> String {
    const EIGHTHS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let mut out = String::with_capacity(width * 3);
    let Some(d) = days.filter(|d| d.is_finite() && *d >= 0.0) else {
        out.extend(std::iter::repeat_n(' ', width));
        return out;
    };
    let full_days = if full_days > 0.0 { full_days } else { 1.0 };
    let eighths = ((d / full_days).min(1.0) * (width * 8) as f64).round() as usize;
    let whole = eighths / 8;
    out.extend(std::iter::repeat_n('█', whole));
    if whole < width {
        out.push(EIGHTHS[eighths % 8]);
        out.extend(std::iter::repeat_n(' ', width - whole - 1));
    }
    out
}

/// A figure in an item class's measure as people write it, the way the
/// `stock` command reads it: `3200`, `3,200`, `3200kg`, `3.2t`, `3.2吨`,
/// `500斤` (a jin is half a kilogram), `2000件`; full-width digits too.
/// `None` for anything else, and for infinities and NaN.
pub fn parse_quantity(input: &str) -> Option<f64> {
    let t = crate::domain::text::fold_width(input.trim()).to_lowercase();
    const UNITS: [(&str, f64); 10] = [
        ("公斤", 1.0),
        ("千克", 1.0),
        ("kg", 1.0),
        ("吨", 1000.0),
        ("t", 1000.0),
        ("斤", 0.5),
        ("件", 1.0),
        ("个", 1.0),
        ("pcs", 1.0),
        ("", 1.0),
    ];
    UNITS.iter().find_map(|(suffix, factor)| {
        let num = t.strip_suffix(suffix)?;
        let v = num.trim().replace(',', "").parse::<f64>().ok()?;
        v.is_finite().then_some(v * factor)
    })
}

/// One cell for `days` of cover, full at `full_days`: a block as high as
/// the share (`▁`…`█`), for a column too narrow for [`bar`]. Any cover
/// above nothing shows at least `▁`; nothing and "—" show a blank.
pub fn level(days: Option<f64>, full_days: f64) -> char {
    const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let Some(d) = days.filter(|d| d.is_finite() && *d > 0.0) else {
        return ' ';
    };
    let full_days = if full_days > 0.0 { full_days } else { 1.0 };
    let eighths = ((d / full_days).min(1.0) * 8.0).ceil() as usize;
    LEVELS[eighths.clamp(1, 8) - 1]
}

code_enum! {
    /// Market monitoring (市场监测): what was seen at a unit or outlet.
    pub enum MarketKind {
        PriceRise => ("price_rise", "价格上涨", "Price rise", ["price", "涨价", "上涨"]),
        Hoarding => ("hoarding", "囤积居奇", "Hoarding", ["囤积", "hoard"]),
        Gouging => ("gouging", "哄抬物价", "Price gouging", ["哄抬", "gouge", "price_gouging", "串通涨价"]),
    }
}

impl MarketKind {
    /// Hoarding and gouging are offences to stop now; a price rise is
    /// watched.
    pub fn default_severity(self) -> Severity {
        match self {
            MarketKind::PriceRise => Severity::Medium,
            MarketKind::Hoarding | MarketKind::Gouging => Severity::High,
        }
    }
}

/// Market reports are handled by the market-supervision station (市场监管所,
/// "及时掌握供需信息 … 由市场监管所负责").
pub const MARKET_HANDLER: &str = "市场监管所";

code_enum! {
    /// Whether an alert is a shortage (the board's default) or a market
    /// report.
    pub enum AlertKind {
        Shortage => ("shortage", "短缺", "Shortage", []),
        Market => ("market", "市场", "Market", ["市场监测"]),
    }
}

code_enum! {
    /// How a recipient was contacted.
    pub enum ContactChannel {
        Phone => ("phone", "电话", "Phone", ["call", "打电话"]),
        Visit => ("visit", "上门", "Visit", ["入户", "探访", "home_visit"]),
        Video => ("video", "视频", "Video", ["wechat", "微信"]),
        Other => ("other", "其他", "Other", ["其它"]),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn quantities_read_as_people_write_them() {
        assert_eq!(parse_quantity("3200"), Some(3200.0));
        assert_eq!(parse_quantity(" 3,200 kg "), Some(3200.0));
        assert_eq!(parse_quantity("3.2t"), Some(3200.0));
        assert_eq!(parse_quantity("3.2吨"), Some(3200.0));
        assert_eq!(parse_quantity("500斤"), Some(250.0));
        assert_eq!(parse_quantity("2000件"), Some(2000.0));
        assert_eq!(parse_quantity("３２００ＫＧ"), Some(3200.0));
        assert_eq!(parse_quantity("lots"), None);
        assert_eq!(parse_quantity("inf"), None);
        assert_eq!(parse_quantity("NaN"), None);
        assert_eq!(parse_quantity(""), None);
    }
    #[test]
    fn a_level_is_one_cell_and_never_hides_a_little_cover() {
        assert_eq!(level(None, 6.0), ' ');
        assert_eq!(level(Some(0.0), 6.0), ' ');
        assert_eq!(level(Some(f64::NAN), 6.0), ' ');
        assert_eq!(level(Some(0.01), 6.0), '▁');
        assert_eq!(level(Some(3.0), 6.0), '▄');
        assert_eq!(level(Some(6.0), 6.0), '█');
        assert_eq!(level(Some(60.0), 6.0), '█');
        // A broken configuration still gives a cell, not a panic.
        assert_eq!(level(Some(2.0), 0.0), '█');
    }

    use super::*;
    use chrono::TimeZone;

    fn t(h: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 29, 0, 0, 0).unwrap() + Duration::hours(h)
    }

    fn report(stock: f64, supply_in: f64, h: i64) -> Report {
        Report {
            stock,
            supply_in,
            reported_at: t(h),
        }
    }

    #[test]
    fn days_are_stock_over_the_net_draw() {
        assert_eq!(days_of_cover(1000.0, 400.0, 0.0), Cover::Days(2.5));
        assert_eq!(days_of_cover(1000.0, 400.0, 200.0), Cover::Days(5.0));
        assert_eq!(days_of_cover(0.0, 400.0, 0.0), Cover::Days(0.0));
    }

    #[test]
    fn no_consumption_is_a_dash_never_infinity() {
        // Supply in equals the need: no draw.
        assert_eq!(days_of_cover(1000.0, 400.0, 400.0), Cover::NoConsumption);
        // Negative net draw: the stock grows.
        assert_eq!(days_of_cover(1000.0, 400.0, 650.0), Cover::NoConsumption);
        // Nothing needed, nothing coming in.
        assert_eq!(days_of_cover(0.0, 0.0, 0.0), Cover::NoConsumption);
        assert_eq!(days_of_cover(1.0, f64::NAN, 0.0), Cover::NoConsumption);
        assert_eq!(days_of_cover(f64::INFINITY, 1.0, 0.0), Cover::NoConsumption);
        assert_eq!(Cover::NoConsumption.text(), "—");
        assert!(!Cover::NoConsumption.below(3.0));
        // A tiny draw gives a large but finite figure.
        let d = days_of_cover(1.0e8, 1.0e-9, 0.0).days().unwrap();
        assert!(d.is_finite(), "{d}");
        assert_eq!(format_days(d), "99+");
    }

    #[test]
    fn an_empty_community_needs_nothing() {
        assert_eq!(daily_need(0, 0.4), 0.0);
        assert_eq!(daily_need(-5, 0.4), 0.0);
        assert_eq!(daily_need(1000, -0.4), 0.0);
        let c = compute(0, 0.4, &[report(500.0, 0.0, 0)], None);
        assert_eq!(c.cover, Cover::NoConsumption);
        assert_eq!(c.need, 0.0);
        assert_eq!(c.stock, 500.0);
    }

    #[test]
    fn fresh_sources_are_summed() {
        let c = compute(
            5000,
            0.4,
            &[report(1200.0, 300.0, 2), report(800.0, 100.0, 5)],
            None,
        );
        assert_eq!(c.need, 2000.0);
        assert_eq!(c.stock, 2000.0);
        assert_eq!(c.supply_in, 400.0);
        assert_eq!(c.net(), 1600.0);
        assert_eq!(c.cover, Cover::Days(1.25));
        assert_eq!(c.as_of, Some(t(2)), "the oldest figure summed");
        assert_eq!(c.fresh_sources, 2);
    }

    #[test]
    fn stale_reports_are_flagged_and_not_trusted() {
        let c = compute(5000, 0.4, &[], Some(report(1000.0, 0.0, -40)));
        assert_eq!(
            c.cover,
            Cover::Stale {
                days: Some(0.5),
                as_of: t(-40)
            }
        );
        assert_eq!(c.cover.days(), None, "not trusted");
        assert!(!c.cover.below(3.0));
        assert_eq!(c.cover.text(), "(0.5)");
        assert_eq!(c.fresh_sources, 0);
        assert_eq!(c.stock, 1000.0, "what the stale figures said");
        // Neither raises nor clears.
        assert_eq!(decide(&c.cover, 3.0, None), Decision::Nothing);
        assert_eq!(
            decide(&c.cover, 3.0, Some(AlertState::Open)),
            Decision::Nothing
        );
        let stale_dash = compute(5000, 0.4, &[], Some(report(1.0, 5000.0, -40)));
        assert_eq!(stale_dash.cover.text(), "(—)");
        assert!(is_fresh(t(-23), t(0), Duration::hours(24)));
        assert!(!is_fresh(t(-25), t(0), Duration::hours(24)));
    }

    #[test]
    fn nothing_reported_is_a_question_mark() {
        let c = compute(5000, 0.4, &[], None);
        assert_eq!(c.cover, Cover::NoReport);
        assert_eq!(c.cover.text(), "?");
        assert_eq!(decide(&c.cover, 3.0, None), Decision::Nothing);
    }

    #[test]
    fn one_prediction_is_raised_and_never_repeated_while_open() {
        let low = Cover::Days(1.5);
        assert_eq!(decide(&low, 3.0, None), Decision::Raise(Severity::High));
        for s in [
            AlertState::Open,
            AlertState::Acknowledged,
            AlertState::InProgress,
        ] {
            assert_eq!(decide(&low, 3.0, Some(s)), Decision::Nothing, "{s:?}");
        }
        assert_eq!(
            decide(&Cover::Days(0.2), 3.0, None),
            Decision::Raise(Severity::Critical)
        );
        assert_eq!(
            decide(&Cover::Days(2.9), 3.0, None),
            Decision::Raise(Severity::Medium)
        );
        // At the threshold is not below it.
        assert_eq!(decide(&Cover::Days(3.0), 3.0, None), Decision::Nothing);
    }

    #[test]
    fn recovery_clears_only_an_untouched_prediction() {
        for cover in [Cover::Days(3.0), Cover::Days(8.0), Cover::NoConsumption] {
            assert_eq!(decide(&cover, 3.0, Some(AlertState::Open)), Decision::Clear);
            assert_eq!(
                decide(&cover, 3.0, Some(AlertState::Acknowledged)),
                Decision::Nothing,
                "taken over by an officer"
            );
            assert_eq!(
                decide(&cover, 3.0, Some(AlertState::InProgress)),
                Decision::Nothing,
                "dispatched"
            );
            assert_eq!(decide(&cover, 3.0, None), Decision::Nothing);
        }
    }

    #[test]
    fn gaps_count_from_the_activation_and_the_last_reach() {
        let now = t(0);
        let day = Duration::hours(24);
        // Not activated: no gaps.
        assert_eq!(gap_cutoff(now, None, day), None);
        assert!(!is_gap(None, gap_cutoff(now, None, day)));
        // Activated 10 hours ago: a day has not passed yet.
        assert_eq!(gap_cutoff(now, Some(t(-10)), day), None);
        // Activated two days ago.
        let cut = gap_cutoff(now, Some(t(-48)), day);
        assert_eq!(cut, Some(t(-24)));
        assert!(is_gap(None, cut), "never reached");
        assert!(is_gap(Some(t(-30)), cut));
        assert!(!is_gap(Some(t(-20)), cut));
        assert!(!is_gap(Some(t(-24)), cut), "exactly one period ago");
    }

    #[test]
    fn failures_in_a_row_reset_when_someone_is_reached() {
        // (attempts, last changed, delivered)
        let d = [(1, t(-30), false), (2, t(-5), false), (1, t(-40), true)];
        assert_eq!(failures_in_a_row(None, &d), 3);
        assert_eq!(failures_in_a_row(Some(t(-10)), &d), 2);
        assert_eq!(failures_in_a_row(Some(t(-1)), &d), 0);
        assert!(needs_welfare_check(2, 2));
        assert!(!needs_welfare_check(1, 2));
        assert!(!needs_welfare_check(5, 0), "0 turns the check off");
    }

    #[test]
    fn defaults_cover_every_item_and_group() {
        let n = Norms::default();
        assert_eq!(n.per_person(ItemClass::Grain), 0.4);
        assert_eq!(n.per_person(ItemClass::Oil), 0.025);
        assert_eq!(n.per_person(ItemClass::Medicine), 0.0);
        for item in ItemClass::ALL {
            assert!(Norms::valid_per_person(n.per_person(*item)), "{item:?}");
        }
        for g in Group::ALL {
            assert!(n.contact_period(*g) >= Duration::hours(24), "{g:?}");
        }
        assert_eq!(n.contact_period(Group::Dialysis), Duration::hours(48));
        assert!(!Norms::valid_per_person(f64::NAN));
        assert!(!Norms::valid_per_person(-0.1));
        assert_eq!(measure(ItemClass::Protective).1, "pcs");
    }

    #[test]
    fn bars_show_short_covers_and_stop_at_full() {
        assert_eq!(bar(Some(0.0), 6.0, 4), "    ");
        assert_eq!(bar(Some(3.0), 6.0, 4), "██  ");
        assert_eq!(bar(Some(60.0), 6.0, 4), "████");
        assert_eq!(bar(Some(0.2), 6.0, 4).chars().next(), Some('▏'));
        assert_eq!(bar(None, 6.0, 4), "    ");
        assert!(
            [0.1, 1.7, 2.9, 5.99, 6.0, 100.0]
                .iter()
                .all(|d| bar(Some(*d), 6.0, 5).chars().count() == 5)
        );
    }

    #[test]
    fn market_kinds_in_both_languages() {
        assert_eq!(MarketKind::parse("囤积居奇"), Some(MarketKind::Hoarding));
        assert_eq!(MarketKind::parse("哄抬物价"), Some(MarketKind::Gouging));
        assert_eq!(MarketKind::parse("price_rise"), Some(MarketKind::PriceRise));
        assert_eq!(MarketKind::Gouging.default_severity(), Severity::High);
        assert_eq!(ContactChannel::parse("上门"), Some(ContactChannel::Visit));
    }
}
