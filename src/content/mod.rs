//! Content: front matter, Markdown, pages, sections and taxonomies of a site.

mod date;
pub mod front_matter;
pub mod functions;
pub mod include;
mod language;
mod literal;
pub mod markdown;
pub mod meta;
mod notice;
pub mod sanitize;
mod site_content;
pub mod source;
pub mod template_code;

pub use date::Date;
pub use functions::ContentFunctions;
pub use include::{Include, LeftOut};
pub use literal::{code_ranges, escape_front_matter, escape_template_syntax, escaped_opener};
pub use markdown::{Disclosure, Heading, MarkdownOptions, Rendered};
pub use meta::{PageMeta, SectionMeta, SortBy};
pub use notice::Notices;
pub use site_content::{
    IGNORED_NOTICE, LoadOptions, Page, PageBody, Section, SiteContent, Taxonomy, Term, term_key,
    url_parent_and_name, url_path,
};
pub use source::{Blueprint, Origin, SourceFile};
