//! Extractors whose failures are [`ApiError`]s, so a bad request body or query string gets
//! problem+json with a code instead of axum's plain-text rejection.

use crate::error::ApiError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// A JSON body: `application/json`, within the body limit, syntactically valid and of the right shape.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_error(&rejection)),
        }
    }
}

/// A query string of the expected shape. A malformed one (a missing or repeated field, text where
/// a number belongs) is 422 `invalid_request` as problem+json, like a malformed body, rather than
/// axum's plain-text 400.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                format!(
                    "The query string does not have the expected fields: {}",
                    rejection.body_text()
                ),
            )),
        }
    }
}

fn json_error(rejection: &JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the body as JSON with Content-Type: application/json.",
        ),
        JsonRejection::JsonSyntaxError(_) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "The body is not valid JSON.",
        ),
        JsonRejection::JsonDataError(e) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            // serde's message names the field and what was expected. It goes back only to the caller
            // who sent the body and is never logged.
            format!(
                "The body does not have the expected fields: {}",
                e.body_text()
            ),
        ),
        JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            payload_too_large()
        }
        other => ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_request",
            format!("The body could not be read: {}", other.body_text()),
        ),
    }
}

/// 413 `payload_too_large`.
pub fn payload_too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "The body is larger than this endpoint accepts.",
    )
}
