//! The console and the portal in a real browser (issue 5): `browser/flows.mjs` drives Debian's
//! Chromium headless through playwright-core against this test's server; the screenshots land
//! in `docs/screenshots/`. `.ci/run` installs Chromium and the npm package.

mod common;

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_handlers_and_owners_work_in_a_real_browser() {
    let root = repo();
    let script = root.join("browser/flows.mjs");
    assert!(
        root.join("browser/node_modules/playwright-core").exists(),
        "run `npm ci --prefix browser` first (.ci/run does)"
    );
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        PathBuf::from(&chromium).exists(),
        "install Debian's chromium (.ci/run does)"
    );
    let shots = root.join("docs/screenshots");
    std::fs::create_dir_all(&shots).unwrap();

    let app = common::spawn(testkit::Backend::Sqlite).await;
    let base = app.base.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(&script)
            .arg(&base)
            .arg(&shots)
            .env("CHROMIUM", chromium)
            .output()
            .expect("node runs")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "browser flows failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let found: Value = serde_json::from_str(stdout.lines().last().unwrap_or_default()).expect("the flows' findings");

    // What the browser did is in the database.
    let admin = app.token("groupcr").await;
    let number = found["number"].as_str().unwrap();
    let (s, c) = app.get(&format!("/api/v1/complaints/{number}"), &admin).await;
    assert_eq!(s, 200);
    assert_eq!(c["state"], "awaiting_callback", "{c}");
    assert_eq!(
        c["complainant"]["name"], "张<i>三</i>",
        "stored as typed, shown as text"
    );
    assert!(c["description"].as_str().unwrap().contains("<script>"));
    assert_eq!(c["handler"]["name"], "赵强");
    let (_, timeline) = app.get(&format!("/api/v1/complaints/{number}/timeline"), &admin).await;
    let kinds: Vec<&str> = timeline["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for k in [
        "registered",
        "dispatch",
        "assign",
        "respond",
        "assess",
        "reply",
        "confirm",
        "callback",
    ] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    let callback = timeline["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "callback")
        .unwrap();
    assert_eq!(callback["detail"]["detail"]["satisfaction"], "satisfied", "{callback}");
    assert!(found["form_errors"].as_i64().unwrap() >= 2);
    let filed = found["portal_number"].as_str().unwrap();
    let (_, p) = app.get(&format!("/api/v1/complaints/{filed}"), &admin).await;
    assert_eq!(
        (p["channel"].as_str(), p["project"]["code"].as_str()),
        (Some("website"), Some("SH-001"))
    );
    assert_eq!(p["grade"], "urgent", "the rules grade a trapped lift urgent");
    for shot in [
        "workbench-zh",
        "register-errors",
        "complaint-registered",
        "complaint-replied",
        "list-en",
        "portal-status",
        "portal-rated",
        "portal-filed",
        "action-error",
    ] {
        let f = repo().join(format!("docs/screenshots/{shot}.png"));
        assert!(
            std::fs::metadata(&f).map(|m| m.len() > 10_000).unwrap_or(false),
            "{shot}.png"
        );
    }
}
