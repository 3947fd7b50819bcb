//! API key on /process and /status: `Authorization: Bearer <key>` or `x-api-key: <key>`,
//! compared in constant time.

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

#[cfg(test)]
mod tests {
    use super::*;

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
