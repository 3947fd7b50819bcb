//! The document record: the DynamoDB item and what is written into it — pure data and rules, no
//! I/O.

mod clock;
mod failure;
mod item;
mod keys;
mod options;
mod outcome;
mod size;
#[cfg(test)]
mod test_data;

pub use api::{attr, Languages, Output, Status};
pub use clock::{epoch_ms, now_rfc3339};
pub use failure::FailureCode;
pub use item::{DocumentItem, RecordFields};
pub use keys::{previews_prefix, results_key, searchable_pdf_key};
pub use options::{options, Options};
pub use outcome::{Outcome, ResultParts, ITEM_WRITE_BUDGET, SUMMARY_QR_BYTES, SUMMARY_TEXT_BYTES};
pub use size::av_bytes;
