//! Pre token generation, versions 1, 2 and 3.

use serde_json::{Map, Value};

use crate::envelope::{Event, TriggerRequest};
use crate::error::ResponseError;
use crate::lossless::wire_struct;
use crate::source::{TriggerFamily, TriggerSource};
use crate::string_map::StringMap;

/// A pre token generation event, version 1 (`"version": "1"`): customise the ID token.
pub type PreTokenGenerationV1Event = Event<PreTokenGenerationRequest, PreTokenGenerationResponse>;

/// A pre token generation event, version 2 (`"version": "2"`): customise the ID and access
/// tokens of user sign-ins; claim values may be any JSON.
pub type PreTokenGenerationV2Event =
    Event<PreTokenGenerationV2Request, PreTokenGenerationV2Response>;

/// A pre token generation event, version 3 (`"version": "3"`): as version 2, and also fired
/// for machine-to-machine tokens (`TokenGeneration_ClientCredentials`, with no user).
/// Versions 2 and 3 share one payload shape.
pub type PreTokenGenerationV3Event = PreTokenGenerationV2Event;

/// Claims Cognito sets itself and refuses to let a trigger add, override or suppress.
pub const RESERVED_CLAIMS: &[&str] = &[
    "acr",
    "amr",
    "at_hash",
    "aud",
    "auth_time",
    "azp",
    "c_hash",
    "exp",
    "iat",
    "identities",
    "iss",
    "jti",
    "nbf",
    "nonce",
    "origin_jti",
    "sub",
    "token_use",
];

wire_struct! {
    /// `groupConfiguration` in a request, or `groupOverrideDetails` in a response: the user's
    /// groups and the IAM roles they carry.
    pub struct GroupConfiguration {
        /// `groupsToOverride`: group names (`cognito:groups`).
        pub groups_to_override: Vec<String> = "groupsToOverride",
        /// `iamRolesToOverride`: role ARNs (`cognito:roles`).
        pub iam_roles_to_override: Vec<String> = "iamRolesToOverride",
        /// `preferredRole`: the role ARN for `cognito:preferred_role`.
        pub preferred_role: Option<String> = "preferredRole",
    }
}

wire_struct! {
    /// The `request` of a version 1 pre token generation event.
    pub struct PreTokenGenerationRequest {
        /// `userAttributes`: the user's attributes.
        pub user_attributes: StringMap = "userAttributes",
        /// `groupConfiguration`: the user's groups and roles.
        pub group_configuration: GroupConfiguration = "groupConfiguration",
        /// `clientMetadata`: see [`TriggerRequest::client_metadata`].
        pub client_metadata: StringMap = "clientMetadata",
    }
}

wire_struct! {
    /// `claimsOverrideDetails` of a version 1 response.
    pub struct ClaimsOverrideDetails {
        /// `claimsToAddOrOverride`: ID token claims (string values).
        pub claims_to_add_or_override: StringMap = "claimsToAddOrOverride",
        /// `claimsToSuppress`: ID token claims to remove.
        pub claims_to_suppress: Vec<String> = "claimsToSuppress",
        /// `groupOverrideDetails`: replaces the groups and roles in the token.
        pub group_override_details: Option<GroupConfiguration> = "groupOverrideDetails",
    }
}

wire_struct! {
    /// The `response` of a version 1 pre token generation event.
    pub struct PreTokenGenerationResponse {
        /// `claimsOverrideDetails`: the changes to make; `None` leaves the token as it is.
        pub claims_override_details: Option<ClaimsOverrideDetails> = "claimsOverrideDetails",
    }
}

impl PreTokenGenerationResponse {
    /// The override details, created empty if there are none yet.
    pub fn details_mut(&mut self) -> &mut ClaimsOverrideDetails {
        self.claims_override_details
            .get_or_insert_with(Default::default)
    }
}

impl TriggerRequest for PreTokenGenerationRequest {
    type Response = PreTokenGenerationResponse;
    const FAMILY: TriggerFamily = TriggerFamily::PreTokenGeneration;

    fn user_attributes(&self) -> Option<&StringMap> {
        Some(&self.user_attributes)
    }

    /// The `ClientMetadata` of the call that issues tokens: `RespondToAuthChallenge` /
    /// `AdminRespondToAuthChallenge` (Amplify `confirmSignIn` and the SRP legs of `signIn`),
    /// or the refresh (`GetTokensFromRefreshToken`, Amplify `fetchAuthSession`).
    fn client_metadata(&self) -> Option<&StringMap> {
        Some(&self.client_metadata)
    }

    /// Rejects a reserved claim (see [`RESERVED_CLAIMS`]) and a claim both added and
    /// suppressed.
    fn validate_response(
        &self,
        _source: &TriggerSource,
        response: &PreTokenGenerationResponse,
    ) -> Result<(), ResponseError> {
        match &response.claims_override_details {
            Some(details) => check_claims(
                details.claims_to_add_or_override.keys(),
                &details.claims_to_suppress,
            ),
            None => Ok(()),
        }
    }
}

wire_struct! {
    /// The `request` of a version 2 or 3 pre token generation event.
    pub struct PreTokenGenerationV2Request {
        /// `userAttributes`: the user's attributes (empty for client credentials).
        pub user_attributes: StringMap = "userAttributes",
        /// `groupConfiguration`: the user's groups and roles.
        pub group_configuration: GroupConfiguration = "groupConfiguration",
        /// `scopes`: the OAuth scopes of the access token.
        pub scopes: Vec<String> = "scopes",
        /// `clientMetadata`: see [`TriggerRequest::client_metadata`].
        pub client_metadata: StringMap = "clientMetadata",
    }
}

wire_struct! {
    /// `idTokenGeneration` of a version 2/3 response.
    pub struct IdTokenGeneration {
        /// `claimsToAddOrOverride`: claims with values of any JSON type.
        pub claims_to_add_or_override: Map<String, Value> = "claimsToAddOrOverride",
        /// `claimsToSuppress`: claims to remove.
        pub claims_to_suppress: Vec<String> = "claimsToSuppress",
    }
}

impl IdTokenGeneration {
    /// Adds or overrides a claim.
    pub fn add_claim(&mut self, name: impl Into<String>, value: impl Into<Value>) -> &mut Self {
        self.claims_to_add_or_override
            .insert(name.into(), value.into());
        self
    }

    /// Removes a claim from the token.
    pub fn suppress_claim(&mut self, name: impl Into<String>) -> &mut Self {
        self.claims_to_suppress.push(name.into());
        self
    }
}

wire_struct! {
    /// `accessTokenGeneration` of a version 2/3 response.
    pub struct AccessTokenGeneration {
        /// `claimsToAddOrOverride`: claims with values of any JSON type.
        pub claims_to_add_or_override: Map<String, Value> = "claimsToAddOrOverride",
        /// `claimsToSuppress`: claims to remove.
        pub claims_to_suppress: Vec<String> = "claimsToSuppress",
        /// `scopesToAdd`: scopes to add to `scope`.
        pub scopes_to_add: Vec<String> = "scopesToAdd",
        /// `scopesToSuppress`: scopes to remove from `scope`.
        pub scopes_to_suppress: Vec<String> = "scopesToSuppress",
    }
}

impl AccessTokenGeneration {
    /// Adds or overrides a claim.
    pub fn add_claim(&mut self, name: impl Into<String>, value: impl Into<Value>) -> &mut Self {
        self.claims_to_add_or_override
            .insert(name.into(), value.into());
        self
    }

    /// Removes a claim from the token.
    pub fn suppress_claim(&mut self, name: impl Into<String>) -> &mut Self {
        self.claims_to_suppress.push(name.into());
        self
    }

    /// Adds a scope.
    pub fn add_scope(&mut self, scope: impl Into<String>) -> &mut Self {
        self.scopes_to_add.push(scope.into());
        self
    }

    /// Removes a scope.
    pub fn suppress_scope(&mut self, scope: impl Into<String>) -> &mut Self {
        self.scopes_to_suppress.push(scope.into());
        self
    }
}

wire_struct! {
    /// `claimsAndScopeOverrideDetails` of a version 2/3 response.
    pub struct ClaimsAndScopeOverrideDetails {
        /// `idTokenGeneration`: changes to the ID token.
        pub id_token_generation: Option<IdTokenGeneration> = "idTokenGeneration",
        /// `accessTokenGeneration`: changes to the access token.
        pub access_token_generation: Option<AccessTokenGeneration> = "accessTokenGeneration",
        /// `groupOverrideDetails`: replaces the groups and roles in the tokens.
        pub group_override_details: Option<GroupConfiguration> = "groupOverrideDetails",
    }
}

wire_struct! {
    /// The `response` of a version 2 or 3 pre token generation event.
    pub struct PreTokenGenerationV2Response {
        /// `claimsAndScopeOverrideDetails`: the changes; `None` leaves the tokens as they are.
        pub claims_and_scope_override_details: Option<ClaimsAndScopeOverrideDetails> =
            "claimsAndScopeOverrideDetails",
    }
}

impl PreTokenGenerationV2Response {
    /// The override details, created empty if there are none yet.
    pub fn details_mut(&mut self) -> &mut ClaimsAndScopeOverrideDetails {
        self.claims_and_scope_override_details
            .get_or_insert_with(Default::default)
    }

    /// The ID token changes, created empty if there are none yet.
    pub fn id_token_mut(&mut self) -> &mut IdTokenGeneration {
        self.details_mut()
            .id_token_generation
            .get_or_insert_with(Default::default)
    }

    /// The access token changes, created empty if there are none yet.
    pub fn access_token_mut(&mut self) -> &mut AccessTokenGeneration {
        self.details_mut()
            .access_token_generation
            .get_or_insert_with(Default::default)
    }
}

impl TriggerRequest for PreTokenGenerationV2Request {
    type Response = PreTokenGenerationV2Response;
    const FAMILY: TriggerFamily = TriggerFamily::PreTokenGeneration;

    fn user_attributes(&self) -> Option<&StringMap> {
        Some(&self.user_attributes)
    }

    /// As for version 1: the `ClientMetadata` of `RespondToAuthChallenge` or of the refresh.
    /// Empty for `TokenGeneration_ClientCredentials`, which no user-pool API call fires.
    fn client_metadata(&self) -> Option<&StringMap> {
        Some(&self.client_metadata)
    }

    /// Rejects a reserved claim (see [`RESERVED_CLAIMS`]) and a claim both added and
    /// suppressed, in either token.
    fn validate_response(
        &self,
        _source: &TriggerSource,
        response: &PreTokenGenerationV2Response,
    ) -> Result<(), ResponseError> {
        let Some(details) = &response.claims_and_scope_override_details else {
            return Ok(());
        };
        if let Some(id) = &details.id_token_generation {
            check_claims(
                id.claims_to_add_or_override.keys().map(String::as_str),
                &id.claims_to_suppress,
            )?;
        }
        if let Some(access) = &details.access_token_generation {
            check_claims(
                access.claims_to_add_or_override.keys().map(String::as_str),
                &access.claims_to_suppress,
            )?;
        }
        Ok(())
    }
}

fn check_claims<'a>(
    added: impl Iterator<Item = &'a str>,
    suppressed: &[String],
) -> Result<(), ResponseError> {
    for claim in added {
        if RESERVED_CLAIMS.contains(&claim) {
            return Err(ResponseError::ReservedClaim {
                claim: claim.to_owned(),
                action: "added or overridden",
            });
        }
        if suppressed.iter().any(|s| s == claim) {
            return Err(ResponseError::ClaimAddedAndSuppressed {
                claim: claim.to_owned(),
            });
        }
    }
    for claim in suppressed {
        if RESERVED_CLAIMS.contains(&claim.as_str()) {
            return Err(ResponseError::ReservedClaim {
                claim: claim.clone(),
                action: "suppressed",
            });
        }
    }
    Ok(())
}
