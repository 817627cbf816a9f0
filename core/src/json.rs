//! Reading typed data out of an owned `serde_json::Value`, leaner than
//! `serde_json::from_value`.
//!
//! Every input of the browser SDK arrives as a `Value` (the host parses the
//! JSON) and is read into its type here, so each type's `Deserialize` code
//! is in the wasm once, for this one deserializer. It differs from
//! serde_json's own `Value` deserializer in what it leaves out, which is
//! what makes it smaller (about 15 KB of wasm less for the SDK's types):
//! a struct is read only from a JSON object, never from an array of its
//! fields in order (serde_json accepts both, so every struct carried a
//! second, positional reader that no Beckon message uses), and every
//! primitive goes through one `deserialize_any`. Error texts are serde's
//! own (``missing field `id` ``, ``invalid type: string "x", expected
//! u32``), without a position, since the text is gone by then.
//!
//! The server reads its request bodies with serde_json as usual; both
//! accept the same documents (objects for structs).

use std::fmt;

use serde::de::value::StringDeserializer;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Expected, IntoDeserializer, Unexpected, Visitor,
};
use serde_json::{Map, Value};

/// What went wrong, as serde words it. Serde's own rendering of the value
/// that did not fit formats floats with Rust's float formatting and strings
/// with `Debug` escaping; this one uses the host's number formatting (see
/// [`crate::condition::js_number`]) and JSON quoting, so neither is in the
/// wasm. The texts are otherwise serde's.
#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }

    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        Error(
            [
                "invalid type: ",
                &describe(unexp),
                ", expected ",
                &exp.to_string(),
            ]
            .concat(),
        )
    }

    fn invalid_value(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        Error(
            [
                "invalid value: ",
                &describe(unexp),
                ", expected ",
                &exp.to_string(),
            ]
            .concat(),
        )
    }
}

/// Serde's words for a value (`` integer `1` ``, `string "x"`).
fn describe(u: Unexpected<'_>) -> String {
    let quoted = |kind: &str, text: &str| [kind, " `", text, "`"].concat();
    match u {
        Unexpected::Bool(b) => quoted("boolean", if b { "true" } else { "false" }),
        Unexpected::Unsigned(n) => quoted("integer", &n.to_string()),
        Unexpected::Signed(n) => quoted("integer", &n.to_string()),
        Unexpected::Float(f) => {
            let mut text = crate::condition::js_number(f);
            // As serde writes it: `3.0`, not `3`.
            if text.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
                text.push_str(".0");
            }
            quoted("floating point", &text)
        }
        Unexpected::Char(c) => quoted("character", c.encode_utf8(&mut [0; 4])),
        Unexpected::Str(s) => {
            let json = serde_json::to_string(s).unwrap_or_default();
            ["string ", &json].concat()
        }
        Unexpected::Bytes(_) => "byte array".to_owned(),
        Unexpected::Unit => "unit value".to_owned(),
        Unexpected::Option => "Option value".to_owned(),
        Unexpected::NewtypeStruct => "newtype struct".to_owned(),
        Unexpected::Seq => "sequence".to_owned(),
        Unexpected::Map => "map".to_owned(),
        Unexpected::Enum => "enum".to_owned(),
        Unexpected::UnitVariant => "unit variant".to_owned(),
        Unexpected::NewtypeVariant => "newtype variant".to_owned(),
        Unexpected::TupleVariant => "tuple variant".to_owned(),
        Unexpected::StructVariant => "struct variant".to_owned(),
        Unexpected::Other(other) => other.to_owned(),
    }
}

/// Reads `value` as `T`; the error text names what was wrong.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, String> {
    T::deserialize(Json(value)).map_err(|e| e.0)
}

/// The deserializer: one owned `Value`.
struct Json(Value);

/// What serde's messages call the value that did not fit.
fn unexpected(v: &Value) -> Unexpected<'_> {
    match v {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Unexpected::Unsigned(u),
            (None, Some(i)) => Unexpected::Signed(i),
            _ => Unexpected::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

fn invalid(v: &Value, expected: &dyn Expected) -> Error {
    de::Error::invalid_type(unexpected(v), expected)
}

fn visit_array<'de, V: Visitor<'de>>(items: Vec<Value>, visitor: V) -> Result<V::Value, Error> {
    let len = items.len();
    let mut seq = Seq(items.into_iter());
    let out = visitor.visit_seq(&mut seq)?;
    if seq.0.len() == 0 {
        Ok(out)
    } else {
        Err(de::Error::invalid_length(len, &"fewer elements in array"))
    }
}

fn visit_object<'de, V: Visitor<'de>>(
    map: Map<String, Value>,
    visitor: V,
) -> Result<V::Value, Error> {
    visitor.visit_map(Members {
        iter: map.into_iter(),
        value: None,
    })
}

impl<'de> de::Deserializer<'de> for Json {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => visitor.visit_u64(u),
                (None, Some(i)) => visitor.visit_i64(i),
                _ => visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => visitor.visit_string(s),
            Value::Array(items) => visit_array(items, visitor),
            Value::Object(map) => visit_object(map, visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            other => visitor.visit_some(Json(other)),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::Object(map) => visit_object(map, visitor),
            other => Err(invalid(&other, &visitor)),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::String(variant) => visitor.visit_enum(Variant {
                name: variant,
                value: None,
            }),
            Value::Object(map) if map.len() == 1 => {
                let Some((name, value)) = map.into_iter().next() else {
                    return Err(de::Error::custom("empty map"));
                };
                visitor.visit_enum(Variant {
                    name,
                    value: Some(value),
                })
            }
            other => Err(invalid(&other, &"string or map")),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier
    }
}

/// The elements of an array.
struct Seq(std::vec::IntoIter<Value>);

impl<'de> de::SeqAccess<'de> for Seq {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        match self.0.next() {
            Some(v) => seed.deserialize(Json(v)).map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

/// The members of an object: keys are strings.
struct Members {
    iter: serde_json::map::IntoIter,
    value: Option<Value>,
}

impl<'de> de::MapAccess<'de> for Members {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.iter.next() {
            Some((key, value)) => {
                self.value = Some(value);
                let key: StringDeserializer<Error> = key.into_deserializer();
                seed.deserialize(key).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, Error> {
        match self.value.take() {
            Some(v) => seed.deserialize(Json(v)),
            None => Err(de::Error::custom("value is missing")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

/// An enum variant: `"name"` (unit) or `{"name": value}`.
struct Variant {
    name: String,
    value: Option<Value>,
}

impl<'de> de::EnumAccess<'de> for Variant {
    type Error = Error;
    type Variant = Payload;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Payload), Error> {
        let name: StringDeserializer<Error> = self.name.into_deserializer();
        Ok((seed.deserialize(name)?, Payload(self.value)))
    }
}

/// What follows a variant's name, if anything.
struct Payload(Option<Value>);

impl<'de> de::VariantAccess<'de> for Payload {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        match self.0 {
            None | Some(Value::Null) => Ok(()),
            Some(other) => Err(invalid(&other, &"unit variant")),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        match self.0 {
            Some(v) => seed.deserialize(Json(v)),
            None => Err(de::Error::invalid_type(
                Unexpected::UnitVariant,
                &"newtype variant",
            )),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Some(Value::Array(items)) => visit_array(items, visitor),
            Some(other) => Err(invalid(&other, &"tuple variant")),
            None => Err(de::Error::invalid_type(
                Unexpected::UnitVariant,
                &"tuple variant",
            )),
        }
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Some(Value::Object(map)) => visit_object(map, visitor),
            Some(other) => Err(invalid(&other, &"struct variant")),
            None => Err(de::Error::invalid_type(
                Unexpected::UnitVariant,
                &"struct variant",
            )),
        }
    }
}

/// Takes the member `name` out of `fields` and reads it as `T`; its
/// absence is serde's ``missing field `name` ``.
pub fn take_field<T: DeserializeOwned>(
    fields: &mut Map<String, Value>,
    name: &'static str,
) -> Result<T, String> {
    match fields.remove(name) {
        Some(v) => from_value(v),
        None => Err(<Error as de::Error>::missing_field(name).0),
    }
}

/// An internally tagged object (`{"type": "event", "name": "x"}`) being read
/// by hand into its enum variant.
///
/// `#[serde(tag = "type")]` on a derived `Deserialize` buffers the whole
/// object in serde's private `Content` tree and reads the variant again
/// from that, so each such enum carried a second deserializer; for the
/// SDK's six of them it was the largest single item of the wasm after its
/// own code (about 40 KB). A hand-written `Deserialize` that reads a
/// `serde_json::Map` and takes the fields out of it accepts the same
/// documents with the same error texts (``missing field `name` ``,
/// ``unknown variant `x`, expected one of …``, ``unknown field `x`, expected
/// one of …``), and works for any deserializer (the server's serde_json
/// too). Like serde's, a unit variant ignores other members.
pub struct Tagged {
    /// The variant's name.
    pub tag: String,
    fields: Map<String, Value>,
}

impl Tagged {
    /// Reads the object and checks its tag (`key`) is one of `variants`.
    pub fn read<'de, D: de::Deserializer<'de>>(
        d: D,
        key: &'static str,
        variants: &'static [&'static str],
    ) -> Result<Self, D::Error> {
        let fields = <Map<String, Value> as de::Deserialize>::deserialize(d)?;
        Self::new(fields, key, variants).map_err(de::Error::custom)
    }

    /// As [`Tagged::read`], from a map already read.
    pub fn new(
        mut fields: Map<String, Value>,
        key: &'static str,
        variants: &'static [&'static str],
    ) -> Result<Self, String> {
        match fields.remove(key) {
            Some(Value::String(tag)) if variants.contains(&tag.as_str()) => {
                Ok(Self { tag, fields })
            }
            Some(Value::String(tag)) => {
                Err(<Error as de::Error>::unknown_variant(&tag, variants).0)
            }
            Some(other) => Err(invalid(&other, &"variant identifier").0),
            None => Err(<Error as de::Error>::missing_field(key).0),
        }
    }

    /// A field that must be there.
    pub fn need<T: DeserializeOwned>(&mut self, name: &'static str) -> Result<T, String> {
        take_field(&mut self.fields, name)
    }

    /// A field that may be absent (`None`).
    pub fn opt<T: DeserializeOwned>(&mut self, name: &'static str) -> Result<Option<T>, String> {
        self.fields.remove(name).map(from_value).transpose()
    }

    /// An `Option` field: absent or `null` is `None`.
    pub fn maybe<T: DeserializeOwned>(&mut self, name: &'static str) -> Result<Option<T>, String> {
        Ok(self.opt::<Option<T>>(name)?.flatten())
    }

    /// For a variant with `deny_unknown_fields`: an error naming the first
    /// member left over, with the variant's `fields` as the expected ones.
    pub fn deny_rest(&self, fields: &'static [&'static str]) -> Result<(), String> {
        match self.fields.keys().next() {
            Some(key) => Err(<Error as de::Error>::unknown_field(key, fields).0),
            None => Ok(()),
        }
    }

    /// The members not taken (for a flattened neighbour such as
    /// `Action::label`).
    pub fn into_rest(self) -> Map<String, Value> {
        self.fields
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::from_value;

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct S {
        id: String,
        #[serde(default)]
        n: u32,
        f: Option<f64>,
        pair: Option<[u8; 2]>,
        kind: Option<K>,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum K {
        One,
        Two(u8),
        Three { x: i32 },
    }

    #[test]
    fn reads_what_serde_json_reads() {
        for v in [
            json!({"id": "a"}),
            json!({"id": "a", "n": 3, "f": 1, "pair": [1, 2], "kind": "one"}),
            json!({"id": "a", "f": -1.5, "kind": {"two": 7}}),
            json!({"id": "a", "f": null, "kind": {"three": {"x": -4}}}),
        ] {
            assert_eq!(
                from_value::<S>(v.clone()),
                serde_json::from_value::<S>(v).map_err(|e| e.to_string())
            );
        }
    }

    #[test]
    fn errors_are_serdes_own_texts() {
        let err = |v| from_value::<S>(v).expect_err("refused");
        assert_eq!(err(json!({})), "missing field `id`");
        assert_eq!(
            err(json!({"id": 1})),
            "invalid type: integer `1`, expected a string"
        );
        assert_eq!(
            err(json!({"id": "a", "n": 1.5})),
            "invalid type: floating point `1.5`, expected u32"
        );
        assert_eq!(
            err(json!({"id": "a", "n": -1})),
            "invalid value: integer `-1`, expected u32"
        );
        assert_eq!(
            err(json!({"id": "a", "kind": {"two": 2.0}})),
            "invalid type: floating point `2.0`, expected u8"
        );
        assert_eq!(
            err(json!({"id": "a", "kind": {"two": "q\"x"}})),
            r#"invalid type: string "q\"x", expected u8"#
        );
        assert_eq!(
            err(json!({"id": true})),
            "invalid type: boolean `true`, expected a string"
        );
        assert!(err(json!({"id": "a", "x": 1})).starts_with("unknown field `x`"));
        assert!(err(json!({"id": "a", "kind": "four"})).starts_with("unknown variant `four`"));
        assert_eq!(
            err(json!({"id": "a", "pair": [1, 2, 3]})),
            "invalid length 3, expected fewer elements in array"
        );
        assert_eq!(
            err(json!(["a", 1])),
            "invalid type: sequence, expected struct S"
        );
    }
}
