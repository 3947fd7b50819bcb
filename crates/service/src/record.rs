//! The DynamoDB item and what is written into it — pure data and rules, no I/O.

use processor::{DocumentQr, DocumentResult, PageResult, ProcessError};
use serde::{Deserialize, Serialize};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub const PENDING: &str = "pending";
pub const PROCESSING: &str = "processing";
pub const COMPLETED: &str = "completed";
pub const FAILED: &str = "failed";

/// Record-level code beyond the engine's: the claim limit was reached.
pub const TOO_MANY_ATTEMPTS: &str = "too_many_attempts";

/// DynamoDB caps an item at 400 KB; results whose JSON passes this stay in S3 (headroom for the
/// attribute names and the record's own fields).
pub const ITEM_RESULT_BUDGET: usize = 300_000;
/// Text kept on the item when the full result went to S3.
pub const SUMMARY_TEXT_CHARS: usize = 20_000;

/// The item as this service reads it. Unknown attributes (the user's own) are ignored on read and
/// never touched on write: every write is an UpdateItem of named attributes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DocumentItem {
    pub id: String,
    #[serde(default)]
    pub status: String,
    pub bucket: Option<String>,
    pub key: Option<String>,
    pub file_type: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub processing_started_at: Option<String>,
    pub completed_at: Option<String>,
    pub attempts: Option<u32>,
    /// Epoch milliseconds.
    pub lease_expires_at: Option<i64>,
    pub lease_owner: Option<String>,
    pub page_count: Option<u32>,
    pub text: Option<String>,
    pub qr_codes: Option<Vec<DocumentQr>>,
    pub pages: Option<Vec<PageResult>>,
    pub processing_ms: Option<u64>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub result_s3_key: Option<String>,
}

impl DocumentItem {
    pub fn is_final(&self) -> bool {
        self.status == COMPLETED || self.status == FAILED
    }

    /// The result as stored on the item (pages only when the whole result fit).
    pub fn inline_result(&self) -> Option<DocumentResult> {
        match self.status.as_str() {
            COMPLETED => Some(DocumentResult {
                page_count: self.page_count.unwrap_or(0),
                text: self.text.clone().unwrap_or_default(),
                pages: self.pages.clone().unwrap_or_default(),
                qr_codes: self.qr_codes.clone().unwrap_or_default(),
                error: None,
            }),
            FAILED => Some(DocumentResult::failed(ProcessError {
                code: serde_json::from_value(serde_json::Value::String(
                    self.error_code.clone().unwrap_or_else(|| "internal".into()),
                ))
                .unwrap_or(processor::ErrorCode::Internal),
                message: self.error_message.clone().unwrap_or_default(),
            })),
            _ => None,
        }
    }
}

/// What a finished document writes: the item's attributes, and the full result for S3 when it
/// does not fit the item.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: &'static str,
    pub page_count: u32,
    pub text: String,
    pub qr_codes: Vec<DocumentQr>,
    /// None when the pages went to S3 (or the document failed).
    pub pages: Option<Vec<PageResult>>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub processing_ms: u64,
    /// The full result JSON, to be stored at `results/{id}.json`.
    pub offload: Option<Vec<u8>>,
}

impl Outcome {
    pub fn from_result(result: DocumentResult, processing_ms: u64) -> Outcome {
        if let Some(e) = result.error {
            return Outcome::failed(e.code.as_str(), &e.message, processing_ms);
        }
        let json = serde_json::to_vec(&result).expect("results serialise");
        if json.len() <= ITEM_RESULT_BUDGET {
            return Outcome {
                status: COMPLETED,
                page_count: result.page_count,
                text: result.text,
                qr_codes: result.qr_codes,
                pages: Some(result.pages),
                error_code: None,
                error_message: None,
                processing_ms,
                offload: None,
            };
        }
        Outcome {
            status: COMPLETED,
            page_count: result.page_count,
            text: truncate_chars(&result.text, SUMMARY_TEXT_CHARS),
            qr_codes: result.qr_codes,
            pages: None,
            error_code: None,
            error_message: None,
            processing_ms,
            offload: Some(json),
        }
    }

    pub fn failed(code: &str, message: &str, processing_ms: u64) -> Outcome {
        Outcome {
            status: FAILED,
            page_count: 0,
            text: String::new(),
            qr_codes: Vec::new(),
            pages: None,
            error_code: Some(code.to_string()),
            error_message: Some(message.to_string()),
            processing_ms,
            offload: None,
        }
    }
}

fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => s[..i].to_string(),
        None => s.to_string(),
    }
}

pub fn results_key(id: &str) -> String {
    format!("results/{id}.json")
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
        }
    }

    #[test]
    fn small_results_stay_on_the_item() {
        let o = Outcome::from_result(DocumentResult::from_pages(vec![page(1, 10)]), 42);
        assert_eq!(o.status, COMPLETED);
        assert!(o.offload.is_none());
        assert_eq!(o.pages.as_ref().unwrap().len(), 1);
        assert_eq!(o.processing_ms, 42);
    }

    #[test]
    fn large_results_go_to_s3_with_a_summary_on_the_item() {
        let pages: Vec<PageResult> = (1..=40).map(|n| page(n, 500)).collect();
        let full = DocumentResult::from_pages(pages);
        let o = Outcome::from_result(full.clone(), 1);
        let json = o.offload.expect("offloaded");
        assert!(json.len() > ITEM_RESULT_BUDGET);
        let back: DocumentResult = serde_json::from_slice(&json).unwrap();
        assert_eq!(back, full);
        assert!(o.pages.is_none());
        assert_eq!(o.page_count, 40);
        assert_eq!(o.text.chars().count(), SUMMARY_TEXT_CHARS);
    }

    #[test]
    fn failures_keep_the_code_and_message() {
        let r = DocumentResult::failed(ProcessError::new(ErrorCode::EncryptedDocument, "locked"));
        let o = Outcome::from_result(r, 5);
        assert_eq!(o.status, FAILED);
        assert_eq!(o.error_code.as_deref(), Some("encrypted_document"));
        let item = DocumentItem {
            status: FAILED.into(),
            error_code: o.error_code,
            error_message: o.error_message,
            ..Default::default()
        };
        let result = item.inline_result().unwrap();
        assert_eq!(result.error.unwrap().code, ErrorCode::EncryptedDocument);
    }

    #[test]
    fn truncation_respects_char_boundaries() {
        assert_eq!(truncate_chars("héllo", 2), "hé");
        assert_eq!(truncate_chars("hi", 5), "hi");
    }

    #[test]
    fn items_round_trip_through_dynamodb_attribute_values() {
        let item = DocumentItem {
            id: "d1".into(),
            status: COMPLETED.into(),
            attempts: Some(1),
            page_count: Some(1),
            pages: Some(vec![page(1, 2)]),
            ..Default::default()
        };
        let av: std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue> =
            serde_dynamo::to_item(&item).unwrap();
        let back: DocumentItem = serde_dynamo::from_item(av).unwrap();
        assert_eq!(back, item);
    }
}
