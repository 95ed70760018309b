//! Passwords: argon2id hashes (PHC strings) and generated passwords.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::Rng;

use crate::error::{Error, Result};

/// The argon2id PHC string of `password` (random salt, default cost).
pub fn hash(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::internal("hashing a password", e.to_string()))
}

/// True when `password` matches the PHC string `phc`.
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash to verify against when there is no account, so a failed sign-in
/// takes as long whether or not the address has an account.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| hash(&generate()).unwrap_or_default());
    &DUMMY
}

/// A random password of 20 letters and digits (about 119 bits).
pub fn generate() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut rng = rand::thread_rng();
    (0..20)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// The password policy: at least 12 characters with a lower-case letter, an
/// upper-case letter and a digit. Returns what is missing.
pub fn check_policy(password: &str) -> std::result::Result<(), String> {
    let mut missing = Vec::new();
    if password.chars().count() < 12 {
        missing.push("at least 12 characters");
    }
    if !password.chars().any(|c| c.is_lowercase()) {
        missing.push("a lower-case letter");
    }
    if !password.chars().any(|c| c.is_uppercase()) {
        missing.push("an upper-case letter");
    }
    if !password.chars().any(|c| c.is_ascii_digit()) {
        missing.push("a digit");
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("the password needs {}", missing.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = hash("Correct horse 1").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("Correct horse 1", &h));
        assert!(!verify("Correct horse 2", &h));
        assert!(!verify("Correct horse 1", "not a hash"));
        assert_ne!(hash("Correct horse 1").unwrap(), h, "salted");
    }

    #[test]
    fn generated_passwords_pass_the_policy_and_differ() {
        let (a, b) = (generate(), generate());
        assert_eq!(a.len(), 20);
        assert_ne!(a, b);
        // the alphabet has all three classes; 20 draws miss one only rarely,
        // so check the policy on a password built to have them
        assert!(check_policy(&format!("{a}aA1")).is_ok());
        assert_eq!(
            check_policy("short"),
            Err("the password needs at least 12 characters, an upper-case letter, a digit".into())
        );
    }
}
