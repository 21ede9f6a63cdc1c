//! Grove: a static-site generator for networks of niche sites.
//!
//! The pipeline runs one way: [`network`] loads `grove.toml` and the sites,
//! [`content`] reads the blueprint and each site's files into a content
//! graph, [`render`] turns it into HTML through the theme, and [`output`]
//! swaps the result into place atomically. [`build`] ties these together.

pub mod affiliate;
pub mod audit;
pub mod build;
pub mod check;
pub mod cmd;
pub mod content;
pub mod dashboard;
pub mod day;
pub mod db;
pub mod deploy;
pub mod doctor;
pub mod draft;
pub mod error;
mod html_escape;
pub mod html_scan;
pub mod ignore;
pub mod image;
pub mod import;
pub mod links;
pub mod model;
pub mod network;
pub mod output;
pub mod redirects;
pub mod refresh;
pub mod render;
pub mod replicate;
pub mod report;
pub mod research;
pub mod revenue;
pub mod run_lock;
pub mod scaffold;
pub mod search;
pub mod seo;
pub mod serve;
pub mod state;
pub mod stats;
pub mod templating;
pub mod terminal;
pub mod watch;
pub mod web_url;
pub mod words;
pub mod zip_archive;

pub use error::{Error, Result};
