//! /health: liveness for the ALB.

use super::AppState;
use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub version: &'static str,
    pub workers: usize,
    pub queue_depth: usize,
    pub queue_capacity: usize,
}

/// Liveness for the ALB: answers from memory, touches no backing service.
#[utoipa::path(get, path = "/health", responses((status = 200, body = Health)))]
pub async fn health(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "healthy",
        version: env!("CARGO_PKG_VERSION"),
        workers: state.workers,
        queue_depth: state.queue.depth(),
        queue_capacity: state.queue.capacity(),
    })
}
