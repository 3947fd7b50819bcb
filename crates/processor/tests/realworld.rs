//! Public test files written elsewhere (../shared/realworld): zxing-cpp's QR images, Tesseract's
//! phototest page, OCRmyPDF's PDFs, SROIE's receipts.

mod common;

use common::*;
use processor::ErrorCode;

#[test]
fn zxing_cpp_qr_images_reach_the_peer_decoders() {
    let Some(dir) = realworld_dir() else { return };
    let (mut hits, mut total, mut phantoms) = (0, 0, 0);
    for set in ["qrcode-1", "qrcode-5"] {
        for entry in std::fs::read_dir(dir.join("qr").join(set)).expect("qr folder") {
            let path = entry.unwrap().path();
            let name = path.to_string_lossy().into_owned();
            let Some(image) = name.strip_suffix(".expected.txt") else {
                continue;
            };
            // Read raw: some payloads hold CR LF, which is part of the payload.
            let want = String::from_utf8(std::fs::read(&path).unwrap()).unwrap();
            let result = process_file(std::path::Path::new(image));
            assert!(result.error.is_none(), "{image}: {:?}", result.error);
            total += 1;
            if result.qr_codes.iter().any(|q| q.data == want) {
                hits += 1;
            } else {
                eprintln!("missed {image}: {:?}", result.qr_codes);
            }
            phantoms += result.qr_codes.iter().filter(|q| q.data != want).count();
        }
    }
    assert_eq!(total, 24, "the set has 24 images (WebP and PNG)");
    // zxing-cpp and zbar read 20 of 24; rqrr alone 10.
    assert!(hits >= 20, "read {hits}/24");
    assert_eq!(phantoms, 0, "codes reported that are not in the images");
}

#[test]
fn zxing_cpp_barcode_sets_are_read_with_their_format_and_nothing_else() {
    let Some(dir) = realworld_dir() else { return };
    let (mut hits, mut total, mut false_codes) = (0, 0, 0);
    for (set, format) in [
        ("code128-1", "Code 128"),
        ("code39-1", "Code 39"),
        ("datamatrix-1", "Data Matrix"),
        ("ean13-1", "EAN-13"),
        ("itf-1", "ITF"),
        ("pdf417-1", "PDF417"),
    ] {
        let (mut set_hits, mut set_total) = (0, 0);
        for entry in std::fs::read_dir(dir.join("barcode").join(set)).expect("barcode folder") {
            let path = entry.unwrap().path();
            let name = path.to_string_lossy().into_owned();
            let Some(image) = name.strip_suffix(".expected.txt") else {
                continue;
            };
            let want = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            let result = process_file(std::path::Path::new(image));
            assert!(result.error.is_none(), "{image}: {:?}", result.error);
            set_total += 1;
            let codes = &result.pages[0].codes;
            // A Code 39 family member may come with its own name (Pharmazentralnummer, Code 32).
            let named = |f: &str| f.starts_with(format) || (set == "code39-1" && !f.is_empty());
            if codes.iter().any(|c| c.data == want && named(&c.format)) {
                set_hits += 1;
            } else {
                eprintln!("missed {image}: {codes:?}");
            }
            false_codes += codes.iter().filter(|c| c.data != want).count();
            // The document lists the page's codes with their page.
            assert_eq!(result.codes.len(), codes.len());
        }
        eprintln!("{set}: {set_hits}/{set_total}");
        hits += set_hits;
        total += set_total;
    }
    assert_eq!(total, 87, "six sets, 87 images");
    // zxing-cpp's own Python binding reads 84 of them (scripts/bench_codes.py).
    assert!(hits >= 84, "read {hits}/87");
    assert_eq!(false_codes, 0, "codes reported that are not in the images");
}

#[test]
fn pages_without_codes_report_none() {
    let Some(dir) = realworld_dir() else { return };
    let mut pages = 0;
    for entry in std::fs::read_dir(dir.join("docbank")).expect("docbank folder") {
        let path = entry.unwrap().path();
        if !path.to_string_lossy().ends_with("_ori.jpg") {
            continue;
        }
        let result = process_file(&path);
        assert!(
            result.codes.is_empty(),
            "{}: {:?}",
            path.display(),
            result.codes
        );
        pages += 1;
        if pages == 3 {
            break; // OCR costs ~2 s a page: a sample is enough here; the bench reads all 20.
        }
    }
    assert!(pages > 0);
}

#[test]
fn tesseract_phototest_page() {
    let Some(dir) = realworld_dir() else { return };
    let result = process_file(&dir.join("ocr/phototest.tif"));
    assert!(result.error.is_none(), "{:?}", result.error);
    let want = std::fs::read_to_string(dir.join("ocr/phototest.tif.expected.txt")).unwrap();
    let cer = cer(&[(want, result.text.clone())]);
    assert!(
        cer <= 0.02,
        "phototest CER {:.2}%:\n{}",
        cer * 100.0,
        result.text
    );
    let page = &result.pages[0];
    assert!(
        page.confidence.unwrap() > 80.0,
        "confidence {:?}",
        page.confidence
    );
    assert!(page.words.iter().any(|w| w.text == "quick"));
}

#[test]
fn ocrmypdf_samples() {
    let Some(dir) = realworld_dir() else { return };
    let invalid = process_file(&dir.join("pdf/invalid.pdf"));
    assert_eq!(
        invalid.error.as_ref().map(|e| e.code),
        Some(ErrorCode::CorruptDocument)
    );

    let empty = process_file(&dir.join("pdf/no_contents.pdf"));
    assert!(empty.error.is_none(), "{:?}", empty.error);
    assert_eq!(empty.page_count, 1);
    assert_eq!(norm(&empty.text), "");

    let multi = process_file(&dir.join("pdf/multipage.pdf"));
    assert!(multi.error.is_none(), "{:?}", multi.error);
    assert_eq!(multi.page_count, 6);
    assert_eq!(multi.pages.len(), 6);

    let hard = process_file(&dir.join("pdf/c02-22.pdf"));
    assert!(hard.error.is_none(), "{:?}", hard.error);
    let text = norm(&hard.text);
    assert!(text.contains("tip-toeing along a path"), "{text}");
}

/// A faint till receipt whose ink the orientation step takes for sideways, and whose orientation
/// detection then answers a half turn: it was read upside down ("QNNd3Y HSYD" for REFUND CASH).
/// A half turn must win against the upright reading, not be taken on OSD's word.
#[test]
fn a_faint_upright_receipt_is_not_turned_over() {
    let Some(dir) = realworld_dir() else { return };
    let result = process_file(&dir.join("sroie_keys/615.jpg"));
    assert!(result.error.is_none(), "{:?}", result.error);
    let page = &result.pages[0];
    assert_eq!(page.rotation, 0, "{}", result.text);
    assert!(result.text.contains("KEMBANGAN"), "{}", result.text);
    let total = result.fields.total.as_ref().expect("its total");
    assert_eq!(total.value.as_deref(), Some("7.15"));
}

/// Faint thermal receipts whose figures Tesseract misreads (a total of "702.00" for 104.00,
/// "67.55" for 67.85): the figures' reader reads them again.
#[test]
fn a_faint_receipts_figures_are_read_again() {
    let Some(receipts) = receipts_dir() else {
        return;
    };
    for (file, total) in [("250.jpg", "104.00"), ("245.jpg", "67.85")] {
        let result = process_file(&receipts.join(file));
        assert!(result.error.is_none(), "{file}: {:?}", result.error);
        let found = result
            .fields
            .total
            .as_ref()
            .and_then(|t| t.value.as_deref());
        assert_eq!(found, Some(total), "{file}:\n{}", result.text);
    }
}

/// The SROIE receipts, when ../shared and the figures' reader are there (the receipts' tests need
/// both).
fn receipts_dir() -> Option<std::path::PathBuf> {
    let dir = realworld_dir()?;
    figure_reader_installed().then(|| dir.join("sroie_keys"))
}

/// A field's normalised value, if the field was found.
fn value_of(f: &Option<processor::fields::Field>) -> Option<String> {
    f.as_ref().and_then(|f| f.value.clone())
}

/// A receipt's head is read again too: Tesseract reads this vendor's name "SANYO" (a real word);
/// and a receipt scanned in the middle of an A4 sheet is read as a till receipt (its total, read
/// by Tesseract at 21 confidence, gave it no field at all).
#[test]
fn a_receipts_name_and_a_receipt_on_a_larger_sheet_are_read_again() {
    let Some(receipts) = receipts_dir() else {
        return;
    };
    let result = process_file(&receipts.join("470.jpg"));
    let name = result.fields.vendor_name.as_ref().map(|f| f.text.as_str());
    assert_eq!(name, Some("SANYU STATIONERY SHOP"), "{}", result.text);
    let result = process_file(&receipts.join("435.jpg"));
    assert_eq!(
        value_of(&result.fields.total).as_deref(),
        Some("75.70"),
        "{}",
        result.text
    );
    let date = result.fields.date.as_ref().map(|f| f.text.as_str());
    assert_eq!(date, Some("12/05/2018"));
}

/// A dot-matrix receipt Tesseract reads next to nothing of (3 words): its lines found by the
/// detector and read by the second reader give its date and total; its name and address, read
/// without their spaces, are left out rather than given wrong.
#[test]
fn a_receipt_tesseract_cannot_read_is_read_line_by_line() {
    let Some(receipts) = receipts_dir() else {
        return;
    };
    let result = process_file(&receipts.join("275.jpg"));
    assert_eq!(
        value_of(&result.fields.total).as_deref(),
        Some("11.50"),
        "{}",
        result.text
    );
    assert_eq!(value_of(&result.fields.date).as_deref(), Some("2017-05-10"));
    assert!(result.text.contains("JALAN ANGSA"), "{}", result.text);
    assert!(result.fields.vendor_address.is_none());
}

/// A receipt whose total Tesseract misreads ("Grand Total re) ® 35" for RM8.35, with its payment
/// printed in cents): no total from its words, so the page is read again line by line and the
/// total comes from that reading; the page's words and the vendor stay Tesseract's.
#[test]
fn a_total_tesseract_misreads_comes_from_the_receipt_read_line_by_line() {
    let Some(receipts) = receipts_dir() else {
        return;
    };
    let result = process_file(&receipts.join("395.jpg"));
    assert_eq!(
        value_of(&result.fields.total).as_deref(),
        Some("8.35"),
        "{}",
        result.text
    );
    assert_eq!(value_of(&result.fields.date).as_deref(), Some("2016-07-31"));
    let vendor = result.fields.vendor_name.as_ref().map(|f| f.text.as_str());
    assert_eq!(vendor, Some("Yam Fresh"), "{}", result.text);
    assert!(!result.text.contains("8.35"), "{}", result.text);
}

/// The figures' reader costs a worker its memory only once a till receipt's page needs it.
#[test]
fn the_figures_reader_loads_for_a_receipt_only() {
    use processor::page::read::{self, Readers};
    use processor::recognition::ocr::OcrEngine;
    use std::sync::atomic::AtomicBool;
    let (Some(corpus), Some(dir)) = (corpus_dir(), realworld_dir()) else {
        return;
    };
    if !figure_reader_installed() {
        return;
    }
    let cancel = AtomicBool::new(false);
    let mut readers = Readers::new(OcrEngine::new(None, "eng").unwrap(), None)
        .with_figures(Some(figure_reader_dir()));
    let letter = image::open(corpus.join("img_letter_01.jpg"))
        .unwrap()
        .to_luma8();
    read::ocr(&mut readers, &letter, None, &cancel).unwrap();
    assert!(
        !readers.figures_loaded(),
        "a letter needs no figures read again"
    );
    let receipt = image::open(dir.join("sroie_keys/250.jpg"))
        .unwrap()
        .to_luma8();
    let read = read::ocr(&mut readers, &receipt, None, &cancel).unwrap();
    assert!(readers.figures_loaded());
    assert!(read.text.contains("104.00"), "{}", read.text);
}
