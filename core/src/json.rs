//! Reading typed data out of an owned `serde_json::Value`: [`FromJson`].
//!
//! Every input of the browser SDK arrives as JSON text, becomes a `Value`
//! ([`text::parse`], which reads it as `JSON.parse` does), and is read into
//! its type here. Serde's derived `Deserialize`
//! did this before, through a lean deserializer over `Value`; its
//! generated visitors (a field-name visitor, a map loop with a duplicate
//! check per field, a second pass for missing fields) were still the
//! largest part of the wasm after the SDK's own code. `FromJson`, derived
//! from the same `#[serde]` attributes by `beckon-json-derive`, takes each
//! member out of the object by name instead.
//!
//! Both accept the same documents (objects for structs; the tests compare
//! them), and the error texts are serde's own (``missing field `id` ``,
//! ``invalid type: string "x", expected u32``), without a position, since
//! the text is gone by then. When a document has several faults, the one
//! named may differ: fields are read in declaration order here, in the
//! document's order by serde. The server reads its request bodies with
//! serde_json as usual.

pub mod text;

use std::fmt;

use serde::de::{self, Expected, Unexpected};

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
pub fn from_value<T: FromJson>(value: Value) -> Result<T, String> {
    T::from_json(value).map_err(|e| e.0)
}

pub use beckon_json_derive::FromJson;
pub use serde_json::{Map, Value};

/// A type read out of a `serde_json::Value`: what the SDK reads instead of
/// `Deserialize`. `#[derive(FromJson)]` writes it from the type's
/// `#[serde]` attributes (see the `beckon-json-derive` crate); it accepts
/// the documents the type's `Deserialize` accepts and words its errors as
/// serde does.
pub trait FromJson: Sized {
    /// Reads the value.
    fn from_json(value: Value) -> Result<Self, Error>;

    /// What an absent member reads as when its field has no `default`:
    /// `None` (serde's ``missing field `x` ``), except for `Option`, which
    /// serde reads as `None` too.
    fn absent() -> Option<Self> {
        None
    }
}

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

/// Serde's ``invalid type: …, expected …`` for `v`.
pub fn invalid(v: &Value, expected: &dyn Expected) -> Error {
    de::Error::invalid_type(unexpected(v), expected)
}

/// Serde's ``unknown variant `x`, expected one of …``.
pub fn unknown_variant(name: &str, variants: &'static [&'static str]) -> Error {
    de::Error::unknown_variant(name, variants)
}

/// The name of a unit variant: `"name"`, or `{"name": null}` as serde also
/// accepts.
pub fn unit_variant(value: Value, variants: &'static [&'static str]) -> Result<String, Error> {
    match value {
        Value::String(name) => Ok(name),
        Value::Object(map) if map.len() == 1 => match map.into_iter().next() {
            Some((name, Value::Null)) => Ok(name),
            Some((name, other)) if variants.contains(&name.as_str()) => {
                Err(invalid(&other, &"unit variant"))
            }
            Some((name, _)) => Err(unknown_variant(&name, variants)),
            None => Err(de::Error::custom("empty map")),
        },
        other => Err(invalid(&other, &"string or map")),
    }
}

/// The members of an object being read into a struct (or a struct
/// variant): each is taken out by name.
pub struct Fields(Map<String, Value>);

impl Fields {
    /// The object `value`, or serde's error naming `expected`
    /// (`struct Content`).
    pub fn of(value: Value, expected: &'static str) -> Result<Self, Error> {
        match value {
            Value::Object(map) => Ok(Fields(map)),
            other => Err(invalid(&other, &expected)),
        }
    }

    /// An internally tagged object (`{"type": "event", "name": "x"}`): its
    /// variant's name, checked against `variants`, and the other members.
    pub fn tagged(
        value: Value,
        key: &'static str,
        variants: &'static [&'static str],
    ) -> Result<(String, Self), Error> {
        let mut fields = Self::of(value, "a map")?;
        match fields.0.remove(key) {
            Some(Value::String(tag)) if variants.contains(&tag.as_str()) => Ok((tag, fields)),
            Some(Value::String(tag)) => Err(unknown_variant(&tag, variants)),
            Some(other) => Err(invalid(&other, &"variant identifier")),
            None => Err(de::Error::missing_field(key)),
        }
    }

    /// A member that must be there (or that reads as something when
    /// absent, as an `Option` does).
    pub fn need<T: FromJson>(&mut self, name: &'static str) -> Result<T, Error> {
        match self.0.remove(name) {
            Some(v) => T::from_json(v),
            None => T::absent().ok_or_else(|| de::Error::missing_field(name)),
        }
    }

    /// A member that may be absent (`None`): a field with a default.
    pub fn take<T: FromJson>(&mut self, name: &'static str) -> Result<Option<T>, Error> {
        self.0.remove(name).map(T::from_json).transpose()
    }

    /// For `deny_unknown_fields`: serde's error for the first member whose
    /// name is not one of `known`.
    pub fn deny_unknown(&self, known: &'static [&'static str]) -> Result<(), Error> {
        match self.0.keys().find(|k| !known.contains(&k.as_str())) {
            Some(key) => Err(de::Error::unknown_field(key, known)),
            None => Ok(()),
        }
    }

    /// The members not taken (for a flattened neighbour such as
    /// `Action::target`).
    pub fn into_rest(self) -> Value {
        Value::Object(self.0)
    }
}

/// Implements serde's `Deserialize` for a type through its [`FromJson`]
/// (the server reads JSON with serde_json; a hand-written reader is then
/// written once).
#[macro_export]
macro_rules! deserialize_with_from_json {
    ($ty:ty) => {
        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                d: D,
            ) -> ::core::result::Result<Self, D::Error> {
                let value = <$crate::json::Value as ::serde::Deserialize>::deserialize(d)?;
                <$ty as $crate::json::FromJson>::from_json(value)
                    .map_err(<D::Error as ::serde::de::Error>::custom)
            }
        }
    };
}

impl FromJson for Value {
    fn from_json(value: Value) -> Result<Self, Error> {
        Ok(value)
    }
}

impl FromJson for Map<String, Value> {
    fn from_json(value: Value) -> Result<Self, Error> {
        match value {
            Value::Object(map) => Ok(map),
            other => Err(invalid(&other, &"a map")),
        }
    }
}

impl FromJson for String {
    fn from_json(value: Value) -> Result<Self, Error> {
        match value {
            Value::String(s) => Ok(s),
            other => Err(invalid(&other, &"a string")),
        }
    }
}

impl FromJson for bool {
    fn from_json(value: Value) -> Result<Self, Error> {
        match value {
            Value::Bool(b) => Ok(b),
            other => Err(invalid(&other, &"a boolean")),
        }
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(value: Value) -> Result<Self, Error> {
        match value {
            Value::Null => Ok(None),
            other => T::from_json(other).map(Some),
        }
    }

    fn absent() -> Option<Self> {
        Some(None)
    }
}

impl<T: FromJson> FromJson for Box<T> {
    fn from_json(value: Value) -> Result<Self, Error> {
        T::from_json(value).map(Box::new)
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: Value) -> Result<Self, Error> {
        match value {
            Value::Array(items) => items.into_iter().map(T::from_json).collect(),
            other => Err(invalid(&other, &"a sequence")),
        }
    }
}

/// A fixed-size array: exactly `N` elements, with serde's texts for too
/// few and too many.
impl<T: FromJson, const N: usize> FromJson for [T; N] {
    fn from_json(value: Value) -> Result<Self, Error> {
        let items: Vec<T> = Vec::from_json(value)?;
        let len = items.len();
        items.try_into().map_err(|_| {
            if len < N {
                let expected = ["an array of length ", &N.to_string()].concat();
                de::Error::invalid_length(len, &expected.as_str())
            } else {
                de::Error::invalid_length(len, &"fewer elements in array")
            }
        })
    }
}

/// A JSON number as serde's primitive visitors see it: `u64` if it is
/// one, else `i64`, else `f64`.
enum Number {
    Unsigned(u64),
    Signed(i64),
    Float(f64),
}

fn number(value: &Value, expected: &'static str) -> Result<Number, Error> {
    match value {
        Value::Number(n) => Ok(match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Number::Unsigned(u),
            (None, Some(i)) => Number::Signed(i),
            _ => Number::Float(n.as_f64().unwrap_or(f64::NAN)),
        }),
        other => Err(invalid(other, &expected)),
    }
}

/// An integer type: whole numbers in range; serde's `invalid value` for
/// one out of range and `invalid type` for a fraction.
macro_rules! integer {
    ($($ty:ident)*) => {$(
        impl FromJson for $ty {
            fn from_json(value: Value) -> Result<Self, Error> {
                let expected = stringify!($ty);
                match number(&value, expected)? {
                    Number::Unsigned(u) => $ty::try_from(u)
                        .map_err(|_| de::Error::invalid_value(Unexpected::Unsigned(u), &expected)),
                    Number::Signed(i) => $ty::try_from(i)
                        .map_err(|_| de::Error::invalid_value(Unexpected::Signed(i), &expected)),
                    Number::Float(f) => Err(de::Error::invalid_type(Unexpected::Float(f), &expected)),
                }
            }
        }
    )*};
}

integer!(u8 u16 u32 u64 usize i32 i64);

impl FromJson for f64 {
    fn from_json(value: Value) -> Result<Self, Error> {
        Ok(match number(&value, "f64")? {
            Number::Unsigned(u) => u as f64,
            Number::Signed(i) => i as f64,
            Number::Float(f) => f,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde::de::DeserializeOwned;
    use serde::Deserialize;
    use serde_json::json;

    use super::{from_value, FromJson, Value};

    #[derive(Debug, PartialEq, Deserialize, FromJson)]
    #[serde(deny_unknown_fields)]
    struct S {
        id: String,
        #[serde(default)]
        n: u32,
        f: Option<f64>,
        pair: Option<[u8; 2]>,
        kind: Option<K>,
        #[serde(rename = "match", default = "seven")]
        matched: i64,
        #[serde(default)]
        list: Vec<Inner>,
        #[serde(skip)]
        skipped: bool,
    }

    fn seven() -> i64 {
        7
    }

    #[derive(Debug, PartialEq, Deserialize, FromJson)]
    #[serde(rename_all = "snake_case")]
    enum K {
        One,
        TwoWords,
        #[serde(rename = "three")]
        Third,
    }

    #[derive(Debug, Default, PartialEq, Deserialize, FromJson)]
    #[serde(default)]
    struct Inner {
        a: u8,
        b: Option<String>,
        c: bool,
    }

    #[derive(Debug, PartialEq, Deserialize, FromJson)]
    #[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
    enum Tagged {
        Plain,
        WithFields {
            name: String,
            #[serde(default = "one")]
            count: u32,
            within: Option<f64>,
        },
    }

    #[derive(Debug, PartialEq, Deserialize, FromJson)]
    #[serde(tag = "t")]
    enum Loose {
        A { x: i32 },
        B,
    }

    fn one() -> u32 {
        1
    }

    /// Both readers of `T` on `doc`: the same value, or both refuse.
    fn same<T: FromJson + DeserializeOwned + PartialEq + std::fmt::Debug>(doc: Value) {
        let ours = from_value::<T>(doc.clone());
        let serdes = serde_json::from_value::<T>(doc.clone());
        match (&ours, &serdes) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{doc}"),
            (Err(_), Err(_)) => {}
            _ => panic!("{doc}: FromJson {ours:?}, serde {serdes:?}"),
        }
    }

    #[test]
    fn reads_what_serde_reads() {
        for doc in [
            json!({"id": "a"}),
            json!({"id": "a", "n": 3, "f": 1, "pair": [1, 2], "kind": "one", "match": -2}),
            json!({"id": "a", "f": -1.5, "kind": "two_words", "list": [{}, {"a": 3, "b": null}]}),
            json!({"id": "a", "f": null, "kind": "three", "list": [{"c": true, "b": "x"}]}),
            json!({"id": "a", "kind": {"one": null}}),
            json!({"id": "a", "n": 1.5}),
            json!({"id": "a", "n": -1}),
            json!({"id": "a", "n": 4294967296u64}),
            json!({"id": "a", "kind": "Third"}),
            json!({"id": "a", "kind": "four"}),
            json!({"id": "a", "kind": 4}),
            json!({"id": "a", "pair": [1]}),
            json!({"id": "a", "pair": [1, 2, 3]}),
            json!({"id": "a", "pair": [1, 256]}),
            json!({"id": "a", "x": 1}),
            json!({"id": "a", "skipped": true}),
            json!({"id": "a", "list": [{"d": 1}]}),
            json!({"id": "a", "list": {}}),
            json!({"id": null}),
            json!({}),
            json!([]),
            json!("a"),
        ] {
            same::<S>(doc);
        }
        for doc in [
            json!({"type": "plain"}),
            json!({"type": "plain", "other": 1}),
            json!({"type": "with_fields", "name": "x"}),
            json!({"type": "with_fields", "name": "x", "count": 3, "within": 2.5}),
            json!({"type": "with_fields", "name": "x", "within": null}),
            json!({"type": "with_fields", "name": "x", "extra": 1}),
            json!({"type": "with_fields"}),
            json!({"type": "other"}),
            json!({"type": 3}),
            json!({"name": "x"}),
            json!("plain"),
        ] {
            same::<Tagged>(doc);
        }
        for doc in [
            json!({"t": "A", "x": -3}),
            json!({"t": "A", "x": -3, "y": 1}),
            json!({"t": "B", "x": 1}),
            json!({"t": "a"}),
        ] {
            same::<Loose>(doc);
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
            err(json!({"id": "a", "f": "q\"x"})),
            r#"invalid type: string "q\"x", expected f64"#
        );
        assert_eq!(
            err(json!({"id": true})),
            "invalid type: boolean `true`, expected a string"
        );
        assert!(err(json!({"id": "a", "x": 1})).starts_with("unknown field `x`, expected one of"));
        assert!(err(json!({"id": "a", "kind": "four"})).starts_with("unknown variant `four`"));
        assert_eq!(
            err(json!({"id": "a", "pair": [1, 2, 3]})),
            "invalid length 3, expected fewer elements in array"
        );
        assert_eq!(
            err(json!({"id": "a", "pair": [1]})),
            "invalid length 1, expected an array of length 2"
        );
        assert_eq!(
            err(json!(["a", 1])),
            "invalid type: sequence, expected struct S"
        );
        let tagged = |v| from_value::<Tagged>(v).expect_err("refused");
        assert_eq!(tagged(json!({"name": "x"})), "missing field `type`");
        assert_eq!(
            tagged(json!({"type": "with_fields", "name": "x", "extra": 1})),
            "unknown field `extra`, expected one of `name`, `count`, `within`"
        );
        assert_eq!(
            tagged(json!({"type": "nope"})),
            "unknown variant `nope`, expected `plain` or `with_fields`"
        );
    }
}
