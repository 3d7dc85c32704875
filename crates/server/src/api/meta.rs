//! `GET /api/v1/meta`: every enumeration's codes with Chinese and English labels, the category
//! taxonomy with default departments, and the grading rules in force.

use crate::auth::Principal;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use domain::codes::Code;
use domain::{
    Channel, ComplainantKind, DeadlineState, Grade, Role, Satisfaction, SlaClock, Stage, State as ComplaintState,
};
use serde_json::{json, Map, Value};

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/meta", get(meta))
}

fn labels<T: Code>() -> Value {
    let mut m = Map::new();
    for v in T::ALL {
        m.insert(v.code().into(), json!(v.label()));
    }
    Value::Object(m)
}

/// Codes and labels.
#[utoipa::path(get, path = "/api/v1/meta", tag = "meta",
    responses((status = 200, description = "`{channel: {hotline: {zh, en}}, …, categories: [...], departments: {...}}`")),
    security(("bearer" = [])))]
pub async fn meta(State(state): State<AppState>, _who: Principal) -> Json<Value> {
    let settings = state.settings();
    let taxonomy = &settings.taxonomy;
    let categories: Vec<Value> = taxonomy
        .categories
        .iter()
        .map(|c| json!({"code": c.code, "parent": c.parent, "zh": c.name_zh, "en": c.name_en, "department": c.department}))
        .collect();
    let departments: Map<String, Value> = domain::org::DEFAULT_DEPARTMENTS
        .iter()
        .map(|(code, label)| (code.to_string(), json!(label)))
        .collect();
    let rules: Vec<Value> = taxonomy
        .rules
        .iter()
        .map(|r| json!({"code": r.code, "kind": r.kind, "label": r.label}))
        .collect();
    Json(json!({
        "channel": labels::<Channel>(),
        "complainant_kind": labels::<ComplainantKind>(),
        "stage": labels::<Stage>(),
        "grade": labels::<Grade>(),
        "state": labels::<ComplaintState>(),
        "deadline_state": labels::<DeadlineState>(),
        "satisfaction": labels::<Satisfaction>(),
        "clock": labels::<SlaClock>(),
        "role": labels::<Role>(),
        "departments": departments,
        "categories": categories,
        "grading_rules": rules,
    }))
}
