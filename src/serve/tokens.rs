//! Bearer tokens of `callcube serve`, from the environment.
//!
//! `CALLCUBE_SERVE_TOKENS="alice=s3cret,powerbi=an0ther"`: each client sends
//! `authorization: Bearer <token>` and is logged under its name. With no token
//! configured the server accepts every client, so it listens on loopback only.

use anyhow::{Result, bail};
use sha2::{Digest, Sha256};

/// The environment variable holding `name=token` pairs.
pub const ENV_TOKENS: &str = "CALLCUBE_SERVE_TOKENS";

/// Tokens shorter than this are refused: a bearer token is a password.
const MIN_TOKEN_LEN: usize = 16;

/// The configured tokens, kept as SHA-256 digests so that comparing one takes
/// the same time whatever the guess.
#[derive(Debug, Default, Clone)]
pub struct Tokens {
    users: Vec<(String, [u8; 32])>,
}

impl Tokens {
    /// The tokens of [`ENV_TOKENS`] (none when it is unset or empty).
    pub fn from_env() -> Result<Tokens> {
        Tokens::parse(&std::env::var(ENV_TOKENS).unwrap_or_default())
    }

    /// Parse `name=token` pairs separated by commas.
    pub fn parse(text: &str) -> Result<Tokens> {
        let mut users = Vec::new();
        for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((name, token)) = pair.split_once('=') else {
                bail!(
                    "{ENV_TOKENS}: `{}…` is not name=token",
                    pair.chars().take(4).collect::<String>()
                );
            };
            let (name, token) = (name.trim(), token.trim());
            if name.is_empty() || token.len() < MIN_TOKEN_LEN {
                bail!("{ENV_TOKENS}: the token of `{name}` needs a name and at least {MIN_TOKEN_LEN} characters");
            }
            users.push((name.to_string(), digest(token)));
        }
        Ok(Tokens { users })
    }

    /// Whether any token is configured.
    pub fn required(&self) -> bool {
        !self.users.is_empty()
    }

    /// The user an `authorization` header value names, or why it is refused.
    /// With no tokens configured every client is `anonymous`.
    pub fn user(&self, authorization: Option<&str>) -> Result<String, &'static str> {
        if !self.required() {
            return Ok("anonymous".into());
        }
        let Some(header) = authorization else {
            return Err("this server needs a bearer token (authorization: Bearer …)");
        };
        let Some(token) = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
        else {
            return Err("the authorization header is not `Bearer <token>`");
        };
        let guess = digest(token.trim());
        // Every user is compared, so the time does not tell which one matched.
        let mut found = None;
        for (name, d) in &self.users {
            if constant_time_eq(d, &guess) && found.is_none() {
                found = Some(name.clone());
            }
        }
        found.ok_or("the bearer token is not valid")
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_name_their_users_and_refuse_the_rest() {
        let t = Tokens::parse("alice=aaaaaaaaaaaaaaaa1, bi = bbbbbbbbbbbbbbbb2").unwrap();
        assert_eq!(t.user(Some("Bearer aaaaaaaaaaaaaaaa1")).unwrap(), "alice");
        assert_eq!(t.user(Some("Bearer bbbbbbbbbbbbbbbb2")).unwrap(), "bi");
        assert!(t.user(Some("Bearer aaaaaaaaaaaaaaaa2")).is_err());
        assert!(t.user(Some("Basic YWxpY2U6eA==")).is_err());
        assert!(t.user(None).is_err());
        assert_eq!(Tokens::parse("").unwrap().user(None).unwrap(), "anonymous");
        assert!(Tokens::parse("alice=short").is_err());
        assert!(Tokens::parse("aaaaaaaaaaaaaaaaaaaa").is_err());
    }
}
