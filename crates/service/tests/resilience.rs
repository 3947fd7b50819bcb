//! Shutdown and outages: no record is left `processing`, none is lost.

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

/// A string or number attribute of an item as its text ("" when absent).
fn text_of(
    item: &std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>,
    key: &str,
) -> String {
    use aws_sdk_dynamodb::types::AttributeValue;
    match item.get(key) {
        Some(AttributeValue::S(s)) | Some(AttributeValue::N(s)) => s.clone(),
        _ => String::new(),
    }
}

/// A task SIGKILLed with a hundred documents in flight and a new one started in its place (ECS
/// replacing a task): every document ends `completed`, none is lost, those completed before the
/// kill are not processed again, an attempt is counted only for a claim that was cut off, and the
/// new task answers /health throughout.
#[tokio::test(flavor = "multi_thread")]
async fn a_task_killed_with_a_hundred_documents_in_flight_and_replaced_loses_nothing() {
    use aws_sdk_dynamodb::types::AttributeValue;
    let Some(dir) = corpus() else { return };
    let moto = Moto::start();
    let aws = Aws::create(&moto.endpoint).await;
    // Mostly quick born-digital pages, every tenth a scanned letter: some are always mid-work.
    let (quick, slow) = ("in/bd_invoice_01.pdf", "in/scan_letter_01.pdf");
    aws.upload(quick, std::fs::read(dir.join("bd_invoice_01.pdf")).unwrap())
        .await;
    aws.upload(slow, std::fs::read(dir.join("scan_letter_01.pdf")).unwrap())
        .await;
    let ids: Vec<String> = (0..100).map(|i| format!("kill-{i:03}")).collect();
    let key = |i: usize| if i % 10 == 9 { slow } else { quick };
    let args = ["--workers", "2"];
    let first = ServiceProcess::start(&aws, &moto.endpoint, &args);
    for (i, id) in ids.iter().enumerate() {
        aws.insert_pending(id, key(i), "pdf").await;
        // 202 queued, or 503 with the queue full: left pending for the sweep either way.
        let code = post_at(&first.base, &aws.record(id, key(i), "pdf")).await;
        assert!(code == 202 || code == 503, "{id}: {code}");
    }
    // Kill it once a fifth are done, with others mid-work.
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let mut done = 0;
        for id in &ids {
            done += (status_of(&aws, id).await == "completed") as usize;
        }
        if done >= 20 {
            break;
        }
        assert!(Instant::now() < deadline, "{}", first.log_text());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut first = first;
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    let killed = Instant::now();
    // What the killed task left: statuses, attempts, completion times.
    let mut before = Vec::new();
    for id in &ids {
        let item = aws.item(id).await.expect("record kept");
        let s = |k: &str| text_of(&item, k);
        before.push((s("status"), s("attempts"), s("completed_at")));
    }
    let cut_off = before.iter().filter(|b| b.0 == "processing").count();
    let finished = before.iter().filter(|b| b.0 == "completed").count();
    let second = ServiceProcess::start(&aws, &moto.endpoint, &args);
    // /health is asked every 100 ms while the new task works.
    let base = second.base.clone();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let health = tokio::spawn({
        let stop = stop.clone();
        async move {
            let http = reqwest::Client::new();
            let (mut asked, mut bad) = (0, 0);
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                asked += 1;
                let ok = http
                    .get(format!("{base}/health"))
                    .timeout(Duration::from_secs(2))
                    .send()
                    .await
                    .is_ok_and(|r| r.status() == 200);
                bad += (!ok) as u32;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            (asked, bad)
        }
    });
    let mut cut_off_back = None;
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let mut left = 0;
        let mut not_reclaimed = 0;
        for (i, id) in ids.iter().enumerate() {
            let item = aws.item(id).await.unwrap_or_default();
            left += (text_of(&item, "status") != "completed") as usize;
            // A cut-off claim is taken again (by the new task, its attempts counted) once its
            // lease has run out.
            let attempts = text_of(&item, "attempts");
            not_reclaimed += (before[i].0 == "processing" && attempts == before[i].1) as usize;
        }
        if cut_off_back.is_none() && not_reclaimed == 0 {
            cut_off_back = Some(killed.elapsed());
        }
        if left == 0 {
            break;
        }
        if Instant::now() >= deadline {
            let mut stuck = Vec::new();
            for id in &ids {
                let item = aws.item(id).await.unwrap_or_default();
                if !matches!(item.get("status"), Some(AttributeValue::S(s)) if s == "completed") {
                    stuck.push(format!("{id}: {item:?}"));
                }
            }
            panic!(
                "{left} not completed: {stuck:#?}\nthe new task: {}",
                second.log_text()
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let all_done = killed.elapsed();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (asked, bad) = health.await.unwrap();
    for (i, id) in ids.iter().enumerate() {
        let item = aws.item(id).await.unwrap();
        let s = |k: &str| text_of(&item, k);
        assert_eq!(s("status"), "completed", "{id}: {item:?}");
        let (status, attempts, completed_at) = &before[i];
        match status.as_str() {
            // Done before the kill: not processed again.
            "completed" => {
                assert_eq!(&s("completed_at"), completed_at, "{id} processed again");
                assert_eq!(&s("attempts"), attempts, "{id}");
            }
            // Cut off mid-work: that claim counted, and the one that finished it.
            "processing" => assert_eq!(s("attempts"), "2", "{id}: {item:?}"),
            // Never claimed by the killed task: one attempt.
            _ => assert_eq!(s("attempts"), "1", "{id}: {item:?}"),
        }
    }
    assert_eq!(bad, 0, "/health failed {bad} of {asked} times");
    // A cut-off claim is taken again at the first sweep after its lease (6 s, sweep 1 s) that
    // finds room in the queue, not behind the pending backlog (8-10 s here, 16 s during a
    // parallel build); room for a slow machine.
    let reclaimed = cut_off_back.expect("every cut-off claim taken again");
    assert!(
        reclaimed <= Duration::from_secs(6 + 1 + 45),
        "cut-off claims taken again only {reclaimed:?} after the kill"
    );
    eprintln!(
        "killed with {finished} completed and {cut_off} processing: those claimed again {:.1} s after the kill (lease 6 s, sweep 1 s), all 100 completed {:.1} s after it; /health {asked} times, all 200",
        cut_off_back.unwrap_or_default().as_secs_f64(),
        all_done.as_secs_f64()
    );
}
