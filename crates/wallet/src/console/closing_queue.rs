//! The closing queue: holders who asked to close with the wallet's balance swept to one of their
//! cards, oldest first. Staff approve a request as a four-eyes `close_account` command, whose
//! approval sweeps the whole balance as it is then and closes the wallet in one money
//! transaction (see `run_close_account`), or reject it with a reason; either way the holder is
//! told in their inbox.
//!
//! The sweep's card keeps its bank token, and stays bound to the closed wallet, until the payout
//! ends: the bank can be asked to pay a card only with its token. The payout's end unbinds it
//! (see `money::timers`). The wallet is closed at once, not when the payout settles, so nothing
//! can reach it meanwhile: a transfer to it answers `invalid_payee`, logging in `account_closed`.

use super::audit::{self, AuditLine, DONE};
use super::commands::Command;
use super::staff::Staff;
use super::{Console, ConsoleError, Group, Permission};
use crate::AccountOwner;
use crate::StoreError;
use crate::closing::{BlockerKind, blockers, close, standing};
use crate::domain::{CardType, Phone};
use crate::money::records::{MoneyTx, NotificationRecord};
use crate::money::sweep::card_shown;
use crate::money::{Money, MoneyError, yuan};
use crate::records::{
    CardRecord, CardStatus, ClosingRequestRecord, ClosingRequestStatus, CommandRecord,
    CommandStatus, HolderRecord, HolderStatus,
};
use crate::storage::RecordStore;
use qianbao_ledger::{AccountKind, Amount, Currency};

/// The most requests one look at the queue answers.
const QUEUE_MAX: i64 = 200;

/// A waiting closing request as the console's queue shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClosingCase {
    /// The request.
    pub request: ClosingRequestRecord,
    /// The holder's phone, masked.
    pub phone_masked: String,
    /// The wallet's balance now (it may change until the approval reads it again).
    pub balance: Amount,
    /// Its currency.
    pub currency: Currency,
    /// The card, as `bank ****1234`.
    pub card_masked: String,
    /// The pending `close_account` command proposed for it, if any.
    pub command_id: Option<String>,
}

impl Console {
    /// The waiting closing requests, oldest first; needs `holders.view`.
    pub async fn closing_queue(
        &self,
        store: &impl RecordStore,
        staff: &Staff,
    ) -> Result<Vec<ClosingCase>, ConsoleError> {
        self.require(
            store,
            staff,
            Permission::view(Group::Holders),
            "queue.closing",
        )
        .await?;
        let now = self.ctx.now_ms();
        Ok(store
            .transact_read(move |r| {
                let mut out = Vec::new();
                for request in r.waiting_closing_requests(QUEUE_MAX)? {
                    let Some(holder) = r.holder(&request.holder_id)? else {
                        continue;
                    };
                    let currency = Currency::CNY;
                    let balance = r
                        .accounts_of(&AccountOwner::Wallet(holder.wallet_id.clone()))?
                        .into_iter()
                        .find(|a| a.kind == AccountKind::Wallet && a.currency == currency)
                        .map_or(Amount::ZERO, |a| a.balance);
                    let card_masked = r
                        .card(&holder.id, &request.card_id)?
                        .map_or_else(|| "****".into(), |c| card_shown(&c));
                    let entity = format!("holder:{}", holder.id);
                    let command_id = r
                        .commands(Some(CommandStatus::Pending), Some(&entity), QUEUE_MAX)?
                        .into_iter()
                        .find(|c| c.action == "close_account" && c.expires_ms > now)
                        .map(|c| c.id);
                    out.push(ClosingCase {
                        phone_masked: Phone::parse(&holder.phone)
                            .map(|p| p.masked())
                            .unwrap_or_else(|_| "****".into()),
                        balance,
                        currency,
                        card_masked,
                        command_id,
                        request,
                    });
                }
                Ok(out)
            })
            .await?)
    }

    /// Rejects a waiting closing request with a reason the holder is told; needs
    /// `holders.manage`. The wallet stays open; a `close_account` command still pending for it
    /// will fail when approved.
    pub async fn reject_closing(
        &self,
        store: &impl RecordStore,
        staff: &Staff,
        request_id: &str,
        reason: &str,
    ) -> Result<ClosingRequestRecord, ConsoleError> {
        self.require(
            store,
            staff,
            Permission::manage(Group::Holders),
            "queue.closing.reject",
        )
        .await?;
        let reason = reason.trim().to_string();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(ConsoleError::Invalid(
                "a rejection needs a reason of 1 to 500 characters",
            ));
        }
        let (id, actor, staff_id, now) = (
            request_id.to_string(),
            staff.actor(),
            staff.record.id.clone(),
            self.ctx.now_ms(),
        );
        store
            .transact_money(move |r| {
                let Some(mut request) = r.closing_request(&id)? else {
                    return Ok(Err(ConsoleError::NotFound));
                };
                if request.status != ClosingRequestStatus::Waiting {
                    return Ok(Err(ConsoleError::CaseDecided(request.status.as_str())));
                }
                request.status = ClosingRequestStatus::Rejected;
                request.decided_ms = Some(now);
                request.decided_by = Some(staff_id.clone());
                request.outcome = reason.clone();
                r.end_closing_request(&request)?;
                if let Some(holder) = r.holder(&request.holder_id)? {
                    notify(
                        r,
                        &holder,
                        "钱包注销申请未通过".into(),
                        format!("您的钱包注销申请未通过：{reason}。钱包仍可正常使用。"),
                        "Closing request not approved".into(),
                        format!(
                            "Your request to close the wallet was not approved: {reason}. The \
                             wallet stays open."
                        ),
                        now,
                    )?;
                }
                audit::append(
                    r,
                    AuditLine {
                        actor: actor.clone(),
                        action: "queue.closing.reject".into(),
                        entity: format!("holder:{}", request.holder_id),
                        before: format!("{{\"request_id\":\"{}\"}}", request.id),
                        reason: reason.clone(),
                        outcome: DONE,
                        ..AuditLine::default()
                    },
                    now,
                )?;
                Ok(Ok(request))
            })
            .await?
    }
}

/// Whether `holder_id` has a waiting closing request for `card_id`: what a `close_account`
/// command needs to be proposed.
pub(super) fn waiting_for(
    r: &mut dyn crate::records::Records,
    holder_id: &str,
    card_id: &str,
) -> Result<bool, StoreError> {
    Ok(r.waiting_closing_request(holder_id)?
        .is_some_and(|q| q.card_id == card_id))
}

/// The holder's card if it can still take the sweep: bound, active, a debit card with its token.
fn sweep_card(
    r: &mut dyn MoneyTx,
    holder_id: &str,
    card_id: &str,
) -> Result<Option<CardRecord>, StoreError> {
    Ok(r.card(holder_id, card_id)?.filter(|c| {
        c.status == CardStatus::Active && c.card_type == CardType::Debit && c.token_sealed.is_some()
    }))
}

/// Runs an approved `close_account`, inside the approval's money transaction: reads the balance
/// now, sweeps all of it to the card as a fee-free withdrawal, closes the wallet and marks the
/// request done. Anything but the balance blocking closing now fails the command, and nothing
/// changes. Being one money transaction, a transfer to the wallet lands before it (and is
/// swept with the rest) or after it (and is refused: the payee is closed).
pub(super) fn run_close_account(
    r: &mut dyn MoneyTx,
    money: &Money,
    command: &Command,
    record: &CommandRecord,
    checker: &str,
    now: i64,
) -> Result<Result<String, String>, StoreError> {
    let Command::CloseAccount { holder_id, card_id } = command else {
        return Ok(Err("not a close_account command".into()));
    };
    let Some(holder) = r.holder(holder_id)? else {
        return Ok(Err("no such holder".into()));
    };
    if holder.status != HolderStatus::Active {
        return Ok(Err(format!("the wallet is {}, not active", holder.status)));
    }
    let Some(mut request) = r
        .waiting_closing_request(holder_id)?
        .filter(|q| q.card_id == *card_id)
    else {
        return Ok(Err(
            "no waiting closing request for this holder and card".into()
        ));
    };
    let found = blockers(&standing(r, &holder, now)?);
    let others: Vec<&str> = found
        .iter()
        .filter(|b| b.kind != BlockerKind::Balance)
        .map(|b| b.kind.as_str())
        .collect();
    if !others.is_empty() {
        return Ok(Err(format!(
            "closing is blocked by more than the balance now: {}",
            others.join(", ")
        )));
    }
    let Some(card) = sweep_card(r, holder_id, card_id)? else {
        return Ok(Err(
            "the card is no longer an active debit card of the holder's".into(),
        ));
    };
    // Only balances are left (the available part; with no hold it is all of it). Nothing is
    // written before the sweep's own checks pass, so a refusal here changes nothing.
    let mut swept = Vec::new();
    for b in &found {
        let Some((amount, currency)) = b.amount else {
            continue;
        };
        match money.sweep_in(r, &holder, &card, amount, currency, now) {
            Ok(movement_id) => swept.push((movement_id, amount)),
            Err(MoneyError::Store(e)) => return Err(e),
            Err(other) => return Ok(Err(format!("the sweep was refused: {}", other.code()))),
        }
    }
    let total = swept
        .iter()
        .fold(Amount::ZERO, |sum, (_, amount)| sum + *amount);
    request.status = ClosingRequestStatus::Done;
    request.decided_ms = Some(now);
    request.decided_by = Some(checker.to_string());
    request.outcome = record.id.clone();
    r.end_closing_request(&request)?;
    let keep = (!swept.is_empty()).then_some(card.id.as_str());
    close(r, &holder, keep, now)?;
    let shown = card_shown(&card);
    notify(
        r,
        &holder,
        "钱包已注销".into(),
        format!(
            "您的钱包已注销，余额 {} 已转出到{shown}，不收手续费。",
            yuan(total)
        ),
        "Wallet closed".into(),
        format!(
            "Your wallet is closed; its balance of {} is on its way to {shown}, with no fee.",
            yuan(total)
        ),
        now,
    )?;
    let ids: Vec<&str> = swept.iter().map(|(id, _)| id.as_str()).collect();
    Ok(Ok(format!(
        "swept {} to {shown} as [{}]; closed",
        total.minor(),
        ids.join(", ")
    )))
}

/// A notice in the holder's inbox about their closing request.
fn notify(
    r: &mut dyn MoneyTx,
    holder: &HolderRecord,
    title: String,
    body: String,
    title_en: String,
    body_en: String,
    now: i64,
) -> Result<(), StoreError> {
    r.insert_notification(&NotificationRecord {
        id: 0,
        holder_id: holder.id.clone(),
        kind: "closing".to_owned(),
        title,
        body,
        title_en,
        body_en,
        movement_id: None,
        created_ms: now,
    })
}
