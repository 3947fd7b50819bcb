//! Document processing: bytes in, [`DocumentResult`] out. No AWS, no HTTP, no async runtime.
//!
//! Formats are sniffed from content ([`format`]); PDFs go through pdfium ([`pdf`], text layer
//! first), images through the image/tiff crates ([`image_input`]); pages are OCRed by a pool of
//! Tesseract engines ([`pool`], [`ocr`]) and scanned for QR codes ([`qr`]).

pub mod codes;
pub mod config;
pub mod deskew;
pub mod dpi;
pub mod engine;
pub mod error;
pub mod fields;
pub mod format;
pub mod glyphs;
pub mod image_input;
pub mod languages;
pub mod layout;
pub mod ocr;
pub mod orientation;
pub mod page_read;
pub mod pdf;
pub mod plan;
pub mod pool;
pub mod preview;
pub mod profile;
pub mod qr;
pub mod result;
pub mod ruling;
pub mod searchable;
mod tess;
pub mod text_layer;

pub use config::{default_workers, Config, Limits, OcrMode};
pub use engine::{Document, Engine, Input, Progress};
pub use error::{ErrorCode, ProcessError};
pub use format::Format;
pub use result::{
    BBox, Block, BlockKind, DocumentCode, DocumentQr, DocumentResult, Field, Fields, Line,
    LineItem, PageCode, PageQr, PageResult, Source, Table, TableCell, TableRef, Word,
};
