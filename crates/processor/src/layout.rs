//! Reading order of OCRed lines. Tesseract returns blocks in its own order; tables often come out
//! column by column (each column a block). Readers and the result contract want rows: lines of
//! side-by-side blocks that share a baseline are read across, left to right.

use crate::result::Word;

#[derive(Debug, Clone, PartialEq)]
pub struct LineWords {
    pub block: u32,
    pub words: Vec<Word>,
}

impl LineWords {
    /// The line's words joined by single spaces.
    pub fn text(&self) -> String {
        self.words
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn first(&self) -> &Word {
        self.words
            .iter()
            .min_by_key(|w| w.bbox.left)
            .expect("non-empty line")
    }
    fn last(&self) -> &Word {
        self.words
            .iter()
            .max_by_key(|w| w.bbox.left + w.bbox.width)
            .expect("non-empty line")
    }
}

/// Vertical overlap of two word boxes, as a share of the smaller height.
fn vertical_overlap(a: &Word, b: &Word) -> f32 {
    let (at, ab) = (a.bbox.top, a.bbox.top + a.bbox.height);
    let (bt, bb) = (b.bbox.top, b.bbox.top + b.bbox.height);
    let overlap = ab.min(bb).saturating_sub(at.max(bt));
    overlap as f32 / a.bbox.height.min(b.bbox.height).max(1) as f32
}

/// Orders lines as rows. Lines go top to bottom (by their first word); a line of another block that
/// starts right of a row's end, level with the row's last word, continues that row (table cells,
/// side-by-side blocks). Comparing neighbouring words rather than whole-line boxes keeps this right
/// on skewed scans, where a long line's box spans several text lines.
pub fn reading_order(lines: Vec<LineWords>) -> Vec<LineWords> {
    let mut lines: Vec<LineWords> = lines.into_iter().filter(|l| !l.words.is_empty()).collect();
    lines.sort_by_key(|l| (l.first().bbox.top, l.first().bbox.left));
    let mut rows: Vec<Vec<LineWords>> = Vec::new();
    for line in lines {
        let first = line.first().clone();
        let target = rows.iter().rposition(|row| {
            let end = row.last().expect("rows are never empty").last();
            row.iter().all(|l| l.block != line.block)
                && first.bbox.left >= end.bbox.left + end.bbox.width
                && vertical_overlap(end, &first) > 0.5
        });
        match target {
            Some(i) => rows[i].push(line),
            None => rows.push(vec![line]),
        }
    }
    rows.into_iter()
        .map(|row| LineWords {
            block: row[0].block,
            words: row.into_iter().flat_map(|l| l.words).collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::BBox;

    fn line(block: u32, words: &[(&str, u32, u32)]) -> LineWords {
        LineWords {
            block,
            words: words
                .iter()
                .map(|(t, left, top)| Word {
                    text: t.to_string(),
                    confidence: 90.0,
                    bbox: BBox {
                        left: *left,
                        top: *top,
                        width: 20,
                        height: 10,
                    },
                })
                .collect(),
        }
    }

    fn text(lines: &[LineWords]) -> Vec<String> {
        lines.iter().map(LineWords::text).collect()
    }

    #[test]
    fn table_columns_are_read_row_by_row() {
        // Tesseract's order: column 1 (block 1) then column 2 (block 2).
        let lines = vec![
            line(1, &[("Item", 10, 100)]),
            line(1, &[("Apples", 10, 120)]),
            line(2, &[("Price", 200, 101)]),
            line(2, &[("3.50", 200, 121)]),
        ];
        assert_eq!(text(&reading_order(lines)), ["Item Price", "Apples 3.50"]);
    }

    #[test]
    fn lines_of_one_block_are_never_merged() {
        // A skewed paragraph: the second line starts level with the end of the first.
        let lines = vec![
            line(1, &[("a", 10, 10), ("b", 300, 30)]),
            line(1, &[("c", 400, 32)]),
        ];
        assert_eq!(text(&reading_order(lines)), ["a b", "c"]);
    }

    #[test]
    fn stacked_lines_keep_top_to_bottom_order() {
        let lines = vec![
            line(1, &[("second", 10, 40)]),
            line(1, &[("first", 10, 10)]),
        ];
        assert_eq!(text(&reading_order(lines)), ["first", "second"]);
    }
}
