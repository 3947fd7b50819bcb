//! The handler over real event JSON, against loopback HTTP servers that answer as the service can.

use aws_lambda_events::event::dynamodb::Event;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;
use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use trigger::forward::{ForwardConfig, Forwarder};

fn event(name: &str) -> Event {
    let path = format!("{}/events/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).expect("event parses")
}

/// What the fake service saw, and how it answers the n-th request (0-based).
#[derive(Clone, Default)]
struct Seen(
    Arc<Mutex<Vec<(HeaderMap, Value)>>>,
    /// Requests being answered now, and the most ever at once.
    Arc<(AtomicUsize, AtomicUsize)>,
);

async fn serve(
    answer: fn(usize, &Value) -> (StatusCode, Option<&'static str>, u64),
) -> (String, Seen) {
    let seen = Seen::default();
    let state = seen.clone();
    let app = Router::new().route(
        "/process",
        post(move |headers: HeaderMap, body: axum::Json<Value>| {
            let state = state.clone();
            async move {
                let n = {
                    let mut v = state.0.lock().unwrap();
                    v.push((headers, body.0.clone()));
                    v.len() - 1
                };
                let (status, retry_after, delay_ms) = answer(n, &body.0);
                let now = state.1 .0.fetch_add(1, Ordering::SeqCst) + 1;
                state.1 .1.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(delay_ms)).await;
                state.1 .0.fetch_sub(1, Ordering::SeqCst);
                let mut response = (status, "{}").into_response();
                if let Some(ra) = retry_after {
                    response
                        .headers_mut()
                        .insert("retry-after", ra.parse().unwrap());
                }
                response
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/process", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

fn forwarder(url: String, timeout_ms: u64, attempts: u32) -> Forwarder {
    Forwarder::new(ForwardConfig {
        url,
        api_key: Some("k".into()),
        request_timeout: Duration::from_millis(timeout_ms),
        max_attempts: attempts,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(5),
    })
}

fn failures(r: &aws_lambda_events::event::streams::DynamoDbEventResponse) -> Vec<String> {
    r.batch_item_failures
        .iter()
        .map(|f| f.item_identifier.clone().unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn aws_sample_event_sends_nothing() {
    let (url, seen) = serve(|_, _| (StatusCode::ACCEPTED, None, 0)).await;
    let r = trigger::handle(
        event("aws-sample-dynamodb-event.json"),
        &forwarder(url, 2000, 3),
    )
    .await;
    assert!(r.batch_item_failures.is_empty());
    assert!(
        seen.0.lock().unwrap().is_empty(),
        "records without status pending are not sent"
    );
}

#[tokio::test]
async fn only_pending_inserts_are_forwarded_in_the_design_shape() {
    let (url, seen) = serve(|_, _| (StatusCode::ACCEPTED, None, 0)).await;
    let r = trigger::handle(event("batch-mixed.json"), &forwarder(url, 2000, 3)).await;
    assert!(r.batch_item_failures.is_empty(), "{:?}", failures(&r));
    let seen = seen.0.lock().unwrap();
    let ids: Vec<&str> = seen
        .iter()
        .map(|(_, b)| b["record"]["document_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["doc-1", "doc-6"],
        "MODIFY, REMOVE, non-pending and bucket-less records are not sent"
    );
    let (headers, body) = &seen[0];
    assert_eq!(headers["x-api-key"], "k");
    assert_eq!(
        body,
        &serde_json::json!({"record": {"document_id": "doc-1", "bucket": "document-processor-documents-123456789012",
            "key": "uploads/doc-1.pdf", "status": "pending", "file_type": "pdf"}})
    );
}

#[tokio::test]
async fn a_503_with_retry_after_is_retried_after_the_pause() {
    let (url, seen) = serve(|n, _| {
        if n == 0 {
            (StatusCode::SERVICE_UNAVAILABLE, Some("1"), 0)
        } else {
            (StatusCode::ACCEPTED, None, 0)
        }
    })
    .await;
    let started = Instant::now();
    let r = trigger::handle(event("insert-pending.json"), &forwarder(url, 2000, 3)).await;
    assert!(r.batch_item_failures.is_empty());
    assert_eq!(seen.0.lock().unwrap().len(), 2);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After honoured"
    );
}

#[tokio::test]
async fn undeliverable_records_are_reported_by_sequence_number() {
    // doc-1 times out every time; doc-6 is accepted.
    let (url, seen) = serve(|_, body| {
        if body["record"]["document_id"] == "doc-1" {
            (StatusCode::ACCEPTED, None, 1500)
        } else {
            (StatusCode::ACCEPTED, None, 0)
        }
    })
    .await;
    let r = trigger::handle(event("batch-mixed.json"), &forwarder(url, 300, 2)).await;
    assert_eq!(failures(&r), ["101"]);
    let tries = seen
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, b)| b["record"]["document_id"] == "doc-1")
        .count();
    assert_eq!(tries, 2, "bounded retries");
}

#[tokio::test]
async fn server_errors_are_retried_and_refusals_are_not() {
    let (url, seen) = serve(|_, body| {
        if body["record"]["document_id"] == "doc-1" {
            (StatusCode::INTERNAL_SERVER_ERROR, None, 0)
        } else {
            (StatusCode::UNPROCESSABLE_ENTITY, None, 0)
        }
    })
    .await;
    let r = trigger::handle(event("batch-mixed.json"), &forwarder(url, 2000, 3)).await;
    assert_eq!(
        failures(&r),
        ["101"],
        "a 422 is dropped (logged), a 500 reported"
    );
    let seen = seen.0.lock().unwrap();
    assert_eq!(
        seen.iter()
            .filter(|(_, b)| b["record"]["document_id"] == "doc-1")
            .count(),
        3
    );
    assert_eq!(
        seen.iter()
            .filter(|(_, b)| b["record"]["document_id"] == "doc-6")
            .count(),
        1
    );
}

#[tokio::test]
async fn nothing_listening_is_a_retryable_failure() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let r = trigger::handle(
        event("insert-pending.json"),
        &forwarder(format!("http://127.0.0.1:{port}/process"), 500, 2),
    )
    .await;
    assert_eq!(failures(&r), ["100"]);
}

/// A batch of `n` pending inserts, `doc-1`..`doc-n`, sequence numbers 1..n.
fn pending_batch(n: usize) -> Event {
    let records: Vec<Value> = (1..=n)
        .map(|i| {
            serde_json::json!({
                "eventID": format!("e{i}"), "eventName": "INSERT", "eventVersion": "1.1",
                "eventSource": "aws:dynamodb", "awsRegion": "us-east-1",
                "dynamodb": {"Keys": {"id": {"S": format!("doc-{i}")}}, "SequenceNumber": i.to_string(),
                    "SizeBytes": 10, "StreamViewType": "NEW_AND_OLD_IMAGES",
                    "NewImage": {"id": {"S": format!("doc-{i}")}, "bucket": {"S": "b"},
                        "key": {"S": format!("in/{i}.pdf")}, "status": {"S": "pending"}}}
            })
        })
        .collect();
    serde_json::from_value(serde_json::json!({ "Records": records })).unwrap()
}

#[tokio::test]
async fn a_batch_with_slow_records_ends_inside_its_time_and_reports_from_the_first_failure_on() {
    // doc-4, doc-7 and doc-9 never answer in time; the others at once.
    let (url, seen) = serve(|_, body| {
        let id = body["record"]["document_id"].as_str().unwrap_or("");
        if matches!(id, "doc-4" | "doc-7" | "doc-9") {
            (StatusCode::ACCEPTED, None, 60_000)
        } else {
            (StatusCode::ACCEPTED, None, 0)
        }
    })
    .await;
    // Requests may take 20 s each, three tries: one after the other, far past the budget.
    let budget = Duration::from_secs(3);
    let started = Instant::now();
    let r = trigger::handle_within(
        pending_batch(10),
        &forwarder(url, 20_000, 3),
        Some(started + budget),
    )
    .await;
    let took = started.elapsed();
    assert!(
        took < budget + Duration::from_secs(5),
        "the handler returned after {took:?}, past its budget of {budget:?}"
    );
    let expected: Vec<String> = (4..=10).map(|i| i.to_string()).collect();
    assert_eq!(
        failures(&r),
        expected,
        "the first failure and every later record"
    );
    // Forwarded concurrently: the records before the slow one were all delivered.
    let seen = seen.0.lock().unwrap();
    for i in 1..=3 {
        let id = format!("doc-{i}");
        assert!(
            seen.iter()
                .any(|(_, b)| b["record"]["document_id"] == id.as_str()),
            "{id}"
        );
    }
}

#[tokio::test]
async fn a_batch_is_forwarded_concurrently_within_a_bound() {
    let (url, seen) = serve(|_, _| (StatusCode::ACCEPTED, None, 300)).await;
    let r = trigger::handle_within(
        pending_batch(10),
        &forwarder(url, 5_000, 1),
        Some(Instant::now() + Duration::from_secs(60)),
    )
    .await;
    assert!(failures(&r).is_empty());
    let most = seen.1 .1.load(Ordering::SeqCst);
    assert!(
        (2..=trigger::MAX_IN_FLIGHT).contains(&most),
        "{most} requests at once"
    );
    assert_eq!(seen.0.lock().unwrap().len(), 10);
}
