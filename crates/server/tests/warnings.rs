//! Early warning (R-AN-5) on both backends: a mention of media or a lawsuit, a defect recurring
//! in one building, households converging on one matter, and volume above baseline each raise
//! one warning per matter and window, reach the responsible heads' inboxes, are listed within
//! scope, and are acknowledged with a note; refused acknowledgements change nothing.

mod common;

use common::spawn;
use serde_json::{json, Value};

async fn kinds(app: &common::TestApp, token: &str, query: &str) -> Vec<(String, String)> {
    let (s, v) = app.get(&format!("/api/v1/warnings{query}"), token).await;
    assert_eq!(s, 200, "{v}");
    let mut k: Vec<(String, String)> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["kind"].as_str().unwrap().to_string(),
                w["title"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    k.sort();
    k
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warnings_are_raised_once_reach_the_heads_and_are_acknowledged() {
    for backend in testkit::BACKENDS {
        let app = spawn(backend).await;
        let cr = app.token("groupcr").await;
        let file = |body: Value| {
            let (app, cr) = (&app, &cr);
            async move {
                let (s, c) = app.post("/api/v1/complaints", cr, &body).await;
                assert_eq!(s, 201, "{c}");
                c["number"].as_str().unwrap().to_string()
            }
        };
        // GZ-001: an owner threatens the press and a lawsuit.
        let mut b = common::body_with_phone(1);
        b["description"] = json!("楼上漏水三天没人管，再不修我就找记者曝光，已经请律师准备起诉。");
        let loud = file(b).await;
        // GZ-002: one owner reports the same leak in building 5 four times (one household).
        for _ in 0..4 {
            let mut b = common::body();
            b["project_code"] = json!("GZ-002");
            b["building"] = json!("5栋");
            file(b).await;
        }
        // SZ-001: three households in three buildings report the same leak.
        for (i, building) in ["1栋", "2栋", "3栋"].iter().enumerate() {
            let mut b = common::body_with_phone(20 + i);
            b["project_code"] = json!("SZ-001");
            b["building"] = json!(building);
            file(b).await;
        }
        let all = kinds(&app, &cr, "").await;
        let count = |kind: &str| all.iter().filter(|(k, _)| k == kind).count();
        assert_eq!(count("sensitive_mention"), 1, "{all:?}");
        assert_eq!(count("recurring_defect"), 1, "once for four complaints: {all:?}");
        assert_eq!(
            count("group_forming"),
            1,
            "SZ-001 only; GZ-002 is one household: {all:?}"
        );
        assert_eq!(count("volume_spike"), 0);
        let sensitive = &all.iter().find(|(k, _)| k == "sensitive_mention").unwrap().1;
        assert_eq!(sensitive, &format!("投诉 {loud} 涉及媒体、诉讼"));
        assert!(
            all.iter()
                .any(|(k, t)| k == "recurring_defect" && t.starts_with("5栋 30 天内 3 起")),
            "{all:?}"
        );

        // The project head of GZ-001 and the South China supervisor hear of GZ-001's warning.
        for user in ["projecthead", "supervisor"] {
            let token = app.token(user).await;
            let (_, inbox) = app.get("/api/v1/inbox", &token).await;
            let notices: Vec<&Value> = inbox["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|n| n["kind"] == "early_warning" && n["number"] == json!(loud))
                .collect();
            assert_eq!(notices.len(), 1, "{user}: {inbox}");
            assert!(notices[0]["zh"].as_str().unwrap().starts_with("预警：投诉"));
        }

        // Volume: five complaints at SH-001 this week against nothing before.
        for i in 0..5 {
            let mut b = common::body_with_phone(40 + i);
            b["project_code"] = json!("SH-001");
            b["building"] = json!(format!("{i}栋"));
            b["subject"] = json!("小区门禁失灵");
            b["description"] = json!("门禁坏了好几天，外来人员随意进出。");
            file(b).await;
        }
        let raised = kesu::services::warnings::scan_volume(&app.state).await.unwrap();
        assert!(raised >= 1, "SH-001 spiked");
        assert_eq!(
            kesu::services::warnings::scan_volume(&app.state).await.unwrap(),
            0,
            "once per week"
        );
        let all = kinds(&app, &cr, "").await;
        assert!(
            all.iter()
                .any(|(k, t)| k == "volume_spike" && t.starts_with("项目 SH-001 近 7 天投诉 5 件")),
            "{all:?}"
        );

        // Scope: the South China supervisor does not see Shanghai's warning.
        let sup = app.token("supervisor").await;
        let south = kinds(&app, &sup, "").await;
        assert!(!south.iter().any(|(_, t)| t.contains("SH-001")), "{south:?}");
        assert!(south.iter().any(|(k, _)| k == "sensitive_mention"));

        // Acknowledging: a note is required; agents may not; twice is a conflict.
        let (_, list) = app.get("/api/v1/warnings?open=true", &sup).await;
        let id_of = |kind: &str, items: &Value| {
            items["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|w| w["kind"] == kind)
                .unwrap()["id"]
                .as_i64()
                .unwrap()
        };
        let id = id_of("sensitive_mention", &list);
        let (_, cr_list) = app.get("/api/v1/warnings", &cr).await;
        let shanghai = cr_list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["title"].as_str().unwrap().contains("SH-001"))
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let agent = app.token("agent").await;
        let path = |id: i64| format!("/api/v1/warnings/{id}/acknowledge");
        for (token, id, body, status) in [
            (&sup, id, json!({"note": "  "}), 422),
            (&sup, id, json!({"note": "已安排", "x": 1}), 422),
            (&agent, id, json!({"note": "已安排"}), 403),
            (&sup, shanghai, json!({"note": "已安排"}), 404),
            (&sup, 999_999, json!({"note": "已安排"}), 404),
        ] {
            let (s, p) = app.post(&path(id), token, &body).await;
            assert_eq!(s, status, "{body}: {p}");
        }
        let (_, still) = app.get("/api/v1/warnings?open=true", &sup).await;
        assert_eq!(
            still["items"].as_array().unwrap().len(),
            list["items"].as_array().unwrap().len(),
            "nothing changed"
        );
        let (s, w) = app
            .post(&path(id), &sup, &json!({"note": "项目总已上门沟通，维修今日完成"}))
            .await;
        assert_eq!(s, 200, "{w}");
        assert_eq!(w["acknowledged_by"], "刘洋");
        assert_eq!(w["note"], "项目总已上门沟通，维修今日完成");
        let (s, _) = app.post(&path(id), &sup, &json!({"note": "again"})).await;
        assert_eq!(s, 409);
        let (_, open) = app.get("/api/v1/warnings?open=true", &sup).await;
        assert!(!open["items"].as_array().unwrap().iter().any(|w| w["id"] == id));
        let (s, _) = app.get("/api/v1/warnings?open=maybe", &sup).await;
        assert_eq!(s, 422);

        // The console lists them for the supervisor, escaped, with the acknowledgement.
        let client = reqwest::Client::new();
        let cookie = app.web_cookie("supervisor").await;
        let html = client
            .get(format!("{}/warnings?all=1", app.base))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("项目总已上门沟通"), "{html}");
        assert!(html.contains(&format!("<a href=\"/complaints/{loud}\">")));
        assert!(!html.contains("SH-001"));
    }
}
