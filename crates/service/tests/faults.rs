//! Faults of the stack itself with a hundred documents in flight, on real processes: the task
//! SIGKILLed and replaced (ECS replacing a task), S3 and DynamoDB unreachable for 20 s (a TCP proxy
//! between the service and moto stops forwarding), S3 answering 503 to some GETs. Each time every
//! document ends `completed`, none is lost, none is processed again after it completed, every claim
//! is counted and none twice, none stays `processing` past its lease plus one sweep, and /health
//! answers throughout. The table's stream is the witness: it holds every change of every record.

mod common;

use aws_sdk_dynamodb::types::{AttributeValue, StreamSpecification, StreamViewType};
use common::*;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const DOCS: usize = 100;
/// `serve_args`' lease and sweep interval (seconds).
const LEASE_SECS: f64 = 6.0;
const SWEEP_SECS: f64 = 1.0;
/// Room on a busy 2-core machine for a sweep that finds the queue full, on top of lease + sweep.
const SWEEP_SLACK_SECS: f64 = 30.0;

fn now_epoch() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// One record as it stood at a moment.
#[derive(Clone, Debug)]
struct Snap {
    status: String,
    attempts: String,
    completed_at: String,
}

/// A hundred documents, each under its own key (a fault that hits one object hits one document):
/// a quick born-digital invoice, every tenth a scanned letter, so some are always mid-work.
struct Flight {
    aws: Aws,
    ids: Vec<String>,
}

impl Flight {
    async fn prepare(endpoint: &str, corpus: &Path) -> Flight {
        let aws = Aws::create(endpoint).await;
        aws.ddb
            .update_table()
            .table_name(&aws.table)
            .stream_specification(
                StreamSpecification::builder()
                    .stream_enabled(true)
                    .stream_view_type(StreamViewType::NewAndOldImages)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .expect("stream on");
        let quick = std::fs::read(corpus.join("bd_invoice_01.pdf")).unwrap();
        let slow = std::fs::read(corpus.join("scan_letter_01.pdf")).unwrap();
        let ids: Vec<String> = (0..DOCS).map(|i| format!("doc-{i:03}")).collect();
        let flight = Flight { aws, ids };
        for (i, id) in flight.ids.iter().enumerate() {
            let bytes = if i % 10 == 9 { &slow } else { &quick };
            flight.aws.upload(&Self::key(id), bytes.clone()).await;
            flight.aws.insert_pending(id, &Self::key(id), "pdf").await;
        }
        flight
    }

    fn key(id: &str) -> String {
        format!("in/{id}.pdf")
    }

    /// POSTs every record: 202 queued, or 503 with the queue full (left pending for the sweep).
    /// Returns when the first was sent.
    async fn post_all(&self, base: &str) -> Instant {
        let sent = Instant::now();
        for id in &self.ids {
            let code = post_at(base, &self.aws.record(id, &Self::key(id), "pdf")).await;
            assert!(code == 202 || code == 503, "{id}: {code}");
        }
        sent
    }

    async fn snapshot(&self) -> Vec<Snap> {
        let mut snaps = Vec::new();
        for id in &self.ids {
            let item = self.aws.item(id).await.expect("record kept");
            snaps.push(Snap {
                status: text_of(&item, "status"),
                attempts: text_of(&item, "attempts"),
                completed_at: text_of(&item, "completed_at"),
            });
        }
        snaps
    }

    async fn wait_completed(&self, n: usize, log: &dyn Fn() -> String) {
        let deadline = Instant::now() + Duration::from_secs(300);
        loop {
            let done = self
                .snapshot()
                .await
                .iter()
                .filter(|s| s.status == "completed")
                .count();
            if done >= n {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{done} of {n} completed: {}",
                log()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Polls until every document is completed, checking each time that no record stays
    /// `processing` past its lease plus one sweep (counted from `up_since`, the epoch second the
    /// stack could be reached again: while it cannot, nobody can take a record back). Returns the
    /// worst overdue seen (seconds past lease + sweep) and each document's time in work as the
    /// polls saw it (last seen waiting to first seen completed).
    async fn wait_all_completed(&self, up_since: f64, log: &dyn Fn() -> String) -> Finish {
        let deadline = Instant::now() + Duration::from_secs(400);
        let mut worst: f64 = 0.0;
        // A document is in work from when it is first seen processing (else last seen waiting).
        let (mut first_in_work, mut last_waiting) = (HashMap::new(), HashMap::new());
        let mut in_work: HashMap<String, Duration> = HashMap::new();
        loop {
            let now = now_epoch();
            let mut left = Vec::new();
            for id in &self.ids {
                let item = self.aws.item(id).await.unwrap_or_default();
                let status = text_of(&item, "status");
                if status == "processing" {
                    let lease: f64 = text_of(&item, "lease_expires_at").parse().unwrap_or(0.0);
                    let overdue = now - lease.max(up_since) - SWEEP_SECS;
                    worst = worst.max(overdue);
                    assert!(
                        overdue <= SWEEP_SLACK_SECS,
                        "{id} processing {overdue:.0} s past its lease and a sweep: {item:?}\n{}",
                        log()
                    );
                }
                match status.as_str() {
                    "completed" => {
                        if !in_work.contains_key(id) {
                            let from = first_in_work.get(id).or(last_waiting.get(id));
                            let took = from.map_or(Duration::ZERO, Instant::elapsed);
                            in_work.insert(id.clone(), took);
                        }
                    }
                    "processing" => {
                        first_in_work.entry(id).or_insert_with(Instant::now);
                        left.push(format!("{id}: {item:?}"));
                    }
                    _ => {
                        last_waiting.insert(id, Instant::now());
                        left.push(format!("{id}: {item:?}"));
                    }
                }
            }
            if left.is_empty() {
                return Finish { worst, in_work };
            }
            assert!(
                Instant::now() < deadline,
                "{} not completed: {left:#?}\n{}",
                left.len(),
                log()
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Writes a marker into the table (not a document: no status): where it stands in the stream
    /// orders the records' changes before and after a moment of the test.
    async fn mark(&self, name: &str) {
        self.aws
            .ddb
            .put_item()
            .table_name(&self.aws.table)
            .item("id", AttributeValue::S(format!("marker-{name}")))
            .send()
            .await
            .expect("marker");
    }

    /// Every change of every record, in stream order, and checks what must hold whatever the
    /// fault: each document completed once and never changed after; `attempts` moves only by one
    /// claim (+1 on the way into `processing`) or one handed-back claim (-1 on the way back to
    /// `pending` at shutdown), so the final count is exactly the claims that did work.
    async fn witness(&self, endpoint: &str) -> Witness {
        let changes = stream_changes(endpoint, &self.aws).await;
        let mut claims: HashMap<String, Vec<usize>> = HashMap::new();
        let mut markers = HashMap::new();
        for (at, change) in changes.iter().enumerate() {
            if let Some(name) = change.id.strip_prefix("marker-") {
                markers.insert(name.to_string(), at);
                continue;
            }
            let (old, new) = (&change.old, &change.new);
            let n = |m: &HashMap<String, String>| -> i64 {
                m.get("attempts").and_then(|a| a.parse().ok()).unwrap_or(0)
            };
            let st = |m: &HashMap<String, String>| m.get("status").cloned().unwrap_or_default();
            assert_ne!(
                st(old),
                "completed",
                "{} changed after it completed: {change:?}",
                change.id
            );
            match n(new) - n(old) {
                0 => {}
                1 => {
                    assert_eq!(st(new), "processing", "a count without a claim: {change:?}");
                    claims.entry(change.id.clone()).or_default().push(at);
                }
                -1 => {
                    assert_eq!(
                        (st(old).as_str(), st(new).as_str()),
                        ("processing", "pending"),
                        "a count taken back other than at a handback: {change:?}"
                    );
                    claims.get_mut(&change.id).map(|c| c.pop());
                }
                d => panic!("attempts moved by {d}: {change:?}"),
            }
        }
        for id in &self.ids {
            let item = self.aws.item(id).await.unwrap();
            let made = claims.get(id).map_or(0, Vec::len);
            assert_eq!(
                text_of(&item, "attempts"),
                made.to_string(),
                "{id}: attempts is not the claims its stream shows"
            );
            let completions = changes
                .iter()
                .filter(|c| {
                    &c.id == id && c.new.get("status").map(String::as_str) == Some("completed")
                })
                .count();
            assert_eq!(completions, 1, "{id} completed {completions} times");
        }
        Witness { claims, markers }
    }
}

/// How a flight ended: the worst overdue past lease + sweep (seconds), each document's time in work.
struct Finish {
    worst: f64,
    in_work: HashMap<String, Duration>,
}

/// What a fault cost the documents still open when it struck: the time they took after it ended
/// (or after the fault, for a kill), less the time they would have taken at the rate the flight
/// completed documents before it.
fn delay(done_before: usize, before_fault: Duration, after: Duration) -> f64 {
    let rate = done_before as f64 / before_fault.as_secs_f64();
    after.as_secs_f64() - (DOCS - done_before) as f64 / rate
}

/// The median of some durations, in seconds.
fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v.get(v.len() / 2).map_or(0.0, Duration::as_secs_f64)
}

/// Claims per document (their places in the stream) and the markers' places.
struct Witness {
    claims: HashMap<String, Vec<usize>>,
    markers: HashMap<String, usize>,
}

impl Witness {
    fn claims(&self, id: &str) -> &[usize] {
        self.claims.get(id).map_or(&[], Vec::as_slice)
    }

    fn at(&self, marker: &str) -> usize {
        self.markers[marker]
    }
}

/// One change of one record, its images' string and number attributes as text.
#[derive(Debug)]
struct Change {
    id: String,
    old: HashMap<String, String>,
    new: HashMap<String, String>,
}

/// Reads the table's whole stream from its oldest record.
async fn stream_changes(endpoint: &str, aws: &Aws) -> Vec<Change> {
    use aws_sdk_dynamodbstreams::types::{AttributeValue as V, ShardIteratorType};
    let streams = aws_sdk_dynamodbstreams::Client::new(&sdk_config(endpoint).await);
    let table = aws
        .ddb
        .describe_table()
        .table_name(&aws.table)
        .send()
        .await
        .unwrap();
    let arn = table
        .table()
        .unwrap()
        .latest_stream_arn()
        .unwrap()
        .to_string();
    let stream = streams
        .describe_stream()
        .stream_arn(&arn)
        .send()
        .await
        .unwrap();
    let texts = |m: Option<HashMap<String, V>>| -> HashMap<String, String> {
        m.unwrap_or_default()
            .into_iter()
            .filter_map(|(k, v)| match v {
                V::S(s) | V::N(s) => Some((k, s)),
                _ => None,
            })
            .collect()
    };
    let mut changes = Vec::new();
    for shard in stream.stream_description().unwrap().shards() {
        let mut iterator = streams
            .get_shard_iterator()
            .stream_arn(&arn)
            .shard_id(shard.shard_id().unwrap())
            .shard_iterator_type(ShardIteratorType::TrimHorizon)
            .send()
            .await
            .unwrap()
            .shard_iterator;
        while let Some(it) = iterator {
            let page = streams
                .get_records()
                .shard_iterator(it)
                .send()
                .await
                .unwrap();
            if page.records().is_empty() {
                break;
            }
            for record in page.records.unwrap_or_default() {
                let change = record.dynamodb.unwrap();
                let keys = texts(change.keys);
                changes.push(Change {
                    id: keys.get("id").cloned().unwrap_or_default(),
                    old: texts(change.old_image),
                    new: texts(change.new_image),
                });
            }
            iterator = page.next_shard_iterator;
        }
    }
    changes
}

/// Asks `{base}/health` every 100 ms until stopped; how many asked, how many not 200.
struct HealthWatch {
    stop: Arc<AtomicBool>,
    handle: tokio::task::JoinHandle<(u32, u32)>,
}

impl HealthWatch {
    fn start(base: &str) -> HealthWatch {
        let stop = Arc::new(AtomicBool::new(false));
        let handle = tokio::spawn({
            let (stop, base) = (stop.clone(), base.to_string());
            async move {
                let http = reqwest::Client::new();
                let (mut asked, mut bad) = (0, 0);
                while !stop.load(Ordering::Relaxed) {
                    asked += 1;
                    let ok = http
                        .get(format!("{base}/health"))
                        .timeout(Duration::from_secs(2))
                        .send()
                        .await
                        .is_ok_and(|r| r.status() == 200);
                    bad += u32::from(!ok);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                (asked, bad)
            }
        });
        HealthWatch { stop, handle }
    }

    /// Stops asking; fails the test if any answer was not 200.
    async fn finish(self) -> u32 {
        self.stop.store(true, Ordering::Relaxed);
        let (asked, bad) = self.handle.await.unwrap();
        assert_eq!(bad, 0, "/health failed {bad} of {asked} times");
        asked
    }
}

/// A TCP proxy between the service and moto that can stop forwarding, as a network outage does:
/// while down, every open connection is cut (a request in flight may have reached moto, its answer
/// lost) and new connections are accepted but held unanswered; once up, held ones are forwarded.
struct TcpProxy {
    endpoint: String,
    down: tokio::sync::watch::Sender<bool>,
}

impl TcpProxy {
    async fn start(upstream: &str) -> TcpProxy {
        let upstream = upstream.trim_start_matches("http://").to_string();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let (down, watch) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let (mut watch, upstream) = (watch.clone(), upstream.clone());
                tokio::spawn(async move {
                    if watch.wait_for(|down| !*down).await.is_err() {
                        return;
                    }
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(&upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = watch.wait_for(|down| *down) => {}
                    }
                });
            }
        });
        TcpProxy { endpoint, down }
    }

    fn set_down(&self, down: bool) {
        self.down.send_replace(down);
    }
}

/// An HTTP proxy between the service and moto that answers S3's 503 SlowDown to some GETs of the
/// documents: every third such GET, and the first three of one document (more than the SDK's own
/// three attempts, so that document is handed back and claimed again). Counts the 503s per key.
#[derive(Clone)]
struct S3Throttle {
    upstream: String,
    bucket: String,
    always_first_three: String,
    gets: Arc<AtomicU32>,
    refused: Arc<Mutex<HashMap<String, u32>>>,
    http: reqwest::Client,
}

const SLOW_DOWN: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code>\
    <Message>Please reduce your request rate.</Message><RequestId>fault</RequestId></Error>";

impl S3Throttle {
    async fn start(upstream: &str, bucket: &str, always_first_three: &str) -> (String, S3Throttle) {
        let proxy = S3Throttle {
            upstream: upstream.to_string(),
            bucket: bucket.to_string(),
            always_first_three: always_first_three.to_string(),
            gets: Arc::default(),
            refused: Arc::default(),
            http: reqwest::Client::new(),
        };
        let app = axum::Router::new()
            .fallback(Self::answer)
            .with_state(proxy.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (endpoint, proxy)
    }

    fn refuse(&self, key: &str) -> bool {
        let mut refused = self.refused.lock().unwrap();
        let so_far = refused.get(key).copied().unwrap_or(0);
        let refuse = if key == self.always_first_three {
            so_far < 3
        } else {
            self.gets.fetch_add(1, Ordering::Relaxed).is_multiple_of(3)
        };
        if refuse {
            refused.insert(key.to_string(), so_far + 1);
        }
        refuse
    }

    async fn answer(
        axum::extract::State(proxy): axum::extract::State<S3Throttle>,
        request: axum::extract::Request,
    ) -> axum::response::Response {
        use axum::http::header;
        use axum::response::IntoResponse;
        let (parts, body) = request.into_parts();
        let prefix = format!("/{}/", proxy.bucket);
        if parts.method == axum::http::Method::GET {
            if let Some(key) = parts.uri.path().strip_prefix(&prefix) {
                if proxy.refuse(key) {
                    return (
                        axum::http::StatusCode::SERVICE_UNAVAILABLE,
                        [(header::CONTENT_TYPE, "application/xml")],
                        SLOW_DOWN,
                    )
                        .into_response();
                }
            }
        }
        let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        let mut forward = proxy
            .http
            .request(parts.method, format!("{}{path}", proxy.upstream))
            .body(body);
        for (name, value) in &parts.headers {
            if ![header::HOST, header::CONTENT_LENGTH, header::CONNECTION].contains(name) {
                forward = forward.header(name, value);
            }
        }
        let Ok(answer) = forward.send().await else {
            return axum::http::StatusCode::BAD_GATEWAY.into_response();
        };
        let status = answer.status();
        let mut headers = answer.headers().clone();
        for name in [
            header::CONTENT_LENGTH,
            header::TRANSFER_ENCODING,
            header::CONNECTION,
        ] {
            headers.remove(name);
        }
        let body = answer.bytes().await.unwrap_or_default();
        (status, headers, body).into_response()
    }

    fn refused(&self) -> HashMap<String, u32> {
        self.refused.lock().unwrap().clone()
    }
}

/// A task SIGKILLed with a hundred documents in flight and a new one started in its place (ECS
/// replacing a task): those completed before the kill are not processed again, an attempt is
/// counted for a claim that was cut off and for the one that finished it, and the new task answers
/// /health throughout.
#[tokio::test(flavor = "multi_thread")]
async fn a_task_killed_with_a_hundred_documents_in_flight_and_replaced_loses_nothing() {
    let Some(dir) = corpus() else { return };
    let moto = Moto::start();
    let flight = Flight::prepare(&moto.endpoint, &dir).await;
    let args = ["--workers", "2"];
    let first = ServiceProcess::start(&flight.aws, &moto.endpoint, &args);
    let sent = flight.post_all(&first.base).await;
    // Killed once a fifth are done, with others mid-work.
    flight.wait_completed(20, &|| first.log_text()).await;
    let mut first = first;
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    let killed = Instant::now();
    let before_fault = sent.elapsed();
    let up_since = now_epoch();
    let before = flight.snapshot().await;
    let cut_off = before.iter().filter(|b| b.status == "processing").count();
    let finished = before.iter().filter(|b| b.status == "completed").count();
    let second = ServiceProcess::start(&flight.aws, &moto.endpoint, &args);
    let health = HealthWatch::start(&second.base);
    // The time until every cut-off claim is taken again (its attempts moved), watched alongside.
    let reclaimed = {
        let ids = flight.ids.clone();
        let (aws, before) = (flight.aws.clone(), before.clone());
        tokio::spawn(async move {
            loop {
                let mut waiting = 0;
                for (i, id) in ids.iter().enumerate() {
                    let item = aws.item(id).await.unwrap_or_default();
                    waiting += usize::from(
                        before[i].status == "processing"
                            && text_of(&item, "attempts") == before[i].attempts,
                    );
                }
                if waiting == 0 {
                    return killed.elapsed();
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        })
    };
    let worst = flight
        .wait_all_completed(up_since, &|| second.log_text())
        .await
        .worst;
    let all_done = killed.elapsed();
    let asked = health.finish().await;
    let reclaimed = reclaimed.await.unwrap();
    flight.witness(&moto.endpoint).await;
    for (i, id) in flight.ids.iter().enumerate() {
        let item = flight.aws.item(id).await.unwrap();
        let was = &before[i];
        match was.status.as_str() {
            "completed" => {
                assert_eq!(text_of(&item, "completed_at"), was.completed_at, "{id}");
                assert_eq!(text_of(&item, "attempts"), was.attempts, "{id}");
            }
            // Cut off mid-work: that claim counted, and the one that finished it.
            "processing" => assert_eq!(text_of(&item, "attempts"), "2", "{id}: {item:?}"),
            _ => assert_eq!(text_of(&item, "attempts"), "1", "{id}: {item:?}"),
        }
    }
    // A cut-off claim is taken again at the first sweep after its lease that finds room in the
    // queue, not behind the pending backlog.
    assert!(
        reclaimed.as_secs_f64() <= LEASE_SECS + SWEEP_SECS + 45.0,
        "cut-off claims taken again only {reclaimed:?} after the kill"
    );
    eprintln!(
        "FAULT kill: {finished} completed and {cut_off} processing at the kill; those taken again {:.1} s after it (lease {LEASE_SECS} s, sweep {SWEEP_SECS} s), all {DOCS} completed {:.1} s after it, {:.1} s later than at the rate before it; worst overdue past lease + sweep {worst:.1} s; /health {asked} times, all 200",
        reclaimed.as_secs_f64(),
        all_done.as_secs_f64(),
        delay(finished, before_fault, all_done)
    );
}

/// S3 and DynamoDB unreachable for 20 s with a hundred documents in flight: requests in flight
/// are cut (some applied by moto, their answers lost), new ones hang. Nothing is lost or done
/// twice, the documents the outage did not touch are claimed once, and the service answers
/// /health throughout.
#[tokio::test(flavor = "multi_thread")]
async fn s3_and_dynamodb_unreachable_for_20_s_with_a_hundred_in_flight_loses_nothing() {
    let Some(dir) = corpus() else { return };
    let moto = Moto::start();
    let flight = Flight::prepare(&moto.endpoint, &dir).await;
    let proxy = TcpProxy::start(&moto.endpoint).await;
    let service = ServiceProcess::start(&flight.aws, &proxy.endpoint, &["--workers", "2"]);
    let health = HealthWatch::start(&service.base);
    let sent = flight.post_all(&service.base).await;
    flight.wait_completed(20, &|| service.log_text()).await;
    flight.mark("down").await;
    proxy.set_down(true);
    let before_fault = sent.elapsed();
    let before = flight.snapshot().await;
    tokio::time::sleep(Duration::from_secs(20)).await;
    proxy.set_down(false);
    let up = Instant::now();
    let up_since = now_epoch();
    flight.mark("up").await;
    let worst = flight
        .wait_all_completed(up_since, &|| service.log_text())
        .await
        .worst;
    let all_done = up.elapsed();
    let asked = health.finish().await;
    let witness = flight.witness(&moto.endpoint).await;
    let (down_at, up_at) = (witness.at("down"), witness.at("up"));
    let mut twice = 0;
    for (i, id) in flight.ids.iter().enumerate() {
        let claims = witness.claims(id);
        if before[i].status == "completed" {
            assert!(claims.iter().all(|&c| c < down_at), "{id} claimed again");
        }
        // Claimed first after the outage: nothing cut it, one claim.
        if claims.first().is_some_and(|&c| c > up_at) {
            assert_eq!(claims.len(), 1, "{id}: {claims:?}");
        }
        twice += usize::from(claims.len() > 1);
    }
    let hit = before.iter().filter(|b| b.status != "completed").count();
    eprintln!(
        "FAULT outage 20 s: {hit} documents not yet completed when S3 and DynamoDB went away; all completed {:.1} s after they came back, {:.1} s later than at the rate before (outage included); {twice} claimed twice (a claim cut by the outage); worst overdue past lease + sweep {worst:.1} s; /health {asked} times, all 200",
        all_done.as_secs_f64(),
        delay(DOCS - hit, before_fault, all_done + Duration::from_secs(20))
    );
}

/// S3 answering 503 SlowDown to some GETs of the documents: the SDK's retries absorb most, a
/// document refused more often than that is handed back and claimed again, and every document
/// ends completed, the untouched ones claimed once.
#[tokio::test(flavor = "multi_thread")]
async fn s3_answering_503_to_some_gets_loses_nothing() {
    let Some(dir) = corpus() else { return };
    let moto = Moto::start();
    let flight = Flight::prepare(&moto.endpoint, &dir).await;
    let unlucky = flight.ids[7].clone();
    let (endpoint, throttle) =
        S3Throttle::start(&moto.endpoint, &flight.aws.bucket, &Flight::key(&unlucky)).await;
    let service = ServiceProcess::start(&flight.aws, &endpoint, &["--workers", "2"]);
    let health = HealthWatch::start(&service.base);
    let started = flight.post_all(&service.base).await;
    let finish = flight
        .wait_all_completed(now_epoch(), &|| service.log_text())
        .await;
    let all_done = started.elapsed();
    let asked = health.finish().await;
    let witness = flight.witness(&moto.endpoint).await;
    let refused = throttle.refused();
    let mut hit = 0;
    let (mut slowed, mut spared) = (Vec::new(), Vec::new());
    for id in &flight.ids {
        let times = refused.get(&Flight::key(id)).copied().unwrap_or(0);
        let claims = witness.claims(id).len();
        hit += usize::from(times > 0);
        let took = finish.in_work[id];
        if times > 0 {
            slowed.push(took)
        } else {
            spared.push(took)
        }
        if *id == unlucky {
            // Three refusals use up the SDK's three attempts: handed back, claimed again.
            assert_eq!(times, 3, "{id}");
            assert_eq!(claims, 2, "{id}: handed back once, then done");
        } else if times < 3 {
            assert_eq!(claims, 1, "{id}: {times} refusals are the SDK's to retry");
        }
    }
    eprintln!(
        "FAULT S3 503: {} GETs refused over {hit} documents; all {DOCS} completed {:.1} s after they were sent; in work (median, as polled) {:.1} s for a refused document, {:.1} s for the others; the one refused three times {:.1} s; /health {asked} times, all 200",
        refused.values().sum::<u32>(),
        all_done.as_secs_f64(),
        median(slowed),
        median(spared),
        finish.in_work[&unlucky].as_secs_f64()
    );
}
