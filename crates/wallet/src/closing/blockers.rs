//! What keeps a wallet from closing, decided from a picture of its money ([`Standing`]) and said
//! the way the holder can act on it: withdraw ¥12.30 first, wait for the transfer scheduled at
//! 14:00. Pure: the picture is read inside the closing's own money transaction, so what is judged
//! here is what the closing commits against.

use crate::domain::ChinaDay;
use crate::domain::yuan::yuan;
use crate::money::records::{MovementKind, MovementRecord, MovementStatus, OrderRecord};
use qianbao_ledger::{Amount, Currency};

crate::named! {
    /// What keeps a wallet from closing; the API's stable name for it.
    pub enum BlockerKind {
        /// Money is in the wallet: withdraw or spend it first.
        Balance = "balance",
        /// Money of the wallet is held: a withdrawal on its way, a payment under review.
        Hold = "hold",
        /// A delayed transfer of the holder's has not arrived yet.
        ScheduledTransfer = "scheduled_transfer",
        /// A top-up is waiting for the bank's answer.
        PendingTopup = "pending_topup",
        /// An order of a shop the holder owns can still be paid.
        OpenOrder = "open_order",
        /// A shop the holder owns holds takings not yet settled, or a settlement is on its way.
        MerchantBalance = "merchant_balance",
        /// A red packet the holder sent can still be claimed (what is left comes back when it
        /// expires).
        OpenRedPacket = "open_red_packet",
        /// A transit fare is owed: a top-up pays it.
        FareOwed = "fare_owed",
        /// Gift or membership cards of a shop the holder owns still hold money: the shop owes
        /// it to their holders until they are spent or expire.
        GiftCardsOutstanding = "gift_cards_outstanding",
    }
}

/// One thing that keeps a wallet from closing, said in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blocker {
    /// What kind of thing it is.
    pub kind: BlockerKind,
    /// The money it concerns, where there is an amount.
    pub amount: Option<(Amount, Currency)>,
    /// What to do about it, in English.
    pub en: String,
    /// What to do about it, in Chinese.
    pub zh: String,
}

/// An account's balance and how much of it is held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Balance {
    /// Its currency.
    pub currency: Currency,
    /// Everything in it, held or not.
    pub balance: Amount,
    /// The part reserved by pending holds.
    pub held: Amount,
}

/// A movement that has not ended, and when its timer is due (a scheduled transfer's arrival).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiting {
    /// The movement, as its owner's records have it.
    pub movement: MovementRecord,
    /// When it is due to go on by itself (ms), if a timer says.
    pub due_ms: Option<i64>,
}

/// A shop the holder owns, as far as closing the holder's wallet cares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shop {
    /// Its name, as payers see it.
    pub name: String,
    /// Its takings, per currency.
    pub balances: Vec<Balance>,
    /// Its settlements that have not arrived.
    pub waiting: Vec<Waiting>,
    /// Its orders that can still be paid.
    pub open_orders: Vec<OrderRecord>,
    /// What its cards that have not expired still hold: owed to their holders.
    pub live_cards: Amount,
}

/// A wallet's money at one instant, as its closing judges it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Standing {
    /// The instant (ms).
    pub now_ms: i64,
    /// The wallet's balances, per currency.
    pub balances: Vec<Balance>,
    /// The holder's movements that have not ended.
    pub waiting: Vec<Waiting>,
    /// The shops the holder owns.
    pub shops: Vec<Shop>,
    /// What each red packet the holder sent that is still open has not paid out.
    pub open_red_packets: Vec<Amount>,
    /// Transit fares the holder owes.
    pub owed_fares: Amount,
}

/// Everything that keeps the wallet from closing: nothing only when every balance, hold and
/// pending movement of the holder's and of the holder's shops is at zero or done.
pub fn blockers(standing: &Standing) -> Vec<Blocker> {
    let now = standing.now_ms;
    let mut out = Vec::new();
    for b in &standing.balances {
        let available = b.balance - b.held;
        if available.is_positive() {
            let money = shown(available, b.currency);
            out.push(Blocker {
                kind: BlockerKind::Balance,
                amount: Some((available, b.currency)),
                en: format!("Withdraw or spend the {money} left in the wallet first."),
                zh: format!("钱包里还有 {money}，请先提现或用完。"),
            });
        }
    }
    for w in &standing.waiting {
        out.push(holder_waiting(w, now));
    }
    out.extend(unexplained_holds(
        &standing.balances,
        &standing.waiting,
        |money| {
            (
                format!("{money} of the wallet is held; wait for it to be released."),
                format!("钱包中有 {money} 被冻结，请等待解冻。"),
            )
        },
    ));
    for shop in &standing.shops {
        out.extend(shop_blockers(shop, now));
    }
    for left in &standing.open_red_packets {
        let money = shown(*left, Currency::CNY);
        out.push(Blocker {
            kind: BlockerKind::OpenRedPacket,
            amount: Some((*left, Currency::CNY)),
            en: format!(
                "A red packet you sent still holds {money}: wait until it is claimed or comes back."
            ),
            zh: format!("你发出的红包还有 {money} 未领取，请等待领完或退回。"),
        });
    }
    if standing.owed_fares.is_positive() {
        let money = shown(standing.owed_fares, Currency::CNY);
        out.push(Blocker {
            kind: BlockerKind::FareOwed,
            amount: Some((standing.owed_fares, Currency::CNY)),
            en: format!("{money} of transit fares is owed: top up to pay it first."),
            zh: format!("还有 {money} 乘车费用未支付，请先充值补缴。"),
        });
    }
    out
}

/// A movement of the holder's that has not ended, as a blocker.
fn holder_waiting(w: &Waiting, now: i64) -> Blocker {
    let m = &w.movement;
    let to = &m.counterparty;
    let amount = held_by(m);
    let money = shown(amount, m.currency);
    let (kind, en, zh) = match (m.kind, m.status) {
        (MovementKind::Transfer, MovementStatus::Scheduled) => {
            let (en_when, zh_when) = match w.due_ms {
                Some(due) => (format!(" scheduled for {}", when(due, now)), when(due, now)),
                None => (String::new(), "稍后".to_string()),
            };
            (
                BlockerKind::ScheduledTransfer,
                format!(
                    "Wait for the transfer of {money} to {to}{en_when} to arrive, or cancel it."
                ),
                format!("向{to}的 {money} 延时转账将于{zh_when}到账，请等待到账或撤销后再注销。"),
            )
        }
        (MovementKind::Topup, _) => (
            BlockerKind::PendingTopup,
            format!("Wait for the top-up of {money} from {to} to finish at the bank."),
            format!("从{to}充值的 {money} 正在等待银行确认，请等待完成。"),
        ),
        (kind, MovementStatus::HeldForReview) => {
            let (en_what, zh_what) = if kind == MovementKind::Withdrawal {
                ("withdrawal", "提现")
            } else {
                ("payment", "付款")
            };
            (
                BlockerKind::Hold,
                format!("The {en_what} of {money} to {to} is under review; wait for the decision."),
                format!("向{to}的 {money} {zh_what}正在审核中，请等待审核结果。"),
            )
        }
        (MovementKind::Withdrawal, _) => (
            BlockerKind::Hold,
            format!("Wait for the withdrawal of {money} to {to} to arrive."),
            format!("提现到{to}的 {money} 尚未到账，请等待到账。"),
        ),
        _ => (
            BlockerKind::Hold,
            format!("Wait for the {} of {money} with {to} to finish.", m.kind),
            format!("与{to}的 {money} 交易尚未完成，请等待完成。"),
        ),
    };
    Blocker {
        kind,
        amount: Some((amount, m.currency)),
        en,
        zh,
    }
}

/// What keeps one of the holder's shops from closing with the wallet.
fn shop_blockers(shop: &Shop, now: i64) -> Vec<Blocker> {
    let name = &shop.name;
    let mut out = Vec::new();
    for b in &shop.balances {
        let available = b.balance - b.held;
        if available.is_positive() {
            let money = shown(available, b.currency);
            out.push(Blocker {
                kind: BlockerKind::MerchantBalance,
                amount: Some((available, b.currency)),
                en: format!("Your shop {name} holds {money} not yet settled: settle it first."),
                zh: format!("商户「{name}」还有 {money} 未结算，请先结算。"),
            });
        }
    }
    for w in &shop.waiting {
        let m = &w.movement;
        let money = shown(held_by(m), m.currency);
        let to = &m.counterparty;
        out.push(Blocker {
            kind: BlockerKind::MerchantBalance,
            amount: Some((held_by(m), m.currency)),
            en: format!("Wait for the settlement of {money} from your shop {name} to {to}."),
            zh: format!("商户「{name}」结算到{to}的 {money} 尚未到账，请等待到账。"),
        });
    }
    out.extend(unexplained_holds(&shop.balances, &shop.waiting, |money| {
        (
            format!("{money} of your shop {name} is held; wait for it to be released."),
            format!("商户「{name}」有 {money} 被冻结，请等待解冻。"),
        )
    }));
    if shop.live_cards.is_positive() {
        let money = shown(shop.live_cards, Currency::CNY);
        out.push(Blocker {
            kind: BlockerKind::GiftCardsOutstanding,
            amount: Some((shop.live_cards, Currency::CNY)),
            en: format!(
                "Cards of your shop {name} still hold {money} owed to their holders: wait until \
                 they are spent or expire."
            ),
            zh: format!(
                "商户「{name}」发行的礼品卡、会员卡还有 {money} 未使用，请等待用完或到期。"
            ),
        });
    }
    for order in &shop.open_orders {
        let money = shown(order.amount, order.currency);
        let until = when(order.expires_ms, now);
        let what = &order.description;
        out.push(Blocker {
            kind: BlockerKind::OpenOrder,
            amount: Some((order.amount, order.currency)),
            en: format!(
                "The order \"{what}\" of {money} at your shop {name} can be paid until {until}; \
                 wait for it to expire."
            ),
            zh: format!("商户「{name}」的订单「{what}」{money} 在{until}前仍可付款，请等待过期。"),
        });
    }
    out
}

/// How much of its owner's balance a movement that has not ended holds: the amount with the fee
/// for money on its way out, nothing for a top-up (its money is not in yet).
fn held_by(m: &MovementRecord) -> Amount {
    match m.kind {
        MovementKind::Topup => m.amount,
        _ => m.amount + m.fee,
    }
}

/// Holds of `balances` that no movement in `waiting` accounts for (an operator's hold, a record
/// missing): still money that is not the holder's to leave behind.
fn unexplained_holds(
    balances: &[Balance],
    waiting: &[Waiting],
    say: impl Fn(&str) -> (String, String),
) -> Vec<Blocker> {
    let mut out = Vec::new();
    for b in balances {
        let explained = waiting
            .iter()
            .map(|w| &w.movement)
            .filter(|m| m.currency == b.currency && m.kind != MovementKind::Topup)
            // A payment from a card waiting for its bank holds nothing of the balance.
            .filter(|m| !(m.kind == MovementKind::Payment && m.card_id.is_some()))
            .fold(Amount::ZERO, |sum, m| sum + held_by(m));
        let rest = b.held - explained;
        if rest.is_positive() {
            let (en, zh) = say(&shown(rest, b.currency));
            out.push(Blocker {
                kind: BlockerKind::Hold,
                amount: Some((rest, b.currency)),
                en,
                zh,
            });
        }
    }
    out
}

/// An amount as people read it: `¥12.30`, or `12.30 USD` in another currency.
fn shown(amount: Amount, currency: Currency) -> String {
    if currency == Currency::CNY {
        return yuan(amount);
    }
    let minor = amount.minor();
    format!(
        "{}.{:02} {}",
        minor / 100,
        (minor % 100).abs(),
        currency.as_str()
    )
}

/// An instant in China's time, as the holder reads it: `14:00` today, `2026-12-08 14:00` on
/// another day.
fn when(at_ms: i64, now_ms: i64) -> String {
    let day = ChinaDay::of_ms(at_ms);
    let minutes = (at_ms - day.start_ms()) / 60_000;
    let clock = format!("{:02}:{:02}", minutes / 60, minutes % 60);
    if day == ChinaDay::of_ms(now_ms) {
        clock
    } else {
        format!("{} {clock}", day.date())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::records::{Channel, Direction, OrderStatus};

    /// 10:00 in Beijing on 2027-01-15.
    const NOW: i64 =
        1_800_000_000_000 - (1_800_000_000_000 + 8 * 3_600_000) % 86_400_000 + 10 * 3_600_000;

    fn cny(minor: i64) -> Amount {
        Amount::from_minor(minor)
    }

    fn balance(balance: i64, held: i64) -> Balance {
        Balance {
            currency: Currency::CNY,
            balance: cny(balance),
            held: cny(held),
        }
    }

    fn movement(kind: MovementKind, status: MovementStatus, amount: i64, fee: i64) -> Waiting {
        Waiting {
            movement: MovementRecord {
                id: "m1".into(),
                owner_id: "h1".into(),
                kind,
                direction: if kind == MovementKind::Topup {
                    Direction::In
                } else {
                    Direction::Out
                },
                channel: Channel::Card,
                amount: cny(amount),
                fee: cny(fee),
                currency: Currency::CNY,
                counterparty: "李四".into(),
                peer_id: None,
                status,
                memo: String::new(),
                entry_id: None,
                card_id: None,
                created_ms: NOW,
                updated_ms: NOW,
            },
            due_ms: None,
        }
    }

    fn standing(balances: Vec<Balance>, waiting: Vec<Waiting>, shops: Vec<Shop>) -> Standing {
        Standing {
            now_ms: NOW,
            balances,
            waiting,
            shops,
            open_red_packets: Vec::new(),
            owed_fares: Amount::ZERO,
        }
    }

    fn shop(balances: Vec<Balance>, waiting: Vec<Waiting>, open_orders: Vec<OrderRecord>) -> Shop {
        Shop {
            name: "面馆".into(),
            balances,
            waiting,
            open_orders,
            live_cards: Amount::ZERO,
        }
    }

    fn kinds(blockers: &[Blocker]) -> Vec<(&'static str, Option<i64>)> {
        blockers
            .iter()
            .map(|b| (b.kind.as_str(), b.amount.map(|(a, _)| a.minor())))
            .collect()
    }

    #[test]
    fn a_shop_whose_cards_still_hold_money_keeps_its_owner_from_closing() {
        let mut owed = shop(vec![], vec![], vec![]);
        owed.live_cards = Amount::from_minor(5_000);
        let found = blockers(&standing(vec![], vec![], vec![owed]));
        assert_eq!(kinds(&found), vec![("gift_cards_outstanding", Some(5_000))]);
    }

    #[test]
    fn an_empty_wallet_with_nothing_pending_may_close() {
        assert!(blockers(&standing(vec![], vec![], vec![])).is_empty());
        let zero = standing(
            vec![balance(0, 0)],
            vec![],
            vec![shop(vec![balance(0, 0)], vec![], vec![])],
        );
        assert!(blockers(&zero).is_empty());
    }

    #[test]
    fn money_left_in_the_wallet_is_named_with_its_amount() {
        let found = blockers(&standing(vec![balance(1230, 0)], vec![], vec![]));
        assert_eq!(kinds(&found), [("balance", Some(1230))]);
        assert!(
            found[0].en.contains("Withdraw or spend the ¥12.30"),
            "{}",
            found[0].en
        );
        assert!(found[0].zh.contains("¥12.30"), "{}", found[0].zh);
    }

    #[test]
    fn even_one_fen_blocks() {
        let found = blockers(&standing(vec![balance(1, 0)], vec![], vec![]));
        assert_eq!(kinds(&found), [("balance", Some(1))]);
    }

    #[test]
    fn a_scheduled_transfer_says_when_it_arrives_and_its_hold_is_not_counted_twice() {
        let mut w = movement(MovementKind::Transfer, MovementStatus::Scheduled, 5000, 0);
        w.due_ms = Some(NOW + 4 * 3_600_000);
        let found = blockers(&standing(vec![balance(5000, 5000)], vec![w], vec![]));
        assert_eq!(kinds(&found), [("scheduled_transfer", Some(5000))]);
        assert!(
            found[0].en.contains("scheduled for 14:00"),
            "{}",
            found[0].en
        );
        assert!(found[0].en.contains("or cancel it"), "{}", found[0].en);
        assert!(found[0].zh.contains("14:00"), "{}", found[0].zh);
    }

    #[test]
    fn a_time_on_another_day_carries_its_date() {
        assert_eq!(when(NOW + 4 * 3_600_000, NOW), "14:00");
        assert_eq!(when(NOW + 24 * 3_600_000, NOW), "2027-01-16 10:00");
        // The day turns at midnight in Beijing (16:00 UTC), not at midnight UTC.
        let late = NOW + 13 * 3_600_000 + 30 * 60_000;
        assert_eq!(when(late, NOW), "23:30");
        assert_eq!(when(late + 3_600_000, NOW), "2027-01-16 00:30");
    }

    #[test]
    fn a_withdrawal_on_its_way_and_a_payment_under_review_are_holds_with_their_fee() {
        let on_its_way = movement(MovementKind::Withdrawal, MovementStatus::Pending, 1000, 10);
        let reviewed = movement(
            MovementKind::Transfer,
            MovementStatus::HeldForReview,
            300,
            0,
        );
        let found = blockers(&standing(
            vec![balance(1310, 1310)],
            vec![on_its_way, reviewed],
            vec![],
        ));
        assert_eq!(kinds(&found), [("hold", Some(1010)), ("hold", Some(300))]);
        assert!(
            found[0].en.contains("withdrawal of ¥10.10"),
            "{}",
            found[0].en
        );
        assert!(found[1].en.contains("under review"), "{}", found[1].en);
    }

    #[test]
    fn a_top_up_waiting_for_the_bank_blocks_though_nothing_is_in_the_wallet_yet() {
        let waiting = movement(MovementKind::Topup, MovementStatus::Pending, 2000, 0);
        let found = blockers(&standing(vec![balance(0, 0)], vec![waiting], vec![]));
        assert_eq!(kinds(&found), [("pending_topup", Some(2000))]);
    }

    #[test]
    fn a_hold_no_movement_explains_is_still_a_hold() {
        let reviewed = movement(
            MovementKind::Transfer,
            MovementStatus::HeldForReview,
            300,
            0,
        );
        let found = blockers(&standing(vec![balance(800, 800)], vec![reviewed], vec![]));
        assert_eq!(kinds(&found), [("hold", Some(300)), ("hold", Some(500))]);
    }

    #[test]
    fn a_shop_with_takings_or_a_settlement_on_its_way_blocks_its_owner() {
        let takings = blockers(&standing(
            vec![],
            vec![],
            vec![shop(vec![balance(990, 0)], vec![], vec![])],
        ));
        assert_eq!(kinds(&takings), [("merchant_balance", Some(990))]);
        assert!(takings[0].en.contains("面馆"), "{}", takings[0].en);
        let settling = movement(MovementKind::Settlement, MovementStatus::Pending, 990, 0);
        let on_its_way = blockers(&standing(
            vec![],
            vec![],
            vec![shop(vec![balance(990, 990)], vec![settling], vec![])],
        ));
        assert_eq!(kinds(&on_its_way), [("merchant_balance", Some(990))]);
        assert!(
            on_its_way[0].en.contains("settlement"),
            "{}",
            on_its_way[0].en
        );
    }

    #[test]
    fn an_open_order_of_a_shop_says_until_when_it_can_be_paid() {
        let order = OrderRecord {
            id: "o1".into(),
            merchant_id: "s1".into(),
            amount: cny(1800),
            currency: Currency::CNY,
            description: "牛肉面".into(),
            status: OrderStatus::Open,
            expires_ms: NOW + 15 * 60_000,
            payment_id: None,
            created_ms: NOW,
        };
        let found = blockers(&standing(
            vec![],
            vec![],
            vec![shop(vec![], vec![], vec![order])],
        ));
        assert_eq!(kinds(&found), [("open_order", Some(1800))]);
        assert!(found[0].en.contains("until 10:15"), "{}", found[0].en);
        assert!(found[0].zh.contains("牛肉面"), "{}", found[0].zh);
    }

    #[test]
    fn every_blocker_is_listed_the_wallet_first() {
        let found = blockers(&standing(
            vec![balance(100, 0)],
            vec![movement(
                MovementKind::Topup,
                MovementStatus::Pending,
                50,
                0,
            )],
            vec![shop(vec![balance(7, 0)], vec![], vec![])],
        ));
        assert_eq!(
            kinds(&found),
            [
                ("balance", Some(100)),
                ("pending_topup", Some(50)),
                ("merchant_balance", Some(7))
            ]
        );
    }

    #[test]
    fn other_currencies_are_written_with_their_code() {
        assert_eq!(shown(cny(1230), Currency::CNY), "¥12.30");
        let usd = Currency::parse("USD");
        assert_eq!(
            usd.map(|usd| shown(cny(1205), usd)).as_deref(),
            Some("12.05 USD")
        );
    }
}
