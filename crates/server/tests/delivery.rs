//! Delivery of the outbox to real local receivers (R-NT-1…3): an HTTP SMS gateway and an SMTP
//! server on loopback. Taking a receiver down and up again loses no message.

mod common;

use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use chrono::Duration;
use common::{body_with_phone, spawn_with, TestApp};
use kesu::services::deliver;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// An SMS gateway on loopback that records what it accepts and can be made to fail.
#[derive(Clone, Default)]
struct Gateway {
    received: Arc<Mutex<Vec<(String, Value)>>>,
    failing: Arc<AtomicBool>,
}

impl Gateway {
    /// Serves on `port` (0: any); returns the port and the task (abort it to take the gateway down).
    async fn serve(&self, port: u16) -> (u16, tokio::task::JoinHandle<()>) {
        let me = self.clone();
        let app = Router::new().route(
            "/sms",
            post(move |headers: HeaderMap, Json(body): Json<Value>| {
                let me = me.clone();
                async move {
                    if me.failing.load(Ordering::SeqCst) {
                        return StatusCode::SERVICE_UNAVAILABLE;
                    }
                    let key = headers
                        .get("idempotency-key")
                        .map(|v| v.to_str().unwrap().to_string())
                        .unwrap_or_default();
                    me.received.lock().unwrap().push((key, body));
                    StatusCode::OK
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        (
            port,
            tokio::spawn(async move { axum::serve(listener, app).await.unwrap() }),
        )
    }
}

async fn failed_and_pending(app: &TestApp, admin: &str) -> (Value, Value) {
    let (_, pending) = app.get("/api/v1/admin/deliveries?state=pending", admin).await;
    let (_, failed) = app.get("/api/v1/admin/deliveries?state=failed", admin).await;
    (pending, failed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_survive_a_gateway_outage_and_failures_stay_visible() {
    let gateway = Gateway::default();
    let (port, task) = gateway.serve(0).await;
    let app = spawn_with(testkit::Backend::Sqlite, |c| {
        c.sms_gateway_url = Some(format!("http://127.0.0.1:{port}/sms"))
    })
    .await;
    let agent = app.token("agent").await;
    let admin = app.token("admin").await;
    // Take the gateway down, then register: the acknowledgement waits in the outbox.
    task.abort();
    let _ = task.await;
    let (_, c) = app.post("/api/v1/complaints", &agent, &body_with_phone(1)).await;
    let number = c["number"].as_str().unwrap().to_string();
    let r = deliver::run(&app.state).await.unwrap();
    assert_eq!((r.delivered, r.retrying), (0, 1));
    let (pending, _) = failed_and_pending(&app, &admin).await;
    assert_eq!(pending["items"][0]["attempts"], 1);
    assert!(
        pending["items"][0]["last_error"]
            .as_str()
            .unwrap()
            .contains("unreachable"),
        "{pending}"
    );
    assert_eq!(
        deliver::run(&app.state).await.unwrap(),
        deliver::DeliveryReport::default(),
        "backing off"
    );
    // Up again on the same port: after the back-off the message arrives, once.
    let (_, task) = gateway.serve(port).await;
    app.clock.advance(Duration::seconds(31));
    assert_eq!(deliver::run(&app.state).await.unwrap().delivered, 1);
    {
        let got = gateway.received.lock().unwrap();
        assert_eq!(got.len(), 1);
        assert!(
            got[0].0.starts_with("kesu-outbox-"),
            "an idempotency key for the gateway"
        );
        assert_eq!(got[0].1["phone"], "13900000001");
        assert!(got[0].1["text"].as_str().unwrap().contains(&number));
    }
    assert_eq!(
        deliver::run(&app.state).await.unwrap(),
        deliver::DeliveryReport::default(),
        "sent once"
    );

    // A gateway that keeps refusing: twelve attempts, then `failed` — kept, listed, retryable.
    gateway.failing.store(true, Ordering::SeqCst);
    app.post("/api/v1/complaints", &agent, &body_with_phone(2)).await;
    let mut failed_after = 0;
    for attempt in 1..=deliver::MAX_ATTEMPTS {
        let r = deliver::run(&app.state).await.unwrap();
        if r.failed == 1 {
            failed_after = attempt;
        }
        app.clock.advance(Duration::hours(2));
    }
    assert_eq!(failed_after, deliver::MAX_ATTEMPTS);
    // A day has passed: sign in again.
    let (admin, agent) = (app.token("admin").await, app.token("agent").await);
    let (_, failed) = failed_and_pending(&app, &admin).await;
    assert_eq!(failed["items"].as_array().unwrap().len(), 1);
    assert_eq!(failed["backlog"]["failed"], 1);
    assert!(failed["items"][0]["last_error"].as_str().unwrap().contains("503"));
    let id = failed["items"][0]["id"].as_i64().unwrap();
    assert_eq!(
        app.post(&format!("/api/v1/admin/deliveries/{id}/retry"), &agent, &json!({}))
            .await
            .0,
        403,
        "administrators only"
    );
    gateway.failing.store(false, Ordering::SeqCst);
    assert_eq!(
        app.post(&format!("/api/v1/admin/deliveries/{id}/retry"), &admin, &json!({}))
            .await
            .0,
        200
    );
    assert_eq!(deliver::run(&app.state).await.unwrap().delivered, 1);
    assert_eq!(gateway.received.lock().unwrap().len(), 2, "no message lost");
    task.abort();
}

/// A minimal SMTP server: answers the dialogue and keeps each message's envelope and data.
/// An SMTP server on loopback that keeps each message's transcript; with `tls`, it speaks SMTP
/// inside TLS from the first byte (smtps, port 465 style).
async fn smtp_server(tls: Option<tokio_rustls::TlsAcceptor>) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mail = Arc::new(Mutex::new(Vec::new()));
    let kept = mail.clone();
    tokio::spawn(async move {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            let (kept, tls) = (kept.clone(), tls.clone());
            tokio::spawn(async move {
                match tls {
                    Some(acceptor) => {
                        if let Ok(stream) = acceptor.accept(socket).await {
                            smtp_dialogue(stream, kept).await
                        }
                    }
                    None => smtp_dialogue(socket, kept).await,
                }
            });
        }
    });
    (port, mail)
}

async fn smtp_dialogue<S>(stream: S, kept: Arc<Mutex<Vec<String>>>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let (r, mut w) = tokio::io::split(stream);
    let mut lines = BufReader::new(r).lines();
    w.write_all(b"220 test.local ESMTP\r\n").await.unwrap();
    let mut transcript = String::new();
    let mut in_data = false;
    while let Ok(Some(line)) = lines.next_line().await {
        transcript.push_str(&line);
        transcript.push('\n');
        if in_data {
            if line == "." {
                in_data = false;
                kept.lock().unwrap().push(std::mem::take(&mut transcript));
                w.write_all(b"250 queued\r\n").await.unwrap();
            }
            continue;
        }
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            b"250 test.local\r\n"
        } else if upper.starts_with("DATA") {
            in_data = true;
            b"354 go ahead\r\n"
        } else if upper.starts_with("QUIT") {
            w.write_all(b"221 bye\r\n").await.unwrap();
            break;
        } else {
            b"250 ok\r\n"
        };
        w.write_all(reply).await.unwrap();
        w.flush().await.unwrap();
    }
}

/// A TLS acceptor with a fresh self-signed certificate for 127.0.0.1, and that certificate as PEM.
fn tls_acceptor() -> (tokio_rustls::TlsAcceptor, String) {
    use tokio_rustls::rustls;
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let pem = certified.cert.pem();
    let key = rustls::pki_types::PrivatePkcs8KeyDer::from(certified.signing_key.serialize_der());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key.into())
        .unwrap();
    (tokio_rustls::TlsAcceptor::from(Arc::new(config)), pem)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e_mail_goes_over_tls_to_a_relay_with_a_private_certificate() {
    let (acceptor, pem) = tls_acceptor();
    let (port, mail) = smtp_server(Some(acceptor)).await;
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("relay-ca.pem");
    std::fs::write(&ca, pem).unwrap();
    // Without the private CA the relay's certificate is refused and the message waits.
    let untrusted = spawn_with(testkit::Backend::Sqlite, |c| {
        c.smtp_url = Some(format!("smtps://127.0.0.1:{port}"));
    })
    .await;
    let agent = untrusted.token("agent").await;
    let mut b = body_with_phone(4);
    b["complainant"] = json!({"name": "王五", "email": "wangwu@example.com"});
    assert_eq!(untrusted.post("/api/v1/complaints", &agent, &b).await.0, 201);
    let r = deliver::run(&untrusted.state).await.unwrap();
    assert_eq!((r.delivered, r.retrying), (0, 1));
    assert!(mail.lock().unwrap().is_empty());
    let mut rd = untrusted.state.store.reader().await.unwrap();
    let mut c = rd.conn();
    let error: String = store::on_conn!(&mut c, |c| sqlx::query_scalar(
        "SELECT last_error FROM outbox WHERE channel = 'email'"
    )
    .fetch_one(&mut **c)
    .await)
    .unwrap();
    assert!(error.to_lowercase().contains("certificate"), "{error}");
    // Trusting it, the message goes through TLS.
    let app = spawn_with(testkit::Backend::Sqlite, |c| {
        c.smtp_url = Some(format!("smtps://127.0.0.1:{port}"));
        c.smtp_ca_file = Some(ca.clone());
        c.smtp_from = "kefu@kesu.example".into();
    })
    .await;
    let agent = app.token("agent").await;
    assert_eq!(app.post("/api/v1/complaints", &agent, &b).await.0, 201);
    assert_eq!(deliver::run(&app.state).await.unwrap().delivered, 1);
    let got = mail.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert!(got[0].contains("RCPT TO:<wangwu@example.com>"), "{}", got[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e_mail_reaches_a_real_smtp_server() {
    let (port, mail) = smtp_server(None).await;
    let app = spawn_with(testkit::Backend::Sqlite, |c| {
        c.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        c.smtp_from = "kefu@kesu.example".into();
    })
    .await;
    let agent = app.token("agent").await;
    let mut b = body_with_phone(3);
    b["complainant"] = json!({"name": "王五", "email": "wangwu@example.com"});
    let (s, c) = app.post("/api/v1/complaints", &agent, &b).await;
    assert_eq!(s, 201);
    let number = c["number"].as_str().unwrap();
    assert_eq!(deliver::run(&app.state).await.unwrap().delivered, 1);
    let got = mail.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert!(
        m.contains("MAIL FROM:<kefu@kesu.example>") && m.contains("RCPT TO:<wangwu@example.com>"),
        "{m}"
    );
    // The body is UTF-8 text in a transfer encoding: decode it to find the Chinese notice.
    let data = m.split_once("\n\n").map(|(_, b)| b).unwrap_or(m);
    let decoded = {
        use base64::Engine;
        let joined: String = data.lines().take_while(|l| *l != ".").collect();
        base64::engine::general_purpose::STANDARD
            .decode(joined.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_else(|| data.to_string())
    };
    assert!(
        decoded.contains("您的投诉已受理") && decoded.contains(number),
        "{m}\n{decoded}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_robots_get_their_platforms_formats() {
    // One receiver plays WeCom, DingTalk and Feishu, each answering in its own way.
    let seen: Arc<Mutex<Vec<(String, Value)>>> = Arc::default();
    let record = |path: &'static str, answer: Value| {
        let seen = seen.clone();
        post(move |Json(body): Json<Value>| {
            let (seen, answer) = (seen.clone(), answer.clone());
            async move {
                seen.lock().unwrap().push((path.to_string(), body));
                Json(answer)
            }
        })
    };
    let app_routes = Router::new()
        .route("/wecom", record("wecom", json!({"errcode": 0, "errmsg": "ok"})))
        .route("/dingtalk", record("dingtalk", json!({"errcode": 0, "errmsg": "ok"})))
        .route("/feishu", record("feishu", json!({"code": 0, "msg": "success"})))
        .route(
            "/broken",
            record("broken", json!({"errcode": 93000, "errmsg": "invalid webhook url"})),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app_routes).await.unwrap() });

    let app = spawn_with(testkit::Backend::Sqlite, |_| {}).await;
    let admin = app.token("admin").await;
    for (kind, path) in [
        ("wecom", "wecom"),
        ("dingtalk", "dingtalk"),
        ("feishu", "feishu"),
        ("wecom", "broken"),
    ] {
        let (s, r) = app.post("/api/v1/admin/robots", &admin, &json!({"project_code": "GZ-001", "department": "engineering", "kind": kind, "url": format!("{base}/{path}")})).await;
        assert_eq!(s, 201, "{r}");
    }
    for bad in [
        json!({"project_code": "GZ-001", "department": "engineering", "kind": "slack", "url": format!("{base}/x")}),
        json!({"project_code": "GZ-001", "department": "nope", "kind": "wecom", "url": format!("{base}/x")}),
        json!({"project_code": "GZ-001", "department": "engineering", "kind": "wecom", "url": "ftp://x"}),
    ] {
        assert_eq!(app.post("/api/v1/admin/robots", &admin, &bad).await.0, 422, "{bad}");
    }
    let supervisor = app.token("supervisor").await;
    assert_eq!(app.post("/api/v1/admin/robots", &supervisor, &json!({})).await.0, 403);
    let (_, c) = app.post("/api/v1/complaints", &supervisor, &body_with_phone(9)).await;
    let number = c["number"].as_str().unwrap();
    let (s, _) = app
        .post(
            &format!("/api/v1/complaints/{number}/actions/dispatch"),
            &supervisor,
            &json!({"version": 1, "lead_department": "engineering"}),
        )
        .await;
    assert_eq!(s, 200);
    let r = deliver::run(&app.state).await.unwrap();
    assert_eq!(
        (r.delivered, r.retrying),
        (3, 2),
        "three robots took it; the broken robot and the SMS (no gateway here) are retried: {r:?}"
    );
    let got = seen.lock().unwrap().clone();
    let body_of = |p: &str| got.iter().find(|(path, _)| path == p).unwrap().1.clone();
    let text = format!("投诉 {number} 已分派至工程部，请安排处理人。");
    assert_eq!(body_of("wecom"), json!({"msgtype": "text", "text": {"content": text}}));
    assert_eq!(
        body_of("dingtalk"),
        json!({"msgtype": "text", "text": {"content": text}})
    );
    assert_eq!(
        body_of("feishu"),
        json!({"msg_type": "text", "content": {"text": text}})
    );
    let (_, pending) = app.get("/api/v1/admin/deliveries?state=pending", &admin).await;
    assert!(
        pending["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["last_error"].as_str().is_some_and(|e| e.contains("93000"))),
        "{pending}"
    );
}

/// A sender that crashed holding a message: the others go out at once, the held one when its
/// lease runs out, each exactly once (R-NT-3), on both backends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_senders_message_goes_out_when_its_lease_runs_out() {
    use futures::FutureExt;
    use kesu::clock::Clock;
    for backend in testkit::BACKENDS {
        let gateway = Gateway::default();
        let (port, _task) = gateway.serve(0).await;
        let app = spawn_with(backend, |c| {
            c.sms_gateway_url = Some(format!("http://127.0.0.1:{port}/sms"))
        })
        .await;
        let agent = app.token("agent").await;
        for i in 1..=3 {
            let (status, _) = app.post("/api/v1/complaints", &agent, &body_with_phone(i)).await;
            assert_eq!(status, StatusCode::CREATED, "{backend:?}");
        }
        let now = domain::time::to_millis(app.clock.now());
        let held = app
            .state
            .store
            .write(move |c| {
                async move { store::outbox::lease(c, now, now + deliver::LEASE_SECONDS * 1000, 1).await }.boxed()
            })
            .await
            .unwrap();
        assert_eq!(held.len(), 1, "{backend:?}");
        assert_eq!(held[0].channel, "sms");

        let r = deliver::run(&app.state).await.unwrap();
        assert_eq!((r.delivered, r.retrying, r.failed), (2, 0, 0), "{backend:?}");
        assert_eq!(deliver::run(&app.state).await.unwrap().delivered, 0, "still held");
        app.clock.advance(Duration::seconds(deliver::LEASE_SECONDS + 1));
        assert_eq!(deliver::run(&app.state).await.unwrap().delivered, 1, "{backend:?}");
        assert_eq!(deliver::run(&app.state).await.unwrap().delivered, 0, "{backend:?}");

        let mut keys: Vec<String> = gateway
            .received
            .lock()
            .unwrap()
            .iter()
            .map(|(k, _)| k.clone())
            .collect();
        assert!(keys.contains(&format!("kesu-outbox-{}", held[0].id)), "{backend:?}");
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), 3, "each message once: {keys:?}");
    }
}
