//! The result viewer's routes: the page (GET /documents/{id}/view) and its previews, for a
//! browser holding a view token or a script holding the API key; their security headers.

use super::ids::{valid_document_id, INVALID_ID};
use super::status::{status_json, view_url};
use super::stored::{stored_item, stored_stream};
use super::AppState;
use crate::api_error::{ApiError, ErrorBody};
use crate::record::DocumentItem;
use crate::view::token::now_secs;
use crate::view::{self, ViewPage};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::Deserialize;

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
