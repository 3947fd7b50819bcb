//! Tesseract OCR: one engine per worker thread, initialised once and reused. Recognition can be
//! cancelled between words (a timed-out document frees its worker at once).

use crate::error::{ErrorCode, ProcessError};
use crate::output::result::{BBox, Word};
use crate::recognition::capi;
use crate::recognition::tess::TessHandle;
use image::GrayImage;
use std::ffi::CStr;
use std::os::raw::{c_int, c_void};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

pub struct OcrEngine {
    tess: TessHandle,
}

impl OcrEngine {
    pub fn new(tessdata: Option<&Path>, languages: &str) -> Result<Self, ProcessError> {
        let mut tess = TessHandle::init(tessdata, languages).ok_or_else(|| {
            ProcessError::internal(format!(
                "Tesseract could not load languages {languages:?} (tessdata: {}); install the traineddata \
                 or set TESSDATA_PREFIX",
                tessdata.map_or("default".into(), |p| p.display().to_string())
            ))
        })?;
        // The library's default is one uniform block of text (PSM 6), the CLI's is automatic page
        // segmentation (PSM 3): without it Tesseract finds no columns, and noisy regions are read
        // as part of the text around them.
        // SAFETY: a live handle; the mode is one of Tesseract's constants.
        unsafe { capi::TessBaseAPISetPageSegMode(tess.raw(), capi::PSM_AUTO) };
        Ok(OcrEngine { tess })
    }

    /// Recognises one page: its words, grouped in Tesseract's lines. `dpi` is the page's real
    /// resolution when known: Tesseract's segmentation depends on it. Setting `cancel` stops the
    /// recognition at the next word.
    pub fn recognize(
        &mut self,
        img: &GrayImage,
        dpi: Option<u32>,
        cancel: &AtomicBool,
    ) -> Result<Vec<Vec<Word>>, ProcessError> {
        self.tess.set_image(img, dpi);
        self.run(cancel)
    }

    /// Recognises one region of a page as a single uniform block of text (Tesseract's PSM 6):
    /// a ruled table, whose narrow columns of short cells the page segmentation reads as tall
    /// specks. Boxes are in the page's pixels.
    pub fn recognize_block(
        &mut self,
        img: &GrayImage,
        region: BBox,
        dpi: Option<u32>,
        cancel: &AtomicBool,
    ) -> Result<Vec<Vec<Word>>, ProcessError> {
        self.tess.set_image(img, dpi);
        let api = self.tess.raw();
        // SAFETY: a live handle with an image set; the rectangle is within it (Tesseract clips).
        unsafe {
            capi::TessBaseAPISetRectangle(
                api,
                region.left as c_int,
                region.top as c_int,
                region.width as c_int,
                region.height as c_int,
            );
            capi::TessBaseAPISetPageSegMode(api, capi::PSM_SINGLE_BLOCK);
        }
        let lines = self.run(cancel);
        // SAFETY: as above; back to the page segmentation every other page is read with.
        unsafe { capi::TessBaseAPISetPageSegMode(self.tess.raw(), capi::PSM_AUTO) };
        lines
    }

    /// Recognises the image (or rectangle) set, as TSV lines; the image is cleared after.
    fn run(&mut self, cancel: &AtomicBool) -> Result<Vec<Vec<Word>>, ProcessError> {
        let api = self.tess.raw();
        // SAFETY: the monitor lives until after Recognize returns, and so does `cancel`, which the
        // callback reads through the pointer it is given; the TSV text is freed with TessDeleteText.
        let tsv = unsafe {
            let monitor = capi::TessMonitorCreate();
            capi::TessMonitorSetCancelFunc(monitor, Some(cancelled));
            capi::TessMonitorSetCancelThis(monitor, cancel as *const AtomicBool as *mut c_void);
            let rc = capi::TessBaseAPIRecognize(api, monitor);
            capi::TessMonitorDelete(monitor);
            if cancel.load(Ordering::Relaxed) {
                capi::TessBaseAPIClear(api);
                return Err(ProcessError::new(
                    ErrorCode::Timeout,
                    "recognition cancelled",
                ));
            }
            if rc != 0 {
                capi::TessBaseAPIClear(api);
                return Err(ProcessError::internal(
                    "Tesseract failed to recognise the page",
                ));
            }
            let raw = capi::TessBaseAPIGetTsvText(api, 0);
            if raw.is_null() {
                capi::TessBaseAPIClear(api);
                return Err(ProcessError::internal("Tesseract returned no text"));
            }
            let tsv = CStr::from_ptr(raw).to_string_lossy().into_owned();
            capi::TessDeleteText(raw);
            capi::TessBaseAPIClear(api);
            tsv
        };
        Ok(lines_from_tsv(&tsv))
    }
}

/// Tesseract's cancel callback: `this` is the job's cancel flag.
unsafe extern "C" fn cancelled(this: *mut c_void, _words: c_int) -> bool {
    // SAFETY: set to a live &AtomicBool for the duration of Recognize.
    unsafe { (*(this as *const AtomicBool)).load(Ordering::Relaxed) }
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

/// Words of the TSV grouped into Tesseract's lines, in Tesseract's order.
pub fn lines_from_tsv(tsv: &str) -> Vec<Vec<Word>> {
    let mut lines: Vec<Vec<Word>> = Vec::new();
    let mut key = None;
    for r in parse_tsv(tsv) {
        let k = (r.block, r.par, r.line);
        if key != Some(k) {
            lines.push(Vec::new());
            key = Some(k);
        }
        lines.last_mut().expect("pushed above").push(r.word);
    }
    lines
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
    fn tsv_gives_words_in_lines() {
        let lines = lines_from_tsv(TSV);
        let texts: Vec<Vec<&str>> = lines
            .iter()
            .map(|l| l.iter().map(|w| w.text.as_str()).collect())
            .collect();
        assert_eq!(texts, [vec!["Hello", "world"], vec!["next"]]);
        assert_eq!(lines[1][0].confidence, 80.0);
        assert_eq!(
            lines[0][1].bbox,
            BBox {
                left: 45,
                top: 10,
                width: 30,
                height: 10
            }
        );
    }

    #[test]
    fn empty_tsv_is_an_empty_page() {
        assert!(lines_from_tsv("").is_empty());
    }
}
