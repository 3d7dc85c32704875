//! Shapes for the OpenAPI document: request bodies and responses as integrators see them.

use utoipa::ToSchema;

/// `application/problem+json` (RFC 9457).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Problem {
    /// A URI reference naming the problem type, e.g. `/problems/validation-failed`.
    r#type: String,
    /// Short English title.
    title: String,
    /// Short Chinese title.
    title_zh: String,
    /// HTTP status.
    status: u16,
    /// What happened.
    detail: String,
    /// For 422: one entry per invalid field.
    errors: Option<Vec<FieldErrorDoc>>,
}

/// One invalid field.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct FieldErrorDoc {
    /// Dotted field path, e.g. `complainant.phone`.
    field: String,
    /// What is wrong.
    message: String,
}

/// Who complains.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ComplainantBody {
    /// Name, 1–50 characters.
    #[schema(example = "张三")]
    name: String,
    /// Mainland mobile or landline; required unless `email` is given.
    #[schema(example = "13812345678")]
    phone: Option<String>,
    /// E-mail; required unless `phone` is given.
    email: Option<String>,
    /// `owner` (default), `resident`, `tenant`, `prospect`, `employee`, `partner`, `other`.
    #[schema(example = "owner")]
    kind: Option<String>,
}

/// Body of `POST /api/v1/complaints`. Unknown fields are refused (422).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct RegisterBody {
    /// Channel code (see `GET /api/v1/meta`).
    #[schema(example = "hotline")]
    channel: String,
    /// The complainant.
    complainant: ComplainantBody,
    /// Project code.
    #[schema(example = "GZ-001")]
    project_code: String,
    /// Building, up to 50 characters.
    #[schema(example = "3栋")]
    building: Option<String>,
    /// Unit, up to 50 characters.
    #[schema(example = "1502")]
    unit: Option<String>,
    /// Location in the unit (部位), up to 200 characters.
    location: Option<String>,
    /// Stage code.
    stage: Option<String>,
    /// Subject, 1–200 characters.
    #[schema(example = "卫生间天花板漏水")]
    subject: String,
    /// Description, 1–5000 characters.
    description: String,
    /// Demands (具体诉求), up to 2000 characters.
    demands: Option<String>,
    /// RFC 3339 with offset; default now; never in the future.
    received_at: Option<String>,
    /// The agent's category; null to classify by the rules.
    category_code: Option<String>,
    /// The agent's grade; null to grade by the rules.
    grade: Option<String>,
    /// Why the agent chose the grade (an addition to API.md).
    grade_reason: Option<String>,
    /// Households raising the same matter, 1–100000, default 1.
    households: Option<i64>,
    /// Username of the employee the complaint is about; that person never handles, approves or
    /// calls back this complaint and does not see it (R-WF-3; an addition to API.md).
    complained_employee: Option<String>,
}

/// A complaint (see API.md "The complaint resource"). Phones and e-mails are masked.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ComplaintDoc {
    /// UUIDv7.
    id: String,
    /// `KS-YYYYMM-NNNNN`.
    #[schema(example = "KS-202611-00042")]
    number: String,
    /// Optimistic-concurrency version, from 1.
    version: i64,
    /// State code.
    state: String,
    /// Grade code.
    grade: String,
    /// Every rule that fired, e.g. `rule:emergency:电梯困人`; `agent:<grade>` first when the agent chose.
    grade_reasons: Vec<String>,
    /// `rules` or `agent`.
    grade_decided_by: String,
    /// What the rules alone chose.
    suggested_grade: String,
    /// `{code, name, name_en, decided_by, reasons}`.
    category: serde_json::Value,
    /// Channel code.
    channel: String,
    /// `{id, name, phone (masked), email (masked), kind}`.
    complainant: serde_json::Value,
    /// `{code, name}`.
    project: serde_json::Value,
    /// Building.
    building: Option<String>,
    /// Unit.
    unit: Option<String>,
    /// Location.
    location: Option<String>,
    /// Stage code.
    stage: Option<String>,
    /// Subject.
    subject: String,
    /// Description.
    description: String,
    /// Demands.
    demands: Option<String>,
    /// Households.
    households: i32,
    /// RFC 3339, Asia/Shanghai.
    received_at: String,
    /// The category's default department `{code, name}`.
    suggested_department: serde_json::Value,
    /// `{code, name}` once dispatched.
    lead_department: Option<serde_json::Value>,
    /// `{id, name}` once assigned.
    handler: Option<serde_json::Value>,
    /// Number of the open complaint this one repeats.
    repeat_of: Option<String>,
    /// `[{clock, due_at, state, met_at}]`.
    deadlines: Vec<serde_json::Value>,
    /// RFC 3339.
    created_at: String,
    /// RFC 3339.
    updated_at: String,
}

/// A page of complaints.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ComplaintPage {
    /// The complaints.
    items: Vec<ComplaintDoc>,
    /// Pass as `cursor` for the next page; null on the last.
    next_cursor: Option<String>,
}

/// Body of `POST /api/v1/auth/token`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TokenRequest {
    /// Login name.
    username: String,
    /// Password.
    password: String,
}

/// A bearer token.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <token>`.
    token: String,
    /// RFC 3339.
    expires_at: String,
}

/// A project in the list.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ProjectDoc {
    /// Code.
    code: String,
    /// Name.
    name: String,
    /// City company name.
    city: Option<String>,
    /// Region company name.
    region: Option<String>,
}
