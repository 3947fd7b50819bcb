//! Document processing: bytes in, [`DocumentResult`] out. No AWS, no HTTP, no async runtime.
//!
//! The folders follow a page through the pipeline: [`input`] (format sniffed from content, PDFs
//! through pdfium with their text layer first, images decoded to grey), [`page`] (orientation,
//! skew, glyph size, ruling lines, the page's text read from its layer or by [`recognition`]),
//! [`layout`] (blocks, reading order, tables), [`codes`] (barcodes and QR), [`fields`] (receipts'
//! and invoices' key values) and [`output`] (the result model, the searchable PDF). The
//! [`engine`] drives a document through them on a [`pool`] of worker threads.

// The pipeline, in the order a page goes through it: input -> page (with recognition) -> layout
// -> codes -> fields -> output; the engine and its pool drive it.
pub mod codes;
pub mod fields;
pub mod input;
pub mod layout;
pub mod output;
pub mod page;
pub mod recognition;

pub mod config;
pub mod engine;
pub mod error;
pub mod plan;
pub mod pool;
pub mod profile;

pub use config::{default_workers, Config, Limits, OcrMode};
pub use engine::{Document, Engine, Input, Progress};
pub use error::{ErrorCode, ProcessError};
pub use input::format::Format;
pub use output::result::{
    BBox, Block, BlockKind, DocumentCode, DocumentQr, DocumentResult, Field, Fields, Line,
    LineItem, PageCode, PageQr, PageResult, Source, Table, TableCell, TableRef, Word,
};
