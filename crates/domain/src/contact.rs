//! Contact details of complainants: mainland phone numbers and e-mail addresses (R-ORG-5, R-SEC-2).

use crate::validate::FieldError;

/// A normalised mainland phone number: an 11-digit mobile or a landline `0AA(A)-NNNNNNN(N)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    /// Parses a phone number as people type it: spaces, dashes and a `+86`/`86` prefix are accepted.
    pub fn parse(field: &str, raw: &str) -> Result<Phone, FieldError> {
        let bad = || {
            FieldError::new(
                field,
                "is not a mainland mobile (11 digits, 1[3-9]…) or landline number (0AA-NNNNNNNN)",
            )
        };
        let compact: String = raw
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
            .collect();
        let digits = compact
            .strip_prefix("+86")
            .or_else(|| compact.strip_prefix("0086"))
            .or_else(|| {
                if compact.len() == 13 {
                    compact.strip_prefix("86")
                } else {
                    None
                }
            })
            .unwrap_or(&compact);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let b = digits.as_bytes();
        if b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) {
            return Ok(Phone(digits.to_string()));
        }
        // Landline: area code 0 + 2 or 3 digits (never 00: that is an international prefix),
        // subscriber 7 or 8 digits.
        if (10..=12).contains(&b.len()) && b[0] == b'0' && b[1] != b'0' {
            let area = if matches!(b[1], b'1' | b'2') { 3 } else { 4 };
            let local = b.len() - area;
            if (7..=8).contains(&local) {
                return Ok(Phone(format!("{}-{}", &digits[..area], &digits[area..])));
            }
        }
        Err(bad())
    }

    /// The normalised number.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number masked for display to roles that do not need it (R-SEC-2): `138****5678`.
    pub fn masked(&self) -> String {
        mask_phone(&self.0)
    }
}

/// Masks a stored phone number, keeping the first three and last four characters.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

/// A syntactically plausible e-mail address, lower-cased domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Parses an address: one `@`, a non-empty local part, a dotted domain, no spaces, at most 254 characters.
    pub fn parse(field: &str, raw: &str) -> Result<Email, FieldError> {
        let v = raw.trim();
        let bad = || FieldError::new(field, "is not a valid e-mail address");
        if v.len() > 254 || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = v.split_once('@').ok_or_else(bad)?;
        let labels_ok = domain
            .split('.')
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'));
        if local.is_empty() || local.len() > 64 || domain.contains('@') || !domain.contains('.') || !labels_ok {
            return Err(bad());
        }
        Ok(Email(format!("{local}@{}", domain.to_lowercase())))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Masks an e-mail address for display: `z***@example.com`.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones() {
        let cases = [
            ("13812345678", Some("13812345678")),
            ("138 1234 5678", Some("13812345678")),
            ("+86 138-1234-5678", Some("13812345678")),
            ("8613812345678", Some("13812345678")),
            ("020-87654321", Some("020-87654321")),
            ("0755 1234567", Some("0755-1234567")),
            ("12812345678", None),
            ("1381234567", None),
            ("138123456789", None),
            ("abc", None),
            ("", None),
            ("１３８１２３４５６７８", None),
            ("13812345678; DROP TABLE", None),
            // Found by the fuzzer: "00…" is an international prefix, not an area code; it was
            // accepted as 0086-0080863, which did not parse again.
            (" +8600860080863", None),
            ("00860080863", None),
            ("0", None),
        ];
        for (raw, want) in cases {
            assert_eq!(
                Phone::parse("p", raw).ok().map(|p| p.0),
                want.map(String::from),
                "{raw}"
            );
        }
    }

    #[test]
    fn masking() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("020-87654321"), "020*****4321");
        assert_eq!(mask_email("zhang@example.com"), "z***@example.com");
    }

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse("e", "Zhang@Example.COM").unwrap().as_str(),
            "Zhang@example.com"
        );
        for bad in ["", "a", "a@b", "a@@b.cn", "a b@c.cn", "@c.cn", "a@.cn", "a@c..cn"] {
            assert!(Email::parse("e", bad).is_err(), "{bad}");
        }
        assert!(Email::parse("e", "张三@例子.中国").is_ok());
    }
}
