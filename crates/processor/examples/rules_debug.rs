//! Prints the ruling lines found in an image and writes it with them erased (what OCR reads).
//!     cargo run --example rules_debug -- IMAGE [DPI] [ERASED.png]

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("an image path");
    let dpi = args.next().and_then(|d| d.parse().ok());
    let out = args.next();
    let img = image::open(&path).expect("an image").to_luma8();
    // Levelled first, as the page step does before OCR.
    let mut img = match processor::page::deskew::measure(&img) {
        Some(a) if a.abs() >= processor::plan::MIN_DESKEW_DEGREES => {
            println!("levelled by {a:.2} degrees");
            processor::page::deskew::level(&img, a)
        }
        _ => img,
    };
    let found = processor::page::ruling::find(&img, dpi);
    for f in &found {
        println!("{:?} {} runs", f.rule, f.runs.len());
    }
    if let Some(out) = out {
        processor::page::ruling::erase(&mut img, &found);
        img.save(out).expect("written");
    }
}
