//! Random bits from the operating system, for the random part of generated
//! TR_IDs and for retry jitter (getrandom: the crate rustls's `ring` already
//! builds, so the SDK adds no random-number stack of its own).

use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};

/// 128 random bits from the operating system.
///
/// Should the OS refuse (no entropy source in a sandbox), the bits come from
/// std's SipHash under `RandomState` keys (the ones `HashMap` uses, which std
/// also draws from the OS) over a process-wide counter and the clock: still
/// distinct per call and per process, never a panic.
pub(crate) fn random_u128() -> u128 {
    let mut bytes = [0u8; 16];
    match getrandom::getrandom(&mut bytes) {
        Ok(()) => u128::from_le_bytes(bytes),
        Err(_) => fallback_u128(),
    }
}

/// The stand-in when the OS gives no random bytes.
fn fallback_u128() -> u128 {
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let call = CALLS.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let keys = RandomState::new();
    let half = |which: u8| {
        let mut hasher = keys.build_hasher();
        hasher.write_u8(which);
        hasher.write_u64(call);
        hasher.write_u128(nanos);
        hasher.write_u32(std::process::id());
        hasher.finish()
    };
    (u128::from(half(0)) << 64) | u128::from(half(1))
}

/// 64 random bits (see [`random_u128`]).
pub(crate) fn random_u64() -> u64 {
    // the low half of 128 random bits
    random_u128() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_differ_and_cover_every_bit() {
        let draws: Vec<u128> = (0..64).map(|_| random_u128()).collect();
        let unique: std::collections::HashSet<_> = draws.iter().collect();
        assert_eq!(unique.len(), draws.len());
        let (ones, zeros) = draws
            .iter()
            .fold((0u128, 0u128), |(o, z), d| (o | d, z | !d));
        assert_eq!(
            (ones, zeros),
            (u128::MAX, u128::MAX),
            "every bit is seen set and clear"
        );
        assert_ne!(random_u64(), random_u64());
    }

    #[test]
    fn the_stand_in_differs_per_call() {
        let draws: std::collections::HashSet<u128> = (0..64).map(|_| fallback_u128()).collect();
        assert_eq!(draws.len(), 64);
    }
}
