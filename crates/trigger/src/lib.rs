//! The DynamoDB-stream Lambda: for each new `pending` record, POST it to the service's /process.
//! `handle` is a plain async function over the typed event, so the Lambda's `main`, the local
//! stream relay and the tests all call the very same code.

pub mod config;
pub mod convert;
pub mod forward;

use aws_lambda_events::event::dynamodb::Event;
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use convert::Decision;
use forward::{ForwardError, Forwarder};

/// Handles one batch. Records that could not be delivered are returned as `batchItemFailures`
/// (their sequence numbers), so only they are retried (`ReportBatchItemFailures`).
pub async fn handle(event: Event, forwarder: &Forwarder) -> DynamoDbEventResponse {
    let mut failures = Vec::new();
    for record in &event.records {
        let sequence = record.change.sequence_number.clone();
        match convert::decide(record) {
            Decision::Ignore(reason) => {
                tracing::info!(event_id = %record.event_id, event = %record.event_name, reason, "skipped");
            }
            Decision::Unsendable { id, reason } => {
                tracing::error!(event_id = %record.event_id, document_id = ?id, reason = %reason, "record cannot be sent; dropped");
            }
            Decision::Forward(body) => match forwarder.send(&body).await {
                Ok(status) => {
                    tracing::info!(document_id = %body.record.document_id, status, "forwarded");
                }
                Err(e @ ForwardError::Refused { .. }) => {
                    tracing::error!(document_id = %body.record.document_id, error = %e, "refused by the service; dropped");
                }
                Err(e @ ForwardError::Retryable { .. }) => {
                    tracing::warn!(document_id = %body.record.document_id, error = %e, "not delivered; reported for retry");
                    // The type is non-exhaustive: built from its default.
                    let mut failure = DynamoDbBatchItemFailure::default();
                    failure.item_identifier = sequence;
                    failures.push(failure);
                }
            },
        }
    }
    let mut response = DynamoDbEventResponse::default();
    response.batch_item_failures = failures;
    response
}
