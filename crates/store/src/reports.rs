//! Figures for the summary report (R-AN-3, API.md `/reports/summary`): per group, how many
//! complaints, and the counts behind each rate. The rates themselves are computed in the domain.

use crate::complaints::{bind_all, filtered, ListFilter};
use crate::error::Result;
use crate::rollup::{day_sql, FLAGS, JOINS};
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
    /// The property's stage ("" when none is given).
    Stage,
    /// The handler's user id as text ("" before assignment).
    Handler,
    /// Received day, YYYYMMDD (for trends).
    Day,
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
    pub repeated: i64,
}

impl Counts {
    /// Adds `sign` times another group's counts to these (the key is kept).
    pub fn add(&mut self, o: &Counts, sign: i64) {
        for (t, v) in [
            (&mut self.count, o.count),
            (&mut self.response_ok, o.response_ok),
            (&mut self.response_measured, o.response_measured),
            (&mut self.handling_ok, o.handling_ok),
            (&mut self.handling_measured, o.handling_measured),
            (&mut self.closed, o.closed),
            (&mut self.closable, o.closable),
            (&mut self.satisfied, o.satisfied),
            (&mut self.rated, o.rated),
            (&mut self.repeated, o.repeated),
        ] {
            *t += sign * v;
        }
    }
}

/// Counts per group of the complaints a filter selects in a scope.
///
/// A full pass over the complaints; [`crate::rollup::summary`] gives the same figures from the
/// roll-up. The flags are defined once, in `rollup::FLAGS`: `first_response` gives the response
/// rate and `final_handling` the handling rate. Closure counts closed and archived complaints among
/// all but withdrawn and merged ones. Satisfaction counts `satisfied` and `very_satisfied` among
/// the rated; repeats are complaints registered as a repeat of an open one.
pub async fn summary(c: &mut Conn<'_>, f: &ListFilter, scope: &Scope, by: Dimension) -> Result<Vec<Counts>> {
    let Some(q) = filtered(f, scope, c.backend()) else {
        return Ok(vec![]);
    };
    let day_text = format!("CAST({} AS TEXT)", day_sql(c.backend()));
    let key = match by {
        Dimension::Category => "c.category_code",
        Dimension::Grade => "c.grade",
        Dimension::Channel => "c.channel",
        Dimension::Project => "n.code",
        Dimension::Department => "COALESCE(d.code, '')",
        Dimension::State => "c.state",
        Dimension::Stage => "COALESCE(c.stage, '')",
        Dimension::Handler => "COALESCE(CAST(c.handler_id AS TEXT), '')",
        Dimension::Day => &day_text,
    };
    let sums: Vec<String> = [
        "response_ok",
        "response_measured",
        "handling_ok",
        "handling_measured",
        "closed",
        "closable",
        "satisfied",
        "rated",
        "repeated",
    ]
    .iter()
    .map(|k| format!("CAST(SUM(x.{k}) AS BIGINT) AS {k}"))
    .collect();
    let sql = format!(
        "SELECT x.key, COUNT(*) AS count, {} FROM (SELECT {key} AS key, {FLAGS} FROM complaint c{JOINS}{}) x \
         GROUP BY x.key ORDER BY x.key",
        sums.join(", "),
        q.where_sql()
    );
    Ok(on_conn!(c, |c| bind_all!(sqlx::query_as::<_, Counts>(&sql), q.args)
        .fetch_all(&mut **c)
        .await)?)
}

/// How long the closed complaints a filter selects took from receipt to closure: a histogram
/// of whole hours (hours, complaints), for the mean and percentiles of R-AN-3.
pub async fn handling_hours(c: &mut Conn<'_>, f: &ListFilter, scope: &Scope) -> Result<Vec<(i64, i64)>> {
    let Some(q) = filtered(f, scope, c.backend()) else {
        return Ok(vec![]);
    };
    let closed = if q.where_sql().is_empty() { " WHERE" } else { " AND" };
    let sql = format!(
        "SELECT (c.closed_at - c.received_at) / 3600000 AS h, COUNT(*) FROM complaint c \
         JOIN org_node n ON n.id = c.project_id{}{closed} c.closed_at IS NOT NULL GROUP BY (c.closed_at - c.received_at) / 3600000",
        q.where_sql()
    );
    Ok(on_conn!(c, |c| bind_all!(sqlx::query_as(&sql), q.args)
        .fetch_all(&mut **c)
        .await)?)
}
