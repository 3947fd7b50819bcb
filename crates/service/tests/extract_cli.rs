//! The `extract` and `doctor` commands, run as a user runs them: the real binary, real files.

mod common;

use common::{cli, corpus};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// One JSON document per line of stdout (several inputs without --out-dir).
fn json_lines(out: &Output) -> Vec<Value> {
    std::str::from_utf8(&out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn one_file_prints_only_its_json_on_stdout() {
    let Some(dir) = corpus() else { return };
    let out = succeed(cli().args(["extract"]).arg(dir.join("bd_invoice_01.pdf")));
    let r = json(&out);
    assert_eq!(r["page_count"], 1);
    assert_eq!(r["error"], Value::Null);
    assert_eq!(r["pages"][0]["source"], "text_layer");
    assert!(r["text"].as_str().unwrap().contains("INVOICE"));
    assert_eq!(r["qr_codes"].as_array().unwrap().len(), 1);
}

#[test]
fn out_dir_gets_one_json_per_file_and_a_bad_file_fails_the_run() {
    let Some(dir) = corpus() else { return };
    let out_dir = tempdir("out-dir");
    let out = cli()
        .args(["extract", "--out-dir"])
        .arg(&out_dir)
        .arg(dir.join("bad_encrypted.pdf"))
        .arg(dir.join("img_letter_01.jpg"))
        .arg(dir.join("no_such_file.pdf"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "a failed file makes the exit code 1"
    );
    assert!(out.stdout.is_empty(), "nothing on stdout with --out-dir");
    let read = |n: &str| -> Value {
        serde_json::from_slice(&std::fs::read(out_dir.join(n)).unwrap()).unwrap()
    };
    assert_eq!(
        read("bad_encrypted.pdf.json")["error"]["code"],
        "encrypted_document"
    );
    assert_eq!(
        read("img_letter_01.jpg.json")["error"],
        Value::Null,
        "goes on past a bad file"
    );
    assert_eq!(read("no_such_file.pdf.json")["error"]["code"], "not_found");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("encrypted_document"), "{stderr}");
}

#[test]
fn several_files_without_out_dir_print_json_lines() {
    let Some(dir) = corpus() else { return };
    let out = cli()
        .args(["extract", "--ocr-mode", "never"])
        .arg(dir.join("bd_letter_01.pdf"))
        .arg(dir.join("bad_zero_bytes.pdf"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["page_count"], 1);
    assert_eq!(lines[1]["error"]["code"], "corrupt_document");
}

#[test]
fn the_binary_sets_omp_thread_limit_itself() {
    let out = cli()
        .arg("doctor")
        .env_remove("OMP_THREAD_LIMIT")
        .output()
        .unwrap();
    let r = json(&out);
    assert_eq!(
        r["omp_thread_limit"], "1",
        "re-exec with OMP_THREAD_LIMIT=1: {r}"
    );
    assert_eq!(r["tesseract"], "ok");
    // A value the user chose is kept.
    let out = cli()
        .arg("doctor")
        .env("OMP_THREAD_LIMIT", "2")
        .output()
        .unwrap();
    assert_eq!(json(&out)["omp_thread_limit"], "2");
}

#[test]
fn inputs_read_side_by_side_are_written_in_their_order_as_read_alone() {
    // Two workers read the two documents at once; the one-page image is done before the
    // two-page scan ahead of it, yet its line comes second, and each result is the one it
    // gets when read alone.
    let Some(dir) = corpus() else { return };
    let (first, second) = (
        dir.join("scan_letter_01.pdf"),
        dir.join("img_report_01.png"),
    );
    let lines = |out: Output| -> Vec<Value> {
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        json_lines(&out)
    };
    let both = lines(
        cli()
            .args(["extract", "--workers", "2"])
            .arg(&first)
            .arg(&second)
            .output()
            .unwrap(),
    );
    assert_eq!(both.len(), 2);
    let alone = |file: &PathBuf| -> Value {
        json(
            &cli()
                .args(["extract", "--workers", "2"])
                .arg(file)
                .output()
                .unwrap(),
        )
    };
    assert_eq!(
        both[0],
        alone(&first),
        "the scan's line first, as read alone"
    );
    assert_eq!(
        both[1],
        alone(&second),
        "the image's line second, as read alone"
    );
    assert_eq!(both[0]["page_count"], 2);
}

#[test]
fn the_binary_runs_the_tesseract_setup_built() {
    // setup.sh builds the static library (scripts/build-tesseract.sh); a build that fell back to
    // the system's shared one would still pass every other test, ~25% slower.
    let built = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../.local/tesseract/lib/libtesseract.a")
        .is_file();
    let out = cli().arg("doctor").output().unwrap();
    let build = json(&out)["tesseract_build"].as_str().unwrap().to_string();
    assert!(build.starts_with("5."), "{build}");
    if built || std::env::var_os("CI").is_some() {
        assert!(build.ends_with("(static)"), "linked: {build}");
    }
}

#[test]
fn limits_come_from_the_environment() {
    let Some(dir) = corpus() else { return };
    let out = cli()
        .args(["extract"])
        .arg(dir.join("bd_report_01.pdf"))
        .env("MAX_PAGES", "2")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["error"]["code"], "too_many_pages");
}

#[test]
fn results_that_would_overwrite_each_other_are_refused_before_any_work() {
    let Some(dir) = corpus() else { return };
    let inputs = tempdir("clash-in");
    for sub in ["a", "b"] {
        std::fs::create_dir_all(inputs.join(sub)).unwrap();
        std::fs::copy(
            dir.join("img_letter_01.jpg"),
            inputs.join(sub).join("1.jpg"),
        )
        .unwrap();
    }
    let out_dir = tempdir("clash-out");
    let out = cli()
        .args(["extract", "--out-dir"])
        .arg(&out_dir)
        .arg(inputs.join("a/1.jpg"))
        .arg(inputs.join("b/1.jpg"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("would all write 1.jpg.json"), "{stderr}");
    assert_eq!(
        std::fs::read_dir(&out_dir).unwrap().count(),
        0,
        "nothing written"
    );

    // The folder instead: its files keep their relative paths, both results are there.
    succeed(
        cli()
            .args(["extract", "--out-dir"])
            .arg(&out_dir)
            .arg(&inputs),
    );
    for sub in ["a", "b"] {
        let r: Value =
            serde_json::from_slice(&std::fs::read(out_dir.join(sub).join("1.jpg.json")).unwrap())
                .unwrap();
        assert_eq!(r["error"], Value::Null);
        assert!(r["text"].as_str().unwrap().len() > 100);
    }
}

#[test]
fn a_binary_built_in_the_checkout_finds_libpdfium_without_a_variable() {
    let Some(dir) = corpus() else { return };
    let out = succeed(
        cli()
            .env_remove("PDFIUM_LIB_PATH")
            .args(["extract", "--ocr-mode", "never"])
            .arg(dir.join("bd_letter_01.pdf")),
    );
    assert_eq!(json(&out)["pages"][0]["source"], "text_layer");
}

/// Runs the command and checks it exited 0 (its stderr in the failure message).
fn succeed(cmd: &mut std::process::Command) -> std::process::Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn tempdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dp-test-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn pdf_writes_one_searchable_pdf_and_refuses_what_would_lose_a_file() {
    let Some(dir) = corpus() else { return };
    let out_dir = tempdir("pdf");
    let target = out_dir.join("letter.pdf");
    let out = succeed(
        cli()
            .args(["extract", "--quiet", "--pdf"])
            .arg(&target)
            .arg(dir.join("img_letter_01.jpg")),
    );
    assert_eq!(json(&out)["error"], Value::Null);
    let pdf = std::fs::read(&target).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    // Nothing half-written is left beside it.
    let names: Vec<_> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["letter.pdf"]);
    // Refused before any work: several inputs for one PDF, or the input as its own output.
    let copy = out_dir.join("copy.jpg");
    std::fs::copy(dir.join("img_letter_01.jpg"), &copy).unwrap();
    for (args, says) in [
        (
            vec![dir.join("img_letter_01.jpg"), dir.join("bd_letter_01.pdf")],
            "one input",
        ),
        (vec![copy.clone()], "is the input itself"),
    ] {
        let pdf = if args[0] == copy {
            copy.clone()
        } else {
            out_dir.join("two.pdf")
        };
        let out = cli()
            .args(["extract", "--quiet", "--pdf"])
            .arg(&pdf)
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(says),
            "{args:?}"
        );
        assert!(out.stdout.is_empty());
    }
    assert!(!out_dir.join("two.pdf").exists());
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        std::fs::read(dir.join("img_letter_01.jpg")).unwrap()
    );
    // A document that fails gets no PDF, and says so.
    let failed = out_dir.join("bad.pdf");
    let out = cli()
        .args(["extract", "--quiet", "--pdf"])
        .arg(&failed)
        .arg(dir.join("bad_truncated.pdf"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!failed.exists());
}

#[test]
fn tables_dir_gets_each_table_as_csv_and_refuses_names_that_clash() {
    let Some(dir) = corpus() else { return };
    let out_dir = tempdir("tables");
    let out = succeed(
        cli()
            .args(["extract", "--quiet", "--tables"])
            .arg(&out_dir)
            .arg(dir.join("bd_invoice_01.pdf")),
    );
    let result = json(&out);
    // One CSV per table block, named by page and place, each the block's grid.
    let tables: Vec<&Value> = result["pages"][0]["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["cells"].is_array())
        .collect();
    assert!(!tables.is_empty(), "{result}");
    for (n, table) in tables.iter().enumerate() {
        let path = out_dir.join(format!("bd_invoice_01.pdf.p1.t{}.csv", n + 1));
        let rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_path(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        assert_eq!(rows.len() as u64, table["rows"].as_u64().unwrap());
        assert!(rows
            .iter()
            .all(|r| r.len() as u64 == table["cols"].as_u64().unwrap()));
        for cell in table["cells"].as_array().unwrap() {
            let (r, c) = (cell["row"].as_u64().unwrap(), cell["col"].as_u64().unwrap());
            assert_eq!(rows[r as usize][c as usize], cell["text"].as_str().unwrap());
        }
    }
    // The invoice's item table, as a sheet would hold it.
    let items = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .find(|t| t.starts_with("Description,Qty,Unit Price,Amount"))
        .expect("the item table's CSV");
    assert!(
        items.contains("\nUSB cable set,12,640.67,\"7,688.04\"\n"),
        "{items}"
    );

    // Two inputs of one name would write the same CSV files: refused before any work.
    let twin = tempdir("tables-twin").join("bd_invoice_01.pdf");
    std::fs::copy(dir.join("bd_invoice_01.pdf"), &twin).unwrap();
    let out = cli()
        .args(["extract", "--quiet", "--tables"])
        .arg(tempdir("tables-clash"))
        .arg(dir.join("bd_invoice_01.pdf"))
        .arg(&twin)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("overwrite"));
}
