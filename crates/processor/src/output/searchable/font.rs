//! The glyphless font the invisible text is set in: Tesseract's own (`pdf.ttf`, Apache-2.0, the
//! font Tesseract's and OCRmyPDF's PDFs use), as a Type0 font with two-byte codes that are UTF-16
//! units, so any BMP character is searchable. Every glyph is half an em wide.

use super::compressed;
use super::content::{ASCENT, DESCENT, TO_UNICODE};
use lopdf::{dictionary, Document, Object, ObjectId, Stream};

/// Tesseract's glyphless font (one empty glyph), copied from its tessdata (`pdf.ttf`).
const GLYPHLESS_TTF: &[u8] = include_bytes!("../../../assets/glyphless.ttf");

/// Adds the font's objects to `doc`; the Type0 font's id.
pub fn add(doc: &mut Document) -> ObjectId {
    let file = doc.add_object(Stream::new(
        dictionary! { "Length1" => GLYPHLESS_TTF.len() as i64 },
        GLYPHLESS_TTF.to_vec(),
    ));
    let (ascent, descent) = ((ASCENT * 1000.0) as i64, -(DESCENT * 1000.0) as i64);
    let descriptor = doc.add_object(dictionary! {
        "Type" => "FontDescriptor",
        "FontName" => "GlyphLessFont",
        "Flags" => 5,
        "FontBBox" => vec![0.into(), descent.into(), 500.into(), ascent.into()],
        "ItalicAngle" => 0,
        "Ascent" => ascent,
        "Descent" => descent,
        "CapHeight" => ascent,
        "StemV" => 80,
        "FontFile2" => file,
    });
    // Every code (a UTF-16 unit) draws the font's one glyph.
    let cid_to_gid = doc.add_object(compressed(dictionary! {}, [0u8, 1].repeat(1 << 16)));
    let cid_font = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "CIDFontType2",
        "BaseFont" => "GlyphLessFont",
        "CIDSystemInfo" => dictionary! {
            "Registry" => Object::string_literal("Adobe"),
            "Ordering" => Object::string_literal("Identity"),
            "Supplement" => 0,
        },
        "FontDescriptor" => descriptor,
        "CIDToGIDMap" => cid_to_gid,
        "DW" => 500,
    });
    let to_unicode = doc.add_object(compressed(dictionary! {}, TO_UNICODE.as_bytes().to_vec()));
    doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type0",
        "BaseFont" => "GlyphLessFont",
        "Encoding" => "Identity-H",
        "DescendantFonts" => vec![Object::Reference(cid_font)],
        "ToUnicode" => to_unicode,
    })
}
