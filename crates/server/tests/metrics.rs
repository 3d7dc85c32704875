//! `GET /metrics` (R-OP-4, API.md): requests by route, queue depths, overdue clocks, sweep steps
//! and delivery failures, in Prometheus text, without personal data; on both backends.

mod common;

use chrono::Duration;
use common::{body_with_phone, spawn_with};

/// The value of one sample line, by its exact name and labels.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
        .map(|v| v.trim().parse().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_show_requests_queues_overdue_clocks_and_failed_deliveries() {
    for backend in testkit::BACKENDS {
        // An SMS gateway that refuses connections: nothing listens on this port.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let app = spawn_with(backend, |c| {
            c.sms_gateway_url = Some(format!("http://127.0.0.1:{port}/sms"))
        })
        .await;
        let agent = app.token("agent").await;
        let (s, c) = app.post("/api/v1/complaints", &agent, &body_with_phone(5)).await;
        assert_eq!(s, 201, "{c}");
        let number = c["number"].as_str().unwrap();
        assert_eq!(app.get(&format!("/api/v1/complaints/{number}"), &agent).await.0, 200);
        assert_eq!(app.get("/api/v1/complaints/KS-209901-00001", &agent).await.0, 404);

        // The owner's acknowledgement SMS fails once and waits for its retry.
        let report = kesu::services::deliver::run(&app.state).await.unwrap();
        assert_eq!(report.retrying, 1, "{backend:?}");
        // 70 minutes on, first_response has run out.
        app.clock.advance(Duration::minutes(70));
        let swept = kesu::services::sweep::run(&app.state).await.unwrap();
        assert!(swept.breached >= 1);

        let r = app.client.get(format!("{}/metrics", app.base)).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4"));
        let text = r.text().await.unwrap();
        let detail = r#"kesu_http_requests_total{method="GET",route="/api/v1/complaints/{number}",status="#;
        assert_eq!(sample(&text, &format!("{detail}\"200\"}}")), Some(1.0), "{text}");
        assert_eq!(sample(&text, &format!("{detail}\"404\"}}")), Some(1.0));
        assert_eq!(
            sample(
                &text,
                r#"kesu_http_requests_total{method="POST",route="/api/v1/complaints",status="201"}"#
            ),
            Some(1.0)
        );
        assert!(
            text.contains(
                r#"kesu_http_request_duration_seconds_bucket{le="0.001",method="POST",route="/api/v1/complaints"}"#
            ) || text.contains(
                r#"kesu_http_request_duration_seconds_bucket{method="POST",route="/api/v1/complaints",le="0.001"}"#
            ),
            "{text}"
        );
        assert_eq!(sample(&text, r#"kesu_complaints_open{state="registered"}"#), Some(1.0));
        assert_eq!(
            sample(&text, r#"kesu_overdue_clocks{clock="first_response"}"#),
            Some(1.0)
        );
        assert_eq!(
            sample(&text, r#"kesu_sweep_steps_total{step="breach"}"#),
            Some(swept.breached as f64)
        );
        assert_eq!(
            sample(&text, r#"kesu_delivery_failures_total{channel="sms"}"#),
            Some(1.0)
        );
        assert_eq!(
            sample(&text, r#"kesu_outbox_messages{channel="sms",state="pending"}"#),
            Some(1.0)
        );
        // Route templates only: no complaint number, name or phone.
        for secret in [number, "张三", "13900000005"] {
            assert!(!text.contains(secret), "{secret} in metrics");
        }
    }
}
