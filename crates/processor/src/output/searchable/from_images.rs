//! An image's searchable PDF: one page per image page at its resolution, the image drawn over the
//! whole page and the invisible text on it. What a PDF filter can read is embedded as it is coded:
//! a JPEG (DCT), a PNG's rows (Flate with PNG predictors), a TIFF page in Group 4 (CCITT). Other
//! pixels go in as few channels and bits as they need, Flate-compressed with PNG's "up" predictor.

use super::content::{self, PageMap};
use super::{compressed, font, text_lines};
use crate::config::Limits;
use crate::error::ProcessError;
use crate::input::format::Format;
use crate::output::result::DocumentResult;
use image::DynamicImage;
use lopdf::{dictionary, Document, Object, ObjectId, Stream};
use std::io::Write;

/// Resolution assumed for an image whose own is unknown (it only sets the page's size in points).
const FALLBACK_DPI: f32 = 300.0;

pub fn write(
    bytes: &[u8],
    format: Format,
    limits: &Limits,
    result: &DocumentResult,
    out: &mut impl Write,
) -> Result<(), ProcessError> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font_id = font::add(&mut doc);
    let mut kids = Vec::with_capacity(result.pages.len());
    for page in &result.pages {
        let index = page.page - 1;
        let dpi = page.dpi.map_or(FALLBACK_DPI, |d| d as f32);
        let (w, h) = (
            page.width as f32 * 72.0 / dpi,
            page.height as f32 * 72.0 / dpi,
        );
        // The page's image as bands top to bottom (one unless a TIFF stores it in strips).
        let bands: Vec<(Stream, u32)> = match format {
            Format::Jpeg => jpeg_components(bytes).map(|colour| {
                vec![(
                    jpeg_stream(bytes, page.width, page.height, colour),
                    page.height,
                )]
            }),
            Format::Png => png_stream(bytes).map(|s| vec![(s, page.height)]),
            Format::Tiff => {
                crate::input::raster::tiff_g4_page(bytes, limits, index).map(g4_streams)
            }
            _ => None,
        }
        .map_or_else(
            || {
                crate::input::raster::page_pixels(bytes, format, limits, index)
                    .map(|pixels| vec![(pixels_stream(pixels), page.height)])
            },
            Ok,
        )?;
        let mut xobjects = lopdf::Dictionary::new();
        let mut ops = Vec::new();
        let mut top = 0;
        for (n, (stream, rows)) in bands.into_iter().enumerate() {
            let name = format!("Im{n}");
            let band_h = rows as f32 * h / page.height.max(1) as f32;
            let y = h - (top as f32 * h / page.height.max(1) as f32) - band_h;
            ops.extend(format!("q\n{w} 0 0 {band_h} 0 {y} cm\n/{name} Do\nQ\n").into_bytes());
            xobjects.set(name, doc.add_object(stream));
            top += rows;
        }
        ops.extend(content::text_object(
            &text_lines(page),
            &PageMap::image(page.width, page.height, dpi),
        ));
        let contents = doc.add_object(compressed(dictionary! {}, ops));
        kids.push(Object::Reference(doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), w.into(), h.into()],
            "Resources" => dictionary! {
                "XObject" => xobjects,
                "Font" => dictionary! { content::FONT => font_id },
            },
            "Contents" => contents,
        })));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog: ObjectId =
        doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    doc.save_to(out).map_err(|e| {
        ProcessError::internal(format!("the searchable PDF could not be written: {e}"))
    })
}

/// An image XObject's dictionary, before its filter.
fn image_dict(width: u32, height: u32, colour: &str, bits: u32) -> lopdf::Dictionary {
    dictionary! {
        "Type" => "XObject",
        "Subtype" => "Image",
        "Width" => width,
        "Height" => height,
        "ColorSpace" => colour,
        "BitsPerComponent" => bits,
    }
}

/// An image stream of Flate-compressed rows, each led by its PNG predictor byte.
fn png_predicted(
    mut dict: lopdf::Dictionary,
    colours: u32,
    bits: u32,
    columns: u32,
    data: Vec<u8>,
) -> Stream {
    dict.set("Filter", "FlateDecode");
    dict.set(
        "DecodeParms",
        dictionary! {
            "Predictor" => 15,
            "Colors" => colours,
            "BitsPerComponent" => bits,
            "Columns" => columns,
        },
    );
    Stream::new(dict, data)
}

/// The colour space of a baseline or progressive JPEG the PDF can take as it is (grey or RGB;
/// CMYK's inverted Adobe variants are decoded instead), from its frame header.
fn jpeg_components(bytes: &[u8]) -> Option<&'static str> {
    let mut i = 2;
    while i + 9 < bytes.len() {
        if bytes[i] != 0xFF {
            return None;
        }
        let marker = bytes[i + 1];
        let len = u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]) as usize;
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            return match bytes[i + 9] {
                1 => Some("DeviceGray"),
                3 => Some("DeviceRGB"),
                _ => None,
            };
        }
        i += 2 + len;
    }
    None
}

fn jpeg_stream(bytes: &[u8], width: u32, height: u32, colour: &str) -> Stream {
    let mut dict = image_dict(width, height, colour, 8);
    dict.set("Filter", "DCTDecode");
    Stream::new(dict, bytes.to_vec())
}

/// A PNG's own compressed rows: a PDF's Flate filter with the PNG predictors reads them as they
/// are (grey or RGB, 1 to 8 bits, not interlaced; others are decoded instead).
fn png_stream(bytes: &[u8]) -> Option<Stream> {
    let mut at = 8;
    let (mut header, mut data) = (None, Vec::new());
    while at + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().ok()?) as usize;
        let kind = &bytes[at + 4..at + 8];
        let body = bytes.get(at + 8..at + 8 + len)?;
        match kind {
            b"IHDR" if len >= 13 => header = Some(body.to_vec()),
            b"IDAT" => data.extend_from_slice(body),
            b"IEND" => break,
            _ => {}
        }
        at += 12 + len;
    }
    let h = header?;
    let (width, height) = (
        u32::from_be_bytes(h[0..4].try_into().ok()?),
        u32::from_be_bytes(h[4..8].try_into().ok()?),
    );
    let (depth, colour_type, interlace) = (h[8], h[9], h[12]);
    let (colour, colours) = match (colour_type, depth) {
        (0, 1 | 2 | 4 | 8) => ("DeviceGray", 1),
        (2, 8) => ("DeviceRGB", 3),
        _ => return None,
    };
    if interlace != 0 || data.is_empty() {
        return None;
    }
    let bits = depth as u32;
    Some(png_predicted(
        image_dict(width, height, colour, bits),
        colours,
        bits,
        width,
        data,
    ))
}

/// A TIFF page's Group 4 image. Stored in several strips, it is coded again as one image: each
/// strip is coded on its own (its first row read against a white one), so their codes cannot just
/// be joined, and an image object per strip costs its dictionary and cross-reference entry (a
/// scanner's 17 strips a page made the PDF 21% larger than its TIFF). One strip, or strips that
/// do not decode, go in as they are coded: the PDF's CCITT filter reads that code.
fn g4_streams(page: crate::input::raster::G4Page<'_>) -> Vec<(Stream, u32)> {
    if page.strips.len() > 1 {
        if let Some(code) = g4_joined(&page) {
            return vec![(g4_stream(&page, page.height, code), page.height)];
        }
    }
    page.strips
        .iter()
        .map(|&(data, rows)| (g4_stream(&page, rows, data.to_vec()), rows))
        .collect()
}

/// The strips decoded row by row and coded as one Group 4 image; None if a strip does not hold
/// its rows.
fn g4_joined(page: &crate::input::raster::G4Page<'_>) -> Option<Vec<u8>> {
    let width = u16::try_from(page.width).ok()?;
    let mut encoder = fax::encoder::Encoder::new(fax::VecWriter::new());
    for &(data, rows) in &page.strips {
        let mut decoded = 0u32;
        fax::decoder::decode_g4(
            data.iter().copied(),
            width,
            Some(u16::try_from(rows).ok()?),
            |changes| {
                // VecWriter cannot fail (its error type is Infallible).
                let _ = encoder.encode_line(fax::decoder::pels(changes, width), width);
                decoded += 1;
            },
        )?;
        if decoded != rows {
            return None;
        }
    }
    encoder.finish().ok().map(fax::VecWriter::finish)
}

fn g4_stream(page: &crate::input::raster::G4Page<'_>, rows: u32, code: Vec<u8>) -> Stream {
    let mut dict = image_dict(page.width, rows, "DeviceGray", 1);
    dict.set("Filter", "CCITTFaxDecode");
    dict.set(
        "DecodeParms",
        dictionary! { "K" => -1, "Columns" => page.width, "Rows" => rows },
    );
    if page.inverted {
        dict.set("Decode", vec![1.into(), 0.into()]);
    }
    Stream::new(dict, code)
}

/// Decoded pixels: grey if they hold no colour, one bit if they hold only black and white.
fn pixels_stream(img: DynamicImage) -> Stream {
    let img = compact(img);
    let (w, h) = (img.width(), img.height());
    let (colour, colours, bits, rows): (&str, u32, u32, Vec<Vec<u8>>) = match &img {
        DynamicImage::ImageLuma8(g) if g.pixels().all(|p| p.0[0] == 0 || p.0[0] == 255) => {
            let rows = g
                .rows()
                .map(|row| {
                    let mut packed = vec![0u8; (w as usize).div_ceil(8)];
                    for (x, p) in row.enumerate() {
                        if p.0[0] == 255 {
                            packed[x / 8] |= 0x80 >> (x % 8);
                        }
                    }
                    packed
                })
                .collect();
            ("DeviceGray", 1, 1, rows)
        }
        DynamicImage::ImageLuma8(g) => (
            "DeviceGray",
            1,
            8,
            g.rows().map(|r| r.map(|p| p.0[0]).collect()).collect(),
        ),
        other => (
            "DeviceRGB",
            3,
            8,
            other
                .to_rgb8()
                .rows()
                .map(|r| r.flat_map(|p| p.0).collect())
                .collect(),
        ),
    };
    let dict = image_dict(w, h, colour, bits);
    png_predicted(dict, colours, bits, w, deflate(&up_predicted(&rows)))
}

/// The pixels in as few channels as they need: a scan saved as RGB that holds only greys is
/// embedded grey (a third of the bytes); transparency is put on white paper (no soft mask).
fn compact(img: image::DynamicImage) -> image::DynamicImage {
    use image::DynamicImage;
    let rgb = match img {
        DynamicImage::ImageLuma8(_) => return img,
        img if img.color().has_alpha() => {
            let rgba = img.into_rgba8();
            let (w, h) = rgba.dimensions();
            image::RgbImage::from_fn(w, h, |x, y| {
                let [r, g, b, a] = rgba.get_pixel(x, y).0;
                let on_white = |c: u8| ((c as u32 * a as u32 + 255 * (255 - a as u32)) / 255) as u8;
                image::Rgb([on_white(r), on_white(g), on_white(b)])
            })
        }
        img => img.into_rgb8(),
    };
    if rgb.pixels().all(|p| p.0[0] == p.0[1] && p.0[1] == p.0[2]) {
        let (w, h) = rgb.dimensions();
        let grey = rgb.pixels().map(|p| p.0[0]).collect();
        DynamicImage::ImageLuma8(image::GrayImage::from_raw(w, h, grey).expect("same size"))
    } else {
        DynamicImage::ImageRgb8(rgb)
    }
}

/// PNG's "up" filter on every row after the first: each byte less the one above it.
fn up_predicted(rows: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(rows.iter().map(|r| r.len() + 1).sum());
    for (i, row) in rows.iter().enumerate() {
        if i == 0 {
            out.push(0);
            out.extend_from_slice(row);
        } else {
            out.push(2);
            out.extend(
                row.iter()
                    .zip(&rows[i - 1])
                    .map(|(a, b)| a.wrapping_sub(*b)),
            );
        }
    }
    out
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Group 4 code of rows of pixels (true: black).
    fn g4(rows: &[Vec<bool>]) -> Vec<u8> {
        let width = rows[0].len() as u16;
        let mut encoder = fax::encoder::Encoder::new(fax::VecWriter::new());
        for row in rows {
            let pels = row.iter().map(|&b| match b {
                true => fax::Color::Black,
                false => fax::Color::White,
            });
            encoder.encode_line(pels, width).unwrap();
        }
        encoder.finish().unwrap().finish()
    }

    #[test]
    fn strips_are_joined_into_one_image_with_the_same_rows() {
        // A diagonal and a bar that cross the strip boundary at row 5.
        let rows: Vec<Vec<bool>> = (0..12)
            .map(|y| {
                (0..40)
                    .map(|x| x == y * 3 || (10..20).contains(&x))
                    .collect()
            })
            .collect();
        let (top, bottom) = (g4(&rows[..5]), g4(&rows[5..]));
        let page = crate::input::raster::G4Page {
            width: 40,
            height: 12,
            strips: vec![(&top, 5), (&bottom, 7)],
            inverted: false,
        };
        let joined = g4_joined(&page).expect("the strips decode");
        let mut decoded = Vec::new();
        fax::decoder::decode_g4(joined.iter().copied(), 40, Some(12), |changes| {
            decoded.push(
                fax::decoder::pels(changes, 40)
                    .map(|c| c == fax::Color::Black)
                    .collect::<Vec<_>>(),
            );
        })
        .unwrap();
        assert_eq!(decoded, rows);
        let streams = g4_streams(page);
        assert_eq!(streams.len(), 1, "one image for the page");
        assert_eq!(streams[0].1, 12);
        // A strip that does not hold its rows: the strips go in as they are.
        let short = crate::input::raster::G4Page {
            width: 40,
            height: 12,
            strips: vec![(&top[..1], 5), (&bottom, 7)],
            inverted: true,
        };
        assert!(g4_joined(&short).is_none());
        let streams = g4_streams(short);
        assert_eq!(streams.iter().map(|s| s.1).collect::<Vec<_>>(), [5, 7]);
    }

    #[test]
    fn grey_pixels_are_embedded_grey_and_transparency_goes_on_white() {
        let grey_rgb = image::RgbImage::from_fn(4, 4, |x, _| image::Rgb([x as u8 * 60; 3]));
        let out = compact(image::DynamicImage::ImageRgb8(grey_rgb));
        assert_eq!(out.color(), image::ColorType::L8);
        let colour = image::RgbImage::from_pixel(2, 2, image::Rgb([200, 10, 10]));
        assert_eq!(
            compact(image::DynamicImage::ImageRgb8(colour)).color(),
            image::ColorType::Rgb8
        );
        let clear = image::RgbaImage::from_pixel(2, 2, image::Rgba([0, 0, 0, 0]));
        let out = compact(image::DynamicImage::ImageRgba8(clear));
        assert_eq!(out.as_luma8().unwrap().get_pixel(0, 0).0, [255]);
    }

    #[test]
    fn rows_are_predicted_from_the_row_above() {
        let rows = vec![vec![10, 20], vec![11, 19], vec![11, 19]];
        assert_eq!(up_predicted(&rows), [0, 10, 20, 2, 1, 255, 2, 0, 0]);
    }

    #[test]
    fn a_jpegs_colour_space_comes_from_its_frame_header() {
        let img = image::GrayImage::from_pixel(8, 8, image::Luma([128]));
        let mut jpeg = Vec::new();
        DynamicImage::ImageLuma8(img)
            .write_to(
                &mut std::io::Cursor::new(&mut jpeg),
                image::ImageFormat::Jpeg,
            )
            .unwrap();
        assert_eq!(jpeg_components(&jpeg), Some("DeviceGray"));
        assert_eq!(jpeg_components(b"\xFF\xD8not a jpeg at all"), None);
    }

    #[test]
    fn black_and_white_pixels_go_in_one_bit_each() {
        let img = image::GrayImage::from_fn(10, 2, |x, _| {
            image::Luma([if x % 2 == 0 { 0 } else { 255 }])
        });
        let stream = pixels_stream(DynamicImage::ImageLuma8(img));
        assert_eq!(
            stream
                .dict
                .get(b"BitsPerComponent")
                .unwrap()
                .as_i64()
                .unwrap(),
            1
        );
        let mut plain = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::ZlibDecoder::new(stream.content.as_slice()),
            &mut plain,
        )
        .unwrap();
        // Row one as it is, row two as its difference from row one (none): white is 1.
        assert_eq!(plain, [0, 0b0101_0101, 0b0100_0000, 2, 0, 0]);
    }
}
