//! `document-processor worker`: the child side. Builds one engine, then answers documents one by
//! one until its stdin closes. Only protocol lines go to the pipe the service reads: the process's
//! own stdout is pointed at stderr first, so a library that prints cannot corrupt an answer.

use super::protocol::{self, Ready, Request, Spec};
use processor::{Config, Document, DocumentResult, Engine, Input};
use std::fs::File;
use std::io::{BufRead, Write};
use std::os::fd::FromRawFd;

pub fn run() -> anyhow::Result<bool> {
    let mut answers = protocol_pipe()?;
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let Some(first) = lines.next() else {
        return Ok(true);
    };
    let spec: Spec = serde_json::from_str(&first?)?;
    let base = spec.config.clone();
    let engine = match Engine::new(spec.config).and_then(|e| e.check_pdfium().map(|_| e)) {
        Ok(engine) => engine,
        Err(e) => {
            answers.write_all(&protocol::line(&Ready {
                ok: false,
                error: Some(e.to_string()),
            }))?;
            return Ok(false);
        }
    };
    answers.write_all(&protocol::line(&Ready {
        ok: true,
        error: None,
    }))?;
    answers.flush()?;
    let mut engine = Some(engine);
    for line in lines {
        let request: Request = serde_json::from_str(&line?)?;
        #[cfg(feature = "fault-injection")]
        super::fault::trigger(&request.path);
        let languages = match &request.languages {
            Some(languages) => languages.tesseract(),
            None => base.languages.clone(),
        };
        let result = match engine_for(&mut engine, &base, &languages) {
            Ok(engine) => extract(engine, &request),
            Err(e) => DocumentResult::failed(e),
        };
        let mut out = serde_json::to_vec(&result)?;
        drop(result);
        out.push(b'\n');
        answers.write_all(&out)?;
        answers.flush()?;
    }
    Ok(true)
}

/// The document's result, and its searchable PDF when asked for (a PDF that cannot be made fails
/// the document: the record asked for it).
fn extract(engine: &Engine, request: &Request) -> DocumentResult {
    let input = Input::File(&request.path);
    let result = engine.process(
        Document::new(input)
            .hint(request.hint.as_deref())
            .previews(request.previews.clone()),
    );
    match (&request.searchable_pdf, &result.error) {
        (Some(out), None) => match engine.write_searchable_pdf(input, &result, out) {
            Ok(()) => result,
            Err(e) => DocumentResult::failed(e),
        },
        _ => result,
    }
}

/// The engine for `languages`: one engine per worker, rebuilt when a document asks for other
/// languages (the supervisor sends a document to a worker that has its languages when one is
/// free). The old engine is dropped first: two at once could pass the worker's memory cap.
fn engine_for<'e>(
    slot: &'e mut Option<Engine>,
    base: &Config,
    languages: &str,
) -> Result<&'e Engine, processor::ProcessError> {
    if slot.as_ref().map(|e| e.config().languages.as_str()) != Some(languages) {
        *slot = None;
        let config = Config {
            languages: languages.to_string(),
            ..base.clone()
        };
        *slot = Some(Engine::new(config)?);
    }
    Ok(slot.as_ref().expect("engine just built"))
}

/// A private copy of the stdout pipe for answers; fd 1 itself then points at stderr.
fn protocol_pipe() -> anyhow::Result<std::io::BufWriter<File>> {
    // SAFETY: dup/dup2 on the process's own standard descriptors; the duplicate is owned by the File.
    unsafe {
        let fd = libc::dup(1);
        if fd < 0 || libc::dup2(2, 1) < 0 {
            anyhow::bail!(
                "cannot set up the answer pipe: {}",
                std::io::Error::last_os_error()
            );
        }
        Ok(std::io::BufWriter::new(File::from_raw_fd(fd)))
    }
}
