//! One shard, read in order: poll, filter, invoke the handler, checkpoint past what succeeded,
//! redeliver what failed (from the lowest failed record) until the retry limit.

use crate::convert;
use crate::dead_letter::DeadLetter;
use crate::mapping::{self, Next};
use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_sdk_dynamodbstreams::operation::get_records::GetRecordsError;
use aws_sdk_dynamodbstreams::types::ShardIteratorType;
use aws_sdk_dynamodbstreams::Client;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;
use trigger::forward::Forwarder;

#[derive(Debug, Clone)]
pub struct Settings {
    pub batch_size: u16,
    pub max_retry_attempts: u32,
    pub poll_interval: Duration,
    /// Split a failing batch in halves before retrying it (`bisect_batch_on_function_error`).
    pub bisect_on_error: bool,
}

pub struct ShardReader {
    pub client: Client,
    pub stream_arn: String,
    pub shard_id: String,
    pub start: ShardIteratorType,
    pub settings: Settings,
    pub forwarder: Arc<Forwarder>,
    pub dead_letter: DeadLetter,
}

impl ShardReader {
    /// Returns when the shard is closed and read to its end, or the stream is gone.
    pub async fn run(self) {
        let mut iterator: Option<String> = None;
        // Sequence number of the last record taken off the shard: the checkpoint a new
        // iterator restarts after (records are handled before the next fetch).
        let mut checkpoint: Option<String> = None;
        let mut errors = 0u32;
        let mut announced = false;
        loop {
            let it = match iterator.take() {
                Some(it) => it,
                None => match self.new_iterator(checkpoint.as_deref()).await {
                    Ok(it) => {
                        // Logged once the position is held (scripts wait for this line).
                        if !announced {
                            tracing::info!(shard_id = %self.shard_id, start = %self.start.as_str(), "relay reading shard");
                            announced = true;
                        }
                        it
                    }
                    Err(Stop::Gone) => return,
                    Err(Stop::Transient(e)) => {
                        errors += 1;
                        tracing::warn!(shard_id = %self.shard_id, error = %e, "cannot get a shard iterator");
                        tokio::time::sleep(backoff(errors)).await;
                        continue;
                    }
                },
            };
            let page = match self
                .client
                .get_records()
                .shard_iterator(&it)
                .limit(i32::from(self.settings.batch_size))
                .send()
                .await
            {
                Ok(page) => page,
                Err(e) => {
                    match e.as_service_error() {
                        Some(GetRecordsError::ResourceNotFoundException(_)) => {
                            tracing::info!(shard_id = %self.shard_id, "stream gone; shard reader stops");
                            return;
                        }
                        // Both need a fresh iterator; a trimmed checkpoint restarts at the oldest record.
                        Some(GetRecordsError::ExpiredIteratorException(_)) => {}
                        Some(GetRecordsError::TrimmedDataAccessException(_)) => checkpoint = None,
                        _ => {
                            errors += 1;
                            tracing::warn!(shard_id = %self.shard_id, error = %aws_sdk_dynamodbstreams::error::DisplayErrorContext(&e), "GetRecords failed");
                            tokio::time::sleep(backoff(errors)).await;
                            iterator = Some(it);
                        }
                    }
                    continue;
                }
            };
            errors = 0;
            let next = page.next_shard_iterator;
            let records = page.records.unwrap_or_default();
            if let Some(last) = records.last().and_then(|r| r.dynamodb.as_ref()) {
                checkpoint = last.sequence_number.clone().or(checkpoint);
            }
            let fetched = records.len();
            let batch: Vec<EventRecord> = records
                .into_iter()
                .map(|r| convert::event_record(r, &self.stream_arn))
                .filter(mapping::passes_filter)
                .collect();
            if !batch.is_empty() {
                let first_id = batch.first().and_then(convert::document_id).unwrap_or("");
                tracing::info!(shard_id = %self.shard_id, records = batch.len(), first_id, "batch received");
                self.deliver(batch).await;
            }
            match next {
                None => {
                    tracing::info!(shard_id = %self.shard_id, "shard closed and read to its end");
                    return;
                }
                Some(next) => iterator = Some(next),
            }
            // A full page means more is waiting: poll again at once.
            if fetched < usize::from(self.settings.batch_size) {
                tokio::time::sleep(self.settings.poll_interval).await;
            }
        }
    }

    async fn new_iterator(&self, after: Option<&str>) -> Result<String, Stop> {
        let request = self
            .client
            .get_shard_iterator()
            .stream_arn(&self.stream_arn)
            .shard_id(&self.shard_id);
        let request = match after {
            Some(seq) => request
                .shard_iterator_type(ShardIteratorType::AfterSequenceNumber)
                .sequence_number(seq),
            None => request.shard_iterator_type(self.start.clone()),
        };
        match request.send().await {
            Ok(out) => out.shard_iterator.ok_or(Stop::Gone),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception()) =>
            {
                Err(Stop::Gone)
            }
            Err(e) => Err(Stop::Transient(
                aws_sdk_dynamodbstreams::error::DisplayErrorContext(&e).to_string(),
            )),
        }
    }

    /// Invokes the handler until the batch succeeds or the retries run out. After a failure the
    /// records before the lowest failed one are done (checkpointed); the rest is retried, split in
    /// halves first when bisecting (a split does not count as a retry, as on AWS), so a poison
    /// record ends up alone and only it goes to the dead-letter file.
    async fn deliver(&self, batch: Vec<EventRecord>) {
        let mut work: VecDeque<(Vec<EventRecord>, u32)> = VecDeque::from([(batch, 0)]);
        while let Some((batch, retries)) = work.pop_front() {
            let lag_ms = batch
                .iter()
                .map(|r| {
                    (chrono::Utc::now() - r.change.approximate_creation_date_time)
                        .num_milliseconds()
                })
                .max()
                .unwrap_or(0);
            let mut event = Event::default();
            event.records = batch.clone();
            let response = trigger::handle(event, &self.forwarder).await;
            let failed = response.batch_item_failures.len();
            tracing::info!(
                shard_id = %self.shard_id,
                records = batch.len(),
                failed,
                retry = retries,
                lag_ms,
                "batch handed to the handler"
            );
            match mapping::after_invocation(
                &batch,
                &response,
                retries,
                self.settings.max_retry_attempts,
            ) {
                Next::Advance => {}
                Next::Retry { from } => {
                    let mut rest = batch;
                    rest.drain(..from);
                    if self.settings.bisect_on_error && rest.len() > 1 {
                        let second = rest.split_off(rest.len() / 2);
                        work.push_front((second, retries));
                        work.push_front((rest, retries));
                    } else {
                        tokio::time::sleep(backoff(retries + 1)).await;
                        work.push_front((rest, retries + 1));
                    }
                }
                Next::GiveUp { from } => {
                    self.dead_letter
                        .write(&self.stream_arn, &self.shard_id, &batch[from..]);
                }
            }
        }
    }
}

enum Stop {
    Gone,
    Transient(String),
}

/// 0.5 s, 1 s, 2 s, ... capped at 10 s.
fn backoff(n: u32) -> Duration {
    Duration::from_millis(500u64.saturating_mul(1 << n.saturating_sub(1).min(5)))
        .min(Duration::from_secs(10))
}
