//! The parts of a shop's price paid from beside the payer's wallet: points (积分) and gift cards
//! (礼品卡). Each part is its own leg of the payment's one entry and its own row, so a refund gives
//! every part back to where it came from: the payer's wallet its share in proportion (as with a
//! coupon), then each part up to what it paid, in the order they paid — all of it, and not a fen
//! more, once the payment is refunded whole (property-tested below).

use crate::StoreError;
use crate::money::MoneyError;
use crate::money::records::MoneyTx;
use crate::records::HolderRecord;
use qianbao_ledger::{Account, Amount};

crate::named! {
    /// What paid a part of a price beside the wallet.
    pub enum PartSource {
        /// The payer's points, one fen a point, from the points reserve.
        Points = "points",
        /// One of the payer's gift or membership cards of the shop.
        GiftCard = "gift_card",
    }
}

/// A part of a shop payment paid from beside the wallet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentPartRecord {
    /// The payment.
    pub payment_id: String,
    /// What paid it.
    pub source: PartSource,
    /// The card for a gift card's part; the holder for points.
    pub source_id: String,
    /// What it paid, in yuan (fen).
    pub amount: Amount,
    /// What refunds gave back to it so far.
    pub returned: Amount,
}

/// The rows of payments' parts.
pub trait PartRecords {
    /// Stores a part just paid.
    fn insert_payment_part(&mut self, part: &PaymentPartRecord) -> Result<(), StoreError>;
    /// A payment's parts, in the order they paid.
    fn payment_parts(&mut self, payment_id: &str) -> Result<Vec<PaymentPartRecord>, StoreError>;
    /// Saves what refunds gave back to a part.
    fn set_part_returned(&mut self, part: &PaymentPartRecord) -> Result<(), StoreError>;
}

/// A part about to be paid: the yuan leg that pays it, and any legs beside it that move with it
/// (the points themselves, in their own unit, balanced among themselves).
#[derive(Clone, Debug)]
pub(crate) struct PaidPart {
    /// What pays it.
    pub(crate) source: PartSource,
    /// The card, or the holder for points.
    pub(crate) source_id: String,
    /// The account the yuan leave.
    pub(crate) account: Account,
    /// How many.
    pub(crate) amount: Amount,
    /// Legs that move with it.
    pub(crate) beside: Vec<(Account, Amount)>,
}

/// What a refund gives back to a payment's parts, for the refund's entry.
#[derive(Default)]
pub(crate) struct GivenBack {
    /// Legs to credit (and the points legs beside them).
    pub(crate) legs: Vec<(Account, Amount)>,
    /// What goes to the payer's wallet instead (a card that has expired since).
    pub(crate) to_wallet: Amount,
    /// What of the refund the parts took in all.
    pub(crate) taken: Amount,
}

/// How `rest` — the part of a refund that is not the payer's wallet share — spreads over parts
/// that still have `left` each to get back: in order, each up to what it has left.
pub fn spread(rest: Amount, left: &[Amount]) -> Vec<Amount> {
    let mut rest = rest.max(Amount::ZERO);
    left.iter()
        .map(|&l| {
            let take = rest.min(l.max(Amount::ZERO));
            rest -= take;
            take
        })
        .collect()
}

/// Gives a refund's `rest` back to payment `payment_id`'s parts, inside the refund's
/// transaction: each part's share goes back to its source (points to the payer's points, a card
/// to the card while it is usable).
pub(crate) fn give_back(
    r: &mut dyn MoneyTx,
    ids: &crate::ids::Ids,
    payer: &HolderRecord,
    merchant_id: &str,
    parts: Vec<PaymentPartRecord>,
    rest: Amount,
    now: i64,
) -> Result<GivenBack, MoneyError> {
    let left: Vec<Amount> = parts.iter().map(|p| p.amount - p.returned).collect();
    let mut out = GivenBack::default();
    for (mut part, share) in parts.into_iter().zip(spread(rest, &left)) {
        if !share.is_positive() {
            continue;
        }
        out.taken += share;
        match part.source {
            PartSource::Points => out.legs.extend(crate::points::refund::points_back(
                r,
                ids,
                payer,
                merchant_id,
                &part.payment_id,
                share,
                now,
            )?),
            PartSource::GiftCard => {
                match crate::gift_cards::pay::card_back(r, &part.source_id, now)? {
                    Some(card) => out.legs.push((card, share)),
                    None => out.to_wallet += share,
                }
            }
        }
        part.returned += share;
        r.set_part_returned(&part)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rewards::refund::payer_share;
    use proptest::prelude::*;

    fn fen(v: i64) -> Amount {
        Amount::from_minor(v)
    }

    proptest! {
        /// However a payment paid from the wallet and up to three parts beside it (points, gift
        /// cards, a coupon last) is refunded — at once or in any parts — every source gets back
        /// exactly what it paid once all is refunded, never more at any point, and every refund
        /// splits to the fen.
        #[test]
        fn refunds_in_parts_give_every_source_back_exactly_what_it_paid(
            wallet in 0i64..1_000_000,
            beside in proptest::collection::vec(1i64..500_000, 1..4),
            cuts in proptest::collection::vec(1i64..1_000_000, 0..8),
        ) {
            let price = wallet + beside.iter().sum::<i64>();
            let mut returned_parts = vec![0i64; beside.len()];
            let (mut refunded, mut to_wallet) = (0i64, 0i64);
            let mut refunds: Vec<i64> = cuts.into_iter().map(|c| c % price + 1).collect();
            refunds.push(price);
            for part in refunds {
                let part = part.min(price - refunded);
                if part == 0 {
                    continue;
                }
                let back = (payer_share(fen(refunded + part), fen(wallet), fen(price))
                    - payer_share(fen(refunded), fen(wallet), fen(price))).minor();
                prop_assert!(back >= 0 && back <= part);
                let left: Vec<Amount> = beside.iter().zip(&returned_parts)
                    .map(|(b, r)| fen(b - r)).collect();
                let shares = spread(fen(part - back), &left);
                // The parts can always take what is not the wallet's.
                prop_assert_eq!(shares.iter().map(|s| s.minor()).sum::<i64>(), part - back);
                for (r, s) in returned_parts.iter_mut().zip(&shares) {
                    *r += s.minor();
                }
                to_wallet += back;
                refunded += part;
                prop_assert!(to_wallet <= wallet);
                for (r, b) in returned_parts.iter().zip(&beside) {
                    prop_assert!(r <= b);
                }
            }
            prop_assert_eq!(to_wallet, wallet);
            prop_assert_eq!(returned_parts, beside);
        }
    }
}
