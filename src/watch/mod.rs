//! `grove watch`: is every site up, are its affiliate links still
//! earning, did its traffic or earnings fall? Three families of checks
//! ([`live`], [`destinations`], [`trends`]) produce findings; [`alerts`]
//! keeps them in the database with when they were first and last seen and
//! resolves those no longer found; new ones go to a webhook ([`notify`]).
//! For cron or CI: the command exits non-zero when a run finds a new
//! alert.

pub mod alerts;
pub mod certificate;
pub mod destinations;
pub mod email;
pub mod fetch;
pub mod live;
pub mod notify;
pub mod trends;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::Semaphore;

use crate::day::Day;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::network::Network;
use alerts::{Alert, Check, Finding};
use fetch::Fetcher;

/// Destinations checked at once (each host still one at a time).
const CONCURRENT_DESTINATIONS: usize = 16;

/// What `grove watch` checks.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Sites to watch; all when empty.
    pub sites: Vec<String>,
    /// Fetch the live sites.
    pub live: bool,
    /// Fetch affiliate destinations.
    pub affiliates: bool,
    /// Include Amazon's (one request every `amazon_interval_secs`).
    pub amazon: bool,
    /// Judge the database's traffic and earnings.
    pub stats: bool,
    /// Post new alerts to the configured webhook.
    pub notify: bool,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            sites: Vec::new(),
            live: true,
            affiliates: true,
            amazon: true,
            stats: true,
            notify: true,
        }
    }
}

/// What a run found and did.
#[derive(Debug, Clone, Serialize)]
pub struct WatchRun {
    /// Alerts open after the run, new ones first.
    pub alerts: Vec<Alert>,
    /// Alerts found first by this run.
    pub new: usize,
    /// Alerts this run no longer found.
    pub resolved: Vec<Alert>,
    /// Which checks ran for which sites.
    pub checked: Vec<(String, Check)>,
    /// Affiliate destinations fetched.
    pub destinations: usize,
    /// Amazon destinations that answered with a robot check.
    pub amazon_unchecked: usize,
    /// The day the stats checks judged.
    pub stats_day: Option<Day>,
    /// What was skipped and why.
    pub notes: Vec<String>,
    /// Where new alerts were sent.
    pub notified: Vec<String>,
}

/// Runs the checks, records the alerts, sends new ones.
pub fn watch(network: &Network, options: &WatchOptions) -> Result<WatchRun> {
    let settings = &network.config.watch;
    let sites = network.select(&options.sites, None)?;
    let mut ran: BTreeSet<(String, Check)> = BTreeSet::new();
    let mut notes = Vec::new();
    let mut findings: Vec<Finding> = Vec::new();
    let now = chrono::Utc::now();
    let mut built = Vec::new();
    for site in &sites {
        let dir = network.output_dir().join(&site.name);
        if dir.is_dir() {
            built.push((site, dir));
        } else if options.live || options.affiliates {
            notes.push(format!(
                "{}: not built, so its live pages and affiliate links were not checked (they are compared with the build): run `grove build`",
                site.name
            ));
        }
    }
    let fetcher = Fetcher::new(
        Duration::from_secs(settings.timeout_secs.max(1)),
        Duration::from_secs_f64(settings.host_interval_secs.max(0.0)),
        Duration::from_secs_f64(settings.amazon_interval_secs.max(0.0)),
    )?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Usage(format!("cannot start the async runtime: {e}")))?;
    let live_sites: Vec<live::LiveSite> = if options.live {
        built
            .iter()
            .map(|(site, dir)| live::LiveSite {
                name: site.name.clone(),
                base_url: format!("{}/", site.base_url.trim_end_matches('/')),
                dir: dir.clone(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut destinations = destinations::Destinations::new();
    if options.affiliates {
        for (site, dir) in &built {
            let values: Vec<String> = site.config.affiliate.values().cloned().collect();
            destinations::collect(&site.name, dir, &site.base_path, &values, &mut destinations);
        }
        if !options.amazon {
            let before = destinations.len();
            destinations.retain(|url, _| {
                !reqwest::Url::parse(url)
                    .ok()
                    .and_then(|u| u.host_str().map(fetch::is_amazon))
                    .unwrap_or(false)
            });
            if before > destinations.len() {
                notes.push(format!(
                    "{} Amazon destinations not checked (--skip-amazon)",
                    before - destinations.len()
                ));
            }
        }
    }
    let rules = live::LiveRules {
        sample_pages: settings.sample_pages,
        certificate_days: settings.certificate_days,
        now: now.timestamp(),
        day: Day::today(),
    };
    let (live_findings, destination_verdicts) = runtime.block_on(async {
        let live = run_live(&fetcher, &live_sites, rules);
        let affiliates = run_destinations(&fetcher, &destinations);
        tokio::join!(live, affiliates)
    });
    findings.extend(live_findings);
    for site in &live_sites {
        ran.insert((site.name.clone(), Check::Live));
    }
    if options.affiliates {
        for (site, _) in &built {
            ran.insert((site.name.clone(), Check::Affiliates));
        }
    }
    let mut amazon_unchecked = 0;
    for (url, verdict) in &destination_verdicts {
        match verdict {
            destinations::Verdict::Ok => {}
            destinations::Verdict::Unchecked => amazon_unchecked += 1,
            destinations::Verdict::Problem(kind, message) => {
                for used in &destinations[url] {
                    findings.push(Finding {
                        site: used.site.clone(),
                        kind: *kind,
                        subject: used.slug.clone(),
                        message: format!("affiliate `{}`: {message}", used.slug),
                    });
                }
            }
        }
    }
    if amazon_unchecked > 0 {
        notes.push(format!(
            "{amazon_unchecked} Amazon destinations answered with Amazon's robot check and are not known; they are checked again next run"
        ));
    }
    let site_names: Vec<String> = sites.iter().map(|s| s.name.clone()).collect();
    let state = crate::state::dir(&network.root);
    let mut db = Db::open(&state)?;
    let mut stats_day = None;
    if options.stats {
        let trends = trends::check(db.conn(), &site_names, settings).map_err(|e| db.error(&e))?;
        stats_day = trends.day;
        if trends.day.is_none() {
            notes.push(
                "no traffic in the database: traffic checks need `grove stats import`".into(),
            );
        }
        findings.extend(trends.findings);
        for name in &site_names {
            ran.insert((name.clone(), Check::Stats));
        }
    }
    let stamp = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let recorded = alerts::record(db.conn(), &findings, &ran, &stamp).map_err(|e| db.error(&e))?;
    let new: Vec<&Alert> = recorded.open.iter().filter(|a| a.new).collect();
    // New alerts, and earlier ones a failed run could not send.
    let unsent = alerts::unsent(db.conn()).map_err(|e| db.error(&e))?;
    let configured = settings.webhook_env.is_some() || !settings.email_to.is_empty();
    let notified = if options.notify && configured && !unsent.is_empty() {
        let listed: Vec<&Alert> = unsent.iter().collect();
        let text = notify::message(&network.config.network.name, &listed);
        let sent = runtime.block_on(notify::send_all(settings, &text, unsent.len()))?;
        alerts::mark_sent(db.conn(), &unsent).map_err(|e| db.error(&e))?;
        sent
    } else {
        Vec::new()
    };
    Ok(WatchRun {
        new: new.len(),
        alerts: recorded.open.clone(),
        resolved: recorded.resolved,
        checked: ran.into_iter().collect(),
        destinations: destination_verdicts.len(),
        amazon_unchecked,
        stats_day,
        notes,
        notified,
    })
}

async fn run_live(
    fetcher: &Fetcher,
    sites: &[live::LiveSite],
    rules: live::LiveRules,
) -> Vec<Finding> {
    let mut tasks = tokio::task::JoinSet::new();
    for site in sites {
        let (fetcher, site) = (fetcher.clone(), site.clone());
        tasks.spawn(async move { live::check(&fetcher, &site, rules).await });
    }
    let mut findings = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        findings.extend(joined.unwrap_or_default());
    }
    findings
}

async fn run_destinations(
    fetcher: &Fetcher,
    destinations: &destinations::Destinations,
) -> Vec<(String, destinations::Verdict)> {
    let slots = Arc::new(Semaphore::new(CONCURRENT_DESTINATIONS));
    let mut tasks = tokio::task::JoinSet::new();
    for (url, used) in destinations {
        let (fetcher, url, slots) = (fetcher.clone(), url.clone(), Arc::clone(&slots));
        let mut tags: Vec<String> = used.iter().flat_map(|u| u.tags.clone()).collect();
        tags.sort();
        tags.dedup();
        tasks.spawn(async move {
            let _slot = slots.acquire().await.expect("never closed");
            let verdict = destinations::check(&fetcher, &url, &tags).await;
            (url, verdict)
        });
    }
    let mut verdicts = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        if let Ok(verdict) = joined {
            verdicts.push(verdict);
        }
    }
    verdicts.sort_by(|a, b| a.0.cmp(&b.0));
    verdicts
}
