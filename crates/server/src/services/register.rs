//! Registering complaints (R-IN-1…7, R-GR-1…3, R-SLA-1): what is decided before the
//! transaction, and the transaction, which registers every registration waiting at that moment
//! together. The registrar takes the queued registrations as one group into one transaction
//! with one multi-row statement per table (complaints, clocks, search documents, facts, events,
//! acknowledgements) instead of some thirty statements each; the group is acknowledged only
//! after its commit is durable, and a group that fails is retried one registration at a time,
//! so only the faulty one fails (issue 9, bench/RESULTS.md).

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::services::complaints::department_label;
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
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use store::complaints::{self, ComplainantInput, ComplaintRow, DeadlineRow, NewDeadline, NewRow};
use store::{audit, idempotency, org, outbox, Conn, Store};
use tokio::sync::{mpsc, oneshot};
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

/// Registers a complaint: number, person record, grading, classification, deadlines, the
/// `registered` event and the acknowledgement to the complainant, in one durable transaction
/// shared with the registrations arriving at the same time (R-IN-4).
pub async fn register(
    state: &AppState,
    who: &Principal,
    new: NewComplaint,
    key: Option<IdempotencyKey>,
) -> AppResult<Registered> {
    register_from(state, who, new, key, Origin::Live).await
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

/// Where a registration comes from.
pub enum Origin {
    /// Registered now: acknowledged to the complainant, checked for early warnings.
    Live,
    /// From an import file: neither; closed at the given time with the summary when it was.
    Imported(Option<(DateTime<Utc>, String)>),
}

/// [`register`] or [`register_imported`]: decided here, written by the registrar, replaying a
/// racing twin's answer.
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
    let decided = decide(state, who, &new, &settings.taxonomy).await?;
    let pending = Pending {
        who: who.clone(),
        new,
        decided,
        key: key.clone(),
        settings,
        now,
        origin,
    };
    match state.registrar.register(pending).await {
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

/// A registration decided and waiting for the registrar.
struct Pending {
    who: Principal,
    new: NewComplaint,
    decided: Decided,
    key: Option<IdempotencyKey>,
    settings: Arc<Settings>,
    now: DateTime<Utc>,
    origin: Origin,
}

/// Most registrations written by one transaction.
const MAX_GROUP: usize = 512;

type Queued = (Pending, oneshot::Sender<AppResult<Answer>>);

/// The registrar's answer to one registration: finished (a replay, or a response the
/// transaction had to store with its idempotency key), or the complaint as written, whose
/// response the request's own task builds, off the writer.
enum Answer {
    Done(Registered),
    Written(Box<Fresh>),
}

/// A complaint as written, with what its response shows.
struct Fresh {
    row: ComplaintRow,
    deadlines: Vec<DeadlineRow>,
    department: Option<&'static str>,
    now: DateTime<Utc>,
}

impl Fresh {
    /// The 201 answer with the complaint resource, as `GET /complaints/{number}` would show it.
    fn into_registered(self) -> Registered {
        let related = Related {
            deadlines: self.deadlines,
            ..Default::default()
        };
        Registered {
            status: 201,
            body: complaint_json(&self.row, &related, self.department, self.now),
            replayed: false,
        }
    }
}

impl Answer {
    fn into_registered(self) -> Registered {
        match self {
            Answer::Done(r) => r,
            Answer::Written(fresh) => fresh.into_registered(),
        }
    }
}

/// The registrar: a task that takes every registration waiting and writes them as one group.
/// While a group commits, the next one gathers, so the group grows with the load.
#[derive(Clone)]
pub struct Registrar {
    queue: mpsc::Sender<Queued>,
}

impl Registrar {
    /// Starts the registrar's task over a store; it ends when the last handle is dropped.
    pub fn start(store: Store, metrics: Arc<crate::metrics::Metrics>) -> Registrar {
        let (queue, rx) = mpsc::channel(MAX_GROUP * 2);
        tokio::spawn(run(store, metrics, rx));
        Registrar { queue }
    }

    async fn register(&self, p: Pending) -> AppResult<Registered> {
        let (done, answer) = oneshot::channel();
        let stopped = || AppError::Internal("the registrar has stopped".into());
        self.queue.send((p, done)).await.map_err(|_| stopped())?;
        Ok(answer.await.map_err(|_| stopped())??.into_registered())
    }
}

/// Groups in flight. On SQLite two: one being written while the one before is flushed to disk
/// (the store answers a write once its commit is durable, and its writer does not wait for the
/// disk); each group still sees the one before, as the writer runs them in order. On
/// PostgreSQL one, so that a group always sees the previous group's complaints (R-GR-2).
fn groups_in_flight(store: &Store) -> usize {
    match store.backend() {
        store::Backend::Sqlite => 2,
        store::Backend::Postgres => 1,
    }
}

async fn run(store: Store, metrics: Arc<crate::metrics::Metrics>, mut rx: mpsc::Receiver<Queued>) {
    let slots = Arc::new(tokio::sync::Semaphore::new(groups_in_flight(&store)));
    loop {
        // A group gathers until a slot is free, then takes everything waiting.
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        let mut queued = Vec::with_capacity(MAX_GROUP);
        if rx.recv_many(&mut queued, MAX_GROUP).await == 0 {
            return;
        }
        metrics.registration_groups.observe(queued.len() as f64);
        let store = store.clone();
        tokio::spawn(async move {
            write_and_answer(&store, queued).await;
            drop(slot);
        });
    }
}

/// Writes one group and answers each of its registrations.
async fn write_and_answer(store: &Store, queued: Vec<Queued>) {
    let (items, replies): (Vec<Pending>, Vec<_>) = queued.into_iter().unzip();
    let items = Arc::new(items);
    let answers = match write_group(store, &items, 0..items.len()).await {
        Ok(answers) => answers,
        Err(e) if items.len() == 1 => vec![Err(e)],
        // One registration failed the group: each is written alone (still committed
        // together by the store's writer), so only the faulty one fails.
        Err(_) => {
            let alone = (0..items.len()).map(|i| {
                let items = items.clone();
                async move {
                    write_group(store, &items, i..i + 1)
                        .await
                        .and_then(|mut a| a.pop().ok_or_else(|| AppError::Internal("no answer".into()))?)
                }
            });
            futures::future::join_all(alone).await
        }
    };
    for (answer, done) in answers.into_iter().zip(replies) {
        let _ = done.send(answer);
    }
}

/// Writes `items[range]` in one transaction; a panic is an error, not the registrar's end.
async fn write_group(
    store: &Store,
    items: &Arc<Vec<Pending>>,
    range: std::ops::Range<usize>,
) -> AppResult<Vec<AppResult<Answer>>> {
    let items = items.clone();
    let write = store.write(move |c| async move { register_group(c, &items[range]).await }.boxed());
    AssertUnwindSafe(write)
        .catch_unwind()
        .await
        .unwrap_or_else(|_| Err(AppError::Internal("a registration panicked".into())))
}

/// A complaint of the group as it is being written.
struct Written<'a> {
    p: &'a Pending,
    row: NewRow,
    deadlines: Vec<DeadlineRow>,
    reasons: Vec<String>,
}

/// The group's transaction. Each one's answer is its own: a replayed key answers as before
/// and writes nothing; everything else is written together.
async fn register_group(c: &mut Conn<'_>, items: &[Pending]) -> AppResult<Vec<AppResult<Answer>>> {
    let mut answers: Vec<Option<AppResult<Answer>>> = Vec::with_capacity(items.len());
    for p in items {
        answers.push(match &p.key {
            Some(key) => idempotency::get(c, p.who.user_id, &key.key)
                .await?
                .map(|stored| replay(stored, key).map(Answer::Done)),
            None => None,
        });
    }
    let fresh: Vec<&Pending> = items
        .iter()
        .zip(&answers)
        .filter(|(_, a)| a.is_none())
        .map(|(p, _)| p)
        .collect();
    let written = write_complaints(c, &fresh).await?;
    let mut fresh = finish(c, &written).await?.into_iter();
    Ok(answers
        .into_iter()
        .map(|a| a.unwrap_or_else(|| fresh.next().ok_or_else(|| AppError::Internal("no answer".into()))))
        .collect())
}

/// Numbers, person records, complaints, clocks and search documents of the group.
async fn write_complaints<'a>(c: &mut Conn<'_>, fresh: &[&'a Pending]) -> AppResult<Vec<Written<'a>>> {
    // The serials of each month, taken at once in the group's order (R-IN-3).
    let mut serials: Vec<(String, i64)> = Vec::new();
    for p in fresh {
        let month = month_key(p.now);
        match serials.iter_mut().find(|(m, _)| *m == month) {
            Some((_, n)) => *n += 1,
            None => serials.push((month, 1)),
        }
    }
    let mut next: HashMap<String, i64> = HashMap::new();
    for (month, n) in serials {
        let first = complaints::next_serials(c, &month, n).await?;
        next.insert(month, first);
    }
    // The person records, then the open complaints they repeat, each for the group at once.
    let people: Vec<(ComplainantInput, i64)> = fresh
        .iter()
        .map(|p| {
            let who = &p.new.complainant;
            let person = ComplainantInput {
                name: &who.name,
                phone: who.phone.as_ref().map(|p| p.as_str()),
                email: who.email.as_ref().map(|e| e.as_str()),
                kind: who.kind.code(),
            };
            (person, to_millis(p.now))
        })
        .collect();
    let person_ids = complaints::upsert_complainants(c, &people).await?;
    let keys: Vec<(Uuid, i64, &str)> = fresh
        .iter()
        .zip(&person_ids)
        .map(|(p, id)| (*id, p.decided.project.id, p.decided.category.code.as_str()))
        .collect();
    let stored_repeats = complaints::open_repeats_of(c, &keys).await?;
    let mut written: Vec<Written<'a>> = Vec::with_capacity(fresh.len());
    let mut clocks = Vec::new();
    for ((p, complainant_id), stored_repeat) in fresh.iter().zip(person_ids).zip(stored_repeats) {
        let (new, d) = (&p.new, &p.decided);
        let now_ms = to_millis(p.now);
        // An open complaint of the same person, project and category: the latest of the group
        // first (not stored yet), else the latest stored one.
        let earlier = written.iter().rev().find(|w| {
            w.row.complainant_id == complainant_id
                && w.row.project_id == d.project.id
                && w.row.category_code == d.category.code
        });
        let repeat_of = earlier.map(|w| w.row.number.clone()).or(stored_repeat);
        // Only a repeat complaint changes the text rules' grade (R-GR-2: one grade up).
        let decision = match &repeat_of {
            Some(number) => grading_of(new, &d.text, Some(number), &p.settings.taxonomy),
            None => d.by_text.clone(),
        };
        let month = month_key(p.now);
        let slot = next
            .get_mut(&month)
            .ok_or_else(|| AppError::Internal("no serial".into()))?;
        let serial = *slot;
        *slot += 1;
        let id = Uuid::now_v7();
        let row = NewRow {
            id,
            number: domain::number::format(&month, serial),
            month,
            serial,
            grade: decision.grade.code().into(),
            grade_decided_by: decision.decided_by.code().into(),
            suggested_grade: decision.suggested.code().into(),
            grade_reasons: json!(decision.reasons).to_string(),
            grade_note: new.grade_reason.clone(),
            category_code: d.category.code.clone(),
            category_decided_by: d.category_by.code().into(),
            category_reasons: json!(d.category_reasons).to_string(),
            channel: new.channel.code().into(),
            complainant_id,
            complainant_name: new.complainant.name.clone(),
            complainant_kind: new.complainant.kind.code().into(),
            project_id: d.project.id,
            org_path: d.project.path.clone(),
            building: new.building.clone(),
            unit: new.unit.clone(),
            location: new.location.clone(),
            stage: new.stage.map(|s| s.code().to_string()),
            subject: new.subject.clone(),
            description: new.description.clone(),
            demands: new.demands.clone(),
            households: new.households,
            received_at: to_millis(new.received_at),
            registered_by: Some(p.who.user_id),
            suggested_department: d.category.department.clone(),
            repeat_of,
            complained_user_id: d.complained_user_id,
            now: now_ms,
        };
        // Every clock that starts at receipt (R-SLA-1), working-day ones on the calendar (R-SLA-2).
        let policies = policies_for(
            &default_policies(),
            &p.settings.clock_overrides,
            decision.grade,
            &d.category.code,
        );
        let deadlines = started_by(
            Trigger::Received,
            decision.grade,
            new.received_at,
            &policies,
            &p.settings.calendar,
            p.settings.close_at(&d.project.path),
        );
        for dl in &deadlines {
            clocks.push(NewDeadline {
                complaint_id: id,
                started_at: to_millis(new.received_at),
                clock: dl.clock.code(),
                due_at: to_millis(dl.due_at),
                state: dl.state.code(),
                next_action_at: to_millis(domain::sweep::warn_at(new.received_at, dl.due_at)),
            });
        }
        let deadlines = deadlines
            .iter()
            .map(|dl| DeadlineRow {
                complaint_id: id,
                clock: dl.clock.code().into(),
                due_at: to_millis(dl.due_at),
                state: dl.state.code().into(),
                met_at: None,
            })
            .collect();
        written.push(Written {
            p,
            row,
            deadlines,
            reasons: decision.reasons,
        });
    }
    let rows: Vec<&NewRow> = written.iter().map(|w| &w.row).collect();
    complaints::insert_many(c, &rows).await?;
    complaints::insert_deadlines(c, &clocks).await?;
    let docs: Vec<(Uuid, i64, &[String])> = written
        .iter()
        .map(|w| (w.row.id, w.row.received_at, w.p.decided.words.as_slice()))
        .collect();
    store::search::add_new(c, &docs).await?;
    Ok(written)
}

/// Imported closures, roll-up, early warnings, events, acknowledgements and idempotency keys
/// of the group; returns each one's answer.
async fn finish(c: &mut Conn<'_>, written: &[Written<'_>]) -> AppResult<Vec<Answer>> {
    for w in written {
        if let Origin::Imported(Some((at, _))) = &w.p.origin {
            // Closed in the earlier system: closed here too, its clocks no longer chased.
            let mut work = store::workflow::lock(c, &w.row.number)
                .await?
                .ok_or_else(|| AppError::Internal("imported complaint vanished".into()))?;
            store::workflow::stop_sweeping(c, w.row.id).await?;
            work.state = domain::State::Closed.code().into();
            work.closed_at = Some(to_millis(*at));
            store::workflow::save(c, &work, to_millis(w.p.now)).await?;
        }
    }
    let ids: Vec<Uuid> = written.iter().map(|w| w.row.id).collect();
    store::rollup::refresh_many(c, &ids).await?;
    // Early warning (R-AN-5): media, petitions, lawsuits, recurring defects, forming groups.
    // Complaints imported from an earlier system raise none: they are history, not news. The
    // counts behind the checks are made for the whole group in one statement.
    let live: Vec<&Written> = written.iter().filter(|w| matches!(w.p.origin, Origin::Live)).collect();
    let texts: Vec<String> = live
        .iter()
        .map(|w| {
            let new = &w.p.new;
            format!(
                "{}\n{}\n{}",
                new.subject,
                new.description,
                new.demands.as_deref().unwrap_or_default()
            )
        })
        .collect();
    let checked: Vec<crate::services::warnings::Registered> = live
        .iter()
        .zip(&texts)
        .map(|(w, text)| {
            let (new, d) = (&w.p.new, &w.p.decided);
            crate::services::warnings::Registered {
                id: w.row.id,
                number: &w.row.number,
                project: (d.project.id, &d.project.code, &d.project.path),
                building: new.building.as_deref(),
                category: (&d.category.code, &d.category.name_zh, &d.category.name_en),
                reasons: &w.reasons,
                text,
                received_at: new.received_at,
                now: w.p.now,
            }
        })
        .collect();
    let probes: Vec<Vec<store::warnings::Probe>> = checked.iter().map(crate::services::warnings::probes).collect();
    let flat: Vec<store::warnings::Probe> = probes.iter().flatten().cloned().collect();
    let mut counts = store::warnings::count_many(c, &flat).await?.into_iter();
    for (r, probes) in checked.iter().zip(&probes) {
        let mine: Vec<i64> = counts.by_ref().take(probes.len()).collect();
        crate::services::warnings::on_registered(c, r, &mine).await?;
    }
    // The `registered` event records the complaint as stored (R-SEC-3); the response, with its
    // labels and clocks, is built by the request's task after the commit.
    let mut payloads = Vec::with_capacity(written.len());
    for w in written {
        let by = &w.p.who.username;
        let after = registered_record(w);
        match &w.p.origin {
            Origin::Live => payloads.push((w, "registered", json!({"after": after, "registered_by": by}))),
            Origin::Imported(closed) => {
                payloads.push((
                    w,
                    "registered",
                    json!({"after": after, "registered_by": by, "imported": true}),
                ));
                if let Some((at, summary)) = closed {
                    let payload = json!({"action": "close", "imported": true, "after": {"state": "closed"},
                        "detail": {"summary": summary, "closed_at": rfc3339_cn(*at)}});
                    payloads.push((w, "close", payload));
                }
            }
        }
    }
    let events: Vec<audit::NewEvent> = payloads
        .iter()
        .map(|(w, kind, payload)| audit::NewEvent {
            complaint_id: Some(w.row.id),
            at_ms: to_millis(w.p.now),
            actor_id: Some(w.p.who.user_id),
            kind,
            payload,
        })
        .collect();
    audit::append_many(c, &events).await?;
    let acks: Vec<(String, String, Value, &Written)> = written
        .iter()
        .filter(|w| matches!(w.p.origin, Origin::Live))
        .filter_map(|w| acknowledgement(&w.p.new, &w.row.number).map(|(ch, to, payload)| (ch, to, payload, w)))
        .collect();
    let messages: Vec<(outbox::Message, i64)> = acks
        .iter()
        .map(|(channel, recipient, payload, w)| {
            let m = outbox::Message {
                kind: "complaint_registered",
                channel,
                recipient,
                complaint_id: Some(w.row.id),
                payload,
            };
            (m, to_millis(w.p.now))
        })
        .collect();
    outbox::enqueue_many(c, &messages).await?;
    let mut answers = Vec::with_capacity(written.len());
    for w in written {
        let d = &w.p.decided;
        let fresh = Fresh {
            row: written_row(w.row.clone(), &d.category, &d.project, &w.p.new.complainant),
            deadlines: w.deadlines.clone(),
            department: department_label(&d.category.department),
            now: w.p.now,
        };
        // A keyed registration stores its response with the key, so it is built here.
        answers.push(match &w.p.key {
            Some(key) => {
                let answer = fresh.into_registered();
                idempotency::put(
                    c,
                    w.p.who.user_id,
                    &key.key,
                    &key.request_hash,
                    201,
                    &answer.body.to_string(),
                    to_millis(w.p.now),
                )
                .await?;
                Answer::Done(answer)
            }
            None => Answer::Written(Box::new(fresh)),
        });
    }
    Ok(answers)
}

/// The complaint as the `registered` event records it: what was stored, without the labels
/// and links of the resource and without the complainant's contact details.
fn registered_record(w: &Written<'_>) -> Value {
    let r = &w.row;
    json!({
        "number": r.number,
        "grade": r.grade,
        "grade_decided_by": r.grade_decided_by,
        "category": r.category_code,
        "category_decided_by": r.category_decided_by,
        "channel": r.channel,
        "project": w.p.decided.project.code,
        "building": r.building,
        "unit": r.unit,
        "location": r.location,
        "stage": r.stage,
        "complainant": r.complainant_name,
        "complainant_kind": r.complainant_kind,
        "subject": r.subject,
        "description": r.description,
        "demands": r.demands,
        "households": r.households,
        "received_at": rfc3339_cn(w.p.new.received_at),
        "repeat_of": r.repeat_of,
        "suggested_department": r.suggested_department,
    })
}

/// The acknowledgement of R-IN-4 (number, next step and expected reply time) as channel,
/// recipient and payload: by SMS, else e-mail, else none.
fn acknowledgement(new: &NewComplaint, number: &str) -> Option<(String, String, Value)> {
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
        (None, None) => return None,
    };
    Some((channel.to_string(), recipient, payload))
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
