//! Many conditions compiled into one flat program for a
//! [`ConditionSet`](super::ConditionSet): every distinct leaf (a root-level
//! path and what its value must satisfy) is numbered once for the whole
//! set, and each condition becomes a run of [`Step`]s over leaf numbers.
//! A pass evaluates a leaf the first time any condition reaches it and
//! remembers the answer in one byte, so the audiences' shared building
//! blocks ("plan in pro/team", "app ≥ 2.4") cost once per pass, and walking
//! a condition is a loop over a slice instead of a pointer-chasing tree.
//!
//! Leaves answer [`F`], [`T`] or [`X`] (GrowthBook would have thrown a
//! `TypeError`); `X` ends the condition at once, as the exception would,
//! so it is reported exactly where GrowthBook's evaluation order meets it.

use super::compile::{Clause, Cond, GroupRef, Op, Test};
use super::elems::{Elems, Rows};
use super::eval::{self, Ctx};
use super::js::{json_text, write_json_str, Val};
use super::leaf::{Fast, FastWork};
use super::path::Path;
use super::set::FxHasher;
use super::SavedGroups;
use std::cell::Cell;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Not evaluated yet this pass.
pub(crate) const UNKNOWN: u8 = 0;
/// Does not hold.
pub(crate) const F: u8 = 1;
/// Holds.
pub(crate) const T: u8 = 2;
/// GrowthBook would have thrown here.
pub(crate) const X: u8 = 3;

/// The code is `u32`s: a leaf number, or a tag in the top four bits with
/// a count below. A condition is a block: its steps in order, all of which
/// must hold. Leaf numbers are below [`TAG_OTHER`], so the common step is
/// told apart with one comparison.
const TAG_SHIFT: u32 = 28;
const COUNT: u32 = (1 << TAG_SHIFT) - 1;
/// A `$savedGroup` clause (it reads the whole attribute object), by index
/// into [`Program::others`].
const TAG_OTHER: u32 = 1 << TAG_SHIFT;
/// `$not`: the next `n` steps are one block.
const TAG_NOT: u32 = 2 << TAG_SHIFT;
/// `$or`: the next `n` steps are blocks, each behind a `TAG_BLOCK` header.
const TAG_OR: u32 = 3 << TAG_SHIFT;
/// `$nor`, laid out like `$or`.
const TAG_NOR: u32 = 4 << TAG_SHIFT;
/// A block header inside `$or`/`$nor`: the next `n` steps.
const TAG_BLOCK: u32 = 5 << TAG_SHIFT;

/// A distinct leaf: the root path's slot and the test on its value.
#[derive(Debug, Clone)]
pub(crate) struct Leaf {
    pub(crate) slot: u32,
    pub(crate) test: Arc<Test>,
    /// Its index in [`Elems::leaves`] when it is an `$elemMatch` answered
    /// from an element table.
    elem: Option<u32>,
}

/// The compiled form of a set of conditions.
#[derive(Debug, Clone, Default)]
pub(crate) struct Program {
    code: Vec<u32>,
    /// Where each condition's block is in `code`.
    spans: Vec<(u32, u32)>,
    pub(crate) leaves: Vec<Leaf>,
    /// `$savedGroup` references, which read the whole attribute object.
    others: Vec<GroupRef>,
    /// Every distinct root-level path, by slot.
    pub(crate) paths: Vec<Path>,
    /// The leaves answered in bulk at the start of a pass.
    fast: Fast,
    /// `$elemMatch` leaves answered from per-pass element tables.
    elems: Elems,
}

impl Program {
    /// Some clause reads the root object other than through a path.
    pub(crate) fn needs_root(&self) -> bool {
        !self.others.is_empty()
    }
}

/// Numbers paths and leaves while emitting code.
#[derive(Default)]
pub(crate) struct Builder {
    program: Program,
    slots: FxMap<Box<str>, u32>,
    leaves: FxMap<Box<str>, u32>,
}

impl Builder {
    /// Adds a condition; its block is the next span.
    pub(crate) fn add(&mut self, c: &Cond) {
        let start = self.program.code.len() as u32;
        self.block(c);
        let end = self.program.code.len() as u32;
        self.program.spans.push((start, end));
    }

    pub(crate) fn finish(mut self) -> Program {
        self.program.fast = Fast::build(&self.program.leaves);
        self.program
    }

    fn block(&mut self, c: &Cond) {
        for clause in c.clauses.iter() {
            match clause {
                Clause::Path(p, t) => {
                    let leaf = self.leaf(p, t);
                    self.program.code.push(leaf & COUNT);
                }
                Clause::Or(list) => self.branches(TAG_OR, list),
                Clause::Nor(list) => self.branches(TAG_NOR, list),
                Clause::Not(inner, _) => {
                    let at = self.open(TAG_NOT);
                    self.block(inner);
                    self.close(at);
                }
                Clause::SavedGroup(r) => {
                    self.program.others.push(r.clone());
                    let k = (self.program.others.len() - 1) as u32;
                    self.program.code.push(TAG_OTHER | (k & COUNT));
                }
            }
        }
    }

    fn branches(&mut self, tag: u32, list: &[Cond]) {
        let at = self.open(tag);
        for c in list {
            let b = self.open(TAG_BLOCK);
            self.block(c);
            self.close(b);
        }
        self.close(at);
    }

    /// Opens a tagged step whose count `close` fills in.
    fn open(&mut self, tag: u32) -> usize {
        self.program.code.push(tag);
        self.program.code.len() - 1
    }

    fn close(&mut self, at: usize) {
        let n = (self.program.code.len() - at - 1) as u32;
        self.program.code[at] |= n & COUNT;
    }

    fn slot(&mut self, p: &Path) -> u32 {
        let paths = &mut self.program.paths;
        *self.slots.entry(p.as_str().into()).or_insert_with(|| {
            paths.push(p.clone());
            (paths.len() - 1) as u32
        })
    }

    fn leaf(&mut self, p: &Path, t: &Arc<Test>) -> u32 {
        let slot = self.slot(p);
        let Program { leaves, elems, .. } = &mut self.program;
        *self.leaves.entry(leaf_key(p, t).into()).or_insert_with(|| {
            let elem = match &**t {
                Test::Op1(Op::ElemMatchCond(c), _) => elems.add(slot, c),
                _ => None,
            };
            leaves.push(Leaf {
                slot,
                test: Arc::clone(t),
                elem,
            });
            (leaves.len() - 1) as u32
        })
    }
}

/// Equal for leaves that give the same answer on every input: the path and
/// the test's source, as JSON text.
fn leaf_key(p: &Path, t: &Test) -> String {
    let mut key = String::new();
    write_json_str(p.as_str(), &mut key);
    match t {
        Test::Ops(ops) => {
            for (name, arg) in ops.src.iter() {
                write_json_str(name, &mut key);
                key.push_str(&json_text(arg));
            }
        }
        Test::Op1(_, src) => {
            write_json_str(&src.0, &mut key);
            key.push_str(&json_text(&src.1));
        }
        Test::StrEq(s) => {
            key.push('s');
            write_json_str(s, &mut key);
        }
        Test::StrEqFolded(s) => {
            key.push('f');
            write_json_str(s, &mut key);
        }
        Test::NumEq(n) => {
            key.push('n');
            key.push_str(&n.to_bits().to_string());
        }
        Test::BoolEq(b) => key.push_str(if *b { "t" } else { "b" }),
        Test::IsNull => key.push('z'),
        Test::Json(text) => {
            key.push('j');
            key.push_str(text);
        }
        Test::Never => key.push('x'),
    }
    key
}

/// One pass of a program over resolved slots.
pub(crate) struct Pass<'p, 'a> {
    pub(crate) program: &'p Program,
    pub(crate) slots: &'p [Val<'a>],
    /// One byte per leaf: [`UNKNOWN`], [`F`], [`T`] or [`X`].
    pub(crate) memo: &'p mut [u8],
    /// The attribute object itself, for clauses that read it whole.
    pub(crate) root: Val<'a>,
    pub(crate) groups: &'p SavedGroups,
    /// Per element table, where its rows are in `cells`.
    pub(crate) rows: &'p mut Vec<Rows>,
    /// Element tables' cells, filled as `$elemMatch` leaves are reached.
    pub(crate) cells: Vec<Val<'a>>,
}

#[inline]
fn negate(r: u8) -> u8 {
    match r {
        T => F,
        F => T,
        x => x,
    }
}

impl Pass<'_, '_> {
    /// Answers the leaves that are answered in bulk; call once per pass
    /// before [`Pass::condition`].
    pub(crate) fn prime(&mut self, work: &mut FastWork) {
        let (program, slots, groups) = (self.program, self.slots, self.groups);
        program.fast.run(slots, self.memo, work, |id| {
            general(program, slots, groups, id)
        });
        self.rows.clear();
        self.rows.resize(program.elems.tables.len(), Rows::Unknown);
    }

    /// Whether condition `i` holds ([`X`] counts as not).
    #[inline]
    pub(crate) fn condition(&mut self, i: usize) -> bool {
        let program = self.program;
        let code = program
            .spans
            .get(i)
            .and_then(|&(s, e)| program.code.get(s as usize..e as usize))
            .unwrap_or(&[]);
        self.steps(code) == T
    }

    /// A nested block (`$not`, a branch of `$or`/`$nor`).
    #[inline(never)]
    fn block(&mut self, code: &[u32]) -> u8 {
        self.steps(code)
    }

    /// The steps of a block. Inlined into [`Pass::condition`], so walking a
    /// condition's own steps (most of the walk) costs no call.
    #[inline(always)]
    fn steps(&mut self, code: &[u32]) -> u8 {
        let mut i = 0;
        while let Some(&step) = code.get(i) {
            i += 1;
            let r = if step < TAG_OTHER {
                match self.memo.get(step as usize) {
                    Some(&known) if known != UNKNOWN => known,
                    _ => self.lazy(step),
                }
            } else {
                let n = step & COUNT;
                match step & !COUNT {
                    TAG_OTHER => self.other(n),
                    tag => {
                        let inner = code.get(i..i + n as usize).unwrap_or(&[]);
                        i += n as usize;
                        match tag {
                            TAG_NOT => negate(self.block(inner)),
                            TAG_OR => self.any(inner),
                            TAG_NOR => negate(self.any(inner)),
                            // Only `any` reads block headers.
                            _ => X,
                        }
                    }
                }
            };
            if r != T {
                return r;
            }
        }
        T
    }

    /// `evalOr`: an empty list holds; otherwise the first branch that
    /// holds (or throws) decides.
    fn any(&mut self, code: &[u32]) -> u8 {
        if code.is_empty() {
            return T;
        }
        let mut i = 0;
        while let Some(&head) = code.get(i) {
            let n = (head & COUNT) as usize;
            if head & !COUNT != TAG_BLOCK {
                return X;
            }
            let r = self.block(code.get(i + 1..i + 1 + n).unwrap_or(&[]));
            i += 1 + n;
            if r != F {
                return r;
            }
        }
        F
    }

    /// A leaf the bulk pass did not answer, the first time it is reached.
    #[cold]
    #[inline(never)]
    fn lazy(&mut self, id: u32) -> u8 {
        let program = self.program;
        let r = match program.leaves.get(id as usize) {
            Some(Leaf {
                elem: Some(e),
                slot,
                ..
            }) => self.elem(*e, *slot),
            _ => general(program, self.slots, self.groups, id),
        };
        if let Some(m) = self.memo.get_mut(id as usize) {
            *m = r;
        }
        r
    }

    /// An `$elemMatch` leaf from its element table, filling the table the
    /// first time this pass.
    fn elem(&mut self, e: u32, slot: u32) -> u8 {
        let elems = &self.program.elems;
        let Some(leaf) = elems.leaves.get(e as usize) else {
            return X;
        };
        let Some(table) = elems.tables.get(leaf.table as usize) else {
            return X;
        };
        let rows = match self.rows.get(leaf.table as usize) {
            Some(Rows::Unknown) | None => {
                let v = self.slots.get(slot as usize).copied().unwrap_or(Val::Null);
                let rows = table.rows(v, &mut self.cells);
                if let Some(r) = self.rows.get_mut(leaf.table as usize) {
                    *r = rows;
                }
                rows
            }
            Some(&known) => known,
        };
        leaf.eval(table, rows, &self.cells, self.groups)
    }

    fn other(&self, k: u32) -> u8 {
        match self.program.others.get(k as usize) {
            Some(r) => {
                let thrown = Cell::new(false);
                let holds = eval::saved_group(r, self.root, &Ctx::new(self.groups, &thrown));
                tri(holds, &thrown)
            }
            None => X,
        }
    }
}

/// Leaf `id` by the general evaluator.
fn general(program: &Program, slots: &[Val], groups: &SavedGroups, id: u32) -> u8 {
    match program.leaves.get(id as usize) {
        Some(leaf) => {
            let v = slots.get(leaf.slot as usize).copied().unwrap_or(Val::Null);
            let thrown = Cell::new(false);
            let r = eval::test(&leaf.test, v, &Ctx::new(groups, &thrown));
            tri(r, &thrown)
        }
        None => X,
    }
}

#[inline]
fn tri(r: bool, thrown: &Cell<bool>) -> u8 {
    if thrown.get() {
        X
    } else if r {
        T
    } else {
        F
    }
}
