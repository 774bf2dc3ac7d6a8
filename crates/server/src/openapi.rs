//! The OpenAPI 3.1 document, generated from the route annotations. A committed copy lives in
//! `docs/openapi.json`; a test fails when the two differ.

use crate::routes::ops;
use qianbao_api_types::{Health, Problem};
use utoipa::OpenApi;

/// The whole API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "qianbao",
        description = "The qianbao digital-wallet platform: holders, money and merchants over HTTP. \
                       Errors are application/problem+json with a stable `code`.",
        license(name = "Apache-2.0")
    ),
    paths(ops::healthz, ops::readyz, ops::metrics, ops::openapi_json, ops::docs),
    components(schemas(Problem, Health)),
    tags((name = "operations", description = "Health, readiness, metrics and this document"))
)]
pub struct ApiDoc;

/// The document as pretty JSON, ending in a newline (the form committed to `docs/openapi.json`).
pub fn document_json() -> String {
    let mut json = ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    json.push('\n');
    json
}
