//! Values keyed by a scenario's ids, in the scenario's order.
//!
//! Reports used to hold `BTreeMap<String, _>`s and renderers looked values up by literal strings
//! (`fate["completed"]`, `first["none"]`): a typo compiled and printed nothing. A [`Keyed`] is
//! read by position (the scenario's agency, milestone or program index) or iterated; it only
//! *serialises* as a JSON object `{id: value}`, which keeps the documented JSON shape.

use serde::ser::{Serialize, SerializeMap, Serializer};

/// One value per id, in the scenario's order.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyed<T> {
    entries: Vec<(String, T)>,
}

impl<T> Keyed<T> {
    /// Builds from `(id, value)` pairs, kept in the order given.
    pub fn new(entries: impl IntoIterator<Item = (String, T)>) -> Self {
        Keyed { entries: entries.into_iter().collect() }
    }

    /// The value at a scenario index.
    pub fn at(&self, index: usize) -> &T {
        &self.entries[index].1
    }

    /// The value of an id, for callers that hold an id from outside (tests, user flags).
    pub fn get(&self, id: &str) -> Option<&T> {
        self.entries.iter().find(|(k, _)| k == id).map(|(_, v)| v)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &T)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.entries.iter().map(|(_, v)| v)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<T> FromIterator<(String, T)> for Keyed<T> {
    fn from_iter<I: IntoIterator<Item = (String, T)>>(iter: I) -> Self {
        Keyed::new(iter)
    }
}

/// A JSON object in the scenario's order. An `Option` value that is `None` is left out, as the
/// maps it replaces left out agencies that never reached a milestone.
impl<T: Serialize + MaybeAbsent> Serialize for Keyed<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let present = self.entries.iter().filter(|(_, v)| !v.absent());
        let mut map = s.serialize_map(Some(present.clone().count()))?;
        for (k, v) in present {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Whether a keyed value is left out of the JSON object (only `None`).
pub trait MaybeAbsent {
    fn absent(&self) -> bool {
        false
    }
}

impl<T> MaybeAbsent for Option<T> {
    fn absent(&self) -> bool {
        self.is_none()
    }
}

impl MaybeAbsent for f64 {}
impl MaybeAbsent for u64 {}
impl MaybeAbsent for i64 {}
impl<T> MaybeAbsent for Vec<T> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_in_order_and_leaves_out_none() {
        let k: Keyed<Option<u64>> = Keyed::new([("b".into(), Some(1)), ("a".into(), None), ("c".into(), Some(3))]);
        assert_eq!(serde_json::to_string(&k).unwrap(), r#"{"b":1,"c":3}"#);
        assert_eq!(k.at(1), &None);
        assert_eq!(k.get("c"), Some(&Some(3)));
        assert_eq!(k.get("z"), None);
    }
}
