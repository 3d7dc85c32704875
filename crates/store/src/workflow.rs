//! What the workflow actions read and write (R-WF-1…11): the working state of a complaint,
//! saved with an optimistic version check, its departments, deadlines and timeline.

use crate::error::Result;
use crate::{on_conn, Backend, Conn};
use uuid::Uuid;

/// The part of a complaint the actions decide on and change.
#[derive(Debug, Clone, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct WorkRow {
    pub id: Uuid,
    pub number: String,
    pub version: i64,
    pub state: String,
    pub grade: String,
    pub category_code: String,
    pub org_path: String,
    pub project_id: i64,
    pub households: i32,
    pub complainant_phone: Option<String>,
    pub complainant_email: Option<String>,
    pub lead_department_id: Option<i64>,
    pub handler_id: Option<i64>,
    pub accountable_user_id: Option<i64>,
    pub complained_user_id: Option<i64>,
    pub assessment: Option<String>,
    pub plan: Option<String>,
    pub approvals_pending: i32,
    pub plan_in_force: bool,
    pub callback_done: bool,
    pub satisfaction: Option<String>,
    pub escalation_level: i32,
    pub round: i32,
    pub merged_into: Option<String>,
    pub closed_at: Option<i64>,
    pub archived_at: Option<i64>,
}

/// Reads a complaint's working state by number, locking its row on PostgreSQL until the
/// transaction ends (SQLite has one writer).
pub async fn lock(c: &mut Conn<'_>, number: &str) -> Result<Option<WorkRow>> {
    fetch(c, number, true).await
}

/// Reads a complaint's working row; `for_update` locks it on PostgreSQL (SQLite's single
/// writer already serialises changes), while a plain read never waits for a writer.
pub async fn fetch(c: &mut Conn<'_>, number: &str, for_update: bool) -> Result<Option<WorkRow>> {
    let lock = if for_update && c.backend() == Backend::Postgres {
        " FOR UPDATE OF c"
    } else {
        ""
    };
    let sql = format!(
        "SELECT c.id, c.number, c.version, c.state, c.grade, c.category_code, c.org_path, c.project_id, c.households, \
         p.phone AS complainant_phone, p.email AS complainant_email, c.lead_department_id, c.handler_id, \
         c.accountable_user_id, c.complained_user_id, c.assessment, c.plan, c.approvals_pending, c.plan_in_force, \
         c.callback_done, c.satisfaction, c.escalation_level, c.round, c.merged_into, c.closed_at, c.archived_at \
         FROM complaint c JOIN complainant p ON p.id = c.complainant_id WHERE c.number = $1{lock}"
    );
    Ok(on_conn!(c, |c| sqlx::query_as::<_, WorkRow>(&sql)
        .bind(number)
        .fetch_optional(&mut **c)
        .await)?)
}

/// Saves the working state if the stored version is still `w.version`, raising it by one.
/// Returns false when someone else changed the complaint first.
pub async fn save(c: &mut Conn<'_>, w: &WorkRow, now_ms: i64) -> Result<bool> {
    let affected = on_conn!(c, |c| {
        sqlx::query(
        "UPDATE complaint SET state = $1, version = version + 1, updated_at = $2, lead_department_id = $3, handler_id = $4, \
         accountable_user_id = $5, assessment = $6, plan = $7, approvals_pending = $8, plan_in_force = $9, callback_done = $10, \
         satisfaction = $11, escalation_level = $12, round = $13, merged_into = $14, closed_at = $15, archived_at = $16, \
         households = $17 WHERE id = $18 AND version = $19"
    )
    .bind(&w.state)
    .bind(now_ms)
    .bind(w.lead_department_id)
    .bind(w.handler_id)
    .bind(w.accountable_user_id)
    .bind(&w.assessment)
    .bind(&w.plan)
    .bind(w.approvals_pending)
    .bind(w.plan_in_force)
    .bind(w.callback_done)
    .bind(&w.satisfaction)
    .bind(w.escalation_level)
    .bind(w.round)
    .bind(&w.merged_into)
    .bind(w.closed_at)
    .bind(w.archived_at)
    .bind(w.households)
    .bind(w.id)
    .bind(w.version)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(affected == 1)
}

/// Replaces a complaint's departments: one lead and any co-handling ones (R-WF-2).
pub async fn set_departments(c: &mut Conn<'_>, complaint: Uuid, lead: i64, co: &[i64]) -> Result<()> {
    on_conn!(c, |c| sqlx::query(
        "DELETE FROM complaint_department WHERE complaint_id = $1"
    )
    .bind(complaint)
    .execute(&mut **c)
    .await
    .map(|_| ()))?;
    for (dept, is_lead) in std::iter::once((lead, true)).chain(co.iter().map(|d| (*d, false))) {
        on_conn!(c, |c| sqlx::query(
            "INSERT INTO complaint_department (complaint_id, department_id, lead) VALUES ($1, $2, $3)"
        )
        .bind(complaint)
        .bind(dept)
        .bind(is_lead)
        .execute(&mut **c)
        .await
        .map(|_| ()))?;
    }
    Ok(())
}

/// A department linked to a complaint.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LinkedDepartment {
    /// Complaint.
    pub complaint_id: Uuid,
    /// Department id.
    pub department_id: i64,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Lead (第一责任部门) or co-handling.
    pub lead: bool,
}

/// The departments of several complaints, lead first.
pub async fn departments(c: &mut Conn<'_>, ids: &[Uuid]) -> Result<Vec<LinkedDepartment>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let ps: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT cd.complaint_id, cd.department_id, d.code, d.name, cd.lead FROM complaint_department cd \
         JOIN department d ON d.id = cd.department_id WHERE cd.complaint_id IN ({}) ORDER BY cd.lead DESC, d.id",
        ps.join(", ")
    );
    Ok(on_conn!(c, |c| {
        let mut q = sqlx::query_as::<_, LinkedDepartment>(&sql);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(&mut **c).await
    })?)
}

/// Marks clocks met at `at_ms`; one met after its due time stays breached but records when (R-SLA-2).
pub async fn meet(c: &mut Conn<'_>, complaint: Uuid, clocks: &[&str], at_ms: i64) -> Result<()> {
    for clock in clocks {
        on_conn!(c, |c| sqlx::query(
            "UPDATE deadline SET met_at = $1, state = CASE WHEN due_at < $1 THEN 'breached' ELSE 'met' END \
             WHERE complaint_id = $2 AND clock = $3 AND met_at IS NULL"
        )
        .bind(at_ms)
        .bind(complaint)
        .bind(*clock)
        .execute(&mut **c)
        .await
        .map(|_| ()))?;
    }
    Ok(())
}

/// Moves a running clock's due time (R-WF-11) at `now_ms`; returns the old due time, or None if no
/// such running clock. An extended clock keeps its approved due time when policies change.
pub async fn extend(c: &mut Conn<'_>, complaint: Uuid, clock: &str, due_ms: i64, now_ms: i64) -> Result<Option<i64>> {
    let old: Option<i64> = on_conn!(c, |c| {
        sqlx::query_scalar(
        "SELECT due_at FROM deadline WHERE complaint_id = $1 AND clock = $2 AND met_at IS NULL AND state IN ('running', 'breached')"
    )
    .bind(complaint)
    .bind(clock)
    .fetch_optional(&mut **c)
    .await
    })?;
    if old.is_some() {
        on_conn!(c, |c| {
            sqlx::query(
            "UPDATE deadline SET due_at = $1, state = 'running', warned_at = NULL, breached_at = NULL, ladder_level = 0, \
             next_action_at = $1, extended_at = $4 WHERE complaint_id = $2 AND clock = $3"
        )
        .bind(due_ms)
        .bind(complaint)
        .bind(clock)
        .bind(now_ms)
        .execute(&mut **c)
        .await
        .map(|_| ())
        })?;
    }
    Ok(old)
}

/// One entry of a complaint's timeline.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TimelineRow {
    /// When (ms).
    pub at: i64,
    /// The actor's display name.
    pub actor: Option<String>,
    /// Event kind.
    pub kind: String,
    /// JSON payload.
    pub payload: String,
}

/// Every event of a complaint, oldest first.
pub async fn timeline(c: &mut Conn<'_>, complaint: Uuid) -> Result<Vec<TimelineRow>> {
    Ok(on_conn!(c, |c| {
        sqlx::query_as::<_, TimelineRow>(
        "SELECT e.at, u.display_name AS actor, e.kind, e.payload FROM event e LEFT JOIN app_user u ON u.id = e.actor_id \
         WHERE e.complaint_id = $1 ORDER BY e.seq"
    )
    .bind(complaint)
    .fetch_all(&mut **c)
    .await
    })?)
}

/// Users holding `role` whose grant covers the org path `path` (optionally in one department):
/// id and display name, nearest grant first.
pub async fn holders(c: &mut Conn<'_>, role: &str, path: &str, department: Option<i64>) -> Result<Vec<(i64, String)>> {
    let rows: Vec<(i64, String, String, Option<i64>)> = on_conn!(c, |c| {
        sqlx::query_as(
        "SELECT u.id, u.display_name, n.path, g.department_id FROM role_grant g JOIN app_user u ON u.id = g.user_id \
         JOIN org_node n ON n.id = g.org_node_id WHERE g.role = $1 AND u.active = $2"
    )
    .bind(role)
    .bind(true)
    .fetch_all(&mut **c)
    .await
    })?;
    let mut hits: Vec<(usize, i64, String)> = rows
        .into_iter()
        .filter(|(_, _, p, d)| path.starts_with(p.as_str()) && (department.is_none() || *d == department))
        .map(|(id, name, p, _)| (p.len(), id, name))
        .collect();
    hits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    Ok(hits.into_iter().map(|(_, id, name)| (id, name)).collect())
}

/// Links two complaints as related; false when they already were.
pub async fn link(c: &mut Conn<'_>, x: Uuid, y: Uuid, reason: &str, by: i64, at_ms: i64) -> Result<bool> {
    let (a, b) = if x < y { (x, y) } else { (y, x) };
    let inserted = on_conn!(c, |c| {
        sqlx::query(
        "INSERT INTO complaint_link (a, b, reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (a, b) DO NOTHING"
    )
    .bind(a)
    .bind(b)
    .bind(reason)
    .bind(by)
    .bind(at_ms)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(inserted == 1)
}

/// A complaint linked to another.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LinkRow {
    /// The complaint whose links these are.
    pub complaint_id: Uuid,
    /// The other complaint's number.
    pub number: String,
    /// Its org path (to hide links the viewer may not see).
    pub org_path: String,
    /// Why they are linked.
    pub reason: String,
}

/// The links of several complaints.
pub async fn links(c: &mut Conn<'_>, ids: &[Uuid]) -> Result<Vec<LinkRow>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let ps: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let list = ps.join(", ");
    let sql = format!(
        "SELECT l.a AS complaint_id, o.number, o.org_path, l.reason FROM complaint_link l JOIN complaint o ON o.id = l.b WHERE l.a IN ({list}) \
         UNION ALL SELECT l.b AS complaint_id, o.number, o.org_path, l.reason FROM complaint_link l JOIN complaint o ON o.id = l.a WHERE l.b IN ({list}) \
         ORDER BY number"
    );
    Ok(on_conn!(c, |c| {
        let mut q = sqlx::query_as::<_, LinkRow>(&sql);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(&mut **c).await
    })?)
}

/// Starts clocks at `started_ms` (or restarts them, in a new round): (clock, due ms, when the
/// sweep first looks).
pub async fn start(c: &mut Conn<'_>, complaint: Uuid, started_ms: i64, clocks: &[(&str, i64, i64)]) -> Result<()> {
    for (clock, due, next) in clocks {
        on_conn!(c, |c| {
            sqlx::query(
            "INSERT INTO deadline (complaint_id, started_at, clock, due_at, state, next_action_at) \
             VALUES ($1, $5, $2, $3, 'running', $4) \
             ON CONFLICT (complaint_id, clock) DO UPDATE SET due_at = excluded.due_at, state = 'running', met_at = NULL, \
             warned_at = NULL, breached_at = NULL, ladder_level = 0, next_action_at = excluded.next_action_at, \
             started_at = excluded.started_at, extended_at = NULL"
        )
        .bind(complaint)
        .bind(*clock)
        .bind(*due)
        .bind(*next)
        .bind(started_ms)
        .execute(&mut **c)
        .await
        .map(|_| ())
        })?;
    }
    Ok(())
}

/// A clock the sweep must look at, with what it needs to know of its complaint.
#[derive(Debug, Clone, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct DueClock {
    pub complaint_id: Uuid,
    pub clock: String,
    pub due_at: i64,
    pub warned_at: Option<i64>,
    pub breached_at: Option<i64>,
    pub ladder_level: i32,
    pub number: String,
    pub grade: String,
    pub org_path: String,
    pub lead_department_id: Option<i64>,
    pub handler_id: Option<i64>,
    pub complained_user_id: Option<i64>,
}

/// Claims up to `limit` clocks whose next look is due, soonest first. The due clocks are found
/// on the `deadline_next` index alone, then joined to their complaints, so an idle sweep costs
/// an index probe however many complaints are open. On PostgreSQL the rows stay locked until
/// the transaction ends and other processes skip them (R-SLA-5).
pub async fn claim_due(c: &mut Conn<'_>, now_ms: i64, limit: i64) -> Result<Vec<DueClock>> {
    let lock = if c.backend() == Backend::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let sql = format!(
        "SELECT d.complaint_id, d.clock, d.due_at, d.warned_at, d.breached_at, d.ladder_level, c.number, c.grade, c.org_path, \
         c.lead_department_id, c.handler_id, c.complained_user_id FROM \
         (SELECT complaint_id, clock, due_at, warned_at, breached_at, ladder_level, next_action_at FROM deadline \
          WHERE met_at IS NULL AND next_action_at IS NOT NULL AND next_action_at <= $1 ORDER BY next_action_at LIMIT $2{lock}) d \
         JOIN complaint c ON c.id = d.complaint_id ORDER BY d.next_action_at"
    );
    Ok(on_conn!(c, |c| sqlx::query_as::<_, DueClock>(&sql)
        .bind(now_ms)
        .bind(limit)
        .fetch_all(&mut **c)
        .await)?)
}

/// Stops sweeping a complaint's clocks (it is closed, withdrawn or merged).
pub async fn stop_sweeping(c: &mut Conn<'_>, complaint: Uuid) -> Result<()> {
    on_conn!(c, |c| sqlx::query(
        "UPDATE deadline SET next_action_at = NULL WHERE complaint_id = $1 AND next_action_at IS NOT NULL"
    )
    .bind(complaint)
    .execute(&mut **c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Records what the sweep did to a clock and when to look next (None: never).
pub async fn record_step(c: &mut Conn<'_>, d: &DueClock, next_action_at: Option<i64>) -> Result<()> {
    let state = if d.breached_at.is_some() { "breached" } else { "running" };
    on_conn!(c, |c| sqlx::query(
        "UPDATE deadline SET warned_at = $1, breached_at = $2, ladder_level = $3, next_action_at = $4, state = $5 \
         WHERE complaint_id = $6 AND clock = $7"
    )
    .bind(d.warned_at)
    .bind(d.breached_at)
    .bind(d.ladder_level)
    .bind(next_action_at)
    .bind(state)
    .bind(d.complaint_id)
    .bind(&d.clock)
    .execute(&mut **c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Whether any clock of a complaint ran out (breached, or met after its due time).
pub async fn any_breached(c: &mut Conn<'_>, complaint: Uuid) -> Result<Vec<String>> {
    Ok(on_conn!(c, |c| {
        sqlx::query_scalar(
        "SELECT clock FROM deadline WHERE complaint_id = $1 AND (breached_at IS NOT NULL OR met_at > due_at OR state = 'breached') ORDER BY due_at"
    )
    .bind(complaint)
    .fetch_all(&mut **c)
    .await
    })?)
}
