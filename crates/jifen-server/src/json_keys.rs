//! Refuses JSON objects that name a key twice, at any depth.
//!
//! RFC 8259 leaves duplicate names to each parser: some keep the first, serde_json keeps the last.
//! Two systems reading one body differently is how a value slips past a check, so a body with a
//! repeated key is refused before anything reads it. The walk is one pass of serde_json's
//! tokenizer that keeps nothing but the keys of the objects it is inside; it borrows keys from
//! the body when they hold no escapes.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};

/// A key named twice: the key, and the path of the object holding it (`events[3].attributes`,
/// empty for the body itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    pub key: String,
    pub object: String,
}

impl DuplicateKey {
    /// The path of the repeated field itself (`events[3].attributes.amount`).
    pub fn field(&self) -> String {
        if self.object.is_empty() {
            self.key.clone()
        } else {
            format!("{}.{}", self.object, self.key)
        }
    }
}

/// Finds the first key named twice in one object of `bytes`. Bodies that are not JSON pass:
/// the parser that reads them next says why.
pub fn find_duplicate_key(bytes: &[u8]) -> Option<DuplicateKey> {
    let mut found = Found::default();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    // Nesting is bounded by serde_json's own recursion limit (128).
    let _ = Walk { found: &mut found }.deserialize(&mut de);
    found.key.map(|key| {
        let mut object = String::new();
        for seg in found.path.iter().rev() {
            match seg {
                Seg::Key(k) if object.is_empty() => object.push_str(k),
                Seg::Key(k) => {
                    object.push('.');
                    object.push_str(k);
                }
                Seg::Index(i) => {
                    object.push_str(&format!("[{i}]"));
                }
            }
        }
        DuplicateKey { key, object }
    })
}

#[derive(Default)]
struct Found {
    /// The repeated key, once found.
    key: Option<String>,
    /// The path to its object, innermost first (filled while the walk unwinds).
    path: Vec<Seg>,
}

enum Seg {
    Key(String),
    Index(usize),
}

/// Visits any JSON value; objects check their keys.
struct Walk<'a> {
    found: &'a mut Found,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

/// Objects up to this many keys are checked by a linear scan (no hashing, no allocation past
/// the vector); larger ones also keep a hash set.
const LINEAR: usize = 16;

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_i128<E>(self, _: i128) -> Result<(), E> {
        Ok(())
    }
    fn visit_u128<E>(self, _: u128) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0usize;
        loop {
            match seq.next_element_seed(Walk {
                found: &mut *self.found,
            }) {
                Ok(Some(())) => index += 1,
                Ok(None) => return Ok(()),
                Err(e) => {
                    if self.found.key.is_some() {
                        self.found.path.push(Seg::Index(index));
                    }
                    return Err(e);
                }
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut keys: Vec<Cow<'de, str>> = Vec::new();
        let mut set: Option<std::collections::HashSet<Cow<'de, str>>> = None;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let repeated = match &mut set {
                Some(set) => !set.insert(key.clone()),
                None => keys.contains(&key),
            };
            if repeated {
                self.found.key = Some(key.into_owned());
                return Err(A::Error::custom("duplicate key"));
            }
            if let Err(e) = map.next_value_seed(Walk {
                found: &mut *self.found,
            }) {
                if self.found.key.is_some() {
                    self.found.path.push(Seg::Key(key.into_owned()));
                }
                return Err(e);
            }
            if set.is_none() && keys.len() >= LINEAR {
                set = Some(keys.drain(..).collect());
            }
            match &mut set {
                Some(set) => {
                    set.insert(key);
                }
                None => keys.push(key),
            }
        }
        Ok(())
    }
}

/// An object key, borrowed from the body when it holds no escape.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dup(s: &str) -> Option<(String, String)> {
        find_duplicate_key(s.as_bytes()).map(|d| (d.field(), d.key))
    }

    #[test]
    fn repeated_keys_are_found_at_any_depth() {
        assert_eq!(
            dup(r#"{"id":"a","id":"b"}"#),
            Some(("id".into(), "id".into()))
        );
        assert_eq!(
            dup(r#"{"events":[{"id":"a"},{"id":"b","attributes":{"amount":1,"amount":2}}]}"#),
            Some(("events[1].attributes.amount".into(), "amount".into()))
        );
        assert_eq!(
            dup(r#"[[{"a":1}],[{"b":{"c":[1,{"d":1,"d":1}]}}]]"#),
            Some(("[1][0].b.c[1].d".into(), "d".into()))
        );
        // The same key spelt with an escape is the same key.
        assert_eq!(
            dup(r#"{"id":"a","\u0069d":"b"}"#),
            Some(("id".into(), "id".into()))
        );
        // Past the linear scan: the hash set takes over.
        let many: Vec<String> = (0..40).map(|i| format!("\"k{i}\":{i}")).collect();
        let body = format!("{{{},\"k3\":0}}", many.join(","));
        assert_eq!(dup(&body), Some(("k3".into(), "k3".into())));
    }

    #[test]
    fn distinct_keys_and_non_json_pass() {
        assert_eq!(
            dup(r#"{"a":{"id":1},"b":{"id":2},"id":[{"id":3},{"id":4}]}"#),
            None
        );
        let many: Vec<String> = (0..40).map(|i| format!("\"k{i}\":{i}")).collect();
        assert_eq!(dup(&format!("{{{}}}", many.join(","))), None);
        assert_eq!(dup("{broken"), None);
        assert_eq!(dup("12"), None);
        assert_eq!(dup(""), None);
    }
}
