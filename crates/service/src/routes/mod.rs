//! The HTTP API of DESIGN.md, one file per concern: /health, /process, /status/{id}, the
//! searchable PDF, the viewer and its previews, and /openapi.json; `stored` reads what a record
//! names from the table and S3.

mod health;
mod ids;
mod openapi;
mod pdf;
mod process;
mod status;
mod stored;
mod viewer;

use crate::aws::dynamo::Store;
use crate::aws::s3::Blobs;
use crate::jobs::JobQueue;
use crate::view::token::ViewTokens;
use std::sync::Arc;

pub use health::{health, Health};
pub use ids::valid_document_id;
pub use openapi::{openapi_json, ApiDoc};
pub use pdf::searchable_pdf;
pub use process::{process, Accepted, ProcessQuery};
pub use status::{status, StatusBody};
pub use viewer::{document_view, page_preview, ViewQuery};

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
