//! The backlog as CloudWatch metrics, written as embedded-metric-format (EMF) lines on stdout:
//! CloudWatch Logs turns each line into metric points, with no API call and no permission. The
//! ECS service scales on them (infra/ecs.tf reads these very names; the contract test checks it).

use crate::aws::dynamo::Store;
use crate::jobs::Gauges;
use serde_json::{json, Value};
use std::io::Write;
use std::time::{Duration, SystemTime};

pub const NAMESPACE: &str = "DocumentProcessor";
/// The one dimension, and its value (the deployment's name, as in infra/).
pub const DIMENSION: (&str, &str) = ("Service", "document-processor");
/// Documents claimed by this task and waiting for a worker.
pub const QUEUE_DEPTH: &str = "QueueDepth";
/// Documents this task is extracting now.
pub const IN_FLIGHT: &str = "InFlight";
/// Records nobody is working on: pending ones and processing ones whose lease expired.
pub const DUE_RECORDS: &str = "DueRecords";
pub const NAMES: [&str; 3] = [QUEUE_DEPTH, IN_FLIGHT, DUE_RECORDS];

/// One EMF line (the spec's JSON shape: `_aws` with the metric directives, and each dimension and
/// metric as a top-level member).
pub fn emf_line(timestamp_ms: i64, queued: usize, in_flight: usize, due: Option<usize>) -> String {
    let mut values = vec![(QUEUE_DEPTH, queued), (IN_FLIGHT, in_flight)];
    if let Some(due) = due {
        values.push((DUE_RECORDS, due));
    }
    let mut line = json!({
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [[DIMENSION.0]],
                "Metrics": values.iter().map(|(name, _)| json!({"Name": name, "Unit": "Count"})).collect::<Vec<_>>(),
            }],
        },
        DIMENSION.0: DIMENSION.1,
    });
    for (name, value) in values {
        line[name] = Value::from(value);
    }
    line.to_string()
}

/// Writes a line every `every` until the task ends. A failed count of due records leaves that
/// metric out of the line (no point beats a wrong zero).
pub async fn publish(every: Duration, store: Store, gauges: Gauges) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let due = match store.count_due().await {
            Ok(n) => Some(n),
            Err(e) => {
                tracing::warn!(error = %e, "could not count the due records for the metrics");
                None
            }
        };
        let line = emf_line(
            crate::record::epoch_ms(SystemTime::now()),
            gauges.queued(),
            gauges.in_flight(),
            due,
        );
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The EMF specification's rules, checked on a line: a root `_aws` object with an integer
    /// Timestamp and CloudWatchMetrics directives; every dimension key and every metric name a
    /// root member; metric values numbers; at most 30 dimensions per set, 100 metrics per directive.
    #[test]
    fn lines_are_valid_embedded_metric_format() {
        for due in [Some(12), None] {
            let line = emf_line(1_764_374_400_000, 3, 2, due);
            assert!(!line.contains('\n'), "one line");
            let v: Value = serde_json::from_str(&line).unwrap();
            assert!(v["_aws"]["Timestamp"].is_i64());
            let directives = v["_aws"]["CloudWatchMetrics"].as_array().unwrap();
            assert_eq!(directives.len(), 1);
            let d = &directives[0];
            assert_eq!(d["Namespace"], NAMESPACE);
            let sets = d["Dimensions"].as_array().unwrap();
            for set in sets {
                let set = set.as_array().unwrap();
                assert!(set.len() <= 30);
                for key in set {
                    assert!(
                        v[key.as_str().unwrap()].is_string(),
                        "dimension {key} at the root"
                    );
                }
            }
            let metrics = d["Metrics"].as_array().unwrap();
            assert!(metrics.len() <= 100);
            for m in metrics {
                let name = m["Name"].as_str().unwrap();
                assert!(v[name].is_number(), "{name} at the root as a number");
                assert_eq!(m["Unit"], "Count");
            }
            let names: Vec<&str> = metrics
                .iter()
                .map(|m| m["Name"].as_str().unwrap())
                .collect();
            assert_eq!(names.contains(&DUE_RECORDS), due.is_some());
            assert_eq!(v[QUEUE_DEPTH], 3);
            assert_eq!(v[IN_FLIGHT], 2);
        }
    }
}
