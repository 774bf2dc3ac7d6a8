//! The holder's records as a CSV statement a spreadsheet opens as it is: UTF-8 with a byte-order
//! mark (without it, Excel on a Chinese system reads the file as GBK and garbles it), times in
//! China time, amounts as yuan with two decimals. Chinese by default; `lang=en` keeps the English
//! column names and the API's codes for integrators. With `proofs=true` every line also carries
//! the inclusion proof of its ledger entry in the journal log (issue 23).

use super::records::csv_field;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use qianbao_ledger::Amount;
use qianbao_wallet::money::history::own_card;
use qianbao_wallet::money::records::{Direction, MovementKind, MovementRecord, MovementStatus};
use qianbao_wallet::proofs::Inclusion;
use qianbao_wallet::proofs::statement::StatementProofs;
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

/// The proof columns (`proofs=true`), named alike in both languages: they are for
/// `qianbao proof verify --statement`, which finds them by these names, not for reading.
const HEADER_PROOFS: &str =
    "entry,leaf_index,tree_size,leaf,proof,accounts,checkpoint_size,checkpoint_root";

/// The whole file: the mark, the header and one line per record; with `proofs`, each line
/// carries the proof columns too (`docs/proofs.md`).
pub fn statement(
    rows: &[MovementRecord],
    lang: StatementLang,
    proofs: Option<&StatementProofs>,
) -> String {
    let mut out = String::new();
    out.push(BOM);
    out.push_str(match lang {
        StatementLang::Zh => HEADER_ZH,
        StatementLang::En => HEADER_EN,
    });
    if proofs.is_some() {
        out.push(',');
        out.push_str(HEADER_PROOFS);
    }
    out.push('\n');
    for (i, m) in rows.iter().enumerate() {
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
        if let Some(proofs) = proofs {
            out.push(',');
            out.push_str(&proof_columns(
                m,
                proofs.lines.get(i).and_then(Option::as_ref),
                proofs,
            ));
        }
        out.push('\n');
    }
    out
}

/// A row's proof columns: its entry, then the proof's fields (empty when it has none), then the
/// checkpoint's size and root on every row. Hashes are base64; lists are separated by spaces
/// and an account is `commitment:salt`. Through [`csv_field`] like every text, so a base64
/// value that begins with `+` reaches a spreadsheet as `'+…` (the verifier drops that `'`).
fn proof_columns(m: &MovementRecord, proof: Option<&Inclusion>, all: &StatementProofs) -> String {
    let entry = csv_field(m.entry_id.as_deref().unwrap_or_default());
    let checkpoint = [
        all.checkpoint.size.to_string(),
        csv_field(&B64.encode(all.checkpoint.root)),
    ];
    let proof = match proof {
        None => vec![String::new(); 5],
        Some(p) => vec![
            p.leaf_index.to_string(),
            p.tree_size.to_string(),
            csv_field(&B64.encode(&p.leaf)),
            csv_field(
                &p.proof
                    .iter()
                    .map(|h| B64.encode(h))
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            csv_field(
                &p.accounts
                    .iter()
                    .map(|a| format!("{}:{}", B64.encode(a.commitment), B64.encode(a.salt)))
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        ],
    };
    std::iter::once(entry)
        .chain(proof)
        .chain(checkpoint)
        .collect::<Vec<_>>()
        .join(",")
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
