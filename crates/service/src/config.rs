//! `serve` settings: flags and the environment names of DESIGN.md, parsed once by clap.

use crate::cli::EngineArgs;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Json,
    Pretty,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Port to listen on (0 = any free port).
    #[arg(long, env = "PORT", default_value_t = 8080)]
    pub port: u16,
    /// Address to bind.
    #[arg(long, env = "BIND_ADDRESS", default_value = "0.0.0.0")]
    pub bind_address: String,
    /// API key for /process and /status. Required unless bound to loopback or --insecure-local.
    #[arg(long, env = "API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    #[arg(
        long,
        env = "DYNAMODB_TABLE_NAME",
        default_value = "document-processor-results"
    )]
    pub table: String,
    /// Global secondary index on `status` that the sweep queries.
    #[arg(long, env = "STATUS_INDEX_NAME", default_value = "status-index")]
    pub status_index: String,
    /// Bucket(s) documents may be read from, comma-separated. Required unless bound to loopback or
    /// --insecure-local.
    #[arg(long, env = "DOCUMENT_BUCKET", value_delimiter = ',')]
    pub document_bucket: Vec<String>,
    /// Claimed documents waiting for a worker; beyond it /process answers 503.
    #[arg(long, env = "QUEUE_CAPACITY", default_value_t = 8)]
    pub queue_capacity: usize,
    /// Seconds a claim lasts without renewal (renewed every third of it while processing).
    #[arg(long, env = "LEASE_SECS", default_value_t = 60)]
    pub lease_secs: u64,
    /// Seconds between sweeps for pending and expired-lease records.
    #[arg(long, env = "SWEEP_INTERVAL_SECS", default_value_t = 30)]
    pub sweep_interval_secs: u64,
    /// Claims of one record before it fails with too_many_attempts.
    #[arg(long, env = "MAX_ATTEMPTS", default_value_t = 3)]
    pub max_attempts: u32,
    /// Seconds given to documents in progress after SIGTERM (ECS stopTimeout is at most 120).
    #[arg(long, env = "SHUTDOWN_GRACE_SECS", default_value_t = 90)]
    pub shutdown_grace_secs: u64,
    /// Folder for downloaded documents (default: the system temp folder).
    #[arg(long, env = "SPOOL_DIR")]
    pub spool_dir: Option<PathBuf>,
    /// json (one object per line, for CloudWatch) or pretty; default: pretty on a terminal.
    #[arg(long, env = "LOG_FORMAT", value_enum)]
    pub log_format: Option<LogFormat>,
    /// Serve without API_KEY or DOCUMENT_BUCKET on a non-loopback address (a local stack only).
    #[arg(long, env = "INSECURE_LOCAL")]
    pub insecure_local: bool,
    /// Memory budget of the service and its worker processes, MiB (default: the container's
    /// cgroup limit, else 512). Workers, their caps and MAX_PAGE_PIXELS are sized from it.
    #[arg(long, env = "MEMORY_LIMIT_MB")]
    pub memory_limit_mb: Option<u64>,
    /// OCR threads in each worker process (default: the CPUs shared out among the workers, fewer
    /// if a worker's memory cannot hold them).
    #[arg(long, env = "OCR_THREADS")]
    pub ocr_threads: Option<usize>,
    /// The executable run as worker processes (default: this one).
    #[arg(long, env = "WORKER_BIN", hide = true)]
    pub worker_bin: Option<PathBuf>,
    #[command(flatten)]
    pub engine: EngineArgs,
}

impl ServeArgs {
    pub fn log_format(&self) -> LogFormat {
        use std::io::IsTerminal;
        self.log_format
            .unwrap_or(if std::io::stderr().is_terminal() {
                LogFormat::Pretty
            } else {
                LogFormat::Json
            })
    }

    /// Whether the bind address only admits this machine.
    pub fn is_loopback(&self) -> bool {
        let host = self.bind_address.trim_matches(['[', ']']);
        host == "localhost"
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }

    pub fn allowed_buckets(&self) -> Vec<String> {
        self.document_bucket
            .iter()
            .map(|b| b.trim().to_string())
            .filter(|b| !b.is_empty())
            .collect()
    }
}
