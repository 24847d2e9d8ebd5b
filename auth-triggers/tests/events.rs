//! Every hand-written event under `tests/events/` parses into its family, reports its trigger
//! source, and round-trips to the same JSON value.

use std::fs;
use std::path::Path;

use auth_triggers::{TriggerEvent, TriggerFamily, TriggerSource};
use serde_json::Value;

/// The variant name a file's events must parse into, from the file name's prefix.
fn expected_variant(file: &str) -> Option<&'static str> {
    let table: &[(&str, &str)] = &[
        ("pre_sign_up_", "PreSignUp"),
        ("post_confirmation_", "PostConfirmation"),
        ("pre_authentication", "PreAuthentication"),
        ("post_authentication", "PostAuthentication"),
        ("define_auth_challenge", "DefineAuthChallenge"),
        ("create_auth_challenge", "CreateAuthChallenge"),
        (
            "verify_auth_challenge_response",
            "VerifyAuthChallengeResponse",
        ),
        ("pre_token_generation_v1_", "PreTokenGenerationV1"),
        ("pre_token_generation_v2_", "PreTokenGenerationV2"),
        ("pre_token_generation_v3_", "PreTokenGenerationV3"),
        ("user_migration_", "UserMigration"),
        ("custom_message_", "CustomMessage"),
        ("custom_email_sender_", "CustomEmailSender"),
        ("custom_sms_sender_", "CustomSmsSender"),
        ("inbound_federation_", "InboundFederation"),
        ("lenient_numeric_version", "PreSignUp"),
        ("lenient_nulls_everywhere", "DefineAuthChallenge"),
        ("lenient_unknown_fields", "PostAuthentication"),
        ("lenient_empty_response", "PreSignUp"),
        ("lenient_missing_fields", "CustomMessage"),
        ("lenient_float_version", "PreTokenGenerationV1"),
        ("lenient_trigger_source_last", "PreTokenGenerationV2"),
        ("lenient_v2_claim_values", "PreTokenGenerationV2"),
        ("unknown_source_in_known_family", "CustomEmailSender"),
        ("unknown_source", "Unknown"),
    ];
    table
        .iter()
        .find(|(prefix, _)| file.starts_with(prefix))
        .map(|(_, variant)| *variant)
}

fn variant_name(event: &TriggerEvent) -> &'static str {
    match event {
        TriggerEvent::PreSignUp(_) => "PreSignUp",
        TriggerEvent::PostConfirmation(_) => "PostConfirmation",
        TriggerEvent::PreAuthentication(_) => "PreAuthentication",
        TriggerEvent::PostAuthentication(_) => "PostAuthentication",
        TriggerEvent::DefineAuthChallenge(_) => "DefineAuthChallenge",
        TriggerEvent::CreateAuthChallenge(_) => "CreateAuthChallenge",
        TriggerEvent::VerifyAuthChallengeResponse(_) => "VerifyAuthChallengeResponse",
        TriggerEvent::PreTokenGenerationV1(_) => "PreTokenGenerationV1",
        TriggerEvent::PreTokenGenerationV2(_) => "PreTokenGenerationV2",
        TriggerEvent::PreTokenGenerationV3(_) => "PreTokenGenerationV3",
        TriggerEvent::UserMigration(_) => "UserMigration",
        TriggerEvent::CustomMessage(_) => "CustomMessage",
        TriggerEvent::CustomEmailSender(_) => "CustomEmailSender",
        TriggerEvent::CustomSmsSender(_) => "CustomSmsSender",
        TriggerEvent::InboundFederation(_) => "InboundFederation",
        TriggerEvent::Unknown(_) => "Unknown",
        _ => "unexpected",
    }
}

#[test]
fn every_sample_event_parses_into_its_family_and_round_trips() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/events");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("tests/events exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 60,
        "expected the full sample set, found {}",
        files.len()
    );

    let mut seen_sources = std::collections::HashSet::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = fs::read(path).unwrap();
        let original: Value = serde_json::from_slice(&bytes).unwrap();

        let event: TriggerEvent =
            serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
        let expected = expected_variant(&name).unwrap_or_else(|| panic!("{name}: no expectation"));
        assert_eq!(variant_name(&event), expected, "{name}");

        // The trigger source is reported as it was sent.
        assert_eq!(
            event.trigger_source().as_str(),
            original["triggerSource"].as_str().unwrap(),
            "{name}"
        );
        seen_sources.insert(event.trigger_source().clone());

        // Writing it back gives the same JSON value, nulls and unknown keys included.
        let written = serde_json::to_value(&event).unwrap();
        assert_eq!(written, original, "{name} does not round-trip");
        // `to_vec` writes exactly what `serde_json` writes.
        assert_eq!(
            event.to_vec().unwrap(),
            serde_json::to_vec(&event).unwrap(),
            "{name}: to_vec"
        );

        // The bytes reader gives the same event, from the file and from sorted keys.
        assert_eq!(TriggerEvent::from_slice(&bytes).unwrap(), event, "{name}");
        let sorted = serde_json::to_vec(&original).unwrap();
        assert_eq!(
            TriggerEvent::from_slice(&sorted).unwrap(),
            event,
            "{name}: sorted keys"
        );

        // Reading from a `serde_json::Value` (not bytes) gives the same event.
        let from_value: TriggerEvent = serde_json::from_value(original.clone()).unwrap();
        assert_eq!(from_value, event, "{name}: from_value differs");
    }

    // Every known source is covered by at least one sample.
    for source in TriggerSource::KNOWN {
        assert!(seen_sources.contains(source), "no sample for {source}");
    }
}

#[test]
fn every_known_source_has_a_family() {
    for source in TriggerSource::KNOWN {
        assert!(source.family().is_some(), "{source}");
        assert_eq!(TriggerSource::parse(source.as_str()), *source);
    }
    assert_eq!(
        TriggerSource::parse("CustomSMSSender_Future").family(),
        Some(TriggerFamily::CustomSmsSender)
    );
    assert_eq!(TriggerSource::parse("Nope_Nope").family(), None);
}
