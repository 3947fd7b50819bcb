//! The job runner: a bounded queue of claimed records ([`queue`]), document workers that run each
//! one's pipeline ([`pipeline`]) under a renewed lease, a periodic sweep that re-claims what nobody
//! is working on ([`sweep`]), and a shutdown that hands unfinished work back.

pub mod pace;
pub mod pipeline;
pub mod queue;
pub mod sweep;

use crate::aws::dynamo::Store;
use crate::aws::s3::Blobs;
use crate::worker::Supervisor;
use pace::Pace;
pub use queue::{Job, JobQueue};
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

#[derive(Debug, Clone)]
pub struct RunnerSettings {
    pub queue_capacity: usize,
    /// Documents processed at once (one worker process each).
    pub concurrency: usize,
    pub max_attempts: u32,
    pub max_file_bytes: u64,
    pub allowed_buckets: Vec<String>,
    pub spool_dir: PathBuf,
    pub sweep_interval: Duration,
    /// Tesseract languages installed, for the records' `languages`.
    pub languages: Vec<String>,
    /// Longest side of the page previews stored for the viewer; 0: none are made.
    pub preview_max_side: u32,
}

pub struct Deps {
    pub store: Store,
    pub blobs: Blobs,
    pub supervisor: Arc<Supervisor>,
    pub settings: RunnerSettings,
}

/// What the runner is holding right now: queued and in-flight documents.
#[derive(Clone)]
pub struct Gauges {
    queue: JobQueue,
    in_flight: Arc<Mutex<HashSet<String>>>,
}

impl Gauges {
    pub fn queued(&self) -> usize {
        self.queue.depth()
    }
    pub fn in_flight(&self) -> usize {
        self.in_flight.lock().expect("lock").len()
    }
}

pub struct Runner {
    deps: Arc<Deps>,
    queue: JobQueue,
    rx: Arc<tokio::sync::Mutex<mpsc::Receiver<Job>>>,
    stop: watch::Sender<bool>,
    workers: Vec<JoinHandle<()>>,
    sweeper: JoinHandle<()>,
    in_flight: Arc<Mutex<HashSet<String>>>,
}

impl Runner {
    pub fn start(deps: Deps) -> (Runner, JobQueue) {
        let (queue, rx) = JobQueue::new(deps.settings.queue_capacity, deps.store.clone());
        let deps = Arc::new(deps);
        let rx = Arc::new(tokio::sync::Mutex::new(rx));
        let (stop, stop_rx) = watch::channel(false);
        let in_flight = Arc::new(Mutex::new(HashSet::new()));
        let workers = (0..deps.settings.concurrency.max(1))
            .map(|_| {
                tokio::spawn(work(
                    deps.clone(),
                    rx.clone(),
                    stop_rx.clone(),
                    in_flight.clone(),
                    queue.pace().clone(),
                ))
            })
            .collect();
        let sweeper = tokio::spawn(sweep::run(deps.clone(), queue.clone(), stop_rx));
        (
            Runner {
                deps,
                queue: queue.clone(),
                rx,
                stop,
                workers,
                sweeper,
                in_flight,
            },
            queue,
        )
    }

    /// Live counts for the metrics lines.
    pub fn gauges(&self) -> Gauges {
        Gauges {
            queue: self.queue.clone(),
            in_flight: self.in_flight.clone(),
        }
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
        let all = async {
            for h in self.workers {
                let _ = h.await;
            }
        };
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

async fn release(store: &Store, id: &str, why: &str) {
    match store.release(id, true).await {
        Ok(true) => tracing::info!(document_id = id, "lease handed back ({why})"),
        Ok(false) => {}
        Err(e) => {
            tracing::warn!(document_id = id, error = %e, "could not hand the lease back; it will expire")
        }
    }
}

/// One document slot: takes the next job, runs its pipeline, until the runner stops.
async fn work(
    deps: Arc<Deps>,
    rx: Arc<tokio::sync::Mutex<mpsc::Receiver<Job>>>,
    mut stop: watch::Receiver<bool>,
    in_flight: Arc<Mutex<HashSet<String>>>,
    pace: Arc<Pace>,
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
        let started = std::time::Instant::now();
        pipeline::run(&deps, job).await;
        pace.record(started.elapsed());
        in_flight.lock().expect("lock").remove(&id);
        if *stop.borrow() {
            break;
        }
    }
}
