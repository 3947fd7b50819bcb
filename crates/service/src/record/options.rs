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

#[cfg(test)]
mod tests {
    use super::*;

    fn installed() -> Vec<String> {
        vec!["deu".into(), "eng".into()]
    }

    #[test]
    fn outputs_and_languages_are_checked_and_kept_as_asked() {
        let none = options(None, None, &installed()).unwrap();
        assert_eq!(none, Options::default());
        let asked = options(
            Some(&[Output::SearchablePdf]),
            Some(&Languages::from_iter(["deu", "eng", "deu"])),
            &installed(),
        )
        .unwrap();
        assert!(asked.searchable_pdf);
        // Main language first, each once: what the worker's engine is built with.
        assert_eq!(asked.languages.unwrap().tesseract(), "deu+eng");
    }

    #[test]
    fn an_unknown_output_or_language_is_named() {
        let why = options(
            Some(&[Output::SearchablePdf, Output::Other("hocr".into())]),
            None,
            &installed(),
        )
        .unwrap_err();
        assert!(why.contains("unknown output \"hocr\""), "{why}");
        let why = options(None, Some(&Languages::from_iter(["fra"])), &installed()).unwrap_err();
        assert!(why.contains("\"fra\" is not installed"), "{why}");
    }
}
