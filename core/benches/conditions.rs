//! Criterion benchmark of the condition engine on the shared workload
//! (`tests/vectors/bench-workload.json`: 200 audiences, one user of ~50
//! attributes): compile once, then one full pass = parse nothing, evaluate
//! all 200 audiences. `benches/rules-bench.mjs` compares the same pass with
//! GrowthBook's JavaScript.

use beckon_core::condition::{Condition, SavedGroups};
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

fn bench(c: &mut Criterion) {
    let (audiences, attributes) = workload();
    let groups = SavedGroups::default();
    c.bench_function("compile 200 audiences", |b| {
        b.iter(|| {
            audiences
                .iter()
                .map(|a| Condition::compile(black_box(a)).expect("compiles"))
                .count()
        })
    });
    let compiled: Vec<Condition> = audiences
        .iter()
        .map(|a| Condition::compile(a).expect("compiles"))
        .collect();
    c.bench_function("eval 200 audiences (one pass)", |b| {
        b.iter(|| {
            compiled
                .iter()
                .filter(|c| c.eval(black_box(&attributes), &groups))
                .count()
        })
    });
    let json = attributes.to_string();
    c.bench_function("parse attributes + eval 200 audiences", |b| {
        b.iter(|| {
            let attrs: Value = serde_json::from_str(black_box(&json)).expect("attributes");
            compiled.iter().filter(|c| c.eval(&attrs, &groups)).count()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
