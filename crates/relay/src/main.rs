//! `stream-relay`: wires the relay to the local emulator and the Lambda's forwarder.

use clap::Parser;
use relay::config::{check_loopback, RelayArgs};
use std::io::IsTerminal;
use std::process::ExitCode;
use trigger::forward::Forwarder;

#[tokio::main]
async fn main() -> ExitCode {
    let args = RelayArgs::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,aws_config=warn".into());
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter);
    if std::io::stderr().is_terminal() {
        builder.init();
    } else {
        builder.json().init();
    }
    if let Err(e) = check_loopback(std::env::var("AWS_ENDPOINT_URL").ok().as_deref()) {
        tracing::error!("{e}");
        return ExitCode::from(2);
    }
    let forward = match trigger::config::from_env(|k| std::env::var(k).ok()) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("{e}");
            return ExitCode::from(2);
        }
    };
    tracing::info!(table = %args.table, service = %forward.url, batch_size = args.batch_size,
        max_retry_attempts = args.max_retry_attempts, "stream relay starting");
    let sdk = trigger::config::config_loader().load().await;
    let client = aws_sdk_dynamodbstreams::Client::new(&sdk);
    relay::run(client, args, Forwarder::new(forward), shutdown_signal()).await;
    ExitCode::SUCCESS
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM handler");
    tokio::select! {
        _ = ctrl_c => {}
        _ = term.recv() => {}
    }
}
