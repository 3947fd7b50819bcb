//! The relay's event-source-mapping behaviour on a real stream (moto's server) against a loopback
//! service that fails on purpose: the filter, redelivery from the lowest failed record only, the retry
//! limit, the dead-letter file, and a poison record that does not block the records behind it.

mod common;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, PutRequest,
    ScalarAttributeType, StreamSpecification, StreamViewType, WriteRequest,
};
use common::{aws_config_for, free_port, repo_root};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Killed(Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Requests per document id; answers from `answer(id, n)` (n = 0 for the first request of that id).
type Seen = Arc<Mutex<HashMap<String, u32>>>;

fn fake_service(answer: fn(&str, u32) -> u16) -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen: Seen = Arc::default();
    let state = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0; length];
            if reader.read_exact(&mut body).is_err() {
                continue;
            }
            let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let id = json["record"]["document_id"]
                .as_str()
                .unwrap_or("")
                .to_string();
            let n = {
                let mut seen = state.lock().unwrap();
                let count = seen.entry(id.clone()).or_insert(0);
                *count += 1;
                *count - 1
            };
            let status = answer(&id, n);
            let reason = if status == 202 {
                "Accepted"
            } else {
                "Service Unavailable"
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status} {reason}\r\nRetry-After: 0\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
            );
        }
    });
    (url, seen)
}

fn item(id: &str, status: &str) -> HashMap<String, AttributeValue> {
    [
        ("id", id),
        ("bucket", "b"),
        ("key", "k.pdf"),
        ("status", status),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), AttributeValue::S(v.to_string())))
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redelivers_failures_only_and_never_blocks_on_a_poison_record() {
    let python = repo_root().join(".local/venv/bin/python");
    assert!(
        python.exists(),
        "moto is not installed: run scripts/setup.sh"
    );
    let port = free_port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let _moto = Killed(
        Command::new(&python)
            .arg(repo_root().join("scripts/moto_server.py"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "moto did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let config = aws_config_for(port).await;
    let ddb = aws_sdk_dynamodb::Client::new(&config);
    let table = "relay-test";
    ddb.create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("id")
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("id")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::NewAndOldImages)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();

    // "flaky" fails one whole invocation (the handler tries 3 times), then succeeds;
    // "poison" never succeeds; everything else is accepted at once.
    let (service_url, seen) = fake_service(|id, n| match id {
        "flaky" if n < 3 => 503,
        "poison" => 503,
        _ => 202,
    });
    let dir = tempfile::tempdir().unwrap();
    let dead_letter = dir.path().join("dead-letter.jsonl");
    let log = dir.path().join("relay.log");
    let mut relay = Killed(
        Command::new(env!("CARGO_BIN_EXE_stream-relay"))
            .env("AWS_ENDPOINT_URL", &endpoint)
            .env("AWS_ACCESS_KEY_ID", "local")
            .env("AWS_SECRET_ACCESS_KEY", "local")
            .env("AWS_REGION", "us-east-1")
            .env("DYNAMODB_TABLE_NAME", table)
            .env("ECS_SERVICE_URL", &service_url)
            .env("REQUEST_TIMEOUT_SECS", "2")
            .env("RELAY_MAX_RETRY_ATTEMPTS", "2")
            .env("RELAY_POLL_INTERVAL_MS", "100")
            .env("RELAY_DEAD_LETTER_FILE", &dead_letter)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap(),
    );

    // One batch: a good record before the flaky one, and a record the filter drops.
    let put = |id: &str, status: &str| {
        WriteRequest::builder()
            .put_request(
                PutRequest::builder()
                    .set_item(Some(item(id, status)))
                    .build()
                    .unwrap(),
            )
            .build()
    };
    ddb.batch_write_item()
        .request_items(
            table,
            vec![
                put("first", "pending"),
                put("flaky", "pending"),
                put("done", "completed"),
            ],
        )
        .send()
        .await
        .unwrap();
    // A MODIFY of a pending record is filtered out too; then the poison, then one behind it.
    ddb.update_item()
        .table_name(table)
        .key("id", AttributeValue::S("first".into()))
        .update_expression("SET note = :n")
        .expression_attribute_values(":n", AttributeValue::S("x".into()))
        .send()
        .await
        .unwrap();
    for id in ["poison", "behind"] {
        ddb.put_item()
            .table_name(table)
            .set_item(Some(item(id, "pending")))
            .send()
            .await
            .unwrap();
    }

    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let delivered_behind = seen.lock().unwrap().contains_key("behind");
        if delivered_behind && dead_letter.exists() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not done after 60 s; seen {:?}\n{}",
            seen.lock().unwrap(),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Stopped (SIGTERM: it finishes the invocation in flight and exits) before counting, so the
    // counts are final whatever the timing.
    let term = Command::new("kill")
        .args(["-TERM", &relay.0.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let deadline = Instant::now() + Duration::from_secs(60);
    while relay.0.try_wait().unwrap().is_none() {
        assert!(
            Instant::now() < deadline,
            "the relay did not stop on SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let seen = seen.lock().unwrap().clone();
    let log_text = std::fs::read_to_string(&log).unwrap();
    // Checkpointed past what succeeded: the record before the failure was sent once, not redelivered.
    assert_eq!(seen.get("first"), Some(&1), "{seen:?}");
    // Redelivered from the failure: 3 attempts in the first invocation, success in the retry.
    assert_eq!(seen.get("flaky"), Some(&4), "{seen:?}");
    // The filter: neither the non-pending INSERT nor the MODIFY reached the handler.
    assert!(!seen.contains_key("done"), "{seen:?}");
    // The poison: once alone (bisected away from its neighbours), 1 invocation + 2 retries with 3
    // attempts each, then the dead-letter file; before that, up to two invocations with neighbours
    // (how many depends on how the records were paged, which is moto's timing).
    let poison = *seen.get("poison").unwrap();
    assert!((9..=15).contains(&poison), "{seen:?}");
    let entries: Vec<serde_json::Value> = std::fs::read_to_string(&dead_letter)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["document_ids"], serde_json::json!(["poison"]));
    assert_eq!(entries[0]["DDBStreamBatchInfo"]["batchSize"], 1);
    assert_eq!(
        entries[0]["requestContext"]["condition"],
        "RetryAttemptsExhausted"
    );
    // And the record behind it was delivered (at least once: a batch is redelivered from its lowest
    // failed record, as on AWS; the service's claim makes a second delivery harmless).
    assert!(matches!(seen.get("behind"), Some(1..=3)), "{seen:?}");
    assert!(
        log_text.contains("\"retry\":1"),
        "a retry is logged:\n{log_text}"
    );
}
