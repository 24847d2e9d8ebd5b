//! Pre authentication and post authentication.

use crate::envelope::{Event, TriggerRequest};
use crate::lossless::wire_struct;
use crate::source::TriggerFamily;
use crate::string_map::StringMap;

/// A pre authentication event (`PreAuthentication_Authentication`): allow or deny a sign-in
/// before Cognito checks the credentials. To deny, return an error from the function.
pub type PreAuthenticationEvent = Event<PreAuthenticationRequest, PreAuthenticationResponse>;

/// A post authentication event (`PostAuthentication_Authentication`): the user signed in.
pub type PostAuthenticationEvent = Event<PostAuthenticationRequest, PostAuthenticationResponse>;

wire_struct! {
    /// The `request` of a pre authentication event.
    pub struct PreAuthenticationRequest {
        /// `userAttributes`: the user's attributes.
        pub user_attributes: StringMap = "userAttributes",
        /// `validationData`: see [`TriggerRequest::validation_data`].
        pub validation_data: StringMap = "validationData",
        /// `userNotFound`: `true` when the user does not exist and the pool hides that
        /// (`PreventUserExistenceErrors`).
        pub user_not_found: bool = "userNotFound",
    }
}

wire_struct! {
    /// The `response` of a pre authentication event: Cognito expects nothing in it.
    pub struct PreAuthenticationResponse {}
}

impl TriggerRequest for PreAuthenticationRequest {
    type Response = PreAuthenticationResponse;
    const FAMILY: TriggerFamily = TriggerFamily::PreAuthentication;

    fn user_attributes(&self) -> Option<&StringMap> {
        Some(&self.user_attributes)
    }

    /// `None`: this trigger has no `clientMetadata`. The `ClientMetadata` a client passes to
    /// `InitiateAuth` / `AdminInitiateAuth` (Amplify `signIn` options) arrives as
    /// `validationData`: read [`validation_data`](TriggerRequest::validation_data).
    fn client_metadata(&self) -> Option<&StringMap> {
        None
    }

    /// The `ClientMetadata` of `InitiateAuth` / `AdminInitiateAuth` (Amplify `signIn`
    /// options), which Cognito delivers to this trigger under the name `validationData`.
    fn validation_data(&self) -> Option<&StringMap> {
        Some(&self.validation_data)
    }
}

wire_struct! {
    /// The `request` of a post authentication event.
    pub struct PostAuthenticationRequest {
        /// `newDeviceUsed`: the user signed in from a device Cognito had not seen.
        pub new_device_used: bool = "newDeviceUsed",
        /// `userAttributes`: the user's attributes.
        pub user_attributes: StringMap = "userAttributes",
        /// `clientMetadata`: see [`TriggerRequest::client_metadata`].
        pub client_metadata: StringMap = "clientMetadata",
    }
}

wire_struct! {
    /// The `response` of a post authentication event: Cognito expects nothing in it.
    pub struct PostAuthenticationResponse {}
}

impl TriggerRequest for PostAuthenticationRequest {
    type Response = PostAuthenticationResponse;
    const FAMILY: TriggerFamily = TriggerFamily::PostAuthentication;

    fn user_attributes(&self) -> Option<&StringMap> {
        Some(&self.user_attributes)
    }

    /// The `ClientMetadata` of the `RespondToAuthChallenge` / `AdminRespondToAuthChallenge`
    /// call that completed the sign-in (Amplify `confirmSignIn` options, or the SRP legs of
    /// `signIn`). `InitiateAuth`'s metadata does not reach this trigger.
    fn client_metadata(&self) -> Option<&StringMap> {
        Some(&self.client_metadata)
    }
}
