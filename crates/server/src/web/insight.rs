//! Common issues, the risk register and the case library in the console (R-AN-6…8): lists with
//! the forms to create and move them on, on the same services as the API.

use super::session::WebUser;
use super::{checked, error_page, render, see_other, FormData, Layout};
use crate::error::AppError;
use crate::services::insight;
use crate::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Map, Value};

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/issues", get(issues).post(create_issue))
        .route("/issues/{id}", post(update_issue))
        .route("/risks", get(risks).post(create_risk))
        .route("/cases", get(cases).post(publish_case))
}

#[derive(askama::Template)]
#[template(path = "web/insight.html")]
struct InsightPage {
    l: Layout,
    what: &'static str,
    items: Vec<Value>,
    q: String,
    error: Option<String>,
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

async fn show(u: &WebUser, what: &'static str, items: Vec<Value>, q: String, error: Option<String>) -> Response {
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let title = match what {
        "issues" => "nav.issues",
        "risks" => "nav.risks",
        _ => "nav.cases",
    };
    render(
        status,
        &InsightPage {
            l: Layout::new(u, what, u.lang.t(title)),
            what,
            items,
            q,
            error,
        },
    )
}

/// The message of a refusal, for the top of the form.
fn message(e: &AppError) -> Option<String> {
    match e {
        AppError::Validation(errors) => Some(
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        AppError::Conflict(m) | AppError::Forbidden(m) => Some(m.clone()),
        _ => None,
    }
}

/// A form's fields as a JSON object, `complaints` split on commas and spaces.
fn object(f: &FormData, fields: &[&str]) -> Map<String, Value> {
    let mut m = Map::new();
    for k in fields {
        let v = f.value(k);
        if *k == "complaints" {
            let list: Vec<&str> = v
                .split([',', ' ', '，', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            m.insert((*k).into(), json!(list));
        } else if !v.trim().is_empty() || !matches!(*k, "state" | "result") {
            m.insert((*k).into(), json!(v));
        }
    }
    m
}

async fn issues(State(state): State<AppState>, u: WebUser) -> Response {
    match insight::issues(&state, &u.principal).await {
        Ok(items) => show(&u, "issues", items, String::new(), None).await,
        Err(e) => error_page(u.lang, &e),
    }
}

async fn after<T>(state: &AppState, u: &WebUser, what: &'static str, r: Result<T, AppError>, to: &str) -> Response {
    match r {
        Ok(_) => see_other(to),
        Err(e) => match message(&e) {
            Some(m) => {
                let items = match what {
                    "issues" => insight::issues(state, &u.principal).await,
                    "risks" => insight::risks(state, &u.principal).await,
                    _ => insight::cases(state, "").await,
                };
                show(u, what, items.unwrap_or_default(), String::new(), Some(m)).await
            }
            None => error_page(u.lang, &e),
        },
    }
}

async fn create_issue(State(state): State<AppState>, u: WebUser, body: axum::body::Bytes) -> Response {
    let f = match checked(&u, &body) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let m = object(
        &f,
        &["node", "title", "root_cause", "plan", "owner", "deadline", "complaints"],
    );
    let r = insight::create_issue(&state, &u.principal, m).await;
    after(&state, &u, "issues", r, "/issues").await
}

async fn update_issue(
    State(state): State<AppState>,
    u: WebUser,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Response {
    let f = match checked(&u, &body) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let r = insight::update_issue(&state, &u.principal, id, object(&f, &["state", "result"])).await;
    after(&state, &u, "issues", r, "/issues").await
}

async fn risks(State(state): State<AppState>, u: WebUser) -> Response {
    match insight::risks(&state, &u.principal).await {
        Ok(items) => show(&u, "risks", items, String::new(), None).await,
        Err(e) => error_page(u.lang, &e),
    }
}

async fn create_risk(State(state): State<AppState>, u: WebUser, body: axum::body::Bytes) -> Response {
    let f = match checked(&u, &body) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let m = object(
        &f,
        &[
            "node",
            "source",
            "title",
            "assessment",
            "level",
            "mitigation",
            "status",
            "owner",
            "review_on",
        ],
    );
    let r = insight::save_risk(&state, &u.principal, None, m).await;
    after(&state, &u, "risks", r, "/risks").await
}

async fn cases(State(state): State<AppState>, u: WebUser, RawQuery(raw): RawQuery) -> Response {
    let q = FormData::parse(raw.unwrap_or_default().as_bytes()).value("q");
    match insight::cases(&state, &q).await {
        Ok(items) => show(&u, "cases", items, q, None).await,
        Err(e) => match message(&e) {
            Some(m) => show(&u, "cases", vec![], q, Some(m)).await,
            None => error_page(u.lang, &e),
        },
    }
}

async fn publish_case(State(state): State<AppState>, u: WebUser, body: axum::body::Bytes) -> Response {
    let f = match checked(&u, &body) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let r = insight::publish_case(
        &state,
        &u.principal,
        f.value("number").trim(),
        object(&f, &["title", "lessons"]),
    )
    .await;
    after(&state, &u, "cases", r, "/cases").await
}

impl InsightPage {
    /// A JSON field as text, for the template.
    fn field(&self, v: &Value, k: &str) -> String {
        text(&v[k])
    }
}
