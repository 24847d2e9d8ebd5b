//! Inbound federation.

use serde_json::{Map, Value};

use crate::envelope::{Event, TriggerRequest};
use crate::lossless::wire_struct;
use crate::source::TriggerFamily;
use crate::string_map::StringMap;

/// An inbound federation event (`InboundFederation_ExternalProvider`): choose the attributes
/// a federated user gets from what their identity provider sent.
pub type InboundFederationEvent = Event<InboundFederationRequest, InboundFederationResponse>;

wire_struct! {
    /// `attributes` of an inbound federation request: what the provider sent.
    pub struct FederationAttributes {
        /// `tokenResponse`: the OAuth token response (OIDC and social providers).
        pub token_response: Map<String, Value> = "tokenResponse",
        /// `idToken`: the decoded ID token claims (OIDC and social providers).
        pub id_token: Map<String, Value> = "idToken",
        /// `userInfo`: the userInfo endpoint's profile (OIDC and social providers).
        pub user_info: Map<String, Value> = "userInfo",
        /// `samlResponse`: the assertion's attributes (SAML providers).
        pub saml_response: Map<String, Value> = "samlResponse",
    }
}

wire_struct! {
    /// The `request` of an inbound federation event.
    pub struct InboundFederationRequest {
        /// `providerName`: the identity provider's name in the pool.
        pub provider_name: String = "providerName",
        /// `providerType`: `"OIDC"`, `"SAML"`, `"Facebook"`, `"Google"`,
        /// `"SignInWithApple"` or `"LoginWithAmazon"`.
        pub provider_type: String = "providerType",
        /// `attributes`: what the provider sent.
        pub attributes: FederationAttributes = "attributes",
    }
}

wire_struct! {
    /// The `response` of an inbound federation event.
    pub struct InboundFederationResponse {
        /// `userAttributesToMap`: the attributes to give the user. Attributes left out are
        /// dropped; an empty map keeps the provider's attributes as mapped by the pool.
        pub user_attributes_to_map: StringMap = "userAttributesToMap",
    }
}

impl InboundFederationResponse {
    /// Sets an attribute to map onto the user.
    pub fn attribute(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.user_attributes_to_map.insert(name, value);
        self
    }
}

impl TriggerRequest for InboundFederationRequest {
    type Response = InboundFederationResponse;
    const FAMILY: TriggerFamily = TriggerFamily::InboundFederation;

    /// `None`: a federated sign-in goes through the provider and managed login, not through
    /// a user-pool API call that takes `ClientMetadata`.
    fn client_metadata(&self) -> Option<&StringMap> {
        None
    }
}
