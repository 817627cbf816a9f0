//! The one error type of beckon-core.

/// Everything in core that can fail on input fails with this.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum Error {
    /// A rule (condition, URL pattern, trigger) could not be compiled; `path`
    /// is the JSON path of the fault so authors can find it.
    #[error("invalid rule at {path}: {reason}")]
    InvalidRule {
        /// JSON path of the faulty part, e.g. `$.audience.plan.$in`.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Attributes given as JSON text are not valid JSON.
    #[error("invalid attributes JSON: {reason}")]
    InvalidAttributes {
        /// What the parser said.
        reason: String,
    },
    /// A rule could not be evaluated against these inputs, where
    /// GrowthBook's JavaScript would throw instead of answering; callers
    /// treat the rule as not matching.
    #[error("rule cannot be evaluated: {reason}")]
    Unevaluable {
        /// Why.
        reason: String,
    },
}

/// `Result` with beckon-core's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
