//! JSON in and out in our error shape.
//!
//! [`AppJson`] is axum's `Json` whose rejections answer as [`AppError`], so
//! malformed JSON, unknown fields and oversized bodies all get the same
//! kind of 4xx. [`AuthorJson`] is for the admin API, where people write the
//! bodies by hand: its errors name the field at fault by its full path
//! (`targeting.frequency.show`), not only a line and column.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::AppError;

/// A JSON body (extractor) or answer (response).
pub struct AppJson<T>(pub T);

impl<S, T> FromRequest<S> for AppJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Json(value) = Json::<T>::from_request(req, state).await?;
        Ok(AppJson(value))
    }
}

impl<T: Serialize> IntoResponse for AppJson<T> {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}

/// An admin request body whose errors name the field.
pub struct AuthorJson<T>(pub T);

impl<S, T> FromRequest<S> for AuthorJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !is_json {
            return Err(AppError::bad(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "not_json",
                "expected `Content-Type: application/json`",
            ));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| AppError::bad(e.status(), "body_too_large", e.body_text()))?;
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize(&mut de) {
            Ok(value) => Ok(AuthorJson(value)),
            Err(e) => {
                let path = e.path().to_string();
                let inner = e.into_inner();
                if inner.is_syntax() || inner.is_eof() {
                    return Err(AppError::bad(
                        StatusCode::BAD_REQUEST,
                        "bad_json",
                        format!("malformed JSON: {inner}"),
                    ));
                }
                let field = if path == "." {
                    "(body)".to_owned()
                } else {
                    path
                };
                Err(AppError::field(field, inner.to_string()))
            }
        }
    }
}
