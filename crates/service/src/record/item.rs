//! The DynamoDB item as this service reads it, and the result it holds when it is on the item.

use super::Status;
use api::{Languages, Output};
use processor::{
    DocumentCode, DocumentQr, DocumentResult, Fields, LineItem, PageResult, ProcessError,
};
use serde::{Deserialize, Serialize};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::test_data::{page, qr};
    use crate::record::ResultParts;
    use api::attr;
    use aws_sdk_dynamodb::types::AttributeValue;

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
