//! From a table's axes to its cells: each row's phrases column by column, joined where a phrase
//! or a missing rule spans several slots of the grid, the header stacked column by column.

use super::axes::{column_of, find, line_rect, phrases, union, Rows, Sep};
use super::{bbox_of, Grid};
use crate::layout::geometry::{bounds, Rect};
use crate::output::result::{Line, TableCell, Word};

/// Rows and columns a cell covers: first row, last row, first column, last column.
type Hull = (usize, usize, usize, usize);

/// A phrase reaching this far (text heights) over a column's text spans it.
const SPAN_REACH: f32 = 0.3;
/// A drawn rule covering less than this share of a slot's side is missing there.
const DRAWN: f32 = 0.5;

pub fn grid(
    words: &[Word],
    rects: &[Rect],
    lines: &[Vec<usize>],
    cols: &[Sep],
    rows: &Rows,
    region: Rect,
    unit: f32,
) -> Option<Grid> {
    let ncols = cols.len() + 1;
    let nrows = rows.bands.len();
    let slot = |r: usize, c: usize| r * ncols + c;
    let mut parent: Vec<usize> = (0..nrows * ncols).collect();
    // Which slot each word is in, and each phrase's column range.
    let mut word_slot: Vec<Option<usize>> = vec![None; words.len()];
    let mut line_order: Vec<usize> = vec![0; words.len()];
    let mut spanning: Vec<bool> = vec![false; nrows * ncols];
    let band_rects: Vec<Rect> = rows
        .bands
        .iter()
        .map(|b| bounds(b.iter().map(|&l| line_rect(rects, &lines[l]))).expect("bands have lines"))
        .collect();
    let edge = (0.25 * unit).max(1.0);
    // Each phrase with the columns its box reaches into.
    let reach = |b: &Rect| {
        let e = edge.min((b.r - b.l) / 2.0);
        let (c0, c1) = (column_of(cols, b.l + e), column_of(cols, b.r - e));
        (c0, c1.max(c0))
    };
    let mut placed: Vec<(usize, usize, Vec<usize>, Rect)> = Vec::new();
    // Where each column's text stands (its phrases within one column).
    let mut content: Vec<Option<(f32, f32)>> = vec![None; ncols];
    for (r, band) in rows.bands.iter().enumerate() {
        for &l in band {
            for p in phrases(rects, &lines[l], cols, unit) {
                let b = bounds(p.iter().map(|&i| rects[i])).expect("phrases have words");
                let (c0, c1) = reach(&b);
                if c0 == c1 {
                    let c = &mut content[c0];
                    *c = Some(c.map_or((b.l, b.r), |(a, z)| (a.min(b.l), z.max(b.r))));
                }
                for &i in &p {
                    line_order[i] = l;
                }
                placed.push((r, l, p, b));
            }
        }
    }
    // A phrase spans a column only if it reaches over that column's text, not just into the
    // white beside it (a header word a little wider than the numbers under it).
    let over = |c: usize, b: &Rect| match content[c] {
        Some((a, z)) => (b.r.min(z) - b.l.max(a)) >= SPAN_REACH * unit,
        None => true,
    };
    for (r, _, p, b) in &placed {
        let (mut c0, mut c1) = reach(b);
        while c1 > c0 && !over(c1, b) {
            c1 -= 1;
        }
        while c0 < c1 && !over(c0, b) {
            c0 += 1;
        }
        for c in c0..=c1 {
            union(&mut parent, slot(*r, c0), slot(*r, c));
            spanning[slot(*r, c)] |= c1 > c0;
        }
        for &i in p {
            let c = column_of(cols, (rects[i].l + rects[i].r) / 2.0).clamp(c0, c1);
            word_slot[i] = Some(slot(*r, c));
        }
    }
    // A ruled cell whose inner rule is missing spans both sides of it (a header centred over
    // two columns has words on both sides); for rows, only when one side is empty (labels one
    // above the other in a column the table did not rule are two rows).
    let filled: std::collections::HashSet<usize> = word_slot.iter().flatten().copied().collect();
    let one_empty = |a: usize, b: usize| !(filled.contains(&a) && filled.contains(&b));
    for (j, sep) in cols.iter().enumerate() {
        if sep.segments.is_empty() || sep.channel {
            continue;
        }
        for (r, b) in band_rects.iter().enumerate() {
            if sep.coverage(b.t, b.b) < DRAWN {
                union(&mut parent, slot(r, j), slot(r, j + 1));
                if filled.contains(&slot(r, j)) || filled.contains(&slot(r, j + 1)) {
                    spanning[slot(r, j)] = true;
                    spanning[slot(r, j + 1)] = true;
                }
            }
        }
    }
    let col_range = |c: usize| -> (f32, f32) {
        let l = if c == 0 { region.l } else { cols[c - 1].at };
        let r = if c + 1 == ncols { region.r } else { cols[c].at };
        (l, r)
    };
    if rows.ruled {
        for (r, rule) in rows.rules.iter().enumerate() {
            let Some(rule) = rule else { continue };
            for c in 0..ncols {
                let (l, rr) = col_range(c);
                if rule.coverage(l.max(region.l), rr.min(region.r)) < DRAWN
                    && one_empty(slot(r, c), slot(r + 1, c))
                {
                    union(&mut parent, slot(r, c), slot(r + 1, c));
                }
            }
        }
    } else if rows.header >= 2 {
        stack_header(
            rows,
            &mut parent,
            &word_slot,
            &spanning,
            ncols,
            &col_range,
            region,
        );
    }
    // Groups of slots, each grown to the rectangle it covers; overlapping rectangles are one cell.
    let mut hulls: Vec<Hull> = Vec::new();
    let mut hull_of = vec![usize::MAX; nrows * ncols];
    let mut root_hull: std::collections::HashMap<usize, usize> = Default::default();
    for r in 0..nrows {
        for c in 0..ncols {
            let root = find(&mut parent, slot(r, c));
            let h = *root_hull.entry(root).or_insert_with(|| {
                hulls.push((r, r, c, c));
                hulls.len() - 1
            });
            let hull = &mut hulls[h];
            hull.0 = hull.0.min(r);
            hull.1 = hull.1.max(r);
            hull.2 = hull.2.min(c);
            hull.3 = hull.3.max(c);
            hull_of[slot(r, c)] = h;
        }
    }
    let hulls = settle(hulls, &mut hull_of, nrows, ncols);
    // Cells: the hulls holding words.
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); hulls.len()];
    for (i, s) in word_slot.iter().enumerate() {
        if let Some(s) = s {
            members[hull_of[*s]].push(i);
        }
    }
    let band_edges = edges(&band_rects, rows, region);
    let mut raw: Vec<(Hull, Vec<usize>)> = hulls
        .into_iter()
        .zip(members)
        .filter(|(_, m)| !m.is_empty())
        .collect();
    raw.sort_by_key(|((r0, _, c0, _), _)| (*r0, *c0));
    // Rows and columns where a cell starts, renumbered without the empty ones.
    let mut used_rows: Vec<usize> = raw.iter().map(|(h, _)| h.0).collect();
    used_rows.sort_unstable();
    used_rows.dedup();
    let mut used_cols: Vec<usize> = raw.iter().map(|(h, _)| h.2).collect();
    used_cols.sort_unstable();
    used_cols.dedup();
    if used_rows.len() < 2 || used_cols.len() < 2 {
        return None;
    }
    let rank = |used: &[usize], v: usize| used.partition_point(|&u| u < v);
    let span =
        |used: &[usize], a: usize, b: usize| used.iter().filter(|&&u| u >= a && u <= b).count();
    let mut cells: Vec<TableCell> = Vec::with_capacity(raw.len());
    let mut cell_words: Vec<Vec<usize>> = Vec::with_capacity(raw.len());
    for ((r0, r1, c0, c1), mut m) in raw {
        m.sort_by(|&a, &b| {
            line_order[a]
                .cmp(&line_order[b])
                .then(rects[a].l.total_cmp(&rects[b].l))
        });
        let text = m
            .iter()
            .map(|&i| words[i].text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let area = Rect {
            l: col_range(c0).0.max(region.l),
            r: col_range(c1).1.min(region.r),
            t: band_edges[r0].0,
            b: band_edges[r1].1,
        };
        cells.push(TableCell {
            row: rank(&used_rows, r0) as u32,
            col: rank(&used_cols, c0) as u32,
            row_span: span(&used_rows, r0, r1).max(1) as u32,
            col_span: span(&used_cols, c0, c1).max(1) as u32,
            text,
            bbox: bbox_of(area),
        });
        cell_words.push(m);
    }
    let rows_n = used_rows.len() as u32;
    let full_rows = (0..rows_n)
        .filter(|&r| cells.iter().filter(|c| c.row == r).count() >= 2)
        .count();
    if full_rows < 2 {
        return None;
    }
    let header_rows = used_rows.iter().filter(|&&r| r < rows.header).count() as u32;
    let lines_out = (0..rows_n)
        .filter_map(|r| {
            let mut starting: Vec<usize> =
                (0..cells.len()).filter(|&k| cells[k].row == r).collect();
            starting.sort_by_key(|&k| cells[k].col);
            let rect = bounds(
                starting
                    .iter()
                    .flat_map(|&k| cell_words[k].iter().map(|&i| rects[i])),
            )?;
            Some(Line {
                text: starting
                    .iter()
                    .map(|&k| cells[k].text.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                bbox: bbox_of(rect),
            })
        })
        .collect();
    let col_edges = used_cols.iter().skip(1).map(|&c| cols[c - 1].at).collect();
    Some(Grid {
        rows: rows_n,
        cols: used_cols.len() as u32,
        header_rows: header_rows.min(rows_n - 1),
        cells,
        lines: lines_out,
        col_edges,
        area: region,
    })
}

/// Merges hulls that overlap until none does; `hull_of` follows.
fn settle(mut hulls: Vec<Hull>, hull_of: &mut [usize], nrows: usize, ncols: usize) -> Vec<Hull> {
    loop {
        let mut changed = false;
        for r in 0..nrows {
            for c in 0..ncols {
                // The hull covering this slot by its rectangle, if not the slot's own.
                let own = hull_of[r * ncols + c];
                if let Some(other) = (0..hulls.len()).find(|&h| {
                    h != own && {
                        let (r0, r1, c0, c1) = hulls[h];
                        r >= r0 && r <= r1 && c >= c0 && c <= c1
                    }
                }) {
                    let (a, b) = (own.min(other), own.max(other));
                    let hb = hulls[b];
                    let ha = &mut hulls[a];
                    *ha = (
                        ha.0.min(hb.0),
                        ha.1.max(hb.1),
                        ha.2.min(hb.2),
                        ha.3.max(hb.3),
                    );
                    // Empty the merged hull: it covers nothing any more.
                    hulls[b] = (usize::MAX, 0, usize::MAX, 0);
                    for h in hull_of.iter_mut() {
                        if *h == b {
                            *h = a;
                        }
                    }
                    changed = true;
                }
            }
        }
        if !changed {
            return hulls;
        }
    }
}

/// Top and bottom of each row's band: at the rule between two rows, else midway.
fn edges(band_rects: &[Rect], rows: &Rows, region: Rect) -> Vec<(f32, f32)> {
    let n = band_rects.len();
    let cut = |k: usize| -> f32 {
        match &rows.rules[k] {
            Some(rule) => rule.at,
            None => (band_rects[k].b + band_rects[k + 1].t) / 2.0,
        }
    };
    (0..n)
        .map(|k| {
            let top = if k == 0 { region.t } else { cut(k - 1) };
            let bottom = if k + 1 == n { region.b } else { cut(k) };
            (top, bottom.max(top))
        })
        .collect()
}

/// The header of an unruled table, stacked: a column's header words on consecutive lines are one
/// cell (a label wrapped over two lines), and a column with no header spanning over it holds one
/// cell from the header's top to its bottom.
fn stack_header(
    rows: &Rows,
    parent: &mut [usize],
    word_slot: &[Option<usize>],
    spanning: &[bool],
    ncols: usize,
    col_range: &dyn Fn(usize) -> (f32, f32),
    region: Rect,
) {
    let h = rows.header;
    let slot = |r: usize, c: usize| r * ncols + c;
    let filled: std::collections::HashSet<usize> = word_slot.iter().flatten().copied().collect();
    for c in 0..ncols {
        let (l, r) = col_range(c);
        let ruled_under = |row: usize| {
            rows.rules[row]
                .as_ref()
                .is_some_and(|rule| rule.coverage(l.max(region.l), r.min(region.r)) >= DRAWN)
        };
        let spanned = (0..h).any(|row| spanning[slot(row, c)]);
        let own: Vec<usize> = (0..h)
            .filter(|&row| filled.contains(&slot(row, c)) && !spanning[slot(row, c)])
            .collect();
        if own.is_empty() {
            continue;
        }
        if !spanned && !(0..h - 1).any(ruled_under) {
            // Nothing over it: one cell the header's height.
            for row in 0..h {
                union(parent, slot(own[0], c), slot(row, c));
            }
            continue;
        }
        for pair in own.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let apart = (a..b).any(|row| ruled_under(row) || spanning[slot(row, c)] && row != a);
            if b == a + 1 && !apart {
                union(parent, slot(a, c), slot(b, c));
            }
        }
        // Under the lowest header spanning it, a column's label fills the header's last level
        // (a one-line label beside a two-line one is one row of labels, not two).
        let lowest = (0..h).rev().find(|&row| spanning[slot(row, c)]);
        if let Some(s) = lowest {
            let leaf: Vec<usize> = own.iter().copied().filter(|&row| row > s).collect();
            if let Some(&first) = leaf.first() {
                // From just under the spanning header (the rows between are empty there).
                let clear = (s + 1..h - 1).all(|row| !ruled_under(row));
                if clear {
                    for row in s + 1..h {
                        union(parent, slot(first, c), slot(row, c));
                    }
                }
            }
        }
    }
}
