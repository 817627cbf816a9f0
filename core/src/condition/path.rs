//! Dotted attribute paths, split once at compile time and walked the way
//! GrowthBook's `getPath` walks them: `parts[i] in current` on anything
//! that is an object, else `null`.
//!
//! `in` sees more than a JSON object's own keys, and GrowthBook's results
//! depend on it, so the walk does too: an array answers its indices and
//! `length`, and every object or array answers the names it inherits
//! (`constructor`, `toString`, `map`, `__proto__`, …) with a built-in
//! function. Going further *into* such a function (`toString.name`) gives
//! `null` here, where JavaScript would reach the function's own properties;
//! no attribute set written as JSON can depend on that.

use super::js::{array_index, Arr, Val};
#[cfg(test)]
use serde_json::Value;

/// Names every object inherits from `Object.prototype` (Node 20 / V8).
pub(crate) const OBJECT_PROTO: &[&str] = &[
    "constructor",
    "__defineGetter__",
    "__defineSetter__",
    "hasOwnProperty",
    "__lookupGetter__",
    "__lookupSetter__",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toString",
    "valueOf",
    "__proto__",
    "toLocaleString",
];

/// Methods arrays inherit from `Array.prototype` (Node 20 / V8); `length`
/// and `constructor` are handled apart.
const ARRAY_PROTO: &[&str] = &[
    "at",
    "concat",
    "copyWithin",
    "fill",
    "find",
    "findIndex",
    "findLast",
    "findLastIndex",
    "lastIndexOf",
    "pop",
    "push",
    "reverse",
    "shift",
    "unshift",
    "slice",
    "sort",
    "splice",
    "includes",
    "indexOf",
    "join",
    "keys",
    "entries",
    "values",
    "forEach",
    "filter",
    "flat",
    "flatMap",
    "map",
    "every",
    "some",
    "reduce",
    "reduceRight",
    "toLocaleString",
    "toString",
    "toReversed",
    "toSorted",
    "toSpliced",
    "with",
];

/// What a segment means when the object does not have it as its own key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Inherited {
    None,
    Constructor,
    Proto,
    /// An `Object.prototype` method.
    ObjectMethod(&'static str),
}

/// One segment of a path with what it means precomputed.
#[derive(Debug, Clone)]
struct Segment {
    key: Box<str>,
    index: Option<u32>,
    inherited: Inherited,
    /// Also an `Array.prototype` method (shadows the object one on arrays).
    array_method: Option<&'static str>,
}

impl Segment {
    fn new(key: &str) -> Segment {
        let inherited = match key {
            "constructor" => Inherited::Constructor,
            "__proto__" => Inherited::Proto,
            k => match OBJECT_PROTO.iter().find(|n| **n == k) {
                Some(n) => Inherited::ObjectMethod(n),
                None => Inherited::None,
            },
        };
        Segment {
            key: key.into(),
            index: array_index(key),
            inherited,
            array_method: ARRAY_PROTO.iter().find(|n| **n == key).copied(),
        }
    }

    #[inline]
    fn step<'a>(&self, cur: Val<'a>) -> Val<'a> {
        match cur {
            Val::Obj(map) => match map.get(&self.key) {
                Some(v) => v,
                None => match self.inherited {
                    Inherited::None => Val::Null,
                    Inherited::Constructor => Val::Func("Object"),
                    Inherited::Proto => Val::ObjProto,
                    Inherited::ObjectMethod(n) => Val::Func(n),
                },
            },
            Val::Arr(items) => {
                if let Some(i) = self.index {
                    return items.get(i as usize).unwrap_or(Val::Null);
                }
                if &*self.key == "length" {
                    return Val::Num(items.len() as f64);
                }
                if let Some(n) = self.array_method {
                    return Val::Func(n);
                }
                match self.inherited {
                    Inherited::None => Val::Null,
                    Inherited::Constructor => Val::Func("Array"),
                    // Array.prototype is itself an empty array.
                    Inherited::Proto => Val::Arr(Arr::EMPTY),
                    Inherited::ObjectMethod(n) => Val::Func(n),
                }
            }
            // Object.prototype's own names; its __proto__ is null.
            Val::ObjProto => match self.inherited {
                Inherited::Constructor => Val::Func("Object"),
                Inherited::ObjectMethod(n) => Val::Func(n),
                _ => Val::Null,
            },
            _ => Val::Null,
        }
    }
}

/// A compiled dotted path.
#[derive(Debug, Clone)]
pub(crate) struct Path {
    text: Box<str>,
    segments: Box<[Segment]>,
}

impl Path {
    /// Splits on every `.`, keeping empty segments, as `split(".")` does.
    pub(crate) fn new(text: &str) -> Path {
        Path {
            text: text.into(),
            segments: text.split('.').map(Segment::new).collect(),
        }
    }

    /// The path as written.
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    /// The first segment, by which a set groups its paths.
    pub(crate) fn first(&self) -> &str {
        self.segments.first().map_or("", |s| &s.key)
    }

    /// The value at this path below `root`, `Val::Null` when absent.
    #[inline]
    pub(crate) fn get<'a>(&self, root: Val<'a>) -> Val<'a> {
        self.walk(root, &self.segments)
    }

    /// The value below `first`, the value of this path's first segment.
    #[inline]
    pub(crate) fn get_rest<'a>(&self, first: Val<'a>) -> Val<'a> {
        self.walk(first, self.segments.get(1..).unwrap_or(&[]))
    }

    #[inline]
    fn walk<'a>(&self, root: Val<'a>, segments: &[Segment]) -> Val<'a> {
        let mut cur = root;
        for seg in segments {
            cur = seg.step(cur);
            if let Val::Null = cur {
                return cur;
            }
        }
        cur
    }

    /// Shorthand for walking from a JSON value.
    #[cfg(test)]
    pub(crate) fn get_json<'a>(&self, root: &'a Value) -> Val<'a> {
        self.get(Val::from(root))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn show(v: Val) -> String {
        super::super::js::show(v)
    }

    #[test]
    fn walks_objects_arrays_and_inherited_names() {
        let attrs = json!({"a": {"b": [10, {"c": "x"}]}, "s": "str", "toString": "own"});
        let get = |p: &str| show(Path::new(p).get_json(&attrs));
        assert_eq!(get("a.b.0"), "10");
        assert_eq!(get("a.b.1.c"), "\"x\"");
        assert_eq!(get("a.b.01"), "null");
        assert_eq!(get("a.b.length"), "2");
        assert_eq!(get("a.b.map"), "function map");
        assert_eq!(get("a.constructor"), "function Object");
        assert_eq!(get("a.b.constructor"), "function Array");
        assert_eq!(get("a.__proto__"), "Object.prototype");
        assert_eq!(get("a.__proto__.__proto__"), "null");
        assert_eq!(get("s.length"), "null");
        assert_eq!(get("toString"), "\"own\"");
        assert_eq!(get("a.missing.x"), "null");
        assert_eq!(get(""), "null");
    }
}
