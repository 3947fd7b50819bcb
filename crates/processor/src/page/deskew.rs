//! Skew of a page image, measured before OCR from its ink (the angle at which the rows of ink are
//! sharpest: a projection profile over a reduced copy), and the small rotation that levels it.
//! A scan turned by a degree or two makes Tesseract's page segmentation miss whole paragraphs;
//! levelled, it reads them.

use crate::output::result::BBox;
use crate::page::glyphs::otsu;
use image::GrayImage;

/// Largest skew looked for, in degrees.
const MAX_ANGLE: f32 = 5.0;
/// Coarse and fine search steps, in degrees.
const COARSE_STEP: f32 = 0.25;
const FINE_STEP: f32 = 0.05;
/// The reduced copy has about this many pixels on its short side.
const REDUCED_SIDE: u32 = 500;
/// Fewer ink pixels than this in the reduced copy and the page says nothing about its skew.
const MIN_INK: usize = 2_000;
/// A page is sideways when its columns of ink are this much sharper than its rows.
const SIDEWAYS_RATIO: f64 = 1.0;
/// The best angle must sharpen the profile by this share over the level one to count.
const MIN_GAIN: f64 = 0.05;

/// The ink of a reduced copy of a page (a cell is ink when its darkest pixel is), as points:
/// what both the orientation pre-check and the skew measure look at. Computed once per page.
pub struct Ink {
    points: Vec<(f32, f32)>,
    width: u32,
    height: u32,
}

impl Ink {
    pub fn of(img: &GrayImage) -> Ink {
        let (w, h) = img.dimensions();
        let step = (w.min(h) / REDUCED_SIDE).max(1) as usize;
        let threshold = otsu(img);
        let (rw, rh) = (w as usize / step, h as usize / step);
        let mut dark = vec![false; rw * rh];
        for (y, row) in img
            .as_raw()
            .chunks_exact(w as usize)
            .enumerate()
            .take(rh * step)
        {
            let line = &mut dark[(y / step) * rw..(y / step + 1) * rw];
            for (cell, px) in line.iter_mut().zip(row.chunks_exact(step)) {
                *cell |= px.iter().any(|&p| p <= threshold);
            }
        }
        let points = dark
            .iter()
            .enumerate()
            .filter(|(_, d)| **d)
            .map(|(i, _)| ((i % rw) as f32, (i / rw) as f32))
            .collect();
        Ink {
            points,
            width: rw as u32,
            height: rh as u32,
        }
    }

    /// Enough ink to tell anything, and not a page that is mostly dark.
    fn usable(&self) -> bool {
        self.points.len() >= MIN_INK && self.points.len() <= (self.width * self.height) as usize / 3
    }

    /// Whether the page's lines of ink run top to bottom (a page turned by a quarter): its
    /// columns of ink are sharper than its rows.
    pub fn is_sideways(&self) -> bool {
        if !self.usable() {
            return false;
        }
        let rows = sharpness(self.points.iter().map(|p| p.1), self.height as usize);
        let cols = sharpness(self.points.iter().map(|p| p.0), self.width as usize);
        // Normalised by the length of each projection: a tall page has more rows than columns.
        cols / self.height as f64 > SIDEWAYS_RATIO * rows / self.width as f64
    }

    /// The angle (degrees, positive: clockwise, i.e. lines fall to the right) that the page's
    /// text is turned by, or None when it cannot be told.
    pub fn skew(&self) -> Option<f32> {
        if !self.usable() {
            return None;
        }
        let rows = (self.width + self.height) as usize + 2;
        // The rows of the points once the page is turned back by `deg`.
        let score = |deg: f32| -> f64 {
            let (s, c) = deg.to_radians().sin_cos();
            sharpness(self.points.iter().map(|&(x, y)| y * c - x * s), rows)
        };
        let level = score(0.0);
        let mut best = (0.0f32, level);
        let mut a = -MAX_ANGLE;
        while a <= MAX_ANGLE {
            let s = score(a);
            if s > best.1 {
                best = (a, s);
            }
            a += COARSE_STEP;
        }
        let coarse = best.0;
        let mut a = coarse - COARSE_STEP;
        while a <= coarse + COARSE_STEP {
            let s = score(a);
            if s > best.1 {
                best = (a, s);
            }
            a += FINE_STEP;
        }
        (best.1 > level * (1.0 + MIN_GAIN)).then_some((best.0 * 100.0).round() / 100.0)
    }
}

/// Sharpness of a projection: the sum of squared counts per position.
fn sharpness(positions: impl Iterator<Item = f32>, len: usize) -> f64 {
    let mut hist = vec![0u32; len * 2 + 2];
    for p in positions {
        let i = p.round() as isize + len as isize;
        if let Some(v) = hist.get_mut(i.max(0) as usize) {
            *v += 1;
        }
    }
    hist.iter().map(|&v| (v as f64) * (v as f64)).sum()
}

/// Skew of a page (see [`Ink::skew`]).
pub fn measure(img: &GrayImage) -> Option<f32> {
    Ink::of(img).skew()
}

/// Whether a page is turned by a quarter (see [`Ink::is_sideways`]).
pub fn is_sideways(img: &GrayImage) -> bool {
    Ink::of(img).is_sideways()
}

/// The image turned by `-degrees` about its centre (levelling text skewed by `degrees`), same
/// size, white where nothing of the page falls.
pub fn level(img: &GrayImage, degrees: f32) -> GrayImage {
    let (w, h) = img.dimensions();
    let (s, c) = (-degrees).to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    // Where each output pixel comes from: the inverse turn. The products that depend on the
    // column alone are made once per column, those of the row once per row; each pixel then adds
    // them in the same order as before, so the image is the same to the bit (a page is millions
    // of pixels: this step took 3% of a scanned page).
    let columns: Vec<(f32, f32)> = (0..w)
        .map(|x| {
            let dx = x as f32 + 0.5 - cx;
            (c * dx, -s * dx)
        })
        .collect();
    let mut out = GrayImage::new(w, h);
    for (y, row) in out.as_mut().chunks_exact_mut(w as usize).enumerate() {
        let dy = y as f32 + 0.5 - cy;
        let (sdy, cdy) = (s * dy, c * dy);
        for (px, &(cdx, msdx)) in row.iter_mut().zip(&columns) {
            let sx = cdx + sdy + cx - 0.5;
            let sy = msdx + cdy + cy - 0.5;
            *px = bilinear(img, sx, sy);
        }
    }
    out
}

fn bilinear(img: &GrayImage, x: f32, y: f32) -> u8 {
    let (w, h) = img.dimensions();
    if x < 0.0 || y < 0.0 || x > (w - 1) as f32 || y > (h - 1) as f32 {
        return 255;
    }
    let (x0, y0) = (x as u32, y as u32);
    let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let raw = img.as_raw();
    let p = |x: u32, y: u32| raw[(y * w + x) as usize] as f32;
    let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
    let bottom = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
    round_grey(top * (1.0 - fy) + bottom * fy)
}

/// `v.round() as u8` for a grey value (0 to 255): the same result, without the call to libm's
/// `roundf` that `round` becomes on x86-64's baseline instruction set. `v - trunc(v)` is exact
/// here (Sterbenz), so the half-way test is exactly `round`'s (half away from zero).
fn round_grey(v: f32) -> u8 {
    let t = v as u32;
    let up = v - t as f32 >= 0.5;
    (t + u32::from(up)) as u8
}

/// A box measured on the levelled image, in the coordinates of the image before levelling: its
/// corners turned back, and the box around them.
pub fn unlevel_box(b: BBox, degrees: f32, w: u32, h: u32) -> BBox {
    let (s, c) = (-degrees).to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let corners = [
        (b.left, b.top),
        (b.left + b.width, b.top),
        (b.left, b.top + b.height),
        (b.left + b.width, b.top + b.height),
    ];
    let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for (x, y) in corners {
        let (dx, dy) = (x as f32 - cx, y as f32 - cy);
        let (sx, sy) = (c * dx + s * dy + cx, -s * dx + c * dy + cy);
        (x0, y0, x1, y1) = (x0.min(sx), y0.min(sy), x1.max(sx), y1.max(sy));
    }
    let (x0, y0) = (x0.max(0.0).round() as u32, y0.max(0.0).round() as u32);
    let (x1, y1) = (x1.max(0.0).round() as u32, y1.max(0.0).round() as u32);
    BBox {
        left: x0.min(w),
        top: y0.min(h),
        width: x1.min(w).saturating_sub(x0),
        height: y1.min(h).saturating_sub(y0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    #[test]
    fn grey_rounding_is_rounds() {
        // Every half-way point and its float neighbours, across the grey range.
        for i in 0..=255u32 {
            for base in [i as f32, i as f32 + 0.5] {
                let mut v = base;
                for _ in 0..3 {
                    v = f32::from_bits(v.to_bits().saturating_sub(1));
                }
                for _ in 0..7 {
                    if (0.0..=255.0).contains(&v) {
                        assert_eq!(round_grey(v), v.round() as u8, "{v}");
                    }
                    v = f32::from_bits(v.to_bits() + 1);
                }
            }
        }
    }

    /// The levelling as it was first written (one closure per pixel, `round`), for comparison.
    fn level_per_pixel(img: &GrayImage, degrees: f32) -> GrayImage {
        let (w, h) = img.dimensions();
        let (s, c) = (-degrees).to_radians().sin_cos();
        let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
        GrayImage::from_fn(w, h, |x, y| {
            let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
            let sx = c * dx + s * dy + cx - 0.5;
            let sy = -s * dx + c * dy + cy - 0.5;
            let (x0, y0) = (sx as u32, sy as u32);
            if sx < 0.0 || sy < 0.0 || sx > (w - 1) as f32 || sy > (h - 1) as f32 {
                return Luma([255]);
            }
            let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
            let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
            let p = |x: u32, y: u32| img.get_pixel(x, y).0[0] as f32;
            let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
            let bottom = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
            Luma([(top * (1.0 - fy) + bottom * fy).round() as u8])
        })
    }

    #[test]
    fn levelling_is_the_same_to_the_bit() {
        let img = GrayImage::from_fn(301, 203, |x, y| {
            Luma([((x * 7919 + y * 104729) % 251) as u8])
        });
        for degrees in [-4.3f32, -1.0, 0.37, 2.5, 7.9] {
            assert_eq!(
                level(&img, degrees),
                level_per_pixel(&img, degrees),
                "{degrees}"
            );
        }
    }

    /// A page of dark text-like bars: 30 rows of dashes.
    fn page() -> GrayImage {
        let mut img = GrayImage::from_pixel(1200, 1600, Luma([250]));
        for row in 0..30 {
            let y0 = 100 + row * 45;
            for word in 0..12 {
                let x0 = 100 + word * 85;
                for y in y0..y0 + 18 {
                    for x in x0..x0 + 60 {
                        img.put_pixel(x, y, Luma([20]));
                    }
                }
            }
        }
        img
    }

    #[test]
    fn a_turned_page_is_measured_and_levelled() {
        let straight = page();
        assert!(!matches!(measure(&straight), Some(a) if a.abs() >= 0.1));
        for deg in [1.5f32, -2.0, 0.7] {
            // Skewed by `deg`: what levelling by `-deg` would give.
            let skewed = level(&straight, -deg);
            let m = measure(&skewed).expect("skew found");
            assert!((m - deg).abs() <= 0.1, "turned {deg}, measured {m}");
            let back = level(&skewed, m);
            assert!(!matches!(measure(&back), Some(a) if a.abs() > 0.1));
        }
    }

    #[test]
    fn a_page_turned_by_a_quarter_is_sideways() {
        let upright = page();
        assert!(!is_sideways(&upright));
        assert!(is_sideways(&image::imageops::rotate90(&upright)));
        assert!(is_sideways(&image::imageops::rotate270(&upright)));
        assert!(!is_sideways(&image::imageops::rotate180(&upright)));
    }

    #[test]
    fn a_blank_page_has_no_skew() {
        assert_eq!(measure(&GrayImage::from_pixel(800, 800, Luma([255]))), None);
    }

    #[test]
    fn boxes_on_the_levelled_image_map_back() {
        // A dark patch; level by 2 degrees; the patch's box there maps back near the original.
        let mut img = GrayImage::from_pixel(1000, 800, Luma([255]));
        for y in 300..340 {
            for x in 600..700 {
                img.put_pixel(x, y, Luma([0]));
            }
        }
        let seen = crate::page::orientation::ink_box(&level(&img, 2.0));
        let b = unlevel_box(seen, 2.0, 1000, 800);
        assert!(
            b.left.abs_diff(600) <= 6 && b.top.abs_diff(300) <= 6,
            "{b:?}"
        );
        assert!(
            b.width.abs_diff(100) <= 12 && b.height.abs_diff(40) <= 12,
            "{b:?}"
        );
    }
}
