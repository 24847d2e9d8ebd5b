//! What `Auth` sends and reads, against the official Cognito service model: the regional
//! endpoint of every partition, the passkey MFA setting, the newer error kinds. The scripted
//! peer answers; the HTTP client records where each request went.
#![cfg(feature = "client")]

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use auth::Auth;
use auth::client::{MfaPreference, SignInOptions, UpdateMfaPreference};
use auth::core::config::UserPoolConfig;
use auth::core::test_util::{FaultResponse, Scenario, ScriptedPeer, UserSpec};
use auth::core::wire::ErrorKind;
use auth::providers::{
    HttpClient, HttpFuture, ManualTimeSource, MemoryStorage, ProviderFuture, TimeSource,
};
use serde_json::json;

/// The scripted peer as an `HttpClient` that records each request's URI.
#[derive(Debug, Clone)]
struct Recording {
    peer: Arc<Mutex<ScriptedPeer>>,
    clock: ManualTimeSource,
    uris: Arc<Mutex<Vec<String>>>,
}

impl HttpClient for Recording {
    fn send(&self, request: http::Request<Vec<u8>>) -> HttpFuture<'_> {
        self.uris.lock().unwrap().push(request.uri().to_string());
        let response = self.peer.lock().unwrap().handle(&request, self.clock.now());
        ProviderFuture::ready(Ok(response))
    }
}

fn client(scenario: Scenario, config: UserPoolConfig) -> (Auth, Recording) {
    let clock = ManualTimeSource::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000));
    let http = Recording {
        peer: Arc::new(Mutex::new(ScriptedPeer::new(scenario))),
        clock: clock.clone(),
        uris: Arc::default(),
    };
    let auth = Auth::builder()
        .user_pool(config)
        .http_client(http.clone())
        .time_source(clock)
        .storage(MemoryStorage::new())
        .build()
        .unwrap();
    (auth, http)
}

fn alice(pool_id: &str) -> Scenario {
    let mut scenario = Scenario::new().with_user(UserSpec::new("alice", "Corr3ct-horse"));
    scenario.pool_id = pool_id.to_owned();
    scenario
}

#[tokio::test]
async fn sign_in_goes_to_the_regional_endpoint_of_the_pool_partition() {
    for (region, suffix) in [
        ("eu-west-1", "amazonaws.com"),
        ("cn-north-1", "amazonaws.com.cn"),
        ("us-iso-east-1", "c2s.ic.gov"),
        ("us-isob-east-1", "sc2s.sgov.gov"),
        ("eu-isoe-west-1", "cloud.adc-e.uk"),
        ("us-isof-south-1", "csp.hci.ic.gov"),
        ("eusc-de-east-1", "amazonaws.eu"),
    ] {
        let pool_id = format!("{region}_TestPool");
        let scenario = alice(&pool_id);
        let config = UserPoolConfig::builder()
            .pool_id(&pool_id)
            .client_id(scenario.client_id.clone())
            .build()
            .unwrap();
        let (auth, http) = client(scenario, config);
        let out = auth
            .sign_in("alice", "Corr3ct-horse", SignInOptions::new())
            .await
            .unwrap();
        assert!(out.is_signed_in());
        let expected = format!("https://cognito-idp.{region}.{suffix}/");
        assert!(
            http.uris.lock().unwrap().iter().all(|uri| *uri == expected),
            "{region}: {:?}",
            http.uris.lock().unwrap()
        );
    }
}

#[tokio::test]
async fn passkey_mfa_is_sent_as_web_authn_mfa_settings_without_a_preference() {
    let scenario = alice("us-east-1_TestPool");
    let config = scenario.config();
    let (auth, http) = client(scenario, config);
    auth.sign_in("alice", "Corr3ct-horse", SignInOptions::new())
        .await
        .unwrap();
    auth.update_mfa_preference(
        UpdateMfaPreference::new()
            .totp(MfaPreference::Preferred)
            .passkey(true),
    )
    .await
    .unwrap();
    let peer = http.peer.lock().unwrap();
    let request = peer
        .requests()
        .iter()
        .find(|r| r.operation == "SetUserMFAPreference")
        .unwrap();
    assert_eq!(
        request.body["SoftwareTokenMfaSettings"],
        json!({"Enabled": true, "PreferredMfa": true})
    );
    assert_eq!(
        request.body["WebAuthnMfaSettings"],
        json!({"Enabled": true})
    );
}

#[tokio::test]
async fn operation_not_enabled_and_feature_tier_errors_reach_the_caller_typed() {
    for (code, kind) in [
        (
            "OperationNotEnabledException",
            ErrorKind::OperationNotEnabled,
        ),
        (
            "FeatureUnavailableInTierException",
            ErrorKind::FeatureUnavailableInTier,
        ),
    ] {
        let scenario = alice("us-east-1_TestPool").with_fault(
            Some("InitiateAuth"),
            0,
            FaultResponse::error(code, "This feature is not available."),
        );
        let config = scenario.config();
        let (auth, _) = client(scenario, config);
        let error = auth
            .sign_in("alice", "Corr3ct-horse", SignInOptions::new())
            .await
            .unwrap_err();
        assert_eq!(error.service_kind(), Some(&kind), "{error:?}");
    }
}
