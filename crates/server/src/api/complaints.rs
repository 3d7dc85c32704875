//! `/api/v1/complaints`: register, read and list (API.md).

use super::docs::{ComplaintDoc, ComplaintPage, Problem, RegisterBody};
use super::extract::{query_pairs, Fields, JsonObject};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::services::complaints::{self as svc, IdempotencyKey};
use crate::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use chrono::NaiveDate;
use domain::intake::{NewComplaint, RawComplaint};
use domain::time::{day_start_cn, parse_rfc3339, to_millis};
use domain::{Channel, Code, FieldError, Grade, State as ComplaintState};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use store::complaints::ListFilter;
use uuid::Uuid;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/complaints", get(list).post(register))
        .route("/api/v1/complaints/{number}", get(read))
        .route("/api/v1/complaints/{number}/contact/reveal", post(reveal))
}

/// The fields `POST /api/v1/complaints` accepts.
pub const REGISTER_FIELDS: [&str; 16] = [
    "channel",
    "complainant",
    "project_code",
    "building",
    "unit",
    "location",
    "stage",
    "subject",
    "description",
    "demands",
    "received_at",
    "category_code",
    "grade",
    "grade_reason",
    "households",
    "complained_employee",
];
/// The fields of `complainant`.
pub const COMPLAINANT_FIELDS: [&str; 4] = ["name", "phone", "email", "kind"];

/// Reads a registration body into raw fields, reporting wrong types and unknown fields.
pub fn raw_complaint(body: &serde_json::Map<String, Value>) -> Result<RawComplaint, Vec<FieldError>> {
    let mut f = Fields::new(body, "");
    f.reject_unknown(&REGISTER_FIELDS);
    let complainant = f.object("complainant");
    let mut raw = RawComplaint {
        channel: f.string("channel"),
        project_code: f.string("project_code"),
        building: f.string("building"),
        unit: f.string("unit"),
        location: f.string("location"),
        stage: f.string("stage"),
        subject: f.string("subject"),
        description: f.string("description"),
        demands: f.string("demands"),
        received_at: f.string("received_at"),
        category_code: f.string("category_code"),
        grade: f.string("grade"),
        grade_reason: f.string("grade_reason"),
        households: f.integer("households"),
        complained_employee: f.string("complained_employee"),
        ..Default::default()
    };
    let mut errors = f.errors;
    match complainant {
        Some(m) => {
            let mut cf = Fields::new(m, "complainant.");
            cf.reject_unknown(&COMPLAINANT_FIELDS);
            raw.name = cf.string("name");
            raw.phone = cf.string("phone");
            raw.email = cf.string("email");
            raw.kind = cf.string("kind");
            errors.extend(cf.errors);
        }
        None if !errors.iter().any(|e| e.field == "complainant") => {
            errors.push(FieldError::new("complainant", "is required"))
        }
        None => {}
    }
    if errors.is_empty() {
        Ok(raw)
    } else {
        Err(errors)
    }
}

fn idempotency_key(headers: &HeaderMap, body: &serde_json::Map<String, Value>) -> AppResult<Option<IdempotencyKey>> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = v
        .to_str()
        .map_err(|_| AppError::field("Idempotency-Key", "must be visible ASCII"))?
        .trim()
        .to_string();
    if key.is_empty() || key.len() > 128 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::field(
            "Idempotency-Key",
            "must be 1 to 128 visible ASCII characters",
        ));
    }
    let request_hash = Sha256::digest(canonical(&Value::Object(body.clone())).as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(Some(IdempotencyKey { key, request_hash }))
}

/// JSON with every object's keys sorted, so two bodies that differ only in key order are equal.
pub fn canonical(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .iter()
                .map(|k| format!("{}:{}", Value::String((*k).clone()), canonical(&m[k.as_str()])))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(a) => format!("[{}]", a.iter().map(canonical).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

/// Register a complaint.
#[utoipa::path(post, path = "/api/v1/complaints", tag = "complaints", request_body = RegisterBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Up to 128 characters; a retry with the same key and body returns the first response")),
    responses((status = 201, description = "Registered", body = ComplaintDoc),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn register(
    State(state): State<AppState>,
    who: Principal,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> AppResult<Response> {
    let raw = raw_complaint(&body).map_err(AppError::Validation)?;
    let key = idempotency_key(&headers, &body)?;
    let new = NewComplaint::parse(&raw, state.clock.now()).map_err(AppError::Validation)?;
    let done = svc::register(&state, &who, new, key).await?;
    let status = StatusCode::from_u16(done.status).unwrap_or(StatusCode::CREATED);
    let number = done.body["number"].as_str().unwrap_or_default().to_string();
    let mut resp = (status, Json(done.body)).into_response();
    if let Ok(loc) = HeaderValue::from_str(&format!("/api/v1/complaints/{number}")) {
        resp.headers_mut().insert(header::LOCATION, loc);
    }
    if done.replayed {
        resp.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(resp)
}

/// Read one complaint.
#[utoipa::path(get, path = "/api/v1/complaints/{number}", tag = "complaints",
    params(("number" = String, Path, description = "e.g. KS-202611-00042")),
    responses((status = 200, body = ComplaintDoc), (status = 401, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn read(State(state): State<AppState>, who: Principal, Path(number): Path<String>) -> AppResult<Json<Value>> {
    Ok(Json(svc::get(&state, &who, &number).await?))
}

/// The complainant's full name, phone and e-mail (the resource masks them): agents, specialists,
/// supervisors, the responsible department and group customer relations; each call is recorded
/// on the complaint's timeline as `contact_revealed` (R-SEC-2).
#[utoipa::path(post, path = "/api/v1/complaints/{number}/contact/reveal", tag = "complaints",
    params(("number" = String, Path, description = "e.g. KS-202611-00042")),
    responses((status = 200, description = "`{number, name, phone, email}`"), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn reveal(
    State(state): State<AppState>,
    who: Principal,
    Path(number): Path<String>,
) -> AppResult<Json<Value>> {
    Ok(Json(
        crate::services::privacy::reveal_contact(&state, &who, &number).await?,
    ))
}

/// List complaints in the caller's scope, newest received first.
#[utoipa::path(get, path = "/api/v1/complaints", tag = "complaints",
    params(
        ("state" = Option<String>, Query, description = "State codes, comma-separated or repeated"),
        ("grade" = Option<String>, Query, description = "Grade codes"),
        ("category_code" = Option<String>, Query, description = "Category codes; a top-level code includes its children"),
        ("project_code" = Option<String>, Query, description = "Project codes"),
        ("channel" = Option<String>, Query, description = "Channel codes"),
        ("overdue" = Option<bool>, Query, description = "true: only complaints with a breached clock"),
        ("received_from" = Option<String>, Query, description = "YYYY-MM-DD (Asia/Shanghai) or RFC 3339, inclusive"),
        ("received_to" = Option<String>, Query, description = "YYYY-MM-DD (Asia/Shanghai) or RFC 3339, inclusive"),
        ("limit" = Option<i64>, Query, description = "1 to 200, default 50"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
        ("sort" = Option<String>, Query, description = "-received_at (newest first, the default) or received_at"),
        ("q" = Option<String>, Query, description = "Full-text search in Chinese: complaints whose subject, description, demands, replies or notes contain every word"),
        ("archived_year" = Option<i32>, Query, description = "Only complaints archived in this year, Asia/Shanghai (the archive is filed by year)")),
    responses((status = 200, body = ComplaintPage), (status = 401, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, who: Principal, RawQuery(q): RawQuery) -> AppResult<Json<Value>> {
    let filter = parse_list_query(q.as_deref(), state.clock.now())?;
    let (items, next) = svc::list(&state, &who, &filter).await?;
    Ok(Json(
        json!({"items": items, "next_cursor": next.map(|(at, id)| encode_cursor(at, id))}),
    ))
}

/// The opaque cursor of a list position.
pub fn encode_cursor(at: i64, id: Uuid) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("v1:{at}:{id}"))
}

fn decode_cursor(s: &str) -> Option<(i64, Uuid)> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let mut parts = text.splitn(3, ':');
    (parts.next()? == "v1").then_some(())?;
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

fn codes<T: Code>(field: &str, values: &[String], errors: &mut Vec<FieldError>) -> Vec<String> {
    let mut out = Vec::new();
    for v in values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        match T::from_code(v) {
            Some(c) => out.push(c.code().to_string()),
            None => errors.push(FieldError::new(
                field,
                format!("unknown code; expected one of: {}", T::expected()),
            )),
        }
    }
    out
}

fn plain_list(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| v.chars().take(64).collect())
        .collect()
}

/// A date bound: `YYYY-MM-DD` in Asia/Shanghai or an RFC 3339 instant; `end` makes it inclusive.
fn bound(field: &str, v: &str, end: bool) -> Result<i64, FieldError> {
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        let day = if end { d.succ_opt().unwrap_or(d) } else { d };
        return Ok(to_millis(day_start_cn(day)));
    }
    parse_rfc3339(v)
        .map(|t| to_millis(t.to_utc()) + i64::from(end))
        .ok_or_else(|| FieldError::new(field, "must be YYYY-MM-DD or an RFC 3339 time"))
}

/// Parses the query of `GET /api/v1/complaints`; unknown parameters and bad values are 422.
pub fn parse_list_query(raw: Option<&str>, now: chrono::DateTime<chrono::Utc>) -> AppResult<ListFilter> {
    let pairs = query_pairs(raw);
    let mut errors = Vec::new();
    let all = |k: &str| {
        pairs
            .iter()
            .filter(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
    };
    let one = |k: &str| {
        pairs
            .iter()
            .rev()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_string())
    };
    const KNOWN: [&str; 13] = [
        "sort",
        "archived_year",
        "state",
        "grade",
        "category_code",
        "project_code",
        "channel",
        "overdue",
        "received_from",
        "received_to",
        "limit",
        "cursor",
        "q",
    ];
    for (k, _) in &pairs {
        if !KNOWN.contains(&k.as_str()) {
            errors.push(FieldError::new(
                k.chars().take(40).collect::<String>(),
                "is not a known parameter",
            ));
        }
    }
    let mut f = ListFilter {
        states: codes::<ComplaintState>("state", &all("state"), &mut errors),
        grades: codes::<Grade>("grade", &all("grade"), &mut errors),
        channels: codes::<Channel>("channel", &all("channel"), &mut errors),
        categories: plain_list(&all("category_code")),
        projects: plain_list(&all("project_code")),
        limit: 50,
        ..Default::default()
    };
    match one("sort").as_deref() {
        None | Some("") | Some("-received_at") => {}
        Some("received_at") => f.oldest_first = true,
        Some(_) => errors.push(FieldError::new("sort", "must be received_at or -received_at")),
    }
    match one("overdue").as_deref() {
        None | Some("") | Some("false") => {}
        Some("true") => f.overdue_at = Some(to_millis(now)),
        Some(_) => errors.push(FieldError::new("overdue", "must be true or false")),
    }
    if let Some(v) = one("received_from").filter(|v| !v.is_empty()) {
        f.received_from = bound("received_from", &v, false).map_err(|e| errors.push(e)).ok();
    }
    if let Some(v) = one("received_to").filter(|v| !v.is_empty()) {
        f.received_before = bound("received_to", &v, true).map_err(|e| errors.push(e)).ok();
    }
    if let Some(v) = one("archived_year").filter(|v| !v.is_empty()) {
        match v.parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)) {
            Some(y) => {
                let start = |y| NaiveDate::from_ymd_opt(y, 1, 1).map(|d| to_millis(day_start_cn(d)));
                f.archived_from = start(y);
                f.archived_before = start(y + 1);
            }
            None => errors.push(FieldError::new("archived_year", "must be a year from 2000 to 2100")),
        }
    }
    if let Some(v) = one("limit") {
        match v.parse::<i64>() {
            Ok(n) if (1..=200).contains(&n) => f.limit = n,
            _ => errors.push(FieldError::new("limit", "must be an integer from 1 to 200")),
        }
    }
    if let Some(v) = one("cursor").filter(|v| !v.is_empty()) {
        match decode_cursor(&v) {
            Some(c) => f.after = Some(c),
            None => errors.push(FieldError::new("cursor", "is not a cursor this server issued")),
        }
    }
    // Full-text search (R-AN-1): the query's words, segmented as the index was.
    if let Some(q) = one("q").filter(|q| !q.is_empty()) {
        if q.chars().count() > 200 {
            errors.push(FieldError::new("q", "must be at most 200 characters"));
        } else {
            f.words = domain::search::query_words(&q);
            if f.words.is_empty() {
                errors.push(FieldError::new("q", "has no words to search for"));
            }
        }
    }
    if let (Some(a), Some(b)) = (f.received_from, f.received_before) {
        if a >= b {
            errors.push(FieldError::new("received_to", "must not be before received_from"));
        }
    }
    if errors.is_empty() {
        Ok(f)
    } else {
        Err(AppError::Validation(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn canonical_json_ignores_key_order() {
        let a: Value = serde_json::from_str(r#"{"b":1,"a":{"y":[1,{"q":2,"p":3}],"x":"漏水"}}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"a":{"x":"漏水","y":[1,{"p":3,"q":2}]},"b":1}"#).unwrap();
        assert_eq!(canonical(&a), canonical(&b));
        let c: Value = serde_json::from_str(r#"{"a":{"x":"漏水","y":[{"p":3,"q":2},1]},"b":1}"#).unwrap();
        assert_ne!(canonical(&a), canonical(&c), "array order matters");
    }

    #[test]
    fn cursors_round_trip_and_junk_is_refused() {
        let id = Uuid::now_v7();
        assert_eq!(decode_cursor(&encode_cursor(42, id)), Some((42, id)));
        assert_eq!(decode_cursor("bm9wZQ"), None);
        assert_eq!(decode_cursor("%%%"), None);
    }

    #[test]
    fn list_query() {
        let now = chrono::Utc.with_ymd_and_hms(2026, 11, 22, 2, 0, 0).unwrap();
        let f = parse_list_query(
            Some("state=registered,dispatched&grade=urgent&limit=10&received_from=2026-11-01&received_to=2026-11-30"),
            now,
        )
        .unwrap();
        assert_eq!(f.states, ["registered", "dispatched"]);
        assert_eq!(f.limit, 10);
        assert_eq!(
            f.received_from,
            Some(to_millis(day_start_cn(NaiveDate::from_ymd_opt(2026, 11, 1).unwrap())))
        );
        assert_eq!(
            f.received_before,
            Some(to_millis(day_start_cn(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap())))
        );
        for bad in [
            "state=nope",
            "limit=0",
            "limit=201",
            "limit=x",
            "overdue=maybe",
            "cursor=zzz",
            "stat=registered",
            "received_from=2026-13-01",
        ] {
            assert!(parse_list_query(Some(bad), now).is_err(), "{bad}");
        }
    }
}
