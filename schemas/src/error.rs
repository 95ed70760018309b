//! The crate's one error type.

/// Why an event could not be encoded or decoded.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("message too short for Avro single-object encoding ({0} bytes)")]
    TooShort(usize),
    #[error("not Avro single-object encoding (marker {0:#04x} {1:#04x}, expected 0xc3 0x01)")]
    BadMarker(u8, u8),
    #[error("unknown writer schema fingerprint {0:016x}")]
    UnknownSchema(u64),
    #[error("writer schema {writer} cannot be read as {reader}")]
    WrongType { writer: String, reader: String },
    #[error("avro: {0}")]
    Avro(#[from] Box<apache_avro::Error>),
    #[error("invalid event: {0}")]
    Invalid(String),
}

impl From<apache_avro::Error> for Error {
    fn from(e: apache_avro::Error) -> Self {
        Error::Avro(Box::new(e))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
