//! The condition language: MongoDB-style JSON conditions with exactly the
//! semantics of GrowthBook's `evalCondition` (`@growthbook/growthbook`
//! 1.8.0), compiled once and evaluated many times.
//!
//! Audiences are authored once and checked against a user on every page,
//! so compilation does the work that does not depend on the user: paths are
//! split, regexes built, version strings padded, `$in` lists hashed. The
//! evaluator then walks the tree without allocating for the usual shapes.
//!
//! # Entry points
//!
//! * [`Condition::compile`] once per rule, then [`Condition::eval`] (or
//!   [`Condition::try_eval`], [`Condition::explain`]) per user.
//! * [`ConditionSet`] for many rules against one user, the SDK's case: the
//!   rules are compiled together into one flat program, root paths are
//!   resolved once per pass, each distinct leaf is evaluated at most once
//!   per pass (string, number and version leaves in bulk, from per-path
//!   dictionaries and ranks), and nothing is allocated once a [`Scratch`]
//!   is warm. Attributes arrive as `serde_json` values
//!   ([`ConditionSet::eval_all`]), as JSON text
//!   ([`ConditionSet::eval_all_json_with`]), or packed by JavaScript
//!   straight into wasm memory ([`ConditionSet::eval_all_packed_with`],
//!   written by `benches/rules-pack.mjs`), the cheapest crossing.
//! * [`SavedGroups::compile`] once per payload.
//!
//! # Semantics
//!
//! Everything GrowthBook evaluates, this evaluates to the same result,
//! including its JavaScript coercions (`{"n": {"$gt": 5}}` matches
//! `{"n": "8"}`; a string condition compares `value + ""`; `$regex` tests
//! `String(value)`, so `{"$regex": "nul"}` matches a missing attribute),
//! its array rule (`$in`/`$nin` on an array attribute ask whether *any*
//! element is in the list), unknown operators failing, invalid regexes
//! never matching, `$savedGroup` references (list and condition groups,
//! cycles stopped), and paths that reach what JavaScript objects inherit
//! (`{"constructor": {"$exists": true}}` holds for every user;
//! `"tags.length"` is an array's length). The shared vectors in
//! `tests/vectors/conditions.json` and a differential test against the real
//! package keep it that way.
//!
//! # Errors
//!
//! [`Condition::compile`] fails with [`Error::InvalidRule`](crate::Error)
//! (its `path` is the JSON path of the fault, like `$.$or[1]`) only for
//! shapes on which GrowthBook throws a `TypeError` instead of answering:
//! `null` where a condition is expected (`$not: null`, an element of
//! `$or`/`$and`/`$nor` that is `null`), `$or`/`$and`/`$nor` given `null` or
//! an array-like object, and `$elemMatch: null`. GrowthBook only reaches
//! some of these on some inputs (`$or` stops at the first branch that
//! passes; `$elemMatch: null` throws only on array attributes); rejecting
//! them when compiling is this crate's policy. Shapes GrowthBook *answers*
//! for, however odd, are not errors and give its answer: a non-array `$in`
//! is `false`, `$or: 5` is `true`, a string where a condition should be is
//! matched character by character against the paths `"0"`, `"1"`, ….
//!
//! The one input-dependent throw — JavaScript turning an object that has
//! its own `"toString"` key into a primitive (`value + ""`, `value * 1`,
//! `<`, a saved-group key) — is reported by [`Condition::try_eval`] as
//! [`Error::Unevaluable`](crate::Error); [`Condition::eval`] and
//! [`ConditionSet`] count it as "does not match".
//!
//! # Known differences
//!
//! * GrowthBook caches regexes by `String(pattern)` (and `pattern + "/i"`
//!   for `$regexi`), so a non-string pattern, or a `$regex` pattern ending
//!   in `/i`, answers according to which patterns that process compiled
//!   earlier. Here a non-string pattern never matches (GrowthBook's answer
//!   in a fresh process) and every pattern means itself.
//! * Paths that continue *into* an inherited built-in
//!   (`"toString.name"`) give `null`, and `Array.prototype`'s own
//!   `__proto__` is treated as an empty array's; JavaScript would keep
//!   walking. JSON attributes cannot make use of either.
//! * JSON numbers beyond the range of a double are rejected by the JSON
//!   parser, where `JSON.parse` gives `Infinity`; in the browser build
//!   serde_json's float parser may be one unit in the last place off for
//!   16–17-digit numbers (natively it is exact).
//! * Case folding (`$ini`, `$alli`) and case-insensitive regexes use the
//!   Unicode tables of Rust's standard library natively and the host's in
//!   the browser; they may differ from Node's in characters added by recent
//!   Unicode versions.

mod batch;
mod compile;
mod doc;
mod elems;
mod eval;
mod explain;
mod groups;
pub(crate) mod js;
mod leaf;
mod path;
mod program;
mod regex;
mod set;
mod version;

pub use batch::{ConditionSet, Scratch};

/// JavaScript's `String(n)` for a number (`1`, `0.1`, `1e+21`, `NaN`): in
/// the browser the host's own formatting, so the wasm carries none; natively
/// the same text, computed. For everything the SDK shows or sends.
pub fn js_number(n: f64) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail; the wasm build's error (a host
    // without `Number`) leaves it empty.
    let _ = js::write_number(n, &mut out);
    out
}
pub use groups::SavedGroups;

use crate::{Error, Result};
use compile::{At, Cond};
use eval::Ctx;
use js::Val;
use serde_json::Value;
use std::cell::Cell;

/// A compiled condition.
///
/// Natively it is `Send + Sync` and can be shared between requests; in the
/// browser build it holds host `RegExp` objects and stays on its thread.
#[derive(Debug, Clone)]
pub struct Condition {
    root: Cond,
}

impl Condition {
    /// Compiles a GrowthBook condition. Errors only for shapes GrowthBook
    /// cannot evaluate (see the module documentation); the error's path
    /// starts at `$`.
    pub fn compile(cond: &Value) -> Result<Condition> {
        Ok(Condition {
            root: compile::cond(cond, &At::root("$"))?,
        })
    }

    /// Whether `attributes` satisfy the condition: GrowthBook's
    /// `evalCondition(attributes, condition, savedGroups)`. Where
    /// GrowthBook would throw instead (see [`Condition::try_eval`]), the
    /// condition does not match.
    pub fn eval(&self, attributes: &Value, groups: &SavedGroups) -> bool {
        self.try_eval(attributes, groups).unwrap_or(false)
    }

    /// Like [`Condition::eval`], but reports the one case where GrowthBook
    /// throws while evaluating rather than answering: JavaScript has to
    /// turn an object into a primitive (`value + ""`, `value * 1`, `<`, a
    /// saved-group key) and the object has its own `toString` key, which is
    /// not a function, so the conversion is a `TypeError`.
    pub fn try_eval(&self, attributes: &Value, groups: &SavedGroups) -> Result<bool> {
        let thrown = Cell::new(false);
        let result = eval::cond(
            &self.root,
            Val::from(attributes),
            &Ctx::new(groups, &thrown),
        );
        if thrown.get() {
            return Err(Error::Unevaluable {
                reason: "GrowthBook throws a TypeError: an operator converts an object with its own \"toString\" key to a primitive".into(),
            });
        }
        Ok(result)
    }

    /// `None` if the condition matches; otherwise a short reason naming the
    /// first leaf that failed, in evaluation order, such as
    /// `plan $in ["pro","team"] got "free"`.
    pub fn explain(&self, attributes: &Value, groups: &SavedGroups) -> Option<String> {
        let thrown = Cell::new(false);
        explain::cond(
            &self.root,
            Val::from(attributes),
            &Ctx::new(groups, &thrown),
        )
    }
}

/// Whether `pattern` is a valid ECMAScript regular expression. `$regex`
/// quietly never matches an invalid one, as GrowthBook does; page rules use
/// this to refuse one at save time instead.
pub fn is_valid_regex(pattern: &str) -> bool {
    regex::Regex::new(&Value::String(pattern.to_owned()), false).is_valid()
}

#[cfg(test)]
mod tests;
