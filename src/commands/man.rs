//! `supplydesk man` and `supplydesk completions SHELL` (hidden): the man
//! page and the completion scripts, generated from the command line's own
//! definition so they cannot drift from it. The Debian package is built
//! with their output (packaging/build-deb).

use std::io::Write;
use std::process::ExitCode;

use clap::CommandFactory;

use super::Outcome;
use crate::cli::{Cli, CompletionsArgs};

pub fn page(out: &mut impl Write) -> Outcome {
    clap_mangen::Man::new(Cli::command()).render(out)?;
    Ok(ExitCode::SUCCESS)
}

pub fn completions(args: &CompletionsArgs, out: &mut impl Write) -> Outcome {
    clap_complete::generate(args.shell, &mut Cli::command(), "supplydesk", out);
    Ok(ExitCode::SUCCESS)
}
