//! POST to the service with a timeout and bounded, jittered retries (connect errors, timeouts,
//! 429 and 5xx; `Retry-After` honoured). A 400/422 will never succeed and is not retried.

use api::ProcessRequest;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct ForwardConfig {
    /// `{ECS_SERVICE_URL}/process`.
    pub url: String,
    pub api_key: Option<String>,
    pub request_timeout: Duration,
    pub max_attempts: u32,
    /// First backoff; doubled each try, with full jitter, capped by `max_delay`.
    pub base_delay: Duration,
    pub max_delay: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum ForwardError {
    /// Worth another delivery later (the stream mapping retries the record).
    #[error("service unavailable after {attempts} attempts: {last}")]
    Retryable { attempts: u32, last: String },
    /// The service refused the record itself; another delivery would be refused too.
    #[error("service refused the record: HTTP {status}: {body}")]
    Refused { status: u16, body: String },
    /// The invocation's time ran out before the record was delivered.
    #[error("the invocation's time ran out before the record was delivered")]
    OutOfTime,
}

pub struct Forwarder {
    client: reqwest::Client,
    config: ForwardConfig,
}

impl Forwarder {
    pub fn new(config: ForwardConfig) -> Self {
        let client = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .connect_timeout(config.request_timeout.min(Duration::from_secs(5)))
            .build()
            .expect("HTTP client");
        Forwarder { client, config }
    }

    /// The service's HTTP status on success (202 queued, 200 already final), every attempt and
    /// pause inside `deadline` when there is one.
    pub async fn send_until(
        &self,
        body: &ProcessRequest,
        deadline: Option<Instant>,
    ) -> Result<u16, ForwardError> {
        let remaining = || deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let mut last = String::new();
        for attempt in 1..=self.config.max_attempts.max(1) {
            let mut timeout = self.config.request_timeout;
            if let Some(left) = remaining() {
                if left.is_zero() {
                    return Err(ForwardError::OutOfTime);
                }
                timeout = timeout.min(left);
            }
            let mut request = self
                .client
                .post(&self.config.url)
                .json(body)
                .timeout(timeout);
            if let Some(key) = &self.config.api_key {
                request = request.header("x-api-key", key);
            }
            let wait = match request.send().await {
                Ok(r) if r.status().is_success() => return Ok(r.status().as_u16()),
                Ok(r) if matches!(r.status().as_u16(), 400 | 413 | 422) => {
                    let status = r.status().as_u16();
                    return Err(ForwardError::Refused {
                        status,
                        body: r.text().await.unwrap_or_default(),
                    });
                }
                Ok(r) => {
                    last = format!("HTTP {}", r.status().as_u16());
                    retry_after(&r)
                }
                Err(e) => {
                    last = if e.is_timeout() {
                        format!("timeout: {e}")
                    } else {
                        format!("request failed: {e}")
                    };
                    None
                }
            };
            if attempt < self.config.max_attempts {
                let pause = wait
                    .unwrap_or_else(|| self.backoff(attempt))
                    .min(self.config.max_delay);
                if remaining().is_some_and(|left| left <= pause) {
                    return Err(ForwardError::OutOfTime);
                }
                tokio::time::sleep(pause).await;
            } else if remaining().is_some_and(|left| left.is_zero()) {
                return Err(ForwardError::OutOfTime);
            }
        }
        Err(ForwardError::Retryable {
            attempts: self.config.max_attempts,
            last,
        })
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let ceiling = self
            .config
            .base_delay
            .saturating_mul(1 << attempt.min(16))
            .min(self.config.max_delay);
        ceiling.mul_f64(fastrand::f64())
    }
}

fn retry_after(r: &reqwest::Response) -> Option<Duration> {
    let secs = r
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()?;
    Some(Duration::from_secs(secs))
}
