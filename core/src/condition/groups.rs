//! Saved groups: named value lists (for `$inGroup` / `$notInGroup` and
//! `$savedGroup` lists) and named conditions (for `$savedGroup`), compiled
//! once per payload rather than per evaluation.
//!
//! GrowthBook accepts three shapes per id, and so does this:
//! a bare array (v1: `$inGroup` only), `{"type": "list", "values": [..],
//! "attributeKey": ".."}`, and `{"type": "condition", "condition": {..}}`.
//! Anything else under an id is kept as "malformed", which matches nobody
//! (not even under `$notInGroup`), while an id that is simply absent is an
//! empty list for `$inGroup` / `$notInGroup`, as in GrowthBook.

use super::compile::{self, At, Cond};
use super::path::{Path, OBJECT_PROTO};
use super::set::ValueSet;
use crate::{Error, Result};
use serde_json::Value;
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub(crate) enum Entry {
    /// A v1 bare array.
    Bare(ValueSet),
    /// `type: "list"`; `values` is `None` when it is not an array.
    List {
        values: Option<ValueSet>,
        attribute_key: Option<Path>,
    },
    /// `type: "condition"`; `None` when the condition is not an object.
    Condition(Option<Cond>),
    /// Any other shape, or an inherited name.
    Malformed,
}

/// Saved groups compiled for evaluation: the `savedGroups` GrowthBook's
/// `evalCondition` takes, keyed by group id.
///
/// Build it once per payload with [`SavedGroups::compile`] (or from plain
/// id → values lists with `From<HashMap<String, Vec<Value>>>`) and pass it
/// to every evaluation; [`SavedGroups::default`] is "no groups".
#[derive(Debug, Clone, Default)]
pub struct SavedGroups {
    entries: HashMap<String, Entry>,
}

/// What a lookup found.
pub(crate) enum Found<'g> {
    Absent,
    Entry(&'g Entry),
}

impl SavedGroups {
    /// Compiles GrowthBook's `savedGroups` object. `null` means no groups;
    /// any other non-object, and any condition group GrowthBook could not
    /// evaluate, is an [`Error::InvalidRule`] whose path starts at
    /// `$savedGroups`.
    pub fn compile(groups: &Value) -> Result<SavedGroups> {
        let map = match groups {
            Value::Null => return Ok(SavedGroups::default()),
            Value::Object(m) => m,
            _ => {
                return Err(Error::InvalidRule {
                    path: "$savedGroups".into(),
                    reason: "saved groups must be an object of id → group".into(),
                })
            }
        };
        let mut entries = HashMap::with_capacity(map.len());
        for (id, v) in map {
            entries.insert(id.clone(), entry(v, id)?);
        }
        Ok(SavedGroups { entries })
    }

    /// The group under `id`, as `savedGroups[id]` would find it.
    pub(crate) fn lookup(&self, id: &str) -> Found<'_> {
        static MALFORMED: Entry = Entry::Malformed;
        match self.entries.get(id) {
            Some(e) => Found::Entry(e),
            // `savedGroups[id]` finds a built-in for an inherited name, which
            // GrowthBook then treats as malformed.
            None if OBJECT_PROTO.contains(&id) => Found::Entry(&MALFORMED),
            None => Found::Absent,
        }
    }

    /// GrowthBook's `getSavedGroupArrayValues(savedGroups[id])`: `Ok(None)`
    /// is the empty list of an absent id, `Err(())` is its `null` (matches
    /// nobody).
    pub(crate) fn array_values(&self, id: &str) -> std::result::Result<Option<&ValueSet>, ()> {
        match self.lookup(id) {
            Found::Absent => Ok(None),
            Found::Entry(Entry::Bare(s)) => Ok(Some(s)),
            Found::Entry(Entry::List {
                values: Some(s), ..
            }) => Ok(Some(s)),
            Found::Entry(_) => Err(()),
        }
    }
}

fn entry(v: &Value, id: &str) -> Result<Entry> {
    Ok(match v {
        Value::Array(items) => Entry::Bare(ValueSet::new(items, false)),
        Value::Object(m) => match m.get("type").and_then(Value::as_str) {
            Some("list") => Entry::List {
                values: m
                    .get("values")
                    .and_then(Value::as_array)
                    .map(|items| ValueSet::new(items, false)),
                attribute_key: m.get("attributeKey").and_then(Value::as_str).map(Path::new),
            },
            Some("condition") => match m.get("condition") {
                Some(c @ (Value::Object(_) | Value::Array(_))) => {
                    let mut root = String::from("$savedGroups[");
                    super::js::write_json_str(id, &mut root);
                    root.push_str("].condition");
                    Entry::Condition(Some(compile::cond(c, &At::root(&root))?))
                }
                _ => Entry::Condition(None),
            },
            _ => Entry::Malformed,
        },
        _ => Entry::Malformed,
    })
}

impl From<HashMap<String, Vec<Value>>> for SavedGroups {
    /// v1 groups: id → bare list of values.
    fn from(lists: HashMap<String, Vec<Value>>) -> Self {
        SavedGroups {
            entries: lists
                .into_iter()
                .map(|(id, values)| (id, Entry::Bare(ValueSet::new(&values, false))))
                .collect(),
        }
    }
}
