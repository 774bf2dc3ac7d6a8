//! The holder's records as a CSV statement a spreadsheet opens as it is: UTF-8 with a byte-order
//! mark (without it, Excel on a Chinese system reads the file as GBK and garbles it), times in
//! China time, amounts as yuan with two decimals. Chinese by default; `lang=en` keeps the English
//! column names and the API's codes for integrators.

use super::records::csv_field;
use qianbao_ledger::Amount;
use qianbao_wallet::money::history::own_card;
use qianbao_wallet::money::records::{Direction, MovementKind, MovementRecord, MovementStatus};
use serde::Deserialize;

/// The statement's language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StatementLang {
    /// Chinese column names and values (`充值`, `支出`, `成功`).
    #[default]
    Zh,
    /// English column names and the API's codes (`topup`, `out`, `succeeded`).
    En,
}

/// Makes Excel read the file as UTF-8.
const BOM: char = '\u{feff}';

const HEADER_ZH: &str =
    "交易号,类型,收/支,金额（元）,手续费（元）,币种,对方,状态,备注,时间（北京时间）";
const HEADER_EN: &str = "id,type,direction,amount,fee,currency,counterparty,status,memo,created_at";

/// The whole file: the mark, the header and one line per record.
pub fn statement(rows: &[MovementRecord], lang: StatementLang) -> String {
    let mut out = String::new();
    out.push(BOM);
    out.push_str(match lang {
        StatementLang::Zh => HEADER_ZH,
        StatementLang::En => HEADER_EN,
    });
    out.push('\n');
    for m in rows {
        let (kind, direction, status) = match lang {
            StatementLang::Zh => (
                kind_zh(m.kind).to_string(),
                direction_zh(m).to_string(),
                status_zh(m.status).to_string(),
            ),
            StatementLang::En => (
                m.kind.as_str().to_string(),
                m.direction.as_str().to_string(),
                m.status.as_str().to_string(),
            ),
        };
        let line = [
            csv_field(&m.id),
            csv_field(&kind),
            csv_field(&direction),
            yuan_text(m.amount),
            yuan_text(m.fee),
            csv_field(m.currency.as_str()),
            csv_field(&m.counterparty),
            csv_field(&status),
            csv_field(&m.memo),
            csv_field(&china_time(m.created_ms)),
        ]
        .join(",");
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn kind_zh(kind: MovementKind) -> &'static str {
    match kind {
        MovementKind::Topup => "充值",
        MovementKind::Withdrawal => "提现",
        MovementKind::Transfer => "转账",
        MovementKind::Payment => "付款",
        MovementKind::Refund => "退款",
        MovementKind::Settlement => "结算",
        MovementKind::Adjustment => "调账",
        MovementKind::Conversion => "换汇",
        MovementKind::RedPacket => "红包",
        MovementKind::Bill => "生活缴费",
        MovementKind::Fare => "乘车",
        MovementKind::Cashback => "返现",
        MovementKind::GiftCard => "礼品卡",
    }
}

/// As the month summary counts it: money moved with one's own card is neither income nor
/// spending (the wording of Chinese wallets' statements).
fn direction_zh(m: &MovementRecord) -> &'static str {
    match (own_card(m.kind), m.direction) {
        (true, _) => "不计收支",
        (false, Direction::In) => "收入",
        (false, Direction::Out) => "支出",
    }
}

fn status_zh(status: MovementStatus) -> &'static str {
    match status {
        MovementStatus::Succeeded => "成功",
        MovementStatus::Pending => "处理中",
        MovementStatus::Scheduled => "预约中",
        MovementStatus::Failed => "失败",
        MovementStatus::Cancelled => "已撤销",
        MovementStatus::HeldForReview => "安全审核中",
        MovementStatus::Rejected => "审核未通过",
    }
}

/// Yuan with two decimals and no currency sign, written from the integer (never a float).
pub fn yuan_text(amount: Amount) -> String {
    let minor = amount.minor();
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// `YYYY-MM-DD HH:MM:SS` in China time (UTC+8; China has no daylight saving).
pub fn china_time(ms: i64) -> String {
    let Ok(offset) = time::UtcOffset::from_hms(8, 0, 0) else {
        return String::new();
    };
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.to_offset(offset)
                .format(time::macros::format_description!(
                    "[year]-[month]-[day] [hour]:[minute]:[second]"
                ))
                .ok()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_is_written_in_china_time() {
        // 2026-11-30T16:00:00Z is midnight of 2026-12-01 in China.
        assert_eq!(china_time(1_796_054_400_000), "2026-12-01 00:00:00");
        assert_eq!(china_time(1_796_054_400_000 - 1_000), "2026-11-30 23:59:59");
    }

    #[test]
    fn yuan_have_two_decimals_from_the_integer() {
        let a = Amount::from_minor;
        assert_eq!(yuan_text(a(0)), "0.00");
        assert_eq!(yuan_text(a(5)), "0.05");
        assert_eq!(yuan_text(a(64_255)), "642.55");
        assert_eq!(yuan_text(a(-1_250)), "-12.50");
    }

    #[test]
    fn both_headers_have_the_same_columns() {
        assert_eq!(HEADER_ZH.split(',').count(), HEADER_EN.split(',').count());
    }
}
