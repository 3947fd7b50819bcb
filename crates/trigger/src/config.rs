//! The Lambda's environment: ECS_SERVICE_URL, API_KEY, REQUEST_TIMEOUT_SECS (DESIGN.md).

use crate::forward::ForwardConfig;
use std::time::Duration;

pub const ENV_VARS: [&str; 3] = ["ECS_SERVICE_URL", "API_KEY", "REQUEST_TIMEOUT_SECS"];

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
