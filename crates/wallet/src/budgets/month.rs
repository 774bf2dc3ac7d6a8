//! The budget's month: a calendar month in China time (UTC+8, no daylight saving), so a payment
//! at 23:59 on the 31st in Beijing counts in that month whatever the server's zone.

use crate::domain::ChinaDay;

/// One calendar month in China.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BudgetMonth {
    year: i32,
    /// 1–12.
    month: u8,
}

impl BudgetMonth {
    /// The month `ms` falls in, in China.
    pub fn of_ms(ms: i64) -> BudgetMonth {
        let date = ChinaDay::of_ms(ms).date();
        BudgetMonth {
            year: date.year(),
            month: u8::from(date.month()),
        }
    }

    /// The month `YYYY-MM` names, if it names one.
    pub fn parse(text: &str) -> Option<BudgetMonth> {
        let bytes = text.as_bytes();
        let shaped = bytes.len() == 7
            && bytes[4] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || b.is_ascii_digit());
        if !shaped {
            return None;
        }
        let year: i32 = text[..4].parse().ok()?;
        let month: u8 = text[5..].parse().ok()?;
        (1..=12)
            .contains(&month)
            .then_some(BudgetMonth { year, month })
    }

    /// The month before.
    pub fn previous(self) -> BudgetMonth {
        if self.month == 1 {
            BudgetMonth {
                year: self.year - 1,
                month: 12,
            }
        } else {
            BudgetMonth {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// The month after.
    pub fn next(self) -> BudgetMonth {
        if self.month == 12 {
            BudgetMonth {
                year: self.year + 1,
                month: 1,
            }
        } else {
            BudgetMonth {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The instant its first day begins in China (ms).
    pub fn start_ms(self) -> i64 {
        let first = time::Month::try_from(self.month)
            .ok()
            .and_then(|m| time::Date::from_calendar_date(self.year, m, 1).ok());
        // Every month `of_ms`/`parse` make is in the calendar's years but the very last; past it,
        // the month starts where the calendar ends.
        first.map_or(i64::MAX, |d| ChinaDay::of_date(d).start_ms())
    }

    /// The instant it ends: the next month's start.
    pub fn end_ms(self) -> i64 {
        self.next().start_ms()
    }

    /// `YYYY-MM`: its name on the wire and in the alerts' keys.
    pub fn label(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_month_is_counted_in_china_time() {
        // 2026-11-30T16:00:00Z is 2026-12-01 00:00 in Beijing.
        let december = BudgetMonth::of_ms(1_796_054_400_000);
        assert_eq!(december.label(), "2026-12");
        assert_eq!(BudgetMonth::of_ms(1_796_054_400_000 - 1).label(), "2026-11");
        assert_eq!(december.start_ms(), 1_796_054_400_000);
        assert_eq!(december.end_ms(), december.next().start_ms());
        assert_eq!(december.next().label(), "2027-01");
        assert_eq!(december.next().previous(), december);
        assert_eq!(december.end_ms() - december.start_ms(), 31 * 86_400_000);
    }

    #[test]
    fn only_yyyy_mm_is_a_month() {
        assert_eq!(BudgetMonth::parse("2026-02").unwrap().label(), "2026-02");
        for bad in [
            "2026-13",
            "2026-00",
            "2026-2",
            "26-02",
            "2026/02",
            "２０２６-02",
        ] {
            assert!(BudgetMonth::parse(bad).is_none(), "{bad}");
        }
    }
}
