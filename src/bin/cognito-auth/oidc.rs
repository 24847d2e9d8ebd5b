//! Sign-in with any OpenID Provider (`sign-in --oidc-issuer …`): the authorization code with
//! PKCE through a loopback redirect, or the device flow, from `auth-federation`; the ID token
//! then goes to the identity pool for AWS credentials.
//!
//! The tokens are kept in the profile's storage under [`ID_TOKEN_KEY`] and
//! [`REFRESH_TOKEN_KEY`]. A later `credentials` uses the stored ID token while it is valid
//! (it was verified at sign-in or at its refresh) and refreshes it shortly before it expires:
//! the provider is then discovered again and the new ID token verified against its keys.

use std::time::{Duration, SystemTime};

use auth::core::tokens::{Jwt, RefreshToken};
use auth::federation::oidc::{OidcClient, OidcConfig, OidcError, OidcTokens};
use auth::federation::{CognitoCredentialsProvider, logins};
use auth::providers::{
    CredentialsAndIdentityId, KeyValueStorage as _, SharedHttpClient, SharedKeyValueStorage,
};

use crate::error::{CliError, Exit};
use crate::prompt::Prompter;

/// The storage key of the ID token (a JWT).
pub(crate) const ID_TOKEN_KEY: &str = "cognito-auth.oidc.idToken";
/// The storage key of the refresh token.
pub(crate) const REFRESH_TOKEN_KEY: &str = "cognito-auth.oidc.refreshToken";

/// An ID token this close to its expiry is refreshed first (the identity pool must still
/// accept it when the credentials are fetched).
const REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// An OIDC login: the provider, the storage and the identity pool.
#[derive(Debug)]
pub(crate) struct OidcLogin {
    pub(crate) config: OidcConfig,
    pub(crate) http: SharedHttpClient,
    pub(crate) storage: SharedKeyValueStorage,
    pub(crate) credentials: Option<CognitoCredentialsProvider>,
}

/// The stored login.
#[derive(Debug)]
pub(crate) struct Stored {
    pub(crate) id_token: Jwt,
    pub(crate) refresh_token: Option<RefreshToken>,
}

impl Stored {
    pub(crate) fn subject(&self) -> &str {
        self.id_token.claims().sub.as_deref().unwrap_or_default()
    }
}

impl OidcLogin {
    async fn client(&self) -> Result<OidcClient, CliError> {
        OidcClient::discover(self.config.clone(), self.http.clone())
            .await
            .map_err(|e| oidc_error("discovering the OpenID Provider", e))
    }

    /// Signs in at the provider (device flow or loopback redirect) and stores the tokens;
    /// returns the subject.
    pub(crate) async fn sign_in(
        &self,
        device: bool,
        prompter: &Prompter,
    ) -> Result<String, CliError> {
        if let Some(stored) = self.stored().await? {
            return Err(CliError::failure(format!(
                "sign-in: {} is already signed in at {}; run `cognito-auth sign-out` first",
                stored.subject(),
                self.config.issuer()
            )));
        }
        let client = self.client().await?;
        let tokens = if device {
            let authorization = client
                .start_device_authorization()
                .await
                .map_err(|e| oidc_error("sign-in", e))?;
            match &authorization.verification_uri_complete {
                Some(complete) => prompter.say(&format!(
                    "To sign in, open {complete}\n(or open {} and enter the code {})",
                    authorization.verification_uri, authorization.user_code
                )),
                None => prompter.say(&format!(
                    "To sign in, open {} and enter the code {}",
                    authorization.verification_uri, authorization.user_code
                )),
            }
            client
                .poll_device_authorization(&authorization)
                .await
                .map_err(|e| oidc_error("sign-in", e))?
        } else {
            client
                .login_with_loopback(|url| {
                    prompter.say(&format!(
                        "To sign in, open this URL in a browser on this machine:\n{url}"
                    ));
                    std::future::ready(Ok(()))
                })
                .await
                .map_err(|e| oidc_error("sign-in", e))?
        };
        let subject = tokens.id_token.subject().to_owned();
        self.store(&tokens).await?;
        Ok(subject)
    }

    /// The stored login, if any.
    pub(crate) async fn stored(&self) -> Result<Option<Stored>, CliError> {
        let read = |key| async move {
            self.storage
                .get(key)
                .await
                .map_err(|e| CliError::failure("could not read the store").cause(e))
        };
        let Some(id_token) = read(ID_TOKEN_KEY).await? else {
            return Ok(None);
        };
        let id_token = Jwt::decode(id_token)
            .map_err(|e| CliError::failure("the stored ID token is unreadable").cause(e))?;
        let refresh_token = read(REFRESH_TOKEN_KEY).await?.map(RefreshToken::new);
        Ok(Some(Stored {
            id_token,
            refresh_token,
        }))
    }

    async fn store(&self, tokens: &OidcTokens) -> Result<(), CliError> {
        let write = |key, value: &str| {
            let value = value.to_owned();
            async move {
                self.storage
                    .set(key, &value)
                    .await
                    .map_err(|e| CliError::failure("could not store the tokens").cause(e))
            }
        };
        write(ID_TOKEN_KEY, tokens.id_token.jwt().as_str()).await?;
        match &tokens.refresh_token {
            Some(refresh) => write(REFRESH_TOKEN_KEY, refresh.as_str()).await,
            None => self
                .storage
                .remove(REFRESH_TOKEN_KEY)
                .await
                .map_err(|e| CliError::failure("could not store the tokens").cause(e)),
        }
    }

    /// The stored login, refreshed when its ID token expires within a minute (or `force`).
    /// A refresh the provider refuses ends the session: the tokens are forgotten.
    pub(crate) async fn current(&self, force: bool, what: &str) -> Result<Stored, CliError> {
        let Some(stored) = self.stored().await? else {
            return Err(CliError::not_signed_in(format!(
                "{what}: not signed in; run `cognito-auth sign-in`"
            )));
        };
        let fresh = stored
            .id_token
            .claims()
            .expires_at()
            .is_some_and(|exp| exp > SystemTime::now() + REFRESH_MARGIN);
        if fresh && !force {
            return Ok(stored);
        }
        let Some(refresh_token) = &stored.refresh_token else {
            self.forget().await?;
            return Err(CliError::not_signed_in(format!(
                "{what}: the ID token expired and there is no refresh token; run `cognito-auth sign-in`"
            )));
        };
        let client = self.client().await?;
        let tokens = match client.refresh(refresh_token, None).await {
            Ok(tokens) => tokens,
            Err(e) if e.is_transient() => {
                return Err(oidc_error(
                    &format!("{what}: refreshing the tokens (they are kept; try again)"),
                    e,
                ));
            }
            Err(e) => {
                self.forget().await?;
                return Err(CliError::not_signed_in(format!(
                    "{what}: the session ended (the provider refused the refresh token); run `cognito-auth sign-in`"
                ))
                .cause(e));
            }
        };
        if tokens.id_token.subject() != stored.subject() {
            return Err(CliError::failure(format!(
                "{what}: the refreshed ID token is for another subject"
            )));
        }
        self.store(&tokens).await?;
        Ok(Stored {
            id_token: tokens.id_token.jwt().clone(),
            refresh_token: tokens.refresh_token,
        })
    }

    /// AWS credentials for the login, from the identity pool.
    pub(crate) async fn credentials(
        &self,
        stored: &Stored,
        force: bool,
    ) -> Result<Option<CredentialsAndIdentityId>, CliError> {
        let Some(provider) = &self.credentials else {
            return Ok(None);
        };
        let logins = logins::from_id_token(&stored.id_token)
            .map_err(|e| CliError::failure("the ID token names no issuer").cause(e))?;
        let value = provider
            .credentials_for_logins(logins, force)
            .await
            .map_err(|e| {
                let exit = if e.is_transient() {
                    Exit::Unavailable
                } else {
                    Exit::Failure
                };
                CliError::new(exit, "getting AWS credentials failed").cause(e)
            })?;
        Ok(Some(value))
    }

    /// Forgets the tokens and the identity id. Returns the subject that was signed in.
    pub(crate) async fn sign_out(&self) -> Result<Option<String>, CliError> {
        let subject = self.stored().await?.map(|s| s.subject().to_owned());
        self.forget().await?;
        Ok(subject)
    }

    async fn forget(&self) -> Result<(), CliError> {
        for key in [ID_TOKEN_KEY, REFRESH_TOKEN_KEY] {
            self.storage
                .remove(key)
                .await
                .map_err(|e| CliError::failure("could not update the store").cause(e))?;
        }
        if let Some(provider) = &self.credentials {
            provider
                .clear_identity()
                .await
                .map_err(|e| CliError::failure("could not update the store").cause(e))?;
        }
        Ok(())
    }
}

fn oidc_error(what: &str, error: OidcError) -> CliError {
    let exit = if error.is_transient() {
        Exit::Unavailable
    } else {
        Exit::Failure
    };
    CliError::new(exit, format!("{what} failed")).cause(error)
}
