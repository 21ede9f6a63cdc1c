//! YAML front matter read as Hugo reads it: a key given twice in one
//! mapping takes its last value (serde's YAML `Value` refuses the file),
//! and the keys given twice are returned so that the caller can say so.

use std::cell::RefCell;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Parses `text` as YAML into a JSON value, the last of duplicate keys
/// winning; also returns each key that was given twice (in order).
pub fn parse(text: &str) -> Result<(Value, Vec<String>), serde_norway::Error> {
    let duplicates = RefCell::new(Vec::new());
    let value = LastWins {
        duplicates: &duplicates,
    }
    .deserialize(serde_norway::Deserializer::from_str(text))?;
    Ok((value, duplicates.into_inner()))
}

/// Deserializes any YAML value, recording duplicate keys.
#[derive(Clone, Copy)]
struct LastWins<'a> {
    duplicates: &'a RefCell<Vec<String>>,
}

impl<'de> DeserializeSeed<'de> for LastWins<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for LastWins<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key_seed(self)? {
            let key = match key {
                Value::String(s) => s,
                Value::Null => "null".to_string(),
                other => other.to_string(),
            };
            let value = access.next_value_seed(self)?;
            if map.insert(key.clone(), value).is_some() {
                self.duplicates.borrow_mut().push(key);
            }
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_of_a_key_given_twice_wins_and_is_named() {
        let (value, duplicates) =
            parse("title: First\ntags: [a, b]\nparams:\n  x: 1\n  x: 2\ntitle: Second\nn: 1.5\n")
                .unwrap();
        assert_eq!(value["title"], "Second");
        assert_eq!(value["params"]["x"], 2);
        assert_eq!(value["tags"], serde_json::json!(["a", "b"]));
        assert_eq!(value["n"], 1.5);
        assert_eq!(duplicates, ["x", "title"]);
    }
}
