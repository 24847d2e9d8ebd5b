//! Prompts on stderr, answers from the terminal (secrets without echo) or, when stdin is not
//! a terminal, from stdin one line per answer, so a script can pipe every answer in.

use std::io::{self, BufRead, IsTerminal as _, Write as _};

use auth::core::Sensitive;

use crate::error::CliError;

/// Where answers come from.
pub(crate) struct Prompter {
    /// stdin is a terminal: secrets are read without echo (from the terminal itself).
    terminal: bool,
    lines: Box<dyn BufRead>,
}

impl std::fmt::Debug for Prompter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prompter")
            .field("terminal", &self.terminal)
            .finish_non_exhaustive()
    }
}

impl Prompter {
    /// Answers from this process's stdin.
    pub(crate) fn stdin() -> Self {
        let stdin = io::stdin();
        Self {
            terminal: stdin.is_terminal(),
            lines: Box::new(io::BufReader::new(stdin)),
        }
    }

    /// Answers from `lines`, as from a pipe (for tests).
    #[cfg(test)]
    pub(crate) fn from_lines(lines: &'static str) -> Self {
        Self {
            terminal: false,
            lines: Box::new(lines.as_bytes()),
        }
    }

    /// Whether a person is answering at a terminal.
    pub(crate) fn is_terminal(&self) -> bool {
        self.terminal
    }

    /// Shows a line to the person signing in (stderr: stdout is for results).
    pub(crate) fn say(&self, text: &str) {
        eprintln!("{text}");
    }

    /// Asks for a visible answer (a username, an email address, a choice).
    pub(crate) fn ask(&mut self, question: &str) -> Result<String, CliError> {
        eprint!("{question}: ");
        let _ = io::stderr().flush();
        let line = self.read_line(question)?;
        Ok(line.trim().to_owned())
    }

    /// Asks for a secret (a password, a code): no echo at a terminal, the whole line
    /// (spaces kept) from a pipe.
    pub(crate) fn secret(&mut self, question: &str) -> Result<Sensitive, CliError> {
        if self.terminal {
            let value = rpassword::prompt_password(format!("{question}: ")).map_err(|e| {
                CliError::failure(format!("could not read the answer to {question:?}")).cause(e)
            })?;
            return Ok(Sensitive::from(value));
        }
        eprint!("{question}: ");
        let _ = io::stderr().flush();
        let line = self.read_line(question)?;
        // The prompt's line ends here, as a terminal would have ended it.
        eprintln!();
        Ok(Sensitive::from(line))
    }

    /// The next line of stdin, without its line ending, without a prompt.
    pub(crate) fn read_line(&mut self, question: &str) -> Result<String, CliError> {
        let mut line = String::new();
        let read = self.lines.read_line(&mut line).map_err(|e| {
            CliError::failure(format!("could not read the answer to {question:?}")).cause(e)
        })?;
        if read == 0 {
            return Err(CliError::usage(format!(
                "stdin ended before the answer to {question:?}"
            )));
        }
        let end = line.trim_end_matches(['\n', '\r']).len();
        line.truncate(end);
        Ok(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn piped_answers_are_read_one_line_each_and_secrets_keep_their_spaces() {
        let mut prompter = Prompter::from_lines("  alice \r\ncorrect horse \n123456\n");
        assert!(!prompter.is_terminal());
        assert_eq!(prompter.ask("Username").unwrap(), "alice");
        assert_eq!(
            prompter.secret("Password").unwrap().expose(),
            "correct horse "
        );
        assert_eq!(prompter.read_line("Code").unwrap(), "123456");
        let err = prompter.ask("Another").unwrap_err();
        assert!(err.chain().contains("stdin ended"), "{}", err.chain());
    }
}
