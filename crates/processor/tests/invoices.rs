//! Invoices of four countries the rules were not written on (US, UK, German, French), printed to
//! PDF by Chromium from `tests/invoices/*.html`: their fields and line items end to end.

mod common;

use common::*;
use std::path::{Path, PathBuf};

fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("CHROMIUM").map(PathBuf::from).or_else(|| {
        ["chromium", "chromium-browser", "google-chrome"]
            .iter()
            .map(|n| Path::new("/usr/bin").join(n))
            .find(|p| p.exists())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but chromium is missing (scripts/setup.sh installs it)"
        );
        eprintln!("SKIPPED: no chromium");
    }
    found
}

fn printed(chromium: &Path, name: &str) -> processor::DocumentResult {
    let html = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/invoices/{name}.html"));
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("invoices");
    std::fs::create_dir_all(&dir).unwrap();
    let pdf = dir.join(format!("{name}.pdf"));
    let _ = std::fs::remove_file(&pdf);
    let profile = dir.join(format!("profile-{name}"));
    let out = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(&html)
        .output()
        .expect("chromium runs");
    assert!(pdf.is_file(), "no PDF from chromium: {out:?}");
    process_file(&pdf)
}

/// (field, text or value as printed by the fields' own normalisation)
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
    for (name, want, items) in INVOICES {
        let result = printed(&chromium, name);
        assert!(result.error.is_none(), "{name}: {:?}", result.error);
        let fields: std::collections::HashMap<&str, &processor::fields::Field> =
            result.fields.iter().collect();
        for (key, expected) in *want {
            let f = fields
                .get(key)
                .unwrap_or_else(|| panic!("{name}: no {key} in {:?}", result.fields));
            let got = f.value.as_deref().unwrap_or(&f.text);
            assert_eq!(got, *expected, "{name}: {key}");
        }
        assert_eq!(
            result.line_items.len(),
            *items,
            "{name}: {:?}",
            result.line_items
        );
        assert!(
            result
                .line_items
                .iter()
                .all(|i| i.amount.is_some() && i.description.is_some()),
            "{name}: {:?}",
            result.line_items
        );
    }
}
