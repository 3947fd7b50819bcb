//! Skew of a page's text lines, measured from the words themselves, and the shear that levels
//! them. A scan turned by a degree puts the end of a wide line a row lower than its start: the
//! layout step compares heights (rows, bands, table cells), so it works on levelled boxes and
//! hands back the boxes as they are on the image.

use super::geometry::{median, word_rect};
use super::table::Rule;
use crate::output::result::{BBox, Word};

/// A line says something about skew when it has this many words ...
const MIN_WORDS: usize = 3;
/// ... spread over at least this many text heights.
const MIN_SPAN: f32 = 10.0;
/// Fewer such lines and the page is taken as level.
const MIN_LINES: usize = 3;
/// Skew (as a slope) below this is not corrected: about 0.1 degree.
const MIN_SLOPE: f32 = 0.0017;

/// The page's text slope (dy/dx, y downwards): the median least-squares slope of its long lines.
pub fn slope(lines: &[Vec<Word>], unit: f32) -> f32 {
    let slopes: Vec<f32> = lines
        .iter()
        .filter(|l| l.len() >= MIN_WORDS)
        .filter_map(|l| {
            let pts: Vec<(f32, f32)> = l
                .iter()
                .map(|w| {
                    let r = word_rect(w);
                    ((r.l + r.r) / 2.0, (r.t + r.b) / 2.0)
                })
                .collect();
            let n = pts.len() as f32;
            let (mx, my) = (
                pts.iter().map(|p| p.0).sum::<f32>() / n,
                pts.iter().map(|p| p.1).sum::<f32>() / n,
            );
            let sxx: f32 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
            let sxy: f32 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
            let span = pts.iter().map(|p| p.0).fold(f32::MIN, f32::max)
                - pts.iter().map(|p| p.0).fold(f32::MAX, f32::min);
            (span >= MIN_SPAN * unit && sxx > 0.0).then(|| sxy / sxx)
        })
        .collect();
    if slopes.len() < MIN_LINES {
        return 0.0;
    }
    median(slopes)
        .filter(|s| s.abs() >= MIN_SLOPE)
        .unwrap_or(0.0)
}

/// Moves a word's box up or down by the slope at its centre: `sign` -1 levels, +1 restores.
pub fn shear(w: &mut Word, slope: f32, sign: f32) {
    let b = w.bbox;
    let cx = b.left as f32 + b.width as f32 / 2.0;
    let top = (b.top as f32 + sign * slope * cx).round().max(0.0) as u32;
    w.bbox = BBox { top, ..b };
}

/// A box moved as [`shear`] moves a word's.
pub fn shear_box(b: BBox, slope: f32, sign: f32) -> BBox {
    if slope == 0.0 {
        return b;
    }
    let cx = b.left as f32 + b.width as f32 / 2.0;
    let top = (b.top as f32 + sign * slope * cx).round().max(0.0) as u32;
    BBox { top, ..b }
}

/// A ruling line levelled with the words (`slope` as measured on them).
pub fn shear_rule(r: Rule, slope: f32) -> Rule {
    if slope == 0.0 {
        return r;
    }
    if r.horizontal {
        Rule {
            at: r.at - slope * (r.from + r.to) / 2.0,
            ..r
        }
    } else {
        Rule {
            from: r.from - slope * r.at,
            to: r.to - slope * r.at,
            ..r
        }
    }
}

/// The slope as an angle in degrees (positive: lines fall to the right).
pub fn degrees(slope: f32) -> f32 {
    (slope.atan().to_degrees() * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::tests::column;

    #[test]
    fn the_slope_of_turned_lines_is_measured_and_levelled() {
        let mut lines = column("a", 6, 50, 100, 650, 30);
        // Turn by 1 degree: each word moves down in proportion to its x.
        let slope = 1f32.to_radians().tan();
        for w in lines.iter_mut().flatten() {
            shear(w, slope, 1.0);
        }
        let measured = slope_of(&lines);
        assert!(
            (degrees(measured) - 1.0).abs() < 0.1,
            "{}",
            degrees(measured)
        );
        for w in lines.iter_mut().flatten() {
            shear(w, measured, -1.0);
        }
        assert!(slope_of(&lines).abs() < 0.0017);
        assert_eq!(slope_of(&column("b", 6, 50, 100, 650, 30)), 0.0);
    }

    fn slope_of(lines: &[Vec<Word>]) -> f32 {
        slope(lines, 10.0)
    }
}
