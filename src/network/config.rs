//! The configuration files of a network: `grove.toml` and `sites/<niche>/site.toml`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Location, Result, line_col};
use crate::ignore::Patterns;

/// `grove.toml`: settings shared by every site of the network.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    /// The `[network]` table.
    pub network: NetworkSettings,
    /// The `[build]` table.
    #[serde(default)]
    pub build: BuildSettings,
    /// The `[llm]` table: how `grove draft` reaches a language model.
    pub llm: Option<LlmConfig>,
    /// The `[affiliates]` table: how affiliate links are rendered.
    #[serde(default)]
    pub affiliates: AffiliateSettings,
    /// The `[seo]` table: sitemaps, feeds, robots.txt, related pages.
    #[serde(default)]
    pub seo: SeoSettings,
    /// The `[quality]` table: what `grove audit` reports and how it gates.
    #[serde(default)]
    pub quality: QualitySettings,
    /// The `[images]` table: responsive images and their processing.
    #[serde(default)]
    pub images: ImageSettings,
    /// The `[search_console]` table: how `grove seo fetch` reaches the
    /// Search Console API.
    #[serde(default)]
    pub search_console: SearchConsoleSettings,
    /// The `[deploy]` table: where `grove deploy` puts every site that
    /// names no target of its own (`{{ site.name }}` in `url`).
    pub deploy: Option<DeployConfig>,
    /// The `[watch]` table: what `grove watch` counts as a problem.
    #[serde(default)]
    pub watch: WatchSettings,
}

/// The `[watch]` table of `grove.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WatchSettings {
    /// Pages of each site fetched besides the home page and sitemap.
    pub sample_pages: usize,
    /// A TLS certificate expiring within this many days is an alert.
    pub certificate_days: i64,
    /// A fall in a day's views or clicks by more than this share of the
    /// same weekday's average (the four weeks before) is an alert.
    pub drop_share: f64,
    /// Below this weekday average, falls are noise and not judged.
    pub min_daily: u64,
    /// A day's 404s at this many times their weekday average (and 20
    /// more) is a spike.
    pub not_found_factor: f64,
    /// Seconds between two requests to one Amazon host (Amazon's
    /// conditions of use forbid automated access beyond light checking).
    pub amazon_interval_secs: f64,
    /// Seconds between two requests to any other host.
    pub host_interval_secs: f64,
    /// Seconds a request may take.
    pub timeout_secs: u64,
    /// The environment variable holding a webhook URL (Slack or Discord
    /// incoming webhook) that new alerts are posted to.
    pub webhook_env: Option<String>,
    /// Email new alerts to these addresses.
    pub email_to: Vec<String>,
    /// The sender of alert emails (default `grove@` and the SMTP host).
    pub email_from: Option<String>,
    /// The environment variable holding the SMTP server's address and
    /// login: `smtp://user:password@host:587` (STARTTLS) or
    /// `smtps://user:password@host:465` (default `GROVE_SMTP_URL`).
    pub smtp_env: String,
}

impl Default for WatchSettings {
    fn default() -> Self {
        WatchSettings {
            sample_pages: 5,
            certificate_days: 14,
            drop_share: 0.5,
            min_daily: 20,
            not_found_factor: 3.0,
            amazon_interval_secs: 5.0,
            host_interval_secs: 1.0,
            timeout_secs: 15,
            webhook_env: None,
            email_to: Vec::new(),
            email_from: None,
            smtp_env: "GROVE_SMTP_URL".into(),
        }
    }
}

/// A `[deploy]` table (in `grove.toml` or a `site.toml`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeployConfig {
    /// Where the site goes: a folder (`/srv/www/{{ site.name }}`,
    /// `file:///...`), one on another machine over SSH
    /// (`ssh://user@host/srv/www/site`), S3-compatible storage
    /// (`s3://BUCKET/PREFIX`), a Netlify site (`netlify://SITE_ID`) or a
    /// Cloudflare Pages project (`cloudflare-pages://PROJECT`).
    pub url: String,
    /// Files a deploy may delete without `--force` (default 256).
    pub max_deletes: Option<usize>,
    /// For `s3://`: a custom endpoint (MinIO, R2, B2), addressed
    /// path-style; for `netlify://` and `cloudflare-pages://`, another
    /// address of the API.
    pub endpoint: Option<String>,
    /// For `s3://`: the region (default `us-east-1`).
    pub region: Option<String>,
    /// For `s3://`: the environment variable holding the access key id
    /// (default `AWS_ACCESS_KEY_ID`).
    pub access_key_env: Option<String>,
    /// For `s3://`: the environment variable holding the secret access
    /// key (default `AWS_SECRET_ACCESS_KEY`).
    pub secret_key_env: Option<String>,
    /// For `netlify://` and `cloudflare-pages://`: the environment
    /// variable holding the API token (default `NETLIFY_AUTH_TOKEN`,
    /// `CLOUDFLARE_API_TOKEN`).
    pub token_env: Option<String>,
    /// For `cloudflare-pages://`: the account id (default the
    /// `CLOUDFLARE_ACCOUNT_ID` variable).
    pub account_id: Option<String>,
    /// For `cloudflare-pages://`: the branch deployed (default the
    /// project's production branch).
    pub branch: Option<String>,
    /// For `s3://`: store text files (HTML, CSS, JS, XML, SVG, JSON)
    /// gzip-compressed with `Content-Encoding: gzip`, as `hugo deploy`'s
    /// `gzip` does (S3 does not compress; hosts and CDNs that do need
    /// nothing). For folders and `ssh://`: a gzip copy beside each text
    /// file (`index.html.gz`), for nginx's `gzip_static` and Caddy's
    /// `precompressed`.
    pub precompress: Option<bool>,
    /// For `s3://`: the bucket serves the site with S3's static website
    /// hosting, so aliases are set as website redirects
    /// (`x-amz-website-redirect-location`, a real 301 there).
    pub website: Option<bool>,
    /// The CloudFront distribution in front of the site: changed paths
    /// are invalidated after each deploy (keys as for `s3://`).
    pub cloudfront_distribution: Option<String>,
    /// The Cloudflare zone in front of the site: changed URLs are purged
    /// after each deploy.
    pub cloudflare_zone: Option<String>,
    /// The environment variable holding the Cloudflare token for purges
    /// (default `CLOUDFLARE_API_TOKEN`; needs Cache Purge).
    pub cloudflare_token_env: Option<String>,
    /// Another address of the CDN's API (a test server).
    pub cdn_endpoint: Option<String>,
    /// For `ssh://`: more arguments for `ssh` (`["-i", "~/.ssh/deploy"]`).
    #[serde(default)]
    pub ssh_args: Vec<String>,
    /// Fetch a sample of the files sent from the live `base_url` and
    /// compare them (default true).
    pub verify: Option<bool>,
    /// How many files to verify (default 5).
    pub verify_samples: Option<usize>,
    /// Seconds to give a CDN before asking a file that did not match
    /// again (default 3; 6 before the last try).
    pub verify_wait_secs: Option<f64>,
}

/// The `[search_console]` table of `grove.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SearchConsoleSettings {
    /// The environment variable naming the service account's key file
    /// (the file, never the key, is named; the key stays out of configs).
    pub credentials_env: String,
    /// The API's address (another one for a proxy or a test server).
    pub api_url: String,
    /// Days a site's first fetch covers (Search Console keeps 16 months).
    pub first_days: u32,
    /// Days Search Console takes to settle a day's figures: the last day
    /// fetched is this many days before today, and a later fetch takes
    /// these days again.
    pub settle_days: u32,
}

impl Default for SearchConsoleSettings {
    fn default() -> Self {
        SearchConsoleSettings {
            credentials_env: "GOOGLE_APPLICATION_CREDENTIALS".into(),
            api_url: "https://searchconsole.googleapis.com".into(),
            first_days: 90,
            settle_days: 3,
        }
    }
}

/// The `[images]` table of `grove.toml`: how local images become
/// responsive (several widths, a modern format, their size in the HTML).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ImageSettings {
    /// Make Markdown images responsive (`false`: publish them as written).
    pub process: bool,
    /// The widths of each image's `srcset`; none is wider than the image.
    pub widths: Vec<u32>,
    /// JPEG and WebP quality, 1 to 100.
    pub quality: u8,
    /// Offer a WebP version of each size (with the original format as
    /// the fallback).
    pub webp: bool,
    /// The `sizes` attribute of content images: how wide they show.
    pub sizes: String,
    /// Take GPS positions, camera serials and other metadata out of
    /// images published as they are.
    pub strip_metadata: bool,
    /// `grove audit` warns on an image whose largest processed file is
    /// heavier than this many KB.
    pub max_kb: u64,
    /// Processed files no build used for this many days are deleted from
    /// `.grove/images/`.
    pub keep_unused_days: u32,
    /// Fetch remote images of content (`![..](https://..)`) and process
    /// them like local ones (`false`: they stay remote). Registry
    /// products ask for theirs with `fetch_image = true`.
    pub fetch_remote: bool,
    /// Hours a fetched image is kept before it is fetched again (Amazon
    /// allows 24).
    pub remote_max_age_hours: u32,
}

impl Default for ImageSettings {
    fn default() -> Self {
        ImageSettings {
            process: true,
            widths: vec![480, 800, 1200, 1600],
            quality: 75,
            webp: true,
            sizes: "(min-width: 46rem) 42rem, calc(100vw - 2.5rem)".into(),
            strip_metadata: true,
            max_kb: 250,
            keep_unused_days: 30,
            fetch_remote: false,
            remote_max_age_hours: 24,
        }
    }
}

/// How `grove audit`'s findings gate publishing, from least to most strict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gate {
    /// Findings are reported by `grove audit` only.
    Off,
    /// `grove review` shows findings; `grove approve` refuses a draft with
    /// an error finding unless `--force`.
    #[default]
    Warn,
    /// As `warn`, and `grove build` fails on an error finding.
    Block,
}

/// The `[quality]` table of `grove.toml`: `grove audit`'s thresholds.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QualitySettings {
    /// How findings gate `approve` and `build`.
    pub gate: Gate,
    /// Jaccard similarity of word shingles at or above which two pages are
    /// near-duplicates.
    pub near_duplicate: f64,
    /// A shingle is boilerplate when this many other sites have it too...
    pub boilerplate_sites: usize,
    /// ...and a page is boilerplate when more than this share of its
    /// shingles are.
    pub boilerplate_share: f64,
    /// Fewer words of its own than this make a page thin.
    pub min_words: usize,
    /// More affiliate links per 100 words than this make a page thin.
    pub max_affiliate_links_per_100_words: f64,
    /// Phrases of model boilerplate, in addition to Grove's own list.
    pub phrases: Vec<String>,
    /// Content paths meant to be the same in every site (`privacy.md`):
    /// left out of similarity and boilerplate checks.
    pub shared: Vec<String>,
}

impl Default for QualitySettings {
    fn default() -> Self {
        QualitySettings {
            gate: Gate::Warn,
            near_duplicate: 0.8,
            boilerplate_sites: 3,
            boilerplate_share: 0.5,
            min_words: 300,
            max_affiliate_links_per_100_words: 3.0,
            phrases: Vec::new(),
            shared: Vec::new(),
        }
    }
}

/// The `[quality]` table of a `site.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteQuality {
    /// This site's gate, instead of the network's.
    pub gate: Option<Gate>,
}

/// The `[seo]` table of `grove.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SeoSettings {
    /// Write RSS 2.0 and Atom feeds per site and per section.
    pub feeds: bool,
    /// Most entries in a feed (newest first).
    pub feed_limit: usize,
    /// Put each page's full content in feeds, not only its summary.
    pub feed_full_content: bool,
    /// Extra lines for every site's `robots.txt`, e.g. "Disallow: /drafts/".
    pub robots_rules: Vec<String>,
    /// How many related pages each page lists.
    pub related_pages: usize,
    /// URLs per sitemap file; past this a sitemap index is written.
    pub sitemap_max_urls: usize,
    /// The IndexNow key of every site (a site's `indexnow_key` wins):
    /// 8 to 128 letters, digits or `-`. The build publishes it as
    /// `<key>.txt`; `grove deploy` then tells IndexNow's search engines
    /// (Bing, Yandex, Seznam, Naver...) what changed.
    pub indexnow_key: Option<String>,
    /// Where IndexNow submissions go.
    pub indexnow_endpoint: String,
}

impl Default for SeoSettings {
    fn default() -> Self {
        SeoSettings {
            feeds: true,
            feed_limit: 20,
            feed_full_content: false,
            robots_rules: Vec::new(),
            related_pages: 3,
            sitemap_max_urls: 50_000,
            indexnow_key: None,
            indexnow_endpoint: "https://api.indexnow.org/indexnow".into(),
        }
    }
}

/// Where the affiliate disclosure goes on a page with affiliate links.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisclosurePosition {
    /// Just before the block holding the first affiliate link.
    #[default]
    BeforeFirstLink,
    /// At the top of the page's content.
    Top,
}

/// The `[affiliates]` table of `grove.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AffiliateSettings {
    /// Link to `/go/<slug>/` redirect pages instead of the destinations.
    pub cloak: bool,
    /// Open affiliate links in a new tab.
    pub new_tab: bool,
    /// Disclosure shown on pages with affiliate links (HTML allowed; Tera
    /// with `site`).
    pub disclosure: String,
    /// Where the disclosure goes.
    pub disclosure_position: DisclosurePosition,
    /// Status of `/go/` entries in `_redirects` (301, 302, 307 or 308).
    pub redirect_status: u16,
    /// What each affiliate program requires, by the `program` name of
    /// registry entries (see [`crate::affiliate::Programs`]).
    pub programs: BTreeMap<String, ProgramSettings>,
}

/// An `[affiliates.programs.NAME]` table: one program's rules.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramSettings {
    /// How pages name the program ("Amazon").
    pub name: Option<String>,
    /// The statement every page linking the program carries (empty: none).
    pub disclosure: Option<String>,
    /// Prices of the program's products are shown only when the entry's
    /// `price_checked` is at most this many hours old.
    pub price_max_age_hours: Option<u32>,
}

impl Default for AffiliateSettings {
    fn default() -> Self {
        AffiliateSettings {
            cloak: true,
            new_tab: false,
            disclosure: "Disclosure: some links on this page are affiliate links. If you buy through them, {{ site.title }} may earn a commission at no extra cost to you.".into(),
            disclosure_position: DisclosurePosition::BeforeFirstLink,
            redirect_status: 302,
            programs: BTreeMap::new(),
        }
    }
}

/// A site's `[ads]` table: ad slots in the theme and `ads.txt`.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct AdSettings {
    /// HTML snippet per slot: `header`, `before_content`, `after_content`, `footer`.
    #[serde(default)]
    pub slots: BTreeMap<String, String>,
    /// Lines of `ads.txt` (written only when there are some).
    #[serde(default)]
    pub ads_txt: Vec<String>,
}

/// The ad slots the default theme has.
pub const AD_SLOTS: &[&str] = &["header", "before_content", "after_content", "footer"];

/// Which wire format the LLM server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// OpenAI Chat Completions: OpenAI, Ollama, llama.cpp, vLLM, OpenRouter...
    Openai,
    /// Anthropic Messages.
    Anthropic,
}

/// The `[llm]` table of `grove.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LlmConfig {
    /// `"openai"` (any OpenAI-compatible server) or `"anthropic"`.
    pub provider: Provider,
    /// API root, e.g. `http://127.0.0.1:8088/v1`; defaults to the provider's.
    pub base_url: Option<String>,
    /// Model name as the server knows it.
    pub model: String,
    /// Environment variable holding the API key (never the key itself).
    pub api_key_env: Option<String>,
    /// Sampling temperature.
    #[serde(default = "default_temperature")]
    pub temperature: f64,
    /// Most tokens one answer may have.
    #[serde(default = "default_max_tokens")]
    pub max_tokens: u32,
    /// Most requests in flight at once.
    #[serde(default = "default_max_concurrency")]
    pub max_concurrency: usize,
    /// Most requests started per minute (unlimited when absent).
    pub requests_per_minute: Option<u32>,
    /// Whole-request timeout in seconds (between chunks when streaming).
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// Connection timeout in seconds.
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout_secs: u64,
    /// Retries after a 429, 5xx, timeout or connection error.
    #[serde(default = "default_max_retries")]
    pub max_retries: u32,
    /// First backoff delay in milliseconds; doubles per retry, with jitter.
    #[serde(default = "default_retry_base_ms")]
    pub retry_base_ms: u64,
    /// Price of a million prompt tokens, in USD.
    #[serde(default)]
    pub input_price_per_million: f64,
    /// Price of a million answer tokens, in USD.
    #[serde(default)]
    pub output_price_per_million: f64,
    /// Ask for Server-Sent Events instead of one JSON answer.
    #[serde(default)]
    pub stream: bool,
    /// OpenAI-compatible servers only: penalize tokens by how often they
    /// already appeared (-2.0 to 2.0); curbs repetition in small models.
    pub frequency_penalty: Option<f64>,
    /// OpenAI-compatible servers only: penalize tokens that already appeared.
    pub presence_penalty: Option<f64>,
    /// Ask OpenAI-compatible servers for answers that follow a JSON Schema
    /// (`response_format`), where Grove wants structured answers (`grove
    /// research`). Turn off for a server that rejects the field.
    #[serde(default = "default_true")]
    pub json_schema: bool,
    /// The share of the live price a batch costs (both providers: 0.5).
    #[serde(default = "default_batch_discount")]
    pub batch_discount: f64,
    /// What `--batch` does with a server that has no batch API:
    /// `"required"` (stop and say so) or `"auto"` (send live).
    #[serde(default)]
    pub batch: BatchSetting,
    /// Seconds between polls of a running batch with `--wait`.
    #[serde(default = "default_batch_poll")]
    pub batch_poll_secs: f64,
    /// Where a request a batch failed is asked again: `"batch"` (the
    /// next batch) or `"live"` (at once, at the live price).
    #[serde(default)]
    pub batch_retry: BatchRetry,
}

/// `[llm] batch_retry`: where a request a batch failed goes next.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BatchRetry {
    /// In the next batch.
    #[default]
    Batch,
    /// Live, at once.
    Live,
}

/// `[llm] batch`: what `--batch` does without a batch API.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BatchSetting {
    /// Stop with a message.
    #[default]
    Required,
    /// Send the calls live instead.
    Auto,
}

fn default_batch_discount() -> f64 {
    0.5
}

fn default_batch_poll() -> f64 {
    30.0
}

impl LlmConfig {
    /// The API root without a trailing slash.
    pub fn base_url(&self) -> &str {
        let default = match self.provider {
            Provider::Openai => "https://api.openai.com/v1",
            Provider::Anthropic => "https://api.anthropic.com/v1",
        };
        self.base_url
            .as_deref()
            .unwrap_or(default)
            .trim_end_matches('/')
    }

    /// Cost in USD of a call with these token counts.
    pub fn cost(&self, input_tokens: u64, output_tokens: u64) -> f64 {
        (input_tokens as f64 * self.input_price_per_million
            + output_tokens as f64 * self.output_price_per_million)
            / 1_000_000.0
    }
}

fn default_true() -> bool {
    true
}

fn default_temperature() -> f64 {
    0.7
}
fn default_max_tokens() -> u32 {
    2048
}
fn default_max_concurrency() -> usize {
    4
}
fn default_timeout() -> u64 {
    120
}
fn default_connect_timeout() -> u64 {
    10
}
fn default_max_retries() -> u32 {
    4
}
fn default_retry_base_ms() -> u64 {
    1000
}

/// A site's `[llm]` table: overrides of the network's model settings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteLlm {
    /// Another model for this site.
    pub model: Option<String>,
    /// Another temperature for this site.
    pub temperature: Option<f64>,
}

/// The `[network]` table of `grove.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkSettings {
    /// Human name of the network (shown in reports, never on the sites).
    pub name: String,
    /// Theme folder under `themes/` used by sites that do not choose their own.
    #[serde(default = "default_theme")]
    pub theme: String,
    /// Where `grove build` writes, relative to the network root.
    #[serde(default = "default_output_dir")]
    pub output_dir: PathBuf,
    /// Taxonomies every site has, e.g. `["tags", "categories"]`.
    #[serde(default = "default_taxonomies")]
    pub taxonomies: Vec<TaxonomyConfig>,
    /// Language of sites whose `site.toml` does not set one.
    #[serde(default = "default_language")]
    pub default_language: String,
    /// Content and static files no site publishes, besides editors'
    /// leftovers (see [`crate::ignore`]).
    #[serde(default)]
    pub ignore: Patterns,
}

/// The `[build]` table of `grove.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BuildSettings {
    /// Turn straight quotes and dashes into typographic ones.
    pub smart_punctuation: bool,
    /// Add a `#` link after each heading so readers can copy its anchor.
    pub anchor_links: bool,
    /// Reading speed used for `reading_time` (minutes, rounded up).
    pub words_per_minute: usize,
    /// Open links to other domains in a new tab (`target="_blank"`).
    pub external_links_new_tab: bool,
}

impl Default for BuildSettings {
    fn default() -> Self {
        BuildSettings {
            smart_punctuation: false,
            anchor_links: false,
            words_per_minute: 200,
            external_links_new_tab: false,
        }
    }
}

/// One taxonomy: written either as a name (`"tags"`) or as a table
/// (`{ name = "tags", paginate_by = 20 }`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "TaxonomySpec")]
pub struct TaxonomyConfig {
    /// The front matter key and URL segment, e.g. `tags`.
    pub name: String,
    /// Terms with more pages than this are split into `/tags/x/page/2/`...
    pub paginate_by: Option<usize>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum TaxonomySpec {
    Name(String),
    Table {
        name: String,
        paginate_by: Option<usize>,
    },
}

impl From<TaxonomySpec> for TaxonomyConfig {
    fn from(spec: TaxonomySpec) -> Self {
        match spec {
            TaxonomySpec::Name(name) => TaxonomyConfig {
                name,
                paginate_by: None,
            },
            TaxonomySpec::Table { name, paginate_by } => TaxonomyConfig { name, paginate_by },
        }
    }
}

fn default_theme() -> String {
    "default".into()
}

fn default_output_dir() -> PathBuf {
    PathBuf::from("public")
}

fn default_language() -> String {
    "en".into()
}

fn default_taxonomies() -> Vec<TaxonomyConfig> {
    ["tags", "categories"]
        .into_iter()
        .map(|name| TaxonomyConfig {
            name: name.into(),
            paginate_by: None,
        })
        .collect()
}

/// `sites/<niche>/site.toml`: what makes one niche site itself.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// The site's name, shown in the header and `<title>`.
    pub title: String,
    /// Where the site is served, e.g. `https://espresso.example.com`.
    pub base_url: String,
    /// One line describing the topic, e.g. "home espresso for beginners".
    pub niche: String,
    /// Who the site is written for.
    #[serde(default)]
    pub audience: String,
    /// A short description for the home page and search engines.
    #[serde(default)]
    pub description: String,
    /// Language code (`en`, `de`, ...); defaults to the network's.
    pub language: Option<String>,
    /// Theme folder under `themes/`; defaults to the network's.
    pub theme: Option<String>,
    /// Free-form values for templates and blueprint content (`site.vars.x`).
    #[serde(default)]
    pub vars: serde_json::Map<String, serde_json::Value>,
    /// Affiliate program tags, e.g. `amazon_tag = "espresso-20"`.
    #[serde(default)]
    pub affiliate: BTreeMap<String, String>,
    /// Overrides of the network's `[llm]` model settings.
    #[serde(default)]
    pub llm: SiteLlm,
    /// This site's affiliate disclosure, instead of the network's.
    pub affiliate_disclosure: Option<String>,
    /// Ad slots and `ads.txt` (none by default).
    #[serde(default)]
    pub ads: AdSettings,
    /// Default image for social previews (absolute URL or site path).
    pub image: Option<String>,
    /// The site's X/Twitter handle, e.g. "@cremacorner".
    pub twitter: Option<String>,
    /// Extra lines for this site's `robots.txt`.
    #[serde(default)]
    pub robots_rules: Vec<String>,
    /// Sites sharing a group are translations of each other: a page at the
    /// same content path in several of them gets `hreflang` alternates.
    pub language_group: Option<String>,
    /// This site's `[quality]` settings.
    #[serde(default)]
    pub quality: SiteQuality,
    /// How many approved drafts `grove approve` schedules per day for this
    /// site (instead of publishing them at once).
    pub publish_per_day: Option<std::num::NonZeroU32>,
    /// Content and static files this site does not publish, besides the
    /// network's list and editors' leftovers (see [`crate::ignore`]).
    #[serde(default)]
    pub ignore: Patterns,
    /// Whether the site gets the blueprint's pages and briefs (`content/`
    /// and `content/briefs.toml` of the network). `false` for a site that
    /// is its own, such as an imported one: it keeps only its files.
    #[serde(default = "default_true")]
    pub blueprint: bool,
    /// Whose URL rules the site follows: `"grove"` (the default, Zola's
    /// too) or `"hugo"` (for a site moved in from Hugo: term URLs by Hugo's
    /// `urlize`, heading ids as Hugo makes them, and feeds also at Hugo's
    /// `index.xml` addresses, so that old links keep answering).
    #[serde(default)]
    pub url_rules: crate::content::UrlRules,
    /// Old URLs that redirect elsewhere on the site, `"/feed/" =
    /// "/rss.xml"`: a redirect page at the old URL and a 301 line in
    /// `_redirects` (for old addresses no page or section owns, such as a
    /// WordPress feed).
    #[serde(default)]
    pub redirects: BTreeMap<String, String>,
    /// Whether each taxonomy term has its own feeds (`/tags/x/rss.xml`
    /// and `atom.xml`), as Zola's `feed = true` taxonomies do.
    #[serde(default)]
    pub term_feeds: bool,
    /// Where `grove deploy` puts this site (else the network's `[deploy]`).
    pub deploy: Option<DeployConfig>,
    /// This site's IndexNow key (else `[seo] indexnow_key`).
    pub indexnow_key: Option<String>,
    /// The site's Search Console property for `grove seo fetch`
    /// (`sc-domain:example.com`, or a URL prefix such as
    /// `https://example.com/`); default `sc-domain:` and the base URL's
    /// host without `www.`.
    pub search_console_property: Option<String>,
}

/// Reads and deserializes a TOML file, turning syntax and schema errors into
/// [`Error::Config`] with the file, line and column.
pub fn read_toml<T: DeserializeOwned>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| Error::io(path, "cannot read file", source))?;
    parse_toml(path, &text)
}

/// Deserializes TOML `text` that came from `path`.
pub fn parse_toml<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T> {
    toml::from_str(text).map_err(|err| toml_error(path, text, &err, 0))
}

/// Converts a `toml` error into a located [`Error::Config`]; `line_offset` is
/// added to the line (for TOML embedded in a larger file).
pub fn toml_error(path: &Path, text: &str, err: &toml::de::Error, line_offset: usize) -> Error {
    let mut location = Location::file(path);
    if let Some(span) = err.span() {
        let (line, column) = line_col(text, span.start);
        location = Location::line(path, line + line_offset).with_column(column);
    }
    Error::Config {
        location,
        message: err.message().trim().to_string(),
    }
}
