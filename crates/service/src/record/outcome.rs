//! What a finished document writes, and the inline-or-offload rule: the whole result on the item
//! when it fits, else in S3 with a bounded summary on the item.

use super::size::{av_bytes, each_to_av, first_within, truncate_bytes};
use super::{attr, FailureCode, Status};
use aws_sdk_dynamodb::types::AttributeValue;
use processor::{DocumentResult, ErrorCode, Fields, LineItem, PageResult};
use serde::Serialize;

/// DynamoDB caps an item at 400 KB (names and values, the user's own attributes included). What
/// this service writes stays under this, measured the way DynamoDB counts.
pub const ITEM_WRITE_BUDGET: usize = 300_000;
/// Text kept on the item when the full result went to S3, in bytes.
pub const SUMMARY_TEXT_BYTES: usize = 20_000;
/// QR codes (and, apart, codes of every kind) kept on the item when the full result went to S3, in
/// bytes of their attributes.
pub const SUMMARY_QR_BYTES: usize = 40_000;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::test_data::{page, qr};
    use crate::record::{DocumentItem, RecordFields};
    use processor::{DocumentCode, DocumentQr, ProcessError};

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
}
