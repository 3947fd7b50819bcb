//! Boxes as float rectangles, and the projections the layout step cuts along.

use crate::output::result::{BBox, Word};

/// A box in page pixels: left, top, right, bottom (y grows downwards).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub l: f32,
    pub t: f32,
    pub r: f32,
    pub b: f32,
}

impl Rect {
    pub fn of(b: BBox) -> Rect {
        Rect {
            l: b.left as f32,
            t: b.top as f32,
            r: (b.left + b.width) as f32,
            b: (b.top + b.height) as f32,
        }
    }

    pub fn h(&self) -> f32 {
        self.b - self.t
    }

    pub fn union(self, o: Rect) -> Rect {
        Rect {
            l: self.l.min(o.l),
            t: self.t.min(o.t),
            r: self.r.max(o.r),
            b: self.b.max(o.b),
        }
    }

    /// Vertical overlap as a share of the smaller height (0 when apart).
    pub fn v_overlap(&self, o: &Rect) -> f32 {
        let overlap = (self.b.min(o.b) - self.t.max(o.t)).max(0.0);
        overlap / self.h().min(o.h()).max(1.0)
    }

    /// Horizontal overlap in pixels (0 when apart).
    pub fn h_overlap(&self, o: &Rect) -> f32 {
        (self.r.min(o.r) - self.l.max(o.l)).max(0.0)
    }

    pub fn to_bbox(self) -> BBox {
        let px = |v: f32| v.round().max(0.0) as u32;
        BBox {
            left: px(self.l),
            top: px(self.t),
            width: px(self.r) - px(self.l).min(px(self.r)),
            height: px(self.b) - px(self.t).min(px(self.b)),
        }
    }
}

/// The smallest rectangle around the given ones (None for none).
pub fn bounds(rects: impl IntoIterator<Item = Rect>) -> Option<Rect> {
    rects.into_iter().reduce(Rect::union)
}

pub fn word_rect(w: &Word) -> Rect {
    Rect::of(w.bbox)
}

/// Interior gaps of at least `min` (> 0) in the union of the intervals (start, end), left to right.
pub fn gaps(intervals: impl IntoIterator<Item = (f32, f32)>, min: f32) -> Vec<(f32, f32)> {
    cover(intervals)
        .windows(2)
        .map(|w| (w[0].1, w[1].0))
        .filter(|(end, start)| start - end >= min)
        .collect()
}

/// The union of intervals as disjoint intervals, in order.
pub fn cover(intervals: impl IntoIterator<Item = (f32, f32)>) -> Vec<(f32, f32)> {
    let mut iv: Vec<(f32, f32)> = intervals.into_iter().collect();
    iv.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(f32, f32)> = Vec::new();
    for (start, end) in iv {
        match out.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    out
}

/// How much two covers (see [`cover`]) overlap: the length of their intersection.
pub fn shared(a: &[(f32, f32)], b: &[(f32, f32)]) -> f32 {
    let (mut i, mut j, mut total) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        total += (a[i].1.min(b[j].1) - a[i].0.max(b[j].0)).max(0.0);
        if a[i].1 < b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    total
}

pub fn median(mut v: Vec<f32>) -> Option<f32> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f32::total_cmp);
    Some(v[v.len() / 2])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_and_what_they_share() {
        let a = cover([(0.0, 10.0), (5.0, 20.0), (30.0, 40.0)]);
        assert_eq!(a, vec![(0.0, 20.0), (30.0, 40.0)]);
        let b = cover([(18.0, 32.0), (50.0, 60.0)]);
        assert_eq!(shared(&a, &b), 4.0);
        // Side by side only through their bounding boxes: nothing shared.
        assert_eq!(
            shared(&cover([(0.0, 5.0), (20.0, 25.0)]), &cover([(8.0, 15.0)])),
            0.0
        );
    }

    #[test]
    fn gaps_are_the_holes_of_the_union() {
        let g = gaps([(0.0, 10.0), (5.0, 20.0), (30.0, 40.0), (41.0, 50.0)], 5.0);
        assert_eq!(g, vec![(20.0, 30.0)]);
        assert!(gaps([(0.0, 10.0)], 1.0).is_empty());
    }

    #[test]
    fn overlaps() {
        let a = Rect {
            l: 0.0,
            t: 0.0,
            r: 10.0,
            b: 10.0,
        };
        let b = Rect {
            l: 5.0,
            t: 5.0,
            r: 20.0,
            b: 30.0,
        };
        assert_eq!(a.v_overlap(&b), 0.5);
        assert_eq!(a.h_overlap(&b), 5.0);
        assert_eq!(a.union(b).to_bbox().height, 30);
    }
}
