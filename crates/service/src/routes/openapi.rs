//! /openapi.json: every route and its bodies, described by utoipa from the handlers.

use super::health::{self, Health};
use super::{pdf, process, status, viewer};
use super::{Accepted, StatusBody};
use crate::api_error::ErrorBody;
use api::{DocumentRecord, ProcessRequest};
use axum::Json;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Document Processor", description = "PDFs and images to text, word boxes and QR codes"),
    paths(
        health::health,
        process::process,
        status::status,
        pdf::searchable_pdf,
        viewer::document_view,
        viewer::page_preview
    ),
    components(schemas(ProcessRequest, DocumentRecord, Accepted, StatusBody, Health, ErrorBody)),
    modifiers(&ApiKeyScheme)
)]
pub struct ApiDoc;

struct ApiKeyScheme;
impl utoipa::Modify for ApiKeyScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("x-api-key"))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openapi_describes_every_route() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        for path in [
            "/health",
            "/process",
            "/status/{document_id}",
            "/documents/{document_id}/pdf",
            "/documents/{document_id}/view",
            "/documents/{document_id}/pages/{file}",
        ] {
            assert!(doc["paths"][path].is_object(), "{path} missing");
        }
        // The result's shape, tables' cells included, is described where /status returns it.
        let body = &doc["components"]["schemas"]["StatusBody"];
        let result = &body["properties"]["result"];
        let text = result.to_string() + &body.to_string();
        assert!(
            text.contains("cells") && text.contains("continued_from"),
            "{body}"
        );
    }
}
