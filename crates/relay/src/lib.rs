//! `stream-relay`: on the local stack it stands in for AWS's event source mapping. It finds the
//! table's stream on the emulator, reads every shard in order (parents before children) and hands
//! each batch to the very same `trigger::handle` the Lambda runs.

pub mod config;
pub mod convert;
pub mod dead_letter;
pub mod mapping;
pub mod shard;

use aws_sdk_dynamodbstreams::types::{Shard, ShardIteratorType};
use aws_sdk_dynamodbstreams::Client;
use config::{RelayArgs, StartingPosition};
use dead_letter::DeadLetter;
use shard::{Settings, ShardReader};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;
use trigger::forward::Forwarder;

/// How often the stream is described again for new shards (and for a table created later).
const DISCOVERY_INTERVAL: Duration = Duration::from_secs(2);

/// Runs until `shutdown` resolves.
pub async fn run(
    client: Client,
    args: RelayArgs,
    forwarder: Forwarder,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let forwarder = Arc::new(forwarder);
    let settings = Settings {
        batch_size: args.batch_size,
        max_retry_attempts: args.max_retry_attempts,
        poll_interval: args.poll_interval(),
        bisect_on_error: args.bisect_on_error,
    };
    let dead_letter = DeadLetter::new(args.dead_letter_file.clone());
    let mut readers = JoinSet::new();
    let mut started: HashSet<(String, String)> = HashSet::new();
    let mut finished: HashSet<String> = HashSet::new();
    let mut first_stream: Option<String> = None;
    let mut waiting_logged = false;
    loop {
        while let Some(done) = readers.try_join_next() {
            if let Ok(shard_id) = done {
                finished.insert(shard_id);
            }
        }
        match discover(&client, &args.table).await {
            Ok(Some((stream_arn, shards))) => {
                // Shards of the stream found at start-up begin at the configured position;
                // shards (and streams) that appear later are read from their start.
                let initial = first_stream.get_or_insert_with(|| stream_arn.clone()) == &stream_arn
                    && started.is_empty();
                let known: HashSet<&str> = shards.iter().filter_map(|s| s.shard_id()).collect();
                for s in &shards {
                    let Some(id) = s.shard_id() else { continue };
                    if started.contains(&(stream_arn.clone(), id.to_string())) {
                        continue;
                    }
                    // Order within a key: a child waits until its parent is read to the end.
                    if let Some(parent) = s.parent_shard_id() {
                        if known.contains(parent) && !finished.contains(parent) {
                            continue;
                        }
                    }
                    let start = match (initial, args.starting_position) {
                        (true, StartingPosition::Latest) => ShardIteratorType::Latest,
                        _ => ShardIteratorType::TrimHorizon,
                    };
                    started.insert((stream_arn.clone(), id.to_string()));
                    let reader = ShardReader {
                        client: client.clone(),
                        stream_arn: stream_arn.clone(),
                        shard_id: id.to_string(),
                        start,
                        settings: settings.clone(),
                        forwarder: forwarder.clone(),
                        dead_letter: dead_letter.clone(),
                    };
                    let id = id.to_string();
                    readers.spawn(async move {
                        reader.run().await;
                        id
                    });
                }
            }
            Ok(None) => {
                if !waiting_logged {
                    tracing::info!(table = %args.table, "waiting for the table and its stream");
                    waiting_logged = true;
                }
            }
            Err(e) => tracing::warn!(table = %args.table, error = %e, "cannot describe the stream"),
        }
        tokio::select! {
            _ = &mut shutdown => break,
            _ = tokio::time::sleep(DISCOVERY_INTERVAL) => {}
        }
    }
    tracing::info!("relay stopping");
    readers.shutdown().await;
}

/// The table's newest stream and all its shards, or None while the table or stream does not exist.
async fn discover(client: &Client, table: &str) -> Result<Option<(String, Vec<Shard>)>, String> {
    let err = |e: &dyn std::fmt::Display| e.to_string();
    let streams = match client.list_streams().table_name(table).send().await {
        Ok(out) => out.streams.unwrap_or_default(),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception()) =>
        {
            return Ok(None)
        }
        Err(e) => {
            return Err(err(&aws_sdk_dynamodbstreams::error::DisplayErrorContext(
                &e,
            )))
        }
    };
    // Labels are creation timestamps: the greatest is the table's current stream.
    let Some(arn) = streams
        .iter()
        .max_by(|a, b| a.stream_label().cmp(&b.stream_label()))
        .and_then(|s| s.stream_arn())
        .map(str::to_string)
    else {
        return Ok(None);
    };
    let mut shards = Vec::new();
    let mut start: Option<String> = None;
    loop {
        let out = client
            .describe_stream()
            .stream_arn(&arn)
            .set_exclusive_start_shard_id(start.take())
            .send()
            .await
            .map_err(|e| err(&aws_sdk_dynamodbstreams::error::DisplayErrorContext(&e)))?;
        let Some(description) = out.stream_description else {
            break;
        };
        shards.extend(description.shards.unwrap_or_default());
        match description.last_evaluated_shard_id {
            Some(last) => start = Some(last),
            None => break,
        }
    }
    Ok(Some((arn, shards)))
}
