//! The durable outgoing queue: every event is stored the moment it happens
//! and stays stored until the server has acknowledged it.
//!
//! Events carry the id the SDK gave them, and the server drops an id it has
//! seen, so sending an event twice is harmless and losing one is the only
//! failure that matters. Hence the rules: write to storage before sending;
//! remove only what an answer acknowledged; on any doubt, send again. All
//! tabs of one user share the stored queue: each keeps its own copy in
//! memory, unions it with storage on every write, and remembers the ids it
//! saw acknowledged so a slower tab cannot bring them back.

use beckon_core::protocol::{Event, EventBatch, EventsAccepted, UserIdentity};
use beckon_core::vecmap::VecSet;

use crate::client::{from_json_str, post_json, to_json_string};
use crate::error::{warn, SdkResult};
use crate::storage::Storage;

/// Events per request: with each event's metadata at most
/// [`MAX_METADATA_BYTES`], a full batch stays under the server's 256 KB
/// body limit.
pub const BATCH: usize = 25;
/// The JSON of one event's metadata at most; `track` refuses more, with a
/// warning, rather than have the server refuse the batch it is in.
pub const MAX_METADATA_BYTES: usize = 8 * 1024;
/// Events kept at most; beyond it the oldest go, with a warning, so a long
/// offline period cannot fill the storage quota.
pub const CAPACITY: usize = 1000;
/// The stored queue's JSON at most, in bytes, for the same reason: the
/// app's own `localStorage` writes share the origin's quota (about 5 MB),
/// and a thousand events of rich metadata (up to 8 KB each) would have
/// taken all of it, so the app's next write failed. Beyond it the oldest
/// go, with the same warning.
pub const MAX_STORED_BYTES: usize = 128 * 1024;
const KEY: &str = "outbox";
/// Acknowledged ids remembered at most. They only keep a slower tab's
/// stored copy from bringing sent events back; an id forgotten costs at
/// most one more send, which the server drops, while remembering every id
/// would grow for as long as a busy tab stays open.
pub const ACKS_REMEMBERED: usize = 2 * CAPACITY;

/// The queue of one user.
pub struct Outbox {
    storage: Storage,
    pending: Vec<Event>,
    acked: VecSet,
    in_flight: bool,
    failures: u32,
    /// Sends left to make one event at a time, after the server refused a
    /// batch for good: only the event it refuses alone is dropped.
    one_by_one: usize,
    /// Events pushed since the last write to storage.
    unwritten: bool,
}

/// What the runtime should do after an answer.
#[derive(Debug, PartialEq)]
pub enum Next {
    /// Send the next batch now (a backlog, or events sent one at a time).
    Send,
    /// Send what came in meanwhile at the usual pace.
    SendSoon,
    /// Try again after this many milliseconds.
    RetryIn(u32),
    /// Nothing left.
    Idle,
}

impl Outbox {
    /// Opens the queue stored for this user, with anything earlier pages or
    /// other tabs left in it.
    pub fn open(storage: Storage) -> Self {
        let mut outbox = Self {
            storage,
            pending: Vec::new(),
            acked: VecSet::new(),
            in_flight: false,
            failures: 0,
            one_by_one: 0,
            unwritten: false,
        };
        outbox.sync();
        outbox
    }

    fn stored(&self) -> Vec<Event> {
        self.storage
            .get(KEY)
            .and_then(|text| from_json_str::<Vec<Event>>(&text).ok())
            .unwrap_or_default()
    }

    /// Unions memory with storage (minus what was acknowledged) and writes
    /// the result back.
    fn sync(&mut self) {
        self.unwritten = false;
        for e in self.stored() {
            if !self.acked.contains(&e.id) && !self.pending.iter().any(|p| p.id == e.id) {
                self.pending.push(e);
            }
        }
        // Stored events come in nearly in order: an insertion sort is linear.
        beckon_core::sort_small_by(&mut self.pending, |a, b| a.ts < b.ts);
        let mut dropped = self.pending.len().saturating_sub(CAPACITY);
        self.pending.drain(..dropped);
        loop {
            if self.pending.is_empty() {
                self.storage.remove(KEY);
                break;
            }
            let text = match to_json_string(&self.pending) {
                Ok(text) => text,
                Err(e) => {
                    warn(&e.describe());
                    break;
                }
            };
            if text.len() <= MAX_STORED_BYTES {
                self.storage.set(KEY, &text);
                break;
            }
            // Over the budget: the oldest go, as many as the excess takes at
            // the queue's average event size (and one more, so this ends).
            let average = text.len() / self.pending.len();
            let excess = (text.len() - MAX_STORED_BYTES) / average.max(1) + 1;
            let n = excess.min(self.pending.len());
            self.pending.drain(..n);
            dropped += n;
        }
        if dropped > 0 {
            warn(
                &[
                    "offline too long: dropped the ",
                    &dropped.to_string(),
                    " oldest events",
                ]
                .concat(),
            );
        }
    }

    /// Queues a new event. It is in storage after the next [`Outbox::write`],
    /// which the runtime does once at the end of the task (and `Drop` does
    /// in any case): a page cannot go away in the middle of a task, and a
    /// burst of events is then one write instead of one rewrite of the
    /// whole queue per event (500 `track` calls in a loop took 2 s).
    pub fn push(&mut self, event: Event) {
        self.pending.push(event);
        self.unwritten = true;
    }

    /// Writes what was pushed since the last write.
    pub fn write(&mut self) {
        if self.unwritten {
            self.sync();
        }
    }

    /// Events waiting.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// The next batch to send, unless one is on its way already.
    pub fn take_batch(&mut self) -> Option<Vec<Event>> {
        if self.in_flight || self.pending.is_empty() {
            return None;
        }
        self.in_flight = true;
        let size = if self.one_by_one > 0 { 1 } else { BATCH };
        Some(self.pending.iter().take(size).cloned().collect())
    }

    /// Every waiting event, for the last send of a page that is going
    /// away; the queue keeps them until an answer says otherwise.
    pub fn all(&self) -> Vec<Event> {
        self.pending.clone()
    }

    /// Records the answer to a batch and says what to do next.
    pub fn answered(&mut self, sent: &[Event], outcome: &SdkResult<EventsAccepted>) -> Next {
        self.in_flight = false;
        match outcome {
            Ok(_) => self.acknowledge(sent),
            Err(e) if sent.len() > 1 && !e.is_retryable() => {
                // The server will never take this batch as it is, but most
                // of it may be fine: sent again one by one, so only the
                // event it refuses alone is lost.
                self.one_by_one = sent.len();
                Next::Send
            }
            Err(e) if !e.is_retryable() => {
                // Keeping it would block every later event behind it.
                let name = sent.first().map_or("", |e| e.name.as_str());
                warn(&["event `", name, "` dropped: ", &e.describe()].concat());
                self.acknowledge(sent)
            }
            Err(e) => {
                self.failures = self.failures.saturating_add(1);
                let backoff = backoff_ms(self.failures, js_sys::Math::random());
                // Never sooner than the server asked.
                Next::RetryIn(backoff.max(e.wait_ms()))
            }
        }
    }

    fn acknowledge(&mut self, sent: &[Event]) -> Next {
        self.failures = 0;
        self.one_by_one = self.one_by_one.saturating_sub(sent.len());
        if self.acked.len() + sent.len() > ACKS_REMEMBERED {
            self.acked.clear();
        }
        for e in sent {
            self.acked.insert(e.id.clone());
        }
        self.pending.retain(|e| !self.acked.contains(&e.id));
        self.sync();
        if self.pending.is_empty() {
            Next::Idle
        } else if self.one_by_one > 0 || sent.len() >= BATCH {
            Next::Send
        } else {
            Next::SendSoon
        }
    }

    /// How many acknowledged ids it remembers (at most [`ACKS_REMEMBERED`]).
    pub fn remembered_acks(&self) -> usize {
        self.acked.len()
    }

    /// Forgets everything (the user logged out).
    pub fn clear(&mut self) {
        self.pending.clear();
        self.unwritten = false;
        self.storage.remove(KEY);
    }
}

impl Drop for Outbox {
    /// A runtime torn down (another user booted) before the end of its
    /// task still stores what it was given.
    fn drop(&mut self) {
        self.write();
    }
}

/// Exponential backoff with full jitter: 1 s, 2 s, 4 s … capped at 60 s,
/// each scaled by a random factor in [0.5, 1) so many clients coming back
/// online together do not hit the server in step.
pub fn backoff_ms(failures: u32, random: f64) -> u32 {
    let exp = 1000u32.saturating_mul(1u32 << failures.saturating_sub(1).min(6));
    let capped = exp.min(60_000);
    (f64::from(capped) * (0.5 + crate::dom::clamp(random, 0.0, 1.0) / 2.0)) as u32
}

/// Sends one batch; the answer goes back to the outbox through the runtime.
pub async fn send(
    base: &str,
    app_id: &str,
    user: &UserIdentity,
    events: Vec<Event>,
    keepalive: bool,
) -> (Vec<Event>, SdkResult<EventsAccepted>) {
    let batch = EventBatch {
        app_id: app_id.to_owned(),
        user: user.clone(),
        events,
        sent_at: Some(js_sys::Date::now()),
    };
    let outcome = post_json::<_, EventsAccepted>(base, "/v1/events", &batch, keepalive).await;
    (batch.events, outcome)
}
