//! DESIGN.md: the Lambda (128 MB) carries no Tesseract, leptonica or pdfium, and uses neither the
//! processor nor the service. Checked on the real dependency graph.

#[test]
fn the_lambda_depends_on_no_ocr_pdf_or_service_code() {
    let out = std::process::Command::new(env!("CARGO"))
        .args([
            "tree",
            "-p",
            "trigger",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8(out.stdout).unwrap();
    assert!(
        tree.lines().any(|l| l.starts_with("api ")),
        "the shared body type is used:\n{tree}"
    );
    for forbidden in [
        "processor",
        "service",
        "leptess",
        "tesseract-sys",
        "leptonica-sys",
        "pdfium-render",
        "zxing-cpp",
    ] {
        assert!(
            !tree
                .lines()
                .any(|l| l.starts_with(&format!("{forbidden} "))),
            "the Lambda depends on {forbidden}"
        );
    }
}
