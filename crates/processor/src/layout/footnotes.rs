//! Footnotes read after the text beside them. A column's last block set in smaller type, with the
//! next column running alongside it, is a note to the page (a footnote under the left column of
//! a two-column paper): read between the columns it would cut the text of the next column from
//! the one before. It is moved after the last block beside it, as poppler's `pdftotext` and a
//! reader order it. Pure: blocks in, blocks out.

use super::geometry::{median, Rect};
use crate::result::{Block, BlockKind};

/// Type this much smaller than the page's (line heights, medians) is a note's.
const NOTE_TYPE: f32 = 0.9;

/// Moves the notes among `items` (blocks in reading order, `block` tells each item's block).
pub fn after_the_text_beside_them<T>(items: &mut Vec<T>, block: impl Fn(&T) -> &Block) {
    fn blocks<'a, T>(items: &'a [T], block: &impl Fn(&T) -> &Block) -> Vec<&'a Block> {
        items.iter().map(block).collect()
    }
    let Some(body) = median(
        blocks(items, &block)
            .into_iter()
            .filter(|b| b.kind == BlockKind::Text)
            .flat_map(|b| b.lines.iter().map(|l| l.bbox.height as f32))
            .collect(),
    ) else {
        return;
    };
    let mut i = 0;
    while i < items.len() {
        match beside(&blocks(items, &block), i, body) {
            Some(last) => {
                let note = items.remove(i);
                items.insert(last, note);
                // The block now at `i` has not been looked at yet.
            }
            None => i += 1,
        }
    }
}

/// Where the note at `i` goes (the index of the last later block beside it), or None when the
/// block is not a note read too early.
fn beside(blocks: &[&Block], i: usize, body: f32) -> Option<usize> {
    let note = blocks[i];
    let small = median(note.lines.iter().map(|l| l.bbox.height as f32).collect())
        .is_some_and(|h| h <= NOTE_TYPE * body);
    if note.kind != BlockKind::Text || !small {
        return None;
    }
    let n = Rect::of(note.bbox);
    // A column to its right, read after it, begun above it and running alongside it.
    let (last, next_column) = blocks
        .iter()
        .enumerate()
        .skip(i + 1)
        .map(|(j, b)| (j, Rect::of(b.bbox)))
        .rev()
        .find(|(_, r)| r.l >= n.r && r.t < n.t && r.b > n.t)?;
    // The last of its column: nothing under it in the column (a footer across the page does not
    // count).
    let under = blocks.iter().any(|b| {
        let r = Rect::of(b.bbox);
        !std::ptr::eq(*b, note) && r.t >= n.b - 1.0 && r.h_overlap(&n) > 0.0 && r.r <= next_column.l
    });
    (!under).then_some(last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::{BBox, Line};

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
        }
    }

    fn tags(blocks: &[Block]) -> Vec<&str> {
        blocks.iter().map(|b| &b.lines[0].text[..1]).collect()
    }

    #[test]
    fn a_footnote_under_the_left_column_is_read_after_the_right_column() {
        let mut page = vec![
            block(50, 40, 550, 1, 16, "t"), // title across both columns
            block(50, 100, 290, 40, 10, "a"),
            block(50, 680, 290, 3, 8, "f"), // the footnote, in 8 px type
            block(310, 100, 550, 45, 10, "b"),
            block(50, 760, 550, 1, 10, "p"), // a footer across the page, below everything
        ];
        // The footnote goes after the right column, before the footer.
        after_the_text_beside_them(&mut page, |b| b);
        assert_eq!(tags(&page), ["t", "a", "b", "f", "p"]);
    }

    #[test]
    fn small_type_that_is_not_a_footnote_stays_where_it_is() {
        // A caption in small type with the column going on under it.
        let mut caption = vec![
            block(50, 100, 290, 10, 10, "a"),
            block(50, 250, 290, 2, 8, "c"),
            block(50, 290, 290, 20, 10, "d"),
            block(310, 100, 550, 40, 10, "b"),
        ];
        after_the_text_beside_them(&mut caption, |b| b);
        assert_eq!(tags(&caption), ["a", "c", "d", "b"]);
        // A note at the bottom of a one-column page: nothing beside it.
        let mut one = vec![
            block(50, 100, 550, 40, 10, "a"),
            block(50, 680, 550, 2, 8, "f"),
        ];
        after_the_text_beside_them(&mut one, |b| b);
        assert_eq!(tags(&one), ["a", "f"]);
        // Text in the page's own type at a column's bottom: not a note.
        let mut same = vec![
            block(50, 100, 290, 40, 10, "a"),
            block(50, 680, 290, 3, 10, "e"),
            block(310, 100, 550, 45, 10, "b"),
        ];
        after_the_text_beside_them(&mut same, |b| b);
        assert_eq!(tags(&same), ["a", "e", "b"]);
    }
}
