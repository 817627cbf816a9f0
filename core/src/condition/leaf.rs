//! The leaves a [`ConditionSet`](super::ConditionSet) answers in bulk at the
//! start of a pass, each kind in its own tight loop over precomputed data
//! rather than through the general evaluator's chain of enums:
//!
//! * string tests (`$in`/`$nin` of strings, `$eq`/`$ne` a string, a bare
//!   string, `$elemMatch: {$eq|$in: …}` and `$all` of strings): every string
//!   the set's leaves name on a path gets a bit of that path's 64-bit
//!   dictionary, the attribute's value is looked up once per pass (an
//!   array's string elements ORed together), and each leaf is one AND;
//! * numeric comparisons (`$gt`, `$gte`, `$lt`, `$lte`, one or two of them)
//!   on a number;
//! * version comparisons: the distinct versions the set compares a path
//!   with are padded and sorted once, the attribute is padded once per pass
//!   and placed among them, and each leaf compares two indices.
//!
//! Whatever a fast form does not cover exactly (a value of another shape,
//! such as a number where a string test expects a string, which JavaScript
//! would coerce) goes to the general evaluator for that leaf and pass, so
//! the answers are GrowthBook's either way. Answering a leaf no condition
//! reaches is harmless: leaves are pure, and a leaf that would throw is
//! only reported when the evaluation order reaches it.

use super::compile::{Op, Test, VRel};
use super::js::{cmp_utf16, Lit, Rel, Val};
use super::program::{Leaf, F, T};
use super::set::FxHasher;
use super::version::with_padded;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// A value as string leaves see it: anything else…
const OTHER: u8 = 0;
/// …a string…
const STR: u8 = 1;
/// …or an array of nothing but strings.
const ARR_STR: u8 = 2;

/// Which string test a leaf is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum How {
    /// `$in` a list of strings: the value, or any element, is in it.
    In,
    /// `$nin` a list of strings.
    Nin,
    /// `$eq` a string (no coercion).
    Eq,
    /// `$ne` a string.
    Ne,
    /// A bare string (`value + "" === s`).
    Coerce,
    /// `$elemMatch: {$eq: s}` or `{$in: [strings]}`.
    Elem,
    /// `$all` of strings.
    All,
}

#[derive(Debug, Clone)]
struct StrLeaf {
    id: u32,
    dict: u32,
    mask: u64,
    /// The answer for each shape (×4) and whether some (×2) and all of
    /// `mask`'s bits are the value's; 0 sends the leaf to the general
    /// evaluator.
    outcome: [u8; 12],
}

/// [`StrLeaf::outcome`] for a test.
fn outcomes(how: How) -> [u8; 12] {
    let mut table = [0u8; 12];
    for (i, cell) in table.iter_mut().enumerate() {
        let (shape, some, all) = ((i / 4) as u8, i & 2 != 0, i & 1 != 0);
        let answer = match (how, shape) {
            (How::In, _) => Some(some),
            (How::Nin, _) => Some(!some),
            (How::Eq, _) => Some(shape == STR && some),
            (How::Ne, _) => Some(!(shape == STR && some)),
            (How::Coerce, STR) => Some(some),
            (How::Elem, ARR_STR) => Some(some),
            (How::All, ARR_STR) => Some(all),
            (How::Elem | How::All, STR) => Some(false),
            _ => None,
        };
        *cell = answer.map_or(0, tri);
    }
    table
}

/// A path's strings, one bit each.
#[derive(Debug, Clone)]
struct Dict {
    slot: u32,
    bits: FxMap<Box<str>, u32>,
}

#[derive(Debug, Clone)]
struct NumLeaf {
    id: u32,
    slot: u32,
    /// Both must hold (a single comparison is in both places).
    ops: [(Rel, f64); 2],
}

#[derive(Debug, Clone)]
struct VerLeaf {
    id: u32,
    table: u32,
    rel: VRel,
    /// Index of this leaf's version in its table.
    at: u32,
}

/// The distinct padded versions a path is compared with, in
/// `paddedVersionString` order.
#[derive(Debug, Clone)]
struct VTable {
    slot: u32,
    sorted: Vec<Box<str>>,
}

/// The bulk-answered leaves of a program.
#[derive(Debug, Clone, Default)]
pub(crate) struct Fast {
    strs: Vec<StrLeaf>,
    dicts: Vec<Dict>,
    nums: Vec<NumLeaf>,
    vers: Vec<VerLeaf>,
    tables: Vec<VTable>,
}

/// Per-pass data of the fast leaves, kept between passes.
#[derive(Debug, Clone, Default)]
pub(crate) struct FastWork {
    /// Per dictionary: the value's shape and its bits.
    facts: Vec<(u8, u64)>,
    /// Per version table: how many versions sort below the value, and
    /// whether the next one equals it.
    ranks: Vec<(u32, bool)>,
}

/// The string test a leaf is, with the strings it names.
fn string_test(t: &Test) -> Option<(How, Vec<&str>)> {
    Some(match t {
        Test::StrEq(s) => (How::Coerce, vec![&**s]),
        Test::Op1(op, _) => match op {
            Op::In(set) => (How::In, set.only_strings()?),
            Op::Nin(set) => (How::Nin, set.only_strings()?),
            Op::Eq(Lit::Str(s)) => (How::Eq, vec![&**s]),
            Op::Ne(Lit::Str(s)) => (How::Ne, vec![&**s]),
            Op::ElemMatchValue(inner) => match &**inner {
                Test::Op1(Op::Eq(Lit::Str(s)), _) => (How::Elem, vec![&**s]),
                Test::Op1(Op::In(set), _) => (How::Elem, set.only_strings()?),
                _ => return None,
            },
            Op::All(tests) => (
                How::All,
                tests
                    .iter()
                    .map(|t| match t {
                        Test::StrEq(s) => Some(&**s),
                        _ => None,
                    })
                    .collect::<Option<_>>()?,
            ),
            _ => return None,
        },
        _ => return None,
    })
}

/// One or two numeric comparisons (one is written twice).
fn numeric_test(t: &Test) -> Option<[(Rel, f64); 2]> {
    let rel = |o: &Op| match o {
        Op::Rel(r, Lit::Num(n)) => Some((*r, *n)),
        _ => None,
    };
    match t {
        Test::Op1(o, _) => {
            let a = rel(o)?;
            Some([a, a])
        }
        Test::Ops(ops) if ops.ops.len() == 2 => Some([rel(&ops.ops[0])?, rel(&ops.ops[1])?]),
        _ => None,
    }
}

impl Fast {
    /// Picks out the leaves a fast form covers; the rest stay with the
    /// general evaluator.
    pub(crate) fn build(leaves: &[Leaf]) -> Fast {
        let mut fast = Fast::default();
        for (id, leaf) in leaves.iter().enumerate() {
            let id = id as u32;
            if let Some((how, words)) = string_test(&leaf.test) {
                let d = index_for(&mut fast.dicts, leaf.slot, |d| d.slot, Dict::new);
                if let Some(mask) = fast.dicts[d as usize].mask(&words) {
                    fast.strs.push(StrLeaf {
                        id,
                        dict: d,
                        mask,
                        outcome: outcomes(how),
                    });
                }
            } else if let Some(ops) = numeric_test(&leaf.test) {
                fast.nums.push(NumLeaf {
                    id,
                    slot: leaf.slot,
                    ops,
                });
            } else if let Test::Op1(Op::Version(rel, v), _) = &*leaf.test {
                let t = index_for(&mut fast.tables, leaf.slot, |t| t.slot, VTable::new);
                fast.tables[t as usize].sorted.push(v.padded().into());
                fast.vers.push(VerLeaf {
                    id,
                    table: t,
                    rel: *rel,
                    at: 0,
                });
            }
        }
        for table in &mut fast.tables {
            // An insertion sort: tables are short, and a library sort would
            // add its code to the wasm.
            let v = &mut table.sorted;
            for i in 1..v.len() {
                let mut j = i;
                while j > 0 && cmp_utf16(&v[j - 1], &v[j]) == Ordering::Greater {
                    v.swap(j - 1, j);
                    j -= 1;
                }
            }
            v.dedup();
        }
        for v in &mut fast.vers {
            if let (Some(table), Some(leaf)) =
                (fast.tables.get(v.table as usize), leaves.get(v.id as usize))
            {
                if let Test::Op1(Op::Version(_, version), _) = &*leaf.test {
                    v.at = table
                        .sorted
                        .partition_point(|c| cmp_utf16(c, version.padded()) == Ordering::Less)
                        as u32;
                }
            }
        }
        fast
    }

    /// Answers every fast leaf into `memo`; `general(id)` answers a leaf
    /// whose value has a shape its fast form does not cover.
    pub(crate) fn run(
        &self,
        slots: &[Val],
        memo: &mut [u8],
        work: &mut FastWork,
        mut general: impl FnMut(u32) -> u8,
    ) {
        let slot = |i: u32| slots.get(i as usize).copied().unwrap_or(Val::Null);
        work.facts.clear();
        work.facts
            .extend(self.dicts.iter().map(|d| d.fact(slot(d.slot))));
        for leaf in &self.strs {
            let (shape, bits) = nth(&work.facts, leaf.dict, (OTHER, 0));
            let hit = bits & leaf.mask;
            let at =
                usize::from(shape) * 4 + usize::from(hit != 0) * 2 + usize::from(hit == leaf.mask);
            let r = match leaf.outcome.get(at) {
                Some(&r) if r != 0 => r,
                _ => general(leaf.id),
            };
            set(memo, leaf.id, r);
        }
        for leaf in &self.nums {
            let r = match slot(leaf.slot) {
                Val::Num(x) => {
                    let [(r1, n1), (r2, n2)] = leaf.ops;
                    tri(r1.num(x, n1) && r2.num(x, n2))
                }
                _ => general(leaf.id),
            };
            set(memo, leaf.id, r);
        }
        work.ranks.clear();
        work.ranks
            .extend(self.tables.iter().map(|t| t.rank(slot(t.slot))));
        for leaf in &self.vers {
            let (below, equal) = nth(&work.ranks, leaf.table, (0, false));
            // The attribute against this leaf's version.
            let o = if leaf.at < below {
                Ordering::Greater
            } else if leaf.at == below && equal {
                Ordering::Equal
            } else {
                Ordering::Less
            };
            set(memo, leaf.id, tri(leaf.rel.holds(o)));
        }
    }
}

/// The index of the entry for `slot` in `list`, added by `make` if there
/// is none (a set has a few such entries, so a scan finds it).
fn index_for<E>(list: &mut Vec<E>, slot: u32, slot_of: fn(&E) -> u32, make: fn(u32) -> E) -> u32 {
    match list.iter().position(|e| slot_of(e) == slot) {
        Some(i) => i as u32,
        None => {
            list.push(make(slot));
            (list.len() - 1) as u32
        }
    }
}

/// `list[i]`, or `none` past its end.
#[inline]
fn nth<T: Copy>(list: &[T], i: u32, none: T) -> T {
    list.get(i as usize).copied().unwrap_or(none)
}

#[inline]
fn tri(b: bool) -> u8 {
    if b {
        T
    } else {
        F
    }
}

#[inline]
fn set(memo: &mut [u8], id: u32, r: u8) {
    if let Some(m) = memo.get_mut(id as usize) {
        *m = r;
    }
}

impl Dict {
    fn new(slot: u32) -> Dict {
        Dict {
            slot,
            bits: FxMap::default(),
        }
    }

    /// The mask of `words`, giving new ones bits; `None` when the 64 bits
    /// run out (the leaf then stays with the general evaluator).
    fn mask(&mut self, words: &[&str]) -> Option<u64> {
        let fresh = words
            .iter()
            .filter(|w| !self.bits.contains_key(**w))
            .count();
        if self.bits.len() + fresh > 64 {
            return None;
        }
        let mut mask = 0u64;
        for w in words {
            let next = self.bits.len() as u32;
            mask |= 1u64 << *self.bits.entry((*w).into()).or_insert(next);
        }
        Some(mask)
    }

    #[inline]
    fn bit(&self, s: &str) -> u64 {
        self.bits.get(s).map_or(0, |&b| 1u64 << b)
    }

    /// The value's shape and bits.
    fn fact(&self, v: Val) -> (u8, u64) {
        match v {
            Val::Str(s) => (STR, self.bit(s)),
            Val::Arr(items) => {
                let (mut all, mut bits) = (true, 0u64);
                for e in items.iter() {
                    match e {
                        Val::Str(s) => bits |= self.bit(s),
                        _ => all = false,
                    }
                }
                (if all { ARR_STR } else { OTHER }, bits)
            }
            _ => (OTHER, 0),
        }
    }
}

impl VTable {
    fn new(slot: u32) -> VTable {
        VTable {
            slot,
            sorted: Vec::new(),
        }
    }

    /// How many of the versions sort below `paddedVersionString(v)`, and
    /// whether the next one equals it.
    fn rank(&self, v: Val) -> (u32, bool) {
        with_padded(v, |p| {
            let below = self
                .sorted
                .partition_point(|c| cmp_utf16(c, p) == Ordering::Less);
            (
                below as u32,
                self.sorted.get(below).is_some_and(|c| &**c == p),
            )
        })
    }
}
