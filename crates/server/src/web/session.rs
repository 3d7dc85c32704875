//! Web sessions: sign-in sets an HttpOnly, SameSite=Lax session cookie holding a session token
//! (stored only as its hash, like API tokens); every form carries a CSRF token derived from the
//! session token, checked on every POST (API.md: session cookie plus CSRF token for the pages).

use super::i18n::Lang;
use crate::auth::{principal_for_token, Principal};
use crate::state::AppState;
use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use sha2::{Digest, Sha256};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "kesu_session";
/// The language cookie's name.
pub const LANG_COOKIE: &str = "kesu_lang";

/// The CSRF token of a session: a hash of the session secret, which a forged cross-site form
/// cannot know.
pub fn csrf_of(session: &str) -> String {
    Sha256::digest(format!("kesu-csrf:{session}").as_bytes())
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The session cookie for a new session.
pub fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .build()
}

/// The language of a request: its cookie, else Chinese (R-OP-5).
pub fn lang_of(jar: &CookieJar) -> Lang {
    Lang::from_code(jar.get(LANG_COOKIE).map(Cookie::value))
}

/// A signed-in member of staff on a web page.
#[derive(Clone)]
pub struct WebUser {
    /// Who.
    pub principal: Principal,
    /// The session's CSRF token, put into every form.
    pub csrf: String,
    /// The interface language.
    pub lang: Lang,
    /// The session token (for sign-out).
    pub session: String,
}

impl WebUser {
    /// Whether a submitted CSRF token is this session's.
    pub fn csrf_ok(&self, submitted: Option<&str>) -> bool {
        submitted.is_some_and(|s| constant_time_eq(s.as_bytes(), self.csrf.as_bytes()))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl FromRequestParts<AppState> for WebUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let lang = lang_of(&jar);
        let to_login = || {
            let here = parts
                .extensions
                .get::<OriginalUri>()
                .map(|u| u.0.to_string())
                .unwrap_or_else(|| parts.uri.to_string());
            let next: String = form_urlencoded::byte_serialize(here.as_bytes()).collect();
            Redirect::to(&format!("/login?next={next}")).into_response()
        };
        let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) else {
            return Err(to_login());
        };
        match principal_for_token(state, &token).await {
            Ok(principal) => Ok(WebUser {
                principal,
                csrf: csrf_of(&token),
                lang,
                session: token,
            }),
            Err(_) => Err(to_login()),
        }
    }
}

/// Where to go after signing in: only a local path, never another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && n.len() < 500 => n.to_string(),
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_tokens_and_redirects() {
        assert_eq!(csrf_of("a"), csrf_of("a"));
        assert_ne!(csrf_of("a"), csrf_of("b"));
        assert_eq!(csrf_of("a").len(), 32);
        assert_eq!(safe_next(Some("/complaints?x=1")), "/complaints?x=1");
        for bad in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil",
            "javascript:alert(1)",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert!(constant_time_eq(b"ab", b"ab") && !constant_time_eq(b"ab", b"ac") && !constant_time_eq(b"a", b"ab"));
    }
}
