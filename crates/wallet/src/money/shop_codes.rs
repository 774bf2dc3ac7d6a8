//! The QR texts a shop shows: EMVCo merchant-presented codes (static for the counter, dynamic for
//! an order), as UnionPay's, the national schemes' and Alipay+'s counters print them. The wallet
//! still reads the `qianbao://` texts it issued before.

use super::payload::{merchant_order_code, merchant_static_code};
use super::records::{MerchantRecord, OrderRecord};
use super::{Money, MoneyError};

/// The merchant category code (ISO 18245) a shop's category stands for; 5999 (miscellaneous
/// retail) for any other.
pub fn mcc_for(category: &str) -> &'static str {
    match category {
        "restaurant" | "food" | "catering" => "5812",
        "cafe" | "coffee" | "tea" | "fast_food" => "5814",
        "grocery" | "supermarket" | "convenience" => "5411",
        "pharmacy" => "5912",
        "books" | "bookshop" => "5942",
        "clothing" | "fashion" => "5651",
        "hotel" | "lodging" => "7011",
        "transport" | "transit" | "taxi" => "4111",
        "fuel" | "petrol" => "5541",
        "utilities" => "4900",
        _ => "5999",
    }
}

impl Money {
    /// The shop's static code: the payer types the amount.
    pub fn static_code(&self, shop: &MerchantRecord) -> Result<String, MoneyError> {
        merchant_static_code(
            &shop.id,
            &shop.name,
            &self.policy.qr_merchant_city,
            mcc_for(&shop.category),
        )
        .map_err(|e| MoneyError::Internal(format!("shop {} has no EMVCo code: {e}", shop.id)))
    }

    /// An order's code, stating its amount and currency.
    pub fn order_code(
        &self,
        shop: &MerchantRecord,
        order: &OrderRecord,
    ) -> Result<String, MoneyError> {
        merchant_order_code(
            &shop.id,
            &order.id,
            &shop.name,
            &self.policy.qr_merchant_city,
            mcc_for(&shop.category),
            order.currency,
            order.amount.minor(),
        )
        .map_err(|e| MoneyError::Internal(format!("order {} has no EMVCo code: {e}", order.id)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_maps_to_a_four_digit_code() {
        for category in [
            "restaurant",
            "cafe",
            "grocery",
            "hotel",
            "transit",
            "anything_else",
        ] {
            let mcc = mcc_for(category);
            assert_eq!(mcc.len(), 4);
            assert!(mcc.bytes().all(|b| b.is_ascii_digit()), "{category}");
        }
    }
}
