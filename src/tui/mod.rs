//! The console. (Being built: see issue 3.)

use std::path::PathBuf;

use crate::config::Config;
use crate::i18n::Lang;

/// What the command line hands to the console.
#[derive(Debug, Clone)]
pub struct Options {
    pub db: PathBuf,
    pub read_only: bool,
    /// `--officer`, `$SUPPLYDESK_OFFICER` or the config; `None`: ask at start.
    pub officer: Option<String>,
    pub lang: Lang,
    pub config: Config,
}

/// Runs the console until the officer quits. The caller has checked that
/// stdin and stdout are terminals.
pub fn run(_opts: Options) -> color_eyre::Result<()> {
    Err(color_eyre::eyre::eyre!("the console is not built yet"))
}
