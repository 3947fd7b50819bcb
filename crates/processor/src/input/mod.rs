//! Reading a document: its format sniffed from content, PDFs through pdfium (with their text
//! layer), raster images decoded to grey pages with their resolution.

pub mod dpi;
pub mod format;
pub mod pdf;
pub mod raster;
pub mod text_layer;
