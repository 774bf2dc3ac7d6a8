//! The sandbox bank's bookings kept in memory: for a sandbox bank given no storage (the
//! connectors' own tests, the wallet's tests without a server). The server gives it the
//! database instead, so that its statements outlive the process.

use async_trait::async_trait;
use qianbao_wallet::{BankBooking, SandboxBankBooks, StoreError};
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

/// Bookings in order, each reference once.
#[derive(Debug, Default)]
pub(crate) struct MemoryBooks {
    /// The bookings in the order they were made, and where each reference's is.
    kept: Mutex<(Vec<BankBooking>, HashMap<String, usize>)>,
}

#[async_trait]
impl SandboxBankBooks for MemoryBooks {
    async fn book(&self, booking: &BankBooking) -> Result<BankBooking, StoreError> {
        // Every change is one whole push and insert, so a poisoned lock still guards sound books.
        let mut guard = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        let (list, at) = &mut *guard;
        if let Some(&i) = at.get(&booking.reference) {
            return Ok(list[i].clone());
        }
        at.insert(booking.reference.clone(), list.len());
        list.push(booking.clone());
        Ok(booking.clone())
    }

    async fn booked_between(
        &self,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<BankBooking>, StoreError> {
        let guard = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(guard
            .0
            .iter()
            .filter(|b| from_ms <= b.booked_ms && b.booked_ms < to_ms)
            .cloned()
            .collect())
    }
}
