//! Email continuity: agent replies the user has not seen go out by email,
//! and the user's email answers come back into the same conversation.
//!
//! **Out**: [`spawn_sender`] runs a loop that, every
//! `EmailConfig::scan_every`, finds conversations with agent replies older
//! than the app's delay that the user has neither seen nor been emailed,
//! claims them in the database (so two server processes never send the
//! same reply twice), and sends one email per conversation through lettre
//! to the SMTP server of `BECKON_SMTP_URL`. Its Reply-To is
//! `reply+<token>@<reply domain>`, the token naming the conversation.
//!
//! **In**: the mail provider posts the raw RFC 822 message to
//! `POST /v1/email/inbound?app_id=…` with the app's webhook secret;
//! [`parse_reply`] reads it with mail-parser, finds the token in the
//! recipients, and strips the quoted history and signature, so only what
//! the user wrote lands in the conversation.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::EmailConfig;
use crate::store::{now_ms, AppRecord, EmailDue};
use crate::AppState;

/// Conversations emailed per app and scan.
const BATCH: i64 = 50;

/// The webhook secret of an app's inbound email: HMAC-SHA256(app secret,
/// "beckon-inbound-email-v1"), hex. Derived, so it needs no storage and
/// changes when the app's secret is rotated.
pub fn webhook_secret(app: &AppRecord) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(app.secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(b"beckon-inbound-email-v1");
    hex::encode(mac.finalize().into_bytes())
}

/// The reply-to address of a conversation.
pub fn reply_address(token: &str, domain: &str) -> String {
    format!("reply+{token}@{domain}")
}

/// What an inbound email says.
#[derive(Debug, Clone, PartialEq)]
pub struct InboundReply {
    /// The conversation token from a `reply+<token>@` recipient.
    pub token: String,
    /// The email's Message-ID (or a hash of it when absent), for dedupe.
    pub message_id: String,
    /// The sender's address.
    pub from: Option<String>,
    /// The new text, without quoted history or signature.
    pub body: String,
}

/// The token of the first `reply+<token>@…` address in `text`.
fn token_in(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let start = lower.find("reply+")? + "reply+".len();
    let token: String = lower[start..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    (lower[start + token.len()..].starts_with('@') && !token.is_empty()).then_some(token)
}

/// Cuts the quoted history and the signature off an email reply: the
/// first `On … wrote:` line (also split over two lines), Outlook's
/// `-----Original Message-----` or underscore rule, a `From:` header block
/// after a blank line, or the `-- ` signature delimiter, and any `>` line.
pub fn strip_quoted(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut kept: Vec<&str> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        let next = lines.get(i + 1).map_or("", |l| l.trim());
        let wrote = (t.starts_with("On ") && (t.ends_with("wrote:") || next.ends_with("wrote:")))
            || (t.starts_with("Le ") && t.ends_with("a écrit :"))
            || (t.starts_with("Am ") && t.ends_with("schrieb:"));
        let outlook = t.starts_with("-----Original Message-----")
            || (t.len() >= 20 && t.chars().all(|c| c == '_'))
            || (t.starts_with("From:") && kept.last().is_some_and(|l| l.trim().is_empty()));
        if wrote || outlook || *line == "-- " || t == "--" {
            break;
        }
        if t.starts_with('>') {
            continue;
        }
        kept.push(line);
    }
    kept.join("\n").trim().to_owned()
}

/// Reads a raw inbound email; `None` if it is not a message or names no
/// conversation.
pub fn parse_reply(raw: &[u8]) -> Option<InboundReply> {
    let message = mail_parser::MessageParser::default().parse(raw)?;
    let mut candidates: Vec<String> = Vec::new();
    for list in [message.to(), message.cc()].into_iter().flatten() {
        candidates.extend(list.iter().filter_map(|a| a.address().map(str::to_owned)));
    }
    for header in ["Delivered-To", "X-Original-To", "Envelope-To"] {
        if let Some(raw) = message.header_raw(header) {
            candidates.push(raw.to_owned());
        }
    }
    let token = candidates.iter().find_map(|c| token_in(c))?;
    let message_id = match message.message_id() {
        Some(id) => id.to_owned(),
        None => {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(raw))
        }
    };
    let from = message
        .from()
        .and_then(|f| f.first())
        .and_then(|a| a.address())
        .map(str::to_owned);
    let text = message
        .body_text(0)
        .map(|t| t.into_owned())
        .unwrap_or_default();
    Some(InboundReply {
        token,
        message_id,
        from,
        body: strip_quoted(&text),
    })
}

/// The SMTP client and the addresses every email carries.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    reply_domain: String,
}

impl Mailer {
    /// A mailer for the configured SMTP URL; `Ok(None)` when none is set.
    pub fn from_config(config: &EmailConfig) -> Result<Option<Self>, String> {
        let Some(url) = &config.smtp_url else {
            return Ok(None);
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("BECKON_SMTP_URL: {e}"))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|e| format!("BECKON_MAIL_FROM {:?}: {e}", config.from))?;
        Ok(Some(Self {
            transport,
            from,
            reply_domain: config.reply_domain.clone(),
        }))
    }

    /// Sends the unseen replies of one conversation.
    async fn send(&self, app: &AppRecord, due: &EmailDue) -> Result<(), String> {
        let team = &app.settings.messenger.team_name;
        let mut text = String::new();
        for m in &due.messages {
            let who = m.message.author_name.as_deref().unwrap_or(team);
            text.push_str(&format!("{who} wrote:\n\n{}\n\n", m.message.body));
        }
        text.push_str(&format!(
            "-- \nReply to this email to answer {team}; your reply goes into the same conversation.\n"
        ));
        let reply_to: Mailbox = format!(
            "{} <{}>",
            team.replace(['<', '>', '"'], ""),
            reply_address(&due.conversation.email_token, &self.reply_domain)
        )
        .parse()
        .map_err(|e| format!("reply-to: {e}"))?;
        let to: Mailbox = due
            .email
            .parse()
            .map_err(|e| format!("to {:?}: {e}", due.email))?;
        let email = Message::builder()
            .from(self.from.clone())
            .reply_to(reply_to)
            .to(to)
            .subject(format!("New reply from {team}"))
            .header(ContentType::TEXT_PLAIN)
            .body(text)
            .map_err(|e| format!("building the email: {e}"))?;
        self.transport
            .send(email)
            .await
            .map(|_| ())
            .map_err(|e| format!("SMTP: {e}"))
    }
}

/// One scan: sends what is due in every app. Returns how many emails went.
pub async fn send_due(state: &AppState, mailer: &Mailer) -> crate::Result<usize> {
    let mut sent = 0;
    for app in state.store.apps().await? {
        let delay = app
            .settings
            .messenger
            .email_after_seconds
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map_or(state.config.email.delay, Duration::from_secs_f64);
        let before = now_ms() - i64::try_from(delay.as_millis()).unwrap_or(i64::MAX);
        for due in state.store.email_due(&app.id, before, BATCH).await? {
            let Some(last) = due.messages.last().map(|m| m.seq) else {
                continue;
            };
            let c = &due.conversation;
            if !state
                .store
                .claim_email(&app.id, &c.id, c.emailed_seq, last)
                .await?
            {
                continue; // another process has it
            }
            match mailer.send(&app, &due).await {
                Ok(()) => {
                    sent += 1;
                    tracing::info!(app = %app.id, conversation = %c.id, "emailed unseen replies");
                }
                Err(e) => {
                    tracing::warn!(app = %app.id, conversation = %c.id, error = %e, "email failed; will retry");
                    state
                        .store
                        .claim_email(&app.id, &c.id, last, c.emailed_seq)
                        .await?;
                }
            }
        }
    }
    Ok(sent)
}

/// Starts the sender loop when an SMTP URL is configured; it stops with
/// the server.
pub fn spawn_sender(state: AppState) -> Result<Option<tokio::task::JoinHandle<()>>, String> {
    let Some(mailer) = Mailer::from_config(&state.config.email)? else {
        return Ok(None);
    };
    Ok(Some(tokio::spawn(async move {
        let mut stopping = state.hub.stopping();
        let every = state.config.email.scan_every;
        loop {
            if let Err(e) = send_due(&state, &mailer).await {
                tracing::warn!(error = %e, "email scan failed");
            }
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = stopping.changed() => return,
            }
        }
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_lose_their_quotes_and_signature() {
        let text = "Thanks, that worked!\nBest\n\nOn Tue, 3 Mar 2026 at 10:00, Acme <reply+abc@x.io> wrote:\n> Try this\n";
        assert_eq!(strip_quoted(text), "Thanks, that worked!\nBest");
        let two_lines = "Yes\n\nOn Tue, 3 Mar 2026 at 10:00, Acme\n<reply+abc@x.io> wrote:\n> hi";
        assert_eq!(strip_quoted(two_lines), "Yes");
        assert_eq!(strip_quoted("Sure\n-- \nAda\nCEO"), "Sure");
        assert_eq!(
            strip_quoted("Ok\n\n-----Original Message-----\nFrom: x"),
            "Ok"
        );
        assert_eq!(strip_quoted("> quoted\nmine"), "mine");
    }

    #[test]
    fn finds_the_token_in_the_recipients() {
        let raw = b"From: Ada <ada@example.com>\r\nTo: Acme <reply+tok3n@mail.acme.test>\r\nSubject: Re: hi\r\nMessage-ID: <m1@example.com>\r\n\r\nHello\r\n\r\nOn Mon, Acme wrote:\r\n> old\r\n";
        let r = parse_reply(raw).expect("parsed");
        assert_eq!(r.token, "tok3n");
        assert_eq!(r.message_id, "m1@example.com");
        assert_eq!(r.from.as_deref(), Some("ada@example.com"));
        assert_eq!(r.body, "Hello");
        assert!(parse_reply(b"To: someone@else.test\r\n\r\nhi").is_none());
        assert_eq!(token_in("reply+ab12@x"), Some("ab12".into()));
        assert_eq!(token_in("reply+ab12"), None);
    }
}
