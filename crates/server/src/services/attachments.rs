//! Evidence attachments (R-IN-2, R-SEC-4): checked for size and real type, stored under the data
//! directory by id (never by the uploaded name), served only to people who may see the complaint.

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::services::complaints::{get, lock_visible, read_visible};
use crate::state::AppState;
use domain::access::may_take;
use domain::state::Action;
use domain::time::{rfc3339_cn, to_millis};
use domain::{Code, FieldError, State};
use futures::FutureExt;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::PathBuf;
use store::attachments::{self, AttachmentRow};
use uuid::Uuid;

/// One uploaded file as it arrived.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The name the client gave.
    pub filename: String,
    /// The content type the client declared, if any.
    pub declared_type: Option<String>,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// Accepted types: the MIME type found in the bytes and the file extensions that may carry it.
pub const ALLOWED: [(&str, &[&str]); 13] = [
    ("image/jpeg", &["jpg", "jpeg"]),
    ("image/png", &["png"]),
    ("image/webp", &["webp"]),
    ("image/gif", &["gif"]),
    ("image/heif", &["heic", "heif"]),
    ("audio/mpeg", &["mp3"]),
    ("audio/m4a", &["m4a"]),
    ("audio/x-wav", &["wav"]),
    ("audio/amr", &["amr"]),
    ("video/mp4", &["mp4"]),
    ("application/pdf", &["pdf"]),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &["docx"],
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &["xlsx"],
    ),
];

/// Checks a plain file name: no path, no control characters, 1–120 characters.
pub fn display_name(raw: &str) -> Result<String, FieldError> {
    let name = raw.trim();
    let plain = !name.is_empty()
        && !name.contains(['/', '\\'])
        && !name.starts_with('.')
        && !name.contains("..")
        && !name
            .chars()
            .any(|c| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'));
    if !plain || name.chars().count() > 120 {
        return Err(FieldError::new(
            "file",
            "the file name must be a plain name of 1 to 120 characters, without paths",
        ));
    }
    Ok(name.to_string())
}

/// The real type of an upload, or why it is refused: not allowed, or not what its name or
/// declared type says it is.
pub fn real_type(u: &Upload) -> Result<&'static str, AppError> {
    let found = infer::get(&u.bytes).map(|t| t.mime_type());
    let Some((mime, extensions)) = found.and_then(|m| ALLOWED.iter().find(|(a, _)| *a == m)) else {
        return Err(AppError::UnsupportedMediaType(
            "This file type is not accepted: send photos (jpg, png, webp, gif, heic), audio (mp3, m4a, wav, amr), mp4 video, pdf, docx or xlsx.".into(),
        ));
    };
    let extension = u
        .filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let declared_ok = u
        .declared_type
        .as_deref()
        .is_none_or(|d| d == *mime || d == "application/octet-stream" || (d == "image/jpg" && *mime == "image/jpeg"));
    if !extensions.contains(&extension.as_str()) || !declared_ok {
        return Err(AppError::UnsupportedMediaType(format!(
            "The file's content is {mime}, which its name or declared type does not match."
        )));
    }
    Ok(mime)
}

fn write_durably(path: &PathBuf, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().expect("attachment paths have a directory");
    std::fs::create_dir_all(dir)?;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::File::open(dir)?.sync_all()
}

/// Stores the uploads on a complaint in one transaction and returns the updated complaint.
pub async fn add(
    state: &AppState,
    who: &Principal,
    number: &str,
    uploads: Vec<Upload>,
) -> AppResult<serde_json::Value> {
    if !domain::number::is_well_formed(number) {
        return Err(AppError::NotFound);
    }
    if uploads.is_empty() {
        return Err(AppError::field("file", "send at least one file"));
    }
    let now = state.clock.now();
    let month = now.format("%Y/%m").to_string();
    let mut rows = Vec::new();
    let mut written = Vec::new();
    for u in &uploads {
        let filename = display_name(&u.filename).map_err(|e| AppError::Validation(vec![e]))?;
        if u.bytes.len() > state.config.max_upload_bytes {
            return Err(AppError::TooLarge(format!(
                "Each file may be at most {} bytes.",
                state.config.max_upload_bytes
            )));
        }
        let mime = real_type(u)?;
        let id = Uuid::now_v7();
        let relative = format!("attachments/{month}/{id}");
        rows.push(AttachmentRow {
            id,
            complaint_id: Uuid::nil(),
            filename,
            content_type: mime.into(),
            size: u.bytes.len() as i64,
            sha256: Sha256::digest(&u.bytes).iter().map(|b| format!("{b:02x}")).collect(),
            stored_path: relative.clone(),
            uploaded_by: Some(who.user_id),
            uploaded_at: to_millis(now),
        });
        written.push((state.config.data_dir.join(relative), u.bytes.clone()));
    }
    let paths: Vec<PathBuf> = written.iter().map(|(p, _)| p.clone()).collect();
    let (who2, number2) = (who.clone(), number.to_string());
    let result = state
        .store
        .write(move |c| {
            async move {
                let (w, _) = lock_visible(c, &who2, &number2).await?.ok_or(AppError::NotFound)?;
                if !who2.grants.iter().any(|g| may_take(g.role, Action::Note)) {
                    return Err(AppError::Forbidden("your roles may not add evidence".into()));
                }
                if matches!(State::from_code(&w.state), Some(State::Archived | State::Withdrawn | State::Merged)) {
                    return Err(AppError::Conflict(format!("the complaint is {}; no evidence can be added", w.state)));
                }
                // Files are written (and fsynced) before the rows that name them commit.
                for (path, bytes) in &written {
                    write_durably(path, bytes).map_err(|e| AppError::Internal(format!("storing an attachment: {e}")))?;
                }
                for mut row in rows {
                    row.complaint_id = w.id;
                    attachments::insert(c, &row).await?;
                    let payload = json!({"attachment": row.id, "filename": row.filename, "content_type": row.content_type, "size": row.size, "sha256": row.sha256});
                    store::audit::append(c, &store::audit::NewEvent { complaint_id: Some(w.id), at_ms: row.uploaded_at, actor_id: Some(who2.user_id), kind: "attachment_added", payload: &payload }).await?;
                }
                Ok::<_, AppError>(())
            }
            .boxed()
        })
        .await;
    if let Err(e) = result {
        // Nothing committed: remove the files this request wrote (their names are fresh ids).
        for p in &paths {
            let _ = std::fs::remove_file(p);
        }
        return Err(e);
    }
    get(state, who, number).await
}

/// An attachment's metadata and bytes, for a caller who may see its complaint.
pub async fn fetch(state: &AppState, who: &Principal, number: &str, id: &str) -> AppResult<(AttachmentRow, Vec<u8>)> {
    let id: Uuid = id.parse().map_err(|_| AppError::NotFound)?;
    let mut r = state.store.reader().await?;
    let mut c = r.conn();
    let row = read_visible(&mut c, who, number).await?;
    let a = attachments::get(&mut c, id)
        .await?
        .filter(|a| a.complaint_id == row.id)
        .ok_or(AppError::NotFound)?;
    let bytes = bytes(state, &a)?;
    Ok((a, bytes))
}

/// The stored bytes of an attachment whose complaint the caller has already been shown.
pub fn bytes(state: &AppState, a: &AttachmentRow) -> AppResult<Vec<u8>> {
    std::fs::read(state.config.data_dir.join(&a.stored_path))
        .map_err(|e| AppError::Internal(format!("reading attachment {}: {e}", a.id)))
}

/// The attachment list of the complaint resource.
pub fn list_json(rows: &[AttachmentRow], complaint: Uuid, number: &str) -> serde_json::Value {
    json!(rows
        .iter()
        .filter(|a| a.complaint_id == complaint)
        .map(|a| json!({
            "id": a.id, "filename": a.filename, "content_type": a.content_type, "size": a.size, "sha256": a.sha256,
            "uploaded_at": rfc3339_cn(domain::time::from_millis(a.uploaded_at)),
            "url": format!("/api/v1/complaints/{number}/attachments/{}", a.id),
        }))
        .collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_only() {
        for ok in ["现场照片.jpg", "IMG_2026.JPG", "报告 v2.pdf"] {
            assert_eq!(display_name(&format!("  {ok} ")).unwrap(), ok);
        }
        for bad in [
            "",
            " ",
            "../a.png",
            "a/b.png",
            "a\\b.png",
            ".env",
            "a..png",
            "x\u{0007}.png",
            "x\u{202E}gnp.exe",
            &"长".repeat(121),
        ] {
            assert!(display_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn real_types() {
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec();
        let up = |name: &str, declared: Option<&str>, bytes: &[u8]| Upload {
            filename: name.into(),
            declared_type: declared.map(String::from),
            bytes: bytes.to_vec(),
        };
        assert_eq!(real_type(&up("a.png", Some("image/png"), &png)).unwrap(), "image/png");
        assert_eq!(
            real_type(&up("a.PNG", Some("application/octet-stream"), &png)).unwrap(),
            "image/png"
        );
        assert!(
            real_type(&up("a.jpg", None, &png)).is_err(),
            "name says jpeg, bytes say png"
        );
        assert!(
            real_type(&up("a.png", Some("image/gif"), &png)).is_err(),
            "declared type lies"
        );
        assert!(real_type(&up("a.png", None, b"hello")).is_err(), "unknown bytes");
    }
}
