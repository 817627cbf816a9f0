//! Unit tests of the odd corners; the bulk of the conformance checking is
//! the shared vectors and the differential test under `core/tests/`.

use super::*;
use crate::Error;
use serde_json::json;

fn check(cond: Value, attrs: Value) -> bool {
    Condition::compile(&cond)
        .expect("compiles")
        .eval(&attrs, &SavedGroups::default())
}

#[test]
fn javascript_coercions_apply_where_growthbook_applies_them() {
    assert!(check(
        json!({"n": {"$gt": 5, "$lt": 10}}),
        json!({"n": "8"})
    ));
    assert!(check(json!({"n": "8"}), json!({"n": 8})));
    assert!(check(json!({"n": 8}), json!({"n": " 8 "})));
    assert!(check(json!({"tags": "a,b"}), json!({"tags": ["a", "b"]})));
    assert!(check(json!({"x": {"$regex": "nul"}}), json!({})));
    assert!(check(json!({"x": false}), json!({"x": 0})));
    assert!(!check(json!({"x": false}), json!({})));
    assert!(!check(json!({"x": {"$eq": [1]}}), json!({"x": [1]})));
    assert!(check(json!({"x": [1]}), json!({"x": [1.0]})));
    assert!(check(json!({"x": {"$in": [null]}}), json!({})));
    assert!(check(json!({"x": {"$lte": 0}}), json!({"x": null})));
}

#[test]
fn odd_shapes_are_evaluated_like_growthbook() {
    assert!(!check(json!({"x": {"$in": 1}}), json!({"x": 1})));
    assert!(check(json!({"$or": 5}), json!({})));
    assert!(!check(json!({"$nor": 5}), json!({})));
    assert!(check(json!({"$not": "ab"}), json!({"0": "a", "1": "c"})));
    assert!(!check(json!({"$not": "ab"}), json!({"0": "a", "1": "b"})));
    assert!(check(json!({"constructor": {"$exists": true}}), json!({})));
    assert!(check(
        json!({"tags.length": 2, "tags.1": "b"}),
        json!({"tags": ["a", "b"]})
    ));
    assert!(!check(json!({"x": {"$unknown": 1}}), json!({"x": 1})));
    assert!(check(
        json!({"x": {"$not": {"$unknown": 1}}}),
        json!({"x": 1})
    ));
    assert!(check(
        json!({"x": {"$elemMatch": 5}}),
        json!({"x": [null, 0]})
    ));
}

#[test]
fn shapes_growthbook_throws_on_are_errors_with_a_path() {
    let err = |c: Value| Condition::compile(&c).unwrap_err();
    assert!(matches!(err(json!(null)), Error::InvalidRule { path, .. } if path == "$"));
    assert!(
        matches!(err(json!({"$or": [{}, null]})), Error::InvalidRule { path, .. } if path == "$.$or[1]")
    );
    assert!(
        matches!(err(json!({"a.b": {"$elemMatch": null}})), Error::InvalidRule { path, .. } if path == "$[\"a.b\"].$elemMatch")
    );
    assert!(matches!(
        err(json!({"$and": {"length": 1}})),
        Error::InvalidRule { .. }
    ));
    assert!(matches!(
        err(json!({"$not": null})),
        Error::InvalidRule { .. }
    ));
}

#[test]
fn saved_groups_follow_growthbook() {
    let groups = SavedGroups::compile(&json!({
        "bare": ["a", "b"],
        "list": {"type": "list", "attributeKey": "id", "values": ["u1"]},
        "cond": {"type": "condition", "condition": {"plan": "pro"}},
        "loop": {"type": "condition", "condition": {"$savedGroup": {"id": "loop"}}},
        "bad": {"type": "list", "values": 5}
    }))
    .unwrap();
    let eval = |c: Value, a: Value| Condition::compile(&c).unwrap().eval(&a, &groups);
    assert!(eval(
        json!({"id": {"$inGroup": "bare"}}),
        json!({"id": "a"})
    ));
    assert!(eval(
        json!({"id": {"$inGroup": "list"}}),
        json!({"id": "u1"})
    ));
    assert!(eval(
        json!({"id": {"$notInGroup": "missing"}}),
        json!({"id": "u1"})
    ));
    assert!(!eval(
        json!({"id": {"$notInGroup": "bad"}}),
        json!({"id": "u1"})
    ));
    assert!(!eval(
        json!({"id": {"$notInGroup": "toString"}}),
        json!({"id": "u1"})
    ));
    assert!(eval(
        json!({"$savedGroup": {"id": "list"}}),
        json!({"id": "u1"})
    ));
    assert!(eval(
        json!({"$savedGroup": {"id": "cond"}}),
        json!({"plan": "pro"})
    ));
    assert!(!eval(
        json!({"$savedGroup": {"id": "bare"}}),
        json!({"id": "a"})
    ));
    assert!(!eval(json!({"$savedGroup": {"id": "loop"}}), json!({})));
    let plain: SavedGroups =
        std::collections::HashMap::from([("g".to_string(), vec![json!(1)])]).into();
    assert!(Condition::compile(&json!({"n": {"$inGroup": "g"}}))
        .unwrap()
        .eval(&json!({"n": 1}), &plain));
}

#[test]
fn explain_names_the_first_failing_leaf() {
    let c = Condition::compile(
        &json!({"country": "DE", "plan": {"$in": ["pro", "team"]}, "age": {"$gt": 1}}),
    )
    .unwrap();
    let g = SavedGroups::default();
    assert_eq!(
        c.explain(&json!({"country": "DE", "plan": "free", "age": 0}), &g)
            .as_deref(),
        Some(r#"plan $in ["pro","team"] got "free""#)
    );
    assert_eq!(
        c.explain(&json!({"country": "DE", "plan": "pro", "age": 3}), &g),
        None
    );
    let c = Condition::compile(&json!({"$and": [{"a": 1}, {"$not": {"b": 2}}]})).unwrap();
    assert_eq!(
        c.explain(&json!({"a": 1, "b": 2}), &g).as_deref(),
        Some(r#"$not {"b":2} matched"#)
    );
    assert_eq!(c.explain(&json!({}), &g).as_deref(), Some("a = 1 got null"));
}

#[test]
fn compiled_rules_can_be_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<Condition>();
    shared::<ConditionSet>();
    shared::<SavedGroups>();
}

#[test]
fn a_throw_ends_the_condition_where_growthbook_meets_it() {
    // {"toString": 1} cannot become a primitive, so `$gt` throws on it.
    let attrs = json!({"o": {"toString": 1}, "a": 1});
    let sources = [
        (json!({"$not": {"o": {"$gt": 1}}}), false),
        (json!({"$or": [{"o": {"$gt": 1}}, {"a": 1}]}), false),
        (json!({"$or": [{"a": 1}, {"o": {"$gt": 1}}]}), true),
        (json!({"$nor": [{"o": {"$gt": 1}}]}), false),
        (json!({"o": {"$gt": 1}}), false),
        (json!({"a": 2, "o": {"$gt": 1}}), false),
    ];
    let g = SavedGroups::default();
    let conditions: Vec<Condition> = sources
        .iter()
        .map(|(c, _)| Condition::compile(c).unwrap())
        .collect();
    for (c, (src, expected)) in conditions.iter().zip(&sources) {
        // GrowthBook throws on all but the two that stop before the leaf.
        let threw = c.try_eval(&attrs, &g).is_err();
        assert_eq!(threw, !expected && src.get("a").is_none(), "{src}");
        assert_eq!(c.eval(&attrs, &g), *expected, "{src}");
    }
    // In one set the throwing leaf is shared, and remembered as a throw.
    let set = ConditionSet::new(conditions);
    let mut out = Vec::new();
    set.eval_all(&attrs, &g, &mut out);
    let expected: Vec<bool> = sources.iter().map(|(_, e)| *e).collect();
    assert_eq!(out, expected);
    set.eval_all_json(&attrs.to_string(), &g, &mut out).unwrap();
    assert_eq!(out, expected);
}
