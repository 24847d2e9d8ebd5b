//! Custom message, custom e-mail sender and custom SMS sender.

use crate::envelope::{Event, TriggerRequest};
use crate::error::ResponseError;
use crate::lossless::wire_struct;
use crate::source::{TriggerFamily, TriggerSource};
use crate::string_map::StringMap;

/// A custom message event (`CustomMessage_*`): write the e-mail or SMS Cognito sends.
pub type CustomMessageEvent = Event<CustomMessageRequest, CustomMessageResponse>;

/// A custom e-mail sender event (`CustomEmailSender_*`): send the e-mail yourself. Cognito
/// invokes it asynchronously and ignores the response; `code` is encrypted with your KMS key.
pub type CustomEmailSenderEvent = Event<CustomEmailSenderRequest, CustomEmailSenderResponse>;

/// A custom SMS sender event (`CustomSMSSender_*`): send the SMS yourself. Cognito invokes it
/// asynchronously and ignores the response; `code` is encrypted with your KMS key.
pub type CustomSmsSenderEvent = Event<CustomSmsSenderRequest, CustomSmsSenderResponse>;

/// The longest `emailMessage` Cognito accepts, in characters.
pub const MAX_EMAIL_MESSAGE_CHARS: usize = 20_000;
/// The longest `emailSubject` Cognito accepts, in characters.
pub const MAX_EMAIL_SUBJECT_CHARS: usize = 140;

wire_struct! {
    /// The `request` of a custom message event.
    pub struct CustomMessageRequest {
        /// `userAttributes`: the user's attributes.
        pub user_attributes: StringMap = "userAttributes",
        /// `codeParameter`: the placeholder (e.g. `"{####}"`) the message must contain where
        /// the code or temporary password goes.
        pub code_parameter: Option<String> = "codeParameter",
        /// `linkParameter`: the placeholder for a verification link.
        pub link_parameter: Option<String> = "linkParameter",
        /// `usernameParameter`: the placeholder for the user name (admin-created users).
        pub username_parameter: Option<String> = "usernameParameter",
        /// `clientMetadata`: see [`TriggerRequest::client_metadata`].
        pub client_metadata: StringMap = "clientMetadata",
    }
}

wire_struct! {
    /// The `response` of a custom message event; `None` keeps Cognito's own text.
    pub struct CustomMessageResponse {
        /// `smsMessage`: the SMS text; must contain the `codeParameter`.
        pub sms_message: Option<String> = "smsMessage",
        /// `emailMessage`: the e-mail body; must contain the `codeParameter`.
        pub email_message: Option<String> = "emailMessage",
        /// `emailSubject`: the e-mail subject.
        pub email_subject: Option<String> = "emailSubject",
    }
}

impl CustomMessageResponse {
    /// Sets `smsMessage`.
    pub fn sms_message(&mut self, text: impl Into<String>) -> &mut Self {
        self.sms_message = Some(text.into());
        self
    }

    /// Sets `emailMessage`.
    pub fn email_message(&mut self, text: impl Into<String>) -> &mut Self {
        self.email_message = Some(text.into());
        self
    }

    /// Sets `emailSubject`.
    pub fn email_subject(&mut self, text: impl Into<String>) -> &mut Self {
        self.email_subject = Some(text.into());
        self
    }
}

impl TriggerRequest for CustomMessageRequest {
    type Response = CustomMessageResponse;
    const FAMILY: TriggerFamily = TriggerFamily::CustomMessage;

    fn user_attributes(&self) -> Option<&StringMap> {
        Some(&self.user_attributes)
    }

    /// The `ClientMetadata` of the call that sends the message: `SignUp` (Amplify
    /// `signUp`), `ResendConfirmationCode` (`resendSignUpCode`), `ForgotPassword`
    /// (`resetPassword`), `UpdateUserAttributes` (`updateUserAttributes`),
    /// `GetUserAttributeVerificationCode` (`sendUserAttributeVerificationCode`) or
    /// `AdminCreateUser`.
    fn client_metadata(&self) -> Option<&StringMap> {
        Some(&self.client_metadata)
    }

    /// Rejects a message without the `codeParameter` placeholder (unless it carries the
    /// `linkParameter` instead), an `AdminCreateUser` message without the
    /// `usernameParameter`, and an e-mail body or subject longer than Cognito accepts.
    fn validate_response(
        &self,
        source: &TriggerSource,
        response: &CustomMessageResponse,
    ) -> Result<(), ResponseError> {
        for (field, message) in [
            ("smsMessage", &response.sms_message),
            ("emailMessage", &response.email_message),
        ] {
            let Some(message) = message else { continue };
            if let Some(code) = self.code_parameter.as_deref().filter(|c| !c.is_empty()) {
                let has_link = self
                    .link_parameter
                    .as_deref()
                    .is_some_and(|link| !link.is_empty() && message.contains(link));
                if !message.contains(code) && !has_link {
                    return Err(ResponseError::MissingPlaceholder {
                        field,
                        placeholder: code.to_owned(),
                    });
                }
            }
            if *source == TriggerSource::CustomMessageAdminCreateUser
                && let Some(name) = self.username_parameter.as_deref().filter(|n| !n.is_empty())
                && !message.contains(name)
            {
                return Err(ResponseError::MissingPlaceholder {
                    field,
                    placeholder: name.to_owned(),
                });
            }
        }
        for (field, text, max) in [
            (
                "emailMessage",
                &response.email_message,
                MAX_EMAIL_MESSAGE_CHARS,
            ),
            (
                "emailSubject",
                &response.email_subject,
                MAX_EMAIL_SUBJECT_CHARS,
            ),
        ] {
            let len = text.as_deref().map_or(0, |t| t.chars().count());
            if len > max {
                return Err(ResponseError::MessageTooLong { field, len, max });
            }
        }
        Ok(())
    }
}

wire_struct! {
    /// The `request` of a custom e-mail sender event.
    pub struct CustomEmailSenderRequest {
        /// `type`: the request version, `"customEmailSenderRequestV1"`.
        pub request_type: String = "type",
        /// `code`: the code or temporary password, encrypted with the pool's KMS key
        /// (base64); decrypt it with the AWS Encryption SDK. `None` for notifications.
        pub code: Option<String> = "code",
        /// `userAttributes`: the user's attributes.
        pub user_attributes: StringMap = "userAttributes",
        /// `clientMetadata`: see [`TriggerRequest::client_metadata`].
        pub client_metadata: StringMap = "clientMetadata",
    }
}

wire_struct! {
    /// The `response` of a custom e-mail sender event: Cognito ignores it.
    pub struct CustomEmailSenderResponse {}
}

impl TriggerRequest for CustomEmailSenderRequest {
    type Response = CustomEmailSenderResponse;
    const FAMILY: TriggerFamily = TriggerFamily::CustomEmailSender;

    fn user_attributes(&self) -> Option<&StringMap> {
        Some(&self.user_attributes)
    }

    /// As for the custom message trigger: the `ClientMetadata` of `SignUp`,
    /// `ResendConfirmationCode`, `ForgotPassword`, `UpdateUserAttributes`,
    /// `GetUserAttributeVerificationCode` or `AdminCreateUser`.
    fn client_metadata(&self) -> Option<&StringMap> {
        Some(&self.client_metadata)
    }
}

wire_struct! {
    /// The `request` of a custom SMS sender event.
    pub struct CustomSmsSenderRequest {
        /// `type`: the request version, `"customSMSSenderRequestV1"`.
        pub request_type: String = "type",
        /// `code`: the code or temporary password, encrypted with the pool's KMS key
        /// (base64); decrypt it with the AWS Encryption SDK.
        pub code: Option<String> = "code",
        /// `userAttributes`: the user's attributes.
        pub user_attributes: StringMap = "userAttributes",
        /// `clientMetadata`: see [`TriggerRequest::client_metadata`].
        pub client_metadata: StringMap = "clientMetadata",
    }
}

wire_struct! {
    /// The `response` of a custom SMS sender event: Cognito ignores it.
    pub struct CustomSmsSenderResponse {}
}

impl TriggerRequest for CustomSmsSenderRequest {
    type Response = CustomSmsSenderResponse;
    const FAMILY: TriggerFamily = TriggerFamily::CustomSmsSender;

    fn user_attributes(&self) -> Option<&StringMap> {
        Some(&self.user_attributes)
    }

    /// As for the custom message trigger: the `ClientMetadata` of `SignUp`,
    /// `ResendConfirmationCode`, `ForgotPassword`, `UpdateUserAttributes`,
    /// `GetUserAttributeVerificationCode` or `AdminCreateUser`.
    fn client_metadata(&self) -> Option<&StringMap> {
        Some(&self.client_metadata)
    }
}
