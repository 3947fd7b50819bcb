//! Writes the project's own sample documents into samples/ (committed; rerun to regenerate):
//!   invoice.pdf  born-digital (text layer + an embedded QR image)
//!   scan.jpg     the same page rasterised at 200 DPI with a slight noise, as a scanner would give it
//!   scan.pdf     an image-only PDF holding scan.jpg (no text layer: OCR path)
//!
//!     cargo run -p processor --example make_samples

use image::{DynamicImage, GrayImage, Luma};
use pdfium_render::prelude::*;
use std::path::Path;

const LINES: &[(f32, f32, &str, bool, f32)] = &[
    (56.0, 780.0, "Northwind Paper Co.", true, 16.0),
    (56.0, 762.0, "18 Harbour Street, Leith EH6 6QB", false, 10.0),
    (400.0, 780.0, "INVOICE", true, 20.0),
    (400.0, 762.0, "Invoice No: NW-2026-0412", false, 10.0),
    (400.0, 748.0, "Date: 3 March 2026", false, 10.0),
    (
        56.0,
        700.0,
        "Bill To: Ada Lovelace, Analytical Engines Ltd",
        false,
        11.0,
    ),
    (56.0, 650.0, "Description", true, 11.0),
    (330.0, 650.0, "Qty", true, 11.0),
    (400.0, 650.0, "Price", true, 11.0),
    (480.0, 650.0, "Amount", true, 11.0),
    (56.0, 630.0, "Recycled copier paper A4", false, 11.0),
    (330.0, 630.0, "12", false, 11.0),
    (400.0, 630.0, "4.80", false, 11.0),
    (480.0, 630.0, "57.60", false, 11.0),
    (56.0, 612.0, "Archive boxes, large", false, 11.0),
    (330.0, 612.0, "5", false, 11.0),
    (400.0, 612.0, "9.25", false, 11.0),
    (480.0, 612.0, "46.25", false, 11.0),
    (400.0, 580.0, "Total: 103.85 GBP", true, 12.0),
    (
        56.0,
        520.0,
        "Payment within 30 days to the account shown on our website.",
        false,
        10.0,
    ),
];
const QR_PAYLOAD: &str = "https://example.com/invoices/NW-2026-0412";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let lib = std::env::var("PDFIUM_LIB_PATH").unwrap_or_else(|_| ".local/lib".into());
    let pdfium = Pdfium::new(Pdfium::bind_to_library(
        Pdfium::pdfium_platform_library_name_at_path(&lib),
    )?);
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples");
    std::fs::create_dir_all(&out)?;

    // Born-digital invoice.
    let mut doc = pdfium.create_new_pdf()?;
    let regular = doc.fonts_mut().helvetica();
    let bold = doc.fonts_mut().helvetica_bold();
    let qr = zxingcpp::create(zxingcpp::BarcodeFormat::QRCode)
        .from_str(QR_PAYLOAD)?
        .to_image_with(&zxingcpp::write().scale(6))?;
    let qr =
        GrayImage::from_raw(qr.width() as u32, qr.height() as u32, qr.data()).ok_or("qr image")?;
    {
        let mut page = doc.pages_mut().create_page_at_end(PdfPagePaperSize::a4())?;
        for &(x, y, text, is_bold, size) in LINES {
            let font = if is_bold { bold } else { regular };
            page.objects_mut().create_text_object(
                PdfPoints::new(x),
                PdfPoints::new(y),
                text,
                font,
                PdfPoints::new(size),
            )?;
        }
        page.objects_mut().create_image_object(
            PdfPoints::new(56.0),
            PdfPoints::new(380.0),
            &DynamicImage::ImageLuma8(qr),
            Some(PdfPoints::new(100.0)),
            Some(PdfPoints::new(100.0)),
        )?;
    }
    let invoice = out.join("invoice.pdf");
    doc.save_to_file(&invoice)?;

    // Its "scan": rendered at 200 DPI, a little deterministic noise.
    let page = doc.pages().get(0)?;
    let bitmap =
        page.render_with_config(&PdfRenderConfig::new().scale_page_by_factor(200.0 / 72.0))?;
    let mut scan = bitmap.as_image()?.to_luma8();
    let mut seed = 1001u32;
    for p in scan.pixels_mut() {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let n = ((seed >> 16) % 9) as i32 - 4;
        *p = Luma([(p.0[0] as i32 + n).clamp(0, 255) as u8]);
    }
    let scan_jpg = out.join("scan.jpg");
    let mut jpeg = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80);
    encoder.set_pixel_density(image::codecs::jpeg::PixelDensity::dpi(200));
    encoder.encode_image(&scan)?;
    std::fs::write(&scan_jpg, &jpeg)?;

    let mut scan_doc = pdfium.create_new_pdf()?;
    {
        let mut page = scan_doc
            .pages_mut()
            .create_page_at_end(PdfPagePaperSize::a4())?;
        let (w, h) = (page.width(), page.height());
        let mut object =
            PdfPageImageObject::new_from_jpeg_reader(&scan_doc, std::io::Cursor::new(jpeg))?;
        object.scale(w.value, h.value)?;
        page.objects_mut().add_image_object(object)?;
    }
    scan_doc.save_to_file(&out.join("scan.pdf"))?;
    println!(
        "wrote {}, {}, scan.pdf",
        invoice.display(),
        scan_jpg.display()
    );
    Ok(())
}
