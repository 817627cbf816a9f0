//! The value lists of `$in`, `$nin`, `$ini`, `$nini` and saved groups,
//! hashed once so membership is one probe instead of GrowthBook's linear
//! `Array.prototype.includes`.
//!
//! Membership is `includes`' SameValueZero, which for JSON means: strings
//! and numbers by value, `null`, `true`, `false` by identity, and arrays or
//! objects never (an attribute's array is never the very same object as one
//! in the condition).

use super::js::{lowercase, num_of, Val};
use serde_json::Value;
use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

/// FxHash (rustc's): a few cycles per word, and list values come from
/// authors, not attackers, so a keyed hash buys nothing here.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0xf135_7aea_2e62_a9c5;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

type FxSet<T> = HashSet<T, BuildHasherDefault<FxHasher>>;

/// Below this many strings a linear scan beats hashing the probe.
const SMALL: usize = 8;

#[derive(Debug, Clone)]
enum Strings {
    /// Each with its hash, so a probe compares one word per element and
    /// the bytes only on a hash hit.
    Small(Box<[(u64, Box<str>)]>),
    Hashed(FxSet<Box<str>>),
}

#[inline]
fn fx(s: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(s.as_bytes());
    h.finish()
}

impl Strings {
    fn new(items: Vec<Box<str>>) -> Strings {
        if items.len() <= SMALL {
            Strings::Small(items.into_iter().map(|s| (fx(&s), s)).collect())
        } else {
            Strings::Hashed(items.into_iter().collect())
        }
    }

    #[inline]
    fn contains(&self, s: &str) -> bool {
        match self {
            Strings::Small(v) if v.is_empty() => false,
            Strings::Small(v) => {
                let h = fx(s);
                v.iter().any(|(xh, x)| *xh == h && &**x == s)
            }
            Strings::Hashed(h) => h.contains(s),
        }
    }
}

/// A compiled value list.
#[derive(Debug, Clone)]
pub(crate) struct ValueSet {
    strings: Strings,
    numbers: Box<[f64]>,
    null: bool,
    yes: bool,
    no: bool,
    /// Strings are compared after `toLowerCase()` (`$ini`, `$nini`).
    fold: bool,
}

impl ValueSet {
    /// Builds the set of `items`; `fold` lower-cases strings on both sides.
    pub(crate) fn new(items: &[Value], fold: bool) -> ValueSet {
        let mut strings = Vec::new();
        let mut numbers = Vec::new();
        let (mut null, mut yes, mut no) = (false, false, false);
        for item in items {
            match item {
                Value::Null => null = true,
                Value::Bool(true) => yes = true,
                Value::Bool(false) => no = true,
                Value::Number(n) => numbers.push(num_of(n)),
                Value::String(s) if fold => strings.push(lowercase(s).into_boxed_str()),
                Value::String(s) => strings.push(s.as_str().into()),
                Value::Array(_) | Value::Object(_) => {}
            }
        }
        ValueSet {
            strings: Strings::new(strings),
            numbers: numbers.into_boxed_slice(),
            null,
            yes,
            no,
            fold,
        }
    }

    /// Its strings, when it holds nothing but strings and does not fold
    /// case (the sets a [`ConditionSet`](super::ConditionSet) can test by
    /// bitmask).
    pub(crate) fn only_strings(&self) -> Option<Vec<&str>> {
        if self.fold || self.null || self.yes || self.no || !self.numbers.is_empty() {
            return None;
        }
        Some(match &self.strings {
            Strings::Small(v) => v.iter().map(|(_, s)| &**s).collect(),
            Strings::Hashed(h) => h.iter().map(|s| &**s).collect(),
        })
    }

    /// `expected.includes(v)` (with case folding if this is a folded set).
    #[inline]
    pub(crate) fn contains(&self, v: Val) -> bool {
        match v {
            Val::Str(s) if self.fold => self.contains_folded(s),
            Val::Str(s) => self.strings.contains(s),
            Val::Num(n) => self.numbers.contains(&n),
            Val::Null => self.null,
            Val::Bool(true) => self.yes,
            Val::Bool(false) => self.no,
            _ => false,
        }
    }

    fn contains_folded(&self, s: &str) -> bool {
        if s.is_ascii() && s.len() <= 64 {
            let mut buf = [0u8; 64];
            let lower = &mut buf[..s.len()];
            lower.copy_from_slice(s.as_bytes());
            lower.make_ascii_lowercase();
            // ASCII in, ASCII out: still valid UTF-8.
            return std::str::from_utf8(lower).is_ok_and(|l| self.strings.contains(l));
        }
        self.strings.contains(&lowercase(s))
    }

    /// GrowthBook's `isIn`: an array attribute matches when any of its
    /// elements is in the list.
    #[inline]
    pub(crate) fn is_in(&self, actual: Val) -> bool {
        match actual {
            Val::Arr(items) => items.iter().any(|e| self.contains(e)),
            other => self.contains(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn membership_is_same_value_zero() {
        let items = json!(["a", 1, null, true, [1], {"a": 1}]);
        let set = ValueSet::new(items.as_array().unwrap(), false);
        assert!(set.contains(Val::Str("a")));
        assert!(set.contains(Val::Num(1.0)));
        assert!(set.contains(Val::Null));
        assert!(!set.contains(Val::Str("1")));
        assert!(!set.contains(Val::Bool(false)));
        assert!(set.is_in(Val::from(&json!(["x", "a"]))));
        assert!(!set.is_in(Val::from(&json!([[1]]))));
        let many: Vec<Value> = (0..50).map(|i| json!(format!("V{i}"))).collect();
        let folded = ValueSet::new(&many, true);
        assert!(folded.contains(Val::Str("v7")));
        assert!(folded.contains(Val::Str("V49")));
        assert!(!folded.contains(Val::Str("v50")));
    }
}
