//! The inbox notices for changes to how a wallet is guarded: frozen and unfrozen, the payment
//! password changed or reset, the login password reset, the authenticator turned on or off, and a
//! login from a device not seen before. Each is written by the use case that makes the change, in
//! the same transaction, so a change is never without its notice (nor a notice without its
//! change); a holder who did not make it learns at once, in both languages, and what to do.

use crate::StoreError;
use crate::money::records::{NotificationRecord, NotificationRecords};

/// The `kind` every notice here carries (the app lists them with the money alerts).
pub const SECURITY_KIND: &str = "security";

/// What changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecurityNotice {
    /// The wallet was frozen, by its owner (`by_staff` false) or by the operator.
    Frozen {
        /// Whether the operator froze it.
        by_staff: bool,
    },
    /// The wallet was unfrozen.
    Unfrozen,
    /// The payment password was changed (with the old one).
    PinChanged,
    /// The payment password was reset (SMS code, ID number and a bound card).
    PinReset,
    /// The login password was reset (which also signed every device out and turned TOTP off).
    PasswordReset,
    /// The authenticator (TOTP) was turned on.
    TotpOn,
    /// The authenticator (TOTP) was turned off.
    TotpOff,
    /// A login from a device not seen before, with the name it gave (if any).
    NewDevice {
        /// The device's own name (`User-Agent`-like), already cleaned, or `None`.
        device: Option<String>,
    },
}

/// The notice in both languages: (title, body, title in English, body in English).
fn texts(notice: &SecurityNotice) -> (String, String, String, String) {
    const NOT_YOU: &str = "如非本人操作，请立即冻结钱包并联系客服。";
    const NOT_YOU_EN: &str = "If this was not you, freeze the wallet now and call support.";
    let s = |v: &str| v.to_owned();
    match notice {
        SecurityNotice::Frozen { by_staff: false } => (
            s("钱包已冻结"),
            s("钱包已冻结，资金暂时不能转出或支付。可在安全中心解冻。"),
            s("Wallet frozen"),
            s("The wallet is frozen: no money can leave it until it is unfrozen in Security."),
        ),
        SecurityNotice::Frozen { by_staff: true } => (
            s("钱包已被冻结"),
            s("为保护资金安全，钱包已由客服冻结，资金暂时不能转出或支付。请联系客服了解详情。"),
            s("Wallet frozen by the operator"),
            s(
                "To keep the money safe, the operator froze the wallet: no money can leave it. \
               Call support for details.",
            ),
        ),
        SecurityNotice::Unfrozen => (
            s("钱包已解冻"),
            format!("钱包已解冻，可以正常支付和转账。{NOT_YOU}"),
            s("Wallet unfrozen"),
            format!("The wallet is unfrozen: payments and transfers work again. {NOT_YOU_EN}"),
        ),
        SecurityNotice::PinChanged => (
            s("支付密码已修改"),
            format!("支付密码刚刚修改成功。{NOT_YOU}"),
            s("Payment password changed"),
            format!("The payment password was changed just now. {NOT_YOU_EN}"),
        ),
        SecurityNotice::PinReset => (
            s("支付密码已重置"),
            format!("支付密码已通过短信验证码、身份证号和银行卡重置。{NOT_YOU}"),
            s("Payment password reset"),
            format!(
                "The payment password was reset with an SMS code, the ID number and a bank card. \
                 {NOT_YOU_EN}"
            ),
        ),
        SecurityNotice::PasswordReset => (
            s("登录密码已重置"),
            format!("登录密码已重置，所有设备已退出登录，身份验证器已关闭。{NOT_YOU}"),
            s("Login password reset"),
            format!(
                "The login password was reset: every device was signed out and the authenticator \
                 turned off. {NOT_YOU_EN}"
            ),
        ),
        SecurityNotice::TotpOn => (
            s("身份验证器已开启"),
            format!("登录和大额支付将需要身份验证器的动态码。{NOT_YOU}"),
            s("Authenticator turned on"),
            format!(
                "Logins and large payments will ask for the authenticator's code. {NOT_YOU_EN}"
            ),
        ),
        SecurityNotice::TotpOff => (
            s("身份验证器已关闭"),
            format!("登录和大额支付不再需要身份验证器的动态码。{NOT_YOU}"),
            s("Authenticator turned off"),
            format!(
                "Logins and large payments no longer ask for the authenticator's code. \
                 {NOT_YOU_EN}"
            ),
        ),
        SecurityNotice::NewDevice { device } => {
            let zh = device.clone().unwrap_or_else(|| s("未知设备"));
            let en = device.clone().unwrap_or_else(|| s("an unknown device"));
            (
                s("新设备登录"),
                format!("钱包在新设备（{zh}）上登录。{NOT_YOU}"),
                s("Login from a new device"),
                format!("The wallet was signed in on a new device ({en}). {NOT_YOU_EN}"),
            )
        }
    }
}

/// Writes `notice` to the holder's inbox, inside the caller's transaction.
pub fn notify(
    r: &mut (impl NotificationRecords + ?Sized),
    holder_id: &str,
    notice: &SecurityNotice,
    now_ms: i64,
) -> Result<(), StoreError> {
    let (title, body, title_en, body_en) = texts(notice);
    r.insert_notification(&NotificationRecord {
        id: 0,
        holder_id: holder_id.to_owned(),
        kind: SECURITY_KIND.to_owned(),
        title,
        body,
        title_en,
        body_en,
        movement_id: None,
        created_ms: now_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [SecurityNotice; 9] = [
        SecurityNotice::Frozen { by_staff: false },
        SecurityNotice::Frozen { by_staff: true },
        SecurityNotice::Unfrozen,
        SecurityNotice::PinChanged,
        SecurityNotice::PinReset,
        SecurityNotice::PasswordReset,
        SecurityNotice::TotpOn,
        SecurityNotice::TotpOff,
        SecurityNotice::NewDevice { device: None },
    ];

    #[test]
    fn every_notice_is_written_in_both_languages_with_full_width_chinese_punctuation() {
        for notice in &ALL {
            let (title, body, title_en, body_en) = texts(notice);
            for text in [&title, &body, &title_en, &body_en] {
                assert!(!text.is_empty(), "{notice:?}");
            }
            for half in [',', ':', ';', '!', '?', '(', ')'] {
                assert!(!body.contains(half), "{notice:?}: {body}");
                assert!(!title.contains(half), "{notice:?}: {title}");
            }
            assert!(body_en.is_ascii(), "{notice:?}: {body_en}");
        }
    }

    #[test]
    fn a_new_device_login_names_the_device() {
        let (_, body, _, body_en) = texts(&SecurityNotice::NewDevice {
            device: Some("Chrome on Android".into()),
        });
        assert!(body.contains("Chrome on Android"), "{body}");
        assert!(body_en.contains("Chrome on Android"), "{body_en}");
    }
}
