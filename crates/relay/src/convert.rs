//! SDK stream record → the Lambda's `EventRecord`, so the handler sees exactly what AWS would hand
//! it. Attribute values go through serde_dynamo (no hand-written AttributeValue walking). Pure.

use aws_lambda_events::event::dynamodb::{EventRecord, StreamRecord, StreamViewType};
use aws_sdk_dynamodbstreams::types::{self as sdk, AttributeValue};
use std::collections::HashMap;

pub fn event_record(record: sdk::Record, stream_arn: &str) -> EventRecord {
    // The Lambda event types are non-exhaustive: built from their defaults.
    let mut event = EventRecord::default();
    event.event_id = record.event_id.unwrap_or_default();
    event.event_name = record
        .event_name
        .map(|n| n.as_str().to_string())
        .unwrap_or_default();
    event.event_source = record.event_source;
    event.event_version = record.event_version;
    event.aws_region = record.aws_region.unwrap_or_default();
    event.event_source_arn = Some(stream_arn.to_string());
    if let Some(change) = record.dynamodb {
        event.change = stream_record(change);
    }
    event
}

/// The table key `id` of a stream record (the document id), when it is a string.
pub fn document_id(record: &EventRecord) -> Option<&str> {
    match record.change.keys.get("id") {
        Some(serde_dynamo::AttributeValue::S(s)) => Some(s),
        _ => None,
    }
}

fn stream_record(change: sdk::StreamRecord) -> StreamRecord {
    let mut out = StreamRecord::default();
    if let Some(t) = change.approximate_creation_date_time {
        if let Some(t) = chrono::DateTime::from_timestamp(t.secs(), t.subsec_nanos()) {
            out.approximate_creation_date_time = t;
        }
    }
    out.keys = item(change.keys);
    out.new_image = item(change.new_image);
    out.old_image = item(change.old_image);
    out.sequence_number = change.sequence_number;
    out.size_bytes = change.size_bytes.unwrap_or_default();
    out.stream_view_type = change.stream_view_type.and_then(|v| match v {
        sdk::StreamViewType::NewImage => Some(StreamViewType::NewImage),
        sdk::StreamViewType::OldImage => Some(StreamViewType::OldImage),
        sdk::StreamViewType::NewAndOldImages => Some(StreamViewType::NewAndOldImages),
        sdk::StreamViewType::KeysOnly => Some(StreamViewType::KeysOnly),
        _ => None,
    });
    out
}

fn item(map: Option<HashMap<String, AttributeValue>>) -> serde_dynamo::Item {
    map.unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, serde_dynamo::AttributeValue::from(v)))
        .collect::<HashMap<_, _>>()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lambda_events::event::dynamodb::Event;
    use aws_sdk_dynamodbstreams::primitives::DateTime;

    fn s(v: &str) -> AttributeValue {
        AttributeValue::S(v.into())
    }

    /// The SDK's view of the record in `crates/trigger/events/insert-pending.json` (AWS's JSON shape).
    #[test]
    fn matches_the_lambda_event_aws_would_send() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../trigger/events/insert-pending.json"
        );
        let lambda: Event = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let expected = &lambda.records[0];

        let image: HashMap<_, _> = [
            ("id", s("doc-1")),
            ("bucket", s("document-processor-documents-123456789012")),
            ("key", s("uploads/doc-1.pdf")),
            ("status", s("pending")),
            ("file_type", s("pdf")),
            ("created_at", s("2026-11-29T00:00:00Z")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let sdk_record = sdk::Record::builder()
            .event_id(&expected.event_id)
            .event_name(sdk::OperationType::Insert)
            .event_source("aws:dynamodb")
            .event_version("1.1")
            .aws_region("us-east-1")
            .dynamodb(
                sdk::StreamRecord::builder()
                    .approximate_creation_date_time(DateTime::from_secs(
                        expected.change.approximate_creation_date_time.timestamp(),
                    ))
                    .keys("id", s("doc-1"))
                    .set_new_image(Some(image))
                    .sequence_number("100")
                    .size_bytes(expected.change.size_bytes)
                    .stream_view_type(sdk::StreamViewType::NewAndOldImages)
                    .build(),
            )
            .build();
        let arn = expected.event_source_arn.clone().unwrap();
        let got = event_record(sdk_record, &arn);
        assert_eq!(&got, expected, "{got:#?}");
    }

    #[test]
    fn numbers_maps_and_lists_survive() {
        let mut image = HashMap::new();
        image.insert("n".to_string(), AttributeValue::N("42".into()));
        image.insert(
            "l".to_string(),
            AttributeValue::L(vec![s("a"), AttributeValue::Bool(true)]),
        );
        let record = sdk::Record::builder()
            .event_name(sdk::OperationType::Modify)
            .dynamodb(
                sdk::StreamRecord::builder()
                    .set_new_image(Some(image))
                    .build(),
            )
            .build();
        let got = event_record(record, "arn");
        assert_eq!(got.event_name, "MODIFY");
        let json = serde_json::to_value(&got.change.new_image).unwrap();
        assert_eq!(json["n"], serde_json::json!({"N": "42"}));
        assert_eq!(
            json["l"],
            serde_json::json!({"L": [{"S": "a"}, {"BOOL": true}]})
        );
    }
}
