//! Reading order of line fragments: a recursive cut of the page along its white space.
//!
//! - A region with a vertical channel of white running through it (a gutter: no fragment crosses
//!   it, and text stands on both sides at the same height) is read part by part, left to right;
//!   side-by-side parts whose rows line up and hold short cells are a table, read row by row.
//! - A region without one is cut into horizontal bands (runs of fragments that overlap in
//!   height). Consecutive bands that share a gutter are put back together, so a two-column page
//!   whose lines sit on one grid is still read column by column; a band that crosses the gutters
//!   (a title, a full-width figure caption, a footer) ends that section.
//! - What cannot be cut further is read row by row.

use super::fragments::Frag;
use super::geometry::{bounds, cover, gaps, median, shared, Rect};

/// A gutter is at least this many text heights wide.
const MIN_GUTTER: f32 = 0.5;
/// Cells of a table hold at most this many words (median per fragment); text columns more.
const MAX_CELL_WORDS: f32 = 3.0;
/// Running text has at least this many words a line (median) ...
const MIN_TEXT_WORDS: f32 = 5.0;
/// ... on lines at least this many text heights long.
const MIN_TEXT_WIDTH: f32 = 15.0;
/// A fragment at most this share of a line's height, touching it, is a sub- or superscript of it.
pub(super) const SCRIPT_SIZE: f32 = 0.75;
/// A script is short: at most this many words ...
const SCRIPT_WORDS: usize = 2;
/// ... at most this many line heights wide (a short line beside a long one is not a script).
const SCRIPT_WIDTH: f32 = 4.0;
/// ... touching: overlapping its height by at least this share of the script's own.
pub(super) const SCRIPT_TOUCH: f32 = 0.2;
/// This many rows of one piece of text each, in a row, are a paragraph, not a table's rows.
const MIN_PARAGRAPH_ROWS: usize = 3;
/// A table has at least this many rows.
const MIN_TABLE_ROWS: usize = 2;
/// Share of the sparser part's fragments that must have a partner on the same row in a table.
const MIN_ROW_ALIGNMENT: f32 = 0.6;
/// Two fragments are on one row when they overlap by this share of the smaller height.
const SAME_ROW: f32 = 0.5;
/// White across a whole region taller than this many text heights separates sections: a title
/// above columns, a page number under them (not the middle column's last line).
const MAX_SECTION_GAP: f32 = 2.5;
/// Deeper than this, a region is read row by row (a safety net; real pages need a handful).
const MAX_DEPTH: usize = 200;

/// A piece of the page in reading order.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// One row of text: fragments left to right.
    Row(Vec<Frag>),
    /// A table: its rows top to bottom, each left to right.
    Table(Vec<Vec<Frag>>),
}

pub fn order(frags: Vec<Frag>, unit: f32) -> Vec<Item> {
    let mut out = Vec::new();
    order_into(frags, unit, 0, &mut out);
    out.into_iter().flat_map(split_at_paragraphs).collect()
}

/// A table is cut where a run of rows holds one piece of text each (an address under a
/// letterhead, a paragraph between two tables): those rows are text, and what is left on either
/// side is a table only if two of its rows still hold several cells.
fn split_at_paragraphs(item: Item) -> Vec<Item> {
    let Item::Table(rows) = item else {
        return vec![item];
    };
    let single = |r: &Vec<Frag>| r.len() == 1;
    let mut out = Vec::new();
    let mut part: Vec<Vec<Frag>> = Vec::new();
    let flush = |part: &mut Vec<Vec<Frag>>, out: &mut Vec<Item>| {
        let full = part.iter().filter(|r| r.len() >= 2).count();
        if full >= MIN_TABLE_ROWS {
            out.push(Item::Table(std::mem::take(part)));
        } else {
            out.extend(part.drain(..).map(Item::Row));
        }
    };
    let mut k = 0;
    while k < rows.len() {
        let run = rows[k..].iter().take_while(|r| single(r)).count();
        if run >= MIN_PARAGRAPH_ROWS {
            flush(&mut part, &mut out);
            out.extend(rows[k..k + run].iter().cloned().map(Item::Row));
            k += run;
        } else {
            part.push(rows[k].clone());
            k += 1;
        }
    }
    flush(&mut part, &mut out);
    out
}

fn order_into(frags: Vec<Frag>, unit: f32, depth: usize, out: &mut Vec<Item>) {
    if frags.len() <= 1 || depth > MAX_DEPTH {
        out.extend(rows(frags).into_iter().map(Item::Row));
        return;
    }
    // White across the whole region, taller than a paragraph break, separates it first (a title
    // above columns, a footer below them), whatever gutters the parts have.
    let wide = gaps(
        frags.iter().map(|f| (f.rect.t, f.rect.b)),
        MAX_SECTION_GAP * unit,
    );
    if !wide.is_empty() {
        let mut parts: Vec<Vec<Frag>> = vec![Vec::new(); wide.len() + 1];
        for f in frags {
            parts[wide.iter().filter(|(g0, _)| f.rect.t >= *g0).count()].push(f);
        }
        for part in parts.into_iter().filter(|p| !p.is_empty()) {
            order_into(part, unit, depth + 1, out);
        }
        return;
    }
    let frags = match vertical_parts(frags, unit) {
        Ok(parts) => {
            for run in table_runs(parts, unit) {
                if run.len() > 1 {
                    // A single row of cells is a line of text, not a table.
                    let rows = rows(run.concat());
                    if rows.len() >= MIN_TABLE_ROWS {
                        out.push(Item::Table(rows));
                    } else {
                        out.extend(rows.into_iter().map(Item::Row));
                    }
                } else {
                    let part = run.into_iter().next().expect("runs are never empty");
                    order_into(part, unit, depth + 1, out);
                }
            }
            return;
        }
        Err(frags) => frags,
    };
    let bands = bands(frags);
    if bands.len() == 1 {
        let band = bands.into_iter().next().expect("one band");
        out.extend(rows(band).into_iter().map(Item::Row));
        return;
    }
    for section in sections(bands, unit) {
        order_into(section, unit, depth + 1, out);
    }
}

/// The region's gutters: x-gaps no fragment crosses, with text on both sides at the same height
/// (a fragment on the left beside one on the right: a line under an equation set to the right is
/// not a column beside it, though their sides' boxes overlap).
fn gutters(frags: &[Frag], unit: f32) -> Vec<(f32, f32)> {
    gaps(
        frags.iter().map(|f| (f.rect.l, f.rect.r)),
        MIN_GUTTER * unit,
    )
    .into_iter()
    .filter(|&(gl, gr)| {
        let side = |keep: &dyn Fn(&Frag) -> bool| {
            cover(
                frags
                    .iter()
                    .filter(|f| keep(f))
                    .map(|f| (f.rect.t, f.rect.b)),
            )
        };
        let left = side(&|f| f.rect.r <= gl);
        let right = side(&|f| f.rect.l >= gr);
        shared(&left, &right) > 0.0
    })
    .collect()
}

/// Splits the region at its gutters, left to right; gives it back when it has none.
fn vertical_parts(frags: Vec<Frag>, unit: f32) -> Result<Vec<Vec<Frag>>, Vec<Frag>> {
    let cuts = gutters(&frags, unit);
    if cuts.is_empty() {
        return Err(frags);
    }
    let mut parts: Vec<Vec<Frag>> = vec![Vec::new(); cuts.len() + 1];
    for f in frags {
        let i = cuts.iter().filter(|(gl, _)| f.rect.r <= *gl).count();
        parts[cuts.len() - i].push(f);
    }
    Ok(parts.into_iter().filter(|p| !p.is_empty()).collect())
}

/// Groups neighbouring parts that together form a table.
fn table_runs(parts: Vec<Vec<Frag>>, unit: f32) -> Vec<Vec<Vec<Frag>>> {
    let mut runs: Vec<Vec<Vec<Frag>>> = Vec::new();
    for part in parts {
        match runs.last_mut() {
            Some(run) if is_table_pair(run.last().expect("runs are never empty"), &part, unit) => {
                run.push(part)
            }
            _ => runs.push(vec![part]),
        }
    }
    runs
}

/// Two side-by-side parts are columns of one table when the rows of the sparser one line up with
/// rows of the other and at least one of them holds short cells, not running text.
fn is_table_pair(a: &[Frag], b: &[Frag], unit: f32) -> bool {
    // Counted in rows, not fragments: a table's first column beside the rest of its columns
    // (merged into one part where the engine read a row of cells as one word run) has as many
    // rows as they have, and a quarter of their cells.
    let rows = |p: &[Frag]| cover(p.iter().map(|f| (f.rect.t, f.rect.b))).len();
    let (ra, rb) = (rows(a), rows(b));
    let (sparse, dense) = if ra <= rb { (a, b) } else { (b, a) };
    if ra.max(rb) > 3 * ra.min(rb) {
        return false;
    }
    let partnered = sparse
        .iter()
        .filter(|f| dense.iter().any(|g| f.rect.v_overlap(&g.rect) > SAME_ROW))
        .count();
    let aligned = partnered as f32 >= MIN_ROW_ALIGNMENT * sparse.len() as f32;
    aligned
        && (is_cells(a) || is_cells(b))
        && !is_running_text(a, unit)
        && !is_running_text(b, unit)
}

/// Running text: lines of many words across a wide column (a paragraph beside a list of short
/// items is not a column of their table).
fn is_running_text(part: &[Frag], unit: f32) -> bool {
    let words = median(part.iter().map(|f| f.words.len() as f32).collect()).unwrap_or(0.0);
    let width = median(part.iter().map(|f| f.rect.r - f.rect.l).collect()).unwrap_or(0.0);
    words >= MIN_TEXT_WORDS && width >= MIN_TEXT_WIDTH * unit
}

/// Short cells: few words a fragment.
fn is_cells(part: &[Frag]) -> bool {
    median(part.iter().map(|f| f.words.len() as f32).collect()).is_some_and(|m| m <= MAX_CELL_WORDS)
}

/// Horizontal bands: runs of fragments whose heights overlap, top to bottom.
fn bands(mut frags: Vec<Frag>) -> Vec<Vec<Frag>> {
    frags.sort_by(|a, b| a.rect.t.total_cmp(&b.rect.t));
    let mut out: Vec<Vec<Frag>> = Vec::new();
    let mut bottom = f32::NEG_INFINITY;
    for f in frags {
        if f.rect.t < bottom {
            bottom = bottom.max(f.rect.b);
            out.last_mut().expect("a band is open").push(f);
        } else {
            bottom = f.rect.b;
            out.push(vec![f]);
        }
    }
    out
}

/// Puts consecutive bands back together while they keep one set of columns: the lines of
/// side-by-side columns, however their baselines fall. A band without a gutter joins a section
/// only if it stands inside one of its columns (the last line of a left column, not a paragraph
/// above a table); a section of one column takes a band of several only if it stands inside one
/// of them (a right column that starts higher); two banded sections join while a gutter survives.
fn sections(bands: Vec<Vec<Frag>>, unit: f32) -> Vec<Vec<Frag>> {
    let mut out: Vec<(Vec<Frag>, usize)> = Vec::new();
    for band in bands {
        let own = gutters(&band, unit).len();
        if let Some((section, cuts)) = out.last_mut() {
            if *cuts > 0 || own > 0 {
                let mut merged = section.clone();
                merged.extend(band.iter().cloned());
                let together = gutters(&merged, unit).len();
                let joins = match (*cuts, own) {
                    (_, 0) => together == *cuts,
                    (0, _) => together == own,
                    _ => together > 0,
                };
                if joins {
                    *section = merged;
                    *cuts = together;
                    continue;
                }
            }
        }
        out.push((band, own));
    }
    out.into_iter().map(|(s, _)| s).collect()
}

/// Fragments grouped into rows (overlapping heights, side by side), top to bottom, each row left
/// to right.
pub fn rows(frags: Vec<Frag>) -> Vec<Vec<Frag>> {
    let mut frags = attach_scripts(frags);
    frags.sort_by(|a, b| a.rect.t.total_cmp(&b.rect.t));
    let mut rows: Vec<Vec<Frag>> = Vec::new();
    for f in frags {
        let home = rows.iter().rposition(|row| {
            row.iter().any(|g| g.rect.v_overlap(&f.rect) > SAME_ROW)
                && row.iter().all(|g| g.rect.h_overlap(&f.rect) <= 0.0)
        });
        match home {
            Some(i) => rows[i].push(f),
            None => rows.push(vec![f]),
        }
    }
    for row in &mut rows {
        row.sort_by(|a, b| a.rect.l.total_cmp(&b.rect.l));
    }
    rows.sort_by(|a, b| row_top(a).total_cmp(&row_top(b)));
    rows
}

/// Sub- and superscripts (and accents) set in a smaller size just off a line's baseline are
/// words of that line: a small fragment standing within a larger one's extent and touching its
/// height joins it, in left-to-right order.
fn attach_scripts(mut frags: Vec<Frag>) -> Vec<Frag> {
    // Smallest first: a script joins a line, never the other way round.
    frags.sort_by(|a, b| a.rect.h().total_cmp(&b.rect.h()));
    let mut out: Vec<Frag> = Vec::with_capacity(frags.len());
    while let Some(f) = frags.pop() {
        out.push(f);
    }
    // `out` is now largest first; fold each small fragment into the first larger one it touches.
    let mut i = out.len();
    while i > 0 {
        i -= 1;
        let f = &out[i];
        let short = f.words.len() <= SCRIPT_WORDS && f.table.is_none();
        let home = out[..i].iter().position(|g| {
            short
                && g.table.is_none()
                && f.rect.r - f.rect.l <= SCRIPT_WIDTH * g.rect.h()
                && f.rect.h() <= SCRIPT_SIZE * g.rect.h()
                && f.rect.l >= g.rect.l - g.rect.h()
                && f.rect.r <= g.rect.r + g.rect.h()
                && (f.rect.b.min(g.rect.b) - f.rect.t.max(g.rect.t)) > SCRIPT_TOUCH * f.rect.h()
        });
        if let Some(j) = home {
            let f = out.remove(i);
            let g = &mut out[j];
            g.rect = g.rect.union(f.rect);
            g.words.extend(f.words);
            g.words.sort_by_key(|w| w.bbox.left);
        }
    }
    out
}

fn row_top(row: &[Frag]) -> f32 {
    row.iter().map(|f| f.rect.t).fold(f32::INFINITY, f32::min)
}

pub fn row_rect(row: &[Frag]) -> Option<Rect> {
    bounds(row.iter().map(|f| f.rect))
}
