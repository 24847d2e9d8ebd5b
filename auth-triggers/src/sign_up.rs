//! Pre sign-up and post confirmation.

use crate::envelope::{Event, TriggerRequest};
use crate::error::ResponseError;
use crate::lossless::wire_struct;
use crate::source::{TriggerFamily, TriggerSource};
use crate::string_map::StringMap;

/// A pre sign-up event (`PreSignUp_SignUp`, `PreSignUp_AdminCreateUser`,
/// `PreSignUp_ExternalProvider`): accept or reject a new user, and confirm or verify them.
pub type PreSignUpEvent = Event<PreSignUpRequest, PreSignUpResponse>;

/// A post confirmation event (`PostConfirmation_ConfirmSignUp`,
/// `PostConfirmation_ConfirmForgotPassword`): the user is confirmed; nothing to return.
pub type PostConfirmationEvent = Event<PostConfirmationRequest, PostConfirmationResponse>;

wire_struct! {
    /// The `request` of a pre sign-up event.
    pub struct PreSignUpRequest {
        /// `userAttributes`: the attributes the new user signs up with.
        pub user_attributes: StringMap = "userAttributes",
        /// `validationData`: see [`TriggerRequest::validation_data`].
        pub validation_data: StringMap = "validationData",
        /// `clientMetadata`: see [`TriggerRequest::client_metadata`].
        pub client_metadata: StringMap = "clientMetadata",
    }
}

wire_struct! {
    /// The `response` of a pre sign-up event.
    pub struct PreSignUpResponse {
        /// `autoConfirmUser`: confirm the user without a confirmation code.
        pub auto_confirm_user: bool = "autoConfirmUser",
        /// `autoVerifyEmail`: mark the e-mail address verified (the user must have one).
        pub auto_verify_email: bool = "autoVerifyEmail",
        /// `autoVerifyPhone`: mark the phone number verified (the user must have one).
        pub auto_verify_phone: bool = "autoVerifyPhone",
    }
}

impl PreSignUpResponse {
    /// Sets `autoConfirmUser`.
    pub fn auto_confirm_user(&mut self, yes: bool) -> &mut Self {
        self.auto_confirm_user = yes;
        self
    }

    /// Sets `autoVerifyEmail`.
    pub fn auto_verify_email(&mut self, yes: bool) -> &mut Self {
        self.auto_verify_email = yes;
        self
    }

    /// Sets `autoVerifyPhone`.
    pub fn auto_verify_phone(&mut self, yes: bool) -> &mut Self {
        self.auto_verify_phone = yes;
        self
    }
}

impl TriggerRequest for PreSignUpRequest {
    type Response = PreSignUpResponse;
    const FAMILY: TriggerFamily = TriggerFamily::PreSignUp;

    fn user_attributes(&self) -> Option<&StringMap> {
        Some(&self.user_attributes)
    }

    /// The `ClientMetadata` of `SignUp` (Amplify `signUp` options) or `AdminCreateUser`.
    fn client_metadata(&self) -> Option<&StringMap> {
        Some(&self.client_metadata)
    }

    /// The `ValidationData` of `SignUp` or `AdminCreateUser`. When the pre sign-up trigger
    /// fires during a sign-in (a migrated or federated user signing in through
    /// `InitiateAuth`/`AdminInitiateAuth`), that call's `ClientMetadata` arrives here, in
    /// `validationData`, not in `clientMetadata`.
    fn validation_data(&self) -> Option<&StringMap> {
        Some(&self.validation_data)
    }

    /// Rejects `autoVerifyEmail` without an `email` attribute and `autoVerifyPhone` without a
    /// `phone_number` attribute: Cognito fails the sign-up in both cases.
    fn validate_response(
        &self,
        _source: &TriggerSource,
        response: &PreSignUpResponse,
    ) -> Result<(), ResponseError> {
        if response.auto_verify_email && !self.user_attributes.contains_key("email") {
            return Err(ResponseError::MissingVerifiedAttribute {
                flag: "autoVerifyEmail",
                attribute: "email",
            });
        }
        if response.auto_verify_phone && !self.user_attributes.contains_key("phone_number") {
            return Err(ResponseError::MissingVerifiedAttribute {
                flag: "autoVerifyPhone",
                attribute: "phone_number",
            });
        }
        Ok(())
    }
}

wire_struct! {
    /// The `request` of a post confirmation event.
    pub struct PostConfirmationRequest {
        /// `userAttributes`: the confirmed user's attributes.
        pub user_attributes: StringMap = "userAttributes",
        /// `clientMetadata`: see [`TriggerRequest::client_metadata`].
        pub client_metadata: StringMap = "clientMetadata",
    }
}

wire_struct! {
    /// The `response` of a post confirmation event: Cognito expects nothing in it.
    pub struct PostConfirmationResponse {}
}

impl TriggerRequest for PostConfirmationRequest {
    type Response = PostConfirmationResponse;
    const FAMILY: TriggerFamily = TriggerFamily::PostConfirmation;

    fn user_attributes(&self) -> Option<&StringMap> {
        Some(&self.user_attributes)
    }

    /// The `ClientMetadata` of `ConfirmSignUp` / `AdminConfirmSignUp` (Amplify
    /// `confirmSignUp`) or of `ConfirmForgotPassword` (Amplify `confirmResetPassword`).
    fn client_metadata(&self) -> Option<&StringMap> {
        Some(&self.client_metadata)
    }
}
