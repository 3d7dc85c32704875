//! The staff console and the owner portal (R-OP-5, R-IN-5): pages rendered on the server from
//! compile-checked templates (askama escapes everything), assets embedded in the binary, Chinese
//! by default with English a click away. The pages call the same services as the API.

pub mod accountability;
pub mod admin;
pub mod analysis;
pub mod complaint;
pub mod export;
pub mod i18n;
pub mod insight;
pub mod list;
pub mod portal;
pub mod register;
pub mod reports;
pub mod session;
pub mod warnings;
pub mod workbench;

use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use i18n::Lang;
use session::{lang_of, safe_next, session_cookie, WebUser, LANG_COOKIE, SESSION_COOKIE};
use std::collections::HashMap;

/// The routes of the console and the portal.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(workbench::page))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(switch_lang))
        .route("/assets/{name}", get(asset))
        .merge(list::router())
        .merge(complaint::router())
        .merge(register::router())
        .merge(reports::router())
        .merge(analysis::router())
        .merge(warnings::router())
        .merge(insight::router())
        .merge(accountability::router())
        .merge(admin::router())
        .merge(portal::router())
}

/// What every console page shows around its content.
pub struct Layout {
    /// Language.
    pub lang: Lang,
    /// The signed-in user's name.
    pub user: String,
    /// CSRF token for forms.
    pub csrf: String,
    /// Which navigation entry is current.
    pub nav: &'static str,
    /// Page title.
    pub title: String,
    /// Whether to show the administration entry.
    pub admin: bool,
    /// Whether to show the registration entry (R-IN-1 roles only).
    pub register: bool,
    /// Whether to show the penalties and rewards entry (R-AC-2 roles only).
    pub accountability: bool,
}

impl Layout {
    /// The layout of a page for a signed-in user.
    pub fn new(u: &WebUser, nav: &'static str, title: impl Into<String>) -> Layout {
        Layout {
            lang: u.lang,
            user: u.principal.display_name.clone(),
            csrf: u.csrf.clone(),
            nav,
            title: title.into(),
            admin: u.principal.require(domain::access::Permission::Administer).is_ok(),
            register: u
                .principal
                .require(domain::access::Permission::RegisterComplaint)
                .is_ok(),
            accountability: u
                .principal
                .require(domain::access::Permission::ManageAccountability)
                .is_ok(),
        }
    }

    /// A fixed text in the page's language.
    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }
}

/// Renders a template as an HTML response with a status.
pub fn render<T: askama::Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => {
            let mut r = (status, Html(html)).into_response();
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// A submitted form: every name=value pair in order (names may repeat, as multi-selects do).
#[derive(Debug, Default, Clone)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    /// Parses an `application/x-www-form-urlencoded` body.
    pub fn parse(body: &[u8]) -> FormData {
        FormData(form_urlencoded::parse(body).into_owned().collect())
    }

    /// The last value of a field, trimmed; None when absent or blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// The value of a field as typed, for putting back into the form.
    pub fn value(&self, name: &str) -> String {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Every non-blank value of a field.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
            .collect()
    }
}

/// Field errors by field name, for showing each message beside its field.
#[derive(Debug, Default, Clone)]
pub struct FieldErrors(pub HashMap<String, String>);

impl FieldErrors {
    /// From the service's field errors; `prefix` is stripped (e.g. `complainant.`) when asked.
    pub fn from(errors: &[domain::FieldError]) -> FieldErrors {
        let mut m = HashMap::new();
        for e in errors {
            m.entry(e.field.clone()).or_insert_with(|| e.message.clone());
        }
        FieldErrors(m)
    }

    /// The message for a field.
    pub fn get(&self, field: &str) -> Option<&String> {
        self.0.get(field)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Messages for fields the form does not show, so none is lost.
    pub fn others(&self, shown: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = self
            .0
            .iter()
            .filter(|(k, _)| !shown.contains(&k.as_str()))
            .map(|(k, m)| format!("{k}: {m}"))
            .collect();
        v.sort();
        v
    }
}

#[derive(askama::Template)]
#[template(path = "web/error.html")]
struct ErrorPage {
    lang: Lang,
    title: &'static str,
    detail: String,
}

/// An error shown as a page in the visitor's language, with the status the API would give.
pub fn error_page(lang: Lang, e: &AppError) -> Response {
    let status = e.status();
    let detail = match e {
        AppError::NotFound => match lang {
            Lang::Zh => "没有找到这个页面或投诉，或您无权查看。".to_string(),
            Lang::En => "There is no such page or complaint, or you may not see it.".to_string(),
        },
        AppError::Forbidden(_) => match lang {
            Lang::Zh => "您的角色不能执行此操作。".to_string(),
            Lang::En => "Your roles do not allow this.".to_string(),
        },
        AppError::Internal(_) | AppError::Unavailable(_) => match lang {
            Lang::Zh => "服务暂时不可用，请稍后再试。".to_string(),
            Lang::En => "The service is unavailable; please try again later.".to_string(),
        },
        other => other.detail_text(),
    };
    render(
        status,
        &ErrorPage {
            lang,
            title: lang.t("err.title"),
            detail,
        },
    )
}

/// A redirect after a successful POST (see other), so a reload does not post again.
/// A refused input or a conflict as one line for the top of the form it came from; None for
/// errors that deserve their own page.
pub fn refusal(e: &crate::error::AppError) -> Option<String> {
    use crate::error::AppError;
    match e {
        AppError::Validation(errors) => Some(
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        AppError::Conflict(m) => Some(m.clone()),
        _ => None,
    }
}

/// A posted form whose CSRF token matches the session, or the refusal page.
pub fn checked(u: &session::WebUser, body: &[u8]) -> Result<FormData, Box<Response>> {
    let f = FormData::parse(body);
    if !u.csrf_ok(f.get("_csrf")) {
        return Err(Box::new(error_page(
            u.lang,
            &crate::error::AppError::Forbidden("csrf".into()),
        )));
    }
    Ok(f)
}

pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

#[derive(askama::Template)]
#[template(path = "web/login.html")]
struct LoginPage {
    lang: Lang,
    next: String,
    username: String,
    failed: bool,
}

async fn login_page(jar: CookieJar, Query(q): Query<HashMap<String, String>>) -> Response {
    render(
        StatusCode::OK,
        &LoginPage {
            lang: lang_of(&jar),
            next: safe_next(q.get("next").map(String::as_str)),
            username: String::new(),
            failed: false,
        },
    )
}

async fn login(State(state): State<AppState>, jar: CookieJar, body: axum::body::Bytes) -> Response {
    let lang = lang_of(&jar);
    let f = FormData::parse(&body);
    let username = f.value("username").trim().to_string();
    let password = f.value("password");
    let next = safe_next(f.get("next"));
    match crate::services::auth::issue_session(&state, &username, &password).await {
        Ok(issued) => {
            let jar = jar.add(session_cookie(issued.token, state.config.secure_cookies));
            (jar, Redirect::to(&next)).into_response()
        }
        Err(AppError::Unauthorized(_)) => render(
            StatusCode::UNAUTHORIZED,
            &LoginPage {
                lang,
                next,
                username,
                failed: true,
            },
        ),
        Err(e) => error_page(lang, &e),
    }
}

async fn logout(State(state): State<AppState>, jar: CookieJar, u: WebUser, body: axum::body::Bytes) -> Response {
    let form = FormData::parse(&body);
    if !u.csrf_ok(form.get("_csrf")) {
        return error_page(u.lang, &AppError::Forbidden("csrf".into()));
    }
    let _ = crate::services::auth::revoke(&state, &u.session).await;
    crate::auth::forget_token(&state, &u.session);
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    (jar, Redirect::to("/login")).into_response()
}

async fn switch_lang(jar: CookieJar, Path(code): Path<String>, Query(q): Query<HashMap<String, String>>) -> Response {
    let lang = Lang::from_code(Some(code.as_str()));
    let cookie = Cookie::build((LANG_COOKIE, lang.code()))
        .path("/")
        .same_site(SameSite::Lax)
        .permanent()
        .build();
    (
        jar.add(cookie),
        Redirect::to(&safe_next(q.get("next").map(String::as_str))),
    )
        .into_response()
}

/// The embedded static files: name, content type, bytes.
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("../../assets/web/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/web/app.js"),
    ),
];

async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, ctype, body)) => (
            [
                (header::CONTENT_TYPE, *ctype),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            *body,
        )
            .into_response(),
        None => error_page(Lang::Zh, &AppError::NotFound),
    }
}
