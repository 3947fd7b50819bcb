//! Tesseract: the handle over its C API, the OCR engine each worker owns, the installed languages.

pub mod languages;
pub mod ocr;
pub(crate) mod tess;
