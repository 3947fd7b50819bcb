//! Command line and environment: every clap struct, parsed once (clap reads flags and env alike).
//! `settings.rs` turns the serve arguments into typed settings, once.

use clap::{Args, Parser, Subcommand, ValueEnum};
use processor::codes::qr::QrOptions;
use processor::{Config, Limits, OcrMode};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(
    name = "document-processor",
    version,
    about = "PDFs and images to text, word boxes and QR codes",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Without a subcommand the service is served, with these settings.
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The HTTP service (the default): /health, /process, /status over S3 and DynamoDB.
    Serve(Box<ServeArgs>),
    /// Process local files or folders (no AWS): one file prints its result JSON on stdout, several
    /// print one JSON document per line; with --out-dir each goes to DIR/<file name>.json. Exits 1
    /// if any failed.
    Extract(ExtractArgs),
    /// Print what this process found (Tesseract, languages, pdfium, workers, OpenMP) as JSON.
    Doctor(EngineArgs),
    /// Internal: one supervised extraction process, driven by `serve` over stdin and stdout.
    #[command(hide = true)]
    Worker,
    /// GET http://127.0.0.1:$PORT/health; exit 0 when it answers 200 (the image's HEALTHCHECK).
    HealthCheck {
        #[arg(long, env = "PORT", default_value_t = 8080)]
        port: u16,
    },
}

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Files to process (PDF, PNG, JPEG, TIFF, BMP, GIF, WebP; the content decides), or folders
    /// (walked for documents by their extension).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Write DIR/<file name>.json for each input (a folder's files: DIR/<path in the folder>.json)
    /// instead of printing to stdout; inputs whose results would share a name are refused.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Also write a searchable PDF of the one input: its pages as they are, the OCR words laid
    /// over the scanned ones as invisible text (an image becomes a PDF page).
    #[arg(long, value_name = "OUT.pdf")]
    pub pdf: Option<PathBuf>,
    /// Also write a viewer: DIR/index.html shows the pages (DIR/pages/N.webp) with the word boxes,
    /// blocks, codes and text; open it in a browser. Several inputs: DIR/<file name>/index.html
    /// each, and DIR/index.html links them.
    #[arg(long, value_name = "DIR")]
    pub html: Option<PathBuf>,
    /// Also write each table as CSV: DIR/<file name>.p<page>.t<n>.csv (n counts the page's
    /// tables in reading order; a cell spanning several is written in its top-left slot).
    #[arg(long, value_name = "DIR")]
    pub tables: Option<PathBuf>,
    /// Hide the progress bar even on a terminal.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Debug, Clone, Args)]
pub struct EngineArgs {
    /// extract: OCR threads (one Tesseract engine each); default: the CPUs this process may use.
    /// serve: worker processes (documents at once; default: the CPUs, at least 2, fewer if the
    /// memory budget cannot hold them).
    #[arg(long, env = "WORKERS")]
    pub workers: Option<usize>,
    /// auto: OCR a PDF page only when its text layer holds no real text; always; never.
    #[arg(long, env = "OCR_MODE", default_value = "auto")]
    pub ocr_mode: OcrMode,
    /// Render resolution for PDF pages that carry no scan to take the resolution from.
    #[arg(long, env = "OCR_DPI", default_value_t = Config::default().ocr_dpi, value_parser = clap::value_parser!(u32).range(50..=1200))]
    pub ocr_dpi: u32,
    /// Tesseract languages, '+'-separated.
    #[arg(long, env = "OCR_LANGUAGES", default_value_t = Config::default().languages)]
    pub ocr_languages: String,
    /// Folder holding the *.traineddata files.
    #[arg(long, env = "TESSDATA_PREFIX")]
    pub tessdata_prefix: Option<PathBuf>,
    /// libpdfium file or folder.
    #[arg(long, env = "PDFIUM_LIB_PATH")]
    pub pdfium_lib_path: Option<PathBuf>,
    /// Folder of the receipt figures' reader (ONNX Runtime and PP-OCR's English recogniser, put in
    /// .local/figures by scripts/setup.sh); default `figures/` beside the binary, then that one.
    #[arg(long, env = "FIGURE_READER_DIR")]
    pub figure_reader_dir: Option<PathBuf>,
    /// QR decoders: zxing (default), rqrr, zxing,rqrr or none.
    #[arg(long, env = "QR_DECODERS", default_value = "zxing")]
    pub qr_decoders: QrOptions,
    /// Barcode formats looked for, comma-separated (EAN-13, Code 128, Data Matrix, QR Code, ...,
    /// or families: ean, qr, pdf417); `all` (default) reads every format zxing-cpp knows.
    #[arg(long, env = "BARCODE_FORMATS", default_value = "all")]
    pub barcode_formats: processor::codes::CodeFormats,
    /// Page previews for the viewer (WebP, longest side in pixels; 0: none). serve stores them at
    /// results/{id}/pages/N.webp; extract --html writes them beside the view.
    #[arg(long, env = "PREVIEW_MAX_SIDE", default_value_t = processor::page::preview::DEFAULT_MAX_SIDE,
        value_parser = clap::value_parser!(u32).range(0..=4000))]
    pub preview_max_side: u32,
    #[arg(long, env = "MAX_FILE_BYTES", default_value_t = Limits::default().max_file_bytes)]
    pub max_file_bytes: u64,
    #[arg(long, env = "MAX_PAGES", default_value_t = Limits::default().max_pages)]
    pub max_pages: u32,
    /// Largest page image; serve lowers it to what a worker's memory cap can hold.
    #[arg(long, env = "MAX_PAGE_PIXELS", default_value_t = Limits::default().max_page_pixels)]
    pub max_page_pixels: u64,
    #[arg(long, env = "DOCUMENT_TIMEOUT_SECS", default_value_t = Limits::default().document_timeout.as_secs())]
    pub document_timeout_secs: u64,
    /// Words one page may hold (more is too_large: a text layer can repeat without end).
    #[arg(long, env = "MAX_PAGE_WORDS", default_value_t = Limits::default().max_page_words)]
    pub max_page_words: usize,
    /// Words one document may hold (more is too_large).
    #[arg(long, env = "MAX_DOCUMENT_WORDS", default_value_t = Limits::default().max_document_words)]
    pub max_document_words: usize,
}

impl EngineArgs {
    pub fn to_config(&self) -> Config {
        Config {
            limits: Limits {
                max_file_bytes: self.max_file_bytes,
                max_pages: self.max_pages,
                max_page_pixels: self.max_page_pixels,
                document_timeout: Duration::from_secs(self.document_timeout_secs),
                max_page_words: self.max_page_words,
                max_document_words: self.max_document_words,
            },
            ocr_mode: self.ocr_mode,
            ocr_dpi: self.ocr_dpi,
            languages: self.ocr_languages.clone(),
            tessdata: self.tessdata_prefix.clone(),
            workers: self
                .workers
                .filter(|&n| n > 0)
                .unwrap_or_else(processor::default_workers),
            pdfium_lib_path: self.pdfium_lib_path.clone(),
            qr: self.qr_decoders,
            barcode_formats: self.barcode_formats.clone(),
            render_ahead: true,
            models_at_start: false,
            figure_reader: self.figure_reader_dir.clone(),
            read_figures: true,
        }
    }
}

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
    /// Client addresses allowed, comma-separated CIDRs (empty: any). Checked against `x-client-ip`,
    /// which API Gateway overwrites with the address it saw; requests without it (the Lambda and
    /// the load balancer's health checks, inside the VPC) are not affected.
    #[arg(long, env = "ALLOWED_CLIENT_CIDRS", value_delimiter = ',')]
    pub allowed_client_cidrs: Vec<String>,
    /// Seconds between the metrics lines (CloudWatch embedded metric format on stdout: QueueDepth,
    /// InFlight, DueRecords); 0 = none.
    #[arg(long, env = "METRICS_INTERVAL_SECS", default_value_t = 0)]
    pub metrics_interval_secs: u64,
    /// Secret the view links' tokens are signed with (HMAC-SHA256); default: derived from API_KEY,
    /// which every task shares. Changing it (or the key) ends the links handed out.
    #[arg(long, env = "VIEW_TOKEN_SECRET", hide_env_values = true)]
    pub view_token_secret: Option<String>,
    /// Seconds a view link (/status's view_url) opens the viewer and its page images.
    #[arg(long, env = "VIEW_TOKEN_TTL_SECS", default_value_t = 900)]
    pub view_token_ttl_secs: u64,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn flags_map_onto_the_engine_config() {
        let cli = Cli::try_parse_from([
            "document-processor",
            "extract",
            "--ocr-mode",
            "never",
            "--max-pages",
            "7",
            "--workers",
            "3",
            "a.pdf",
        ])
        .unwrap();
        let Some(Command::Extract(args)) = cli.command else {
            panic!("extract expected")
        };
        let config = args.engine.to_config();
        assert_eq!(config.ocr_mode, OcrMode::Never);
        assert_eq!(config.limits.max_pages, 7);
        assert_eq!(config.workers, 3);
        assert_eq!(args.files, vec![PathBuf::from("a.pdf")]);
    }

    #[test]
    fn serve_is_the_default() {
        let cli = Cli::try_parse_from([
            "document-processor",
            "--port",
            "9000",
            "--queue-capacity",
            "3",
        ])
        .unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.serve.port, 9000);
        assert_eq!(cli.serve.queue_capacity, 3);
    }
}
