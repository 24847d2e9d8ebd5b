//! [`TriggerEvent`]: any user-pool trigger event, dispatched on its `triggerSource`.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::authentication::{
    PostAuthenticationRequest, PostAuthenticationResponse, PreAuthenticationRequest,
    PreAuthenticationResponse,
};
use crate::challenge::{
    CreateAuthChallengeRequest, CreateAuthChallengeResponse, DefineAuthChallengeRequest,
    DefineAuthChallengeResponse, VerifyAuthChallengeResponseRequest,
    VerifyAuthChallengeResponseResponse,
};
use crate::envelope::{Event, TriggerRequest, Version};
use crate::error::ResponseError;
use crate::federation::{InboundFederationRequest, InboundFederationResponse};
use crate::lossless::Key;
use crate::message::{
    CustomEmailSenderRequest, CustomEmailSenderResponse, CustomMessageRequest,
    CustomMessageResponse, CustomSmsSenderRequest, CustomSmsSenderResponse,
};
use crate::migration::{UserMigrationRequest, UserMigrationResponse};
use crate::pre_token_generation::{
    PreTokenGenerationRequest, PreTokenGenerationResponse, PreTokenGenerationV2Request,
    PreTokenGenerationV2Response,
};
#[cfg(feature = "fast-json")]
use crate::scan::{Scalar, Scanner};
use crate::sign_up::{
    PostConfirmationRequest, PostConfirmationResponse, PreSignUpRequest, PreSignUpResponse,
};
use crate::source::{TriggerFamily, TriggerSource};
use crate::string_map::StringMap;

/// An event whose `triggerSource` belongs to no family this crate knows, kept whole.
#[derive(Clone, Debug, PartialEq)]
pub struct UnknownEvent {
    trigger_source: TriggerSource,
    json: Map<String, Value>,
}

impl UnknownEvent {
    /// The event's `triggerSource`.
    #[must_use]
    pub fn trigger_source(&self) -> &TriggerSource {
        &self.trigger_source
    }

    /// The whole event as it arrived.
    #[must_use]
    pub fn json(&self) -> &Map<String, Value> {
        &self.json
    }

    /// Unwraps the whole event.
    #[must_use]
    pub fn into_json(self) -> Map<String, Value> {
        self.json
    }
}

type Buffer<'de> = Vec<(Cow<'de, str>, Value)>;

macro_rules! trigger_event {
    ($( $(#[$doc:meta])* $variant:ident($req:ty, $resp:ty), )*) => {
        /// Any Cognito user-pool trigger event, by family.
        ///
        /// Deserializing dispatches on `triggerSource` (and, for pre token generation, on
        /// `version`); a source of an unknown family becomes [`TriggerEvent::Unknown`].
        /// Serializing writes back the same JSON that was read, with the handler's changes.
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub enum TriggerEvent {
            $( $(#[$doc])* $variant(Event<$req, $resp>), )*
            /// A source of a family this crate does not know, kept whole.
            Unknown(UnknownEvent),
        }

        #[derive(Clone, Copy, Debug)]
        enum Kind { $( $variant, )* }

        fn finish<'de, A: MapAccess<'de>>(
            kind: Kind,
            buffer: Buffer<'de>,
            rest: Option<A>,
        ) -> Result<TriggerEvent, A::Error> {
            match kind {
                $(
                    Kind::$variant => {
                        let mut event = Event::<$req, $resp>::begin();
                        for (key, value) in buffer {
                            crate::envelope::accept(&mut event, key, value).map_err(de::Error::custom)?;
                        }
                        if let Some(rest) = rest {
                            crate::envelope::accept_rest(&mut event, rest)?;
                        }
                        Ok(TriggerEvent::$variant(event))
                    }
                )*
            }
        }

        #[cfg(feature = "fast-json")]
        fn parse_as(kind: Kind, text: &str) -> serde_json::Result<TriggerEvent> {
            match kind {
                $( Kind::$variant => serde_json::from_str::<Event<$req, $resp>>(text).map(TriggerEvent::$variant), )*
            }
        }

        impl TriggerEvent {
            /// The event's `triggerSource`.
            #[must_use]
            pub fn trigger_source(&self) -> &TriggerSource {
                match self {
                    $( Self::$variant(e) => &e.trigger_source, )*
                    Self::Unknown(e) => e.trigger_source(),
                }
            }

            /// The event's `version` (`None` for an unknown event).
            #[must_use]
            pub fn version(&self) -> Option<&Version> {
                match self {
                    $( Self::$variant(e) => Some(&e.version), )*
                    Self::Unknown(_) => None,
                }
            }

            /// The event's `userName` (`None` for an unknown event).
            #[must_use]
            pub fn user_name(&self) -> Option<&str> {
                match self {
                    $( Self::$variant(e) => Some(&e.user_name), )*
                    Self::Unknown(_) => None,
                }
            }

            /// The `clientMetadata` of the event, for the families that receive it. Which
            /// API call fills it depends on the trigger: see
            /// [`TriggerRequest::client_metadata`] on each request type. Remember that
            /// `InitiateAuth`'s `ClientMetadata` reaches pre authentication, user migration
            /// and sign-in-time pre sign-up as [`validation_data`](Self::validation_data).
            #[must_use]
            pub fn client_metadata(&self) -> Option<&StringMap> {
                match self {
                    $( Self::$variant(e) => e.request.client_metadata(), )*
                    Self::Unknown(_) => None,
                }
            }

            /// The `validationData` of the event, for the families that receive it (pre
            /// sign-up, pre authentication, user migration).
            #[must_use]
            pub fn validation_data(&self) -> Option<&StringMap> {
                match self {
                    $( Self::$variant(e) => e.request.validation_data(), )*
                    Self::Unknown(_) => None,
                }
            }

            /// The `userAttributes` of the request, for the families that have them.
            #[must_use]
            pub fn user_attributes(&self) -> Option<&StringMap> {
                match self {
                    $( Self::$variant(e) => e.request.user_attributes(), )*
                    Self::Unknown(_) => None,
                }
            }

            /// Checks the response for what Cognito would reject (always `Ok` for an
            /// unknown event).
            ///
            /// # Errors
            ///
            /// A [`ResponseError`] naming the first problem found.
            pub fn validate(&self) -> Result<(), ResponseError> {
                match self {
                    $( Self::$variant(e) => e.validate(), )*
                    Self::Unknown(_) => Ok(()),
                }
            }
        }

        impl Serialize for TriggerEvent {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    $( Self::$variant(e) => e.serialize(serializer), )*
                    Self::Unknown(e) => e.json.serialize(serializer),
                }
            }
        }

    };
}

macro_rules! from_family {
    ($( $variant:ident($req:ty, $resp:ty), )*) => {
        $(
            impl From<Event<$req, $resp>> for TriggerEvent {
                fn from(event: Event<$req, $resp>) -> Self {
                    Self::$variant(event)
                }
            }
        )*
    };
}

from_family! {
    PreSignUp(PreSignUpRequest, PreSignUpResponse),
    PostConfirmation(PostConfirmationRequest, PostConfirmationResponse),
    PreAuthentication(PreAuthenticationRequest, PreAuthenticationResponse),
    PostAuthentication(PostAuthenticationRequest, PostAuthenticationResponse),
    DefineAuthChallenge(DefineAuthChallengeRequest, DefineAuthChallengeResponse),
    CreateAuthChallenge(CreateAuthChallengeRequest, CreateAuthChallengeResponse),
    VerifyAuthChallengeResponse(VerifyAuthChallengeResponseRequest, VerifyAuthChallengeResponseResponse),
    PreTokenGenerationV1(PreTokenGenerationRequest, PreTokenGenerationResponse),
    UserMigration(UserMigrationRequest, UserMigrationResponse),
    CustomMessage(CustomMessageRequest, CustomMessageResponse),
    CustomEmailSender(CustomEmailSenderRequest, CustomEmailSenderResponse),
    CustomSmsSender(CustomSmsSenderRequest, CustomSmsSenderResponse),
    InboundFederation(InboundFederationRequest, InboundFederationResponse),
}

/// Version 2 and 3 events share a type: `version` 3 and `TokenGeneration_ClientCredentials`
/// make a [`TriggerEvent::PreTokenGenerationV3`], anything else a version 2 event.
impl From<Event<PreTokenGenerationV2Request, PreTokenGenerationV2Response>> for TriggerEvent {
    fn from(event: Event<PreTokenGenerationV2Request, PreTokenGenerationV2Response>) -> Self {
        if event.version.major() == Some(3)
            || event.trigger_source == TriggerSource::TokenGenerationClientCredentials
        {
            Self::PreTokenGenerationV3(event)
        } else {
            Self::PreTokenGenerationV2(event)
        }
    }
}

trigger_event! {
    /// `PreSignUp_*`.
    PreSignUp(PreSignUpRequest, PreSignUpResponse),
    /// `PostConfirmation_*`.
    PostConfirmation(PostConfirmationRequest, PostConfirmationResponse),
    /// `PreAuthentication_*`.
    PreAuthentication(PreAuthenticationRequest, PreAuthenticationResponse),
    /// `PostAuthentication_*`.
    PostAuthentication(PostAuthenticationRequest, PostAuthenticationResponse),
    /// `DefineAuthChallenge_*`.
    DefineAuthChallenge(DefineAuthChallengeRequest, DefineAuthChallengeResponse),
    /// `CreateAuthChallenge_*`.
    CreateAuthChallenge(CreateAuthChallengeRequest, CreateAuthChallengeResponse),
    /// `VerifyAuthChallengeResponse_*`.
    VerifyAuthChallengeResponse(VerifyAuthChallengeResponseRequest, VerifyAuthChallengeResponseResponse),
    /// `TokenGeneration_*` with `version` 1 (or no recognisable version and a version 1
    /// response shape).
    PreTokenGenerationV1(PreTokenGenerationRequest, PreTokenGenerationResponse),
    /// `TokenGeneration_*` with `version` 2.
    PreTokenGenerationV2(PreTokenGenerationV2Request, PreTokenGenerationV2Response),
    /// `TokenGeneration_*` with `version` 3, and every `TokenGeneration_ClientCredentials`.
    PreTokenGenerationV3(PreTokenGenerationV2Request, PreTokenGenerationV2Response),
    /// `UserMigration_*`.
    UserMigration(UserMigrationRequest, UserMigrationResponse),
    /// `CustomMessage_*`.
    CustomMessage(CustomMessageRequest, CustomMessageResponse),
    /// `CustomEmailSender_*`.
    CustomEmailSender(CustomEmailSenderRequest, CustomEmailSenderResponse),
    /// `CustomSMSSender_*`.
    CustomSmsSender(CustomSmsSenderRequest, CustomSmsSenderResponse),
    /// `InboundFederation_*`.
    InboundFederation(InboundFederationRequest, InboundFederationResponse),
}

impl TriggerEvent {
    /// Parses an event from JSON bytes: the same result as
    /// `serde_json::from_slice::<TriggerEvent>`, which it is unless the feature `fast-json`
    /// is on.
    ///
    /// With `fast-json`, it checks the bytes are UTF-8 once for the whole event instead of string by string,
    /// finds the top-level `triggerSource` (and `version`) with a scan that neither parses nor
    /// allocates, wherever they are in the object, and then reads the event straight into its
    /// family's types. Events the scan cannot place (an escaped key, a pre token generation
    /// event without a usable `version`, an unknown family) take the general path.
    ///
    /// # Errors
    ///
    /// What `serde_json::from_slice::<TriggerEvent>` returns for the same bytes.
    pub fn from_slice(bytes: &[u8]) -> serde_json::Result<Self> {
        #[cfg(feature = "fast-json")]
        {
            let Ok(text) = std::str::from_utf8(bytes) else {
                return serde_json::from_slice(bytes);
            };
            let parsed = match scan_kind(text) {
                Some(kind) => parse_as(kind, text),
                None => serde_json::from_str(text),
            };
            // On an error, the general reader's error for the same bytes.
            parsed.or_else(|_| serde_json::from_slice(bytes))
        }
        #[cfg(not(feature = "fast-json"))]
        {
            serde_json::from_slice(bytes)
        }
    }

    /// Writes the event as compact JSON: the bytes `serde_json::to_vec` writes for it (with
    /// `serde_json::to_vec` itself unless the feature `fast-json` is on). With `fast-json`:
    /// most of the work is checking strings for characters to escape; `serde_json` looks at
    /// each byte, this at eight bytes at a time, and it starts with a buffer the size of a
    /// typical event instead of growing one from 128 bytes.
    ///
    /// ```
    /// use auth_triggers::TriggerEvent;
    ///
    /// let text = r#"{"version": "1", "triggerSource": "PreAuthentication_Authentication",
    ///               "request": {"userAttributes": {"name": "Zoë \"Z\""}}, "response": {}}"#;
    /// let event = TriggerEvent::from_slice(text.as_bytes())?;
    /// assert_eq!(event.to_vec()?, serde_json::to_vec(&event)?);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// What `serde_json::to_vec` returns for the event; it never fails on this crate's types.
    pub fn to_vec(&self) -> serde_json::Result<Vec<u8>> {
        #[cfg(feature = "fast-json")]
        {
            crate::writer::to_vec(self)
        }
        #[cfg(not(feature = "fast-json"))]
        {
            serde_json::to_vec(self)
        }
    }

    /// The family of the event's source, `None` for [`TriggerEvent::Unknown`].
    #[must_use]
    pub fn family(&self) -> Option<TriggerFamily> {
        match self {
            Self::Unknown(_) => None,
            other => other.trigger_source().family(),
        }
    }
}

/// What is known so far about which type to read the event into.
enum Decision {
    Known(Kind),
    Unknown,
    Undecided,
}

fn decide(
    source: Option<&TriggerSource>,
    major: Option<u64>,
    at_end: bool,
    buffer: &Buffer<'_>,
) -> Decision {
    let Some(source) = source else {
        return Decision::Undecided;
    };
    let Some(family) = source.family() else {
        return if at_end {
            Decision::Unknown
        } else {
            Decision::Undecided
        };
    };
    Decision::Known(match family {
        TriggerFamily::PreSignUp => Kind::PreSignUp,
        TriggerFamily::PostConfirmation => Kind::PostConfirmation,
        TriggerFamily::PreAuthentication => Kind::PreAuthentication,
        TriggerFamily::PostAuthentication => Kind::PostAuthentication,
        TriggerFamily::DefineAuthChallenge => Kind::DefineAuthChallenge,
        TriggerFamily::CreateAuthChallenge => Kind::CreateAuthChallenge,
        TriggerFamily::VerifyAuthChallengeResponse => Kind::VerifyAuthChallengeResponse,
        TriggerFamily::UserMigration => Kind::UserMigration,
        TriggerFamily::CustomMessage => Kind::CustomMessage,
        TriggerFamily::CustomEmailSender => Kind::CustomEmailSender,
        TriggerFamily::CustomSmsSender => Kind::CustomSmsSender,
        TriggerFamily::InboundFederation => Kind::InboundFederation,
        TriggerFamily::PreTokenGeneration => {
            if *source == TriggerSource::TokenGenerationClientCredentials {
                Kind::PreTokenGenerationV3
            } else {
                match major {
                    Some(1) => Kind::PreTokenGenerationV1,
                    Some(2) => Kind::PreTokenGenerationV2,
                    Some(3) => Kind::PreTokenGenerationV3,
                    _ if !at_end => return Decision::Undecided,
                    // No usable version: go by the shape Cognito gave the event.
                    _ => pre_token_kind_by_shape(buffer),
                }
            }
        }
    })
}

fn pre_token_kind_by_shape(buffer: &Buffer<'_>) -> Kind {
    let has = |part: &str, key: &str| {
        buffer
            .iter()
            .any(|(k, v)| k == part && v.get(key).is_some())
    };
    if has("response", "claimsAndScopeOverrideDetails") || has("request", "scopes") {
        Kind::PreTokenGenerationV2
    } else {
        Kind::PreTokenGenerationV1
    }
}

impl<'de> Deserialize<'de> for TriggerEvent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TriggerEvent;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a Cognito user-pool trigger event object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TriggerEvent, A::Error> {
                // Read entries as JSON values only until the kind is known (normally after
                // `triggerSource`, the second key), then read the rest straight into types.
                let mut buffer: Buffer<'de> = Vec::with_capacity(4);
                let mut source: Option<TriggerSource> = None;
                let mut major: Option<u64> = None;
                while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
                    let value: Value = map.next_value()?;
                    if key == "triggerSource" {
                        source =
                            Some(TriggerSource::deserialize(&value).map_err(de::Error::custom)?);
                    } else if key == "version" {
                        major = Version::major_of(&value);
                    }
                    buffer.push((key, value));
                    if let Decision::Known(kind) = decide(source.as_ref(), major, false, &buffer) {
                        return finish(kind, buffer, Some(map));
                    }
                }
                match decide(source.as_ref(), major, true, &buffer) {
                    Decision::Known(kind) => finish(kind, buffer, None::<A>),
                    Decision::Unknown => Ok(TriggerEvent::Unknown(UnknownEvent {
                        trigger_source: source.unwrap_or_default(),
                        json: buffer
                            .into_iter()
                            .map(|(k, v)| (k.into_owned(), v))
                            .collect(),
                    })),
                    Decision::Undecided => Err(de::Error::missing_field("triggerSource")),
                }
            }
        }
        deserializer.deserialize_map(V)
    }
}

/// The kind of an event, decided from its top-level `triggerSource` and `version` as the
/// streaming reader decides it, or `None` where the scan cannot tell (the caller then takes
/// the general path, which decides the same way for every input).
///
/// The streaming reader decides as soon as it has seen a `triggerSource` of a known family
/// (and, for pre token generation, a `version` with a usable major). The scan stops at the
/// same point; before it, a repeated or escaped key makes it give up, since the reader would
/// then see values the scan did not.
#[cfg(feature = "fast-json")]
fn scan_kind(text: &str) -> Option<Kind> {
    let mut scanner = Scanner::object(text)?;
    let mut source: Option<TriggerSource> = None;
    let mut version: Option<Option<u64>> = None;
    let mut first = true;
    while !scanner.at_end() {
        let key = scanner.key(first)?;
        first = false;
        match key {
            "triggerSource" if source.is_none() => match scanner.scalar()? {
                Scalar::Str(text) => source = Some(TriggerSource::parse(text)),
                Scalar::Other(_) => return None,
            },
            "version" if version.is_none() => {
                version = Some(match scanner.scalar()? {
                    Scalar::Str(text) => Version::major_of_text(text),
                    Scalar::Other(number) => serde_json::from_str::<Version>(number).ok()?.major(),
                });
            }
            "triggerSource" | "version" => return None,
            _ => scanner.skip_value()?,
        }
        if let Decision::Known(kind) =
            decide(source.as_ref(), version.flatten(), false, &Vec::new())
        {
            return Some(kind);
        }
    }
    None
}
