//! Batches the relay gave up on, one JSON line each, in the shape of the mapping's on-failure record
//! (`DDBStreamBatchInfo`) plus the document ids, so a user can see what was never delivered.
//! The records themselves stay `pending` in the table, where the service's sweep still finds them.

use crate::convert;
use aws_lambda_events::event::dynamodb::EventRecord;
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct DeadLetter {
    path: Option<PathBuf>,
}

impl DeadLetter {
    pub fn new(path: Option<PathBuf>) -> Self {
        DeadLetter { path }
    }

    pub fn entry(stream_arn: &str, shard_id: &str, records: &[EventRecord]) -> serde_json::Value {
        let ids: Vec<_> = records.iter().filter_map(convert::document_id).collect();
        json!({
            "requestContext": {"condition": "RetryAttemptsExhausted"},
            "timestamp": chrono::Utc::now().to_rfc3339(),
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "streamArn": stream_arn,
                "startSequenceNumber": records.first().and_then(|r| r.change.sequence_number.clone()),
                "endSequenceNumber": records.last().and_then(|r| r.change.sequence_number.clone()),
                "batchSize": records.len(),
            },
            "document_ids": ids,
        })
    }

    pub fn write(&self, stream_arn: &str, shard_id: &str, records: &[EventRecord]) {
        let entry = Self::entry(stream_arn, shard_id, records);
        tracing::error!(shard_id, entry = %entry, "retries exhausted; batch sent to the dead-letter file");
        let Some(path) = &self.path else { return };
        let line = format!("{entry}\n");
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut f| f.write_all(line.as_bytes()));
        if let Err(e) = written {
            tracing::error!(path = %path.display(), error = %e, "cannot write the dead-letter file");
        }
    }
}
