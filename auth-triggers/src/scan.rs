//! A quick look at the top-level keys of a JSON object, without parsing or allocating, so that
//! [`TriggerEvent::from_slice`](crate::TriggerEvent::from_slice) can choose the event's type
//! before reading it.
//!
//! The scanner does not validate: the full parse that follows does. On valid JSON it reports
//! the top-level entries exactly; whenever it meets something it does not handle cheaply (an
//! escaped key, malformed input) it gives up and the caller takes the general path.

/// A cursor over the bytes of a JSON text.
pub(crate) struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

/// The value of a top-level entry, as far as the scanner reads it.
pub(crate) enum Scalar<'a> {
    /// A string without escapes: its contents.
    Str(&'a str),
    /// A number, `true`, `false` or `null`: its text.
    Other(&'a str),
}

impl<'a> Scanner<'a> {
    /// A scanner at the start of `text`, which must be a JSON object.
    pub(crate) fn object(text: &'a str) -> Option<Self> {
        let mut scanner = Self { text, pos: 0 };
        scanner.whitespace();
        scanner.eat(b'{')?;
        Some(scanner)
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.pos).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    fn whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// The next key of the object, `None` at its end or if the key has an escape.
    pub(crate) fn key(&mut self, first: bool) -> Option<&'a str> {
        self.whitespace();
        if !first {
            self.eat(b',')?;
            self.whitespace();
        }
        let key = self.plain_string()?;
        self.whitespace();
        self.eat(b':')?;
        self.whitespace();
        Some(key)
    }

    /// Whether the object ends here (after the previous value).
    pub(crate) fn at_end(&mut self) -> bool {
        self.whitespace();
        self.peek() == Some(b'}')
    }

    /// A string without escapes at the cursor, its contents.
    fn plain_string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.pos;
        let len = self.bytes()[start..]
            .iter()
            .position(|&b| b == b'"' || b == b'\\')?;
        self.pos += len;
        self.eat(b'"')?;
        self.text.get(start..start + len)
    }

    /// The value at the cursor if it is a string without escapes or a scalar.
    pub(crate) fn scalar(&mut self) -> Option<Scalar<'a>> {
        if self.peek()? == b'"' {
            return self.plain_string().map(Scalar::Str);
        }
        let start = self.pos;
        self.skip_scalar();
        let text = self.text.get(start..self.pos)?;
        (!text.is_empty()).then_some(Scalar::Other(text))
    }

    fn skip_scalar(&mut self) {
        while let Some(b) = self.peek() {
            if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                break;
            }
            self.pos += 1;
        }
    }

    /// Moves past any string, starting at its opening quote.
    fn skip_string(&mut self) -> Option<()> {
        self.pos += 1;
        loop {
            let len = self
                .bytes()
                .get(self.pos..)?
                .iter()
                .position(|&b| b == b'"' || b == b'\\')?;
            self.pos += len;
            if self.peek()? == b'"' {
                self.pos += 1;
                return Some(());
            }
            // A backslash and the character it escapes.
            self.pos += 2;
        }
    }

    /// Moves past the value at the cursor, whatever it is.
    pub(crate) fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.skip_string(),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.skip_string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.pos += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.pos += 1;
                }
            }
            _ => {
                let start = self.pos;
                self.skip_scalar();
                (self.pos > start).then_some(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Scalar, Scanner};

    /// The top-level keys and scalar values the scanner sees, or `None` where it gives up.
    fn entries(text: &str) -> Option<Vec<(String, Option<String>)>> {
        let mut scanner = Scanner::object(text)?;
        let mut out = Vec::new();
        let mut first = true;
        while !scanner.at_end() {
            let key = scanner.key(first)?.to_owned();
            first = false;
            let value = if key.starts_with('s') {
                match scanner.scalar()? {
                    Scalar::Str(s) | Scalar::Other(s) => Some(s.to_owned()),
                }
            } else {
                scanner.skip_value()?;
                None
            };
            out.push((key, value));
        }
        Some(out)
    }

    #[test]
    fn walks_the_top_level_entries_only() {
        let text = r#" { "a": {"s": "x", "t": ["}", "\"{", {"u": [1, 2]}]}, "s1": "v\u00e9" ,
            "b" : [ ], "s2": 12.5e3, "c": "q\"}", "s3": null }"#;
        let got = entries(text);
        assert_eq!(got, None, "an escaped value is not read");
        let text = text.replace(r#""v\u00e9""#, r#""vé""#);
        let got = entries(&text).unwrap();
        let keys: Vec<_> = got.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["a", "s1", "b", "s2", "c", "s3"]);
        assert_eq!(got[1].1.as_deref(), Some("vé"));
        assert_eq!(got[3].1.as_deref(), Some("12.5e3"));
        assert_eq!(got[5].1.as_deref(), Some("null"));
    }

    #[test]
    fn gives_up_on_escaped_keys_and_malformed_input() {
        assert_eq!(entries(r#"{"trigger\u0053ource": "x"}"#), None);
        assert_eq!(entries(r#"["a"]"#), None);
        assert_eq!(entries(r#"{"a" 1}"#), None);
        assert_eq!(entries(r#"{"a": {"b": 1}"#), None);
        assert_eq!(entries(r#"{"a": "b"#), None);
        assert_eq!(entries(r#"{"a": "b\"#), None);
        assert_eq!(
            entries("{\"a\": \"b\\"),
            None,
            "a backslash at the very end"
        );
    }
}
