//! Every JSON body of the Beckon API, as serde types shared by SDK and server.
//!
//! Requests reject unknown fields so that a typo in an integration is an
//! error the developer sees, not a setting silently ignored. Responses are
//! lenient on the reading side (the SDK ignores fields a newer server adds),
//! which is what lets server and SDK be upgraded independently.

use crate::json::FromJson;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use crate::content::{Action, ActionTarget, BannerPosition, Content};
use crate::state::UserState;
use crate::targeting::Targeting;

/// Version of this protocol; sent in every boot so the server can adapt.
pub const PROTOCOL_VERSION: u32 = 1;

/// An event name is at most this many bytes: the server refuses longer
/// ones, and the SDK's `track` refuses them first, with the reason.
pub const MAX_EVENT_NAME_BYTES: usize = 200;

/// Names of the events the SDK records about messages. They travel in the
/// same stream as the app's own events, so analytics see one timeline.
pub mod event_names {
    /// A message became visible to the user.
    pub const SHOWN: &str = "message.shown";
    /// The user closed a message.
    pub const DISMISSED: &str = "message.dismissed";
    /// The user clicked a message's action.
    pub const CLICKED: &str = "message.clicked";
    /// The user finished a message (last tour step, every checklist task).
    pub const COMPLETED: &str = "message.completed";
    /// A shown message's goal was reached.
    pub const GOAL: &str = "message.goal";
    /// A tour moved to a step: `data.step` is the 0-based step, so the tour
    /// continues there on the next page, in another tab, on another device.
    pub const STEP: &str = "message.step";
    /// A checklist task was done: `data.task` is the task's id. Recorded
    /// once per task, so progress stays done once done.
    pub const TASK: &str = "message.task";
}

/// Who the SDK is talking for. Either `user_id` (an identified user) or
/// `anonymous_id` (a visitor the SDK made an id for) must be present.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(deny_unknown_fields)]
pub struct UserIdentity {
    /// The app's own id for this user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// A random id the SDK made for a visitor who has not identified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anonymous_id: Option<String>,
    /// The user's email, used by the messenger to continue by email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Attributes the app knows about the user (plan, role, signup date…).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub attributes: Map<String, Value>,
    /// Proof of identity: HMAC-SHA256 of `user_id` with the app's secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_hash: Option<String>,
    /// Proof of identity, the newer way: a JWT signed (HS256) with the app's
    /// secret whose `sub` is `user_id`; it expires, where a hash never does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_jwt: Option<String>,
}

impl UserIdentity {
    /// The id under which this user's records are kept: the app's user id if
    /// known, else the anonymous id.
    pub fn key(&self) -> Option<&str> {
        self.user_id
            .as_deref()
            .or(self.anonymous_id.as_deref())
            .filter(|id| !id.is_empty())
    }
}

/// Where the user is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(deny_unknown_fields)]
pub struct PageContext {
    /// The full URL of the page.
    pub url: String,
    /// The document title, for analytics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The browser's or app's locale, e.g. `de-DE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
}

/// `POST /v1/boot`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(deny_unknown_fields)]
pub struct BootRequest {
    /// Protocol version the SDK speaks.
    #[serde(default = "default_version")]
    pub v: u32,
    /// The app's public id.
    pub app_id: String,
    /// Who is booting.
    pub user: UserIdentity,
    /// Where.
    pub page: PageContext,
    /// The browser's clock as it sent this, ms: the state in the answer is
    /// given in that clock (see [`crate::time::clock_skew`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<f64>,
}

fn default_version() -> u32 {
    PROTOCOL_VERSION
}

/// Answer to a boot: everything the SDK needs to decide locally.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromJson)]
pub struct BootResponse {
    /// Protocol version the server speaks.
    pub v: u32,
    /// The user's key as the server stored it.
    pub user_key: String,
    /// What this user has seen, dismissed and completed, as the server knows it.
    pub state: UserState,
    /// The live messages of the app, with their rules; the SDK decides which
    /// to show.
    pub messages: Vec<Message>,
    /// The app's attention budget; an older server that sends none gets
    /// the defaults.
    #[serde(default)]
    pub settings: crate::orchestration::Settings,
    /// A signed, expiring token naming this app and user, which authorises
    /// the messenger's calls (see [`crate::conversation`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// The messenger's look and words; absent: the app has no messenger.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messenger: Option<crate::conversation::MessengerConfig>,
    /// How far the browser's clock is behind the server's, ms, from the
    /// request's `sent_at` (0 within a minute; see
    /// [`crate::time::clock_skew`]): schedules are instants of the real
    /// clock, so the SDK compares them with its own clock plus this.
    #[serde(default)]
    pub clock_skew: f64,
}

/// What kind of surface a message is drawn as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// A strip across the top or bottom of the page.
    Banner,
    /// A bubble anchored to an element.
    Tooltip,
    /// A pulsing dot on an element that opens a tooltip.
    Hotspot,
    /// A list of tasks with progress.
    Checklist,
    /// A sequence of steps, possibly across pages.
    Tour,
    /// A centred or corner card.
    Post,
}

/// A proactive message with its content and rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromJson)]
pub struct Message {
    /// Stable id, used in events and state.
    pub id: String,
    /// Which surface draws it.
    pub kind: MessageKind,
    /// Higher wins when several are eligible at once.
    #[serde(default)]
    pub priority: i32,
    /// What it says.
    pub content: Content,
    /// Who sees it, where and when.
    #[serde(default)]
    pub targeting: Targeting,
}

impl Message {
    /// Whether this message's rules count the app event `name` in the
    /// user's state: its event trigger, or a checklist task done by that
    /// event. The state keeps such names however many others the user does
    /// ([`UserState::bound_events`]).
    pub fn counts_event(&self, name: &str) -> bool {
        let trigger = matches!(
            &self.targeting.trigger,
            crate::targeting::Trigger::Event { name: n, .. } if n == name
        );
        trigger
            || self.content.checklist.as_ref().is_some_and(|list| {
                list.tasks.iter().any(|t| {
                    matches!(&t.done_when, crate::content::DoneWhen::Event { name: n, .. } if n == name)
                })
            })
    }
}

/// One thing that happened, made by the client with its own id so a retry
/// can never count twice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Client-made unique id; the server drops a second event with the same id.
    pub id: String,
    /// Event name: one of [`event_names`] or the app's own.
    pub name: String,
    /// Milliseconds since the Unix epoch, when it happened on the client.
    pub ts: f64,
    /// The message it concerns, for message events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// Anything else the app attached.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub data: Map<String, Value>,
}

/// `POST /v1/events`: a batch from one user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(deny_unknown_fields)]
pub struct EventBatch {
    /// The app's public id.
    pub app_id: String,
    /// Who the events are about.
    pub user: UserIdentity,
    /// The events, oldest first.
    pub events: Vec<Event>,
    /// The browser's clock as it sent this, ms: the server moves the
    /// events' times to its own clock (see [`crate::time::clock_skew`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<f64>,
}

/// Answer to an event batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, FromJson)]
pub struct EventsAccepted {
    /// Events stored now.
    pub accepted: usize,
    /// Events that had been stored before (same id) and were dropped.
    pub duplicates: usize,
}

/// The body of every 4xx/5xx answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromJson)]
pub struct ErrorBody {
    /// A machine-readable code, e.g. `bad_json`, `unknown_app`.
    pub error: String,
    /// What is wrong, for a person.
    pub message: String,
    /// The request field at fault (`targeting.audience.$or[1]`), when one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boot_request_rejects_unknown_fields() {
        let body = r#"{"app_id":"a","user":{"user_id":"u","plan":"pro"},"page":{"url":"/"}}"#;
        let err = serde_json::from_str::<BootRequest>(body).unwrap_err();
        assert!(err.to_string().contains("unknown field `plan`"), "{err}");
    }

    #[test]
    fn user_key_prefers_user_id_and_ignores_empty() {
        let mut u = UserIdentity {
            anonymous_id: Some("anon".into()),
            ..Default::default()
        };
        assert_eq!(u.key(), Some("anon"));
        u.user_id = Some("u1".into());
        assert_eq!(u.key(), Some("u1"));
        u.user_id = Some(String::new());
        assert_eq!(u.key(), None);
    }

    #[test]
    fn a_message_counts_the_events_of_its_trigger_and_its_tasks() {
        let message: Message = serde_json::from_value(serde_json::json!({
            "id": "m",
            "kind": "checklist",
            "content": {"checklist": {"tasks": [
                {"id": "a", "title": "A", "done_when": {"type": "event", "name": "report_created"}},
                {"id": "b", "title": "B", "done_when": {"type": "manual"}}
            ]}},
            "targeting": {"trigger": {"type": "event", "name": "signed_up"}}
        }))
        .expect("message");
        assert!(message.counts_event("signed_up"));
        assert!(message.counts_event("report_created"));
        assert!(!message.counts_event("viewed_item_1"));
        let banner: Message = serde_json::from_value(serde_json::json!({
            "id": "b", "kind": "banner", "content": {"body": "x"}
        }))
        .expect("banner");
        assert!(!banner.counts_event("signed_up"));
    }

    #[test]
    fn content_default_matches_an_empty_object() {
        let parsed: Content = serde_json::from_str("{}").unwrap();
        assert_eq!(parsed, Content::default());
        assert!(parsed.dismissible);
    }

    #[test]
    fn action_target_is_tagged_by_type() {
        let a: Action =
            serde_json::from_str(r#"{"label":"Go","type":"url","url":"/pricing"}"#).unwrap();
        assert_eq!(
            a.target,
            ActionTarget::Url {
                url: "/pricing".into()
            }
        );
    }
}
