//! The network: `grove.toml`, its sites, and which of them a command works on.

mod config;
mod shard;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use config::{
    AD_SLOTS, AdSettings, AffiliateSettings, BatchRetry, BatchSetting, BuildSettings, DeployConfig,
    DisclosurePosition, Gate, ImageSettings, LlmConfig, NetworkConfig, NetworkSettings,
    ProgramSettings, Provider, QualitySettings, SearchConsoleSettings, SeoSettings, SiteConfig,
    SiteLlm, SiteQuality, TaxonomyConfig, WatchSettings, parse_toml, read_toml,
};
pub use shard::Shard;

use crate::error::{Error, Location, Result, collect_all};

/// The file that marks a network's root folder.
pub const NETWORK_FILE: &str = "grove.toml";

/// The network's sources, as names in its folder: what no output folder
/// may be, hold or sit inside. Grove's own state (`.grove/`: cache, ledger)
/// and the repository (`.git/`) count too.
pub const INPUTS: &[&str] = &[
    NETWORK_FILE,
    "affiliates.toml",
    "content",
    "sites",
    "themes",
    "prompts",
    crate::state::DIR,
    ".git",
];

/// A loaded, validated network: its configuration and every site in it.
#[derive(Debug, Clone)]
pub struct Network {
    /// The folder holding `grove.toml`.
    pub root: PathBuf,
    /// The parsed `grove.toml`.
    pub config: NetworkConfig,
    /// Every site under `sites/`, sorted by name.
    pub sites: Vec<Site>,
}

/// One niche site: `sites/<name>/`.
#[derive(Debug, Clone)]
pub struct Site {
    /// The folder name, used in output paths and `--site`.
    pub name: String,
    /// `sites/<name>/`.
    pub dir: PathBuf,
    /// The parsed `site.toml`.
    pub config: SiteConfig,
    /// `base_url` without a trailing slash, e.g. `https://example.com/blog`.
    pub base_url: String,
    /// The path part of `base_url`, e.g. `/blog` (empty at a domain root).
    pub base_path: String,
}

impl Site {
    /// What says which niche the site is about, each with its name for
    /// messages: its title, niche, audience and text `[vars]` values
    /// (`vars.product_kind`).
    pub fn niche_values(&self) -> Vec<(String, &str)> {
        let config = &self.config;
        let mut values: Vec<(String, &str)> = [
            ("title", config.title.as_str()),
            ("niche", config.niche.as_str()),
            ("audience", config.audience.as_str()),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect();
        values.extend(
            config
                .vars
                .iter()
                .filter_map(|(key, value)| Some((format!("vars.{key}"), value.as_str()?))),
        );
        values.retain(|(_, value)| !value.trim().is_empty());
        values
    }

    /// The content and static files this site does not publish: editors'
    /// leftovers and the network's and the site's `ignore` patterns.
    pub fn ignore(&self, network: &NetworkConfig) -> crate::ignore::Ignore {
        crate::ignore::Ignore::new(&[&network.network.ignore, &self.config.ignore])
    }

    /// The language of this site's pages.
    pub fn language<'a>(&'a self, network: &'a NetworkConfig) -> &'a str {
        self.config
            .language
            .as_deref()
            .unwrap_or(&network.network.default_language)
    }

    /// The network's `[llm]` settings with this site's overrides applied.
    pub fn llm(&self, network: &NetworkConfig) -> Option<LlmConfig> {
        let mut llm = network.llm.clone()?;
        if let Some(model) = &self.config.llm.model {
            llm.model = model.clone();
        }
        if let Some(temperature) = self.config.llm.temperature {
            llm.temperature = temperature;
        }
        Some(llm)
    }

    /// This site's quality gate: its own, else the network's.
    pub fn gate(&self, network: &NetworkConfig) -> Gate {
        self.config.quality.gate.unwrap_or(network.quality.gate)
    }

    /// The theme this site renders with.
    pub fn theme<'a>(&'a self, network: &'a NetworkConfig) -> &'a str {
        self.config
            .theme
            .as_deref()
            .unwrap_or(&network.network.theme)
    }
}

impl Network {
    /// Finds the network root: `start` or the nearest parent holding `grove.toml`.
    pub fn find_root(start: &Path) -> Result<PathBuf> {
        start
            .ancestors()
            .find(|dir| dir.join(NETWORK_FILE).is_file())
            .map(Path::to_path_buf)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "no {NETWORK_FILE} found in {} or any parent folder; run `grove new <dir>` to create a network, or pass --root",
                    start.display()
                ))
            })
    }

    /// Loads `grove.toml` and every `sites/*/site.toml` below `root`.
    pub fn load(root: &Path) -> Result<Network> {
        let root = root
            .canonicalize()
            .map_err(|source| Error::io(root, "cannot open network folder", source))?;
        let config: NetworkConfig = read_toml(&root.join(NETWORK_FILE))?;
        validate_network(&root, &config)?;
        let sites = load_sites(&root.join("sites"))?;
        Ok(Network {
            root,
            config,
            sites,
        })
    }

    /// The folder `grove build` writes to when no `--output` is given.
    pub fn output_dir(&self) -> PathBuf {
        self.root.join(&self.config.network.output_dir)
    }

    /// The sites a command should work on: those named (all when `names` is
    /// empty), then narrowed to one shard.
    pub fn select(&self, names: &[String], shard: Option<Shard>) -> Result<Vec<&Site>> {
        let mut selected: Vec<&Site> = if names.is_empty() {
            self.sites.iter().collect()
        } else {
            let mut picked = Vec::new();
            for name in names {
                let site = self.sites.iter().find(|s| &s.name == name).ok_or_else(|| {
                    let known: Vec<&str> = self.sites.iter().map(|s| s.name.as_str()).collect();
                    Error::Usage(format!(
                        "unknown site `{name}`: no {} (known sites: {})",
                        self.root
                            .join("sites")
                            .join(name)
                            .join("site.toml")
                            .display(),
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        }
                    ))
                })?;
                if !picked.iter().any(|s: &&Site| s.name == site.name) {
                    picked.push(site);
                }
            }
            picked.sort_by(|a, b| a.name.cmp(&b.name));
            picked
        };
        if let Some(shard) = shard {
            selected = shard.pick(selected);
        }
        Ok(selected)
    }
}

/// `api_key_env` must name an environment variable. A value that looks
/// like a key itself is refused without being shown: it is a secret
/// written into a file that is likely committed.
fn check_key_variable(var: &str) -> std::result::Result<(), String> {
    if looks_like_a_key(var) {
        return Err("[llm] api_key_env looks like an API key itself (not shown here); put the name of an environment variable here, such as api_key_env = \"OPENAI_API_KEY\", and export the key in that variable. If this file was committed or shared, revoke the key".into());
    }
    let is_name = !var.is_empty()
        && !var.starts_with(|c: char| c.is_ascii_digit())
        && var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !is_name {
        return Err(format!(
            "[llm] api_key_env = {:?} is not the name of an environment variable (letters, digits and _), such as \"OPENAI_API_KEY\"",
            var.chars().take(40).collect::<String>()
        ));
    }
    Ok(())
}

/// Whether `value` looks like an API key rather than a variable's name:
/// a known key prefix (`sk-`, `sk-ant-`, ...), or long, mixed-case and
/// with digits, unlike `OPENAI_API_KEY`.
fn looks_like_a_key(value: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "sk-",
        "sk_",
        "xai-",
        "gsk_",
        "AIza",
        "hf_",
        "ghp_",
        "github_pat_",
        "r8_",
        "pplx-",
        "nvapi-",
        "csk-",
        "Bearer ",
    ];
    if PREFIXES.iter().any(|prefix| value.starts_with(prefix)) {
        return true;
    }
    let variable_like = value
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    !variable_like
        && value.len() >= 20
        && value.chars().any(|c| c.is_ascii_digit())
        && value.chars().any(|c| c.is_ascii_lowercase())
}

fn validate_network(root: &Path, config: &NetworkConfig) -> Result<()> {
    let path = root.join(NETWORK_FILE);
    if let Some(llm) = &config.llm {
        let penalties = llm.frequency_penalty.is_some() || llm.presence_penalty.is_some();
        if llm.provider == Provider::Anthropic && penalties {
            return Err(Error::Config {
                location: Location::file(&path),
                message: "[llm] frequency_penalty and presence_penalty exist only for provider = \"openai\"; remove them for Anthropic".into(),
            });
        }
        if llm.max_concurrency == 0 {
            return Err(Error::Config {
                location: Location::file(&path),
                message: "[llm] max_concurrency must be at least 1".into(),
            });
        }
    }
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let at = |key: &str| Location::line(&path, key_line(&text, key));
    if let Some(var) = config
        .llm
        .as_ref()
        .and_then(|llm| llm.api_key_env.as_deref())
    {
        check_key_variable(var).map_err(|message| Error::Config {
            location: at("api_key_env"),
            message,
        })?;
    }
    check_theme_name(&config.network.theme).map_err(|message| Error::Config {
        location: at("theme"),
        message,
    })?;
    if config.build.words_per_minute == 0 {
        return Err(Error::Config {
            location: at("words_per_minute"),
            message:
                "[build] words_per_minute must be at least 1 (200 is typical for reading on screen)"
                    .into(),
        });
    }
    if let Some(rule) = config
        .seo
        .robots_rules
        .iter()
        .find(|r| r.contains(['\n', '\r']))
    {
        return Err(Error::Config {
            location: at("robots_rules"),
            message: format!(
                "robots rule `{}` spans several lines; give each line its own string",
                rule.escape_default()
            ),
        });
    }
    let quality = &config.quality;
    let share = |v: f64| (0.0..=1.0).contains(&v);
    if !share(quality.near_duplicate) || !share(quality.boilerplate_share) {
        return Err(Error::Config {
            location: at("quality"),
            message: "[quality] near_duplicate and boilerplate_share are shares, between 0 and 1"
                .into(),
        });
    }
    if config.seo.sitemap_max_urls == 0 || config.seo.sitemap_max_urls > 50_000 {
        return Err(Error::Config {
            location: Location::file(&path),
            message: "[seo] sitemap_max_urls must be between 1 and 50000 (the sitemaps.org limit)"
                .into(),
        });
    }
    let images = &config.images;
    if images.widths.is_empty()
        || images.widths.iter().any(|w| !(16..=8192).contains(w))
        || !(1..=100).contains(&images.quality)
    {
        return Err(Error::Config {
            location: at("widths"),
            message: "[images] widths must be a non-empty list of widths from 16 to 8192 pixels, and quality from 1 to 100".into(),
        });
    }
    if images.sizes.contains(['"', '<', '>', '\n']) {
        return Err(Error::Config {
            location: at("sizes"),
            message: "[images] sizes is an HTML `sizes` value: media conditions and lengths, without quotes or angle brackets".into(),
        });
    }
    if ![301, 302, 307, 308].contains(&config.affiliates.redirect_status) {
        return Err(Error::Config {
            location: Location::file(&path),
            message: "[affiliates] redirect_status must be 301, 302, 307 or 308".into(),
        });
    }
    let mut seen = Vec::new();
    for taxonomy in &config.network.taxonomies {
        let name = &taxonomy.name;
        if !is_slug(name) {
            return Err(Error::Config {
                location: Location::file(&path),
                message: format!(
                    "taxonomy name `{name}` must be lowercase letters, digits, `-` or `_` (it is used as a URL segment)"
                ),
            });
        }
        if seen.contains(name) {
            return Err(Error::Config {
                location: Location::file(&path),
                message: format!("taxonomy `{name}` is listed twice"),
            });
        }
        if taxonomy.paginate_by == Some(0) {
            return Err(Error::Config {
                location: Location::file(&path),
                message: format!("taxonomy `{name}`: paginate_by must be at least 1"),
            });
        }
        seen.push(name.clone());
    }
    Ok(())
}

fn load_sites(sites_dir: &Path) -> Result<Vec<Site>> {
    if !sites_dir.is_dir() {
        return Ok(Vec::new());
    }
    let entries = std::fs::read_dir(sites_dir)
        .map_err(|source| Error::io(sites_dir, "cannot list sites", source))?;
    let mut dirs = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| Error::io(sites_dir, "cannot list sites", source))?;
        let path = entry.path();
        if path.is_dir() && path.join("site.toml").is_file() {
            dirs.push(path);
        }
    }
    dirs.sort();
    collect_all(
        dirs.par_iter()
            .map(|dir| load_site(dir))
            .collect::<Vec<_>>(),
    )
}

fn load_site(dir: &Path) -> Result<Site> {
    let path = dir.join("site.toml");
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();
    if !is_slug(&name) {
        return Err(Error::Config {
            location: Location::file(&path),
            message: format!(
                "site folder name `{name}` must be lowercase letters, digits, `-` or `_` (it becomes an output folder and a --site name)"
            ),
        });
    }
    let text = std::fs::read_to_string(&path)
        .map_err(|source| Error::io(&path, "cannot read file", source))?;
    let config: SiteConfig = parse_toml(&path, &text)?;
    check_site_config(&path, &text, &config)?;
    if let Some(slot) = config
        .ads
        .slots
        .keys()
        .find(|k| !AD_SLOTS.contains(&k.as_str()))
    {
        return Err(Error::Config {
            location: Location::file(&path),
            message: format!(
                "unknown ad slot `{slot}`; the slots are {}",
                AD_SLOTS.join(", ")
            ),
        });
    }
    let (base_url, base_path) = split_base_url(&config.base_url).ok_or_else(|| Error::Config {
        location: Location::line(&path, key_line(&text, "base_url")),
        message: format!(
            "base_url `{}` must be an absolute http(s) URL such as https://{name}.example.com",
            config.base_url
        ),
    })?;
    Ok(Site {
        name,
        dir: dir.to_path_buf(),
        config,
        base_url,
        base_path,
    })
}

/// Checks the values of `site.toml` that end up in every page and in
/// crawler files: the base URL (an http(s) URL with a host, no query or
/// fragment, nothing that would break out of an attribute or a line), the
/// theme (a folder name under `themes/`), and robots rules (one line each).
fn check_site_config(path: &Path, text: &str, config: &SiteConfig) -> Result<()> {
    let error = |key: &str, message: String| Error::Config {
        location: Location::line(path, key_line(text, key)),
        message,
    };
    crate::web_url::check_web_url(&config.base_url)
        .map_err(|problem| error("base_url", format!("base_url: {problem}")))?;
    if config.base_url.contains(['?', '#']) {
        return Err(error(
            "base_url",
            "base_url cannot have a query (`?`) or fragment (`#`): pages' URLs are appended to it"
                .into(),
        ));
    }
    if let Some(theme) = &config.theme {
        check_theme_name(theme).map_err(|message| error("theme", message))?;
    }
    if let Some(rule) = config
        .robots_rules
        .iter()
        .find(|r| r.contains(['\n', '\r']))
    {
        return Err(error(
            "robots_rules",
            format!(
                "robots rule `{}` spans several lines; give each line its own string",
                rule.escape_default()
            ),
        ));
    }
    Ok(())
}

/// A theme is named by its folder under `themes/`: one plain name, never
/// a path that could load templates from elsewhere.
pub fn check_theme_name(theme: &str) -> std::result::Result<(), String> {
    let plain = !theme.is_empty()
        && theme != "."
        && theme != ".."
        && !theme.contains(['/', '\\', '\0'])
        && !theme.starts_with('.');
    if plain {
        Ok(())
    } else {
        Err(format!(
            "theme `{}` must be the name of a folder under themes/, such as \"default\"",
            theme.escape_default()
        ))
    }
}

/// The 1-based line where top-level `key` is set in TOML `text` (1 when
/// not found).
fn key_line(text: &str, key: &str) -> usize {
    text.lines()
        .position(|line| {
            line.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map_or(1, |index| index + 1)
}

/// Splits `https://host/path/` into (`https://host/path`, `/path`).
fn split_base_url(url: &str) -> Option<(String, String)> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let host_end = rest.find('/').unwrap_or(rest.len());
    if host_end == 0 {
        return None;
    }
    let path = rest[host_end..].trim_end_matches('/');
    let base = url.trim_end_matches('/').to_string();
    Some((base, path.to_string()))
}

/// Whether `name` is safe as a folder and URL segment.
pub fn is_slug(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_is_split_into_origin_and_path() {
        assert_eq!(
            split_base_url("https://a.example.com/"),
            Some(("https://a.example.com".into(), String::new()))
        );
        assert_eq!(
            split_base_url("http://a.example.com/blog/"),
            Some(("http://a.example.com/blog".into(), "/blog".into()))
        );
        assert_eq!(split_base_url("a.example.com"), None);
        assert_eq!(split_base_url("https:///x"), None);
    }
}
