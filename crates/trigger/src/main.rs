//! `dynamodb-trigger`: wires the handler to the Lambda runtime. The HTTP client is built once.

use aws_lambda_events::event::dynamodb::Event;
use lambda_runtime::{service_fn, Error, LambdaEvent};
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
    let config = trigger::config::from_env(|k| std::env::var(k).ok())?;
    let forwarder = Forwarder::new(config);
    let forwarder = &forwarder;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Event>| async move {
        Ok::<_, Error>(trigger::handle(event.payload, forwarder).await)
    }))
    .await
}
