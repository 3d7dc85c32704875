//! The registers and periodic reports of R-AN-2 with the metrics of R-AN-3: the monthly
//! statistical analysis report, the quarterly evaluation report and the weekly register of a
//! department, every figure compared with values worked out by hand from a fixture, exported to
//! PDF (read back with pdftotext) and xlsx (read back with openpyxl), on both backends.

mod common;

use chrono::Duration;
use common::spawn;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monthly_quarterly_and_weekly_reports_match_figures_worked_out_by_hand() {
    for backend in testkit::BACKENDS {
        let app = spawn(backend).await;
        let cr = app.token("groupcr").await;
        // The clock starts at 2026-11-22 10:00 Shanghai (a Sunday, ISO week 2026-W47).
        let register = |body: Value| {
            let (app, cr) = (&app, &cr);
            async move {
                let (s, c) = app.post("/api/v1/complaints", cr, &body).await;
                assert_eq!(s, 201, "{c}");
                c["number"].as_str().unwrap().to_string()
            }
        };
        // October: two complaints.
        for (i, at) in [(500, "2026-10-15T09:00:00+08:00"), (501, "2026-10-20T09:00:00+08:00")] {
            let mut b = common::body_with_phone(i);
            b["received_at"] = json!(at);
            register(b).await;
        }
        // November: A and B (10:00 today), C and D from the same owner about the same matter
        // (D repeats C), E urgent on the 17th.
        let a = register(common::body_with_phone(510)).await;
        let b = register(common::body_with_phone(511)).await;
        let c = register(common::body()).await;
        let d = register(common::body()).await;
        let mut e = common::body_with_phone(512);
        e["received_at"] = json!("2026-11-17T09:00:00+08:00");
        e["grade"] = json!("urgent");
        e["grade_reason"] = json!("业主反映有安全隐患");
        register(e).await;
        let (_, dv) = app.get(&format!("/api/v1/complaints/{d}"), &cr).await;
        assert_eq!(dv["repeat_of"], json!(c), "D is registered as a repeat of C");

        // 10:30: A and B are dispatched to engineering and answered in time (due 11:00).
        app.clock.advance(Duration::minutes(30));
        let start = [
            ("dispatch", json!({"lead_department": "engineering"})),
            ("assign", json!({"handler": "handler"})),
            ("respond", json!({"content": "已联系业主", "method": "call"})),
        ];
        app.walk(&cr, &a, &start).await;
        app.walk(&cr, &b, &start).await;
        let finish = |satisfaction: &str| {
            vec![
                ("assess", json!({"facts": "防水层破损", "reasonableness": "reasonable"})),
                ("reply", json!({"content": "已修复"})),
                ("confirm", json!({})),
                ("callback", json!({"satisfaction": satisfaction})),
                ("close", json!({"summary": "已修复"})),
            ]
        };
        // A closes at 12:00 (2 hours after receipt), B at 15:00 (5 hours).
        app.clock.advance(Duration::minutes(90));
        app.walk(&cr, &a, &finish("satisfied")).await;
        app.clock.advance(Duration::hours(3));
        app.walk(&cr, &b, &finish("very_satisfied")).await;
        // The sweep marks the unanswered C, D and E overdue.
        kesu::services::sweep::run(&app.state).await.unwrap();

        let (s, m) = app.get("/api/v1/reports/analysis?period=2026-11", &cr).await;
        assert_eq!(s, 200, "{m}");
        assert_eq!(m["kind"], "monthly");
        assert_eq!(m["title"], "2026年11月顾客投诉统计分析报告");
        assert_eq!(
            (m["from"].as_str(), m["to"].as_str()),
            (Some("2026-11-01"), Some("2026-11-30"))
        );
        assert_eq!(m["due"], "2026-12-10", "by the 10th of the next month");
        let t = &m["total"];
        assert_eq!(t["count"], 5);
        // Response: A and B in time, C, D, E ran out: 2 of 5. Handling: A and B met, the rest
        // still running: 2 of 2. Closure: A and B of 5. Satisfaction: both rated are satisfied.
        // Repeats: D of 5.
        assert_eq!(t["response_timely_rate"], 0.4);
        assert_eq!(t["handling_timely_rate"], 1.0);
        assert_eq!(t["closure_rate"], 0.4);
        assert_eq!(t["satisfaction_rate"], 1.0);
        assert_eq!(t["repeat_rate"], 0.2);
        assert_eq!(m["previous"], json!({"period": "2026-10", "count": 2}));
        assert_eq!(m["change_rate"], 1.5);
        assert_eq!(m["overdue"], 3, "C, D and E");
        assert_eq!(
            m["handling_time"],
            json!({"closed": 2, "mean_hours": 3.5, "p50_hours": 2, "p90_hours": 5})
        );
        let trend = m["trend"].as_array().unwrap();
        assert_eq!(trend.len(), 30);
        assert_eq!(trend[16], json!({"label": "17", "count": 1}));
        assert_eq!(trend[21], json!({"label": "22", "count": 4}));
        assert_eq!(trend.iter().map(|x| x["count"].as_i64().unwrap()).sum::<i64>(), 5);
        let group = |by: &str| -> Vec<(String, i64)> {
            m["groups"].as_array().unwrap().iter().find(|g| g["by"] == by).unwrap()["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| (r["label"].as_str().unwrap().to_string(), r["count"].as_i64().unwrap()))
                .collect()
        };
        // D, a repeat, is graded up to important by the rules (R-GR).
        assert_eq!(
            group("grade"),
            [
                ("一般".to_string(), 3),
                ("重要".to_string(), 1),
                ("紧急".to_string(), 1)
            ]
        );
        assert_eq!(
            group("department"),
            [("未分派".to_string(), 3), ("工程部".to_string(), 2)]
        );
        assert_eq!(group("project"), [("天河·云璟花园".to_string(), 5)]);
        assert_eq!(group("channel").iter().map(|r| r.1).sum::<i64>(), 5);
        // Every complaint of the fixture names the occupancy stage (入住维保).
        assert_eq!(group("stage"), [("入住维保".to_string(), 5)]);

        // The quarter: October 2, November 5, December none; the third quarter had nothing.
        let (s, q) = app.get("/api/v1/reports/analysis?period=2026-Q4", &cr).await;
        assert_eq!(s, 200, "{q}");
        assert_eq!(q["title"], "2026年第四季度客户服务评估报告");
        assert_eq!(q["total"]["count"], 7);
        assert_eq!(
            q["trend"],
            json!([{"label": "10月", "count": 2}, {"label": "11月", "count": 5}, {"label": "12月", "count": 0}])
        );
        assert_eq!(q["previous"]["count"], 0);
        assert_eq!(q["change_rate"], Value::Null, "no previous figure to compare with");
        assert_eq!(q["due"], "2027-01-10");

        // The weekly register of engineering: A and B; of W46 nothing; of sales nothing.
        let (s, w) = app
            .get("/api/v1/reports/register?week=2026-W47&department=engineering", &cr)
            .await;
        assert_eq!(s, 200, "{w}");
        assert_eq!(
            (w["from"].as_str(), w["to"].as_str()),
            (Some("2026-11-16"), Some("2026-11-22"))
        );
        let mut listed: Vec<&str> = w["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["number"].as_str().unwrap())
            .collect();
        listed.sort();
        let mut want = vec![a.as_str(), b.as_str()];
        want.sort();
        assert_eq!(listed, want);
        let first = &w["items"][0];
        assert_eq!(first["department"], "工程部");
        assert_eq!(first["state"], "已结案");
        assert_eq!(first["received_at"], "2026-11-22 10:00");
        for (query, n) in [
            ("week=2026-W46&department=engineering", 0),
            ("week=2026-W47&department=sales", 0),
        ] {
            let (s, w) = app.get(&format!("/api/v1/reports/register?{query}"), &cr).await;
            assert_eq!((s, w["count"].as_i64()), (200, Some(n)), "{query}");
        }

        // Refused input names the field and changes nothing.
        for bad in [
            "/api/v1/reports/analysis?period=2026-13",
            "/api/v1/reports/analysis?period=2026-W47",
            "/api/v1/reports/analysis",
            "/api/v1/reports/analysis?period=2026-11&by=grade",
            "/api/v1/reports/register?week=2026-11&department=engineering",
            "/api/v1/reports/register?week=2026-W47",
            "/api/v1/reports/register?week=2026-W47&department=%3Cscript%3E",
        ] {
            let (s, p) = app.get(bad, &cr).await;
            assert_eq!(s, 422, "{bad}: {p}");
            assert!(p["errors"][0]["field"].is_string(), "{p}");
        }
        assert_eq!(app.complaint_count().await, 7);

        // The console: the page, the PDF with its charts' figures, the xlsx and the register PDF.
        let cookie = app.web_cookie("groupcr").await;
        let fetch = |path: String| {
            let (cookie, app) = (&cookie, &app);
            async move {
                let (status, body) = app.web_get(cookie, &path).await;
                assert_eq!(status, 200, "{path}");
                body
            }
        };
        let html = String::from_utf8(fetch("/reports/analysis?period=2026-11".into()).await).unwrap();
        assert!(html.contains("2026年11月顾客投诉统计分析报告"));
        assert!(html.contains("<th>重复投诉率</th><td>20.0%</td>"), "{html}");
        assert!(html.contains("<th>处理时长 P90（小时）</th><td>5</td>"));
        let text = common::pdf_text(&fetch("/reports/analysis.pdf?period=2026-11".into()).await);
        for expected in [
            "2026年11月顾客投诉统计分析报告",
            "报送期限2026-12-10",
            "投诉量：5",
            "环比：+150.0%",
            "重复投诉率：20.0%",
            "二、投诉量走势",
            "按投诉类别",
            "工程部",
            "紧急",
        ] {
            assert!(text.contains(expected), "{expected} in {text}");
        }
        let book = common::read_xlsx(&fetch("/reports/analysis.xlsx?period=2026-11".into()).await);
        assert_eq!(book[1][1].0, "合计");
        assert_eq!(book[1][2].0, 5);
        assert_eq!(book[1][2].1, "n", "counts are numbers");
        assert_eq!(book[1][7].0, 0.2);
        let grades: Vec<(Value, Value)> = book
            .iter()
            .filter(|r| r[0].0 == "按投诉等级")
            .map(|r| (r[1].0.clone(), r[2].0.clone()))
            .collect();
        assert_eq!(
            grades,
            [
                (json!("一般"), json!(3)),
                (json!("重要"), json!(1)),
                (json!("紧急"), json!(1))
            ]
        );
        let reg = common::pdf_text(&fetch("/reports/register.pdf?week=2026-W47&department=engineering".into()).await);
        for expected in [
            "客户投诉记录表",
            "工程部",
            "2026年第47周",
            "共2件",
            a.as_str(),
            b.as_str(),
        ] {
            assert!(reg.contains(expected), "{expected} in {reg}");
        }
        let sheet =
            common::read_xlsx(&fetch("/reports/register.xlsx?week=2026-W47&department=engineering".into()).await);
        assert_eq!(sheet.len(), 3, "heading and two complaints");
        assert_eq!(sheet[0][0].0, "投诉编号");
    }
}
