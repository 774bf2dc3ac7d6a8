//! The router: every path with its handler, and the layers every request passes. The one module
//! that knows all the routes, so the route modules need not know each other or the application.

use crate::openapi;
use crate::routes::console;
use crate::routes::money::{codes, moves, notifications, recent_payees, records, waiting};
use crate::routes::{fx, kyc, merchant, opening, ops, qr, quote, red_packets, security, totp};
// Closing wallets (注销).
use crate::routes::closing;
use crate::settings::Settings;
use crate::state::{AppState, Shared};
use crate::{middleware, web};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;

/// Every path with its handler over `state`, wrapped in the layers of [`with_layers`].
pub fn router(state: AppState, settings: &Settings) -> Router {
    let routes = Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/openapi.json", get(openapi::openapi_json))
        .route("/docs", get(openapi::docs))
        .route("/docs/docs.js", get(openapi::docs_script))
        .route("/v1/otp", post(opening::request_otp))
        .route("/v1/signup", post(opening::sign_up))
        .route("/v1/sessions", post(opening::log_in))
        .route("/v1/sessions/current", delete(opening::log_out))
        .route("/v1/me", get(opening::me))
        .route("/v1/me/sessions", get(opening::sessions))
        .route("/v1/me/sessions/{id}", delete(opening::end_session))
        .route("/v1/sandbox/sms", get(opening::sandbox_sms))
        .route("/v1/me/identity", post(kyc::verify_identity))
        .route(
            "/v1/me/identity/photo",
            axum::routing::put(kyc::upload_id_photo).layer(DefaultBodyLimit::max(
                qianbao_wallet::domain::MAX_PHOTO_BYTES,
            )),
        )
        .route(
            "/v1/me/identity/face",
            axum::routing::put(kyc::face_check).layer(DefaultBodyLimit::max(
                qianbao_wallet::domain::MAX_PHOTO_BYTES,
            )),
        )
        .route("/v1/me/cards", post(kyc::bind_card).get(kyc::cards))
        .route("/v1/me/cards/{card_id}/confirm", post(kyc::confirm_card))
        .route("/v1/me/cards/{card_id}/default", post(kyc::default_card))
        .route("/v1/me/cards/{card_id}/unbind", post(kyc::unbind_card))
        .route("/v1/me/pin", axum::routing::put(kyc::set_pin))
        .route("/v1/me/pin/reset", post(kyc::reset_pin))
        .route(
            "/v1/me/totp",
            get(totp::totp_status)
                .post(totp::enrol_totp)
                .delete(totp::disable_totp),
        )
        .route("/v1/me/totp/confirm", post(totp::confirm_totp))
        .route("/v1/me/freeze", post(security::freeze))
        .route("/v1/freeze", post(security::freeze_by_phone))
        .route("/v1/me/unfreeze", post(security::unfreeze))
        .route("/v1/password/reset", post(security::reset_password))
        // Closing wallets (注销).
        .route("/v1/me/close", post(closing::close))
        // Transit ride codes (乘车码).
        .route("/v1/me/ride-code", get(crate::routes::transit::ride_code))
        .route("/v1/me/rides", get(crate::routes::transit::rides))
        .route(
            "/v1/transit/operators",
            get(crate::routes::transit::operators),
        )
        .route(
            "/v1/transit/public-key",
            get(crate::routes::transit::public_key),
        )
        .route("/v1/transit/revoked", get(crate::routes::transit::revoked))
        .route("/v1/transit/taps", post(crate::routes::transit::taps))
        .route(
            "/v1/merchant/transit/fare-table",
            get(crate::routes::transit::fare_table).put(crate::routes::transit::set_fare_table),
        )
        .route("/v1/me/balance", get(moves::balance))
        .route("/v1/fx/rates", get(fx::rates))
        .route("/v1/fx/quotes", post(fx::quote))
        .route("/v1/fx/conversions", post(fx::convert))
        .route(
            "/v1/me/main-currency",
            axum::routing::put(fx::set_main_currency),
        )
        // Red packets (红包).
        .route("/v1/red-packets", post(red_packets::send))
        .route("/v1/red-packets/{id}", get(red_packets::show))
        .route("/v1/red-packets/{id}/claim", post(red_packets::claim))
        .route("/v1/me/red-packets", get(red_packets::mine))
        // Rewards: campaigns and coupons.
        .route(
            "/v1/merchant/campaigns",
            get(crate::routes::rewards::merchant_campaigns).post(crate::routes::rewards::launch),
        )
        .route("/v1/campaigns/{id}", get(crate::routes::rewards::campaign))
        .route(
            "/v1/campaigns/{id}/claim",
            post(crate::routes::rewards::claim),
        )
        .route("/v1/me/coupons", get(crate::routes::rewards::coupons))
        .route("/v1/me/points", get(crate::routes::points::points))
        // Gift and membership cards (礼品卡、会员卡).
        .route(
            "/v1/merchant/gift-cards",
            get(crate::routes::gift_cards::issued).post(crate::routes::gift_cards::issue),
        )
        .route(
            "/v1/me/cards-in-wallet",
            get(crate::routes::gift_cards::cards_in_wallet),
        )
        .route(
            "/v1/me/gift-cards/redeem",
            post(crate::routes::gift_cards::redeem),
        )
        .route(
            "/v1/me/gift-cards/{id}/give",
            post(crate::routes::gift_cards::give),
        )
        .route("/v1/gift-cards/buy", post(crate::routes::gift_cards::buy))
        // Monthly budgets (消费预算).
        .route(
            "/v1/me/budgets",
            get(crate::routes::budgets::show).put(crate::routes::budgets::set),
        )
        // Bill payment (生活缴费).
        .route("/v1/billers", get(crate::routes::bills::billers))
        .route("/v1/bills/lookup", get(crate::routes::bills::lookup))
        .route("/v1/bills/{bill_id}/pay", post(crate::routes::bills::pay))
        .route("/v1/me/bills/{id}", get(crate::routes::bills::receipt))
        .route(
            "/v1/me/billers",
            get(crate::routes::bills::saved_billers).post(crate::routes::bills::save_biller),
        )
        .route(
            "/v1/me/billers/{id}",
            axum::routing::delete(crate::routes::bills::forget_biller),
        )
        .route(
            "/v1/me/billers/{id}/autopay",
            axum::routing::put(crate::routes::bills::set_autopay)
                .delete(crate::routes::bills::stop_autopay),
        )
        .route("/v1/me/topups", post(moves::top_up))
        .route("/v1/me/topups/quote", get(quote::top_up))
        .route("/v1/me/withdrawals/quote", get(quote::withdrawal))
        .route("/v1/me/withdrawals", post(moves::withdraw))
        .route("/v1/payees", get(moves::payee))
        .route("/v1/transfers", post(moves::transfer))
        .route("/v1/transfers/{id}/cancel", post(moves::cancel_transfer))
        .route("/v1/pay", post(moves::pay))
        .route("/v1/pay/preview", get(moves::pay_preview))
        .route("/v1/me/receive-code", get(codes::receive_code))
        .route("/v1/me/payment-code", get(codes::payment_code))
        .route("/v1/me/transactions", get(records::transactions))
        .route("/v1/me/transactions.csv", get(records::transactions_csv))
        .route("/v1/me/transactions.json", get(records::transactions_json))
        .route("/v1/me/transactions/{id}", get(records::transaction_one))
        // The journal log's checkpoints and proofs.
        .route(
            "/v1/me/transactions/{id}/proof",
            get(crate::routes::proofs::inclusion),
        )
        .route(
            "/v1/me/liability-proof",
            get(crate::routes::proofs::liability),
        )
        .route(
            "/v1/proofs/checkpoint",
            get(crate::routes::proofs::checkpoint),
        )
        .route("/v1/proofs/key", get(crate::routes::proofs::key))
        .route(
            "/v1/proofs/consistency",
            get(crate::routes::proofs::consistency),
        )
        .route(
            "/v1/proofs/checkpoints/{size}/cosign",
            post(crate::routes::proofs::cosign),
        )
        .route("/v1/me/summary", get(records::summary))
        .route("/v1/me/notifications", get(notifications::notifications))
        .route("/v1/me/recent-payees", get(recent_payees::recent_payees))
        .route(
            "/v1/me/notifications/stream",
            get(notifications::notification_stream),
        )
        .route("/v1/me/pending-charges", get(waiting::pending_charges))
        .route(
            "/v1/me/pending-charges/{id}/confirm",
            post(waiting::confirm),
        )
        .route(
            "/v1/me/pending-charges/{id}/decline",
            post(waiting::decline),
        )
        .route("/v1/merchants", post(merchant::open_merchant))
        .route(
            "/v1/merchants/{merchant_id}/api-keys",
            post(merchant::rotate_key),
        )
        .route("/v1/merchant/orders", post(merchant::create_order))
        .route("/v1/merchant/orders/{id}", get(merchant::order))
        .route("/v1/merchant/charges", post(merchant::charge))
        .route("/v1/merchant/refunds", post(merchant::refund))
        .route(
            "/v1/merchant/refund-password",
            axum::routing::put(merchant::set_refund_password),
        )
        .route("/v1/merchant/payments", get(merchant::payments))
        .route("/v1/merchant/payments/{id}", get(merchant::payment))
        .route(
            "/v1/merchant/webhook",
            axum::routing::put(merchant::set_webhook),
        )
        .route("/v1/merchant/balance", get(merchant::balance))
        .route("/v1/merchant/settlements", post(merchant::settle))
        .route(
            "/v1/qr/decode",
            post(qr::decode).layer(DefaultBodyLimit::max(
                qianbao_wallet::domain::MAX_PHOTO_BYTES,
            )),
        )
        .route("/v1/console/setup", post(console::session::start_setup))
        .route(
            "/v1/console/setup/confirm",
            post(console::session::confirm_setup),
        )
        .route("/v1/console/sessions", post(console::session::sign_in))
        .route(
            "/v1/console/sessions/current",
            delete(console::session::sign_out),
        )
        .route("/v1/console/me", get(console::session::me))
        .route(
            "/v1/console/staff",
            get(console::staff::list_staff).post(console::staff::add_staff),
        )
        .route(
            "/v1/console/staff/{id}/unlock",
            post(console::staff::unlock_staff),
        )
        .route(
            "/v1/console/roles",
            get(console::staff::roles).post(console::staff::define_role),
        )
        .route("/v1/console/holders/search", post(console::holders::search))
        .route("/v1/console/holders/{id}", get(console::holders::profile))
        .route(
            "/v1/console/holders/{id}/freeze",
            post(console::commands::freeze),
        )
        .route(
            "/v1/console/commands",
            get(console::commands::list).post(console::commands::propose),
        )
        .route(
            "/v1/console/commands/{id}/approve",
            post(console::commands::approve),
        )
        .route(
            "/v1/console/commands/{id}/reject",
            post(console::commands::reject),
        )
        .route("/v1/console/queues/risk", get(console::queues::risk_queue))
        .route("/v1/console/queues/risk/next", post(console::queues::next))
        .route(
            "/v1/console/queues/risk/{id}/take",
            post(console::queues::take),
        )
        .route(
            "/v1/console/queues/risk/{id}/release",
            post(console::queues::release),
        )
        .route(
            "/v1/console/queues/risk/{id}/reject",
            post(console::queues::reject),
        )
        .route(
            "/v1/console/fx/rates",
            get(console::fx::rates).put(console::fx::set_rate),
        )
        .route(
            "/v1/console/holders/{id}/restrict",
            post(console::holder_actions::restrict),
        )
        .route(
            "/v1/console/holders/{id}/unrestrict",
            post(console::holder_actions::unrestrict),
        )
        .route(
            "/v1/console/holders/{id}/sessions/end",
            post(console::holder_actions::end_sessions),
        )
        .route(
            "/v1/console/holders/{id}/login-lock/reset",
            post(console::holder_actions::reset_login_lock),
        )
        .route(
            "/v1/console/payments/{payment_id}/refund",
            post(console::refunds::refund),
        )
        .route(
            "/v1/console/campaigns",
            get(console::campaigns::list).post(console::campaigns::launch),
        )
        .route(
            "/v1/console/campaigns/{id}/end",
            post(console::campaigns::end),
        )
        .route(
            "/v1/console/recon/imports",
            post(console::recon::import)
                .layer(DefaultBodyLimit::max(console::recon::UPLOAD_BYTES_MAX)),
        )
        .route("/v1/console/recon/cases", get(console::recon::cases))
        .route(
            "/v1/console/recon/cases/{id}/accept",
            post(console::recon::accept),
        )
        .route("/v1/console/recon/alerts", get(console::recon::alerts))
        .route("/v1/console/policy", get(console::policy::policy))
        .route(
            "/v1/console/policy/versions",
            get(console::policy::versions),
        )
        .route(
            "/v1/console/queues/closing",
            get(console::closing::closing_queue),
        )
        .route(
            "/v1/console/queues/closing/{request_id}/reject",
            post(console::closing::reject),
        )
        .route("/v1/console/queues/kyc", get(console::kyc::kyc_queue))
        .route("/v1/console/queues/kyc/next", post(console::kyc::next))
        .route("/v1/console/queues/kyc/{id}/take", post(console::kyc::take))
        .route(
            "/v1/console/queues/kyc/{id}/photo",
            get(console::kyc::photo),
        )
        .route(
            "/v1/console/queues/kyc/{id}/approve",
            post(console::kyc::approve),
        )
        .route(
            "/v1/console/queues/kyc/{id}/reject",
            post(console::kyc::reject),
        )
        .route("/v1/console/audit", get(console::audit::search))
        .route("/v1/console/audit.csv", get(console::audit::export))
        .route("/", get(web::holder_app))
        .route("/merchant", get(web::till))
        .route("/console", get(web::console))
        .route("/assets/{name}", get(web::asset))
        .route("/web/config", get(web::config))
        .route("/web/signup", post(web::sign_up))
        .route("/web/session", post(web::log_in).delete(web::log_out))
        .route(
            "/web/merchant/session",
            post(web::merchant_sign_in)
                .get(web::merchant_now)
                .delete(web::merchant_sign_out),
        )
        .with_state(Shared::new(state));
    with_layers(routes, settings)
}

/// Wraps routes in the layers every request passes, in order from the outside in: sensitive
/// headers marked, request id and access log, plain 413s made problems, panics caught, the time
/// limit, the body limit; and answers unknown paths and wrong methods with problems.
pub fn with_layers(routes: Router, settings: &Settings) -> Router {
    let timeout = settings.request_timeout;
    routes
        .route_layer(axum::middleware::from_fn(middleware::remember_route))
        .fallback(middleware::unknown_path)
        .method_not_allowed_fallback(middleware::wrong_method)
        .layer(DefaultBodyLimit::max(settings.body_limit_bytes))
        .layer(axum::middleware::from_fn(move |req, next| {
            middleware::time_limit(timeout, req, next)
        }))
        .layer(CatchPanicLayer::custom(middleware::panicked))
        .layer(axum::middleware::from_fn(
            middleware::problem_for_plain_errors,
        ))
        .layer(axum::middleware::from_fn_with_state(
            qianbao_wallet::ids::Ids::new(settings.clock.clone(), settings.random.clone()),
            middleware::request_id_and_log,
        ))
        .layer(axum::middleware::from_fn(middleware::security_headers))
        .layer(SetSensitiveRequestHeadersLayer::new([
            axum::http::header::AUTHORIZATION,
            axum::http::header::COOKIE,
        ]))
}
