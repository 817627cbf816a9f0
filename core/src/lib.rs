//! beckon-core: the part of Beckon that neither draws nor talks to a network.
//!
//! It holds the JSON protocol shared by the SDK and the server, the rules that
//! decide which message a user sees, and the user's state. Because it never
//! touches the DOM or a socket, the same code runs natively in the server, in
//! unit tests and benchmarks, and as WebAssembly inside the browser SDK.
#![deny(missing_docs)]

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

pub use error::{Error, Result};
