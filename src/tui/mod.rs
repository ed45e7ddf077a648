//! The console: five live panes over the store, navigation, plate lookup,
//! duty notes, the command line and help.
//!
//! `app` holds the state and the one dispatcher (testable without a
//! terminal), `keys` the one key table, `view` draws, `panes/` and
//! `popups/` are the parts, `term` owns the real terminal and the loop.

pub mod app;
pub mod backend;
pub mod feed;
pub mod glyphs;
pub mod keys;
pub mod layout;
pub mod list;
pub mod panes;
pub mod popups;
pub mod probe;
mod term;
pub mod theme;
pub mod view;
pub mod wrap;

use std::path::PathBuf;

use crate::config::Config;
use crate::i18n::Lang;
use crate::store::{OpenOptions, Store, StoreError};

pub use app::{App, ReadOnly, Setup};

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

/// Opens the database for the console: a file this user cannot write is
/// opened read-only, with the banner, rather than refused.
pub fn open_store(
    db: &std::path::Path,
    read_only: bool,
) -> Result<(Store, Option<ReadOnly>), StoreError> {
    let opts = OpenOptions {
        read_only,
        create: false,
        mode: None,
        // Before the screen is taken: the notice stays readable.
        on_upgrade: Some(crate::store::announce_upgrade),
    };
    match Store::open(db, opts) {
        Ok(s) => Ok((s, read_only.then_some(ReadOnly::Asked))),
        Err(StoreError::NotWritable(_)) if !read_only => {
            let s = Store::open(
                db,
                OpenOptions {
                    read_only: true,
                    ..opts
                },
            )?;
            Ok((s, Some(ReadOnly::NotWritable)))
        }
        Err(e) => Err(e),
    }
}

/// Runs the console until the officer quits. The caller has checked that
/// stdin and stdout are terminals.
pub fn run(opts: Options) -> color_eyre::Result<()> {
    let (store, read_only) = open_store(&opts.db, opts.read_only)?;
    let theme = theme::Theme::from_env(opts.config.theme.monochrome);
    let mode_warning = crate::store::file_mode_warning(&opts.db);
    let widths = term::Widths {
        setting: opts.config.theme.ambiguous,
        fallback: opts.config.theme.ambiguous_fallback,
    };
    // Built while the terminal answers the width probe.
    let build = move || {
        let mut app = App::new(
            store,
            Setup {
                read_only,
                officer: opts.officer,
                lang: opts.lang,
                config: opts.config,
                theme,
            },
        );
        // Printed before the screen is taken it would stay hidden until exit.
        if let Some(m) = mode_warning {
            app.flash(app::Level::Warn, m);
        }
        app
    };
    term::run(widths, build)
}
