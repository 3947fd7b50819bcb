//! API key on /process and /status: `Authorization: Bearer <key>` or `x-api-key: <key>`,
//! compared in constant time; and the client address check of ALLOWED_CLIENT_CIDRS.

use crate::api_error::ApiError;
use crate::routes::AppState;
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use subtle::ConstantTimeEq;

pub fn presented_key(headers: &HeaderMap) -> Option<&[u8]> {
    if let Some(v) = headers.get("x-api-key") {
        return Some(v.as_bytes());
    }
    let auth = headers.get(axum::http::header::AUTHORIZATION)?.as_bytes();
    auth.strip_prefix(b"Bearer ")
        .or_else(|| auth.strip_prefix(b"bearer "))
}

pub fn key_matches(expected: &[u8], presented: Option<&[u8]>) -> bool {
    presented.is_some_and(|p| bool::from(p.ct_eq(expected)))
}

pub async fn require_api_key(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    if let Some(expected) = &state.api_key {
        if !key_matches(expected.as_bytes(), presented_key(request.headers())) {
            return Err(ApiError::Unauthorized);
        }
    }
    Ok(next.run(request).await)
}

/// The header API Gateway overwrites with the address it saw (infra/api.tf): a client cannot set it.
pub const CLIENT_IP_HEADER: &str = "x-client-ip";

/// Whether a request may pass the client address check: no list, or no client header (callers
/// inside the VPC), or a header address inside one of the CIDRs. An unreadable address never passes.
pub fn client_allowed(allowed: &[ipnet::IpNet], headers: &HeaderMap) -> bool {
    if allowed.is_empty() {
        return true;
    }
    let Some(value) = headers.get(CLIENT_IP_HEADER) else {
        return true;
    };
    value
        .to_str()
        .ok()
        .and_then(|v| v.trim().parse::<std::net::IpAddr>().ok())
        .is_some_and(|ip| allowed.iter().any(|net| net.contains(&ip)))
}

pub async fn require_allowed_client(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    if !client_allowed(&state.allowed_clients, request.headers()) {
        return Err(ApiError::Forbidden);
    }
    Ok(next.run(request).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_addresses_are_checked_only_when_a_list_and_the_header_are_there() {
        let allowed: Vec<ipnet::IpNet> = vec![
            "203.0.113.0/24".parse().unwrap(),
            "2001:db8::/32".parse().unwrap(),
        ];
        let with = |ip: &str| {
            let mut h = HeaderMap::new();
            h.insert(CLIENT_IP_HEADER, ip.parse().unwrap());
            h
        };
        assert!(client_allowed(&allowed, &with("203.0.113.9")));
        assert!(client_allowed(&allowed, &with("2001:db8::1")));
        assert!(!client_allowed(&allowed, &with("198.51.100.1")));
        assert!(!client_allowed(&allowed, &with("not-an-ip")));
        assert!(
            client_allowed(&allowed, &HeaderMap::new()),
            "inside the VPC"
        );
        assert!(client_allowed(&[], &with("198.51.100.1")), "no list");
    }

    #[test]
    fn bearer_and_header_keys_are_accepted() {
        let mut h = HeaderMap::new();
        h.insert("authorization", "Bearer s3cret".parse().unwrap());
        assert!(key_matches(b"s3cret", presented_key(&h)));
        let mut h = HeaderMap::new();
        h.insert("x-api-key", "s3cret".parse().unwrap());
        assert!(key_matches(b"s3cret", presented_key(&h)));
    }

    #[test]
    fn wrong_or_missing_keys_are_refused() {
        let mut h = HeaderMap::new();
        h.insert("authorization", "Basic s3cret".parse().unwrap());
        assert!(!key_matches(b"s3cret", presented_key(&h)));
        assert!(!key_matches(b"s3cret", presented_key(&HeaderMap::new())));
        let mut h = HeaderMap::new();
        h.insert("x-api-key", "s3cre".parse().unwrap());
        assert!(!key_matches(b"s3cret", presented_key(&h)));
    }
}
