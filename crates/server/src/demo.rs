//! Demo data (R-OP-1): one group, two regions, three city companies, six projects with buildings,
//! units and departments, one user per role, and a handful of complaints registered through the
//! real service so the rules show their work.

use crate::auth::{hash_password, Principal};
use crate::services::complaints::register;
use crate::state::AppState;
use domain::access::scope_of;
use domain::intake::{NewComplaint, RawComplaint};
use domain::org::DEFAULT_DEPARTMENTS;
use futures::FutureExt;
use store::{org, users, StoreError};

/// The password of every demo user (written in the README).
pub const DEMO_PASSWORD: &str = "Kesu@2026";

/// Region code, name; city code, name, region; project code, name, city.
const REGIONS: [(&str, &str, &str); 2] = [
    ("R-SOUTH", "华南区域公司", "South China Region"),
    ("R-EAST", "华东区域公司", "East China Region"),
];
const CITIES: [(&str, &str, &str, &str); 3] = [
    ("C-GZ", "广州城市公司", "Guangzhou", "R-SOUTH"),
    ("C-SZ", "深圳城市公司", "Shenzhen", "R-SOUTH"),
    ("C-SH", "上海城市公司", "Shanghai", "R-EAST"),
];
const PROJECTS: [(&str, &str, &str); 6] = [
    ("GZ-001", "天河·云璟花园", "C-GZ"),
    ("GZ-002", "番禺·滨江湾", "C-GZ"),
    ("SZ-001", "南山·海岸城", "C-SZ"),
    ("SZ-002", "龙华·悦府", "C-SZ"),
    ("SH-001", "浦东·江畔华庭", "C-SH"),
    ("SH-002", "闵行·春申里", "C-SH"),
];

/// Username, display name, role, node code, department code.
pub const USERS: [(&str, &str, &str, &str, Option<&str>); 11] = [
    ("agent", "王丽", "agent", "C-GZ", Some("service")),
    ("specialist", "陈静", "specialist", "R-SOUTH", Some("service")),
    ("supervisor", "刘洋", "supervisor", "R-SOUTH", Some("service")),
    ("handler", "赵强", "handler", "GZ-001", Some("engineering")),
    ("depthead", "孙伟", "dept_head", "GZ-001", Some("engineering")),
    ("projecthead", "周涛", "project_head", "GZ-001", None),
    ("cityhead", "吴敏", "city_head", "C-GZ", None),
    ("regionhead", "郑华", "region_head", "R-SOUTH", None),
    ("groupcr", "钱芳", "group_cr", "GROUP", Some("service")),
    ("management", "冯刚", "management", "GROUP", None),
    ("auditor", "何琳", "auditor", "GROUP", None),
];

/// Loads the demo organisation and users when the database has no projects yet; with
/// `complaints`, also registers sample complaints. Returns whether anything was loaded.
pub async fn load_if_empty(state: &AppState, complaints: bool) -> anyhow::Result<bool> {
    let hash = hash_password(DEMO_PASSWORD)?;
    let now = domain::time::to_millis(state.clock.now());
    let loaded = state
        .store
        .write(move |c| {
            async move {
                let nodes = org::all_nodes(c).await?;
                if nodes.iter().any(|n| n.kind == "project") {
                    return Ok(false);
                }
                let group = nodes
                    .into_iter()
                    .find(|n| n.parent_id.is_none())
                    .ok_or_else(|| StoreError::Corrupt("no group node".into()))?;
                let mut codes = vec![(group.code.clone(), group.clone())];
                let add = |codes: &mut Vec<(String, org::NodeRow)>, code: &str, node: org::NodeRow| {
                    codes.push((code.to_string(), node))
                };
                for (code, name, en) in REGIONS {
                    let id = org::insert_node(c, Some(&group), "region", code, name, Some(en)).await?;
                    add(&mut codes, code, org::node(c, id).await?.expect("inserted"));
                }
                for (code, name, en, region) in CITIES {
                    let parent = codes
                        .iter()
                        .find(|(c, _)| c == region)
                        .map(|(_, n)| n.clone())
                        .expect("region");
                    let id = org::insert_node(c, Some(&parent), "city", code, name, Some(en)).await?;
                    add(&mut codes, code, org::node(c, id).await?.expect("inserted"));
                }
                for (code, name, city) in PROJECTS {
                    let parent = codes
                        .iter()
                        .find(|(c, _)| c == city)
                        .map(|(_, n)| n.clone())
                        .expect("city");
                    let id = org::insert_node(c, Some(&parent), "project", code, name, None).await?;
                    add(&mut codes, code, org::node(c, id).await?.expect("inserted"));
                    for b in 1..=3 {
                        let building = org::insert_building(c, id, &format!("{b}栋"), b).await?;
                        for floor in 1..=18 {
                            for unit in 1..=2 {
                                org::insert_unit(c, building, &format!("{floor}{unit:02}")).await?;
                            }
                        }
                    }
                }
                for (code, node) in codes.iter().skip(1) {
                    let _ = code;
                    for (dept, label) in DEFAULT_DEPARTMENTS {
                        org::insert_department(c, node.id, dept, label.zh, Some(label.en)).await?;
                    }
                }
                for (username, name, role, node_code, dept) in USERS {
                    let node = if node_code == "GROUP" {
                        group.clone()
                    } else {
                        codes
                            .iter()
                            .find(|(c, _)| c == node_code)
                            .map(|(_, n)| n.clone())
                            .expect("node")
                    };
                    let dept_id = match dept {
                        Some(d) => org::departments_of(c, node.id)
                            .await?
                            .into_iter()
                            .find(|x| x.code == d)
                            .map(|x| x.id),
                        None => None,
                    };
                    let id = users::insert_user(c, username, name, &hash, now).await?;
                    users::grant(c, id, role, node.id, dept_id).await?;
                }
                Ok::<_, StoreError>(true)
            }
            .boxed()
        })
        .await?;
    if loaded && complaints {
        register_samples(state).await?;
    }
    if loaded {
        tracing::info!(
            "demo data loaded: 6 projects, {} users (password {DEMO_PASSWORD})",
            USERS.len()
        );
    }
    Ok(loaded)
}

/// Channel, project, building, unit, name, phone, subject, description, households.
const SAMPLES: [(&str, &str, &str, &str, &str, &str, &str, &str, i64); 8] = [
    (
        "hotline",
        "GZ-001",
        "3栋",
        "1502",
        "张三",
        "13812345678",
        "卫生间天花板漏水",
        "楼上卫生间渗水到我家天花板，已经三天了。",
        1,
    ),
    (
        "hotline",
        "GZ-001",
        "1栋",
        "801",
        "李梅",
        "13923456789",
        "电梯困人",
        "1栋电梯停在8楼和9楼之间，我母亲被困在里面二十分钟了，快来人！",
        1,
    ),
    (
        "wechat",
        "GZ-002",
        "2栋",
        "1201",
        "王建国",
        "13534567890",
        "外墙渗水",
        "2栋十几户人家外墙都在渗水，一下雨墙面就发霉。",
        12,
    ),
    (
        "government",
        "SZ-001",
        "1栋",
        "302",
        "陈晓",
        "13645678901",
        "房产证迟迟办不下来",
        "交房两年了还没有办证，已经打了12345反映。",
        1,
    ),
    (
        "app",
        "SZ-002",
        "3栋",
        "1802",
        "林涛",
        "13756789012",
        "销售承诺的学校没有了",
        "当时置业顾问说旁边有学校，现在规划变了。",
        1,
    ),
    (
        "walk_in",
        "SH-001",
        "2栋",
        "601",
        "黄蕾",
        "13867890123",
        "管家态度恶劣",
        "打电话问维修进度，管家态度很差还骂人。",
        1,
    ),
    (
        "email",
        "SH-002",
        "1栋",
        "1101",
        "杨帆",
        "13978901234",
        "地下车库被淹",
        "昨晚暴雨地下车库被淹了，好几辆车泡水了。",
        1,
    ),
    (
        "hotline",
        "GZ-001",
        "3栋",
        "1502",
        "张三",
        "13812345678",
        "卫生间还是漏水",
        "上次说来修还没修好，天花板继续滴水，再不处理我就找媒体曝光。",
        1,
    ),
];

async fn register_samples(state: &AppState) -> anyhow::Result<()> {
    let mut r = state.store.reader().await?;
    let mut c = r.conn();
    let agent = users::by_username(&mut c, "groupcr")
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo user missing"))?;
    let grants = crate::auth::load_grants(&mut c, agent.id)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    drop(c);
    drop(r);
    let who = Principal {
        user_id: agent.id,
        username: agent.username,
        display_name: agent.display_name,
        scope: scope_of(&grants),
        grants,
    };
    for (channel, project, building, unit, name, phone, subject, description, households) in SAMPLES {
        let raw = RawComplaint {
            channel: Some(channel.into()),
            name: Some(name.into()),
            phone: Some(phone.into()),
            project_code: Some(project.into()),
            building: Some(building.into()),
            unit: Some(unit.into()),
            subject: Some(subject.into()),
            description: Some(description.into()),
            households: Some(households),
            ..Default::default()
        };
        let new = NewComplaint::parse(&raw, state.clock.now())
            .map_err(|e| anyhow::anyhow!("demo complaint invalid: {e:?}"))?;
        register(state, &who, new, None)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(())
}
