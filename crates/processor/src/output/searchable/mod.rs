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
use crate::input::format::Format;
use crate::layout::geometry::median;
use crate::output::result::{BBox, DocumentResult, PageResult};
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
/// space included, narrow), one level baseline per line (through the middle of a skewed scan's
/// line) and one size for a text block's lines, so a reader groups the words into the same lines
/// and blocks as the result.
pub fn text_lines(page: &PageResult) -> Vec<Vec<Laid<'_>>> {
    let mut words = page.words.iter();
    let mut out = Vec::new();
    for block in &page.blocks {
        let lines: Vec<(Vec<&crate::Word>, LineGeometry)> = block
            .lines
            .iter()
            .filter_map(|line| {
                let line_words: Vec<&crate::Word> = words
                    .by_ref()
                    .take(line.text.split_whitespace().count())
                    .collect();
                let boxes: Vec<BBox> = line_words.iter().map(|w| w.bbox).collect();
                let geometry = line_geometry(&boxes, page.rotation)?;
                Some((line_words, geometry))
            })
            .collect();
        // A table's rows keep their own heights: a row is read as a row when its cells share it.
        let common = match block.kind {
            crate::BlockKind::Text => median(lines.iter().map(|(_, g)| g.band).collect()),
            crate::BlockKind::Table => None,
        };
        for (line_words, geometry) in &lines {
            out.push(laid_line(line_words, geometry, common));
        }
    }
    out
}

/// One line's words, each with the frame it is laid in.
fn laid_line<'a>(
    line_words: &[&'a crate::Word],
    geometry: &LineGeometry,
    common: Option<f32>,
) -> Vec<Laid<'a>> {
    line_words
        .iter()
        .zip(line_frames(geometry, common))
        .enumerate()
        .map(|(i, (word, frame))| {
            let text = if i + 1 < line_words.len() {
                std::borrow::Cow::Owned(format!("{} ", word.text))
            } else {
                std::borrow::Cow::Borrowed(word.text.as_str())
            };
            Laid { text, frame }
        })
        .collect()
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

/// A line's words in the upright text's axes, the middle of the line across them, its height, and
/// the turn that set the page upright.
struct LineGeometry {
    spans: Vec<((f32, f32), (f32, f32))>,
    middle: f32,
    band: f32,
    rotation: u16,
}

/// None for a line without words.
fn line_geometry(words: &[BBox], rotation: u16) -> Option<LineGeometry> {
    if words.is_empty() {
        return None;
    }
    let spans: Vec<_> = words.iter().map(|b| box_axes(*b, rotation)).collect();
    // A word box far taller than the line's others (the engine stretched it over ink below, or
    // a big operator) sets neither the line's middle nor its height: laid that high, the line
    // would run into the next one and readers would join the two.
    let height = |s: &((f32, f32), (f32, f32))| s.1 .1 - s.1 .0;
    let typical = median(spans.iter().map(height).collect()).unwrap_or(0.0);
    let fitting: Vec<_> = spans
        .iter()
        .copied()
        .filter(|s| height(s) <= TALL_WORD * typical)
        .collect();
    let centre = |s: &((f32, f32), (f32, f32))| ((s.0 .0 + s.0 .1) / 2.0, (s.1 .0 + s.1 .1) / 2.0);
    let n = fitting.len() as f32;
    let (ma, mc) = fitting
        .iter()
        .map(centre)
        .fold((0.0, 0.0), |(a, c), (x, y)| (a + x / n, c + y / n));
    // The line's slope from its words' centres (least squares); a short line is taken as level.
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (x, y) in fitting.iter().map(centre) {
        sxy += (x - ma) * (y - mc);
        sxx += (x - ma) * (x - ma);
    }
    let slope = if fitting.len() >= 3 && sxx > 0.0 {
        (sxy / sxx).clamp(-MAX_SLOPE, MAX_SLOPE)
    } else {
        0.0
    };
    // The line's height: its words' across-extent about the sloped centre line.
    let band = fitting
        .iter()
        .map(|(along, across)| {
            let mid = mc + slope * ((along.0 + along.1) / 2.0 - ma);
            2.0 * (mid - across.0).max(across.1 - mid)
        })
        .fold(1.0f32, f32::max);
    Some(LineGeometry {
        spans,
        middle: mc,
        band,
        rotation,
    })
}

/// Lines whose height is within this share of their block's common one are laid at the common
/// height: poppler (and other readers) start a new block where the font size changes by more
/// than ~5%, and a column of lines cut into blocks of one or two is read across the gutter.
const COMMON_BAND_TOLERANCE: f32 = 0.35;

/// The frames of one line's words (see [`text_lines`]), at the block's `common` height when the
/// line's own is near it.
fn line_frames(line: &LineGeometry, common: Option<f32>) -> Vec<[(f32, f32); 3]> {
    let LineGeometry {
        spans,
        middle: mc,
        band,
        rotation,
    } = line;
    let (mc, rotation) = (*mc, *rotation);
    let band = match common {
        Some(c) if (band - c).abs() <= c * COMMON_BAND_TOLERANCE => c,
        _ => *band,
    };
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
            // Where the next word's box starts inside this one's (pieces of a formula), up to
            // there too: readers join overlapping words into one.
            let end = spans
                .get(i + 1)
                .map(|next| next.0 .0)
                .filter(|next_start| *next_start > along.0)
                .unwrap_or(along.1);
            [(along.0, y), (end, y), (along.0, y - band)].map(|p| from_axes(p, rotation))
        })
        .collect()
}

/// A word more than this many times its line's median height is not of the line's type (the
/// tallest word of a line of running text, "fly", is about twice its shortest, "we").
const TALL_WORD: f32 = 2.2;

/// Steepest line slope believed (about 6 degrees): beyond it the words' centres are noise.
const MAX_SLOPE: f32 = 0.1;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::result::Source;

    /// The frames of a line of these word boxes.
    fn frames_of(words: &[BBox], rotation: u16, common: Option<f32>) -> Vec<[(f32, f32); 3]> {
        line_frames(&line_geometry(words, rotation).unwrap(), common)
    }

    #[test]
    fn an_upright_word_runs_along_its_bottom_edge() {
        let b = BBox {
            left: 10,
            top: 20,
            width: 100,
            height: 30,
        };
        assert_eq!(
            frames_of(&[b], 0, None),
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
            frames_of(&[b], 90, None),
            [[(40.0, 120.0), (40.0, 20.0), (10.0, 120.0)]]
        );
        assert_eq!(
            frames_of(&[b], 270, None),
            [[(10.0, 20.0), (10.0, 120.0), (40.0, 20.0)]]
        );
        assert_eq!(
            frames_of(&[b], 180, None),
            [[(40.0, 20.0), (10.0, 20.0), (40.0, 120.0)]]
        );
    }

    #[test]
    fn picture_noise_is_not_laid_over() {
        use crate::output::result::{Block, BlockKind, Line, Word};
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
                table: None,
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
        let frames = frames_of(&words, 0, None);
        for (i, [start, end, top]) in frames.iter().enumerate() {
            // One baseline for the line (readers group by it), through the middle of the slope.
            assert_eq!((start.1, end.1), (104.0, 104.0), "{i}");
            // As high as the text, not as the tilted line's box.
            assert_eq!(start.1 - top.1, 8.0, "{i}");
            assert_eq!(start.0, (i * 20) as f32);
        }
    }

    #[test]
    fn a_word_box_stretched_far_below_its_line_does_not_set_the_lines_height() {
        // Four words 20 px high on one line; the third's box runs 40 px further down (the
        // engine took ink under it for part of it).
        let b = |left, height| BBox {
            left,
            top: 100,
            width: 30,
            height,
        };
        let frames = frames_of(&[b(0, 20), b(40, 20), b(80, 60), b(120, 20)], 0, None);
        for [start, _, top] in frames {
            assert_eq!((top.1, start.1), (100.0, 120.0));
        }
    }

    #[test]
    fn a_word_overlapping_the_next_ends_where_the_next_begins() {
        // "Sin" (0..80) and "=" (64..84), boxes overlapping as the engine gives them in formulas:
        // laid over each other, readers join them into one word ("Sin=").
        let b = |left, width| BBox {
            left,
            top: 0,
            width,
            height: 20,
        };
        let frames = frames_of(&[b(0, 80), b(64, 20), b(100, 10)], 0, None);
        let spans: Vec<(f32, f32)> = frames.iter().map(|f| (f[0].0, f[1].0)).collect();
        assert_eq!(spans, [(0.0, 64.0), (64.0, 100.0), (100.0, 110.0)]);
        // A word inside another from its start (nothing to lay it up to) keeps its own box.
        let frames = frames_of(&[b(0, 80), b(0, 20)], 0, None);
        assert_eq!((frames[0][0].0, frames[0][1].0), (0.0, 80.0));
    }

    #[test]
    fn a_text_blocks_lines_share_one_height_unless_far_from_it() {
        let line = |top: u32, height: u32| {
            vec![BBox {
                left: 10,
                top,
                width: 50,
                height,
            }]
        };
        let height = |frames: Vec<[(f32, f32); 3]>| frames[0][0].1 - frames[0][2].1;
        // A line without descenders (18 px) among lines of 22: laid at 22, centred where it was.
        let frames = frames_of(&line(100, 18), 0, Some(22.0));
        assert_eq!(height(frames.clone()), 22.0);
        assert_eq!(frames[0][0].1, 109.0 + 11.0);
        // A heading twice as high keeps its own.
        assert_eq!(height(frames_of(&line(100, 44), 0, Some(22.0))), 44.0);
        assert_eq!(height(frames_of(&line(100, 18), 0, None)), 18.0);
        assert_eq!(median(vec![3.0, 1.0, 2.0, 5.0]), Some(3.0));
        assert_eq!(median(vec![]), None);
    }
}
