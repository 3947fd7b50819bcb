//! Helpers shared by the relay's integration tests.

use std::net::TcpListener;
use std::path::{Path, PathBuf};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// AWS SDK configuration for moto's server on a loopback port.
pub async fn aws_config_for(port: u16) -> aws_config::SdkConfig {
    let creds = aws_sdk_dynamodb::config::Credentials::new("local", "local", None, None, "test");
    trigger::config::config_loader()
        .endpoint_url(format!("http://127.0.0.1:{port}"))
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(creds)
        .load()
        .await
}
