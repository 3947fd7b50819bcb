//! Barcodes of every kind zxing-cpp reads (EAN/UPC, Code 128, Code 39, ITF, Codabar, Data Matrix,
//! PDF417, Aztec, QR and more), with their format, their content as decoded, and their box.
//!
//! `data` is the content itself (zxing's plain text mode: control characters stay what they are,
//! a GS1 code keeps its raw element string with GS separators); a GS1 code's human-readable
//! `(01)...` form comes in `gs1`. Format names are zxing-cpp's own ("EAN-13", "QR Code").

pub mod qr;

use crate::layout::geometry::Rect;
use crate::output::result::{BBox, PageCode, PageQr};
use crate::profile;
use serde::{Deserialize, Serialize};
use zxingcpp::{BarcodeFormat, ContentType, TextMode};

/// The formats looked for (BARCODE_FORMATS): names of formats or of their families, compared
/// without case, spaces or dashes ("ean13", "EAN-13", "qr code", "DataMatrix"). Empty: all.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CodeFormats(pub Vec<String>);

fn norm(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The formats zxing-cpp reads, as this binding names them. (Its list function can return formats
/// the binding has no name for; only these are ever handed to or taken from it by name.)
fn readable() -> Vec<BarcodeFormat> {
    use BarcodeFormat as F;
    vec![
        F::Codabar,
        F::Code39,
        F::PZN,
        F::Code93,
        F::Code128,
        F::ITF,
        F::DataBar,
        F::DataBarOmni,
        F::DataBarStk,
        F::DataBarStkOmni,
        F::DataBarLtd,
        F::DataBarExp,
        F::DataBarExpStk,
        F::EAN13,
        F::EAN8,
        F::ISBN,
        F::UPCA,
        F::UPCE,
        F::Telepen,
        F::TelepenAlpha,
        F::TelepenNumeric,
        F::DXFilmEdge,
        F::PDF417,
        F::CompactPDF417,
        F::MicroPDF417,
        F::Aztec,
        F::AztecCode,
        F::AztecRune,
        F::QRCode,
        F::QRCodeModel1,
        F::QRCodeModel2,
        F::MicroQRCode,
        F::RMQRCode,
        F::DataMatrix,
        F::MaxiCode,
    ]
}

impl std::str::FromStr for CodeFormats {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let names: Vec<String> = s
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect();
        if names.iter().any(|n| norm(n) == "all") || names.is_empty() {
            return Ok(CodeFormats::default());
        }
        for name in &names {
            if matching(name).is_empty() {
                let known: Vec<String> = readable().iter().map(|f| f.to_string()).collect();
                return Err(format!(
                    "unknown barcode format {name:?} (all, or some of: {})",
                    known.join(", ")
                ));
            }
        }
        Ok(CodeFormats(names))
    }
}

/// The readable formats a name selects: itself, or every format of a family.
fn matching(name: &str) -> Vec<BarcodeFormat> {
    let want = norm(name);
    let want = match want.as_str() {
        "qr" => "qrcode".to_string(),
        "ean" | "upc" => "eanupc".to_string(),
        _ => want,
    };
    readable()
        .into_iter()
        .filter(|f| norm(&f.to_string()) == want || norm(&f.symbology().to_string()) == want)
        .collect()
}

impl CodeFormats {
    /// The zxing formats to look for; `qr` false leaves the QR family out (QR_DECODERS without zxing).
    pub fn zxing(&self, qr: bool) -> Vec<BarcodeFormat> {
        if self.0.is_empty() && qr {
            return vec![BarcodeFormat::AllReadable];
        }
        let mut formats: Vec<BarcodeFormat> = if self.0.is_empty() {
            readable()
        } else {
            self.0.iter().flat_map(|n| matching(n)).collect()
        };
        if !qr {
            formats.retain(|f| !is_qr_format(*f));
        }
        formats.sort();
        formats.dedup();
        formats
    }
}

fn is_qr_format(f: BarcodeFormat) -> bool {
    f.symbology() == BarcodeFormat::QRCode
}

/// The QR family: what a page of text alone is searched for.
pub fn qr_family() -> Vec<BarcodeFormat> {
    vec![
        BarcodeFormat::QRCode,
        BarcodeFormat::MicroQRCode,
        BarcodeFormat::RMQRCode,
    ]
}

/// How a worker searches its pages, decided once from the settings.
#[derive(Debug, Clone)]
pub struct CodeSearch {
    all: Vec<BarcodeFormat>,
    qr: Vec<BarcodeFormat>,
    others: Vec<BarcodeFormat>,
}

impl CodeSearch {
    /// `qr` false leaves the QR family to other decoders (QR_DECODERS without zxing).
    pub fn new(formats: &CodeFormats, qr: bool) -> CodeSearch {
        let all = formats.zxing(qr);
        let (qr, others) = if all == [BarcodeFormat::AllReadable] {
            (qr_family(), CodeFormats::default().zxing(false))
        } else {
            all.iter().partition(|f| is_qr_format(**f))
        };
        CodeSearch { all, qr, others }
    }

    /// The codes of a page. A scan is searched whole for every format. A born-digital page
    /// (`words`: its text layer's boxes) is searched whole for the QR family only, and for the
    /// other formats only where it has ink besides its words: a code is never a word of the text
    /// layer, most pages are text alone, and a whole-page search for every format costs 4x a QR one.
    pub fn page(&self, img: &image::GrayImage, words: Option<&[BBox]>) -> Vec<PageCode> {
        let Some(words) = words else {
            return read(img, &self.all);
        };
        let mut found = read(img, &self.qr);
        found.extend(read_regions(img, &ink_regions(img, words), &self.others));
        found.sort_by_key(|c| (c.bbox.top, c.bbox.left));
        found
    }
}

/// Whether a result's format name is of the QR family (what `qr_codes` lists).
pub fn is_qr(format: &str) -> bool {
    format.starts_with("QR Code") || format == "Micro QR Code" || format == "rMQR Code"
}

/// A page's codes, and those of the QR family apart (what `qr_codes` lists), with rqrr's finds
/// merged in when it is on as a second decoder.
pub fn on_page(
    search: &CodeSearch,
    rqrr: bool,
    img: &image::GrayImage,
    words: Option<&[BBox]>,
) -> (Vec<PageCode>, Vec<PageQr>) {
    let codes = profile::step("codes", || search.page(img, words));
    let mut found: Vec<PageQr> = codes
        .iter()
        .filter(|c| is_qr(&c.format))
        .map(|c| PageQr {
            data: c.data.clone(),
            bbox: c.bbox,
        })
        .collect();
    if rqrr {
        qr::merge(&mut found, profile::step("qr rqrr", || qr::rqrr(img)));
    }
    (codes, found)
}

/// Paints each box (plus its quiet zone) white: a code is never text, and left on the page
/// Tesseract reads it as a line of junk.
pub fn mask(image: &mut image::GrayImage, boxes: impl IntoIterator<Item = BBox>) {
    let (w, h) = image.dimensions();
    for bbox in boxes {
        let margin = bbox.width.max(bbox.height) / 8 + 2;
        let x0 = bbox.left.saturating_sub(margin);
        let y0 = bbox.top.saturating_sub(margin);
        let x1 = (bbox.left + bbox.width + margin).min(w);
        let y1 = (bbox.top + bbox.height + margin).min(h);
        for y in y0..y1 {
            for x in x0..x1 {
                image.put_pixel(x, y, image::Luma([255]));
            }
        }
    }
}

/// Every code of `formats` on the image.
pub fn read(img: &image::GrayImage, formats: &[BarcodeFormat]) -> Vec<PageCode> {
    if formats.is_empty() {
        return Vec::new();
    }
    let found = scan(img, formats, TextMode::Plain);
    // GS1 codes: their human-readable form too, from a second read of just those families.
    let gs1: Vec<BarcodeFormat> = found
        .iter()
        .filter(|f| f.gs1)
        .map(|f| f.symbology)
        .collect();
    let mut codes: Vec<PageCode> = found.into_iter().map(|f| f.code).collect();
    if !gs1.is_empty() {
        for again in scan(img, &gs1, TextMode::HRI) {
            let (cx, cy) = again.code.bbox.center();
            if let Some(code) = codes
                .iter_mut()
                .find(|k| k.format == again.code.format && k.bbox.contains_point(cx, cy))
            {
                code.gs1 = Some(again.code.data);
            }
        }
    }
    codes.sort_by_key(|c| (c.bbox.top, c.bbox.left));
    codes
}

/// One decoded symbol: what the result shows, and what a second read needs.
struct Found {
    code: PageCode,
    gs1: bool,
    symbology: BarcodeFormat,
}

fn scan(img: &image::GrayImage, formats: &[BarcodeFormat], mode: TextMode) -> Vec<Found> {
    let (w, h) = img.dimensions();
    let Ok(view) = zxingcpp::ImageView::from_slice(img.as_raw(), w, h, zxingcpp::ImageFormat::Lum)
    else {
        return Vec::new();
    };
    let reader = zxingcpp::read()
        .formats(formats)
        .text_mode(mode)
        .try_harder(true)
        .try_rotate(true)
        .try_invert(true)
        .try_downscale(true);
    let Ok(found) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| reader.from(view)))
    else {
        return Vec::new();
    };
    found
        .unwrap_or_default()
        .into_iter()
        .filter(|c| c.is_valid())
        .filter_map(|c| {
            let p = c.position();
            let pts = [p.top_left, p.top_right, p.bottom_right, p.bottom_left];
            let bbox =
                crate::codes::qr::bbox_of(pts.iter().map(|q| (q.x as i64, q.y as i64)), w, h);
            let symbology = c.symbology();
            if is_sliver(symbology, bbox, w, h) {
                return None;
            }
            Some(Found {
                // The name straight from zxing: a format this binding has no variant for keeps it.
                code: PageCode {
                    format: format_name(&c),
                    data: c.text(),
                    bbox,
                    gs1: None,
                },
                gs1: c.content_type() == ContentType::GS1,
                symbology,
            })
        })
        .collect()
}

// `format_name` reads a `Barcode` as the one pointer it wraps: an update of the binding (pinned
// with `=` in Cargo.toml) that changes its size fails here, at compile time.
const _: () = assert!(
    std::mem::size_of::<zxingcpp::Barcode>() == std::mem::size_of::<*const std::ffi::c_void>()
);

/// zxing-cpp's name of a code's format, read through its C API. The binding's `format()` makes
/// the number an enum that has no variant for some formats the library reports (Code 32, ITF-14,
/// Code 39 Extended, ...): constructing one is undefined behaviour (a debug build panics).
fn format_name(c: &zxingcpp::Barcode) -> String {
    use std::ffi::{c_char, c_uint, c_void, CStr};
    extern "C" {
        fn ZXing_Barcode_format(barcode: *const c_void) -> c_uint;
        fn ZXing_BarcodeFormatToString(format: c_uint) -> *mut c_char;
        fn ZXing_free(ptr: *mut c_void);
    }
    // SAFETY: zxing-cpp 0.5.3 declares `pub struct Barcode(*mut ZXing_Barcode)`, a struct of one
    // pointer (laid out as that pointer); it is only read here, while `c` keeps the object alive.
    // The name is the library's allocation and is freed with its own free, as the binding does.
    unsafe {
        let object = *(c as *const zxingcpp::Barcode as *const *const c_void);
        let name = ZXing_BarcodeFormatToString(ZXing_Barcode_format(object));
        if name.is_null() {
            return String::new();
        }
        let text = CStr::from_ptr(name).to_string_lossy().into_owned();
        ZXing_free(name as *mut c_void);
        text
    }
}

/// A linear code "read" along a sliver a few pixels wide: a misread (a rotated scan line crossing
/// a real symbol gives another checksum-valid number; seen on zxing-cpp's own EAN-13 set), never
/// how a printed code looks.
fn is_sliver(symbology: BarcodeFormat, b: BBox, w: u32, h: u32) -> bool {
    use BarcodeFormat as F;
    let matrix = [F::QRCode, F::DataMatrix, F::Aztec, F::PDF417, F::MaxiCode];
    if matrix.contains(&symbology) {
        return false;
    }
    let (short, long) = (b.width.min(b.height), b.width.max(b.height));
    // Unless the image itself is that thin (a strip cut around one scan line).
    let room = if b.width <= b.height { w } else { h };
    short < 5 && short * 30 < long && short * 2 < room
}

/// Sampling step of the ink map, in pixels.
const SAMPLE_STEP: u32 = 4;
/// Gaps (in samples) closed between dark samples of one region: the bars of a 1D code are apart.
const JOIN: u32 = 6;
/// Smallest region side, in samples, that can hold a code (a 1D code is ~20 px tall at 100 DPI).
const MIN_SIDE: u32 = 5;
/// Margin added around a region before it is searched (a code's quiet zone).
const MARGIN: u32 = 24;

/// Where a page has dark ink outside its text layer's words (figures, logos, rules, codes): the
/// regions a code can be in, as boxes in page pixels. Sampled every few pixels, word boxes
/// (slightly grown) excluded, nearby samples joined; thin lines and specks dropped. A barcode is
/// never a word of the text layer.
pub fn ink_regions(img: &image::GrayImage, words: &[BBox]) -> Vec<BBox> {
    let (w, h) = img.dimensions();
    let (gw, gh) = (w.div_ceil(SAMPLE_STEP), h.div_ceil(SAMPLE_STEP));
    let idx = |x: u32, y: u32| (y * gw + x) as usize;
    let mut text = vec![false; (gw * gh) as usize];
    for b in words {
        let grow = (b.height / 4).max(2);
        let x0 = b.left.saturating_sub(grow) / SAMPLE_STEP;
        let y0 = b.top.saturating_sub(grow) / SAMPLE_STEP;
        let x1 = ((b.left + b.width + grow) / SAMPLE_STEP).min(gw.saturating_sub(1));
        let y1 = ((b.top + b.height + grow) / SAMPLE_STEP).min(gh.saturating_sub(1));
        for y in y0..=y1 {
            for x in x0..=x1 {
                text[idx(x, y)] = true;
            }
        }
    }
    let mut dark = vec![false; (gw * gh) as usize];
    let mut any = false;
    for gy in 0..gh {
        for gx in 0..gw {
            if !text[idx(gx, gy)] && img.get_pixel(gx * SAMPLE_STEP, gy * SAMPLE_STEP).0[0] < 128 {
                dark[idx(gx, gy)] = true;
                any = true;
            }
        }
    }
    if !any {
        return Vec::new();
    }
    // Regions: dark samples joined across gaps of up to JOIN samples (a flood fill over a
    // neighbourhood), each with its bounding box.
    let mut seen = vec![false; dark.len()];
    let mut regions = Vec::new();
    let mut stack = Vec::new();
    for start in 0..dark.len() {
        if !dark[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
        while let Some(i) = stack.pop() {
            let (x, y) = (i as u32 % gw, i as u32 / gw);
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            for ny in y.saturating_sub(JOIN)..=(y + JOIN).min(gh - 1) {
                for nx in x.saturating_sub(JOIN)..=(x + JOIN).min(gw - 1) {
                    let j = idx(nx, ny);
                    if dark[j] && !seen[j] {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        if x1 - x0 + 1 >= MIN_SIDE && y1 - y0 + 1 >= MIN_SIDE {
            let left = (x0 * SAMPLE_STEP).saturating_sub(MARGIN);
            let top = (y0 * SAMPLE_STEP).saturating_sub(MARGIN);
            let right = ((x1 + 1) * SAMPLE_STEP + MARGIN).min(w);
            let bottom = ((y1 + 1) * SAMPLE_STEP + MARGIN).min(h);
            regions.push(BBox {
                left,
                top,
                width: right - left,
                height: bottom - top,
            });
        }
    }
    merge_overlapping(regions)
}

/// Boxes that overlap become one (the parts of one code, split by its own white, meet again).
fn merge_overlapping(boxes: Vec<BBox>) -> Vec<BBox> {
    let mut rects: Vec<Rect> = boxes.into_iter().map(Rect::of).collect();
    let mut i = 0;
    while i < rects.len() {
        let overlapping = (i + 1..rects.len())
            .find(|&j| rects[i].h_overlap(&rects[j]) > 0.0 && rects[i].v_overlap(&rects[j]) > 0.0);
        match overlapping {
            Some(j) => {
                let other = rects.swap_remove(j);
                rects[i] = rects[i].union(other);
                i = 0; // the grown box may now meet one passed before
            }
            None => i += 1,
        }
    }
    rects.into_iter().map(Rect::to_bbox).collect()
}

/// The codes of `formats` inside `regions` of the image, in page coordinates.
pub fn read_regions(
    img: &image::GrayImage,
    regions: &[BBox],
    formats: &[BarcodeFormat],
) -> Vec<PageCode> {
    let mut codes = Vec::new();
    for r in regions {
        let crop = image::imageops::crop_imm(img, r.left, r.top, r.width, r.height).to_image();
        for mut code in read(&crop, formats) {
            code.bbox.left += r.left;
            code.bbox.top += r.top;
            codes.push(code);
        }
    }
    codes
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::GrayImage;

    #[test]
    fn mask_whitens_the_box_and_its_margin_only() {
        let mut img = GrayImage::from_pixel(100, 100, image::Luma([0]));
        let bbox = BBox {
            left: 40,
            top: 40,
            width: 16,
            height: 16,
        };
        mask(&mut img, [bbox]);
        assert_eq!(img.get_pixel(48, 48).0[0], 255);
        assert_eq!(img.get_pixel(37, 37).0[0], 255); // margin 16/8+2 = 4
        assert_eq!(img.get_pixel(30, 30).0[0], 0);
        assert_eq!(img.get_pixel(99, 99).0[0], 0);
    }

    fn symbol(format: BarcodeFormat, content: &[u8], gs1: bool) -> GrayImage {
        let mut creator = zxingcpp::create(format);
        if gs1 {
            creator = creator.options("gs1");
        }
        let code = creator
            .from_str(std::str::from_utf8(content).unwrap())
            .unwrap()
            .to_image_with(&zxingcpp::write().scale(4))
            .unwrap();
        let img =
            GrayImage::from_raw(code.width() as u32, code.height() as u32, code.data()).unwrap();
        // On a page with a margin, as printed.
        let mut page =
            GrayImage::from_pixel(img.width() + 200, img.height() + 200, image::Luma([255]));
        image::imageops::overlay(&mut page, &img, 100, 100);
        page
    }

    #[test]
    fn every_family_is_read_with_its_format_and_content() {
        let all = CodeFormats::default().zxing(true);
        for (format, content, name) in [
            (BarcodeFormat::EAN13, "4006381333931", "EAN-13"),
            (BarcodeFormat::Code128, "Parcel 123/ABC", "Code 128"),
            (BarcodeFormat::Code39, "HELLO-39", "Code 39"),
            (
                BarcodeFormat::DataMatrix,
                "Data Matrix Ünïcode",
                "Data Matrix",
            ),
            (BarcodeFormat::PDF417, "pdf417 payload 0123456789", "PDF417"),
            (BarcodeFormat::Aztec, "aztec payload", "Aztec"),
            (BarcodeFormat::QRCode, "https://example.com/q", "QR Code"),
        ] {
            let img = symbol(format, content.as_bytes(), false);
            let found = read(&img, &all);
            assert_eq!(found.len(), 1, "{name}: {found:?}");
            assert!(
                found[0].format.starts_with(name),
                "{name}: {:?}",
                found[0].format
            );
            assert_eq!(found[0].data, content, "{name}");
            assert!(
                found[0].bbox.width > 0 && found[0].bbox.left >= 90,
                "{name}: {:?}",
                found[0].bbox
            );
        }
    }

    #[test]
    fn format_names_come_from_the_library() {
        // The C API path gives the same names as the binding for formats it knows.
        for format in [
            BarcodeFormat::EAN13,
            BarcodeFormat::Code128,
            BarcodeFormat::QRCode,
        ] {
            let code = zxingcpp::create(format).from_str("4006381333931").unwrap();
            assert_eq!(format_name(&code), format.to_string());
        }
    }

    #[test]
    fn control_characters_are_content_not_escapes() {
        let payload = "A\u{1}B\u{10}C\u{1d}D";
        let img = symbol(BarcodeFormat::Code128, payload.as_bytes(), false);
        let found = read(&img, &CodeFormats::default().zxing(true));
        assert_eq!(found[0].data, payload, "{:?}", found[0].data);
        assert!(found[0].gs1.is_none());
    }

    #[test]
    fn gs1_codes_keep_their_raw_content_and_give_the_readable_form() {
        let img = symbol(
            BarcodeFormat::DataMatrix,
            b"(01)09506000134352(17)201225(10)ABC",
            true,
        );
        let found = read(&img, &CodeFormats::default().zxing(true));
        assert_eq!(found.len(), 1, "{found:?}");
        let gs1 = found[0]
            .gs1
            .as_deref()
            .unwrap_or_else(|| panic!("a GS1 code: {found:?}"));
        assert_eq!(gs1, "(01)09506000134352(17)201225(10)ABC");
        assert!(
            found[0].data.starts_with("0109506000134352"),
            "{:?}",
            found[0].data
        );
    }

    #[test]
    fn formats_narrow_the_search() {
        let ean = symbol(BarcodeFormat::EAN13, b"4006381333931", false);
        let only_qr: CodeFormats = "qr".parse().unwrap();
        assert!(read(&ean, &only_qr.zxing(true)).is_empty());
        let eans: CodeFormats = "EAN-13, datamatrix".parse().unwrap();
        assert_eq!(read(&ean, &eans.zxing(true)).len(), 1);
        assert!("all".parse::<CodeFormats>().unwrap().0.is_empty());
        let e = "ean13,zbar".parse::<CodeFormats>().unwrap_err();
        assert!(e.contains("zbar") && e.contains("EAN-13"), "{e}");
        // QR left out when zxing is not a QR decoder.
        assert!(CodeFormats::default()
            .zxing(false)
            .iter()
            .all(|f| !is_qr_format(*f)));
    }

    #[test]
    fn blank_and_noise_images_have_no_codes() {
        let all = CodeFormats::default().zxing(true);
        let blank = GrayImage::from_pixel(300, 200, image::Luma([255]));
        assert!(read(&blank, &all).is_empty());
        let mut seed = 12345u32;
        let noise = GrayImage::from_fn(200, 200, |_, _| {
            seed = seed.wrapping_mul(1103515245).wrapping_add(12345);
            image::Luma([(seed >> 24) as u8])
        });
        assert!(read(&noise, &all).is_empty());
    }

    #[test]
    fn codes_are_found_in_the_ink_outside_the_words() {
        let mut page = GrayImage::from_pixel(1400, 900, image::Luma([255]));
        // A "word": a dark box covered by its bbox; a thin rule: too thin to hold a code.
        for y in 100..120 {
            for x in 100..300 {
                page.put_pixel(x, y, image::Luma([0]));
            }
        }
        for x in 50..950 {
            page.put_pixel(x, 200, image::Luma([0]));
        }
        let word = BBox {
            left: 100,
            top: 100,
            width: 200,
            height: 20,
        };
        assert!(
            ink_regions(&page, &[word]).is_empty(),
            "text and a rule only"
        );
        assert_eq!(
            ink_regions(&page, &[]).len(),
            1,
            "the word's ink without its box"
        );
        let code = symbol(BarcodeFormat::EAN13, b"4006381333931", false);
        image::imageops::overlay(&mut page, &code, 400, 300);
        let regions = ink_regions(&page, &[word]);
        assert_eq!(regions.len(), 1, "{regions:?}");
        let found = read_regions(&page, &regions, &CodeFormats::default().zxing(false));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].data, "4006381333931");
        assert!(
            found[0].bbox.left >= 500 && found[0].bbox.top >= 400,
            "{:?}",
            found[0].bbox
        );
    }
}
