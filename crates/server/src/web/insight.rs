//! Common issues, the risk register and the case library in the console (R-AN-6…8): lists with
//! the forms to create and move them on, on the same services as the API.

use super::export::{download, Format, Table};
use super::session::WebUser;
use super::{checked, error_page, refusal, render, see_other, FormData, Layout};
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
        .route("/insight/{file}", get(export))
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

/// The message of a refusal, for the top of the form (a role that may not act is told here too).
fn message(e: &AppError) -> Option<String> {
    match e {
        AppError::Forbidden(m) => Some(m.clone()),
        other => refusal(other),
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

/// The lists as spreadsheets (R-AN-4): `/insight/issues.xlsx`, `/insight/risks.csv`,
/// `/insight/warnings.xlsx`, …, in Chinese, within the user's scope.
async fn export(State(state): State<AppState>, u: WebUser, Path(file): Path<String>) -> Response {
    let Some((what, ext)) = file.split_once('.') else {
        return error_page(u.lang, &AppError::NotFound);
    };
    let format = match ext {
        "xlsx" => Format::Xlsx,
        "csv" => Format::Csv,
        _ => return error_page(u.lang, &AppError::NotFound),
    };
    let (columns, items): (&[(&str, &str)], _) = match what {
        "issues" => (
            &[
                ("title", "标题"),
                ("root_cause", "根本原因"),
                ("plan", "整改方案"),
                ("owner", "责任人"),
                ("deadline", "完成期限"),
                ("state_label", "状态"),
                ("complaint_count", "投诉数"),
                ("result", "整改结果"),
                ("reported_at", "反馈时间"),
            ],
            insight::issues(&state, &u.principal).await,
        ),
        "risks" => (
            &[
                ("title", "风险"),
                ("source", "来源"),
                ("assessment", "评估"),
                ("level_label", "等级"),
                ("mitigation", "防控措施"),
                ("status_label", "状态"),
                ("owner", "责任人"),
                ("review_on", "复核日期"),
            ],
            insight::risks(&state, &u.principal).await,
        ),
        "warnings" => (
            &[
                ("raised_at", "预警时间"),
                ("kind_label", "类型"),
                ("title", "内容"),
                ("complaint_number", "投诉编号"),
                ("acknowledged_at", "确认时间"),
                ("acknowledged_by", "确认人"),
                ("note", "措施"),
            ],
            crate::services::warnings::list(&state, &u.principal, false).await,
        ),
        _ => return error_page(u.lang, &AppError::NotFound),
    };
    let items = match items {
        Ok(items) => items,
        Err(e) => return error_page(u.lang, &e),
    };
    let table = Table {
        name: what.to_string(),
        header: columns.iter().map(|(_, h)| h.to_string()).collect(),
        rows: items
            .iter()
            .map(|i| columns.iter().map(|(k, _)| text(&i[*k])).collect())
            .collect(),
        numeric: columns
            .iter()
            .position(|(k, _)| *k == "complaint_count")
            .into_iter()
            .collect(),
    };
    download(&table, format, what).unwrap_or_else(|e| error_page(u.lang, &e))
}
