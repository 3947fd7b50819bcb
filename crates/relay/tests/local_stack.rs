//! End to end on the local stack, through the scripts a user runs: `scripts/local-stack.sh up` (twice),
//! `test-workflow.sh --local` on a scanned PDF and a QR image, a burst of 20 records plus a poison record,
//! then `down`. Upload → insert → stream → relay → Lambda handler → service → result, all real.

mod common;

use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use common::{aws_config_for, free_port, repo_root};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Where `cargo test` put this package's binary; `cargo test --workspace` builds the service's there
/// too (its own tests run it). Run alone, this test builds the service binary when it is missing.
fn bin_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_BIN_EXE_stream-relay"))
        .parent()
        .unwrap()
        .to_path_buf();
    if !dir.join("document-processor").exists() {
        let status = Command::new(env!("CARGO"))
            .args([
                "build",
                "--locked",
                "-p",
                "service",
                "--bin",
                "document-processor",
            ])
            .current_dir(repo_root())
            .status()
            .unwrap();
        assert!(status.success(), "building document-processor failed");
    }
    dir
}

/// One private stack: its own folder and ports, so it never meets a developer's running stack.
struct Stack {
    dir: tempfile::TempDir,
    moto_port: u16,
    service_port: u16,
    /// Settings for the stack's programs beyond the script's own.
    env: Vec<(&'static str, &'static str)>,
}

impl Stack {
    fn new() -> Stack {
        Stack {
            dir: tempfile::tempdir().unwrap(),
            moto_port: free_port(),
            service_port: free_port(),
            env: Vec::new(),
        }
    }

    fn command(&self, program: &Path) -> Command {
        let mut c = Command::new(program);
        c.current_dir(repo_root())
            .env("LOCAL_STACK_DIR", self.dir.path())
            .env("LOCAL_MOTO_PORT", self.moto_port.to_string())
            .env("LOCAL_SERVICE_PORT", self.service_port.to_string())
            // The binaries `cargo test` has just built, not a release build.
            .env("LOCAL_STACK_BIN_DIR", bin_dir())
            .envs(self.env.iter().copied());
        for var in [
            "AWS_ENDPOINT_URL",
            "API_KEY",
            "DYNAMODB_TABLE_NAME",
            "DOCUMENT_BUCKET",
        ] {
            c.env_remove(var);
        }
        c
    }

    fn script(&self, args: &[&str]) -> Output {
        let out = self
            .command(&repo_root().join("scripts/local-stack.sh"))
            .args(args)
            .output()
            .unwrap();
        eprintln!(
            "local-stack.sh {args:?}: {}\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn workflow(&self, file: &Path) -> (bool, String) {
        let out = self
            .command(&repo_root().join("test-workflow.sh"))
            .arg(file)
            .arg("--local")
            .args(["--timeout", "180"])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        eprintln!(
            "test-workflow.sh {}:\n{stdout}{}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), stdout)
    }

    fn pids(&self) -> Vec<(String, i32)> {
        ["moto", "service", "relay"]
            .iter()
            .filter_map(|n| {
                let text =
                    std::fs::read_to_string(self.dir.path().join(format!("{n}.pid"))).ok()?;
                Some((n.to_string(), text.trim().parse().ok()?))
            })
            .collect()
    }

    fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(format!("{name}.log"))).unwrap_or_default()
    }

    async fn clients(&self) -> (aws_sdk_s3::Client, aws_sdk_dynamodb::Client) {
        let config = aws_config_for(self.moto_port).await;
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&config)
                .force_path_style(true)
                .build(),
        );
        (s3, aws_sdk_dynamodb::Client::new(&config))
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        // Whatever happened, leave no process behind.
        let _ = self
            .command(&repo_root().join("scripts/local-stack.sh"))
            .arg("down")
            .output();
    }
}

fn alive(pid: i32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| s.contains(") Z "))
            .unwrap_or(true)
}

/// A QR image with its payload: from the shared corpus when present, else the sample scan.
fn qr_image() -> (PathBuf, String) {
    let corpus = repo_root().join("../shared/corpus");
    if let Ok(text) = std::fs::read_to_string(corpus.join("manifest.json")) {
        let manifest: serde_json::Value = serde_json::from_str(&text).unwrap();
        let docs = manifest["files"].as_array().cloned().unwrap_or_default();
        if let Some(doc) = docs.iter().find(|d| d["file"] == "qr_stress_01.png") {
            let data = doc["pages"][0]["qr_codes"][0]["data"].as_str().unwrap();
            return (corpus.join("qr_stress_01.png"), data.to_string());
        }
    }
    eprintln!("shared corpus absent: using samples/scan.jpg as the QR image");
    (
        repo_root().join("samples/scan.jpg"),
        "https://example.com/invoices/NW-2026-0412".to_string(),
    )
}

/// A PNG of a QR code holding `payload` (8 px modules, the 4-module quiet zone).
fn write_qr(path: &Path, payload: &str) {
    let code = qrcode::QrCode::new(payload.as_bytes()).unwrap();
    let (n, scale, quiet) = (code.width() as u32, 8u32, 4u32);
    let colors = code.to_colors();
    let side = (n + 2 * quiet) * scale;
    let img = image::GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = (x / scale, y / scale);
        let dark = mx >= quiet
            && my >= quiet
            && mx < n + quiet
            && my < n + quiet
            && colors[((my - quiet) * n + (mx - quiet)) as usize] == qrcode::Color::Dark;
        image::Luma([if dark { 0 } else { 255 }])
    });
    img.save(path).unwrap();
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

/// Pending records for `ids`, `key_of` giving each one's object, written 25 at a time as a client
/// would in a burst.
async fn insert_pending(
    ddb: &aws_sdk_dynamodb::Client,
    table: &str,
    bucket: &str,
    ids: &[String],
    key_of: impl Fn(&str) -> String,
) {
    for chunk in ids.chunks(25) {
        let requests: Vec<WriteRequest> = chunk
            .iter()
            .map(|id| {
                let item: HashMap<String, AttributeValue> = [
                    ("id", s(id)),
                    ("bucket", s(bucket)),
                    ("key", s(&key_of(id))),
                    ("status", s("pending")),
                    ("file_type", s("pdf")),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
                WriteRequest::builder()
                    .put_request(PutRequest::builder().set_item(Some(item)).build().unwrap())
                    .build()
            })
            .collect();
        ddb.batch_write_item()
            .request_items(table, requests)
            .send()
            .await
            .unwrap();
    }
}

/// A record as it is now (empty when absent).
async fn item_of(
    ddb: &aws_sdk_dynamodb::Client,
    table: &str,
    id: &str,
) -> HashMap<String, AttributeValue> {
    ddb.get_item()
        .table_name(table)
        .key("id", s(id))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
        .unwrap_or_default()
}

/// Each record's attributes that say what happened to it (status, attempts, completed_at).
async fn states(ddb: &aws_sdk_dynamodb::Client, table: &str, ids: &[String]) -> Vec<[String; 3]> {
    let mut out = Vec::new();
    for id in ids {
        let item = item_of(ddb, table, id).await;
        let text = |k: &str| {
            item.get(k)
                .and_then(|v| v.as_s().or_else(|_| v.as_n()).ok())
                .cloned()
                .unwrap_or_default()
        };
        out.push([text("status"), text("attempts"), text("completed_at")]);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_workflow_on_the_local_stack() {
    let stack = Stack::new();

    // up, and up again: the second is harmless and starts nothing new.
    assert!(stack.script(&["up"]).status.success(), "up failed");
    let first = stack.pids();
    assert_eq!(first.len(), 3, "three components started: {first:?}");
    assert!(stack.script(&["up"]).status.success(), "second up failed");
    assert_eq!(stack.pids(), first, "a second up must not restart anything");
    assert!(stack.script(&["status"]).status.success());

    // The user's command on a scanned PDF and on a QR image.
    let (ok, out) = stack.workflow(&repo_root().join("samples/scan.pdf"));
    assert!(ok, "scanned PDF workflow failed:\n{out}");
    assert!(out.contains("Result (completed)"), "{out}");
    assert!(
        out.contains("Northwind Paper Co"),
        "expected text missing:\n{out}"
    );
    assert!(out.contains("103.85"), "expected total missing:\n{out}");
    // The viewer link it prints opens (a browser would send no key: the token is in the link).
    let view = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("view"))
        .map(str::trim)
        .filter(|u| u.contains("/view?token="))
        .unwrap_or_else(|| panic!("no view link:\n{out}"));
    let page = Command::new("curl").args(["-fsS", view]).output().unwrap();
    assert!(page.status.success(), "{view}: {page:?}");
    let html = String::from_utf8_lossy(&page.stdout);
    assert!(html.starts_with("<!doctype html>") && html.contains("Northwind Paper Co"));
    let (image, payload) = qr_image();
    let (ok, out) = stack.workflow(&image);
    assert!(ok, "QR image workflow failed:\n{out}");
    assert!(
        out.contains(&payload),
        "QR payload {payload} missing:\n{out}"
    );

    // Any file name (quotes, spaces, $(...), non-ASCII) and a payload carrying terminal escapes: the
    // name is only ever data, and nothing the document holds reaches the terminal raw.
    let odd = tempfile::tempdir().unwrap();
    let name = "it's \"my\" $(touch PWNED) naïve scan.png";
    let path = odd.path().join(name);
    write_qr(&path, "\u{1b}]0;owned\u{7}\u{1b}[31mRED-ALERT\u{1b}[0m");
    let (ok, out) = stack.workflow(&path);
    assert!(ok, "odd name workflow failed:\n{out}");
    assert!(
        out.contains("RED-ALERT"),
        "the payload's text is shown:\n{out}"
    );
    assert!(
        !out.bytes().any(|b| b == 0x1b || b == 0x07),
        "a control character reached the terminal:\n{out:?}"
    );
    assert!(out.contains("naïve scan.png"), "{out}");
    assert!(!repo_root().join("PWNED").exists() && !odd.path().join("PWNED").exists());

    // A failed insert takes its upload back: the table named in stack.env does not exist.
    let env_file = stack.dir.path().join("stack.env");
    let saved = std::fs::read_to_string(&env_file).unwrap();
    std::fs::write(
        &env_file,
        saved.replace(
            "DYNAMODB_TABLE_NAME=document-processor-results",
            "DYNAMODB_TABLE_NAME=no-such-table",
        ),
    )
    .unwrap();
    let (ok, out) = stack.workflow(&repo_root().join("samples/invoice.pdf"));
    std::fs::write(&env_file, &saved).unwrap();
    assert!(!ok, "the insert cannot succeed:\n{out}");
    let (s3, _) = stack.clients().await;
    let left = s3
        .list_objects_v2()
        .bucket("document-processor-documents-local")
        .prefix("uploads/")
        .send()
        .await
        .unwrap();
    let stray: Vec<_> = left
        .contents()
        .iter()
        .filter_map(|o| o.key())
        .filter(|k| k.ends_with("/invoice.pdf"))
        .collect();
    assert!(stray.is_empty(), "uploads left behind: {stray:?}");

    // A poison record (its object is not in S3) in front of a burst of 20: the poison ends failed,
    // the 20 all complete, each claimed exactly once.
    let (s3, ddb) = stack.clients().await;
    let bucket = "document-processor-documents-local";
    let table = "document-processor-results";
    let bytes = std::fs::read(repo_root().join("samples/invoice.pdf")).unwrap();
    s3.put_object()
        .bucket(bucket)
        .key("burst/invoice.pdf")
        .body(bytes.into())
        .send()
        .await
        .unwrap();
    let poison = "poison-0";
    let mut ids = vec![poison.to_string()];
    ids.extend((0..20).map(|i| format!("burst-{i:02}")));
    insert_pending(&ddb, table, bucket, &ids, |id| {
        if id == poison {
            "burst/missing.pdf".into()
        } else {
            "burst/invoice.pdf".into()
        }
    })
    .await;

    let deadline = Instant::now() + Duration::from_secs(180);
    let mut final_items: HashMap<String, HashMap<String, AttributeValue>> = HashMap::new();
    while final_items.len() < ids.len() && Instant::now() < deadline {
        for id in &ids {
            if final_items.contains_key(id) {
                continue;
            }
            let item = item_of(&ddb, table, id).await;
            let status = item
                .get("status")
                .and_then(|v| v.as_s().ok())
                .cloned()
                .unwrap_or_default();
            if status == "completed" || status == "failed" {
                final_items.insert(id.clone(), item);
            }
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let pending: Vec<_> = ids
        .iter()
        .filter(|id| !final_items.contains_key(*id))
        .collect();
    assert!(
        pending.is_empty(),
        "not final after 180 s: {pending:?}\nrelay log:\n{}",
        stack.log("relay")
    );
    let field = |id: &str, name: &str| {
        let v = &final_items[id][name];
        v.as_s().or_else(|_| v.as_n()).cloned().unwrap()
    };
    assert_eq!(field(poison, "status"), "failed");
    assert_eq!(field(poison, "error_code"), "not_found");
    for id in ids.iter().filter(|id| *id != poison) {
        assert_eq!(field(id, "status"), "completed", "{id}");
        assert_eq!(
            field(id, "attempts"),
            "1",
            "{id} was claimed more than once"
        );
        assert_eq!(field(id, "page_count"), "1", "{id}");
    }
    // Every record was delivered: nothing went to the dead-letter file.
    assert!(!stack.dir.path().join("dead-letter.jsonl").exists());
    // The relay handed the handler real batches (several records in one invocation).
    assert!(stack.log("relay").contains("batch handed to the handler"));

    // down: no process of the stack remains, and a second down is harmless.
    assert!(stack.script(&["down"]).status.success());
    for (name, pid) in &first {
        assert!(!alive(*pid), "{name} (pid {pid}) still running after down");
    }
    assert!(stack.script(&["down"]).status.success());
    assert!(
        !stack.script(&["status"]).status.success(),
        "status must fail when stopped"
    );

    // A stale pid file whose pid now belongs to another program: `down` leaves that program alone.
    let mut stranger = Command::new("sleep").arg("30").spawn().unwrap();
    std::fs::write(stack.dir.path().join("moto.pid"), stranger.id().to_string()).unwrap();
    assert!(stack.script(&["down"]).status.success());
    assert!(
        alive(stranger.id() as i32),
        "down killed a process it did not start"
    );
    let _ = stranger.kill();
    let _ = stranger.wait();
}

/// The relay killed (SIGKILL) in the middle of a burst of a hundred records and started again by
/// `up`, which starts only what is not running. The service's sweep is set to an hour, so every
/// record is done because the relay delivered it: all complete, each claimed once (what the
/// restarted relay delivers again from the stream's start is already final or queued), none is
/// processed again, nothing goes to the dead-letter file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_killed_mid_batch_and_restarted_delivers_every_record_once() {
    let mut stack = Stack::new();
    stack.env.push(("SWEEP_INTERVAL_SECS", "3600"));
    assert!(stack.script(&["up"]).status.success(), "up failed");
    let first = stack.pids();
    let (s3, ddb) = stack.clients().await;
    let (bucket, table) = (
        "document-processor-documents-local",
        "document-processor-results",
    );
    let bytes = std::fs::read(repo_root().join("samples/invoice.pdf")).unwrap();
    s3.put_object()
        .bucket(bucket)
        .key("relay/invoice.pdf")
        .body(bytes.into())
        .send()
        .await
        .unwrap();
    let ids: Vec<String> = (0..100).map(|i| format!("relay-{i:03}")).collect();
    insert_pending(&ddb, table, bucket, &ids, |_| "relay/invoice.pdf".into()).await;
    // Killed once the relay is delivering and a tenth are done.
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let done = states(&ddb, table, &ids)
            .await
            .iter()
            .filter(|s| s[0] == "completed")
            .count();
        if done >= 10 && stack.log("relay").contains("batch received") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "relay log:\n{}",
            stack.log("relay")
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let relay = first.iter().find(|(n, _)| n == "relay").unwrap().1;
    let killed = Command::new("kill")
        .args(["-KILL", "--", &format!("-{relay}")])
        .status()
        .unwrap();
    assert!(killed.success());
    let killed_at = Instant::now();
    while alive(relay) {
        assert!(
            killed_at.elapsed() < Duration::from_secs(10),
            "relay still alive"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let before = states(&ddb, table, &ids).await;
    let open = before.iter().filter(|s| s[0] != "completed").count();
    assert!(
        open > 0,
        "all done before the kill: the test would prove nothing"
    );
    assert!(stack.script(&["up"]).status.success(), "second up failed");
    let second = stack.pids();
    for (name, pid) in &first {
        let now = second.iter().find(|(n, _)| n == name).unwrap().1;
        if name == "relay" {
            assert_ne!(now, *pid, "the relay was started again");
        } else {
            assert_eq!(now, *pid, "{name} was left running");
        }
    }
    let deadline = Instant::now() + Duration::from_secs(300);
    // The service stays up through it all: /health is asked at every poll.
    let health = format!("http://127.0.0.1:{}/health", stack.service_port);
    let (mut asked, mut unhealthy) = (0, 0);
    let after = loop {
        asked += 1;
        let ok = Command::new("curl")
            .args(["-fsS", "-o", "/dev/null", "--max-time", "2", &health])
            .status()
            .is_ok_and(|s| s.success());
        unhealthy += u32::from(!ok);
        let now = states(&ddb, table, &ids).await;
        if now.iter().all(|s| s[0] == "completed" || s[0] == "failed") {
            break now;
        }
        assert!(
            Instant::now() < deadline,
            "not final: {:?}\nrelay log:\n{}",
            ids.iter()
                .zip(&now)
                .filter(|(_, s)| s[0] != "completed")
                .collect::<Vec<_>>(),
            stack.log("relay")
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let all_done = killed_at.elapsed();
    for ((id, was), now) in ids.iter().zip(&before).zip(&after) {
        assert_eq!(now[0], "completed", "{id}: {now:?}");
        assert_eq!(now[1], "1", "{id} was claimed more than once");
        if was[0] == "completed" {
            assert_eq!(now[2], was[2], "{id} was processed again");
        }
    }
    assert!(
        !stack.dir.path().join("dead-letter.jsonl").exists(),
        "records went to the dead-letter file"
    );
    assert_eq!(unhealthy, 0, "/health failed {unhealthy} of {asked} times");
    eprintln!(
        "FAULT relay: killed with {open} of 100 not yet completed; restarted, it read the stream again from its start; all 100 completed {:.1} s after the kill, each claimed once; /health {asked} times, all 200",
        all_done.as_secs_f64()
    );
}
