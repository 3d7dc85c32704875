//! Early warnings in the console (预警, R-AN-5): the newest in the user's scope, open ones
//! first, each with its complaint and a form to acknowledge it with what is being done.

use super::session::WebUser;
use super::{checked, error_page, render, see_other, Layout};
use crate::services::warnings;
use crate::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use domain::Code;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/warnings", get(page))
        .route("/warnings/{id}/acknowledge", post(acknowledge))
}

/// One warning as shown.
struct Shown {
    id: i64,
    kind: String,
    title: String,
    number: Option<String>,
    raised_at: String,
    acknowledged: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "web/warnings.html")]
struct WarningsPage {
    l: Layout,
    open_only: bool,
    items: Vec<Shown>,
    failed: Option<String>,
}

async fn page(State(state): State<AppState>, u: WebUser, RawQuery(raw): RawQuery) -> Response {
    let f = super::FormData::parse(raw.unwrap_or_default().as_bytes());
    let open_only = f.value("all") != "1";
    let items = match warnings::list(&state, &u.principal, open_only).await {
        Ok(items) => items,
        Err(e) => return error_page(u.lang, &e),
    };
    let en = u.lang == super::i18n::Lang::En;
    let items = items
        .iter()
        .map(|w| Shown {
            id: w["id"].as_i64().unwrap_or(0),
            kind: domain::warning::WarningKind::from_code(w["kind"].as_str().unwrap_or_default())
                .map(|k| if en { k.label().en } else { k.label().zh })
                .unwrap_or_default()
                .to_string(),
            title: w[if en { "title_en" } else { "title" }]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            number: w["complaint_number"].as_str().map(String::from),
            raised_at: super::list::local(w["raised_at"].as_str().unwrap_or_default()),
            acknowledged: w["acknowledged_at"].as_str().map(|_| {
                format!(
                    "{} {}：{}",
                    super::list::local(w["acknowledged_at"].as_str().unwrap_or_default()),
                    w["acknowledged_by"].as_str().unwrap_or_default(),
                    w["note"].as_str().unwrap_or_default()
                )
            }),
        })
        .collect();
    render(
        StatusCode::OK,
        &WarningsPage {
            l: Layout::new(&u, "warnings", u.lang.t("nav.warnings")),
            open_only,
            items,
            failed: f.get("failed").map(String::from),
        },
    )
}

async fn acknowledge(
    State(state): State<AppState>,
    u: WebUser,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Response {
    let f = match checked(&u, &body) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    match warnings::acknowledge(&state, &u.principal, id, f.value("note")).await {
        Ok(_) => see_other("/warnings"),
        Err(crate::error::AppError::Validation(_)) => see_other(&format!("/warnings?failed={id}")),
        Err(e) => error_page(u.lang, &e),
    }
}
