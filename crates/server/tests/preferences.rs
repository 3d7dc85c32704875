//! `GET/PATCH /api/v1/me` and the notice channels it chooses (R-NT-1): every staff notice lands
//! in the inbox; e-mail and SMS copies follow each user's level, in their language.

mod common;

use chrono::Duration;
use common::{body_with_phone, spawn};
use serde_json::{json, Value};

async fn outbox(app: &common::TestApp) -> Vec<(String, String, String, Value)> {
    let mut r = app.state.store.reader().await.unwrap();
    let mut c = r.conn();
    let rows: Vec<(String, String, String, String)> = store::on_conn!(&mut c, |c| sqlx::query_as(
        "SELECT kind, channel, recipient, payload FROM outbox WHERE channel IN ('email', 'sms') ORDER BY id"
    )
    .fetch_all(&mut **c)
    .await)
    .unwrap();
    rows.into_iter()
        .map(|(k, ch, r, p)| (k, ch, r, serde_json::from_str(&p).unwrap()))
        .collect()
}

async fn patch(app: &common::TestApp, token: &str, body: &Value) -> (u16, Value) {
    let r = app
        .client
        .patch(format!("{}/api/v1/me", app.base))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_choose_which_notices_also_come_by_email_and_sms() {
    for backend in testkit::BACKENDS {
        let app = spawn(backend).await;
        let supervisor = app.token("supervisor").await;
        let projecthead = app.token("projecthead").await;
        let (s, me) = app.get("/api/v1/me", &supervisor).await;
        assert_eq!(s, 200);
        assert_eq!(me["username"], "supervisor");
        assert_eq!(me["roles"][0]["role"], "supervisor");
        assert_eq!(
            me["notifications"],
            json!({"inbox": "all", "email": "off", "sms": "off"})
        );
        assert_eq!(me["locale"], "zh");
        assert_eq!(app.get("/api/v1/me", "nonsense").await.0, 401);

        for bad in [
            json!({"notifications": {"email": "important"}}),
            json!({"notifications": {"sms": "all"}, "phone": "020-87654321"}),
            json!({"email": "x@", "notifications": {"email": "all"}}),
            json!({"locale": "jp"}),
            json!({"display_name": "黑客"}),
        ] {
            let (s, p) = patch(&app, &supervisor, &bad).await;
            assert_eq!(s, 422, "{bad}: {p}");
        }
        assert_eq!(
            app.get("/api/v1/me", &supervisor).await.1,
            me,
            "refused changes change nothing"
        );

        // The supervisor wants only reminders, escalations and urgent complaints by e-mail; the
        // project head every notice by SMS, in English.
        let (s, now) = patch(
            &app,
            &supervisor,
            &json!({"email": "liu.yang@kesu.example", "notifications": {"email": "important"}}),
        )
        .await;
        assert_eq!(s, 200, "{now}");
        assert_eq!(now["notifications"]["email"], "important");
        let (s, now) = patch(
            &app,
            &projecthead,
            &json!({"phone": "137 0000 1111", "notifications": {"sms": "all"}, "locale": "en"}),
        )
        .await;
        assert_eq!(
            (s, &now["phone"], &now["locale"]),
            (200, &json!("13700001111"), &json!("en"))
        );

        // An undispatched complaint: warning and reminder go to the service centre's supervisor,
        // the second ladder level to the project head (R-SLA-3).
        let agent = app.token("agent").await;
        let (_, c) = app.post("/api/v1/complaints", &agent, &body_with_phone(9)).await;
        let number = c["number"].as_str().unwrap().to_string();
        let before = outbox(&app).await.len();
        app.clock.advance(Duration::minutes(50));
        kesu::services::sweep::run(&app.state).await.unwrap();
        let after_warning = outbox(&app).await;
        assert_eq!(after_warning.len(), before, "a warning is not important: inbox only");
        app.clock.advance(Duration::minutes(11));
        kesu::services::sweep::run(&app.state).await.unwrap();
        let mails: Vec<_> = outbox(&app)
            .await
            .into_iter()
            .filter(|(_, ch, _, _)| ch == "email")
            .collect();
        assert_eq!(mails.len(), 1, "{mails:?}");
        let (kind, _, to, payload) = &mails[0];
        assert_eq!(
            (kind.as_str(), to.as_str()),
            ("deadline_reminder", "liu.yang@kesu.example")
        );
        assert_eq!(payload["number"], number.as_str());
        assert!(payload["zh"].as_str().unwrap().contains("催办单"));

        app.clock.advance(Duration::hours(4));
        kesu::services::sweep::run(&app.state).await.unwrap();
        let sms: Vec<_> = outbox(&app)
            .await
            .into_iter()
            .filter(|(_, ch, to, _)| ch == "sms" && to == "13700001111")
            .collect();
        assert!(!sms.is_empty(), "{backend:?}");
        assert!(sms.iter().all(|(_, _, _, p)| p["locale"] == "en"));
        assert!(sms.iter().any(|(k, _, _, _)| k == "deadline_escalated"), "{sms:?}");
        // The inbox still has everything.
        let (_, inbox) = app.get("/api/v1/inbox", &supervisor).await;
        let kinds: Vec<&str> = inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["kind"].as_str().unwrap())
            .collect();
        assert!(
            kinds.contains(&"deadline_warning") && kinds.contains(&"deadline_reminder"),
            "{kinds:?}"
        );
    }
}
