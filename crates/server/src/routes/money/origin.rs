//! Where a holder's money call comes from, for risk control: the session and device the token
//! belongs to, and the second factor sent with the call, checked before the call runs.

use crate::auth::CurrentHolder;
use crate::state::AppState;
use qianbao_api_types::SecondFactor;
use qianbao_wallet::money::{IdempotencyKey, MoneyError, Origin, SecondFactorProof};

/// The second factor of a request, taken out of its body before the body is digested for the
/// `Idempotency-Key`: the call sent again with a second factor is the same request.
pub(crate) fn take_proof(
    factor: &mut Option<SecondFactor>,
) -> Result<Option<SecondFactorProof>, MoneyError> {
    match factor.take() {
        None => Ok(None),
        Some(SecondFactor {
            totp: Some(code),
            otp: None,
        }) => Ok(Some(SecondFactorProof::Totp(code))),
        Some(SecondFactor {
            totp: None,
            otp: Some(code),
        }) => Ok(Some(SecondFactorProof::Sms(code))),
        Some(_) => Err(MoneyError::InvalidField("second_factor")),
    }
}

/// The origin of `me`'s call under `key`, with `proof` checked (and used up) when there is one.
pub(crate) async fn origin(
    state: &AppState,
    me: &CurrentHolder,
    key: &IdempotencyKey,
    proof: Result<Option<SecondFactorProof>, MoneyError>,
) -> Result<Origin, MoneyError> {
    let mut origin = Origin {
        session_id: Some(me.session_id.clone()),
        device_id: Some(me.device_id.clone()),
        second_factor: false,
    };
    if let Some(proof) = proof? {
        state
            .money
            .prove_second_factor(&state.storage, &state.opening, &me.holder, key, proof)
            .await?;
        origin.second_factor = true;
    }
    Ok(origin)
}
