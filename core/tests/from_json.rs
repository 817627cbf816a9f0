//! `FromJson` (what the SDK reads with) against serde's `Deserialize` (what
//! the server reads with) on the demo app's real documents, and on every
//! variant of them with one member taken out, retyped or added: both must
//! accept the same documents and read them into the same values.

use beckon_core::conversation::{ConversationList, Updates};
use beckon_core::json::{from_value, FromJson};
use beckon_core::orchestration::Settings;
use beckon_core::protocol::{BootResponse, Message};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

const DEMO: &str = include_str!("../../server/seed/demo.json");

fn demo() -> Value {
    serde_json::from_str(DEMO).expect("demo seed is JSON")
}

/// Both readers agree on `doc`; whether it was accepted.
fn agree<T: FromJson + DeserializeOwned + PartialEq + std::fmt::Debug>(doc: &Value) -> bool {
    let ours = from_value::<T>(doc.clone());
    let serdes = serde_json::from_value::<T>(doc.clone()).map_err(|e| e.to_string());
    match (&ours, &serdes) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{doc}"),
        (Err(_), Err(_)) => {}
        _ => panic!("readers disagree on {doc}:\n FromJson {ours:?}\n serde {serdes:?}"),
    }
    ours.is_ok()
}

/// Every object inside `doc`, with one of its members removed, replaced by
/// a value of another type, or joined by an unknown one.
fn variants(doc: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    walk(doc, &mut |path| {
        for edit in 0..4 {
            let mut copy = doc.clone();
            if let Some(Value::Object(map)) = copy.pointer_mut(path) {
                let first = map.keys().next().cloned();
                match (edit, first) {
                    (0, Some(k)) => {
                        map.remove(&k);
                    }
                    (1, Some(k)) => {
                        map.insert(k, json!(17));
                    }
                    (2, Some(k)) => {
                        map.insert(k, json!("text"));
                    }
                    (3, _) => {
                        map.insert("surprise".into(), json!(1));
                    }
                    _ => continue,
                }
                out.push(copy);
            }
        }
    });
    out
}

/// Calls `f` with the JSON pointer of every object in `doc`.
fn walk(doc: &Value, f: &mut dyn FnMut(&str)) {
    fn go(v: &Value, path: String, f: &mut dyn FnMut(&str)) {
        match v {
            Value::Object(map) => {
                f(&path);
                for (k, child) in map {
                    go(
                        child,
                        format!("{path}/{}", k.replace('~', "~0").replace('/', "~1")),
                        f,
                    );
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    go(child, format!("{path}/{i}"), f);
                }
            }
            _ => {}
        }
    }
    go(doc, String::new(), f);
}

#[test]
fn the_demo_messages_read_the_same() {
    let messages = demo()["messages"].clone();
    assert!(agree::<Vec<Message>>(&messages), "the demo reads");
    let (mut accepted, mut refused) = (0, 0);
    for message in messages.as_array().expect("messages") {
        for doc in variants(message) {
            if agree::<Message>(&doc) {
                accepted += 1;
            } else {
                refused += 1;
            }
        }
    }
    // Both kinds of outcome were exercised, many times.
    assert!(
        accepted > 50 && refused > 50,
        "{accepted} accepted, {refused} refused"
    );
}

#[test]
fn the_demo_settings_read_the_same() {
    let settings = demo()["app"]["settings"]["attention"].clone();
    assert!(agree::<Settings>(&settings));
    for doc in variants(&settings) {
        agree::<Settings>(&doc);
    }
}

#[test]
fn a_boot_answer_and_messenger_answers_read_the_same() {
    let messages: Vec<Message> =
        serde_json::from_value(demo()["messages"].clone()).expect("messages");
    let boot = json!({
        "v": 1,
        "user_key": "u1",
        "state": {
            "v": 2,
            "messages": {"welcome-banner": {"shown": {"recent": {"e1": 5.0}, "older": 2}, "dismissed_at": 1.5,
                                            "step": {"step": 1, "at": 2.0}, "tasks": ["report"]}},
            "events": {"report_created": {"recent": {"e2": 7.0}}},
            "unhappy_at": 3.0,
        },
        "messages": serde_json::to_value(&messages).expect("to json"),
        "session": "tok",
        "messenger": demo()["app"]["settings"]["messenger"].clone(),
    });
    assert!(agree::<BootResponse>(&boot), "the boot answer reads");
    for doc in variants(&boot).into_iter().take(400) {
        agree::<BootResponse>(&doc);
    }
    let updates = json!({"cursor": "7", "events": [
        {"type": "typing", "conversation_id": "c", "author_name": "Ann"},
        {"type": "message", "conversation_id": "c", "message": {
            "id": "m", "author": "bot", "body": "hi", "ts": 3,
            "sources": [{"kind": "article", "id": "a", "title": "A"}], "asks_feedback": true}},
    ]});
    assert!(agree::<Updates>(&updates), "the updates read");
    for doc in variants(&updates) {
        agree::<Updates>(&doc);
    }
    assert!(agree::<ConversationList>(
        &json!({"conversations": [], "unread": 0, "cursor": null})
    ));
}
