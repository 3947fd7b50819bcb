//! Ruling lines in a page image (a scan, a photo of a form): long runs of dark pixels along a row
//! or down a column, small breaks bridged (a faint or broken rule), runs of neighbouring rows or
//! columns taken together as one stroke. One pass over the pixels, row by row: this is the
//! horizontal and vertical line extraction of a morphological opening with a long line element,
//! without building the opened image.

use crate::layout::Rule;
use image::GrayImage;

/// A pixel this dark or darker is ink.
const INK: u8 = 140;
/// A rule is at least this long: a fifth of an inch (about two lines of body text high).
const MIN_LENGTH_INCH: f32 = 0.2;
/// A break in a rule this short (inch) is bridged.
const MAX_BREAK_INCH: f32 = 0.015;
/// A rule is at most this thick (inch): thicker is a filled area or a picture.
const MAX_THICKNESS_INCH: f32 = 0.05;
/// A page with more rule pieces than this is a picture (hatching, a photo), not a ruled page.
const MAX_PIECES: usize = 20_000;

/// The page's horizontal and vertical rules, in its pixels. `dpi` is the image's resolution
/// (300 when unknown).
pub fn find(image: &GrayImage, dpi: Option<u32>) -> Vec<Rule> {
    let dpi = dpi.unwrap_or(300).clamp(50, 1200) as f32;
    let min_len = (MIN_LENGTH_INCH * dpi).round().max(8.0) as u32;
    let max_break = (MAX_BREAK_INCH * dpi).round().max(1.0) as u32;
    let max_thick = (MAX_THICKNESS_INCH * dpi).round().max(2.0) as u32;
    let (w, h) = image.dimensions();
    let raw = image.as_raw();
    let mut out = Vec::new();
    // Horizontal: runs along each row; a run continues the stroke above it when they overlap.
    let mut open: Vec<Stroke> = Vec::new();
    let mut pieces = 0usize;
    // Vertical: each column's current run (start row, last ink row), bridged over short breaks.
    let mut col_start = vec![u32::MAX; w as usize];
    let mut col_last = vec![0u32; w as usize];
    let mut vertical_runs: Vec<(u32, u32, u32)> = Vec::new();
    for y in 0..h {
        let row = &raw[(y * w) as usize..((y + 1) * w) as usize];
        let mut runs: Vec<(u32, u32)> = Vec::new();
        let (mut start, mut last) = (u32::MAX, 0u32);
        for (x, &p) in row.iter().enumerate() {
            let x = x as u32;
            if p <= INK {
                if start == u32::MAX {
                    start = x;
                } else if x - last > max_break + 1 {
                    if last + 1 - start >= min_len {
                        runs.push((start, last + 1));
                    }
                    start = x;
                }
                last = x;
                let c = x as usize;
                if col_start[c] == u32::MAX {
                    col_start[c] = y;
                } else if y - col_last[c] > max_break + 1 {
                    if col_last[c] + 1 - col_start[c] >= min_len {
                        vertical_runs.push((x, col_start[c], col_last[c] + 1));
                    }
                    col_start[c] = y;
                }
                col_last[c] = y;
            }
        }
        if start != u32::MAX && last + 1 - start >= min_len {
            runs.push((start, last + 1));
        }
        pieces += runs.len();
        if pieces > MAX_PIECES {
            return Vec::new();
        }
        // Strokes not continued on this row end here.
        let mut next: Vec<Stroke> = Vec::with_capacity(runs.len());
        for (a, b) in runs {
            match open.iter().position(|s| a < s.x1 && b > s.x0) {
                Some(i) => {
                    let mut s = open.swap_remove(i);
                    s.x0 = s.x0.min(a);
                    s.x1 = s.x1.max(b);
                    s.y1 = y + 1;
                    s.weight += (b - a) as u64;
                    s.sum_y += y as u64 * (b - a) as u64;
                    next.push(s);
                }
                None => next.push(Stroke {
                    x0: a,
                    x1: b,
                    y0: y,
                    y1: y + 1,
                    weight: (b - a) as u64,
                    sum_y: y as u64 * (b - a) as u64,
                }),
            }
        }
        for s in open.drain(..) {
            s.close(max_thick, &mut out);
        }
        open = next;
    }
    for s in open {
        s.close(max_thick, &mut out);
    }
    for (x, c) in col_start.iter().enumerate() {
        if *c != u32::MAX && col_last[x] + 1 - c >= min_len {
            vertical_runs.push((x as u32, *c, col_last[x] + 1));
        }
    }
    if vertical_runs.len() > MAX_PIECES {
        return out;
    }
    // Vertical runs of neighbouring columns that overlap are one stroke.
    vertical_runs.sort_by_key(|&(x, y0, _)| (x, y0));
    let (mut active, mut done): (Vec<VStroke>, Vec<VStroke>) = (Vec::new(), Vec::new());
    for (x, y0, y1) in vertical_runs {
        let mut i = 0;
        while i < active.len() {
            if active[i].x1 + 1 < x {
                done.push(active.swap_remove(i));
            } else {
                i += 1;
            }
        }
        let len = (y1 - y0) as u64;
        match active.iter_mut().find(|s| y0 < s.y1 && y1 > s.y0) {
            Some(s) => {
                s.x1 = x;
                s.y0 = s.y0.min(y0);
                s.y1 = s.y1.max(y1);
                s.weight += len;
                s.sum_x += x as u64 * len;
            }
            None => active.push(VStroke {
                x0: x,
                x1: x,
                y0,
                y1,
                weight: len,
                sum_x: x as u64 * len,
            }),
        }
    }
    for s in done.into_iter().chain(active) {
        if s.x1 + 1 - s.x0 <= max_thick {
            out.push(Rule::vertical(
                s.sum_x as f32 / s.weight as f32 + 0.5,
                s.y0 as f32,
                s.y1 as f32,
            ));
        }
    }
    out
}

/// A vertical stroke being followed across the columns.
struct VStroke {
    x0: u32,
    x1: u32,
    y0: u32,
    y1: u32,
    weight: u64,
    sum_x: u64,
}

/// A horizontal stroke being followed down the rows.
struct Stroke {
    x0: u32,
    x1: u32,
    y0: u32,
    y1: u32,
    weight: u64,
    sum_y: u64,
}

impl Stroke {
    fn close(self, max_thick: u32, out: &mut Vec<Rule>) {
        if self.y1 - self.y0 <= max_thick {
            out.push(Rule::horizontal(
                self.sum_y as f32 / self.weight as f32 + 0.5,
                self.x0 as f32,
                self.x1 as f32,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> GrayImage {
        GrayImage::from_pixel(900, 600, image::Luma([235]))
    }

    fn fill(img: &mut GrayImage, x0: u32, y0: u32, x1: u32, y1: u32, v: u8) {
        for y in y0..y1 {
            for x in x0..x1 {
                img.put_pixel(x, y, image::Luma([v]));
            }
        }
    }

    #[test]
    fn rules_are_found_and_text_is_not() {
        let mut img = page();
        // A table's box: two horizontal rules 3 px thick, two vertical ones.
        fill(&mut img, 100, 100, 800, 103, 20);
        fill(&mut img, 100, 400, 800, 403, 20);
        fill(&mut img, 100, 100, 102, 403, 20);
        fill(&mut img, 798, 100, 800, 403, 20);
        // Glyph-like blobs: short strokes, and a filled picture too thick to be a rule.
        for i in 0..20 {
            fill(&mut img, 150 + i * 25, 200, 165 + i * 25, 230, 30);
        }
        fill(&mut img, 300, 450, 700, 550, 40);
        let rules = find(&img, Some(300));
        let h: Vec<&Rule> = rules.iter().filter(|r| r.horizontal).collect();
        let v: Vec<&Rule> = rules.iter().filter(|r| !r.horizontal).collect();
        assert_eq!(h.len(), 2, "{rules:?}");
        assert_eq!(v.len(), 2, "{rules:?}");
        assert!((h[0].at - 102.0).abs() < 1.0 && h[0].from <= 101.0 && h[0].to >= 799.0);
        assert!((v[0].at - 101.0).abs() < 1.0 && v[0].to - v[0].from >= 300.0);
    }

    #[test]
    fn a_faint_broken_rule_is_one_rule() {
        let mut img = page();
        for x in (100..800).step_by(5) {
            // Dashes of 4 px with 1 px breaks, grey rather than black.
            fill(&mut img, x, 300, x + 4, 302, 120);
        }
        let rules = find(&img, Some(300));
        assert_eq!(rules.len(), 1, "{rules:?}");
        assert!(rules[0].horizontal && rules[0].len() > 650.0);
    }
}
