//! Connections: a SQLite file (WAL, durable commits, one writer task that commits concurrent
//! jobs together) or a PostgreSQL pool. Queries are written once against [`Conn`].

use crate::error::{Result, StoreError};
use crate::BoxFut;
use futures::FutureExt;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool};
use std::panic::AssertUnwindSafe;
use std::str::FromStr;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Runs `$body` with `$c` bound to the backend's `&mut` connection; each backend gets its own
/// monomorphised copy, so one query text serves both.
#[macro_export]
#[doc(hidden)]
macro_rules! on_conn {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::Conn::Sqlite($c) => $body,
            $crate::Conn::Pg($c) => $body,
        }
    };
}

/// A connection of either backend, borrowed for one read or inside one write transaction.
pub enum Conn<'a> {
    /// SQLite.
    Sqlite(&'a mut SqliteConnection),
    /// PostgreSQL.
    Pg(&'a mut PgConnection),
}

impl Conn<'_> {
    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        match self {
            Conn::Sqlite(_) => Backend::Sqlite,
            Conn::Pg(_) => Backend::Postgres,
        }
    }
}

/// A pooled connection for reads.
pub enum ReadConn {
    /// SQLite reader.
    Sqlite(PoolConnection<Sqlite>),
    /// PostgreSQL connection.
    Pg(PoolConnection<Postgres>),
}

impl ReadConn {
    /// Borrows it as a [`Conn`].
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            ReadConn::Sqlite(c) => Conn::Sqlite(&mut *c),
            ReadConn::Pg(c) => Conn::Pg(&mut *c),
        }
    }
}

/// The two supported databases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

/// Tuning of the store.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Largest number of write jobs committed together on SQLite.
    pub max_batch: usize,
    /// Connections in the read pool (SQLite) or the whole pool (PostgreSQL).
    pub pool_size: u32,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            max_batch: 256,
            pool_size: 8,
        }
    }
}

type Completion = Box<dyn FnOnce(Option<&StoreError>) + Send>;
type JobFn = Box<dyn for<'c, 'd> FnOnce(&'c mut Conn<'d>) -> BoxFut<'c, (bool, Completion)> + Send>;

#[derive(Clone)]
enum Inner {
    Sqlite {
        read: SqlitePool,
        writer: mpsc::Sender<JobFn>,
    },
    Pg(PgPool),
}

/// The store: cheap to clone, shared by every request and job.
#[derive(Clone)]
pub struct Store {
    inner: Inner,
}

impl Store {
    /// Opens (creating a missing SQLite file) and migrates the database at `url`.
    pub async fn open(url: &str, opts: StoreOptions) -> Result<Store> {
        if url.starts_with("sqlite:") {
            Self::open_sqlite(url, opts).await
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::open_pg(url, opts).await
        } else {
            Err(StoreError::UnsupportedUrl(
                url.split('@').next_back().unwrap_or("").to_string(),
            ))
        }
    }

    async fn open_sqlite(url: &str, opts: StoreOptions) -> Result<Store> {
        let path = sqlite_path(url);
        if let Some(dir) = std::path::Path::new(&path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| StoreError::Db(sqlx::Error::Io(e)))?;
            }
        }
        // WAL with synchronous=FULL on every connection but the writer, whose commits are made
        // durable by the syncer instead (see `sync_loop`): an acknowledged write survives kill -9
        // and power loss (R-OP-3).
        let base = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("temp_store", "memory")
            .pragma("cache_size", "-32000")
            // Every distinct statement stays prepared: the writer runs a few hundred kinds, more
            // than the default cache of 100 (registration +1% measured; bench/RESULTS.md).
            .statement_cache_capacity(2000)
            .disable_statement_logging();
        let mut writer = base.clone().synchronous(SqliteSynchronous::Normal).connect().await?;
        sqlx::migrate!("./migrations/sqlite").run(&mut writer).await?;
        // Checkpoints run beside the writer, not inside its commits: a group commit fills a
        // thousand WAL pages, so SQLite's automatic checkpoint ran in nearly every commit and
        // took most of its time (bench/RESULTS.md). The writer still checkpoints itself if
        // the checkpointer falls far behind.
        sqlx::query(&format!("PRAGMA wal_autocheckpoint = {WRITER_CHECKPOINT_PAGES}"))
            .execute(&mut writer)
            .await?;
        let checkpointer = base.clone().pragma("cache_size", "-512").connect().await?;
        let read = SqlitePoolOptions::new()
            .max_connections(opts.pool_size.max(1))
            .min_connections(1)
            // Readers keep 8 MB of pages each (the operating system caches the file as well) and
            // fewer statements than the writer: 32 MB each took the peak RSS past 500 MB at
            // 1,000,000 complaints (bench/RESULTS.md).
            .connect_with(
                base.read_only(true)
                    .pragma("cache_size", "-8000")
                    .statement_cache_capacity(256),
            )
            .await?;
        // The WAL exists once the writer has written in WAL mode; opening it cannot create it
        // behind SQLite's back.
        let wal = std::fs::File::open(format!("{path}-wal")).map_err(|e| StoreError::Db(sqlx::Error::Io(e)))?;
        let (synced, to_sync) = std::sync::mpsc::channel::<Vec<Completion>>();
        std::thread::Builder::new()
            .name("kesu-sqlite-sync".into())
            .spawn(move || sync_loop(wal, to_sync))
            .map_err(|e| StoreError::Db(sqlx::Error::Io(e)))?;
        let (tx, rx) = mpsc::channel::<JobFn>(opts.max_batch * 4);
        // The writer gets a thread and runtime of its own: between its statements it must not
        // queue behind HTTP tasks, or every round trip to SQLite waits its turn.
        let max_batch = opts.max_batch.max(1);
        std::thread::Builder::new()
            .name("kesu-sqlite-writer".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("writer runtime");
                rt.block_on(async move {
                    tokio::spawn(checkpoint_loop(checkpointer));
                    writer_loop(writer, rx, max_batch, synced).await
                });
            })
            .map_err(|e| StoreError::Db(sqlx::Error::Io(e)))?;
        Ok(Store {
            inner: Inner::Sqlite { read, writer: tx },
        })
    }

    async fn open_pg(url: &str, opts: StoreOptions) -> Result<Store> {
        let connect = PgConnectOptions::from_str(url)?.disable_statement_logging();
        let pool = PgPoolOptions::new()
            .max_connections(opts.pool_size.max(2))
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(connect)
            .await?;
        // sqlx takes an advisory lock, so several processes starting together migrate once.
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Store { inner: Inner::Pg(pool) })
    }

    /// Which backend this store uses.
    pub fn backend(&self) -> Backend {
        match self.inner {
            Inner::Sqlite { .. } => Backend::Sqlite,
            Inner::Pg(_) => Backend::Postgres,
        }
    }

    /// A connection for reading.
    pub async fn reader(&self) -> Result<ReadConn> {
        Ok(match &self.inner {
            Inner::Sqlite { read, .. } => ReadConn::Sqlite(read.acquire().await?),
            Inner::Pg(pool) => ReadConn::Pg(pool.acquire().await?),
        })
    }

    /// Whether the database answers (readiness).
    pub async fn ping(&self) -> Result<()> {
        let mut r = self.reader().await?;
        let mut c = r.conn();
        crate::on_conn!(&mut c, |c| sqlx::query("SELECT 1")
            .execute(&mut **c)
            .await
            .map(|_| ())
            .map_err(StoreError::from))
    }

    /// Runs `f` as one transaction: everything it writes commits together or not at all, and
    /// the result is returned only after the commit is durable. On SQLite the job joins the
    /// writer's next batch inside a savepoint of its own, so a failing job rolls back alone.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: for<'c, 'd> FnOnce(&'c mut Conn<'d>) -> BoxFut<'c, Result<T, E>> + Send + 'static,
    {
        match &self.inner {
            Inner::Pg(pool) => {
                let mut tx = pool.begin().await.map_err(StoreError::from)?;
                let out = f(&mut Conn::Pg(&mut tx)).await?;
                tx.commit().await.map_err(StoreError::from)?;
                Ok(out)
            }
            Inner::Sqlite { writer, .. } => {
                let (done_tx, done_rx) = oneshot::channel::<Result<T, E>>();
                let job: JobFn = Box::new(move |conn| {
                    async move {
                        let out = f(conn).await;
                        let ok = out.is_ok();
                        let completion: Completion = Box::new(move |commit_err| {
                            let result = match (out, commit_err) {
                                (Ok(_), Some(e)) => Err(E::from(StoreError::CommitFailed(e.to_string()))),
                                (out, _) => out,
                            };
                            let _ = done_tx.send(result);
                        });
                        (ok, completion)
                    }
                    .boxed()
                });
                writer.send(job).await.map_err(|_| StoreError::WriterGone)?;
                done_rx.await.map_err(|_| StoreError::WriterGone)?
            }
        }
    }

    /// Closes every connection; pending SQLite writes finish first.
    pub async fn close(self) {
        match self.inner {
            Inner::Sqlite { read, writer } => {
                drop(writer);
                read.close().await;
            }
            Inner::Pg(pool) => pool.close().await,
        }
    }
}

/// The file path of a `sqlite:` URL: `sqlite:///abs/path`, `sqlite://rel/path` or `sqlite:path`.
pub fn sqlite_path(url: &str) -> String {
    let rest = url.trim_start_matches("sqlite:");
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    rest.split('?').next().unwrap_or(rest).to_string()
}

async fn writer_loop(
    mut conn: SqliteConnection,
    mut rx: mpsc::Receiver<JobFn>,
    max_batch: usize,
    synced: std::sync::mpsc::Sender<Vec<Completion>>,
) {
    let mut batch: Vec<JobFn> = Vec::with_capacity(max_batch);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < max_batch {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        run_batch(&mut conn, &mut batch, &synced).await;
    }
    let _ = conn.close().await;
}

/// WAL pages after which the writer checkpoints in its own commit (the checkpointer's
/// fallback; SQLite's default is 1,000).
const WRITER_CHECKPOINT_PAGES: u32 = 16_384;

/// How often the checkpointer copies the WAL's committed pages into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);

/// Copies committed WAL pages into the database (PASSIVE: it neither waits for nor blocks the
/// writer or readers), on its own connection, until the writer's runtime ends.
async fn checkpoint_loop(mut conn: SqliteConnection) {
    loop {
        tokio::time::sleep(CHECKPOINT_EVERY).await;
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&mut conn).await {
            tracing::warn!(error = %e, "checkpoint failed; the writer checkpoints instead");
        }
    }
}

async fn exec(conn: &mut SqliteConnection, sql: &str) -> Result<()> {
    sqlx::query(sql).execute(&mut *conn).await?;
    Ok(())
}

/// Makes committed batches durable and only then answers their jobs. The writer commits with
/// `synchronous=NORMAL` (its commit writes the WAL without waiting for the disk) and hands the
/// batch's answers here; one `fdatasync` of the WAL covers every batch committed before it
/// started, so the writer runs the next batch while the disk flushes the last one, and a job is
/// answered only once its commit is on disk (R-OP-3). A checkpoint syncs the WAL before it
/// copies frames and the database after, so frames are never reused before they are durable.
fn sync_loop(wal: std::fs::File, to_sync: std::sync::mpsc::Receiver<Vec<Completion>>) {
    while let Ok(mut done) = to_sync.recv() {
        while let Ok(more) = to_sync.try_recv() {
            done.extend(more);
        }
        let failed = wal.sync_data().err().map(|e| {
            tracing::error!(error = %e, "cannot flush the WAL to disk; the batch is not acknowledged");
            StoreError::CommitFailed(format!("flushing the WAL: {e}"))
        });
        for answer in done {
            answer(failed.as_ref());
        }
    }
}

async fn run_batch(
    conn: &mut SqliteConnection,
    batch: &mut Vec<JobFn>,
    synced: &std::sync::mpsc::Sender<Vec<Completion>>,
) {
    let mut completions: Vec<Completion> = Vec::with_capacity(batch.len());
    if let Err(e) = exec(conn, "BEGIN IMMEDIATE").await {
        tracing::error!(error = %e, "cannot begin a write transaction");
        // Run nothing: dropping a job drops its reply channel, so its caller gets WriterGone.
        batch.clear();
        return;
    }
    for job in batch.drain(..) {
        let savepoint = exec(conn, "SAVEPOINT job").await;
        let outcome = AssertUnwindSafe(async { job(&mut Conn::Sqlite(&mut *conn)).await })
            .catch_unwind()
            .await;
        let ok = match outcome {
            Ok((ok, done)) => {
                completions.push(done);
                ok && savepoint.is_ok()
            }
            Err(_) => {
                tracing::error!("a write job panicked; its changes are rolled back");
                false
            }
        };
        let end = if ok {
            exec(conn, "RELEASE job").await
        } else {
            rollback_savepoint(conn).await
        };
        if let Err(e) = end {
            tracing::error!(error = %e, "savepoint handling failed");
        }
    }
    match exec(conn, "COMMIT").await {
        Ok(()) => {
            if let Err(std::sync::mpsc::SendError(completions)) = synced.send(completions) {
                for done in completions {
                    done(Some(&StoreError::WriterGone));
                }
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "commit failed; the batch is rolled back");
            let _ = exec(conn, "ROLLBACK").await;
            for done in completions {
                done(Some(&e));
            }
        }
    }
}

async fn rollback_savepoint(conn: &mut SqliteConnection) -> Result<()> {
    exec(conn, "ROLLBACK TO job").await?;
    exec(conn, "RELEASE job").await
}

#[cfg(test)]
mod tests {
    use super::sqlite_path;

    #[test]
    fn sqlite_urls() {
        assert_eq!(sqlite_path("sqlite:///tmp/k.db"), "/tmp/k.db");
        assert_eq!(sqlite_path("sqlite://kesu-data/kesu.db"), "kesu-data/kesu.db");
        assert_eq!(sqlite_path("sqlite:kesu.db?mode=rwc"), "kesu.db");
    }
}
