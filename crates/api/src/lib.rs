//! Wire types shared by the service and the Lambda trigger: the `/process` request body.
//! Serde only, so the Lambda carries none of the service's dependencies.

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
    #[serde(default = "pending")]
    pub status: String,
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

/// The one extra output a record may ask for.
pub const SEARCHABLE_PDF: &str = "searchable_pdf";

fn pending() -> String {
    "pending".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(body.record.status, "pending");
        assert_eq!(body.record.file_type, None);
        assert_eq!(body.record.outputs, None);
        assert!(
            serde_json::from_str::<ProcessRequest>(r#"{"record":{"bucket":"b","key":"k"}}"#)
                .is_err()
        );
    }
}
