//! `/api/v1/complaints/{number}/attachments`: upload evidence (multipart) and download it.

use super::docs::{ComplaintDoc, Problem};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::services::attachments::{add, fetch, Upload};
use crate::state::AppState;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::Value;

/// Files one request may carry.
pub const MAX_FILES: usize = 10;
/// Bytes one request may carry in all.
pub const MAX_REQUEST_BYTES: usize = 60 * 1024 * 1024;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/complaints/{number}/attachments",
            post(upload).layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES)),
        )
        .route("/api/v1/complaints/{number}/attachments/{id}", get(download))
}

/// Reads the `file` parts of a multipart body, enforcing the per-file limit while reading.
async fn read_files(mut mp: Multipart, max_file: usize) -> AppResult<Vec<Upload>> {
    let too_large = |what: &str| {
        AppError::TooLarge(format!(
            "{what}: each file may be at most {max_file} bytes, a request {MAX_REQUEST_BYTES}."
        ))
    };
    let mut files = Vec::new();
    while let Some(mut field) = mp.next_field().await.map_err(|e| {
        if e.status().as_u16() == 413 {
            too_large("the upload")
        } else {
            AppError::BadRequest(format!("The multipart body is malformed: {e}"))
        }
    })? {
        if field.name() != Some("file") {
            return Err(AppError::field("file", "send files in parts named `file`"));
        }
        if files.len() == MAX_FILES {
            return Err(AppError::field(
                "file",
                format!("at most {MAX_FILES} files per request"),
            ));
        }
        let filename = field
            .file_name()
            .map(str::to_string)
            .ok_or_else(|| AppError::field("file", "each file needs a file name"))?;
        let declared_type = field.content_type().map(str::to_string);
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|e| {
            if e.status().as_u16() == 413 {
                too_large("the upload")
            } else {
                AppError::BadRequest(format!("The multipart body is malformed: {e}"))
            }
        })? {
            if bytes.len() + chunk.len() > max_file {
                return Err(too_large("a file is too large"));
            }
            bytes.extend_from_slice(&chunk);
        }
        files.push(Upload {
            filename,
            declared_type,
            bytes,
        });
    }
    Ok(files)
}

/// Add evidence (photos, audio, documents) to a complaint.
#[utoipa::path(post, path = "/api/v1/complaints/{number}/attachments", tag = "complaints",
    params(("number" = String, Path, description = "Complaint number")),
    request_body(content_type = "multipart/form-data", description = "One or more parts named `file`: jpg, png, webp, gif, heic, mp3, m4a, wav, amr, mp4, pdf, docx, xlsx; at most 20 MB each"),
    responses((status = 200, description = "The complaint with its attachments", body = ComplaintDoc),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn upload(
    State(state): State<AppState>,
    who: Principal,
    Path(number): Path<String>,
    req: Request,
) -> AppResult<Json<Value>> {
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !is_multipart {
        return Err(AppError::UnsupportedMediaType(
            "Upload files as multipart/form-data with parts named `file`.".into(),
        ));
    }
    let mp = Multipart::from_request(req, &state)
        .await
        .map_err(|e| AppError::BadRequest(format!("The multipart body is malformed: {e}")))?;
    let files = read_files(mp, state.config.max_upload_bytes).await?;
    Ok(Json(add(&state, &who, &number, files).await?))
}

/// Download one attachment; only for people who may see the complaint.
#[utoipa::path(get, path = "/api/v1/complaints/{number}/attachments/{id}", tag = "complaints",
    params(("number" = String, Path, description = "Complaint number"), ("id" = String, Path, description = "Attachment id")),
    responses((status = 200, description = "The file"), (status = 401, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn download(
    State(state): State<AppState>,
    who: Principal,
    Path((number, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let (a, bytes) = fetch(&state, &who, &number, &id).await?;
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&a.content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    let encoded: String = form_urlencoded::byte_serialize(a.filename.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename*=UTF-8''{encoded}")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(resp)
}
