//! A lean reader for the attributes object when it arrives as JSON text
//! (from the browser: `JSON.stringify` once per pass). A
//! [`ConditionSet`](super::ConditionSet) knows which top-level attributes
//! its conditions name, so this reads only those: strings without escapes,
//! numbers, booleans and `null` are taken straight from the text without
//! allocating, nested objects and arrays (and escaped strings) are handed to
//! serde_json, and every other member is skipped over. Building the whole
//! `serde_json::Value` tree (a hashed map entry and a heap string per
//! attribute) cost more than evaluating 200 audiences.
//!
//! Skipped members are scanned for their extent, not validated; the text is
//! expected to come from `JSON.stringify` or serde_json.

/// A wanted member's value, as found in the text.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Raw<'j> {
    Null,
    Bool(bool),
    Num(f64),
    /// A string without escapes, borrowed from the text (quotes stripped).
    Str(&'j str),
    /// Anything else (object, array, escaped string) as its JSON text.
    Text(&'j str),
}

struct Scanner<'j> {
    text: &'j str,
    at: usize,
}

type Scan<T> = Result<T, String>;

impl<'j> Scanner<'j> {
    #[inline(always)]
    fn bytes(&self) -> &'j [u8] {
        self.text.as_bytes()
    }

    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.at).copied()
    }

    #[inline(always)]
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn expect(&mut self, b: u8) -> Scan<()> {
        self.ws();
        if self.peek() == Some(b) {
            self.at += 1;
            Ok(())
        } else {
            Err(format!("expected '{}' at byte {}", b as char, self.at))
        }
    }

    /// A string starting at the cursor: its span including quotes, and
    /// whether it has escapes.
    fn string(&mut self) -> Scan<(usize, usize, bool)> {
        let start = self.at;
        self.at += 1;
        let mut escaped = false;
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok((start, self.at, escaped));
                }
                Some(b'\\') => {
                    escaped = true;
                    self.at += 2;
                }
                Some(c) if c < 0x20 => {
                    return Err(format!("control character in string at byte {}", self.at))
                }
                Some(_) => self.at += 1,
                None => return Err("unterminated string".into()),
            }
        }
    }

    /// Moves past one value; returns its span.
    fn skip_value(&mut self) -> Scan<(usize, usize)> {
        self.ws();
        let start = self.at;
        match self.peek() {
            Some(b'"') => {
                self.string()?;
            }
            Some(b'{' | b'[') => {
                let mut depth = 0usize;
                loop {
                    match self.peek() {
                        Some(b'"') => {
                            self.string()?;
                            continue;
                        }
                        Some(b'{' | b'[') => depth += 1,
                        Some(b'}' | b']') => {
                            depth -= 1;
                            if depth == 0 {
                                self.at += 1;
                                break;
                            }
                        }
                        Some(_) => {}
                        None => return Err("unterminated object or array".into()),
                    }
                    self.at += 1;
                }
            }
            Some(_) => {
                while !matches!(
                    self.peek(),
                    None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                ) {
                    self.at += 1;
                }
                if self.at == start {
                    return Err(format!("expected a value at byte {start}"));
                }
            }
            None => return Err("unexpected end of JSON".into()),
        }
        Ok((start, self.at))
    }
}

fn classify<'j>(text: &'j str) -> Scan<Raw<'j>> {
    Ok(match text.as_bytes().first() {
        Some(b'"') if !text.contains('\\') => Raw::Str(&text[1..text.len() - 1]),
        Some(b'"' | b'{' | b'[') => Raw::Text(text),
        _ if text == "null" => Raw::Null,
        _ if text == "true" => Raw::Bool(true),
        _ if text == "false" => Raw::Bool(false),
        // serde_json's number grammar and float parser, as for any JSON.
        _ => Raw::Num(serde_json::from_str::<f64>(text).map_err(|e| e.to_string())?),
    })
}

/// Reads the top-level members of an attributes object, calling `found`
/// for each one whose (unescaped) key `wanted` accepts, in text order (so a
/// repeated key's last value wins, as with `JSON.parse`). Returns
/// `Ok(false)` if the text is not an object at all (the caller then parses
/// it whole).
pub(crate) fn read_members<'j, W, F>(text: &'j str, wanted: W, mut found: F) -> Scan<bool>
where
    W: Fn(&str) -> bool,
    F: FnMut(&str, Raw<'j>),
{
    let mut s = Scanner { text, at: 0 };
    s.ws();
    if s.peek() != Some(b'{') {
        return Ok(false);
    }
    s.at += 1;
    s.ws();
    if s.peek() == Some(b'}') {
        s.at += 1;
    } else {
        loop {
            s.ws();
            if s.peek() != Some(b'"') {
                return Err(format!("expected a key at byte {}", s.at));
            }
            let (ks, ke, escaped) = s.string()?;
            s.expect(b':')?;
            let (vs, ve) = s.skip_value()?;
            let key_text = &text[ks..ke];
            let unescaped;
            let key = if escaped {
                unescaped = serde_json::from_str::<String>(key_text).map_err(|e| e.to_string())?;
                unescaped.as_str()
            } else {
                &key_text[1..key_text.len() - 1]
            };
            if wanted(key) {
                found(key, classify(&text[vs..ve])?);
            }
            s.ws();
            match s.peek() {
                Some(b',') => s.at += 1,
                Some(b'}') => {
                    s.at += 1;
                    break;
                }
                _ => return Err(format!("expected ',' or '}}' at byte {}", s.at)),
            }
        }
    }
    s.ws();
    if s.at != text.len() {
        return Err(format!("trailing characters at byte {}", s.at));
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wanted_members_and_skips_the_rest() {
        let text = r#" {"a": "x", "skip": {"b": [1, "}", {"c": "]"}]}, "n": -1.5e3, "t": true, "z": null,
            "e\u0073c": "q\"", "o": {"k": [1]}, "a": "last"} "#;
        let mut got = Vec::new();
        let ok =
            read_members(text, |k| k != "skip", |k, v| got.push(format!("{k}={v:?}"))).unwrap();
        assert!(ok);
        assert_eq!(
            got,
            [
                "a=Str(\"x\")",
                "n=Num(-1500.0)",
                "t=Bool(true)",
                "z=Null",
                "esc=Text(\"\\\"q\\\\\\\"\\\"\")",
                "o=Text(\"{\\\"k\\\": [1]}\")",
                "a=Str(\"last\")"
            ]
        );
        assert_eq!(read_members("[1]", |_| true, |_, _| {}), Ok(false));
        assert!(read_members(r#"{"a": 1"#, |_| true, |_, _| {}).is_err());
        assert!(read_members(r#"{"a": 1} x"#, |_| true, |_, _| {}).is_err());
        assert!(read_members(r#"{"a": nul}"#, |_| true, |_, _| {}).is_err());
        assert_eq!(read_members(" {} ", |_| true, |_, _| {}), Ok(true));
    }
}
