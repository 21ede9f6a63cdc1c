//! IndexNow keys: what a key may be, and which one a site uses. The
//! build publishes the key as `<key>.txt` at the site's root, which is
//! how search engines know a submission comes from the site's owner.

use std::path::PathBuf;

use crate::network::{Network, Site};

/// A site's IndexNow key (its own, else the network's), with the file
/// that sets it.
pub fn site_key(network: &Network, site: &Site) -> Option<(String, PathBuf)> {
    match (&site.config.indexnow_key, &network.config.seo.indexnow_key) {
        (Some(key), _) => Some((key.clone(), site.dir.join("site.toml"))),
        (None, Some(key)) => Some((key.clone(), network.root.join(crate::network::NETWORK_FILE))),
        (None, None) => None,
    }
}

/// Whether `key` is one IndexNow accepts: 8 to 128 characters of
/// `a-z`, `A-Z`, `0-9` and `-`.
pub fn check_key(key: &str) -> Result<(), String> {
    let length = key.chars().count();
    if !(8..=128).contains(&length) {
        return Err(format!(
            "the IndexNow key `{key}` has {length} characters; IndexNow takes 8 to 128 (letters, digits, `-`): `openssl rand -hex 16` makes one"
        ));
    }
    if let Some(bad) = key
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return Err(format!(
            "the IndexNow key `{key}` holds `{bad}`; IndexNow takes letters, digits and `-` only"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert!(check_key("0123456789abcdef0123456789abcdef").is_ok());
        assert!(check_key("abc-DEF-123").is_ok());
        assert!(check_key("short").is_err());
        assert!(check_key("has_underscore").is_err());
        assert!(check_key(&"a".repeat(129)).is_err());
    }
}
