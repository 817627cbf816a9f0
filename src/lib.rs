//! Beckon SDK: the browser runtime of Beckon, compiled to WebAssembly.
//!
//! A thin shell over `beckon-core`: browser events come in, `core` decides,
//! DOM goes out. The JS-facing surface is all in [`api`]; nothing here ever
//! throws into the host page, errors become one console warning.
#![deny(missing_docs)]

pub mod api;
pub mod client;
pub mod dom;
pub mod error;
pub mod keeper;
pub mod messenger;
pub mod runtime;
pub mod storage;
pub mod ui;

pub use error::{SdkError, SdkResult};
