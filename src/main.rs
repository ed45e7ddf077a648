//! The `supplydesk` binary: parse the command line, run the command, turn
//! its outcome into an exit code. The work lives in `commands/`.

mod cli;
mod commands;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Before anything else, so that a panic (a bug) prints a readable
    // report; user mistakes never get that far.
    if let Err(e) = color_eyre::install() {
        eprintln!("supplydesk: cannot install the error reporter: {e}");
    }
    let cli = cli::Cli::parse();
    if let Some(e) = cli.demo_with_command() {
        e.exit();
    }
    match commands::run(cli) {
        Ok(code) => code,
        Err(report) => {
            eprintln!("supplydesk: {report:?}");
            ExitCode::FAILURE
        }
    }
}
