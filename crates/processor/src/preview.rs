//! Page previews for the viewer: the page image as analysed, shrunk to fit a bounded size and
//! coded as lossy WebP. Word boxes stay in the page's pixels; the viewer scales the preview to them.

use image::GrayImage;
use std::path::{Path, PathBuf};

/// Longest side of a preview, in pixels, unless configured (a letter page: 773 x 1000).
pub const DEFAULT_MAX_SIDE: u32 = 1000;
/// libwebp's quality (0-100): text stays legible at 1000 px, a page is ~20-50 KB.
pub const QUALITY: f32 = 60.0;

/// Where and how big: one `N.webp` per page (1-based) in `dir`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Previews {
    pub dir: PathBuf,
    pub max_side: u32,
}

impl Previews {
    pub fn path(&self, page: u32) -> PathBuf {
        page_path(&self.dir, page)
    }

    /// Writes page `page`'s preview.
    pub fn write(&self, page: u32, image: &GrayImage) -> std::io::Result<()> {
        std::fs::write(self.path(page), encode(image, self.max_side))
    }
}

pub fn page_path(dir: &Path, page: u32) -> PathBuf {
    dir.join(format!("{page}.webp"))
}

/// The size a `width` x `height` page is shown at: its own when it fits, else shrunk to fit
/// `max_side` with its aspect kept (never below one pixel).
pub fn fitted(width: u32, height: u32, max_side: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= max_side || long == 0 {
        return (width, height);
    }
    let s = max_side as f64 / long as f64;
    let f = |v: u32| ((v as f64 * s).round() as u32).max(1);
    (f(width), f(height))
}

/// The page as a lossy WebP no larger than `max_side` on its long side.
pub fn encode(image: &GrayImage, max_side: u32) -> Vec<u8> {
    let (w, h) = fitted(image.width(), image.height(), max_side.max(1));
    // Area averaging (thumbnail) keeps thin strokes legible where a sampling filter drops them.
    let small = if (w, h) == image.dimensions() {
        image.clone()
    } else {
        image::imageops::thumbnail(image, w, h)
    };
    // libwebp takes RGB; the page is grey, so each sample three times.
    let rgb: Vec<u8> = small.as_raw().iter().flat_map(|&v| [v, v, v]).collect();
    webp::Encoder::from_rgb(&rgb, w, h).encode(QUALITY).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_shrink_to_fit_with_their_aspect() {
        assert_eq!(fitted(2550, 3300, 1000), (773, 1000));
        assert_eq!(fitted(3300, 2550, 1000), (1000, 773));
        assert_eq!(fitted(800, 600, 1000), (800, 600), "small pages are kept");
        assert_eq!(fitted(100_000, 10, 1000), (1000, 1), "never below a pixel");
        assert_eq!(fitted(0, 0, 1000), (0, 0));
    }

    #[test]
    fn a_preview_is_a_webp_of_the_fitted_size() {
        let mut page = GrayImage::from_pixel(2000, 1000, image::Luma([255]));
        for x in 200..1800 {
            page.put_pixel(x, 500, image::Luma([0]));
        }
        let bytes = encode(&page, 500);
        assert_eq!(&bytes[..4], b"RIFF");
        assert_eq!(&bytes[8..12], b"WEBP");
        let decoded = image::load_from_memory_with_format(&bytes, image::ImageFormat::WebP)
            .unwrap()
            .to_luma8();
        assert_eq!(decoded.dimensions(), (500, 250));
        // The line survives the shrink: a dark row where it was.
        let row = (100..400)
            .map(|x| decoded.get_pixel(x, 125)[0] as u32)
            .sum::<u32>()
            / 300;
        let blank = (100..400)
            .map(|x| decoded.get_pixel(x, 60)[0] as u32)
            .sum::<u32>()
            / 300;
        assert!(row + 40 < blank, "line {row} vs paper {blank}");
    }
}
