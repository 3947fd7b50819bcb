//! A searchable PDF: the input's pages as they are, with the OCR words laid over each scanned page
//! as invisible text at their boxes (what OCRmyPDF makes). A PDF gets an incremental update (its
//! own bytes untouched), images become pages of their own size. Where the words go is pure
//! ([`text_lines`], [`content`]); lopdf writes the objects.

mod content;
mod font;
mod from_images;
mod into_pdf;

use crate::config::Limits;
use crate::error::ProcessError;
use crate::format::Format;
use crate::result::{BBox, DocumentResult, PageResult};
use crate::Input;
use std::path::Path;

/// A content stream, Flate-compressed when that makes it smaller.
fn compressed(dict: lopdf::Dictionary, content: Vec<u8>) -> lopdf::Stream {
    let mut stream = lopdf::Stream::new(dict, content);
    // Compression only fails on a stream that already has a filter, which these do not.
    let _ = stream.compress();
    stream
}

/// Writes the searchable PDF of `input` (already processed into `result`) to `out`.
pub fn write(
    limits: &Limits,
    input: Input<'_>,
    format: Format,
    result: &DocumentResult,
    out: &Path,
) -> Result<(), ProcessError> {
    let bytes = match input {
        Input::Bytes(b) => b.to_vec(),
        Input::File(path) => std::fs::read(path)
            .map_err(|e| ProcessError::internal(format!("cannot read the input: {e}")))?,
    };
    let file = std::fs::File::create(out)
        .map_err(|e| ProcessError::internal(format!("cannot write {}: {e}", out.display())))?;
    let mut file = std::io::BufWriter::new(file);
    match format {
        Format::Pdf => into_pdf::write(bytes, result, &mut file)?,
        _ => from_images::write(&bytes, format, limits, result, &mut file)?,
    }
    use std::io::Write;
    file.flush()
        .map_err(|e| ProcessError::internal(format!("cannot write {}: {e}", out.display())))
}

/// One word to lay over: its text (a trailing space unless it ends its line, so readers see the
/// break) and its frame in the pixels of the page as given: the start of its baseline box (the
/// descent included), the end of it, and the top above the start.
#[derive(Debug, Clone, PartialEq)]
pub struct Laid<'a> {
    pub text: std::borrow::Cow<'a, str>,
    pub frame: [(f32, f32); 3],
}

/// The words that make the page's text, line by line in reading order. The page's words are its
/// text's words in order (one per token of the lines), then the picture noise, which is not in
/// the text and is not laid over. Each word spans from its start to the next word's start (its
/// space included, narrow), one baseline and size per line (level through the middle of a
/// skewed scan's line), so a reader groups the words into the same lines as the result.
pub fn text_lines(page: &PageResult) -> Vec<Vec<Laid<'_>>> {
    let mut words = page.words.iter();
    let mut out = Vec::new();
    for line in page.blocks.iter().flat_map(|b| &b.lines) {
        let line_words: Vec<&crate::Word> = words
            .by_ref()
            .take(line.text.split_whitespace().count())
            .collect();
        let boxes: Vec<BBox> = line_words.iter().map(|w| w.bbox).collect();
        let laid: Vec<Laid<'_>> = line_words
            .iter()
            .zip(line_frames(&boxes, page.rotation))
            .enumerate()
            .map(|(i, (word, frame))| {
                let text = if i + 1 < line_words.len() {
                    std::borrow::Cow::Owned(format!("{} ", word.text))
                } else {
                    std::borrow::Cow::Borrowed(word.text.as_str())
                };
                Laid { text, frame }
            })
            .collect();
        if !laid.is_empty() {
            out.push(laid);
        }
    }
    out
}

/// A point of the page as given in the upright text's axes: along the text (it runs towards
/// larger values) and across it (the tops of the glyphs towards smaller values). `rotation` is
/// the clockwise turn that set the page upright.
fn to_axes((x, y): (f32, f32), rotation: u16) -> (f32, f32) {
    match rotation {
        90 => (-y, x),
        180 => (-x, -y),
        270 => (y, -x),
        _ => (x, y),
    }
}

fn from_axes((a, c): (f32, f32), rotation: u16) -> (f32, f32) {
    match rotation {
        90 => (c, -a),
        180 => (-a, -c),
        270 => (-c, a),
        _ => (a, c),
    }
}

/// A box's extents in the upright text's axes: (along, across) intervals.
fn box_axes(b: BBox, rotation: u16) -> ((f32, f32), (f32, f32)) {
    let (x0, y0) = (b.left as f32, b.top as f32);
    let (x1, y1) = (x0 + b.width as f32, y0 + b.height as f32);
    let corners = [(x0, y0), (x1, y0), (x0, y1), (x1, y1)].map(|p| to_axes(p, rotation));
    let span = |f: fn(&(f32, f32)) -> f32| {
        corners
            .iter()
            .map(f)
            .fold((f32::MAX, f32::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)))
    };
    (span(|p| p.0), span(|p| p.1))
}

/// The frames of one line's words (see [`text_lines`]).
fn line_frames(words: &[BBox], rotation: u16) -> Vec<[(f32, f32); 3]> {
    let spans: Vec<_> = words.iter().map(|b| box_axes(*b, rotation)).collect();
    if spans.is_empty() {
        return Vec::new();
    }
    let centre = |s: &((f32, f32), (f32, f32))| ((s.0 .0 + s.0 .1) / 2.0, (s.1 .0 + s.1 .1) / 2.0);
    let n = spans.len() as f32;
    let (ma, mc) = spans
        .iter()
        .map(centre)
        .fold((0.0, 0.0), |(a, c), (x, y)| (a + x / n, c + y / n));
    // The line's slope from its words' centres (least squares); a short line is taken as level.
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (x, y) in spans.iter().map(centre) {
        sxy += (x - ma) * (y - mc);
        sxx += (x - ma) * (x - ma);
    }
    let slope = if spans.len() >= 3 && sxx > 0.0 {
        (sxy / sxx).clamp(-MAX_SLOPE, MAX_SLOPE)
    } else {
        0.0
    };
    // The line's height: its words' across-extent about the sloped centre line.
    let band = spans
        .iter()
        .map(|(along, across)| {
            let mid = mc + slope * ((along.0 + along.1) / 2.0 - ma);
            2.0 * (mid - across.0).max(across.1 - mid)
        })
        .fold(1.0f32, f32::max);
    // One level baseline per line, through its middle: readers split a rotated word where its
    // characters' baselines drift apart (poppler at half a point), and a line stepping down with
    // a skewed scan runs into the next in their eyes. The slope only measures the line's height.
    let y = mc + band / 2.0;
    spans
        .iter()
        .enumerate()
        .map(|(i, (along, _))| {
            // Up to the next word of the line: readers see one run of text, as the result
            // reads it (a row of table cells, a header beside a title), not columns of words.
            let end = spans
                .get(i + 1)
                .map(|next| next.0 .0)
                .filter(|next_start| *next_start > along.1)
                .unwrap_or(along.1);
            [(along.0, y), (end, y), (along.0, y - band)].map(|p| from_axes(p, rotation))
        })
        .collect()
}

/// Steepest line slope believed (about 6 degrees): beyond it the words' centres are noise.
const MAX_SLOPE: f32 = 0.1;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::Source;

    #[test]
    fn an_upright_word_runs_along_its_bottom_edge() {
        let b = BBox {
            left: 10,
            top: 20,
            width: 100,
            height: 30,
        };
        assert_eq!(
            line_frames(&[b], 0),
            [[(10.0, 50.0), (110.0, 50.0), (10.0, 20.0)]]
        );
    }

    #[test]
    fn a_turned_word_runs_up_down_or_backwards_over_its_box() {
        let b = BBox {
            left: 10,
            top: 20,
            width: 30,
            height: 100,
        };
        // Turned 90 clockwise to be upright: as given the text reads bottom to top, tops left.
        assert_eq!(
            line_frames(&[b], 90),
            [[(40.0, 120.0), (40.0, 20.0), (10.0, 120.0)]]
        );
        assert_eq!(
            line_frames(&[b], 270),
            [[(10.0, 20.0), (10.0, 120.0), (40.0, 20.0)]]
        );
        assert_eq!(
            line_frames(&[b], 180),
            [[(40.0, 20.0), (10.0, 20.0), (40.0, 120.0)]]
        );
    }

    #[test]
    fn picture_noise_is_not_laid_over() {
        use crate::result::{Block, BlockKind, Line, Word};
        let word = |t: &str, left: u32| Word {
            text: t.into(),
            confidence: 90.0,
            bbox: BBox {
                left,
                top: 5,
                width: 8,
                height: 4,
            },
        };
        let line = |t: &str, top: u32| Line {
            text: t.into(),
            bbox: BBox {
                left: 0,
                top,
                width: 100,
                height: 12,
            },
        };
        let page = PageResult {
            page: 1,
            width: 100,
            height: 100,
            dpi: None,
            source: Source::Ocr,
            rotation: 0,
            skew: 0.0,
            text: "a b\nc".into(),
            confidence: None,
            blocks: vec![Block {
                kind: BlockKind::Text,
                bbox: BBox::default(),
                lines: vec![line("a b", 2), line("c", 30)],
            }],
            words: vec![
                word("a", 0),
                word("b", 10),
                word("c", 0),
                word("~~", 50),
                word("%", 60),
            ],
            qr_codes: vec![],
            codes: vec![],
        };
        let lines = text_lines(&page);
        assert_eq!(lines.len(), 2);
        let laid: Vec<&Laid> = lines.iter().flatten().collect();
        let texts: Vec<_> = laid.iter().map(|l| l.text.as_ref()).collect();
        // The break after a word that does not end its line is a space of its own.
        assert_eq!(texts, ["a ", "b", "c"]);
        // From the word's start to the next word's start, on the line's baseline.
        assert_eq!(laid[0].frame, [(0.0, 9.0), (10.0, 9.0), (0.0, 5.0)]);
        assert_eq!(laid[2].frame[0], (0.0, 9.0));
    }

    #[test]
    fn a_skewed_line_is_laid_level_through_its_middle_at_its_texts_height() {
        // Five words 8 px high climbing 2 px per 20 px: their boxes together are 16 px high.
        let words: Vec<BBox> = (0..5)
            .map(|i| BBox {
                left: i * 20,
                top: 100 - i * 2,
                width: 16,
                height: 8,
            })
            .collect();
        let frames = line_frames(&words, 0);
        for (i, [start, end, top]) in frames.iter().enumerate() {
            // One baseline for the line (readers group by it), through the middle of the slope.
            assert_eq!((start.1, end.1), (104.0, 104.0), "{i}");
            // As high as the text, not as the tilted line's box.
            assert_eq!(start.1 - top.1, 8.0, "{i}");
            assert_eq!(start.0, (i * 20) as f32);
        }
    }
}
