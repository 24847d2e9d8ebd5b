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
        self.pos = quote_or_backslash(self.bytes(), start)?;
        self.eat(b'"')?;
        self.text.get(start..self.pos - 1)
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
            self.pos = quote_or_backslash(self.bytes(), self.pos)?;
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

/// The position of the first `"` or `\` in `bytes` from `from` on, looking at eight bytes at
/// a time (most of an event is the inside of strings).
fn quote_or_backslash(bytes: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // The lowest flagged byte of `has_zero` is exact (higher ones may be false positives).
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let mut at = from;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        let found =
            has_zero(word ^ (ONES * u64::from(b'"'))) | has_zero(word ^ (ONES * u64::from(b'\\')));
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let rest = bytes.get(at..)?;
    rest.iter()
        .position(|&b| b == b'"' || b == b'\\')
        .map(|i| at + i)
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
    fn finds_the_first_quote_or_backslash_at_any_offset() {
        for len in 0..40 {
            for at in 0..len {
                for special in [b'"', b'\\'] {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = special;
                    if at + 3 < len {
                        bytes[at + 3] = b'"';
                    }
                    for from in 0..=at {
                        assert_eq!(super::quote_or_backslash(&bytes, from), Some(at));
                    }
                }
            }
            assert_eq!(super::quote_or_backslash(&vec![0x80; len], 0), None);
        }
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
