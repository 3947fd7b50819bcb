//! The periodic sweep: re-claims records that nobody is working on (pending ones whose stream event
//! was lost, processing ones whose task died), as many as the queue has room for.

use super::queue::JobQueue;
use super::Deps;
use crate::aws::dynamo::{Claim, ClaimRequest};
use std::sync::Arc;
use tokio::sync::watch;

pub async fn run(deps: Arc<Deps>, queue: JobQueue, mut stop: watch::Receiver<bool>) {
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
            let claim = deps
                .store
                .claim(
                    ClaimRequest {
                        id: &id,
                        ..Default::default()
                    },
                    false,
                )
                .await;
            match claim {
                Ok(Claim::Claimed(item)) => {
                    tracing::info!(document_id = %id, attempts = ?item.record.attempts, "sweep claimed a waiting record");
                    queue.enqueue(permit, item, None);
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(document_id = %id, error = %e, "sweep claim failed"),
            }
        }
    }
}
