//! Documents and offloaded results in S3. Downloads stream to a spool file under a byte cap, so a
//! queue of large documents costs disk, not memory.

use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::Client;
use std::path::Path;
use tokio::io::AsyncWriteExt;

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("s3://{bucket}/{key} does not exist")]
    NotFound { bucket: String, key: String },
    #[error("access to s3://{bucket}/{key} is denied")]
    AccessDenied { bucket: String, key: String },
    #[error("the object is {size} bytes, over the limit of {limit}")]
    TooLarge { size: u64, limit: u64 },
    #[error("S3 is unavailable: {0}")]
    Unavailable(String),
    #[error("S3 refused the request: {0}")]
    Rejected(String),
    #[error("spool file: {0}")]
    Spool(#[from] std::io::Error),
}

#[derive(Clone)]
pub struct Blobs {
    client: Client,
}

fn classify<E: ProvideErrorMetadata + std::fmt::Debug>(
    e: SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
    bucket: &str,
    key: &str,
) -> BlobError {
    let status = e.raw_response().map(|r| r.status().as_u16());
    let code = match &e {
        SdkError::ServiceError(s) => s.err().code().map(str::to_string),
        _ => None,
    };
    let (bucket, key) = (bucket.to_string(), key.to_string());
    match (status, code.as_deref()) {
        (_, Some("NoSuchKey" | "NoSuchBucket" | "NotFound")) | (Some(404), _) => {
            BlobError::NotFound { bucket, key }
        }
        (_, Some("AccessDenied" | "AllAccessDisabled")) | (Some(403), _) => {
            BlobError::AccessDenied { bucket, key }
        }
        (Some(s), _) if s >= 500 => BlobError::Unavailable(format!("HTTP {s}")),
        (None, _) => BlobError::Unavailable(format!("{e:?}")),
        _ => BlobError::Rejected(format!("{e:?}")),
    }
}

impl Blobs {
    pub fn new(client: Client) -> Self {
        Blobs { client }
    }

    /// Streams an object into `dest`, refusing by Content-Length and stopping a stream that passes
    /// `limit` (a missing or lying length never makes it buffer more).
    pub async fn download(
        &self,
        bucket: &str,
        key: &str,
        dest: &Path,
        limit: u64,
    ) -> Result<u64, BlobError> {
        let out = self.get_object(bucket, key).await?;
        if let Some(len) = out.content_length() {
            if len as u64 > limit {
                return Err(BlobError::TooLarge {
                    size: len as u64,
                    limit,
                });
            }
        }
        let mut body = out.body;
        let mut file = tokio::fs::File::create(dest).await?;
        let mut total = 0u64;
        while let Some(chunk) = body
            .try_next()
            .await
            .map_err(|e| BlobError::Unavailable(format!("download interrupted: {e}")))?
        {
            total += chunk.len() as u64;
            if total > limit {
                return Err(BlobError::TooLarge { size: total, limit });
            }
            file.write_all(&chunk).await?;
        }
        file.flush().await?;
        Ok(total)
    }

    pub async fn put_json(&self, bucket: &str, key: &str, body: Vec<u8>) -> Result<(), BlobError> {
        self.client
            .put_object()
            .bucket(bucket)
            .key(key)
            .content_type("application/json")
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(|e| classify(e, bucket, key))?;
        Ok(())
    }

    /// Uploads a file, read from disk as it is sent.
    pub async fn put_file(
        &self,
        bucket: &str,
        key: &str,
        path: &std::path::Path,
        content_type: &str,
    ) -> Result<(), BlobError> {
        let body = ByteStream::from_path(path)
            .await
            .map_err(|e| BlobError::Rejected(format!("cannot read {}: {e}", path.display())))?;
        self.client
            .put_object()
            .bucket(bucket)
            .key(key)
            .content_type(content_type)
            .body(body)
            .send()
            .await
            .map_err(|e| classify(e, bucket, key))?;
        Ok(())
    }

    async fn get_object(
        &self,
        bucket: &str,
        key: &str,
    ) -> Result<aws_sdk_s3::operation::get_object::GetObjectOutput, BlobError> {
        self.client
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| classify(e, bucket, key))
    }

    /// The object's body as a stream, for answers that pass it on without holding it whole.
    pub async fn get_stream(&self, bucket: &str, key: &str) -> Result<ByteStream, BlobError> {
        Ok(self.get_object(bucket, key).await?.body)
    }
}
