//! The working calendar over HTTP (R-SLA-2, API.md `/calendar/{year}`), on SQLite and PostgreSQL.

mod common;

use common::spawn;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn years_are_built_in_and_administrators_add_new_ones() {
    for backend in testkit::BACKENDS {
        let app = spawn(backend).await;
        let agent = app.token("agent").await;
        let admin = app.token("admin").await;
        let (s, y2026) = app.get("/api/v1/calendar/2026", &agent).await;
        assert_eq!(s, 200, "{backend:?}");
        assert_eq!(
            y2026["makeup_workdays"],
            json!([
                "2026-01-04",
                "2026-02-14",
                "2026-02-28",
                "2026-05-09",
                "2026-09-20",
                "2026-10-10"
            ])
        );
        let holidays = y2026["holidays"].as_array().unwrap();
        assert_eq!(holidays.len(), 19);
        assert!(
            holidays.contains(&json!("2026-02-23")) && !holidays.contains(&json!("2026-02-21")),
            "weekdays only"
        );
        for y in ["2024", "2025"] {
            assert_eq!(app.get(&format!("/api/v1/calendar/{y}"), &agent).await.0, 200);
        }
        for y in ["2027", "1999", "abc", "20261"] {
            assert_eq!(app.get(&format!("/api/v1/calendar/{y}"), &agent).await.0, 404, "{y}");
        }

        let put = |token: &str, year: &str, body: Value| {
            let req = app
                .client
                .put(format!("{}/api/v1/calendar/{year}", app.base))
                .bearer_auth(token)
                .json(&body);
            async move {
                let r = req.send().await.unwrap();
                (r.status().as_u16(), r.json::<Value>().await.unwrap_or(Value::Null))
            }
        };
        let y2027 = json!({"year": 2027, "holidays": ["2027-01-01", "2027-02-08", "2027-02-09"], "makeup_workdays": ["2027-02-06"]});
        assert_eq!(put(&agent, "2027", y2027.clone()).await.0, 403);
        let bad = [
            json!({"year": 2027, "holidays": ["2027-01-02"], "makeup_workdays": []}),
            json!({"year": 2027, "holidays": ["2026-12-31"], "makeup_workdays": []}),
            json!({"year": 2027, "holidays": [], "makeup_workdays": ["2027-02-08"]}),
            json!({"year": 2026, "holidays": [], "makeup_workdays": []}),
            json!({"year": 2027, "holidays": ["2027-13-01"], "makeup_workdays": []}),
            json!({"year": 2027, "holidays": "2027-01-01", "makeup_workdays": []}),
            json!({"year": 2027, "holidays": [], "makeup_workdays": [], "extra": 1}),
        ];
        for body in bad {
            let (s, p) = put(&admin, "2027", body.clone()).await;
            assert_eq!(s, 422, "{body}: {p}");
        }
        assert_eq!(
            app.get("/api/v1/calendar/2027", &agent).await.0,
            404,
            "nothing stored by refused requests"
        );
        let (s, stored) = put(&admin, "2027", y2027.clone()).await;
        assert_eq!((s, &stored), (200, &y2027), "{backend:?}");
        assert_eq!(app.get("/api/v1/calendar/2027", &agent).await.1, y2027);
        let mut r = app.state.store.reader().await.unwrap();
        let mut c = r.conn();
        let kinds: Vec<String> = store::on_conn!(&mut c, |c| sqlx::query_scalar(
            "SELECT payload FROM event WHERE kind = 'setting_changed'"
        )
        .fetch_all(&mut **c)
        .await)
        .unwrap();
        assert_eq!(kinds.len(), 1);
        assert!(kinds[0].contains("calendar/2027"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clock_policies_are_configurable_per_grade_and_category() {
    let app = spawn(testkit::Backend::Sqlite).await;
    let admin = app.token("admin").await;
    let agent = app.token("agent").await;
    let put = |token: &str, body: Value| {
        let req = app
            .client
            .put(format!("{}/api/v1/settings/clock-policy", app.base))
            .bearer_auth(token)
            .json(&body);
        async move {
            let r = req.send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    assert_eq!(
        app.get("/api/v1/settings/clock-policy", &agent).await.1,
        json!({"overrides": []})
    );
    // General property-service complaints must be handled within 12 hours, not 24.
    let policy =
        json!({"overrides": [{"clock": "handle", "grades": ["general"], "category": "property", "minutes": 720}]});
    assert_eq!(put(&agent, policy.clone()).await.0, 403);
    for bad in [
        json!({"overrides": [{"clock": "handle", "category": "nope", "minutes": 60}]}),
        json!({"overrides": [{"clock": "handle", "minutes": -5}]}),
        json!({"overrides": "x"}),
    ] {
        assert_eq!(put(&admin, bad.clone()).await.0, 422, "{bad}");
    }
    let (s, stored) = put(&admin, policy).await;
    assert_eq!(s, 200, "{stored}");
    let due = |c: &Value, clock: &str| {
        c["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["clock"] == clock)
            .unwrap()["due_at"]
            .clone()
    };
    let mut fees = common::body_with_phone(70);
    fees["subject"] = json!("物业费乱收费");
    fees["description"] = json!("物业费收费标准不透明");
    let (_, c) = app.post("/api/v1/complaints", &agent, &fees).await;
    assert_eq!(c["category"]["code"], "property.fees");
    assert_eq!(
        due(&c, "handle"),
        "2026-11-22T22:00:00+08:00",
        "12 hours for a general property complaint"
    );
    let (_, leak) = app
        .post("/api/v1/complaints", &agent, &common::body_with_phone(71))
        .await;
    assert_eq!(
        due(&leak, "handle"),
        "2026-11-23T10:00:00+08:00",
        "other categories keep 24 hours"
    );
}
