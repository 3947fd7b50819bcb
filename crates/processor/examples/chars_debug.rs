//! Prints a PDF page's characters as pdfium reports them (code point, loose box, font size): what
//! the text layer is built from.
//!     cargo run --release --example chars_debug -- FILE.pdf PAGE(0-based)

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("a PDF path");
    let page: i32 = args.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let pdfium = processor::input::pdf::pdfium(None).expect("libpdfium");
    let doc = pdfium
        .load_pdf_from_file(&path, None)
        .expect("a readable PDF");
    let page = doc.pages().get(page).expect("the page");
    let text = page.text().expect("a text layer");
    for c in text.chars().iter() {
        let ch = c.unicode_char().unwrap_or('\u{FFFD}');
        let b = c.loose_bounds().ok();
        let (l, bo, r, t) = b.map_or((0., 0., 0., 0.), |b| {
            (
                b.left().value,
                b.bottom().value,
                b.right().value,
                b.top().value,
            )
        });
        println!(
            "U+{:04X} {:?} [{l:.1} {bo:.1} {r:.1} {t:.1}] size {:.2} origin_y {:?} gen {:?}",
            ch as u32,
            ch,
            c.scaled_font_size().value,
            c.origin_y().ok().map(|y| y.value),
            c.is_generated().ok(),
        );
    }
}
