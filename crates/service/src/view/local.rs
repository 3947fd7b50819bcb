//! `extract --html DIR`: the viewer as files. A document's folder holds `index.html` (the page with
//! its result inside) and `pages/N.webp`; it opens from the disk with no server.

use super::ViewPage;
use processor::page::preview::Previews;
use processor::DocumentResult;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Makes `dir/pages` ready for a document's previews: created, earlier previews removed (a
/// shorter document must not show a longer one's last pages).
pub fn prepare(dir: &Path, max_side: u32) -> std::io::Result<Option<Previews>> {
    let pages = dir.join("pages");
    std::fs::create_dir_all(&pages)?;
    for entry in std::fs::read_dir(&pages)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "webp") {
            std::fs::remove_file(path)?;
        }
    }
    Ok((max_side > 0).then_some(Previews {
        dir: pages,
        max_side,
    }))
}

/// What the page shows of a local file: its name, its outcome, the time it took.
#[derive(Serialize)]
struct LocalRecord<'a> {
    document_id: &'a str,
    status: &'a str,
    processing_ms: u64,
    result: &'a DocumentResult,
}

/// Writes `dir/index.html` (beside it and renamed: never half a page).
pub fn write(
    dir: &Path,
    name: &str,
    result: &DocumentResult,
    processing_ms: u64,
    with_previews: bool,
) -> std::io::Result<PathBuf> {
    let data = serde_json::to_vec(&LocalRecord {
        document_id: name,
        status: if result.is_ok() {
            "completed"
        } else {
            "failed"
        },
        processing_ms,
        result,
    })?;
    let html = super::page(
        &ViewPage {
            title: name,
            image_query: with_previews.then_some(""),
        },
        &data,
    );
    let out = dir.join("index.html");
    write_atomically(&out, &html)?;
    Ok(out)
}

/// `DIR/index.html` for several documents: a link to each one's view.
pub fn write_listing(dir: &Path, entries: &[(String, bool)]) -> std::io::Result<()> {
    let mut html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\">\
         <title>Document Processor: {} documents</title></head><body><h1>Documents</h1><ul>\n",
        entries.len()
    );
    for (name, ok) in entries {
        // Each path segment percent-encoded for the link, escaped for the text.
        let href: Vec<String> = name.split('/').map(percent_encode).collect();
        html.push_str(&format!(
            "<li><a href=\"{}/index.html\">{}</a>{}</li>\n",
            super::escape_html(&href.join("/")),
            super::escape_html(name),
            if *ok { "" } else { " (failed)" }
        ));
    }
    html.push_str("</ul></body></html>\n");
    write_atomically(&dir.join("index.html"), html.as_bytes())
}

fn percent_encode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn write_atomically(out: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut partial = out.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let mut file = std::fs::File::create(&partial)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&partial, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_encoded_and_names_escaped() {
        let dir = tempfile::tempdir().unwrap();
        write_listing(
            dir.path(),
            &[
                ("a b/<x>.pdf".to_string(), true),
                ("c.png".to_string(), false),
            ],
        )
        .unwrap();
        let html = std::fs::read_to_string(dir.path().join("index.html")).unwrap();
        assert!(
            html.contains("href=\"a%20b/%3Cx%3E.pdf/index.html\""),
            "{html}"
        );
        assert!(html.contains(">a b/&lt;x&gt;.pdf</a>"), "{html}");
        assert!(html.contains("c.png</a> (failed)"));
    }

    #[test]
    fn stale_previews_are_cleared() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("pages")).unwrap();
        std::fs::write(dir.path().join("pages/9.webp"), b"old").unwrap();
        std::fs::write(dir.path().join("pages/notes.txt"), b"mine").unwrap();
        let previews = prepare(dir.path(), 800).unwrap().unwrap();
        assert_eq!(previews.max_side, 800);
        assert!(!dir.path().join("pages/9.webp").exists());
        assert!(
            dir.path().join("pages/notes.txt").exists(),
            "only previews go"
        );
        assert!(prepare(dir.path(), 0).unwrap().is_none());
    }
}
