//! Shutdown, a frozen emulator and a caller hanging up mid-claim: no record is left `processing`,
//! none is lost (faults.rs: the stack's faults with a hundred documents in flight).

mod common;

use common::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_with_work_in_flight_hands_every_lease_back() {
    let Some(dir) = corpus() else { return };
    let moto = Moto::shared();
    let aws = Aws::create(&moto.endpoint).await;
    let long = "in/scan_long_20p.pdf";
    aws.upload(long, std::fs::read(dir.join("scan_long_20p.pdf")).unwrap())
        .await;
    let ids = ["term-a", "term-b", "term-c"];
    let service = ServiceProcess::start(&aws, &moto.endpoint, &["--shutdown-grace-secs", "1"]);
    for id in ids {
        aws.insert_pending(id, long, "pdf").await;
        assert_eq!(
            post_at(&service.base, &aws.record(id, long, "pdf")).await,
            202
        );
    }
    // Wait until a document is being worked on, then stop the task as ECS does.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let mut busy = false;
        for id in ids {
            busy |= status_of(&aws, id).await == "processing";
        }
        if busy {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no document was claimed: {}",
            service.log_text()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    service.signal(libc::SIGTERM);
    let started = Instant::now();
    let mut service = service;
    loop {
        if let Some(status) = service.child.try_wait().unwrap() {
            assert!(status.success(), "exit {status:?}: {}", service.log_text());
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "did not stop: {}",
            service.log_text()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for id in ids {
        let status = status_of(&aws, id).await;
        assert_eq!(
            status,
            "pending",
            "{id} after shutdown: {}",
            service.log_text()
        );
    }
    // Another task picks them all up (the sweep finds them; no redelivery needed).
    let next = TestApp::spawn_on(aws.clone(), &["--workers", "2"]).await;
    for id in ids {
        let v = next.wait_final(id, Duration::from_secs(300)).await;
        assert_eq!(v["status"], "completed", "{v}");
        assert_eq!(v["attempts"], 1, "a handed-back claim is not counted: {v}");
    }
    next.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_frozen_emulator_mid_batch_leaves_nothing_stuck() {
    let Some(dir) = corpus() else { return };
    // Its own moto: it is frozen (SIGSTOP) and thawed (SIGCONT), keeping its state, like an outage.
    let moto = Moto::start();
    let aws = Aws::create(&moto.endpoint).await;
    let names = [
        "img_letter_01.jpg",
        "bd_invoice_01.pdf",
        "scan_invoice_01.pdf",
        "img_report_01.png",
        "missing.pdf",
    ];
    for name in &names[..4] {
        aws.upload(
            &format!("in/{name}"),
            std::fs::read(dir.join(name)).unwrap(),
        )
        .await;
    }
    let service = ServiceProcess::start(&aws, &moto.endpoint, &[]);
    for name in names {
        aws.insert_pending(name, &format!("in/{name}"), "pdf").await;
        assert_eq!(
            post_at(
                &service.base,
                &aws.record(name, &format!("in/{name}"), "pdf")
            )
            .await,
            202
        );
    }
    moto.signal(libc::SIGSTOP);
    tokio::time::sleep(Duration::from_secs(25)).await;
    moto.signal(libc::SIGCONT);
    let deadline = Instant::now() + Duration::from_secs(240);
    for name in names {
        loop {
            let status = status_of(&aws, name).await;
            if status == "completed" || status == "failed" {
                let item = aws.item(name).await.unwrap();
                if status == "failed" {
                    assert!(
                        item.contains_key("error_code"),
                        "{name}: failed without a code"
                    );
                }
                if name == "missing.pdf" {
                    assert_eq!(status, "failed");
                } else {
                    assert_eq!(status, "completed", "{name}: {item:?}");
                }
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{name} stuck in {status}: {}",
                service.log_text()
            );
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}

/// A caller that hangs up while its record's claim is on its way to DynamoDB (a relay killed
/// mid-batch, a client's timeout): the claim is applied all the same, so the document must still be
/// queued and processed, once; without the sweep nothing else would ever pick it up. Every answer
/// of DynamoDB and S3 comes a second late through a proxy, and the caller gives up after a quarter
/// of that.
#[tokio::test(flavor = "multi_thread")]
async fn a_caller_hanging_up_during_the_claim_leaves_nothing_stuck() {
    let moto = Moto::shared();
    let aws = Aws::create(&moto.endpoint).await;
    let key = "in/invoice.pdf";
    aws.upload(
        key,
        std::fs::read(repo_root().join("samples/invoice.pdf")).unwrap(),
    )
    .await;
    let slow = slow_answers(&moto.endpoint, Duration::from_secs(1)).await;
    let service = ServiceProcess::start(&aws, &slow, &["--sweep-interval-secs", "3600"]);
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(250))
        .build()
        .unwrap();
    let ids = ["hang-up-a", "hang-up-b", "hang-up-c"];
    for id in ids {
        aws.insert_pending(id, key, "pdf").await;
        let sent = impatient
            .post(format!("{}/process", service.base))
            .bearer_auth(API_KEY)
            .json(&aws.record(id, key, "pdf"))
            .send()
            .await;
        assert!(
            sent.as_ref().is_err_and(|e| e.is_timeout()),
            "answered before the claim could be: {sent:?}"
        );
    }
    let deadline = Instant::now() + Duration::from_secs(180);
    for id in ids {
        loop {
            let item = aws.item(id).await.unwrap();
            let text = |k: &str| text_of(&item, k);
            if text("status") == "completed" {
                assert_eq!(text("attempts"), "1", "{id} claimed again: {item:?}");
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{id} left {}: {item:?}\n{}",
                text("status"),
                service.log_text()
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

/// A TCP proxy to `upstream` that holds each answer back: the first bytes of a response wait
/// `delay` after the request that asked for them. Its endpoint.
async fn slow_answers(upstream: &str, delay: Duration) -> String {
    let upstream = upstream.trim_start_matches("http://").to_string();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((inbound, _)) = listener.accept().await {
            let upstream = upstream.clone();
            tokio::spawn(async move {
                let Ok(outbound) = tokio::net::TcpStream::connect(&upstream).await else {
                    return;
                };
                let ((mut in_read, mut in_write), (mut out_read, mut out_write)) =
                    (inbound.into_split(), outbound.into_split());
                let asked = Arc::new(AtomicBool::new(false));
                let asking = asked.clone();
                let requests = async move {
                    let mut buf = vec![0u8; 64 << 10];
                    while let Ok(n @ 1..) = in_read.read(&mut buf).await {
                        asking.store(true, Ordering::SeqCst);
                        if out_write.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                    let _ = out_write.shutdown().await;
                };
                let answers = async move {
                    let mut buf = vec![0u8; 64 << 10];
                    while let Ok(n @ 1..) = out_read.read(&mut buf).await {
                        if asked.swap(false, Ordering::SeqCst) {
                            tokio::time::sleep(delay).await;
                        }
                        if in_write.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                    let _ = in_write.shutdown().await;
                };
                tokio::join!(requests, answers);
            });
        }
    });
    endpoint
}
