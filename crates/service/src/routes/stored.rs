//! What a record names, read: the item from the table, an object from S3 as a bounded stream.

use super::ids::{valid_document_id, INVALID_ID};
use super::AppState;
use crate::api_error::ApiError;
use crate::record::DocumentItem;

/// How long a /status call waits for a free result stream before answering 503.
const RESULT_READ_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The record a path names: 422 for an id that cannot be one, 404 for one not in the table.
pub(super) async fn stored_item(state: &AppState, id: &str) -> Result<DocumentItem, ApiError> {
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

/// An object stored in S3 as a stream of its bytes, at most RESULT_READS at once (each holds a
/// stream's buffers); 503 `busy` after RESULT_READ_WAIT.
pub(super) async fn stored_stream(
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
