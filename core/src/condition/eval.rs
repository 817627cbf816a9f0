//! Evaluation of the compiled tree. Each function mirrors one of
//! GrowthBook's (`evalCondition`, `evalConditionValue`,
//! `evalOperatorCondition`, `evalSavedGroup`); nothing here allocates unless
//! an attribute has to be turned into a string JavaScript-style (an array
//! or object compared with a string, a non-ASCII `$ini`, …).

use super::compile::{Clause, Cond, GroupRef, Op, Test};
use super::groups::{Entry, Found, SavedGroups};
use super::js::{
    coercion_throws, js_str, js_string_eq, json_eq, lowercase, to_number, Throws, Val,
};
use std::cell::Cell;

/// The ids of the `$savedGroup` conditions being evaluated, innermost
/// first, so a group that refers back to itself stops (GrowthBook's
/// `visited`).
pub(crate) struct Visited<'a> {
    id: &'a str,
    parent: Option<&'a Visited<'a>>,
}

impl Visited<'_> {
    fn contains(&self, id: &str) -> bool {
        self.id == id || self.parent.is_some_and(|p| p.contains(id))
    }
}

/// What every evaluation carries along.
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub(crate) groups: &'a SavedGroups,
    pub(crate) visited: Option<&'a Visited<'a>>,
    /// Set when GrowthBook would have thrown a `TypeError` by now; its
    /// evaluation order is ours, so it would have reached the same point.
    pub(crate) thrown: &'a Cell<bool>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(groups: &'a SavedGroups, thrown: &'a Cell<bool>) -> Ctx<'a> {
        Ctx {
            groups,
            visited: None,
            thrown,
        }
    }

    /// Records a JavaScript `TypeError`; the leaf counts as failed.
    #[cold]
    fn throw(self) -> bool {
        self.thrown.set(true);
        false
    }

    fn check(self, r: Result<bool, Throws>) -> bool {
        r.unwrap_or_else(|Throws| self.throw())
    }
}

#[inline]
pub(crate) fn cond<'a>(c: &Cond, obj: Val<'a>, ctx: &Ctx<'a>) -> bool {
    c.clauses.iter().all(|cl| clause(cl, obj, ctx))
}

#[inline]
pub(crate) fn any<'a>(list: &[Cond], obj: Val<'a>, ctx: &Ctx<'a>) -> bool {
    // `evalOr`: an empty list passes.
    list.is_empty() || list.iter().any(|c| cond(c, obj, ctx))
}

pub(crate) fn clause<'a>(cl: &Clause, obj: Val<'a>, ctx: &Ctx<'a>) -> bool {
    match cl {
        Clause::Path(path, t) => test(t, path.get(obj), ctx),
        Clause::Or(list) => any(list, obj, ctx),
        Clause::Nor(list) => !any(list, obj, ctx),
        Clause::Not(c, _) => !cond(c, obj, ctx),
        Clause::SavedGroup(r) => saved_group(r, obj, ctx),
    }
}

pub(crate) fn saved_group<'a>(r: &GroupRef, obj: Val<'a>, ctx: &Ctx<'a>) -> bool {
    let GroupRef::Ref { id, attribute_key } = r else {
        return false;
    };
    if ctx.visited.is_some_and(|v| v.contains(id)) {
        return false;
    }
    match ctx.groups.lookup(id) {
        Found::Entry(Entry::List {
            values,
            attribute_key: own_key,
        }) => {
            // The reference's attributeKey wins over the group's own.
            let Some(key) = attribute_key.as_ref().or(own_key.as_ref()) else {
                return false;
            };
            values.as_ref().is_some_and(|set| set.is_in(key.get(obj)))
        }
        Found::Entry(Entry::Condition(Some(c))) => {
            let visited = Visited {
                id,
                parent: ctx.visited,
            };
            let inner = Ctx {
                groups: ctx.groups,
                visited: Some(&visited),
                thrown: ctx.thrown,
            };
            cond(c, obj, &inner)
        }
        _ => false,
    }
}

pub(crate) fn test<'a>(t: &Test, v: Val<'a>, ctx: &Ctx<'a>) -> bool {
    match t {
        Test::StrEq(s) => ctx.check(js_string_eq(v, s)),
        Test::StrEqFolded(s) => match v {
            Val::Str(a) if a.is_ascii() && s.is_ascii() => {
                a.len() == s.len()
                    && a.bytes()
                        .zip(s.bytes())
                        .all(|(x, y)| x.to_ascii_lowercase() == y)
            }
            _ if coercion_throws(v) => ctx.throw(),
            _ => lowercase(&js_str(v)) == **s,
        },
        Test::NumEq(n) => ctx.check(to_number(v).map(|x| x == *n)),
        Test::BoolEq(b) => !matches!(v, Val::Null) && v.truthy() == *b,
        Test::IsNull => matches!(v, Val::Null),
        Test::Json(expected) => json_eq(v, expected),
        Test::Op1(o, _) => op(o, v, ctx),
        Test::Ops(ops) => ops.ops.iter().all(|o| op(o, v, ctx)),
        Test::Never => false,
    }
}

pub(crate) fn op<'a>(o: &Op, v: Val<'a>, ctx: &Ctx<'a>) -> bool {
    match o {
        Op::Version(rel, expected) => rel.holds(expected.cmp_actual(v)),
        Op::Eq(lit) => lit.strict_eq(v),
        Op::Ne(lit) => !lit.strict_eq(v),
        Op::Rel(rel, lit) => ctx.check(rel.test(v, lit)),
        // `expected ? actual != null : actual == null`
        Op::Exists(expected) => *expected != matches!(v, Val::Null),
        Op::In(set) => set.is_in(v),
        Op::Nin(set) => !set.is_in(v),
        Op::InGroup(None) | Op::NotInGroup(None) => ctx.throw(),
        Op::InGroup(Some(id)) => match ctx.groups.array_values(id) {
            Ok(Some(set)) => set.is_in(v),
            Ok(None) | Err(()) => false,
        },
        Op::NotInGroup(Some(id)) => match ctx.groups.array_values(id) {
            Ok(Some(set)) => !set.is_in(v),
            Ok(None) => true,
            Err(()) => false,
        },
        Op::Not(t) => !test(t, v, ctx),
        Op::Size(t) => match v {
            Val::Arr(items) => test(t, Val::Num(items.len() as f64), ctx),
            _ => false,
        },
        Op::ElemMatchValue(t) => match v {
            Val::Arr(items) => items
                .iter()
                .any(|e| !matches!(e, Val::Null) && test(t, e, ctx)),
            _ => false,
        },
        Op::ElemMatchCond(c) => match v {
            Val::Arr(items) => items
                .iter()
                .any(|e| !matches!(e, Val::Null) && cond(c, e, ctx)),
            _ => false,
        },
        Op::All(tests) => match v {
            Val::Arr(items) => tests.iter().all(|t| items.iter().any(|e| test(t, e, ctx))),
            _ => false,
        },
        Op::Regex(re) => re.test(v),
        Op::Type(t) => v.type_name() == &**t,
        Op::False => false,
    }
}
