//! The labels a post can get, and one value per label.

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::ops::{Index, IndexMut};

/// What a post is judged to be. Adding a label is one variant here (with
/// its name and place in [`Label::ALL`]) plus its weights in `weights.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    /// The author reports a self-built solution.
    Solution,
    /// ... made for their own use rather than to sell.
    UserInnovation,
    /// The author states an unmet need.
    Need,
    /// The post presents a company's product or a paid offering.
    Commercial,
}

/// How many labels there are.
const COUNT: usize = 4;

impl Label {
    /// Every label, in the order outputs list them.
    pub const ALL: [Label; COUNT] = [Label::Solution, Label::UserInnovation, Label::Need, Label::Commercial];

    /// The label's name in files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Label::Solution => "solution",
            Label::UserInnovation => "user_innovation",
            Label::Need => "need",
            Label::Commercial => "commercial",
        }
    }

    /// The label named `name`.
    pub fn from_name(name: &str) -> Option<Label> {
        Label::ALL.into_iter().find(|l| l.name() == name)
    }

    /// The names of all labels, comma-separated (for messages).
    pub fn names() -> String {
        Label::ALL.map(Label::name).join(", ")
    }

    /// Whether the label's score is derived from other labels' scores
    /// rather than weighed from signals (`user_innovation` is the solution
    /// score discounted by commercial evidence).
    pub fn is_derived(self) -> bool {
        self == Label::UserInnovation
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One value per [`Label`], indexed by label; serialized as an object with
/// the labels' names as keys, in [`Label::ALL`] order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct PerLabel<T>([T; COUNT]);

impl<T> PerLabel<T> {
    /// The values `f` gives each label.
    pub fn from_fn(mut f: impl FnMut(Label) -> T) -> Self {
        PerLabel(Label::ALL.map(&mut f))
    }

    /// Each label with its value, in [`Label::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (Label, &T)> {
        Label::ALL.into_iter().zip(&self.0)
    }

    /// The values, in [`Label::ALL`] order.
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.0.iter()
    }
}

impl PerLabel<u64> {
    /// Counts one post's labels.
    pub fn count(&mut self, labels: &PerLabel<bool>) {
        for (label, on) in labels.iter() {
            self[label] += u64::from(*on);
        }
    }
}

impl<T> From<[T; COUNT]> for PerLabel<T> {
    /// The values in [`Label::ALL`] order.
    fn from(values: [T; COUNT]) -> Self {
        PerLabel(values)
    }
}

impl<T> Index<Label> for PerLabel<T> {
    type Output = T;
    fn index(&self, label: Label) -> &T {
        &self.0[label.index()]
    }
}

impl<T> IndexMut<Label> for PerLabel<T> {
    fn index_mut(&mut self, label: Label) -> &mut T {
        &mut self.0[label.index()]
    }
}

impl<T: Serialize> Serialize for PerLabel<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(COUNT))?;
        for (label, value) in self.iter() {
            map.serialize_entry(label.name(), value)?;
        }
        map.end()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for PerLabel<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PerLabelVisitor<T>(std::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for PerLabelVisitor<T> {
            type Value = PerLabel<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "an object with one value per label ({})", Label::names())
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut values: [Option<T>; COUNT] = Default::default();
                // Keys are read as text: the labels are serialized by name,
                // which binary formats do not read back as an enum.
                while let Some(name) = map.next_key::<String>()? {
                    let key = Label::from_name(&name).ok_or_else(|| {
                        de::Error::custom(format!("unknown label '{name}' (known: {})", Label::names()))
                    })?;
                    let slot = &mut values[key.index()];
                    if slot.is_some() {
                        return Err(de::Error::custom(format!("label '{key}' given twice")));
                    }
                    *slot = Some(map.next_value()?);
                }
                let mut missing = Label::ALL.into_iter().filter(|l| values[l.index()].is_none());
                if let Some(label) = missing.next() {
                    return Err(de::Error::custom(format!("no value for label '{label}'")));
                }
                Ok(PerLabel(values.map(|v| v.expect("every label checked above"))))
            }
        }

        deserializer.deserialize_map(PerLabelVisitor(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_order_is_the_outputs() {
        for label in Label::ALL {
            assert_eq!(Label::from_name(label.name()), Some(label));
        }
        assert_eq!(Label::names(), "solution, user_innovation, need, commercial");
        assert_eq!(Label::from_name("soluton"), None);
    }

    #[test]
    fn values_serialize_as_an_object_in_label_order() {
        let mut scores = PerLabel::from_fn(|l| l as u8 as f32 / 4.0);
        scores[Label::Commercial] = 0.125;
        let json = serde_json::to_string(&scores).expect("json");
        assert_eq!(json, r#"{"solution":0.0,"user_innovation":0.25,"need":0.5,"commercial":0.125}"#);
        assert_eq!(serde_json::from_str::<PerLabel<f32>>(&json).expect("back"), scores);
        let bytes = postcard::to_allocvec(&scores).expect("postcard");
        assert_eq!(postcard::from_bytes::<PerLabel<f32>>(&bytes).expect("back"), scores);
        let missing = serde_json::from_str::<PerLabel<bool>>(r#"{"solution":true}"#).unwrap_err();
        assert!(missing.to_string().contains("no value for label 'user_innovation'"), "{missing}");
        assert!(serde_json::from_str::<PerLabel<bool>>(r#"{"soluton":true}"#).is_err());
    }
}
