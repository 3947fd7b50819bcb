//! Adapters over the real AWS SDK. Local runs reach moto's server through the SDK's own
//! AWS_ENDPOINT_URL: no code path differs between local and AWS.

pub mod dynamo;
pub mod s3;

use std::time::Duration;

/// One SDK configuration for both clients, with timeouts so an unreachable endpoint is an error,
/// never a hang (the SDK's standard retry mode retries throttling and transient errors).
pub async fn sdk_config() -> aws_config::SdkConfig {
    let timeouts = aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(3))
        .operation_attempt_timeout(Duration::from_secs(20))
        .operation_timeout(Duration::from_secs(60))
        .build();
    config_loader().timeout_config(timeouts).load().await
}

/// The SDK's loader with its HTTPS client: rustls on ring (the SDK's default features, which would
/// bring one, are off; see Cargo.toml). Tests start from it too, pointed at moto.
pub fn config_loader() -> aws_config::ConfigLoader {
    use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
    let client = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    aws_config::defaults(aws_config::BehaviorVersion::latest()).http_client(client)
}

/// Whether an SDK error is worth retrying later (network, throttling, 5xx) rather than final.
pub fn is_transient<E, R>(err: &aws_sdk_dynamodb::error::SdkError<E, R>) -> bool
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata,
{
    use aws_sdk_dynamodb::error::SdkError;
    match err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            true
        }
        SdkError::ServiceError(e) => matches!(
            e.err().code(),
            Some(
                "ThrottlingException"
                    | "ProvisionedThroughputExceededException"
                    | "RequestLimitExceeded"
                    | "InternalServerError"
                    | "ServiceUnavailable"
                    | "InternalError"
                    | "SlowDown"
            )
        ),
        _ => false,
    }
}
