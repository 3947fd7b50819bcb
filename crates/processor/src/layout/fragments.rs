//! Line fragments: a source line (Tesseract's, or a PDF text layer's) cut where it crosses a
//! gutter, so that no piece of text bridges two columns or two table cells.
//!
//! A gap wider than `ALWAYS_SPLIT` text heights always separates; a narrower one (down to
//! `MIN_SPLIT`) only when the lines around it leave the same channel of white with text close on
//! both sides: a gutter runs down the page, a wide word space in justified text does not. A gap
//! held by marks ("E = mc") or by a sub- or superscript set as a line of its own, however wide,
//! separates only where two neighbouring lines show the channel.

use super::geometry::{bounds, gaps, median, word_rect, Rect};
use super::order::{SCRIPT_SIZE, SCRIPT_TOUCH};
use crate::output::result::Word;

/// Gaps at least this many text heights wide always split a line.
const ALWAYS_SPLIT: f32 = 2.5;
/// Narrower gaps are never a gutter.
const MIN_SPLIT: f32 = 0.8;
/// Marks this close (text heights) to each other and to the words beside them bridge a gap.
const MARK_BRIDGE: f32 = 1.5;
/// How far above and below a line its neighbours are looked for, in text heights.
const NEIGHBOUR_WINDOW: f32 = 3.5;
/// Text counts as "close to the channel" within this many text heights of it.
const CHANNEL_REACH: f32 = 6.0;
/// Width of white (text heights) the neighbouring lines must leave in common within the gap, and
/// that each neighbouring row's white must have to count: a gutter, not a word space (about a
/// quarter of a text height).
const CHANNEL_WIDTH: f32 = 0.8;
/// A gap this many text heights wide, with no mark in it, needs one neighbouring line to agree,
/// not two.
const WIDE_GAP: f32 = 1.5;
/// A gap is a gutter only if at least this share as wide as the narrowest white its neighbours
/// leave there.
const MIN_WIDTH_OF_CHANNEL: f32 = 0.4;
/// A mark at least this wide (text heights), and wider than tall, is an operator or a dash.
const MIN_OPERATOR_WIDTH: f32 = 0.4;

/// A run of words on one baseline with nothing between them wider than a word space.
#[derive(Debug, Clone, PartialEq)]
pub struct Frag {
    /// Left to right.
    pub words: Vec<Word>,
    pub rect: Rect,
    /// A ruled table read apart, standing in the page's order where it is (`words` is empty).
    pub table: Option<usize>,
}

impl Frag {
    /// The stand-in for the `index`th ruled table, over its region.
    pub fn table(index: usize, rect: Rect) -> Frag {
        Frag {
            words: Vec::new(),
            rect,
            table: Some(index),
        }
    }

    /// The fragment's box is that of its words with letters or digits when it has any: a stray
    /// mark at its end ("_", "|") does not narrow the gutter beside it.
    pub fn new(mut words: Vec<Word>) -> Option<Frag> {
        words.sort_by_key(|w| w.bbox.left);
        let rect = bounds(words.iter().filter(|w| has_alnum(w)).map(word_rect))
            .or_else(|| bounds(words.iter().map(word_rect)))?;
        Some(Frag {
            words,
            rect,
            table: None,
        })
    }
}

/// Cuts every line at its gutters. `unit` is the page's typical text height. Gaps are measured
/// between words with letters or digits; marks standing in a cut gap (a rule read as "|") belong
/// to neither side and are handed back apart.
pub fn split_lines(lines: Vec<Vec<Word>>, unit: f32) -> (Vec<Frag>, Vec<Word>) {
    // Every word's box with the line it belongs to, for the neighbour test. Marks without a
    // letter or digit (a rule read as "|", a speck) do not block a channel; operators do: two
    // lines of a justified paragraph whose "=" signs happen to line up leave no gutter.
    // Sorted by height on the page, so a line's neighbours are found by binary search.
    let mut all: Vec<(usize, Rect)> = lines
        .iter()
        .enumerate()
        .flat_map(|(i, l)| {
            l.iter()
                .filter(|w| has_alnum(w) || is_operator(w, unit))
                .map(move |w| (i, word_rect(w)))
        })
        .collect();
    all.sort_by(|a, b| centre_y(&a.1).total_cmp(&centre_y(&b.1)));
    let mut out = Vec::new();
    let mut dropped = Vec::new();
    for (i, mut line) in lines.into_iter().enumerate() {
        line.sort_by_key(|w| w.bbox.left);
        let line_h = median(line.iter().map(|w| word_rect(w).h()).collect()).unwrap_or(unit);
        let h = unit.max(line_h);
        let Some(line_rect) = bounds(line.iter().map(word_rect)) else {
            continue;
        };
        // Smaller text of other lines touching this line's height: sub- and superscripts.
        let scripts: Vec<(f32, f32)> = all_between(
            &all,
            (line_rect.t - line_rect.h(), line_rect.b + line_rect.h()),
        )
        .iter()
        .filter(|(l, r)| {
            *l != i
                && r.h() <= SCRIPT_SIZE * line_rect.h()
                && r.v_overlap(&line_rect) > SCRIPT_TOUCH
        })
        .map(|(_, r)| (r.l, r.r))
        .collect();
        let mut current: Vec<Word> = Vec::new();
        let mut marks: Vec<Word> = Vec::new();
        let mut last: Option<Rect> = None;
        // A mark stays with the text it stands next to, and is dropped when it stands alone.
        let near = |a: Rect, b: Rect| b.l - a.r < MIN_SPLIT * h;
        for w in line {
            if !has_alnum(&w) {
                marks.push(w);
                continue;
            }
            let r = word_rect(&w);
            if let Some(pl) = last {
                let gap = r.l - pl.r;
                // Marks standing a word space apart all the way across ("E = mc") hold the line
                // together unless the neighbours show a gutter there (a rule read as "|"); so do
                // scripts the engine set as lines of their own ("e^{iS}" above the line).
                let mut holders: Vec<(f32, f32)> = marks
                    .iter()
                    .map(|m| (m.bbox.left as f32, (m.bbox.left + m.bbox.width) as f32))
                    .chain(scripts.iter().copied().filter(|s| s.1 > pl.r && s.0 < r.l))
                    .collect();
                holders.sort_by(|a, b| a.0.total_cmp(&b.0));
                let mut bridged = !holders.is_empty();
                let mut edge = pl.r;
                for (hl, hr) in holders {
                    bridged &= hl - edge <= MARK_BRIDGE * h;
                    edge = edge.max(hr);
                }
                bridged &= r.l - edge <= MARK_BRIDGE * h;
                // Two neighbouring lines must agree where marks hold the gap, as where it is
                // narrow: one line's wide word space beside a formula is not a gutter.
                let needed = if !bridged && gap >= WIDE_GAP * h {
                    1
                } else {
                    2
                };
                let channel = || is_channel(&all, i, line_rect, (pl.r, r.l), h, needed);
                let split =
                    gap >= MIN_SPLIT * h && ((!bridged && gap >= ALWAYS_SPLIT * h) || channel());
                if split {
                    let (keep, lone): (Vec<Word>, Vec<Word>) = marks
                        .drain(..)
                        .partition(|m| near(pl, word_rect(m)) || near(word_rect(m), r));
                    dropped.extend(lone);
                    // Marks touching the left side end it; the others start the right one.
                    let (end, start): (Vec<Word>, Vec<Word>) =
                        keep.into_iter().partition(|m| near(pl, word_rect(m)));
                    current.extend(end);
                    out.extend(Frag::new(std::mem::take(&mut current)));
                    marks = start;
                }
            } else {
                let (keep, lone): (Vec<Word>, Vec<Word>) =
                    marks.drain(..).partition(|m| near(word_rect(m), r));
                dropped.extend(lone);
                marks = keep;
            }
            current.append(&mut marks);
            current.push(w);
            last = Some(r);
        }
        match last {
            Some(pl) => {
                let (keep, lone): (Vec<Word>, Vec<Word>) =
                    marks.into_iter().partition(|m| near(pl, word_rect(m)));
                current.extend(keep);
                dropped.extend(lone);
            }
            // A line of marks only: kept as it is (a rule of dashes, a row of bullets).
            None => current = marks,
        }
        out.extend(Frag::new(current));
    }
    (out, dropped)
}

fn centre_y(r: &Rect) -> f32 {
    (r.t + r.b) / 2.0
}

/// The words of `all` (sorted by height) centred between `y0` and `y1`.
fn all_between(all: &[(usize, Rect)], (y0, y1): (f32, f32)) -> &[(usize, Rect)] {
    let from = all.partition_point(|(_, r)| centre_y(r) < y0);
    let to = all.partition_point(|(_, r)| centre_y(r) <= y1);
    &all[from..to.max(from)]
}

fn has_alnum(w: &Word) -> bool {
    w.text.chars().any(char::is_alphanumeric)
}

/// "=", "+", "—": wider than tall and not a speck. A rule read as "|" is taller than wide.
fn is_operator(w: &Word, unit: f32) -> bool {
    let width = w.bbox.width as f32;
    width >= w.bbox.height as f32 && width >= MIN_OPERATOR_WIDTH * unit
}

/// Whether the white between `gl` and `gr` on line `line` continues above or below it as a
/// channel: no neighbouring word reaches into it, and `needed` neighbouring lines have text close
/// to it on both sides (counting only the sides, above or below, left unblocked).
fn is_channel(
    all: &[(usize, Rect)],
    line: usize,
    at: Rect,
    (gl, gr): (f32, f32),
    h: f32,
    needed: usize,
) -> bool {
    let reach = CHANNEL_REACH * h;
    let window = NEIGHBOUR_WINDOW * h;
    let sides = [(at.t - window, at.t), (at.b, at.b + window)];
    // Per side, the white each neighbouring row leaves in this gap: from the last word left of
    // the channel to the first word right of it on the same row (columns are often separate lines
    // of the OCR engine, so a row is matched by height, not by line). A side whose words leave no
    // common white of CHANNEL_WIDTH within the gap does not count.
    let mut whites: Vec<f32> = Vec::new();
    for side in sides {
        let near: Vec<&(usize, Rect)> = all_between(all, side)
            .iter()
            .filter(|(l, _)| *l != line)
            .collect();
        let free = gaps(
            near.iter()
                .map(|(_, r)| (r.l, r.r))
                .chain([(f32::NEG_INFINITY, gl), (gr, f32::INFINITY)]),
            (CHANNEL_WIDTH * h).min(gr - gl),
        );
        let Some(&(fl, fr)) = free
            .iter()
            .max_by(|a, b| (a.1 - a.0).total_cmp(&(b.1 - b.0)))
        else {
            continue;
        };
        let c = (fl + fr) / 2.0;
        // The last word left of the channel on each neighbouring line.
        let mut lefts: Vec<(usize, Rect)> = Vec::new();
        for (l, r) in near.iter().filter(|(_, r)| r.r <= c && r.r >= c - reach) {
            match lefts.iter_mut().find(|(k, _)| k == l) {
                Some(e) if e.1.r < r.r => e.1 = *r,
                Some(_) => {}
                None => lefts.push((*l, *r)),
            }
        }
        for (_, left) in &lefts {
            let right = near
                .iter()
                .filter(|(_, r)| r.l >= c && r.l <= c + reach && r.v_overlap(left) > 0.5)
                .map(|(_, r)| r.l)
                .fold(f32::INFINITY, f32::min);
            if right.is_finite() && right - left.r >= CHANNEL_WIDTH * h {
                whites.push(right - left.r);
            }
        }
    }
    let narrowest = whites.iter().copied().fold(f32::INFINITY, f32::min);
    whites.len() >= needed && gr - gl >= MIN_WIDTH_OF_CHANNEL * narrowest
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::tests::{column, text_line, words_at};
    use crate::output::result::BBox;

    #[test]
    fn a_line_across_a_narrow_gutter_is_cut_where_its_neighbours_leave_the_same_white() {
        // Four lines, each running across a 12 px gutter at x = 290..302 (text height 10).
        let left = column("a", 4, 50, 100, 290, 14);
        let right = column("b", 4, 302, 100, 542, 14);
        let lines: Vec<Vec<Word>> = left
            .into_iter()
            .zip(right)
            .map(|(mut l, r)| {
                l.extend(r);
                l
            })
            .collect();
        let (frags, _) = split_lines(lines, 10.0);
        let texts: Vec<String> = frags
            .iter()
            .map(|f| {
                f.words
                    .iter()
                    .map(|w| w.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        assert_eq!(frags.len(), 8, "{texts:#?}");
        assert!(
            texts.iter().all(|t| !(t.contains('a') && t.contains('b'))),
            "{texts:#?}"
        );
    }

    #[test]
    fn a_wide_word_space_alone_does_not_cut() {
        let mut lines = vec![text_line("one two three four five six", 100, 100, 400)];
        // One loose line with 13 px spaces and a 12 px one, no neighbour has white there.
        let mut loose = words_at(&["loose", "line"], 100, 114, 190);
        loose.extend(words_at(&["here"], 181, 114, 205));
        lines.push(loose);
        lines.push(text_line(
            "seven eight nine ten eleven twelve",
            100,
            128,
            400,
        ));
        let (frags, _) = split_lines(lines, 10.0);
        assert_eq!(frags.len(), 3, "{frags:#?}");
    }

    #[test]
    fn a_rule_read_as_a_mark_in_the_gutter_does_not_hold_the_columns_together() {
        let left = column("a", 4, 50, 100, 290, 14);
        let right = column("b", 4, 315, 100, 555, 14);
        let lines: Vec<Vec<Word>> = left
            .into_iter()
            .zip(right)
            .enumerate()
            .map(|(i, (mut l, r))| {
                l.extend(words_at(&["|"], 300, 100 + i as u32 * 14, 306));
                l.extend(r);
                l
            })
            .collect();
        let (frags, dropped) = split_lines(lines, 10.0);
        assert_eq!(frags.len(), 8);
        assert_eq!(dropped.len(), 4);
    }

    #[test]
    fn equals_signs_lined_up_in_justified_lines_do_not_make_a_gutter() {
        // Two lines of a justified paragraph whose "=" (8 x 4 px) stand at the same place with
        // a word space on each side, under a line with one wide word space (9 px) there.
        let at = |text: &str, left: u32, top: u32, right: u32, height: u32| Word {
            text: text.into(),
            confidence: 90.0,
            bbox: BBox {
                left,
                top,
                width: right - left,
                height,
            },
        };
        let lines = vec![
            vec![at("above", 100, 100, 244, 10), at("it", 253, 100, 400, 10)],
            vec![
                at("first", 100, 114, 240, 10),
                at("=", 246, 117, 254, 4),
                at("line", 260, 114, 400, 10),
            ],
            vec![
                at("second", 100, 128, 242, 10),
                at("=", 248, 131, 256, 4),
                at("line", 262, 128, 400, 10),
            ],
        ];
        let (frags, dropped) = split_lines(lines, 10.0);
        assert_eq!(frags.len(), 3, "{frags:#?}");
        assert!(dropped.is_empty());
    }

    #[test]
    fn a_very_wide_gap_always_cuts() {
        let mut l = words_at(&["Total:"], 100, 100, 160);
        l.extend(words_at(&["57.60"], 400, 100, 450));
        assert_eq!(split_lines(vec![l], 10.0).0.len(), 2);
    }
}
