//! The email round trip against a real SMTP server on loopback (Python's
//! aiosmtpd, installed by scripts/setup.sh from Debian's
//! `python3-aiosmtpd`): an agent reply the user has not seen goes out by
//! email; one the user read in time does not; the user's emailed answer,
//! posted raw to the inbound webhook, lands in the same conversation
//! without the quoted history, once.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use beckon_server::config::EmailConfig;
use common::harness_with;
use serde_json::json;

/// A Python that has aiosmtpd.
fn python() -> PathBuf {
    for candidate in ["/usr/bin/python3", "python3"] {
        let ok = std::process::Command::new(candidate)
            .args(["-c", "import aiosmtpd"])
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return PathBuf::from(candidate);
        }
    }
    panic!("no python3 with aiosmtpd: run scripts/setup.sh (installs Debian's python3-aiosmtpd)");
}

/// aiosmtpd on a free loopback port, delivering into a Maildir.
async fn smtp_server(maildir: &Path) -> (tokio::process::Child, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let child = tokio::process::Command::new(python())
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(maildir)
        .kill_on_drop(true)
        .spawn()
        .expect("start aiosmtpd");
    let deadline = Instant::now() + Duration::from_secs(10);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "aiosmtpd did not listen");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (child, port)
}

/// The messages delivered so far, raw.
fn delivered(maildir: &Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for sub in ["new", "cur"] {
        if let Ok(entries) = std::fs::read_dir(maildir.join(sub)) {
            for e in entries.flatten() {
                out.push(std::fs::read(e.path()).expect("mail file"));
            }
        }
    }
    out
}

async fn wait_for_mail(maildir: &Path, count: usize) -> Vec<Vec<u8>> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let mails = delivered(maildir);
        if mails.len() >= count || Instant::now() > deadline {
            return mails;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn unseen_replies_go_out_by_email_and_the_answer_comes_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let maildir = dir.path().join("mail");
    let (_smtp, port) = smtp_server(&maildir).await;
    let h = harness_with(|c| {
        c.email = EmailConfig {
            smtp_url: Some(format!("smtp://127.0.0.1:{port}")),
            from: "Acme Support <support@acme.test>".into(),
            reply_domain: "mail.acme.test".into(),
            delay: Duration::from_secs(1),
            scan_every: Duration::from_millis(200),
        };
    })
    .await;
    let sender = beckon_server::mail::spawn_sender(h.state.clone())
        .expect("mailer")
        .expect("configured");

    let token = h.session("away").await;
    let c = h
        .ask(&token, "Can I change the currency on my invoices?")
        .await;
    let id = c["id"].as_str().expect("id").to_owned();
    assert!(c["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .any(|m| m["asks_email"] == true));
    let (status, c) = h
        .messenger(
            "POST",
            &format!("/v1/conversations/{id}/email"),
            Some(&token),
            Some(json!({"email": "ada@example.com"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{c}");
    let (_, view) = h
        .admin(
            "GET",
            &format!("/admin/v1/inbox/demo/conversations/{id}"),
            None,
        )
        .await;
    assert_eq!(
        view["user"]["email"], "ada@example.com",
        "stored on the user record"
    );

    let started = Instant::now();
    h.admin(
        "POST",
        &format!("/admin/v1/inbox/demo/conversations/{id}/reply"),
        Some(
            json!({"agent": "Grace", "body": "Yes: **Settings → Billing**, then pick a currency."}),
        ),
    )
    .await;
    let mails = wait_for_mail(&maildir, 1).await;
    assert_eq!(mails.len(), 1, "one email for the unseen reply");
    eprintln!("reply emailed after {:?} (delay 1 s)", started.elapsed());
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "not before the delay"
    );
    let mail = mail_parser::MessageParser::default()
        .parse(&mails[0])
        .expect("an email");
    assert_eq!(
        mail.to().and_then(|a| a.first()).and_then(|a| a.address()),
        Some("ada@example.com")
    );
    let reply_to = mail
        .reply_to()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .expect("reply-to")
        .to_owned();
    assert!(
        reply_to.starts_with("reply+") && reply_to.ends_with("@mail.acme.test"),
        "{reply_to}"
    );
    let text = mail.body_text(0).expect("text").into_owned();
    assert!(
        text.contains("Grace wrote") && text.contains("Settings → Billing"),
        "{text}"
    );

    // A reply the user reads within the delay is not emailed.
    h.admin(
        "POST",
        &format!("/admin/v1/inbox/demo/conversations/{id}/reply"),
        Some(json!({"agent": "Grace", "body": "Anything else?"})),
    )
    .await;
    h.messenger(
        "POST",
        &format!("/v1/conversations/{id}/read"),
        Some(&token),
        None,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1800)).await;
    assert_eq!(
        delivered(&maildir).len(),
        1,
        "read in time: no second email"
    );

    // The user answers by email; the provider posts the raw message.
    let (_, app) = h.admin("GET", "/admin/v1/apps/demo", None).await;
    let secret = app["email_webhook_secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    let raw = format!(
        "From: Ada <ada@example.com>\r\nTo: Acme Support <{reply_to}>\r\nSubject: Re: New reply from The team\r\n\
         Message-ID: <answer-1@example.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Thanks, that did it!\r\n\r\nOn Tue, 3 Mar 2026 at 10:00, Acme Support <{reply_to}> wrote:\r\n\
         > Grace wrote:\r\n> Yes: Settings, Billing\r\n"
    );
    let post = |bearer: &str, raw: &str| {
        Request::post("/v1/email/inbound?app_id=demo")
            .header(header::AUTHORIZATION, format!("Bearer {bearer}"))
            .header(header::CONTENT_TYPE, "message/rfc822")
            .body(Body::from(raw.to_owned()))
            .expect("req")
    };
    let (status, _, _) = h.send(post("wrong", &raw)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, landed, _) = h.send(post(&secret, &raw)).await;
    assert_eq!(status, StatusCode::OK, "{landed}");
    assert_eq!(landed["conversation_id"], id.as_str());
    let (status, _, _) = h.send(post(&secret, &raw)).await;
    assert_eq!(status, StatusCode::OK, "a redelivery is fine");

    let conversation_uri = format!("/v1/conversations/{id}");
    let conversation = || h.messenger("GET", &conversation_uri, Some(&token), None);
    let (_, c) = conversation().await;
    let mine: Vec<&str> = c["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|m| m["author"] == "user")
        .filter_map(|m| m["body"].as_str())
        .collect();
    assert_eq!(
        mine,
        [
            "Can I change the currency on my invoices?",
            "Thanks, that did it!"
        ],
        "{c}"
    );
    assert_eq!(c["status"], "open");

    // A reply with a 2 MB photo attached, far over the API's body limit:
    // taken, and its text lands (the attachment is not kept).
    let photo = "A".repeat(2 * 1024 * 1024);
    let with_attachment = format!(
        "From: Ada <ada@example.com>\r\nTo: <{reply_to}>\r\nSubject: Re: help\r\n\
         Message-ID: <answer-2@example.com>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHere is a screenshot.\r\n\
         --b1\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\
         Content-Disposition: attachment; filename=\"shot.png\"\r\n\r\n{photo}\r\n--b1--\r\n"
    );
    let (status, landed, _) = h.send(post(&secret, &with_attachment)).await;
    assert_eq!(status, StatusCode::OK, "{landed}");
    let (_, c) = conversation().await;
    let last = c["messages"]
        .as_array()
        .and_then(|m| m.last())
        .and_then(|m| m["body"].as_str())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(last, "Here is a screenshot.", "{c}");
    sender.abort();
}
