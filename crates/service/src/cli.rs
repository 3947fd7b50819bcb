//! Command line and environment: one struct, parsed once (clap reads flags and env alike).

use clap::{Args, Parser, Subcommand};
use processor::qr::QrOptions;
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
    pub serve: crate::config::ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The HTTP service (the default): /health, /process, /status over S3 and DynamoDB.
    Serve(crate::config::ServeArgs),
    /// Process local files or folders (no AWS): one file prints its result JSON on stdout, several
    /// print one JSON document per line; with --out-dir each goes to DIR/<file name>.json. Exits 1
    /// if any failed.
    Extract(ExtractArgs),
    /// Print what this process found (Tesseract, languages, pdfium, workers, OpenMP) as JSON.
    Doctor(EngineArgs),
    /// Internal: one supervised extraction process, driven by `serve` over stdin and stdout.
    #[command(hide = true)]
    Worker,
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
    /// Hide the progress bar even on a terminal.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Debug, Clone, Args)]
pub struct EngineArgs {
    /// extract: OCR threads (one Tesseract engine each); serve: worker processes (documents at once,
    /// fewer if the memory budget cannot hold them). Default: the CPUs this process may use.
    #[arg(long, env = "WORKERS")]
    pub workers: Option<usize>,
    /// auto: OCR a PDF page only when its text layer holds no real text; always; never.
    #[arg(long, env = "OCR_MODE", default_value = "auto")]
    pub ocr_mode: OcrMode,
    /// Render resolution for PDF pages that carry no scan to take the resolution from.
    #[arg(long, env = "OCR_DPI", default_value_t = 300, value_parser = clap::value_parser!(u32).range(50..=1200))]
    pub ocr_dpi: u32,
    /// Tesseract languages, '+'-separated.
    #[arg(long, env = "OCR_LANGUAGES", default_value = "eng")]
    pub ocr_languages: String,
    /// Folder holding the *.traineddata files.
    #[arg(long, env = "TESSDATA_PREFIX")]
    pub tessdata_prefix: Option<PathBuf>,
    /// libpdfium file or folder.
    #[arg(long, env = "PDFIUM_LIB_PATH")]
    pub pdfium_lib_path: Option<PathBuf>,
    /// QR decoders: zxing (default), rqrr, zxing,rqrr or none.
    #[arg(long, env = "QR_DECODERS", default_value = "zxing")]
    pub qr_decoders: QrOptions,
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
        }
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
