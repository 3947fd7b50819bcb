//! The document pipeline: sniff, check limits, produce page images on the calling thread (pdfium
//! stays on one thread per document), analyse them on the worker pool, assemble the result.

use crate::config::{Config, OcrMode};
use crate::error::{ErrorCode, ProcessError};
use crate::input::format::{self, Format};
use crate::input::pdf;
use crate::input::raster::{self, PageImage};
use crate::layout::Rule;
use crate::output::result::{BBox, DocumentResult, PageResult, Source, Word};
use crate::page::preview::Previews;
use crate::plan;
use crate::pool::{Done, Job, TextSource, WorkerPool};
use crossbeam_channel::{unbounded, Receiver, RecvTimeoutError, Sender};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Pages rendered before the document is reopened to drop pdfium's caches.
const REOPEN_EVERY_PAGES: u32 = 10;

/// A document to process: bytes in memory, or a file. A PDF file is read by pdfium on demand, so
/// memory does not grow with the file's size (images are read whole: their size is bounded).
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    Bytes(&'a [u8]),
    File(&'a Path),
}

/// One document to process, and what to make besides its result. Built from its input
/// ([`Document::bytes`], [`Document::file`]), the rest optional:
/// `engine.process(Document::file(path).hint(Some("pdf")).previews(previews))`.
pub struct Document<'a> {
    input: Input<'a>,
    hint: Option<&'a str>,
    progress: &'a dyn Fn(Progress),
    previews: Option<Previews>,
}

fn no_progress(_: Progress) {}

impl<'a> Document<'a> {
    pub fn new(input: Input<'a>) -> Self {
        Document {
            input,
            hint: None,
            progress: &no_progress,
            previews: None,
        }
    }

    pub fn bytes(bytes: &'a [u8]) -> Self {
        Document::new(Input::Bytes(bytes))
    }

    pub fn file(path: &'a Path) -> Self {
        Document::new(Input::File(path))
    }

    /// The declared type (`pdf`, `png`, ...): named in the error when the content is neither;
    /// the content decides the format.
    pub fn hint(mut self, hint: impl Into<Option<&'a str>>) -> Self {
        self.hint = hint.into();
        self
    }

    /// Told the page count, then each page done.
    pub fn progress(mut self, progress: &'a dyn Fn(Progress)) -> Self {
        self.progress = progress;
        self
    }

    /// Each page's preview is written too (see [`crate::page::preview`]).
    pub fn previews(mut self, previews: Option<Previews>) -> Self {
        self.previews = previews;
        self
    }
}

/// Progress of one document, for progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// The document has this many pages.
    Pages(u32),
    /// One more page is done.
    PageDone,
}

pub struct Engine {
    config: Config,
    pool: WorkerPool,
}

impl Engine {
    pub fn new(config: Config) -> Result<Self, ProcessError> {
        warn_if_openmp_unbounded();
        let pool = WorkerPool::start(&config)?;
        Ok(Engine { config, pool })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn workers(&self) -> usize {
        self.pool.size()
    }

    /// Binds libpdfium now (it is otherwise bound on the first PDF), to fail fast at start-up.
    pub fn check_pdfium(&self) -> Result<(), ProcessError> {
        pdf::pdfium(self.config.pdfium_lib_path.as_deref()).map(|_| ())
    }

    /// The one way in. Never panics and never returns without a result: every failure is an
    /// `error` with its code.
    pub fn process(&self, document: Document<'_>) -> DocumentResult {
        let Document {
            input,
            hint,
            progress,
            previews,
        } = document;
        let previews = previews.map(Arc::new);
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.run(input, hint, progress, previews)
        }));
        match run {
            Ok(Ok(result)) => result,
            Ok(Err(e)) => DocumentResult::failed(e),
            Err(_) => DocumentResult::failed(ProcessError::internal("processing panicked")),
        }
    }

    fn run(
        &self,
        input: Input<'_>,
        hint: Option<&str>,
        progress: &dyn Fn(Progress),
        previews: Option<Arc<Previews>>,
    ) -> Result<DocumentResult, ProcessError> {
        let limits = &self.config.limits;
        let deadline = Instant::now() + limits.document_timeout;
        let size = match input {
            Input::Bytes(b) => b.len() as u64,
            Input::File(path) => std::fs::metadata(path)
                .map_err(|e| io_error(path, e))?
                .len(),
        };
        // Refused by size before a byte of it is read.
        if size > limits.max_file_bytes {
            return Err(ProcessError::new(
                ErrorCode::TooLarge,
                format!(
                    "the file is {size} bytes, over the limit of {}",
                    limits.max_file_bytes
                ),
            ));
        }
        if size == 0 {
            return Err(ProcessError::corrupt("the file is empty (0 bytes)"));
        }
        let format = format::sniff(&head_of(input)?).ok_or_else(|| {
            ProcessError::unsupported(format!(
                "the content is not a PDF or a supported image (PNG, JPEG, TIFF, BMP, GIF, WebP){}",
                hint.map(|h| format!("; it was declared as {h:?}"))
                    .unwrap_or_default()
            ))
        })?;
        let mut run = DocRun::new(self, deadline, progress, previews);
        match (format, input) {
            (Format::Pdf, input) => self.produce_pdf(input, &mut run)?,
            (_, Input::Bytes(bytes)) => self.produce_image(bytes, format, &mut run)?,
            (_, Input::File(path)) => {
                let bytes = std::fs::read(path).map_err(|e| io_error(path, e))?;
                self.produce_image(&bytes, format, &mut run)?
            }
        }
        run.finish()
    }

    /// Writes the searchable PDF of a document this engine has processed into `result` (see
    /// [`crate::output::searchable`]). Only a successful result has words to lay over.
    pub fn write_searchable_pdf(
        &self,
        input: Input<'_>,
        result: &DocumentResult,
        out: &Path,
    ) -> Result<(), ProcessError> {
        let format = format::sniff(&head_of(input)?)
            .ok_or_else(|| ProcessError::unsupported("the content is not a PDF or an image"))?;
        crate::output::searchable::write(&self.config.limits, input, format, result, out)
    }

    fn produce_image(
        &self,
        bytes: &[u8],
        format: Format,
        run: &mut DocRun,
    ) -> Result<(), ProcessError> {
        let pages = raster::page_count(bytes, format, &self.config.limits)?;
        (run.progress)(Progress::Pages(pages));
        let ocr = self.config.ocr_mode != OcrMode::Never;
        raster::for_each_page(bytes, format, &self.config.limits, |index, page| {
            let PageImage { image, dpi } = page;
            let shell = empty_page(index, image.width(), image.height(), dpi, source(ocr));
            let text = if ocr {
                TextSource::Ocr
            } else {
                TextSource::Layer {
                    lines: Vec::new(),
                    rules: Vec::new(),
                }
            };
            run.make_room()?;
            run.submit(shell, image, dpi, text)
        })
    }

    fn produce_pdf(&self, input: Input<'_>, run: &mut DocRun) -> Result<(), ProcessError> {
        let pdfium = pdf::pdfium(self.config.pdfium_lib_path.as_deref())?;
        let mut doc = pdf::open(pdfium, input)?;
        let count = doc.pages().len().max(0) as u32;
        if count > self.config.limits.max_pages {
            return Err(ProcessError::new(
                ErrorCode::TooManyPages,
                format!(
                    "the PDF has {count} pages, over the limit of {}",
                    self.config.limits.max_pages
                ),
            ));
        }
        if count == 0 {
            return Err(ProcessError::corrupt("the PDF has no pages"));
        }
        (run.progress)(Progress::Pages(count));
        for index in 0..count {
            run.check_deadline()?;
            if index > 0 && index % REOPEN_EVERY_PAGES == 0 {
                // pdfium keeps every object it parsed (and the fonts and images it loaded) until the
                // document is closed: reopening keeps memory flat however long the document is.
                drop(doc);
                doc = pdf::open(pdfium, input)?;
            }
            let page = doc.pages().get(index as i32).map_err(|e| {
                ProcessError::corrupt(format!("page {} cannot be read: {e}", index + 1))
            })?;
            let limits = &self.config.limits;
            let facts =
                pdf::facts_within(&page, limits.max_page_words.saturating_mul(CHARS_PER_WORD))
                    .map_err(|chars| {
                        ProcessError::new(
                            ErrorCode::TooLarge,
                            format!(
                                "page {}'s text layer holds {chars} characters, over the limit of \
                                 {} words per page",
                                index + 1,
                                limits.max_page_words
                            ),
                        )
                    })?;
            let plan = plan::pdf_page(
                &facts.plan,
                self.config.ocr_mode,
                self.config.ocr_dpi,
                self.config.limits.max_page_pixels,
            );
            run.make_room()?;
            let image =
                crate::profile::step("render", || pdf::render(&page, &facts.plan, plan.dpi))?;
            drop(page);
            let scale = plan.dpi / 72.0;
            let page_h = facts.plan.height_pt;
            let text = if plan.use_text_layer {
                let lines = facts
                    .text
                    .lines
                    .iter()
                    .map(|line| {
                        line.iter()
                            .map(|w| Word {
                                text: w.text.clone(),
                                confidence: 100.0,
                                bbox: pt_box(w.rect, page_h, scale),
                            })
                            .collect()
                    })
                    .collect();
                let rules = facts
                    .rules
                    .iter()
                    .map(|&r| pt_rule(r, page_h, scale))
                    .collect();
                TextSource::Layer { lines, rules }
            } else {
                TextSource::Ocr
            };
            let dpi = Some(plan.dpi.round() as u32);
            let shell = empty_page(
                index as usize,
                image.width(),
                image.height(),
                dpi,
                source(!plan.use_text_layer),
            );
            run.submit(shell, image, dpi, text)?;
        }
        Ok(())
    }
}

/// Characters a page's text layer may hold per word of the page limit, checked before any word is
/// built (real text averages 5-7 characters per word with its spaces).
const CHARS_PER_WORD: usize = 12;

/// Enough of the start of a file to sniff its format (PDF allows 1 KiB of junk before its header).
const HEAD_BYTES: usize = 1024;

/// The start of the input, for sniffing its format.
fn head_of(input: Input<'_>) -> Result<Vec<u8>, ProcessError> {
    match input {
        Input::Bytes(b) => Ok(b[..b.len().min(HEAD_BYTES)].to_vec()),
        Input::File(path) => read_head(path).map_err(|e| io_error(path, e)),
    }
}

fn read_head(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::with_capacity(HEAD_BYTES);
    std::fs::File::open(path)?
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut head)?;
    Ok(head)
}

fn io_error(path: &Path, e: std::io::Error) -> ProcessError {
    let code = match e.kind() {
        std::io::ErrorKind::NotFound => ErrorCode::NotFound,
        std::io::ErrorKind::PermissionDenied => ErrorCode::AccessDenied,
        _ => ErrorCode::Internal,
    };
    ProcessError::new(code, format!("cannot read {}: {e}", path.display()))
}

fn source(ocr: bool) -> Source {
    if ocr {
        Source::Ocr
    } else {
        Source::TextLayer
    }
}

fn empty_page(
    index: usize,
    width: u32,
    height: u32,
    dpi: Option<u32>,
    source: Source,
) -> PageResult {
    PageResult {
        page: index as u32 + 1,
        width,
        height,
        dpi,
        source,
        rotation: 0,
        skew: 0.0,
        text: String::new(),
        confidence: None,
        blocks: Vec::new(),
        words: Vec::new(),
        qr_codes: Vec::new(),
        codes: Vec::new(),
    }
}

/// A box in PDF points (origin bottom-left) to page pixels (origin top-left).
/// A ruling line in points (origin bottom-left) as a rule in page pixels.
fn pt_rule([x0, y0, x1, y1]: [f32; 4], page_height_pt: f32, scale: f32) -> Rule {
    let (x0, x1) = (x0 * scale, x1 * scale);
    let (y0, y1) = ((page_height_pt - y0) * scale, (page_height_pt - y1) * scale);
    if (y1 - y0).abs() <= (x1 - x0).abs() {
        Rule::horizontal((y0 + y1) / 2.0, x0, x1)
    } else {
        Rule::vertical((x0 + x1) / 2.0, y0, y1)
    }
}

fn pt_box(rect: [f32; 4], page_height_pt: f32, scale: f32) -> BBox {
    let [l, b, r, t] = rect;
    let px = |v: f32| (v * scale).round().max(0.0) as u32;
    BBox {
        left: px(l),
        top: px(page_height_pt - t),
        width: px(r - l),
        height: px(t - b),
    }
}

/// One document in flight: its page shells, the reply channel, and its deadline.
struct DocRun<'e> {
    engine: &'e Engine,
    deadline: Instant,
    progress: &'e dyn Fn(Progress),
    previews: Option<Arc<Previews>>,
    cancel: Arc<AtomicBool>,
    reply_tx: Sender<Done>,
    reply_rx: Receiver<Done>,
    shells: Vec<Option<PageResult>>,
    done: Vec<Option<PageResult>>,
    /// Each page's second reading for the fields step (`PageRead::second`).
    second: Vec<Vec<crate::Word>>,
    pending: usize,
    /// Words of the pages done so far.
    words: usize,
}

impl<'e> DocRun<'e> {
    fn new(
        engine: &'e Engine,
        deadline: Instant,
        progress: &'e dyn Fn(Progress),
        previews: Option<Arc<Previews>>,
    ) -> Self {
        let (reply_tx, reply_rx) = unbounded();
        DocRun {
            engine,
            deadline,
            progress,
            previews,
            cancel: Arc::new(AtomicBool::new(false)),
            reply_tx,
            reply_rx,
            shells: Vec::new(),
            done: Vec::new(),
            second: Vec::new(),
            pending: 0,
            words: 0,
        }
    }

    fn check_deadline(&self) -> Result<(), ProcessError> {
        if Instant::now() >= self.deadline {
            self.cancel.store(true, Ordering::Relaxed);
            return Err(ProcessError::new(
                ErrorCode::Timeout,
                format!(
                    "processing took longer than {} s",
                    self.engine.config.limits.document_timeout.as_secs()
                ),
            ));
        }
        Ok(())
    }

    fn submit(
        &mut self,
        shell: PageResult,
        image: image::GrayImage,
        dpi: Option<u32>,
        text: TextSource,
    ) -> Result<(), ProcessError> {
        self.check_deadline()?;
        let index = shell.page as usize - 1;
        if self.shells.len() <= index {
            self.shells.resize_with(index + 1, || None);
            self.done.resize_with(index + 1, || None);
            self.second.resize_with(index + 1, Vec::new);
        }
        self.shells[index] = Some(shell);
        self.pending += 1;
        self.engine.pool.submit(Job {
            index,
            image,
            dpi,
            text,
            cancel: self.cancel.clone(),
            reply: self.reply_tx.clone(),
            preview: self.previews.clone(),
        })?;
        // Collect what is already finished, so progress moves while pages are still being rendered.
        while let Ok(done) = self.reply_rx.try_recv() {
            self.complete(done)?;
        }
        Ok(())
    }

    /// Without render-ahead: waits until an OCR thread is free before the next page is made.
    fn make_room(&mut self) -> Result<(), ProcessError> {
        if self.engine.config.render_ahead {
            return Ok(());
        }
        while self.pending >= self.engine.pool.size() {
            self.wait_one()?;
        }
        Ok(())
    }

    /// Waits for one page to finish, within the document's deadline.
    fn wait_one(&mut self) -> Result<(), ProcessError> {
        let wait = self.deadline.saturating_duration_since(Instant::now());
        match self.reply_rx.recv_timeout(wait) {
            Ok(done) => self.complete(done),
            Err(RecvTimeoutError::Timeout) => self.check_deadline(),
            Err(RecvTimeoutError::Disconnected) => {
                Err(ProcessError::internal("the OCR workers have stopped"))
            }
        }
    }

    fn complete(&mut self, done: Done) -> Result<(), ProcessError> {
        self.pending -= 1;
        let analysis = done.outcome.map_err(|e| {
            self.cancel.store(true, Ordering::Relaxed);
            ProcessError::new(e.code, format!("page {}: {}", done.index + 1, e.message))
        })?;
        let mut result = self.shells[done.index].take().expect("page shell");
        let read = analysis.read;
        self.words += read.words.len();
        let limits = &self.engine.config.limits;
        if read.words.len() > limits.max_page_words || self.words > limits.max_document_words {
            self.cancel.store(true, Ordering::Relaxed);
            return Err(ProcessError::new(
                ErrorCode::TooLarge,
                if read.words.len() > limits.max_page_words {
                    format!(
                        "page {} holds {} words, over the limit of {} per page",
                        done.index + 1,
                        read.words.len(),
                        limits.max_page_words
                    )
                } else {
                    format!(
                        "the document holds more than {} words (the limit per document)",
                        limits.max_document_words
                    )
                },
            ));
        }
        self.second[done.index] = read.second;
        result.text = read.text;
        result.confidence = read.confidence;
        result.blocks = read.blocks;
        result.words = read.words;
        result.rotation = read.rotation;
        result.skew = read.skew;
        result.dpi = result.dpi.or(read.dpi);
        result.qr_codes = analysis.qr;
        result.codes = analysis.codes;
        self.done[done.index] = Some(result);
        (self.progress)(Progress::PageDone);
        Ok(())
    }

    fn finish(mut self) -> Result<DocumentResult, ProcessError> {
        while self.pending > 0 {
            self.wait_one()?;
        }
        let pages = std::mem::take(&mut self.done)
            .into_iter()
            .map(|p| p.expect("every page completed"))
            .collect();
        Ok(DocumentResult::from_pages_read_twice(
            pages,
            std::mem::take(&mut self.second),
        ))
    }
}

impl Drop for DocRun<'_> {
    fn drop(&mut self) {
        // Whatever is still queued for this document is of no use any more.
        self.cancel.store(true, Ordering::Relaxed);
    }
}

fn warn_if_openmp_unbounded() {
    if std::env::var_os("OMP_THREAD_LIMIT").is_none() {
        tracing::warn!(
            "OMP_THREAD_LIMIT is not set: Tesseract's OpenMP threads will oversubscribe the CPUs \
             (about 5x slower per page); start the process with OMP_THREAD_LIMIT=1"
        );
    }
}
