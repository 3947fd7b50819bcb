//! The result viewer in a real browser: headless Chromium (Debian's `chromium`, installed by
//! scripts/setup.sh) opens /documents/{id}/view through the running service on moto, and what it
//! shows is checked in the DOM the page built, in its console, and in a screenshot kept under
//! target/test-artefacts/.

mod common;

use common::{chromium, cli, corpus, repo_root, TestApp};
use serde_json::Value;
use service::view::token::{now_secs, ViewTokens};
use std::path::{Path, PathBuf};
use std::process::Command;

const SECRET: &str = "viewer-test-secret";

/// What the browser made of a page: the DOM after its script ran, and the console lines.
struct Browsed {
    dom: String,
    console: Vec<String>,
}

fn browse(chromium: &Path, url: &str, screenshot: Option<&Path>) -> Browsed {
    let profile = tempfile::tempdir().unwrap();
    let run = |extra: &[String]| {
        let out = Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-extensions",
                "--enable-logging=stderr",
                "--v=0",
                "--window-size=1300,1500",
                // Runs the page until it is idle (the page images load as they near the screen,
                // after the load event) before the DOM is dumped or the screenshot taken.
                "--virtual-time-budget=10000",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(extra)
            .arg(url)
            .output()
            .expect("chromium runs");
        assert!(out.status.success(), "chromium failed: {out:?}");
        out
    };
    let out = run(&["--dump-dom".to_string()]);
    let console = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Content Security Policy"))
        .map(str::to_string)
        .collect();
    if let Some(path) = screenshot {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        run(&[format!("--screenshot={}", path.display())]);
    }
    Browsed {
        dom: String::from_utf8_lossy(&out.stdout).into_owned(),
        console,
    }
}

fn attr<'a>(dom: &'a str, name: &str) -> &'a str {
    let key = format!("{name}=\"");
    let at = dom
        .find(&key)
        .unwrap_or_else(|| panic!("no {name} in the DOM"))
        + key.len();
    &dom[at..at + dom[at..].find('"').unwrap()]
}

/// The viewer's word search: letters and digits, lowercased.
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn artefact(name: &str) -> PathBuf {
    repo_root().join("target/test-artefacts").join(name)
}

async fn processed(app: &TestApp, id: &str, key: &str, bytes: Vec<u8>, file_type: &str) -> Value {
    app.aws.upload(key, bytes).await;
    let r = app.post(&app.aws.record(id, key, file_type), true).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], "completed", "{v}");
    v
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scanned_invoice_is_seen_in_a_browser_with_its_words_blocks_and_code() {
    let (Some(chromium), Some(corpus)) = (chromium(), corpus()) else {
        return;
    };
    let app = TestApp::spawn(&["--view-token-secret", SECRET]).await;
    let bytes = std::fs::read(corpus.join("scan_invoice_01.pdf")).unwrap();
    let v = processed(&app, "inv", "in/inv.pdf", bytes, "pdf").await;
    let result = &v["result"];
    let words: Vec<&str> = result["pages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["words"].as_array().unwrap())
        .map(|w| w["text"].as_str().unwrap())
        .collect();
    let codes = result["codes"].as_array().unwrap();
    assert!(words.len() > 50 && !codes.is_empty(), "{result}");
    assert_eq!(v["previews_s3_prefix"], "results/inv/pages/");
    let view_url = v["view_url"].as_str().unwrap();
    assert!(
        view_url.starts_with("/documents/inv/view?token="),
        "{view_url}"
    );

    // The page's preview: a WebP within the default size, through the token.
    let token = view_url.split_once("token=").unwrap().1;
    let r = app
        .get(&format!("/documents/inv/pages/1.webp?token={token}"), false)
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/webp");
    let webp = r.bytes().await.unwrap();
    let preview = image::load_from_memory_with_format(&webp, image::ImageFormat::WebP).unwrap();
    assert_eq!(
        preview.width().max(preview.height()),
        processor::page::preview::DEFAULT_MAX_SIDE
    );

    // The view in Chromium, with a search for a word of the invoice in the link.
    let query = words
        .iter()
        .find(|w| norm(w).len() >= 6 && norm(w).chars().all(char::is_alphabetic))
        .expect("a long word");
    let key = norm(query);
    let screenshot = artefact("viewer-scan_invoice_01.png");
    let _ = std::fs::remove_file(&screenshot);
    let seen = browse(
        &chromium,
        &format!("{}{view_url}#q={key}", app.base),
        Some(&screenshot),
    );
    let dom = &seen.dom;
    assert_eq!(attr(dom, "data-ready"), "yes", "the script did not finish");
    assert_eq!(
        dom.matches("<rect class=\"word ").count(),
        words.len(),
        "one box per word"
    );
    assert_eq!(attr(dom, "data-words"), words.len().to_string());
    // The search highlights exactly the words that hold it.
    let expected_hits = words.iter().filter(|w| norm(w).contains(&key)).count();
    assert!(expected_hits >= 1);
    assert_eq!(dom.matches(" hit\"").count(), expected_hits, "{key}");
    assert_eq!(attr(dom, "data-hits"), expected_hits.to_string());
    // The QR code: its box and its payload as text.
    assert_eq!(dom.matches("<rect class=\"code\"").count(), codes.len());
    let payload = codes[0]["data"].as_str().unwrap();
    assert!(
        dom.contains(&format!("<span class=\"payload\">{payload}</span>")),
        "payload {payload:?} not shown"
    );
    // Blocks numbered in reading order, each table's cells drawn, the text beside them, the
    // preview drawn under them.
    let blocks = result["pages"][0]["blocks"].as_array().unwrap().len();
    let cells: usize = result["pages"][0]["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["cells"].as_array())
        .map(Vec::len)
        .sum();
    assert!(cells >= 8, "the invoice's item table has cells: {result}");
    assert_eq!(dom.matches("<rect class=\"cell\"").count(), cells);
    assert_eq!(attr(dom, "data-cells"), cells.to_string());
    // The invoice's fields: listed by name, their boxes marked.
    let fields = result["fields"].as_object().expect("an invoice's fields");
    assert!(
        fields.contains_key("total") && fields.contains_key("date"),
        "{result}"
    );
    for (name, field) in fields {
        assert!(
            dom.contains(&format!("data-field=\"{name}\"")),
            "{name} not listed"
        );
        assert_eq!(field["page"], 1);
    }
    assert_eq!(attr(dom, "data-fields"), fields.len().to_string());
    assert_eq!(dom.matches("<rect class=\"field\"").count(), fields.len());
    assert_eq!(dom.matches("<text class=\"block-no\"").count(), blocks);
    assert!(dom.contains("Silverline Supply Ltd"));
    assert!(dom.contains(&format!("href=\"pages/1.webp?token={token}\"")));
    assert_eq!(
        attr(dom, "data-previews-shown"),
        "1",
        "the preview did not load"
    );
    assert!(seen.console.is_empty(), "console: {:?}", seen.console);
    let png = std::fs::read(&screenshot).expect("a screenshot");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "screenshot"
    );

    // The HTTP side of it: the policy, and who may open it.
    let r = app.get(view_url, false).await;
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.starts_with("default-src 'none'") && !csp.contains("unsafe"),
        "{csp}"
    );
    assert_eq!(r.headers()["referrer-policy"], "no-referrer");
    assert_eq!(app.get("/documents/inv/view", false).await.status(), 401);
    assert_eq!(app.get("/documents/inv/view", true).await.status(), 200);
    let tokens = ViewTokens::new(SECRET.as_bytes(), 900);
    let expired = tokens.issue("inv", now_secs() - 3600);
    // The last hex digit changed: always a different MAC (a fixed "0" matched 1 run in 16).
    let mut forged = token.to_string();
    let last = forged.pop().unwrap();
    forged.push(if last == '0' { '1' } else { '0' });
    assert_ne!(forged, token);
    let other = tokens.issue("someone-else", now_secs());
    for (why, bad) in [
        ("expired", &expired),
        ("forged", &forged),
        ("other id", &other),
    ] {
        for path in ["/documents/inv/view", "/documents/inv/pages/1.webp"] {
            let r = app.get(&format!("{path}?token={bad}"), true).await;
            assert_eq!(r.status(), 403, "{why} token on {path}");
            let e: Value = r.json().await.unwrap();
            assert_eq!(e["error"]["code"], "invalid_token");
        }
    }
    for missing in ["0.webp", "2.webp", "1.png", "x"] {
        let r = app
            .get(
                &format!("/documents/inv/pages/{missing}?token={token}"),
                false,
            )
            .await;
        assert_eq!(r.status(), 404, "{missing}");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hostile_payload_is_shown_as_text_and_runs_nothing() {
    let Some(chromium) = chromium() else {
        return;
    };
    let app = TestApp::spawn(&[]).await;
    let payload = "<img src=x onerror=alert(1)></script><script>alert(2)</script>";
    let qr = zxingcpp::create(zxingcpp::BarcodeFormat::QRCode)
        .from_str(payload)
        .unwrap()
        .to_image_with(&zxingcpp::write().scale(8))
        .unwrap();
    let qr = image::GrayImage::from_raw(qr.width() as u32, qr.height() as u32, qr.data()).unwrap();
    let mut page = image::GrayImage::from_pixel(1200, 1200, image::Luma([255]));
    image::imageops::overlay(&mut page, &qr, 200, 200);
    let mut png = Vec::new();
    page.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let v = processed(&app, "hostile", "in/hostile.png", png, "png").await;
    assert_eq!(v["result"]["codes"][0]["data"], payload, "{v}");
    let view_url = v["view_url"].as_str().unwrap();
    let seen = browse(
        &chromium,
        &format!("{}{view_url}", app.base),
        Some(&artefact("viewer-hostile.png")),
    );
    let dom = &seen.dom;
    assert_eq!(attr(dom, "data-ready"), "yes");
    assert_eq!(attr(dom, "data-codes"), "1");
    // As text: escaped in the DOM's serialisation, no element made of it.
    assert!(
        dom.contains("&lt;img src=x onerror=alert(1)&gt;&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;"),
        "payload not shown as text"
    );
    assert!(!dom.contains("<img"), "an element was made of the payload");
    assert_eq!(
        dom.matches("<script").count(),
        2,
        "only the page's own scripts"
    );
    // Nothing ran and nothing was refused: no alert, no script error, no CSP report.
    assert!(seen.console.is_empty(), "console: {:?}", seen.console);

    // A failed document's view says so, with its error and timings.
    app.aws.upload("in/empty.pdf", Vec::new()).await;
    let r = app
        .post(&app.aws.record("empty", "in/empty.pdf", "pdf"), true)
        .await;
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], "failed", "{v}");
    let seen = browse(
        &chromium,
        &format!("{}{}", app.base, v["view_url"].as_str().unwrap()),
        None,
    );
    assert_eq!(attr(&seen.dom, "data-ready"), "yes");
    assert!(seen.dom.contains("<dd class=\"failed\">failed</dd>"));
    let code = v["error_code"].as_str().unwrap();
    assert!(
        seen.dom.contains(&format!("<dd class=\"error\">{code}: ")),
        "no error {code} shown"
    );
    assert!(seen.dom.contains("<dt>Processing</dt>"));
    assert!(seen.console.is_empty(), "console: {:?}", seen.console);
    app.stop().await;
}

#[test]
fn extract_html_writes_a_view_that_opens_from_the_disk() {
    let (Some(chromium), Some(corpus)) = (chromium(), corpus()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one");
    // A longer document's preview from an earlier run must not show up in this one's view.
    std::fs::create_dir_all(one.join("pages")).unwrap();
    std::fs::write(one.join("pages/7.webp"), b"stale").unwrap();
    let extract = |args: &[&std::ffi::OsStr]| cli().arg("extract").args(args).output().unwrap();
    let letter = corpus.join("scan_letter_01.pdf");
    let out = extract(&["--html".as_ref(), one.as_os_str(), letter.as_os_str()]);
    assert!(out.status.success(), "{out:?}");
    let result: Value = serde_json::from_slice(&out.stdout).unwrap();
    let pages = result["page_count"].as_u64().unwrap();
    assert!(pages >= 2);
    let mut webps: Vec<String> = std::fs::read_dir(one.join("pages"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    webps.sort();
    let expected: Vec<String> = (1..=pages).map(|n| format!("{n}.webp")).collect();
    assert_eq!(webps, expected, "one preview per page, nothing stale");
    // The page holds the same result the JSON has.
    let html = std::fs::read_to_string(one.join("index.html")).unwrap();
    let embedded = common::embedded_data(&html);
    assert_eq!(embedded["result"], result);
    assert_eq!(embedded["status"], "completed");
    let url = format!("file://{}#q=the", one.join("index.html").display());
    let seen = browse(&chromium, &url, Some(&artefact("viewer-extract-html.png")));
    let words: usize = result["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["words"].as_array().unwrap().len())
        .sum();
    assert_eq!(attr(&seen.dom, "data-words"), words.to_string());
    assert_eq!(attr(&seen.dom, "data-previews-shown"), pages.to_string());
    assert!(seen.console.is_empty(), "console: {:?}", seen.console);

    // Several inputs: a folder each, a failed one too, and a listing linking them.
    let many = dir.path().join("many");
    let jpg = corpus.join("img_letter_01.jpg");
    let empty = corpus.join("bad_zero_bytes.pdf");
    let out = extract(&[
        "--quiet".as_ref(),
        "--html".as_ref(),
        many.as_os_str(),
        jpg.as_os_str(),
        empty.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(1), "a failed input fails the run");
    assert!(many.join("img_letter_01.jpg/pages/1.webp").is_file());
    let failed = std::fs::read_to_string(many.join("bad_zero_bytes.pdf/index.html")).unwrap();
    assert!(failed.contains("\"status\":\"failed\""));
    let listing = std::fs::read_to_string(many.join("index.html")).unwrap();
    assert!(
        listing.contains("href=\"img_letter_01.jpg/index.html\""),
        "{listing}"
    );
    assert!(
        listing.contains("bad_zero_bytes.pdf</a> (failed)"),
        "{listing}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn previews_can_be_turned_off_and_the_view_draws_the_boxes_alone() {
    let Some(corpus) = corpus() else {
        return;
    };
    let app = TestApp::spawn(&["--preview-max-side", "0"]).await;
    let bytes = std::fs::read(corpus.join("img_invoice_01.png")).unwrap();
    let v = processed(&app, "plain", "in/plain.png", bytes, "png").await;
    assert!(v.get("previews_s3_prefix").is_none(), "{v}");
    let token = v["view_url"]
        .as_str()
        .unwrap()
        .split_once("token=")
        .unwrap()
        .1;
    let r = app
        .get(
            &format!("/documents/plain/pages/1.webp?token={token}"),
            false,
        )
        .await;
    assert_eq!(r.status(), 404);
    let listed = app
        .aws
        .s3
        .list_objects_v2()
        .bucket(&app.aws.bucket)
        .prefix("results/plain/")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.key_count(), Some(0), "nothing stored");
    let r = app.get(v["view_url"].as_str().unwrap(), false).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("<body data-images=\"no\""));
    let embedded = common::embedded_data(&html);
    assert_eq!(embedded["result"], v["result"]);
    app.stop().await;
}
