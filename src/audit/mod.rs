//! `grove audit`: a pre-publication quality check across the whole
//! network. Every page is rendered as for a build and reduced to its own
//! text (no theme chrome, product boxes or disclosure); then pages are
//! compared with every other page of the network (near-copies, text shared
//! by many sites) and checked on their own (thin text, model boilerplate,
//! looping sentences, titles and descriptions).

mod checks;
mod finding;
mod images;
mod niche;
mod phrases;
mod read;
mod record;
mod similarity;
mod text;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use crate::affiliate::Registry;
use crate::build::load_themes;
use crate::content::Blueprint;
use crate::error::{Result, collect_all};
use crate::network::{Gate, Network, QualitySettings, Site};
use checks::{Listing, listing_findings};
pub use finding::{Code, Finding, PageRef, Severity, Similar};
use niche::{NicheIndex, SiteOwn};
use read::{PageFacts, Rules, read_site};
pub use record::{AuditRecord, SiteAuditRecord};
use similarity::{boilerplate_shares, near_duplicates};

/// What to audit.
#[derive(Debug, Clone, Default)]
pub struct AuditOptions {
    /// Sites whose pages are reported on; all when empty. Pages are
    /// compared with the whole network either way.
    pub sites: Vec<String>,
    /// Include pages marked `draft = true`.
    pub drafts: bool,
}

/// What an audit found.
#[derive(Debug, Clone)]
pub struct Audit {
    /// Findings on the selected sites' pages, in report order.
    pub findings: Vec<Finding>,
    /// Pages of the selected sites audited.
    pub pages: usize,
    /// Pages audited per selected site, by name.
    pub sites: Vec<(String, usize)>,
}

impl Audit {
    /// Findings of `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// Error findings on sites whose gate is `at_least` as strict: what
    /// stops `grove approve` (`warn`) or `grove build` (`block`).
    pub fn blocking(&self, network: &Network, at_least: Gate) -> Vec<&Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .filter(|f| {
                network
                    .sites
                    .iter()
                    .find(|site| site.name == f.site)
                    .is_some_and(|site| site.gate(&network.config) >= at_least)
            })
            .collect()
    }

    /// Findings on `file` (relative to the network root), in any site.
    pub fn findings_on<'a>(&'a self, file: &'a str) -> impl Iterator<Item = &'a Finding> {
        self.findings.iter().filter(move |f| f.file == file)
    }

    /// Writes the report as `grove audit --json` prints it:
    /// `{"findings": [...], "pages": N}`, streamed rather than built as a
    /// JSON tree first.
    pub fn write_json(&self, out: impl std::io::Write) -> serde_json::Result<()> {
        #[derive(Serialize)]
        struct Report<'a> {
            findings: &'a [Finding],
            pages: usize,
        }
        let report = Report {
            findings: &self.findings,
            pages: self.pages,
        };
        serde_json::to_writer_pretty(out, &report)
    }
}

/// Audits the selected sites' pages against the whole network.
pub fn audit(network: &Network, options: &AuditOptions) -> Result<Audit> {
    let selected: HashSet<&str> = network
        .select(&options.sites, None)?
        .into_iter()
        .map(|site| site.name.as_str())
        .collect();
    let blueprint = Blueprint::load(&network.root.join("content"))?;
    let every_site: Vec<&Site> = network.sites.iter().collect();
    let themes = load_themes(network, &every_site)?;
    let settings = &network.config.quality;
    let rules = Rules {
        settings,
        phrases: phrases::Phrases::new(&settings.phrases),
        niche: NicheIndex::new(&every_site, &product_names(network)?),
    };
    let reads = collect_all(
        network
            .sites
            .par_iter()
            .enumerate()
            .map(|(index, site)| {
                let theme = &themes[site.theme(&network.config)];
                read_site(
                    network,
                    (index, site),
                    &blueprint,
                    theme,
                    options.drafts,
                    &rules,
                )
            })
            .collect::<Vec<_>>(),
    )?;
    let mut findings = Vec::new();
    let mut pages = Vec::new();
    let mut own = Vec::new();
    for (read, site) in reads.into_iter().zip(&network.sites) {
        findings.extend(read.findings);
        pages.extend(read.pages);
        own.push(SiteOwn::new(site, read.linked));
    }
    let is_selected: Vec<bool> = network
        .sites
        .iter()
        .map(|site| selected.contains(site.name.as_str()))
        .collect();
    findings.extend(similarity_findings(&pages, &is_selected, settings));
    findings.extend(site_findings(&pages, &is_selected));
    let names: Vec<&str> = network.sites.iter().map(|s| s.name.as_str()).collect();
    findings.extend(niche::findings(
        &pages,
        &rules.niche,
        &own,
        &names,
        &is_selected,
    ));

    let allowed: HashMap<&PageRef, &[Code]> = pages
        .iter()
        .map(|p| (&p.page, p.allow.as_slice()))
        .collect();
    findings.retain(|finding| {
        let page = PageRef {
            site: finding.site.clone(),
            file: finding.file.clone(),
        };
        selected.contains(finding.site.as_str())
            && !allowed
                .get(&page)
                .is_some_and(|codes| codes.contains(&finding.code))
    });
    findings.sort_by(Finding::report_order);
    let mut sites: Vec<(String, usize)> = network
        .sites
        .iter()
        .filter(|site| selected.contains(site.name.as_str()))
        .map(|site| {
            let count = pages.iter().filter(|p| p.page.site == site.name).count();
            (site.name.clone(), count)
        })
        .collect();
    sites.sort();
    Ok(Audit {
        findings,
        pages: sites.iter().map(|(_, count)| count).sum(),
        sites,
    })
}

/// The name of every registry product of the network's sites, by slug.
fn product_names(network: &Network) -> Result<BTreeMap<String, String>> {
    let mut names = BTreeMap::new();
    for site in &network.sites {
        let registry = Registry::load(&network.root, site)?;
        for slug in registry.slugs() {
            if let Some(entry) = registry.get(slug) {
                names.insert(slug.to_string(), entry.name.clone());
            }
        }
    }
    Ok(names)
}

/// `path` relative to the network root, `/`-separated, as findings name
/// files; `None` when it is outside the network.
pub fn root_relative(network: &Network, path: &Path) -> Option<String> {
    let root = network.root.canonicalize().ok()?;
    let path = path.canonicalize().ok()?;
    let relative = path.strip_prefix(root).ok()?;
    Some(slash_separated(relative))
}

fn slash_separated(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Near-duplicate pairs and boilerplate shares among the compared pages;
/// findings only for pages of selected sites.
fn similarity_findings(
    pages: &[PageFacts],
    is_selected: &[bool],
    settings: &QualitySettings,
) -> Vec<Finding> {
    let compared: Vec<&PageFacts> = pages
        .iter()
        .filter(|p| p.compared && !p.shingles.is_empty())
        .collect();
    let sets: Vec<&[u64]> = compared.iter().map(|p| p.shingles.as_slice()).collect();
    let pairs = near_duplicates(&sets, settings.near_duplicate, |a, b| {
        is_selected[compared[a].site] || is_selected[compared[b].site]
    });
    let mut similar: Vec<Vec<Similar>> = vec![Vec::new(); compared.len()];
    for (a, b, similarity) in pairs {
        if is_refresh_of(compared[a], compared[b]) || is_refresh_of(compared[b], compared[a]) {
            continue;
        }
        for (this, other) in [(a, b), (b, a)] {
            similar[this].push(Similar {
                site: compared[other].page.site.clone(),
                file: compared[other].page.file.clone(),
                similarity,
            });
        }
    }
    let mut findings = Vec::new();
    for (page, mut others) in compared.iter().zip(similar) {
        if others.is_empty() || !is_selected[page.site] {
            continue;
        }
        others.sort_by(|x, y| {
            y.similarity
                .total_cmp(&x.similarity)
                .then_with(|| (&x.site, &x.file).cmp(&(&y.site, &y.file)))
        });
        findings.push(near_duplicate(page, others, settings.near_duplicate));
    }
    let site_of: Vec<usize> = compared.iter().map(|p| p.site).collect();
    let shares = boilerplate_shares(&sets, &site_of, settings.boilerplate_sites);
    for (page, share) in compared.iter().zip(shares) {
        if is_selected[page.site] && share > settings.boilerplate_share {
            findings.push(
                Finding::new(
                    Code::Boilerplate,
                    &page.page,
                    format!(
                        "{:.0}% of its text also appears in {} or more other sites ([quality] boilerplate_share = {}): the same article with the niche words swapped? Write it for this site",
                        share * 100.0,
                        settings.boilerplate_sites,
                        settings.boilerplate_share
                    ),
                )
                .measured(share, Some(settings.boilerplate_share)),
            );
        }
    }
    findings
}

/// Whether `draft` is a refresh draft of `page` (a new version of it,
/// alike by design).
fn is_refresh_of(draft: &PageFacts, page: &PageFacts) -> bool {
    draft.site == page.site && draft.refreshes.as_deref() == Some(page.rel.as_str())
}

fn near_duplicate(page: &PageFacts, others: Vec<Similar>, threshold: f64) -> Finding {
    let closest = &others[0];
    let more = match others.len() - 1 {
        0 => String::new(),
        1 => " and 1 other page".to_string(),
        n => format!(" and {n} other pages"),
    };
    let other = PageRef {
        site: closest.site.clone(),
        file: closest.file.clone(),
    };
    let mut finding = Finding::new(
        Code::NearDuplicate,
        &page.page,
        format!(
            "{:.1}% alike with {} ({}){more} ([quality] near_duplicate = {threshold}): rewrite one, or acknowledge a deliberate copy with audit_allow = [\"near-duplicate\"]",
            closest.similarity * 100.0,
            closest.file,
            closest.site,
        ),
    )
    .paired_with(&other)
    .measured(closest.similarity, Some(threshold));
    finding.similarity = Some(closest.similarity);
    finding.similar = others;
    finding
}

/// Title and description checks, site by site, on indexed pages.
fn site_findings(pages: &[PageFacts], is_selected: &[bool]) -> Vec<Finding> {
    let mut by_site: HashMap<usize, Vec<Listing<'_>>> = HashMap::new();
    // A refresh draft shares its page's title by design.
    for page in pages
        .iter()
        .filter(|p| p.indexed && is_selected[p.site] && p.refreshes.is_none())
    {
        by_site.entry(page.site).or_default().push(Listing {
            page: &page.page,
            title: &page.title,
            description: page.description.as_deref(),
        });
    }
    by_site
        .values()
        .flat_map(|listings| listing_findings(listings))
        .collect()
}
