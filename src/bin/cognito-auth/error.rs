//! [`CliError`]: what failed, the exit code it maps to, and its cause chain on one line.

use std::error::Error as StdError;
use std::fmt::Write as _;
use std::process::ExitCode;

use auth::client::AuthError;

/// The exit codes, documented in `docs/cli.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// 1: Cognito or the identity pool refused, or a local part (the store) failed.
    Failure = 1,
    /// 2: the command line or the configuration is wrong (clap uses 2 for usage errors too).
    Usage = 2,
    /// 3: nobody is signed in, or the session ended (the refresh token was refused).
    NotSignedIn = 3,
    /// 4: Cognito could not be reached, or answered "try later"; stored tokens were kept.
    Unavailable = 4,
}

/// A failed command: a message, the exit code, and the underlying error.
#[derive(Debug)]
pub(crate) struct CliError {
    exit: Exit,
    message: String,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

impl CliError {
    pub(crate) fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self {
            exit,
            message: message.into(),
            source: None,
        }
    }

    pub(crate) fn failure(message: impl Into<String>) -> Self {
        Self::new(Exit::Failure, message)
    }

    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self::new(Exit::Usage, message)
    }

    pub(crate) fn not_signed_in(message: impl Into<String>) -> Self {
        Self::new(Exit::NotSignedIn, message)
    }

    /// Attaches the cause.
    #[must_use]
    pub(crate) fn cause(mut self, source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// An [`AuthError`] of `what` (for example "sign-in"), with the exit code its kind implies.
    pub(crate) fn auth(what: &str, error: AuthError) -> Self {
        let exit = match &error {
            AuthError::NotSignedIn => Exit::NotSignedIn,
            AuthError::NotConfigured(_) => Exit::Usage,
            e if e.is_transient() => Exit::Unavailable,
            _ => Exit::Failure,
        };
        Self::new(exit, format!("{what} failed")).cause(error)
    }

    pub(crate) fn exit(&self) -> Exit {
        self.exit
    }

    pub(crate) fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.exit() as u8)
    }

    /// The message and every cause, joined by `: ` (a cause that repeats the previous
    /// message is skipped).
    pub(crate) fn chain(&self) -> String {
        let mut line = self.message.clone();
        let mut last = self.message.clone();
        let mut next: Option<&(dyn StdError + 'static)> = self
            .source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static));
        while let Some(error) = next {
            let text = error.to_string();
            if !text.is_empty() && !last.ends_with(&text) {
                let _ = write!(line, ": {text}");
            }
            last = text;
            next = error.source();
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn the_chain_is_one_line_with_every_cause() {
        let error = CliError::failure("credentials failed")
            .cause(Outer(std::io::Error::other("connection refused")));
        assert_eq!(
            error.chain(),
            "credentials failed: outer: connection refused"
        );
        assert_eq!(error.exit(), Exit::Failure);
    }

    #[test]
    fn auth_errors_map_to_exit_codes() {
        assert_eq!(
            CliError::auth("x", AuthError::NotSignedIn).exit(),
            Exit::NotSignedIn
        );
        assert_eq!(
            CliError::auth("x", AuthError::NotConfigured("user pool")).exit(),
            Exit::Usage
        );
        assert_eq!(
            CliError::auth("x", AuthError::UserAlreadyAuthenticated).exit(),
            Exit::Failure
        );
    }
}
