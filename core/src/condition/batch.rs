//! Many conditions against one user: the SDK's case (every message's
//! audience, each time the page or the user changes). A [`ConditionSet`]
//! compiles its conditions into one flat program (`program.rs`), resolves
//! every distinct root-level path once per pass by one walk over the
//! attribute object, and evaluates each distinct leaf at most once per pass
//! however many audiences repeat it — audiences are written from a few
//! building blocks ("on mobile", "app ≥ 2.4", "plan in pro/team"), so they
//! do.

use super::doc::{Doc, Tape};
use super::elems::Rows;
use super::js::{Obj, Val};
use super::leaf::FastWork;
use super::program::{Builder, Pass, Program, UNKNOWN};
use super::set::FxHasher;
use super::{Condition, SavedGroups};
use crate::{Error, Result};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::OnceLock;

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Compiled conditions evaluated together against one set of attributes.
#[derive(Debug, Clone)]
pub struct ConditionSet {
    conditions: Vec<Condition>,
    program: Program,
    /// Top-level attribute names the root paths start with, numbered.
    by_first: FxMap<Box<str>, u32>,
    /// The slots of the root paths under each numbered first segment.
    first_slots: Vec<Box<[u32]>>,
    /// Some condition reads the root object other than through a path
    /// (`$savedGroup`), so the attributes must be parsed whole.
    needs_root: bool,
    /// What each root path is when its first segment is absent: `null`, or
    /// an inherited built-in (nothing that borrows from the attributes).
    absent: Vec<Val<'static>>,
}

/// Buffers a pass needs, kept between passes so a pass does not allocate
/// once they have grown to fit: pass the same one to
/// [`ConditionSet::eval_all_json_with`] each time.
#[derive(Debug, Default, Clone)]
pub struct Scratch {
    tape: Tape,
    found: Vec<(u32, u32)>,
    work: Work,
}

/// What a pass needs whatever the attributes came as.
#[derive(Debug, Default, Clone)]
struct Work {
    memo: Vec<u8>,
    fast: FastWork,
    rows: Vec<Rows>,
}

fn empty_object() -> &'static Map<String, Value> {
    static EMPTY: OnceLock<Map<String, Value>> = OnceLock::new();
    EMPTY.get_or_init(Map::new)
}

impl ConditionSet {
    /// Compiles the conditions together into one program.
    pub fn new(conditions: Vec<Condition>) -> ConditionSet {
        let mut builder = Builder::default();
        for c in &conditions {
            builder.add(&c.root);
        }
        let program = builder.finish();
        let mut by_first: FxMap<Box<str>, u32> = FxMap::default();
        let mut first_slots: Vec<Vec<u32>> = Vec::new();
        for (slot, p) in program.paths.iter().enumerate() {
            let next = first_slots.len() as u32;
            let k = *by_first.entry(p.first().into()).or_insert(next);
            if k == next {
                first_slots.push(Vec::new());
            }
            first_slots[k as usize].push(slot as u32);
        }
        let absent = program
            .paths
            .iter()
            .map(|p| p.get(Val::Obj(Obj::Json(empty_object()))))
            .collect();
        ConditionSet {
            absent,
            needs_root: program.needs_root(),
            conditions,
            program,
            by_first,
            first_slots: first_slots.into_iter().map(Into::into).collect(),
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

    /// The top-level attributes the conditions read, in the order
    /// [`ConditionSet::eval_all_packed_with`] expects them; `None` when
    /// some condition reads the whole object (`$savedGroup`), which must
    /// then be packed whole.
    pub fn attribute_names(&self) -> Option<Vec<&str>> {
        if self.needs_root {
            return None;
        }
        let mut names = vec![""; self.first_slots.len()];
        for (name, &i) in &self.by_first {
            if let Some(n) = names.get_mut(i as usize) {
                *n = name;
            }
        }
        Some(names)
    }

    /// `attributes` in the packed form [`ConditionSet::eval_all_packed_with`]
    /// reads, as `benches/rules-pack.mjs` writes it in JavaScript: the
    /// doubles and the strings' bytes.
    pub fn pack(&self, attributes: &Value) -> (Vec<f64>, Vec<u8>) {
        super::doc::pack(self.attribute_names().as_deref(), attributes)
    }

    /// Evaluates every condition; `out` is cleared and gets one result per
    /// condition, in order (pass the same `Vec` each time to reuse it).
    /// Where GrowthBook would throw, the result is `false`.
    pub fn eval_all(&self, attributes: &Value, groups: &SavedGroups, out: &mut Vec<bool>) {
        let root = Val::from(attributes);
        let slots = self.resolve(root);
        self.run(root, &slots, groups, &mut Work::default(), out);
    }

    /// [`ConditionSet::eval_all`] on attributes given as JSON text, read
    /// leanly: only the members the conditions name are parsed, onto a flat
    /// tape, and the rest is skipped (see `doc.rs`). This is the entry
    /// point for attributes crossing from JavaScript.
    pub fn eval_all_json(
        &self,
        attributes: &str,
        groups: &SavedGroups,
        out: &mut Vec<bool>,
    ) -> Result<()> {
        self.eval_all_json_with(attributes, groups, &mut Scratch::default(), out)
    }

    /// [`ConditionSet::eval_all_json`] with buffers kept from earlier
    /// passes, so that once warm a pass allocates nothing.
    pub fn eval_all_json_with(
        &self,
        attributes: &str,
        groups: &SavedGroups,
        scratch: &mut Scratch,
        out: &mut Vec<bool>,
    ) -> Result<()> {
        let bad = |reason: String| Error::InvalidAttributes { reason };
        let Scratch { tape, found, work } = scratch;
        tape.clear();
        found.clear();
        let is_object = !self.needs_root
            && tape
                .read_members(
                    attributes,
                    |k| self.by_first.get(k).copied(),
                    |first, node| found.push((first, node)),
                )
                .map_err(bad)?;
        if is_object {
            self.run_members(tape.doc(attributes), found, groups, work, out);
            return Ok(());
        }
        tape.clear();
        let root = tape.parse_document(attributes).map_err(bad)?;
        self.run_root(tape.doc(attributes), root, groups, work, out);
        Ok(())
    }

    /// [`ConditionSet::eval_all_json_with`] on attributes packed by
    /// JavaScript into `words` and `strings` (the format is described in
    /// `doc.rs`; `benches/rules-pack.mjs` writes it): the members named by
    /// [`ConditionSet::attribute_names`] in that order, or the whole value
    /// (required when that is `None`, and the writer's choice for
    /// attributes that are not an object). Cheaper on both sides than JSON
    /// text: nothing the conditions do not read is written, and nothing
    /// needs parsing.
    pub fn eval_all_packed_with(
        &self,
        words: &[f64],
        strings: &[u8],
        groups: &SavedGroups,
        scratch: &mut Scratch,
        out: &mut Vec<bool>,
    ) -> Result<()> {
        let bad = |reason: String| Error::InvalidAttributes { reason };
        let strings = std::str::from_utf8(strings).map_err(|e| bad(e.to_string()))?;
        let Scratch { tape, found, work } = scratch;
        tape.clear();
        found.clear();
        let members = (!self.needs_root).then_some(self.first_slots.len() as u32);
        let root = tape
            .read_packed(words, strings, members, |member, node| {
                found.push((member, node))
            })
            .map_err(bad)?;
        match root {
            Some(root) => self.run_root(tape.doc(strings), root, groups, work, out),
            None => self.run_members(tape.doc(strings), found, groups, work, out),
        }
        Ok(())
    }

    /// A pass over top-level members read onto a tape: `found` holds the
    /// member number and node of each, in order (so a repeated key's last
    /// value wins).
    fn run_members(
        &self,
        doc: Doc,
        found: &[(u32, u32)],
        groups: &SavedGroups,
        work: &mut Work,
        out: &mut Vec<bool>,
    ) {
        let mut slots = self.absent.clone();
        for &(first, node) in found {
            self.fill(&mut slots, first, doc.val(node));
        }
        // Every root-level read goes through a slot here, so the root
        // itself is never looked at.
        self.run(Val::Null, &slots, groups, work, out);
    }

    /// A pass over a whole attribute value read onto a tape.
    fn run_root(
        &self,
        doc: Doc,
        root: u32,
        groups: &SavedGroups,
        work: &mut Work,
        out: &mut Vec<bool>,
    ) {
        let root = doc.val(root);
        let slots = self.resolve(root);
        self.run(root, &slots, groups, work, out);
    }

    fn run<'a>(
        &self,
        root: Val<'a>,
        slots: &[Val<'a>],
        groups: &SavedGroups,
        work: &mut Work,
        out: &mut Vec<bool>,
    ) {
        work.memo.clear();
        work.memo.resize(self.program.leaves.len(), UNKNOWN);
        let mut pass = Pass {
            program: &self.program,
            slots,
            memo: &mut work.memo,
            root,
            groups,
            rows: &mut work.rows,
            cells: Vec::new(),
        };
        pass.prime(&mut work.fast);
        out.clear();
        out.extend((0..self.conditions.len()).map(|i| pass.condition(i)));
    }

    /// Sets the slots of the root paths that start with top-level member
    /// number `first`, whose value is `v`.
    fn fill<'a>(&self, slots: &mut [Val<'a>], first: u32, v: Val<'a>) {
        for &slot in self.first_slots.get(first as usize).map_or(&[][..], |s| s) {
            if let (Some(out), Some(p)) = (
                slots.get_mut(slot as usize),
                self.program.paths.get(slot as usize),
            ) {
                *out = p.get_rest(v);
            }
        }
    }

    /// The value of every root path for this pass.
    fn resolve<'a>(&self, root: Val<'a>) -> Vec<Val<'a>> {
        match root {
            Val::Obj(map) => {
                // What an absent key gives (null, or an inherited built-in),
                // then one pass over the keys that are there.
                let mut slots = self.absent.clone();
                for (key, value) in map.members() {
                    if let Some(&first) = self.by_first.get(key) {
                        self.fill(&mut slots, first, value);
                    }
                }
                slots
            }
            other => self.program.paths.iter().map(|p| p.get(other)).collect(),
        }
    }
}
