//! `grove deploy`: each site's built output to its target, moving only
//! what changed. A manifest per site and target (`.grove/deploy/`) holds
//! the content hash of every file deployed: files whose hash changed or
//! that are new are uploaded, files deployed before and gone from the
//! output are deleted (at most `max_deletes`, 256 as `hugo deploy`,
//! unless `--force`), the rest stay. Files at the target Grove did not
//! deploy are never touched.
//!
//! Targets: a folder on this machine (`url = "/srv/www/{{ site.name }}"`
//! or `file:///...`), replaced atomically per site; S3-compatible
//! storage (`s3://BUCKET/PREFIX`, see [`s3`]); a folder on another
//! machine (`ssh://user@host/path`, see [`ssh`]), turned atomically with
//! a symbolic link; Netlify
//! (`netlify://SITE_ID`, see [`netlify`]) and Cloudflare Pages
//! (`cloudflare-pages://PROJECT`, see [`cloudflare_pages`]), whose
//! deploys are whole and atomic, sending only what the host lacks.

pub mod adopt;
pub mod api_call;
pub mod cdn;
pub mod cloudflare_pages;
pub mod folder;
pub mod follow_up;
pub mod indexnow;
pub mod manifest;
pub mod netlify;
pub mod precompress;
pub mod s3;
pub mod sigv4;
pub mod ssh;
pub mod verify;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::network::{DeployConfig, Network, Site};
use manifest::Manifest;

/// Deletions allowed without `--force`, as `hugo deploy`'s default.
pub const MAX_DELETES: usize = 256;

/// What `grove deploy` should do.
#[derive(Debug, Clone, Default)]
pub struct DeployOptions {
    /// Sites to deploy; all when empty.
    pub sites: Vec<String>,
    /// Say what would move; change nothing.
    pub dry_run: bool,
    /// Delete more than `max_deletes` files.
    pub force: bool,
    /// Skip fetching a sample of the files back from the live site.
    pub no_verify: bool,
    /// Skip telling IndexNow.
    pub no_indexnow: bool,
    /// Deploy here instead of the configured `url` (`{{ site.name }}`
    /// replaced); the rest of the `[deploy]` table still applies.
    pub to: Option<String>,
}

/// What deploying one site did (or would do).
#[derive(Debug, Clone, Serialize)]
pub struct SiteDeploy {
    /// The site.
    pub site: String,
    /// Where it went.
    pub target: String,
    /// Files written (new or changed).
    pub uploaded: usize,
    /// Files removed (deployed before, gone from the output).
    pub deleted: usize,
    /// Files left as they were.
    pub unchanged: usize,
    /// The paths written, for `--json` readers who want them.
    pub uploaded_paths: Vec<String>,
    /// The paths removed.
    pub deleted_paths: Vec<String>,
    /// Objects below an S3 prefix that the build does not have and that
    /// Grove cannot tell it wrote (no manifest, no mark): left as they
    /// are.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kept_unknown: Vec<String>,
    /// What the deploy could not do as usual, and what it did instead.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// What fetching a sample back from the live site found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified: Option<verify::Verified>,
    /// What IndexNow was told.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indexnow: Option<indexnow::Submitted>,
    /// What the CDN was told to forget.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cdn: Option<follow_up::Purged>,
    /// The host's deploy (Netlify, Cloudflare Pages) or release folder
    /// (SSH), with the files actually sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release: Option<Release>,
}

/// Where a site goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A folder on this machine.
    Folder(PathBuf),
    /// S3-compatible storage.
    S3(s3::Bucket),
    /// A folder on another machine, over SSH.
    Ssh(ssh::Remote),
    /// A Netlify site.
    Netlify(netlify::NetlifySite),
    /// A Cloudflare Pages project.
    CloudflarePages(cloudflare_pages::Project),
}

impl Target {
    /// The target `url` names for `site` (`{{ site.name }}` replaced;
    /// relative folders are relative to the network's folder).
    pub fn parse(
        config: &DeployConfig,
        site: &Site,
        root: &Path,
    ) -> std::result::Result<Target, String> {
        let url = config
            .url
            .replace("{{ site.name }}", &site.name)
            .replace("{{site.name}}", &site.name);
        if let Some(rest) = url.strip_prefix("s3://") {
            let (name, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if name.is_empty() {
                return Err(format!("`{url}` names no bucket: s3://BUCKET/PREFIX"));
            }
            return Ok(Target::S3(s3::Bucket {
                name: name.to_string(),
                prefix: prefix.trim_matches('/').to_string(),
                endpoint: config.endpoint.clone(),
                region: config.region.clone().unwrap_or_else(|| "us-east-1".into()),
                gzip: config.precompress.unwrap_or(false),
                website: config.website.unwrap_or(false),
                owner: site.name.clone(),
            }));
        }
        if url.starts_with("ssh://") {
            return ssh::Remote::parse(&url, &config.ssh_args).map(Target::Ssh);
        }
        if let Some(id) = url.strip_prefix("netlify://") {
            let id = id.trim_matches('/');
            if id.is_empty() {
                return Err(format!(
                    "`{url}` names no site: netlify://SITE_ID (the site's API id, or name.netlify.app)"
                ));
            }
            return Ok(Target::Netlify(netlify::NetlifySite {
                id: id.to_string(),
                api: config
                    .endpoint
                    .clone()
                    .unwrap_or_else(|| netlify::API.into()),
            }));
        }
        if let Some(name) = url.strip_prefix("cloudflare-pages://") {
            let name = name.trim_matches('/');
            if name.is_empty() {
                return Err(format!(
                    "`{url}` names no project: cloudflare-pages://PROJECT"
                ));
            }
            let account_id = config
                .account_id
                .clone()
                .or_else(|| std::env::var("CLOUDFLARE_ACCOUNT_ID").ok().filter(|v| !v.is_empty()))
                .ok_or_else(|| {
                    "a Cloudflare Pages target needs the account: account_id = \"...\" in [deploy], or the CLOUDFLARE_ACCOUNT_ID variable".to_string()
                })?;
            return Ok(Target::CloudflarePages(cloudflare_pages::Project {
                name: name.to_string(),
                account_id,
                branch: config.branch.clone(),
                api: config
                    .endpoint
                    .clone()
                    .unwrap_or_else(|| cloudflare_pages::API.into()),
            }));
        }
        if let Some(path) = url.strip_prefix("file://") {
            return Ok(Target::Folder(PathBuf::from(path)));
        }
        if let Some((scheme, _)) = url.split_once("://") {
            return Err(format!(
                "`{scheme}://` is not a deploy target: use a folder (a path or file:///path), ssh://user@host/path, s3://BUCKET/PREFIX, netlify://SITE_ID or cloudflare-pages://PROJECT"
            ));
        }
        let path = PathBuf::from(&url);
        Ok(Target::Folder(if path.is_absolute() {
            path
        } else {
            root.join(path)
        }))
    }

    /// The target as the manifest and messages name it.
    pub fn name(&self) -> String {
        match self {
            Target::Folder(path) => format!("file://{}", path.display()),
            Target::S3(bucket) => match &bucket.endpoint {
                Some(endpoint) => format!("s3://{}/{} at {endpoint}", bucket.name, bucket.prefix),
                None => format!("s3://{}/{}", bucket.name, bucket.prefix),
            },
            Target::Ssh(remote) => match remote.port {
                Some(port) => format!("ssh://{}:{port}{}", remote.destination, remote.path),
                None => format!("ssh://{}{}", remote.destination, remote.path),
            },
            Target::Netlify(site) => format!("netlify://{}", site.id),
            Target::CloudflarePages(project) => match &project.branch {
                Some(branch) => format!("cloudflare-pages://{} ({branch})", project.name),
                None => format!("cloudflare-pages://{}", project.name),
            },
        }
    }
}

/// The files of a built site: path below its folder (`/`-separated) ->
/// XXH3-128 of its bytes, hex.
pub fn local_files(dir: &Path) -> Result<BTreeMap<String, String>> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry =
            entry.map_err(|e| Error::Usage(format!("cannot read {}: {e}", dir.display())))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let bytes = std::fs::read(entry.path())
            .map_err(|source| Error::io(entry.path(), "cannot read file", source))?;
        let rel = entry
            .path()
            .strip_prefix(dir)
            .expect("walked below dir")
            .to_string_lossy()
            .replace('\\', "/");
        files.insert(rel, format!("{:032x}", xxhash_rust::xxh3::xxh3_128(&bytes)));
    }
    Ok(files)
}

/// What moves: uploads (new or changed), deletions, and the count left.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Paths to write.
    pub upload: Vec<String>,
    /// Paths to remove.
    pub delete: Vec<String>,
    /// Paths left as they are.
    pub unchanged: usize,
}

/// The plan from `local` files to a target that holds `deployed` (the
/// manifest); `present` says whether a deployed file is still there.
pub fn plan(
    local: &BTreeMap<String, String>,
    deployed: &BTreeMap<String, String>,
    present: impl Fn(&str) -> bool,
) -> Plan {
    let mut plan = Plan::default();
    for (path, hash) in local {
        if deployed.get(path) == Some(hash) && present(path) {
            plan.unchanged += 1;
        } else {
            plan.upload.push(path.clone());
        }
    }
    plan.delete = deployed
        .keys()
        .filter(|path| !local.contains_key(*path))
        .cloned()
        .collect();
    plan
}

/// Deploys the selected sites.
pub fn deploy(network: &Network, options: &DeployOptions) -> Result<Vec<SiteDeploy>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Usage(format!("cannot start the async runtime: {e}")))?;
    network
        .select(&options.sites, None)?
        .into_iter()
        .map(|site| deploy_site(network, site, options, &runtime))
        .collect()
}

/// The `[deploy]` table that applies to `site` (with `--to`'s URL).
fn site_config(network: &Network, site: &Site, options: &DeployOptions) -> Result<DeployConfig> {
    let configured = site
        .config
        .deploy
        .as_ref()
        .or(network.config.deploy.as_ref());
    match (&options.to, configured) {
        (Some(url), configured) => Ok(DeployConfig {
            url: url.clone(),
            ..configured.cloned().unwrap_or_default()
        }),
        (None, Some(config)) => Ok(config.clone()),
        (None, None) => Err(Error::Usage(format!(
            "site `{}` has nowhere to go: add a [deploy] table with url = \"...\" to its site.toml, or one for every site to grove.toml (url = \"/srv/www/{{{{ site.name }}}}\")",
            site.name
        ))),
    }
}

fn deploy_site(
    network: &Network,
    site: &Site,
    options: &DeployOptions,
    runtime: &tokio::runtime::Runtime,
) -> Result<SiteDeploy> {
    let config = site_config(network, site, options)?;
    let target = Target::parse(&config, site, &network.root).map_err(|message| Error::Config {
        location: crate::error::Location::file(site.dir.join("site.toml")),
        message,
    })?;
    let built = network.output_dir().join(&site.name);
    if !built.is_dir() {
        return Err(Error::Usage(format!(
            "site `{}` is not built ({} is missing): run `grove build` first",
            site.name,
            built.display()
        )));
    }
    let mut notes = Vec::new();
    let (built, local) = tree_to_deploy(network, site, &target, &config, built, &mut notes)?;
    let mut manifest = Manifest::read(network, site, &target.name())?;
    let mut unknown = Vec::new();
    if let Target::S3(bucket) = &target
        && manifest.files.is_empty()
    {
        match read_back(bucket, &config, &built, &local, runtime) {
            Ok(adopted) => {
                manifest.files = adopted.files;
                unknown = adopted.unknown;
            }
            Err(e) => notes.push(format!(
                "no manifest, and the bucket could not be listed ({e}): every file is sent, nothing deleted"
            )),
        }
    }
    let plan = match &target {
        Target::Folder(folder) => {
            folder::check(network, folder)?;
            plan(&local, &manifest.files, |path| folder.join(path).is_file())
        }
        // What the manifest says was deployed is there.
        Target::S3(_) | Target::Ssh(_) | Target::Netlify(_) | Target::CloudflarePages(_) => {
            plan(&local, &manifest.files, |_| true)
        }
    };
    let max = config.max_deletes.unwrap_or(MAX_DELETES);
    if plan.delete.len() > max && !options.force {
        return Err(Error::Usage(format!(
            "site `{}`: {} files would be deleted from {}, over the {max} allowed ([deploy] max_deletes): check the build, then deploy with --force",
            site.name,
            plan.delete.len(),
            target.name()
        )));
    }
    let mut followed = follow_up::FollowUp::default();
    let mut release = None;
    if !options.dry_run {
        let outgoing = Outgoing {
            built: &built,
            base_path: &site.base_path,
            local: &local,
            plan: &plan,
            deployed: &manifest.files,
        };
        release = send(&target, &config, &outgoing, runtime)?;
        let record = Manifest {
            target: target.name(),
            files: local,
            indexnow_pending: manifest.indexnow_pending,
            cdn_pending: manifest.cdn_pending,
        };
        let steps = follow_up::Steps {
            network,
            site,
            config: &config,
            options,
            built: &built,
            plan: &plan,
        };
        followed = steps.run(record, runtime)?;
    }
    Ok(SiteDeploy {
        site: site.name.clone(),
        target: target.name(),
        uploaded: plan.upload.len(),
        deleted: plan.delete.len(),
        unchanged: plan.unchanged,
        uploaded_paths: plan.upload,
        deleted_paths: plan.delete,
        kept_unknown: unknown,
        notes,
        verified: followed.verified,
        indexnow: followed.indexnow,
        cdn: followed.cdn,
        release,
    })
}

/// The tree deployed and its files (path -> hash): the build, or for a
/// folder or SSH target with `precompress` the build with gzip copies
/// beside its text files. Hosts that compress themselves get a note.
fn tree_to_deploy(
    network: &Network,
    site: &Site,
    target: &Target,
    config: &DeployConfig,
    built: PathBuf,
    notes: &mut Vec<String>,
) -> Result<(PathBuf, BTreeMap<String, String>)> {
    let local = local_files(&built)?;
    match (target, config.precompress) {
        (Target::Folder(_) | Target::Ssh(_), Some(true)) => precompress::prepare(
            &crate::state::dir(&network.root).join(manifest::DEPLOY_DIR),
            &site.name,
            &built,
            &local,
        ),
        (Target::Netlify(_) | Target::CloudflarePages(_), Some(true)) => {
            notes.push(
                "precompress is for S3, folders and SSH; this host compresses what it serves itself"
                    .to_string(),
            );
            Ok((built, local))
        }
        _ => Ok((built, local)),
    }
}

/// What an S3 bucket without a manifest holds ([`adopt`]). A bucket that
/// cannot be listed (a key without s3:ListBucket, no keys for a dry run)
/// is an error the caller turns into a note: every file is then sent,
/// nothing deleted.
fn read_back(
    bucket: &s3::Bucket,
    config: &DeployConfig,
    built: &Path,
    local: &BTreeMap<String, String>,
    runtime: &tokio::runtime::Runtime,
) -> Result<adopt::Adopted> {
    let client = s3::Client::new(bucket.clone(), credentials(config)?)?;
    runtime.block_on(adopt::adopt(&client, built, local, &bucket.owner))
}

/// What a deploy sends: the built site, its files, the plan, and what
/// the manifest says was deployed.
struct Outgoing<'a> {
    built: &'a Path,
    base_path: &'a str,
    local: &'a BTreeMap<String, String>,
    plan: &'a Plan,
    deployed: &'a BTreeMap<String, String>,
}

/// What a target made of a deploy, when it makes something with a name:
/// a Netlify deploy, a Cloudflare Pages deployment, a release folder over
/// SSH.
#[derive(Debug, Clone, Serialize)]
pub struct Release {
    /// Its id (or the release folder).
    pub id: String,
    /// Files actually sent (hosts keep what they hold).
    pub sent: usize,
}

/// Puts the plan's files at the target.
fn send(
    target: &Target,
    config: &DeployConfig,
    outgoing: &Outgoing<'_>,
    runtime: &tokio::runtime::Runtime,
) -> Result<Option<Release>> {
    let Outgoing {
        built,
        base_path,
        local,
        plan,
        deployed,
    } = *outgoing;
    match target {
        Target::Folder(folder) => folder::apply(built, folder, plan, deployed).map(|()| None),
        Target::S3(bucket) => {
            let client = s3::Client::new(bucket.clone(), credentials(config)?)?;
            let redirects = if bucket.website {
                s3::website_redirects(built, base_path)
            } else {
                BTreeMap::new()
            };
            runtime
                .block_on(client.apply(built, &plan.upload, &plan.delete, &redirects))
                .map(|()| None)
        }
        Target::Ssh(remote) => remote
            .apply(built, &plan.upload, &plan.delete)
            .map(|release| {
                Some(Release {
                    id: release,
                    sent: plan.upload.len(),
                })
            }),
        // Hosting APIs take the whole site and keep what they already
        // hold; only what they lack is sent.
        Target::Netlify(netlify_site) => {
            let token = secret(
                config.token_env.as_deref().unwrap_or("NETLIFY_AUTH_TOKEN"),
                "Netlify's API token",
            )?;
            let paths: Vec<String> = local.keys().cloned().collect();
            let sent = runtime.block_on(netlify::deploy(netlify_site, &token, built, &paths))?;
            Ok(Some(Release {
                id: sent.deploy_id,
                sent: sent.files,
            }))
        }
        Target::CloudflarePages(project) => {
            let token = secret(
                config
                    .token_env
                    .as_deref()
                    .unwrap_or("CLOUDFLARE_API_TOKEN"),
                "a Cloudflare API token with Pages: Edit",
            )?;
            let paths: Vec<String> = local.keys().cloned().collect();
            let sent =
                runtime.block_on(cloudflare_pages::deploy(project, &token, built, &paths))?;
            Ok(Some(Release {
                id: sent.deployment_id,
                sent: sent.files,
            }))
        }
    }
}

/// The value of the environment variable `name`, holding `what`.
pub(crate) fn secret(name: &str, what: &str) -> Result<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty()).ok_or_else(|| {
        Error::Usage(format!(
            "{name} is not set: it holds {what}; credentials come from the environment ([deploy] names other variables)"
        ))
    })
}

/// The S3 keys, from the variables `config` names (the AWS ones by
/// default).
pub(crate) fn credentials(config: &DeployConfig) -> Result<sigv4::Credentials> {
    Ok(sigv4::Credentials {
        access_key: secret(
            config
                .access_key_env
                .as_deref()
                .unwrap_or("AWS_ACCESS_KEY_ID"),
            "the storage's access key id",
        )?,
        secret_key: secret(
            config
                .secret_key_env
                .as_deref()
                .unwrap_or("AWS_SECRET_ACCESS_KEY"),
            "the storage's secret access key",
        )?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_changed_moves() {
        let map = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        let local = map(&[("a.html", "1"), ("b.html", "2"), ("c.html", "3")]);
        let deployed = map(&[("a.html", "1"), ("b.html", "9"), ("gone.html", "4")]);
        let plan = plan(&local, &deployed, |_| true);
        assert_eq!(plan.upload, ["b.html", "c.html"]);
        assert_eq!(plan.delete, ["gone.html"]);
        assert_eq!(plan.unchanged, 1);
        // A deployed file someone removed at the target is written again.
        let plan = super::plan(&local, &deployed, |p| p != "a.html");
        assert_eq!(plan.upload, ["a.html", "b.html", "c.html"]);
    }
}
