//! Page orientation: Tesseract's orientation and script detection (OSD, `osd.traineddata`), and
//! quarter turns of page images and of boxes back into the page as given.
//!
//! OSD is a second Tesseract handle per worker, initialised with the `osd` model when a page
//! first needs it.

use crate::output::result::BBox;
use crate::recognition::capi;
use crate::recognition::tess::TessHandle;
use image::GrayImage;
use std::path::Path;

pub struct OrientationDetector {
    tess: TessHandle,
}

/// What OSD says of a page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Orientation {
    /// Clockwise quarter turn (0, 90, 180, 270) that sets the page upright.
    pub turn: u16,
    /// Tesseract's confidence in it (roughly: above 2 is reliable).
    pub confidence: f32,
}

impl OrientationDetector {
    /// None when `osd.traineddata` is not installed (orientation is then left as given).
    pub fn new(tessdata: Option<&Path>) -> Option<Self> {
        TessHandle::init(tessdata, "osd").map(|tess| OrientationDetector { tess })
    }

    /// The turn that sets `img` upright, or None when OSD found too little text to say.
    pub fn detect(&mut self, img: &GrayImage, dpi: Option<u32>) -> Option<Orientation> {
        self.tess.set_image(img, dpi);
        let api = self.tess.raw();
        let (mut deg, mut conf) = (0i32, 0f32);
        // SAFETY: out-pointers to locals. The script name is not asked for: Tesseract 5 points it
        // into its own tables (despite capi.h's note, freeing it corrupts the heap).
        let ok = unsafe {
            let ok = capi::TessBaseAPIDetectOrientationScript(
                api,
                &mut deg,
                &mut conf,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            );
            capi::TessBaseAPIClear(api);
            ok != 0
        };
        // Tesseract reports the page's own rotation (counter-clockwise); turning it back is the
        // clockwise turn of the same size.
        ok.then(|| Orientation {
            turn: ((360 - deg.rem_euclid(360)) % 360) as u16,
            confidence: conf,
        })
    }
}

/// The image turned clockwise by `turn` degrees (a multiple of 90).
pub fn turn(img: &GrayImage, turn: u16) -> GrayImage {
    match turn % 360 {
        90 => image::imageops::rotate90(img),
        180 => image::imageops::rotate180(img),
        270 => image::imageops::rotate270(img),
        _ => img.clone(),
    }
}

/// A box measured on the image turned clockwise by `turn`, in the coordinates of the image as
/// given (`width` x `height`).
pub fn unturn_box(b: BBox, turn: u16, width: u32, height: u32) -> BBox {
    match turn % 360 {
        90 => BBox {
            left: b.top,
            top: height.saturating_sub(b.left + b.width),
            width: b.height,
            height: b.width,
        },
        180 => BBox {
            left: width.saturating_sub(b.left + b.width),
            top: height.saturating_sub(b.top + b.height),
            width: b.width,
            height: b.height,
        },
        270 => BBox {
            left: width.saturating_sub(b.top + b.height),
            top: b.left,
            width: b.height,
            height: b.width,
        },
        _ => b,
    }
}

/// The box around an image's dark pixels (for tests of box mappings).
#[cfg(test)]
pub(crate) fn ink_box(img: &GrayImage) -> BBox {
    let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
    for (x, y, p) in img.enumerate_pixels() {
        if p.0[0] < 128 {
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x + 1), y1.max(y + 1));
        }
    }
    BBox {
        left: x0,
        top: y0,
        width: x1.saturating_sub(x0),
        height: y1.saturating_sub(y0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxes_on_a_turned_image_map_back_onto_the_same_pixels() {
        // A 40 x 30 image with one dark 5 x 3 patch at (7, 11).
        let (w, h) = (40u32, 30u32);
        let mut img = GrayImage::from_pixel(w, h, image::Luma([255]));
        for y in 11..14 {
            for x in 7..12 {
                img.put_pixel(x, y, image::Luma([0]));
            }
        }
        let want = BBox {
            left: 7,
            top: 11,
            width: 5,
            height: 3,
        };
        for t in [0u16, 90, 180, 270] {
            let turned = turn(&img, t);
            // The patch's box on the turned image, found from its pixels.
            let seen = ink_box(&turned);
            assert_eq!(unturn_box(seen, t, w, h), want, "turn {t}");
        }
    }
}
