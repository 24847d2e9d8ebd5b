//! The commands: `sign-in`, `session`, `sign-out`, `credentials`, for a user pool login
//! (`auth::Auth`) or an OpenID Provider login ([`OidcLogin`]).

mod sign_in;

use std::io::{self, Write as _};
use std::time::SystemTime;

use auth::Auth;
use auth::client::{AuthError, AuthSession, FetchAuthSessionOptions, SignOutOptions};
use auth::providers::AwsCredentials;

use crate::args::{Cli, Command, CredentialsArgs, SessionArgs, SignOutArgs};
use crate::error::CliError;
use crate::oidc::OidcLogin;
use crate::output::{Report, when, write_process_credentials};
use crate::profile::{Login, Profile};

/// Runs the command of `cli`.
pub(crate) async fn run(cli: Cli) -> Result<(), CliError> {
    let profile = Profile::open(&cli.global).await?;
    match cli.command {
        Command::SignIn(args) => sign_in::run(&profile, &args).await,
        Command::Session(args) => session(&profile, &args).await,
        Command::SignOut(args) => sign_out(&profile, &args).await,
        Command::Credentials(args) => credentials(&profile, &args).await,
    }
}

/// The session with tokens, refreshed when needed; "not signed in" when there are none
/// (nobody signed in, or a refresh was refused and the tokens were cleared).
async fn signed_in_session(
    profile: &Profile,
    auth: &Auth,
    force_refresh: bool,
    what: &str,
) -> Result<AuthSession, CliError> {
    match auth.get_current_user().await {
        Ok(_) => {}
        Err(AuthError::NotSignedIn) => {
            return Err(CliError::not_signed_in(format!(
                "{what}: not signed in ({}); run `cognito-auth sign-in`",
                profile.store_path.display()
            )));
        }
        Err(e) => return Err(CliError::auth(what, e)),
    }
    let session = auth
        .fetch_auth_session(FetchAuthSessionOptions::default().force_refresh(force_refresh))
        .await
        .map_err(|e| match e {
            // The tokens are fine, the identity pool is not: say which part failed.
            AuthError::Credentials(_) => CliError::auth("getting AWS credentials", e),
            e if e.is_transient() => CliError::auth(
                &format!("{what}: refreshing the tokens (they are kept; try again)"),
                e,
            ),
            e => CliError::auth(what, e),
        })?;
    if session.tokens.is_none() {
        // The refresh was refused (revoked, user disabled, …) and the tokens were cleared.
        return Err(CliError::not_signed_in(format!(
            "{what}: the session ended (Cognito refused the refresh token); run `cognito-auth sign-in`"
        )));
    }
    Ok(session)
}

fn no_identity_pool() -> CliError {
    CliError::usage(
        "credentials: no identity pool configured (pass --identity-pool-id, or a --config \
         with one, at sign-in)",
    )
}

async fn credentials(profile: &Profile, args: &CredentialsArgs) -> Result<(), CliError> {
    let credentials = match &profile.login {
        Login::Cognito(auth) => {
            if auth.identity_pool_config().is_none() {
                return Err(no_identity_pool());
            }
            signed_in_session(profile, auth, args.force_refresh, "credentials")
                .await?
                .credentials
        }
        Login::Oidc(oidc) => {
            if oidc.credentials.is_none() {
                return Err(no_identity_pool());
            }
            let stored = oidc.current(args.force_refresh, "credentials").await?;
            oidc.credentials(&stored, args.force_refresh)
                .await?
                .map(|value| value.credentials)
        }
    };
    let Some(credentials) = credentials else {
        return Err(CliError::failure(
            "credentials: the identity pool gave no credentials",
        ));
    };
    write_process_credentials(&mut io::stdout().lock(), &credentials)
        .map_err(|e| CliError::failure("credentials: could not write to stdout").cause(e))
}

async fn session(profile: &Profile, args: &SessionArgs) -> Result<(), CliError> {
    let mut report = Report::default();
    report.line("store", profile.store_path.display().to_string());
    if profile.settings.keyring {
        report.line("tokens in", "the OS keyring");
    }
    match &profile.login {
        Login::Cognito(auth) => cognito_session(profile, auth, args, &mut report).await?,
        Login::Oidc(oidc) => oidc_session(oidc, args, &mut report).await?,
    }
    report
        .write(&mut io::stdout().lock())
        .map_err(|e| CliError::failure("session: could not write to stdout").cause(e))
}

async fn cognito_session(
    profile: &Profile,
    auth: &Auth,
    args: &SessionArgs,
    report: &mut Report,
) -> Result<(), CliError> {
    let session = signed_in_session(profile, auth, args.force_refresh, "session").await?;
    let tokens = session
        .tokens
        .as_ref()
        .expect("signed_in_session has tokens");
    let now = SystemTime::now();
    let config = auth
        .user_pool_config()
        .expect("a Cognito login has a user pool");
    report.line("user pool", config.pool_id());
    report.line("app client", config.client_id());
    report.line("username", tokens.username.as_str());
    if let Some(sub) = &session.user_sub {
        report.line("user sub", sub.as_str());
    }
    if let Some(exp) = tokens.access_token.claims().expires_at() {
        report.line("access token expires", when(exp, now));
    }
    if let Some(exp) = tokens
        .id_token
        .as_ref()
        .and_then(|t| t.claims().expires_at())
    {
        report.line("id token expires", when(exp, now));
    }
    report.line(
        "refresh token",
        stored_or_none(tokens.refresh_token.is_some()),
    );
    if let Some(id) = &session.identity_id {
        report.line("identity id", id.as_str());
    }
    if let Some(credentials) = &session.credentials {
        credentials_lines(report, credentials, now);
    }
    if args.show_tokens {
        if let Some(id_token) = &tokens.id_token {
            report.line("id token", id_token.as_str());
        }
        report.line("access token", tokens.access_token.as_str());
        if let Some(refresh) = &tokens.refresh_token {
            report.line("refresh token value", refresh.as_str());
        }
    }
    Ok(())
}

async fn oidc_session(
    oidc: &OidcLogin,
    args: &SessionArgs,
    report: &mut Report,
) -> Result<(), CliError> {
    let stored = oidc.current(args.force_refresh, "session").await?;
    let now = SystemTime::now();
    report.line("openid provider", oidc.config.issuer());
    report.line("client", oidc.config.client_id());
    report.line("subject", stored.subject());
    if let Some(exp) = stored.id_token.claims().expires_at() {
        report.line("id token expires", when(exp, now));
    }
    report.line(
        "refresh token",
        stored_or_none(stored.refresh_token.is_some()),
    );
    if let Some(value) = oidc.credentials(&stored, args.force_refresh).await? {
        if let Some(id) = &value.identity_id {
            report.line("identity id", id.as_str());
        }
        credentials_lines(report, &value.credentials, now);
    }
    if args.show_tokens {
        report.line("id token", stored.id_token.as_str());
        if let Some(refresh) = &stored.refresh_token {
            report.line("refresh token value", refresh.as_str());
        }
    }
    Ok(())
}

fn stored_or_none(present: bool) -> &'static str {
    if present { "stored" } else { "none" }
}

fn credentials_lines(report: &mut Report, credentials: &AwsCredentials, now: SystemTime) {
    report.line("aws access key id", credentials.access_key_id());
    if let Some(exp) = credentials.expiration() {
        report.line("aws credentials expire", when(exp, now));
    }
}

async fn sign_out(profile: &Profile, args: &SignOutArgs) -> Result<(), CliError> {
    let who = match &profile.login {
        Login::Cognito(auth) => cognito_sign_out(auth, args.global).await?,
        Login::Oidc(oidc) => {
            if args.global {
                return Err(CliError::usage(
                    "sign-out: --global is for user pools; an OpenID Provider ends its own sessions",
                ));
            }
            oidc.sign_out().await?
        }
    };
    let Some(who) = who else {
        eprintln!("cognito-auth: nobody was signed in");
        return Ok(());
    };
    writeln!(io::stdout().lock(), "Signed out {who}")
        .map_err(|e| CliError::failure("sign-out: could not write to stdout").cause(e))
}

/// Signs out of the user pool; returns the username that was signed in.
async fn cognito_sign_out(auth: &Auth, global: bool) -> Result<Option<String>, CliError> {
    let user = auth.get_current_user().await.ok();
    let options = if global {
        SignOutOptions::global()
    } else {
        SignOutOptions::default()
    };
    // Local state is cleared whatever the network says.
    let outcome = auth.sign_out(options).await;
    let Some(user) = user else {
        return Ok(None);
    };
    if let Some(error) = outcome.global_sign_out_error {
        return Err(CliError::auth(
            &format!(
                "signed out {} here, but the global sign-out (other devices stay signed in)",
                user.username
            ),
            error,
        ));
    }
    if let Some(error) = outcome.revoke_token_error {
        let error = CliError::auth("revoking the refresh token", error);
        eprintln!(
            "cognito-auth: warning: {} (it stays valid at Cognito until it expires)",
            error.chain()
        );
    }
    Ok(Some(user.username))
}
