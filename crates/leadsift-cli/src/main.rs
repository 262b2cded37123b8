//! The `leadsift` command line.

mod import;
mod input;
mod reconcile;
mod remote;
mod returns;
mod serve;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "leadsift",
    version,
    about = "Clean and import LeadConduit CSV exports"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate a file offline: mapping, cleaned values, every problem, and a summary.
    Validate(validate::Args),
    /// Import a file into the database, in batches, each in one transaction.
    Import(import::Args),
    /// Apply the database migrations.
    Migrate(import::MigrateArgs),
    /// Show the import history.
    History(import::HistoryArgs),
    /// Check an export against the leads delivered into the database (read only): matched,
    /// differs, not delivered, delivered but not exported, delivered twice.
    Reconcile(reconcile::Args),
    /// Write the returns file LeadConduit imports (Event ID,Reason) for the leads of an export
    /// that have the chosen problems.
    Returns(returns::Args),
    /// Run the HTTP API.
    Serve(serve::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Validate(args) => validate::run(args),
        Command::Import(args) => import::run(args).map(|()| ExitCode::SUCCESS),
        Command::Migrate(args) => import::migrate(args).map(|()| ExitCode::SUCCESS),
        Command::History(args) => import::history(args).map(|()| ExitCode::SUCCESS),
        Command::Reconcile(args) => reconcile::run(args).map(|()| ExitCode::SUCCESS),
        Command::Returns(args) => returns::run(args).map(|()| ExitCode::SUCCESS),
        Command::Serve(args) => serve::run(args).map(|()| ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        Err(e)
            if e.downcast_ref::<input::Usage>().is_some()
                || e.downcast_ref::<leadsift_server::config::ConfigError>()
                    .is_some() =>
        {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {}", validate::sentence(&e));
            ExitCode::from(1)
        }
    }
}
