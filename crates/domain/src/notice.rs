//! Which staff notices go beyond the in-app inbox (R-NT-1): every notice lands in the inbox;
//! a user may also take them by e-mail or SMS, all of them or only the important ones.

use crate::codes::NoticeLevel;

/// Notice kinds that are important whatever the complaint's grade: the reminder notice (催办单),
/// each escalation up the ladder and the overdue inquiry (洽办单) (R-SLA-3).
pub const IMPORTANT_KINDS: [&str; 4] = [
    "deadline_reminder",
    "deadline_escalated",
    "overdue_inquiry",
    "early_warning",
];

/// Whether a notice of `kind` goes out on a channel the user set to `level`; `urgent` is whether
/// the complaint is graded urgent (its every notice is important).
pub fn wanted(level: NoticeLevel, kind: &str, urgent: bool) -> bool {
    match level {
        NoticeLevel::Off => false,
        NoticeLevel::All => true,
        NoticeLevel::Important => urgent || IMPORTANT_KINDS.contains(&kind),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_choose_notices() {
        use NoticeLevel::*;
        let cases = [
            (Off, "deadline_escalated", true, false),
            (All, "plan_awaiting_approval", false, true),
            (Important, "deadline_warning", false, false),
            (Important, "deadline_warning", true, true),
            (Important, "deadline_reminder", false, true),
            (Important, "deadline_escalated", false, true),
            (Important, "overdue_inquiry", false, true),
            (Important, "assigned", false, false),
        ];
        for (level, kind, urgent, want) in cases {
            assert_eq!(wanted(level, kind, urgent), want, "{level:?} {kind} urgent={urgent}");
        }
    }
}

/// A user's own settings: contact addresses, notice channels and interface language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preferences {
    /// E-mail address for notices.
    pub email: Option<String>,
    /// Mobile number for SMS notices.
    pub phone: Option<String>,
    /// Which notices also go by e-mail.
    pub notify_email: NoticeLevel,
    /// Which notices also go by SMS.
    pub notify_sms: NoticeLevel,
    /// Interface and notice language.
    pub locale: crate::codes::Locale,
}

impl Preferences {
    /// Applies a partial update (`email`, `phone`, `notifications: {email, sms}`, `locale`);
    /// fields left out keep their value, `null` clears an address. A channel that is on needs
    /// its address, and SMS needs a mobile number.
    pub fn patch(&self, body: &serde_json::Value) -> Result<Preferences, Vec<crate::FieldError>> {
        use crate::codes::{Code, Locale};
        use crate::contact::{Email, Phone};
        use crate::FieldError;
        use serde_json::Value;
        let mut errors = Vec::new();
        let mut next = self.clone();
        let Some(fields) = body.as_object() else {
            return Err(vec![FieldError::new("body", "must be a JSON object")]);
        };
        for (key, value) in fields {
            match (key.as_str(), value) {
                ("email", Value::Null) => next.email = None,
                ("email", Value::String(s)) => match Email::parse("email", s) {
                    Ok(e) => next.email = Some(e.as_str().to_string()),
                    Err(e) => errors.push(e),
                },
                ("phone", Value::Null) => next.phone = None,
                ("phone", Value::String(s)) => match Phone::parse("phone", s) {
                    Ok(p) => next.phone = Some(p.as_str().to_string()),
                    Err(e) => errors.push(e),
                },
                ("notifications", Value::Object(m)) => {
                    for (channel, level) in m {
                        let parsed = level.as_str().and_then(NoticeLevel::from_code);
                        let field = format!("notifications.{}", channel.chars().take(20).collect::<String>());
                        match (channel.as_str(), parsed) {
                            ("email", Some(l)) => next.notify_email = l,
                            ("sms", Some(l)) => next.notify_sms = l,
                            ("email" | "sms", None) => errors.push(FieldError::new(
                                field,
                                format!("must be one of: {}", NoticeLevel::expected()),
                            )),
                            _ => errors.push(FieldError::new(field, "is not a channel (email, sms)")),
                        }
                    }
                }
                ("locale", v) => match v.as_str().and_then(Locale::from_code) {
                    Some(l) => next.locale = l,
                    None => errors.push(FieldError::new(
                        "locale",
                        format!("must be one of: {}", Locale::expected()),
                    )),
                },
                ("email" | "phone", _) => errors.push(FieldError::new(key.as_str(), "must be a string or null")),
                ("notifications", _) => errors.push(FieldError::new("notifications", "must be an object")),
                _ => errors.push(FieldError::new(
                    key.chars().take(40).collect::<String>(),
                    "is not a known field",
                )),
            }
        }
        if errors.is_empty() {
            if next.notify_email != NoticeLevel::Off && next.email.is_none() {
                errors.push(FieldError::new("notifications.email", "needs an e-mail address"));
            }
            let mobile = next.phone.as_deref().is_some_and(|p| p.starts_with('1'));
            if next.notify_sms != NoticeLevel::Off && !mobile {
                errors.push(FieldError::new("notifications.sms", "needs a mobile phone number"));
            }
        }
        if errors.is_empty() {
            Ok(next)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod preference_tests {
    use super::*;
    use crate::codes::Locale;
    use serde_json::json;

    fn none() -> Preferences {
        Preferences {
            email: None,
            phone: None,
            notify_email: NoticeLevel::Off,
            notify_sms: NoticeLevel::Off,
            locale: Locale::Zh,
        }
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let p = none()
            .patch(&json!({"email": "Zhao@Example.com", "notifications": {"email": "all"}}))
            .unwrap();
        assert_eq!(p.notify_email, NoticeLevel::All);
        assert_eq!(p.notify_sms, NoticeLevel::Off);
        assert!(p.email.is_some());
        let p = p
            .patch(&json!({"phone": "+86 139 0000 1111", "notifications": {"sms": "important"}, "locale": "en"}))
            .unwrap();
        assert_eq!(p.phone.as_deref(), Some("13900001111"));
        assert_eq!((p.notify_sms, p.locale), (NoticeLevel::Important, Locale::En));
        assert_eq!(p.patch(&json!({})).unwrap(), p);
    }

    #[test]
    fn bad_patches_name_the_field() {
        let cases = [
            (json!({"notifications": {"email": "all"}}), "notifications.email"),
            (
                json!({"phone": "020-12345678", "notifications": {"sms": "all"}}),
                "notifications.sms",
            ),
            (json!({"notifications": {"email": "sometimes"}}), "notifications.email"),
            (json!({"notifications": {"fax": "all"}}), "notifications.fax"),
            (json!({"notifications": "all"}), "notifications"),
            (json!({"email": "not an address"}), "email"),
            (json!({"email": 5}), "email"),
            (json!({"locale": "fr"}), "locale"),
            (json!({"role": "admin"}), "role"),
        ];
        for (body, field) in cases {
            let errors = none().patch(&body).unwrap_err();
            assert_eq!(errors[0].field, field, "{body}");
        }
        assert!(none().patch(&json!([])).is_err());
    }
}
