//! What a shop's receipt may say of the payer: their masked name (`*三`, or the masked phone
//! before verification), as a counter's receipt in any wallet shows it, and nothing more.

use super::{Money, MoneyError, shown_name};
use crate::money::records::MerchantRecord;
use crate::storage::RecordStore;

impl Money {
    /// The masked name of whoever made the merchant's payment `payment_id`, or `None` when no
    /// such payment of this merchant was made (a charge still waiting has no payer yet).
    pub async fn payer_name(
        &self,
        store: &impl RecordStore,
        merchant: &MerchantRecord,
        payment_id: &str,
    ) -> Result<Option<String>, MoneyError> {
        let (merchant_id, id) = (merchant.id.clone(), payment_id.to_string());
        Ok(store
            .transact_read(move |r| {
                let Some(paid) = r
                    .merchant_payment(&id)?
                    .filter(|p| p.merchant_id == merchant_id)
                else {
                    return Ok(None);
                };
                match r.holder(&paid.holder_id)? {
                    Some(holder) => Ok(Some(shown_name(r, &holder)?)),
                    None => Ok(None),
                }
            })
            .await?)
    }
}
