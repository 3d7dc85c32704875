//! `/api/v1/projects`: the projects in the caller's scope, with buildings, units and departments.

use super::docs::{Problem, ProjectDoc};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::HashMap;
use store::org::{self, NodeRow};

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/projects", get(list))
        .route("/api/v1/projects/{code}", get(read))
}

fn ancestor<'a>(node: &'a NodeRow, by_id: &HashMap<i64, &'a NodeRow>, kind: &str) -> Option<&'a NodeRow> {
    let mut cur = node.parent_id.and_then(|p| by_id.get(&p).copied());
    while let Some(n) = cur {
        if n.kind == kind {
            return Some(n);
        }
        cur = n.parent_id.and_then(|p| by_id.get(&p).copied());
    }
    None
}

fn summary(p: &NodeRow, by_id: &HashMap<i64, &NodeRow>) -> Value {
    json!({
        "code": p.code,
        "name": p.name,
        "city": ancestor(p, by_id, "city").map(|n| n.name.clone()),
        "region": ancestor(p, by_id, "region").map(|n| n.name.clone()),
    })
}

/// The projects in the caller's scope.
#[utoipa::path(get, path = "/api/v1/projects", tag = "organisation",
    responses((status = 200, description = "`{items: [...]}`", body = Vec<ProjectDoc>), (status = 401, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, who: Principal) -> AppResult<Json<Value>> {
    let mut r = state.store.reader().await?;
    let nodes = org::all_nodes(&mut r.conn()).await?;
    let by_id: HashMap<i64, &NodeRow> = nodes.iter().map(|n| (n.id, n)).collect();
    let mut projects: Vec<&NodeRow> = nodes
        .iter()
        .filter(|n| n.kind == "project" && who.sees_node(&n.path))
        .collect();
    projects.sort_by(|a, b| a.code.cmp(&b.code));
    let items: Vec<Value> = projects.iter().map(|p| summary(p, &by_id)).collect();
    Ok(Json(json!({"items": items})))
}

/// One project with its buildings, units and departments.
#[utoipa::path(get, path = "/api/v1/projects/{code}", tag = "organisation",
    params(("code" = String, Path, description = "Project code")),
    responses((status = 200, description = "The project with `buildings` and `departments`", body = ProjectDoc),
        (status = 401, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn read(State(state): State<AppState>, who: Principal, Path(code): Path<String>) -> AppResult<Json<Value>> {
    let mut r = state.store.reader().await?;
    let mut c = r.conn();
    let project = org::project_by_code(&mut c, &code)
        .await?
        .filter(|p| who.sees_node(&p.path))
        .ok_or(AppError::NotFound)?;
    let nodes = org::all_nodes(&mut c).await?;
    let by_id: HashMap<i64, &NodeRow> = nodes.iter().map(|n| (n.id, n)).collect();
    let mut body = summary(&project, &by_id);
    let buildings = org::buildings_of(&mut c, project.id).await?;
    body["buildings"] = json!(buildings
        .into_iter()
        .map(|(name, units)| json!({"name": name, "units": units}))
        .collect::<Vec<_>>());
    let departments = org::departments_of(&mut c, project.id).await?;
    body["departments"] = json!(departments
        .into_iter()
        .map(|d| json!({"code": d.code, "name": d.name, "name_en": d.name_en}))
        .collect::<Vec<_>>());
    Ok(Json(body))
}
