//! One module per surface; each renders a `core` message into a shadow root.

pub mod banner;
mod theme;
