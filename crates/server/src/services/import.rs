//! Bulk import (R-OP-6) of the organisation, users, units and historical complaints from CSV or
//! xlsx, by administrators. Every row is checked first — by the file's own rules, then against
//! the database — and the report names each bad row and column. A file with any bad row imports
//! nothing; a good one imports in one transaction (org, users, units) or row by row under an
//! idempotency key per row (complaints), so importing the same file again adds nothing.

use crate::auth::{hash_password, load_grants, Principal};
use crate::error::{AppError, AppResult};
use crate::services::complaints::{register_imported, IdempotencyKey};
use crate::services::users::{grant_in, NewGrant};
use crate::state::AppState;
use domain::access::{scope_of, Permission};
use domain::import::{parse_csv, parse_table, Kind, Parsed, Record, RowError};
use domain::org::DEFAULT_DEPARTMENTS;
use domain::Code;
use futures::FutureExt;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;
use store::StoreError;

/// What an import did, or would do on a dry run.
#[derive(Debug, Clone)]
pub struct Report {
    /// What the file held.
    pub kind: Kind,
    /// Data rows read.
    pub rows: usize,
    /// Rows that created something.
    pub imported: usize,
    /// Rows already in the database (nothing to do).
    pub unchanged: usize,
    /// What is wrong, by row; when not empty nothing was imported.
    pub errors: Vec<RowError>,
    /// Checked only.
    pub dry_run: bool,
}

impl Report {
    /// A report of `rows` rows with nothing imported yet and these errors.
    fn new(kind: Kind, rows: usize, errors: Vec<RowError>, dry_run: bool) -> Report {
        Report {
            kind,
            rows,
            imported: 0,
            unchanged: 0,
            errors,
            dry_run,
        }
    }

    /// Whether every row was good.
    pub fn ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// The report as the API returns it.
    pub fn to_json(&self) -> Value {
        json!({
            "kind": self.kind.code(),
            "rows": self.rows,
            "imported": self.imported,
            "unchanged": self.unchanged,
            "dry_run": self.dry_run,
            "errors": self.errors.iter().map(|e| json!({"row": e.row, "column": e.column, "message": e.message})).collect::<Vec<_>>(),
        })
    }

    /// The report for a terminal: a summary line, then one line per error.
    pub fn text(&self) -> String {
        let mut out = if self.ok() {
            format!(
                "{}: {} rows, {} imported, {} already there{}",
                self.kind.code(),
                self.rows,
                self.imported,
                self.unchanged,
                if self.dry_run { " (dry run: nothing stored)" } else { "" }
            )
        } else {
            format!(
                "{}: {} rows, {} errors; nothing was imported",
                self.kind.code(),
                self.rows,
                self.errors.len()
            )
        };
        for e in &self.errors {
            out.push_str(&format!(
                "\nrow {}, {}: {}",
                e.row,
                if e.column.is_empty() { "-" } else { &e.column },
                e.message
            ));
        }
        out
    }
}

/// Reads a spreadsheet's first sheet as rows of text cells.
fn xlsx_table(bytes: &[u8]) -> Result<Vec<Vec<String>>, String> {
    use calamine::{Data, Reader, Xlsx};
    let mut book = Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| format!("not a readable xlsx file: {e}"))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or("the workbook has no sheet")?
        .map_err(|e| format!("the first sheet is not readable: {e}"))?;
    Ok(range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
                    Data::DateTime(d) => d
                        .as_datetime()
                        .map(|t| t.format("%Y-%m-%dT%H:%M:%S+08:00").to_string())
                        .unwrap_or_default(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect())
}

/// Parses a file as `kind`: xlsx when it starts like a zip archive, else CSV.
pub fn parse(kind: Kind, bytes: &[u8], now: chrono::DateTime<chrono::Utc>) -> Parsed {
    if bytes.starts_with(b"PK\x03\x04") {
        match xlsx_table(bytes) {
            Ok(table) => parse_table(kind, &table, now),
            Err(message) => Parsed {
                errors: vec![RowError {
                    row: 1,
                    column: String::new(),
                    message,
                }],
                ..Parsed::default()
            },
        }
    } else {
        parse_csv(kind, bytes, now)
    }
}

/// Imports a file as the `admin` user (the command line).
pub async fn from_file(state: &AppState, kind: &str, path: &Path, dry_run: bool) -> anyhow::Result<Report> {
    let kind = Kind::from_code(kind).ok_or_else(|| anyhow::anyhow!("kind must be org, users, units or complaints"))?;
    let bytes = std::fs::read(path)?;
    let who = {
        let mut r = state.store.reader().await?;
        let mut c = r.conn();
        let admin = store::users::by_username(&mut c, "admin")
            .await?
            .ok_or_else(|| anyhow::anyhow!("no admin user; start the server once first"))?;
        let grants = load_grants(&mut c, admin.id).await?;
        Principal {
            user_id: admin.id,
            username: admin.username,
            display_name: admin.display_name,
            scope: scope_of(&grants),
            grants,
        }
    };
    run(state, &who, kind, &bytes, dry_run)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// Rolls a transaction back carrying the report of why (or of a dry run).
enum Abort {
    App(AppError),
    Report(Report),
}

impl From<StoreError> for Abort {
    fn from(e: StoreError) -> Abort {
        Abort::App(e.into())
    }
}

impl From<AppError> for Abort {
    fn from(e: AppError) -> Abort {
        Abort::App(e)
    }
}

/// Checks and imports a file (administrators); see the module's description.
pub async fn run(state: &AppState, who: &Principal, kind: Kind, bytes: &[u8], dry_run: bool) -> AppResult<Report> {
    who.require(Permission::Administer)?;
    let now = state.clock.now();
    let parsed = parse(kind, bytes, now);
    if !parsed.errors.is_empty() {
        return Ok(Report::new(kind, parsed.rows, parsed.errors, dry_run));
    }
    if kind == Kind::Complaints {
        return complaints(state, who, parsed, dry_run).await;
    }
    // Passwords are hashed before the transaction: memory-hard hashing is slow on purpose.
    let mut hashes = HashMap::new();
    for (_, r) in &parsed.records {
        if let Record::User { username, password, .. } = r {
            if !hashes.contains_key(username) {
                let h = hash_password(password).map_err(|e| AppError::Internal(e.to_string()))?;
                hashes.insert(username.clone(), h);
            }
        }
    }
    let (actor, at) = (who.user_id, domain::time::to_millis(now));
    let outcome = state
        .store
        .write(move |c| {
            async move {
                let mut report = Report::new(kind, parsed.rows, Vec::new(), dry_run);
                for (row, record) in &parsed.records {
                    match apply(c, record, &hashes, at).await {
                        Ok(true) => report.imported += 1,
                        Ok(false) => report.unchanged += 1,
                        Err(AppError::Validation(fields)) => {
                            report.errors.extend(fields.into_iter().map(|f| RowError {
                                row: *row,
                                column: f.field,
                                message: f.message,
                            }))
                        }
                        Err(e) => return Err(Abort::App(e)),
                    }
                }
                if !report.errors.is_empty() || dry_run {
                    if !report.errors.is_empty() {
                        report.imported = 0;
                        report.unchanged = 0;
                    }
                    return Err(Abort::Report(report));
                }
                let after = json!({"kind": kind.code(), "rows": report.rows, "imported": report.imported});
                crate::services::settings::audit_change(c, "import", json!(null), after, actor, at).await?;
                Ok(report)
            }
            .boxed()
        })
        .await;
    match outcome {
        Ok(r) | Err(Abort::Report(r)) => Ok(r),
        Err(Abort::App(e)) => Err(e),
    }
}

/// Applies one org, user or unit row; true when it created something.
async fn apply(c: &mut store::Conn<'_>, record: &Record, hashes: &HashMap<String, String>, at: i64) -> AppResult<bool> {
    match record {
        Record::Node {
            code,
            name,
            name_en,
            parent_code,
            kind,
        } => {
            if let Some(existing) = store::org::node_by_code(c, code).await? {
                let parent = match existing.parent_id {
                    Some(id) => store::org::node(c, id).await?.map(|p| p.code),
                    None => None,
                };
                return if parent.as_deref() == Some(parent_code.as_str()) && &existing.kind == kind {
                    Ok(false)
                } else {
                    Err(AppError::field(
                        "code",
                        "exists already under another parent or of another kind",
                    ))
                };
            }
            let parent = store::org::node_by_code(c, parent_code)
                .await?
                .ok_or_else(|| AppError::field("parent_code", "no org node has this code (earlier rows count)"))?;
            let id = store::org::insert_node(c, Some(&parent), kind, code, name, name_en.as_deref()).await?;
            for (dept, label) in DEFAULT_DEPARTMENTS {
                store::org::insert_department(c, id, dept, label.zh, Some(label.en)).await?;
            }
            Ok(true)
        }
        Record::User {
            username,
            display_name,
            role,
            node,
            department,
            email,
            phone,
            ..
        } => {
            let (id, created) = match store::users::by_username(c, username).await? {
                Some(u) if u.password_hash == "!" => return Err(AppError::field("username", "is reserved")),
                Some(u) => (u.id, false),
                None => {
                    let hash = hashes
                        .get(username)
                        .ok_or_else(|| AppError::Internal("unhashed password".into()))?;
                    let id = store::users::insert_user(c, username, display_name, hash, at).await?;
                    if let Some(mut p) = store::users::profile(c, id).await? {
                        p.email = email.clone();
                        p.phone = phone.clone();
                        store::users::set_profile(c, &p).await?;
                    }
                    (id, true)
                }
            };
            let held = store::users::grants_of(c, id).await?;
            let node_row = store::org::node_by_code(c, node).await?;
            let already = held.iter().any(|g| {
                g.role == role.code()
                    && node_row.as_ref().is_some_and(|n| n.id == g.org_node_id)
                    && g.department_code == *department
            });
            if already {
                return Ok(created);
            }
            let grant = NewGrant {
                role: role.code().to_string(),
                node: node.clone(),
                department: department.clone(),
            };
            grant_in(c, id, &grant).await?;
            Ok(true)
        }
        Record::Unit {
            project_code,
            building,
            unit,
        } => {
            let project = store::org::project_by_code(c, project_code)
                .await?
                .ok_or_else(|| AppError::field("project_code", "no project has this code"))?;
            Ok(store::org::ensure_unit(c, project.id, building, unit).await?)
        }
        Record::Complaint(..) => Err(AppError::Internal("complaints are imported one by one".into())),
    }
}

/// Historical complaints: every row's project and category checked first; then each row
/// registered under its own idempotency key (a hash of the row), so a re-run skips it.
async fn complaints(state: &AppState, who: &Principal, parsed: Parsed, dry_run: bool) -> AppResult<Report> {
    let mut report = Report::new(Kind::Complaints, parsed.rows, Vec::new(), dry_run);
    let settings = state.settings();
    {
        let mut r = state.store.reader().await?;
        let mut c = r.conn();
        let mut projects: HashMap<String, bool> = HashMap::new();
        for (row, record) in &parsed.records {
            let Record::Complaint(new, _) = record else { continue };
            let known = match projects.get(&new.project_code) {
                Some(k) => *k,
                None => {
                    let k = store::org::project_by_code(&mut c, &new.project_code).await?.is_some();
                    projects.insert(new.project_code.clone(), k);
                    k
                }
            };
            if !known {
                report.errors.push(RowError {
                    row: *row,
                    column: "project_code".into(),
                    message: "no project has this code".into(),
                });
            }
            if let Some(code) = &new.category_code {
                if settings.taxonomy.category(code).is_none() {
                    report.errors.push(RowError {
                        row: *row,
                        column: "category_code".into(),
                        message: "unknown category; see GET /api/v1/meta".into(),
                    });
                }
            }
        }
    }
    if !report.errors.is_empty() || dry_run {
        return Ok(report);
    }
    for (row, record) in parsed.records {
        let Record::Complaint(new, closed) = record else {
            continue;
        };
        let hash = format!("{:x}", Sha256::digest(format!("{new:?}{closed:?}")));
        let key = IdempotencyKey {
            key: format!("import:{}", &hash[..32]),
            request_hash: hash,
        };
        match register_imported(state, who, *new, closed, key).await {
            Ok(done) if done.replayed => report.unchanged += 1,
            Ok(_) => report.imported += 1,
            Err(AppError::Validation(fields)) => report.errors.extend(fields.into_iter().map(|f| RowError {
                row,
                column: f.field,
                message: f.message,
            })),
            Err(e) => return Err(e),
        }
    }
    Ok(report)
}
