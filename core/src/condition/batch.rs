//! Many conditions against one user: the SDK's case (every message's
//! audience, each time the page or the user changes). A [`ConditionSet`]
//! resolves every distinct root-level path once per pass, by one walk over
//! the attribute object, instead of once per leaf that names it, and
//! evaluates each distinct operator leaf once per pass however many
//! audiences repeat it — audiences are written from a few building blocks
//! ("on mobile", "app ≥ 2.4", "plan in pro/team"), so they do.

use super::attrs::{self, Raw};
use super::compile::{Clause, Cond, Test};
use super::eval::{self, Ctx};
use super::js::{json_text, write_json_str, Val};
use super::path::Path;
use super::set::FxHasher;
use super::{Condition, SavedGroups};
use crate::{Error, Result};
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
    /// How many distinct operator leaves share result cells.
    memo_cells: usize,
    /// Some condition reads the root object other than through a path
    /// (`$savedGroup`), so the attributes must be parsed whole.
    needs_root: bool,
    /// What each root path is when its first segment is absent: `null`, or
    /// an inherited built-in (nothing that borrows from the attributes).
    absent: Vec<Val<'static>>,
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
        let Numbering {
            paths,
            leaves,
            needs_root,
            ..
        } = numbering;
        let mut by_first: FxMap<Box<str>, Vec<u32>> = FxMap::default();
        for (slot, p) in paths.iter().enumerate() {
            by_first
                .entry(p.first().into())
                .or_default()
                .push(slot as u32);
        }
        let absent = paths
            .iter()
            .map(|p| p.get(Val::Obj(empty_object())))
            .collect();
        ConditionSet {
            absent,
            conditions,
            paths,
            by_first,
            memo_cells: leaves.len(),
            needs_root,
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
    /// Where GrowthBook would throw, the result is `false`.
    pub fn eval_all(&self, attributes: &Value, groups: &SavedGroups, out: &mut Vec<bool>) {
        let root = Val::from(attributes);
        let slots = self.resolve(root);
        self.eval_with(root, &slots, groups, out);
    }

    /// [`ConditionSet::eval_all`] on attributes given as JSON text, read
    /// leanly: only the members the conditions name are looked at, and
    /// plain strings and numbers are used in place (see `attrs.rs`). This is
    /// the entry point for attributes crossing from JavaScript.
    pub fn eval_all_json(
        &self,
        attributes: &str,
        groups: &SavedGroups,
        out: &mut Vec<bool>,
    ) -> Result<()> {
        let bad = |reason: String| Error::InvalidAttributes { reason };
        if !self.needs_root {
            let mut found: Vec<(&[u32], Raw)> = Vec::new();
            let is_object = attrs::read_members(
                attributes,
                |k| self.by_first.contains_key(k),
                |k, raw| {
                    if let Some(ids) = self.by_first.get(k) {
                        found.push((ids, raw));
                    }
                },
            )
            .map_err(bad)?;
            if is_object {
                // Nested values are parsed first, so the slots can borrow them.
                let owned = found
                    .iter()
                    .filter_map(|(_, raw)| match raw {
                        Raw::Text(t) => Some(serde_json::from_str::<Value>(t)),
                        _ => None,
                    })
                    .collect::<std::result::Result<Vec<Value>, _>>()
                    .map_err(|e| bad(e.to_string()))?;
                let mut owned = owned.iter();
                let mut slots = self.absent_slots();
                for (ids, raw) in &found {
                    let v = match *raw {
                        Raw::Null => Val::Null,
                        Raw::Bool(b) => Val::Bool(b),
                        Raw::Num(n) => Val::Num(n),
                        Raw::Str(s) => Val::Str(s),
                        Raw::Text(_) => owned.next().map_or(Val::Null, Val::from),
                    };
                    for &id in ids.iter() {
                        slots[id as usize] = self.paths[id as usize].get_rest(v);
                    }
                }
                // Every root-level read goes through a slot here, so the
                // root itself is never looked at.
                self.eval_with(Val::Null, &slots, groups, out);
                return Ok(());
            }
        }
        let parsed: Value = serde_json::from_str(attributes).map_err(|e| bad(e.to_string()))?;
        self.eval_all(&parsed, groups, out);
        Ok(())
    }

    fn eval_with<'a>(
        &self,
        root: Val<'a>,
        slots: &[Val<'a>],
        groups: &SavedGroups,
        out: &mut Vec<bool>,
    ) {
        let memo = vec![Cell::new(0u8); self.memo_cells];
        let thrown = Cell::new(false);
        let ctx = Ctx {
            slots,
            memo: &memo,
            ..Ctx::new(groups, &thrown)
        };
        out.clear();
        out.extend(self.conditions.iter().map(|c| {
            thrown.set(false);
            // Where GrowthBook would throw, the audience does not match.
            eval::cond(&c.root, root, &ctx) && !thrown.get()
        }));
    }

    /// What every root path is when its first segment is absent (null, or
    /// an inherited built-in).
    fn absent_slots<'a>(&self) -> Vec<Val<'a>> {
        self.absent.clone()
    }

    /// The value of every root path for this pass.
    fn resolve<'a>(&self, root: Val<'a>) -> Vec<Val<'a>> {
        match root {
            Val::Obj(map) => {
                // What an absent key gives (null, or an inherited built-in),
                // then one pass over the keys that are there.
                let mut slots = self.absent_slots();
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
/// those inside `$elemMatch`, which see elements) and the distinct operator
/// leaves among them.
#[derive(Default)]
struct Numbering {
    paths: Vec<Path>,
    by_text: HashMap<String, u32>,
    leaves: HashMap<String, u32>,
    needs_root: bool,
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
                    if let Some(key) = leaf_key(p, t) {
                        let next = self.leaves.len() as u32;
                        p.set_memo(*self.leaves.entry(key).or_insert(next));
                    }
                }
                Clause::Or(list) | Clause::Nor(list) => {
                    for sub in list.iter_mut() {
                        self.assign(sub);
                    }
                }
                Clause::Not(sub, _) => self.assign(sub),
                Clause::SavedGroup(_) => self.needs_root = true,
            }
        }
    }
}

/// A key equal for identical operator leaves (`{"plan": {"$in": [..]}}`),
/// whose result is then shared for the pass; plain equality leaves are
/// cheaper to redo than to look up.
fn leaf_key(p: &Path, t: &Test) -> Option<String> {
    let src: &[(Box<str>, Value)] = match t {
        Test::Ops(ops) => &ops.src,
        Test::Op1(_, src) => std::slice::from_ref(&**src),
        _ => return None,
    };
    // Paths and operator arguments as JSON text: equal text, equal leaf.
    let mut key = String::new();
    write_json_str(p.as_str(), &mut key);
    for (name, arg) in src {
        write_json_str(name, &mut key);
        key.push_str(&json_text(arg));
    }
    Some(key)
}
