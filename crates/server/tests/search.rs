//! Chinese full-text search (R-AN-1) on both backends: word-level matching (漏水 is not 漏电),
//! replies and notes searchable, combined with filters and the caller's scope, highlighted in
//! the console, and the same results on SQLite and PostgreSQL.

mod common;

use common::spawn;
use serde_json::json;

async fn numbers(app: &common::TestApp, token: &str, query: &str) -> Vec<String> {
    let (s, page) = app.get(&format!("/api/v1/complaints?{query}"), token).await;
    assert_eq!(s, 200, "{query}: {page}");
    let mut v: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["subject"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

/// Every item of a list, page after page through its cursors (at most `pages` pages).
async fn page_through(app: &common::TestApp, token: &str, path: &str, pages: usize) -> Vec<serde_json::Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..pages {
        let mut path = path.to_string();
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let (s, page) = app.get(&path, token).await;
        assert_eq!(s, 200, "{page}");
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        cursor = page["next_cursor"].as_str().map(String::from);
        if cursor.is_none() {
            break;
        }
    }
    items
}

fn q(words: &str) -> String {
    format!(
        "q={}",
        form_urlencoded::byte_serialize(words.as_bytes()).collect::<String>()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_matches_words_not_characters_on_both_backends() {
    let mut results: Vec<Vec<Vec<String>>> = Vec::new();
    for backend in testkit::BACKENDS {
        let app = spawn(backend).await;
        let cr = app.token("groupcr").await;
        let agent = app.token("agent").await;
        let texts = [
            ("卫生间漏水", "楼上卫生间漏水，渗到我家天花板，已经三天了。", "GZ-001"),
            ("配电箱漏电", "楼道配电箱漏电，小孩差点触电，很危险。", "GZ-001"),
            ("外墙渗水", "下雨天外墙渗水，墙皮脱落。", "GZ-002"),
            ("电梯困人", "3号楼电梯困人十分钟，无人处理。", "SH-001"),
        ];
        let mut made = Vec::new();
        for (i, (subject, description, project)) in texts.iter().enumerate() {
            let mut b = common::body_with_phone(100 + i);
            b["subject"] = json!(subject);
            b["description"] = json!(description);
            b["project_code"] = json!(project);
            let (s, c) = app.post("/api/v1/complaints", &cr, &b).await;
            assert_eq!(s, 201, "{c}");
            made.push(c);
        }
        // A note on the leak becomes searchable too.
        let leak = made[0]["number"].as_str().unwrap();
        let (s, c) = app
            .post(
                &format!("/api/v1/complaints/{leak}/actions/note"),
                &cr,
                &json!({"version": 1, "text": "已安排施工单位更换防水层"}),
            )
            .await;
        assert_eq!(s, 200, "{c}");

        let mut got = Vec::new();
        for (query, want) in [
            (q("漏水"), vec!["卫生间漏水"]),
            (q("漏电"), vec!["配电箱漏电"]),
            (q("渗水"), vec!["外墙渗水"]),
            (q("天花板"), vec!["卫生间漏水"]),
            (q("防水层"), vec!["卫生间漏水"]),
            (q("卫生间 漏水"), vec!["卫生间漏水"]),
            (q("漏水 电梯"), vec![]),
            (q("电梯"), vec!["电梯困人"]),
            (format!("{}&project_code=GZ-002", q("渗水")), vec!["外墙渗水"]),
            (format!("{}&project_code=GZ-001", q("渗水")), vec![]),
            (format!("{}&grade=urgent", q("漏电")), vec![]),
            // Query syntax is only words here: quotes and stars vanish, OR is a word to find.
            (q("\"漏水\"*"), vec!["卫生间漏水"]),
            (q("\"漏水\" OR *"), vec![]),
        ] {
            let found = numbers(&app, &cr, &query).await;
            assert_eq!(found, want, "{backend:?} {query}");
            got.push(found);
        }
        // The agent's scope is Guangzhou: the Shanghai lift is not theirs to find.
        assert!(numbers(&app, &agent, &q("电梯")).await.is_empty());
        for bad in ["，。！", "   "] {
            let (s, p) = app.get(&format!("/api/v1/complaints?{}", q(bad)), &cr).await;
            if bad.trim().is_empty() {
                assert_eq!(s, 200);
            } else {
                assert_eq!(s, 422, "{p}");
                assert_eq!(p["errors"][0]["field"], "q");
            }
        }
        let (s, _) = app
            .get(&format!("/api/v1/complaints?{}", q(&"漏".repeat(201))), &cr)
            .await;
        assert_eq!(s, 422);
        results.push(got);

        // The console marks the matched words.
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let cookie = app.web_cookie("groupcr").await;
        let html = client
            .get(format!("{}/complaints?{}", app.base, q("漏水")))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("卫生间<mark>漏水</mark>"), "subject marked");
        assert!(html.contains("<mark>漏水</mark>，渗到"), "description snippet marked");
        assert!(!html.contains("配电箱漏电"));
    }
    assert_eq!(results[0], results[1], "the same results on SQLite and PostgreSQL");
}

/// Search results come newest received first (oldest first with `sort=received_at`), page by
/// page through the cursor, every match exactly once, with a back-dated complaint and two
/// received in the same instant (R-AN-1, API.md paging).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_pages_in_order_of_receipt_on_both_backends() {
    for backend in testkit::BACKENDS {
        let app = spawn(backend).await;
        let cr = app.token("groupcr").await;
        let times = [
            "2026-11-22T09:00:00+08:00",
            "2026-11-20T15:30:00+08:00",
            "2026-11-22T09:00:00+08:00",
            "2026-11-21T08:00:00+08:00",
            "2026-11-22T09:30:00+08:00",
        ];
        for (i, at) in times.iter().enumerate() {
            let mut b = common::body_with_phone(300 + i);
            b["subject"] = json!(format!("厨房漏水{i}"));
            b["description"] = json!("厨房水管漏水，地板泡坏。");
            b["received_at"] = json!(at);
            let (s, c) = app.post("/api/v1/complaints", &cr, &b).await;
            assert_eq!(s, 201, "{c}");
        }
        let mut b = common::body_with_phone(399);
        b["subject"] = json!("门禁失灵");
        b["description"] = json!("小区门禁坏了。");
        assert_eq!(app.post("/api/v1/complaints", &cr, &b).await.0, 201);
        for (sort, newest_first) in [("", true), ("&sort=received_at", false)] {
            let path = format!("/api/v1/complaints?{}&limit=2{sort}", q("漏水"));
            let seen: Vec<(String, String)> = page_through(&app, &cr, &path, 10)
                .await
                .iter()
                .map(|c| {
                    (
                        c["received_at"].as_str().unwrap().to_string(),
                        c["subject"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            assert_eq!(seen.len(), 5, "{backend:?} {sort}: {seen:?}");
            let mut subjects: Vec<&str> = seen.iter().map(|(_, s)| s.as_str()).collect();
            subjects.sort();
            subjects.dedup();
            assert_eq!(subjects.len(), 5, "each once: {seen:?}");
            let instants: Vec<chrono::DateTime<chrono::FixedOffset>> = seen
                .iter()
                .map(|(t, _)| chrono::DateTime::parse_from_rfc3339(t).unwrap())
                .collect();
            let ordered = instants
                .windows(2)
                .all(|w| if newest_first { w[0] >= w[1] } else { w[0] <= w[1] });
            assert!(ordered, "{backend:?} {sort}: {seen:?}");
            let (first, last) = if newest_first {
                ("厨房漏水4", "厨房漏水1")
            } else {
                ("厨房漏水1", "厨房漏水4")
            };
            assert_eq!((seen[0].1.as_str(), seen[4].1.as_str()), (first, last));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_within_one_project_finds_matches_behind_other_projects_on_both_backends() {
    for backend in testkit::BACKENDS {
        let app = spawn(backend).await;
        let cr = app.token("groupcr").await;
        // SH-002's three matches are older than ten of GZ-001's: the page walks past the other
        // project's matches and pages on in order (R-AN-1).
        for i in 0..13 {
            let mut b = common::body_with_phone(500 + i);
            let (project, day) = if i < 3 { ("SH-002", 1 + i) } else { ("GZ-001", 2 + i) };
            b["project_code"] = json!(project);
            b["subject"] = json!(format!("{project}漏水{i}"));
            b["description"] = json!("卫生间漏水，楼下天花板湿了。");
            b["received_at"] = json!(format!("2026-11-{day:02}T10:00:00+08:00"));
            let (s, c) = app.post("/api/v1/complaints", &cr, &b).await;
            assert_eq!(s, 201, "{c}");
        }
        let mut b = common::body_with_phone(599);
        b["project_code"] = json!("SH-002");
        b["subject"] = json!("门禁失灵");
        b["description"] = json!("小区门禁坏了。");
        assert_eq!(app.post("/api/v1/complaints", &cr, &b).await.0, 201);
        for (sort, want) in [
            ("", ["SH-002漏水2", "SH-002漏水1", "SH-002漏水0"]),
            ("&sort=received_at", ["SH-002漏水0", "SH-002漏水1", "SH-002漏水2"]),
        ] {
            let path = format!("/api/v1/complaints?{}&project_code=SH-002&limit=2{sort}", q("漏水"));
            let seen: Vec<String> = page_through(&app, &cr, &path, 5)
                .await
                .iter()
                .map(|c| c["subject"].as_str().unwrap().to_string())
                .collect();
            assert_eq!(seen, want, "{backend:?} {sort}");
        }
        // Another project's view of the same word is unaffected.
        let gz = numbers(&app, &cr, &format!("{}&project_code=GZ-001&limit=50", q("漏水"))).await;
        assert_eq!(gz.len(), 10, "{backend:?}: {gz:?}");
    }
}
