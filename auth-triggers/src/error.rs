//! [`ResponseError`]: a response Cognito would reject.

/// A response that Cognito would reject, found before the function returns it.
///
/// Each variant carries what was wrong as data, not as a sentence to parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// Define auth challenge: `issueTokens` and `failAuthentication` are both `true`.
    #[error("issueTokens and failAuthentication are both true")]
    IssueAndFail,
    /// Define auth challenge: `challengeName` is not a challenge Cognito can present next.
    #[error("unknown challengeName {name:?}")]
    UnknownChallengeName {
        /// The name that was set.
        name: String,
    },
    /// User migration: `finalUserStatus` is neither `CONFIRMED` nor `RESET_REQUIRED`.
    #[error("unknown finalUserStatus {status:?}")]
    UnknownFinalUserStatus {
        /// The status that was set.
        status: String,
    },
    /// User migration: `messageAction` is neither `RESEND` nor `SUPPRESS`.
    #[error("unknown messageAction {action:?}")]
    UnknownMessageAction {
        /// The action that was set.
        action: String,
    },
    /// User migration: a `desiredDeliveryMediums` entry is neither `EMAIL` nor `SMS`.
    #[error("unknown delivery medium {medium:?}")]
    UnknownDeliveryMedium {
        /// The medium that was set.
        medium: String,
    },
    /// Pre sign-up or user migration: an attribute is marked verified but has no value.
    #[error("{flag} is set but the user has no {attribute} attribute")]
    MissingVerifiedAttribute {
        /// The response flag or attribute that asks for verification.
        flag: &'static str,
        /// The attribute it needs.
        attribute: &'static str,
    },
    /// Pre token generation: a claim Cognito sets itself is added, overridden or suppressed.
    #[error("claim {claim:?} is reserved and cannot be {action}")]
    ReservedClaim {
        /// The claim.
        claim: String,
        /// `"added or overridden"` or `"suppressed"`.
        action: &'static str,
    },
    /// Pre token generation: the same claim is both added and suppressed.
    #[error("claim {claim:?} is both added and suppressed")]
    ClaimAddedAndSuppressed {
        /// The claim.
        claim: String,
    },
    /// Custom message: a message does not contain a placeholder Cognito must replace.
    #[error("{field} does not contain the placeholder {placeholder:?}")]
    MissingPlaceholder {
        /// `"smsMessage"` or `"emailMessage"`.
        field: &'static str,
        /// The placeholder, e.g. the request's `codeParameter`.
        placeholder: String,
    },
    /// Custom message: a message is longer than Cognito accepts.
    #[error("{field} is {len} characters long, more than the {max} Cognito accepts")]
    MessageTooLong {
        /// `"smsMessage"`, `"emailMessage"` or `"emailSubject"`.
        field: &'static str,
        /// Its length in characters.
        len: usize,
        /// The limit.
        max: usize,
    },
}
