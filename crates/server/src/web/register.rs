//! The registration form for agents (R-IN-1…4): project → building → unit pickers, channel,
//! complainant lookup by phone with their history and open complaints from the same unit shown
//! as possible duplicates, grade and category by the rules or chosen with a reason, photos.

use super::complaint::read_multipart;
use super::i18n::Lang;
use super::list::{project_choices, Choice, Row};
use super::session::WebUser;
use super::{error_page, render, see_other, FieldErrors, FormData, Layout};
use crate::error::AppError;
use crate::services::complaints as svc;
use crate::state::AppState;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use axum::Router;
use domain::intake::NewComplaint;
use domain::{Channel, Code, ComplainantKind, Grade, Stage};
use serde_json::{json, Map, Value};
use store::complaints::ListFilter;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/complaints/new",
            get(form).post(submit).layer(axum::extract::DefaultBodyLimit::max(
                crate::api::attachments::MAX_REQUEST_BYTES,
            )),
        )
        .route("/units/{project}", get(units))
}

#[derive(askama::Template)]
#[template(path = "web/register.html")]
struct RegisterPage {
    l: Layout,
    f: FormData,
    errors: FieldErrors,
    channels: Vec<Choice>,
    kinds: Vec<Choice>,
    stages: Vec<Choice>,
    grades: Vec<Choice>,
    categories: Vec<Choice>,
    projects: Vec<Choice>,
    buildings: Vec<(String, Vec<String>)>,
    looked_up: bool,
    history: Vec<Row>,
    duplicates: Vec<Row>,
}

fn choices<C: Code>(lang: Lang, picked: Option<&str>, optional: bool) -> Vec<Choice> {
    let mut v = Vec::new();
    if optional {
        v.push(Choice {
            code: String::new(),
            label: lang.t("f.auto").to_string(),
            on: picked.is_none(),
        });
    }
    v.extend(C::ALL.iter().map(|c| Choice {
        code: c.code().to_string(),
        label: lang.label(*c).to_string(),
        on: picked == Some(c.code()),
    }));
    v
}

async fn page(
    state: &AppState,
    u: &WebUser,
    f: FormData,
    errors: FieldErrors,
    lookup: bool,
) -> Result<RegisterPage, AppError> {
    let lang = u.lang;
    let projects = project_choices(state, u, &f.all("project_code")).await?;
    let project = f.get("project_code").map(str::to_string);
    let buildings = match &project {
        Some(code) => {
            let mut r = state.store.reader().await?;
            let mut c = r.conn();
            match store::org::project_by_code(&mut c, code).await? {
                Some(p) if u.principal.sees_node(&p.path) => store::org::buildings_of(&mut c, p.id).await?,
                _ => vec![],
            }
        }
        None => vec![],
    };
    let now = state.clock.now();
    let (mut history, mut duplicates) = (vec![], vec![]);
    if lookup {
        if let Some(phone) = f
            .get("phone")
            .and_then(|p| domain::contact::Phone::parse("phone", p).ok())
        {
            let filter = ListFilter {
                phone: Some(phone.as_str().to_string()),
                viewer: Some(u.principal.user_id),
                limit: 20,
                ..Default::default()
            };
            let (items, _) = svc::list(state, &u.principal, &filter).await?;
            history = items.iter().map(|c| Row::from_json(c, lang, now)).collect();
        }
        if let (Some(p), Some(b), Some(unit)) = (f.get("project_code"), f.get("building"), f.get("unit")) {
            let filter = ListFilter {
                projects: vec![p.to_string()],
                unit: Some((b.to_string(), unit.to_string())),
                states: domain::State::ALL
                    .iter()
                    .filter(|s| s.is_open())
                    .map(|s| s.code().to_string())
                    .collect(),
                viewer: Some(u.principal.user_id),
                limit: 20,
                ..Default::default()
            };
            let (items, _) = svc::list(state, &u.principal, &filter).await?;
            duplicates = items.iter().map(|c| Row::from_json(c, lang, now)).collect();
        }
    }
    let settings = state.settings();
    let picked_category = f.get("category_code");
    let mut categories = vec![Choice {
        code: String::new(),
        label: lang.t("f.auto").to_string(),
        on: picked_category.is_none(),
    }];
    categories.extend(settings.taxonomy.categories.iter().map(|c| Choice {
        code: c.code.clone(),
        label: format!(
            "{}{}",
            if c.parent.is_some() { "　" } else { "" },
            match lang {
                Lang::Zh => &c.name_zh,
                Lang::En => &c.name_en,
            }
        ),
        on: picked_category == Some(c.code.as_str()),
    }));
    Ok(RegisterPage {
        l: Layout::new(u, "register", lang.t("r.title")),
        channels: choices::<Channel>(lang, f.get("channel").or(Some("hotline")), false),
        kinds: choices::<ComplainantKind>(lang, f.get("kind").or(Some("owner")), false),
        stages: choices::<Stage>(lang, f.get("stage"), true),
        grades: choices::<Grade>(lang, f.get("grade"), true),
        categories,
        projects,
        buildings,
        looked_up: lookup,
        history,
        duplicates,
        f,
        errors,
    })
}

async fn form(State(state): State<AppState>, u: WebUser) -> Response {
    if let Err(e) = u.principal.require(domain::access::Permission::RegisterComplaint) {
        return error_page(u.lang, &e);
    }
    let now = domain::time::rfc3339_cn(state.clock.now());
    let f = FormData(vec![(
        "received_at".into(),
        now.get(..16).unwrap_or_default().to_string(),
    )]);
    match page(&state, &u, f, FieldErrors::default(), false).await {
        Ok(p) => render(StatusCode::OK, &p),
        Err(e) => error_page(u.lang, &e),
    }
}

/// The form as the API's registration body.
fn to_body(f: &FormData) -> Map<String, Value> {
    let mut m = Map::new();
    for k in [
        "channel",
        "project_code",
        "building",
        "unit",
        "location",
        "stage",
        "subject",
        "description",
        "demands",
        "grade",
        "category_code",
        "grade_reason",
    ] {
        if let Some(v) = f.get(k) {
            m.insert(k.into(), json!(v));
        }
    }
    if let Some(h) = f.get("households") {
        m.insert(
            "households".into(),
            h.parse::<i64>().map(Value::from).unwrap_or_else(|_| json!(h)),
        );
    }
    if let Some(t) = f.get("received_at") {
        // The browser's local date and time, in Asia/Shanghai.
        let t = if t.len() == 16 {
            format!("{t}:00+08:00")
        } else {
            t.to_string()
        };
        m.insert("received_at".into(), json!(t));
    }
    let mut who = Map::new();
    for k in ["name", "phone", "email", "kind"] {
        if let Some(v) = f.get(k) {
            who.insert(k.into(), json!(v));
        }
    }
    m.insert("complainant".into(), Value::Object(who));
    m
}

async fn submit(State(state): State<AppState>, u: WebUser, req: Request) -> Response {
    let lang = u.lang;
    let (f, files) = match read_multipart(&state, req).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, &e),
    };
    if !u.csrf_ok(f.get("_csrf")) {
        return error_page(lang, &AppError::Forbidden("csrf".into()));
    }
    let lookup = f.get("lookup").is_some();
    if lookup {
        return match page(&state, &u, f, FieldErrors::default(), true).await {
            Ok(p) => render(StatusCode::OK, &p),
            Err(e) => error_page(lang, &e),
        };
    }
    // Photos are checked before anything is written, so a bad file changes nothing.
    let mut bad_files = Vec::new();
    for file in &files {
        if let Err(e) = crate::services::attachments::real_type(file) {
            bad_files.push(domain::FieldError::new("file", e.detail_text()));
        }
    }
    let body = to_body(&f);
    let parsed = crate::api::complaints::raw_complaint(&body)
        .and_then(|raw| NewComplaint::parse(&raw, state.clock.now()))
        .and_then(|n| {
            if bad_files.is_empty() {
                Ok(n)
            } else {
                Err(bad_files.clone())
            }
        });
    let outcome = match parsed {
        Ok(new) => svc::register(&state, &u.principal, new, None).await,
        Err(errors) => Err(AppError::Validation(errors)),
    };
    match outcome {
        Ok(done) => {
            let number = done.body["number"].as_str().unwrap_or_default().to_string();
            if !files.is_empty() {
                if let Err(e) = crate::services::attachments::add(&state, &u.principal, &number, files).await {
                    tracing::warn!(error = %e, number, "photos of a new complaint were refused");
                }
            }
            see_other(&format!("/complaints/{number}?done=registered"))
        }
        Err(AppError::Validation(errors)) => match page(&state, &u, f, FieldErrors::from(&errors), false).await {
            Ok(mut p) => {
                if !p.errors.is_empty() {
                    p.looked_up = false;
                }
                render(StatusCode::UNPROCESSABLE_ENTITY, &p)
            }
            Err(e) => error_page(lang, &e),
        },
        Err(e) => error_page(lang, &e),
    }
}

/// A project's buildings and units for the pickers (progressive enhancement).
async fn units(State(state): State<AppState>, u: WebUser, Path(project): Path<String>) -> Response {
    let found = async {
        let mut r = state.store.reader().await?;
        let mut c = r.conn();
        let p = store::org::project_by_code(&mut c, &project)
            .await?
            .filter(|p| u.principal.sees_node(&p.path))
            .ok_or(AppError::NotFound)?;
        Ok::<_, AppError>(store::org::buildings_of(&mut c, p.id).await?)
    }
    .await;
    match found {
        Ok(b) => Json(json!({
            "buildings": b.into_iter().map(|(name, units)| json!({"name": name, "units": units})).collect::<Vec<_>>()
        }))
        .into_response(),
        Err(e) => e.into_response(),
    }
}
