//! `document-processor`: wires the command line to its commands.

mod cli;
mod doctor;
mod extract;
mod openmp;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    openmp::ensure_thread_limit();
    let cli = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let outcome = match &cli.command {
        cli::Command::Extract(args) => extract::run(args),
        cli::Command::Doctor(args) => doctor::run(args),
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
