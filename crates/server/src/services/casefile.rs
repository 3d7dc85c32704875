//! The case file (案宗, R-WF-9): a PDF of the complaint with its assessment, plan, timeline and
//! evidence (photos embedded), in Chinese. The CJK font is embedded in the binary and subset
//! into each PDF, so export works on any machine (`services::pdf`).

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::services::complaints::get;
use crate::services::pdf::{Layout, BODY};
use crate::state::AppState;
use domain::state::Action;
use domain::{Channel, Code, Grade, Reasonableness, Role, Satisfaction, State};
use krilla::image::Image;
use serde_json::Value;

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn label<T: Code>(code: &Value) -> String {
    code.as_str()
        .and_then(T::from_code)
        .map(|v| v.label().zh.to_string())
        .unwrap_or_else(|| s(code))
}

fn state_label(code: &Value) -> String {
    label::<State>(code)
}

/// `2026-11-22T10:00:00+08:00` → `2026-11-22 10:00` (times are already in Asia/Shanghai).
fn when(v: &Value) -> String {
    let t = s(v);
    match t.get(..16) {
        Some(head) if t.len() >= 16 => head.replace('T', " "),
        _ => t,
    }
}

fn event_label(kind: &str) -> String {
    match kind {
        "registered" => "受理登记".into(),
        "attachment_added" => "上传证据".into(),
        "linked" => "关联投诉".into(),
        "merged_in" => "合并并入".into(),
        "contact_revealed" => "查看完整联系方式".into(),
        other => Action::from_code(other)
            .map(|a| a.label().zh.to_string())
            .unwrap_or_else(|| other.to_string()),
    }
}

/// The words that say what an event did, from its detail.
fn event_text(e: &Value) -> String {
    let d = &e["detail"];
    let inner = &d["detail"];
    let mut parts = Vec::new();
    if let (Some(from), Some(to)) = (d["before"].get("state"), d["after"].get("state")) {
        if from != to {
            parts.push(format!("{} → {}", state_label(from), state_label(to)));
        }
    }
    for key in [
        "lead_department",
        "handler_name",
        "content",
        "facts",
        "measures",
        "comment",
        "reason",
        "summary",
        "text",
        "satisfaction",
        "filename",
        "with",
        "into",
    ] {
        let v = inner.get(key).or_else(|| d.get(key)).map(s).unwrap_or_default();
        if !v.is_empty() {
            parts.push(v);
        }
    }
    parts.join("；")
}

/// Renders the case file of a complaint the caller may see.
pub async fn render(state: &AppState, who: &Principal, number: &str) -> AppResult<Vec<u8>> {
    let c = get(state, who, number).await?;
    let timeline = crate::services::workflow::timeline(state, who, number).await?;
    let mut l = Layout::new();
    l.text("客户投诉案宗", 20.0, 0.0);
    l.text(
        &format!("编号 {}    {}", s(&c["number"]), s(&c["project"]["name"])),
        12.0,
        0.0,
    );
    l.heading("基本信息");
    l.field("状态", &state_label(&c["state"]));
    l.field("等级", &label::<Grade>(&c["grade"]));
    l.field(
        "分类",
        &format!("{}（{}）", s(&c["category"]["name"]), s(&c["category"]["code"])),
    );
    l.field("渠道", &label::<Channel>(&c["channel"]));
    l.field(
        "投诉人",
        &format!("{}  {}", s(&c["complainant"]["name"]), s(&c["complainant"]["phone"])),
    );
    l.field(
        "位置",
        &[&c["project"]["name"], &c["building"], &c["unit"], &c["location"]]
            .iter()
            .map(|v| s(v))
            .filter(|x| !x.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
    );
    l.field("受理时间", &when(&c["received_at"]));
    l.field("第一责任部门", &s(&c["lead_department"]["name"]));
    l.field("处理人", &s(&c["handler"]["name"]));
    l.field("责任人", &s(&c["accountable"]["name"]));
    l.field("满意度", &label::<Satisfaction>(&c["satisfaction"]));
    l.field("结案时间", &when(&c["closed_at"]));
    l.field("归档时间", &when(&c["archived_at"]));
    l.heading("投诉内容");
    l.field("主题", &s(&c["subject"]));
    l.field("描述", &s(&c["description"]));
    l.field("诉求", &s(&c["demands"]));
    if c["assessment"].is_object() {
        l.heading("核实评估");
        l.field("事实", &s(&c["assessment"]["facts"]));
        l.field("责任", &s(&c["assessment"]["responsibility"]));
        l.field("合理性", &label::<Reasonableness>(&c["assessment"]["reasonableness"]));
        l.field("解决方向", &s(&c["assessment"]["direction"]));
    }
    if c["plan"].is_object() {
        l.heading("处理方案");
        l.field("措施", &s(&c["plan"]["measures"]));
        let fen = c["plan"]["compensation_fen"].as_i64().unwrap_or(0);
        if fen > 0 {
            l.field(
                "补偿",
                &format!(
                    "{}.{:02} 元 {}",
                    fen / 100,
                    fen % 100,
                    s(&c["plan"]["compensation_form"])
                ),
            );
        }
        for a in c["plan"]["approvals"].as_array().into_iter().flatten() {
            l.field(
                "审批",
                &format!(
                    "{} {} {} {}",
                    when(&a["at"]),
                    s(&a["name"]),
                    label::<Role>(&a["role"]),
                    s(&a["comment"])
                ),
            );
        }
    }
    l.heading("处理过程");
    for e in timeline["items"].as_array().into_iter().flatten() {
        l.text(
            &format!(
                "{}  {}  {}",
                when(&e["at"]),
                s(&e["actor"]),
                event_label(e["kind"].as_str().unwrap_or(""))
            ),
            BODY,
            0.0,
        );
        let what = event_text(e);
        if !what.is_empty() {
            l.text(&what, 9.5, 18.0);
        }
    }
    // `get` above has checked the caller may see the complaint: read its evidence rows once.
    let complaint_id: uuid::Uuid = s(&c["id"])
        .parse()
        .map_err(|_| AppError::Internal("complaint id".into()))?;
    let attachments = {
        let mut r = state.store.reader().await?;
        store::attachments::of(&mut r.conn(), &[complaint_id]).await?
    };
    if !attachments.is_empty() {
        l.heading("证据附件");
        for a in &attachments {
            l.text(
                &format!(
                    "{}  {}  {} 字节  SHA-256 {}",
                    a.filename, a.content_type, a.size, a.sha256
                ),
                9.5,
                0.0,
            );
            let bytes = crate::services::attachments::bytes(state, a)?;
            let image = match a.content_type.as_str() {
                "image/png" => Image::from_png(bytes.into(), true).ok(),
                "image/jpeg" => Image::from_jpeg(bytes.into(), true).ok(),
                "image/gif" => Image::from_gif(bytes.into(), true).ok(),
                "image/webp" => Image::from_webp(bytes.into(), true).ok(),
                _ => None,
            };
            if let Some(image) = image {
                l.image(image);
            }
        }
    }

    l.finish(&crate::services::pdf::stamp(state.clock.now()))
}
