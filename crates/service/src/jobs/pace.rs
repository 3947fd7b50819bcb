//! How soon a full queue will have room: a client told to come back in 10 s when a place frees in
//! a fraction of a second leaves the workers idle (a burst of 100 one-page PDFs through the
//! Lambda's retries ran at a tenth of the service's speed). The answer follows the documents'
//! recent times instead. Pure, apart from the shared average.

use std::sync::Mutex;
use std::time::Duration;

/// Recent documents' time in the pipeline, as an exponential moving average.
#[derive(Debug, Default)]
pub struct Pace {
    mean_secs: Mutex<Option<f64>>,
}

/// Weight of the newest document in the average: about the last ten count.
const NEWEST: f64 = 0.2;
/// What a client is told before any document has finished: unknown documents, a moderate pause.
const UNKNOWN_SECS: u64 = 2;
/// The longest pause asked for (the previous fixed answer).
const LONGEST_SECS: u64 = 10;

impl Pace {
    pub fn record(&self, took: Duration) {
        let mut mean = self.mean_secs.lock().expect("lock");
        let took = took.as_secs_f64();
        *mean = Some(match *mean {
            Some(m) => m + NEWEST * (took - m),
            None => took,
        });
    }

    /// The `Retry-After` for a full queue served by `concurrency` documents at once.
    pub fn retry_after_secs(&self, concurrency: usize) -> u64 {
        retry_after_secs(*self.mean_secs.lock().expect("lock"), concurrency)
    }
}

/// A place frees when the first of the documents in progress ends: on average after the mean
/// time over the number in progress. Whole seconds (the header's unit), at least 1.
pub fn retry_after_secs(mean_secs: Option<f64>, concurrency: usize) -> u64 {
    match mean_secs {
        None => UNKNOWN_SECS,
        Some(mean) => {
            let secs = (mean / concurrency.max(1) as f64).ceil();
            (secs as u64).clamp(1, LONGEST_SECS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_documents_ask_for_a_second() {
        assert_eq!(retry_after_secs(Some(0.15), 2), 1);
        assert_eq!(retry_after_secs(Some(0.0), 1), 1);
    }

    #[test]
    fn slow_documents_ask_for_their_share_of_a_document() {
        assert_eq!(retry_after_secs(Some(5.0), 2), 3);
        assert_eq!(retry_after_secs(Some(5.0), 1), 5);
        assert_eq!(retry_after_secs(Some(600.0), 2), LONGEST_SECS);
        assert_eq!(retry_after_secs(None, 2), UNKNOWN_SECS);
    }

    #[test]
    fn the_average_follows_recent_documents() {
        let pace = Pace::default();
        pace.record(Duration::from_secs(20));
        assert_eq!(pace.retry_after_secs(2), 10);
        for _ in 0..30 {
            pace.record(Duration::from_millis(200));
        }
        assert_eq!(pace.retry_after_secs(2), 1);
    }
}
