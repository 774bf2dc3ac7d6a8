//! The billers' port (缴费机构): how the wallet looks a bill up, pays it and asks after a payment
//! it never heard back about. One connector reaches every biller (as a bill aggregator does), so
//! the port is one trait, implemented by the sandbox and by the HTTP connector.

use super::account::BillAccount;
use crate::ConnectorError;
use async_trait::async_trait;
use qianbao_ledger::PositiveAmount;

crate::named! {
    /// What a biller bills for.
    pub enum BillerKind {
        /// 水费: water.
        Water = "water",
        /// 电费: electricity.
        Electricity = "electricity",
        /// 燃气费: gas.
        Gas = "gas",
        /// 话费: a phone's bill or top-up.
        Phone = "phone",
    }
}

/// A biller the connector reaches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Biller {
    /// Its id, as the holder names it in a look-up (`lz-water`).
    pub id: String,
    /// Its name as holders know it (`兰州市供水`).
    pub name: String,
    /// What it bills for.
    pub kind: BillerKind,
    /// The city it serves (`兰州`), or `全国` for a nationwide one.
    pub city: String,
}

/// A bill the biller says is due.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueBill {
    /// The biller's own reference for this bill: what a payment names, and what makes a bill
    /// payable once.
    pub reference: String,
    /// What is due, in fen.
    pub amount: PositiveAmount,
    /// The period billed, as the biller words it (`2026-11`).
    pub period: String,
    /// The account holder's name, masked by the biller (`*明`).
    pub masked_name: String,
}

/// The biller's answer to a look-up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LookedUp {
    /// A bill is due.
    Due(DueBill),
    /// The biller has no such account, or no bill on it.
    NotFound,
    /// The account's bill is paid already.
    AlreadyPaid,
}

/// A payment as the biller is told of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BillOrder {
    /// Our payment's id (the holder's movement id): the biller dedupes by it, so telling it
    /// twice — a retry, another node, the reconciler — pays once.
    pub payment_id: String,
    /// The biller paid.
    pub biller_id: String,
    /// The bill's reference, from the look-up.
    pub reference: String,
    /// What we pay, which must be what the biller asks.
    pub amount: PositiveAmount,
}

/// How a payment stands at the biller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PaidAnswer {
    /// Paid: the biller's receipt reference, as its own records show it.
    Paid {
        /// The biller's receipt reference.
        receipt: String,
    },
    /// Refused for good (the bill changed, the account closed): the money goes back.
    Refused,
    /// No final answer: the confirmation was lost, or the biller is still working on it (or,
    /// from a status question, never received it). Ask again later with the same id.
    Unknown,
}

/// The billers, reached through one connector.
#[async_trait]
pub trait Billers: Send + Sync {
    /// Every biller reachable.
    async fn billers(&self) -> Result<Vec<Biller>, ConnectorError>;
    /// The bill due on `account` at `biller_id`.
    async fn look_up(
        &self,
        biller_id: &str,
        account: &BillAccount,
    ) -> Result<LookedUp, ConnectorError>;
    /// Pays a bill. `Err(Unavailable)` means the biller may or may not have it: ask later.
    async fn pay(&self, order: &BillOrder) -> Result<PaidAnswer, ConnectorError>;
    /// How the payment `payment_id` stands; `Unknown` when the biller never received it.
    async fn payment_status(
        &self,
        biller_id: &str,
        payment_id: &str,
    ) -> Result<PaidAnswer, ConnectorError>;
}

/// Billers that cannot be reached: what an operator's command (which never pays bills) and
/// tests of other things get. Every call is `Unavailable`.
pub struct NoBillers;

/// What every call of [`NoBillers`] answers.
const NO_BILLERS: &str = "no biller connector is configured (see `qianbao serve --help`)";

#[async_trait]
impl Billers for NoBillers {
    async fn billers(&self) -> Result<Vec<Biller>, ConnectorError> {
        Err(ConnectorError::Unavailable(NO_BILLERS.into()))
    }
    async fn look_up(&self, _: &str, _: &BillAccount) -> Result<LookedUp, ConnectorError> {
        Err(ConnectorError::Unavailable(NO_BILLERS.into()))
    }
    async fn pay(&self, _: &BillOrder) -> Result<PaidAnswer, ConnectorError> {
        Err(ConnectorError::Unavailable(NO_BILLERS.into()))
    }
    async fn payment_status(&self, _: &str, _: &str) -> Result<PaidAnswer, ConnectorError> {
        Err(ConnectorError::Unavailable(NO_BILLERS.into()))
    }
}
