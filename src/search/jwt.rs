//! A Google service account's access token: the key file's JSON (as the
//! Cloud console downloads it), a JWT assertion signed with its RSA key
//! (RS256), exchanged at its `token_uri` for a bearer token (the OAuth 2.0
//! JWT bearer grant, RFC 7523).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use serde::Deserialize;

/// The scope Search Console's read-only API needs.
pub const SCOPE: &str = "https://www.googleapis.com/auth/webmasters.readonly";

/// The fields of a service account key file Grove uses.
#[derive(Deserialize)]
pub struct ServiceAccount {
    /// The account's email: the JWT's issuer, and the user to add to a
    /// Search Console property.
    pub client_email: String,
    /// The PEM-encoded PKCS#8 RSA private key.
    private_key: String,
    /// Which of the account's keys it is.
    #[serde(default)]
    private_key_id: Option<String>,
    /// Where tokens are issued.
    pub token_uri: String,
}

impl std::fmt::Debug for ServiceAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The private key never reaches a message.
        f.debug_struct("ServiceAccount")
            .field("client_email", &self.client_email)
            .field("token_uri", &self.token_uri)
            .finish_non_exhaustive()
    }
}

impl ServiceAccount {
    /// Reads a key file's JSON; `Err` says what is wrong without quoting
    /// the key.
    pub fn parse(text: &str) -> Result<ServiceAccount, String> {
        serde_json::from_str(text).map_err(|e| {
            format!(
                "not a service account key file (a JSON with client_email, private_key and token_uri): {}",
                e.to_string().split(" at line").next().unwrap_or_default()
            )
        })
    }

    /// The signed JWT assertion asking for `scope`, issued at `now` (Unix
    /// seconds), valid for an hour.
    pub fn assertion(&self, scope: &str, now: u64) -> Result<String, String> {
        let key = RsaKeyPair::from_pkcs8(&pem_to_der(&self.private_key)?)
            .map_err(|e| format!("the private_key is not a PKCS#8 RSA key: {e}"))?;
        let mut header = serde_json::json!({"alg": "RS256", "typ": "JWT"});
        if let Some(id) = &self.private_key_id {
            header["kid"] = id.clone().into();
        }
        let claims = serde_json::json!({
            "iss": self.client_email,
            "scope": scope,
            "aud": self.token_uri,
            "iat": now,
            "exp": now + 3600,
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0; key.public().modulus_len()];
        key.sign(
            &RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            signing_input.as_bytes(),
            &mut signature,
        )
        .map_err(|_| "cannot sign with the private_key".to_string())?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        ))
    }
}

/// The DER bytes of a PEM block (`-----BEGIN PRIVATE KEY-----` ...).
fn pem_to_der(pem: &str) -> Result<Vec<u8>, String> {
    let body: String = pem
        .lines()
        .map(str::trim)
        .filter(|line| !line.starts_with("-----") && !line.is_empty())
        .collect();
    if body.is_empty() {
        return Err("the private_key is empty".into());
    }
    STANDARD
        .decode(body)
        .map_err(|_| "the private_key is not PEM (base64 between BEGIN and END lines)".into())
}
