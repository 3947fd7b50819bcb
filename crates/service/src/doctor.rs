//! `document-processor doctor`: what this process sees, for set-up checks and support.

use crate::cli::EngineArgs;
use processor::Engine;
use serde_json::json;

pub fn run(args: &EngineArgs) -> anyhow::Result<bool> {
    let config = args.to_config();
    let engine = Engine::new(config.clone());
    let pdfium = engine.as_ref().ok().map(|e| e.check_pdfium());
    // What `serve` would size from this machine's memory (MEMORY_LIMIT_MB or the cgroup limit).
    let budget = crate::worker::Budget::detect(
        std::env::var("MEMORY_LIMIT_MB")
            .ok()
            .and_then(|v| v.trim().parse().ok()),
    );
    let sizing = crate::settings::size_workers(budget, args.workers, None, args.max_page_pixels);
    let report = json!({
        "memory_budget": budget,
        "serve_sizing": sizing,
        "version": env!("CARGO_PKG_VERSION"),
        "omp_thread_limit": std::env::var(crate::openmp::VAR).ok(),
        "workers": config.workers,
        "ocr_languages": config.languages,
        "ocr_mode": format!("{:?}", config.ocr_mode).to_lowercase(),
        "tesseract": match &engine { Ok(_) => "ok".to_string(), Err(e) => e.to_string() },
        "tesseract_build": processor::recognition::tesseract_build(),
        "pdfium": match &pdfium { Some(Ok(())) => "ok".to_string(), Some(Err(e)) => e.to_string(), None => "not checked".into() },
    });
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(engine.is_ok() && matches!(pdfium, Some(Ok(()))))
}
