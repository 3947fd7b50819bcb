//! GET /documents/{id}/pdf: the searchable PDF a record asked for.

use super::stored::{stored_item, stored_stream};
use super::AppState;
use crate::api_error::{ApiError, ErrorBody};
use crate::record::Status;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

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
