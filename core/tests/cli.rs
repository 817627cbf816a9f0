//! The `beckon-rules` binary as scripts use it.

use std::io::Write;
use std::process::{Command, Stdio};

fn run(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_beckon-rules"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("beckon-rules runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("output");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn eval_answers_every_line_and_survives_bad_ones() {
    let input = [
        r#"{"condition": {"plan": {"$in": ["pro"]}}, "attributes": {"plan": "pro"}}"#,
        r#"not json"#,
        r#"{"condition": {"id": {"$inGroup": "g"}}, "attributes": {"id": 1}, "savedGroups": {"g": [1]}}"#,
        r#"{"condition": {"$or": null}}"#,
        r#"{"condition": {"x": {"$gt": {"toString": 1}}}, "attributes": {}}"#,
        r#"{"condition": {"a": 1}, "attributes": {"a": 2}}"#,
    ]
    .join("\n");
    let (code, out, _) = run(&["eval"], &input);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 6, "{out}");
    assert_eq!(lines[0], "true");
    assert!(lines[1].starts_with("error: invalid JSON"), "{}", lines[1]);
    assert_eq!(lines[2], "true");
    assert!(
        lines[3].starts_with("error: invalid rule at $.$or"),
        "{}",
        lines[3]
    );
    assert!(
        lines[4].starts_with("error: rule cannot be evaluated"),
        "{}",
        lines[4]
    );
    assert_eq!(lines[5], "false");
}

#[test]
fn hash_prints_growthbooks_number_or_null() {
    assert_eq!(run(&["hash", "", "a", "1"], "").1, "0.22\n");
    assert_eq!(run(&["hash", "b", "a", "1"], "").1, "0.946\n");
    assert_eq!(run(&["hash", "a", "b", "3"], "").1, "null\n");
}

#[test]
fn usage_errors_exit_non_zero() {
    let (code, out, err) = run(&[], "");
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("usage"));
    assert_eq!(run(&["hash", "a"], "").0, 2);
    assert_ne!(run(&["bench", "/nonexistent.json"], "").0, 0);
}
