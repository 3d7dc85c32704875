//! Acting on insight (R-AN-6…8): common issues with their rectification reported back to the
//! customers, the risk register, and the case library. Each write is one transaction, checked
//! against the caller's permission and scope; what is outside the scope is not found.

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::services::{reject_unknown, text_field};
use crate::state::AppState;
use chrono::NaiveDate;
use domain::access::Permission;
use domain::time::{from_millis, rfc3339_cn, to_millis};
use domain::{Code, IssueState, RiskLevel, RiskStatus, State};
use futures::FutureExt;
use serde_json::{json, Map, Value};
use store::issues::{IssueRow, NewIssue};
use store::risks::{RiskInput, RiskRow};
use store::Conn;

/// Reads a JSON object's string field.
fn s<'a>(m: &'a Map<String, Value>, k: &str) -> &'a str {
    m.get(k).and_then(Value::as_str).unwrap_or_default()
}

/// An org node in the caller's scope by code: its path.
async fn node_in_scope(c: &mut Conn<'_>, who: &Principal, code: &str) -> AppResult<String> {
    let node = store::org::node_by_code(c, code)
        .await?
        .filter(|n| who.scope.admits(&n.path, &[]))
        .ok_or_else(|| AppError::field("node", "unknown org node"))?;
    Ok(node.path)
}

async fn user_id(c: &mut Conn<'_>, username: &str) -> AppResult<i64> {
    store::users::by_username(c, username)
        .await?
        .map(|u| u.id)
        .ok_or_else(|| AppError::field("owner", "unknown user"))
}

fn date(field: &str, v: &str) -> AppResult<String> {
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
        .map(|d| d.to_string())
        .map_err(|_| AppError::field(field, "must be a date YYYY-MM-DD"))
}

fn issue_json(i: &IssueRow, numbers: &[String]) -> Value {
    json!({
        "id": i.id, "title": i.title, "root_cause": i.root_cause, "plan": i.plan,
        "owner": i.owner_name, "deadline": i.deadline, "state": i.state,
        "state_label": IssueState::from_code(&i.state).map(|s| s.label().zh),
        "result": i.result, "reported_at": i.reported_at.map(|t| rfc3339_cn(from_millis(t))),
        "created_at": rfc3339_cn(from_millis(i.created_at)), "complaint_count": i.complaints, "complaints": numbers,
    })
}

/// Complaints by number that the caller may see, or a 422 naming the first that is not.
async fn visible_ids(c: &mut Conn<'_>, who: &Principal, numbers: &[String]) -> AppResult<Vec<uuid::Uuid>> {
    let mut ids = Vec::new();
    for n in numbers {
        match crate::services::complaints::work_visible(c, who, n, false).await? {
            Some((w, _)) => ids.push(w.id),
            None => return Err(AppError::field("complaints", format!("unknown complaint {n}"))),
        }
    }
    Ok(ids)
}

fn numbers_of(m: &Map<String, Value>) -> AppResult<Vec<String>> {
    let v = m.get("complaints").cloned().unwrap_or(json!([]));
    let list: Vec<String> =
        serde_json::from_value(v).map_err(|_| AppError::field("complaints", "must be a list of numbers"))?;
    if list.len() > 500 {
        return Err(AppError::field("complaints", "at most 500 at a time"));
    }
    Ok(list)
}

/// Creates a common issue (`{node, title, root_cause, plan, owner, deadline, complaints}`).
pub async fn create_issue(state: &AppState, who: &Principal, body: Map<String, Value>) -> AppResult<Value> {
    who.require(Permission::ManageInsight)?;
    reject_unknown(
        &body,
        &["node", "title", "root_cause", "plan", "owner", "deadline", "complaints"],
    )?;
    let title = text_field("title", s(&body, "title"), 200)?;
    let cause = text_field("root_cause", s(&body, "root_cause"), 4000)?;
    let plan = text_field("plan", s(&body, "plan"), 4000)?;
    let deadline = date("deadline", s(&body, "deadline"))?;
    let numbers = numbers_of(&body)?;
    let now = to_millis(state.clock.now());
    let who2 = who.clone();
    let id = state
        .store
        .write(move |c| {
            async move {
                let path = node_in_scope(c, &who2, s(&body, "node")).await?;
                let owner = user_id(c, s(&body, "owner")).await?;
                let ids = visible_ids(c, &who2, &numbers).await?;
                let issue = NewIssue {
                    org_path: &path,
                    title: &title,
                    root_cause: &cause,
                    plan: &plan,
                    owner_id: owner,
                    deadline: &deadline,
                    created_by: who2.user_id,
                };
                let id = store::issues::insert(c, &issue, now).await?;
                store::issues::link(c, id, &ids).await?;
                Ok::<_, AppError>(id)
            }
            .boxed()
        })
        .await?;
    issue(state, who, id).await
}

/// One issue the caller may see, with its complaints.
pub async fn issue(state: &AppState, who: &Principal, id: i64) -> AppResult<Value> {
    let mut r = state.store.reader().await?;
    let mut c = r.conn();
    let row = store::issues::list(&mut c, &who.scope, Some(id))
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    let numbers: Vec<String> = store::issues::complaints(&mut c, id)
        .await?
        .into_iter()
        .map(|x| x.1)
        .collect();
    Ok(issue_json(&row, &numbers))
}

/// The issues the caller may see, newest first.
pub async fn issues(state: &AppState, who: &Principal) -> AppResult<Vec<Value>> {
    let mut r = state.store.reader().await?;
    let rows = store::issues::list(&mut r.conn(), &who.scope, None).await?;
    Ok(rows.iter().map(|i| issue_json(i, &[])).collect())
}

/// Moves an issue on (`{state: "rectifying"}`, or `{state: "done", result}`), or adds complaints
/// (`{complaints: [...]}`). Done reports the result to every linked complaint's owner by SMS (or
/// e-mail) through the outbox.
pub async fn update_issue(state: &AppState, who: &Principal, id: i64, body: Map<String, Value>) -> AppResult<Value> {
    who.require(Permission::ManageInsight)?;
    reject_unknown(&body, &["state", "result", "complaints"])?;
    let target = match body.get("state") {
        None => None,
        Some(v) => Some(
            v.as_str()
                .and_then(IssueState::from_code)
                .filter(|s| *s != IssueState::Open)
                .ok_or_else(|| AppError::field("state", "must be rectifying or done"))?,
        ),
    };
    let result = match target {
        Some(IssueState::Done) => Some(text_field("result", s(&body, "result"), 4000)?),
        _ => None,
    };
    let numbers = numbers_of(&body)?;
    let now = to_millis(state.clock.now());
    let who2 = who.clone();
    state
        .store
        .write(move |c| {
            async move {
                let row = store::issues::list(c, &who2.scope, Some(id))
                    .await?
                    .pop()
                    .ok_or(AppError::NotFound)?;
                if row.state == IssueState::Done.code() {
                    return Err(AppError::Conflict("the issue is done and reported back".into()));
                }
                let ids = visible_ids(c, &who2, &numbers).await?;
                store::issues::link(c, id, &ids).await?;
                if let Some(t) = target {
                    store::issues::set_state(c, id, t.code(), result.as_deref(), now).await?;
                }
                if let (Some(IssueState::Done), Some(result)) = (target, &result) {
                    for (cid, number, phone, email) in store::issues::complaints(c, id).await? {
                        let (channel, to) = match (phone, email) {
                            (Some(p), _) => ("sms", p),
                            (None, Some(e)) => ("email", e),
                            _ => continue,
                        };
                        let payload = json!({
                            "number": number,
                            "zh": format!("您反映的问题（{number}）已专项整改：{result}"),
                            "en": format!("The matter you reported ({number}) has been rectified: {result}"),
                        });
                        let m = store::outbox::Message {
                            kind: "issue_reported_back",
                            channel,
                            recipient: &to,
                            complaint_id: Some(cid),
                            payload: &payload,
                        };
                        store::outbox::enqueue(c, &m, now).await?;
                    }
                }
                Ok::<_, AppError>(())
            }
            .boxed()
        })
        .await?;
    issue(state, who, id).await
}

fn risk_json(r: &RiskRow) -> Value {
    json!({
        "id": r.id, "source": r.source, "title": r.title, "assessment": r.assessment,
        "level": r.level, "level_label": RiskLevel::from_code(&r.level).map(|l| l.label().zh),
        "mitigation": r.mitigation, "status": r.status, "status_label": RiskStatus::from_code(&r.status).map(|l| l.label().zh),
        "owner": r.owner_name, "review_on": r.review_on,
        "created_at": rfc3339_cn(from_millis(r.created_at)), "updated_at": rfc3339_cn(from_millis(r.updated_at)),
    })
}

/// The checked fields of a risk.
struct RiskFields {
    source: String,
    title: String,
    assessment: String,
    level: String,
    mitigation: String,
    status: String,
    review_on: String,
}

fn risk_fields(body: &Map<String, Value>) -> AppResult<RiskFields> {
    let code = |field: &str, ok: bool| {
        if ok {
            Ok(s(body, field).to_string())
        } else {
            Err(AppError::field(field, "unknown code"))
        }
    };
    Ok(RiskFields {
        source: text_field("source", s(body, "source"), 200)?,
        title: text_field("title", s(body, "title"), 200)?,
        assessment: text_field("assessment", s(body, "assessment"), 4000)?,
        level: code("level", RiskLevel::from_code(s(body, "level")).is_some())?,
        mitigation: text_field("mitigation", s(body, "mitigation"), 4000)?,
        status: code("status", RiskStatus::from_code(s(body, "status")).is_some())?,
        review_on: date("review_on", s(body, "review_on"))?,
    })
}

const RISK_FIELDS: [&str; 9] = [
    "node",
    "source",
    "title",
    "assessment",
    "level",
    "mitigation",
    "status",
    "owner",
    "review_on",
];

/// Registers a risk (`{node, source, title, assessment, level, mitigation, status, owner, review_on}`),
/// or rewrites one when `id` is given (its node stays).
pub async fn save_risk(
    state: &AppState,
    who: &Principal,
    id: Option<i64>,
    body: Map<String, Value>,
) -> AppResult<Value> {
    who.require(Permission::ManageInsight)?;
    reject_unknown(&body, &RISK_FIELDS)?;
    let f = risk_fields(&body)?;
    let now = to_millis(state.clock.now());
    let who2 = who.clone();
    let id = state
        .store
        .write(move |c| {
            async move {
                let owner = user_id(c, s(&body, "owner")).await?;
                let path = match id {
                    Some(id) => {
                        store::risks::list(c, &who2.scope, Some(id))
                            .await?
                            .pop()
                            .ok_or(AppError::NotFound)?
                            .org_path
                    }
                    None => node_in_scope(c, &who2, s(&body, "node")).await?,
                };
                let input = RiskInput {
                    org_path: &path,
                    source: &f.source,
                    title: &f.title,
                    assessment: &f.assessment,
                    level: &f.level,
                    mitigation: &f.mitigation,
                    status: &f.status,
                    owner_id: owner,
                    review_on: &f.review_on,
                };
                Ok::<_, AppError>(match id {
                    Some(id) => {
                        store::risks::update(c, id, &input, now).await?;
                        id
                    }
                    None => store::risks::insert(c, &input, who2.user_id, now).await?,
                })
            }
            .boxed()
        })
        .await?;
    let mut r = state.store.reader().await?;
    let row = store::risks::list(&mut r.conn(), &who.scope, Some(id))
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    Ok(risk_json(&row))
}

/// The risks the caller may see, open ones first, highest first.
pub async fn risks(state: &AppState, who: &Principal) -> AppResult<Vec<Value>> {
    let mut r = state.store.reader().await?;
    let rows = store::risks::list(&mut r.conn(), &who.scope, None).await?;
    Ok(rows.iter().map(risk_json).collect())
}

/// Publishes a closed complaint the caller may see as a case (`{title, lessons}`); the case
/// carries the complaint's subject, category, project and outcome, never the complainant.
pub async fn publish_case(
    state: &AppState,
    who: &Principal,
    number: &str,
    body: Map<String, Value>,
) -> AppResult<Value> {
    who.require(Permission::ManageInsight)?;
    reject_unknown(&body, &["title", "lessons"])?;
    let title = text_field("title", s(&body, "title"), 200)?;
    let lessons = text_field("lessons", s(&body, "lessons"), 8000)?;
    let now = to_millis(state.clock.now());
    let (who2, number2) = (who.clone(), number.to_string());
    let id = state
        .store
        .write(move |c| {
            async move {
                let row = crate::services::complaints::read_visible(c, &who2, &number2).await?;
                if !matches!(State::from_code(&row.state), Some(State::Closed | State::Archived)) {
                    return Err(AppError::Conflict(
                        "only a closed complaint can be published as a case".into(),
                    ));
                }
                let summary = format!("{}\n{}", row.subject, row.description);
                let words = domain::search::index_words(&format!("{title}\n{summary}\n{lessons}"));
                store::cases::insert(c, row.id, &title, &summary, &lessons, &words, who2.user_id, now)
                    .await?
                    .ok_or_else(|| AppError::Conflict("the complaint is already a case".into()))
            }
            .boxed()
        })
        .await?;
    Ok(json!({"id": id, "number": number}))
}

/// Cases matching the words of `q` (all when empty), for every staff member whatever the scope.
pub async fn cases(state: &AppState, q: &str) -> AppResult<Vec<Value>> {
    let words = if q.trim().is_empty() {
        vec![]
    } else {
        let w = domain::search::query_words(q);
        if w.is_empty() {
            return Err(AppError::field("q", "has no words to search for"));
        }
        w
    };
    let mut r = state.store.reader().await?;
    let rows = store::cases::search(&mut r.conn(), &words, 200).await?;
    Ok(rows
        .iter()
        .map(|k| {
            json!({
                "id": k.id, "number": k.number, "category_code": k.category_code, "project": k.project_name,
                "title": k.title, "summary": k.summary, "lessons": k.lessons, "published_by": k.published_by,
                "published_at": rfc3339_cn(from_millis(k.published_at)),
            })
        })
        .collect())
}
