//! Tesseract: the handle over its C API, the OCR engine each worker owns, the installed languages;
//! and the second reader of receipts' figures.

pub mod figures;
pub mod languages;
pub mod ocr;
pub(crate) mod tess;
