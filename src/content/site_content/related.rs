//! Related pages: for each page, those sharing the most terms.

use std::collections::HashMap;

use rayon::prelude::*;

use super::{Page, Pending, Section, Taxonomy, compare_pages};
use crate::content::meta::SortBy;
use crate::content::url_rules::UrlRules;

/// For each page, the `count` most related pages: most shared taxonomy
/// terms first, then newest; topped up with pages of the same section in
/// its display order. `noindex` pages are never recommended. Terms index the candidates, so this stays linear in practice.
pub(super) fn relate(
    pages: &[(Page, Pending)],
    sections: &[(Section, Pending)],
    taxonomies: &[Taxonomy],
    count: usize,
    url_rules: UrlRules,
) -> Vec<Vec<usize>> {
    if count == 0 {
        return vec![Vec::new(); pages.len()];
    }
    let index: HashMap<(&str, &str), &[usize]> = taxonomies
        .iter()
        .flat_map(|t| {
            t.terms.iter().map(move |term| {
                (
                    (t.config.name.as_str(), term.slug.as_str()),
                    term.pages.as_slice(),
                )
            })
        })
        .collect();
    let mut by_date: Vec<usize> = (0..pages.len()).collect();
    by_date.par_sort_by(|&a, &b| compare_pages(&pages[a].0, &pages[b].0, SortBy::Date));
    let mut newest_rank = vec![0; pages.len()];
    for (rank, &page) in by_date.iter().enumerate() {
        newest_rank[page] = rank;
    }
    // Shared-term counts per candidate, in a dense array per worker (reset
    // after each page through the list of those touched): a hash map per
    // page was 6% of a default-theme build.
    let counters = || (vec![0u32; pages.len()], Vec::new());
    (0..pages.len())
        .into_par_iter()
        .map_init(counters, |(shared, touched), i| {
            let page = &pages[i].0;
            for (taxonomy, terms) in &page.meta.taxonomies {
                for term in terms {
                    let slug = url_rules.term(term);
                    for &j in index
                        .get(&(taxonomy.as_str(), slug.as_str()))
                        .copied()
                        .unwrap_or_default()
                    {
                        if j != i && !pages[j].0.meta.noindex {
                            if shared[j] == 0 {
                                touched.push(j);
                            }
                            shared[j] += 1;
                        }
                    }
                }
            }
            // Most shared terms first, then newest (by precomputed rank):
            // pick the top few without sorting every candidate.
            let mut scored: Vec<(std::cmp::Reverse<u32>, usize, usize)> = touched
                .drain(..)
                .map(|j| {
                    (
                        std::cmp::Reverse(std::mem::take(&mut shared[j])),
                        newest_rank[j],
                        j,
                    )
                })
                .collect();
            if scored.len() > count {
                scored.select_nth_unstable(count - 1);
                scored.truncate(count);
            }
            scored.sort_unstable();
            // A fresh, right-sized vector: collecting in place would keep the
            // candidates' allocation (kilobytes) alive for every page.
            let mut related: Vec<usize> = Vec::with_capacity(count);
            related.extend(scored.iter().map(|&(_, _, j)| j));
            // Top up from the section, in its display order (already sorted),
            // stopping as soon as the list is full.
            for &j in &sections[page.section].0.pages {
                if related.len() >= count {
                    break;
                }
                if j != i && !pages[j].0.meta.noindex && !related.contains(&j) {
                    related.push(j);
                }
            }
            related
        })
        .collect()
}
