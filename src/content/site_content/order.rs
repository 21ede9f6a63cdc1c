//! Section order: sections linked to their parents and children, pages
//! attached to their sections and sorted as each section asks.

use super::{Page, Pending, Section, nearest_section, parent_dir};
use crate::content::meta::SortBy;

pub(super) fn link_sections(sections: &mut [(Section, Pending)]) {
    for i in 1..sections.len() {
        let parent_dir_of = parent_dir(&sections[i].0.dir).to_string();
        let parent = nearest_section(sections, &parent_dir_of);
        sections[i].0.parent = Some(parent);
        sections[parent].0.subsections.push(i);
    }
    let order: Vec<(Option<i64>, String, String)> = sections
        .iter()
        .map(|(s, _)| (s.meta.weight, s.meta.title.to_lowercase(), s.dir.clone()))
        .collect();
    for (section, _) in sections.iter_mut() {
        section.subsections.sort_by(|&a, &b| {
            let (wa, ta, da) = &order[a];
            let (wb, tb, db) = &order[b];
            weight_key(*wa)
                .cmp(&weight_key(*wb))
                .then(ta.cmp(tb))
                .then(da.cmp(db))
        });
    }
}

/// Sorts items with a weight before those without.
pub(super) fn weight_key(weight: Option<i64>) -> (bool, i64) {
    (weight.is_none(), weight.unwrap_or(0))
}

pub(super) fn attach_pages(pages: &mut [(Page, Pending)], sections: &mut [(Section, Pending)]) {
    for (i, (page, _)) in pages.iter().enumerate() {
        sections[page.section].0.pages.push(i);
    }
    for (section, _) in sections.iter_mut() {
        let sort_by = section.meta.sort_by;
        section
            .pages
            .sort_by(|&a, &b| compare_pages(&pages[a].0, &pages[b].0, sort_by));
        for (position, &page) in section.pages.iter().enumerate() {
            pages[page].0.previous = position.checked_sub(1).map(|p| section.pages[p]);
            pages[page].0.next = section.pages.get(position + 1).copied();
        }
    }
}

pub(super) fn compare_pages(a: &Page, b: &Page, sort_by: SortBy) -> std::cmp::Ordering {
    let by_rel = a.rel.cmp(&b.rel);
    match sort_by {
        SortBy::Date => match (&a.meta.date, &b.meta.date) {
            (Some(da), Some(db)) => db.cmp(da).then(by_rel),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => by_rel,
        },
        SortBy::Weight => weight_key(a.meta.weight)
            .cmp(&weight_key(b.meta.weight))
            .then(by_rel),
        SortBy::Title => a
            .meta
            .title
            .to_lowercase()
            .cmp(&b.meta.title.to_lowercase())
            .then(by_rel),
        SortBy::None => by_rel,
    }
}
