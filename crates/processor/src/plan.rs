//! The page policy as pure decisions with named thresholds: whether a PDF page's own text is used
//! or the page is OCRed, at what resolution it is rendered, at what scale an image is OCRed, and
//! when a page's orientation is worth checking.

use crate::config::OcrMode;
use crate::layout::geometry::{bounds, word_rect};
use crate::output::result::Word;

/// Rendering budget per page, whatever MAX_PAGE_PIXELS allows: Tesseract needs several times the
/// page's size in working memory, and 36 Mpx is already a 20 x 20 inch page at 300 DPI.
pub const RENDER_PIXEL_CAP: u64 = 36_000_000;
/// Budget for pages rendered only to look for codes (their text comes from the text layer).
pub const CODES_RENDER_PIXEL_CAP: u64 = 16_000_000;
/// Embedded scans are rendered at their own resolution, within this range.
pub const SCAN_DPI_RANGE: (f32, f32) = (150.0, 400.0);
/// An image covering this share of the page makes it a scan (rendered at the scan's resolution).
pub const SCAN_COVERAGE: f32 = 0.25;
/// Resolution used to look for codes on pages whose text comes from the text layer.
pub const TEXT_PAGE_CODES_DPI: f32 = 150.0;
/// A text layer with more than this share of unmappable glyphs is garbage (OCR the page).
pub const MAX_GARBAGE_RATIO: f32 = 0.1;
/// A page-sized scan (this share of the page) is OCRed unless its text layer is an OCR layer.
pub const FULL_PAGE_SCAN: f32 = 0.5;
/// Letters and digits that make a text layer over a full-page scan worth using on their own.
pub const LAYER_OVER_SCAN_ALNUM: usize = 200;

/// What a PDF page holds, as pdf.rs finds it without rendering.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PdfPageFacts {
    pub width_pt: f32,
    pub height_pt: f32,
    /// Letters and digits in the text layer.
    pub alnum: usize,
    /// Share of the text layer's characters that are replacement or private-use glyphs.
    pub garbage_ratio: f32,
    /// Letters and digits drawn invisibly (an OCR layer laid over a scan).
    pub invisible_alnum: usize,
    /// Resolution of the largest embedded image, pixels per page inch.
    pub scan_dpi: Option<f32>,
    /// Share of the page the largest image covers.
    pub image_coverage: f32,
}

impl PdfPageFacts {
    /// Whether the text layer is real text worth using instead of OCR.
    pub fn has_real_text(&self) -> bool {
        if self.alnum == 0 || self.garbage_ratio > MAX_GARBAGE_RATIO {
            return false;
        }
        if self.image_coverage >= FULL_PAGE_SCAN {
            // A page-sized scan with a little visible text (a stamp, a header) is OCRed: the scan
            // holds the content. An invisible OCR layer over the scan is the page's text, though.
            return self.invisible_alnum * 2 >= self.alnum || self.alnum >= LAYER_OVER_SCAN_ALNUM;
        }
        self.alnum >= 3
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PdfPagePlan {
    /// Text from the page's own layer; the render is only looked at for codes.
    pub use_text_layer: bool,
    /// Render resolution, already fitted to the pixel budget.
    pub dpi: f32,
}

/// How a PDF page is read.
pub fn pdf_page(facts: &PdfPageFacts, mode: OcrMode, ocr_dpi: u32, max_pixels: u64) -> PdfPagePlan {
    let use_text_layer = match mode {
        OcrMode::Always => false,
        OcrMode::Never => true,
        OcrMode::Auto => facts.has_real_text(),
    };
    let budget = max_pixels.min(RENDER_PIXEL_CAP);
    let (wanted, budget) = if use_text_layer {
        // Only codes are looked for: an embedded image code needs its own resolution.
        let dpi = facts
            .scan_dpi
            .map_or(TEXT_PAGE_CODES_DPI, |d| d.clamp(TEXT_PAGE_CODES_DPI, 300.0));
        (dpi, budget.min(CODES_RENDER_PIXEL_CAP))
    } else if facts.image_coverage >= SCAN_COVERAGE {
        let dpi = facts.scan_dpi.map_or(ocr_dpi as f32, |d| {
            d.clamp(SCAN_DPI_RANGE.0, SCAN_DPI_RANGE.1)
        });
        (dpi, budget)
    } else {
        (ocr_dpi as f32, budget)
    };
    PdfPagePlan {
        use_text_layer,
        dpi: fit_dpi(facts.width_pt, facts.height_pt, wanted, budget),
    }
}

/// Resolution at which a page of `width_pt` x `height_pt` fits `max_pixels`, capped at `dpi`.
pub fn fit_dpi(width_pt: f32, height_pt: f32, dpi: f32, max_pixels: u64) -> f32 {
    let area_in2 = (width_pt as f64 / 72.0) * (height_pt as f64 / 72.0);
    if area_in2 <= 0.0 {
        return dpi;
    }
    let max_dpi = (max_pixels as f64 / area_in2).sqrt();
    (dpi as f64).min(max_dpi) as f32
}

/// Median glyph height of body text in points (x-height and ascender letters mixed): about
/// 0.48 em of a 10 pt font (measured: 13 px on 200 DPI and 7 px on 100 DPI article pages).
/// Turns a measured glyph height into a resolution.
pub const BODY_GLYPH_PT: f32 = 4.8;
/// Below this median glyph height (pixels) Tesseract starts losing letters: the image is enlarged.
/// (Measured on article pages: enlarging 7 px glyphs 2.6x halves the CER; enlarging 13 px glyphs
/// costs accuracy.)
pub const MIN_GLYPH_PX: f32 = 10.0;
/// Enlarged to bring the median glyph to this height.
pub const TARGET_GLYPH_PX: f32 = 18.0;
/// Never enlarged more than this (a thumbnail stays unreadable, and memory grows as the square).
pub const MAX_UPSCALE: f32 = 3.0;
/// Images that say they have at least this resolution are taken at their word.
pub const TRUSTED_DPI: u32 = 200;
/// Estimated resolutions are kept within this range.
pub const ESTIMATED_DPI_RANGE: (f32, f32) = (70.0, 600.0);

/// Whether the glyph size is worth measuring: no trustworthy resolution is known.
pub fn needs_glyph_size(dpi: Option<u32>) -> bool {
    !matches!(dpi, Some(d) if d >= TRUSTED_DPI)
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OcrScale {
    /// Resolution to tell Tesseract (of the image as OCRed, after enlarging).
    pub dpi: Option<u32>,
    /// Factor the image is enlarged by before OCR (1 = as is).
    pub upscale: f32,
}

/// The scale an image is OCRed at, from its declared resolution and its measured glyph height.
pub fn ocr_scale(declared_dpi: Option<u32>, glyph_px: Option<f32>, pixels: u64) -> OcrScale {
    let Some(glyph) = glyph_px.filter(|g| *g > 0.0) else {
        return OcrScale {
            dpi: declared_dpi,
            upscale: 1.0,
        };
    };
    let dpi = declared_dpi.map(|d| d as f32).unwrap_or_else(|| {
        (glyph * 72.0 / BODY_GLYPH_PT).clamp(ESTIMATED_DPI_RANGE.0, ESTIMATED_DPI_RANGE.1)
    });
    let mut upscale = if glyph < MIN_GLYPH_PX {
        (TARGET_GLYPH_PX / glyph).min(MAX_UPSCALE)
    } else {
        1.0
    };
    // The enlarged page stays within the render budget.
    let max = (RENDER_PIXEL_CAP as f32 / pixels.max(1) as f32).sqrt();
    upscale = upscale.min(max).max(1.0);
    OcrScale {
        dpi: Some((dpi * upscale).round() as u32),
        upscale,
    }
}

/// A scan skewed by at least this much (degrees) is levelled before OCR.
pub const MIN_DESKEW_DEGREES: f32 = 0.5;

/// A page this many times taller than wide holds one narrow column (a till receipt; an A4 page is
/// 1.41, a US letter 1.29).
pub const NARROW_COLUMN_RATIO: f32 = 1.6;

/// Whether an upright page is one narrow column of text, read as a single block.
pub fn is_narrow_column(width: u32, height: u32) -> bool {
    height as f32 >= NARROW_COLUMN_RATIO * width.max(1) as f32
}

/// A page's read words (at least this many) span one narrow column: a till receipt photographed
/// or scanned on a larger sheet.
pub const MIN_COLUMN_WORDS: usize = 20;

/// ... at most this wide (inches): a till roll is 2-3 inches wide; a page's narrow table or
/// single column of text is wider.
pub const MAX_COLUMN_INCH: f32 = 5.0;

/// Whether the words read on a page (of two letters or digits at least, read with confidence)
/// fill one narrow column, whatever the size of the sheet around them, at the page's resolution
/// (none known: no).
pub fn text_is_narrow_column<'a>(
    words: impl IntoIterator<Item = &'a Word>,
    dpi: Option<u32>,
) -> bool {
    let Some(dpi) = dpi else {
        return false;
    };
    let mut n = 0;
    let extent = bounds(
        words
            .into_iter()
            .filter(|w| {
                w.confidence >= READ_CONFIDENCE
                    && w.text.chars().filter(|c| c.is_alphanumeric()).count() >= 2
            })
            .inspect(|_| n += 1)
            .map(word_rect),
    );
    extent.is_some_and(|e| {
        let width = e.r - e.l;
        n >= MIN_COLUMN_WORDS
            && is_narrow_column(width as u32, e.h() as u32)
            && width <= MAX_COLUMN_INCH * dpi as f32
    })
}

/// Words at or above this confidence count as read.
pub const READ_CONFIDENCE: f32 = 60.0;
/// A page whose read characters make at least this share of all it returned looks upright.
pub const UPRIGHT_READ_SHARE: f32 = 0.6;
/// ... and at least this many read characters (fewer say too little to trust).
pub const UPRIGHT_MIN_CHARS: usize = 20;
/// OSD's confidence needed before a turned reading is even tried.
pub const MIN_OSD_CONFIDENCE: f32 = 1.0;

/// A reading whose characters' mean confidence is below this read next to nothing: on SROIE's
/// receipts Tesseract's pages fall into two groups, under 37 (dot-matrix print, faint paper:
/// no field right) and over 58.
pub const POOR_READING: f32 = 50.0;

/// Whether a reading is a poor one: its characters' mean confidence under [`POOR_READING`], or
/// no character at all.
pub fn reads_poorly<'a>(words: impl IntoIterator<Item = &'a Word>) -> bool {
    let (mut chars, mut sum) = (0usize, 0.0f32);
    for w in words {
        let n = w.text.chars().count();
        chars += n;
        sum += w.confidence * n as f32;
    }
    chars == 0 || sum < POOR_READING * chars as f32
}

/// Letters and digits in confidently read words: how much a reading really read.
pub fn reading_score<'a>(words: impl IntoIterator<Item = &'a Word>) -> usize {
    words
        .into_iter()
        .filter(|w| w.confidence >= READ_CONFIDENCE)
        .map(|w| w.text.chars().filter(|c| c.is_alphanumeric()).count())
        .sum()
}

/// Whether an OCR reading looks like an upright page (then orientation is not checked: OSD and a
/// second reading would cost time for nothing).
pub fn looks_upright(words: &[&Word]) -> bool {
    let all: usize = words
        .iter()
        .map(|w| w.text.chars().filter(|c| c.is_alphanumeric()).count())
        .sum();
    let read = reading_score(words.iter().copied());
    read >= UPRIGHT_MIN_CHARS && read as f32 >= UPRIGHT_READ_SHARE * all as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::result::BBox;

    fn facts() -> PdfPageFacts {
        PdfPageFacts {
            width_pt: 612.0,
            height_pt: 792.0,
            ..Default::default()
        }
    }

    #[test]
    fn real_text_layers_are_used_and_others_ocred() {
        let text = PdfPageFacts {
            alnum: 500,
            ..facts()
        };
        let p = pdf_page(&text, OcrMode::Auto, 300, 100_000_000);
        assert!(p.use_text_layer);
        assert_eq!(p.dpi, TEXT_PAGE_CODES_DPI);
        let garbage = PdfPageFacts {
            garbage_ratio: 0.5,
            ..text
        };
        assert!(!pdf_page(&garbage, OcrMode::Auto, 300, 100_000_000).use_text_layer);
        assert!(!pdf_page(&text, OcrMode::Always, 300, 100_000_000).use_text_layer);
        assert!(pdf_page(&facts(), OcrMode::Never, 300, 100_000_000).use_text_layer);
    }

    #[test]
    fn a_scan_with_a_stamp_is_ocred_but_an_ocr_layer_over_it_is_used() {
        let stamp = PdfPageFacts {
            alnum: 12,
            image_coverage: 0.95,
            scan_dpi: Some(200.0),
            ..facts()
        };
        let p = pdf_page(&stamp, OcrMode::Auto, 300, 100_000_000);
        assert!(!p.use_text_layer);
        assert_eq!(p.dpi, 200.0, "rendered at the scan's own resolution");
        let layered = PdfPageFacts {
            alnum: 900,
            invisible_alnum: 900,
            ..stamp
        };
        assert!(pdf_page(&layered, OcrMode::Auto, 300, 100_000_000).use_text_layer);
    }

    #[test]
    fn scan_resolution_is_clamped_and_huge_pages_fit_the_budget() {
        let fax = PdfPageFacts {
            image_coverage: 1.0,
            scan_dpi: Some(96.0),
            ..facts()
        };
        assert_eq!(pdf_page(&fax, OcrMode::Auto, 300, 100_000_000).dpi, 150.0);
        // 200 x 200 inches into the 36 Mpx render cap: 30 DPI.
        let huge = PdfPageFacts {
            width_pt: 14400.0,
            height_pt: 14400.0,
            ..facts()
        };
        let d = pdf_page(&huge, OcrMode::Auto, 300, 100_000_000).dpi;
        assert!((d - 30.0).abs() < 0.01, "{d}");
        assert_eq!(fit_dpi(612.0, 792.0, 300.0, 100_000_000), 300.0);
    }

    #[test]
    fn small_text_is_enlarged_and_an_untagged_image_gets_its_resolution_from_the_glyphs() {
        // 300 DPI body text: glyphs about 20 px; taken as is, resolution estimated.
        let s = ocr_scale(None, Some(20.0), 8_000_000);
        assert_eq!(s.upscale, 1.0);
        assert_eq!(s.dpi, Some(300));
        // A 90 DPI scan: 6 px glyphs, enlarged 3x (the cap), told 270 DPI.
        let s = ocr_scale(None, Some(6.0), 1_000_000);
        assert_eq!(s.upscale, 3.0);
        assert_eq!(s.dpi, Some(270));
        // A declared resolution is kept (and scaled with the image).
        let s = ocr_scale(Some(100), Some(9.0), 2_000_000);
        assert_eq!(s.upscale, 2.0);
        assert_eq!(s.dpi, Some(200));
        // No glyphs measured: as given.
        assert_eq!(
            ocr_scale(Some(96), None, 1),
            OcrScale {
                dpi: Some(96),
                upscale: 1.0
            }
        );
        // The budget bounds the enlargement.
        assert!(ocr_scale(None, Some(6.0), 30_000_000).upscale < 1.2);
        assert!(needs_glyph_size(None) && needs_glyph_size(Some(150)));
        assert!(!needs_glyph_size(Some(300)));
    }

    fn word(text: &str, confidence: f32) -> Word {
        Word {
            text: text.into(),
            confidence,
            bbox: BBox::default(),
        }
    }

    fn refs(v: &[Word]) -> Vec<&Word> {
        v.iter().collect()
    }

    /// `n` rows of one read word each, `w` wide and 40 apart, on a sheet of any size.
    fn column(n: u32, w: u32) -> Vec<Word> {
        (0..n)
            .map(|i| Word {
                bbox: BBox {
                    left: 1800,
                    top: 400 + 40 * i,
                    width: w,
                    height: 30,
                },
                ..word("TOTAL", 90.0)
            })
            .collect()
    }

    #[test]
    fn a_receipt_on_a_larger_sheet_is_a_narrow_column_of_text() {
        // 30 rows: 1200 px tall; 500 px wide is a till roll's column, 1000 px a letter's text.
        assert!(text_is_narrow_column(&column(30, 500), Some(200)));
        assert!(!text_is_narrow_column(&column(30, 1000), Some(200)));
        // A column of text 7 inches wide is a page's, however tall; with no resolution, no.
        let tall: Vec<Word> = (0..90)
            .flat_map(|_| column(1, 700))
            .enumerate()
            .map(|(i, mut w)| {
                w.bbox.top = 40 * i as u32;
                w
            })
            .collect();
        assert!(!text_is_narrow_column(&tall, Some(100)));
        assert!(text_is_narrow_column(&tall, Some(200)));
        assert!(!text_is_narrow_column(&column(30, 500), None));
        // Too few words say nothing; nor do specks and unsure words.
        assert!(!text_is_narrow_column(&column(10, 100), Some(200)));
        let mut specks = column(30, 500);
        specks.iter_mut().for_each(|w| w.text = "|".into());
        assert!(!text_is_narrow_column(&specks, Some(200)));
        specks.iter_mut().for_each(|w| {
            w.text = "TOTAL".into();
            w.confidence = 20.0
        });
        assert!(!text_is_narrow_column(&specks, Some(200)));
    }

    #[test]
    fn a_reading_of_unsure_characters_is_a_poor_one() {
        let word = |text: &str, confidence| Word {
            text: text.into(),
            confidence,
            bbox: BBox::default(),
        };
        assert!(reads_poorly(&[]));
        assert!(reads_poorly(&[word("ee", 20.0), word("Raaral", 35.0)]));
        assert!(!reads_poorly(&[word("TOTAL", 90.0), word("12.50", 70.0)]));
        // Characters weigh, not words: a long sure word outweighs a short unsure one.
        assert!(!reads_poorly(&[word("|", 0.0), word("STATIONERY", 60.0)]));
        assert!(reads_poorly(&[word("|", 90.0), word("STATIONERY", 40.0)]));
    }

    #[test]
    fn confident_readings_look_upright_and_junk_does_not() {
        let good: Vec<Word> = ["Invoice", "number", "2026", "total", "amount"]
            .iter()
            .map(|t| word(t, 92.0))
            .collect();
        assert!(looks_upright(&refs(&good)));
        let junk: Vec<Word> = ["ʇunoɯɐ", "I|l", "poq", "=~", "uuu", "aol", "ssss"]
            .iter()
            .map(|t| word(t, 31.0))
            .collect();
        assert!(!looks_upright(&refs(&junk)));
        assert!(reading_score(&good) > reading_score(&junk));
        assert!(!looks_upright(&[&word("ok", 95.0)]), "too little to say");
    }
}
