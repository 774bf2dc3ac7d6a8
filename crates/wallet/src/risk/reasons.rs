//! What the holder is told when risk control steps in: a stable reason code per kind of rule and a
//! text in Chinese and English that says what to do next, without the thresholds (which would
//! teach a fraudster where the line is).

/// The reason code a rule kind gives.
pub fn reason_of(kind: &str) -> &'static str {
    match kind {
        "amount_at_least" => "large_payment",
        "velocity" => "unusual_frequency",
        "above_history" => "unusual_amount",
        "new_device" | "young_session" => "new_device",
        "new_payee" => "new_payee",
        "after_reset" => "recent_security_change",
        "wrong_pins" => "recent_wrong_pins",
        "night_time" => "unusual_time",
        "block_list" => "blocked",
        "young_payee" => "new_payee_wallet",
        "fan_in" => "payee_under_review",
        _ => "risk",
    }
}

/// Every reason code, for documentation and tests.
pub const REASONS: &[&str] = &[
    "large_payment",
    "unusual_frequency",
    "unusual_amount",
    "new_device",
    "new_payee",
    "recent_security_change",
    "recent_wrong_pins",
    "unusual_time",
    "blocked",
    "new_payee_wallet",
    "payee_under_review",
    "risk",
];

/// The reason code as a `'static` name: one of [`REASONS`], or `risk` for anything else.
pub fn known(reason: &str) -> &'static str {
    REASONS
        .iter()
        .find(|r| **r == reason)
        .copied()
        .unwrap_or("risk")
}

/// A text for the holder in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Told {
    /// Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

fn why(reason: &str) -> (&'static str, &'static str) {
    match reason {
        "large_payment" => ("这笔付款金额较大", "This is a large payment"),
        "unusual_frequency" => ("近期付款过于频繁", "There have been many payments just now"),
        "unusual_amount" => (
            "这笔金额与你平时的付款差别较大",
            "This amount is unusual for you",
        ),
        "new_device" => ("你正在新设备上付款", "You are paying from a new device"),
        "new_payee" => (
            "这是你第一次向该收款方付款",
            "This is your first payment to this payee",
        ),
        "recent_security_change" => (
            "你的账户近期修改过密码或在新设备登录",
            "Your passwords changed or a new device logged in recently",
        ),
        "recent_wrong_pins" => (
            "近期多次输错支付密码",
            "The payment password was wrong several times recently",
        ),
        "unusual_time" => ("这笔付款发生在深夜", "This payment is late at night"),
        "blocked" => (
            "该交易涉及受限制的账户",
            "This payment involves a restricted account",
        ),
        "new_payee_wallet" => (
            "收款方的钱包刚刚开通",
            "The payee's wallet was opened very recently",
        ),
        "payee_under_review" => (
            "收款方近期收款异常",
            "The payee has received unusual payments",
        ),
        _ => ("这笔付款存在风险", "This payment looks risky"),
    }
}

/// What the holder is told when a second factor is needed.
pub fn step_up(reason: &str) -> Told {
    let (zh, en) = why(reason);
    Told {
        zh: format!("{zh}，为保障资金安全，请完成身份验证后重试。"),
        en: format!("{en}: to keep your money safe, please verify your identity and try again."),
    }
}

/// What the holder is told when a payment is held for review.
pub fn held(reason: &str) -> Told {
    let (zh, en) = why(reason);
    Told {
        zh: format!("{zh}。付款存在风险，已暂停，资金已冻结在你的钱包中，客服将在 24 小时内审核。"),
        en: format!(
            "{en}. This payment looks risky and has been paused; the money is held in your wallet \
             and we will review it within 24 hours."
        ),
    }
}

/// What the holder is told when a call is refused.
pub fn blocked(reason: &str) -> Told {
    let (zh, en) = why(reason);
    Told {
        zh: format!("{zh}，已被安全监控自动终止，资金未变动。如有疑问请联系客服。"),
        en: format!(
            "{en}, so security monitoring stopped it; no money moved. Contact support if you \
             think this is wrong."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_has_its_own_words_and_no_numbers() {
        for r in REASONS {
            for told in [step_up(r), held(r), blocked(r)] {
                assert!(!told.zh.is_empty() && !told.en.is_empty());
                assert!(
                    !told
                        .zh
                        .chars()
                        .any(|c| c.is_ascii_digit() && c != '2' && c != '4'),
                    "{r}: {}",
                    told.zh
                );
            }
        }
        assert_ne!(why("blocked"), why("risk"));
    }
}
