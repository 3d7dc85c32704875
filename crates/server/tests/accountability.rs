//! Accountability (R-AC-1): responsibility for a closed complaint, shares that make exactly
//! 100%, proposed and then approved or rejected by someone else; refused input changes nothing.
//! On both backends.

mod common;

use common::spawn;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responsibility_is_shared_to_one_hundred_percent_and_approved() {
    for backend in testkit::BACKENDS {
        let app = spawn(backend).await;
        let cr = app.token("groupcr").await;
        let sup = app.token("supervisor").await;
        let head = app.token("projecthead").await;
        let agent = app.token("agent").await;
        let (s, c) = app.post("/api/v1/complaints", &cr, &common::body()).await;
        assert_eq!(s, 201, "{c}");
        let number = c["number"].as_str().unwrap().to_string();
        let path = format!("/api/v1/complaints/{number}/responsibility");
        let propose = |token: String, body: Value| {
            let (app, path) = (&app, &path);
            async move { app.put(path, &token, &body).await }
        };
        let good = json!({"parties": [
            {"kind": "department", "party": "engineering", "share": 60},
            {"kind": "contractor", "party": "广州某防水工程公司", "share": 30.5},
            {"kind": "person", "party": "handler", "share": 9.5}
        ]});
        // Not before closure.
        assert_eq!(propose(sup.clone(), good.clone()).await.0, 409);
        app.walk(
            &cr,
            &number,
            &[
                ("dispatch", json!({"lead_department": "engineering"})),
                ("assign", json!({"handler": "handler"})),
                ("respond", json!({"content": "已联系业主", "method": "call"})),
                ("assess", json!({"facts": "防水层破损", "reasonableness": "reasonable"})),
                ("reply", json!({"content": "已修复"})),
                ("confirm", json!({})),
                ("callback", json!({"satisfaction": "satisfied"})),
                ("close", json!({"summary": "已修复"})),
            ],
        )
        .await;
        let with = |i: usize, k: &str, v: Value| {
            let mut b = good.clone();
            b["parties"][i][k] = v;
            b
        };
        for (body, field) in [
            (with(0, "share", json!(50)), "parties"),
            (with(0, "share", json!(70)), "parties"),
            (with(2, "share", json!(-0.5)), "parties[2].share"),
            (with(2, "share", json!(9.505)), "parties[2].share"),
            (with(2, "party", json!("nobody")), "parties[2].party"),
            (with(0, "party", json!("dragons")), "parties[0].party"),
            (with(1, "kind", json!("alien")), "parties[1].kind"),
            (
                json!({"parties": [
                    {"kind": "department", "party": "engineering", "share": 60},
                    {"kind": "department", "party": "engineering", "share": 40}
                ]}),
                "parties[1].party",
            ),
            (json!({"parties": []}), "parties"),
            (
                json!({"parties": [{"kind": "team", "party": "维修一组", "share": 100}], "x": 1}),
                "x",
            ),
        ] {
            let (s, p) = propose(sup.clone(), body.clone()).await;
            assert_eq!(s, 422, "{body}: {p}");
            assert_eq!(p["errors"][0]["field"], field, "{p}");
        }
        assert_eq!(propose(agent.clone(), good.clone()).await.0, 403);
        let (_, none) = app.get(&path, &sup).await;
        assert_eq!(none["assignment"], Value::Null, "nothing was written");

        let (s, a) = propose(sup.clone(), good.clone()).await;
        assert_eq!(s, 200, "{a}");
        assert_eq!(a["assignment"]["state"], "proposed");
        let shares: Vec<f64> = a["assignment"]["parties"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["share"].as_f64().unwrap())
            .collect();
        assert_eq!(shares, [60.0, 30.5, 9.5]);
        assert_eq!(
            propose(sup.clone(), good.clone()).await.0,
            409,
            "one proposal at a time"
        );

        let decision = format!("{path}/decision");
        assert_eq!(
            app.post(&decision, &sup, &json!({"approve": true})).await.0,
            403,
            "supervisors propose, heads approve"
        );
        assert_eq!(
            app.post(&decision, &head, &json!({"approve": false})).await.0,
            422,
            "a rejection says why"
        );
        let (s, r) = app
            .post(&decision, &head, &json!({"approve": false, "note": "物业也有责任"}))
            .await;
        assert_eq!((s, r["assignment"]["state"].as_str()), (200, Some("rejected")), "{r}");
        let mut again = good.clone();
        again["parties"][2] = json!({"kind": "department", "party": "property", "share": 9.5});
        let (s, _) = propose(head.clone(), again).await;
        assert_eq!(s, 200, "a rejected assignment may be proposed again");
        let (s, _) = app.post(&decision, &head, &json!({"approve": true})).await;
        assert_eq!(s, 403, "nobody approves their own proposal");
        let (s, r) = app
            .post(&decision, &cr, &json!({"approve": true, "note": "同意"}))
            .await;
        assert_eq!(s, 200, "{r}");
        assert_eq!(r["assignment"]["state"], "approved");
        assert_eq!(r["assignment"]["proposed_by"], "周涛");
        assert_eq!(r["assignment"]["decided_by"], "钱芳");
        assert_eq!(r["assignment"]["parties"][2]["party"], "property");
        assert_eq!(
            app.post(&decision, &head, &json!({"approve": false, "note": "x"}))
                .await
                .0,
            409
        );
        assert_eq!(
            propose(sup.clone(), good.clone()).await.0,
            409,
            "an approved assignment stands"
        );
    }
}
