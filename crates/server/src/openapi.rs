//! The OpenAPI 3.1 document, generated from the route annotations, and the two ways it is served:
//! as JSON at `/openapi.json` and as the browsable page at `/docs`. The document lists its own
//! endpoints, so they live here beside it. A committed copy lives in `docs/openapi.json`; a test
//! fails when the two differ.

use crate::routes::console;
use crate::routes::money::{codes, moves, notifications, recent_payees, records, waiting};
use crate::routes::{fx, kyc, merchant, opening, ops, qr, quote, security, totp};
// Closing wallets (注销).
use crate::routes::closing;
// Red packets (红包).
use crate::routes::red_packets;
use crate::web;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use qianbao_api_types::{
    CardBody, CardConfirmRequest, CardList, CardPending, CardRequestBody, FaceChecked,
    FreezeRequest, Health, IdentityRequest, IdentityVerified, LimitsBody, LoginRequest,
    LoginResponse, Me, OtpRequest, OtpSent, PasswordResetRequest, PhotoAccepted, PinOnly,
    PinRequest, PinResetRequest, Problem, SandboxSms, SandboxSmsList, SessionItem, SessionList,
    SignupRequest, SignupResponse, UnfreezeRequest, WalletStatus,
};
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
    paths(
        ops::healthz, ops::readyz, ops::metrics, openapi_json, docs,
        opening::request_otp, opening::sign_up, opening::log_in, opening::log_out,
        opening::me, opening::sessions, opening::end_session, opening::sandbox_sms,
        kyc::verify_identity, kyc::bind_card, kyc::confirm_card, kyc::cards, kyc::default_card,
        kyc::unbind_card, kyc::set_pin, kyc::reset_pin, kyc::upload_id_photo, kyc::face_check,
        totp::totp_status, totp::enrol_totp, totp::confirm_totp, totp::disable_totp,
        security::freeze,
        security::freeze_by_phone, security::unfreeze, security::reset_password,
        closing::close,
        fx::rates, fx::quote, fx::convert, fx::set_main_currency,
        red_packets::send, red_packets::claim, red_packets::show, red_packets::mine,
        crate::routes::rewards::launch, crate::routes::rewards::merchant_campaigns,
        crate::routes::rewards::campaign, crate::routes::rewards::claim,
        crate::routes::rewards::coupons, crate::routes::points::points,
        crate::routes::proofs::checkpoint, crate::routes::proofs::key,
        crate::routes::proofs::consistency, crate::routes::proofs::inclusion,
        crate::routes::proofs::cosign, crate::routes::proofs::liability,
        crate::routes::gift_cards::issue, crate::routes::gift_cards::issued,
        crate::routes::gift_cards::cards_in_wallet, crate::routes::gift_cards::redeem,
        crate::routes::gift_cards::buy, crate::routes::gift_cards::give,
        crate::routes::budgets::show, crate::routes::budgets::set,
        crate::routes::bills::billers, crate::routes::bills::lookup, crate::routes::bills::pay,
        crate::routes::bills::receipt, crate::routes::bills::saved_billers,
        crate::routes::bills::save_biller, crate::routes::bills::forget_biller,
        crate::routes::bills::set_autopay, crate::routes::bills::stop_autopay,
        moves::balance, moves::top_up, moves::withdraw, moves::payee, moves::transfer,
        moves::cancel_transfer, moves::pay, moves::pay_preview, codes::receive_code, codes::payment_code,
        records::transactions, records::transaction_one, records::transactions_csv, records::transactions_json, records::summary,
        notifications::notifications, notifications::notification_stream,
        recent_payees::recent_payees,
        waiting::pending_charges, waiting::confirm, waiting::decline,
        merchant::open_merchant, merchant::rotate_key, merchant::create_order, merchant::order,
        merchant::charge, merchant::refund, merchant::set_refund_password, merchant::payments, merchant::payment, merchant::set_webhook,
        merchant::balance, merchant::settle, quote::top_up, quote::withdrawal, qr::decode,
        web::config, web::sign_up, web::log_in, web::log_out, web::merchant_sign_in,
        web::merchant_now, web::merchant_sign_out,
        console::session::start_setup, console::session::confirm_setup,
        console::session::sign_in, console::session::sign_out, console::session::me,
        console::staff::list_staff, console::staff::add_staff, console::staff::unlock_staff,
        console::staff::roles, console::staff::define_role, console::holders::search,
        console::holders::profile, console::audit::search, console::audit::export,
        console::commands::propose, console::commands::list, console::commands::approve,
        console::commands::reject, console::commands::freeze, console::queues::risk_queue,
        console::queues::next, console::queues::take, console::queues::release,
        console::queues::reject, console::fx::rates, console::fx::set_rate,
        console::holder_actions::restrict,
        console::holder_actions::unrestrict, console::holder_actions::end_sessions,
        console::holder_actions::reset_login_lock, console::refunds::refund,
        console::campaigns::list, console::campaigns::launch, console::campaigns::end,
        console::recon::import, console::recon::cases, console::recon::accept,
        console::recon::alerts,
        console::policy::policy, console::policy::versions, console::kyc::kyc_queue, console::kyc::next, console::kyc::take,
        console::kyc::photo, console::kyc::approve, console::kyc::reject,
        console::closing::closing_queue, console::closing::reject,
        crate::routes::transit::ride_code, crate::routes::transit::rides, crate::routes::transit::operators, crate::routes::transit::public_key, crate::routes::transit::revoked, crate::routes::transit::taps,
        crate::routes::transit::fare_table, crate::routes::transit::set_fare_table
    ),
    components(schemas(
        qianbao_api_types::proofs::CheckpointReply, qianbao_api_types::proofs::LogKeyReply,
        qianbao_api_types::proofs::ConsistencyReply, qianbao_api_types::proofs::InclusionReply,
        qianbao_api_types::proofs::LiabilityProofReply,
        qianbao_api_types::proofs::ProofAccount, qianbao_api_types::proofs::CosignRequest,
        qianbao_api_types::statement::StatementExport, qianbao_api_types::statement::StatementLine,
        Problem, Health, OtpRequest, OtpSent, SignupRequest, SignupResponse, LoginRequest,
        LoginResponse, Me, LimitsBody, SessionItem, SessionList, SandboxSms, SandboxSmsList,
        IdentityRequest, IdentityVerified, CardRequestBody, CardPending, CardConfirmRequest,
        CardBody, CardList, PinOnly, PinRequest, PinResetRequest, FreezeRequest, UnfreezeRequest,
        PasswordResetRequest, WalletStatus, PhotoAccepted, FaceChecked,
        qianbao_api_types::TotpEnrolled, qianbao_api_types::TotpConfirmRequest,
        qianbao_api_types::TotpStatus,
        qianbao_api_types::Balance, qianbao_api_types::BalanceList,
        qianbao_api_types::FxQuoteRequest, qianbao_api_types::FxQuote,
        qianbao_api_types::FxConversionRequest, qianbao_api_types::FxConversion,
        qianbao_api_types::BillerItem, qianbao_api_types::BillerList,
        qianbao_api_types::BillLookup, qianbao_api_types::BillPayRequest,
        qianbao_api_types::BillPaid, qianbao_api_types::BillReceiptBody,
        qianbao_api_types::AutopayBody, qianbao_api_types::SaveBillerRequest,
        qianbao_api_types::SavedBiller, qianbao_api_types::SavedBillerList,
        qianbao_api_types::FxRates, qianbao_api_types::FxRateItem, qianbao_api_types::FxCurrency,
        qianbao_api_types::MainCurrencyBody, qianbao_api_types::PayFx,
        qianbao_api_types::red_packets::RedPacketRequest,
        qianbao_api_types::budgets::BudgetsRequest,
        qianbao_api_types::budgets::BudgetsBody,
        qianbao_api_types::budgets::BudgetLineBody,
        qianbao_api_types::budgets::BudgetCategoryBody,
        qianbao_api_types::budgets::CategorySpent,
        qianbao_api_types::budgets::MonthSpent,
        qianbao_api_types::red_packets::RedPacketSent,
        qianbao_api_types::red_packets::RedPacketClaimed,
        qianbao_api_types::red_packets::RedPacketClaimItem,
        qianbao_api_types::red_packets::RedPacketReveal,
        qianbao_api_types::red_packets::RedPacketView,
        qianbao_api_types::red_packets::RedPacketList,
        qianbao_api_types::rewards::CouponRuleBody,
        qianbao_api_types::rewards::CampaignRequestBody,
        qianbao_api_types::rewards::CampaignLaunched,
        qianbao_api_types::rewards::CampaignView,
        qianbao_api_types::rewards::CampaignList,
        qianbao_api_types::rewards::CouponClaimed,
        qianbao_api_types::rewards::CouponView,
        qianbao_api_types::rewards::CouponList,
        qianbao_api_types::rewards::PointsReply,
        qianbao_api_types::rewards::PointsExpiring,
        qianbao_api_types::rewards::PointsLine,
        qianbao_api_types::gift_cards::GiftCardIssueRequest,
        qianbao_api_types::gift_cards::GiftCardIssued,
        qianbao_api_types::gift_cards::GiftCardsIssued,
        qianbao_api_types::gift_cards::GiftCardBuyRequest,
        qianbao_api_types::gift_cards::GiftCardBought,
        qianbao_api_types::gift_cards::GiftCardRedeemRequest,
        qianbao_api_types::gift_cards::GiftCardGiveRequest,
        qianbao_api_types::gift_cards::GiftCardView,
        qianbao_api_types::gift_cards::GiftCardList,
        qianbao_api_types::TopupRequest, qianbao_api_types::WithdrawalRequest,
        qianbao_api_types::MoneyReply, qianbao_api_types::PayeeBody,
        qianbao_api_types::TransferRequest, qianbao_api_types::PayRequest, qianbao_api_types::PayPreview,
        qianbao_api_types::PayReply, qianbao_api_types::TransactionBody,
        qianbao_api_types::TransactionPage, qianbao_api_types::SummaryBody,
        qianbao_api_types::SummaryCategory, qianbao_api_types::ReceiveCode,
        qianbao_api_types::PaymentCodeBody, qianbao_api_types::NotificationBody,
        qianbao_api_types::NotificationPage, qianbao_api_types::RecentPayeesBody,
        qianbao_api_types::RecentPayeeBody, qianbao_api_types::MerchantRequest,
        qianbao_api_types::MerchantOpened, qianbao_api_types::ApiKeyBody,
        qianbao_api_types::OrderRequest, qianbao_api_types::OrderBody,
        qianbao_api_types::ChargeRequest, qianbao_api_types::ChargeReply,
        qianbao_api_types::MerchantPaymentStatus, qianbao_api_types::PendingChargeBody,
        qianbao_api_types::PendingChargeList, qianbao_api_types::ConfirmChargeRequest,
        qianbao_api_types::RefundRequest, qianbao_api_types::RefundReply,
        qianbao_api_types::RefundPasswordRequest,
        qianbao_api_types::MerchantPaymentBody, qianbao_api_types::MerchantPaymentPage,
        qianbao_api_types::WebhookRequest, qianbao_api_types::WebhookSecret,
        qianbao_api_types::SettlementRequest, qianbao_api_types::QuoteBody,
        qianbao_api_types::QrText, qianbao_api_types::WebConfig, qianbao_api_types::WebSignedUp,
        qianbao_api_types::WebSession, qianbao_api_types::WebMerchantSignIn,
        qianbao_api_types::WebMerchant,
        records::TimeBound, crate::routes::money::statement::StatementLang,
        qianbao_api_types::CloseRequest, qianbao_api_types::CloseBlocker,
        qianbao_api_types::console::StaffSetupRequest, qianbao_api_types::console::StaffTotpSecret,
        qianbao_api_types::console::StaffSetupConfirm, qianbao_api_types::console::StaffSignInRequest,
        qianbao_api_types::console::StaffView, qianbao_api_types::console::StaffSession,
        qianbao_api_types::console::StaffMe, qianbao_api_types::console::StaffAddRequest,
        qianbao_api_types::console::StaffAdded, qianbao_api_types::console::StaffChange,
        qianbao_api_types::console::RoleView, qianbao_api_types::console::RoleDefine,
        qianbao_api_types::console::HolderSearch, qianbao_api_types::console::HolderRow,
        qianbao_api_types::console::HolderAccountView, qianbao_api_types::console::HolderCardView,
        qianbao_api_types::console::HolderMovementView,
        qianbao_api_types::console::HolderSessionView,
        qianbao_api_types::console::HolderNotificationView,
        qianbao_api_types::console::HolderProfileView, qianbao_api_types::console::AuditLineView,
        qianbao_api_types::console::CommandRequest, qianbao_api_types::console::CommandView,
        qianbao_api_types::console::ReasonBody,
        qianbao_api_types::console::FxRateBody, qianbao_api_types::console::FxRateList, qianbao_api_types::console::RiskCaseView,
        qianbao_api_types::console::CaseDecisionBody, qianbao_api_types::console::CaseDecided,
        qianbao_api_types::console_money::HolderActionView,
        qianbao_api_types::console_money::ConsoleRefundRequest,
        qianbao_api_types::console_money::ConsoleRefundView,
        console::campaigns::ConsoleCampaignRequest, console::campaigns::ConsoleCampaignView,
        console::campaigns::ConsoleCampaignList, console::campaigns::ConsoleCampaignEnded,
        qianbao_api_types::console_money::ReconCaseView,
        qianbao_api_types::console_money::ReconImportView,
        qianbao_api_types::console_money::AcceptCaseBody,
        qianbao_api_types::console_money::FundingAlertView,
        qianbao_api_types::console::PolicyVersionView,
        qianbao_api_types::console::KycCaseView, qianbao_api_types::console::KycDecisionBody,
        qianbao_api_types::console::KycCaseDecided,
        qianbao_api_types::console::HolderKycReviewView,
        qianbao_api_types::console::HolderRiskDecisionView,
        qianbao_api_types::console::ClosingCaseView,
        qianbao_api_types::console::ClosingRejectBody,
        qianbao_api_types::console::ClosingRejected,
        qianbao_api_types::ClosePending,
        qianbao_api_types::transit::RideCode, qianbao_api_types::transit::TransitPublicKey, qianbao_api_types::transit::RevokedRideTokens, qianbao_api_types::transit::TapLine, qianbao_api_types::transit::TapBatch, qianbao_api_types::transit::RejectedTap, qianbao_api_types::transit::TapBatchResult, qianbao_api_types::transit::RideView, qianbao_api_types::transit::RideList, qianbao_api_types::transit::TransitOperator,
        qianbao_api_types::transit::FareStation, qianbao_api_types::transit::FareTableBody
    )),
    modifiers(&BearerAuth, &CommonProblems),
    tags(
        (name = "operations", description = "Health, readiness, metrics and this document"),
        (name = "sign-up and login", description = "SMS codes, opening a wallet, sessions"),
        (name = "holder", description = "The logged-in holder"),
        (name = "real-name verification", description = "Name and ID number: L0 to L1"),
        (name = "bank cards", description = "Binding cards in the holder's own name: L1 to L2"),
        (name = "payment password", description = "The six-digit PIN that authorises payments"),
        (name = "second factor", description = "TOTP (RFC 6238) for logins and risky payments"),
        (name = "security", description = "Freezing, unfreezing and recovery"),
        (name = "money", description = "Balance, top-ups, withdrawals, transfers, paying codes, records and alerts"),
        (name = "bills", description = "Bill payment (生活缴费): billers, look-ups, payments and receipts, saved billers and auto-pay"),
        (name = "fx", description = "Several currencies: the rates in force, quotes and conversions between a holder's own accounts"),
        (name = "budgets", description = "Monthly budgets (消费预算): overall and per category, with alerts at 80 % and 100 %"),
        (name = "red_packets", description = "Red packets (红包): one-to-one or a group's shares, split fairly and provably"),
        (name = "rewards", description = "Campaigns with their budget set aside, the coupons holders claim, points, and gift and membership cards"),
        (name = "proofs", description = "The journal's Merkle log (RFC 6962): signed checkpoints, consistency proofs, inclusion proofs of a holder's own transactions, witnesses' cosignatures"),
        (name = "merchants", description = "Opening a merchant; orders, charges, refunds, settlement (merchant API key)"),
        (name = "sandbox", description = "Only with `serve --sandbox`"),
        (name = "transit", description = "Ride codes (乘车码) a gate checks offline, the revocation list and gates' tap uploads (transit operator's key)"),
        (name = "console", description = "The operator's console: staff sessions only, every call's permission checked and audited")
    )
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

/// This API as an OpenAPI 3.1 document.
#[utoipa::path(get, path = "/openapi.json", tag = "operations",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json")))]
pub async fn openapi_json() -> Response {
    let mut response = document_json().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// A browsable reference of this API, drawn from `/openapi.json` by a small script of our own.
#[utoipa::path(get, path = "/docs", tag = "operations",
    responses((status = 200, description = "The API reference page", content_type = "text/html")))]
pub async fn docs() -> Response {
    asset(
        include_str!("../assets/docs.html"),
        "text/html; charset=utf-8",
    )
}

/// The script of the `/docs` page.
pub async fn docs_script() -> Response {
    asset(
        include_str!("../assets/docs.js"),
        "text/javascript; charset=utf-8",
    )
}

/// A file of the `/docs` page with its own policy: the page is our script over our document, so
/// it may fetch from us and nothing else.
fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'",
        ),
    );
    response
}

/// Declares the two bearer schemes: a holder's session token and a merchant's API key.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        let scheme = |description: &str| {
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(description))
                    .build(),
            )
        };
        components.add_security_scheme(
            "session",
            scheme("A holder's session token, from `POST /v1/signup` or `POST /v1/sessions`."),
        );
        components.add_security_scheme(
            "merchant_key",
            scheme("A merchant's API key, from `POST /v1/merchants` (`qbk_…`)."),
        );
    }
}

/// The failures that whole classes of operations share, added to each operation of the class so
/// that no annotation can forget one: every call with credentials can be 401 `unauthorized`;
/// every JSON body can be malformed, too large, of the wrong type or of the wrong shape; every
/// query string can be of the wrong shape; every money call can lack its `Idempotency-Key`, reuse
/// it for another request or race its own retry, or meet a maintenance window; and every call
/// under `/v1` (and `/readyz`) can meet unavailable storage or the request time limit.
struct CommonProblems;

impl CommonProblems {
    fn apply(path: &str, op: &mut utoipa::openapi::path::Operation) {
        use utoipa::openapi::path::ParameterIn;
        let json_body = op.request_body.as_ref().is_some_and(|b| match b {
            utoipa::openapi::RefOr::T(b) => b.content.contains_key("application/json"),
            utoipa::openapi::RefOr::Ref(_) => false,
        });
        let params: Vec<&utoipa::openapi::path::Parameter> = op
            .parameters
            .iter()
            .flatten()
            .filter_map(|p| match p {
                utoipa::openapi::RefOr::T(p) => Some(p),
                utoipa::openapi::RefOr::Ref(_) => None,
            })
            .collect();
        let query = params.iter().any(|p| p.parameter_in == ParameterIn::Query);
        let idempotent = params
            .iter()
            .any(|p| p.parameter_in == ParameterIn::Header && p.name == "Idempotency-Key");
        let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
        let mut add = |status: &str, codes: &[&str]| problem(op, status, codes);
        if secured {
            add("401", &["unauthorized"]);
        }
        if json_body {
            add("400", &["malformed_json", "malformed_request"]);
            add("413", &["payload_too_large"]);
            add("415", &["unsupported_media_type"]);
            add("422", &["invalid_request"]);
        }
        if query {
            add("422", &["invalid_request"]);
        }
        if idempotent {
            add(
                "400",
                &["idempotency_key_required", "idempotency_key_invalid"],
            );
            add("409", &["idempotency_in_progress"]);
            add("422", &["idempotency_conflict"]);
            add("503", &["maintenance"]);
        }
        if path.starts_with("/v1/") || path == "/readyz" {
            add("503", &["storage_unavailable", "timeout"]);
        }
    }
}

/// Adds `codes` to the operation's problem response of `status`, making the response if needed.
fn problem(op: &mut utoipa::openapi::path::Operation, status: &str, codes: &[&str]) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let listed = |codes: &[&str]| {
        codes
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match op.responses.responses.get_mut(status) {
        Some(RefOr::T(response)) => {
            let missing: Vec<&str> = codes
                .iter()
                .copied()
                .filter(|c| !response.description.contains(&format!("`{c}`")))
                .collect();
            if !missing.is_empty() {
                response.description = format!("{}; {}", response.description, listed(&missing));
            }
            response
                .content
                .entry("application/problem+json".to_string())
                .or_insert_with(|| problem_content().into());
        }
        Some(RefOr::Ref(_)) => {}
        None => {
            let response = ResponseBuilder::new()
                .description(listed(codes))
                .content("application/problem+json", problem_content())
                .build();
            op.responses
                .responses
                .insert(status.to_string(), RefOr::T(response));
        }
    }

    fn problem_content() -> utoipa::openapi::Content {
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("Problem")))
            .build()
    }
}

impl utoipa::Modify for CommonProblems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                CommonProblems::apply(path, op);
            }
        }
    }
}
