//! Why a money call was refused: one enum, each variant with its stable API code.

use super::limits::Exceeded;
use super::outcome::Reply;
use crate::StoreError;
use crate::kyc::KycError;
use crate::risk::Verdict;

/// Why a second factor was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum SecondFactorRefusal {
    /// The TOTP code (`totp_invalid`, `totp_locked`, `totp_not_enabled`).
    #[error(transparent)]
    Totp(KycError),
    /// The SMS code of purpose `step_up` (`otp_invalid`, `otp_expired`).
    #[error(transparent)]
    Sms(crate::opening::OpeningError),
}

/// A call risk control refused, with the decision to keep: the refusal rolls the call's
/// transaction back, so the shell stores the decision after it.
#[derive(Debug)]
pub struct RiskRefusal {
    /// `step_up` or `block`.
    pub verdict: Verdict,
    /// The stable reason code.
    pub reason: &'static str,
    /// For a step-up: the second factors that will do (`totp` when enrolled, `sms`).
    pub methods: Vec<&'static str>,
    /// The decision, stored once the call's transaction is rolled back.
    pub record: super::records::DecisionRecord,
}

impl RiskRefusal {
    /// The API's code.
    pub fn code(&self) -> &'static str {
        if self.verdict == Verdict::StepUp {
            "step_up_required"
        } else {
            "risk_blocked"
        }
    }
}

/// Why a money call was refused. Each variant has the API's code; none leaves a trace in any
/// balance.
#[derive(Debug, thiserror::Error)]
pub enum MoneyError {
    /// The wallet is frozen: no money leaves it.
    #[error("account_frozen")]
    Frozen,
    /// The operator has restricted the wallet.
    #[error("account_restricted")]
    Restricted,
    /// The level is too low for this (withdrawal needs L2, a merchant L1).
    #[error("kyc_required")]
    KycRequired,
    /// The payment password check failed (wrong, locked, not set).
    #[error(transparent)]
    Pin(KycError),
    /// The amount is not a whole positive number of minor units within bounds.
    #[error("amount_invalid")]
    AmountInvalid,
    /// The currency is unknown or not accepted for this movement.
    #[error("currency_unsupported")]
    CurrencyUnsupported,
    /// No fresh rate links the two currencies (none set, or older than the policy allows).
    #[error("fx_unavailable")]
    FxUnavailable,
    /// The quote's time to be used has passed.
    #[error("quote_expired")]
    QuoteExpired,
    /// The quote was used already: each is used at most once.
    #[error("quote_used")]
    QuoteUsed,
    /// The payee does not hold the currency sent: it arrives in their main currency (given) only
    /// through a quote the payer saw first.
    #[error("quote_required: {0}")]
    QuoteRequired(qianbao_ledger::Currency),
    /// The balance is not enough.
    #[error("insufficient_balance")]
    InsufficientBalance,
    /// A limit would be broken.
    #[error("limit_exceeded")]
    LimitExceeded(Exceeded),
    /// The payee cannot take this payment: yourself, or a wallet that is closed or frozen.
    #[error("invalid_payee: {0}")]
    InvalidPayee(&'static str),
    /// The scanned text is not a code the platform issued, with why (`crc_mismatch`,
    /// `not_ours`, `amount_mismatch`, `unknown_code`, …).
    #[error("payload_invalid: {0}")]
    PayloadInvalid(&'static str),
    /// The order's time to pay has passed.
    #[error("order_expired")]
    OrderExpired,
    /// The order is paid already.
    #[error("order_paid")]
    OrderPaid,
    /// No such payment code, or it was used.
    #[error("payment_code_invalid")]
    PaymentCodeInvalid,
    /// The payment code is older than its 60 s.
    #[error("payment_code_expired")]
    PaymentCodeExpired,
    /// Above the password-free limit: the holder must confirm with the payment password.
    #[error("pin_required")]
    PinRequired,
    /// A charge waiting for its payer lapsed before they confirmed it: nothing was paid.
    #[error("charge_expired")]
    ChargeExpired,
    /// A charge waiting for its payer was confirmed or declined already.
    #[error("charge_not_awaiting")]
    ChargeNotAwaiting,
    /// More would be refunded than was paid.
    #[error("refund_exceeds_payment")]
    RefundExceedsPayment,
    /// The shop's refund password was missing, wrong, locked or not set (`refund_password_*`).
    #[error(transparent)]
    RefundPassword(super::refund_password::RefundPasswordError),
    /// The merchant cannot take payments now.
    #[error("merchant_unavailable")]
    MerchantUnavailable,
    /// The card's account at the bank does not hold enough.
    #[error("bank_insufficient_funds")]
    BankInsufficientFunds,
    /// The bank refused the movement.
    #[error("bank_rejected")]
    BankRejected,
    /// The bank is busy; retry with the same key.
    #[error("bank_unavailable")]
    BankUnavailable,
    /// A maintenance window is on.
    #[error("maintenance")]
    Maintenance {
        /// Seconds until it is announced to end.
        retry_after_s: u64,
        /// The operator's notice.
        message: String,
    },
    /// The Idempotency-Key was used for a different request.
    #[error("idempotency_conflict")]
    IdempotencyConflict,
    /// The first request with this key is still running.
    #[error("idempotency_in_progress")]
    IdempotencyInProgress,
    /// The key was used before for the same request: here is the first reply.
    #[error("replay")]
    Replay(Reply),
    /// The delayed transfer has arrived or was cancelled already.
    #[error("not_cancellable")]
    NotCancellable,
    /// This holder has claimed a share of this red packet already.
    #[error("already_claimed")]
    AlreadyClaimed,
    /// Every share of the red packet has been claimed.
    #[error("red_packet_empty")]
    RedPacketEmpty,
    /// The red packet expired; what was left went back to its sender.
    #[error("red_packet_expired")]
    RedPacketExpired,
    /// The biller has no bill for this account (or the bill id is unknown).
    #[error("bill_not_found")]
    BillNotFound,
    /// The bill is paid already.
    #[error("bill_already_paid")]
    BillAlreadyPaid,
    /// The bill's amount changed since it was looked up; look it up again.
    #[error("bill_amount_changed")]
    BillAmountChanged,
    /// The biller is not answering; retry with the same key.
    #[error("biller_unavailable")]
    BillerUnavailable,
    /// A transit fare is owed: the ride code works again once it is paid.
    #[error("fare_owed")]
    FareOwed,
    /// The campaign's budget backs no more coupons.
    #[error("campaign_exhausted")]
    CampaignExhausted,
    /// The campaign has not started or has ended.
    #[error("campaign_not_active")]
    CampaignNotActive,
    /// The holder has claimed as many of the campaign's coupons as it allows (in all or today).
    #[error("coupon_limit_reached")]
    CouponLimitReached,
    /// The campaign is for others (new customers only).
    #[error("not_eligible")]
    NotEligible,
    /// The coupon was used already.
    #[error("coupon_used")]
    CouponUsed,
    /// The coupon's campaign has ended.
    #[error("coupon_expired")]
    CouponExpired,
    /// The coupon is for another shop (or this kind of payment takes none).
    #[error("coupon_not_applicable")]
    CouponNotApplicable,
    /// The payment is below the coupon's minimum spend.
    #[error("coupon_min_spend")]
    CouponMinSpend,
    /// The holder has fewer points than the payment asks to redeem.
    #[error("insufficient_points")]
    InsufficientPoints,
    /// No gift card has this id or redeem code.
    #[error("gift_card_not_found")]
    GiftCardNotFound,
    /// The gift card's code was redeemed already.
    #[error("gift_card_redeemed")]
    GiftCardRedeemed,
    /// The gift card has expired.
    #[error("gift_card_expired")]
    GiftCardExpired,
    /// The gift card is for another shop.
    #[error("gift_card_not_applicable")]
    GiftCardNotApplicable,
    /// A field other than the amount is unusable; names it.
    #[error("invalid_request: {0}")]
    InvalidField(&'static str),
    /// No such thing of the caller's.
    #[error("not_found")]
    NotFound,
    /// Too many tries of something guessable (payee lookups, payment codes); retry after this
    /// many seconds.
    #[error("rate_limited")]
    RateLimited {
        /// Seconds until a try may succeed.
        retry_after_s: u64,
    },
    /// Risk control refused the call: it wants a second factor (`step_up_required`: repeat it,
    /// same body and key, with a TOTP code or an SMS code of purpose `step_up`), or blocks it
    /// (`risk_blocked`).
    #[error("{}", .0.code())]
    Risk(Box<RiskRefusal>),
    /// The second factor sent with the call was wrong, used, expired or locked: the call may be
    /// sent again, same key, with a right one.
    #[error(transparent)]
    SecondFactor(Box<SecondFactorRefusal>),
    /// Storage failed; nothing was changed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A bug or an unexpected answer (the ledger refusing an entry the rules built, say).
    #[error("internal: {0}")]
    Internal(String),
}

impl MoneyError {
    /// The API's code.
    pub fn code(&self) -> &'static str {
        match self {
            MoneyError::Frozen => "account_frozen",
            MoneyError::Restricted => "account_restricted",
            MoneyError::KycRequired => "kyc_required",
            MoneyError::Pin(e) => e.code(),
            MoneyError::AmountInvalid => "amount_invalid",
            MoneyError::CurrencyUnsupported => "currency_unsupported",
            MoneyError::FxUnavailable => "fx_unavailable",
            MoneyError::QuoteExpired => "quote_expired",
            MoneyError::QuoteUsed => "quote_used",
            MoneyError::QuoteRequired(_) => "quote_required",
            MoneyError::InsufficientBalance => "insufficient_balance",
            MoneyError::LimitExceeded(_) => "limit_exceeded",
            MoneyError::InvalidPayee(_) => "invalid_payee",
            MoneyError::PayloadInvalid(_) => "payload_invalid",
            MoneyError::OrderExpired => "order_expired",
            MoneyError::OrderPaid => "order_paid",
            MoneyError::PaymentCodeInvalid => "payment_code_invalid",
            MoneyError::PaymentCodeExpired => "payment_code_expired",
            MoneyError::PinRequired => "pin_required",
            MoneyError::ChargeExpired => "charge_expired",
            MoneyError::ChargeNotAwaiting => "charge_not_awaiting",
            MoneyError::RefundExceedsPayment => "refund_exceeds_payment",
            MoneyError::RefundPassword(e) => e.code(),
            MoneyError::MerchantUnavailable => "merchant_unavailable",
            MoneyError::BankInsufficientFunds => "bank_insufficient_funds",
            MoneyError::BankRejected => "bank_rejected",
            MoneyError::BankUnavailable => "bank_unavailable",
            MoneyError::Maintenance { .. } => "maintenance",
            MoneyError::IdempotencyConflict => "idempotency_conflict",
            MoneyError::IdempotencyInProgress => "idempotency_in_progress",
            MoneyError::Replay(_) => "replay",
            MoneyError::NotCancellable => "not_cancellable",
            MoneyError::AlreadyClaimed => "already_claimed",
            MoneyError::RedPacketEmpty => "red_packet_empty",
            MoneyError::RedPacketExpired => "red_packet_expired",
            MoneyError::BillNotFound => "bill_not_found",
            MoneyError::BillAlreadyPaid => "bill_already_paid",
            MoneyError::BillAmountChanged => "bill_amount_changed",
            MoneyError::BillerUnavailable => "biller_unavailable",
            MoneyError::FareOwed => "fare_owed",
            MoneyError::CampaignExhausted => "campaign_exhausted",
            MoneyError::CampaignNotActive => "campaign_not_active",
            MoneyError::CouponLimitReached => "coupon_limit_reached",
            MoneyError::NotEligible => "not_eligible",
            MoneyError::CouponUsed => "coupon_used",
            MoneyError::CouponExpired => "coupon_expired",
            MoneyError::CouponNotApplicable => "coupon_not_applicable",
            MoneyError::CouponMinSpend => "coupon_min_spend",
            MoneyError::InsufficientPoints => "insufficient_points",
            MoneyError::GiftCardNotFound => "gift_card_not_found",
            MoneyError::GiftCardRedeemed => "gift_card_redeemed",
            MoneyError::GiftCardExpired => "gift_card_expired",
            MoneyError::GiftCardNotApplicable => "gift_card_not_applicable",
            MoneyError::InvalidField(_) => "invalid_request",
            MoneyError::NotFound => "not_found",
            MoneyError::RateLimited { .. } => "rate_limited",
            MoneyError::Risk(refusal) => refusal.code(),
            MoneyError::SecondFactor(refusal) => match refusal.as_ref() {
                SecondFactorRefusal::Totp(e) => e.code(),
                SecondFactorRefusal::Sms(e) => e.code(),
            },
            MoneyError::Store(_) => "storage_unavailable",
            MoneyError::Internal(_) => "internal",
        }
    }
}

impl From<KycError> for MoneyError {
    fn from(e: KycError) -> Self {
        match e {
            KycError::Store(s) => MoneyError::Store(s),
            KycError::NotFound => MoneyError::NotFound,
            KycError::KycRequired => MoneyError::KycRequired,
            other => MoneyError::Pin(other),
        }
    }
}
