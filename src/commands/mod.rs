//! What each command does, and the one place where outcomes become exit
//! codes: 0 done, 1 the log chain is broken, 2 a mistake to fix (one
//! sentence on stderr), 3 no valid pass. Anything else is a bug and goes to
//! color-eyre with its report.

mod backup;
mod console;
mod demo;
mod doctor;
mod export;
mod handover;
mod import;
mod init;
mod log;
mod lookup;
mod man;
mod notify;
mod pass;
mod privacy;
mod supply;

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono_tz::Tz;

use supplydesk::config::Config;
use supplydesk::i18n::Lang;
use supplydesk::msg;
use supplydesk::msg::Msg;
use supplydesk::store::{Actor, OpenOptions, Store, StoreError};

use crate::cli::{Cli, Command, LogCommand};

/// Where the database lives when neither `--db`, `$SUPPLYDESK_DB` nor the
/// config says.
const DEFAULT_DB: &str = "data/supplydesk.db";

/// Exit codes beyond 0.
pub const EXIT_BROKEN: u8 = 1;
pub const EXIT_USER: u8 = 2;
pub const EXIT_NOT_VALID: u8 = 3;

/// Why a command stopped early.
#[derive(Debug)]
pub enum Failure {
    /// A mistake the user can fix: one sentence, exit 2.
    User(Msg),
    /// Writing the output failed (a closed pipe is not an error).
    Io(io::Error),
    /// A bug: the full report.
    Bug(color_eyre::Report),
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::User(e.message())
    }
}

impl From<Msg> for Failure {
    fn from(m: Msg) -> Self {
        Failure::User(m)
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Io(e)
    }
}

pub type Outcome = Result<ExitCode, Failure>;

/// Everything a command needs from the flags, the environment and the
/// config, resolved once.
pub struct Ctx {
    pub config: Config,
    pub lang: Lang,
    pub db: PathBuf,
    pub officer: Option<String>,
    pub read_only: bool,
}

impl Ctx {
    pub fn tz(&self) -> Tz {
        self.config.tz()
    }

    /// Opens the database for reading only: lookups must work for users
    /// who cannot write, and must never change the file.
    pub fn open_for_reading(&self) -> Result<Store, Failure> {
        Ok(Store::open(
            &self.db,
            OpenOptions {
                read_only: true,
                ..Default::default()
            },
        )?)
    }

    /// Opens an existing database for a change, refusing early in a
    /// read-only session.
    pub fn open_for_writing(&self) -> Result<Store, Failure> {
        self.refuse_if_read_only()?;
        Ok(Store::open(
            &self.db,
            OpenOptions {
                mode: Some(self.config.mode()),
                on_upgrade: Some(supplydesk::store::announce_upgrade),
                ..Default::default()
            },
        )?)
    }

    /// Opens the database, creating it (and its directory) when missing.
    pub fn open_or_create(&self, path: &Path) -> Result<Store, Failure> {
        self.refuse_if_read_only()?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.exists()
        {
            std::fs::create_dir_all(dir).map_err(|e| {
                let (d, e) = (dir.display(), e.to_string());
                msg!("无法创建目录 {d}：{e}；请检查权限或换一个 --db 路径。",
                     "Cannot create the directory {d}: {e}; check its permissions or choose another --db path.")
            })?;
        }
        Ok(Store::open(
            path,
            OpenOptions {
                create: true,
                mode: Some(self.config.mode()),
                on_upgrade: Some(supplydesk::store::announce_upgrade),
                ..Default::default()
            },
        )?)
    }

    pub fn refuse_if_read_only(&self) -> Result<(), Failure> {
        if self.read_only {
            return Err(StoreError::ReadOnly.into());
        }
        Ok(())
    }

    /// The officer for a change; commands that write refuse without one.
    pub fn actor(&self) -> Result<Actor, Failure> {
        match &self.officer {
            Some(o) => Ok(Actor::from_env(o)),
            None => Err(Failure::User(msg!(
                "未指定值班员，不能记录；请加 --officer 姓名（或设置 SUPPLYDESK_OFFICER，或在配置中写 officer）。",
                "No officer is named, so nothing can be recorded; pass --officer NAME (or set SUPPLYDESK_OFFICER, or officer in the config)."
            ))),
        }
    }

    /// The officer named, or `fallback` for commands that the system does
    /// on its own (`init`, `demo`).
    pub fn actor_or(&self, fallback: &str) -> Actor {
        Actor::from_env(self.officer.as_deref().unwrap_or(fallback))
    }
}

/// Language before the config is read: the flag, then the environment.
fn early_lang(cli: &Cli) -> Lang {
    cli.global
        .lang
        .map(Lang::from)
        .or_else(Lang::from_env)
        .unwrap_or_default()
}

/// Resolves flags, environment and config into a [`Ctx`].
fn context(cli: &Cli) -> Result<Ctx, Msg> {
    let loaded = Config::load(cli.global.config.as_deref())?;
    let mut config = loaded.config;
    if let Some(a) = cli.ambiguous {
        config.theme.ambiguous = a;
    }
    let lang = cli
        .global
        .lang
        .map(Lang::from)
        .or(config.language)
        .or_else(Lang::from_env)
        .unwrap_or_default();
    let db = cli
        .global
        .db
        .clone()
        .or_else(|| config.database.clone())
        .unwrap_or_else(|| PathBuf::from(DEFAULT_DB));
    let officer = cli
        .global
        .officer
        .clone()
        .or_else(|| config.officer.clone())
        .map(|o| o.trim().to_string())
        .filter(|o| !o.is_empty());
    Ok(Ctx {
        config,
        lang,
        db,
        officer,
        read_only: cli.global.read_only,
    })
}

/// Runs the command line and turns the outcome into an exit code. Only a
/// bug comes back as an error, for color-eyre to report.
pub fn run(cli: Cli) -> color_eyre::Result<ExitCode> {
    let (lang, outcome) = match context(&cli) {
        // These need no config: `doctor` reports a bad one as a check.
        Err(_) if matches!(&cli.command, Some(c) if standalone(c)) => {
            let lang = early_lang(&cli);
            (lang, without_ctx(&cli, lang, None))
        }
        Err(m) => (early_lang(&cli), Err(Failure::User(m))),
        Ok(ctx) => (ctx.lang, dispatch(&cli, &ctx)),
    };
    match outcome {
        Ok(code) => Ok(code),
        Err(Failure::User(m)) => {
            let _ = io::stdout().flush();
            // Messages quote what the user typed; whatever else does, no
            // escape sequence reaches the terminal from here.
            eprintln!(
                "supplydesk: {}",
                supplydesk::domain::text::sanitize(m.get(lang))
            );
            Ok(ExitCode::from(EXIT_USER))
        }
        // `supplydesk log list | head` closes the pipe early: not a failure.
        Err(Failure::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(Failure::Io(e)) => {
            let e = e.to_string();
            eprintln!(
                "supplydesk: {}",
                msg!("无法输出结果：{e}", "Cannot write the output: {e}").get(lang)
            );
            Ok(ExitCode::from(EXIT_USER))
        }
        Err(Failure::Bug(report)) => Err(report),
    }
}

fn dispatch(cli: &Cli, ctx: &Ctx) -> Outcome {
    // For a person at a terminal, not for scripts and pipes (whose stderr
    // is one sentence or nothing); checkpoint staff on the lookup key can
    // do nothing about it.
    if !matches!(&cli.command, Some(c) if matches!(c, Command::Lookup) || standalone(c))
        && io::stderr().is_terminal()
        && let Some(w) = supplydesk::store::file_mode_warning(&ctx.db)
    {
        eprintln!("supplydesk: {}", w.get(ctx.lang));
    }
    let mut out = io::stdout().lock();
    let code = match &cli.command {
        None => console::run(ctx, cli.demo)?,
        Some(Command::Init) => init::run(ctx, &mut out)?,
        Some(Command::Demo(a)) => demo::run(ctx, a, &mut out)?,
        Some(Command::Pass(a)) => pass::run(ctx, a, &mut out)?,
        Some(Command::Log(LogCommand::Add(a))) => log::add(ctx, a, &mut out)?,
        Some(Command::Log(LogCommand::List(a))) => log::list(ctx, a, &mut out)?,
        Some(Command::Log(LogCommand::Verify(a))) => log::verify(ctx, a, &mut out)?,
        Some(Command::Handover(a)) => handover::report(ctx, a, &mut out)?,
        Some(Command::Shift(c)) => handover::shift(ctx, c, &mut out)?,
        Some(Command::Import(a)) => import::run(ctx, a, &mut out)?,
        Some(Command::Export(a)) => export::run(ctx, a, &mut out)?,
        Some(Command::Backup(a)) => backup::run(ctx, a, &mut out)?,
        Some(Command::Lookup) => lookup::run(ctx, &mut out)?,
        Some(Command::Privacy(c)) => privacy::run(ctx, c, &mut out)?,
        Some(Command::Cover(a)) => supply::cover(ctx, a, &mut out)?,
        Some(Command::Stock(a)) => supply::stock(ctx, a, &mut out)?,
        Some(Command::Norm(a)) => supply::norm(ctx, a, &mut out)?,
        Some(Command::Market(a)) => supply::market(ctx, a, &mut out)?,
        Some(Command::Contact(a)) => supply::contact(ctx, a, &mut out)?,
        Some(Command::Gaps(a)) => supply::gaps(ctx, a, &mut out)?,
        Some(Command::Notify(a)) => notify::run(ctx, a, &mut out)?,
        Some(Command::Doctor(_) | Command::Man(_) | Command::Completions(_)) => {
            without_ctx(cli, ctx.lang, Some(ctx.db.clone()))?
        }
    };
    out.flush()?;
    Ok(code)
}

/// Commands that run without a usable config.
fn standalone(c: &Command) -> bool {
    matches!(
        c,
        Command::Doctor(_) | Command::Man(_) | Command::Completions(_)
    )
}

/// `doctor`, `man`, `completions`; `db` as resolved, when the config could
/// be read.
fn without_ctx(cli: &Cli, lang: Lang, db: Option<PathBuf>) -> Outcome {
    let mut out = io::stdout().lock();
    let db = db
        .or_else(|| cli.global.db.clone())
        .unwrap_or_else(|| PathBuf::from(DEFAULT_DB));
    let code = match &cli.command {
        Some(Command::Doctor(a)) => doctor::run(cli, a, lang, db, &mut out)?,
        Some(Command::Man(a)) => man::page(a, &mut out)?,
        Some(Command::Completions(a)) => man::completions(a, &mut out)?,
        _ => {
            return Err(Failure::Bug(color_eyre::eyre::eyre!(
                "not a standalone command"
            )));
        }
    };
    out.flush()?;
    Ok(code)
}

/// Bold on a terminal that allows it; plain in pipes and under NO_COLOR.
pub fn bold(s: &str) -> String {
    let plain =
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) || !io::stdout().is_terminal();
    if plain {
        s.to_string()
    } else {
        format!("\x1b[1m{s}\x1b[0m")
    }
}
