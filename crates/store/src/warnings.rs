//! Early warnings (R-AN-5): raising one per matter and window, listing them in a scope,
//! acknowledging them, and the counts their checks need.

use crate::error::Result;
use crate::{on_conn, Conn};
use domain::access::Scope;
use uuid::Uuid;

/// A warning to raise.
#[derive(Debug, Clone)]
pub struct NewWarning<'a> {
    /// Kind code.
    pub kind: &'a str,
    /// What it is about, e.g. `GZ-001|3栋|quality.leak` or a complaint number.
    pub subject: &'a str,
    /// The window it belongs to: one warning per kind, subject and bucket.
    pub bucket: i64,
    /// Where it belongs in the org tree (its scope).
    pub org_path: &'a str,
    /// Title in Chinese.
    pub title_zh: &'a str,
    /// Title in English.
    pub title_en: &'a str,
    /// JSON detail.
    pub detail: &'a serde_json::Value,
    /// The complaint that raised it.
    pub complaint_id: Option<Uuid>,
}

/// A stored warning.
#[derive(Debug, Clone, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct WarningRow {
    pub id: i64,
    pub kind: String,
    pub subject: String,
    pub org_path: String,
    pub title_zh: String,
    pub title_en: String,
    pub detail: String,
    pub number: Option<String>,
    pub raised_at: i64,
    pub acknowledged_by: Option<i64>,
    pub acknowledged_name: Option<String>,
    pub acknowledged_at: Option<i64>,
    pub note: Option<String>,
}

/// Raises a warning unless this matter already has one in this window; its id when raised.
pub async fn raise(c: &mut Conn<'_>, w: &NewWarning<'_>, now_ms: i64) -> Result<Option<i64>> {
    Ok(on_conn!(c, |c| sqlx::query_scalar(
        "INSERT INTO warning (kind, subject, bucket, org_path, title_zh, title_en, detail, complaint_id, raised_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (kind, subject, bucket) DO NOTHING RETURNING id"
    )
    .bind(w.kind)
    .bind(w.subject)
    .bind(w.bucket)
    .bind(w.org_path)
    .bind(w.title_zh)
    .bind(w.title_en)
    .bind(w.detail.to_string())
    .bind(w.complaint_id)
    .bind(now_ms)
    .fetch_optional(&mut **c)
    .await)?)
}

const SELECT: &str =
    "SELECT w.id, w.kind, w.subject, w.org_path, w.title_zh, w.title_en, w.detail, c.number, w.raised_at, \
    w.acknowledged_by, u.display_name AS acknowledged_name, w.acknowledged_at, w.note FROM warning w \
    LEFT JOIN complaint c ON c.id = w.complaint_id LEFT JOIN app_user u ON u.id = w.acknowledged_by";

/// The newest warnings in a scope, only those not yet acknowledged when `open`.
pub async fn list(c: &mut Conn<'_>, scope: &Scope, open: bool, limit: i64) -> Result<Vec<WarningRow>> {
    let Some((cond, args)) = crate::scope_sql(scope, "w", 2) else {
        return Ok(vec![]);
    };
    let open = if open { " AND w.acknowledged_at IS NULL" } else { "" };
    let sql = format!("{SELECT} WHERE {cond}{open} ORDER BY w.raised_at DESC, w.id DESC LIMIT $1");
    Ok(on_conn!(c, |c| {
        let mut q = sqlx::query_as::<_, WarningRow>(&sql).bind(limit);
        for a in &args {
            q = q.bind(a);
        }
        q.fetch_all(&mut **c).await
    })?)
}

/// One warning, if it is in the scope.
pub async fn get(c: &mut Conn<'_>, scope: &Scope, id: i64) -> Result<Option<WarningRow>> {
    let Some((cond, args)) = crate::scope_sql(scope, "w", 2) else {
        return Ok(None);
    };
    let sql = format!("{SELECT} WHERE w.id = $1 AND {cond}");
    Ok(on_conn!(c, |c| {
        let mut q = sqlx::query_as::<_, WarningRow>(&sql).bind(id);
        for a in &args {
            q = q.bind(a);
        }
        q.fetch_optional(&mut **c).await
    })?)
}

/// Marks a warning acknowledged with a note; false when it already was.
pub async fn acknowledge(c: &mut Conn<'_>, id: i64, user: i64, note: &str, now_ms: i64) -> Result<bool> {
    let n = on_conn!(c, |c| {
        sqlx::query(
        "UPDATE warning SET acknowledged_by = $1, acknowledged_at = $2, note = $3 WHERE id = $4 AND acknowledged_at IS NULL"
    )
    .bind(user)
    .bind(now_ms)
    .bind(note)
    .bind(id)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// One count the registration checks make: complaints of a project and category received
/// since a time, in one building, or the distinct households among them; at most `cap`.
#[derive(Debug, Clone)]
pub struct Probe<'a> {
    /// Project.
    pub project_id: i64,
    /// Category code.
    pub category: &'a str,
    /// Only complaints in this building (as typed).
    pub building: Option<&'a str>,
    /// Received at or after (ms).
    pub since_ms: i64,
    /// Counting stops here.
    pub cap: i64,
    /// Count distinct complainants instead of complaints.
    pub households: bool,
    /// A warning (kind, subject, bucket) whose existence makes the count moot: -1 is answered.
    pub unless_raised: Option<(&'static str, String, i64)>,
}

/// Probes per statement.
const PROBES_PER_STATEMENT: usize = 128;

/// Makes many counts at once, one statement per 128, in the probes' order.
pub async fn count_many(c: &mut Conn<'_>, probes: &[Probe<'_>]) -> Result<Vec<i64>> {
    if let Conn::Pg(pg) = c {
        return count_many_pg(pg, probes).await;
    }
    let mut counts = Vec::with_capacity(probes.len());
    for chunk in crate::shaped(probes, PROBES_PER_STATEMENT) {
        let mut p = crate::Params::new(c.backend());
        let parts: Vec<String> = chunk
            .iter()
            .map(|probe| {
                let what = if probe.households {
                    "DISTINCT complainant_id"
                } else {
                    "1"
                };
                // Placeholders are numbered in the order they appear (SQLite's `?`).
                let raised = probe.unless_raised.as_ref().map(|_| {
                    let (kind, subject, bucket) = (p.next(), p.next(), p.next());
                    format!("EXISTS (SELECT 1 FROM warning WHERE kind = {kind} AND subject = {subject} AND bucket = {bucket})")
                });
                let (project, category, since) = (p.next(), p.next(), p.next());
                let building = match probe.building {
                    Some(_) => format!(" AND building = {}", p.next()),
                    None => String::new(),
                };
                let count = format!(
                    "SELECT COUNT(*) FROM (SELECT {what} FROM complaint WHERE project_id = {project} \
                     AND category_code = {category} AND received_at >= {since}{building} LIMIT {}) x",
                    p.next()
                );
                match raised {
                    Some(raised) => format!("SELECT CASE WHEN {raised} THEN -1 ELSE ({count}) END"),
                    None => count,
                }
            })
            .collect();
        let sql = crate::each_in_order(&parts);
        let rows: Vec<(i64, i64)> = on_conn!(c, |c| {
            let mut q = sqlx::query_as(&sql);
            for probe in chunk {
                if let Some((kind, subject, bucket)) = &probe.unless_raised {
                    q = q.bind(*kind).bind(subject.as_str()).bind(*bucket);
                }
                q = q.bind(probe.project_id).bind(probe.category).bind(probe.since_ms);
                if let Some(b) = probe.building {
                    q = q.bind(b);
                }
                q = q.bind(probe.cap);
            }
            q.fetch_all(&mut **c).await
        })?;
        counts.extend(rows.into_iter().map(|(_, n)| n));
    }
    Ok(counts)
}

/// [`count_many`] on PostgreSQL: one statement of fixed text over arrays. The statement of many
/// parts that SQLite runs took PostgreSQL 50–60 ms to plan for every group, its text differing
/// from group to group (bench/RESULTS.md).
async fn count_many_pg(c: &mut sqlx::PgConnection, probes: &[Probe<'_>]) -> Result<Vec<i64>> {
    if probes.is_empty() {
        return Ok(Vec::new());
    }
    const SQL: &str = "SELECT CASE \
        WHEN p.kind IS NOT NULL AND EXISTS (SELECT 1 FROM warning w WHERE w.kind = p.kind AND w.subject = p.subject AND w.bucket = p.bucket) THEN -1 \
        WHEN p.households THEN (SELECT COUNT(*) FROM (SELECT DISTINCT c.complainant_id FROM complaint c WHERE c.project_id = p.project \
            AND c.category_code = p.category AND c.received_at >= p.since AND (p.building IS NULL OR c.building = p.building) LIMIT p.cap) x) \
        WHEN p.building IS NULL THEN (SELECT COUNT(*) FROM (SELECT 1 FROM complaint c WHERE c.project_id = p.project \
            AND c.category_code = p.category AND c.received_at >= p.since LIMIT p.cap) x) \
        ELSE (SELECT COUNT(*) FROM (SELECT 1 FROM complaint c WHERE c.project_id = p.project \
            AND c.category_code = p.category AND c.building = p.building AND c.received_at >= p.since LIMIT p.cap) x) END \
        FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::bigint[], $6::bool[], $7::text[], $8::text[], $9::bigint[]) \
        WITH ORDINALITY AS p(project, category, since, building, cap, households, kind, subject, bucket, i) ORDER BY p.i";
    // The warning that makes a count moot, as three columns (null where there is none).
    let (mut kinds, mut subjects, mut buckets) = (Vec::new(), Vec::new(), Vec::new());
    for p in probes {
        let raised = p.unless_raised.as_ref();
        kinds.push(raised.map(|r| r.0.to_string()));
        subjects.push(raised.map(|r| r.1.clone()));
        buckets.push(raised.map(|r| r.2));
    }
    let counts: Vec<i64> = sqlx::query_scalar(SQL)
        .bind(probes.iter().map(|p| p.project_id).collect::<Vec<i64>>())
        .bind(probes.iter().map(|p| p.category.to_string()).collect::<Vec<String>>())
        .bind(probes.iter().map(|p| p.since_ms).collect::<Vec<i64>>())
        .bind(
            probes
                .iter()
                .map(|p| p.building.map(str::to_string))
                .collect::<Vec<Option<String>>>(),
        )
        .bind(probes.iter().map(|p| p.cap).collect::<Vec<i64>>())
        .bind(probes.iter().map(|p| p.households).collect::<Vec<bool>>())
        .bind(kinds)
        .bind(subjects)
        .bind(buckets)
        .fetch_all(c)
        .await?;
    Ok(counts)
}

/// The newest numbers (at most 50) of a project's complaints of a category since `since_ms`, in
/// `building` when given, for a warning's detail.
pub async fn similar_numbers(
    c: &mut Conn<'_>,
    project_id: i64,
    category: &str,
    building: Option<&str>,
    since_ms: i64,
) -> Result<Vec<String>> {
    let in_building = if building.is_some() { " AND building = $4" } else { "" };
    let sql = format!(
        "SELECT number FROM complaint WHERE project_id = $1 AND category_code = $2 AND received_at >= $3{in_building} \
         ORDER BY received_at DESC LIMIT 50"
    );
    Ok(on_conn!(c, |c| {
        let q = sqlx::query_scalar(&sql).bind(project_id).bind(category).bind(since_ms);
        match building {
            Some(b) => q.bind(b),
            None => q,
        }
        .fetch_all(&mut **c)
        .await
    })?)
}

/// Whether a matter already has a warning of this kind in this window.
pub async fn exists(c: &mut Conn<'_>, kind: &str, subject: &str, bucket: i64) -> Result<bool> {
    let n: Option<i64> = on_conn!(c, |c| sqlx::query_scalar(
        "SELECT id FROM warning WHERE kind = $1 AND subject = $2 AND bucket = $3"
    )
    .bind(kind)
    .bind(subject)
    .bind(bucket)
    .fetch_optional(&mut **c)
    .await)?;
    Ok(n.is_some())
}

/// Complaints per project and per category over two windows from the roll-up: (`project` or
/// `category`, code, org path of the project or "", received on days `recent_from..=to`,
/// received on days `base_from..recent_from`).
pub async fn volumes(
    c: &mut Conn<'_>,
    base_from: i64,
    recent_from: i64,
    to: i64,
) -> Result<Vec<(String, String, String, i64, i64)>> {
    let sums = "CAST(SUM(CASE WHEN day >= $2 THEN count ELSE 0 END) AS BIGINT), \
                CAST(SUM(CASE WHEN day < $2 THEN count ELSE 0 END) AS BIGINT)";
    let sql = format!(
        "SELECT dim, key, MIN(org_path), {sums} FROM report_cell WHERE dim IN ('project', 'category') \
         AND day >= $1 AND day <= $3 GROUP BY dim, key"
    );
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(base_from)
        .bind(recent_from)
        .bind(to)
        .fetch_all(&mut **c)
        .await)?)
}
