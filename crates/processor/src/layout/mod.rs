//! Page layout: from a page's words with their boxes to blocks in reading order. The same step for
//! OCR pages (Tesseract's lines) and text-layer pages (lines built from pdfium's characters).
//! Pure: boxes in, ordered blocks out, so it is tested on hand-made layouts.
//!
//! 1. [`fragments`]: lines are cut where they cross a gutter or jump between table cells.
//! 2. [`order`]: fragments are ordered by cutting the page along its white space: columns left to
//!    right, bands top to bottom, tables row by row.
//! 3. Here: consecutive rows of one column become a text block; tables stay one block each.
//! 4. [`footnotes`]: a footnote under a column is read after the column beside it.

mod footnotes;
mod fragments;
pub mod geometry;
mod noise;
mod order;
mod skew;
pub mod table;

pub use noise::split_noise;
pub use table::Rule;

use crate::output::result::{BBox, Block, BlockKind, Line, Word};
use fragments::Frag;
use geometry::{bounds, median, word_rect, Rect};
use order::Item;

/// Rows further apart than this many text heights start a new block.
const MAX_LINE_GAP: f32 = 1.0;

/// A page's text in reading order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PageText {
    /// The blocks' lines joined by line breaks.
    pub text: String,
    pub blocks: Vec<Block>,
    /// Skew of the text lines in degrees (positive: falling to the right), levelled for the layout.
    pub skew: f32,
    /// The words of the blocks in reading order (marks left out of the blocks last).
    pub words: Vec<Word>,
}

/// Lays out a page's words without ruling lines (see [`lay_out_with`]).
pub fn lay_out(lines: Vec<Vec<Word>>) -> PageText {
    lay_out_with(lines, &[])
}

/// Lays out a page's words. `lines` are the words as their source grouped them on one baseline
/// (Tesseract's lines, or a text layer's); a line may run across columns, it is cut where needed.
/// `rules` are the page's ruling lines: a region they enclose is read as a table of its own, and
/// every table gets its rows and cells.
pub fn lay_out_with(lines: Vec<Vec<Word>>, rules: &[Rule]) -> PageText {
    let mut lines: Vec<Vec<Word>> = lines.into_iter().filter(|l| !l.is_empty()).collect();
    let Some(unit) = median(lines.iter().flatten().map(|w| word_rect(w).h()).collect()) else {
        return PageText::default();
    };
    let unit = unit.max(1.0);
    // Levelled boxes for the layout; every word gets its own box back below.
    let slope = skew::slope(&lines, unit);
    if slope != 0.0 {
        for w in lines.iter_mut().flatten() {
            skew::shear(w, slope, -1.0);
        }
    }
    let unlevel = |mut w: Word| {
        if slope != 0.0 {
            skew::shear(&mut w, slope, 1.0);
        }
        w
    };
    let unlevel_box = |b: BBox| skew::shear_box(b, slope, 1.0);
    let rules: Vec<Rule> = rules.iter().map(|r| skew::shear_rule(*r, slope)).collect();
    // Ruled tables first, read apart: each stands in the order as one fragment over its region.
    let ruled = table::ruled_tables(&mut lines, &rules, unit);
    let (mut frags, marks) = fragments::split_lines(lines, unit);
    frags.extend(
        ruled
            .iter()
            .enumerate()
            .map(|(i, t)| Frag::table(i, t.region)),
    );
    let items = order::order(frags, unit);
    // Each block with its box as it grows: a row may not widen its block over another.
    let mut blocks: Vec<(BlockKind, Vec<Vec<Frag>>, Option<Rect>)> = Vec::new();
    for item in items {
        match item {
            Item::Table(rows) => {
                let rect = bounds(rows.iter().filter_map(|r| order::row_rect(r)));
                blocks.push((BlockKind::Table, rows, rect));
            }
            Item::Row(row) if row.iter().any(|f| f.table.is_some()) => {
                // A ruled table beside other text on its band: the text before it, the table,
                // the text after it.
                let mut before = Vec::new();
                for f in row {
                    if f.table.is_some() {
                        if !before.is_empty() {
                            let rows = vec![std::mem::take(&mut before)];
                            let rect = bounds(rows.iter().filter_map(|r| order::row_rect(r)));
                            blocks.push((BlockKind::Text, rows, rect));
                        }
                        let rect = Some(f.rect);
                        blocks.push((BlockKind::Table, vec![vec![f]], rect));
                    } else {
                        before.push(f);
                    }
                }
                if !before.is_empty() {
                    let rows = vec![before];
                    let rect = bounds(rows.iter().filter_map(|r| order::row_rect(r)));
                    blocks.push((BlockKind::Text, rows, rect));
                }
            }
            Item::Row(row) => {
                let r = order::row_rect(&row);
                let joins = match (blocks.split_last(), r) {
                    (Some(((BlockKind::Text, rows, Some(block)), earlier)), Some(r)) => {
                        continues(rows.last(), &row, unit)
                            && !reaches_beside(earlier.iter().filter_map(|b| b.2), *block, r)
                    }
                    _ => false,
                };
                match blocks.last_mut() {
                    Some((_, rows, Some(block))) if joins => {
                        rows.push(row);
                        *block = block.union(r.expect("a joining row has a box"));
                    }
                    _ => blocks.push((BlockKind::Text, vec![row], r)),
                }
            }
        }
    }
    let blocks = blocks
        .into_iter()
        .map(|(kind, rows, _)| (kind, rows))
        .collect();
    let blocks =
        footnotes::split_trailing_notes(blocks, |row| order::row_rect(row).map_or(0.0, |r| r.h()));
    // Each block with its words, so that moving a block moves its words.
    let mut blocks: Vec<((Block, Vec<Word>), usize)> = blocks
        .into_iter()
        .map(|(kind, rows, origin)| {
            let ruled_table = rows.first().and_then(|r| r.first()).and_then(|f| f.table);
            if let Some(i) = ruled_table {
                return (table::block(&ruled[i], &unlevel, &unlevel_box), origin);
            }
            let mut words = Vec::new();
            let lines: Vec<Line> = rows
                .into_iter()
                .filter_map(|row| {
                    let row_words: Vec<Word> =
                        row.into_iter().flat_map(|f| f.words).map(unlevel).collect();
                    let rect = bounds(row_words.iter().map(word_rect))?;
                    let text = join_words(&row_words);
                    words.extend(row_words);
                    Some(Line {
                        text,
                        bbox: rect.to_bbox(),
                    })
                })
                .collect();
            let rect = bounds(lines.iter().map(|l| Rect::of(l.bbox)))
                .expect("a block has at least one line");
            let table = (kind == BlockKind::Table)
                .then(|| table::cells_of(&words, &rules, unit, slope, &unlevel_box))
                .flatten();
            let block = Block {
                kind,
                bbox: rect.to_bbox(),
                lines,
                table,
            };
            ((block, words), origin)
        })
        .collect();
    footnotes::after_the_text_beside_them(&mut blocks, |((b, _), _)| b);
    let blocks = footnotes::rejoin(blocks, |(block, words), (more, more_words)| {
        let rect = Rect::of(block.bbox).union(Rect::of(more.bbox));
        block.bbox = rect.to_bbox();
        block.lines.extend(more.lines);
        words.extend(more_words);
    });
    let (blocks, words): (Vec<Block>, Vec<Vec<Word>>) = blocks.into_iter().unzip();
    let mut words: Vec<Word> = words.into_iter().flatten().collect();
    words.extend(marks.into_iter().map(unlevel));
    let text = text_of(&blocks);
    PageText {
        text,
        blocks,
        skew: skew::degrees(slope),
        words,
    }
}

/// The page's text from its blocks: their lines in order, one a line, except that a word broken
/// by a hyphen at a text line's end is joined again ("appli-" + "cation" -> "application") when
/// the next line of running text (in the block, or opening the next text block: a column going
/// on in the next) starts in lower case. A table's cells are never joined.
pub fn text_of(blocks: &[Block]) -> String {
    let mut lines = blocks
        .iter()
        .flat_map(|b| b.lines.iter().map(move |l| (b.kind, l.text.as_str())))
        .peekable();
    let mut text = String::new();
    let mut glue = "";
    while let Some((kind, line)) = lines.next() {
        text.push_str(glue);
        let cut = kind == BlockKind::Text
            && lines
                .peek()
                .is_some_and(|&(k, next)| k == BlockKind::Text && hyphenated(line, next));
        if cut {
            // The hyphen is one byte; the next line follows without a break.
            text.push_str(&line[..line.len() - 1]);
            glue = "";
        } else {
            text.push_str(line);
            glue = "\n";
        }
    }
    text
}

/// Whether `line` ends in a word cut by a hyphen that `next` completes: a letter before the
/// hyphen, a lower-case letter opening the next line.
fn hyphenated(line: &str, next: &str) -> bool {
    let mut end = line.chars().rev();
    end.next() == Some('-')
        && end.next().is_some_and(char::is_alphabetic)
        && next.chars().next().is_some_and(char::is_lowercase)
}

fn join_words(words: &[Word]) -> String {
    words
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `row` is the next line of the text block whose last row is `prev`: just below it and
/// in the same column.
fn continues(prev: Option<&Vec<Frag>>, row: &[Frag], unit: f32) -> bool {
    let (Some(p), Some(r)) = (prev.and_then(|p| order::row_rect(p)), order::row_rect(row)) else {
        return false;
    };
    r.t >= p.t + 0.5 * p.h() && r.t - p.b <= MAX_LINE_GAP * unit.max(p.h()) && p.h_overlap(&r) > 0.0
}

/// Whether a row with box `row` would widen the block with box `block` over a block beside it
/// (one of `earlier` at the same height, left or right of it): a line set across both columns
/// under the second (a footnote, a wide caption) starts a block of its own instead of making the
/// column's block span the page.
fn reaches_beside(earlier: impl IntoIterator<Item = Rect>, block: Rect, row: Rect) -> bool {
    earlier.into_iter().any(|o| {
        let beside = o.t < block.b && o.b > block.t && o.h_overlap(&block) <= 0.0;
        beside && o.h_overlap(&row) > 0.0
    })
}

/// The fragments the layout step cut a page's lines into, one per line with its box (for
/// looking into a page's reading order by hand: `cargo run --example layout_debug`).
#[doc(hidden)]
pub fn explain(lines: Vec<Vec<Word>>) -> String {
    let lines: Vec<Vec<Word>> = lines.into_iter().filter(|l| !l.is_empty()).collect();
    let unit = median(lines.iter().flatten().map(|w| word_rect(w).h()).collect()).unwrap_or(1.0);
    let mut out = format!("unit {unit}\n");
    for f in fragments::split_lines(lines, unit).0 {
        let r = f.rect;
        out += &format!(
            "{:5.0} {:5.0} {:5.0} {:5.0}  {}\n",
            r.l,
            r.t,
            r.r,
            r.b,
            join_words(&f.words)
        );
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::output::result::{BBox, Table};

    /// Words 10 px high, 6 px a character, justified over `left..right` with spaces of 3 to 13
    /// px (a line too short to fill it with such spaces ends early, as a paragraph's last line).
    pub fn words_at(texts: &[&str], left: u32, top: u32, right: u32) -> Vec<Word> {
        let char_w = 6u32;
        let chars: u32 = texts
            .iter()
            .map(|t| t.chars().count() as u32 * char_w)
            .sum();
        let gaps = texts.len().saturating_sub(1).max(1) as u32;
        let space = (right.saturating_sub(left).saturating_sub(chars) / gaps).clamp(3, 13);
        let mut x = left;
        texts
            .iter()
            .map(|t| {
                let w = t.chars().count() as u32 * char_w;
                let word = Word {
                    text: t.to_string(),
                    confidence: 90.0,
                    bbox: BBox {
                        left: x,
                        top,
                        width: w,
                        height: 10,
                    },
                };
                x += w + space;
                word
            })
            .collect()
    }

    pub fn text_line(text: &str, left: u32, top: u32, right: u32) -> Vec<Word> {
        words_at(
            &text.split_whitespace().collect::<Vec<_>>(),
            left,
            top,
            right,
        )
    }

    /// A column of `n` justified lines of unique words ("a11 ..." of varying lengths, so that
    /// word spaces do not line up), `pitch` px apart: as many words as fit with 4 px spaces.
    pub fn column(
        tag: &str,
        n: usize,
        left: u32,
        top: u32,
        right: u32,
        pitch: u32,
    ) -> Vec<Vec<Word>> {
        (0..n)
            .map(|i| {
                let mut texts: Vec<String> = Vec::new();
                let mut used = 0;
                for w in 1.. {
                    // Words of 5 to 9 letters, as in running text.
                    let pad = "x".repeat((i * 7 + w * 3) % 5);
                    let t = format!("{tag}{}{w}{pad}", i + 1);
                    let need = t.len() as u32 * 6 + if texts.is_empty() { 0 } else { 4 };
                    if used + need > right - left {
                        break;
                    }
                    used += need;
                    texts.push(t);
                }
                let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
                words_at(&refs, left, top + i as u32 * pitch, right)
            })
            .collect()
    }

    fn texts(lines: &[Vec<Word>]) -> Vec<String> {
        lines.iter().map(|l| join_words(l)).collect()
    }

    /// Lines of side-by-side columns as one OCR engine might report them: one line across all.
    fn across(cols: &[Vec<Vec<Word>>]) -> Vec<Vec<Word>> {
        let n = cols.iter().map(Vec::len).max().unwrap_or(0);
        (0..n)
            .map(|i| {
                cols.iter()
                    .filter_map(|c| c.get(i))
                    .flatten()
                    .cloned()
                    .collect()
            })
            .collect()
    }

    fn lines_of(p: &PageText) -> Vec<String> {
        p.text.lines().map(String::from).collect()
    }

    #[test]
    fn a_line_across_both_columns_under_the_second_starts_its_own_block() {
        // A footnote set close under both columns: read last, but not as the right column's
        // last line, which would make that block span the page over the left column.
        let left = column("a", 8, 50, 100, 290, 14);
        let right = column("b", 8, 302, 100, 542, 14);
        // Its word "under" (288..318 px) covers the gutter (290..302), as in print.
        let note = text_line(
            "a footnote set across the page under both of the columns",
            60,
            212,
            530,
        );
        let mut lines = across(&[left.clone(), right.clone()]);
        lines.push(note.clone());
        let page = lay_out(lines);
        let blocks: Vec<Vec<&str>> = page
            .blocks
            .iter()
            .map(|b| b.lines.iter().map(|l| l.text.as_str()).collect())
            .collect();
        let note_text = join_words(&note);
        assert_eq!(blocks.len(), 3, "{blocks:?}");
        assert_eq!(blocks[2], [note_text.as_str()]);
        assert!(page.blocks[1].bbox.left >= 302, "{:?}", page.blocks[1].bbox);
        assert_eq!(page.text.lines().last(), Some(note_text.as_str()));

        // With no column beside it, a wider line just under a block still goes on in it.
        let mut lines = column("c", 6, 50, 100, 290, 14);
        lines.push(text_line(
            "a wider line closing the paragraph",
            40,
            184,
            420,
        ));
        assert_eq!(lay_out(lines).blocks.len(), 1);
    }

    #[test]
    fn two_columns_with_a_narrow_gutter_are_read_column_by_column() {
        // 10 px text, 12 px gutter: as narrow as a magazine's. Reported as lines across the page.
        let left = column("a", 8, 50, 100, 290, 14);
        let right = column("b", 8, 302, 100, 542, 14);
        let want: Vec<String> = texts(&left).into_iter().chain(texts(&right)).collect();
        assert_eq!(
            lines_of(&lay_out(across(&[left.clone(), right.clone()]))),
            want
        );
        // Reported column by column (a text layer written that way): the same.
        let mut separate = left;
        separate.extend(right);
        assert_eq!(lines_of(&lay_out(separate)), want);
    }

    #[test]
    fn three_columns_with_a_title_across_them_and_a_footer() {
        let title = text_line("The Title Across Three Columns", 200, 40, 500);
        let cols: Vec<Vec<Vec<Word>>> = (0..3)
            .map(|c| column(&format!("c{c}"), 10, 50 + c * 200, 80, 238 + c * 200, 14))
            .collect();
        let footer = text_line("page 7", 320, 260, 360);
        let mut lines = vec![title.clone()];
        lines.extend(across(&cols));
        lines.push(footer.clone());
        let mut want = vec![join_words(&title)];
        for c in &cols {
            want.extend(texts(c));
        }
        want.push(join_words(&footer));
        let page = lay_out(lines);
        assert_eq!(lines_of(&page), want);
        assert_eq!(page.blocks.len(), 5, "title, three columns, footer");
        assert!(page.blocks.iter().all(|b| b.kind == BlockKind::Text));
    }

    #[test]
    fn columns_of_unequal_length_and_offset_starts() {
        // The right column starts higher and ends earlier; the left one runs on below it.
        let left = column("a", 12, 50, 110, 290, 14);
        let right = column("b", 5, 305, 100, 545, 14);
        let want: Vec<String> = texts(&left).into_iter().chain(texts(&right)).collect();
        let mut lines = left;
        lines.extend(right);
        assert_eq!(lines_of(&lay_out(lines)), want);
    }

    #[test]
    fn a_one_column_page_of_justified_text_stays_line_by_line() {
        let lines: Vec<Vec<Word>> = (0..10)
            .map(|i| {
                // Few long words: loose spaces (up to 1.3 text heights), at other places each line.
                let n = 4 + i % 3;
                let texts: Vec<String> = (0..n)
                    .map(|w| "x".repeat(4 + (w * 7 + i * 3) % 6) + &format!("{i}{w}"))
                    .collect();
                let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
                words_at(&refs, 50, 100 + i as u32 * 14, 330)
            })
            .collect();
        let want = texts(&lines);
        let page = lay_out(lines);
        assert_eq!(lines_of(&page), want);
        assert_eq!(page.blocks.len(), 1);
    }

    #[test]
    fn a_table_inside_one_column_is_read_row_by_row() {
        let left = column("a", 20, 50, 100, 290, 14);
        let mut right = column("b", 6, 305, 100, 545, 14);
        let mut table = Vec::new();
        for (i, row) in [
            ["Item", "Qty", "Price"],
            ["Paper", "12", "4.80"],
            ["Ink", "3", "19.90"],
        ]
        .iter()
        .enumerate()
        {
            let y = 100 + 6 * 14 + 10 + i as u32 * 14;
            // Each cell its own line, as Tesseract reports cells in separate blocks.
            table.push(words_at(&[row[0]], 305, y, 360));
            table.push(words_at(&[row[1]], 420, y, 440));
            table.push(words_at(&[row[2]], 500, y, 540));
        }
        let below = column("c", 6, 305, 100 + 6 * 14 + 10 + 3 * 14 + 10, 545, 14);
        let mut want = texts(&left);
        want.extend(texts(&right));
        want.extend(["Item Qty Price", "Paper 12 4.80", "Ink 3 19.90"].map(String::from));
        want.extend(texts(&below));
        let mut lines = left;
        lines.append(&mut right);
        lines.extend(table);
        lines.extend(below);
        let page = lay_out(lines);
        assert_eq!(lines_of(&page), want);
        let tables: Vec<&Block> = page
            .blocks
            .iter()
            .filter(|b| b.kind == BlockKind::Table)
            .collect();
        assert_eq!(tables.len(), 1, "{page:#?}");
        assert_eq!(tables[0].lines.len(), 3, "{:#?}", tables[0]);
        // And its cells, column by column, the running text beside it none of them.
        let grid = tables[0].table.as_ref().expect("cells");
        assert_eq!((grid.rows, grid.cols, grid.header_rows), (3, 3, 1));
        let at = |r: u32, c: u32| {
            grid.cells
                .iter()
                .find(|x| x.row == r && x.col == c)
                .map(|x| x.text.as_str())
        };
        assert_eq!(at(1, 2), Some("4.80"));
        assert_eq!(at(2, 0), Some("Ink"));
        assert!(page
            .blocks
            .iter()
            .filter(|b| b.kind == BlockKind::Text)
            .all(|b| b.table.is_none()));
    }

    /// A ruled table: its rows of (left, text) cells 20 px apart from `top`, a rule around and
    /// between every row and column (`xs`: the column rules).
    fn ruled_table(top: u32, xs: &[u32], rows: &[&[&str]]) -> (Vec<Vec<Word>>, Vec<Rule>) {
        let mut lines = Vec::new();
        for (r, cells) in rows.iter().enumerate() {
            let y = top + 5 + 20 * r as u32;
            for (c, text) in cells.iter().enumerate() {
                lines.push(text_line(text, xs[c] + 5, y, xs[c + 1] - 5));
            }
        }
        let bottom = (top + 20 * rows.len() as u32) as f32;
        let (x0, x1) = (xs[0] as f32, *xs.last().unwrap() as f32);
        let mut rules: Vec<Rule> = (0..=rows.len())
            .map(|r| Rule::horizontal((top + 20 * r as u32) as f32, x0, x1))
            .collect();
        rules.extend(
            xs.iter()
                .map(|&x| Rule::vertical(x as f32, top as f32, bottom)),
        );
        (lines, rules)
    }

    #[test]
    fn two_ruled_tables_side_by_side_are_two_tables_in_reading_order() {
        let (mut lines, mut rules) = ruled_table(
            200,
            &[50, 150, 250],
            &[&["Metal", "Limit"], &["Lead", "20"], &["Zinc", "200"]],
        );
        let (more, more_rules) = ruled_table(
            200,
            &[320, 420, 520],
            &[&["Gas", "Limit"], &["Methane", "100"], &["Ammonia", "10"]],
        );
        lines.extend(more);
        rules.extend(more_rules);
        lines.extend(column("p", 3, 50, 100, 520, 14));
        let page = lay_out_with(lines, &rules);
        let tables: Vec<&Table> = page
            .blocks
            .iter()
            .filter_map(|b| b.table.as_ref())
            .collect();
        assert_eq!(tables.len(), 2, "{page:#?}");
        for t in &tables {
            assert_eq!((t.rows, t.cols), (3, 2));
        }
        assert_eq!(tables[0].cells[2].text, "Lead");
        assert_eq!(tables[1].cells[2].text, "Methane");
        // The paragraph above first, then the tables left to right, row by row.
        let text = page.text;
        let (p, a, b) = (
            text.find("p11").unwrap(),
            text.find("Metal Limit").unwrap(),
            text.find("Gas Limit").unwrap(),
        );
        assert!(p < a && a < b, "{text}");
        assert!(text.contains("Lead 20\nZinc 200"), "{text}");
    }

    #[test]
    fn a_numbered_list_is_not_a_table() {
        let items = [
            "Install the package from the repository of your distribution.",
            "Copy the configuration file into the folder named in the guide.",
            "Start the service and check that its health page answers now.",
            "Send a first document and read its result with the status call.",
        ];
        let mut lines = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let y = 100 + 16 * i as u32;
            let mut line = words_at(&[&format!("{}.", i + 1)], 50, y, 62);
            line.extend(text_line(item, 80, y, 520));
            lines.push(line);
        }
        let page = lay_out(lines);
        assert!(
            page.blocks
                .iter()
                .all(|b| b.kind == BlockKind::Text && b.table.is_none()),
            "{page:#?}"
        );
    }

    #[test]
    fn a_tables_first_column_beside_columns_one_row_runs_across_is_read_row_by_row() {
        // Five rows; the second row's four cells were read as one run of words across their
        // rules, so the four right columns are one part: a fifth of the page's cells beside it.
        let cols = [150, 220, 290, 360];
        let mut lines = vec![words_at(&["Energy"], 50, 100, 86)];
        lines.extend(cols.map(|x| words_at(&["Ca"], x, 100, 412)));
        lines.push(words_at(&["(MeV)"], 50, 120, 80));
        lines.push(text_line(
            "(R 4.3 fm) (R 5.4 fm) (R 6.0 fm) (R 7.3 fm)",
            150,
            120,
            412,
        ));
        for (i, e) in ["25", "35", "45"].iter().enumerate() {
            let y = 140 + 20 * i as u32;
            lines.push(words_at(&[e], 50, y, 62));
            lines.extend(cols.map(|x| words_at(&["1.26"], x, y, 412)));
        }
        let page = lay_out(lines);
        assert_eq!(
            lines_of(&page),
            [
                "Energy Ca Ca Ca Ca",
                "(MeV) (R 4.3 fm) (R 5.4 fm) (R 6.0 fm) (R 7.3 fm)",
                "25 1.26 1.26 1.26 1.26",
                "35 1.26 1.26 1.26 1.26",
                "45 1.26 1.26 1.26 1.26"
            ]
        );
    }

    #[test]
    fn a_full_width_table_under_a_paragraph() {
        let para = column("p", 3, 50, 100, 550, 14);
        let mut lines = para.clone();
        let rows = [
            ["Description", "Quantity", "Unit", "Total"],
            ["Copy paper A4", "12", "4.80", "57.60"],
            ["Toner black", "2", "39.00", "78.00"],
            ["Total due", "", "", "135.60"],
        ];
        for (i, row) in rows.iter().enumerate() {
            let y = 160 + i as u32 * 16;
            let mut line = Vec::new();
            for (c, cell) in row.iter().enumerate() {
                if !cell.is_empty() {
                    let x = [50, 260, 360, 460][c];
                    line.extend(text_line(cell, x, y, x + cell.len() as u32 * 6));
                }
            }
            lines.push(line);
        }
        let mut want = texts(&para);
        want.extend(rows.iter().map(|r| {
            r.iter()
                .filter(|c| !c.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" ")
        }));
        let page = lay_out(lines);
        assert_eq!(lines_of(&page), want);
        assert_eq!(page.blocks.last().unwrap().kind, BlockKind::Table);
    }

    #[test]
    fn a_sidebar_is_read_after_the_main_text_beside_it() {
        // Main text on a 14 px grid, a narrow sidebar of short lines on an 18 px grid.
        let main = column("m", 12, 50, 100, 400, 14);
        let sidebar: Vec<Vec<Word>> = (0..6)
            .map(|i| {
                text_line(
                    &format!("side{i} note{i} here{i} more{i}"),
                    430,
                    104 + i * 18,
                    560,
                )
            })
            .collect();
        let mut want = texts(&main);
        want.extend(texts(&sidebar));
        let mut lines = across(&[main, sidebar]);
        lines.retain(|l| !l.is_empty());
        assert_eq!(lines_of(&lay_out(lines)), want);
    }

    #[test]
    fn side_by_side_labels_and_values_are_read_across() {
        let pairs = [
            ("Invoice", "NW-2026-0412"),
            ("Date:", "2026-04-12"),
            ("Due:", "2026-05-12"),
        ];
        let lines: Vec<Vec<Word>> = pairs
            .iter()
            .enumerate()
            .flat_map(|(i, (k, v))| {
                let y = 100 + i as u32 * 14;
                [words_at(&[k], 50, y, 110), words_at(&[v], 200, y, 290)]
            })
            .collect();
        let page = lay_out(lines);
        assert_eq!(
            lines_of(&page),
            [
                "Invoice NW-2026-0412",
                "Date: 2026-04-12",
                "Due: 2026-05-12"
            ]
        );
    }

    #[test]
    fn a_right_aligned_line_above_a_left_aligned_one_keeps_top_to_bottom_order() {
        let lines = vec![
            text_line("12 April 2026", 400, 100, 480),
            text_line("Dear Ms Example,", 50, 130, 150),
            text_line("thank you for your order of paper.", 50, 150, 260),
        ];
        assert_eq!(
            lines_of(&lay_out(lines)),
            [
                "12 April 2026",
                "Dear Ms Example,",
                "thank you for your order of paper."
            ]
        );
    }

    #[test]
    fn sub_and_superscripts_stay_in_their_line() {
        // "x2 + a i": a superscript raised 4 px and a subscript lowered 4 px, 6 px high, each
        // reported as a line of its own (a text layer breaks lines where the baseline jumps).
        let mut base = words_at(&["energy", "E", "=", "mc", "for", "all"], 50, 100, 250);
        let sup = Word {
            text: "2".into(),
            confidence: 90.0,
            bbox: BBox {
                left: base[3].bbox.left + base[3].bbox.width + 1,
                top: 96,
                width: 5,
                height: 6,
            },
        };
        let sub = Word {
            text: "i".into(),
            bbox: BBox {
                left: base[5].bbox.left + base[5].bbox.width + 1,
                top: 108,
                ..sup.bbox
            },
            ..sup.clone()
        };
        let next = text_line("the next line of the paragraph", 50, 114, 250);
        let lines = vec![std::mem::take(&mut base), vec![sup], vec![sub], next];
        let page = lay_out(lines);
        assert_eq!(
            lines_of(&page),
            [
                "energy E = mc 2 for all i",
                "the next line of the paragraph"
            ]
        );
    }

    #[test]
    fn a_superscript_filling_a_wide_gap_keeps_the_line_whole() {
        // "exponential e^{iSint}, the partition": the engine reports the exponent (28 px wide,
        // 7 px high, raised) as a line of its own, leaving 38 px (3.8 text heights) between "e"
        // and ",the" on the line: alone, a gap that wide cuts a line.
        let mut line = words_at(&["the", "exponential", "e"], 50, 100, 148);
        line.extend(words_at(&["the", "partition", "function"], 186, 100, 300));
        let sup = Word {
            text: "iSint".into(),
            confidence: 90.0,
            bbox: BBox {
                left: 150,
                top: 96,
                width: 28,
                height: 7,
            },
        };
        let next = text_line("can be rewritten as the sum of its terms", 50, 114, 300);
        let page = lay_out(vec![line, vec![sup], next]);
        assert_eq!(
            lines_of(&page),
            [
                "the exponential e iSint the partition function",
                "can be rewritten as the sum of its terms"
            ]
        );
    }

    #[test]
    fn a_line_under_an_equation_set_to_the_right_is_read_after_it() {
        // A displayed equation indented to the right, a stray symbol of it above-left (an
        // integral's subscript), and the next paragraph's line under it at the left margin: the
        // boxes of the left side overlap the equation's height, but nothing on the left stands
        // beside it, so there is no column there.
        let lines = vec![
            text_line("v", 200, 86, 208),
            text_line("Eq = (a + b) (64)", 300, 100, 540),
            text_line("Then, using the identity", 50, 125, 250),
        ];
        assert_eq!(
            lines_of(&lay_out(lines)),
            ["v", "Eq = (a + b) (64)", "Then, using the identity"]
        );
    }

    #[test]
    fn a_word_cut_by_a_hyphen_at_a_lines_end_is_joined_in_the_text() {
        let para = vec![
            text_line("the appli-", 50, 100, 200),
            text_line("cation of well-", 50, 116, 230),
            text_line("Known rules, 10-", 50, 132, 230),
            text_line("20 of them, x4-", 50, 148, 230),
            text_line("and more", 50, 164, 200),
        ];
        let page = lay_out(para);
        assert_eq!(page.blocks.len(), 1);
        // Lines keep the hyphen as printed; only the text joins the word.
        assert_eq!(page.blocks[0].lines[0].text, "the appli-");
        assert_eq!(
            page.text,
            "the application of well-\nKnown rules, 10-\n20 of them, x4-\nand more"
        );
        // A table's cells are never joined.
        let mut table = page.blocks.clone();
        table[0].kind = BlockKind::Table;
        assert!(text_of(&table).starts_with("the appli-\ncation"));
        // A text block going on in the next (a column's last line, the next column's first).
        let mut two = page.blocks.clone();
        let second = two[0].lines.split_off(1);
        two.push(Block {
            lines: second,
            ..two[0].clone()
        });
        assert_eq!(text_of(&two), page.text);
        // But not into a table.
        two[1].kind = BlockKind::Table;
        assert!(text_of(&two).starts_with("the appli-\ncation"));
    }

    #[test]
    fn words_and_blocks_agree_with_the_text() {
        let lines = column("a", 3, 50, 100, 290, 14);
        let n: usize = lines.iter().map(Vec::len).sum();
        let page = lay_out(lines);
        assert_eq!(page.words.len(), n);
        assert_eq!(page.blocks.len(), 1);
        assert_eq!(page.blocks[0].lines.len(), 3);
        let b = page.blocks[0].bbox;
        assert_eq!((b.left, b.top, b.height), (50, 100, 38));
        assert_eq!(lay_out(Vec::new()), PageText::default());
    }
}
