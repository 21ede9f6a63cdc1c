//! Content: front matter, Markdown, pages, sections and taxonomies of a site.

mod call_commas;
mod date;
pub mod front_matter;
pub mod functions;
pub mod images;
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
mod url_rules;
mod yaml_last_wins;

pub use date::Date;
pub use functions::ContentFunctions;
pub use include::{Include, LeftOut};
pub use language::{same as same_language, suffix as language_suffix};
pub use literal::{code_ranges, escape_front_matter, escape_template_syntax, escaped_opener};
pub use markdown::{Disclosure, Heading, MarkdownOptions, Rendered};
pub use meta::{PageMeta, SectionMeta, SortBy};
pub use notice::Notices;
pub use site_content::{
    IGNORED_NOTICE, LoadOptions, MISSING_IMAGE_NOTICE, Page, PageBody, Section, SiteContent,
    Taxonomy, Term, term_key, url_parent_and_name, url_path,
};
pub use source::{Blueprint, Origin, SourceFile};
pub use url_rules::{UrlRules, hugo_urlize};
