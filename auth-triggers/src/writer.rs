//! A compact JSON writer for this crate's types: the bytes `serde_json::to_vec` writes, sooner.
//!
//! Writing an event is mostly escaping strings. `serde_json` looks each byte up in a table;
//! this writer checks eight bytes at a time and copies a string that needs no escape (nearly
//! all of them) in one go. It
//! escapes exactly as `serde_json` does, and hands numbers to `serde_json` so they are
//! formatted the same. Anything it does not handle (a key that is not a string, `serde_json`'s
//! private number and raw-value types) makes it give up, and [`to_vec`] then uses
//! `serde_json::to_vec`: the output is always what `serde_json` would write.

use serde::Serialize;
use serde::ser::{self, Error as _};

/// Writes `value` as compact JSON, byte for byte what `serde_json::to_vec` writes.
pub(crate) fn to_vec<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(1024);
    match value.serialize(Writer { out: &mut out }) {
        Ok(()) => Ok(out),
        Err(_) => serde_json::to_vec(value),
    }
}

/// The error that sends [`to_vec`] to `serde_json`.
fn unsupported() -> serde_json::Error {
    serde_json::Error::custom("not handled by the fast writer")
}

/// How `serde_json` escapes each byte: 0 for none, `u` for `\u00XX`, or the escape letter.
const ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether any of the eight bytes in `word` is a control character, `"` or `\`.
const fn needs_escape(word: u64) -> bool {
    const fn has_zero(v: u64) -> u64 {
        v.wrapping_sub(ONES) & !v & HIGHS
    }
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    (below_space | has_zero(word ^ (ONES * b'"' as u64)) | has_zero(word ^ (ONES * b'\\' as u64)))
        != 0
}

/// Whether `bytes` holds nothing to escape, read eight bytes at a time (the last word may
/// overlap the one before it; strings under eight bytes are read byte by byte).
fn is_clean(bytes: &[u8]) -> bool {
    let word = |at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[at..at + 8]);
        u64::from_le_bytes(w)
    };
    let n = bytes.len();
    if n < 8 {
        return bytes.iter().all(|&b| ESCAPE[usize::from(b)] == 0);
    }
    let mut at = 0;
    while at + 8 <= n {
        if needs_escape(word(at)) {
            return false;
        }
        at += 8;
    }
    at == n || !needs_escape(word(n - 8))
}

/// Writes `text` as a JSON string.
fn write_str(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    if is_clean(bytes) {
        out.extend_from_slice(bytes);
    } else {
        let mut run = 0;
        for (i, &byte) in bytes.iter().enumerate() {
            let escape = ESCAPE[usize::from(byte)];
            if escape != 0 {
                out.extend_from_slice(&bytes[run..i]);
                write_escape(out, byte, escape);
                run = i + 1;
            }
        }
        out.extend_from_slice(&bytes[run..]);
    }
    out.push(b'"');
}

/// Writes the escape of one byte, as `serde_json` does.
fn write_escape(out: &mut Vec<u8>, byte: u8, escape: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    if escape == b'u' {
        out.extend_from_slice(&[
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[usize::from(byte >> 4)],
            HEX[usize::from(byte & 0xf)],
        ]);
    } else {
        out.extend_from_slice(&[b'\\', escape]);
    }
}

/// Writes a number as `serde_json` formats it.
fn write_number<N: Serialize>(out: &mut Vec<u8>, n: N) -> serde_json::Result<()> {
    serde_json::to_writer(out, &n)
}

struct Writer<'a> {
    out: &'a mut Vec<u8>,
}

/// An array or object being written; `close` ends it.
struct Compound<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
    close: &'static [u8],
}

impl<'a> Compound<'a> {
    fn open(out: &'a mut Vec<u8>, open: &[u8], close: &'static [u8]) -> Self {
        out.extend_from_slice(open);
        Self {
            out,
            first: true,
            close,
        }
    }

    fn comma(&mut self) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> serde_json::Result<()> {
        self.comma();
        value.serialize(Writer { out: self.out })
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> serde_json::Result<()> {
        self.comma();
        write_str(self.out, key);
        self.out.push(b':');
        value.serialize(Writer { out: self.out })
    }

    fn close(self) -> serde_json::Result<()> {
        self.out.extend_from_slice(self.close);
        Ok(())
    }
}

/// `{"variant":` before the value of an enum variant that carries data.
fn open_variant(out: &mut Vec<u8>, variant: &str) {
    out.push(b'{');
    write_str(out, variant);
    out.push(b':');
}

/// `serde_json` gives its private types (arbitrary-precision numbers, raw values) a special
/// meaning; leave them to it.
fn is_serde_json_private(name: &str) -> bool {
    name.starts_with("$serde_json::private::")
}

impl<'a> ser::Serializer for Writer<'a> {
    type Ok = ();
    type Error = serde_json::Error;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, v: bool) -> serde_json::Result<()> {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> serde_json::Result<()> {
        write_number(self.out, v)
    }
    fn serialize_i16(self, v: i16) -> serde_json::Result<()> {
        write_number(self.out, v)
    }
    fn serialize_i32(self, v: i32) -> serde_json::Result<()> {
        write_number(self.out, v)
    }
    fn serialize_i64(self, v: i64) -> serde_json::Result<()> {
        write_number(self.out, v)
    }
    fn serialize_i128(self, v: i128) -> serde_json::Result<()> {
        write_number(self.out, v)
    }
    fn serialize_u8(self, v: u8) -> serde_json::Result<()> {
        write_number(self.out, v)
    }
    fn serialize_u16(self, v: u16) -> serde_json::Result<()> {
        write_number(self.out, v)
    }
    fn serialize_u32(self, v: u32) -> serde_json::Result<()> {
        write_number(self.out, v)
    }
    fn serialize_u64(self, v: u64) -> serde_json::Result<()> {
        write_number(self.out, v)
    }
    fn serialize_u128(self, v: u128) -> serde_json::Result<()> {
        write_number(self.out, v)
    }
    fn serialize_f32(self, v: f32) -> serde_json::Result<()> {
        write_number(self.out, v)
    }
    fn serialize_f64(self, v: f64) -> serde_json::Result<()> {
        write_number(self.out, v)
    }
    fn serialize_char(self, v: char) -> serde_json::Result<()> {
        write_str(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> serde_json::Result<()> {
        write_str(self.out, v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> serde_json::Result<()> {
        let mut seq = Compound::open(self.out, b"[", b"]");
        for byte in v {
            seq.element(byte)?;
        }
        seq.close()
    }
    fn serialize_none(self) -> serde_json::Result<()> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> serde_json::Result<()> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> serde_json::Result<()> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> serde_json::Result<()> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> serde_json::Result<()> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> serde_json::Result<()> {
        if is_serde_json_private(name) {
            return Err(unsupported());
        }
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> serde_json::Result<()> {
        open_variant(self.out, variant);
        value.serialize(Writer {
            out: &mut *self.out,
        })?;
        self.out.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> serde_json::Result<Compound<'a>> {
        Ok(Compound::open(self.out, b"[", b"]"))
    }
    fn serialize_tuple(self, len: usize) -> serde_json::Result<Compound<'a>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> serde_json::Result<Compound<'a>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> serde_json::Result<Compound<'a>> {
        open_variant(self.out, variant);
        Ok(Compound::open(self.out, b"[", b"]}"))
    }
    fn serialize_map(self, _len: Option<usize>) -> serde_json::Result<Compound<'a>> {
        Ok(Compound::open(self.out, b"{", b"}"))
    }
    fn serialize_struct(self, name: &'static str, len: usize) -> serde_json::Result<Compound<'a>> {
        if is_serde_json_private(name) {
            return Err(unsupported());
        }
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> serde_json::Result<Compound<'a>> {
        open_variant(self.out, variant);
        Ok(Compound::open(self.out, b"{", b"}}"))
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = serde_json::Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> serde_json::Result<()> {
        self.element(value)
    }
    fn end(self) -> serde_json::Result<()> {
        self.close()
    }
}

impl ser::SerializeTuple for Compound<'_> {
    type Ok = ();
    type Error = serde_json::Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> serde_json::Result<()> {
        self.element(value)
    }
    fn end(self) -> serde_json::Result<()> {
        self.close()
    }
}

impl ser::SerializeTupleStruct for Compound<'_> {
    type Ok = ();
    type Error = serde_json::Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> serde_json::Result<()> {
        self.element(value)
    }
    fn end(self) -> serde_json::Result<()> {
        self.close()
    }
}

impl ser::SerializeTupleVariant for Compound<'_> {
    type Ok = ();
    type Error = serde_json::Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> serde_json::Result<()> {
        self.element(value)
    }
    fn end(self) -> serde_json::Result<()> {
        self.close()
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = serde_json::Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> serde_json::Result<()> {
        self.comma();
        let start = self.out.len();
        key.serialize(Writer { out: self.out })?;
        // Only string keys here; `serde_json` quotes numbers and rejects the rest.
        if self.out.get(start) != Some(&b'"') {
            return Err(unsupported());
        }
        self.out.push(b':');
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> serde_json::Result<()> {
        value.serialize(Writer { out: self.out })
    }
    fn end(self) -> serde_json::Result<()> {
        self.close()
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = serde_json::Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> serde_json::Result<()> {
        self.field(key, value)
    }
    fn end(self) -> serde_json::Result<()> {
        self.close()
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = serde_json::Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> serde_json::Result<()> {
        self.field(key, value)
    }
    fn end(self) -> serde_json::Result<()> {
        self.close()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;
    use serde_json::json;

    use super::to_vec;

    fn same_as_serde_json<T: Serialize + ?Sized>(value: &T) {
        assert_eq!(
            String::from_utf8(to_vec(value).unwrap()).unwrap(),
            serde_json::to_string(value).unwrap()
        );
    }

    #[test]
    fn escapes_every_byte_as_serde_json_does() {
        let all: String = (0u8..=0x7f).map(char::from).collect();
        same_as_serde_json(&all);
        // Escapes at every offset of the eight-byte words, and text that needs none.
        for i in 0..20 {
            same_as_serde_json(&format!(
                "{}\"{}\\{}\n\u{1f}é😀",
                "a".repeat(i),
                "b".repeat(i),
                "c".repeat(i % 9)
            ));
        }
        same_as_serde_json("");
        same_as_serde_json("0123456789abcdefghij");
        same_as_serde_json(&'\u{7}');
    }

    #[test]
    fn writes_values_of_every_shape_as_serde_json_does() {
        same_as_serde_json(&json!({
            "n": [0, -1, u64::MAX, i64::MIN, 1.5, 1e300, -0.0, 2.5e-8],
            "s": "x", "b": [true, false], "z": null, "o": {"": {}, "a": []},
        }));
        same_as_serde_json(&(1u8, 'c', Some(2i128), None::<u8>, ()));
        same_as_serde_json(&f64::NAN);
        same_as_serde_json(b"bytes".as_slice());
    }

    #[test]
    fn enums_are_written_as_serde_json_writes_them() {
        #[derive(Serialize)]
        enum E {
            Unit,
            New(u8),
            Tuple(u8, u8),
            Struct { a: u8 },
        }
        same_as_serde_json(&[E::Unit, E::New(1), E::Tuple(1, 2), E::Struct { a: 3 }]);
    }

    #[test]
    fn non_string_keys_are_left_to_serde_json() {
        let map: BTreeMap<u8, &str> = [(1, "a"), (2, "b")].into_iter().collect();
        same_as_serde_json(&map);
        let map: BTreeMap<(u8, u8), &str> = [((1, 2), "a")].into_iter().collect();
        assert!(to_vec(&map).is_err());
    }
}
