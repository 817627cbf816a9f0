//! `beckon-rules`: the condition engine on the command line, for the
//! differential test against GrowthBook, for the benchmarks, and for
//! authors checking a rule by hand.
//!
//! ```text
//! beckon-rules eval                        JSON lines in, true/false/error: … out
//! beckon-rules hash <seed> <value> <version>
//! beckon-rules bench <workload.json> [passes]
//! ```
//!
//! Hand-rolled argument handling: three subcommands do not pay for an
//! argument-parsing crate.

use beckon_core::condition::{Condition, ConditionSet, SavedGroups};
use serde_json::Value;
use std::io::{BufRead, BufWriter, IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage:
  beckon-rules eval                          read {\"condition\",\"attributes\",\"savedGroups\"} JSON lines
                                             on stdin, write true, false or error: … per line
  beckon-rules hash <seed> <value> <version> print GrowthBook's hash (null for an unknown version)
  beckon-rules bench <workload.json> [passes] time full passes over a benchmark workload";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("eval") if args.len() == 1 => eval_lines(),
        Some("hash") if args.len() == 4 => {
            println!("{}", hash(&args[1], &args[2], &args[3]));
            Ok(())
        }
        Some("bench") if args.len() == 2 || args.len() == 3 => {
            bench(&args[1], args.get(2).map(String::as_str))
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("beckon-rules: {e}");
            ExitCode::FAILURE
        }
    }
}

/// One input line's answer.
fn eval_line(line: &str) -> Result<bool, String> {
    let input: Value = serde_json::from_str(line).map_err(|e| format!("invalid JSON: {e}"))?;
    let Value::Object(fields) = input else {
        return Err("expected an object with condition, attributes and savedGroups".into());
    };
    let condition = fields.get("condition").ok_or("missing \"condition\"")?;
    let groups = SavedGroups::compile(fields.get("savedGroups").unwrap_or(&Value::Null))
        .map_err(|e| e.to_string())?;
    let compiled = Condition::compile(condition).map_err(|e| e.to_string())?;
    // GrowthBook reads every path of missing attributes as null.
    compiled
        .try_eval(fields.get("attributes").unwrap_or(&Value::Null), &groups)
        .map_err(|e| e.to_string())
}

fn eval_lines() -> Result<(), String> {
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    let mut out = BufWriter::new(std::io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = line.map_err(|e| format!("reading stdin: {e}"))?;
        match eval_line(&line) {
            Ok(b) => writeln!(out, "{b}"),
            Err(e) => writeln!(out, "error: {}", e.replace('\n', " ")),
        }
        .map_err(|e| format!("writing stdout: {e}"))?;
        if interactive {
            out.flush().map_err(|e| format!("writing stdout: {e}"))?;
        }
    }
    out.flush().map_err(|e| format!("writing stdout: {e}"))
}

fn hash(seed: &str, value: &str, version: &str) -> String {
    // GrowthBook compares `version === 1` / `=== 2` on a number.
    let version = match version.trim().parse::<f64>() {
        Ok(1.0) => 1,
        Ok(2.0) => 2,
        _ => 0,
    };
    match beckon_core::hash::hash(seed, value, version) {
        // Values are multiples of 1/10000 in [0, 1): Rust and JavaScript
        // print those identically.
        Some(h) => h.to_string(),
        None => "null".into(),
    }
}

/// Times full passes over every audience of a workload, with the
/// attributes already parsed (`nsPerPass`) and read from JSON text each
/// pass (`nsPerPassWithParse`), fastest batch and median; prints one JSON
/// line.
fn bench(path: &str, passes: Option<&str>) -> Result<(), String> {
    let passes: usize = passes
        .map_or(Ok(2000), str::parse)
        .map_err(|e| format!("passes: {e}"))?;
    let text = std::fs::read_to_string(path).map_err(|e| format!("reading {path}: {e}"))?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| format!("parsing {path}: {e}"))?;
    let audiences = doc["audiences"]
        .as_array()
        .ok_or("workload has no audiences")?;
    let attributes_json = doc["attributes"].to_string();
    let groups = SavedGroups::default();
    let set = ConditionSet::new(
        audiences
            .iter()
            .map(Condition::compile)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?,
    );
    let mut results = Vec::with_capacity(set.len());
    let attributes: Value = serde_json::from_str(&attributes_json).map_err(|e| e.to_string())?;
    set.eval_all(&attributes, &groups, &mut results);
    let matches = results.iter().filter(|r| **r).count();

    // Batches, each long enough for the clock to resolve it.
    let time = |f: &mut dyn FnMut() -> Result<(), String>| -> Result<(f64, f64), String> {
        for _ in 0..passes / 4 {
            f()?;
        }
        let batch = 50;
        let mut samples = Vec::new();
        for _ in 0..(passes / batch).max(5) {
            let start = Instant::now();
            for _ in 0..batch {
                f()?;
            }
            samples.push(start.elapsed().as_nanos() as f64 / batch as f64);
        }
        samples.sort_by(f64::total_cmp);
        // The fastest batch (the least disturbed on a shared machine) and
        // the median, as benches/rules-bench.mjs reports GrowthBook's.
        Ok((samples[0], samples[samples.len() / 2]))
    };
    // The server's case: attributes already parsed, evaluate every audience.
    let eval_only = time(&mut || {
        set.eval_all(std::hint::black_box(&attributes), &groups, &mut results);
        Ok(())
    })?;
    // With the attributes arriving as JSON text each pass.
    let with_parse = time(&mut || {
        set.eval_all_json(
            std::hint::black_box(&attributes_json),
            &groups,
            &mut results,
        )
        .map_err(|e| e.to_string())
    })?;
    println!(
        "{}",
        serde_json::json!({
            "audiences": set.len(),
            "matches": matches,
            "nsPerPass": eval_only.0,
            "nsPerPassMedian": eval_only.1,
            "nsPerPassWithParse": with_parse.0,
            "nsPerPassWithParseMedian": with_parse.1,
        })
    );
    Ok(())
}
