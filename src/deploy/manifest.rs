//! What was deployed where: `.grove/deploy/<site>.json`, the target and
//! the hash of every file deployed to it. A site deployed to another
//! target starts from nothing there.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::network::{Network, Site};
use crate::output::write_atomic;

/// Where manifests are kept, in `.grove/`.
pub const DEPLOY_DIR: &str = "deploy";

/// One site's last deploy.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    /// The target (`file:///srv/www/site`).
    pub target: String,
    /// Path -> hash of each file deployed.
    pub files: BTreeMap<String, String>,
    /// Page URLs deployed but not yet accepted by IndexNow (sent with
    /// the next deploy).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexnow_pending: Vec<String>,
    /// URL paths deployed but not yet invalidated at the CDN (sent with
    /// the next deploy).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cdn_pending: Vec<String>,
}

impl Manifest {
    fn path(network: &Network, site: &Site) -> PathBuf {
        crate::state::dir(&network.root)
            .join(DEPLOY_DIR)
            .join(format!("{}.json", site.name))
    }

    /// `site`'s manifest for `target` (empty if it was deployed elsewhere
    /// or never).
    pub fn read(network: &Network, site: &Site, target: &str) -> Result<Manifest> {
        let path = Manifest::path(network, site);
        let Ok(text) = std::fs::read_to_string(&path) else {
            return Ok(Manifest::default());
        };
        let manifest: Manifest = serde_json::from_str(&text).map_err(|e| Error::Content {
            location: crate::error::Location::file(&path),
            message: format!("not a deploy manifest ({e}): delete it to deploy every file again"),
        })?;
        Ok(if manifest.target == target {
            manifest
        } else {
            Manifest::default()
        })
    }

    /// Writes it as `site`'s manifest.
    pub fn write(&self, network: &Network, site: &Site) -> Result<()> {
        let path = Manifest::path(network, site);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|source| Error::io(parent, "cannot create folder", source))?;
        }
        let json = serde_json::to_vec_pretty(self).expect("a manifest serializes");
        write_atomic(&path, &json)
    }
}
