//! What a record asks of the extraction beyond the defaults, checked.

use api::{Languages, Output};

/// What a record asks of the extraction beyond the defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Checked against the installed ones, each once; None: the service's languages.
    pub languages: Option<Languages>,
    pub searchable_pdf: bool,
}

/// A record's `outputs` and `languages` checked (against the installed languages), or why not.
pub fn options(
    outputs: Option<&[Output]>,
    languages: Option<&Languages>,
    installed: &[String],
) -> Result<Options, String> {
    let mut searchable_pdf = false;
    for output in outputs.unwrap_or_default() {
        match output {
            Output::SearchablePdf => searchable_pdf = true,
            Output::Other(name) => {
                return Err(format!(
                    "unknown output {name:?} (outputs: {})",
                    api::SEARCHABLE_PDF
                ))
            }
        }
    }
    let languages = languages
        .map(|l| processor::recognition::languages::choose(l.as_slice(), installed).map(Languages))
        .transpose()?;
    Ok(Options {
        languages,
        searchable_pdf,
    })
}
