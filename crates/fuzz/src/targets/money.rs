//! Money inputs: QR payloads, payment codes, amounts from the wire, and the stored names.

use crate::generate::{Rng, any_char, boundary_i64, mutate_text, random_text, token_text};
use crate::{Case, Check, ensure};
use qianbao_ledger::{AccountKind, Amount, Currency, HoldState, PositiveAmount};
use qianbao_secrets::KeyRing;
use qianbao_wallet::kyc::Kyc;
use qianbao_wallet::levels::LevelTable;
use qianbao_wallet::money::fees::{self, FeeSchedule};
use qianbao_wallet::money::payload::{PAYLOAD_LEN_MAX, Payload};
use qianbao_wallet::money::records::{MerchantRecord, MoneyTx};
use qianbao_wallet::money::{
    self, Done, IdempotencyKey, Money, MoneyError, MoneyPolicy, Render, limits, moves::Delay,
};
use qianbao_wallet::opening::{Opening, OpeningPolicy, Purpose};
use qianbao_wallet::records::{OutboxSms, Records};
use qianbao_wallet::storage::RecordStore;
use qianbao_wallet::{
    Bank, BankMovement, BankOutcome, CardCheck, CardCheckOutcome, CardConfirmOutcome, Clock,
    ConnectorError, FaceVerdict, IdentityVerdict, IdentityVerifier, StoreError,
};
use std::future::{Future, ready};
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, Waker};

/// Characters of the ids the platform issues.
const ID_CHARS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz-";

/// An id of 1–64 issued characters; sometimes 65, one too many.
fn some_id(rng: &mut Rng) -> String {
    let len = match rng.below(10) {
        0 => 64,
        1 => 65,
        _ => 1 + rng.below(40),
    };
    (0..len).map(|_| char::from(*rng.pick(ID_CHARS))).collect()
}

/// The largest amount a payload can carry: 15 digits.
const PAYLOAD_AMOUNT_MAX: i64 = 999_999_999_999_999;

/// A payload of any kind, with a boundary amount now and then.
fn some_payload(rng: &mut Rng) -> Payload {
    match rng.below(4) {
        0 => Payload::Receive {
            wallet_id: some_id(rng),
            amount_minor: None,
        },
        1 => Payload::Receive {
            wallet_id: some_id(rng),
            amount_minor: Some(match rng.below(4) {
                0 => *rng.pick(&[
                    1,
                    9,
                    10,
                    99,
                    100,
                    PAYLOAD_AMOUNT_MAX,
                    PAYLOAD_AMOUNT_MAX + 1,
                ]),
                _ => rng.between(1, PAYLOAD_AMOUNT_MAX),
            }),
        },
        2 => Payload::Merchant {
            merchant_id: some_id(rng),
        },
        _ => Payload::Order {
            order_id: some_id(rng),
        },
    }
}

/// The ids a payload carries.
fn payload_ids(payload: &Payload) -> &str {
    match payload {
        Payload::Receive { wallet_id, .. } => wallet_id,
        Payload::Merchant { merchant_id } => merchant_id,
        Payload::Order { order_id } => order_id,
    }
}

/// Tokens of the payload grammar.
const PAYLOAD_DICT: &[&str] = &[
    "qianbao://",
    "QIANBAO://",
    "r/",
    "m/",
    "o/",
    "?amount=",
    "?",
    "/",
    "&",
    "amount=",
    "0",
    "999999999999999",
    "9223372036854775807",
    "9223372036854775808",
    "-1",
    "+1",
    "%20",
    " ",
    "\u{3000}",
    "A",
    "#",
    "a",
];

/// `Payload::parse`: what the platform encodes parses back to itself; whatever parses is at most
/// `PAYLOAD_LEN_MAX` (512) bytes, carries only issued ids and a positive 15-digit amount, and
/// re-encodes to a text that parses to the same payload.
pub fn payload(rng: &mut Rng, case: &mut Case) -> Check {
    let made = some_payload(rng);
    let encoded = made.encode();
    let input = match rng.below(100) {
        0..20 => encoded.clone(),
        20..70 => mutate_text(rng, &encoded, PAYLOAD_DICT),
        70..85 => token_text(rng, PAYLOAD_DICT),
        _ => random_text(rng),
    };
    case.text(&input);
    let result = Payload::parse(&input);
    if input == encoded {
        let fits = payload_ids(&made).len() <= 64
            && !matches!(made, Payload::Receive { amount_minor: Some(a), .. } if a > PAYLOAD_AMOUNT_MAX);
        ensure((result.as_ref() == Ok(&made)) == fits, || {
            format!("{made:?} encoded and parsed as {result:?}")
        })?;
    }
    let Ok(parsed) = result else { return Ok(()) };
    ensure(input.len() <= PAYLOAD_LEN_MAX, || {
        "an over-long payload parsed".into()
    })?;
    let id = payload_ids(&parsed);
    ensure(
        (1..=64).contains(&id.len()) && id.bytes().all(|b| ID_CHARS.contains(&b)),
        || format!("id {id:?} is not an issued id"),
    )?;
    if let Payload::Receive {
        amount_minor: Some(amount),
        ..
    } = parsed
    {
        ensure((1..=PAYLOAD_AMOUNT_MAX).contains(&amount), || {
            format!("amount {amount} accepted")
        })?;
    }
    let again = Payload::parse(&parsed.encode());
    ensure(again.as_ref() == Ok(&parsed), || {
        format!("{parsed:?} re-encoded parses as {again:?}")
    })
}

/// A clock stopped at 1 January 2026.
struct StoppedClock;

impl Clock for StoppedClock {
    fn now_ms(&self) -> i64 {
        1_767_225_600_000
    }
}

/// A verifier and bank that are never reached: the payment code is checked before anything else.
struct Unreachable;

/// Why a stub answered.
fn stub<T>() -> Result<T, ConnectorError> {
    Err(ConnectorError::Unavailable("fuzz stub".into()))
}

#[async_trait::async_trait]
impl IdentityVerifier for Unreachable {
    async fn verify_name(&self, _: &str, _: &str) -> Result<IdentityVerdict, ConnectorError> {
        stub()
    }

    async fn verify_face(&self, _: &str, _: &[u8]) -> Result<FaceVerdict, ConnectorError> {
        stub()
    }
}

#[async_trait::async_trait]
impl Bank for Unreachable {
    async fn check_card(&self, _: &CardCheck) -> Result<CardCheckOutcome, ConnectorError> {
        stub()
    }

    async fn confirm_card(&self, _: &str, _: &str) -> Result<CardConfirmOutcome, ConnectorError> {
        stub()
    }

    async fn debit(&self, _: &BankMovement) -> Result<BankOutcome, ConnectorError> {
        stub()
    }

    async fn credit(&self, _: &BankMovement) -> Result<BankOutcome, ConnectorError> {
        stub()
    }

    async fn movement_status(&self, _: &str) -> Result<Option<BankOutcome>, ConnectorError> {
        stub()
    }

    async fn statement(
        &self,
        _: qianbao_wallet::domain::ChinaDay,
    ) -> Result<qianbao_wallet::recon::Statement, ConnectorError> {
        stub()
    }
}

/// A record store that counts the transactions asked of it and fails each one, so a charge
/// that passed the code check ends with `storage_unavailable` and nothing else happens.
#[derive(Default)]
struct CountingStore {
    /// Transactions asked for.
    asked: AtomicUsize,
}

impl CountingStore {
    /// Counts one transaction and fails it.
    fn refuse<T: Send>(&self) -> impl Future<Output = Result<T, StoreError>> + Send + use<T> {
        self.asked.fetch_add(1, Ordering::Relaxed);
        ready(Err(StoreError::Unavailable("fuzz stub".into())))
    }
}

impl RecordStore for CountingStore {
    fn transact<T: Send + 'static>(
        &self,
        _work: impl Fn(&mut dyn Records) -> Result<T, StoreError> + Send + Sync + 'static,
    ) -> impl Future<Output = Result<T, StoreError>> + Send {
        self.refuse()
    }

    fn transact_money<T: Send + 'static>(
        &self,
        _work: impl Fn(&mut dyn MoneyTx) -> Result<T, StoreError> + Send + Sync + 'static,
    ) -> impl Future<Output = Result<T, StoreError>> + Send {
        self.refuse()
    }

    fn transact_read<T: Send + 'static>(
        &self,
        _work: impl Fn(&mut dyn MoneyTx) -> Result<T, StoreError> + Send + Sync + 'static,
    ) -> impl Future<Output = Result<T, StoreError>> + Send {
        self.refuse()
    }

    fn outbox(
        &self,
        _phone: Option<String>,
        _limit: i64,
    ) -> impl Future<Output = Result<Vec<OutboxSms>, StoreError>> + Send {
        self.refuse()
    }
}

/// The money use cases over stubs: keys, a stopped clock, default policies.
fn money_over_stubs() -> &'static Money {
    static MONEY: OnceLock<Money> = OnceLock::new();
    MONEY.get_or_init(|| {
        // Seeded: a fuzz case's ids and codes are the same on every run.
        let ctx = qianbao_wallet::context::Context::new(
            Arc::new(KeyRing::from_bytes([7; 32])),
            Arc::new(StoppedClock),
            Arc::new(qianbao_wallet::SeededRandomness::new(7)),
        );
        let opening = Opening {
            ctx: ctx.clone(),
            policy: OpeningPolicy::default(),
        };
        Money {
            ctx: ctx.clone(),
            kyc: Kyc {
                ctx,
                opening,
                verifier: Arc::new(Unreachable),
                bank: Arc::new(Unreachable),
                pin_tries_max: 5,
                pin_lock_ms: 60_000,
            },
            levels: Arc::new(LevelTable::default()),
            fees: FeeSchedule::default(),
            policy: MoneyPolicy::default(),
            billers: Arc::new(qianbao_wallet::bills::NoBillers),
        }
    })
}

/// Polls a future that must finish without waiting (the stubs never wait).
fn finish_now<F: Future>(future: F) -> Result<F::Output, String> {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => Ok(output),
        Poll::Pending => Err("the call waited on stubs that never wait".into()),
    }
}

/// Whitespace that `str::trim` removes, and a few look-alikes it keeps.
const SPACES: &[char] = &[
    ' ', '\t', '\n', '\r', '\u{3000}', '\u{a0}', '\u{85}', '\u{2028}', '\u{feff}', '\u{200b}',
];

/// Tokens of payment codes.
const CODE_DICT: &[&str] = &["28", "0", "9", " ", "\u{3000}", "２", "-", "+", "\n"];

/// `Money::charge`'s payment-code check, through the public call with stub store and
/// connectors: the code (trimmed) must be exactly 18 ASCII digits, in which case and only then
/// the store is asked (and fails); anything else is `payment_code_invalid` without a query.
pub fn payment_code(rng: &mut Rng, case: &mut Case) -> Check {
    let valid = format!("28{}", rng.digits(16));
    let code = match rng.below(100) {
        0..20 => valid,
        20..40 => {
            let mut code = valid;
            for _ in 0..rng.below(3) {
                code.insert(0, *rng.pick(SPACES));
            }
            for _ in 0..rng.below(3) {
                code.push(*rng.pick(SPACES));
            }
            code
        }
        40..75 => mutate_text(rng, &valid, CODE_DICT),
        75..85 => {
            let n = rng.below(25);
            rng.digits(n)
        }
        85..92 => token_text(rng, CODE_DICT),
        _ => random_text(rng),
    };
    case.text(&code);
    // Only what the wire check lets through reaches `charge`: a zero or negative amount
    // cannot even be written as its argument.
    let Some(amount) = PositiveAmount::new(boundary_i64(rng)) else {
        return Ok(());
    };
    let pin_checked = rng.chance(50);
    case.note("amount", amount);
    case.note("pin_checked", pin_checked);
    let store = CountingStore::default();
    let merchant = MerchantRecord {
        id: "m1".into(),
        holder_id: "h1".into(),
        name: "Fuzz Shop".into(),
        category: "restaurant".into(),
        key_digest: String::new(),
        status: "active".into(),
        webhook_url: None,
        webhook_secret_sealed: None,
        created_ms: 0,
    };
    let key = IdempotencyKey {
        caller: "merchant:m1".into(),
        key: "k".into(),
        digest: "d".into(),
    };
    let render = Render {
        status: 200,
        body: |done: Done| done.id,
        held: Done::is_held,
    };
    let result = finish_now(money_over_stubs().charge(
        &store,
        &merchant,
        &code,
        amount,
        "fuzz",
        pin_checked,
        &key,
        render,
    ))?;
    let trimmed = code.trim();
    let well_formed = trimmed.len() == 18 && trimmed.bytes().all(|b| b.is_ascii_digit());
    let asked = store.asked.load(Ordering::Relaxed);
    if well_formed {
        ensure(
            asked == 1 && matches!(result, Err(MoneyError::Store(_))),
            || format!("a well-formed code gave {result:?} after {asked} queries"),
        )
    } else {
        ensure(
            asked == 0 && matches!(result, Err(MoneyError::PaymentCodeInvalid)),
            || format!("a malformed code gave {result:?} after {asked} queries"),
        )
    }
}

/// Reads `¥12.34` / `-¥0.05` / `¥1,234.56` back into minor units, as an independent check of
/// `yuan`: a comma must stand every three digits from the right, and nowhere else.
fn unyuan(text: &str) -> Option<i128> {
    let (sign, rest) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text),
    };
    let (grouped, cents) = rest.strip_prefix('¥')?.split_once('.')?;
    let groups: Vec<&str> = grouped.split(',').collect();
    let (first, others) = groups.split_first()?;
    if first.is_empty() || first.len() > 3 || others.iter().any(|g| g.len() != 3) {
        return None;
    }
    let whole = groups.concat();
    if cents.len() != 2 || (whole.len() > 1 && whole.starts_with('0')) {
        return None;
    }
    Some(sign * (whole.parse::<i128>().ok()? * 100 + cents.parse::<i128>().ok()?))
}

/// Amounts: `money::amount` takes exactly `1..=max`; `yuan` prints every i64 so that it reads back;
/// `Amount`'s checked arithmetic agrees with 128-bit arithmetic; fees on a valid amount are
/// never negative, a merchant's never above the amount, and `share` rounds half up exactly;
/// the limit checks never overflow and `day_start_ms` starts the day that contains the instant.
pub fn amount(rng: &mut Rng, case: &mut Case) -> Check {
    let value = boundary_i64(rng);
    let other = boundary_i64(rng);
    let max = if rng.chance(50) {
        other
    } else {
        rng.between(1, 1 << 40)
    };
    case.text(&value.to_string());
    case.note("other", other);
    case.note("max", max);
    let checked = money::amount(value, Amount::from_minor(max));
    ensure(checked.is_ok() == (value > 0 && value <= max), || {
        format!("amount({value}, {max}) = {checked:?}")
    })?;
    ensure(checked.map_or(true, |v| v.minor() == value), || {
        "amount changed".into()
    })?;
    let shown = money::yuan(Amount::from_minor(value));
    ensure(unyuan(&shown) == Some(i128::from(value)), || {
        format!("yuan({value}) = {shown:?} does not read back")
    })?;

    let (a, b) = (Amount::from_minor(value), Amount::from_minor(other));
    let fit = |wide: i128| i64::try_from(wide).ok().map(Amount::from_minor);
    ensure(
        a.checked_add(b) == fit(i128::from(value) + i128::from(other))
            && a.checked_sub(b) == fit(i128::from(value) - i128::from(other))
            && a.checked_neg() == fit(-i128::from(value))
            && a.to_string() == value.to_string()
            && a.is_negative() == (value < 0)
            && a.is_zero() == (value == 0)
            && a.is_positive() == (value > 0),
        || "Amount arithmetic disagrees with i128".into(),
    )?;
    let Some(positive) = PositiveAmount::new(value) else {
        return Ok(());
    };
    let a = |minor: i64| Amount::from_minor(minor);
    // Fees and limits, on amounts that passed the wire check.
    let bps = rng.between(0, 10_000);
    case.note("bps", bps);
    let share = fees::share(a(value), bps).minor();
    let exact = (i128::from(value) * i128::from(bps) + 5_000).div_euclid(10_000);
    ensure(i128::from(share) == exact, || {
        format!("share({value}, {bps}) = {share}, not {exact}")
    })?;
    let schedule = FeeSchedule {
        merchant_bps: bps,
        withdrawal_bps: bps,
        credit_topup_bps: bps,
        ..FeeSchedule::default()
    };
    let merchant_fee = schedule.merchant(positive).minor();
    ensure((0..=value).contains(&merchant_fee), || {
        format!("merchant fee {merchant_fee} on {value}")
    })?;
    ensure(
        schedule.topup(positive, false).is_zero() && !schedule.topup(positive, true).is_negative(),
        || "a top-up fee is negative or charged on debit".into(),
    )?;
    let before = other.checked_abs().unwrap_or(i64::MAX);
    let withdrawal_fee = schedule.withdrawal(positive, a(before)).minor();
    ensure(withdrawal_fee >= 0, || {
        format!("withdrawal fee {withdrawal_fee} after {before}")
    })?;
    if i128::from(before) + i128::from(value) <= i128::from(schedule.withdrawal_free_minor.minor())
    {
        ensure(withdrawal_fee == 0, || {
            "a free withdrawal was charged".into()
        })?;
    }
    let level = rng.between(-1, 5);
    let caps = LevelTable::default().at(level);
    let spent = before;
    if limits::check_spending(&caps, a(spent), positive).is_ok() {
        let under = |cap: Option<Amount>, used: i64| {
            cap.is_none_or(|c| i128::from(used) + i128::from(value) <= i128::from(c.minor()))
        };
        ensure(
            under(caps.per_payment, 0) && under(caps.per_day, spent),
            || format!("{value} after {spent} passed level {level}'s limits"),
        )?;
    }
    let _ = limits::check_receiving(&caps, a(spent), positive);
    // Instants from 1970 to 9999.
    let now = rng.between(0, 253_402_300_799_999);
    let start = limits::day_start_ms(now);
    ensure(
        start <= now && now - start < 86_400_000 && (start + 8 * 3_600_000) % 86_400_000 == 0,
        || format!("day_start_ms({now}) = {start}"),
    )
}

/// Names the store keeps and the wire sends.
const NAMES: &[&str] = &[
    "CNY",
    "USD",
    "cny",
    "CN",
    "CNYY",
    "ＣＮＹ",
    "wallet",
    "merchant",
    "bank_clearing",
    "fee_income",
    "merchant_settlement",
    "promotions",
    "suspense",
    "pending",
    "posted",
    "voided",
    "2h",
    "24h",
    "signup",
    "login",
    "reset_password",
    "reset_pin",
    "unfreeze",
    "step_up",
    "freeze",
    "close",
];

/// The small name parsers: `Currency::parse` (three ASCII capitals, shown as given),
/// `money::currency` (CNY only), and the `parse`/`as_str` pairs of `AccountKind`, `HoldState`,
/// `Delay` and `Purpose`, each of which accepts exactly the names it prints.
pub fn names(rng: &mut Rng, case: &mut Case) -> Check {
    let input = match rng.below(100) {
        0..30 => (*rng.pick(NAMES)).to_owned(),
        30..70 => {
            let name = rng_pick_name(rng);
            mutate_text(rng, name, NAMES)
        }
        70..85 => (0..rng.below(5)).map(|_| any_char(rng)).collect(),
        _ => random_text(rng),
    };
    case.text(&input);
    let currency = Currency::parse(&input);
    let capitals = input.len() == 3 && input.bytes().all(|b| b.is_ascii_uppercase());
    ensure(currency.is_some() == capitals, || {
        format!("Currency::parse gave {currency:?}")
    })?;
    if let Some(c) = currency {
        ensure(c.as_str() == input && c.to_string() == input, || {
            "a currency prints differently".into()
        })?;
    }
    let wire = money::currency(Some(&input));
    ensure(wire.is_ok() == (input == "CNY"), || {
        format!("money::currency gave {wire:?}")
    })?;
    let kind = AccountKind::parse(&input);
    ensure(
        kind.map(AccountKind::as_str)
            == AccountKind::ALL
                .iter()
                .map(|k| k.as_str())
                .find(|s| *s == input),
        || format!("AccountKind::parse gave {kind:?}"),
    )?;
    let hold = HoldState::parse(&input);
    ensure(hold.is_none_or(|h| h.as_str() == input), || {
        format!("HoldState::parse gave {hold:?}")
    })?;
    let delay = Delay::parse(&input);
    ensure(
        delay.is_some() == matches!(input.as_str(), "2h" | "24h"),
        || format!("Delay::parse gave {delay:?}"),
    )?;
    let purpose = Purpose::parse(&input);
    ensure(
        purpose.map(Purpose::as_str)
            == Purpose::ALL
                .iter()
                .map(|p| p.as_str())
                .find(|s| *s == input),
        || format!("Purpose::parse gave {purpose:?}"),
    )
}

/// A random known name.
fn rng_pick_name(rng: &mut Rng) -> &'static str {
    rng.pick::<&str>(NAMES)
}
