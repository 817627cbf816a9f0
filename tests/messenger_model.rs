//! The messenger's state rules in headless Chromium: acknowledgement of
//! pending messages by client id, duplicates from the stream, unread
//! counts, the one-at-a-time send queue with its retry limit, what a
//! conversation asks of the user, and the six languages' words.
#![cfg(target_arch = "wasm32")]

use beckon::messenger::model::{ask, Ask, Model, Pending, SendState, Target};
use beckon::messenger::strings::{fill, t, S};
use beckon_core::conversation::{
    AuthorKind, Conversation, ConversationList, ConversationMessage, ConversationStatus,
    ConversationSummary, StreamEvent,
};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn msg(id: &str, author: AuthorKind, ts: f64) -> ConversationMessage {
    ConversationMessage {
        id: id.into(),
        client_id: None,
        author,
        author_name: None,
        body: ["text of ", id].concat(),
        ts,
        sources: Vec::new(),
        delivery: None,
        asks_feedback: false,
        asks_email: false,
    }
}

fn conv(id: &str, status: ConversationStatus, messages: Vec<ConversationMessage>) -> Conversation {
    Conversation {
        id: id.into(),
        status,
        assignee: None,
        expected_reply: None,
        unread: 0,
        rating: None,
        updated_at: messages.last().map_or(0.0, |m| m.ts),
        messages,
    }
}

fn summary(id: &str, unread: u32, ts: f64) -> ConversationSummary {
    ConversationSummary {
        id: id.into(),
        status: ConversationStatus::Open,
        last: msg(&[id, "-last"].concat(), AuthorKind::Agent, ts),
        unread,
        updated_at: ts,
    }
}

/// Puts open conversation `a`, with one message of the user's, on screen.
fn put_on_screen(m: &mut Model) {
    m.put(
        conv(
            "a",
            ConversationStatus::Open,
            vec![msg("x", AuthorKind::User, 1.0)],
        ),
        true,
    );
}

fn pending(client_id: &str, target: Target) -> Pending {
    Pending {
        client_id: client_id.into(),
        target,
        body: "hello".into(),
        ts: 1.0,
        state: SendState::Queued,
        failures: 0,
    }
}

#[wasm_bindgen_test]
fn a_stored_message_acknowledges_the_pending_one_and_moves_its_conversation_up() {
    let mut m = Model::default();
    m.set_list(ConversationList {
        conversations: vec![summary("a", 0, 20.0), summary("b", 0, 10.0)],
        unread: 0,
        cursor: Some("7".into()),
    });
    assert_eq!(m.cursor.as_deref(), Some("7"));
    m.pending.push(pending("c1", Target::Conv("b".into())));
    m.pending.push(pending("c2", Target::Conv("b".into())));
    let mut mine = msg("m1", AuthorKind::User, 30.0);
    mine.client_id = Some("c1".into());
    m.put(conv("b", ConversationStatus::Bot, vec![mine]), true);
    let left: Vec<_> = m.pending.iter().map(|p| p.client_id.as_str()).collect();
    assert_eq!(left, ["c2"], "only the stored message is acknowledged");
    assert_eq!(m.list[0].id, "b", "newest first");
    assert_eq!(m.current.as_ref().map(|c| c.id.as_str()), Some("b"));
    // A later list keeps the stream's cursor, which is further along.
    m.cursor = Some("9".into());
    m.set_list(ConversationList {
        conversations: Vec::new(),
        unread: 0,
        cursor: Some("8".into()),
    });
    assert_eq!(m.cursor.as_deref(), Some("9"));
}

#[wasm_bindgen_test]
fn stream_messages_are_deduplicated_and_counted_unread_only_when_not_looked_at() {
    let mut m = Model::default();
    m.set_list(ConversationList {
        conversations: vec![summary("a", 0, 1.0), summary("b", 0, 1.0)],
        unread: 0,
        cursor: None,
    });
    put_on_screen(&mut m);
    m.typing = Some("Ana".into());
    let reply = StreamEvent::Message {
        conversation_id: "a".into(),
        message: msg("r1", AuthorKind::Agent, 5.0),
    };
    let changed = m.apply(reply.clone(), Some("a"));
    assert!(changed.current && changed.list);
    assert_eq!(m.typing, None, "a message ends the typing indicator");
    // The same event again (a reconnect or a switch to polling).
    let again = m.apply(reply, Some("a"));
    assert!(!again.current);
    assert_eq!(m.current.as_ref().map(|c| c.messages.len()), Some(2));
    assert_eq!(m.unread(), 0, "read while on screen");
    let other = StreamEvent::Message {
        conversation_id: "b".into(),
        message: msg("r2", AuthorKind::Agent, 6.0),
    };
    m.apply(other.clone(), Some("a"));
    m.apply(other, Some("a"));
    assert_eq!(
        m.unread(),
        1,
        "counted once, in the conversation not on screen"
    );
    // The server's summary is the truth.
    let changed = m.apply(
        StreamEvent::Conversation {
            conversation: summary("b", 3, 7.0),
        },
        Some("a"),
    );
    assert!(changed.list && !changed.refetch);
    assert_eq!(m.unread(), 3);
    // A replayed older summary does not undo it.
    m.apply(
        StreamEvent::Conversation {
            conversation: summary("b", 0, 2.0),
        },
        Some("a"),
    );
    assert_eq!(m.unread(), 3);
    let changed = m.apply(
        StreamEvent::Conversation {
            conversation: summary("a", 0, 8.0),
        },
        Some("a"),
    );
    assert!(changed.refetch, "the conversation on screen is read again");
    let typing = m.apply(
        StreamEvent::Typing {
            conversation_id: "a".into(),
            author_name: "Ana".into(),
        },
        Some("a"),
    );
    assert!(typing.typing);
    assert_eq!(m.typing.as_deref(), Some("Ana"));
    let elsewhere = m.apply(
        StreamEvent::Typing {
            conversation_id: "b".into(),
            author_name: "Bo".into(),
        },
        Some("a"),
    );
    assert!(!elsewhere.typing);
}

#[wasm_bindgen_test]
fn the_first_agent_to_answer_is_named_at_once_and_a_later_one_does_not_take_over() {
    let mut m = Model::default();
    put_on_screen(&mut m);
    let by = |id: &str, author: AuthorKind, name: &str, ts: f64| StreamEvent::Message {
        conversation_id: "a".into(),
        message: ConversationMessage {
            author_name: Some(name.into()),
            ..msg(id, author, ts)
        },
    };
    m.apply(by("b1", AuthorKind::Bot, "Beckon bot", 2.0), Some("a"));
    assert_eq!(
        m.current.as_ref().and_then(|c| c.assignee.clone()),
        None,
        "the bot is no assignee"
    );
    m.apply(by("r1", AuthorKind::Agent, "Ana", 3.0), Some("a"));
    assert_eq!(
        m.current
            .as_ref()
            .and_then(|c| c.assignee.clone())
            .as_deref(),
        Some("Ana")
    );
    m.apply(by("r2", AuthorKind::Agent, "Bo", 4.0), Some("a"));
    assert_eq!(
        m.current
            .as_ref()
            .and_then(|c| c.assignee.clone())
            .as_deref(),
        Some("Ana"),
        "the server keeps the first assignee"
    );
}

#[wasm_bindgen_test]
fn a_summary_made_before_the_read_does_not_bring_the_count_back() {
    let mut m = Model::default();
    m.set_list(ConversationList {
        conversations: vec![summary("a", 1, 1.0)],
        unread: 1,
        cursor: None,
    });
    m.seen("a");
    assert_eq!(m.unread(), 0);
    // The server's summary of before the read: same last message.
    m.apply(
        StreamEvent::Conversation {
            conversation: summary("a", 1, 1.0),
        },
        None,
    );
    assert_eq!(m.unread(), 0);
    // Nor does a list read before it.
    m.set_list(ConversationList {
        conversations: vec![summary("a", 1, 1.0)],
        unread: 1,
        cursor: None,
    });
    assert_eq!(m.unread(), 0);
    // A newer message counts.
    m.apply(
        StreamEvent::Message {
            conversation_id: "a".into(),
            message: msg("new", AuthorKind::Agent, 2.0),
        },
        None,
    );
    assert_eq!(m.unread(), 1);
}

#[wasm_bindgen_test]
fn messages_go_one_at_a_time_in_order_and_give_up_after_three_failures() {
    let mut m = Model::default();
    let new = m.new_target();
    assert_ne!(new, m.new_target(), "two new-conversation screens differ");
    m.pending.push(pending("c1", new.clone()));
    m.pending.push(pending("c2", new.clone()));
    let first = m.next_to_send().expect("one to send");
    assert_eq!(first.client_id, "c1");
    assert!(m.next_to_send().is_none(), "one at a time");
    // The first created the conversation: the second goes there.
    m.started(&new, "conv-1");
    assert_eq!(m.pending[1].target, Target::Conv("conv-1".into()));
    assert!(m.failed("c1", true), "retried by itself");
    assert_eq!(m.next_to_send().map(|p| p.client_id), Some("c1".into()));
    assert!(m.failed("c1", true));
    m.next_to_send();
    assert!(
        !m.failed("c1", true),
        "the third failure waits for the user"
    );
    assert_eq!(m.pending[0].state, SendState::Failed);
    assert_eq!(m.pending[0].body, "hello", "the text is kept");
    assert_eq!(m.next_to_send().map(|p| p.client_id), Some("c2".into()));
    m.failed("c2", false);
    assert_eq!(
        m.pending[1].state,
        SendState::Failed,
        "a refusal is not retried"
    );
    m.requeue(Some("c2"));
    assert_eq!(m.pending[1].state, SendState::Queued);
    assert_eq!(m.pending[0].state, SendState::Failed);
    m.requeue(None);
    assert_eq!(m.pending[0].state, SendState::Queued);
    assert_eq!(m.pending[0].failures, 0);
}

#[wasm_bindgen_test]
fn a_conversation_asks_for_feedback_an_email_or_a_rating_at_the_right_time() {
    let mut m = Model::default();
    let mut answer = msg("b1", AuthorKind::Bot, 2.0);
    answer.asks_feedback = true;
    let c = conv(
        "a",
        ConversationStatus::Bot,
        vec![msg("u1", AuthorKind::User, 1.0), answer.clone()],
    );
    assert_eq!(ask(&m, &c), Ask::Feedback("b1".into()));
    m.answered.insert("b1".into());
    assert_eq!(ask(&m, &c), Ask::Thanks);
    // Handed off: no more feedback; the server asks for an email.
    let mut email = msg("s2", AuthorKind::System, 4.0);
    email.asks_email = true;
    let mut c = conv(
        "a",
        ConversationStatus::Open,
        vec![answer, msg("s1", AuthorKind::System, 3.0), email],
    );
    assert_eq!(ask(&m, &c), Ask::Email);
    c.messages.push(msg("u2", AuthorKind::User, 5.0));
    assert_eq!(ask(&m, &c), Ask::Email, "still asked after the user writes");
    c.messages.push(msg("s3", AuthorKind::System, 6.0));
    assert_eq!(
        ask(&m, &c),
        Ask::Nothing,
        "the thanks for the email ends it"
    );
    c.status = ConversationStatus::Closed;
    assert_eq!(ask(&m, &c), Ask::Rating);
    m.rated.insert("a".into());
    assert_eq!(ask(&m, &c), Ask::Thanks);
    m.rated.clear();
    c.rating = Some(4);
    assert_eq!(ask(&m, &c), Ask::Nothing, "rated before");
}

#[wasm_bindgen_test]
fn every_language_has_every_word_with_its_placeholder() {
    let words = [
        S::Messages,
        S::Unread,
        S::AskQuestion,
        S::SearchHelp,
        S::Search,
        S::NoResults,
        S::HelpArticles,
        S::Recent,
        S::Send,
        S::Write,
        S::You,
        S::Bot,
        S::WasHelpful,
        S::Helped,
        S::TalkToPerson,
        S::Source,
        S::Rate,
        S::RateN,
        S::Thanks,
        S::ReplyIn,
        S::WillAnswer,
        S::Typing,
        S::Sending,
        S::Delivered,
        S::Seen,
        S::NotSent,
        S::Retry,
        S::Email,
        S::Save,
        S::LoadFailed,
        S::Loading,
        S::Conversation,
        S::Closed,
    ];
    for lang in ["en", "de", "fr", "es", "ja", "ar"] {
        for w in words {
            let text = t(lang, w);
            assert!(!text.is_empty(), "{lang} {w:?}");
            let english = t("en", w);
            for p in ["{n}", "{name}", "{when}"] {
                assert_eq!(text.contains(p), english.contains(p), "{lang} {w:?} {p}");
            }
        }
    }
    assert_eq!(t("de-AT", S::Send), "Senden");
    assert_eq!(
        t("pt-BR", S::Send),
        "Send",
        "unknown languages read English"
    );
    assert_eq!(
        fill("en", S::ReplyIn, "in a few minutes"),
        "We'll reply in a few minutes"
    );
    assert_eq!(fill("ar", S::Typing, "سارة"), "سارة يكتب…");
    assert_eq!(fill("ja", S::Unread, "3"), "未読 3 件");
}
