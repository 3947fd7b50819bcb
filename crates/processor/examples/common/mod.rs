//! What the fields examples share: each `IN_DIR/<name>.json` turned into `OUT_DIR/<name>.json`.

use processor::DocumentResult;
use std::path::Path;

/// Runs `make` on every JSON file of `input` (its name and bytes) and writes what it returns to
/// `output` under the same name; a file `make` cannot read is reported and skipped.
pub fn each_json(
    input: &str,
    output: &str,
    mut make: impl FnMut(&str, &[u8]) -> Option<DocumentResult>,
) {
    std::fs::create_dir_all(output).expect("output folder");
    for entry in std::fs::read_dir(input).expect("input folder") {
        let path = entry.expect("entry").path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if !name.ends_with(".json") {
            continue;
        }
        let bytes = std::fs::read(&path).expect("readable");
        let Some(result) = make(name, &bytes) else {
            eprintln!("{name}: not read");
            continue;
        };
        let out = Path::new(output).join(name);
        std::fs::write(out, serde_json::to_vec(&result).expect("serialises")).expect("written");
    }
}
