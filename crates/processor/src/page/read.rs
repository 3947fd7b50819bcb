//! One page's text: from its text layer, or through OCR at the right scale and orientation; then
//! the layout step, and every box back in the coordinates of the page image as given.

use crate::error::ProcessError;
use crate::layout::{self, PageText, Rule};
use crate::output::result::{BBox, Block, Word};
use crate::page::deskew;
use crate::page::glyphs;
use crate::page::orientation::{self, OrientationDetector};
use crate::page::ruling;
use crate::plan;
use crate::profile;
use crate::recognition::figures::{self, FigureReader};
use crate::recognition::ocr::OcrEngine;
use image::GrayImage;
use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

/// What a page's reading gives the page result.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PageRead {
    pub text: String,
    pub blocks: Vec<Block>,
    pub words: Vec<Word>,
    pub confidence: Option<f32>,
    /// Clockwise quarter turn applied before OCR.
    pub rotation: u16,
    /// Skew corrected before OCR, in degrees.
    pub skew: f32,
    /// Resolution of the page as given, estimated from its glyphs when it carried none.
    pub dpi: Option<u32>,
    /// A till receipt's words read again line by line by the figures' reader when Tesseract's
    /// give no total or no date: the fields step takes from them what the page's own words lack.
    /// Not part of the result.
    pub second: Vec<Word>,
}

/// A worker's engines: Tesseract for text, OSD for orientation and the receipt figures' reader
/// when their models are installed, each loaded on the first page that needs it: OSD's legacy
/// model costs a worker ~33 MB (BENCHMARKS.md), and most pages read upright without it.
pub struct Readers {
    pub tesseract: OcrEngine,
    osd: Lazy<OrientationDetector>,
    figures: Lazy<FigureReader>,
}

/// A model loaded on first use.
enum Lazy<T> {
    /// Not needed yet: where its files are.
    Unloaded(Option<PathBuf>),
    /// Loaded; None when it is not installed.
    Loaded(Option<T>),
}

impl Readers {
    /// `tessdata`: where OSD's model is looked for when a page first needs it.
    pub fn new(tesseract: OcrEngine, tessdata: Option<PathBuf>) -> Self {
        Readers {
            tesseract,
            osd: Lazy::Unloaded(tessdata),
            figures: Lazy::Unloaded(None),
        }
    }

    /// Where the receipt figures' reader is (`Some(None)`: beside the executable, else the
    /// checkout's); None: no figures read again.
    pub fn with_figures(mut self, folder: Option<Option<PathBuf>>) -> Self {
        self.figures = match folder {
            Some(folder) => Lazy::Unloaded(folder),
            None => Lazy::Loaded(None),
        };
        self
    }

    /// Whether the figures' reader has been loaded and found.
    pub fn figures_loaded(&self) -> bool {
        matches!(self.figures, Lazy::Loaded(Some(_)))
    }

    /// Loads every model now rather than on the first page that needs it.
    pub fn load_all(&mut self) {
        self.osd();
        self.figures();
    }

    fn figures(&mut self) -> Option<&mut FigureReader> {
        self.figures.get(|configured| {
            let dir = figures::folder(configured)?;
            profile::step("figures load", || FigureReader::load(&dir))
                .map_err(|e| tracing::warn!(error = %e, "receipt figures' reader not loaded"))
                .ok()
        })
    }

    /// Whether OSD has been loaded (by a page that needed it, or by [`Readers::load_all`]).
    pub fn osd_loaded(&self) -> bool {
        matches!(self.osd, Lazy::Loaded(_))
    }

    fn osd(&mut self) -> Option<&mut OrientationDetector> {
        self.osd.get(|tessdata| {
            profile::step("orientation load", || OrientationDetector::new(tessdata))
        })
    }
}

impl<T> Lazy<T> {
    /// The model, loaded from where its files are on first use.
    fn get(&mut self, load: impl FnOnce(Option<&std::path::Path>) -> Option<T>) -> Option<&mut T> {
        if let Lazy::Unloaded(files) = self {
            *self = Lazy::Loaded(load(files.as_deref()));
        }
        match self {
            Lazy::Loaded(model) => model.as_mut(),
            Lazy::Unloaded(_) => None,
        }
    }
}

/// A text layer's lines and the page's ruling lines (already in page pixels) through the layout
/// step.
pub fn from_layer(lines: Vec<Vec<Word>>, rules: &[Rule]) -> PageRead {
    let PageText {
        text,
        blocks,
        words,
        ..
    } = layout::lay_out_with(lines, rules);
    PageRead {
        text,
        blocks,
        confidence: (!words.is_empty()).then_some(100.0),
        words,
        ..PageRead::default()
    }
}

/// OCRs a page: enlarged when its text is small, turned upright when it reads as sideways or
/// upside down, laid out, boxes mapped back onto `image`.
pub fn ocr(
    readers: &mut Readers,
    image: &GrayImage,
    dpi: Option<u32>,
    cancel: &AtomicBool,
) -> Result<PageRead, ProcessError> {
    let Scaled {
        image: scaled,
        scale,
        ink,
    } = scale_for_ocr(image, dpi);
    let reading = read_upright(readers, &scaled, &ink, scale.dpi, cancel)?;
    let frame = Frame {
        turn: reading.turn,
        deskew: reading.deskew,
        turned: reading.size,
        scaled: scaled.dimensions(),
        upscale: scale.upscale,
        page: image.dimensions(),
    };
    let (text_lines, noise) = layout::split_noise(reading.lines);
    let PageText {
        text,
        mut blocks,
        mut words,
        skew,
    } = profile::step("layout", || {
        layout::lay_out_with(text_lines, &reading.rules)
    });
    words.extend(noise);
    let confidence = (!words.is_empty())
        .then(|| words.iter().map(|w| w.confidence).sum::<f32>() / words.len() as f32);
    frame.map_back(&mut blocks, &mut words);
    let mut second: Vec<Word> = reading.second.into_iter().flatten().collect();
    frame.map_back(&mut [], &mut second);
    Ok(PageRead {
        text,
        blocks,
        words,
        confidence,
        dpi: scale.dpi.map(|d| (d as f32 / scale.upscale).round() as u32),
        rotation: frame.turn,
        // What was corrected: the image's turn, and what the layout levelled after it.
        skew: ((frame.deskew.unwrap_or(0.0) + skew) * 100.0).round() / 100.0,
        second,
    })
}

/// The page as OCR sees it: enlarged when its glyphs are too small, with the ink profile of
/// what OCR sees.
struct Scaled<'a> {
    image: Cow<'a, GrayImage>,
    scale: plan::OcrScale,
    ink: deskew::Ink,
}

fn scale_for_ocr(image: &GrayImage, dpi: Option<u32>) -> Scaled<'_> {
    let (w, h) = image.dimensions();
    // Which way the ink runs, before anything else: a sideways page's glyphs are measured across.
    let ink = profile::step("ink", || deskew::Ink::of(image));
    let glyph = plan::needs_glyph_size(dpi)
        .then(|| {
            profile::step("glyph size", || {
                glyphs::median_glyph_height(image, ink.is_sideways())
            })
        })
        .flatten();
    let scale = plan::ocr_scale(dpi, glyph, w as u64 * h as u64);
    if scale.upscale <= 1.0 {
        return Scaled {
            image: Cow::Borrowed(image),
            scale,
            ink,
        };
    }
    let (sw, sh) = (
        (w as f32 * scale.upscale).round() as u32,
        (h as f32 * scale.upscale).round() as u32,
    );
    let enlarged = profile::step("upscale", || {
        image::imageops::resize(image, sw, sh, image::imageops::FilterType::Triangle)
    });
    let ink = profile::step("ink", || deskew::Ink::of(&enlarged));
    Scaled {
        image: Cow::Owned(enlarged),
        scale,
        ink,
    }
}

/// The page read the right way up. A page whose ink runs in columns rather than rows is sideways:
/// OSD says which way, before any OCR. An upside-down page has rows like an upright one; it reads
/// as junk, and OSD is asked then; its reading is kept when it reads better.
fn read_upright(
    readers: &mut Readers,
    scaled: &GrayImage,
    ink: &deskew::Ink,
    dpi: Option<u32>,
    cancel: &AtomicBool,
) -> Result<Reading, ProcessError> {
    let osd = |readers: &mut Readers| {
        readers
            .osd()
            .and_then(|osd| profile::step("orientation", || osd.detect(scaled, dpi)))
            .filter(|o| o.turn != 0 && o.confidence >= plan::MIN_OSD_CONFIDENCE)
            .map(|o| o.turn)
    };
    // Ink running sideways is righted by a quarter turn; OSD answering a half turn for it
    // contradicts the ink (a faint receipt's upright page was turned over), so it waits for
    // the reading to be compared below.
    let first_turn = if ink.is_sideways() {
        osd(readers).filter(|t| t % 180 == 90).unwrap_or(0)
    } else {
        0
    };
    // The upright page's ink is measured already; a turned one is measured again.
    let known = (first_turn == 0).then(|| ink.skew());
    let reading = read_turned(readers, scaled, first_turn, known, dpi, cancel)?;
    if plan::looks_upright(&reading.lines.iter().flatten().collect::<Vec<_>>()) {
        return Ok(reading);
    }
    let Some(turn) = osd(readers).filter(|t| *t != first_turn) else {
        return Ok(reading);
    };
    let alt = read_turned(readers, scaled, turn, None, dpi, cancel)?;
    let better = plan::reading_score(alt.lines.iter().flatten())
        > plan::reading_score(reading.lines.iter().flatten());
    Ok(if better { alt } else { reading })
}

/// How the image OCR saw relates to the page as given: turned, levelled, enlarged.
struct Frame {
    turn: u16,
    /// Skew levelled before OCR, degrees.
    deskew: Option<f32>,
    /// Size of the turned page (what the levelled image's boxes refer to).
    turned: (u32, u32),
    /// Size of the enlarged page (before turning).
    scaled: (u32, u32),
    upscale: f32,
    page: (u32, u32),
}

impl Frame {
    /// A box from the turned, levelled image OCR saw, back to the page as given.
    fn back(&self, b: BBox) -> BBox {
        let (tw, th) = self.turned;
        let (sw, sh) = self.scaled;
        let mut b = b;
        if let Some(a) = self.deskew {
            b = deskew::unlevel_box(b, a, tw, th);
        }
        let b = orientation::unturn_box(b, self.turn, sw, sh);
        clamp(
            b.scaled(1.0 / self.upscale as f64),
            self.page.0,
            self.page.1,
        )
    }

    fn map_back(&self, blocks: &mut [Block], words: &mut [Word]) {
        for block in blocks {
            block.bbox = self.back(block.bbox);
            for line in &mut block.lines {
                line.bbox = self.back(line.bbox);
            }
            for cell in block.table.iter_mut().flat_map(|t| t.cells.iter_mut()) {
                cell.bbox = self.back(cell.bbox);
            }
        }
        for word in words {
            word.bbox = self.back(word.bbox);
        }
    }
}

/// One OCR reading of the page turned clockwise by `turn`, levelled when skewed.
struct Reading {
    lines: Vec<Vec<Word>>,
    /// The ruling lines of the image OCR saw.
    rules: Vec<Rule>,
    turn: u16,
    /// Skew levelled before OCR, degrees.
    deskew: Option<f32>,
    /// Size of the turned page (what the levelled image's boxes refer to).
    size: (u32, u32),
    /// A second reading of a till receipt (`PageRead::second`), lines of words.
    second: Vec<Vec<Word>>,
}

fn read_turned(
    readers: &mut Readers,
    page: &GrayImage,
    turn: u16,
    skew: Option<Option<f32>>,
    dpi: Option<u32>,
    cancel: &AtomicBool,
) -> Result<Reading, ProcessError> {
    let turned: Cow<GrayImage> = if turn == 0 {
        Cow::Borrowed(page)
    } else {
        Cow::Owned(profile::step("turn", || orientation::turn(page, turn)))
    };
    // Levelled first when the scan is turned by more than a little: Tesseract's segmentation
    // loses paragraphs of a page skewed by a degree or two.
    let deskew = skew
        .unwrap_or_else(|| profile::step("deskew measure", || deskew::measure(&turned)))
        .filter(|a| a.abs() >= plan::MIN_DESKEW_DEGREES);
    let size = turned.dimensions();
    let levelled: Cow<GrayImage> = match deskew {
        Some(a) => Cow::Owned(profile::step("deskew level", || deskew::level(&turned, a))),
        None => turned,
    };
    // Ruling lines are found first. The rules of a grid they draw (a ruled table) are erased
    // (they read as "|" and "_"), and the grid is read again as one block (the page segmentation
    // loses its narrow columns of short cells): where that reading is surer it replaces the
    // page's there. Rules elsewhere stay: Tesseract's own layout analysis leans on them.
    let found = profile::step("rules", || ruling::find(&levelled, dpi));
    let rules = ruling::rules(&found);
    let grids = ruled_regions(&rules, dpi, levelled.dimensions());
    let clean = (!grids.is_empty()).then(|| without_grid_rules(&levelled, &found, &grids));
    let seen = clean.as_ref().unwrap_or(&levelled);
    let (mut lines, second) = recognize_page(readers, seen, dpi, cancel)?;
    if let Some(clean) = &clean {
        for region in &grids {
            reread_grid(readers, clean, *region, &mut lines, dpi, cancel)?;
        }
    }
    Ok(Reading {
        lines,
        rules,
        turn,
        deskew,
        size,
        second,
    })
}

/// The page with the rules of its grids erased (rules elsewhere kept).
fn without_grid_rules(page: &GrayImage, found: &[ruling::Found], grids: &[BBox]) -> GrayImage {
    let mut clean = page.clone();
    let inside = |f: &&ruling::Found| {
        let c = f.rule.rect();
        grids.iter().any(|g| {
            let g = layout::geometry::Rect::of(*g);
            c.l >= g.l - 2.0 && c.r <= g.r + 2.0 && c.t >= g.t - 2.0 && c.b <= g.b + 2.0
        })
    };
    let grid_rules: Vec<ruling::Found> = found.iter().filter(inside).cloned().collect();
    ruling::erase(&mut clean, &grid_rules);
    clean
}

/// A narrow page found and read line by line by the figures' reader; nothing when its models are
/// missing or it fails (logged: the page keeps Tesseract's reading).
fn receipt_lines(reader: &mut FigureReader, page: &GrayImage) -> Option<Lines> {
    match profile::step("receipt lines", || reader.read_page(page))? {
        Ok(lines) => Some(lines),
        Err(e) => {
            tracing::warn!(error = %e, "receipt lines not read");
            None
        }
    }
}

/// Lines of words, top to bottom.
type Lines = Vec<Vec<Word>>;

/// The page's lines of words through Tesseract. A page of one narrow column (a till receipt) is
/// read as one block: the page segmentation cuts its lines of items and amounts into pieces, and
/// reads faint print as specks; its figures and the words of its head are then read again by
/// the figures' reader, or, where Tesseract reads next to nothing, the whole page line by line.
/// Where Tesseract's words give no total or no date, the page is read line by line as well, a
/// second reading for the fields step (the second of the pair).
fn recognize_page(
    readers: &mut Readers,
    page: &GrayImage,
    dpi: Option<u32>,
    cancel: &AtomicBool,
) -> Result<(Lines, Lines), ProcessError> {
    if plan::is_narrow_column(page.width(), page.height()) {
        let whole = BBox {
            left: 0,
            top: 0,
            width: page.width(),
            height: page.height(),
        };
        let mut lines = profile::step("ocr", || {
            readers.tesseract.recognize_block(page, whole, dpi, cancel)
        })?;
        if let Some(reader) = readers.figures() {
            // A receipt Tesseract cannot read (dot-matrix print, faint paper): found and read
            // line by line by the second reader, where that reads more.
            if plan::reads_poorly(lines.iter().flatten()) {
                if let Some(other) = receipt_lines(reader, page).filter(|other| {
                    plan::reading_score(other.iter().flatten())
                        > plan::reading_score(lines.iter().flatten())
                }) {
                    return Ok((other, Vec::new()));
                }
            }
            profile::step("figures", || figures::reread(reader, page, &mut lines));
            let second = crate::fields::lacks_total_or_date(&lines, page.dimensions(), dpi)
                .then(|| receipt_lines(reader, page))
                .flatten()
                .unwrap_or_default();
            return Ok((lines, second));
        }
        Ok((lines, Vec::new()))
    } else {
        let mut lines = profile::step("ocr", || readers.tesseract.recognize(page, dpi, cancel))?;
        // A receipt on a larger sheet: its figures and head are read again all the same.
        if plan::text_is_narrow_column(lines.iter().flatten(), dpi) {
            if let Some(reader) = readers.figures() {
                profile::step("figures", || figures::reread(reader, page, &mut lines));
            }
        }
        Ok((lines, Vec::new()))
    }
}

/// A grid read again as one block; where that reading is surer than the page's there, it
/// replaces the page's words inside the grid.
fn reread_grid(
    readers: &mut Readers,
    clean: &GrayImage,
    region: BBox,
    lines: &mut Vec<Vec<Word>>,
    dpi: Option<u32>,
    cancel: &AtomicBool,
) -> Result<(), ProcessError> {
    let block = profile::step("ocr grid", || {
        readers
            .tesseract
            .recognize_block(clean, region, dpi, cancel)
    })?;
    let within = |w: &Word| {
        let (x, y) = w.bbox.center();
        region.contains_point(x, y)
    };
    let mean = |words: Vec<&Word>| {
        (!words.is_empty())
            .then(|| words.iter().map(|w| w.confidence).sum::<f32>() / words.len() as f32)
    };
    let block_mean = mean(block.iter().flatten().collect());
    let page_mean = mean(lines.iter().flatten().filter(|w| within(w)).collect());
    let sure =
        block_mean.is_some_and(|b| b >= MIN_GRID_CONFIDENCE && page_mean.is_none_or(|p| b >= p));
    if sure {
        for line in lines.iter_mut() {
            line.retain(|w| !within(w));
        }
        lines.retain(|l| !l.is_empty());
        lines.extend(block);
    }
    Ok(())
}

/// A ruled region is at least this wide and tall (inches), and at most this share of the page
/// (a frame around the page is not a table).
const MIN_GRID_INCH: (f32, f32) = (1.0, 0.3);
const MAX_GRID_SHARE: f32 = 0.7;
/// A grid's block reading replaces the page's only at this mean word confidence or over (a
/// figure in a frame reads as junk).
const MIN_GRID_CONFIDENCE: f32 = 70.0;

/// The regions the page's rules enclose that may hold a table's grid, in its pixels.
fn ruled_regions(rules: &[layout::Rule], dpi: Option<u32>, (w, h): (u32, u32)) -> Vec<BBox> {
    if rules.len() < 4 {
        return Vec::new();
    }
    let dpi = dpi.unwrap_or(300) as f32;
    let tol = (0.02 * dpi).max(2.0);
    let merged = layout::table::rules::merge(rules.to_vec(), tol);
    // A grid has rules inside its frame both ways (a frame alone is a box around a figure or a
    // note; a line across a framed plot is a curve's axis).
    let interior = |r: &layout::geometry::Rect| {
        let inner = |horizontal: bool| {
            merged.iter().any(|m| {
                let c = m.rect();
                m.horizontal == horizontal
                    && if horizontal {
                        c.t > r.t + tol && c.t < r.b - tol && c.l < r.r && c.r > r.l
                    } else {
                        c.l > r.l + tol && c.l < r.r - tol && c.t < r.b && c.b > r.t
                    }
            })
        };
        inner(true) && inner(false)
    };
    layout::table::rules::ruled_regions(&merged, tol)
        .into_iter()
        .filter(interior)
        .filter(|r| {
            let (rw, rh) = (r.r - r.l, r.b - r.t);
            rw >= MIN_GRID_INCH.0 * dpi
                && rh >= MIN_GRID_INCH.1 * dpi
                && rw * rh <= MAX_GRID_SHARE * w as f32 * h as f32
        })
        .map(|r| r.to_bbox())
        .collect()
}

/// Keeps a box (rounded after scaling) inside the image.
fn clamp(b: BBox, w: u32, h: u32) -> BBox {
    let left = b.left.min(w);
    let top = b.top.min(h);
    BBox {
        left,
        top,
        width: b.width.min(w - left),
        height: b.height.min(h - top),
    }
}
