//! Every HTTP error, mapped to its status and stable code in one place.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    MalformedJson(String),
    #[error("{0}")]
    InvalidRecord(String),
    #[error("missing or wrong API key")]
    Unauthorized,
    #[error("this client address may not use the API")]
    Forbidden,
    #[error("{0}")]
    ViewToken(crate::view::token::TokenError),
    #[error("{0}")]
    BodyRejected(String),
    #[error("no document with id {0}")]
    NotFound(String),
    /// The document is there, what was asked of it is not (the message says why).
    #[error("{0}")]
    NoSuchOutput(String),
    #[error("the queue is full; retry later")]
    QueueFull { retry_after_secs: u64 },
    #[error("a backing service is unavailable: {0}")]
    Unavailable(String),
    #[error("too many stored results are being read; retry later")]
    Busy,
    #[error("{0}")]
    Internal(String),
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable: malformed_json, invalid_record, unauthorized, forbidden, invalid_token,
    /// body_too_large, not_found,
    /// queue_full, busy, unavailable, internal.
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::MalformedJson(_) => (StatusCode::BAD_REQUEST, "malformed_json"),
            ApiError::InvalidRecord(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_record"),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::ViewToken(_) => (StatusCode::FORBIDDEN, "invalid_token"),
            ApiError::BodyRejected(_) => (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"),
            ApiError::NotFound(_) | ApiError::NoSuchOutput(_) => {
                (StatusCode::NOT_FOUND, "not_found")
            }
            ApiError::QueueFull { .. } => (StatusCode::SERVICE_UNAVAILABLE, "queue_full"),
            ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            ApiError::Busy => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl ApiError {
    /// What the caller is told. A backing service's own error text stays in the log: it can name
    /// tables, buckets and internals, and helps nobody outside.
    fn public_message(&self) -> String {
        match self {
            ApiError::Unavailable(_) => "a backing service is unavailable; retry later".into(),
            ApiError::Internal(_) => "internal error".into(),
            other => other.to_string(),
        }
    }
}

/// Marks a server error's answer, so that [`with_request_id`] can name the request in it.
#[derive(Clone)]
struct ServerError {
    code: &'static str,
    message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.parts();
        if status.is_server_error() {
            tracing::warn!(code, error = %self, "request failed");
        }
        let retry_after = match &self {
            ApiError::QueueFull { retry_after_secs } => Some(*retry_after_secs),
            ApiError::Unavailable(_) | ApiError::Busy => Some(5),
            _ => None,
        };
        let message = self.public_message();
        let body = ErrorBody {
            error: ErrorDetail {
                code,
                message: message.clone(),
            },
        };
        let mut response = (status, Json(body)).into_response();
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if status.is_server_error() {
            response
                .extensions_mut()
                .insert(ServerError { code, message });
        }
        response
    }
}

/// Middleware: a server error's message names the request id (`x-request-id`), which the log
/// lines of that request carry with the real cause.
pub async fn with_request_id(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut response = next.run(request).await;
    if let (Some(id), Some(e)) = (id, response.extensions_mut().remove::<ServerError>()) {
        let body = ErrorBody {
            error: ErrorDetail {
                code: e.code,
                message: format!("{} (request id {id})", e.message),
            },
        };
        let bytes = serde_json::to_vec(&body).expect("error bodies serialise");
        response.headers_mut().remove(header::CONTENT_LENGTH);
        *response.body_mut() = axum::body::Body::from(bytes);
    }
    response
}

impl From<crate::aws::dynamo::StoreError> for ApiError {
    fn from(e: crate::aws::dynamo::StoreError) -> Self {
        match e {
            crate::aws::dynamo::StoreError::Unavailable(m) => ApiError::Unavailable(m),
            other => ApiError::Internal(other.to_string()),
        }
    }
}
