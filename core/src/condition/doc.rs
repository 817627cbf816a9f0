//! Attributes read from JSON text into a flat tape, for
//! [`ConditionSet`](super::ConditionSet) passes: every value is one 16-byte
//! [`Node`] in a `Vec` that is cleared, not freed, between passes, strings
//! without escapes stay in the text, and an array or object records where
//! its last descendant ends so a walk can step over it. Building
//! `serde_json::Value`s instead (a heap map per object, a heap string per
//! string, all freed again) cost more than evaluating 200 audiences.
//!
//! The top-level reader parses only the members the conditions name and
//! scans over the others for their extent without validating them; the
//! text is expected to come from `JSON.stringify` or serde_json. What it
//! does parse follows JSON's grammar strictly.

use super::js::{Arr, Obj, Tree, Val};

/// One JSON value on the tape.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Node {
    Null,
    Bool(bool),
    Num(f64),
    /// A string without escapes: `text[at..at + len]`.
    Str {
        at: u32,
        len: u32,
    },
    /// An unescaped string kept in the tape's pool: `pool[at..at + len]`.
    Esc {
        at: u32,
        len: u32,
    },
    /// `len` elements follow; `end` is the index after the last descendant.
    Arr {
        len: u32,
        end: u32,
    },
    /// `len` members follow, each a key node then its value (a repeated
    /// key is kept each time; readers take the last value, in the first
    /// one's place, as `JSON.parse` does).
    Obj {
        len: u32,
        end: u32,
    },
}

/// Deepest nesting accepted (serde_json's limit too), so hostile input
/// cannot exhaust the stack.
const MAX_DEPTH: u32 = 128;

/// The reusable buffers a tape is built in.
#[derive(Debug, Default, Clone)]
pub(crate) struct Tape {
    nodes: Vec<Node>,
    /// Strings that had escapes, unescaped.
    pool: String,
}

/// A built tape with the text its strings point into.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Doc<'a> {
    nodes: &'a [Node],
    text: &'a str,
    pool: &'a str,
}

type Scan<T> = Result<T, String>;

impl Tape {
    /// Empties the tape, keeping its capacity.
    pub(crate) fn clear(&mut self) {
        self.nodes.clear();
        self.pool.clear();
    }

    /// The tape as built from `text`.
    pub(crate) fn doc<'a>(&'a self, text: &'a str) -> Doc<'a> {
        Doc {
            nodes: &self.nodes,
            text,
            pool: &self.pool,
        }
    }

    /// Parses a whole JSON document; returns its root node.
    pub(crate) fn parse_document(&mut self, text: &str) -> Scan<u32> {
        let mut r = Reader { text, at: 0 };
        let root = self.value(&mut r, 0)?;
        r.ws();
        if r.at != text.len() {
            return Err(format!("trailing characters at byte {}", r.at));
        }
        Ok(root)
    }

    /// Reads the top-level members of an attributes object, parsing onto
    /// the tape the value of each member whose (unescaped) key `wanted`
    /// accepts and calling `found` with it, in text order (so a repeated
    /// key's last value comes last, as `JSON.parse` keeps it). Returns
    /// `Ok(false)` if the text is not an object (the caller then parses it
    /// whole).
    pub(crate) fn read_members<W, F>(&mut self, text: &str, wanted: W, mut found: F) -> Scan<bool>
    where
        W: Fn(&str) -> Option<u32>,
        F: FnMut(u32, u32),
    {
        let mut r = Reader { text, at: 0 };
        r.ws();
        if r.peek() != Some(b'{') {
            return Ok(false);
        }
        r.at += 1;
        r.list(b'}', |r| {
            let (ks, ke, escaped) = r.key()?;
            let unescaped;
            let key = if escaped {
                unescaped =
                    serde_json::from_str::<String>(&text[ks..ke]).map_err(|e| e.to_string())?;
                unescaped.as_str()
            } else {
                &text[ks + 1..ke - 1]
            };
            match wanted(key) {
                Some(tag) => {
                    let node = self.value(r, 1)?;
                    found(tag, node);
                    Ok(())
                }
                None => r.skip_value(),
            }
        })?;
        r.ws();
        if r.at != text.len() {
            return Err(format!("trailing characters at byte {}", r.at));
        }
        Ok(true)
    }

    /// Decodes attributes packed by JavaScript (see [`packed`]). In
    /// members form, calls `found` with the number and node of each member
    /// present and returns `None`; in whole form (the writer's choice when
    /// the set reads the whole object or the attributes are not an object)
    /// returns the node of the whole value. `members` is how many members
    /// the set reads; `Err` if it needs the whole value and got members.
    pub(crate) fn read_packed(
        &mut self,
        words: &[f64],
        strings: &str,
        members: Option<u32>,
        mut found: impl FnMut(u32, u32),
    ) -> Scan<Option<u32>> {
        let mut p = Packed {
            words,
            strings: strings.len(),
            at: 0,
            str_at: 0,
        };
        let root = match (p.word()?, members) {
            (packed::WHOLE, _) => Some(self.packed_value(&mut p, 0)?),
            (packed::MEMBERS, Some(members)) => {
                for member in 0..members {
                    if p.peek() == Some(packed::ABSENT) {
                        p.at += 1;
                    } else {
                        let node = self.packed_value(&mut p, 1)?;
                        found(member, node);
                    }
                }
                None
            }
            (packed::MEMBERS, None) => {
                return Err("these conditions read the whole object: pack it whole".into())
            }
            (mode, _) => return Err(format!("unknown packed form {mode}")),
        };
        if p.at != words.len() || p.str_at != strings.len() {
            return Err("packed attributes have trailing data".into());
        }
        Ok(root)
    }

    fn packed_value(&mut self, p: &mut Packed, depth: u32) -> Scan<u32> {
        let tag = p.word()?;
        Ok(match tag {
            packed::NULL => self.push(Node::Null),
            packed::FALSE => self.push(Node::Bool(false)),
            packed::TRUE => self.push(Node::Bool(true)),
            packed::NUM => {
                let n = p.words.get(p.at).copied().ok_or("packed number missing")?;
                p.at += 1;
                self.push(Node::Num(n))
            }
            packed::STR => {
                let node = p.string()?;
                self.push(node)
            }
            packed::ARR | packed::OBJ => {
                if depth >= MAX_DEPTH {
                    return Err(format!("nesting deeper than {MAX_DEPTH}"));
                }
                let len = p.word()?;
                let me = self.push(Node::Null);
                for _ in 0..len {
                    if tag == packed::OBJ {
                        if p.word()? != packed::STR {
                            return Err("packed object key is not a string".into());
                        }
                        let key = p.string()?;
                        self.push(key);
                    }
                    self.packed_value(p, depth + 1)?;
                }
                let end = self.nodes.len() as u32;
                self.nodes[me as usize] = if tag == packed::OBJ {
                    Node::Obj { len, end }
                } else {
                    Node::Arr { len, end }
                };
                me
            }
            _ => return Err(format!("unknown packed tag {tag}")),
        })
    }

    #[inline(always)]
    fn push(&mut self, n: Node) -> u32 {
        self.nodes.push(n);
        (self.nodes.len() - 1) as u32
    }

    /// Parses one value at the cursor onto the tape; returns its index.
    fn value(&mut self, r: &mut Reader, depth: u32) -> Scan<u32> {
        r.ws();
        let start = r.at;
        Ok(match r.peek() {
            Some(b'"') => {
                let span = r.string()?;
                let node = self.string_node(r.text, span)?;
                self.push(node)
            }
            Some(b'{') => self.container(r, depth + 1, true)?,
            Some(b'[') => self.container(r, depth + 1, false)?,
            Some(b't') => self.word(r, "true", Node::Bool(true))?,
            Some(b'f') => self.word(r, "false", Node::Bool(false))?,
            Some(b'n') => self.word(r, "null", Node::Null)?,
            Some(b'-' | b'0'..=b'9') => {
                let n = r.number()?;
                self.push(Node::Num(n))
            }
            _ => return Err(format!("expected a value at byte {start}")),
        })
    }

    fn word(&mut self, r: &mut Reader, w: &str, node: Node) -> Scan<u32> {
        if r.text.as_bytes()[r.at..].starts_with(w.as_bytes()) {
            r.at += w.len();
            Ok(self.push(node))
        } else {
            Err(format!("expected a value at byte {}", r.at))
        }
    }

    /// The node of the string with span `(s, e, escaped)` (quotes
    /// included) in `text`.
    fn string_node(&mut self, text: &str, (s, e, escaped): (usize, usize, bool)) -> Scan<Node> {
        if !escaped {
            return Ok(Node::Str {
                at: (s + 1) as u32,
                len: (e - s - 2) as u32,
            });
        }
        // Rare: serde_json's unescaping (it refuses lone surrogates, which a
        // Rust string cannot hold).
        let owned = serde_json::from_str::<String>(&text[s..e]).map_err(|e| e.to_string())?;
        let at = self.pool.len() as u32;
        self.pool.push_str(&owned);
        Ok(Node::Esc {
            at,
            len: owned.len() as u32,
        })
    }

    fn check_depth(depth: u32, r: &Reader) -> Scan<()> {
        if depth > MAX_DEPTH {
            Err(format!("nesting deeper than {MAX_DEPTH} at byte {}", r.at))
        } else {
            Ok(())
        }
    }

    /// An array or object at the cursor (its opening bracket), with its
    /// node's length and end filled in once its items are on the tape.
    fn container(&mut self, r: &mut Reader, depth: u32, object: bool) -> Scan<u32> {
        Self::check_depth(depth, r)?;
        r.at += 1;
        let me = self.push(Node::Null);
        let len = if object {
            r.list(b'}', |r| {
                let key = r.key()?;
                let key = self.string_node(r.text, key)?;
                self.push(key);
                self.value(r, depth).map(drop)
            })?
        } else {
            r.list(b']', |r| self.value(r, depth).map(drop))?
        };
        let end = self.nodes.len() as u32;
        self.nodes[me as usize] = if object {
            Node::Obj { len, end }
        } else {
            Node::Arr { len, end }
        };
        Ok(me)
    }
}

/// The binary form in which JavaScript hands attributes over without
/// `JSON.stringify` (`benches/rules-pack.mjs` writes it): a sequence of
/// doubles holding tags, counts and numbers, and the UTF-8 of every string
/// one after the other. It starts with `MEMBERS`, then one item per member
/// the set reads (in [`ConditionSet::attribute_names`] order) or `ABSENT`
/// for a member the object does not have; or with `WHOLE`, then one item:
/// the whole attribute value. An item is `NULL`, `FALSE`, `TRUE`, `NUM x`,
/// `STR n` (the next `n` bytes of the strings), `ARR n` and `n` items, or
/// `OBJ n` and `n` pairs of `STR` key and item. The values are what
/// `JSON.parse(JSON.stringify(attributes))` would hold.
///
/// [`ConditionSet::attribute_names`]: super::ConditionSet::attribute_names
pub(crate) mod packed {
    pub(crate) const MEMBERS: u32 = 8;
    pub(crate) const WHOLE: u32 = 9;
    pub(crate) const ABSENT: u32 = 0;
    pub(crate) const NULL: u32 = 1;
    pub(crate) const FALSE: u32 = 2;
    pub(crate) const TRUE: u32 = 3;
    pub(crate) const NUM: u32 = 4;
    pub(crate) const STR: u32 = 5;
    pub(crate) const ARR: u32 = 6;
    pub(crate) const OBJ: u32 = 7;
}

/// Writes `attributes` in the packed form: the members `names` lists, or
/// the whole value when `names` is `None` or the attributes are not an
/// object. The Rust counterpart of `benches/rules-pack.mjs`, for native
/// callers, tests and benchmarks.
pub(crate) fn pack(names: Option<&[&str]>, attributes: &serde_json::Value) -> (Vec<f64>, Vec<u8>) {
    use serde_json::Value;
    fn string(s: &str, words: &mut Vec<f64>, bytes: &mut Vec<u8>) {
        words.extend([f64::from(packed::STR), s.len() as f64]);
        bytes.extend_from_slice(s.as_bytes());
    }
    fn item(v: &Value, words: &mut Vec<f64>, bytes: &mut Vec<u8>) {
        match v {
            Value::Null => words.push(f64::from(packed::NULL)),
            Value::Bool(false) => words.push(f64::from(packed::FALSE)),
            Value::Bool(true) => words.push(f64::from(packed::TRUE)),
            Value::Number(n) => words.extend([f64::from(packed::NUM), super::js::num_of(n)]),
            Value::String(s) => string(s, words, bytes),
            Value::Array(a) => {
                words.extend([f64::from(packed::ARR), a.len() as f64]);
                a.iter().for_each(|e| item(e, words, bytes));
            }
            Value::Object(m) => {
                words.extend([f64::from(packed::OBJ), m.len() as f64]);
                for (k, e) in m {
                    string(k, words, bytes);
                    item(e, words, bytes);
                }
            }
        }
    }
    let (mut words, mut bytes) = (Vec::new(), Vec::new());
    match (names, attributes) {
        (Some(names), Value::Object(m)) => {
            words.push(f64::from(packed::MEMBERS));
            for name in names {
                match m.get(*name) {
                    Some(v) => item(v, &mut words, &mut bytes),
                    None => words.push(f64::from(packed::ABSENT)),
                }
            }
        }
        _ => {
            words.push(f64::from(packed::WHOLE));
            item(attributes, &mut words, &mut bytes);
        }
    }
    (words, bytes)
}

/// A cursor over packed attributes.
struct Packed<'w> {
    words: &'w [f64],
    /// Length of the strings' text.
    strings: usize,
    at: usize,
    /// Where the next string starts in the strings' text.
    str_at: usize,
}

impl Packed<'_> {
    /// The next word as a tag or count: a whole number below 2^32.
    #[inline(always)]
    fn peek(&self) -> Option<u32> {
        let w = *self.words.get(self.at)?;
        // `as` saturates (NaN gives 0), so converting back tells whether
        // the word was exactly that whole number.
        let n = w as u32;
        (f64::from(n) == w).then_some(n)
    }

    #[inline(always)]
    fn word(&mut self) -> Scan<u32> {
        let w = self
            .peek()
            .ok_or("packed attributes end early or hold a bad tag")?;
        self.at += 1;
        Ok(w)
    }

    /// A string's node after its `STR` tag.
    #[inline(always)]
    fn string(&mut self) -> Scan<Node> {
        let len = self.word()? as usize;
        let at = self.str_at;
        if at + len > self.strings {
            return Err("packed string runs past the strings".into());
        }
        self.str_at += len;
        Ok(Node::Str {
            at: at as u32,
            len: len as u32,
        })
    }
}

/// A cursor over JSON text.
struct Reader<'j> {
    text: &'j str,
    at: usize,
}

impl Reader<'_> {
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    #[inline(always)]
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// The items of an array or object after its opening bracket, up to
    /// `close`, each read by `item` with the commas between them checked
    /// here; returns how many.
    fn list(&mut self, close: u8, mut item: impl FnMut(&mut Self) -> Scan<()>) -> Scan<u32> {
        let mut n = 0;
        self.ws();
        if self.peek() == Some(close) {
            self.at += 1;
            return Ok(0);
        }
        loop {
            item(self)?;
            n += 1;
            self.ws();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(c) if c == close => {
                    self.at += 1;
                    return Ok(n);
                }
                _ => {
                    return Err(format!(
                        "expected ',' or '{}' at byte {}",
                        close as char, self.at
                    ))
                }
            }
        }
    }

    /// A member's key and the colon after it: the key's span with quotes,
    /// and whether it has escapes.
    fn key(&mut self) -> Scan<(usize, usize, bool)> {
        self.ws();
        if self.peek() != Some(b'"') {
            return Err(format!("expected a key at byte {}", self.at));
        }
        let span = self.string()?;
        self.expect(b':')?;
        Ok(span)
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
    /// whether it has escapes. Eight bytes at a time, jumping straight to
    /// the first quote, backslash or control character among them.
    fn string(&mut self) -> Scan<(usize, usize, bool)> {
        let start = self.at;
        let bytes = self.text.as_bytes();
        let mut i = start + 1;
        let mut escaped = false;
        loop {
            if let Some(chunk) = bytes.get(i..i + 8) {
                let mut w = [0u8; 8];
                w.copy_from_slice(chunk);
                let m = special(u64::from_le_bytes(w));
                if m == 0 {
                    i += 8;
                    continue;
                }
                i += (m.trailing_zeros() / 8) as usize;
            }
            match bytes.get(i) {
                Some(b'"') => {
                    self.at = i + 1;
                    return Ok((start, self.at, escaped));
                }
                Some(b'\\') => {
                    escaped = true;
                    i += 2;
                }
                Some(c) if *c < 0x20 => {
                    return Err(format!("control character in string at byte {i}"))
                }
                Some(_) => i += 1,
                None => return Err("unterminated string".into()),
            }
        }
    }

    /// JSON's number grammar, and the double `JSON.parse` gives for it.
    fn number(&mut self) -> Scan<f64> {
        let b = self.text.as_bytes();
        let start = self.at;
        let mut i = start;
        let neg = b.get(i) == Some(&b'-');
        i += usize::from(neg);
        let digits = |i: &mut usize| {
            let from = *i;
            while b.get(*i).is_some_and(u8::is_ascii_digit) {
                *i += 1;
            }
            *i - from
        };
        let int_start = i;
        let int = digits(&mut i);
        if int == 0 || (int > 1 && b[int_start] == b'0') {
            return Err(format!("invalid number at byte {start}"));
        }
        let mut frac = 0;
        if b.get(i) == Some(&b'.') {
            i += 1;
            frac = digits(&mut i);
            if frac == 0 {
                return Err(format!("invalid number at byte {start}"));
            }
        }
        let mut exp = false;
        if matches!(b.get(i), Some(b'e' | b'E')) {
            exp = true;
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if digits(&mut i) == 0 {
                return Err(format!("invalid number at byte {start}"));
            }
        }
        self.at = i;
        // At most 15 digits fit a double exactly, and so does 10^frac up to
        // 10^22: one correctly rounded division is then the exact answer.
        if !exp && int + frac <= 15 {
            let mut m = 0u64;
            for &c in &b[int_start..i] {
                if c != b'.' {
                    m = m * 10 + u64::from(c - b'0');
                }
            }
            let v = m as f64 / POW10[frac];
            return Ok(if neg { -v } else { v });
        }
        let text = &self.text[start..i];
        serde_json::from_str::<f64>(text).map_err(|e| format!("{e} in number at byte {start}"))
    }

    /// Moves past one value without parsing it.
    fn skip_value(&mut self) -> Scan<()> {
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
        Ok(())
    }
}

/// The high bit of each of the eight bytes in `w` that is a quote, a
/// backslash or below 0x20, exact up to the first such byte (the classic
/// has-zero-byte test on `w` XOR each of those bytes; later bytes can be
/// flagged spuriously by a borrow, which only costs a look at them).
#[inline(always)]
fn special(w: u64) -> u64 {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let zero = |x: u64| x.wrapping_sub(LO) & !x & HI;
    let quote = zero(w ^ (LO * u64::from(b'"')));
    let backslash = zero(w ^ (LO * u64::from(b'\\')));
    // Bytes below 0x20: subtracting 0x20 borrows into the high bit.
    let control = w.wrapping_sub(LO * 0x20) & !w & HI;
    quote | backslash | control
}

const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

impl<'a> Doc<'a> {
    /// The index after the value at `i` and all its descendants.
    #[inline]
    fn next(&self, i: u32) -> u32 {
        match self.nodes.get(i as usize) {
            Some(Node::Arr { end, .. } | Node::Obj { end, .. }) => *end,
            _ => i + 1,
        }
    }

    #[inline]
    fn str_at(&self, i: u32) -> &str {
        let (src, at, len) = match self.nodes.get(i as usize) {
            Some(Node::Str { at, len }) => (self.text, *at, *len),
            Some(Node::Esc { at, len }) => (self.pool, *at, *len),
            _ => return "",
        };
        src.get(at as usize..(at + len) as usize).unwrap_or("")
    }

    /// The value at node `i`.
    #[inline]
    pub(crate) fn val(&self, i: u32) -> Val<'_> {
        match self.nodes.get(i as usize) {
            None | Some(Node::Null) => Val::Null,
            Some(Node::Bool(b)) => Val::Bool(*b),
            Some(Node::Num(n)) => Val::Num(*n),
            Some(Node::Str { .. } | Node::Esc { .. }) => Val::Str(self.str_at(i)),
            Some(Node::Arr { .. }) => Val::Arr(Arr::Tree(self, i)),
            Some(Node::Obj { .. }) => Val::Obj(Obj::Tree(self, i)),
        }
    }
}

impl Tree for Doc<'_> {
    #[inline]
    fn len(&self, at: u32) -> usize {
        match self.nodes.get(at as usize) {
            Some(Node::Arr { len, .. } | Node::Obj { len, .. }) => *len as usize,
            _ => 0,
        }
    }

    #[inline]
    fn element<'a>(&'a self, cursor: u32) -> (Val<'a>, u32) {
        (self.val(cursor), self.next(cursor))
    }

    #[inline]
    fn member<'a>(&'a self, cursor: u32) -> (&'a str, Val<'a>, u32) {
        let value = cursor + 1;
        (self.str_at(cursor), self.val(value), self.next(value))
    }

    fn index<'a>(&'a self, at: u32, index: usize) -> Option<Val<'a>> {
        if index >= self.len(at) {
            return None;
        }
        let mut cursor = at + 1;
        for _ in 0..index {
            cursor = self.next(cursor);
        }
        Some(self.val(cursor))
    }

    fn get<'a>(&'a self, at: u32, key: &str) -> Option<Val<'a>> {
        let (mut cursor, mut found) = (at + 1, None);
        for _ in 0..self.len(at) {
            let value = cursor + 1;
            if self.str_at(cursor) == key {
                found = Some(value);
            }
            cursor = self.next(value);
        }
        found.map(|v| self.val(v))
    }
}

#[cfg(test)]
mod tests {
    use super::super::js::show;
    use super::*;

    fn parse(text: &str) -> String {
        let mut t = Tape::default();
        let root = t.parse_document(text).unwrap();
        let doc = t.doc(text);
        show(doc.val(root))
    }

    #[test]
    fn parses_json_onto_the_tape() {
        assert_eq!(
            parse(
                r#" {"a": [1, -2.5, 1e3, 0.1, 123456789012345678, true, null], "b": {"c": "x\"y"}, "d": {}, "e": []} "#
            ),
            r#"{"a":[1,-2.5,1000,0.1,123456789012345680,true,null],"b":{"c":"x\"y"},"d":{},"e":[]}"#
        );
        assert_eq!(parse(r#"{"k": 1, "k": 2, "j": 3}"#), r#"{"k":2,"j":3}"#);
        let mut t = Tape::default();
        for bad in [
            "[1,]",
            "{\"a\" 1}",
            "01",
            "1.",
            "-",
            "[1 2]",
            "tru",
            "\"a",
            "[1] x",
            "\"\\ud800\"",
        ] {
            t.clear();
            assert!(t.parse_document(bad).is_err(), "{bad}");
        }
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(t.parse_document(&deep).is_err());
    }

    #[test]
    fn reads_packed_attributes_and_refuses_malformed_ones() {
        // WHOLE {"a": [1, "xy", {"k": true}], "b": null}
        let words = [
            9.0, 7.0, 2.0, 5.0, 1.0, 6.0, 3.0, 4.0, 1.0, 5.0, 2.0, 7.0, 1.0, 5.0, 1.0, 3.0, 5.0,
            1.0, 1.0,
        ];
        let strings = "axykb";
        let mut t = Tape::default();
        let root = t.read_packed(&words, strings, None, |_, _| {}).unwrap();
        let shown = show(t.doc(strings).val(root.unwrap()));
        assert_eq!(shown, r#"{"a":[1,"xy",{"k":true}],"b":null}"#);
        // MEMBERS: the second of three members absent.
        let mut t = Tape::default();
        let mut got = Vec::new();
        let root = t
            .read_packed(&[8.0, 4.0, 2.5, 0.0, 3.0], "", Some(3), |m, n| {
                got.push((m, n))
            })
            .unwrap();
        assert_eq!((root, got.len(), got[1].0), (None, 2, 2));
        for (words, strings, members) in [
            (&[9.0, 6.0, 2.0, 1.0][..], "", None),      // ends early
            (&[9.0, 1.5][..], "", None),                // not a tag
            (&[9.0, f64::NAN][..], "", None),           // not a tag
            (&[9.0, 42.0][..], "", None),               // unknown tag
            (&[9.0, 5.0, 4.0][..], "abc", None),        // string past the end
            (&[9.0, 1.0, 1.0][..], "", None),           // trailing item
            (&[9.0, 1.0][..], "x", None),               // trailing string
            (&[9.0, 7.0, 1.0, 1.0, 1.0][..], "", None), // key not a string
            (&[8.0, 1.0][..], "", None),                // members, whole wanted
            (&[8.0][..], "", Some(1)),                  // member missing
            (&[3.0][..], "", Some(0)),                  // no form
        ] {
            let mut t = Tape::default();
            assert!(
                t.read_packed(words, strings, members, |_, _| {}).is_err(),
                "{words:?}"
            );
        }
        let mut deep = vec![9.0];
        for _ in 0..200 {
            deep.extend([6.0, 1.0]);
        }
        deep.push(1.0);
        assert!(Tape::default()
            .read_packed(&deep, "", None, |_, _| {})
            .is_err());
    }

    #[test]
    fn reads_wanted_members_and_skips_the_rest() {
        let text = r#" {"a": "x", "skip": {"b": [1, "}", {"c": "]"}]}, "n": -1.5e3, "t": true, "z": null,
            "e\u0073c": "q\"", "o": {"k": [1]}, "a": "last"} "#;
        let mut t = Tape::default();
        let mut got = Vec::new();
        let ok = t
            .read_members(
                text,
                |k| (k != "skip").then_some(k.len() as u32),
                |tag, n| got.push((tag, n)),
            )
            .unwrap();
        assert!(ok);
        let doc = t.doc(text);
        let shown: Vec<String> = got
            .iter()
            .map(|&(tag, n)| format!("{tag}={}", show(doc.val(n))))
            .collect();
        assert_eq!(
            shown,
            [
                "1=\"x\"",
                "1=-1500",
                "1=true",
                "1=null",
                "3=\"q\\\"\"",
                "1={\"k\":[1]}",
                "1=\"last\""
            ]
        );
        let mut t = Tape::default();
        assert_eq!(t.read_members("[1]", |_| Some(0), |_, _| {}), Ok(false));
        assert!(t
            .read_members(r#"{"a": 1"#, |_| Some(0), |_, _| {})
            .is_err());
        assert!(t
            .read_members(r#"{"a": 1} x"#, |_| Some(0), |_, _| {})
            .is_err());
        assert!(t
            .read_members(r#"{"a": nul}"#, |_| Some(0), |_, _| {})
            .is_err());
        assert_eq!(t.read_members(" {} ", |_| Some(0), |_, _| {}), Ok(true));
    }
}
