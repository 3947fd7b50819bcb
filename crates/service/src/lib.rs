//! The `document-processor` service: HTTP API over S3 and DynamoDB (`serve`), the local
//! extractor (`extract`), a set-up check (`doctor`) and the supervised extraction process (`worker`). `main.rs` only wires these.

pub mod api_error;
pub mod auth;
pub mod aws;
pub mod cli;
pub mod doctor;
pub mod extract;
pub mod extract_inputs;
pub mod jobs;
pub mod metrics;
pub mod openmp;
pub mod record;
pub mod routes;
pub mod settings;
pub mod startup;
pub mod tables_csv;
pub mod telemetry;
pub mod view;
pub mod worker;
