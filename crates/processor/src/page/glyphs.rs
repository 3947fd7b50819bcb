//! The size of the text on a page image, measured from its ink: the median height of the dark
//! connected components that have the shape of glyphs. It tells the resolution of an image that
//! carries no usable DPI tag, and whether the text is too small for Tesseract.

use image::GrayImage;

/// Components shorter than this are specks, not glyphs (pixels).
const MIN_GLYPH_PX: u32 = 3;
/// Fewer glyph-like components than this and the page says nothing about its text size.
const MIN_GLYPHS: usize = 30;
/// A page with more runs of ink than this is noise or a photo, not text (and the labels would
/// take memory the task has not got: 24 bytes a run).
const MAX_RUNS: usize = 2_000_000;

/// Median glyph height in pixels, or None for a page with too little text to tell. On a
/// `sideways` page (turned by a quarter) a glyph's height runs across the image: measured so, a
/// page reads at the same resolution whichever way it was scanned.
pub fn median_glyph_height(img: &GrayImage, sideways: bool) -> Option<f32> {
    let (w, h) = img.dimensions();
    if w == 0 || h == 0 {
        return None;
    }
    let threshold = otsu(img);
    let max_h = (if sideways { w } else { h } / 10).max(MIN_GLYPH_PX + 1);
    let mut heights: Vec<u32> = components(img, threshold)?
        .into_iter()
        .map(|c| {
            let (across, up) = (c.x1 - c.x0, c.y1 - c.y0);
            if sideways {
                (up, across)
            } else {
                (across, up)
            }
        })
        .filter(|&(cw, ch)| {
            (MIN_GLYPH_PX..=max_h).contains(&ch) && cw <= 3 * ch && ch <= 6 * cw.max(1)
        })
        .map(|(_, ch)| ch)
        .collect();
    if heights.len() < MIN_GLYPHS {
        return None;
    }
    let mid = heights.len() / 2;
    Some(*heights.select_nth_unstable(mid).1 as f32)
}

/// Otsu's threshold over the grey histogram: pixels darker than it are ink.
pub(crate) fn otsu(img: &GrayImage) -> u8 {
    let mut hist = [0u64; 256];
    for p in img.as_raw() {
        hist[*p as usize] += 1;
    }
    let total: u64 = hist.iter().sum();
    let sum_all: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, n)| i as f64 * *n as f64)
        .sum();
    let (mut w_b, mut sum_b, mut best, mut best_t) = (0u64, 0f64, -1f64, 128u8);
    for (t, &n) in hist.iter().enumerate() {
        w_b += n;
        if w_b == 0 {
            continue;
        }
        let w_f = total - w_b;
        if w_f == 0 {
            break;
        }
        sum_b += t as f64 * n as f64;
        let (m_b, m_f) = (sum_b / w_b as f64, (sum_all - sum_b) / w_f as f64);
        let between = w_b as f64 * w_f as f64 * (m_b - m_f) * (m_b - m_f);
        if between > best {
            best = between;
            best_t = t as u8;
        }
    }
    best_t
}

/// A component's box: columns x0..x1, rows y0..y1 (ends exclusive).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Comp {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
}

/// Bounding boxes of 8-connected dark components, from runs of ink joined row to row; None past
/// MAX_RUNS runs.
pub(crate) fn components(img: &GrayImage, threshold: u8) -> Option<Vec<Comp>> {
    let (w, _) = img.dimensions();
    let mut parent: Vec<usize> = Vec::new();
    let mut boxes: Vec<Comp> = Vec::new();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    // Runs of the previous row: (start, end exclusive, label).
    let mut prev: Vec<(u32, u32, usize)> = Vec::new();
    let mut cur: Vec<(u32, u32, usize)> = Vec::new();
    for (y, row) in img.as_raw().chunks_exact(w as usize).enumerate() {
        let y = y as u32;
        cur.clear();
        let mut x = 0u32;
        let mut j = 0usize;
        while x < w {
            if row[x as usize] > threshold {
                x += 1;
                continue;
            }
            let start = x;
            while x < w && row[x as usize] <= threshold {
                x += 1;
            }
            let label = parent.len();
            if label >= MAX_RUNS {
                return None;
            }
            parent.push(label);
            boxes.push(Comp {
                x0: start,
                y0: y,
                x1: x,
                y1: y + 1,
            });
            // 8-connectivity: previous runs touching [start - 1, x + 1).
            while j < prev.len() && prev[j].1 < start {
                j += 1;
            }
            let mut k = j;
            while k < prev.len() && prev[k].0 <= x {
                let (a, b) = (find(&mut parent, prev[k].2), find(&mut parent, label));
                if a != b {
                    parent[b] = a;
                    let (bb, ab) = (boxes[b], &mut boxes[a]);
                    ab.x0 = ab.x0.min(bb.x0);
                    ab.y0 = ab.y0.min(bb.y0);
                    ab.x1 = ab.x1.max(bb.x1);
                    ab.y1 = ab.y1.max(bb.y1);
                }
                k += 1;
            }
            cur.push((start, x, label));
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    Some(
        (0..parent.len())
            .filter(|&i| find(&mut parent, i) == i)
            .map(|i| boxes[i])
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page of `n` dark blocks `gw` x `gh` px, like glyphs in rows.
    fn page_of_glyphs(n: u32, gw: u32, gh: u32) -> GrayImage {
        let mut img = GrayImage::from_pixel(1000, 1000, image::Luma([250]));
        for i in 0..n {
            let (x0, y0) = (20 + (i % 40) * (gw + 6), 20 + (i / 40) * (gh * 2));
            for y in y0..y0 + gh {
                for x in x0..x0 + gw {
                    img.put_pixel(x, y, image::Luma([20]));
                }
            }
        }
        img
    }

    #[test]
    fn glyph_height_is_measured_from_the_ink() {
        assert_eq!(
            median_glyph_height(&page_of_glyphs(200, 8, 14), false),
            Some(14.0)
        );
        assert_eq!(
            median_glyph_height(&page_of_glyphs(200, 4, 6), false),
            Some(6.0)
        );
    }

    #[test]
    fn a_sideways_pages_glyphs_are_measured_across_it() {
        let upright = page_of_glyphs(200, 8, 14);
        let turned = image::imageops::rotate90(&upright);
        assert_eq!(median_glyph_height(&turned, true), Some(14.0));
        // Measured as if upright, the glyphs' widths would be taken for their heights.
        assert_eq!(median_glyph_height(&turned, false), Some(8.0));
    }

    #[test]
    fn a_blank_page_has_no_text_size() {
        let blank = GrayImage::from_pixel(300, 300, image::Luma([255]));
        assert_eq!(median_glyph_height(&blank, false), None);
    }

    #[test]
    fn touching_runs_form_one_component() {
        // An "L" and a diagonal: one component each.
        let mut img = GrayImage::from_pixel(20, 20, image::Luma([255]));
        for y in 2..10 {
            img.put_pixel(2, y, image::Luma([0]));
        }
        for x in 2..6 {
            img.put_pixel(x, 9, image::Luma([0]));
        }
        for i in 0..5 {
            img.put_pixel(10 + i, 10 + i, image::Luma([0]));
        }
        let comps = components(&img, 128).unwrap();
        assert_eq!(comps.len(), 2);
    }

    #[test]
    fn a_page_of_noise_says_nothing_about_text_size() {
        // A checkerboard of single pixels: every pixel of ink its own run.
        let img = GrayImage::from_fn(3000, 1400, |x, y| {
            image::Luma([if (x + y) % 2 == 0 { 0 } else { 255 }])
        });
        assert_eq!(median_glyph_height(&img, false), None);
    }
}
