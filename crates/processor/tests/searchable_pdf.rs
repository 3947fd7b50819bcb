//! The searchable PDF, checked with the tools people open it with: poppler's pdftotext (the text,
//! and each word's box), pdftoppm (the pages look as before), qpdf --check (the file is sound).
//! And languages: a page in six languages read with them, next to Tesseract's CLI.

mod common;

use common::{corpus_dir, engine, norm, test_config};
use processor::{BBox, Config, Document, DocumentResult, Engine, Input, OcrMode, Source};
use std::path::{Path, PathBuf};
use std::process::Command;

fn tool(name: &str) -> bool {
    let found = Command::new(name).arg("-v").output().is_ok()
        || Command::new(name).arg("--version").output().is_ok();
    if !found && std::env::var_os("CI").is_some() {
        panic!("CI is set but {name} is missing (scripts/setup.sh installs it)");
    }
    found
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dp-searchable-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("tool runs");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn cer(hyp: &str, reference: &str) -> f64 {
    let (h, r): (Vec<char>, Vec<char>) = (
        norm(hyp).chars().collect(),
        norm(reference).chars().collect(),
    );
    common::levenshtein(&h, &r) as f64 / r.len().max(1) as f64
}

fn searchable(input: &Path) -> (DocumentResult, PathBuf) {
    let result = engine().process(Document::file(input));
    assert!(result.error.is_none(), "{:?}", result.error);
    let out = tmp(&format!(
        "{}.pdf",
        input.file_name().unwrap().to_string_lossy()
    ));
    engine()
        .write_searchable_pdf(Input::File(input), &result, &out)
        .expect("searchable PDF written");
    (result, out)
}

/// Grey pixels of every page rendered at 100 DPI.
fn render(pdf: &Path, name: &str) -> Vec<Vec<u8>> {
    let prefix = tmp(name);
    run(Command::new("pdftoppm")
        .args(["-r", "100", "-gray", "-png"])
        .arg(pdf)
        .arg(&prefix));
    let dir = prefix.parent().unwrap();
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!("{name}-"))
        })
        .collect();
    pages.sort();
    pages
        .iter()
        .map(|p| image::open(p).expect("png").into_luma8().into_raw())
        .collect()
}

/// Words pdftotext finds with their boxes in points: (page, word, [x0, y0, x1, y1]).
fn bbox_words(pdf: &Path) -> Vec<(u32, String, [f64; 4])> {
    let html = run(Command::new("pdftotext").arg("-bbox").arg(pdf).arg("-"));
    let mut page = 0;
    let mut words = Vec::new();
    for line in html.lines() {
        if line.contains("<page ") {
            page += 1;
        }
        let Some(rest) = line.trim().strip_prefix("<word ") else {
            continue;
        };
        let attr = |name: &str| -> f64 {
            let at = rest.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
            rest[at..].split('"').next().unwrap().parse().unwrap()
        };
        let text = rest.split('>').nth(1).unwrap().split('<').next().unwrap();
        words.push((
            page,
            text.to_string(),
            [attr("xMin"), attr("yMin"), attr("xMax"), attr("yMax")],
        ));
    }
    words
}

fn overlap(a: [f64; 4], b: [f64; 4]) -> f64 {
    let w = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let h = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let area = |r: [f64; 4]| (r[2] - r[0]) * (r[3] - r[1]);
    w * h / area(a).min(area(b)).max(1e-6)
}

fn points(b: BBox, dpi: u32) -> [f64; 4] {
    let s = 72.0 / dpi as f64;
    let (l, t) = (b.left as f64 * s, b.top as f64 * s);
    [l, t, l + b.width as f64 * s, t + b.height as f64 * s]
}

#[test]
fn a_scanned_pdf_gets_its_words_at_their_boxes_and_looks_the_same() {
    let Some(corpus) = corpus_dir() else { return };
    if !(tool("pdftotext") && tool("pdftoppm") && tool("qpdf")) {
        return;
    }
    let input = corpus.join("scan_letter_01.pdf");
    let (result, out) = searchable(&input);
    // A sound file.
    run(Command::new("qpdf").arg("--check").arg(&out));
    // Poppler reads it without a word on stderr, and its text is the result's, in reading order.
    let read = Command::new("pdftotext")
        .arg(&out)
        .arg("-")
        .output()
        .unwrap();
    assert!(read.status.success());
    assert_eq!(
        String::from_utf8_lossy(&read.stderr),
        "",
        "poppler complained"
    );
    let text = String::from_utf8(read.stdout).unwrap();
    let err = cer(&text, &result.text);
    assert!(
        err <= 0.01,
        "pdftotext CER {:.2}% against the result",
        err * 100.0
    );
    // Every page looks as it did: the text is invisible, the scan untouched.
    let (before, after) = (render(&input, "in"), render(&out, "out"));
    assert_eq!(before.len(), after.len());
    for (i, (b, a)) in before.iter().zip(&after).enumerate() {
        assert_eq!(b.len(), a.len(), "page {} changed size", i + 1);
        let diff: u64 = b.iter().zip(a).map(|(x, y)| x.abs_diff(*y) as u64).sum();
        let mean = diff as f64 / b.len() as f64;
        assert!(
            mean < 0.5,
            "page {} differs by {mean:.2} grey levels on average",
            i + 1
        );
    }
    // A search for a word finds it on its page at its box.
    let found = bbox_words(&out);
    let mut checked = 0;
    for page in &result.pages {
        let dpi = page.dpi.expect("a scan's resolution");
        for word in page.words.iter().filter(|w| w.text.len() >= 8).take(5) {
            let hit = found.iter().find(|(p, t, b)| {
                *p == page.page && t == &word.text && overlap(*b, points(word.bbox, dpi)) > 0.5
            });
            assert!(
                hit.is_some(),
                "{:?} not found at its box on page {}",
                word.text,
                page.page
            );
            checked += 1;
        }
    }
    assert!(checked >= 5, "too few words checked: {checked}");
    // pdfium opens it and finds the words as a text layer: the engine now reads it without OCR.
    let again = engine().process(Document::file(&out));
    assert!(again.error.is_none(), "{:?}", again.error);
    assert!(again.pages.iter().all(|p| p.source == Source::TextLayer));
    // The same words (their order is the text-layer path's own reading, not the PDF's concern).
    let bag = |t: &str| {
        let mut w: Vec<String> = norm(t).split(' ').map(String::from).collect();
        w.sort();
        w
    };
    assert_eq!(bag(&again.text), bag(&result.text));
    // Little more than the input: the overlay is text.
    let (size_in, size_out) = (
        std::fs::metadata(&input).unwrap().len(),
        std::fs::metadata(&out).unwrap().len(),
    );
    assert!(
        size_out as f64 <= size_in as f64 * 1.15,
        "{size_out} bytes from {size_in}"
    );
}

#[test]
fn born_digital_pages_are_copied_and_an_image_becomes_a_page() {
    let Some(corpus) = corpus_dir() else { return };
    if !(tool("pdftotext") && tool("qpdf")) {
        return;
    }
    // A born-digital page: its own text layer, nothing laid over it.
    let input = corpus.join("bd_letter_01.pdf");
    let (result, out) = searchable(&input);
    assert!(result.pages.iter().all(|p| p.source == Source::TextLayer));
    run(Command::new("qpdf").arg("--check").arg(&out));
    let text = |p: &Path| run(Command::new("pdftotext").arg(p).arg("-"));
    assert_eq!(norm(&text(&out)), norm(&text(&input)));
    // A JPEG becomes a one-page PDF carrying the JPEG as it was, with its text.
    let input = corpus.join("img_letter_01.jpg");
    let (result, out) = searchable(&input);
    run(Command::new("qpdf").arg("--check").arg(&out));
    let err = cer(&text(&out), &result.text);
    assert!(
        err <= 0.01,
        "pdftotext CER {:.2}% against the result",
        err * 100.0
    );
    let size_in = std::fs::metadata(&input).unwrap().len() as f64;
    assert!((std::fs::metadata(&out).unwrap().len() as f64) < size_in * 1.15);
}

/// Tesseract's multilingual sample text (its eurotext page), set in Times and rendered at 300 DPI
/// by pdfium with its own built-in fonts: the page looks the same on every machine (poppler would
/// draw it with whatever serif font the machine has, and some lose the accents).
const EUROTEXT: &str = "The (quick) [brown] {fox} jumps!\nOver the $43,456.78 <lazy> #90 dog\n\
& duck/goose, as 12.5% of E-mail\nfrom aspammer@website.com is spam.\n\
Der schnelle braune Fuchs springt\nüber den faulen Hund. Le renard brun\n\
«rapide» saute par-dessus le chien\nparesseux. La volpe marrone rapida\n\
salta sopra il cane pigro. El zorro\nmarrón rápido salta sobre el perro\n\
perezoso. A raposa marrom rápida\nsalta sobre o cão preguiçoso.";

fn eurotext_png() -> PathBuf {
    use pdfium_render::prelude::*;
    let pdfium = processor::input::pdf::pdfium(test_config().pdfium_lib_path.as_deref()).unwrap();
    let mut doc = pdfium.create_new_pdf().unwrap();
    let font = doc.fonts_mut().times_roman();
    let mut page = doc
        .pages_mut()
        .create_page_at_end(PdfPagePaperSize::a4())
        .unwrap();
    for (i, line) in EUROTEXT.lines().enumerate() {
        page.objects_mut()
            .create_text_object(
                PdfPoints::new(72.0),
                PdfPoints::new(760.0 - 22.0 * i as f32),
                line,
                font,
                PdfPoints::new(15.0),
            )
            .unwrap();
    }
    let out = tmp("eurotext.png");
    let config =
        PdfRenderConfig::new().set_target_width((page.width().value / 72.0 * 300.0) as i32);
    let image = page
        .render_with_config(&config)
        .unwrap()
        .as_image()
        .unwrap()
        .into_luma8();
    image.save(&out).unwrap();
    out
}

#[test]
fn a_page_in_six_languages_is_read_with_them_as_tesseracts_cli_reads_it() {
    if !tool("tesseract") {
        return;
    }
    let languages = "eng+deu+fra+ita+spa+por";
    let installed = processor::recognition::languages::installed(None);
    for lang in languages.split('+') {
        if !installed.iter().any(|l| l == lang) {
            assert!(
                std::env::var_os("CI").is_none(),
                "{lang} is not installed (scripts/setup.sh)"
            );
            return;
        }
    }
    // The same page as an image, for both readers.
    let png = eurotext_png();
    let cli = run(Command::new("tesseract")
        .arg(&png)
        .arg("-")
        .args(["-l", languages, "--psm", "3"]));
    let engine = Engine::new(Config {
        languages: languages.into(),
        ocr_mode: OcrMode::Always,
        workers: 1,
        ..test_config()
    })
    .unwrap();
    let ours = engine.process(Document::file(&png));
    assert!(ours.error.is_none(), "{:?}", ours.error);
    let (ours_cer, cli_cer) = (cer(&ours.text, EUROTEXT), cer(&cli, EUROTEXT));
    assert!(
        ours_cer <= cli_cer + 0.01,
        "ours {:.2}% vs the CLI's {:.2}%:\n{}",
        ours_cer * 100.0,
        cli_cer * 100.0,
        ours.text
    );
    for word in ["über", "cão", "preguiçoso", "marrón", "«rapide»"] {
        assert_eq!(
            ours.text.contains(word),
            cli.contains(word),
            "{word}: ours {:?}, CLI {:?}",
            ours.text,
            cli
        );
    }
    // English alone reads "tiber": the German model is in use.
    assert!(ours.text.contains("über"), "{}", ours.text);
}

#[test]
fn image_pages_keep_their_pixels_as_they_were_coded() {
    let Some(corpus) = corpus_dir() else { return };
    if !(tool("pdftoppm") && tool("qpdf") && tool("pdftotext")) {
        return;
    }
    // A multi-page Group 4 TIFF in strips (embedded as coded) and a grey PNG (its rows as coded).
    for name in ["img_multipage_01.tif", "img_invoice_01.png"] {
        let input = corpus.join(name);
        let (result, out) = searchable(&input);
        run(Command::new("qpdf").arg("--check").arg(&out));
        let err = cer(
            &run(Command::new("pdftotext").arg(&out).arg("-")),
            &result.text,
        );
        assert!(
            err <= 0.01,
            "{name}: pdftotext CER {:.2}% against the result",
            err * 100.0
        );
        let bytes = std::fs::read(&input).unwrap();
        let format = processor::input::format::sniff(&bytes).unwrap();
        let mut pages = Vec::new();
        processor::input::raster::for_each_page(
            &bytes,
            format,
            &Config::default().limits,
            |_, p| {
                pages.push(p);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(pages.len(), result.pages.len());
        for (i, page) in pages.iter().enumerate() {
            let (w, h) = page.image.dimensions();
            let prefix = tmp(&format!("{}-native", name.replace('.', "_")));
            run(Command::new("pdftoppm")
                .args([
                    "-scale-to-x",
                    &w.to_string(),
                    "-scale-to-y",
                    &h.to_string(),
                    "-gray",
                    "-png",
                    "-singlefile",
                    "-f",
                    &(i + 1).to_string(),
                    "-l",
                    &(i + 1).to_string(),
                ])
                .arg(&out)
                .arg(&prefix));
            let rendered = image::open(prefix.with_extension("png"))
                .unwrap()
                .into_luma8();
            // Rendered to the image's own size, each page is the image: pixels on the other side
            // of mid-grey are few. Poppler smooths a black-and-white image's edges as it draws
            // it: 1.2% of this TIFF's pixels flip so, in OCRmyPDF's PDF of it too.
            assert_eq!(rendered.dimensions(), (w, h), "{name} page {}", i + 1);
            let flipped = rendered
                .as_raw()
                .iter()
                .zip(page.image.as_raw())
                .filter(|(x, y)| (**x < 128) != (**y < 128))
                .count();
            let share = flipped as f64 / rendered.as_raw().len() as f64;
            assert!(
                share < 0.02,
                "{name} page {}: {:.2}% of pixels differ",
                i + 1,
                share * 100.0
            );
        }
        let (size_in, size_out) = (
            bytes.len() as f64,
            std::fs::metadata(&out).unwrap().len() as f64,
        );
        assert!(
            size_out <= size_in * 1.15,
            "{name}: {size_out} bytes from {size_in}"
        );
    }
}
