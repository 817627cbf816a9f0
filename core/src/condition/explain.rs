//! Why a condition did not match, for the "why was this message not
//! shown" explanations: the first failing leaf in GrowthBook's evaluation
//! order, written the way an author wrote it (`plan $in ["pro","team"] got
//! "free"`). Only runs after a failed evaluation, so it may allocate.

use super::compile::{Clause, Cond, GroupRef, Test};
use super::eval::{self, Ctx};
use super::js::{json_text, show, write_json_str, Val};
use serde_json::Value;

/// Longest attribute or argument text quoted in a reason.
const MAX_SHOWN: usize = 80;

fn clip(mut s: String) -> String {
    if s.len() > MAX_SHOWN {
        let mut cut = MAX_SHOWN;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push('…');
    }
    s
}

fn quoted(s: &str) -> String {
    let mut out = String::new();
    write_json_str(s, &mut out);
    out
}

fn got(v: Val) -> String {
    clip(show(v))
}

fn arg(v: &Value) -> String {
    clip(json_text(v))
}

/// The reason `c` fails on `obj`, or `None` if it matches.
pub(crate) fn cond<'a>(c: &Cond, obj: Val<'a>, ctx: &Ctx<'a>) -> Option<String> {
    c.clauses
        .iter()
        .find(|cl| !eval::clause(cl, obj, ctx))
        .map(|cl| clause(cl, obj, ctx))
}

fn clause<'a>(cl: &Clause, obj: Val<'a>, ctx: &Ctx<'a>) -> String {
    match cl {
        Clause::Path(path, t) => test(path.as_str(), t, path.get(obj), ctx),
        Clause::Or(list) => match list.first().and_then(|c| cond(c, obj, ctx)) {
            Some(first) if list.len() == 1 => first,
            Some(first) => format!(
                "none of {} $or branches matched (first: {first})",
                list.len()
            ),
            None => "no $or branch matched".into(),
        },
        Clause::Nor(list) => match list.iter().position(|c| eval::cond(c, obj, ctx)) {
            Some(i) => format!("$nor branch {i} matched"),
            None => "an empty $nor never matches".into(),
        },
        Clause::Not(_, source) => format!("$not {} matched", arg(source)),
        Clause::SavedGroup(GroupRef::Ref { id, .. }) => {
            format!("not in saved group {}", quoted(id))
        }
        Clause::SavedGroup(GroupRef::Invalid) => "$savedGroup reference is malformed".into(),
    }
}

fn test<'a>(path: &str, t: &Test, v: Val<'a>, ctx: &Ctx<'a>) -> String {
    let expected = match t {
        Test::Op1(o, src) => {
            let (name, a) = &**src;
            return if eval::op(o, v, ctx) {
                format!("{path} got {}", got(v))
            } else {
                format!("{path} {name} {} got {}", arg(a), got(v))
            };
        }
        Test::Ops(ops) => {
            return match ops
                .ops
                .iter()
                .zip(ops.src.iter())
                .find(|(o, _)| !eval::op(o, v, ctx))
            {
                Some((_, (name, a))) => format!("{path} {name} {} got {}", arg(a), got(v)),
                None => format!("{path} got {}", got(v)),
            }
        }
        Test::StrEq(s) | Test::StrEqFolded(s) => quoted(s),
        Test::NumEq(n) => show(Val::Num(*n)),
        Test::BoolEq(b) => b.to_string(),
        Test::IsNull => "null".into(),
        Test::Json(j) => clip(j.to_string()),
        Test::Never => "(a lone surrogate)".into(),
    };
    format!("{path} = {expected} got {}", got(v))
}
