//! POST /process: a record checked, claimed and queued (or answered when already finished).

use super::ids::{valid_document_id, INVALID_ID};
use super::status::{status_response, StatusBody};
use super::AppState;
use crate::api_error::{ApiError, ErrorBody};
use crate::aws::dynamo::{Claim, ClaimRequest};
use crate::jobs::Job;
use crate::record::DocumentItem;
use crate::record::{self, Status};
use api::{DocumentRecord, ProcessRequest};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use processor::Format;
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot};
use utoipa::ToSchema;

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
    let document_id = record.document_id.clone();
    let (reply, answer) = match query.wait {
        true => {
            let (tx, rx) = oneshot::channel();
            (Some(tx), Some(rx))
        }
        false => (None, None),
    };
    // The claim and the hand-off to the queue run to their end in a task of their own: a caller
    // that hangs up (a relay killed mid-batch) drops this handler, and a record claimed but never
    // queued would stay `processing` with nobody working on it and no lease being renewed.
    let claim = tokio::spawn(claim_and_queue(state.clone(), record, permit, reply))
        .await
        .map_err(|e| ApiError::Internal(format!("the claim did not finish: {e}")))??;
    match (claim, answer) {
        (Claim::Claimed(_), Some(answer)) => {
            let item = answer
                .await
                .map_err(|_| ApiError::Internal("the job ended without an answer".into()))?;
            status_response(&state, item).await
        }
        (Claim::Claimed(_) | Claim::Busy(_), _) => Ok(accepted(&document_id)),
        (Claim::Done(item), _) => status_response(&state, item).await,
        (Claim::Missing, _) => Err(ApiError::Internal(
            "the record vanished during the claim".into(),
        )),
    }
}

/// Claims the record and, when this task now holds it, queues it in the place reserved for it.
async fn claim_and_queue(
    state: AppState,
    record: DocumentRecord,
    permit: mpsc::OwnedPermit<Job>,
    reply: Option<oneshot::Sender<DocumentItem>>,
) -> Result<Claim, ApiError> {
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
    if let Claim::Claimed(item) = &claim {
        state.queue.enqueue(permit, item.clone(), reply);
    }
    Ok(claim)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
