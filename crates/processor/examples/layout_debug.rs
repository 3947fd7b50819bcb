//! Prints the fragments the layout step makes of an image's OCR lines, then the page text.
//!     cargo run --release --example layout_debug -- IMAGE [DPI]

use processor::ocr::OcrEngine;
use std::sync::atomic::AtomicBool;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("an image path");
    let dpi = args.next().and_then(|d| d.parse().ok());
    let img = image::open(&path).expect("readable image").to_luma8();
    let mut ocr = OcrEngine::new(None, "eng").expect("tesseract");
    let lines = ocr
        .recognize(&img, dpi, &AtomicBool::new(false))
        .expect("recognised");
    let (kept, _) = processor::layout::split_noise(lines);
    print!("{}", processor::layout::explain(kept.clone()));
    println!("----\n{}", processor::layout::lay_out(kept).text);
}
