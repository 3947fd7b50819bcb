//! The fields step on lines another recogniser read: what the rules give when the words under them
//! are better read (issue 25). Each input is `{"lines": [{"text", "left", "top", "right",
//! "bottom", "conf"}]}` (a line's box in page pixels, `conf` 0-1); a line's words get boxes shared
//! out along it by their length. Writes `OUT_DIR/<name>.json` in the DocumentResult schema, which
//! `../shared/bench/score_fields.py` reads.
//!
//!     cargo run --release -p processor --example fields_from_lines -- LINES_DIR OUT_DIR

mod common;

use processor::layout;
use processor::{BBox, DocumentResult, PageResult, Source, Word};
use serde::Deserialize;

#[derive(Deserialize)]
struct Lines {
    lines: Vec<Line>,
}

#[derive(Deserialize)]
struct Line {
    text: String,
    left: f64,
    top: f64,
    right: f64,
    bottom: f64,
    conf: f64,
}

/// The line's words, each with its share of the line's width.
fn words(line: &Line) -> Vec<Word> {
    let parts: Vec<&str> = line.text.split_whitespace().collect();
    let chars: usize = parts.iter().map(|p| p.chars().count() + 1).sum();
    let width = (line.right - line.left).max(1.0);
    let mut x = line.left;
    parts
        .iter()
        .map(|p| {
            let w = width * (p.chars().count() + 1) as f64 / chars.max(1) as f64;
            let word = Word {
                text: p.to_string(),
                confidence: (line.conf * 100.0) as f32,
                bbox: BBox {
                    left: x.max(0.0) as u32,
                    top: line.top.max(0.0) as u32,
                    width: (w * 0.9).max(1.0) as u32,
                    height: (line.bottom - line.top).max(1.0) as u32,
                },
            };
            x += w;
            word
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = &args[..] else {
        eprintln!("usage: fields_from_lines LINES_DIR OUT_DIR");
        std::process::exit(64);
    };
    common::each_json(input, output, |_, bytes| {
        let read: Lines = serde_json::from_slice(bytes).ok()?;
        let width = read.lines.iter().map(|l| l.right).fold(1.0, f64::max) as u32;
        let height = read.lines.iter().map(|l| l.bottom).fold(1.0, f64::max) as u32;
        let lines: Vec<Vec<Word>> = read.lines.iter().map(words).collect();
        let text = layout::lay_out(lines);
        let page = PageResult {
            page: 1,
            width,
            height,
            dpi: None,
            source: Source::Ocr,
            rotation: 0,
            skew: text.skew,
            confidence: None,
            text: text.text,
            blocks: text.blocks,
            words: text.words,
            qr_codes: Vec::new(),
            codes: Vec::new(),
        };
        Some(DocumentResult::from_pages(vec![page]))
    });
}
