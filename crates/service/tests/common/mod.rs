//! Test harness: moto's server (S3 + DynamoDB) on a free loopback port, reached by the real AWS SDK
//! through AWS_ENDPOINT_URL; the real application spawned on port 0 and called over HTTP.
#![allow(dead_code)]

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, GlobalSecondaryIndex, KeySchemaElement,
    KeyType, Projection, ProjectionType, ScalarAttributeType,
};
use clap::Parser;
use serde_json::{json, Value};
use service::cli::Cli;
use service::startup::Application;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub const API_KEY: &str = "test-key";

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared"))
        .join("corpus");
    if dir.is_dir() {
        Some(dir)
    } else {
        // On CI the shared data must be there: a test that skips there proves nothing.
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but {} is missing (set SHARED_DIR)",
            dir.display()
        );
        eprintln!("SKIPPED: no corpus at {}", dir.display());
        None
    }
}

/// The real binary, as a user runs it, with the pdfium and figures' reader the build was given.
pub fn cli() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_document-processor"));
    if let Some(p) = std::env::var_os("PDFIUM_LIB_PATH")
        .or_else(|| option_env!("PDFIUM_LIB_PATH").map(Into::into))
    {
        c.env("PDFIUM_LIB_PATH", p);
    }
    if let Some(p) = std::env::var_os("FIGURE_READER_DIR")
        .or_else(|| option_env!("FIGURE_READER_DIR").map(Into::into))
    {
        c.env("FIGURE_READER_DIR", p);
    }
    c
}

/// Chromium, or None off CI when it is not installed (on CI its absence is a failure).
pub fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("CHROMIUM").map(PathBuf::from).or_else(|| {
        ["chromium", "chromium-browser", "google-chrome"]
            .iter()
            .map(|n| std::path::Path::new("/usr/bin").join(n))
            .find(|p| p.exists())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but chromium is missing (scripts/setup.sh installs it)"
        );
        eprintln!("SKIPPED: no chromium");
    }
    found
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A moto server process. It dies with the test process (PR_SET_PDEATHSIG), even on a panic.
pub struct Moto {
    pub endpoint: String,
    pub pid: u32,
}

impl Moto {
    pub fn start() -> Moto {
        let bin = repo_root().join(".local/venv/bin/python");
        assert!(
            bin.exists(),
            "{} missing: run scripts/setup.sh",
            bin.display()
        );
        // moto's server with atomic requests (scripts/moto_server.py says why).
        let script = repo_root().join("scripts/moto_server.py");
        let port = free_port();
        let (tx, rx) = std::sync::mpsc::channel();
        // PDEATHSIG follows the thread that forked: a keeper thread that never ends spawns it.
        std::thread::spawn(move || {
            let mut cmd = Command::new(bin);
            cmd.arg(&script)
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
            unsafe {
                cmd.pre_exec(|| {
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                    Ok(())
                });
            }
            let mut child = cmd.spawn().expect("moto_server starts");
            tx.send(child.id()).unwrap();
            let _ = child.wait();
            loop {
                std::thread::park();
            }
        });
        let pid = rx.recv().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Moto {
            endpoint: format!("http://127.0.0.1:{port}"),
            pid,
        }
    }

    /// One server for a whole test binary; tests keep apart by their own table and bucket.
    pub fn shared() -> &'static Moto {
        static MOTO: OnceLock<Moto> = OnceLock::new();
        MOTO.get_or_init(|| {
            let moto = Moto::start();
            set_aws_env(&moto.endpoint);
            moto
        })
    }

    pub fn signal(&self, sig: i32) {
        // SAFETY: plain kill(2) on our own child.
        unsafe {
            libc::kill(self.pid as i32, sig);
        }
    }
}

pub fn set_aws_env(endpoint: &str) {
    std::env::set_var("AWS_ENDPOINT_URL", endpoint);
    std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
    std::env::set_var("AWS_REGION", "us-east-1");
    std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
}

pub fn env_for(endpoint: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT_URL", endpoint.to_string()),
        ("AWS_ACCESS_KEY_ID", "testing".into()),
        ("AWS_SECRET_ACCESS_KEY", "testing".into()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
    ]
}

/// The SDK's configuration for moto at `endpoint`, with the test's credentials.
pub async fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    service::aws::config_loader()
        .endpoint_url(endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .load()
        .await
}

/// The AWS side of one test: its own table (with the status index) and bucket.
#[derive(Clone)]
pub struct Aws {
    pub s3: aws_sdk_s3::Client,
    pub ddb: aws_sdk_dynamodb::Client,
    pub table: String,
    pub bucket: String,
}

impl Aws {
    pub async fn create(endpoint: &str) -> Aws {
        let sdk = sdk_config(endpoint).await;
        let s3 = aws_sdk_s3::Client::new(&sdk);
        let ddb = aws_sdk_dynamodb::Client::new(&sdk);
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        let (table, bucket) = (
            format!("results-{suffix}"),
            format!("docs-{}", &suffix[..16]),
        );
        s3.create_bucket()
            .bucket(&bucket)
            .send()
            .await
            .expect("bucket");
        let attr = |n: &str| {
            AttributeDefinition::builder()
                .attribute_name(n)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap()
        };
        let hash = |n: &str| {
            KeySchemaElement::builder()
                .attribute_name(n)
                .key_type(KeyType::Hash)
                .build()
                .unwrap()
        };
        ddb.create_table()
            .table_name(&table)
            .attribute_definitions(attr("id"))
            .attribute_definitions(attr("status"))
            .key_schema(hash("id"))
            .global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name("status-index")
                    .key_schema(hash("status"))
                    // The sweep filters processing records on their lease: it must be in the index.
                    .projection(
                        Projection::builder()
                            .projection_type(ProjectionType::Include)
                            .non_key_attributes("lease_expires_at")
                            .build(),
                    )
                    .build()
                    .unwrap(),
            )
            .billing_mode(BillingMode::PayPerRequest)
            .send()
            .await
            .expect("table");
        Aws {
            s3,
            ddb,
            table,
            bucket,
        }
    }

    pub async fn upload(&self, key: &str, bytes: Vec<u8>) {
        self.s3
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .body(bytes.into())
            .send()
            .await
            .expect("upload");
    }

    /// What a user does: a pending record with the original's attributes.
    pub async fn insert_pending(&self, id: &str, key: &str, file_type: &str) {
        self.put_record(
            id,
            key,
            &[
                ("status", AttributeValue::S("pending".into())),
                ("file_type", AttributeValue::S(file_type.into())),
                (
                    "created_at",
                    AttributeValue::S("2026-11-29T00:00:00Z".into()),
                ),
            ],
        )
        .await;
    }

    /// A record in this test's bucket with `attrs` besides id, bucket and key.
    pub async fn put_record(&self, id: &str, key: &str, attrs: &[(&str, AttributeValue)]) {
        let mut put = self
            .ddb
            .put_item()
            .table_name(&self.table)
            .item("id", AttributeValue::S(id.into()))
            .item("bucket", AttributeValue::S(self.bucket.clone()))
            .item("key", AttributeValue::S(key.into()));
        for (name, value) in attrs {
            put = put.item(*name, value.clone());
        }
        put.send().await.expect("put_item");
    }

    pub async fn item(
        &self,
        id: &str,
    ) -> Option<std::collections::HashMap<String, AttributeValue>> {
        self.ddb
            .get_item()
            .table_name(&self.table)
            .key("id", AttributeValue::S(id.into()))
            .consistent_read(true)
            .send()
            .await
            .unwrap()
            .item
    }

    /// A record as a task that then vanished left it: processing, its lease long expired.
    pub async fn put_abandoned(&self, id: &str, key: &str, attempts: u32) {
        self.put_record(
            id,
            key,
            &[
                ("status", AttributeValue::S("processing".into())),
                ("attempts", AttributeValue::N(attempts.to_string())),
                ("lease_owner", AttributeValue::S("task-dead".into())),
                ("lease_expires_at", AttributeValue::N("1000".into())),
            ],
        )
        .await;
    }

    pub fn record(&self, id: &str, key: &str, file_type: &str) -> Value {
        json!({"record": {"document_id": id, "bucket": self.bucket, "key": key, "status": "pending", "file_type": file_type}})
    }

    /// `serve` flags for this table and bucket.
    pub fn serve_args(&self, extra: &[&str]) -> Vec<String> {
        let pdfium = std::env::var("PDFIUM_LIB_PATH")
            .ok()
            .or_else(|| option_env!("PDFIUM_LIB_PATH").map(String::from))
            .unwrap_or_else(|| repo_root().join(".local/lib").display().to_string());
        let mut args: Vec<String> = [
            "document-processor",
            "serve",
            "--port",
            "0",
            "--bind-address",
            "127.0.0.1",
            "--table",
            &self.table,
            "--document-bucket",
            &self.bucket,
            "--api-key",
            API_KEY,
            "--workers",
            "1",
            "--lease-secs",
            "6",
            "--sweep-interval-secs",
            "1",
            "--shutdown-grace-secs",
            "5",
            "--log-format",
            "json",
            "--pdfium-lib-path",
            &pdfium,
            // In-process apps run inside the test binary: their workers are the real binary.
            "--worker-bin",
            env!("CARGO_BIN_EXE_document-processor"),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // A flag given in `extra` replaces the default one (clap refuses a repeated flag).
        for pair in extra.chunks(2) {
            if let Some(at) = args.iter().position(|a| a == pair[0]) {
                args.drain(at..at + 2);
            }
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    }
}

/// The real application, in this process, on a free port.
pub struct TestApp {
    pub base: String,
    pub aws: Aws,
    pub http: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<()>>,
}

impl TestApp {
    pub async fn spawn(extra: &[&str]) -> TestApp {
        let moto = Moto::shared();
        let aws = Aws::create(&moto.endpoint).await;
        Self::spawn_on(aws, extra).await
    }

    /// On an existing table and bucket (of the shared moto server).
    pub async fn spawn_on(aws: Aws, extra: &[&str]) -> TestApp {
        service::telemetry::init(service::cli::LogFormat::Pretty, "warn");
        let cli = Cli::try_parse_from(aws.serve_args(extra)).expect("serve args");
        let Some(service::cli::Command::Serve(args)) = cli.command else {
            panic!("serve expected")
        };
        let app = Application::build(*args).await.expect("application builds");
        let base = format!("http://127.0.0.1:{}", app.port());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(async move {
            app.run_until(async move {
                let _ = stopped.await;
            })
            .await
            .expect("serves");
        });
        TestApp {
            base,
            aws,
            http: reqwest::Client::new(),
            stop: Some(stop),
            handle: Some(handle),
        }
    }

    pub async fn post(&self, body: &Value, wait: bool) -> reqwest::Response {
        let url = format!(
            "{}/process{}",
            self.base,
            if wait { "?wait=true" } else { "" }
        );
        self.http
            .post(url)
            .bearer_auth(API_KEY)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// GET without a key, parsed as JSON.
    pub async fn get_json(&self, path: &str) -> Value {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        r.json().await.unwrap()
    }

    /// GET `path`, with the API key or without.
    pub async fn get(&self, path: &str, key: bool) -> reqwest::Response {
        let mut r = self.http.get(format!("{}{path}", self.base));
        if key {
            r = r.header("x-api-key", API_KEY);
        }
        r.send().await.unwrap()
    }

    pub async fn status(&self, id: &str) -> reqwest::Response {
        self.http
            .get(format!("{}/status/{id}", self.base))
            .header("x-api-key", API_KEY)
            .send()
            .await
            .unwrap()
    }

    /// Polls /status until the record is completed or failed.
    pub async fn wait_final(&self, id: &str, timeout: Duration) -> Value {
        wait_final_at(&self.base, id, timeout).await
    }

    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(h) = self.handle.take() {
            let _ = h.await;
        }
    }
}

/// The real binary, as ECS runs it, against `endpoint`; stderr goes to a log file for failures.
pub struct ServiceProcess {
    pub child: std::process::Child,
    pub base: String,
    pub log: PathBuf,
}

impl ServiceProcess {
    pub fn start(aws: &Aws, endpoint: &str, extra: &[&str]) -> ServiceProcess {
        let port = free_port();
        let mut args = aws.serve_args(extra);
        args.remove(0);
        let at = args.iter().position(|a| a == "--port").unwrap();
        args[at + 1] = port.to_string();
        let log = std::env::temp_dir().join(format!("dp-service-{port}.log"));
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_document-processor"));
        cmd.args(&args)
            .envs(env_for(endpoint))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        let child = cmd.spawn().expect("service starts");
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "service did not start: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        ServiceProcess { child, base, log }
    }

    pub fn signal(&self, sig: i32) {
        // SAFETY: kill(2) on our own child.
        unsafe {
            libc::kill(self.child.id() as i32, sig);
        }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for ServiceProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A string or number attribute of an item as its text ("" when absent).
pub fn text_of(item: &std::collections::HashMap<String, AttributeValue>, key: &str) -> String {
    match item.get(key) {
        Some(AttributeValue::S(s)) | Some(AttributeValue::N(s)) => s.clone(),
        _ => String::new(),
    }
}

pub async fn status_of(aws: &Aws, id: &str) -> String {
    match aws.item(id).await.and_then(|i| i.get("status").cloned()) {
        Some(AttributeValue::S(s)) => s,
        _ => "missing".into(),
    }
}

/// POST /process with the test key; the HTTP status.
pub async fn post_at(base: &str, body: &Value) -> u16 {
    reqwest::Client::new()
        .post(format!("{base}/process"))
        .bearer_auth(API_KEY)
        .json(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Polls `{base}/status/{id}` until the record is completed or failed.
pub async fn wait_final_at(base: &str, id: &str, timeout: Duration) -> Value {
    let deadline = Instant::now() + timeout;
    let http = reqwest::Client::new();
    loop {
        let r = http
            .get(format!("{base}/status/{id}"))
            .header("x-api-key", API_KEY)
            .send()
            .await
            .unwrap();
        if r.status() == 200 {
            let v: Value = r.json().await.unwrap();
            if v["status"] == "completed" || v["status"] == "failed" {
                return v;
            }
        }
        assert!(
            Instant::now() < deadline,
            "{id} not finished within {timeout:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The result JSON a viewer page (service or `extract --html`) carries.
pub fn embedded_data(html: &str) -> Value {
    let data = html
        .split_once("<script type=\"application/json\" id=\"doc\">")
        .expect("a data block")
        .1
        .split_once("</script>")
        .expect("its end")
        .0;
    assert!(!data.contains('<'), "an unescaped < in the data block");
    serde_json::from_str(data).expect("JSON data")
}
