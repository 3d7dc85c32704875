//! The owner portal (R-IN-5), mobile first: file a complaint with photos, get the number and a
//! tracking link, follow the state and replies, confirm or object, and rate the service.

use super::complaint::read_multipart;
use super::i18n::Lang;
use super::list::{local, Choice};
use super::session::lang_of;
use super::{error_page, render, FieldErrors, FormData};
use crate::api::public::{parse_filing, parse_owner_action, ClientIp};
use crate::error::AppError;
use crate::services::public::{self, Proof};
use crate::state::AppState;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use axum_extra::extract::cookie::CookieJar;
use domain::{Code, Satisfaction};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/portal",
            get(file_form).post(file).layer(axum::extract::DefaultBodyLimit::max(
                crate::api::attachments::MAX_REQUEST_BYTES,
            )),
        )
        .route("/portal/track", get(track_form))
        .route("/portal/c/{number}", get(status))
        .route("/portal/c/{number}/{action}", post(owner_action))
}

#[derive(askama::Template)]
#[template(path = "web/portal_file.html")]
struct FilePage {
    lang: Lang,
    f: FormData,
    errors: FieldErrors,
    projects: Vec<Choice>,
    limited: bool,
}

#[derive(askama::Template)]
#[template(path = "web/portal_done.html")]
struct DonePage {
    lang: Lang,
    number: String,
    link: String,
}

#[derive(askama::Template)]
#[template(path = "web/portal_track.html")]
struct TrackPage {
    lang: Lang,
    number: String,
    phone: String,
    not_found: bool,
}

/// A reply as the owner sees it.
struct Reply {
    at: String,
    content: String,
}

#[derive(askama::Template)]
#[template(path = "web/portal_status.html")]
struct StatusPage {
    lang: Lang,
    v: Value,
    number: String,
    state: String,
    received: String,
    expected: String,
    replies: Vec<Reply>,
    progress: Vec<(String, String)>,
    token: String,
    phone: String,
    satisfactions: Vec<Choice>,
    done: bool,
    errors: FieldErrors,
}

impl StatusPage {
    fn s(&self, key: &str) -> String {
        self.v[key].as_str().unwrap_or_default().to_string()
    }
    fn may(&self, key: &str) -> bool {
        self.v[key].as_bool().unwrap_or(false)
    }
}

async fn projects(state: &AppState, picked: Option<&str>) -> Result<Vec<Choice>, AppError> {
    let mut r = state.store.reader().await?;
    Ok(store::org::all_nodes(&mut r.conn())
        .await?
        .into_iter()
        .filter(|n| n.kind == "project")
        .map(|n| Choice {
            on: picked == Some(n.code.as_str()),
            code: n.code,
            label: n.name,
        })
        .collect())
}

async fn file_form(State(state): State<AppState>, jar: CookieJar) -> Response {
    let lang = lang_of(&jar);
    match projects(&state, None).await {
        Ok(projects) => render(
            StatusCode::OK,
            &FilePage {
                lang,
                f: FormData::default(),
                errors: FieldErrors::default(),
                projects,
                limited: false,
            },
        ),
        Err(e) => error_page(lang, &e),
    }
}

fn filing_body(f: &FormData) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("channel".into(), json!("website"));
    for k in [
        "project_code",
        "building",
        "unit",
        "location",
        "subject",
        "description",
        "demands",
    ] {
        if let Some(v) = f.get(k) {
            m.insert(k.into(), json!(v));
        }
    }
    let mut who = Map::new();
    who.insert("kind".into(), json!("owner"));
    for k in ["name", "phone", "email"] {
        if let Some(v) = f.get(k) {
            who.insert(k.into(), json!(v));
        }
    }
    m.insert("complainant".into(), Value::Object(who));
    m
}

async fn file(State(state): State<AppState>, jar: CookieJar, ClientIp(ip): ClientIp, req: Request) -> Response {
    let lang = lang_of(&jar);
    let again = |f: FormData, errors: FieldErrors, limited: bool, status: StatusCode| {
        let state = state.clone();
        async move {
            match projects(&state, f.get("project_code")).await {
                Ok(projects) => render(
                    status,
                    &FilePage {
                        lang,
                        f,
                        errors,
                        projects,
                        limited,
                    },
                ),
                Err(e) => error_page(lang, &e),
            }
        }
    };
    if state.public_limits.0.check(ip).is_err() {
        return again(
            FormData::default(),
            FieldErrors::default(),
            true,
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
    }
    let (f, files) = match read_multipart(&state, req).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, &e),
    };
    let mut errors: Vec<domain::FieldError> = files
        .iter()
        .filter_map(|file| crate::services::attachments::real_type(file).err())
        .map(|e| domain::FieldError::new("file", e.detail_text()))
        .collect();
    let new = match parse_filing(&filing_body(&f), state.clock.now()) {
        Ok(n) if errors.is_empty() => n,
        Ok(_) => return again(f, FieldErrors::from(&errors), false, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => {
            errors.extend(e);
            return again(f, FieldErrors::from(&errors), false, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    match public::file(&state, new).await {
        Ok(done) => {
            let number = done["number"].as_str().unwrap_or_default().to_string();
            let token = done["tracking_token"].as_str().unwrap_or_default();
            if !files.is_empty() {
                if let Err(e) = public::attach(&state, &number, files).await {
                    tracing::warn!(error = %e, number, "photos of a portal filing were refused");
                }
            }
            render(
                StatusCode::CREATED,
                &DonePage {
                    lang,
                    link: format!("/portal/c/{number}?token={token}"),
                    number,
                },
            )
        }
        Err(AppError::Validation(e)) => again(f, FieldErrors::from(&e), false, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => error_page(lang, &e),
    }
}

async fn track_form(jar: CookieJar, Query(q): Query<HashMap<String, String>>) -> Response {
    let lang = lang_of(&jar);
    let number = q.get("number").map(|s| s.trim().to_uppercase()).unwrap_or_default();
    let phone = q.get("phone").map(|s| s.trim().to_string()).unwrap_or_default();
    if !number.is_empty() && !phone.is_empty() {
        let target: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("phone", &phone)
            .finish();
        return Redirect::to(&format!("/portal/c/{}?{target}", urlencode(&number))).into_response();
    }
    render(
        StatusCode::OK,
        &TrackPage {
            lang,
            number,
            phone,
            not_found: false,
        },
    )
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn status_page(
    state: &AppState,
    lang: Lang,
    ip: std::net::IpAddr,
    number: &str,
    q: &HashMap<String, String>,
    errors: FieldErrors,
) -> Response {
    if state.public_limits.1.check(ip).is_err() {
        return error_page(lang, &AppError::RateLimited);
    }
    let (phone, token) = (q.get("phone").map(String::as_str), q.get("token").map(String::as_str));
    let not_found = || {
        render(
            StatusCode::NOT_FOUND,
            &TrackPage {
                lang,
                number: number.to_string(),
                phone: phone.unwrap_or_default().to_string(),
                not_found: true,
            },
        )
    };
    let Some(proof) = Proof::from_fields(phone, token) else {
        return not_found();
    };
    let v = match public::track(state, number, &proof).await {
        Ok(v) => v,
        Err(AppError::NotFound) => return not_found(),
        Err(e) => return error_page(lang, &e),
    };
    let replies = v["replies"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| Reply {
            at: local(r["at"].as_str().unwrap_or_default()),
            content: r["content"].as_str().unwrap_or_default().to_string(),
        })
        .collect();
    let progress = v["progress"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let event = p["event"].as_str().unwrap_or_default();
            let label = match domain::state::Action::from_code(event) {
                Some(a) => lang.label(a).to_string(),
                None => lang.t("p.received").to_string(),
            };
            (local(p["at"].as_str().unwrap_or_default()), label)
        })
        .collect();
    let satisfactions = Satisfaction::ALL
        .iter()
        .map(|s| Choice {
            code: s.code().into(),
            label: lang.label(*s).into(),
            on: false,
        })
        .collect();
    let page = StatusPage {
        lang,
        number: number.to_string(),
        state: lang.code_label::<domain::State>(v["state"].as_str().unwrap_or_default()),
        received: local(v["received_at"].as_str().unwrap_or_default()),
        expected: v["expected_reply_by"].as_str().map(local).unwrap_or_default(),
        replies,
        progress,
        token: token.unwrap_or_default().to_string(),
        phone: if token.is_some() {
            String::new()
        } else {
            phone.unwrap_or_default().to_string()
        },
        satisfactions,
        done: q.contains_key("done"),
        errors,
        v,
    };
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(status, &page)
}

async fn status(
    State(state): State<AppState>,
    jar: CookieJar,
    ClientIp(ip): ClientIp,
    Path(number): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    status_page(&state, lang_of(&jar), ip, &number, &q, FieldErrors::default()).await
}

async fn owner_action(
    State(state): State<AppState>,
    jar: CookieJar,
    ClientIp(ip): ClientIp,
    Path((number, action)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Response {
    let lang = lang_of(&jar);
    let f = FormData::parse(&body);
    if state.public_limits.1.check(ip).is_err() {
        return error_page(lang, &AppError::RateLimited);
    }
    let mut back: HashMap<String, String> = HashMap::new();
    for k in ["token", "phone"] {
        if let Some(v) = f.get(k) {
            back.insert(k.into(), v.to_string());
        }
    }
    let Some(proof) = Proof::from_fields(f.get("phone"), f.get("token")) else {
        return error_page(lang, &AppError::NotFound);
    };
    let outcome = match parse_owner_action(&action, f.get("reason"), f.get("satisfaction"), f.get("remarks")) {
        Ok(a) => public::act(&state, &number, &proof, a).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => {
            let mut target = form_urlencoded::Serializer::new(String::new());
            for (k, v) in &back {
                target.append_pair(k, v);
            }
            target.append_pair("done", "1");
            Redirect::to(&format!("/portal/c/{}?{}", urlencode(&number), target.finish())).into_response()
        }
        Err(AppError::Validation(errors)) => {
            status_page(&state, lang, ip, &number, &back, FieldErrors::from(&errors)).await
        }
        Err(e) => error_page(lang, &e),
    }
}
