//! Test databases: a temporary PostgreSQL cluster started from the local `initdb` (once per test
//! process, stopped when the process exits) with a fresh database per test, or a SQLite file in
//! a temporary directory.

use std::io::Read;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{mpsc, OnceLock};
use std::time::{Duration, Instant};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file in a temporary directory.
    Sqlite,
    /// A fresh database in the process's temporary PostgreSQL cluster.
    Postgres,
}

/// Both backends, for tests that run one story on each.
pub const BACKENDS: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

/// A test database; a SQLite directory is removed when this is dropped.
pub struct TestDb {
    /// Connection URL for `kesu`.
    pub url: String,
    /// Temporary directory holding the SQLite file (and anything else the test keeps).
    pub dir: tempfile::TempDir,
}

/// Creates an empty test database.
pub fn fresh(backend: Backend) -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = match backend {
        Backend::Sqlite => format!("sqlite://{}", dir.path().join("kesu.db").display()),
        Backend::Postgres => new_pg_database(),
    };
    TestDb { url, dir }
}

struct Cluster {
    admin_url: String,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();

/// The postmaster's pid and the cluster's directory, for [`stop_cluster`] at exit.
static RUNNING: OnceLock<(i32, PathBuf)> = OnceLock::new();

/// Set once the process is stopping the cluster itself, so its exit is not reported.
static STOPPING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Stops the cluster and removes its directory when the test process exits normally (a killed
/// process leaves it to the next run's [`remove_stale_clusters`]).
extern "C" fn stop_cluster() {
    let Some((pid, root)) = RUNNING.get() else {
        return;
    };
    STOPPING.store(true, std::sync::atomic::Ordering::SeqCst);
    // SIGQUIT is PostgreSQL's immediate shutdown; the thread waiting on the postmaster reaps it.
    unsafe { libc::kill(*pid, libc::SIGQUIT) };
    let deadline = Instant::now() + Duration::from_secs(5);
    while unsafe { libc::kill(*pid, 0) } == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = std::fs::remove_dir_all(root);
}

/// A fresh database on the shared cluster (or on `KESU_TEST_PG_URL`, an admin URL, when set).
pub fn new_pg_database() -> String {
    let admin = match std::env::var("KESU_TEST_PG_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => CLUSTER.get_or_init(start_cluster).admin_url.clone(),
    };
    let name = format!("t_{}", uuid::Uuid::now_v7().simple());
    let admin_for_thread = admin.clone();
    let create = format!("CREATE DATABASE {name}");
    // Run on a private runtime so this works from sync and async tests alike.
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            use sqlx::Connection;
            let mut c = sqlx::PgConnection::connect(&admin_for_thread)
                .await
                .expect("connect to the test cluster");
            sqlx::query(&create)
                .execute(&mut c)
                .await
                .expect("create test database");
        })
    })
    .join()
    .expect("create database thread");
    let (base, _) = admin.rsplit_once('/').expect("admin URL has a database");
    format!("{base}/{name}")
}

fn binary(name: &str) -> PathBuf {
    let candidates = [
        format!("/usr/lib/postgresql/15/bin/{name}"),
        format!("/usr/local/bin/{name}"),
    ];
    for c in candidates {
        if Path::new(&c).exists() {
            return c.into();
        }
    }
    name.into()
}

fn postgres_ids() -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    let line = passwd.lines().find(|l| l.starts_with("postgres:"))?;
    let f: Vec<&str> = line.split(':').collect();
    Some((f.get(2)?.parse().ok()?, f.get(3)?.parse().ok()?))
}

fn as_postgres_user(cmd: &mut Command) {
    // initdb and postgres refuse to run as root: drop to the postgres user when we are root.
    if unsafe { libc::geteuid() } == 0 {
        let (uid, gid) = postgres_ids().expect("a postgres user exists when tests run as root");
        cmd.uid(uid).gid(gid);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

fn remove_stale_clusters() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if !name.starts_with("kesu-pg-") {
            continue;
        }
        let pid_file = e.path().join("data/postmaster.pid");
        let alive = std::fs::read_to_string(&pid_file)
            .ok()
            .and_then(|s| s.lines().next().and_then(|l| l.trim().parse::<i32>().ok()))
            .is_some_and(|pid| unsafe { libc::kill(pid, 0) } == 0);
        let age = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .unwrap_or_default();
        if !alive && age > Duration::from_secs(60) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

fn start_cluster() -> Cluster {
    remove_stale_clusters();
    let root = tempfile::Builder::new()
        .prefix("kesu-pg-")
        .tempdir()
        .expect("temp dir")
        .keep();
    let data = root.join("data");
    std::fs::create_dir(&data).expect("data dir");
    if let Some((uid, gid)) = postgres_ids().filter(|_| unsafe { libc::geteuid() } == 0) {
        for p in [&root, &data] {
            std::os::unix::fs::chown(p, Some(uid), Some(gid)).expect("chown cluster dir");
        }
    }
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    let mut initdb = Command::new(binary("initdb"));
    initdb
        .args(["-D"])
        .arg(&data)
        .args(["-U", "kesu", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
    as_postgres_user(&mut initdb);
    let out = initdb.output().expect("run initdb");
    assert!(
        out.status.success(),
        "initdb failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let port = free_port();
    let (tx, rx) = mpsc::channel();
    let data_for_thread = data.clone();
    // The postmaster is a child of a thread that never ends, with PR_SET_PDEATHSIG, so the
    // cluster stops by itself when the test process exits, however it exits.
    std::thread::spawn(move || {
        let mut cmd = Command::new(binary("postgres"));
        cmd.arg("-D")
            .arg(&data_for_thread)
            .arg("-p")
            .arg(port.to_string())
            .arg("-k")
            .arg(&data_for_thread);
        for setting in [
            "listen_addresses=127.0.0.1",
            "fsync=off",
            "synchronous_commit=off",
            "full_page_writes=off",
            "max_connections=300",
            "shared_buffers=64MB",
        ] {
            cmd.arg("-c").arg(setting);
        }
        cmd.stdout(Stdio::null()).stderr(Stdio::piped());
        as_postgres_user(&mut cmd);
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGINT);
                Ok(())
            });
        }
        let mut child = cmd.spawn().expect("start postgres");
        let mut stderr = child.stderr.take();
        tx.send(child.id() as i32).ok();
        let status = child.wait();
        let mut log = String::new();
        if let Some(s) = stderr.as_mut() {
            let _ = s.read_to_string(&mut log);
        }
        if !STOPPING.load(std::sync::atomic::Ordering::SeqCst) {
            eprintln!("test postgres exited: {status:?}\n{log}");
        }
    });
    let pid = rx.recv().expect("postgres started");
    if RUNNING.set((pid, root.clone())).is_ok() {
        unsafe { libc::atexit(stop_cluster) };
    }
    let admin_url = format!("postgres://kesu@127.0.0.1:{port}/postgres");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() && can_query(&admin_url) {
            break;
        }
        assert!(Instant::now() < deadline, "test postgres did not become ready");
        std::thread::sleep(Duration::from_millis(100));
    }
    Cluster { admin_url }
}

fn can_query(url: &str) -> bool {
    let url = url.to_string();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            use sqlx::Connection;
            match sqlx::PgConnection::connect(&url).await {
                Ok(mut c) => sqlx::query("SELECT 1").execute(&mut c).await.is_ok(),
                Err(_) => false,
            }
        })
    })
    .join()
    .unwrap_or(false)
}
