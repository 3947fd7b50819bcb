//! Shutdown and a frozen emulator: no record is left `processing`, none is lost (faults.rs: the
//! stack's faults with a hundred documents in flight).

mod common;

use common::*;
use std::time::{Duration, Instant};

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
