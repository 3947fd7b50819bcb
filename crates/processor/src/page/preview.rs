//! Page previews for the viewer: the page image as analysed, shrunk to fit a bounded size, snapped
//! to four greys and coded as lossless WebP. Word boxes stay in the page's pixels; the viewer
//! scales the preview to them.

use image::GrayImage;
use std::path::{Path, PathBuf};

/// Longest side of a preview, in pixels, unless configured (a letter page: 773 x 1000).
pub const DEFAULT_MAX_SIDE: u32 = 1000;
/// Grey levels a preview keeps: ink, two edge tones, paper. Text (what the viewer is for) stays
/// legible and smooth-edged, and so few colours code losslessly at ~5x less than 256 levels: a
/// dense two-column page at 1000 px is ~50 KB, where lossy WebP needed 125 KB for the same
/// legibility (measured, BENCHMARKS.md). Photos show posterised.
pub const LEVELS: u8 = 4;

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
        let webp = encode(image, self.max_side)
            .ok_or_else(|| std::io::Error::other("libwebp refused the page"))?;
        std::fs::write(self.path(page), webp)
    }
}

pub fn page_path(dir: &Path, page: u32) -> PathBuf {
    dir.join(file_name(page))
}

/// Page `page`'s preview file (1-based), in a folder on disk and under a record's S3 prefix alike.
pub fn file_name(page: u32) -> String {
    format!("{page}.webp")
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

/// The page as a WebP no larger than `max_side` on its long side, in [`LEVELS`] greys; None if
/// libwebp refuses it (a side over WebP's 16383 pixels: PREVIEW_MAX_SIDE keeps far below).
pub fn encode(image: &GrayImage, max_side: u32) -> Option<Vec<u8>> {
    let (w, h) = fitted(image.width(), image.height(), max_side.max(1));
    let small = shrink(image, w, h);
    // libwebp takes RGB; the page is grey, so each (posterised) sample three times.
    let rgb: Vec<u8> = small
        .as_raw()
        .iter()
        .flat_map(|&v| {
            let v = posterise(v);
            [v, v, v]
        })
        .collect();
    let mut config = webp::WebPConfig::new().ok()?;
    // Lossless at the least effort: on a few-colour page the palette does the work, and
    // method 0 codes a page in ~5 ms (the default method takes 3x longer for 5% less).
    config.lossless = 1;
    config.method = 0;
    config.quality = 0.0;
    webp::Encoder::from_rgb(&rgb, w, h)
        .encode_advanced(&config)
        .ok()
        .map(|bytes| bytes.to_vec())
}

/// The page at `w` x `h`. Area averaging (a box filter) keeps thin strokes legible where a
/// sampling filter drops them.
fn shrink(image: &GrayImage, w: u32, h: u32) -> GrayImage {
    use fast_image_resize::{images::ImageRef, FilterType, PixelType, ResizeAlg, ResizeOptions};
    if (w, h) == image.dimensions() {
        return image.clone();
    }
    let src = ImageRef::new(image.width(), image.height(), image.as_raw(), PixelType::U8)
        .expect("a grey image's buffer fits its size");
    let mut dst = fast_image_resize::images::Image::new(w, h, PixelType::U8);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Box));
    match fast_image_resize::Resizer::new().resize(&src, &mut dst, &options) {
        Ok(()) => GrayImage::from_raw(w, h, dst.into_vec()).expect("w x h samples"),
        // Same pixel type on both sides: nothing to refuse; kept total all the same.
        Err(_) => image::imageops::thumbnail(image, w, h),
    }
}

/// The nearest of [`LEVELS`] evenly spaced greys.
pub fn posterise(v: u8) -> u8 {
    let step = 255 / (LEVELS as u32 - 1);
    (((v as u32 + step / 2) / step) * step) as u8
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
    fn greys_snap_to_four_levels() {
        assert_eq!(
            [0, 42, 43, 100, 127, 128, 200, 212, 213, 255].map(posterise),
            [0, 0, 85, 85, 85, 170, 170, 170, 255, 255]
        );
    }

    #[test]
    fn a_preview_is_a_webp_of_the_fitted_size() {
        let mut page = GrayImage::from_pixel(2000, 1000, image::Luma([255]));
        for x in 200..1800 {
            page.put_pixel(x, 500, image::Luma([0]));
        }
        let bytes = encode(&page, 500).unwrap();
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
