//! `supplydesk man` and `supplydesk completions SHELL` (hidden): the man
//! page and the completion scripts, generated from the command line's own
//! definition so they cannot drift from it. The Debian package is built
//! with their output (packaging/build-deb).

use std::io::Write;
use std::process::ExitCode;

use clap::CommandFactory;

use super::Outcome;
use crate::cli::{Cli, CompletionsArgs, ManArgs};

pub fn page(args: &ManArgs, out: &mut impl Write) -> Outcome {
    match &args.dir {
        // The main page names a page per command (supplydesk-log(1) …):
        // they are all written, hidden commands left out.
        Some(dir) => clap_mangen::generate_to(Cli::command(), dir)?,
        None => clap_mangen::Man::new(Cli::command()).render(out)?,
    }
    Ok(ExitCode::SUCCESS)
}

pub fn completions(args: &CompletionsArgs, out: &mut impl Write) -> Outcome {
    clap_complete::generate(args.shell, &mut Cli::command(), "supplydesk", out);
    Ok(ExitCode::SUCCESS)
}
