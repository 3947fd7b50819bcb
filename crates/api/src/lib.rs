//! Wire types shared by the service, the Lambda trigger and the relay: the `/process` request
//! body and the record's vocabulary (status, outputs, languages, attribute names). Serde only, so the Lambda carries none of the service's
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
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<String>>, example = json!(["searchable_pdf"])))]
    pub outputs: Option<Vec<Output>>,
    /// Additive to the original's body: Tesseract languages to read the document in, first the
    /// main one (`["deu", "eng"]`); the service's own languages when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<String>>, example = json!(["deu", "eng"])))]
    pub languages: Option<Languages>,
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

/// The one extra output a record may ask for, by name.
pub const SEARCHABLE_PDF: &str = "searchable_pdf";

/// An extra output a record asks for. A name the service does not make is kept as written
/// (`Other`), so that a record carrying one still reads and fails with `invalid_record` naming it,
/// rather than failing to deserialise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Output {
    /// `searchable_pdf`: the document as a PDF with its words as invisible text.
    SearchablePdf,
    Other(String),
}

impl Output {
    pub fn as_str(&self) -> &str {
        match self {
            Output::SearchablePdf => SEARCHABLE_PDF,
            Output::Other(name) => name,
        }
    }
}

impl From<String> for Output {
    fn from(name: String) -> Self {
        match name.as_str() {
            SEARCHABLE_PDF => Output::SearchablePdf,
            _ => Output::Other(name),
        }
    }
}

impl From<Output> for String {
    fn from(output: Output) -> Self {
        match output {
            Output::SearchablePdf => SEARCHABLE_PDF.to_string(),
            Output::Other(name) => name,
        }
    }
}

/// Tesseract languages, main one first (`["deu", "eng"]`). A list on the wire and in the table;
/// Tesseract's own `deu+eng` form only where the engine is configured ([`Languages::tesseract`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Languages(pub Vec<String>);

impl Languages {
    /// From Tesseract's form: `"deu+eng"` is `["deu", "eng"]`; empty names are dropped.
    pub fn parse_tesseract(joined: &str) -> Self {
        Languages(
            joined
                .split('+')
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
        )
    }

    /// Tesseract's form: `deu+eng`.
    pub fn tesseract(&self) -> String {
        self.0.join("+")
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

impl<S: Into<String>> FromIterator<S> for Languages {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        Languages(iter.into_iter().map(Into::into).collect())
    }
}

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
            Some(&[Output::SearchablePdf][..])
        );
        assert_eq!(
            body.record.languages,
            Some(Languages::from_iter(["deu", "eng"]))
        );
        assert_eq!(serde_json::to_string(&body).unwrap(), json);
    }

    #[test]
    fn an_unknown_output_reads_and_keeps_its_name() {
        let outputs: Vec<Output> = serde_json::from_str(r#"["searchable_pdf","hocr"]"#).unwrap();
        assert_eq!(
            outputs,
            [Output::SearchablePdf, Output::Other("hocr".into())]
        );
        assert_eq!(outputs[1].as_str(), "hocr");
        assert_eq!(
            serde_json::to_string(&outputs).unwrap(),
            r#"["searchable_pdf","hocr"]"#
        );
    }

    #[test]
    fn languages_are_a_list_and_tesseract_joins_them() {
        let langs: Languages = serde_json::from_str(r#"["deu","eng"]"#).unwrap();
        assert_eq!(langs.tesseract(), "deu+eng");
        assert_eq!(Languages::parse_tesseract("deu+eng"), langs);
        assert_eq!(
            Languages::parse_tesseract(" eng+ "),
            Languages::from_iter(["eng"])
        );
        assert_eq!(serde_json::to_string(&langs).unwrap(), r#"["deu","eng"]"#);
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
