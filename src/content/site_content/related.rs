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
    // Each term's recommendable pages (`noindex` ones left out here, so the
    // counting loop never reads a page: that was a cache miss per candidate).
    let index: HashMap<(&str, &str), Vec<usize>> = taxonomies
        .iter()
        .flat_map(|t| {
            t.terms.iter().map(move |term| {
                let recommendable = term
                    .pages
                    .iter()
                    .copied()
                    .filter(|&j| !pages[j].0.meta.noindex)
                    .collect();
                ((t.config.name.as_str(), term.slug.as_str()), recommendable)
            })
        })
        .collect();
    let mut by_date: Vec<usize> = (0..pages.len()).collect();
    by_date.par_sort_by(|&a, &b| compare_pages(&pages[a].0, &pages[b].0, SortBy::Date));
    // Pages are far fewer than 2^32, so a rank fits the low half of a key.
    let mut newest_rank = vec![0u32; pages.len()];
    for (rank, &page) in by_date.iter().enumerate() {
        newest_rank[page] = rank as u32;
    }
    // Shared-term counts per candidate, in a dense array per worker (reset
    // after each page through the list of those touched): a hash map per
    // page was 6% of a default-theme build.
    let counters = || (vec![0u32; pages.len()], Vec::new(), TopKeys::new(count));
    (0..pages.len())
        .into_par_iter()
        .map_init(counters, |(shared, touched, top), i| {
            let page = &pages[i].0;
            for (taxonomy, terms) in &page.meta.taxonomies {
                for term in terms {
                    let slug = url_rules.term(term);
                    let Some(candidates) = index.get(&(taxonomy.as_str(), slug.as_str())) else {
                        continue;
                    };
                    for &j in candidates {
                        if shared[j] == 0 {
                            touched.push(j);
                        }
                        shared[j] += 1;
                    }
                }
            }
            // Most shared terms first, then newest: one pass keeping the
            // best few, without sorting or selecting among every candidate
            // (selecting was 18% of a build where each page shares a term
            // with thousands).
            for j in touched.drain(..) {
                let shared_terms = std::mem::take(&mut shared[j]);
                if j != i {
                    top.offer(shared_terms, newest_rank[j]);
                }
            }
            // A fresh, right-sized vector per page.
            let mut related: Vec<usize> = Vec::with_capacity(count);
            related.extend(top.drain().map(|rank| by_date[rank as usize]));
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

/// The best `capacity` candidates seen, as keys that order by shared terms
/// (high half) and then by recency (low half: the inverted newest-first
/// rank), kept sorted best first.
struct TopKeys {
    capacity: usize,
    keys: Vec<u64>,
}

impl TopKeys {
    fn new(capacity: usize) -> Self {
        Self {
            capacity,
            keys: Vec::with_capacity(capacity + 1),
        }
    }

    /// Considers a candidate sharing `shared` terms with newest-first rank
    /// `rank`; most are rejected by one comparison with the worst kept.
    fn offer(&mut self, shared: u32, rank: u32) {
        let key = (u64::from(shared) << 32) | u64::from(u32::MAX - rank);
        if self.keys.len() == self.capacity && self.keys.last().is_some_and(|&worst| key <= worst) {
            return;
        }
        let at = self.keys.partition_point(|&kept| kept > key);
        self.keys.insert(at, key);
        self.keys.truncate(self.capacity);
    }

    /// The ranks kept, best first, leaving the set empty for the next page.
    fn drain(&mut self) -> impl Iterator<Item = u32> + '_ {
        self.keys.drain(..).map(|key| u32::MAX - key as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::TopKeys;

    #[test]
    fn top_keys_keep_the_most_shared_then_the_newest_best_first() {
        let mut top = TopKeys::new(3);
        // (shared terms, newest-first rank)
        for (shared, rank) in [(1, 0), (2, 9), (2, 4), (1, 1), (3, 7), (2, 2), (1, 3)] {
            top.offer(shared, rank);
        }
        assert_eq!(top.drain().collect::<Vec<_>>(), [7, 2, 4]);
        // Drained, it starts over for the next page.
        top.offer(1, 5);
        assert_eq!(top.drain().collect::<Vec<_>>(), [5]);
    }
}
