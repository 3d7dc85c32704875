//! Field-level validation shared by every parser of outside input.

use serde::Serialize;

/// One problem with one field of a request, reported in problem+json `errors`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Dotted path of the field, e.g. `complainant.phone`.
    pub field: String,
    /// What is wrong, in plain words.
    pub message: String,
}

impl FieldError {
    /// Builds a field error.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Whether a text field may span several lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// Tabs and line breaks are rejected too.
    Single,
    /// Tab, line feed and carriage return are allowed.
    Multi,
}

/// Checks a free-text field: trims it, rejects empty, over-long and control characters.
///
/// Length counts Unicode scalar values, so a Chinese character or an emoji counts as one.
pub fn text(field: &str, value: &str, max_chars: usize, lines: Lines) -> Result<String, FieldError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(field, "must not be empty or only whitespace"));
    }
    let count = trimmed.chars().count();
    if count > max_chars {
        return Err(FieldError::new(
            field,
            format!("is {count} characters long; at most {max_chars} allowed"),
        ));
    }
    if let Some(c) = trimmed.chars().find(|c| is_forbidden(*c, lines)) {
        return Err(FieldError::new(
            field,
            format!("contains the control character U+{:04X}", c as u32),
        ));
    }
    Ok(trimmed.to_string())
}

/// Like [`text`], but an absent or blank value becomes `None`.
pub fn optional_text(
    field: &str,
    value: Option<&str>,
    max_chars: usize,
    lines: Lines,
) -> Result<Option<String>, FieldError> {
    match value {
        None => Ok(None),
        Some(v) if v.trim().is_empty() => Ok(None),
        Some(v) => text(field, v, max_chars, lines).map(Some),
    }
}

fn is_forbidden(c: char, lines: Lines) -> bool {
    let allowed_break = lines == Lines::Multi && matches!(c, '\n' | '\r' | '\t');
    // C0/C1 controls, DEL, and the bidirectional overrides that can disguise text.
    let control = c.is_control() && !allowed_break;
    let bidi = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    control || bidi || c == '\u{FEFF}'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_rules() {
        assert_eq!(text("f", "  漏水 😀 ", 10, Lines::Single).unwrap(), "漏水 😀");
        assert!(text("f", "   ", 10, Lines::Single).is_err());
        assert!(text("f", "", 10, Lines::Single).is_err());
        assert!(text("f", "一二三四五六七八九十", 10, Lines::Single).is_ok());
        assert!(text("f", "一二三四五六七八九十一", 10, Lines::Single).is_err());
        assert!(text("f", "a\u{0007}b", 10, Lines::Multi).is_err());
        assert!(text("f", "a\nb", 10, Lines::Single).is_err());
        assert!(text("f", "a\nb\tc", 10, Lines::Multi).is_ok());
        assert!(text("f", "a\u{202E}b", 10, Lines::Multi).is_err());
        assert!(text("f", "a\u{0000}b", 10, Lines::Multi).is_err());
        assert_eq!(optional_text("f", Some("  "), 5, Lines::Single).unwrap(), None);
        assert_eq!(optional_text("f", None, 5, Lines::Single).unwrap(), None);
    }
}
