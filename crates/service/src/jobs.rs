//! The job runner: a bounded queue of claimed records, document workers that download, process and
//! write back under a renewed lease, a periodic sweep that re-claims what nobody is working on, and
//! a shutdown that hands unfinished work back.

use crate::aws::dynamo::{Claim, ClaimRequest, Store, StoreError};
use crate::aws::s3::{BlobError, Blobs};
use crate::record::{self, DocumentItem, Outcome, TOO_MANY_ATTEMPTS};
use processor::{Engine, ErrorCode, Input};
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

pub struct Job {
    pub item: DocumentItem,
    /// `?wait=true` callers get the final item here.
    pub reply: Option<oneshot::Sender<DocumentItem>>,
    /// Renews the claim from the moment the record is queued: a record waiting behind others
    /// must not look abandoned to the sweep. Dropping the job stops the renewal.
    _lease: LeaseGuard,
}

struct LeaseGuard(tokio::task::AbortHandle);

impl Drop for LeaseGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[derive(Debug, Clone)]
pub struct RunnerSettings {
    pub queue_capacity: usize,
    /// Documents processed at once (each one uses the engine's OCR pool).
    pub concurrency: usize,
    pub max_attempts: u32,
    pub max_file_bytes: u64,
    pub allowed_buckets: Vec<String>,
    pub spool_dir: PathBuf,
    pub sweep_interval: Duration,
}

pub struct Deps {
    pub store: Store,
    pub blobs: Blobs,
    pub engine: Arc<Engine>,
    pub settings: RunnerSettings,
}

/// The sending side, shared with the HTTP handlers.
#[derive(Clone)]
pub struct JobQueue {
    tx: mpsc::Sender<Job>,
    capacity: usize,
    store: Store,
}

impl JobQueue {
    /// A place in the queue, taken before the record is claimed, so that a full queue answers 503
    /// and leaves the record pending.
    pub fn try_reserve(&self) -> Option<mpsc::OwnedPermit<Job>> {
        self.tx.clone().try_reserve_owned().ok()
    }
    /// Queues a claimed record in the place reserved for it, and starts renewing its lease.
    pub fn enqueue(
        &self,
        permit: mpsc::OwnedPermit<Job>,
        item: DocumentItem,
        reply: Option<oneshot::Sender<DocumentItem>>,
    ) {
        let renewal = tokio::spawn(renew_lease(self.store.clone(), item.id.clone()));
        permit.send(Job {
            item,
            reply,
            _lease: LeaseGuard(renewal.abort_handle()),
        });
    }

    pub fn depth(&self) -> usize {
        self.capacity - self.tx.capacity()
    }
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

pub struct Runner {
    deps: Arc<Deps>,
    rx: Arc<tokio::sync::Mutex<mpsc::Receiver<Job>>>,
    stop: watch::Sender<bool>,
    workers: Vec<JoinHandle<()>>,
    sweeper: JoinHandle<()>,
    in_flight: Arc<Mutex<HashSet<String>>>,
}

impl Runner {
    pub fn start(deps: Deps) -> (Runner, JobQueue) {
        let capacity = deps.settings.queue_capacity.max(1);
        let (tx, rx) = mpsc::channel(capacity);
        let queue = JobQueue {
            tx,
            capacity,
            store: deps.store.clone(),
        };
        let deps = Arc::new(deps);
        let rx = Arc::new(tokio::sync::Mutex::new(rx));
        let (stop, stop_rx) = watch::channel(false);
        let in_flight = Arc::new(Mutex::new(HashSet::new()));
        let workers = (0..deps.settings.concurrency.max(1))
            .map(|_| {
                tokio::spawn(worker(
                    deps.clone(),
                    rx.clone(),
                    stop_rx.clone(),
                    in_flight.clone(),
                ))
            })
            .collect();
        let sweeper = tokio::spawn(sweep(deps.clone(), queue.clone(), stop_rx));
        (
            Runner {
                deps,
                rx,
                stop,
                workers,
                sweeper,
                in_flight,
            },
            queue,
        )
    }

    /// Stops taking work, lets documents in progress finish within `grace`, and hands back
    /// (status pending) whatever is queued or still unfinished, so another task picks it up.
    pub async fn shutdown(self, grace: Duration) {
        let _ = self.stop.send(true);
        self.sweeper.abort();
        {
            let mut rx = self.rx.lock().await;
            rx.close();
            while let Ok(job) = rx.try_recv() {
                release(&self.deps.store, &job.item.id, "queued at shutdown").await;
            }
        }
        let all = futures_join(self.workers);
        if tokio::time::timeout(grace, all).await.is_err() {
            let ids: Vec<String> = self
                .in_flight
                .lock()
                .expect("lock")
                .iter()
                .cloned()
                .collect();
            for id in ids {
                release(
                    &self.deps.store,
                    &id,
                    "unfinished at the end of the shutdown grace period",
                )
                .await;
            }
        }
    }
}

async fn futures_join(handles: Vec<JoinHandle<()>>) {
    for h in handles {
        let _ = h.await;
    }
}

async fn release(store: &Store, id: &str, why: &str) {
    match store.release(id, true).await {
        Ok(true) => tracing::info!(document_id = id, "lease handed back ({why})"),
        Ok(false) => {}
        Err(e) => {
            tracing::warn!(document_id = id, error = %e, "could not hand the lease back; it will expire")
        }
    }
}

async fn worker(
    deps: Arc<Deps>,
    rx: Arc<tokio::sync::Mutex<mpsc::Receiver<Job>>>,
    mut stop: watch::Receiver<bool>,
    in_flight: Arc<Mutex<HashSet<String>>>,
) {
    loop {
        let job = {
            let mut rx = rx.lock().await;
            tokio::select! {
                job = rx.recv() => job,
                _ = stop.changed() => None,
            }
        };
        let Some(job) = job else { break };
        let id = job.item.id.clone();
        in_flight.lock().expect("lock").insert(id.clone());
        run_job(&deps, job).await;
        in_flight.lock().expect("lock").remove(&id);
        if *stop.borrow() {
            break;
        }
    }
}

/// Why a document could not be finished now: it goes back to pending for a later try.
struct Retry(String);

async fn run_job(deps: &Deps, job: Job) {
    let id = job.item.id.clone();
    let started = Instant::now();
    let attempts = job.item.attempts.unwrap_or(1);
    let outcome = if attempts > deps.settings.max_attempts {
        Ok(Outcome::failed(
            TOO_MANY_ATTEMPTS,
            &format!(
                "claimed {attempts} times, over the limit of {}",
                deps.settings.max_attempts
            ),
            0,
        ))
    } else {
        process(deps, &job.item).await
    };
    match outcome {
        Ok(outcome) => {
            let ms = started.elapsed().as_millis() as u64;
            let outcome = Outcome {
                processing_ms: ms,
                ..outcome
            };
            tracing::info!(document_id = %id, status = outcome.status, error_code = ?outcome.error_code,
                pages = outcome.page_count, processing_ms = ms, "document finished");
            write_outcome(deps, &job.item, outcome).await;
        }
        Err(Retry(why)) => {
            tracing::warn!(document_id = %id, reason = %why, "document handed back for a later try");
            // The claim stays counted: a document that always fails this way ends too_many_attempts.
            if let Err(e) = deps.store.release(&id, false).await {
                tracing::warn!(document_id = %id, error = %e, "could not hand the lease back; it will expire");
            }
        }
    }
    if let Some(reply) = job.reply {
        let item = deps.store.get(&id).await.ok().flatten().unwrap_or(job.item);
        let _ = reply.send(item);
    }
}

async fn renew_lease(store: Store, id: String) {
    let every = store.lease() / 3;
    loop {
        tokio::time::sleep(every).await;
        match store.renew(&id).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(document_id = %id, "lease lost: another task owns the document now");
                return;
            }
            Err(e) => {
                tracing::warn!(document_id = %id, error = %e, "lease renewal failed; retrying")
            }
        }
    }
}

async fn process(deps: &Deps, item: &DocumentItem) -> Result<Outcome, Retry> {
    let (Some(bucket), Some(key)) = (item.bucket.as_deref(), item.key.as_deref()) else {
        return Ok(Outcome::failed(
            ErrorCode::NotFound.as_str(),
            "the record has no bucket or key",
            0,
        ));
    };
    let allowed = &deps.settings.allowed_buckets;
    if !allowed.is_empty() && !allowed.iter().any(|b| b == bucket) {
        return Ok(Outcome::failed(
            ErrorCode::AccessDenied.as_str(),
            &format!("bucket {bucket} is not one this service may read"),
            0,
        ));
    }
    let spool = tempfile::Builder::new()
        .prefix("document-")
        .tempfile_in(&deps.settings.spool_dir)
        .map_err(|e| Retry(format!("cannot create a spool file: {e}")))?;
    let path = spool.path().to_path_buf();
    match deps
        .blobs
        .download(bucket, key, &path, deps.settings.max_file_bytes)
        .await
    {
        Ok(_) => {}
        Err(BlobError::NotFound { bucket, key }) => {
            return Ok(Outcome::failed(
                "not_found",
                &format!("s3://{bucket}/{key} does not exist"),
                0,
            ))
        }
        Err(BlobError::AccessDenied { bucket, key }) => {
            return Ok(Outcome::failed(
                "access_denied",
                &format!("access to s3://{bucket}/{key} is denied"),
                0,
            ))
        }
        Err(e @ BlobError::TooLarge { .. }) => {
            return Ok(Outcome::failed("too_large", &e.to_string(), 0))
        }
        Err(e @ BlobError::Rejected(_)) => {
            return Ok(Outcome::failed("internal", &e.to_string(), 0))
        }
        Err(e) => return Err(Retry(e.to_string())),
    }
    let engine = deps.engine.clone();
    let hint = item.file_type.clone();
    let result = tokio::task::spawn_blocking(move || {
        let result = engine.process_input(Input::File(&path), hint.as_deref(), &|_| {});
        drop(spool);
        result
    })
    .await
    .map_err(|e| Retry(format!("the processing task failed: {e}")))?;
    Ok(Outcome::from_result(result, 0))
}

/// Stores the outcome, retrying transient errors with backoff (an emulator or region hiccup must not
/// leave the record processing). Gives up after ~2 minutes: the lease then expires and the sweep
/// re-claims the record.
async fn write_outcome(deps: &Deps, item: &DocumentItem, outcome: Outcome) {
    let id = &item.id;
    let mut delay = Duration::from_millis(250);
    let deadline = Instant::now() + Duration::from_secs(120);
    let result_key = outcome.offload.as_ref().map(|_| record::results_key(id));
    loop {
        let attempt: Result<bool, String> = async {
            if let (Some(body), Some(rk), Some(bucket)) =
                (&outcome.offload, &result_key, &item.bucket)
            {
                deps.blobs
                    .put_json(bucket, rk, body.clone())
                    .await
                    .map_err(|e| e.to_string())?;
            }
            deps.store
                .finish(id, &outcome, result_key.as_deref())
                .await
                .map_err(|e| match e {
                    StoreError::Unavailable(m) => m,
                    other => other.to_string(),
                })
        }
        .await;
        match attempt {
            Ok(true) => return,
            Ok(false) => {
                tracing::warn!(document_id = %id, "lease lost before the result was stored; another task owns it");
                return;
            }
            Err(e) if Instant::now() < deadline => {
                tracing::warn!(document_id = %id, error = %e, "storing the result failed; retrying");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(10));
            }
            Err(e) => {
                tracing::error!(document_id = %id, error = %e, "result not stored; the lease will expire and the sweep retry it");
                return;
            }
        }
    }
}

/// Re-claims records that nobody is working on: pending ones whose stream event was lost, and
/// processing ones whose task died (lease expired). Claims only as many as the queue has room for.
async fn sweep(deps: Arc<Deps>, queue: JobQueue, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(deps.settings.sweep_interval) => {}
            _ = stop.changed() => return,
        }
        let free = queue.capacity() - queue.depth();
        if free == 0 {
            continue;
        }
        let ids = match deps.store.due(free).await {
            Ok(ids) => ids,
            Err(e) => {
                tracing::warn!(error = %e, "sweep could not read the status index");
                continue;
            }
        };
        for id in ids {
            let Some(permit) = queue.try_reserve() else {
                break;
            };
            match deps
                .store
                .claim(
                    ClaimRequest {
                        id: &id,
                        ..Default::default()
                    },
                    false,
                )
                .await
            {
                Ok(Claim::Claimed(item)) => {
                    tracing::info!(document_id = %id, attempts = ?item.attempts, "sweep claimed a waiting record");
                    queue.enqueue(permit, item, None);
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(document_id = %id, error = %e, "sweep claim failed"),
            }
        }
    }
}
