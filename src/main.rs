//! The `supplydesk` binary: parse the command line, run the command, turn
//! its outcome into an exit code. The work lives in `commands/`.

mod cli;
mod commands;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;

fn main() -> ExitCode {
    // Before anything else, so that a panic (a bug) prints a readable
    // report; user mistakes never get that far. Colours only on a
    // terminal that wants them: a pipe or a log file gets plain text.
    let colour = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let hook = if colour {
        color_eyre::config::HookBuilder::default()
    } else {
        color_eyre::config::HookBuilder::default().theme(color_eyre::config::Theme::new())
    };
    if let Err(e) = hook.install() {
        eprintln!("supplydesk: cannot install the error reporter: {e}");
    }
    let cli = match cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    if let Some(e) = cli.demo_with_command() {
        return usage_error(e);
    }
    // A bug exits 1, as the README says (not Rust's 101), after the
    // report the hook printed.
    match std::panic::catch_unwind(|| commands::run(cli)) {
        Ok(Ok(code)) => code,
        Ok(Err(report)) => {
            eprintln!("supplydesk: {report:?}");
            ExitCode::FAILURE
        }
        Err(_) => ExitCode::FAILURE,
    }
}

/// Help and version as clap prints them; a usage mistake as one sentence,
/// `supplydesk: what was wrong; see supplydesk CMD --help.`, exit 2. The
/// parser words the mistake in English.
fn usage_error(e: clap::Error) -> ExitCode {
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
    }
    eprintln!("supplydesk: {}", one_sentence(&e.render().to_string()));
    ExitCode::from(2)
}

/// clap's message (`error: …`, indented details, tips, a usage line) made
/// one line naming the help to read.
fn one_sentence(rendered: &str) -> String {
    let mut what: Vec<&str> = Vec::new();
    let mut command = String::from("supplydesk");
    for line in rendered.lines().map(str::trim) {
        if let Some(usage) = line.strip_prefix("Usage: ") {
            command = usage
                .split_whitespace()
                .take_while(|w| !w.starts_with(['[', '<', '-']))
                .collect::<Vec<_>>()
                .join(" ");
        } else if line.is_empty()
            || line.starts_with("tip:")
            || line.starts_with("For more information")
        {
            continue;
        } else {
            what.push(line.strip_prefix("error: ").unwrap_or(line));
        }
    }
    let what = what.join(" ");
    let what = what.trim_end_matches(['.', ':']);
    format!("{what}; see `{command} --help`.")
}

#[cfg(test)]
mod tests {
    use super::one_sentence;

    #[test]
    fn a_parser_error_becomes_one_line_naming_the_help() {
        let clap_text = "error: the following required arguments were not provided:\n  --to <NAME>\n\nUsage: supplydesk shift end --to <NAME>\n\nFor more information, try '--help'.\n";
        assert_eq!(
            one_sentence(clap_text),
            "the following required arguments were not provided: --to <NAME>; see `supplydesk shift end --help`."
        );
        let clap_text = "error: unexpected argument '--bogus' found\n\n  tip: to pass '--bogus' as a value, use '-- --bogus'\n\nUsage: supplydesk cover [OPTIONS]\n\nFor more information, try '--help'.\n";
        assert_eq!(
            one_sentence(clap_text),
            "unexpected argument '--bogus' found; see `supplydesk cover --help`."
        );
    }
}
