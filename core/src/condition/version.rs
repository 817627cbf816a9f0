//! Version comparison the way GrowthBook does it: both sides become
//! `paddedVersionString`s and are compared as JavaScript strings. The
//! condition's side is padded once at compile time; the attribute's side is
//! padded into a stack buffer at evaluation time (a heap string only for
//! versions longer than 96 bytes once padded).

use super::js::{cmp_utf16, write_number, StackStr, Val};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt::{self, Write};

/// `paddedVersionString(input)` written to `w`.
///
/// Numbers are stringified; anything else that is not a non-empty string
/// counts as `"0"`. A leading `v` and a trailing `+build` are dropped, the
/// rest is split on `-` and `.`, a bare `x.y.z` gets a `~` part so it sorts
/// after its pre-releases, and all-digit parts are left-padded to 5.
fn write_padded(input: &str, w: &mut dyn Write) -> fmt::Result {
    // `input.replace(/(^v|\+.*$)/g, "")`: `.` stops at line terminators and
    // `$` only matches at the very end, so the `+` removed is the first one
    // after the last line terminator.
    let start = usize::from(input.starts_with('v'));
    let after_lt = input
        .rfind(['\n', '\r', '\u{2028}', '\u{2029}'])
        .map_or(0, |i| {
            i + input[i..].chars().next().map_or(1, char::len_utf8)
        });
    let from = start.max(after_lt);
    let end = input[from..].find('+').map_or(input.len(), |i| from + i);
    let core = &input[start..end.max(start)];

    let count = 1 + core.bytes().filter(|b| matches!(b, b'-' | b'.')).count();
    for (i, part) in core.split(['-', '.']).enumerate() {
        if i > 0 {
            w.write_str("-")?;
        }
        if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) {
            for _ in part.len()..5 {
                w.write_str(" ")?;
            }
        }
        w.write_str(part)?;
    }
    if count == 3 {
        w.write_str("-~")?;
    }
    Ok(())
}

/// `paddedVersionString(input)` as a string (compile time, explanations).
pub(crate) fn padded(input: Val) -> String {
    let mut out = String::new();
    let _ = with_text(input, |s| write_padded(s, &mut out));
    out
}

/// Runs `f` on the string `paddedVersionString` starts from.
fn with_text<R>(input: Val, f: impl FnOnce(&str) -> R) -> R {
    match input {
        Val::Str(s) if !s.is_empty() => f(s),
        Val::Num(n) => {
            let mut buf = StackStr::<32>::new();
            match write_number(n, &mut buf) {
                Ok(()) => f(buf.as_str()),
                Err(_) => f("0"),
            }
        }
        _ => f("0"),
    }
}

/// Runs `f` on `paddedVersionString(actual)`, padded into a stack buffer
/// (a heap string only for versions longer than 96 bytes once padded). A
/// [`ConditionSet`](super::ConditionSet) pads each attribute once per pass
/// however many versions it is compared with, so this needs no faster path
/// of its own.
pub(crate) fn with_padded<R>(actual: Val, f: impl FnOnce(&str) -> R) -> R {
    with_text(actual, |s| {
        let mut buf = StackStr::<96>::new();
        let text: Cow<str> = match write_padded(s, &mut buf) {
            Ok(()) => Cow::Borrowed(buf.as_str()),
            Err(_) => {
                let mut long = String::new();
                let _ = write_padded(s, &mut long);
                Cow::Owned(long)
            }
        };
        f(&text)
    })
}

/// A version from a condition, padded once.
#[derive(Debug, Clone)]
pub(crate) struct Version {
    padded: Box<str>,
}

impl Version {
    pub(crate) fn new(expected: Val) -> Version {
        Version {
            padded: padded(expected).into(),
        }
    }

    /// The padded form, as GrowthBook compares it.
    pub(crate) fn padded(&self) -> &str {
        &self.padded
    }

    /// Order of `paddedVersionString(actual)` against this one.
    pub(crate) fn cmp_actual(&self, actual: Val) -> Ordering {
        with_padded(actual, |p| cmp_utf16(p, &self.padded))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        padded(Val::Str(s))
    }

    #[test]
    fn pads_like_growthbook() {
        assert_eq!(p("v1.2.3-rc.1+build123"), "    1-    2-    3-rc-    1");
        assert_eq!(p("1.0.0"), "    1-    0-    0-~");
        assert_eq!(p(""), "    0");
        assert_eq!(p("1+a\n+b"), "1+a\n");
        assert_eq!(p("v"), "");
        assert_eq!(p("123456.1"), "123456-    1");
        assert_eq!(padded(Val::Num(1.5)), "    1-    5");
        assert_eq!(padded(Val::Bool(true)), "    0");
        assert!(
            Version::new(Val::Str("1.0.0")).cmp_actual(Val::Str("1.0.0-beta")) == Ordering::Less
        );
        assert!(
            Version::new(Val::Str("1.9.0")).cmp_actual(Val::Str("1.10.0")) == Ordering::Greater
        );
    }
}
