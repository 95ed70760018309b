//! Topic names. Every topic name is `<prefix>.<base>` so tests and benchmarks can
//! isolate themselves with a random prefix.

use std::fmt;

/// The topics of GlobalCart 360.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Topic {
    Customers,
    Products,
    Orders,
    Payments,
    Shipments,
    Returns,
    Clickstream,
    DeadLetter,
}

impl Topic {
    /// Every topic, in load order (dimensions first).
    pub const ALL: [Topic; 8] = [
        Topic::Customers,
        Topic::Products,
        Topic::Orders,
        Topic::Payments,
        Topic::Shipments,
        Topic::Returns,
        Topic::Clickstream,
        Topic::DeadLetter,
    ];

    /// The topics that carry business events (all but the dead-letter topic).
    pub const EVENTS: [Topic; 7] = [
        Topic::Customers,
        Topic::Products,
        Topic::Orders,
        Topic::Payments,
        Topic::Shipments,
        Topic::Returns,
        Topic::Clickstream,
    ];

    /// The unprefixed name.
    pub fn base(self) -> &'static str {
        match self {
            Topic::Customers => "customers",
            Topic::Products => "products",
            Topic::Orders => "orders",
            Topic::Payments => "payments",
            Topic::Shipments => "shipments",
            Topic::Returns => "returns",
            Topic::Clickstream => "clickstream",
            Topic::DeadLetter => "dead_letter",
        }
    }

    /// The full topic name under `prefix`.
    pub fn name(self, prefix: &str) -> String {
        format!("{prefix}.{}", self.base())
    }

    /// Parses a base name (`orders`) back to a topic.
    pub fn from_base(base: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.base() == base)
    }

    /// Parses a full topic name under `prefix`.
    pub fn from_name(prefix: &str, name: &str) -> Option<Topic> {
        name.strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix('.'))
            .and_then(Topic::from_base)
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.base())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefixed_name_parses_back_to_its_topic() {
        for t in Topic::ALL {
            assert_eq!(Topic::from_name("gc", &t.name("gc")), Some(t));
        }
        assert_eq!(Topic::from_name("gc", "other.orders"), None);
    }
}
