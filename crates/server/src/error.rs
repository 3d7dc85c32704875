//! The one error type at the HTTP edge, mapped to `application/problem+json` (RFC 9457) with
//! exactly the statuses API.md lists. Internal causes are logged, never sent.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::FieldError;
use serde_json::json;

/// Every way a request can fail.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the body is not well-formed.
    #[error("malformed request: {0}")]
    BadRequest(String),
    /// 401: no or bad credentials.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// 403: outside the caller's role.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// 404: unknown, or outside the caller's scope.
    #[error("not found")]
    NotFound,
    /// 405: the path exists but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 409: illegal transition or stale version.
    #[error("conflict: {0}")]
    Conflict(String),
    /// 413: body or upload too large.
    #[error("payload too large: {0}")]
    TooLarge(String),
    /// 415: wrong content type.
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    /// 422: field validation.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// 429: rate limited.
    #[error("rate limited")]
    RateLimited,
    /// 503: not ready.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// 500: a bug or an unexpected failure; the cause is logged only.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// A 422 for one field.
    pub fn field(field: &str, message: impl Into<String>) -> AppError {
        AppError::Validation(vec![FieldError::new(field, message)])
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        self.parts().0
    }

    /// What went wrong, in plain words (the problem's `detail`).
    pub fn detail_text(&self) -> String {
        self.detail()
    }

    fn parts(&self) -> (StatusCode, &'static str, &'static str, &'static str) {
        use AppError::*;
        match self {
            BadRequest(_) => (
                StatusCode::BAD_REQUEST,
                "malformed-request",
                "Malformed request",
                "请求格式错误",
            ),
            Unauthorized(_) => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Unauthorized",
                "未认证或凭据无效",
            ),
            Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", "Forbidden", "无权执行此操作"),
            NotFound => (StatusCode::NOT_FOUND, "not-found", "Not found", "未找到"),
            MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
                "不支持该请求方法",
            ),
            Conflict(_) => (StatusCode::CONFLICT, "conflict", "Conflict", "状态冲突"),
            TooLarge(_) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "Payload too large",
                "请求内容过大",
            ),
            UnsupportedMediaType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
                "不支持的内容类型",
            ),
            Validation(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation-failed",
                "Validation failed",
                "字段校验未通过",
            ),
            RateLimited => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate-limited",
                "Too many requests",
                "请求过于频繁",
            ),
            Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Service unavailable",
                "服务暂不可用",
            ),
            Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal server error",
                "服务器内部错误",
            ),
        }
    }

    fn detail(&self) -> String {
        use AppError::*;
        match self {
            BadRequest(d) | Unauthorized(d) | Forbidden(d) | Conflict(d) | TooLarge(d) | UnsupportedMediaType(d) => {
                d.clone()
            }
            NotFound => "No such resource, or it is outside your scope.".into(),
            MethodNotAllowed => "This path does not accept this method.".into(),
            Validation(errors) => format!("{} field(s) are invalid.", errors.len()),
            RateLimited => "Slow down and retry later.".into(),
            Unavailable(_) => "The database is not reachable or not migrated.".into(),
            Internal(_) => "Something went wrong on our side; it has been logged.".into(),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, slug, title, title_zh) = self.parts();
        if let AppError::Internal(cause) | AppError::Unavailable(cause) = &self {
            tracing::error!(%cause, status = status.as_u16(), "request failed");
        }
        let mut body = json!({
            "type": format!("/problems/{slug}"),
            "title": title,
            "title_zh": title_zh,
            "status": status.as_u16(),
            "detail": self.detail(),
        });
        if let AppError::Validation(errors) = &self {
            body["errors"] = json!(errors);
        }
        let mut resp = (status, body.to_string()).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        resp
    }
}

impl From<store::StoreError> for AppError {
    fn from(e: store::StoreError) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        AppError::Internal(format!("{e:#}"))
    }
}

/// Results at the edge.
pub type AppResult<T> = Result<T, AppError>;
