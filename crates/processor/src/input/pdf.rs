//! PDF through pdfium: binding the library once per process, page analysis (text layer, embedded
//! scans) and rendering to grey. pdfium is not thread-safe; pdfium-render's `thread_safe` feature
//! serialises every call, and the engine renders each document on one thread.

use crate::engine::Input;
use crate::error::{ErrorCode, ProcessError};
use crate::input::text_layer::{self, PdfChar, TextLayer};
use crate::plan::PdfPageFacts;
use image::GrayImage;
use pdfium_render::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

static PDFIUM: OnceLock<Result<Pdfium, String>> = OnceLock::new();

/// Where scripts/setup.sh installs libpdfium in the checkout this crate was built from: a binary
/// built there finds it with no variable to export (elsewhere the folder does not exist).
const CHECKOUT_LIB_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../.local/lib");

/// Where libpdfium is looked for: the configured path (file or folder), next to the executable,
/// the checkout's `.local/lib`, then the system library path.
fn candidates(configured: Option<&Path>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(p) = configured {
        if p.is_dir() {
            out.push(Pdfium::pdfium_platform_library_name_at_path(p));
        } else {
            out.push(p.to_path_buf());
        }
    }
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf))
    {
        out.push(Pdfium::pdfium_platform_library_name_at_path(&dir));
    }
    out.push(Pdfium::pdfium_platform_library_name_at_path(
        CHECKOUT_LIB_DIR,
    ));
    out
}

/// Binds libpdfium on first use; later calls get the same instance (a second bind would fail).
pub fn pdfium(configured: Option<&Path>) -> Result<&'static Pdfium, ProcessError> {
    let bound = PDFIUM.get_or_init(|| {
        let mut tried = Vec::new();
        for path in candidates(configured) {
            if !path.exists() {
                tried.push(format!("{} (absent)", path.display()));
                continue;
            }
            match Pdfium::bind_to_library(&path) {
                Ok(b) => return Ok(Pdfium::new(b)),
                Err(e) => tried.push(format!("{}: {e}", path.display())),
            }
        }
        match Pdfium::bind_to_system_library() {
            Ok(b) => Ok(Pdfium::new(b)),
            Err(e) => {
                tried.push(format!("system library: {e}"));
                Err(format!(
                    "libpdfium not found (set PDFIUM_LIB_PATH or run scripts/setup.sh); tried {}",
                    tried.join("; ")
                ))
            }
        }
    });
    bound
        .as_ref()
        .map_err(|m| ProcessError::internal(m.clone()))
}

pub fn open<'a>(pdfium: &'a Pdfium, input: Input<'a>) -> Result<PdfDocument<'a>, ProcessError> {
    let loaded = match input {
        Input::Bytes(bytes) => pdfium.load_pdf_from_byte_slice(bytes, None),
        Input::File(path) => pdfium.load_pdf_from_file(path, None),
    };
    loaded.map_err(|e| match e {
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::PasswordError) => ProcessError::new(
            ErrorCode::EncryptedDocument,
            "the PDF is encrypted with a password and cannot be opened",
        ),
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::SecurityError) => ProcessError::new(
            ErrorCode::EncryptedDocument,
            "the PDF uses an unsupported security handler",
        ),
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::FormatError) => ProcessError::corrupt(
            "the PDF is damaged: its structure (cross-reference table, trailer or objects) cannot be read",
        ),
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::FileError) => {
            ProcessError::corrupt("the PDF cannot be read: the file is incomplete or unreadable")
        }
        other => ProcessError::corrupt(format!("the PDF cannot be read: {other:?}")),
    })
}

/// What a page holds, found without rendering it: the facts the page plan decides on, and the
/// text layer itself.
#[derive(Debug)]
pub struct PageFacts {
    pub plan: PdfPageFacts,
    pub text: TextLayer,
    /// The page's ruling lines (table borders, rules under headers, cell shading's edges), in
    /// points: `[x0, y0, x1, y1]` of a horizontal or vertical stroke, origin bottom-left.
    pub rules: Vec<[f32; 4]>,
}

/// Drawn paths looked at for ruling lines, at most (a page of vector art has tens of thousands;
/// a table needs a few hundred).
const MAX_RULE_PATHS: usize = 20_000;
/// A path with more segments than this is a drawing, not a rule or a cell's box.
const MAX_RULE_SEGMENTS: u32 = 64;
/// Thinner than this (points), a filled path is a rule; a stroke at least this long is one.
const RULE_THICKNESS: f32 = 2.5;
const MIN_RULE_LENGTH: f32 = 4.0;

/// The ruling lines one drawn path makes: a thin filled rectangle is one, a stroked rectangle
/// gives its four sides, a stroked polyline its straight horizontal and vertical pieces.
fn path_rules(object: &PdfPageObject, path: &PdfPagePathObject, out: &mut Vec<[f32; 4]>) {
    let stroked = path.is_stroked().unwrap_or(false);
    let filled = path.fill_mode().is_ok_and(|m| m != PdfPathFillMode::None);
    let paper = |c: PdfColor| c.red() >= 245 && c.green() >= 245 && c.blue() >= 245;
    let visible_fill = filled && !object.fill_color().is_ok_and(paper);
    if !stroked && !visible_fill {
        return;
    }
    let Ok(bounds) = object.bounds().map(|q| q.to_rect()) else {
        return;
    };
    let (l, b, r, t) = (
        bounds.left().value,
        bounds.bottom().value,
        bounds.right().value,
        bounds.top().value,
    );
    if r - l <= RULE_THICKNESS && t - b >= MIN_RULE_LENGTH {
        let x = (l + r) / 2.0;
        out.push([x, b, x, t]);
        return;
    }
    if t - b <= RULE_THICKNESS && r - l >= MIN_RULE_LENGTH {
        let y = (b + t) / 2.0;
        out.push([l, y, r, y]);
        return;
    }
    // A filled area's edges are no rule: shading is often drawn line by line inside a cell.
    let segments = path.segments();
    if !stroked || segments.len() > MAX_RULE_SEGMENTS {
        return;
    }
    let Ok(matrix) = path.matrix() else { return };
    type Point = Option<(f32, f32)>;
    let (mut start, mut at): (Point, Point) = (None, None);
    let line = |a: (f32, f32), z: (f32, f32), out: &mut Vec<[f32; 4]>| {
        let (dx, dy) = ((z.0 - a.0).abs(), (z.1 - a.1).abs());
        if (dy <= 0.5 && dx >= MIN_RULE_LENGTH) || (dx <= 0.5 && dy >= MIN_RULE_LENGTH) {
            out.push([a.0, a.1, z.0, z.1]);
        }
    };
    for segment in segments.transform(matrix).iter() {
        let (x, y) = segment.point();
        let p = (x.value, y.value);
        match segment.segment_type() {
            PdfPathSegmentType::MoveTo => {
                start = Some(p);
                at = Some(p);
            }
            PdfPathSegmentType::LineTo => {
                if let Some(a) = at {
                    line(a, p, out);
                }
                at = Some(p);
            }
            _ => at = Some(p),
        }
        if segment.is_close() {
            if let (Some(a), Some(s)) = (at, start) {
                line(a, s, out);
            }
            at = start;
        }
    }
}

/// Share of the font size a character's line box reaches below and above its baseline.
const LINE_BOX: (f32, f32) = (0.25, 0.8);

/// A character's vertical extent for lines and rows: pdfium's loose box, clipped to the line box
/// of its font size around its baseline. Some fonts' boxes (math fonts' ascent and descent) span
/// two or three lines, and neighbouring lines then look like one row.
fn line_extent((bottom, top): (f32, f32), origin_y: Option<f32>, size: f32) -> (f32, f32) {
    match origin_y {
        Some(y) if size > 0.0 && y >= bottom && y <= top => (
            bottom.max(y - LINE_BOX.0 * size),
            top.min(y + LINE_BOX.1 * size),
        ),
        _ => (bottom, top),
    }
}

pub fn facts(page: &PdfPage) -> PageFacts {
    facts_within(page, usize::MAX).expect("no character limit")
}

/// The page's facts, or Err(its character count) when its text layer holds more than `max_chars`
/// characters: the words are then never built (one content stream drawn a thousand times over
/// would otherwise cost memory in proportion).
pub fn facts_within(page: &PdfPage, max_chars: usize) -> Result<PageFacts, usize> {
    let (width_pt, height_pt) = (page.width().value, page.height().value);
    let page_area = (width_pt * height_pt).max(1.0);
    if let Ok(t) = page.text() {
        let count = t.chars().len();
        if count > max_chars {
            return Err(count);
        }
    }
    let text = page
        .text()
        .map(|t| {
            text_layer::build(t.chars().iter().map(|c| PdfChar {
                ch: c.unicode_char().unwrap_or('\u{FFFD}'),
                rect: c.loose_bounds().ok().map(|r| {
                    let (bottom, top) = line_extent(
                        (r.bottom().value, r.top().value),
                        c.origin_y().ok().map(|y| y.value),
                        c.scaled_font_size().value,
                    );
                    [r.left().value, bottom, r.right().value, top]
                }),
            }))
        })
        .unwrap_or_default();
    let (mut scan_dpi, mut image_coverage, mut invisible_alnum) = (None, 0f32, 0usize);
    let mut best_area = 0f32;
    let mut rules = Vec::new();
    let mut paths = 0usize;
    for object in page.objects().iter() {
        if let Some(path) = object.as_path_object() {
            paths += 1;
            if paths <= MAX_RULE_PATHS {
                path_rules(&object, path, &mut rules);
            }
            continue;
        }
        if let Some(img) = object.as_image_object() {
            let (Ok(w_pt), Ok(h_pt)) = (object.width(), object.height()) else {
                continue;
            };
            let area = w_pt.value.abs() * h_pt.value.abs();
            if area > best_area {
                best_area = area;
                image_coverage = (area / page_area).min(1.0);
                let px = img.width().unwrap_or(0).max(0) as f32;
                scan_dpi =
                    (w_pt.value.abs() > 1.0 && px > 0.0).then(|| px / (w_pt.value.abs() / 72.0));
            }
        } else if let Some(t) = object.as_text_object() {
            if t.render_mode() == PdfPageTextRenderMode::Invisible {
                invisible_alnum += t.text().chars().filter(|c| c.is_alphanumeric()).count();
            }
        }
    }
    Ok(PageFacts {
        plan: PdfPageFacts {
            width_pt,
            height_pt,
            alnum: text.alphanumeric_chars(),
            garbage_ratio: text.garbage_ratio(),
            invisible_alnum,
            scan_dpi,
            image_coverage,
        },
        text,
        rules,
    })
}

/// Renders a page to 8-bit grey at `dpi` (already fitted to the pixel budget). pdfium renders into
/// a 24-bit BGR bitmap: its 8-bit grey target aborts the process (a CHECK in the AGG driver) on
/// some vector paths, so the grey conversion is done here. pdfium renders into a buffer of ours,
/// which is then turned grey in place: the page costs one BGR buffer at its peak, not that, a copy
/// of it and the grey image (11 + 11 + 4 MB for a letter page at 200 DPI).
pub fn render(page: &PdfPage, facts: &PdfPageFacts, dpi: f32) -> Result<GrayImage, ProcessError> {
    let w = ((facts.width_pt / 72.0 * dpi).round() as i32).max(1);
    let h = ((facts.height_pt / 72.0 * dpi).round() as i32).max(1);
    let config = PdfRenderConfig::new()
        .set_target_size(w, h)
        .set_format(PdfBitmapFormat::BGR)
        .render_form_data(true)
        .render_annotations(true);
    let too_large = || ProcessError::internal("the page's bitmap size overflows");
    // pdfium's own row length for BGR: whole pixels, rounded up to 4 bytes.
    let stride = (w as usize)
        .checked_mul(3)
        .ok_or_else(too_large)?
        .div_ceil(4)
        * 4;
    let len = stride.checked_mul(h as usize).ok_or_else(too_large)?;
    // Refused memory is an error of this page, not an abort of the process.
    let mut buffer = Vec::new();
    buffer.try_reserve_exact(len).map_err(|_| {
        ProcessError::new(ErrorCode::ImageTooLarge, "no memory for the page's bitmap")
    })?;
    buffer.resize(len, 0u8);
    {
        let mut bitmap = PdfBitmap::from_bytes(w, h, PdfBitmapFormat::BGR, &mut buffer)
            .map_err(|e| ProcessError::internal(format!("no bitmap for the page: {e}")))?;
        page.render_into_bitmap_with_config(&mut bitmap, &config)
            .map_err(|e| ProcessError::corrupt(format!("pdfium could not render the page: {e}")))?;
    }
    Ok(grey_in_place(buffer, w as usize, h as usize, stride))
}

/// A BGR bitmap (rows `stride` bytes apart) turned into 8-bit grey in its own buffer: pixel `i` of
/// the grey image is written at byte `i`, never past a byte still to be read (`stride` >= 3 x
/// width), so each pixel is read before anything overwrites it.
fn grey_in_place(mut buffer: Vec<u8>, w: usize, h: usize, stride: usize) -> GrayImage {
    debug_assert!(stride >= 3 * w && buffer.len() >= stride * h);
    let mut at = 0;
    for y in 0..h {
        for x in 0..w {
            let p = y * stride + 3 * x;
            let (b, g, r) = (buffer[p] as u32, buffer[p + 1] as u32, buffer[p + 2] as u32);
            buffer[at] = ((r * 299 + g * 587 + b * 114) / 1000) as u8;
            at += 1;
        }
    }
    buffer.truncate(w * h);
    buffer.shrink_to_fit();
    GrayImage::from_raw(w as u32, h as u32, buffer).expect("w x h bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grey_in_place_is_the_grey_of_each_pixel() {
        let (w, h, stride) = (5usize, 3usize, 16usize);
        let mut bgr = vec![7u8; stride * h];
        let mut expected = Vec::new();
        for y in 0..h {
            for x in 0..w {
                let (b, g, r) = ((x * 50) as u8, (y * 90) as u8, (x * y * 20 + 3) as u8);
                bgr[y * stride + 3 * x..][..3].copy_from_slice(&[b, g, r]);
                expected.push(((r as u32 * 299 + g as u32 * 587 + b as u32 * 114) / 1000) as u8);
            }
        }
        let grey = grey_in_place(bgr, w, h, stride);
        assert_eq!(grey.dimensions(), (w as u32, h as u32));
        assert_eq!(grey.into_raw(), expected);
    }

    #[test]
    fn tall_font_boxes_are_clipped_to_the_line_box() {
        // A 10 pt character on the baseline y = 100 whose font box spans 85..125.
        assert_eq!(line_extent((85.0, 125.0), Some(100.0), 10.0), (97.5, 108.0));
        // An ordinary box is left as it is; so is one without a usable origin.
        assert_eq!(line_extent((98.0, 107.0), Some(100.0), 10.0), (98.0, 107.0));
        assert_eq!(line_extent((85.0, 125.0), None, 10.0), (85.0, 125.0));
        assert_eq!(line_extent((85.0, 125.0), Some(200.0), 10.0), (85.0, 125.0));
    }
}
