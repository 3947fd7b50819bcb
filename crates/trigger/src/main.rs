//! `dynamodb-trigger`: wires the handler to the Lambda runtime. The HTTP client is built once.

use aws_lambda_events::event::dynamodb::Event;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use trigger::forward::Forwarder;

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .without_time() // CloudWatch stamps every line
        .init();
    // Once per cold start: the key from SSM (API_KEY_PARAMETER), never kept in the environment.
    let config = trigger::config::load(|k| std::env::var(k).ok()).await?;
    let forwarder = Forwarder::new(config);
    let forwarder = &forwarder;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Event>| async move {
        let deadline = invocation_deadline(event.context.deadline);
        Ok::<_, Error>(trigger::handle_within(event.payload, forwarder, Some(deadline)).await)
    }))
    .await
}

/// Time kept back from the invocation's deadline to return the answer.
const ANSWER_MARGIN: Duration = Duration::from_millis(1500);

/// The invocation's deadline (epoch milliseconds from the context) as an Instant, less the margin.
fn invocation_deadline(deadline_ms: u64) -> Instant {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let left = Duration::from_millis(deadline_ms.saturating_sub(now_ms));
    Instant::now() + left.saturating_sub(ANSWER_MARGIN)
}
