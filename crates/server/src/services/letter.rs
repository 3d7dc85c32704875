//! The written reply (书面答复, R-WF-6): a printable letter with the latest reply, rendered from
//! a compile-checked template that escapes everything the public and staff wrote.

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::services::complaints::get;
use crate::state::AppState;
use askama::Template;
use serde_json::Value;

/// The letter's fixed wording in one language.
pub struct Wording {
    lang: &'static str,
    title: &'static str,
    print: &'static str,
    number: &'static str,
    dear: &'static str,
    dear_end: &'static str,
    intro_1: &'static str,
    intro_2: &'static str,
    intro_3: &'static str,
    intro_4: &'static str,
    objection: &'static str,
    note: &'static str,
}

const ZH: Wording = Wording {
    lang: "zh-CN",
    title: "客户投诉书面答复函",
    print: "打印",
    number: "编号：",
    dear: "尊敬的",
    dear_end: "：",
    intro_1: "您好！您于",
    intro_2: "反映的“",
    intro_3: "”（",
    intro_4: "）一事，我司高度重视，经调查核实，现答复如下：",
    objection:
        "如您对本答复有异议，请自收到本函之日起七日内与我们联系，我们将再次核实处理。感谢您对我们工作的理解与支持！",
    note: "本函由客诉系统根据处理记录生成，与经办人签章的纸质答复具有同等内容。",
};

const EN: Wording = Wording {
    lang: "en",
    title: "Written Reply to Your Complaint",
    print: "Print",
    number: "Reference: ",
    dear: "Dear ",
    dear_end: ",",
    intro_1: "Thank you for your complaint of ",
    intro_2: " about “",
    intro_3: "” (",
    intro_4: "). We have looked into it carefully and reply as follows:",
    objection: "If you disagree with this reply, please contact us within seven days of receiving it and we will review the matter again.",
    note: "This letter was produced from the handling record of the complaint system.",
};

#[derive(Template)]
#[template(path = "reply_letter.html")]
struct Letter<'a> {
    t: &'a Wording,
    number: String,
    name: String,
    received: String,
    subject: String,
    place: String,
    reply: String,
    project: String,
    date: String,
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// Renders the letter of a complaint's latest reply; 404 when there is no reply yet.
pub async fn render(state: &AppState, who: &Principal, number: &str, english: bool) -> AppResult<String> {
    let complaint = get(state, who, number).await?;
    let timeline = crate::services::workflow::timeline(state, who, number).await?;
    let reply = timeline["items"]
        .as_array()
        .and_then(|items| items.iter().rev().find(|e| e["kind"] == "reply"))
        .ok_or(AppError::NotFound)?;
    let day = |rfc: &Value| text(rfc).get(..10).unwrap_or_default().to_string();
    let place = [
        &complaint["project"]["name"],
        &complaint["building"],
        &complaint["unit"],
    ]
    .iter()
    .map(|v| text(v))
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(" ");
    let letter = Letter {
        t: if english { &EN } else { &ZH },
        number: text(&complaint["number"]),
        name: text(&complaint["complainant"]["name"]),
        received: day(&complaint["received_at"]),
        subject: text(&complaint["subject"]),
        place,
        reply: text(&reply["detail"]["detail"]["content"]),
        project: text(&complaint["project"]["name"]),
        date: day(&reply["at"]),
    };
    letter
        .render()
        .map_err(|e| AppError::Internal(format!("rendering the reply letter: {e}")))
}
