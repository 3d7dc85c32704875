//! The SLA sweep (R-SLA-3, R-SLA-5): a controllable clock drives a complaint through warning,
//! breach and every ladder level; an urgent complaint shows the 3/5/10-minute chain; a late close
//! gets an overdue inquiry; two processes on one PostgreSQL fire each step exactly once.

mod common;

use chrono::{Duration, Utc};
use common::{body_with_phone, spawn, start_time, TestApp};
use kesu::services::sweep;
use serde_json::{json, Value};

async fn user_id(app: &TestApp, username: &str) -> String {
    let mut r = app.state.store.reader().await.unwrap();
    store::users::by_username(&mut r.conn(), username)
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string()
}

/// (kind, recipient, clock, level) of a complaint's notices about `clock`.
async fn notices(app: &TestApp, id: &str, clock: &str) -> Vec<(String, String, Option<i64>)> {
    let mut r = app.state.store.reader().await.unwrap();
    let id: uuid::Uuid = id.parse().unwrap();
    store::outbox::of_complaint(&mut r.conn(), id)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|m| {
            let p: Value = serde_json::from_str(&m.payload).unwrap();
            (p["clock"] == clock).then(|| (m.kind, m.recipient, p["level"].as_i64()))
        })
        .collect()
}

async fn sweep_at(app: &TestApp, minutes: i64) -> sweep::SweepReport {
    app.clock.set(start_time() + Duration::minutes(minutes));
    sweep::run(&app.state).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warning_breach_and_every_ladder_level() {
    for backend in testkit::BACKENDS {
        let app = spawn(backend).await;
        let agent = app.token("agent").await;
        let (_, c) = app.post("/api/v1/complaints", &agent, &body_with_phone(1)).await;
        let id = c["id"].as_str().unwrap().to_string();
        let [supervisor, project, city, region, group] = [
            user_id(&app, "supervisor").await,
            user_id(&app, "projecthead").await,
            user_id(&app, "cityhead").await,
            user_id(&app, "regionhead").await,
            user_id(&app, "groupcr").await,
        ];
        assert_eq!(sweep_at(&app, 0).await.claimed, 0, "nothing due at receipt");
        // first_response: 1 hour; warned a quarter before, at 45 minutes.
        let r = sweep_at(&app, 45).await;
        assert_eq!((r.warned, r.breached), (1, 0), "{backend:?}");
        assert_eq!(
            notices(&app, &id, "first_response").await,
            [("deadline_warning".into(), supervisor.clone(), None)],
            "not dispatched yet: the service supervisor hears"
        );
        assert_eq!(sweep_at(&app, 50).await.claimed, 0, "warned once");
        let r = sweep_at(&app, 60).await;
        assert_eq!(r.breached, 1);
        let (s, now) = app
            .get(&format!("/api/v1/complaints/{}", c["number"].as_str().unwrap()), &agent)
            .await;
        assert_eq!(s, 200, "{now}");
        let fr = now["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["clock"] == "first_response")
            .unwrap()
            .clone();
        assert_eq!(fr["state"], "breached");
        // Each ladder level on its own clock, measured from the breach at 60 minutes.
        for (minutes, _who) in [
            (60 + 4 * 60, &project),
            (60 + 8 * 60, &city),
            (60 + 24 * 60, &region),
            (60 + 48 * 60, &group),
        ] {
            sweep_at(&app, minutes - 1).await;
            sweep_at(&app, minutes).await;
        }
        sweep_at(&app, 60 * 24 * 30).await;
        let got = notices(&app, &id, "first_response").await;
        let expected: Vec<(String, String, Option<i64>)> = vec![
            ("deadline_warning".into(), supervisor.clone(), None),
            ("deadline_reminder".into(), supervisor.clone(), Some(1)),
            ("deadline_escalated".into(), project.clone(), Some(2)),
            ("deadline_escalated".into(), city.clone(), Some(3)),
            ("deadline_escalated".into(), region.clone(), Some(4)),
            ("deadline_escalated".into(), group.clone(), Some(5)),
        ];
        assert_eq!(
            got, expected,
            "{backend:?}: each step once, to the right person, in order"
        );
        // A month on, the morning's token has expired: sign in again.
        let agent = app.token("agent").await;
        let (_, t) = app
            .get(
                &format!("/api/v1/complaints/{}/timeline", c["number"].as_str().unwrap()),
                &agent,
            )
            .await;
        let steps: Vec<(String, i64)> = t["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["detail"]["clock"] == "first_response")
            .map(|e| {
                (
                    e["kind"].as_str().unwrap().to_string(),
                    e["detail"]["level"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            steps,
            [
                ("deadline_breached".into(), 1),
                ("deadline_escalated".into(), 2),
                ("deadline_escalated".into(), 3),
                ("deadline_escalated".into(), 4),
                ("deadline_escalated".into(), 5)
            ]
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_urgent_complaint_climbs_in_minutes() {
    let app = spawn(testkit::Backend::Sqlite).await;
    let agent = app.token("agent").await;
    let mut b = body_with_phone(2);
    b["subject"] = json!("电梯困人");
    b["description"] = json!("1栋电梯困人，快来救援");
    let (_, c) = app.post("/api/v1/complaints", &agent, &b).await;
    assert_eq!(c["grade"], "urgent");
    let mut breaches = Vec::new();
    for minute in 0..=12 {
        sweep_at(&app, minute).await;
        let (_, t) = app
            .get(
                &format!("/api/v1/complaints/{}/timeline", c["number"].as_str().unwrap()),
                &agent,
            )
            .await;
        for e in t["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "deadline_breached")
        {
            let clock = e["detail"]["clock"].as_str().unwrap().to_string();
            if !breaches.iter().any(|(c, _)| *c == clock) {
                breaches.push((clock, minute));
            }
        }
    }
    assert_eq!(
        breaches,
        [
            ("urgent_notify_department".to_string(), 3),
            ("urgent_notify_leader".to_string(), 5),
            ("urgent_notify_board".to_string(), 10)
        ],
        "the 3/5/10-minute chain of 001-3 §6–7"
    );
    // And an urgent clock's own ladder climbs in minutes: project head 5 minutes after the breach.
    let id = c["id"].as_str().unwrap();
    let project = user_id(&app, "projecthead").await;
    assert!(notices(&app, id, "urgent_notify_department").await.contains(&(
        "deadline_escalated".into(),
        project,
        Some(2)
    )));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_close_gets_an_overdue_inquiry() {
    let app = spawn(testkit::Backend::Sqlite).await;
    let supervisor = app.token("supervisor").await;
    let (_, c) = app.post("/api/v1/complaints", &supervisor, &body_with_phone(3)).await;
    let number = c["number"].as_str().unwrap();
    sweep_at(&app, 90).await;
    let supervisor = app.token("supervisor").await;
    let (s, _) = app
        .post(
            &format!("/api/v1/complaints/{number}/actions/close"),
            &supervisor,
            &json!({"version": 1, "summary": "已当场处理"}),
        )
        .await;
    assert_eq!(s, 200);
    let mut r = app.state.store.reader().await.unwrap();
    let id: uuid::Uuid = c["id"].as_str().unwrap().parse().unwrap();
    let all = store::outbox::of_complaint(&mut r.conn(), id).await.unwrap();
    let inquiry = all
        .into_iter()
        .find(|m| m.kind == "overdue_inquiry")
        .expect("洽办单 sent");
    assert!(inquiry.payload.contains("first_response") && inquiry.payload.contains("洽办单"));
    // A closed complaint's clocks are no longer swept.
    assert_eq!(sweep_at(&app, 60 * 24 * 60).await.claimed, 0);
}

/// Two `kesu sweep` processes on one PostgreSQL database: every breach and every ladder step
/// fires exactly once (R-SLA-5, R-OP-2).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_fire_each_step_exactly_once() {
    let app = spawn(testkit::Backend::Postgres).await;
    let agent = app.token("agent").await;
    let complaints = 30;
    for i in 0..complaints {
        let mut b = body_with_phone(100 + i);
        b["received_at"] = json!("2026-11-20T09:00:00+08:00");
        assert_eq!(app.post("/api/v1/complaints", &agent, &b).await.0, 201);
    }
    // A month later every clock has run out and every ladder level is due.
    let at = (Utc::now().max(start_time()) + Duration::days(30)).to_rfc3339();
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_kesu"))
            .args(["sweep", "--at", &at, "--database", &app.db.url])
            .env("KESU_LOG", "warn")
            .env("KESU_ADMIN_PASSWORD", "x")
            .output()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(run);
        let b = s.spawn(run);
        (a.join().unwrap().unwrap(), b.join().unwrap().unwrap())
    });
    for out in [&a, &b] {
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&a.stdout),
        String::from_utf8_lossy(&b.stdout)
    );
    eprintln!("{said}");
    let mut r = app.state.store.reader().await.unwrap();
    let mut c = r.conn();
    let clocks: i64 = store::on_conn!(&mut c, |c| sqlx::query_scalar("SELECT COUNT(*) FROM deadline")
        .fetch_one(&mut **c)
        .await)
    .unwrap();
    assert_eq!(
        clocks,
        complaints as i64 * 7,
        "seven clocks start at receipt for a general complaint"
    );
    let (breached, escalated, distinct_breached, distinct_escalated): (i64, i64, i64, i64) = store::on_conn!(&mut c, |c| sqlx::query_as(
        "SELECT \
           (SELECT COUNT(*) FROM event WHERE kind = 'deadline_breached'), \
           (SELECT COUNT(*) FROM event WHERE kind = 'deadline_escalated'), \
           (SELECT COUNT(DISTINCT complaint_id::text || (payload::json->>'clock')) FROM event WHERE kind = 'deadline_breached'), \
           (SELECT COUNT(DISTINCT complaint_id::text || (payload::json->>'clock') || (payload::json->>'level')) FROM event WHERE kind = 'deadline_escalated')"
    )
    .fetch_one(&mut **c)
    .await)
    .unwrap();
    assert_eq!(
        (breached, distinct_breached),
        (clocks, clocks),
        "one breach per clock, none twice"
    );
    assert_eq!(
        (escalated, distinct_escalated),
        (clocks * 4, clocks * 4),
        "levels 2–5 once each per clock"
    );
    let notices: i64 = store::on_conn!(&mut c, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE kind IN ('deadline_reminder', 'deadline_escalated')"
    )
    .fetch_one(&mut **c)
    .await)
    .unwrap();
    // One supervisor on the first line; one holder of each ladder role over GZ-001.
    assert_eq!(notices, clocks * 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_shows_notices_and_the_recused_hear_nothing() {
    let app = spawn(testkit::Backend::Sqlite).await;
    let supervisor = app.token("supervisor").await;
    let depthead = app.token("depthead").await;
    let (_, c) = app.post("/api/v1/complaints", &supervisor, &body_with_phone(4)).await;
    let number = c["number"].as_str().unwrap();
    let (s, _) = app
        .post(
            &format!("/api/v1/complaints/{number}/actions/dispatch"),
            &supervisor,
            &json!({"version": 1, "lead_department": "engineering"}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, inbox) = app.get("/api/v1/inbox", &depthead).await;
    assert_eq!(s, 200);
    assert_eq!(inbox["unread"], 1);
    let notice = &inbox["items"][0];
    assert_eq!(
        (notice["kind"].as_str(), notice["number"].as_str()),
        (Some("complaint_dispatched"), Some(number))
    );
    assert!(notice["zh"].as_str().unwrap().contains("请安排处理人"));
    let id = notice["id"].as_i64().unwrap();
    assert_eq!(
        app.post(&format!("/api/v1/inbox/{id}/read"), &supervisor, &json!({}))
            .await
            .0,
        404,
        "not the supervisor's notice"
    );
    let (s, after) = app
        .post(&format!("/api/v1/inbox/{id}/read"), &depthead, &json!({}))
        .await;
    assert_eq!((s, after["unread"].as_i64()), (200, Some(0)));
    assert!(app.get("/api/v1/inbox?unread=true", &depthead).await.1["items"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(app.get("/api/v1/inbox?limit=0", &depthead).await.0, 422);

    // A complaint about the department head: dispatch and the sweep tell him nothing (R-WF-3).
    let mut about = body_with_phone(5);
    about["complained_employee"] = json!("depthead");
    let (_, c) = app.post("/api/v1/complaints", &supervisor, &about).await;
    let number = c["number"].as_str().unwrap();
    let (s, _) = app
        .post(
            &format!("/api/v1/complaints/{number}/actions/dispatch"),
            &supervisor,
            &json!({"version": 1, "lead_department": "engineering"}),
        )
        .await;
    assert_eq!(s, 200);
    sweep_at(&app, 60 * 24 * 10).await;
    let depthead = app.token("depthead").await;
    let (_, inbox) = app.get("/api/v1/inbox", &depthead).await;
    assert!(
        inbox["items"].as_array().unwrap().iter().all(|n| n["number"] != number),
        "{inbox}"
    );
}
