//! The DynamoDB-stream Lambda: for each new `pending` record, POST it to the service's /process.
//! `handle` is a plain async function over the typed event, so the Lambda's `main`, the local
//! stream relay and the tests all call the very same code.

pub mod config;
pub mod convert;
pub mod forward;

use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use convert::Decision;
use forward::{ForwardError, Forwarder};
use futures_util::StreamExt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Records of one batch being forwarded at once.
pub const MAX_IN_FLIGHT: usize = 4;

/// What became of one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delivery {
    /// Delivered, or deliberately not sent (skipped, unsendable, refused).
    Done,
    /// Not delivered after its retries: reported for a later delivery.
    Failed,
    /// Not delivered before the invocation's time ran out (or not tried after that).
    OutOfTime,
}

/// Handles one batch with no time limit (the local relay and tests).
pub async fn handle(event: Event, forwarder: &Forwarder) -> DynamoDbEventResponse {
    handle_within(event, forwarder, None).await
}

/// Handles one batch before `deadline` (the invocation's remaining time, less a margin). Records
/// are forwarded concurrently (at most [`MAX_IN_FLIGHT`] at once, in order). Records that could
/// not be delivered are returned as `batchItemFailures` (their sequence numbers), so only they are
/// retried (`ReportBatchItemFailures`); once time runs out nothing more is sent, and the first record
/// not delivered in time is reported with every later one: the mapping retries from there.
pub async fn handle_within(
    event: Event,
    forwarder: &Forwarder,
    deadline: Option<Instant>,
) -> DynamoDbEventResponse {
    let out_of_time = AtomicBool::new(false);
    // Futures are lazy: built here, started by `buffered` at most MAX_IN_FLIGHT at a time. (Built
    // outside the stream so that no closure over borrows sits in it: the future stays Send.)
    let sends: Vec<_> = event
        .records
        .iter()
        .map(|record| deliver(record, forwarder, deadline, &out_of_time))
        .collect();
    let deliveries: Vec<Delivery> = futures_util::stream::iter(sends)
        .buffered(MAX_IN_FLIGHT)
        .collect()
        .await;
    let cut = deliveries
        .iter()
        .position(|d| *d == Delivery::OutOfTime)
        .unwrap_or(usize::MAX);
    if cut != usize::MAX {
        tracing::warn!(
            undelivered_from = cut,
            records = event.records.len(),
            "out of time: the rest of the batch is reported for retry"
        );
    }
    let failures = event
        .records
        .iter()
        .zip(&deliveries)
        .enumerate()
        .filter(|(i, (_, d))| *i >= cut || **d != Delivery::Done)
        .map(|(_, (record, _))| {
            // The type is non-exhaustive: built from its default.
            let mut failure = DynamoDbBatchItemFailure::default();
            failure.item_identifier = record.change.sequence_number.clone();
            failure
        })
        .collect();
    let mut response = DynamoDbEventResponse::default();
    response.batch_item_failures = failures;
    response
}

async fn deliver(
    record: &EventRecord,
    forwarder: &Forwarder,
    deadline: Option<Instant>,
    out_of_time: &AtomicBool,
) -> Delivery {
    if out_of_time.load(Ordering::Relaxed) {
        return Delivery::OutOfTime;
    }
    match convert::decide(record) {
        Decision::Ignore(reason) => {
            tracing::info!(event_id = %record.event_id, event = %record.event_name, reason, "skipped");
            Delivery::Done
        }
        Decision::Unsendable { id, reason } => {
            tracing::error!(event_id = %record.event_id, document_id = ?id, reason = %reason, "record cannot be sent; dropped");
            Delivery::Done
        }
        Decision::Forward(body) => match forwarder.send_until(&body, deadline).await {
            Ok(status) => {
                tracing::info!(document_id = %body.record.document_id, status, "forwarded");
                Delivery::Done
            }
            Err(e @ ForwardError::Refused { .. }) => {
                tracing::error!(document_id = %body.record.document_id, error = %e, "refused by the service; dropped");
                Delivery::Done
            }
            Err(e @ ForwardError::Retryable { .. }) => {
                tracing::warn!(document_id = %body.record.document_id, error = %e, "not delivered; reported for retry");
                Delivery::Failed
            }
            Err(e @ ForwardError::OutOfTime) => {
                tracing::warn!(document_id = %body.record.document_id, error = %e, "not delivered in time; reported for retry");
                out_of_time.store(true, Ordering::Relaxed);
                Delivery::OutOfTime
            }
        },
    }
}
