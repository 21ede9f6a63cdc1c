//! Grove's integration tests: one test binary, one module per subject.
//!
//! They run the real `grove` binary on fixture networks in temporary folders
//! and check its output by parsing it (HTML, XML, JSON), against servers on
//! 127.0.0.1 and the tools `scripts/test-tools.sh` installs. One binary
//! rather than one per file: each test binary links every dependency, and
//! forty of them took minutes to link and gigabytes of disk.

mod common;

mod affiliates;
mod audit;
mod browser;
mod check;
mod cli;
mod compat;
mod content;
mod dashboard;
mod deploy;
mod deploy_cdn;
mod deploy_hosts;
mod deploy_s3;
mod deploy_ssh;
mod deploy_verify;
mod draft;
mod draft_batch;
mod errors;
mod example_network;
mod goaccess;
mod images;
mod import;
mod links;
mod local_llm;
mod messages;
mod new_network;
mod operations;
mod output_safety;
mod properties;
mod redirects;
mod refresh;
mod replicate;
mod report;
mod research;
mod schedule;
mod search;
mod search_console_api;
mod seo;
mod serve;
mod stats;
mod tls;
mod watch;
