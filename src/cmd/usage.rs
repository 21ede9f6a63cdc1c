//! `grove usage`: tokens and cost of every model call, per site and model.

use crate::error::Result;
use crate::model::ledger::{Totals, read, settle, summarize};
use crate::network::Network;
use crate::state;
use crate::terminal::say;

/// Arguments of `grove usage`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `grove usage`.
pub fn run(network: &Network, _args: Args) -> Result<()> {
    let entries = settle(read(&state::dir(&network.root))?);
    if entries.is_empty() {
        say!("No model calls recorded yet (.grove/ledger.jsonl is empty).");
        return Ok(());
    }
    let (by_site, all) = summarize(&entries, |e| &e.site);
    let (by_model, _) = summarize(&entries, |e| &e.model);
    print_table("site", &by_site);
    say!();
    print_table("model", &by_model);
    say!();
    print_row("total", &all);
    if all.unfinished > 0 {
        say!(
            "\n{} call{} never finished (the run stopped while they were in flight); a paid API bills them anyway, so they count at their worst-case cost.",
            all.unfinished,
            if all.unfinished == 1 { "" } else { "s" }
        );
    }
    Ok(())
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
