//! Intake (R-IN-1, R-IN-2, R-IN-6): a request body becomes a [`NewComplaint`] only if every field
//! is valid; otherwise every problem is reported at once.

use crate::codes::{Channel, Code, ComplainantKind, Grade, Stage};
use crate::contact::{Email, Phone};
use crate::time::parse_rfc3339;
use crate::validate::{optional_text, text, FieldError, Lines};
use chrono::{DateTime, Duration, Utc};

/// Longest accepted lengths, in characters.
pub mod limits {
    /// Complainant name.
    pub const NAME: usize = 50;
    /// Building, unit.
    pub const PLACE: usize = 50;
    /// Location within the unit (部位).
    pub const LOCATION: usize = 200;
    /// Subject line.
    pub const SUBJECT: usize = 200;
    /// Description.
    pub const DESCRIPTION: usize = 5000;
    /// Demands.
    pub const DEMANDS: usize = 2000;
    /// A reason or remark.
    pub const REASON: usize = 500;
    /// A code such as a project or category code.
    pub const CODE: usize = 64;
    /// Households raising one matter.
    pub const HOUSEHOLDS: i64 = 100_000;
    /// Tolerated clock skew for `received_at`, in seconds.
    pub const FUTURE_SKEW_SECS: i64 = 60;
}

/// The fields of a registration request as they arrived (types already checked, values not).
#[derive(Debug, Clone, Default)]
pub struct RawComplaint {
    /// `channel`
    pub channel: Option<String>,
    /// `complainant.name`
    pub name: Option<String>,
    /// `complainant.phone`
    pub phone: Option<String>,
    /// `complainant.email`
    pub email: Option<String>,
    /// `complainant.kind`
    pub kind: Option<String>,
    /// `project_code`
    pub project_code: Option<String>,
    /// `building`
    pub building: Option<String>,
    /// `unit`
    pub unit: Option<String>,
    /// `location`
    pub location: Option<String>,
    /// `stage`
    pub stage: Option<String>,
    /// `subject`
    pub subject: Option<String>,
    /// `description`
    pub description: Option<String>,
    /// `demands`
    pub demands: Option<String>,
    /// `received_at`
    pub received_at: Option<String>,
    /// `category_code`
    pub category_code: Option<String>,
    /// `grade`
    pub grade: Option<String>,
    /// `grade_reason`: why the agent chose the grade.
    pub grade_reason: Option<String>,
    /// `households`
    pub households: Option<i64>,
    /// `complained_employee`: username of the employee complained about (R-WF-3).
    pub complained_employee: Option<String>,
}

/// The complainant part of a valid registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComplainant {
    /// Name as given.
    pub name: String,
    /// Normalised phone, if given.
    pub phone: Option<Phone>,
    /// E-mail, if given.
    pub email: Option<Email>,
    /// Kind; `owner` by default.
    pub kind: ComplainantKind,
}

/// A registration whose every field is valid. Existence of the project and category is checked
/// by the service, which has the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComplaint {
    /// Intake channel.
    pub channel: Channel,
    /// Who complains.
    pub complainant: NewComplainant,
    /// Project code, trimmed.
    pub project_code: String,
    /// Building name.
    pub building: Option<String>,
    /// Unit (房号).
    pub unit: Option<String>,
    /// Location in the unit (部位).
    pub location: Option<String>,
    /// Lifecycle stage.
    pub stage: Option<Stage>,
    /// Subject line.
    pub subject: String,
    /// Description.
    pub description: String,
    /// Demands (具体诉求).
    pub demands: Option<String>,
    /// When the complaint was received; never in the future.
    pub received_at: DateTime<Utc>,
    /// The agent's category, if chosen.
    pub category_code: Option<String>,
    /// The agent's grade, if chosen.
    pub grade: Option<Grade>,
    /// The agent's reason for the grade.
    pub grade_reason: Option<String>,
    /// Households raising the matter, at least 1.
    pub households: i32,
    /// Username of the employee complained about, who is then recused (R-WF-3).
    pub complained_employee: Option<String>,
}

impl NewComplaint {
    /// Parses a raw registration at instant `now`, collecting every field error.
    pub fn parse(raw: &RawComplaint, now: DateTime<Utc>) -> Result<NewComplaint, Vec<FieldError>> {
        let mut errors = Vec::new();

        let channel = keep(&mut errors, required_code::<Channel>("channel", raw.channel.as_deref()));
        let name = keep(
            &mut errors,
            required_text("complainant.name", raw.name.as_deref(), limits::NAME, Lines::Single),
        );
        let phone = keep(
            &mut errors,
            optional(raw.phone.as_deref())
                .map(|p| Phone::parse("complainant.phone", p))
                .transpose(),
        );
        let email = keep(
            &mut errors,
            optional(raw.email.as_deref())
                .map(|e| Email::parse("complainant.email", e))
                .transpose(),
        );
        if optional(raw.phone.as_deref()).is_none() && optional(raw.email.as_deref()).is_none() {
            keep(
                &mut errors,
                Err::<(), _>(FieldError::new(
                    "complainant.phone",
                    "a phone number or an e-mail address is required",
                )),
            );
        }
        let kind = keep(
            &mut errors,
            optional_code::<ComplainantKind>("complainant.kind", raw.kind.as_deref()),
        );
        let project_code = keep(
            &mut errors,
            required_text("project_code", raw.project_code.as_deref(), limits::CODE, Lines::Single),
        );
        let building = keep(
            &mut errors,
            optional_text("building", raw.building.as_deref(), limits::PLACE, Lines::Single),
        );
        let unit = keep(
            &mut errors,
            optional_text("unit", raw.unit.as_deref(), limits::PLACE, Lines::Single),
        );
        let location = keep(
            &mut errors,
            optional_text("location", raw.location.as_deref(), limits::LOCATION, Lines::Single),
        );
        let stage = keep(&mut errors, optional_code::<Stage>("stage", raw.stage.as_deref()));
        let subject = keep(
            &mut errors,
            required_text("subject", raw.subject.as_deref(), limits::SUBJECT, Lines::Single),
        );
        let description = keep(
            &mut errors,
            required_text(
                "description",
                raw.description.as_deref(),
                limits::DESCRIPTION,
                Lines::Multi,
            ),
        );
        let demands = keep(
            &mut errors,
            optional_text("demands", raw.demands.as_deref(), limits::DEMANDS, Lines::Multi),
        );
        let received_at = keep(&mut errors, received_at(raw.received_at.as_deref(), now));
        let category_code = keep(
            &mut errors,
            optional_text(
                "category_code",
                raw.category_code.as_deref(),
                limits::CODE,
                Lines::Single,
            ),
        );
        let grade = keep(&mut errors, optional_code::<Grade>("grade", raw.grade.as_deref()));
        let grade_reason = keep(
            &mut errors,
            optional_text(
                "grade_reason",
                raw.grade_reason.as_deref(),
                limits::REASON,
                Lines::Multi,
            ),
        );
        let households = keep(&mut errors, households(raw.households));
        let complained_employee = keep(
            &mut errors,
            optional_text(
                "complained_employee",
                raw.complained_employee.as_deref(),
                limits::CODE,
                Lines::Single,
            ),
        );

        if !errors.is_empty() {
            return Err(errors);
        }
        let missing = "validated above";
        Ok(NewComplaint {
            channel: channel.expect(missing),
            complainant: NewComplainant {
                name: name.expect(missing),
                phone: phone.expect(missing),
                email: email.expect(missing),
                kind: kind.expect(missing).unwrap_or(ComplainantKind::Owner),
            },
            project_code: project_code.expect(missing),
            building: building.expect(missing),
            unit: unit.expect(missing),
            location: location.expect(missing),
            stage: stage.expect(missing),
            subject: subject.expect(missing),
            description: description.expect(missing),
            demands: demands.expect(missing),
            received_at: received_at.expect(missing),
            category_code: category_code.expect(missing),
            grade: grade.expect(missing),
            grade_reason: grade_reason.expect(missing),
            households: households.expect(missing),
            complained_employee: complained_employee.expect(missing),
        })
    }

    /// Subject, description and demands as one text for the rules.
    pub fn full_text(&self) -> String {
        let mut t = format!("{}\n{}", self.subject, self.description);
        if let Some(d) = &self.demands {
            t.push('\n');
            t.push_str(d);
        }
        t
    }
}

fn keep<T>(errors: &mut Vec<FieldError>, r: Result<T, FieldError>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

fn optional(v: Option<&str>) -> Option<&str> {
    v.filter(|s| !s.trim().is_empty())
}

fn required_text(field: &str, v: Option<&str>, max: usize, lines: Lines) -> Result<String, FieldError> {
    match v {
        None => Err(FieldError::new(field, "is required")),
        Some(s) => text(field, s, max, lines),
    }
}

/// Parses a required enumeration code.
pub fn required_code<T: Code>(field: &str, v: Option<&str>) -> Result<T, FieldError> {
    match v {
        None => Err(FieldError::new(field, "is required")),
        Some(s) => T::from_code(s.trim()).ok_or_else(|| unknown_code::<T>(field, s)),
    }
}

/// Parses an optional enumeration code; blank counts as absent.
pub fn optional_code<T: Code>(field: &str, v: Option<&str>) -> Result<Option<T>, FieldError> {
    match optional(v) {
        None => Ok(None),
        Some(s) => T::from_code(s.trim())
            .map(Some)
            .ok_or_else(|| unknown_code::<T>(field, s)),
    }
}

fn unknown_code<T: Code>(field: &str, given: &str) -> FieldError {
    let shown: String = given.chars().take(40).collect();
    FieldError::new(
        field,
        format!("unknown code `{shown}`; expected one of: {}", T::expected()),
    )
}

fn received_at(v: Option<&str>, now: DateTime<Utc>) -> Result<DateTime<Utc>, FieldError> {
    let Some(s) = optional(v) else { return Ok(now) };
    let t = parse_rfc3339(s)
        .ok_or_else(|| {
            FieldError::new(
                "received_at",
                "must be an RFC 3339 time with offset, e.g. 2026-11-22T10:00:00+08:00",
            )
        })?
        .with_timezone(&Utc);
    if t > now + Duration::seconds(limits::FUTURE_SKEW_SECS) {
        return Err(FieldError::new("received_at", "lies in the future"));
    }
    if t.timestamp() < 946_684_800 {
        return Err(FieldError::new(
            "received_at",
            "is before 2000-01-01; historical complaints are imported, not registered",
        ));
    }
    Ok(t)
}

fn households(v: Option<i64>) -> Result<i32, FieldError> {
    match v {
        None => Ok(1),
        Some(n) if (1..=limits::HOUSEHOLDS).contains(&n) => Ok(n as i32),
        Some(_) => Err(FieldError::new(
            "households",
            format!("must be between 1 and {}", limits::HOUSEHOLDS),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 2, 0, 0).unwrap()
    }

    fn valid() -> RawComplaint {
        RawComplaint {
            channel: Some("hotline".into()),
            name: Some("张三".into()),
            phone: Some("13812345678".into()),
            project_code: Some("GZ-001".into()),
            subject: Some("卫生间天花板漏水".into()),
            description: Some("楼上卫生间渗水到我家天花板，已经三天了。😀".into()),
            received_at: Some("2026-11-22T10:00:00+08:00".into()),
            ..Default::default()
        }
    }

    fn fields(raw: RawComplaint) -> Vec<String> {
        NewComplaint::parse(&raw, now())
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_valid_body_parses_with_defaults() {
        let c = NewComplaint::parse(&valid(), now()).unwrap();
        assert_eq!(c.channel, Channel::Hotline);
        assert_eq!(c.complainant.kind, ComplainantKind::Owner);
        assert_eq!(c.households, 1);
        assert_eq!(c.received_at, now());
        assert!(c.description.ends_with('😀'));
        let no_time = RawComplaint {
            received_at: None,
            ..valid()
        };
        assert_eq!(NewComplaint::parse(&no_time, now()).unwrap().received_at, now());
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let raw = RawComplaint {
            channel: Some("pigeon".into()),
            name: Some("  ".into()),
            phone: Some("123".into()),
            subject: None,
            description: Some("a\u{0001}b".into()),
            received_at: Some("2026-11-23T10:00:00+08:00".into()),
            grade: Some("critical".into()),
            households: Some(0),
            stage: Some("x".into()),
            kind: Some("alien".into()),
            ..valid()
        };
        let mut got = fields(raw);
        got.sort();
        assert_eq!(
            got,
            [
                "channel",
                "complainant.kind",
                "complainant.name",
                "complainant.phone",
                "description",
                "grade",
                "households",
                "received_at",
                "stage",
                "subject"
            ]
        );
    }

    #[test]
    fn contact_rules() {
        assert_eq!(fields(RawComplaint { phone: None, ..valid() }), ["complainant.phone"]);
        let email_only = RawComplaint {
            phone: None,
            email: Some("a@b.cn".into()),
            ..valid()
        };
        assert!(NewComplaint::parse(&email_only, now()).is_ok());
        assert_eq!(
            fields(RawComplaint {
                email: Some("nope".into()),
                ..valid()
            }),
            ["complainant.email"]
        );
    }

    #[test]
    fn limits_and_times() {
        let long = "漏".repeat(limits::SUBJECT + 1);
        assert_eq!(
            fields(RawComplaint {
                subject: Some(long),
                ..valid()
            }),
            ["subject"]
        );
        assert_eq!(
            fields(RawComplaint {
                received_at: Some("yesterday".into()),
                ..valid()
            }),
            ["received_at"]
        );
        assert_eq!(
            fields(RawComplaint {
                received_at: Some("1999-12-31T00:00:00+08:00".into()),
                ..valid()
            }),
            ["received_at"]
        );
        assert_eq!(
            fields(RawComplaint {
                households: Some(100_001),
                ..valid()
            }),
            ["households"]
        );
        let skew = RawComplaint {
            received_at: Some("2026-11-22T10:00:30+08:00".into()),
            ..valid()
        };
        assert!(
            NewComplaint::parse(&skew, now()).is_ok(),
            "30 s of clock skew is tolerated"
        );
    }
}
