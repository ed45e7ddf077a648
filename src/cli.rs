//! The command line: every command and flag, described once for clap.
//!
//! Kinds and times are taken as text and read by the domain's own parsers
//! (which know the Chinese labels and aliases), so a mistake gets the
//! product's bilingual sentence rather than clap's generic one.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use supplydesk::demo::DemoOptions;
use supplydesk::i18n::Lang;

/// Duty-desk console of the emergency living-supplies guarantee plan
/// (生活物资保障值守台).
///
/// Without a command: the console (needs a terminal). With a command: one
/// answer for scripts and one-liners over SSH.
#[derive(Debug, Parser)]
#[command(name = "supplydesk", version)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,

    /// Open the console on data/demo.db, made with demo data when missing
    /// (打开演示数据库)
    #[arg(long)]
    pub demo: bool,

    /// How the terminal draws East Asian ambiguous characters (box drawing,
    /// `· — … ●`): auto asks it; wide draws the console in ASCII
    /// [default: config `ambiguous`, then auto] (东亚宽度不明字符)
    #[arg(long, env = "SUPPLYDESK_AMBIGUOUS", value_name = "WIDTH")]
    pub ambiguous: Option<supplydesk::config::Ambiguous>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// `--demo` names the console; with a command it is a usage error
    /// (exit 2, like clap's own). Global flags may still stand before the
    /// command, so clap's all-or-nothing conflict setting does not fit.
    pub fn demo_with_command(&self) -> Option<clap::Error> {
        use clap::CommandFactory;
        (self.demo && self.command.is_some()).then(|| {
            Cli::command().error(
                clap::error::ErrorKind::ArgumentConflict,
                "--demo opens the console and cannot be combined with a command",
            )
        })
    }
}

/// Flags every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// Database file [default: config `database`, then data/supplydesk.db]
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        env = "SUPPLYDESK_DB",
        value_name = "PATH"
    )]
    pub db: Option<PathBuf>,

    /// Config file [default: $SUPPLYDESK_CONFIG, ./config/supplydesk.toml,
    /// $XDG_CONFIG_HOME/supplydesk/config.toml, /etc/supplydesk/config.toml]
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "PATH"
    )]
    pub config: Option<PathBuf>,

    /// The officer on duty, recorded on every entry [default: config `officer`]
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        env = "SUPPLYDESK_OFFICER",
        value_name = "NAME"
    )]
    pub officer: Option<String>,

    /// Look, change nothing (只读)
    #[arg(long, global = true, help_heading = "Global options")]
    pub read_only: bool,

    /// Language of messages [default: config `language`, then LANG, then zh]
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_enum,
        value_name = "LANG"
    )]
    pub lang: Option<LangArg>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    Zh,
    En,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::Zh => Lang::Zh,
            LangArg::En => Lang::En,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an empty database with the configured posts (创建数据库)
    Init,

    /// Fill a new database with deterministic demo data (生成演示数据)
    Demo(DemoArgs),

    /// Pass verdict for a plate typed in any common form (查通行证); exit 0
    /// valid, 3 not valid or unknown, 2 error
    Pass(PassArgs),

    /// Write, read and check the duty log (值守日志)
    #[command(subcommand)]
    Log(LogCommand),

    /// The handover report of a shift (交接班报告): the shift on duty or the
    /// most recent one; with no shift at all, the last 12 hours
    Handover(HandoverArgs),

    /// Start a shift, hand it over, acknowledge a handover (交接班)
    #[command(subcommand)]
    Shift(ShiftCommand),

    /// Import a ledger from .xlsx or .csv, all or nothing (导入台账); exit 0
    /// imported, 1 bad rows (nothing imported), 2 error
    Import(ImportArgs),

    /// Export a ledger as CSV, XLSX or JSON, or its template (导出台账)
    Export(ExportArgs),

    /// A consistent copy of the live database, checked before it is put in
    /// place (备份); exit 0 done, 1 the copy shows damage, 2 error
    Backup(BackupArgs),

    /// Personal data (个人信息): callers kept from free text, a logged
    /// reveal of a caller's number, erasure when the emergency ends
    #[command(subcommand)]
    Privacy(PrivacyCommand),

    /// Lookup-only mode for checkpoint staff, as the forced command of their
    /// key in authorized_keys: answers only `pass PLATE [--json]`, read from
    /// SSH_ORIGINAL_COMMAND (仅查车牌)
    Lookup,

    /// Days of cover per community and item class (供需测算): stock ÷
    /// (daily need − daily supply in)
    Cover(CoverArgs),

    /// Record a stock report of a community, unit, outlet or transfer
    /// station (库存报告); raises or clears the predicted shortage alert
    Stock(StockArgs),

    /// A community's own daily need per person of an item (需求标准)
    Norm(NormArgs),

    /// Report a price rise, hoarding or gouging at a unit or outlet
    /// (市场监测); an alert for 市场监管所
    Market(MarketArgs),

    /// Log a call or visit to a special-group recipient (联系记录)
    Contact(ContactArgs),

    /// Who is not being reached (覆盖缺口), welfare checks, compounds and
    /// buildings without a transfer station or point
    Gaps(GapsArgs),

    /// Post what the work groups must know (通知工作群): deliver the outbox
    /// once (for cron) or keep delivering with --follow; `notify test
    /// CHANNEL` posts a test message, `notify status` shows each channel
    Notify(NotifyArgs),

    /// Check this installation line by line (自检): config, database,
    /// schema, modes, WAL, disk, backups, chain; exit 0 all well, 1 not
    Doctor(DoctorArgs),

    /// The man page in roff, from this command line (for packaging)
    #[command(hide = true)]
    Man(ManArgs),

    /// A shell's completion script (for packaging)
    #[command(hide = true)]
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print one JSON object instead of text (for monitoring)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write supplydesk.1 and a page per command (supplydesk-log-add.1 …)
    /// into this directory instead of supplydesk.1 to stdout
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct NotifyArgs {
    #[command(subcommand)]
    pub what: Option<NotifyCommand>,

    /// Keep running and post each message as it is recorded (the service)
    #[arg(long)]
    pub follow: bool,
}

#[derive(Debug, Subcommand)]
pub enum NotifyCommand {
    /// Post a test message to one channel and say what it answered
    Test {
        /// The channel's name in the config
        channel: String,
    },
    /// Messages waiting and each channel's state
    Status,
}

#[derive(Debug, Subcommand)]
pub enum PrivacyCommand {
    /// Callers whose numbers were in free text (来电人), numbers masked
    Callers,

    /// Show a caller's number for a call-back; recorded in the duty log
    /// (查看来电号码)
    Reveal(RevealArgs),

    /// Erase the personal data of recipients, contact notes, callers and
    /// drivers unchanged since DATE, once the plan is back to normal
    /// (删除个人信息); without --apply only counts what it would erase
    Erase(EraseArgs),
}

#[derive(Debug, Args)]
pub struct RevealArgs {
    /// The caller's number, as in 〔来电人#7〕
    #[arg(value_name = "CALLER")]
    pub caller: i64,
}

#[derive(Debug, Args)]
pub struct EraseArgs {
    /// Records unchanged since before this day (YYYY-MM-DD, local time);
    /// at most today minus the retention period in the config
    /// ([privacy] retention_days) [default: that day]
    #[arg(long, value_name = "DATE")]
    pub before: Option<String>,

    /// Erase; without it, only print the counts
    #[arg(long)]
    pub apply: bool,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Where the copy goes (a new file; it gets the config's file_mode)
    #[arg(value_name = "FILE", required_unless_present = "rotate")]
    pub file: Option<PathBuf>,

    /// Replace FILE if it exists
    #[arg(long, conflicts_with = "rotate")]
    pub force: bool,

    /// Into the config's [backup] dir as supplydesk-<UTC time>.db with its
    /// chain head beside it (.head), then keep only what [backup]'s
    /// retention says (what the systemd timer runs)
    #[arg(long, conflicts_with = "file")]
    pub rotate: bool,

    /// With --rotate: this directory instead of the config's
    #[arg(long, value_name = "DIR", requires = "rotate")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct HandoverArgs {
    /// The shift's number (see `supplydesk shift list`)
    #[arg(long, value_name = "ID")]
    pub shift: Option<i64>,

    /// text: plain and short, to paste into a work group (WeChat,
    /// DingTalk); md: Markdown with every list, for the archive; json:
    /// for programs
    #[arg(long, value_enum, default_value_t = ReportFormat::Text, value_name = "FORMAT")]
    pub format: ReportFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Md,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum ShiftCommand {
    /// Go on duty (上岗); the officer is --officer
    Start,

    /// End your shift, handing it over to the incoming officer (交班);
    /// again while nobody has acknowledged it, to name another (改交)
    End(ShiftEndArgs),

    /// Acknowledge the handover to you, one carry-over item, or all (接班确认)
    Ack(ShiftAckArgs),

    /// Past and present shifts, newest first (班次列表)
    List(ShiftListArgs),
}

#[derive(Debug, Args)]
pub struct ShiftEndArgs {
    /// The incoming officer, who acknowledges the handover
    #[arg(long, value_name = "NAME")]
    pub to: String,

    /// The cut-off, if not now: "08:00", "2026-11-29 08:00", "-10m";
    /// what happens after it belongs to the next report
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub cutoff: Option<String>,

    /// A standing instruction for the incoming officer (交代事项), one
    /// line; may be given more than once
    #[arg(long = "instruct", value_name = "TEXT")]
    pub instruct: Vec<String>,

    /// Something for the incoming officer to keep an eye on (关注事项),
    /// one line; may be given more than once
    #[arg(long = "watch", value_name = "TEXT")]
    pub watch: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ShiftAckArgs {
    /// Acknowledge carry-over item N (this signs for the handover too)
    #[arg(long, value_name = "N", conflicts_with_all = ["all", "section"])]
    pub item: Option<i64>,

    /// Acknowledge the items of one section at once: alert, delivery,
    /// pass, reach, cover, carried, instruction, watch (or 预警, 配送, …)
    #[arg(long, value_name = "SECTION", conflicts_with = "all")]
    pub section: Option<String>,

    /// Acknowledge the handover and every carry-over item at once
    #[arg(long)]
    pub all: bool,

    /// The shift handed over [default: the newest handover to you]
    #[arg(long, value_name = "ID")]
    pub shift: Option<i64>,
}

#[derive(Debug, Args)]
pub struct ShiftListArgs {
    /// At most this many of the newest shifts; 0 for all
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub limit: u32,

    /// Print a JSON array instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Multiply the volume (100: a million log entries, for benchmarks)
    #[arg(long, default_value_t = DemoOptions::default().scale,
          value_parser = clap::value_parser!(u32).range(1..=1000), value_name = "N")]
    pub scale: u32,

    /// Seed of the generator: the same seed gives the same data
    #[arg(long, default_value_t = DemoOptions::default().seed, value_name = "S")]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct PassArgs {
    /// The plate, e.g. 渝F12345, "渝f·12345", "渝 F 1234 5"
    #[arg(value_name = "PLATE", allow_hyphen_values = true)]
    pub plate: String,

    /// Print one JSON object instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Add an entry: a note, a call or an instruction (记一笔)
    Add(LogAddArgs),

    /// List entries, newest first (查看日志)
    List(LogListArgs),

    /// Check the hash chain; names the first bad entry (校验日志); exit 0
    /// ok, 1 broken
    Verify(LogVerifyArgs),
}

#[derive(Debug, Args)]
pub struct LogVerifyArgs {
    /// Also check the log against the chain head printed in a handover
    /// report (Markdown or JSON): the entry there must still have that hash
    #[arg(long, value_name = "FILE")]
    pub against_report: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct LogAddArgs {
    /// What happened; several words are joined with spaces
    #[arg(required = true, num_args = 1.., value_name = "TEXT")]
    pub text: Vec<String>,

    /// note, call or instruction (记事、来电、指示)
    #[arg(long, default_value = "note", value_name = "KIND")]
    pub kind: String,

    /// When it happened, if not just now: "2026-11-29 08:30", "08:30", "-2h"
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub at: Option<String>,

    /// The number of an earlier entry this one corrects
    #[arg(long, value_name = "SEQ")]
    pub corrects: Option<i64>,

    /// For a call: who called (来电人)
    #[arg(long, value_name = "NAME")]
    pub caller: Option<String>,

    /// For a call: the community or unit they called from (来电单位)
    #[arg(long, value_name = "PLACE", requires = "caller")]
    pub from: Option<String>,
}

#[derive(Debug, Args)]
pub struct LogListArgs {
    /// Entries recorded at or after this time ("2026-11-29 08:00", "-8h")
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub since: Option<String>,

    /// Entries recorded before this time
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub until: Option<String>,

    /// change, note, call, instruction, handover or access
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,

    /// Entries whose text contains this
    #[arg(long, value_name = "TEXT")]
    pub grep: Option<String>,

    /// Entries written by this officer (the global --officer names who you are)
    #[arg(long, value_name = "OFFICER")]
    pub by: Option<String>,

    /// Entries about this community's records, or naming it
    #[arg(long, value_name = "COMMUNITY")]
    pub community: Option<String>,

    /// At most this many of the newest entries; 0 for all
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub limit: u32,

    /// Print a JSON array instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// communities, compounds, buildings, stations, points, outlets, units,
    /// staff, vehicles, passes, volunteers, recipients, stock (or 车辆, 附表5 …)
    #[arg(value_name = "KIND")]
    pub kind: String,

    /// The .xlsx or .csv file (CSV in UTF-8, UTF-8 with BOM or GB18030/GBK)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Check every row and say what would be added and changed; write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// The worksheet to read, by its name or its number from 1 (工作表);
    /// without it the sheet that surely holds KIND is taken, or the
    /// import is refused listing the sheets
    #[arg(long, value_name = "NAME|N")]
    pub sheet: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The ledger, as for import
    #[arg(value_name = "KIND")]
    pub kind: String,

    /// [default: from --output's extension, else csv]
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<LedgerFormat>,

    /// Write to this file instead of stdout
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// The sheet's headers with example rows, to fill in (台账模板)
    #[arg(long)]
    pub template: bool,

    /// Recipients' personal data unmasked; recorded in the duty log
    #[arg(long, conflicts_with = "template")]
    pub unmasked: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LedgerFormat {
    Csv,
    Xlsx,
    Json,
}

#[derive(Debug, Args)]
pub struct CoverArgs {
    /// Only this community
    #[arg(long, value_name = "COMMUNITY")]
    pub community: Option<String>,

    /// Only the cells below the threshold
    #[arg(long)]
    pub below: bool,

    /// Every item class, also those nobody needs and nobody reported
    #[arg(long)]
    pub all: bool,

    /// Apply the predicted-alert rules now (a source fallen silent, a
    /// changed norm), writing what they raise or clear
    #[arg(long)]
    pub refresh: bool,

    /// The stock reports of one item class of the --community, newest
    /// first: the time series the cover is worked out from
    #[arg(long, value_name = "ITEM", requires = "community", conflicts_with_all = ["below", "all", "refresh"])]
    pub history: Option<String>,

    /// With --history: at most this many reports; 0 for all
    #[arg(long, default_value_t = 20, value_name = "N", requires = "history")]
    pub limit: u32,

    /// Print a JSON array instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct StockArgs {
    /// The community or village the figures are for
    #[arg(value_name = "COMMUNITY")]
    pub community: String,

    /// grain, oil, meat, vegetables, eggs_milk, medicine, infant_formula,
    /// protective, other (粮、油、肉、菜 …)
    #[arg(value_name = "ITEM")]
    pub item: String,

    /// Stock on hand: 3200, 3200kg, 3.2t, 500斤 (protective supplies: pieces)
    #[arg(value_name = "STOCK", allow_hyphen_values = true)]
    pub stock: String,

    /// Supply coming in a day, in the same measure [default: 0]
    #[arg(long, value_name = "X", allow_hyphen_values = true)]
    pub supply_in: Option<String>,

    /// When the figures were true, if not now: "08:00", "-3h"
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub at: Option<String>,

    /// The supply unit that reported
    #[arg(long, value_name = "UNIT", conflicts_with_all = ["outlet", "station"])]
    pub unit: Option<String>,

    /// The outlet that reported
    #[arg(long, value_name = "OUTLET", conflicts_with = "station")]
    pub outlet: Option<String>,

    /// The compound whose transfer station reported
    #[arg(long, value_name = "COMPOUND")]
    pub station: Option<String>,

    /// Who gave the figures
    #[arg(long, value_name = "NAME")]
    pub reporter: Option<String>,

    /// How they came in: 电话, 报表 …
    #[arg(long, value_name = "TEXT")]
    pub via: Option<String>,

    /// Print one JSON object instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct NormArgs {
    #[arg(value_name = "COMMUNITY")]
    pub community: String,

    #[arg(value_name = "ITEM")]
    pub item: String,

    /// kg per person per day (protective supplies: pieces), or `default`
    #[arg(value_name = "VALUE")]
    pub value: String,
}

#[derive(Debug, Args)]
pub struct MarketArgs {
    /// price_rise, hoarding or gouging (价格上涨、囤积居奇、哄抬物价)
    #[arg(value_name = "KIND")]
    pub kind: String,

    /// What was seen; several words are joined with spaces
    #[arg(required = true, num_args = 1.., value_name = "TEXT")]
    pub text: Vec<String>,

    /// The supply unit reported
    #[arg(long, value_name = "UNIT", conflicts_with = "outlet")]
    pub unit: Option<String>,

    /// The outlet reported
    #[arg(long, value_name = "OUTLET")]
    pub outlet: Option<String>,

    /// The community whose board it goes on [default: the unit's or outlet's]
    #[arg(long, value_name = "COMMUNITY")]
    pub community: Option<String>,

    /// The item class concerned [default: other]
    #[arg(long, value_name = "ITEM")]
    pub item: Option<String>,

    /// [default: high for hoarding and gouging, medium for a price rise]
    #[arg(long, value_name = "SEVERITY")]
    pub severity: Option<String>,

    /// Who reported it
    #[arg(long, value_name = "TEXT")]
    pub source: Option<String>,
}

#[derive(Debug, Args)]
pub struct ContactArgs {
    /// The recipient's number (as in the queue)
    #[arg(value_name = "RECIPIENT")]
    pub recipient: i64,

    /// phone, visit, video or other (电话、上门、视频、其他)
    #[arg(long, default_value = "phone", value_name = "HOW")]
    pub channel: String,

    /// Nobody answered: recorded, but it does not count as reaching them
    #[arg(long)]
    pub not_reached: bool,

    /// What was said or seen
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,

    /// When, if not now: "08:30", "-2h"
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub at: Option<String>,
}

#[derive(Debug, Args)]
pub struct GapsArgs {
    /// Queue a delivery for every gap that has none yet, then list
    #[arg(long)]
    pub queue: bool,

    /// At most this many rows of each list; 0 for all
    #[arg(long, default_value_t = 50, value_name = "N")]
    pub limit: u32,

    /// Print one JSON object instead of text
    #[arg(long)]
    pub json: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_flags_work_after_the_subcommand() {
        let cli = Cli::try_parse_from([
            "supplydesk",
            "log",
            "add",
            "x",
            "--db",
            "a.db",
            "--lang",
            "en",
        ])
        .expect("parses");
        assert_eq!(cli.global.db, Some(PathBuf::from("a.db")));
        assert_eq!(cli.global.lang, Some(LangArg::En));
    }

    #[test]
    fn demo_flag_and_a_command_do_not_mix() {
        let cli = Cli::try_parse_from(["supplydesk", "--demo", "init"]).expect("parses");
        assert!(cli.demo_with_command().is_some());
        let cli = Cli::try_parse_from(["supplydesk", "--demo", "--lang", "en"]).expect("parses");
        assert!(cli.demo_with_command().is_none());
    }
}
