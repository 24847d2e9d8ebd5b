//! The command line (clap derive). Every global option also reads a `COGNITO_AUTH_*`
//! environment variable; what `sign-in` used is remembered in the profile.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Sign in to Amazon Cognito from a shell; AWS credentials for the AWS CLI and SDKs.
#[derive(Debug, Parser)]
#[command(name = "cognito-auth", version)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: Global,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Where the configuration and the tokens come from. Flags beat environment variables, which
/// beat `--config`, which beats what the profile remembers from its last `sign-in`.
#[derive(Debug, Default, Args)]
pub(crate) struct Global {
    /// Amplify's `amplify_outputs.json` (or `amplifyconfiguration.json`): pools and client.
    #[arg(long, global = true, env = "COGNITO_AUTH_CONFIG", value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// The user pool id (`<region>_<name>`); the region is its prefix.
    #[arg(
        long,
        global = true,
        env = "COGNITO_AUTH_USER_POOL_ID",
        value_name = "ID"
    )]
    pub(crate) user_pool_id: Option<String>,
    /// The user pool's app client id (a public client: no secret).
    #[arg(long, global = true, env = "COGNITO_AUTH_CLIENT_ID", value_name = "ID")]
    pub(crate) client_id: Option<String>,
    /// The identity pool id (`<region>:<uuid>`) that turns the tokens into AWS credentials.
    #[arg(
        long,
        global = true,
        env = "COGNITO_AUTH_IDENTITY_POOL_ID",
        value_name = "ID"
    )]
    pub(crate) identity_pool_id: Option<String>,
    /// Sign in at this OpenID Provider instead of a user pool (its ID token goes to the
    /// identity pool).
    #[arg(
        long,
        global = true,
        env = "COGNITO_AUTH_OIDC_ISSUER",
        value_name = "URL"
    )]
    pub(crate) oidc_issuer: Option<String>,
    /// The OpenID Provider's client id (a public client with PKCE; loopback redirect
    /// `http://127.0.0.1/callback` on any port, or the device flow).
    #[arg(
        long,
        global = true,
        env = "COGNITO_AUTH_OIDC_CLIENT_ID",
        value_name = "ID"
    )]
    pub(crate) oidc_client_id: Option<String>,
    /// A scope to ask the OpenID Provider for, besides `openid` and `offline_access`
    /// (repeatable).
    #[arg(long, global = true, value_name = "SCOPE")]
    pub(crate) oidc_scope: Vec<String>,
    /// One endpoint for both pools instead of AWS's (a local peer such as moto).
    #[arg(long, global = true, env = "COGNITO_AUTH_ENDPOINT", value_name = "URL")]
    pub(crate) endpoint: Option<String>,
    /// Refresh tokens with InitiateAuth REFRESH_TOKEN_AUTH (what Amplify JS sends) instead of
    /// GetTokensFromRefreshToken.
    #[arg(long, global = true, env = "COGNITO_AUTH_REFRESH_TOKEN_AUTH")]
    pub(crate) refresh_token_auth: bool,
    /// The profile (`default` when omitted): its store is
    /// `<config dir>/cognito-auth/<NAME>.json`.
    #[arg(long, global = true, env = "COGNITO_AUTH_PROFILE", value_name = "NAME")]
    pub(crate) profile: Option<String>,
    /// The store file to use instead of the profile's.
    #[arg(long, global = true, env = "COGNITO_AUTH_STORE", value_name = "PATH")]
    pub(crate) store: Option<PathBuf>,
    /// Where the tokens are kept: in the store file (0600) or in the OS keyring (the store
    /// file then keeps only the configuration). Remembered by `sign-in`.
    #[arg(long, global = true, env = "COGNITO_AUTH_TOKENS", value_name = "WHERE")]
    pub(crate) tokens: Option<TokenPlace>,
}

/// Where tokens are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TokenPlace {
    /// The store file (JSON, owner-only permissions, replaced atomically).
    File,
    /// The OS keyring (kernel keyutils on Linux, Keychain on macOS, Credential Manager on
    /// Windows); needs the `keyring` feature.
    Keyring,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Sign in, answering each step (MFA code, new password, TOTP setup, …) at a prompt or
    /// from stdin lines.
    SignIn(SignInArgs),
    /// Who is signed in, when the tokens expire, the identity id (never the tokens unless
    /// asked).
    Session(SessionArgs),
    /// Sign out: revoke the refresh token and forget the tokens.
    SignOut(SignOutArgs),
    /// Print AWS credentials as the AWS CLI's `credential_process` JSON (refreshing the tokens
    /// when needed). Nothing else is ever printed on stdout.
    Credentials(CredentialsArgs),
}

/// `sign-in`.
#[derive(Debug, Args)]
pub(crate) struct SignInArgs {
    /// The username (or alias); asked for when missing.
    pub(crate) username: Option<String>,
    /// Read the password from the first line of stdin (without a prompt).
    #[arg(long)]
    pub(crate) password_stdin: bool,
    /// The sign-in flow.
    #[arg(long, value_enum, default_value_t = Flow::Srp)]
    pub(crate) flow: Flow,
    /// The issuer named in the otpauth URI shown during TOTP setup.
    #[arg(long, value_name = "NAME", default_value = "AWSCognito")]
    pub(crate) totp_issuer: String,
    /// The device name given to Cognito for a TOTP app set up during sign-in.
    #[arg(long, value_name = "NAME")]
    pub(crate) totp_device_name: Option<String>,
    /// With an OpenID Provider: the device flow (a code to enter on another device) instead
    /// of a browser on this machine.
    #[arg(long)]
    pub(crate) device: bool,
}

/// The sign-in flows the CLI offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Flow {
    /// USER_SRP_AUTH: the password never leaves this machine.
    Srp,
    /// USER_PASSWORD_AUTH: the password is sent over TLS.
    Password,
    /// USER_AUTH: Cognito offers the first factors (password, email or SMS code).
    UserAuth,
    /// CUSTOM_AUTH with SRP first, then the custom challenges.
    CustomSrp,
    /// CUSTOM_AUTH without a password: custom challenges only.
    Custom,
}

/// `session`.
#[derive(Debug, Args)]
pub(crate) struct SessionArgs {
    /// Also print the ID, access and refresh tokens.
    #[arg(long)]
    pub(crate) show_tokens: bool,
    /// Refresh the tokens even if they are still valid.
    #[arg(long)]
    pub(crate) force_refresh: bool,
}

/// `sign-out`.
#[derive(Debug, Args)]
pub(crate) struct SignOutArgs {
    /// Also sign out everywhere else (GlobalSignOut invalidates every refresh token).
    #[arg(long)]
    pub(crate) global: bool,
}

/// `credentials`.
#[derive(Debug, Args)]
pub(crate) struct CredentialsArgs {
    /// Refresh the tokens and the credentials even if they are still valid.
    #[arg(long)]
    pub(crate) force_refresh: bool,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("cognito-auth").chain(args.iter().copied()))
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_options_go_before_or_after_the_command() {
        let cli = parse(&[
            "--profile",
            "work",
            "credentials",
            "--endpoint",
            "http://127.0.0.1:5000",
        ])
        .unwrap();
        assert_eq!(cli.global.profile.as_deref(), Some("work"));
        assert_eq!(
            cli.global.endpoint.as_deref(),
            Some("http://127.0.0.1:5000")
        );
        assert!(matches!(cli.command, Command::Credentials(_)));
    }

    #[test]
    fn sign_in_takes_a_username_flow_and_password_stdin() {
        let cli = parse(&[
            "sign-in",
            "alice",
            "--password-stdin",
            "--flow",
            "user-auth",
        ])
        .unwrap();
        let Command::SignIn(args) = cli.command else {
            panic!("expected sign-in");
        };
        assert_eq!(args.username.as_deref(), Some("alice"));
        assert!(args.password_stdin);
        assert_eq!(args.flow, Flow::UserAuth);
        assert_eq!(args.totp_issuer, "AWSCognito");
    }

    #[test]
    fn the_token_place_is_file_or_keyring() {
        let cli = parse(&["--tokens", "keyring", "session", "--show-tokens"]).unwrap();
        assert_eq!(cli.global.tokens, Some(TokenPlace::Keyring));
        assert!(parse(&["--tokens", "vault", "session"]).is_err());
    }

    #[test]
    fn a_command_is_required_and_unknown_flags_are_refused() {
        assert!(parse(&[]).is_err());
        assert!(parse(&["sign-out", "--everywhere"]).is_err());
        let cli = parse(&["sign-out", "--global"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::SignOut(SignOutArgs { global: true })
        ));
    }
}
