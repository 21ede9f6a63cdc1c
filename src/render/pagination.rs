//! Splitting long listings into pages: `/guides/`, `/guides/page/2/`, ...

use std::ops::Range;

use serde_json::{Value, json};

use crate::web_url::Urls;

/// The URL segment before the page number.
pub const PAGE_SEGMENT: &str = "page";

/// One page of a paginated listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pager {
    /// 1-based page number.
    pub number: usize,
    /// URL path of this pager, e.g. `/guides/page/2/`.
    pub path: String,
    /// Which items of the listing it shows.
    pub items: Range<usize>,
}

/// Pagers for `total` items listed at `base` (`/guides/`), `per_page` each.
/// Always at least one pager, so an empty listing still has its page.
pub fn pagers(base: &str, total: usize, per_page: usize) -> Vec<Pager> {
    let per_page = per_page.max(1);
    let count = total.div_ceil(per_page).max(1);
    (1..=count)
        .map(|number| Pager {
            number,
            path: pager_path(base, number),
            items: (number - 1) * per_page..(number * per_page).min(total),
        })
        .collect()
}

/// URL path of pager `number` of the listing at `base`.
pub fn pager_path(base: &str, number: usize) -> String {
    if number == 1 {
        base.to_string()
    } else {
        format!("{base}{PAGE_SEGMENT}/{number}/")
    }
}

/// The `paginator` value for pager `current` of `all`, with `items` being
/// the listing views of the pages it shows.
pub fn paginator_value(
    all: &[Pager],
    current: &Pager,
    per_page: usize,
    total: usize,
    items: Vec<Value>,
    urls: &Urls,
) -> Value {
    let link = |number: usize| urls.path(&all[number - 1].path);
    let mut value = json!({
        "paginate_by": per_page,
        "current_index": current.number,
        "number_pagers": all.len(),
        "total_items": total,
        "first": link(1),
        "last": link(all.len()),
        "previous": (current.number > 1).then(|| link(current.number - 1)),
        "next": (current.number < all.len()).then(|| link(current.number + 1)),
    });
    value["pages"] = Value::Array(items);
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_numbers() {
        let p = pagers("/g/", 5, 2);
        assert_eq!(p.len(), 3);
        assert_eq!(p[0].path, "/g/");
        assert_eq!(p[2].path, "/g/page/3/");
        assert_eq!(p[2].items, 4..5);
        assert_eq!(pagers("/g/", 0, 2).len(), 1);
    }
}
