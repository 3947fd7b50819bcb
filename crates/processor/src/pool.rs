//! The OCR worker pool: a fixed set of OS threads, each owning one Tesseract engine initialised
//! once, fed through a bounded channel so that rendered pages never pile up in memory.

use crate::codes::{self, CodeFormats, CodeSearch};
use crate::error::ProcessError;
use crate::layout::Rule;
use crate::ocr::OcrEngine;
use crate::orientation::OrientationDetector;
use crate::page_read::{self, PageRead, Readers};
use crate::preview::Previews;
use crate::profile;
use crate::qr::{self, QrOptions};
use crate::result::{BBox, PageCode, PageQr, Word};
use crossbeam_channel::{bounded, Receiver, Sender};
use image::GrayImage;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

/// One page to analyse.
pub struct Job {
    pub index: usize,
    pub image: GrayImage,
    pub dpi: Option<u32>,
    pub text: TextSource,
    /// Set when the document gave up (timeout): queued pages of it are skipped.
    pub cancel: Arc<AtomicBool>,
    pub reply: Sender<Done>,
    /// Write the page's preview here, when asked for.
    pub preview: Option<Arc<Previews>>,
}

pub struct Done {
    pub index: usize,
    pub outcome: Result<Analysis, ProcessError>,
}

/// Where a page's text comes from.
pub enum TextSource {
    /// OCR of the page image.
    Ocr,
    /// The PDF's own text layer: lines of words, and the page's ruling lines, already in page
    /// pixels (empty: no text).
    Layer {
        lines: Vec<Vec<Word>>,
        rules: Vec<Rule>,
    },
}

pub struct Analysis {
    pub read: PageRead,
    pub qr: Vec<PageQr>,
    pub codes: Vec<PageCode>,
}

pub struct WorkerPool {
    tx: Option<Sender<Job>>,
    handles: Vec<JoinHandle<()>>,
    size: usize,
}

impl WorkerPool {
    /// Starts `size` workers and waits until every engine has loaded (so a missing language
    /// fails here, at start-up, not on the first page).
    pub fn start(
        size: usize,
        tessdata: Option<PathBuf>,
        languages: &str,
        qr: QrOptions,
        formats: CodeFormats,
    ) -> Result<Self, ProcessError> {
        let size = size.max(1);
        let (tx, rx) = bounded::<Job>(size);
        let (ready_tx, ready_rx) = bounded::<Result<(), ProcessError>>(size);
        let mut handles = Vec::with_capacity(size);
        for i in 0..size {
            let rx = rx.clone();
            let ready = ready_tx.clone();
            let tessdata = tessdata.clone();
            let languages = languages.to_string();
            let formats = formats.clone();
            let handle = std::thread::Builder::new()
                .name(format!("ocr-{i}"))
                .spawn(
                    move || match OcrEngine::new(tessdata.as_deref(), &languages) {
                        Ok(tesseract) => {
                            let osd = OrientationDetector::new(tessdata.as_deref());
                            let _ = ready.send(Ok(()));
                            drop(ready);
                            work(Readers { tesseract, osd }, rx, qr, &formats);
                        }
                        Err(e) => {
                            let _ = ready.send(Err(e));
                        }
                    },
                )
                .map_err(|e| ProcessError::internal(format!("cannot start an OCR thread: {e}")))?;
            handles.push(handle);
        }
        drop(ready_tx);
        let mut pool = WorkerPool {
            tx: Some(tx),
            handles,
            size,
        };
        for _ in 0..size {
            match ready_rx.recv() {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    pool.shutdown();
                    return Err(e);
                }
                Err(_) => {
                    pool.shutdown();
                    return Err(ProcessError::internal("an OCR worker died while starting"));
                }
            }
        }
        Ok(pool)
    }

    pub fn size(&self) -> usize {
        self.size
    }

    /// Queues a page; blocks while the queue is full (that is the back-pressure on rendering).
    pub fn submit(&self, job: Job) -> Result<(), ProcessError> {
        self.tx
            .as_ref()
            .expect("pool is running")
            .send(job)
            .map_err(|_| ProcessError::internal("the OCR workers have stopped"))
    }

    fn shutdown(&mut self) {
        self.tx.take();
        for h in self.handles.drain(..) {
            let _ = h.join();
        }
    }
}

impl Drop for WorkerPool {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn work(mut readers: Readers, rx: Receiver<Job>, qr_opts: QrOptions, formats: &CodeFormats) {
    let search = CodeSearch::new(formats, qr_opts.zxing);
    for job in rx {
        if job.cancel.load(Ordering::Relaxed) {
            continue;
        }
        let Job {
            index,
            mut image,
            dpi,
            text,
            reply,
            cancel,
            preview,
        } = job;
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            if let Some(previews) = &preview {
                // A preview is for looking at the result: one that cannot be written leaves the
                // viewer without this page's picture, never the document without its result.
                if let Err(e) =
                    profile::step("preview", || previews.write(index as u32 + 1, &image))
                {
                    tracing::warn!(page = index + 1, error = %e, "page preview not written");
                }
            }
            let words: Option<Vec<BBox>> = match &text {
                TextSource::Layer { lines, .. } => {
                    Some(lines.iter().flatten().map(|w| w.bbox).collect())
                }
                TextSource::Ocr => None,
            };
            let codes = profile::step("codes", || search.page(&image, words.as_deref()));
            let mut qr: Vec<PageQr> = codes
                .iter()
                .filter(|c| codes::is_qr(&c.format))
                .map(|c| PageQr {
                    data: c.data.clone(),
                    bbox: c.bbox,
                })
                .collect();
            if qr_opts.rqrr {
                qr::merge(&mut qr, profile::step("qr rqrr", || qr::rqrr(&image)));
            }
            let read = match text {
                TextSource::Ocr => {
                    // A code is never text; left in, Tesseract reads it as a line of junk.
                    for bbox in codes
                        .iter()
                        .map(|c| c.bbox)
                        .chain(qr.iter().map(|q| q.bbox))
                    {
                        blank(&mut image, bbox);
                    }
                    page_read::ocr(&mut readers, &image, dpi, &cancel)?
                }
                TextSource::Layer { lines, rules } => {
                    profile::step("layout", || page_read::from_layer(lines, &rules))
                }
            };
            Ok(Analysis { read, qr, codes })
        }))
        .unwrap_or_else(|_| Err(ProcessError::internal("page analysis panicked")));
        let _ = reply.send(Done { index, outcome });
        release_freed_memory();
    }
}

/// Hands the page's freed buffers (image, Tesseract's working copies) back to the OS. glibc keeps
/// them in per-thread arenas otherwise, and RSS creeps up with the page count.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Paints a box (plus its quiet zone) white.
fn blank(image: &mut GrayImage, bbox: BBox) {
    let margin = bbox.width.max(bbox.height) / 8 + 2;
    let (w, h) = image.dimensions();
    let x0 = bbox.left.saturating_sub(margin);
    let y0 = bbox.top.saturating_sub(margin);
    let x1 = (bbox.left + bbox.width + margin).min(w);
    let y1 = (bbox.top + bbox.height + margin).min(h);
    for y in y0..y1 {
        for x in x0..x1 {
            image.put_pixel(x, y, image::Luma([255]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_whitens_the_box_and_its_margin_only() {
        let mut img = GrayImage::from_pixel(100, 100, image::Luma([0]));
        blank(
            &mut img,
            BBox {
                left: 40,
                top: 40,
                width: 16,
                height: 16,
            },
        );
        assert_eq!(img.get_pixel(48, 48).0[0], 255);
        assert_eq!(img.get_pixel(37, 37).0[0], 255); // margin 16/8+2 = 4
        assert_eq!(img.get_pixel(30, 30).0[0], 0);
        assert_eq!(img.get_pixel(99, 99).0[0], 0);
    }
}
