//! Preview: what the SDK would show a user on a page, and why not the rest.
//! (Filled in once core's orchestration engine is part of beckon-core.)

use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

/// Routes of this resource.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}
