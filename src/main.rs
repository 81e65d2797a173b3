//! The `starcity` command line. Kept tiny: parsing and dispatch only; the work is in the library.

use clap::{Parser, Subcommand};
use starcity::calibrate::{self, CalibrateArgs};

/// Play out the space race many times, change one thing, see what history does.
#[derive(Parser, Debug)]
#[command(name = "starcity", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// One-step-ahead backtest of the reliability model on a launch record, against baselines.
    Calibrate(CalibrateArgs),
}

fn main() -> miette::Result<()> {
    let cli = Cli::parse();
    match &cli.command {
        Command::Calibrate(args) => calibrate::run(args),
    }
}
