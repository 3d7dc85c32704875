//! Registration and reading over HTTP, on SQLite and PostgreSQL (R-IN-2, R-IN-3, R-IN-6, R-ORG-4).

mod common;

use chrono::{Duration, TimeZone, Utc};
use common::{body, body_with_phone, spawn};
use serde_json::{json, Value};
use testkit::BACKENDS;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn register_and_read_back() {
    for backend in BACKENDS {
        let app = spawn(backend).await;
        let agent = app.token("agent").await;
        let mut b = body();
        b["description"] = json!("楼上卫生间渗水到我家天花板，已经三天了。😀🏠 「引号」\n第二行\t制表");
        let r = app
            .client
            .post(format!("{}/api/v1/complaints", app.base))
            .bearer_auth(&agent)
            .json(&b)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{backend:?}");
        assert_eq!(r.headers()["location"], "/api/v1/complaints/KS-202611-00001");
        let created: Value = r.json().await.unwrap();
        assert_eq!(created["number"], "KS-202611-00001");
        assert_eq!(created["version"], 1);
        assert_eq!(created["state"], "registered");
        assert_eq!(
            created["description"], b["description"],
            "{backend:?}: emoji and Chinese round-trip exactly"
        );
        assert_eq!(created["complainant"]["phone"], "138****5678");
        assert_eq!(created["received_at"], "2026-11-22T10:00:00+08:00");
        assert_eq!(created["category"]["code"], "engineering.leakage");
        assert_eq!(created["suggested_department"]["code"], "engineering");
        assert_eq!(created["grade"], "general");
        let clocks: Vec<&str> = created["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["clock"].as_str().unwrap())
            .collect();
        assert_eq!(
            clocks,
            [
                "first_response",
                "dispatch",
                "acknowledge",
                "handle",
                "feedback",
                "initial_investigation",
                "final_handling"
            ],
            "every clock that starts at receipt (R-SLA-1)"
        );
        let due = |clock: &str| {
            created["deadlines"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["clock"] == clock)
                .unwrap()["due_at"]
                .clone()
        };
        assert_eq!(due("first_response"), "2026-11-22T11:00:00+08:00");
        // Received on Sunday 22 November: working days start on Monday (R-SLA-2).
        assert_eq!(due("initial_investigation"), "2026-11-27T18:00:00+08:00");
        assert_eq!(due("final_handling"), "2026-12-04T18:00:00+08:00");

        let (status, read) = app.get("/api/v1/complaints/KS-202611-00001", &agent).await;
        assert_eq!(status, 200);
        assert_eq!(read, created, "{backend:?}: reading returns what registration returned");

        // Deadlines read as breached once their time has passed.
        app.clock.advance(Duration::hours(2));
        let (_, later) = app.get("/api/v1/complaints/KS-202611-00001", &agent).await;
        assert_eq!(later["deadlines"][0]["state"], "breached");
        assert_eq!(later["deadlines"][1]["state"], "running");
        let (_, overdue) = app.get("/api/v1/complaints?overdue=true", &agent).await;
        assert_eq!(overdue["items"].as_array().unwrap().len(), 1);

        // The acknowledgement of R-IN-4 waits in the outbox with the number and the reply time.
        let mut r = app.state.store.reader().await.unwrap();
        let id: uuid::Uuid = created["id"].as_str().unwrap().parse().unwrap();
        let messages = store::outbox::of_complaint(&mut r.conn(), id).await.unwrap();
        assert_eq!(messages.len(), 1);
        assert_eq!(
            (messages[0].kind.as_str(), messages[0].channel.as_str()),
            ("complaint_registered", "sms")
        );
        assert!(
            messages[0].payload.contains("KS-202611-00001")
                && messages[0].payload.contains("2026-11-23T10:00:00+08:00")
        );
    }
}

/// Registers every body at once as the agent; each must be 201. Returns the resources.
async fn register_at_once(app: &std::sync::Arc<common::TestApp>, bodies: Vec<Value>) -> Vec<Value> {
    let agent = app.token("agent").await;
    let tasks: Vec<_> = bodies
        .into_iter()
        .map(|b| {
            let (app, agent) = (app.clone(), agent.clone());
            tokio::spawn(async move {
                let (status, body) = app.post("/api/v1/complaints", &agent, &b).await;
                assert_eq!(status, 201, "{body}");
                body
            })
        })
        .collect();
    futures::future::join_all(tasks)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_registrations_get_consecutive_serials() {
    for backend in BACKENDS {
        let app = std::sync::Arc::new(spawn(backend).await);
        let bodies = register_at_once(&app, (0..100).map(body_with_phone).collect()).await;
        let mut numbers: Vec<String> = bodies
            .iter()
            .map(|b| b["number"].as_str().unwrap().to_string())
            .collect();
        numbers.sort();
        let expected: Vec<String> = (1..=100).map(|i| format!("KS-202611-{i:05}")).collect();
        assert_eq!(numbers, expected, "{backend:?}: unique and gap-free");
        assert_eq!(app.complaint_count().await, 100);
    }
}

/// Issue 9: concurrent registrations are written in groups; a person complaining several times
/// about one thing at once gets the later ones linked as repeats (R-GR-2), as one after another
/// would, and every registration is counted in exactly one group.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_group_links_repeats_of_one_person_and_counts_every_registration() {
    for backend in BACKENDS {
        let app = std::sync::Arc::new(spawn(backend).await);
        let mut bodies = register_at_once(&app, vec![body_with_phone(5); 24]).await;
        bodies.sort_by_key(|b| b["number"].as_str().unwrap().to_string());
        assert_eq!(bodies[0]["repeat_of"], Value::Null, "{backend:?}: the first is new");
        for b in &bodies[1..] {
            let of = b["repeat_of"]
                .as_str()
                .unwrap_or_else(|| panic!("{backend:?}: not a repeat: {b}"));
            assert!(
                of < b["number"].as_str().unwrap(),
                "{backend:?}: {of} repeats a later one"
            );
            assert!(bodies.iter().any(|o| o["number"] == of), "{backend:?}: {of} unknown");
        }
        let metrics = app.text("/metrics").await;
        let line = metrics
            .lines()
            .find(|l| l.starts_with("kesu_registration_group_size_sum"))
            .expect("group sizes in /metrics");
        let sum: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
        // The fixture registers nothing itself (no demo data): the groups hold these 24.
        assert_eq!(sum, 24.0, "{backend:?}: {line}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serial_restarts_each_month_in_shanghai_time() {
    for backend in BACKENDS {
        let app = spawn(backend).await;
        // 23:59:58 on 30 November in Shanghai is still November. (Tokens live 12 hours, so take one now.)
        app.clock.set(Utc.with_ymd_and_hms(2026, 11, 30, 15, 59, 58).unwrap());
        let agent = app.token("agent").await;
        for i in 0..2 {
            let (s, b) = app.post("/api/v1/complaints", &agent, &body_with_phone(i)).await;
            assert_eq!(
                (s, b["number"].as_str().unwrap()),
                (201, format!("KS-202611-{:05}", i + 1).as_str())
            );
        }
        app.clock.advance(Duration::seconds(3));
        let (s, b) = app.post("/api/v1/complaints", &agent, &body_with_phone(7)).await;
        assert_eq!(
            (s, b["number"].as_str().unwrap()),
            (201, "KS-202612-00001"),
            "{backend:?}"
        );
        // And across a year.
        app.clock.set(Utc.with_ymd_and_hms(2026, 12, 31, 16, 0, 0).unwrap());
        let expired = app.post("/api/v1/complaints", &agent, &body_with_phone(8)).await;
        assert_eq!(expired.0, 401, "a token expires after its lifetime");
        let agent = app.token("agent").await;
        let (_, b) = app.post("/api/v1/complaints", &agent, &body_with_phone(8)).await;
        assert_eq!(b["number"], "KS-202701-00001");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn idempotent_retry_returns_the_first_response() {
    for backend in BACKENDS {
        let app = spawn(backend).await;
        let agent = app.token("agent").await;
        let send = |key: &'static str, body: Value| {
            let req = app
                .client
                .post(format!("{}/api/v1/complaints", app.base))
                .bearer_auth(&agent)
                .header("Idempotency-Key", key)
                .json(&body);
            async move {
                let r = req.send().await.unwrap();
                let replayed = r.headers().contains_key("idempotent-replayed");
                (r.status().as_u16(), replayed, r.json::<Value>().await.unwrap())
            }
        };
        let (s1, r1, first) = send("call-7781", body()).await;
        assert_eq!((s1, r1), (201, false));
        let (s2, r2, again) = send("call-7781", body()).await;
        assert_eq!((s2, r2), (201, true), "{backend:?}");
        assert_eq!(again, first, "{backend:?}: the very same response");
        // The same body with keys in another order is the same request.
        let reordered: Value = serde_json::from_str(&{
            let mut pairs: Vec<(String, Value)> = body().as_object().unwrap().clone().into_iter().collect();
            pairs.reverse();
            let m: serde_json::Map<String, Value> = pairs.into_iter().collect();
            Value::Object(m).to_string()
        })
        .unwrap();
        assert_eq!(send("call-7781", reordered).await.2["number"], first["number"]);
        let mut other = body();
        other["subject"] = json!("别的事情");
        let (s3, _, problem) = send("call-7781", other).await;
        assert_eq!(s3, 422, "{backend:?}");
        assert_eq!(problem["errors"][0]["field"], "Idempotency-Key");
        assert_eq!(app.complaint_count().await, 1);

        // Concurrent retries with one key create one complaint.
        let tasks: Vec<_> = (0..8).map(|_| send("burst-1", body_with_phone(99))).collect();
        let results = futures::future::join_all(tasks).await;
        let numbers: std::collections::BTreeSet<String> = results
            .iter()
            .map(|(s, _, b)| {
                assert_eq!(*s, 201, "{b}");
                b["number"].as_str().unwrap().to_string()
            })
            .collect();
        assert_eq!(numbers.len(), 1, "{backend:?}: {numbers:?}");
        assert_eq!(app.complaint_count().await, 2);
        // Keys belong to the caller: another user's same key is a new request.
        let specialist = app.token("specialist").await;
        let (s4, b4) = {
            let r = app
                .client
                .post(format!("{}/api/v1/complaints", app.base))
                .bearer_auth(&specialist)
                .header("Idempotency-Key", "call-7781")
                .json(&body())
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        };
        assert_eq!(s4, 201);
        assert_ne!(b4["number"], first["number"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_filter_page_and_respect_scope() {
    for backend in BACKENDS {
        let app = spawn(backend).await;
        let groupcr = app.token("groupcr").await;
        let plan = [
            ("GZ-001", "hotline", 0),
            ("GZ-002", "wechat", 1),
            ("SZ-001", "hotline", 2),
            ("SH-001", "email", 3),
            ("GZ-001", "app", 4),
        ];
        for (i, (project, channel, _)) in plan.iter().enumerate() {
            let mut b = body_with_phone(i);
            b["project_code"] = json!(project);
            b["channel"] = json!(channel);
            b["received_at"] = json!(format!("2026-11-{:02}T09:00:00+08:00", 10 + i));
            let (s, _) = app.post("/api/v1/complaints", &groupcr, &b).await;
            assert_eq!(s, 201);
        }
        let numbers = |v: &Value| {
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["project"]["code"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        };
        let (_, all) = app.get("/api/v1/complaints", &groupcr).await;
        assert_eq!(
            numbers(&all),
            ["GZ-001", "SH-001", "SZ-001", "GZ-002", "GZ-001"],
            "{backend:?}: newest received first"
        );
        let (_, gz) = app
            .get(
                "/api/v1/complaints?project_code=GZ-001,GZ-002&channel=hotline,wechat",
                &groupcr,
            )
            .await;
        assert_eq!(numbers(&gz), ["GZ-002", "GZ-001"]);
        let (_, window) = app
            .get(
                "/api/v1/complaints?received_from=2026-11-11&received_to=2026-11-12",
                &groupcr,
            )
            .await;
        assert_eq!(numbers(&window), ["SZ-001", "GZ-002"]);
        let (_, cat) = app
            .get(
                "/api/v1/complaints?category_code=engineering&state=registered&grade=general",
                &groupcr,
            )
            .await;
        assert_eq!(cat["items"].as_array().unwrap().len(), 5);
        let (_, none) = app.get("/api/v1/complaints?category_code=property", &groupcr).await;
        assert!(none["items"].as_array().unwrap().is_empty());

        // Paging with the cursor visits every complaint once.
        let mut seen = Vec::new();
        let mut url = "/api/v1/complaints?limit=2".to_string();
        loop {
            let (s, page) = app.get(&url, &groupcr).await;
            assert_eq!(s, 200);
            seen.extend(numbers(&page));
            match page["next_cursor"].as_str() {
                Some(c) => url = format!("/api/v1/complaints?limit=2&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(seen, numbers(&all));

        // The Guangzhou agent sees Guangzhou only; outside scope reads as 404 (R-ORG-4).
        let agent = app.token("agent").await;
        let (_, mine) = app.get("/api/v1/complaints", &agent).await;
        assert_eq!(numbers(&mine), ["GZ-001", "GZ-002", "GZ-001"], "{backend:?}");
        let sz_number = all["items"][2]["number"].as_str().unwrap();
        assert_eq!(app.get(&format!("/api/v1/complaints/{sz_number}"), &agent).await.0, 404);
        // A handler of the engineering department sees nothing before dispatch.
        let handler = app.token("handler").await;
        let (_, h) = app.get("/api/v1/complaints", &handler).await;
        assert!(h["items"].as_array().unwrap().is_empty());
        assert_eq!(
            app.get(
                &format!("/api/v1/complaints/{}", all["items"][0]["number"].as_str().unwrap()),
                &handler
            )
            .await
            .0,
            404
        );
        // Registering into a project outside scope is refused as an unknown project, and nothing changes.
        let mut outside = body();
        outside["project_code"] = json!("SH-001");
        let (s, p) = app.post("/api/v1/complaints", &agent, &outside).await;
        assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("project_code")));
        assert_eq!(app.complaint_count().await, 5);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn projects_and_meta() {
    let app = spawn(testkit::Backend::Sqlite).await;
    let agent = app.token("agent").await;
    let (s, projects) = app.get("/api/v1/projects", &agent).await;
    assert_eq!(s, 200);
    assert_eq!(
        projects["items"],
        json!([
            {"code": "GZ-001", "name": "天河·云璟花园", "city": "广州城市公司", "region": "华南区域公司"},
            {"code": "GZ-002", "name": "番禺·滨江湾", "city": "广州城市公司", "region": "华南区域公司"}
        ])
    );
    let groupcr = app.token("groupcr").await;
    assert_eq!(
        app.get("/api/v1/projects", &groupcr).await.1["items"]
            .as_array()
            .unwrap()
            .len(),
        6
    );
    let (s, p) = app.get("/api/v1/projects/GZ-001", &agent).await;
    assert_eq!(s, 200);
    assert_eq!(p["buildings"].as_array().unwrap().len(), 3);
    assert_eq!(p["buildings"][2]["name"], "3栋");
    assert!(p["buildings"][2]["units"].as_array().unwrap().contains(&json!("1502")));
    let depts: Vec<&str> = p["departments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    for d in [
        "service",
        "sales",
        "engineering",
        "design",
        "contracts",
        "property",
        "legal",
        "quality",
        "operations",
        "hr",
        "finance",
        "repair",
    ] {
        assert!(depts.contains(&d), "{d}");
    }
    assert_eq!(app.get("/api/v1/projects/SH-001", &agent).await.0, 404, "outside scope");
    assert_eq!(app.get("/api/v1/projects/NOPE", &agent).await.0, 404);

    let (s, meta) = app.get("/api/v1/meta", &agent).await;
    assert_eq!(s, 200);
    assert_eq!(meta["grade"]["urgent"], json!({"zh": "紧急", "en": "Urgent"}));
    assert_eq!(meta["channel"].as_object().unwrap().len(), 12);
    assert_eq!(meta["state"].as_object().unwrap().len(), 11);
    assert_eq!(meta["satisfaction"]["very_dissatisfied"]["zh"], "非常不满意");
    assert!(meta["categories"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["code"] == "special.policy" && c["department"] == "quality"));

    let r = app
        .client
        .get(format!("{}/api/v1/openapi.json", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let doc: Value = r.json().await.unwrap();
    for path in [
        "/api/v1/complaints",
        "/api/v1/complaints/{number}",
        "/api/v1/auth/token",
        "/api/v1/projects",
        "/api/v1/projects/{code}",
        "/api/v1/meta",
        "/healthz",
        "/readyz",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} documented");
    }
    // The documented body is the body the parser accepts.
    let mut documented: Vec<String> = doc["components"]["schemas"]["RegisterBody"]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    documented.sort();
    let mut accepted: Vec<String> = kesu::api::complaints::REGISTER_FIELDS
        .iter()
        .map(|s| s.to_string())
        .collect();
    accepted.sort();
    assert_eq!(documented, accepted);
    assert_eq!(
        app.client
            .get(format!("{}/healthz", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let ready: Value = app
        .client
        .get(format!("{}/readyz", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["status"], "ready");
}
