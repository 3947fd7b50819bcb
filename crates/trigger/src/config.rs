//! The Lambda's environment: ECS_SERVICE_URL, REQUEST_TIMEOUT_SECS, and the API key either by name
//! of its SSM SecureString parameter (API_KEY_PARAMETER, read at cold start: the deployment) or in
//! clear (API_KEY: the local relay and tests).

use crate::forward::ForwardConfig;
use std::time::Duration;

pub const ENV_VARS: [&str; 4] = [
    "ECS_SERVICE_URL",
    "API_KEY",
    "API_KEY_PARAMETER",
    "REQUEST_TIMEOUT_SECS",
];

/// Where the API key comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// An SSM parameter (SecureString) by name: read once, at cold start.
    Parameter(String),
    /// In clear in the environment.
    Inline(String),
    None,
}

/// API_KEY_PARAMETER wins over API_KEY.
pub fn key_source(get: impl Fn(&str) -> Option<String>) -> KeySource {
    if let Some(name) = get("API_KEY_PARAMETER").filter(|n| !n.trim().is_empty()) {
        return KeySource::Parameter(name.trim().to_string());
    }
    match get("API_KEY").filter(|k| !k.is_empty()) {
        Some(k) => KeySource::Inline(k),
        None => KeySource::None,
    }
}

/// The parameter's decrypted value, through the AWS SDK (its default credentials and endpoint, so
/// `AWS_ENDPOINT_URL` reaches moto in tests; in the VPC the interface endpoint answers).
pub async fn read_parameter(name: &str) -> Result<String, String> {
    let sdk = config_loader().load().await;
    let out = aws_sdk_ssm::Client::new(&sdk)
        .get_parameter()
        .name(name)
        .with_decryption(true)
        .send()
        .await
        .map_err(|e| {
            format!(
                "SSM parameter {name}: {}",
                aws_sdk_ssm::error::DisplayErrorContext(e)
            )
        })?;
    out.parameter
        .and_then(|p| p.value)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| format!("SSM parameter {name} has no value"))
}

/// The configuration with its key resolved: the parameter is read here (once per cold start).
pub async fn load(get: impl Fn(&str) -> Option<String>) -> Result<ForwardConfig, String> {
    let mut config = from_env(&get)?;
    config.api_key = match key_source(&get) {
        KeySource::Parameter(name) => Some(read_parameter(&name).await?),
        KeySource::Inline(key) => Some(key),
        KeySource::None => None,
    };
    Ok(config)
}

/// Reads the configuration through `get` (the process environment in `main`, a map in tests).
pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<ForwardConfig, String> {
    let base = get("ECS_SERVICE_URL")
        .filter(|u| !u.trim().is_empty())
        .ok_or("ECS_SERVICE_URL is not set")?;
    let timeout = match get("REQUEST_TIMEOUT_SECS") {
        Some(v) => v
            .trim()
            .parse::<u64>()
            .map_err(|_| format!("REQUEST_TIMEOUT_SECS is not a number: {v:?}"))?,
        None => 10,
    };
    let base = base.trim().trim_end_matches('/');
    let base = if base.starts_with("http://") || base.starts_with("https://") {
        base.to_string()
    } else {
        format!("http://{base}")
    };
    Ok(ForwardConfig {
        url: format!("{base}/process"),
        api_key: get("API_KEY").filter(|k| !k.is_empty()),
        request_timeout: Duration::from_secs(timeout.max(1)),
        max_attempts: 3,
        base_delay: Duration::from_millis(200),
        max_delay: Duration::from_secs(10),
    })
}

/// The SDK's loader with its HTTPS client: rustls on ring, the crypto reqwest already brings (the
/// SDK's default features, which would add aws-lc and a legacy stack, are off; see Cargo.toml).
/// The relay and its tests start from it too.
pub fn config_loader() -> aws_config::ConfigLoader {
    use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
    let client = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    aws_config::defaults(aws_config::BehaviorVersion::latest()).http_client(client)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn reads_the_design_variables() {
        let c = from_env(env(&[
            ("ECS_SERVICE_URL", "my-alb-123.elb.amazonaws.com/"),
            ("API_KEY", "k"),
            ("REQUEST_TIMEOUT_SECS", "7"),
        ]))
        .unwrap();
        assert_eq!(c.url, "http://my-alb-123.elb.amazonaws.com/process");
        assert_eq!(c.api_key.as_deref(), Some("k"));
        assert_eq!(c.request_timeout, Duration::from_secs(7));
    }

    #[test]
    fn the_key_parameter_wins_over_a_key_in_clear() {
        assert_eq!(
            key_source(env(&[
                ("API_KEY_PARAMETER", "/dp/api-key"),
                ("API_KEY", "k")
            ])),
            KeySource::Parameter("/dp/api-key".into())
        );
        assert_eq!(
            key_source(env(&[("API_KEY", "k")])),
            KeySource::Inline("k".into())
        );
        assert_eq!(
            key_source(env(&[("API_KEY_PARAMETER", " ")])),
            KeySource::None
        );
    }

    #[test]
    fn url_is_required_and_timeout_must_be_a_number() {
        assert!(from_env(env(&[])).is_err());
        assert!(from_env(env(&[
            ("ECS_SERVICE_URL", "https://x"),
            ("REQUEST_TIMEOUT_SECS", "soon")
        ]))
        .is_err());
        assert_eq!(
            from_env(env(&[("ECS_SERVICE_URL", "https://x")]))
                .unwrap()
                .url,
            "https://x/process"
        );
    }
}
