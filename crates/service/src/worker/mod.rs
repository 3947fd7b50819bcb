//! Extraction in supervised worker processes. pdfium, leptonica, Tesseract and zxing-cpp are C/C++
//! parsers fed untrusted files: each document runs in a child process (`document-processor worker`,
//! kept warm across documents) under a deadline and a memory cap, so a hang, a crash or a runaway
//! allocation costs that one document (`timeout` / `engine_crashed`), never the service or the
//! documents beside it.

pub mod budget;
#[cfg(feature = "fault-injection")]
mod fault;
pub mod process;
pub mod protocol;
pub mod supervisor;

pub use budget::{Budget, Sizing};
pub use supervisor::{Supervisor, WorkerSettings};
