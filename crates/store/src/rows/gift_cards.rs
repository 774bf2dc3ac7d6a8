//! Gift and membership cards' rows. A card's balance is its ledger account (owner
//! `wallet:<card id>`, kind `gift_card`), joined here only for the shop's liability and for
//! `qianbao verify`.

use super::SqlRecords;
use crate::portable::Row;
use qianbao_ledger::Amount;
use qianbao_wallet::StoreError;
use qianbao_wallet::gift_cards::{
    CardAccountProblem, GiftCardKind, GiftCardOrigin, GiftCardRecord, GiftCardRecords,
    GiftCardStatus,
};

const COLUMNS: &str = "id, merchant_id, holder_id, kind, number, code_digest, value, status, \
                       origin, expires_ms, created_ms, redeemed_ms";

fn card_from(row: &Row) -> Result<GiftCardRecord, StoreError> {
    Ok(GiftCardRecord {
        id: row.text(0)?,
        merchant_id: row.text(1)?,
        holder_id: row.opt_text(2)?,
        kind: row.named(3, GiftCardKind::parse)?,
        number: row.text(4)?,
        code_digest: row.opt_text(5)?,
        value: row.amount(6)?,
        status: row.named(7, GiftCardStatus::parse)?,
        origin: row.named(8, GiftCardOrigin::parse)?,
        expires_ms: row.int(9)?,
        created_ms: row.int(10)?,
        redeemed_ms: row.opt_int(11)?,
    })
}

impl SqlRecords<'_> {
    fn cards_where(
        &mut self,
        condition: &str,
        params: &[crate::portable::Value],
    ) -> Result<Vec<GiftCardRecord>, StoreError> {
        self.0
            .query(
                &format!("SELECT {COLUMNS} FROM gift_cards WHERE {condition}"),
                params,
            )?
            .iter()
            .map(card_from)
            .collect()
    }
}

impl GiftCardRecords for SqlRecords<'_> {
    fn insert_gift_card(&mut self, c: &GiftCardRecord) -> Result<(), StoreError> {
        self.insert(
            "gift_cards",
            COLUMNS,
            &[
                c.id.as_str().into(),
                c.merchant_id.as_str().into(),
                c.holder_id.as_deref().into(),
                c.kind.as_str().into(),
                c.number.as_str().into(),
                c.code_digest.as_deref().into(),
                c.value.into(),
                c.status.as_str().into(),
                c.origin.as_str().into(),
                c.expires_ms.into(),
                c.created_ms.into(),
                c.redeemed_ms.into(),
            ],
        )
    }

    fn gift_card(&mut self, id: &str) -> Result<Option<GiftCardRecord>, StoreError> {
        Ok(self.cards_where("id = $1", &[id.into()])?.pop())
    }

    fn gift_card_by_code(&mut self, digest: &str) -> Result<Option<GiftCardRecord>, StoreError> {
        Ok(self
            .cards_where("code_digest = $1", &[digest.into()])?
            .pop())
    }

    fn usable_gift_cards(
        &mut self,
        holder_id: &str,
        merchant_id: &str,
        now_ms: i64,
    ) -> Result<Vec<GiftCardRecord>, StoreError> {
        self.cards_where(
            "holder_id = $1 AND merchant_id = $2 AND status = 'active' AND expires_ms > $3
             ORDER BY expires_ms, id",
            &[holder_id.into(), merchant_id.into(), now_ms.into()],
        )
    }

    fn gift_cards_of_holder(
        &mut self,
        holder_id: &str,
        limit: i64,
    ) -> Result<Vec<GiftCardRecord>, StoreError> {
        // Live cards first, soonest to expire first; expired ones after.
        self.cards_where(
            "holder_id = $1
             ORDER BY CASE status WHEN 'expired' THEN 1 ELSE 0 END, expires_ms, id LIMIT $2",
            &[holder_id.into(), limit.into()],
        )
    }

    fn gift_cards_of_merchant(
        &mut self,
        merchant_id: &str,
        limit: i64,
    ) -> Result<Vec<GiftCardRecord>, StoreError> {
        self.cards_where(
            "merchant_id = $1 ORDER BY created_ms DESC, id DESC LIMIT $2",
            &[merchant_id.into(), limit.into()],
        )
    }

    fn redeem_gift_card(
        &mut self,
        id: &str,
        holder_id: &str,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        Ok(self.0.execute(
            "UPDATE gift_cards SET holder_id = $2, status = 'active', redeemed_ms = $3
             WHERE id = $1 AND status = 'unredeemed' AND holder_id IS NULL",
            &[id.into(), holder_id.into(), now_ms.into()],
        )? == 1)
    }

    fn pass_gift_card(&mut self, id: &str, from_id: &str, to_id: &str) -> Result<bool, StoreError> {
        Ok(self.0.execute(
            "UPDATE gift_cards SET holder_id = $3
             WHERE id = $1 AND holder_id = $2 AND status = 'active'",
            &[id.into(), from_id.into(), to_id.into()],
        )? == 1)
    }

    fn expire_gift_card(&mut self, id: &str) -> Result<bool, StoreError> {
        Ok(self.0.execute(
            "UPDATE gift_cards SET status = 'expired' WHERE id = $1 AND status <> 'expired'",
            &[id.into()],
        )? == 1)
    }

    fn live_gift_cards_total(&mut self, merchant_id: &str) -> Result<Amount, StoreError> {
        self.0
            .query_one(
                "SELECT CAST(coalesce(sum(a.balance), 0) AS BIGINT)
                 FROM gift_cards g
                 JOIN accounts a ON a.owner = 'wallet:' || g.id AND a.kind = 'gift_card'
                 WHERE g.merchant_id = $1 AND g.status <> 'expired'",
                &[merchant_id.into()],
            )?
            .amount(0)
    }

    fn gift_card_account_problems(
        &mut self,
        limit: i64,
    ) -> Result<Vec<CardAccountProblem>, StoreError> {
        self.0
            .query(
                "SELECT a.owner, g.status, CAST(a.balance AS BIGINT), CAST(g.value AS BIGINT)
                 FROM accounts a
                 LEFT JOIN gift_cards g ON a.owner = 'wallet:' || g.id
                 WHERE a.kind = 'gift_card'
                   AND (g.id IS NULL
                        OR g.status = 'expired' AND a.balance <> 0
                        OR a.balance > g.value)
                 ORDER BY a.id LIMIT $1",
                &[limit.into()],
            )?
            .iter()
            .map(|row| {
                Ok(CardAccountProblem {
                    owner: row.text(0)?,
                    status: row.opt_text(1)?,
                    balance: row.int(2)?,
                    value: row.opt_int(3)?,
                })
            })
            .collect()
    }
}
