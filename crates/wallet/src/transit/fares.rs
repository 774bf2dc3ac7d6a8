//! An operator's fare table and what a ride costs: a flat fare on buses, a fare by the number of
//! stations travelled on the metro, the maximum for a ride whose entry or exit is missing, and a
//! daily cap per holder and operator. Integer fen throughout.

use qianbao_ledger::Amount;

crate::named! {
    /// How an operator charges.
    pub enum FareKind {
        /// One fare whatever the distance.
        Bus = "bus",
        /// By the number of stations between entry and exit.
        Metro = "metro",
    }
}

/// A stop or station a gate may report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Station {
    /// The code gates send (`L1-01`).
    pub code: String,
    /// Its name, for the holder's records.
    pub name: String,
    /// Its line.
    pub line: String,
    /// Its position along the line: the distance between two stations is the difference.
    pub index: i64,
}

/// How one operator prices rides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FareTable {
    /// Bus or metro.
    pub kind: FareKind,
    /// Where its gates are.
    pub stations: Vec<Station>,
    /// A bus ride's fare (a metro table ignores it).
    pub flat_fare: Amount,
    /// The metro's fare for up to `base_stations` stations.
    pub base_fare: Amount,
    /// How many stations the base fare covers.
    pub base_stations: i64,
    /// Each further `step_stations` stations (or part of them) add `step_fare`.
    pub step_stations: i64,
    /// What each step adds.
    pub step_fare: Amount,
    /// No ride costs more; a ride missing its entry or exit costs this.
    pub max_fare: Amount,
    /// No holder pays this operator more in one China day.
    pub daily_cap: Amount,
}

/// A ride as the gates saw it, in what pricing needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trip {
    /// In at one station, out at another: positions along the line.
    Complete {
        /// The entry's position.
        from: i64,
        /// The exit's position.
        to: i64,
    },
    /// An entry whose exit never came (or an exit without its entry): the maximum fare.
    Incomplete,
}

impl FareTable {
    /// The sandbox's Lanzhou metro line 1 (docs/transit.md): ¥2 for up to 4 stations, ¥1 more
    /// per 4 stations after, ¥5 at most, ¥12 a day at most.
    pub fn sandbox() -> FareTable {
        let names = [
            ("L1-01", "陈官营"),
            ("L1-02", "西站什字"),
            ("L1-03", "七里河"),
            ("L1-04", "小西湖"),
            ("L1-05", "西关"),
            ("L1-06", "东方红广场"),
            ("L1-07", "盘旋路"),
            ("L1-08", "五里铺"),
            ("L1-09", "火车站"),
            ("L1-10", "东岗"),
            ("L1-11", "雁园路"),
            ("L1-12", "拱星墩"),
            ("L1-13", "焦家湾"),
            ("L1-14", "东岗立交"),
        ];
        FareTable {
            kind: FareKind::Metro,
            stations: names
                .iter()
                .zip(1..)
                .map(|((code, name), index)| Station {
                    code: (*code).to_string(),
                    name: (*name).to_string(),
                    line: "1".into(),
                    index,
                })
                .collect(),
            flat_fare: Amount::from_minor(100),
            base_fare: Amount::from_minor(200),
            base_stations: 4,
            step_stations: 4,
            step_fare: Amount::from_minor(100),
            max_fare: Amount::from_minor(500),
            daily_cap: Amount::from_minor(1_200),
        }
    }

    /// The stations as stored: one `code<TAB>name<TAB>line<TAB>index` line each.
    pub fn stations_text(&self) -> String {
        self.stations
            .iter()
            .map(|s| format!("{}\t{}\t{}\t{}\n", s.code, s.name, s.line, s.index))
            .collect()
    }

    /// Reads [`FareTable::stations_text`]; `None` on a bad line.
    pub fn parse_stations(text: &str) -> Option<Vec<Station>> {
        text.lines()
            .filter(|l| !l.is_empty())
            .map(|line| {
                let mut parts = line.split('\t');
                let station = Station {
                    code: parts.next()?.to_string(),
                    name: parts.next()?.to_string(),
                    line: parts.next()?.to_string(),
                    index: parts.next()?.parse().ok()?,
                };
                parts.next().is_none().then_some(station)
            })
            .collect()
    }

    /// The station a gate named, if the table has it.
    pub fn station(&self, code: &str) -> Option<&Station> {
        self.stations.iter().find(|s| s.code == code)
    }

    /// What `trip` costs before the daily cap: never negative, never above the maximum.
    pub fn fare(&self, trip: Trip) -> Amount {
        let max = self.max_fare.minor().max(0);
        let fare = match (self.kind, trip) {
            (FareKind::Bus, _) => self.flat_fare.minor(),
            (FareKind::Metro, Trip::Incomplete) => max,
            (FareKind::Metro, Trip::Complete { from, to }) => {
                let stations = to.saturating_sub(from).saturating_abs();
                let beyond = stations.saturating_sub(self.base_stations).max(0);
                let step = self.step_stations.max(1);
                let steps = beyond.saturating_add(step - 1) / step;
                self.base_fare
                    .minor()
                    .saturating_add(steps.saturating_mul(self.step_fare.minor()))
            }
        };
        Amount::from_minor(fare.clamp(0, max))
    }
}

/// What is charged for a ride of `fare` when the holder has already been charged
/// `charged_today` by this operator today: the fare, or what is left under the cap.
pub fn under_cap(fare: Amount, charged_today: Amount, daily_cap: Amount) -> Amount {
    let room = daily_cap
        .minor()
        .saturating_sub(charged_today.minor())
        .max(0);
    Amount::from_minor(fare.minor().clamp(0, room))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_sandbox_metro_charges_by_stations_travelled() {
        let table = FareTable::sandbox();
        let fare = |from, to| table.fare(Trip::Complete { from, to }).minor();
        assert_eq!(fare(1, 1), 200);
        assert_eq!(fare(1, 5), 200);
        assert_eq!(fare(5, 1), 200);
        assert_eq!(fare(1, 6), 300);
        assert_eq!(fare(1, 9), 300);
        assert_eq!(fare(1, 10), 400);
        assert_eq!(fare(1, 14), 500);
        assert_eq!(table.fare(Trip::Incomplete).minor(), 500);
        assert_eq!(table.station("L1-03").map(|s| s.index), Some(3));
        assert!(table.station("L9-99").is_none());
        assert_eq!(
            FareTable::parse_stations(&table.stations_text()),
            Some(table.stations)
        );
        assert!(FareTable::parse_stations("a\tb").is_none());
    }

    #[test]
    fn a_bus_charges_its_flat_fare() {
        let table = FareTable {
            kind: FareKind::Bus,
            ..FareTable::sandbox()
        };
        assert_eq!(table.fare(Trip::Complete { from: 1, to: 14 }).minor(), 100);
        assert_eq!(table.fare(Trip::Incomplete).minor(), 100);
    }

    #[test]
    fn the_cap_takes_what_is_left() {
        let a = Amount::from_minor;
        assert_eq!(under_cap(a(500), a(0), a(1_200)), a(500));
        assert_eq!(under_cap(a(500), a(1_000), a(1_200)), a(200));
        assert_eq!(under_cap(a(500), a(1_200), a(1_200)), a(0));
        assert_eq!(under_cap(a(500), a(5_000), a(1_200)), a(0));
    }

    proptest! {
        #[test]
        fn no_fare_is_above_the_maximum_or_below_zero(
            from in -1_000i64..1_000, to in -1_000i64..1_000,
            base in 0i64..1_000, step in 0i64..500, per in -5i64..50, max in 0i64..2_000,
            bus in any::<bool>(),
        ) {
            let table = FareTable {
                kind: if bus { FareKind::Bus } else { FareKind::Metro },
                base_fare: Amount::from_minor(base),
                step_fare: Amount::from_minor(step),
                step_stations: per,
                max_fare: Amount::from_minor(max),
                ..FareTable::sandbox()
            };
            for trip in [Trip::Complete { from, to }, Trip::Incomplete] {
                let fare = table.fare(trip).minor();
                prop_assert!((0..=max).contains(&fare));
            }
        }

        #[test]
        fn a_days_charges_never_pass_the_cap(fares in proptest::collection::vec(0i64..800, 0..40), cap in 0i64..3_000) {
            let mut charged = Amount::ZERO;
            for fare in fares {
                let take = under_cap(Amount::from_minor(fare), charged, Amount::from_minor(cap));
                prop_assert!(take.minor() >= 0 && take.minor() <= fare);
                charged += take;
                prop_assert!(charged.minor() <= cap);
            }
        }
    }
}
