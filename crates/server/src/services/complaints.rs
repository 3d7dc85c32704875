//! Registering, reading and listing complaints (R-IN-1…7, R-GR-1…3, R-ORG-4).

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::services::view::{complaint_json, Related};
use crate::state::{AppState, Settings, Taxonomy};
use chrono::{DateTime, Utc};
use domain::access::Permission;
use domain::category::classify;
use domain::grading::{grade, Decider, GradingInput};
use domain::intake::NewComplaint;
use domain::phrase::Prepared;
use domain::sla::{default_policies, policies_for, started_by, Trigger};
use domain::time::{month_key, rfc3339_cn, to_millis};
use domain::{Code, FieldError};
use futures::FutureExt;
use serde_json::{json, Value};
use store::complaints::{self, ComplainantInput, ComplaintRow, DeadlineRow, ListFilter, NewRow};
use store::{audit, idempotency, org, outbox, Conn};
use uuid::Uuid;

/// An idempotency key with the hash of the request body it came with (R-IN-6).
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    /// The client's key.
    pub key: String,
    /// SHA-256 of the canonical request body.
    pub request_hash: String,
}

/// The outcome of a registration: a status and the body to send.
#[derive(Debug, Clone)]
pub struct Registered {
    /// 201, or the first response's status on an idempotent retry.
    pub status: u16,
    /// The complaint resource.
    pub body: Value,
    /// Whether this is a replay of an earlier response.
    pub replayed: bool,
}

/// What is decided before the transaction, off the single writer's critical path: the project
/// (in scope), the category and the text rules' grade.
struct Decided {
    project: org::NodeRow,
    complained_user_id: Option<i64>,
    category: domain::category::Category,
    category_by: Decider,
    category_reasons: Vec<String>,
    text: Prepared,
    by_text: domain::grading::GradeDecision,
    /// The words of its text for the search index (R-AN-1), segmented before the transaction.
    words: Vec<String>,
}

async fn decide(state: &AppState, who: &Principal, new: &NewComplaint, taxonomy: &Taxonomy) -> AppResult<Decided> {
    let mut errors: Vec<FieldError> = Vec::new();
    // A project outside the caller's scope is as unknown as one that does not exist (R-ORG-4).
    let project = {
        let mut r = state.store.reader().await?;
        org::project_by_code(&mut r.conn(), &new.project_code)
            .await?
            .filter(|p| who.sees_node(&p.path))
    };
    if project.is_none() {
        errors.push(FieldError::new("project_code", "unknown project"));
    }
    if let Some(code) = &new.category_code {
        if taxonomy.category(code).is_none() {
            errors.push(FieldError::new(
                "category_code",
                "unknown category; see GET /api/v1/meta",
            ));
        }
    }
    let complained_user_id = match &new.complained_employee {
        None => None,
        Some(username) => {
            let mut r = state.store.reader().await?;
            let user = store::users::by_username(&mut r.conn(), username).await?;
            if user.is_none() {
                errors.push(FieldError::new("complained_employee", "unknown user"));
            }
            user.map(|u| u.id)
        }
    };
    let Some(project) = project.filter(|_| errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let text = Prepared::new(&new.full_text());
    let (code, category_by, category_reasons) = match &new.category_code {
        Some(code) => (code.clone(), Decider::Agent, vec![format!("agent:{code}")]),
        None => {
            let cl = classify(&Prepared::new(&new.subject), &text, &taxonomy.categories);
            (cl.code, Decider::Rules, cl.reasons)
        }
    };
    let category = taxonomy
        .category(&code)
        .cloned()
        .ok_or_else(|| AppError::Internal(format!("category {code} vanished")))?;
    let by_text = grading_of(new, &text, None, taxonomy);
    Ok(Decided {
        project,
        complained_user_id,
        category,
        category_by,
        category_reasons,
        text,
        by_text,
        words: domain::search::index_words(&format!(
            "{}\n{}\n{}\n{}",
            new.subject,
            new.description,
            new.demands.as_deref().unwrap_or_default(),
            new.location.as_deref().unwrap_or_default()
        )),
    })
}

fn grading_of(
    new: &NewComplaint,
    text: &Prepared,
    repeat_of: Option<&str>,
    taxonomy: &Taxonomy,
) -> domain::grading::GradeDecision {
    let input = GradingInput {
        text,
        channel: new.channel,
        households: new.households,
        open_repeat_of: repeat_of,
        explicit: new.grade,
    };
    grade(&input, &taxonomy.rules)
}

/// Registers a complaint in one transaction: number, person record, grading, classification,
/// deadlines, the `registered` event and the acknowledgement to the complainant (R-IN-4).
pub async fn register(
    state: &AppState,
    who: &Principal,
    new: NewComplaint,
    key: Option<IdempotencyKey>,
) -> AppResult<Registered> {
    register_from(state, who, new, key, Origin::Live).await
}

/// [`register`] or [`register_imported`]: one transaction, replaying a racing twin's answer.
async fn register_from(
    state: &AppState,
    who: &Principal,
    new: NewComplaint,
    key: Option<IdempotencyKey>,
    origin: Origin,
) -> AppResult<Registered> {
    who.require(Permission::RegisterComplaint)?;
    let now = state.clock.now();
    let settings = state.settings();
    let taxonomy = &settings.taxonomy;
    let decided = decide(state, who, &new, taxonomy).await?;
    let attempt = {
        let (key, who) = (key.clone(), who.clone());
        state
            .store
            .write(move |c| {
                async move { register_in(c, &who, &new, &decided, key.as_ref(), &settings, now, &origin).await }.boxed()
            })
            .await
    };
    match attempt {
        // Two requests with one key raced on PostgreSQL: the loser replays the winner's response.
        Err(AppError::Internal(msg)) if key.is_some() && msg.contains("idempotency") => {
            let key = key.expect("checked");
            let mut r = state.store.reader().await?;
            let stored = idempotency::get(&mut r.conn(), who.user_id, &key.key)
                .await?
                .ok_or(AppError::Internal(msg))?;
            replay(stored, &key)
        }
        other => other,
    }
}

/// Where a registration comes from.
pub enum Origin {
    /// Registered now: acknowledged to the complainant, checked for early warnings.
    Live,
    /// From an import file: neither; closed at the given time with the summary when it was.
    Imported(Option<(DateTime<Utc>, String)>),
}

/// Registers a complaint from an import file (R-OP-6) by the registration rules (numbering,
/// grading, classification, clocks, search, roll-up), without the acknowledgement to the
/// complainant or early warnings, and closes it at once when the earlier system had closed it.
/// `key` makes a row that was imported before a replay, so a file can be imported again.
pub async fn register_imported(
    state: &AppState,
    who: &Principal,
    new: NewComplaint,
    closed: Option<(DateTime<Utc>, String)>,
    key: IdempotencyKey,
) -> AppResult<Registered> {
    register_from(state, who, new, Some(key), Origin::Imported(closed)).await
}

fn replay(stored: idempotency::Stored, key: &IdempotencyKey) -> AppResult<Registered> {
    if stored.request_hash != key.request_hash {
        return Err(AppError::field(
            "Idempotency-Key",
            "was already used with a different request body",
        ));
    }
    let body = serde_json::from_str(&stored.response).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Registered {
        status: stored.status as u16,
        body,
        replayed: true,
    })
}

#[allow(clippy::too_many_arguments)]
async fn register_in(
    c: &mut Conn<'_>,
    who: &Principal,
    new: &NewComplaint,
    decided: &Decided,
    key: Option<&IdempotencyKey>,
    settings: &Settings,
    now: DateTime<Utc>,
    origin: &Origin,
) -> AppResult<Registered> {
    let imported = matches!(origin, Origin::Imported(_));
    if let Some(key) = key {
        if let Some(stored) = idempotency::get(c, who.user_id, &key.key).await? {
            return replay(stored, key);
        }
    }
    let Decided {
        project,
        complained_user_id,
        category,
        category_by,
        category_reasons,
        text,
        by_text,
        words,
    } = decided;
    let category_code = category.code.clone();
    let now_ms = to_millis(now);
    let person = ComplainantInput {
        name: &new.complainant.name,
        phone: new.complainant.phone.as_ref().map(|p| p.as_str()),
        email: new.complainant.email.as_ref().map(|e| e.as_str()),
        kind: new.complainant.kind.code(),
    };
    let complainant_id = complaints::upsert_complainant(c, &person, now_ms).await?;
    let repeat_of = complaints::open_repeat_of(c, complainant_id, project.id, &category_code).await?;
    // Only a repeat complaint changes the text rules' grade (R-GR-2: one grade up).
    let decision = match &repeat_of {
        Some(number) => grading_of(new, text, Some(number), &settings.taxonomy),
        None => by_text.clone(),
    };

    let month = month_key(now);
    let serial = complaints::next_serial(c, &month).await?;
    let number = domain::number::format(&month, serial);
    let id = Uuid::now_v7();
    let row = NewRow {
        id,
        number: number.clone(),
        month,
        serial,
        grade: decision.grade.code().into(),
        grade_decided_by: decision.decided_by.code().into(),
        suggested_grade: decision.suggested.code().into(),
        grade_reasons: json!(decision.reasons).to_string(),
        grade_note: new.grade_reason.clone(),
        category_code: category_code.clone(),
        category_decided_by: category_by.code().into(),
        category_reasons: json!(category_reasons).to_string(),
        channel: new.channel.code().into(),
        complainant_id,
        complainant_name: new.complainant.name.clone(),
        complainant_kind: new.complainant.kind.code().into(),
        project_id: project.id,
        org_path: project.path.clone(),
        building: new.building.clone(),
        unit: new.unit.clone(),
        location: new.location.clone(),
        stage: new.stage.map(|s| s.code().to_string()),
        subject: new.subject.clone(),
        description: new.description.clone(),
        demands: new.demands.clone(),
        households: new.households,
        received_at: to_millis(new.received_at),
        registered_by: Some(who.user_id),
        suggested_department: category.department.clone(),
        repeat_of,
        complained_user_id: *complained_user_id,
        now: now_ms,
    };
    complaints::insert(c, &row).await?;
    // Every clock that starts at receipt (R-SLA-1), working-day ones on the calendar (R-SLA-2).
    let policies = policies_for(
        &default_policies(),
        &settings.clock_overrides,
        decision.grade,
        &category_code,
    );
    let close = settings.close_at(&project.path);
    let deadlines = started_by(
        Trigger::Received,
        decision.grade,
        new.received_at,
        &policies,
        &settings.calendar,
        close,
    );
    let deadline_rows: Vec<DeadlineRow> = deadlines
        .iter()
        .map(|d| DeadlineRow {
            complaint_id: id,
            clock: d.clock.code().into(),
            due_at: to_millis(d.due_at),
            state: d.state.code().into(),
            met_at: None,
        })
        .collect();
    let values: Vec<(&str, i64, &str, i64)> = deadlines
        .iter()
        .map(|d| {
            (
                d.clock.code(),
                to_millis(d.due_at),
                d.state.code(),
                to_millis(domain::sweep::warn_at(new.received_at, d.due_at)),
            )
        })
        .collect();
    complaints::insert_deadlines(c, id, to_millis(new.received_at), &values).await?;
    store::search::add_words(c, id, words).await?;
    if let Origin::Imported(Some((at, _))) = origin {
        // Closed in the earlier system: closed here too, its clocks no longer chased.
        let mut w = store::workflow::lock(c, &number)
            .await?
            .ok_or_else(|| AppError::Internal("imported complaint vanished".into()))?;
        store::workflow::stop_sweeping(c, id).await?;
        w.state = domain::State::Closed.code().into();
        w.closed_at = Some(to_millis(*at));
        store::workflow::save(c, &w, now_ms).await?;
    }
    store::rollup::refresh(c, id).await?;
    // Early warning (R-AN-5): media, petitions, lawsuits, recurring defects, forming groups.
    // Complaints imported from an earlier system raise none: they are history, not news.
    let all_text = format!(
        "{}\n{}\n{}",
        new.subject,
        new.description,
        new.demands.as_deref().unwrap_or_default()
    );
    if !imported {
        crate::services::warnings::on_registered(
            c,
            &crate::services::warnings::Registered {
                id,
                number: &number,
                project: (project.id, &project.code, &project.path),
                building: new.building.as_deref(),
                category: (&category_code, &category.name_zh, &category.name_en),
                reasons: &decision.reasons,
                text: &all_text,
                received_at: new.received_at,
            },
            now,
        )
        .await?;
    }

    // The response is built from what was just written; the HTTP tests read it back and compare.
    let stored = written_row(row, category, project, &new.complainant);
    let related = Related {
        deadlines: deadline_rows,
        ..Default::default()
    };
    let body = complaint_json(&stored, &related, department_label(&category.department), now);
    let event = if imported {
        json!({"after": body, "registered_by": who.username, "imported": true})
    } else {
        json!({"after": body, "registered_by": who.username})
    };
    audit::append(
        c,
        &audit::NewEvent {
            complaint_id: Some(id),
            at_ms: now_ms,
            actor_id: Some(who.user_id),
            kind: "registered",
            payload: &event,
        },
    )
    .await?;
    if let Origin::Imported(Some((at, summary))) = origin {
        let payload = json!({"action": "close", "imported": true, "after": {"state": "closed"},
            "detail": {"summary": summary, "closed_at": domain::time::rfc3339_cn(*at)}});
        let event = audit::NewEvent {
            complaint_id: Some(id),
            at_ms: now_ms,
            actor_id: Some(who.user_id),
            kind: "close",
            payload: &payload,
        };
        audit::append(c, &event).await?;
    }
    if !imported {
        acknowledge(c, new, &number, id, now).await?;
    }
    if let Some(key) = key {
        idempotency::put(
            c,
            who.user_id,
            &key.key,
            &key.request_hash,
            201,
            &body.to_string(),
            now_ms,
        )
        .await?;
    }
    Ok(Registered {
        status: 201,
        body,
        replayed: false,
    })
}

/// The row as `by_number` would read it back, from the inserted values and the names at hand.
fn written_row(
    r: NewRow,
    category: &domain::category::Category,
    project: &org::NodeRow,
    who: &domain::intake::NewComplainant,
) -> ComplaintRow {
    ComplaintRow {
        id: r.id,
        number: r.number,
        version: 1,
        state: domain::State::Registered.code().into(),
        grade: r.grade,
        grade_decided_by: r.grade_decided_by,
        suggested_grade: r.suggested_grade,
        grade_reasons: r.grade_reasons,
        grade_note: r.grade_note,
        category_code: r.category_code,
        category_name_zh: category.name_zh.clone(),
        category_name_en: category.name_en.clone(),
        category_decided_by: r.category_decided_by,
        category_reasons: r.category_reasons,
        channel: r.channel,
        complainant_id: r.complainant_id,
        complainant_name: r.complainant_name,
        complainant_phone: who.phone.as_ref().map(|p| p.as_str().to_string()),
        complainant_email: who.email.as_ref().map(|e| e.as_str().to_string()),
        complainant_kind: r.complainant_kind,
        project_code: project.code.clone(),
        project_name: project.name.clone(),
        org_path: r.org_path,
        building: r.building,
        unit: r.unit,
        location: r.location,
        stage: r.stage,
        subject: r.subject,
        description: r.description,
        demands: r.demands,
        households: r.households,
        received_at: r.received_at,
        suggested_department: r.suggested_department,
        lead_department_id: None,
        lead_department_code: None,
        lead_department_name: None,
        handler_id: None,
        handler_name: None,
        repeat_of: r.repeat_of,
        created_at: r.now,
        updated_at: r.now,
        accountable_user_id: None,
        accountable_name: None,
        complained_user_id: r.complained_user_id,
        assessment: None,
        plan: None,
        approvals_pending: 0,
        callback_done: false,
        satisfaction: None,
        escalation_level: 0,
        round: 1,
        merged_into: None,
        closed_at: None,
        archived_at: None,
    }
}

/// The acknowledgement of R-IN-4: number, next step and expected reply time, by SMS or e-mail.
async fn acknowledge(
    c: &mut Conn<'_>,
    new: &NewComplaint,
    number: &str,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    // General complaints are handled and replied within 24 hours (R-SLA-1, 002 §2.3).
    let reply_by = rfc3339_cn(new.received_at + chrono::Duration::hours(24));
    let payload = json!({
        "number": number,
        "zh": format!("您的投诉已受理，编号 {number}。我们将在1小时内联系您并安排专人处理，预计 {reply_by} 前答复。"),
        "en": format!("Your complaint has been registered as {number}. We will contact you within one hour and reply by {reply_by}."),
        "expected_reply_at": reply_by,
    });
    let (channel, recipient) = match (&new.complainant.phone, &new.complainant.email) {
        (Some(p), _) => ("sms", p.as_str().to_string()),
        (None, Some(e)) => ("email", e.as_str().to_string()),
        (None, None) => return Ok(()),
    };
    let message = outbox::Message {
        kind: "complaint_registered",
        channel,
        recipient: &recipient,
        complaint_id: Some(id),
        payload: &payload,
    };
    outbox::enqueue(c, &message, to_millis(now)).await?;
    Ok(())
}

/// The Chinese name of a default department code.
pub fn department_label(code: &str) -> Option<&'static str> {
    domain::org::DEFAULT_DEPARTMENTS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| l.zh)
}

/// Whether the caller may see a complaint: in scope through its org node or one of its
/// departments, and not the employee it is about (R-ORG-4, R-WF-3).
pub fn visible(who: &Principal, row_path: &str, complained: Option<i64>, departments: &[i64]) -> bool {
    complained != Some(who.user_id) && who.scope.admits(row_path, departments)
}

/// The ids of the departments a complaint is dispatched to.
async fn department_ids(c: &mut Conn<'_>, complaint: Uuid) -> AppResult<Vec<i64>> {
    Ok(store::workflow::departments(c, &[complaint])
        .await?
        .iter()
        .map(|d| d.department_id)
        .collect())
}

/// Locks a complaint for a change if the caller may see it, with its department ids; `None`
/// when it is unknown or hidden, which callers answer as 404 or as an unknown field value.
pub async fn lock_visible(
    c: &mut Conn<'_>,
    who: &Principal,
    number: &str,
) -> AppResult<Option<(store::workflow::WorkRow, Vec<i64>)>> {
    work_visible(c, who, number, true).await
}

/// Like [`lock_visible`]; without `for_update` it only reads (pages that show what one may do).
pub async fn work_visible(
    c: &mut Conn<'_>,
    who: &Principal,
    number: &str,
    for_update: bool,
) -> AppResult<Option<(store::workflow::WorkRow, Vec<i64>)>> {
    if !domain::number::is_well_formed(number) {
        return Ok(None);
    }
    let Some(w) = store::workflow::fetch(c, number, for_update).await? else {
        return Ok(None);
    };
    let linked = department_ids(c, w.id).await?;
    Ok(visible(who, &w.org_path, w.complained_user_id, &linked).then_some((w, linked)))
}

/// Reads a complaint the caller may see; 404 when it is unknown or hidden.
pub async fn read_visible(c: &mut Conn<'_>, who: &Principal, number: &str) -> AppResult<ComplaintRow> {
    if !domain::number::is_well_formed(number) {
        return Err(AppError::NotFound);
    }
    let row = complaints::by_number(c, number).await?.ok_or(AppError::NotFound)?;
    let linked = department_ids(c, row.id).await?;
    if !visible(who, &row.org_path, row.complained_user_id, &linked) {
        return Err(AppError::NotFound);
    }
    Ok(row)
}

/// One complaint in the caller's scope; outside scope is 404, like a missing one (R-ORG-4).
pub async fn get(state: &AppState, who: &Principal, number: &str) -> AppResult<Value> {
    if !domain::number::is_well_formed(number) {
        return Err(AppError::NotFound);
    }
    let mut r = state.store.reader().await?;
    let mut c = r.conn();
    let row = complaints::by_number(&mut c, number).await?.ok_or(AppError::NotFound)?;
    let related = Related::load(&mut c, &[row.id]).await?.visible_to(&who.scope);
    let ids: Vec<i64> = related.departments.iter().map(|d| d.department_id).collect();
    if !visible(who, &row.org_path, row.complained_user_id, &ids) {
        return Err(AppError::NotFound);
    }
    Ok(complaint_json(
        &row,
        &related,
        department_label(&row.suggested_department),
        state.clock.now(),
    ))
}

/// One page of complaints in the caller's scope, with the cursor of the next page.
pub async fn list(
    state: &AppState,
    who: &Principal,
    filter: &ListFilter,
) -> AppResult<(Vec<Value>, Option<(i64, Uuid)>)> {
    let mut r = state.store.reader().await?;
    let mut c = r.conn();
    let mut probe = filter.clone();
    probe.limit = filter.limit + 1;
    probe.viewer = Some(who.user_id);
    let mut rows = complaints::list(&mut c, &probe, &who.scope).await?;
    let more = rows.len() as i64 > filter.limit;
    rows.truncate(filter.limit as usize);
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let related = Related::load(&mut c, &ids).await?.visible_to(&who.scope);
    let now = state.clock.now();
    let next = if more {
        rows.last().map(|r| (r.received_at, r.id))
    } else {
        None
    };
    let items = rows
        .iter()
        .map(|row| complaint_json(row, &related, department_label(&row.suggested_department), now))
        .collect();
    Ok((items, next))
}
