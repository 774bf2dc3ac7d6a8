//! The wallet's day: a calendar day in China, where daily limits reset, ages and card expiries
//! turn over, and records are filed. China has one time zone (UTC+8) and no daylight saving, so a
//! fixed offset is the local date everywhere the wallet is used.

use time::macros::offset;
use time::{Date, OffsetDateTime, UtcOffset};

/// China's offset from UTC.
pub const CHINA_OFFSET: UtcOffset = offset!(+8);

const DAY_MS: i64 = 86_400_000;
const OFFSET_MS: i64 = 8 * 3_600_000;

/// One calendar day in China, kept as the instant it begins: limits count from that instant, and
/// every instant from 1970 to the calendar's end has a day, even past the last `Date`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChinaDay {
    start_ms: i64,
}

impl ChinaDay {
    /// The day that contains the instant `ms` (milliseconds since the Unix epoch).
    pub fn of_ms(ms: i64) -> ChinaDay {
        let shifted = ms.saturating_add(OFFSET_MS);
        ChinaDay {
            start_ms: shifted.div_euclid(DAY_MS) * DAY_MS - OFFSET_MS,
        }
    }

    /// The day `date` names on a Chinese calendar.
    pub fn of_date(date: Date) -> ChinaDay {
        ChinaDay {
            start_ms: date.midnight().assume_offset(CHINA_OFFSET).unix_timestamp() * 1000,
        }
    }

    /// The calendar date; the nearest one the calendar has for a day beyond its years.
    pub fn date(self) -> Date {
        // The UTC date of the instant shifted by the offset is the date in China.
        OffsetDateTime::from_unix_timestamp(
            (self.start_ms.saturating_add(OFFSET_MS)).div_euclid(1000),
        )
        .map(|t| t.date())
        .unwrap_or(if self.start_ms < 0 {
            Date::MIN
        } else {
            Date::MAX
        })
    }

    /// The instant the day begins (midnight in China), in ms since the Unix epoch.
    pub fn start_ms(self) -> i64 {
        self.start_ms
    }

    /// The instant the day ends: the next day's start, counted rather than looked up, so the
    /// last day the calendar knows still ends.
    pub fn end_ms(self) -> i64 {
        self.start_ms.saturating_add(DAY_MS)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use time::Month;

    #[test]
    fn a_day_turns_over_at_midnight_in_china_which_is_4_pm_utc() {
        // 2026-11-30T15:59:59Z is 23:59:59 in China; a second later it is 1 December there.
        let before = 1_796_054_399_000;
        let day = ChinaDay::of_ms(before);
        assert_eq!(
            day.date(),
            Date::from_calendar_date(2026, Month::November, 30).unwrap()
        );
        assert_eq!(day.start_ms(), 1_795_968_000_000);
        assert_eq!(day.end_ms(), before + 1_000);
        assert_eq!(ChinaDay::of_ms(before + 1_000).start_ms(), before + 1_000);
    }

    #[test]
    fn a_date_round_trips_through_its_start() {
        let date = Date::from_calendar_date(2024, Month::February, 29).unwrap();
        let day = ChinaDay::of_date(date);
        assert_eq!(ChinaDay::of_ms(day.start_ms()), day);
        assert_eq!(ChinaDay::of_ms(day.end_ms() - 1), day);
        assert_eq!(
            ChinaDay::of_ms(day.end_ms()).date(),
            date.next_day().unwrap()
        );
    }

    #[test]
    fn instants_before_1970_and_past_the_calendar_still_have_a_day() {
        assert!(ChinaDay::of_ms(-1).start_ms() < 0);
        // The last instant of 9999 in UTC is already 10000-01-01 in China.
        let last = 253_402_300_799_999;
        let day = ChinaDay::of_ms(last);
        assert!(day.start_ms() <= last && last < day.end_ms());
        assert_eq!(day.date(), Date::MAX);
        let _ = ChinaDay::of_ms(i64::MAX);
        let _ = ChinaDay::of_ms(i64::MIN / 2);
    }
}
