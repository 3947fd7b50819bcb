//! QR decoders compared on the same page images: recall on the corpus's QR stress set and on
//! realworld/qr, and time per page on code-free pages (the common case).
//!
//!     cargo run --release -p processor --example qr_bench -- ../shared

use processor::codes::qr::{self, QrOptions};
use processor::input::{pdf, raster};
use processor::{Format, Input, Limits};
use std::path::Path;
use std::time::Instant;

fn pages(path: &Path) -> Vec<image::GrayImage> {
    let bytes = std::fs::read(path).unwrap();
    let format = processor::input::format::sniff(&bytes).unwrap();
    let mut out = Vec::new();
    if format == Format::Pdf {
        let pdfium = pdf::pdfium(
            std::env::var_os("PDFIUM_LIB_PATH")
                .map(std::path::PathBuf::from)
                .as_deref(),
        )
        .unwrap();
        let doc = pdf::open(pdfium, Input::Bytes(&bytes)).unwrap();
        for page in doc.pages().iter() {
            let facts = pdf::facts(&page);
            out.push(pdf::render(&page, &facts.plan, 150.0).unwrap());
        }
    } else {
        raster::for_each_page(&bytes, format, &Limits::default(), |_, p| {
            out.push(p.image);
            Ok(())
        })
        .unwrap();
    }
    out
}

fn main() {
    let shared = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or("../shared".into()));
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(shared.join("corpus/manifest.json")).unwrap(),
    )
    .unwrap();
    // (image, expected payloads)
    let mut coded: Vec<(image::GrayImage, Vec<String>)> = Vec::new();
    let mut plain: Vec<image::GrayImage> = Vec::new();
    for f in manifest["files"].as_array().unwrap() {
        let name = f["file"].as_str().unwrap();
        match f["kind"].as_str().unwrap() {
            "qr_stress" => {
                let want = f["pages"][0]["qr_codes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|q| q["data"].as_str().unwrap().to_string())
                    .collect();
                coded.push((pages(&shared.join("corpus").join(name)).remove(0), want));
            }
            "born_digital"
                if f["pages"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|p| p["qr_codes"].as_array().unwrap().is_empty()) =>
            {
                plain.extend(pages(&shared.join("corpus").join(name)));
            }
            _ => {}
        }
    }
    let stress = coded.len();
    for dir in ["qrcode-1", "qrcode-5"] {
        for e in std::fs::read_dir(shared.join("realworld/qr").join(dir)).unwrap() {
            let p = e.unwrap().path();
            if let Some(img) = p.to_str().unwrap().strip_suffix(".expected.txt") {
                let want = String::from_utf8(std::fs::read(&p).unwrap()).unwrap();
                coded.push((pages(Path::new(img)).remove(0), vec![want]));
            }
        }
    }
    println!("| decoders | stress set codes | realworld/qr | false codes | ms/page (code-free 150-DPI pages) |");
    println!("|---|---|---|---|---|");
    for (label, opts) in [
        (
            "rqrr",
            QrOptions {
                zxing: false,
                rqrr: true,
            },
        ),
        (
            "zxing-cpp",
            QrOptions {
                zxing: true,
                rqrr: false,
            },
        ),
        (
            "zxing-cpp + rqrr",
            QrOptions {
                zxing: true,
                rqrr: true,
            },
        ),
    ] {
        let (mut hit_s, mut exp_s, mut hit_r, mut exp_r, mut false_codes) = (0, 0, 0, 0, 0);
        for (i, (img, want)) in coded.iter().enumerate() {
            let got: Vec<String> = qr::decode(img, opts).into_iter().map(|q| q.data).collect();
            let hits = want.iter().filter(|w| got.contains(w)).count();
            false_codes += got.iter().filter(|g| !want.contains(g)).count();
            if i < stress {
                hit_s += hits;
                exp_s += want.len();
            } else {
                hit_r += hits;
                exp_r += want.len();
            }
        }
        let start = Instant::now();
        let rounds = 5;
        for _ in 0..rounds {
            for img in &plain {
                assert!(qr::decode(img, opts).is_empty());
            }
        }
        let ms = start.elapsed().as_secs_f64() * 1000.0 / (rounds * plain.len()) as f64;
        println!("| {label} | {hit_s}/{exp_s} | {hit_r}/{exp_r} | {false_codes} | {ms:.1} |");
    }
}
