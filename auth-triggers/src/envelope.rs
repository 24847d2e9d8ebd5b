//! The common envelope of every trigger event: [`Event`], [`CallerContext`], [`Version`].

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Number, Value};

use crate::error::ResponseError;
use crate::lossless::{Field, Key, Presence, read_field, wire_struct, write_extra, write_field};
use crate::source::{TriggerFamily, TriggerSource};
use crate::string_map::StringMap;

wire_struct! {
    /// `callerContext`: who called the Cognito API that fired the trigger.
    pub struct CallerContext {
        /// `awsSdkVersion`: the SDK and version of the caller, e.g. `"aws-sdk-js-3.450.0"`.
        pub aws_sdk_version: String = "awsSdkVersion",
        /// `clientId`: the app client the call was made with.
        pub client_id: String = "clientId",
    }
}

/// The `version` of an event, e.g. `"1"` — Cognito sends a string; a number is accepted too
/// and written back as a number.
///
/// ```
/// use auth_triggers::Version;
///
/// let v: Version = serde_json::from_str("2").unwrap();
/// assert_eq!(v.major(), Some(2));
/// assert_eq!(serde_json::to_string(&v).unwrap(), "2");
/// assert_eq!(Version::new("1").as_str(), "1");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Version(Repr);

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Repr {
    Text(String),
    Number(Number),
}

impl Version {
    /// A version as Cognito writes it (a string such as `"1"`).
    #[must_use]
    pub fn new(text: impl Into<String>) -> Self {
        Self(Repr::Text(text.into()))
    }

    /// The version as text, whether it arrived as a string or a number.
    #[must_use]
    pub fn as_str(&self) -> Cow<'_, str> {
        match &self.0 {
            Repr::Text(text) => Cow::Borrowed(text),
            Repr::Number(n) => Cow::Owned(n.to_string()),
        }
    }

    /// Whether the version arrived as a JSON number.
    #[must_use]
    pub fn is_number(&self) -> bool {
        matches!(self.0, Repr::Number(_))
    }

    /// The major version: `1` for `"1"`, `"1.0"`, `1` or `1.0`; `None` if it is not numeric.
    #[must_use]
    pub fn major(&self) -> Option<u64> {
        match &self.0 {
            Repr::Text(text) => Self::major_of_text(text),
            Repr::Number(n) => n.as_u64().or_else(|| {
                let f = n.as_f64()?;
                (0.0..1e15).contains(&f).then(|| f.trunc() as u64)
            }),
        }
    }

    /// The major version of a `version` string, as [`major`](Self::major) reads it.
    pub(crate) fn major_of_text(text: &str) -> Option<u64> {
        text.trim().split('.').next()?.parse().ok()
    }

    /// The major version of a raw JSON `version` value, as [`major`](Self::major) reads it.
    pub(crate) fn major_of(value: &Value) -> Option<u64> {
        match value {
            Value::String(text) => Self::major_of_text(text),
            Value::Number(n) => Self(Repr::Number(n.clone())).major(),
            _ => None,
        }
    }
}

impl Default for Version {
    fn default() -> Self {
        Self::new(String::new())
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}

impl Field for Version {
    fn is_default(&self) -> bool {
        matches!(&self.0, Repr::Text(text) if text.is_empty())
    }
}

impl Serialize for Version {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Repr::Text(text) => serializer.serialize_str(text),
            Repr::Number(n) => n.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Version;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a version string or number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Version, E> {
                Ok(Version::new(v))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Version, E> {
                Ok(Version::new(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Version, E> {
                Ok(Version(Repr::Number(v.into())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Version, E> {
                Ok(Version(Repr::Number(v.into())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Version, E> {
                Number::from_f64(v)
                    .map(|n| Version(Repr::Number(n)))
                    .ok_or_else(|| E::custom("version is not a finite number"))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// What every trigger request can tell: the maps a client fills, and how to check a response.
///
/// Implemented by each family's request type; [`Event`] forwards to it.
pub trait TriggerRequest {
    /// The response type of the family.
    type Response;

    /// The family of trigger sources this request belongs to.
    const FAMILY: TriggerFamily;

    /// The `userAttributes` Cognito sent, if the family has them.
    fn user_attributes(&self) -> Option<&StringMap> {
        None
    }

    /// The `clientMetadata` the client passed to the API call that fired the trigger, if the
    /// family receives it. See each implementation for which calls fill it.
    fn client_metadata(&self) -> Option<&StringMap> {
        None
    }

    /// The `validationData` of the event, if the family receives it. See each implementation
    /// for which calls fill it.
    fn validation_data(&self) -> Option<&StringMap> {
        None
    }

    /// Checks `response` for what Cognito would reject, before the function returns it.
    ///
    /// # Errors
    ///
    /// A [`ResponseError`] naming the first problem found.
    fn validate_response(
        &self,
        source: &TriggerSource,
        response: &Self::Response,
    ) -> Result<(), ResponseError> {
        let _ = (source, response);
        Ok(())
    }
}

/// One trigger event: the common envelope around a family's `request` and `response`.
///
/// Each family has an alias, such as [`PreSignUpEvent`](crate::PreSignUpEvent). The function
/// returns the whole event with `response` filled in.
///
/// Reading and writing an event is lossless: keys this crate does not model are kept in
/// `extra` (here and in every nested object), and a field that arrived as `null` or was
/// missing is written back the same way unless the handler changed it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Event<Req, Resp> {
    /// `version`: the trigger event version (`"1"` for most; `"2"`/`"3"` for pre token
    /// generation V2/V3).
    pub version: Version,
    /// `triggerSource`: what fired the trigger.
    pub trigger_source: TriggerSource,
    /// `region`: the AWS Region of the user pool.
    pub region: String,
    /// `userPoolId`: the user pool.
    pub user_pool_id: String,
    /// `userName`: the user (absent for machine-to-machine token generation).
    pub user_name: String,
    /// `callerContext`: the SDK and app client of the call.
    pub caller_context: CallerContext,
    /// `request`: what Cognito sends.
    pub request: Req,
    /// `response`: what the function returns to Cognito.
    pub response: Resp,
    /// Keys of the envelope this crate does not model, kept and written back.
    pub extra: Map<String, Value>,
    presence: Presence,
}

const VERSION: u32 = 1;
const TRIGGER_SOURCE: u32 = 1 << 1;
const REGION: u32 = 1 << 2;
const USER_POOL_ID: u32 = 1 << 3;
const USER_NAME: u32 = 1 << 4;
const CALLER_CONTEXT: u32 = 1 << 5;
const REQUEST: u32 = 1 << 6;
const RESPONSE: u32 = 1 << 7;
const ENVELOPE_FIELDS: u32 = 8;

impl<Req: TriggerRequest<Response = Resp>, Resp> Event<Req, Resp> {
    /// The `clientMetadata` the client passed, if this family receives it
    /// (see [`TriggerRequest::client_metadata`] on the request type for which calls fill it).
    #[must_use]
    pub fn client_metadata(&self) -> Option<&StringMap> {
        self.request.client_metadata()
    }

    /// The `validationData` of the event, if this family receives it (see
    /// [`TriggerRequest::validation_data`] on the request type for which calls fill it).
    #[must_use]
    pub fn validation_data(&self) -> Option<&StringMap> {
        self.request.validation_data()
    }

    /// The `userAttributes` Cognito sent, if this family has them.
    #[must_use]
    pub fn user_attributes(&self) -> Option<&StringMap> {
        self.request.user_attributes()
    }

    /// Writes the event as compact JSON, byte for byte what `serde_json::to_vec` writes
    /// (faster with the feature `fast-json`; see [`TriggerEvent::to_vec`](crate::TriggerEvent::to_vec)).
    ///
    /// # Errors
    ///
    /// What `serde_json::to_vec` returns for the event; it never fails on this crate's types.
    pub fn to_vec(&self) -> serde_json::Result<Vec<u8>>
    where
        Self: Serialize,
    {
        #[cfg(feature = "fast-json")]
        {
            crate::writer::to_vec(self)
        }
        #[cfg(not(feature = "fast-json"))]
        {
            serde_json::to_vec(self)
        }
    }

    /// The response, to fill in before returning the event.
    pub fn response_mut(&mut self) -> &mut Resp {
        &mut self.response
    }

    /// Checks the response for what Cognito would reject.
    ///
    /// # Errors
    ///
    /// A [`ResponseError`] naming the first problem found.
    pub fn validate(&self) -> Result<(), ResponseError> {
        self.request
            .validate_response(&self.trigger_source, &self.response)
    }
}

impl<Req: Default, Resp: Default> Event<Req, Resp> {
    /// An event with the given source and default everything else (useful in tests).
    #[must_use]
    pub fn new(trigger_source: TriggerSource) -> Self {
        Self {
            version: Version::new("1"),
            trigger_source,
            ..Self::default()
        }
    }

    /// The state before any key is read.
    pub(crate) fn begin() -> Self {
        Self {
            presence: Presence::all_absent(ENVELOPE_FIELDS),
            ..Self::default()
        }
    }
}

/// Reads the value of one key of the envelope into `event`.
pub(crate) fn accept<'de, Req, Resp, D>(
    event: &mut Event<Req, Resp>,
    key: Cow<'de, str>,
    d: D,
) -> Result<(), D::Error>
where
    Req: Deserialize<'de> + Field,
    Resp: Deserialize<'de> + Field,
    D: Deserializer<'de>,
{
    let p = &mut event.presence;
    // The event's type is chosen by `triggerSource` and `version`: a second one could
    // contradict that choice, so (like serde's derive) a duplicate is an error.
    for (name, bit) in [("triggerSource", TRIGGER_SOURCE), ("version", VERSION)] {
        if key == name && !p.is_absent(bit) {
            return Err(de::Error::duplicate_field(name));
        }
    }
    match &*key {
        "version" => event.version = read_field(d, p, VERSION)?,
        "triggerSource" => event.trigger_source = read_field(d, p, TRIGGER_SOURCE)?,
        "region" => event.region = read_field(d, p, REGION)?,
        "userPoolId" => event.user_pool_id = read_field(d, p, USER_POOL_ID)?,
        "userName" => event.user_name = read_field(d, p, USER_NAME)?,
        "callerContext" => event.caller_context = read_field(d, p, CALLER_CONTEXT)?,
        "request" => event.request = read_field(d, p, REQUEST)?,
        "response" => event.response = read_field(d, p, RESPONSE)?,
        _ => {
            let value = Value::deserialize(d)?;
            event.extra.insert(key.into_owned(), value);
        }
    }
    Ok(())
}

/// Reads the remaining keys of `map` into `event`.
pub(crate) fn accept_rest<'de, Req, Resp, A>(
    event: &mut Event<Req, Resp>,
    mut map: A,
) -> Result<(), A::Error>
where
    Req: Deserialize<'de> + Field,
    Resp: Deserialize<'de> + Field,
    A: MapAccess<'de>,
{
    while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
        map.next_value_seed(Entry {
            event: &mut *event,
            key,
        })?;
    }
    Ok(())
}

/// Feeds one live map value to [`Event::accept`].
struct Entry<'a, 'de, Req, Resp> {
    event: &'a mut Event<Req, Resp>,
    key: Cow<'de, str>,
}

impl<'de, Req, Resp> DeserializeSeed<'de> for Entry<'_, 'de, Req, Resp>
where
    Req: Deserialize<'de> + Field,
    Resp: Deserialize<'de> + Field,
{
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        accept(self.event, self.key, d)
    }
}

impl<'de, Req, Resp> Deserialize<'de> for Event<Req, Resp>
where
    Req: Deserialize<'de> + Field,
    Resp: Deserialize<'de> + Field,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<Req, Resp>(std::marker::PhantomData<(Req, Resp)>);
        impl<'de, Req, Resp> Visitor<'de> for V<Req, Resp>
        where
            Req: Deserialize<'de> + Field,
            Resp: Deserialize<'de> + Field,
        {
            type Value = Event<Req, Resp>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a Cognito trigger event object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let mut event = Event::begin();
                accept_rest(&mut event, map)?;
                Ok(event)
            }
        }
        deserializer.deserialize_map(V(std::marker::PhantomData))
    }
}

impl<Req: Serialize + Field, Resp: Serialize + Field> Serialize for Event<Req, Resp> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let p = self.presence;
        let mut map = serializer.serialize_map(None)?;
        write_field(&mut map, p, VERSION, "version", &self.version)?;
        write_field(
            &mut map,
            p,
            TRIGGER_SOURCE,
            "triggerSource",
            &self.trigger_source,
        )?;
        write_field(&mut map, p, REGION, "region", &self.region)?;
        write_field(&mut map, p, USER_POOL_ID, "userPoolId", &self.user_pool_id)?;
        write_field(&mut map, p, USER_NAME, "userName", &self.user_name)?;
        write_field(
            &mut map,
            p,
            CALLER_CONTEXT,
            "callerContext",
            &self.caller_context,
        )?;
        write_field(&mut map, p, REQUEST, "request", &self.request)?;
        write_field(&mut map, p, RESPONSE, "response", &self.response)?;
        write_extra(&mut map, &self.extra)?;
        map.end()
    }
}
