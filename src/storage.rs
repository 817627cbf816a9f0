//! Key/value storage namespaced by app and user: `localStorage` when the
//! browser allows it, memory otherwise (blocked third-party storage, private
//! modes, a full quota), so the SDK works either way and loses only
//! persistence.

use std::cell::RefCell;

use beckon_core::vecmap::VecMap;

thread_local! {
    /// What `localStorage` would not keep, by full key, shared by every
    /// handle of the page: with storage blocked, the visitor id made for the
    /// first boot is the one a later boot (after login) finds, so the server
    /// can merge that visitor into the user.
    static MEMORY: RefCell<VecMap<String>> = RefCell::new(VecMap::new());
}

/// One namespace of storage, e.g. `beckon:demo:u1:`.
pub struct Storage {
    prefix: String,
    local: Option<web_sys::Storage>,
}

impl Storage {
    /// Storage under `beckon:{app}:{user}:`.
    pub fn for_user(app_id: &str, user_key: &str) -> Self {
        Self::with_prefix(["beckon:", app_id, ":", user_key, ":"].concat())
    }

    /// Storage under an explicit prefix.
    pub fn with_prefix(prefix: String) -> Self {
        // Touching `localStorage` throws when it is blocked; that is the
        // memory case.
        let local = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
        Self { prefix, local }
    }

    /// The namespace, for a second handle on the same keys.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    fn key(&self, name: &str) -> String {
        [self.prefix.as_str(), name].concat()
    }

    /// The stored value, if any.
    pub fn get(&self, name: &str) -> Option<String> {
        let key = self.key(name);
        if let Some(v) = MEMORY.with(|m| m.borrow().get(&key).cloned()) {
            return Some(v);
        }
        self.local
            .as_ref()
            .and_then(|s| s.get_item(&key).ok().flatten())
    }

    /// Stores a value; when `localStorage` refuses (quota), keeps it in
    /// memory for this page's life.
    pub fn set(&self, name: &str, value: &str) {
        let key = self.key(name);
        let stored = self
            .local
            .as_ref()
            .is_some_and(|s| s.set_item(&key, value).is_ok());
        MEMORY.with(|m| {
            let mut memory = m.borrow_mut();
            if stored {
                memory.remove(&key);
            } else {
                memory.insert(key, value.to_owned());
            }
        });
    }

    /// Removes one value.
    pub fn remove(&self, name: &str) {
        let key = self.key(name);
        MEMORY.with(|m| m.borrow_mut().remove(&key));
        if let Some(local) = &self.local {
            let _ = local.remove_item(&key);
        }
    }

    /// The names stored in this namespace (in `localStorage` and memory).
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = MEMORY.with(|m| {
            m.borrow()
                .iter()
                .filter_map(|(k, _)| k.strip_prefix(&self.prefix).map(str::to_owned))
                .collect()
        });
        for key in self.local_keys() {
            if let Some(name) = key.strip_prefix(&self.prefix) {
                if !names.iter().any(|n| n == name) {
                    names.push(name.to_owned());
                }
            }
        }
        names
    }

    /// The `localStorage` keys of this namespace.
    fn local_keys(&self) -> Vec<String> {
        let Some(local) = &self.local else {
            return Vec::new();
        };
        let len = local.length().unwrap_or(0);
        (0..len)
            .filter_map(|i| local.key(i).ok().flatten())
            .filter(|k| k.starts_with(&self.prefix))
            .collect()
    }

    /// Removes every key of this namespace (at `shutdown`).
    pub fn clear(&self) {
        MEMORY.with(|m| m.borrow_mut().retain(|k, _| !k.starts_with(&self.prefix)));
        let Some(local) = &self.local else { return };
        for k in self.local_keys() {
            let _ = local.remove_item(&k);
        }
    }
}

/// A stored instant (`Date.now()` ms, a whole number) as text, by integer
/// formatting: the wasm carries no float formatting for it.
pub fn ms_text(ms: f64) -> String {
    // Saturating: a negative or absurd clock reads as 0 or u64::MAX.
    (ms as u64).to_string()
}

/// An instant written by [`ms_text`] (or an older float text such as
/// `1764351234567.5`, whose fraction is dropped), by integer parsing.
pub fn ms_from_text(text: &str) -> Option<f64> {
    let whole = text.split_once('.').map_or(text, |(w, _)| w);
    whole.parse::<u64>().ok().map(|ms| ms as f64)
}
