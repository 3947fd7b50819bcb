//! What the layout and orientation steps cost next to OCR, page by page on the same images in one
//! run (BENCHMARKS.md): Tesseract's recognition, then deskew (measure + level), the glyph-size
//! measure, the layout step, and how many pages needed the orientation check.
//!     cargo run --release -p processor --example layout_cost -- ../shared/corpus/scan_long_20p.pdf

use processor::input::pdf;
use processor::page::{deskew, glyphs};
use processor::recognition::ocr::OcrEngine;
use processor::{layout, plan, Input};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

fn main() {
    let path = std::env::args().nth(1).expect("a scanned PDF");
    let bytes = std::fs::read(&path).expect("readable");
    let lib = std::env::var_os("PDFIUM_LIB_PATH").map(std::path::PathBuf::from);
    let pdfium = pdf::pdfium(lib.as_deref()).expect("pdfium");
    let doc = pdf::open(pdfium, Input::Bytes(&bytes)).expect("a PDF");
    let mut ocr = OcrEngine::new(None, "eng").expect("tesseract");
    let (mut t_ocr, mut t_deskew, mut t_glyph, mut t_layout) = (
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
    );
    let (mut pages, mut checks) = (0, 0);
    for page in doc.pages().iter() {
        let facts = pdf::facts(&page);
        let p = plan::pdf_page(&facts.plan, Default::default(), 300, 100_000_000);
        let img = pdf::render(&page, &facts.plan, p.dpi).expect("rendered");
        let dpi = Some(p.dpi.round() as u32);

        let t = Instant::now();
        let ink = deskew::Ink::of(&img);
        let _ = ink.is_sideways();
        let skew = ink.skew().filter(|a| a.abs() >= plan::MIN_DESKEW_DEGREES);
        let img = match skew {
            Some(a) => deskew::level(&img, a),
            None => img,
        };
        t_deskew += t.elapsed();

        let t = Instant::now();
        let _ = glyphs::median_glyph_height(&img, false);
        t_glyph += t.elapsed();

        let t = Instant::now();
        let lines = ocr
            .recognize(&img, dpi, &AtomicBool::new(false))
            .expect("recognised");
        t_ocr += t.elapsed();

        let t = Instant::now();
        if !plan::looks_upright(&lines.iter().flatten().collect::<Vec<_>>()) {
            checks += 1;
        }
        let (kept, _) = layout::split_noise(lines);
        let _ = layout::lay_out(kept);
        t_layout += t.elapsed();
        pages += 1;
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0 / pages as f64;
    let share = |d: Duration| 100.0 * d.as_secs_f64() / t_ocr.as_secs_f64();
    println!("{pages} pages, per page: OCR {:.0} ms", ms(t_ocr));
    println!(
        "orientation pre-check + deskew (measure + level) {:.1} ms = {:.1}% of OCR",
        ms(t_deskew),
        share(t_deskew)
    );
    println!(
        "layout step {:.1} ms = {:.1}% of OCR",
        ms(t_layout),
        share(t_layout)
    );
    println!("orientation checks (OSD + second reading) needed on {checks} of {pages} pages");
    println!(
        "glyph-size measure (only for images without a trustworthy DPI) {:.1} ms = {:.1}% of OCR",
        ms(t_glyph),
        share(t_glyph)
    );
}
