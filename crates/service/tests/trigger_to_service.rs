//! The Lambda's handler, on stream events, against the real service: what AWS's event source
//! mapping does in production.

mod common;

use aws_lambda_events::event::dynamodb::Event;
use common::*;
use serde_json::json;
use std::time::Duration;
use trigger::forward::{ForwardConfig, Forwarder};

fn stream_record(
    seq: &str,
    name: &str,
    id: &str,
    bucket: &str,
    key: &str,
    status: &str,
) -> serde_json::Value {
    json!({
        "eventID": format!("evt-{seq}"), "eventName": name, "eventVersion": "1.1", "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": 1764374400, "Keys": {"id": {"S": id}}, "SequenceNumber": seq,
            "SizeBytes": 100, "StreamViewType": "NEW_AND_OLD_IMAGES",
            "NewImage": {"id": {"S": id}, "bucket": {"S": bucket}, "key": {"S": key}, "status": {"S": status},
                         "file_type": {"S": "png"}}
        }
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn stream_events_reach_the_service_and_complete() {
    let app = TestApp::spawn(&[]).await;
    let Some(dir) = corpus() else { return };
    app.aws
        .upload(
            "in/qr.png",
            std::fs::read(dir.join("qr_stress_01.png")).unwrap(),
        )
        .await;
    app.aws
        .insert_pending("from-stream", "in/qr.png", "png")
        .await;
    app.aws
        .insert_pending("poison", "in/missing.png", "png")
        .await;
    let event: Event = serde_json::from_value(json!({"Records": [
        stream_record("1", "INSERT", "from-stream", &app.aws.bucket, "in/qr.png", "pending"),
        stream_record("2", "MODIFY", "from-stream", &app.aws.bucket, "in/qr.png", "processing"),
        stream_record("3", "INSERT", "poison", &app.aws.bucket, "in/missing.png", "pending"),
    ]}))
    .unwrap();
    let forwarder = Forwarder::new(ForwardConfig {
        url: format!("{}/process", app.base),
        api_key: Some(API_KEY.into()),
        request_timeout: Duration::from_secs(10),
        max_attempts: 3,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_secs(5),
    });
    let response = trigger::handle(event, &forwarder).await;
    assert!(
        response.batch_item_failures.is_empty(),
        "every record was delivered"
    );
    let done = app.wait_final("from-stream", Duration::from_secs(60)).await;
    assert_eq!(done["status"], "completed");
    assert_eq!(done["attempts"], 1);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let entry = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"] == "qr_stress_01.png")
        .unwrap();
    assert_eq!(
        done["result"]["qr_codes"][0]["data"],
        entry["pages"][0]["qr_codes"][0]["data"]
    );
    // The poison record (object missing) fails with its code; it does not hold up the others.
    let poison = app.wait_final("poison", Duration::from_secs(60)).await;
    assert_eq!(poison["status"], "failed");
    assert_eq!(poison["error_code"], "not_found");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_api_key_is_reported_for_retry_not_dropped() {
    let app = TestApp::spawn(&[]).await;
    let event: Event = serde_json::from_value(json!({"Records": [
        stream_record("7", "INSERT", "locked-out", &app.aws.bucket, "in/x.png", "pending"),
    ]}))
    .unwrap();
    let forwarder = Forwarder::new(ForwardConfig {
        url: format!("{}/process", app.base),
        api_key: Some("not-the-key".into()),
        request_timeout: Duration::from_secs(5),
        max_attempts: 2,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
    });
    let response = trigger::handle(event, &forwarder).await;
    let failed: Vec<_> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.clone().unwrap())
        .collect();
    assert_eq!(
        failed,
        ["7"],
        "a 401 is a configuration fault: the record is kept for a later delivery"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_lambda_reads_its_key_from_ssm_and_is_let_in() {
    let app = TestApp::spawn(&[]).await;
    // What Terraform creates: the service's key as a SecureString parameter.
    let sdk = service::aws::config_loader()
        .endpoint_url(&Moto::shared().endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .load()
        .await;
    let name = format!(
        "/document-processor-{}/api-key",
        uuid::Uuid::new_v4().simple()
    );
    aws_sdk_ssm::Client::new(&sdk)
        .put_parameter()
        .name(&name)
        .value(API_KEY)
        .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
        .send()
        .await
        .unwrap();
    let env = |k: &str| match k {
        "ECS_SERVICE_URL" => Some(app.base.clone()),
        "API_KEY_PARAMETER" => Some(name.clone()),
        _ => None,
    };
    let config = trigger::config::load(env).await.expect("key read from SSM");
    assert_eq!(config.api_key.as_deref(), Some(API_KEY));
    app.aws
        .insert_pending("via-ssm-key", "in/missing.png", "png")
        .await;
    let event: Event = serde_json::from_value(json!({"Records": [
        stream_record("9", "INSERT", "via-ssm-key", &app.aws.bucket, "in/missing.png", "pending"),
    ]}))
    .unwrap();
    let response = trigger::handle(event, &Forwarder::new(config)).await;
    assert!(
        response.batch_item_failures.is_empty(),
        "delivered with the key"
    );
    let done = app.wait_final("via-ssm-key", Duration::from_secs(60)).await;
    assert_eq!(
        done["error_code"], "not_found",
        "it reached the service: {done}"
    );
    // A parameter that does not exist fails the cold start with its name.
    let missing = |k: &str| match k {
        "ECS_SERVICE_URL" => Some("http://x".to_string()),
        "API_KEY_PARAMETER" => Some("/nope/api-key".to_string()),
        _ => None,
    };
    let e = trigger::config::load(missing).await.unwrap_err();
    assert!(e.contains("/nope/api-key"), "{e}");
    app.stop().await;
}
