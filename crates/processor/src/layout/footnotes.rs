//! Footnotes read after the text beside them. A block set in smaller type at the foot of the page,
//! with the next column begun above it, is a note to the page (a footnote under the left column of
//! a two-column paper): read between the columns it would cut the text of the next column from
//! the one before. It is moved after the last block beside it, as poppler's `pdftotext` and a
//! reader order it. Pure: blocks in, blocks out.

use super::geometry::{median, Rect};
use crate::output::result::{Block, BlockKind};

/// Type this much smaller than the page's (line heights, medians) is a note's.
const NOTE_TYPE: f32 = 0.9;

/// A note has at least this many lines: one line's height says little of its type (a short line
/// without tall letters is as low as small type), so a lone line is never taken for a note.
const MIN_NOTE_LINES: usize = 2;
/// A note is at least this many of the page's line heights wide: a line of words, not a stacked
/// fraction or the labels of a figure.
const MIN_NOTE_WIDTH: f32 = 8.0;

/// Splits the trailing notes off text blocks (rows in reading order, `height` tells a row's): a
/// block's last rows in type smaller than the page's, after rows in its type (a footnote set
/// close under the last column). Each part comes with the index of the block it was cut from,
/// so that a note left in place is joined back ([`rejoin`]).
pub fn split_trailing_notes<R>(
    blocks: Vec<(BlockKind, Vec<R>)>,
    height: impl Fn(&R) -> f32,
) -> Vec<(BlockKind, Vec<R>, usize)> {
    let body = median(
        blocks
            .iter()
            .filter(|(kind, _)| *kind == BlockKind::Text)
            .flat_map(|(_, rows)| rows.iter().map(&height))
            .collect(),
    );
    let small = |h: f32| body.is_some_and(|body| h <= NOTE_TYPE * body);
    let mut out = Vec::with_capacity(blocks.len());
    for (origin, (kind, mut rows)) in blocks.into_iter().enumerate() {
        let trailing = rows.iter().rev().take_while(|r| small(height(r))).count();
        let head = rows.len() - trailing;
        let splits = kind == BlockKind::Text
            && trailing >= MIN_NOTE_LINES
            && head > 0
            && median(rows[..head].iter().map(&height).collect()).is_some_and(|h| !small(h));
        if splits {
            let notes = rows.split_off(head);
            out.push((kind, rows, origin));
            out.push((kind, notes, origin));
        } else {
            out.push((kind, rows, origin));
        }
    }
    out
}

/// Joins back the parts of a block that are still next to each other (a trailing note that was
/// not moved stays part of its block).
pub fn rejoin<T>(items: Vec<(T, usize)>, join: impl Fn(&mut T, T)) -> Vec<T> {
    let mut out: Vec<(T, usize)> = Vec::with_capacity(items.len());
    for (item, origin) in items {
        match out.last_mut() {
            Some((last, o)) if *o == origin => join(last, item),
            _ => out.push((item, origin)),
        }
    }
    out.into_iter().map(|(item, _)| item).collect()
}

/// Moves the notes among `items` (blocks in reading order, `block` tells each item's block).
pub fn after_the_text_beside_them<T>(items: &mut Vec<T>, block: impl Fn(&T) -> &Block) {
    let Some(body) = median(
        items
            .iter()
            .map(&block)
            .filter(|b| b.kind == BlockKind::Text)
            .flat_map(line_heights)
            .collect(),
    ) else {
        return;
    };
    // Each note goes after the last block beside it, notes going after one block in their order
    // (a footnote the layout cut in two stays whole).
    let anchors: Vec<Option<usize>> = (0..items.len())
        .map(|i| beside(items, &block, i, body))
        .collect();
    if anchors.iter().all(Option::is_none) {
        return;
    }
    // A note goes where the block it follows goes, should that move too.
    let resolve = |mut a: usize| {
        for _ in 0..anchors.len() {
            match anchors[a] {
                Some(b) => a = b,
                None => break,
            }
        }
        a
    };
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| anchors[i].map_or((i, 0, i), |a| (resolve(a), 1, i)));
    let mut taken: Vec<Option<T>> = std::mem::take(items).into_iter().map(Some).collect();
    *items = order.into_iter().filter_map(|i| taken[i].take()).collect();
}

/// Where the note at `i` goes (the index of the last later block beside it), or None when the
/// block is not a note read too early.
fn beside<T>(items: &[T], block: &impl Fn(&T) -> &Block, i: usize, body: f32) -> Option<usize> {
    let note = block(&items[i]);
    if note.kind != BlockKind::Text {
        return None;
    }
    // A note the layout cut in two (a line raised by its note mark, "²⁴ Specifically", ends a
    // block) is judged with the rest of it: the text blocks set directly under it.
    let mut n = Rect::of(note.bbox);
    let mut heights: Vec<f32> = line_heights(note).collect();
    let mut parts = vec![i];
    while let Some((j, b)) = items.iter().map(block).enumerate().find(|&(j, b)| {
        let r = Rect::of(b.bbox);
        b.kind == BlockKind::Text
            && !parts.contains(&j)
            && r.t >= n.b - 1.0
            && r.t - n.b < body
            && r.h_overlap(&n) > 0.0
    }) {
        parts.push(j);
        n = n.union(Rect::of(b.bbox));
        heights.extend(line_heights(b));
    }
    let small = |heights: Vec<f32>| median(heights).is_some_and(|h| h <= NOTE_TYPE * body);
    let wide = n.r - n.l >= MIN_NOTE_WIDTH * body;
    if heights.len() < MIN_NOTE_LINES || !small(heights) || !wide {
        return None;
    }
    let others = items
        .iter()
        .map(block)
        .enumerate()
        .filter(|(j, _)| !parts.contains(j));
    // At the foot of the page: nothing below it but other notes (the next column's) or a lone
    // line narrower than it (a page number). Small type higher up is an inline formula, a
    // caption, a sidebar.
    let below = others.clone().any(|(_, b)| {
        let r = Rect::of(b.bbox);
        r.t >= n.b - 1.0
            && !small(line_heights(b).collect())
            && (b.lines.len() > 1 || r.r - r.l >= n.r - n.l)
    });
    if below {
        return None;
    }
    // A column to its right, read after it, begun above it.
    others
        .filter(|&(j, b)| {
            j > i && {
                let r = Rect::of(b.bbox);
                r.l >= n.r && r.t < n.t
            }
        })
        .map(|(j, _)| j)
        .last()
}

fn line_heights(b: &Block) -> impl Iterator<Item = f32> + '_ {
    b.lines.iter().map(|l| l.bbox.height as f32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::result::{BBox, Line};

    fn block(left: u32, top: u32, right: u32, lines: u32, line_h: u32, tag: &str) -> Block {
        let pitch = line_h * 14 / 10;
        let lines: Vec<Line> = (0..lines)
            .map(|i| Line {
                text: format!("{tag}{i}"),
                bbox: BBox {
                    left,
                    top: top + i * pitch,
                    width: right - left,
                    height: line_h,
                },
            })
            .collect();
        let bottom = lines.last().map_or(top, |l| l.bbox.top + l.bbox.height);
        Block {
            kind: BlockKind::Text,
            bbox: BBox {
                left,
                top,
                width: right - left,
                height: bottom - top,
            },
            lines,
            table: None,
        }
    }

    #[test]
    fn small_rows_closing_a_block_are_split_off_as_a_note() {
        let blocks = vec![
            // A column whose last three rows are a footnote set close under it.
            (BlockKind::Text, vec![10.0, 11.0, 10.0, 10.0, 8.0, 8.0, 8.5]),
            // A paragraph whose last line has no tall letters: one small row, kept.
            (BlockKind::Text, vec![10.0, 10.0, 10.0, 7.0]),
            // A block all in small type: a note already, left whole.
            (BlockKind::Text, vec![8.0, 8.0, 8.0]),
            // A table's small last rows: a table stays whole.
            (BlockKind::Table, vec![10.0, 10.0, 8.0, 8.0]),
        ];
        let split = split_trailing_notes(blocks, |h| *h);
        let shape: Vec<(BlockKind, usize, usize)> =
            split.iter().map(|(k, r, o)| (*k, r.len(), *o)).collect();
        assert_eq!(
            shape,
            [
                (BlockKind::Text, 4, 0),
                (BlockKind::Text, 3, 0),
                (BlockKind::Text, 4, 1),
                (BlockKind::Text, 3, 2),
                (BlockKind::Table, 4, 3)
            ]
        );
        // Parts still side by side are joined back; a moved note stays apart.
        let parts: Vec<(Vec<f32>, usize)> = split.into_iter().map(|(_, r, o)| (r, o)).collect();
        let joined = rejoin(parts.clone(), |a, b| a.extend(b));
        assert_eq!(
            joined.iter().map(Vec::len).collect::<Vec<_>>(),
            [7, 4, 3, 4]
        );
        let mut moved = parts;
        let note = moved.remove(1);
        moved.push(note);
        let joined = rejoin(moved, |a, b| a.extend(b));
        assert_eq!(
            joined.iter().map(Vec::len).collect::<Vec<_>>(),
            [4, 4, 3, 4, 3]
        );
    }

    fn tags(blocks: &[Block]) -> Vec<&str> {
        blocks.iter().map(|b| &b.lines[0].text[..1]).collect()
    }

    /// The tags of `page`'s blocks once its notes are moved.
    fn reordered(mut page: Vec<Block>) -> Vec<String> {
        after_the_text_beside_them(&mut page, |b| b);
        tags(&page).into_iter().map(String::from).collect()
    }

    #[test]
    fn a_footnote_under_the_left_column_is_read_after_the_right_column() {
        let mut page = vec![
            block(50, 40, 550, 1, 16, "t"), // title across both columns
            block(50, 100, 290, 40, 10, "a"),
            block(50, 680, 290, 3, 8, "f"), // the footnote, in 8 px type
            block(310, 100, 550, 45, 10, "b"),
            block(280, 760, 320, 1, 10, "p"), // the page number, below everything
        ];
        // The footnote goes after the right column, before the page number.
        let mut numbered = page.clone();
        after_the_text_beside_them(&mut numbered, |b| b);
        assert_eq!(tags(&numbered), ["t", "a", "b", "f", "p"]);
        // Under a running footer as wide as the page it is not known for the page's foot: kept.
        page[4] = block(50, 760, 550, 1, 10, "p");
        after_the_text_beside_them(&mut page, |b| b);
        assert_eq!(tags(&page), ["t", "a", "f", "b", "p"]);
    }

    #[test]
    fn a_footnote_in_two_blocks_under_the_left_column_moves_whole() {
        // The first note's last two lines (one block), the next note under them (another), the
        // right column's note starting lower.
        let mut blocks = vec![
            block(121, 340, 799, 52, 26, "l"),
            block(144, 1898, 797, 2, 21, "a"),
            block(121, 1950, 797, 5, 21, "b"),
            block(861, 340, 1539, 55, 26, "r"),
            block(861, 1967, 1537, 4, 20, "c"),
        ];
        // Its second line raised by a note mark ("²⁴ Specifically"): alone, the first part's
        // type is not small.
        blocks[1].lines[1].bbox.height = 24;
        assert_eq!(reordered(blocks), ["l", "r", "a", "b", "c"]);
    }

    #[test]
    fn notes_under_both_columns_are_read_after_both_columns_left_to_right() {
        // The right column ends just above the notes' height, its own note under it.
        let page = vec![
            block(50, 100, 290, 40, 10, "a"),
            block(50, 680, 290, 3, 8, "f"),
            block(310, 100, 550, 41, 10, "b"),
            block(310, 684, 550, 3, 8, "g"),
        ];
        assert_eq!(reordered(page), ["a", "b", "f", "g"]);
    }

    /// Asserts that no block of `page` is moved.
    fn stays(case: &str, page: Vec<Block>) {
        let mut after = page.clone();
        after_the_text_beside_them(&mut after, |b| b);
        assert_eq!(tags(&after), tags(&page), "{case}");
    }

    #[test]
    fn small_type_that_is_not_a_footnote_stays_where_it_is() {
        let a = || block(50, 100, 290, 40, 10, "a");
        stays(
            "a caption in small type with the column going on under it",
            vec![
                block(50, 100, 290, 10, 10, "a"),
                block(50, 250, 290, 2, 8, "c"),
                block(50, 290, 290, 20, 10, "d"),
                block(310, 100, 550, 40, 10, "b"),
            ],
        );
        stays(
            "one short line without tall letters closing a column: as low as small type, but \
             one line says little",
            vec![
                a(),
                block(50, 680, 290, 1, 7, "l"),
                block(310, 600, 550, 4, 10, "b"),
            ],
        );
        stays(
            "a fraction stacked in small type at a line's start: not a line of words",
            vec![
                a(),
                block(50, 680, 70, 2, 7, "s"),
                block(310, 600, 550, 4, 10, "b"),
            ],
        );
        stays(
            "small type high on the page, the text going on below it",
            vec![
                block(50, 100, 290, 20, 10, "a"),
                block(50, 400, 290, 3, 8, "s"),
                block(310, 100, 550, 20, 10, "b"),
                block(50, 500, 550, 10, 10, "c"),
            ],
        );
        stays(
            "a note at the bottom of a one-column page: nothing beside it",
            vec![
                block(50, 100, 550, 40, 10, "a"),
                block(50, 680, 550, 2, 8, "f"),
            ],
        );
        stays(
            "text in the page's own type at a column's bottom",
            vec![
                a(),
                block(50, 680, 290, 3, 10, "e"),
                block(310, 100, 550, 45, 10, "b"),
            ],
        );
    }
}
