//! Who is calling: a holder's session token or a merchant's API key, sent as a bearer token by
//! API clients, or from the web pages a session token in an `HttpOnly` cookie with a CSRF token
//! beside it (the till's cookie holds a till session of its own, never the API key).

use crate::cookies;
use crate::error::ApiError;
use crate::state::{AppState, Shared};
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use qianbao_wallet::money::records::MerchantRecord;
use qianbao_wallet::records::HolderRecord;

/// The holder whose session token came with the request.
#[derive(Clone, Debug)]
pub struct CurrentHolder {
    /// The holder.
    pub holder: HolderRecord,
    /// The session the token belongs to.
    pub session_id: String,
    /// The device the session was opened on.
    pub device_id: String,
}

/// The most bytes of a credential looked at; session tokens are 46, API keys about as long.
const CREDENTIAL_LEN_MAX: usize = 256;

/// A credential and how it came: the two may stand for different things (the merchant's API key
/// as a bearer, a till session in the cookie), so a caller must not take one for the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Credential<'a> {
    /// From the `Authorization: Bearer` header.
    Bearer(&'a str),
    /// From the page's `HttpOnly` cookie, CSRF-checked already when the request changes state.
    Cookie(&'a str),
}

impl<'a> Credential<'a> {
    /// The credential's text, wherever it came from.
    fn value(self) -> &'a str {
        match self {
            Credential::Bearer(value) | Credential::Cookie(value) => value,
        }
    }
}

/// The credential of the request: the bearer token if one is sent, else the cookie `cookie_name`,
/// which a state-changing request must back with the CSRF token. `None` when neither is there.
fn credential<'a>(
    parts: &'a Parts,
    state: &AppState,
    cookie_name: &str,
) -> Result<Option<Credential<'a>>, ApiError> {
    let sane = |t: &&str| !t.is_empty() && t.len() <= CREDENTIAL_LEN_MAX;
    if let Some(header) = parts.headers.get(AUTHORIZATION) {
        // A bearer header that is there but unusable is an error, not a reason to try the cookie.
        return header
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(sane)
            .map(|v| Some(Credential::Bearer(v)))
            .ok_or_else(ApiError::unauthorized);
    }
    let Some(value) = cookies::cookie(&parts.headers, cookie_name).filter(sane) else {
        return Ok(None);
    };
    if cookies::changes_state(&parts.method) {
        cookies::check_csrf(&parts.headers, &state.opening.ctx.keys)?;
    }
    Ok(Some(Credential::Cookie(value)))
}

impl FromRequestParts<Shared> for CurrentHolder {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, shared: &Shared) -> Result<Self, ApiError> {
        CurrentHolder::of(parts, shared.built()).await
    }
}

impl CurrentHolder {
    /// The holder whose session token (bearer or cookie) came with the request `parts`.
    pub async fn of(parts: &Parts, state: &AppState) -> Result<CurrentHolder, ApiError> {
        let token = credential(parts, state, cookies::SESSION_COOKIE)?
            .ok_or_else(ApiError::unauthorized)?
            .value();
        let found = state.opening.authenticate(&state.storage, token).await?;
        Ok(CurrentHolder {
            holder: found.holder,
            session_id: found.session_id,
            device_id: found.device_id,
        })
    }
}

/// The merchant calling: by its API key as a bearer token (API clients), or by the till session
/// in the till's cookie (the till page). The key is never taken from a cookie, nor a till session
/// from the header, so a cookie holding a key from before till sessions existed no longer works.
#[derive(Clone, Debug)]
pub struct CurrentMerchant(pub MerchantRecord);

/// The merchant calling, and whether it is the till's browser session rather than the API key:
/// the till must send the shop's refund password with a refund, an integrator need not.
#[derive(Clone, Debug)]
pub struct MerchantCaller {
    /// The merchant.
    pub merchant: MerchantRecord,
    /// Signed in on the till page (cookie), not calling with the API key.
    pub till: bool,
}

impl FromRequestParts<Shared> for MerchantCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, shared: &Shared) -> Result<Self, ApiError> {
        let state = shared.built();
        let (merchant, till) = match credential(parts, state, cookies::MERCHANT_COOKIE)? {
            Some(Credential::Bearer(key))
                if key.starts_with(qianbao_secrets::token::API_KEY_PREFIX) =>
            {
                (
                    state.money.merchant_for_key(&state.storage, key).await?,
                    false,
                )
            }
            Some(Credential::Cookie(token)) => (
                state.money.till_merchant(&state.storage, token).await?,
                true,
            ),
            _ => (None, false),
        };
        let merchant = merchant.ok_or_else(ApiError::unauthorized)?;
        Ok(MerchantCaller { merchant, till })
    }
}

impl FromRequestParts<Shared> for CurrentMerchant {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, shared: &Shared) -> Result<Self, ApiError> {
        let caller = MerchantCaller::from_request_parts(parts, shared).await?;
        Ok(CurrentMerchant(caller.merchant))
    }
}

/// The staff member whose console session came with the request: a bearer token from API
/// clients, or the console page's cookie. A holder's token or a merchant's key is no staff
/// session, so it answers 401 here.
#[derive(Clone, Debug)]
pub struct CurrentStaff(pub qianbao_wallet::console::staff::Staff);

impl FromRequestParts<Shared> for CurrentStaff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, shared: &Shared) -> Result<Self, ApiError> {
        let state = shared.built();
        let token = credential(parts, state, cookies::CONSOLE_COOKIE)?
            .ok_or_else(|| ApiError::from(qianbao_wallet::console::ConsoleError::Unauthorized))?
            .value();
        Ok(CurrentStaff(
            state.console.authenticate(&state.storage, token).await?,
        ))
    }
}
