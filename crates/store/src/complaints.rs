//! Complaints: numbering, complainant records, insertion, reading and filtered listing
//! (R-IN-2, R-IN-3, R-ORG-4, R-ORG-5).

use crate::error::Result;
use crate::{on_conn, Conn};
use domain::access::Scope;
use domain::org::prefix_upper_bound;
use uuid::Uuid;

/// Takes the next serial of a month (R-IN-3). The counter row is updated in the registering
/// transaction, so serials are gap-free (a rollback returns the number) and unique across
/// processes (PostgreSQL holds the row lock until commit; SQLite has one writer).
pub async fn next_serial(c: &mut Conn<'_>, month: &str) -> Result<i64> {
    next_serials(c, month, 1).await
}

/// Takes `n` consecutive serials of the month at once; returns the first.
pub async fn next_serials(c: &mut Conn<'_>, month: &str, n: i64) -> Result<i64> {
    let last: i64 = on_conn!(c, |c| sqlx::query_scalar(
        "INSERT INTO month_counter (month, value) VALUES ($1, $2) \
         ON CONFLICT (month) DO UPDATE SET value = month_counter.value + $2 RETURNING value"
    )
    .bind(month)
    .bind(n)
    .fetch_one(&mut **c)
    .await)?;
    Ok(last - n + 1)
}

/// A complainant's contact as given at intake.
#[derive(Debug, Clone)]
pub struct ComplainantInput<'a> {
    /// Name.
    pub name: &'a str,
    /// Normalised phone.
    pub phone: Option<&'a str>,
    /// E-mail.
    pub email: Option<&'a str>,
    /// Kind code.
    pub kind: &'a str,
}

/// Finds the person record by phone (else by e-mail) or creates it; returns its id (R-ORG-5).
pub async fn upsert_complainant(c: &mut Conn<'_>, p: &ComplainantInput<'_>, now_ms: i64) -> Result<Uuid> {
    let new_id = Uuid::now_v7();
    if let Some(phone) = p.phone {
        return Ok(on_conn!(c, |c| {
            sqlx::query_scalar(
            "INSERT INTO complainant (id, name, phone, email, kind, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) \
             ON CONFLICT (phone) DO UPDATE SET name = excluded.name, email = COALESCE(excluded.email, complainant.email), \
             updated_at = excluded.updated_at RETURNING id"
        )
        .bind(new_id)
        .bind(p.name)
        .bind(phone)
        .bind(p.email)
        .bind(p.kind)
        .bind(now_ms)
        .fetch_one(&mut **c)
        .await
        })?);
    }
    let existing: Option<Uuid> = on_conn!(c, |c| {
        sqlx::query_scalar("SELECT id FROM complainant WHERE email = $1 AND phone IS NULL ORDER BY created_at LIMIT 1")
            .bind(p.email)
            .fetch_optional(&mut **c)
            .await
    })?;
    if let Some(id) = existing {
        return Ok(id);
    }
    on_conn!(c, |c| {
        sqlx::query(
        "INSERT INTO complainant (id, name, phone, email, kind, created_at, updated_at) VALUES ($1, $2, NULL, $3, $4, $5, $5)"
    )
    .bind(new_id)
    .bind(p.name)
    .bind(p.email)
    .bind(p.kind)
    .bind(now_ms)
    .execute(&mut **c)
    .await.map(|_| ())
    })?;
    Ok(new_id)
}

/// The states in which a matter is still open.
pub const OPEN_STATES: &str =
    "('registered','dispatched','investigating','awaiting_approval','implementing','replied','awaiting_callback')";

/// [`upsert_complainant`] for several contacts at once, in order: everyone with a phone in one
/// statement (a phone given twice is one person, with the last name and e-mail given), the
/// rest one by one. Returns each contact's person id.
pub async fn upsert_complainants(c: &mut Conn<'_>, people: &[(ComplainantInput<'_>, i64)]) -> Result<Vec<Uuid>> {
    let mut by_phone: Vec<(&str, ComplainantInput<'_>, i64)> = Vec::new();
    for (p, now) in people {
        let Some(phone) = p.phone else { continue };
        match by_phone.iter_mut().find(|(ph, _, _)| *ph == phone) {
            Some((_, seen, at)) => {
                seen.name = p.name;
                seen.email = p.email.or(seen.email);
                *at = *now;
            }
            None => by_phone.push((phone, p.clone(), *now)),
        }
    }
    let mut ids: std::collections::HashMap<String, Uuid> = std::collections::HashMap::new();
    for chunk in crate::shaped(&by_phone, ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO complainant (id, name, phone, email, kind, created_at, updated_at) VALUES {} \
             ON CONFLICT (phone) DO UPDATE SET name = excluded.name, email = COALESCE(excluded.email, complainant.email), \
             updated_at = excluded.updated_at RETURNING id, phone",
            crate::values_rows(c.backend(), chunk.len(), 7)
        );
        let rows: Vec<(Uuid, String)> = on_conn!(c, |c| {
            let mut q = sqlx::query_as(&sql);
            for (phone, p, now) in chunk {
                q = q
                    .bind(Uuid::now_v7())
                    .bind(p.name)
                    .bind(*phone)
                    .bind(p.email)
                    .bind(p.kind)
                    .bind(*now)
                    .bind(*now);
            }
            q.fetch_all(&mut **c).await
        })?;
        ids.extend(rows.into_iter().map(|(id, phone)| (phone, id)));
    }
    let mut out = Vec::with_capacity(people.len());
    for (p, now) in people {
        out.push(match p.phone {
            Some(phone) => *ids.get(phone).ok_or_else(|| sqlx::Error::RowNotFound)?,
            None => upsert_complainant(c, p, *now).await?,
        });
    }
    Ok(out)
}

/// For each (person, project, category), in order, the newest open complaint of that person in
/// that project and category, if any: a new one is then a repeat complaint (二次投诉, R-GR-2).
/// One statement per 128.
pub async fn open_repeats_of(c: &mut Conn<'_>, keys: &[(Uuid, i64, &str)]) -> Result<Vec<Option<String>>> {
    let mut out = Vec::with_capacity(keys.len());
    for chunk in crate::shaped(keys, 128) {
        let mut p = crate::Params::new(c.backend());
        let parts: Vec<String> = chunk
            .iter()
            .map(|_| {
                let (who, project, category) = (p.next(), p.next(), p.next());
                format!(
                    "SELECT number FROM complaint WHERE complainant_id = {who} AND project_id = {project} \
                     AND category_code = {category} AND state IN {OPEN_STATES} ORDER BY received_at DESC LIMIT 1"
                )
            })
            .collect();
        let sql = crate::each_in_order(&parts);
        let rows: Vec<(i64, Option<String>)> = on_conn!(c, |c| {
            let mut q = sqlx::query_as(&sql);
            for (who, project, category) in chunk {
                q = q.bind(*who).bind(*project).bind(*category);
            }
            q.fetch_all(&mut **c).await
        })?;
        out.extend(rows.into_iter().map(|(_, n)| n));
    }
    Ok(out)
}

/// A complaint to insert, every field decided.
#[derive(Debug, Clone)]
pub struct NewRow {
    /// Id (UUIDv7).
    pub id: Uuid,
    /// Number.
    pub number: String,
    /// `YYYYMM`.
    pub month: String,
    /// Serial within the month.
    pub serial: i64,
    /// Grade code.
    pub grade: String,
    /// `rules` or `agent`.
    pub grade_decided_by: String,
    /// What the rules suggested.
    pub suggested_grade: String,
    /// JSON array of reasons.
    pub grade_reasons: String,
    /// The agent's reason for the grade.
    pub grade_note: Option<String>,
    /// Category code.
    pub category_code: String,
    /// `rules` or `agent`.
    pub category_decided_by: String,
    /// JSON array of reasons.
    pub category_reasons: String,
    /// Channel code.
    pub channel: String,
    /// Person record.
    pub complainant_id: Uuid,
    /// Name given at intake.
    pub complainant_name: String,
    /// Kind code.
    pub complainant_kind: String,
    /// Project node id.
    pub project_id: i64,
    /// Project node path.
    pub org_path: String,
    /// Building.
    pub building: Option<String>,
    /// Unit.
    pub unit: Option<String>,
    /// Location.
    pub location: Option<String>,
    /// Stage code.
    pub stage: Option<String>,
    /// Subject.
    pub subject: String,
    /// Description.
    pub description: String,
    /// Demands.
    pub demands: Option<String>,
    /// Households.
    pub households: i32,
    /// Received (ms).
    pub received_at: i64,
    /// Registering user.
    pub registered_by: Option<i64>,
    /// Department code suggested by the category.
    pub suggested_department: String,
    /// Number of the open complaint this repeats.
    pub repeat_of: Option<String>,
    /// The employee complained about (R-WF-3).
    pub complained_user_id: Option<i64>,
    /// Now (ms).
    pub now: i64,
}

/// Rows per multi-row insert of complaints (35 parameters each, well under both databases'
/// limits).
const ROWS_PER_INSERT: usize = 128;

/// Inserts complaints at version 1 in state `registered`, many rows per statement.
pub async fn insert_many(c: &mut Conn<'_>, rows: &[&NewRow]) -> Result<()> {
    for chunk in crate::shaped(rows, ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO complaint (id, number, month, serial, version, state, grade, grade_decided_by, suggested_grade, grade_reasons, \
             grade_note, category_code, category_decided_by, category_reasons, channel, complainant_id, complainant_name, complainant_kind, \
             project_id, org_path, building, unit, location, stage, subject, description, demands, households, received_at, registered_by, \
             suggested_department, repeat_of, created_at, updated_at, complained_user_id) VALUES {}",
            crate::values_rows(c.backend(), chunk.len(), 35)
        );
        on_conn!(c, |c| {
            let mut q = sqlx::query(&sql);
            for r in chunk {
                q = q
                    .bind(r.id)
                    .bind(&r.number)
                    .bind(&r.month)
                    .bind(r.serial)
                    .bind(1_i64)
                    .bind("registered")
                    .bind(&r.grade)
                    .bind(&r.grade_decided_by)
                    .bind(&r.suggested_grade)
                    .bind(&r.grade_reasons)
                    .bind(&r.grade_note)
                    .bind(&r.category_code)
                    .bind(&r.category_decided_by)
                    .bind(&r.category_reasons)
                    .bind(&r.channel)
                    .bind(r.complainant_id)
                    .bind(&r.complainant_name)
                    .bind(&r.complainant_kind)
                    .bind(r.project_id)
                    .bind(&r.org_path)
                    .bind(&r.building)
                    .bind(&r.unit)
                    .bind(&r.location)
                    .bind(&r.stage)
                    .bind(&r.subject)
                    .bind(&r.description)
                    .bind(&r.demands)
                    .bind(r.households)
                    .bind(r.received_at)
                    .bind(r.registered_by)
                    .bind(&r.suggested_department)
                    .bind(&r.repeat_of)
                    .bind(r.now)
                    .bind(r.now)
                    .bind(r.complained_user_id);
            }
            q.execute(&mut **c).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// Inserts one complaint (see [`insert_many`]).
pub async fn insert(c: &mut Conn<'_>, r: &NewRow) -> Result<()> {
    insert_many(c, &[r]).await
}

/// A clock to insert for a new complaint.
#[derive(Debug, Clone)]
pub struct NewDeadline {
    /// The complaint.
    pub complaint_id: Uuid,
    /// When the clock started (ms).
    pub started_at: i64,
    /// Clock code.
    pub clock: &'static str,
    /// Due (ms).
    pub due_at: i64,
    /// State code.
    pub state: &'static str,
    /// When the sweep first looks at it (ms).
    pub next_action_at: i64,
}

/// Inserts clocks, many rows per statement.
pub async fn insert_deadlines(c: &mut Conn<'_>, rows: &[NewDeadline]) -> Result<()> {
    for chunk in crate::shaped(rows, ROWS_PER_INSERT * 4) {
        let sql = format!(
            "INSERT INTO deadline (complaint_id, started_at, clock, due_at, state, next_action_at) VALUES {}",
            crate::values_rows(c.backend(), chunk.len(), 6)
        );
        on_conn!(c, |c| {
            let mut q = sqlx::query(&sql);
            for d in chunk {
                q = q
                    .bind(d.complaint_id)
                    .bind(d.started_at)
                    .bind(d.clock)
                    .bind(d.due_at)
                    .bind(d.state)
                    .bind(d.next_action_at);
            }
            q.execute(&mut **c).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// A complaint as read, with its joined names.
#[derive(Debug, Clone, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct ComplaintRow {
    pub id: Uuid,
    pub number: String,
    pub version: i64,
    pub state: String,
    pub grade: String,
    pub grade_decided_by: String,
    pub suggested_grade: String,
    pub grade_reasons: String,
    pub grade_note: Option<String>,
    pub category_code: String,
    pub category_name_zh: String,
    pub category_name_en: String,
    pub category_decided_by: String,
    pub category_reasons: String,
    pub channel: String,
    pub complainant_id: Uuid,
    pub complainant_name: String,
    pub complainant_phone: Option<String>,
    pub complainant_email: Option<String>,
    pub complainant_kind: String,
    pub project_code: String,
    pub project_name: String,
    pub org_path: String,
    pub building: Option<String>,
    pub unit: Option<String>,
    pub location: Option<String>,
    pub stage: Option<String>,
    pub subject: String,
    pub description: String,
    pub demands: Option<String>,
    pub households: i32,
    pub received_at: i64,
    pub suggested_department: String,
    pub lead_department_id: Option<i64>,
    pub lead_department_code: Option<String>,
    pub lead_department_name: Option<String>,
    pub handler_id: Option<i64>,
    pub handler_name: Option<String>,
    pub repeat_of: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub accountable_user_id: Option<i64>,
    pub accountable_name: Option<String>,
    pub complained_user_id: Option<i64>,
    pub assessment: Option<String>,
    pub plan: Option<String>,
    pub approvals_pending: i32,
    pub callback_done: bool,
    pub satisfaction: Option<String>,
    pub escalation_level: i32,
    pub round: i32,
    pub merged_into: Option<String>,
    pub closed_at: Option<i64>,
    pub archived_at: Option<i64>,
}

const SELECT: &str = "SELECT c.id, c.number, c.version, c.state, c.grade, c.grade_decided_by, c.suggested_grade, c.grade_reasons, \
    c.grade_note, c.category_code, cat.name_zh AS category_name_zh, cat.name_en AS category_name_en, c.category_decided_by, \
    c.category_reasons, c.channel, c.complainant_id, c.complainant_name, p.phone AS complainant_phone, p.email AS complainant_email, \
    c.complainant_kind, n.code AS project_code, n.name AS project_name, c.org_path, c.building, c.unit, c.location, c.stage, \
    c.subject, c.description, c.demands, c.households, c.received_at, c.suggested_department, c.lead_department_id, \
    d.code AS lead_department_code, d.name AS lead_department_name, c.handler_id, u.display_name AS handler_name, c.repeat_of, \
    c.created_at, c.updated_at, c.accountable_user_id, a.display_name AS accountable_name, c.complained_user_id, \
    c.assessment, c.plan, c.approvals_pending, c.callback_done, c.satisfaction, c.escalation_level, c.round, c.merged_into, \
    c.closed_at, c.archived_at \
    FROM complaint c JOIN complainant p ON p.id = c.complainant_id JOIN org_node n ON n.id = c.project_id \
    JOIN category cat ON cat.code = c.category_code LEFT JOIN department d ON d.id = c.lead_department_id \
    LEFT JOIN app_user u ON u.id = c.handler_id LEFT JOIN app_user a ON a.id = c.accountable_user_id";

/// One complaint by number, regardless of scope (the caller checks scope).
pub async fn by_number(c: &mut Conn<'_>, number: &str) -> Result<Option<ComplaintRow>> {
    let sql = format!("{SELECT} WHERE c.number = $1");
    Ok(on_conn!(c, |c| sqlx::query_as::<_, ComplaintRow>(&sql)
        .bind(number)
        .fetch_optional(&mut **c)
        .await)?)
}

/// A stored deadline.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeadlineRow {
    /// Complaint id.
    pub complaint_id: Uuid,
    /// Clock code.
    pub clock: String,
    /// Due (ms).
    pub due_at: i64,
    /// State code.
    pub state: String,
    /// Met (ms).
    pub met_at: Option<i64>,
}

/// The deadlines of several complaints, soonest first.
pub async fn deadlines_of(c: &mut Conn<'_>, ids: &[Uuid]) -> Result<Vec<DeadlineRow>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT complaint_id, clock, due_at, state, met_at FROM deadline WHERE complaint_id IN ({}) ORDER BY due_at, clock",
        placeholders.join(", ")
    );
    Ok(on_conn!(c, |c| {
        let mut q = sqlx::query_as::<_, DeadlineRow>(&sql);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(&mut **c).await
    })?)
}

/// Filters of `GET /api/v1/complaints`; every list is OR within itself and AND across.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// State codes.
    pub states: Vec<String>,
    /// Grade codes.
    pub grades: Vec<String>,
    /// Channel codes.
    pub channels: Vec<String>,
    /// Category codes; a top-level code includes its children.
    pub categories: Vec<String>,
    /// Project codes.
    pub projects: Vec<String>,
    /// Only complaints with a breached clock as of this instant (ms).
    pub overdue_at: Option<i64>,
    /// Received at or after (ms).
    pub received_from: Option<i64>,
    /// Received before (ms).
    pub received_before: Option<i64>,
    /// Keyset position: (received_at, id) of the last item of the previous page.
    pub after: Option<(i64, Uuid)>,
    /// Page size.
    pub limit: i64,
    /// The viewing user: complaints about this person are hidden from them (R-WF-3).
    pub viewer: Option<i64>,
    /// Archived at or after (ms): the archive is filed by year (R-WF-9).
    pub archived_from: Option<i64>,
    /// Archived before (ms).
    pub archived_before: Option<i64>,
    /// Only complaints this user handles.
    pub handler: Option<i64>,
    /// Only complaints with a clock still running that falls due in [from, to) (ms).
    pub due_between: Option<(i64, i64)>,
    /// Oldest received first instead of newest.
    pub oldest_first: bool,
    /// With `due_between`: soonest due first, driven from the deadline index (a complaint with
    /// several clocks in the window appears once per clock; callers dedupe). Ignores `after`.
    pub due_order: bool,
    /// Only complaints of the complainant with this (normalised) phone.
    pub phone: Option<String>,
    /// Only complaints from this unit: building and unit, as typed at registration.
    pub unit: Option<(String, String)>,
    /// Full-text search: complaints whose text has every one of these words (R-AN-1).
    pub words: Vec<String>,
    /// Only complaints about this staff member (R-WF-3).
    pub complained: Option<i64>,
    /// Only complaints led by a department with one of these codes (in any project).
    pub departments: Vec<String>,
    /// With `overdue_at`: check each complaint's clocks while walking the list's order instead
    /// of first gathering every overdue complaint. `list` chooses it when many are overdue.
    pub overdue_walk: bool,
}

pub(crate) enum Arg {
    Text(String),
    Int(i64),
    Id(Uuid),
}

/// WHERE clauses and their arguments, numbered `$1`….
pub(crate) struct Sql {
    pub(crate) clauses: Vec<String>,
    pub(crate) args: Vec<Arg>,
}

/// Binds every argument of a [`Sql`] to a query, in order.
macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for a in &$args {
            query = match a {
                $crate::complaints::Arg::Text(s) => query.bind(s.as_str()),
                $crate::complaints::Arg::Int(i) => query.bind(*i),
                $crate::complaints::Arg::Id(u) => query.bind(*u),
            };
        }
        query
    }};
}
pub(crate) use bind_all;

impl Sql {
    pub(crate) fn where_sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }

    pub(crate) fn arg(&mut self, a: Arg) -> String {
        self.args.push(a);
        format!("${}", self.args.len())
    }

    /// Continues after a cursor (receipt time, id) in the list's order, if there is one.
    fn after(&mut self, cursor: Option<(i64, Uuid)>, oldest_first: bool) {
        let Some((at, id)) = cursor else {
            return;
        };
        let (a, a2, i) = (self.arg(Arg::Int(at)), self.arg(Arg::Int(at)), self.arg(Arg::Id(id)));
        let cmp = if oldest_first { ">" } else { "<" };
        self.clauses.push(format!(
            "(c.received_at {cmp} {a} OR (c.received_at = {a2} AND c.id {cmp} {i}))"
        ));
    }

    fn any_of(&mut self, column: &str, values: &[String]) {
        if values.is_empty() {
            return;
        }
        let ps: Vec<String> = values.iter().map(|v| self.arg(Arg::Text(v.clone()))).collect();
        self.clauses.push(format!("{column} IN ({})", ps.join(", ")));
    }
}

/// Overdue clocks counted up to this many make "overdue only" walk the list instead of
/// gathering every overdue complaint first (bench/RESULTS.md: 2 ms with a few overdue, 7.4 s
/// gathering a million).
pub const OVERDUE_WALK_FROM: i64 = 2_000;

/// Whether at least `cap` clocks are overdue as of `now_ms` (breached, or running past due).
async fn overdue_at_least(c: &mut Conn<'_>, now_ms: i64, cap: i64) -> Result<bool> {
    let n: i64 = on_conn!(c, |c| sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM deadline WHERE state = 'breached' LIMIT $2) a) \
         + (SELECT COUNT(*) FROM (SELECT 1 FROM deadline WHERE state = 'running' AND due_at < $1 LIMIT $2) b)"
    )
    .bind(now_ms)
    .bind(cap)
    .fetch_one(&mut **c)
    .await)?;
    Ok(n >= cap)
}

/// One page of complaints in scope, newest received first (or oldest, as the filter says).
pub async fn list(c: &mut Conn<'_>, f: &ListFilter, scope: &Scope) -> Result<Vec<ComplaintRow>> {
    let walked;
    let f = match f.overdue_at {
        Some(now) if !f.overdue_walk && !f.due_order && overdue_at_least(c, now, OVERDUE_WALK_FROM).await? => {
            walked = ListFilter {
                overdue_walk: true,
                ..f.clone()
            };
            &walked
        }
        _ => f,
    };
    let Some(mut q) = filtered(f, scope, c.backend()) else {
        return Ok(vec![]);
    };
    if let (true, Some((from, to))) = (f.due_order, f.due_between) {
        let a = q.arg(Arg::Int(from));
        let b = q.arg(Arg::Int(to));
        q.clauses.push(format!(
            "dl.state = 'running' AND dl.met_at IS NULL AND dl.due_at >= {a} AND dl.due_at < {b}"
        ));
        let limit = q.arg(Arg::Int(f.limit));
        let sql = format!(
            "{SELECT} JOIN deadline dl ON dl.complaint_id = c.id{} ORDER BY dl.due_at LIMIT {limit}",
            q.where_sql()
        );
        return Ok(on_conn!(c, |c| bind_all!(
            sqlx::query_as::<_, ComplaintRow>(&sql),
            q.args
        )
        .fetch_all(&mut **c)
        .await)?);
    }
    if !f.words.is_empty() && c.backend() == crate::Backend::Sqlite {
        // A word with few matches is quickest walked; a common one within a project is not.
        if f.projects.len() == 1 && matches_more_than(c, &f.words, WALK_MATCHES_UP_TO).await? {
            return search_in_project(c, f, scope).await;
        }
        return search_page(c, f, scope).await;
    }
    q.after(f.after, f.oldest_first);
    let order = if f.oldest_first { "ASC" } else { "DESC" };
    let limit = q.arg(Arg::Int(f.limit));
    let sql = format!(
        "{SELECT}{} ORDER BY c.received_at {order}, c.id {order} LIMIT {limit}",
        q.where_sql()
    );
    Ok(on_conn!(c, |c| bind_all!(
        sqlx::query_as::<_, ComplaintRow>(&sql),
        q.args
    )
    .fetch_all(&mut **c)
    .await)?)
}

/// Words with at most this many matching documents are searched by walking their matches, also
/// within a project (a word in no complaint answers at once); four in debug builds, so the tests
/// take the project's way with a few complaints.
const WALK_MATCHES_UP_TO: i64 = if cfg!(debug_assertions) { 4 } else { 500 };

/// SQLite: whether more than `n` documents have every word.
async fn matches_more_than(c: &mut Conn<'_>, words: &[String], n: i64) -> Result<bool> {
    let found: i64 = on_conn!(c, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM complaint_fts WHERE complaint_fts MATCH $1 LIMIT $2) x"
    )
    .bind(crate::search::walk_match(words))
    .bind(n + 1)
    .fetch_one(&mut **c)
    .await)?;
    Ok(found > n)
}

/// Complaints of the project a search within one project takes first; each further batch is
/// twice the last (two in debug builds, so the tests go through several batches).
const PROJECT_BATCH: i64 = if cfg!(debug_assertions) { 2 } else { 256 };

/// SQLite: a page of a full-text search within one project (R-AN-1), in the list's order. The
/// project's complaints are taken newest first in batches, and the word's documents received
/// within each batch's time span are read from the index in one range and intersected with
/// it, so a page reads about as many index entries as there are matches of all projects in
/// the span of its own. Walking the word's matches instead visited ~2,500 complaints for a
/// page of a common word at one project of 120 (~100 ms at 1,000,000; bench/RESULTS.md).
async fn search_in_project(c: &mut Conn<'_>, f: &ListFilter, scope: &Scope) -> Result<Vec<ComplaintRow>> {
    let words = crate::search::walk_match(&f.words);
    let order = if f.oldest_first { "ASC" } else { "DESC" };
    let mut after = f.after;
    let mut batch = PROJECT_BATCH;
    let mut hits: Vec<Uuid> = Vec::new();
    let rest = ListFilter {
        words: vec![],
        ..f.clone()
    };
    loop {
        let Some(mut q) = filtered(&rest, scope, c.backend()) else {
            return Ok(vec![]);
        };
        q.after(after, f.oldest_first);
        let limit = q.arg(Arg::Int(batch));
        let sql = format!(
            "SELECT c.id, c.received_at, s.doc FROM complaint c JOIN org_node n ON n.id = c.project_id \
             JOIN search_doc s ON s.complaint_id = c.id{} ORDER BY c.received_at {order}, c.id {order} LIMIT {limit}",
            q.where_sql()
        );
        let candidates: Vec<(Uuid, i64, i64)> =
            on_conn!(c, |c| bind_all!(sqlx::query_as(&sql), q.args).fetch_all(&mut **c).await)?;
        let (Some(lo), Some(hi)) = (
            candidates.iter().map(|(_, _, d)| *d).min(),
            candidates.iter().map(|(_, _, d)| *d).max(),
        ) else {
            break;
        };
        let found: Vec<i64> = on_conn!(c, |c| sqlx::query_scalar(
            "SELECT rowid FROM complaint_fts WHERE complaint_fts MATCH $1 AND rowid >= $2 AND rowid <= $3"
        )
        .bind(&words)
        .bind(lo)
        .bind(hi)
        .fetch_all(&mut **c)
        .await)?;
        let found: std::collections::HashSet<i64> = found.into_iter().collect();
        hits.extend(
            candidates
                .iter()
                .filter(|(_, _, doc)| found.contains(doc))
                .map(|(id, _, _)| *id)
                .take((f.limit as usize).saturating_sub(hits.len())),
        );
        if hits.len() as i64 >= f.limit || (candidates.len() as i64) < batch {
            break;
        }
        after = candidates.last().map(|(id, at, _)| (*at, *id));
        batch = (batch * 2).min(16_384);
    }
    by_ids_in_order(c, &hits).await
}

/// The complaints with these ids, in the given order.
async fn by_ids_in_order(c: &mut Conn<'_>, ids: &[Uuid]) -> Result<Vec<ComplaintRow>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut q = Sql {
        clauses: vec![],
        args: vec![],
    };
    let list: Vec<String> = ids.iter().map(|id| q.arg(Arg::Id(*id))).collect();
    let sql = format!("{SELECT} WHERE c.id IN ({})", list.join(", "));
    let mut rows: Vec<ComplaintRow> = on_conn!(c, |c| bind_all!(sqlx::query_as::<_, ComplaintRow>(&sql), q.args)
        .fetch_all(&mut **c)
        .await)?;
    let at: std::collections::HashMap<Uuid, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    rows.sort_by_key(|r| at.get(&r.id).copied().unwrap_or(usize::MAX));
    Ok(rows)
}

/// SQLite: a page of a full-text search, walking the matching documents in order of receipt
/// (R-AN-1). A common word fills the page from its newest matches; a rare one visits only its
/// matches. The cursor's complaint gives the document to continue from.
async fn search_page(c: &mut Conn<'_>, f: &ListFilter, scope: &Scope) -> Result<Vec<ComplaintRow>> {
    let rest = ListFilter {
        words: vec![],
        ..f.clone()
    };
    let Some(mut q) = filtered(&rest, scope, c.backend()) else {
        return Ok(vec![]);
    };
    let words = q.arg(Arg::Text(crate::search::walk_match(&f.words)));
    let (cmp, order) = if f.oldest_first { (">", "ASC") } else { ("<", "DESC") };
    if let Some((_, id)) = f.after {
        let i = q.arg(Arg::Id(id));
        q.clauses.push(format!(
            "f.rowid {cmp} (SELECT doc FROM search_doc WHERE complaint_id = {i})"
        ));
    }
    let limit = q.arg(Arg::Int(f.limit));
    let select = SELECT.replacen(
        "FROM complaint c",
        &format!("FROM {}", crate::search::walk_from(&words)),
        1,
    );
    let sql = format!("{select}{} ORDER BY f.rowid {order} LIMIT {limit}", q.where_sql());
    Ok(on_conn!(c, |c| bind_all!(
        sqlx::query_as::<_, ComplaintRow>(&sql),
        q.args
    )
    .fetch_all(&mut **c)
    .await)?)
}

/// How many complaints match a filter in a scope (paging and cursor ignored).
pub async fn count_matching(c: &mut Conn<'_>, f: &ListFilter, scope: &Scope) -> Result<i64> {
    let Some(q) = filtered(f, scope, c.backend()) else {
        return Ok(0);
    };
    let sql = format!(
        "SELECT COUNT(*) FROM complaint c JOIN org_node n ON n.id = c.project_id{}",
        q.where_sql()
    );
    Ok(on_conn!(c, |c| bind_all!(sqlx::query_scalar(&sql), q.args)
        .fetch_one(&mut **c)
        .await)?)
}

/// Like [`count_matching`], counting at most `cap` (a figure shown as "cap+"), so a count over
/// a million overdue complaints costs as much as one over `cap`. Overdue filters walk in order
/// of receipt as [`list`] does.
pub async fn count_matching_capped(c: &mut Conn<'_>, f: &ListFilter, scope: &Scope, cap: i64) -> Result<i64> {
    let walking = ListFilter {
        overdue_walk: f.overdue_at.is_some(),
        ..f.clone()
    };
    let Some(mut q) = filtered(&walking, scope, c.backend()) else {
        return Ok(0);
    };
    let limit = q.arg(Arg::Int(cap));
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM complaint c JOIN org_node n ON n.id = c.project_id{} \
         ORDER BY c.received_at DESC LIMIT {limit}) capped",
        q.where_sql()
    );
    Ok(on_conn!(c, |c| bind_all!(sqlx::query_scalar(&sql), q.args)
        .fetch_one(&mut **c)
        .await)?)
}

/// The WHERE clauses of a filter in a scope; None when the scope admits nothing.
pub(crate) fn filtered(f: &ListFilter, scope: &Scope, backend: crate::Backend) -> Option<Sql> {
    let mut q = Sql {
        clauses: vec![],
        args: vec![],
    };
    if !f.words.is_empty() {
        let p = format!("${}", q.args.len() + 1);
        let (clause, value) = crate::search::condition(backend, &f.words, &p);
        q.arg(Arg::Text(value));
        q.clauses.push(clause);
    }
    if !scope.all {
        let mut ors = Vec::new();
        for path in &scope.subtrees {
            let lo = q.arg(Arg::Text(path.clone()));
            let hi = q.arg(Arg::Text(prefix_upper_bound(path)));
            ors.push(format!("(c.org_path >= {lo} AND c.org_path < {hi})"));
        }
        for d in &scope.departments {
            let p = q.arg(Arg::Int(*d));
            ors.push(format!(
                "EXISTS (SELECT 1 FROM complaint_department cd WHERE cd.complaint_id = c.id AND cd.department_id = {p})"
            ));
        }
        if ors.is_empty() {
            return None;
        }
        q.clauses.push(format!("({})", ors.join(" OR ")));
    }
    if let Some(phone) = &f.phone {
        let p = q.arg(Arg::Text(phone.clone()));
        q.clauses.push(format!(
            "c.complainant_id IN (SELECT id FROM complainant WHERE phone = {p})"
        ));
    }
    if let Some((building, unit)) = &f.unit {
        let b = q.arg(Arg::Text(building.clone()));
        let u = q.arg(Arg::Text(unit.clone()));
        q.clauses.push(format!("c.building = {b} AND c.unit = {u}"));
    }
    if let Some(h) = f.handler {
        let p = q.arg(Arg::Int(h));
        q.clauses.push(format!("c.handler_id = {p}"));
    }
    if let (false, Some((from, to))) = (f.due_order, f.due_between) {
        let a = q.arg(Arg::Int(from));
        let b = q.arg(Arg::Int(to));
        q.clauses.push(format!(
            "c.id IN (SELECT dl.complaint_id FROM deadline dl WHERE dl.state = 'running' \
             AND dl.due_at >= {a} AND dl.due_at < {b} AND dl.met_at IS NULL)"
        ));
    }
    if let Some(u) = f.complained {
        let p = q.arg(Arg::Int(u));
        q.clauses.push(format!("c.complained_user_id = {p}"));
    }
    if let Some(me) = f.viewer {
        let p = q.arg(Arg::Int(me));
        q.clauses
            .push(format!("(c.complained_user_id IS NULL OR c.complained_user_id <> {p})"));
    }
    if !f.departments.is_empty() {
        let ps: Vec<String> = f.departments.iter().map(|d| q.arg(Arg::Text(d.clone()))).collect();
        q.clauses.push(format!(
            "c.lead_department_id IN (SELECT id FROM department WHERE code IN ({}))",
            ps.join(", ")
        ));
    }
    // Walking for overdue complaints must follow the received-order index; on SQLite an index
    // on state would win the plan and sort every open complaint first (0.65 s at 100,000
    // against 0.3 ms), so the state test is kept off any index there (unary +).
    let state_column = if f.overdue_walk && backend == crate::Backend::Sqlite {
        "+c.state"
    } else {
        "c.state"
    };
    q.any_of(state_column, &f.states);
    q.any_of("c.grade", &f.grades);
    q.any_of("c.channel", &f.channels);
    q.any_of("n.code", &f.projects);
    if !f.categories.is_empty() {
        let mut ors = Vec::new();
        for cat in &f.categories {
            let exact = q.arg(Arg::Text(cat.clone()));
            let lo = q.arg(Arg::Text(format!("{cat}.")));
            let hi = q.arg(Arg::Text(format!("{cat}/")));
            ors.push(format!(
                "c.category_code = {exact} OR (c.category_code >= {lo} AND c.category_code < {hi})"
            ));
        }
        q.clauses.push(format!("({})", ors.join(" OR ")));
    }
    if let (Some(now), true) = (f.overdue_at, f.overdue_walk) {
        let p = q.arg(Arg::Int(now));
        q.clauses.push(format!(
            "EXISTS (SELECT 1 FROM deadline dl WHERE dl.complaint_id = c.id AND (dl.state = 'breached' \
             OR (dl.state = 'running' AND dl.due_at < {p})))"
        ));
    } else if let Some(now) = f.overdue_at {
        let p = q.arg(Arg::Int(now));
        q.clauses.push(format!(
            // Driven from the deadline_due index, so a few overdue complaints among many are found
            // without walking them all.
            "c.id IN (SELECT dl.complaint_id FROM deadline dl WHERE dl.state = 'breached' \
             UNION SELECT dl.complaint_id FROM deadline dl WHERE dl.state = 'running' AND dl.due_at < {p})"
        ));
    }
    if let Some(from) = f.received_from {
        let p = q.arg(Arg::Int(from));
        q.clauses.push(format!("c.received_at >= {p}"));
    }
    if let Some(before) = f.received_before {
        let p = q.arg(Arg::Int(before));
        q.clauses.push(format!("c.received_at < {p}"));
    }
    if let Some(from) = f.archived_from {
        let p = q.arg(Arg::Int(from));
        q.clauses.push(format!("c.archived_at >= {p}"));
    }
    if let Some(before) = f.archived_before {
        let p = q.arg(Arg::Int(before));
        q.clauses.push(format!("c.archived_at < {p}"));
    }
    Some(q)
}

/// Number of complaints (all scopes).
pub async fn count(c: &mut Conn<'_>) -> Result<i64> {
    Ok(on_conn!(c, |c| sqlx::query_scalar("SELECT COUNT(*) FROM complaint")
        .fetch_one(&mut **c)
        .await)?)
}

/// Complaints in each of the given states, for metrics (the `complaint_state` index answers).
pub async fn count_by_state(c: &mut Conn<'_>, states: &[&str]) -> Result<Vec<(String, i64)>> {
    let marks: Vec<String> = (1..=states.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT state, COUNT(*) FROM complaint WHERE state IN ({}) GROUP BY state ORDER BY state",
        marks.join(", ")
    );
    Ok(on_conn!(c, |c| {
        let mut q = sqlx::query_as(&sql);
        for s in states {
            q = q.bind(*s);
        }
        q.fetch_all(&mut **c).await
    })?)
}

/// A complaint's grade code.
pub async fn grade_of(c: &mut Conn<'_>, id: Uuid) -> Result<Option<String>> {
    Ok(on_conn!(c, |c| sqlx::query_scalar(
        "SELECT grade FROM complaint WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(&mut **c)
    .await)?)
}

/// Stores the hash of a complaint's tracking token.
pub async fn set_tracking_hash(c: &mut Conn<'_>, number: &str, hash: &str) -> Result<()> {
    on_conn!(c, |c| sqlx::query(
        "UPDATE complaint SET tracking_hash = $1 WHERE number = $2"
    )
    .bind(hash)
    .bind(number)
    .execute(&mut **c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// A complaint's tracking-token hash and its complainant's phone, for owner verification.
pub async fn owner_keys(c: &mut Conn<'_>, number: &str) -> Result<Option<(Option<String>, Option<String>)>> {
    Ok(on_conn!(c, |c| {
        sqlx::query_as(
        "SELECT c.tracking_hash, p.phone FROM complaint c JOIN complainant p ON p.id = c.complainant_id WHERE c.number = $1"
    )
    .bind(number)
    .fetch_optional(&mut **c)
    .await
    })?)
}
