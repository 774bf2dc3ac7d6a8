//! The bank's faults, injected around the real sandbox bank: the simulation plans one fault for
//! the next movement the server asks of the bank, and this wrapper plays it — the bank down, its
//! answer lost after it acted, or the server dying while it waits for the bank (before or after
//! the bank acted). A death is a real crash at that await point: the wrapper signals the
//! simulation and never answers, and the simulation drops the whole server mid-request.

use async_trait::async_trait;
use qianbao_wallet::domain::ChinaDay;
use qianbao_wallet::recon::Statement;
use qianbao_wallet::{
    Bank, BankMovement, BankOutcome, CardCheck, CardCheckOutcome, CardConfirmOutcome,
    ConnectorError,
};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// One fault of the bank's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BankFault {
    /// The bank never got the request.
    Down,
    /// The bank acted, and its answer was lost on the way back.
    AnswerLost,
    /// The server died while the request was on its way to the bank.
    CrashBefore,
    /// The server died after the bank acted, before its answer arrived.
    CrashAfter,
}

/// The fault planned for the next bank movement, what became of it, and the crash signal.
#[derive(Default)]
pub struct BankPlan {
    next: Mutex<Option<BankFault>>,
    played: Mutex<Option<(BankFault, &'static str)>>,
    /// Notified when a fault kills the server; the simulation drops it on this signal.
    pub crashed: Notify,
}

impl BankPlan {
    /// Plans `fault` for the next movement (debit, credit or status query).
    pub fn plan(&self, fault: BankFault) {
        if let Ok(mut next) = self.next.lock() {
            *next = Some(fault);
        }
    }

    /// Forgets an unplayed fault and answers the one played since it was planned, if any, with
    /// the bank call it hit.
    pub fn settle(&self) -> Option<(BankFault, &'static str)> {
        if let Ok(mut next) = self.next.lock() {
            *next = None;
        }
        self.played.lock().ok().and_then(|mut p| p.take())
    }

    fn take(&self, call: &'static str) -> Option<BankFault> {
        let fault = self.next.lock().ok().and_then(|mut n| n.take());
        if let (Some(fault), Ok(mut played)) = (fault, self.played.lock()) {
            *played = Some((fault, call));
        }
        fault
    }
}

/// The sandbox bank with the plan's faults.
pub struct FaultyBank {
    inner: Arc<dyn Bank>,
    plan: Arc<BankPlan>,
}

impl FaultyBank {
    /// `inner` with `plan`'s faults.
    pub fn new(inner: Arc<dyn Bank>, plan: Arc<BankPlan>) -> FaultyBank {
        FaultyBank { inner, plan }
    }

    /// Plays the planned fault around `act`, the bank's side of a movement.
    async fn around<T>(
        &self,
        call: &'static str,
        act: impl std::future::Future<Output = Result<T, ConnectorError>>,
    ) -> Result<T, ConnectorError> {
        match self.plan.take(call) {
            None => act.await,
            Some(BankFault::Down) => Err(ConnectorError::Unavailable(
                "simulated: the bank did not answer".into(),
            )),
            Some(BankFault::AnswerLost) => {
                let _ = act.await;
                Err(ConnectorError::Unavailable(
                    "simulated: the bank's answer was lost".into(),
                ))
            }
            Some(BankFault::CrashBefore) => self.die().await,
            Some(BankFault::CrashAfter) => {
                let _ = act.await;
                self.die().await
            }
        }
    }

    /// Signals the crash and never returns: the simulation drops this future with the server.
    async fn die<T>(&self) -> T {
        self.plan.crashed.notify_one();
        std::future::pending().await
    }
}

#[async_trait]
impl Bank for FaultyBank {
    async fn check_card(&self, check: &CardCheck) -> Result<CardCheckOutcome, ConnectorError> {
        self.inner.check_card(check).await
    }

    async fn confirm_card(
        &self,
        bank_reference: &str,
        code: &str,
    ) -> Result<CardConfirmOutcome, ConnectorError> {
        self.inner.confirm_card(bank_reference, code).await
    }

    async fn debit(&self, movement: &BankMovement) -> Result<BankOutcome, ConnectorError> {
        self.around("debit", self.inner.debit(movement)).await
    }

    async fn credit(&self, movement: &BankMovement) -> Result<BankOutcome, ConnectorError> {
        self.around("credit", self.inner.credit(movement)).await
    }

    async fn movement_status(
        &self,
        reference: &str,
    ) -> Result<Option<BankOutcome>, ConnectorError> {
        self.around("status", self.inner.movement_status(reference))
            .await
    }

    async fn statement(&self, day: ChinaDay) -> Result<Statement, ConnectorError> {
        self.inner.statement(day).await
    }
}
