//! Passwords and random tokens.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::audit::hex;
use crate::error::{Result, StoreError};

/// Argon2id (the crate's defaults: m=19456 KiB, t=2, p=1) as a PHC string.
pub fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt).map_err(StoreError::other)?;
    let salt = SaltString::encode_b64(&salt).map_err(StoreError::other)?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(StoreError::other)
}

/// Whether `password` matches the PHC string `phc` (false for a malformed hash).
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// 256 random bits as 64 hex characters (session tokens, CSRF tokens).
pub fn random_token() -> Result<String> {
    let mut buf = [0u8; 32];
    getrandom::getrandom(&mut buf).map_err(StoreError::other)?;
    Ok(hex(&buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_round_trip() {
        let h = hash_password("正确的密码 1").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("正确的密码 1", &h));
        assert!(!verify_password("错误的密码", &h));
        assert!(!verify_password("x", "not a hash"));
        assert_ne!(h, hash_password("正确的密码 1").unwrap(), "salted");
    }

    #[test]
    fn tokens_are_random_hex() {
        let a = random_token().unwrap();
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(a, random_token().unwrap());
    }
}
