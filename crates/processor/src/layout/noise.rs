//! Picture noise: what Tesseract "reads" inside photos, plots and drawings is low-confidence junk
//! (runs of punctuation, stray letters). Such lines are kept out of the text and the layout (they
//! would bridge gutters), and handed back so their words can still be listed.

use crate::output::result::Word;

/// A line whose mean word confidence is below this is noise, whatever it holds.
const NOISE_CONFIDENCE: f32 = 40.0;
/// Below this confidence, a line that is mostly not letters or digits is noise.
const DOUBTFUL_CONFIDENCE: f32 = 65.0;
/// Share of letters and digits under which a doubtful line is noise.
const MIN_ALNUM_SHARE: f32 = 0.5;

/// Splits OCR lines into text and noise (the noise's words, in their order).
pub fn split_noise(lines: Vec<Vec<Word>>) -> (Vec<Vec<Word>>, Vec<Word>) {
    let mut noise = Vec::new();
    let text = lines
        .into_iter()
        .filter_map(|line| {
            if is_noise(&line) {
                noise.extend(line);
                None
            } else {
                Some(line)
            }
        })
        .collect();
    (text, noise)
}

fn is_noise(line: &[Word]) -> bool {
    if line.is_empty() {
        return false;
    }
    let mean = line.iter().map(|w| w.confidence).sum::<f32>() / line.len() as f32;
    let (mut alnum, mut all) = (0usize, 0usize);
    for c in line.iter().flat_map(|w| w.text.chars()) {
        all += 1;
        alnum += usize::from(c.is_alphanumeric());
    }
    let share = alnum as f32 / all.max(1) as f32;
    mean < NOISE_CONFIDENCE || (mean < DOUBTFUL_CONFIDENCE && share < MIN_ALNUM_SHARE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::result::BBox;

    fn line(words: &[(&str, f32)]) -> Vec<Word> {
        words
            .iter()
            .map(|(t, c)| Word {
                text: t.to_string(),
                confidence: *c,
                bbox: BBox::default(),
            })
            .collect()
    }

    #[test]
    fn junk_from_pictures_is_set_apart_and_text_kept() {
        let text = line(&[("Figure", 91.0), ("3:", 88.0)]);
        let faint = line(&[("faint", 55.0), ("scan", 58.0)]);
        let junk = line(&[("=|", 30.0), ("~~", 25.0)]);
        let marks = line(&[("—-|", 60.0), (":;", 62.0)]);
        let (kept, noise) = split_noise(vec![text.clone(), junk, faint.clone(), marks]);
        assert_eq!(kept, vec![text, faint]);
        assert_eq!(noise.len(), 4);
    }
}
