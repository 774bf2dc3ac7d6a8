//! The categories a budget can be set for: the merchant categories the platform knows (those a
//! shop's QR code maps to a merchant category code), a catch-all for other shops, and the kinds of
//! spending that have no shop behind them (transfers, red packets, bills, fares).

use crate::money::records::{MovementKind, MovementRecord};

crate::named! {
    /// What a piece of spending is counted under in the budgets.
    pub enum BudgetCategory {
        /// A restaurant (餐饮).
        Restaurant = "restaurant",
        /// Food (食品).
        Food = "food",
        /// Catering (餐饮服务).
        Catering = "catering",
        /// A café (咖啡馆).
        Cafe = "cafe",
        /// Coffee (咖啡).
        Coffee = "coffee",
        /// Tea (茶饮).
        Tea = "tea",
        /// Fast food (快餐).
        FastFood = "fast_food",
        /// Groceries (杂货).
        Grocery = "grocery",
        /// A supermarket (超市).
        Supermarket = "supermarket",
        /// A convenience store (便利店).
        Convenience = "convenience",
        /// A pharmacy (药店).
        Pharmacy = "pharmacy",
        /// Books (图书).
        Books = "books",
        /// A bookshop (书店).
        Bookshop = "bookshop",
        /// Clothing (服装).
        Clothing = "clothing",
        /// Fashion (时尚).
        Fashion = "fashion",
        /// A hotel (酒店).
        Hotel = "hotel",
        /// Lodging (住宿).
        Lodging = "lodging",
        /// Transport paid at a shop (交通).
        Transport = "transport",
        /// A transit operator's shop, not a fare (公共交通).
        Transit = "transit",
        /// A taxi (出租车).
        Taxi = "taxi",
        /// Fuel (加油).
        Fuel = "fuel",
        /// Petrol (汽油).
        Petrol = "petrol",
        /// Utilities paid at a shop (公用事业).
        Utilities = "utilities",
        /// Any other shop (其他商户).
        OtherShops = "other_shops",
        /// Money sent to another holder (转账).
        Transfer = "transfer",
        /// Red packets sent (红包).
        RedPacket = "red_packet",
        /// Bills paid to billers (生活缴费).
        Bill = "bill",
        /// Bus and metro fares (乘车).
        Fare = "fare",
        /// Anything else the summary counts as spending (an operator's correction) (其他).
        Other = "other",
    }
}

impl BudgetCategory {
    /// The category a shop's own category counts under: itself when the platform knows it,
    /// else `other_shops` (a shop may name any `[a-z_]` category when it opens).
    pub fn of_shop(shop_category: &str) -> BudgetCategory {
        match BudgetCategory::parse(shop_category) {
            Some(c) if c.is_shop() => c,
            _ => BudgetCategory::OtherShops,
        }
    }

    /// Whether it is a shop's category (rather than a kind of spending with no shop).
    pub fn is_shop(self) -> bool {
        !matches!(
            self,
            BudgetCategory::Transfer
                | BudgetCategory::RedPacket
                | BudgetCategory::Bill
                | BudgetCategory::Fare
                | BudgetCategory::Other
        )
    }

    /// The category of one record of spending; `shop_category` is the category of the shop a
    /// payment went to, when the record is a payment and the shop is known.
    pub fn of_movement(m: &MovementRecord, shop_category: Option<&str>) -> BudgetCategory {
        match m.kind {
            // A gift card bought is spending at its shop.
            MovementKind::Payment | MovementKind::GiftCard => {
                shop_category.map_or(BudgetCategory::OtherShops, Self::of_shop)
            }
            MovementKind::Transfer => BudgetCategory::Transfer,
            MovementKind::RedPacket => BudgetCategory::RedPacket,
            MovementKind::Bill => BudgetCategory::Bill,
            MovementKind::Fare => BudgetCategory::Fare,
            MovementKind::Topup
            | MovementKind::Withdrawal
            | MovementKind::Refund
            | MovementKind::Settlement
            | MovementKind::Adjustment
            | MovementKind::Conversion
            | MovementKind::Cashback => BudgetCategory::Other,
        }
    }

    /// Its position in [`BudgetCategory::ALL`]: budgets are listed in this order.
    pub fn rank(self) -> usize {
        BudgetCategory::ALL
            .iter()
            .position(|c| *c == self)
            .unwrap_or(usize::MAX)
    }

    /// Its name in an alert, in Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            BudgetCategory::Restaurant => "餐厅",
            BudgetCategory::Food => "食品",
            BudgetCategory::Catering => "餐饮",
            BudgetCategory::Cafe => "咖啡馆",
            BudgetCategory::Coffee => "咖啡",
            BudgetCategory::Tea => "茶饮",
            BudgetCategory::FastFood => "快餐",
            BudgetCategory::Grocery => "杂货",
            BudgetCategory::Supermarket => "超市",
            BudgetCategory::Convenience => "便利店",
            BudgetCategory::Pharmacy => "药店",
            BudgetCategory::Books => "图书",
            BudgetCategory::Bookshop => "书店",
            BudgetCategory::Clothing => "服装",
            BudgetCategory::Fashion => "时尚",
            BudgetCategory::Hotel => "酒店",
            BudgetCategory::Lodging => "住宿",
            BudgetCategory::Transport => "交通",
            BudgetCategory::Transit => "公共交通",
            BudgetCategory::Taxi => "出租车",
            BudgetCategory::Fuel => "加油",
            BudgetCategory::Petrol => "汽油",
            BudgetCategory::Utilities => "公用事业",
            BudgetCategory::OtherShops => "其他商户",
            BudgetCategory::Transfer => "转账",
            BudgetCategory::RedPacket => "红包",
            BudgetCategory::Bill => "生活缴费",
            BudgetCategory::Fare => "乘车",
            BudgetCategory::Other => "其他",
        }
    }

    /// Its name in an alert, in English.
    pub fn en(self) -> String {
        self.as_str().replace('_', " ")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_category_the_shop_codes_know_is_a_shop_category() {
        for c in BudgetCategory::ALL.iter().filter(|c| c.is_shop()) {
            if *c != BudgetCategory::OtherShops {
                assert_ne!(
                    crate::money::shop_codes::mcc_for(c.as_str()),
                    "5999",
                    "{c} is one the platform knows"
                );
            }
        }
    }

    #[test]
    fn an_unknown_shop_category_counts_under_other_shops() {
        assert_eq!(
            BudgetCategory::of_shop("restaurant"),
            BudgetCategory::Restaurant
        );
        assert_eq!(
            BudgetCategory::of_shop("cinema"),
            BudgetCategory::OtherShops
        );
        assert_eq!(
            BudgetCategory::of_shop("transfer"),
            BudgetCategory::OtherShops
        );
    }
}
