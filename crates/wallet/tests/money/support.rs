//! The world the money rules run in: the wallet's use cases (`Opening`, `Kyc`, `Money`) over a
//! real SQLite store in a fresh temp folder, the sandbox identity verifier and bank, and a clock
//! the test moves by hand. No HTTP.
//!
//! Every call of a money use case is made here and nowhere else, and what comes back is shown to
//! the tests as plain numbers and words ([`Moved`], [`Row`], [`Balance`]): when the wallet's
//! amounts, states or signatures change, this file is the one place to adapt.

use qianbao_connectors::{SandboxBank, SandboxIdentity};
use qianbao_ledger::{AccountKind, Currency, PositiveAmount};
use qianbao_secrets::KeyRing;
use qianbao_store::{Location, Storage};
use qianbao_wallet::domain::card_number::with_luhn_digit;
use qianbao_wallet::domain::id_number::with_check_char;
use qianbao_wallet::kyc::{CardRequest, Kyc};
use qianbao_wallet::levels::{LevelTable, Limits};
use qianbao_wallet::money::fees::FeeSchedule;
use qianbao_wallet::money::limits::{Limit, day_start_ms};
use qianbao_wallet::money::merchant::RefundDone;
use qianbao_wallet::money::moves::{Delay, PayeeRef, TransferRequest};
use qianbao_wallet::money::payload::Payload;
use qianbao_wallet::money::records::{MerchantRecord, MovementFilter, MovementRecord};
use qianbao_wallet::money::{Done, IdempotencyKey, Money, MoneyError, MoneyPolicy, Origin, Render};
use qianbao_wallet::opening::{Opening, OpeningPolicy};
use qianbao_wallet::records::HolderRecord;
use qianbao_wallet::risk::RuleSet;
use qianbao_wallet::storage::RecordStore;
use qianbao_wallet::{AccountOwner, Clock, VerifyReport};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};

/// Every holder's payment password.
pub const PIN: &str = "258147";

/// Every holder's login password.
const PASSWORD: &str = "Corr3ct-Horse-Battery";

/// Every holder's legal name (the verifier keys on the ID number, which differs per holder).
const NAME: &str = "张三";

/// One hour in ms.
pub const HOUR_MS: i64 = 3_600_000;

/// When every world starts: 10:00 in Beijing, so hours may pass before the wallet's day turns.
fn start_ms() -> i64 {
    day_start_ms(1_800_000_000_000) + 10 * HOUR_MS
}

/// A clock the test moves by hand.
pub struct TestClock(AtomicI64);

impl Clock for TestClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Which sandbox card a holder binds (docs/sandbox.md, "Test cards").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardKind {
    /// An ICBC debit card that does everything: top-ups are free.
    Debit,
    /// A Visa credit card: top-ups cost the credit-card fee.
    Credit,
    /// A debit card whose bank refuses every payout (digits 7–10 `0006`); top-ups work.
    RefusesPayouts,
}

/// A holder as the tests name them.
#[derive(Clone, Debug)]
pub struct Holder {
    /// The holder's id.
    pub id: String,
    /// Their wallet's id, which payers send to.
    pub wallet_id: String,
    /// Their bound card, when they have one.
    pub card_id: Option<String>,
    token: String,
    /// The order they signed up in, within their world.
    seq: u32,
}

/// A merchant and the holder who owns it.
#[derive(Clone, Debug)]
pub struct Shop {
    /// The merchant as its API key finds it.
    pub merchant: MerchantRecord,
    /// Its owner.
    pub owner: Holder,
}

/// What a money call did, in plain numbers and words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Moved {
    /// The payer's record id (the payment id for merchant payments, the refund id for refunds).
    pub id: String,
    /// `succeeded`, `pending`, `scheduled`, `cancelled` or `failed`.
    pub status: String,
    /// Minor units moved.
    pub amount: i64,
    /// The fee the caller paid.
    pub fee: i64,
}

impl From<Done> for Moved {
    fn from(done: Done) -> Self {
        Moved {
            id: done.id,
            status: done.status.as_str().into(),
            amount: done.amount.minor(),
            fee: done.fee.minor(),
        }
    }
}

impl From<RefundDone> for Moved {
    fn from(done: RefundDone) -> Self {
        Moved {
            id: done.refund_id,
            status: done.status.as_str().into(),
            amount: done.amount.minor(),
            fee: 0,
        }
    }
}

/// One record in a holder's list, in plain numbers and words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The record's id.
    pub id: String,
    /// `topup`, `withdrawal`, `transfer`, `payment`, `refund`.
    pub kind: String,
    /// `in` or `out`.
    pub direction: String,
    /// Which limits it counts toward (`transfer`, `payment_code_free`, `card`, …).
    pub channel: String,
    /// `succeeded`, `pending`, `scheduled`, `failed` or `cancelled`.
    pub status: String,
    /// Minor units, without the fee.
    pub amount: i64,
    /// The fee the owner paid.
    pub fee: i64,
}

impl From<MovementRecord> for Row {
    fn from(m: MovementRecord) -> Self {
        Row {
            id: m.id,
            kind: m.kind.as_str().into(),
            direction: m.direction.as_str().into(),
            channel: m.channel.as_str().into(),
            status: m.status.as_str().into(),
            amount: m.amount.minor(),
            fee: m.fee.minor(),
        }
    }
}

/// A ledger account as the tests read it, in minor units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Balance {
    /// Everything posted to it.
    pub balance: i64,
    /// What pending holds reserve of it.
    pub held: i64,
    /// What may still be spent: balance less held.
    pub available: i64,
}

impl Balance {
    fn of(account: &qianbao_ledger::Account) -> Balance {
        Balance {
            balance: account.balance.minor(),
            held: account.held.minor(),
            available: account.available().minor(),
        }
    }
}

/// A merchant payment as its merchant sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Takings {
    /// What the payer paid.
    pub amount: i64,
    /// The merchant discount taken from it.
    pub fee: i64,
    /// Refunded so far.
    pub refunded: i64,
    /// Fee given back with those refunds.
    pub fee_refunded: i64,
}

/// Everything a refused call must leave as it was: each holder's balance, records and inbox, the
/// operator's fee income, and the journal's length.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    holders: Vec<(Balance, Vec<Row>, usize)>,
    fee_income: i64,
    journal_lines: u64,
}

/// The limit a refusal names and the headroom it leaves, if it is `limit_exceeded`.
pub fn exceeded(refusal: &MoneyError) -> Option<(Limit, i64)> {
    match refusal {
        MoneyError::LimitExceeded(e) => Some((e.limit, e.headroom_minor.minor())),
        _ => None,
    }
}

/// The wallet's use cases over a fresh SQLite store, removed when dropped.
pub struct World {
    /// The store, as the server opens it.
    pub store: Storage,
    /// Sign-up and sessions.
    pub opening: Opening,
    /// Identity, cards and the payment password.
    pub kyc: Kyc,
    /// The money rules.
    pub money: Money,
    clock: Arc<TestClock>,
    dir: PathBuf,
    made: AtomicU32,
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The key a caller sends with one request: fresh every time (no test here retries).
fn fresh_key(caller: String) -> IdempotencyKey {
    IdempotencyKey {
        caller,
        key: uuid::Uuid::new_v4().to_string(),
        digest: uuid::Uuid::new_v4().simple().to_string(),
    }
}

/// How a reply would be stored with its key; the tests read the values, not the bodies.
fn render() -> Render<Done> {
    Render {
        status: 201,
        body: |done: Done| done.id,
        held: Done::is_held,
    }
}

/// A Luhn-valid card of `len` digits: `bin`, then `behaviour` (digits 7–10), then random 1–9.
fn card_number(bin: &str, behaviour: &str, len: usize) -> String {
    let mut body = format!("{bin}{behaviour}");
    let mut fill = uuid::Uuid::new_v4().as_u128();
    while body.len() < len - 1 {
        body.push(char::from(b'1' + u8::try_from(fill % 9).unwrap_or(0)));
        fill /= 9;
    }
    with_luhn_digit(&body)
}

impl World {
    /// A fresh store with the default levels, fees and money policy, the sandbox verifier and
    /// bank, at 10:00 Beijing time.
    pub async fn new() -> World {
        World::with_rules(RuleSet::empty()).await
    }

    /// [`World::new`] judged by the risk rules `rules`.
    pub async fn with_rules(rules: RuleSet) -> World {
        let dir = std::env::temp_dir().join(format!(
            "qianbao-wallet-money-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Storage::open(&Location::SqliteDir(dir.clone()))
            .await
            .unwrap();
        let clock = Arc::new(TestClock(AtomicI64::new(start_ms())));
        let ctx = qianbao_wallet::context::Context::new(
            Arc::new(KeyRing::generate(&qianbao_wallet::OsRandomness).unwrap()),
            clock.clone(),
            Arc::new(qianbao_wallet::OsRandomness),
        );
        let opening = Opening {
            ctx: ctx.clone(),
            policy: OpeningPolicy {
                otp_per_ip_hourly_max: None,
                keep_codes_in_outbox: true,
                ..OpeningPolicy::default()
            },
        };
        let kyc = Kyc {
            ctx: ctx.clone(),
            opening: opening.clone(),
            verifier: Arc::new(SandboxIdentity::new()),
            bank: Arc::new(SandboxBank::new([7; 32])),
            pin_tries_max: 5,
            pin_lock_ms: 3 * HOUR_MS,
        };
        let money = Money {
            ctx,
            kyc: kyc.clone(),
            levels: Arc::new(LevelTable::default()),
            fees: FeeSchedule::default(),
            // The money rules are tested here without risk control's rules (`World::new`);
            // `risk.rs` tests those through `World::with_rules`.
            policy: MoneyPolicy {
                risk: Arc::new(rules),
                ..MoneyPolicy::default()
            },
            billers: Arc::new(qianbao_wallet::bills::NoBillers),
        };
        World {
            store,
            opening,
            kyc,
            money,
            clock,
            dir,
            made: AtomicU32::new(0),
        }
    }

    // ---- time ----

    /// Moves the clock `ms` on.
    pub fn advance_ms(&self, ms: i64) {
        self.clock.0.fetch_add(ms, Ordering::SeqCst);
    }

    /// Runs every timer due now, as the server's worker does; returns how many finished. A timer
    /// that failed (to be tried again later) fails the test.
    pub async fn run_timers(&self) -> usize {
        let (finished, failed) = self.money.run_due_timers(&self.store).await.unwrap();
        assert!(failed.is_empty(), "timers failed: {failed:?}");
        finished
    }

    // ---- the operator's numbers ----

    /// The limits of `level`.
    pub fn limits(&self, level: i64) -> PlainLimits {
        let l: Limits = self.money.levels.at(level);
        let minor = |a: Option<qianbao_ledger::Amount>| a.map(qianbao_ledger::Amount::minor);
        PlainLimits {
            balance_cap: minor(l.balance_cap),
            per_payment: minor(l.per_payment),
            per_day: minor(l.per_day),
        }
    }

    /// The fee schedule, in plain numbers.
    pub fn fees(&self) -> Fees {
        Fees(self.money.fees)
    }

    /// The password-free limits of payment codes: (one payment, one day), in minor units.
    pub fn password_free(&self) -> (i64, i64) {
        let p = &self.money.policy;
        (
            p.password_free_payment_minor.minor(),
            p.password_free_daily_minor.minor(),
        )
    }

    /// The money policy.
    pub fn policy(&self) -> &MoneyPolicy {
        &self.money.policy
    }

    // ---- holders ----

    /// A holder with a wallet and nothing else (L0).
    pub async fn signed_up(&self) -> Holder {
        let n = self.made.fetch_add(1, Ordering::SeqCst);
        let phone = format!("+86139{:08}", 10_000_000 + n);
        self.opening
            .request_otp(&self.store, &phone, "signup", "127.0.0.1")
            .await
            .unwrap();
        let code = self.latest_code(&phone).await;
        let signed = self
            .opening
            .sign_up(&self.store, &phone, &code, PASSWORD, None)
            .await
            .unwrap();
        Holder {
            id: signed.user_id,
            wallet_id: signed.wallet_id,
            card_id: None,
            token: signed.token,
            seq: n,
        }
    }

    /// A holder at L2: real name verified, `card` bound, payment password [`PIN`] set.
    pub async fn holder_with(&self, card: CardKind) -> Holder {
        let mut holder = self.signed_up().await;
        let record = self.record(&holder).await;
        // A distinct ID number per holder: one ID number verifies one wallet.
        let id_number = with_check_char(&format!("11010119900307{}", 100 + holder.seq));
        self.kyc
            .verify_identity(&self.store, &record, NAME, &id_number)
            .await
            .unwrap();
        let (number, expiry, cvv) = match card {
            CardKind::Debit => (card_number("622202", "", 19), None, None),
            CardKind::Credit => (
                card_number("411111", "", 16),
                Some("12/30".to_string()),
                Some("123".to_string()),
            ),
            CardKind::RefusesPayouts => (card_number("622202", "0006", 19), None, None),
        };
        let pending = self
            .kyc
            .bind_card(
                &self.store,
                &record,
                CardRequest {
                    card_number: number,
                    holder_name: NAME.into(),
                    id_number,
                    reserved_phone: record.phone.clone(),
                    expiry,
                    cvv,
                },
            )
            .await
            .unwrap();
        let code = self.latest_code(&record.phone).await;
        let bound = self
            .kyc
            .confirm_card(&self.store, &record, &pending.id, &code)
            .await
            .unwrap();
        self.kyc
            .set_pin(&self.store, &self.record(&holder).await, PIN, None)
            .await
            .unwrap();
        holder.card_id = Some(bound.id);
        holder
    }

    /// A holder at L2 with a debit card and a PIN, and nothing in the wallet.
    pub async fn holder(&self) -> Holder {
        self.holder_with(CardKind::Debit).await
    }

    /// A holder at L2 with a debit card and a PIN who topped up `amount`.
    pub async fn funded(&self, amount: i64) -> Holder {
        let holder = self.holder().await;
        let done = self.top_up(&holder, amount).await.unwrap();
        assert_eq!(done.status, "succeeded");
        holder
    }

    /// The holder as they stand now (level, status).
    pub async fn record(&self, holder: &Holder) -> HolderRecord {
        self.opening
            .authenticate(&self.store, &holder.token)
            .await
            .unwrap()
            .holder
    }

    /// The code in the newest SMS to `phone`, from the outbox.
    async fn latest_code(&self, phone: &str) -> String {
        let sent = self.store.outbox(Some(phone.to_string()), 1).await.unwrap();
        sent.first().and_then(|sms| sms.code.clone()).unwrap()
    }

    // ---- a holder's money calls ----

    /// Tops up `amount` from the holder's bound card.
    pub async fn top_up(&self, holder: &Holder, amount: i64) -> Result<Moved, MoneyError> {
        let record = self.record(holder).await;
        self.money
            .top_up(
                &self.store,
                &record,
                holder.card_id.as_deref().unwrap(),
                positive(amount),
                Currency::CNY,
                &Origin::default(),
                &fresh_key(format!("holder:{}", holder.id)),
                render(),
            )
            .await
            .map(Moved::from)
    }

    /// Withdraws `amount` to the holder's bound card.
    pub async fn withdraw(&self, holder: &Holder, amount: i64) -> Result<Moved, MoneyError> {
        let record = self.record(holder).await;
        self.money
            .withdraw(
                &self.store,
                &record,
                holder.card_id.as_deref().unwrap(),
                positive(amount),
                &Origin::default(),
                &fresh_key(format!("holder:{}", holder.id)),
                render(),
            )
            .await
            .map(Moved::from)
    }

    /// Transfers `amount` from `from` to `to`'s wallet: now, or after `delay`.
    pub async fn transfer_after(
        &self,
        from: &Holder,
        to: &Holder,
        amount: i64,
        delay: Option<Delay>,
    ) -> Result<Moved, MoneyError> {
        let record = self.record(from).await;
        self.money
            .transfer(
                &self.store,
                &record,
                TransferRequest {
                    to: PayeeRef::Wallet(to.wallet_id.clone()),
                    amount: positive(amount),
                    currency: Currency::CNY,
                    memo: String::new(),
                    delay,
                    quote_id: None,
                },
                &Origin::default(),
                &fresh_key(format!("holder:{}", from.id)),
                render(),
            )
            .await
            .map(Moved::from)
    }

    /// Transfers `amount` from `from` to `to` at once.
    pub async fn transfer(
        &self,
        from: &Holder,
        to: &Holder,
        amount: i64,
    ) -> Result<Moved, MoneyError> {
        self.transfer_after(from, to, amount, None).await
    }

    /// Transfers `amount` from `from` to `to`, arriving in two hours (延时到账).
    pub async fn transfer_in_two_hours(
        &self,
        from: &Holder,
        to: &Holder,
        amount: i64,
    ) -> Result<Moved, MoneyError> {
        self.transfer_after(from, to, amount, Some(Delay::TwoHours))
            .await
    }

    /// A reviewer's decision on the held movement `id`.
    pub async fn review(
        &self,
        id: &str,
        review: qianbao_wallet::money::review::Review,
    ) -> Result<String, qianbao_wallet::money::review::ReviewError> {
        let note = qianbao_wallet::money::review::ReviewNote {
            actor: "test".into(),
            label: None,
            reason: String::new(),
        };
        self.money
            .review(&self.store, id, review, note)
            .await
            .map(|s| s.as_str().to_string())
    }

    /// Cancels the holder's delayed transfer `id`.
    pub async fn cancel_transfer(&self, holder: &Holder, id: &str) -> Result<Moved, MoneyError> {
        let record = self.record(holder).await;
        self.money
            .cancel_transfer(&self.store, &record, id)
            .await
            .map(Moved::from)
    }

    // ---- merchants ----

    /// A merchant owned by a fresh L2 holder.
    pub async fn shop(&self) -> Shop {
        let owner = self.holder().await;
        let record = self.record(&owner).await;
        let opened = self
            .money
            .open_merchant(&self.store, &record, "兰州牛肉面", "restaurant", None)
            .await
            .unwrap();
        let merchant = self
            .money
            .merchant_for_key(&self.store, &opened.api_key)
            .await
            .unwrap()
            .unwrap();
        Shop { merchant, owner }
    }

    /// The payer pays a fresh order of `amount` of the shop's (scanning its code).
    pub async fn pay_order(
        &self,
        payer: &Holder,
        shop: &Shop,
        amount: i64,
    ) -> Result<Moved, MoneyError> {
        let order = self
            .money
            .create_order(
                &self.store,
                &shop.merchant,
                positive(amount),
                Currency::CNY,
                "一碗面",
                None,
            )
            .await?;
        let payload = Payload::Order { order_id: order.id }.encode();
        let record = self.record(payer).await;
        self.money
            .pay(
                &self.store,
                &record,
                &payload,
                None,
                None,
                Default::default(),
                &Origin::default(),
                &fresh_key(format!("holder:{}", payer.id)),
                render(),
            )
            .await
            .map(Moved::from)
    }

    /// A fresh payment code of the holder's (18 digits); returns the digits.
    pub async fn payment_code(&self, holder: &Holder) -> String {
        let record = self.record(holder).await;
        self.money
            .payment_code(&self.store, &record)
            .await
            .unwrap()
            .code
    }

    /// The shop charges `code` for `amount`; with `pin`, as the till does when the payer types
    /// their payment password (checked first, through its own counter).
    pub async fn charge(
        &self,
        shop: &Shop,
        code: &str,
        amount: i64,
        pin: Option<&str>,
    ) -> Result<Moved, MoneyError> {
        let pin_checked = match pin {
            Some(pin) => {
                let holder_id = self
                    .money
                    .payment_code_holder(&self.store, &shop.merchant, code)
                    .await?;
                self.money.check_pin(&self.store, &holder_id, pin).await?;
                true
            }
            None => false,
        };
        self.money
            .charge(
                &self.store,
                &shop.merchant,
                code,
                positive(amount),
                "",
                pin_checked,
                &fresh_key(format!("merchant:{}", shop.merchant.id)),
                render(),
            )
            .await
            .map(Moved::from)
    }

    /// The shop refunds `amount` of its payment `payment_id`.
    pub async fn refund(
        &self,
        shop: &Shop,
        payment_id: &str,
        amount: i64,
    ) -> Result<Moved, MoneyError> {
        self.money
            .refund(
                &self.store,
                &shop.merchant,
                payment_id,
                positive(amount),
                "",
                &fresh_key(format!("merchant:{}", shop.merchant.id)),
                Render {
                    status: 201,
                    body: |done: RefundDone| done.refund_id,
                    held: |_| false,
                },
            )
            .await
            .map(Moved::from)
    }

    // ---- what the tests read ----

    /// The holder's CNY wallet account.
    pub async fn balance(&self, holder: &Holder) -> Balance {
        let record = self.record(holder).await;
        let accounts = self.money.balances(&self.store, &record).await.unwrap();
        let cny = accounts
            .iter()
            .find(|a| a.currency == Currency::CNY)
            .unwrap();
        Balance::of(cny)
    }

    /// The shop's CNY takings account (zero before its first payment).
    pub async fn shop_balance(&self, shop: &Shop) -> Balance {
        let accounts = self
            .money
            .merchant_balance(&self.store, &shop.merchant)
            .await
            .unwrap();
        accounts
            .iter()
            .find(|a| a.currency == Currency::CNY)
            .map_or(
                Balance {
                    balance: 0,
                    held: 0,
                    available: 0,
                },
                Balance::of,
            )
    }

    /// The shop's payment `payment_id` with what was refunded of it.
    pub async fn takings(&self, shop: &Shop, payment_id: &str) -> Takings {
        let payments = self
            .money
            .merchant_payments(&self.store, &shop.merchant, None, 100)
            .await
            .unwrap();
        let p = payments.iter().find(|p| p.id == payment_id).unwrap();
        Takings {
            amount: p.amount.minor(),
            fee: p.fee.minor(),
            refunded: p.refunded.minor(),
            fee_refunded: p.fee_refunded.minor(),
        }
    }

    /// The holder's records, newest first.
    pub async fn rows(&self, holder: &Holder) -> Vec<Row> {
        let record = self.record(holder).await;
        self.money
            .records(
                &self.store,
                &record,
                MovementFilter {
                    limit: 100,
                    ..MovementFilter::default()
                },
            )
            .await
            .unwrap()
            .into_iter()
            .map(Row::from)
            .collect()
    }

    /// The holder's record `id`.
    pub async fn row(&self, holder: &Holder, id: &str) -> Row {
        let record = self.record(holder).await;
        self.money
            .record(&self.store, &record, id)
            .await
            .unwrap()
            .into()
    }

    /// How many alerts are in the holder's inbox.
    pub async fn inbox_len(&self, holder: &Holder) -> usize {
        let record = self.record(holder).await;
        self.money
            .notifications(&self.store, &record, None, None, 100)
            .await
            .unwrap()
            .len()
    }

    /// The operator's CNY fee income.
    pub async fn fee_income(&self) -> i64 {
        let ledger = self.store.ledger();
        let id = ledger
            .open_account(
                &AccountOwner::Operator,
                AccountKind::FeeIncome,
                Currency::CNY,
            )
            .await
            .unwrap();
        ledger.account(id).await.unwrap().unwrap().balance.minor()
    }

    /// Replays the journal through the ledger core and checks it against the stored balances
    /// and holds: no discrepancy, and every currency sums to zero.
    pub async fn verify_ledger(&self) -> VerifyReport {
        let report = self.store.ledger().verify().await.unwrap();
        assert!(report.is_clean(), "{report}");
        assert!(
            report.totals.values().all(|total| *total == 0),
            "money appeared or vanished: {report}"
        );
        report
    }

    /// Everything a refused call must not change, for `holders`.
    pub async fn trace(&self, holders: &[&Holder]) -> Trace {
        let mut seen = Vec::new();
        for holder in holders {
            seen.push((
                self.balance(holder).await,
                self.rows(holder).await,
                self.inbox_len(holder).await,
            ));
        }
        Trace {
            holders: seen,
            fee_income: self.fee_income().await,
            journal_lines: self.store.ledger().verify().await.unwrap().journal_lines,
        }
    }
}

/// `minor` as the positive amount a money call takes; the tests only ask for positive ones.
pub fn positive(minor: i64) -> PositiveAmount {
    PositiveAmount::new(minor).expect("the tests move positive amounts")
}

/// A level's limits in minor units; `None` is no limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlainLimits {
    /// The most the wallet may hold.
    pub balance_cap: Option<i64>,
    /// The most one payment may be.
    pub per_payment: Option<i64>,
    /// The most that may leave in a day.
    pub per_day: Option<i64>,
}

/// The fee schedule asked in minor units.
#[derive(Clone, Copy, Debug)]
pub struct Fees(FeeSchedule);

impl Fees {
    /// The fee on a top-up of `amount`.
    pub fn topup(&self, amount: i64, credit_card: bool) -> i64 {
        self.0.topup(positive(amount), credit_card).minor()
    }

    /// The merchant's fee on a payment of `amount`.
    pub fn merchant(&self, amount: i64) -> i64 {
        self.0.merchant(positive(amount)).minor()
    }

    /// What withdrawals cost nothing up to.
    pub fn withdrawal_free(&self) -> i64 {
        self.0.withdrawal_free_minor.minor()
    }
}
