//! Engine configuration. Loading it from env/flags is the binary's job; this is plain data.

use crate::codes::qr::QrOptions;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OcrMode {
    /// OCR a PDF page only when its text layer holds no real text (images are always OCRed).
    #[default]
    Auto,
    /// OCR every page, ignoring text layers.
    Always,
    /// Never OCR: text layers only (image pages come back without text).
    Never,
}

impl FromStr for OcrMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(OcrMode::Auto),
            "always" => Ok(OcrMode::Always),
            "never" => Ok(OcrMode::Never),
            other => Err(format!("unknown OCR mode {other:?} (auto, always, never)")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    pub max_file_bytes: u64,
    pub max_pages: u32,
    /// Largest image a page may be (input images are refused above it; PDF pages are rendered below it).
    pub max_page_pixels: u64,
    pub document_timeout: Duration,
    /// Words one page may hold (a text layer can repeat one content stream without end).
    pub max_page_words: usize,
    /// Words the whole document may hold: bounds the result's size and the memory to build it.
    pub max_document_words: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 50 * 1024 * 1024,
            max_pages: 200,
            max_page_pixels: 100_000_000,
            document_timeout: Duration::from_secs(900),
            max_page_words: 20_000,
            max_document_words: 200_000,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Config {
    pub limits: Limits,
    pub ocr_mode: OcrMode,
    /// Render resolution for PDF pages without an embedded scan to take the resolution from.
    pub ocr_dpi: u32,
    /// Tesseract languages, `+`-separated (`eng`, `eng+deu`).
    pub languages: String,
    /// Folder holding `*.traineddata`; None = Tesseract's default (or `TESSDATA_PREFIX`).
    pub tessdata: Option<PathBuf>,
    /// OCR worker threads (one Tesseract engine each).
    pub workers: usize,
    /// libpdfium: a file or a folder; None = next to the executable, then the system library.
    pub pdfium_lib_path: Option<PathBuf>,
    /// QR decoders run on every page.
    pub qr: QrOptions,
    /// Barcode formats looked for (BARCODE_FORMATS; empty: all).
    #[serde(default)]
    pub barcode_formats: crate::codes::CodeFormats,
    /// Whether the next page is rendered while the OCR threads are busy (faster). Off, a page is
    /// rendered only once a thread is free for it: at most one page per thread is in memory, what
    /// a worker's memory budget counts (a page rendered ahead and one queued cost a 300 DPI
    /// letter page ~40 MB more).
    #[serde(default = "yes")]
    pub render_ahead: bool,
    /// Whether each OCR thread loads its models (orientation detection, ~33 MB; the receipt
    /// figures' reader) at start rather than on the first page that needs them. `serve`'s workers
    /// do: their hard memory limit is set from what they hold idle, and a model loaded later, near
    /// that limit, was seen to pass their cap.
    #[serde(default)]
    pub models_at_start: bool,
    /// The receipt figures' reader: a folder with ONNX Runtime's library and PP-OCR's English
    /// recogniser (`recognition::figures`); None = `figures/` beside the executable, else the
    /// checkout's `.local/figures`, else none.
    #[serde(default)]
    pub figure_reader: Option<PathBuf>,
    /// Whether till receipts' figures are read again at all (`serve` turns it off where a
    /// worker's memory cannot hold the reader beside an A4 page at 300 DPI).
    #[serde(default = "yes")]
    pub read_figures: bool,
}

fn yes() -> bool {
    true
}

impl Default for Config {
    fn default() -> Self {
        Config {
            limits: Limits::default(),
            ocr_mode: OcrMode::Auto,
            ocr_dpi: 300,
            languages: "eng".into(),
            tessdata: None,
            workers: default_workers(),
            pdfium_lib_path: None,
            qr: QrOptions::default(),
            barcode_formats: Default::default(),
            render_ahead: true,
            models_at_start: false,
            figure_reader: None,
            read_figures: true,
        }
    }
}

/// The CPUs this process may really use. std's `available_parallelism` honours the cgroup CPU quota
/// (v1 and v2) and the affinity mask, which is what a container's share is made of.
pub fn default_workers() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ocr_mode_parses_case_insensitively() {
        assert_eq!("AUTO".parse::<OcrMode>(), Ok(OcrMode::Auto));
        assert_eq!("always".parse::<OcrMode>(), Ok(OcrMode::Always));
        assert_eq!("never".parse::<OcrMode>(), Ok(OcrMode::Never));
        assert!("sometimes".parse::<OcrMode>().is_err());
    }

    #[test]
    fn defaults_match_the_design() {
        let l = Limits::default();
        assert_eq!(l.max_file_bytes, 52_428_800);
        assert_eq!(l.max_pages, 200);
        assert_eq!(l.max_page_pixels, 100_000_000);
        assert_eq!(l.document_timeout, Duration::from_secs(900));
        assert!(default_workers() >= 1);
    }
}
