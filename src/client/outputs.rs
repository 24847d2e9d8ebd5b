//! Reading pool ids and the OAuth settings from Amplify's generated configuration files.

use auth_core::config::{IdentityPoolConfig, OAuthConfig, OAuthResponseType, UserPoolConfig};
use serde::Deserialize;

use super::BuildError;

/// The `auth` section of Amplify Gen 2's `amplify_outputs.json` (fields we use).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Gen2Auth {
    aws_region: Option<String>,
    user_pool_id: Option<String>,
    user_pool_client_id: Option<String>,
    identity_pool_id: Option<String>,
    unauthenticated_identities_enabled: Option<bool>,
    oauth: Option<Gen2OAuth>,
    /// Not Gen 2: the `auth` section of Gen 1's mobile `amplifyconfiguration.json`.
    plugins: Option<MobilePlugins>,
}

/// `auth.plugins` of the `amplifyconfiguration.json` that the Amplify CLI (Gen 1) writes
/// for Android, Swift and Flutter apps.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MobilePlugins {
    #[serde(rename = "awsCognitoAuthPlugin")]
    cognito: Option<MobileCognito>,
}

/// `awsCognitoAuthPlugin`: each service under a `Default` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
struct MobileCognito {
    cognito_user_pool: Option<MobileDefault<MobileUserPool>>,
    credentials_provider: Option<MobileCredentialsProvider>,
    auth: Option<MobileDefault<MobileAuth>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
struct MobileDefault<T> {
    default: Option<T>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
struct MobileUserPool {
    pool_id: Option<String>,
    app_client_id: Option<String>,
    region: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
struct MobileCredentialsProvider {
    cognito_identity: Option<MobileDefault<MobileIdentityPool>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
struct MobileIdentityPool {
    pool_id: Option<String>,
    region: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MobileAuth {
    #[serde(rename = "OAuth")]
    oauth: Option<MobileOAuth>,
}

/// `Auth.Default.OAuth`: the redirect URIs are one comma-separated string, as in Gen 1 JS.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
struct MobileOAuth {
    web_domain: Option<String>,
    scopes: Vec<String>,
    #[serde(rename = "SignInRedirectURI")]
    sign_in_redirect_uri: Option<String>,
    #[serde(rename = "SignOutRedirectURI")]
    sign_out_redirect_uri: Option<String>,
}

/// `auth.oauth` of `amplify_outputs.json`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Gen2OAuth {
    domain: Option<String>,
    scopes: Vec<String>,
    redirect_sign_in_uri: Vec<String>,
    redirect_sign_out_uri: Vec<String>,
    response_type: Option<String>,
    identity_providers: Vec<String>,
}

/// The top-level `oauth` of Gen 1's `amplifyconfiguration.json` (Amplify JS); the redirect
/// URIs are one comma-separated string. The CLI writes `"oauth": {}` when there is none.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Gen1OAuth {
    domain: Option<String>,
    scope: Vec<String>,
    redirect_sign_in: Option<String>,
    redirect_sign_out: Option<String>,
    response_type: Option<String>,
}

/// Every file shape: Gen 2 (`auth: {...}`), Gen 1 for JavaScript (`aws_user_pools_id`, ...)
/// and Gen 1 for mobile apps (`auth: {plugins: {awsCognitoAuthPlugin: ...}}`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Outputs {
    auth: Option<Gen2Auth>,
    aws_cognito_region: Option<String>,
    aws_user_pools_id: Option<String>,
    aws_user_pools_web_client_id: Option<String>,
    aws_cognito_identity_pool_id: Option<String>,
    oauth: Option<Gen1OAuth>,
}

/// What a configuration file configures.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub(crate) user_pool: Option<UserPoolConfig>,
    pub(crate) identity_pool: Option<IdentityPoolConfig>,
    pub(crate) oauth: Option<OAuthConfig>,
}

impl Gen2OAuth {
    fn build(self) -> Result<Option<OAuthConfig>, BuildError> {
        let Some(domain) = self.domain.filter(|d| !d.is_empty()) else {
            return Ok(None);
        };
        let mut builder = OAuthConfig::builder().domain(domain).scopes(self.scopes);
        for uri in self.redirect_sign_in_uri {
            builder = builder.redirect_sign_in(uri);
        }
        for uri in self.redirect_sign_out_uri {
            builder = builder.redirect_sign_out(uri);
        }
        for provider in self.identity_providers {
            builder = builder.identity_provider(provider);
        }
        if let Some(kind) = self.response_type {
            builder = builder.response_type(OAuthResponseType::parse(&kind)?);
        }
        Ok(Some(builder.build()?))
    }
}

impl Gen1OAuth {
    fn build(self) -> Result<Option<OAuthConfig>, BuildError> {
        let split = |uris: Option<String>| -> Vec<String> {
            uris.unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(str::to_owned)
                .collect()
        };
        Gen2OAuth {
            domain: self.domain,
            scopes: self.scope,
            redirect_sign_in_uri: split(self.redirect_sign_in),
            redirect_sign_out_uri: split(self.redirect_sign_out),
            response_type: self.response_type,
            identity_providers: Vec::new(),
        }
        .build()
    }
}

/// The JSON paths of one file shape's fields, for error messages.
struct Paths {
    region: &'static str,
    user_pool_id: &'static str,
    client_id: &'static str,
    identity_pool_id: &'static str,
    /// Where the identity pool's own region is, when the shape has one.
    identity_region: Option<&'static str>,
}

const GEN2: Paths = Paths {
    region: "auth.aws_region",
    user_pool_id: "auth.user_pool_id",
    client_id: "auth.user_pool_client_id",
    identity_pool_id: "auth.identity_pool_id",
    identity_region: None,
};

const GEN1: Paths = Paths {
    region: "aws_cognito_region",
    user_pool_id: "aws_user_pools_id",
    client_id: "aws_user_pools_web_client_id",
    identity_pool_id: "aws_cognito_identity_pool_id",
    identity_region: None,
};

const MOBILE: Paths = Paths {
    region: "auth.plugins.awsCognitoAuthPlugin.CognitoUserPool.Default.Region",
    user_pool_id: "auth.plugins.awsCognitoAuthPlugin.CognitoUserPool.Default.PoolId",
    client_id: "auth.plugins.awsCognitoAuthPlugin.CognitoUserPool.Default.AppClientId",
    identity_pool_id: "auth.plugins.awsCognitoAuthPlugin.CredentialsProvider.CognitoIdentity.Default.PoolId",
    identity_region: Some(
        "auth.plugins.awsCognitoAuthPlugin.CredentialsProvider.CognitoIdentity.Default.Region",
    ),
};

/// The fields this reader knows, by the object that holds them (`""` for the top level), so
/// that a near miss (`userpool_id`, `userPoolId`) is named rather than ignored.
const KNOWN: &[(&str, &[&str])] = &[
    (
        "",
        &[
            "auth",
            "aws_cognito_region",
            "aws_user_pools_id",
            "aws_user_pools_web_client_id",
            "aws_cognito_identity_pool_id",
            "oauth",
        ],
    ),
    (
        "auth",
        &[
            "aws_region",
            "user_pool_id",
            "user_pool_client_id",
            "identity_pool_id",
            "unauthenticated_identities_enabled",
            "oauth",
            "plugins",
        ],
    ),
    (
        "auth.oauth",
        &[
            "domain",
            "scopes",
            "redirect_sign_in_uri",
            "redirect_sign_out_uri",
            "response_type",
            "identity_providers",
        ],
    ),
];

fn outputs_error(field: Option<String>, reason: String) -> BuildError {
    BuildError::AmplifyOutputs { field, reason }
}

/// `userPoolId`, `user-pool-id` and `userpool_id` all become `userpoolid`.
fn normalized(key: &str) -> String {
    key.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Refuses a key that is not one this reader knows but spells one of them differently.
fn check_near_misses(value: &serde_json::Value) -> Result<(), BuildError> {
    for (object, known) in KNOWN {
        let target = object
            .split('.')
            .filter(|part| !part.is_empty())
            .try_fold(value, |v, part| v.get(part));
        let Some(serde_json::Value::Object(map)) = target else {
            continue;
        };
        for key in map.keys() {
            if known.contains(&key.as_str()) {
                continue;
            }
            if let Some(meant) = known.iter().find(|k| normalized(k) == normalized(key)) {
                let path = |k: &str| {
                    if object.is_empty() {
                        k.to_owned()
                    } else {
                        format!("{object}.{k}")
                    }
                };
                return Err(outputs_error(
                    Some(path(key)),
                    format!(
                        "`{}` is not a field of the file; did you mean `{}`?",
                        path(key),
                        path(meant)
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// serde's message without the value it may quote: `invalid type: string "…", expected a
/// boolean` becomes `expected a boolean, found a string`.
fn describe(error: &serde_json::Error) -> String {
    let message = error.to_string();
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let found = rest.split([' ', ',']).next().unwrap_or("value");
        if let Some(expected) = rest.split(", expected ").nth(1) {
            // serde_json appends " at line L column C"; the position is reported apart.
            let expected = expected.split(" at line ").next().unwrap_or(expected);
            let article = if found.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            return format!("expected {expected}, found {article} {found}");
        }
    }
    "a value of the wrong shape".to_owned()
}

/// Refuses a region that is not the one the pool id names.
fn check_region(
    region: Option<&str>,
    region_path: &str,
    pool_region: &str,
    pool_path: &str,
) -> Result<(), BuildError> {
    match region {
        Some(region) if !region.is_empty() && region != pool_region => Err(outputs_error(
            Some(region_path.to_owned()),
            format!("`{region_path}` is {region}, but `{pool_path}` is a pool in {pool_region}"),
        )),
        _ => Ok(()),
    }
}

/// Parses `amplify_outputs.json` or either `amplifyconfiguration.json`. The region of each pool is
/// part of its id; a region the file states must agree with it.
pub(crate) fn parse(json: &str) -> Result<Parsed, BuildError> {
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| {
        // Line and column only: serde's message may quote a value.
        outputs_error(
            None,
            format!("not JSON (line {}, column {})", e.line(), e.column()),
        )
    })?;
    check_near_misses(&value)?;
    let outputs: Outputs = serde_path_to_error::deserialize(
        &mut serde_json::Deserializer::from_str(json),
    )
    .map_err(|e: serde_path_to_error::Error<serde_json::Error>| {
        let path = e.path().to_string();
        let inner = e.inner();
        outputs_error(
            Some(path.clone()),
            format!(
                "`{path}`: {} (line {}, column {})",
                describe(inner),
                inner.line(),
                inner.column()
            ),
        )
    })?;
    let (paths, region, identity_region, pool, client, identity, guests, oauth) = match outputs.auth
    {
        Some(Gen2Auth {
            plugins: Some(plugins),
            ..
        }) => {
            let cognito = plugins.cognito.unwrap_or_default();
            let user_pool = cognito
                .cognito_user_pool
                .and_then(|p| p.default)
                .unwrap_or_default();
            let oauth = cognito
                .auth
                .and_then(|a| a.default)
                .and_then(|a| a.oauth)
                .map(|o| Gen1OAuth {
                    domain: o.web_domain,
                    scope: o.scopes,
                    redirect_sign_in: o.sign_in_redirect_uri,
                    redirect_sign_out: o.sign_out_redirect_uri,
                    response_type: None,
                });
            let identity = cognito
                .credentials_provider
                .and_then(|c| c.cognito_identity)
                .and_then(|c| c.default)
                .unwrap_or_default();
            (
                &MOBILE,
                user_pool.region,
                identity.region,
                user_pool.pool_id,
                user_pool.app_client_id,
                identity.pool_id,
                // Gen 1 files do not say; guests are tried and the pool decides.
                true,
                oauth.map(Gen1OAuth::build).transpose()?.flatten(),
            )
        }
        Some(auth) => (
            &GEN2,
            auth.aws_region,
            None,
            auth.user_pool_id,
            auth.user_pool_client_id,
            auth.identity_pool_id,
            auth.unauthenticated_identities_enabled.unwrap_or(false),
            auth.oauth.map(Gen2OAuth::build).transpose()?.flatten(),
        ),
        None => (
            &GEN1,
            outputs.aws_cognito_region,
            None,
            outputs.aws_user_pools_id,
            outputs.aws_user_pools_web_client_id,
            outputs.aws_cognito_identity_pool_id,
            // Gen 1 files do not say; guests are tried and the pool decides.
            true,
            outputs.oauth.map(Gen1OAuth::build).transpose()?.flatten(),
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
        (Some(_), None) => {
            return Err(outputs_error(
                Some(paths.client_id.to_owned()),
                format!(
                    "`{}` is missing: `{}` needs it",
                    paths.client_id, paths.user_pool_id
                ),
            ));
        }
        (None, Some(_)) => {
            return Err(outputs_error(
                Some(paths.user_pool_id.to_owned()),
                format!(
                    "`{}` is missing: `{}` needs it",
                    paths.user_pool_id, paths.client_id
                ),
            ));
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
    if let Some(config) = &user_pool {
        check_region(
            region.as_deref(),
            paths.region,
            config.region(),
            paths.user_pool_id,
        )?;
    }
    if let Some(config) = &identity_pool {
        let (region, region_path) = match (paths.identity_region, &identity_region) {
            (Some(path), Some(region)) => (Some(region.as_str()), path),
            _ => (region.as_deref(), paths.region),
        };
        check_region(region, region_path, config.region(), paths.identity_pool_id)?;
    }
    if user_pool.is_none() && identity_pool.is_none() {
        return Err(outputs_error(
            None,
            "no user pool and no identity pool in the `auth` section".into(),
        ));
    }
    Ok(Parsed {
        user_pool,
        identity_pool,
        oauth,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gen2_outputs_give_both_pools() {
        let json = r#"{"version":"1.3","auth":{"user_pool_id":"eu-west-1_Abc","aws_region":"eu-west-1",
            "user_pool_client_id":"client1","identity_pool_id":"eu-west-1:0e1c-42",
            "unauthenticated_identities_enabled":true,"mfa_methods":["TOTP"]}}"#;
        let Parsed {
            user_pool: user,
            identity_pool: identity,
            oauth,
        } = parse(json).unwrap();
        assert!(oauth.is_none());
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
        let parsed = parse(json).unwrap();
        assert!(parsed.user_pool.is_none());
        assert!(!parsed.identity_pool.unwrap().allow_guest_access());
    }

    #[test]
    fn gen1_configuration_is_read_too() {
        let json = r#"{"aws_project_region":"us-east-1","aws_user_pools_id":"us-east-1_X",
            "aws_user_pools_web_client_id":"c","aws_cognito_identity_pool_id":"us-east-1:0e1c-42"}"#;
        let parsed = parse(json).unwrap();
        assert_eq!(parsed.user_pool.unwrap().pool_id(), "us-east-1_X");
        assert!(parsed.identity_pool.is_some());
    }

    #[test]
    fn gen1_mobile_configuration_is_read_too() {
        // As the Amplify CLI writes it for Android, Swift and Flutter apps.
        let json = r#"{"UserAgent":"aws-amplify-cli/2.0","Version":"1.0","auth":{"plugins":{
            "awsCognitoAuthPlugin":{"UserAgent":"aws-amplify-cli/0.1.0","Version":"0.1.0",
            "IdentityManager":{"Default":{}},
            "CredentialsProvider":{"CognitoIdentity":{"Default":{
                "PoolId":"us-east-1:0e1c-42","Region":"us-east-1"}}},
            "CognitoUserPool":{"Default":{"PoolId":"us-east-1_X","AppClientId":"c",
                "Region":"us-east-1"}},
            "Auth":{"Default":{"authenticationFlowType":"USER_SRP_AUTH",
                "OAuth":{"WebDomain":"myapp.auth.us-east-1.amazoncognito.com",
                "AppClientId":"c","SignInRedirectURI":"myapp://callback/",
                "SignOutRedirectURI":"myapp://signout/,http://localhost:3000/",
                "Scopes":["openid","email","aws.cognito.signin.user.admin"]}}}}}}}"#;
        let parsed = parse(json).unwrap();
        let user = parsed.user_pool.unwrap();
        assert_eq!(user.pool_id(), "us-east-1_X");
        assert_eq!(user.client_id(), "c");
        let identity = parsed.identity_pool.unwrap();
        assert_eq!(identity.identity_pool_id(), "us-east-1:0e1c-42");
        assert!(identity.allow_guest_access(), "the pool decides");
        let oauth = parsed.oauth.unwrap();
        assert_eq!(oauth.domain(), "myapp.auth.us-east-1.amazoncognito.com");
        assert_eq!(oauth.redirect_sign_in(), ["myapp://callback/"]);
        assert_eq!(
            oauth.redirect_sign_out(),
            ["myapp://signout/", "http://localhost:3000/"]
        );
        assert_eq!(oauth.scopes().len(), 3);
        assert_eq!(oauth.response_type(), OAuthResponseType::Code);

        // Without OAuth and without an identity pool.
        let json = r#"{"auth":{"plugins":{"awsCognitoAuthPlugin":{
            "CognitoUserPool":{"Default":{"PoolId":"us-east-1_X","AppClientId":"c"}}}}}}"#;
        let parsed = parse(json).unwrap();
        assert!(parsed.identity_pool.is_none() && parsed.oauth.is_none());
        assert_eq!(parsed.user_pool.unwrap().pool_id(), "us-east-1_X");
        // A plugin section naming no pool is refused like any other.
        let json = r#"{"auth":{"plugins":{"awsCognitoAuthPlugin":{}}}}"#;
        assert!(matches!(
            parse(json),
            Err(BuildError::AmplifyOutputs { .. })
        ));
    }

    #[test]
    fn gen2_oauth_is_read() {
        let json = r#"{"auth":{"user_pool_id":"eu-west-1_Abc","user_pool_client_id":"c",
            "oauth":{"identity_providers":["GOOGLE","SIGN_IN_WITH_APPLE"],
            "domain":"myapp.auth.eu-west-1.amazoncognito.com",
            "scopes":["phone","email","openid","profile","aws.cognito.signin.user.admin"],
            "redirect_sign_in_uri":["http://localhost:3000/","com.example.app:/callback"],
            "redirect_sign_out_uri":["http://localhost:3000/signed-out"],
            "response_type":"code"}}}"#;
        let oauth = parse(json).unwrap().oauth.unwrap();
        assert_eq!(oauth.domain(), "myapp.auth.eu-west-1.amazoncognito.com");
        assert_eq!(
            oauth.authorize_endpoint(),
            "https://myapp.auth.eu-west-1.amazoncognito.com/oauth2/authorize"
        );
        assert_eq!(oauth.scopes().len(), 5);
        assert_eq!(
            oauth.redirect_sign_in(),
            ["http://localhost:3000/", "com.example.app:/callback"]
        );
        assert_eq!(
            oauth.redirect_sign_out(),
            ["http://localhost:3000/signed-out"]
        );
        assert_eq!(oauth.identity_providers(), ["GOOGLE", "SIGN_IN_WITH_APPLE"]);
        assert_eq!(oauth.response_type(), OAuthResponseType::Code);
    }

    #[test]
    fn gen1_oauth_splits_the_redirect_lists() {
        let json = r#"{"aws_user_pools_id":"us-east-1_X","aws_user_pools_web_client_id":"c",
            "oauth":{"domain":"auth.example.com","scope":["openid","email"],
            "redirectSignIn":"http://localhost:3000/, myapp://cb","redirectSignOut":"myapp://out",
            "responseType":"token"}}"#;
        let oauth = parse(json).unwrap().oauth.unwrap();
        assert_eq!(
            oauth.redirect_sign_in(),
            ["http://localhost:3000/", "myapp://cb"]
        );
        assert_eq!(oauth.redirect_sign_out(), ["myapp://out"]);
        assert_eq!(oauth.scopes(), ["openid", "email"]);
        assert_eq!(oauth.response_type(), OAuthResponseType::Token);
    }

    #[test]
    fn an_empty_oauth_section_is_no_oauth_and_a_bad_one_is_refused() {
        let json =
            r#"{"aws_user_pools_id":"us-east-1_X","aws_user_pools_web_client_id":"c","oauth":{}}"#;
        assert!(parse(json).unwrap().oauth.is_none());
        let json = r#"{"auth":{"user_pool_id":"us-east-1_X","user_pool_client_id":"c",
            "oauth":{"domain":"auth.example.com","response_type":"id_token"}}}"#;
        assert!(matches!(parse(json), Err(BuildError::Config(_))));
        let json = r#"{"auth":{"user_pool_id":"us-east-1_X","user_pool_client_id":"c",
            "oauth":{"domain":"http://auth.example.com"}}}"#;
        assert!(matches!(parse(json), Err(BuildError::Config(_))));
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

    fn field_and_reason(err: BuildError) -> (Option<String>, String) {
        match err {
            BuildError::AmplifyOutputs { field, reason } => (field, reason),
            other => panic!("expected AmplifyOutputs, got {other:?}"),
        }
    }

    #[test]
    fn a_misspelt_field_is_named_with_the_one_meant() {
        let json = r#"{"auth":{"aws_region":"us-east-1","userpool_id":"us-east-1_X",
            "user_pool_client_id":"c"}}"#;
        let (field, reason) = field_and_reason(parse(json).unwrap_err());
        assert_eq!(field.as_deref(), Some("auth.userpool_id"));
        assert!(
            reason.contains("did you mean `auth.user_pool_id`"),
            "{reason}"
        );
        // camelCase, as Amplify JS's own configuration spells it.
        let json = r#"{"auth":{"userPoolId":"us-east-1_X","user_pool_client_id":"c"}}"#;
        let (field, _) = field_and_reason(parse(json).unwrap_err());
        assert_eq!(field.as_deref(), Some("auth.userPoolId"));
        // Fields this reader does not use are no near miss and stay accepted.
        let json = r#"{"auth":{"user_pool_id":"us-east-1_X","user_pool_client_id":"c",
            "mfa_methods":["TOTP"],"password_policy":{"min_length":8}}}"#;
        assert!(parse(json).is_ok());
    }

    #[test]
    fn a_missing_half_of_the_user_pool_is_named() {
        let (field, reason) =
            field_and_reason(parse(r#"{"auth":{"user_pool_client_id":"c"}}"#).unwrap_err());
        assert_eq!(field.as_deref(), Some("auth.user_pool_id"));
        assert!(
            reason.contains("`auth.user_pool_id` is missing"),
            "{reason}"
        );
        let (field, _) =
            field_and_reason(parse(r#"{"aws_user_pools_id":"us-east-1_X"}"#).unwrap_err());
        assert_eq!(field.as_deref(), Some("aws_user_pools_web_client_id"));
    }

    #[test]
    fn a_value_of_the_wrong_type_names_the_field_not_the_value() {
        let json = r#"{"auth":{"user_pool_id":12345678,"user_pool_client_id":"c"}}"#;
        let (field, reason) = field_and_reason(parse(json).unwrap_err());
        assert_eq!(field.as_deref(), Some("auth.user_pool_id"));
        assert!(
            reason.contains("expected a string, found an integer"),
            "{reason}"
        );
        assert!(!reason.contains("12345678"), "{reason}");
        let json = r#"{"auth":{"user_pool_id":"us-east-1_X","user_pool_client_id":"c",
            "unauthenticated_identities_enabled":"secret-ish"}}"#;
        let (field, reason) = field_and_reason(parse(json).unwrap_err());
        assert_eq!(
            field.as_deref(),
            Some("auth.unauthenticated_identities_enabled")
        );
        assert!(!reason.contains("secret-ish"), "{reason}");
        let json = r#"{"auth":{"oauth":{"domain":"d.example.com","scopes":"openid"},
            "user_pool_id":"us-east-1_X","user_pool_client_id":"c"}}"#;
        let (field, _) = field_and_reason(parse(json).unwrap_err());
        assert_eq!(field.as_deref(), Some("auth.oauth.scopes"));
    }

    #[test]
    fn a_region_that_is_not_the_pools_is_refused() {
        let json = r#"{"auth":{"aws_region":"eu-west-1","user_pool_id":"us-east-1_X",
            "user_pool_client_id":"c"}}"#;
        let (field, reason) = field_and_reason(parse(json).unwrap_err());
        assert_eq!(field.as_deref(), Some("auth.aws_region"));
        assert_eq!(
            reason,
            "`auth.aws_region` is eu-west-1, but `auth.user_pool_id` is a pool in us-east-1"
        );
        let json = r#"{"auth":{"aws_region":"us-east-1","user_pool_id":"us-east-1_X",
            "user_pool_client_id":"c","identity_pool_id":"eu-west-1:0e1c-42"}}"#;
        let (field, reason) = field_and_reason(parse(json).unwrap_err());
        assert_eq!(field.as_deref(), Some("auth.aws_region"));
        assert!(reason.contains("`auth.identity_pool_id`"), "{reason}");
        // Gen 1, and the mobile file, whose identity pool states its own region.
        let json = r#"{"aws_cognito_region":"eu-west-1","aws_user_pools_id":"us-east-1_X",
            "aws_user_pools_web_client_id":"c"}"#;
        let (field, _) = field_and_reason(parse(json).unwrap_err());
        assert_eq!(field.as_deref(), Some("aws_cognito_region"));
        let json = r#"{"auth":{"plugins":{"awsCognitoAuthPlugin":{
            "CredentialsProvider":{"CognitoIdentity":{"Default":{
                "PoolId":"us-east-1:0e1c-42","Region":"eu-west-1"}}}}}}}"#;
        let (field, _) = field_and_reason(parse(json).unwrap_err());
        assert_eq!(
            field.as_deref(),
            Some(
                "auth.plugins.awsCognitoAuthPlugin.CredentialsProvider.CognitoIdentity.Default.Region"
            )
        );
    }
}
