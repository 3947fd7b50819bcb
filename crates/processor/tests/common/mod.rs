//! Shared helpers for the corpus tests: where the data is, one engine, and the scorer's metrics.
#![allow(dead_code)]

use processor::{Config, DocumentResult, Engine};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

/// `../shared` next to the checkout (override with SHARED_DIR).
pub fn shared_dir() -> PathBuf {
    std::env::var_os("SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
}

/// The corpus folder, or None (with a message saying why the test is skipped).
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = shared_dir().join("corpus");
    if dir.join("manifest.json").is_file() {
        Some(dir)
    } else {
        missing_in_ci(&dir);
        eprintln!(
            "SKIPPED: no corpus at {} (set SHARED_DIR to the shared/ folder)",
            dir.display()
        );
        None
    }
}

pub fn realworld_dir() -> Option<PathBuf> {
    let dir = shared_dir().join("realworld");
    if dir.is_dir() {
        Some(dir)
    } else {
        missing_in_ci(&dir);
        eprintln!("SKIPPED: no real-world samples at {}", dir.display());
        None
    }
}

/// On CI (`CI` set) the shared data must be there: a test that skips there proves nothing.
fn missing_in_ci(dir: &std::path::Path) {
    if std::env::var_os("CI").is_some() {
        panic!(
            "CI is set but {} is missing (set SHARED_DIR)",
            dir.display()
        );
    }
}

pub fn manifest(corpus: &std::path::Path) -> Vec<Value> {
    let text = std::fs::read_to_string(corpus.join("manifest.json")).expect("manifest readable");
    let v: Value = serde_json::from_str(&text).expect("manifest is JSON");
    v["files"].as_array().expect("files array").clone()
}

/// One engine for the whole test binary, as in the service (a second pdfium bind is impossible anyway).
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(test_config()).expect("engine starts (run scripts/setup.sh)"))
}

/// Default config with libpdfium from PDFIUM_LIB_PATH and the receipt figures' reader from
/// FIGURE_READER_DIR (both set for cargo by .cargo/config.toml).
pub fn test_config() -> Config {
    let pdfium = std::env::var_os("PDFIUM_LIB_PATH")
        .map(PathBuf::from)
        .or_else(|| option_env!("PDFIUM_LIB_PATH").map(PathBuf::from));
    Config {
        pdfium_lib_path: pdfium,
        figure_reader: figure_reader_dir(),
        ..Config::default()
    }
}

/// The receipt figures' reader's folder (scripts/setup.sh fills it).
pub fn figure_reader_dir() -> Option<PathBuf> {
    std::env::var_os("FIGURE_READER_DIR")
        .map(PathBuf::from)
        .or_else(|| option_env!("FIGURE_READER_DIR").map(PathBuf::from))
}

/// Whether the figures' reader (and its lines' finder) is installed; on CI its absence is a failure.
pub fn figure_reader_installed() -> bool {
    let found = figure_reader_dir().is_some_and(|d| {
        d.join(processor::recognition::figures::MODEL).exists()
            && d.join(processor::recognition::lines::MODEL).exists()
    });
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but the figures' reader is missing (run scripts/setup.sh)"
        );
        eprintln!("SKIPPED: no figures' reader (run scripts/setup.sh)");
    }
    found
}

pub fn process_file(path: &std::path::Path) -> DocumentResult {
    let bytes = std::fs::read(path).expect("test file readable");
    let hint = path.extension().and_then(|e| e.to_str());
    engine().process(processor::Document::bytes(&bytes).hint(hint))
}

/// score.py's normalisation: NFKC, whitespace runs to one space, trimmed.
pub fn norm(s: &str) -> String {
    let nfkc: String = s.nfkc().collect();
    nfkc.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn levenshtein<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, x) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, y) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(x != y);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Micro-averaged CER of (reference, hypothesis) pairs after score.py's normalisation.
pub fn cer(pairs: &[(String, String)]) -> f64 {
    let (mut errors, mut chars) = (0usize, 0usize);
    for (r, h) in pairs {
        let r: Vec<char> = norm(r).chars().collect();
        let h: Vec<char> = norm(h).chars().collect();
        errors += levenshtein(&r, &h);
        chars += r.len();
    }
    errors as f64 / chars.max(1) as f64
}

/// Character errors and reference length for one page, taking the closest allowed reading order.
pub fn page_errors(gt_page: &Value, hyp: &str) -> (usize, usize) {
    let hyp: Vec<char> = norm(hyp).chars().collect();
    let mut refs = vec![gt_page["text"].as_str().unwrap_or("").to_string()];
    if let Some(alts) = gt_page["text_alt"].as_array() {
        refs.extend(alts.iter().filter_map(|a| a.as_str().map(String::from)));
    }
    refs.iter()
        .map(|r| {
            let r: Vec<char> = norm(r).chars().collect();
            (levenshtein(&r, &hyp), r.len())
        })
        .min()
        .expect("at least one reference")
}

/// Micro-averaged CER of a result against a manifest entry (missing pages count as deletions).
pub fn cer_parts(entry: &Value, result: &DocumentResult) -> (usize, usize) {
    let mut errors = 0;
    let mut total = 0;
    for gt in entry["pages"].as_array().expect("pages") {
        let n = gt["page"].as_u64().expect("page number") as u32;
        let hyp = result
            .pages
            .iter()
            .find(|p| p.page == n)
            .map(|p| p.text.as_str())
            .unwrap_or("");
        let (e, t) = page_errors(gt, hyp);
        errors += e;
        total += t;
    }
    (errors, total)
}

/// Expected QR payloads as (page, data), sorted.
pub fn expected_qr(entry: &Value) -> Vec<(u32, String)> {
    let mut v: Vec<(u32, String)> = entry["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .flat_map(|p| {
            let page = p["page"].as_u64().unwrap() as u32;
            p["qr_codes"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(move |q| (page, q["data"].as_str().unwrap().to_string()))
        })
        .collect();
    v.sort();
    v
}

pub fn found_qr(result: &DocumentResult) -> Vec<(u32, String)> {
    let mut v: Vec<(u32, String)> = result
        .qr_codes
        .iter()
        .map(|q| (q.page, q.data.clone()))
        .collect();
    v.sort();
    v
}
