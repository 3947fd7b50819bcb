//! Raster inputs (PNG, JPEG, TIFF incl. multi-page, BMP, GIF, WebP) to grey page images.
//! Dimensions are checked from the headers before any pixel buffer is allocated.

use crate::config::Limits;
use crate::error::{ErrorCode, ProcessError};
use crate::input::dpi;
use crate::input::format::Format;
use image::{DynamicImage, GrayImage, ImageReader};
use std::io::Cursor;

/// One page ready for analysis.
pub struct PageImage {
    pub image: GrayImage,
    pub dpi: Option<u32>,
}

fn check_pixels(w: u32, h: u32, limits: &Limits, what: &str) -> Result<(), ProcessError> {
    let px = w as u64 * h as u64;
    if px > limits.max_page_pixels {
        return Err(ProcessError::new(
            ErrorCode::ImageTooLarge,
            format!(
                "{what} is {w}x{h} px ({px} pixels), over the limit of {} pixels",
                limits.max_page_pixels
            ),
        ));
    }
    if w == 0 || h == 0 {
        return Err(ProcessError::corrupt(format!(
            "{what} has no pixels ({w}x{h})"
        )));
    }
    Ok(())
}

fn image_format(format: Format) -> image::ImageFormat {
    match format {
        Format::Png => image::ImageFormat::Png,
        Format::Jpeg => image::ImageFormat::Jpeg,
        Format::Bmp => image::ImageFormat::Bmp,
        Format::Gif => image::ImageFormat::Gif,
        Format::Webp => image::ImageFormat::WebP,
        Format::Tiff => image::ImageFormat::Tiff,
        Format::Pdf => unreachable!("PDF is not a raster format"),
    }
}

/// Number of pages of a raster input (several only for TIFF), each checked against the pixel limit.
pub fn page_count(bytes: &[u8], format: Format, limits: &Limits) -> Result<u32, ProcessError> {
    if format == Format::Tiff {
        return tiff_pages(bytes, limits, |_, _| Ok(())).map(|n| n as u32);
    }
    let (w, h) = ImageReader::with_format(Cursor::new(bytes), image_format(format))
        .into_dimensions()
        .map_err(|e| decode_error(format, e))?;
    check_pixels(w, h, limits, "the image")?;
    Ok(1)
}

/// Decodes every page in order and hands it to `sink` (one page in memory at a time).
pub fn for_each_page(
    bytes: &[u8],
    format: Format,
    limits: &Limits,
    mut sink: impl FnMut(usize, PageImage) -> Result<(), ProcessError>,
) -> Result<(), ProcessError> {
    if format == Format::Tiff {
        return tiff_pages(bytes, limits, |i, dec| sink(i, decode_tiff_page(dec)?)).map(|_| ());
    }
    let decoded = decode_limited(bytes, format, limits)?;
    let raw_dpi = match format {
        Format::Png => dpi::png(bytes),
        Format::Jpeg => dpi::jpeg(bytes),
        Format::Bmp => dpi::bmp(bytes),
        _ => None,
    };
    let dpi = raw_dpi.and_then(|d| dpi::plausible(d, decoded.width()));
    sink(
        0,
        PageImage {
            image: to_grey(decoded),
            dpi,
        },
    )
}

/// Page `index`'s pixels as decoded, colour kept (a TIFF page comes back grey, as it is analysed),
/// for writing the page back out; the same limits as for analysis apply.
pub fn page_pixels(
    bytes: &[u8],
    format: Format,
    limits: &Limits,
    index: u32,
) -> Result<DynamicImage, ProcessError> {
    if format == Format::Tiff {
        return tiff_page(bytes, limits, index, |dec| {
            decode_tiff_page(dec).map(|p| Some(DynamicImage::ImageLuma8(p.image)))
        })?
        .ok_or_else(|| ProcessError::corrupt(format!("the TIFF has no page {}", index + 1)));
    }
    decode_limited(bytes, format, limits)
}

fn decode_limited(
    bytes: &[u8],
    format: Format,
    limits: &Limits,
) -> Result<DynamicImage, ProcessError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), image_format(format));
    let mut img_limits = image::Limits::default();
    img_limits.max_alloc = Some(limits.max_page_pixels.saturating_mul(4));
    reader.limits(img_limits);
    let decoded = reader.decode().map_err(|e| decode_error(format, e))?;
    check_pixels(decoded.width(), decoded.height(), limits, "the image")?;
    Ok(decoded)
}

/// A TIFF page coded in CCITT Group 4 (the usual fax and scanner output), strip by strip as it
/// is stored: a PDF's CCITT filter reads that code. None for any other TIFF page.
pub struct G4Page<'a> {
    pub width: u32,
    pub height: u32,
    /// Each strip's code and its number of rows, top to bottom.
    pub strips: Vec<(&'a [u8], u32)>,
    /// The page's 0 bits are black (TIFF's BlackIsZero): the decoded image is to be inverted.
    pub inverted: bool,
}

pub fn tiff_g4_page<'a>(bytes: &'a [u8], limits: &Limits, index: u32) -> Option<G4Page<'a>> {
    use tiff::tags::Tag;
    tiff_page(bytes, limits, index, |dec| {
        let tag =
            |dec: &mut TiffDecoder<'_>, t: Tag| dec.find_tag_unsigned::<u64>(t).ok().flatten();
        let (w, h) = dec.dimensions().map_err(tiff_error)?;
        let plain = tag(dec, Tag::Compression) == Some(4)
            && tag(dec, Tag::BitsPerSample).unwrap_or(1) == 1
            && tag(dec, Tag::FillOrder).unwrap_or(1) == 1
            && tag(dec, Tag::Orientation).unwrap_or(1) == 1
            && tag(dec, Tag::TileWidth).is_none();
        let per_strip = tag(dec, Tag::RowsPerStrip)
            .unwrap_or(h as u64)
            .clamp(1, h as u64) as u32;
        let offsets = dec
            .find_tag_unsigned_vec::<u64>(Tag::StripOffsets)
            .ok()
            .flatten();
        let counts = dec
            .find_tag_unsigned_vec::<u64>(Tag::StripByteCounts)
            .ok()
            .flatten();
        let (true, Some(offsets), Some(counts)) = (plain, offsets, counts) else {
            return Ok(None);
        };
        if offsets.len() != counts.len() || offsets.len() != h.div_ceil(per_strip) as usize {
            return Ok(None);
        }
        let strips: Option<Vec<(&[u8], u32)>> = offsets
            .iter()
            .zip(&counts)
            .enumerate()
            .map(|(n, (&offset, &count))| {
                let start = usize::try_from(offset).ok()?;
                let data = bytes.get(start..start.checked_add(usize::try_from(count).ok()?)?)?;
                Some((data, per_strip.min(h - n as u32 * per_strip)))
            })
            .collect();
        Ok(strips.map(|strips| G4Page {
            width: w,
            height: h,
            strips,
            inverted: tag(dec, Tag::PhotometricInterpretation) == Some(1),
        }))
    })
    .ok()
    .flatten()
}

/// What `read` makes of TIFF page `index` (None when there is no such page).
fn tiff_page<T>(
    bytes: &[u8],
    limits: &Limits,
    index: u32,
    read: impl FnOnce(&mut TiffDecoder<'_>) -> Result<Option<T>, ProcessError>,
) -> Result<Option<T>, ProcessError> {
    let mut read = Some(read);
    let mut found = None;
    tiff_pages(bytes, limits, |i, dec| {
        if i == index as usize {
            if let Some(read) = read.take() {
                found = read(dec)?;
            }
        }
        Ok(())
    })?;
    Ok(found)
}

/// Grey conversion that puts transparent pixels on white paper (a plain luma conversion turns
/// transparent black into solid black, hiding any text drawn there).
fn to_grey(img: DynamicImage) -> GrayImage {
    if !img.color().has_alpha() {
        return img.into_luma8();
    }
    let la = img.into_luma_alpha8();
    let (w, h) = la.dimensions();
    GrayImage::from_fn(w, h, |x, y| {
        let p = la.get_pixel(x, y).0;
        let (l, a) = (p[0] as u32, p[1] as u32);
        image::Luma([((l * a + 255 * (255 - a)) / 255) as u8])
    })
}

fn decode_error(format: Format, e: image::ImageError) -> ProcessError {
    match e {
        image::ImageError::Limits(l) => ProcessError::new(
            ErrorCode::ImageTooLarge,
            format!("{} image exceeds the decoding limits: {l}", format.name()),
        ),
        image::ImageError::Unsupported(u) => {
            ProcessError::unsupported(format!("{} variant not supported: {u}", format.name()))
        }
        other => ProcessError::corrupt(format!(
            "cannot decode the {} image: {other}",
            format.name()
        )),
    }
}

type TiffDecoder<'a> = tiff::decoder::Decoder<Cursor<&'a [u8]>>;

fn tiff_error(e: tiff::TiffError) -> ProcessError {
    match e {
        tiff::TiffError::LimitsExceeded => ProcessError::new(
            ErrorCode::ImageTooLarge,
            "TIFF page exceeds the decoding limits",
        ),
        tiff::TiffError::UnsupportedError(u) => {
            ProcessError::unsupported(format!("TIFF variant not supported: {u}"))
        }
        other => ProcessError::corrupt(format!("cannot decode the TIFF: {other}")),
    }
}

/// Walks every TIFF directory, checking each page's size before `visit` may decode it.
fn tiff_pages(
    bytes: &[u8],
    limits: &Limits,
    mut visit: impl FnMut(usize, &mut TiffDecoder<'_>) -> Result<(), ProcessError>,
) -> Result<usize, ProcessError> {
    let mut tl = tiff::decoder::Limits::default();
    tl.decoding_buffer_size =
        usize::try_from(limits.max_page_pixels.saturating_mul(4)).unwrap_or(usize::MAX);
    let mut dec = tiff::decoder::Decoder::new(Cursor::new(bytes))
        .map_err(tiff_error)?
        .with_limits(tl);
    let mut index = 0;
    loop {
        let (w, h) = dec.dimensions().map_err(tiff_error)?;
        check_pixels(w, h, limits, &format!("TIFF page {}", index + 1))?;
        if index as u64 >= limits.max_pages as u64 {
            return Err(ProcessError::new(
                ErrorCode::TooManyPages,
                format!("the TIFF has more than {} pages", limits.max_pages),
            ));
        }
        visit(index, &mut dec)?;
        index += 1;
        if !dec.more_images() {
            break;
        }
        dec.next_image().map_err(tiff_error)?;
    }
    Ok(index)
}

fn decode_tiff_page(dec: &mut TiffDecoder<'_>) -> Result<PageImage, ProcessError> {
    use tiff::decoder::DecodingResult;
    use tiff::tags::Tag;
    use tiff::ColorType;

    let (w, h) = dec.dimensions().map_err(tiff_error)?;
    let color = dec.colortype().map_err(tiff_error)?;
    let xres = dec.get_tag_f64(Tag::XResolution).ok();
    let unit = dec.get_tag_u32(Tag::ResolutionUnit).ok();
    let data = dec.read_image().map_err(tiff_error)?;
    let (wu, hu) = (w as usize, h as usize);
    let pixels: Vec<u8> = match (color, data) {
        (ColorType::Gray(8), DecodingResult::U8(v)) => v,
        (ColorType::Gray(16), DecodingResult::U16(v)) => v.iter().map(|p| (p >> 8) as u8).collect(),
        (ColorType::Gray(1), DecodingResult::U8(v)) => {
            // Packed bits, rows padded to whole bytes; the decoder already mapped WhiteIsZero so 1 = white.
            let stride = wu.div_ceil(8);
            let mut out = vec![0u8; wu * hu];
            for y in 0..hu {
                let row = &v[y * stride..(y + 1) * stride];
                for x in 0..wu {
                    out[y * wu + x] = if row[x / 8] & (0x80 >> (x % 8)) != 0 {
                        255
                    } else {
                        0
                    };
                }
            }
            out
        }
        (ColorType::RGB(8), DecodingResult::U8(v)) => v.chunks_exact(3).map(luma).collect(),
        (ColorType::RGBA(8), DecodingResult::U8(v)) => v.chunks_exact(4).map(luma).collect(),
        (ColorType::GrayA(8), DecodingResult::U8(v)) => v.chunks_exact(2).map(|p| p[0]).collect(),
        (other, _) => {
            return Err(ProcessError::unsupported(format!(
                "TIFF colour type {other:?} is not supported"
            )))
        }
    };
    let image = GrayImage::from_raw(w, h, pixels)
        .ok_or_else(|| ProcessError::corrupt("TIFF page holds fewer pixels than its size says"))?;
    let dpi = dpi::tiff(xres, unit).and_then(|d| dpi::plausible(d, w));
    Ok(PageImage { image, dpi })
}

fn luma(p: &[u8]) -> u8 {
    ((p[0] as u32 * 299 + p[1] as u32 * 587 + p[2] as u32 * 114) / 1000) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(img: &DynamicImage, fmt: image::ImageFormat) -> Vec<u8> {
        let mut buf = Cursor::new(Vec::new());
        img.write_to(&mut buf, fmt).unwrap();
        buf.into_inner()
    }

    #[test]
    fn refuses_by_header_before_decoding() {
        let img = DynamicImage::ImageLuma8(GrayImage::new(400, 300));
        let png = encode(&img, image::ImageFormat::Png);
        let limits = Limits {
            max_page_pixels: 100_000,
            ..Limits::default()
        };
        let err = page_count(&png, Format::Png, &limits).unwrap_err();
        assert_eq!(err.code, ErrorCode::ImageTooLarge);
        assert!(err.message.contains("400x300"), "{}", err.message);
        let err = for_each_page(&png, Format::Png, &limits, |_, _| Ok(())).unwrap_err();
        assert_eq!(err.code, ErrorCode::ImageTooLarge);
    }

    #[test]
    fn decodes_formats_to_grey_with_transparency_on_white() {
        let rgba = image::RgbaImage::from_pixel(8, 4, image::Rgba([0, 0, 0, 0]));
        let png = encode(&DynamicImage::ImageRgba8(rgba), image::ImageFormat::Png);
        let mut pages = vec![];
        for_each_page(&png, Format::Png, &Limits::default(), |i, p| {
            pages.push((i, p));
            Ok(())
        })
        .unwrap();
        assert_eq!(pages.len(), 1);
        assert_eq!(pages[0].1.image.dimensions(), (8, 4));
        assert!(pages[0].1.image.pixels().all(|p| p.0[0] == 255));
    }

    #[test]
    fn truncated_image_is_corrupt_not_a_panic() {
        let img = DynamicImage::ImageLuma8(GrayImage::from_pixel(64, 64, image::Luma([7])));
        let png = encode(&img, image::ImageFormat::Png);
        let cut = &png[..png.len() / 2];
        let err = for_each_page(cut, Format::Png, &Limits::default(), |_, _| Ok(())).unwrap_err();
        assert_eq!(err.code, ErrorCode::CorruptDocument, "{err}");
    }
}
