//! Results to build items and outcomes from, for the tests of this folder.

use processor::{BBox, DocumentQr, PageResult, Source, Word};

pub fn page(n: u32, words: usize) -> PageResult {
    PageResult {
        page: n,
        width: 100,
        height: 100,
        dpi: Some(300),
        source: Source::Ocr,
        rotation: 0,
        skew: 0.0,
        text: "word ".repeat(words),
        confidence: Some(90.0),
        blocks: Vec::new(),
        words: (0..words)
            .map(|_| Word {
                text: "word".into(),
                confidence: 90.0,
                bbox: BBox::default(),
            })
            .collect(),
        qr_codes: vec![],
        codes: vec![],
    }
}

pub fn qr(n: usize, payload: usize) -> DocumentQr {
    DocumentQr {
        page: 1,
        data: format!("{n:05}{}", "x".repeat(payload)),
    }
}
