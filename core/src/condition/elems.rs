//! `$elemMatch` over arrays of objects in a
//! [`ConditionSet`](super::ConditionSet) (`{"orders": {"$elemMatch":
//! {"sku": "seat", "amount": {"$gte": 100}}}}`). Audiences ask the same
//! array many questions, each about the same few fields of its elements,
//! so the fields every such leaf on a path reads are numbered once at
//! compile time, and on the first of those leaves a pass reaches, every
//! element's fields are looked up once into a table. Each leaf then tests
//! table cells instead of searching every element's keys again.
//!
//! Only conditions that are a list of paths and tests take this form
//! (anything with `$or`, `$not`, … inside is left to the general
//! evaluator); the tests themselves are the general evaluator's, so the
//! answers are too.

use super::compile::{Clause, Cond, Test};
use super::eval::{self, Ctx};
use super::js::Val;
use super::path::Path;
use super::program::{F, T, X};
use super::SavedGroups;
use std::cell::Cell;
use std::sync::Arc;

/// The fields read from the elements of one root path's array.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub(crate) slot: u32,
    fields: Vec<Path>,
}

/// An `$elemMatch` leaf over a table's fields.
#[derive(Debug, Clone)]
pub(crate) struct ElemLeaf {
    pub(crate) table: u32,
    /// Field number and test, all of which one element must pass.
    tests: Box<[(u32, Arc<Test>)]>,
}

/// The tables and leaves of a program.
#[derive(Debug, Clone, Default)]
pub(crate) struct Elems {
    pub(crate) tables: Vec<Table>,
    pub(crate) leaves: Vec<ElemLeaf>,
}

/// Where a table's rows are in a pass's cells, once looked up.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Rows {
    /// Not looked up yet this pass.
    Unknown,
    /// The value is not an array: `$elemMatch` fails.
    NotArray,
    /// `count` rows from cell `start`, each the element then its fields.
    At { start: u32, count: u32 },
}

impl Elems {
    /// Takes `$elemMatch: cond` on root slot `slot` if `cond` is a plain
    /// list of paths; returns the leaf's index.
    pub(crate) fn add(&mut self, slot: u32, cond: &Cond) -> Option<u32> {
        let clauses = cond
            .clauses
            .iter()
            .map(|c| match c {
                Clause::Path(p, t) => Some((p, t)),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()?;
        let table = match self.tables.iter().position(|t| t.slot == slot) {
            Some(i) => i,
            None => {
                self.tables.push(Table {
                    slot,
                    fields: Vec::new(),
                });
                self.tables.len() - 1
            }
        };
        let fields = &mut self.tables[table].fields;
        let tests = clauses
            .into_iter()
            .map(|(p, t)| {
                let field = match fields.iter().position(|f| f.as_str() == p.as_str()) {
                    Some(i) => i,
                    None => {
                        fields.push(p.clone());
                        fields.len() - 1
                    }
                };
                (field as u32, Arc::clone(t))
            })
            .collect();
        self.leaves.push(ElemLeaf {
            table: table as u32,
            tests,
        });
        Some((self.leaves.len() - 1) as u32)
    }
}

impl Table {
    /// Looks up every element's fields into `cells`.
    pub(crate) fn rows<'a>(&self, v: Val<'a>, cells: &mut Vec<Val<'a>>) -> Rows {
        let Val::Arr(items) = v else {
            return Rows::NotArray;
        };
        let start = cells.len() as u32;
        for e in items.iter() {
            cells.push(e);
            cells.extend(self.fields.iter().map(|f| f.get(e)));
        }
        Rows::At {
            start,
            count: items.len() as u32,
        }
    }

    fn width(&self) -> usize {
        1 + self.fields.len()
    }
}

impl ElemLeaf {
    /// `$elemMatch` over the table's rows: some element that is not
    /// `null` passes every test.
    pub(crate) fn eval(
        &self,
        table: &Table,
        rows: Rows,
        cells: &[Val],
        groups: &SavedGroups,
    ) -> u8 {
        let Rows::At { start, count } = rows else {
            return F;
        };
        let width = table.width();
        let rows = cells
            .get(start as usize..start as usize + count as usize * width)
            .unwrap_or(&[]);
        let thrown = Cell::new(false);
        let ctx = Ctx::new(groups, &thrown);
        let found = rows.chunks_exact(width).any(|row| {
            !matches!(row[0], Val::Null)
                && self.tests.iter().all(|(field, t)| {
                    eval::test(
                        t,
                        row.get(1 + *field as usize).copied().unwrap_or(Val::Null),
                        &ctx,
                    )
                })
        });
        if thrown.get() {
            X
        } else if found {
            T
        } else {
            F
        }
    }
}
