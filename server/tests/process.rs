//! The real binary on loopback: a graceful shutdown (SIGTERM) and a kill -9
//! in the middle of a stream of event batches lose no event the server
//! acknowledged. Acknowledged ids are collected by the clients; after a
//! restart on the same data, every one must be stored.

mod common;

use std::collections::HashSet;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

const KEY: &str = "process-test-key";
const CLIENTS: usize = 8;
const BATCHES_PER_CLIENT: usize = 50;
const BATCH: usize = 20;

struct Server {
    child: Child,
    addr: String,
}

async fn start(data: &std::path::Path, database_url: Option<&str>) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_beckon-server"));
    cmd.env("PORT", "0")
        .env("BECKON_DATA", data)
        .env("BECKON_ADMIN_KEY", KEY)
        .env("RUST_LOG", "warn")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    if let Some(url) = database_url {
        cmd.env("DATABASE_URL", url);
    }
    let mut child = cmd.spawn().expect("start beckon-server");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    // Logs go to stdout too: a restart on the same data may warn before it
    // listens, so the address is taken from the first line that has one.
    let addr = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let line = lines
                .next_line()
                .await
                .expect("read stdout")
                .expect("the server printed where it listens before exiting");
            if let Some(addr) = line.split("listening on http://").nth(1) {
                break addr.trim_end_matches('/').to_owned();
            }
        }
    })
    .await
    .expect("server starts within 30 s");
    Server { child, addr }
}

/// One HTTP/1.1 request on a new connection; `None` if the server is gone.
async fn request(
    addr: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> Option<(u16, Value)> {
    let mut stream = TcpStream::connect(addr).await.ok()?;
    let body = body.map(Value::to_string).unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {KEY}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.ok()?;
    stream.write_all(body.as_bytes()).await.ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.ok()?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    // Bodies may come chunked; the JSON is the part between the braces.
    let json = body
        .find(['{', '['])
        .and_then(|start| body.rfind(['}', ']']).map(|end| &body[start..=end]))
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or(Value::Null);
    Some((status, json))
}

/// Streams batches from several clients until the server stops answering;
/// the ids it acknowledged.
async fn stream_events(addr: String) -> Arc<Mutex<HashSet<String>>> {
    let acked = Arc::new(Mutex::new(HashSet::new()));
    for client in 0..CLIENTS {
        let addr = addr.clone();
        let acked = Arc::clone(&acked);
        tokio::spawn(async move {
            for batch in 0..BATCHES_PER_CLIENT {
                let ids: Vec<String> = (0..BATCH)
                    .map(|i| format!("c{client}-b{batch}-e{i}"))
                    .collect();
                let events: Vec<Value> = ids
                    .iter()
                    .map(|id| json!({"id": id, "name": "page.viewed", "ts": 1.0e12}))
                    .collect();
                let body = json!({"app_id": "crash", "user": {"user_id": format!("u{client}")}, "events": events});
                match request(&addr, "POST", "/v1/events", Some(&body)).await {
                    Some((200, answer)) => {
                        assert_eq!(answer["accepted"], BATCH, "{answer}");
                        acked.lock().expect("lock").extend(ids);
                    }
                    Some(_) | None => return,
                }
            }
        });
    }
    acked
}

async fn acknowledged_events_survive(signal: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let database_url = common::postgres_database().await;
    let server = start(dir.path(), database_url.as_deref()).await;
    let app = json!({"id": "crash", "name": "crash",
        "settings": {"rate_limits": {"app_per_second": 0, "user_per_second": 0}}});
    let (status, body) = request(&server.addr, "POST", "/admin/v1/apps", Some(&app))
        .await
        .expect("admin");
    assert_eq!(status, 201, "{body}");

    let acked = stream_events(server.addr.clone()).await;
    // Let the stream get going, then stop the server in the middle of it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while acked.lock().expect("lock").len() < 400 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let pid = server.child.id().expect("pid").to_string();
    let sent = std::process::Command::new("kill")
        .args([signal, &pid])
        .status()
        .expect("kill");
    assert!(sent.success());
    let mut child = server.child;
    let exit = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("the server stops")
        .expect("exit status");
    if signal == "-TERM" {
        assert!(exit.success(), "graceful shutdown exits 0: {exit:?}");
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let acked = acked.lock().expect("lock").clone();
    assert!(
        acked.len() >= 400,
        "the stream was running: {} acknowledged",
        acked.len()
    );

    let again = start(dir.path(), database_url.as_deref()).await;
    let (status, stored) = request(&again.addr, "GET", "/admin/v1/apps/crash/events", None)
        .await
        .expect("admin after restart");
    assert_eq!(status, 200);
    let stored: HashSet<String> = stored
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|e| e["id"].as_str().map(str::to_owned))
        .collect();
    let lost: Vec<&String> = acked.difference(&stored).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged events lost after {signal}, e.g. {:?}",
        lost.len(),
        lost.first()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_loses_no_acknowledged_event() {
    acknowledged_events_survive("-TERM").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_ingest_loses_no_acknowledged_event() {
    acknowledged_events_survive("-KILL").await;
}

/// An open event stream does not hold the graceful shutdown: SIGTERM ends
/// the stream and the process exits at once.
#[tokio::test]
async fn sigterm_ends_open_event_streams() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = start(dir.path(), None).await;
    let (status, boot) = request(
        &server.addr,
        "POST",
        "/v1/boot",
        Some(&json!({"app_id": "demo", "user": {"anonymous_id": "streamer"}, "page": {"url": "http://x/"}})),
    )
    .await
    .expect("boot");
    assert_eq!(status, 200, "{boot}");
    let token = boot["session"].as_str().expect("session").to_owned();
    let mut stream = TcpStream::connect(&server.addr).await.expect("connect");
    let head = format!(
        "GET /v1/conversations/stream?session={token} HTTP/1.1\r\nHost: {}\r\n\r\n",
        server.addr
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    let mut first = [0u8; 512];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut first))
        .await
        .expect("stream answers")
        .expect("read");
    assert!(String::from_utf8_lossy(&first[..n]).contains("text/event-stream"));

    let pid = server.child.id().expect("pid");
    let started = std::time::Instant::now();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let exit = tokio::time::timeout(Duration::from_secs(10), server.child.wait())
        .await
        .expect("exits while a stream is open")
        .expect("wait");
    assert!(exit.success(), "{exit:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}
