//! The statuses events carry, as enums. The Avro fields stay strings (the
//! contract other tools read); these give the code one spelling of each value
//! and the list each event's `validate` checks against.

macro_rules! statuses {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)*
        }

        impl $name {
            /// Every value, as the events spell it.
            pub const NAMES: &[&str] = &[$($text),*];

            /// The value as the events spell it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            /// Whether `s` is this status.
            pub fn is(self, s: &str) -> bool {
                s == self.as_str()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<$name> for String {
            fn from(s: $name) -> String {
                s.as_str().to_string()
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)*
                    other => Err(format!("{other:?} is not one of {:?}", $name::NAMES)),
                }
            }
        }
    };
}

statuses! {
    /// The status of an order event.
    OrderStatus {
        Created = "CREATED",
        Confirmed = "CONFIRMED",
        Cancelled = "CANCELLED",
        Shipped = "SHIPPED",
        Delivered = "DELIVERED",
        Completed = "COMPLETED",
        Returned = "RETURNED",
    }
}

statuses! {
    /// The status of a payment event.
    PaymentStatus {
        Pending = "PENDING",
        Captured = "CAPTURED",
        Failed = "FAILED",
        Declined = "DECLINED",
        Refunded = "REFUNDED",
    }
}

statuses! {
    /// The status of a shipment event. `Cancelled`: the label was voided
    /// before hand-over (the order was cancelled).
    ShipmentStatus {
        LabelCreated = "LABEL_CREATED",
        Shipped = "SHIPPED",
        Delivered = "DELIVERED",
        Rto = "RTO",
        Cancelled = "CANCELLED",
    }
}

statuses! {
    /// The status of a return event.
    ReturnStatus {
        Requested = "REQUESTED",
        Received = "RECEIVED",
        Refunded = "REFUNDED",
    }
}
