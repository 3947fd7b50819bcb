//! The service over HTTP, against moto's S3 and DynamoDB, as the Lambda and users call it.

mod common;

use common::*;
use serde_json::{json, Value};
use std::time::Duration;

fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

async fn upload_corpus(app: &TestApp, name: &str) -> Option<String> {
    let dir = corpus()?;
    app.aws
        .upload(
            &format!("in/{name}"),
            std::fs::read(dir.join(name)).unwrap(),
        )
        .await;
    Some(format!("in/{name}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn happy_paths_scanned_born_digital_and_qr_image() {
    let app = TestApp::spawn(&[]).await;
    let cases = [
        ("scan_invoice_01.pdf", "pdf", "Silverline Supply Ltd", "ocr"),
        ("bd_letter_02.pdf", "pdf", "", "text_layer"),
        ("img_invoice_01.png", "png", "", "ocr"),
    ];
    for (name, ft, _, _) in &cases {
        let Some(key) = upload_corpus(&app, name).await else {
            return;
        };
        app.aws.insert_pending(name, &key, ft).await;
        let r = app.post(&app.aws.record(name, &key, ft), false).await;
        assert_eq!(r.status(), 202, "{name}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["status"], "processing");
        assert_eq!(body["status_url"], format!("/status/{name}"));
    }
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(corpus().unwrap().join("manifest.json")).unwrap(),
    )
    .unwrap();
    for (name, _, must_contain, source) in &cases {
        let v = app.wait_final(name, Duration::from_secs(120)).await;
        assert_eq!(v["status"], "completed", "{name}: {v}");
        assert_eq!(v["attempts"], 1);
        let result = &v["result"];
        assert_eq!(result["pages"][0]["source"], *source, "{name}");
        let entry = manifest["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["file"] == *name)
            .unwrap();
        assert_eq!(result["page_count"], entry["page_count"]);
        let text = norm(result["text"].as_str().unwrap());
        assert!(text.contains(must_contain));
        // Every expected payload, exactly.
        let mut want: Vec<String> = entry["pages"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| {
                p["qr_codes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|q| q["data"].as_str().unwrap().to_string())
            })
            .collect();
        let mut got: Vec<String> = result["qr_codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["data"].as_str().unwrap().to_string())
            .collect();
        want.sort();
        got.sort();
        assert_eq!(got, want, "{name}");
        // The same codes among `codes`, with their format and page.
        let mut qr_in_codes: Vec<String> = result["codes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["format"] == "QR Code")
            .inspect(|c| assert!(c["page"].as_u64().unwrap() >= 1))
            .map(|c| c["data"].as_str().unwrap().to_string())
            .collect();
        qr_in_codes.sort();
        assert_eq!(qr_in_codes, want, "{name}: codes");
        // The first words of the ground truth come back.
        let gt = norm(entry["pages"][0]["text"].as_str().unwrap());
        let first = gt.split(' ').take(3).collect::<Vec<_>>().join(" ");
        assert!(text.contains(&first), "{name}: {first:?} not in {text:?}");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_record_posted_five_times_at_once_is_processed_once() {
    let app = TestApp::spawn(&[]).await;
    let Some(key) = upload_corpus(&app, "bd_invoice_01.pdf").await else {
        return;
    };
    app.aws.insert_pending("dup5", &key, "pdf").await;
    let body = app.aws.record("dup5", &key, "pdf");
    let mut tasks = Vec::new();
    for _ in 0..5 {
        let (http, base, body) = (app.http.clone(), app.base.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            http.post(format!("{base}/process"))
                .bearer_auth(API_KEY)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for t in tasks {
        assert!(t.await.unwrap().is_success());
    }
    let v = app.wait_final("dup5", Duration::from_secs(60)).await;
    assert_eq!(v["status"], "completed");
    assert_eq!(v["attempts"], 1, "processed once: {v}");
    // A later delivery gets the stored record, not a new run.
    let r = app.post(&body, false).await;
    assert_eq!(r.status(), 200);
    let again: Value = r.json().await.unwrap();
    assert_eq!(again["status"], "completed");
    assert_eq!(again["attempts"], 1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn wait_true_answers_with_the_finished_record() {
    let app = TestApp::spawn(&[]).await;
    let Some(key) = upload_corpus(&app, "bd_invoice_01.pdf").await else {
        return;
    };
    // Not inserted first: a manual call may name a record the table does not have yet.
    let r = app.post(&app.aws.record("manual", &key, "pdf"), true).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], "completed");
    assert!(v["result"]["text"].as_str().unwrap().contains("INVOICE"));
    assert_eq!(v["result"]["qr_codes"].as_array().unwrap().len(), 1);
    // The document's codes are on the DynamoDB item too.
    let item = app.aws.item("manual").await.unwrap();
    let codes = item
        .get("codes")
        .and_then(|c| c.as_l().ok())
        .expect("codes on the item");
    assert_eq!(codes.len(), 1);
    // The invoice's fields: in the result, and on the item as a map a user can query.
    let fields = &v["result"]["fields"];
    assert_eq!(
        fields["invoice_receipt_id"]["text"], "INV-2024-8348",
        "{fields}"
    );
    assert_eq!(fields["total"]["value"], "65028.29");
    assert_eq!(fields["date"]["value"], "2019-06-14");
    let on_item = item
        .get("fields")
        .and_then(|f| f.as_m().ok())
        .expect("fields on the item");
    let total = on_item["total"].as_m().unwrap();
    assert_eq!(total["value"].as_s().unwrap(), "65028.29");
    assert_eq!(total["currency"].as_s().unwrap(), "USD");
    let items = v["result"]["line_items"].as_array().expect("line items");
    assert_eq!(items.len(), 7, "{items:?}");
    assert_eq!(items[0]["description"], "Cleaning supplies");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_requests_get_their_status_codes() {
    let app = TestApp::spawn(&[]).await;
    let url = format!("{}/process", app.base);
    let send = |body: String, key: Option<&'static str>| {
        let mut r = app
            .http
            .post(&url)
            .header("content-type", "application/json")
            .body(body);
        if let Some(k) = key {
            r = r.header("x-api-key", k);
        }
        r.send()
    };
    let code = |r: reqwest::Response| r.status().as_u16();
    assert_eq!(
        code(send("{\"record\": ".into(), Some(API_KEY)).await.unwrap()),
        400
    );
    let missing = json!({"record": {"document_id": "x", "bucket": app.aws.bucket}}).to_string();
    assert_eq!(code(send(missing, Some(API_KEY)).await.unwrap()), 422);
    let foreign =
        json!({"record": {"document_id": "x", "bucket": "someone-elses", "key": "k.pdf"}})
            .to_string();
    let r = send(foreign, Some(API_KEY)).await.unwrap();
    assert_eq!(r.status(), 422);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "invalid_record");
    let docx = app.aws.record("x", "k.docx", "docx").to_string();
    assert_eq!(code(send(docx, Some(API_KEY)).await.unwrap()), 422);
    let ok_body = app.aws.record("x", "k.pdf", "pdf").to_string();
    let r = send(ok_body.clone(), None).await.unwrap();
    assert_eq!(r.status(), 401);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "unauthorized");
    assert_eq!(code(send(ok_body, Some("wrong")).await.unwrap()), 401);
    let r = app.status("no-such-id").await;
    assert_eq!(r.status(), 404);
    let r = app
        .http
        .get(format!("{}/status/x", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // Bodies are small JSON records: a large one is refused before it is read.
    let huge = format!(
        "{{\"record\": {{\"document_id\": \"{}\"}}}}",
        "x".repeat(200_000)
    );
    let r = send(huge, Some(API_KEY)).await.unwrap();
    assert_eq!(r.status(), 413);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "body_too_large");
    // Health and the API description need no key.
    assert_eq!(app.get_json("/health").await["status"], "healthy");
    let doc = app.get_json("/openapi.json").await;
    assert!(doc["paths"]["/process"]["post"].is_object());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_object_and_bad_inputs_fail_with_their_codes() {
    let app = TestApp::spawn(&[]).await;
    let Some(dir) = corpus() else { return };
    app.aws.insert_pending("ghost", "in/none.pdf", "pdf").await;
    assert_eq!(
        app.post(&app.aws.record("ghost", "in/none.pdf", "pdf"), false)
            .await
            .status(),
        202
    );
    let expected = [
        ("bad_zero_bytes.pdf", Some("corrupt_document")),
        ("bad_truncated.pdf", Some("corrupt_document")),
        ("bad_random_bytes.pdf", Some("unsupported_format")),
        ("bad_png_named.pdf", None),
        ("bad_encrypted.pdf", Some("encrypted_document")),
        ("bad_blank_1000p.pdf", Some("too_many_pages")),
        ("bad_huge_page.pdf", None),
        ("bad_bomb_60000.png", Some("image_too_large")),
    ];
    for (name, _) in &expected {
        let key = format!("in/{name}");
        app.aws
            .upload(&key, std::fs::read(dir.join(name)).unwrap())
            .await;
        app.aws.insert_pending(name, &key, "pdf").await;
        assert_eq!(
            app.post(&app.aws.record(name, &key, "pdf"), false)
                .await
                .status(),
            202,
            "{name}"
        );
    }
    let v = app.wait_final("ghost", Duration::from_secs(60)).await;
    assert_eq!(v["status"], "failed");
    assert_eq!(v["error_code"], "not_found");
    assert_eq!(v["result"]["error"]["code"], "not_found");
    for (name, code) in expected {
        let v = app.wait_final(name, Duration::from_secs(120)).await;
        match code {
            Some(code) => {
                assert_eq!(v["status"], "failed", "{name}: {v}");
                assert_eq!(v["error_code"], code, "{name}");
                assert!(!v["error_message"].as_str().unwrap().is_empty());
            }
            None => assert_eq!(v["status"], "completed", "{name}: {v}"),
        }
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn results_over_the_item_limit_go_to_s3_and_come_back_whole() {
    let app = TestApp::spawn(&["--workers", "2"]).await;
    let Some(key) = upload_corpus(&app, "scan_long_20p.pdf").await else {
        return;
    };
    app.aws.insert_pending("long", &key, "pdf").await;
    assert_eq!(
        app.post(&app.aws.record("long", &key, "pdf"), false)
            .await
            .status(),
        202
    );
    let v = app.wait_final("long", Duration::from_secs(300)).await;
    assert_eq!(v["status"], "completed", "{v}");
    assert_eq!(v["result_s3_key"], "results/long.json");
    let result = &v["result"];
    assert_eq!(result["page_count"], 20);
    assert_eq!(result["pages"].as_array().unwrap().len(), 20);
    assert!(result["pages"][19]["words"].as_array().unwrap().len() > 50);
    assert!(
        serde_json::to_vec(result).unwrap().len() > 400_000,
        "the full result is over 400 KB"
    );
    // The item itself stays under DynamoDB's limit and has no pages.
    let item = app.aws.item("long").await.unwrap();
    assert!(!item.contains_key("pages"));
    let stored = app
        .aws
        .s3
        .get_object()
        .bucket(&app.aws.bucket)
        .key("results/long.json")
        .send()
        .await
        .unwrap();
    let bytes = stored.body.collect().await.unwrap().into_bytes();
    let from_s3: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(&from_s3, result);
    // The viewer streams the stored result into its page too, escaped for a script block.
    let r = app.get(v["view_url"].as_str().unwrap(), false).await;
    assert_eq!(r.status(), 200);
    let embedded = embedded_data(&r.text().await.unwrap());
    assert_eq!(&embedded["result"], result);
    assert_eq!(embedded["previews_s3_prefix"], "results/long/pages/");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_queue_answers_503_with_retry_after_and_loses_nothing() {
    let app = TestApp::spawn(&["--queue-capacity", "1"]).await;
    let Some(key) = upload_corpus(&app, "scan_letter_01.pdf").await else {
        return;
    };
    // Posts `ids`; the Retry-After of each refusal (503, queue_full).
    let post_all = |ids: Vec<String>| {
        let (app, key) = (&app, &key);
        async move {
            let mut refused = Vec::new();
            for id in ids {
                app.aws.insert_pending(&id, key, "pdf").await;
                let r = app.post(&app.aws.record(&id, key, "pdf"), false).await;
                match r.status().as_u16() {
                    202 => {}
                    503 => {
                        let after: u64 = r.headers()["retry-after"]
                            .to_str()
                            .unwrap()
                            .parse()
                            .unwrap();
                        let e: Value = r.json().await.unwrap();
                        assert_eq!(e["error"]["code"], "queue_full");
                        refused.push(after);
                    }
                    other => panic!("{id}: {other}"),
                }
            }
            refused
        }
    };
    let first: Vec<String> = (0..5).map(|i| format!("q{i}")).collect();
    let refused = post_all(first.clone()).await;
    assert!(
        !refused.is_empty(),
        "one worker and a queue of one cannot take five documents at once"
    );
    // Nothing has finished yet: the service cannot know how soon a place frees.
    assert!(refused.iter().all(|&s| s == 2), "{refused:?}");
    // Refused records are still pending, and the sweep gets to every one of them.
    let mut longest = 0;
    for id in &first {
        let v = app.wait_final(id, Duration::from_secs(240)).await;
        assert_eq!(v["status"], "completed", "{v}");
        longest = longest.max(v["processing_ms"].as_u64().unwrap());
    }
    // Now it knows: a client is asked to come back when a document is likely done (one worker:
    // about one document's time), not after a fixed 10 s.
    let second: Vec<String> = (0..4).map(|i| format!("r{i}")).collect();
    let refused = post_all(second.clone()).await;
    assert!(!refused.is_empty());
    let bound = longest.div_ceil(1000).clamp(1, 10) + 1;
    assert!(
        refused.iter().all(|&s| (1..=bound).contains(&s)),
        "{refused:?}, longest {longest} ms"
    );
    for id in &second {
        let v = app.wait_final(id, Duration::from_secs(240)).await;
        assert_eq!(v["status"], "completed", "{v}");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_lease_of_a_dead_task_is_reclaimed_by_the_sweep() {
    let app = TestApp::spawn(&[]).await;
    let Some(key) = upload_corpus(&app, "img_letter_01.jpg").await else {
        return;
    };
    // A record a vanished task claimed: processing, lease long expired, one attempt used.
    app.aws.put_abandoned("orphan", &key, 1).await;
    let v = app.wait_final("orphan", Duration::from_secs(60)).await;
    assert_eq!(v["status"], "completed", "{v}");
    assert_eq!(v["attempts"], 2);
    // And a record whose attempts are used up fails instead of looping forever.
    app.aws
        .put_abandoned("cursed", "in/img_letter_01.jpg", 3)
        .await;
    let v = app.wait_final("cursed", Duration::from_secs(60)).await;
    assert_eq!(v["status"], "failed");
    assert_eq!(v["error_code"], "too_many_attempts");
    app.stop().await;
}

/// `GET /documents/{id}/pdf` with the key.
async fn get_pdf(app: &TestApp, id: &str) -> reqwest::Response {
    app.http
        .get(format!("{}/documents/{id}/pdf", app.base))
        .header("x-api-key", API_KEY)
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_record_gets_its_searchable_pdf_and_its_languages() {
    let app = TestApp::spawn(&[]).await;
    let Some(key) = upload_corpus(&app, "scan_invoice_01.pdf").await else {
        return;
    };
    let mut body = app.aws.record("spdf", &key, "pdf");
    body["record"]["outputs"] = json!(["searchable_pdf"]);
    body["record"]["languages"] = json!(["eng", "deu"]);
    let r = app.post(&body, true).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], "completed", "{v}");
    assert_eq!(v["searchable_pdf_s3_key"], "results/spdf.pdf");
    assert_eq!(v["languages"], json!(["eng", "deu"]));
    // The PDF: from S3 through the service, with the key only.
    let r = get_pdf(&app, "spdf").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    let unauthorised = app
        .http
        .get(format!("{}/documents/spdf/pdf", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorised.status(), 401);
    // Its words are in it: the invisible text layer holds the result's words.
    let words: Vec<&str> = v["result"]["text"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .collect();
    let raw = String::from_utf8_lossy(&pdf);
    assert!(raw.contains("/GlyphLessFont"), "no text font in the PDF");
    assert!(words.len() > 20);

    // Asked for in the table (the Lambda's way, or the sweep's): the same options on the item.
    use aws_sdk_dynamodb::types::AttributeValue;
    let list = |v: &[&str]| {
        AttributeValue::L(v.iter().map(|s| AttributeValue::S(s.to_string())).collect())
    };
    app.aws
        .put_record(
            "tabled",
            &key,
            &[
                ("status", AttributeValue::S("pending".into())),
                ("outputs", list(&["searchable_pdf"])),
                ("languages", list(&["klingon"])),
            ],
        )
        .await;
    // The item's own options stand (if_not_exists): an uninstalled language fails the record.
    let r = app.post(&app.aws.record("tabled", &key, "pdf"), true).await;
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], "failed", "{v}");
    assert_eq!(v["error_code"], "invalid_record");
    assert!(v["error_message"]
        .as_str()
        .unwrap()
        .contains("\"klingon\" is not installed"));

    // Unknown options in the body: 422 before anything is claimed.
    for (field, value, says) in [
        ("languages", json!(["eng", "xx"]), "\"xx\" is not installed"),
        ("outputs", json!(["docx"]), "unknown output \"docx\""),
    ] {
        let mut body = app.aws.record("bad-options", &key, "pdf");
        body["record"][field] = value;
        let r = app.post(&body, false).await;
        assert_eq!(r.status(), 422);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"]["code"], "invalid_record");
        assert!(
            v["error"]["message"].as_str().unwrap().contains(says),
            "{v}"
        );
    }
    assert!(app.aws.item("bad-options").await.is_none());

    // No PDF where none was asked for, none for an unknown id.
    let r = app.post(&app.aws.record("plain", &key, "pdf"), true).await;
    assert_eq!(r.status(), 200);
    let r = get_pdf(&app, "plain").await;
    assert_eq!(r.status(), 404);
    let v: Value = r.json().await.unwrap();
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("did not ask"),
        "{v}"
    );
    assert_eq!(get_pdf(&app, "nobody").await.status(), 404);
    app.stop().await;
}
