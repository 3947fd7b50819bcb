//! `document-processor extract`: local files through the engine, results as JSON.

use crate::cli::ExtractArgs;
use crate::extract_inputs;
use crate::tables_csv;
use crate::view;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use processor::{Document, DocumentResult, Engine, Input, Progress};
use std::io::{IsTerminal, Write};
use std::path::Path;

/// Runs the command; returns whether every file succeeded.
pub fn run(args: &ExtractArgs) -> anyhow::Result<bool> {
    let items = extract_inputs::expand(&args.files)?;
    if items.is_empty() {
        anyhow::bail!("no documents found in {:?}", args.files);
    }
    // Refused before any work: a result that can be overwritten will be.
    if args.out_dir.is_some() || args.tables.is_some() || (args.html.is_some() && items.len() > 1) {
        if let Some(msg) = extract_inputs::clashes(&items) {
            anyhow::bail!(msg);
        }
    }
    if let Some(pdf) = &args.pdf {
        check_pdf_target(pdf, &items)?;
    }
    let config = args.engine.to_config();
    let engine = Engine::new(config)?;
    for dir in [&args.out_dir, &args.tables].into_iter().flatten() {
        std::fs::create_dir_all(dir)?;
    }
    let show_bar = !args.quiet
        && std::io::stderr().is_terminal()
        && (args.out_dir.is_some() || std::io::stdout().is_terminal());
    let bar = if show_bar {
        ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} pages  {msg}",
        )
        .expect("valid template"),
    );

    let mut all_ok = true;
    let stdout = std::io::stdout();
    let single = items.len() == 1;
    let mut views = Vec::new();
    // Documents are read side by side, as many as there are OCR workers: a folder of one-page
    // scans would otherwise keep one worker busy and the others idle (a document's pages already
    // share the workers). Results are written in the inputs' order, at most that many held.
    let side_by_side = engine.workers().clamp(1, items.len());
    std::thread::scope(|s| -> anyhow::Result<()> {
        let mut queued = items.iter();
        let mut running = std::collections::VecDeque::new();
        loop {
            while running.len() < side_by_side {
                let Some(item) = queued.next() else { break };
                let (engine, bar) = (&engine, &bar);
                running.push_back((item, s.spawn(move || read(engine, args, item, single, bar))));
            }
            let Some((item, reading)) = running.pop_front() else {
                break;
            };
            let result = reading
                .join()
                .map_err(|_| anyhow::anyhow!("reading {} panicked", item.path.display()))??;
            if args.html.is_some() {
                views.push((view_name(item), result.is_ok()));
            }
            all_ok &= write(&engine, args, item, &result, single, &stdout, &bar)?;
        }
        Ok(())
    })?;
    bar.finish_and_clear();
    if let (Some(dir), false) = (&args.html, single) {
        view::local::write_listing(dir, &views)?;
    }
    if let (Some(dir), false) = (&args.html, args.quiet) {
        eprintln!("view: {}", dir.join("index.html").display());
    }
    // DP_PROFILE=1: where the pages' time went, step by step (BENCHMARKS.md, "Where a page's time goes").
    if processor::profile::enabled() {
        eprint!("{}", processor::profile::report());
    }
    Ok(all_ok)
}

/// Reads one input (on its own thread), and writes its view when asked for.
fn read(
    engine: &Engine,
    args: &ExtractArgs,
    item: &extract_inputs::Item,
    single: bool,
    bar: &ProgressBar,
) -> anyhow::Result<DocumentResult> {
    let file = &item.path;
    bar.set_message(file.display().to_string());
    let view_dir = args.html.as_ref().map(|dir| match single {
        true => dir.clone(),
        false => dir.join(view_name(item)),
    });
    let previews = match &view_dir {
        Some(dir) => view::local::prepare(dir, args.engine.preview_max_side)?,
        None => None,
    };
    let with_previews = previews.is_some();
    let started = std::time::Instant::now();
    let result = process_file(engine, file, previews, &|p| match p {
        Progress::Pages(n) => bar.inc_length(n as u64),
        Progress::PageDone => bar.inc(1),
    });
    if let Some(dir) = &view_dir {
        let ms = started.elapsed().as_millis() as u64;
        let name = item.path.file_name().unwrap_or_default().to_string_lossy();
        view::local::write(dir, &name, &result, ms, with_previews)?;
    }
    Ok(result)
}

/// Reports and writes one input's result (in the inputs' order); returns whether it succeeded.
fn write(
    engine: &Engine,
    args: &ExtractArgs,
    item: &extract_inputs::Item,
    result: &DocumentResult,
    single: bool,
    stdout: &std::io::Stdout,
    bar: &ProgressBar,
) -> anyhow::Result<bool> {
    let file = &item.path;
    let mut ok = true;
    if let Some(e) = &result.error {
        ok = false;
        bar.suspend(|| eprintln!("{}: {} ({})", file.display(), e.message, e.code));
    } else if let Some(pdf) = &args.pdf {
        if let Err(e) = write_pdf(engine, file, result, pdf) {
            ok = false;
            bar.suspend(|| eprintln!("{}: {} ({})", pdf.display(), e.message, e.code));
        }
    }
    if let Some(dir) = &args.tables {
        tables_csv::write(dir, Path::new(&view_name(item)), result)?;
    }
    match &args.out_dir {
        Some(dir) => {
            let out = dir.join(&item.out_name);
            if let Some(parent) = out.parent() {
                std::fs::create_dir_all(parent)?;
            }
            // Streamed: a 200-page result is ~17 MB of JSON, no need to hold it twice.
            let file = std::fs::File::create(out)?;
            let mut out = std::io::BufWriter::new(file);
            serde_json::to_writer_pretty(&mut out, result)?;
            out.flush()?;
        }
        // One input: its JSON as a document; several: one line each.
        None => {
            let mut out = stdout.lock();
            match single {
                true => serde_json::to_writer_pretty(&mut out, result)?,
                false => serde_json::to_writer(&mut out, result)?,
            }
            writeln!(out)?;
        }
    }
    Ok(ok)
}

/// A document's view folder under --html DIR: its result's name without `.json`.
fn view_name(item: &extract_inputs::Item) -> String {
    let name = item.out_name.to_string_lossy();
    name.strip_suffix(".json").unwrap_or(&name).to_string()
}

fn process_file(
    engine: &Engine,
    path: &Path,
    previews: Option<processor::page::preview::Previews>,
    progress: &dyn Fn(Progress),
) -> DocumentResult {
    let hint = path.extension().and_then(|e| e.to_str());
    engine.process(
        Document::file(path)
            .hint(hint)
            .progress(progress)
            .previews(previews),
    )
}

/// `--pdf` names one file: refused before any work for several inputs, or when it is an input.
fn check_pdf_target(pdf: &Path, items: &[extract_inputs::Item]) -> anyhow::Result<()> {
    if items.len() != 1 {
        anyhow::bail!(
            "--pdf writes the searchable PDF of one input; {} inputs were given",
            items.len()
        );
    }
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same(pdf, &items[0].path) {
        anyhow::bail!("--pdf {} is the input itself", pdf.display());
    }
    Ok(())
}

/// Written beside the target and renamed into place: a failure never leaves half a PDF.
fn write_pdf(
    engine: &Engine,
    input: &Path,
    result: &DocumentResult,
    out: &Path,
) -> Result<(), processor::ProcessError> {
    let mut partial = out.as_os_str().to_owned();
    partial.push(".partial");
    let partial = std::path::PathBuf::from(partial);
    engine
        .write_searchable_pdf(Input::File(input), result, &partial)
        .and_then(|()| {
            std::fs::rename(&partial, out).map_err(|e| {
                processor::ProcessError::internal(format!("cannot write {}: {e}", out.display()))
            })
        })
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&partial);
        })
}
