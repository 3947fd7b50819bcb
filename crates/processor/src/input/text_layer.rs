//! A PDF page's own text, from pdfium's characters (in content order) to words and lines.
//! Pure: takes characters with boxes, so it is testable without a PDF.

use unicode_normalization::UnicodeNormalization;

/// A character as pdfium reports it: page points, origin bottom-left.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PdfChar {
    pub ch: char,
    /// left, bottom, right, top
    pub rect: Option<[f32; 4]>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PtWord {
    pub text: String,
    /// left, bottom, right, top in points
    pub rect: [f32; 4],
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct TextLayer {
    pub lines: Vec<Vec<PtWord>>,
}

impl TextLayer {
    /// The lines as pdfium's content order gives them (the page's text comes from the layout
    /// step; this is for checking the grouping).
    #[cfg(test)]
    pub fn text(&self) -> String {
        self.lines
            .iter()
            .map(|l| {
                l.iter()
                    .map(|w| w.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn words(&self) -> impl Iterator<Item = &PtWord> {
        self.lines.iter().flatten()
    }

    /// Letters and digits: what tells a real text layer from stray marks.
    pub fn alphanumeric_chars(&self) -> usize {
        self.words()
            .map(|w| w.text.chars().filter(|c| c.is_alphanumeric()).count())
            .sum()
    }

    /// Share of characters that are replacement or private-use glyphs (a font without a usable
    /// ToUnicode map): such a layer is garbage and the page is better OCRed.
    pub fn garbage_ratio(&self) -> f32 {
        let (mut bad, mut all) = (0usize, 0usize);
        for c in self.words().flat_map(|w| w.text.chars()) {
            all += 1;
            if c == '\u{FFFD}' || ('\u{E000}'..='\u{F8FF}').contains(&c) || c.is_control() {
                bad += 1;
            }
        }
        if all == 0 {
            0.0
        } else {
            bad as f32 / all as f32
        }
    }
}

/// Groups characters into words (split at whitespace and at wide gaps) and lines (split at line
/// breaks pdfium reports or generates, and where the baseline jumps). An accent drawn as a glyph
/// of its own over a letter (TeX's `\"\i`, `\hat{s}`) becomes that letter's combining mark, and
/// the hyphen pdfium marks as a line-end hyphen (U+0002) is kept as a hyphen.
pub fn build(chars: impl IntoIterator<Item = PdfChar>) -> TextLayer {
    let mut b = Builder::default();
    for c in chars {
        b.push(c);
    }
    b.finish()
}

#[derive(Default)]
struct Builder {
    layer: TextLayer,
    line: Vec<PtWord>,
    word: Option<PtWord>,
    /// The last letter's box, for an accent drawn after its letter.
    last_char: Option<[f32; 4]>,
    /// An accent waiting for the letter drawn after it: its combining form and the glyph as drawn.
    accent: Option<(char, PdfChar)>,
}

impl Builder {
    fn push(&mut self, c: PdfChar) {
        if let Some((mark, drawn)) = self.accent.take() {
            let letter = !c.ch.is_whitespace() && !c.ch.is_control();
            if letter && c.rect.is_some_and(|r| over(&drawn, r)) {
                self.add(c);
                self.mark(mark);
                return;
            }
            self.add(drawn);
        }
        if let Some(mark) = combining_form(c.ch).filter(|_| c.rect.is_some()) {
            if self.word.is_some() && self.last_char.is_some_and(|last| over(&c, last)) {
                self.mark(mark);
            } else {
                self.accent = Some((mark, c));
            }
            return;
        }
        self.add(c);
    }

    /// Puts a combining mark on the word's last letter.
    fn mark(&mut self, mark: char) {
        if let Some(w) = &mut self.word {
            w.text.push(mark);
        }
    }

    fn finish(mut self) -> TextLayer {
        if let Some((_, drawn)) = self.accent.take() {
            self.add(drawn);
        }
        self.end_word();
        self.end_line();
        self.layer
    }

    fn end_word(&mut self) {
        self.last_char = None;
        if let Some(mut w) = self.word.take() {
            if !w.text.trim().is_empty() {
                if !w.text.is_ascii() {
                    w.text = w.text.nfc().collect();
                }
                self.line.push(w);
            }
        }
    }

    fn end_line(&mut self) {
        if !self.line.is_empty() {
            self.layer.lines.push(std::mem::take(&mut self.line));
        }
    }

    fn add(&mut self, c: PdfChar) {
        if c.ch == '\n' || c.ch == '\r' {
            self.end_word();
            self.end_line();
            return;
        }
        if c.ch.is_whitespace() || c.ch == '\u{0}' {
            self.end_word();
            return;
        }
        // pdfium's mark for a hyphen it found at a line's end: the hyphen as printed, after a
        // letter (elsewhere, such as a piece of a drawn formula, it is not text).
        let after_letter = |w: &Option<PtWord>| {
            w.as_ref()
                .and_then(|w| w.text.chars().last())
                .is_some_and(char::is_alphabetic)
        };
        let ch = match c.ch {
            '\u{2}' if after_letter(&self.word) => '-',
            ch => ch,
        };
        if ch.is_control() {
            return;
        }
        let Some(r) = c.rect else { return };
        let h = (r[3] - r[1]).abs().max(1.0);
        if let Some(w) = &self.word {
            let gap = r[0] - w.rect[2];
            let same_line = r[1] < w.rect[3] && r[3] > w.rect[1];
            if !same_line {
                self.end_word();
                self.end_line();
            } else if gap > h * 0.6 || gap < -h * 4.0 {
                self.end_word();
            }
        } else if let Some(prev) = self.line.last() {
            let same_line = r[1] < prev.rect[3] && r[3] > prev.rect[1];
            if !same_line {
                self.end_line();
            }
        }
        self.last_char = Some(r);
        match &mut self.word {
            Some(w) => {
                w.text.push(ch);
                w.rect = [
                    w.rect[0].min(r[0]),
                    w.rect[1].min(r[1]),
                    w.rect[2].max(r[2]),
                    w.rect[3].max(r[3]),
                ];
            }
            None => {
                self.word = Some(PtWord {
                    text: ch.to_string(),
                    rect: r,
                })
            }
        }
    }
}

/// Whether the accent `drawn` sits over (or under) the letter whose box is `letter`: its middle
/// within the letter's width (a little slack for italic letters), on the letter's line.
fn over(drawn: &PdfChar, letter: [f32; 4]) -> bool {
    let Some(a) = drawn.rect else { return false };
    let middle = (a[0] + a[2]) / 2.0;
    let slack = 0.15 * (letter[2] - letter[0]).abs().max(1.0);
    let height = (letter[3] - letter[1]).abs().max(1.0);
    middle >= letter[0] - slack
        && middle <= letter[2] + slack
        && (a[1] - letter[1]).abs() < 1.5 * height
}

/// The combining mark of a spacing accent drawn as a glyph of its own.
fn combining_form(c: char) -> Option<char> {
    Some(match c {
        '`' | '\u{2CB}' => '\u{300}',
        '\u{B4}' | '\u{2CA}' => '\u{301}',
        '^' | '\u{2C6}' => '\u{302}',
        '~' | '\u{2DC}' => '\u{303}',
        '\u{AF}' | '\u{2C9}' => '\u{304}',
        '\u{2D8}' => '\u{306}',
        '\u{2D9}' => '\u{307}',
        '\u{A8}' => '\u{308}',
        '\u{2DA}' => '\u{30A}',
        '\u{2DD}' => '\u{30B}',
        '\u{2C7}' => '\u{30C}',
        '\u{B8}' => '\u{327}',
        '\u{2DB}' => '\u{328}',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lays a string out on a baseline: 6 pt per char, 10 pt high.
    fn chars(s: &str, x0: f32, y: f32) -> Vec<PdfChar> {
        s.chars()
            .enumerate()
            .map(|(i, ch)| {
                let x = x0 + i as f32 * 6.0;
                PdfChar {
                    ch,
                    rect: Some([x, y, x + 5.0, y + 10.0]),
                }
            })
            .collect()
    }

    #[test]
    fn words_and_lines_from_characters() {
        let mut c = chars("Invoice No. 42", 72.0, 700.0);
        c.push(PdfChar {
            ch: '\r',
            rect: None,
        });
        c.push(PdfChar {
            ch: '\n',
            rect: None,
        });
        c.extend(chars("Total", 72.0, 680.0));
        let layer = build(c);
        assert_eq!(layer.text(), "Invoice No. 42\nTotal");
        let first = &layer.lines[0][0];
        assert_eq!(first.text, "Invoice");
        assert_eq!(first.rect, [72.0, 700.0, 72.0 + 6.0 * 6.0 + 5.0, 710.0]);
        assert_eq!(layer.alphanumeric_chars(), "InvoiceNo42Total".len());
    }

    #[test]
    fn a_baseline_jump_without_a_newline_starts_a_new_line() {
        let mut c = chars("left", 72.0, 700.0);
        c.extend(chars("below", 72.0, 650.0));
        assert_eq!(build(c).text(), "left\nbelow");
    }

    #[test]
    fn a_wide_gap_splits_words() {
        let mut c = chars("Qty", 72.0, 700.0);
        c.extend(chars("12", 200.0, 700.0));
        let layer = build(c);
        assert_eq!(layer.lines.len(), 1);
        assert_eq!(layer.lines[0].len(), 2);
    }

    fn at(ch: char, l: f32, b: f32, r: f32, t: f32) -> PdfChar {
        PdfChar {
            ch,
            rect: Some([l, b, r, t]),
        }
    }

    #[test]
    fn accents_drawn_as_glyphs_of_their_own_join_their_letter() {
        // "Loïc" as TeX draws it: the diaeresis before a dotless i, over it and higher.
        let mut c = chars("Lo", 72.0, 700.0);
        c.push(at('\u{A8}', 84.2, 703.0, 87.8, 713.0));
        c.push(at('\u{131}', 84.0, 700.0, 88.0, 710.0));
        c.push(at('c', 90.0, 700.0, 95.0, 710.0));
        // "ŝ" with the hat after its letter, then "a¯" where the macron is beside, not over, the letter.
        c.push(at(' ', 96.0, 700.0, 96.0, 700.0));
        c.push(at('s', 100.0, 700.0, 105.0, 710.0));
        c.push(at('\u{2C6}', 100.5, 704.0, 104.5, 714.0));
        c.push(at(' ', 106.0, 700.0, 106.0, 700.0));
        c.push(at('a', 110.0, 700.0, 115.0, 710.0));
        c.push(at('\u{AF}', 116.0, 700.0, 120.0, 710.0));
        let layer = build(c);
        assert_eq!(layer.text(), "Lo\u{131}\u{308}c \u{15D} a\u{AF}");
    }

    #[test]
    fn pdfiums_line_end_hyphen_is_a_hyphen() {
        let mut c = chars("appli", 72.0, 700.0);
        c.push(at('\u{2}', 102.0, 700.0, 106.0, 710.0));
        c.push(at('\n', 0.0, 0.0, 0.0, 0.0));
        c.extend(chars("cation", 72.0, 686.0));
        // Not after a letter (a piece of a drawn formula): not text.
        c.push(at(' ', 110.0, 686.0, 110.0, 686.0));
        c.push(at('\u{2}', 112.0, 686.0, 116.0, 696.0));
        assert_eq!(build(c).text(), "appli-\ncation");
    }

    #[test]
    fn garbage_layers_are_recognised() {
        let c: Vec<PdfChar> = "\u{FFFD}\u{FFFD}\u{FFFD}a"
            .chars()
            .enumerate()
            .map(|(i, ch)| PdfChar {
                ch,
                rect: Some([i as f32 * 6.0, 0.0, i as f32 * 6.0 + 5.0, 10.0]),
            })
            .collect();
        assert!(build(c).garbage_ratio() > 0.5);
    }
}
