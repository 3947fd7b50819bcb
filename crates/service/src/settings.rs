//! The service's settings, typed and built once from the command line: every later part (the
//! runner, the worker supervisor, the HTTP state) takes its piece from here, never from the raw
//! arguments. Building them also refuses an open configuration (fail closed) and sizes the workers
//! from the memory budget.

use crate::cli::ServeArgs;
use crate::jobs::RunnerSettings;
use crate::worker::protocol::Spec;
use crate::worker::{Budget, Sizing, WorkerSettings};
use std::time::Duration;

/// Worker processes when WORKERS is not set, memory allowing.
pub const MIN_DEFAULT_WORKERS: usize = 2;

#[derive(Debug, Clone)]
pub struct Settings {
    pub bind_address: String,
    pub port: u16,
    pub api_key: Option<String>,
    pub table: String,
    pub status_index: String,
    pub lease: Duration,
    pub shutdown_grace: Duration,
    pub budget: Budget,
    pub sizing: Sizing,
    pub runner: RunnerSettings,
    pub workers: WorkerSettings,
    /// Empty: every client.
    pub allowed_clients: Vec<ipnet::IpNet>,
    /// None: no metrics lines.
    pub metrics_interval: Option<Duration>,
    pub view_tokens: crate::view::token::ViewTokens,
}

impl Settings {
    pub fn from_args(args: &ServeArgs) -> anyhow::Result<Settings> {
        let allowed = args.allowed_buckets();
        let api_key = args.api_key.clone().filter(|k| !k.is_empty());
        fail_closed(args, api_key.is_some(), !allowed.is_empty())?;
        let view_tokens = view_tokens(args, api_key.as_deref());
        let budget = Budget::detect(args.memory_limit_mb);
        let sizing = size_workers(
            budget,
            args.engine.workers,
            args.ocr_threads,
            args.engine.max_page_pixels,
        );
        let mut config = args.engine.to_config();
        config.workers = sizing.threads;
        config.limits.max_page_pixels = sizing.max_page_pixels;
        // The budget counts one page per OCR thread: none rendered ahead of a free thread.
        config.render_ahead = false;
        // The hard memory limit is set from what a worker holds idle: its engines all loaded.
        config.models_at_start = true;
        config.read_figures = sizing.figure_reader;
        let allowed_clients = args
            .allowed_client_cidrs
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .map(|c| {
                c.parse::<ipnet::IpNet>()
                    .or_else(|_| c.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| anyhow::anyhow!("ALLOWED_CLIENT_CIDRS: {c:?} is not a CIDR"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let program = match &args.worker_bin {
            Some(p) => p.clone(),
            None => std::env::current_exe()?,
        };
        Ok(Settings {
            bind_address: args.bind_address.clone(),
            port: args.port,
            api_key,
            table: args.table.clone(),
            status_index: args.status_index.clone(),
            lease: Duration::from_secs(args.lease_secs.max(3)),
            shutdown_grace: Duration::from_secs(args.shutdown_grace_secs),
            budget,
            sizing,
            runner: RunnerSettings {
                queue_capacity: args.queue_capacity,
                concurrency: sizing.workers,
                max_attempts: args.max_attempts,
                max_file_bytes: args.engine.max_file_bytes,
                allowed_buckets: allowed,
                spool_dir: args.spool_dir.clone().unwrap_or_else(std::env::temp_dir),
                sweep_interval: Duration::from_secs(args.sweep_interval_secs.max(1)),
                languages: processor::recognition::languages::installed(config.tessdata.as_deref()),
                preview_max_side: args.engine.preview_max_side,
            },
            workers: WorkerSettings {
                program,
                spec: Spec { config },
                workers: sizing.workers,
                memory_cap_mb: sizing.worker_cap_mb,
            },
            allowed_clients,
            metrics_interval: (args.metrics_interval_secs > 0)
                .then(|| Duration::from_secs(args.metrics_interval_secs)),
            view_tokens,
        })
    }
}

/// VIEW_TOKEN_SECRET when set; else derived from the API key, which every task of a deployment
/// shares; else (a local service without a key) random, good for this process's life.
fn view_tokens(args: &ServeArgs, api_key: Option<&str>) -> crate::view::token::ViewTokens {
    use crate::view::token::ViewTokens;
    let ttl = args.view_token_ttl_secs.max(1);
    match (
        args.view_token_secret.as_deref().filter(|s| !s.is_empty()),
        api_key,
    ) {
        (Some(secret), _) => ViewTokens::new(secret.as_bytes(), ttl),
        (None, Some(key)) => ViewTokens::derived_from(key, ttl),
        (None, None) => ViewTokens::new(
            format!("{}{}", uuid::Uuid::new_v4(), uuid::Uuid::new_v4()).into_bytes(),
            ttl,
        ),
    }
}

/// Worker processes, their threads and page limit from the budget and the settings (`serve`, and
/// what `doctor` reports). At least two worker processes by default, also on one (or a fraction
/// of a) CPU: a document that runs to its deadline must not hold up every other one behind it.
pub fn size_workers(
    budget: Budget,
    workers: Option<usize>,
    ocr_threads: Option<usize>,
    max_page_pixels: u64,
) -> Sizing {
    let cpus = processor::default_workers();
    Sizing::plan(
        budget,
        workers
            .filter(|&n| n > 0)
            .unwrap_or_else(|| cpus.max(MIN_DEFAULT_WORKERS)),
        ocr_threads.filter(|&n| n > 0),
        cpus,
        max_page_pixels,
    )
}

/// Without an API key anyone who reaches the port reads every document; without DOCUMENT_BUCKET a
/// record can make the task read any bucket its role can. Both are refused unless the service only
/// listens on loopback or the operator says `--insecure-local`.
fn fail_closed(args: &ServeArgs, has_key: bool, has_buckets: bool) -> anyhow::Result<()> {
    let missing: Vec<&str> = [(!has_key, "API_KEY"), (!has_buckets, "DOCUMENT_BUCKET")]
        .into_iter()
        .filter_map(|(m, name)| m.then_some(name))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if args.is_loopback() || args.insecure_local {
        tracing::warn!(missing = ?missing, bind = %args.bind_address,
            "serving without {} (loopback or --insecure-local): local use only", missing.join(" and "));
        return Ok(());
    }
    anyhow::bail!(
        "refusing to serve on {} without {}: set {}, or bind to 127.0.0.1, or pass --insecure-local \
         for a local stack",
        args.bind_address,
        missing.join(" and "),
        missing.join(" and ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    fn serve(args: &[&str]) -> ServeArgs {
        let cli = Cli::try_parse_from(["document-processor", "serve"].iter().chain(args)).unwrap();
        match cli.command {
            Some(Command::Serve(a)) => *a,
            _ => panic!("serve"),
        }
    }

    #[test]
    fn an_open_service_is_refused_off_loopback() {
        let open = serve(&["--bind-address", "0.0.0.0"]);
        let e = Settings::from_args(&open).unwrap_err().to_string();
        assert!(e.contains("API_KEY and DOCUMENT_BUCKET"), "{e}");
        let no_bucket = serve(&["--bind-address", "0.0.0.0", "--api-key", "k"]);
        let e = Settings::from_args(&no_bucket).unwrap_err().to_string();
        assert!(e.contains("without DOCUMENT_BUCKET"), "{e}");
        for ok in [
            serve(&["--bind-address", "127.0.0.1"]),
            serve(&["--bind-address", "::1"]),
            serve(&["--bind-address", "0.0.0.0", "--insecure-local"]),
            serve(&["--api-key", "k", "--document-bucket", "docs"]),
        ] {
            assert!(Settings::from_args(&ok).is_ok(), "{ok:?}");
        }
    }

    #[test]
    fn two_workers_by_default_when_memory_allows() {
        let s = Settings::from_args(&serve(&[
            "--bind-address",
            "127.0.0.1",
            "--memory-limit-mb",
            "512",
        ]))
        .unwrap();
        assert!(s.runner.concurrency >= MIN_DEFAULT_WORKERS);
        let small = Settings::from_args(&serve(&[
            "--bind-address",
            "127.0.0.1",
            "--memory-limit-mb",
            "300",
        ]))
        .unwrap();
        assert_eq!(
            small.runner.concurrency, 1,
            "a budget for one worker gets one"
        );
    }

    #[test]
    fn client_cidrs_parse_or_refuse_to_start() {
        let s = Settings::from_args(&serve(&[
            "--bind-address",
            "127.0.0.1",
            "--allowed-client-cidrs",
            "203.0.113.0/24, 2001:db8::/32,198.51.100.7,",
        ]))
        .unwrap();
        assert_eq!(s.allowed_clients.len(), 3);
        let bad = serve(&[
            "--bind-address",
            "127.0.0.1",
            "--allowed-client-cidrs",
            "10.0.0.0/33",
        ]);
        assert!(Settings::from_args(&bad).is_err());
        let none = serve(&["--bind-address", "127.0.0.1", "--allowed-client-cidrs", ""]);
        assert!(Settings::from_args(&none)
            .unwrap()
            .allowed_clients
            .is_empty());
    }

    #[test]
    fn workers_and_page_limits_come_from_the_budget() {
        let s = Settings::from_args(&serve(&[
            "--bind-address",
            "127.0.0.1",
            "--memory-limit-mb",
            "512",
            "--workers",
            "2",
        ]))
        .unwrap();
        assert_eq!(s.runner.concurrency, 2);
        assert_eq!(s.workers.workers, 2);
        assert_eq!(s.workers.memory_cap_mb, s.sizing.worker_cap_mb);
        let limits = &s.workers.spec.config.limits;
        assert_eq!(limits.max_page_pixels, s.sizing.max_page_pixels);
        assert!(limits.max_page_pixels < processor::Limits::default().max_page_pixels);
        assert_eq!(
            limits.max_page_words,
            processor::Limits::default().max_page_words
        );
    }
}
