//! One error type for every handler, answered as the protocol's JSON
//! [`ErrorBody`]: a 4xx says what is wrong (and, for a bad field, which
//! one); a 5xx is logged and its detail hidden from the caller.

use axum::extract::rejection::JsonRejection;
use axum::http::{header, HeaderValue, StatusCode};
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
        /// The request field at fault, if one is.
        field: Option<String>,
    },
    /// Too many requests; the caller may retry after this many seconds.
    #[error("rate limited: {scope}")]
    RateLimited {
        /// Which limit: `app` or `user`.
        scope: &'static str,
        /// Whole seconds until a request would be let through.
        retry_after: u64,
    },
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration could not be applied.
    #[error("migration {version}: {source}")]
    Migration {
        /// The migration's number.
        version: i64,
        /// Why.
        source: sqlx::Error,
    },
    /// Stored JSON could not be read back.
    #[error("stored data: {0}")]
    Corrupt(#[from] serde_json::Error),
    /// The ingest writer stopped (the server is shutting down).
    #[error("the event writer has stopped")]
    WriterGone,
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
            field: None,
        }
    }

    /// A 422 naming the field that is wrong, so an author can find it.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = field.into();
        Self::BadRequest {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_field",
            message: format!("{field}: {}", message.into()),
            field: Some(field),
        }
    }

    /// 404 for something of `what` kind that does not exist.
    pub fn not_found(what: &'static str, id: &str) -> Self {
        Self::bad(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no {what} with id {id:?}"),
        )
    }

    /// The 401 of identity verification; nothing else is said, so a
    /// guesser learns nothing about which ids exist.
    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self::bad(StatusCode::UNAUTHORIZED, code, message)
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
        let (status, code, message, field, retry_after) = match self {
            AppError::BadRequest {
                status,
                code,
                message,
                field,
            } => (status, code, message, field, None),
            AppError::RateLimited { scope, retry_after } => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("too many requests for this {scope}; retry after {retry_after} s"),
                None,
                Some(retry_after),
            ),
            AppError::WriterGone => (
                StatusCode::SERVICE_UNAVAILABLE,
                "shutting_down",
                "the server is shutting down; retry".to_owned(),
                None,
                Some(1),
            ),
            other => {
                tracing::error!(error = %other, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal error; it has been logged".to_owned(),
                    None,
                    None,
                )
            }
        };
        let body = ErrorBody {
            error: code.to_owned(),
            message,
            field,
        };
        let mut response = (status, Json(body)).into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
