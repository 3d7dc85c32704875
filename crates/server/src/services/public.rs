//! The owner portal's use-cases (R-IN-5, API.md "Public"): file a complaint without an account,
//! follow it by number plus phone or tracking token, read replies, confirm or object, and rate
//! the service. A caller whose number and phone (or token) do not match learns nothing: every
//! miss is the same 404. Requests are rate limited per address.

use crate::auth::{new_secret, token_hash, Principal};
use crate::error::{AppError, AppResult};
use crate::services::bootstrap::PORTAL_USER;
use crate::services::{complaints as svc, workflow};
use crate::state::AppState;
use domain::access::{scope_of, Grant};
use domain::intake::NewComplaint;
use domain::{Code, Role, Satisfaction, State};
use futures::FutureExt;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The principal the portal acts as: the `portal` system user with the service role over the
/// whole organisation. Only this module uses it, after checking the owner's number and phone.
async fn portal(state: &AppState) -> AppResult<Principal> {
    let mut r = state.store.reader().await?;
    let user = store::users::by_username(&mut r.conn(), PORTAL_USER)
        .await?
        .ok_or_else(|| AppError::Internal("the portal user is missing".into()))?;
    let grants = vec![Grant {
        role: Role::Agent,
        org_path: "/".into(),
        department: None,
    }];
    Ok(Principal {
        user_id: user.id,
        username: user.username,
        display_name: user.display_name,
        scope: scope_of(&grants),
        grants,
    })
}

/// Files an owner's complaint; returns `{number, tracking_token}`.
pub async fn file(state: &AppState, new: NewComplaint) -> AppResult<Value> {
    let who = portal(state).await?;
    let done = svc::register(state, &who, new, None).await?;
    let number = done.body["number"].as_str().unwrap_or_default().to_string();
    let token = new_secret();
    let (n2, hash) = (number.clone(), token_hash(&token));
    state
        .store
        .write(move |c| {
            async move { Ok::<_, AppError>(store::complaints::set_tracking_hash(c, &n2, &hash).await?) }.boxed()
        })
        .await?;
    Ok(json!({"number": number, "tracking_token": token}))
}

/// Adds the photos of a filing just made (the portal's own filing, so no proof is asked).
pub async fn attach(state: &AppState, number: &str, files: Vec<crate::services::attachments::Upload>) -> AppResult<()> {
    let who = portal(state).await?;
    crate::services::attachments::add(state, &who, number, files)
        .await
        .map(|_| ())
}

/// How an owner proves a complaint is theirs.
#[derive(Debug, Clone)]
pub enum Proof {
    /// The phone given when filing.
    Phone(String),
    /// The tracking token returned when filing.
    Token(String),
}

impl Proof {
    /// From query or form fields `phone` / `token`.
    pub fn from_fields(phone: Option<&str>, token: Option<&str>) -> Option<Proof> {
        match (token, phone) {
            (Some(t), _) if !t.is_empty() && t.len() <= 100 => Some(Proof::Token(t.to_string())),
            (_, Some(p)) if !p.is_empty() && p.len() <= 40 => Some(Proof::Phone(p.to_string())),
            _ => None,
        }
    }
}

/// Checks the proof; any mismatch is NotFound, like a number that does not exist.
async fn verify(state: &AppState, number: &str, proof: &Proof) -> AppResult<()> {
    if !domain::number::is_well_formed(number) {
        return Err(AppError::NotFound);
    }
    let mut r = state.store.reader().await?;
    let (hash, phone) = store::complaints::owner_keys(&mut r.conn(), number)
        .await?
        .ok_or(AppError::NotFound)?;
    let ok = match proof {
        Proof::Token(t) => hash.is_some_and(|h| h == token_hash(t)),
        Proof::Phone(p) => match (domain::contact::Phone::parse("phone", p), phone) {
            (Ok(given), Some(stored)) => given.as_str() == stored,
            _ => false,
        },
    };
    if ok {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// What an owner may see of their complaint: state, replies, expected reply time and what they
/// may do now; never staff names, internal notes, grading or other people's data.
pub async fn track(state: &AppState, number: &str, proof: &Proof) -> AppResult<Value> {
    verify(state, number, proof).await?;
    let who = portal(state).await?;
    let c = svc::get(state, &who, number).await?;
    let timeline = workflow::timeline(state, &who, number).await?;
    let replies: Vec<Value> = timeline["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["kind"] == "reply")
        .map(|e| json!({"at": e["at"], "content": e["detail"]["detail"]["content"]}))
        .collect();
    let progress: Vec<Value> = timeline["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let action = e["kind"].as_str()?;
            let public = [
                "registered",
                "dispatch",
                "respond",
                "reply",
                "confirm",
                "object",
                "callback",
                "close",
                "extend",
            ];
            public
                .contains(&action)
                .then(|| json!({"at": e["at"], "event": action}))
        })
        .collect();
    let state_code = c["state"].as_str().unwrap_or_default();
    let st = State::from_code(state_code);
    let expected = c["deadlines"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|d| d["clock"] == "feedback" || d["clock"] == "final_handling")
        .map(|d| d["due_at"].clone())
        .unwrap_or(Value::Null);
    Ok(json!({
        "number": c["number"],
        "state": state_code,
        "subject": c["subject"],
        "description": c["description"],
        "project": c["project"]["name"],
        "received_at": c["received_at"],
        "expected_reply_by": expected,
        "replies": replies,
        "progress": progress,
        "may_confirm": st == Some(State::Replied),
        "may_object": st == Some(State::Replied),
        "may_rate": st == Some(State::AwaitingCallback),
    }))
}

/// What an owner does: accept the result, object to it, or rate the service.
#[derive(Debug, Clone)]
pub enum OwnerAction {
    /// Accept the reply.
    Confirm,
    /// Object, with a reason.
    Object(String),
    /// Rate satisfaction, with remarks.
    Rate(Satisfaction, Option<String>),
}

/// Takes an owner's action on their complaint, as the portal user, through the workflow.
pub async fn act(state: &AppState, number: &str, proof: &Proof, action: OwnerAction) -> AppResult<Value> {
    verify(state, number, proof).await?;
    let who = portal(state).await?;
    let current = svc::get(state, &who, number).await?;
    let version = current["version"].as_i64().unwrap_or(0);
    let cmd = match action {
        OwnerAction::Confirm => workflow::Command::Confirm {
            comment: Some("业主在线确认".into()),
        },
        OwnerAction::Object(reason) => workflow::Command::Object { reason },
        OwnerAction::Rate(s, remarks) => workflow::Command::Callback {
            satisfaction: Some(s),
            remarks: Some(remarks.unwrap_or_else(|| "业主在线评价".into())),
            impossible_reason: None,
        },
    };
    workflow::act(state, &who, number, version, cmd).await?;
    track(state, number, proof).await
}

/// A fixed-window limit per client address: at most `max` requests per `window`.
pub struct RateLimiter {
    max: u32,
    window: Duration,
    seen: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl RateLimiter {
    /// A limiter of `max` per `window`.
    pub fn new(max: u32, window: Duration) -> RateLimiter {
        RateLimiter {
            max,
            window,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a request; Err(RateLimited) when the address is over its limit.
    pub fn check(&self, ip: IpAddr) -> AppResult<()> {
        let now = Instant::now();
        let mut seen = self.seen.lock().expect("rate limiter");
        if seen.len() > 100_000 {
            let window = self.window;
            seen.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let entry = seen.entry(ip).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        if entry.1 > self.max {
            Err(AppError::RateLimited)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limiter_counts_per_address() {
        let l = RateLimiter::new(2, Duration::from_secs(60));
        let (a, b): (IpAddr, IpAddr) = ("127.0.0.1".parse().unwrap(), "127.0.0.2".parse().unwrap());
        assert!(l.check(a).is_ok() && l.check(a).is_ok());
        assert!(matches!(l.check(a), Err(AppError::RateLimited)));
        assert!(l.check(b).is_ok(), "another address has its own count");
        assert!(Proof::from_fields(Some(""), None).is_none());
        assert!(matches!(
            Proof::from_fields(Some("138"), Some("tok")),
            Some(Proof::Token(_))
        ));
    }
}
