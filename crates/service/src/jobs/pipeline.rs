//! One document's way through the service: check the record, spool the file from S3, extract it in
//! a worker process, store the outcome (offloading a large result to S3) under our lease.

use super::{Deps, Job};
use crate::aws::dynamo::StoreError;
use crate::aws::s3::BlobError;
use crate::record::{self, DocumentItem, FailureCode, Outcome};
use crate::worker::supervisor::Ask;
use processor::page::preview::{self, Previews};
use processor::ErrorCode;
use std::time::{Duration, Instant};

/// Why a document could not be finished now: it goes back to pending for a later try.
struct Retry(String);

pub async fn run(deps: &Deps, job: Job) {
    let id = job.item.id.clone();
    let started = Instant::now();
    let attempts = job.item.record.attempts.unwrap_or(1);
    let outcome = if attempts > deps.settings.max_attempts {
        Ok(Outcome::failed(
            FailureCode::TooManyAttempts,
            &format!(
                "claimed {attempts} times, over the limit of {}",
                deps.settings.max_attempts
            ),
            0,
        ))
    } else {
        process(deps, &job.item).await
    };
    match outcome {
        Ok(outcome) => {
            let ms = started.elapsed().as_millis() as u64;
            let outcome = Outcome {
                processing_ms: ms,
                ..outcome
            };
            tracing::info!(document_id = %id, status = outcome.status.as_str(),
                error_code = ?outcome.error.as_ref().map(|e| e.0.as_str()),
                pages = outcome.page_count, processing_ms = ms, "document finished");
            write_outcome(deps, &job.item, outcome).await;
        }
        Err(Retry(why)) => {
            tracing::warn!(document_id = %id, reason = %why, "document handed back for a later try");
            // The claim stays counted: a document that always fails this way ends too_many_attempts.
            if let Err(e) = deps.store.release(&id, false).await {
                tracing::warn!(document_id = %id, error = %e, "could not hand the lease back; it will expire");
            }
        }
    }
    if let Some(reply) = job.reply {
        let item = deps.store.get(&id).await.ok().flatten().unwrap_or(job.item);
        let _ = reply.send(item);
    }
}

async fn process(deps: &Deps, item: &DocumentItem) -> Result<Outcome, Retry> {
    let (Some(bucket), Some(key)) = (item.record.bucket.as_deref(), item.record.key.as_deref())
    else {
        return Ok(Outcome::failed(
            ErrorCode::NotFound,
            "the record has no bucket or key",
            0,
        ));
    };
    let allowed = &deps.settings.allowed_buckets;
    if !allowed.is_empty() && !allowed.iter().any(|b| b == bucket) {
        return Ok(Outcome::failed(
            ErrorCode::AccessDenied,
            &format!("bucket {bucket} is not one this service may read"),
            0,
        ));
    }
    let options = match record::options(
        item.record.outputs.as_deref(),
        item.record.languages.as_ref(),
        &deps.settings.languages,
    ) {
        Ok(options) => options,
        Err(why) => return Ok(Outcome::failed(FailureCode::InvalidRecord, &why, 0)),
    };
    let spool = tempfile::Builder::new()
        .prefix("document-")
        .tempfile_in(&deps.settings.spool_dir)
        .map_err(|e| Retry(format!("cannot create a spool file: {e}")))?;
    let downloaded = deps
        .blobs
        .download(bucket, key, spool.path(), deps.settings.max_file_bytes)
        .await;
    let failed = |code: ErrorCode, e: BlobError| Ok(Outcome::failed(code, &e.to_string(), 0));
    match downloaded {
        Ok(_) => {}
        Err(e @ BlobError::NotFound { .. }) => return failed(ErrorCode::NotFound, e),
        Err(e @ BlobError::AccessDenied { .. }) => return failed(ErrorCode::AccessDenied, e),
        Err(e @ BlobError::TooLarge { .. }) => return failed(ErrorCode::TooLarge, e),
        Err(e @ BlobError::Rejected(_)) => return failed(ErrorCode::Internal, e),
        Err(e) => return Err(Retry(e.to_string())),
    }
    let pdf_spool = match options.searchable_pdf {
        true => Some(
            tempfile::Builder::new()
                .prefix("searchable-")
                .suffix(".pdf")
                .tempfile_in(&deps.settings.spool_dir)
                .map_err(|e| Retry(format!("cannot create a spool file: {e}")))?,
        ),
        false => None,
    };
    let previews_dir = match deps.settings.preview_max_side {
        0 => None,
        _ => Some(
            tempfile::Builder::new()
                .prefix("previews-")
                .tempdir_in(&deps.settings.spool_dir)
                .map_err(|e| Retry(format!("cannot create a spool folder: {e}")))?,
        ),
    };
    let ask = Ask {
        hint: item.record.file_type.as_deref(),
        languages: options.languages.as_ref(),
        searchable_pdf: pdf_spool.as_ref().map(|f| f.path()),
        previews: previews_dir.as_ref().map(|d| Previews {
            dir: d.path().to_path_buf(),
            max_side: deps.settings.preview_max_side,
        }),
    };
    let result = deps
        .supervisor
        .extract(spool.path(), ask)
        .await
        .map_err(Retry)?;
    drop(spool);
    let mut outcome = Outcome::from_result(result, 0);
    if let (Some(pdf), None) = (&pdf_spool, &outcome.error) {
        let key = record::searchable_pdf_key(&item.id);
        match deps
            .blobs
            .put_file(bucket, &key, pdf.path(), "application/pdf")
            .await
        {
            Ok(()) => outcome.searchable_pdf_s3_key = Some(key),
            Err(BlobError::Unavailable(m)) => return Err(Retry(m)),
            Err(e) => {
                tracing::error!(document_id = %item.id, error = %e, "the searchable PDF cannot be stored");
                return Ok(Outcome::failed(
                    ErrorCode::Internal,
                    "the searchable PDF could not be stored",
                    0,
                ));
            }
        }
    }
    if let (Some(dir), None) = (&previews_dir, &outcome.error) {
        outcome.previews_s3_prefix =
            store_previews(deps, bucket, &item.id, dir.path(), outcome.page_count).await?;
    }
    Ok(outcome)
}

/// Uploads the pages' previews, a few at a time; their prefix when every page's is stored. A
/// preview is for looking, not the result: one that is missing or refused leaves the record
/// without previews (the viewer then shows the boxes alone), while S3 being unavailable hands
/// the document back like any other store.
async fn store_previews(
    deps: &Deps,
    bucket: &str,
    id: &str,
    dir: &std::path::Path,
    pages: u32,
) -> Result<Option<String>, Retry> {
    use futures_util::StreamExt;
    let prefix = record::previews_prefix(id);
    let uploads = futures_util::stream::iter(1..=pages)
        .map(|page| {
            let (path, key) = (
                preview::page_path(dir, page),
                format!("{prefix}{}", preview::file_name(page)),
            );
            async move { deps.blobs.put_file(bucket, &key, &path, "image/webp").await }
        })
        .buffer_unordered(PREVIEW_UPLOADS)
        .collect::<Vec<_>>()
        .await;
    for outcome in uploads {
        match outcome {
            Ok(()) => {}
            Err(BlobError::Unavailable(m)) => return Err(Retry(m)),
            Err(e) => {
                tracing::warn!(document_id = %id, error = %e, "page previews not stored");
                return Ok(None);
            }
        }
    }
    Ok(Some(prefix))
}

/// Previews uploaded at once.
const PREVIEW_UPLOADS: usize = 4;

/// Why storing an outcome failed: worth another try, or never going to work.
enum WriteError {
    Transient(String),
    Permanent(String),
}

/// Stores the outcome, retrying transient errors with backoff (an emulator or region hiccup must not
/// leave the record processing) for ~2 minutes; then the lease expires and the sweep re-claims the
/// record. An error that cannot pass on retry (a refused request) is not retried: the record is
/// failed with `internal` and a short message instead, so it is neither stuck nor reprocessed.
async fn write_outcome(deps: &Deps, item: &DocumentItem, outcome: Outcome) {
    let id = &item.id;
    let mut delay = Duration::from_millis(250);
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut outcome = outcome;
    loop {
        match try_write(deps, item, &outcome).await {
            Ok(true) => return,
            Ok(false) => {
                tracing::warn!(document_id = %id, "lease lost before the result was stored; another task owns it");
                return;
            }
            Err(WriteError::Permanent(e)) if outcome.error.is_none() => {
                tracing::error!(document_id = %id, error = %e, "the result cannot be stored; failing the record");
                outcome = Outcome::failed(
                    ErrorCode::Internal,
                    "the result could not be stored",
                    outcome.processing_ms,
                );
            }
            Err(WriteError::Permanent(e)) => {
                tracing::error!(document_id = %id, error = %e, "the outcome cannot be stored; the lease will expire");
                return;
            }
            Err(WriteError::Transient(e)) if Instant::now() < deadline => {
                tracing::warn!(document_id = %id, error = %e, "storing the result failed; retrying");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(10));
            }
            Err(WriteError::Transient(e)) => {
                tracing::error!(document_id = %id, error = %e, "result not stored; the lease will expire and the sweep retry it");
                return;
            }
        }
    }
}

async fn try_write(
    deps: &Deps,
    item: &DocumentItem,
    outcome: &Outcome,
) -> Result<bool, WriteError> {
    let result_key = outcome
        .offload
        .as_ref()
        .map(|_| record::results_key(&item.id));
    if let (Some(body), Some(rk), Some(bucket)) =
        (&outcome.offload, &result_key, &item.record.bucket)
    {
        deps.blobs
            .put_json(bucket, rk, body.clone())
            .await
            .map_err(|e| match e {
                BlobError::Unavailable(m) => WriteError::Transient(m),
                other => WriteError::Permanent(other.to_string()),
            })?;
    }
    // Checked before the write: DynamoDB would refuse the item, and retrying cannot change that.
    let size = outcome.item_bytes();
    if size > record::ITEM_WRITE_BUDGET {
        return Err(WriteError::Permanent(format!(
            "the item would be {size} bytes, over the budget of {}",
            record::ITEM_WRITE_BUDGET
        )));
    }
    deps.store
        .finish(&item.id, outcome, result_key.as_deref())
        .await
        .map_err(|e| match e {
            StoreError::Unavailable(m) => WriteError::Transient(m),
            other => WriteError::Permanent(other.to_string()),
        })
}
