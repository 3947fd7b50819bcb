//! Where a page's text lines are, for a till receipt Tesseract cannot read (dot-matrix print whose
//! dots stand too far apart for its line finding, faint thermal paper): PaddleOCR's English
//! PP-OCRv3 text detector (DB, a 2.4 MB ONNX model from the same wheel as the figures' recogniser),
//! whose probability map of text is cut into lines here; the figures' recogniser then reads each.

use super::figures::is_figure;
use crate::output::result::{BBox, Word};
use crate::page::glyphs;
use image::GrayImage;
use ort::session::Session;
use ort::value::Tensor;

/// The detector's model, in the figures' reader folder.
pub const MODEL: &str = "en_PP-OCRv3_det_infer.onnx";

/// The page's longer side at most this many pixels for the detector (PaddleOCR's default); both
/// sides a multiple of 32 (the network halves it five times).
const MAX_SIDE: u32 = 960;
/// A pixel of the map is text from this probability (PaddleOCR's `det_db_thresh`).
const TEXT: f32 = 0.3;
/// A region is a line when its mean probability is at least this (`det_db_box_thresh`, RapidOCR's).
const LINE: f32 = 0.5;
/// The detector marks a line's core; it is grown back by area × this / perimeter (`unclip_ratio`).
const UNCLIP: f32 = 1.5;
/// Regions with a side under this many map pixels are specks.
const MIN_SIDE: u32 = 3;
/// PaddleOCR's normalisation of the detector's input (ImageNet's means and deviations).
const MEAN: [f32; 3] = [0.485, 0.456, 0.406];
const STD: [f32; 3] = [0.229, 0.224, 0.225];

pub struct LineFinder {
    session: Session,
}

impl LineFinder {
    pub(crate) fn new(session: Session) -> Self {
        LineFinder { session }
    }

    /// The boxes of the page's text lines, in page pixels, top to bottom.
    pub fn find(&mut self, image: &GrayImage) -> Result<Vec<BBox>, String> {
        let (width, height) = input_size(image.width(), image.height());
        let resized =
            image::imageops::resize(image, width, height, image::imageops::FilterType::Triangle);
        let mut pixels = Vec::with_capacity(3 * resized.as_raw().len());
        for (mean, std) in MEAN.iter().zip(STD) {
            pixels.extend(
                resized
                    .as_raw()
                    .iter()
                    .map(|&v| (v as f32 / 255.0 - mean) / std),
            );
        }
        let tensor = Tensor::from_array(([1usize, 3, height as usize, width as usize], pixels))
            .map_err(|e| e.to_string())?;
        let outputs = self
            .session
            .run(ort::inputs![tensor])
            .map_err(|e| e.to_string())?;
        let (_, map) = outputs[0]
            .try_extract_tensor::<f32>()
            .map_err(|e| e.to_string())?;
        let scale = (
            image.width() as f32 / width as f32,
            image.height() as f32 / height as f32,
        );
        Ok(boxes_of(
            map,
            width,
            height,
            scale,
            (image.width(), image.height()),
        ))
    }
}

/// The detector's input size for a page: shrunk to `MAX_SIDE` at most, each side rounded to a
/// multiple of 32.
fn input_size(width: u32, height: u32) -> (u32, u32) {
    let scale = (MAX_SIDE as f32 / width.max(height).max(1) as f32).min(1.0);
    let side = |v: u32| (((v as f32 * scale) / 32.0).round() as u32 * 32).max(32);
    (side(width), side(height))
}

/// The lines in a `width × height` probability map: its regions of text pixels that are surely
/// text, each grown back to the line it marks and scaled to the page (`scale`: page pixels per map
/// pixel; `page`: its size), top to bottom.
pub(crate) fn boxes_of(
    map: &[f32],
    width: u32,
    height: u32,
    scale: (f32, f32),
    page: (u32, u32),
) -> Vec<BBox> {
    if map.len() < (width * height) as usize || width == 0 {
        return Vec::new();
    }
    // Text dark, as the glyph finder takes it.
    let ink = GrayImage::from_fn(width, height, |x, y| {
        let p = map[(y * width + x) as usize];
        image::Luma([if p > TEXT { 0 } else { 255 }])
    });
    let Some(regions) = glyphs::components(&ink, 127) else {
        return Vec::new();
    };
    let mut boxes: Vec<BBox> = regions
        .into_iter()
        .filter(|c| c.x1 - c.x0 >= MIN_SIDE && c.y1 - c.y0 >= MIN_SIDE)
        .filter(|c| {
            let (mut sum, mut n) = (0.0f32, 0usize);
            for y in c.y0..c.y1 {
                let row = &map[(y * width) as usize..][..width as usize];
                sum += row[c.x0 as usize..c.x1 as usize].iter().sum::<f32>();
                n += (c.x1 - c.x0) as usize;
            }
            sum / n.max(1) as f32 >= LINE
        })
        .map(|c| {
            let (w, h) = ((c.x1 - c.x0) as f32, (c.y1 - c.y0) as f32);
            let grow = w * h * UNCLIP / (2.0 * (w + h));
            let left = ((c.x0 as f32 - grow) * scale.0).max(0.0);
            let top = ((c.y0 as f32 - grow) * scale.1).max(0.0);
            let right = ((c.x1 as f32 + grow) * scale.0).min(page.0 as f32);
            let bottom = ((c.y1 as f32 + grow) * scale.1).min(page.1 as f32);
            BBox {
                left: left as u32,
                top: top as u32,
                width: (right - left).max(1.0) as u32,
                height: (bottom - top).max(1.0) as u32,
            }
        })
        .collect();
    boxes.sort_by_key(|b| (b.top + b.height / 2, b.left));
    boxes
}

/// The most a word of a line read whole is trusted, unless it is a figure: the recogniser drops
/// the spaces after marks and between some words ("3-7GROUND FLOORJLN"), so a name or address
/// read this way is as printed only by chance and stays under the fields' bar for names (0.85;
/// SROIE's six receipts Tesseract cannot read: 8 of the 9 names and addresses read so were
/// wrong). Its amounts and dates keep the model's sureness.
const WORD_CONFIDENCE: f32 = 80.0;

/// Lines read one box at a time (its box, its text, how sure the model is 0-1) as lines of words:
/// boxes whose middles share a height make one line, left to right; a box's words get its width
/// shared out by their length.
pub(crate) fn into_lines(read: Vec<(BBox, String, f32)>) -> Vec<Vec<Word>> {
    let mut lines: Vec<Vec<(BBox, String, f32)>> = Vec::new();
    for (bbox, text, sure) in read {
        if text.trim().is_empty() {
            continue;
        }
        let middle = bbox.top + bbox.height / 2;
        let same = lines.iter_mut().find(|line| {
            line.iter()
                .any(|(b, _, _)| b.top <= middle && middle < b.top + b.height)
        });
        match same {
            Some(line) => line.push((bbox, text, sure)),
            None => lines.push(vec![(bbox, text, sure)]),
        }
    }
    lines.sort_by_key(|line| line.iter().map(|(b, _, _)| b.top).min());
    lines
        .into_iter()
        .map(|mut line| {
            line.sort_by_key(|(b, _, _)| b.left);
            line.iter()
                .flat_map(|(b, text, sure)| words_of(*b, text, *sure))
                .collect()
        })
        .collect()
}

/// A line's words, each given the share of the line's width its characters (and a space) take.
fn words_of(line: BBox, text: &str, sure: f32) -> Vec<Word> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    let chars: usize = parts.iter().map(|p| p.chars().count() + 1).sum::<usize>() - 1;
    let per_char = line.width as f32 / chars.max(1) as f32;
    let mut x = line.left as f32;
    parts
        .iter()
        .map(|part| {
            let width = part.chars().count() as f32 * per_char;
            let sure = (sure * 100.0).clamp(0.0, 100.0);
            let word = Word {
                text: part.to_string(),
                confidence: match is_figure(part) {
                    true => sure,
                    false => sure.min(WORD_CONFIDENCE),
                },
                bbox: BBox {
                    left: x as u32,
                    top: line.top,
                    width: (width as u32).max(1),
                    height: line.height,
                },
            };
            x += width + per_char;
            word
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_input_is_at_most_960_and_in_steps_of_32() {
        assert_eq!(input_size(807, 2033), (384, 960));
        assert_eq!(input_size(300, 200), (288, 192));
        assert_eq!(input_size(10, 10), (32, 32));
    }

    /// A map `w × h` with the given rectangles (x0, y0, x1, y1) at probability `p`.
    fn map(w: u32, h: u32, rects: &[(u32, u32, u32, u32, f32)]) -> Vec<f32> {
        let mut m = vec![0.0; (w * h) as usize];
        for &(x0, y0, x1, y1, p) in rects {
            for y in y0..y1 {
                for x in x0..x1 {
                    m[(y * w + x) as usize] = p;
                }
            }
        }
        m
    }

    #[test]
    fn surely_text_regions_become_lines_grown_and_scaled() {
        let m = map(
            64,
            32,
            &[
                (10, 20, 50, 26, 0.9), // a line, lower
                (4, 4, 40, 10, 0.8),   // a line, higher
                (55, 4, 60, 10, 0.4),  // text, not surely
                (60, 28, 62, 30, 0.9), // a speck
            ],
        );
        let boxes = boxes_of(&m, 64, 32, (2.0, 2.0), (128, 64));
        assert_eq!(boxes.len(), 2, "{boxes:?}");
        // 36 x 6 grows by 36*6*1.5/84 = 3.86 map pixels on each side, then doubles.
        assert_eq!(
            (boxes[0].left, boxes[0].top, boxes[0].width, boxes[0].height),
            (0, 0, 87, 27)
        );
        assert!(boxes[1].top > boxes[0].top);
        assert!(boxes[1].top + boxes[1].height <= 64);
    }

    #[test]
    fn boxes_on_one_height_make_one_line_of_words() {
        let b = |left, top| BBox {
            left,
            top,
            width: 110,
            height: 20,
        };
        let lines = into_lines(vec![
            (b(200, 102), "12.50".into(), 0.9),
            (b(10, 100), "TOTAL RM".into(), 0.8),
            (b(10, 10), "SHOP".into(), 0.99),
            (b(10, 50), " ".into(), 0.1),
        ]);
        let texts: Vec<Vec<&str>> = lines
            .iter()
            .map(|l| l.iter().map(|w| w.text.as_str()).collect())
            .collect();
        assert_eq!(texts, [vec!["SHOP"], vec!["TOTAL", "RM", "12.50"]]);
        let (total, rm) = (&lines[1][0], &lines[1][1]);
        // "TOTAL RM": 8 characters over 110 px (13.75 each); TOTAL is 5 of them, then a space.
        assert_eq!((total.bbox.left, total.bbox.width), (10, 68));
        assert_eq!(rm.bbox.left, 92);
        assert_eq!(total.confidence, 80.0);
        let figure = lines[1].last().unwrap();
        assert_eq!((figure.text.as_str(), figure.confidence), ("12.50", 90.0));
        assert_eq!(lines[0][0].confidence, WORD_CONFIDENCE);
    }
}
