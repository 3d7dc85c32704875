//! The real `kesu` binary: the README's examples as printed, durability across kill -9 on SQLite
//! and PostgreSQL, and `kesu audit verify` (R-OP-1, R-OP-3, R-SEC-3).

use serde_json::{json, Value};
use std::process::Command;
use std::time::Duration;

mod process;

use process::{free_port, start, token, BIN};

/// The first ```bash block under "## Try the API" in the README.
fn readme_example() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let section = readme
        .split("## Try the API")
        .nth(1)
        .expect("README has a Try the API section");
    let start = section.find("```bash\n").expect("a bash block") + "```bash\n".len();
    let end = section[start..].find("```").unwrap() + start;
    section[start..end].to_string()
}

#[test]
fn readme_examples_work_as_printed() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let server = start(dir.path(), "sqlite://kesu-data/kesu.db", port, true);
    assert!(
        dir.path().join("kesu-data/kesu.db").exists(),
        "the default layout: a SQLite file under kesu-data/"
    );
    let script = format!(
        "set -euo pipefail\n{}",
        readme_example().replace("127.0.0.1:8080", &format!("127.0.0.1:{port}"))
    );
    let out = Command::new("bash").arg("-c").arg(&script).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "README example failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut lines = stdout.lines();
    let registered = lines.next().unwrap();
    assert!(
        registered.starts_with("registered KS-") && registered.len() == "registered KS-202611-00009".len(),
        "{registered}"
    );
    let complaint: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(complaint["number"].as_str(), registered.strip_prefix("registered "));
    assert_eq!(complaint["complainant"]["phone"], "138****5678");
    assert_eq!(complaint["category"]["code"], "engineering.leakage");
    assert_eq!(complaint["grade"], "important", "the README promises the repeat rule");
    assert!(complaint["grade_reasons"][0]
        .as_str()
        .unwrap()
        .starts_with("rule:repeat:KS-"));
    let list: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["number"] == complaint["number"]));
    assert!(
        list["items"].as_array().unwrap().iter().any(|c| c["grade"] == "urgent"),
        "the lift entrapment sample"
    );
    // The idempotent retry the README describes.
    let again = Command::new("bash").arg("-c").arg(&script).output().unwrap();
    let again_out = String::from_utf8_lossy(&again.stdout);
    assert_eq!(again_out.lines().next(), Some(registered));
    drop(server);
}

async fn register_until_killed(
    base: String,
    token: String,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    worker: usize,
) -> Vec<String> {
    let client = ::reqwest::Client::new();
    let mut acknowledged = Vec::new();
    let mut i = 0;
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        let body = json!({
            "channel": "hotline",
            "complainant": {"name": "业主", "phone": format!("137{:04}{:04}", worker, i)},
            "project_code": "GZ-001",
            "subject": "卫生间漏水",
            "description": "楼上渗水"
        });
        i += 1;
        match client
            .post(format!("{base}/api/v1/complaints"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
        {
            Ok(r) if r.status() == 201 => {
                if let Ok(v) = r.json::<Value>().await {
                    acknowledged.push(v["number"].as_str().unwrap().to_string());
                }
            }
            _ => {}
        }
    }
    acknowledged
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_registrations_survive_kill_9() {
    for backend in testkit::BACKENDS {
        let db = testkit::fresh(backend);
        let port = free_port();
        let server = start(db.dir.path(), &db.url, port, true);
        let base = server.base.clone();
        let tok = token(&base, "agent").await;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let workers: Vec<_> = (0..16)
            .map(|w| tokio::spawn(register_until_killed(base.clone(), tok.clone(), stop.clone(), w)))
            .collect();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        // SIGKILL with requests in flight: no shutdown, no flush.
        let mut server = server;
        unsafe { libc::kill(server.child.id() as i32, libc::SIGKILL) };
        let _ = server.child.wait();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let acknowledged: Vec<String> = futures::future::join_all(workers)
            .await
            .into_iter()
            .flat_map(Result::unwrap)
            .collect();
        assert!(
            acknowledged.len() > 50,
            "{backend:?}: load ran ({} acknowledged)",
            acknowledged.len()
        );
        drop(server);

        let server = start(db.dir.path(), &db.url, free_port(), false);
        let tok = token(&server.base, "groupcr").await;
        let client = ::reqwest::Client::new();
        for n in &acknowledged {
            let r = client
                .get(format!("{}/api/v1/complaints/{n}", server.base))
                .bearer_auth(&tok)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{backend:?}: acknowledged {n} was lost");
        }
        // No half-written complaint: serials are 1..=N without gaps, each with its deadlines and event.
        let store = store::Store::open(&db.url, Default::default()).await.unwrap();
        let mut r = store.reader().await.unwrap();
        let mut c = r.conn();
        let count = store::complaints::count(&mut c).await.unwrap();
        let (max_serial, without_deadlines, without_event): (i64, i64, i64) = store::on_conn!(&mut c, |c| sqlx::query_as(
            "SELECT (SELECT COALESCE(MAX(serial), 0) FROM complaint), \
             (SELECT COUNT(*) FROM complaint x WHERE NOT EXISTS (SELECT 1 FROM deadline d WHERE d.complaint_id = x.id)), \
             (SELECT COUNT(*) FROM complaint x WHERE NOT EXISTS (SELECT 1 FROM event e WHERE e.complaint_id = x.id))"
        )
        .fetch_one(&mut **c)
        .await)
        .unwrap();
        assert!(count >= acknowledged.len() as i64 + 8, "{backend:?}");
        assert_eq!(
            (max_serial, without_deadlines, without_event),
            (count, 0, 0),
            "{backend:?}"
        );
        assert!(matches!(
            store::audit::verify(&mut c).await.unwrap(),
            store::audit::Verdict::Intact { .. }
        ));
        eprintln!(
            "{backend:?}: {} acknowledged before SIGKILL, all {} found after restart, {count} stored",
            acknowledged.len(),
            acknowledged.len()
        );
        drop(r);
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_verify_names_the_first_broken_event() {
    let db = testkit::fresh(testkit::Backend::Sqlite);
    let run = |args: &[&str]| {
        Command::new(BIN)
            .current_dir(db.dir.path())
            .args(args)
            .args(["--database", &db.url])
            .env("KESU_LOG", "warn")
            .output()
            .unwrap()
    };
    let demo = run(&["demo"]);
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
    let ok = run(&["audit", "verify"]);
    assert!(ok.status.success());
    assert_eq!(
        String::from_utf8_lossy(&ok.stdout).trim(),
        "audit chain intact: 8 events"
    );
    // Someone edits a stored event directly in the database.
    let store = store::Store::open(&db.url, Default::default()).await.unwrap();
    store
        .write(|c| {
            use futures::FutureExt;
            async move {
                // Event 5 is the fifth demo complaint, filed by 林涛.
                let changed: Option<i64> = store::on_conn!(c, |c| sqlx::query_scalar(
                    "UPDATE event SET payload = replace(payload, '林涛', '李四') WHERE seq = 5 AND payload LIKE '%林涛%' RETURNING seq"
                )
                .fetch_optional(&mut **c)
                .await)?;
                assert_eq!(changed, Some(5), "the tampering really altered event 5");
                Ok::<_, store::StoreError>(())
            }
            .boxed()
        })
        .await
        .unwrap();
    store.close().await;
    let broken = run(&["audit", "verify"]);
    assert_eq!(broken.status.code(), Some(1));
    let text = String::from_utf8_lossy(&broken.stdout);
    assert!(text.contains("BROKEN at event 5"), "{text}");
    let migrate = run(&["migrate"]);
    assert_eq!(String::from_utf8_lossy(&migrate.stdout).trim(), "schema is up to date");
}

/// Runs the `kesu` binary with arguments; returns its standard output, failing on an error exit.
fn kesu(dir: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .current_dir(dir)
        .args(args)
        .env("KESU_LOG", "warn")
        .output()
        .expect("run kesu");
    assert!(
        out.status.success(),
        "kesu {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn register_one(base: &str, token: &str, phone: &str) -> String {
    let body = json!({"channel": "hotline", "complainant": {"name": "业主", "phone": phone},
        "project_code": "GZ-001", "subject": "门窗漏风", "description": "窗户密封条老化"});
    let r = ::reqwest::Client::new()
        .post(format!("{base}/api/v1/complaints"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["number"].as_str().unwrap().to_string()
}

/// R-OP-3: `kesu backup` while registrations go on, `kesu restore` after a later write, and the
/// restored database holds exactly the backup: the later write gone, the chain intact.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn online_backup_and_restore_round_trip() {
    for backend in testkit::BACKENDS {
        let db = testkit::fresh(backend);
        let dir = db.dir.path();
        let server = start(dir, &db.url, free_port(), true);
        let base = server.base.clone();
        let tok = token(&base, "agent").await;
        let before = register_one(&base, &tok, "13600000001").await;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let workers: Vec<_> = (0..8)
            .map(|w| tokio::spawn(register_until_killed(base.clone(), tok.clone(), stop.clone(), w)))
            .collect();
        tokio::time::sleep(Duration::from_millis(400)).await;
        let file = dir.join("kesu-backup.bin");
        let url = db.url.clone();
        let file_arg = file.to_str().unwrap().to_string();
        let dir_owned = dir.to_path_buf();
        let printed =
            tokio::task::spawn_blocking(move || kesu(&dir_owned, &["backup", "--database", &url, "--out", &file_arg]))
                .await
                .unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let during: usize = futures::future::join_all(workers)
            .await
            .into_iter()
            .map(|w| w.unwrap().len())
            .sum();
        assert!(
            during > 20,
            "{backend:?}: the backup ran under load ({during} registrations)"
        );
        let after = register_one(&base, &tok, "13600000002").await;
        drop(server);

        let refused = Command::new(BIN)
            .args(["backup", "--database", &db.url, "--out", file.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(!refused.status.success(), "a backup never overwrites a file");

        let restored = kesu(
            dir,
            &["restore", "--database", &db.url, "--from", file.to_str().unwrap()],
        );
        if backend == testkit::Backend::Sqlite {
            let backed = printed.split(": ").nth(1).unwrap().trim();
            let now = restored.split(": ").nth(1).unwrap().trim();
            assert_eq!(now, backed, "the restored database is the backup, counted the same");
        }
        assert!(kesu(dir, &["audit", "verify", "--database", &db.url]).contains("intact"));
        let server = start(dir, &db.url, free_port(), false);
        let cr = token(&server.base, "groupcr").await;
        let client = ::reqwest::Client::new();
        let status = |n: String| {
            let (client, base, cr) = (client.clone(), server.base.clone(), cr.clone());
            async move {
                client
                    .get(format!("{base}/api/v1/complaints/{n}"))
                    .bearer_auth(&cr)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        };
        assert_eq!(
            status(before.clone()).await,
            200,
            "{backend:?}: written before the backup"
        );
        assert_eq!(
            status(after.clone()).await,
            404,
            "{backend:?}: written after the backup"
        );
        // The restored server numbers on from the backup's last complaint, without a gap.
        let next = register_one(&server.base, &tok_for(&server.base).await, "13600000003").await;
        let store = store::Store::open(&db.url, Default::default()).await.unwrap();
        let mut r = store.reader().await.unwrap();
        let mut c = r.conn();
        let (count, max): (i64, i64) = store::on_conn!(&mut c, |c| sqlx::query_as(
            "SELECT COUNT(*), MAX(serial) FROM complaint"
        )
        .fetch_one(&mut **c)
        .await)
        .unwrap();
        drop(r);
        store.close().await;
        assert_eq!(
            (count, format!("KS-202611-{max:05}")),
            (max, next.clone()),
            "{backend:?}"
        );
        eprintln!("{backend:?}: backup under load ({during} registrations meanwhile): {printed}restore: {restored}");
    }
}

async fn tok_for(base: &str) -> String {
    token(base, "agent").await
}

/// R-OP-4, R-SEC-2: with `KESU_LOG_FORMAT=json` every line is a JSON object; each request is
/// logged once with its status, latency and the request id the client sees; no phone number,
/// name or complaint text reaches the log, not even from a lookup that carries the phone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_are_json_with_request_ids_and_no_personal_data() {
    let db = testkit::fresh(testkit::Backend::Sqlite);
    let port = free_port();
    let env = [
        ("KESU_LOG_FORMAT", "json".to_string()),
        ("KESU_LOG", "info".to_string()),
    ];
    let server = process::start_with(db.dir.path(), &db.url, port, true, &env);
    let tok = token(&server.base, "agent").await;
    let body = json!({"channel": "hotline", "complainant": {"name": "欧阳秀英", "phone": "13987654321"},
        "project_code": "GZ-001", "subject": "电梯困人", "description": "独特的描述文字ZQX"});
    let r = ::reqwest::Client::new()
        .post(format!("{}/api/v1/complaints", server.base))
        .bearer_auth(&tok)
        .header("x-request-id", "trace-me-42")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["x-request-id"], "trace-me-42", "the id comes back");
    let number = r.json::<Value>().await.unwrap()["number"].as_str().unwrap().to_string();
    let lookup = ::reqwest::get(format!(
        "{}/api/v1/public/complaints/{number}?phone=13987654321",
        server.base
    ))
    .await
    .unwrap();
    assert_eq!(lookup.status(), 200);
    let generated = lookup.headers()["x-request-id"].to_str().unwrap().to_string();
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(server);
    let log = std::fs::read_to_string(db.dir.path().join(format!("kesu-{port}.log"))).unwrap();
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let of = |id: &str| {
        lines
            .iter()
            .filter(|l| l["span"]["request_id"] == id && l["fields"]["message"] == "finished processing request")
            .count()
    };
    assert_eq!(of("trace-me-42"), 1, "{log}");
    assert_eq!(of(&generated), 1, "a generated id is logged too");
    let done = lines.iter().find(|l| l["span"]["request_id"] == "trace-me-42").unwrap();
    assert_eq!(done["fields"]["status"], 201, "{done}");
    assert!(done["fields"]["latency"].is_string(), "{done}");
    for secret in ["13987654321", "欧阳秀英", "独特的描述文字ZQX", "987654"] {
        assert!(!log.contains(secret), "{secret} leaked into the log");
    }
}
