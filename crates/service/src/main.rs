//! `document-processor`: wires the command line to its commands.

use clap::Parser;
use service::cli::{Cli, Command};
use service::{config, doctor, extract, openmp, startup, telemetry};
use std::process::ExitCode;

fn main() -> ExitCode {
    openmp::ensure_thread_limit();
    let cli = Cli::parse();
    let outcome = match cli.command {
        Some(Command::Extract(args)) => {
            telemetry::init(config::LogFormat::Pretty, "warn");
            extract::run(&args)
        }
        Some(Command::Doctor(args)) => {
            telemetry::init(config::LogFormat::Pretty, "warn");
            doctor::run(&args)
        }
        Some(Command::Serve(args)) => serve(args),
        None => serve(cli.serve),
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

fn serve(args: config::ServeArgs) -> anyhow::Result<bool> {
    telemetry::init(
        args.log_format(),
        "info,aws_config=warn,aws_smithy_runtime=warn",
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let app = startup::Application::build(args).await?;
        app.run_until(startup::shutdown_signal()).await
    })?;
    Ok(true)
}
