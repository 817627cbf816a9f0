//! The few JavaScript value semantics GrowthBook's `evalCondition` leans on:
//! `value + ""`, `value * 1`, `!!value`, `===`, `<`/`<=` with their
//! coercions, `typeof`, `JSON.stringify(a) === JSON.stringify(b)` and UTF-16
//! string order. Each is spelled out here once so the evaluator can say
//! "as JavaScript does" by calling one function, and none of them allocate on
//! the paths real audiences take (strings and numbers); arrays and objects in
//! string contexts are rare and may allocate.

use serde_json::{Map, Value};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt::{self, Write};

/// A value as the evaluator sees it: a borrowed JSON value (from a
/// `serde_json::Value` or a [`Doc`] tape), or one of the few things a
/// JavaScript property lookup can reach that JSON cannot hold (an array's
/// `length`, an inherited built-in method, `Object.prototype`).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Val<'a> {
    /// `null` (also what GrowthBook's `getPath` returns for a missing path).
    Null,
    /// A boolean.
    Bool(bool),
    /// A number (JSON numbers and array lengths).
    Num(f64),
    /// A string.
    Str(&'a str),
    /// An array (also `Array.prototype`, which is an empty array).
    Arr(Arr<'a>),
    /// A plain object.
    Obj(Obj<'a>),
    /// `Object.prototype`, reached through `__proto__`: an empty object.
    ObjProto,
    /// A built-in method reached through an inherited name such as
    /// `toString`; the payload is the function's `name` (`Object` or
    /// `Array` for `constructor`).
    Func(&'static str),
}

/// An array, wherever it was parsed.
#[derive(Clone, Copy)]
pub(crate) enum Arr<'a> {
    Json(&'a [Value]),
    /// The array at this node of a [`Tree`].
    Tree(&'a dyn Tree, u32),
}

/// An object, wherever it was parsed.
#[derive(Clone, Copy)]
pub(crate) enum Obj<'a> {
    Json(&'a Map<String, Value>),
    /// The object at this node of a [`Tree`].
    Tree(&'a dyn Tree, u32),
}

/// Arrays and objects held somewhere other than in `serde_json` values: the
/// flat tape a [`ConditionSet`](super::ConditionSet) pass reads attributes
/// onto (`doc.rs`). Reached through a trait object so that a build which
/// never makes one (the SDK evaluates single conditions on `Value`s) links
/// none of its code, only an indirect call in each place that could meet
/// one.
pub(crate) trait Tree: Sync {
    /// How many elements or members the container at node `at` has; its
    /// first item's cursor is `at + 1`.
    fn len(&self, at: u32) -> usize;
    /// The array element at `cursor`, and the cursor after it.
    fn element<'a>(&'a self, cursor: u32) -> (Val<'a>, u32);
    /// The object member at `cursor` (key and value), and the cursor after
    /// it.
    fn member<'a>(&'a self, cursor: u32) -> (&'a str, Val<'a>, u32);
    /// Element `index` of the array at `at`.
    fn index<'a>(&'a self, at: u32, index: usize) -> Option<Val<'a>>;
    /// The value of the object at `at` under `key` (the last, if repeated).
    fn get<'a>(&'a self, at: u32, key: &str) -> Option<Val<'a>>;
}

/// Shows the JSON text: a trait object does not carry `Debug` (its vtable
/// would pull the tape's formatting, floats included, into every build).
impl fmt::Debug for Arr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&show(Val::Arr(*self)))
    }
}

impl fmt::Debug for Obj<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&show(Val::Obj(*self)))
    }
}

/// The elements of an [`Arr`].
pub(crate) enum ArrIter<'a> {
    Json(std::slice::Iter<'a, Value>),
    Tree(&'a dyn Tree, u32, usize),
}

impl<'a> Iterator for ArrIter<'a> {
    type Item = Val<'a>;
    #[inline]
    fn next(&mut self) -> Option<Val<'a>> {
        match self {
            ArrIter::Json(it) => it.next().map(Val::from),
            ArrIter::Tree(t, cursor, left) => tree_element(*t, cursor, left),
        }
    }
}

/// A tree array's next element. Kept out of line, like [`tree_member`]:
/// every loop over an array inlines `ArrIter::next`, and a build without
/// trees (the SDK) should carry only a call for them at each.
#[inline(never)]
fn tree_element<'a>(t: &'a dyn Tree, cursor: &mut u32, left: &mut usize) -> Option<Val<'a>> {
    if *left == 0 {
        return None;
    }
    let (v, next) = t.element(*cursor);
    *cursor = next;
    *left -= 1;
    Some(v)
}

/// A tree object's next member (see [`tree_element`]).
#[inline(never)]
fn tree_member<'a>(
    t: &'a dyn Tree,
    cursor: &mut u32,
    left: &mut usize,
) -> Option<(&'a str, Val<'a>)> {
    if *left == 0 {
        return None;
    }
    let (k, v, next) = t.member(*cursor);
    *cursor = next;
    *left -= 1;
    Some((k, v))
}

/// The members of an [`Obj`].
pub(crate) enum ObjIter<'a> {
    Json(serde_json::map::Iter<'a>),
    Tree(&'a dyn Tree, u32, usize),
}

impl<'a> Iterator for ObjIter<'a> {
    type Item = (&'a str, Val<'a>);
    #[inline]
    fn next(&mut self) -> Option<(&'a str, Val<'a>)> {
        match self {
            ObjIter::Json(it) => it.next().map(|(k, v)| (k.as_str(), Val::from(v))),
            ObjIter::Tree(t, cursor, left) => tree_member(*t, cursor, left),
        }
    }
}

/// The start of a tree array's elements (out of line, see
/// [`tree_element`]).
#[inline(never)]
fn tree_iter(t: &dyn Tree, at: u32) -> ArrIter<'_> {
    ArrIter::Tree(t, at + 1, t.len(at))
}

impl<'a> Arr<'a> {
    /// `Array.prototype`: an empty array.
    pub(crate) const EMPTY: Arr<'static> = Arr::Json(&[]);

    #[inline]
    pub(crate) fn len(self) -> usize {
        match self {
            Arr::Json(a) => a.len(),
            Arr::Tree(t, at) => t.len(at),
        }
    }

    #[inline]
    pub(crate) fn get(self, index: usize) -> Option<Val<'a>> {
        match self {
            Arr::Json(a) => a.get(index).map(Val::from),
            Arr::Tree(t, at) => t.index(at, index),
        }
    }

    #[inline]
    pub(crate) fn iter(self) -> ArrIter<'a> {
        match self {
            Arr::Json(a) => ArrIter::Json(a.iter()),
            Arr::Tree(t, at) => tree_iter(t, at),
        }
    }
}

impl<'a> Obj<'a> {
    /// The value under an own key (for a repeated key, the last one, as
    /// `JSON.parse` keeps it).
    #[inline]
    pub(crate) fn get(self, key: &str) -> Option<Val<'a>> {
        match self {
            // Comparing a few short keys is cheaper than hashing the probe
            // with the map's SipHash.
            Obj::Json(map) if map.len() <= 8 => map
                .iter()
                .find_map(|(k, v)| (k == key).then(|| Val::from(v))),
            Obj::Json(map) => map.get(key).map(Val::from),
            Obj::Tree(t, at) => t.get(at, key),
        }
    }

    /// Whether `key` is an own key.
    #[inline]
    pub(crate) fn contains_key(self, key: &str) -> bool {
        match self {
            Obj::Json(map) => map.contains_key(key),
            Obj::Tree(t, at) => t.get(at, key).is_some(),
        }
    }

    /// The own members in text order, a repeated key each time it occurs
    /// (so the last occurrence is the value that counts).
    #[inline]
    pub(crate) fn members(self) -> ObjIter<'a> {
        match self {
            Obj::Json(map) => ObjIter::Json(map.iter()),
            Obj::Tree(t, at) => ObjIter::Tree(t, at + 1, t.len(at)),
        }
    }

    /// The own members as `JSON.stringify` lists them: array-index keys
    /// ascending, then the rest in insertion order, each key once with its
    /// last value (allocates: explanations and object equality only).
    pub(crate) fn entries(self) -> Vec<(&'a str, Val<'a>)> {
        let mut out: Vec<(&'a str, Val<'a>)> = Vec::new();
        for (k, v) in self.members() {
            match out.iter_mut().find(|e| e.0 == k) {
                Some(e) => e.1 = v,
                None => out.push((k, v)),
            }
        }
        // Stable, so keys that are not indices keep their order.
        sort_small(&mut out, |e| array_index(e.0).map_or(u64::MAX, u64::from));
        out
    }
}

impl<'a> From<&'a Value> for Val<'a> {
    #[inline]
    fn from(v: &'a Value) -> Self {
        match v {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(*b),
            Value::Number(n) => Val::Num(num_of(n)),
            Value::String(s) => Val::Str(s),
            Value::Array(a) => Val::Arr(Arr::Json(a)),
            Value::Object(o) => Val::Obj(Obj::Json(o)),
        }
    }
}

/// The f64 `JSON.parse` gives for a JSON number (integers beyond 2^53 round
/// to nearest, ties to even, as `u64 as f64` does).
#[inline]
pub(crate) fn num_of(n: &serde_json::Number) -> f64 {
    n.as_f64().unwrap_or(f64::NAN)
}

impl Val<'_> {
    /// `!!v`.
    pub(crate) fn truthy(self) -> bool {
        match self {
            Val::Null => false,
            Val::Bool(b) => b,
            Val::Num(n) => !(n == 0.0 || n.is_nan()),
            Val::Str(s) => !s.is_empty(),
            Val::Arr(_) | Val::Obj(_) | Val::ObjProto | Val::Func(_) => true,
        }
    }

    /// GrowthBook's `getType`: `typeof` with `null` and `array` split out and
    /// functions reported as `unknown`.
    pub(crate) fn type_name(self) -> &'static str {
        match self {
            Val::Null => "null",
            Val::Bool(_) => "boolean",
            Val::Num(_) => "number",
            Val::Str(_) => "string",
            Val::Arr(_) => "array",
            Val::Obj(_) | Val::ObjProto => "object",
            Val::Func(_) => "unknown",
        }
    }
}

/// A literal from a condition (`$eq`, `$lt`, … arguments), precomputed for
/// both kinds of comparison JavaScript might do with it.
#[derive(Debug, Clone)]
pub(crate) enum Lit {
    Null,
    Bool(bool),
    Num(f64),
    Str(Box<str>),
    /// An array or object: never `===` to anything from the attributes; in
    /// `<` it takes part as its primitive string.
    Ref(Box<str>),
    /// An object (or array holding one) with its own `toString` key, which
    /// JavaScript cannot turn into a primitive: `<` with it throws.
    Unconvertible,
}

impl Lit {
    pub(crate) fn new(v: &Value) -> Lit {
        match v {
            Value::Null => Lit::Null,
            Value::Bool(b) => Lit::Bool(*b),
            Value::Number(n) => Lit::Num(num_of(n)),
            Value::String(s) => Lit::Str(s.as_str().into()),
            Value::Array(_) | Value::Object(_) if coercion_throws(Val::from(v)) => {
                Lit::Unconvertible
            }
            Value::Array(_) | Value::Object(_) => Lit::Ref(to_js_string(Val::from(v)).into()),
        }
    }

    /// `actual === lit`.
    #[inline]
    pub(crate) fn strict_eq(&self, actual: Val) -> bool {
        match (self, actual) {
            (Lit::Null, Val::Null) => true,
            (Lit::Bool(a), Val::Bool(b)) => *a == b,
            (Lit::Num(a), Val::Num(b)) => *a == b,
            (Lit::Str(a), Val::Str(b)) => &**a == b,
            _ => false,
        }
    }

    fn prim(&self) -> Result<Prim<'_>, Throws> {
        Ok(match self {
            Lit::Null => Prim::Null,
            Lit::Bool(b) => Prim::Bool(*b),
            Lit::Num(n) => Prim::Num(*n),
            Lit::Str(s) | Lit::Ref(s) => Prim::Str(Cow::Borrowed(s)),
            Lit::Unconvertible => return Err(Throws),
        })
    }
}

/// A primitive after JavaScript's `ToPrimitive`.
#[derive(Debug)]
pub(crate) enum Prim<'a> {
    Null,
    Bool(bool),
    Num(f64),
    Str(Cow<'a, str>),
}

impl<'a> Prim<'a> {
    pub(crate) fn of(v: Val<'a>) -> Result<Prim<'a>, Throws> {
        Ok(match v {
            Val::Null => Prim::Null,
            Val::Bool(b) => Prim::Bool(b),
            Val::Num(n) => Prim::Num(n),
            Val::Str(s) => Prim::Str(Cow::Borrowed(s)),
            other => Prim::Str(Cow::Owned(to_js_string_checked(other)?)),
        })
    }

    fn to_number(&self) -> f64 {
        match self {
            Prim::Null => 0.0,
            Prim::Bool(b) => f64::from(u8::from(*b)),
            Prim::Num(n) => *n,
            Prim::Str(s) => string_to_number(s),
        }
    }
}

/// JavaScript's `IsLessThan(x, y)`: `None` is its `undefined` (a NaN was
/// involved), which every relational operator turns into `false`.
fn is_less_than(x: &Prim, y: &Prim) -> Option<bool> {
    if let (Prim::Str(a), Prim::Str(b)) = (x, y) {
        return Some(cmp_utf16(a, b) == Ordering::Less);
    }
    let (a, b) = (x.to_number(), y.to_number());
    if a.is_nan() || b.is_nan() {
        None
    } else {
        Some(a < b)
    }
}

/// The four relational operators, as JavaScript spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rel {
    Lt,
    Lte,
    Gt,
    Gte,
}

impl Rel {
    /// `actual <op> expected` with JavaScript's coercions.
    pub(crate) fn test(self, actual: Val, expected: &Lit) -> Result<bool, Throws> {
        // Fast paths for the shapes audiences use; they agree with the
        // general rule below.
        match (actual, expected) {
            (Val::Num(a), Lit::Num(b)) => return Ok(self.num(a, *b)),
            (Val::Str(a), Lit::Str(b)) => return Ok(self.ord(cmp_utf16(a, b))),
            _ => {}
        }
        let (x, y) = (Prim::of(actual)?, expected.prim()?);
        Ok(match self {
            Rel::Lt => is_less_than(&x, &y) == Some(true),
            Rel::Gt => is_less_than(&y, &x) == Some(true),
            Rel::Lte => is_less_than(&y, &x) == Some(false),
            Rel::Gte => is_less_than(&x, &y) == Some(false),
        })
    }

    /// For two numbers.
    #[inline]
    pub(crate) fn num(self, a: f64, b: f64) -> bool {
        match self {
            Rel::Lt => a < b,
            Rel::Lte => a <= b,
            Rel::Gt => a > b,
            Rel::Gte => a >= b,
        }
    }

    /// For strings, where no NaN can occur.
    pub(crate) fn ord(self, o: Ordering) -> bool {
        match self {
            Rel::Lt => o == Ordering::Less,
            Rel::Lte => o != Ordering::Greater,
            Rel::Gt => o == Ordering::Greater,
            Rel::Gte => o != Ordering::Less,
        }
    }
}

/// JavaScript string order: by UTF-16 code unit, which differs from Rust's
/// `str` order for astral characters against U+E000..U+FFFF.
pub(crate) fn cmp_utf16(a: &str, b: &str) -> Ordering {
    let (ab, bb) = (a.as_bytes(), b.as_bytes());
    let common = ab.iter().zip(bb).take_while(|(x, y)| x == y).count();
    if common == ab.len() || common == bb.len() {
        return ab.len().cmp(&bb.len());
    }
    // Back up to the start of the character that differs.
    let mut start = common;
    while !a.is_char_boundary(start) {
        start -= 1;
    }
    let (ca, cb) = (a[start..].chars().next(), b[start..].chars().next());
    match (ca, cb) {
        (Some(x), Some(y)) => utf16_key(x).cmp(&utf16_key(y)),
        _ => ab.len().cmp(&bb.len()),
    }
}

/// A key whose order is the order of a character's UTF-16 code units.
#[inline]
pub(crate) fn utf16_key(c: char) -> u32 {
    let c = c as u32;
    if c < 0x10000 {
        c << 16
    } else {
        let v = c - 0x10000;
        ((0xD800 + (v >> 10)) << 16) | (0xDC00 + (v & 0x3FF))
    }
}

/// `String(v)`, written out.
pub(crate) fn write_js_string<W: Write>(v: Val, w: &mut W) -> fmt::Result {
    match v {
        Val::Null => w.write_str("null"),
        Val::Bool(b) => w.write_str(if b { "true" } else { "false" }),
        Val::Num(n) => write_number(n, w),
        Val::Str(s) => w.write_str(s),
        Val::Arr(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    w.write_char(',')?;
                }
                // Array.prototype.join writes null and undefined as nothing.
                if !matches!(item, Val::Null) {
                    write_js_string(item, w)?;
                }
            }
            Ok(())
        }
        Val::Obj(_) | Val::ObjProto => w.write_str("[object Object]"),
        Val::Func(name) => write!(w, "function {name}() {{ [native code] }}"),
    }
}

/// JavaScript's `TypeError: Cannot convert object to primitive value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Throws;

/// Whether turning `v` into a primitive throws in JavaScript: an object
/// with its *own* `toString` key (never a function in JSON, so both
/// `toString` and the inherited `valueOf` fail to give a primitive), or an
/// array that holds one (`join` converts each element).
pub(crate) fn coercion_throws(v: Val) -> bool {
    match v {
        Val::Obj(m) => m.contains_key("toString"),
        Val::Arr(items) => items
            .iter()
            .any(|i| matches!(i, Val::Arr(_) | Val::Obj(_)) && coercion_throws(i)),
        _ => false,
    }
}

/// `String(v)`, or the `TypeError` JavaScript would throw.
pub(crate) fn to_js_string_checked(v: Val) -> Result<String, Throws> {
    if coercion_throws(v) {
        Err(Throws)
    } else {
        Ok(to_js_string(v))
    }
}

/// `String(v)` as an owned string (only for the rare non-string cases;
/// callers check [`coercion_throws`] first where it matters).
pub(crate) fn to_js_string(v: Val) -> String {
    let mut s = String::new();
    // Writing to a String cannot fail.
    let _ = write_js_string(v, &mut s);
    s
}

/// `String(v)` borrowed when `v` is a string already.
pub(crate) fn js_str(v: Val<'_>) -> Cow<'_, str> {
    match v {
        Val::Str(s) => Cow::Borrowed(s),
        other => Cow::Owned(to_js_string(other)),
    }
}

/// Compares `String(v)` with `target` without building the string.
pub(crate) fn js_string_eq(v: Val, target: &str) -> Result<bool, Throws> {
    if let Val::Str(s) = v {
        return Ok(s == target);
    }
    if coercion_throws(v) {
        return Err(Throws);
    }
    struct Check<'t>(&'t str);
    impl Write for Check<'_> {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            match self.0.strip_prefix(s) {
                Some(rest) => {
                    self.0 = rest;
                    Ok(())
                }
                None => Err(fmt::Error),
            }
        }
    }
    let mut c = Check(target);
    Ok(write_js_string(v, &mut c).is_ok() && c.0.is_empty())
}

/// `Number.prototype.toString()` for a double: natively the shortest
/// digits that round-trip (`ryu` finds the same ones as JavaScript engines)
/// laid out by the ECMAScript rules for when to use an exponent; in the
/// browser the host's own, which keeps float formatting out of the wasm.
///
/// Whole numbers (timestamps, counts: nearly all the SDK writes) are
/// written here, exactly as JavaScript would: each host call also enters
/// the number in V8's number-string caches, and the one for non-small
/// numbers grows by 48 KB of JS heap at its first collision.
#[cfg(target_arch = "wasm32")]
pub(crate) fn write_number<W: Write>(n: f64, w: &mut W) -> fmt::Result {
    // Below 2^53 every whole f64 is an exact i64, and JavaScript writes it
    // in plain digits (up to 1e21); -0 is "0" there too.
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        return write!(w, "{}", n as i64);
    }
    let text = js_sys::Number::from(n)
        .to_string_with_radix(10)
        .map_err(|_| fmt::Error)?;
    w.write_str(&String::from(text))
}

/// See the wasm32 version.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn write_number<W: Write>(n: f64, w: &mut W) -> fmt::Result {
    if n.is_nan() {
        return w.write_str("NaN");
    }
    if n == 0.0 {
        return w.write_str("0");
    }
    if n.is_infinite() {
        return w.write_str(if n > 0.0 { "Infinity" } else { "-Infinity" });
    }
    if n < 0.0 {
        w.write_char('-')?;
    }
    let mut rb = ryu::Buffer::new();
    let text = rb.format_finite(n.abs());
    let (mant, exp) = match text.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().map_err(|_| fmt::Error)?),
        None => (text, 0),
    };
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    // value = digits × 10^power, digits without leading or trailing zeros.
    let mut all = StackStr::<40>::new();
    all.write_str(int)?;
    all.write_str(frac)?;
    let all = all.as_str();
    let trimmed = all.trim_start_matches('0');
    let digits = trimmed.trim_end_matches('0');
    let power = exp - frac.len() as i32 + (trimmed.len() - digits.len()) as i32;
    let k = digits.len() as i32;
    let e = power + k; // the n of the specification: value = 0.digits × 10^e
    if k <= e && e <= 21 {
        w.write_str(digits)?;
        for _ in 0..(e - k) {
            w.write_char('0')?;
        }
        Ok(())
    } else if 0 < e && e <= 21 {
        let (int, frac) = digits.split_at(e as usize);
        w.write_str(int)?;
        w.write_char('.')?;
        w.write_str(frac)
    } else if -6 < e && e <= 0 {
        w.write_str("0.")?;
        for _ in 0..(-e) {
            w.write_char('0')?;
        }
        w.write_str(digits)
    } else {
        let (first, rest) = digits.split_at(1);
        w.write_str(first)?;
        if !rest.is_empty() {
            w.write_char('.')?;
            w.write_str(rest)?;
        }
        w.write_str(if e - 1 < 0 { "e-" } else { "e+" })?;
        write!(w, "{}", (e - 1).unsigned_abs())
    }
}

/// A fixed-size string buffer for formatting numbers without allocating.
pub(crate) struct StackStr<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> StackStr<N> {
    pub(crate) fn new() -> Self {
        StackStr {
            buf: [0; N],
            len: 0,
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only whole `&str`s are ever copied in, so this cannot fail.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

impl<const N: usize> Write for StackStr<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        if end > N {
            return Err(fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// ECMAScript `WhiteSpace` and `LineTerminator`, which `Number("…")` trims.
fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// `Number(s)`: JavaScript's `StringToNumber`.
pub(crate) fn string_to_number(s: &str) -> f64 {
    let t = s.trim_matches(is_js_space);
    if t.is_empty() {
        return 0.0;
    }
    let b = t.as_bytes();
    if b.len() > 2 && b[0] == b'0' {
        let radix = match b[1] {
            b'x' | b'X' => 16,
            b'o' | b'O' => 8,
            b'b' | b'B' => 2,
            _ => 0,
        };
        if radix != 0 {
            return radix_to_number(&t[2..], radix);
        }
    }
    let (sign, body) = match b[0] {
        b'+' => (1.0, &t[1..]),
        b'-' => (-1.0, &t[1..]),
        _ => (1.0, t),
    };
    if body == "Infinity" {
        return sign * f64::INFINITY;
    }
    if !is_decimal_literal(body) {
        return f64::NAN;
    }
    // The grammar is checked above, so the decimal parser only ever sees
    // what JavaScript would accept.
    sign * parse_decimal(body)
}

/// A checked decimal literal as a double: Rust's correctly rounded parser
/// natively; in the browser the host's own `Number`, which is exact by
/// definition and keeps Rust's float parsing out of the wasm.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn parse_decimal(s: &str) -> f64 {
    s.parse::<f64>().unwrap_or(f64::NAN)
}

#[cfg(target_arch = "wasm32")]
pub(crate) fn parse_decimal(s: &str) -> f64 {
    // Unary `+`, i.e. JavaScript's ToNumber.
    wasm_bindgen::JsValue::from_str(s).unchecked_into_f64()
}

/// `s.toLowerCase()`. ASCII is done here; anything else natively by Rust's
/// Unicode tables and in the browser by the host's own `toLowerCase` (which
/// is exactly JavaScript's, and keeps those tables out of the wasm).
pub(crate) fn lowercase(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        lowercase_unicode(s)
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn lowercase_unicode(s: &str) -> String {
    s.to_lowercase()
}

#[cfg(target_arch = "wasm32")]
fn lowercase_unicode(s: &str) -> String {
    String::from(js_sys::JsString::from(s).to_lower_case())
}

/// Sorts a few items by key; an insertion sort is all the key lists here
/// need, and `sort_unstable` would add two quicksorts to the wasm.
pub(crate) fn sort_small<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K) {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 && key(&items[j - 1]) > key(&items[j]) {
            items.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// `StrUnsignedDecimalLiteral` without `Infinity`: digits, an optional
/// fraction, an optional exponent, at least one digit before the exponent.
fn is_decimal_literal(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let int_digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        frac_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let exp_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp_digits == 0 {
            return false;
        }
        i += exp_digits;
    }
    i == b.len()
}

/// `0x…`, `0o…`, `0b…` literals: exact up to 128 bits, then rounded the
/// way repeated multiplication rounds (only matters past 2^128).
fn radix_to_number(digits: &str, radix: u32) -> f64 {
    let mut exact: u128 = 0;
    let mut approx = 0.0f64;
    let mut overflow = false;
    for c in digits.chars() {
        let Some(d) = c.to_digit(radix) else {
            return f64::NAN;
        };
        if !overflow {
            match exact
                .checked_mul(u128::from(radix))
                .and_then(|v| v.checked_add(u128::from(d)))
            {
                Some(v) => exact = v,
                None => {
                    overflow = true;
                    approx = exact as f64 * f64::from(radix) + f64::from(d);
                }
            }
        } else {
            approx = approx * f64::from(radix) + f64::from(d);
        }
    }
    if overflow {
        approx
    } else {
        exact as f64
    }
}

/// `ToNumber(v)`, i.e. `v * 1`.
pub(crate) fn to_number(v: Val) -> Result<f64, Throws> {
    if coercion_throws(v) {
        return Err(Throws);
    }
    Ok(match v {
        Val::Null => 0.0,
        Val::Bool(b) => f64::from(u8::from(b)),
        Val::Num(n) => n,
        Val::Str(s) => string_to_number(s),
        Val::Arr(_) => string_to_number(&to_js_string(v)),
        Val::Obj(_) | Val::ObjProto | Val::Func(_) => f64::NAN,
    })
}

/// Whether a key is an array index, which JavaScript objects list first
/// (ascending) before their other keys in insertion order.
pub(crate) fn array_index(key: &str) -> Option<u32> {
    let b = key.as_bytes();
    if b.is_empty()
        || b.len() > 10
        || !b.iter().all(u8::is_ascii_digit)
        || (b.len() > 1 && b[0] == b'0')
    {
        return None;
    }
    let n: u64 = key.parse().ok()?;
    // 2^32 - 1 is not an index.
    u32::try_from(n).ok().filter(|&n| n != u32::MAX)
}

/// `JSON.stringify(v) === expected`, where `expected` is the
/// `JSON.stringify` of a condition's array or object, written when the
/// condition was compiled. GrowthBook compares exactly these two strings, so
/// this is its answer by construction (allocates: such tests are rare).
pub(crate) fn json_eq(v: Val, expected: &str) -> bool {
    let mut actual = String::new();
    write_json(v, &mut actual);
    actual == expected
}

/// `JSON.stringify(v)` for a JSON value (objects in JavaScript's key
/// order), for `$eq`-style tests of arrays and objects, explanations and
/// memo keys. Written here rather than with serde_json's serializer so the
/// browser build formats numbers with the host and links no float
/// formatting of its own.
pub(crate) fn json_text(v: &Value) -> String {
    let mut out = String::new();
    write_json(Val::from(v), &mut out);
    out
}

/// `JSON.stringify(v)` written to `out` (`null` where JSON has no value:
/// non-finite numbers, functions).
pub(crate) fn write_json(v: Val, out: &mut String) {
    match v {
        Val::Null | Val::Func(_) => out.push_str("null"),
        Val::Bool(b) => out.push_str(if b { "true" } else { "false" }),
        Val::Num(n) if n.is_finite() => {
            let _ = write_number(n, out);
        }
        Val::Num(_) => out.push_str("null"),
        Val::Str(s) => write_json_str(s, out),
        Val::Arr(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Val::Obj(m) => {
            out.push('{');
            for (i, (k, item)) in m.entries().into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_str(k, out);
                out.push(':');
                write_json(item, out);
            }
            out.push('}');
        }
        Val::ObjProto => out.push_str("{}"),
    }
}

/// A JSON string literal with `JSON.stringify`'s escapes.
pub(crate) fn write_json_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 15] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// JSON text of an attribute for explanations.
pub(crate) fn show(v: Val) -> String {
    match v {
        Val::Num(n) => {
            let mut s = String::new();
            let _ = write_number(n, &mut s);
            s
        }
        Val::ObjProto => "Object.prototype".into(),
        Val::Func(name) => ["function ", name].concat(),
        other => {
            let mut out = String::new();
            write_json(other, &mut out);
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn num_str(n: f64) -> String {
        let mut s = String::new();
        write_number(n, &mut s).unwrap();
        s
    }

    #[test]
    fn numbers_print_as_javascript_does() {
        assert_eq!(num_str(1e21), "1e+21");
        assert_eq!(num_str(1.5e-7), "1.5e-7");
        assert_eq!(num_str(123e-20), "1.23e-18");
        assert_eq!(num_str(0.000001), "0.000001");
        assert_eq!(num_str(-0.0), "0");
        assert_eq!(num_str(1.0 / 3.0), "0.3333333333333333");
        assert_eq!(num_str(9007199254740994.0), "9007199254740994");
        assert_eq!(num_str(123456789012345680000.0), "123456789012345680000");
        assert_eq!(num_str(-42.5), "-42.5");
        assert_eq!(num_str(100.0), "100");
    }

    #[test]
    fn strings_convert_to_numbers_as_javascript_does() {
        for (s, n) in [
            (" 0x1A ", 26.0),
            ("1.", 1.0),
            (".5", 0.5),
            ("1.e5", 1e5),
            ("+.5", 0.5),
            ("\u{a0}1\u{2028}", 1.0),
            ("0b101", 5.0),
            ("", 0.0),
            ("-Infinity", f64::NEG_INFINITY),
        ] {
            assert_eq!(string_to_number(s), n, "{s:?}");
        }
        for s in [".", "-0x10", "infinity", "1_0", "1e", "inf", "nan", "0x"] {
            assert!(string_to_number(s).is_nan(), "{s:?}");
        }
    }

    #[test]
    fn coercions() {
        let arr = json!([1, null, [2, 3], {"a": 1}]);
        assert_eq!(to_js_string(Val::from(&arr)), "1,,2,3,[object Object]");
        assert_eq!(js_string_eq(Val::from(&json!([1, 2])), "1,2"), Ok(true));
        assert_eq!(js_string_eq(Val::from(&json!([1, 2])), "1,23"), Ok(false));
        assert_eq!(
            js_string_eq(Val::from(&json!([{"toString": 1}])), ""),
            Err(Throws)
        );
        assert_eq!(to_number(Val::from(&json!([5]))), Ok(5.0));
        assert_eq!(to_number(Val::from(&json!([]))), Ok(0.0));
        assert_eq!(
            to_number(Val::from(&json!({"valueOf": 1}))).map(f64::is_nan),
            Ok(true)
        );
        assert_eq!(Rel::Lt.test(Val::Null, &Lit::Num(1.0)), Ok(true));
        assert_eq!(
            Rel::Lt.test(Val::from(&json!([1, 2])), &Lit::Str("2".into())),
            Ok(true)
        );
        assert_eq!(
            Rel::Lte.test(Val::from(&json!({})), &Lit::Num(1.0)),
            Ok(false)
        );
        assert_eq!(
            Rel::Lte.test(Val::Num(1.0), &Lit::new(&json!({"toString": 1}))),
            Err(Throws)
        );
        assert_eq!(cmp_utf16("\u{10000}", "\u{ffff}"), Ordering::Less);
        assert_eq!(cmp_utf16("a", "ab"), Ordering::Less);
    }

    #[test]
    fn json_text_is_json_stringify() {
        let v = json!({"a": [1, 1.5, 1e21, null, true], "b\"": "x\n\u{1}é"});
        assert_eq!(
            json_text(&v),
            r#"{"a":[1,1.5,1e+21,null,true],"b\"":"x\n\u0001é"}"#
        );
    }

    #[test]
    fn stringify_equality_uses_javascript_key_order() {
        let a = json!({"b": 1, "1": 2, "a": [1.0]});
        assert!(json_eq(
            Val::from(&a),
            &json_text(&json!({"1": 2, "b": 1, "a": [1]}))
        ));
        assert!(json_eq(
            Val::from(&a),
            &json_text(&json!({"b": 1, "a": [1], "1": 2}))
        ));
        assert!(!json_eq(
            Val::from(&a),
            &json_text(&json!({"a": [1], "b": 1, "1": 2}))
        ));
    }
}
