//! What the service and a worker say to each other: JSON lines over the worker's stdin and stdout.
//! First the service sends the [`Spec`] and the worker answers [`Ready`]; then, per document, a
//! [`Request`] answered by the document's `DocumentResult` on one line.

use processor::Config;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Everything a worker needs to build its engine (limits included).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Spec {
    pub config: Config,
}

/// The worker's first line: its engine is up, or why not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ready {
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One document: a spooled file and the declared type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub path: PathBuf,
    pub hint: Option<String>,
    /// Tesseract languages for this document; None: the spec's.
    #[serde(default)]
    pub languages: Option<api::Languages>,
    /// Where to write the document's searchable PDF, when asked for.
    #[serde(default)]
    pub searchable_pdf: Option<PathBuf>,
    /// Where and how large to write the pages' previews, when asked for.
    #[serde(default)]
    pub previews: Option<processor::page::preview::Previews>,
}

/// One JSON value and its newline.
pub fn line<T: Serialize>(value: &T) -> Vec<u8> {
    let mut out = serde_json::to_vec(value).expect("protocol values serialise");
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_single_lines_that_round_trip() {
        let request = Request {
            path: "/tmp/a\nb.pdf".into(),
            hint: Some("pdf".into()),
            languages: Some(api::Languages::from_iter(["deu", "eng"])),
            searchable_pdf: Some("/tmp/out.pdf".into()),
            previews: Some(processor::page::preview::Previews {
                dir: "/tmp/pages".into(),
                max_side: 1000,
            }),
        };
        let bytes = line(&request);
        assert_eq!(bytes.iter().filter(|&&b| b == b'\n').count(), 1);
        let back: Request = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back, request);
        let spec = Spec {
            config: Config::default(),
        };
        let back: Spec = serde_json::from_slice(&line(&spec)).unwrap();
        assert_eq!(back.config.limits, Config::default().limits);
    }
}
