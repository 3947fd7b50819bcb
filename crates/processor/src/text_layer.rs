//! A PDF page's own text, from pdfium's characters (in content order) to words and lines.
//! Pure: takes characters with boxes, so it is testable without a PDF.

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
/// breaks pdfium reports or generates, and where the baseline jumps).
pub fn build(chars: impl IntoIterator<Item = PdfChar>) -> TextLayer {
    let mut layer = TextLayer::default();
    let mut line: Vec<PtWord> = Vec::new();
    let mut word: Option<PtWord> = None;

    fn end_word(word: &mut Option<PtWord>, line: &mut Vec<PtWord>) {
        if let Some(w) = word.take() {
            if !w.text.trim().is_empty() {
                line.push(w);
            }
        }
    }
    fn end_line(line: &mut Vec<PtWord>, layer: &mut TextLayer) {
        if !line.is_empty() {
            layer.lines.push(std::mem::take(line));
        }
    }

    for c in chars {
        if c.ch == '\n' || c.ch == '\r' {
            end_word(&mut word, &mut line);
            end_line(&mut line, &mut layer);
            continue;
        }
        if c.ch.is_whitespace() || c.ch == '\u{0}' {
            end_word(&mut word, &mut line);
            continue;
        }
        if c.ch.is_control() {
            continue;
        }
        let Some(r) = c.rect else { continue };
        let h = (r[3] - r[1]).abs().max(1.0);
        if let Some(w) = &word {
            let gap = r[0] - w.rect[2];
            let same_line = r[1] < w.rect[3] && r[3] > w.rect[1];
            if !same_line {
                end_word(&mut word, &mut line);
                end_line(&mut line, &mut layer);
            } else if gap > h * 0.6 || gap < -h * 4.0 {
                end_word(&mut word, &mut line);
            }
        } else if let Some(prev) = line.last() {
            let same_line = r[1] < prev.rect[3] && r[3] > prev.rect[1];
            if !same_line {
                end_line(&mut line, &mut layer);
            }
        }
        match &mut word {
            Some(w) => {
                w.text.push(c.ch);
                w.rect = [
                    w.rect[0].min(r[0]),
                    w.rect[1].min(r[1]),
                    w.rect[2].max(r[2]),
                    w.rect[3].max(r[3]),
                ];
            }
            None => {
                word = Some(PtWord {
                    text: c.ch.to_string(),
                    rect: r,
                })
            }
        }
    }
    end_word(&mut word, &mut line);
    end_line(&mut line, &mut layer);
    layer
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
