//! The complaint page: every field, deadlines with the time left, the timeline, attachments, the
//! communication log, and a form for exactly each action this user may take now.

use super::i18n::Lang;
use super::list::{local, Choice};
use super::session::WebUser;
use super::{error_page, render, see_other, FieldErrors, FormData, Layout};
use crate::error::AppError;
use crate::services::attachments::Upload;
use crate::services::{complaints as svc, workflow};
use crate::state::AppState;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use domain::state::Action;
use domain::{Code, ContactMethod, Reasonableness, Satisfaction, SlaClock};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/complaints/{number}", get(page))
        .route("/complaints/{number}/act/{action}", post(act))
        .route("/complaints/{number}/contact", post(reveal))
        .route(
            "/complaints/{number}/upload",
            post(upload).layer(axum::extract::DefaultBodyLimit::max(
                crate::api::attachments::MAX_REQUEST_BYTES,
            )),
        )
        .route("/complaints/{number}/files/{id}", get(download))
        .route("/complaints/{number}/letter", get(letter))
        .route("/complaints/{number}/case-file", get(case_file))
}

async fn letter(State(state): State<AppState>, u: WebUser, Path(number): Path<String>) -> Response {
    match crate::services::letter::render(&state, &u.principal, &number, u.lang == Lang::En).await {
        Ok(html) => axum::response::Html(html).into_response(),
        Err(e) => error_page(u.lang, &e),
    }
}

async fn case_file(State(state): State<AppState>, u: WebUser, Path(number): Path<String>) -> Response {
    match crate::services::casefile::render(&state, &u.principal, &number).await {
        Ok(pdf) => (
            [
                (header::CONTENT_TYPE, "application/pdf".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{number}.pdf\""),
                ),
                (header::CACHE_CONTROL, "private, no-store".to_string()),
            ],
            pdf,
        )
            .into_response(),
        Err(e) => error_page(u.lang, &e),
    }
}

/// How a form field is entered.
pub enum Input {
    /// One line.
    Text,
    /// Several lines.
    Area,
    /// One of these (code, label); the first is "none" when optional.
    Select(Vec<Choice>),
    /// Several of these.
    Multi(Vec<Choice>),
    /// A box to tick.
    Check,
    /// A whole number.
    Number,
    /// A date.
    Date,
    /// A local date and time (Asia/Shanghai).
    DateTime,
}

/// One field of an action form.
pub struct Field {
    /// Request field name.
    pub name: &'static str,
    /// Label.
    pub label: String,
    /// How it is entered.
    pub input: Input,
    /// Whether it must be given.
    pub required: bool,
    /// What the user typed (kept after an error).
    pub value: String,
    /// The message beside it.
    pub error: Option<String>,
}

impl Field {
    /// Whether the input is of this kind (for the template).
    pub fn is(&self, kind: &str) -> bool {
        matches!(
            (&self.input, kind),
            (Input::Text, "text")
                | (Input::Area, "area")
                | (Input::Select(_), "select")
                | (Input::Multi(_), "multi")
                | (Input::Check, "check")
                | (Input::Number, "number")
                | (Input::Date, "date")
                | (Input::DateTime, "datetime")
        )
    }

    /// The choices of a select.
    pub fn choices(&self) -> &[Choice] {
        match &self.input {
            Input::Select(c) | Input::Multi(c) => c,
            _ => &[],
        }
    }
}

/// The form of one action.
pub struct ActionForm {
    /// Action code.
    pub code: &'static str,
    /// Label.
    pub label: &'static str,
    /// Fields.
    pub fields: Vec<Field>,
    /// Open (it was just submitted with errors).
    pub open: bool,
    /// Messages not tied to a field shown here.
    pub errors: Vec<String>,
}

fn coded<C: Code>(lang: Lang, optional: bool) -> Vec<Choice> {
    let mut v: Vec<Choice> = if optional {
        vec![Choice {
            code: String::new(),
            label: "—".into(),
            on: false,
        }]
    } else {
        vec![]
    };
    v.extend(C::ALL.iter().map(|c| Choice {
        code: c.code().into(),
        label: lang.label(*c).into(),
        on: false,
    }));
    v
}

fn departments(lang: Lang, optional: bool) -> Vec<Choice> {
    let mut v = Vec::new();
    if optional {
        v.push(Choice {
            code: String::new(),
            label: "—".into(),
            on: false,
        });
    }
    for (code, label) in domain::org::DEFAULT_DEPARTMENTS {
        v.push(Choice {
            code: code.to_string(),
            label: match lang {
                Lang::Zh => label.zh.to_string(),
                Lang::En => label.en.to_string(),
            },
            on: false,
        });
    }
    v
}

/// The fields of an action's form: (name, zh, en, input, required).
fn spec(action: Action, lang: Lang) -> Vec<(&'static str, &'static str, &'static str, Input, bool)> {
    use Action as A;
    use Input::*;
    let method = || Select(coded::<ContactMethod>(lang, true));
    match action {
        A::Dispatch => vec![
            (
                "lead_department",
                "主办部门",
                "Lead department",
                Select(departments(lang, false)),
                true,
            ),
            (
                "co_departments",
                "协办部门",
                "Co-departments",
                Multi(departments(lang, false)),
                false,
            ),
            ("supervision_order", "督办意见", "Supervision order", Area, false),
        ],
        A::Assign => vec![("handler", "经办人用户名", "Handler's username", Text, true)],
        A::Respond | A::LogContact => vec![
            ("method", "方式", "Method", method(), action == A::LogContact),
            ("content", "内容", "Content", Area, true),
        ],
        A::Assess => vec![
            ("facts", "调查事实", "Facts found", Area, true),
            ("responsibility", "责任认定", "Responsibility", Text, false),
            (
                "reasonableness",
                "合理性",
                "Reasonableness",
                Select(coded::<Reasonableness>(lang, true)),
                false,
            ),
            ("direction", "处理方向", "Direction", Area, false),
            ("days_needed", "所需天数", "Days needed", Number, false),
        ],
        A::ProposePlan => vec![
            ("measures", "处理措施", "Measures", Area, true),
            ("responsible", "责任人", "Responsible", Text, false),
            ("deadline", "完成期限", "Deadline", Date, false),
            ("resources", "所需资源", "Resources", Text, false),
            (
                "compensation_fen",
                "补偿金额（分）",
                "Compensation (fen)",
                Number,
                false,
            ),
            ("compensation_form", "补偿形式", "Form of compensation", Text, false),
        ],
        A::ApprovePlan | A::Confirm => vec![("comment", "意见", "Comment", Area, false)],
        A::RejectPlan => vec![("comment", "意见", "Comment", Area, true)],
        A::Reply => vec![
            ("content", "答复内容", "Reply", Area, true),
            ("written", "出具书面答复函", "Written reply letter", Check, false),
        ],
        A::Object | A::Withdraw | A::Reopen | A::Escalate => vec![("reason", "原因", "Reason", Area, true)],
        A::Callback => vec![
            (
                "satisfaction",
                "满意度",
                "Satisfaction",
                Select(coded::<Satisfaction>(lang, true)),
                false,
            ),
            ("remarks", "回访记录", "Remarks", Area, false),
            (
                "impossible_reason",
                "无法回访的原因",
                "Why no callback was possible",
                Text,
                false,
            ),
        ],
        A::Close => vec![("summary", "结案小结", "Summary", Area, false)],
        A::Archive => vec![],
        A::Merge => vec![("into", "并入投诉编号", "Merge into number", Text, true)],
        A::Extend => vec![
            ("clock", "时限", "Clock", Select(coded::<SlaClock>(lang, false)), true),
            ("until", "延期至", "Until", DateTime, true),
            ("reason", "原因", "Reason", Area, true),
        ],
        A::Note => vec![("text", "备注", "Note", Area, true)],
    }
}

/// The forms for the allowed actions; `submitted` is the action just posted with its errors.
fn forms(allowed: &[Action], lang: Lang, submitted: Option<(Action, &FormData, &FieldErrors)>) -> Vec<ActionForm> {
    allowed
        .iter()
        .map(|a| {
            let this = submitted.filter(|(s, _, _)| s == a);
            let fields: Vec<Field> = spec(*a, lang)
                .into_iter()
                .map(|(name, zh, en, mut input, required)| {
                    let value = this.map(|(_, f, _)| f.value(name)).unwrap_or_default();
                    let picked = this.map(|(_, f, _)| f.all(name)).unwrap_or_default();
                    if let Input::Select(c) | Input::Multi(c) = &mut input {
                        for choice in c.iter_mut() {
                            choice.on = picked.contains(&choice.code);
                        }
                    }
                    Field {
                        name,
                        label: match lang {
                            Lang::Zh => zh,
                            Lang::En => en,
                        }
                        .to_string(),
                        input,
                        required,
                        value,
                        error: this.and_then(|(_, _, e)| e.get(name).cloned()),
                    }
                })
                .collect();
            let shown: Vec<&str> = fields.iter().map(|f| f.name).collect();
            ActionForm {
                code: a.code(),
                label: lang.label(*a),
                open: this.is_some(),
                errors: this.map(|(_, _, e)| e.others(&shown)).unwrap_or_default(),
                fields,
            }
        })
        .collect()
}

/// A form's fields as the API's JSON body for the action.
fn to_body(action: Action, f: &FormData, lang: Lang) -> Map<String, Value> {
    let mut m = Map::new();
    for (name, _, _, input, _) in spec(action, lang) {
        let v = match input {
            Input::Multi(_) => json!(f.all(name)),
            Input::Check => json!(f.get(name).is_some()),
            _ => match f.get(name) {
                None => continue,
                Some(s) => match input {
                    Input::Number => s.parse::<i64>().map(Value::from).unwrap_or_else(|_| json!(s)),
                    // A local date and time, as the browser sends it, in Asia/Shanghai.
                    Input::DateTime if s.len() == 16 => json!(format!("{s}:00+08:00")),
                    _ => json!(s),
                },
            },
        };
        m.insert(name.to_string(), v);
    }
    m.insert(
        "version".into(),
        json!(f.get("version").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0)),
    );
    m
}

/// A deadline as shown.
pub struct DeadlineView {
    /// Clock label.
    pub label: String,
    /// Due, local.
    pub due: String,
    /// State code and label.
    pub state: (String, String),
    /// Time left, or overdue by, in words.
    pub left: String,
    /// Met at, local.
    pub met: String,
    /// Whether it is overdue now.
    pub late: bool,
}

fn span_words(minutes: i64, lang: Lang) -> String {
    let (d, h, m) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    match lang {
        Lang::Zh if d > 0 => format!("{d}天{h}小时"),
        Lang::Zh if h > 0 => format!("{h}小时{m}分"),
        Lang::Zh => format!("{m}分钟"),
        Lang::En if d > 0 => format!("{d} d {h} h"),
        Lang::En if h > 0 => format!("{h} h {m} min"),
        Lang::En => format!("{m} min"),
    }
}

fn deadlines(c: &Value, lang: Lang, now: DateTime<Utc>) -> Vec<DeadlineView> {
    c["deadlines"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            let due = d["due_at"].as_str().unwrap_or_default();
            let due_t = domain::time::parse_rfc3339(due).map(|t| t.with_timezone(&Utc));
            let state = d["state"].as_str().unwrap_or_default().to_string();
            let running = state == "running" || (state == "breached" && d["met_at"].is_null());
            let (left, late) = match due_t {
                Some(t) if running && t >= now => (span_words((t - now).num_minutes(), lang), false),
                Some(t) if running => (
                    format!(
                        "{} {}",
                        lang.t("c.overdue_by"),
                        span_words((now - t).num_minutes(), lang)
                    ),
                    true,
                ),
                _ => (String::new(), false),
            };
            DeadlineView {
                label: lang.code_label::<SlaClock>(d["clock"].as_str().unwrap_or_default()),
                due: local(due),
                state: (state.clone(), lang.code_label::<domain::DeadlineState>(&state)),
                left,
                met: d["met_at"].as_str().map(local).unwrap_or_default(),
                late,
            }
        })
        .collect()
}

/// A timeline entry as shown.
pub struct Event {
    /// When, local.
    pub at: String,
    /// Who.
    pub actor: String,
    /// What (label).
    pub what: String,
    /// Details as plain text.
    pub detail: String,
    /// Whether it is contact with the customer (the communication log).
    pub contact: bool,
}

fn event_label(kind: &str, lang: Lang) -> String {
    if let Some(a) = Action::from_code(kind) {
        return lang.label(a).to_string();
    }
    let (zh, en) = match kind {
        "registered" => ("受理登记", "Registered"),
        "attachment_added" => ("上传附件", "Attachment added"),
        "linked" => ("关联投诉", "Linked"),
        "merged_in" => ("并入投诉", "Merged in"),
        "contact_revealed" => ("查看完整联系方式", "Full contact shown"),
        "deadline_warning" => ("时限预警", "Deadline warning"),
        "deadline_breached" => ("时限超期", "Deadline breached"),
        "deadline_escalated" => ("逐级上报", "Escalated"),
        _ => return kind.replace('_', " "),
    };
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => en.to_string(),
    }
}

fn detail_text(v: &Value) -> String {
    let mut parts = Vec::new();
    // An action's event carries its fields under `detail`, with the state before and after.
    let v = if v["detail"].is_object() { &v["detail"] } else { v };
    if let Value::Object(m) = v {
        for (k, v) in m {
            if matches!(k.as_str(), "after" | "before" | "number") {
                continue;
            }
            let s = match v {
                Value::String(s) => s.clone(),
                Value::Null => continue,
                other => other.to_string(),
            };
            parts.push(format!("{k}: {s}"));
        }
    }
    parts.join("\n")
}

/// An attachment as shown.
pub struct FileView {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Size in KB.
    pub kb: i64,
    /// Whether it is a picture.
    pub image: bool,
}

#[derive(askama::Template)]
#[template(path = "web/complaint.html")]
struct ComplaintPage {
    l: Layout,
    c: Value,
    number: String,
    version: i64,
    grade: (String, String),
    state: String,
    channel: String,
    stage: String,
    kind: String,
    category: String,
    received: String,
    reasons: String,
    deadlines: Vec<DeadlineView>,
    events: Vec<Event>,
    files: Vec<FileView>,
    forms: Vec<ActionForm>,
    notice: Option<&'static str>,
    alert: Option<String>,
    /// Whether the viewer may ask for the full phone and e-mail (R-SEC-2).
    may_reveal: bool,
    /// The full phone and e-mail, once asked for (and logged).
    revealed: Option<(String, String)>,
}

impl ComplaintPage {
    fn s(&self, path: &str) -> String {
        let mut v = &self.c;
        for k in path.split('.') {
            v = &v[k];
        }
        match v {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        }
    }
}

async fn build(
    state: &AppState,
    u: &WebUser,
    number: &str,
    submitted: Option<(Action, &FormData, &FieldErrors)>,
) -> Result<ComplaintPage, AppError> {
    let lang = u.lang;
    let c = svc::get(state, &u.principal, number).await?;
    let allowed = workflow::allowed(state, &u.principal, number).await?;
    let timeline = workflow::timeline(state, &u.principal, number).await?;
    let now = state.clock.now();
    let events = timeline["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let kind = e["kind"].as_str().unwrap_or_default();
            Event {
                at: local(e["at"].as_str().unwrap_or_default()),
                actor: e["actor"].as_str().unwrap_or("—").to_string(),
                what: event_label(kind, lang),
                detail: detail_text(&e["detail"]),
                contact: matches!(
                    kind,
                    "respond" | "log_contact" | "callback" | "reply" | "confirm" | "object"
                ),
            }
        })
        .collect();
    let files = c["attachments"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| FileView {
            id: a["id"].as_str().unwrap_or_default().to_string(),
            name: a["filename"].as_str().unwrap_or_default().to_string(),
            kb: (a["size"].as_i64().unwrap_or(0) + 1023) / 1024,
            image: a["content_type"].as_str().is_some_and(|t| t.starts_with("image/")),
        })
        .collect();
    let grade = c["grade"].as_str().unwrap_or_default().to_string();
    let str_of = |k: &str| c[k].as_str().unwrap_or_default().to_string();
    let category = match lang {
        Lang::En => c["category"]["name_en"].as_str().or(c["category"]["name"].as_str()),
        Lang::Zh => c["category"]["name"].as_str(),
    }
    .unwrap_or_default()
    .to_string();
    Ok(ComplaintPage {
        l: Layout::new(u, "list", number.to_string()),
        number: number.to_string(),
        version: c["version"].as_i64().unwrap_or(0),
        grade: (grade.clone(), lang.code_label::<domain::Grade>(&grade)),
        state: lang.code_label::<domain::State>(&str_of("state")),
        channel: lang.code_label::<domain::Channel>(&str_of("channel")),
        stage: c["stage"]
            .as_str()
            .map(|s| lang.code_label::<domain::Stage>(s))
            .unwrap_or_default(),
        kind: lang.code_label::<domain::ComplainantKind>(c["complainant"]["kind"].as_str().unwrap_or_default()),
        category,
        received: local(c["received_at"].as_str().unwrap_or_default()),
        reasons: c["grade_reasons"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("，"),
        deadlines: deadlines(&c, lang, now),
        events,
        files,
        forms: forms(&allowed, lang, submitted),
        notice: None,
        alert: None,
        may_reveal: domain::access::any_allows(&u.principal.grants, domain::access::Permission::RevealContact),
        revealed: None,
        c,
    })
}

/// Shows the complainant's full phone and e-mail on the page, logged on the timeline (R-SEC-2).
async fn reveal(
    State(state): State<AppState>,
    u: WebUser,
    Path(number): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let form = FormData::parse(&body);
    if !u.csrf_ok(form.get("_csrf")) {
        return error_page(u.lang, &AppError::Forbidden("csrf".into()));
    }
    let shown = match crate::services::privacy::reveal_contact(&state, &u.principal, &number).await {
        Ok(v) => v,
        Err(e) => return error_page(u.lang, &e),
    };
    match build(&state, &u, &number, None).await {
        Ok(mut p) => {
            let field = |k: &str| shown[k].as_str().unwrap_or_default().to_string();
            p.revealed = Some((field("phone"), field("email")));
            render(StatusCode::OK, &p)
        }
        Err(e) => error_page(u.lang, &e),
    }
}

async fn page(
    State(state): State<AppState>,
    u: WebUser,
    Path(number): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match build(&state, &u, &number, None).await {
        Ok(mut p) => {
            if q.contains_key("done") {
                p.notice = Some(u.lang.t("c.done"));
            }
            render(StatusCode::OK, &p)
        }
        Err(e) => error_page(u.lang, &e),
    }
}

async fn act(
    State(state): State<AppState>,
    u: WebUser,
    Path((number, action)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Response {
    let lang = u.lang;
    let form = FormData::parse(&body);
    if !u.csrf_ok(form.get("_csrf")) {
        return error_page(lang, &AppError::Forbidden("csrf".into()));
    }
    let Some(action) = Action::from_code(&action) else {
        return error_page(lang, &AppError::NotFound);
    };
    let body = to_body(action, &form, lang);
    let outcome = match crate::api::actions::parse(action, &body) {
        Ok((version, cmd)) => workflow::act(&state, &u.principal, &number, version, cmd)
            .await
            .map(|_| ()),
        Err(errors) => Err(AppError::Validation(errors)),
    };
    match outcome {
        Ok(()) => see_other(&format!("/complaints/{number}?done={}", action.code())),
        Err(AppError::Validation(errors)) => {
            let errors = FieldErrors::from(&errors);
            match build(&state, &u, &number, Some((action, &form, &errors))).await {
                Ok(mut p) => {
                    p.alert = Some(lang.t("c.fix").to_string());
                    render(StatusCode::UNPROCESSABLE_ENTITY, &p)
                }
                Err(e) => error_page(lang, &e),
            }
        }
        Err(AppError::Conflict(reason)) => match build(&state, &u, &number, None).await {
            Ok(mut p) => {
                p.alert = Some(if reason.contains("stale") {
                    lang.t("c.stale").to_string()
                } else {
                    reason
                });
                render(StatusCode::CONFLICT, &p)
            }
            Err(e) => error_page(lang, &e),
        },
        Err(e) => error_page(lang, &e),
    }
}

/// Reads a multipart form: its text fields and the chosen files (parts named `file`).
pub async fn read_multipart(state: &AppState, req: Request) -> Result<(FormData, Vec<Upload>), AppError> {
    let mut mp = Multipart::from_request(req, state)
        .await
        .map_err(|e| AppError::BadRequest(format!("The form is malformed: {e}")))?;
    let (mut fields, mut files) = (Vec::new(), Vec::new());
    let max = state.config.max_upload_bytes;
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(format!("The form is malformed: {e}")))?
    {
        match field.name() {
            Some("file") => {
                let filename = field.file_name().map(str::to_string).unwrap_or_default();
                let declared_type = field.content_type().map(str::to_string);
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| AppError::TooLarge(format!("the upload: {e}")))?;
                if filename.is_empty() && bytes.is_empty() {
                    continue; // no file chosen
                }
                if bytes.len() > max {
                    return Err(AppError::TooLarge(format!("each file may be at most {max} bytes")));
                }
                files.push(Upload {
                    filename,
                    declared_type,
                    bytes: bytes.to_vec(),
                });
            }
            Some(name) if fields.len() < 100 => {
                let name = name.to_string();
                let text = field
                    .text()
                    .await
                    .map_err(|e| AppError::BadRequest(format!("The form is malformed: {e}")))?;
                fields.push((name, text));
            }
            _ => {}
        }
    }
    Ok((FormData(fields), files))
}

async fn upload(State(state): State<AppState>, u: WebUser, Path(number): Path<String>, req: Request) -> Response {
    let lang = u.lang;
    let (form, files) = match read_multipart(&state, req).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, &e),
    };
    if !u.csrf_ok(form.get("_csrf")) {
        return error_page(lang, &AppError::Forbidden("csrf".into()));
    }
    match crate::services::attachments::add(&state, &u.principal, &number, files).await {
        Ok(_) => see_other(&format!("/complaints/{number}?done=upload")),
        Err(AppError::Validation(errors)) => match build(&state, &u, &number, None).await {
            Ok(mut p) => {
                p.alert = Some(errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("；"));
                render(StatusCode::UNPROCESSABLE_ENTITY, &p)
            }
            Err(e) => error_page(lang, &e),
        },
        Err(e) => error_page(lang, &e),
    }
}

async fn download(State(state): State<AppState>, u: WebUser, Path((number, id)): Path<(String, String)>) -> Response {
    match crate::services::attachments::fetch(&state, &u.principal, &number, &id).await {
        Ok((a, bytes)) => {
            let mut resp = bytes.into_response();
            let h = resp.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_str(&a.content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
            );
            h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; img-src 'self'; sandbox"),
            );
            resp
        }
        Err(e) => error_page(u.lang, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_a_form_the_api_accepts_the_names_of() {
        for a in Action::ALL {
            let names: Vec<&str> = spec(*a, Lang::Zh).iter().map(|f| f.0).collect();
            for n in &names {
                assert!(crate::api::actions::fields_of(*a).contains(n), "{a:?} {n}");
            }
        }
        let f = FormData::parse("version=3&written=on&content=%E5%B7%B2%E4%BF%AE%E5%A4%8D".as_bytes());
        let body = to_body(Action::Reply, &f, Lang::Zh);
        assert_eq!(
            Value::Object(body),
            json!({"version": 3, "written": true, "content": "已修复"})
        );
        let f = FormData::parse(b"version=1&clock=dispatch&until=2026-12-01T10:00&reason=x");
        assert_eq!(
            to_body(Action::Extend, &f, Lang::Zh)["until"],
            "2026-12-01T10:00:00+08:00"
        );
        assert_eq!(span_words(1500, Lang::Zh), "1天1小时");
        assert_eq!(span_words(61, Lang::En), "1 h 1 min");
    }
}
