//! A searchable PDF: the input's pages as they are, with the OCR words laid over each scanned page
//! as invisible text at their boxes (what OCRmyPDF makes). Born-digital pages are left untouched,
//! images become pages of their own size. The words' placement is pure ([`word_frame`]); pdfium
//! writes the file.

use crate::config::Limits;
use crate::error::ProcessError;
use crate::format::Format;
use crate::pdf;
use crate::result::{BBox, DocumentResult, PageResult, Source};
use crate::Input;
use pdfium_render::prelude::*;
use std::path::Path;

/// Helvetica's ascent and descent (of 1 em) as PDF readers measure a word's box from them: the
/// invisible text is scaled so that this box is the OCR word's box.
const ASCENT: f32 = 0.718;
const DESCENT: f32 = 0.207;
/// Font size the words are set in before their matrix scales them to their boxes.
const FONT_SIZE: f32 = 10.0;
/// Resolution assumed for an image whose own is unknown (it only sets the page's size in points).
const FALLBACK_DPI: f32 = 300.0;

/// One word to lay over: its text (a trailing space unless it ends its line, so readers see the
/// break) and its frame in the pixels of the page as given: the start of its baseline box (the
/// descent included), the end of it, and the top above the start.
#[derive(Debug, Clone, PartialEq)]
pub struct Laid<'a> {
    pub text: std::borrow::Cow<'a, str>,
    pub frame: [(f32, f32); 3],
}

/// The words that make the page's text, line by line in reading order. The page's words are its
/// text's words in order (one per token of the lines), then the picture noise, which is not in
/// the text and is not laid over. Each word spans from its start to the next word's start (its
/// space included), one baseline and size per line (level through the middle of a skewed
/// scan's line), so a reader groups the words into the same lines as the result.
pub fn text_words(page: &PageResult) -> Vec<Laid<'_>> {
    let mut words = page.words.iter();
    let mut out = Vec::with_capacity(page.words.len());
    for line in page.blocks.iter().flat_map(|b| &b.lines) {
        let line_words: Vec<&crate::Word> = words
            .by_ref()
            .take(line.text.split_whitespace().count())
            .collect();
        let boxes: Vec<BBox> = line_words.iter().map(|w| w.bbox).collect();
        for (i, (word, frame)) in line_words
            .iter()
            .zip(line_frames(&boxes, page.rotation))
            .enumerate()
        {
            let text = if i + 1 < line_words.len() {
                std::borrow::Cow::Owned(format!("{} ", word.text))
            } else {
                std::borrow::Cow::Borrowed(word.text.as_str())
            };
            out.push(Laid { text, frame });
        }
    }
    out
}

/// A point of the page as given in the upright text's axes: along the text (it runs towards
/// larger values) and across it (the tops of the glyphs towards smaller values). `rotation` is
/// the clockwise turn that set the page upright.
fn to_axes((x, y): (f32, f32), rotation: u16) -> (f32, f32) {
    match rotation {
        90 => (-y, x),
        180 => (-x, -y),
        270 => (y, -x),
        _ => (x, y),
    }
}

fn from_axes((a, c): (f32, f32), rotation: u16) -> (f32, f32) {
    match rotation {
        90 => (c, -a),
        180 => (-a, -c),
        270 => (-c, a),
        _ => (a, c),
    }
}

/// A box's extents in the upright text's axes: (along, across) intervals.
fn box_axes(b: BBox, rotation: u16) -> ((f32, f32), (f32, f32)) {
    let (x0, y0) = (b.left as f32, b.top as f32);
    let (x1, y1) = (x0 + b.width as f32, y0 + b.height as f32);
    let corners = [(x0, y0), (x1, y0), (x0, y1), (x1, y1)].map(|p| to_axes(p, rotation));
    let span = |f: fn(&(f32, f32)) -> f32| {
        corners
            .iter()
            .map(f)
            .fold((f32::MAX, f32::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)))
    };
    (span(|p| p.0), span(|p| p.1))
}

/// The frames of one line's words (see [`text_words`]).
fn line_frames(words: &[BBox], rotation: u16) -> Vec<[(f32, f32); 3]> {
    let spans: Vec<_> = words.iter().map(|b| box_axes(*b, rotation)).collect();
    if spans.is_empty() {
        return Vec::new();
    }
    let centre = |s: &((f32, f32), (f32, f32))| ((s.0 .0 + s.0 .1) / 2.0, (s.1 .0 + s.1 .1) / 2.0);
    let n = spans.len() as f32;
    let (ma, mc) = spans
        .iter()
        .map(centre)
        .fold((0.0, 0.0), |(a, c), (x, y)| (a + x / n, c + y / n));
    // The line's slope from its words' centres (least squares); a short line is taken as level.
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (x, y) in spans.iter().map(centre) {
        sxy += (x - ma) * (y - mc);
        sxx += (x - ma) * (x - ma);
    }
    let slope = if spans.len() >= 3 && sxx > 0.0 {
        (sxy / sxx).clamp(-MAX_SLOPE, MAX_SLOPE)
    } else {
        0.0
    };
    // The line's height: its words' across-extent about the sloped centre line.
    let band = spans
        .iter()
        .map(|(along, across)| {
            let mid = mc + slope * ((along.0 + along.1) / 2.0 - ma);
            2.0 * (mid - across.0).max(across.1 - mid)
        })
        .fold(1.0f32, f32::max);
    let base = |a: f32| (a, mc + slope * (a - ma) + band / 2.0);
    spans
        .iter()
        .enumerate()
        .map(|(i, (along, _))| {
            let end = spans
                .get(i + 1)
                .map(|next| next.0 .0)
                .filter(|next_start| *next_start > along.1)
                .unwrap_or(along.1);
            // One level baseline per line, through its middle: readers split a rotated word
            // where its characters' baselines drift apart (poppler at half a point), and a
            // line stepping down with a skewed scan runs into the next in their eyes.
            let y = base(ma).1;
            [(along.0, y), (end, y), (along.0, y - band)].map(|p| from_axes(p, rotation))
        })
        .collect()
}

/// Steepest line slope believed (about 6 degrees): beyond it the words' centres are noise.
const MAX_SLOPE: f32 = 0.1;

/// Helvetica's advance widths (1/1000 em) of the printable ASCII characters, from Adobe's core
/// font metrics; other characters get the average lower-case width.
const HELVETICA_WIDTHS: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/// The advance width of `text` set in Helvetica at `size`.
pub fn helvetica_width(text: &str, size: f32) -> f32 {
    let units: u32 = text
        .chars()
        .map(|c| match c as u32 {
            code @ 32..=126 => HELVETICA_WIDTHS[(code - 32) as usize] as u32,
            _ => 540,
        })
        .sum();
    units as f32 * size / 1000.0
}

/// The matrix that maps a word set at [`FONT_SIZE`] with natural width `natural` onto the frame
/// `[start, end, top]` given in PDF points (the descent below the baseline included).
pub fn word_matrix(frame: [(f32, f32); 3], natural: f32) -> [f32; 6] {
    let [p0, p1, p2] = frame;
    let run = (p1.0 - p0.0, p1.1 - p0.1);
    let rise = (p2.0 - p0.0, p2.1 - p0.1);
    let em = (ASCENT + DESCENT) * FONT_SIZE;
    let below = DESCENT / (ASCENT + DESCENT);
    [
        run.0 / natural,
        run.1 / natural,
        rise.0 / em,
        rise.1 / em,
        p0.0 + rise.0 * below,
        p0.1 + rise.1 * below,
    ]
}

/// Writes the searchable PDF of `input` (already processed into `result`) to `out`.
pub fn write(
    pdfium_lib: Option<&Path>,
    limits: &Limits,
    input: Input<'_>,
    format: Format,
    result: &DocumentResult,
    out: &Path,
) -> Result<(), ProcessError> {
    let pdfium = pdf::pdfium(pdfium_lib)?;
    let failed = |what: &str, e: PdfiumError| {
        ProcessError::internal(format!("the searchable PDF could not be {what}: {e}"))
    };
    let mut doc = match format {
        Format::Pdf => pdf::open(pdfium, input)?,
        _ => pdfium.create_new_pdf().map_err(|e| failed("created", e))?,
    };
    if format != Format::Pdf {
        add_image_pages(&mut doc, limits, input, format, result)?;
    }
    let font = doc.fonts_mut().helvetica();
    for page_result in result.pages.iter().filter(|p| p.source == Source::Ocr) {
        let mut page = doc
            .pages()
            .get(page_result.page as i32 - 1)
            .map_err(|e| failed("laid out", e))?;
        overlay(&doc, &mut page, page_result, font).map_err(|e| failed("laid out", e))?;
    }
    doc.save_to_file(out).map_err(|e| failed("written", e))
}

/// Lays the page's text words over it as invisible text, each scaled to its box.
fn overlay<'a>(
    doc: &PdfDocument<'a>,
    page: &mut PdfPage<'a>,
    result: &PageResult,
    font: PdfFontToken,
) -> Result<(), PdfiumError> {
    page.set_content_regeneration_strategy(PdfPageContentRegenerationStrategy::Manual);
    // The page's pixels as analysed to PDF points, through pdfium (page rotation and crop box).
    let config = PdfRenderConfig::new().set_target_size(result.width as i32, result.height as i32);
    let to_points = |(x, y): (f32, f32)| -> Result<(f32, f32), PdfiumError> {
        let (px, py) = page.pixels_to_points(x.round() as i32, y.round() as i32, &config)?;
        Ok((px.value, py.value))
    };
    let mut placed = Vec::new();
    for Laid { text: word, frame } in text_words(result) {
        if word.trim().is_empty() {
            continue;
        }
        let [a, b, c] = frame;
        let frame = [to_points(a)?, to_points(b)?, to_points(c)?];
        let mut text = PdfPageTextObject::new(doc, &word, font, PdfPoints::new(FONT_SIZE))?;
        text.set_render_mode(PdfPageTextRenderMode::Invisible)?;
        let natural = helvetica_width(&word, FONT_SIZE).max(0.1);
        let [ma, mb, mc, md, me, mf] = word_matrix(frame, natural);
        text.apply_matrix(PdfMatrix::new(ma, mb, mc, md, me, mf))?;
        placed.push(text);
    }
    let objects = page.objects_mut();
    for text in placed {
        objects.add_text_object(text)?;
    }
    page.regenerate_content()
}

/// One page per image (a multi-page TIFF gives several), sized by the image's resolution. A JPEG
/// is embedded as it is (no re-encoding); other formats as their decoded pixels.
fn add_image_pages(
    doc: &mut PdfDocument<'_>,
    limits: &Limits,
    input: Input<'_>,
    format: Format,
    result: &DocumentResult,
) -> Result<(), ProcessError> {
    let failed =
        |e: PdfiumError| ProcessError::internal(format!("an image page could not be made: {e}"));
    let owned;
    let bytes = match input {
        Input::Bytes(b) => b,
        Input::File(path) => {
            owned = std::fs::read(path)
                .map_err(|e| ProcessError::internal(format!("cannot read the input: {e}")))?;
            &owned
        }
    };
    for page_result in &result.pages {
        let dpi = page_result.dpi.map_or(FALLBACK_DPI, |d| d as f32);
        let (w, h) = (
            page_result.width as f32 * 72.0 / dpi,
            page_result.height as f32 * 72.0 / dpi,
        );
        let image = if format == Format::Jpeg {
            PdfPageImageObject::new_from_jpeg_reader(doc, std::io::Cursor::new(bytes))
                .map_err(failed)?
        } else {
            let decoded =
                crate::image_input::page_pixels(bytes, format, limits, page_result.page - 1)?;
            PdfPageImageObject::new(doc, &compact(decoded)).map_err(failed)?
        };
        let mut image = image;
        image
            .apply_matrix(PdfMatrix::new(w, 0.0, 0.0, h, 0.0, 0.0))
            .map_err(failed)?;
        let size = PdfPagePaperSize::Custom(PdfPoints::new(w), PdfPoints::new(h));
        let mut page = doc.pages_mut().create_page_at_end(size).map_err(failed)?;
        page.set_content_regeneration_strategy(PdfPageContentRegenerationStrategy::Manual);
        page.objects_mut().add_image_object(image).map_err(failed)?;
        page.regenerate_content().map_err(failed)?;
    }
    Ok(())
}

/// The pixels in as few channels as they need: a scan saved as RGB that holds only greys is
/// embedded grey (a third of the bytes); transparency is put on white paper (no soft mask).
fn compact(img: image::DynamicImage) -> image::DynamicImage {
    use image::DynamicImage;
    let rgb = match img {
        DynamicImage::ImageLuma8(_) => return img,
        img if img.color().has_alpha() => {
            let rgba = img.into_rgba8();
            let (w, h) = rgba.dimensions();
            image::RgbImage::from_fn(w, h, |x, y| {
                let [r, g, b, a] = rgba.get_pixel(x, y).0;
                let on_white = |c: u8| ((c as u32 * a as u32 + 255 * (255 - a as u32)) / 255) as u8;
                image::Rgb([on_white(r), on_white(g), on_white(b)])
            })
        }
        img => img.into_rgb8(),
    };
    if rgb.pixels().all(|p| p.0[0] == p.0[1] && p.0[1] == p.0[2]) {
        let (w, h) = rgb.dimensions();
        let grey = rgb.pixels().map(|p| p.0[0]).collect();
        DynamicImage::ImageLuma8(image::GrayImage::from_raw(w, h, grey).expect("same size"))
    } else {
        DynamicImage::ImageRgb8(rgb)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(m: [f32; 6], (x, y): (f32, f32)) -> (f32, f32) {
        (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
    }

    fn close(a: (f32, f32), b: (f32, f32)) -> bool {
        (a.0 - b.0).abs() < 1e-3 && (a.1 - b.1).abs() < 1e-3
    }

    #[test]
    fn an_upright_word_runs_along_its_bottom_edge() {
        let b = BBox {
            left: 10,
            top: 20,
            width: 100,
            height: 30,
        };
        assert_eq!(
            line_frames(&[b], 0),
            [[(10.0, 50.0), (110.0, 50.0), (10.0, 20.0)]]
        );
    }

    #[test]
    fn a_turned_word_runs_up_down_or_backwards_over_its_box() {
        let b = BBox {
            left: 10,
            top: 20,
            width: 30,
            height: 100,
        };
        // Turned 90 clockwise to be upright: as given the text reads bottom to top, tops left.
        assert_eq!(
            line_frames(&[b], 90),
            [[(40.0, 120.0), (40.0, 20.0), (10.0, 120.0)]]
        );
        assert_eq!(
            line_frames(&[b], 270),
            [[(10.0, 20.0), (10.0, 120.0), (40.0, 20.0)]]
        );
        assert_eq!(
            line_frames(&[b], 180),
            [[(40.0, 20.0), (10.0, 20.0), (40.0, 120.0)]]
        );
    }

    #[test]
    fn the_matrix_maps_the_set_word_onto_its_frame() {
        // Frame in points: baseline box from (100, 200) to (160, 200), 12 pt high.
        let frame = [(100.0, 200.0), (160.0, 200.0), (100.0, 212.0)];
        let m = word_matrix(frame, 40.0);
        let em = (ASCENT + DESCENT) * FONT_SIZE;
        // The word's descent lands on the frame's bottom, its ascent on the top, its end on the end.
        assert!(close(apply(m, (0.0, -DESCENT * FONT_SIZE)), (100.0, 200.0)));
        assert!(close(
            apply(m, (40.0, -DESCENT * FONT_SIZE)),
            (160.0, 200.0)
        ));
        assert!(close(
            apply(m, (0.0, em - DESCENT * FONT_SIZE)),
            (100.0, 212.0)
        ));
    }

    #[test]
    fn picture_noise_is_not_laid_over() {
        use crate::result::{Block, BlockKind, Line, Word};
        let word = |t: &str, left: u32| Word {
            text: t.into(),
            confidence: 90.0,
            bbox: BBox {
                left,
                top: 5,
                width: 8,
                height: 4,
            },
        };
        let line = |t: &str, top: u32| Line {
            text: t.into(),
            bbox: BBox {
                left: 0,
                top,
                width: 100,
                height: 12,
            },
        };
        let page = PageResult {
            page: 1,
            width: 100,
            height: 100,
            dpi: None,
            source: Source::Ocr,
            rotation: 0,
            skew: 0.0,
            text: "a b\nc".into(),
            confidence: None,
            blocks: vec![Block {
                kind: BlockKind::Text,
                bbox: BBox::default(),
                lines: vec![line("a b", 2), line("c", 30)],
            }],
            words: vec![
                word("a", 0),
                word("b", 10),
                word("c", 0),
                word("~~", 50),
                word("%", 60),
            ],
            qr_codes: vec![],
            codes: vec![],
        };
        let laid = text_words(&page);
        let texts: Vec<_> = laid.iter().map(|l| l.text.as_ref()).collect();
        // The break after a word that does not end its line is a space of its own.
        assert_eq!(texts, ["a ", "b", "c"]);
        // From the word's start to the next word's start, on the line's baseline.
        assert_eq!(laid[0].frame, [(0.0, 9.0), (10.0, 9.0), (0.0, 5.0)]);
        assert_eq!(laid[2].frame[0], (0.0, 9.0));
    }

    #[test]
    fn a_skewed_line_is_laid_level_through_its_middle_at_its_texts_height() {
        // Five words 8 px high climbing 2 px per 20 px: their boxes together are 16 px high.
        let words: Vec<BBox> = (0..5)
            .map(|i| BBox {
                left: i * 20,
                top: 100 - i * 2,
                width: 16,
                height: 8,
            })
            .collect();
        let frames = line_frames(&words, 0);
        for (i, [start, end, top]) in frames.iter().enumerate() {
            // One baseline for the line (readers group by it), through the middle of the slope.
            assert_eq!((start.1, end.1), (104.0, 104.0), "{i}");
            // As high as the text, not as the tilted line's box.
            assert_eq!(start.1 - top.1, 8.0, "{i}");
            assert_eq!(start.0, (i * 20) as f32);
        }
    }

    #[test]
    fn grey_pixels_are_embedded_grey_and_transparency_goes_on_white() {
        let grey_rgb = image::RgbImage::from_fn(4, 4, |x, _| image::Rgb([x as u8 * 60; 3]));
        let out = compact(image::DynamicImage::ImageRgb8(grey_rgb));
        assert_eq!(out.color(), image::ColorType::L8);
        let colour = image::RgbImage::from_pixel(2, 2, image::Rgb([200, 10, 10]));
        assert_eq!(
            compact(image::DynamicImage::ImageRgb8(colour)).color(),
            image::ColorType::Rgb8
        );
        let clear = image::RgbaImage::from_pixel(2, 2, image::Rgba([0, 0, 0, 0]));
        let out = compact(image::DynamicImage::ImageRgba8(clear));
        assert_eq!(out.as_luma8().unwrap().get_pixel(0, 0).0, [255]);
    }

    #[test]
    fn widths_are_helveticas() {
        assert_eq!(helvetica_width("Ab", 10.0), (6.67 + 5.56));
        assert!(helvetica_width("ü", 10.0) > 0.0);
    }
}
