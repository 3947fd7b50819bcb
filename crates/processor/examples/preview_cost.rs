//! What the viewer's page previews cost next to processing the same document, in one run
//! (BENCHMARKS.md): each page image as the engine makes it (a PDF page rendered as its plan says, an
//! image decoded), coded by `preview::encode` (best of 3), against `Engine::process` of the whole
//! document with one OCR thread (best of 3); and each preview's size.
//!     cargo run --release -p processor --example preview_cost -- FILE...

use processor::input::{format, pdf, raster};
use processor::page::preview;
use processor::{plan, Config, Document, Engine, Input};
use std::time::{Duration, Instant};

fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut out = None;
    let mut best = Duration::MAX;
    for _ in 0..runs {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed());
        out = Some(v);
    }
    (best, out.expect("one run"))
}

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    let lib = std::env::var_os("PDFIUM_LIB_PATH").map(std::path::PathBuf::from);
    let config = Config {
        workers: 1,
        pdfium_lib_path: lib.clone(),
        ..Config::default()
    };
    let engine = Engine::new(config.clone()).expect("engine");
    let side = preview::DEFAULT_MAX_SIDE;
    println!(
        "| file | pages | processing s | previews ms | per page ms | share | KB/page (mean, max) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let (mut all_doc, mut all_prev, mut all_pages, mut all_sizes) =
        (Duration::ZERO, Duration::ZERO, 0, Vec::new());
    for path in &files {
        let bytes = std::fs::read(path).expect("readable");
        let (t_doc, result) = best(3, || engine.process(Document::bytes(&bytes)));
        assert!(result.is_ok(), "{path}: {:?}", result.error);
        let mut images = Vec::new();
        match format::sniff(&bytes).expect("a known format") {
            format::Format::Pdf => {
                let pdfium = pdf::pdfium(lib.as_deref()).expect("pdfium");
                let doc = pdf::open(pdfium, Input::Bytes(&bytes)).expect("a PDF");
                for page in doc.pages().iter() {
                    let facts = pdf::facts(&page);
                    let p = plan::pdf_page(
                        &facts.plan,
                        config.ocr_mode,
                        config.ocr_dpi,
                        config.limits.max_page_pixels,
                    );
                    images.push(pdf::render(&page, &facts.plan, p.dpi).expect("rendered"));
                }
            }
            f => raster::for_each_page(&bytes, f, &config.limits, |_, page| {
                images.push(page.image);
                Ok(())
            })
            .expect("decoded"),
        }
        let mut t_prev = Duration::ZERO;
        let mut sizes = Vec::new();
        for image in &images {
            let (t, webp) = best(3, || preview::encode(image, side).expect("coded"));
            t_prev += t;
            sizes.push(webp.len());
        }
        let n = images.len();
        let mean = sizes.iter().sum::<usize>() as f64 / n as f64 / 1024.0;
        let max = *sizes.iter().max().unwrap() as f64 / 1024.0;
        println!(
            "| {} | {n} | {:.3} | {:.1} | {:.1} | {:.2}% | {mean:.1}, {max:.1} |",
            std::path::Path::new(path)
                .file_name()
                .unwrap()
                .to_string_lossy(),
            t_doc.as_secs_f64(),
            t_prev.as_secs_f64() * 1000.0,
            t_prev.as_secs_f64() * 1000.0 / n as f64,
            t_prev.as_secs_f64() / t_doc.as_secs_f64() * 100.0
        );
        all_doc += t_doc;
        all_prev += t_prev;
        all_pages += n;
        all_sizes.extend(sizes);
    }
    println!(
        "| **all** | {all_pages} | {:.3} | {:.1} | {:.1} | {:.2}% | {:.1}, {:.1} |",
        all_doc.as_secs_f64(),
        all_prev.as_secs_f64() * 1000.0,
        all_prev.as_secs_f64() * 1000.0 / all_pages as f64,
        all_prev.as_secs_f64() / all_doc.as_secs_f64() * 100.0,
        all_sizes.iter().sum::<usize>() as f64 / all_sizes.len() as f64 / 1024.0,
        *all_sizes.iter().max().unwrap() as f64 / 1024.0
    );
}
