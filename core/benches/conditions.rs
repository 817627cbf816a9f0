//! Criterion benchmark of the condition engine on the shared workload
//! (`tests/vectors/bench-workload.json`: 200 audiences, one user of ~50
//! attributes). Audiences are compiled once; a pass evaluates all of them.
//! `benches/rules-bench.mjs` compares the same pass with GrowthBook's
//! JavaScript and with the wasm build.
//!
//!     cargo bench -p beckon-core --bench conditions

use beckon_core::condition::{Condition, ConditionSet, SavedGroups, Scratch};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use serde_json::Value;

fn workload() -> (Vec<Value>, Value) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/vectors/bench-workload.json"
    );
    let text =
        std::fs::read_to_string(path).expect("bench workload (node benches/gen-workload.mjs)");
    let doc: Value = serde_json::from_str(&text).expect("workload JSON");
    let audiences = doc["audiences"].as_array().expect("audiences").clone();
    (audiences, doc["attributes"].clone())
}

fn compile(audiences: &[Value]) -> Vec<Condition> {
    audiences
        .iter()
        .map(|a| Condition::compile(a).expect("compiles"))
        .collect()
}

fn bench(c: &mut Criterion) {
    let (audiences, attributes) = workload();
    let groups = SavedGroups::default();
    c.bench_function("compile 200 audiences", |b| {
        b.iter(|| ConditionSet::new(compile(black_box(&audiences))))
    });

    let singles = compile(&audiences);
    c.bench_function("pass: 200 x Condition::eval", |b| {
        b.iter(|| {
            singles
                .iter()
                .filter(|c| c.eval(black_box(&attributes), &groups))
                .count()
        })
    });

    let set = ConditionSet::new(compile(&audiences));
    let mut out = Vec::new();
    c.bench_function("pass: ConditionSet::eval_all (attributes held)", |b| {
        b.iter(|| set.eval_all(black_box(&attributes), &groups, &mut out))
    });

    let json = attributes.to_string();
    let mut scratch = Scratch::default();
    c.bench_function(
        "pass: ConditionSet::eval_all_json_with (attributes as JSON)",
        |b| {
            b.iter(|| {
                set.eval_all_json_with(black_box(&json), &groups, &mut scratch, &mut out)
                    .expect("attributes")
            })
        },
    );

    let (words, bytes) = set.pack(&attributes);
    c.bench_function(
        "pass: ConditionSet::eval_all_packed_with (attributes packed)",
        |b| {
            b.iter(|| {
                set.eval_all_packed_with(
                    black_box(&words),
                    black_box(&bytes),
                    &groups,
                    &mut scratch,
                    &mut out,
                )
                .expect("attributes")
            })
        },
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
