//! The browser's credentials: the session cookies the web pages use instead of a bearer token,
//! and the CSRF token every state-changing request from a page must echo.
//!
//! CSRF is a signed double-submit: the page is served with a `qb_csrf` cookie holding a random
//! nonce and its HMAC under the master key; a request that a cookie authenticates must carry the
//! same value in `X-CSRF-Token`. Another site can make the browser send the cookie but can neither
//! read it nor set the header, and a cookie planted from a sibling domain fails the HMAC. The
//! cookies are also `SameSite=Strict`, so a cross-site request carries no session at all.

use crate::error::ApiError;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use qianbao_secrets::KeyRing;

/// The holder's session token; `HttpOnly`, so page scripts never see it.
pub const SESSION_COOKIE: &str = "qb_session";
/// The till's session token (never the merchant's API key, which only signs the till in);
/// `HttpOnly`.
pub const MERCHANT_COOKIE: &str = "qb_merchant";
/// The console page's cookie: a staff session token, never a holder's or a merchant's.
pub const CONSOLE_COOKIE: &str = "qb_console";
/// The CSRF token; readable by the page's script, which echoes it in [`CSRF_HEADER`].
pub const CSRF_COOKIE: &str = "qb_csrf";
/// The header carrying the CSRF token on every non-GET request a cookie authenticates.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The value of cookie `name` in the request, if sent once or more (the first wins).
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty())
}

/// Whether the request reached us over TLS, by the proxy's word (`X-Forwarded-Proto: https`).
/// Trusting the header is safe here: it can only make a cookie stricter.
fn over_tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// A `Set-Cookie` value: path `/`, `SameSite=Strict`, `Secure` behind TLS, `HttpOnly` unless the
/// page's script must read it; a browser-session cookie (no expiry) unless `clear`.
fn set_cookie(
    request: &HeaderMap,
    name: &str,
    value: &str,
    http_only: bool,
    clear: bool,
) -> HeaderValue {
    let mut text = format!("{name}={value}; Path=/; SameSite=Strict");
    if http_only {
        text.push_str("; HttpOnly");
    }
    if over_tls(request) {
        text.push_str("; Secure");
    }
    if clear {
        text.push_str("; Max-Age=0");
    }
    HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static("qb_invalid=; Max-Age=0"))
}

/// Adds a `Set-Cookie` for an `HttpOnly` credential cookie to `response`.
pub fn set_credential(response: &mut HeaderMap, request: &HeaderMap, name: &str, value: &str) {
    response.append(SET_COOKIE, set_cookie(request, name, value, true, false));
}

/// Adds a `Set-Cookie` that removes the credential cookie `name`.
pub fn clear_credential(response: &mut HeaderMap, request: &HeaderMap, name: &str) {
    response.append(SET_COOKIE, set_cookie(request, name, "", true, true));
}

/// Adds a fresh CSRF cookie to `response` unless the request already carries a valid one; its
/// nonce is a random UUID from `ids`.
pub fn ensure_csrf(
    response: &mut HeaderMap,
    request: &HeaderMap,
    keys: &KeyRing,
    ids: &qianbao_wallet::ids::Ids,
) {
    if cookie(request, CSRF_COOKIE).is_some_and(|token| csrf_valid(keys, token)) {
        return;
    }
    let nonce = ids.uuid_v4().simple().to_string();
    let token = format!("{nonce}.{}", csrf_mac(keys, &nonce));
    response.append(
        SET_COOKIE,
        set_cookie(request, CSRF_COOKIE, &token, false, false),
    );
}

fn csrf_mac(keys: &KeyRing, nonce: &str) -> String {
    let mut mac = qianbao_secrets::field::blind_index(keys, "csrf", nonce);
    mac.truncate(32);
    mac
}

fn csrf_valid(keys: &KeyRing, token: &str) -> bool {
    token.split_once('.').is_some_and(|(nonce, mac)| {
        nonce.len() == 32 && constant_time_eq(mac.as_bytes(), csrf_mac(keys, nonce).as_bytes())
    })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether a method changes state (everything but GET, HEAD and OPTIONS).
pub fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Checks the signed double-submit: the header equals the cookie and the cookie's HMAC holds.
/// 403 `csrf_invalid` otherwise.
pub fn check_csrf(headers: &HeaderMap, keys: &KeyRing) -> Result<(), ApiError> {
    let sent = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    let held = cookie(headers, CSRF_COOKIE);
    match (sent, held) {
        (Some(sent), Some(held))
            if constant_time_eq(sent.as_bytes(), held.as_bytes()) && csrf_valid(keys, held) =>
        {
            Ok(())
        }
        _ => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf_invalid",
            "This request came from a page without its CSRF token: reload the page and try again.",
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn keys() -> KeyRing {
        KeyRing::from_bytes([7u8; 32])
    }

    fn ids() -> qianbao_wallet::ids::Ids {
        qianbao_wallet::ids::Ids::new(
            std::sync::Arc::new(qianbao_wallet::SystemClock),
            std::sync::Arc::new(qianbao_wallet::OsRandomness),
        )
    }

    fn request(cookie_header: &str, csrf_header: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_str(cookie_header).unwrap());
        if let Some(value) = csrf_header {
            headers.insert(CSRF_HEADER, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    fn issued_token(keys: &KeyRing) -> String {
        let mut response = HeaderMap::new();
        ensure_csrf(&mut response, &HeaderMap::new(), keys, &ids());
        let set = response.get(SET_COOKIE).unwrap().to_str().unwrap();
        assert!(set.contains("SameSite=Strict") && !set.contains("HttpOnly"));
        set.split(';')
            .next()
            .unwrap()
            .strip_prefix("qb_csrf=")
            .unwrap()
            .to_string()
    }

    #[test]
    fn an_issued_token_echoed_in_the_header_passes() {
        let keys = keys();
        let token = issued_token(&keys);
        let headers = request(&format!("a=b; qb_csrf={token}"), Some(&token));
        assert!(check_csrf(&headers, &keys).is_ok());
    }

    #[test]
    fn a_missing_header_a_mismatch_or_a_forged_cookie_is_refused() {
        let keys = keys();
        let token = issued_token(&keys);
        let cookie_only = request(&format!("qb_csrf={token}"), None);
        assert_eq!(
            check_csrf(&cookie_only, &keys).unwrap_err().code(),
            "csrf_invalid"
        );
        let other = issued_token(&keys);
        let mismatch = request(&format!("qb_csrf={token}"), Some(&other));
        assert!(check_csrf(&mismatch, &keys).is_err());
        // Planted by someone who can set cookies but does not hold the key: header and cookie
        // agree, the HMAC does not.
        let forged = format!("{}.{}", "a".repeat(32), "0".repeat(32));
        let planted = request(&format!("qb_csrf={forged}"), Some(&forged));
        assert!(check_csrf(&planted, &keys).is_err());
        // A token made under another key is forged too.
        let foreign = issued_token(&KeyRing::from_bytes([8u8; 32]));
        let foreign_req = request(&format!("qb_csrf={foreign}"), Some(&foreign));
        assert!(check_csrf(&foreign_req, &keys).is_err());
    }

    #[test]
    fn a_valid_cookie_is_kept_and_credentials_are_http_only() {
        let keys = keys();
        let token = issued_token(&keys);
        let mut response = HeaderMap::new();
        ensure_csrf(
            &mut response,
            &request(&format!("qb_csrf={token}"), None),
            &keys,
            &ids(),
        );
        assert!(response.get(SET_COOKIE).is_none());
        let mut tls = HeaderMap::new();
        tls.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        let mut response = HeaderMap::new();
        set_credential(&mut response, &tls, SESSION_COOKIE, "tok");
        let set = response.get(SET_COOKIE).unwrap().to_str().unwrap();
        assert_eq!(
            set,
            "qb_session=tok; Path=/; SameSite=Strict; HttpOnly; Secure"
        );
    }
}
