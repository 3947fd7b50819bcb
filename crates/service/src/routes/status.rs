//! GET /status/{id}: the record, its view link and its result, streamed (a result stored in S3
//! is never parsed or held whole).

use super::stored::{stored_item, stored_stream};
use super::AppState;
use crate::api_error::{ApiError, ErrorBody};
use crate::record::{DocumentItem, RecordFields, Status};
use crate::view::token::now_secs;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use processor::DocumentResult;
use serde::Serialize;
use utoipa::ToSchema;

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

/// The /status answer: the record, its view link and its result.
pub(super) async fn status_response(
    state: &AppState,
    item: DocumentItem,
) -> Result<Response, ApiError> {
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
pub(super) async fn status_json(
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
pub(super) fn view_url(state: &AppState, id: &str) -> String {
    format!(
        "/documents/{id}/view?token={}",
        state.view_tokens.issue(id, now_secs())
    )
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
}
