//! Invoices of four countries the field rules were not written on (US, UK, German, French),
//! printed to PDF by Chromium from `tests/invoices/*.html`, then `extract` as a user runs it: the
//! fields and line items it prints.

mod common;

use common::{chromium, cli};
use serde_json::Value;
use std::path::Path;

/// `extract`'s JSON for the invoice `name`, printed to PDF first.
fn extracted(chromium: &Path, dir: &Path, name: &str) -> Value {
    let html = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/invoices/{name}.html"));
    let pdf = dir.join(format!("{name}.pdf"));
    let out = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(&html)
        .output()
        .expect("chromium runs");
    assert!(pdf.is_file(), "no PDF from chromium: {out:?}");
    let out = cli().arg("extract").arg(&pdf).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).expect("extract prints JSON")
}

/// (field, its value, or its text for a field without one)
type Want = &'static [(&'static str, &'static str)];

const INVOICES: &[(&str, Want, usize)] = &[
    (
        "us",
        &[
            ("vendor_name", "Brightwater Consulting LLC"),
            (
                "vendor_address",
                "1200 Market Street, Suite 400 San Francisco, CA 94103",
            ),
            ("invoice_receipt_id", "INV-2026-0317"),
            ("date", "2026-03-03"),
            ("due_date", "2026-04-02"),
            ("subtotal", "6312.75"),
            ("tax", "536.58"),
            ("total", "6849.33"),
        ],
        3,
    ),
    (
        "uk",
        &[
            ("vendor_name", "Hollins & Pryce Ltd"),
            ("vendor_address", "14 Kingsway London WC2B 6XF"),
            ("invoice_receipt_id", "HP/4471"),
            ("date", "2026-11-14"),
            ("due_date", "2026-12-14"),
            ("tax", "414.60"),
            ("total", "2487.60"),
        ],
        2,
    ),
    (
        "de",
        &[
            ("vendor_name", "Müller & Söhne GmbH"),
            ("vendor_address", "Hauptstraße 12 80331 München"),
            ("invoice_receipt_id", "RE-2026-0815"),
            ("date", "2026-10-05"),
            ("due_date", "2026-11-04"),
            ("subtotal", "1400.00"),
            ("tax", "266.00"),
            ("total", "1666.00"),
        ],
        2,
    ),
    (
        "fr",
        &[
            ("vendor_name", "Boulangerie Lefèvre SARL"),
            ("vendor_address", "8 rue des Lilas 69003 Lyon"),
            ("invoice_receipt_id", "F-2026-112"),
            ("date", "2026-09-21"),
            ("subtotal", "260.00"),
            ("tax", "14.30"),
            ("total", "274.30"),
        ],
        2,
    ),
];

#[test]
fn invoices_of_four_countries_give_their_fields_and_items() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    for (name, want, items) in INVOICES {
        let result = extracted(&chromium, dir.path(), name);
        assert_eq!(result["error"], Value::Null, "{name}");
        let fields = &result["fields"];
        for (key, expected) in *want {
            let f = &fields[key];
            let got = f["value"].as_str().or(f["text"].as_str());
            assert_eq!(got, Some(*expected), "{name}: {key} in {fields}");
        }
        let lines = result["line_items"].as_array().expect("line items");
        assert_eq!(lines.len(), *items, "{name}: {lines:?}");
        assert!(
            lines
                .iter()
                .all(|i| i["amount"].is_string() && i["description"].is_string()),
            "{name}: {lines:?}"
        );
    }
}
