//! The sandbox billers: a few water, electricity, gas and phone companies in 兰州, 北京 and 上海,
//! with bills made up deterministically from the biller, the account and the month, and test
//! account numbers that produce each of the network's answers. Paid bills are remembered for the
//! process's life (in memory, as the sandbox bank keeps its card balances).
//!
//! | account    | at any biller                                                            |
//! |------------|--------------------------------------------------------------------------|
//! | `00000000` | no such account: `bill_not_found`                                        |
//! | `11111111` | the bill is paid already: `bill_already_paid`                            |
//! | `22222222` | the biller does not answer: `biller_unavailable` (every call)            |
//! | `33333333` | the amount changes at every look-up (¥88.00, ¥99.00, …): paying what was seen is `bill_amount_changed` |
//! | `44444444` | the payment's confirmation is lost once (pending), then the status says paid |
//! | `55555555` | the biller refuses the payment after the money left: refunded            |
//! | `66666666` | a large bill of ¥1,288.00 (above a small auto-pay cap)                   |
//! | other 6–20 digits | a bill of ¥20.00–¥299.99 for last month, the same all month       |

use async_trait::async_trait;
use qianbao_ledger::PositiveAmount;
use qianbao_wallet::bills::{
    BillAccount, BillOrder, Biller, BillerKind, Billers, DueBill, LookedUp, PaidAnswer,
};
use qianbao_wallet::domain::ChinaDay;
use qianbao_wallet::{Clock, ConnectorError};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// The sandbox's billers: id, name, kind, city.
const BILLERS: [(&str, &str, BillerKind, &str); 9] = [
    ("lz-water", "兰州威立雅水务", BillerKind::Water, "兰州"),
    (
        "lz-power",
        "国网兰州供电公司",
        BillerKind::Electricity,
        "兰州",
    ),
    ("lz-gas", "兰州燃气", BillerKind::Gas, "兰州"),
    ("bj-water", "北京自来水集团", BillerKind::Water, "北京"),
    ("bj-power", "国网北京电力", BillerKind::Electricity, "北京"),
    ("bj-gas", "北京燃气", BillerKind::Gas, "北京"),
    ("sh-power", "国网上海电力", BillerKind::Electricity, "上海"),
    ("sh-gas", "上海燃气", BillerKind::Gas, "上海"),
    ("cn-mobile", "中国移动话费", BillerKind::Phone, "全国"),
];

/// The account holders' masked names the sandbox gives, picked by the account.
const NAMES: [&str; 6] = ["*明", "*芳", "*伟", "**华", "*静", "*强"];

/// The test accounts.
const NOT_FOUND: &str = "00000000";
const ALREADY_PAID: &str = "11111111";
const UNAVAILABLE: &str = "22222222";
const AMOUNT_CHANGES: &str = "33333333";
const LOST_ONCE: &str = "44444444";
const REFUSED: &str = "55555555";
const LARGE: &str = "66666666";

/// What the sandbox remembers.
#[derive(Default)]
struct Books {
    /// Each payment's answer, by our payment id: a repeat gets the same one.
    payments: HashMap<String, PaidAnswer>,
    /// The bills paid, by reference.
    paid: HashSet<String>,
    /// Look-ups of the amount-changing account, by biller and account.
    looked: HashMap<String, u64>,
    /// Payments whose confirmation was lost once already.
    lost: HashSet<String>,
}

/// Billers that need nothing outside: made-up bills, test accounts, paid bills in memory.
pub struct SandboxBillers {
    clock: Arc<dyn Clock>,
    books: Mutex<Books>,
}

impl std::fmt::Debug for SandboxBillers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxBillers").finish_non_exhaustive()
    }
}

impl SandboxBillers {
    /// Billers whose bills are for the month before `clock`'s (China time).
    pub fn new(clock: Arc<dyn Clock>) -> SandboxBillers {
        SandboxBillers {
            clock,
            books: Mutex::new(Books::default()),
        }
    }

    /// The books, even after a panic elsewhere: they are only ever changed whole-entry.
    fn books(&self) -> std::sync::MutexGuard<'_, Books> {
        match self.books.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The period billed now: last month, `YYYY-MM`.
    fn period(&self) -> String {
        let date = ChinaDay::of_ms(self.clock.now_ms()).date();
        let (year, month) = match date.month() {
            time::Month::January => (date.year() - 1, 12),
            m => (date.year(), u8::from(m) - 1),
        };
        format!("{year:04}-{month:02}")
    }

    /// The bill on `account` this month, as it stands before anything is paid.
    fn bill(&self, biller_id: &str, account: &str) -> Option<DueBill> {
        let period = self.period();
        let digest = Sha256::digest(format!("{biller_id}:{account}:{period}").as_bytes());
        let seed = u64::from_be_bytes(digest[..8].try_into().ok()?);
        let minor = match account {
            LARGE => 128_800,
            AMOUNT_CHANGES => {
                let mut books = self.books();
                let seen = books
                    .looked
                    .entry(format!("{biller_id}:{account}"))
                    .or_default();
                *seen += 1;
                if *seen % 2 == 1 { 8_800 } else { 9_900 }
            }
            _ => 2_000 + i64::try_from(seed % 28_000).ok()?,
        };
        let name = NAMES[usize::try_from(seed % 6).ok()?];
        Some(DueBill {
            reference: format!("{biller_id}-{account}-{period}"),
            amount: PositiveAmount::new(minor)?,
            period,
            masked_name: name.to_string(),
        })
    }

    fn biller_known(biller_id: &str) -> bool {
        BILLERS.iter().any(|(id, ..)| *id == biller_id)
    }
}

/// The sandbox's own receipt reference for a payment.
fn receipt(payment_id: &str) -> String {
    let digest = Sha256::digest(payment_id.as_bytes());
    format!("SBX{}", hex::encode_upper(&digest[..8]))
}

/// What the test account that does not answer says.
fn unavailable() -> ConnectorError {
    ConnectorError::Unavailable("sandbox biller: account 22222222 never answers".into())
}

#[async_trait]
impl Billers for SandboxBillers {
    async fn billers(&self) -> Result<Vec<Biller>, ConnectorError> {
        Ok(BILLERS
            .iter()
            .map(|(id, name, kind, city)| Biller {
                id: (*id).into(),
                name: (*name).into(),
                kind: *kind,
                city: (*city).into(),
            })
            .collect())
    }

    async fn look_up(
        &self,
        biller_id: &str,
        account: &BillAccount,
    ) -> Result<LookedUp, ConnectorError> {
        let account = account.as_str();
        if !Self::biller_known(biller_id) || account == NOT_FOUND {
            return Ok(LookedUp::NotFound);
        }
        match account {
            ALREADY_PAID => return Ok(LookedUp::AlreadyPaid),
            UNAVAILABLE => return Err(unavailable()),
            _ => {}
        }
        let Some(bill) = self.bill(biller_id, account) else {
            return Ok(LookedUp::NotFound);
        };
        if self.books().paid.contains(&bill.reference) {
            return Ok(LookedUp::AlreadyPaid);
        }
        Ok(LookedUp::Due(bill))
    }

    async fn pay(&self, order: &BillOrder) -> Result<PaidAnswer, ConnectorError> {
        // The reference is `biller-account-period`: the account is what decides the test answers.
        let account = order
            .reference
            .strip_prefix(&format!("{}-", order.biller_id))
            .and_then(|rest| rest.split('-').next())
            .unwrap_or_default()
            .to_string();
        if account == UNAVAILABLE {
            return Err(unavailable());
        }
        let due = match account.as_str() {
            // Whatever it says now, it said something else before: the amount is not re-read.
            AMOUNT_CHANGES => None,
            _ => self.bill(&order.biller_id, &account),
        };
        let mut books = self.books();
        if let Some(answer) = books.payments.get(&order.payment_id).cloned() {
            if account == LOST_ONCE && books.lost.insert(order.payment_id.clone()) {
                return Ok(PaidAnswer::Unknown);
            }
            return Ok(answer);
        }
        let answer = match due {
            _ if account == REFUSED => PaidAnswer::Refused,
            Some(bill)
                if bill.reference == order.reference
                    && bill.amount == order.amount
                    && !books.paid.contains(&bill.reference) =>
            {
                books.paid.insert(bill.reference);
                PaidAnswer::Paid {
                    receipt: receipt(&order.payment_id),
                }
            }
            _ => PaidAnswer::Refused,
        };
        books
            .payments
            .insert(order.payment_id.clone(), answer.clone());
        // The payment is made, but its confirmation never reaches us — once.
        if account == LOST_ONCE && books.lost.insert(order.payment_id.clone()) {
            return Ok(PaidAnswer::Unknown);
        }
        Ok(answer)
    }

    async fn payment_status(
        &self,
        _biller_id: &str,
        payment_id: &str,
    ) -> Result<PaidAnswer, ConnectorError> {
        Ok(self
            .books()
            .payments
            .get(payment_id)
            .cloned()
            .unwrap_or(PaidAnswer::Unknown))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    struct At(i64);
    impl Clock for At {
        fn now_ms(&self) -> i64 {
            self.0
        }
    }

    /// 2026-12-07 12:00 China time.
    const DEC_7: i64 = 1_796_616_000_000;

    fn billers() -> SandboxBillers {
        SandboxBillers::new(Arc::new(At(DEC_7)))
    }

    fn account(text: &str) -> BillAccount {
        BillAccount::parse(text).unwrap()
    }

    async fn due(b: &SandboxBillers, text: &str) -> DueBill {
        match b.look_up("lz-water", &account(text)).await.unwrap() {
            LookedUp::Due(bill) => bill,
            other => panic!("{text}: {other:?}"),
        }
    }

    fn order(bill: &DueBill, payment_id: &str) -> BillOrder {
        BillOrder {
            payment_id: payment_id.into(),
            biller_id: "lz-water".into(),
            reference: bill.reference.clone(),
            amount: bill.amount,
        }
    }

    #[tokio::test]
    async fn a_bill_is_last_months_and_the_same_at_every_look_up() {
        let b = billers();
        let first = due(&b, "62010012345").await;
        assert_eq!(first.period, "2026-11");
        assert_eq!(first.reference, "lz-water-62010012345-2026-11");
        assert!((2_000..30_000).contains(&first.amount.amount().minor()));
        assert_eq!(due(&b, "62010012345").await, first);
    }

    #[tokio::test]
    async fn a_paid_bill_is_paid_once_and_a_repeat_answers_the_same() {
        let b = billers();
        let bill = due(&b, "62010012345").await;
        let paid = b.pay(&order(&bill, "p1")).await.unwrap();
        assert!(matches!(paid, PaidAnswer::Paid { .. }));
        assert_eq!(b.pay(&order(&bill, "p1")).await.unwrap(), paid);
        assert_eq!(b.payment_status("lz-water", "p1").await.unwrap(), paid);
        assert_eq!(
            b.pay(&order(&bill, "p2")).await.unwrap(),
            PaidAnswer::Refused
        );
        assert_eq!(
            b.look_up("lz-water", &account("62010012345"))
                .await
                .unwrap(),
            LookedUp::AlreadyPaid
        );
    }

    #[tokio::test]
    async fn the_test_accounts_answer_as_documented() {
        let b = billers();
        let look = |text: &'static str| {
            let b = &b;
            async move { b.look_up("lz-water", &account(text)).await }
        };
        assert_eq!(look(NOT_FOUND).await.unwrap(), LookedUp::NotFound);
        assert_eq!(look(ALREADY_PAID).await.unwrap(), LookedUp::AlreadyPaid);
        assert!(matches!(
            look(UNAVAILABLE).await,
            Err(ConnectorError::Unavailable(_))
        ));
        let (a, c) = (due(&b, AMOUNT_CHANGES).await, due(&b, AMOUNT_CHANGES).await);
        assert_ne!(a.amount, c.amount);
        assert_eq!(due(&b, LARGE).await.amount.amount().minor(), 128_800);

        let lost = due(&b, LOST_ONCE).await;
        assert_eq!(
            b.pay(&order(&lost, "p3")).await.unwrap(),
            PaidAnswer::Unknown
        );
        assert!(matches!(
            b.payment_status("lz-water", "p3").await.unwrap(),
            PaidAnswer::Paid { .. }
        ));
        let refused = due(&b, REFUSED).await;
        assert_eq!(
            b.pay(&order(&refused, "p4")).await.unwrap(),
            PaidAnswer::Refused
        );
        assert_eq!(
            b.payment_status("lz-water", "never").await.unwrap(),
            PaidAnswer::Unknown
        );
    }

    #[tokio::test]
    async fn an_unknown_biller_has_no_bills() {
        let b = billers();
        assert_eq!(
            b.look_up("xx-water", &account("62010012345"))
                .await
                .unwrap(),
            LookedUp::NotFound
        );
        assert!(b.billers().await.unwrap().len() >= 8);
    }
}
