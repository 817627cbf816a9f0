//! `$regex` / `$regexi`: ECMAScript regular expressions without the `u`
//! flag, as GrowthBook builds them (`new RegExp(pattern, "i"?)`, after
//! escaping every `/` that follows a non-backslash), tested against
//! `String(actual)`.
//!
//! Natively the engine is `regress`, an ECMAScript regex engine (about
//! 150 KB of code, fine for the server). In the browser build it is the
//! host's own `RegExp` through `js_sys`, which costs nothing in the `.wasm`
//! and is ECMAScript by definition. Patterns that are plain literals, maybe
//! anchored or a literal alternation (`^/pricing`, `(Mobile|Tablet)`), are
//! recognised at compile time and matched with string search instead, which
//! gives the same answer without crossing into any engine.
//!
//! A pattern that does not compile never matches, as in GrowthBook, which
//! catches the `SyntaxError` and returns `false`.

use super::js::{coercion_throws, js_str, Val};

/// A compiled `$regex`.
#[derive(Debug, Clone)]
pub(crate) struct Regex {
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    /// Not a string, or not a valid pattern: never matches.
    Never,
    Literal(Literal),
    /// The engine, behind a literal every match must start with (so text
    /// without it is rejected by a substring search).
    Engine(engine::Compiled, Option<Box<str>>),
}

/// Characters with a meaning in a pattern.
const META: &[char] = &[
    '\\', '^', '$', '.', '|', '?', '*', '+', '(', ')', '[', ']', '{', '}',
];

/// The literal every match of a case-sensitive `pattern` starts with: its
/// leading run of plain characters, less the last one if a quantifier
/// follows it, when the pattern has no top-level alternation.
fn required_prefix(pattern: &str) -> Option<Box<str>> {
    let (mut depth, mut in_class, mut escaped) = (0u32, false, false);
    for c in pattern.chars() {
        match (escaped, in_class, c) {
            (true, _, _) => escaped = false,
            (false, _, '\\') => escaped = true,
            (false, true, ']') => in_class = false,
            (false, true, _) => {}
            (false, false, '[') => in_class = true,
            (false, false, '(') => depth += 1,
            (false, false, ')') => depth = depth.saturating_sub(1),
            (false, false, '|') if depth == 0 => return None,
            _ => {}
        }
    }
    let run = pattern.find(META).unwrap_or(pattern.len());
    let mut prefix = &pattern[..run];
    if matches!(pattern[run..].chars().next(), Some('?' | '*' | '+' | '{')) {
        let last = prefix.chars().next_back().map_or(0, char::len_utf8);
        prefix = &prefix[..prefix.len() - last];
    }
    (!prefix.is_empty()).then(|| prefix.into())
}

/// A pattern that is a literal or a literal alternation, maybe anchored.
#[derive(Debug, Clone)]
struct Literal {
    alternatives: Vec<Box<str>>,
    start: bool,
    end: bool,
    /// `i` flag with ASCII-only alternatives: non-ASCII text never folds to
    /// ASCII in non-Unicode ECMAScript matching, so ASCII folding is exact.
    icase: bool,
}

impl Literal {
    fn parse(pattern: &str, icase: bool) -> Option<Literal> {
        if icase && !pattern.is_ascii() {
            return None;
        }
        let (start, rest) = match pattern.strip_prefix('^') {
            Some(r) => (true, r),
            None => (false, pattern),
        };
        let (end, body) = match rest.strip_suffix('$') {
            Some(b) => (true, b),
            None => (false, rest),
        };
        let inner = body
            .strip_prefix("(?:")
            .or_else(|| body.strip_prefix('('))
            .and_then(|b| b.strip_suffix(')'));
        let alternatives: Vec<Box<str>> = match inner {
            Some(group) => group.split('|').map(Into::into).collect(),
            // Without a group, anchors would bind to the outer alternatives.
            None if !(start || end) || !body.contains('|') => {
                body.split('|').map(Into::into).collect()
            }
            None => return None,
        };
        if alternatives.iter().any(|a| a.contains(META)) {
            return None;
        }
        Some(Literal {
            alternatives,
            start,
            end,
            icase,
        })
    }

    fn test(&self, text: &str) -> bool {
        self.alternatives.iter().any(|lit| {
            let lit = lit.as_bytes();
            let t = text.as_bytes();
            let eq = |a: &[u8], b: &[u8]| {
                if self.icase {
                    a.eq_ignore_ascii_case(b)
                } else {
                    a == b
                }
            };
            match (self.start, self.end) {
                (true, true) => eq(t, lit),
                (true, false) => t.len() >= lit.len() && eq(&t[..lit.len()], lit),
                (false, true) => t.len() >= lit.len() && eq(&t[t.len() - lit.len()..], lit),
                (false, false) if !self.icase => {
                    find(text, std::str::from_utf8(lit).unwrap_or_default()).is_some()
                }
                (false, false) => match lit.first() {
                    None => true,
                    Some(first) => t
                        .windows(lit.len())
                        .any(|w| w[0].eq_ignore_ascii_case(first) && eq(w, lit)),
                },
            }
        })
    }
}

/// Where `needle` first occurs in `text`: a scan for its first byte and a
/// compare at each hit. Patterns' literals are short, and `str::find` with
/// a string builds a two-way searcher on every call, which costs more than
/// the search.
fn find(text: &str, needle: &str) -> Option<usize> {
    let (t, n) = (text.as_bytes(), needle.as_bytes());
    let Some((&first, rest)) = n.split_first() else {
        return Some(0);
    };
    // A plain loop: at the SDK's opt-level an iterator's closure would be
    // a call per byte.
    let mut i = 0;
    while i + n.len() <= t.len() {
        if t[i] == first && t[i + 1..i + n.len()] == *rest {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// GrowthBook's `regex.replace(/([^\\])\//g, "$1\\/")`.
fn escape_slashes(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 4);
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c != '\\' && chars.peek() == Some(&'/') {
            chars.next();
            out.push_str("\\/");
        }
    }
    out
}

impl Regex {
    /// Compiles the argument of `$regex` (`icase` for `$regexi`).
    pub(crate) fn new(expected: &serde_json::Value, icase: bool) -> Regex {
        let Some(pattern) = expected.as_str() else {
            // `regex.replace` throws on a non-string; GrowthBook catches it.
            return Regex { kind: Kind::Never };
        };
        let escaped = escape_slashes(pattern);
        let kind = match engine::Compiled::new(&escaped, icase) {
            None => Kind::Never,
            // Only a pattern the engine accepts may take the fast path, so
            // validity stays the engine's call.
            Some(compiled) => match Literal::parse(pattern, icase) {
                Some(lit) => Kind::Literal(lit),
                None => Kind::Engine(
                    compiled,
                    if icase {
                        None
                    } else {
                        required_prefix(pattern)
                    },
                ),
            },
        };
        Regex { kind }
    }

    /// Whether the pattern compiled (an invalid one never matches).
    pub(crate) fn is_valid(&self) -> bool {
        !matches!(self.kind, Kind::Never)
    }

    /// `regex.test(actual)`.
    #[inline]
    pub(crate) fn test(&self, actual: Val) -> bool {
        // GrowthBook's try/catch also catches `String(actual)` throwing.
        if coercion_throws(actual) {
            return false;
        }
        match &self.kind {
            Kind::Never => false,
            Kind::Literal(lit) => lit.test(&js_str(actual)),
            Kind::Engine(e, prefix) => {
                let text = js_str(actual);
                match prefix {
                    Some(p) => find(&text, p).is_some_and(|at| e.test_from(&text, at)),
                    None => e.test_from(&text, 0),
                }
            }
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod engine {
    /// A `regress` regex compiled in non-Unicode mode from the pattern's
    /// UTF-16 code units, as `new RegExp` reads it.
    #[derive(Debug, Clone)]
    pub(super) struct Compiled(regress::Regex);

    impl Compiled {
        pub(super) fn new(pattern: &str, icase: bool) -> Option<Compiled> {
            let flags = regress::Flags {
                icase,
                ..regress::Flags::default()
            };
            let units = pattern.encode_utf16().map(u32::from);
            regress::Regex::from_unicode(units, flags)
                .ok()
                .map(Compiled)
        }

        /// Whether a match starts at byte `from` or later (no match can
        /// start earlier when `from` is the first place the required prefix
        /// occurs; the engine still sees the whole text for lookbehind).
        pub(super) fn test_from(&self, text: &str, from: usize) -> bool {
            // Non-Unicode patterns see UTF-16 code units; text without
            // astral characters has one unit per character either way.
            if text.bytes().any(|b| b >= 0xF0) {
                let units: Vec<u16> = text.encode_utf16().collect();
                self.0.find_from_ucs2(&units, 0).next().is_some()
            } else {
                self.0.find_from(text, from).next().is_some()
            }
        }
    }
}

#[cfg(target_arch = "wasm32")]
mod engine {
    use js_sys::wasm_bindgen::JsCast;

    /// The host's `RegExp`.
    #[derive(Debug, Clone)]
    pub(super) struct Compiled(js_sys::RegExp);

    impl Compiled {
        pub(super) fn new(pattern: &str, icase: bool) -> Option<Compiled> {
            // `js_sys::RegExp::new` would throw through wasm on a bad
            // pattern; `Reflect.construct` hands the SyntaxError back.
            let ctor = js_sys::Reflect::get(&js_sys::global(), &"RegExp".into()).ok()?;
            let ctor: js_sys::Function = ctor.dyn_into().ok()?;
            let args = js_sys::Array::of2(&pattern.into(), &(if icase { "i" } else { "" }).into());
            let re = js_sys::Reflect::construct(&ctor, &args).ok()?;
            Some(Compiled(re.unchecked_into()))
        }

        pub(super) fn test_from(&self, text: &str, _from: usize) -> bool {
            self.0.test(text)
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use serde_json::json;

    fn re(p: &str, i: bool) -> Regex {
        Regex::new(&json!(p), i)
    }

    #[test]
    fn literals_take_the_fast_path_and_agree() {
        for (p, fast) in [
            ("^/pricing", true),
            ("(Mobile|Tablet)", true),
            ("-12-25$", true),
            ("a.b", false),
            ("^a|b", false),
        ] {
            assert_eq!(matches!(re(p, false).kind, Kind::Literal(_)), fast, "{p}");
        }
        assert!(re("(Mobile|Tablet)", false).test(Val::Str("Android Mobile")));
        assert!(re("^/PRICING", true).test(Val::Str("/pricing/plans")));
        assert!(!re("^/pricing$", false).test(Val::Str("/pricing/")));
        assert!(re("", false).test(Val::Null));
    }

    #[test]
    fn engine_follows_ecmascript() {
        assert!(re("^.$", false).test(Val::Str("é")));
        // Without the u flag an astral character is two units.
        assert!(!re("^.$", false).test(Val::Str("😀")));
        assert!(re("^..$", false).test(Val::Str("😀")));
        assert!(re("a/b", false).test(Val::Str("a/b")));
        assert!(re("nul", false).test(Val::Null));
        assert!(re("]", false).test(Val::Str("]")));
        assert!(!re("/???***[)", false).test(Val::Str("hello")));
        assert!(!Regex::new(&json!(5), false).test(Val::Str("5")));
    }

    #[test]
    fn required_prefixes() {
        assert_eq!(
            required_prefix("Firefox/1[0-9]{2}").as_deref(),
            Some("Firefox/1")
        );
        assert_eq!(
            required_prefix("Mac OS X (13|14)").as_deref(),
            Some("Mac OS X ")
        );
        assert_eq!(required_prefix("abc?").as_deref(), Some("ab"));
        assert_eq!(required_prefix("ab|cd"), None);
        assert_eq!(required_prefix("[|]x"), None);
        assert_eq!(required_prefix("^abc"), None);
        assert!(re("Gecko/\\d+ Firefox", false).test(Val::Str("x Gecko/2010 Firefox/1")));
        assert!(!re("Gecko/\\d+ Firefox", false).test(Val::Str("Gecko/x Gecko/1")));
        assert!(re("a(?<=xa)b", false).test(Val::Str("xab")));
    }

    #[test]
    fn finds_literals_by_byte_offset() {
        assert_eq!(find("abcabd", "abd"), Some(3));
        assert_eq!(find("abc", ""), Some(0));
        assert_eq!(find("ab", "abc"), None);
        assert_eq!(find("xyz", "z"), Some(2));
        assert_eq!(find("é/é", "/é"), Some(2));
        assert_eq!(find("aaab", "aab"), Some(1));
        assert_eq!(find("ééa", "éa"), Some(2));
    }

    #[test]
    fn escapes_slashes_like_growthbook() {
        assert_eq!(escape_slashes("a//"), "a\\//");
        assert_eq!(escape_slashes("\\/x/"), "\\/x\\/");
        assert_eq!(escape_slashes("/a"), "/a");
    }
}
