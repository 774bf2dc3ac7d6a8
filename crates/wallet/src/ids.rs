//! New ids: UUIDv7 from the [`Clock`]'s milliseconds and the [`Randomness`] port's bytes, so ids
//! stay ordered by time in production and replay byte for byte in the simulation.

use crate::{Clock, Randomness};
use std::sync::{Arc, Mutex, PoisonError};
use uuid::Uuid;

/// Makes ids. Clones share one ordering: an id is always above every id made before it by this
/// maker (or its clones), even within one millisecond or when the clock steps back.
#[derive(Clone)]
pub struct Ids {
    clock: Arc<dyn Clock>,
    random: Arc<dyn Randomness>,
    /// The last UUID handed out, as a number.
    last: Arc<Mutex<u128>>,
}

/// The UUIDv7 bits after the version and variant: `rand_b`, 62 bits.
const RAND_B: u128 = (1 << 62) - 1;

impl Ids {
    /// Ids from `clock`'s time and `random`'s bytes.
    pub fn new(clock: Arc<dyn Clock>, random: Arc<dyn Randomness>) -> Ids {
        Ids {
            clock,
            random,
            last: Arc::new(Mutex::new(0)),
        }
    }

    /// The clock the ids' times come from.
    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// Fills `buf` from the randomness port. Ids cannot wait for a working generator, so its
    /// failure panics here, as the uuid crate's own v7 and v4 constructors do.
    fn fill(&self, buf: &mut [u8]) {
        if let Err(e) = self.random.fill(buf) {
            panic!("no random bytes for an id: {e}");
        }
    }

    /// A new time-ordered UUID (v7).
    pub fn uuid_v7(&self) -> Uuid {
        let mut bytes = [0u8; 10];
        self.fill(&mut bytes);
        let ms = u64::try_from(self.clock.now_ms()).unwrap_or(0);
        let made = uuid::Builder::from_unix_timestamp_millis(ms, &bytes)
            .into_uuid()
            .as_u128();
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        // Within a millisecond (or after the clock stepped back), count up from the last id in
        // its random bits, as the uuid crate orders its own v7 ids within one process.
        let id = if made > *last || *last & RAND_B == RAND_B {
            made
        } else {
            *last + 1
        };
        *last = id;
        Uuid::from_u128(id)
    }

    /// A new random UUID (v4): 122 random bits, no time.
    pub fn uuid_v4(&self) -> Uuid {
        let mut bytes = [0u8; 16];
        self.fill(&mut bytes);
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }

    /// A movement's id: a UUIDv7 in hyphenated form. Records sort by it.
    pub fn movement_id(&self) -> String {
        self.uuid_v7().to_string()
    }

    /// An opaque record id (holders, wallets, sessions, cards): a UUIDv7 as 32 hex digits.
    pub fn record_id(&self) -> String {
        self.uuid_v7().simple().to_string()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{OsRandomness, SeededRandomness};
    use std::sync::atomic::{AtomicI64, Ordering};

    /// A clock tests move by hand.
    struct Hand(AtomicI64);

    impl Clock for Hand {
        fn now_ms(&self) -> i64 {
            self.0.load(Ordering::SeqCst)
        }
    }

    #[test]
    fn production_ids_are_uuid_v7_ordered_by_the_clock() {
        let clock = Arc::new(Hand(AtomicI64::new(1_800_000_000_000)));
        let ids = Ids::new(clock.clone(), Arc::new(OsRandomness));
        let mut made = Vec::new();
        for step in 0..200 {
            // Several ids per millisecond, and once the clock steps back.
            if step % 3 == 0 {
                clock.0.fetch_add(1, Ordering::SeqCst);
            }
            if step == 100 {
                clock.0.fetch_sub(50, Ordering::SeqCst);
            }
            made.push(ids.uuid_v7());
        }
        for id in &made {
            assert_eq!(id.get_version_num(), 7);
        }
        assert!(made.windows(2).all(|w| w[0] < w[1]), "not ordered");
        let (secs, _) = made[0].get_timestamp().unwrap().to_unix();
        assert_eq!(secs, 1_800_000_000);
        // A later millisecond sorts after every id of an earlier one.
        clock.0.fetch_add(1_000, Ordering::SeqCst);
        let later = ids.movement_id();
        assert!(made.iter().all(|id| id.to_string() < later));
    }

    #[test]
    fn seeded_ids_replay() {
        let make = || {
            let ids = Ids::new(
                Arc::new(Hand(AtomicI64::new(1_900_000_000_000))),
                Arc::new(SeededRandomness::new(42)),
            );
            (ids.movement_id(), ids.record_id(), ids.uuid_v4())
        };
        assert_eq!(make(), make());
        assert_eq!(make().2.get_version_num(), 4);
    }
}
