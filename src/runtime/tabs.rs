//! Coordination between the tabs of one user, over a `BroadcastChannel`.
//!
//! Each tab tells the others what it records (so a dismissal anywhere is a
//! dismissal everywhere, and counts agree) and which messages it has on
//! screen (so a message open in one tab is not opened again in another).
//! When two tabs open the same message at once, the earlier claim keeps it;
//! the tie-break by tab id makes both tabs reach the same answer without
//! talking again.

use beckon_core::json::FromJson;
use beckon_core::protocol::Event;
use beckon_core::vecmap::VecMap;
use gloo_events::EventListener;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

use crate::client::{from_json_str, to_json_string};

/// A message on screen in some tab, and since when.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
pub struct Claim {
    /// The message.
    pub id: String,
    /// When that tab opened it (ms).
    pub since: f64,
}

/// What tabs say to each other.
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum TabMessage {
    /// Something was recorded (shown, dismissed, tracked…).
    Event {
        /// The event, with its id, so applying it twice changes nothing.
        event: Event,
    },
    /// Several things recorded in one task (an app forwarding its
    /// analytics in a burst): one message, one evaluation in each tab.
    Events {
        /// The events, in the order they happened.
        events: Vec<Event>,
    },
    /// What this tab has on screen now.
    Showing {
        /// The tab.
        tab: String,
        /// Its messages.
        claims: Vec<Claim>,
    },
    /// A new tab asks the others for their `Showing`.
    Hello {
        /// The tab.
        tab: String,
    },
    /// A tab is closing or shutting down.
    Bye {
        /// The tab.
        tab: String,
    },
}

/// This tab's end of the channel.
pub struct Tabs {
    channel: web_sys::BroadcastChannel,
    _listener: EventListener,
    /// This tab's random id.
    pub tab: String,
    others: VecMap<Vec<Claim>>,
    /// Events recorded in this task, not posted yet ([`Tabs::queue_event`]).
    queued: std::cell::RefCell<Vec<Event>>,
}

impl Tabs {
    /// Joins the channel of this app and user; `None` where the browser has
    /// no `BroadcastChannel` (each tab then works alone).
    pub fn open(
        app_id: &str,
        user_key: &str,
        tab: String,
        on_message: impl Fn(TabMessage) + 'static,
    ) -> Option<Self> {
        let name = ["beckon:", app_id, ":", user_key].concat();
        let channel = web_sys::BroadcastChannel::new(&name).ok()?;
        let listener = EventListener::new(&channel, "message", move |e| {
            let text = e
                .dyn_ref::<web_sys::MessageEvent>()
                .and_then(|m| m.data().as_string());
            if let Some(msg) = text.and_then(|t| from_json_str::<TabMessage>(&t).ok()) {
                on_message(msg);
            }
        });
        let tabs = Self {
            channel,
            _listener: listener,
            tab,
            others: VecMap::new(),
            queued: std::cell::RefCell::default(),
        };
        tabs.hello();
        Some(tabs)
    }

    /// Asks the other tabs what they show (each answers `Showing`).
    pub fn hello(&self) {
        self.post(&TabMessage::Hello {
            tab: self.tab.clone(),
        });
    }

    /// Tells the other tabs this one is leaving: its claims go.
    fn goodbye(&self) {
        self.post(&TabMessage::Bye {
            tab: self.tab.clone(),
        });
    }

    /// Tells the other tabs, after the events queued before it: a tab must
    /// hear of a dismissal before it hears that the banner is no longer on
    /// screen here, or it takes the banner up itself.
    pub fn post(&self, msg: &TabMessage) {
        self.post_queued_events();
        self.send(msg);
    }

    /// Keeps `event` for the other tabs until [`Tabs::post_queued_events`]
    /// (the end of the task) or the next message.
    pub fn queue_event(&self, event: Event) {
        if let Ok(mut queued) = self.queued.try_borrow_mut() {
            queued.push(event);
        }
    }

    /// Posts the queued events in one message: an app forwarding its
    /// analytics in a burst made one channel message per event (half the
    /// time of each `track`), and every other tab ran its rules once per
    /// event. One event goes as a single `Event`, which tabs still running
    /// an SDK from before a deploy read.
    pub fn post_queued_events(&self) {
        let Ok(mut queued) = self.queued.try_borrow_mut() else {
            return;
        };
        let mut events = std::mem::take(&mut *queued);
        drop(queued);
        match events.len() {
            0 => {}
            1 => {
                if let Some(event) = events.pop() {
                    self.send(&TabMessage::Event { event });
                }
            }
            _ => self.send(&TabMessage::Events { events }),
        }
    }

    fn send(&self, msg: &TabMessage) {
        if let Ok(text) = to_json_string(msg) {
            let _ = self.channel.post_message(&JsValue::from_str(&text));
        }
    }

    /// Records another tab's claims (or its leaving).
    pub fn note(&mut self, msg: &TabMessage) {
        match msg {
            TabMessage::Showing { tab, claims } => {
                self.others.insert(tab.clone(), claims.clone());
            }
            TabMessage::Bye { tab } => {
                self.others.remove(tab);
            }
            TabMessage::Event { .. } | TabMessage::Events { .. } | TabMessage::Hello { .. } => {}
        }
    }

    /// Forgets what the other tabs claimed; the ones alive say it again
    /// when asked (`Hello`), and a tab killed without saying goodbye does
    /// not.
    pub fn forget_others(&mut self) {
        self.others = VecMap::new();
    }

    /// Whether another tab holds `id` with a better claim than ours
    /// (`since`: when we opened it, or `None` if we have not).
    pub fn held_elsewhere(&self, id: &str, since: Option<f64>) -> bool {
        self.others.iter().any(|(tab, claims)| {
            claims.iter().any(|c| {
                c.id == id
                    && match since {
                        None => true,
                        Some(mine) => c.since < mine || (c.since == mine && *tab < self.tab),
                    }
            })
        })
    }
}

impl Drop for Tabs {
    fn drop(&mut self) {
        self.goodbye();
        self.channel.close();
    }
}
