//! Kesu's domain: the rules of the complaint regulations, pure and testable without IO.
//!
//! Time always arrives as an argument; nothing here reads a clock, a file or a database.

pub mod access;
pub mod accountability;
pub mod approval;
pub mod audit;
pub mod calendar;
pub mod category;
pub mod codes;
pub mod contact;
pub mod fuzzing;
pub mod grading;
pub mod hours;
pub mod import;
pub mod intake;
pub mod notice;
pub mod number;
pub mod org;
pub mod period;
pub mod phrase;
pub mod report;
pub mod search;
pub mod sla;
pub mod state;
pub mod sweep;
pub mod time;
pub mod validate;
pub mod warning;

pub use codes::{
    Channel, Code, ComplainantKind, ContactMethod, DeadlineState, ExpenseKind, Grade, IssueState, Locale, NoticeLevel,
    PartyKind, Reasonableness, RiskLevel, RiskStatus, Role, SanctionKind, Satisfaction, SlaClock, Stage, State,
};
pub use validate::FieldError;
