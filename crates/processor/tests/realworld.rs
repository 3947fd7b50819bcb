//! Public test files written elsewhere (../shared/realworld): zxing-cpp's QR images, Tesseract's
//! phototest page, OCRmyPDF's PDFs.

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
