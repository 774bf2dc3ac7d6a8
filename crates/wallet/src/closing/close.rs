//! Closing a wallet: the holder proves it is them twice (the payment password and an SMS code of
//! purpose `close`), then one money transaction reads everything that could still move money in
//! or out, and either refuses with what blocks or closes. Being a money transaction, it runs
//! after or before any transfer to the wallet, never beside one, on either backend: a transfer
//! that comes first leaves money the closing sees, one that comes after finds the wallet closed.

use super::blockers::{Balance, Shop, Standing, Waiting, blockers};
use super::{ClosingError, released};
use crate::AccountOwner;
use crate::StoreError;
use crate::domain::Phone;
use crate::kyc::Kyc;
use crate::money::records::{MoneyTx, TimerKind};
use crate::opening::{Opening, OpeningError, Purpose};
use crate::records::{CardStatus, ClosingRecord, ClosingRequestStatus, HolderRecord, HolderStatus};
use crate::red_packets::RedPacketStatus;
use crate::storage::RecordStore;
use qianbao_ledger::{Account, AccountKind};

/// How many of each kind of unfinished thing a closing lists: enough to act on, and a bound on
/// what one refusal reads inside the money transaction.
const LISTED_MAX: i64 = 20;

/// The first proof that the closing is the holder's own doing.
pub enum CloseProof<'a> {
    /// The payment password, which every wallet that ever held money has.
    Pin(&'a str),
    /// The login password, for a wallet that never had a payment password (below L1 none can be
    /// set, and such a wallet may still want to close).
    Password(&'a str),
}

impl Kyc {
    /// Closes the holder's wallet for good: refused with every [`Blocker`](super::Blocker) while
    /// money is in it or on its way, or while a shop of the holder's has takings or open orders.
    /// Once closed, every session ends, logging in is refused, payments to it are refused, and
    /// its phone and ID number are freed for a new wallet after the cooling-off period; its
    /// records stay.
    pub async fn close_wallet(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        proof: CloseProof<'_>,
        code: Option<&str>,
    ) -> Result<(), ClosingError> {
        let digest = self.prove_closing(store, holder, proof, code).await?;
        let opening = self.opening.clone();
        let holder_id = holder.id.clone();
        let now = self.ctx.clock.now_ms();
        store
            .transact_money(move |r| {
                let holder = match proven_holder(r, &opening, &holder_id, &digest, now)? {
                    Ok(holder) => holder,
                    Err(refusal) => return Ok(Err(refusal)),
                };
                let found = blockers(&standing(r, &holder, now)?);
                if !found.is_empty() {
                    return Ok(Err(ClosingError::Blocked(found)));
                }
                close(r, &holder, None, now)?;
                Ok(Ok(()))
            })
            .await?
    }

    /// Checks both proofs that a closing is the holder's own doing (the payment password, or the
    /// login password of a wallet that never had one, and that an SMS code was sent); the code's
    /// digest, checked and used up inside the closing's own transaction.
    pub(super) async fn prove_closing(
        &self,
        store: &impl RecordStore,
        holder: &HolderRecord,
        proof: CloseProof<'_>,
        code: Option<&str>,
    ) -> Result<String, ClosingError> {
        let phone = Phone::parse(&holder.phone).map_err(|_| OpeningError::PhoneInvalid)?;
        // No code, no try used up: the holder may not have asked for one yet.
        let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
            return Err(OpeningError::OtpInvalid {
                attempts_left: None,
            }
            .into());
        };
        let has_pin = {
            let holder_id = holder.id.clone();
            store.transact(move |r| r.pin(&holder_id)).await?.is_some()
        };
        match proof {
            CloseProof::Pin(pin) => self.check_pin(store, &holder.id, pin).await?,
            CloseProof::Password(_) if has_pin => return Err(ClosingError::PinRequired),
            CloseProof::Password(password) => {
                self.opening
                    .check_password(store, &holder.phone, Some(holder.clone()), password)
                    .await?;
            }
        }
        Ok(self.opening.code_digest(&phone, Purpose::Close, code))
    }
}

/// The holder, read inside the closing's transaction, if their wallet may close now and the SMS
/// code is right. A wrong code's count is kept: the refusal is returned as a value and the
/// transaction commits.
pub(super) fn proven_holder(
    r: &mut dyn MoneyTx,
    opening: &Opening,
    holder_id: &str,
    digest: &str,
    now: i64,
) -> Result<Result<HolderRecord, ClosingError>, StoreError> {
    let Some(holder) = r.holder(holder_id)? else {
        return Ok(Err(ClosingError::Opening(OpeningError::Unauthorized)));
    };
    match holder.status {
        HolderStatus::Active => {}
        HolderStatus::Frozen => return Ok(Err(ClosingError::Frozen)),
        HolderStatus::Restricted => return Ok(Err(ClosingError::Restricted)),
        // Its sessions ended with it: a request still on its way finds no wallet.
        HolderStatus::Closed => {
            return Ok(Err(ClosingError::Opening(OpeningError::Unauthorized)));
        }
    }
    if let Err(e) = opening.check_code(r, &holder.phone, Purpose::Close, digest, now)? {
        return Ok(Err(ClosingError::Opening(e)));
    }
    Ok(Ok(holder))
}

/// Everything of the holder's that could still move money, read inside the closing's transaction.
pub(crate) fn standing(
    r: &mut dyn MoneyTx,
    holder: &HolderRecord,
    now_ms: i64,
) -> Result<Standing, StoreError> {
    let balances = balances_of(r, &holder.wallet_id, AccountKind::Wallet)?;
    let waiting = waiting_of(r, &holder.id)?;
    let mut shops = Vec::new();
    for merchant in r.merchants_of(&holder.id)? {
        shops.push(Shop {
            balances: balances_of(r, &merchant.id, AccountKind::Merchant)?,
            waiting: waiting_of(r, &merchant.id)?,
            open_orders: r.open_orders_of(&merchant.id, now_ms, LISTED_MAX)?,
            live_cards: r.live_gift_cards_total(&merchant.id)?,
            name: merchant.name,
        });
    }
    let open_red_packets = r
        .red_packets_of(&holder.id, LISTED_MAX)?
        .into_iter()
        .filter(|p| p.sender_id == holder.id && p.status == RedPacketStatus::Open)
        .map(|p| p.unclaimed())
        .collect();
    let owed_fares = r
        .owed_rides(&holder.id)?
        .iter()
        .fold(qianbao_ledger::Amount::ZERO, |sum, ride| sum + ride.charged);
    Ok(Standing {
        now_ms,
        balances,
        waiting,
        shops,
        open_red_packets,
        owed_fares,
    })
}

/// The balances of the accounts of `kind` that `owner_id` (a wallet's or a shop's id) holds.
fn balances_of(
    r: &mut dyn MoneyTx,
    owner_id: &str,
    kind: AccountKind,
) -> Result<Vec<Balance>, StoreError> {
    Ok(r.accounts_of(&AccountOwner::Wallet(owner_id.to_string()))?
        .into_iter()
        .filter(|a| a.kind == kind)
        .map(|a: Account| Balance {
            currency: a.currency,
            balance: a.balance,
            held: a.held,
        })
        .collect())
}

/// The movements of `owner_id` that have not ended, each with when its release is due.
fn waiting_of(r: &mut dyn MoneyTx, owner_id: &str) -> Result<Vec<Waiting>, StoreError> {
    let mut out = Vec::new();
    for movement in r.unfinished_of(owner_id, LISTED_MAX)? {
        let due_ms = r
            .timers_for(&movement.id)?
            .into_iter()
            .find(|t| t.kind == TimerKind::TransferRelease)
            .map(|t| t.due_ms);
        out.push(Waiting { movement, due_ms });
    }
    Ok(out)
}

/// The writes of a closing: the code used up, the wallet closed and its sessions ended, its
/// phone and ID number freed for a new wallet, its cards unbound and its shops closed, and a last
/// SMS to the phone, so an owner who did not do this hears of it.
///
/// `keep_card` is the card a closing's sweep is being paid out to: it stays bound, with its bank
/// token, until the payout ends (the payout unbinds it then), since the bank can be asked to pay
/// a card only with its token.
pub(crate) fn close(
    r: &mut dyn MoneyTx,
    holder: &HolderRecord,
    keep_card: Option<&str>,
    now_ms: i64,
) -> Result<(), StoreError> {
    r.delete_otp(&holder.phone, Purpose::Close.as_str())?;
    // A closing request still waiting (the holder spent the balance and closed by themselves)
    // has nothing left to do: it leaves the staff's queue. A sweep ends its own request first.
    if let Some(mut request) = r.waiting_closing_request(&holder.id)? {
        request.status = ClosingRequestStatus::Done;
        request.decided_ms = Some(now_ms);
        request.outcome = "closed by the holder".into();
        r.end_closing_request(&request)?;
    }
    r.set_status(&holder.id, HolderStatus::Closed)?;
    r.insert_closing(&ClosingRecord {
        holder_id: holder.id.clone(),
        phone: holder.phone.clone(),
        closed_ms: now_ms,
    })?;
    let stand_in = released(&holder.id);
    r.release_phone(&holder.id, &stand_in)?;
    if r.identity(&holder.id)?.is_some() {
        r.release_id_number(&holder.id, &stand_in)?;
    }
    for session in r.sessions_of(&holder.id)? {
        r.end_session(&holder.id, &session.id, now_ms)?;
    }
    // A card stays bound to at most one wallet: unbound here, it can be bound to a new one. No
    // payout can be waiting on it, or the closing would have been blocked, but for a sweep's.
    for mut card in r.cards_of(&holder.id)? {
        if keep_card == Some(card.id.as_str()) {
            continue;
        }
        card.status = CardStatus::Unbound;
        card.is_default = false;
        card.token_sealed = None;
        r.update_card(&card)?;
    }
    for mut merchant in r.merchants_of(&holder.id)? {
        if merchant.status != "closed" {
            merchant.status = "closed".into();
            r.update_merchant(&merchant)?;
        }
    }
    r.queue_sms(
        &holder.phone,
        "【钱包】您的钱包已注销，交易记录将继续保存。如非本人操作，请立即联系客服。",
        None,
        now_ms,
    )?;
    Ok(())
}
