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
    /// API key for /process and /status; without it the service warns loudly and serves open.
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
    /// Bucket(s) documents may be read from, comma-separated.
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

    pub fn allowed_buckets(&self) -> Vec<String> {
        self.document_bucket
            .iter()
            .map(|b| b.trim().to_string())
            .filter(|b| !b.is_empty())
            .collect()
    }
}
