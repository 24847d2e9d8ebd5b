//! Custom authentication: define, create and verify auth challenge.

use serde_json::Value;

use crate::envelope::{Event, TriggerRequest};
use crate::error::ResponseError;
use crate::lossless::wire_struct;
use crate::source::{TriggerFamily, TriggerSource};
use crate::string_map::StringMap;

/// A define auth challenge event (`DefineAuthChallenge_Authentication`): decide whether to
/// issue tokens, fail, or present another challenge.
pub type DefineAuthChallengeEvent = Event<DefineAuthChallengeRequest, DefineAuthChallengeResponse>;

/// A create auth challenge event (`CreateAuthChallenge_Authentication`): build the custom
/// challenge the user will answer.
pub type CreateAuthChallengeEvent = Event<CreateAuthChallengeRequest, CreateAuthChallengeResponse>;

/// A verify auth challenge response event (`VerifyAuthChallengeResponse_Authentication`):
/// check the user's answer.
pub type VerifyAuthChallengeResponseEvent =
    Event<VerifyAuthChallengeResponseRequest, VerifyAuthChallengeResponseResponse>;

/// The challenge names a define auth challenge response may ask for next.
pub const NEXT_CHALLENGE_NAMES: &[&str] = &["CUSTOM_CHALLENGE", "PASSWORD_VERIFIER", "SRP_A"];

wire_struct! {
    /// One entry of `session`: a challenge already presented in this sign-in and its result.
    pub struct ChallengeResult {
        /// `challengeName`: e.g. `"SRP_A"`, `"PASSWORD_VERIFIER"`, `"CUSTOM_CHALLENGE"`.
        pub challenge_name: String = "challengeName",
        /// `challengeResult`: whether the user answered it correctly.
        pub challenge_result: bool = "challengeResult",
        /// `challengeMetadata`: what create auth challenge set for a custom challenge.
        pub challenge_metadata: Option<String> = "challengeMetadata",
    }
}

wire_struct! {
    /// The `request` of a define auth challenge event.
    pub struct DefineAuthChallengeRequest {
        /// `userAttributes`: the user's attributes.
        pub user_attributes: StringMap = "userAttributes",
        /// `session`: the challenges so far, in order.
        pub session: Vec<ChallengeResult> = "session",
        /// `clientMetadata`: see [`TriggerRequest::client_metadata`].
        pub client_metadata: StringMap = "clientMetadata",
        /// `userNotFound`: the user does not exist (with `PreventUserExistenceErrors`).
        pub user_not_found: bool = "userNotFound",
    }
}

wire_struct! {
    /// The `response` of a define auth challenge event.
    pub struct DefineAuthChallengeResponse {
        /// `challengeName`: the next challenge, one of [`NEXT_CHALLENGE_NAMES`].
        pub challenge_name: Option<String> = "challengeName",
        /// `issueTokens`: the user is authenticated.
        pub issue_tokens: bool = "issueTokens",
        /// `failAuthentication`: end the sign-in with an error.
        pub fail_authentication: bool = "failAuthentication",
    }
}

impl DefineAuthChallengeResponse {
    /// Present `name` next (e.g. `"CUSTOM_CHALLENGE"`); clears the other outcomes.
    pub fn next_challenge(&mut self, name: impl Into<String>) -> &mut Self {
        self.challenge_name = Some(name.into());
        self.issue_tokens = false;
        self.fail_authentication = false;
        self
    }

    /// Issue tokens: the user is authenticated.
    pub fn issue_tokens(&mut self) -> &mut Self {
        self.issue_tokens = true;
        self.fail_authentication = false;
        self
    }

    /// Fail the sign-in.
    pub fn fail_authentication(&mut self) -> &mut Self {
        self.fail_authentication = true;
        self.issue_tokens = false;
        self
    }
}

impl DefineAuthChallengeRequest {
    /// The last challenge of the session, if any.
    #[must_use]
    pub fn last_challenge(&self) -> Option<&ChallengeResult> {
        self.session.last()
    }
}

impl TriggerRequest for DefineAuthChallengeRequest {
    type Response = DefineAuthChallengeResponse;
    const FAMILY: TriggerFamily = TriggerFamily::DefineAuthChallenge;

    fn user_attributes(&self) -> Option<&StringMap> {
        Some(&self.user_attributes)
    }

    /// The `ClientMetadata` of `RespondToAuthChallenge` / `AdminRespondToAuthChallenge`
    /// (Amplify `confirmSignIn` options). On the first call of a sign-in, fired by
    /// `InitiateAuth`, Cognito does not pass `InitiateAuth`'s metadata here.
    fn client_metadata(&self) -> Option<&StringMap> {
        Some(&self.client_metadata)
    }

    /// Rejects `issueTokens` together with `failAuthentication`, and a next challenge that
    /// is not one of [`NEXT_CHALLENGE_NAMES`].
    fn validate_response(
        &self,
        _source: &TriggerSource,
        response: &DefineAuthChallengeResponse,
    ) -> Result<(), ResponseError> {
        if response.issue_tokens && response.fail_authentication {
            return Err(ResponseError::IssueAndFail);
        }
        if !response.issue_tokens
            && !response.fail_authentication
            && let Some(name) = &response.challenge_name
            && !NEXT_CHALLENGE_NAMES.contains(&name.as_str())
        {
            return Err(ResponseError::UnknownChallengeName { name: name.clone() });
        }
        Ok(())
    }
}

wire_struct! {
    /// The `request` of a create auth challenge event.
    pub struct CreateAuthChallengeRequest {
        /// `userAttributes`: the user's attributes.
        pub user_attributes: StringMap = "userAttributes",
        /// `challengeName`: the challenge to create (`"CUSTOM_CHALLENGE"`).
        pub challenge_name: String = "challengeName",
        /// `session`: the challenges so far, in order.
        pub session: Vec<ChallengeResult> = "session",
        /// `clientMetadata`: see [`TriggerRequest::client_metadata`].
        pub client_metadata: StringMap = "clientMetadata",
        /// `userNotFound`: the user does not exist (with `PreventUserExistenceErrors`).
        pub user_not_found: bool = "userNotFound",
    }
}

wire_struct! {
    /// The `response` of a create auth challenge event.
    pub struct CreateAuthChallengeResponse {
        /// `publicChallengeParameters`: sent to the client (e.g. a question or a hint).
        pub public_challenge_parameters: StringMap = "publicChallengeParameters",
        /// `privateChallengeParameters`: passed to verify auth challenge only (the answer).
        pub private_challenge_parameters: StringMap = "privateChallengeParameters",
        /// `challengeMetadata`: a name for this challenge, seen in later `session` entries.
        pub challenge_metadata: Option<String> = "challengeMetadata",
    }
}

impl TriggerRequest for CreateAuthChallengeRequest {
    type Response = CreateAuthChallengeResponse;
    const FAMILY: TriggerFamily = TriggerFamily::CreateAuthChallenge;

    fn user_attributes(&self) -> Option<&StringMap> {
        Some(&self.user_attributes)
    }

    /// The `ClientMetadata` of `RespondToAuthChallenge` / `AdminRespondToAuthChallenge`
    /// (Amplify `confirmSignIn` options).
    fn client_metadata(&self) -> Option<&StringMap> {
        Some(&self.client_metadata)
    }
}

wire_struct! {
    /// The `request` of a verify auth challenge response event.
    pub struct VerifyAuthChallengeResponseRequest {
        /// `userAttributes`: the user's attributes.
        pub user_attributes: StringMap = "userAttributes",
        /// `privateChallengeParameters`: what create auth challenge kept private.
        pub private_challenge_parameters: StringMap = "privateChallengeParameters",
        /// `challengeAnswer`: the user's answer (a string; kept as any JSON value).
        pub challenge_answer: Value = "challengeAnswer",
        /// `clientMetadata`: see [`TriggerRequest::client_metadata`].
        pub client_metadata: StringMap = "clientMetadata",
        /// `userNotFound`: the user does not exist (with `PreventUserExistenceErrors`).
        pub user_not_found: bool = "userNotFound",
    }
}

impl VerifyAuthChallengeResponseRequest {
    /// The answer, if it is a string (it always is from Cognito).
    #[must_use]
    pub fn answer(&self) -> Option<&str> {
        self.challenge_answer.as_str()
    }
}

wire_struct! {
    /// The `response` of a verify auth challenge response event.
    pub struct VerifyAuthChallengeResponseResponse {
        /// `answerCorrect`: whether the answer is right.
        pub answer_correct: bool = "answerCorrect",
    }
}

impl TriggerRequest for VerifyAuthChallengeResponseRequest {
    type Response = VerifyAuthChallengeResponseResponse;
    const FAMILY: TriggerFamily = TriggerFamily::VerifyAuthChallengeResponse;

    fn user_attributes(&self) -> Option<&StringMap> {
        Some(&self.user_attributes)
    }

    /// The `ClientMetadata` of the `RespondToAuthChallenge` / `AdminRespondToAuthChallenge`
    /// call that carries the answer (Amplify `confirmSignIn` options).
    fn client_metadata(&self) -> Option<&StringMap> {
        Some(&self.client_metadata)
    }
}
