//! Stream record → `/process` body, or the reason it is not sent. Pure: no I/O.

use api::{DocumentRecord, Languages, Output, ProcessRequest, Status};
use aws_lambda_events::event::dynamodb::EventRecord;
use serde::Deserialize;

/// The attributes of the new image this Lambda reads (the user's others are ignored).
#[derive(Debug, Deserialize)]
struct NewImage {
    id: String,
    bucket: Option<String>,
    key: Option<String>,
    status: Option<Status>,
    file_type: Option<String>,
    outputs: Option<Vec<Output>>,
    languages: Option<Languages>,
}

#[derive(Debug, PartialEq)]
pub enum Decision {
    Forward(ProcessRequest),
    /// Not for this Lambda (the mapping's filter should have dropped it already).
    Ignore(&'static str),
    /// For this Lambda but can never be sent: logged with its id, not retried.
    Unsendable {
        id: Option<String>,
        reason: String,
    },
}

pub fn decide(record: &EventRecord) -> Decision {
    if record.event_name != "INSERT" {
        return Decision::Ignore("not an INSERT");
    }
    let image: NewImage = match serde_dynamo::from_item(record.change.new_image.clone()) {
        Ok(image) => image,
        Err(e) => {
            let id = record.change.keys.get("id").and_then(|v| match v {
                serde_dynamo::AttributeValue::S(s) => Some(s.clone()),
                _ => None,
            });
            return Decision::Unsendable {
                id,
                reason: format!("the new image cannot be read: {e}"),
            };
        }
    };
    if image.status != Some(Status::Pending) {
        return Decision::Ignore("status is not pending");
    }
    let (Some(bucket), Some(key)) = (image.bucket, image.key) else {
        return Decision::Unsendable {
            id: Some(image.id),
            reason: "the record has no bucket or key".into(),
        };
    };
    Decision::Forward(ProcessRequest {
        record: DocumentRecord {
            document_id: image.id,
            bucket,
            key,
            status: Status::Pending,
            file_type: image.file_type,
            outputs: image.outputs,
            languages: image.languages,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first INSERT of the sample batch, with `extra` attributes on its new image.
    fn insert(extra: serde_json::Value) -> EventRecord {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/events/batch-mixed.json");
        let batch: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut record = batch["Records"][0].clone();
        for (k, v) in extra.as_object().unwrap() {
            record["dynamodb"]["NewImage"][k] = v.clone();
        }
        serde_json::from_value(record).unwrap()
    }

    #[test]
    fn outputs_and_languages_on_the_item_are_forwarded() {
        let record = insert(serde_json::json!({
            "outputs": {"L": [{"S": "searchable_pdf"}]},
            "languages": {"L": [{"S": "deu"}, {"S": "eng"}]},
        }));
        let Decision::Forward(body) = decide(&record) else {
            panic!("not forwarded")
        };
        assert_eq!(body.record.outputs, Some(vec![Output::SearchablePdf]));
        assert_eq!(
            body.record.languages,
            Some(Languages::from_iter(["deu", "eng"]))
        );
        // Without them the body keeps the original's shape.
        let Decision::Forward(body) = decide(&insert(serde_json::json!({}))) else {
            panic!("not forwarded")
        };
        let json = serde_json::to_value(&body).unwrap();
        assert!(
            json["record"].get("outputs").is_none() && json["record"].get("languages").is_none()
        );
    }
}
