//! [`AuthorizationCode`]: the authorization code grant with PKCE as a sans-IO machine.

use std::fmt;
use std::time::SystemTime;

use rand_core::CryptoRngCore;

use super::callback::{AuthorizationError, CallbackParams};
#[cfg(doc)]
use super::token::TokenEndpointError;
use super::token::{OAuthClient, TokenResponse};
use super::{AuthorizeParams, OAuthState, PkceVerifier, authorize_url_at};
use crate::machine::{Cause, Error, Machine, Outbox, Recovery};

/// What an authorization in flight must keep until its redirect: the `state`, the PKCE
/// verifier, the redirect URI and the `nonce`. Persist it (the four parts) to complete after a
/// restart with [`AuthorizationCode::resume`]. `Debug` shows only the redirect URI.
#[derive(Clone, PartialEq, Eq)]
pub struct PendingAuthorization {
    state: OAuthState,
    pkce: PkceVerifier,
    redirect_uri: String,
    nonce: Option<String>,
}

impl fmt::Debug for PendingAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingAuthorization")
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

impl PendingAuthorization {
    /// A fresh authorization for `redirect_uri`: a new [`OAuthState`] (carrying
    /// `custom_state`) and [`PkceVerifier`] from `rng`; `nonce` is sent as given.
    pub fn generate(
        rng: &mut impl CryptoRngCore,
        redirect_uri: impl Into<String>,
        custom_state: Option<&str>,
        nonce: Option<String>,
    ) -> Self {
        Self {
            state: OAuthState::generate(rng, custom_state),
            pkce: PkceVerifier::generate(rng),
            redirect_uri: redirect_uri.into(),
            nonce,
        }
    }

    /// An authorization read back from storage.
    pub fn from_stored(
        state: OAuthState,
        pkce: PkceVerifier,
        redirect_uri: impl Into<String>,
        nonce: Option<String>,
    ) -> Self {
        Self {
            state,
            pkce,
            redirect_uri: redirect_uri.into(),
            nonce,
        }
    }

    /// The `state` sent.
    pub fn state(&self) -> &OAuthState {
        &self.state
    }

    /// The PKCE verifier.
    pub fn pkce(&self) -> &PkceVerifier {
        &self.pkce
    }

    /// The redirect URI sent.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The `nonce` sent, which the ID token must carry back.
    pub fn nonce(&self) -> Option<&str> {
        self.nonce.as_deref()
    }

    /// Checks a redirect against this authorization and returns its code (the one callback
    /// check; the state is compared in constant time). An error redirect without a `state`
    /// cannot sign anyone in, so its error is reported rather than a state mismatch.
    fn check<'c>(
        &self,
        client: &OAuthClient,
        callback: &'c CallbackParams,
    ) -> Result<&'c str, AuthorizationError> {
        match (&callback.state, &callback.error) {
            (Some(state), _) if self.state.matches(state) => {}
            (None, Some(_)) => {}
            _ => return Err(AuthorizationError::StateMismatch),
        }
        if let (Some(expected), Some(found)) = (client.expected_issuer(), &callback.iss)
            && expected != found
        {
            return Err(AuthorizationError::IssuerMismatch {
                expected: expected.to_owned(),
                found: found.clone(),
            });
        }
        if let Some(error) = &callback.error {
            let description = callback.error_description.clone();
            return Err(if error == "access_denied" {
                AuthorizationError::Cancelled { description }
            } else {
                AuthorizationError::Denied {
                    error: error.clone(),
                    description,
                }
            });
        }
        callback
            .code
            .as_ref()
            .map(|code| code.expose())
            .ok_or(AuthorizationError::MissingCode)
    }
}

/// Where an [`AuthorizationCode`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthorizationStep {
    /// Open [`AuthorizationCode::authorization_url`] in a browser and hand the redirect to
    /// [`AuthorizationCode::handle_redirect`].
    AwaitingRedirect,
    /// The token endpoint gave tokens (not verified: an ID token is the caller's to verify,
    /// or to read with [`TokenResponse::to_auth_tokens`] at Cognito).
    Exchanged(TokenResponse),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    AwaitingRedirect,
    Exchanging,
    Done,
    Failed,
}

/// The authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636, RFC 8252 for native
/// apps) as a sans-IO [`Machine`]: the one used by Cognito's managed login
/// (`Auth::sign_in_with_redirect`) and by the OpenID Connect adapters of `auth-federation`.
///
/// # Polling order
///
/// [`new`](Self::new) (or [`resume`](Self::resume) from storage): the step is
/// [`AuthorizationStep::AwaitingRedirect`]; open [`authorization_url`](Self::authorization_url).
/// Hand the redirect to [`handle_redirect`](Self::handle_redirect): it checks the `state`
/// (constant-time), the `iss` (RFC 9207) and the error, then queues the code exchange; take it
/// from [`poll_request`](Machine::poll_request), send it, and hand the response to
/// [`handle_response`](Machine::handle_response) (or say that none came with
/// [`transport_failed`](Machine::transport_failed)). The step is then
/// [`AuthorizationStep::Exchanged`].
///
/// Errors are the machine [`Error`] of every machine of this crate, with the redirect's
/// refusal as [`Cause::Authorization`] and the token endpoint's as [`Cause::TokenEndpoint`]
/// (wrapping [`TokenEndpointError`], the one error of the endpoint). Every failure is
/// [`Recovery::StartOver`]: a redirect that does not fit cannot become a sign-in, and a code
/// is single-use, so a lost or failed exchange cannot be sent again.
///
/// ```
/// use std::time::SystemTime;
/// use auth_core::machine::Machine as _;
/// use auth_core::oauth::{
///     AuthorizationCode, AuthorizationStep, AuthorizeParams, CallbackParams, OAuthClient,
///     PendingAuthorization,
/// };
/// use rand::SeedableRng as _;
///
/// let client = OAuthClient::new("app", "https://op.example/authorize", "https://op.example/token");
/// let mut rng = rand::rngs::StdRng::seed_from_u64(1);
/// let pending = PendingAuthorization::generate(&mut rng, "http://127.0.0.1:8400/cb", None, None);
/// let state = pending.state().as_str().to_owned();
/// let mut grant = AuthorizationCode::new(client, pending, &AuthorizeParams::new().scopes(["openid"]));
/// assert!(grant.authorization_url().unwrap().starts_with("https://op.example/authorize?"));
/// assert_eq!(grant.step(), Some(&AuthorizationStep::AwaitingRedirect));
///
/// grant.handle_redirect(&CallbackParams::from_query(&format!("code=c1&state={state}")))?;
/// let request = grant.poll_request().expect("the code exchange");
/// assert_eq!(request.uri(), "https://op.example/token");
/// let response = http::Response::builder()
///     .status(200)
///     .body(r#"{"access_token":"opaque","token_type":"Bearer","expires_in":3600}"#)?;
/// grant.handle_response(response, SystemTime::UNIX_EPOCH)?;
/// assert!(matches!(grant.step(), Some(AuthorizationStep::Exchanged(t)) if t.access_token.expose() == "opaque"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct AuthorizationCode {
    client: OAuthClient,
    pending: PendingAuthorization,
    url: Option<String>,
    phase: Phase,
    step: Option<AuthorizationStep>,
    outbox: Outbox,
}

impl AuthorizationCode {
    /// Starts an authorization of `client` with `pending`'s secrets and `params`' optional
    /// parameters (the `nonce` is `pending`'s; `params.nonce` is not used).
    pub fn new(
        client: OAuthClient,
        pending: PendingAuthorization,
        params: &AuthorizeParams,
    ) -> Self {
        let url = authorize_url_at(
            client.authorization_endpoint(),
            client.client_id(),
            &pending.redirect_uri,
            &pending.state,
            &pending.pkce,
            pending.nonce.as_deref(),
            params,
        );
        let mut machine = Self::resume(client, pending);
        machine.url = Some(url);
        machine
    }

    /// An authorization started earlier (read back from storage), waiting for its redirect.
    pub fn resume(client: OAuthClient, pending: PendingAuthorization) -> Self {
        Self {
            client,
            pending,
            url: None,
            phase: Phase::AwaitingRedirect,
            step: Some(AuthorizationStep::AwaitingRedirect),
            outbox: Outbox::default(),
        }
    }

    /// The URL to open; `None` after [`resume`](Self::resume).
    pub fn authorization_url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    /// What to persist to complete after a restart.
    pub fn pending(&self) -> &PendingAuthorization {
        &self.pending
    }

    /// The client.
    pub fn client(&self) -> &OAuthClient {
        &self.client
    }

    /// Hands the authorization redirect to the machine: on a redirect for this
    /// authorization, the code exchange is queued.
    ///
    /// # Errors
    ///
    /// [`Cause::Authorization`] (state mismatch, issuer mismatch, the user cancelled, another
    /// OAuth error, no code), [`Recovery::StartOver`]: the authorization is over. Not waiting
    /// for a redirect: [`Cause::RequestInFlight`] or [`Cause::Finished`], state unchanged.
    pub fn handle_redirect(&mut self, callback: &CallbackParams) -> Result<(), Error> {
        match self.phase {
            Phase::AwaitingRedirect => {}
            Phase::Exchanging => return Err(Error::misuse(Cause::RequestInFlight)),
            Phase::Done | Phase::Failed => return Err(Error::misuse(Cause::Finished)),
        }
        match self.pending.check(&self.client, callback) {
            Ok(code) => {
                let request =
                    self.client
                        .code_request(code, &self.pending.redirect_uri, &self.pending.pkce);
                self.outbox.put(request);
                self.phase = Phase::Exchanging;
                self.step = None;
                Ok(())
            }
            Err(error) => Err(self.fail(Cause::Authorization(error))),
        }
    }

    /// The tokens, once exchanged.
    pub fn into_tokens(self) -> Option<TokenResponse> {
        match self.step {
            Some(AuthorizationStep::Exchanged(tokens)) => Some(tokens),
            _ => None,
        }
    }

    fn fail(&mut self, cause: Cause) -> Error {
        self.outbox.clear();
        self.phase = Phase::Failed;
        self.step = None;
        Error::new(cause, Recovery::StartOver)
    }

    fn in_flight(&self) -> Result<(), Error> {
        if self.phase == Phase::Exchanging {
            Ok(())
        } else {
            Err(Error::misuse(Cause::UnexpectedResponse {
                reason: "no code exchange is in flight",
            }))
        }
    }
}

impl Machine for AuthorizationCode {
    type Step = AuthorizationStep;

    /// The code exchange, once, after [`handle_redirect`](AuthorizationCode::handle_redirect).
    fn poll_request(&mut self) -> Option<http::Request<Vec<u8>>> {
        self.outbox.take()
    }

    /// Hands the token endpoint's response to the machine.
    ///
    /// # Errors
    ///
    /// [`Cause::TokenEndpoint`] ([`Recovery::StartOver`]); no exchange in flight:
    /// [`Cause::UnexpectedResponse`], state unchanged.
    fn handle_response<B: AsRef<[u8]>>(
        &mut self,
        response: http::Response<B>,
        now: SystemTime,
    ) -> Result<(), Error> {
        let _ = now;
        self.in_flight()?;
        match TokenResponse::decode(&response) {
            Ok(tokens) => {
                self.outbox.clear();
                self.phase = Phase::Done;
                self.step = Some(AuthorizationStep::Exchanged(tokens));
                Ok(())
            }
            Err(error) => Err(self.fail(Cause::TokenEndpoint(error))),
        }
    }

    /// The exchange got no response. The server may have used the code, which cannot be sent
    /// twice: [`Recovery::StartOver`].
    ///
    /// # Errors
    ///
    /// [`Cause::UnexpectedResponse`] when no exchange is in flight.
    fn transport_failed(&mut self, now: SystemTime) -> Result<Recovery, Error> {
        let _ = now;
        self.in_flight()?;
        let _ = self.fail(Cause::NoResponse);
        Ok(Recovery::StartOver)
    }

    /// A code exchange is never sent again.
    ///
    /// # Errors
    ///
    /// Always [`Cause::UnexpectedInput`].
    fn resend(&mut self) -> Result<(), Error> {
        Err(Error::unexpected_input("a new authorization", "a resend"))
    }

    /// [`AuthorizationStep::AwaitingRedirect`], then `None` while the exchange is in flight,
    /// then [`AuthorizationStep::Exchanged`]; `None` after a failure.
    fn step(&self) -> Option<&AuthorizationStep> {
        self.step.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Sensitive;
    use crate::oauth::ClientAuthentication;
    use crate::oauth::TokenEndpointError;
    use rand::SeedableRng as _;

    fn client() -> OAuthClient {
        OAuthClient::new(
            "app",
            "https://op.example/authorize?tenant=t1",
            "https://op.example/token",
        )
        .issuer("https://op.example")
    }

    fn started(nonce: Option<&str>) -> AuthorizationCode {
        let mut rng = rand::rngs::StdRng::seed_from_u64(9);
        let pending = PendingAuthorization::generate(
            &mut rng,
            "http://127.0.0.1:8400/cb",
            Some("/home"),
            nonce.map(str::to_owned),
        );
        AuthorizationCode::new(
            client(),
            pending,
            &AuthorizeParams::new()
                .scopes(["openid", "email"])
                .param("audience", "https://api"),
        )
    }

    fn redirect(machine: &AuthorizationCode, rest: &str) -> CallbackParams {
        let state = machine.pending().state().as_str().to_owned();
        CallbackParams::from_query(&format!("state={state}&{rest}"))
    }

    fn response(status: u16, body: &str) -> http::Response<Vec<u8>> {
        http::Response::builder()
            .status(status)
            .body(body.as_bytes().to_vec())
            .unwrap()
    }

    fn cause(error: &Error) -> &Cause {
        assert_eq!(error.recovery(), Recovery::StartOver);
        error.cause()
    }

    #[test]
    fn the_authorization_url_carries_pkce_s256_state_nonce_and_extra_parameters() {
        let machine = started(Some("n-1"));
        let url = machine.authorization_url().unwrap();
        let (base, query) = url.split_once("?tenant=t1&").unwrap();
        assert_eq!(base, "https://op.example/authorize");
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(name, _)| name == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("response_type"), Some("code"));
        assert_eq!(get("client_id"), Some("app"));
        assert_eq!(get("scope"), Some("openid email"));
        assert_eq!(get("state"), Some(machine.pending().state().as_str()));
        assert_eq!(get("nonce"), Some("n-1"));
        assert_eq!(get("code_challenge_method"), Some("S256"));
        assert_eq!(
            get("code_challenge"),
            Some(machine.pending().pkce().challenge().as_str())
        );
        assert_eq!(
            pairs.last().unwrap(),
            &("audience".into(), "https://api".into())
        );
        assert_eq!(
            machine.pending().state().custom_state().as_deref(),
            Some("/home")
        );
    }

    #[test]
    fn pkce_s256_matches_rfc_7636_appendix_b_in_the_exchange() {
        // RFC 7636 Appendix B: this verifier has this challenge.
        let pkce = PkceVerifier::from_stored("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            pkce.challenge(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let pending = PendingAuthorization::from_stored(
            OAuthState::from_stored("s1"),
            pkce,
            "myapp://cb",
            None,
        );
        let mut machine = AuthorizationCode::new(client(), pending, &AuthorizeParams::new());
        assert!(
            machine
                .authorization_url()
                .unwrap()
                .contains("code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&")
        );
        machine
            .handle_redirect(&CallbackParams::from_query("code=c%201&state=s1"))
            .unwrap();
        let request = machine.poll_request().unwrap();
        assert!(machine.poll_request().is_none());
        assert_eq!(request.method(), http::Method::POST);
        assert_eq!(
            std::str::from_utf8(request.body()).unwrap(),
            "grant_type=authorization_code&client_id=app&code=c+1&redirect_uri=myapp%3A%2F%2Fcb\
             &code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        );
    }

    #[test]
    fn a_redirect_with_the_wrong_state_is_refused_and_nothing_is_sent() {
        for query in [
            "code=stolen&state=forged",
            "code=stolen",
            "error=access_denied&state=x",
        ] {
            let mut machine = started(None);
            let error = machine
                .handle_redirect(&CallbackParams::from_query(query))
                .unwrap_err();
            assert_eq!(
                cause(&error),
                &Cause::Authorization(AuthorizationError::StateMismatch),
                "{query}"
            );
            assert!(machine.poll_request().is_none());
            assert_eq!(machine.step(), None);
            // The authorization is over: a later genuine redirect is refused too.
            let genuine = redirect(&machine, "code=c");
            assert_eq!(
                machine.handle_redirect(&genuine).unwrap_err().cause(),
                &Cause::Finished
            );
        }
    }

    #[test]
    fn redirect_errors_are_typed() {
        let mut machine = started(None);
        let error = machine
            .handle_redirect(&redirect(
                &machine,
                "error=access_denied&error_description=no",
            ))
            .unwrap_err();
        assert_eq!(
            cause(&error),
            &Cause::Authorization(AuthorizationError::Cancelled {
                description: Some("no".into())
            })
        );
        // Without a state, an error cannot sign anyone in: it is reported as it is.
        let mut machine = started(None);
        let error = machine
            .handle_redirect(&CallbackParams::from_query("error=login_required"))
            .unwrap_err();
        assert_eq!(
            cause(&error),
            &Cause::Authorization(AuthorizationError::Denied {
                error: "login_required".into(),
                description: None
            })
        );
        let mut machine = started(None);
        let error = machine
            .handle_redirect(&redirect(&machine, "code=c&iss=https%3A%2F%2Fevil.example"))
            .unwrap_err();
        assert!(matches!(
            cause(&error),
            Cause::Authorization(AuthorizationError::IssuerMismatch { found, .. }) if found == "https://evil.example"
        ));
        let mut machine = started(None);
        let error = machine
            .handle_redirect(&redirect(&machine, ""))
            .unwrap_err();
        assert_eq!(
            cause(&error),
            &Cause::Authorization(AuthorizationError::MissingCode)
        );
        let mut machine = started(None);
        machine
            .handle_redirect(&redirect(&machine, "code=c&iss=https%3A%2F%2Fop.example"))
            .unwrap();
    }

    #[test]
    fn token_endpoint_errors_are_typed_and_end_the_authorization() {
        let cases = [
            (
                response(
                    400,
                    r#"{"error":"invalid_grant","error_description":"used"}"#,
                ),
                TokenEndpointError::OAuth {
                    error: "invalid_grant".into(),
                    description: Some("used".into()),
                },
            ),
            (
                response(502, "<html>"),
                TokenEndpointError::HttpStatus { status: 502 },
            ),
            (
                response(200, r#"{"access_token":"a","token_type":"DPoP"}"#),
                TokenEndpointError::MalformedResponse {
                    reason: "token_type is not Bearer".into(),
                },
            ),
        ];
        for (response, expected) in cases {
            let mut machine = started(None);
            machine
                .handle_redirect(&redirect(&machine, "code=c"))
                .unwrap();
            let _ = machine.poll_request().unwrap();
            let error = machine
                .handle_response(response, SystemTime::UNIX_EPOCH)
                .unwrap_err();
            assert_eq!(cause(&error), &Cause::TokenEndpoint(expected));
            assert_eq!(machine.step(), None);
            assert!(machine.resend().is_err());
        }
    }

    #[test]
    fn tokens_come_out_of_the_step() {
        let mut machine = started(None);
        machine
            .handle_redirect(&redirect(&machine, "code=c"))
            .unwrap();
        let _ = machine.poll_request().unwrap();
        machine
            .handle_response(
                response(
                    200,
                    r#"{"access_token":"a","id_token":"i","refresh_token":"r","expires_in":60,"scope":"openid"}"#,
                ),
                SystemTime::UNIX_EPOCH,
            )
            .unwrap();
        // The answer came: a second response does not fit.
        assert!(matches!(
            machine.handle_response(response(200, "{}"), SystemTime::UNIX_EPOCH),
            Err(e) if matches!(e.cause(), Cause::UnexpectedResponse { .. }) && e.recovery() == Recovery::Retry
        ));
        let tokens = machine.into_tokens().unwrap();
        assert_eq!(tokens.id_token.as_ref().map(Sensitive::expose), Some("i"));
        assert_eq!(tokens.refresh_token().unwrap().as_str(), "r");
        assert_eq!(
            tokens.expires_at(SystemTime::UNIX_EPOCH),
            Some(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(60))
        );
        assert!(!format!("{tokens:?}").contains("\"a\""));
    }

    #[test]
    fn a_lost_exchange_cannot_be_resent() {
        let mut machine = started(None);
        assert!(matches!(
            machine.transport_failed(SystemTime::UNIX_EPOCH),
            Err(e) if matches!(e.cause(), Cause::UnexpectedResponse { .. })
        ));
        machine
            .handle_redirect(&redirect(&machine, "code=c"))
            .unwrap();
        assert_eq!(
            machine
                .handle_redirect(&redirect(&machine, "code=c"))
                .unwrap_err()
                .cause(),
            &Cause::RequestInFlight
        );
        let _ = machine.poll_request().unwrap();
        assert_eq!(
            machine.transport_failed(SystemTime::UNIX_EPOCH).unwrap(),
            Recovery::StartOver
        );
        assert!(machine.resend().is_err());
        assert!(machine.poll_request().is_none());
        assert_eq!(machine.step(), None);
    }

    #[test]
    fn a_resumed_authorization_completes_and_a_secret_goes_where_the_server_wants_it() {
        let pending = PendingAuthorization::from_stored(
            OAuthState::from_stored("s1"),
            PkceVerifier::from_stored("v"),
            "myapp://cb",
            Some("n".into()),
        );
        assert!(!format!("{pending:?}").contains("s1"));
        let post = client().authentication(ClientAuthentication::Post(Sensitive::new("sec")));
        let mut machine = AuthorizationCode::resume(post, pending.clone());
        assert_eq!(machine.authorization_url(), None);
        assert_eq!(machine.step(), Some(&AuthorizationStep::AwaitingRedirect));
        machine
            .handle_redirect(&CallbackParams::from_query("code=c&state=s1"))
            .unwrap();
        let request = machine.poll_request().unwrap();
        assert!(request.headers().get(http::header::AUTHORIZATION).is_none());
        assert!(
            std::str::from_utf8(request.body())
                .unwrap()
                .starts_with("grant_type=authorization_code&client_id=app&client_secret=sec&")
        );
        let basic = client().authentication(ClientAuthentication::Basic(Sensitive::new("sec")));
        let mut machine = AuthorizationCode::resume(basic, pending);
        machine
            .handle_redirect(&CallbackParams::from_query("code=c&state=s1"))
            .unwrap();
        let request = machine.poll_request().unwrap();
        assert!(request.headers().contains_key(http::header::AUTHORIZATION));
        assert!(!std::str::from_utf8(request.body()).unwrap().contains("sec"));
    }
}
