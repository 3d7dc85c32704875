//! `POST /api/v1/complaints/{number}/actions/{action}` and `GET …/timeline` (API.md).

use super::docs::{ComplaintDoc, Problem};
use super::extract::{Fields, JsonObject};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::services::workflow::{self, Command};
use crate::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::intake::{optional_code, required_code};
use domain::state::Action;
use domain::time::parse_rfc3339;
use domain::validate::{optional_text, text, Lines};
use domain::{Code, FieldError};
use serde_json::{Map, Value};

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/complaints/{number}/actions/{action}", post(act))
        .route("/api/v1/complaints/{number}/timeline", get(timeline))
        .route("/api/v1/complaints/{number}/links", post(link))
        .route("/api/v1/complaints/{number}/reply-letter", get(reply_letter))
        .route("/api/v1/complaints/{number}/case-file", get(case_file))
}

/// Largest compensation accepted, in fen (100 million yuan): anything above is a typo.
pub const MAX_COMPENSATION_FEN: i64 = 10_000_000_000;
const LONG: usize = 5000;
const SHORT: usize = 500;

/// The fields each action accepts besides `version`.
pub fn fields_of(action: Action) -> &'static [&'static str] {
    use Action as A;
    match action {
        A::Dispatch => &["lead_department", "co_departments", "supervision_order"],
        A::Assign => &["handler"],
        A::Respond => &["content", "method"],
        A::Assess => &["facts", "responsibility", "reasonableness", "direction", "days_needed"],
        A::ProposePlan => &[
            "measures",
            "responsible",
            "deadline",
            "resources",
            "compensation_fen",
            "compensation_form",
        ],
        A::ApprovePlan | A::Confirm => &["comment"],
        A::RejectPlan => &["comment"],
        A::Reply => &["content", "written"],
        A::Object | A::Withdraw | A::Reopen | A::Escalate => &["reason"],
        A::Callback => &["satisfaction", "remarks", "impossible_reason"],
        A::Close => &["summary"],
        A::Archive => &[],
        A::Merge => &["into"],
        A::Extend => &["clock", "until", "reason"],
        A::Note => &["text"],
        A::LogContact => &["method", "content"],
    }
}

fn req(f: &mut Fields<'_>, errors: &mut Vec<FieldError>, key: &str, max: usize, lines: Lines) -> String {
    match f.string(key) {
        Some(v) => text(key, &v, max, lines)
            .map_err(|e| errors.push(e))
            .unwrap_or_default(),
        None => {
            errors.push(FieldError::new(key, "is required"));
            String::new()
        }
    }
}

fn opt(f: &mut Fields<'_>, errors: &mut Vec<FieldError>, key: &str, max: usize, lines: Lines) -> Option<String> {
    let v = f.string(key);
    optional_text(key, v.as_deref(), max, lines)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten()
}

fn keep<T>(errors: &mut Vec<FieldError>, r: Result<T, FieldError>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

/// Parses an action's body into its version and command, reporting every problem at once.
pub fn parse(action: Action, body: &Map<String, Value>) -> Result<(i64, Command), Vec<FieldError>> {
    use Action as A;
    let mut f = Fields::new(body, "");
    let mut known = vec!["version"];
    known.extend_from_slice(fields_of(action));
    f.reject_unknown(&known);
    let mut errors = Vec::new();
    let version = match f.integer("version") {
        Some(v) if v >= 1 => v,
        Some(_) => {
            errors.push(FieldError::new(
                "version",
                "must be the complaint's current version, 1 or more",
            ));
            0
        }
        None => {
            if !f.errors.iter().any(|e| e.field == "version") {
                errors.push(FieldError::new(
                    "version",
                    "is required: send the complaint's current version",
                ));
            }
            0
        }
    };
    let (m, l) = (Lines::Multi, Lines::Single);
    let cmd = match action {
        A::Dispatch => {
            let lead = req(&mut f, &mut errors, "lead_department", 64, l);
            let co = match body.get("co_departments") {
                None | Some(Value::Null) => vec![],
                Some(Value::Array(a)) if a.iter().all(Value::is_string) && a.len() <= 20 => a
                    .iter()
                    .filter_map(|v| v.as_str().map(|s| s.trim().to_string()))
                    .collect(),
                Some(_) => {
                    errors.push(FieldError::new(
                        "co_departments",
                        "must be a list of up to 20 department codes",
                    ));
                    vec![]
                }
            };
            Command::Dispatch {
                lead,
                co,
                supervision_order: opt(&mut f, &mut errors, "supervision_order", LONG, m),
            }
        }
        A::Assign => Command::Assign {
            handler: req(&mut f, &mut errors, "handler", 64, l),
        },
        A::Respond => Command::Respond {
            content: req(&mut f, &mut errors, "content", LONG, m),
            method: keep(&mut errors, optional_code("method", f.string("method").as_deref())).flatten(),
        },
        A::Assess => {
            let days = f.integer("days_needed");
            if days.is_some_and(|d| !(0..=365).contains(&d)) {
                errors.push(FieldError::new("days_needed", "must be from 0 to 365"));
            }
            Command::Assess {
                facts: req(&mut f, &mut errors, "facts", LONG, m),
                responsibility: opt(&mut f, &mut errors, "responsibility", LONG, m),
                reasonableness: keep(
                    &mut errors,
                    required_code("reasonableness", f.string("reasonableness").as_deref()),
                ),
                direction: opt(&mut f, &mut errors, "direction", LONG, m),
                days_needed: days,
            }
        }
        A::ProposePlan => {
            let fen = f.integer("compensation_fen").unwrap_or(0);
            if !(0..=MAX_COMPENSATION_FEN).contains(&fen) {
                errors.push(FieldError::new(
                    "compensation_fen",
                    format!("must be from 0 to {MAX_COMPENSATION_FEN} fen"),
                ));
            }
            let deadline = f.string("deadline");
            if deadline
                .as_deref()
                .is_some_and(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err())
            {
                errors.push(FieldError::new("deadline", "must be a date YYYY-MM-DD"));
            }
            Command::ProposePlan {
                measures: req(&mut f, &mut errors, "measures", LONG, m),
                responsible: opt(&mut f, &mut errors, "responsible", SHORT, l),
                deadline,
                resources: opt(&mut f, &mut errors, "resources", LONG, m),
                compensation_fen: fen,
                compensation_form: opt(&mut f, &mut errors, "compensation_form", SHORT, l),
            }
        }
        A::ApprovePlan => Command::ApprovePlan {
            comment: opt(&mut f, &mut errors, "comment", LONG, m),
        },
        A::RejectPlan => Command::RejectPlan {
            comment: req(&mut f, &mut errors, "comment", LONG, m),
        },
        A::Reply => {
            let written = match body.get("written") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(b)) => *b,
                Some(_) => {
                    errors.push(FieldError::new("written", "must be true or false"));
                    false
                }
            };
            Command::Reply {
                content: req(&mut f, &mut errors, "content", LONG, m),
                written,
            }
        }
        A::Confirm => Command::Confirm {
            comment: opt(&mut f, &mut errors, "comment", LONG, m),
        },
        A::Object => Command::Object {
            reason: req(&mut f, &mut errors, "reason", LONG, m),
        },
        A::Callback => {
            let satisfaction = keep(
                &mut errors,
                optional_code("satisfaction", f.string("satisfaction").as_deref()),
            )
            .flatten();
            let impossible = opt(&mut f, &mut errors, "impossible_reason", LONG, m);
            if satisfaction.is_none() && impossible.is_none() && !errors.iter().any(|e| e.field == "satisfaction") {
                errors.push(FieldError::new(
                    "satisfaction",
                    "give the satisfaction level, or impossible_reason",
                ));
            }
            Command::Callback {
                satisfaction,
                remarks: opt(&mut f, &mut errors, "remarks", LONG, m),
                impossible_reason: impossible,
            }
        }
        A::Close => Command::Close {
            summary: opt(&mut f, &mut errors, "summary", LONG, m),
        },
        A::Archive => Command::Archive,
        A::Withdraw => Command::Withdraw {
            reason: req(&mut f, &mut errors, "reason", LONG, m),
        },
        A::Reopen => Command::Reopen {
            reason: req(&mut f, &mut errors, "reason", LONG, m),
        },
        A::Escalate => Command::Escalate {
            reason: req(&mut f, &mut errors, "reason", LONG, m),
        },
        A::Merge => Command::Merge {
            into: req(&mut f, &mut errors, "into", 32, l),
        },
        A::Extend => {
            let clock = keep(&mut errors, required_code("clock", f.string("clock").as_deref()));
            let until = match f.string("until") {
                Some(s) => parse_rfc3339(&s).map(|t| t.to_utc()),
                None => None,
            };
            if until.is_none() {
                errors.push(FieldError::new("until", "is required: an RFC 3339 time with offset"));
            }
            Command::Extend {
                clock,
                until,
                reason: req(&mut f, &mut errors, "reason", LONG, m),
            }
        }
        A::Note => Command::Note {
            text: req(&mut f, &mut errors, "text", LONG, m),
        },
        A::LogContact => Command::LogContact {
            method: keep(&mut errors, required_code("method", f.string("method").as_deref())),
            content: req(&mut f, &mut errors, "content", LONG, m),
        },
    };
    let mut all = f.errors;
    all.extend(errors);
    if all.is_empty() {
        Ok((version, cmd))
    } else {
        Err(all)
    }
}

/// Take an action on a complaint. The body carries the complaint's current `version`.
#[utoipa::path(post, path = "/api/v1/complaints/{number}/actions/{action}", tag = "workflow",
    params(("number" = String, Path, description = "Complaint number"),
        ("action" = String, Path, description = "dispatch, assign, respond, assess, propose_plan, approve_plan, reject_plan, reply, confirm, object, callback, close, archive, withdraw, reopen, merge, extend, escalate, note, log_contact")),
    request_body(content = Object, description = "`{\"version\": N, …}` with the action's fields (see docs/workflow.md)"),
    responses((status = 200, description = "The updated complaint", body = ComplaintDoc),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "Illegal in the current state, or stale version", body = Problem),
        (status = 415, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn act(
    State(state): State<AppState>,
    who: Principal,
    Path((number, action)): Path<(String, String)>,
    JsonObject(body): JsonObject,
) -> AppResult<Json<Value>> {
    let action = Action::from_code(&action).ok_or(AppError::NotFound)?;
    let (version, cmd) = parse(action, &body).map_err(AppError::Validation)?;
    Ok(Json(workflow::act(&state, &who, &number, version, cmd).await?))
}

/// Link a related complaint (same building, same defect; R-WF-10).
#[utoipa::path(post, path = "/api/v1/complaints/{number}/links", tag = "workflow",
    params(("number" = String, Path, description = "Complaint number")),
    request_body(content = Object, description = "`{\"number\": \"KS-…\", \"reason\": \"…\"}`"),
    responses((status = 200, description = "The complaint with its `links`", body = ComplaintDoc),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn link(
    State(state): State<AppState>,
    who: Principal,
    Path(number): Path<String>,
    JsonObject(body): JsonObject,
) -> AppResult<Json<Value>> {
    let mut f = Fields::new(&body, "");
    f.reject_unknown(&["number", "reason"]);
    let mut errors = Vec::new();
    let other = req(&mut f, &mut errors, "number", 32, Lines::Single);
    let reason = req(&mut f, &mut errors, "reason", SHORT, Lines::Multi);
    let mut all = f.errors;
    all.extend(errors);
    if !all.is_empty() {
        return Err(AppError::Validation(all));
    }
    Ok(Json(workflow::link(&state, &who, &number, &other, reason).await?))
}

/// The printable written reply (书面答复) with the latest reply; `?lang=en` for English.
#[utoipa::path(get, path = "/api/v1/complaints/{number}/reply-letter", tag = "workflow",
    params(("number" = String, Path, description = "Complaint number"), ("lang" = Option<String>, Query, description = "zh (default) or en")),
    responses((status = 200, description = "An HTML letter ready to print", content_type = "text/html"), (status = 401, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn reply_letter(
    State(state): State<AppState>,
    who: Principal,
    Path(number): Path<String>,
    RawQuery(q): RawQuery,
) -> AppResult<axum::response::Html<String>> {
    let english = super::extract::query_pairs(q.as_deref())
        .iter()
        .any(|(k, v)| k == "lang" && v == "en");
    Ok(axum::response::Html(
        crate::services::letter::render(&state, &who, &number, english).await?,
    ))
}

/// The case file (案宗): the complaint, assessment, plan, timeline and evidence as a PDF (R-WF-9).
#[utoipa::path(get, path = "/api/v1/complaints/{number}/case-file", tag = "workflow",
    params(("number" = String, Path, description = "Complaint number")),
    responses((status = 200, description = "The case file", content_type = "application/pdf"), (status = 401, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn case_file(
    State(state): State<AppState>,
    who: Principal,
    Path(number): Path<String>,
) -> AppResult<axum::response::Response> {
    use axum::http::{header, HeaderValue};
    use axum::response::IntoResponse;
    let pdf = crate::services::casefile::render(&state, &who, &number).await?;
    let mut resp = pdf.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{number}.pdf\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(resp)
}

/// Every event of a complaint, oldest first.
#[utoipa::path(get, path = "/api/v1/complaints/{number}/timeline", tag = "workflow",
    params(("number" = String, Path, description = "Complaint number")),
    responses((status = 200, description = "`{items: [{at, actor, kind, detail}]}`"), (status = 401, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn timeline(
    State(state): State<AppState>,
    who: Principal,
    Path(number): Path<String>,
) -> AppResult<Json<Value>> {
    Ok(Json(workflow::timeline(&state, &who, &number).await?))
}
