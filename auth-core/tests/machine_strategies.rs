//! The `test-util` strategies and oracle: every generated scenario, answered right, ends in
//! DONE with tokens for the right user, every request carries SECRET_HASH when the client has
//! a secret, and nothing secret shows in `Debug` along the way.

use std::time::{Duration, SystemTime};

use auth_core::machine::sign_in::{SignIn, SignInStep};
use auth_core::test_util::ScriptedPeer;
use auth_core::test_util::strategy::{self, SignInCase};
use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

fn cases() -> u32 {
    std::env::var("AUTH_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_generated_sign_in_ends_in_done(case in strategy::sign_in_case(), seed in any::<u64>()) {
        let SignInCase { scenario, input } = case;
        let user = scenario.users[0].clone();
        let secret = scenario.client_secret.is_some();
        let config = scenario.config();
        let mut peer = ScriptedPeer::new(scenario);
        let mut rng = StdRng::seed_from_u64(seed);
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let mut sign_in = SignIn::new(&config, input, &mut rng, now).unwrap();
        let last = strategy::run_to_end(&mut peer, &mut sign_in, &user, &mut rng, now).unwrap();
        let SignInStep::Done(outcome) = last else { panic!("{last:?}") };
        prop_assert_eq!(&outcome.tokens.username, &user.username);
        prop_assert_eq!(peer.tokens_issued(), 1);
        let shown = format!("{sign_in:?}");
        prop_assert!(!shown.contains(&user.password));
        if secret {
            for r in peer.requests() {
                let params = r.body.get("AuthParameters").or(r.body.get("ChallengeResponses"));
                if let Some(params) = params {
                    prop_assert!(params.get("SECRET_HASH").is_some(), "{}", r.operation);
                }
            }
        }
    }
}
