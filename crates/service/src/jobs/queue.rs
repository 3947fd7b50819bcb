//! The bounded queue of claimed records, and the lease each one keeps renewed while it waits and
//! while it is processed.

use super::pace::Pace;
use crate::aws::dynamo::Store;
use crate::record::DocumentItem;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

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

/// The sending side, shared with the HTTP handlers and the sweep.
#[derive(Clone)]
pub struct JobQueue {
    tx: mpsc::Sender<Job>,
    capacity: usize,
    store: Store,
    /// Recent documents' times: when a full queue will have room.
    pace: Arc<Pace>,
}

impl JobQueue {
    pub fn new(capacity: usize, store: Store) -> (JobQueue, mpsc::Receiver<Job>) {
        let capacity = capacity.max(1);
        let (tx, rx) = mpsc::channel(capacity);
        (
            JobQueue {
                tx,
                capacity,
                store,
                pace: Arc::default(),
            },
            rx,
        )
    }

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
    pub fn pace(&self) -> &Arc<Pace> {
        &self.pace
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
