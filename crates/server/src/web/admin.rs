//! Administration pages: the org tree, users and roles, the category taxonomy with default
//! departments (read here, imported in bulk later), and forms for clock policies, the working
//! calendar of each year, business hours, failed deliveries; and every user's own notice channels.

use super::i18n::Lang;
use super::session::WebUser;
use super::{checked, error_page, render, see_other, FieldErrors, FormData, Layout};
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use domain::access::Permission;
use domain::{Code, NoticeLevel, Role};
use serde_json::{json, Value};
use std::collections::HashMap;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(index))
        .route("/admin/calendar/{year}", get(calendar).post(save_calendar))
        .route("/admin/hours", post(save_hours))
        .route("/admin/clocks", post(save_clocks))
        .route("/admin/deliveries/{id}/retry", post(retry))
        .route("/admin/users", post(create_user))
        .route("/admin/grants", post(add_grant))
        .route("/me", get(me).post(save_me))
        .route("/me/tokens/{id}/revoke", post(revoke_token))
        .route(
            "/admin/import",
            post(import_file).layer(axum::extract::DefaultBodyLimit::max(
                crate::api::attachments::MAX_REQUEST_BYTES,
            )),
        )
}

/// A node of the org tree, indented by depth.
pub struct NodeView {
    /// Depth (0 for the group).
    pub depth: usize,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind label.
    pub kind: String,
    /// Its departments' names.
    pub departments: String,
    /// Group robots of its departments: (department, platform, host of the webhook).
    pub robots: Vec<(String, String, String)>,
}

/// A user with their roles.
pub struct UserView {
    /// Login.
    pub username: String,
    /// Name.
    pub name: String,
    /// Roles at nodes, in words.
    pub roles: String,
}

/// A failed delivery.
pub struct DeliveryView {
    /// Id.
    pub id: i64,
    /// Channel.
    pub channel: String,
    /// Kind.
    pub kind: String,
    /// Attempts made.
    pub attempts: i32,
    /// The last error.
    pub error: String,
}

#[derive(askama::Template)]
#[template(path = "web/admin.html")]
struct AdminPage {
    l: Layout,
    nodes: Vec<NodeView>,
    users: Vec<UserView>,
    categories: Vec<(String, String, String)>,
    hours: String,
    clocks: String,
    years: Vec<i32>,
    deliveries: Vec<DeliveryView>,
    roles: Vec<(String, String)>,
    errors: FieldErrors,
    saved: bool,
    /// The last import's outcome: a summary line and its bad rows (row, column, message).
    import: Option<(String, Vec<(usize, String, String)>)>,
}

fn kind_label(kind: &str, lang: Lang) -> &'static str {
    let (zh, en) = match kind {
        "group" => ("集团", "Group"),
        "region" => ("区域", "Region"),
        "city" => ("城市公司", "City company"),
        "project" => ("项目", "Project"),
        _ => ("物业公司", "Property company"),
    };
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

fn admin(u: &WebUser) -> Result<(), AppError> {
    u.principal.require(Permission::Administer)
}

fn hours_text(v: &Value) -> String {
    v["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| {
            format!(
                "{} {} {}",
                n["node"].as_str().unwrap_or_default(),
                n["open"].as_str().unwrap_or_default(),
                n["close"].as_str().unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

async fn build(
    state: &AppState,
    u: &WebUser,
    errors: FieldErrors,
    hours: Option<String>,
    clocks: Option<String>,
) -> Result<AdminPage, AppError> {
    admin(u)?;
    let lang = u.lang;
    let mut r = state.store.reader().await?;
    let mut c = r.conn();
    let robots = store::robots::all(&mut c).await?;
    let mut nodes = Vec::new();
    for n in store::org::all_nodes(&mut c).await? {
        let departments = store::org::departments_of(&mut c, n.id).await?;
        let name_of = |d: &store::org::DepartmentRow| match lang {
            Lang::Zh => d.name.clone(),
            Lang::En => d.name_en.clone().unwrap_or_else(|| d.name.clone()),
        };
        nodes.push(NodeView {
            depth: n.path.matches('/').count().saturating_sub(2),
            kind: kind_label(&n.kind, lang).to_string(),
            departments: departments.iter().map(name_of).collect::<Vec<_>>().join("、"),
            robots: robots
                .iter()
                .filter_map(|r| {
                    let d = departments.iter().find(|d| d.id == r.department_id)?;
                    // Only the host: the webhook's path holds its secret.
                    let host = url::Url::parse(&r.url).ok()?.host_str()?.to_string();
                    Some((name_of(d), r.kind.clone(), host))
                })
                .collect(),
            code: n.code,
            name: n.name,
        });
    }
    let mut users = Vec::new();
    for (id, username, name) in store::users::all(&mut c).await? {
        let roles = store::users::grants_of(&mut c, id)
            .await?
            .iter()
            .map(|g| {
                let role = lang.code_label::<Role>(&g.role);
                match &g.department_code {
                    Some(d) => format!("{role} ({d}) {}", g.org_path),
                    None => format!("{role} {}", g.org_path),
                }
            })
            .collect::<Vec<_>>()
            .join("；");
        users.push(UserView { username, name, roles });
    }
    let settings = state.settings();
    let categories = settings
        .taxonomy
        .categories
        .iter()
        .map(|c| {
            (
                c.code.clone(),
                match lang {
                    Lang::Zh => c.name_zh.clone(),
                    Lang::En => c.name_en.clone(),
                },
                c.department.clone(),
            )
        })
        .collect();
    let hours = match hours {
        Some(h) => h,
        None => hours_text(&crate::services::hours::get(state).await?),
    };
    let clocks = clocks.unwrap_or_else(|| {
        serde_json::to_string_pretty(
            &json!({"overrides": settings.clock_overrides.iter().map(|o| o.to_json()).collect::<Vec<_>>()}),
        )
        .unwrap_or_default()
    });
    let deliveries = store::outbox::deliveries(&mut c, "failed", 50)
        .await?
        .into_iter()
        .map(|d| DeliveryView {
            id: d.id,
            channel: d.channel,
            kind: d.kind,
            attempts: d.attempts,
            error: d.last_error.unwrap_or_default(),
        })
        .collect();
    Ok(AdminPage {
        l: Layout::new(u, "admin", lang.t("nav.admin")),
        nodes,
        users,
        categories,
        hours,
        clocks,
        years: {
            use chrono::Datelike;
            (2024..=domain::time::date_cn(state.clock.now()).year() + 1).collect()
        },
        deliveries,
        roles: Role::ALL
            .iter()
            .map(|r| (r.code().to_string(), lang.label(*r).to_string()))
            .collect(),
        errors,
        saved: false,
        import: None,
    })
}

/// Imports an uploaded CSV or xlsx file (R-OP-6) and shows the report on the page.
async fn import_file(State(state): State<AppState>, u: WebUser, req: axum::extract::Request) -> Response {
    let lang = u.lang;
    if let Err(e) = admin(&u) {
        return error_page(lang, &e);
    }
    let (form, files) = match super::complaint::read_multipart(&state, req).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, &e),
    };
    if !u.csrf_ok(form.get("_csrf")) {
        return error_page(lang, &AppError::Forbidden("csrf".into()));
    }
    let Some(kind) = domain::import::Kind::from_code(&form.value("kind")) else {
        return error_page(lang, &AppError::field("kind", "org, users, units or complaints"));
    };
    let Some(file) = files.first() else {
        return error_page(lang, &AppError::field("file", "choose a CSV or xlsx file"));
    };
    let dry_run = form.get("dry_run").is_some();
    let report = match crate::services::import::run(&state, &u.principal, kind, &file.bytes, dry_run).await {
        Ok(r) => r,
        Err(e) => return error_page(lang, &e),
    };
    let summary = match (lang, report.ok()) {
        (Lang::Zh, true) => format!(
            "{}：共 {} 行，导入 {} 行，已存在 {} 行{}",
            kind.code(),
            report.rows,
            report.imported,
            report.unchanged,
            if dry_run { "（仅检查，未保存）" } else { "" }
        ),
        (Lang::En, true) => format!(
            "{}: {} rows, {} imported, {} already there{}",
            kind.code(),
            report.rows,
            report.imported,
            report.unchanged,
            if dry_run { " (checked only, nothing stored)" } else { "" }
        ),
        (Lang::Zh, false) => format!(
            "{}：{} 处错误，未导入任何数据。请修改下列行后重新导入。",
            kind.code(),
            report.errors.len()
        ),
        (Lang::En, false) => format!(
            "{}: {} problems; nothing was imported. Fix the rows below and import again.",
            kind.code(),
            report.errors.len()
        ),
    };
    let rows = report
        .errors
        .iter()
        .map(|e| (e.row, e.column.clone(), e.message.clone()))
        .collect();
    match build(&state, &u, FieldErrors::default(), None, None).await {
        Ok(mut p) => {
            p.import = Some((summary, rows));
            let status = if report.ok() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            render(status, &p)
        }
        Err(e) => error_page(lang, &e),
    }
}

async fn index(State(state): State<AppState>, u: WebUser, Query(q): Query<HashMap<String, String>>) -> Response {
    match build(&state, &u, FieldErrors::default(), None, None).await {
        Ok(mut p) => {
            p.saved = q.contains_key("saved");
            render(StatusCode::OK, &p)
        }
        Err(e) => error_page(u.lang, &e),
    }
}

async fn save_hours(State(state): State<AppState>, u: WebUser, body: axum::body::Bytes) -> Response {
    let f = match checked(&u, &body) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let text = f.value("hours");
    let nodes: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let p: Vec<&str> = l.split_whitespace().collect();
            json!({"node": p.first(), "open": p.get(1), "close": p.get(2)})
        })
        .collect();
    match crate::services::hours::put(&state, &u.principal, json!({"nodes": nodes})).await {
        Ok(_) => see_other("/admin?saved=1#hours"),
        Err(AppError::Validation(e)) => match build(&state, &u, FieldErrors::from(&e), Some(text), None).await {
            Ok(p) => render(StatusCode::UNPROCESSABLE_ENTITY, &p),
            Err(e) => error_page(u.lang, &e),
        },
        Err(e) => error_page(u.lang, &e),
    }
}

async fn save_clocks(State(state): State<AppState>, u: WebUser, body: axum::body::Bytes) -> Response {
    let f = match checked(&u, &body) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let text = f.value("clocks");
    let outcome = match serde_json::from_str::<Value>(&text) {
        Ok(v) => crate::services::settings::set_clock_overrides(&state, &u.principal, v).await,
        Err(e) => Err(AppError::field("overrides", format!("is not valid JSON: {e}"))),
    };
    match outcome {
        Ok(_) => see_other("/admin?saved=1#clocks"),
        Err(AppError::Validation(e)) => match build(&state, &u, FieldErrors::from(&e), None, Some(text)).await {
            Ok(p) => render(StatusCode::UNPROCESSABLE_ENTITY, &p),
            Err(e) => error_page(u.lang, &e),
        },
        Err(e) => error_page(u.lang, &e),
    }
}

fn new_grant(f: &FormData) -> crate::services::users::NewGrant {
    crate::services::users::NewGrant {
        role: f.value("role").trim().to_string(),
        node: f.value("node").trim().to_string(),
        department: f.get("department").map(str::to_string),
    }
}

async fn after_user_change(state: &AppState, u: &WebUser, outcome: Result<(), AppError>) -> Response {
    match outcome {
        Ok(()) => see_other("/admin?saved=1#users"),
        Err(AppError::Validation(e)) => match build(state, u, FieldErrors::from(&e), None, None).await {
            Ok(p) => render(StatusCode::UNPROCESSABLE_ENTITY, &p),
            Err(e) => error_page(u.lang, &e),
        },
        Err(e) => error_page(u.lang, &e),
    }
}

async fn create_user(State(state): State<AppState>, u: WebUser, body: axum::body::Bytes) -> Response {
    let f = match checked(&u, &body) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let new = crate::services::users::NewUser {
        username: f.value("username").trim().to_string(),
        display_name: f.value("display_name"),
        password: f.value("password"),
        grant: new_grant(&f),
    };
    let outcome = crate::services::users::create(&state, &u.principal, new).await;
    after_user_change(&state, &u, outcome).await
}

async fn add_grant(State(state): State<AppState>, u: WebUser, body: axum::body::Bytes) -> Response {
    let f = match checked(&u, &body) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let outcome = crate::services::users::grant(&state, &u.principal, f.value("username").trim(), new_grant(&f)).await;
    after_user_change(&state, &u, outcome).await
}

async fn retry(State(state): State<AppState>, u: WebUser, Path(id): Path<i64>, body: axum::body::Bytes) -> Response {
    if let Err(r) = checked(&u, &body) {
        return *r;
    }
    if let Err(e) = admin(&u) {
        return error_page(u.lang, &e);
    }
    let now = domain::time::to_millis(state.clock.now());
    match state
        .store
        .write(move |c| Box::pin(async move { Ok::<_, AppError>(store::outbox::retry(c, id, now).await?) }))
        .await
    {
        Ok(_) => see_other("/admin?saved=1#deliveries"),
        Err(e) => error_page(u.lang, &e),
    }
}

#[derive(askama::Template)]
#[template(path = "web/calendar.html")]
struct CalendarPage {
    l: Layout,
    year: i32,
    holidays: String,
    makeup: String,
    errors: FieldErrors,
}

async fn calendar(State(state): State<AppState>, u: WebUser, Path(year): Path<i32>) -> Response {
    if let Err(e) = admin(&u) {
        return error_page(u.lang, &e);
    }
    let v = match crate::services::calendar::get(&state, year).await {
        Ok(v) => v,
        Err(AppError::NotFound) => json!({"holidays": [], "makeup_workdays": []}),
        Err(e) => return error_page(u.lang, &e),
    };
    let lines = |k: &str| {
        v[k].as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("\n")
    };
    render(
        StatusCode::OK,
        &CalendarPage {
            l: Layout::new(&u, "admin", u.lang.t("a.calendar")),
            year,
            holidays: lines("holidays"),
            makeup: lines("makeup_workdays"),
            errors: FieldErrors::default(),
        },
    )
}

async fn save_calendar(
    State(state): State<AppState>,
    u: WebUser,
    Path(year): Path<i32>,
    body: axum::body::Bytes,
) -> Response {
    let f = match checked(&u, &body) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let list = |k: &str| -> Vec<String> {
        f.value(k)
            .split(|c: char| c.is_whitespace() || c == ',' || c == '，')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    let body = json!({"year": year, "holidays": list("holidays"), "makeup_workdays": list("makeup")});
    match crate::services::calendar::put(&state, &u.principal, year, body).await {
        Ok(_) => see_other("/admin?saved=1#calendar"),
        Err(AppError::Validation(e)) => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &CalendarPage {
                l: Layout::new(&u, "admin", u.lang.t("a.calendar")),
                year,
                holidays: f.value("holidays"),
                makeup: f.value("makeup"),
                errors: FieldErrors::from(&e),
            },
        ),
        Err(e) => error_page(u.lang, &e),
    }
}

#[derive(askama::Template)]
#[template(path = "web/me.html")]
struct MePage {
    l: Layout,
    f: FormData,
    levels: Vec<(String, String)>,
    errors: FieldErrors,
    saved: bool,
    /// My API tokens and sessions: id, kind, issued, expires, revoked (R-SEC-1).
    tokens: Vec<(i64, String, String, String, String)>,
}

/// The caller's tokens and sessions as shown on /me, times to the minute in Shanghai.
async fn my_tokens(state: &AppState, u: &WebUser) -> Vec<(i64, String, String, String, String)> {
    let list = crate::services::auth::list_tokens(state, &u.principal, None)
        .await
        .unwrap_or_default();
    let t = |v: &Value| v.as_str().map(super::list::local).unwrap_or_default();
    list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|x| {
            let kind = match (x["kind"].as_str(), u.lang) {
                (Some("session"), Lang::Zh) => "网页登录",
                (Some("session"), Lang::En) => "Web session",
                (_, Lang::Zh) => "API 令牌",
                (_, Lang::En) => "API token",
            };
            (
                x["id"].as_i64().unwrap_or(0),
                kind.to_string(),
                t(&x["created_at"]),
                t(&x["expires_at"]),
                t(&x["revoked_at"]),
            )
        })
        .collect()
}

/// Revokes one of my tokens or sessions from /me.
async fn revoke_token(
    State(state): State<AppState>,
    u: WebUser,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    if let Err(r) = checked(&u, &body) {
        return *r;
    }
    let Ok(id) = id.parse::<i64>() else {
        return error_page(u.lang, &AppError::NotFound);
    };
    match crate::services::auth::revoke_id(&state, &u.principal, None, id).await {
        Ok(()) => see_other("/me?saved=1#tokens"),
        Err(e) => error_page(u.lang, &e),
    }
}

fn me_form(v: &Value) -> FormData {
    FormData(vec![
        ("email".into(), v["email"].as_str().unwrap_or_default().into()),
        ("phone".into(), v["phone"].as_str().unwrap_or_default().into()),
        (
            "notify_email".into(),
            v["notifications"]["email"].as_str().unwrap_or("off").into(),
        ),
        (
            "notify_sms".into(),
            v["notifications"]["sms"].as_str().unwrap_or("off").into(),
        ),
        ("locale".into(), v["locale"].as_str().unwrap_or("zh").into()),
    ])
}

fn levels(lang: Lang) -> Vec<(String, String)> {
    NoticeLevel::ALL
        .iter()
        .map(|l| (l.code().to_string(), lang.label(*l).to_string()))
        .collect()
}

async fn me(State(state): State<AppState>, u: WebUser, Query(q): Query<HashMap<String, String>>) -> Response {
    match crate::services::me::get(&state, &u.principal).await {
        Ok(v) => render(
            StatusCode::OK,
            &MePage {
                l: Layout::new(&u, "", u.lang.t("a.my_channels")),
                f: me_form(&v),
                levels: levels(u.lang),
                errors: FieldErrors::default(),
                saved: q.contains_key("saved"),
                tokens: my_tokens(&state, &u).await,
            },
        ),
        Err(e) => error_page(u.lang, &e),
    }
}

async fn save_me(State(state): State<AppState>, u: WebUser, body: axum::body::Bytes) -> Response {
    let f = match checked(&u, &body) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let opt = |k: &str| f.get(k).map_or(Value::Null, |v| json!(v));
    let patch = json!({
        "email": opt("email"),
        "phone": opt("phone"),
        "notifications": {"email": f.get("notify_email").unwrap_or("off"), "sms": f.get("notify_sms").unwrap_or("off")},
        "locale": f.get("locale").unwrap_or("zh"),
    });
    match crate::services::me::patch(&state, &u.principal, patch).await {
        Ok(_) => see_other("/me?saved=1"),
        Err(AppError::Validation(e)) => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &MePage {
                l: Layout::new(&u, "", u.lang.t("a.my_channels")),
                f,
                levels: levels(u.lang),
                errors: FieldErrors::from(&e),
                saved: false,
                tokens: my_tokens(&state, &u).await,
            },
        ),
        Err(e) => error_page(u.lang, &e),
    }
}
