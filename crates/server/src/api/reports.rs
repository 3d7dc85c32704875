//! `/api/v1/reports/…` (API.md): the summary (R-AN-3), the monthly and quarterly reports and
//! the weekly register (R-AN-2).

use super::docs::Problem;
use super::extract::query_pairs;
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::services::{analysis as an, reports};
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::routing::get;
use axum::{Json, Router};
use domain::period::Period;
use domain::FieldError;
use serde_json::Value;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/reports/summary", get(summary))
        .route("/api/v1/reports/analysis", get(analysis))
        .route("/api/v1/reports/register", get(register))
}

/// Counts and rates by one dimension over complaints received from `from` to `to` (Asia/Shanghai
/// dates, inclusive), within the caller's scope; rates are null when nothing was measured.
#[utoipa::path(get, path = "/api/v1/reports/summary", tag = "reports",
    params(("from" = String, Query, description = "YYYY-MM-DD"), ("to" = String, Query, description = "YYYY-MM-DD, inclusive"),
        ("by" = String, Query, description = "category, grade, channel, project, department or state")),
    responses((status = 200, description = "`{from, to, by, rows: [{key, label, label_en, count, response_timely_rate, handling_timely_rate, closure_rate, satisfaction_rate}], total: {...}}`"),
        (status = 401, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn summary(State(state): State<AppState>, who: Principal, RawQuery(q): RawQuery) -> AppResult<Json<Value>> {
    let query = reports::parse(&query_pairs(q.as_deref())).map_err(AppError::Validation)?;
    Ok(Json(reports::summary(&state, &who, &query).await?))
}

/// Reads exactly the named parameters (each once, trimmed), naming every field that is wrong.
fn params(raw: Option<&str>, names: &[&str]) -> AppResult<Vec<String>> {
    let pairs = query_pairs(raw);
    let mut errors = Vec::new();
    for (k, _) in &pairs {
        if !names.contains(&k.as_str()) {
            errors.push(FieldError::new(
                k.chars().take(40).collect::<String>(),
                "is not a known parameter",
            ));
        }
    }
    let values: Vec<String> = names
        .iter()
        .map(|n| {
            let v = pairs
                .iter()
                .rev()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.trim().to_string());
            if v.as_deref().is_none_or(str::is_empty) {
                errors.push(FieldError::new(*n, "is required"));
            }
            v.unwrap_or_default()
        })
        .collect();
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(AppError::Validation(errors))
    }
}

/// The monthly statistical analysis report (`period=2026-11`) or the quarterly service
/// evaluation report (`period=2026-Q4`) of R-AN-2 within the caller's scope: totals and rates,
/// the previous period, trend, handling-time mean and percentiles, overdue, and groups.
#[utoipa::path(get, path = "/api/v1/reports/analysis", tag = "reports",
    params(("period" = String, Query, description = "a month YYYY-MM or a quarter YYYY-Qn")),
    responses((status = 200, description = "`{period, kind, title, from, to, due, total: {count, response_timely_rate, handling_timely_rate, closure_rate, satisfaction_rate, repeat_rate}, previous: {period, count}, change_rate, overdue, handling_time: {closed, mean_hours, p50_hours, p90_hours}, trend: [{label, count}], groups: [{by, title, title_en, rows: [{key, label, label_en, count, ...rates}]}]}`"),
        (status = 401, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn analysis(State(state): State<AppState>, who: Principal, RawQuery(q): RawQuery) -> AppResult<Json<Value>> {
    let v = params(q.as_deref(), &["period"])?;
    let period = an::parse_report_period(&v[0])?;
    Ok(Json(an::analysis(&state, &who, period).await?.to_json()))
}

/// The weekly complaint register (客户投诉记录表) of a department: the complaints received in an
/// ISO week whose lead department has this code, oldest first, within the caller's scope.
#[utoipa::path(get, path = "/api/v1/reports/register", tag = "reports",
    params(("week" = String, Query, description = "an ISO week YYYY-Www"), ("department" = String, Query, description = "department code, e.g. engineering")),
    responses((status = 200, description = "`{week, from, to, department, count, items: [{number, received_at, project, unit, complainant, category, grade, subject, department, handler, state, satisfaction, closed_at}]}`"),
        (status = 401, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn register(State(state): State<AppState>, who: Principal, RawQuery(q): RawQuery) -> AppResult<Json<Value>> {
    let v = params(q.as_deref(), &["week", "department"])?;
    let week = match Period::parse(&v[0]) {
        Some(w @ Period::Week(_)) => w,
        _ => return Err(AppError::field("week", "must be an ISO week YYYY-Www")),
    };
    let department = &v[1];
    if !domain::org::DEFAULT_DEPARTMENTS
        .iter()
        .any(|(code, _)| code == department)
    {
        return Err(AppError::field("department", "unknown department"));
    }
    let lines = an::register(&state, &who, week, department).await?;
    Ok(Json(an::register_json(week, department, &lines)))
}
