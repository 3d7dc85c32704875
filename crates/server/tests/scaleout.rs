//! Scale-out (R-OP-2, issue 8): three `kesu serve` processes started together on one PostgreSQL
//! database, registering under load through all three, each sweeping every second and each
//! delivering the outbox to one SMS gateway. Numbers stay unique and gap-free, every clock step
//! fires once, and the gateway receives every message exactly once.

mod process;

use axum::extract::Json;
use axum::routing::post;
use axum::Router;
use process::{free_port, start_with, token};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The SMS gateway: every message id it was given, with how many times.
async fn gateway() -> (u16, Arc<Mutex<HashMap<String, usize>>>) {
    let got: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let kept = got.clone();
    let app = Router::new().route(
        "/sms",
        post(move |Json(body): Json<Value>| {
            let kept = kept.clone();
            async move {
                *kept.lock().unwrap().entry(body["id"].to_string()).or_insert(0) += 1;
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (port, got)
}

async fn scalar(c: &mut store::Conn<'_>, sql: &str) -> i64 {
    store::on_conn!(c, |c| sqlx::query_scalar::<_, i64>(sql).fetch_one(&mut **c).await).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_processes_share_one_postgres() {
    let db = testkit::fresh(testkit::Backend::Postgres);
    let (sms_port, received) = gateway().await;
    let env = [
        ("KESU_SMS_GATEWAY_URL", format!("http://127.0.0.1:{sms_port}/sms")),
        ("KESU_SWEEP_SECONDS", "1".to_string()),
    ];
    // Started together: they race to migrate (one advisory lock) and one loads the demo data.
    let servers: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..3)
            .map(|i| {
                let (db, env) = (&db, &env);
                s.spawn(move || start_with(db.dir.path(), &db.url, free_port(), i == 0, env))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let bases: Vec<String> = servers.iter().map(|s| s.base.clone()).collect();
    let agent = token(&bases[1], "agent").await;

    // 24 clients for three seconds, round-robin over the processes; every complaint received
    // two days ago, so all its clocks are overdue and every escalation level falls due at once.
    let received_at = (chrono::Utc::now() - chrono::Duration::days(2)).to_rfc3339();
    let deadline = Instant::now() + Duration::from_secs(3);
    let clients: Vec<_> = (0..24)
        .map(|w| {
            let (bases, agent, received_at) = (bases.clone(), agent.clone(), received_at.clone());
            let dir = db.dir.path().to_path_buf();
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                let mut numbers = Vec::new();
                let mut i = 0;
                while Instant::now() < deadline {
                    let base = &bases[(w + i) % 3];
                    let body = json!({"channel": "hotline", "complainant": {"name": "业主", "phone": format!("135{w:04}{i:04}")},
                        "project_code": "GZ-001", "subject": "车库积水", "description": "地下车库积水严重", "received_at": received_at});
                    i += 1;
                    let r = http.post(format!("{base}/api/v1/complaints")).bearer_auth(&agent).json(&body).send().await.unwrap();
                    if r.status() != 201 {
                        let text = r.text().await.unwrap();
                        let logs: String = std::fs::read_dir(&dir)
                            .unwrap()
                            .filter_map(|e| e.ok())
                            .filter(|e| e.file_name().to_string_lossy().ends_with(".log"))
                            .map(|e| format!("{:?}: {}", e.path(), std::fs::read_to_string(e.path()).unwrap_or_default()))
                            .collect();
                        panic!("{text}\n{logs}");
                    }
                    numbers.push(r.json::<Value>().await.unwrap()["number"].as_str().unwrap().to_string());
                }
                numbers
            })
        })
        .collect();
    let mut numbers: Vec<String> = futures::future::join_all(clients)
        .await
        .into_iter()
        .flat_map(Result::unwrap)
        .collect();
    let acknowledged = numbers.len();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), acknowledged, "no number was given twice");

    // Let the three sweeps and deliverers finish what fell due.
    let store = store::Store::open(&db.url, Default::default()).await.unwrap();
    let settle = Instant::now() + Duration::from_secs(60);
    let (clocks, pending) = loop {
        let mut r = store.reader().await.unwrap();
        let mut c = r.conn();
        let unswept = scalar(&mut c, "SELECT COUNT(*) FROM deadline WHERE next_action_at IS NOT NULL AND next_action_at < (EXTRACT(EPOCH FROM now()) * 1000)::bigint").await;
        let pending = scalar(
            &mut c,
            "SELECT COUNT(*) FROM outbox WHERE state <> 'delivered' AND channel = 'sms'",
        )
        .await;
        let clocks = scalar(&mut c, "SELECT COUNT(*) FROM deadline").await;
        if unswept == 0 && pending == 0 {
            break (clocks, pending);
        }
        assert!(
            Instant::now() < settle,
            "the processes did not settle: {unswept} clocks due, {pending} SMS pending"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let mut r = store.reader().await.unwrap();
    let mut c = r.conn();
    let total = scalar(&mut c, "SELECT COUNT(*) FROM complaint").await;
    let serials = scalar(&mut c, "SELECT COUNT(DISTINCT serial) FROM complaint").await;
    let max_serial = scalar(&mut c, "SELECT MAX(serial) FROM complaint").await;
    assert_eq!(
        (serials, max_serial),
        (total, total),
        "serials 1..={total} without a gap or a repeat"
    );
    assert_eq!(
        total,
        acknowledged as i64 + 8,
        "every acknowledged complaint and the 8 demo samples"
    );

    let breached = scalar(&mut c, "SELECT COUNT(*) FROM event WHERE kind = 'deadline_breached'").await;
    let distinct_breached = scalar(&mut c, "SELECT COUNT(DISTINCT complaint_id::text || (payload::json->>'clock')) FROM event WHERE kind = 'deadline_breached'").await;
    let escalated = scalar(&mut c, "SELECT COUNT(*) FROM event WHERE kind = 'deadline_escalated'").await;
    let distinct_escalated = scalar(&mut c, "SELECT COUNT(DISTINCT complaint_id::text || (payload::json->>'clock') || (payload::json->>'level')) FROM event WHERE kind = 'deadline_escalated'").await;
    assert!(
        breached > 0 && escalated > 0,
        "the timers fired: {breached} breaches, {escalated} escalations"
    );
    assert_eq!(breached, distinct_breached, "no clock breached twice");
    assert_eq!(escalated, distinct_escalated, "no escalation level fired twice");

    let sms = scalar(&mut c, "SELECT COUNT(*) FROM outbox WHERE channel = 'sms'").await;
    let got = received.lock().unwrap().clone();
    let twice: Vec<_> = got.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "messages delivered more than once: {twice:?}");
    assert_eq!(got.len() as i64, sms, "every SMS reached the gateway once");
    assert_eq!(pending, 0);
    eprintln!(
        "3 processes: {acknowledged} registrations acknowledged, serials 1..={total}; {clocks} clocks, \
         {breached} breaches and {escalated} escalations each fired once; {sms} SMS delivered once each"
    );
    drop(r);
    store.close().await;
    drop(servers);
}
