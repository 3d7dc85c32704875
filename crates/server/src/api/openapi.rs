//! The OpenAPI document, generated from the handlers' annotations and the schema types.

use super::docs;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(title = "Kesu 客诉 API", description = "Complaint management for real-estate developers and property managers. The contract is API.md; this document is generated from the code."),
    paths(
        super::auth::token, super::auth::list, super::auth::revoke,
        super::complaints::register, super::complaints::read, super::complaints::reveal, super::complaints::list,
        super::actions::act, super::actions::timeline, super::actions::link, super::actions::reply_letter, super::actions::case_file,
        super::attachments::upload, super::attachments::download,
        super::projects::list, super::projects::read,
        super::meta::meta,
        super::settings::read, super::settings::replace, super::settings::read_clocks, super::settings::replace_clocks, super::settings::read_hours, super::settings::replace_hours, super::me::read, super::me::update, super::public::file, super::public::track, super::public::owner_action, super::reports::summary, super::reports::analysis, super::reports::register, super::warnings::list, super::warnings::acknowledge, super::insight::list_issues, super::insight::create_issue, super::insight::read_issue, super::insight::update_issue, super::insight::list_risks, super::insight::create_risk, super::insight::update_risk, super::insight::list_cases, super::insight::publish_case, super::responsibility::read, super::responsibility::propose, super::responsibility::decide, super::sanctions::read_rates, super::sanctions::set_rates, super::sanctions::bonuses, super::sanctions::record, super::sanctions::close, super::sanctions::statement, super::sanctions::performance, super::money::compensation, super::money::pay, super::money::report, super::money::set_budget, super::money::spend,
        super::calendar::read, super::calendar::replace,
        super::inbox::list, super::inbox::read,
        super::deliveries::list, super::deliveries::retry, super::import::run,
        super::robots::list, super::robots::add, super::robots::remove,
        super::health::healthz, super::health::readyz, super::health::metrics,
    ),
    components(schemas(docs::Problem, docs::FieldErrorDoc, docs::RegisterBody, docs::ComplainantBody, docs::ComplaintDoc,
        docs::ComplaintPage, docs::TokenRequest, docs::TokenResponse, docs::ProjectDoc)),
    modifiers(&Bearer),
)]
pub struct ApiDoc;

/// The routes of this module.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/api/v1/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
}
