//! Online backup and restore (R-OP-3). SQLite: `VACUUM INTO` writes a consistent copy from one
//! read transaction while the server goes on serving; the copy is checked before it is called
//! done. PostgreSQL: `pg_dump` in its custom format (one snapshot) and `pg_restore`, the
//! documented procedure of docs/operations.md. Both end by checking the copy's integrity and
//! its audit chain and counting what it holds.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use store::Backend;

/// What a database (or a backup of one) holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Complaints stored.
    pub complaints: i64,
    /// Events on the audit trail.
    pub events: i64,
    /// Hash of the newest event (the chain head).
    pub head: String,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} complaints, {} audit events, audit chain intact (head {})",
            self.complaints,
            self.events,
            self.head.get(..16).unwrap_or(&self.head)
        )
    }
}

/// Counts and checks a database: the audit chain must be intact.
pub async fn summarize(url: &str) -> Result<Summary> {
    let store = store::Store::open(url, store::StoreOptions::default()).await?;
    let mut r = store.reader().await?;
    let mut c = r.conn();
    let complaints = store::complaints::count(&mut c).await?;
    let verdict = store::audit::verify(&mut c).await?;
    let (events, head) = store::backup::audit_head(&mut c).await?;
    drop(r);
    store.close().await;
    match verdict {
        store::audit::Verdict::Intact { .. } => Ok(Summary {
            complaints,
            events,
            head,
        }),
        store::audit::Verdict::Broken { seq, reason } => bail!("audit chain broken at event {seq}: {reason}"),
    }
}

fn backend(url: &str) -> Result<Backend> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Backend::Postgres)
    } else {
        bail!("--database must be sqlite:///path or postgres://…")
    }
}

/// A PostgreSQL client program: on the PATH or in Debian's versioned directory.
fn pg_program(name: &str) -> Result<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join(name))
        .find(|p| p.is_file());
    let debian = ["17", "16", "15"]
        .iter()
        .map(|v| PathBuf::from(format!("/usr/lib/postgresql/{v}/bin/{name}")))
        .find(|p| p.is_file());
    on_path
        .or(debian)
        .with_context(|| format!("{name} is needed for a PostgreSQL backup (Debian package postgresql-client)"))
}

fn run(mut cmd: std::process::Command) -> Result<()> {
    let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    if !out.status.success() {
        bail!(
            "{:?} failed: {}",
            cmd.get_program(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// Writes a backup of the live database at `url` to the new file `out` and checks it; says what
/// it holds (SQLite: counted in the copy) or that the dump is readable (PostgreSQL: listed by
/// `pg_restore --list`; counting needs a restore).
pub async fn backup(url: &str, out: &Path) -> Result<String> {
    if out.exists() {
        bail!("{} exists; a backup never overwrites a file", out.display());
    }
    match backend(url)? {
        Backend::Sqlite => {
            let target = out.to_str().context("the backup path must be UTF-8")?;
            store::backup::sqlite_vacuum_into(url, target).await?;
            std::fs::File::open(out)?.sync_all()?;
            let copy = format!("sqlite://{target}");
            let ok = store::backup::sqlite_integrity(target).await?;
            if ok != "ok" {
                bail!("the backup failed its integrity check: {ok}");
            }
            Ok(summarize(&copy).await?.to_string())
        }
        Backend::Postgres => {
            let mut cmd = std::process::Command::new(pg_program("pg_dump")?);
            cmd.args(["--format=custom", "--no-owner", "--file"]).arg(out).arg(url);
            run(cmd)?;
            std::fs::File::open(out)?.sync_all()?;
            let list = std::process::Command::new(pg_program("pg_restore")?)
                .arg("--list")
                .arg(out)
                .output()?;
            if !list.status.success() {
                bail!(
                    "the dump is not readable: {}",
                    String::from_utf8_lossy(&list.stderr).trim()
                );
            }
            let tables = String::from_utf8_lossy(&list.stdout).matches(" TABLE DATA ").count();
            Ok(format!("pg_dump custom format, {tables} tables of data, one snapshot"))
        }
    }
}

/// Replaces the database at `url` with the backup `from` (every server on it stopped first).
pub async fn restore(url: &str, from: &Path) -> Result<Summary> {
    if !from.is_file() {
        bail!("{} is not a file", from.display());
    }
    match backend(url)? {
        Backend::Sqlite => {
            let target = PathBuf::from(store::sqlite_path(url));
            let source = from.to_str().context("the backup path must be UTF-8")?;
            let ok = store::backup::sqlite_integrity(source).await?;
            if ok != "ok" {
                bail!("the backup failed its integrity check: {ok}");
            }
            // Copy beside the target, make it durable, then swap it in with one rename.
            let staged = target.with_extension("restoring");
            std::fs::copy(from, &staged)?;
            std::fs::File::open(&staged)?.sync_all()?;
            for suffix in ["-wal", "-shm"] {
                let side = PathBuf::from(format!("{}{suffix}", target.display()));
                if side.exists() {
                    std::fs::remove_file(side)?;
                }
            }
            std::fs::rename(&staged, &target)?;
            if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::File::open(dir)?.sync_all()?;
            }
            summarize(url).await
        }
        Backend::Postgres => {
            let mut cmd = std::process::Command::new(pg_program("pg_restore")?);
            cmd.args([
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                url,
            ])
            .arg(from);
            run(cmd)?;
            summarize(url).await
        }
    }
}
