//! Property tests: arbitrary well-typed events (every field absent, `null` or a value, plus
//! unknown keys at every level) parse, report their source, and write back the same JSON.

use auth_triggers::{TriggerEvent, TriggerSource};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// The JSON type of a modelled field.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// A map of names to (mostly) strings.
    Map,
    /// A list of strings.
    Strings,
    /// A string.
    Str,
    /// A boolean.
    Bool,
    /// Any JSON value.
    Any,
    /// A nested object.
    Obj(&'static [(&'static str, Self)]),
    /// A list of nested objects.
    List(&'static [(&'static str, Self)]),
}

const CALLER: &[(&str, Kind)] = &[("awsSdkVersion", Kind::Str), ("clientId", Kind::Str)];
const GROUP: &[(&str, Kind)] = &[
    ("groupsToOverride", Kind::Strings),
    ("iamRolesToOverride", Kind::Strings),
    ("preferredRole", Kind::Str),
];
const CHALLENGE: &[(&str, Kind)] = &[
    ("challengeName", Kind::Str),
    ("challengeResult", Kind::Bool),
    ("challengeMetadata", Kind::Str),
];
const ID_TOKEN: &[(&str, Kind)] = &[
    ("claimsToAddOrOverride", Kind::Map),
    ("claimsToSuppress", Kind::Strings),
];
const ACCESS_TOKEN: &[(&str, Kind)] = &[
    ("claimsToAddOrOverride", Kind::Map),
    ("claimsToSuppress", Kind::Strings),
    ("scopesToAdd", Kind::Strings),
    ("scopesToSuppress", Kind::Strings),
];
const V2_DETAILS: &[(&str, Kind)] = &[
    ("idTokenGeneration", Kind::Obj(ID_TOKEN)),
    ("accessTokenGeneration", Kind::Obj(ACCESS_TOKEN)),
    ("groupOverrideDetails", Kind::Obj(GROUP)),
];
const V1_DETAILS: &[(&str, Kind)] = &[
    ("claimsToAddOrOverride", Kind::Map),
    ("claimsToSuppress", Kind::Strings),
    ("groupOverrideDetails", Kind::Obj(GROUP)),
];
const FEDERATION_ATTRS: &[(&str, Kind)] = &[
    ("tokenResponse", Kind::Map),
    ("idToken", Kind::Map),
    ("userInfo", Kind::Map),
    ("samlResponse", Kind::Map),
];

type Shape = (
    &'static [(&'static str, Kind)],
    &'static [(&'static str, Kind)],
);

/// The request and response shape of a source's family (and version, for token generation).
fn shape(source: &str, version: u8) -> Shape {
    let family = source.split('_').next().unwrap();
    match family {
        "PreSignUp" => (
            &[
                ("userAttributes", Kind::Map),
                ("validationData", Kind::Map),
                ("clientMetadata", Kind::Map),
            ],
            &[
                ("autoConfirmUser", Kind::Bool),
                ("autoVerifyEmail", Kind::Bool),
                ("autoVerifyPhone", Kind::Bool),
            ],
        ),
        "PostConfirmation" => (
            &[("userAttributes", Kind::Map), ("clientMetadata", Kind::Map)],
            &[],
        ),
        "PreAuthentication" => (
            &[
                ("userAttributes", Kind::Map),
                ("validationData", Kind::Map),
                ("userNotFound", Kind::Bool),
            ],
            &[],
        ),
        "PostAuthentication" => (
            &[
                ("newDeviceUsed", Kind::Bool),
                ("userAttributes", Kind::Map),
                ("clientMetadata", Kind::Map),
            ],
            &[],
        ),
        "DefineAuthChallenge" => (
            &[
                ("userAttributes", Kind::Map),
                ("session", Kind::List(CHALLENGE)),
                ("clientMetadata", Kind::Map),
                ("userNotFound", Kind::Bool),
            ],
            &[
                ("challengeName", Kind::Str),
                ("issueTokens", Kind::Bool),
                ("failAuthentication", Kind::Bool),
            ],
        ),
        "CreateAuthChallenge" => (
            &[
                ("userAttributes", Kind::Map),
                ("challengeName", Kind::Str),
                ("session", Kind::List(CHALLENGE)),
                ("clientMetadata", Kind::Map),
                ("userNotFound", Kind::Bool),
            ],
            &[
                ("publicChallengeParameters", Kind::Map),
                ("privateChallengeParameters", Kind::Map),
                ("challengeMetadata", Kind::Str),
            ],
        ),
        "VerifyAuthChallengeResponse" => (
            &[
                ("userAttributes", Kind::Map),
                ("privateChallengeParameters", Kind::Map),
                ("challengeAnswer", Kind::Any),
                ("clientMetadata", Kind::Map),
                ("userNotFound", Kind::Bool),
            ],
            &[("answerCorrect", Kind::Bool)],
        ),
        "TokenGeneration" if version == 1 && source != "TokenGeneration_ClientCredentials" => (
            &[
                ("userAttributes", Kind::Map),
                ("groupConfiguration", Kind::Obj(GROUP)),
                ("clientMetadata", Kind::Map),
            ],
            &[("claimsOverrideDetails", Kind::Obj(V1_DETAILS))],
        ),
        "TokenGeneration" => (
            &[
                ("userAttributes", Kind::Map),
                ("groupConfiguration", Kind::Obj(GROUP)),
                ("scopes", Kind::Strings),
                ("clientMetadata", Kind::Map),
            ],
            &[("claimsAndScopeOverrideDetails", Kind::Obj(V2_DETAILS))],
        ),
        "UserMigration" => (
            &[
                ("password", Kind::Str),
                ("validationData", Kind::Map),
                ("clientMetadata", Kind::Map),
            ],
            &[
                ("userAttributes", Kind::Map),
                ("finalUserStatus", Kind::Str),
                ("messageAction", Kind::Str),
                ("desiredDeliveryMediums", Kind::Strings),
                ("forceAliasCreation", Kind::Bool),
                ("enableSMSMFA", Kind::Bool),
            ],
        ),
        "CustomMessage" => (
            &[
                ("userAttributes", Kind::Map),
                ("codeParameter", Kind::Str),
                ("linkParameter", Kind::Str),
                ("usernameParameter", Kind::Str),
                ("clientMetadata", Kind::Map),
            ],
            &[
                ("smsMessage", Kind::Str),
                ("emailMessage", Kind::Str),
                ("emailSubject", Kind::Str),
            ],
        ),
        "CustomEmailSender" | "CustomSMSSender" => (
            &[
                ("type", Kind::Str),
                ("code", Kind::Str),
                ("userAttributes", Kind::Map),
                ("clientMetadata", Kind::Map),
            ],
            &[],
        ),
        "InboundFederation" => (
            &[
                ("providerName", Kind::Str),
                ("providerType", Kind::Str),
                ("attributes", Kind::Obj(FEDERATION_ATTRS)),
            ],
            &[("userAttributesToMap", Kind::Map)],
        ),
        _ => (&[("anything", Kind::Any)], &[("anything", Kind::Any)]),
    }
}

fn any_leaf() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        "[a-zA-Z0-9 @.:_{}#-]{0,12}".prop_map(Value::from),
    ]
    .boxed()
}

fn any_json() -> BoxedStrategy<Value> {
    any_leaf()
        .prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                prop::collection::btree_map("[a-z]{1,6}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
        .boxed()
}

fn value_of(kind: Kind) -> BoxedStrategy<Value> {
    match kind {
        Kind::Map => prop::collection::btree_map(
            "[a-z:_]{1,10}",
            prop_oneof![4 => "[ -~]{0,10}".prop_map(Value::from), 1 => any_leaf()],
            0..4,
        )
        .prop_map(|m| Value::Object(m.into_iter().collect()))
        .boxed(),
        Kind::Strings => prop::collection::vec("[a-z/.:]{0,10}", 0..4)
            .prop_map(Value::from)
            .boxed(),
        Kind::Str => "[ -~]{0,12}".prop_map(Value::from).boxed(),
        Kind::Bool => any::<bool>().prop_map(Value::from).boxed(),
        Kind::Any => any_json(),
        Kind::Obj(fields) => object_of(fields),
        Kind::List(fields) => prop::collection::vec(object_of(fields), 0..3)
            .prop_map(Value::from)
            .boxed(),
    }
}

/// A field: absent (`None`), `null`, or a value.
fn field(kind: Kind) -> BoxedStrategy<Option<Value>> {
    prop_oneof![
        1 => Just(None),
        1 => Just(Some(Value::Null)),
        3 => value_of(kind).prop_map(Some),
    ]
    .boxed()
}

/// Unknown keys (prefixed so they never collide with modelled ones).
fn extras() -> BoxedStrategy<Vec<(String, Value)>> {
    prop::collection::vec(("zz[a-z]{1,6}", any_json()), 0..2).boxed()
}

fn object_of(fields: &'static [(&'static str, Kind)]) -> BoxedStrategy<Value> {
    let parts: Vec<_> = fields.iter().map(|&(_, kind)| field(kind)).collect();
    (parts, extras())
        .prop_map(move |(values, extra)| {
            let mut map = Map::new();
            for ((name, _), value) in fields.iter().zip(values) {
                if let Some(value) = value {
                    map.insert((*name).to_owned(), value);
                }
            }
            map.extend(extra);
            Value::Object(map)
        })
        .boxed()
}

fn any_source() -> BoxedStrategy<String> {
    let known: Vec<String> = TriggerSource::KNOWN
        .iter()
        .map(|s| s.as_str().to_owned())
        .collect();
    prop_oneof![
        8 => prop::sample::select(known),
        1 => "(PreSignUp|CustomEmailSender|CustomSMSSender)_[A-Z][a-z]{1,8}",
        1 => "[A-Z][a-z]{1,8}_[A-Z][a-z]{1,8}",
    ]
    .boxed()
}

prop_compose! {
    fn any_event()(source in any_source(), version in 1u8..=3, numeric in any::<bool>())
        (request in object_of(shape(&source, version).0),
         response in object_of(shape(&source, version).1),
         envelope in object_of(&[
            ("region", Kind::Str),
            ("userPoolId", Kind::Str),
            ("userName", Kind::Str),
            ("callerContext", Kind::Obj(CALLER)),
         ]),
         request_presence in 0u8..4,
         source in Just(source), version in Just(version), numeric in Just(numeric))
        -> Value
    {
        let mut event = envelope;
        event["triggerSource"] = json!(source);
        event["version"] = if numeric { json!(version) } else { json!(version.to_string()) };
        match request_presence {
            0 => { event["request"] = Value::Null; }
            1 => {}
            _ => { event["request"] = request; }
        }
        event["response"] = response;
        event
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_events_round_trip(event in any_event()) {
        let bytes = serde_json::to_vec(&event).unwrap();
        // Compare with the bytes as serde_json reads them (its default float parsing is not
        // exactly round-trip; that is serde_json's, and the same on both sides).
        let event: Value = serde_json::from_slice(&bytes).unwrap();
        let parsed: TriggerEvent = serde_json::from_slice(&bytes).unwrap();
        prop_assert_eq!(parsed.trigger_source().as_str(), event["triggerSource"].as_str().unwrap());
        prop_assert_eq!(&serde_json::to_value(&parsed).unwrap(), &event);
        prop_assert_eq!(&TriggerEvent::from_slice(&bytes).unwrap(), &parsed);
        prop_assert_eq!(parsed.to_vec().unwrap(), serde_json::to_vec(&parsed).unwrap());
        let again: TriggerEvent = serde_json::from_value(event).unwrap();
        prop_assert_eq!(again, parsed);
    }

    #[test]
    fn any_text_is_written_as_serde_json_writes_it(event in any_event(), text in any::<String>()) {
        // Control characters, quotes, backslashes and any Unicode, as a value and as a key,
        // in an unknown key, a string map and a modelled string.
        let mut event = event;
        event["zzText"] = json!({ format!("zz{text}"): &text });
        event["userName"] = json!(&text);
        if event["request"].is_object() {
            event["request"]["clientMetadata"] = json!({ text.clone(): text });
        }
        let bytes = serde_json::to_vec(&event).unwrap();
        let parsed = TriggerEvent::from_slice(&bytes).unwrap();
        prop_assert_eq!(parsed.to_vec().unwrap(), serde_json::to_vec(&parsed).unwrap());
        let event: Value = serde_json::from_slice(&bytes).unwrap(); // floats as serde_json reads them
        prop_assert_eq!(serde_json::to_value(&parsed).unwrap(), event);
    }

    #[test]
    fn arbitrary_json_never_panics(value in any_json(), source in any_source()) {
        let mut event = json!({"triggerSource": source});
        event["request"] = value.clone();
        event["response"] = value;
        if let Ok(parsed) = serde_json::from_value::<TriggerEvent>(event.clone()) {
            prop_assert_eq!(serde_json::to_value(&parsed).unwrap(), event);
        }
    }
}
