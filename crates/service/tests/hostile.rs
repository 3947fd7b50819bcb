//! Hostile documents against the real service binary on moto: each ends `failed` with its code
//! within its deadline, five innocent documents sent beside it all complete at their first attempt,
//! and the service with its worker processes stays inside the task's 512 MB. The hostile inputs are
//! made here from first principles; crashes, hangs and runaway allocations come from the worker's
//! test-only fault switch (cargo feature `fault-injection`).

mod common;

use common::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const DEADLINE_SECS: u64 = 8;
const TASK_MB: u64 = 512;
const INNOCENTS: [&str; 5] = [
    "bd_invoice_01.pdf",
    "bd_letter_01.pdf",
    "img_invoice_01.png",
    "qr_stress_01.png",
    "bd_report_01.pdf",
];

/// A PDF from its objects' bodies (object n is `bodies[n-1]`; 1 is the catalog).
fn pdf(bodies: &[String]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in bodies.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", bodies.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            bodies.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn stream(dict: &str, data: &str) -> String {
    format!(
        "<< {dict} /Length {} >>\nstream\n{data}\nendstream",
        data.len()
    )
}

/// One page whose form XObjects draw each other: X0 draws X1 60 times, X1 draws X2 60 times, ...
/// 60^4 = 13 M leaf drawings from about 2 KB.
fn recursive_xobjects() -> Vec<u8> {
    let levels = 4;
    // 1 catalog, 2 pages, 3 page, 4 page content, 5.. forms X0..X4
    let mut bodies = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /XObject << /X0 5 0 R >> >> >>".to_string(),
        stream("", "q /X0 Do Q"),
    ];
    for level in 0..=levels {
        let body = if level < levels {
            let draws: String = (0..60)
                .map(|i| format!("q 1 0 0 1 {} {} cm /X{} Do Q ", i % 8, i / 8, level + 1))
                .collect();
            stream(
                &format!(
                    "/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /XObject << /X{} {} 0 R >> >>",
                    level + 1,
                    6 + level
                ),
                &draws,
            )
        } else {
            stream(
                "/Type /XObject /Subtype /Form /BBox [0 0 612 792]",
                "0 0 m 300 300 l 10 400 l h f 5 5 200 200 re S",
            )
        };
        bodies.push(body);
    }
    pdf(&bodies)
}

/// 200 pages sharing one content stream of 15 000 words: 3 M words from a ~50 KB file.
fn word_explosion() -> Vec<u8> {
    let pages = 200;
    let line: String = "(".to_string() + &"ab ".repeat(100) + ") '\n";
    let content = format!("BT /F1 2 Tf 5 TL 20 780 Td\n{}ET", line.repeat(150));
    // 1 catalog, 2 pages, 3 font, 4 content, 5.. pages
    let kids: String = (0..pages).map(|i| format!("{} 0 R ", 5 + i)).collect();
    let mut bodies = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        format!("<< /Type /Pages /Kids [{kids}] /Count {pages} >>"),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
        stream("", &content),
    ];
    for _ in 0..pages {
        bodies.push("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 3 0 R >> >> >>".to_string());
    }
    pdf(&bodies)
}

/// A PNG of 9500 x 9500 grey pixels in ~90 KB: under the 100 M pixel default, over what a worker
/// of a 512 MB task can hold.
fn huge_png() -> Vec<u8> {
    let img = image::GrayImage::new(9500, 9500);
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// The resident memory of a process and of each of its descendants: (pid, bytes), the root first.
fn tree_rss(root: u32) -> Vec<(u32, u64)> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // The command name may hold spaces: fields after its closing parenthesis.
        let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
            continue;
        };
        if let Some(ppid) = rest.split_whitespace().nth(1).and_then(|p| p.parse().ok()) {
            parents.push((pid, ppid));
        }
    }
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let p = tree[i];
        tree.extend(parents.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    tree.iter()
        .filter_map(|&pid| Some((pid, service::worker::supervisor::resident_bytes(pid)?)))
        .collect()
}

/// What the sampler saw: the tree's peak, the most worker processes alive at once, each
/// process's own peak.
#[derive(Default)]
struct Seen {
    peak: u64,
    most_workers: usize,
    per_process: std::collections::BTreeMap<u32, u64>,
}

/// Samples the tree's resident memory every 5 ms until dropped.
struct RssWatch {
    seen: Arc<std::sync::Mutex<Seen>>,
    stop: Arc<AtomicBool>,
}

impl RssWatch {
    fn start(pid: u32) -> RssWatch {
        let seen = Arc::new(std::sync::Mutex::new(Seen::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen2, s) = (seen.clone(), stop.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                let tree = tree_rss(pid);
                let mut seen = seen2.lock().unwrap();
                seen.peak = seen.peak.max(tree.iter().map(|(_, b)| b).sum());
                // Every process under the service is a worker (the service runs nothing else).
                // A zombie (killed, not yet reaped) holds no memory and is not counted.
                let alive = tree.iter().skip(1).filter(|(_, b)| *b > 0).count();
                seen.most_workers = seen.most_workers.max(alive);
                for (pid, bytes) in tree {
                    let e = seen.per_process.entry(pid).or_default();
                    *e = (*e).max(bytes);
                }
                drop(seen);
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        RssWatch { seen, stop }
    }
    fn peak_mb(&self) -> u64 {
        self.seen.lock().unwrap().peak >> 20
    }
    fn most_workers(&self) -> usize {
        self.seen.lock().unwrap().most_workers
    }
    /// Each process's peak in MB, the service first.
    fn per_process_mb(&self) -> Vec<(u32, u64)> {
        let seen = self.seen.lock().unwrap();
        seen.per_process
            .iter()
            .map(|(p, b)| (*p, b >> 20))
            .collect()
    }
}

impl Drop for RssWatch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The service as a 512 MB task runs it: two workers, the test's short deadline, a queue holding
/// `queue` documents.
fn task_of_512_mb(aws: &Aws, endpoint: &str, queue: usize) -> ServiceProcess {
    let (deadline, queue) = (DEADLINE_SECS.to_string(), queue.to_string());
    ServiceProcess::start(
        aws,
        endpoint,
        &[
            "--workers",
            "2",
            "--memory-limit-mb",
            &TASK_MB.to_string(),
            "--queue-capacity",
            &queue,
            "--document-timeout-secs",
            &deadline,
        ],
    )
}

/// Sends the hostile document and five innocent ones at once to a service with two workers; checks
/// the hostile one's code, the innocents' results and attempts, and the memory of the whole tree.
async fn contained(name: &str, hostile: Vec<u8>, file_type: &str, codes: &[&str]) {
    let Some(dir) = corpus() else { return };
    let moto = Moto::shared();
    let aws = Aws::create(&moto.endpoint).await;
    let key = format!("in/hostile-{name}");
    aws.upload(&key, hostile).await;
    for doc in INNOCENTS {
        aws.upload(&format!("in/{doc}"), std::fs::read(dir.join(doc)).unwrap())
            .await;
    }
    let service = task_of_512_mb(&aws, &moto.endpoint, 8);
    let rss = RssWatch::start(service.child.id());
    let hostile_id = format!("hostile-{name}");
    aws.insert_pending(&hostile_id, &key, file_type).await;
    assert_eq!(
        post_at(&service.base, &aws.record(&hostile_id, &key, file_type)).await,
        202
    );
    let sent = Instant::now();
    for (i, doc) in INNOCENTS.iter().enumerate() {
        let id = format!("innocent-{i}");
        let (k, ft) = (format!("in/{doc}"), doc.rsplit('.').next().unwrap());
        aws.insert_pending(&id, &k, ft).await;
        assert_eq!(post_at(&service.base, &aws.record(&id, &k, ft)).await, 202);
    }
    // The deadline, the kill grace and room for a slow machine.
    let v = wait_final_at(
        &service.base,
        &hostile_id,
        Duration::from_secs(DEADLINE_SECS + 60),
    )
    .await;
    assert_eq!(v["status"], "failed", "{name}: {v}");
    let code = v["error_code"].as_str().unwrap_or("");
    assert!(
        codes.contains(&code),
        "{name}: code {code:?}, expected one of {codes:?}: {v}"
    );
    assert_eq!(v["attempts"], 1, "{name}: failed at its first attempt: {v}");
    eprintln!(
        "{name}: {code} after {:.1} s: {}",
        sent.elapsed().as_secs_f64(),
        v["error_message"]
    );
    for i in 0..INNOCENTS.len() {
        let v = wait_final_at(
            &service.base,
            &format!("innocent-{i}"),
            Duration::from_secs(240),
        )
        .await;
        assert_eq!(v["status"], "completed", "{name}: innocent {i}: {v}");
        assert_eq!(v["attempts"], 1, "{name}: innocent {i}: {v}");
        assert!(
            !v["result"]["text"].as_str().unwrap_or("").is_empty()
                || !v["result"]["qr_codes"].as_array().unwrap().is_empty(),
            "{name}: innocent {i} has a result: {v}"
        );
    }
    // The service survived it all and still answers.
    let health = reqwest::get(format!("{}/health", service.base))
        .await
        .unwrap();
    assert_eq!(health.status(), 200, "{}", service.log_text());
    let peak = rss.peak_mb();
    eprintln!("{name}: peak resident memory of the service and its workers: {peak} MB");
    assert!(
        peak < TASK_MB,
        "{name}: the service and its workers used {peak} MB, over the task's {TASK_MB} MB"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn form_xobjects_that_draw_each_other_cost_one_document() {
    // Stopped once it presses its memory limit: pdfium survives its failed allocations, and a
    // worker held below its cap without that check spun on to the deadline ("timeout").
    contained("xobjects", recursive_xobjects(), "pdf", &["engine_crashed"]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_image_whose_pixels_do_not_fit_the_worker_is_refused() {
    contained("pixels", huge_png(), "png", &["image_too_large"]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_text_layer_that_explodes_in_words_is_too_large() {
    contained("words", word_explosion(), "pdf", &["too_large"]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_segfault_in_a_parser_costs_one_document() {
    contained(
        "segfault",
        b"DP-FAULT:segfault".to_vec(),
        "pdf",
        &["engine_crashed"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_abort_in_a_parser_costs_one_document() {
    contained(
        "abort",
        b"DP-FAULT:abort".to_vec(),
        "pdf",
        &["engine_crashed"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_parser_that_never_returns_is_stopped_at_the_deadline() {
    contained("hang", b"DP-FAULT:hang".to_vec(), "pdf", &["timeout"]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_allocation_without_bound_is_stopped_at_the_memory_cap() {
    contained(
        "alloc",
        b"DP-FAULT:alloc".to_vec(),
        "pdf",
        &["engine_crashed"],
    )
    .await;
}

/// Several hostile documents at once, among innocent ones: workers are lost and replaced while
/// others are at their caps. The tree, sampled every 5 ms, never holds more than its two workers
/// and never passes the task's memory.
#[tokio::test(flavor = "multi_thread")]
async fn hostile_documents_together_never_take_the_task_over_its_memory() {
    let Some(dir) = corpus() else { return };
    let moto = Moto::shared();
    let aws = Aws::create(&moto.endpoint).await;
    let hostile: Vec<(String, Vec<u8>, &str)> = vec![
        ("alloc-1".into(), b"DP-FAULT:alloc".to_vec(), "pdf"),
        ("pixels".into(), huge_png(), "png"),
        ("alloc-2".into(), b"DP-FAULT:alloc".to_vec(), "pdf"),
        ("xobjects".into(), recursive_xobjects(), "pdf"),
        ("alloc-3".into(), b"DP-FAULT:alloc".to_vec(), "pdf"),
        ("abort".into(), b"DP-FAULT:abort".to_vec(), "pdf"),
        ("alloc-4".into(), b"DP-FAULT:alloc".to_vec(), "pdf"),
    ];
    let mut docs: Vec<(String, String, String)> = Vec::new();
    for (i, (name, bytes, ft)) in hostile.into_iter().enumerate() {
        let key = format!("in/together-{name}");
        aws.upload(&key, bytes).await;
        docs.push((format!("together-{name}"), key, ft.to_string()));
        // An innocent document after each hostile one, so they are in flight together.
        if let Some(doc) = INNOCENTS.get(i) {
            let key = format!("in/{doc}");
            aws.upload(&key, std::fs::read(dir.join(doc)).unwrap())
                .await;
            let ft = doc.rsplit('.').next().unwrap().to_string();
            docs.push((format!("together-innocent-{i}"), key, ft));
        }
    }
    let service = task_of_512_mb(&aws, &moto.endpoint, 16);
    let rss = RssWatch::start(service.child.id());
    // All twelve queued at once (the queue holds 16): nothing waits for the sweep.
    for (id, key, ft) in &docs {
        aws.insert_pending(id, key, ft).await;
        assert_eq!(post_at(&service.base, &aws.record(id, key, ft)).await, 202);
    }
    // Each document may take the deadline and the kill grace, two at a time; room for a slow
    // machine on top.
    let room = Duration::from_secs((DEADLINE_SECS + 10) * docs.len() as u64 + 120);
    for (id, _, _) in &docs {
        let v = wait_final_at(&service.base, id, room).await;
        let want = if id.contains("innocent") {
            "completed"
        } else {
            "failed"
        };
        assert_eq!(v["status"], want, "{id}: {v}");
        assert_eq!(v["attempts"], 1, "{id}: {v}");
    }
    let health = reqwest::get(format!("{}/health", service.base))
        .await
        .unwrap();
    assert_eq!(health.status(), 200, "{}", service.log_text());
    let (peak, most, each) = (rss.peak_mb(), rss.most_workers(), rss.per_process_mb());
    eprintln!("together: tree peak {peak} MB, at most {most} workers at once, each process's peak (pid, MB): {each:?}");
    assert!(
        most <= 2,
        "{most} worker processes alive at once, 2 asked for: {each:?}"
    );
    // Each worker stays within its cap and the overshoot the budget allows for.
    use service::worker::budget::{Budget, BudgetSource, Sizing, CAP_OVERSHOOT_MB};
    let budget = Budget {
        total_mb: TASK_MB,
        source: BudgetSource::Setting,
    };
    let cap = Sizing::plan(budget, 2, None, 2, u64::MAX).worker_cap_mb;
    let worst = each.iter().skip(1).map(|(_, mb)| *mb).max().unwrap_or(0);
    assert!(
        worst <= cap + CAP_OVERSHOOT_MB,
        "a worker reached {worst} MB, its cap is {cap} MB (+{CAP_OVERSHOOT_MB}): {each:?}"
    );
    assert!(
        peak < TASK_MB,
        "the service and its workers used {peak} MB, over the task's {TASK_MB} MB: {each:?}"
    );
}
