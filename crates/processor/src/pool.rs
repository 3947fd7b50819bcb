//! The OCR worker pool: a fixed set of OS threads, each owning one Tesseract engine initialised
//! once, fed through a bounded channel so that rendered pages never pile up in memory.

use crate::codes::qr::QrOptions;
use crate::codes::{self, CodeFormats, CodeSearch};
use crate::config::Config;
use crate::error::ProcessError;
use crate::layout::Rule;
use crate::output::result::{BBox, PageCode, PageQr, Word};
use crate::page::preview::Previews;
use crate::page::read::{self, PageRead, Readers};
use crate::profile;
use crate::recognition::ocr::OcrEngine;
use crossbeam_channel::{bounded, Receiver, Sender};
use image::GrayImage;
use std::panic::{catch_unwind, AssertUnwindSafe};
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
    /// Starts the configured workers and waits until every engine has loaded (so a missing
    /// language fails here, at start-up, not on the first page).
    pub fn start(config: &Config) -> Result<Self, ProcessError> {
        let size = config.workers.max(1);
        let (qr, models_at_start) = (config.qr, config.models_at_start);
        let (tx, rx) = bounded::<Job>(size);
        let (ready_tx, ready_rx) = bounded::<Result<(), ProcessError>>(size);
        let mut handles = Vec::with_capacity(size);
        for i in 0..size {
            let rx = rx.clone();
            let ready = ready_tx.clone();
            let tessdata = config.tessdata.clone();
            let languages = config.languages.clone();
            let formats = config.barcode_formats.clone();
            let figures = config.read_figures.then(|| config.figure_reader.clone());
            let handle = std::thread::Builder::new()
                .name(format!("ocr-{i}"))
                .spawn(
                    move || match OcrEngine::new(tessdata.as_deref(), &languages) {
                        Ok(tesseract) => {
                            let mut readers =
                                Readers::new(tesseract, tessdata).with_figures(figures);
                            if models_at_start {
                                readers.load_all();
                            }
                            let _ = ready.send(Ok(()));
                            drop(ready);
                            work(readers, rx, qr, &formats);
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
        let (index, reply) = (job.index, job.reply.clone());
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            analyse(&mut readers, &search, qr_opts.rqrr, job)
        }))
        .unwrap_or_else(|_| Err(ProcessError::internal("page analysis panicked")));
        let _ = reply.send(Done { index, outcome });
        release_freed_memory();
    }
}

/// One page: its preview, its codes, then its text (from its layer, or OCR of the page with the
/// codes masked out).
fn analyse(
    readers: &mut Readers,
    search: &CodeSearch,
    rqrr: bool,
    job: Job,
) -> Result<Analysis, ProcessError> {
    let Job {
        index,
        mut image,
        dpi,
        text,
        cancel,
        preview,
        ..
    } = job;
    if let Some(previews) = &preview {
        write_preview(previews, index, &image);
    }
    let words: Option<Vec<BBox>> = match &text {
        TextSource::Layer { lines, .. } => Some(lines.iter().flatten().map(|w| w.bbox).collect()),
        TextSource::Ocr => None,
    };
    let (codes, qr) = codes::on_page(search, rqrr, &image, words.as_deref());
    let read = match text {
        TextSource::Ocr => {
            // A code is never text; left in, Tesseract reads it as a line of junk.
            codes::mask(&mut image, codes.iter().map(|c| c.bbox));
            codes::mask(&mut image, qr.iter().map(|q| q.bbox));
            read::ocr(readers, &image, dpi, &cancel)?
        }
        TextSource::Layer { lines, rules } => {
            profile::step("layout", || read::from_layer(lines, &rules))
        }
    };
    Ok(Analysis { read, qr, codes })
}

/// A preview is for looking at the result: one that cannot be written leaves the viewer without
/// this page's picture, never the document without its result.
fn write_preview(previews: &Previews, index: usize, image: &GrayImage) {
    if let Err(e) = profile::step("preview", || previews.write(index as u32 + 1, image)) {
        tracing::warn!(page = index + 1, error = %e, "page preview not written");
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
