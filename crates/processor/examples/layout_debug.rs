//! Prints the fragments the layout step makes of an image's OCR lines, then the page text: the
//! image is decoded as the engine decodes it, OCRed at the given DPI (none: Tesseract's guess).
//!     cargo run --release --example layout_debug -- IMAGE [DPI]
//! SHOW_LINE=word also prints the words (boxes, confidence) of every OCR line holding `word`.

use processor::recognition::ocr::OcrEngine;
use std::sync::atomic::AtomicBool;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("an image path");
    let dpi = args.next().and_then(|d| d.parse().ok());
    let bytes = std::fs::read(&path).expect("readable file");
    let format = processor::input::format::sniff(&bytes).expect("an image format");
    let mut ocr = OcrEngine::new(None, "eng").expect("tesseract");
    processor::input::raster::for_each_page(&bytes, format, &Default::default(), |_, page| {
        if let Ok(out) = std::env::var("SAVE_GREY") {
            page.image.save(&out).expect("grey image written");
        }
        let lines = ocr.recognize(&page.image, dpi.or(page.dpi), &AtomicBool::new(false))?;
        if let Ok(needle) = std::env::var("SHOW_LINE") {
            for l in lines
                .iter()
                .filter(|l| l.iter().any(|w| w.text.contains(&needle)))
            {
                for w in l {
                    println!("  {:?} {:.0} {}", w.bbox, w.confidence, w.text);
                }
            }
        }
        let (kept, _) = processor::layout::split_noise(lines);
        print!("{}", processor::layout::explain(kept.clone()));
        println!("----\n{}", processor::layout::lay_out(kept).text);
        Ok(())
    })
    .expect("pages read");
}
