//! The fields step again on results `extract` wrote: a rule change measured in seconds instead of
//! re-reading every receipt (issue 25). Reads each `IN_DIR/<name>.json` (the DocumentResult
//! schema), rebuilds the document from its pages, writes `OUT_DIR/<name>.json` for
//! `../shared/bench/score_fields.py`.
//!
//!     cargo run --release -p processor --example fields_again -- IN_DIR OUT_DIR

mod common;

use processor::{DocumentResult, PageResult};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = &args[..] else {
        eprintln!("usage: fields_again IN_DIR OUT_DIR");
        std::process::exit(64);
    };
    common::each_json(input, output, |_, bytes| {
        let mut read: serde_json::Value = serde_json::from_slice(bytes).ok()?;
        let pages: Vec<PageResult> = serde_json::from_value(read["pages"].take()).ok()?;
        Some(DocumentResult::from_pages(pages))
    });
}
