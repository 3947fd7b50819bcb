//! QR codes on a page image. zxing-cpp reads every code rqrr reads and more (small modules, blur, low
//! contrast), at a third of rqrr's time per page (examples/qr_bench.rs, BENCHMARKS.md), so it is the
//! default; rqrr can be added as a second pass. A panic in a decoder is a miss, never a crash.

use crate::output::result::{BBox, PageQr};
use image::GrayImage;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Which decoders run (zxing-cpp only by default; see BENCHMARKS.md for what each adds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct QrOptions {
    pub zxing: bool,
    pub rqrr: bool,
}

impl Default for QrOptions {
    fn default() -> Self {
        QrOptions {
            zxing: true,
            rqrr: false,
        }
    }
}

impl std::str::FromStr for QrOptions {
    type Err = String;
    /// `zxing`, `rqrr`, `zxing,rqrr` or `none`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut opts = QrOptions {
            zxing: false,
            rqrr: false,
        };
        for part in s.split([',', '+']).map(str::trim).filter(|p| !p.is_empty()) {
            match part.to_ascii_lowercase().as_str() {
                "zxing" | "zxing-cpp" => opts.zxing = true,
                "rqrr" => opts.rqrr = true,
                "none" => {}
                other => return Err(format!("unknown QR decoder {other:?} (zxing, rqrr, none)")),
            }
        }
        Ok(opts)
    }
}

/// Adds a second decoder's codes to `found`, but the symbols it already has: the same symbol seen
/// by both keeps the first reading (zxing's applies the ECI charset).
pub fn merge(found: &mut Vec<PageQr>, more: Vec<PageQr>) {
    for code in more {
        let (cx, cy) = code.bbox.center();
        let dup = found
            .iter()
            .any(|f| f.data == code.data || f.bbox.contains_point(cx, cy));
        if !dup {
            found.push(code);
        }
    }
    found.sort_by_key(|q| (q.bbox.top, q.bbox.left));
}

/// QR codes on the image: zxing-cpp's QR family search (the one `codes` runs), then rqrr's if asked.
pub fn decode(img: &GrayImage, opts: QrOptions) -> Vec<PageQr> {
    let mut found: Vec<PageQr> = Vec::new();
    if opts.zxing {
        found.extend(
            crate::codes::read(img, &crate::codes::qr_family())
                .into_iter()
                .map(|c| PageQr {
                    data: c.data,
                    bbox: c.bbox,
                }),
        );
    }
    if opts.rqrr {
        merge(&mut found, rqrr(img));
    }
    found.sort_by_key(|q| (q.bbox.top, q.bbox.left));
    found
}

/// rqrr's reading of the image (a panic in it is no code).
pub fn rqrr(img: &GrayImage) -> Vec<PageQr> {
    catch_unwind(AssertUnwindSafe(|| rqrr_decode(img))).unwrap_or_default()
}

pub(crate) fn bbox_of(points: impl IntoIterator<Item = (i64, i64)>, w: u32, h: u32) -> BBox {
    let (mut x0, mut y0, mut x1, mut y1) = (i64::MAX, i64::MAX, i64::MIN, i64::MIN);
    for (x, y) in points {
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x);
        y1 = y1.max(y);
    }
    if x0 > x1 {
        return BBox::default();
    }
    let clamp = |v: i64, max: u32| v.clamp(0, max as i64) as u32;
    let (l, t) = (clamp(x0, w), clamp(y0, h));
    BBox {
        left: l,
        top: t,
        width: clamp(x1, w) - l,
        height: clamp(y1, h) - t,
    }
}

fn rqrr_decode(img: &GrayImage) -> Vec<PageQr> {
    let (w, h) = img.dimensions();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| {
            img.get_pixel(x as u32, y as u32).0[0]
        });
    prepared
        .detect_grids()
        .into_iter()
        .filter_map(|grid| {
            let mut bytes = Vec::new();
            grid.decode_to(&mut bytes).ok()?;
            Some(PageQr {
                // Payloads are bytes; a non-UTF-8 one is rendered lossily rather than dropped.
                data: String::from_utf8_lossy(&bytes).into_owned(),
                bbox: bbox_of(grid.bounds.iter().map(|p| (p.x as i64, p.y as i64)), w, h),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_and_noise_images_have_no_codes() {
        let blank = GrayImage::from_pixel(300, 200, image::Luma([255]));
        assert!(decode(&blank, QrOptions::default()).is_empty());
        let mut seed = 12345u32;
        let noise = GrayImage::from_fn(200, 200, |_, _| {
            seed = seed.wrapping_mul(1103515245).wrapping_add(12345);
            image::Luma([(seed >> 24) as u8])
        });
        assert!(decode(&noise, QrOptions::default()).is_empty());
    }

    #[test]
    fn decoder_lists_parse() {
        assert_eq!(
            "zxing".parse(),
            Ok(QrOptions {
                zxing: true,
                rqrr: false
            })
        );
        assert_eq!(
            "zxing,rqrr".parse(),
            Ok(QrOptions {
                zxing: true,
                rqrr: true
            })
        );
        assert_eq!(
            "none".parse(),
            Ok(QrOptions {
                zxing: false,
                rqrr: false
            })
        );
        assert!("zbar".parse::<QrOptions>().is_err());
    }

    #[test]
    fn both_decoders_read_a_clean_code_once() {
        let code = zxingcpp::create(zxingcpp::BarcodeFormat::QRCode)
            .from_str("hello rqrr")
            .unwrap()
            .to_image_with(&zxingcpp::write().scale(6))
            .unwrap();
        let img =
            GrayImage::from_raw(code.width() as u32, code.height() as u32, code.data()).unwrap();
        for opts in ["zxing", "rqrr", "zxing,rqrr"] {
            let found = decode(&img, opts.parse().unwrap());
            assert_eq!(found.len(), 1, "{opts}: {found:?}");
            assert_eq!(found[0].data, "hello rqrr", "{opts}");
        }
    }

    #[test]
    fn tiny_images_do_not_panic() {
        for (w, h) in [(1, 1), (2, 7), (31, 1)] {
            let img = GrayImage::new(w, h);
            let _ = decode(&img, QrOptions::default());
        }
    }
}
