//! The `kesu` command: `serve`, `migrate`, `demo`, `audit verify`.

use clap::{Args, Parser, Subcommand};
use kesu::config::{Config, DEFAULT_DATABASE, DEFAULT_LISTEN};
use kesu::{Clock, SystemClock};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

/// Kesu 客诉 — complaint management for real-estate developers and property managers.
#[derive(Parser)]
#[command(name = "kesu", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (migrates first).
    Serve(ServeArgs),
    /// Create or upgrade the schema, then exit.
    Migrate(DbArgs),
    /// Load demo data into an empty database, then exit.
    Demo(DbArgs),
    /// Run the SLA sweep once and exit (`--at` sweeps as of an RFC 3339 time: catch-up and tests).
    Sweep {
        #[command(flatten)]
        db: DbArgs,
        /// Sweep as of this time instead of now.
        #[arg(long)]
        at: Option<String>,
    },
    /// Write an online backup of the database to a new file and check it (R-OP-3).
    Backup {
        #[command(flatten)]
        db: DbArgs,
        /// The backup file to create (SQLite copy, or pg_dump custom format for PostgreSQL).
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Replace the database with a backup; stop every server on it first.
    Restore {
        #[command(flatten)]
        db: DbArgs,
        /// The backup file written by `kesu backup`.
        #[arg(long)]
        from: std::path::PathBuf,
    },
    /// Import org nodes, users, units or historical complaints from CSV or xlsx (R-OP-6).
    Import {
        #[command(flatten)]
        db: DbArgs,
        /// org, users, units or complaints.
        kind: String,
        /// A .csv (UTF-8) or .xlsx file whose first row names the columns.
        file: std::path::PathBuf,
        /// Check every row and report, but store nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Export everything (org, users, units, complaints with their events) as CSV files (R-OP-6).
    Export {
        #[command(flatten)]
        db: DbArgs,
        /// A new directory to write the files into.
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Check the audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Verify the hash chain; exit 1 and name the first broken event if it is broken.
    Verify(DbArgs),
}

#[derive(Args)]
struct DbArgs {
    /// sqlite:///path/to/kesu.db or postgres://user:pass@host/db
    #[arg(long, env = "KESU_DATABASE_URL", default_value = DEFAULT_DATABASE)]
    database: String,
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "KESU_LISTEN", default_value = DEFAULT_LISTEN)]
    listen: SocketAddr,
    #[command(flatten)]
    db: DbArgs,
    /// Load demo data into an empty database.
    #[arg(long)]
    demo: bool,
}

fn config(database: &str) -> Config {
    let mut c = Config::for_database(database);
    c.admin_password = std::env::var("KESU_ADMIN_PASSWORD").ok().filter(|p| !p.is_empty());
    if let Some(dir) = std::env::var_os("KESU_DATA_DIR").filter(|d| !d.is_empty()) {
        c.data_dir = dir.into();
    }
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    c.sms_gateway_url = var("KESU_SMS_GATEWAY_URL");
    c.smtp_url = var("KESU_SMTP_URL");
    c.smtp_ca_file = var("KESU_SMTP_CA_FILE").map(Into::into);
    c.secure_cookies = var("KESU_SECURE_COOKIES").is_some_and(|v| v == "1" || v == "true");
    if let Some(from) = var("KESU_SMTP_FROM") {
        c.smtp_from = from;
    }
    c
}

fn main() -> ExitCode {
    limit_malloc_arenas();
    match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime.block_on(serve_cli()),
        Err(e) => {
            eprintln!("kesu: cannot start the runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Four malloc arenas instead of glibc's eight per core, set before any thread starts: with
/// the SQLite connection threads each freeing into an arena of their own, the peak RSS of the
/// read scenarios at 1,000,000 complaints was 306 MB, with four 233 MB (two: 213–230 MB and
/// slower reads; mimalloc: 289 MB; bench/RESULTS.md).
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a malloc tunable; it is called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 4);
    }
}

async fn serve_cli() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_env("KESU_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into());
    // KESU_LOG_FORMAT=json: one JSON object per line with the request's span (id, method,
    // path) for log shippers (R-OP-4); otherwise lines for people.
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false);
    if std::env::var("KESU_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().with_current_span(true).with_span_list(false).init();
    } else {
        builder.init();
    }
    match run(Cli::parse()).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("kesu: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    match cli.command {
        Command::Serve(args) => {
            let mut cfg = config(&args.db.database);
            cfg.listen = args.listen;
            cfg.demo = args.demo;
            tracing::info!(config = ?cfg, "starting");
            let (router, state) = kesu::build(cfg.clone(), clock).await?;
            // The segmenter's dictionary loads beside the first requests instead of inside one.
            tokio::task::spawn_blocking(domain::search::warm_up);
            // The SLA sweep (R-SLA-3): every few seconds; any number of processes may run it.
            let every: u64 = std::env::var("KESU_SWEEP_SECONDS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(5);
            if every > 0 {
                let sweeper = state.clone();
                tokio::spawn(async move {
                    let mut tick = tokio::time::interval(std::time::Duration::from_secs(every));
                    loop {
                        tick.tick().await;
                        match kesu::services::sweep::run(&sweeper).await {
                            Ok(r) if r.claimed > 0 => tracing::info!(
                                warned = r.warned,
                                breached = r.breached,
                                escalated = r.escalated,
                                "sla sweep"
                            ),
                            Ok(_) => {}
                            Err(e) => tracing::error!(error = %e, "sla sweep failed"),
                        }
                    }
                });
            }
            // Volume early warnings (R-AN-5): every hour over the report roll-up; a warning is
            // raised once per matter and week however many processes look.
            let watcher = state.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
                loop {
                    tick.tick().await;
                    match kesu::services::warnings::scan_volume(&watcher).await {
                        Ok(n) if n > 0 => tracing::info!(raised = n, "volume warnings"),
                        Ok(_) => {}
                        Err(e) => tracing::error!(error = %e, "volume warning scan failed"),
                    }
                }
            });
            // Delivery of the outbox (R-NT-3): every two seconds, retries with back-off; a round
            // that delivered a whole batch is followed at once, so a backlog drains at the
            // gateway's pace while failing channels are tried gently.
            let deliverer = state.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(std::time::Duration::from_secs(2));
                loop {
                    tick.tick().await;
                    loop {
                        match kesu::services::deliver::run(&deliverer).await {
                            Ok(r) if r.delivered as i64 == kesu::services::deliver::BATCH => {}
                            Ok(_) => break,
                            Err(e) => {
                                tracing::error!(error = %e, "delivery round failed");
                                break;
                            }
                        }
                    }
                }
            });
            // Settings changed by another process (calendar, clock policy, business hours,
            // taxonomy) reach this one within two seconds: a one-row epoch read per round.
            let refresher = state.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(std::time::Duration::from_secs(2));
                loop {
                    tick.tick().await;
                    match refresher.refresh_settings().await {
                        Ok(true) => tracing::info!("settings changed elsewhere: reloaded"),
                        Ok(false) => {}
                        Err(e) => tracing::error!(error = %e, "settings refresh failed"),
                    }
                }
            });
            let listener = tokio::net::TcpListener::bind(cfg.listen).await?;
            tracing::info!("listening on http://{}", listener.local_addr()?);
            let app = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
            axum::serve(listener, app).with_graceful_shutdown(shutdown()).await?;
            state.store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate(db) => {
            let store = store::Store::open(&db.database, store::StoreOptions::default()).await?;
            kesu::services::bootstrap::run(&store, &config(&db.database), clock.now()).await?;
            store.close().await;
            println!("schema is up to date");
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo(db) => {
            let mut cfg = config(&db.database);
            cfg.demo = false;
            let (_, state) = kesu::build(cfg, clock).await?;
            let loaded = kesu::demo::load_if_empty(&state, true).await?;
            state.store.close().await;
            println!(
                "{}",
                if loaded {
                    "demo data loaded"
                } else {
                    "the database already has projects; nothing loaded"
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Sweep { db, at } => {
            let now = match at {
                Some(t) => domain::time::parse_rfc3339(&t)
                    .ok_or_else(|| anyhow::anyhow!("--at must be an RFC 3339 time"))?
                    .to_utc(),
                None => clock.now(),
            };
            let (_, state) = kesu::build(config(&db.database), clock).await?;
            let started = std::time::Instant::now();
            let r = kesu::services::sweep::run_at(&state, now)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            state.store.close().await;
            println!(
                "swept {} clocks: {} warned, {} breached, {} escalated in {ms:.1} ms",
                r.claimed, r.warned, r.breached, r.escalated
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { db, out } => {
            let started = std::time::Instant::now();
            let summary = kesu::backup::backup(&db.database, &out).await?;
            println!(
                "backup written to {} in {:.1} s: {summary}",
                out.display(),
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { db, from } => {
            let summary = kesu::backup::restore(&db.database, &from).await?;
            println!("restored from {}: {summary}", from.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            db,
            kind,
            file,
            dry_run,
        } => {
            let (_, state) = kesu::build(config(&db.database), clock).await?;
            let report = kesu::services::import::from_file(&state, &kind, &file, dry_run).await;
            state.store.close().await;
            let report = report?;
            println!("{}", report.text());
            Ok(if report.ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Export { db, out } => {
            let (_, state) = kesu::build(config(&db.database), clock).await?;
            let written = kesu::services::export::to_dir(&state, &out).await;
            state.store.close().await;
            for (file, rows) in written? {
                println!("{file}: {rows} rows");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            command: AuditCommand::Verify(db),
        } => {
            let store = store::Store::open(&db.database, store::StoreOptions::default()).await?;
            let mut r = store.reader().await?;
            let verdict = store::audit::verify(&mut r.conn()).await?;
            drop(r);
            store.close().await;
            match verdict {
                store::audit::Verdict::Intact { events } => {
                    println!("audit chain intact: {events} events");
                    Ok(ExitCode::SUCCESS)
                }
                store::audit::Verdict::Broken { seq, reason } => {
                    println!("audit chain BROKEN at event {seq}: {reason}");
                    Ok(ExitCode::from(1))
                }
            }
        }
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
