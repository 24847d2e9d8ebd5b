//! The lossless, lenient wire machinery shared by every payload type.
//!
//! Every modelled field remembers how it arrived: absent, `null`, or a value. A field that is
//! still at its default when the event is written back is written the way it arrived (left
//! out, or `null`), so reading an event and writing it again gives the same JSON value. A field
//! the handler changed is written with its new value. Keys this crate does not model are kept
//! in an `extra` map and written back as they came.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap};
use serde_json::{Map, Value};

/// How the modelled fields of one object arrived: bit `i` is field `i`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Presence {
    null: u32,
    absent: u32,
}

impl Presence {
    /// The state before any key is read: every field absent.
    pub(crate) const fn all_absent(fields: u32) -> Self {
        let absent = if fields >= 32 {
            u32::MAX
        } else {
            (1u32 << fields) - 1
        };
        Self { null: 0, absent }
    }

    pub(crate) const fn is_empty(self) -> bool {
        self.null == 0 && self.absent == 0
    }

    /// Whether field `bit` has not been read (yet).
    pub(crate) const fn is_absent(self, bit: u32) -> bool {
        self.absent & bit != 0
    }

    fn seen(&mut self, bit: u32, was_null: bool) {
        self.absent &= !bit;
        if was_null {
            self.null |= bit;
        } else {
            self.null &= !bit;
        }
    }
}

/// A field type: it has a default that `null` reads as, and can tell whether it is still there.
pub(crate) trait Field: Default {
    fn is_default(&self) -> bool;
}

impl Field for String {
    fn is_default(&self) -> bool {
        self.is_empty()
    }
}

impl Field for bool {
    fn is_default(&self) -> bool {
        !*self
    }
}

impl<T> Field for Option<T> {
    fn is_default(&self) -> bool {
        self.is_none()
    }
}

impl<T> Field for Vec<T> {
    fn is_default(&self) -> bool {
        self.is_empty()
    }
}

impl Field for Value {
    fn is_default(&self) -> bool {
        self.is_null()
    }
}

impl Field for Map<String, Value> {
    fn is_default(&self) -> bool {
        self.is_empty()
    }
}

/// Reads one field value leniently (`null` becomes the default) and records how it arrived.
pub(crate) fn read_field<'de, D, T>(
    deserializer: D,
    presence: &mut Presence,
    bit: u32,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Field,
{
    let value = Option::<T>::deserialize(deserializer)?;
    presence.seen(bit, value.is_none());
    Ok(value.unwrap_or_default())
}

/// Writes one field the way it arrived if it is unchanged, or with its value otherwise.
pub(crate) fn write_field<M, T>(
    map: &mut M,
    presence: Presence,
    bit: u32,
    key: &'static str,
    value: &T,
) -> Result<(), M::Error>
where
    M: SerializeMap,
    T: Serialize + Field,
{
    // A field that arrived with a value is written without asking whether it is still at its
    // default (which, for a nested object, would look through all of its fields).
    if (presence.null | presence.absent) & bit == 0 || !value.is_default() {
        map.serialize_entry(key, value)
    } else if presence.null & bit != 0 {
        map.serialize_entry(key, &())
    } else {
        Ok(())
    }
}

/// Writes the keys this crate does not model, as they arrived.
#[inline]
pub(crate) fn write_extra<M: SerializeMap>(
    map: &mut M,
    extra: &Map<String, Value>,
) -> Result<(), M::Error> {
    // Usually empty: skip making an iterator over the tree.
    if !extra.is_empty() {
        for (k, v) in extra {
            map.serialize_entry(k, v)?;
        }
    }
    Ok(())
}

/// An object key, borrowed from the input when the deserializer allows it.
pub(crate) struct Key<'de>(pub(crate) Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Reads the rest of an object into `extra` (used by generated visitors for unknown keys).
pub(crate) fn read_extra<'de, A: MapAccess<'de>>(
    map: &mut A,
    extra: &mut Map<String, Value>,
    key: Cow<'de, str>,
) -> Result<(), A::Error> {
    let value: Value = map.next_value()?;
    extra.insert(key.into_owned(), value);
    Ok(())
}

/// Defines a payload object: public fields, an `extra` map for unknown keys, and lossless,
/// lenient serde implementations. Each field is `name: Type = "jsonName"`.
macro_rules! wire_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                pub $field:ident : $ty:ty = $json:literal,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct $name {
            $(
                $(#[$fmeta])*
                pub $field: $ty,
            )*
            /// Keys this crate does not model, kept as they arrived and written back.
            pub extra: ::serde_json::Map<String, ::serde_json::Value>,
            presence: $crate::lossless::Presence,
        }

        const _: () = {
            use ::serde::de::{MapAccess, Visitor};
            use ::serde::ser::SerializeMap;
            use $crate::lossless::{read_extra, Field, Key, Presence};

            #[allow(non_camel_case_types, reason = "one index per field name")]
            #[derive(Clone, Copy)]
            enum Idx { $($field,)* __Count }

            impl Field for $name {
                fn is_default(&self) -> bool {
                    $( self.$field.is_default() && )* self.extra.is_empty() && self.presence.is_empty()
                }
            }

            impl<'de> ::serde::Deserialize<'de> for $name {
                fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    struct V;
                    impl<'de> Visitor<'de> for V {
                        type Value = $name;
                        fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                            f.write_str(concat!("a ", stringify!($name), " object"))
                        }
                        #[allow(clippy::match_single_binding, reason = "objects with no modelled field")]
                        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<$name, A::Error> {
                            let mut out = $name {
                                presence: Presence::all_absent(Idx::__Count as u32),
                                ..Default::default()
                            };
                            while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
                                match &*key {
                                    $(
                                        $json => {
                                            out.$field = map.next_value_seed($crate::lossless::FieldSeed {
                                                presence: &mut out.presence,
                                                bit: 1u32 << (Idx::$field as u32),
                                                marker: ::std::marker::PhantomData,
                                            })?;
                                        }
                                    )*
                                    _ => read_extra(&mut map, &mut out.extra, key)?,
                                }
                            }
                            Ok(out)
                        }
                    }
                    d.deserialize_map(V)
                }
            }

            impl ::serde::Serialize for $name {
                fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    let mut map = s.serialize_map(None)?;
                    $(
                        $crate::lossless::write_field(&mut map, self.presence, 1u32 << (Idx::$field as u32), $json, &self.$field)?;
                    )*
                    $crate::lossless::write_extra(&mut map, &self.extra)?;
                    map.end()
                }
            }
        };
    };
}

pub(crate) use wire_struct;

/// Deserializes one field through [`read_field`] from inside a map visitor.
pub(crate) struct FieldSeed<'a, T> {
    pub(crate) presence: &'a mut Presence,
    pub(crate) bit: u32,
    pub(crate) marker: std::marker::PhantomData<T>,
}

impl<'de, T: Deserialize<'de> + Field> de::DeserializeSeed<'de> for FieldSeed<'_, T> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        read_field(deserializer, self.presence, self.bit)
    }
}
