//! `grove usage`: tokens and cost of every model call, per site and model,
//! live and batch calls apart.

use serde_json::{Value, json};

use crate::draft::cost::{ArticleCost, ArticleCosts, article_costs};
use crate::error::Result;
use crate::model::ledger::{Totals, read, settle, summarize};
use crate::network::Network;
use crate::state;
use crate::terminal::{say, say_part};

/// Arguments of `grove usage`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the totals as JSON: {"total": {"calls", "cost", ...}, "sites": {...}, "models": {...}, "articles": {...}}.
    #[arg(long)]
    pub json: bool,
}

/// Runs `grove usage`.
pub fn run(network: &Network, args: Args) -> Result<()> {
    let entries = settle(read(&state::dir(&network.root))?);
    let (by_site, all) = summarize(&entries, |e| &e.site);
    let (by_model, _) = summarize(&entries, |e| &e.model);
    // Per article needs the briefs and pages; a network that cannot plan
    // (no [llm], a broken prompt) still shows what it spent.
    let articles = article_costs(network, &entries).map_err(|e| e.to_string());
    if args.json {
        let group = |groups: &std::collections::BTreeMap<String, Totals>| -> Value {
            groups
                .iter()
                .map(|(k, t)| (k.clone(), totals_json(t)))
                .collect()
        };
        let value = json!({
            "total": totals_json(&all),
            "sites": group(&by_site),
            "models": group(&by_model),
            "articles": articles.as_ref().ok(),
        });
        say_part!(
            "{}\n",
            serde_json::to_string_pretty(&value).expect("serializes")
        );
        return Ok(());
    }
    if entries.is_empty() {
        say!("No model calls recorded yet (.grove/ledger.jsonl is empty).");
        return Ok(());
    }
    print_table("site", &by_site);
    say!();
    print_table("model", &by_model);
    say!();
    print_row("total", &all);
    if all.batch_calls > 0 {
        say!(
            "{} of the calls went in batches, ${:.4} at the batch price; {} live, ${:.4}.",
            all.batch_calls,
            all.batch_cost_usd,
            all.calls - all.batch_calls,
            all.cost_usd - all.batch_cost_usd
        );
    }
    say!();
    match &articles {
        Ok(articles) => print_articles(articles),
        Err(why) => say!("Cost per published article not shown: {why}"),
    }
    if all.unfinished > 0 {
        say!(
            "\n{} call{} never finished (the run stopped while they were in flight); a paid API bills them anyway, so they count at their worst-case cost.",
            all.unfinished,
            if all.unfinished == 1 { "" } else { "s" }
        );
    }
    Ok(())
}

/// Cost per published article: the network, each site, each kind.
fn print_articles(articles: &ArticleCosts) {
    let row = |label: &str, cost: &ArticleCost| {
        let per = cost
            .per_article
            .map_or("-".to_string(), |v| format!("{v:.4}"));
        say!(
            "{label:<28} {:>9} {:>10.4} {per:>12}",
            cost.published,
            cost.spend
        );
    };
    say!(
        "{:<28} {:>9} {:>10} {:>12}",
        "per published article",
        "published",
        "spend USD",
        "USD/article"
    );
    for (site, cost) in &articles.sites {
        row(site, cost);
    }
    for (kind, cost) in &articles.kinds {
        row(&format!("kind: {kind}"), cost);
    }
    row("network", &articles.network);
    if articles.batch_saving > 0.0 {
        say!(
            "Batches saved ${:.4} against the same calls live.",
            articles.batch_saving
        );
    }
}

/// One group's totals as JSON: every call, and live and batch apart.
fn totals_json(t: &Totals) -> Value {
    json!({
        "calls": t.calls,
        "cost": t.cost_usd,
        "cache_hits": t.cache_hits,
        "input_tokens": t.input_tokens,
        "output_tokens": t.output_tokens,
        "unfinished": t.unfinished,
        "live": { "calls": t.calls - t.batch_calls, "cost": t.cost_usd - t.batch_cost_usd },
        "batch": { "calls": t.batch_calls, "cost": t.batch_cost_usd },
    })
}

fn print_table(label: &str, groups: &std::collections::BTreeMap<String, Totals>) {
    say!(
        "{label:<28} {:>7} {:>10} {:>12} {:>12} {:>10}",
        "calls",
        "cache hits",
        "tokens in",
        "tokens out",
        "cost USD"
    );
    for (key, totals) in groups {
        print_row(key, totals);
    }
}

fn print_row(key: &str, t: &Totals) {
    say!(
        "{key:<28} {:>7} {:>10} {:>12} {:>12} {:>10.4}",
        t.calls,
        t.cache_hits,
        t.input_tokens,
        t.output_tokens,
        t.cost_usd
    );
}
