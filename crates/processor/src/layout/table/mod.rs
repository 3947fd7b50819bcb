//! Tables as rows and cells: from the words of a table and the ruling lines around them to a
//! grid of cells with spans. Pure: boxes in, cells out, so it is tested on hand-made tables.
//!
//! 1. Columns ([`axes::columns`]): vertical rules, and channels of white that run down through
//!    the table's lines (a header spanning several columns may cross one).
//! 2. Rows ([`axes::rows`]): a table with rules between most of its lines is cut along them (text
//!    wrapped inside a ruled cell stays one cell); one without is read line by line, a line that
//!    only continues the cells above it joining them, and its header stacked column by column.
//! 3. Cells ([`cells`]): the words of each row, column by column; a phrase running over a
//!    channel, or a ruled cell whose inner rule is missing, spans the columns (or rows) it covers.

mod axes;
mod cells;
pub mod rules;

pub use rules::Rule;

use super::geometry::{bounds, word_rect, Rect};
use crate::output::result::{BBox, Block, BlockKind, Line, Table, TableCell, Word};

/// A table's structure.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub rows: u32,
    pub cols: u32,
    pub header_rows: u32,
    pub cells: Vec<TableCell>,
    /// The table's rows as lines of text: the cells starting in each row, left to right.
    pub lines: Vec<Line>,
    /// The separators between columns (x, page pixels), left to right: what a table going on over
    /// a page break is matched by.
    pub col_edges: Vec<f32>,
    /// Around the words the table was read from (those given, less a caption or a paragraph
    /// read with them).
    pub area: Rect,
}

/// Distances, in text heights, the structure is read with.
mod reach {
    /// Words closer than this on one line belong to one phrase (a word space, not a column gap).
    pub const PHRASE_GAP: f32 = 0.45;
    /// A channel of white between columns is at least this wide where no line crosses it ...
    pub const MIN_CHANNEL: f32 = 0.5;
    /// ... and this wide where a few lines (a spanning header) cross it.
    pub const MIN_CROSSED_CHANNEL: f32 = 1.0;
    /// Lines closer than this continue one another (a cell's text wrapped onto the next line).
    pub const CONTINUATION_GAP: f32 = 0.7;
}

/// The structure of the table made of `words`, with the ruling lines `rules` (those in and around
/// it; others are ignored) and the page's text height `unit`. None when the words do not make a
/// table of at least two rows and two columns.
pub fn structure(words: &[Word], rules: &[Rule], unit: f32) -> Option<Grid> {
    let t = prepare(words, rules, unit)?;
    let rows = axes::rows(
        &t.rects, &t.words, &t.lines, &t.cols, &t.rules, t.unit, t.tol,
    );
    let mut grid = cells::grid(
        &t.words, &t.rects, &t.lines, &t.cols, &rows, t.region, t.unit,
    )?;
    grid.area = bounds(t.rects.iter().copied())?;
    Some(grid)
}

/// A table's words, lines and columns, with the rules around it, before its rows are read.
struct Prepared {
    words: Vec<Word>,
    rects: Vec<Rect>,
    lines: Vec<Vec<usize>>,
    cols: Vec<axes::Sep>,
    rules: Vec<Rule>,
    region: Rect,
    unit: f32,
    tol: f32,
}

fn prepare(words: &[Word], rules: &[Rule], unit: f32) -> Option<Prepared> {
    let unit = unit.max(1.0);
    let rects: Vec<Rect> = words.iter().map(word_rect).collect();
    let text_box = bounds(rects.iter().copied())?;
    let tol = (0.3 * unit).max(2.0);
    let near = |r: &Rule| {
        let b = r.rect();
        b.l <= text_box.r + unit
            && b.r >= text_box.l - unit
            && b.t <= text_box.b + unit
            && b.b >= text_box.t - unit
    };
    let rules: Vec<Rule> = rules::merge_long(
        rules.iter().copied().filter(near).collect(),
        tol,
        MIN_RULE * unit,
    );
    let kept = within_top_rule(words, &rules, text_box);
    let (words, rects): (Vec<Word>, Vec<Rect>) = match kept {
        Some(keep) => words
            .iter()
            .zip(&rects)
            .filter(|(w, _)| keep(w))
            .map(|(w, r)| (w.clone(), *r))
            .unzip(),
        None => (words.to_vec(), rects),
    };
    let text_box = bounds(rects.iter().copied())?;
    let region = bounds(std::iter::once(text_box).chain(rules.iter().map(Rule::rect)))?;
    let lines = axes::text_lines(&rects);
    let cols = axes::columns(&rects, &lines, &rules, unit, tol);
    // A line of running text over the columns at the table's top or foot is the paragraph the
    // page's order read with it, not a row.
    let prose = |line: &Vec<usize>| {
        let (l, r) = (
            rects[line[0]].l,
            rects[*line.last().expect("lines have words")].r,
        );
        line.len() >= PROSE_WORDS
            && line
                .windows(2)
                .all(|w| rects[w[1]].l - rects[w[0]].r <= reach::PHRASE_GAP * unit)
            && cols.iter().any(|s| s.at > l && s.at < r)
    };
    let first = lines.iter().position(|l| !prose(l))?;
    let last = lines.iter().rposition(|l| !prose(l))?;
    if first > 0 || last + 1 < lines.len() {
        let keep: Vec<Word> = lines[first..=last]
            .iter()
            .flatten()
            .map(|&i| words[i].clone())
            .collect();
        return prepare(&keep, &rules, unit);
    }
    Some(Prepared {
        words,
        rects,
        lines,
        cols,
        rules,
        region,
        unit,
        tol,
    })
}

/// A line of running text has at least this many words.
const PROSE_WORDS: usize = 5;

/// A table enclosed by rules, read apart from the page's text.
#[derive(Debug, Clone)]
pub struct RuledTable {
    pub region: Rect,
    pub grid: Grid,
    pub words: Vec<Word>,
}

/// A rule is at least this many text heights long, once its pieces are joined.
const MIN_RULE: f32 = 1.5;

/// Cells of a ruled table hold at most this many words on average (a framed page of prose, two
/// columns of running text in a box, is not a table).
const MAX_MEAN_CELL_WORDS: f32 = 12.0;

/// Takes the ruled tables out of the page's `lines`: every region enclosed by rules whose words
/// make a table. Smaller regions first, so a table inside a page's frame is read as itself.
pub fn ruled_tables(lines: &mut Vec<Vec<Word>>, rules: &[Rule], unit: f32) -> Vec<RuledTable> {
    if rules.len() < 4 {
        return Vec::new();
    }
    let tol = (0.3 * unit).max(2.0);
    let merged = rules::merge_long(rules.to_vec(), tol, MIN_RULE * unit);
    let mut regions = rules::ruled_regions(&merged, tol);
    regions.sort_by(|a, b| ((a.r - a.l) * (a.b - a.t)).total_cmp(&((b.r - b.l) * (b.b - b.t))));
    let mut out = Vec::new();
    for region in regions {
        let inside = |w: &Word| {
            let r = word_rect(w);
            let (x, y) = ((r.l + r.r) / 2.0, (r.t + r.b) / 2.0);
            x >= region.l - tol && x <= region.r + tol && y >= region.t - tol && y <= region.b + tol
        };
        let words: Vec<Word> = lines
            .iter()
            .flatten()
            .filter(|w| inside(w))
            .cloned()
            .collect();
        if words.len() < 4 {
            continue;
        }
        let Some(grid) = structure(&words, &merged, unit) else {
            continue;
        };
        if (words.len() as f32) > MAX_MEAN_CELL_WORDS * grid.cells.len() as f32 {
            continue;
        }
        // Words the table left out (a caption over its top rule) stay the page's.
        let area = grid.area;
        let inside = |w: &Word| {
            let r = word_rect(w);
            let (x, y) = ((r.l + r.r) / 2.0, (r.t + r.b) / 2.0);
            inside(w) && x >= area.l && x <= area.r && y >= area.t && y <= area.b
        };
        let words: Vec<Word> = words.into_iter().filter(|w| inside(w)).collect();
        for line in lines.iter_mut() {
            line.retain(|w| !inside(w));
        }
        lines.retain(|l| !l.is_empty());
        // The table stands in the page's order over its words (not over the frame's whole
        // region: a caption inside the frame, above the grid, is read before it).
        let region = bounds(words.iter().map(word_rect)).unwrap_or(area);
        out.push(RuledTable {
            region,
            grid,
            words,
        });
    }
    out
}

/// A ruled table as the page's block, and its words; boxes handed back through `unlevel`.
pub fn block(
    t: &RuledTable,
    unlevel: &dyn Fn(Word) -> Word,
    unlevel_box: &dyn Fn(BBox) -> BBox,
) -> (Block, Vec<Word>) {
    let mut words: Vec<Word> = t.words.clone();
    words.sort_by_key(|w| (w.bbox.top, w.bbox.left));
    let words = words.into_iter().map(unlevel).collect();
    let block = Block {
        kind: BlockKind::Table,
        bbox: unlevel_box(t.region.to_bbox()),
        lines: t
            .grid
            .lines
            .iter()
            .map(|l| Line {
                text: l.text.clone(),
                bbox: unlevel_box(l.bbox),
            })
            .collect(),
        table: Some(table_of(&t.grid, unlevel_box)),
    };
    (block, words)
}

/// The cells of a table the page's order found (its rows of aligned cells): `words` as on the
/// page, levelled here by `slope` as the layout levelled them.
pub fn cells_of(
    words: &[Word],
    rules: &[Rule],
    unit: f32,
    slope: f32,
    unlevel_box: &dyn Fn(BBox) -> BBox,
) -> Option<Table> {
    let levelled: Vec<Word> = words
        .iter()
        .map(|w| Word {
            bbox: super::skew::shear_box(w.bbox, slope, -1.0),
            ..w.clone()
        })
        .collect();
    structure(&levelled, rules, unit).map(|g| table_of(&g, unlevel_box))
}

fn table_of(g: &Grid, unlevel_box: &dyn Fn(BBox) -> BBox) -> Table {
    Table {
        rows: g.rows,
        cols: g.cols,
        header_rows: g.header_rows,
        cells: g
            .cells
            .iter()
            .map(|c| TableCell {
                bbox: unlevel_box(c.bbox),
                ..c.clone()
            })
            .collect(),
        continued_from: None,
    }
}

/// The steps of [`structure`] for looking into a table by hand (`cargo run --example
/// table_debug`): columns, lines, rows.
#[doc(hidden)]
pub fn explain(words: &[Word], rules: &[Rule], unit: f32) -> String {
    let Some(t) = prepare(words, rules, unit) else {
        return String::new();
    };
    let rows = axes::rows(
        &t.rects, &t.words, &t.lines, &t.cols, &t.rules, t.unit, t.tol,
    );
    let (words, rects, lines, cols, rules) = (&t.words, &t.rects, &t.lines, &t.cols, &t.rules);
    let mut out = format!("unit {unit} rules {}\ncolumns:", rules.len());
    for c in cols.iter() {
        out += &format!(
            " {:.0}{}",
            c.at,
            if c.segments.is_empty() {
                "w"
            } else if c.channel {
                "rw"
            } else {
                "r"
            }
        );
    }
    out += &format!("\nruled {} header {}\n", rows.ruled, rows.header);
    for (k, band) in rows.bands.iter().enumerate() {
        for &l in band {
            let r = axes::line_rect(rects, &lines[l]);
            let text: Vec<&str> = lines[l].iter().map(|&i| words[i].text.as_str()).collect();
            out += &format!("row {k:3} {:5.0}-{:5.0}  {}\n", r.t, r.b, text.join(" "));
        }
        if let Some(Some(rule)) = rows.rules.get(k) {
            out += &format!("        rule at {:.0}\n", rule.at);
        }
    }
    out
}

/// A rule across this share of the table's width runs across it.
const ACROSS: f32 = 0.8;

/// Where three or more rules run across the table (over it, under its header, under it), what
/// stands above the topmost is not the table's (a caption the page's order read with it): the
/// test for the words to keep. With two, the topmost may be the rule under the header.
fn within_top_rule(
    words: &[Word],
    rules: &[Rule],
    text_box: Rect,
) -> Option<impl Fn(&Word) -> bool> {
    let width = (text_box.r - text_box.l).max(1.0);
    let across: Vec<f32> = rules
        .iter()
        .filter(|r| r.horizontal && r.to.min(text_box.r) - r.from.max(text_box.l) >= ACROSS * width)
        .map(|r| r.at)
        .collect();
    if across.len() < 3 {
        return None;
    }
    let top = across.iter().copied().fold(f32::INFINITY, f32::min);
    let centre = |w: &Word| {
        let r = word_rect(w);
        (r.t + r.b) / 2.0
    };
    words
        .iter()
        .any(|w| centre(w) < top)
        .then_some(move |w: &Word| centre(w) > top)
}

/// Whether a text reads as a number (an amount, a count, a percentage, a year).
pub(crate) fn is_numeric(text: &str) -> bool {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let alnum = text.chars().filter(|c| c.is_alphanumeric()).count();
    digits > 0 && digits * 2 >= alnum
}

/// Whether a word is a value in a table: a number, or one of the marks tables print where a value
/// is missing or not applicable.
pub(crate) fn is_value(word: &str) -> bool {
    const MISSING: [&str; 12] = [
        "-", "\u{2013}", "\u{2014}", "NA", "N/A", "n/a", "(X)", "X", "*", "..", "\u{2026}", "nil",
    ];
    is_numeric(word) || MISSING.contains(&word)
}

fn bbox_of(r: Rect) -> BBox {
    r.to_bbox()
}

#[cfg(test)]
mod tests;
