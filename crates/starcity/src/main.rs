//! The `starcity` command line: flags parsed and validated (`cli`, `config`), one module per
//! command (`commands`), every byte out through `output` (atomic files, terminal-safe text),
//! files in through `input` (regular files and stdin only, within the limits).

mod cli;
mod commands;
mod config;
mod input;
mod output;
mod progress;
mod terminal;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};

fn main() -> ExitCode {
    output::install_signal_cleanup();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => commands::run::run(&args),
        Command::Compare(args) => commands::compare::run(&args),
        Command::Check { files } => commands::check::run(&files),
        Command::Calibrate(args) => commands::calibrate::run(&args),
        Command::Chronicle(args) => commands::chronicle::run(&args),
        Command::Report(args) => commands::report::run(&args),
        Command::Rank(args) => commands::rank::run(&args),
        Command::Merge(args) => commands::merge::run(&args),
        Command::Export(args) => commands::export::run(&args),
        Command::Scenarios => commands::scenarios::run(),
        Command::Show(args) => commands::show::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            report_error(&e);
            ExitCode::FAILURE
        }
    }
}

/// Prints an error once, as miette renders it (source snippet, label, help), with control
/// characters from user files escaped. Long lines stay whole so `file:line:col` can be grepped.
/// A file's load errors are printed one by one, not nested under a "N errors" heading.
pub(crate) fn report_error(e: &miette::Report) {
    if let Some(load) = e.downcast_ref::<starcity_core::LoadErrors>() {
        load.errors.iter().for_each(|one| render(one));
        return;
    }
    render(e.as_ref());
}

fn render(e: &dyn miette::Diagnostic) {
    let plain = render_with(e, miette::GraphicalTheme::unicode_nocolor());
    let escaped = terminal::escape(&plain);
    let colour = std::env::var_os("NO_COLOR").is_none() && std::io::IsTerminal::is_terminal(&std::io::stderr());
    // Colours only when nothing needed escaping: escaping a coloured rendering would show its
    // colour codes as text.
    let text = if colour && matches!(escaped, std::borrow::Cow::Borrowed(_)) {
        render_with(e, miette::GraphicalTheme::unicode())
    } else {
        escaped.into_owned()
    };
    // Written, not `eprintln!`ed: a closed or full stderr must not turn an error into a panic.
    let mut err = std::io::stderr().lock();
    let _ = std::io::Write::write_all(&mut err, format!("{}\n", text.trim_end()).as_bytes());
}

fn render_with(e: &dyn miette::Diagnostic, theme: miette::GraphicalTheme) -> String {
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_width(usize::MAX).with_links(false);
    let mut text = String::new();
    if handler.render_report(&mut text, e).is_err() {
        text = e.to_string();
    }
    text
}
