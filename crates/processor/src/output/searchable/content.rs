//! The invisible text of a page as PDF content: one text object, each word set by its own text
//! matrix in the glyphless font (every glyph half an em wide, Unicode through its ToUnicode map).
//! Pure: words and a pixel-to-point mapping in, content bytes out.

use super::Laid;

/// The text font's ascent and descent (of 1 em), as its descriptor declares them and readers
/// measure a word's box from them: a Latin font's proportions, so that readers group the words
/// into lines and columns as they would printed text.
pub const ASCENT: f32 = 0.718;
pub const DESCENT: f32 = 0.207;

/// The room (in ems) a word followed by a space leaves free at the end of its frame, so that
/// readers see the break even where OCR frames touch (a formula's pieces): poppler joins glyphs
/// into one word across gaps under 0.1 em. Narrow, so that they still see one run of text as the
/// line is one (a table row's cells, read as a row). At most [`MAX_SPACE_SHARE`] of the frame.
const SPACE: f32 = 0.15;
/// The largest share of a word's frame left to the space after it.
const MAX_SPACE_SHARE: f32 = 0.5;

/// The resource name of the text font on the pages this writes to.
pub const FONT: &str = "DPOcrText";

/// Where a pixel of the analysed page image lies in the PDF page's user space (points).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageMap {
    /// The displayed page box's corner that is the image's top-left, in user space.
    origin: (f32, f32),
    /// User-space displacement per image pixel to the right, and per pixel down.
    right: (f32, f32),
    down: (f32, f32),
}

impl PageMap {
    /// A page whose visible box is `[x0, y0, x1, y1]` (user space), shown turned clockwise by
    /// `rotate` degrees, analysed as an image of `width` x `height` pixels.
    pub fn new(visible: [f32; 4], rotate: i64, width: u32, height: u32) -> PageMap {
        let [x0, y0, x1, y1] = visible;
        let (w, h) = (width.max(1) as f32, height.max(1) as f32);
        let rotate = rotate.rem_euclid(360);
        // The displayed width and height in points.
        let (dw, dh) = match rotate {
            90 | 270 => (y1 - y0, x1 - x0),
            _ => (x1 - x0, y1 - y0),
        };
        let (sx, sy) = (dw / w, dh / h);
        let (origin, right, down) = match rotate {
            // Turned clockwise: the page's left edge is shown at the top, its bottom on the left.
            90 => ((x0, y0), (0.0, sx), (sy, 0.0)),
            180 => ((x1, y0), (-sx, 0.0), (0.0, sy)),
            270 => ((x1, y1), (0.0, -sx), (-sy, 0.0)),
            _ => ((x0, y1), (sx, 0.0), (0.0, -sy)),
        };
        PageMap {
            origin,
            right,
            down,
        }
    }

    /// An image of `width` x `height` pixels shown as a page of `dpi`, origin at the bottom left.
    pub fn image(width: u32, height: u32, dpi: f32) -> PageMap {
        let (w, h) = (width as f32 * 72.0 / dpi, height as f32 * 72.0 / dpi);
        PageMap::new([0.0, 0.0, w, h], 0, width, height)
    }

    pub fn point(&self, (x, y): (f32, f32)) -> (f32, f32) {
        (
            self.origin.0 + x * self.right.0 + y * self.down.0,
            self.origin.1 + x * self.right.1 + y * self.down.1,
        )
    }
}

/// The page's lines as one invisible text object in the glyphless font, its em box
/// ([`DESCENT`] below the baseline, [`ASCENT`] above it) on each word's frame. A line sets its
/// text matrix once (its baseline, direction and size); each word then moves along it (`Td`)
/// and is stretched to its frame (`Tz`): a dozen bytes a word beside its text.
pub fn text_object(lines: &[Vec<Laid<'_>>], map: &PageMap) -> Vec<u8> {
    let words: usize = lines.iter().map(Vec::len).sum();
    let mut out = Vec::with_capacity(words * 30 + 32);
    out.extend_from_slice(b"BT\n3 Tr\n/");
    out.extend_from_slice(FONT.as_bytes());
    out.extend_from_slice(b" 1 Tf\n");
    let em = ASCENT + DESCENT;
    for line in lines {
        let Some(first) = line.first() else { continue };
        let [start, end, top] = first.frame.map(|p| map.point(p));
        let rise = (top.0 - start.0, top.1 - start.1);
        // One text space unit is `size` points, along the baseline and up from it.
        let size = (rise.0.hypot(rise.1) / em).max(1e-3);
        let run = (end.0 - start.0, end.1 - start.1);
        let len = run.0.hypot(run.1);
        let along = if len > 0.0 {
            (run.0 / len, run.1 / len)
        } else {
            // Across the rise, clockwise: the way text runs when its tops point along `rise`.
            (rise.1 / (size * em), -rise.0 / (size * em))
        };
        let below = DESCENT / em;
        let origin = (start.0 + rise.0 * below, start.1 + rise.1 * below);
        let matrix = [
            along.0 * size,
            along.1 * size,
            rise.0 / em,
            rise.1 / em,
            origin.0,
            origin.1,
        ];
        for v in matrix {
            write_decimals(&mut out, v, 3);
            out.push(b' ');
        }
        out.extend_from_slice(b"Tm\n");
        let mut at = start;
        for word in line {
            let units: Vec<u16> = word.text.encode_utf16().collect();
            if word.text.trim().is_empty() {
                continue;
            }
            let [w_start, w_end, _] = word.frame.map(|p| map.point(p));
            // Half an em per character, stretched over the frame but for [`SPACE`] at its end
            // when a space follows: there readers see the space (the space character's own
            // advance does not matter, the next word is set at its own frame).
            let letters = word.text.trim_end().encode_utf16().count();
            let width = (w_end.0 - w_start.0).hypot(w_end.1 - w_start.1) / size;
            let room = if letters < units.len() {
                SPACE.min(MAX_SPACE_SHARE * width)
            } else {
                0.0
            };
            let natural = 0.5 * letters as f32;
            let step = ((w_start.0 - at.0) * along.0 + (w_start.1 - at.1) * along.1) / size;
            at = w_start;
            // A tenth of a percent of a word's width, a hundredth of a unit along the line:
            // a tenth of a point or less on any page.
            write_decimals(&mut out, 100.0 * (width - room) / natural, 1);
            out.extend_from_slice(b" Tz ");
            write_decimals(&mut out, step, 2);
            out.extend_from_slice(b" 0 Td (");
            // Two-byte codes as they are, in a literal string (smaller than hex once compressed).
            for u in units {
                for byte in u.to_be_bytes() {
                    if matches!(byte, b'(' | b')' | b'\\') {
                        out.push(b'\\');
                    }
                    out.push(byte);
                }
            }
            out.extend_from_slice(b") Tj\n");
        }
    }
    out.extend_from_slice(b"ET\n");
    out
}

/// A number as PDF content takes it: at most `decimals` decimals, no trailing zeros, no exponent.
fn write_decimals(out: &mut Vec<u8>, v: f32, decimals: usize) {
    let v = if v.is_finite() { v } else { 0.0 };
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    out.extend_from_slice(if s == "-0" || s.is_empty() {
        b"0"
    } else {
        s.as_bytes()
    });
}

/// The glyphless font's ToUnicode map: each two-byte code is the UTF-16 unit it names.
pub const TO_UNICODE: &str = "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n\
1 beginbfrange\n<0000> <FFFF> <0000>\nendbfrange\n\
endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn close(a: (f32, f32), b: (f32, f32)) -> bool {
        (a.0 - b.0).abs() < 1e-3 && (a.1 - b.1).abs() < 1e-3
    }

    #[test]
    fn an_upright_page_maps_its_top_left_pixel_to_the_top_left_corner() {
        // US Letter at 300 DPI.
        let map = PageMap::new([0.0, 0.0, 612.0, 792.0], 0, 2550, 3300);
        assert!(close(map.point((0.0, 0.0)), (0.0, 792.0)));
        assert!(close(map.point((2550.0, 3300.0)), (612.0, 0.0)));
        // A crop box away from the origin moves everything with it.
        let map = PageMap::new([10.0, 20.0, 622.0, 812.0], 0, 612, 792);
        assert!(close(map.point((0.0, 0.0)), (10.0, 812.0)));
    }

    #[test]
    fn a_turned_page_maps_through_its_rotation() {
        // A portrait page shown turned clockwise: the image is landscape.
        let map = PageMap::new([0.0, 0.0, 612.0, 792.0], 90, 792, 612);
        // The image's top-left is the page's bottom-left; right goes up the page, down goes right.
        assert!(close(map.point((0.0, 0.0)), (0.0, 0.0)));
        assert!(close(map.point((792.0, 0.0)), (0.0, 792.0)));
        assert!(close(map.point((0.0, 612.0)), (612.0, 0.0)));
        let map = PageMap::new([0.0, 0.0, 612.0, 792.0], 180, 612, 792);
        assert!(close(map.point((0.0, 0.0)), (612.0, 0.0)));
        let map = PageMap::new([0.0, 0.0, 612.0, 792.0], -90, 792, 612);
        assert!(close(map.point((0.0, 0.0)), (612.0, 792.0)));
        assert!(close(map.point((792.0, 612.0)), (0.0, 0.0)));
    }

    #[test]
    fn lines_become_invisible_text_set_on_their_words_frames() {
        let lines = [vec![
            Laid {
                text: Cow::Borrowed("Über "),
                frame: [(100.0, 200.0), (400.0, 200.0), (100.0, 150.0)],
            },
            Laid {
                text: Cow::Borrowed("x"),
                frame: [(450.0, 200.0), (500.0, 200.0), (450.0, 150.0)],
            },
        ]];
        let map = PageMap::image(1000, 1000, 72.0);
        let content = String::from_utf8_lossy(&text_object(&lines, &map)).into_owned();
        assert!(
            content.starts_with("BT\n3 Tr\n/DPOcrText 1 Tf\n"),
            "{content}"
        );
        // The line: its baseline at (100, 800) above the descent, a 50 pt em box (54.054 pt a unit).
        assert!(
            content.contains("54.054 0 0 54.054 100 811.189 Tm\n"),
            "{content}"
        );
        // "Über": 4 characters of half an em over 300 pt (5.55 units) less 0.15 em left for the
        // space: 270%; then "x" 350 pt further (6.475 units), 50 pt for half an em: 185%.
        let raw = text_object(&lines, &map);
        let word = b"270 Tz 0 0 Td (\0\xDC\0b\0e\0r\0 ) Tj\n";
        assert!(raw.windows(word.len()).any(|w| w == word), "{content}");
        assert!(content.contains("185 Tz 6.47 0 Td (\0x) Tj\n"), "{content}");
        assert!(content.ends_with("ET\n"));
    }

    #[test]
    fn a_word_leaves_room_for_its_space_even_in_a_narrow_frame() {
        // Frames 10 pt high on a 72 DPI image: a unit of 10.811 pt (0.925 of it ascent and
        // descent). "ab " 1 unit wide keeps 0.15 free: 85%; "c ", 0.2 wide, keeps half: 20%.
        let frame = |l: f32, r: f32| [(l, 20.0), (r, 20.0), (l, 10.0)];
        let lines = [vec![
            Laid {
                text: Cow::Borrowed("ab "),
                frame: frame(0.0, 10.811),
            },
            Laid {
                text: Cow::Borrowed("c "),
                frame: frame(10.811, 12.973),
            },
            Laid {
                text: Cow::Borrowed("d"),
                frame: frame(12.973, 20.0),
            },
        ]];
        let content =
            String::from_utf8_lossy(&text_object(&lines, &PageMap::image(100, 100, 72.0)))
                .into_owned();
        assert!(content.contains("85 Tz 0 0 Td"), "{content}");
        assert!(content.contains("20 Tz 1 0 Td"), "{content}");
    }

    #[test]
    fn numbers_are_short_and_plain() {
        let mut s = Vec::new();
        for v in [1.0, -0.5, 0.12345, -0.0001, f32::NAN, 1e9, 120.0] {
            write_decimals(&mut s, v, 3);
            s.push(b' ');
        }
        assert_eq!(s, b"1 -0.5 0.123 0 0 1000000000 120 ");
    }

    #[test]
    fn brackets_and_backslashes_in_codes_are_escaped() {
        // U+2829 and U+5C5C hold the bytes of "(", ")" and "\".
        let lines = [vec![Laid {
            text: Cow::Borrowed("\u{2829}\u{5c5c}"),
            frame: [(0.0, 10.0), (10.0, 10.0), (0.0, 0.0)],
        }]];
        let content = text_object(&lines, &PageMap::image(100, 100, 72.0));
        let tail = b"(\\(\\)\\\\\\\\) Tj\n";
        assert!(
            content.windows(tail.len()).any(|w| w == tail),
            "{}",
            String::from_utf8_lossy(&content)
        );
    }
}
