//! What happens in a conversation, whoever makes it happen: the user
//! through the SDK, an agent through the inbox, or an email reply.
//!
//! Each operation is one [`ConversationWriter`] transaction under the
//! user's lock, then a wake-up of the user's streams. A user's message is
//! committed *before* the bot looks at it, so nothing the user wrote is
//! lost if the bot fails; the bot's answer (or the handoff) is a second
//! write.

use axum::http::StatusCode;
use beckon_core::conversation::{AuthorKind, Conversation, ConversationStatus, NewMessage, Rating};

use crate::auth::MAX_ID_LEN;
use crate::error::{AppError, Result};
use crate::store::{
    now_ms, AppRecord, ConversationRecord, ConversationWriter, NewConversationMessage,
    StoredMessage,
};
use crate::AppState;

/// The longest message, in characters.
pub const MAX_BODY_CHARS: usize = 10_000;

/// The longest rating comment, in characters.
const MAX_COMMENT_CHARS: usize = 2_000;

/// Checks a message body: not blank, at most [`MAX_BODY_CHARS`].
pub fn check_body(field: &str, body: &str) -> Result<()> {
    if body.trim().is_empty() {
        return Err(AppError::field(field, "must not be empty"));
    }
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(AppError::field(
            field,
            format!("at most {MAX_BODY_CHARS} characters"),
        ));
    }
    Ok(())
}

/// Checks an agent's or assignee's name.
pub fn check_name(field: &str, name: &str) -> Result<()> {
    if name.trim().is_empty() || name.chars().count() > 100 {
        return Err(AppError::field(field, "1 to 100 characters"));
    }
    Ok(())
}

/// A plausible address: one `@`, a dot in the domain, no spaces, ≤ 254
/// bytes. Whether it receives mail only sending can tell.
pub fn check_email(field: &str, email: &str) -> Result<()> {
    let ok = email.len() <= 254
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if ok {
        Ok(())
    } else {
        Err(AppError::field(
            field,
            "an email address like ada@example.com",
        ))
    }
}

fn not_found(id: &str) -> AppError {
    AppError::not_found("conversation", id)
}

/// The whole conversation as the user sees it.
pub async fn view(
    state: &AppState,
    app: &AppRecord,
    c: &ConversationRecord,
) -> Result<Conversation> {
    let messages = state.store.conversation_messages(&app.id, &c.id).await?;
    Ok(c.view(
        &messages,
        Some(app.settings.messenger.expected_reply.clone()),
    ))
}

async fn commit(state: &AppState, w: ConversationWriter, app_id: &str) -> Result<()> {
    let user_key = w.user_key().to_owned();
    if w.commit().await? {
        state.hub.notify(app_id, &user_key);
    }
    Ok(())
}

/// The user writes: a new conversation (`conversation_id` = `None`) or the
/// next message of one of theirs. A retry with a `client_id` already stored
/// changes nothing and answers the conversation as it is.
pub async fn user_message(
    state: &AppState,
    app: &AppRecord,
    user_key: &str,
    conversation_id: Option<&str>,
    new: NewMessage,
) -> Result<Conversation> {
    check_body("body", &new.body)?;
    if new.client_id.is_empty() || new.client_id.len() > MAX_ID_LEN {
        return Err(AppError::field(
            "client_id",
            format!("1 to {MAX_ID_LEN} bytes"),
        ));
    }
    let mut w = state.store.conversation_writer(&app.id, user_key).await?;
    if let Some(existing) = w.sent_before(&new.client_id).await? {
        drop(w);
        let c = state
            .store
            .user_conversation(&app.id, user_key, &existing)
            .await?
            .ok_or_else(|| not_found(&existing))?;
        return view(state, app, &c).await;
    }
    let mut c = match conversation_id {
        None => w.create().await?,
        Some(id) => w.load(id).await?.ok_or_else(|| not_found(id))?,
    };
    if c.status == ConversationStatus::Closed {
        // Writing again reopens it, in the human queue where it ended.
        c.status = ConversationStatus::Open;
    }
    let question = new.body.clone();
    w.add(
        &mut c,
        NewConversationMessage {
            client_id: Some(new.client_id),
            body: new.body,
            ..Default::default()
        },
    )
    .await?;
    commit(state, w, &app.id).await?;
    if c.status == ConversationStatus::Bot {
        bot_turn(state, app, &c.id, user_key, &question).await?;
    }
    let c = state
        .store
        .user_conversation(&app.id, user_key, &c.id)
        .await?
        .ok_or_else(|| not_found(&c.id))?;
    view(state, app, &c).await
}

/// The bot answers the user's latest words, or hands the conversation to
/// a person when it is not confident enough or the user asked for one.
async fn bot_turn(
    state: &AppState,
    app: &AppRecord,
    id: &str,
    user_key: &str,
    question: &str,
) -> Result<()> {
    let settings = &app.settings.messenger;
    let answer = if crate::bot::asks_for_person(question) {
        None
    } else {
        let started = std::time::Instant::now();
        let answer = state
            .bot
            .answer(&state.store, &app.id, question, settings.bot_threshold)
            .await?;
        state
            .metrics
            .latency
            .get_or_create(&crate::metrics::TimingLabels {
                route: "bot".to_owned(),
            })
            .observe(started.elapsed().as_secs_f64());
        answer
    };
    let mut w = state.store.conversation_writer(&app.id, user_key).await?;
    let Some(mut c) = w.load(id).await? else {
        return Ok(());
    };
    if c.status != ConversationStatus::Bot {
        return Ok(());
    }
    match answer {
        Some(a) => {
            w.add(
                &mut c,
                NewConversationMessage {
                    author: Some(AuthorKind::Bot),
                    author_name: Some(settings.bot_name.clone()),
                    body: a.body,
                    sources: a.sources,
                    asks_feedback: true,
                    ..Default::default()
                },
            )
            .await?;
        }
        None => hand_off(state, app, &mut w, &mut c, Some(question.to_owned())).await?,
    }
    commit(state, w, &app.id).await
}

/// Moves the conversation to the human queue: tells the user who answers
/// and roughly when, and asks for an email address if there is none yet.
/// Everything already written stays in the transcript the agents see.
async fn hand_off(
    state: &AppState,
    app: &AppRecord,
    w: &mut ConversationWriter,
    c: &mut ConversationRecord,
    question: Option<String>,
) -> Result<()> {
    if c.status != ConversationStatus::Bot {
        return Ok(());
    }
    let settings = &app.settings.messenger;
    c.status = ConversationStatus::Open;
    c.handoff_question = match question {
        Some(q) => Some(q),
        None => last_user_words(&w.messages(&c.id).await?, None),
    };
    w.add(
        c,
        NewConversationMessage {
            author: Some(AuthorKind::System),
            body: format!(
                "A person from {} will answer here, usually {}. Everything you wrote is with them.",
                settings.team_name, settings.expected_reply
            ),
            ..Default::default()
        },
    )
    .await?;
    let has_email = state
        .store
        .user(&app.id, &c.user_key)
        .await?
        .is_some_and(|u| u.email.is_some());
    if !has_email {
        w.add(
            c,
            NewConversationMessage {
                author: Some(AuthorKind::System),
                body: "Leave your email address and we will send the answer there too, in case you have left.".to_owned(),
                asks_email: true,
                ..Default::default()
            },
        )
        .await?;
    }
    Ok(())
}

/// The user's last message, before the message `before` if given: the
/// question a handoff is about.
fn last_user_words(messages: &[StoredMessage], before: Option<&str>) -> Option<String> {
    let end = before
        .and_then(|id| messages.iter().position(|m| m.message.id == id))
        .unwrap_or(messages.len());
    messages[..end]
        .iter()
        .rev()
        .find(|m| m.message.author == AuthorKind::User)
        .map(|m| m.message.body.clone())
}

/// Opens a writer on one of the user's conversations (404 if not theirs).
async fn begin(
    state: &AppState,
    app: &AppRecord,
    user_key: &str,
    id: &str,
) -> Result<(ConversationWriter, ConversationRecord)> {
    let mut w = state.store.conversation_writer(&app.id, user_key).await?;
    let c = w.load(id).await?.ok_or_else(|| not_found(id))?;
    Ok((w, c))
}

/// Commits a user-side change and answers the conversation as it is then.
async fn finish(
    state: &AppState,
    app: &AppRecord,
    w: ConversationWriter,
    id: &str,
) -> Result<Conversation> {
    let user_key = w.user_key().to_owned();
    commit(state, w, &app.id).await?;
    let c = state
        .store
        .user_conversation(&app.id, &user_key, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    view(state, app, &c).await
}

/// The user has seen everything in the conversation.
pub async fn mark_read(
    state: &AppState,
    app: &AppRecord,
    user_key: &str,
    id: &str,
) -> Result<Conversation> {
    let (mut w, mut c) = begin(state, app, user_key, id).await?;
    let last = w.last_seq(&c.id).await?;
    if last > c.user_read_seq {
        c.user_read_seq = last;
        w.save(&c).await?;
    }
    finish(state, app, w, id).await
}

/// The user says whether a bot answer helped; "no" hands off.
pub async fn feedback(
    state: &AppState,
    app: &AppRecord,
    user_key: &str,
    id: &str,
    message_id: String,
    helped: bool,
) -> Result<Conversation> {
    let (mut w, mut c) = begin(state, app, user_key, id).await?;
    if !w.set_feedback(&c, &message_id, helped).await? {
        return Err(AppError::field(
            "message_id",
            "no bot answer with this id in this conversation",
        ));
    }
    if !helped {
        let question = last_user_words(&w.messages(&c.id).await?, Some(&message_id));
        hand_off(state, app, &mut w, &mut c, question).await?;
    }
    finish(state, app, w, id).await
}

/// The user asks for a person.
pub async fn request_person(
    state: &AppState,
    app: &AppRecord,
    user_key: &str,
    id: &str,
) -> Result<Conversation> {
    let (mut w, mut c) = begin(state, app, user_key, id).await?;
    hand_off(state, app, &mut w, &mut c, None).await?;
    finish(state, app, w, id).await
}

/// The user rates the conversation; 1 or 2 marks the user unhappy, which
/// keeps proactive messages away (core's orchestration).
pub async fn rate(
    state: &AppState,
    app: &AppRecord,
    user_key: &str,
    id: &str,
    rating: Rating,
) -> Result<Conversation> {
    if !(1..=5).contains(&rating.rating) {
        return Err(AppError::field("rating", "1 (bad) to 5 (great)"));
    }
    if rating
        .comment
        .as_ref()
        .is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS)
    {
        return Err(AppError::field(
            "comment",
            format!("at most {MAX_COMMENT_CHARS} characters"),
        ));
    }
    let unhappy = rating.rating <= 2;
    let (mut w, mut c) = begin(state, app, user_key, id).await?;
    c.rating = Some(rating.rating);
    c.rating_comment = rating.comment;
    c.unhappy |= unhappy;
    w.save(&c).await?;
    let answer = finish(state, app, w, id).await?;
    if unhappy {
        state
            .store
            .set_unhappy(&app.id, user_key, now_ms() as f64)
            .await?;
    }
    Ok(answer)
}

/// The user leaves an email address for replies.
pub async fn leave_email(
    state: &AppState,
    app: &AppRecord,
    user_key: &str,
    id: &str,
    email: String,
) -> Result<Conversation> {
    let email = email.trim().to_owned();
    check_email("email", &email)?;
    if state
        .store
        .user_conversation(&app.id, user_key, id)
        .await?
        .is_none()
    {
        return Err(not_found(id));
    }
    state.store.set_email(&app.id, user_key, &email).await?;
    let (mut w, mut c) = begin(state, app, user_key, id).await?;
    w.add(
        &mut c,
        NewConversationMessage {
            author: Some(AuthorKind::System),
            body: format!("Thanks! If you are away when we answer, the reply goes to {email}."),
            ..Default::default()
        },
    )
    .await?;
    finish(state, app, w, id).await
}

/// Agent side: a writer on the conversation by id in the app, whoever's
/// it is, under its user's lock.
pub async fn agent_begin(
    state: &AppState,
    app: &AppRecord,
    id: &str,
) -> Result<(ConversationWriter, ConversationRecord)> {
    let found = state
        .store
        .conversation(&app.id, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let mut w = state
        .store
        .conversation_writer(&app.id, &found.user_key)
        .await?;
    // A merge may have moved it to another user key in between.
    let c = w.load(id).await?.ok_or_else(|| {
        AppError::bad(
            StatusCode::CONFLICT,
            "moved",
            "the conversation moved to another user record; retry",
        )
    })?;
    Ok((w, c))
}

/// Commits an agent-side change (waking the user's streams).
pub async fn agent_finish(
    state: &AppState,
    app: &AppRecord,
    w: ConversationWriter,
    c: ConversationRecord,
) -> Result<ConversationRecord> {
    commit(state, w, &app.id).await?;
    Ok(c)
}

/// An agent answers: the reply goes live to the user, the agent takes the
/// conversation if no one had it, and everything before is seen.
pub async fn agent_reply(
    state: &AppState,
    app: &AppRecord,
    id: &str,
    agent: String,
    body: String,
) -> Result<ConversationRecord> {
    check_name("agent", &agent)?;
    check_body("body", &body)?;
    let (mut w, mut c) = agent_begin(state, app, id).await?;
    c.status = ConversationStatus::Open;
    if c.assignee.is_none() {
        c.assignee = Some(agent.clone());
    }
    let m = w
        .add(
            &mut c,
            NewConversationMessage {
                author: Some(AuthorKind::Agent),
                author_name: Some(agent),
                body,
                ..Default::default()
            },
        )
        .await?;
    c.agent_read_seq = m.seq;
    w.save(&c).await?;
    // The reply ends the typing: a polling client must not see it again.
    state.hub.typing_done(&app.id, &c.user_key, &c.id);
    agent_finish(state, app, w, c).await
}

/// A reply the user sent by email, under the conversation's reply-to
/// token; `message_id` (the email's) makes a redelivered webhook a no-op.
pub async fn email_reply(
    state: &AppState,
    app: &AppRecord,
    id: &str,
    message_id: String,
    body: String,
) -> Result<ConversationRecord> {
    check_body("body", &body)?;
    let (mut w, mut c) = agent_begin(state, app, id).await?;
    let client_id = format!("email:{message_id}");
    if w.sent_before(&client_id).await?.is_some() {
        return Ok(c);
    }
    // Answering an email means the user read what it carried.
    let last = w.last_seq(&c.id).await?;
    c.user_read_seq = c.user_read_seq.max(last);
    c.status = ConversationStatus::Open;
    w.add(
        &mut c,
        NewConversationMessage {
            client_id: Some(client_id),
            body,
            ..Default::default()
        },
    )
    .await?;
    agent_finish(state, app, w, c).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_loosely_but_surely() {
        for good in ["ada@example.com", "a.b+c@x.co.uk"] {
            assert!(check_email("email", good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "ada",
            "ada@",
            "@x.com",
            "a b@x.com",
            "a@b",
            "a@x.com>",
            "a@.com",
        ] {
            assert!(check_email("email", bad).is_err(), "{bad}");
        }
    }
}
