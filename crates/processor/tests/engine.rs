//! Engine behaviour: limits, OCR modes, coordinates, shared use from several threads, input formats.

mod common;

use common::*;
use processor::{Config, Document, Engine, ErrorCode, Limits, OcrMode, Source};
use std::io::Cursor;
use std::time::Duration;

fn engine_with(f: impl FnOnce(&mut Config)) -> Engine {
    let mut config = test_config();
    config.workers = 1;
    f(&mut config);
    Engine::new(config).expect("engine starts")
}

fn corpus_bytes(name: &str) -> Option<Vec<u8>> {
    Some(std::fs::read(corpus_dir()?.join(name)).expect("corpus file"))
}

#[test]
fn word_limits_per_page_and_per_document_are_too_large() {
    let Some(letter) = corpus_bytes("bd_letter_02.pdf") else {
        return;
    };
    let words =
        |r: &processor::DocumentResult| r.pages.iter().map(|p| p.words.len()).sum::<usize>();
    let whole = engine_with(|_| {}).process(Document::bytes(&letter).hint(Some("pdf")));
    assert!(whole.error.is_none(), "{:?}", whole.error);
    let (total, first) = (words(&whole), whole.pages[0].words.len());
    assert!(
        total > first && first > 20,
        "{total} words, {first} on page 1"
    );
    // A page over its limit: refused from its character count, before any word is built.
    let e = engine_with(|c| c.limits.max_page_words = 5);
    let r = e.process(Document::bytes(&letter).hint(Some("pdf")));
    let error = r.error.expect("too many words on a page");
    assert_eq!(error.code, ErrorCode::TooLarge);
    assert!(error.message.contains("page 1"), "{}", error.message);
    // Every page within its limit, the document over its own.
    let e = engine_with(|c| c.limits.max_document_words = total - 1);
    let error = e
        .process(Document::bytes(&letter).hint(Some("pdf")))
        .error
        .expect("too many words");
    assert_eq!(error.code, ErrorCode::TooLarge);
    assert!(error.message.contains("per document"), "{}", error.message);
    let e = engine_with(|c| c.limits.max_document_words = total);
    assert!(e
        .process(Document::bytes(&letter).hint(Some("pdf")))
        .error
        .is_none());
}

#[test]
fn limits_are_errors_with_their_codes() {
    let Some(two_pages) = corpus_bytes("bd_letter_02.pdf") else {
        return;
    };
    let e = engine_with(|c| {
        c.limits = Limits {
            max_pages: 1,
            ..Limits::default()
        }
    });
    assert_eq!(
        e.process(Document::bytes(&two_pages).hint(Some("pdf")))
            .error
            .unwrap()
            .code,
        ErrorCode::TooManyPages
    );

    let e = engine_with(|c| {
        c.limits = Limits {
            max_file_bytes: 1000,
            ..Limits::default()
        }
    });
    assert_eq!(
        e.process(Document::bytes(&two_pages).hint(Some("pdf")))
            .error
            .unwrap()
            .code,
        ErrorCode::TooLarge
    );

    let e = engine_with(|c| {
        c.limits = Limits {
            document_timeout: Duration::ZERO,
            ..Limits::default()
        }
    });
    assert_eq!(
        e.process(Document::bytes(&two_pages).hint(Some("pdf")))
            .error
            .unwrap()
            .code,
        ErrorCode::Timeout
    );

    let png = corpus_bytes("img_invoice_01.png").unwrap();
    let e = engine_with(|c| {
        c.limits = Limits {
            max_page_pixels: 1_000_000,
            ..Limits::default()
        }
    });
    assert_eq!(
        e.process(Document::bytes(&png).hint(Some("png")))
            .error
            .unwrap()
            .code,
        ErrorCode::ImageTooLarge
    );
}

#[test]
fn timeout_during_ocr_gives_up_cleanly() {
    let Some(long) = corpus_bytes("scan_long_20p.pdf") else {
        return;
    };
    // 20 scanned pages on one worker take far longer than 5 s on any machine; a one-page text
    // layer takes a fraction of that on any machine, even behind the abandoned document: its
    // pages still queued are dropped and the page being OCRed is cancelled at its next word.
    let e = engine_with(|c| c.limits.document_timeout = Duration::from_secs(5));
    let started = std::time::Instant::now();
    let r = e.process(Document::bytes(&long).hint(Some("pdf")));
    assert_eq!(r.error.unwrap().code, ErrorCode::Timeout);
    // Not a speed check: a hang would never return.
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "took {:?}",
        started.elapsed()
    );
    let letter = corpus_bytes("bd_letter_01.pdf").expect("corpus file");
    let after = e.process(Document::bytes(&letter));
    assert!(after.error.is_none(), "{:?}", after.error);
    assert!(norm(&after.text).len() > 200);
}

#[test]
fn ocr_modes_override_the_text_layer_decision() {
    let Some(bd) = corpus_bytes("bd_invoice_01.pdf") else {
        return;
    };
    let always = engine_with(|c| c.ocr_mode = OcrMode::Always).process(Document::bytes(&bd));
    assert!(always.pages.iter().all(|p| p.source == Source::Ocr));
    assert!(norm(&always.text).contains("INVOICE"), "{}", always.text);

    let scan = corpus_bytes("scan_letter_01.pdf").unwrap();
    let never = engine_with(|c| c.ocr_mode = OcrMode::Never).process(Document::bytes(&scan));
    assert!(never.error.is_none());
    assert!(never
        .pages
        .iter()
        .all(|p| p.source == Source::TextLayer && p.words.is_empty()));
    assert_eq!(norm(&never.text), "");
}

#[test]
fn text_layer_boxes_agree_with_ocr_boxes() {
    let Some(bd) = corpus_bytes("bd_letter_01.pdf") else {
        return;
    };
    let layer = engine().process(Document::bytes(&bd));
    let ocr = engine_with(|c| c.ocr_mode = OcrMode::Always).process(Document::bytes(&bd));
    let (lp, op) = (&layer.pages[0], &ocr.pages[0]);
    assert_eq!(lp.source, Source::TextLayer);
    let scale = op.dpi.unwrap() as f64 / lp.dpi.unwrap() as f64;
    let mut compared = 0;
    for w in lp.words.iter().filter(|w| w.text.len() >= 6) {
        let Some(o) = op.words.iter().find(|o| o.text == w.text) else {
            continue;
        };
        let b = w.bbox.scaled(scale);
        let ix = (b.left + b.width).min(o.bbox.left + o.bbox.width) as i64
            - b.left.max(o.bbox.left) as i64;
        let iy = (b.top + b.height).min(o.bbox.top + o.bbox.height) as i64
            - b.top.max(o.bbox.top) as i64;
        let inter = (ix.max(0) * iy.max(0)) as f64;
        let union = (b.width * b.height + o.bbox.width * o.bbox.height) as f64 - inter;
        if inter / union > 0.3 {
            compared += 1;
        }
    }
    assert!(
        compared >= 10,
        "only {compared} text-layer words overlap their OCR twin"
    );
}

#[test]
fn one_engine_serves_several_threads() {
    let Some(a) = corpus_bytes("img_letter_01.jpg") else {
        return;
    };
    let b = corpus_bytes("bd_report_01.pdf").unwrap();
    let sequential = (
        engine().process(Document::bytes(&a)),
        engine().process(Document::bytes(&b)),
    );
    let (ra, rb) = std::thread::scope(|s| {
        let ta = s.spawn(|| engine().process(Document::bytes(&a)));
        let tb = s.spawn(|| engine().process(Document::bytes(&b)));
        (ta.join().unwrap(), tb.join().unwrap())
    });
    assert_eq!(ra.text, sequential.0.text);
    assert_eq!(rb.text, sequential.1.text);
}

#[test]
fn webp_bmp_gif_and_tiff_inputs_are_read() {
    let Some(png) = corpus_bytes("img_invoice_01.png") else {
        return;
    };
    let img = image::load_from_memory(&png).unwrap();
    let want = norm(&engine().process(Document::bytes(&png)).text);
    assert!(want.len() > 200);
    for fmt in [
        image::ImageFormat::WebP,
        image::ImageFormat::Bmp,
        image::ImageFormat::Gif,
        image::ImageFormat::Tiff,
    ] {
        let mut buf = Cursor::new(Vec::new());
        let rgb = image::DynamicImage::ImageRgb8(img.to_rgb8());
        rgb.write_to(&mut buf, fmt).unwrap();
        let r = engine().process(Document::bytes(buf.get_ref()).hint(Some("png"))); // a wrong hint does not matter
        assert!(r.error.is_none(), "{fmt:?}: {:?}", r.error);
        let cer = cer(&[(want.clone(), r.text.clone())]);
        assert!(cer < 0.02, "{fmt:?}: CER {cer}");
        assert_eq!(r.qr_codes.len(), 1, "{fmt:?}: the page's QR code");
    }
}

#[test]
fn generated_qr_code_is_read_with_its_box() {
    let code = zxingcpp::create(zxingcpp::BarcodeFormat::QRCode)
        .from_str("https://example.com/ü?x=1")
        .unwrap()
        .to_image_with(&zxingcpp::write().scale(4))
        .unwrap();
    let (w, h) = (code.width() as u32, code.height() as u32);
    let data = code.data();
    let mut page = image::GrayImage::from_pixel(800, 600, image::Luma([255]));
    for y in 0..h {
        for x in 0..w {
            page.put_pixel(300 + x, 200 + y, image::Luma([data[(y * w + x) as usize]]));
        }
    }
    let mut png = Cursor::new(Vec::new());
    page.write_to(&mut png, image::ImageFormat::Png).unwrap();
    let r = engine().process(Document::bytes(png.get_ref()));
    assert_eq!(r.qr_codes.len(), 1, "{:?}", r.qr_codes);
    assert_eq!(r.qr_codes[0].data, "https://example.com/ü?x=1");
    let b = r.pages[0].qr_codes[0].bbox;
    assert!(
        b.left >= 290 && b.left <= 320 && b.top >= 190 && b.top <= 220,
        "{b:?}"
    );
}

#[test]
fn unsupported_content_is_a_clear_error() {
    let r = engine()
        .process(Document::bytes(b"PK\x03\x04 this is a zip, not a document").hint(Some("pdf")));
    let e = r.error.unwrap();
    assert_eq!(e.code, ErrorCode::UnsupportedFormat);
    assert!(e.message.contains("declared as \"pdf\""), "{}", e.message);
}

#[test]
fn file_input_matches_bytes_input() {
    let Some(dir) = corpus_dir() else { return };
    for name in ["bd_letter_02.pdf", "img_invoice_01.png"] {
        let path = dir.join(name);
        let from_file = engine().process(Document::file(&path));
        let from_bytes = engine().process(Document::bytes(&std::fs::read(&path).unwrap()));
        assert!(from_file.error.is_none(), "{name}: {:?}", from_file.error);
        assert_eq!(from_file, from_bytes, "{name}");
    }
    let missing = engine().process(Document::file(&dir.join("does-not-exist.pdf")));
    assert_eq!(missing.error.unwrap().code, ErrorCode::NotFound);
    let e = engine_with(|c| c.limits.max_file_bytes = 10);
    let big = e.process(Document::file(&dir.join("bd_letter_02.pdf")));
    assert_eq!(big.error.unwrap().code, ErrorCode::TooLarge);
}

/// Without render-ahead (what `serve`'s workers run with, so that their memory holds one page per
/// thread), a document reads exactly as with it: only the order of work changes.
#[test]
fn pages_made_only_for_a_free_thread_read_the_same() {
    for name in ["scan_letter_01.pdf", "img_multipage_01.tif"] {
        let Some(bytes) = corpus_bytes(name) else {
            return;
        };
        let run = |render_ahead: bool| {
            Engine::new(Config {
                workers: 1,
                render_ahead,
                ..test_config()
            })
            .unwrap()
            .process(Document::bytes(&bytes))
        };
        let (ahead, one_at_a_time) = (run(true), run(false));
        assert!(one_at_a_time.error.is_none(), "{:?}", one_at_a_time.error);
        assert!(
            ahead.pages.len() >= 2,
            "{name}: a document of several pages"
        );
        assert_eq!(one_at_a_time.text, ahead.text, "{name}");
        assert_eq!(one_at_a_time.pages.len(), ahead.pages.len());
    }
}
