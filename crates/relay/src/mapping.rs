//! The event source mapping's rules, as AWS applies them to a DynamoDB stream (pure, no I/O):
//! the filter in front of the Lambda, and what happens to a batch after the Lambda answered
//! (`ReportBatchItemFailures`: retry from the lowest failed record, give up after the retry limit).

use aws_lambda_events::event::dynamodb::EventRecord;
use aws_lambda_events::event::streams::DynamoDbEventResponse;

/// The Terraform `filter_criteria`: `{"eventName":["INSERT"],"dynamodb":{"NewImage":{"status":{"S":["pending"]}}}}`.
/// Records it drops are checkpointed without invoking the Lambda.
pub fn passes_filter(record: &EventRecord) -> bool {
    record.event_name == "INSERT"
        && matches!(
            record.change.new_image.get(api::attr::STATUS),
            Some(serde_dynamo::AttributeValue::S(s)) if s == api::Status::Pending.as_str()
        )
}

#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    /// Every record was handled: checkpoint past the batch.
    Advance,
    /// Invoke again with the batch from this index on (records before it are checkpointed).
    Retry { from: usize },
    /// Retries exhausted: the records from this index on go to the on-failure destination,
    /// and the shard moves on (a poison record never blocks it).
    GiveUp { from: usize },
}

/// `retries_done`: how many times this batch has already been retried (0 after the first invocation).
pub fn after_invocation(
    batch: &[EventRecord],
    response: &DynamoDbEventResponse,
    retries_done: u32,
    max_retries: u32,
) -> Next {
    let mut from: Option<usize> = None;
    for failure in &response.batch_item_failures {
        // AWS treats an empty or unknown identifier as a failure of the whole batch.
        let index = failure
            .item_identifier
            .as_deref()
            .and_then(|id| {
                batch
                    .iter()
                    .position(|r| r.change.sequence_number.as_deref() == Some(id))
            })
            .unwrap_or(0);
        from = Some(from.map_or(index, |f| f.min(index)));
    }
    match from {
        None => Next::Advance,
        Some(from) if retries_done >= max_retries => Next::GiveUp { from },
        Some(from) => Next::Retry { from },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lambda_events::event::streams::DynamoDbBatchItemFailure;

    fn record(seq: &str, event: &str, status: &str) -> EventRecord {
        let mut r = EventRecord::default();
        r.event_name = event.into();
        r.change.sequence_number = Some(seq.into());
        r.change.new_image.insert(
            "status".into(),
            serde_dynamo::AttributeValue::S(status.into()),
        );
        r
    }

    fn response(ids: &[Option<&str>]) -> DynamoDbEventResponse {
        let mut r = DynamoDbEventResponse::default();
        r.batch_item_failures = ids
            .iter()
            .map(|id| {
                let mut f = DynamoDbBatchItemFailure::default();
                f.item_identifier = id.map(str::to_string);
                f
            })
            .collect();
        r
    }

    #[test]
    fn filter_keeps_pending_inserts_only() {
        assert!(passes_filter(&record("1", "INSERT", "pending")));
        assert!(!passes_filter(&record("1", "INSERT", "completed")));
        assert!(!passes_filter(&record("1", "MODIFY", "pending")));
        assert!(!passes_filter(&record("1", "REMOVE", "pending")));
        let mut no_status = record("1", "INSERT", "pending");
        no_status.change.new_image.clear();
        assert!(!passes_filter(&no_status));
    }

    #[test]
    fn retries_from_the_lowest_failure_then_gives_up() {
        let batch: Vec<_> = ["10", "11", "12", "13"]
            .iter()
            .map(|s| record(s, "INSERT", "pending"))
            .collect();
        assert_eq!(
            after_invocation(&batch, &response(&[]), 0, 2),
            Next::Advance
        );
        let failed = response(&[Some("13"), Some("11")]);
        assert_eq!(
            after_invocation(&batch, &failed, 0, 2),
            Next::Retry { from: 1 }
        );
        assert_eq!(
            after_invocation(&batch, &failed, 1, 2),
            Next::Retry { from: 1 }
        );
        assert_eq!(
            after_invocation(&batch, &failed, 2, 2),
            Next::GiveUp { from: 1 }
        );
        // No retries at all: give up on the first failure.
        assert_eq!(
            after_invocation(&batch, &failed, 0, 0),
            Next::GiveUp { from: 1 }
        );
    }

    #[test]
    fn unknown_or_missing_identifier_fails_the_whole_batch() {
        let batch = vec![
            record("10", "INSERT", "pending"),
            record("11", "INSERT", "pending"),
        ];
        assert_eq!(
            after_invocation(&batch, &response(&[Some("99")]), 0, 3),
            Next::Retry { from: 0 }
        );
        assert_eq!(
            after_invocation(&batch, &response(&[None]), 0, 3),
            Next::Retry { from: 0 }
        );
    }
}
