//! [`VecMap`]: a map from strings, kept as a vector sorted by key.
//!
//! For the maps of the user's state and of message content: a few to a few
//! hundred entries, read far more often than written. Each `BTreeMap` value
//! type put its own copy of the B-tree's node code (insert, split, merge,
//! steal, drop; about 4 KB) into the wasm; a sorted vector needs a binary
//! search and `Vec::insert`. It serialises as a JSON object in key order,
//! exactly as the `BTreeMap` did, and reads one the same way (a repeated key
//! keeps the last value).

use std::fmt;
use std::marker::PhantomData;
use std::ops::Index;

use crate::json::{self, FromJson, Map, Value};
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A map from `String` keys, sorted by key.
#[derive(Clone, PartialEq)]
pub struct VecMap<V> {
    entries: Vec<(String, V)>,
}

impl<V> Default for VecMap<V> {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
        }
    }
}

impl<V: fmt::Debug> fmt::Debug for VecMap<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<V> VecMap<V> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    /// The value for `key`.
    pub fn get(&self, key: &str) -> Option<&V> {
        let i = self.find(key).ok()?;
        self.entries.get(i).map(|(_, v)| v)
    }

    /// The value for `key`, to change.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        let i = self.find(key).ok()?;
        self.entries.get_mut(i).map(|(_, v)| v)
    }

    /// Whether `key` has a value.
    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    /// Sets the value for `key`; the one it replaces, if any.
    pub fn insert(&mut self, key: String, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => self
                .entries
                .get_mut(i)
                .map(|(_, v)| std::mem::replace(v, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    /// Removes `key`; its value, if it had one.
    pub fn remove(&mut self, key: &str) -> Option<V> {
        let i = self.find(key).ok()?;
        Some(self.entries.remove(i).1)
    }

    /// Keeps the entries `keep` answers true for, visited in key order.
    pub fn retain(&mut self, mut keep: impl FnMut(&str, &V) -> bool) {
        self.entries.retain(|(k, v)| keep(k, v));
    }

    /// The value for `key`, made with `Default` if absent (as
    /// `BTreeMap::entry(key).or_default()`).
    pub fn get_or_default(&mut self, key: &str) -> &mut V
    where
        V: Default,
    {
        let i = match self.find(key) {
            Ok(i) => i,
            Err(i) => {
                self.entries.insert(i, (key.to_owned(), V::default()));
                i
            }
        };
        &mut self.entries[i].1
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &V)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.entries.iter().map(|(k, _)| k)
    }

    /// The values in key order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.iter().map(|(_, v)| v)
    }

    /// The values in key order, to change in place.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.entries.iter_mut().map(|(_, v)| v)
    }
}

impl<V> Index<&str> for VecMap<V> {
    type Output = V;

    /// Panics if `key` is absent, as `BTreeMap`'s index does; for tests.
    fn index(&self, key: &str) -> &V {
        match self.get(key) {
            Some(v) => v,
            None => panic!("no entry for key"),
        }
    }
}

impl<'a, V> IntoIterator for &'a VecMap<V> {
    type Item = (&'a String, &'a V);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, V)>,
        fn(&'a (String, V)) -> (&'a String, &'a V),
    >;

    fn into_iter(self) -> Self::IntoIter {
        let pair: fn(&'a (String, V)) -> (&'a String, &'a V) = |(k, v)| (k, v);
        self.entries.iter().map(pair)
    }
}

impl<V> FromIterator<(String, V)> for VecMap<V> {
    fn from_iter<I: IntoIterator<Item = (String, V)>>(iter: I) -> Self {
        let mut map = Self::new();
        for (k, v) in iter {
            map.insert(k, v);
        }
        map
    }
}

impl<V: Serialize> Serialize for VecMap<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for VecMap<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MapVisitor<V>(PhantomData<V>);

        impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
            type Value = VecMap<V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut map = VecMap::new();
                while let Some((k, v)) = access.next_entry::<String, V>()? {
                    map.insert(k, v);
                }
                Ok(map)
            }
        }

        d.deserialize_map(MapVisitor(PhantomData))
    }
}

/// A set of strings, sorted: a [`VecMap`] without values, for the same
/// reason (a `BTreeSet<String>` was one more copy of the B-tree's code).
#[derive(Clone, Default, PartialEq)]
pub struct VecSet(VecMap<()>);

impl fmt::Debug for VecSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl VecSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `item`; whether it was new.
    pub fn insert(&mut self, item: String) -> bool {
        self.0.insert(item, ()).is_none()
    }

    /// Whether `item` is in.
    pub fn contains(&self, item: &str) -> bool {
        self.0.contains_key(item)
    }

    /// Takes `item` out; whether it was in.
    pub fn remove(&mut self, item: &str) -> bool {
        self.0.remove(item).is_some()
    }

    /// Empties the set.
    pub fn clear(&mut self) {
        self.0 = VecMap::new();
    }

    /// How many items.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The items in order.
    pub fn iter(&self) -> impl Iterator<Item = &String> {
        self.0.keys()
    }
}

impl IntoIterator for VecSet {
    type Item = String;
    type IntoIter = std::iter::Map<std::vec::IntoIter<(String, ())>, fn((String, ())) -> String>;

    fn into_iter(self) -> Self::IntoIter {
        let key: fn((String, ())) -> String = |(k, ())| k;
        self.0.entries.into_iter().map(key)
    }
}

impl Extend<String> for VecSet {
    fn extend<I: IntoIterator<Item = String>>(&mut self, iter: I) {
        for item in iter {
            self.insert(item);
        }
    }
}

impl FromIterator<String> for VecSet {
    fn from_iter<I: IntoIterator<Item = String>>(iter: I) -> Self {
        let mut set = Self::new();
        set.extend(iter);
        set
    }
}

/// A JSON array of the items, in order, as `BTreeSet` wrote it.
impl Serialize for VecSet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for VecSet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Vec::<String>::deserialize(d)?.into_iter().collect())
    }
}

impl<V: FromJson> FromJson for VecMap<V> {
    fn from_json(value: Value) -> Result<Self, json::Error> {
        let mut map = VecMap::new();
        for (k, v) in Map::<String, Value>::from_json(value)? {
            map.insert(k, V::from_json(v)?);
        }
        Ok(map)
    }
}

impl FromJson for VecSet {
    fn from_json(value: Value) -> Result<Self, json::Error> {
        Ok(Vec::<String>::from_json(value)?.into_iter().collect())
    }
}

impl<const N: usize> From<[String; N]> for VecSet {
    fn from(items: [String; N]) -> Self {
        items.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::{VecMap, VecSet};

    #[test]
    fn behaves_as_the_btreemap_it_replaced() {
        let doc = json!({"b": 2, "a": 1, "c": 3});
        let ours: VecMap<u32> = serde_json::from_value(doc.clone()).expect("map");
        let theirs: BTreeMap<String, u32> = serde_json::from_value(doc).expect("map");
        assert_eq!(
            serde_json::to_string(&ours).expect("json"),
            serde_json::to_string(&theirs).expect("json")
        );
        let mut m = ours;
        assert_eq!(m.insert("b".into(), 5), Some(2));
        assert_eq!(m.insert("aa".into(), 9), None);
        assert_eq!(m.keys().cloned().collect::<Vec<_>>(), ["a", "aa", "b", "c"]);
        *m.get_or_default("d") += 4;
        *m.get_or_default("a") += 10;
        assert_eq!(m["d"], 4);
        assert_eq!(m.get("a"), Some(&11));
        assert_eq!(m.remove("aa"), Some(9));
        assert_eq!(m.remove("zz"), None);
        assert_eq!(m.len(), 4);
        assert!(serde_json::from_value::<VecMap<u32>>(json!([1])).is_err());
    }

    #[test]
    fn sets_keep_one_of_each_in_order() {
        let mut s: VecSet = ["b".to_owned(), "a".to_owned()].into();
        assert!(s.insert("c".into()));
        assert!(!s.insert("a".into()));
        assert!(s.contains("b") && !s.contains("z"));
        assert!(s.remove("b") && !s.remove("b"));
        assert_eq!(s.iter().cloned().collect::<Vec<_>>(), ["a", "c"]);
        s.clear();
        assert!(s.is_empty());
    }
}
