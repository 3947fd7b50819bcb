//! Builds the benchmark's long documents from corpus files (nothing is committed; see BENCHMARKS.md):
//!   OUT/scan_200p.pdf    scan_long_20p.pdf ten times over (200 scanned pages)
//!   OUT/born_200p.pdf    the born-digital corpus PDFs repeated to 200 text-layer pages
//!
//!     cargo run --release -p processor --example make_bench_docs -- ../shared/corpus OUT

use pdfium_render::prelude::*;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let corpus = PathBuf::from(
        args.next()
            .ok_or("usage: make_bench_docs CORPUS_DIR OUT_DIR")?,
    );
    let out = PathBuf::from(
        args.next()
            .ok_or("usage: make_bench_docs CORPUS_DIR OUT_DIR")?,
    );
    std::fs::create_dir_all(&out)?;
    let lib = std::env::var("PDFIUM_LIB_PATH").unwrap_or_else(|_| ".local/lib".into());
    let pdfium = Pdfium::new(Pdfium::bind_to_library(
        Pdfium::pdfium_platform_library_name_at_path(&lib),
    )?);

    let repeat =
        |sources: &[&str], pages: i32, name: &str| -> Result<(), Box<dyn std::error::Error>> {
            let docs = sources
                .iter()
                .map(|s| pdfium.load_pdf_from_file(&corpus.join(s), None))
                .collect::<Result<Vec<_>, _>>()?;
            let mut doc = pdfium.create_new_pdf()?;
            'fill: loop {
                for src in &docs {
                    for i in 0..src.pages().len() {
                        if doc.pages().len() >= pages {
                            break 'fill;
                        }
                        let at = doc.pages().len();
                        doc.pages_mut()
                            .copy_page_range_from_document(src, i..=i, at)?;
                    }
                }
            }
            doc.save_to_file(&out.join(name))?;
            println!("{}: {} pages", out.join(name).display(), doc.pages().len());
            Ok(())
        };
    repeat(&["scan_long_20p.pdf"], 200, "scan_200p.pdf")?;
    repeat(
        &[
            "bd_invoice_01.pdf",
            "bd_invoice_02.pdf",
            "bd_letter_01.pdf",
            "bd_letter_02.pdf",
            "bd_report_01.pdf",
        ],
        200,
        "born_200p.pdf",
    )?;
    Ok(())
}
