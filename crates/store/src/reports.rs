//! Figures for the summary report (R-AN-3, API.md `/reports/summary`): per group, how many
//! complaints, and the counts behind each rate. The rates themselves are computed in the domain.

use crate::complaints::{bind_all, filtered, Arg, ListFilter};
use crate::error::Result;
use crate::{on_conn, Conn};
use domain::access::Scope;

/// A dimension the summary groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    /// Category code (leaf).
    Category,
    /// Grade code.
    Grade,
    /// Channel code.
    Channel,
    /// Project code.
    Project,
    /// Lead department code ("" before dispatch).
    Department,
    /// State code.
    State,
}

/// The counts behind one row of the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct Counts {
    pub key: String,
    pub count: i64,
    pub response_ok: i64,
    pub response_measured: i64,
    pub handling_ok: i64,
    pub handling_measured: i64,
    pub closed: i64,
    pub closable: i64,
    pub satisfied: i64,
    pub rated: i64,
}

/// Counts per group of the complaints a filter selects in a scope, as of `now_ms`.
///
/// A clock is measured once it is met or its due time has passed; it is on time when met by its
/// due time. `first_response` gives the response rate and `final_handling` the handling rate.
/// Closure counts closed and archived complaints among all but withdrawn and merged ones.
/// Satisfaction counts `satisfied` and `very_satisfied` among the rated.
pub async fn summary(
    c: &mut Conn<'_>,
    f: &ListFilter,
    scope: &Scope,
    by: Dimension,
    now_ms: i64,
) -> Result<Vec<Counts>> {
    let Some(mut q) = filtered(f, scope, c.backend()) else {
        return Ok(vec![]);
    };
    let key = match by {
        Dimension::Category => "c.category_code",
        Dimension::Grade => "c.grade",
        Dimension::Channel => "c.channel",
        Dimension::Project => "n.code",
        Dimension::Department => "COALESCE(d.code, '')",
        Dimension::State => "c.state",
    };
    let now = q.arg(Arg::Int(now_ms));
    let sql = format!(
        "SELECT {key} AS key, COUNT(*) AS count, \
         SUM(CASE WHEN fr.met_at IS NOT NULL AND fr.met_at <= fr.due_at THEN 1 ELSE 0 END) AS response_ok, \
         SUM(CASE WHEN fr.met_at IS NOT NULL OR fr.due_at < {now} THEN 1 ELSE 0 END) AS response_measured, \
         SUM(CASE WHEN fh.met_at IS NOT NULL AND fh.met_at <= fh.due_at THEN 1 ELSE 0 END) AS handling_ok, \
         SUM(CASE WHEN fh.met_at IS NOT NULL OR fh.due_at < {now} THEN 1 ELSE 0 END) AS handling_measured, \
         SUM(CASE WHEN c.state IN ('closed', 'archived') THEN 1 ELSE 0 END) AS closed, \
         SUM(CASE WHEN c.state IN ('withdrawn', 'merged') THEN 0 ELSE 1 END) AS closable, \
         SUM(CASE WHEN c.satisfaction IN ('satisfied', 'very_satisfied') THEN 1 ELSE 0 END) AS satisfied, \
         SUM(CASE WHEN c.satisfaction IS NOT NULL THEN 1 ELSE 0 END) AS rated \
         FROM complaint c JOIN org_node n ON n.id = c.project_id \
         LEFT JOIN department d ON d.id = c.lead_department_id \
         LEFT JOIN deadline fr ON fr.complaint_id = c.id AND fr.clock = 'first_response' \
         LEFT JOIN deadline fh ON fh.complaint_id = c.id AND fh.clock = 'final_handling'{} \
         GROUP BY {key} ORDER BY {key}",
        q.where_sql()
    );
    Ok(on_conn!(c, |c| bind_all!(sqlx::query_as::<_, Counts>(&sql), q.args)
        .fetch_all(&mut **c)
        .await)?)
}
