//! "Overdue only" finds the same complaints, in the same order, whether it gathers the overdue
//! ones first (few overdue) or checks each complaint while walking the list (many overdue; see
//! `store::complaints::OVERDUE_WALK_FROM`), on both backends.

mod common;

use chrono::Duration;
use common::spawn;
use kesu::Clock;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_ways_of_finding_overdue_complaints_agree() {
    for backend in testkit::BACKENDS {
        let app = spawn(backend).await;
        let cr = app.token("groupcr").await;
        let mut numbers = Vec::new();
        for i in 0..6 {
            let (s, c) = app
                .post("/api/v1/complaints", &cr, &common::body_with_phone(80 + i))
                .await;
            assert_eq!(s, 201, "{c}");
            numbers.push(c["number"].as_str().unwrap().to_string());
            app.clock.advance(Duration::minutes(1));
        }
        // Two are answered in time; then every response clock (one hour) runs out; the sweep
        // marks them breached.
        for n in &numbers[..2] {
            app.walk(
                &cr,
                n,
                &[
                    ("dispatch", json!({"lead_department": "engineering"})),
                    ("assign", json!({"handler": "handler"})),
                    ("respond", json!({"content": "已联系业主", "method": "call"})),
                ],
            )
            .await;
        }
        app.clock.advance(Duration::hours(2));
        kesu::services::sweep::run(&app.state).await.unwrap();
        let now = domain::time::to_millis(app.clock.now());
        let scope = domain::access::Scope {
            all: true,
            ..Default::default()
        };
        let mut r = app.state.store.reader().await.unwrap();
        let mut c = r.conn();
        let mut found = Vec::new();
        let open: Vec<String> = <domain::State as domain::Code>::ALL
            .iter()
            .filter(|s| s.is_open())
            .map(|s| domain::Code::code(*s).to_string())
            .collect();
        for walk in [false, true] {
            for oldest_first in [false, true] {
                // The workbench's filter: open states too (on SQLite the walk keeps the state
                // test off the state index).
                let f = store::complaints::ListFilter {
                    overdue_at: Some(now),
                    overdue_walk: walk,
                    oldest_first,
                    limit: 50,
                    states: open.clone(),
                    ..Default::default()
                };
                let rows = store::complaints::list(&mut c, &f, &scope).await.unwrap();
                found.push(rows.into_iter().map(|r| r.number).collect::<Vec<_>>());
            }
        }
        // The workbench's capped figure: the four, and at most the cap.
        let f = store::complaints::ListFilter {
            overdue_at: Some(now),
            states: open.clone(),
            ..Default::default()
        };
        let all = store::complaints::count_matching_capped(&mut c, &f, &scope, 100)
            .await
            .unwrap();
        let capped = store::complaints::count_matching_capped(&mut c, &f, &scope, 3)
            .await
            .unwrap();
        assert_eq!(
            (all, capped),
            (4, 3),
            "{backend:?}: the four, counting stops at the cap"
        );
        assert_eq!(found[0], found[2], "{backend:?}");
        assert_eq!(found[1], found[3]);
        let mut want: Vec<String> = numbers[2..].to_vec();
        assert_eq!(found[1], want, "the unanswered four, oldest first");
        want.reverse();
        assert_eq!(found[0], want);
        let (_, page) = app.get("/api/v1/complaints?overdue=true", &cr).await;
        let api: Vec<&str> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["number"].as_str().unwrap())
            .collect();
        assert_eq!(api, want.iter().map(String::as_str).collect::<Vec<_>>());
    }
}
