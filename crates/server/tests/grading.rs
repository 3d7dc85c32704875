//! Grading and classification over HTTP: every rule alone and in combination, the agent's choice
//! winning and recorded, the special routings (R-GR-1, R-GR-2, R-GR-3, R-IN-7).

mod common;

use common::{body_with_phone, spawn};
use serde_json::{json, Value};

struct Case {
    patch: Value,
    grade: &'static str,
    reasons: &'static [&'static str],
}

fn merge(base: &mut Value, patch: &Value) {
    for (k, v) in patch.as_object().unwrap() {
        base[k] = v.clone();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_rule_fires_alone_and_in_combination() {
    let app = spawn(testkit::Backend::Sqlite).await;
    let agent = app.token("agent").await;
    let cases = [
        Case {
            patch: json!({}),
            grade: "general",
            reasons: &[],
        },
        Case {
            patch: json!({"subject": "电梯困人", "description": "2栋电梯停在半空，我女儿被困在里面半小时了"}),
            grade: "urgent",
            reasons: &["rule:emergency:电梯困人"],
        },
        Case {
            patch: json!({"subject": "着火了", "description": "楼道里起火，烟很大"}),
            grade: "urgent",
            reasons: &["rule:emergency:火灾"],
        },
        Case {
            patch: json!({"subject": "车库被淹", "description": "暴雨后地下车库被淹了"}),
            grade: "urgent",
            reasons: &["rule:emergency:水浸"],
        },
        Case {
            patch: json!({"subject": "停电", "description": "小区突然停电两个小时"}),
            grade: "urgent",
            reasons: &["rule:emergency:突发性停电"],
        },
        Case {
            patch: json!({"households": 3}),
            grade: "major",
            reasons: &["rule:group:households=3"],
        },
        Case {
            patch: json!({"channel": "media"}),
            grade: "important",
            reasons: &["rule:media:channel=media"],
        },
        Case {
            patch: json!({"channel": "government"}),
            grade: "important",
            reasons: &["rule:government:channel=government"],
        },
        Case {
            patch: json!({"demands": "再不修我就找电视台曝光"}),
            grade: "important",
            reasons: &["rule:media:媒体曝光"],
        },
        Case {
            patch: json!({"demands": "已经向住建局投诉"}),
            grade: "important",
            reasons: &["rule:government:政府部门介入"],
        },
        Case {
            patch: json!({"demands": "已经向住建局投诉", "households": 4}),
            grade: "major",
            reasons: &["rule:government:政府部门介入", "rule:group:households=4"],
        },
        Case {
            patch: json!({"subject": "电梯困人", "description": "有人被困在电梯里", "channel": "media", "households": 5}),
            grade: "urgent",
            reasons: &[
                "rule:emergency:电梯困人",
                "rule:group:households=5",
                "rule:media:channel=media",
            ],
        },
    ];
    for (i, case) in cases.iter().enumerate() {
        let mut b = body_with_phone(100 + i);
        merge(&mut b, &case.patch);
        let (s, c) = app.post("/api/v1/complaints", &agent, &b).await;
        assert_eq!(s, 201, "{c}");
        assert_eq!(c["grade"], case.grade, "case {i}: {c}");
        let reasons: Vec<&str> = c["grade_reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        assert_eq!(reasons, case.reasons, "case {i}");
        assert_eq!(c["grade_decided_by"], "rules");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeat_complaint_on_an_open_matter_goes_one_grade_up() {
    let app = spawn(testkit::Backend::Sqlite).await;
    let agent = app.token("agent").await;
    let (_, first) = app.post("/api/v1/complaints", &agent, &body_with_phone(1)).await;
    assert_eq!(first["grade"], "general");
    let mut again = body_with_phone(1);
    again["subject"] = json!("卫生间还是漏水");
    let (_, second) = app.post("/api/v1/complaints", &agent, &again).await;
    assert_eq!(second["grade"], "important");
    assert_eq!(
        second["grade_reasons"],
        json!([format!("rule:repeat:{}", first["number"].as_str().unwrap())])
    );
    assert_eq!(second["repeat_of"], first["number"]);
    // Repeat and media together: important floor, then one up.
    let mut third = body_with_phone(1);
    third["demands"] = json!("我要找记者");
    let (_, t) = app.post("/api/v1/complaints", &agent, &third).await;
    assert_eq!(t["grade"], "major");
    // A different matter (category) of the same person is not a repeat.
    let mut other = body_with_phone(1);
    other["subject"] = json!("物业费乱收费");
    other["description"] = json!("物业费收费标准不透明");
    let (_, o) = app.post("/api/v1/complaints", &agent, &other).await;
    assert_eq!(
        (o["grade"].as_str(), o["category"]["code"].as_str()),
        (Some("general"), Some("property.fees"))
    );
    // Another person with the same words is not a repeat either.
    let (_, p) = app.post("/api/v1/complaints", &agent, &body_with_phone(2)).await;
    assert_eq!(p["grade"], "general");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agents_choice_wins_and_is_recorded() {
    let app = spawn(testkit::Backend::Sqlite).await;
    let agent = app.token("agent").await;
    let mut b = body_with_phone(5);
    b["subject"] = json!("电梯困人");
    b["description"] = json!("电梯困人，已经救出来了，要求检修");
    b["grade"] = json!("important");
    b["grade_reason"] = json!("人已救出，转为重要跟进");
    b["category_code"] = json!("property.facilities");
    let (s, c) = app.post("/api/v1/complaints", &agent, &b).await;
    assert_eq!(s, 201, "{c}");
    assert_eq!(c["grade"], "important");
    assert_eq!(c["grade_decided_by"], "agent");
    assert_eq!(c["suggested_grade"], "urgent");
    assert_eq!(c["grade_note"], "人已救出，转为重要跟进");
    assert_eq!(
        c["grade_reasons"],
        json!(["agent:important", "rule:emergency:电梯困人"])
    );
    assert_eq!(c["category"]["code"], "property.facilities");
    assert_eq!(c["category"]["decided_by"], "agent");
    assert_eq!(c["suggested_department"]["code"], "property");
    // The urgent minute-level clocks follow the grade actually given.
    assert!(c["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| !d["clock"].as_str().unwrap().starts_with("urgent_")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn classification_and_special_routing() {
    let app = spawn(testkit::Backend::Sqlite).await;
    let agent = app.token("agent").await;
    let cases = [
        (
            "管家态度恶劣",
            "打电话问维修进度被管家骂了",
            "special.staff_conduct",
            "hr",
        ),
        ("公司的报修流程不合理", "办事流程太繁琐", "special.policy", "quality"),
        ("记者来访", "电视台记者到访小区要采访", "special.official_visit", "hr"),
        (
            "房产证迟迟办不下来",
            "交房两年了还没有办证",
            "marketing.certificate",
            "sales",
        ),
        (
            "报修三次都没人来",
            "维修一直拖着",
            "engineering.maintenance_delay",
            "repair",
        ),
        ("想咨询一下", "请联系我", "other.general", "service"),
    ];
    for (i, (subject, description, category, department)) in cases.into_iter().enumerate() {
        let mut b = body_with_phone(200 + i);
        b["subject"] = json!(subject);
        b["description"] = json!(description);
        let (s, c) = app.post("/api/v1/complaints", &agent, &b).await;
        assert_eq!(s, 201);
        assert_eq!(c["category"]["code"], category, "{subject}");
        assert_eq!(c["suggested_department"]["code"], department, "{subject}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_extends_the_rules_as_data() {
    // R-GR-2: rules are data. A new emergency rule inserted in the database takes effect on reload.
    let app = spawn(testkit::Backend::Sqlite).await;
    let agent = app.token("agent").await;
    let mut b = body_with_phone(9);
    b["subject"] = json!("天然气管道破裂");
    b["description"] = json!("楼下天然气管道破了，一直在嘶嘶响");
    assert_eq!(app.post("/api/v1/complaints", &agent, &b).await.1["grade"], "general");
    let rule = domain::grading::TextRule {
        code: "emergency.gas_pipe".into(),
        kind: domain::grading::RuleKind::Emergency,
        label: "燃气管道破裂".into(),
        phrases: vec![domain::phrase::Phrase::of(&[
            &["天然气", "燃气"],
            &["破裂", "破了", "泄漏", "漏气"],
        ])],
    };
    app.state
        .store
        .write(move |c| {
            use futures::FutureExt;
            async move { store::taxonomy::upsert_rule(c, &rule, 99).await }.boxed()
        })
        .await
        .unwrap();
    app.state.reload_settings().await.unwrap();
    b["complainant"]["phone"] = json!("13700000009");
    let (_, c) = app.post("/api/v1/complaints", &agent, &b).await;
    assert_eq!(c["grade"], "urgent");
    assert_eq!(c["grade_reasons"], json!(["rule:emergency:燃气管道破裂"]));
}
