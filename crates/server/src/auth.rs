//! Who is calling: the bearer token of a holder's session, resolved to the holder.

use crate::ApiError;
use crate::startup::AppState;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use qianbao_wallet::records::HolderRecord;

/// The holder whose session token came with the request.
#[derive(Clone, Debug)]
pub struct CurrentHolder {
    /// The holder.
    pub holder: HolderRecord,
    /// The session the token belongs to.
    pub session_id: String,
}

/// The most bytes of a bearer token looked at; real ones are 46.
const TOKEN_LEN_MAX: usize = 256;

impl FromRequestParts<AppState> for CurrentHolder {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= TOKEN_LEN_MAX)
            .ok_or_else(ApiError::unauthorized)?;
        let found = state.opening.authenticate(&state.storage, token).await?;
        Ok(CurrentHolder {
            holder: found.holder,
            session_id: found.session_id,
        })
    }
}
