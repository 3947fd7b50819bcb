//! The HTTP API of DESIGN.md: /health, /process, /status/{id}, and /openapi.json.

use crate::api_error::{ApiError, ErrorBody};
use crate::aws::dynamo::{Claim, ClaimRequest, Store};
use crate::aws::s3::Blobs;
use crate::jobs::JobQueue;
use crate::record::{DocumentItem, PROCESSING};
use api::{DocumentRecord, ProcessRequest};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use processor::{DocumentResult, Format};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tokio::sync::oneshot;
use utoipa::{OpenApi, ToSchema};

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub blobs: Blobs,
    pub queue: JobQueue,
    pub api_key: Option<Arc<str>>,
    pub allowed_buckets: Arc<Vec<String>>,
    pub workers: usize,
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Document Processor", description = "PDFs and images to text, word boxes and QR codes"),
    paths(health, process, status),
    components(schemas(ProcessRequest, DocumentRecord, Accepted, StatusBody, Health, ErrorBody)),
    modifiers(&ApiKeyScheme)
)]
pub struct ApiDoc;

struct ApiKeyScheme;
impl utoipa::Modify for ApiKeyScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("x-api-key"))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub version: &'static str,
    pub workers: usize,
    pub queue_depth: usize,
    pub queue_capacity: usize,
}

/// Liveness for the ALB: answers from memory, touches no backing service.
#[utoipa::path(get, path = "/health", responses((status = 200, body = Health)))]
pub async fn health(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "healthy",
        version: env!("CARGO_PKG_VERSION"),
        workers: state.workers,
        queue_depth: state.queue.depth(),
        queue_capacity: state.queue.capacity(),
    })
}

#[derive(Serialize, ToSchema)]
pub struct Accepted {
    pub document_id: String,
    pub status: &'static str,
    pub status_url: String,
}

#[derive(Debug, Deserialize, Default)]
pub struct ProcessQuery {
    #[serde(default)]
    pub wait: bool,
}

/// The record with its result (the full result, also when it was stored in S3).
#[derive(Serialize, ToSchema)]
pub struct StatusBody {
    pub document_id: String,
    pub status: String,
    pub bucket: Option<String>,
    pub key: Option<String>,
    pub file_type: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub processing_started_at: Option<String>,
    pub completed_at: Option<String>,
    pub attempts: Option<u32>,
    pub processing_ms: Option<u64>,
    pub page_count: Option<u32>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub result_s3_key: Option<String>,
    /// DocumentResult (DESIGN.md): page_count, text, pages (each with blocks in reading order,
    /// words, rotation, skew), qr_codes, error. Null until finished.
    #[schema(value_type = Option<Object>)]
    pub result: Option<DocumentResult>,
}

fn validate(record: &DocumentRecord, allowed: &[String]) -> Result<(), ApiError> {
    let invalid = |m: String| Err(ApiError::InvalidRecord(m));
    if record.document_id.trim().is_empty() || record.document_id.len() > 1024 {
        return invalid("document_id must be 1 to 1024 characters".into());
    }
    if record.bucket.trim().is_empty() || record.key.trim().is_empty() {
        return invalid("bucket and key are required".into());
    }
    if !allowed.is_empty() && !allowed.iter().any(|b| b == &record.bucket) {
        return invalid(format!("bucket {:?} is not allowed", record.bucket));
    }
    if let Some(ft) = &record.file_type {
        if Format::from_hint(ft).is_none() {
            return invalid(format!(
                "unknown file_type {ft:?} (pdf, png, jpg, jpeg, tif, tiff, bmp, gif, webp)"
            ));
        }
    }
    Ok(())
}

fn parse_body(body: &[u8]) -> Result<ProcessRequest, ApiError> {
    serde_json::from_slice(body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => {
            ApiError::InvalidRecord(format!("invalid record: {e}"))
        }
        _ => ApiError::MalformedJson(format!("malformed JSON: {e}")),
    })
}

fn accepted(id: &str) -> Response {
    let body = Accepted {
        document_id: id.to_string(),
        status: PROCESSING,
        status_url: format!("/status/{id}"),
    };
    (StatusCode::ACCEPTED, Json(body)).into_response()
}

/// Claims the record and queues it (202), or answers with the stored record when it is already
/// finished (200); `?wait=true` processes it before answering (200).
#[utoipa::path(post, path = "/process", request_body = ProcessRequest,
    params(("wait" = Option<bool>, Query, description = "process before answering")),
    security(("api_key" = []), ("bearer" = [])),
    responses(
        (status = 202, body = Accepted, description = "claimed and queued (or already being processed)"),
        (status = 200, body = StatusBody, description = "already finished, or processed with wait=true"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 503, body = ErrorBody, description = "queue full (Retry-After)")))]
pub async fn process(
    State(state): State<AppState>,
    Query(query): Query<ProcessQuery>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, ApiError> {
    // The only way reading a small JSON body fails is the size limit.
    let body = body.map_err(|e| ApiError::BodyRejected(e.body_text()))?;
    let request = parse_body(&body)?;
    let record = request.record;
    validate(&record, &state.allowed_buckets)?;
    tracing::Span::current().record("document_id", record.document_id.as_str());
    let permit = state.queue.try_reserve().ok_or(ApiError::QueueFull {
        retry_after_secs: 10,
    })?;
    let claim = state
        .store
        .claim(
            ClaimRequest {
                id: &record.document_id,
                bucket: Some(&record.bucket),
                key: Some(&record.key),
                file_type: record.file_type.as_deref(),
            },
            true,
        )
        .await?;
    match claim {
        Claim::Claimed(item) if query.wait => {
            let (tx, rx) = oneshot::channel();
            state.queue.enqueue(permit, item, Some(tx));
            let item = rx
                .await
                .map_err(|_| ApiError::Internal("the job ended without an answer".into()))?;
            Ok(Json(status_body(&state, item).await?).into_response())
        }
        Claim::Claimed(item) => {
            state.queue.enqueue(permit, item, None);
            Ok(accepted(&record.document_id))
        }
        Claim::Busy(_) => Ok(accepted(&record.document_id)),
        Claim::Done(item) => Ok(Json(status_body(&state, item).await?).into_response()),
        Claim::Missing => Err(ApiError::Internal(
            "the record vanished during the claim".into(),
        )),
    }
}

#[utoipa::path(get, path = "/status/{document_id}", params(("document_id" = String, Path)),
    security(("api_key" = []), ("bearer" = [])),
    responses((status = 200, body = StatusBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn status(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<StatusBody>, ApiError> {
    tracing::Span::current().record("document_id", id.as_str());
    let item = state
        .store
        .get(&id)
        .await?
        .ok_or_else(|| ApiError::NotFound(id.clone()))?;
    Ok(Json(status_body(&state, item).await?))
}

async fn status_body(state: &AppState, item: DocumentItem) -> Result<StatusBody, ApiError> {
    let result = match (&item.result_s3_key, &item.bucket) {
        (Some(key), Some(bucket)) if item.status == crate::record::COMPLETED => {
            let bytes = state
                .blobs
                .get_bytes(bucket, key)
                .await
                .map_err(|e| match e {
                    crate::aws::s3::BlobError::Unavailable(m) => ApiError::Unavailable(m),
                    other => ApiError::Internal(format!("stored result unreadable: {other}")),
                })?;
            Some(
                serde_json::from_slice(&bytes)
                    .map_err(|e| ApiError::Internal(format!("stored result unreadable: {e}")))?,
            )
        }
        _ => item.inline_result(),
    };
    Ok(StatusBody {
        document_id: item.id,
        status: item.status,
        bucket: item.bucket,
        key: item.key,
        file_type: item.file_type,
        created_at: item.created_at,
        updated_at: item.updated_at,
        processing_started_at: item.processing_started_at,
        completed_at: item.completed_at,
        attempts: item.attempts,
        processing_ms: item.processing_ms,
        page_count: item.page_count,
        error_code: item.error_code,
        error_message: item.error_message,
        result_s3_key: item.result_s3_key,
        result,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(bucket: &str, file_type: Option<&str>) -> DocumentRecord {
        DocumentRecord {
            document_id: "d".into(),
            bucket: bucket.into(),
            key: "k.pdf".into(),
            status: "pending".into(),
            file_type: file_type.map(String::from),
        }
    }

    #[test]
    fn validation_rules() {
        let allowed = vec!["docs".to_string()];
        assert!(validate(&record("docs", Some("PDF")), &allowed).is_ok());
        assert!(validate(&record("docs", None), &allowed).is_ok());
        assert!(matches!(
            validate(&record("other", None), &allowed),
            Err(ApiError::InvalidRecord(_))
        ));
        assert!(matches!(
            validate(&record("docs", Some("docx")), &allowed),
            Err(ApiError::InvalidRecord(_))
        ));
        assert!(validate(&record("anything", None), &[]).is_ok());
    }

    #[test]
    fn body_errors_split_into_syntax_and_data() {
        assert!(matches!(
            parse_body(b"{not json"),
            Err(ApiError::MalformedJson(_))
        ));
        assert!(matches!(
            parse_body(b"{\"record\": {\"bucket\": \"b\"}}"),
            Err(ApiError::InvalidRecord(_))
        ));
        assert!(parse_body(br#"{"record":{"document_id":"d","bucket":"b","key":"k"}}"#).is_ok());
    }

    #[test]
    fn openapi_describes_every_route() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        for path in ["/health", "/process", "/status/{document_id}"] {
            assert!(doc["paths"][path].is_object(), "{path} missing");
        }
    }
}
