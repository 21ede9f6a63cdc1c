//! What follows a deploy once the files are at the target, in order: the
//! CDN forgets the changed paths ([`super::cdn`]), IndexNow hears about
//! the changed pages ([`super::indexnow`]), and a sample is fetched back
//! from the live site ([`super::verify`]). What the CDN or IndexNow
//! could not take is kept in the manifest, written before each is asked,
//! and sent again by the next deploy.

use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use super::manifest::Manifest;
use super::{DeployOptions, Plan, cdn, credentials, indexnow, secret, verify};
use crate::error::Result;
use crate::network::{DeployConfig, Network, Site};

/// What the CDN was told.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Purged {
    /// `cloudfront` or `cloudflare`.
    pub cdn: String,
    /// Paths or URLs invalidated (`/*` or none for everything).
    pub invalidated: Vec<String>,
}

/// What the follow-up steps found.
#[derive(Debug, Default)]
pub struct FollowUp {
    /// The CDN's invalidation.
    pub cdn: Option<Purged>,
    /// IndexNow's submission.
    pub indexnow: Option<indexnow::Submitted>,
    /// The live sample.
    pub verified: Option<verify::Verified>,
}

/// One site's deploy, done, and what follows it.
pub struct Steps<'a> {
    /// The network.
    pub network: &'a Network,
    /// The site.
    pub site: &'a Site,
    /// Its `[deploy]` table.
    pub config: &'a DeployConfig,
    /// The command's options.
    pub options: &'a DeployOptions,
    /// Its built output.
    pub built: &'a Path,
    /// What moved.
    pub plan: &'a Plan,
}

impl Steps<'_> {
    /// Records `record` and runs the steps.
    pub fn run(&self, mut record: Manifest, runtime: &tokio::runtime::Runtime) -> Result<FollowUp> {
        let changed: Vec<String> = self
            .plan
            .upload
            .iter()
            .chain(&self.plan.delete)
            .cloned()
            .collect();
        let cdn = self.purge(&mut record, &changed, runtime)?;
        let indexnow = self.submit(&mut record, &changed, runtime)?;
        record.write(self.network, self.site)?;
        let verified = self.verify(runtime);
        Ok(FollowUp {
            cdn,
            indexnow,
            verified,
        })
    }

    /// Invalidates the changed paths at the configured CDN; a failure
    /// leaves them pending and is an error (the site may be stale).
    fn purge(
        &self,
        record: &mut Manifest,
        changed: &[String],
        runtime: &tokio::runtime::Runtime,
    ) -> Result<Option<Purged>> {
        let config = self.config;
        if config.cloudfront_distribution.is_none() && config.cloudflare_zone.is_none() {
            return Ok(None);
        }
        for path in cdn::changed_paths(&self.site.base_path, changed) {
            if !record.cdn_pending.contains(&path) {
                record.cdn_pending.push(path);
            }
        }
        record.write(self.network, self.site)?;
        if record.cdn_pending.is_empty() {
            return Ok(None);
        }
        let purged = if let Some(distribution) = &config.cloudfront_distribution {
            let api = config
                .cdn_endpoint
                .as_deref()
                .unwrap_or(cdn::CLOUDFRONT_API);
            let keys = credentials(config)?;
            let invalidated = runtime.block_on(cdn::cloudfront(
                api,
                distribution,
                &keys,
                &record.cdn_pending,
            ))?;
            Purged {
                cdn: "cloudfront".into(),
                invalidated,
            }
        } else {
            let zone = config
                .cloudflare_zone
                .as_deref()
                .expect("one CDN is configured");
            let api = config
                .cdn_endpoint
                .as_deref()
                .unwrap_or(cdn::CLOUDFLARE_API);
            let token = secret(
                config
                    .cloudflare_token_env
                    .as_deref()
                    .unwrap_or("CLOUDFLARE_API_TOKEN"),
                "a Cloudflare API token with Cache Purge",
            )?;
            let origin = origin(&self.site.base_url);
            let urls: Vec<String> = record
                .cdn_pending
                .iter()
                .map(|p| format!("{origin}{p}"))
                .collect();
            let count = runtime.block_on(cdn::cloudflare(api, zone, &token, &urls))?;
            Purged {
                cdn: "cloudflare".into(),
                invalidated: if count == 0 { Vec::new() } else { urls },
            }
        };
        record.cdn_pending.clear();
        Ok(Some(purged))
    }

    /// Submits the changed pages to IndexNow when the site has a key.
    fn submit(
        &self,
        record: &mut Manifest,
        changed: &[String],
        runtime: &tokio::runtime::Runtime,
    ) -> Result<Option<indexnow::Submitted>> {
        let Some((key, _)) = crate::seo::indexnow::site_key(self.network, self.site) else {
            return Ok(None);
        };
        if self.options.no_indexnow {
            return Ok(None);
        }
        for url in indexnow::page_urls(&self.site.base_url, self.built, changed) {
            if !record.indexnow_pending.contains(&url) {
                record.indexnow_pending.push(url);
            }
        }
        // Kept before sending: a failed or killed submission is sent again
        // by the next deploy.
        record.write(self.network, self.site)?;
        if record.indexnow_pending.is_empty() {
            return Ok(None);
        }
        let endpoint = &self.network.config.seo.indexnow_endpoint;
        let result = runtime.block_on(indexnow::submit(
            endpoint,
            &self.site.base_url,
            &key,
            &record.indexnow_pending,
        ));
        record.indexnow_pending.drain(..result.submitted);
        Ok(Some(result))
    }

    /// Fetches a sample of what was sent from the live site.
    fn verify(&self, runtime: &tokio::runtime::Runtime) -> Option<verify::Verified> {
        let config = self.config;
        if !config.verify.unwrap_or(true) || self.options.no_verify || self.plan.upload.is_empty() {
            return None;
        }
        let sample = verify::sample(&self.plan.upload, config.verify_samples.unwrap_or(5));
        let pause = Duration::from_secs_f64(config.verify_wait_secs.unwrap_or(3.0).max(0.0));
        Some(runtime.block_on(verify::verify(
            &self.site.base_url,
            self.built,
            &sample,
            pause,
        )))
    }
}

/// `scheme://host[:port]` of `url`.
fn origin(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split('/').next().unwrap_or_default();
            format!("{scheme}://{host}")
        }
        None => url.to_string(),
    }
}
