//! The test app: the real router served over TCP on port 0, a controllable clock, demo
//! organisation and users, on SQLite or PostgreSQL.
#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use kesu::{AppState, Config, ManualClock};
use serde_json::{json, Value};
use std::sync::Arc;
use testkit::{Backend, TestDb};

/// A running app.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub clock: Arc<ManualClock>,
    pub state: AppState,
    pub backend: Backend,
    pub db: TestDb,
}

/// 2026-11-22 10:00 in Shanghai.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 2, 0, 0).unwrap()
}

/// Starts the app with the demo organisation and users (no sample complaints).
pub async fn spawn(backend: Backend) -> TestApp {
    spawn_with(backend, |_| {}).await
}

/// Like [`spawn`], with the configuration adjusted first.
pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> TestApp {
    let db = testkit::fresh(backend);
    let mut config = Config::for_database(&db.url);
    config.admin_password = Some("admin-pass-1".into());
    config.data_dir = db.dir.path().to_path_buf();
    adjust(&mut config);
    let clock = Arc::new(ManualClock::new(start_time()));
    let (router, state) = kesu::build(config, clock.clone()).await.expect("app builds");
    assert!(kesu::demo::load_if_empty(&state, false).await.unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = reqwest::Client::builder().pool_max_idle_per_host(64).build().unwrap();
    TestApp {
        base,
        client,
        clock,
        state,
        backend,
        db,
    }
}

impl TestApp {
    /// A console page (or download) fetched with a session cookie: its status and body.
    pub async fn web_get(&self, cookie: &str, path: &str) -> (u16, Vec<u8>) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
    }

    /// Posts a console form with a session cookie, not following the redirect: status and body.
    pub async fn web_post(&self, cookie: &str, path: &str, fields: &[(&str, String)]) -> (u16, String) {
        let r = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(format!("{}{path}", self.base))
            .header("cookie", cookie)
            .form(fields)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// Signs in on the web form; returns the session cookie and the page's CSRF token.
    pub async fn web_session(&self, user: &str) -> (String, String) {
        let cookie = self.web_cookie(user).await;
        let page = self
            .client
            .get(format!("{}/", self.base))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = page
            .split("name=\"_csrf\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .to_string();
        (cookie, csrf)
    }

    /// Takes workflow actions on a complaint in order, each with the version it has then.
    pub async fn walk(&self, token: &str, number: &str, steps: &[(&str, Value)]) {
        for (action, body) in steps {
            let (_, c) = self.get(&format!("/api/v1/complaints/{number}"), token).await;
            let mut body = body.clone();
            body["version"] = c["version"].clone();
            let (s, r) = self
                .post(&format!("/api/v1/complaints/{number}/actions/{action}"), token, &body)
                .await;
            assert_eq!(s, 200, "{action}: {r}");
        }
    }

    /// A bearer token for a demo user.
    pub async fn token(&self, username: &str) -> String {
        let password = if username == "admin" {
            "admin-pass-1"
        } else {
            kesu::demo::DEMO_PASSWORD
        };
        let r = self
            .client
            .post(format!("{}/api/v1/auth/token", self.base))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "token for {username}");
        r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string()
    }

    /// Sends a request as `token`, with a JSON body if given; returns status and parsed body (or Null).
    async fn send(&self, method: reqwest::Method, path: &str, token: &str, body: Option<&Value>) -> (u16, Value) {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(b);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// POST a JSON body as `token`.
    pub async fn post(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, token, Some(body)).await
    }

    /// PUT a JSON body as `token`.
    pub async fn put(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        self.send(reqwest::Method::PUT, path, token, Some(body)).await
    }

    /// The due time and state of one clock of a complaint, as the API shows them.
    pub async fn deadline(&self, number: &str, clock: &str, token: &str) -> (String, String) {
        let (s, c) = self.get(&format!("/api/v1/complaints/{number}"), token).await;
        assert_eq!(s, 200, "{c}");
        let d = c["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["clock"] == clock)
            .unwrap_or_else(|| panic!("{number} has no {clock} clock: {c}"));
        (
            d["due_at"].as_str().unwrap().to_string(),
            d["state"].as_str().unwrap().to_string(),
        )
    }

    /// DELETE as `token`.
    pub async fn delete(&self, path: &str, token: &str) -> (u16, Value) {
        self.send(reqwest::Method::DELETE, path, token, None).await
    }

    /// GET as `token`.
    pub async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, token, None).await
    }

    /// GET without credentials, the body as text (`/metrics`, `/healthz`).
    pub async fn text(&self, path: &str) -> String {
        let r = self.client.get(format!("{}{path}", self.base)).send().await.unwrap();
        r.text().await.unwrap()
    }

    /// Signs in on the web form as a demo user; returns the session cookie (`name=value`).
    pub async fn web_cookie(&self, username: &str) -> String {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let password = if username == "admin" {
            "admin-pass-1"
        } else {
            kesu::demo::DEMO_PASSWORD
        };
        let r = client
            .post(format!("{}/login", self.base))
            .form(&[("username", username), ("password", password), ("next", "/")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "web sign-in for {username}");
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    }

    /// Complaints in the database, all scopes.
    pub async fn complaint_count(&self) -> i64 {
        let mut r = self.state.store.reader().await.unwrap();
        store::complaints::count(&mut r.conn()).await.unwrap()
    }
}

/// The example body of API.md, with a fresh phone so tests do not trigger the repeat rule by accident.
pub fn body() -> Value {
    json!({
        "channel": "hotline",
        "complainant": {"name": "张三", "phone": "13812345678", "kind": "owner"},
        "project_code": "GZ-001",
        "building": "3栋", "unit": "1502", "location": "主卧卫生间",
        "stage": "occupancy",
        "subject": "卫生间天花板漏水",
        "description": "楼上卫生间渗水到我家天花板，已经三天了。",
        "demands": "尽快维修并赔偿损失",
        "received_at": "2026-11-22T10:00:00+08:00",
        "category_code": null,
        "grade": null,
        "households": 1
    })
}

/// `body()` with a distinct phone number.
pub fn body_with_phone(i: usize) -> Value {
    let mut b = body();
    b["complainant"]["phone"] = json!(format!("139{:08}", i));
    b
}

/// Reads an xlsx with an independent reader (Python's openpyxl): every sheet's rows, cells as
/// JSON values, plus each cell's openpyxl data type (`s` text, `n` number, `f` formula).
pub fn read_xlsx(bytes: &[u8]) -> Vec<Vec<(Value, String)>> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.xlsx");
    std::fs::write(&path, bytes).unwrap();
    let script = r#"
import json, sys, openpyxl
book = openpyxl.load_workbook(sys.argv[1])
rows = []
for sheet in book.worksheets:
    for row in sheet.iter_rows():
        rows.append([[c.value, c.data_type] for c in row])
print(json.dumps(rows, ensure_ascii=False))
"#;
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&path)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "openpyxl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<Vec<(Value, String)>> = serde_json::from_slice(&out.stdout).unwrap();
    rows
}

/// The text of a PDF as poppler's pdftotext extracts it, with all whitespace removed (it keeps
/// or drops narrow spaces as it likes).
pub fn pdf_text(bytes: &[u8]) -> String {
    assert!(bytes.starts_with(b"%PDF-"), "a PDF");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg("-enc")
        .arg("UTF-8")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed by scripts/test");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().split_whitespace().collect()
}

/// The workflow actions that take a fresh complaint to closure, answered in time and satisfied
/// (for [`TestApp::walk`]).
pub fn to_closure() -> Vec<(&'static str, Value)> {
    vec![
        ("dispatch", json!({"lead_department": "engineering"})),
        ("assign", json!({"handler": "handler"})),
        ("respond", json!({"content": "已联系业主", "method": "call"})),
        ("assess", json!({"facts": "防水层破损", "reasonableness": "reasonable"})),
        ("reply", json!({"content": "已修复"})),
        ("confirm", json!({})),
        ("callback", json!({"satisfaction": "satisfied"})),
        ("close", json!({"summary": "已修复"})),
    ]
}
