//! Profiles: the store file, the configuration it remembers, and the [`Auth`] built from both.
//!
//! A profile is one store file, `<config dir>/cognito-auth/<profile>.json` (or `--store`), a
//! [`FileStorage`] (JSON, `0600`, replaced atomically). It holds the tokens under Amplify's
//! keys — or, with `--tokens keyring`, nothing but the configuration while the tokens live in
//! the OS keyring — and, under [`SETTINGS_KEY`], the configuration the last successful
//! `sign-in` used. So `cognito-auth credentials --profile work` needs no other flag, which is
//! what a `credential_process` line wants.

use std::path::{Path, PathBuf};

use auth::Auth;
use auth::core::config::{IdentityPoolConfig, UserPoolConfig};
use auth::core::machine::session::RefreshMethod;
use auth::federation::oidc::OidcConfig;
use auth::federation::{CognitoCredentialsProvider, IdentityPool};
use auth::providers::{
    FileStorage, KeyValueStorage as _, ReqwestHttpClient, RetryConfig, RetryingHttpClient,
    SharedHttpClient, SharedKeyValueStorage,
};
use serde::{Deserialize, Serialize};

use crate::args::{Global, TokenPlace};
use crate::error::CliError;
use crate::oidc::OidcLogin;

/// The key of the remembered configuration in the store file.
pub(crate) const SETTINGS_KEY: &str = "cognito-auth.settings";

/// The profile used when none is named.
const DEFAULT_PROFILE: &str = "default";

/// The configuration of a profile: what the flags, the environment, `--config` and the store
/// file's memory resolve to. Holds no secret.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Settings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) user_pool_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) identity_pool_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) oidc_issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) oidc_client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) oidc_scopes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) refresh_token_auth: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) keyring: bool,
}

impl Settings {
    /// `self`, with every field `over` sets taking its place. A login of the other kind in
    /// `over` (a user pool, or an OpenID Provider) replaces the one remembered.
    fn overridden_by(mut self, over: Self) -> Self {
        let over_user_pool = over.user_pool_id.is_some() || over.client_id.is_some();
        let over_oidc = over.oidc_issuer.is_some() || over.oidc_client_id.is_some();
        if over_user_pool && !over_oidc {
            self.oidc_issuer = None;
            self.oidc_client_id = None;
            self.oidc_scopes.clear();
        } else if over_oidc && !over_user_pool {
            self.user_pool_id = None;
            self.client_id = None;
        }
        Self {
            user_pool_id: over.user_pool_id.or(self.user_pool_id),
            client_id: over.client_id.or(self.client_id),
            identity_pool_id: over.identity_pool_id.or(self.identity_pool_id),
            oidc_issuer: over.oidc_issuer.or(self.oidc_issuer),
            oidc_client_id: over.oidc_client_id.or(self.oidc_client_id),
            oidc_scopes: if over.oidc_scopes.is_empty() {
                self.oidc_scopes
            } else {
                over.oidc_scopes
            },
            endpoint: over.endpoint.or(self.endpoint),
            refresh_token_auth: over.refresh_token_auth || self.refresh_token_auth,
            keyring: over.keyring || self.keyring,
        }
    }
}

/// A resolved profile: its store file, its settings and the login built from them.
#[derive(Debug)]
pub(crate) struct Profile {
    pub(crate) store_path: PathBuf,
    pub(crate) file: FileStorage,
    pub(crate) settings: Settings,
    pub(crate) login: Login,
}

/// Who signs the user in.
#[derive(Debug)]
pub(crate) enum Login {
    /// A Cognito user pool, through the full client.
    Cognito(Auth),
    /// An OpenID Provider, whose ID token the identity pool takes.
    Oidc(Box<OidcLogin>),
}

impl Profile {
    /// Resolves the configuration (flags and environment, then `--config`, then what the
    /// store file remembers) and builds the client.
    pub(crate) async fn open(global: &Global) -> Result<Self, CliError> {
        let store_path = store_path(global)?;
        let file = FileStorage::new(&store_path);
        let remembered = remembered(&file).await?;
        let mut settings = remembered;
        if let Some(config) = &global.config {
            settings = settings.overridden_by(from_amplify_outputs(config)?);
        }
        let flags = Settings {
            user_pool_id: global.user_pool_id.clone(),
            client_id: global.client_id.clone(),
            identity_pool_id: global.identity_pool_id.clone(),
            oidc_issuer: global.oidc_issuer.clone(),
            oidc_client_id: global.oidc_client_id.clone(),
            oidc_scopes: global.oidc_scope.clone(),
            endpoint: global.endpoint.clone(),
            refresh_token_auth: global.refresh_token_auth,
            keyring: false,
        };
        settings = settings.overridden_by(flags);
        match global.tokens {
            Some(TokenPlace::Keyring) => settings.keyring = true,
            Some(TokenPlace::File) => settings.keyring = false,
            None => {}
        }
        let storage = token_storage(&file, &store_path, &settings)?;
        let login = if settings.oidc_issuer.is_some() || settings.oidc_client_id.is_some() {
            Login::Oidc(Box::new(build_oidc(&settings, storage)?))
        } else {
            Login::Cognito(build(&settings, storage)?)
        };
        Ok(Self {
            store_path,
            file,
            settings,
            login,
        })
    }

    /// Writes the settings into the store file, for the commands that follow.
    pub(crate) async fn remember(&self) -> Result<(), CliError> {
        let json = serde_json::to_string(&self.settings).expect("settings serialize");
        self.file.set(SETTINGS_KEY, &json).await.map_err(|e| {
            CliError::failure("could not remember the configuration in the store").cause(e)
        })
    }
}

/// What the store file remembers (nothing for a new profile).
async fn remembered(file: &FileStorage) -> Result<Settings, CliError> {
    let json = file
        .get(SETTINGS_KEY)
        .await
        .map_err(|e| CliError::failure("could not read the store").cause(e))?;
    match json {
        None => Ok(Settings::default()),
        Some(json) => serde_json::from_str(&json).map_err(|e| {
            CliError::failure(format!(
                "the configuration remembered in {} is unreadable",
                file.path().display()
            ))
            .cause(e)
        }),
    }
}

/// The pools of `amplify_outputs.json`, as Amplify reads them.
fn from_amplify_outputs(path: &Path) -> Result<Settings, CliError> {
    let json = std::fs::read_to_string(path)
        .map_err(|e| CliError::usage(format!("could not read {}", path.display())).cause(e))?;
    let auth = Auth::from_amplify_outputs(&json)
        .map_err(|e| CliError::usage(format!("{} is not usable", path.display())).cause(e))?;
    Ok(Settings {
        user_pool_id: auth.user_pool_config().map(|c| c.pool_id().to_owned()),
        client_id: auth.user_pool_config().map(|c| c.client_id().to_owned()),
        identity_pool_id: auth
            .identity_pool_config()
            .map(|c| c.identity_pool_id().to_owned()),
        ..Settings::default()
    })
}

/// Where the tokens go: the store file itself, or the OS keyring.
fn token_storage(
    file: &FileStorage,
    store_path: &Path,
    settings: &Settings,
) -> Result<SharedKeyValueStorage, CliError> {
    if !settings.keyring {
        return Ok(SharedKeyValueStorage::new(file.clone()));
    }
    #[cfg(feature = "keyring")]
    {
        // One keyring entry per store file, named after its absolute path.
        let absolute = std::path::absolute(store_path)
            .map_err(|e| CliError::failure("could not resolve the store path").cause(e))?;
        Ok(SharedKeyValueStorage::new(
            crate::keyring_storage::KeyringStorage::new(&absolute.to_string_lossy())
                .map_err(|e| CliError::failure("the OS keyring is unavailable").cause(e))?,
        ))
    }
    #[cfg(not(feature = "keyring"))]
    {
        let _ = store_path;
        Err(CliError::usage(
            "tokens in the OS keyring need a cognito-auth built with the `keyring` feature",
        ))
    }
}

/// The identity pool of `settings`, if any (never guest credentials: `credentials` is for a
/// signed-in user).
fn identity_pool(settings: &Settings) -> Result<Option<IdentityPoolConfig>, CliError> {
    let Some(id) = &settings.identity_pool_id else {
        return Ok(None);
    };
    let mut identity = IdentityPoolConfig::builder()
        .identity_pool_id(id.as_str())
        .allow_guest_access(false);
    identity.set_endpoint(settings.endpoint.clone());
    identity
        .build()
        .map(Some)
        .map_err(|e| CliError::usage("invalid identity pool configuration").cause(e))
}

/// The OIDC login for `settings`: the provider, and the identity pool when configured.
fn build_oidc(settings: &Settings, storage: SharedKeyValueStorage) -> Result<OidcLogin, CliError> {
    if settings.user_pool_id.is_some() {
        return Err(CliError::usage(
            "both a user pool and an OpenID Provider are configured: sign in with one",
        ));
    }
    let (Some(issuer), Some(client_id)) = (&settings.oidc_issuer, &settings.oidc_client_id) else {
        return Err(CliError::usage(
            "an OpenID Provider needs both --oidc-issuer and --oidc-client-id",
        ));
    };
    let mut config = OidcConfig::builder()
        .issuer(issuer.as_str())
        .client_id(client_id.as_str());
    for scope in &settings.oidc_scopes {
        config = config.scope(scope.as_str());
    }
    let config = config
        .build()
        .map_err(|e| CliError::usage("invalid OpenID Provider configuration").cause(e))?;
    let http = SharedHttpClient::new(RetryingHttpClient::new(
        ReqwestHttpClient::builder()
            .build()
            .map_err(|e| CliError::failure("could not set up the HTTP client").cause(e))?,
        RetryConfig::default(),
    ));
    let credentials = identity_pool(settings)?.map(|config| {
        // `http` already retries: the pool client sends each request once.
        let pool =
            IdentityPool::with_retry(config, http.clone(), RetryConfig::new().max_attempts(1));
        CognitoCredentialsProvider::builder(pool)
            .storage(storage.clone())
            .build()
    });
    Ok(OidcLogin {
        config,
        http,
        storage,
        credentials,
    })
}

/// The client for `settings`: a user pool (required), an identity pool when configured.
fn build(settings: &Settings, storage: SharedKeyValueStorage) -> Result<Auth, CliError> {
    let (Some(pool_id), Some(client_id)) = (&settings.user_pool_id, &settings.client_id) else {
        return Err(CliError::usage(
            "no user pool configured: pass --config amplify_outputs.json, or --user-pool-id \
             and --client-id (or --oidc-issuer and --oidc-client-id); sign-in remembers them \
             in the profile",
        ));
    };
    let mut user_pool = UserPoolConfig::builder()
        .pool_id(pool_id.as_str())
        .client_id(client_id.as_str());
    user_pool.set_endpoint(settings.endpoint.clone());
    let user_pool = user_pool
        .build()
        .map_err(|e| CliError::usage("invalid user pool configuration").cause(e))?;
    let mut builder = Auth::builder().user_pool(user_pool);
    builder.set_identity_pool(identity_pool(settings)?);
    builder.set_storage(Some(storage));
    if settings.refresh_token_auth {
        builder = builder.refresh_method(RefreshMethod::RefreshTokenAuth);
    }
    builder
        .build()
        .map_err(|e| CliError::failure("could not set up the client").cause(e))
}

/// `--store`, or the profile's file under the user's configuration directory.
fn store_path(global: &Global) -> Result<PathBuf, CliError> {
    if let Some(store) = &global.store {
        return Ok(store.clone());
    }
    let profile = global.profile.as_deref().unwrap_or(DEFAULT_PROFILE);
    check_profile_name(profile)?;
    let dir = config_dir().ok_or_else(|| {
        CliError::usage(
            "no configuration directory (HOME, XDG_CONFIG_HOME or APPDATA is unset): pass --store",
        )
    })?;
    Ok(dir.join("cognito-auth").join(format!("{profile}.json")))
}

/// A profile name is a file name: letters, digits, `.`, `_`, `-`, not starting with `.`.
fn check_profile_name(name: &str) -> Result<(), CliError> {
    let valid = !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if valid {
        Ok(())
    } else {
        Err(CliError::usage(format!(
            "invalid profile name {name:?}: use letters, digits, '.', '_' and '-'"
        )))
    }
}

/// The user's configuration directory: `$XDG_CONFIG_HOME` or `~/.config` on Linux and other
/// Unixes, `~/Library/Application Support` on macOS, `%APPDATA%` on Windows.
fn config_dir() -> Option<PathBuf> {
    let env = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if cfg!(windows) {
        env("APPDATA")
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|home| home.join("Library/Application Support"))
    } else {
        env("XDG_CONFIG_HOME")
            .filter(|p| p.is_absolute())
            .or_else(|| env("HOME").map(|home| home.join(".config")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_the_remembered_settings_field_by_field() {
        let remembered = Settings {
            user_pool_id: Some("us-east-1_Old".into()),
            client_id: Some("old".into()),
            identity_pool_id: Some("us-east-1:id".into()),
            refresh_token_auth: true,
            ..Settings::default()
        };
        let flags = Settings {
            client_id: Some("new".into()),
            endpoint: Some("http://127.0.0.1:1".into()),
            ..Settings::default()
        };
        let merged = remembered.overridden_by(flags);
        assert_eq!(merged.user_pool_id.as_deref(), Some("us-east-1_Old"));
        assert_eq!(merged.client_id.as_deref(), Some("new"));
        assert_eq!(merged.identity_pool_id.as_deref(), Some("us-east-1:id"));
        assert_eq!(merged.endpoint.as_deref(), Some("http://127.0.0.1:1"));
        assert!(merged.refresh_token_auth);
    }

    #[test]
    fn a_login_of_the_other_kind_replaces_the_remembered_one() {
        let cognito = Settings {
            user_pool_id: Some("us-east-1_Ab".into()),
            client_id: Some("c".into()),
            identity_pool_id: Some("us-east-1:id".into()),
            ..Settings::default()
        };
        let oidc = cognito.overridden_by(Settings {
            oidc_issuer: Some("https://issuer.example".into()),
            oidc_client_id: Some("native".into()),
            ..Settings::default()
        });
        assert_eq!(oidc.user_pool_id, None);
        assert_eq!(oidc.client_id, None);
        assert_eq!(oidc.identity_pool_id.as_deref(), Some("us-east-1:id"));
        let back = oidc.overridden_by(Settings {
            user_pool_id: Some("us-east-1_Cd".into()),
            client_id: Some("d".into()),
            ..Settings::default()
        });
        assert_eq!(back.oidc_issuer, None);
        assert_eq!(back.oidc_client_id, None);
        assert_eq!(back.user_pool_id.as_deref(), Some("us-east-1_Cd"));
        // Flags that name neither kind keep the remembered login.
        let same = back.clone().overridden_by(Settings {
            endpoint: Some("http://127.0.0.1:1".into()),
            ..Settings::default()
        });
        assert_eq!(same.user_pool_id, back.user_pool_id);
    }

    #[test]
    fn settings_are_stored_as_camel_case_json_without_empty_fields() {
        let settings = Settings {
            user_pool_id: Some("us-east-1_Ab".into()),
            client_id: Some("c".into()),
            ..Settings::default()
        };
        let json = serde_json::to_string(&settings).unwrap();
        assert_eq!(json, r#"{"userPoolId":"us-east-1_Ab","clientId":"c"}"#);
        assert_eq!(serde_json::from_str::<Settings>(&json).unwrap(), settings);
    }

    #[test]
    fn profile_names_are_plain_file_names() {
        for good in ["default", "work", "dev.eu-west-1", "a_b"] {
            check_profile_name(good).unwrap();
        }
        for bad in ["", ".hidden", "../x", "a/b", "a b"] {
            assert!(check_profile_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_store_path_wins_over_a_profile() {
        let global = Global {
            profile: Some("work".into()),
            store: Some(PathBuf::from("/tmp/s.json")),
            ..Global::default()
        };
        assert_eq!(store_path(&global).unwrap(), PathBuf::from("/tmp/s.json"));
    }

    #[test]
    fn without_a_user_pool_the_error_says_what_to_pass() {
        let err = build(
            &Settings::default(),
            SharedKeyValueStorage::new(auth::providers::MemoryStorage::new()),
        )
        .unwrap_err();
        assert!(err.chain().contains("--user-pool-id"), "{}", err.chain());
        assert_eq!(err.exit(), crate::error::Exit::Usage);
    }
}
