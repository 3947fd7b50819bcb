//! Wire types shared by the service, the Lambda trigger and the relay: the `/process` request
//! body and the record's status. Serde only, so the Lambda carries none of the service's
//! dependencies.

use serde::{Deserialize, Serialize};

/// Body of `POST /process`: `{"record": {...}}`, the original service's shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProcessRequest {
    pub record: DocumentRecord,
}

/// The document record as the trigger sends it (`id` in DynamoDB is `document_id` here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentRecord {
    pub document_id: String,
    pub bucket: String,
    pub key: String,
    #[serde(default)]
    pub status: Status,
    /// A hint only (pdf, png, jpg/jpeg, tif/tiff, bmp, gif, webp): the content decides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_type: Option<String>,
    /// Additive to the original's body: extra outputs to make (`searchable_pdf`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outputs: Option<Vec<String>>,
    /// Additive to the original's body: Tesseract languages to read the document in, first the
    /// main one (`["deu", "eng"]`); the service's own languages when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub languages: Option<Vec<String>>,
}

/// The document record's attribute names in the table (DynamoDB), for every crate that reads or
/// writes them by name. The service's item type serialises to exactly these (its tests check it),
/// so a renamed field cannot quietly stop matching a query.
pub mod attr {
    pub const ID: &str = "id";
    pub const STATUS: &str = "status";
    pub const BUCKET: &str = "bucket";
    pub const KEY: &str = "key";
    pub const FILE_TYPE: &str = "file_type";
    pub const CREATED_AT: &str = "created_at";
    pub const UPDATED_AT: &str = "updated_at";
    pub const PROCESSING_STARTED_AT: &str = "processing_started_at";
    pub const COMPLETED_AT: &str = "completed_at";
    pub const ATTEMPTS: &str = "attempts";
    pub const PROCESSING_MS: &str = "processing_ms";
    pub const PAGE_COUNT: &str = "page_count";
    pub const ERROR_CODE: &str = "error_code";
    pub const ERROR_MESSAGE: &str = "error_message";
    pub const RESULT_S3_KEY: &str = "result_s3_key";
    pub const OUTPUTS: &str = "outputs";
    pub const LANGUAGES: &str = "languages";
    pub const SEARCHABLE_PDF_S3_KEY: &str = "searchable_pdf_s3_key";
    pub const PREVIEWS_S3_PREFIX: &str = "previews_s3_prefix";
    pub const LEASE_OWNER: &str = "lease_owner";
    pub const LEASE_EXPIRES_AT: &str = "lease_expires_at";
    pub const TEXT: &str = "text";
    pub const QR_CODES: &str = "qr_codes";
    pub const CODES: &str = "codes";
    pub const PAGES: &str = "pages";
    pub const FIELDS: &str = "fields";
    pub const LINE_ITEMS: &str = "line_items";
    /// Every name above.
    pub const ALL: &[&str] = &[
        ID,
        STATUS,
        BUCKET,
        KEY,
        FILE_TYPE,
        CREATED_AT,
        UPDATED_AT,
        PROCESSING_STARTED_AT,
        COMPLETED_AT,
        ATTEMPTS,
        PROCESSING_MS,
        PAGE_COUNT,
        ERROR_CODE,
        ERROR_MESSAGE,
        RESULT_S3_KEY,
        OUTPUTS,
        LANGUAGES,
        SEARCHABLE_PDF_S3_KEY,
        PREVIEWS_S3_PREFIX,
        LEASE_OWNER,
        LEASE_EXPIRES_AT,
        TEXT,
        QR_CODES,
        CODES,
        PAGES,
        FIELDS,
        LINE_ITEMS,
    ];
}

/// The one extra output a record may ask for.
pub const SEARCHABLE_PDF: &str = "searchable_pdf";

/// A record's place in its lifecycle (DESIGN.md): pending -> processing -> completed | failed.
/// One type for every crate that reads or writes it: a misspelt status does not compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Pending,
    Processing,
    Completed,
    Failed,
    /// A value the service never writes (a user's own); such a record is left alone.
    #[serde(other)]
    Unknown,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Processing => "processing",
            Status::Completed => "completed",
            Status::Failed => "failed",
            Status::Unknown => "unknown",
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, Status::Completed | Status::Failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_their_lowercase_names() {
        for s in [
            Status::Pending,
            Status::Processing,
            Status::Completed,
            Status::Failed,
        ] {
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
            assert_eq!(
                serde_json::from_str::<Status>(&format!("\"{}\"", s.as_str())).unwrap(),
                s
            );
        }
        assert_eq!(
            serde_json::from_str::<Status>("\"archived\"").unwrap(),
            Status::Unknown
        );
    }

    #[test]
    fn body_round_trips_in_the_original_shape() {
        let json = r#"{"record":{"document_id":"d1","bucket":"b","key":"in/x.pdf","status":"pending","file_type":"pdf"}}"#;
        let body: ProcessRequest = serde_json::from_str(json).unwrap();
        assert_eq!(body.record.document_id, "d1");
        assert_eq!(body.record.file_type.as_deref(), Some("pdf"));
        assert_eq!(serde_json::to_string(&body).unwrap(), json);
    }

    #[test]
    fn outputs_and_languages_are_optional_additions() {
        let json = r#"{"record":{"document_id":"d1","bucket":"b","key":"k","status":"pending","outputs":["searchable_pdf"],"languages":["deu","eng"]}}"#;
        let body: ProcessRequest = serde_json::from_str(json).unwrap();
        assert_eq!(
            body.record.outputs.as_deref(),
            Some(&[SEARCHABLE_PDF.to_string()][..])
        );
        assert_eq!(body.record.languages.as_ref().map(Vec::len), Some(2));
        assert_eq!(serde_json::to_string(&body).unwrap(), json);
    }

    #[test]
    fn status_defaults_to_pending_and_file_type_is_optional() {
        let body: ProcessRequest =
            serde_json::from_str(r#"{"record":{"document_id":"d","bucket":"b","key":"k"}}"#)
                .unwrap();
        assert_eq!(body.record.status, Status::Pending);
        assert_eq!(body.record.file_type, None);
        assert_eq!(body.record.outputs, None);
        assert!(
            serde_json::from_str::<ProcessRequest>(r#"{"record":{"bucket":"b","key":"k"}}"#)
                .is_err()
        );
    }
}
