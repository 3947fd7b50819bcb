//! Tesseract through leptess: one engine per worker thread, initialised once and reused.

use crate::error::ProcessError;
use crate::layout::{self, LineWords};
use crate::result::{BBox, Word};
use image::GrayImage;
use leptess::tesseract::TessApi;
use std::path::Path;

/// What OCR found on one page.
#[derive(Debug, Clone, PartialEq)]
pub struct OcrPage {
    pub text: String,
    pub words: Vec<Word>,
    pub confidence: Option<f32>,
}

pub struct OcrEngine {
    api: TessApi,
}

impl OcrEngine {
    pub fn new(tessdata: Option<&Path>, languages: &str) -> Result<Self, ProcessError> {
        let path = tessdata.map(|p| p.to_string_lossy().into_owned());
        let mut api = TessApi::new(path.as_deref(), languages).map_err(|_| {
            ProcessError::internal(format!(
                "Tesseract could not load languages {languages:?} (tessdata: {}); install the traineddata \
                 or set TESSDATA_PREFIX",
                path.as_deref().unwrap_or("default")
            ))
        })?;
        // Tesseract prints "Estimating resolution ..." and similar chatter to stderr for every page.
        let _ = api.raw.set_variable(c"debug_file", c"/dev/null");
        Ok(OcrEngine { api })
    }

    /// Recognises one page. `dpi` is the page's real resolution when known: Tesseract's layout
    /// analysis (and so the reading order) depends on it.
    pub fn recognize(
        &mut self,
        img: &GrayImage,
        dpi: Option<u32>,
    ) -> Result<OcrPage, ProcessError> {
        let (w, h) = img.dimensions();
        self.api
            .raw
            .set_image(img.as_raw(), w as i32, h as i32, 1, w as i32)
            .map_err(|e| {
                ProcessError::internal(format!("Tesseract refused the page image: {e:?}"))
            })?;
        if let Some(dpi) = dpi {
            self.api.set_source_resolution(dpi as i32);
        }
        self.api
            .raw
            .recognize()
            .map_err(|_| ProcessError::internal("Tesseract failed to recognise the page"))?;
        let tsv = self.api.get_tsv_text(0).map_err(|e| {
            ProcessError::internal(format!("Tesseract returned invalid UTF-8: {e}"))
        })?;
        Ok(page_from_tsv(&tsv))
    }
}

/// One row of Tesseract's TSV output at word level.
#[derive(Debug, Clone, PartialEq)]
struct TsvWord {
    block: u32,
    par: u32,
    line: u32,
    word: Word,
}

fn parse_tsv(tsv: &str) -> Vec<TsvWord> {
    tsv.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.splitn(12, '\t').collect();
            if f.len() < 12 || f[0] != "5" {
                return None;
            }
            let n = |i: usize| f[i].trim().parse::<i64>().ok();
            let text = f[11].trim();
            if text.is_empty() {
                return None;
            }
            Some(TsvWord {
                block: n(2)? as u32,
                par: n(3)? as u32,
                line: n(4)? as u32,
                word: Word {
                    text: text.to_string(),
                    confidence: f[10].trim().parse::<f32>().ok()?.max(0.0),
                    bbox: BBox {
                        left: n(6)?.max(0) as u32,
                        top: n(7)?.max(0) as u32,
                        width: n(8)?.max(0) as u32,
                        height: n(9)?.max(0) as u32,
                    },
                },
            })
        })
        .collect()
}

/// Builds the page from TSV rows: words grouped into Tesseract's lines, then put in reading order.
pub fn page_from_tsv(tsv: &str) -> OcrPage {
    let rows = parse_tsv(tsv);
    let mut lines: Vec<LineWords> = Vec::new();
    let mut key = None;
    for r in rows {
        let k = (r.block, r.par, r.line);
        if key != Some(k) {
            lines.push(LineWords {
                block: r.block,
                words: Vec::new(),
            });
            key = Some(k);
        }
        lines.last_mut().expect("pushed above").words.push(r.word);
    }
    let ordered = layout::reading_order(lines);
    let words: Vec<Word> = ordered
        .iter()
        .flat_map(|l| l.words.iter().cloned())
        .collect();
    let text = ordered
        .iter()
        .map(LineWords::text)
        .collect::<Vec<_>>()
        .join("\n");
    let confidence = (!words.is_empty())
        .then(|| words.iter().map(|w| w.confidence).sum::<f32>() / words.len() as f32);
    OcrPage {
        text,
        words,
        confidence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TSV: &str = "1\t1\t0\t0\t0\t0\t0\t0\t100\t50\t-1\t\n\
5\t1\t1\t1\t1\t1\t10\t10\t30\t10\t96.5\tHello\n\
5\t1\t1\t1\t1\t2\t45\t10\t30\t10\t90.5\tworld\n\
5\t1\t1\t1\t2\t1\t10\t25\t30\t10\t80\tnext\n\
5\t1\t1\t1\t2\t2\t45\t25\t30\t10\t-1\t \n";

    #[test]
    fn tsv_gives_words_lines_and_mean_confidence() {
        let p = page_from_tsv(TSV);
        assert_eq!(p.text, "Hello world\nnext");
        assert_eq!(p.words.len(), 3);
        assert_eq!(
            p.words[1].bbox,
            BBox {
                left: 45,
                top: 10,
                width: 30,
                height: 10
            }
        );
        let c = p.confidence.unwrap();
        assert!((c - (96.5 + 90.5 + 80.0) / 3.0).abs() < 1e-3);
    }

    #[test]
    fn empty_tsv_is_an_empty_page() {
        let p = page_from_tsv("");
        assert_eq!(p.text, "");
        assert!(p.words.is_empty());
        assert_eq!(p.confidence, None);
    }
}
