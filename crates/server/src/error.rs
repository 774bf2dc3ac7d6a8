//! The server's one error type. Every failure of every route becomes an [`ApiError`], and this is
//! the one place it becomes an `application/problem+json` response.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use qianbao_api_types::{CloseBlocker, Problem};
use qianbao_ledger::Rejection;
use qianbao_wallet::StoreError;
use qianbao_wallet::closing::ClosingError;
use qianbao_wallet::kyc::KycError;
use qianbao_wallet::money::refund_password::RefundPasswordError;
use qianbao_wallet::money::{MoneyError, SecondFactorRefusal};
use qianbao_wallet::opening::OpeningError;
use qianbao_wallet::risk::Verdict;

/// The rarer fields of a problem, boxed so the common error stays small: the limit and its
/// headroom, and what a risk refusal adds (how to prove it is them, and why, in Chinese).
#[derive(Debug, Clone, Default)]
struct Told {
    limit: Option<(&'static str, i64)>,
    methods: Option<Vec<&'static str>>,
    detail_zh: Option<String>,
    blockers: Option<Vec<CloseBlocker>>,
    line: Option<u64>,
}

/// A failure with its HTTP status, stable code and the fields that help the client.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    detail: String,
    retry_after: Option<u32>,
    attempts_left: Option<u32>,
    field: Option<&'static str>,
    reason: Option<&'static str>,
    /// The limit, the second factors a step-up takes and the Chinese text, when there are any.
    told: Option<Box<Told>>,
    /// What went wrong inside; logged, never sent.
    cause: Option<Box<str>>,
}

impl ApiError {
    /// A failure with `status`, stable `code` and human `detail`.
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            detail: detail.into(),
            retry_after: None,
            attempts_left: None,
            field: None,
            reason: None,
            told: None,
            cause: None,
        }
    }

    /// Adds the second factors that will do, for `step_up_required`.
    pub fn methods(mut self, methods: Vec<&'static str>) -> Self {
        self.told.get_or_insert_with(Box::default).methods = Some(methods);
        self
    }

    /// Adds the detail in Chinese.
    pub fn detail_zh(mut self, text: impl Into<String>) -> Self {
        self.told.get_or_insert_with(Box::default).detail_zh = Some(text.into());
        self
    }

    /// Adds what keeps a wallet from closing, for `close_blocked`.
    pub fn blockers(mut self, blockers: Vec<CloseBlocker>) -> Self {
        self.told.get_or_insert_with(Box::default).blockers = Some(blockers);
        self
    }

    /// Names the statement file's line at fault.
    pub fn line(mut self, line: u64) -> Self {
        self.told.get_or_insert_with(Box::default).line = Some(line);
        self
    }

    /// Adds a finer reason within the code.
    pub fn reason(mut self, reason: &'static str) -> Self {
        self.reason = Some(reason);
        self
    }

    /// Adds the seconds after which a retry may succeed (sent as `Retry-After` too).
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(u32::try_from(seconds).unwrap_or(u32::MAX));
        self
    }

    /// Adds the tries left before a lock.
    pub fn attempts_left(mut self, n: u32) -> Self {
        self.attempts_left = Some(n);
        self
    }

    /// Names the limit that would be broken and the room left under it.
    pub fn limit(mut self, name: &'static str, headroom_minor: i64) -> Self {
        self.told.get_or_insert_with(Box::default).limit = Some((name, headroom_minor));
        self
    }

    /// Replaces the human `detail` (the code stays), when the cause is known more precisely.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }

    /// Names the request field at fault.
    pub fn field(mut self, name: &'static str) -> Self {
        self.field = Some(name);
        self
    }

    /// 404 `not_found`: the thing does not exist, or is someone else's.
    pub fn not_found() -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "There is nothing here.")
    }

    /// 401 `unauthorized`: no token, or one that is unknown, expired or revoked.
    pub fn unauthorized() -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Log in first: send Authorization: Bearer <token>.",
        )
    }

    /// 500 `internal`: a bug or an unexpected failure; `cause` is logged, not sent.
    pub fn internal(cause: impl Into<String>) -> Self {
        let mut e = ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Something went wrong on our side. Nothing was changed; please try again.",
        );
        e.cause = Some(cause.into().into_boxed_str());
        e
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The problem body.
    pub fn problem(&self) -> Problem {
        Problem {
            kind: format!("https://qianbao.dev/problems/{}", self.code),
            title: self
                .status
                .canonical_reason()
                .unwrap_or("Error")
                .to_string(),
            status: self.status.as_u16(),
            code: self.code.to_string(),
            detail: self.detail.clone(),
            retry_after: self.retry_after.map(u64::from),
            attempts_left: self.attempts_left,
            field: self.field.map(str::to_string),
            reason: self.reason.map(str::to_string),
            limit: self
                .told
                .as_ref()
                .and_then(|t| t.limit)
                .map(|l| l.0.to_string()),
            headroom: self.told.as_ref().and_then(|t| t.limit).map(|l| l.1),
            request_id: None,
            methods: self
                .told
                .as_ref()
                .and_then(|t| t.methods.as_ref())
                .map(|m| m.iter().map(|s| s.to_string()).collect()),
            detail_zh: self.told.as_ref().and_then(|t| t.detail_zh.clone()),
            blockers: self.told.as_ref().and_then(|t| t.blockers.clone()),
            line: self.told.as_ref().and_then(|t| t.line),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Some(cause) = &self.cause {
            tracing::error!(code = self.code, cause = %cause, "request failed");
        }
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(cause) => {
                let mut err = ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "storage_unavailable",
                    "Storage is unavailable just now. Nothing was changed; please retry shortly \
                     with the same Idempotency-Key.",
                )
                .retry_after(1);
                err.cause = Some(cause.into_boxed_str());
                err
            }
            other => ApiError::internal(other.to_string()),
        }
    }
}

impl From<qianbao_wallet::proofs::ProofError> for ApiError {
    fn from(e: qianbao_wallet::proofs::ProofError) -> Self {
        use qianbao_wallet::proofs::ProofError as P;
        let detail = e.to_string();
        match e {
            P::Store(e) => e.into(),
            P::Invalid { field, .. } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", detail)
                    .field(field)
            }
            P::NotLogged => ApiError::new(StatusCode::NOT_FOUND, "not_logged", detail),
            P::NoCheckpoint => ApiError::new(StatusCode::NOT_FOUND, "not_found", detail),
            P::NoSnapshot => ApiError::new(StatusCode::NOT_FOUND, "no_snapshot", detail),
            P::NotInSnapshot => ApiError::new(StatusCode::NOT_FOUND, "not_in_snapshot", detail),
            P::UnknownWitness => ApiError::new(StatusCode::FORBIDDEN, "witness_unknown", detail),
            P::BadSignature(_) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "signature_invalid",
                detail,
            ),
        }
    }
}

impl From<Rejection> for ApiError {
    fn from(r: Rejection) -> Self {
        match r {
            Rejection::ExceedsBalance => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                r.code(),
                "The balance is not enough for this payment.",
            ),
            Rejection::ExistsWithDifferentContent => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                r.code(),
                "This Idempotency-Key was already used for a different request.",
            ),
            // Every other rejection means the server built a bad entry: a bug, not the caller's.
            other => ApiError::internal(format!("ledger refused an entry: {other}")),
        }
    }
}

impl From<OpeningError> for ApiError {
    fn from(e: OpeningError) -> Self {
        let code = e.code();
        let (status, detail): (StatusCode, String) = match &e {
            OpeningError::PhoneInvalid => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "That is not a valid phone number: use +8613812345678 or 13812345678.".into(),
            ),
            OpeningError::PurposeInvalid => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "purpose must be one of signup, login, reset_password, reset_pin, unfreeze, step_up, \
                 freeze, close."
                    .into(),
            ),
            OpeningError::OtpRateLimited { retry_after_s } => (
                StatusCode::TOO_MANY_REQUESTS,
                format!("Codes were asked for too often. Try again in {retry_after_s} s."),
            ),
            OpeningError::OtpInvalid { .. } => (
                StatusCode::BAD_REQUEST,
                "The SMS code is wrong. Check the latest message, or ask for a new code.".into(),
            ),
            OpeningError::OtpExpired => (
                StatusCode::BAD_REQUEST,
                "The SMS code has expired (codes live 5 minutes). Ask for a new one.".into(),
            ),
            OpeningError::PhoneTaken => (
                StatusCode::CONFLICT,
                "This phone already has a wallet. Log in, or recover the password.".into(),
            ),
            OpeningError::PasswordWeak(reason) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("Choose a stronger password: {reason}."),
            ),
            OpeningError::AccountRestricted => (
                StatusCode::FORBIDDEN,
                "This phone or person may not open a wallet here. Contact the operator's support."
                    .into(),
            ),
            OpeningError::InvalidCredentials { .. } => (
                StatusCode::UNAUTHORIZED,
                "The phone number or password is wrong.".into(),
            ),
            OpeningError::LoginLocked => (
                StatusCode::LOCKED,
                "Login is locked after too many wrong passwords. Reset the password with an SMS \
                 code to unlock it."
                    .into(),
            ),
            OpeningError::StepUpRequired { methods } => {
                let detail = match (methods.contains(&"sms"), methods.contains(&"totp")) {
                    (true, true) => {
                        "This device is new and the wallet has TOTP on: send an SMS code of \
                         purpose login as otp and the code from your authenticator app as totp."
                    }
                    (false, true) => {
                        "The wallet has TOTP on: send the code from your authenticator app as totp."
                    }
                    _ => {
                        "This device is new: ask for an SMS code of purpose login and send it as otp."
                    }
                };
                return ApiError::new(StatusCode::UNAUTHORIZED, code, detail)
                    .methods(methods.clone());
            }
            OpeningError::TotpInvalid { attempts_left } => {
                return ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    code,
                    format!(
                        "The code from the authenticator app is wrong, used already or too old; \
                         {attempts_left} tries left before it locks."
                    ),
                )
                .attempts_left(*attempts_left);
            }
            OpeningError::TotpLocked { retry_after_s } => {
                return totp_locked(code, *retry_after_s);
            }
            OpeningError::IdentityMismatch { .. } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "The ID number (or card number) is not the one this wallet was verified with.".into(),
            ),
            OpeningError::RateLimited { retry_after_s } => (
                StatusCode::TOO_MANY_REQUESTS,
                format!("Too many tries. Try again in {retry_after_s} s."),
            ),
            OpeningError::UnfreezeWaiting { retry_after_s } => (
                StatusCode::FORBIDDEN,
                format!(
                    "The login password was reset recently: for your safety the wallet can be \
                     unfrozen in {} h. A notice went to your phone and inbox.",
                    retry_after_s.div_ceil(3600)
                ),
            ),
            OpeningError::AccountClosed => (
                StatusCode::FORBIDDEN,
                "This wallet was closed (注销) and can no longer be used; its records are kept. \
                 Contact the operator's support for them."
                    .into(),
            ),
            OpeningError::PhoneCoolingOff { retry_after_s } => (
                StatusCode::CONFLICT,
                format!(
                    "A wallet with this phone was closed recently: a new one can be opened with \
                     it in {} days.",
                    retry_after_s.div_ceil(86_400)
                ),
            ),
            OpeningError::Unauthorized => return ApiError::unauthorized(),
            OpeningError::NotFound => return ApiError::not_found(),
            OpeningError::Store(_) | OpeningError::Secrets(_) => {
                return match e {
                    OpeningError::Store(store) => store.into(),
                    other => ApiError::internal(other.to_string()),
                };
            }
        };
        let mut error = ApiError::new(status, code, detail);
        match e {
            OpeningError::OtpRateLimited { retry_after_s }
            | OpeningError::RateLimited { retry_after_s }
            | OpeningError::UnfreezeWaiting { retry_after_s }
            | OpeningError::PhoneCoolingOff { retry_after_s } => {
                error = error.retry_after(retry_after_s)
            }
            OpeningError::OtpInvalid {
                attempts_left: Some(n),
            }
            | OpeningError::InvalidCredentials {
                attempts_left: Some(n),
            }
            | OpeningError::IdentityMismatch {
                attempts_left: Some(n),
            } => error = error.attempts_left(n),
            OpeningError::PurposeInvalid => error = error.field("purpose"),
            OpeningError::PhoneInvalid => error = error.field("phone"),
            OpeningError::PasswordWeak(_) => error = error.field("password"),
            _ => {}
        }
        error
    }
}

/// 423 `totp_locked`: the second factor locked by wrong codes, as a wrong PIN locks payments.
fn totp_locked(code: &'static str, retry_after_s: u64) -> ApiError {
    ApiError::new(
        StatusCode::LOCKED,
        code,
        "The authenticator app (TOTP) is locked after too many wrong codes. Try again later.",
    )
    .retry_after(retry_after_s)
}

impl From<KycError> for ApiError {
    fn from(e: KycError) -> Self {
        use StatusCode as S;
        let code = e.code();
        let (status, detail): (StatusCode, String) = match &e {
            KycError::KycRequired => (S::FORBIDDEN, "Verify your real name first (实名认证).".into()),
            KycError::AlreadyVerified => (S::CONFLICT, "Your real name is verified already.".into()),
            KycError::NameInvalid => (S::UNPROCESSABLE_ENTITY, "Type your legal name as on your ID card.".into()),
            KycError::IdNumberInvalid => (
                S::UNPROCESSABLE_ENTITY,
                "That is not a valid 18-character resident ID number; check each digit.".into(),
            ),
            KycError::Underage => (
                S::UNPROCESSABLE_ENTITY,
                "Wallet holders must be 18 or older (未满18岁); the age is taken from the ID number.".into(),
            ),
            KycError::IdentityMismatch => (
                S::UNPROCESSABLE_ENTITY,
                "The name and ID number do not match the records. Check both and try again.".into(),
            ),
            KycError::IdentityTaken => (
                S::CONFLICT,
                "Another wallet is verified with this ID number. Contact support if it is not yours.".into(),
            ),
            KycError::ReviewPending => (
                S::CONFLICT,
                "Your real-name check is waiting for the operator's staff to review it; you will be \
                 told when it is decided."
                    .into(),
            ),
            KycError::VerifierUnavailable => {
                return ApiError::new(
                    S::SERVICE_UNAVAILABLE,
                    code,
                    "The identity check is busy just now (高峰时段). Please try again shortly.",
                )
                .retry_after(5);
            }
            KycError::AccountRestricted => (
                S::FORBIDDEN,
                "This person may not open a wallet here. Contact the operator's support.".into(),
            ),
            KycError::CardInvalid(field) => {
                return ApiError::new(S::UNPROCESSABLE_ENTITY, code, format!("Check the card's {field}."))
                    .field(field);
            }
            KycError::CardUnsupported => (S::UNPROCESSABLE_ENTITY, "Cards of this bank are not supported yet.".into()),
            KycError::CardHolderMismatch => (
                S::UNPROCESSABLE_ENTITY,
                "The card must be in your own verified name and ID number (信息不匹配).".into(),
            ),
            KycError::BankRejected => (
                S::UNPROCESSABLE_ENTITY,
                "Your bank does not allow binding this card online. Ask the bank to enable it.".into(),
            ),
            KycError::CardInactive => (S::UNPROCESSABLE_ENTITY, "Activate the card with your bank first.".into()),
            KycError::CardAlreadyBound => (S::CONFLICT, "This card is bound already.".into()),
            KycError::BankUnavailable => {
                return ApiError::new(S::SERVICE_UNAVAILABLE, code, "The bank is busy (系统繁忙). Please try again shortly.")
                    .retry_after(5);
            }
            KycError::PhoneInvalid => {
                return ApiError::new(S::UNPROCESSABLE_ENTITY, code, "The reserved phone is not a valid number.")
                    .field("reserved_phone");
            }
            KycError::OtpInvalid { attempts_left } => {
                let e = ApiError::new(S::BAD_REQUEST, code, "The code is wrong. Check the latest SMS.");
                return match attempts_left {
                    Some(n) => e.attempts_left(*n),
                    None => e,
                };
            }
            KycError::OtpExpired => (S::BAD_REQUEST, "The code has expired. Ask for a new one.".into()),
            KycError::PinInvalid => (S::UNPROCESSABLE_ENTITY, "The payment password is exactly six digits.".into()),
            KycError::PinWeak(reason) => (
                S::UNPROCESSABLE_ENTITY,
                format!("Choose a payment password that is harder to guess ({reason})."),
            ),
            KycError::PinIncorrect { attempts_left } => {
                return ApiError::new(
                    S::UNAUTHORIZED,
                    code,
                    format!("The payment password is wrong; {attempts_left} tries left before payments lock."),
                )
                .attempts_left(*attempts_left);
            }
            KycError::PinLocked { retry_after_s } => {
                return ApiError::new(
                    S::LOCKED,
                    code,
                    "Payments are locked after too many wrong payment passwords. Reset it (找回支付密码) to unlock now.",
                )
                .retry_after(*retry_after_s);
            }
            KycError::PinNotSet => (S::FORBIDDEN, "Set a payment password first.".into()),
            KycError::TotpAlreadyEnabled => (
                S::CONFLICT,
                "The authenticator app (TOTP) is on already; turn it off with your payment password first."
                    .into(),
            ),
            KycError::TotpNotEnabled => (
                S::CONFLICT,
                "The authenticator app (TOTP) is not on: enrol with POST /v1/me/totp and confirm a first code."
                    .into(),
            ),
            KycError::TotpInvalid { attempts_left } => {
                return ApiError::new(
                    S::UNAUTHORIZED,
                    code,
                    format!(
                        "The code from the authenticator app is wrong, used already or too old; \
                         {attempts_left} tries left before it locks."
                    ),
                )
                .attempts_left(*attempts_left);
            }
            KycError::TotpLocked { retry_after_s } => return totp_locked(code, *retry_after_s),
            KycError::PhotoInvalid(reason) => {
                let detail = match *reason {
                    "too_large" => "The photo is larger than 5 MiB; send a smaller one.",
                    "too_small" => "The photo is smaller than 300×300 pixels; send a sharper one.",
                    "format" => "Send a JPEG or PNG photo.",
                    _ => "The photo could not be read; take it again.",
                };
                return ApiError::new(S::UNPROCESSABLE_ENTITY, code, detail).reason(reason);
            }
            KycError::CardInUse(waiting) => (
                S::CONFLICT,
                format!(
                    "This card cannot be unbound yet: {waiting} is still on its way. Try again \
                     once it has arrived."
                ),
            ),
            KycError::FaceMismatch => (
                S::UNPROCESSABLE_ENTITY,
                "The face does not match the ID's owner. Try again in good light, facing the camera.".into(),
            ),
            KycError::NotFound => return ApiError::not_found(),
            KycError::Recovery(_)
            | KycError::RecoveryAt(..)
            | KycError::Store(_)
            | KycError::Connector(_)
            | KycError::Secrets(_) => {
                return match e {
                    KycError::Recovery(refusal) => refusal.into(),
                    KycError::RecoveryAt(refusal, field) => {
                        let mismatch =
                            matches!(refusal, OpeningError::IdentityMismatch { .. });
                        let e = ApiError::from(refusal);
                        match (mismatch, field) {
                            (true, "card_number") => e.field(field).with_detail(
                                "The card number is not one of the cards bound to this wallet. \
                                 Check the full number of a bound card.",
                            ),
                            (true, _) => e.field(field).with_detail(
                                "The ID number is not the one this wallet was verified with.",
                            ),
                            (false, _) => e,
                        }
                    }
                    KycError::Store(store) => store.into(),
                    other => ApiError::internal(other.to_string()),
                };
            }
        };
        ApiError::new(status, code, detail)
    }
}

impl From<MoneyError> for ApiError {
    fn from(e: MoneyError) -> Self {
        use StatusCode as S;
        let code = e.code();
        let unprocessable = |detail: &str| ApiError::new(S::UNPROCESSABLE_ENTITY, code, detail);
        match e {
            MoneyError::Frozen => ApiError::new(
                S::FORBIDDEN,
                code,
                "The wallet is frozen (冻结): no money can leave it. Unfreeze it with an SMS code, \
                 your ID number and your password.",
            ),
            MoneyError::Restricted => ApiError::new(
                S::FORBIDDEN,
                code,
                "This wallet is restricted by the operator (账户限制). Contact support.",
            ),
            MoneyError::KycRequired => ApiError::new(
                S::FORBIDDEN,
                code,
                "Your real-name level is too low for this: verify your name, or bind a bank card \
                 in your own name (withdrawals need L2).",
            ),
            MoneyError::Pin(kyc) => kyc.into(),
            MoneyError::AmountInvalid => {
                unprocessable("The amount must be a whole, positive number of fen (¥12.50 is 1250).")
                    .field("amount")
            }
            MoneyError::CurrencyUnsupported => {
                unprocessable("That currency is not supported here.").field("currency")
            }
            MoneyError::InsufficientBalance => unprocessable(
                "The balance is not enough for this payment (余额不足). Top up, or pay less.",
            ),
            MoneyError::FxUnavailable => ApiError::new(
                S::SERVICE_UNAVAILABLE,
                code,
                "No current exchange rate for these currencies (汇率暂不可用). Try again later.",
            )
            .retry_after(60),
            MoneyError::QuoteExpired => unprocessable(
                "The quote has expired (报价已过期); ask for a new one and confirm it in time.",
            )
            .field("quote_id"),
            MoneyError::QuoteUsed => {
                unprocessable("That quote was used already; ask for a new one.").field("quote_id")
            }
            MoneyError::QuoteRequired(main) => unprocessable(&format!(
                "The payee does not hold this currency; it arrives in their main currency, {main}. \
                 Ask POST /v1/fx/quotes with to_wallet_id and buy_currency {main}, then send the \
                 quote_id with the transfer."
            ))
            .field("quote_id"),
            MoneyError::LimitExceeded(exceeded) => unprocessable(&format!(
                "This would pass your {} limit; {} fen may still move under it (limits count \
                 yuan; other currencies at the rate in force). A higher real-name level raises \
                 the limits.",
                exceeded.limit.as_str().replace('_', " "),
                exceeded.headroom_minor
            ))
            .limit(exceeded.limit.as_str(), exceeded.headroom_minor.minor()),
            MoneyError::InvalidPayee(why) => unprocessable(&match why {
                "yourself" => "You cannot pay yourself.".to_string(),
                other => format!("The payee's wallet cannot take payments ({other})."),
            }),
            MoneyError::PayloadInvalid(reason) => unprocessable(
                "That QR code is not a qianbao payment code. Scan the shop's or the payee's code again.",
            )
            .field("payload")
            .reason(reason),
            MoneyError::OrderExpired => {
                unprocessable("The order has expired; ask the shop for a new one.")
            }
            MoneyError::OrderPaid => {
                ApiError::new(S::CONFLICT, code, "This order is paid already.")
            }
            MoneyError::ChargeExpired => ApiError::new(
                S::GONE,
                code,
                "The charge lapsed before it was confirmed; nothing was paid. The shop may charge again.",
            ),
            MoneyError::ChargeNotAwaiting => ApiError::new(
                S::CONFLICT,
                code,
                "This charge was confirmed or declined already.",
            ),
            MoneyError::PaymentCodeInvalid => unprocessable(
                "The payment code is not valid or was used already; ask the payer to refresh it.",
            ),
            MoneyError::PaymentCodeExpired => unprocessable(
                "The payment code has expired (codes live 60 s); ask the payer to refresh it.",
            ),
            MoneyError::PinRequired => unprocessable(
                "Above the password-free limit (小额免密): the payer must confirm with the payment \
                 password.",
            ),
            MoneyError::RefundExceedsPayment => {
                unprocessable("The refund is more than what is left of the payment.")
                    .field("amount")
            }
            MoneyError::RefundPassword(e) => refund_password(e),
            MoneyError::MerchantUnavailable => unprocessable(
                "This merchant cannot take payments now (商家不支持).",
            ),
            MoneyError::BankInsufficientFunds => unprocessable(
                "The card's account does not hold enough for this top-up. Nothing was charged.",
            ),
            MoneyError::BankRejected => unprocessable(
                "The bank refused this movement. Nothing was moved; try another card.",
            ),
            MoneyError::BankUnavailable => ApiError::new(
                S::SERVICE_UNAVAILABLE,
                code,
                "The bank is busy (系统繁忙). Retry shortly with the same Idempotency-Key.",
            )
            .retry_after(5),
            MoneyError::Risk(refusal) if refusal.verdict == Verdict::StepUp => {
                let told = qianbao_wallet::risk::reasons::step_up(refusal.reason);
                ApiError::new(S::UNAUTHORIZED, code, told.en)
                    .detail_zh(told.zh)
                    .reason(refusal.reason)
                    .methods(refusal.methods)
            }
            MoneyError::SecondFactor(refusal) => match *refusal {
                SecondFactorRefusal::Totp(e) => e.into(),
                SecondFactorRefusal::Sms(e) => e.into(),
            },
            MoneyError::Risk(refusal) => {
                let told = qianbao_wallet::risk::reasons::blocked(refusal.reason);
                ApiError::new(S::FORBIDDEN, code, told.en)
                    .detail_zh(told.zh)
                    .reason(refusal.reason)
            }
            MoneyError::RateLimited { retry_after_s } => ApiError::new(
                S::TOO_MANY_REQUESTS,
                code,
                format!("Too many tries. Try again in {retry_after_s} s."),
            )
            .retry_after(retry_after_s),
            MoneyError::Maintenance {
                retry_after_s,
                message,
            } => ApiError::new(
                S::SERVICE_UNAVAILABLE,
                code,
                format!("Payments are paused for maintenance (系统维护): {message}"),
            )
            .retry_after(retry_after_s),
            MoneyError::IdempotencyConflict => unprocessable(
                "This Idempotency-Key was already used for a different request.",
            ),
            MoneyError::IdempotencyInProgress => ApiError::new(
                S::CONFLICT,
                code,
                "The first request with this Idempotency-Key is still running; retry shortly.",
            )
            .retry_after(1),
            MoneyError::Replay(_) => ApiError::internal("a replay reached the error mapping"),
            MoneyError::NotCancellable => ApiError::new(
                S::CONFLICT,
                code,
                "This transfer has arrived or was cancelled already.",
            ),
            MoneyError::AlreadyClaimed => ApiError::new(
                S::CONFLICT,
                code,
                "You have claimed this red packet already (已领取); each holder gets one share.",
            ),
            MoneyError::RedPacketEmpty => ApiError::new(
                S::GONE,
                code,
                "Every share of this red packet has been claimed (红包已领完).",
            ),
            MoneyError::RedPacketExpired => ApiError::new(
                S::GONE,
                code,
                "This red packet has expired (红包已过期); what was left went back to its sender.",
            ),
            MoneyError::BillNotFound => ApiError::new(
                S::NOT_FOUND,
                code,
                "The biller has no bill for this account (未查询到账单). Check the biller and \
                 account number.",
            ),
            MoneyError::BillAlreadyPaid => ApiError::new(
                S::CONFLICT,
                code,
                "This bill is paid already (账单已缴清). Nothing was charged.",
            ),
            MoneyError::BillAmountChanged => ApiError::new(
                S::CONFLICT,
                code,
                "The bill's amount changed since you looked it up (账单金额已变化). Look it up \
                 again; nothing was charged.",
            ),
            MoneyError::BillerUnavailable => ApiError::new(
                S::SERVICE_UNAVAILABLE,
                code,
                "The biller is not answering (缴费机构系统繁忙). Retry shortly with the same \
                 Idempotency-Key.",
            )
            .retry_after(5),
            MoneyError::FareOwed => ApiError::new(
                S::CONFLICT,
                code,
                "A transit fare is owed (有未支付车费). Top up: the fare is paid first, and the \
                 ride code works again.",
            ),
            MoneyError::CampaignExhausted => ApiError::new(
                S::GONE,
                code,
                "This campaign's coupons are all given out (优惠券已领完).",
            ),
            MoneyError::CampaignNotActive => ApiError::new(
                S::CONFLICT,
                code,
                "This campaign has not started or has ended (活动未开始或已结束).",
            ),
            MoneyError::CouponLimitReached => ApiError::new(
                S::CONFLICT,
                code,
                "You have claimed as many of these coupons as the campaign allows (已达领取上限).",
            ),
            MoneyError::CouponUsed => ApiError::new(
                S::CONFLICT,
                code,
                "This coupon was used already (优惠券已使用).",
            )
            .field("coupon_id"),
            MoneyError::CouponExpired => unprocessable(
                "This coupon's campaign has ended (优惠券已过期); pay without it.",
            )
            .field("coupon_id"),
            MoneyError::CouponNotApplicable => unprocessable(
                "This coupon is not for this shop or this kind of payment (该券不适用).",
            )
            .field("coupon_id"),
            MoneyError::CouponMinSpend => unprocessable(
                "The payment is below the coupon's minimum spend (未达到使用门槛).",
            )
            .field("coupon_id"),
            MoneyError::InsufficientPoints => {
                unprocessable("You have fewer points than that (积分不足).").field("points")
            }
            MoneyError::GiftCardNotFound => ApiError::new(
                S::NOT_FOUND,
                code,
                "No gift card has this code (礼品卡不存在). Check the code and try again.",
            )
            .field("code"),
            MoneyError::GiftCardRedeemed => ApiError::new(
                S::CONFLICT,
                code,
                "This gift card's code was redeemed already (该卡已兑换).",
            )
            .field("code"),
            MoneyError::GiftCardExpired => ApiError::new(
                S::GONE,
                code,
                "This gift card has expired (礼品卡已过期).",
            ),
            MoneyError::GiftCardNotApplicable => unprocessable(
                "This gift card is for another shop (该卡不适用于本店).",
            )
            .field("card_id"),
            MoneyError::NotEligible => ApiError::new(
                S::FORBIDDEN,
                code,
                "This campaign is for new customers of the shop only (仅限新客).",
            ),
            MoneyError::InvalidField(field) => {
                unprocessable(&format!("Check the field {field}.")).field(field)
            }
            MoneyError::NotFound => ApiError::not_found(),
            MoneyError::Store(store) => store.into(),
            MoneyError::Internal(cause) => ApiError::internal(cause),
        }
    }
}

/// A refund password that was missing, wrong, locked or not set: each at the `refund_password`
/// field, with the Chinese text the till shows.
fn refund_password(e: RefundPasswordError) -> ApiError {
    use StatusCode as S;
    let code = e.code();
    let error = match e {
        RefundPasswordError::Invalid => ApiError::new(
            S::UNPROCESSABLE_ENTITY,
            code,
            "The refund password is exactly six digits.",
        )
        .detail_zh("退款密码为6位数字。"),
        RefundPasswordError::Weak(reason) => ApiError::new(
            S::UNPROCESSABLE_ENTITY,
            code,
            format!("Choose a refund password that is harder to guess ({reason})."),
        )
        .detail_zh("退款密码太简单，请换一个不易猜到的6位数字。")
        .reason(reason),
        RefundPasswordError::Incorrect { attempts_left } => ApiError::new(
            S::UNAUTHORIZED,
            code,
            format!("The refund password is wrong; {attempts_left} tries left before refunds lock."),
        )
        .detail_zh(format!("退款密码不正确，还可以再试{attempts_left}次。"))
        .attempts_left(attempts_left),
        RefundPasswordError::Locked { retry_after_s } => ApiError::new(
            S::LOCKED,
            code,
            "Refunds are locked after too many wrong refund passwords. The owner may set a new \
             one with the payment password.",
        )
        .detail_zh("退款密码错误次数过多，已暂时锁定。店主可用支付密码重设退款密码。")
        .retry_after(retry_after_s),
        RefundPasswordError::Required => ApiError::new(
            S::UNPROCESSABLE_ENTITY,
            code,
            "Enter the shop's refund password.",
        )
        .detail_zh("请输入退款密码。"),
        RefundPasswordError::NotSet => ApiError::new(
            S::UNPROCESSABLE_ENTITY,
            code,
            "This shop has no refund password yet: set one with the owner's payment password first.",
        )
        .detail_zh("本店还没有设置退款密码，请先用店主的支付密码设置。"),
    };
    error.field("refund_password")
}

impl From<ClosingError> for ApiError {
    fn from(e: ClosingError) -> Self {
        let code = e.code();
        match e {
            ClosingError::Blocked(found) => {
                let blockers = found
                    .into_iter()
                    .map(|b| CloseBlocker {
                        kind: b.kind.as_str().to_string(),
                        detail: b.en,
                        detail_zh: b.zh,
                        amount: b.amount.map(|(amount, _)| amount.minor()),
                        currency: b.amount.map(|(_, currency)| currency.as_str().to_string()),
                    })
                    .collect();
                ApiError::new(
                    StatusCode::CONFLICT,
                    code,
                    "The wallet cannot be closed yet: see blockers for what to do first.",
                )
                .detail_zh("钱包暂时无法注销，请先处理以下事项。")
                .blockers(blockers)
            }
            ClosingError::Frozen => ApiError::new(
                StatusCode::FORBIDDEN,
                code,
                "The wallet is frozen (冻结): unfreeze it before closing it.",
            ),
            ClosingError::Restricted => ApiError::new(
                StatusCode::FORBIDDEN,
                code,
                "This wallet is restricted by the operator (账户限制). Contact support to close it.",
            ),
            ClosingError::PinRequired => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                code,
                "This wallet has a payment password: send it as pin to close the wallet.",
            )
            .field("pin"),
            ClosingError::Pending => ApiError::new(
                StatusCode::CONFLICT,
                code,
                "A request to close this wallet waits for staff already.",
            )
            .detail_zh("钱包注销申请正在审核中。"),
            ClosingError::SweepCard => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                code,
                "sweep_to_card_id must be one of your own active debit cards.",
            )
            .field("sweep_to_card_id"),
            ClosingError::Pin(kyc) => kyc.into(),
            ClosingError::Opening(opening) => opening.into(),
            ClosingError::Store(store) => store.into(),
        }
    }
}

impl From<qianbao_wallet::console::ConsoleError> for ApiError {
    fn from(e: qianbao_wallet::console::ConsoleError) -> Self {
        use qianbao_wallet::console::ConsoleError as E;
        let code = e.code();
        let (status, detail): (StatusCode, String) = match &e {
            E::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "Sign in to the console with a staff account (holder and merchant credentials do \
                 not work here)."
                    .into(),
            ),
            E::PermissionDenied(p) => (
                StatusCode::FORBIDDEN,
                format!("Your role does not allow this: it needs {p}. The attempt was recorded."),
            ),
            E::InvalidCredentials => (
                StatusCode::UNAUTHORIZED,
                "The phone, password or authenticator code is wrong.".into(),
            ),
            E::LoginLocked => (
                StatusCode::LOCKED,
                "This staff account is locked after too many wrong tries. Another admin can \
                 unlock it."
                    .into(),
            ),
            // 404: to the caller, an unknown, used or expired link is the same as none.
            E::SetupInvalid => (
                StatusCode::NOT_FOUND,
                "This set-up link is unknown, used or expired. Ask an admin for a new one.".into(),
            ),
            E::TotpInvalid => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "The authenticator code is wrong or was used already.".into(),
            ),
            E::PasswordWeak(reason) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("Choose a stronger password: {reason}."),
            ),
            E::PhoneInvalid => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "That is not a valid phone number.".into(),
            ),
            E::PhoneTaken => (
                StatusCode::CONFLICT,
                "This phone already has a staff account.".into(),
            ),
            E::RoleInvalid(role) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("{role:?} is no role or permission here."),
            ),
            E::Invalid(what) => (StatusCode::UNPROCESSABLE_ENTITY, (*what).to_string()),
            E::PolicyInvalid(what) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("The policy change is refused: {what}."),
            ),
            E::NotOnSelf => (
                StatusCode::FORBIDDEN,
                "Someone else must do this: nobody acts on their own account.".into(),
            ),
            E::CommandPending => (
                StatusCode::CONFLICT,
                "A command for this action and entity is already waiting for a checker: decide \
                 that one first."
                    .into(),
            ),
            E::OwnCommand => (
                StatusCode::FORBIDDEN,
                "You made this command: a different staff member must approve it.".into(),
            ),
            E::CommandDecided(status) => (
                StatusCode::CONFLICT,
                format!("This command was decided already: it is {status}."),
            ),
            E::CommandExpired => (
                StatusCode::CONFLICT,
                "Nobody decided this command in time; it has expired. Propose it again.".into(),
            ),
            E::CaseLocked => (
                StatusCode::CONFLICT,
                "Another reviewer is working this case. Take the next one.".into(),
            ),
            E::CaseDecided(status) => (
                StatusCode::CONFLICT,
                format!("This case was decided already: it is {status}."),
            ),
            E::IdentityTaken => (
                StatusCode::CONFLICT,
                "Another wallet is verified with this ID number: reject the case.".into(),
            ),
            E::NotFound => return ApiError::not_found(),
            E::Money(_) | E::Recon(_) | E::Store(_) | E::Secrets(_) | E::Internal(_) => {
                return match e {
                    E::Money(money) => money.into(),
                    E::Recon(recon) => recon_error(code, recon),
                    E::Store(store) => store.into(),
                    other => ApiError::internal(other.to_string()),
                };
            }
        };
        ApiError::new(status, code, detail)
    }
}

/// A reconciliation refusal from the console: a bad statement names its line.
fn recon_error(code: &'static str, e: qianbao_wallet::recon::ReconError) -> ApiError {
    use qianbao_wallet::recon::{ReconError as R, StatementError};
    match e {
        R::Statement(StatementError::Line { line, reason }) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
            format!("Line {line} of the statement is refused, and nothing was imported: {reason}."),
        )
        .line(u64::try_from(line).unwrap_or(u64::MAX)),
        R::Statement(StatementError::File(why)) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
            format!("The statement file is refused, and nothing was imported: {why}."),
        ),
        R::NotOpen { status, .. } => ApiError::new(
            StatusCode::CONFLICT,
            code,
            format!("This case was resolved already: it is {status}."),
        ),
        R::Store(store) => store.into(),
        R::NoSuchCase(_) => ApiError::not_found(),
        other => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, other.to_string()),
    }
}
