//! Pairing a token's taps into rides: each entry with the exit that follows it. An entry followed
//! by another entry lost its exit; an exit with no entry before it lost its entry; both are
//! charged the maximum fare. A lone entry (or exit) is left open while its pair may still be on
//! its way from another gate's upload, and closed as incomplete once it is older than
//! [`OPEN_RIDE_MS`]. Taps are sorted first, so the rides do not depend on the order batches came in.

crate::named! {
    /// Which way through the gate.
    pub enum TapDirection {
        /// Entering (进站 / 上车).
        In = "in",
        /// Leaving (出站 / 下车).
        Out = "out",
    }
}

/// How long a lone tap waits for its pair before it is charged as incomplete: a ride longer than
/// this is not one ride, and a gate uploads well within it.
pub const OPEN_RIDE_MS: i64 = 3 * 60 * 60 * 1000;

/// One tap, as pairing needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tap {
    /// Its id (what the ride keeps).
    pub id: String,
    /// Which way.
    pub direction: TapDirection,
    /// The code's counter.
    pub counter: i64,
    /// The station's position along the line.
    pub index: i64,
    /// When (ms).
    pub at_ms: i64,
}

/// A ride made of one or two taps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PairedRide {
    /// The entry, when there was one.
    pub entry: Option<Tap>,
    /// The exit, when there was one.
    pub exit: Option<Tap>,
}

impl PairedRide {
    /// When the ride began (its entry, else its exit).
    pub fn at_ms(&self) -> i64 {
        self.entry
            .as_ref()
            .or(self.exit.as_ref())
            .map_or(0, |t| t.at_ms)
    }
}

/// The rides `taps` (one token's taps not yet in a ride) make at `now_ms`; taps left open are
/// not in any ride.
pub fn pair(taps: &[Tap], now_ms: i64) -> Vec<PairedRide> {
    let mut sorted: Vec<&Tap> = taps.iter().collect();
    // Time, then counter, then entry before exit, then id: a total order, so any arrival order
    // gives the same rides.
    sorted.sort_by(|a, b| order(a).cmp(&order(b)));
    // A lone tap is charged as incomplete only once its pair can no longer be on its way.
    let stale = |tap: &Tap| now_ms.saturating_sub(tap.at_ms) > OPEN_RIDE_MS;
    let mut rides = Vec::new();
    let mut open: Option<&Tap> = None;
    for tap in sorted {
        match (tap.direction, open.take()) {
            (TapDirection::In, earlier) => {
                if let Some(entry) = earlier.filter(|e| stale(e)) {
                    rides.push(PairedRide {
                        entry: Some(entry.clone()),
                        exit: None,
                    });
                }
                open = Some(tap);
            }
            (TapDirection::Out, Some(entry)) => rides.push(PairedRide {
                entry: Some(entry.clone()),
                exit: Some(tap.clone()),
            }),
            (TapDirection::Out, None) => {
                if stale(tap) {
                    rides.push(PairedRide {
                        entry: None,
                        exit: Some(tap.clone()),
                    });
                }
            }
        }
    }
    if let Some(entry) = open.filter(|e| stale(e)) {
        rides.push(PairedRide {
            entry: Some(entry.clone()),
            exit: None,
        });
    }
    rides
}

/// The sort key of a tap.
fn order(tap: &Tap) -> (i64, i64, bool, &str) {
    (
        tap.at_ms,
        tap.counter,
        tap.direction == TapDirection::Out,
        tap.id.as_str(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOW: i64 = 10 * OPEN_RIDE_MS;

    fn tap(id: &str, direction: TapDirection, at_ms: i64) -> Tap {
        Tap {
            id: id.into(),
            direction,
            counter: at_ms / 60_000,
            index: at_ms % 7,
            at_ms,
        }
    }

    fn ids(rides: &[PairedRide]) -> Vec<(Option<&str>, Option<&str>)> {
        rides
            .iter()
            .map(|r| {
                (
                    r.entry.as_ref().map(|t| t.id.as_str()),
                    r.exit.as_ref().map(|t| t.id.as_str()),
                )
            })
            .collect()
    }

    #[test]
    fn entries_pair_with_the_exits_after_them() {
        use TapDirection::{In, Out};
        let taps = [
            tap("c", In, NOW - 1_000),
            tap("a", In, NOW - 9_000),
            tap("b", Out, NOW - 5_000),
        ];
        // a→b is a ride; c waits for its exit.
        assert_eq!(ids(&pair(&taps, NOW)), vec![(Some("a"), Some("b"))]);
        // Two entries: the first lost its exit, charged once its exit can no longer come.
        let old = NOW - OPEN_RIDE_MS - 1;
        let taps = [
            tap("a", In, old),
            tap("b", In, NOW - 5_000),
            tap("c", Out, NOW - 1_000),
        ];
        assert_eq!(
            ids(&pair(&taps, NOW)),
            vec![(Some("a"), None), (Some("b"), Some("c"))]
        );
        let taps = [
            tap("a", In, NOW - 9_000),
            tap("b", In, NOW - 5_000),
            tap("c", Out, NOW - 1_000),
        ];
        assert_eq!(ids(&pair(&taps, NOW)), vec![(Some("b"), Some("c"))]);
        // An old lone entry is closed; a fresh lone exit waits, an old one is closed.
        assert_eq!(
            ids(&pair(&[tap("a", In, old)], NOW)),
            vec![(Some("a"), None)]
        );
        assert!(pair(&[tap("a", Out, NOW - 5)], NOW).is_empty());
        assert_eq!(
            ids(&pair(&[tap("a", Out, old)], NOW)),
            vec![(None, Some("a"))]
        );
        // A fresh lone exit waits for its entry even when a new ride follows.
        let taps = [
            tap("a", Out, NOW - 9_000),
            tap("b", In, NOW - 5_000),
            tap("c", Out, NOW - 1_000),
        ];
        assert_eq!(ids(&pair(&taps, NOW)), vec![(Some("b"), Some("c"))]);
    }

    fn any_tap() -> impl Strategy<Value = Tap> {
        (0u8..3, any::<bool>(), 0i64..(2 * OPEN_RIDE_MS)).prop_map(|(id, out, ago)| {
            let direction = if out {
                TapDirection::Out
            } else {
                TapDirection::In
            };
            tap(&format!("{id}-{ago}-{out}"), direction, NOW - ago)
        })
    }

    proptest! {
        #[test]
        fn rides_do_not_depend_on_the_order_taps_arrive_in(
            taps in proptest::collection::vec(any_tap(), 0..12),
            seed in any::<u64>(),
        ) {
            let mut shuffled = taps.clone();
            // A cheap deterministic shuffle from the seed.
            let mut s = seed | 1;
            for i in (1..shuffled.len()).rev() {
                s ^= s << 13; s ^= s >> 7; s ^= s << 17;
                let j = usize::try_from(s % (i as u64 + 1)).unwrap_or(0);
                shuffled.swap(i, j);
            }
            let rides = pair(&taps, NOW);
            prop_assert_eq!(&rides, &pair(&shuffled, NOW));
            // No tap is in two rides, and every ride has a tap.
            let mut used = std::collections::BTreeSet::new();
            for ride in &rides {
                prop_assert!(ride.entry.is_some() || ride.exit.is_some());
                for t in ride.entry.iter().chain(ride.exit.iter()) {
                    prop_assert!(used.insert(t.id.clone()));
                }
            }
        }
    }
}
