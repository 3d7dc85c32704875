//! Kesu's persistence: one store over SQLite (embedded, single writer with group commit) or
//! PostgreSQL (several processes), with the same schema semantics and the same queries.

pub mod attachments;
pub mod audit;
pub mod backup;
pub mod calendar;
pub mod cases;
pub mod clocks;
pub mod complaints;
mod db;
pub mod error;
pub mod idempotency;
pub mod issues;
pub mod money;
pub mod org;
pub mod outbox;
pub mod reports;
pub mod responsibility;
pub mod risks;
pub mod robots;
pub mod rollup;
pub mod sanctions;
pub mod search;
pub mod settings;
pub mod taxonomy;
pub mod users;
pub mod views;
pub mod warnings;
pub mod workflow;

pub use db::{sqlite_path, Backend, Conn, ReadConn, Store, StoreOptions};
pub use error::StoreError;

/// `rows` groups of `cols` placeholders for a multi-row `VALUES` list, bound in order:
/// `($1, $2), ($3, $4)` on PostgreSQL, `(?, ?), (?, ?)` on SQLite. SQLite gets anonymous ones
/// because sqlx looks up every numbered parameter's name, a scan of all of them each, which
/// made a 2,000-parameter insert cost more than the rows it wrote (bench/RESULTS.md).
pub(crate) fn values_rows(backend: Backend, rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| format!("({})", placeholders(backend, r * cols, cols)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `n` placeholders after the first `before` ones, comma-separated (see [`values_rows`]).
pub(crate) fn placeholders(backend: Backend, before: usize, n: usize) -> String {
    let one: Vec<String> = (1..=n)
        .map(|p| match backend {
            Backend::Sqlite => "?".to_string(),
            Backend::Postgres => format!("${}", before + p),
        })
        .collect();
    one.join(", ")
}

/// Splits `items` into slices whose lengths are powers of two, at most `max`: a multi-row
/// statement then comes in a handful of shapes, each prepared once and kept, instead of one
/// per group size (hundreds of large prepared statements held per connection).
pub(crate) fn shaped<T>(items: &[T], max: usize) -> impl Iterator<Item = &[T]> {
    let mut rest = items;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let largest = 1usize << (usize::BITS - 1 - rest.len().leading_zeros());
        let (head, tail) = rest.split_at(largest.min(max.max(1)));
        rest = tail;
        Some(head)
    })
}

/// One statement that answers each scalar subquery of `parts` with a row `(i, v)`, in order of
/// `i`: many small lookups in one round trip (SQLite allows 500 terms in a compound SELECT).
pub(crate) fn each_in_order(parts: &[String]) -> String {
    let rows: Vec<String> = parts
        .iter()
        .enumerate()
        .map(|(i, sub)| format!("SELECT CAST({i} AS BIGINT) AS i, ({sub}) AS v"))
        .collect();
    format!("SELECT i, v FROM ({}) q ORDER BY i", rows.join(" UNION ALL "))
}

/// Placeholders handed out in order, for statements built from many small parts: `?` on
/// SQLite (see [`values_rows`]), `$1`, `$2`, … on PostgreSQL.
pub(crate) struct Params {
    backend: Backend,
    taken: usize,
}

impl Params {
    /// Starts at the first placeholder.
    pub(crate) fn new(backend: Backend) -> Params {
        Params { backend, taken: 0 }
    }

    /// The next placeholder.
    pub(crate) fn next(&mut self) -> String {
        self.taken += 1;
        match self.backend {
            Backend::Sqlite => "?".into(),
            Backend::Postgres => format!("${}", self.taken),
        }
    }
}

/// A boxed future borrowing a connection, the shape of every closure given to [`Store::write`].
pub type BoxFut<'a, T> = futures::future::BoxFuture<'a, T>;

/// An org-subtree scope as a condition on `{alias}.org_path`, with its values numbered from
/// `$first`; None when the scope has no subtree (department scopes see no issues, risks or
/// warnings).
pub(crate) fn scope_sql(scope: &domain::access::Scope, alias: &str, first: usize) -> Option<(String, Vec<String>)> {
    if scope.all {
        return Some(("1 = 1".into(), vec![]));
    }
    if scope.subtrees.is_empty() {
        return None;
    }
    let mut ors = Vec::new();
    let mut args = Vec::new();
    for path in &scope.subtrees {
        args.push(path.clone());
        args.push(domain::org::prefix_upper_bound(path));
        let n = first + args.len();
        ors.push(format!(
            "({alias}.org_path >= ${} AND {alias}.org_path < ${})",
            n - 2,
            n - 1
        ));
    }
    Some((format!("({})", ors.join(" OR ")), args))
}

#[cfg(test)]
mod tests {
    #[test]
    fn shaped_chunks_are_powers_of_two_in_order() {
        let items: Vec<usize> = (0..300).collect();
        let lens: Vec<usize> = super::shaped(&items, 128).map(<[usize]>::len).collect();
        assert_eq!(lens, vec![128, 128, 32, 8, 4]);
        let again: Vec<usize> = super::shaped(&items, 128).flatten().copied().collect();
        assert_eq!(again, items);
        assert_eq!(super::shaped(&items[..0], 128).count(), 0);
    }
}
