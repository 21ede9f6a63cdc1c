//! The checks of a page's images: alternative text (screen readers and
//! image search read it) and weight once processed (what a phone
//! downloads).

use std::collections::BTreeMap;

use super::finding::{Code, Finding, PageRef};
use crate::content::markdown::written_images;

/// Findings on the Markdown images of the page whose file holds `text`
/// (path below `content/`: `rel`): those without alt text, and those whose
/// largest processed file (`heaviest`, by file and `src`) is over `max_kb`.
pub fn image_findings(
    page: &PageRef,
    rel: &str,
    text: &str,
    heaviest: &BTreeMap<(String, String), u64>,
    max_kb: u64,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for image in written_images(text) {
        if image.alt.is_empty() {
            findings.push(
                Finding::new(
                    Code::ImageAlt,
                    page,
                    format!(
                        "image `{}` has no alt text: say what it shows (`![what it shows]({})`) for screen readers and image search",
                        image.src, image.src
                    ),
                )
                .at_line(Some(image.line)),
            );
        }
        let key = (rel.to_string(), image.src.clone());
        if let Some(&bytes) = heaviest.get(&key)
            && bytes > max_kb * 1024
        {
            findings.push(
                Finding::new(
                    Code::HeavyImage,
                    page,
                    format!(
                        "image `{}` is {} KB at its largest width after processing (limit {max_kb} KB): crop it, or lower [images] quality or the largest of [images] widths",
                        image.src,
                        bytes / 1024
                    ),
                )
                .at_line(Some(image.line))
                .measured((bytes / 1024) as f64, Some(max_kb as f64)),
            );
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_without_alt_and_heavy_ones_are_found_on_their_lines() {
        let page = PageRef {
            site: "a".into(),
            file: "sites/a/content/p.md".into(),
        };
        let text = "+++\ntitle = \"P\"\n+++\n![](one.jpg)\n\n![A described photo](two.jpg)\n";
        let heaviest = BTreeMap::from([(("p.md".to_string(), "two.jpg".to_string()), 400 * 1024)]);
        let findings = image_findings(&page, "p.md", text, &heaviest, 250);
        let found: Vec<(Code, Option<usize>)> = findings.iter().map(|f| (f.code, f.line)).collect();
        assert_eq!(
            found,
            vec![(Code::ImageAlt, Some(4)), (Code::HeavyImage, Some(6))]
        );
    }
}
