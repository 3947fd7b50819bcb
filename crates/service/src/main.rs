//! `document-processor`: wires the command line to its commands.

use clap::Parser;
use service::cli::{Cli, Command};
use service::{cli, doctor, extract, openmp, startup, telemetry};
use std::process::ExitCode;

fn main() -> ExitCode {
    openmp::ensure_thread_limit();
    let cli = Cli::parse();
    let outcome = match cli.command {
        Some(Command::Extract(args)) => {
            telemetry::init(cli::LogFormat::Pretty, "warn");
            extract::run(&args)
        }
        Some(Command::Doctor(args)) => {
            telemetry::init(cli::LogFormat::Pretty, "warn");
            doctor::run(&args)
        }
        Some(Command::Worker) => {
            telemetry::init(cli::LogFormat::Json, "warn");
            service::worker::process::run()
        }
        Some(Command::HealthCheck { port }) => Ok(health_check(port)),
        Some(Command::Serve(args)) => serve(*args),
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

fn serve(args: cli::ServeArgs) -> anyhow::Result<bool> {
    telemetry::init(
        args.log_format(),
        "info,aws_config=warn,aws_smithy_runtime=warn",
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let served = runtime.block_on(async {
        let app = startup::Application::build(args).await?;
        app.run_until(startup::shutdown_signal()).await
    });
    // Unfinished documents were handed back already: do not wait for their OCR threads
    // (dropping the runtime would wait for its blocking tasks, i.e. the rest of the document).
    runtime.shutdown_background();
    served?;
    exit_now(0)
}

/// Ends the process without waiting for OCR threads still inside a page: everything worth keeping
/// is in DynamoDB already, and the logs are flushed first.
fn exit_now(code: i32) -> ! {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // SAFETY: _exit only ends the process.
    unsafe { libc::_exit(code) }
}

/// The container's HEALTHCHECK without curl in the image: one GET /health on loopback.
fn health_check(port: u16) -> bool {
    use std::io::{Read, Write};
    use std::time::Duration;
    let answer = (|| -> std::io::Result<String> {
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let mut stream = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(3))?;
        stream.set_read_timeout(Some(Duration::from_secs(3)))?;
        stream.write_all(b"GET /health HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
        let mut head = [0u8; 64];
        let n = stream.read(&mut head)?;
        Ok(String::from_utf8_lossy(&head[..n]).into_owned())
    })();
    match answer {
        Ok(text) if text.starts_with("HTTP/1.0 200") || text.starts_with("HTTP/1.1 200") => true,
        Ok(text) => {
            eprintln!("unhealthy: {}", text.lines().next().unwrap_or(""));
            false
        }
        Err(e) => {
            eprintln!("unhealthy: {e}");
            false
        }
    }
}
