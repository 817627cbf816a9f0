//! The messenger's session tokens.
//!
//! A boot that passed identity verification is answered with a token that
//! names the app and the user key; every `/v1/conversations…` call then
//! proves who it is with that token alone, so no id sent in a body or a
//! path is ever trusted to say whose conversation it is.
//!
//! The token is an HS256 JWT (`app`, `sub` = user key, `iat`, `exp`, `aud`
//! = `beckon-session`) signed with a key derived from the app's secret:
//! HMAC-SHA256(secret, "beckon-session-v1"). Deriving it (rather than
//! signing with the secret itself) means a session token can never pass as
//! a `user_jwt` or the other way round; tying it to the secret means that
//! rotating the secret ends every session at once, and that several server
//! processes accept each other's tokens with nothing shared but the
//! database.

use std::time::Duration;

use axum::http::StatusCode;
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::error::{AppError, Result};
use crate::store::AppRecord;

/// The `aud` of every session token.
const AUDIENCE: &str = "beckon-session";

/// How long a session lasts when the environment does not say
/// (`BECKON_SESSION_HOURS`); the SDK gets a new one at every boot.
pub const DEFAULT_TTL: Duration = Duration::from_secs(12 * 3600);

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    app: String,
    sub: String,
    iat: u64,
    exp: u64,
    aud: String,
}

/// The signing key of an app's sessions.
fn key(app: &AppRecord) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(app.secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(b"beckon-session-v1");
    mac.finalize().into_bytes().into()
}

fn now_s() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A token for `user_key` of `app`, valid for `ttl`.
pub fn issue(app: &AppRecord, user_key: &str, ttl: Duration) -> Result<String> {
    let now = now_s();
    let claims = Claims {
        app: app.id.clone(),
        sub: user_key.to_owned(),
        iat: now,
        exp: now + ttl.as_secs().max(1),
        aud: AUDIENCE.to_owned(),
    };
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(&key(app)),
    )
    .map_err(|e| {
        tracing::error!(error = %e, "cannot sign a session token");
        AppError::bad(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "cannot issue a session",
        )
    })
}

fn refused(detail: &str) -> AppError {
    AppError::unauthorized(
        "invalid_session",
        format!("the session token is not valid ({detail}); boot again for a new one"),
    )
}

/// The app a token claims to be for, read without checking anything, so
/// the caller knows whose key to check it with.
pub fn claimed_app(token: &str) -> Result<String> {
    jsonwebtoken::dangerous::insecure_decode::<Claims>(token)
        .map(|data| data.claims.app)
        .map_err(|_| refused("malformed"))
}

/// The user key of a valid, unexpired token of `app`.
pub fn verify(app: &AppRecord, token: &str) -> Result<String> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_audience(&[AUDIENCE]);
    validation.set_required_spec_claims(&["exp", "sub", "aud"]);
    // The server made `exp` with its own clock: no leeway is needed.
    validation.leeway = 0;
    let data =
        jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(&key(app)), &validation)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => refused("expired"),
                _ => refused("signature"),
            })?;
    if data.claims.app != app.id {
        return Err(refused("another app"));
    }
    Ok(data.claims.sub)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::AppSettings;

    fn app(id: &str, secret: &str) -> AppRecord {
        AppRecord {
            id: id.into(),
            name: id.into(),
            secret: secret.into(),
            settings: AppSettings::default(),
        }
    }

    #[test]
    fn tokens_name_one_app_and_user_and_nothing_else_passes() {
        let a = app("a", "secret-a");
        let token = issue(&a, "anon:x", DEFAULT_TTL).expect("issue");
        assert_eq!(claimed_app(&token).ok().as_deref(), Some("a"));
        assert_eq!(verify(&a, &token).ok().as_deref(), Some("anon:x"));
        // Same id, other secret (rotated): refused.
        assert!(verify(&app("a", "rotated"), &token).is_err());
        // A user_jwt signed with the app's secret itself is not a session.
        let jwt = jsonwebtoken::encode(
            &Header::default(),
            &Claims {
                app: "a".into(),
                sub: "u".into(),
                iat: now_s(),
                exp: now_s() + 60,
                aud: AUDIENCE.into(),
            },
            &EncodingKey::from_secret(b"secret-a"),
        )
        .expect("jwt");
        assert!(verify(&a, &jwt).is_err());
        assert!(claimed_app("garbage").is_err());
    }
}
