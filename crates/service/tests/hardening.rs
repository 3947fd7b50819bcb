//! The service's edges: the sweep behind many live leases, large stored results read by many
//! callers at once, fail-closed start-up, document ids, and what a server error tells a caller.

mod common;

use aws_sdk_dynamodb::types::AttributeValue;
use common::*;
use serde_json::{json, Value};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sweep_finds_an_expired_lease_behind_thirty_live_ones() {
    let Some(dir) = corpus() else { return };
    let moto = Moto::shared();
    let aws = Aws::create(&moto.endpoint).await;
    let key = "in/bd_invoice_01.pdf";
    aws.upload(key, std::fs::read(dir.join("bd_invoice_01.pdf")).unwrap())
        .await;
    let live_until = (now_ms() + 3_600_000).to_string();
    for i in 0..30 {
        aws.put_record(
            &format!("live-{i:02}"),
            key,
            &[
                ("status", AttributeValue::S("processing".into())),
                ("attempts", AttributeValue::N("1".into())),
                ("lease_owner", AttributeValue::S("task-alive".into())),
                ("lease_expires_at", AttributeValue::N(live_until.clone())),
            ],
        )
        .await;
    }
    aws.put_abandoned("expired", key, 1).await;
    let app = TestApp::spawn_on(aws.clone(), &["--sweep-interval-secs", "1"]).await;
    let v = app.wait_final("expired", Duration::from_secs(120)).await;
    assert_eq!(v["status"], "completed", "{v}");
    assert_eq!(v["attempts"], 2, "re-claimed once: {v}");
    for i in 0..30 {
        let item = aws.item(&format!("live-{i:02}")).await.unwrap();
        assert_eq!(
            item.get("lease_owner"),
            Some(&AttributeValue::S("task-alive".into())),
            "a live lease is never taken"
        );
        assert_eq!(
            item.get("status"),
            Some(&AttributeValue::S("processing".into()))
        );
    }
    app.stop().await;
}

/// A stored result of about `mb` MB in the result schema.
fn big_result(mb: usize) -> Vec<u8> {
    let word = json!({"text": "lorem", "confidence": 91.5,
        "bbox": {"left": 1234, "top": 2345, "width": 111, "height": 42}});
    let per_page = 2000;
    let word_bytes = serde_json::to_vec(&word).unwrap().len() + 1;
    let pages = (mb << 20) / (per_page * word_bytes) + 1;
    let page = json!({"page": 1, "width": 2550, "height": 3300, "dpi": 300, "source": "ocr",
        "rotation": 0, "skew": 0.0, "text": "lorem", "confidence": 91.5, "blocks": [],
        "words": vec![word; per_page], "qr_codes": []});
    let result = json!({"page_count": pages, "text": "lorem", "pages": vec![page; pages],
        "qr_codes": [], "error": null});
    serde_json::to_vec(&result).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_30_mb_result_read_by_ten_callers_at_once_is_streamed() {
    let moto = Moto::shared();
    let aws = Aws::create(&moto.endpoint).await;
    let body = big_result(30);
    assert!(body.len() >= 30 << 20);
    aws.upload("results/big.json", body.clone()).await;
    aws.put_record(
        "big",
        "in/big.pdf",
        &[
            ("status", AttributeValue::S("completed".into())),
            ("attempts", AttributeValue::N("1".into())),
            ("page_count", AttributeValue::N("1".into())),
            (
                "result_s3_key",
                AttributeValue::S("results/big.json".into()),
            ),
        ],
    )
    .await;
    let service = ServiceProcess::start(&aws, &moto.endpoint, &["--workers", "1"]);
    let pid = service.child.id();
    let (peak, stop) = (
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicBool::new(false)),
    );
    let watcher = {
        let (peak, stop) = (peak.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                if let Some(rss) = service::worker::supervisor::resident_bytes(pid) {
                    peak.fetch_max(rss, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let before = service::worker::supervisor::resident_bytes(pid).unwrap();
    let readers: Vec<_> = (0..10)
        .map(|_| {
            let url = format!("{}/status/big", service.base);
            tokio::spawn(async move {
                let r = reqwest::Client::new()
                    .get(url)
                    .header("x-api-key", API_KEY)
                    .timeout(Duration::from_secs(300))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
                r.bytes().await.unwrap()
            })
        })
        .collect();
    let expected: Value = serde_json::from_slice(&body).unwrap();
    for reader in readers {
        let bytes = reader.await.unwrap();
        let v: Value = serde_json::from_slice(&bytes).expect("a whole JSON answer");
        assert_eq!(v["document_id"], "big");
        assert_eq!(v["status"], "completed");
        assert_eq!(v["result"]["page_count"], expected["page_count"]);
        assert_eq!(v["result"], expected, "the stored result, whole");
    }
    stop.store(true, Ordering::Relaxed);
    watcher.join().unwrap();
    let grew = peak.load(Ordering::Relaxed).saturating_sub(before) >> 20;
    eprintln!("service resident memory grew by {grew} MB serving 10 x 30 MB");
    // Holding the result whole (bytes, parsed, re-serialised) cost well over 100 MB per reader.
    assert!(grew < 100, "the service grew by {grew} MB");
}

fn serve_command(aws: &Aws, extra: &[&str], env_key: bool) -> Command {
    let mut args = aws.serve_args(&[]);
    args.remove(0);
    // Drop the key and bucket the harness gives, and listen on every interface.
    for flag in ["--api-key", "--document-bucket", "--bind-address"] {
        let at = args.iter().position(|a| a == flag).unwrap();
        args.drain(at..at + 2);
    }
    args.extend(["--bind-address", "0.0.0.0"].map(String::from));
    args.extend(extra.iter().map(|s| s.to_string()));
    let at = args.iter().position(|a| a == "--port").unwrap();
    args[at + 1] = free_port().to_string();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_document-processor"));
    cmd.args(&args)
        .envs(env_for(&Moto::shared().endpoint))
        .env_remove("API_KEY")
        .env_remove("DOCUMENT_BUCKET")
        .env_remove("INSECURE_LOCAL")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if env_key {
        cmd.env("API_KEY", "k");
    }
    cmd
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_refuses_to_start_open_unless_told_it_is_local() {
    let aws = Aws::create(&Moto::shared().endpoint).await;
    let out = serve_command(&aws, &[], false).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("API_KEY") && stderr.contains("DOCUMENT_BUCKET"),
        "{stderr}"
    );
    let out = serve_command(&aws, &[], true).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("DOCUMENT_BUCKET") && !stderr.contains("without API_KEY"),
        "{stderr}"
    );
    // An explicit local flag starts it (it listens), with a warning.
    let mut cmd = serve_command(&aws, &["--insecure-local"], false);
    let port: u16 = {
        let args: Vec<String> = cmd.get_args().map(|a| a.to_string_lossy().into()).collect();
        let at = args.iter().position(|a| a == "--port").unwrap();
        args[at + 1].parse().unwrap()
    };
    let mut child = cmd.stderr(Stdio::null()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "exited with --insecure-local"
        );
        assert!(Instant::now() < deadline, "did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test(flavor = "multi_thread")]
async fn ids_outside_the_safe_set_are_refused() {
    let app = TestApp::spawn(&[]).await;
    for bad in ["a/b", "a?b", "a#b", "tab\there", "x".repeat(129).as_str()] {
        let body = json!({"record": {"document_id": bad, "bucket": app.aws.bucket, "key": "k.pdf", "status": "pending"}});
        let r = app.post(&body, false).await;
        assert_eq!(r.status(), 422, "{bad:?}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"]["code"], "invalid_record");
    }
    for path in ["a%3Fb", "a%01b", "..", "a%2Fb"] {
        let r = app.status(path).await;
        assert!(
            r.status() == 422 || r.status() == 404,
            "{path}: {}",
            r.status()
        );
        if r.status() == 422 {
            let e: Value = r.json().await.unwrap();
            assert_eq!(e["error"]["code"], "invalid_record");
        }
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_error_names_the_request_not_the_backend() {
    let app = TestApp::spawn(&[]).await;
    // An item this service cannot read: attempts is not a number.
    app.aws
        .put_record(
            "broken",
            "in/x.pdf",
            &[
                ("status", AttributeValue::S("completed".into())),
                ("attempts", AttributeValue::S("many".into())),
            ],
        )
        .await;
    let r = app.status("broken").await;
    assert_eq!(r.status(), 500);
    let request_id = r
        .headers()
        .get("x-request-id")
        .expect("every answer carries its request id")
        .to_str()
        .unwrap()
        .to_string();
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "internal");
    let message = e["error"]["message"].as_str().unwrap();
    assert!(message.contains(&request_id), "{message}");
    for leak in ["attempts", "invalid", "many", "DynamoDB", "serde"] {
        assert!(!message.contains(leak), "{message} names {leak}");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn client_addresses_outside_the_allowed_cidrs_are_refused() {
    let app = TestApp::spawn(&["--allowed-client-cidrs", "203.0.113.0/24,2001:db8::/32"]).await;
    let get = |ip: Option<&'static str>| {
        let mut r = app
            .http
            .get(format!("{}/status/nothing-here", app.base))
            .header("x-api-key", API_KEY);
        if let Some(ip) = ip {
            r = r.header("x-client-ip", ip);
        }
        r.send()
    };
    let r = get(Some("198.51.100.4")).await.unwrap();
    assert_eq!(r.status(), 403);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "forbidden");
    assert_eq!(get(Some("203.0.113.77")).await.unwrap().status(), 404);
    assert_eq!(get(Some("2001:db8::5")).await.unwrap().status(), 404);
    // Inside the VPC (the Lambda, health checks): no client header, no check.
    assert_eq!(get(None).await.unwrap().status(), 404);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_backlog_is_published_as_embedded_metric_lines() {
    use std::io::BufRead;
    let moto = Moto::shared();
    let aws = Aws::create(&moto.endpoint).await;
    for i in 0..3 {
        aws.insert_pending(&format!("waiting-{i}"), "in/x.pdf", "pdf")
            .await;
    }
    let mut args = aws.serve_args(&[
        "--metrics-interval-secs",
        "1",
        "--sweep-interval-secs",
        "3600",
    ]);
    args.remove(0);
    let mut child = Command::new(env!("CARGO_BIN_EXE_document-processor"))
        .args(&args)
        .envs(env_for(&moto.endpoint))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let found = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = rx.recv_timeout(left).expect("a metrics line on stdout");
        let Ok(v) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        if v["_aws"].is_object() && v["DueRecords"].is_number() {
            break v;
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(found["DueRecords"], 3, "{found}");
    assert_eq!(found["QueueDepth"], 0);
    assert_eq!(found["InFlight"], 0);
    assert_eq!(
        found["_aws"]["CloudWatchMetrics"][0]["Namespace"],
        service::metrics::NAMESPACE
    );
}
