//! Ruling lines: the page's horizontal and vertical strokes (a PDF's paths, or lines found in a
//! scan), merged where they continue one another, and the ruled regions they enclose.

use crate::layout::geometry::Rect;

/// A horizontal or vertical stroke in page pixels (y grows downwards).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    pub horizontal: bool,
    /// y of a horizontal rule, x of a vertical one.
    pub at: f32,
    /// Where it starts and ends along its length (x for a horizontal rule, y for a vertical one).
    pub from: f32,
    pub to: f32,
}

impl Rule {
    pub fn horizontal(y: f32, x0: f32, x1: f32) -> Rule {
        Rule {
            horizontal: true,
            at: y,
            from: x0.min(x1),
            to: x0.max(x1),
        }
    }

    pub fn vertical(x: f32, y0: f32, y1: f32) -> Rule {
        Rule {
            horizontal: false,
            at: x,
            from: y0.min(y1),
            to: y0.max(y1),
        }
    }

    pub fn len(&self) -> f32 {
        self.to - self.from
    }

    /// The rule as a (thin) rectangle.
    pub fn rect(&self) -> Rect {
        if self.horizontal {
            Rect {
                l: self.from,
                t: self.at,
                r: self.to,
                b: self.at,
            }
        } else {
            Rect {
                l: self.at,
                t: self.from,
                r: self.at,
                b: self.to,
            }
        }
    }

    /// Whether a horizontal and a vertical rule cross or touch (within `tol`).
    fn meets(&self, o: &Rule, tol: f32) -> bool {
        if self.horizontal == o.horizontal {
            // Parallel: one continues the other.
            return (self.at - o.at).abs() <= tol
                && self.from <= o.to + tol
                && o.from <= self.to + tol;
        }
        let (h, v) = if self.horizontal {
            (self, o)
        } else {
            (o, self)
        };
        v.at >= h.from - tol && v.at <= h.to + tol && h.at >= v.from - tol && h.at <= v.to + tol
    }
}

/// Joins rules that lie on one line and overlap or touch (a rule drawn in pieces, a cell's
/// border shared by two cells drawn twice), and leaves out what is still shorter than `min_len`
/// then (the bars of a QR code drawn as paths, a dash).
pub fn merge_long(rules: Vec<Rule>, tol: f32, min_len: f32) -> Vec<Rule> {
    let mut rules = merge(rules, tol);
    rules.retain(|r| r.len() >= min_len);
    rules
}

/// Joins rules that lie on one line and overlap or touch (a rule drawn in pieces, a cell's
/// border shared by two cells drawn twice, the edges of shaded cells beside their borders).
pub fn merge(mut rules: Vec<Rule>, tol: f32) -> Vec<Rule> {
    rules.sort_by(|a, b| {
        (a.horizontal, a.at, a.from)
            .partial_cmp(&(b.horizontal, b.at, b.from))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut out: Vec<Rule> = Vec::new();
    for r in rules {
        // Rules on one line within `tol` of each other, overlapping along it: one rule.
        let home = out.iter_mut().rev().take(64).find(|o| {
            o.horizontal == r.horizontal
                && (o.at - r.at).abs() <= tol
                && r.from <= o.to + tol
                && o.from <= r.to + tol
        });
        match home {
            Some(o) => {
                let (la, lb) = (o.len(), r.len());
                o.at = (o.at * la + r.at * lb) / (la + lb).max(f32::EPSILON);
                o.from = o.from.min(r.from);
                o.to = o.to.max(r.to);
            }
            None => out.push(r),
        }
    }
    out
}

/// Regions enclosed by connected rules that could hold a grid: at least two horizontal and two
/// vertical rules meeting one another. Each region is the bounding box of its rules.
pub fn ruled_regions(rules: &[Rule], tol: f32) -> Vec<Rect> {
    let n = rules.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], i: usize) -> usize {
        let mut i = i;
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    for i in 0..n {
        for j in i + 1..n {
            if rules[i].meets(&rules[j], tol) {
                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                if a != b {
                    parent[a] = b;
                }
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<Rule>> = Default::default();
    for (i, r) in rules.iter().enumerate() {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(*r);
    }
    groups
        .into_values()
        .filter(|g| {
            g.iter().filter(|r| r.horizontal).count() >= 2
                && g.iter().filter(|r| !r.horizontal).count() >= 2
        })
        .filter_map(|g| crate::layout::geometry::bounds(g.iter().map(Rule::rect)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_of_one_rule_are_joined() {
        let rules = merge(
            vec![
                Rule::horizontal(100.0, 0.0, 50.0),
                Rule::horizontal(101.0, 49.0, 120.0),
                Rule::horizontal(140.0, 0.0, 120.0),
                Rule::vertical(10.0, 90.0, 150.0),
            ],
            2.0,
        );
        assert_eq!(rules.len(), 3);
        let first = rules.iter().find(|r| r.horizontal && r.at < 120.0).unwrap();
        assert_eq!((first.from, first.to), (0.0, 120.0));
    }

    #[test]
    fn a_box_of_rules_is_a_region_and_a_lone_underline_is_not() {
        let rules = vec![
            Rule::horizontal(100.0, 0.0, 200.0),
            Rule::horizontal(200.0, 0.0, 200.0),
            Rule::vertical(0.0, 100.0, 200.0),
            Rule::vertical(200.0, 100.0, 200.0),
            Rule::horizontal(400.0, 10.0, 90.0),
        ];
        let regions = ruled_regions(&rules, 2.0);
        assert_eq!(regions.len(), 1);
        assert_eq!(regions[0].t, 100.0);
        assert_eq!(regions[0].b, 200.0);
    }
}
