//! Many conditions against one user: the SDK's case (every message's
//! audience, each time the page or the user changes). A [`ConditionSet`]
//! resolves every distinct root-level path once per pass, by one walk over
//! the attribute object, instead of once per leaf that names it, and
//! evaluates each distinct costly leaf (regex, version, `$elemMatch`,
//! `$all`) once per pass however many audiences repeat it — audiences are
//! written from a few building blocks ("on mobile", "app ≥ 2.4"), so they
//! do.

use super::compile::{Clause, Cond, Op, Test};
use super::eval::{self, Ctx};
use super::js::Val;
use super::path::Path;
use super::set::FxHasher;
use super::{Condition, SavedGroups};
use serde_json::{Map, Value};
use std::cell::Cell;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::OnceLock;

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Compiled conditions evaluated together against one set of attributes.
#[derive(Debug, Clone)]
pub struct ConditionSet {
    conditions: Vec<Condition>,
    /// Every distinct root-level path, by slot.
    paths: Vec<Path>,
    /// Slots by first segment.
    by_first: FxMap<Box<str>, Vec<u32>>,
    /// How many distinct costly leaves share result cells.
    memo_cells: usize,
}

fn empty_object() -> &'static Map<String, Value> {
    static EMPTY: OnceLock<Map<String, Value>> = OnceLock::new();
    EMPTY.get_or_init(Map::new)
}

impl ConditionSet {
    /// Takes compiled conditions and numbers their root-level paths.
    pub fn new(mut conditions: Vec<Condition>) -> ConditionSet {
        let mut numbering = Numbering::default();
        for c in &mut conditions {
            numbering.assign(&mut c.root);
        }
        let Numbering { paths, leaves, .. } = numbering;
        let mut by_first: FxMap<Box<str>, Vec<u32>> = FxMap::default();
        for (slot, p) in paths.iter().enumerate() {
            by_first
                .entry(p.first().into())
                .or_default()
                .push(slot as u32);
        }
        ConditionSet {
            conditions,
            paths,
            by_first,
            memo_cells: leaves.len(),
        }
    }

    /// How many conditions.
    pub fn len(&self) -> usize {
        self.conditions.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.conditions.is_empty()
    }

    /// The `i`th condition (for [`Condition::explain`]).
    pub fn get(&self, i: usize) -> Option<&Condition> {
        self.conditions.get(i)
    }

    /// Evaluates every condition; `out` is cleared and gets one result per
    /// condition, in order (pass the same `Vec` each time to reuse it).
    pub fn eval_all(&self, attributes: &Value, groups: &SavedGroups, out: &mut Vec<bool>) {
        let root = Val::from(attributes);
        let slots = self.resolve(root);
        let memo = vec![Cell::new(0u8); self.memo_cells];
        let thrown = Cell::new(false);
        let ctx = Ctx {
            slots: &slots,
            memo: &memo,
            ..Ctx::new(groups, &thrown)
        };
        out.clear();
        out.extend(self.conditions.iter().map(|c| {
            thrown.set(false);
            // Where GrowthBook would throw, the audience does not match.
            eval::cond(&c.root, root, ctx) && !thrown.get()
        }));
    }

    /// The value of every root path for this pass.
    fn resolve<'a>(&self, root: Val<'a>) -> Vec<Val<'a>> {
        match root {
            Val::Obj(map) => {
                // What an absent key gives (null, or an inherited built-in),
                // then one pass over the keys that are there.
                let absent = Val::Obj(empty_object());
                let mut slots: Vec<Val<'a>> = self.paths.iter().map(|p| p.get(absent)).collect();
                for (key, value) in map {
                    if let Some(ids) = self.by_first.get(key.as_str()) {
                        for &id in ids {
                            slots[id as usize] = self.paths[id as usize].get_rest(Val::from(value));
                        }
                    }
                }
                slots
            }
            other => self.paths.iter().map(|p| p.get(other)).collect(),
        }
    }
}

/// Numbers the paths evaluated against the root object (those of the
/// condition itself and of its `$and`/`$or`/`$nor`/`$not` branches, not
/// those inside `$elemMatch`, which see elements) and the costly leaves
/// among them.
#[derive(Default)]
struct Numbering {
    paths: Vec<Path>,
    by_text: HashMap<String, u32>,
    leaves: HashMap<String, u32>,
}

impl Numbering {
    fn assign(&mut self, c: &mut Cond) {
        for clause in c.clauses.iter_mut() {
            match clause {
                Clause::Path(p, t) => {
                    let paths = &mut self.paths;
                    let slot = *self
                        .by_text
                        .entry(p.as_str().to_owned())
                        .or_insert_with(|| {
                            paths.push(p.clone());
                            (paths.len() - 1) as u32
                        });
                    p.set_slot(slot);
                    if let Some(key) = costly_leaf_key(p, t) {
                        let next = self.leaves.len() as u32;
                        p.set_memo(*self.leaves.entry(key).or_insert(next));
                    }
                }
                Clause::Or(list) | Clause::Nor(list) | Clause::And(list) => {
                    for sub in list.iter_mut() {
                        self.assign(sub);
                    }
                }
                Clause::Not(sub, _) => self.assign(sub),
                Clause::SavedGroup(_) => {}
            }
        }
    }
}

/// A key equal for identical leaves worth remembering, `None` for cheap
/// ones (a lookup and a comparison cost less than the memo).
fn costly_leaf_key(p: &Path, t: &Test) -> Option<String> {
    let Test::Ops(ops) = t else { return None };
    let costly = ops.iter().any(|o| {
        matches!(
            o.op,
            Op::Regex(_)
                | Op::Version(..)
                | Op::ElemMatchCond(_)
                | Op::ElemMatchValue(_)
                | Op::All(_)
        )
    });
    if !costly {
        return None;
    }
    // Paths and operator arguments as JSON text: equal text, equal leaf.
    let mut key = Value::from(p.as_str()).to_string();
    for o in ops.iter() {
        key.push_str(&Value::from(&*o.name).to_string());
        key.push_str(&o.arg.to_string());
    }
    Some(key)
}
