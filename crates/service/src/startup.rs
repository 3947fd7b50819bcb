//! Builds the application from its settings: AWS clients, the engine, the job runner, the router.
//! Tests build it on port 0 and talk HTTP to it, exactly as the Lambda does.

use crate::auth::require_api_key;
use crate::aws::{self, dynamo::Store, s3::Blobs};
use crate::cli::ServeArgs;
use crate::jobs::{Deps, Runner};
use crate::routes::{self, AppState};
use crate::settings::Settings;
use crate::worker::Supervisor;
use axum::extract::DefaultBodyLimit;
use axum::http::Request;
use axum::routing::{get, post};
use axum::Router;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// Request bodies are small JSON records; anything larger is refused before it is read.
const BODY_LIMIT: usize = 64 * 1024;
/// Offloaded results streamed to /status callers at once (each holds a buffer of S3's stream).
const RESULT_READS: usize = 4;

pub struct Application {
    listener: tokio::net::TcpListener,
    router: Router,
    runner: Runner,
    grace: Duration,
}

impl Application {
    pub async fn build(args: ServeArgs) -> anyhow::Result<Application> {
        Self::build_with(Settings::from_args(&args)?).await
    }

    pub async fn build_with(settings: Settings) -> anyhow::Result<Application> {
        let (budget, sizing) = (settings.budget, settings.sizing);
        tracing::info!(budget_mb = budget.total_mb, budget_source = ?budget.source,
            workers = sizing.workers, worker_cap_mb = sizing.worker_cap_mb,
            max_page_pixels = sizing.max_page_pixels, ocr_threads = sizing.threads,
            "memory budget");
        let supervisor = Supervisor::start(settings.workers.clone()).await?;
        let workers = supervisor.workers();
        let sdk = aws::sdk_config().await;
        let owner = format!("task-{}", uuid::Uuid::new_v4());
        let store = Store::new(
            aws_sdk_dynamodb::Client::new(&sdk),
            settings.table.clone(),
            settings.status_index.clone(),
            settings.lease,
            owner,
        );
        let blobs = Blobs::new(aws_sdk_s3::Client::new(&sdk));
        let (runner, queue) = Runner::start(Deps {
            store: store.clone(),
            blobs: blobs.clone(),
            supervisor,
            settings: settings.runner.clone(),
        });
        if let Some(every) = settings.metrics_interval {
            tokio::spawn(crate::metrics::publish(
                every,
                store.clone(),
                runner.gauges(),
            ));
        }
        let state = AppState {
            store,
            blobs,
            queue,
            api_key: settings.api_key.as_deref().map(Arc::from),
            allowed_buckets: Arc::new(settings.runner.allowed_buckets.clone()),
            workers,
            result_reads: Arc::new(tokio::sync::Semaphore::new(RESULT_READS)),
            allowed_clients: Arc::new(settings.allowed_clients.clone()),
            languages: Arc::new(settings.runner.languages.clone()),
            view_tokens: Arc::new(settings.view_tokens.clone()),
        };
        let listener =
            tokio::net::TcpListener::bind((settings.bind_address.as_str(), settings.port)).await?;
        Ok(Application {
            listener,
            router: router(state),
            runner,
            grace: settings.shutdown_grace,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Serves until `shutdown` resolves, then stops taking requests and work, lets documents in
    /// progress finish within the grace period and hands the rest back.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        tracing::info!(port = self.port(), "serving");
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await?;
        tracing::info!(
            grace_secs = self.grace.as_secs(),
            "shutting down: finishing documents in progress"
        );
        self.runner.shutdown(self.grace).await;
        tracing::info!("shutdown complete");
        Ok(())
    }
}

pub fn router(state: AppState) -> Router {
    let protected = Router::new()
        .route("/process", post(routes::process))
        .route("/status/{document_id}", get(routes::status))
        .route("/documents/{document_id}/pdf", get(routes::searchable_pdf))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            require_api_key,
        ));
    // A browser opens these with the token of /status's view_url (or a script with the key).
    let viewer = Router::new()
        .route("/documents/{document_id}/view", get(routes::document_view))
        .route(
            "/documents/{document_id}/pages/{file}",
            get(routes::page_preview),
        );
    let trace = TraceLayer::new_for_http()
        .make_span_with(|request: &Request<_>| {
            let request_id = request
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(),
                request_id, document_id = tracing::field::Empty)
        })
        .on_request(())
        .on_response(
            |response: &axum::http::Response<_>, latency: Duration, _span: &tracing::Span| {
                tracing::info!(
                    status = response.status().as_u16(),
                    latency_ms = latency.as_secs_f64() * 1000.0,
                    "request"
                );
            },
        );
    Router::new()
        .route("/health", get(routes::health))
        .route("/openapi.json", get(routes::openapi_json))
        .merge(protected)
        .merge(viewer)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::require_allowed_client,
        ))
        .layer(axum::middleware::from_fn(crate::api_error::with_request_id))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(trace)
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// Resolves on SIGTERM (ECS stopping the task) or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("stop signal received");
}
