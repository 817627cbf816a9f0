//! beckon-core: the part of Beckon that neither draws nor talks to a network.
//!
//! It holds the JSON protocol shared by the SDK and the server, the rules that
//! decide which message a user sees, and the user's state. Because it never
//! touches the DOM or a socket, the same code runs natively in the server, in
//! unit tests and benchmarks, and as WebAssembly inside the browser SDK.
#![deny(missing_docs)]

// `#[derive(FromJson)]` names `::beckon_core::json`, in this crate too.
extern crate self as beckon_core;

pub mod condition;
pub mod content;
pub mod conversation;
pub mod error;
pub mod hash;
pub mod json;
pub mod orchestration;
pub mod protocol;
pub mod state;
pub mod targeting;
pub mod time;
pub mod vecmap;

pub use error::{Error, Result};

/// A stable insertion sort, for the short or nearly sorted lists the SDK
/// orders (an app's messages by priority, queued events by time):
/// `slice::sort_by` put a merge sort of about 3 KB into the wasm for each
/// element type.
pub fn sort_small_by<T>(items: &mut [T], mut less: impl FnMut(&T, &T) -> bool) {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 && less(&items[j], &items[j - 1]) {
            items.swap(j - 1, j);
            j -= 1;
        }
    }
}
