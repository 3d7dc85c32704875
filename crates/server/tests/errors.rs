//! Hostile and bad input: each error status of API.md for its cause, as problem+json, with
//! nothing changed (R-SEC-4).

mod common;

use common::{body, spawn, TestApp};
use serde_json::{json, Value};

async fn raw(app: &TestApp, token: Option<&str>, content_type: Option<&str>, payload: Vec<u8>) -> (u16, String, Value) {
    let mut req = app.client.post(format!("{}/api/v1/complaints", app.base)).body(payload);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, ct, r.json().await.unwrap_or(Value::Null))
}

/// Sends a 10 MB JSON body over a raw connection and returns the response head.
async fn oversized(app: &TestApp, token: &str, chunked: bool) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.base.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let total = 10 * 1024 * 1024;
    let framing = if chunked {
        "Transfer-Encoding: chunked".to_string()
    } else {
        format!("Content-Length: {total}")
    };
    let head = format!("POST /api/v1/complaints HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\n{framing}\r\n\r\n");
    s.write_all(head.as_bytes()).await.unwrap();
    let (mut rd, mut wr) = s.into_split();
    let writer = tokio::spawn(async move {
        let chunk = vec![b' '; 64 * 1024];
        let mut sent = 0;
        while sent < total {
            let ok = if chunked {
                wr.write_all(format!("{:x}\r\n", chunk.len()).as_bytes()).await.is_ok()
                    && wr.write_all(&chunk).await.is_ok()
                    && wr.write_all(b"\r\n").await.is_ok()
            } else {
                wr.write_all(&chunk).await.is_ok()
            };
            if !ok {
                break; // the server stopped reading: that is the point
            }
            sent += chunk.len();
        }
    });
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(std::time::Duration::from_secs(20), rd.read(&mut buf))
        .await
        .expect("answered in time")
        .unwrap();
    writer.abort();
    String::from_utf8_lossy(&buf[..n]).to_string()
}

fn with(patch: impl Fn(&mut Value)) -> Vec<u8> {
    let mut b = body();
    patch(&mut b);
    b.to_string().into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bad_request_is_a_clear_4xx_and_changes_nothing() {
    for backend in testkit::BACKENDS {
        let app = spawn(backend).await;
        let agent = app.token("agent").await;
        let json_ct = Some("application/json");
        let long = "漏".repeat(201);
        let cases: Vec<(&str, Option<&str>, Option<&str>, Vec<u8>, u16, Option<&str>)> = vec![
            (
                "malformed JSON",
                Some(&agent),
                json_ct,
                b"{\"channel\": \"hotline\",".to_vec(),
                400,
                None,
            ),
            ("empty body", Some(&agent), json_ct, b"".to_vec(), 400, None),
            (
                "not UTF-8",
                Some(&agent),
                json_ct,
                vec![0x7b, 0xff, 0xfe, 0x7d],
                400,
                None,
            ),
            ("array body", Some(&agent), json_ct, b"[1,2]".to_vec(), 422, Some("")),
            (
                "wrong type: subject number",
                Some(&agent),
                json_ct,
                with(|b| b["subject"] = json!(42)),
                422,
                Some("subject"),
            ),
            (
                "wrong type: households string",
                Some(&agent),
                json_ct,
                with(|b| b["households"] = json!("3")),
                422,
                Some("households"),
            ),
            (
                "wrong type: households float",
                Some(&agent),
                json_ct,
                with(|b| b["households"] = json!(2.5)),
                422,
                Some("households"),
            ),
            (
                "wrong type: complainant string",
                Some(&agent),
                json_ct,
                with(|b| b["complainant"] = json!("张三")),
                422,
                Some("complainant"),
            ),
            (
                "missing channel",
                Some(&agent),
                json_ct,
                with(|b| {
                    b.as_object_mut().unwrap().remove("channel");
                }),
                422,
                Some("channel"),
            ),
            (
                "missing complainant",
                Some(&agent),
                json_ct,
                with(|b| {
                    b.as_object_mut().unwrap().remove("complainant");
                }),
                422,
                Some("complainant"),
            ),
            (
                "missing description",
                Some(&agent),
                json_ct,
                with(|b| {
                    b.as_object_mut().unwrap().remove("description");
                }),
                422,
                Some("description"),
            ),
            (
                "no phone nor e-mail",
                Some(&agent),
                json_ct,
                with(|b| b["complainant"] = json!({"name": "张三"})),
                422,
                Some("complainant.phone"),
            ),
            (
                "empty subject",
                Some(&agent),
                json_ct,
                with(|b| b["subject"] = json!("")),
                422,
                Some("subject"),
            ),
            (
                "whitespace subject",
                Some(&agent),
                json_ct,
                with(|b| b["subject"] = json!(" \u{3000}\t ")),
                422,
                Some("subject"),
            ),
            (
                "whitespace name",
                Some(&agent),
                json_ct,
                with(|b| b["complainant"]["name"] = json!("   ")),
                422,
                Some("complainant.name"),
            ),
            (
                "over-long subject",
                Some(&agent),
                json_ct,
                with(|b| b["subject"] = json!(long)),
                422,
                Some("subject"),
            ),
            (
                "over-long description",
                Some(&agent),
                json_ct,
                with(|b| b["description"] = json!("a".repeat(5001))),
                422,
                Some("description"),
            ),
            (
                "unknown project",
                Some(&agent),
                json_ct,
                with(|b| b["project_code"] = json!("XX-999")),
                422,
                Some("project_code"),
            ),
            (
                "received_at in the future",
                Some(&agent),
                json_ct,
                with(|b| b["received_at"] = json!("2026-11-22T12:00:00+08:00")),
                422,
                Some("received_at"),
            ),
            (
                "received_at without offset",
                Some(&agent),
                json_ct,
                with(|b| b["received_at"] = json!("2026-11-22 09:00:00")),
                422,
                Some("received_at"),
            ),
            (
                "malformed phone",
                Some(&agent),
                json_ct,
                with(|b| b["complainant"]["phone"] = json!("1381234")),
                422,
                Some("complainant.phone"),
            ),
            (
                "malformed e-mail",
                Some(&agent),
                json_ct,
                with(|b| b["complainant"]["email"] = json!("zhang@")),
                422,
                Some("complainant.email"),
            ),
            (
                "unknown channel",
                Some(&agent),
                json_ct,
                with(|b| b["channel"] = json!("carrier_pigeon")),
                422,
                Some("channel"),
            ),
            (
                "unknown grade",
                Some(&agent),
                json_ct,
                with(|b| b["grade"] = json!("critical")),
                422,
                Some("grade"),
            ),
            (
                "unknown stage",
                Some(&agent),
                json_ct,
                with(|b| b["stage"] = json!("moving")),
                422,
                Some("stage"),
            ),
            (
                "unknown kind",
                Some(&agent),
                json_ct,
                with(|b| b["complainant"]["kind"] = json!("alien")),
                422,
                Some("complainant.kind"),
            ),
            (
                "unknown category",
                Some(&agent),
                json_ct,
                with(|b| b["category_code"] = json!("engineering.nope")),
                422,
                Some("category_code"),
            ),
            (
                "unknown field",
                Some(&agent),
                json_ct,
                with(|b| b["categroy_code"] = json!("x")),
                422,
                Some("categroy_code"),
            ),
            (
                "households zero",
                Some(&agent),
                json_ct,
                with(|b| b["households"] = json!(0)),
                422,
                Some("households"),
            ),
            (
                "control character",
                Some(&agent),
                json_ct,
                with(|b| b["subject"] = json!("漏水\u{0007}")),
                422,
                Some("subject"),
            ),
            (
                "NUL in description",
                Some(&agent),
                json_ct,
                with(|b| b["description"] = json!("a\u{0000}b")),
                422,
                Some("description"),
            ),
            (
                "bidi override",
                Some(&agent),
                json_ct,
                with(|b| b["complainant"]["name"] = json!("张\u{202E}三")),
                422,
                Some("complainant.name"),
            ),
            (
                "wrong content type",
                Some(&agent),
                Some("text/plain"),
                body().to_string().into_bytes(),
                415,
                None,
            ),
            (
                "form content type",
                Some(&agent),
                Some("application/x-www-form-urlencoded"),
                b"channel=hotline".to_vec(),
                415,
                None,
            ),
            (
                "no content type",
                Some(&agent),
                None,
                body().to_string().into_bytes(),
                415,
                None,
            ),
            ("no token", None, json_ct, body().to_string().into_bytes(), 401, None),
            (
                "bad token",
                Some("not-a-token"),
                json_ct,
                body().to_string().into_bytes(),
                401,
                None,
            ),
        ];
        for (name, token, ct, payload, status, field) in cases {
            let (got, content_type, problem) = raw(&app, token, ct, payload).await;
            assert_eq!(got, status, "{backend:?} {name}: {problem}");
            assert_eq!(content_type, "application/problem+json", "{name}");
            assert_eq!(problem["status"], status, "{name}");
            assert!(
                problem["title"].is_string() && problem["detail"].is_string() && problem["type"].is_string(),
                "{name}"
            );
            if let Some(field) = field {
                let fields: Vec<&str> = problem["errors"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["field"].as_str().unwrap())
                    .collect();
                assert!(fields.contains(&field), "{name}: {fields:?}");
            }
            assert_eq!(app.complaint_count().await, 0, "{backend:?} {name} changed nothing");
        }
        // A 10 MB body is refused from its Content-Length, before it is read; a chunked one once
        // the limit is crossed while reading.
        for chunked in [false, true] {
            let response = oversized(&app, &agent, chunked).await;
            assert!(
                response.starts_with("HTTP/1.1 413"),
                "{backend:?} chunked={chunked}: {response}"
            );
            assert!(
                response
                    .to_ascii_lowercase()
                    .contains("content-type: application/problem+json"),
                "{response}"
            );
            assert_eq!(app.complaint_count().await, 0);
        }
        // Emoji and Chinese are valid and round-trip exactly.
        let text = "漏水😀🏠，𠮷野家（扩展B区汉字）";
        let (s, _, c) = raw(&app, Some(&agent), json_ct, with(|b| b["description"] = json!(text))).await;
        assert_eq!(s, 201);
        assert_eq!(c["description"], text);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_unknown_paths_and_methods() {
    let app = spawn(testkit::Backend::Sqlite).await;
    // 403: a department handler and an auditor may read but not register.
    for user in ["handler", "auditor"] {
        let token = app.token(user).await;
        let (s, p) = app.post("/api/v1/complaints", &token, &body()).await;
        assert_eq!((s, p["status"].as_u64()), (403, Some(403)), "{user}");
    }
    assert_eq!(app.complaint_count().await, 0);
    let agent = app.token("agent").await;
    // 404: unknown number, malformed number, unknown path — all problem+json.
    for path in [
        "/api/v1/complaints/KS-202611-99999",
        "/api/v1/complaints/..%2F..%2Fetc%2Fpasswd",
        "/api/v1/complaints/%3Cscript%3E",
        "/api/v1/nope",
    ] {
        let r = app
            .client
            .get(format!("{}{path}", app.base))
            .bearer_auth(&agent)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
    }
    // 405 for a known path with the wrong method.
    let r = app
        .client
        .delete(format!("{}/api/v1/complaints", app.base))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    // 422 for bad list parameters.
    for q in [
        "state=open",
        "limit=500",
        "cursor=abc",
        "sort=desc",
        "received_from=2026-11-30&received_to=2026-11-01",
    ] {
        let (s, p) = app.get(&format!("/api/v1/complaints?{q}"), &agent).await;
        assert_eq!(s, 422, "{q}: {p}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_failures_and_lockout() {
    let app = spawn(testkit::Backend::Sqlite).await;
    let url = format!("{}/api/v1/auth/token", app.base);
    let try_login = |u: &str, p: &str| {
        app.client
            .post(&url)
            .json(&json!({"username": u, "password": p}))
            .send()
    };
    assert_eq!(try_login("nobody", "x").await.unwrap().status(), 401);
    assert_eq!(
        app.client
            .post(&url)
            .json(&json!({"username": "agent"}))
            .send()
            .await
            .unwrap()
            .status(),
        422
    );
    assert_eq!(
        app.client
            .post(&url)
            .body("username=agent")
            .header("content-type", "application/x-www-form-urlencoded")
            .send()
            .await
            .unwrap()
            .status(),
        415
    );
    for _ in 0..kesu::auth::MAX_FAILED_LOGINS {
        assert_eq!(try_login("agent", "wrong").await.unwrap().status(), 401);
    }
    // Locked: even the right password is refused until the lock expires.
    assert_eq!(
        try_login("agent", kesu::demo::DEMO_PASSWORD).await.unwrap().status(),
        401
    );
    app.clock
        .advance(chrono::Duration::minutes(kesu::auth::LOCKOUT_MINUTES + 1));
    let ok = try_login("agent", kesu::demo::DEMO_PASSWORD).await.unwrap();
    assert_eq!(ok.status(), 200);
    let body: Value = ok.json().await.unwrap();
    assert_eq!(
        body["expires_at"], "2026-11-22T22:16:00+08:00",
        "12 hours after sign-in, in Shanghai time"
    );
}
