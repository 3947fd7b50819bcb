//! The HTTP API of DESIGN.md: /health, /process, /status/{id}, and /openapi.json.

use crate::api_error::{ApiError, ErrorBody};
use crate::aws::dynamo::{Claim, ClaimRequest, Store};
use crate::aws::s3::Blobs;
use crate::jobs::JobQueue;
use crate::record::{self, DocumentItem, RecordFields, Status};
use crate::view::token::{now_secs, ViewTokens};
use crate::view::{self, ViewPage};
use api::{DocumentRecord, ProcessRequest};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::StreamExt;
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
    /// Offloaded results being streamed to callers: bounded, each costs a stream's buffers.
    pub result_reads: Arc<tokio::sync::Semaphore>,
    /// ALLOWED_CLIENT_CIDRS (empty: every client).
    pub allowed_clients: Arc<Vec<ipnet::IpNet>>,
    /// Tesseract languages installed (a record's `languages` must be among them).
    pub languages: Arc<Vec<String>>,
    /// Makes and checks the view links' tokens.
    pub view_tokens: Arc<ViewTokens>,
}

/// How long a /status call waits for a free result stream before answering 503.
const RESULT_READ_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

#[derive(OpenApi)]
#[openapi(
    info(title = "Document Processor", description = "PDFs and images to text, word boxes and QR codes"),
    paths(health, process, status, searchable_pdf, document_view, page_preview),
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
    pub status: Status,
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
    #[serde(flatten)]
    pub record: RecordFields,
    /// The result viewer for a browser: `/documents/{id}/view?token=...`, the token valid for
    /// VIEW_TOKEN_TTL_SECS (a page load cannot send the API key).
    pub view_url: String,
    /// DocumentResult (DESIGN.md): page_count, text, pages (each with blocks in reading order,
    /// words, rotation, skew), qr_codes, error. A block of kind `table` also has `rows`, `cols`,
    /// `header_rows`, `cells` ([{row, col, row_span, col_span, text, bbox}], 0-based, empty cells
    /// absent) and, when it goes on from the page before, `continued_from` ({page, block}). A
    /// receipt or an invoice also has `fields` (vendor_name, vendor_address, date, due_date,
    /// invoice_receipt_id, subtotal, tax, total: each {text, value, currency, page, bbox,
    /// confidence}, absent when not found) and `line_items` ([{description, quantity, unit_price,
    /// amount, page, bbox}]). Null until finished.
    #[schema(value_type = Option<Object>)]
    pub result: Option<DocumentResult>,
}

const INVALID_ID: &str =
    "document_id must be 1 to 128 characters of A-Z, a-z, 0-9, '.', '_' and '-'";

/// `document_id` becomes part of S3 keys (`results/{id}.json`) and URLs: letters, digits, `.`, `_`
/// and `-`, at most 128 (UUIDs and the usual ids fit; `/ ? #` and control characters do not).
pub fn valid_document_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        && id != "."
        && id != ".."
}

fn validate(
    record: &DocumentRecord,
    allowed: &[String],
    languages: &[String],
) -> Result<(), ApiError> {
    let invalid = |m: String| Err(ApiError::InvalidRecord(m));
    if !valid_document_id(&record.document_id) {
        return invalid(INVALID_ID.into());
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
    record::options(
        record.outputs.as_deref(),
        record.languages.as_ref(),
        languages,
    )
    .map(|_| ())
    .map_err(ApiError::InvalidRecord)
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
        status: Status::Processing,
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
    validate(&record, &state.allowed_buckets, &state.languages)?;
    tracing::Span::current().record("document_id", record.document_id.as_str());
    let permit = state
        .queue
        .try_reserve()
        .ok_or_else(|| ApiError::QueueFull {
            retry_after_secs: state.queue.pace().retry_after_secs(state.workers),
        })?;
    let claim = state
        .store
        .claim(
            ClaimRequest {
                id: &record.document_id,
                bucket: Some(&record.bucket),
                key: Some(&record.key),
                file_type: record.file_type.as_deref(),
                outputs: record.outputs.as_deref(),
                languages: record.languages.as_ref(),
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
            status_response(&state, item).await
        }
        Claim::Claimed(item) => {
            state.queue.enqueue(permit, item, None);
            Ok(accepted(&record.document_id))
        }
        Claim::Busy(_) => Ok(accepted(&record.document_id)),
        Claim::Done(item) => status_response(&state, item).await,
        Claim::Missing => Err(ApiError::Internal(
            "the record vanished during the claim".into(),
        )),
    }
}

#[utoipa::path(get, path = "/status/{document_id}", params(("document_id" = String, Path)),
    security(("api_key" = []), ("bearer" = [])),
    responses((status = 200, body = StatusBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn status(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let item = stored_item(&state, &id).await?;
    status_response(&state, item).await
}

/// The record a path names: 422 for an id that cannot be one, 404 for one not in the table.
async fn stored_item(state: &AppState, id: &str) -> Result<DocumentItem, ApiError> {
    if !valid_document_id(id) {
        return Err(ApiError::InvalidRecord(INVALID_ID.into()));
    }
    tracing::Span::current().record("document_id", id);
    state
        .store
        .get(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(id.to_string()))
}

/// The searchable PDF a record asked for (`"outputs": ["searchable_pdf"]`), streamed from S3.
#[utoipa::path(get, path = "/documents/{document_id}/pdf", params(("document_id" = String, Path)),
    security(("api_key" = []), ("bearer" = [])),
    responses((status = 200, content_type = "application/pdf", description = "the searchable PDF"),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "no such document, or no PDF made for it (yet)"),
        (status = 422, body = ErrorBody)))]
pub async fn searchable_pdf(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let item = stored_item(&state, &id).await?;
    let asked = item
        .record
        .outputs
        .iter()
        .flatten()
        .any(|o| *o == api::Output::SearchablePdf);
    let (Some(key), Some(bucket)) = (&item.record.searchable_pdf_s3_key, &item.record.bucket)
    else {
        return Err(ApiError::NoSuchOutput(match (asked, item.record.status) {
            (false, _) => format!(
                "document {id} did not ask for a searchable PDF (\"outputs\": [\"searchable_pdf\"])"
            ),
            (true, Status::Failed) => format!("document {id} failed; no searchable PDF was made"),
            (true, _) => {
                format!("document {id} is not processed yet; its searchable PDF comes with it")
            }
        }));
    };
    let body = stored_stream(&state, bucket, key).await?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/pdf".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{id}.pdf\""),
            ),
        ],
        axum::body::Body::from_stream(body),
    )
        .into_response())
}

/// An object stored in S3 as a stream of its bytes, at most RESULT_READS at once (each holds a
/// stream's buffers); 503 `busy` after RESULT_READ_WAIT.
async fn stored_stream(
    state: &AppState,
    bucket: &str,
    key: &str,
) -> Result<impl futures_util::Stream<Item = Result<bytes::Bytes, std::io::Error>>, ApiError> {
    let permit = tokio::time::timeout(RESULT_READ_WAIT, state.result_reads.clone().acquire_owned())
        .await
        .map_err(|_| ApiError::Busy)?
        .map_err(|_| ApiError::Busy)?;
    let stream = state
        .blobs
        .get_stream(bucket, key)
        .await
        .map_err(|e| match e {
            crate::aws::s3::BlobError::Unavailable(m) => ApiError::Unavailable(m),
            other => ApiError::Internal(format!("stored object unreadable: {other}")),
        })?;
    Ok(futures_util::stream::unfold(
        Some((stream, permit)),
        |state| async move {
            let (mut stream, permit) = state?;
            match stream.try_next().await {
                Ok(Some(chunk)) => Some((Ok(chunk), Some((stream, permit)))),
                Ok(None) => None,
                Err(e) => Some((Err(std::io::Error::other(e)), None)),
            }
        },
    ))
}

/// The /status answer: the record, its view link and its result.
async fn status_response(state: &AppState, item: DocumentItem) -> Result<Response, ApiError> {
    let view_url = view_url(state, &item.id);
    let body = status_json(state, item, view_url).await?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        axum::body::Body::from_stream(body),
    )
        .into_response())
}

type ByteStream = futures_util::stream::BoxStream<'static, Result<bytes::Bytes, std::io::Error>>;

/// The /status JSON as a stream. A result stored in S3 is streamed into it as it arrives (never
/// parsed or held whole: a 30 MB result costs a stream's buffers), a bounded number at a time.
async fn status_json(
    state: &AppState,
    item: DocumentItem,
    view_url: String,
) -> Result<ByteStream, ApiError> {
    let offloaded = match (&item.record.result_s3_key, &item.record.bucket) {
        (Some(key), Some(bucket)) if item.record.status == Status::Completed => {
            Some((bucket.clone(), key.clone()))
        }
        _ => None,
    };
    let Some((bucket, key)) = offloaded else {
        let result = item.inline_result();
        let body = serde_json::to_vec(&StatusBody {
            document_id: item.id,
            record: item.record,
            view_url,
            result,
        })
        .map_err(|e| ApiError::Internal(e.to_string()))?;
        return Ok(futures_util::stream::once(async { Ok(bytes::Bytes::from(body)) }).boxed());
    };
    let stored = stored_stream(state, &bucket, &key).await?;
    // `{"document_id":…, <record fields>, "view_url":…, "result": <the stored JSON>}`: the head is
    // serialised by serde as an object of its own and left open for the stored result.
    let head = serde_json::to_vec(&StatusHead {
        document_id: &item.id,
        record: &item.record,
        view_url: &view_url,
    })
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    let head = bytes::Bytes::from(open_for_one_more(head, "result"));
    Ok(
        futures_util::stream::once(async move { Ok::<_, std::io::Error>(head) })
            .chain(stored)
            .chain(futures_util::stream::once(async {
                Ok(bytes::Bytes::from_static(b"}"))
            }))
            .boxed(),
    )
}

/// [`StatusBody`] without its result: what precedes a result streamed from S3.
#[derive(Serialize)]
struct StatusHead<'a> {
    document_id: &'a str,
    #[serde(flatten)]
    record: &'a RecordFields,
    view_url: &'a str,
}

/// A serialised JSON object (never empty: it has a document_id) reopened for one more member
/// `"key":`, whose value follows, then `}`.
fn open_for_one_more(mut object: Vec<u8>, key: &str) -> Vec<u8> {
    assert!(
        object.len() > 2 && object.first() == Some(&b'{') && object.last() == Some(&b'}'),
        "a non-empty JSON object"
    );
    object.pop();
    object.push(b',');
    serde_json::to_writer(&mut object, key).expect("a string serialises");
    object.push(b':');
    object
}

/// A fresh view link for the record.
fn view_url(state: &AppState, id: &str) -> String {
    format!(
        "/documents/{id}/view?token={}",
        state.view_tokens.issue(id, now_secs())
    )
}

#[derive(Debug, Deserialize, Default)]
pub struct ViewQuery {
    pub token: Option<String>,
}

/// Who may see a record's view and previews: a valid token for it (a browser), or the API key
/// (a script). A token that is presented and not valid is 403 whatever else comes with it.
/// Answers the token the page's images should carry: the one presented (so a link never
/// outlives its token), or a new one for a caller with the key.
fn view_access(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    id: &str,
    token: Option<&str>,
) -> Result<String, ApiError> {
    let now = now_secs();
    if let Some(token) = token {
        state
            .view_tokens
            .verify(id, token, now)
            .map_err(ApiError::ViewToken)?;
        return Ok(token.to_string());
    }
    if let Some(expected) = &state.api_key {
        if !crate::auth::key_matches(expected.as_bytes(), crate::auth::presented_key(headers)) {
            return Err(ApiError::Unauthorized);
        }
    }
    Ok(state.view_tokens.issue(id, now))
}

/// A viewer answer: the page's policy, no sniffing, no referrer (the URL holds a token), no
/// framing, and how long it may be cached.
fn viewer_response(
    content_type: &'static str,
    cache_control: &'static str,
    body: impl futures_util::Stream<Item = Result<bytes::Bytes, std::io::Error>> + Send + 'static,
) -> Response {
    use axum::http::header;
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_SECURITY_POLICY,
                view::content_security_policy_header(),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (header::REFERRER_POLICY, "no-referrer".to_string()),
            (header::X_FRAME_OPTIONS, "DENY".to_string()),
            (header::CACHE_CONTROL, cache_control.to_string()),
        ],
        axum::body::Body::from_stream(body),
    )
        .into_response()
}

/// The record a viewer route names, once the caller may see it (see [`view_access`]), and the
/// token its page's images are to carry.
async fn viewed_item(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    id: &str,
    token: Option<&str>,
) -> Result<(DocumentItem, String), ApiError> {
    if !valid_document_id(id) {
        return Err(ApiError::InvalidRecord(INVALID_ID.into()));
    }
    let token = view_access(state, headers, id, token)?;
    Ok((stored_item(state, id).await?, token))
}

/// The result viewer: each page's preview with its word boxes (coloured by confidence), blocks
/// numbered in reading order, codes with their payloads, the text, a word search; and the
/// record's status, timings and error.
#[utoipa::path(get, path = "/documents/{document_id}/view",
    params(("document_id" = String, Path), ("token" = Option<String>, Query, description = "from /status's view_url")),
    security((), ("api_key" = []), ("bearer" = [])),
    responses((status = 200, content_type = "text/html", description = "the viewer page"),
        (status = 401, body = ErrorBody, description = "neither a token nor the API key"),
        (status = 403, body = ErrorBody, description = "an expired or forged token"),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn document_view(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<ViewQuery>,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    let (item, token) = viewed_item(&state, &headers, &id, query.token.as_deref()).await?;
    let image_query = item
        .record
        .previews_s3_prefix
        .as_ref()
        .map(|_| format!("?token={token}"));
    let (head, tail) = view::around_data(&ViewPage {
        title: &id,
        image_query: image_query.as_deref(),
    });
    let data = status_json(&state, item, view_url(&state, &id))
        .await?
        .map(|chunk| chunk.map(|c| bytes::Bytes::from(view::escape_json(&c))));
    let body = futures_util::stream::once(async move { Ok(bytes::Bytes::from(head)) })
        .chain(data)
        .chain(futures_util::stream::once(async move {
            Ok(bytes::Bytes::from_static(tail.as_bytes()))
        }));
    Ok(viewer_response(
        "text/html; charset=utf-8",
        "no-store",
        body,
    ))
}

/// A page's preview (`N.webp`, 1-based), made when the document was processed.
#[utoipa::path(get, path = "/documents/{document_id}/pages/{file}",
    params(("document_id" = String, Path), ("file" = String, Path, description = "N.webp"),
        ("token" = Option<String>, Query)),
    security((), ("api_key" = []), ("bearer" = [])),
    responses((status = 200, content_type = "image/webp"), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn page_preview(
    State(state): State<AppState>,
    Path((id, file)): Path<(String, String)>,
    Query(query): Query<ViewQuery>,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    let (item, _) = viewed_item(&state, &headers, &id, query.token.as_deref()).await?;
    let page = file
        .strip_suffix(".webp")
        .and_then(|n| n.parse::<u32>().ok())
        .filter(|&n| n >= 1 && n <= item.record.page_count.unwrap_or(0));
    let (Some(page), Some(prefix), Some(bucket)) =
        (page, &item.record.previews_s3_prefix, &item.record.bucket)
    else {
        return Err(ApiError::NoSuchOutput(format!(
            "document {id} has no preview {file:?} (pages are N.webp, 1 to its page count; \
             previews are made when PREVIEW_MAX_SIDE is not 0)"
        )));
    };
    let key = format!("{prefix}{}", processor::page::preview::file_name(page));
    let body = stored_stream(&state, bucket, &key).await?;
    Ok(viewer_response("image/webp", "private, max-age=300", body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_streamed_status_is_the_status_serialised_whole() {
        // The head, the stored result's bytes, `}`: the same JSON value as StatusBody's own
        // serialisation, whatever the record holds (its optional fields, a result key).
        let item = DocumentItem {
            id: "doc-1".into(),
            record: RecordFields {
                status: Status::Completed,
                bucket: Some("b".into()),
                result_s3_key: Some("results/doc-1.json".into()),
                page_count: Some(2),
                ..Default::default()
            },
            ..Default::default()
        };
        let result = DocumentResult::from_pages(Vec::new());
        let stored = serde_json::to_vec(&result).unwrap();
        let head = serde_json::to_vec(&StatusHead {
            document_id: &item.id,
            record: &item.record,
            view_url: "/v",
        })
        .unwrap();
        let mut streamed = open_for_one_more(head, "result");
        streamed.extend_from_slice(&stored);
        streamed.push(b'}');
        let whole = serde_json::to_value(StatusBody {
            document_id: item.id.clone(),
            record: item.record.clone(),
            view_url: "/v".into(),
            result: Some(result),
        })
        .unwrap();
        let streamed: serde_json::Value = serde_json::from_slice(&streamed).unwrap();
        assert_eq!(streamed, whole);
    }

    fn record(bucket: &str, file_type: Option<&str>) -> DocumentRecord {
        DocumentRecord {
            document_id: "d".into(),
            bucket: bucket.into(),
            key: "k.pdf".into(),
            status: Status::Pending,
            file_type: file_type.map(String::from),
            outputs: None,
            languages: None,
        }
    }

    fn strings(v: &[&str]) -> Option<Vec<String>> {
        Some(v.iter().map(|s| s.to_string()).collect())
    }

    fn outputs(v: &[&str]) -> Option<Vec<api::Output>> {
        Some(v.iter().map(|s| api::Output::from(s.to_string())).collect())
    }

    fn languages(v: &[&str]) -> Option<api::Languages> {
        Some(v.iter().copied().collect())
    }

    #[test]
    fn validation_rules() {
        let allowed = vec!["docs".to_string()];
        let langs = strings(&["deu", "eng"]).unwrap();
        let check = |r: &DocumentRecord, allowed: &[String]| validate(r, allowed, &langs);
        assert!(check(&record("docs", Some("PDF")), &allowed).is_ok());
        assert!(check(&record("docs", None), &allowed).is_ok());
        assert!(matches!(
            check(&record("other", None), &allowed),
            Err(ApiError::InvalidRecord(_))
        ));
        assert!(matches!(
            check(&record("docs", Some("docx")), &allowed),
            Err(ApiError::InvalidRecord(_))
        ));
        assert!(check(&record("anything", None), &[]).is_ok());
        let with = |outputs, languages| DocumentRecord {
            outputs,
            languages,
            ..record("docs", None)
        };
        assert!(check(
            &with(outputs(&["searchable_pdf"]), languages(&["deu"])),
            &allowed
        )
        .is_ok());
        let Err(ApiError::InvalidRecord(m)) = check(&with(outputs(&["docx"]), None), &allowed)
        else {
            panic!("an unknown output passed")
        };
        assert!(m.contains("unknown output \"docx\""), "{m}");
        let Err(ApiError::InvalidRecord(m)) = check(&with(None, languages(&["xyz"])), &allowed)
        else {
            panic!("an unknown language passed")
        };
        assert!(m.contains("\"xyz\" is not installed"), "{m}");
    }

    #[test]
    fn document_ids_are_limited_to_a_safe_set() {
        for ok in [
            "d",
            "doc-1.pdf",
            "550e8400-e29b-41d4-a716-446655440000",
            "A_b.C",
        ] {
            assert!(valid_document_id(ok), "{ok}");
        }
        let long = "a".repeat(129);
        for bad in [
            "",
            "a/b",
            "a?b",
            "a#b",
            "a b",
            "a\nb",
            "é",
            "..",
            long.as_str(),
        ] {
            assert!(!valid_document_id(bad), "{bad:?}");
        }
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
        for path in [
            "/health",
            "/process",
            "/status/{document_id}",
            "/documents/{document_id}/pdf",
            "/documents/{document_id}/view",
            "/documents/{document_id}/pages/{file}",
        ] {
            assert!(doc["paths"][path].is_object(), "{path} missing");
        }
        // The result's shape, tables' cells included, is described where /status returns it.
        let body = &doc["components"]["schemas"]["StatusBody"];
        let result = &body["properties"]["result"];
        let text = result.to_string() + &body.to_string();
        assert!(
            text.contains("cells") && text.contains("continued_from"),
            "{body}"
        );
    }
}
