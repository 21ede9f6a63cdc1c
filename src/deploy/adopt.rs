//! A deploy to S3 without a manifest (another machine, a CI cache gone):
//! what the bucket already holds is read instead of sent again. An
//! object whose ETag is the MD5 of what would be sent counts as deployed
//! and unchanged; an object the build no longer has is deleted when
//! Grove marked it as this site's (`x-amz-meta-grove-site`), and is
//! otherwise left where it is and reported: Grove never deletes what it
//! cannot tell it wrote.

use std::collections::BTreeMap;
use std::path::Path;

use futures_util::stream::{self, StreamExt};

use super::s3::Client;
use crate::error::Result;

/// HEAD requests in flight at once.
const IN_FLIGHT: usize = 8;

/// What the bucket was found to hold.
#[derive(Debug, Default)]
pub struct Adopted {
    /// Path -> hash, as a manifest would say: the build's hash for
    /// objects that hold what the build has, none (an empty hash) for
    /// objects of this site the build no longer has.
    pub files: BTreeMap<String, String>,
    /// Objects the build does not have and that carry no mark of this
    /// site: left as they are.
    pub unknown: Vec<String>,
}

/// Reads what `client`'s bucket holds below its prefix, against `local`
/// (path -> hash of the build at `built`) for site `owner`.
pub async fn adopt(
    client: &Client,
    built: &Path,
    local: &BTreeMap<String, String>,
    owner: &str,
) -> Result<Adopted> {
    let mut adopted = Adopted::default();
    let mut strangers = Vec::new();
    for (path, etag) in client.list().await? {
        match local.get(&path) {
            Some(hash) => {
                let (bytes, _) = client.payload(built, &path)?;
                if format!("{:x}", md5::compute(&bytes)) == etag {
                    adopted.files.insert(path, hash.clone());
                }
            }
            None => strangers.push(path),
        }
    }
    let owners = stream::iter(strangers.into_iter().map(|path| async move {
        let owner = client.owner_of(&path).await;
        (path, owner)
    }))
    .buffer_unordered(IN_FLIGHT)
    .collect::<Vec<_>>()
    .await;
    for (path, found) in owners {
        if found?.as_deref() == Some(owner) {
            adopted.files.insert(path, String::new());
        } else {
            adopted.unknown.push(path);
        }
    }
    adopted.unknown.sort();
    Ok(adopted)
}
