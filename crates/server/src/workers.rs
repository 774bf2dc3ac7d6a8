//! The work every node runs beside the requests, for as long as the process runs: due timers, the
//! SMS outbox, the merchants' webhook outbox, the daily funding check, the policy's newest
//! version, the rate feed, and lone transit taps. Each loop polls the database (or the feed), so
//! any node may run it, and each step is safe to run twice. Each loop's body is also a function
//! of its own (`*_once`), so that [`Background::tick`] can run one pass of all of them by hand:
//! the deterministic simulation (`crates/sim`) runs the background work as explicit steps
//! between requests instead of as tasks racing them.

use crate::live_policy::LivePolicy;
use qianbao_ledger::Currency;
use qianbao_store::Storage;
use qianbao_wallet::fx::{MidRate, Pair, rates_in_force, set_rates};
use qianbao_wallet::money::Money;
use qianbao_wallet::storage::RecordStore;
use qianbao_wallet::{Clock, ConnectorError, RateFeed, SmsGateway, StoreError, WebhookSender};
use std::sync::Arc;
use std::time::Duration;

/// How often due timers (payouts, reconciliations, delayed transfers) are looked for.
const TIMER_POLL: Duration = Duration::from_millis(500);

/// Runs due timers for as long as the process runs. Every node runs them; each step is
/// idempotent (the movement's status is checked in its transaction, the bank dedupes).
pub(crate) async fn run_timers(storage: Storage, money: Money, live: Arc<LivePolicy>) {
    loop {
        tokio::time::sleep(TIMER_POLL).await;
        timers_once(&storage, &money, &live).await;
    }
}

/// One pass of [`run_timers`].
async fn timers_once(storage: &Storage, money: &Money, live: &LivePolicy) {
    // The policy in force now, once per round, as a request reads it.
    match live.money(money).run_due_timers(storage).await {
        Ok((_, failed)) => {
            for (timer, error) in failed {
                tracing::warn!(timer = %timer.id, kind = %timer.kind, error = %error, "timer failed; will retry");
            }
        }
        Err(e) => tracing::warn!(error = %e, "cannot read the timers; will retry"),
    }
}

/// How often lone transit taps (an entry whose exit never came) are looked for: cheap (the open
/// taps' partial index), and a test's clock moved past the pairing window sees the charge soon.
const LONE_TAPS_POLL: Duration = Duration::from_secs(2);

/// Charges lone taps older than the pairing window, for as long as the process runs. Every node
/// runs it; each token's taps close in one money transaction that pairs what is open then.
pub(crate) async fn close_lone_taps(storage: Storage, money: Money, live: Arc<LivePolicy>) {
    loop {
        tokio::time::sleep(LONE_TAPS_POLL).await;
        lone_taps_once(&storage, &money, &live).await;
    }
}

/// One pass of [`close_lone_taps`].
async fn lone_taps_once(storage: &Storage, money: &Money, live: &LivePolicy) {
    if let Err(e) = live.money(money).close_lone_taps(storage).await {
        tracing::warn!(error = %e, "cannot close lone transit taps; will retry");
    }
}

/// How often holders' new spending is checked against their budgets: an alert at 80 % or 100 %
/// arrives within about this long of the payment that reaches it.
const BUDGETS_POLL: Duration = Duration::from_secs(1);

/// Sends budget alerts for as long as the process runs (`wallet/src/budgets/alerts.rs`). Every
/// node runs it; an alert's key is unique, so passes racing send it once.
pub(crate) async fn check_budgets(storage: Storage, money: Money) {
    loop {
        tokio::time::sleep(BUDGETS_POLL).await;
        budgets_once(&storage, &money).await;
    }
}

/// One pass of [`check_budgets`].
async fn budgets_once(storage: &Storage, money: &Money) {
    if let Err(e) = money.check_budgets(storage).await {
        tracing::warn!(error = %e, "cannot check budgets; will retry");
    }
}

/// How often points whose year is up are looked for: cheap (a partial index of lots with points
/// left), and a test's clock moved past a year sees them lapse soon.
const POINTS_POLL: Duration = Duration::from_secs(2);

/// Expires points for as long as the process runs (`wallet/src/points/expiry.rs`). Every node
/// runs it; each lot lapses in a money transaction that reads it again, so once.
pub(crate) async fn expire_points(storage: Storage, money: Money) {
    loop {
        tokio::time::sleep(POINTS_POLL).await;
        points_once(&storage, &money).await;
    }
}

/// One pass of [`expire_points`].
async fn points_once(storage: &Storage, money: &Money) {
    if let Err(e) = money.expire_points(storage).await {
        tracing::warn!(error = %e, "cannot expire points; will retry");
    }
}

/// Publishes a signed checkpoint of the journal log every `every` when it has grown since the
/// latest (`wallet/src/proofs/checkpoint.rs`). Every node runs it; a size has one checkpoint, so
/// two nodes publishing the same size store it once.
pub(crate) async fn publish_checkpoints(
    storage: Storage,
    proofs: qianbao_wallet::proofs::Proofs,
    every: Duration,
) {
    loop {
        tokio::time::sleep(every).await;
        if let Err(e) = proofs.current(&storage).await {
            tracing::warn!(error = %e, "cannot publish a checkpoint; will retry");
        }
    }
}

/// How often the daily liability snapshot is looked for: one row read by its key.
const SNAPSHOT_POLL: Duration = Duration::from_secs(5);

/// Takes the daily liability snapshot when its time comes (`wallet/src/proofs/liabilities`).
/// Every node runs it; the day's snapshot has the day in its id, so it is stored once.
pub(crate) async fn take_liability_snapshots(
    storage: Storage,
    clock: Arc<dyn Clock>,
    random: Arc<dyn qianbao_wallet::Randomness>,
    at: qianbao_wallet::proofs::liabilities::SnapshotSchedule,
) {
    loop {
        tokio::time::sleep(SNAPSHOT_POLL).await;
        snapshot_once(&storage, clock.as_ref(), random.as_ref(), at).await;
    }
}

/// One pass of [`take_liability_snapshots`].
async fn snapshot_once(
    storage: &Storage,
    clock: &dyn Clock,
    random: &dyn qianbao_wallet::Randomness,
    at: qianbao_wallet::proofs::liabilities::SnapshotSchedule,
) {
    let now_ms = clock.now_ms();
    match qianbao_wallet::proofs::liabilities::take_due_snapshot(storage, random, now_ms, at).await
    {
        Ok(Some(taken)) => tracing::info!(
            snapshot = %taken.id,
            leaves = taken.leaves,
            journal_seq = taken.journal_seq,
            "liability snapshot published"
        ),
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "cannot take the liability snapshot; will retry"),
    }
}

/// How often the newest stored policy version is looked for: a change approved on another node
/// reaches this one within this long (on the approving node it is in force at once).
const POLICY_POLL: Duration = Duration::from_secs(5);

/// Keeps the policy in force up to the newest stored version, for as long as the process runs.
pub(crate) async fn refresh_policy(storage: Storage, money: Money, live: Arc<LivePolicy>) {
    loop {
        tokio::time::sleep(POLICY_POLL).await;
        policy_once(&storage, &money, &live).await;
    }
}

/// One pass of [`refresh_policy`].
async fn policy_once(storage: &Storage, money: &Money, live: &LivePolicy) {
    if let Err(e) = live.refresh(storage, money).await {
        tracing::warn!(error = %e, "cannot bring the policy up to its newest version; will retry");
    }
}

/// How often the outbox is checked for SMS to send.
const SMS_POLL: Duration = Duration::from_millis(200);

/// Sends what the SMS outbox holds, oldest first, for as long as the process runs. Rows are only
/// marked sent after the gateway took them, so a crash re-sends rather than loses; in production
/// (`redact`) the text, which carries a code, is dropped once sent.
pub(crate) async fn deliver_sms(
    storage: Storage,
    gateway: Arc<dyn SmsGateway>,
    clock: Arc<dyn Clock>,
    redact: bool,
) {
    loop {
        tokio::time::sleep(SMS_POLL).await;
        sms_once(&storage, gateway.as_ref(), clock.as_ref(), redact).await;
    }
}

/// One pass of [`deliver_sms`].
async fn sms_once(storage: &Storage, gateway: &dyn SmsGateway, clock: &dyn Clock, redact: bool) {
    let pending = match storage.pending_sms(100, clock.now_ms()).await {
        Ok(pending) => pending,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the SMS outbox; will retry");
            return;
        }
    };
    for sms in pending {
        let result = match gateway.send(&sms.phone, &sms.text).await {
            Ok(()) => storage.sms_sent(sms.id, clock.now_ms(), redact).await,
            Err(e) => {
                tracing::warn!(sms = sms.id, error = %e, "SMS not delivered");
                let permanently = matches!(e, qianbao_wallet::SmsError::Refused(_));
                storage
                    .sms_failed(sms.id, permanently, clock.now_ms())
                    .await
            }
        };
        if let Err(e) = result {
            tracing::warn!(sms = sms.id, error = %e, "cannot record SMS delivery");
        }
    }
}

/// How often the webhook outbox is looked at for events due.
const WEBHOOK_POLL: Duration = Duration::from_millis(500);

/// Delivers due webhook events, logging what failed. Every node runs it; two nodes may send the
/// same event, which receivers dedupe by its `Qianbao-Delivery` number (at least once, as
/// promised). Neither URLs nor bodies are logged: a merchant's URL may carry a token.
pub(crate) async fn deliver_webhooks(
    storage: Storage,
    money: Money,
    sender: Arc<dyn WebhookSender>,
) {
    loop {
        tokio::time::sleep(WEBHOOK_POLL).await;
        webhooks_once(&storage, &money, sender.as_ref()).await;
    }
}

/// One pass of [`deliver_webhooks`].
async fn webhooks_once(storage: &Storage, money: &Money, sender: &dyn WebhookSender) {
    match money.deliver_webhooks(storage, sender).await {
        Ok(pass) => {
            for (event, error) in pass.failed {
                tracing::warn!(
                    delivery = event.id,
                    merchant = %event.merchant_id,
                    event = %event.event,
                    attempts = event.attempts + 1,
                    error = %error,
                    "webhook not delivered; will retry"
                );
            }
        }
        Err(e) => tracing::warn!(error = %e, "cannot deliver webhooks; will retry"),
    }
}

/// How often the funding check looks whether today (in China) was checked yet: one indexed read
/// when it was, so a day's check starts within this of midnight on some node.
const FUNDING_POLL: Duration = Duration::from_secs(5);

/// Checks the funding invariant once a day, for as long as the process runs. The day's row is
/// written with its alerts in one transaction that first looks for it, so across nodes each day
/// is checked once; a broken currency is an alert row and an error line in the log.
pub(crate) async fn check_funding_daily(
    storage: Storage,
    ids: qianbao_wallet::ids::Ids,
    clock: Arc<dyn Clock>,
) {
    loop {
        tokio::time::sleep(FUNDING_POLL).await;
        funding_once(&storage, &ids, clock.as_ref()).await;
    }
}

/// One pass of [`check_funding_daily`].
async fn funding_once(storage: &Storage, ids: &qianbao_wallet::ids::Ids, clock: &dyn Clock) {
    match qianbao_wallet::recon::daily::check_once(storage, ids, clock.now_ms()).await {
        Ok(Some(check)) if check.alerts.is_empty() => {
            tracing::info!(
                currencies = check.positions.len(),
                "funding invariant holds"
            );
        }
        Ok(Some(check)) => {
            for alert in &check.alerts {
                tracing::error!(
                    currency = %alert.currency,
                    difference = alert.difference.minor(),
                    "funding invariant broken: {}",
                    alert.detail
                );
            }
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "cannot check the funding invariant; will retry"),
    }
}

/// The `source` of the rates the feed gave, in the rates in force and their history.
const FEED_SOURCE: &str = "feed";

/// Why one poll of the rate feed stored nothing.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FeedPollError {
    /// The feed failed (unavailable after its retries, or an answer outside its protocol).
    #[error("rate feed: {0}")]
    Feed(#[from] ConnectorError),
    /// The rates could not be read or stored.
    #[error("storage: {0}")]
    Store(#[from] StoreError),
}

impl FeedPollError {
    /// The `outcome` label of `qianbao_rate_feed_polls_total`: an operator alerts differently on a
    /// feed that is down (it passes) and one that answers nonsense or refuses our key (it does not).
    fn outcome(&self) -> &'static str {
        match self {
            FeedPollError::Feed(ConnectorError::Unavailable(_)) => "unavailable",
            FeedPollError::Feed(ConnectorError::Protocol(_)) => "protocol",
            FeedPollError::Store(_) => "store_error",
        }
    }
}

/// Asks `feed` for `X/CNY` of every enabled currency X but CNY, and stores each rate it gives
/// that is newer than the one in force for its pair, with source `feed` and the feed's time —
/// never later than now, so a feed whose clock runs ahead cannot make a rate look fresh for
/// longer than it is. Returns how many rates were stored.
///
/// A failing feed stores nothing, and a rate no newer than the one in force is left out: an
/// operator's rate set after the feed's observation stands until the feed has a newer one, a
/// feed that has not moved adds nothing to the history, and nodes polling the same feed store
/// each observation once (give or take a race between two of them, which costs a history row).
pub(crate) async fn poll_rates_once(
    store: &impl RecordStore,
    feed: &dyn RateFeed,
    enabled: &[Currency],
    clock: &dyn Clock,
) -> Result<usize, FeedPollError> {
    let mut asked: Vec<Pair> = Vec::new();
    for &base in enabled {
        let pair = Pair {
            base,
            quote: Currency::CNY,
        };
        if base != Currency::CNY && !asked.contains(&pair) {
            asked.push(pair);
        }
    }
    if asked.is_empty() {
        return Ok(0);
    }
    let given = feed.latest(&asked).await?;
    // Read once the answer is in, so a rate observed while a slow feed answered is not "future".
    let now_ms = clock.now_ms();
    let in_force = rates_in_force(store).await?;
    let mut newer: Vec<MidRate> = Vec::new();
    for rate in given {
        // The port promises only the pairs asked; a feed breaking that must not set others.
        if !asked.contains(&rate.pair) {
            continue;
        }
        let set_ms = rate.as_of_ms.min(now_ms);
        let is_newer = in_force
            .iter()
            .chain(&newer)
            .filter(|m| m.pair == rate.pair)
            .all(|m| m.set_ms < set_ms);
        if is_newer {
            newer.retain(|m| m.pair != rate.pair);
            newer.push(MidRate {
                pair: rate.pair,
                rate: rate.rate,
                source: FEED_SOURCE.to_owned(),
                set_ms,
            });
        }
    }
    let stored = newer.len();
    if stored > 0 {
        set_rates(store, newer).await?;
    }
    Ok(stored)
}

/// Polls the rate feed at start and then every `interval`, for as long as the process runs,
/// counting each poll in `qianbao_rate_feed_polls_total{outcome}` (`ok`, `unavailable`,
/// `protocol`, `store_error`). A failed poll is a warning and nothing more: the rates in force
/// stay, and go stale by the policy's `rate_stale_ms` on their own, at which point quotes answer
/// `fx_unavailable` rather than price from an old rate.
pub(crate) async fn poll_rate_feed(
    storage: Storage,
    live: Arc<LivePolicy>,
    feed: Arc<dyn RateFeed>,
    clock: Arc<dyn Clock>,
    interval: Duration,
) {
    loop {
        // The policy in force now, once per round: a currency the console enables is asked for
        // from the next round on.
        let enabled = live.current().money.fx.enabled.clone();
        let outcome = match poll_rates_once(&storage, feed.as_ref(), &enabled, clock.as_ref()).await
        {
            Ok(stored) => {
                tracing::debug!(stored, "rate feed polled");
                "ok"
            }
            Err(e) => {
                tracing::warn!(
                    error = %e,
                    "rate feed poll failed; the rates in force stay until they go stale"
                );
                e.outcome()
            }
        };
        metrics::counter!("qianbao_rate_feed_polls_total", "outcome" => outcome).increment(1);
        tokio::time::sleep(interval).await;
    }
}

/// The background work of one application: what `Background::spawn` runs as loops for as long
/// as the process runs, and what [`Background::tick`] runs once, by hand, for a caller that owns
/// time (the simulation in `crates/sim`, which must not have tasks racing its requests).
#[derive(Clone)]
pub struct Background {
    pub(crate) storage: Storage,
    pub(crate) money: Money,
    pub(crate) live: Arc<LivePolicy>,
    pub(crate) webhooks: Arc<dyn WebhookSender>,
    pub(crate) sms: Arc<dyn SmsGateway>,
    pub(crate) clock: Arc<dyn Clock>,
    /// Whether sent SMS texts are dropped (production) or kept for the sandbox's view.
    pub(crate) redact_sms: bool,
    pub(crate) proofs: qianbao_wallet::proofs::Proofs,
    pub(crate) checkpoint_every: Option<Duration>,
    pub(crate) liability_snapshot_at: Option<qianbao_wallet::proofs::liabilities::SnapshotSchedule>,
    pub(crate) rate_feed: Option<(Arc<dyn RateFeed>, Duration)>,
}

impl Background {
    /// This work with webhooks sent through `sender` instead: a simulation records them rather
    /// than reach the network.
    pub fn with_webhooks(mut self, sender: Arc<dyn WebhookSender>) -> Background {
        self.webhooks = sender;
        self
    }

    /// Runs one pass of every loop, in a fixed order: due timers first (they move money), then
    /// what reads their results (lone taps, budgets, points, the policy, the outboxes, the daily
    /// funding check, the daily liability snapshot when one is scheduled). The checkpoint and
    /// rate-feed loops are left out: they run on their own intervals only when configured, and a
    /// caller that ticks configures neither.
    pub async fn tick(&self) {
        timers_once(&self.storage, &self.money, &self.live).await;
        lone_taps_once(&self.storage, &self.money, &self.live).await;
        budgets_once(&self.storage, &self.money).await;
        points_once(&self.storage, &self.money).await;
        policy_once(&self.storage, &self.money, &self.live).await;
        webhooks_once(&self.storage, &self.money, self.webhooks.as_ref()).await;
        funding_once(&self.storage, &self.money.ctx.ids, self.clock.as_ref()).await;
        if let Some(at) = self.liability_snapshot_at {
            snapshot_once(
                &self.storage,
                self.clock.as_ref(),
                self.money.ctx.random(),
                at,
            )
            .await;
        }
        sms_once(
            &self.storage,
            self.sms.as_ref(),
            self.clock.as_ref(),
            self.redact_sms,
        )
        .await;
    }

    /// Spawns every loop on the current runtime, for as long as the process runs.
    pub(crate) fn spawn(self) {
        let Background {
            storage,
            money,
            live,
            webhooks,
            sms,
            clock,
            redact_sms,
            proofs,
            checkpoint_every,
            liability_snapshot_at,
            rate_feed,
        } = self;
        tokio::spawn(run_timers(storage.clone(), money.clone(), live.clone()));
        // Transit: entries whose exit never came are charged once the pairing window passes.
        tokio::spawn(close_lone_taps(
            storage.clone(),
            money.clone(),
            live.clone(),
        ));
        // Budgets: alerts at 80 % and 100 % of a month's budget.
        tokio::spawn(check_budgets(storage.clone(), money.clone()));
        // Points: lots whose year is up lapse.
        tokio::spawn(expire_points(storage.clone(), money.clone()));
        tokio::spawn(refresh_policy(storage.clone(), money.clone(), live.clone()));
        tokio::spawn(deliver_webhooks(storage.clone(), money.clone(), webhooks));
        // Reconciliation: the funding invariant, once a day.
        tokio::spawn(check_funding_daily(
            storage.clone(),
            money.ctx.ids.clone(),
            clock.clone(),
        ));
        tokio::spawn(deliver_sms(storage.clone(), sms, clock.clone(), redact_sms));
        // The journal log: a signed checkpoint whenever it has grown.
        if let Some(every) = checkpoint_every {
            tokio::spawn(publish_checkpoints(storage.clone(), proofs, every));
        }
        if let Some(at) = liability_snapshot_at {
            tokio::spawn(take_liability_snapshots(
                storage.clone(),
                clock.clone(),
                money.ctx.random.clone(),
                at,
            ));
        }
        if let Some((feed, interval)) = rate_feed {
            tokio::spawn(poll_rate_feed(storage, live, feed, clock, interval));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qianbao_wallet::FeedRate;
    use qianbao_wallet::fx::{FxPolicy, Rate};
    use std::sync::atomic::{AtomicI64, Ordering};

    /// 2026-12-07T06:00:00Z, a whole minute; the clock stands 30 s after it.
    const MINUTE_MS: i64 = 1_796_623_200_000;
    const NOW_MS: i64 = MINUTE_MS + 30_000;

    /// A clock the test sets.
    struct At(AtomicI64);

    impl Clock for At {
        fn now_ms(&self) -> i64 {
            self.0.load(Ordering::SeqCst)
        }
    }

    /// A feed that gives the same rates whatever it is asked, or fails with the error it makes.
    enum Scripted {
        Gives(Vec<FeedRate>),
        Fails(MakeError),
    }

    /// A `ConnectorError` variant, as a function of its reason.
    type MakeError = fn(String) -> ConnectorError;

    #[async_trait::async_trait]
    impl RateFeed for Scripted {
        async fn latest(&self, _: &[Pair]) -> Result<Vec<FeedRate>, ConnectorError> {
            match self {
                Scripted::Gives(rates) => Ok(rates.clone()),
                Scripted::Fails(error) => Err(error("scripted failure".into())),
            }
        }
    }

    fn pair(text: &str) -> Pair {
        Pair::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn rate(text: &str) -> Rate {
        Rate::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn feed_rate(p: &str, r: &str, as_of_ms: i64) -> FeedRate {
        FeedRate {
            pair: pair(p),
            rate: rate(r),
            as_of_ms,
        }
    }

    /// A fresh SQLite store in its own folder, removed when the test ends.
    struct TempStore {
        storage: Storage,
        dir: std::path::PathBuf,
    }

    impl Drop for TempStore {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    async fn temp_store() -> TempStore {
        let dir = std::env::temp_dir().join(format!(
            "qianbao-rate-feed-{}",
            uuid::Uuid::new_v4().simple()
        ));
        let storage =
            qianbao_store::Storage::open(&qianbao_store::Location::SqliteDir(dir.clone()))
                .await
                .unwrap_or_else(|e| panic!("cannot open a SQLite store in {}: {e}", dir.display()));
        TempStore { storage, dir }
    }

    async fn in_force(store: &Storage) -> Vec<(String, String, String, i64)> {
        rates_in_force(store)
            .await
            .unwrap_or_else(|e| panic!("cannot read the rates: {e}"))
            .into_iter()
            .map(|m| (m.pair.to_string(), m.rate.to_string(), m.source, m.set_ms))
            .collect()
    }

    async fn poll(
        store: &Storage,
        feed: &dyn RateFeed,
        clock: &dyn Clock,
    ) -> Result<usize, FeedPollError> {
        poll_rates_once(store, feed, &FxPolicy::default().enabled, clock).await
    }

    #[tokio::test]
    async fn a_poll_of_the_sandbox_feed_stores_every_enabled_currency_against_cny_as_the_feeds() {
        let temp = temp_store().await;
        let clock: Arc<dyn Clock> = Arc::new(At(AtomicI64::new(NOW_MS)));
        let feed = qianbao_connectors::SandboxRateFeed::new(clock.clone());

        let stored = poll(&temp.storage, &feed, clock.as_ref()).await;

        assert_eq!(stored.ok(), Some(5));
        let rates = in_force(&temp.storage).await;
        let pairs: Vec<&str> = rates.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(
            pairs,
            ["EUR/CNY", "GBP/CNY", "HKD/CNY", "JPY/CNY", "USD/CNY"]
        );
        for (pair, text, source, set_ms) in &rates {
            assert_eq!(source, "feed", "{pair}");
            assert_eq!(*set_ms, MINUTE_MS, "{pair}: the minute the sandbox stamps");
            assert!(Rate::parse(text).is_ok(), "{pair}: {text}");
        }
        // The same minute again: nothing newer, nothing written.
        assert_eq!(
            poll(&temp.storage, &feed, clock.as_ref()).await.ok(),
            Some(0)
        );
        assert_eq!(in_force(&temp.storage).await, rates);
    }

    #[tokio::test]
    async fn a_failing_feed_leaves_the_rates_as_they_were() {
        let temp = temp_store().await;
        let clock = At(AtomicI64::new(NOW_MS));
        let first = Scripted::Gives(vec![
            feed_rate("USD/CNY", "7.1234", MINUTE_MS),
            feed_rate("HKD/CNY", "0.9123", MINUTE_MS),
        ]);
        assert_eq!(poll(&temp.storage, &first, &clock).await.ok(), Some(2));
        let before = in_force(&temp.storage).await;

        clock.0.store(NOW_MS + 3_600_000, Ordering::SeqCst);
        let failures: [(MakeError, &str); 2] = [
            (ConnectorError::Unavailable, "unavailable"),
            (ConnectorError::Protocol, "protocol"),
        ];
        for (failure, outcome) in failures {
            let polled = poll(&temp.storage, &Scripted::Fails(failure), &clock).await;
            assert_eq!(polled.map_err(|e| e.outcome()).err(), Some(outcome));
            assert_eq!(in_force(&temp.storage).await, before);
        }
        // An answer with nothing in it changes nothing either.
        let empty = poll(&temp.storage, &Scripted::Gives(vec![]), &clock).await;
        assert_eq!(empty.ok(), Some(0));
        assert_eq!(in_force(&temp.storage).await, before);
    }

    #[tokio::test]
    async fn a_rate_from_the_future_is_stamped_now_and_one_not_newer_than_in_force_is_skipped() {
        let temp = temp_store().await;
        let clock = At(AtomicI64::new(NOW_MS));
        // The operator set USD/CNY a second ago.
        let operator =
            qianbao_wallet::fx::operator_rate("USD/CNY", "7.2", "operator", NOW_MS - 1_000);
        let operator = operator.unwrap_or_else(|e| panic!("{e}"));
        set_rates(&temp.storage, vec![operator])
            .await
            .unwrap_or_else(|e| panic!("{e}"));

        let feed = Scripted::Gives(vec![
            // Observed before the operator's rate: it stays the operator's.
            feed_rate("USD/CNY", "7.1234", MINUTE_MS),
            // A feed clock an hour ahead: stored as of now.
            feed_rate("HKD/CNY", "0.9123", NOW_MS + 3_600_000),
            // Not asked for (not X/CNY of an enabled currency): ignored.
            feed_rate("KRW/CNY", "0.005123", MINUTE_MS),
        ]);
        assert_eq!(poll(&temp.storage, &feed, &clock).await.ok(), Some(1));
        assert_eq!(
            in_force(&temp.storage).await,
            [
                ("HKD/CNY".into(), "0.9123".into(), "feed".into(), NOW_MS),
                (
                    "USD/CNY".into(),
                    "7.2".into(),
                    "operator".into(),
                    NOW_MS - 1_000
                ),
            ]
        );

        // A newer observation replaces the operator's rate.
        clock.0.store(NOW_MS + 60_000, Ordering::SeqCst);
        let newer = Scripted::Gives(vec![feed_rate("USD/CNY", "7.1301", NOW_MS + 30_000)]);
        assert_eq!(poll(&temp.storage, &newer, &clock).await.ok(), Some(1));
        assert_eq!(
            in_force(&temp.storage).await[1],
            (
                "USD/CNY".into(),
                "7.1301".into(),
                "feed".into(),
                NOW_MS + 30_000
            )
        );
    }

    #[tokio::test]
    async fn with_only_cny_enabled_the_feed_is_not_asked() {
        let temp = temp_store().await;
        let clock = At(AtomicI64::new(NOW_MS));
        let never = Scripted::Fails(ConnectorError::Protocol);
        let polled = poll_rates_once(&temp.storage, &never, &[Currency::CNY], &clock).await;
        assert_eq!(polled.ok(), Some(0));
    }
}
