//! One error type for every handler, answered as the protocol's JSON
//! [`ErrorBody`]: a 4xx says what is wrong; a 5xx is logged and its detail
//! hidden from the caller.

use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use beckon_core::protocol::ErrorBody;

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is wrong; the message tells the caller how.
    #[error("{message}")]
    BadRequest {
        /// HTTP status (4xx).
        status: StatusCode,
        /// Machine-readable code.
        code: &'static str,
        /// For a person.
        message: String,
    },
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    /// Stored JSON could not be read back.
    #[error("stored data: {0}")]
    Corrupt(#[from] serde_json::Error),
    /// A blocking task died.
    #[error("worker: {0}")]
    Worker(#[from] tokio::task::JoinError),
}

/// `Result` with [`AppError`].
pub type Result<T> = std::result::Result<T, AppError>;

impl AppError {
    /// A 4xx with a code and an explanation.
    pub fn bad(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self::BadRequest {
            status,
            code,
            message: message.into(),
        }
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        let code = match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => "body_too_large",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "not_json",
            _ => "bad_json",
        };
        Self::bad(rejection.status(), code, rejection.body_text())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code, message) = match self {
            AppError::BadRequest {
                status,
                code,
                message,
            } => (status, code, message),
            other => {
                tracing::error!(error = %other, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal error; it has been logged".to_owned(),
                )
            }
        };
        let body = ErrorBody {
            error: code.to_owned(),
            message,
        };
        (status, Json(body)).into_response()
    }
}
