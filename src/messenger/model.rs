//! What the messenger knows, apart from the screen: the user's
//! conversations, the one on screen, messages not yet acknowledged by the
//! server, and who is typing. Pure data and rules, no DOM and no network,
//! so every rule (dedupe, ordering, unread counts, when to ask for
//! feedback, an email or a rating) is tested without a server.

use beckon_core::vecmap::{VecMap, VecSet};

use beckon_core::conversation::{
    AuthorKind, Conversation, ConversationList, ConversationMessage, ConversationStatus,
    ConversationSummary, StreamEvent,
};

/// Where a message the user wrote goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A conversation that does not exist yet; the number tells two
    /// "new conversation" screens apart.
    New(u32),
    /// An existing conversation.
    Conv(String),
}

/// How far a message the user wrote has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendState {
    /// Waiting for its turn (or for a retry).
    Queued,
    /// The request is running.
    InFlight,
    /// Gave up; the user may retry. The text stays.
    Failed,
}

/// A message the user wrote that the server has not acknowledged: kept
/// until it has, so nothing typed is lost.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    /// Sent as `client_id`; the server stores a retry only once.
    pub client_id: String,
    /// Where it goes.
    pub target: Target,
    /// What the user wrote.
    pub body: String,
    /// When it was written (ms since the epoch).
    pub ts: f64,
    /// How far it got.
    pub state: SendState,
    /// Failed attempts so far.
    pub failures: u32,
}

/// What a change means for the screen.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Changed {
    /// The conversation list or unread counts.
    pub list: bool,
    /// The conversation on screen.
    pub current: bool,
    /// The conversation on screen changed in ways only a fresh read shows
    /// (status, assignee, an agent saw the user's messages).
    pub refetch: bool,
    /// Someone started typing in the conversation on screen.
    pub typing: bool,
}

/// The messenger's state.
#[derive(Debug, Default)]
pub struct Model {
    /// The user's conversations, newest first.
    pub list: Vec<ConversationSummary>,
    /// The conversation on screen (or last on screen).
    pub current: Option<Conversation>,
    /// Messages not yet acknowledged, oldest first.
    pub pending: Vec<Pending>,
    /// The stream cursor: where updates resume.
    pub cursor: Option<String>,
    /// Who is typing in the conversation on screen.
    pub typing: Option<String>,
    /// Bot answers the user already gave feedback on.
    pub answered: VecSet,
    /// Conversations the user rated in this page view (the thanks shows).
    pub rated: VecSet,
    /// The last message of each conversation the user has seen: a
    /// summary the server made before its read arrived (same last
    /// message, old count) must not bring the count back.
    pub read_upto: VecMap<String>,
    next_new: u32,
}

/// The key a message keeps on screen from "sending" to "seen": the
/// client's id when it has one, so the bubble of a pending message becomes
/// the stored one in place.
pub fn key(m: &ConversationMessage) -> &str {
    m.client_id.as_deref().unwrap_or(&m.id)
}

impl Model {
    /// A new "new conversation" target.
    pub fn new_target(&mut self) -> Target {
        self.next_new += 1;
        Target::New(self.next_new)
    }

    /// Unread messages across the user's conversations (the badge).
    pub fn unread(&self) -> u32 {
        self.list.iter().map(|c| c.unread).sum()
    }

    /// Takes a fresh list from the server. The cursor is kept if the
    /// stream already has one (it is further along).
    pub fn set_list(&mut self, list: ConversationList) {
        self.list = list.conversations;
        for line in &mut self.list {
            if self.read_upto.get(&line.id) == Some(&line.last.id) {
                line.unread = 0;
            }
        }
        if self.cursor.is_none() {
            self.cursor = list.cursor;
        }
    }

    /// Takes a whole conversation from the server (an answer to a write,
    /// a read or a fetch): it becomes the one on screen if it is the one
    /// on screen, its line in the list is updated, and pending messages
    /// it contains are acknowledged.
    pub fn put(&mut self, mut conv: Conversation, on_screen: bool) {
        if conv.messages.last().map(|m| &m.id) == self.read_upto.get(&conv.id) {
            conv.unread = 0;
        }
        for m in &conv.messages {
            if let Some(cid) = &m.client_id {
                self.pending.retain(|p| &p.client_id != cid);
            }
        }
        if let Some(last) = conv.messages.last() {
            let summary = ConversationSummary {
                id: conv.id.clone(),
                status: conv.status,
                last: last.clone(),
                unread: conv.unread,
                updated_at: conv.updated_at,
            };
            self.put_summary(summary);
        }
        if on_screen || self.current.as_ref().is_some_and(|c| c.id == conv.id) {
            self.current = Some(conv);
        }
    }

    fn put_summary(&mut self, mut summary: ConversationSummary) {
        // The stream replays after a (re)connect: an older summary than
        // the line's is stale.
        if self
            .list
            .iter()
            .any(|c| c.id == summary.id && c.updated_at > summary.updated_at)
        {
            return;
        }
        if self.read_upto.get(&summary.id) == Some(&summary.last.id) {
            summary.unread = 0;
        }
        self.list.retain(|c| c.id != summary.id);
        let at = self
            .list
            .iter()
            .position(|c| c.updated_at <= summary.updated_at)
            .unwrap_or(self.list.len());
        self.list.insert(at, summary);
    }

    /// The server acknowledged `client_id` with conversation `id`:
    /// other messages written for the same new conversation now go there.
    pub fn started(&mut self, target: &Target, id: &str) {
        for p in &mut self.pending {
            if &p.target == target {
                p.target = Target::Conv(id.to_owned());
            }
        }
    }

    /// Applies one event of the stream. `viewing` is the conversation the
    /// user has on screen right now (its new messages are not unread).
    pub fn apply(&mut self, event: StreamEvent, viewing: Option<&str>) -> Changed {
        let mut changed = Changed::default();
        match event {
            StreamEvent::Message {
                conversation_id,
                message,
            } => {
                if message.author != AuthorKind::User {
                    self.typing = None;
                }
                if let Some(cid) = &message.client_id {
                    self.pending.retain(|p| &p.client_id != cid);
                }
                // Only a message newer than the line's last is news: the
                // stream replays older ones after a (re)connect.
                if let Some(line) = self
                    .list
                    .iter_mut()
                    .find(|c| c.id == conversation_id && message.ts > c.last.ts)
                {
                    if message.author != AuthorKind::User
                        && viewing != Some(conversation_id.as_str())
                    {
                        line.unread += 1;
                    }
                    line.updated_at = line.updated_at.max(message.ts);
                    line.last = message.clone();
                    changed.list = true;
                }
                if let Some(c) = self.current.as_mut().filter(|c| c.id == conversation_id) {
                    if !c.messages.iter().any(|m| m.id == message.id) {
                        if message.author != AuthorKind::User
                            && viewing != Some(conversation_id.as_str())
                        {
                            c.unread += 1;
                        }
                        c.updated_at = c.updated_at.max(message.ts);
                        // The server gives an unassigned conversation to
                        // the agent who answers: the header names them
                        // with the reply, not a fetch later.
                        if message.author == AuthorKind::Agent && c.assignee.is_none() {
                            c.assignee.clone_from(&message.author_name);
                        }
                        c.messages.push(message);
                        changed.current = true;
                    }
                }
            }
            StreamEvent::Conversation { conversation } => {
                if self
                    .current
                    .as_ref()
                    .is_some_and(|c| c.id == conversation.id)
                {
                    changed.refetch = true;
                }
                self.put_summary(conversation);
                changed.list = true;
            }
            StreamEvent::Typing {
                conversation_id,
                author_name,
            } => {
                if self
                    .current
                    .as_ref()
                    .is_some_and(|c| c.id == conversation_id)
                {
                    self.typing = Some(author_name);
                    changed.typing = true;
                }
            }
        }
        changed
    }

    /// The user is looking at conversation `id`: nothing in it is unread
    /// (the server is told separately).
    pub fn seen(&mut self, id: &str) {
        let mut last = None;
        for line in self.list.iter_mut().filter(|c| c.id == id) {
            line.unread = 0;
            last = Some(line.last.id.clone());
        }
        if let Some(c) = self.current.as_mut().filter(|c| c.id == id) {
            c.unread = 0;
            last = c.messages.last().map(|m| m.id.clone()).or(last);
        }
        if let Some(last) = last {
            self.read_upto.insert(id.to_owned(), last);
        }
    }

    /// Pending messages for `target`, oldest first.
    pub fn pending_for<'a>(&'a self, target: &'a Target) -> impl Iterator<Item = &'a Pending> {
        self.pending.iter().filter(move |p| &p.target == target)
    }

    /// The next message to send, if none is on its way: one at a time,
    /// so a new conversation is created once and order is kept.
    pub fn next_to_send(&mut self) -> Option<Pending> {
        if self.pending.iter().any(|p| p.state == SendState::InFlight) {
            return None;
        }
        let p = self
            .pending
            .iter_mut()
            .find(|p| p.state == SendState::Queued)?;
        p.state = SendState::InFlight;
        Some(p.clone())
    }

    /// A send of `client_id` failed; `retry` says whether to try again by
    /// itself (after three failures it waits for the user).
    pub fn failed(&mut self, client_id: &str, retry: bool) -> bool {
        let Some(p) = self.pending.iter_mut().find(|p| p.client_id == client_id) else {
            return false;
        };
        p.failures += 1;
        let again = retry && p.failures < 3;
        p.state = if again {
            SendState::Queued
        } else {
            SendState::Failed
        };
        again
    }

    /// The user asked to send failed messages again (all of them when
    /// `client_id` is `None`).
    pub fn requeue(&mut self, client_id: Option<&str>) {
        for p in &mut self.pending {
            if p.state == SendState::Failed
                && (client_id.is_none() || client_id == Some(p.client_id.as_str()))
            {
                p.state = SendState::Queued;
                p.failures = 0;
            }
        }
    }
}

/// What the conversation on screen asks of the user now, below the
/// transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ask {
    /// Nothing.
    Nothing,
    /// "Was this helpful?" for this bot answer.
    Feedback(String),
    /// The user answered feedback or rated: a thank-you.
    Thanks,
    /// An email address (the server's system message asked).
    Email,
    /// A rating of the closed conversation.
    Rating,
}

/// What `conv` asks of the user: a rating once closed, an email while the
/// server's request is the latest system message, feedback on the bot's
/// answer while it is the last message and the bot still has the
/// conversation.
pub fn ask(model: &Model, conv: &Conversation) -> Ask {
    if model.rated.contains(&conv.id) {
        return Ask::Thanks;
    }
    if conv.status == ConversationStatus::Closed {
        return if conv.rating.is_none() {
            Ask::Rating
        } else {
            Ask::Nothing
        };
    }
    let last_system = conv
        .messages
        .iter()
        .rev()
        .find(|m| m.author == AuthorKind::System);
    if last_system.is_some_and(|m| m.asks_email) {
        return Ask::Email;
    }
    match conv.messages.last() {
        Some(m)
            if m.author == AuthorKind::Bot
                && m.asks_feedback
                && conv.status == ConversationStatus::Bot =>
        {
            if model.answered.contains(&m.id) {
                Ask::Thanks
            } else {
                Ask::Feedback(m.id.clone())
            }
        }
        _ => Ask::Nothing,
    }
}

/// Something fetched for the screen.
#[derive(Debug, Clone, PartialEq)]
pub enum Load<T> {
    /// On its way.
    Loading,
    /// Could not be fetched.
    Failed,
    /// Here.
    Ready(T),
}
