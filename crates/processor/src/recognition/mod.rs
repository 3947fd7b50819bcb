//! Tesseract: the handle over its C API, the OCR engine each worker owns, the installed languages;
//! and the second reader of receipts' figures, with its finder of a receipt's lines.

pub(crate) mod capi;
pub mod figures;
pub mod languages;
pub mod lines;
pub mod ocr;
pub(crate) mod tess;
