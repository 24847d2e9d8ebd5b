//! Reading pool ids from Amplify's generated configuration files.

use auth_core::config::{IdentityPoolConfig, UserPoolConfig};
use serde::Deserialize;

use super::BuildError;

/// The `auth` section of Amplify Gen 2's `amplify_outputs.json` (fields we use).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Gen2Auth {
    user_pool_id: Option<String>,
    user_pool_client_id: Option<String>,
    identity_pool_id: Option<String>,
    unauthenticated_identities_enabled: Option<bool>,
}

/// Both file shapes: Gen 2 (`auth: {...}`) and Gen 1 (`aws_user_pools_id`, ...).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Outputs {
    auth: Option<Gen2Auth>,
    aws_user_pools_id: Option<String>,
    aws_user_pools_web_client_id: Option<String>,
    aws_cognito_identity_pool_id: Option<String>,
}

pub(crate) type Pools = (Option<UserPoolConfig>, Option<IdentityPoolConfig>);

/// Parses `amplify_outputs.json` or `amplifyconfiguration.json`. The region of each pool is
/// part of its id, so `aws_region` is not needed.
pub(crate) fn parse(json: &str) -> Result<Pools, BuildError> {
    let outputs: Outputs = serde_json::from_str(json).map_err(|e| BuildError::AmplifyOutputs {
        // Line and column only: serde's message may quote a value.
        reason: format!(
            "not JSON of the expected shape (line {}, column {})",
            e.line(),
            e.column()
        ),
    })?;
    let (pool, client, identity, guests) = match outputs.auth {
        Some(auth) => (
            auth.user_pool_id,
            auth.user_pool_client_id,
            auth.identity_pool_id,
            auth.unauthenticated_identities_enabled.unwrap_or(false),
        ),
        None => (
            outputs.aws_user_pools_id,
            outputs.aws_user_pools_web_client_id,
            outputs.aws_cognito_identity_pool_id,
            // Gen 1 files do not say; guests are tried and the pool decides.
            true,
        ),
    };
    let user_pool = match (pool, client) {
        (Some(pool), Some(client)) => Some(
            UserPoolConfig::builder()
                .pool_id(pool)
                .client_id(client)
                .build()?,
        ),
        (None, None) => None,
        _ => {
            return Err(BuildError::AmplifyOutputs {
                reason: "a user pool id needs a client id and the other way round".into(),
            });
        }
    };
    let identity_pool = match identity {
        Some(id) => Some(
            IdentityPoolConfig::builder()
                .identity_pool_id(id)
                .allow_guest_access(guests)
                .build()?,
        ),
        None => None,
    };
    if user_pool.is_none() && identity_pool.is_none() {
        return Err(BuildError::AmplifyOutputs {
            reason: "no user pool and no identity pool in the `auth` section".into(),
        });
    }
    Ok((user_pool, identity_pool))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gen2_outputs_give_both_pools() {
        let json = r#"{"version":"1.3","auth":{"user_pool_id":"eu-west-1_Abc","aws_region":"eu-west-1",
            "user_pool_client_id":"client1","identity_pool_id":"eu-west-1:0e1c-42",
            "unauthenticated_identities_enabled":true,"mfa_methods":["TOTP"]}}"#;
        let (user, identity) = parse(json).unwrap();
        let user = user.unwrap();
        assert_eq!(user.pool_id(), "eu-west-1_Abc");
        assert_eq!(user.client_id(), "client1");
        let identity = identity.unwrap();
        assert_eq!(identity.identity_pool_id(), "eu-west-1:0e1c-42");
        assert!(identity.allow_guest_access());
    }

    #[test]
    fn identity_pool_only_outputs_are_accepted() {
        let json = r#"{"auth":{"identity_pool_id":"us-east-1:0e1c-42","aws_region":"us-east-1"}}"#;
        let (user, identity) = parse(json).unwrap();
        assert!(user.is_none());
        assert!(!identity.unwrap().allow_guest_access());
    }

    #[test]
    fn gen1_configuration_is_read_too() {
        let json = r#"{"aws_project_region":"us-east-1","aws_user_pools_id":"us-east-1_X",
            "aws_user_pools_web_client_id":"c","aws_cognito_identity_pool_id":"us-east-1:0e1c-42"}"#;
        let (user, identity) = parse(json).unwrap();
        assert_eq!(user.unwrap().pool_id(), "us-east-1_X");
        assert!(identity.is_some());
    }

    #[test]
    fn malformed_outputs_are_typed_errors_without_values() {
        let err = parse(r#"{"auth":{"user_pool_id":"us-east-1_X"}}"#).unwrap_err();
        assert!(matches!(err, BuildError::AmplifyOutputs { .. }));
        let err = parse(r#"{"auth":{"user_pool_id":"secret-ish","user_pool_client_id":"c"}}"#)
            .unwrap_err();
        assert!(matches!(err, BuildError::Config(_)));
        let err = parse("{not json").unwrap_err();
        assert!(!err.to_string().contains("not json"));
        assert!(matches!(
            parse("{}"),
            Err(BuildError::AmplifyOutputs { .. })
        ));
    }
}
