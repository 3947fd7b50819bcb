//! The result model: what `extract` prints and `/status` returns under `result`.

use crate::error::ProcessError;
pub use crate::fields::{Field, Fields, LineItem};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BBox {
    pub left: u32,
    pub top: u32,
    pub width: u32,
    pub height: u32,
}

impl BBox {
    /// Scales a box measured on an image `factor` times smaller/larger to this page's pixels.
    pub fn scaled(self, factor: f64) -> BBox {
        let s = |v: u32| (v as f64 * factor).round() as u32;
        BBox {
            left: s(self.left),
            top: s(self.top),
            width: s(self.width),
            height: s(self.height),
        }
    }

    pub fn contains_point(&self, x: u32, y: u32) -> bool {
        x >= self.left
            && x <= self.left + self.width
            && y >= self.top
            && y <= self.top + self.height
    }

    pub fn center(&self) -> (u32, u32) {
        (self.left + self.width / 2, self.top + self.height / 2)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Word {
    pub text: String,
    pub confidence: f32,
    pub bbox: BBox,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageQr {
    pub data: String,
    pub bbox: BBox,
}

/// A barcode of any kind (QR included): zxing's format name, the content as decoded, its box.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageCode {
    pub format: String,
    pub data: String,
    pub bbox: BBox,
    /// A GS1 code's human-readable form, `(01)...(10)...`; `data` holds the raw element string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gs1: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentCode {
    pub page: u32,
    pub format: String,
    pub data: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gs1: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentQr {
    pub page: u32,
    pub data: String,
}

/// What a block of the page is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    /// Running text: a paragraph, a column's run of lines, a title, a caption.
    Text,
    /// Rows of aligned cells; each line is one row, cells left to right.
    Table,
}

/// One line of a block, in reading order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub text: String,
    pub bbox: BBox,
}

/// A region of the page read as a unit; a page's blocks are in reading order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Block {
    pub kind: BlockKind,
    pub bbox: BBox,
    pub lines: Vec<Line>,
    /// A table's rows and cells (blocks of kind `table` only).
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub table: Option<Table>,
}

/// A table's structure: its grid and the cells in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub rows: u32,
    pub cols: u32,
    /// How many rows at the top are headers.
    pub header_rows: u32,
    /// Non-empty cells, row by row, left to right; an empty cell is absent.
    pub cells: Vec<TableCell>,
    /// The table this one goes on from, on the page before (same columns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continued_from: Option<TableRef>,
}

/// One cell: 0-based row and column of its top-left slot, how many rows and columns it spans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableCell {
    pub row: u32,
    pub col: u32,
    #[serde(default = "one")]
    pub row_span: u32,
    #[serde(default = "one")]
    pub col_span: u32,
    pub text: String,
    /// The cell's area on the page (between its rules or its channels of white).
    pub bbox: BBox,
}

fn one() -> u32 {
    1
}

/// A table by its place: 1-based page, 0-based index among that page's blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableRef {
    pub page: u32,
    pub block: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The PDF page's own text layer was used; no OCR.
    TextLayer,
    Ocr,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageResult {
    /// 1-based page number.
    pub page: u32,
    /// Size of the analysed page image, in pixels (all coordinates refer to it).
    pub width: u32,
    pub height: u32,
    /// Resolution of the analysed image: its own, or estimated from the size of its glyphs; null
    /// when neither was possible (no text).
    pub dpi: Option<u32>,
    pub source: Source,
    /// Clockwise quarter turn (0, 90, 180, 270) applied before OCR to set the page upright.
    /// Coordinates stay those of the page as given (width x height above).
    pub rotation: u16,
    /// Skew in degrees that was measured and corrected before OCR (0 when none was applied).
    pub skew: f32,
    /// The blocks' lines joined by line breaks, in reading order.
    pub text: String,
    /// Mean word confidence (0-100); 100 for a text layer, null for a page without words.
    pub confidence: Option<f32>,
    /// Text blocks and tables in reading order.
    pub blocks: Vec<Block>,
    /// Every word found, in reading order (words left out of the text as picture noise come last).
    pub words: Vec<Word>,
    pub qr_codes: Vec<PageQr>,
    /// Every barcode found (1D and 2D, QR included), top to bottom.
    #[serde(default)]
    pub codes: Vec<PageCode>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DocumentResult {
    pub page_count: u32,
    /// Page texts joined by form feeds.
    pub text: String,
    pub pages: Vec<PageResult>,
    pub qr_codes: Vec<DocumentQr>,
    /// Every page's codes, with their page.
    #[serde(default)]
    pub codes: Vec<DocumentCode>,
    /// A receipt's or an invoice's key fields (absent: none found, or not such a document).
    #[serde(default, skip_serializing_if = "Fields::is_empty")]
    pub fields: Fields,
    /// The lines of its item table.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub line_items: Vec<LineItem>,
    pub error: Option<ProcessError>,
}

impl DocumentResult {
    pub fn from_pages(pages: Vec<PageResult>) -> Self {
        Self::from_pages_read_twice(pages, Vec::new())
    }

    /// The document of its pages, with a second reading of some pages' words (by page, empty for
    /// none) for the fields their own words do not give.
    pub fn from_pages_read_twice(pages: Vec<PageResult>, second: Vec<Vec<Word>>) -> Self {
        let text = pages
            .iter()
            .map(|p| p.text.as_str())
            .collect::<Vec<_>>()
            .join("\u{c}");
        let qr_codes = pages
            .iter()
            .flat_map(|p| {
                p.qr_codes.iter().map(|q| DocumentQr {
                    page: p.page,
                    data: q.data.clone(),
                })
            })
            .collect();
        let codes = pages
            .iter()
            .flat_map(|p| {
                p.codes.iter().map(|c| DocumentCode {
                    page: p.page,
                    format: c.format.clone(),
                    data: c.data.clone(),
                    gs1: c.gs1.clone(),
                })
            })
            .collect();
        let mut pages = pages;
        link_continued_tables(&mut pages);
        let (fields, line_items) =
            crate::profile::step("fields", || crate::fields::extract_with(&pages, &second));
        DocumentResult {
            page_count: pages.len() as u32,
            text,
            pages,
            qr_codes,
            codes,
            fields,
            line_items,
            error: None,
        }
    }

    pub fn failed(error: ProcessError) -> Self {
        DocumentResult {
            error: Some(error),
            ..Default::default()
        }
    }

    pub fn is_ok(&self) -> bool {
        self.error.is_none()
    }
}

/// A page's running header or footer is at most this many lines ...
const MAX_RUNNING_LINES: usize = 2;
/// ... within this share of the page's height from its top or bottom.
const RUNNING_MARGIN: f32 = 0.12;
/// Columns of a table going on over a page break start at the same places, within this share of
/// the page's width.
const SAME_COLUMN: f32 = 0.02;

/// Links a table that goes on over a page break to its start: the last block of a page (but for
/// a footer) is a table, the first of the next page (but for a header) is one with as many
/// columns starting at the same places (its header repeated or not): the later part gets
/// `continued_from`.
pub fn link_continued_tables(pages: &mut [PageResult]) {
    let running = |p: &PageResult, b: &Block, top: bool| {
        let h = p.height.max(1) as f32;
        let edge = if top {
            (b.bbox.top + b.bbox.height) as f32 <= RUNNING_MARGIN * h
        } else {
            b.bbox.top as f32 >= (1.0 - RUNNING_MARGIN) * h
        };
        b.table.is_none() && b.lines.len() <= MAX_RUNNING_LINES && edge
    };
    for i in 1..pages.len() {
        let (before, after) = pages.split_at_mut(i);
        let (prev, next) = (&before[i - 1], &mut after[0]);
        let last = prev
            .blocks
            .iter()
            .rposition(|b| !running(prev, b, false))
            .filter(|&k| prev.blocks[k].table.is_some());
        let first = next
            .blocks
            .iter()
            .position(|b| !running(next, b, true))
            .filter(|&k| next.blocks[k].table.is_some());
        let (Some(last), Some(first)) = (last, first) else {
            continue;
        };
        let a = prev.blocks[last].table.as_ref().expect("checked");
        let b = next.blocks[first].table.as_ref().expect("checked");
        let starts = |t: &Table, width: u32| -> Vec<f32> {
            (0..t.cols)
                .map(|c| {
                    t.cells
                        .iter()
                        .filter(|x| x.col == c && x.col_span == 1)
                        .map(|x| x.bbox.left as f32 / width.max(1) as f32)
                        .fold(f32::INFINITY, f32::min)
                })
                .collect()
        };
        let (sa, sb) = (starts(a, prev.width), starts(b, next.width));
        let aligned = a.cols == b.cols
            && sa
                .iter()
                .zip(&sb)
                .all(|(x, y)| !x.is_finite() || !y.is_finite() || (x - y).abs() <= SAME_COLUMN);
        if aligned {
            let from = TableRef {
                page: prev.page,
                block: last as u32,
            };
            next.blocks[first]
                .table
                .as_mut()
                .expect("checked")
                .continued_from = Some(from);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn page(n: u32, text: &str, qr: &[&str]) -> PageResult {
        PageResult {
            page: n,
            width: 10,
            height: 10,
            dpi: Some(300),
            source: Source::Ocr,
            rotation: 0,
            skew: 0.0,
            text: text.into(),
            confidence: None,
            blocks: vec![],
            words: vec![],
            qr_codes: qr
                .iter()
                .map(|d| PageQr {
                    data: d.to_string(),
                    bbox: BBox::default(),
                })
                .collect(),
            codes: vec![],
        }
    }

    #[test]
    fn document_joins_pages_with_form_feed_and_lists_qr_by_page() {
        let r = DocumentResult::from_pages(vec![page(1, "a", &["x"]), page(2, "b", &["y", "z"])]);
        assert_eq!(r.page_count, 2);
        assert_eq!(r.text, "a\u{c}b");
        assert_eq!(
            r.qr_codes,
            vec![
                DocumentQr {
                    page: 1,
                    data: "x".into()
                },
                DocumentQr {
                    page: 2,
                    data: "y".into()
                },
                DocumentQr {
                    page: 2,
                    data: "z".into()
                }
            ]
        );
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["error"], serde_json::Value::Null);
        assert_eq!(json["pages"][0]["source"], "ocr");
    }

    fn table_block(top: u32, lefts: &[u32]) -> Block {
        let cells = (0..3)
            .flat_map(|row| {
                lefts.iter().enumerate().map(move |(col, &left)| TableCell {
                    row,
                    col: col as u32,
                    row_span: 1,
                    col_span: 1,
                    text: format!("r{row}c{col}"),
                    bbox: BBox {
                        left,
                        top: top + row * 20,
                        width: 50,
                        height: 20,
                    },
                })
            })
            .collect();
        Block {
            kind: BlockKind::Table,
            bbox: BBox {
                left: lefts[0],
                top,
                width: 300,
                height: 60,
            },
            lines: vec![],
            table: Some(Table {
                rows: 3,
                cols: lefts.len() as u32,
                header_rows: 1,
                cells,
                continued_from: None,
            }),
        }
    }

    fn text_block(top: u32, lines: usize) -> Block {
        Block {
            kind: BlockKind::Text,
            bbox: BBox {
                left: 100,
                top,
                width: 500,
                height: 20 * lines as u32,
            },
            lines: vec![
                Line {
                    text: "x".into(),
                    bbox: BBox::default()
                };
                lines
            ],
            table: None,
        }
    }

    fn with_blocks(n: u32, blocks: Vec<Block>) -> PageResult {
        PageResult {
            width: 1000,
            height: 1000,
            blocks,
            ..page(n, "", &[])
        }
    }

    #[test]
    fn a_table_going_on_over_a_page_break_is_linked_to_its_start() {
        let cols = [100, 300, 500];
        let pages = vec![
            with_blocks(
                1,
                vec![
                    text_block(100, 5),
                    table_block(700, &cols),
                    text_block(950, 1),
                ],
            ),
            with_blocks(
                2,
                vec![text_block(20, 1), table_block(150, &[102, 301, 498])],
            ),
            // Not after a caption, nor with other columns.
            with_blocks(3, vec![text_block(100, 2), table_block(200, &cols)]),
            with_blocks(4, vec![table_block(100, &[100, 250, 500])]),
        ];
        let r = DocumentResult::from_pages(pages);
        let link = |p: usize, b: usize| r.pages[p].blocks[b].table.as_ref().unwrap().continued_from;
        assert_eq!(link(1, 1), Some(TableRef { page: 1, block: 1 }));
        assert_eq!(link(2, 1), None);
        assert_eq!(link(3, 0), None);
        let json = serde_json::to_value(&r.pages[1].blocks[1]).unwrap();
        assert_eq!(json["continued_from"]["page"], 1);
        assert_eq!(json["cells"][0]["row_span"], 1);
        assert_eq!(json["rows"], 3);
        // A text block has none of a table's fields.
        let text = serde_json::to_value(&r.pages[0].blocks[0]).unwrap();
        assert!(text.get("cells").is_none() && text.get("rows").is_none());
        // And it reads back.
        let back: Block = serde_json::from_value(json).unwrap();
        assert_eq!(back, r.pages[1].blocks[1]);
    }

    #[test]
    fn failure_serialises_code_and_message() {
        let r = DocumentResult::failed(ProcessError::new(ErrorCode::TooManyPages, "1000 pages"));
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["error"]["code"], "too_many_pages");
        assert_eq!(json["error"]["message"], "1000 pages");
    }

    #[test]
    fn bbox_scaling_and_hit_test() {
        let b = BBox {
            left: 10,
            top: 20,
            width: 30,
            height: 40,
        };
        assert_eq!(
            b.scaled(2.0),
            BBox {
                left: 20,
                top: 40,
                width: 60,
                height: 80
            }
        );
        assert!(b.contains_point(25, 40));
        assert!(!b.contains_point(5, 40));
        assert_eq!(b.center(), (25, 40));
    }
}
