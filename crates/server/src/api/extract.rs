//! Turning outside input into typed values at the edge: JSON bodies (415, 413, 400, 422) and
//! query strings, each failure a problem+json that names the field.

use crate::error::AppError;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use domain::FieldError;
use serde_json::{Map, Value};

/// A JSON object body, checked for content type, size and syntax.
pub struct JsonObject(pub Map<String, Value>);

impl FromRequest<AppState> for JsonObject {
    type Rejection = AppError;

    async fn from_request(req: Request<Body>, state: &AppState) -> Result<Self, Self::Rejection> {
        let limit = state.config.max_json_bytes;
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !is_json(content_type) {
            return Err(AppError::UnsupportedMediaType(
                "Send the body as Content-Type: application/json.".into(),
            ));
        }
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let too_large = || AppError::TooLarge(format!("The body may be at most {limit} bytes."));
        if declared.is_some_and(|n| n > limit) {
            return Err(too_large());
        }
        let bytes = axum::body::to_bytes(req.into_body(), limit)
            .await
            .map_err(|_| too_large())?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(AppError::BadRequest("The body is empty; send a JSON object.".into()));
        }
        let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
            AppError::BadRequest(format!(
                "The body is not valid JSON: {e} (line {}, column {}).",
                e.line(),
                e.column()
            ))
        })?;
        match value {
            Value::Object(map) => Ok(JsonObject(map)),
            _ => Err(AppError::field("", "the body must be a JSON object")),
        }
    }
}

fn is_json(content_type: &str) -> bool {
    let mime = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// Reads typed fields out of a JSON object, collecting every type error and unknown field.
pub struct Fields<'a> {
    map: &'a Map<String, Value>,
    prefix: &'a str,
    /// Errors found so far.
    pub errors: Vec<FieldError>,
}

impl<'a> Fields<'a> {
    /// Starts reading `map`; `prefix` names nested objects in errors (`complainant.`).
    pub fn new(map: &'a Map<String, Value>, prefix: &'a str) -> Fields<'a> {
        Fields {
            map,
            prefix,
            errors: Vec::new(),
        }
    }

    fn name(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// A string or null.
    pub fn string(&mut self, key: &str) -> Option<String> {
        match self.map.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                self.errors.push(FieldError::new(
                    self.name(key),
                    format!("must be a string, not {}", kind(other)),
                ));
                None
            }
        }
    }

    /// An integer or null.
    pub fn integer(&mut self, key: &str) -> Option<i64> {
        match self.map.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64(),
            Some(other) => {
                self.errors.push(FieldError::new(
                    self.name(key),
                    format!("must be an integer, not {}", kind(other)),
                ));
                None
            }
        }
    }

    /// A nested object or null.
    pub fn object(&mut self, key: &str) -> Option<&'a Map<String, Value>> {
        match self.map.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Object(m)) => Some(m),
            Some(other) => {
                self.errors.push(FieldError::new(
                    self.name(key),
                    format!("must be an object, not {}", kind(other)),
                ));
                None
            }
        }
    }

    /// Reports every key not in `known`.
    pub fn reject_unknown(&mut self, known: &[&str]) {
        for key in self.map.keys().filter(|k| !known.contains(&k.as_str())) {
            let shown: String = key.chars().take(40).collect();
            self.errors
                .push(FieldError::new(self.name(&shown), "is not a known field"));
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The pairs of a query string, decoded; repeated keys are kept.
pub fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}
