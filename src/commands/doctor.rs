//! `supplydesk doctor`: the deployment's checks (see `supplydesk::doctor`),
//! one line each, then a summary; `--json` for monitoring. Exit 0 when no
//! check failed, 1 otherwise.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use supplydesk::config::Config;
use supplydesk::doctor::{self, FULL_VERIFY_MAX, Input, Status};
use supplydesk::domain::text::sanitize;
use supplydesk::i18n::Lang;

use super::{EXIT_BROKEN, Outcome, bold};
use crate::cli::{Cli, DoctorArgs};

pub fn run(cli: &Cli, args: &DoctorArgs, lang: Lang, db: PathBuf, out: &mut impl Write) -> Outcome {
    let report = doctor::run(Input {
        config: Config::load(cli.global.config.as_deref()),
        db,
        now: chrono::Utc::now(),
        full_verify_max: FULL_VERIFY_MAX,
    });
    if args.json {
        writeln!(out, "{}", report.to_json(lang))?;
    } else {
        for c in &report.checks {
            let label = format!("{:<4}", c.status.label(lang));
            let label = if c.status == Status::Fail {
                bold(&label)
            } else {
                label
            };
            writeln!(out, "{label} {}", sanitize(c.msg.get(lang)))?;
        }
        writeln!(out, "{}", report.summary().get(lang))?;
    }
    Ok(if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_BROKEN)
    })
}
