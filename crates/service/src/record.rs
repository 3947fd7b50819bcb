//! The DynamoDB item and what is written into it — pure data and rules, no I/O.

use aws_sdk_dynamodb::types::AttributeValue;
use processor::{
    DocumentCode, DocumentQr, DocumentResult, ErrorCode, Fields, LineItem, PageResult, ProcessError,
};
use serde::{Deserialize, Serialize};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub use api::{attr, Languages, Output, Status};

/// Why a record failed: an engine code, or a record-level one. Stored as its string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureCode {
    Engine(ErrorCode),
    /// Claimed more often than MAX_ATTEMPTS.
    TooManyAttempts,
    /// The record's own options cannot be met (an unknown output, a language not installed):
    /// what /process answers 422 `invalid_record` for, found on a record written to the table.
    InvalidRecord,
}

impl FailureCode {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureCode::Engine(code) => code.as_str(),
            FailureCode::TooManyAttempts => "too_many_attempts",
            FailureCode::InvalidRecord => "invalid_record",
        }
    }
}

impl From<ErrorCode> for FailureCode {
    fn from(code: ErrorCode) -> Self {
        FailureCode::Engine(code)
    }
}

/// DynamoDB caps an item at 400 KB (names and values, the user's own attributes included). What
/// this service writes stays under this, measured the way DynamoDB counts.
pub const ITEM_WRITE_BUDGET: usize = 300_000;
/// Text kept on the item when the full result went to S3, in bytes.
pub const SUMMARY_TEXT_BYTES: usize = 20_000;
/// QR codes (and, apart, codes of every kind) kept on the item when the full result went to S3, in
/// bytes of their attributes.
pub const SUMMARY_QR_BYTES: usize = 40_000;

/// The item as this service reads it. Unknown attributes (the user's own) are ignored on read and
/// never touched on write: every write is an UpdateItem of named attributes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DocumentItem {
    pub id: String,
    #[serde(flatten)]
    pub record: RecordFields,
    /// Epoch milliseconds.
    pub lease_expires_at: Option<i64>,
    pub lease_owner: Option<String>,
    pub text: Option<String>,
    pub qr_codes: Option<Vec<DocumentQr>>,
    pub codes: Option<Vec<DocumentCode>>,
    pub pages: Option<Vec<PageResult>>,
    /// A receipt's or an invoice's key fields: always on the item when found (small), so that they
    /// can be queried without the result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Fields>,
    /// With the pages: on the item when the whole result fits, else in S3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_items: Option<Vec<LineItem>>,
}

/// The record's own fields, as stored and as /status shows them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RecordFields {
    #[serde(default)]
    pub status: Status,
    pub bucket: Option<String>,
    pub key: Option<String>,
    pub file_type: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub processing_started_at: Option<String>,
    pub completed_at: Option<String>,
    pub attempts: Option<u32>,
    pub processing_ms: Option<u64>,
    pub page_count: Option<u32>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// Where the full result is when it did not fit the item.
    pub result_s3_key: Option<String>,
    /// Extra outputs the record asked for (`searchable_pdf`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<String>>)]
    pub outputs: Option<Vec<Output>>,
    /// Languages the record asked to be read in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<String>>)]
    pub languages: Option<Languages>,
    /// Where the searchable PDF is (`results/{id}.pdf`), when one was asked for and made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub searchable_pdf_s3_key: Option<String>,
    /// Where the pages' previews are (`results/{id}/pages/`, then `N.webp`), when they were made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previews_s3_prefix: Option<String>,
}

impl DocumentItem {
    pub fn is_final(&self) -> bool {
        self.record.status.is_final()
    }

    /// The result as stored on the item (pages only when the whole result fit).
    pub fn inline_result(&self) -> Option<DocumentResult> {
        match self.record.status {
            Status::Completed => Some(DocumentResult {
                page_count: self.record.page_count.unwrap_or(0),
                text: self.text.clone().unwrap_or_default(),
                pages: self.pages.clone().unwrap_or_default(),
                qr_codes: self.qr_codes.clone().unwrap_or_default(),
                codes: self.codes.clone().unwrap_or_default(),
                fields: self.fields.clone().unwrap_or_default(),
                line_items: self.line_items.clone().unwrap_or_default(),
                error: None,
            }),
            Status::Failed => Some(DocumentResult::failed(ProcessError {
                code: serde_json::from_value(serde_json::Value::String(
                    self.record
                        .error_code
                        .clone()
                        .unwrap_or_else(|| "internal".into()),
                ))
                .unwrap_or(processor::ErrorCode::Internal),
                message: self.record.error_message.clone().unwrap_or_default(),
            })),
            _ => None,
        }
    }
}

/// What a finished document writes: the item's attributes, and the full result for S3 when it
/// does not fit the item.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: Status,
    pub page_count: u32,
    /// The result's parts as the item's attributes, each converted to DynamoDB's form once: what
    /// the item's size is counted on is what is written.
    pub parts: ResultParts,
    pub error: Option<(FailureCode, String)>,
    pub processing_ms: u64,
    /// The full result JSON, to be stored at `results/{id}.json`.
    pub offload: Option<Vec<u8>>,
    /// The searchable PDF made for the record, stored already.
    pub searchable_pdf_s3_key: Option<String>,
    /// The pages' previews, stored already under this prefix.
    pub previews_s3_prefix: Option<String>,
}

/// The result's attributes on the item, by name; a part that is absent is removed from the item
/// (an earlier attempt's must not outlive it).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResultParts(Vec<(&'static str, AttributeValue)>);

impl ResultParts {
    /// Every attribute a result may write: `text`, `qr_codes` and `codes` always (empty on a
    /// failure), `pages` and `line_items` when the whole result is on the item, `fields` when found.
    pub const NAMES: [&'static str; 6] = [
        attr::TEXT,
        attr::QR_CODES,
        attr::CODES,
        attr::PAGES,
        attr::FIELDS,
        attr::LINE_ITEMS,
    ];

    fn add<T: Serialize>(&mut self, name: &'static str, v: &T) -> Result<(), String> {
        let av = serde_dynamo::to_attribute_value(v).map_err(|e| format!("{name}: {e}"))?;
        self.0.push((name, av));
        Ok(())
    }

    /// Takes a part out (the summary reuses the whole result's converted codes).
    fn take(&mut self, name: &str) -> Option<AttributeValue> {
        let at = self.0.iter().position(|(n, _)| *n == name)?;
        Some(self.0.swap_remove(at).1)
    }

    pub fn get(&self, name: &str) -> Option<&AttributeValue> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    pub fn iter(&self) -> impl Iterator<Item = &(&'static str, AttributeValue)> {
        self.0.iter()
    }

    /// Their weight in DynamoDB's count, names included.
    fn bytes(&self) -> usize {
        self.0.iter().map(|(n, v)| n.len() + av_bytes(v)).sum()
    }

    /// The attributes of a whole result, or of its summary (`pages` None: on S3).
    fn of(
        text: &str,
        qr_codes: AttributeValue,
        codes: AttributeValue,
        pages: Option<&[PageResult]>,
        fields: &Fields,
        line_items: Option<&[LineItem]>,
    ) -> Result<ResultParts, String> {
        let mut parts = ResultParts::default();
        parts
            .0
            .push((attr::TEXT, AttributeValue::S(text.to_string())));
        parts.0.push((attr::QR_CODES, qr_codes));
        parts.0.push((attr::CODES, codes));
        if let Some(pages) = pages {
            parts.add(attr::PAGES, &pages)?;
        }
        if !fields.is_empty() {
            parts.add(attr::FIELDS, fields)?;
        }
        if let Some(items) = line_items.filter(|l| !l.is_empty()) {
            parts.add(attr::LINE_ITEMS, &items)?;
        }
        Ok(parts)
    }
}

impl Outcome {
    /// The whole result on the item when it fits; else the result goes to S3 and the item keeps a
    /// bounded summary (text excerpt, first codes), which always fits. Each part is converted to
    /// an attribute once, and the JSON for S3 is the result's own serialisation.
    pub fn from_result(result: DocumentResult, processing_ms: u64) -> Outcome {
        if let Some(e) = result.error {
            return Outcome::failed(e.code, &e.message, processing_ms);
        }
        let converted = (|| -> Result<Outcome, String> {
            let whole = ResultParts::of(
                &result.text,
                AttributeValue::L(each_to_av(&result.qr_codes)?),
                AttributeValue::L(each_to_av(&result.codes)?),
                Some(&result.pages),
                &result.fields,
                Some(&result.line_items),
            )?;
            let mut outcome = Outcome {
                status: Status::Completed,
                page_count: result.page_count,
                parts: whole,
                error: None,
                processing_ms,
                offload: None,
                searchable_pdf_s3_key: None,
                previews_s3_prefix: None,
            };
            if outcome.item_bytes() <= ITEM_WRITE_BUDGET {
                return Ok(outcome);
            }
            outcome.offload = Some(serde_json::to_vec(&result).map_err(|e| e.to_string())?);
            // The summary's codes are the first of those converted for the whole result.
            let mut first = |name| match outcome.parts.take(name) {
                Some(AttributeValue::L(items)) => {
                    AttributeValue::L(first_within(items, SUMMARY_QR_BYTES))
                }
                _ => AttributeValue::L(Vec::new()),
            };
            let (qr, codes) = (first(attr::QR_CODES), first(attr::CODES));
            outcome.parts = ResultParts::of(
                truncate_bytes(&result.text, SUMMARY_TEXT_BYTES),
                qr,
                codes,
                None,
                &result.fields,
                None,
            )?;
            Ok(outcome)
        })();
        converted.unwrap_or_else(|e| {
            tracing::error!(error = %e, "the result cannot be written as attributes");
            Outcome::failed(
                ErrorCode::Internal,
                "the result could not be stored",
                processing_ms,
            )
        })
    }

    pub fn failed(code: impl Into<FailureCode>, message: &str, processing_ms: u64) -> Outcome {
        let empty = AttributeValue::L(Vec::new());
        Outcome {
            status: Status::Failed,
            page_count: 0,
            parts: ResultParts::of("", empty.clone(), empty, None, &Fields::default(), None)
                .expect("empty parts convert"),
            error: Some((code.into(), truncate_bytes(message, 4096).to_string())),
            processing_ms,
            offload: None,
            searchable_pdf_s3_key: None,
            previews_s3_prefix: None,
        }
    }

    /// What the attributes this outcome writes weigh in DynamoDB's count (names included).
    pub fn item_bytes(&self) -> usize {
        let mut total = self.parts.bytes();
        if let Some((code, message)) = &self.error {
            total += attr::ERROR_CODE.len() + code.as_str().len();
            total += attr::ERROR_MESSAGE.len() + message.len();
        }
        if let Some(key) = &self.searchable_pdf_s3_key {
            total += attr::SEARCHABLE_PDF_S3_KEY.len() + key.len();
        }
        // status, timestamps, counts, lease removal, result key: small and fixed.
        total + 400
    }
}

/// Each item of a list as an attribute value (a list's attribute is the list of these).
fn each_to_av<T: Serialize>(items: &[T]) -> Result<Vec<AttributeValue>, String> {
    items
        .iter()
        .map(|item| serde_dynamo::to_attribute_value(item).map_err(|e| e.to_string()))
        .collect()
}

/// The first items whose attributes stay within `budget` bytes (each counted as a list element).
fn first_within(items: Vec<AttributeValue>, budget: usize) -> Vec<AttributeValue> {
    let mut used = 0;
    items
        .into_iter()
        .take_while(|item| {
            used += av_bytes(item);
            used <= budget
        })
        .collect()
}

/// An attribute value's size as DynamoDB counts it: UTF-8 bytes of strings, about one byte per
/// two digits of numbers, 3 bytes per list or map plus 1 per element, map keys by their length.
pub fn av_bytes(av: &AttributeValue) -> usize {
    match av {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => n.len().div_ceil(2) + 1,
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::L(items) => 3 + items.iter().map(|v| 1 + av_bytes(v)).sum::<usize>(),
        AttributeValue::M(map) => {
            3 + map
                .iter()
                .map(|(k, v)| 1 + k.len() + av_bytes(v))
                .sum::<usize>()
        }
        AttributeValue::Ss(v) => v.iter().map(String::len).sum(),
        AttributeValue::Ns(v) => v.iter().map(|n| n.len().div_ceil(2) + 1).sum(),
        AttributeValue::Bs(v) => v.iter().map(|b| b.as_ref().len()).sum(),
        _ => 16,
    }
}

/// The longest prefix of `s` within `max` bytes that ends on a character boundary.
fn truncate_bytes(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

pub fn results_key(id: &str) -> String {
    format!("results/{id}.json")
}

pub fn searchable_pdf_key(id: &str) -> String {
    format!("results/{id}.pdf")
}

/// The folder of a record's page previews; page N is `{prefix}N.webp`.
pub fn previews_prefix(id: &str) -> String {
    format!("results/{id}/pages/")
}

/// What a record asks of the extraction beyond the defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Checked against the installed ones, each once; None: the service's languages.
    pub languages: Option<Languages>,
    pub searchable_pdf: bool,
}

/// A record's `outputs` and `languages` checked (against the installed languages), or why not.
pub fn options(
    outputs: Option<&[Output]>,
    languages: Option<&Languages>,
    installed: &[String],
) -> Result<Options, String> {
    let mut searchable_pdf = false;
    for output in outputs.unwrap_or_default() {
        match output {
            Output::SearchablePdf => searchable_pdf = true,
            Output::Other(name) => {
                return Err(format!(
                    "unknown output {name:?} (outputs: {})",
                    api::SEARCHABLE_PDF
                ))
            }
        }
    }
    let languages = languages
        .map(|l| processor::recognition::languages::choose(l.as_slice(), installed).map(Languages))
        .transpose()?;
    Ok(Options {
        languages,
        searchable_pdf,
    })
}

pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

pub fn epoch_ms(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_millis() as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use processor::{BBox, ErrorCode, Source, Word};

    fn page(n: u32, words: usize) -> PageResult {
        PageResult {
            page: n,
            width: 100,
            height: 100,
            dpi: Some(300),
            source: Source::Ocr,
            rotation: 0,
            skew: 0.0,
            text: "word ".repeat(words),
            confidence: Some(90.0),
            blocks: Vec::new(),
            words: (0..words)
                .map(|_| Word {
                    text: "word".into(),
                    confidence: 90.0,
                    bbox: BBox::default(),
                })
                .collect(),
            qr_codes: vec![],
            codes: vec![],
        }
    }

    fn qr(n: usize, payload: usize) -> DocumentQr {
        DocumentQr {
            page: 1,
            data: format!("{n:05}{}", "x".repeat(payload)),
        }
    }

    /// A part of the outcome's attributes, read back.
    fn part<T: serde::de::DeserializeOwned>(o: &Outcome, name: &str) -> Option<T> {
        o.parts
            .get(name)
            .map(|av| serde_dynamo::from_attribute_value(av.clone()).unwrap())
    }

    #[test]
    fn a_failure_writes_empty_text_and_codes_and_removes_the_rest() {
        let o = Outcome::failed(ErrorCode::NotFound, "gone", 3);
        let names: Vec<&str> = o.parts.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["text", "qr_codes", "codes"]);
        assert_eq!(part::<String>(&o, "text").unwrap(), "");
        assert!(part::<Vec<DocumentQr>>(&o, "qr_codes").unwrap().is_empty());
    }

    #[test]
    fn small_results_stay_on_the_item() {
        let o = Outcome::from_result(DocumentResult::from_pages(vec![page(1, 10)]), 42);
        assert_eq!(o.status, Status::Completed);
        assert!(o.offload.is_none());
        assert_eq!(part::<Vec<PageResult>>(&o, "pages").unwrap().len(), 1);
        assert_eq!(o.processing_ms, 42);
    }

    #[test]
    fn large_results_go_to_s3_with_a_summary_on_the_item() {
        let pages: Vec<PageResult> = (1..=40).map(|n| page(n, 500)).collect();
        let full = DocumentResult::from_pages(pages);
        let o = Outcome::from_result(full.clone(), 1);
        let json = o.offload.clone().expect("offloaded");
        let back: DocumentResult = serde_json::from_slice(&json).unwrap();
        assert_eq!(back, full);
        assert!(o.parts.get("pages").is_none());
        assert_eq!(o.page_count, 40);
        assert_eq!(
            part::<String>(&o, "text").unwrap().len(),
            SUMMARY_TEXT_BYTES
        );
        assert!(o.item_bytes() <= ITEM_WRITE_BUDGET);
    }

    #[test]
    fn the_summary_fits_whatever_the_codes_and_text_weigh() {
        // 3000 codes of 2 KB and 3 MB of multi-byte text: the item keeps what fits, S3 has it all.
        let mut full = DocumentResult::from_pages(vec![page(1, 10)]);
        full.qr_codes = (0..3000).map(|n| qr(n, 2000)).collect();
        full.codes = (0..3000)
            .map(|n| processor::DocumentCode {
                page: 1,
                format: "Code 128".into(),
                data: qr(n, 2000).data,
                gs1: None,
            })
            .collect();
        full.text = "é".repeat(1_500_000);
        let o = Outcome::from_result(full.clone(), 1);
        assert!(o.offload.is_some());
        assert!(o.item_bytes() <= ITEM_WRITE_BUDGET, "{}", o.item_bytes());
        let qr: Vec<DocumentQr> = part(&o, "qr_codes").unwrap();
        assert!(!qr.is_empty() && qr.len() < 3000);
        assert_eq!(qr[..], full.qr_codes[..qr.len()]);
        let codes: Vec<DocumentCode> = part(&o, "codes").unwrap();
        assert!(!codes.is_empty() && codes.len() < 3000);
        assert!(full.text.starts_with(&part::<String>(&o, "text").unwrap()));
    }

    #[test]
    fn item_size_counts_like_dynamodb() {
        let av = AttributeValue::M([("ab".to_string(), AttributeValue::S("hello".into()))].into());
        assert_eq!(av_bytes(&av), 3 + 1 + 2 + 5);
        assert_eq!(av_bytes(&AttributeValue::S("é".into())), 2);
    }

    #[test]
    fn failures_keep_the_code_and_message() {
        let r = DocumentResult::failed(ProcessError::new(ErrorCode::EncryptedDocument, "locked"));
        let o = Outcome::from_result(r, 5);
        assert_eq!(o.status, Status::Failed);
        let (code, message) = o.error.clone().unwrap();
        assert_eq!(code.as_str(), "encrypted_document");
        let item = DocumentItem {
            record: RecordFields {
                status: Status::Failed,
                error_code: Some(code.as_str().into()),
                error_message: Some(message),
                ..Default::default()
            },
            ..Default::default()
        };
        let result = item.inline_result().unwrap();
        assert_eq!(result.error.unwrap().code, ErrorCode::EncryptedDocument);
        assert_eq!(
            Outcome::failed(FailureCode::TooManyAttempts, "x", 0)
                .error
                .unwrap()
                .0
                .as_str(),
            "too_many_attempts"
        );
    }

    #[test]
    fn truncation_respects_char_boundaries() {
        assert_eq!(truncate_bytes("héllo", 2), "h");
        assert_eq!(truncate_bytes("héllo", 3), "hé");
        assert_eq!(truncate_bytes("hi", 5), "hi");
    }

    #[test]
    fn statuses_read_and_write_as_their_strings() {
        let s: Status = serde_json::from_str("\"completed\"").unwrap();
        assert_eq!(s, Status::Completed);
        let odd: Status = serde_json::from_str("\"archived\"").unwrap();
        assert_eq!(odd, Status::Unknown);
        assert_eq!(
            serde_json::to_string(&Status::Pending).unwrap(),
            "\"pending\""
        );
    }

    #[test]
    fn items_round_trip_through_dynamodb_attribute_values() {
        let item = DocumentItem {
            id: "d1".into(),
            record: RecordFields {
                status: Status::Completed,
                attempts: Some(1),
                page_count: Some(1),
                bucket: Some("b".into()),
                ..Default::default()
            },
            lease_expires_at: Some(1_700_000_000_000),
            pages: Some(vec![page(1, 2)]),
            ..Default::default()
        };
        let av: std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue> =
            serde_dynamo::to_item(&item).unwrap();
        let back: DocumentItem = serde_dynamo::from_item(av).unwrap();
        assert_eq!(back, item);
    }

    #[test]
    fn the_attribute_names_are_the_items_own() {
        // Every field filled: serde writes each attribute the item has, by the name it reads.
        let some = || Some("x".to_string());
        let item = DocumentItem {
            id: "d1".into(),
            record: RecordFields {
                status: Status::Completed,
                bucket: some(),
                key: some(),
                file_type: some(),
                created_at: some(),
                updated_at: some(),
                processing_started_at: some(),
                completed_at: some(),
                attempts: Some(1),
                processing_ms: Some(1),
                page_count: Some(1),
                error_code: some(),
                error_message: some(),
                result_s3_key: some(),
                outputs: Some(vec![Output::SearchablePdf]),
                languages: Some(Languages::from_iter(["eng"])),
                searchable_pdf_s3_key: some(),
                previews_s3_prefix: some(),
            },
            lease_expires_at: Some(1),
            lease_owner: some(),
            text: some(),
            qr_codes: Some(vec![qr(1, 3)]),
            codes: Some(Vec::new()),
            pages: Some(vec![page(1, 1)]),
            fields: Some(Fields::default()),
            line_items: Some(Vec::new()),
        };
        let written: std::collections::HashMap<String, AttributeValue> =
            serde_dynamo::to_item(&item).unwrap();
        let mut names: Vec<&str> = written.keys().map(String::as_str).collect();
        names.sort();
        let mut ours = attr::ALL.to_vec();
        ours.sort();
        assert_eq!(
            names, ours,
            "api::attr and the item's fields have drifted apart"
        );
        for name in ResultParts::NAMES {
            assert!(attr::ALL.contains(&name), "{name}");
        }
    }
}
