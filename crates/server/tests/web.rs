//! The console's sessions and forms, and the owners' public API, over HTTP (issue 5, R-IN-5):
//! CSRF on every form, sign-in failures, hostile text escaped, public lookups that reveal
//! nothing without the right phone or token, and rate limits.

mod common;

use common::{spawn, spawn_with};
use reqwest::redirect::Policy;
use serde_json::{json, Value};

/// A client that does not follow redirects, so each step can be checked.
fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(Policy::none()).build().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_csrf_and_escaping() {
    for backend in testkit::BACKENDS {
        sessions_csrf_and_escaping_on(backend).await;
    }
}

async fn sessions_csrf_and_escaping_on(backend: testkit::Backend) {
    let app = spawn(backend).await;
    let c = client();
    // Anonymous visitors are sent to sign in, and back afterwards.
    let r = c
        .get(format!("{}/complaints?state=registered", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        "/login?next=%2Fcomplaints%3Fstate%3Dregistered"
    );
    // A wrong password is a 401 page that keeps the username; an open redirect is refused.
    let r = c
        .post(format!("{}/login", app.base))
        .form(&[
            ("username", "agent"),
            ("password", "wrong"),
            ("next", "https://evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let body = r.text().await.unwrap();
    assert!(body.contains("用户名或密码错误") && body.contains("value=\"agent\""));
    let r = c
        .post(format!("{}/login", app.base))
        .form(&[
            ("username", "agent"),
            ("password", kesu::demo::DEMO_PASSWORD),
            ("next", "//evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/");

    // The session cookie is HttpOnly and SameSite=Lax.
    let r = c
        .post(format!("{}/login", app.base))
        .form(&[
            ("username", "agent"),
            ("password", kesu::demo::DEMO_PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    let set = r.headers()["set-cookie"].to_str().unwrap();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax"), "{set}");
    let (cookie, csrf) = app.web_session("agent").await;
    let mut hostile = common::body_with_phone(41);
    hostile["subject"] = json!("<img src=x onerror=alert(1)>漏水");
    let token = app.token("agent").await;
    let (_, made) = app.post("/api/v1/complaints", &token, &hostile).await;
    let number = made["number"].as_str().unwrap();
    for path in [
        "/complaints".to_string(),
        format!("/complaints/{number}"),
        "/".to_string(),
    ] {
        let html = c
            .get(format!("{}{path}", app.base))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if path != "/" {
            // askama escapes `<` and `>` as numeric references.
            assert!(html.contains("&#60;img src=x onerror=alert(1)&#62;漏水"), "{path}");
        }
        assert!(!html.contains("<img src=x"), "{path} must escape");
    }
    // A form without the session's CSRF token changes nothing.
    let before = app.get(&format!("/api/v1/complaints/{number}"), &token).await.1["version"].clone();
    for bad in ["", "0123456789abcdef0123456789abcdef"] {
        let r = c
            .post(format!("{}/complaints/{number}/act/note", app.base))
            .header("cookie", &cookie)
            .form(&[("_csrf", bad), ("version", "1"), ("text", "forged")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
    }
    assert_eq!(
        app.get(&format!("/api/v1/complaints/{number}"), &token).await.1["version"],
        before
    );
    // With it, the note is taken; a stale version is a 409 page saying so.
    let r = c
        .post(format!("{}/complaints/{number}/act/note", app.base))
        .header("cookie", &cookie)
        .form(&[("_csrf", csrf.as_str()), ("version", "1"), ("text", "已致电")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let r = c
        .post(format!("{}/complaints/{number}/act/note", app.base))
        .header("cookie", &cookie)
        .form(&[("_csrf", csrf.as_str()), ("version", "1"), ("text", "again")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("该投诉已被他人更新"));
    // CSV export: a BOM, the header in Chinese, formulas defused.
    let csv = c
        .get(format!("{}/complaints.csv", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with("\u{feff}\"编号\""), "{csv}");
    assert!(csv.contains(number));
    // The same list as xlsx, read back by openpyxl: hostile text stays text, never a formula.
    let book = c
        .get(format!("{}/complaints.xlsx", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let rows = common::read_xlsx(&book);
    assert_eq!(rows[0][0].0, "编号");
    let row = rows
        .iter()
        .find(|r| r[0].0 == number)
        .expect("the complaint is in the export");
    assert_eq!(row[9], (json!("<img src=x onerror=alert(1)>漏水"), "s".to_string()));
    // Sign-out ends the session.
    let r = c
        .post(format!("{}/logout", app.base))
        .header("cookie", &cookie)
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = c
        .get(format!("{}/", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "the old session no longer works");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owners_file_and_track_without_revealing_anything_to_others() {
    for backend in testkit::BACKENDS {
        let app = spawn_with(backend, |c| c.public_filings_per_10min = 3).await;
        let c = client();
        let mut body = common::body_with_phone(51);
        for k in ["grade", "category_code", "received_at"] {
            body.as_object_mut().unwrap().remove(k);
        }
        body["channel"] = json!("website");
        let post = |b: Value| c.post(format!("{}/api/v1/public/complaints", app.base)).json(&b).send();
        let mut with_grade = body.clone();
        with_grade["grade"] = json!("urgent");
        let r = post(with_grade).await.unwrap();
        assert_eq!(r.status(), 422);
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["errors"][0]["field"], "grade");
        let r = post(body.clone()).await.unwrap();
        assert_eq!(r.status(), 201, "{backend:?}");
        let filed: Value = r.json().await.unwrap();
        let (number, token) = (
            filed["number"].as_str().unwrap(),
            filed["tracking_token"].as_str().unwrap(),
        );
        assert!(token.len() >= 40);

        let track = |q: String| c.get(format!("{}/api/v1/public/complaints/{q}", app.base)).send();
        let ok = track(format!("{number}?phone=13900000051")).await.unwrap();
        assert_eq!(ok.status(), 200);
        let v: Value = ok.json().await.unwrap();
        assert_eq!(v["state"], "registered");
        assert!(v.get("complainant").is_none() && v.get("handler").is_none(), "{v}");
        assert_eq!(track(format!("{number}?token={token}")).await.unwrap().status(), 200);
        // Wrong phone, wrong token, no proof, unknown number: the same 404.
        let mut bodies = Vec::new();
        for q in [
            format!("{number}?phone=13900000052"),
            format!("{number}?token=nope"),
            number.to_string(),
            "KS-209901-00001?phone=13900000051".to_string(),
            "not-a-number?phone=13900000051".to_string(),
        ] {
            let r = track(q.clone()).await.unwrap();
            assert_eq!(r.status(), 404, "{q}");
            let mut p: Value = r.json().await.unwrap();
            p.as_object_mut().unwrap().remove("instance");
            bodies.push(p);
        }
        assert!(bodies.windows(2).all(|w| w[0] == w[1]), "misses look alike: {bodies:?}");
        // An owner cannot confirm before there is a reply.
        let r = c
            .post(format!("{}/api/v1/public/complaints/{number}/confirm", app.base))
            .json(&json!({"token": token}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 409);
        let r = c
            .post(format!("{}/api/v1/public/complaints/{number}/rate", app.base))
            .json(&json!({"token": token, "satisfaction": "great"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        // Three filings per ten minutes from one address here, refused ones included: the
        // refused one and the first filing used two, so one more is taken and then 429.
        let mut statuses = Vec::new();
        for i in 0..3 {
            let mut b = body.clone();
            b["complainant"]["phone"] = json!(format!("1370000{:04}", i));
            statuses.push(post(b).await.unwrap().status().as_u16());
        }
        assert_eq!(statuses, [201, 429, 429], "{backend:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_create_users_and_grant_roles() {
    let app = spawn(testkit::Backend::Sqlite).await;
    let c = client();
    // Only administrators see the page.
    let (agent_cookie, _) = app.web_session("agent").await;
    let r = c
        .get(format!("{}/admin", app.base))
        .header("cookie", &agent_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = c
        .post(format!("{}/login", app.base))
        .form(&[("username", "admin"), ("password", "admin-pass-1"), ("next", "/admin")])
        .send()
        .await
        .unwrap();
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let page = c
        .get(format!("{}/admin", app.base))
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
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert!(
        page.contains("天河·云璟花园") && page.contains("handler"),
        "org tree and users are listed"
    );
    let post = |path: &'static str, form: Vec<(&'static str, String)>| {
        let mut form = form;
        form.push(("_csrf", csrf.clone()));
        c.post(format!("{}{path}", app.base))
            .header("cookie", &cookie)
            .form(&form)
            .send()
    };
    // Refused: bad username, short password, unknown node; nothing is created.
    let r = post(
        "/admin/users",
        vec![
            ("username", "Bad Name".into()),
            ("display_name", "钱七".into()),
            ("password", "short".into()),
            ("role", "handler".into()),
            ("node", "NOPE".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("lowercase letters") && body.contains("at least 10"),
        "{body}"
    );
    let r = post(
        "/admin/users",
        vec![
            ("username", "qianqi".into()),
            ("display_name", "钱七".into()),
            ("password", "Qianqi@2026!".into()),
            ("role", "handler".into()),
            ("node", "NOPE".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 422, "an unknown node rolls the whole change back");
    // Accepted: a handler in GZ-001's engineering department, who can then sign in.
    let r = post(
        "/admin/users",
        vec![
            ("username", "qianqi".into()),
            ("display_name", "钱七".into()),
            ("password", "Qianqi@2026!".into()),
            ("role", "handler".into()),
            ("node", "GZ-001".into()),
            ("department", "engineering".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 303);
    let r = post(
        "/admin/grants",
        vec![
            ("username", "qianqi".into()),
            ("role", "agent".into()),
            ("node", "C-GZ".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 303);
    let r = c
        .post(format!("{}/api/v1/auth/token", app.base))
        .json(&json!({"username": "qianqi", "password": "Qianqi@2026!"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let token = r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string();
    let (_, me) = app.get("/api/v1/me", &token).await;
    let roles: Vec<&str> = me["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles.len(), 2, "{me}");
    assert!(roles.contains(&"handler") && roles.contains(&"agent"));
    // The portal's system user never signs in.
    let r = c
        .post(format!("{}/api/v1/auth/token", app.base))
        .json(&json!({"username": "portal", "password": "!"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}
