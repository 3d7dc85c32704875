//! Evidence over HTTP (R-IN-2, R-SEC-4): real type checks, size limits, path tricks refused,
//! files stored by id under the data directory and served only within scope.

mod common;

use common::{body_with_phone, spawn, TestApp};
use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89";
const JPEG: &[u8] = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

async fn upload(app: &TestApp, token: &str, number: &str, files: Vec<(&str, Option<&str>, Vec<u8>)>) -> (u16, Value) {
    let mut form = Form::new();
    for (name, mime, bytes) in files {
        let mut part = Part::bytes(bytes).file_name(name.to_string());
        if let Some(m) = mime {
            part = part.mime_str(m).unwrap();
        }
        form = form.part("file", part);
    }
    let r = app
        .client
        .post(format!("{}/api/v1/complaints/{number}/attachments", app.base))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn stored_files(app: &TestApp) -> usize {
    walk(&app.db.dir.path().join("attachments"))
}

fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| if e.path().is_dir() { walk(&e.path()) } else { 1 })
                .sum()
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_is_checked_stored_by_id_and_served_in_scope() {
    for backend in testkit::BACKENDS {
        let app = spawn(backend).await;
        let agent = app.token("agent").await;
        let (_, c) = app.post("/api/v1/complaints", &agent, &body_with_phone(1)).await;
        let number = c["number"].as_str().unwrap().to_string();

        let (s, c) = upload(
            &app,
            &agent,
            &number,
            vec![
                ("天花板渗水.png", Some("image/png"), PNG.to_vec()),
                ("现场.JPG", None, JPEG.to_vec()),
                ("检测报告.pdf", Some("application/pdf"), PDF.to_vec()),
            ],
        )
        .await;
        assert_eq!(s, 200, "{backend:?}: {c}");
        let list = c["attachments"].as_array().unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(list[0]["filename"], "天花板渗水.png");
        assert_eq!(list[1]["content_type"], "image/jpeg");
        assert_eq!(list[2]["size"], PDF.len());
        assert_eq!(stored_files(&app), 3);
        // Stored by id, never by the uploaded name.
        let names: Vec<String> = std::fs::read_dir(app.db.dir.path().join("attachments/2026/11"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect();
        assert!(names.iter().all(|n| uuid::Uuid::parse_str(n).is_ok()), "{names:?}");

        let url = format!("{}{}", app.base, list[0]["url"].as_str().unwrap());
        let r = app.client.get(&url).bearer_auth(&agent).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "image/png");
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        assert!(r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename*=UTF-8''%E5%A4%A9"));
        assert_eq!(r.bytes().await.unwrap().as_ref(), PNG);
        // Outside scope, and before dispatch for a department handler: as if it did not exist.
        for user in ["handler"] {
            let t = app.token(user).await;
            assert_eq!(
                app.client.get(&url).bearer_auth(&t).send().await.unwrap().status(),
                404,
                "{user}"
            );
        }
        let mut sz = body_with_phone(2);
        sz["project_code"] = json!("SZ-001");
        let groupcr = app.token("groupcr").await;
        let (_, other) = app.post("/api/v1/complaints", &groupcr, &sz).await;
        let other_number = other["number"].as_str().unwrap();
        assert_eq!(
            upload(&app, &agent, other_number, vec![("a.png", None, PNG.to_vec())])
                .await
                .0,
            404,
            "outside the agent's scope"
        );
        let wrong_complaint = url.replace(&number, other_number);
        assert_eq!(
            app.client
                .get(&wrong_complaint)
                .bearer_auth(&groupcr)
                .send()
                .await
                .unwrap()
                .status(),
            404,
            "an attachment belongs to its complaint"
        );

        // Refusals: each a 4xx problem, and nothing stored.
        let cases: Vec<(&str, Option<&str>, Vec<u8>, u16)> = vec![
            (
                "evil.exe",
                None,
                b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff".to_vec(),
                415,
            ),
            ("notes.txt", Some("text/plain"), b"just some text".to_vec(), 415),
            ("photo.jpg", Some("image/jpeg"), PDF.to_vec(), 415),
            ("photo.png", Some("image/jpeg"), PNG.to_vec(), 415),
            ("../../etc/passwd.png", None, PNG.to_vec(), 422),
            ("..\\..\\boot.png", None, PNG.to_vec(), 422),
            ("/var/www/x.png", None, PNG.to_vec(), 422),
            (".htaccess.png", None, PNG.to_vec(), 422),
            // The right-to-left override that disguises "gnp.exe" as "exe.png".
            ("invoice\u{202E}gnp.exe.png", None, PNG.to_vec(), 422),
            // A NUL breaks the part header itself: the body is malformed.
            ("bad\u{0000}name.png", None, PNG.to_vec(), 400),
        ];
        for (name, mime, bytes, status) in cases {
            let (s, p) = upload(&app, &agent, &number, vec![(name, mime, bytes)]).await;
            assert_eq!(s, status, "{backend:?} {name:?}: {p}");
            assert_eq!(p["status"], status);
        }
        let mut big = PNG.to_vec();
        big.resize(21 * 1024 * 1024, 0);
        let (s, p) = upload(&app, &agent, &number, vec![("big.png", None, big)]).await;
        assert_eq!(s, 413, "{p}");
        let not_multipart = app
            .client
            .post(format!("{}/api/v1/complaints/{number}/attachments", app.base))
            .bearer_auth(&agent)
            .body(PNG.to_vec())
            .header("content-type", "image/png")
            .send()
            .await
            .unwrap();
        assert_eq!(not_multipart.status(), 415);
        assert_eq!(stored_files(&app), 3, "{backend:?}: refused uploads stored nothing");
        let (_, c) = app.get(&format!("/api/v1/complaints/{number}"), &agent).await;
        assert_eq!(c["attachments"].as_array().unwrap().len(), 3);
        let (_, t) = app.get(&format!("/api/v1/complaints/{number}/timeline"), &agent).await;
        assert_eq!(
            t["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["kind"] == "attachment_added")
                .count(),
            3
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_archived_case_takes_no_more_evidence() {
    let app = spawn(testkit::Backend::Sqlite).await;
    let supervisor = app.token("supervisor").await;
    let (_, c) = app.post("/api/v1/complaints", &supervisor, &body_with_phone(3)).await;
    let number = c["number"].as_str().unwrap();
    let close = app
        .post(
            &format!("/api/v1/complaints/{number}/actions/close"),
            &supervisor,
            &json!({"version": 1, "summary": "当场解决"}),
        )
        .await;
    assert_eq!(close.0, 200);
    let archive = app
        .post(
            &format!("/api/v1/complaints/{number}/actions/archive"),
            &supervisor,
            &json!({"version": 2}),
        )
        .await;
    assert_eq!(archive.0, 200);
    let (s, p) = upload(&app, &supervisor, number, vec![("late.png", None, PNG.to_vec())]).await;
    assert_eq!(s, 409, "{p}");
    assert_eq!(stored_files(&app), 0);
}
