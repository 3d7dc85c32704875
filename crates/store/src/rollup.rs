//! The report roll-up (R-AN-3): what each complaint contributes to the figures (`report_fact`)
//! and their sums per received day, project and value of each dimension (`report_cell`, one
//! cell per dimension and value, so a month is at most days × projects × values). Every
//! use-case that changes a complaint calls [`refresh`] in its transaction, so the cells always
//! equal a pass over the complaints, and a month's summary adds up cells instead
//! (bench/RESULTS.md).

use crate::complaints::{bind_all, Arg};
use crate::error::Result;
use crate::reports::{Counts, Dimension};
use crate::{on_conn, Backend, Conn};
use domain::access::Scope;
use domain::org::prefix_upper_bound;
use uuid::Uuid;

/// The flags behind the rates, over a complaint `c` with its clocks `fr` (first response) and
/// `fh` (final handling), as SQL columns. A clock is measured once it is met or marked breached
/// by the sweep; it is on time when met by its due time. Shared with the full pass in `reports`.
pub(crate) const FLAGS: &str = "\
    CAST(CASE WHEN fr.met_at IS NOT NULL AND fr.met_at <= fr.due_at THEN 1 ELSE 0 END AS BIGINT) AS response_ok, \
    CAST(CASE WHEN fr.met_at IS NOT NULL OR fr.breached_at IS NOT NULL THEN 1 ELSE 0 END AS BIGINT) AS response_measured, \
    CAST(CASE WHEN fh.met_at IS NOT NULL AND fh.met_at <= fh.due_at THEN 1 ELSE 0 END AS BIGINT) AS handling_ok, \
    CAST(CASE WHEN fh.met_at IS NOT NULL OR fh.breached_at IS NOT NULL THEN 1 ELSE 0 END AS BIGINT) AS handling_measured, \
    CAST(CASE WHEN c.state IN ('closed', 'archived') THEN 1 ELSE 0 END AS BIGINT) AS closed, \
    CAST(CASE WHEN c.state IN ('withdrawn', 'merged') THEN 0 ELSE 1 END AS BIGINT) AS closable, \
    CAST(CASE WHEN c.satisfaction IN ('satisfied', 'very_satisfied') THEN 1 ELSE 0 END AS BIGINT) AS satisfied, \
    CAST(CASE WHEN c.satisfaction IS NOT NULL THEN 1 ELSE 0 END AS BIGINT) AS rated, \
    CAST(CASE WHEN c.repeat_of IS NOT NULL THEN 1 ELSE 0 END AS BIGINT) AS repeated";

/// The joins `FLAGS` needs after `FROM complaint c`, with the project `n` and lead department `d`.
pub(crate) const JOINS: &str = " JOIN org_node n ON n.id = c.project_id \
    LEFT JOIN department d ON d.id = c.lead_department_id \
    LEFT JOIN deadline fr ON fr.complaint_id = c.id AND fr.clock = 'first_response' \
    LEFT JOIN deadline fh ON fh.complaint_id = c.id AND fh.clock = 'final_handling'";

/// The counted columns, in order.
const COUNTED: [&str; 9] = [
    "response_ok",
    "response_measured",
    "handling_ok",
    "handling_measured",
    "closed",
    "closable",
    "satisfied",
    "rated",
    "repeated",
];

/// What one complaint contributes: where it is counted and its flags.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct Fact {
    pub day: i64,
    pub org_path: String,
    pub project: String,
    pub department: String,
    pub category: String,
    pub grade: String,
    pub channel: String,
    pub state: String,
    pub stage: String,
    pub handler: String,
    pub response_ok: i64,
    pub response_measured: i64,
    pub handling_ok: i64,
    pub handling_measured: i64,
    pub closed: i64,
    pub closable: i64,
    pub satisfied: i64,
    pub rated: i64,
    pub repeated: i64,
}

impl Fact {
    fn flags(&self) -> [i64; 9] {
        [
            self.response_ok,
            self.response_measured,
            self.handling_ok,
            self.handling_measured,
            self.closed,
            self.closable,
            self.satisfied,
            self.rated,
            self.repeated,
        ]
    }
}

/// The received day in Asia/Shanghai (UTC+8 all year) as YYYYMMDD, from `c.received_at` (ms).
pub(crate) fn day_sql(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "CAST(strftime('%Y%m%d', (c.received_at + 28800000) / 1000, 'unixepoch') AS INTEGER)",
        Backend::Postgres => {
            "CAST(to_char(to_timestamp((c.received_at + 28800000) / 1000.0) AT TIME ZONE 'UTC', 'YYYYMMDD') AS BIGINT)"
        }
    }
}

/// A day as the roll-up keys it: YYYYMMDD.
pub fn day_key(d: chrono::NaiveDate) -> i64 {
    use chrono::Datelike;
    i64::from(d.year()) * 10_000 + i64::from(d.month()) * 100 + i64::from(d.day())
}

/// Brings a complaint's contribution up to date, in the caller's transaction: when what it
/// contributes changed, its old contribution leaves its cell and the new one joins its cell.
pub async fn refresh(c: &mut Conn<'_>, complaint: Uuid) -> Result<()> {
    refresh_many(c, &[complaint]).await
}

/// The change to one cell: count and the counted flags.
type Delta = [i64; 10];

/// A cell's key: dimension, day, org path, value; ordered, so every transaction changes the
/// cells it touches in the same order and none waits on another in a cycle (on PostgreSQL two
/// transactions taking the same rows in opposite orders deadlock).
type CellKey = (&'static str, i64, String, String);

fn add_delta(deltas: &mut std::collections::BTreeMap<CellKey, Delta>, dim: &'static str, f: &Fact, sign: i64) {
    let d = deltas
        .entry((dim, f.day, f.org_path.clone(), f.value(dim).to_string()))
        .or_insert([0; 10]);
    d[0] += sign;
    for (slot, v) in d[1..].iter_mut().zip(f.flags()) {
        *slot += sign * v;
    }
}

/// Like [`refresh`] for several complaints in one transaction (the SLA sweep's batch): the
/// changes to the cells are summed first and written in key order.
pub async fn refresh_many(c: &mut Conn<'_>, complaints: &[Uuid]) -> Result<()> {
    let mut ids = complaints.to_vec();
    ids.sort();
    ids.dedup();
    let mut deltas = std::collections::BTreeMap::new();
    let mut facts = Vec::new();
    for chunk in crate::shaped(&ids, FACTS_PER_STATEMENT) {
        let (now, was) = read_facts(c, chunk).await?;
        for (complaint, now) in now {
            if changed_fact(was.get(&complaint), &now, &mut deltas) {
                facts.push((complaint, now));
            }
        }
    }
    let changes: Vec<(CellKey, Delta)> = deltas.into_iter().filter(|(_, d)| d.iter().any(|v| *v != 0)).collect();
    for chunk in crate::shaped(&changes, CELLS_PER_STATEMENT) {
        add_to_cells(c, chunk).await?;
    }
    for chunk in crate::shaped(&facts, FACTS_PER_STATEMENT) {
        store_facts(c, chunk).await?;
    }
    Ok(())
}

/// Complaints whose facts are read or written by one statement.
const FACTS_PER_STATEMENT: usize = 128;

/// A fact with the complaint it belongs to, as read.
#[derive(sqlx::FromRow)]
struct Keyed {
    complaint_id: Uuid,
    #[sqlx(flatten)]
    fact: Fact,
}

type Facts = std::collections::HashMap<Uuid, Fact>;

/// What the complaints contribute now, and what they contributed as recorded, two statements.
async fn read_facts(c: &mut Conn<'_>, ids: &[Uuid]) -> Result<(Vec<(Uuid, Fact)>, Facts)> {
    let list = crate::placeholders(c.backend(), 0, ids.len());
    let now_sql = format!(
        "SELECT c.id AS complaint_id, {} AS day, c.org_path, n.code AS project, COALESCE(d.code, '') AS department, \
         c.category_code AS category, c.grade, c.channel, c.state, COALESCE(c.stage, '') AS stage, COALESCE(CAST(c.handler_id AS TEXT), '') AS handler, {FLAGS} FROM complaint c{JOINS} WHERE c.id IN ({list})",
        day_sql(c.backend())
    );
    let was_sql = format!(
        "SELECT complaint_id, {} FROM report_fact WHERE complaint_id IN ({list})",
        fact_columns()
    );
    let now: Vec<Keyed> = on_conn!(c, |c| {
        let mut q = sqlx::query_as(&now_sql);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(&mut **c).await
    })?;
    let was: Vec<Keyed> = on_conn!(c, |c| {
        let mut q = sqlx::query_as(&was_sql);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(&mut **c).await
    })?;
    let mut now: Vec<(Uuid, Fact)> = now.into_iter().map(|k| (k.complaint_id, k.fact)).collect();
    now.sort_by_key(|(id, _)| *id);
    Ok((now, was.into_iter().map(|k| (k.complaint_id, k.fact)).collect()))
}

/// Whether what a complaint contributes now differs from what it contributed; if so the cell
/// changes it makes are added to `deltas`.
fn changed_fact(was: Option<&Fact>, now: &Fact, deltas: &mut std::collections::BTreeMap<CellKey, Delta>) -> bool {
    if was == Some(now) {
        return false;
    }
    // A dimension's cells change when its value or any flag changed.
    let flags_same = was.is_some_and(|w| w.flags() == now.flags() && w.day == now.day && w.org_path == now.org_path);
    for dim in DIMENSIONS {
        if let Some(was) = was {
            if flags_same && was.value(dim) == now.value(dim) {
                continue;
            }
            add_delta(deltas, dim, was, -1);
        }
        add_delta(deltas, dim, now, 1);
    }
    true
}

/// The columns of `report_fact` after the complaint, in [`Fact`]'s order.
fn fact_columns() -> String {
    format!(
        "day, org_path, project, department, category, grade, channel, state, stage, handler, {}",
        COUNTED.join(", ")
    )
}

/// Records what complaints contribute now, one statement.
async fn store_facts(c: &mut Conn<'_>, facts: &[(Uuid, Fact)]) -> Result<()> {
    let cols = fact_columns();
    let sets: Vec<String> = cols.split(", ").map(|k| format!("{k} = excluded.{k}")).collect();
    let sql = format!(
        "INSERT INTO report_fact (complaint_id, {cols}) VALUES {} ON CONFLICT (complaint_id) DO UPDATE SET {}",
        crate::values_rows(c.backend(), facts.len(), 20),
        sets.join(", ")
    );
    on_conn!(c, |c| {
        let mut q = sqlx::query(&sql);
        for (complaint, now) in facts {
            q = q
                .bind(*complaint)
                .bind(now.day)
                .bind(&now.org_path)
                .bind(&now.project)
                .bind(&now.department)
                .bind(&now.category)
                .bind(&now.grade)
                .bind(&now.channel)
                .bind(&now.state)
                .bind(&now.stage)
                .bind(&now.handler);
            for f in now.flags() {
                q = q.bind(f);
            }
        }
        q.execute(&mut **c).await.map(|_| ())
    })?;
    Ok(())
}

/// The dimensions kept in cells, by their `dim` code.
const DIMENSIONS: [&str; 8] = [
    "category",
    "grade",
    "channel",
    "project",
    "department",
    "state",
    "stage",
    "handler",
];

impl Fact {
    /// The value of a dimension.
    fn value(&self, dim: &str) -> &str {
        match dim {
            "category" => &self.category,
            "grade" => &self.grade,
            "channel" => &self.channel,
            "project" => &self.project,
            "department" => &self.department,
            "stage" => &self.stage,
            "handler" => &self.handler,
            _ => &self.state,
        }
    }
}

/// Cells changed by one statement at most (14 parameters each, well under both databases' limits).
const CELLS_PER_STATEMENT: usize = 256;

/// Adds changes to cells (creating them) with one statement, in the given (key) order.
async fn add_to_cells(c: &mut Conn<'_>, changes: &[(CellKey, Delta)]) -> Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let adds: Vec<String> = std::iter::once("count".to_string())
        .chain(COUNTED.iter().map(|k| k.to_string()))
        .map(|k| format!("{k} = report_cell.{k} + excluded.{k}"))
        .collect();
    let sql = format!(
        "INSERT INTO report_cell (dim, day, org_path, key, count, {}) VALUES {} \
         ON CONFLICT (dim, day, org_path, key) DO UPDATE SET {}",
        COUNTED.join(", "),
        crate::values_rows(c.backend(), changes.len(), 14),
        adds.join(", ")
    );
    on_conn!(c, |c| {
        let mut q = sqlx::query(&sql);
        for ((dim, day, org_path, key), d) in changes {
            q = q.bind(*dim).bind(*day).bind(org_path.as_str()).bind(key.as_str());
            for v in d {
                q = q.bind(*v);
            }
        }
        q.execute(&mut **c).await.map(|_| ())
    })?;
    Ok(())
}

/// The setting present once every complaint has its contribution. Every write refreshes its
/// complaint's contribution in its own transaction, so from then on a start need not walk the
/// table looking for missing ones; [`clear`] (and any migration that empties the roll-up)
/// deletes it.
pub const WHOLE_KEY: &str = "backfill.rollup_whole";

/// Forgets every contribution and cell, for a rebuild from the complaints (what migrations that
/// change the roll-up do; `services::reports::backfill` then recomputes them).
pub async fn clear(c: &mut Conn<'_>) -> Result<()> {
    let forget = format!("DELETE FROM setting WHERE key = '{WHOLE_KEY}'");
    for sql in ["DELETE FROM report_cell", "DELETE FROM report_fact", forget.as_str()] {
        on_conn!(c, |c| sqlx::query(sql).execute(&mut **c).await.map(|_| ()))?;
    }
    Ok(())
}

/// Complaints with no contribution yet (written before the roll-up existed), in id order after
/// `after`, so a rebuild walks the table once instead of rescanning what it already did.
pub async fn missing(c: &mut Conn<'_>, after: Option<Uuid>, limit: i64) -> Result<Vec<Uuid>> {
    Ok(on_conn!(c, |c| sqlx::query_scalar(
        "SELECT c.id FROM complaint c WHERE ($1 IS NULL OR c.id > $1) \
         AND NOT EXISTS (SELECT 1 FROM report_fact f WHERE f.complaint_id = c.id) ORDER BY c.id LIMIT $2"
    )
    .bind(after)
    .bind(limit)
    .fetch_all(&mut **c)
    .await)?)
}

/// The summary's counts from the cells: complaints received on days `from..=to` (YYYYMMDD) in
/// an org-subtree scope, grouped by `by`. `None` when the scope names departments: the cells do
/// not record every department a complaint involves, so the caller makes a full pass instead.
pub async fn summary(
    c: &mut Conn<'_>,
    from: i64,
    to: i64,
    scope: &Scope,
    by: Dimension,
) -> Result<Option<Vec<Counts>>> {
    if !scope.all && !scope.departments.is_empty() {
        return Ok(None);
    }
    if !scope.all && scope.subtrees.is_empty() {
        return Ok(Some(vec![]));
    }
    let mut args = vec![Arg::Int(from), Arg::Int(to)];
    let mut ors = Vec::new();
    if !scope.all {
        for path in &scope.subtrees {
            args.push(Arg::Text(path.clone()));
            args.push(Arg::Text(prefix_upper_bound(path)));
            ors.push(format!(
                "(org_path >= ${} AND org_path < ${})",
                args.len() - 1,
                args.len()
            ));
        }
    }
    let scope_sql = if ors.is_empty() {
        String::new()
    } else {
        format!(" AND ({})", ors.join(" OR "))
    };
    // Trends add up one small dimension's cells per day.
    let (dim, key) = match by {
        Dimension::Category => ("category", "key"),
        Dimension::Grade => ("grade", "key"),
        Dimension::Channel => ("channel", "key"),
        Dimension::Project => ("project", "key"),
        Dimension::Department => ("department", "key"),
        Dimension::State => ("state", "key"),
        Dimension::Stage => ("stage", "key"),
        Dimension::Handler => ("handler", "key"),
        Dimension::Day => ("grade", "CAST(day AS TEXT)"),
    };
    args.push(Arg::Text(dim.to_string()));
    let sums: Vec<String> = std::iter::once("count")
        .chain(COUNTED)
        .map(|k| format!("CAST(SUM({k}) AS BIGINT) AS {k}"))
        .collect();
    let sql = format!(
        "SELECT {key} AS key, {} FROM report_cell WHERE dim = ${} AND day >= $1 AND day <= $2{scope_sql} \
         GROUP BY {key} HAVING SUM(count) <> 0 ORDER BY {key}",
        sums.join(", "),
        args.len()
    );
    Ok(Some(on_conn!(c, |c| bind_all!(
        sqlx::query_as::<_, Counts>(&sql),
        args
    )
    .fetch_all(&mut **c)
    .await)?))
}
