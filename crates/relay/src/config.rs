//! The relay's settings. The forwarding side (ECS_SERVICE_URL, API_KEY, REQUEST_TIMEOUT_SECS) is read
//! by the Lambda's own `trigger::config`, so the relay and the Lambda are configured the same way.

use clap::{Parser, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "stream-relay",
    version,
    about = "Local stand-in for AWS's event source mapping: polls the table's stream on the local \
             emulator and hands each batch to the dynamodb-trigger handler."
)]
pub struct RelayArgs {
    /// The table whose stream is read.
    #[arg(
        long,
        env = "DYNAMODB_TABLE_NAME",
        default_value = "document-processor-results"
    )]
    pub table: String,
    /// Records per invocation (the mapping's `batch_size`).
    #[arg(long, env = "RELAY_BATCH_SIZE", default_value_t = 100,
          value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub batch_size: u16,
    /// Retries of a failed batch before it goes to the dead-letter file (`maximum_retry_attempts`).
    #[arg(long, env = "RELAY_MAX_RETRY_ATTEMPTS", default_value_t = 5)]
    pub max_retry_attempts: u32,
    /// Split a failing batch in halves before retrying (`bisect_batch_on_function_error`).
    #[arg(long, env = "RELAY_BISECT_ON_ERROR", default_value_t = true, action = clap::ArgAction::Set)]
    pub bisect_on_error: bool,
    /// Pause between polls of a shard that had nothing new (AWS polls about 4 times a second).
    #[arg(long, env = "RELAY_POLL_INTERVAL_MS", default_value_t = 250)]
    pub poll_interval_ms: u64,
    /// Where a shard read from the start begins when the relay starts.
    #[arg(
        long,
        env = "RELAY_STARTING_POSITION",
        value_enum,
        default_value = "trim-horizon"
    )]
    pub starting_position: StartingPosition,
    /// JSON lines for batches given up on (stands in for the mapping's SQS on-failure destination).
    #[arg(long, env = "RELAY_DEAD_LETTER_FILE")]
    pub dead_letter_file: Option<PathBuf>,
}

impl RelayArgs {
    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.poll_interval_ms.max(10))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StartingPosition {
    /// Everything still in the stream: nothing inserted before the relay started is missed.
    TrimHorizon,
    /// Only what arrives from now on (the mapping's usual setting on AWS).
    Latest,
}

/// The relay reads a stream and calls the service as AWS's mapping would; pointed at real AWS it
/// would deliver every record a second time next to the real Lambda. So: local emulators only.
pub fn check_loopback(endpoint: Option<&str>) -> Result<(), String> {
    let endpoint = endpoint.filter(|e| !e.trim().is_empty()).ok_or(
        "AWS_ENDPOINT_URL is not set: the relay only runs against the local emulator \
         (on AWS the event source mapping does this job)",
    )?;
    let url =
        url::Url::parse(endpoint).map_err(|e| format!("AWS_ENDPOINT_URL {endpoint:?}: {e}"))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if loopback {
        Ok(())
    } else {
        Err(format!(
            "AWS_ENDPOINT_URL {endpoint:?} is not a loopback address: the relay only runs against the local emulator"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_endpoints() {
        assert!(check_loopback(Some("http://127.0.0.1:4566")).is_ok());
        assert!(check_loopback(Some("http://localhost:5000/")).is_ok());
        assert!(check_loopback(Some("http://[::1]:5000")).is_ok());
        assert!(check_loopback(None).is_err());
        assert!(check_loopback(Some("")).is_err());
        assert!(check_loopback(Some("https://dynamodb.us-east-1.amazonaws.com")).is_err());
        assert!(check_loopback(Some("http://10.0.0.5:4566")).is_err());
    }

    #[test]
    fn defaults_follow_the_mapping() {
        let args = RelayArgs::try_parse_from(["stream-relay"]).unwrap();
        assert_eq!(args.batch_size, 100);
        assert!(args.bisect_on_error);
        assert_eq!(args.starting_position, StartingPosition::TrimHorizon);
        assert!(RelayArgs::try_parse_from(["stream-relay", "--batch-size", "0"]).is_err());
    }
}
