//! Which Tesseract languages are installed, and a record's choice of them checked against that.

use std::path::{Path, PathBuf};

/// Most languages one document may be read in: each one loaded costs its worker 10-30 MB (measured
/// in BENCHMARKS.md), and a worker has 216 MB in a 512 MB task.
pub const MAX_LANGUAGES: usize = 3;

/// Where Tesseract looks for its data when not told: TESSDATA_PREFIX, else the folders its
/// packages install to.
fn tessdata_dirs(configured: Option<&Path>) -> Vec<PathBuf> {
    if let Some(dir) = configured {
        return vec![dir.to_path_buf()];
    }
    if let Some(dir) = std::env::var_os("TESSDATA_PREFIX") {
        return vec![PathBuf::from(dir)];
    }
    [
        "/usr/share/tesseract-ocr/5/tessdata",
        "/usr/share/tesseract-ocr/4.00/tessdata",
        "/usr/share/tessdata",
        "/usr/local/share/tessdata",
        "/opt/homebrew/share/tessdata",
    ]
    .iter()
    .map(PathBuf::from)
    .collect()
}

/// The languages whose `*.traineddata` are installed (orientation data `osd` is not one), sorted.
pub fn installed(tessdata: Option<&Path>) -> Vec<String> {
    let mut found: Vec<String> = tessdata_dirs(tessdata)
        .iter()
        .find_map(|dir| std::fs::read_dir(dir).ok())
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            let lang = name.strip_suffix(".traineddata")?;
            (lang != "osd" && !lang.is_empty()).then(|| lang.to_string())
        })
        .collect();
    found.sort();
    found
}

/// A record's languages checked against the installed ones, main one first, each once; or why
/// they cannot be used.
pub fn choose(requested: &[String], installed: &[String]) -> Result<Vec<String>, String> {
    if requested.is_empty() {
        return Err("languages is empty: name at least one, or leave it out".into());
    }
    if requested.len() > MAX_LANGUAGES {
        return Err(format!(
            "{} languages asked for; at most {MAX_LANGUAGES} per document",
            requested.len()
        ));
    }
    let mut chosen: Vec<String> = Vec::with_capacity(requested.len());
    for lang in requested {
        if !installed.iter().any(|l| l == lang) {
            return Err(format!(
                "language {lang:?} is not installed (installed: {})",
                installed.join(", ")
            ));
        }
        if !chosen.contains(lang) {
            chosen.push(lang.clone());
        }
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn langs(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn installed_languages_are_the_traineddata_files_but_osd() {
        let dir = std::env::temp_dir().join(format!("dp-langs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for f in [
            "eng.traineddata",
            "deu.traineddata",
            "osd.traineddata",
            "pdf.ttf",
        ] {
            std::fs::write(dir.join(f), b"x").unwrap();
        }
        assert_eq!(installed(Some(&dir)), ["deu", "eng"]);
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(installed(Some(Path::new("/nonexistent/tessdata"))).is_empty());
    }

    #[test]
    fn a_choice_keeps_its_order_and_names_what_is_missing() {
        let have = langs(&["deu", "eng", "fra"]);
        assert_eq!(
            choose(&langs(&["deu", "eng"]), &have).unwrap(),
            ["deu", "eng"]
        );
        assert_eq!(choose(&langs(&["eng", "eng"]), &have).unwrap(), ["eng"]);
        let err = choose(&langs(&["eng", "klingon"]), &have).unwrap_err();
        assert!(err.contains("\"klingon\" is not installed") && err.contains("deu, eng, fra"));
        assert!(choose(&[], &have).is_err());
        assert!(choose(&langs(&["eng"; 6]), &have).is_err());
        // Not a path or an option in disguise: only installed names pass.
        assert!(choose(&langs(&["../eng"]), &have).is_err());
    }
}
