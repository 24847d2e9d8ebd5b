//! The `cognito-auth` binary against moto (`cargo xtask peers up`), run as a user runs it:
//! arguments, stdin, stdout, stderr and the exit code.
//!
//! What moto fakes (reference section 9) and what these tests therefore prove:
//! - moto never verifies the SRP signature: an SRP sign-in here proves the wire flow and the
//!   CLI around it (the math is checked against the scripted peer and pycognito elsewhere);
//! - moto checks TOTP codes (MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true), so the TOTP tests
//!   answer with real RFC 6238 codes computed from the secret the CLI printed;
//! - GetCredentialsForIdentity returns fixed credentials, which moto's STS accepts;
//! - RevokeToken answers HTTP 500 with HTML: `sign-out` warns about it and still signs out.
//!
//! The real check of `credentials`: aws-config's profile provider runs the binary as the
//! `credential_process` of a profile in a temporary AWS config file, and an aws-sdk-sts
//! client signs GetCallerIdentity with what it printed.
//!
//! Each test provisions its own pool, client, users and identity pool, and runs the binary
//! with its own HOME and XDG_CONFIG_HOME, so nothing of the user running the tests is read or
//! written.
#![cfg(feature = "cli")]

#[path = "support/peers.rs"]
#[allow(
    unreachable_pub,
    reason = "the shared locator serves every crate's peer tests"
)]
mod peers;

#[path = "support/device_user.rs"]
mod device_user;
#[path = "support/moto.rs"]
mod moto;
#[path = "support/totp.rs"]
mod totp;
use moto::{PASSWORD, admin, identity_pool, idp, unique, user, user_pool};
use totp::{totp, wrong_totp};

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use auth::core::config::UserPoolConfig;
use auth::federation::logins;
use auth::providers::ReqwestHttpClient;
use auth::providers::aws::SdkHttpClient;
use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
use aws_sdk_sts::config::ProvideCredentials as _;
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_cognito-auth");

/// A home directory for the binary and the pool flags of one test.
struct Shell {
    home: tempfile::TempDir,
    pool: Vec<String>,
}

impl Shell {
    /// Flags for an OIDC login at the oidc-provider peer (client `native-app`), with an
    /// identity pool that takes its ID tokens.
    async fn oidc() -> Self {
        let issuer = peers::oidc();
        let pool = admin(
            "AWSCognitoIdentityService",
            "CreateIdentityPool",
            &json!({"IdentityPoolName": unique("oidc"), "AllowUnauthenticatedIdentities": false,
                    "SupportedLoginProviders": {logins::issuer_key(&issuer): "native-app"}}),
        )
        .await;
        let pool = vec![
            "--oidc-issuer".to_owned(),
            issuer,
            "--oidc-client-id".to_owned(),
            "native-app".to_owned(),
            "--oidc-scope".to_owned(),
            "email".to_owned(),
            "--identity-pool-id".to_owned(),
            pool["IdentityPoolId"].as_str().unwrap().to_owned(),
            "--endpoint".to_owned(),
            peers::moto(),
        ];
        Self {
            home: tempfile::tempdir().unwrap(),
            pool,
        }
    }

    /// Flags for `config` and, when given, an identity pool.
    fn new(config: &UserPoolConfig, identity_pool_id: Option<&str>) -> Self {
        let mut pool = vec![
            "--user-pool-id".to_owned(),
            config.pool_id().to_owned(),
            "--client-id".to_owned(),
            config.client_id().to_owned(),
            "--endpoint".to_owned(),
            peers::moto(),
        ];
        if let Some(id) = identity_pool_id {
            pool.extend(["--identity-pool-id".to_owned(), id.to_owned()]);
        }
        Self {
            home: tempfile::tempdir().unwrap(),
            pool,
        }
    }

    fn store(&self) -> PathBuf {
        self.home.path().join("store.json")
    }

    /// The binary, with this shell's HOME and no `COGNITO_AUTH_*` from the test's
    /// environment.
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(BIN);
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("COGNITO_AUTH_") {
                command.env_remove(name);
            }
        }
        command
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join("config"))
            .args(args);
        command
    }

    /// Runs `args` with `stdin`, waiting for the exit.
    fn run(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    /// `sign-in USERNAME --password-stdin --store …` with the pool flags, then `extra`.
    fn sign_in(&self, username: &str, extra: &[&str], stdin: &str) -> Output {
        let store = self.store();
        let mut args = vec![
            "sign-in",
            username,
            "--password-stdin",
            "--store",
            store.to_str().unwrap(),
        ];
        args.extend(self.pool.iter().map(String::as_str));
        args.extend(extra);
        self.run(&args, stdin)
    }

    /// A command on the store alone: what `sign-in` remembered is all it needs.
    fn on_store(&self, args: &[&str]) -> Output {
        let store = self.store();
        let mut all = args.to_vec();
        all.extend(["--store", store.to_str().unwrap()]);
        self.run(&all, "")
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[track_caller]
fn assert_success(output: &Output) {
    assert!(
        output.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        text(&output.stdout),
        text(&output.stderr)
    );
}

/// The store file as a JSON object.
fn stored(path: &Path) -> serde_json::Map<String, Value> {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The stored value whose key ends with `suffix` (Amplify's keys carry the client id and
/// username).
fn stored_value(path: &Path, suffix: &str) -> Option<String> {
    stored(path)
        .iter()
        .find(|(k, _)| k.ends_with(suffix))
        .map(|(_, v)| v.as_str().unwrap().to_owned())
}

/// A running `sign-in` answered step by step: waits for a prompt on stderr, then answers.
struct Interactive {
    child: Child,
    stderr: mpsc::Receiver<Vec<u8>>,
    seen: String,
}

impl Interactive {
    fn spawn(mut command: Command) -> Self {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 1024];
            while let Ok(n) = stderr.read(&mut buffer) {
                if n == 0 || tx.send(buffer[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            stderr: rx,
            seen: String::new(),
        }
    }

    /// Waits until stderr shows `needle` (prompts end without a newline); returns everything
    /// shown so far and forgets it.
    fn expect(&mut self, needle: &str) -> String {
        self.wait_for(needle, |seen| seen.contains(needle));
        std::mem::take(&mut self.seen)
    }

    /// Waits for the whole line that follows `marker` on stderr, and returns it.
    fn line_after(&mut self, marker: &str) -> String {
        let rest = |seen: &str| seen.split_once(marker).map(|(_, rest)| rest.to_owned());
        self.wait_for(marker, |seen| rest(seen).is_some_and(|r| r.contains('\n')));
        let line = rest(&self.seen).unwrap().lines().next().unwrap().to_owned();
        self.seen.clear();
        line
    }

    fn wait_for(&mut self, what: &str, done: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !done(&self.seen) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stderr.recv_timeout(left) {
                Ok(bytes) => self.seen.push_str(&text(&bytes)),
                Err(_) => panic!("no {what:?} on stderr; it showed:\n{}", self.seen),
            }
        }
    }

    fn answer(&mut self, line: &str) {
        let stdin = self.child.stdin.as_mut().unwrap();
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    }

    fn finish(mut self) -> Output {
        drop(self.child.stdin.take());
        let output = self.child.wait_with_output().unwrap();
        while let Ok(bytes) = self.stderr.recv() {
            self.seen.push_str(&text(&bytes));
        }
        Output {
            stderr: self.seen.into_bytes(),
            ..output
        }
    }
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn srp_sign_in_then_session_credentials_and_sign_out_through_a_profile() {
    let config = user_pool().await;
    let identity = identity_pool(&config).await;
    let username = user(&config).await;
    let shell = Shell::new(&config, Some(identity.identity_pool_id()));
    let profile = ["--profile", "work"];

    // SRP (the default flow), the password from stdin, into the profile `work`.
    let mut args = vec!["sign-in", username.as_str(), "--password-stdin"];
    args.extend(profile);
    args.extend(shell.pool.iter().map(String::as_str));
    let out = shell.run(&args, &format!("{PASSWORD}\n"));
    assert_success(&out);
    assert_eq!(text(&out.stdout), format!("Signed in as {username}\n"));
    let store = shell.home.path().join("config/cognito-auth/work.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&store).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the store is the owner's alone");
    }
    let access_token = stored_value(&store, ".accessToken").expect("tokens stored");

    // `session` with the profile alone: the configuration was remembered.
    let out = shell.run(&["session", "--profile", "work"], "");
    assert_success(&out);
    let report = text(&out.stdout);
    assert!(report.contains("username:"), "{report}");
    assert!(report.contains(&username), "{report}");
    assert!(report.contains("access token expires:"), "{report}");
    assert!(
        report.contains("(in 59 min)") || report.contains("(in 60 min)"),
        "{report}"
    );
    assert!(report.contains("identity id:"), "{report}");
    assert!(report.contains(identity.region()), "{report}");
    assert!(
        !report.contains(&access_token),
        "no token without --show-tokens"
    );
    let out = shell.run(&["session", "--profile", "work", "--show-tokens"], "");
    assert_success(&out);
    assert!(text(&out.stdout).contains(&access_token));

    // `credentials`: one JSON document on stdout, nothing on stderr.
    let out = shell.run(&["credentials", "--profile", "work"], "");
    assert_success(&out);
    assert_eq!(text(&out.stderr), "");
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    let object = json.as_object().unwrap();
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "AccessKeyId",
            "Expiration",
            "SecretAccessKey",
            "SessionToken",
            "Version"
        ]
    );
    assert_eq!(json["Version"], 1);
    assert!(!json["AccessKeyId"].as_str().unwrap().is_empty());
    let expiration =
        DateTime::from_str(json["Expiration"].as_str().unwrap(), Format::DateTime).unwrap();
    assert!(SystemTime::try_from(expiration).unwrap() > SystemTime::now());

    // A second sign-in is refused while signed in.
    let out = shell.run(&args, &format!("{PASSWORD}\n"));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("already signed in"),
        "{}",
        text(&out.stderr)
    );

    // Sign out; then `credentials` fails with exit 3, one line on stderr, nothing on stdout.
    let out = shell.run(&["sign-out", "--profile", "work"], "");
    assert_success(&out);
    assert_eq!(text(&out.stdout), format!("Signed out {username}\n"));
    assert_eq!(stored_value(&store, ".accessToken"), None);
    let out = shell.run(&["credentials", "--profile", "work"], "");
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(text(&out.stdout), "");
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("cognito-auth: credentials: not signed in"),
        "{stderr}"
    );
    let out = shell.run(&["session", "--profile", "work"], "");
    assert_eq!(out.status.code(), Some(3));
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn refreshing_works_until_a_global_sign_out_ends_the_session_with_exit_3() {
    let config = user_pool().await;
    let identity = identity_pool(&config).await;
    let username = user(&config).await;
    let shell = Shell::new(&config, Some(identity.identity_pool_id()));
    // moto has no GetTokensFromRefreshToken: refresh with InitiateAuth REFRESH_TOKEN_AUTH.
    let out = shell.sign_in(
        &username,
        &["--refresh-token-auth"],
        &format!("{PASSWORD}\n"),
    );
    assert_success(&out);
    let store = shell.store();
    let copy = shell.home.path().join("copy.json");
    std::fs::copy(&store, &copy).unwrap();

    // A forced refresh gets new tokens (the remembered refresh method is used).
    let before = stored_value(&store, ".accessToken").unwrap();
    let out = shell.on_store(&["credentials", "--force-refresh"]);
    assert_success(&out);
    assert!(
        stored_value(&store, ".accessToken").unwrap() != before,
        "tokens refreshed"
    );

    // GlobalSignOut revokes every refresh token, the copy's too: its next refresh is
    // refused, the tokens are cleared, and `credentials` says the session ended.
    let out = shell.on_store(&["sign-out", "--global"]);
    assert_success(&out);
    let out = shell.run(
        &[
            "credentials",
            "--force-refresh",
            "--store",
            copy.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "");
    assert!(
        text(&out.stderr).contains("the session ended"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(stored_value(&copy, ".accessToken"), None);
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn a_wrong_password_fails_with_exit_1_and_the_cause() {
    let config = user_pool().await;
    let username = user(&config).await;
    let shell = Shell::new(&config, None);
    let out = shell.sign_in(&username, &["--flow", "password"], "not-the-password\n");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "");
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("cognito-auth: sign-in failed: "),
        "{stderr}"
    );
    assert!(stderr.contains("NotAuthorized"), "{stderr}");
    assert!(!stderr.contains("not-the-password"));
    // Nothing is remembered from a failed sign-in.
    let out = shell.on_store(&["session"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn new_password_required_is_answered_from_stdin() {
    let config = user_pool().await;
    let username = unique("admin");
    idp(
        "AdminCreateUser",
        &json!({"UserPoolId": config.pool_id(), "Username": username,
                "TemporaryPassword": "Temp-passw0rd!", "MessageAction": "SUPPRESS"}),
    )
    .await;
    let shell = Shell::new(&config, None);
    let out = shell.sign_in(
        &username,
        &["--flow", "password"],
        &format!("Temp-passw0rd!\n{PASSWORD}\n"),
    );
    assert_success(&out);
    assert!(
        text(&out.stderr).contains("Cognito requires a new password."),
        "{}",
        text(&out.stderr)
    );
    let note = "note: no identity pool is configured";
    assert!(text(&out.stderr).contains(note), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), format!("Signed in as {username}\n"));

    // The new password is the password now.
    assert_success(&shell.on_store(&["sign-out"]));
    let out = shell.sign_in(&username, &[], &format!("{PASSWORD}\n"));
    assert_success(&out);
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn totp_is_set_up_during_sign_in_then_asked_at_the_next_one() {
    let config = user_pool().await;
    idp(
        "SetUserPoolMfaConfig",
        &json!({"UserPoolId": config.pool_id(), "MfaConfiguration": "ON",
                "SoftwareTokenMfaConfiguration": {"Enabled": true}}),
    )
    .await;
    let username = user(&config).await;
    let shell = Shell::new(&config, None);
    let store = shell.store();
    let mut args = vec![
        "sign-in".to_owned(),
        username.clone(),
        "--store".to_owned(),
        store.to_str().unwrap().to_owned(),
        "--totp-issuer".to_owned(),
        "Moto Test".to_owned(),
    ];
    args.extend(shell.pool.iter().cloned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    // No --password-stdin: from a pipe, every answer (the password too) is one line.
    let mut cli = Interactive::spawn(shell.command(&args));
    cli.expect("Password: ");
    cli.answer(PASSWORD);
    let shown = cli.expect("Code from your authenticator app: ");
    let uri = shown
        .lines()
        .find_map(|l| l.trim().strip_prefix("URI:"))
        .unwrap_or_else(|| panic!("no URI in:\n{shown}"))
        .trim()
        .to_owned();
    let prefix = format!("otpauth://totp/Moto%20Test:{username}?secret=");
    assert!(uri.starts_with(&prefix), "{uri}");
    let secret = uri[prefix.len()..].split('&').next().unwrap().to_owned();
    assert!(shown.contains(&format!("secret: {secret}")), "{shown}");
    cli.answer(&totp(&secret, SystemTime::now()));
    let out = cli.finish();
    assert_success(&out);
    assert_eq!(text(&out.stdout), format!("Signed in as {username}\n"));

    // The next sign-in asks for a TOTP code; a wrong one is asked again.
    assert_success(&shell.on_store(&["sign-out"]));
    let mut cli = Interactive::spawn(shell.command(&args));
    cli.expect("Password: ");
    cli.answer(PASSWORD);
    cli.expect("Code from your authenticator app: ");
    cli.answer(&wrong_totp(&secret, SystemTime::now()));
    let shown = cli.expect("Code from your authenticator app: ");
    assert!(shown.contains("try again"), "{shown}");
    cli.answer(&totp(&secret, SystemTime::now()));
    let out = cli.finish();
    assert_success(&out);
    assert_eq!(text(&out.stdout), format!("Signed in as {username}\n"));
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn stdin_ending_before_an_answer_ends_the_sign_in_with_exit_2() {
    let config = user_pool().await;
    idp(
        "SetUserPoolMfaConfig",
        &json!({"UserPoolId": config.pool_id(), "MfaConfiguration": "ON",
                "SoftwareTokenMfaConfiguration": {"Enabled": true}}),
    )
    .await;
    let username = user(&config).await;
    let shell = Shell::new(&config, None);
    let out = shell.sign_in(&username, &[], &format!("{PASSWORD}\n"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("stdin ended before the answer to \"Code from your authenticator app\""),
        "{stderr}"
    );
    assert_eq!(text(&out.stdout), "");
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn credential_process_feeds_a_real_aws_sdk_client() {
    let config = user_pool().await;
    let identity = identity_pool(&config).await;
    let username = user(&config).await;
    let shell = Shell::new(&config, Some(identity.identity_pool_id()));
    assert_success(&shell.sign_in(&username, &[], &format!("{PASSWORD}\n")));
    let expected = shell.on_store(&["credentials"]);
    assert_success(&expected);
    let expected: Value = serde_json::from_slice(&expected.stdout).unwrap();

    // A profile as a user writes it in ~/.aws/config: the command line is run by a shell.
    let aws_config = shell.home.path().join("aws-config");
    std::fs::write(
        &aws_config,
        format!(
            "[profile cognito]\nregion = us-east-1\ncredential_process = \"{BIN}\" credentials --store \"{}\"\n",
            shell.store().display()
        ),
    )
    .unwrap();
    let provider = profile_provider(&aws_config);
    let credentials = provider.provide_credentials().await.unwrap();
    assert_eq!(
        credentials.access_key_id(),
        expected["AccessKeyId"].as_str().unwrap()
    );
    assert!(credentials.expiry().unwrap() > SystemTime::now());

    let sts = aws_sdk_sts::Config::builder()
        .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
        .region(aws_sdk_sts::config::Region::new("us-east-1"))
        .endpoint_url(peers::moto())
        .http_client(SdkHttpClient::new(
            ReqwestHttpClient::builder().build().unwrap(),
        ))
        .credentials_provider(provider)
        .build();
    let caller = aws_sdk_sts::Client::from_conf(sts)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert!(caller.account().is_some(), "{caller:?}");

    // Signed out, the process fails and the SDK reports its stderr line.
    assert_success(&shell.on_store(&["sign-out"]));
    let provider = profile_provider(&aws_config);
    let err = provider.provide_credentials().await.unwrap_err();
    let chain = format!("{err:?}");
    assert!(chain.contains("not signed in"), "{chain}");
}

/// The user's browser at oidc-provider: follows the redirects from the authorization URL with
/// a cookie jar; the provider's headless interaction (xtask/assets/oidc-provider.mjs) logs in
/// `alice` and consents, and the last redirect lands on the CLI's loopback listener.
async fn browse(url: &str) {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::limited(20))
        .build()
        .unwrap();
    let response = browser.get(url).send().await.unwrap();
    assert!(response.status().is_success(), "{}", response.status());
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn an_oidc_login_through_the_loopback_redirect_gives_identity_pool_credentials() {
    // moto does not check the ID token against the provider (reference section 9); the
    // provider, the PKCE exchange and the ID-token verification are real.
    let shell = Shell::oidc().await;
    let store = shell.store();
    let mut args = vec!["sign-in", "--store", store.to_str().unwrap()];
    args.extend(shell.pool.iter().map(String::as_str));
    let mut cli = Interactive::spawn(shell.command(&args));
    let url = cli.line_after("open this URL in a browser on this machine:\n");
    assert!(url.starts_with(&peers::oidc()), "{url}");
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    browse(&url).await;
    let out = cli.finish();
    assert_success(&out);
    assert_eq!(text(&out.stdout), "Signed in as alice\n");
    assert!(stored_value(&store, "oidc.idToken").is_some());

    let out = shell.on_store(&["credentials"]);
    assert_success(&out);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["Version"], 1);
    assert!(!json["SecretAccessKey"].as_str().unwrap().is_empty());

    let out = shell.on_store(&["session"]);
    assert_success(&out);
    let report = text(&out.stdout);
    assert!(report.contains("subject:"), "{report}");
    assert!(report.contains("alice"), "{report}");
    assert!(
        report
            .lines()
            .any(|l| l.starts_with("openid provider:")
                && l.ends_with(&format!(" {}", peers::oidc()))),
        "{report}"
    );
    assert!(report.contains("identity id:"), "{report}");
    // `--force-refresh` refreshes at the provider, which rotates the refresh token of a
    // public client (the new ID token can be byte-identical within the same second).
    let before = stored_value(&store, "oidc.refreshToken").unwrap();
    assert_success(&shell.on_store(&["session", "--force-refresh"]));
    let after = stored_value(&store, "oidc.refreshToken").unwrap();
    assert!(before != after, "the refresh token was not rotated");

    let out = shell.on_store(&["sign-out"]);
    assert_success(&out);
    assert_eq!(text(&out.stdout), "Signed out alice\n");
    let out = shell.on_store(&["credentials"]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(text(&out.stdout), "");
}

/// Starts `sign-in --device` and reads what it shows: the verification URI with the code
/// filled in, and the code.
fn device_sign_in(shell: &Shell) -> (Interactive, String, String) {
    let store = shell.store();
    let mut args = vec!["sign-in", "--device", "--store", store.to_str().unwrap()];
    args.extend(shell.pool.iter().map(String::as_str));
    let mut cli = Interactive::spawn(shell.command(&args));
    let after = |shown: &str, marker: &str| {
        let (_, rest) = shown.split_once(marker)?;
        rest.split_once('\n').map(|(line, _)| line.to_owned())
    };
    cli.wait_for("the code", |shown| {
        after(shown, " and enter the code ").is_some()
    });
    let shown = std::mem::take(&mut cli.seen);
    let complete = after(&shown, "To sign in, open ").unwrap();
    let code = after(&shown, " and enter the code ")
        .unwrap()
        .trim_end_matches(')')
        .to_owned();
    assert!(complete.starts_with(&peers::oidc()), "{complete}");
    assert!(
        complete.ends_with(&format!("user_code={code}")),
        "{complete} {code}"
    );
    (cli, complete, code)
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn a_device_login_approved_in_a_browser_elsewhere_gives_identity_pool_credentials() {
    // The user approves at oidc-provider from "another device" while the CLI polls (every
    // 5 s: oidc-provider sends no interval). moto does not check the ID token against the
    // provider (reference section 9); the provider and the ID-token verification are real.
    let shell = Shell::oidc().await;
    let (cli, complete, code) = device_sign_in(&shell);
    let last = device_user::user_at_the_verification_uri(&complete, &code, true).await;
    assert_eq!(device_user::title(&last), "Sign-in Success", "{}", last.url);
    let out = cli.finish();
    assert_success(&out);
    assert_eq!(text(&out.stdout), "Signed in as alice\n");
    assert!(stored_value(&shell.store(), "oidc.idToken").is_some());

    let out = shell.on_store(&["credentials"]);
    assert_success(&out);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!json["SecretAccessKey"].as_str().unwrap().is_empty());
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn a_device_login_the_user_aborts_fails_with_exit_1_and_stores_nothing() {
    let shell = Shell::oidc().await;
    let (cli, complete, code) = device_sign_in(&shell);
    device_user::user_at_the_verification_uri(&complete, &code, false).await;
    let out = cli.finish();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("access_denied"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(text(&out.stdout), "");
    let store = shell.store();
    assert!(!store.exists() || stored_value(&store, "oidc.idToken").is_none());
    // Nothing remembered either: with the same flags, nobody is signed in.
    let mut args = vec!["credentials", "--store", store.to_str().unwrap()];
    args.extend(shell.pool.iter().map(String::as_str));
    let out = shell.run(&args, "");
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
}

/// aws-config's provider for the profile `cognito` of the AWS config file at `path`.
fn profile_provider(path: &Path) -> ProfileFileCredentialsProvider {
    // The profile provider may build STS clients for other kinds of profiles: it needs an
    // HTTP client, and this crate's aws-sdk dependencies have no default one.
    let http = SdkHttpClient::new(ReqwestHttpClient::builder().build().unwrap());
    ProfileFileCredentialsProvider::builder()
        .configure(&ProviderConfig::without_region().with_http_client(http))
        .profile_files(
            EnvConfigFiles::builder()
                .with_file(EnvConfigFileKind::Config, path)
                .build(),
        )
        .profile_name("cognito")
        .build()
}

#[cfg(feature = "keyring")]
#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn tokens_can_live_in_the_os_keyring() {
    let config = user_pool().await;
    let identity = identity_pool(&config).await;
    let username = user(&config).await;
    let shell = Shell::new(&config, Some(identity.identity_pool_id()));
    let out = shell.sign_in(
        &username,
        &["--tokens", "keyring"],
        &format!("{PASSWORD}\n"),
    );
    if out.status.code() == Some(1) && text(&out.stderr).contains("keyring is unavailable") {
        eprintln!("SKIPPED: {}", text(&out.stderr));
        return;
    }
    assert_success(&out);
    // The store file keeps only the configuration.
    let keys: Vec<String> = stored(&shell.store()).keys().cloned().collect();
    assert_eq!(keys, ["cognito-auth.settings"]);
    let out = shell.on_store(&["credentials"]);
    assert_success(&out);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["Version"], 1);
    let out = shell.on_store(&["session"]);
    assert!(
        text(&out.stdout).contains("the OS keyring"),
        "{}",
        text(&out.stdout)
    );

    assert_success(&shell.on_store(&["sign-out"]));
    assert_eq!(shell.on_store(&["credentials"]).status.code(), Some(3));
}
