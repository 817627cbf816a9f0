//! GrowthBook's deterministic bucketing hash, so that a user lands in the
//! same hold-out or rollout bucket here, on the server and in any
//! GrowthBook SDK.
//!
//! It is FNV-1a (32-bit) over the UTF-16 code units of the input, as
//! JavaScript's `charCodeAt` sees them.

/// FNV-1a, 32-bit, over UTF-16 code units (GrowthBook's `hashFnv32a`).
pub fn fnv1a32(s: &str) -> u32 {
    s.encode_utf16().fold(0x811c_9dc5u32, |h, unit| {
        (h ^ u32::from(unit)).wrapping_mul(0x0100_0193)
    })
}

/// GrowthBook's `hash(seed, value, version)`: a number in `[0, 1)`, or
/// `None` for a version it does not know.
///
/// Version 2 is the unbiased one (`fnv(fnv(seed + value) as decimal) %
/// 10000 / 10000`); version 1 is the original, kept for old experiments
/// (`fnv(value + seed) % 1000 / 1000`).
pub fn hash(seed: &str, value: &str, version: u32) -> Option<f64> {
    match version {
        2 => {
            let inner = fnv1a32(&[seed, value].concat());
            Some(f64::from(fnv1a32(&inner.to_string()) % 10000) / 10000.0)
        }
        1 => Some(f64::from(fnv1a32(&[value, seed].concat()) % 1000) / 1000.0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_growthbook() {
        assert_eq!(hash("", "a", 1), Some(0.22));
        assert_eq!(hash("", "b", 1), Some(0.077));
        assert_eq!(hash("b", "a", 1), Some(0.946));
        assert_eq!(hash("", "a", 3), None);
        assert_eq!(fnv1a32(""), 0x811c_9dc5);
    }
}
