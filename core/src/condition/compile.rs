//! JSON → the compiled tree, following the shape of GrowthBook's
//! `evalCondition` / `evalConditionValue` / `evalOperatorCondition` so each
//! node evaluates exactly as the JavaScript function it stands for.
//!
//! GrowthBook iterates conditions with `Object.entries`, which accepts more
//! than objects: an array yields its indices, a string its UTF-16 code
//! units, a number or boolean nothing at all. Those odd inputs compile to
//! what GrowthBook does with them. Only inputs on which GrowthBook throws a
//! `TypeError` (`null` where a condition is expected, `$elemMatch: null`,
//! an object with a `length` under `$or`/`$and`/`$nor`, which JavaScript
//! would index as an array-like) are compile errors.

use super::js::{lowercase, to_js_string_checked, Lit, Rel, Val};
use super::path::Path;
use super::regex::Regex;
use super::set::ValueSet;
use super::version::Version;
use crate::{Error, Result};
use serde_json::{Map, Value};
use std::cmp::Ordering;
use std::sync::Arc;

/// `evalCondition(obj, condition)`: every clause must hold.
#[derive(Debug, Clone)]
pub(crate) struct Cond {
    pub(crate) clauses: Box<[Clause]>,
}

/// One entry of a condition object.
#[derive(Debug, Clone)]
pub(crate) enum Clause {
    /// `$or` (an empty list passes).
    Or(Box<[Cond]>),
    /// `$nor` (an empty list fails).
    Nor(Box<[Cond]>),
    /// `$not`, with its source for explanations.
    Not(Box<Cond>, Box<Value>),
    /// `$savedGroup`.
    SavedGroup(GroupRef),
    /// A path and what its value must satisfy (shared, so a
    /// [`ConditionSet`](super::ConditionSet) can hold the test without
    /// copying it).
    Path(Path, Arc<Test>),
}

/// A `$savedGroup` reference as written.
#[derive(Debug, Clone)]
pub(crate) enum GroupRef {
    /// Not an object, no string `id`, or a non-string `attributeKey`.
    Invalid,
    /// A well-formed reference; the group is looked up at evaluation time.
    Ref {
        id: Box<str>,
        attribute_key: Option<Path>,
    },
}

/// `evalConditionValue(condition, value)`.
#[derive(Debug, Clone)]
pub(crate) enum Test {
    /// `value + "" === s`.
    StrEq(Box<str>),
    /// `String(value).toLowerCase() === s` (`s` already lower-cased).
    StrEqFolded(Box<str>),
    /// `value * 1 === n`.
    NumEq(f64),
    /// `value !== null && !!value === b`.
    BoolEq(bool),
    /// `value === null`.
    IsNull,
    /// `JSON.stringify(value) === s`: `s` is the condition's array or
    /// object, stringified once.
    Json(Box<str>),
    /// An operator object: every operator must hold.
    Ops(Box<Ops>),
    /// An operator object with one operator (the usual case), kept inline
    /// so evaluation does not follow a pointer to reach it; the box holds
    /// its source.
    Op1(Op, Box<(Box<str>, Value)>),
    /// A string no JSON value can stringify to (a lone surrogate).
    Never,
}

/// An operator object: the compiled operators, kept apart from their
/// source so evaluation walks a dense array.
#[derive(Debug, Clone)]
pub(crate) struct Ops {
    pub(crate) ops: Box<[Op]>,
    /// Name and argument of each, for explanations and memo keys.
    pub(crate) src: Box<[(Box<str>, Value)]>,
}

/// Version comparisons.
#[derive(Debug, Clone, Copy)]
pub(crate) enum VRel {
    Eq,
    Ne,
    Rel(Rel),
}

impl VRel {
    pub(crate) fn holds(self, o: Ordering) -> bool {
        match self {
            VRel::Eq => o == Ordering::Equal,
            VRel::Ne => o != Ordering::Equal,
            VRel::Rel(r) => r.ord(o),
        }
    }
}

/// `evalOperatorCondition(operator, actual, expected)`.
#[derive(Debug, Clone)]
pub(crate) enum Op {
    Version(VRel, Version),
    Eq(Lit),
    Ne(Lit),
    Rel(Rel, Lit),
    Exists(bool),
    In(Box<ValueSet>),
    Nin(Box<ValueSet>),
    /// The group id (`None`: the argument cannot be made a property key,
    /// and GrowthBook throws when it gets there).
    InGroup(Option<Box<str>>),
    NotInGroup(Option<Box<str>>),
    Not(Box<Test>),
    Size(Box<Test>),
    /// `$elemMatch` with an operator object: each element is a value.
    ElemMatchValue(Box<Test>),
    /// `$elemMatch` with anything else: each element is an object.
    ElemMatchCond(Box<Cond>),
    /// `$all` / `$alli` (the tests fold case for `$alli`).
    All(Box<[Test]>),
    Regex(Box<Regex>),
    Type(Box<str>),
    /// An unknown operator, or one whose argument GrowthBook rejects with
    /// `false` (a non-array `$in`, …).
    False,
}

/// Where in the JSON a compile error is.
#[derive(Debug, Clone)]
pub(crate) struct At<'p> {
    parent: Option<&'p At<'p>>,
    step: Step<'p>,
}

#[derive(Debug, Clone, Copy)]
enum Step<'p> {
    Root(&'p str),
    Key(&'p str),
    Index(usize),
}

impl<'p> At<'p> {
    pub(crate) fn root(name: &'p str) -> At<'p> {
        At {
            parent: None,
            step: Step::Root(name),
        }
    }

    fn key(&'p self, k: &'p str) -> At<'p> {
        At {
            parent: Some(self),
            step: Step::Key(k),
        }
    }

    fn index(&'p self, i: usize) -> At<'p> {
        At {
            parent: Some(self),
            step: Step::Index(i),
        }
    }

    fn render(&self, out: &mut String) {
        if let Some(p) = self.parent {
            p.render(out);
        }
        match self.step {
            Step::Root(name) => out.push_str(name),
            Step::Key(k)
                if !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') =>
            {
                out.push('.');
                out.push_str(k);
            }
            Step::Key(k) => {
                out.push('[');
                super::js::write_json_str(k, out);
                out.push(']');
            }
            Step::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }

    fn error(&self, reason: impl Into<String>) -> Error {
        let mut path = String::new();
        self.render(&mut path);
        Error::InvalidRule {
            path,
            reason: reason.into(),
        }
    }
}

/// GrowthBook's `isOperatorObject`: non-empty, every key starts with `$`.
fn is_operator_object(m: &Map<String, Value>) -> bool {
    !m.is_empty() && m.keys().all(|k| k.starts_with('$'))
}

/// `Object.entries(v)` as (key, condition) pairs, in JavaScript's order.
enum Entries<'v> {
    Object(Vec<(&'v str, &'v Value)>),
    Array(&'v [Value]),
    /// UTF-16 code units of a string.
    Units(Vec<u16>),
    None,
}

fn entries<'v>(v: &'v Value, at: &At) -> Result<Entries<'v>> {
    Ok(match v {
        Value::Null => {
            return Err(at.error("a condition must be an object (GrowthBook throws on null)"))
        }
        Value::Bool(_) | Value::Number(_) => Entries::None,
        Value::String(s) => Entries::Units(s.encode_utf16().collect()),
        Value::Array(a) => Entries::Array(a),
        Value::Object(m) => {
            // Array-index keys come first, ascending, as Object.entries
            // lists them; only the order of explanations depends on it.
            let mut indexed: Vec<(u32, &str, &Value)> = m
                .iter()
                .filter_map(|(k, v)| super::js::array_index(k).map(|i| (i, k.as_str(), v)))
                .collect();
            super::js::sort_small(&mut indexed, |e| e.0);
            let mut out: Vec<(&str, &Value)> =
                indexed.into_iter().map(|(_, k, v)| (k, v)).collect();
            out.extend(
                m.iter()
                    .filter(|(k, _)| super::js::array_index(k).is_none())
                    .map(|(k, v)| (k.as_str(), v)),
            );
            Entries::Object(out)
        }
    })
}

/// A test on one UTF-16 code unit, as `evalConditionValue(unit, value)`.
fn unit_test(unit: u16) -> Test {
    match char::from_u32(u32::from(unit)) {
        Some(c) => Test::StrEq(c.to_string().into()),
        None => Test::Never,
    }
}

/// Compiles `evalCondition(obj, v)`.
pub(crate) fn cond(v: &Value, at: &At) -> Result<Cond> {
    let mut clauses = Vec::new();
    match entries(v, at)? {
        Entries::None => {}
        Entries::Units(units) => {
            for (i, u) in units.into_iter().enumerate() {
                clauses.push(Clause::Path(
                    Path::new(&i.to_string()),
                    Arc::new(unit_test(u)),
                ));
            }
        }
        Entries::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                clauses.push(Clause::Path(
                    Path::new(&i.to_string()),
                    Arc::new(test(item, false, &at.index(i))?),
                ));
            }
        }
        Entries::Object(pairs) => {
            for (k, val) in pairs {
                let at = at.key(k);
                if k == "$and" {
                    // `evalAnd` runs each condition's entries in turn, and
                    // nothing else happens between them, so they can join
                    // this list in place: one level less to walk.
                    for c in list(val, &at)?.into_vec() {
                        clauses.extend(c.clauses.into_vec());
                    }
                    continue;
                }
                clauses.push(match k {
                    "$or" => Clause::Or(list(val, &at)?),
                    "$nor" => Clause::Nor(list(val, &at)?),
                    "$not" => Clause::Not(Box::new(cond(val, &at)?), Box::new(val.clone())),
                    "$savedGroup" => Clause::SavedGroup(group_ref(val)),
                    path => Clause::Path(Path::new(path), Arc::new(test(val, false, &at)?)),
                });
            }
        }
    }
    Ok(Cond {
        clauses: clauses.into_boxed_slice(),
    })
}

/// The argument of `$or` / `$and` / `$nor`, read the way `evalOr` and
/// `evalAnd` read it: through `.length` and `[i]`.
fn list(v: &Value, at: &At) -> Result<Box<[Cond]>> {
    Ok(match v {
        Value::Null => {
            return Err(at.error("expected an array of conditions (GrowthBook throws on null)"))
        }
        // `.length` is undefined: the loop never runs.
        Value::Bool(_) | Value::Number(_) => Box::new([]),
        Value::Object(m) if !m.contains_key("length") => Box::new([]),
        Value::Object(_) => {
            return Err(at.error("expected an array of conditions, found an array-like object"))
        }
        Value::String(s) => s
            .encode_utf16()
            .map(|u| Cond {
                clauses: Box::new([Clause::Path(Path::new("0"), Arc::new(unit_test(u)))]),
            })
            .collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| cond(item, &at.index(i)))
            .collect::<Result<_>>()?,
    })
}

fn group_ref(v: &Value) -> GroupRef {
    let Value::Object(m) = v else {
        return GroupRef::Invalid;
    };
    let Some(Value::String(id)) = m.get("id") else {
        return GroupRef::Invalid;
    };
    let attribute_key = match m.get("attributeKey") {
        None => None,
        Some(Value::String(k)) => Some(Path::new(k)),
        Some(_) => return GroupRef::Invalid,
    };
    GroupRef::Ref {
        id: id.as_str().into(),
        attribute_key,
    }
}

/// Compiles `evalConditionValue(v, value, insensitive)`.
pub(crate) fn test(v: &Value, insensitive: bool, at: &At) -> Result<Test> {
    Ok(match v {
        Value::String(s) if insensitive => Test::StrEqFolded(lowercase(s).into()),
        Value::String(s) => Test::StrEq(s.as_str().into()),
        Value::Number(n) => Test::NumEq(super::js::num_of(n)),
        Value::Bool(b) => Test::BoolEq(*b),
        Value::Null => Test::IsNull,
        Value::Object(m) if is_operator_object(m) => {
            let mut ops = m
                .iter()
                .map(|(name, arg)| op(name, arg, &at.key(name)))
                .collect::<Result<Vec<Op>>>()?;
            let mut src: Vec<(Box<str>, Value)> = m
                .iter()
                .map(|(name, arg)| (name.as_str().into(), arg.clone()))
                .collect();
            if ops.len() == 1 {
                match (ops.pop(), src.pop()) {
                    (Some(only), Some(source)) => Test::Op1(only, Box::new(source)),
                    // Both had one element.
                    _ => Test::Never,
                }
            } else {
                Test::Ops(Box::new(Ops {
                    ops: ops.into_boxed_slice(),
                    src: src.into_boxed_slice(),
                }))
            }
        }
        Value::Array(_) | Value::Object(_) => Test::Json(super::js::json_text(v).into()),
    })
}

fn version(r: VRel, arg: &Value) -> Op {
    Op::Version(r, Version::new(Val::from(arg)))
}

fn set(arg: &Value, fold: bool, negate: bool) -> Op {
    match arg {
        Value::Array(items) => {
            let s = Box::new(ValueSet::new(items, fold));
            if negate {
                Op::Nin(s)
            } else {
                Op::In(s)
            }
        }
        _ => Op::False,
    }
}

fn all(arg: &Value, fold: bool, at: &At) -> Result<Op> {
    Ok(match arg {
        Value::Array(items) => Op::All(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| test(item, fold, &at.index(i)))
                .collect::<Result<_>>()?,
        ),
        _ => Op::False,
    })
}

/// Compiles `evalOperatorCondition(name, actual, arg)`.
fn op(name: &str, arg: &Value, at: &At) -> Result<Op> {
    Ok(match name {
        "$veq" => version(VRel::Eq, arg),
        "$vne" => version(VRel::Ne, arg),
        "$vgt" => version(VRel::Rel(Rel::Gt), arg),
        "$vgte" => version(VRel::Rel(Rel::Gte), arg),
        "$vlt" => version(VRel::Rel(Rel::Lt), arg),
        "$vlte" => version(VRel::Rel(Rel::Lte), arg),
        "$eq" => Op::Eq(Lit::new(arg)),
        "$ne" => Op::Ne(Lit::new(arg)),
        "$lt" => Op::Rel(Rel::Lt, Lit::new(arg)),
        "$lte" => Op::Rel(Rel::Lte, Lit::new(arg)),
        "$gt" => Op::Rel(Rel::Gt, Lit::new(arg)),
        "$gte" => Op::Rel(Rel::Gte, Lit::new(arg)),
        "$exists" => Op::Exists(Val::from(arg).truthy()),
        "$in" => set(arg, false, false),
        "$nin" => set(arg, false, true),
        "$ini" => set(arg, true, false),
        "$nini" => set(arg, true, true),
        // `savedGroups[expected]` uses the argument as a property key.
        "$inGroup" => Op::InGroup(to_js_string_checked(Val::from(arg)).ok().map(Into::into)),
        "$notInGroup" => Op::NotInGroup(to_js_string_checked(Val::from(arg)).ok().map(Into::into)),
        "$not" => Op::Not(Box::new(test(arg, false, at)?)),
        "$size" => Op::Size(Box::new(test(arg, false, at)?)),
        "$elemMatch" => match arg {
            Value::Null => {
                return Err(at.error("$elemMatch needs a condition (GrowthBook throws on null)"))
            }
            Value::Object(m) if is_operator_object(m) => {
                Op::ElemMatchValue(Box::new(test(arg, false, at)?))
            }
            _ => Op::ElemMatchCond(Box::new(cond(arg, at)?)),
        },
        "$all" => all(arg, false, at)?,
        "$alli" => all(arg, true, at)?,
        "$regex" => Op::Regex(Box::new(Regex::new(arg, false))),
        "$regexi" => Op::Regex(Box::new(Regex::new(arg, true))),
        "$type" => match arg {
            Value::String(t) => Op::Type(t.as_str().into()),
            _ => Op::False,
        },
        _ => Op::False,
    })
}
