//! Delivering the outbox (R-NT-1…3): SMS through the configured HTTP gateway and e-mail over
//! SMTP, with retries and exponential back-off. A message is leased in one short transaction,
//! sent outside any transaction, and its outcome recorded in another; a failure is kept and
//! visible, never dropped, and never blocks the workflow that wrote the message.

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use chrono::Duration;
use domain::time::to_millis;
use futures::FutureExt;
use lettre::message::header::ContentType;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde_json::{json, Value};
use store::outbox::{self, Leased};

/// Messages leased per round.
pub const BATCH: i64 = 50;
/// Attempts before a message is given up as `failed` (still kept and listed).
pub const MAX_ATTEMPTS: i32 = 12;
/// How long a sender may hold a message before another may take it.
pub const LEASE_SECONDS: i64 = 120;

/// What one delivery round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Messages delivered.
    pub delivered: usize,
    /// Attempts that failed and will be retried.
    pub retrying: usize,
    /// Messages given up after the last attempt.
    pub failed: usize,
}

/// Back-off after the `attempt`th failure: 30 s, doubling, at most one hour.
pub fn backoff(attempt: i32) -> Duration {
    let seconds = 30i64.saturating_mul(1i64 << attempt.clamp(0, 16));
    Duration::seconds(seconds.min(3600))
}

fn text(payload: &Value) -> (String, String) {
    let zh = payload["zh"].as_str().unwrap_or_default().to_string();
    let en = payload["en"].as_str().unwrap_or_default().to_string();
    (zh, en)
}

async fn send_sms(state: &AppState, http: &reqwest::Client, m: &Leased, payload: &Value) -> Result<(), String> {
    let url = state
        .config
        .sms_gateway_url
        .as_deref()
        .ok_or("no SMS gateway is configured (KESU_SMS_GATEWAY_URL)")?;
    let (zh, en) = text(payload);
    // Staff who chose English get English; customers get Chinese.
    let text = if payload["locale"] == "en" && !en.is_empty() {
        en
    } else {
        zh
    };
    let body = json!({"id": m.id, "phone": m.recipient, "text": text});
    let r = http
        .post(url)
        .header("Idempotency-Key", format!("kesu-outbox-{}", m.id))
        .json(&body)
        .send()
        .await
        .map_err(|e| format!("SMS gateway unreachable: {e}"))?;
    if r.status().is_success() {
        Ok(())
    } else {
        Err(format!("SMS gateway answered {}", r.status()))
    }
}

async fn send_email(state: &AppState, m: &Leased, payload: &Value) -> Result<(), String> {
    let url = state
        .config
        .smtp_url
        .as_deref()
        .ok_or("no SMTP server is configured (KESU_SMTP_URL)")?;
    let (zh, en) = text(payload);
    let number = payload["number"].as_str().unwrap_or_default();
    let message = Message::builder()
        .from(
            state
                .config
                .smtp_from
                .parse()
                .map_err(|e| format!("sender address: {e}"))?,
        )
        .to(m.recipient.parse().map_err(|e| format!("recipient address: {e}"))?)
        .subject(format!("客诉通知 Complaint notice {number}"))
        .header(ContentType::TEXT_PLAIN)
        .body(format!("{zh}\n\n{en}\n"))
        .map_err(|e| format!("building the message: {e}"))?;
    let mailer = mailer(url, state.config.smtp_ca_file.as_deref())?;
    mailer.send(message).await.map(|_| ()).map_err(|e| format!("SMTP: {e}"))
}

/// The SMTP transport of `KESU_SMTP_URL` (plain, STARTTLS or TLS, with credentials), trusting
/// `ca_file` instead of the public roots when a private CA signed the relay's certificate.
fn mailer(url: &str, ca_file: Option<&std::path::Path>) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|e| format!("KESU_SMTP_URL: {e}"))?;
    let builder = builder.timeout(Some(std::time::Duration::from_secs(15)));
    let Some(ca_file) = ca_file else {
        return Ok(builder.build());
    };
    let parsed = url::Url::parse(url).map_err(|e| format!("KESU_SMTP_URL: {e}"))?;
    let host = parsed.host_str().ok_or("KESU_SMTP_URL has no host")?;
    let pem = std::fs::read(ca_file).map_err(|e| format!("KESU_SMTP_CA_FILE {}: {e}", ca_file.display()))?;
    let ca = Certificate::from_pem(&pem).map_err(|e| format!("KESU_SMTP_CA_FILE: {e}"))?;
    let tls = TlsParameters::builder(host.to_string())
        .add_root_certificate(ca)
        .build_rustls()
        .map_err(|e| format!("TLS settings: {e}"))?;
    let query = |k: &str| {
        parsed
            .query_pairs()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.into_owned())
    };
    let mode = match (parsed.scheme(), query("tls").as_deref()) {
        ("smtps", _) => Tls::Wrapper(tls),
        (_, Some("required")) => Tls::Required(tls),
        (_, Some("opportunistic")) => Tls::Opportunistic(tls),
        _ => Tls::None,
    };
    Ok(builder.tls(mode).build())
}

async fn send_robot(http: &reqwest::Client, kind: &str, m: &Leased, payload: &Value) -> Result<(), String> {
    let (zh, _) = text(payload);
    let r = http
        .post(&m.recipient)
        .json(&crate::services::robots::body(kind, &zh))
        .send()
        .await
        .map_err(|e| format!("{kind} robot unreachable: {e}"))?;
    let status = r.status();
    let answer: Value = r.json().await.unwrap_or(Value::Null);
    if status.is_success() && crate::services::robots::accepted(kind, &answer) {
        Ok(())
    } else {
        Err(format!(
            "{kind} robot answered {status}: {}",
            answer.to_string().chars().take(200).collect::<String>()
        ))
    }
}

/// One round: lease due messages, send them, record the outcomes.
pub async fn run(state: &AppState) -> AppResult<DeliveryReport> {
    let now = state.clock.now();
    let (now_ms, lease_ms) = (to_millis(now), to_millis(now + Duration::seconds(LEASE_SECONDS)));
    let leased = state
        .store
        .write(move |c| async move { Ok::<_, AppError>(outbox::lease(c, now_ms, lease_ms, BATCH).await?) }.boxed())
        .await?;
    let http = &state.http;
    let mut report = DeliveryReport::default();
    for m in leased {
        let payload: Value = serde_json::from_str(&m.payload).unwrap_or(Value::Null);
        let outcome = match m.channel.as_str() {
            "sms" => send_sms(state, http, &m, &payload).await,
            "email" => send_email(state, &m, &payload).await,
            kind @ ("wecom" | "dingtalk" | "feishu") => send_robot(http, kind, &m, &payload).await,
            other => Err(format!("unknown channel {other}")),
        };
        let id = m.id;
        let attempts = m.attempts + 1;
        let retry_at = (attempts < MAX_ATTEMPTS).then(|| to_millis(now + backoff(m.attempts)));
        let metrics = &state.metrics;
        let counter = match &outcome {
            Ok(()) => {
                report.delivered += 1;
                &metrics.delivered
            }
            Err(e) if retry_at.is_some() => {
                tracing::warn!(id, attempts, error = %e, "delivery failed; will retry");
                report.retrying += 1;
                &metrics.delivery_failures
            }
            Err(e) => {
                tracing::error!(id, attempts, error = %e, "delivery failed for good; kept as failed");
                report.failed += 1;
                &metrics.delivery_given_up
            }
        };
        let channel = m.channel.clone();
        state
            .store
            .write(move |c| {
                async move {
                    match outcome {
                        Ok(()) => outbox::delivered(c, id, now_ms).await?,
                        Err(e) => outbox::attempt_failed(c, id, &e, retry_at).await?,
                    }
                    Ok::<_, AppError>(())
                }
                .boxed()
            })
            .await?;
        crate::metrics::Metrics::delivery(counter, &channel);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_doubles_to_an_hour() {
        let secs: Vec<i64> = (0..9).map(|a| super::backoff(a).num_seconds()).collect();
        assert_eq!(secs, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
    }
}
