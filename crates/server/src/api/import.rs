//! `/api/v1/admin/import/{kind}` and `/api/v1/admin/export/{file}`: bulk import with a row-by-row
//! report, and the full export's files (R-OP-6).

use super::docs::Problem;
use super::extract::query_pairs;
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::services::import;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use domain::import::Kind;

/// Import files may be large: 100,000 rows of complaints.
const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new().route(
        "/api/v1/admin/import/{kind}",
        post(run).layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES)),
    )
}

/// Imports a CSV (UTF-8, BOM allowed) or xlsx file as the request body (administrators):
/// `org` (code, name, name_en, parent_code, kind), `users` (username, display_name, password,
/// role, node, department, email, phone), `units` (project_code, building, unit) or
/// `complaints` (received_at, channel, name, phone, email, kind, project_code, building, unit,
/// location, stage, subject, description, demands, category_code, grade, households, closed_at,
/// summary). `?dry_run=true` checks without storing. 200 with the report when every row is good;
/// 422 problem+json with `errors: [{row, column, message}]` (row 1 is the header) and nothing
/// imported otherwise. Importing the same file again changes nothing (`unchanged`).
#[utoipa::path(post, path = "/api/v1/admin/import/{kind}", tag = "admin",
    params(("kind" = String, Path, description = "org, users, units or complaints"),
        ("dry_run" = Option<bool>, Query, description = "true: check every row, store nothing")),
    request_body(content = String, content_type = "text/csv", description = "CSV, or an xlsx workbook (first sheet)"),
    responses((status = 200, description = "`{kind, rows, imported, unchanged, dry_run, errors: []}`"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn run(
    State(state): State<AppState>,
    who: Principal,
    Path(kind): Path<String>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> AppResult<Response> {
    who.require(domain::access::Permission::Administer)?;
    let kind = Kind::from_code(&kind).ok_or(AppError::NotFound)?;
    let mut dry_run = false;
    for (k, v) in query_pairs(q.as_deref()) {
        match (k.as_str(), v.as_str()) {
            ("dry_run", "true") => dry_run = true,
            ("dry_run", "false") => dry_run = false,
            ("dry_run", _) => return Err(AppError::field("dry_run", "must be true or false")),
            (other, _) => {
                return Err(AppError::field(
                    &other.chars().take(40).collect::<String>(),
                    "is not a known parameter",
                ))
            }
        }
    }
    let report = import::run(&state, &who, kind, &body, dry_run).await?;
    if report.ok() {
        return Ok(Json(report.to_json()).into_response());
    }
    let mut problem = report.to_json();
    problem["type"] = "about:blank".into();
    problem["title"] = "Import refused".into();
    problem["status"] = 422.into();
    problem["detail"] = format!(
        "{} problem(s) in the file; nothing was imported. Fix the rows named and send the file again.",
        report.errors.len()
    )
    .into();
    let mut resp = (StatusCode::UNPROCESSABLE_ENTITY, Json(problem)).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        "application/problem+json".parse().expect("static"),
    );
    Ok(resp)
}
