//! `kesu-bench`: starts the real `kesu` server (release build, next to this binary) and drives it
//! over HTTP with concurrent keep-alive clients, printing throughput and latency.

mod dataset;

use clap::{Parser, Subcommand};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(name = "kesu-bench")]
struct Cli {
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Subcommand)]
enum Scenario {
    /// Register complaints for a while; every 201 is durable before it is sent.
    Register {
        /// Concurrent keep-alive clients.
        #[arg(long, default_value_t = 32)]
        clients: usize,
        /// Seconds to run.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Database URL; default a fresh SQLite file in a temporary directory.
        #[arg(long)]
        database: Option<String>,
        /// Received a second before registration, as at a hotline, instead of the data set's
        /// times spread over the year (which land all over the time-ordered indexes).
        #[arg(long)]
        live: bool,
    },
    /// Register N complaints (seven clocks each), then time `kesu sweep` passes over them.
    Sweep {
        /// Open complaints to create.
        #[arg(long, default_value_t = 100_000)]
        complaints: usize,
        /// Concurrent clients while loading.
        #[arg(long, default_value_t = 64)]
        clients: usize,
    },
    /// Register N complaints, then time the console's list, complaint and workbench pages.
    Pages {
        /// Complaints to create.
        #[arg(long, default_value_t = 100_000)]
        complaints: usize,
        /// Concurrent clients while loading.
        #[arg(long, default_value_t = 64)]
        clients: usize,
        /// Requests per page.
        #[arg(long, default_value_t = 50)]
        requests: usize,
        /// Keep the database in this directory; a later run with the same directory skips the
        /// loading and measures the pages again.
        #[arg(long)]
        keep: Option<PathBuf>,
    },
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn kesu_binary() -> PathBuf {
    let me = std::env::current_exe().expect("own path");
    let bin = me.with_file_name("kesu");
    assert!(
        bin.exists(),
        "build the server first: cargo build --release --bin kesu ({} missing)",
        bin.display()
    );
    bin
}

fn fsync_rate(dir: &Path) -> f64 {
    use std::io::Write;
    let path = dir.join("fsync.probe");
    let mut f = std::fs::File::create(&path).expect("probe file");
    let start = Instant::now();
    let mut n = 0u32;
    while start.elapsed() < Duration::from_secs(1) {
        f.write_all(&[0u8; 4096]).expect("write");
        f.sync_data().expect("fsync");
        n += 1;
    }
    let _ = std::fs::remove_file(path);
    f64::from(n) / start.elapsed().as_secs_f64()
}

fn percentile(sorted: &[u128], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

/// CPU seconds (user + system) the process has used, from /proc.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields 14 and 15 of stat (utime, stime) are at 11 and 12 after the command name.
    (ticks(11) + ticks(12)) / 100.0
}

fn peak_rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// The data set's seed: every run registers the same complaints in the same order.
const SEED: u64 = 20_261_123;
/// The year the data set's complaints were received in (the last full year, so none is in the future).
const DATA_YEAR: i32 = 2025;

/// Imports the data set's organisation and units (120 projects, 144,000 units) unless a kept
/// database has them already.
async fn ensure_dataset_org(base: &str) {
    let admin = api_token(base, "admin", "bench-admin").await;
    let http = reqwest::Client::new();
    let probe = http
        .get(format!("{base}/api/v1/projects/{}", dataset::project_codes()[0]))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("probe");
    if probe.status() == 200 {
        return;
    }
    let t = Instant::now();
    let files =
        std::iter::once(("org", dataset::org_csv())).chain(dataset::units_csvs().into_iter().map(|f| ("units", f)));
    for (kind, body) in files {
        let r = http
            .post(format!("{base}/api/v1/admin/import/{kind}"))
            .bearer_auth(&admin)
            .header("content-type", "text/csv")
            .body(body)
            .send()
            .await
            .expect("import");
        assert_eq!(r.status(), 200, "import {kind}: {}", r.text().await.unwrap_or_default());
    }
    println!(
        "data set organisation imported: 120 projects, 144,000 units in {:.1} s",
        t.elapsed().as_secs_f64()
    );
}

/// The raw SQLite ceiling for the same rows: a fresh file in the same directory, WAL and
/// `synchronous=FULL` like the server, the rows' fields inserted into one table by one prepared
/// statement, `batch` rows per committed transaction (one commit per batch of concurrent
/// registrations, as group commit does). Returns rows per second.
async fn raw_ceiling(dir: &Path, rows: usize, batch: usize) -> f64 {
    use sqlx::Connection;
    let path = dir.join("ceiling.db");
    let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", path.display()))
        .await
        .expect("ceiling db");
    for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL"] {
        sqlx::query(pragma).execute(&mut c).await.expect("pragma");
    }
    sqlx::query(
        "CREATE TABLE raw_complaint (id INTEGER PRIMARY KEY, received_at TEXT, channel TEXT, name TEXT, phone TEXT, \
         kind TEXT, project_code TEXT, building TEXT, unit TEXT, stage TEXT, subject TEXT, description TEXT, demands TEXT, households INTEGER)",
    )
    .execute(&mut c)
    .await
    .expect("table");
    let data: Vec<Value> = (0..rows)
        .map(|i| dataset::complaint(SEED, i as u64, DATA_YEAR))
        .collect();
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let t = Instant::now();
    for chunk in data.chunks(batch) {
        let mut tx = c.begin().await.expect("begin");
        for r in chunk {
            sqlx::query("INSERT INTO raw_complaint (received_at, channel, name, phone, kind, project_code, building, unit, stage, subject, description, demands, households) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .bind(s(&r["received_at"]))
                .bind(s(&r["channel"]))
                .bind(s(&r["complainant"]["name"]))
                .bind(s(&r["complainant"]["phone"]))
                .bind(s(&r["complainant"]["kind"]))
                .bind(s(&r["project_code"]))
                .bind(s(&r["building"]))
                .bind(s(&r["unit"]))
                .bind(s(&r["stage"]))
                .bind(s(&r["subject"]))
                .bind(s(&r["description"]))
                .bind(s(&r["demands"]))
                .bind(r["households"].as_i64().unwrap_or(1))
                .execute(&mut *tx)
                .await
                .expect("insert");
        }
        tx.commit().await.expect("commit");
    }
    let rate = rows as f64 / t.elapsed().as_secs_f64();
    drop(c);
    let _ = std::fs::remove_file(&path);
    rate
}

/// Starts `kesu serve --demo` on a free port; returns it with its base URL and a group token.
async fn start_server(dir: &Path, database: &str) -> (Server, String, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let child = Command::new(kesu_binary())
        .current_dir(dir)
        .args([
            "serve",
            "--demo",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database",
            database,
        ])
        .env("KESU_ADMIN_PASSWORD", "bench-admin")
        .env("KESU_LOG", "warn")
        .env("KESU_SWEEP_SECONDS", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start kesu");
    let server = Server(child);
    let http = reqwest::Client::new();
    let started = Instant::now();
    loop {
        if http
            .get(format!("{base}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            break;
        }
        // A kept database may need its upgrade first (a migration, a roll-up rebuilt).
        assert!(started.elapsed() < Duration::from_secs(1800), "server did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    ensure_dataset_org(&base).await;
    let token = api_token(&base, "groupcr", "Kesu@2026").await;
    (server, base, token)
}

/// An API token for a user.
async fn api_token(base: &str, username: &str, password: &str) -> String {
    let v: Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["token"].as_str().expect("token").to_string()
}

/// Registers complaints with `clients` keep-alive clients until the deadline passes or `limit`
/// complaints are registered; returns the latencies (µs) of the 201s and the error count.
async fn register_load(
    base: &str,
    token: &str,
    clients: usize,
    until: Instant,
    limit: usize,
    live: bool,
) -> (Vec<u128>, u64) {
    let issued = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let (base, token, issued) = (base.to_string(), token.to_string(), issued.clone());
            tokio::spawn(async move {
                // One client per worker with one pooled connection: a keep-alive client.
                let client = reqwest::Client::builder().pool_max_idle_per_host(1).build().unwrap();
                let mut latencies = Vec::new();
                let mut errors = 0u64;
                while Instant::now() < until {
                    let i = issued.fetch_add(1, Ordering::Relaxed);
                    if i >= limit {
                        break;
                    }
                    let mut body = dataset::complaint(SEED, i as u64, DATA_YEAR);
                    if live {
                        let received = chrono::Utc::now() - chrono::Duration::seconds(1);
                        body["received_at"] = json!(received.to_rfc3339());
                    }
                    let t = Instant::now();
                    match client
                        .post(format!("{base}/api/v1/complaints"))
                        .bearer_auth(&token)
                        .json(&body)
                        .send()
                        .await
                    {
                        Ok(r) if r.status() == 201 => {
                            let _ = r.bytes().await;
                            latencies.push(t.elapsed().as_micros());
                        }
                        _ => errors += 1,
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for w in workers {
        let (l, e) = w.await.unwrap();
        latencies.extend(l);
        errors += e;
    }
    latencies.sort_unstable();
    (latencies, errors)
}

/// Registers the first `complaints` of the data set within an hour (received now when `live`,
/// else at the data set's times over its year).
async fn load_dataset(base: &str, token: &str, clients: usize, complaints: usize, live: bool) -> (Vec<u128>, u64) {
    let until = Instant::now() + Duration::from_secs(3600);
    register_load(base, token, clients, until, complaints, live).await
}

/// Reads complaints by number with `clients` keep-alive clients for `how_long`; every answer
/// must be 200. Returns the sorted latencies (µs) and the seconds taken.
/// GETs of `paths` (under the base URL, picked at random) by keep-alive clients for a while;
/// the sorted latencies (µs) and the seconds taken.
async fn read_load(base: &str, token: &str, paths: &[String], clients: usize, how_long: Duration) -> (Vec<u128>, f64) {
    let numbers = Arc::new(paths.to_vec());
    let t0 = Instant::now();
    let until = t0 + how_long;
    let workers: Vec<_> = (0..clients)
        .map(|w| {
            let (base, token, numbers) = (base.to_string(), token.to_string(), numbers.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::builder().pool_max_idle_per_host(1).build().unwrap();
                let mut rng = dataset::Rng::new(w as u64 + 1);
                let mut latencies = Vec::new();
                while Instant::now() < until {
                    let n = rng.pick(&numbers);
                    let t = Instant::now();
                    let r = client
                        .get(format!("{base}{n}"))
                        .bearer_auth(&token)
                        .send()
                        .await
                        .expect("read");
                    assert_eq!(r.status(), 200, "{n}");
                    let _ = r.bytes().await;
                    latencies.push(t.elapsed().as_micros());
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap());
    }
    all.sort_unstable();
    (all, t0.elapsed().as_secs_f64())
}

async fn count_rows(url: &str) -> i64 {
    use sqlx::Connection;
    if url.starts_with("sqlite") {
        let mut c = sqlx::SqliteConnection::connect(url).await.expect("open");
        sqlx::query_scalar("SELECT COUNT(*) FROM complaint")
            .fetch_one(&mut c)
            .await
            .expect("count")
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.expect("open");
        sqlx::query_scalar("SELECT COUNT(*) FROM complaint")
            .fetch_one(&mut c)
            .await
            .expect("count")
    }
}

async fn register(clients: usize, seconds: u64, database: Option<String>, live: bool) {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = database.unwrap_or_else(|| format!("sqlite://{}", dir.path().join("kesu.db").display()));
    let (server, base, token) = start_server(dir.path(), &database).await;
    // Counted once the server is ready (demo data in an empty database; a kept one as it is).
    let stored_before = count_rows(&database).await;
    let cpu_before = cpu_seconds(server.0.id());
    let client_cpu_before = cpu_seconds(std::process::id());
    let t0 = Instant::now();
    let (latencies, errors) = register_load(
        &base,
        &token,
        clients,
        t0 + Duration::from_secs(seconds),
        usize::MAX,
        live,
    )
    .await;
    let elapsed = t0.elapsed().as_secs_f64();
    let acknowledged = latencies.len();
    let rss = peak_rss_mb(server.0.id());
    let cpu = cpu_seconds(server.0.id()) - cpu_before;
    let client_cpu = cpu_seconds(std::process::id()) - client_cpu_before;
    // Read by number over what was just registered, with the same clients.
    let month = (chrono::Utc::now() + chrono::Duration::hours(8))
        .format("%Y%m")
        .to_string();
    let numbers: Vec<String> = (1..=acknowledged + 8)
        .map(|n| format!("/api/v1/complaints/KS-{month}-{n:05}"))
        .collect();
    let (reads, read_secs) = read_load(&base, &token, &numbers, clients, Duration::from_secs(5)).await;
    // The floor on this machine: the same clients on the cheapest endpoint there is.
    let (floor, floor_secs) = read_load(
        &base,
        &token,
        &["/healthz".to_string()],
        clients,
        Duration::from_secs(5),
    )
    .await;
    drop(server);
    let store_count = count_rows(&database).await;
    let db = if database.starts_with("sqlite") {
        "SQLite (WAL, answered after the WAL is flushed)"
    } else {
        "PostgreSQL"
    };
    let received = if live {
        "received a second before"
    } else {
        "received over the data set's year"
    };
    println!(
        "scenario: register (POST /api/v1/complaints), {clients} keep-alive clients, {seconds} s, database {db}, {received}"
    );
    println!("acknowledged (201): {acknowledged}   errors: {errors}");
    println!("throughput: {:.0} complaints/s", acknowledged as f64 / elapsed);
    println!(
        "latency ms: p50 {:.2}  p99 {:.2}  max {:.2}",
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0)
    );
    println!("server peak RSS: {rss:.1} MB; server CPU {cpu:.1} s = {:.2} ms per registration (client and server share the machine)", cpu * 1000.0 / acknowledged.max(1) as f64);
    println!("load generator CPU {client_cpu:.1} s over {elapsed:.1} s");
    println!(
        "read by number (GET /api/v1/complaints/{{number}}), {clients} clients, 5 s: {:.0}/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        reads.len() as f64 / read_secs,
        percentile(&reads, 0.50),
        percentile(&reads, 0.99),
        percentile(&reads, 1.0)
    );
    println!(
        "HTTP floor (GET /healthz), {clients} clients, 5 s: {:.0}/s, p50 {:.2} ms, p99 {:.2} ms",
        floor.len() as f64 / floor_secs,
        percentile(&floor, 0.50),
        percentile(&floor, 0.99)
    );
    println!(
        "stored complaints after stop: {store_count} (= {stored_before} before + {acknowledged} acknowledged: {})",
        store_count == stored_before + acknowledged as i64
    );
    if database.starts_with("sqlite") {
        let throughput = acknowledged as f64 / elapsed;
        let ceiling = raw_ceiling(dir.path(), acknowledged.clamp(5_000, 50_000), clients).await;
        println!(
            "ceiling: raw SQLite inserts of the same rows, {clients} per commit: {ceiling:.0} rows/s; kesu reaches {:.0}% of it",
            throughput * 100.0 / ceiling
        );
        println!(
            "disk fsync rate (4 KiB write + fdatasync): {:.0}/s",
            fsync_rate(dir.path())
        );
    }
}

async fn sweep(complaints: usize, clients: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = format!("sqlite://{}", dir.path().join("kesu.db").display());
    let (server, base, token) = start_server(dir.path(), &database).await;
    let received = chrono::Utc::now();
    let t0 = Instant::now();
    // Received now, so the passes below find the clocks due when they say.
    let (latencies, errors) = load_dataset(&base, &token, clients, complaints, true).await;
    println!(
        "loaded {} complaints ({errors} errors) in {:.1} s",
        latencies.len(),
        t0.elapsed().as_secs_f64()
    );
    // A policy change moves every running clock it touches, in one transaction (R-SLA-1).
    let http = reqwest::Client::new();
    let admin = api_token(&base, "admin", "bench-admin").await;
    for days in [4, 5] {
        let policy = json!({"overrides": [{"clock": "initial_investigation", "working_days": days}]});
        let t = Instant::now();
        let r = http
            .put(format!("{base}/api/v1/settings/clock-policy"))
            .bearer_auth(&admin)
            .json(&policy)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "policy change");
        println!(
            "initial_investigation set to {days} working days, every open complaint's clock recomputed: {:.2} s",
            t.elapsed().as_secs_f64()
        );
    }
    drop(server);
    println!(
        "open complaints: {}; each has seven clocks from receipt",
        count_rows(&database).await
    );
    // The urgent complaints' minute clocks, every first_response warning at once, then idle.
    for (label, minutes) in [
        ("urgent complaints' minute clocks due", 5),
        ("every first_response warning due", 50),
        ("idle sweep after it", 52),
    ] {
        let at = (received + chrono::Duration::minutes(minutes)).to_rfc3339();
        let out = Command::new(kesu_binary())
            .current_dir(dir.path())
            .args(["sweep", "--at", &at, "--database", &database])
            .env("KESU_LOG", "warn")
            .env("KESU_ADMIN_PASSWORD", "bench-admin")
            .output()
            .expect("kesu sweep");
        println!(
            "{label} (+{minutes} min): {}",
            String::from_utf8_lossy(&out.stdout).trim()
        );
    }
}

/// Times the console's pages one request at a time over loopback: the figure is the whole round
/// trip, so the server's own time is below it.
async fn pages(complaints: usize, clients: usize, requests: usize, keep: Option<PathBuf>) {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = keep.unwrap_or_else(|| temp.path().to_path_buf());
    std::fs::create_dir_all(&dir).expect("data directory");
    let file = dir.join("kesu.db");
    let reuse = file.exists();
    let database = format!("sqlite://{}", file.display());
    let t0 = Instant::now();
    let (server, base, token) = start_server(&dir, &database).await;
    println!("server ready in {:.2} s", t0.elapsed().as_secs_f64());
    if reuse {
        println!("reusing the complaints in {}", file.display());
    } else {
        let t0 = Instant::now();
        let (latencies, errors) = load_dataset(&base, &token, clients, complaints, false).await;
        println!(
            "loaded {} complaints ({errors} errors) in {:.1} s",
            latencies.len(),
            t0.elapsed().as_secs_f64()
        );
    }
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = http
        .post(format!("{base}/login"))
        .form(&[("username", "groupcr"), ("password", "Kesu@2026"), ("next", "/")])
        .send()
        .await
        .unwrap();
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let list: Value = http
        .get(format!("{base}/api/v1/complaints?limit=200"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let numbers: Vec<String> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["number"].as_str().unwrap().to_string())
        .collect();
    let paths: Vec<(&str, Vec<String>)> = vec![
        ("list, newest first", vec!["/complaints".into()]),
        ("list, one state", vec!["/complaints?state=registered".into()]),
        (
            "list, one project oldest first",
            vec!["/complaints?project_code=GZ-101&sort=received_at".into()],
        ),
        ("list, overdue only", vec!["/complaints?overdue=true".into()]),
        (
            "complaint page",
            numbers.iter().map(|n| format!("/complaints/{n}")).collect(),
        ),
        ("workbench", vec!["/".into()]),
        (
            "search page, one word in about one complaint in six (漏水)",
            vec!["/complaints?q=%E6%BC%8F%E6%B0%B4".into()],
        ),
        (
            "search page, two words (电梯 故障)",
            vec!["/complaints?q=%E7%94%B5%E6%A2%AF+%E6%95%85%E9%9A%9C".into()],
        ),
        (
            "search page, 漏水 in one project",
            vec!["/complaints?q=%E6%BC%8F%E6%B0%B4&project_code=SZ-102".into()],
        ),
        (
            "search API, 漏水, 50 per page",
            vec!["/api/v1/complaints?q=%E6%BC%8F%E6%B0%B4&limit=50".into()],
        ),
        (
            "search page, a word in no complaint (漏电)",
            vec!["/complaints?q=%E6%BC%8F%E7%94%B5".into()],
        ),
    ];
    for (label, targets) in paths {
        let mut times = Vec::new();
        for i in 0..requests {
            let path = &targets[i % targets.len()];
            let t = Instant::now();
            // The console with its session cookie, the API with its bearer token.
            let request = http.get(format!("{base}{path}"));
            let request = if path.starts_with("/api/") {
                request.bearer_auth(&token)
            } else {
                request.header("cookie", &cookie)
            };
            let r = request.send().await.unwrap();
            assert_eq!(r.status(), 200, "{path}");
            let _ = r.bytes().await.unwrap();
            times.push(t.elapsed().as_micros());
        }
        times.sort_unstable();
        println!(
            "{label}: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({requests} requests)",
            percentile(&times, 0.5),
            percentile(&times, 0.99),
            *times.last().unwrap() as f64 / 1000.0
        );
    }
    // The monthly summary through the API, every dimension, for the data set's busiest month.
    let (from, today) = (format!("{DATA_YEAR}-06-01"), format!("{DATA_YEAR}-06-30"));
    for by in ["category", "grade", "channel", "project", "department", "state"] {
        let mut times = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            let r = http
                .get(format!("{base}/api/v1/reports/summary?from={from}&to={today}&by={by}"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            let _ = r.bytes().await.unwrap();
            times.push(t.elapsed().as_micros());
        }
        times.sort_unstable();
        println!(
            "monthly summary by {by}: p50 {:.1} ms, max {:.1} ms (5 requests)",
            percentile(&times, 0.5),
            *times.last().unwrap() as f64 / 1000.0
        );
    }
    // Read by number with the keep-alive clients, numbers drawn from the whole table.
    let sample = sample_numbers(&file, 5000).await;
    let sample: Vec<String> = sample.iter().map(|n| format!("/api/v1/complaints/{n}")).collect();
    let (reads, secs) = read_load(&base, &token, &sample, clients, Duration::from_secs(5)).await;
    println!(
        "read by number, {clients} clients, 5 s, {} numbers drawn from the whole table: {:.0}/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        sample.len(),
        reads.len() as f64 / secs,
        percentile(&reads, 0.5),
        percentile(&reads, 0.99),
        *reads.last().unwrap_or(&0) as f64 / 1000.0
    );
    println!("server peak RSS over the run: {:.1} MB", peak_rss_mb(server.0.id()));
    drop(server);
}

/// `n` complaint numbers drawn at random from a SQLite database, read-only.
async fn sample_numbers(file: &Path, n: i64) -> Vec<String> {
    use sqlx::Connection;
    let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=ro", file.display()))
        .await
        .expect("open");
    sqlx::query_scalar("SELECT number FROM complaint ORDER BY random() LIMIT ?")
        .bind(n)
        .fetch_all(&mut c)
        .await
        .expect("sample")
}

#[tokio::main]
async fn main() {
    match Cli::parse().scenario {
        Scenario::Register {
            clients,
            seconds,
            database,
            live,
        } => register(clients, seconds, database, live).await,
        Scenario::Sweep { complaints, clients } => sweep(complaints, clients).await,
        Scenario::Pages {
            complaints,
            clients,
            requests,
            keep,
        } => pages(complaints, clients, requests, keep).await,
    }
}
