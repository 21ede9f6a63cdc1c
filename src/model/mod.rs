//! The model layer: talking to an LLM API, below drafting, research and
//! replicate, and unaware of them.
//!
//! - [`message`] and [`wire`]: what is said, in each provider's format;
//! - [`client`]: HTTP, streaming, retries, the API key;
//! - [`answer`]: whether an answer's text is usable;
//! - [`cache`]: every answer kept by its request, so a prompt is paid once;
//! - [`ledger`]: every call, its tokens and cost, in `.grove/ledger.jsonl`;
//! - [`call`] and [`runner`]: what one call is, and the runner that sends
//!   many concurrently within the limits and the budget;
//! - [`batch`]: the providers' batch APIs, at half the price.

pub mod answer;
pub mod batch;
pub mod cache;
pub mod call;
pub mod client;
pub mod ledger;
pub mod message;
pub mod runner;
pub mod wire;
