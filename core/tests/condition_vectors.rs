//! Runs the shared condition and hash vectors (`tests/vectors/*.json`):
//! GrowthBook's own conformance cases with the answers of the pinned
//! `@growthbook/growthbook`, plus Beckon's corner cases. The browser tests
//! can run the same files against the wasm build.

use beckon_core::condition::{Condition, ConditionSet, SavedGroups, Scratch};
use beckon_core::hash::hash;
use serde_json::Value;
use std::path::PathBuf;

fn vectors(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/vectors")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let doc: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()));
    assert_eq!(doc["version"], 1, "{name}: unknown vectors version");
    doc
}

/// `true`, `false` or `"error"`, as the vectors spell results.
fn run(case: &Value) -> Value {
    let groups = match SavedGroups::compile(&case["savedGroups"]) {
        Ok(g) => g,
        Err(_) => return Value::from("error"),
    };
    match Condition::compile(&case["condition"]) {
        Ok(c) => {
            let result = match c.try_eval(&case["attributes"], &groups) {
                Ok(r) => r,
                Err(_) => return Value::from("error"),
            };
            // A set (paths resolved once per pass) must agree with eval.
            let set = ConditionSet::new(vec![c.clone()]);
            let mut out = Vec::new();
            set.eval_all(&case["attributes"], &groups, &mut out);
            assert_eq!(out, [result], "ConditionSet disagrees: {}", case["name"]);
            // So must the lean reader of attributes as JSON text.
            let text = case["attributes"].to_string();
            set.eval_all_json(&text, &groups, &mut out)
                .expect("attributes JSON");
            assert_eq!(out, [result], "eval_all_json disagrees: {}", case["name"]);
            // And the packed form JavaScript hands over.
            let (words, bytes) = set.pack(&case["attributes"]);
            set.eval_all_packed_with(&words, &bytes, &groups, &mut Scratch::default(), &mut out)
                .expect("packed attributes");
            assert_eq!(
                out,
                [result],
                "eval_all_packed_with disagrees: {}",
                case["name"]
            );
            // explain must agree with eval on every case.
            assert_eq!(
                c.explain(&case["attributes"], &groups).is_none(),
                result,
                "explain disagrees: {}",
                case["name"]
            );
            Value::from(result)
        }
        Err(_) => Value::from("error"),
    }
}

#[test]
fn condition_vectors() {
    let doc = vectors("conditions.json");
    let cases = doc["cases"].as_array().expect("cases");
    assert!(cases.len() > 500, "the vectors look truncated");
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let got = run(case);
            (got != case["expected"]).then(|| {
                format!(
                    "{}: expected {} got {}\n  condition {}\n  attributes {}",
                    case["name"], case["expected"], got, case["condition"], case["attributes"]
                )
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// All the vectors' conditions in one set (so leaves are shared between
/// conditions and remembered across them within a pass), against every
/// vector's attributes: each result must be what the condition alone gives,
/// through every entry point and with one `Scratch` reused throughout.
#[test]
fn one_set_of_every_condition_agrees_with_each_alone() {
    let doc = vectors("conditions.json");
    let cases = doc["cases"].as_array().expect("cases");
    // Cases are grouped by their saved groups, which a set is evaluated with.
    let mut by_groups: Vec<(String, Vec<&Value>)> = Vec::new();
    for case in cases {
        let key = case["savedGroups"].to_string();
        match by_groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => list.push(case),
            None => by_groups.push((key, vec![case])),
        }
    }
    let mut scratch = Scratch::default();
    let mut checked = 0usize;
    for (_, group_cases) in &by_groups {
        let Ok(groups) = SavedGroups::compile(&group_cases[0]["savedGroups"]) else {
            continue;
        };
        let (sources, conditions): (Vec<&Value>, Vec<Condition>) = group_cases
            .iter()
            .filter_map(|c| Some((&c["condition"], Condition::compile(&c["condition"]).ok()?)))
            .unzip();
        let set = ConditionSet::new(conditions.clone());
        let (mut held, mut text, mut reused, mut packed) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for case in cases {
            let attributes = &case["attributes"];
            let json = attributes.to_string();
            set.eval_all(attributes, &groups, &mut held);
            set.eval_all_json(&json, &groups, &mut text)
                .expect("attributes JSON");
            set.eval_all_json_with(&json, &groups, &mut scratch, &mut reused)
                .expect("attributes JSON");
            let (words, bytes) = set.pack(attributes);
            set.eval_all_packed_with(&words, &bytes, &groups, &mut scratch, &mut packed)
                .expect("packed attributes");
            for (i, c) in conditions.iter().enumerate() {
                let alone = c.try_eval(attributes, &groups) == Ok(true);
                assert_eq!(
                    (held[i], text[i], reused[i], packed[i]),
                    (alone, alone, alone, alone),
                    "condition {} on attributes {attributes}",
                    sources[i]
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 100_000, "only {checked} pairs checked");
}

#[test]
fn hash_vectors() {
    let doc = vectors("hash.json");
    for case in doc["cases"].as_array().expect("cases") {
        let (seed, value) = (
            case["seed"].as_str().expect("seed"),
            case["value"].as_str().expect("value"),
        );
        let version = case["version"].as_u64().expect("version") as u32;
        assert_eq!(
            hash(seed, value, version),
            case["expected"].as_f64(),
            "{case}"
        );
    }
}
