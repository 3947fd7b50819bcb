//! The result model: what `extract` prints and `/status` returns under `result`.

use crate::error::ProcessError;
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
    pub error: Option<ProcessError>,
}

impl DocumentResult {
    pub fn from_pages(pages: Vec<PageResult>) -> Self {
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
        DocumentResult {
            page_count: pages.len() as u32,
            text,
            pages,
            qr_codes,
            codes,
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
