//! Ruling lines in a page image (a scan, a photo of a form): long runs of dark pixels along a row
//! or down a column, small breaks bridged (a faint or broken rule), runs of neighbouring rows or
//! columns taken together as one stroke. One pass over the pixels, row by row: this is the
//! horizontal and vertical line extraction of a morphological opening with a long line element,
//! without building the opened image.

use crate::layout::Rule;
use image::GrayImage;

/// A pixel is ink at or under a level between these (see `ink_level`).
const INK_MIN: u8 = 100;
const INK_MAX: u8 = 170;
/// Runs of ink shorter than this (inch) are no piece of a rule (a letter's serif or bar).
const MIN_PIECE_INCH: f32 = 0.1;
/// A rule stands free: at most this share of its length has ink just beside it (a line of text's
/// serifs or baseline run has its letters standing on it).
const MAX_CROWDED: f32 = 0.35;
/// A rule is at least this long: a fifth of an inch (about two lines of body text high).
const MIN_LENGTH_INCH: f32 = 0.2;
/// A break in a rule this short (inch) is bridged: a pixel at 300 DPI (wider breaks are the gaps
/// between letters, whose strokes in a line of capitals would otherwise join into a "rule").
const MAX_BREAK_INCH: f32 = 0.004;
/// A rule is at most this thick (inch): thicker is a filled area or a picture.
const MAX_THICKNESS_INCH: f32 = 0.05;
/// A page with more pieces than this is a picture (hatching, a photo), not a ruled page.
const MAX_PIECES: usize = 200_000;

/// A rule found in the image: the line it draws, and the pixels it covers.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub rule: Rule,
    /// The runs of ink it is made of: (row, first column, end column) for a horizontal rule,
    /// (column, first row, end row) for a vertical one.
    pub runs: Vec<(u32, u32, u32)>,
}

/// The rules as lines.
pub fn rules(found: &[Found]) -> Vec<Rule> {
    found.iter().map(|f| f.rule).collect()
}

/// Paints the rules' runs of ink white (with a pixel of margin across them for their
/// anti-aliased edges), so that OCR does not read a cell's border as a letter ("|", "_") or glue
/// it to the text beside it. Only the rule's own pixels go: a letter touching it keeps its shape.
pub fn erase(image: &mut GrayImage, found: &[Found]) {
    let (w, h) = image.dimensions();
    for f in found {
        for &(at, a, b) in &f.runs {
            for across in at.saturating_sub(1)..=at + 1 {
                for along in a..b {
                    let (x, y) = if f.rule.horizontal {
                        (along, across)
                    } else {
                        (across, along)
                    };
                    if x < w && y < h {
                        image.put_pixel(x, y, image::Luma([255]));
                    }
                }
            }
        }
    }
}

/// The page's horizontal and vertical rules, in its pixels. `dpi` is the image's resolution
/// (300 when unknown).
pub fn find(image: &GrayImage, dpi: Option<u32>) -> Vec<Found> {
    let dpi = dpi.unwrap_or(300).clamp(50, 1200) as f32;
    let min_len = (MIN_LENGTH_INCH * dpi).round().max(8.0) as u32;
    let min_piece = (MIN_PIECE_INCH * dpi).round().max(4.0) as u32;
    let max_break = (MAX_BREAK_INCH * dpi).round() as u32;
    let max_thick = (MAX_THICKNESS_INCH * dpi).max(2.0);
    let ink = ink_level(image);
    let (w, h) = image.dimensions();
    let raw = image.as_raw();
    let mut out = Vec::new();
    // Horizontal: runs along each row; a run continues the stroke above it when they overlap or
    // touch (a rule a little off level steps from one row to the next).
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
            if p > ink {
                continue;
            }
            let x = x as u32;
            if start == u32::MAX {
                start = x;
            } else if x - last > max_break + 1 {
                if last + 1 - start >= min_piece {
                    runs.push((start, last + 1));
                }
                start = x;
            }
            last = x;
            let c = x as usize;
            if col_start[c] == u32::MAX {
                col_start[c] = y;
            } else if y - col_last[c] > max_break + 1 {
                if col_last[c] + 1 - col_start[c] >= min_piece {
                    vertical_runs.push((x, col_start[c], col_last[c] + 1));
                }
                col_start[c] = y;
            }
            col_last[c] = y;
        }
        if start != u32::MAX && last + 1 - start >= min_piece {
            runs.push((start, last + 1));
        }
        pieces += runs.len();
        if pieces > MAX_PIECES {
            return Vec::new();
        }
        // Strokes not continued on this row end here.
        let mut next: Vec<Stroke> = Vec::with_capacity(runs.len());
        for (a, b) in runs {
            let reach = max_break + 1;
            match open
                .iter()
                .position(|s| a <= s.x1 + reach && b + reach >= s.x0)
            {
                Some(i) => {
                    let mut s = open.swap_remove(i);
                    s.add(y, a, b);
                    next.push(s);
                }
                None => {
                    let mut s = Stroke {
                        x0: a,
                        ..Default::default()
                    };
                    s.add(y, a, b);
                    next.push(s);
                }
            }
        }
        for s in open.drain(..) {
            s.close(min_len, max_thick, &mut out);
        }
        open = next;
    }
    for s in open {
        s.close(min_len, max_thick, &mut out);
    }
    out.retain(|f| !crowded(image, f, ink));
    for (x, c) in col_start.iter().enumerate() {
        if *c != u32::MAX && col_last[x] + 1 - c >= min_piece {
            vertical_runs.push((x as u32, *c, col_last[x] + 1));
        }
    }
    if vertical_runs.len() > MAX_PIECES {
        return out;
    }
    // Vertical runs of neighbouring columns that overlap or touch are one stroke.
    vertical_runs.sort_by_key(|&(x, y0, _)| (x, y0));
    let (mut active, mut done): (Vec<VStroke>, Vec<VStroke>) = (Vec::new(), Vec::new());
    let reach = max_break + 1;
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
        match active
            .iter_mut()
            .find(|s| y0 <= s.y1 + reach && y1 + reach >= s.y0)
        {
            Some(s) => {
                s.x1 = x;
                s.y0 = s.y0.min(y0);
                s.y1 = s.y1.max(y1);
                s.weight += len;
                s.sum_x += x as u64 * len;
                s.runs.push((x, y0, y1));
            }
            None => active.push(VStroke {
                x1: x,
                y0,
                y1,
                weight: len,
                sum_x: x as u64 * len,
                runs: vec![(x, y0, y1)],
            }),
        }
    }
    for s in done.into_iter().chain(active) {
        let length = s.y1 - s.y0;
        if length >= min_len && (s.weight as f32 / length as f32) <= max_thick {
            let found = Found {
                rule: Rule::vertical(
                    s.sum_x as f32 / s.weight as f32 + 0.5,
                    s.y0 as f32,
                    s.y1 as f32,
                ),
                runs: s.runs,
            };
            if !crowded(image, &found, ink) {
                out.push(found);
            }
        }
    }
    out
}

/// Whether ink stands just beside a rule along much of its length, on either side: the runs of a
/// line of text (its serifs, the feet of its letters), not a rule with white around it.
fn crowded(image: &GrayImage, f: &Found, ink: u8) -> bool {
    let (w, h) = image.dimensions();
    let dark = |x: u32, y: u32| x < w && y < h && image.get_pixel(x, y).0[0] <= ink;
    // Each run's side, two pixels off the rule's edge at that run.
    let (mut near, mut all) = (0u32, 0u32);
    let (lo, hi) = f
        .runs
        .iter()
        .fold((u32::MAX, 0), |(lo, hi), r| (lo.min(r.0), hi.max(r.0)));
    for &(at, a, b) in &f.runs {
        // Only the rule's outermost runs have a side: inner ones are covered by the others.
        let (before, after) = (at == lo, at == hi);
        for along in (a..b).step_by(2) {
            all += 1;
            let side = |across: u32| {
                if f.rule.horizontal {
                    dark(along, across)
                } else {
                    dark(across, along)
                }
            };
            let ink_before = before && at >= 2 && side(at - 2);
            let ink_after = after && side(at + 2);
            if ink_before || ink_after {
                near += 1;
            }
        }
    }
    all > 0 && near as f32 > MAX_CROWDED * all as f32
}

/// The grey level at or under which a pixel is ink: between Otsu's split of the page's histogram
/// and the paper, so that a faint or thin rule (grey once scanned) counts, and shading does not.
fn ink_level(image: &GrayImage) -> u8 {
    let mut hist = [0u64; 256];
    for &p in image.as_raw() {
        hist[p as usize] += 1;
    }
    let total: u64 = hist.iter().sum();
    let sum: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &n)| i as f64 * n as f64)
        .sum();
    let (mut best, mut split) = (0f64, 128usize);
    let (mut w0, mut sum0) = (0u64, 0f64);
    for (t, &n) in hist.iter().enumerate() {
        w0 += n;
        sum0 += t as f64 * n as f64;
        let w1 = total - w0;
        if w0 == 0 || w1 == 0 {
            continue;
        }
        let (m0, m1) = (sum0 / w0 as f64, (sum - sum0) / w1 as f64);
        let between = w0 as f64 * w1 as f64 * (m0 - m1).powi(2);
        if between > best {
            best = between;
            split = t;
        }
    }
    // The paper: the commonest level above the split.
    let paper = (split..256).max_by_key(|&i| hist[i]).unwrap_or(255);
    ((split + paper) / 2).clamp(INK_MIN as usize, INK_MAX as usize) as u8
}

/// A vertical stroke being followed across the columns.
struct VStroke {
    x1: u32,
    y0: u32,
    y1: u32,
    weight: u64,
    sum_x: u64,
    runs: Vec<(u32, u32, u32)>,
}

/// A horizontal stroke being followed down the rows.
#[derive(Default)]
struct Stroke {
    x0: u32,
    x1: u32,
    /// The row after its last.
    y1: u32,
    weight: u64,
    sum_y: u64,
    runs: Vec<(u32, u32, u32)>,
}

impl Stroke {
    fn add(&mut self, y: u32, a: u32, b: u32) {
        self.x0 = self.x0.min(a);
        self.x1 = self.x1.max(b);
        self.y1 = y + 1;
        self.weight += (b - a) as u64;
        self.sum_y += y as u64 * (b - a) as u64;
        self.runs.push((y, a, b));
    }

    /// A rule when long enough and thin: its ink, spread along its length, no thicker than
    /// `max_thick` (a rule a little off level spans a few rows; a filled area many).
    fn close(self, min_len: u32, max_thick: f32, out: &mut Vec<Found>) {
        let length = self.x1 - self.x0;
        if length >= min_len && (self.weight as f32 / length as f32) <= max_thick {
            out.push(Found {
                rule: Rule::horizontal(
                    self.sum_y as f32 / self.weight as f32 + 0.5,
                    self.x0 as f32,
                    self.x1 as f32,
                ),
                runs: self.runs,
            });
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
        let found = find(&img, Some(300));
        let rules = super::rules(&found);
        let h: Vec<&Rule> = rules.iter().filter(|r| r.horizontal).collect();
        let v: Vec<&Rule> = rules.iter().filter(|r| !r.horizontal).collect();
        assert_eq!(h.len(), 2, "{rules:?}");
        assert_eq!(v.len(), 2, "{rules:?}");
        assert!((h[0].at - 102.0).abs() < 1.0 && h[0].from <= 101.0 && h[0].to >= 799.0);
        assert!((v[0].at - 101.0).abs() < 1.0 && v[0].to - v[0].from >= 300.0);
        // Erased, the rules are gone and the glyph-like blobs stay.
        erase(&mut img, &found);
        assert!(find(&img, Some(300)).is_empty());
        assert_eq!(img.get_pixel(101, 250).0[0], 255);
        assert_eq!(img.get_pixel(155, 215).0[0], 30);
    }

    #[test]
    fn a_faint_broken_rule_is_one_rule() {
        let mut img = page();
        for x in (100..800).step_by(5) {
            // Dashes of 4 px with 1 px breaks, grey rather than black.
            fill(&mut img, x, 300, x + 4, 302, 120);
        }
        let rules = rules(&find(&img, Some(300)));
        assert_eq!(rules.len(), 1, "{rules:?}");
        assert!(rules[0].horizontal && rules[0].len() > 650.0);
    }
}
