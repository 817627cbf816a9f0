//! Who is calling: the admin key of `/admin/v1`, and identity verification
//! of the SDK's users.
//!
//! A browser can claim any `user_id`, so an app that cares turns on
//! `require_identity`: its own backend then proves each user to Beckon with
//! the app's secret, either as `user_hash` = hex HMAC-SHA256(secret,
//! user_id) (Intercom's scheme, never expires) or as `user_jwt`, an HS256
//! JWT whose `sub` is the user id (it expires). A proof that is given is
//! always checked, even where it is not required, so a forged one is never
//! silently accepted.

use axum::http::HeaderMap;
use beckon_core::protocol::UserIdentity;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use crate::error::{AppError, Result};
use crate::store::AppRecord;

/// The longest id (user, anonymous, event) accepted; longer ones are a
/// client bug or an attack, never a real id.
pub const MAX_ID_LEN: usize = 256;

/// Anonymous visitors are stored under this prefix, so an anonymous id can
/// never name an identified user's record.
pub const ANON_PREFIX: &str = "anon:";

/// A caller whose identity has been checked against the app's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Storage key of the user's records.
    pub key: String,
    /// The app's user id, when identified.
    pub user_id: Option<String>,
    /// The anonymous visitor's key, when the call names one: alone, it is
    /// the user; beside a user id, it is the visitor to merge into them.
    pub anonymous_key: Option<String>,
}

/// The claims Beckon reads from a `user_jwt`.
#[derive(Debug, Deserialize)]
struct Claims {
    sub: String,
}

type HmacSha256 = Hmac<Sha256>;

/// `user_hash` for `user_id` under `secret`: lowercase hex HMAC-SHA256.
pub fn user_hash(secret: &str, user_id: &str) -> String {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(user_id.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Whether `given` is the `user_hash` of `user_id`, compared in constant time.
fn hash_matches(secret: &str, user_id: &str, given: &str) -> bool {
    let Ok(given) = hex::decode(given.trim()) else {
        return false;
    };
    let Ok(mut mac) = HmacSha256::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(user_id.as_bytes());
    mac.verify_slice(&given).is_ok()
}

/// The subject of a valid JWT signed with `secret`, or why not.
fn jwt_subject(secret: &str, token: &str) -> std::result::Result<String, String> {
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.set_required_spec_claims(&["exp", "sub"]);
    validation.leeway = 30;
    jsonwebtoken::decode::<Claims>(
        token,
        &jsonwebtoken::DecodingKey::from_secret(secret.as_bytes()),
        &validation,
    )
    .map(|data| data.claims.sub)
    .map_err(|e| e.to_string())
}

fn check_id(what: &str, id: &str) -> Result<()> {
    if id.len() > MAX_ID_LEN {
        return Err(AppError::field(
            format!("user.{what}"),
            format!("is longer than {MAX_ID_LEN} bytes"),
        ));
    }
    Ok(())
}

fn invalid_proof(detail: &str) -> AppError {
    AppError::unauthorized(
        "invalid_identity",
        format!("the identity proof does not match this user ({detail}); sign the user id with the app's secret on your server"),
    )
}

/// Checks the caller's identity against the app's settings.
pub fn verify(app: &AppRecord, user: &UserIdentity) -> Result<Verified> {
    let anonymous_id = user.anonymous_id.as_deref().filter(|a| !a.is_empty());
    if let Some(a) = anonymous_id {
        check_id("anonymous_id", a)?;
    }
    let claimed = user.user_id.as_deref().filter(|u| !u.is_empty());
    let user_id = match (&user.user_jwt, claimed) {
        (Some(token), claimed) => {
            let sub = jwt_subject(&app.secret, token).map_err(|e| invalid_proof(&e))?;
            if claimed.is_some_and(|c| c != sub) {
                return Err(invalid_proof("the token's sub is another user"));
            }
            Some(sub)
        }
        (None, Some(claimed)) => {
            match &user.user_hash {
                Some(hash) if hash_matches(&app.secret, claimed, hash) => {}
                Some(_) => return Err(invalid_proof("user_hash")),
                None if app.settings.require_identity => {
                    return Err(AppError::unauthorized(
                        "identity_required",
                        "this app requires identity verification: send user_hash or user_jwt with user_id",
                    ))
                }
                None => {}
            }
            Some(claimed.to_owned())
        }
        (None, None) => None,
    };
    let anonymous_key = anonymous_id.map(|a| format!("{ANON_PREFIX}{a}"));
    match user_id {
        Some(id) => {
            check_id("user_id", &id)?;
            if id.starts_with(ANON_PREFIX) {
                return Err(AppError::field(
                    "user.user_id",
                    format!("must not start with {ANON_PREFIX:?}, which marks anonymous visitors"),
                ));
            }
            Ok(Verified {
                key: id.clone(),
                user_id: Some(id),
                anonymous_key,
            })
        }
        None => {
            let key = anonymous_key.ok_or_else(|| {
                AppError::bad(
                    axum::http::StatusCode::BAD_REQUEST,
                    "missing_user",
                    "user needs a non-empty user_id or anonymous_id",
                )
            })?;
            if !app.settings.allow_anonymous {
                return Err(AppError::unauthorized(
                    "anonymous_disabled",
                    "this app does not accept anonymous visitors; boot with a user_id",
                ));
            }
            Ok(Verified {
                key: key.clone(),
                user_id: None,
                anonymous_key: Some(key),
            })
        }
    }
}

/// Checks `Authorization: Bearer <admin key>` in constant time.
pub fn require_admin(admin_key: &str, headers: &HeaderMap) -> Result<()> {
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let expected = admin_key.as_bytes();
    let same_len = given.len() == expected.len();
    let diff = given
        .bytes()
        .zip(expected.iter())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    if same_len && diff == 0 && !expected.is_empty() {
        Ok(())
    } else {
        Err(AppError::unauthorized(
            "unauthorized",
            "admin API needs `Authorization: Bearer <admin key>`",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::AppSettings;

    fn app(require: bool) -> AppRecord {
        AppRecord {
            id: "a".into(),
            name: "A".into(),
            secret: "s3cret".into(),
            settings: AppSettings {
                require_identity: require,
                ..AppSettings::default()
            },
        }
    }

    fn who(user_id: &str, hash: Option<String>) -> UserIdentity {
        UserIdentity {
            user_id: Some(user_id.into()),
            user_hash: hash,
            ..UserIdentity::default()
        }
    }

    #[test]
    fn hash_is_hex_hmac_sha256() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            user_hash("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn required_identity_refuses_missing_and_forged_hashes() {
        let a = app(true);
        assert!(verify(&a, &who("u1", None)).is_err());
        assert!(verify(&a, &who("u1", Some(user_hash("s3cret", "u2")))).is_err());
        assert!(verify(&a, &who("u1", Some(user_hash("other", "u1")))).is_err());
        assert!(verify(&a, &who("u1", Some("zz".into()))).is_err());
        let ok = verify(
            &a,
            &who("u1", Some(user_hash("s3cret", "u1").to_uppercase())),
        );
        assert_eq!(ok.map(|v| v.key).ok(), Some("u1".to_owned()));
    }

    #[test]
    fn anonymous_ids_cannot_name_identified_users() {
        let v = verify(
            &app(false),
            &UserIdentity {
                anonymous_id: Some("alice".into()),
                ..UserIdentity::default()
            },
        );
        assert_eq!(v.map(|v| v.key).ok(), Some("anon:alice".to_owned()));
        assert!(verify(&app(false), &who("anon:alice", None)).is_err());
    }
}
