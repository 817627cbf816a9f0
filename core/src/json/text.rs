//! JSON text read into a [`Value`] the way the browser's `JSON.parse`
//! reads it.
//!
//! The SDK used to hand every JSON text (a server answer, storage, a tab's
//! message) to `JSON.parse` and walk the resulting JS object into a
//! `Value`: several host calls per member, which on a reload took longer
//! than drawing the first message. Reading the text here is one copy of
//! the string into the module and no host call at all.
//!
//! It accepts exactly the JSON grammar (RFC 8259), as `JSON.parse` does,
//! and reads numbers as `JSON.parse` does: every number is the nearest
//! `f64` (in the browser the host's own parser for anything but a short
//! whole number, natively Rust's, both exact), and a whole one that
//! an `f64` holds exactly (|n| ≤ 2^53 − 1) is kept as an integer, as
//! serde_json would read its text; one too large for an `f64` is `null`,
//! as `JSON.stringify(Infinity)` writes it. A lone surrogate escape
//! (`"\ud800"`), which JS strings can hold and Rust's cannot, reads as
//! U+FFFD, as the host's text encoder turned it before. Where a key
//! repeats, the last value wins in the first one's place, as in JS.
//! Object members keep the document's order (JS puts integer-like keys
//! first; nothing in the protocol depends on either order).

use serde_json::{Map, Number, Value};

/// Deepest nesting read, as serde_json's own limit: hostile input cannot
/// exhaust the stack.
pub const MAX_DEPTH: usize = 128;

/// Reads one JSON document; the error names what was wrong and where.
pub fn parse(text: &str) -> Result<Value, String> {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    p.skip_space();
    let value = p.value(0)?;
    p.skip_space();
    if p.pos < p.bytes.len() {
        return Err(p.error("unexpected text after the JSON value"));
    }
    Ok(value)
}

/// A number as `JSON.parse` gives it, in a `Value`: an integer when it is
/// whole and exact, `null` when it is not finite.
pub fn number_value(n: f64) -> Value {
    const SAFE: f64 = 9_007_199_254_740_991.0;
    if n.fract() == 0.0 && n.abs() <= SAFE {
        if n >= 0.0 {
            return Value::from(n as u64);
        }
        return Value::from(n as i64);
    }
    Number::from_f64(n).map_or(Value::Null, Value::Number)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> String {
        ["JSON: ", what, " at byte ", &self.pos.to_string()].concat()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Consumes `byte`, or says what was expected.
    fn expect(&mut self, byte: u8, what: &str) -> Result<(), String> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, String> {
        match self.peek() {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.word("true", Value::Bool(true)),
            Some(b'f') => self.word("false", Value::Bool(false)),
            Some(b'n') => self.word("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("unexpected character")),
            None => Err(self.error("unexpected end")),
        }
    }

    fn word(&mut self, word: &str, value: Value) -> Result<Value, String> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("unexpected character"))
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, String> {
        let mut map = Map::new();
        let mut closed = self.open(depth, b'}')?;
        while !closed {
            self.skip_space();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a member name"));
            }
            let key = self.string()?;
            self.skip_space();
            self.expect(b':', "expected `:`")?;
            self.skip_space();
            let value = self.value(depth)?;
            map.insert(key, value);
            closed = self.next_or_close(b'}', "expected `,` or `}`")?;
        }
        Ok(Value::Object(map))
    }

    fn array(&mut self, depth: usize) -> Result<Value, String> {
        let mut items = Vec::new();
        let mut closed = self.open(depth, b']')?;
        while !closed {
            self.skip_space();
            items.push(self.value(depth)?);
            closed = self.next_or_close(b']', "expected `,` or `]`")?;
        }
        Ok(Value::Array(items))
    }

    /// Enters an object or an array (its opening byte at `pos`), `depth`
    /// levels deep: whether it closes at once (`{}`, `[]`).
    fn open(&mut self, depth: usize, close: u8) -> Result<bool, String> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.pos += 1;
        self.skip_space();
        let empty = self.peek() == Some(close);
        if empty {
            self.pos += 1;
        }
        Ok(empty)
    }

    /// After a member or an element: `,` goes on, `close` ends it.
    fn next_or_close(&mut self, close: u8, what: &str) -> Result<bool, String> {
        self.skip_space();
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                Ok(false)
            }
            Some(c) if c == close => {
                self.pos += 1;
                Ok(true)
            }
            _ => Err(self.error(what)),
        }
    }

    /// A string, the opening quote at `pos`.
    fn string(&mut self) -> Result<String, String> {
        self.pos += 1;
        let mut out = String::new();
        let mut run = self.pos;
        loop {
            match self.peek() {
                Some(b'"') => {
                    out.push_str(&self.text[run..self.pos]);
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    out.push_str(&self.text[run..self.pos]);
                    self.pos += 1;
                    self.escape(&mut out)?;
                    run = self.pos;
                }
                Some(0..=0x1f) => return Err(self.error("control character in a string")),
                // Multi-byte characters are copied with their run: the text
                // is a `str`, so they are whole.
                Some(_) => self.pos += 1,
                None => return Err(self.error("unterminated string")),
            }
        }
    }

    /// The escape after a backslash.
    fn escape(&mut self, out: &mut String) -> Result<(), String> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let unit = self.hex4()?;
                let c = match unit {
                    0xd800..=0xdbff if self.bytes[self.pos..].starts_with(b"\\u") => {
                        let save = self.pos;
                        self.pos += 2;
                        let low = self.hex4()?;
                        if (0xdc00..=0xdfff).contains(&low) {
                            let code = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
                            char::from_u32(code).unwrap_or('\u{fffd}')
                        } else {
                            // Not a pair: the second escape is read on
                            // its own.
                            self.pos = save;
                            '\u{fffd}'
                        }
                    }
                    _ => char::from_u32(unit).unwrap_or('\u{fffd}'),
                };
                out.push(c);
                return Ok(());
            }
            _ => return Err(self.error("invalid escape")),
        };
        self.pos += 1;
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self
            .bytes
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.error("unterminated \\u escape"))?;
        let mut unit = 0;
        for &d in digits {
            let v = (d as char)
                .to_digit(16)
                .ok_or_else(|| self.error("invalid \\u escape"))?;
            unit = unit * 16 + v;
        }
        self.pos += 4;
        Ok(unit)
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, checked here since
    /// Rust's float parser accepts more (`inf`, `.5`, `1.`).
    fn number(&mut self) -> Result<Value, String> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.need_digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            self.need_digits()?;
        }
        let literal = &self.text[start..self.pos];
        let (negative, body) = match literal.strip_prefix('-') {
            Some(body) => (true, body),
            None => (false, literal),
        };
        let magnitude = if body.len() <= 15 && body.bytes().all(|b| b.is_ascii_digit()) {
            // Whole and below 10^15: exact in an f64, read here.
            body.bytes().fold(0u64, |n, d| n * 10 + u64::from(d - b'0')) as f64
        } else {
            // The host's number parser in the browser (exact, and keeps
            // Rust's float parser, about 15 KB gzip, out of the wasm).
            crate::condition::js::parse_decimal(body)
        };
        Ok(number_value(if negative { -magnitude } else { magnitude }))
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    fn need_digits(&mut self) -> Result<(), String> {
        let start = self.pos;
        self.digits();
        if self.pos == start {
            return Err(self.error("invalid number"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{parse, MAX_DEPTH};
    use serde_json::{json, Value};

    /// serde_json (with `float_roundtrip`, exact like `JSON.parse`) reads
    /// the same text to the same value, once its numbers are normalised as
    /// `JSON.parse` gives them.
    fn same_as_serde(text: &str) {
        let ours = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let theirs: Value = serde_json::from_str(text).expect("serde reads it");
        assert_eq!(ours, normalise(theirs), "{text}");
    }

    fn normalise(v: Value) -> Value {
        match v {
            Value::Number(n) => super::number_value(n.as_f64().unwrap_or(f64::NAN)),
            Value::Array(items) => Value::Array(items.into_iter().map(normalise).collect()),
            Value::Object(map) => {
                Value::Object(map.into_iter().map(|(k, v)| (k, normalise(v))).collect())
            }
            other => other,
        }
    }

    #[test]
    fn reads_what_serde_reads() {
        for text in [
            "null",
            " true ",
            "false",
            "0",
            "-0",
            "12",
            "-12",
            "1.5",
            "-0.25e2",
            "1E3",
            "1e-7",
            "0.1",
            "2.2250738585072014e-308",
            "5e-324",
            "1.7976931348623157e308",
            "9007199254740991",
            "9007199254740993",
            "-9007199254740991",
            "123456789012345678901234567890",
            r#""""#,
            r#""plain""#,
            r#""q\"b\\s\/n\nt\tr\rb\bf\f""#,
            r#""\u00e9\u20AC\ud83d\ude00""#,
            "\"naïve – ünïcödé 😀\"",
            "[]",
            "[1, [2, [3, []]], {}]",
            r#"{"a": 1, "b": [true, null, "x"], "c": {"d": -1.5}}"#,
            "\n\t\r {\"k\" : \"v\" } \n",
        ] {
            same_as_serde(text);
        }
    }

    #[test]
    fn numbers_are_what_json_parse_gives() {
        assert_eq!(parse("3").ok(), Some(json!(3)));
        assert_eq!(parse("3.0").ok(), Some(json!(3)), "whole: an integer");
        assert_eq!(parse("-0").ok(), Some(json!(0)));
        assert_eq!(parse("1e2").ok(), Some(json!(100)));
        assert_eq!(parse("0.5").ok(), Some(json!(0.5)));
        assert_eq!(parse("1e400").ok(), Some(Value::Null), "Infinity");
        assert_eq!(
            parse("18446744073709551616").ok(),
            Some(json!(18446744073709551616.0))
        );
    }

    #[test]
    fn keys_repeat_as_in_js_and_keep_document_order() {
        let v = parse(r#"{"b": 1, "a": 2, "b": 3}"#).expect("reads");
        assert_eq!(v, json!({"b": 3, "a": 2}));
        let keys: Vec<&String> = v
            .as_object()
            .map(|m| m.keys().collect())
            .unwrap_or_default();
        assert_eq!(keys, ["b", "a"]);
    }

    #[test]
    fn lone_surrogates_read_as_replacement_characters() {
        assert_eq!(parse(r#""\ud800""#).ok(), Some(json!("\u{fffd}")));
        assert_eq!(parse(r#""\udc00x""#).ok(), Some(json!("\u{fffd}x")));
        assert_eq!(
            parse(r#""\ud800\u0041""#).ok(),
            Some(json!("\u{fffd}A")),
            "a high surrogate before a non-surrogate escape"
        );
    }

    #[test]
    fn refuses_what_json_parse_refuses() {
        for text in [
            "",
            " ",
            "nul",
            "truex",
            "01",
            "-",
            "+1",
            "1.",
            ".5",
            "1e",
            "1e+",
            "NaN",
            "Infinity",
            "0x10",
            "'a'",
            r#""unterminated"#,
            "\"tab\there\"",
            r#""\x""#,
            r#""\u12""#,
            r#""\u12g4""#,
            "[1,]",
            "[1 2]",
            "{\"a\" 1}",
            "{\"a\": 1,}",
            "{a: 1}",
            "{\"a\": 1} x",
            "[",
            "{",
            "\u{feff}{}",
        ] {
            assert!(parse(text).is_err(), "{text:?} must be refused");
        }
    }

    #[test]
    fn errors_say_where() {
        assert_eq!(
            parse("[1, x]").err().as_deref(),
            Some("JSON: unexpected character at byte 4")
        );
    }

    #[test]
    fn nesting_is_limited() {
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(&ok).is_ok());
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert_eq!(
            parse(&deep).err().as_deref(),
            Some("JSON: nested too deeply at byte 128")
        );
        let objects = "{\"a\":".repeat(100_000);
        assert!(parse(&objects).is_err(), "no stack overflow");
    }
}
