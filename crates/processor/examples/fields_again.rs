//! The fields step again on results `extract` wrote: a rule change measured in seconds instead of
//! re-reading every receipt (issue 25). Reads each `IN_DIR/<name>.json` (the DocumentResult
//! schema), rebuilds the document from its pages, writes `OUT_DIR/<name>.json` for
//! `../shared/bench/score_fields.py`.
//!
//!     cargo run --release -p processor --example fields_again -- IN_DIR OUT_DIR

use processor::{DocumentResult, PageResult};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = &args[..] else {
        eprintln!("usage: fields_again IN_DIR OUT_DIR");
        std::process::exit(64);
    };
    std::fs::create_dir_all(output).expect("output folder");
    for entry in std::fs::read_dir(input).expect("input folder") {
        let path = entry.expect("entry").path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if !name.ends_with(".json") {
            continue;
        }
        let mut read: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).expect("readable")).expect("json");
        let Ok(pages) = serde_json::from_value::<Vec<PageResult>>(read["pages"].take()) else {
            eprintln!("{name}: not a document result");
            continue;
        };
        let result = DocumentResult::from_pages(pages);
        let out = std::path::Path::new(output).join(name);
        std::fs::write(out, serde_json::to_vec(&result).expect("serialises")).expect("written");
    }
}
