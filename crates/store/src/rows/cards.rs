//! Bank cards as rows.

use super::SqlRecords;
use crate::portable::Row;
use qianbao_wallet::StoreError;
use qianbao_wallet::domain::CardType;
use qianbao_wallet::records::{CardRecord, CardRecords, CardStatus};

pub(crate) const CARD_COLUMNS: &str = "id, holder_id, number_sealed, number_blind, bin, last4, bank_name, \
                            card_type, reserved_phone, bank_reference, token_sealed, status, \
                            is_default, confirm_tries, created_ms";

pub(crate) fn card_from(row: &Row) -> Result<CardRecord, StoreError> {
    Ok(CardRecord {
        id: row.text(0)?,
        holder_id: row.text(1)?,
        number_sealed: row.bytes(2)?,
        number_blind: row.text(3)?,
        bin: row.text(4)?,
        last4: row.text(5)?,
        bank_name: row.text(6)?,
        card_type: row.named(7, CardType::parse)?,
        reserved_phone: row.text(8)?,
        bank_reference: row.text(9)?,
        token_sealed: row.opt_bytes(10)?,
        status: row.named(11, CardStatus::parse)?,
        is_default: row.int(12)? != 0,
        confirm_tries: row.int(13)?,
        created_ms: row.int(14)?,
    })
}

impl CardRecords for SqlRecords<'_> {
    fn cards_of(&mut self, holder_id: &str) -> Result<Vec<CardRecord>, StoreError> {
        self.0
            .query(
                &format!(
                    "SELECT {CARD_COLUMNS} FROM cards
                     WHERE holder_id = $1 AND status IN ('active', 'pending_otp')
                     ORDER BY created_ms, id LIMIT 100"
                ),
                &[holder_id.into()],
            )?
            .iter()
            .map(card_from)
            .collect()
    }

    fn card(&mut self, holder_id: &str, card_id: &str) -> Result<Option<CardRecord>, StoreError> {
        self.0
            .query_opt(
                &format!("SELECT {CARD_COLUMNS} FROM cards WHERE id = $1 AND holder_id = $2"),
                &[card_id.into(), holder_id.into()],
            )?
            .as_ref()
            .map(card_from)
            .transpose()
    }

    fn active_card(&mut self, number_blind: &str) -> Result<Option<CardRecord>, StoreError> {
        self.0
            .query_opt(
                &format!(
                    "SELECT {CARD_COLUMNS} FROM cards WHERE number_blind = $1 AND status = 'active'"
                ),
                &[number_blind.into()],
            )?
            .as_ref()
            .map(card_from)
            .transpose()
    }

    fn insert_card(&mut self, c: &CardRecord) -> Result<(), StoreError> {
        self.insert(
            "cards",
            CARD_COLUMNS,
            &[
                c.id.as_str().into(),
                c.holder_id.as_str().into(),
                c.number_sealed.as_slice().into(),
                c.number_blind.as_str().into(),
                c.bin.as_str().into(),
                c.last4.as_str().into(),
                c.bank_name.as_str().into(),
                c.card_type.as_str().into(),
                c.reserved_phone.as_str().into(),
                c.bank_reference.as_str().into(),
                c.token_sealed.clone().into(),
                c.status.as_str().into(),
                c.is_default.into(),
                c.confirm_tries.into(),
                c.created_ms.into(),
            ],
        )
    }

    fn update_card(&mut self, c: &CardRecord) -> Result<(), StoreError> {
        self.0.write(
            "UPDATE cards SET status = $3, token_sealed = $4, is_default = $5, confirm_tries = $6
             WHERE id = $1 AND holder_id = $2",
            &[
                c.id.as_str().into(),
                c.holder_id.as_str().into(),
                c.status.as_str().into(),
                c.token_sealed.clone().into(),
                c.is_default.into(),
                c.confirm_tries.into(),
            ],
        )?;
        Ok(())
    }
}
