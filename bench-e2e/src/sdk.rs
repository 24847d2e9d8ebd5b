//! The comparator: a minimal Cognito client on the AWS SDK for Rust, as a Rust user writes one
//! today. **Benchmark code only**, not an API of the toolkit.
//!
//! - `aws-sdk-cognitoidentityprovider` (InitiateAuth, RespondToAuthChallenge) and
//!   `aws-sdk-cognitoidentity` (GetId, GetCredentialsForIdentity), default features (the SDK's
//!   own HTTPS client), no `aws-config` (these calls are unauthenticated; leaving it out only
//!   makes the SDK's build lighter);
//! - SRP from the `aws-cognito-srp` crate;
//! - one `tokio::sync::Mutex` around the session: a caller that finds the tokens expired
//!   refreshes (InitiateAuth `REFRESH_TOKEN_AUTH`) while holding it, so concurrent callers wait
//!   and then find fresh tokens (single flight by mutual exclusion);
//! - tokens expire at the access token's `exp` (read once when stored) minus 5 s; credentials
//!   are kept until 10 s before their expiration.
//!
//! `bench-e2e/size` compiles this same file into `size-sdk`, so the build and size figures are
//! those of this client.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_cognitoidentity as identity;
use aws_sdk_cognitoidentityprovider as idp;
use base64::Engine as _;
use idp::types::{AuthFlowType, AuthenticationResultType, ChallengeNameType};

/// Any error, boxed: the SDK's, the SRP crate's or a message.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Where the pools are.
#[derive(Debug, Clone)]
pub struct Config {
    /// A custom endpoint for both services (the benchmark's proxy), or the AWS default.
    pub endpoint: Option<String>,
    /// The region.
    pub region: String,
    /// The user pool id.
    pub user_pool_id: String,
    /// The app client id (no secret).
    pub client_id: String,
    /// The identity pool id, for AWS credentials.
    pub identity_pool_id: Option<String>,
}

/// A signed-in user's tokens.
#[derive(Clone)]
pub struct Tokens {
    /// The access token.
    pub access_token: String,
    /// The ID token.
    pub id_token: String,
    /// The refresh token.
    pub refresh_token: String,
    /// The access token's `exp`.
    pub expires_at: SystemTime,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl Tokens {
    /// Tokens from their strings; `expires_at` from the access token's `exp` claim.
    ///
    /// # Errors
    ///
    /// When the access token has no readable `exp`.
    pub fn new(
        access_token: String,
        id_token: String,
        refresh_token: String,
    ) -> Result<Self, Error> {
        let payload = access_token
            .split('.')
            .nth(1)
            .ok_or("the access token is not a JWT")?;
        let claims: serde_json::Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload)?,
        )?;
        let exp = claims["exp"]
            .as_u64()
            .ok_or("the access token has no exp")?;
        Ok(Self {
            access_token,
            id_token,
            refresh_token,
            expires_at: UNIX_EPOCH + Duration::from_secs(exp),
        })
    }

    fn from_result(
        result: &AuthenticationResultType,
        previous_refresh: Option<&str>,
    ) -> Result<Self, Error> {
        let refresh = result
            .refresh_token()
            .or(previous_refresh)
            .ok_or("no refresh token")?;
        Self::new(
            result.access_token().ok_or("no access token")?.to_owned(),
            result.id_token().ok_or("no ID token")?.to_owned(),
            refresh.to_owned(),
        )
    }

    fn expired(&self, now: SystemTime) -> bool {
        now + Duration::from_secs(5) >= self.expires_at
    }
}

/// AWS credentials from the identity pool.
#[derive(Clone)]
pub struct Credentials {
    /// The identity id.
    pub identity_id: String,
    /// The access key id.
    pub access_key_id: String,
    /// The secret key.
    pub secret_key: String,
    /// The session token.
    pub session_token: String,
    /// When they expire.
    pub expiration: SystemTime,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("identity_id", &self.identity_id)
            .field("expiration", &self.expiration)
            .finish_non_exhaustive()
    }
}

/// What [`MinimalClient::fetch_session`] returns.
#[derive(Debug, Clone)]
pub struct Session {
    /// The tokens, fresh.
    pub tokens: Tokens,
    /// Credentials, when an identity pool is configured.
    pub credentials: Option<Credentials>,
}

#[derive(Debug, Default)]
struct State {
    tokens: Option<Tokens>,
    identity_id: Option<String>,
    credentials: Option<Credentials>,
}

/// The minimal client.
#[derive(Debug)]
pub struct MinimalClient {
    config: Config,
    idp: idp::Client,
    identity: identity::Client,
    state: tokio::sync::Mutex<State>,
}

impl MinimalClient {
    /// Builds both SDK clients.
    pub fn new(config: Config) -> Self {
        let mut idp_config = idp::Config::builder()
            .behavior_version(idp::config::BehaviorVersion::latest())
            .region(idp::config::Region::new(config.region.clone()));
        let mut identity_config = identity::Config::builder()
            .behavior_version(identity::config::BehaviorVersion::latest())
            .region(identity::config::Region::new(config.region.clone()));
        if let Some(endpoint) = &config.endpoint {
            idp_config = idp_config.endpoint_url(endpoint);
            identity_config = identity_config.endpoint_url(endpoint);
        }
        Self {
            idp: idp::Client::from_conf(idp_config.build()),
            identity: identity::Client::from_conf(identity_config.build()),
            config,
            state: tokio::sync::Mutex::default(),
        }
    }

    /// USER_SRP_AUTH: InitiateAuth with SRP_A, then RespondToAuthChallenge PASSWORD_VERIFIER.
    ///
    /// # Errors
    ///
    /// Any SDK or SRP error; a challenge other than PASSWORD_VERIFIER.
    pub async fn sign_in_srp(&self, username: &str, password: &str) -> Result<(), Error> {
        let srp = aws_cognito_srp::SrpClient::new(
            aws_cognito_srp::User::new(&self.config.user_pool_id, username, password),
            &self.config.client_id,
            None,
        );
        let params = srp.get_auth_parameters();
        let challenge = self
            .idp
            .initiate_auth()
            .client_id(&self.config.client_id)
            .auth_flow(AuthFlowType::UserSrpAuth)
            .auth_parameters("USERNAME", username)
            .auth_parameters("SRP_A", params.a)
            .send()
            .await?;
        if challenge.challenge_name() != Some(&ChallengeNameType::PasswordVerifier) {
            return Err(format!("unexpected challenge {:?}", challenge.challenge_name()).into());
        }
        let parameters = challenge
            .challenge_parameters()
            .ok_or("no challenge parameters")?;
        let get = |name: &str| {
            parameters
                .get(name)
                .map(String::as_str)
                .ok_or_else(|| format!("no {name}"))
        };
        let (user_id, salt, srp_b, secret_block) = (
            get("USER_ID_FOR_SRP")?,
            get("SALT")?,
            get("SRP_B")?,
            get("SECRET_BLOCK")?,
        );
        // moto's SECRET_BLOCK is a UUID, not base64 (Cognito's is base64), and aws-cognito-srp
        // refuses it: hand the crate a base64 form of it. Never taken against Cognito; moto
        // does not verify the signature anyway.
        let b64 = base64::engine::general_purpose::STANDARD;
        let decodable = if b64.decode(secret_block).is_ok() {
            secret_block.to_owned()
        } else {
            b64.encode(secret_block)
        };
        let verification = srp.verify(&decodable, user_id, salt, srp_b)?;
        // The response's USERNAME is the challenge's USERNAME when present (as Amplify does),
        // else USER_ID_FOR_SRP; moto's USER_ID_FOR_SRP is the user's sub, which it does not
        // accept as USERNAME.
        let challenge_username = parameters.get("USERNAME").map_or(user_id, String::as_str);
        let response = self
            .idp
            .respond_to_auth_challenge()
            .client_id(&self.config.client_id)
            .challenge_name(ChallengeNameType::PasswordVerifier)
            .set_session(challenge.session().map(str::to_owned))
            .challenge_responses("USERNAME", challenge_username)
            .challenge_responses("PASSWORD_CLAIM_SECRET_BLOCK", secret_block)
            .challenge_responses(
                "PASSWORD_CLAIM_SIGNATURE",
                verification.password_claim_signature,
            )
            .challenge_responses("TIMESTAMP", verification.timestamp)
            .send()
            .await?;
        let result = response
            .authentication_result()
            .ok_or("no tokens after PASSWORD_VERIFIER")?;
        self.store(Tokens::from_result(result, None)?).await;
        Ok(())
    }

    /// USER_PASSWORD_AUTH: one InitiateAuth.
    ///
    /// # Errors
    ///
    /// Any SDK error; a challenge instead of tokens.
    pub async fn sign_in_password(&self, username: &str, password: &str) -> Result<(), Error> {
        let response = self
            .idp
            .initiate_auth()
            .client_id(&self.config.client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", username)
            .auth_parameters("PASSWORD", password)
            .send()
            .await?;
        let result = response.authentication_result().ok_or("no tokens")?;
        self.store(Tokens::from_result(result, None)?).await;
        Ok(())
    }

    async fn store(&self, tokens: Tokens) {
        let mut state = self.state.lock().await;
        *state = State {
            tokens: Some(tokens),
            ..State::default()
        };
    }

    /// Starts from a session obtained elsewhere: `tokens`, and the identity id and credentials
    /// when an identity pool is configured, with no request. The criterion benchmark
    /// `client/fetch_auth_session_cached` starts signed in this way (no network in its timed
    /// loop); the end-to-end runs sign in through moto instead.
    pub async fn restore(&self, tokens: Tokens, credentials: Option<Credentials>) {
        let mut state = self.state.lock().await;
        *state = State {
            tokens: Some(tokens),
            identity_id: credentials.as_ref().map(|c| c.identity_id.clone()),
            credentials,
        };
    }

    /// The stored tokens, as they are.
    pub async fn tokens(&self) -> Option<Tokens> {
        self.state.lock().await.tokens.clone()
    }

    /// Replaces the stored tokens (the benchmark ages them this way).
    pub async fn replace_tokens(&self, tokens: Tokens) {
        self.state.lock().await.tokens = Some(tokens);
    }

    /// The session: tokens refreshed when expired, credentials when an identity pool is
    /// configured (GetId once, GetCredentialsForIdentity when they are missing or expire).
    ///
    /// # Errors
    ///
    /// Not signed in; any SDK error.
    pub async fn fetch_session(&self) -> Result<Session, Error> {
        let mut state = self.state.lock().await;
        let now = SystemTime::now();
        let tokens = state.tokens.as_ref().ok_or("not signed in")?;
        if tokens.expired(now) {
            let refreshed = self
                .idp
                .initiate_auth()
                .client_id(&self.config.client_id)
                .auth_flow(AuthFlowType::RefreshTokenAuth)
                .auth_parameters("REFRESH_TOKEN", &tokens.refresh_token)
                .send()
                .await?;
            let result = refreshed.authentication_result().ok_or("no tokens")?;
            let tokens = Tokens::from_result(result, Some(&tokens.refresh_token))?;
            state.tokens = Some(tokens);
            state.credentials = None;
        }
        let tokens = state.tokens.clone().ok_or("not signed in")?;
        let Some(identity_pool_id) = &self.config.identity_pool_id else {
            return Ok(Session {
                tokens,
                credentials: None,
            });
        };
        let fresh = state
            .credentials
            .as_ref()
            .is_some_and(|c| now + Duration::from_secs(10) < c.expiration);
        if !fresh {
            let provider = format!(
                "cognito-idp.{}.amazonaws.com/{}",
                self.config.region, self.config.user_pool_id
            );
            let identity_id = match state.identity_id.clone() {
                Some(id) => id,
                None => {
                    let out = self
                        .identity
                        .get_id()
                        .identity_pool_id(identity_pool_id)
                        .logins(&provider, &tokens.id_token)
                        .send()
                        .await?;
                    out.identity_id().ok_or("no identity id")?.to_owned()
                }
            };
            let out = self
                .identity
                .get_credentials_for_identity()
                .identity_id(&identity_id)
                .logins(&provider, &tokens.id_token)
                .send()
                .await?;
            let c = out.credentials().ok_or("no credentials")?;
            let expiration = c.expiration().ok_or("no expiration")?;
            state.credentials = Some(Credentials {
                identity_id: identity_id.clone(),
                access_key_id: c.access_key_id().ok_or("no access key")?.to_owned(),
                secret_key: c.secret_key().ok_or("no secret key")?.to_owned(),
                session_token: c.session_token().ok_or("no session token")?.to_owned(),
                expiration: UNIX_EPOCH
                    + Duration::from_secs(u64::try_from(expiration.secs()).unwrap_or(0)),
            });
            state.identity_id = Some(identity_id);
        }
        Ok(Session {
            tokens,
            credentials: state.credentials.clone(),
        })
    }
}
