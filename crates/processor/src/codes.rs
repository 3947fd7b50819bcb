//! Barcodes of every kind zxing-cpp reads (EAN/UPC, Code 128, Code 39, ITF, Codabar, Data Matrix,
//! PDF417, Aztec, QR and more), with their format, their content as decoded, and their box.
//!
//! `data` is the content itself (zxing's plain text mode: control characters stay what they are,
//! a GS1 code keeps its raw element string with GS separators); a GS1 code's human-readable
//! `(01)...` form comes in `gs1`. Format names are zxing-cpp's own ("EAN-13", "QR Code").

use crate::result::{BBox, PageCode};
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
                let mut known: Vec<String> = readable().iter().map(|f| f.to_string()).collect();
                known.dedup();
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

/// Whether a format handed to zxing is of the QR family.
pub fn is_qr_family(f: BarcodeFormat) -> bool {
    is_qr_format(f)
}

/// The QR family: what a page of text alone is searched for.
pub fn qr_family() -> Vec<BarcodeFormat> {
    vec![
        BarcodeFormat::QRCode,
        BarcodeFormat::MicroQRCode,
        BarcodeFormat::RMQRCode,
    ]
}

/// Whether a result's format name is of the QR family (what `qr_codes` lists).
pub fn is_qr(format: &str) -> bool {
    format.starts_with("QR Code") || format == "Micro QR Code" || format == "rMQR Code"
}

/// Every code of `formats` on the image.
pub fn read(img: &image::GrayImage, formats: &[BarcodeFormat]) -> Vec<PageCode> {
    if formats.is_empty() {
        return Vec::new();
    }
    let found = scan(img, formats, TextMode::Plain);
    let mut codes: Vec<PageCode> = found.iter().map(|f| f.code.clone()).collect();
    // GS1 codes: their human-readable form too, from a second read of just those families.
    let gs1: Vec<BarcodeFormat> = found
        .iter()
        .filter(|f| f.gs1)
        .map(|f| f.symbology)
        .collect();
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
        .map(|c| {
            let p = c.position();
            let pts = [p.top_left, p.top_right, p.bottom_right, p.bottom_left];
            Found {
                // The name straight from zxing: a format this binding has no variant for keeps it.
                code: PageCode {
                    format: c.format().to_string(),
                    data: c.text(),
                    bbox: crate::qr::bbox_of(pts.iter().map(|q| (q.x as i64, q.y as i64)), w, h),
                    gs1: None,
                },
                gs1: c.content_type() == ContentType::GS1,
                symbology: c.symbology(),
            }
        })
        .collect()
}

/// Share of sampled pixels that may be dark outside the text before a born-digital page is
/// searched for other codes than QR: a page of text alone (most pages) costs only the QR search.
const SAMPLE_STEP: u32 = 4;
const MIN_DARK_SAMPLES: usize = 60;

/// Whether the page holds dark ink outside its text layer's words (figures, rules, logos, codes):
/// sampled every few pixels, word boxes (slightly grown) excluded. Barcodes are never words.
pub fn has_ink_besides(img: &image::GrayImage, words: &[BBox]) -> bool {
    let (w, h) = img.dimensions();
    let (gw, gh) = (w.div_ceil(SAMPLE_STEP), h.div_ceil(SAMPLE_STEP));
    let mut text = vec![false; (gw * gh) as usize];
    for b in words {
        let grow = (b.height / 4).max(2);
        let x0 = b.left.saturating_sub(grow) / SAMPLE_STEP;
        let y0 = b.top.saturating_sub(grow) / SAMPLE_STEP;
        let x1 = ((b.left + b.width + grow) / SAMPLE_STEP).min(gw.saturating_sub(1));
        let y1 = ((b.top + b.height + grow) / SAMPLE_STEP).min(gh.saturating_sub(1));
        for y in y0..=y1 {
            for x in x0..=x1 {
                text[(y * gw + x) as usize] = true;
            }
        }
    }
    let mut dark = 0;
    for gy in 0..gh {
        for gx in 0..gw {
            if text[(gy * gw + gx) as usize] {
                continue;
            }
            if img.get_pixel(gx * SAMPLE_STEP, gy * SAMPLE_STEP).0[0] < 128 {
                dark += 1;
                if dark >= MIN_DARK_SAMPLES {
                    return true;
                }
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::GrayImage;

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
    fn ink_outside_the_words_is_what_a_code_needs() {
        let mut page = GrayImage::from_pixel(800, 600, image::Luma([255]));
        // A "word": dark box covered by its bbox.
        for y in 100..120 {
            for x in 100..300 {
                page.put_pixel(x, y, image::Luma([0]));
            }
        }
        let word = BBox {
            left: 100,
            top: 100,
            width: 200,
            height: 20,
        };
        assert!(!has_ink_besides(&page, &[word]));
        assert!(has_ink_besides(&page, &[]));
        let code = symbol(BarcodeFormat::EAN13, b"4006381333931", false);
        image::imageops::overlay(&mut page, &code, 400, 300);
        assert!(has_ink_besides(&page, &[word]));
    }
}
