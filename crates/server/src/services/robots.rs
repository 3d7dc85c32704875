//! Group robots (R-NT-1): WeCom (企业微信), DingTalk (钉钉) and Feishu (飞书) webhooks attached to
//! a department hear what the department hears — dispatches, reminders, overdue inquiries.

use crate::error::AppResult;
use serde_json::{json, Value};
use store::Conn;

/// The robot kinds.
pub const KINDS: [&str; 3] = ["wecom", "dingtalk", "feishu"];

/// Queues a department notice for each of the department's robots, in the same transaction.
pub async fn notify(
    c: &mut Conn<'_>,
    complaint: uuid::Uuid,
    number: &str,
    department: i64,
    kind: &str,
    zh: &str,
    now_ms: i64,
) -> AppResult<()> {
    for robot in store::robots::of_department(c, department).await? {
        let payload = json!({"number": number, "zh": zh});
        let message = store::outbox::Message {
            kind,
            channel: &robot.kind,
            recipient: &robot.url,
            complaint_id: Some(complaint),
            payload: &payload,
        };
        store::outbox::enqueue(c, &message, now_ms).await?;
    }
    Ok(())
}

/// The body each platform's text-message webhook takes.
pub fn body(kind: &str, text: &str) -> Value {
    match kind {
        // https://developer.work.weixin.qq.com/document/path/91770 and DingTalk's custom robot: the same shape.
        "wecom" | "dingtalk" => json!({"msgtype": "text", "text": {"content": text}}),
        // Feishu custom bot.
        _ => json!({"msg_type": "text", "content": {"text": text}}),
    }
}

/// Whether a platform's answer reports success: WeCom and DingTalk `errcode: 0`, Feishu `code: 0`
/// (older bots `StatusCode: 0`).
pub fn accepted(kind: &str, answer: &Value) -> bool {
    match kind {
        "wecom" | "dingtalk" => answer["errcode"] == 0,
        _ => answer["code"] == 0 || answer["StatusCode"] == 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_formats() {
        assert_eq!(
            body("wecom", "催办"),
            json!({"msgtype": "text", "text": {"content": "催办"}})
        );
        assert_eq!(
            body("feishu", "催办"),
            json!({"msg_type": "text", "content": {"text": "催办"}})
        );
        assert!(accepted("dingtalk", &json!({"errcode": 0, "errmsg": "ok"})));
        assert!(!accepted(
            "wecom",
            &json!({"errcode": 93000, "errmsg": "invalid webhook url"})
        ));
        assert!(accepted("feishu", &json!({"code": 0})) && !accepted("feishu", &json!({"code": 19001})));
    }
}
