//! `/api/v1/admin/robots`: WeCom, DingTalk and Feishu group robots per department (R-NT-1).

use super::docs::Problem;
use super::extract::{Fields, JsonObject};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::services::robots::KINDS;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::routing::{delete, get};
use axum::{Json, Router};
use domain::access::Permission;
use domain::FieldError;
use futures::FutureExt;
use serde_json::{json, Value};

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/robots", get(list).post(add))
        .route("/api/v1/admin/robots/{id}", delete(remove))
}

/// Every robot (administrators).
#[utoipa::path(get, path = "/api/v1/admin/robots", tag = "notifications",
    responses((status = 200, description = "`{items: [{id, department_id, kind, url}]}`"), (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, who: Principal) -> AppResult<Json<Value>> {
    who.require(Permission::Administer)?;
    let mut r = state.store.reader().await?;
    let items: Vec<Value> = store::robots::all(&mut r.conn())
        .await?
        .into_iter()
        .map(|b| json!({"id": b.id, "department_id": b.department_id, "kind": b.kind, "url": b.url}))
        .collect();
    Ok(Json(json!({"items": items})))
}

/// Attach a robot to a project's department (administrators).
#[utoipa::path(post, path = "/api/v1/admin/robots", tag = "notifications",
    request_body(content = Object, description = "`{\"project_code\": \"GZ-001\", \"department\": \"engineering\", \"kind\": \"wecom|dingtalk|feishu\", \"url\": \"https://…\"}`"),
    responses((status = 201, description = "`{id}`"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn add(
    State(state): State<AppState>,
    who: Principal,
    JsonObject(body): JsonObject,
) -> AppResult<(axum::http::StatusCode, Json<Value>)> {
    who.require(Permission::Administer)?;
    let mut f = Fields::new(&body, "");
    f.reject_unknown(&["project_code", "department", "kind", "url"]);
    let (project, department, kind, url) = (
        f.string("project_code"),
        f.string("department"),
        f.string("kind"),
        f.string("url"),
    );
    let mut errors = f.errors;
    if !kind.as_deref().is_some_and(|k| KINDS.contains(&k)) {
        errors.push(FieldError::new("kind", "must be wecom, dingtalk or feishu"));
    }
    let url_ok = url.as_deref().is_some_and(|u| {
        (u.starts_with("https://") || u.starts_with("http://")) && u.len() <= 500 && !u.chars().any(char::is_whitespace)
    });
    if !url_ok {
        errors.push(FieldError::new(
            "url",
            "must be an http(s) URL of at most 500 characters",
        ));
    }
    let department_id = {
        let mut r = state.store.reader().await?;
        let mut c = r.conn();
        match store::org::project_by_code(&mut c, project.as_deref().unwrap_or_default()).await? {
            Some(p) => store::org::departments_of(&mut c, p.id)
                .await?
                .into_iter()
                .find(|d| Some(d.code.as_str()) == department.as_deref())
                .map(|d| d.id),
            None => {
                errors.push(FieldError::new("project_code", "unknown project"));
                None
            }
        }
    };
    if department_id.is_none() && !errors.iter().any(|e| e.field == "project_code") {
        errors.push(FieldError::new("department", "unknown department of this project"));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (dept, kind, url, now) = (
        department_id.expect("checked"),
        kind.expect("checked"),
        url.expect("checked"),
        domain::time::to_millis(state.clock.now()),
    );
    let id = state
        .store
        .write(move |c| async move { Ok::<_, AppError>(store::robots::add(c, dept, &kind, &url, now).await?) }.boxed())
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(json!({"id": id}))))
}

/// Remove a robot (administrators).
#[utoipa::path(delete, path = "/api/v1/admin/robots/{id}", tag = "notifications",
    params(("id" = i64, Path, description = "Robot id")),
    responses((status = 200, description = "Removed"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn remove(State(state): State<AppState>, who: Principal, Path(id): Path<String>) -> AppResult<Json<Value>> {
    who.require(Permission::Administer)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let found = state
        .store
        .write(move |c| async move { Ok::<_, AppError>(store::robots::remove(c, id).await?) }.boxed())
        .await?;
    if !found {
        return Err(AppError::NotFound);
    }
    Ok(Json(json!({"id": id, "removed": true})))
}
