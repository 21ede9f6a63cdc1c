//! Content: front matter, Markdown, pages, sections and taxonomies of a site.

mod date;
pub mod front_matter;
pub mod include;
mod literal;
pub mod markdown;
mod site_content;
pub mod source;

pub use date::Date;
pub use front_matter::{PageMeta, SectionMeta, SortBy};
pub use include::{Include, LeftOut};
pub use markdown::{Disclosure, Heading, MarkdownOptions, Rendered};
pub use site_content::{LoadOptions, Page, PageBody, Section, SiteContent, Taxonomy, Term};
pub use source::{Blueprint, Origin, SourceFile};
