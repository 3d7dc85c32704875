//! The complaint list: the API's filters, sorting and keyset paging, saved views per user, and
//! export of the current list as CSV.

use super::export::{download, Format, Table};
use super::i18n::Lang;
use super::session::WebUser;
use super::{error_page, render, see_other, FieldErrors, FormData, Layout};
use crate::api::complaints::{encode_cursor, parse_list_query};
use crate::error::AppError;
use crate::services::complaints as svc;
use crate::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use domain::{Channel, Code, Grade, State as CState};
use serde_json::Value;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/complaints", get(page))
        .route("/complaints.csv", get(csv))
        .route("/complaints.xlsx", get(xlsx))
        .route("/views", post(save_view))
        .route("/views/{id}/delete", post(delete_view))
}

/// One complaint as a list row.
pub struct Row {
    /// Number.
    pub number: String,
    /// Subject.
    pub subject: String,
    /// State code and label.
    pub state: (String, String),
    /// Grade code and label.
    pub grade: (String, String),
    /// Category name.
    pub category: String,
    /// Channel label.
    pub channel: String,
    /// Project name.
    pub project: String,
    /// Building and unit.
    pub place: String,
    /// Complainant name.
    pub complainant: String,
    /// Received, local time.
    pub received: String,
    /// Handler's name.
    pub handler: String,
    /// The next running clock's due time, local.
    pub next_due: String,
    /// Whether a clock has run out.
    pub overdue: bool,
    /// The subject in pieces, `true` for a matched search word (shown marked).
    pub subject_parts: Vec<(String, bool)>,
    /// Around the first match in the description, in pieces; empty without a search.
    pub snippet: Vec<(String, bool)>,
}

/// A text cut into pieces at the matched words, for highlighting without raw HTML.
pub fn marked(text: &str, words: &[String]) -> Vec<(String, bool)> {
    let mut parts = Vec::new();
    let mut at = 0;
    for (s, e) in domain::search::highlights(text, words) {
        if s > at {
            parts.push((text[at..s].to_string(), false));
        }
        parts.push((text[s..e].to_string(), true));
        at = e;
    }
    if at < text.len() {
        parts.push((text[at..].to_string(), false));
    }
    parts
}

/// Up to about 60 characters of `text` around its first matched word.
fn snippet(text: &str, words: &[String]) -> Vec<(String, bool)> {
    let Some((first, _)) = domain::search::highlights(text, words).first().copied() else {
        return vec![];
    };
    let before: Vec<(usize, char)> = text[..first].char_indices().collect();
    let start = before.len().checked_sub(20).map_or(0, |i| before[i].0);
    let end = text[first..]
        .char_indices()
        .nth(40)
        .map_or(text.len(), |(i, _)| first + i);
    let mut parts = marked(&text[start..end], words);
    if start > 0 {
        parts.insert(0, ("…".into(), false));
    }
    if end < text.len() {
        parts.push(("…".into(), false));
    }
    parts
}

/// `2026-11-22 10:00` from an RFC 3339 time in +08:00.
pub fn local(rfc: &str) -> String {
    rfc.get(..16)
        .map(|s| s.replace('T', " "))
        .unwrap_or_else(|| rfc.to_string())
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

impl Row {
    /// A row from the API's complaint resource.
    pub fn from_json(c: &Value, lang: Lang, now: DateTime<Utc>) -> Row {
        let grade = text(&c["grade"]);
        let state = text(&c["state"]);
        let mut overdue = false;
        let mut next: Option<String> = None;
        for d in c["deadlines"].as_array().into_iter().flatten() {
            let due = text(&d["due_at"]);
            match d["state"].as_str() {
                Some("breached") if d["met_at"].is_null() => overdue = true,
                Some("running") => {
                    let passed = domain::time::parse_rfc3339(&due).is_some_and(|t| t.with_timezone(&Utc) < now);
                    overdue |= passed;
                    if next.as_ref().is_none_or(|n| due < *n) {
                        next = Some(due);
                    }
                }
                _ => {}
            }
        }
        let category = match lang {
            Lang::En => c["category"]["name_en"].as_str().or(c["category"]["name"].as_str()),
            Lang::Zh => c["category"]["name"].as_str(),
        };
        Row {
            number: text(&c["number"]),
            subject: text(&c["subject"]),
            state: (state.clone(), lang.code_label::<CState>(&state)),
            grade: (grade.clone(), lang.code_label::<Grade>(&grade)),
            category: category.unwrap_or_default().to_string(),
            channel: lang.code_label::<Channel>(c["channel"].as_str().unwrap_or_default()),
            project: text(&c["project"]["name"]),
            place: format!("{} {}", text(&c["building"]), text(&c["unit"]))
                .trim()
                .to_string(),
            complainant: text(&c["complainant"]["name"]),
            received: local(&text(&c["received_at"])),
            handler: text(&c["handler"]["name"]),
            next_due: next.map(|n| local(&n)).unwrap_or_default(),
            overdue,
            subject_parts: vec![(text(&c["subject"]), false)],
            snippet: vec![],
        }
    }

    /// The row with the search words marked in its subject and a snippet of its description.
    pub fn with_words(mut self, c: &Value, words: &[String]) -> Row {
        if !words.is_empty() {
            self.subject_parts = marked(&self.subject, words);
            self.snippet = snippet(&text(&c["description"]), words);
        }
        self
    }
}

/// A choice in a filter's select.
pub struct Choice {
    /// Code.
    pub code: String,
    /// Label.
    pub label: String,
    /// Whether it is selected.
    pub on: bool,
}

fn choices<C: Code>(lang: Lang, selected: &[String]) -> Vec<Choice> {
    C::ALL
        .iter()
        .map(|c| Choice {
            code: c.code().to_string(),
            label: lang.label(*c).to_string(),
            on: selected.iter().any(|s| s == c.code()),
        })
        .collect()
}

/// A saved view.
pub struct View {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Its query string.
    pub query: String,
}

#[derive(askama::Template)]
#[template(path = "web/list.html")]
struct ListPage {
    l: Layout,
    rows: Vec<Row>,
    states: Vec<Choice>,
    grades: Vec<Choice>,
    channels: Vec<Choice>,
    projects: Vec<Choice>,
    categories: Vec<Choice>,
    q: super::FormData,
    query: String,
    next: Option<String>,
    errors: FieldErrors,
    views: Vec<View>,
    oldest_first: bool,
}

/// The query string without paging, for links that keep the filters.
fn without_cursor(raw: &str) -> String {
    form_urlencoded::parse(raw.as_bytes())
        .filter(|(k, v)| k != "cursor" && !v.is_empty())
        .fold(form_urlencoded::Serializer::new(String::new()), |mut s, (k, v)| {
            s.append_pair(&k, &v);
            s
        })
        .finish()
}

async fn page(State(state): State<AppState>, u: WebUser, RawQuery(raw): RawQuery) -> Response {
    let raw = raw.unwrap_or_default();
    let q = FormData::parse(raw.as_bytes());
    let lang = u.lang;
    let now = state.clock.now();
    let (rows, next, errors) = match parse_list_query(Some(&raw), now) {
        Ok(filter) => match svc::list(&state, &u.principal, &filter).await {
            Ok((items, next)) => (
                items
                    .iter()
                    .map(|c| Row::from_json(c, lang, now).with_words(c, &filter.words))
                    .collect(),
                next.map(|(at, id)| encode_cursor(at, id)),
                FieldErrors::default(),
            ),
            Err(e) => return error_page(lang, &e),
        },
        Err(AppError::Validation(errors)) => (vec![], None, FieldErrors::from(&errors)),
        Err(e) => return error_page(lang, &e),
    };
    let views = match views_of(&state, u.principal.user_id).await {
        Ok(v) => v,
        Err(e) => return error_page(lang, &e),
    };
    let projects = match project_choices(&state, &u, &q.all("project_code")).await {
        Ok(p) => p,
        Err(e) => return error_page(lang, &e),
    };
    let settings = state.settings();
    let selected_categories = q.all("category_code");
    let categories = settings
        .taxonomy
        .categories
        .iter()
        .filter(|c| c.parent.is_none())
        .map(|c| Choice {
            code: c.code.clone(),
            label: match lang {
                Lang::Zh => c.name_zh.clone(),
                Lang::En => c.name_en.clone(),
            },
            on: selected_categories.contains(&c.code),
        })
        .collect();
    let page = ListPage {
        l: Layout::new(&u, "list", lang.t("nav.list")),
        rows,
        states: choices::<CState>(lang, &q.all("state")),
        grades: choices::<Grade>(lang, &q.all("grade")),
        channels: choices::<Channel>(lang, &q.all("channel")),
        projects,
        categories,
        query: without_cursor(&raw),
        oldest_first: q.get("sort") == Some("received_at"),
        q,
        next,
        errors,
        views,
    };
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(status, &page)
}

/// The projects the user may see, for pickers.
pub async fn project_choices(state: &AppState, u: &WebUser, selected: &[String]) -> Result<Vec<Choice>, AppError> {
    let mut r = state.store.reader().await?;
    let nodes = store::org::all_nodes(&mut r.conn()).await?;
    Ok(nodes
        .into_iter()
        .filter(|n| n.kind == "project" && u.principal.sees_node(&n.path))
        .map(|n| Choice {
            on: selected.contains(&n.code),
            label: format!("{} {}", n.code, n.name),
            code: n.code,
        })
        .collect())
}

/// Every row of the current filters (up to 10,000), as CSV or xlsx (R-AN-4).
async fn export(state: &AppState, u: &WebUser, raw: Option<&str>, format: Format) -> Result<Response, AppError> {
    let lang = u.lang;
    let now = state.clock.now();
    let mut filter = parse_list_query(raw, now)?;
    filter.limit = 200;
    let header = [
        "f.number",
        "f.received_at",
        "f.state",
        "f.grade",
        "f.category",
        "f.channel",
        "f.project",
        "f.unit",
        "f.complainant",
        "f.subject",
        "f.handler",
        "f.due",
    ]
    .iter()
    .map(|k| lang.t(k).to_string())
    .collect();
    let mut rows = Vec::new();
    loop {
        let (items, next) = svc::list(state, &u.principal, &filter).await?;
        for c in &items {
            let r = Row::from_json(c, lang, now);
            rows.push(vec![
                r.number,
                r.received,
                r.state.1,
                r.grade.1,
                r.category,
                r.channel,
                r.project,
                r.place,
                r.complainant,
                r.subject,
                r.handler,
                r.next_due,
            ]);
        }
        match next {
            Some(after) if rows.len() < 10_000 => filter.after = Some(after),
            _ => break,
        }
    }
    let table = Table {
        name: lang.t("nav.list").to_string(),
        header,
        rows,
        numeric: vec![],
    };
    download(&table, format, &format!("complaints-{}", domain::time::date_cn(now)))
}

async fn csv(State(state): State<AppState>, u: WebUser, RawQuery(raw): RawQuery) -> Response {
    export(&state, &u, raw.as_deref(), Format::Csv)
        .await
        .unwrap_or_else(|e| error_page(u.lang, &e))
}

async fn xlsx(State(state): State<AppState>, u: WebUser, RawQuery(raw): RawQuery) -> Response {
    export(&state, &u, raw.as_deref(), Format::Xlsx)
        .await
        .unwrap_or_else(|e| error_page(u.lang, &e))
}

async fn views_of(state: &AppState, user: i64) -> Result<Vec<View>, AppError> {
    let mut r = state.store.reader().await?;
    Ok(store::views::of_user(&mut r.conn(), user)
        .await?
        .into_iter()
        .map(|(id, name, query)| View { id, name, query })
        .collect())
}

async fn save_view(State(state): State<AppState>, u: WebUser, body: axum::body::Bytes) -> Response {
    let f = FormData::parse(&body);
    if !u.csrf_ok(f.get("_csrf")) {
        return error_page(u.lang, &AppError::Forbidden("csrf".into()));
    }
    let query = without_cursor(f.get("query").unwrap_or_default());
    let name = match domain::validate::text("name", &f.value("name"), 40, domain::validate::Lines::Single) {
        Ok(n) => n,
        Err(_) => return see_other(&format!("/complaints?{query}")),
    };
    if parse_list_query(Some(&query), state.clock.now()).is_err() {
        return error_page(u.lang, &AppError::field("query", "is not a valid list query"));
    }
    let (user, q2) = (u.principal.user_id, query.clone());
    let saved = state
        .store
        .write(move |c| Box::pin(async move { Ok::<_, AppError>(store::views::save(c, user, &name, &q2).await?) }))
        .await;
    match saved {
        Ok(_) => see_other(&format!("/complaints?{query}")),
        Err(e) => error_page(u.lang, &e),
    }
}

async fn delete_view(
    State(state): State<AppState>,
    u: WebUser,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Response {
    let f = FormData::parse(&body);
    if !u.csrf_ok(f.get("_csrf")) {
        return error_page(u.lang, &AppError::Forbidden("csrf".into()));
    }
    let user = u.principal.user_id;
    match state
        .store
        .write(move |c| Box::pin(async move { Ok::<_, AppError>(store::views::delete(c, user, id).await?) }))
        .await
    {
        Ok(()) => see_other("/complaints"),
        Err(e) => error_page(u.lang, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_and_times() {
        assert_eq!(without_cursor("state=registered&cursor=abc&grade="), "state=registered");
        assert_eq!(local("2026-11-22T10:00:00+08:00"), "2026-11-22 10:00");
    }
}
