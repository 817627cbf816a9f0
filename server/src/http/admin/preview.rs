//! Preview: what the SDK would show a user on a page, and for every other
//! message core's own explanation of why not.
//!
//! It runs the same orchestration engine the SDK runs in the browser
//! (`beckon_core::orchestration::decide`), fed from the stored user (their
//! attributes, company and state) instead of from a browser, so what an
//! author sees here is what a user would see there.

use axum::extract::{Path, State};
use beckon_core::condition::SavedGroups;
use beckon_core::orchestration::{compile_all, decide, Context, Decision, PageFacts};
use beckon_core::state::UserState;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{app_or_404, Admin};
use crate::error::{AppError, Result};
use crate::http::{AppJson, AuthorJson};
use crate::store::{now_ms, MessageStatus};
use crate::AppState;

/// Routes of this resource.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(preview))
}

/// Who, where and when to preview for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    /// A stored user (their attributes, company and history); absent: a
    /// new visitor with only `attributes`.
    #[serde(default)]
    pub user_key: Option<String>,
    /// Attributes laid over the stored ones (company under `company`).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub attributes: Map<String, Value>,
    /// The page's URL.
    pub url: String,
    /// The browser's locale, e.g. `de-AT`.
    #[serde(default)]
    pub locale: Option<String>,
    /// The user's offset from UTC in minutes.
    #[serde(default)]
    pub utc_offset_minutes: i32,
    /// Whether drafts take part (default: yes, that is what previews are for).
    #[serde(default = "yes")]
    pub include_drafts: bool,
    /// What the SDK would have observed on the page (elements present or
    /// clicked, scroll, times); default: the page was just opened. A
    /// tooltip or hotspot shows only if its element is present here, as in
    /// the browser.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub page: Option<PageFacts>,
    /// The moment to decide at (ms since epoch); default: now.
    #[serde(default)]
    pub now: Option<f64>,
    /// The messenger is open.
    #[serde(default)]
    pub messenger_open: bool,
    /// The user has an open conversation.
    #[serde(default)]
    pub conversation_open: bool,
}

fn yes() -> bool {
    true
}

/// One message's verdict.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewedMessage {
    /// The message.
    pub id: String,
    /// Its status.
    pub status: MessageStatus,
    /// `show`, `held_out` (control group) or `hidden`.
    pub decision: &'static str,
    /// Why it is not shown, in core's words.
    pub reason: Option<String>,
}

/// The preview.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewAnswer {
    /// The ids that would be shown, highest priority first.
    pub shown: Vec<String>,
    /// Every message considered, with its verdict.
    pub messages: Vec<PreviewedMessage>,
}

/// What the SDK would show this user on this page, and why not the rest.
#[utoipa::path(post, path = "/admin/v1/apps/{app_id}/preview", tag = "admin",
    params(("app_id" = String, Path)), request_body = PreviewRequest,
    responses((status = 200, body = PreviewAnswer), (status = 404, body = Object), (status = 422, body = Object)),
    security(("admin" = [])))]
async fn preview(
    _: Admin,
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    AuthorJson(req): AuthorJson<PreviewRequest>,
) -> Result<AppJson<PreviewAnswer>> {
    let app = app_or_404(&state, &app_id).await?;
    let store = &state.store;
    let records: Vec<_> = store
        .messages(&app_id, None)
        .await?
        .into_iter()
        .filter(|r| {
            r.status == MessageStatus::Live
                || (req.include_drafts && r.status == MessageStatus::Draft)
        })
        .collect();
    let status_of = |id: &str| {
        records
            .iter()
            .find(|r| r.message.id == id)
            .map_or(MessageStatus::Draft, |r| r.status)
    };
    let messages: Vec<_> = records.iter().map(|r| r.message.clone()).collect();
    let (compiled, broken) = compile_all(&messages);

    let (user_key, mut attributes, user_state) = match &req.user_key {
        Some(key) => {
            let user = store
                .user(&app_id, key)
                .await?
                .ok_or_else(|| AppError::not_found("user", key))?;
            let mut attributes = user.attributes;
            if let Some(company_id) = &user.company_id {
                if let Some(c) = store.company(&app_id, company_id).await? {
                    let mut company = c.attributes;
                    company.insert("id".into(), Value::String(c.id));
                    if let Some(name) = c.name {
                        company.insert("name".into(), Value::String(name));
                    }
                    attributes.insert("company".into(), Value::Object(company));
                }
            }
            (
                key.clone(),
                attributes,
                store.user_state(&app_id, key).await?,
            )
        }
        None => ("preview".to_owned(), Map::new(), UserState::default()),
    };
    attributes.extend(req.attributes.clone());
    let attributes = Value::Object(attributes);

    let now = req.now.unwrap_or(now_ms() as f64);
    let page = req.page.clone().unwrap_or_else(|| PageFacts {
        viewed_at: now,
        last_input_at: now,
        ..PageFacts::default()
    });
    let groups = SavedGroups::default();
    let ctx = Context {
        now,
        user_key: &user_key,
        url: &req.url,
        attributes: &attributes,
        groups: &groups,
        locale: req.locale.as_deref(),
        utc_offset_minutes: req.utc_offset_minutes,
        clock_skew: 0.0,
        session_start: now,
        page: &page,
        messenger_open: req.messenger_open,
        conversation_open: req.conversation_open,
        showing: &[],
    };
    let verdicts = decide(&compiled, &ctx, &user_state, &app.settings.attention);
    let mut answer = PreviewAnswer {
        shown: Vec::new(),
        messages: Vec::new(),
    };
    for v in verdicts {
        let (decision, reason) = match &v.decision {
            Decision::Show => ("show", None),
            Decision::HoldOut(r) => ("held_out", Some(r.to_string())),
            Decision::Hidden(r) => ("hidden", Some(r.to_string())),
        };
        if decision == "show" {
            answer.shown.push(v.message_id.clone());
        }
        answer.messages.push(PreviewedMessage {
            status: status_of(&v.message_id),
            id: v.message_id,
            decision,
            reason,
        });
    }
    for (id, error) in broken {
        answer.messages.push(PreviewedMessage {
            status: status_of(&id),
            id,
            decision: "hidden",
            reason: Some(format!("its rules do not compile: {error}")),
        });
    }
    Ok(AppJson(answer))
}
