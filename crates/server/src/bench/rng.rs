//! The bench's random numbers: which holder pays whom, how much, and card numbers behind a BIN.

/// A small, fast PRNG (SplitMix64): the bench needs spread, not secrecy.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn seeded() -> Rng {
        Rng(uuid::Uuid::new_v4().as_u128() as u64)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(super) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}
