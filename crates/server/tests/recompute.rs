//! Running clocks follow changes of business hours, the calendar and clock policies (R-SLA-1,
//! R-SLA-2), and other processes pick the change up; on SQLite and PostgreSQL.

mod common;

use chrono::Duration;
use common::spawn;
use serde_json::{json, Value};

const HOURS: &str = "/api/v1/settings/business-hours";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn running_clocks_are_recomputed_when_what_they_depend_on_changes() {
    for backend in testkit::BACKENDS {
        let app = spawn(backend).await;
        // Group customer relations registers and reads across cities.
        let agent = app.token("groupcr").await;
        let admin = app.token("admin").await;
        // Received Sunday 2026-11-22 10:00: five working days end on Friday the 27th.
        let (_, a) = app
            .post("/api/v1/complaints", &agent, &common::body_with_phone(1))
            .await;
        let mut sh = common::body_with_phone(2);
        sh["project_code"] = json!("SH-001");
        let (_, b) = app.post("/api/v1/complaints", &agent, &sh).await;
        let (a, b) = (
            a["number"].as_str().unwrap().to_string(),
            b["number"].as_str().unwrap().to_string(),
        );
        assert_eq!(
            app.deadline(&a, "initial_investigation", &agent).await.0,
            "2026-11-27T18:00:00+08:00"
        );

        let (s, hours) = app.get(HOURS, &agent).await;
        assert_eq!(s, 200);
        assert_eq!(
            hours,
            json!({"default": {"open": "09:00", "close": "18:00"}, "nodes": []})
        );

        // Refused changes change nothing.
        let gz = json!({"nodes": [{"node": "C-GZ", "open": "08:30", "close": "17:30"}]});
        assert_eq!(app.put(HOURS, &agent, &gz).await.0, 403, "{backend:?}");
        for bad in [
            json!({"nodes": [{"node": "C-GZ", "open": "8:30", "close": "17:30"}]}),
            json!({"nodes": [{"node": "C-GZ", "open": "18:30", "close": "17:30"}]}),
            json!({"nodes": [{"node": "C-GZ", "open": "08:30", "close": "25:00"}]}),
            json!({"nodes": [{"node": "NO-SUCH", "open": "08:30", "close": "17:30"}]}),
            json!({"nodes": [{"node": "C-GZ", "open": "08:30", "close": "17:30"}, {"node": "C-GZ", "open": "08:00", "close": "17:00"}]}),
            json!({"nodes": [{"node": "C-GZ", "open": "08:30", "close": "17:30", "lunch": "12:00"}]}),
            json!({"nodes": "C-GZ"}),
            json!({"nodes": [], "default": {"close": "17:00"}}),
        ] {
            let (s, p) = app.put(HOURS, &admin, &bad).await;
            assert_eq!(s, 422, "{bad}: {p}");
            assert!(p["errors"][0]["field"].is_string(), "{p}");
        }
        assert_eq!(app.get(HOURS, &agent).await.1["nodes"], json!([]));
        assert_eq!(
            app.deadline(&a, "initial_investigation", &agent).await.0,
            "2026-11-27T18:00:00+08:00"
        );

        // The Guangzhou city company closes at 17:30: its projects' working-day clocks move,
        // Shanghai's and the wall-clock ones do not.
        let (s, now) = app.put(HOURS, &admin, &gz).await;
        assert_eq!(s, 200, "{now}");
        assert_eq!(now["nodes"][0]["name"], "广州城市公司", "{now}");
        assert_eq!(
            app.deadline(&a, "initial_investigation", &agent).await.0,
            "2026-11-27T17:30:00+08:00"
        );
        assert_eq!(
            app.deadline(&a, "final_handling", &agent).await.0,
            "2026-12-04T17:30:00+08:00"
        );
        assert_eq!(
            app.deadline(&a, "first_response", &agent).await.0,
            "2026-11-22T11:00:00+08:00"
        );
        assert_eq!(
            app.deadline(&b, "initial_investigation", &agent).await.0,
            "2026-11-27T18:00:00+08:00"
        );

        // The nearest node wins: the project itself stays open until 20:00.
        let both = json!({"nodes": [
            {"node": "C-GZ", "open": "08:30", "close": "17:30"},
            {"node": "GZ-001", "open": "09:00", "close": "20:00"}
        ]});
        assert_eq!(app.put(HOURS, &admin, &both).await.0, 200);
        assert_eq!(
            app.deadline(&a, "initial_investigation", &agent).await.0,
            "2026-11-27T20:00:00+08:00"
        );
        // A complaint registered now at another Guangzhou project starts at 17:30.
        let mut other = common::body_with_phone(3);
        other["project_code"] = json!("GZ-002");
        let (_, c) = app.post("/api/v1/complaints", &agent, &other).await;
        let c = c["number"].as_str().unwrap().to_string();
        assert_eq!(
            app.deadline(&c, "initial_investigation", &agent).await.0,
            "2026-11-27T17:30:00+08:00"
        );

        // A holiday added to 2026 on Wednesday the 25th pushes working-day clocks a day on.
        let (_, mut y2026) = app.get("/api/v1/calendar/2026", &agent).await;
        y2026["holidays"].as_array_mut().unwrap().push(json!("2026-11-25"));
        let (s, p) = app.put("/api/v1/calendar/2026", &admin, &y2026).await;
        assert_eq!(s, 200, "{p}");
        assert_eq!(
            app.deadline(&a, "initial_investigation", &agent).await.0,
            "2026-11-30T20:00:00+08:00"
        );
        assert_eq!(
            app.deadline(&b, "initial_investigation", &agent).await.0,
            "2026-11-30T18:00:00+08:00"
        );

        // 70 minutes on, first_response has run out and the sweep marked it breached. A longer
        // policy leaves a breached clock alone but moves one still running.
        app.clock.advance(Duration::minutes(70));
        kesu::services::sweep::run(&app.state).await.unwrap();
        let mut late = common::body_with_phone(4);
        late["received_at"] = json!("2026-11-22T11:10:00+08:00");
        let (_, d) = app.post("/api/v1/complaints", &agent, &late).await;
        let d = d["number"].as_str().unwrap().to_string();
        assert_eq!(
            app.deadline(&d, "first_response", &agent).await.0,
            "2026-11-22T12:10:00+08:00"
        );
        let policy = json!({"overrides": [{"clock": "first_response", "minutes": 180}]});
        assert_eq!(app.put("/api/v1/settings/clock-policy", &admin, &policy).await.0, 200);
        assert_eq!(
            app.deadline(&d, "first_response", &agent).await.0,
            "2026-11-22T14:10:00+08:00"
        );
        let (a_due, a_state) = app.deadline(&a, "first_response", &agent).await;
        assert_eq!(
            (a_due.as_str(), a_state.as_str()),
            ("2026-11-22T11:00:00+08:00", "breached")
        );

        // Every change is on the audit trail with before and after.
        let mut r = app.state.store.reader().await.unwrap();
        let mut conn = r.conn();
        let changes: Vec<String> = store::on_conn!(&mut conn, |c| sqlx::query_scalar(
            "SELECT payload FROM event WHERE kind = 'setting_changed' ORDER BY seq"
        )
        .fetch_all(&mut **c)
        .await)
        .unwrap();
        let changes: Vec<Value> = changes.iter().map(|p| serde_json::from_str(p).unwrap()).collect();
        assert_eq!(changes.len(), 4, "{changes:?}");
        assert_eq!(changes[0]["setting"], "business_hours");
        assert_eq!(changes[1]["before"]["nodes"][0]["close"], "17:30");
        assert_eq!(changes[1]["after"]["nodes"][1]["close"], "20:00");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_process_picks_up_a_change_of_settings() {
    let app = spawn(testkit::Backend::Postgres).await;
    let admin = app.token("admin").await;
    // A second process on the same database, with its own cached settings.
    let store = store::Store::open(&app.db.url, store::StoreOptions::default())
        .await
        .unwrap();
    let other = kesu::AppState::new(store, kesu::Config::for_database(&app.db.url), app.clock.clone())
        .await
        .unwrap();
    assert!(other.settings().hours.is_empty());
    assert!(!other.refresh_settings().await.unwrap(), "nothing changed yet");
    let hours = json!({"nodes": [{"node": "SH-002", "open": "10:00", "close": "19:00"}]});
    assert_eq!(app.put(HOURS, &admin, &hours).await.0, 200);
    assert!(other.settings().hours.is_empty(), "cached until refreshed");
    assert!(other.refresh_settings().await.unwrap());
    let s = other.settings();
    assert_eq!(s.hours.len(), 1);
    assert_eq!(s.hours[0].1.close.to_string(), "19:00:00");
    assert!(!other.refresh_settings().await.unwrap(), "once");
}
