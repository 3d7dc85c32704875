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
    upload_with(&app.client, app, token, number, files).await
}

/// Uploads through `client`; an oversized upload goes through a client that keeps no idle
/// connections, because the server answers 413 early and closes that connection.
async fn upload_with(
    client: &reqwest::Client,
    app: &TestApp,
    token: &str,
    number: &str,
    files: Vec<(&str, Option<&str>, Vec<u8>)>,
) -> (u16, Value) {
    let mut form = Form::new();
    for (name, mime, bytes) in files {
        let mut part = Part::bytes(bytes).file_name(name.to_string());
        if let Some(m) = mime {
            part = part.mime_str(m).unwrap();
        }
        form = form.part("file", part);
    }
    let r = client
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
        let one_shot = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
        let (s, p) = upload_with(&one_shot, &app, &agent, &number, vec![("big.png", None, big)]).await;
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

/// The case file (R-WF-9) is a PDF whose extracted text holds the complaint, its timeline and its
/// evidence, in Chinese (checked with poppler's pdftotext, installed by .ci/run).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_case_file_is_a_pdf_with_timeline_and_evidence() {
    let app = spawn(testkit::Backend::Sqlite).await;
    let supervisor = app.token("supervisor").await;
    let mut body = body_with_phone(40);
    body["description"] = json!("楼上卫生间渗水到我家天花板，已经三天了。<script>x</script>");
    let (_, c) = app.post("/api/v1/complaints", &supervisor, &body).await;
    let number = c["number"].as_str().unwrap().to_string();
    // A real, decodable 2×2 PNG so the photo is embedded, not just listed.
    let png = {
        let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
        let chunk = |kind: &[u8], data: &[u8], out: &mut Vec<u8>| {
            out.extend((data.len() as u32).to_be_bytes());
            let mut c = kind.to_vec();
            c.extend_from_slice(data);
            out.extend_from_slice(&c);
            out.extend(crc32(&c).to_be_bytes());
        };
        chunk(b"IHDR", &[0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0], &mut v);
        // zlib stream of two rows: filter 0 + 2 RGB pixels each (stored, uncompressed).
        let raw = [0u8, 255, 0, 0, 0, 0, 255, 0u8, 0, 255, 0, 255, 255, 255];
        let mut z = vec![0x78, 0x01, 0x01, raw.len() as u8, 0, !(raw.len() as u8), 0xff];
        z.extend_from_slice(&raw);
        z.extend(adler32(&raw).to_be_bytes());
        chunk(b"IDAT", &z, &mut v);
        chunk(b"IEND", &[], &mut v);
        v
    };
    assert_eq!(
        upload(
            &app,
            &supervisor,
            &number,
            vec![("现场照片.png", Some("image/png"), png)]
        )
        .await
        .0,
        200
    );
    let (s, _) = app
        .post(
            &format!("/api/v1/complaints/{number}/actions/close"),
            &supervisor,
            &json!({"version": 1, "summary": "当场向业主解释并安排维修"}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, _) = app
        .post(
            &format!("/api/v1/complaints/{number}/actions/archive"),
            &supervisor,
            &json!({"version": 2}),
        )
        .await;
    assert_eq!(s, 200);

    let r = app
        .client
        .get(format!("{}/api/v1/complaints/{number}/case-file", app.base))
        .bearer_auth(&supervisor)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let path = app.db.dir.path().join("case.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg("-enc")
        .arg("UTF-8")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed by .ci/run");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    // pdftotext keeps or drops narrow spaces as it likes: compare without whitespace.
    let compact: String = text.split_whitespace().collect();
    for expected in [
        "客户投诉案宗",
        number.as_str(),
        "天河·云璟花园",
        "卫生间天花板漏水",
        "<script>x</script>",
        "受理登记",
        "上传证据",
        "结案",
        "归档",
        "已归档",
        "当场向业主解释并安排维修",
        "现场照片.png",
        "第 1 页",
        "等级：一般",
        "渠道：热线/400电话",
        "受理时间：2026-11-22 10:00",
    ] {
        let expected: String = expected.split_whitespace().collect();
        assert!(
            compact.contains(&expected),
            "{expected:?} missing from the case file text:\n{text}"
        );
    }
    let images = std::process::Command::new("pdfimages")
        .arg("-list")
        .arg(&path)
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&images.stdout);
    assert_eq!(listing.lines().skip(2).count(), 1, "the photo is embedded: {listing}");
    // Outside scope: 404.
    let mut sz = body_with_phone(41);
    sz["project_code"] = json!("SZ-001");
    let groupcr = app.token("groupcr").await;
    let (_, other) = app.post("/api/v1/complaints", &groupcr, &sz).await;
    let agent = app.token("agent").await;
    let r = app
        .client
        .get(format!(
            "{}/api/v1/complaints/{}/case-file",
            app.base,
            other["number"].as_str().unwrap()
        ))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for b in data {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for x in data {
        a = (a + u32::from(*x)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}
