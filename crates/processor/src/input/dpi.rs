//! Resolution metadata read from image headers (pure byte parsing, no decoding).
//! The image crate does not expose it, and Tesseract reads layouts best when told the real DPI.

const INCH_PER_METRE: f64 = 0.0254;

/// A DPI value is only believed when it is plausible for a page image: screen defaults (72/96)
/// on a large image would claim a poster-sized page and mislead the OCR.
pub fn plausible(dpi: f64, width_px: u32) -> Option<u32> {
    if !(70.0..=1200.0).contains(&dpi) {
        return None;
    }
    let inches = width_px as f64 / dpi;
    (inches <= 20.0).then_some(dpi.round() as u32)
}

/// PNG `pHYs` chunk (pixels per metre). Stops at the first IDAT: pHYs must precede it.
pub fn png(bytes: &[u8]) -> Option<f64> {
    let mut pos = 8;
    while pos + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[pos..pos + 4].try_into().ok()?) as usize;
        let kind = &bytes[pos + 4..pos + 8];
        let data = bytes.get(pos + 8..pos + 8 + len)?;
        match kind {
            b"pHYs" if len >= 9 => {
                let ppu = u32::from_be_bytes(data[0..4].try_into().ok()?);
                return (data[8] == 1).then_some(ppu as f64 * INCH_PER_METRE);
            }
            b"IDAT" | b"IEND" => return None,
            _ => {}
        }
        pos += 12 + len;
    }
    None
}

/// JPEG JFIF APP0 density (units 1 = per inch, 2 = per cm).
pub fn jpeg(bytes: &[u8]) -> Option<f64> {
    let mut pos = 2;
    while pos + 4 <= bytes.len() && bytes[pos] == 0xFF {
        let marker = bytes[pos + 1];
        let len = u16::from_be_bytes([bytes[pos + 2], bytes[pos + 3]]) as usize;
        let seg = bytes.get(pos + 4..pos + 2 + len)?;
        if marker == 0xE0 && seg.len() >= 12 && seg.starts_with(b"JFIF\0") {
            let units = seg[7];
            let x = u16::from_be_bytes([seg[8], seg[9]]) as f64;
            return match units {
                1 => Some(x),
                2 => Some(x * 2.54),
                _ => None,
            };
        }
        if marker == 0xDA {
            return None; // start of scan: no more headers
        }
        pos += 2 + len;
    }
    None
}

/// BMP BITMAPINFOHEADER horizontal pixels per metre.
pub fn bmp(bytes: &[u8]) -> Option<f64> {
    let ppm = i32::from_le_bytes(bytes.get(38..42)?.try_into().ok()?);
    (ppm > 0).then_some(ppm as f64 * INCH_PER_METRE)
}

/// TIFF XResolution with its ResolutionUnit (2 = inch, 3 = centimetre).
pub fn tiff(x_resolution: Option<f64>, unit: Option<u32>) -> Option<f64> {
    let x = x_resolution?;
    match unit.unwrap_or(2) {
        2 => Some(x),
        3 => Some(x * 2.54),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_with_phys(ppm: u32, unit: u8) -> Vec<u8> {
        let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
        v.extend_from_slice(&13u32.to_be_bytes());
        v.extend_from_slice(b"IHDR");
        v.extend_from_slice(&[0; 13 + 4]);
        v.extend_from_slice(&9u32.to_be_bytes());
        v.extend_from_slice(b"pHYs");
        v.extend_from_slice(&ppm.to_be_bytes());
        v.extend_from_slice(&ppm.to_be_bytes());
        v.push(unit);
        v.extend_from_slice(&[0; 4]);
        v
    }

    #[test]
    fn png_phys_in_metres() {
        let dpi = png(&png_with_phys(11811, 1)).unwrap();
        assert!((dpi - 300.0).abs() < 0.1, "{dpi}");
        assert_eq!(png(&png_with_phys(11811, 0)), None);
        assert_eq!(png(b"\x89PNG\r\n\x1a\n"), None);
    }

    #[test]
    fn jpeg_jfif_density() {
        let mut j = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16];
        j.extend_from_slice(b"JFIF\0\x01\x01\x01");
        j.extend_from_slice(&200u16.to_be_bytes());
        j.extend_from_slice(&200u16.to_be_bytes());
        j.extend_from_slice(&[0, 0]);
        assert_eq!(jpeg(&j), Some(200.0));
        j[13] = 0; // aspect ratio only
        assert_eq!(jpeg(&j), None);
    }

    #[test]
    fn implausible_values_are_ignored() {
        assert_eq!(plausible(300.0, 2550), Some(300));
        assert_eq!(plausible(72.0, 2550), None); // a 35-inch page: a screen default, not a scan
        assert_eq!(plausible(5.0, 100), None);
        assert_eq!(tiff(Some(118.11), Some(3)).map(|d| d.round()), Some(300.0));
    }
}
