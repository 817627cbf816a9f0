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

    /// Tells the other tabs.
    pub fn post(&self, msg: &TabMessage) {
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
            TabMessage::Event { .. } | TabMessage::Hello { .. } => {}
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
