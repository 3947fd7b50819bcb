//! Prints how the table step reads each table of a PDF page (columns, lines, rows), then its
//! cells: the page's text layer and ruling lines as the engine takes them, at 150 DPI.
//!     cargo run --example table_debug -- FILE.pdf PAGE

use processor::layout::{self, Rule};
use processor::output::result::{BBox, Word};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("a PDF path");
    let page_no: i32 = args.next().and_then(|p| p.parse().ok()).unwrap_or(1);
    let pdfium = processor::input::pdf::pdfium(None).expect("libpdfium");
    let bytes = std::fs::read(&path).expect("readable file");
    let doc = processor::input::pdf::open(pdfium, processor::Input::Bytes(&bytes)).expect("a PDF");
    let page = doc.pages().get(page_no - 1).expect("the page");
    let facts = processor::input::pdf::facts(&page);
    let (scale, h) = (150.0 / 72.0, facts.plan.height_pt);
    let lines: Vec<Vec<Word>> = facts
        .text
        .lines
        .iter()
        .map(|l| {
            l.iter()
                .map(|w| Word {
                    text: w.text.clone(),
                    confidence: 100.0,
                    bbox: BBox {
                        left: (w.rect[0] * scale) as u32,
                        top: ((h - w.rect[3]) * scale) as u32,
                        width: ((w.rect[2] - w.rect[0]) * scale) as u32,
                        height: ((w.rect[3] - w.rect[1]) * scale) as u32,
                    },
                })
                .collect()
        })
        .collect();
    let rules: Vec<Rule> = facts
        .rules
        .iter()
        .map(|&[x0, y0, x1, y1]| {
            if (y1 - y0).abs() <= (x1 - x0).abs() {
                Rule::horizontal((h - y0) * scale, x0 * scale, x1 * scale)
            } else {
                Rule::vertical(x0 * scale, (h - y0) * scale, (h - y1) * scale)
            }
        })
        .collect();
    let words: Vec<Word> = lines.iter().flatten().cloned().collect();
    let unit = {
        let mut hs: Vec<f32> = words.iter().map(|w| w.bbox.height as f32).collect();
        hs.sort_by(f32::total_cmp);
        hs.get(hs.len() / 2).copied().unwrap_or(10.0)
    };
    let page_text = layout::lay_out_with(lines, &rules);
    for (i, b) in page_text.blocks.iter().enumerate() {
        let Some(t) = &b.table else { continue };
        let inside: Vec<Word> = words
            .iter()
            .filter(|w| {
                let (x, y) = w.bbox.center();
                b.bbox.contains_point(x, y)
            })
            .cloned()
            .collect();
        println!("== block {i} at {:?}: {} x {}", b.bbox, t.rows, t.cols);
        print!("{}", layout::table::explain(&inside, &rules, unit));
        for c in &t.cells {
            println!(
                "  r{} c{} {}x{} {}",
                c.row, c.col, c.row_span, c.col_span, c.text
            );
        }
    }
}
