//! One page's text: from its text layer, or through OCR at the right scale and orientation; then
//! the layout step, and every box back in the coordinates of the page image as given.

use crate::error::ProcessError;
use crate::deskew;
use crate::glyphs;
use crate::layout::{self, PageText};
use crate::ocr::OcrEngine;
use crate::orientation::{self, OrientationDetector};
use crate::plan;
use crate::result::{BBox, Block, Word};
use image::GrayImage;
use std::borrow::Cow;
use std::sync::atomic::AtomicBool;

/// What a page's reading gives the page result.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PageRead {
    pub text: String,
    pub blocks: Vec<Block>,
    pub words: Vec<Word>,
    pub confidence: Option<f32>,
    /// Clockwise quarter turn applied before OCR.
    pub rotation: u16,
    /// Skew corrected before OCR, in degrees.
    pub skew: f32,
}

/// A worker's engines: Tesseract for text, and OSD for orientation when its model is installed.
pub struct Readers {
    pub tesseract: OcrEngine,
    pub osd: Option<OrientationDetector>,
}

/// A text layer's lines (already in page pixels) through the layout step.
pub fn from_layer(lines: Vec<Vec<Word>>) -> PageRead {
    let PageText {
        text,
        blocks,
        words,
        ..
    } = layout::lay_out(lines);
    PageRead {
        text,
        blocks,
        confidence: (!words.is_empty()).then_some(100.0),
        words,
        ..PageRead::default()
    }
}

/// OCRs a page: enlarged when its text is small, turned upright when it reads as sideways or
/// upside down, laid out, boxes mapped back onto `image`.
pub fn ocr(
    readers: &mut Readers,
    image: &GrayImage,
    dpi: Option<u32>,
    cancel: &AtomicBool,
) -> Result<PageRead, ProcessError> {
    let (w, h) = image.dimensions();
    let glyph = plan::needs_glyph_size(dpi)
        .then(|| glyphs::median_glyph_height(image))
        .flatten();
    let mut scale = plan::ocr_scale(dpi, glyph, w as u64 * h as u64);
    if let Ok(v) = std::env::var("XP_SCALE") {
        // EXPERIMENT
        match v.as_str() {
            "none" => scale = plan::OcrScale { dpi, upscale: 1.0 },
            "dpi" => {
                scale = plan::OcrScale {
                    dpi: scale.dpi.map(|d| (d as f32 / scale.upscale) as u32),
                    upscale: 1.0,
                }
            }
            _ => {}
        }
        eprintln!("glyph {glyph:?} scale {scale:?}");
    }
    let scaled: Cow<GrayImage> = if scale.upscale > 1.0 {
        let (sw, sh) = (
            (w as f32 * scale.upscale).round() as u32,
            (h as f32 * scale.upscale).round() as u32,
        );
        Cow::Owned(image::imageops::resize(
            image,
            sw,
            sh,
            image::imageops::FilterType::Triangle,
        ))
    } else {
        Cow::Borrowed(image)
    };
    // Levelled first when the scan is turned by more than a little: Tesseract's segmentation loses
    // paragraphs of a page skewed by a degree or two.
    let deskew = deskew::measure(&scaled).filter(|a| a.abs() >= plan::MIN_DESKEW_DEGREES);
    let scaled: Cow<GrayImage> = match deskew {
        Some(a) => Cow::Owned(deskew::level(&scaled, a)),
        None => scaled,
    };
    let mut lines = readers.tesseract.recognize(&scaled, scale.dpi, cancel)?;
    let mut turn = 0;
    if !plan::looks_upright(&lines.iter().flatten().collect::<Vec<_>>()) {
        let found = readers
            .osd
            .as_mut()
            .and_then(|osd| osd.detect(&scaled, scale.dpi))
            .filter(|o| o.turn != 0 && o.confidence >= plan::MIN_OSD_CONFIDENCE);
        if let Some(o) = found {
            let turned = orientation::turn(&scaled, o.turn);
            let alt = readers.tesseract.recognize(&turned, scale.dpi, cancel)?;
            if plan::reading_score(alt.iter().flatten())
                > plan::reading_score(lines.iter().flatten())
            {
                lines = alt;
                turn = o.turn;
            }
        }
    }
    let (text_lines, noise) = layout::split_noise(lines);
    let PageText {
        text,
        mut blocks,
        mut words,
        skew,
    } = layout::lay_out(text_lines);
    words.extend(noise);
    let confidence = (!words.is_empty())
        .then(|| words.iter().map(|w| w.confidence).sum::<f32>() / words.len() as f32);
    let (sw, sh) = scaled.dimensions();
    let back = |b: BBox| {
        let mut b = orientation::unturn_box(b, turn, sw, sh);
        if let Some(a) = deskew {
            b = deskew::unlevel_box(b, a, sw, sh);
        }
        clamp(b.scaled(1.0 / scale.upscale as f64), w, h)
    };
    for block in &mut blocks {
        block.bbox = back(block.bbox);
        for line in &mut block.lines {
            line.bbox = back(line.bbox);
        }
    }
    for word in &mut words {
        word.bbox = back(word.bbox);
    }
    Ok(PageRead {
        text,
        blocks,
        words,
        confidence,
        rotation: turn,
        // What was corrected: the image's turn, and what the layout levelled after it.
        skew: ((deskew.unwrap_or(0.0) + skew) * 100.0).round() / 100.0,
    })
}

/// Keeps a box (rounded after scaling) inside the image.
fn clamp(b: BBox, w: u32, h: u32) -> BBox {
    let left = b.left.min(w);
    let top = b.top.min(h);
    BBox {
        left,
        top,
        width: b.width.min(w - left),
        height: b.height.min(h - top),
    }
}
