//! Format sniffing from magic bytes. The declared type is only a hint: content decides.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Pdf,
    Png,
    Jpeg,
    Tiff,
    Bmp,
    Gif,
    Webp,
}

impl Format {
    /// Parses a user's `file_type` hint (`pdf`, `jpg`, `tiff`, ...; case-insensitive, leading dot allowed).
    pub fn from_hint(hint: &str) -> Option<Format> {
        let h = hint.trim().trim_start_matches('.').to_ascii_lowercase();
        Some(match h.as_str() {
            "pdf" => Format::Pdf,
            "png" => Format::Png,
            "jpg" | "jpeg" => Format::Jpeg,
            "tif" | "tiff" => Format::Tiff,
            "bmp" => Format::Bmp,
            "gif" => Format::Gif,
            "webp" => Format::Webp,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Png => "png",
            Format::Jpeg => "jpeg",
            Format::Tiff => "tiff",
            Format::Bmp => "bmp",
            Format::Gif => "gif",
            Format::Webp => "webp",
        }
    }
}

/// Identifies the format from the first bytes of the content.
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.starts_with(PNG) {
        return Some(Format::Png);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(Format::Jpeg);
    }
    // Classic TIFF (II*\0 / MM\0*) and BigTIFF (II+\0 / MM\0+).
    if bytes.len() >= 4 && matches!(&bytes[..4], b"II*\0" | b"MM\0*" | b"II+\0" | b"MM\0+") {
        return Some(Format::Tiff);
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Some(Format::Gif);
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some(Format::Webp);
    }
    // BMP: "BM" plus a plausible DIB header size, so that text starting with "BM" is not taken for one.
    if bytes.len() >= 18 && bytes.starts_with(b"BM") {
        let dib = u32::from_le_bytes([bytes[14], bytes[15], bytes[16], bytes[17]]);
        if matches!(dib, 12 | 40 | 52 | 56 | 64 | 108 | 124) {
            return Some(Format::Bmp);
        }
    }
    // PDF readers accept junk before the header (ISO 32000 allows it within the first 1024 bytes).
    let head = &bytes[..bytes.len().min(1024)];
    if head.windows(5).any(|w| w == b"%PDF-") {
        return Some(Format::Pdf);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_each_format_by_magic() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some(Format::Pdf));
        assert_eq!(sniff(b"\xEF\xBB\xBF garbage %PDF-1.4"), Some(Format::Pdf));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some(Format::Png));
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Some(Format::Jpeg)
        );
        assert_eq!(sniff(b"II*\0\x08\0\0\0"), Some(Format::Tiff));
        assert_eq!(sniff(b"MM\0*\0\0\0\x08"), Some(Format::Tiff));
        assert_eq!(sniff(b"GIF89a\x01\0\x01\0"), Some(Format::Gif));
        assert_eq!(sniff(b"RIFF\x24\0\0\0WEBPVP8 "), Some(Format::Webp));
        let mut bmp = b"BM".to_vec();
        bmp.extend_from_slice(&[0; 12]);
        bmp.extend_from_slice(&40u32.to_le_bytes());
        assert_eq!(sniff(&bmp), Some(Format::Bmp));
    }

    #[test]
    fn rejects_unknown_and_empty_content() {
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(b"BMW is a car, not a bitmap"), None);
        assert_eq!(sniff(b"hello world"), None);
        assert_eq!(sniff(&[0u8; 4096]), None);
    }

    #[test]
    fn parses_hints() {
        assert_eq!(Format::from_hint("PDF"), Some(Format::Pdf));
        assert_eq!(Format::from_hint(".jpg"), Some(Format::Jpeg));
        assert_eq!(Format::from_hint("jpeg"), Some(Format::Jpeg));
        assert_eq!(Format::from_hint("tif"), Some(Format::Tiff));
        assert_eq!(Format::from_hint("webp"), Some(Format::Webp));
        assert_eq!(Format::from_hint("docx"), None);
    }
}
