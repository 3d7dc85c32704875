//! Use-cases: each one a single transaction (load → domain decision → save events and outbox).

pub mod analysis;
pub mod attachments;
pub mod auth;
pub mod bootstrap;
pub mod calendar;
pub mod casefile;
pub mod clocks;
pub mod complaints;
pub mod deliver;
pub mod export;
pub mod hours;
pub mod import;
pub mod insight;
pub mod letter;
pub mod me;
pub mod money;
pub mod pdf;
pub mod privacy;
pub mod public;
pub mod register;
pub mod reports;
pub mod responsibility;
pub mod robots;
pub mod sanctions;
pub mod search;
pub mod settings;
pub mod sweep;
pub mod users;
pub mod view;
pub mod warnings;
pub mod workflow;

/// A required free-text field: trimmed, 1 to `max` characters, or a 422 naming it.
pub(crate) fn text_field(name: &str, value: &str, max: usize) -> crate::error::AppResult<String> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max {
        return Err(crate::error::AppError::field(
            name,
            format!("is required, at most {max} characters"),
        ));
    }
    Ok(v.to_string())
}

/// Refuses a JSON object with a field outside `known`, naming the first (cut to 40 characters).
pub(crate) fn reject_unknown(
    m: &serde_json::Map<String, serde_json::Value>,
    known: &[&str],
) -> crate::error::AppResult<()> {
    match m.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(crate::error::AppError::field(
            &k.chars().take(40).collect::<String>(),
            "is not a known field",
        )),
        None => Ok(()),
    }
}
