//! What `extract` reads and where each result goes: files as given, folders walked for their
//! documents, and one output name per input with no two the same (a result that can be
//! overwritten will be).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Extensions a folder walk picks up; files named on the command line are read whatever their
/// name (their content decides).
const DOCUMENT_EXTENSIONS: [&str; 10] = [
    "pdf", "png", "jpg", "jpeg", "tif", "tiff", "bmp", "gif", "webp", "jfif",
];

/// One document to process and the name of its result under --out-dir.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub path: PathBuf,
    /// `<file name>.json` for a file named on the command line; `<path in the folder>.json` for
    /// a file found by walking a folder.
    pub out_name: PathBuf,
}

/// Files as given, folders walked (sorted, hidden entries skipped).
pub fn expand(args: &[PathBuf]) -> std::io::Result<Vec<Item>> {
    let mut items = Vec::new();
    for arg in args {
        if arg.is_dir() {
            let mut found = Vec::new();
            walk(arg, &mut found)?;
            found.sort();
            items.extend(found.into_iter().map(|path| {
                let rel = path.strip_prefix(arg).unwrap_or(&path).to_path_buf();
                Item {
                    out_name: json_name(&rel),
                    path,
                }
            }));
        } else {
            let name = arg
                .file_name()
                .map(PathBuf::from)
                .unwrap_or_else(|| arg.clone());
            items.push(Item {
                out_name: json_name(&name),
                path: arg.clone(),
            });
        }
    }
    Ok(items)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, out)?;
        } else if is_document(&path) {
            out.push(path);
        }
    }
    Ok(())
}

fn is_document(path: &Path) -> bool {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|e| DOCUMENT_EXTENSIONS.contains(&e.as_str()))
}

fn json_name(p: &Path) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(".json");
    PathBuf::from(s)
}

/// The inputs whose results would land on the same file, as a message naming them; None when
/// every result has a file of its own.
pub fn clashes(items: &[Item]) -> Option<String> {
    let mut by_name: HashMap<&Path, Vec<&Path>> = HashMap::new();
    for it in items {
        by_name.entry(&it.out_name).or_default().push(&it.path);
    }
    let mut clashing: Vec<String> = by_name
        .into_iter()
        .filter(|(_, paths)| paths.len() > 1)
        .map(|(name, paths)| {
            let list: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            format!("{} would all write {}", list.join(", "), name.display())
        })
        .collect();
    clashing.sort();
    (!clashing.is_empty()).then(|| {
        format!(
            "results would overwrite each other: {}; pass their folder instead (a folder keeps \
             its files' relative paths under --out-dir) or run them separately",
            clashing.join("; ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(path: &str, out: &str) -> Item {
        Item {
            path: path.into(),
            out_name: out.into(),
        }
    }

    #[test]
    fn files_keep_their_names_and_clashes_are_named() {
        let items = expand(&["a/1.png".into(), "b/1.png".into(), "c/2.pdf".into()]).unwrap();
        assert_eq!(
            items,
            vec![
                item("a/1.png", "1.png.json"),
                item("b/1.png", "1.png.json"),
                item("c/2.pdf", "2.pdf.json")
            ]
        );
        let msg = clashes(&items).expect("a clash");
        assert!(
            msg.contains("a/1.png, b/1.png would all write 1.png.json"),
            "{msg}"
        );
        assert_eq!(clashes(&items[1..]), None);
    }

    #[test]
    fn folders_are_walked_for_documents_with_relative_names() {
        let root = std::env::temp_dir().join(format!("dp-inputs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for f in [
            "x/1.png",
            "y/1.png",
            "y/z/scan.PDF",
            "notes.txt",
            ".hidden/3.png",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, b"").unwrap();
        }
        let items = expand(std::slice::from_ref(&root)).unwrap();
        let names: Vec<String> = items
            .iter()
            .map(|i| i.out_name.display().to_string())
            .collect();
        assert_eq!(names, ["x/1.png.json", "y/1.png.json", "y/z/scan.PDF.json"]);
        assert_eq!(clashes(&items), None);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
