//! What a published article cost: every model call that led to the
//! articles a site publishes (outline, article, review, refresh of each
//! brief), plus the site's calls that led to none (research, drafts
//! thrown away or not approved yet), shared equally among them. Per
//! site, per kind of article and for the network; with what batches
//! saved against the live price.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::stage::{Stage, brief_stages};
use crate::error::Result;
use crate::model::ledger::Entry;
use crate::network::Network;

/// Spend and articles of a group.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ArticleCost {
    /// Articles published: briefs whose file is no longer a draft (as the
    /// dashboard's pipeline counts them approved).
    pub published: usize,
    /// USD of every call counted for them.
    pub spend: f64,
    /// `spend / published`, when anything was published.
    pub per_article: Option<f64>,
}

impl ArticleCost {
    fn finish(&mut self) {
        self.per_article = (self.published > 0).then(|| self.spend / self.published as f64);
    }
}

/// Cost per published article, and what batches saved.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ArticleCosts {
    /// The whole network.
    pub network: ArticleCost,
    /// By site.
    pub sites: BTreeMap<String, ArticleCost>,
    /// By kind of article (`review`, `guide`...), over the network.
    pub kinds: BTreeMap<String, ArticleCost>,
    /// USD the batch calls saved against the same calls live.
    pub batch_saving: f64,
}

/// The costs of `network`'s published articles from the ledger `entries`
/// (settled). Sites without `[llm]` drafting count none.
pub fn article_costs(network: &Network, entries: &[Entry]) -> Result<ArticleCosts> {
    let mut costs = ArticleCosts::default();
    let Some(llm) = &network.config.llm else {
        return Ok(costs);
    };
    if llm.batch_discount > 0.0 {
        let discount = llm.batch_discount;
        costs.batch_saving = entries
            .iter()
            .filter(|e| e.batch.is_some() && !e.cache_hit)
            .map(|e| e.cost_usd * (1.0 - discount) / discount)
            .sum();
    }
    // (site, slug) -> kind, for the briefs whose article is published:
    // drafting's own answer (the stages the dashboard's pipeline shows).
    let mut articles: HashMap<(String, String), String> = HashMap::new();
    for site in &network.sites {
        for (brief, stage) in brief_stages(network, site)? {
            if stage == Stage::Published {
                articles.insert((site.name.clone(), brief.slug), brief.kind);
            }
        }
    }
    // Spend on each published article, and on the rest, by site.
    let mut direct: HashMap<(String, String), f64> = HashMap::new();
    let mut site_spend: BTreeMap<String, f64> = BTreeMap::new();
    for entry in entries.iter().filter(|e| !e.cache_hit) {
        *site_spend.entry(entry.site.clone()).or_default() += entry.cost_usd;
        let key = (entry.site.clone(), entry.brief.clone());
        if articles.contains_key(&key) {
            *direct.entry(key).or_default() += entry.cost_usd;
        }
    }
    for (site, _) in articles.keys() {
        costs.sites.entry(site.clone()).or_default().published += 1;
    }
    let mut direct_by_site: HashMap<&str, f64> = HashMap::new();
    for ((site, _), spend) in &direct {
        *direct_by_site.entry(site.as_str()).or_default() += spend;
    }
    for (site, spend) in &site_spend {
        costs.sites.entry(site.clone()).or_default().spend = *spend;
    }
    for ((site, slug), kind) in &articles {
        let site_cost = &costs.sites[site];
        let direct_total = direct_by_site.get(site.as_str()).copied().unwrap_or(0.0);
        // What led to no published article, shared by those that were.
        let shared = (site_cost.spend - direct_total) / site_cost.published as f64;
        let own = direct
            .get(&(site.clone(), slug.clone()))
            .copied()
            .unwrap_or(0.0);
        let group = costs.kinds.entry(kind.clone()).or_default();
        group.published += 1;
        group.spend += own + shared;
    }
    for cost in costs.sites.values_mut() {
        costs.network.published += cost.published;
        costs.network.spend += cost.spend;
        cost.finish();
    }
    costs.network.finish();
    for cost in costs.kinds.values_mut() {
        cost.finish();
    }
    Ok(costs)
}
