//! Tesseract: the handle over its C API, the OCR engine each worker owns, the installed languages;
//! and the second reader of receipts' figures, with its finder of a receipt's lines.

pub(crate) mod capi;
pub mod figures;
pub mod languages;
pub mod lines;
pub mod ocr;
pub(crate) mod tess;

/// The Tesseract this binary runs, and how it is linked: "5.3.0 (static)" for the build of
/// scripts/build-tesseract.sh, "(shared)" for the system's library (build.rs decides).
pub fn tesseract_build() -> String {
    // SAFETY: TessVersion returns a static NUL-terminated string.
    let version = unsafe { std::ffi::CStr::from_ptr(capi::TessVersion()) };
    format!(
        "{} ({})",
        version.to_string_lossy(),
        env!("DP_TESSERACT_LINK")
    )
}
